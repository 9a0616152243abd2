//! `shouwang bench screen`: the screening targets on a SQLite county of N households with
//! incomes and 三保障 flags. Builds the database once (kept with `--dir`), then measures in fresh
//! processes so that each peak memory (VmHWM) is the measured work's own:
//! 1. snapshot load, full-catalogue evaluation (households per second on one core), what-if;
//! 2. `shouwang screen` end to end, twice (the second run finds nothing changed).

use crate::screen_cmd::{demo_ledger, peak_rss_mib, today, DEMO_LINE_YUAN};
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use shouwang_core::screening::{apply_edits, parse_edit_texts};
use shouwang_core::screening::{evaluate, what_if, Plan};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Fen, RegionCode};
use shouwang_store::audit::Actor;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Clone)]
pub struct BenchScreenArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 100_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 把引擎的命中掩码写成 CSV（户编号,掩码）/ write the engine's hit masks as CSV (for the DuckDB check)
    #[arg(long)]
    pub masks: Option<PathBuf>,
    /// 改用 PostgreSQL（需为空库）/ benchmark on this PostgreSQL database instead (must be empty)
    #[arg(long)]
    pub postgres: Option<String>,
    #[arg(long, value_enum, default_value_t = Phase::All, hide = true)]
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    All,
    Measure,
}

const COUNTY: &str = "510821";
pub(crate) const CHUNK: usize = 50_000;

fn db_path(dir: &Path) -> PathBuf {
    dir.join("bench-screen.sqlite")
}

pub fn run(args: BenchScreenArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-screen-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = db_path(&dir);
    let url = match &args.postgres {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", db.display()),
    };
    if args.phase == Phase::Measure {
        return measure(&url, args.masks.as_deref());
    }
    if args.postgres.is_some() {
        if !args.reuse {
            build(&url, args.households)?;
        }
    } else if !(args.reuse && db.exists()) {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        build(&url, args.households)?;
    }
    let exe = std::env::current_exe().context("current executable")?;
    let mut measure_cmd = std::process::Command::new(&exe);
    measure_cmd
        .arg("--database-url")
        .arg(&url)
        .args(["bench", "screen", "--phase", "measure", "--dir"])
        .arg(&dir);
    if let Some(u) = &args.postgres {
        measure_cmd.arg("--postgres").arg(u);
    }
    if let Some(m) = &args.masks {
        measure_cmd.arg("--masks").arg(m);
    }
    let status = measure_cmd.status()?;
    if !status.success() {
        bail!("measurement failed: {status}");
    }
    for pass in ["first run", "second run (unchanged data)"] {
        println!("== shouwang screen, {pass}");
        let t = Instant::now();
        let status = std::process::Command::new(&exe)
            .arg("--database-url")
            .arg(&url)
            .args(["screen", "--region", COUNTY, "--actor", "bench"])
            .status()?;
        if !status.success() {
            bail!("screen failed: {status}");
        }
        println!("   wall time {:.2} s", t.elapsed().as_secs_f64());
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Builds the benchmark county in chunks so that memory stays flat: each chunk of 50,000
/// households gets its own seed, household numbers (a two-digit chunk number after the village
/// code) and ID-number area code, so nothing collides across chunks.
pub(crate) fn build(url: &str, households: usize) -> Result<()> {
    let started = Instant::now();
    let store = crate::open(url)?;
    store.import_regions(shouwang_io::regions::demo_regions()?)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    let villages: Vec<SynthVillage> = store
        .villages_of(&county)?
        .into_iter()
        .map(|code| SynthVillage {
            code,
            resettlement_site: None,
        })
        .collect();
    let today = today();
    let line = Fen::from_yuan(DEMO_LINE_YUAN);
    for y in [today.year() - 1, today.year()] {
        let s = Standard::provincial(y, RegionCode::parse("51").context("province")?, line);
        store
            .save_standard(&Actor::system("bench"), &s)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let chunks = households.div_ceil(CHUNK);
    if chunks > 99 {
        bail!("at most 4,950,000 households");
    }
    let mut persons = 0usize;
    for c in 0..chunks {
        let n = CHUNK.min(households - c * CHUNK);
        let area = RegionCode::parse(&format!("5108{:02}", 21 + c)).context("area code")?;
        let mut data = generate(
            &SynthConfig {
                households: n,
                seed: 42 + c as u64,
                today,
                county: area,
            },
            &villages,
        );
        for (h, _) in &mut data {
            let (village, rest) = h.household_no.split_at(12.min(h.household_no.len()));
            h.household_no = format!("{village}{c:02}{rest}");
        }
        persons += data.iter().map(|(_, m)| m.len()).sum::<usize>();
        store.bulk_load(&Actor::system("bench"), &data, "bench.generate")?;
        let (incomes, guarantees) = demo_ledger(&data, 42 + c as u64, today, line);
        store.bulk_ledger(
            &Actor::system("bench"),
            &incomes,
            &guarantees,
            "bench.ledger",
        )?;
        print!(
            "\rbuilding: {} / {households} households, {persons} persons, {:.0} s",
            c * CHUNK + n,
            started.elapsed().as_secs_f64()
        );
        std::io::stdout().flush()?;
    }
    println!();
    println!(
        "built {households} households / {persons} persons with incomes and flags in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        store.label
    );
    Ok(())
}

fn measure(url: &str, masks_out: Option<&Path>) -> Result<()> {
    let store = crate::open(url)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    let today = today();
    let t = Instant::now();
    let loaded = store
        .load_snapshot(&county, today.year(), today)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let load = t.elapsed().as_secs_f64();
    let n = loaded.snapshot.len();
    println!(
        "snapshot load            {load:.2} s  ({n} households, {} persons)",
        loaded.snapshot.persons()
    );
    let plan =
        Plan::compile(&loaded.rules, &loaded.standard).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let mut masks = Vec::new();
    let mut best = f64::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        plan.masks_into(&loaded.snapshot, &mut masks);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "evaluation (13 rules)    {:.1} ms  ({:.1} M households/s on one core, best of 10)",
        best * 1000.0,
        n as f64 / best / 1e6
    );
    let t = Instant::now();
    let screening = evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard)
        .map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let summary = screening.summary();
    println!(
        "evaluate + summary       {:.1} ms  (flagged {} households: red {} yellow {} blue {})",
        t.elapsed().as_secs_f64() * 1000.0,
        summary.flagged_households,
        summary.by_level[0],
        summary.by_level[1],
        summary.by_level[2]
    );
    let edits =
        parse_edit_texts(&["line=9200".to_string()]).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let (rules, standard) = apply_edits(&edits, &loaded.rules, &loaded.standard)
        .map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let edited = Plan::compile(&rules, &standard).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let mut best = f64::MAX;
    let mut entering = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let w = what_if(&loaded.snapshot, &plan, &edited);
        best = best.min(t.elapsed().as_secs_f64());
        entering = w.total.entering.households;
    }
    println!(
        "what-if line=9200        {:.1} ms  ({entering} households would enter, best of 5)",
        best * 1000.0
    );
    if let Some(path) = masks_out {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(f, "household_no,mask")?;
        for (i, m) in masks.iter().enumerate() {
            writeln!(f, "{},{m}", loaded.household_no(i))?;
        }
        println!("masks written to {}", path.display());
    }
    println!(
        "peak memory (load + evaluate + what-if) {:.0} MiB",
        peak_rss_mib().unwrap_or(0.0)
    );
    Ok(())
}
