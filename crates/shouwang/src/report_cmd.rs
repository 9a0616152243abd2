//! `shouwang report monitoring`: the monitoring statistics of a region on a date, as CSV, xlsx
//! or JSON (issue 16).

use anyhow::{bail, Context, Result};
use clap::Args;
use shouwang_app::statistics::{export, monitoring, Format};
use shouwang_core::statistics::Query;
use shouwang_core::{Date, Lang, RegionCode};
use shouwang_store::Store;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Clone)]
pub struct ReportMonitoringArgs {
    /// 区划代码（省、市、县、乡镇或村）/ region code (province, city, county, township or village)
    #[arg(long)]
    pub region: String,
    /// 统计截至日期 YYYY-MM-DD（默认今天）/ as of this date (today by default)
    #[arg(long)]
    pub as_of: Option<String>,
    /// 新识别统计期间起 / new cases from this date (1 January of the as-of year by default)
    #[arg(long)]
    pub from: Option<String>,
    /// 新识别统计期间止 / new cases until this date (the as-of date by default)
    #[arg(long)]
    pub to: Option<String>,
    /// 格式：csv、xlsx 或 json / format: csv, xlsx or json
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// 输出文件（省略则写到标准输出；xlsx 须指定）/ output file (standard output if omitted; required for xlsx)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 表头语言 zh 或 en / header language
    #[arg(long, default_value = "zh")]
    pub lang: String,
}

fn date(text: &Option<String>, what: &str) -> Result<Option<Date>> {
    text.as_deref()
        .map(|t| {
            Date::parse(t).with_context(|| {
                format!("{what}：日期须为 YYYY-MM-DD / {what}: a date must be YYYY-MM-DD")
            })
        })
        .transpose()
}

pub fn run_monitoring(store: &Store, args: &ReportMonitoringArgs) -> Result<()> {
    let region = RegionCode::parse(&args.region)
        .with_context(|| format!("区划代码无效 / not a region code: {}", args.region))?;
    let format = Format::parse(&args.format)
        .context("格式须为 csv、xlsx 或 json / --format must be csv, xlsx or json")?;
    let lang = if args.lang == "en" {
        Lang::En
    } else {
        Lang::Zh
    };
    let now = shouwang_store::now();
    let today = Date::from_unix_seconds_china(now);
    let query = Query::new(
        region,
        date(&args.as_of, "--as-of")?,
        date(&args.from, "--from")?,
        date(&args.to, "--to")?,
        today,
    )
    .map_err(|p| anyhow::anyhow!("{}", p))?;
    let report = monitoring(store, query)?;
    let exported = shouwang_app::audit::china_time(now);
    let bytes = export(&report, format, lang, &exported[..16]).map_err(|e| anyhow::anyhow!(e))?;
    match &args.out {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("写入失败 / cannot write {}", path.display()))?,
        None if format == Format::Xlsx => bail!("xlsx 须用 --out 指定文件 / xlsx needs --out FILE"),
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
