//! `shouwang bench elimination`: the targets of 风险消除 on a SQLite county of N households
//! (1,000,000 for the figures): the elimination check of one household under 5 ms, and
//! the "who could be closed now" list (the check of every open case of the county) under 5 s.
//!
//! The county is built as `shouwang bench screen` builds it (kept with `--dir`, reused with
//! `--reuse`): households, members, a year's incomes and 三保障 flags. On top, written straight
//! in SQL in one transaction: one household in `--every` becomes a monitoring case at risk,
//! identified 2 to 18 months ago for one or two risks, with its plan and one to three measures
//! (most against its risk, some planned, some ended), and a waiting lead on one case in fifty.

use crate::bench_screen::build;
use anyhow::Result;
use clap::Args;
use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::monitoring::{CaseStatus, CaseType, RiskType};
use shouwang_core::synth::Rng;
use shouwang_core::{Date, RegionCode};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct BenchElimArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 1_000_000)]
    pub households: usize,
    /// 每多少户一个监测对象 / one monitoring case in this many households
    #[arg(long, default_value_t = 20)]
    pub every: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 单户检查次数 / checks of one household
    #[arg(long, default_value_t = 200)]
    pub repeat: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, mut times: Vec<Duration>, target_ms: f64) {
    times.sort();
    let at = |p: f64| ms(times[((times.len() as f64 - 1.0) * p).round() as usize]);
    let p95 = at(0.95);
    println!(
        "{name:<44} p50={:>9.2} ms  p95={:>9.2} ms  max={:>9.2} ms  {}",
        at(0.5),
        p95,
        at(1.0),
        if p95 < target_ms {
            format!("< {target_ms} ms ok")
        } else {
            format!("MISSED {target_ms} ms")
        }
    );
}

pub fn run(args: BenchElimArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-elim-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-elim.sqlite");
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
    if let Some((cases, measures, seconds)) = seed(&db, args.every.max(1), today)? {
        println!("seeded {cases} open cases with {measures} measures in {seconds:.1} s");
    } else {
        println!("reusing the cases already in {}", db.display());
    }
    let (sample, village) = sample_cases(&db)?;
    let county = RegionCode::parse("510821").expect("the county");
    let township = RegionCode::parse(&village[..9]).expect("a township");
    let village = RegionCode::parse(&village).expect("a village");

    println!("== the check of one household (target < 5 ms)");
    let repeat = args.repeat.max(1);
    let mut times = Vec::with_capacity(repeat);
    let mut closable = 0;
    for i in 0..repeat {
        let id = sample[i % sample.len()];
        let t = Instant::now();
        let c = shouwang_app::elimination::check_case(&store, id, today)?;
        times.push(t.elapsed());
        closable += usize::from(
            c.check
                .passes(shouwang_core::monitoring::EliminationKind::AfterAssistance),
        );
    }
    report("one case: facts and conditions", times, 5.0);
    println!("  ({closable} of {repeat} checks passed)");

    println!("== every open case of a region (target < 5 s)");
    for (name, region, runs) in [
        ("village", &village, 5),
        ("township", &township, 3),
        ("county", &county, 3),
    ] {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let found = shouwang_app::elimination::candidates(&store, region, today)?;
            times.push(t.elapsed());
            last = Some(found);
        }
        report(&format!("{name}: candidates"), times, 5000.0);
        if let Some(f) = last {
            println!(
                "  ({} open cases: {} closable, {} not yet, {} safety net)",
                f.open, f.closable, f.not_yet, f.safety_net
            );
        }
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

/// Some open cases of the village with the most, and that village.
fn sample_cases(db: &std::path::Path) -> Result<(Vec<i64>, String)> {
    let c = rusqlite::Connection::open(db)?;
    let village: String = c.query_row(
        "SELECT h.village FROM monitoring_cases m JOIN households h ON h.county = m.county AND h.household_no = m.household_no
         WHERE m.status = 1 GROUP BY h.village ORDER BY COUNT(*) DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    let mut s = c.prepare(
        "SELECT m.id FROM monitoring_cases m JOIN households h ON h.county = m.county AND h.household_no = m.household_no
         WHERE h.village = ?1 AND m.status = 1",
    )?;
    let ids = s
        .query_map([&village], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    anyhow::ensure!(!ids.is_empty(), "no open case in {village}");
    Ok((ids, village))
}

/// Writes the cases, plans, measures and a few waiting leads; `None` when cases exist already.
fn seed(db: &std::path::Path, every: usize, today: Date) -> Result<Option<(usize, usize, f64)>> {
    let started = Instant::now();
    let mut c = rusqlite::Connection::open(db)?;
    c.busy_timeout(Duration::from_secs(30))?;
    let existing: i64 = c.query_row("SELECT COUNT(*) FROM monitoring_cases", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(None);
    }
    let households: Vec<(String, String, String)> = {
        let mut s = c.prepare(
            "SELECT county, household_no, village FROM households ORDER BY household_no",
        )?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut rng = Rng::new(7);
    let tx = c.transaction()?;
    let (mut cases, mut measures) = (0usize, 0usize);
    {
        let mut case = tx.prepare(
            "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, warning_level, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '1', 0, 0)",
        )?;
        let mut plan = tx.prepare(
            "INSERT INTO assistance_plans (county, household_no, village, case_id, summary, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, '一户一策', 'bench', 0, 0)",
        )?;
        let mut measure = tx.prepare(
            "INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, risk, start_on, state, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, '帮扶措施', ?7, ?8, ?9, 'bench', 0, 0)",
        )?;
        let mut lead = tx.prepare(
            "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at)
             VALUES (?1, ?2, ?3, ?4, 1, '', 2, ?5, ?6, 0, 0)",
        )?;
        let risks = [
            RiskType::Illness,
            RiskType::UnstableEmployment,
            RiskType::Disability,
            RiskType::Schooling,
            RiskType::LackOfLabour,
        ];
        for (i, (county, no, village)) in households.iter().enumerate() {
            if !i.is_multiple_of(every) {
                continue;
            }
            let months_ago = 2 + (rng.next_u64() % 17) as i64;
            let identified = month_back(today, months_ago);
            let risk = risks[(rng.next_u64() % risks.len() as u64) as usize];
            let case_type = if rng.next_u64().is_multiple_of(3) {
                CaseType::UnstablePostPoverty
            } else {
                CaseType::MarginalAtRisk
            };
            case.execute(rusqlite::params![
                county,
                no,
                case_type.code(),
                risk.code().to_string(),
                identified,
                CaseStatus::AtRisk.code()
            ])?;
            let case_id = tx.last_insert_rowid();
            plan.execute(rusqlite::params![county, no, village, case_id])?;
            let plan_id = tx.last_insert_rowid();
            let n = 1 + (rng.next_u64() % 3) as usize;
            for k in 0..n {
                let category = MeasureCategory::ALL[(rng.next_u64() % 14) as usize];
                let against = if k == 0 && rng.next_u64() % 10 < 8 {
                    Some(risk.code())
                } else {
                    None
                };
                let state = [
                    MeasureState::Planned,
                    MeasureState::InPlace,
                    MeasureState::InPlace,
                    MeasureState::Ended,
                ][(rng.next_u64() % 4) as usize];
                measure.execute(rusqlite::params![
                    county,
                    no,
                    village,
                    case_id,
                    plan_id,
                    category.code(),
                    against,
                    today.add_days(-30 * (months_ago - 1)).to_string(),
                    state.code()
                ])?;
                measures += 1;
            }
            if cases.is_multiple_of(50) {
                let found = today.add_days(-5);
                lead.execute(rusqlite::params![
                    county,
                    no,
                    village,
                    RiskType::Accident.code(),
                    found.to_string(),
                    found.add_days(7).to_string()
                ])?;
            }
            cases += 1;
        }
    }
    tx.commit()?;
    Ok(Some((cases, measures, started.elapsed().as_secs_f64())))
}

/// `YYYY-MM` of the month `months` before `today`'s.
fn month_back(today: Date, months: i64) -> String {
    let d = shouwang_core::elimination::add_months(today, -months);
    format!("{:04}-{:02}", d.year(), d.month())
}
