//! A kill in the middle of a ledger import leaves the database as it was before the import:
//! `shouwang import ledger` is killed (SIGKILL) once it has written part of a ledger, and the
//! database, opened again, holds exactly what it held before, passes its integrity check and
//! takes the same import whole.
//!
//! SQLite in both of its ways of writing an import: straight into the file of an empty database
//! (rollback journal), and through the WAL into one that already holds households. PostgreSQL
//! too when SHOUWANG_TEST_PG_URL is set, as `.ci/run` does.

use shouwang_core::RegionCode;
use shouwang_store::Store;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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

/// A synthetic ledger of 旺苍县 (made in a database of its own).
fn ledger(dir: &Path, households: usize, name: &str) -> PathBuf {
    let out = dir.join(name);
    let synth = format!(
        "sqlite://{}",
        dir.join(format!("{name}.synth.sqlite")).display()
    );
    let status = shouwang(&synth)
        .args(["synth", "ledger", "--county", COUNTY, "--households"])
        .arg(households.to_string())
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "synth ledger");
    out
}

fn import(url: &str, file: &Path) -> Command {
    let mut c = shouwang(url);
    // a small page cache, so that pages reach the disk long before the import ends
    c.args(["import", "ledger", "--county", COUNTY, "--cache-mb", "1"])
        .arg(file);
    c
}

fn prepared(url: &str) -> Store {
    let store = Store::open(url).unwrap();
    store
        .import_regions(shouwang_io::regions::demo_regions().unwrap())
        .unwrap();
    store
}

/// Waits until `written()` says the import has written part of its rows, then kills it.
fn kill_when(mut child: Child, mut written: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it could be killed: make the ledger larger");
        }
        if written() {
            break;
        }
        assert!(Instant::now() < deadline, "the import never got under way");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished");
}

/// Rows per table, and the schema's indexes (an import into an empty county drops some and
/// builds them again).
const TABLES: [&str; 9] = [
    "households",
    "members",
    "person_index",
    "incomes",
    "guarantees",
    "monitoring_cases",
    "case_steps",
    "audit_events",
    "regions",
];

fn sqlite_state(path: &Path) -> Vec<(String, i64)> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut out: Vec<(String, i64)> = TABLES
        .iter()
        .map(|t| {
            let n = c
                .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .unwrap();
            (t.to_string(), n)
        })
        .collect();
    let indexes = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out.push(("indexes".into(), indexes));
    out
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

fn beside(db: &Path, suffix: &str) -> u64 {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    file_len(Path::new(&s))
}

/// Bytes of the database, its WAL and its rollback journal.
fn on_disk(db: &Path) -> u64 {
    file_len(db) + beside(db, "-wal") + beside(db, "-journal")
}

fn sqlite_kill(already_holding: bool) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let url = format!("sqlite://{}", db.display());
    let store = prepared(&url);
    if already_holding {
        let small = ledger(dir.path(), 40, "small.csv");
        assert!(import(&url, &small).status().unwrap().success());
    }
    drop(store);
    let big = ledger(dir.path(), 6_000, "big.csv");
    let before = sqlite_state(&db);
    let start = on_disk(&db);

    let child = import(&url, &big).spawn().unwrap();
    // wait for the pages where this way of writing puts them (the WAL, or the database file
    // itself with a rollback journal), so that the kill lands while they are uncommitted there
    kill_when(child, || {
        if already_holding {
            beside(&db, "-wal") > 4_000_000
        } else {
            file_len(&db) > start + 4_000_000 && beside(&db, "-journal") > 0
        }
    });
    // killed with uncommitted pages on disk: in the WAL, or in the database file with the
    // journal of what they replaced
    if already_holding {
        assert!(beside(&db, "-wal") > 4_000_000, "pages in the WAL");
    } else {
        assert!(beside(&db, "-journal") > 0, "a journal to roll back from");
        assert!(
            file_len(&db) > start + 4_000_000,
            "pages in the database file"
        );
    }

    // opening again restores the database from the journal (or ignores the uncommitted WAL)
    let store = Store::open(&url).unwrap();
    assert_eq!(sqlite_state(&db), before, "holding data: {already_holding}");
    let c = rusqlite::Connection::open(&db).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(c);
    drop(store);

    // and the same import, run again, lands whole
    assert!(import(&url, &big).status().unwrap().success());
    let store = Store::open(&url).unwrap();
    let (households, _) = store.count_in(&RegionCode::parse(COUNTY).unwrap()).unwrap();
    assert_eq!(households, 6_000);
}

#[test]
fn a_kill_leaves_an_empty_sqlite_database_empty() {
    sqlite_kill(false);
}

#[test]
fn a_kill_leaves_a_sqlite_database_as_it_was() {
    sqlite_kill(true);
}

fn pg_state(c: &mut postgres::Client, schema: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = TABLES
        .iter()
        .map(|t| {
            let n: i64 = c
                .query_one(&format!("SELECT COUNT(*) FROM {schema}.{t}"), &[])
                .unwrap()
                .get(0);
            (t.to_string(), n)
        })
        .collect();
    for (what, sql) in [
        (
            "indexes",
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = $1",
        ),
        (
            "constraints",
            "SELECT COUNT(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = $1 AND c.convalidated",
        ),
    ] {
        let n: i64 = c.query_one(sql, &[&schema]).unwrap().get(0);
        out.push((what.into(), n));
    }
    out
}

/// PostgreSQL: the server rolls back the transaction of a client that is gone, keys and
/// foreign keys (which a first import drops and adds back) included.
#[test]
fn a_kill_leaves_a_postgres_database_as_it_was() {
    let Some(base) = std::env::var("SHOUWANG_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("SHOUWANG_TEST_PG_URL not set: PostgreSQL part skipped");
        return;
    };
    let schema = format!("kill_{}", std::process::id());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    // named, so that the watcher below sees this test's import and no other
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}");
    let dir = tempfile::tempdir().unwrap();
    drop(prepared(&url));
    let big = ledger(dir.path(), 6_000, "big.csv");
    let before = pg_state(&mut admin, &schema);

    let child = import(&url, &big).spawn().unwrap();
    // under way once its rows are being sent
    let mut watcher = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    kill_when(child, || {
        let n: i64 = watcher
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'
                 AND (query LIKE 'COPY members%' OR query LIKE 'COPY person_index%')",
                &[&schema],
            )
            .unwrap()
            .get(0);
        n > 0
    });
    // the server notices the client is gone and rolls its transaction back
    let deadline = Instant::now() + Duration::from_secs(60);
    while pg_state(&mut admin, &schema) != before {
        assert!(
            Instant::now() < deadline,
            "still changed a minute after the kill: {:?} (before: {before:?})",
            pg_state(&mut admin, &schema)
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    assert!(import(&url, &big).status().unwrap().success());
    let store = Store::open(&url).unwrap();
    let (households, _) = store.count_in(&RegionCode::parse(COUNTY).unwrap()).unwrap();
    assert_eq!(households, 6_000);
    drop(store);
    let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}
