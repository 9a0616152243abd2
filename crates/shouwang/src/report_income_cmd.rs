//! `shouwang report income` (促增收): a region's income figures of a year (per-capita net income of
//! 脱贫 and monitored persons by kind, growth against the rural growth, households whose income
//! fell) or its low-income ledger, as csv, xlsx (the titled report sheet) or json; and
//! `shouwang bench income`, the report on a county of N households.

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use shouwang_app::income_tracking::{self as it, Table};
use shouwang_core::RegionCode;
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead};
use shouwang_store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IncomeFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IncomeTable {
    /// 收入情况表 / the figures
    Figures,
    /// 低收入户台账 / the low-income ledger
    Ledger,
}

#[derive(Args, Clone)]
pub struct ReportIncomeArgs {
    /// 区划代码（县、乡镇或村）/ region code (county, township or village)
    #[arg(long)]
    pub region: String,
    /// 年度（省略则为今年）/ year (default: this year)
    #[arg(long)]
    pub year: Option<i32>,
    /// 格式 / format
    #[arg(long, value_enum, default_value = "csv")]
    pub format: IncomeFormat,
    /// 哪张表 / which table
    #[arg(long, value_enum, default_value = "figures")]
    pub table: IncomeTable,
    /// 输出文件（省略则写到标准输出；xlsx 必须指定）/ output file (stdout if omitted; required for xlsx)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 英文表头 / English headers
    #[arg(long)]
    pub en: bool,
}

fn head(store: &Store, region: &RegionCode, table: &Table, en: bool) -> Result<ReportHead> {
    let name = store
        .region(region)?
        .map_or_else(|| region.to_string(), |r| r.name);
    let today = crate::screen_cmd::today();
    let now = time_now();
    Ok(if en {
        ReportHead {
            title: table.title.clone(),
            region_line: format!("Region: {name} ({region})"),
            as_of_line: format!("As of: {today}"),
            exported_line: format!("Exported: {now}"),
        }
    } else {
        ReportHead {
            title: table.title.clone(),
            region_line: format!("区划：{name}（{region}）"),
            as_of_line: format!("截至：{today}"),
            exported_line: format!("导出时间：{now}"),
        }
    })
}

/// Now in China time, `2026-12-01 09:30`.
fn time_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = shouwang_core::Date::from_unix_seconds_china(secs);
    let minutes = (secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

pub fn run(store: &Store, args: ReportIncomeArgs) -> Result<()> {
    let region = RegionCode::parse(&args.region)
        .with_context(|| format!("区划代码“{}”无效 / invalid region code", args.region))?;
    let today = crate::screen_cmd::today();
    let year = args.year.unwrap_or(today.year());
    let report = it::report(store, &region, year, today)?;
    let names = it::region_names(store, &report)?;
    let table = match args.table {
        IncomeTable::Figures => it::figures_table(&report, &names, args.en),
        IncomeTable::Ledger => it::ledger_table(&report, &names, args.en),
    };
    let bytes = match args.format {
        IncomeFormat::Json => serde_json::to_vec_pretty(&match args.table {
            IncomeTable::Figures => serde_json::json!({
                "region": report.region,
                "year": report.year,
                "thresholds": report.thresholds,
                "totals": report.totals,
                "rows": report.rows,
            }),
            IncomeTable::Ledger => serde_json::json!({
                "region": report.region,
                "year": report.year,
                "ledger": report.ledger,
            }),
        })?,
        IncomeFormat::Csv => {
            let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
            csv_bytes(&header, &table.rows).map_err(anyhow::Error::msg)?
        }
        IncomeFormat::Xlsx => {
            if args.out.is_none() {
                bail!("xlsx 须用 --out 指定输出文件 / xlsx needs --out FILE");
            }
            let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
            let h = head(store, &region, &table, args.en)?;
            report_xlsx_bytes(&h, "收入", &header, &table.rows, table.numeric_from)
                .map_err(anyhow::Error::msg)?
        }
    };
    match &args.out {
        Some(p) => {
            std::fs::write(p, &bytes).with_context(|| format!("writing {}", p.display()))?;
            eprintln!(
                "{}：{} 行，未销号 {} 户 / {} rows, {} open ledger entries → {}",
                table.title,
                table.rows.len(),
                report.open_entries(),
                table.rows.len(),
                report.open_entries(),
                p.display()
            );
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

#[derive(Args, Clone)]
pub struct BenchIncomeArgs {
    /// 测试库户数 / households in the benchmark database (30,000 ≈ 100,000 persons)
    #[arg(long, default_value_t = 30_000)]
    pub households: usize,
    /// 数据目录（保留测试库；省略则用临时目录）/ data directory (kept; a temporary one if omitted)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// 若测试库已存在则直接使用 / reuse the database in --dir if it exists
    #[arg(long)]
    pub reuse: bool,
    /// 计时次数 / runs timed
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
}

/// The income report of a county of N households on SQLite: the first run (which enters the
/// ledger), warm runs, the tables and the xlsx; beside it a naive anchor, each household's
/// incomes read one by one as the household page does.
pub fn bench(args: BenchIncomeArgs) -> Result<()> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("shouwang-bench-income-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench-income.sqlite");
    let url = format!("sqlite://{}", db.display());
    if !(args.reuse && db.exists()) {
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", db.display()));
            if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
        crate::bench_screen::build(&url, args.households)?;
    }
    let store = crate::open(&url)?;
    let county = RegionCode::parse("510821").context("county")?;
    let today = crate::screen_cmd::today();
    let year = today.year();
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let first = it::report(&store, &county, year, today)?;
    println!(
        "first report ({} households on the ledger after it): {:.1} ms",
        first.ledger.len(),
        ms(t)
    );
    // where a warm report's time goes
    let t = Instant::now();
    let (facts_now, _) = store.income_two_year_facts(&county, year)?;
    let read = ms(t);
    let t = Instant::now();
    let entered = it::refresh_ledger(&store, &facts_now, year, today)?;
    let refresh = ms(t);
    let t = Instant::now();
    let sums = shouwang_core::income_tracking::figures(facts_now.iter());
    let subs = shouwang_core::income_tracking::figures_by_subregion(&facts_now, 9);
    let count = ms(t);
    let t = Instant::now();
    let entries = store.low_income_entries(&county, year, false)?;
    let persons = store.responsible_persons(&county, today)?;
    let ledger_read = ms(t);
    println!(
        "  parts: facts of two years {read:.1} ms ({} households), ledger refresh {refresh:.1} ms ({entered} new), \
         figures {count:.1} ms ({} groups, {} areas), ledger and responsible persons {ledger_read:.1} ms ({} entries, {} paired)",
        facts_now.len(),
        sums.len(),
        subs.len(),
        entries.len(),
        persons.len()
    );
    let mut times = Vec::new();
    let mut report = first;
    for _ in 0..args.repeat.max(1) {
        let t = Instant::now();
        report = it::report(&store, &county, year, today)?;
        times.push(ms(t));
    }
    times.sort_by(f64::total_cmp);
    let all = report
        .totals
        .iter()
        .find(|g| g.group == shouwang_core::income_tracking::Group::All)
        .context("totals")?;
    println!(
        "county {}: {} households / {} persons with an income of {year}, {} on the ledger",
        county,
        all.current.households,
        all.current.persons,
        report.ledger.len()
    );
    println!(
        "income report, warm: median {:.1} ms, best {:.1} ms, worst {:.1} ms ({} runs)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    );
    let t = Instant::now();
    let names = it::region_names(&store, &report)?;
    let figures = it::figures_table(&report, &names, false);
    let ledger = it::ledger_table(&report, &names, false);
    let header: Vec<&str> = ledger.header.iter().map(String::as_str).collect();
    let h = head(&store, &county, &ledger, false)?;
    let xlsx = report_xlsx_bytes(&h, "台账", &header, &ledger.rows, ledger.numeric_from)
        .map_err(anyhow::Error::msg)?;
    println!(
        "tables ({} figure rows, {} ledger rows) and the ledger xlsx ({} KB): {:.1} ms",
        figures.rows.len(),
        ledger.rows.len(),
        xlsx.len() / 1024,
        ms(t)
    );
    // the naive anchor: the household page's read, once per household of the report
    let facts = store.income_year_facts(&county, year)?;
    let sample: Vec<&str> = facts
        .iter()
        .map(|h| h.household_no.as_str())
        .take(2_000)
        .collect();
    let t = Instant::now();
    for no in &sample {
        store.incomes(no)?;
    }
    let per = ms(t) / sample.len().max(1) as f64;
    println!(
        "naive anchor (household by household, {} sampled): {:.3} ms each → {:.0} ms for {} households",
        sample.len(),
        per,
        per * facts.len() as f64,
        facts.len()
    );
    Ok(())
}
