//! Importing a year's holidays (节假日安排) for a region: read the file, and save its days as
//! the region's calendar of that year if every row is good; otherwise save nothing and say which
//! rows are wrong. The command line (`shouwang calendar import`), the calendar page's upload and
//! the demo all come through here.

use shouwang_core::ledger::RowError;
use shouwang_core::RegionCode;
use shouwang_io::calendar::read_calendar;
use shouwang_io::ledger::LedgerError;
use shouwang_store::audit::Actor;
use shouwang_store::{Store, StoreError};
use std::path::Path;

/// What an import came to.
#[derive(Debug)]
pub enum CalendarImport {
    /// The year's days of the region were replaced by the file's.
    Saved { days: usize },
    /// Some rows are wrong: nothing was saved.
    Refused { errors: Vec<RowError> },
}

/// Why an import could not be done at all.
#[derive(Debug, thiserror::Error)]
pub enum CalendarImportError {
    /// The file cannot be read as a table of days (not a spreadsheet, over the limits, no
    /// 日期 or 类型 column).
    #[error("{0}")]
    File(#[from] LedgerError),
    /// The store refused (a region below a county, a year out of range) or failed.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Reads the days of `year` from `path` and, when every row is good, saves them as the days of
/// `region` for that year (replacing what was there; audited).
pub fn import_calendar(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    year: i32,
    path: &Path,
) -> Result<CalendarImport, CalendarImportError> {
    let file = read_calendar(path, year)?;
    let Some(days) = file.days_if_clean() else {
        return Ok(CalendarImport::Refused {
            errors: file.errors,
        });
    };
    store.save_calendar_days(actor, region, year, &days)?;
    Ok(CalendarImport::Saved { days: days.len() })
}

/// [`import_calendar`] of a file held in memory (the demo's sample, an upload already read),
/// through a private file of `dir` that is removed afterwards.
pub fn import_calendar_bytes(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    year: i32,
    bytes: &[u8],
    dir: &Path,
) -> Result<CalendarImport, CalendarImportError> {
    let io = |e: std::io::Error| {
        CalendarImportError::File(LedgerError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        })
    };
    shouwang_io::private::create_dir(dir).map_err(io)?;
    let path = dir.join(format!(
        "calendar-{}-{}.csv",
        std::process::id(),
        shouwang_store::now()
    ));
    let written = shouwang_io::private::create_file(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
    let outcome = written
        .map_err(io)
        .and_then(|()| import_calendar(store, actor, region, year, &path));
    let _ = std::fs::remove_file(&path);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::calendar::DayKind;
    use shouwang_core::Date;
    use shouwang_store::testing::TestDb;

    #[test]
    fn the_2026_sample_makes_the_state_councils_days_the_countys_and_a_bad_file_saves_nothing() {
        let db = TestDb::sqlite().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let county = RegionCode::parse("510821").unwrap();
        let actor = Actor::system("test");
        let sample = shouwang_io::calendar::SAMPLE_2026.as_bytes();
        let saved =
            import_calendar_bytes(&db.store, &actor, &county, 2026, sample, dir.path()).unwrap();
        assert!(
            matches!(saved, CalendarImport::Saved { days: 39 }),
            "{saved:?}"
        );
        let cal = db.store.calendar_for(&county).unwrap();
        let d = |t: &str| Date::parse(t).unwrap();
        // Saturday 2026-02-14 is worked, the Spring Festival's Monday 02-23 is not
        assert!(cal.is_working_day(d("2026-02-14")));
        assert!(!cal.is_working_day(d("2026-02-23")));
        // Wednesday 09-30 + 1 working day skips the National Day week to Thursday 10-08
        assert_eq!(cal.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));

        let bad = "日期,类型,名称\n2026-10-01,法定节假日,国庆节\n2026-10-01,调休上班日,国庆节\n";
        let refused =
            import_calendar_bytes(&db.store, &actor, &county, 2026, bad.as_bytes(), dir.path())
                .unwrap();
        let CalendarImport::Refused { errors } = refused else {
            panic!("a date twice was saved");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 3);
        // nothing of it was written: the sample's 39 days stand
        let days = db.store.calendar_days(&county, 2026).unwrap();
        assert_eq!(days.len(), 39);
        assert_eq!(days[0].day.kind, DayKind::Holiday);
        // and nothing is left in the folder
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
