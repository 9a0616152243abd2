//! `shouwang bench dept-push`: a department's push of 100,000 records in one request (the
//! issue's target: accepted in under 10 s), through the real router: the session layer, the
//! token's check, reading and parsing the JSON lines, matching every record on the ID number,
//! weighing the alerts, raising the leads, and the answer.
//!
//! The county is built as `shouwang bench screen` builds it (kept with `--dir`, reused with
//! `--reuse`); a county-wide 医保 token is made in the store, and the push is N records of
//! 合规自付 for members of the county (about one in ten above any threshold, a few ID numbers of
//! nobody) sent as one `application/x-ndjson` body. The figure is the time from sending the
//! request to the answer; the batch's counts are printed beside it.

use crate::bench_screen::build;
use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use clap::Args;
use http_body_util::BodyExt;
use shouwang_core::department::DeptKind;
use shouwang_core::synth::Rng;
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use shouwang_store::dept_tokens::NewToken;
use std::path::PathBuf;
use std::time::Instant;
use tower::ServiceExt;

#[derive(Args, Clone)]
pub struct BenchDeptPushArgs {
    /// 一次推送的记录数 / records in the one push
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 100_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
}

/// ID numbers of `n` members of the county (repeating them when the county has fewer).
fn id_numbers(db: &std::path::Path, n: usize) -> Result<Vec<String>> {
    let c = rusqlite::Connection::open(db)?;
    let mut s =
        c.prepare("SELECT id_number FROM members ORDER BY household_no, position LIMIT ?1")?;
    let ids = s
        .query_map([n as i64], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "no member in the benchmark county");
    Ok(ids)
}

pub fn run(args: BenchDeptPushArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-push-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-push.sqlite");
    let url = format!("sqlite://{}", db.display());
    let reused = args.reuse && db.exists();
    if !reused {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        build(&url, args.households)?;
    }
    let store = crate::open(&url)?;
    let county = RegionCode::parse("510821").context("county")?;
    let token = format!("swd_{}", shouwang_web::random_token());
    store
        .create_dept_token(
            &Actor::system("bench"),
            &NewToken {
                county: &county,
                region: &county,
                kind: DeptKind::Medical,
                name: "bench",
                token: &token,
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ids = id_numbers(&db, args.records)?;
    // on a reused database a new body each run, so that it is no duplicate of the last one
    let mut rng = Rng::new(if reused {
        15 ^ u64::from(std::process::id())
    } else {
        15
    });
    let mut body = String::with_capacity(args.records * 110);
    let year = crate::screen_cmd::today().year();
    for i in 0..args.records {
        let id = if i % 500 == 499 {
            // nobody's: a valid number of a person of 北京 born in 1950
            "110101195001010017".to_string()
        } else {
            ids[i % ids.len()].clone()
        };
        // about one in ten far above any threshold
        let amount = if rng.range(0, 9) == 0 {
            30_000 + rng.range(0, 49_999)
        } else {
            50 + rng.range(0, 1_999)
        };
        body.push_str(&format!(
            "{{\"id_number\":\"{id}\",\"name\":\"参保人\",\"date\":\"{year}-{:02}-{:02}\",\"self_paid\":{amount}.{:02}}}\n",
            1 + rng.range(0, 10),
            1 + rng.range(0, 27),
            rng.range(0, 99)
        ));
    }
    let bytes = body.len();
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (status, seconds, answer) = runtime.block_on(async {
        let req = Request::post(format!(
            "/api/v1/dept/medical/records?batch_id=bench-{}",
            std::process::id()
        ))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/x-ndjson")
        .body(Body::from(body))?;
        let started = Instant::now();
        let resp = app.oneshot(req).await?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        let seconds = started.elapsed().as_secs_f64();
        anyhow::Ok((
            status,
            seconds,
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default(),
        ))
    })?;
    if status != StatusCode::CREATED {
        bail!("the push answered {status}: {answer}");
    }
    let b = &answer["batch"];
    println!(
        "dept push: {} records ({:.1} MB of JSON lines) in one request against {} households",
        args.records,
        bytes as f64 / 1e6,
        args.households
    );
    println!(
        "  accepted in {seconds:.2} s ({}): rows {} matched {} unmatched {} invalid {} alerts {} leads {}",
        if seconds < 10.0 {
            "< 10 s ok"
        } else {
            "MISSED 10 s"
        },
        b["rows"],
        b["matched"],
        b["unmatched"],
        b["invalid"],
        b["alerts"],
        b["leads"]
    );
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
