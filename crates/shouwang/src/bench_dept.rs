//! `shouwang bench dept`: a 医保 file of N settlements (5,000,000 for the figures)
//! matched and evaluated against a county of M households (1,000,000) through `import_file`,
//! the path of `shouwang dept import`. The county is built as `shouwang bench screen` builds it
//! (kept with `--dir`, reused with `--reuse`); the file is written by the synthetic generator's
//! streaming 医保 rows (about 1 % of persons nobody has, 0.1 % unreadable rows) from the
//! county's own ID numbers. Times the import (wall time, rows per second) and reports the
//! process's peak memory during it (VmHWM, reset before) and the batch's counts; then the same
//! on PostgreSQL when `--pg` names an empty database.

use crate::bench_screen::{build, CHUNK};
use anyhow::{bail, Context, Result};
use clap::Args;
use shouwang_app::department::{import_file, BatchInput, ImportOutcome};
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::synth::department::{header, medical_rows};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct BenchDeptArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 1_000_000)]
    pub households: usize,
    /// 医保结算行数 / rows of the 医保 file
    #[arg(long, default_value_t = 5_000_000)]
    pub rows: u64,
    /// 另测 PostgreSQL（需为空库）/ also time PostgreSQL at this URL (an empty database)
    #[arg(long)]
    pub pg: Option<String>,
    /// 数据目录（保留测试库和文件；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database and file in --dir if they exist
    #[arg(long)]
    pub reuse: bool,
}

const COUNTY: &str = "510821";

/// Peak resident memory since the last reset, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The county's ID numbers, generated again chunk by chunk exactly as [`build`] made them.
fn county_ids(villages: &[SynthVillage], households: usize) -> Result<Vec<String>> {
    let today = crate::screen_cmd::today();
    let mut ids = Vec::with_capacity(households * 7 / 2);
    for c in 0..households.div_ceil(CHUNK) {
        let n = CHUNK.min(households - c * CHUNK);
        let area = RegionCode::parse(&format!("5108{:02}", 21 + c)).context("area code")?;
        let data = generate(
            &SynthConfig {
                households: n,
                seed: 42 + c as u64,
                today,
                county: area,
            },
            villages,
        );
        ids.extend(
            data.into_iter()
                .flat_map(|(_, ms)| ms.into_iter().map(|m| m.id_number)),
        );
    }
    Ok(ids)
}

/// Writes the 医保 file; returns the generator's counts.
fn write_file(
    url: &str,
    path: &Path,
    households: usize,
    rows: u64,
) -> Result<shouwang_core::synth::department::StreamCounts> {
    let store = crate::open(url)?;
    let villages: Vec<SynthVillage> = store
        .villages_of(&RegionCode::parse(COUNTY).context("county")?)?
        .into_iter()
        .map(|code| SynthVillage {
            code,
            resettlement_site: None,
        })
        .collect();
    drop(store);
    let t = Instant::now();
    let ids = county_ids(&villages, households)?;
    let persons = ids.len();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{}", header(DeptKind::Medical).join(","))?;
    let mut failed: Option<std::io::Error> = None;
    let counts = medical_rows(&ids, rows, 5_000, crate::screen_cmd::today(), &mut |row| {
        if failed.is_none() {
            if let Err(e) = writeln!(out, "{}", row.join(",")) {
                failed = Some(e);
            }
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.flush()?;
    println!(
        "wrote {} rows over {persons} persons to {} ({:.0} MB) in {:.1} s",
        counts.rows,
        path.display(),
        std::fs::metadata(path)?.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(counts)
}

fn time_import(url: &str, path: &Path) -> Result<()> {
    let store = crate::open(url)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    let input = BatchInput {
        county: county.clone(),
        region: county,
        kind: DeptKind::Medical,
        channel: BatchChannel::Command,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        client_batch_id: None,
        period: None,
        token_id: None,
    };
    // a batch of the same file from an earlier run (--reuse) is rolled back first, untimed
    let sha = shouwang_io::department::file_sha256(path).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if let Some(b) = store.find_dept_batch(&input.county, DeptKind::Medical, &sha, None)? {
        let t = Instant::now();
        shouwang_app::department::rollback(&store, &Actor::system("bench"), b.id, "bench rerun")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "rolled back batch {} of an earlier run in {:.1} s",
            b.id,
            t.elapsed().as_secs_f64()
        );
    }
    reset_peak();
    let before = peak_mib();
    let started = Instant::now();
    let mut last = Instant::now();
    let outcome = import_file(
        &store,
        &Actor::system("bench"),
        input,
        path,
        crate::screen_cmd::today(),
        &mut |p| {
            if last.elapsed() >= Duration::from_secs(5) {
                last = Instant::now();
                eprintln!(
                    "  {:>5.1}%  {} rows  {:.0} s",
                    p.bytes as f64 * 100.0 / p.total.max(1) as f64,
                    p.rows,
                    started.elapsed().as_secs_f64()
                );
            }
        },
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let took = started.elapsed().as_secs_f64();
    let peak = peak_mib();
    let b = match outcome {
        ImportOutcome::Imported(b) => b,
        ImportOutcome::Duplicate(b) => bail!("the file is imported already as batch {}", b.id),
    };
    println!(
        "import ({})  {took:.1} s  {:.0} rows/s  peak memory {peak:.0} MiB (before {before:.0} MiB)  {}",
        store.label,
        b.rows as f64 / took,
        if took < 30.0 && peak < 1024.0 {
            "< 30 s, < 1 GB ok"
        } else {
            "MISSED 30 s / 1 GB"
        }
    );
    println!(
        "  rows {}  matched {}  unmatched {}  invalid {}  alerts {}  leads {}",
        b.rows, b.matched, b.unmatched, b.invalid, b.alerts, b.leads
    );
    Ok(())
}

pub fn run(args: BenchDeptArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-dept-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-dept.sqlite");
    let url = format!("sqlite://{}", db.display());
    let file = dir.join(format!("yibao-{}.csv", args.rows));
    if !(args.reuse && db.exists()) {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        build(&url, args.households)?;
    }
    if !(args.reuse && file.exists()) {
        let counts = write_file(&url, &file, args.households, args.rows)?;
        println!(
            "  of which rows of nobody {}, unreadable {}",
            counts.not_found, counts.invalid
        );
    }
    println!(
        "== 医保 {} rows against {} households",
        args.rows, args.households
    );
    time_import(&url, &file)?;
    if let Some(pg) = &args.pg {
        let built = args.reuse
            && crate::open(pg)?
                .count_in(&RegionCode::parse(COUNTY).context("county")?)?
                .0
                > 0;
        if !built {
            build(pg, args.households)?;
        }
        time_import(pg, &file)?;
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
