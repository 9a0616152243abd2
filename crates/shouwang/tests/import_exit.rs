//! `shouwang import ledger` tells a script what happened by its exit code: zero when every row
//! was imported, not zero when rows were refused (the rest is still imported, and the output
//! says how many were refused).

use std::path::Path;
use std::process::{Command, Output};

const COUNTY: &str = "510821";

fn shouwang(url: &str, args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .arg(file)
        .env("SHOUWANG_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn an_import_with_refused_rows_exits_non_zero_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("county.sqlite").display());
    let store = shouwang_store::Store::open(&url).unwrap();
    store
        .import_regions(shouwang_io::regions::demo_regions().unwrap())
        .unwrap();
    drop(store);

    let clean = dir.path().join("clean.csv");
    let synth = format!("sqlite://{}", dir.path().join("synth.sqlite").display());
    let made = shouwang(
        &synth,
        &["synth", "ledger", "--county", COUNTY, "--households", "5"],
        &clean,
    );
    assert!(made.status.success(), "synth ledger");
    let imported = shouwang(&url, &["import", "ledger", "--county", COUNTY], &clean);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    // the same ledger with one person's ID number broken
    let text = std::fs::read_to_string(&clean).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let id_at = header.iter().position(|h| *h == "证件号码").unwrap();
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    fields[id_at] = "5108211950030412".into();
    lines[1] = fields.join(",");
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();

    let refused = shouwang(&url, &["import", "ledger", "--county", COUNTY], &broken);
    assert!(
        !refused.status.success(),
        "refused rows give a non-zero exit"
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("被拒绝") && said.contains("were refused"),
        "{said}"
    );
}
