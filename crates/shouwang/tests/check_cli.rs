//! `shouwang check`: the count per rule printed for the database's county, the records to fix as
//! a titled xlsx and the counts per rule as CSV; a region code that means nothing is refused.

use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, RegionCode};
use std::process::{Command, Output};

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

#[test]
fn check_prints_the_counts_and_writes_the_findings_as_xlsx_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("county.sqlite").display());
    let store = shouwang_store::Store::open(&url).unwrap();
    store
        .import_regions(shouwang_io::regions::demo_regions().unwrap())
        .unwrap();
    let county = RegionCode::parse("510821").unwrap();
    let villages: Vec<SynthVillage> = store
        .villages_of(&county)
        .unwrap()
        .into_iter()
        .take(3)
        .map(|code| SynthVillage {
            code,
            resettlement_site: None,
        })
        .collect();
    let data = generate(
        &SynthConfig {
            households: 30,
            seed: 9,
            today: Date::parse("2026-11-20").unwrap(),
            county: county.clone(),
        },
        &villages,
    );
    store
        .bulk_load(&shouwang_store::audit::Actor::system("test"), &data, "test")
        .unwrap();
    // one head with two medical insurances
    let head = &data[0].1[0].id_number;
    store
        .quality_counties()
        .unwrap()
        .iter()
        .for_each(|c| assert_eq!(c, "510821"));
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("county.sqlite")).unwrap();
    conn.execute(
        "UPDATE members SET resident_medical = 1, employee_medical = 1 WHERE id_number = ?1",
        [head],
    )
    .unwrap();
    drop(conn);
    let out = dir.path().join("findings.xlsx");
    let o = shouwang(
        &url,
        &[
            "check",
            "--date",
            "2026-11-20",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("30 户"), "{t}");
    assert!(t.contains("同时参加城乡居民和城镇职工基本医疗保险"), "{t}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    let csv = dir.path().join("rules.csv");
    let o = shouwang(
        &url,
        &[
            "check",
            "--region",
            "510821",
            "--format",
            "csv",
            "--table",
            "rules",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let body = std::fs::read_to_string(&csv).unwrap();
    assert!(
        body.contains("规则编号") && body.contains("0_00_015"),
        "{body}"
    );
    let bad = shouwang(&url, &["check", "--region", "nowhere"]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("区划代码"), "{}", text(&bad));
}
