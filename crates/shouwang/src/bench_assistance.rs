//! `shouwang bench assistance`: the assistance pages on a SQLite county of N households
//! (1,000,000 for the figures), each under 30 ms of server time through the real router
//! (routing, session, scope checks, store, HTML): the case page, the plan, the visit form, a
//! household's visits, the village's visit duties, the assistance flags, the monthly task list
//! and the elimination check. A page this build does not have (404) is reported as not built.
//!
//! The county is built as `shouwang bench screen` builds it (kept with `--dir`, reused with
//! `--reuse`), chunk by chunk; each chunk's households are made again from their seed to give
//! the chunk its monitoring cases ([`shouwang_core::synth::records`], by [`Store::bulk_cases`])
//! and its assistance ([`shouwang_core::synth::assistance`], by [`Store::bulk_assistance`],
//! whose speed is reported).
//!
//! [`Store::bulk_cases`]: shouwang_store::Store::bulk_cases
//! [`Store::bulk_assistance`]: shouwang_store::Store::bulk_assistance

use crate::bench_screen::{build, CHUNK};
use crate::screen_cmd::DEMO_LINE_YUAN;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use clap::Args;
use http_body_util::BodyExt;
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::synth::{assistance, generate, records, Rng, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const COUNTY: &str = "510821";

#[derive(Args, Clone)]
pub struct BenchAssistArgs {
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

fn report(name: &str, mut times: Vec<Duration>, target_ms: f64, size: usize) {
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "{name:<42} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms  {:>6.1} KB  {}",
        percentile(&times, 0.5),
        p95,
        percentile(&times, 1.0),
        size as f64 / 1024.0,
        if p95 < target_ms {
            format!("< {target_ms} ms ok")
        } else {
            format!("MISSED {target_ms} ms")
        }
    );
}

/// What seeding wrote.
pub(crate) struct Seeded {
    pub cases: usize,
    pub rows: usize,
    visits: usize,
    /// seconds in the bulk loader alone
    load: f64,
    pub seconds: f64,
}

/// Gives every chunk of the benchmark county its cases and assistance, as the county was built
/// ([`build`]: chunk `c` of [`CHUNK`] households from seed 42 + c, its household numbers with
/// the chunk number after the village code).
pub(crate) fn seed(store: &Store, households: usize, today: Date) -> Result<Seeded> {
    seed_with(store, households, today, |_| Ok(()))
}

/// [`seed`], handing each chunk's households to `more` once its assistance is loaded (a bench
/// that needs more of the county, leads say, adds them there).
pub(crate) fn seed_with(
    store: &Store,
    households: usize,
    today: Date,
    mut more: impl FnMut(&[(Household, Vec<Member>)]) -> Result<()>,
) -> Result<Seeded> {
    let started = Instant::now();
    let county = RegionCode::parse(COUNTY).context("county")?;
    let villages: Vec<SynthVillage> = store
        .villages_of(&county)?
        .into_iter()
        .map(|code| SynthVillage {
            code,
            resettlement_site: None,
        })
        .collect();
    let line = Fen::from_yuan(DEMO_LINE_YUAN);
    let mut out = Seeded {
        cases: 0,
        rows: 0,
        visits: 0,
        load: 0.0,
        seconds: 0.0,
    };
    for c in 0..households.div_ceil(CHUNK) {
        let n = CHUNK.min(households - c * CHUNK);
        let area = RegionCode::parse(&format!("5108{:02}", 21 + c)).context("area code")?;
        let seed = 42 + c as u64;
        let mut data = generate(
            &SynthConfig {
                households: n,
                seed,
                today,
                county: area,
            },
            &villages,
        );
        for (h, _) in &mut data {
            let (village, rest) = h.household_no.split_at(12.min(h.household_no.len()));
            h.household_no = format!("{village}{c:02}{rest}");
        }
        let r = records(&data, seed, today, line);
        let cases: Vec<_> = r.cases.iter().map(|(_, c)| c.clone()).collect();
        store.bulk_cases(
            &Actor::system("bench"),
            &county,
            &cases,
            today,
            "bench.cases",
        )?;
        out.cases += cases.len();
        let a = assistance(&data, &r, seed, today, "旺苍县");
        let t = Instant::now();
        out.rows +=
            store.bulk_assistance(&Actor::system("bench"), &county, &a, "bench.assistance")?;
        out.load += t.elapsed().as_secs_f64();
        out.visits += a.visits.len();
        more(&data)?;
        print!(
            "\rassistance: {} / {households} households, {} rows, {:.0} s",
            c * CHUNK + n,
            out.rows,
            started.elapsed().as_secs_f64()
        );
        std::io::stdout().flush()?;
    }
    println!();
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// What the pages are timed on: the village with the most plans, its cases (open ones first)
/// and its paired households.
struct Sample {
    village: String,
    open_cases: Vec<i64>,
    cases: Vec<i64>,
    households: Vec<String>,
}

fn sample(db: &std::path::Path) -> Result<Sample> {
    let c = rusqlite::Connection::open(db)?;
    let village: String = c.query_row(
        "SELECT village FROM assistance_plans GROUP BY village ORDER BY COUNT(*) DESC, village LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let ids = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>> {
        let mut s = c.prepare(sql)?;
        let rows = s.query_map(p, |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<i64>, _>>()?)
    };
    let open_cases = ids(
        "SELECT p.case_id FROM assistance_plans p JOIN monitoring_cases m ON m.id = p.case_id
         WHERE p.village = ?1 AND m.status = ?2",
        &[&village, &CaseStatus::AtRisk.code()],
    )?;
    let cases = ids(
        "SELECT case_id FROM assistance_plans WHERE village = ?1",
        &[&village],
    )?;
    let households = {
        let mut s = c.prepare(
            "SELECT DISTINCT household_no FROM assistance_pairings WHERE village = ?1 AND end_on IS NULL",
        )?;
        let rows = s.query_map([&village], |r| r.get(0))?;
        rows.collect::<Result<Vec<String>, _>>()?
    };
    anyhow::ensure!(
        !open_cases.is_empty() && !households.is_empty(),
        "no open case in {village}"
    );
    Ok(Sample {
        village,
        open_cases,
        cases,
        households,
    })
}

pub fn run(args: BenchAssistArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-assist-{}", std::process::id())),
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
        let s = seed(&store, args.households, today)?;
        println!(
            "seeded {} cases and {} assistance rows ({} visits) in {:.1} s; the bulk loader: {:.1} s, {:.0} rows/s",
            s.cases,
            s.rows,
            s.visits,
            s.seconds,
            s.load,
            s.rows as f64 / s.load.max(1e-9)
        );
    } else {
        println!("reusing the assistance already in {}", db.display());
    }
    let a = store.assistance_counts(&county)?;
    println!(
        "county: {} assistance persons, {} family doctors, {} pairings ({} current), {} plans, {} measures, {} visits",
        a.persons, a.doctors, a.pairings, a.current_pairings, a.plans, a.measures, a.visits
    );
    let s = sample(&db)?;
    let village = s.village.clone();
    let township = village[..9].to_string();
    println!(
        "village {village}: {} cases ({} open), {} paired households",
        s.cases.len(),
        s.open_cases.len(),
        s.households.len()
    );
    let pid = std::process::id();
    let sessions = [
        ("county", COUNTY.to_string()),
        ("township", township.clone()),
        ("village", village.clone()),
    ]
    .into_iter()
    .map(|(role, region)| {
        crate::bench::bench_session(&store, &format!("bench-{role}-{pid}"), role, &region)
    })
    .collect::<Result<Vec<_>>>()?;
    let (county_s, town_s, vill_s) = (&sessions[0], &sessions[1], &sessions[2]);
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let repeat = args.repeat.max(1);
    let mut rng = Rng::new(14);
    let mut pick = |items: &[String]| -> Vec<String> {
        (0..repeat).map(|_| rng.pick(items).clone()).collect()
    };
    let open: Vec<String> = s.open_cases.iter().map(|i| i.to_string()).collect();
    let all: Vec<String> = s.cases.iter().map(|i| i.to_string()).collect();
    let case_pages = pick(&all)
        .into_iter()
        .map(|id| format!("/cases/{id}"))
        .collect::<Vec<_>>();
    let plan_pages = pick(&all)
        .into_iter()
        .map(|id| format!("/cases/{id}/plan"))
        .collect::<Vec<_>>();
    let elimination_pages = pick(&open)
        .into_iter()
        .map(|id| format!("/cases/{id}/elimination"))
        .collect::<Vec<_>>();
    let households = pick(&s.households);
    let visit_forms: Vec<String> = households
        .iter()
        .map(|h| format!("/visits/new?household={h}"))
        .collect();
    let household_pages: Vec<String> = households
        .iter()
        .map(|h| format!("/households/{h}"))
        .collect();
    runtime.block_on(async {
        let get = |cookie: &str, uri: String| {
            let app = app.clone();
            let cookie = cookie.to_string();
            async move {
                let req = Request::get(&uri)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())?;
                let t = Instant::now();
                let resp = app.oneshot(req).await?;
                let status = resp.status();
                let bytes = resp.into_body().collect().await?.to_bytes();
                Ok::<_, anyhow::Error>((status, t.elapsed(), bytes.len()))
            }
        };
        let time = |name: &'static str, cookie: &str, uris: Vec<String>, target: f64| {
            let get = &get;
            let cookie = cookie.to_string();
            async move {
                let mut times = Vec::new();
                let mut size = 0;
                for i in 0..repeat {
                    let uri = &uris[i % uris.len()];
                    let (status, t, bytes) = get(&cookie, uri.clone()).await?;
                    if status == StatusCode::NOT_FOUND {
                        println!("{name:<42} not built (404 on {uri})");
                        return Ok(());
                    }
                    if !status.is_success() {
                        println!("{name:<42} answered {status} on {uri}");
                        return Ok(());
                    }
                    times.push(t);
                    size = size.max(bytes);
                }
                report(name, times, target, size);
                Ok::<_, anyhow::Error>(())
            }
        };
        let one = |u: String| vec![u];
        println!("== the assistance pages (target < 30 ms server time), HTML");
        time("village: case page", vill_s, case_pages.clone(), 30.0).await?;
        time("county: case page", county_s, case_pages, 30.0).await?;
        time("village: plan page", vill_s, plan_pages, 30.0).await?;
        time("village: visit form", vill_s, visit_forms, 30.0).await?;
        // the household page carries the household's visits, pairings and the visit button
        time("village: household page", vill_s, household_pages, 30.0).await?;
        time(
            "village: visit duties",
            vill_s,
            one(format!("/visits/duties?region={village}")),
            30.0,
        )
        .await?;
        time(
            "township: visit duties",
            town_s,
            one(format!("/visits/duties?region={township}")),
            30.0,
        )
        .await?;
        time(
            "village: assistance flags",
            vill_s,
            one(format!("/assistance/flags?region={village}")),
            30.0,
        )
        .await?;
        time(
            "county: assistance flags",
            county_s,
            one(format!("/assistance/flags?region={COUNTY}")),
            30.0,
        )
        .await?;
        time(
            "village: task list",
            vill_s,
            one(format!("/tasks?village={village}")),
            30.0,
        )
        .await?;
        time(
            "village: elimination check",
            vill_s,
            elimination_pages,
            30.0,
        )
        .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    if args.dir.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
