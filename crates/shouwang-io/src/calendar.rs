//! A year's holidays (节假日安排) as a file: CSV or xlsx with the columns 日期, 类型 and 名称
//! (also `date`, `kind` / `type`, `name`), one row per day that departs from the weekday rule.
//!
//! ```text
//! 日期,类型,名称
//! 2026-10-01,法定节假日,国庆节
//! 2026-10-10,调休上班日,国庆节调休
//! ```
//!
//! 类型 is 法定节假日 (also 节假日, 假日, 放假, 休, holiday, 1) or 调休上班日 (also 调休上班, 上班,
//! 补班, 班, workday, 2); 日期 any form the ledger takes (2026-10-01, 20261001, 2026/10/1,
//! 2026年10月1日, an Excel date). The header is the first row that is not blank; blank rows,
//! and notes (a row whose first cell starts with `#`: where the days come from), are skipped. The file is read within small [`limits`](CALENDAR_LIMITS) (a year has at most 366
//! days), and every bad row is reported with its row number, column and reason; the days of the
//! good rows are returned beside them, for the caller to refuse the whole file if any row failed.

use crate::ledger::cell::{self, CellRef};
use crate::ledger::columns::normalise_header;
use crate::ledger::limits::Limits;
use crate::ledger::source::{detect, for_each_raw_row, Flow};
use crate::ledger::{LedgerError, RowError};
use shouwang_core::calendar::{CalendarDay, DayKind, NAME_MAX_CHARS};
use shouwang_core::problem::free_text;
use shouwang_core::{Date, Problem, ProblemCode};
use std::collections::HashMap;
use std::path::Path;

/// The limits a calendar file is read within: 1 MiB, 1,000 rows, 16 columns, 200 characters
/// a cell.
pub const CALENDAR_LIMITS: Limits = Limits {
    max_bytes: 1024 * 1024,
    max_shared_strings_bytes: 1024 * 1024,
    max_rows: 1000,
    max_columns: 16,
    max_cell_chars: 200,
    max_row_bytes: 4096,
};

/// The 2026 national holidays and make-up working days as the State Council announced them, in
/// this file's layout (`docs/calendar/2026-national.csv`; the demo loads it).
pub const SAMPLE_2026: &str = include_str!("../../../docs/calendar/2026-national.csv");

/// The longest 名称 kept (春节, 国庆节调休, 县庆 …).
pub const MAX_NAME_CHARS: usize = NAME_MAX_CHARS;

/// The header names of the three columns, as written in the file we ship, with their aliases.
const DATE: (&str, &[&str]) = ("日期", &["date", "日期(公历)"]);
const KIND: (&str, &[&str]) = ("类型", &["kind", "type", "日期类型", "类别"]);
const NAME: (&str, &[&str]) = ("名称", &["name", "节日", "节日名称", "节假日名称", "备注"]);

/// What a calendar file holds: the days of its good rows, each with its row number, and the
/// errors of the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarFile {
    pub days: Vec<(usize, CalendarDay)>,
    pub errors: Vec<RowError>,
}

impl CalendarFile {
    /// The days, when no row failed.
    pub fn days_if_clean(&self) -> Option<Vec<CalendarDay>> {
        self.errors
            .is_empty()
            .then(|| self.days.iter().map(|(_, d)| d.clone()).collect())
    }
}

/// Which of the three columns a header cell names.
fn column_of(header: &str) -> Option<usize> {
    let h = normalise_header(header).to_lowercase();
    [DATE, KIND, NAME].iter().position(|(name, aliases)| {
        h == *name
            || aliases
                .iter()
                .any(|a| normalise_header(a).to_lowercase() == h)
    })
}

/// A 类型 cell: 法定节假日 or 调休上班日, by any of their names (see the module's doc).
pub fn kind_cell(cell: CellRef<'_>) -> Result<DayKind, Problem> {
    let text = cell.text()?;
    let t = text.trim();
    let lower = t.to_lowercase();
    if let Some(k) = DayKind::parse_zh(t) {
        return Ok(k);
    }
    let holiday = [
        "1",
        "节假日",
        "假日",
        "放假",
        "休",
        "休息",
        "休息日",
        "holiday",
        "public holiday",
    ];
    let workday = [
        "2",
        "调休上班",
        "调休",
        "上班",
        "上班日",
        "补班",
        "班",
        "workday",
        "working day",
        "make-up working day",
        "makeup workday",
    ];
    if holiday.contains(&lower.as_str()) {
        return Ok(DayKind::Holiday);
    }
    if workday.contains(&lower.as_str()) {
        return Ok(DayKind::MakeUpWorkday);
    }
    let (zh, en) = if t.is_empty() {
        (
            "类型为空：应为“法定节假日”或“调休上班日”".to_string(),
            "the kind is empty: expected 法定节假日 (public holiday) or 调休上班日 (make-up working day)"
                .to_string(),
        )
    } else {
        (
            format!("类型“{t}”无法识别：应为“法定节假日”或“调休上班日”"),
            format!(
                "the kind '{t}' is not understood: expected 法定节假日 (public holiday) or 调休上班日 (make-up working day)"
            ),
        )
    };
    Err(Problem::new(ProblemCode::CodeUnknown, "", zh, en))
}

/// A 日期 cell: a date in `year`, in any form the ledger takes.
pub fn date_cell(cell: CellRef<'_>, year: i32) -> Result<Date, Problem> {
    let date = cell::date(cell)?.ok_or_else(|| {
        Problem::new(
            ProblemCode::DateInvalid,
            "",
            "日期为空",
            "the date is empty",
        )
    })?;
    if date.year() != year {
        return Err(Problem::new(
            ProblemCode::CalendarDateOutsideYear,
            "",
            format!("日期 {date} 不在 {year} 年内"),
            format!("the date {date} is not in {year}"),
        ));
    }
    Ok(date)
}

/// A 名称 cell: trimmed text of at most [`MAX_NAME_CHARS`] characters, without control
/// characters.
pub fn name_cell(cell: CellRef<'_>) -> Result<String, Problem> {
    let text = cell.text()?.trim().to_string();
    match free_text("", "名称", &text, MAX_NAME_CHARS) {
        Some(p) => Err(p),
        None => Ok(text),
    }
}

/// Reads the days of `year` from a CSV or xlsx file (the first sheet). A file that cannot be
/// read as a whole (not a spreadsheet, over the limits, no 日期 or 类型 column) is an error;
/// bad rows are listed in [`CalendarFile::errors`].
pub fn read_calendar(path: &Path, year: i32) -> Result<CalendarFile, LedgerError> {
    let limits = CALENDAR_LIMITS;
    let kind = detect(path, None, &limits)?;
    // positions of 日期, 类型, 名称, and their headers as the file writes them
    let mut header: Option<([Option<usize>; 3], Vec<String>)> = None;
    let mut out = CalendarFile::default();
    let mut first_row_of: HashMap<Date, usize> = HashMap::new();
    for_each_raw_row(path, &kind, &limits, &mut |number, raw| {
        let row = raw.into_source_row(number);
        let note = row
            .cell(0)
            .is_some_and(|c| c.display().trim_start().starts_with('#'));
        if note || row.cells().all(CellRef::is_empty) {
            return Ok(Flow::Continue);
        }
        let Some((at, names)) = &header else {
            let names: Vec<String> = row
                .cells()
                .map(|c| c.display().trim().to_string())
                .collect();
            let mut at: [Option<usize>; 3] = [None; 3];
            for (i, name) in names.iter().enumerate() {
                if let Some(col) = column_of(name) {
                    if let Some(first) = at[col] {
                        return Err(LedgerError::DuplicateColumn {
                            column: [DATE.0, KIND.0, NAME.0][col].to_string(),
                            first: names.get(first).cloned().unwrap_or_default(),
                            second: name.clone(),
                        });
                    }
                    at[col] = Some(i);
                }
            }
            for (col, (name, _)) in [DATE, KIND].iter().enumerate() {
                if at[col].is_none() {
                    return Err(LedgerError::MissingColumn {
                        column: name.to_string(),
                    });
                }
            }
            header = Some((at, names));
            return Ok(Flow::Continue);
        };
        let cell = |col: usize| at[col].and_then(|i| row.cell(i)).unwrap_or(CellRef::Empty);
        let column = |col: usize| {
            at[col]
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default()
        };
        let mut fail = |col: usize, mut p: Problem| {
            let column = column(col);
            p.field = column.clone();
            out.errors.push(RowError {
                row: number,
                column,
                problem: p,
            });
        };
        let date = date_cell(cell(0), year).map_err(|p| fail(0, p)).ok();
        let kind = kind_cell(cell(1)).map_err(|p| fail(1, p)).ok();
        let name = name_cell(cell(2)).map_err(|p| fail(2, p)).ok();
        if let Some(date) = date {
            if let Some(first) = first_row_of.get(&date) {
                fail(
                    0,
                    Problem::new(
                        ProblemCode::CalendarDuplicateDate,
                        "",
                        format!("日期 {date} 重复录入（第{first}行已有）"),
                        format!("the date {date} is entered twice (already in row {first})"),
                    ),
                );
                return Ok(Flow::Continue);
            }
            first_row_of.insert(date, number);
        }
        if let (Some(date), Some(kind), Some(name)) = (date, kind, name) {
            out.days.push((number, CalendarDay { date, kind, name }));
        }
        Ok(Flow::Continue)
    })?;
    if header.is_none() {
        return Err(LedgerError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn a_csv_of_holidays_reads_every_day_with_its_kind_and_name() {
        let f = file("\u{feff}# 国务院办公厅通知\n日期,类型,名称\n2026-10-01,法定节假日,国庆节\n,,\n2026/10/10,调休上班日, 国庆节调休 \n2026年2月14日,上班,春节\n");
        let got = read_calendar(f.path(), 2026).unwrap();
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        let days: Vec<(usize, String, DayKind, String)> = got
            .days
            .iter()
            .map(|(r, d)| (*r, d.date.to_string(), d.kind, d.name.clone()))
            .collect();
        assert_eq!(
            days,
            [
                (3, "2026-10-01".into(), DayKind::Holiday, "国庆节".into()),
                (
                    5,
                    "2026-10-10".into(),
                    DayKind::MakeUpWorkday,
                    "国庆节调休".into()
                ),
                (
                    6,
                    "2026-02-14".into(),
                    DayKind::MakeUpWorkday,
                    "春节".into()
                ),
            ]
        );
    }

    #[test]
    fn the_shipped_2026_sample_reads_clean() {
        let f = file(SAMPLE_2026);
        let got = read_calendar(f.path(), 2026).unwrap();
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        let off = got
            .days
            .iter()
            .filter(|(_, d)| d.kind == DayKind::Holiday)
            .count();
        // 元旦 3, 春节 9, 清明 3, 劳动节 5, 端午 3, 中秋 3, 国庆 7; six Saturdays and Sundays worked
        assert_eq!((off, got.days.len() - off), (33, 6));
    }

    #[test]
    fn english_headers_in_any_order_and_no_name_column_are_read() {
        let f = file("Kind,Date\nholiday,20260101\n");
        let got = read_calendar(f.path(), 2026).unwrap();
        assert_eq!(got.days.len(), 1);
        assert_eq!(got.days[0].1.name, "");
    }

    #[test]
    fn bad_rows_are_named_by_row_column_and_reason() {
        let f = file("日期,类型,名称\n2026-13-01,法定节假日,x\n2026-10-01,休假,国庆\n2027-01-01,法定节假日,元旦\n2026-10-02,法定节假日,国庆\n2026-10-02,调休上班日,国庆\n");
        let got = read_calendar(f.path(), 2026).unwrap();
        let errors: Vec<(usize, String, ProblemCode)> = got
            .errors
            .iter()
            .map(|e| (e.row, e.column.clone(), e.problem.code))
            .collect();
        assert_eq!(
            errors,
            [
                (2, "日期".into(), ProblemCode::DateInvalid),
                (3, "类型".into(), ProblemCode::CodeUnknown),
                (4, "日期".into(), ProblemCode::CalendarDateOutsideYear),
                (6, "日期".into(), ProblemCode::CalendarDuplicateDate),
            ]
        );
        assert!(got.errors[1].problem.zh.contains("休假"));
        assert!(got.errors[3].problem.zh.contains("第5行"));
        assert_eq!(got.days_if_clean(), None);
    }

    #[test]
    fn a_file_without_a_date_or_kind_column_or_not_a_table_is_refused_whole() {
        let f = file("名称,类型\n国庆,法定节假日\n");
        assert_eq!(
            read_calendar(f.path(), 2026).unwrap_err(),
            LedgerError::MissingColumn {
                column: "日期".into()
            }
        );
        let f = file("日期,类型,date\n");
        assert!(matches!(
            read_calendar(f.path(), 2026),
            Err(LedgerError::DuplicateColumn { .. })
        ));
        let f = file("  \n");
        assert_eq!(
            read_calendar(f.path(), 2026).unwrap_err(),
            LedgerError::Empty
        );
    }

    #[test]
    fn a_file_over_the_calendars_limits_is_refused_whole() {
        let mut text = String::from("日期,类型\n");
        for _ in 0..1200 {
            text.push_str("2026-10-01,法定节假日\n");
        }
        let f = file(&text);
        assert!(matches!(
            read_calendar(f.path(), 2026),
            Err(LedgerError::OverLimit { .. })
        ));
    }
}
