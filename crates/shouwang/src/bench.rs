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

    let county_cookie = bench_session(&store, "bench", "county", "510821")?;
    // screened, so that the warnings pages have their 6,000-odd households per 200k
    let started = Instant::now();
    let actor = shouwang_store::audit::Actor::system("bench");
    let county = RegionCode::parse("510821").context("county")?;
    let run = shouwang_app::screening::run(&store, &county, today.year(), today, &actor)?;
    println!(
        "screened: {} households flagged in {:.1} s",
        run.outcome.summary.flagged_households,
        started.elapsed().as_secs_f64()
    );

    // sample real household numbers, names and ID numbers
    let (sample, _) = store.households_in(&county, 0, 100_000)?;
    // a village cadre of the village with the most households, for the pages of their day
    let busiest = sample
        .iter()
        .fold(
            std::collections::HashMap::<&str, usize>::new(),
            |mut m, h| {
                *m.entry(h.village.as_str()).or_default() += 1;
                m
            },
        )
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v.to_string())
        .context("a village")?;
    let village_cookie = bench_session(&store, "bench-village", "village", &busiest)?;
    let in_village: Vec<_> = sample.iter().filter(|h| h.village == busiest).collect();
    let mut rng = Rng::new(7);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let get_as = |cookie: String, uri: String| {
        let app = app.clone();
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
    let get = |uri: String| get_as(county_cookie.clone(), uri);
    let as_village = |uri: String| get_as(village_cookie.clone(), uri);
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

        // the workplace: each page as its user opens it, with the largest size seen
        let n = args.repeat.min(50);
        let pick = |rng: &mut Rng| rng.pick(&in_village).to_owned().clone();
        let mut pages: Vec<(&str, Vec<String>, bool)> = vec![
            ("county: first page", vec!["/".into()], false),
            ("county: warnings p1", vec!["/warnings".into()], false),
            (
                "county: warnings p20 red",
                vec!["/warnings?level=red&page=20".into()],
                false,
            ),
            ("village: first page", vec!["/".into()], true),
            (
                "village: household list",
                vec![format!("/regions/{busiest}")],
                true,
            ),
            ("village: warnings", vec!["/warnings".into()], true),
            ("village: all households", vec!["/search".into()], true),
        ];
        let mut households = Vec::new();
        let mut incomes = Vec::new();
        let mut middle_names = Vec::new();
        let mut id_tails = Vec::new();
        for _ in 0..n {
            let h = pick(&mut rng);
            households.push(format!("/households/{}", h.household_no));
            incomes.push(format!("/households/{}/income", h.household_no));
            let given: String = h.head_name.chars().skip(1).collect();
            middle_names.push(format!("/search?q={}", urlencode(&given)));
            let tail = &h.head_id[h.head_id.len().saturating_sub(4)..];
            id_tails.push(format!("/search?q={tail}"));
        }
        pages.push(("village: household page", households, true));
        pages.push(("village: income page", incomes, true));
        pages.push(("village: search, given name", middle_names, true));
        pages.push(("village: search, ID last 4", id_tails, true));
        for (name, uris, village_user) in pages {
            let mut times = Vec::new();
            let mut largest = 0;
            for i in 0..n {
                let uri = uris[i % uris.len()].clone();
                let (t, size) = if village_user {
                    as_village(uri).await?
                } else {
                    get(uri).await?
                };
                times.push(t);
                largest = largest.max(size);
            }
            report(name, times);
            println!(
                "{:<28} {:.1} KB at most",
                "  page size",
                largest as f64 / 1024.0
            );
        }
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

/// The warnings list after the county's run: its first page, a deep page, a level, a rule, a
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
    // the run made above
    let flagged = store
        .warning_totals(&county)?
        .map_or(0, |(r, _)| r.flagged_households);
    let deep = flagged / 50 / 2;
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

/// A signed-in session of a new user with this role and region; answers its cookie.
pub(crate) fn bench_session(
    store: &shouwang_store::Store,
    username: &str,
    role: &str,
    region: &str,
) -> Result<String> {
    let user_id = crate::add_user_quiet(store, username, role, region, username, "bench-password")?;
    let user = store
        .users()?
        .into_iter()
        .find(|u| u.id == user_id)
        .context("bench user")?;
    let token = shouwang_web::random_token();
    store.login_succeeded(&user, &shouwang_web::auth::token_hash(&token), "csrf")?;
    Ok(format!("{}={token}", shouwang_web::auth::SESSION_COOKIE))
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
