//! `shouwang screen` (监测预警筛查), `shouwang standard` (监测标准), and the demo county's incomes,
//! 三保障 flags and provincial standard.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use shouwang_app::screening;
use shouwang_core::income::Income;
use shouwang_core::screening::WarningLevel;
use shouwang_core::standard::Standard;
use shouwang_core::synth::{records, SynthRecords};
use shouwang_core::{Date, Fen, Household, Member, Problem, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income::Guarantees;
use shouwang_store::screening::LoadedSnapshot;
use shouwang_store::{Store, StoreError};
use std::time::Instant;

/// The demo's provincial monitoring line for 四川 (51), in 元. No official Sichuan figure was found
/// (domain-research.md §2: "the provincial lines for Sichuan … NOT FOUND"); 8,700 元 is the 2025
/// 云南 line (PRODUCT.md §2), used here as a placeholder a county replaces with
/// `shouwang standard set`.
pub const DEMO_LINE_YUAN: i64 = 8_700;

#[derive(Args, Clone)]
pub struct ScreenArgs {
    /// 区划代码（县或以下；省略则为库中唯一的县）/ region code (a county or below; default: the only county)
    #[arg(long)]
    pub region: Option<String>,
    /// 年度（省略则为今年）/ year (default: this year)
    #[arg(long)]
    pub year: Option<i32>,
    /// 模拟测算，不写库：line=9200（元）、near_line_percent=15、R05=off … / what-if, nothing written
    #[arg(long = "what-if", num_args = 1..)]
    pub what_if: Vec<String>,
    /// 操作人（记入筛查记录）/ who runs it (recorded with the run)
    #[arg(long, default_value = "cli")]
    pub actor: String,
}

#[derive(Subcommand, Clone)]
pub enum StandardCommand {
    /// 设定某区划某年度的监测标准 / set a region's standard for a year
    Set {
        /// 省、市或县的区划代码 / province, city or county code
        #[arg(long)]
        region: String,
        /// 年度 / year
        #[arg(long)]
        year: i32,
        /// 监测线（元/人·年）/ monitoring line (元 per person and year)
        #[arg(long)]
        line: Option<String>,
        /// 临界线幅度（%）/ near-line margin (percent)
        #[arg(long)]
        near_line_percent: Option<i64>,
        /// 收入骤降幅度（%）/ income drop (percent)
        #[arg(long)]
        income_drop_percent: Option<i64>,
        /// 刚性支出占比（%）/ rigid expenditure share (percent)
        #[arg(long)]
        rigid_expenditure_percent: Option<i64>,
        /// 刚性支出金额（元）/ rigid expenditure amount (元)
        #[arg(long)]
        rigid_expenditure_amount: Option<String>,
        /// 非义务教育阶段费用（元）/ non-compulsory schooling cost (元)
        #[arg(long)]
        schooling_cost_threshold: Option<String>,
        /// 文号 / the notice that set it
        #[arg(long, default_value = "")]
        document: String,
    },
    /// 显示某区划某年度生效的监测标准 / show the standard in force
    Show {
        #[arg(long)]
        region: String,
        #[arg(long)]
        year: Option<i32>,
    },
}

fn problems_text(p: &[Problem]) -> String {
    p.iter()
        .map(|p| format!("{} / {}", p.zh, p.en))
        .collect::<Vec<_>>()
        .join("\n")
}

fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(p) => anyhow::anyhow!("{}", problems_text(&p)),
        other => anyhow::anyhow!("{other}"),
    }
}

fn parse_region(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text)
        .with_context(|| format!("区划代码“{text}”无效 / invalid region code '{text}'"))
}

fn yuan(text: &str) -> Result<Fen> {
    Fen::parse_yuan(text).map_err(|e| {
        anyhow::anyhow!(
            "金额“{text}”无效（{}）/ invalid amount '{text}' ({e})",
            e.zh()
        )
    })
}

pub fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

/// Peak resident memory of this process (VmHWM), in MiB, on Linux.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The region to screen: the one given, or the only county with households.
pub fn screen_region(store: &Store, region: Option<&str>) -> Result<RegionCode> {
    if let Some(r) = region {
        return parse_region(r);
    }
    let counties = store.counties_with_households().map_err(store_err)?;
    match counties.as_slice() {
        [one] => parse_region(one),
        [] => bail!("库中没有农户 / the database has no households"),
        many => bail!(
            "库中有{}个县，请用 --region 指定 / {} counties in the database; choose one with --region ({})",
            many.len(),
            many.len(),
            many.join(", ")
        ),
    }
}

fn town_name(store: &Store, code: &str) -> String {
    RegionCode::from_canonical(code)
        .and_then(|c| store.region(&c).ok().flatten())
        .map(|r| r.name)
        .unwrap_or_default()
}

pub fn run(store: &Store, args: &ScreenArgs) -> Result<()> {
    let started = Instant::now();
    let region = screen_region(store, args.region.as_deref())?;
    let today = today();
    let year = args.year.unwrap_or(today.year());
    if !args.what_if.is_empty() {
        let loaded = store
            .load_snapshot(&region, year, today)
            .map_err(store_err)?;
        return run_what_if(
            store,
            &loaded,
            &args.what_if,
            started.elapsed().as_secs_f64(),
        );
    }
    let actor = Actor {
        user_id: None,
        username: format!("cli:{}", args.actor),
    };
    let run = screening::run(store, &region, year, today, &actor).map_err(store_err)?;
    let s = &run.outcome.summary;
    println!(
        "筛查 / screening {region} {year}：监测线 / line {} 元，规则集 / rule set v{}",
        shouwang_core::money::format_hundredths(run.standard.monitoring_line.0),
        run.rule_set_version
    );
    println!(
        "  {} 户 / households, {} 人 / persons; 预警 / flagged {} 户 {} 人; 命中 / hits {}",
        s.households, s.persons, s.flagged_households, s.flagged_persons, run.outcome.hits
    );
    for level in WarningLevel::ALL {
        println!(
            "  {} / {:<6} {:>8} 户",
            level.label_zh(),
            level.label_en(),
            s.by_level[level.index()]
        );
    }
    println!("  乡镇 / township                          红      黄      蓝");
    for (town, counts) in &run.per_township {
        println!(
            "  {town} {:<20} {:>7} {:>7} {:>7}",
            town_name(store, town),
            counts[0],
            counts[1],
            counts[2]
        );
    }
    match run.outcome.run_id {
        Some(id) => println!(
            "已保存筛查记录 / saved run #{id}: 新增线索 / new leads {}",
            run.outcome.new_leads
        ),
        None => println!(
            "数据未变，未写入任何内容 / nothing changed since the last run: nothing written, no new leads"
        ),
    }
    let t = run.timings;
    println!(
        "用时 / time: load {:.2} s, evaluate {:.3} s, save {:.2} s, total {:.2} s; peak memory {:.0} MiB",
        t.load.as_secs_f64(),
        t.evaluate.as_secs_f64(),
        t.save.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(0.0)
    );
    Ok(())
}

fn run_what_if(
    store: &Store,
    loaded: &LoadedSnapshot,
    edits: &[String],
    load_s: f64,
) -> Result<()> {
    let w = screening::what_if_edits(loaded, edits)
        .map_err(|p| anyhow::anyhow!("{}", problems_text(&p)))?;
    println!(
        "模拟测算（不写库）/ what-if (nothing written): {} {}，监测线 / line {} → {} 元",
        loaded.region,
        loaded.year,
        shouwang_core::money::format_hundredths(loaded.standard.monitoring_line.0),
        shouwang_core::money::format_hundredths(w.edited_standard.monitoring_line.0)
    );
    println!(
        "  乡镇 / township                        现在户/人          测算户/人        变化户/人"
    );
    for a in w
        .counts
        .townships
        .iter()
        .chain(std::iter::once(&w.counts.total))
    {
        let code = a
            .region
            .as_ref()
            .map_or("合计/total".to_string(), |r| r.to_string());
        let name = a
            .region
            .as_ref()
            .map_or(String::new(), |r| town_name(store, r.as_str()));
        println!(
            "  {code:<10} {name:<16} {:>8}/{:<8} {:>8}/{:<8} {:>+7}/{:<+7}",
            a.current.households,
            a.current.persons,
            a.edited.households,
            a.edited.persons,
            a.household_change(),
            a.person_change()
        );
    }
    println!(
        "用时 / time: load {load_s:.2} s, what-if {:.3} s",
        w.took.as_secs_f64()
    );
    Ok(())
}

pub fn standard(store: &Store, command: StandardCommand) -> Result<()> {
    match command {
        StandardCommand::Set {
            region,
            year,
            line,
            near_line_percent,
            income_drop_percent,
            rigid_expenditure_percent,
            rigid_expenditure_amount,
            schooling_cost_threshold,
            document,
        } => {
            let region = parse_region(&region)?;
            // start from the region's own standard of that year, if any
            let mut s = store
                .all_standards()
                .map_err(store_err)?
                .into_iter()
                .find(|s| s.region == region && s.year == year)
                .unwrap_or_else(|| Standard::empty(year, region.clone()));
            if let Some(l) = line {
                s.monitoring_line = Some(yuan(&l)?);
            }
            if near_line_percent.is_some() {
                s.near_line_percent = near_line_percent;
            }
            if income_drop_percent.is_some() {
                s.income_drop_percent = income_drop_percent;
            }
            if rigid_expenditure_percent.is_some() {
                s.rigid_expenditure_percent = rigid_expenditure_percent;
            }
            if let Some(a) = rigid_expenditure_amount {
                s.rigid_expenditure_amount = Some(yuan(&a)?);
            }
            if let Some(a) = schooling_cost_threshold {
                s.schooling_cost_threshold = Some(yuan(&a)?);
            }
            if !document.is_empty() {
                s.document = document;
            }
            store
                .save_standard(&Actor::system("cli"), &s)
                .map_err(store_err)?;
            println!("已保存 / saved the standard of {region} for {year}");
            show(store, &region, year)
        }
        StandardCommand::Show { region, year } => {
            let region = parse_region(&region)?;
            show(store, &region, year.unwrap_or(today().year()))
        }
    }
}

fn show(store: &Store, region: &RegionCode, year: i32) -> Result<()> {
    let r = store.resolved_standard(region, year).map_err(store_err)?;
    let y = |f: Fen| shouwang_core::money::format_hundredths(f.0);
    println!("{region} {year} 生效标准 / standard in force:");
    println!(
        "  监测线 / monitoring line          {} 元",
        y(r.monitoring_line)
    );
    println!(
        "  临界线幅度 / near-line margin      {}%",
        r.near_line_percent
    );
    println!(
        "  收入骤降 / income drop            {}%",
        r.income_drop_percent
    );
    println!(
        "  刚性支出 / rigid expenditure      {}% 或 / or {} 元",
        r.rigid_expenditure_percent,
        y(r.rigid_expenditure_amount)
    );
    println!(
        "  非义务教育费用 / schooling cost    {} 元",
        y(r.schooling_cost_threshold)
    );
    println!(
        "  预警响应 / response days          红 {} 黄 {} 蓝 {}",
        r.warning_scheme.red_days, r.warning_scheme.yellow_days, r.warning_scheme.blue_days
    );
    for o in &r.origins {
        if let Some((region, year)) = &o.from {
            println!("    {} ← {region} {year}", o.field);
        }
    }
    Ok(())
}

/// The demo's incomes (this year and last), 三保障 checks and the provincial standard, from the
/// records core made for the households ([`shouwang_core::synth::records`]: most households
/// comfortably above the line, a trickle near or below it). Returns (incomes, checks) written.
pub fn seed_demo(
    store: &Store,
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
    today: Date,
) -> Result<(usize, usize)> {
    let year = today.year();
    let province = RegionCode::parse("51").context("province code")?;
    let line = Fen::from_yuan(DEMO_LINE_YUAN);
    for y in [year - 1, year] {
        let mut s = Standard::provincial(y, province.clone(), line);
        s.document = "演示数据（四川省监测线未查到，暂用8700元）/ demo placeholder".into();
        store
            .save_standard(&Actor::system("demo"), &s)
            .map_err(store_err)?;
    }
    let (incomes, guarantees) = ledger_rows(data, records);
    store
        .bulk_ledger(&Actor::system("demo"), &incomes, &guarantees, "demo.ledger")
        .map_err(store_err)
}

type IncomeRows = Vec<(String, String, Income)>;
type GuaranteeRows = Vec<(String, String, Guarantees)>;

/// The demo's income and check records as the store takes them (also used by the benchmark).
pub fn demo_ledger(
    data: &[(Household, Vec<Member>)],
    seed: u64,
    today: Date,
    line: Fen,
) -> (IncomeRows, GuaranteeRows) {
    ledger_rows(data, &records(data, seed, today, line))
}

fn ledger_rows(
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
) -> (IncomeRows, GuaranteeRows) {
    let key = |i: usize| {
        let h = &data[i].0;
        let county = h
            .village
            .county()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        (county, h.household_no.clone())
    };
    let incomes = records
        .incomes
        .iter()
        .map(|(i, inc)| {
            let (county, no) = key(*i);
            (county, no, *inc)
        })
        .collect();
    let guarantees = records
        .checks
        .iter()
        .map(|(i, c)| {
            let (county, no) = key(*i);
            let g = Guarantees {
                as_of: c.as_of,
                unsafe_housing: c.unsafe_housing,
                dropout: c.dropout,
                uninsured: c.uninsured,
                unsafe_water: c.unsafe_water,
                food_clothing: false,
                source: "演示核查 / demo check".into(),
            };
            (county, no, g)
        })
        .collect();
    (incomes, guarantees)
}
