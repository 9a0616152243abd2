//! `shouwang demo`: a working county in one command.

use crate::cli::DemoArgs;
use anyhow::{Context, Result};
use shouwang_core::income::Income;
use shouwang_core::monitoring::{CaseStatus, EliminationKind};
use shouwang_core::synth::{generate, records, SynthConfig, SynthRecords, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode, RegionLevel};
use shouwang_store::audit::Actor;
use shouwang_store::monitoring::CaseCounts;
use shouwang_store::Store;
use std::time::Instant;

pub const DEMO_COUNTY: &str = "510821";
/// Every demo account's password; the demo listens on localhost only unless told otherwise.
pub const DEMO_PASSWORD: &str = "shouwang2026";

/// The relocation sites named in the 旺苍县 work plan (seed 000).
const SITES: [(&str, &str); 2] = [
    ("510821108212", "三江镇桃红安置点"),
    ("510821115200", "龙凤镇龙凤社区安置点"),
];

/// (username, role, region, display name)
pub const DEMO_USERS: [(&str, &str, &str, &str); 7] = [
    ("admin", "admin", "510821", "系统管理员"),
    ("county", "county", "510821", "县乡村振兴局 李科长"),
    (
        "sanjiang",
        "township",
        "510821108",
        "三江镇乡村振兴办 王主任",
    ),
    (
        "taohong",
        "village",
        "510821108212",
        "桃红村 监测核查员 赵文",
    ),
    ("helper", "assistance", "510821108212", "帮扶责任人 陈明"),
    ("inspector", "inspector", "510821", "督导组 周涛"),
    ("yibao", "department", "510821", "县医疗保障局 刘股长"),
];

/// Builds the demo county into `store`: households and members, incomes of this year and last,
/// 三保障 checks, the provincial standard, monitoring cases with their histories
/// ([`seed_cases`]) and their assistance: persons, pairings, plans, measures, visits
/// ([`crate::demo_assistance`]). Returns (households, persons).
pub fn build(store: &Store, households: usize, seed: u64, today: Date) -> Result<(usize, usize)> {
    store.import_regions(shouwang_io::regions::demo_regions()?)?;
    let county = RegionCode::parse(DEMO_COUNTY).context("demo county code")?;
    let villages: Vec<SynthVillage> = store
        .villages_of(&county)?
        .into_iter()
        .map(|code| {
            let site = SITES
                .iter()
                .find(|(c, _)| *c == code.as_str())
                .map(|(_, s)| s.to_string());
            SynthVillage {
                code,
                resettlement_site: site,
            }
        })
        .collect();
    let data = generate(
        &SynthConfig {
            households,
            seed,
            today,
            county: county.clone(),
        },
        &villages,
    );
    let persons = data.iter().map(|(_, m)| m.len()).sum();
    store.bulk_load(&Actor::system("demo"), &data, "demo.generate")?;
    let line = Fen::from_yuan(crate::screen_cmd::DEMO_LINE_YUAN);
    let mut records = records(&data, seed, today, line);
    showcase_lead(&data, &mut records, today);
    crate::screen_cmd::seed_demo(store, &data, &records, today)?;
    seed_cases(store, &records, today)?;
    crate::demo_assistance::seed(store, &data, &records, seed, today)?;
    let t = Instant::now();
    let d = crate::demo_department::seed(store, &data, &records, seed, today)?;
    println!(
        "部门数据 / department data: {} 批 / batches, {} 条预警 / alerts, {} 条线索 / leads, {} 行待匹配 / rows to match by hand ({:.1} s)",
        d.batches,
        d.alerts,
        d.leads,
        d.queued,
        t.elapsed().as_secs_f64()
    );
    load_calendar(store, &county)?;
    Ok((data.len(), persons))
}

/// The demo's village cadre works in 桃红村, a village of a handful of households: one of them
/// (the last without a case) had a bad year — a long illness, wages lost, large self-paid
/// medical costs — so that the month's screening gives her a lead of her own to take through
/// the identification procedure.
fn showcase_lead(data: &[(Household, Vec<Member>)], records: &mut SynthRecords, today: Date) {
    let with_case: std::collections::HashSet<usize> =
        records.cases.iter().map(|(i, _)| *i).collect();
    let Some(index) = data
        .iter()
        .enumerate()
        .rev()
        .find(|(i, (h, _))| h.village.as_str() == "510821108212" && !with_case.contains(i))
        .map(|(i, _)| i)
    else {
        return;
    };
    let size = data[index].1.len().max(1) as i64;
    for (i, income) in records.incomes.iter_mut() {
        if *i == index && income.period.year == today.year() {
            *income = Income {
                wages: Fen::from_yuan(2_400 * size),
                transfers: Fen::from_yuan(900 * size),
                out_of_pocket_medical: Fen::from_yuan(38_000),
                ..Income::empty(income.period)
            };
        }
    }
}

/// Writes the demo's monitoring cases (监测对象, about 3 % of households: most eliminated, after
/// assistance or naturally; some at risk; households without labour under 兜底保障) through the
/// ledger import's own path, each with the dated history core builds from it. Returns the
/// county's cases counted by state.
pub fn seed_cases(store: &Store, records: &SynthRecords, today: Date) -> Result<CaseCounts> {
    let county = RegionCode::parse(DEMO_COUNTY).context("demo county code")?;
    let cases: Vec<_> = records.cases.iter().map(|(_, c)| c.clone()).collect();
    store.bulk_cases(&Actor::system("demo"), &county, &cases, today, "demo.cases")?;
    Ok(store.case_counts(&county)?)
}

/// How long ago the demo's screening ran.
pub const SCREENED_DAYS_AGO: i64 = 8;

/// What the first monthly screening of the demo county found.
pub struct FirstScreening {
    pub flagged: u64,
    pub households: u64,
    pub new_leads: u64,
}

/// Runs the month's screening on the demo county, as the server's scheduler would.
/// `year`'s screening of the demo county run on the day `on`.
pub fn first_screening(store: &Store, year: i32, on: Date) -> Result<FirstScreening> {
    let county = RegionCode::parse(DEMO_COUNTY).context("demo county code")?;
    let run = shouwang_app::screening::run(store, &county, year, on, &Actor::system("demo"))?;
    let s = &run.outcome.summary;
    Ok(FirstScreening {
        flagged: s.flagged_households,
        households: s.households,
        new_leads: run.outcome.new_leads,
    })
}

/// `part` of `whole` in percent, one decimal.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// The State Council's 2026 holidays and make-up working days (docs/calendar/2026-national.csv),
/// entered for the demo county through the same import as a file, so that its working-day
/// deadlines count them.
fn load_calendar(store: &Store, county: &RegionCode) -> Result<()> {
    use shouwang_app::calendar::{import_calendar_bytes, CalendarImport};
    let dir = std::env::temp_dir().join(format!("shouwang-demo-calendar-{}", std::process::id()));
    let outcome = import_calendar_bytes(
        store,
        &Actor::system("demo"),
        county,
        2026,
        shouwang_io::calendar::SAMPLE_2026.as_bytes(),
        &dir,
    );
    let _ = std::fs::remove_dir(&dir);
    match outcome.context("the 2026 calendar")? {
        CalendarImport::Saved { .. } => Ok(()),
        CalendarImport::Refused { errors } => anyhow::bail!(
            "the 2026 calendar has errors: {}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

pub fn run(args: DemoArgs) -> Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let db = args.dir.join("shouwang.sqlite");
    // a demo always starts fresh
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    let store = crate::open(&format!("sqlite://{}", db.display()))?;
    let today = Date::from_unix_seconds_china(shouwang_store::now());
    let (households, persons) = build(&store, args.households, args.seed, today)?;
    let county = RegionCode::parse(DEMO_COUNTY).context("county")?;
    // the month's screening ran a week ago, so that its leads are at work: some verified, some
    // due, some overdue, and one (桃红村's) can be taken through the whole procedure today
    let screening = first_screening(&store, today.year(), today.add_days(-SCREENED_DAYS_AGO))?;
    for (username, role, region, name) in DEMO_USERS {
        crate::add_user_quiet(&store, username, role, region, name, DEMO_PASSWORD)?;
    }
    // the department user delivers the 医保 bureau's data and sees only that kind
    let yibao = store.user_by_name("yibao")?.context("department user")?;
    store.set_role_and_kind(
        &Actor::system("demo"),
        &yibao,
        shouwang_core::Role::Department,
        &county,
        Some(shouwang_core::department::DeptKind::Medical),
    )?;
    // the assistance person is one of 桃红村's (陈明, paired by the synthetic assistance); in a
    // county too small for that, the first households of 桃红村 are paired with the account
    let helper = store.user_by_name("helper")?.context("helper user")?;
    if store.paired_households(helper.id)?.is_empty() {
        let taohong = RegionCode::parse("510821108212").context("village code")?;
        let (first, _) = store.households_in(&taohong, 0, 12)?;
        for h in &first {
            store.pair(&Actor::system("demo"), helper.id, &h.household_no)?;
        }
    }
    // identifications in flight, in every stage, by the demo users where they work
    let procedures = crate::demo_procedures::seed(
        &store,
        &county,
        (households / 4_000).max(1),
        args.seed,
        today,
    )?;
    let cases = store.case_counts(&county)?;
    let townships = store.count_regions(
        &RegionCode::parse(DEMO_COUNTY).context("county")?,
        RegionLevel::Township,
    )?;
    let villages = store.count_regions(
        &RegionCode::parse(DEMO_COUNTY).context("county")?,
        RegionLevel::Village,
    )?;
    println!("演示县已生成 / demo county built: 旺苍县 {townships} 乡镇 / townships, {villages} 村 / villages, {households} 户 / households, {persons} 人 / persons in {:.1} s", started.elapsed().as_secs_f64());
    let h = households as u64;
    println!(
        "防止返贫致贫对象（监测对象）/ households under monitoring: {} 户 / households ({}%): 风险已消除 / eliminated {} (帮扶消除 / after assistance {}, 自然消除 / naturally {}), 风险未消除 / at risk {} (其中整户无劳动能力兜底保障 / of which households without labour {})",
        cases.total,
        percent(cases.total, h),
        cases.status(CaseStatus::Eliminated),
        cases.eliminated(EliminationKind::AfterAssistance),
        cases.eliminated(EliminationKind::Natural),
        cases.status(CaseStatus::AtRisk),
        cases.without_labour_open,
    );
    println!(
        "本月筛查 / this month's screening: 预警 / flagged {} 户 / households ({}% of {}), 新增线索 / new leads {}",
        screening.flagged,
        percent(screening.flagged, screening.households),
        screening.households,
        screening.new_leads,
    );
    let a = store.assistance_counts(&county)?;
    println!(
        "精准帮扶 / assistance: 帮扶责任人 / assistance persons {}, 家庭签约医生 / family doctors {}, 结对 / pairings {} (在帮 / current {}), 帮扶计划 / plans {}, 帮扶措施 / measures {}, 走访 / visits {}",
        a.persons, a.doctors, a.pairings, a.current_pairings, a.plans, a.measures, a.visits,
    );
    let by_stage: Vec<String> = procedures
        .iter()
        .map(|(stage, n)| format!("{} {n}", stage.label_zh()))
        .collect();
    println!(
        "识别认定 / identification procedures: {} ({})",
        procedures.values().sum::<usize>(),
        by_stage.join("，")
    );
    println!("数据 / data: {}", db.display());
    println!();
    println!("账号（密码均为 {DEMO_PASSWORD}）/ accounts (password {DEMO_PASSWORD} for all):");
    for (username, role, region, name) in DEMO_USERS {
        println!("  {username:<10} {role:<11} {region:<13} {name}");
    }
    if args.no_serve {
        return Ok(());
    }
    println!();
    println!("打开 / open: http://{}/  (登录页有一键登录 / the sign-in page has one-click demo logins; Ctrl-C 停止 / to stop)", args.listen);
    let config = shouwang_web::WebConfig {
        demo_mode: true,
        work_dir: args.dir.join("work"),
        ..shouwang_web::WebConfig::default()
    };
    crate::serve(store, &args.listen, config)
}
