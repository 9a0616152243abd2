//! `shouwang tasks generate` (工作提示单): the monthly task lists of every village of a county,
//! what the scheduler does on the first of each month, by hand.

use anyhow::{Context, Result};
use clap::Subcommand;
use shouwang_core::date::YearMonth;
use shouwang_core::RegionCode;
use shouwang_store::audit::Actor;
use shouwang_store::Store;
use std::time::Instant;

#[derive(Subcommand, Clone)]
pub enum TasksCommand {
    /// 生成各村当月工作提示单 / generate every village's task list of a month
    Generate {
        /// 县（或乡镇、村）区划代码 / county (or township, village) code
        #[arg(long)]
        county: String,
        /// 月份 YYYY-MM（省略则为本月）/ month YYYY-MM (default: this month)
        #[arg(long)]
        month: Option<String>,
    },
}

pub fn run(store: &Store, command: TasksCommand) -> Result<()> {
    match command {
        TasksCommand::Generate { county, month } => {
            let region = RegionCode::parse(&county)
                .with_context(|| format!("区划代码“{county}”无效 / invalid region code"))?;
            let month = match month {
                Some(m) => YearMonth::parse(&m)
                    .with_context(|| format!("月份“{m}”无效，应为 YYYY-MM / invalid month"))?,
                None => YearMonth::of(crate::screen_cmd::today()),
            };
            let start = Instant::now();
            let (g, _) =
                shouwang_app::task_list::generate(store, &Actor::system("cli"), &region, month)?;
            println!(
                "{region} {month}：{} 个村，{} 项，其中逾期 {} 项，用时 {:.2} 秒 / {} villages, {} items, {} overdue, {:.2} s",
                g.villages,
                g.items,
                g.overdue,
                start.elapsed().as_secs_f64(),
                g.villages,
                g.items,
                g.overdue,
                start.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}
