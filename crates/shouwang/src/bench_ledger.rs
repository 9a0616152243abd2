//! `shouwang bench ledger`: the ledger targets of issue 3 on a synthetic county.
//!
//! Writes N person rows of the demo county to CSV and xlsx (in a child process, so that the
//! generator's memory does not count), then times, each on a fresh database: the CSV import into
//! SQLite, the xlsx import into SQLite, the CSV import into PostgreSQL (when a URL is given), the
//! export to CSV, and the SQLite shell's `.import` of the same CSV into one bare table. Peak RSS
//! (VmHWM) is reset before each phase and printed after it.

use crate::cli::BenchLedgerArgs;
use anyhow::{bail, Context, Result};
use shouwang_app::ledger::{import_file, ImportReport};
use shouwang_core::RegionCode;
use shouwang_io::ledger::ReadOptions;
use shouwang_store::audit::Actor;
use shouwang_store::ledger::LedgerImport;
use shouwang_store::Store;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Average persons per synthetic household (measured on the generator).
const PERSONS_PER_HOUSEHOLD: f64 = 3.3;

/// Peak resident memory of this process since the last reset, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Resets the peak (Linux: writing 5 to clear_refs); ignored where unsupported.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn synth(dir: &Path, households: usize, out: &Path) -> Result<()> {
    let exe = std::env::current_exe()?;
    let db = dir.join("synth.sqlite");
    let status = Command::new(exe)
        .arg("--database-url")
        .arg(format!("sqlite://{}", db.display()))
        .args(["synth", "ledger", "--county", crate::demo::DEMO_COUNTY])
        .arg("--households")
        .arg(households.to_string())
        .arg(out)
        .env("SHOUWANG_LOG", "warn")
        .status()
        .context("synth")?;
    if !status.success() {
        bail!("synth ledger failed");
    }
    Ok(())
}

fn import(store: &Store, path: &Path) -> Result<(ImportReport, f64, f64)> {
    store.import_regions(shouwang_io::regions::demo_regions()?)?;
    let county = RegionCode::parse(crate::demo::DEMO_COUNTY).context("county")?;
    let today = crate::ledger_cmd::today();
    let opts = LedgerImport {
        county: county.clone(),
        within: county,
        all_or_nothing: false,
        actor: Actor::system("bench"),
        source: path.display().to_string(),
        today,
        page_cache_mib: shouwang_store::ledger::IMPORT_CACHE_MIB,
        exclusive: true,
        exported_at: None,
        overwrite_newer: false,
    };
    reset_peak();
    let started = Instant::now();
    let imported = import_file(store, path, &ReadOptions::new(today), &opts, None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((imported.report, started.elapsed().as_secs_f64(), peak_mb()))
}

fn line(what: &str, secs: f64, rows: usize, mb: f64) {
    println!(
        "{what:<34} {secs:>7.2} s  {:>9.0} rows/s  peak RSS {mb:>6.0} MB",
        rows as f64 / secs.max(1e-9)
    );
}

pub fn run(args: BenchLedgerArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-ledger-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let households = ((args.persons as f64 / PERSONS_PER_HOUSEHOLD).ceil() as usize).max(1);
    let csv = dir.join("ledger.csv");
    let xlsx = dir.join("ledger.xlsx");
    println!(
        "生成 / writing {households} households to {} …",
        dir.display()
    );
    synth(&dir, households, &csv)?;
    if !args.no_xlsx {
        synth(&dir, households, &xlsx)?;
    }
    let mb = std::fs::metadata(&csv)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0);
    println!("CSV: {mb:.0} MB");

    // reading and validating alone, without a database
    reset_peak();
    let started = Instant::now();
    let mut read_rows = 0usize;
    shouwang_io::ledger::read_ledger(
        &csv,
        &ReadOptions::new(crate::ledger_cmd::today()),
        |item| {
            if let shouwang_io::ledger::LedgerItem::Household(h) = item {
                read_rows += h.members.len();
            }
            Ok::<(), std::convert::Infallible>(())
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    line(
        "read + validate CSV (no database)",
        started.elapsed().as_secs_f64(),
        read_rows,
        peak_mb(),
    );

    // CSV → SQLite
    let db = dir.join("csv.sqlite");
    let _ = std::fs::remove_file(&db);
    let store = Store::open_sqlite(db.clone())?;
    let (report, secs, peak) = import(&store, &csv)?;
    let rows = report.persons_added;
    println!(
        "imported {} households, {} persons, {} rejected",
        report.households_added, report.persons_added, report.households_rejected
    );
    line("import CSV → SQLite", secs, rows, peak);
    let csv_secs = secs;

    // export SQLite → CSV
    reset_peak();
    let started = Instant::now();
    let out = dir.join("export.csv");
    let county = RegionCode::parse(crate::demo::DEMO_COUNTY).context("county")?;
    let (_, exported) =
        crate::ledger_cmd::write_households(&out, shouwang_io::ledger::Ids::Full, None, |sink| {
            store.export_ledger(&county, sink)
        })?;
    line(
        "export SQLite → CSV",
        started.elapsed().as_secs_f64(),
        exported,
        peak_mb(),
    );
    drop(store);

    // xlsx → SQLite
    if !args.no_xlsx {
        let db = dir.join("xlsx.sqlite");
        let _ = std::fs::remove_file(&db);
        let store = Store::open_sqlite(db)?;
        let (report, secs, peak) = import(&store, &xlsx)?;
        line("import xlsx → SQLite", secs, report.persons_added, peak);
    }

    // CSV → PostgreSQL, in a schema of its own
    if let Some(url) = &args.pg_url {
        let db = shouwang_store::testing::TestDb::postgres(url)?;
        let (report, secs, peak) = import(&db.store, &csv)?;
        line("import CSV → PostgreSQL", secs, report.persons_added, peak);
    }

    // the SQLite shell's own CSV import into one bare table
    let started = Instant::now();
    let shell = Command::new("sqlite3")
        .arg(":memory:")
        .arg(format!(".import --csv {} t", csv.display()))
        .arg("SELECT count(*) FROM t;")
        .output();
    match shell {
        Ok(o) if o.status.success() => {
            let secs = started.elapsed().as_secs_f64();
            line("sqlite3 .import (bare table)", secs, rows, 0.0);
            println!(
                "ratio import / sqlite3 .import: {:.1}×",
                csv_secs / secs.max(1e-9)
            );
        }
        Ok(o) => println!(
            "sqlite3 .import failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => println!("sqlite3 shell not found: apt-get install sqlite3 to compare"),
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
