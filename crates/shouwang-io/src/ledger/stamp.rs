//! When a ledger was exported from Shouwang (导出时间). Our own exports say it on a note row
//! above the header: its label, the time in China time for people, and the Unix seconds for the
//! importer, which reads them back to tell which households were edited in Shouwang after the
//! export (the store's newer-edit guard). The reader skips the row as it skips any row above the
//! header, and Excel keeps it when the file is edited and saved, as xlsx or as CSV. The national
//! system's ledgers have no such row: for them the export time is unknown.

use super::columns::is_header_row;
use super::source::{self, Flow};
use super::{LedgerError, ReadOptions, HEADER_SEARCH_ROWS};
use shouwang_core::Date;
use std::path::Path;

/// The note row's first cell.
pub const EXPORT_NOTE: &str = "守望导出时间 / exported from Shouwang at";

/// The note row for an export at `at` (Unix seconds).
pub fn note_row(at: i64) -> [String; 3] {
    let s = (at + 8 * 3600).rem_euclid(86_400);
    let when = format!(
        "{} {:02}:{:02}:{:02} (UTC+8)",
        Date::from_unix_seconds_china(at),
        s / 3600,
        s % 3600 / 60,
        s % 60
    );
    [EXPORT_NOTE.to_string(), when, at.to_string()]
}

/// The export time the ledger at `path` carries (Unix seconds), read from the rows above its
/// header; `None` when it has none.
pub fn read_export_time(path: &Path, options: &ReadOptions) -> Result<Option<i64>, LedgerError> {
    let kind = source::detect(path, options.sheet.as_deref(), &options.limits)?;
    let mut found = None;
    source::for_each_raw_row(path, &kind, &options.limits, &mut |number, raw| {
        let texts: Vec<String> = raw.into_cells().iter().map(|c| c.display()).collect();
        if texts.first().is_some_and(|t| t.trim() == EXPORT_NOTE) {
            found = texts.get(2).and_then(|t| t.trim().parse::<i64>().ok());
            return Ok(Flow::Stop);
        }
        if number >= HEADER_SEARCH_ROWS || is_header_row(texts.iter().map(String::as_str)) {
            return Ok(Flow::Stop);
        }
        Ok(Flow::Continue)
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::write::{LedgerCsvWriter, LedgerXlsxWriter};
    use crate::ledger::{read_ledger_all, write_ledger_csv};

    fn today() -> Date {
        Date::new(2026, 6, 30).unwrap()
    }

    #[test]
    fn an_exported_csv_and_xlsx_give_back_their_export_time_and_read_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let at = 1_780_000_123;
        let csv = dir.path().join("export.csv");
        let w = LedgerCsvWriter::exported(std::fs::File::create(&csv).unwrap(), at).unwrap();
        w.finish().unwrap();
        let xlsx = dir.path().join("export.xlsx");
        LedgerXlsxWriter::exported(at)
            .unwrap()
            .finish(&xlsx)
            .unwrap();
        let options = ReadOptions::new(today());
        for path in [&csv, &xlsx] {
            assert_eq!(read_export_time(path, &options).unwrap(), Some(at));
            // the header is found below the note
            let read = read_ledger_all(path, &options).unwrap();
            assert_eq!(read.summary.header.row, 2, "{}", path.display());
        }
        let text = std::fs::read_to_string(&csv).unwrap();
        assert!(text.contains("2026-05-29 04:28:43 (UTC+8)"), "{text}");
    }

    #[test]
    fn a_ledger_without_the_note_has_no_export_time() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("national.csv");
        write_ledger_csv(
            std::fs::File::create(&csv).unwrap(),
            Vec::<crate::ledger::LedgerHousehold>::new(),
        )
        .unwrap();
        assert_eq!(
            read_export_time(&csv, &ReadOptions::new(today())).unwrap(),
            None
        );
    }
}
