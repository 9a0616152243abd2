//! `shouwang calendar`: a region's working calendar (工作日历) — import a year's holidays and
//! make-up working days from a file, and show what holds for a region.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use shouwang_app::calendar::{import_calendar, CalendarImport, CalendarImportError};
use shouwang_core::calendar::DayKind;
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use shouwang_store::{Store, StoreError};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// 导入某区划某年的法定节假日和调休上班日（CSV 或 xlsx：日期、类型、名称）/ import a region's holidays and make-up working days of a year (CSV or xlsx: 日期, 类型, 名称)
    Import {
        /// 省、市或县的区划代码 / province, city or county code
        #[arg(long)]
        region: String,
        /// 年度 / year
        #[arg(long)]
        year: i32,
        /// 文件，例如 docs/calendar/2026-national.csv / the file, e.g. docs/calendar/2026-national.csv
        file: PathBuf,
    },
    /// 显示某区划某年的工作日历（含上级设定的日期）/ show a region's calendar of a year (with the days set above it)
    Show {
        /// 区划代码 / region code
        #[arg(long)]
        region: String,
        /// 年度 / year
        #[arg(long)]
        year: i32,
    },
}

fn parse_region(text: &str) -> Result<RegionCode> {
    RegionCode::parse(text)
        .with_context(|| format!("区划代码“{text}”无效 / invalid region code '{text}'"))
}

fn store_err(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(p) => anyhow::anyhow!(
            "{}",
            p.iter()
                .map(|p| format!("{}: {} / {}", p.field, p.zh, p.en))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

pub fn run(store: &Store, command: CalendarCommand) -> Result<()> {
    match command {
        CalendarCommand::Import { region, year, file } => {
            let region = parse_region(&region)?;
            let outcome = import_calendar(store, &Actor::system("cli"), &region, year, &file);
            match outcome {
                Ok(CalendarImport::Saved { days }) => {
                    println!(
                        "已保存 {region} {year} 年工作日历：{days} 天（已记入审计日志）/ saved the {year} calendar of {region}: {days} days (audited)"
                    );
                    Ok(())
                }
                Ok(CalendarImport::Refused { errors }) => {
                    for e in &errors {
                        eprintln!("{e}");
                    }
                    bail!(
                        "{} 行有错误，未保存任何日期 / {} rows have errors; nothing was saved",
                        errors.len(),
                        errors.len()
                    )
                }
                Err(CalendarImportError::File(e)) => bail!("{}: {e}", file.display()),
                Err(CalendarImportError::Store(e)) => Err(store_err(e)),
            }
        }
        CalendarCommand::Show { region, year } => {
            let region = parse_region(&region)?;
            let days = store.calendar_days(&region, year).map_err(store_err)?;
            if days.is_empty() {
                println!("{region} {year} 年没有录入节假日，按周一至周五上班计算 / no days entered for {region} in {year}: Monday to Friday are working days");
            }
            for e in days {
                let kind = match e.day.kind {
                    DayKind::Holiday => "法定节假日 / public holiday",
                    DayKind::MakeUpWorkday => "调休上班日 / make-up working day",
                };
                println!("{}  {kind}  {}  ({})", e.day.date, e.day.name, e.region);
            }
            Ok(())
        }
    }
}
