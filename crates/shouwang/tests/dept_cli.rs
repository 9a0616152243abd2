//! `shouwang dept import` and `shouwang dept rollback`: a summary on success, the same file twice
//! changing nothing, a file of another kind refused with a non-zero exit, a rollback twice refused.

use shouwang_core::standard::Standard;
use shouwang_core::{Fen, RegionCode};
use std::path::Path;
use std::process::{Command, Output};

const COUNTY: &str = "510821";

fn shouwang(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env("SHOUWANG_LOG", "warn")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_department_file_is_imported_once_and_rolled_back_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("county.sqlite").display());
    let store = shouwang_store::Store::open(&url).unwrap();
    store
        .import_regions(shouwang_io::regions::demo_regions().unwrap())
        .unwrap();
    store
        .save_standard(
            &shouwang_store::audit::Actor::system("test"),
            &Standard::provincial(
                2026,
                RegionCode::parse("51").unwrap(),
                Fen::from_yuan(8_700),
            ),
        )
        .unwrap();
    drop(store);
    let ledger = dir.path().join("ledger.csv");
    let synth = format!("sqlite://{}", dir.path().join("synth.sqlite").display());
    let made = shouwang(
        &synth,
        &[
            "synth",
            "ledger",
            "--county",
            COUNTY,
            "--households",
            "5",
            path(&ledger),
        ],
    );
    assert!(made.status.success(), "{}", text(&made));
    let imported = shouwang(
        &url,
        &["import", "ledger", "--county", COUNTY, path(&ledger)],
    );
    assert!(imported.status.success(), "{}", text(&imported));

    // every person of the ledger with 30,000 元 of costs in October
    let ledger_text = std::fs::read_to_string(&ledger).unwrap();
    let lines: Vec<&str> = ledger_text.lines().collect();
    let header_at = lines.iter().position(|l| l.contains("证件号码")).unwrap();
    let id_at = lines[header_at]
        .split(',')
        .position(|h| h == "证件号码")
        .unwrap();
    let mut medical = String::from("证件号码,姓名,结算日期,合规自付\n");
    let mut persons = 0;
    for l in &lines[header_at + 1..] {
        if let Some(id) = l.split(',').nth(id_at).filter(|id| id.len() == 18) {
            medical.push_str(&format!("{id},某人,2026-10-05,30000\n"));
            persons += 1;
        }
    }
    assert!(persons > 0);
    let file = dir.path().join("医保2026-10.csv");
    std::fs::write(&file, &medical).unwrap();

    let args = [
        "dept",
        "import",
        "--kind",
        "medical",
        "--period",
        "2026-10",
        path(&file),
    ];
    let first = shouwang(&url, &args);
    assert!(first.status.success(), "{}", text(&first));
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(said.contains("已导入第1批医保数据"), "{said}");
    assert!(
        said.contains(&format!("rows {persons} · matched {persons} ·")),
        "{said}"
    );
    // not a terminal: the progress comes as plain lines
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("行 rows"),
        "{}",
        text(&first)
    );

    let again = shouwang(&url, &args);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .contains("same file already imported as batch 1: nothing changed"),
        "{}",
        text(&again)
    );

    let wrong = shouwang(
        &url,
        &["dept", "import", "--kind", "disability", path(&file)],
    );
    assert!(!wrong.status.success());
    assert!(text(&wrong).contains("dept.wrong_kind"), "{}", text(&wrong));
    let unknown = shouwang(&url, &["dept", "import", "--kind", "weather", path(&file)]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("dept.kind_unknown"),
        "{}",
        text(&unknown)
    );

    let back = shouwang(&url, &["dept", "rollback", "1", "--reason", "测试撤回"]);
    assert!(back.status.success(), "{}", text(&back));
    assert!(text(&back).contains("rolled back"), "{}", text(&back));
    let twice = shouwang(&url, &["dept", "rollback", "1", "--reason", "测试撤回"]);
    assert!(!twice.status.success());
    assert!(
        text(&twice).contains("dept.batch_rolled_back"),
        "{}",
        text(&twice)
    );
}
