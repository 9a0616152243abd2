//! `shouwang bench tasks`: the 工作提示单 target on a SQLite county of N households (1,000,000
//! for the figures): generating every village's list of the month, saved, under 10 s.
//!
//! The county is built as `shouwang bench screen` builds it, its open leads and procedures as
//! `shouwang bench identification` seeds them; then, straight in SQL, what a year of assistance
//! leaves: cases at risk (one household in 30, identified over the last 18 months, some whole
//! households without labour), plans with a health measure and mostly a development measure
//! (ending over the coming year), an assistance person and a family doctor per village paired
//! with every case household, and this month's and this half year's visits for part of them.

use crate::bench_ident::BenchIdentArgs;
use crate::bench_screen::build;
use anyhow::{Context, Result};
use clap::Args;
use shouwang_core::date::YearMonth;
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct BenchTasksArgs {
    /// 测试库户数 / households in the benchmark database
    #[arg(long, default_value_t = 1_000_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 生成次数 / generations timed
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
}

pub fn run(args: BenchTasksArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-tasks-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-tasks.sqlite");
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
    let ident = BenchIdentArgs {
        households: args.households,
        leads: args.households / 10,
        procedures: args.households / 100,
        dir: None,
        reuse: true,
        repeat: 1,
    };
    if let Some(s) = crate::bench_ident::seed(&db, &ident, today)? {
        println!(
            "seeded {} open leads and {} open procedures in {:.1} s",
            s.leads, s.procedures, s.seconds
        );
    }
    seed_assistance(&db, today)?;
    let counts = counts(&db)?;
    println!(
        "county: {} households, {} cases at risk, {} measures, {} pairings, {} visits, {} open leads, {} open procedures",
        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]
    );
    let county = RegionCode::parse("510821").context("county")?;
    let month = YearMonth::of(today);
    println!("== every village's task list of {month} (target < 10 s)");
    let mut times = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let t = Instant::now();
        let (g, lists) =
            shouwang_app::task_list::generate(&store, &Actor::system("bench"), &county, month)?;
        let elapsed = t.elapsed();
        let largest = lists.iter().map(|l| l.items.len()).max().unwrap_or(0);
        println!(
            "county 510821: {} villages, {} items ({} overdue, largest list {}) in {:.2} s {}",
            g.villages,
            g.items,
            g.overdue,
            largest,
            elapsed.as_secs_f64(),
            if elapsed < Duration::from_secs(10) {
                "< 10 s ok"
            } else {
                "MISSED 10 s"
            }
        );
        times.push(elapsed);
    }
    let village = RegionCode::parse(&busiest_village(&db)?).context("village")?;
    let t = Instant::now();
    let list = shouwang_app::task_list::generate_village(
        &store,
        &Actor::system("bench"),
        &village,
        month,
    )?;
    println!(
        "one village {village}: {} items in {:.1} ms",
        list.items.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

fn busiest_village(db: &std::path::Path) -> Result<String> {
    let c = rusqlite::Connection::open(db)?;
    Ok(c.query_row(
        "SELECT village FROM task_lists ORDER BY item_count DESC, village LIMIT 1",
        [],
        |r| r.get(0),
    )?)
}

fn counts(db: &std::path::Path) -> Result<Vec<i64>> {
    let c = rusqlite::Connection::open(db)?;
    [
        "SELECT COUNT(*) FROM households",
        "SELECT COUNT(*) FROM monitoring_cases WHERE status = 1",
        "SELECT COUNT(*) FROM measures",
        "SELECT COUNT(*) FROM assistance_pairings",
        "SELECT COUNT(*) FROM visits",
        "SELECT COUNT(*) FROM leads WHERE status = 0",
        "SELECT COUNT(*) FROM identifications WHERE stage IN (1, 2, 3, 4, 5)",
    ]
    .iter()
    .map(|q| Ok(c.query_row(q, [], |r| r.get(0))?))
    .collect()
}

/// Cases, plans, measures, persons, pairings and visits, unless cases are there already.
fn seed_assistance(db: &std::path::Path, today: shouwang_core::Date) -> Result<()> {
    let started = Instant::now();
    let mut c = rusqlite::Connection::open(db)?;
    c.busy_timeout(Duration::from_secs(30))?;
    let existing: i64 = c.query_row("SELECT COUNT(*) FROM assistance_plans", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(());
    }
    let first = YearMonth::of(today).first_day().to_string();
    let today = today.to_string();
    let tx = c.transaction()?;
    tx.execute_batch(&format!(
        "CREATE TEMP TABLE picked AS
           SELECT county, household_no, village, household_type,
                  (abs(CAST(substr(household_no, -6) AS INTEGER)) * 7919 + length(household_no)) % 1000003 AS n
           FROM households;
         CREATE INDEX temp.picked_household ON picked (county, household_no);
         INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, whole_household_without_labour, created_at, updated_at)
           SELECT p.county, p.household_no, 1 + p.n % 3, CAST(p.n % 10 AS TEXT), substr(date('{today}', '-' || (p.n % 540) || ' days'), 1, 7), 1,
                  CASE WHEN p.n % 17 = 0 THEN 1 ELSE 0 END, 0, 0
           FROM picked p
           WHERE p.n % 30 = 0
             AND NOT EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county = p.county AND c.household_no = p.household_no);
         INSERT INTO case_steps (county, case_id, step, on_date, actor)
           SELECT c.county, c.id, 'identification', date('{today}', '-' || (p.n % 540) || ' days'), 'bench'
           FROM monitoring_cases c JOIN picked p ON p.county = c.county AND p.household_no = c.household_no
           WHERE c.status = 1 AND c.created_at = 0;
         INSERT INTO assistance_plans (county, household_no, village, case_id, summary, created_by, created_at, updated_at)
           SELECT c.county, c.household_no, p.village, c.id, '一户一策', 'bench', 0, 0
           FROM monitoring_cases c JOIN picked p ON p.county = c.county AND p.household_no = c.household_no
           WHERE c.status = 1 AND c.id % 5 <> 0;
         INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, start_on, end_on, state, responsible, created_by, created_at, updated_at)
           SELECT county, household_no, village, case_id, id, 7, '医疗救助', date('{today}', '-30 days'),
                  date('{today}', '+' || (id % 365) || ' days'), 2, '镇卫生院', 'bench', 0, 0
           FROM assistance_plans;
         INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, start_on, end_on, state, responsible, created_by, created_at, updated_at)
           SELECT county, household_no, village, case_id, id, 1 + id % 4, '产业奖补', date('{today}', '-30 days'),
                  date('{today}', '+' || ((id * 7) % 365) || ' days'), 2, '村委会', 'bench', 0, 0
           FROM assistance_plans WHERE id % 3 <> 0;
         INSERT INTO assistance_persons (county, position, name, unit, phone, created_at, updated_at)
           SELECT county, pos.position, CASE pos.position WHEN 3 THEN '帮扶干部' ELSE '签约医生' END || substr(village, 10),
                  village, '', 0, 0
           FROM (SELECT DISTINCT county, village FROM picked), (SELECT 3 AS position UNION ALL SELECT 4) pos;
         INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
           SELECT c.county, ap.id, c.household_no, p.village, '2025-01-01', 'bench', 0
           FROM monitoring_cases c JOIN picked p ON p.county = c.county AND p.household_no = c.household_no
           JOIN assistance_persons ap ON ap.county = c.county AND ap.unit = p.village
           WHERE c.status = 1;
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, created_at)
           SELECT a.county, a.household_no, a.village, '{first}', 'bench', '帮扶干部', ap.position, ap.id, '生活正常', 0
           FROM assistance_pairings a JOIN assistance_persons ap ON ap.id = a.person_id
           WHERE a.id % 5 < 3;
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, findings, created_at)
           SELECT county, household_no, village, '{first}', 'bench', '村支书', 1, '生活正常', 0
           FROM picked WHERE household_type = 0 AND n % 2 = 0;
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, findings, created_at)
           SELECT c.county, c.household_no, p.village, '{first}', 'bench', '镇党委书记', 2, '生活正常', 0
           FROM monitoring_cases c JOIN picked p ON p.county = c.county AND p.household_no = c.household_no
           WHERE c.status = 1 AND c.id % 2 = 0;
         DROP TABLE picked;"
    ))?;
    tx.commit()?;
    c.execute_batch("ANALYZE")?;
    println!(
        "seeded cases, plans, measures, pairings and visits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
