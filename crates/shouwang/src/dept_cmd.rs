//! `shouwang dept`: department data from the command line — import a department's file as one
//! batch with a progress bar, and roll a batch back with a reason.
//!
//! The progress bar is drawn by hand on stderr: bytes read of the file's size, rows and rows per
//! second, redrawn at most ten times a second on a terminal; plain lines at most once a second
//! when stderr is not a terminal (a log, a script). The summary goes to stdout.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use shouwang_app::department::{
    import_file, rollback, BatchInput, ImportError, ImportOutcome, Progress,
};
use shouwang_core::date::YearMonth;
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::{RegionCode, RegionLevel};
use shouwang_store::audit::Actor;
use shouwang_store::department::BatchRecord;
use shouwang_store::Store;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum DeptCommand {
    /// 导入部门数据文件（xlsx 或 CSV），作为一个批次 / import a department's file (xlsx or CSV) as one batch
    Import {
        /// 数据种类：medical 医保、dibao 民政、disability 残联、education 教育、housing 住建、disaster 应急、employment 人社、death 公安、assets 资产核查 / the kind of data
        #[arg(long)]
        kind: String,
        /// 县级区划代码（6位）；数据库中只有一个县有农户时可省略 / county code (6 digits); may be left out when one county has households
        #[arg(long)]
        county: Option<String>,
        /// 数据所属期 YYYY-MM / the period the data covers, YYYY-MM
        #[arg(long)]
        period: Option<String>,
        /// 部门数据文件 / the department's file
        file: PathBuf,
    },
    /// 撤回一个批次（其预警及仅由其产生的线索一并撤回）/ roll a batch back (its alerts and the leads it alone raised)
    Rollback {
        /// 批次编号 / the batch number
        batch: i64,
        /// 撤回原因 / why
        #[arg(long)]
        reason: String,
    },
}

pub fn run(store: &Store, command: DeptCommand) -> Result<()> {
    match command {
        DeptCommand::Import {
            kind,
            county,
            period,
            file,
        } => import(store, &kind, county.as_deref(), period.as_deref(), &file),
        DeptCommand::Rollback { batch, reason } => {
            let b = rollback(store, &Actor::system("cli"), batch, &reason).map_err(refusal)?;
            println!(
                "第{}批（{}）已撤回：{} / batch {} ({}) rolled back: {}",
                b.id,
                b.kind.label_zh(),
                b.rollback_reason.as_deref().unwrap_or(""),
                b.id,
                b.kind.label_en(),
                b.rollback_reason.as_deref().unwrap_or("")
            );
            Ok(())
        }
    }
}

fn refusal(e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Refused(p) => anyhow::anyhow!("{} / {} [{}]", p.zh, p.en, p.code),
        ImportError::Store(shouwang_store::StoreError::NotFound) => {
            anyhow::anyhow!("没有该批次 / no such batch")
        }
        ImportError::Store(e) => anyhow::anyhow!("{e}"),
    }
}

fn county_of(store: &Store, county: Option<&str>) -> Result<RegionCode> {
    if let Some(c) = county {
        let code = RegionCode::parse(c)
            .filter(|r| r.level() == RegionLevel::County)
            .with_context(|| {
                format!("--county 需要县级代码（6位）/ --county needs a county code (6 digits), got {c}")
            })?;
        return Ok(code);
    }
    let all = store.counties_with_households()?;
    match all.as_slice() {
        [one] => RegionCode::from_canonical(one).context("stored county code"),
        [] => bail!("数据库中没有农户，请先导入台账 / the database holds no households: import a ledger first"),
        _ => bail!(
            "数据库中有多个县（{}），请用 --county 指定 / the database holds several counties ({}): choose one with --county",
            all.join("、"),
            all.join(", ")
        ),
    }
}

fn import(
    store: &Store,
    kind: &str,
    county: Option<&str>,
    period: Option<&str>,
    file: &std::path::Path,
) -> Result<()> {
    let Some(kind) = DeptKind::parse(kind) else {
        let all: Vec<String> = DeptKind::ALL
            .iter()
            .map(|k| format!("{} {}", k.slug(), k.label_zh()))
            .collect();
        bail!(
            "不认识的数据种类“{kind}”，可用：{} / unknown kind '{kind}'; one of: {} [dept.kind_unknown]",
            all.join("、"),
            all.join(", ")
        );
    };
    let period = match period {
        None => None,
        Some(p) => Some(YearMonth::parse(p).with_context(|| {
            format!("--period 应为 YYYY-MM / --period must be YYYY-MM, got {p} [dept.period]")
        })?),
    };
    let county = county_of(store, county)?;
    let input = BatchInput {
        county: county.clone(),
        region: county,
        kind,
        channel: BatchChannel::Command,
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        client_batch_id: None,
        period,
        token_id: None,
    };
    let started = Instant::now();
    let mut bar = Bar::new(std::io::stderr().is_terminal());
    let out = import_file(
        store,
        &Actor::system("cli"),
        input,
        file,
        crate::ledger_cmd::today(),
        &mut |p| bar.show(p),
    );
    bar.finish();
    match out.map_err(refusal)? {
        ImportOutcome::Duplicate(b) => {
            println!(
                "同一文件已作为第{}批导入：未做任何更改 / same file already imported as batch {}: nothing changed",
                b.id, b.id
            );
        }
        ImportOutcome::Imported(b) => summary(&b, started.elapsed()),
    }
    Ok(())
}

fn summary(b: &BatchRecord, took: Duration) {
    println!(
        "已导入第{}批{}数据 / imported batch {} of {} data ({:.1} s)",
        b.id,
        b.kind.label_zh(),
        b.id,
        b.kind.label_en(),
        took.as_secs_f64()
    );
    println!(
        "  行数 {} · 匹配 {} · 未匹配 {} · 无效 {} · 预警 {} · 新线索 {}",
        b.rows, b.matched, b.unmatched, b.invalid, b.alerts, b.leads
    );
    println!(
        "  rows {} · matched {} · unmatched {} · invalid {} · alerts {} · new leads {}",
        b.rows, b.matched, b.unmatched, b.invalid, b.alerts, b.leads
    );
    if b.unmatched + b.invalid > 0 {
        println!(
            "  未匹配和无效的行在“未匹配队列”中待处理 / the unmatched and invalid rows wait in the unmatched queue"
        );
    }
}

/// The progress bar on stderr.
struct Bar {
    terminal: bool,
    started: Instant,
    last: Option<Instant>,
    drawn: bool,
}

impl Bar {
    fn new(terminal: bool) -> Bar {
        Bar {
            terminal,
            started: Instant::now(),
            last: None,
            drawn: false,
        }
    }

    fn show(&mut self, p: Progress) {
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        let now = Instant::now();
        if !p.done && self.last.is_some_and(|l| now.duration_since(l) < every) {
            return;
        }
        self.last = Some(now);
        let line = line(p, now.duration_since(self.started));
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r{line}\x1b[K");
            self.drawn = true;
        } else {
            let _ = writeln!(err, "{line}");
        }
        if p.done {
            if self.drawn {
                let _ = writeln!(err);
                self.drawn = false;
            }
            let _ = writeln!(
                err,
                "已读完，正在匹配、预警并写入… / read; matching, alerting and writing…"
            );
        }
        let _ = err.flush();
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}

const WIDTH: usize = 24;

/// `[#########...............]  37% 101.2/273.5 MB  1,234,567 行 rows  412,000 行/s`
fn line(p: Progress, took: Duration) -> String {
    let frac = if p.total > 0 {
        (p.bytes as f64 / p.total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (frac * WIDTH as f64).round() as usize;
    let rate = p.rows as f64 / took.as_secs_f64().max(0.001);
    format!(
        "[{}{}] {:>3.0}% {:.1}/{:.1} MB  {} 行 rows  {} 行/s rows/s",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        frac * 100.0,
        p.bytes as f64 / 1e6,
        p.total as f64 / 1e6,
        grouped(p.rows),
        grouped(rate as u64)
    )
}

fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_says_bytes_rows_and_rate() {
        let l = line(
            Progress {
                bytes: 50_000_000,
                total: 100_000_000,
                rows: 1_234_567,
                done: false,
            },
            Duration::from_secs(2),
        );
        assert!(
            l.starts_with("[############............]  50% 50.0/100.0 MB"),
            "{l}"
        );
        assert!(l.contains("1,234,567 行"), "{l}");
        assert!(l.contains("617,283 行/s"), "{l}");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1000), "1,000");
    }
}
