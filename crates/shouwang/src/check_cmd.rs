//! `shouwang check` (数据质量核查): the whole data-quality catalogue over a region, the count per
//! rule printed, and the records to fix (or the counts per rule or village) written as CSV or
//! xlsx with the report head (title, region, date, export time).

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use shouwang_app::quality::{run as run_checks, table_rows, QualityTable};
use shouwang_core::{Lang, RegionCode};
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead};
use shouwang_store::Store;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckTable {
    /// 疑点明细 / the records to fix
    Findings,
    /// 按规则统计 / count per rule
    Rules,
    /// 按村统计 / count per village
    Villages,
}

#[derive(Args, Clone)]
pub struct CheckArgs {
    /// 县（或乡镇、村）区划代码；省略则为库中唯一的县 / county (or township, village) code; default: the database's county
    #[arg(long)]
    pub region: Option<String>,
    /// 导出格式；省略则只打印按规则统计 / export format; without it only the count per rule is printed
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,
    /// 导出哪张表 / which table to export
    #[arg(long, value_enum, default_value_t = CheckTable::Findings)]
    pub table: CheckTable,
    /// 导出文件；省略则按表名和日期命名 / output file; default: named after the table and the date
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 核查日期 YYYY-MM-DD（省略则为今天）/ the day to check on (default: today)
    #[arg(long)]
    pub date: Option<String>,
}

pub fn run(store: &Store, args: &CheckArgs) -> Result<()> {
    let region = match &args.region {
        Some(r) => RegionCode::parse(r)
            .with_context(|| format!("区划代码“{r}”无效 / invalid region code"))?,
        None => {
            let counties = store.quality_counties()?;
            match counties.as_slice() {
                [one] => RegionCode::parse(one).context("county")?,
                [] => bail!("库中没有农户 / the database holds no household"),
                _ => bail!(
                    "库中有多个县（{}），请用 --region 指定 / several counties: choose one with --region",
                    counties.join("、")
                ),
            }
        }
    };
    let today = match &args.date {
        Some(d) => shouwang_core::Date::parse(d)
            .with_context(|| format!("日期“{d}”无效 / invalid date"))?,
        None => crate::screen_cmd::today(),
    };
    let started = Instant::now();
    let run = run_checks(store, &region, today)?;
    let seconds = started.elapsed().as_secs_f64();
    let names = store.quality_region_names(&region)?;
    let region_name = names
        .get(region.as_str())
        .cloned()
        .unwrap_or_else(|| region.to_string());
    println!(
        "{region_name}（{region}）{today}：{} 户 {} 人，疑点 {} 条待整改、{} 条已豁免，用时 {seconds:.2} 秒 / {} households, {} persons, {} findings to fix, {} exempted, {seconds:.2} s",
        run.households,
        run.persons,
        run.open(),
        run.findings.len() as u64 - run.open(),
        run.households,
        run.persons,
        run.open(),
        run.findings.len() as u64 - run.open(),
    );
    for c in run.by_rule().iter().filter(|c| c.open + c.exempted > 0) {
        println!(
            "  {:<9} {:>7} {:>5}  {}",
            c.rule.display_code(),
            c.open,
            c.exempted,
            c.rule.label_zh()
        );
    }
    let Some(format) = args.format else {
        return Ok(());
    };
    let table = match args.table {
        CheckTable::Findings => QualityTable::Findings,
        CheckTable::Rules => QualityTable::Rules,
        CheckTable::Villages => QualityTable::Villages,
    };
    let (header, rows) = table_rows(&run, table, &names, Lang::Zh);
    let ext = match format {
        CheckFormat::Csv => "csv",
        CheckFormat::Xlsx => "xlsx",
    };
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "数据质量核查-{}-{region}-{today}.{ext}",
            table.slug()
        ))
    });
    let bytes = match format {
        CheckFormat::Csv => csv_bytes(&header, &rows),
        CheckFormat::Xlsx => {
            let head = ReportHead {
                title: table.title(Lang::Zh).to_string(),
                region_line: format!("区划：{region_name}（{region}）"),
                as_of_line: format!("核查日期：{today}"),
                exported_line: format!("导出时间：{}", now_text()),
            };
            report_xlsx_bytes(&head, "数据质量", &header, &rows, table.numeric_from())
        }
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&out, bytes).with_context(|| format!("写入 {}", out.display()))?;
    println!("已写入 {}（{} 行）/ written", out.display(), rows.len());
    Ok(())
}

/// The time now in China, `YYYY-MM-DD HH:MM`.
pub fn now_text() -> String {
    let secs = shouwang_store::now() + 8 * 3600;
    let day = shouwang_core::Date::from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{day} {:02}:{:02}", s / 3600, s % 3600 / 60)
}
