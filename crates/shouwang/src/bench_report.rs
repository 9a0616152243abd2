//! `shouwang bench report`: the monitoring statistics (issue 16) on a synthetic province of
//! about 10,000,000 persons (100 counties of 100,000) and on one of its counties, today and a
//! year back (`--as-of`), side by side with a naive anchor (cases joined to their current
//! members and grouped, knowing nothing of dates). The province is written by the database
//! itself (see `Store::fill_synthetic_province`), once; `--reuse` measures it again.

use anyhow::{Context, Result};
use clap::Args;
use shouwang_core::statistics::Query;
use shouwang_core::{Date, RegionCode};
use shouwang_store::statistics::SyntheticProvince;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct BenchReportArgs {
    /// 县数（每县 10 乡镇 × 10 村）/ counties (10 townships of 10 villages each)
    #[arg(long, default_value_t = 100)]
    pub counties: usize,
    /// 每村户数（平均 3.5 人）/ households per village (3.5 persons on average)
    #[arg(long, default_value_t = 286)]
    pub households_per_village: usize,
    /// 每多少户有一户监测对象 / one household in this many is a monitoring case
    #[arg(long, default_value_t = 20)]
    pub case_every: usize,
    /// 数据目录（SQLite 测试库保留于此）/ data directory (the SQLite database is kept there)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 改用 PostgreSQL（须为空库）/ benchmark on this PostgreSQL database instead (must be empty)
    #[arg(long)]
    pub postgres: Option<String>,
    /// 测试库已建好则直接使用 / use the database already built
    #[arg(long)]
    pub reuse: bool,
    /// 每项重复次数 / runs per measurement
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (first run, median, best) of `repeat` runs of `f`, in ms.
fn time<T>(repeat: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, f64, f64, T)> {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(f()?);
        times.push(ms(t.elapsed()));
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    Ok((
        first,
        times[times.len() / 2],
        times[0],
        last.context("a run")?,
    ))
}

pub fn run(args: BenchReportArgs) -> Result<()> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("shouwang-bench-report"));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("bench-report-{}.sqlite", args.counties));
    let url = match &args.postgres {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", db.display()),
    };
    let spec = SyntheticProvince {
        counties: args.counties,
        households_per_village: args.households_per_village,
        case_every: args.case_every,
    };
    if !args.reuse && args.postgres.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    let store = crate::open(&url)?;
    let label = if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    if !args.reuse {
        let t = Instant::now();
        let (households, persons, cases) = store.fill_synthetic_province(&spec)?;
        println!(
            "built {households} households / {persons} persons / {cases} cases in {:.0} s ({label})",
            t.elapsed().as_secs_f64()
        );
    }
    let today = Date::from_unix_seconds_china(shouwang_store::now());
    let year_back = today.add_days(-365);
    let county = spec.county_codes().first().cloned().context("a county")?;
    let mut regions = vec![(county.clone(), "county")];
    if args.counties > 1 {
        regions.insert(0, ("51".to_string(), "province"));
    }
    println!(
        "{label}: {} counties; first / median / best of {} runs, ms",
        args.counties, args.repeat
    );
    for (code, what) in regions {
        let region = RegionCode::parse(&code).context("region")?;
        for (as_of, when) in [(today, "today"), (year_back, "--as-of a year back")] {
            let q = Query::new(region.clone(), Some(as_of), None, None, today)
                .map_err(|p| anyhow::anyhow!("{p}"))?;
            let (first, median, best, report) = time(args.repeat, || {
                Ok(shouwang_app::statistics::monitoring(&store, q.clone())?)
            })?;
            let all = report
                .table
                .total
                .get(shouwang_core::statistics::Category::All, None);
            println!(
                "{what:<8} {code:<6} {when:<20} statistics  {first:>8.1} {median:>8.1} {best:>8.1}   ({} households, {} persons, {} rows)",
                all.households,
                all.persons,
                report.table.areas.len()
            );
        }
        let q = Query::new(region.clone(), Some(today), None, None, today)
            .map_err(|p| anyhow::anyhow!("{p}"))?;
        let (first, median, best, rows) =
            time(args.repeat, || Ok(store.monitoring_naive_counts(&q)?))?;
        let households: i64 = rows.iter().map(|r| r.4).sum();
        println!(
            "{what:<8} {code:<6} {:<20} naive join  {first:>8.1} {median:>8.1} {best:>8.1}   ({households} households, today only)",
            "today"
        );
    }
    Ok(())
}
