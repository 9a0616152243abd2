//! A kill in the middle of a department import leaves nothing of it: `shouwang dept import` is
//! killed (SIGKILL) once its progress says it is reading rows, and the database, opened again,
//! holds no batch, record, unmatched row, alert or lead of it, passes its integrity check, and
//! takes the same file whole.

use shouwang_core::standard::Standard;
use shouwang_core::{Fen, RegionCode};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const COUNTY: &str = "510821";

fn shouwang(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shouwang"));
    c.arg("--database-url")
        .arg(url)
        .env("SHOUWANG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

const TABLES: [&str; 6] = [
    "dept_batches",
    "dept_records",
    "dept_unmatched",
    "dept_alerts",
    "leads",
    "audit_events",
];

fn counts(db: &Path) -> Vec<i64> {
    let c = rusqlite::Connection::open(db).unwrap();
    TABLES
        .iter()
        .map(|t| {
            c.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        })
        .collect()
}

#[test]
fn a_killed_department_import_leaves_nothing_and_imports_whole_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let url = format!("sqlite://{}", db.display());
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
    assert!(shouwang(&synth)
        .args(["synth", "ledger", "--county", COUNTY, "--households", "300"])
        .arg(&ledger)
        .status()
        .unwrap()
        .success());
    assert!(shouwang(&url)
        .args(["import", "ledger", "--county", COUNTY])
        .arg(&ledger)
        .status()
        .unwrap()
        .success());

    // a 应急 file of many rows: records are written while rows are still being read
    let text = std::fs::read_to_string(&ledger).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains("证件号码")).unwrap();
    let col = lines[at].split(',').position(|h| h == "证件号码").unwrap();
    let ids: Vec<&str> = lines[at + 1..]
        .iter()
        .filter_map(|l| l.split(',').nth(col))
        .filter(|id| id.len() == 18)
        .collect();
    let mut file = String::from("证件号码,姓名,灾种,受灾日期,损失金额\n");
    for i in 0..400_000usize {
        let id = ids[i % ids.len()];
        file.push_str(&format!("{id},某人,洪涝,2026-10-01,{}\n", 100 + i % 50_000));
    }
    let path = dir.path().join("应急.csv");
    std::fs::write(&path, &file).unwrap();
    let before = counts(&db);

    let mut child = shouwang(&url)
        .args([
            "dept", "import", "--kind", "disaster", "--period", "2026-10",
        ])
        .arg(&path)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the first progress line: rows are being read and matched inside the transaction
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut line = String::new();
    loop {
        line.clear();
        let n = err.read_line(&mut line).unwrap();
        assert!(
            n > 0,
            "the import ended before it could be killed: make the file larger"
        );
        if line.contains("行 rows") && !line.contains("100%") {
            break;
        }
        assert!(Instant::now() < deadline, "the import never got under way");
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success(), "killed, not finished");

    assert_eq!(counts(&db), before, "nothing of the killed import");
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(c);

    let whole = shouwang(&url)
        .args([
            "dept", "import", "--kind", "disaster", "--period", "2026-10",
        ])
        .arg(&path)
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(whole.status.success());
    let said = String::from_utf8_lossy(&whole.stdout);
    assert!(said.contains("rows 400000 · matched 400000"), "{said}");
}
