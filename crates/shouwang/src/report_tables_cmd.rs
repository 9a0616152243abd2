//! `shouwang report <table> --region CODE [--from YYYY-MM --to YYYY-MM] [--format text|csv|xlsx]
//! [--output FILE]`: the supervision tables of issue 16 §2 (measures, without-measures, overdue,
//! visits, alerts, leads) as the pages show them, and `shouwang report ranking --region CODE
//! [--month YYYY-MM]`: the month's supervision ranking (an ended month is frozen on first read,
//! here as on the page). xlsx is the titled report sheet (title, region, as-of, export time).

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use shouwang_app::supervision::{self as sup, Grid, TableQuery};
use shouwang_core::date::YearMonth;
use shouwang_core::supervision::tables::TableKind;
use shouwang_core::{Date, RegionCode};
use shouwang_io::table::TableFormat;
use shouwang_store::audit::Actor;
use shouwang_store::Store;
use std::path::PathBuf;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Xlsx,
}

#[derive(Args, Clone)]
pub struct ReportTableArgs {
    /// 区划代码（县、乡镇或村）/ region code (county, township or village)
    #[arg(long)]
    pub region: String,
    /// 起始月份 YYYY-MM（走访、部门预警、线索表）/ first month YYYY-MM (visits, alerts, leads)
    #[arg(long)]
    pub from: Option<String>,
    /// 截止月份 YYYY-MM / last month YYYY-MM
    #[arg(long)]
    pub to: Option<String>,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// 输出文件（xlsx 默认为 <表名>-<区划>.xlsx；其余默认输出到屏幕）/ output file (xlsx: <table>-<region>.xlsx by default; otherwise standard output)
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// 以此日期为“今天”（测试与补报用）/ take this day as today (for tests and late reports)
    #[arg(long)]
    pub today: Option<String>,
}

#[derive(Args, Clone)]
pub struct ReportRankingArgs {
    /// 县或乡镇区划代码（村则为其所在乡镇）/ county or township code (a village's township for a village)
    #[arg(long)]
    pub region: String,
    /// 月份 YYYY-MM（省略则为本月）/ month YYYY-MM (default: this month)
    #[arg(long)]
    pub month: Option<String>,
    /// 导出乡镇排序（县）/ the townships instead of the villages (a county)
    #[arg(long)]
    pub townships: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[arg(long)]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub today: Option<String>,
}

fn region_of(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text).with_context(|| format!("区划代码“{text}”无效 / invalid region code"))
}

fn month_of(text: &Option<String>) -> Result<Option<YearMonth>> {
    text.as_deref()
        .map(|m| {
            YearMonth::parse(m)
                .with_context(|| format!("月份“{m}”无效，应为 YYYY-MM / invalid month"))
        })
        .transpose()
}

fn today_of(text: &Option<String>) -> Result<Date> {
    match text {
        Some(t) => Date::parse(t).with_context(|| format!("日期“{t}”无效 / invalid date")),
        None => Ok(crate::screen_cmd::today()),
    }
}

fn stamp() -> String {
    let secs = shouwang_store::now();
    let day = Date::from_unix_seconds_china(secs);
    let minutes = (secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// Writes a grid in the format asked.
fn emit(
    store: &Store,
    grid: &Grid,
    slug: &str,
    region: &RegionCode,
    format: Format,
    output: Option<PathBuf>,
) -> Result<()> {
    let name = store
        .region(region)?
        .map_or_else(|| region.to_string(), |r| r.name);
    match format {
        Format::Text => {
            println!("{}\n区划：{name}（{region}）  {}", grid.title, grid.as_of);
            println!("{}", grid.header.join("\t"));
            for row in grid.text_rows() {
                println!("{}", row.join("\t"));
            }
            if let Some(n) = &grid.note {
                println!("{n}");
            }
            Ok(())
        }
        Format::Csv | Format::Xlsx => {
            let f = if format == Format::Csv {
                TableFormat::Csv
            } else {
                TableFormat::Xlsx
            };
            let head = sup::head(grid, &name, region, &stamp(), false);
            let bytes = sup::export(grid, &head, f).map_err(anyhow::Error::msg)?;
            match (output, f) {
                (Some(path), _) => {
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("写入 {} 失败 / cannot write", path.display()))?;
                    eprintln!("已写入 / written: {}", path.display());
                }
                (None, TableFormat::Xlsx) => {
                    let path = PathBuf::from(format!("{slug}-{region}.xlsx"));
                    std::fs::write(&path, &bytes)?;
                    eprintln!("已写入 / written: {}", path.display());
                }
                (None, TableFormat::Csv) => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(())
        }
    }
}

/// `shouwang report <table>`.
pub fn table(store: &Store, kind: TableKind, a: ReportTableArgs) -> Result<()> {
    let region = region_of(&a.region)?;
    if store.region(&region)?.is_none() {
        bail!("没有区划 {region} / no such region");
    }
    let q = TableQuery {
        region: region.clone(),
        today: today_of(&a.today)?,
        from: month_of(&a.from)?,
        to: month_of(&a.to)?,
        en: false,
    };
    let grid = sup::table(store, kind, &q)?;
    emit(store, &grid, kind.slug(), &region, a.format, a.output)
}

/// `shouwang report ranking`.
pub fn ranking(store: &Store, a: ReportRankingArgs) -> Result<()> {
    let region = region_of(&a.region)?;
    let today = today_of(&a.today)?;
    let month = month_of(&a.month)?.unwrap_or_else(|| YearMonth::of(today));
    let scope = sup::ranking_scope(&region);
    let read = sup::ranking(store, &Actor::system("cli"), &scope, month, today)?;
    let grid = sup::ranking_grid(&read.ranking, a.townships, false);
    if a.format == Format::Text {
        match &read.frozen {
            Some((by, at)) => println!(
                "（已保存的排序：{by}，{} / kept ranking）",
                Date::from_unix_seconds_china(*at)
            ),
            None => println!("（本月实时计算 / computed now）"),
        }
        println!("{}", grid.about);
    }
    emit(store, &grid, "ranking", &scope, a.format, a.output)
}
