//! `shouwang bench home`: each role's first page (首页) on a SQLite county of N households
//! (1,000,000 for the figure), under 100 ms of server time through the real router
//! (routing, session, scope checks, store, template), as a browser would hit it.
//!
//! The county is the one `shouwang bench assistance` builds (households, monitoring cases, plans,
//! measures, pairings and visits; kept with `--dir`, reused with `--reuse`); this bench adds a
//! screening run (the warnings by level) when the county has none, and the users: an admin, a
//! county officer, a township officer and a village cadre of the busiest village, an assistance
//! person signed in as the county's most-paired 帮扶责任人, and an inspector.

use crate::bench_screen::build;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Request};
use clap::Args;
use http_body_util::BodyExt;
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const COUNTY: &str = "510821";

#[derive(Args, Clone)]
pub struct BenchHomeArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 1_000_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 每页请求次数 / requests per page
    #[arg(long, default_value_t = 30)]
    pub repeat: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

pub fn run(args: BenchHomeArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-home-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-assist.sqlite");
    let url = format!("sqlite://{}", db.display());
    if !(args.reuse && db.exists()) {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        build(&url, args.households)?;
    }
    let today = crate::screen_cmd::today();
    let store = crate::open(&url)?;
    let county = RegionCode::parse(COUNTY).context("county")?;
    if store.assistance_counts(&county)?.plans == 0 {
        let s = crate::bench_assistance::seed(&store, args.households, today)?;
        println!(
            "seeded {} cases and {} assistance rows in {:.1} s",
            s.cases, s.rows, s.seconds
        );
    }
    if store.warning_totals(&county)?.is_none() {
        let t = Instant::now();
        let run = shouwang_app::screening::run(
            &store,
            &county,
            today.year(),
            today,
            &Actor::system("bench"),
        )?;
        println!(
            "screened: {} households flagged in {:.1} s",
            run.outcome.summary.flagged_households,
            t.elapsed().as_secs_f64()
        );
    }
    let (households, persons) = store.count_in(&county)?;
    println!("county {COUNTY}: {households} households, {persons} persons");

    // the busiest village (most plans) and the most-paired assistance person
    let (village, person) = {
        let c = rusqlite::Connection::open(&db)?;
        let village: String = c.query_row(
            "SELECT village FROM assistance_plans GROUP BY village ORDER BY COUNT(*) DESC, village LIMIT 1",
            [],
            |r| r.get(0),
        )?;
        let person: i64 = c.query_row(
            "SELECT person_id FROM assistance_pairings WHERE end_on IS NULL
             GROUP BY person_id ORDER BY COUNT(*) DESC, person_id LIMIT 1",
            [],
            |r| r.get(0),
        )?;
        (village, person)
    };
    let township = village[..9].to_string();
    let pid = std::process::id();
    let helper_name = format!("bench-helper-{pid}");
    let roles: [(&str, &str, String); 6] = [
        ("admin", "admin", COUNTY.to_string()),
        ("county", "county", COUNTY.to_string()),
        ("township", "township", township.clone()),
        ("village", "village", village.clone()),
        ("assistance person", "assistance", village.clone()),
        ("inspector", "inspector", COUNTY.to_string()),
    ];
    let mut sessions = Vec::new();
    for (label, role, region) in &roles {
        let name = if *role == "assistance" {
            helper_name.clone()
        } else {
            format!("bench-home-{role}-{pid}")
        };
        sessions.push((
            *label,
            crate::bench::bench_session(&store, &name, role, region)?,
        ));
    }
    {
        // the assistance person signs in as the most-paired person of the county
        let c = rusqlite::Connection::open(&db)?;
        c.execute(
            "UPDATE assistance_persons SET username = ?1 WHERE id = ?2",
            rusqlite::params![helper_name, person],
        )?;
        let paired: i64 = c.query_row(
            "SELECT COUNT(*) FROM assistance_pairings WHERE person_id = ?1 AND end_on IS NULL",
            [person],
            |r| r.get(0),
        )?;
        println!("village {village}; assistance person {person} with {paired} households");
    }
    // side by side: the reads of the home page as it was before issue 16 (region, households and
    // persons, the last screening's warnings, the identification counts, a village's task list;
    // an assistance person's paired households), and the new page's reads, cold (counting the
    // county's households and persons) and warm (kept for a few minutes)
    let repeat = args.repeat.max(1);
    let soon = today.add_days(2);
    println!("== the reads alone, before (the page before issue 16) and after");
    for ((label, role, region), (_, _)) in roles.iter().zip(&sessions) {
        let region = RegionCode::parse(region).context("region")?;
        let user_id = store
            .user_by_name(&if *role == "assistance" {
                helper_name.clone()
            } else {
                format!("bench-home-{role}-{pid}")
            })?
            .context("bench user")?
            .id;
        let paired_only = *role == "assistance";
        let village = region.level() == shouwang_core::region::RegionLevel::Village;
        let mut before = Vec::new();
        for _ in 0..repeat {
            let t = Instant::now();
            store.region(&region)?;
            if paired_only {
                store.paired_households(user_id)?;
            } else {
                store.count_in(&region)?;
                store.warning_totals(&region)?;
                store.identification_counts(&region, today, soon)?;
                if village {
                    shouwang_app::task_list::current(
                        &store,
                        &region,
                        shouwang_core::date::YearMonth::of(today),
                    )?;
                }
            }
            before.push(t.elapsed());
        }
        let ask = shouwang_app::dashboard::HomeAsk {
            region: region.clone(),
            user_id,
            today,
            soon,
            paired_only,
            figures: !paired_only,
            warnings: !paired_only,
            work: !paired_only,
            task_list: !paired_only && village,
            village_lists: !paired_only && !village && *role != "admin" && *role != "inspector",
            self_reports: matches!(*role, "county" | "township" | "village"),
            dept_alerts: matches!(*role, "county" | "township"),
            months: 12,
        };
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        let kept = shouwang_app::dashboard::HeadCounts::default();
        for _ in 0..repeat {
            let fresh = shouwang_app::dashboard::HeadCounts::default();
            let t = Instant::now();
            shouwang_app::dashboard::home(&store, &fresh, &ask)?;
            cold.push(t.elapsed());
            let t = Instant::now();
            shouwang_app::dashboard::home(&store, &kept, &ask)?;
            warm.push(t.elapsed());
        }
        for v in [&mut before, &mut cold, &mut warm] {
            v.sort();
        }
        println!(
            "{:<24} before p50={:>7.2} p95={:>7.2} ms | after, counting p50={:>7.2} p95={:>7.2} ms | after, counts kept p50={:>7.2} p95={:>7.2} ms",
            format!("{label}:"),
            percentile(&before, 0.5),
            percentile(&before, 0.95),
            percentile(&cold, 0.5),
            percentile(&cold, 0.95),
            percentile(&warm, 0.5),
            percentile(&warm, 0.95),
        );
    }
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("== each role's first page through the router (target < 100 ms server time), HTML; the first request counts the county");
    runtime.block_on(async {
        for (label, cookie) in &sessions {
            let mut times = Vec::new();
            let mut size = 0;
            let mut first = None;
            for _ in 0..repeat {
                let req = Request::get("/")
                    .header(header::COOKIE, cookie.clone())
                    .body(Body::empty())?;
                let t = Instant::now();
                let resp = app.clone().oneshot(req).await?;
                let status = resp.status();
                let bytes = resp.into_body().collect().await?.to_bytes();
                first.get_or_insert(t.elapsed());
                times.push(t.elapsed());
                anyhow::ensure!(status.is_success(), "{label}: {status}");
                size = size.max(bytes.len());
            }
            times.sort();
            let p95 = percentile(&times, 0.95);
            println!(
                "{:<24} first={:>7.2} ms  p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms  {:>6.1} KB  {}",
                format!("{label}: home"),
                first.map_or(0.0, |d| d.as_secs_f64() * 1000.0),
                percentile(&times, 0.5),
                p95,
                percentile(&times, 1.0),
                size as f64 / 1024.0,
                if p95 < 100.0 {
                    "< 100 ms ok"
                } else {
                    "MISSED 100 ms"
                }
            );
        }
        Ok::<_, anyhow::Error>(())
    })?;
    if args.dir.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
