//! `shouwang bench`: the registry's speed targets on realistic synthetic data.
//! Builds a SQLite county of N households, then times the household page and search through
//! the real router (routing, session, scope checks, store, template), as a browser would hit it.

use crate::cli::BenchArgs;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use shouwang_core::synth::Rng;
use shouwang_core::{Date, RegionCode};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted
        .get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<28} n={:<5} p50={:.2} ms  p95={:.2} ms  max={:.2} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
}

pub fn run(args: BenchArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.sqlite");
    let _ = std::fs::remove_file(&db);
    let store = crate::open(&format!("sqlite://{}", db.display()))?;
    let started = Instant::now();
    let today = Date::from_unix_seconds_china(shouwang_store::now());
    let (households, persons) = crate::demo::build(&store, args.households, 42, today)?;
    println!(
        "built {households} households / {persons} persons in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        db.display()
    );

    let user_id = crate::add_user_quiet(
        &store,
        "bench",
        "county",
        "510821",
        "bench",
        "bench-password",
    )?;
    let user = store
        .users()?
        .into_iter()
        .find(|u| u.id == user_id)
        .context("bench user")?;
    let token = shouwang_web::random_token();
    store.login_succeeded(&user, &shouwang_web::auth::token_hash(&token), "csrf")?;
    let cookie = format!("{}={token}", shouwang_web::auth::SESSION_COOKIE);

    // sample real household numbers, names and ID numbers
    let county = RegionCode::parse("510821").context("county")?;
    let (sample, _) = store.households_in(&county, 0, 100_000)?;
    let mut rng = Rng::new(7);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let get = |uri: String| {
        let app = app.clone();
        let cookie = cookie.clone();
        async move {
            let req = Request::get(&uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())?;
            let t = Instant::now();
            let resp = app.oneshot(req).await?;
            let status = resp.status();
            let bytes = resp.into_body().collect().await?.to_bytes();
            let elapsed = t.elapsed();
            anyhow::ensure!(status.is_success(), "{uri}: {status}");
            Ok::<_, anyhow::Error>((elapsed, bytes.len()))
        }
    };
    runtime.block_on(async {
        let mut page = Vec::new();
        let mut size = 0;
        for _ in 0..args.repeat {
            let h = rng.pick(&sample);
            let (t, n) = get(format!("/households/{}", h.household_no)).await?;
            page.push(t);
            size = n;
        }
        report("household page (HTML)", page);
        println!("{:<28} {size} bytes", "  page size");
        let mut by_name = Vec::new();
        let mut by_id = Vec::new();
        let mut by_no = Vec::new();
        for _ in 0..args.repeat {
            let h = rng.pick(&sample);
            let name: String = h.head_name.clone();
            by_name.push(get(format!("/search?q={}", urlencode(&name))).await?.0);
            by_id.push(get(format!("/search?q={}", h.head_id)).await?.0);
            by_no.push(get(format!("/search?q={}", h.household_no)).await?.0);
        }
        report("search by name", by_name);
        report("search by ID number", by_id);
        report("search by household no.", by_no);
        let mut village = Vec::new();
        for _ in 0..args.repeat.min(50) {
            let h = rng.pick(&sample);
            village.push(get(format!("/regions/{}", h.village)).await?.0);
        }
        report("village page (tree + list)", village);
        let mut county_page = Vec::new();
        for _ in 0..args.repeat.min(20) {
            county_page.push(get("/regions/510821".to_string()).await?.0);
        }
        report("county page (tree counts)", county_page);
        Ok::<_, anyhow::Error>(())
    })?;
    warnings_pages(
        &store,
        &runtime,
        &get,
        &sample,
        &mut rng,
        args.repeat.min(50),
    )?;
    if args.dir.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// A page's address, drawn afresh each time.
type PageUri<'a> = Box<dyn Fn(&mut Rng) -> String + 'a>;

/// The warnings list after a county run: its first page, a deep page, a level, a rule, a
/// township and a village, and the export of the county's list.
fn warnings_pages<F, Fut>(
    store: &shouwang_store::Store,
    runtime: &tokio::runtime::Runtime,
    get: &F,
    sample: &[shouwang_store::registry::HouseholdListRow],
    rng: &mut Rng,
    repeat: usize,
) -> Result<()>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<(Duration, usize)>>,
{
    let county = RegionCode::parse("510821").context("county")?;
    let today = Date::from_unix_seconds_china(shouwang_store::now());
    let t = Instant::now();
    let run = shouwang_app::screening::run(
        store,
        &county,
        today.year(),
        today,
        &shouwang_store::audit::Actor::system("bench"),
    )?;
    println!(
        "screening run: {} flagged of {} in {:.1} s",
        run.outcome.summary.flagged_households,
        run.outcome.summary.households,
        t.elapsed().as_secs_f64()
    );
    let deep = run.outcome.summary.flagged_households / 50 / 2;
    runtime.block_on(async {
        let township = |h: &shouwang_store::registry::HouseholdListRow| h.village[..9].to_string();
        let pages: Vec<(&str, PageUri)> = vec![
            (
                "warnings, first page",
                Box::new(|_| "/warnings".to_string()),
            ),
            (
                "warnings, a middle page",
                Box::new(move |_| format!("/warnings?page={deep}")),
            ),
            (
                "warnings, red",
                Box::new(|_| "/warnings?level=red&page=2".to_string()),
            ),
            (
                "warnings, rule R05",
                Box::new(|_| "/warnings?rule=R05".to_string()),
            ),
            (
                "warnings, red + risk",
                Box::new(|_| "/warnings?level=red&risk=%E5%9B%A0%E7%97%85".to_string()),
            ),
            (
                "warnings, a township",
                Box::new(|r: &mut Rng| format!("/warnings?township={}", township(r.pick(sample)))),
            ),
            (
                "warnings, a village",
                Box::new(|r: &mut Rng| format!("/warnings?village={}", r.pick(sample).village)),
            ),
        ];
        for (name, uri) in &pages {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..repeat {
                let (t, n) = get(uri(rng)).await?;
                times.push(t);
                size = size.max(n);
            }
            report(name, times);
            println!("{:<28} {size} bytes (largest)", "  page size");
        }
        let (t, n) = get("/warnings.xlsx".to_string()).await?;
        println!(
            "{:<28} {:.0} ms, {n} bytes",
            "warnings export (county)",
            t.as_secs_f64() * 1000.0
        );
        Ok::<_, anyhow::Error>(())
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
