//! `shouwang bench quality`: the whole data-quality catalogue over a county of about a million
//! persons (301,000 synthetic households) in under 20 s: the facts streamed village by village
//! from the store, every rule evaluated, exemptions applied, the counts per rule and village.
//!
//! The county is built as `shouwang bench screen` builds it (households, incomes, 三保障 flags;
//! kept with `--dir`, reused with `--reuse`), then each chunk gets its monitoring cases and its
//! assistance (pairings, plans, measures) as `shouwang bench assistance` gives them. The run is
//! timed `--repeat` times; the store's streaming alone is timed beside it (the anchor: reading
//! without checking), and a naive anchor evaluates after collecting every household first.

use crate::bench_screen::build;
use crate::screen_cmd::peak_rss_mib;
use anyhow::{Context, Result};
use clap::Args;
use shouwang_core::quality::{Checker, Limits};
use shouwang_core::RegionCode;
use std::path::PathBuf;
use std::time::Instant;

const COUNTY: &str = "510821";

#[derive(Args, Clone)]
pub struct BenchQualityArgs {
    /// 测试库户数（约 3.3 人/户）/ households in the benchmark database (about 3.3 persons each)
    #[arg(long, default_value_t = 301_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 改用 PostgreSQL（需为空库）/ benchmark on this PostgreSQL database instead (must be empty)
    #[arg(long)]
    pub postgres: Option<String>,
    /// 重复次数 / runs
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
}

pub fn run(args: BenchQualityArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-quality-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-quality.sqlite");
    let url = match &args.postgres {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", db.display()),
    };
    let today = crate::screen_cmd::today();
    let fresh = args.postgres.is_none() && !(args.reuse && db.exists());
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
    }
    let store = crate::open(&url)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    if store.quality_counties()?.is_empty() {
        let t = Instant::now();
        build(&url, args.households)?;
        // the cases and assistance of `bench assistance`
        crate::bench_assistance::seed(&store, args.households, today)?;
        println!("built in {:.1} s", t.elapsed().as_secs_f64());
    } else {
        println!("reusing the county in {}", store.label);
    }
    // the anchor: the store's stream alone, every household read and dropped
    let t = Instant::now();
    let (mut households, mut persons) = (0u64, 0u64);
    store.quality_facts(&county, today, |h| {
        households += 1;
        persons += h.members.len() as u64;
        Ok(())
    })?;
    let stream = t.elapsed().as_secs_f64();
    println!("stream only (read every household's facts): {stream:.2} s, {households} households, {persons} persons");
    // a naive anchor: every household collected first, then checked
    let t = Instant::now();
    let mut all = Vec::new();
    store.quality_facts(&county, today, |h| {
        all.push(h);
        Ok(())
    })?;
    let mut checker = Checker::new(today, Limits::default());
    let mut findings = Vec::new();
    for h in &all {
        checker.check(h, &mut findings);
    }
    let naive = t.elapsed().as_secs_f64();
    drop(all);
    println!(
        "collect all, then check: {naive:.2} s, {} findings, peak {:.0} MiB",
        findings.len(),
        peak_rss_mib().unwrap_or(0.0)
    );
    drop(findings);
    let mut times = Vec::new();
    for i in 0..args.repeat.max(1) {
        let t = Instant::now();
        let run = shouwang_app::quality::run(&store, &county, today)?;
        let s = t.elapsed().as_secs_f64();
        times.push(s);
        let rules = run.by_rule().iter().filter(|c| c.open > 0).count();
        println!(
            "run {}: full catalogue ({} rules) over {} households / {} persons: {s:.2} s, {} findings to fix on {rules} rules, {} villages — {}",
            i + 1,
            shouwang_core::quality::Rule::ALL.len(),
            run.households,
            run.persons,
            run.open(),
            run.village_households.len(),
            if s < 20.0 { "< 20 s ok" } else { "MISSED 20 s" }
        );
    }
    times.sort_by(f64::total_cmp);
    println!(
        "best {:.2} s, median {:.2} s, peak memory {:.0} MiB ({})",
        times[0],
        times[times.len() / 2],
        peak_rss_mib().unwrap_or(0.0),
        store.label
    );
    if args.dir.is_none() && args.postgres.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
