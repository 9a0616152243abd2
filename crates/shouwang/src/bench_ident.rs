//! `shouwang bench identification`: the targets of the identification procedure on a SQLite
//! county of N households (1,000,000 for the figures): a lead list of 100,000 open leads
//! pages and filters under 50 ms, the procedure list and a procedure under 30 ms, both through
//! the real router (routing, session, scope checks, store, JSON); the daily deadline sweep
//! under 2 s.
//!
//! The county is built as `shouwang bench screen` builds it (kept with `--dir`, reused with
//! `--reuse`). The leads and procedures are written straight in SQL in one transaction, as a
//! year of screenings and cadres' work would have left them: open leads of every source, risk
//! and level, found over the last month (some overdue); procedures at every open stage, each
//! body made by core's own state machine step by step, with its steps and gathered leads.

use crate::bench_screen::build;
use anyhow::Result;
use axum::body::Body;
use axum::http::{header, Request};
use clap::Args;
use http_body_util::BodyExt;
use shouwang_core::calendar::WorkCalendar;
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{
    Appraisal, AppraisalResult, Assets, Identification, Inclusion, Notice, Review, Stage, Step,
    StepContext, StepKind, Verification,
};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseType, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::synth::Rng;
use shouwang_core::{Date, Fen, Role};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Args, Clone)]
pub struct BenchIdentArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 1_000_000)]
    pub households: usize,
    /// 待核实线索数 / open leads
    #[arg(long, default_value_t = 100_000)]
    pub leads: usize,
    /// 进行中的识别程序数（分布于五个环节）/ open procedures, spread over the five open stages
    #[arg(long, default_value_t = 10_000)]
    pub procedures: usize,
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
        "{name:<40} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms  {:>6.1} KB  {}",
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

pub fn run(args: BenchIdentArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-ident-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-ident.sqlite");
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
    // the migrations are applied on opening, before anything is written
    let store = crate::open(&url)?;
    let seeded = seed(&db, &args, today)?;
    if let Some(s) = &seeded {
        println!(
            "seeded {} open leads and {} open procedures ({} steps, {} gathered leads) in {:.1} s",
            s.leads, s.procedures, s.steps, s.gathered, s.seconds
        );
    } else {
        println!(
            "reusing the leads and procedures already in {}",
            db.display()
        );
    }
    let village = busiest_village(&db)?;
    let township = village[..9].to_string();
    let pid = std::process::id();
    let sessions = [
        ("county", "510821".to_string()),
        ("township", township.clone()),
        ("village", village.clone()),
    ]
    .into_iter()
    .map(|(role, region)| {
        crate::bench::bench_session(&store, &format!("bench-{role}-{pid}"), role, &region)
    })
    .collect::<Result<Vec<_>>>()?;
    let (county, town, vill) = (&sessions[0], &sessions[1], &sessions[2]);
    let app = shouwang_web::router(shouwang_web::AppState::new(
        store.clone(),
        shouwang_web::WebConfig::default(),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let procedures = sample_procedures(&db, &village)?;
    let mut rng = Rng::new(11);
    let repeat = args.repeat.max(1);
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
                let elapsed = t.elapsed();
                Ok::<_, anyhow::Error>((status, elapsed, bytes))
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
                    if status == axum::http::StatusCode::NOT_FOUND && !uri.starts_with("/api/") {
                        println!("{name:<40} (no such page in this build)");
                        return Ok(());
                    }
                    anyhow::ensure!(status.is_success(), "{uri}: {status}");
                    times.push(t);
                    size = size.max(bytes.len());
                    if i == 0 && uri.starts_with("/api/v1/leads?") && name.contains("first") {
                        let v: serde_json::Value = serde_json::from_slice(&bytes)?;
                        println!("  ({} leads match)", v["total"]);
                    }
                }
                report(name, times, target, size);
                Ok::<_, anyhow::Error>(())
            }
        };
        let one = |u: &str| vec![u.to_string()];
        println!("== the lead list (target < 50 ms), JSON API");
        time(
            "county: leads, first page",
            county,
            one("/api/v1/leads"),
            50.0,
        )
        .await?;
        time(
            "county: leads, page 100",
            county,
            one("/api/v1/leads?page=100"),
            50.0,
        )
        .await?;
        time(
            "county: leads, source 干部排查",
            county,
            one("/api/v1/leads?source=2"),
            50.0,
        )
        .await?;
        time(
            "county: leads, risk 因病",
            county,
            one("/api/v1/leads?risk=0"),
            50.0,
        )
        .await?;
        time(
            "county: leads, overdue",
            county,
            one("/api/v1/leads?overdue=1"),
            50.0,
        )
        .await?;
        time(
            "county: leads, 12317 + 因病 + overdue",
            county,
            one("/api/v1/leads?source=3&risk=0&overdue=1"),
            50.0,
        )
        .await?;
        time(
            "township: leads, first page",
            town,
            one("/api/v1/leads"),
            50.0,
        )
        .await?;
        time(
            "township: leads, risk + overdue",
            town,
            one("/api/v1/leads?risk=0&overdue=1"),
            50.0,
        )
        .await?;
        time(
            "village: leads, first page",
            vill,
            one("/api/v1/leads"),
            50.0,
        )
        .await?;
        println!("== the procedures (target < 30 ms), JSON API");
        time(
            "county: procedures, first page",
            county,
            one("/api/v1/identifications"),
            30.0,
        )
        .await?;
        time(
            "county: procedures, 乡镇审核",
            county,
            one("/api/v1/identifications?stage=4"),
            30.0,
        )
        .await?;
        time(
            "county: procedures, overdue",
            county,
            one("/api/v1/identifications?overdue=1"),
            30.0,
        )
        .await?;
        time(
            "township: procedures, first page",
            town,
            one("/api/v1/identifications"),
            30.0,
        )
        .await?;
        let pages: Vec<String> = (0..repeat)
            .map(|_| format!("/api/v1/identifications/{}", rng.pick(&procedures)))
            .collect();
        time("village: a procedure", vill, pages.clone(), 30.0).await?;
        time(
            "village: the notice",
            vill,
            one(&format!("/api/v1/villages/{village}/notice")),
            30.0,
        )
        .await?;
        println!("== the pages (where this build has them)");
        time("county: lead list page", county, one("/leads"), 50.0).await?;
        time(
            "county: lead list page, overdue",
            county,
            one("/leads?overdue=1"),
            50.0,
        )
        .await?;
        time(
            "county: procedure list page",
            county,
            one("/identifications"),
            30.0,
        )
        .await?;
        let html: Vec<String> = pages.iter().map(|p| p.replace("/api/v1", "")).collect();
        time("village: procedure page", vill, html, 30.0).await?;
        Ok::<_, anyhow::Error>(())
    })?;

    println!("== the daily deadline sweep (target < 2 s)");
    for (what, day) in [
        ("first sweep of the day", today),
        ("again, nothing new", today),
        ("the next day", today.add_days(1)),
    ] {
        let t = Instant::now();
        let counts = shouwang_app::identification::sweep(&store, day)?;
        let s = t.elapsed().as_secs_f64();
        println!(
            "{what:<40} {:>7.0} ms  ({} procedures and {} leads overdue, {} newly) {}",
            s * 1000.0,
            counts.overdue_identifications,
            counts.overdue_leads,
            counts.newly_overdue,
            if s < 2.0 { "< 2 s ok" } else { "MISSED 2 s" }
        );
    }
    if args.dir.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

pub(crate) struct Seeded {
    pub(crate) leads: usize,
    pub(crate) procedures: usize,
    pub(crate) steps: usize,
    pub(crate) gathered: usize,
    pub(crate) seconds: f64,
}

/// The village with the most open procedures, for the village cadre's pages.
fn busiest_village(db: &std::path::Path) -> Result<String> {
    let c = rusqlite::Connection::open(db)?;
    Ok(c.query_row(
        "SELECT village FROM identifications GROUP BY village ORDER BY COUNT(*) DESC, village LIMIT 1",
        [],
        |r| r.get(0),
    )?)
}

fn sample_procedures(db: &std::path::Path, village: &str) -> Result<Vec<i64>> {
    let c = rusqlite::Connection::open(db)?;
    let mut s = c.prepare("SELECT id FROM identifications WHERE village = ?1")?;
    let ids = s
        .query_map([village], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "no procedure in {village}");
    Ok(ids)
}

/// The steps that take a procedure found on `found` to `stage`, each with its role and date.
fn path_to(stage: Stage, found: Date, risks: &[RiskType]) -> Vec<(Role, Step)> {
    let inclusion = Inclusion {
        case_type: CaseType::MarginalAtRisk,
        risks: risks.to_vec(),
        level: WarningLevel::Yellow,
    };
    let day = |n| found.add_days(n);
    let all = vec![
        (
            Role::Village,
            Step::Verify(Verification {
                on: day(1),
                authorised_on: Some(day(1)),
                members: 3,
                income_12m: Fen::from_yuan(18_000),
                compulsory_education_secure: true,
                basic_medical_secure: false,
                housing_secure: true,
                drinking_water_secure: true,
                assets: Assets::default(),
                findings: "户主住院，自付费用较高".into(),
            }),
        ),
        (
            Role::Village,
            Step::Appraise(Appraisal {
                on: day(2),
                participants: "村两委及村民代表9人".into(),
                result: AppraisalResult::Agree,
                minutes: "一致同意纳入".into(),
                proposal: Some(inclusion),
                elimination: None,
            }),
        ),
        (
            Role::Village,
            Step::PublishNotice(Notice {
                start: day(2),
                end: day(6),
                contact: "村委会，电话0817-1234567".into(),
            }),
        ),
        (Role::Village, Step::Submit { on: day(7) }),
        (
            Role::Township,
            Step::TownshipApprove(Review {
                on: day(8),
                opinion: "情况属实，同意".into(),
            }),
        ),
    ];
    let n = match stage {
        Stage::Verification => 0,
        Stage::Appraisal => 1,
        Stage::Notice => 3,
        Stage::TownshipReview => 4,
        _ => 5,
    };
    all.into_iter().take(n).collect()
}

/// Writes the open leads and procedures, unless leads are there already.
pub(crate) fn seed(
    db: &std::path::Path,
    args: &BenchIdentArgs,
    today: Date,
) -> Result<Option<Seeded>> {
    let started = Instant::now();
    let mut c = rusqlite::Connection::open(db)?;
    c.busy_timeout(Duration::from_secs(30))?;
    let existing: i64 = c.query_row("SELECT COUNT(*) FROM leads", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(None);
    }
    let households: Vec<(String, String, String)> = {
        let mut s = c.prepare("SELECT county, household_no, village FROM households")?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let wanted = args.leads + args.procedures;
    anyhow::ensure!(
        households.len() >= wanted,
        "{} households cannot hold {wanted} leads and procedures",
        households.len()
    );
    // a fixed shuffle: the first `leads` households get an open lead, the next a procedure
    let mut rng = Rng::new(2026);
    let mut order: Vec<usize> = (0..households.len()).collect();
    for i in 0..wanted {
        let j = rng.range(i as i64, order.len() as i64 - 1) as usize;
        order.swap(i, j);
    }
    let now = shouwang_store::now();
    let sources = [
        (70, LeadSource::Screening),
        (15, LeadSource::CadreCheck),
        (5, LeadSource::Hotline),
        (5, LeadSource::Department),
        (5, LeadSource::SelfReport),
    ];
    let levels = [
        (20, WarningLevel::Red),
        (50, WarningLevel::Yellow),
        (30, WarningLevel::Blue),
    ];
    let scheme = shouwang_core::standard::StandardDefaults::DEFAULT.warning_scheme;
    let tx = c.transaction()?;
    let mut out = Seeded {
        leads: 0,
        procedures: 0,
        steps: 0,
        gathered: 0,
        seconds: 0.0,
    };
    {
        let mut lead = tx.prepare(
            "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, note, created_by, identification_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for &i in &order[..args.leads] {
            let (county, no, village) = &households[i];
            let source = rng.weighted(&sources);
            let level = rng.weighted(&levels);
            let risk = *rng.pick(RiskType::ALL);
            let found = today.add_days(-rng.range(0, 30));
            let due = found.add_days(scheme.response_days(level));
            let (rules, note, by) = if source == LeadSource::Screening {
                ("R01", "", "system:screening")
            } else {
                ("", "走访发现家庭困难", "bench")
            };
            lead.execute(rusqlite::params![
                county,
                no,
                village,
                risk.code(),
                level.code(),
                rules,
                source.code(),
                found.to_string(),
                due.to_string(),
                LeadStatus::Open.code(),
                note,
                by,
                None::<i64>,
                now
            ])?;
            out.leads += 1;
        }
        let mut ident = tx.prepare(
            "INSERT INTO identifications (id, county, household_no, village, stage, found_on, due_on, stage_due, green_channel, body, version, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, 'bench', ?11, ?11)",
        )?;
        let mut step = tx.prepare(
            "INSERT INTO identification_steps (county, identification_id, kind, stage_before, stage_after, on_date, actor, role, detail, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let first_id: i64 = tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM identifications",
            [],
            |r| r.get(0),
        )?;
        let deadlines = Deadlines::defaults();
        let calendar = WorkCalendar::default();
        let open_stages = [
            Stage::Verification,
            Stage::Appraisal,
            Stage::Notice,
            Stage::TownshipReview,
            Stage::CountyDecision,
        ];
        for (k, &i) in order[args.leads..wanted].iter().enumerate() {
            let (county, no, village) = &households[i];
            let id = first_id + k as i64;
            let stage = open_stages[k % open_stages.len()];
            // old enough for the steps before its stage, and some past their days
            let least = match stage {
                Stage::Verification => 0,
                Stage::Appraisal => 1,
                Stage::Notice => 2,
                Stage::TownshipReview => 7,
                _ => 8,
            };
            let found = today.add_days(-(least + rng.range(0, 9)));
            let mut risks = vec![*rng.pick(RiskType::ALL)];
            let second = *rng.pick(RiskType::ALL);
            if rng.chance(0.3) && !risks.contains(&second) {
                risks.push(second);
            }
            let mut p = Identification::open(found, risks.clone(), today, &deadlines, &calendar);
            let mut steps = vec![(
                StepKind::Opened,
                Stage::Verification,
                Stage::Verification,
                found,
                Role::Village,
                serde_json::json!({ "leads": [] }).to_string(),
            )];
            for (role, s) in path_to(stage, found, &risks) {
                let before = p.stage;
                p = p
                    .apply(
                        &s,
                        &StepContext {
                            role,
                            today,
                            deadlines: &deadlines,
                            calendar: &calendar,
                        },
                    )
                    .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.en))?;
                steps.push((
                    s.kind(),
                    before,
                    p.stage,
                    s.on(),
                    role,
                    serde_json::to_string(&s)?,
                ));
            }
            anyhow::ensure!(p.stage == stage, "{no}: reached {:?}", p.stage);
            ident.execute(rusqlite::params![
                id,
                county,
                no,
                village,
                p.stage.code(),
                p.found_on.to_string(),
                p.due_on.to_string(),
                p.stage_due.to_string(),
                serde_json::to_string(&p)?,
                steps.len() as i64,
                now
            ])?;
            for (kind, before, after, on, role, detail) in &steps {
                let actor = if *role == Role::Township {
                    "bench-township"
                } else {
                    "bench-village"
                };
                step.execute(rusqlite::params![
                    county,
                    id,
                    kind.code(),
                    before.code(),
                    after.code(),
                    on.to_string(),
                    actor,
                    role.as_str(),
                    detail,
                    now
                ])?;
                out.steps += 1;
            }
            for risk in &risks {
                lead.execute(rusqlite::params![
                    county,
                    no,
                    village,
                    risk.code(),
                    WarningLevel::Yellow.code(),
                    "R01",
                    LeadSource::Screening.code(),
                    found.to_string(),
                    found.add_days(7).to_string(),
                    LeadStatus::Gathered.code(),
                    "",
                    "system:screening",
                    id,
                    now
                ])?;
                out.gathered += 1;
            }
            out.procedures += 1;
        }
    }
    tx.commit()?;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(Some(out))
}
