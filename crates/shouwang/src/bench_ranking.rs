//! `shouwang bench ranking`: the supervision tables (§2) and the monthly ranking (§5) of a
//! county at realistic size — N households (100,000 by default: a large county of some 300,000
//! persons) with their monitoring cases, plans, measures, pairings and four months of visits
//! (as `shouwang bench assistance` seeds them) and a lead for one household in twenty — on
//! SQLite (or PostgreSQL with `--postgres`). Times each table for the county and for one
//! township, the ranking computed live (the current month), its first read after the month
//! ended (computed and frozen) and a frozen read, through the same use cases the pages call.

use crate::bench_screen::build;
use anyhow::{Context, Result};
use clap::Args;
use shouwang_app::supervision::{self as sup, TableQuery};
use shouwang_core::date::YearMonth;
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::supervision::tables::{shift, TableKind};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::Store;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const COUNTY: &str = "510821";

#[derive(Args, Clone)]
pub struct BenchRankingArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 100_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// PostgreSQL 地址（省略则用 SQLite）/ a PostgreSQL URL (SQLite if omitted)
    #[arg(long)]
    pub postgres: Option<String>,
    /// 每项重复次数 / repetitions per measurement
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time<T>(name: &str, repeat: usize, mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name:<44} p50={:>9.1} ms  max={:>9.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    last.context("no run")
}

/// Cases and assistance as `bench assistance` gives them, and a lead for one household in twenty
/// of every chunk, found over the last three months, some overdue.
fn seed(store: &Store, households: usize, today: Date) -> Result<()> {
    let started = Instant::now();
    let actor = Actor::system("bench");
    let mut leads = 0usize;
    crate::bench_assistance::seed_with(store, households, today, |data| {
        for (i, (h, _)) in data.iter().enumerate().step_by(20) {
            let found = today.add_days(-((i as i64 * 7) % 90));
            let source = LeadSource::ALL[(i / 20) % LeadSource::ALL.len()];
            let lead = NewLead {
                household_no: h.household_no.clone(),
                risk: RiskType::ALL[i % RiskType::ALL.len()],
                level: WarningLevel::ALL[i % WarningLevel::ALL.len()],
                source,
                found_on: found,
                due_on: found.add_days(10),
                note: "bench".into(),
            };
            if store.raise_lead(&actor, &lead).is_ok() {
                leads += 1;
            }
        }
        Ok(())
    })?;
    println!(
        "seeded cases, assistance and {leads} leads in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn run(args: BenchRankingArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-ranking-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-ranking.sqlite");
    let url = match &args.postgres {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", db.display()),
    };
    let today = crate::screen_cmd::today();
    let fresh = match &args.postgres {
        Some(_) => !args.reuse,
        None => !(args.reuse && db.exists()),
    };
    if fresh {
        if args.postgres.is_none() {
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db.display()));
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
        }
        build(&url, args.households)?;
        let store = crate::open(&url)?;
        seed(&store, args.households, today)?;
    }
    let store = crate::open(&url)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    let township = store
        .townships_named(&county)?
        .into_iter()
        .next()
        .and_then(|(c, _)| RegionCode::parse(&c))
        .context("a township")?;
    let counts = store.assistance_counts(&county)?;
    println!(
        "{} households, {} plans, {} measures, {} visits ({}); today {today}",
        args.households,
        counts.plans,
        counts.measures,
        counts.visits,
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    for (label, region) in [("county", &county), ("township", &township)] {
        for kind in TableKind::ALL {
            let q = TableQuery {
                region: region.clone(),
                today,
                from: None,
                to: None,
                en: false,
            };
            let g = time(
                &format!("{label} table {}", kind.slug()),
                args.repeat,
                || Ok(sup::table(&store, kind, &q)?),
            )?;
            let _ = g.rows.len();
        }
    }
    let this = YearMonth::of(today);
    let actor = Actor::system("bench");
    for (label, region) in [("county", &county), ("township", &township)] {
        let r = time(
            &format!("{label} ranking, current month"),
            args.repeat,
            || Ok(sup::ranking(&store, &actor, region, this, today)?),
        )?;
        println!("  {} villages ranked", r.ranking.villages.len());
        // an ended month never read before: computed and frozen on the first read
        let past = shift(this, -1).context("last month")?;
        let first_read = if store.frozen_ranking(region, past)?.is_none() {
            Some(time(
                &format!("{label} ranking, first read of last month"),
                1,
                || Ok(sup::ranking(&store, &actor, region, past, today)?),
            )?)
        } else {
            None
        };
        let _ = first_read;
        time(
            &format!("{label} ranking, frozen month"),
            args.repeat,
            || Ok(sup::ranking(&store, &actor, region, past, today)?),
        )?;
        let grid = sup::ranking_grid(&r.ranking, false, false);
        let head = sup::head(&grid, "旺苍县", region, "bench", false);
        time(&format!("{label} ranking export xlsx"), args.repeat, || {
            sup::export(&grid, &head, shouwang_io::table::TableFormat::Xlsx)
                .map_err(anyhow::Error::msg)
        })?;
    }
    Ok(())
}
