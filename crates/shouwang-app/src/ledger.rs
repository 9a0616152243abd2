//! Importing a household ledger file (户人台账导入), as the CLI and the upload page both do it:
//! the file is read and validated on a thread of its own while the store writes, households
//! passing through a bounded channel; the rejected households go to an error workbook that
//! imports clean once fixed; the report says what happened to every household and person.
//!
//! The file is read once, as the national system's exports allow (a household's rows together);
//! when the rows of a household turn out to be apart, the store rolls the import back and the
//! file is read again in two passes ([`Grouping`]). The store's rules (villages, moves between
//! households, idempotence, one transaction, edits newer than the file) are in
//! `shouwang_store::ledger`; the file's export time, when it is one of our exports, is read here
//! first ([`read_export_time`]).

use shouwang_io::ledger::{
    read_export_time, read_ledger, write_error_workbook, Grouping, LedgerError, LedgerItem,
    LedgerSummary, ReadError, ReadOptions, SourceRow,
};
use shouwang_store::db::Dialect;
use shouwang_store::ledger::{LedgerImport, BATCH_HOUSEHOLDS, BULK_BATCH_HOUSEHOLDS};
use shouwang_store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// What an import did, with the file's rows of the rejected households.
pub type ImportReport = shouwang_store::ledger::ImportReport<Vec<SourceRow>>;

/// Why an import failed as a whole (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file cannot be read as a ledger (no header, not a spreadsheet, …).
    #[error("{0}")]
    File(#[from] LedgerError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The error workbook could not be written (the import itself is committed).
    #[error(
        "无法写入错误工作簿 {path}：{message} / cannot write the error workbook {path}: {message}"
    )]
    ErrorWorkbook { path: String, message: String },
}

/// A finished import.
#[derive(Debug)]
pub struct Imported {
    pub report: ImportReport,
    pub summary: LedgerSummary,
    /// The error workbook written, with its number of lines (when asked for and there were
    /// rejected households).
    pub error_workbook: Option<(PathBuf, usize)>,
}

/// Imports the ledger at `path` (CSV or xlsx) under `opts`; the rejected households are written
/// to `errors` as an error workbook when given and there are any.
pub fn import_file(
    store: &Store,
    path: &Path,
    read: &ReadOptions,
    opts: &LedgerImport,
    errors: Option<&Path>,
) -> Result<Imported, ImportFailure> {
    // a file that cannot be read says so below, from the reading itself
    let exported_at = opts
        .exported_at
        .or_else(|| read_export_time(path, read).ok().flatten());
    let opts = &LedgerImport {
        exported_at,
        ..opts.clone()
    };
    let once = read.clone().grouping(Grouping::OnePass);
    let (report, summary) = match import_read(store, path, &once, opts) {
        Err(ImportFailure::File(LedgerError::NotGrouped { row, household })) => {
            tracing::info!(
                row,
                household,
                "the rows of a household are apart: reading the ledger again in two passes"
            );
            import_read(
                store,
                path,
                &read.clone().grouping(Grouping::TwoPasses),
                opts,
            )?
        }
        other => other?,
    };
    let error_workbook = match errors {
        Some(out) if !report.rejected.is_empty() => {
            let failed = |message: String| ImportFailure::ErrorWorkbook {
                path: out.display().to_string(),
                message,
            };
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| failed(e.to_string()))?;
            }
            let lines = write_error_workbook(out, &summary.header, &report.rejected)
                .map_err(|e| failed(e.to_string()))?;
            Some((out.to_path_buf(), lines))
        }
        _ => None,
    };
    Ok(Imported {
        report,
        summary,
        error_workbook,
    })
}

/// One reading of the file into one import transaction.
fn import_read(
    store: &Store,
    path: &Path,
    read: &ReadOptions,
    opts: &LedgerImport,
) -> Result<(ImportReport, LedgerSummary), ImportFailure> {
    let mut summary = None;
    // room for the largest batch this backend writes (two of SQLite's), so that the reader
    // keeps reading while one is written
    let room = match store.dialect() {
        Dialect::Sqlite => 2 * BATCH_HOUSEHOLDS,
        Dialect::Postgres => BULK_BATCH_HOUSEHOLDS,
    };
    let (send, receive) = std::sync::mpsc::sync_channel::<LedgerItem>(room);
    // a generous guess (a person row takes some 450 bytes of CSV, 230 of xlsx)
    let expected = std::fs::metadata(path).map_or(usize::MAX, |m| m.len() as usize / 200);
    let report = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("ledger-reader".into())
            .spawn_scoped(scope, move || {
                read_ledger(path, read, |item| send.send(item).map_err(|_| ()))
            })
            .map_err(|e| StoreError::Other(format!("cannot start the ledger reader: {e}")))?;
        let summary = &mut summary;
        store.import_ledger(opts, expected, move |sink| {
            let mut failed = None;
            for item in receive.iter() {
                if let Err(e) = sink(item) {
                    failed = Some(e);
                    break;
                }
            }
            drop(receive); // a reader still sending stops
            let read = reader
                .join()
                .map_err(|_| StoreError::Other("the ledger reader panicked".into()))?;
            if let Some(e) = failed {
                return Err(ImportFailure::Store(e));
            }
            match read {
                Ok(s) => {
                    *summary = Some(s);
                    Ok(())
                }
                Err(ReadError::Ledger(e)) => Err(ImportFailure::File(e)),
                Err(ReadError::Sink(())) => Err(ImportFailure::Store(StoreError::Other(
                    "the ledger reader stopped".into(),
                ))),
            }
        })
    })?;
    let summary = summary.ok_or_else(|| StoreError::Other("the ledger was not read".into()))?;
    Ok((report, summary))
}

/// The report's counts as the CLI prints them, in Chinese then English.
pub fn report_lines<S>(r: &shouwang_store::ledger::ImportReport<S>) -> Vec<String> {
    let mut v = vec![
        format!(
            "户 / households：新增 added {}，更新 updated {}，未变 unchanged {}，拒绝 rejected {}",
            r.households_added, r.households_updated, r.households_unchanged, r.households_rejected
        ),
        format!(
            "人 / persons：新增 added {}，更新 updated {}，未变 unchanged {}，拒绝 rejected {}",
            r.persons_added, r.persons_updated, r.persons_unchanged, r.persons_rejected
        ),
    ];
    if r.persons_moved > 0 {
        v.push(format!(
            "迁户 / moved between households：{} 人 / persons",
            r.persons_moved
        ));
    }
    if !r.conflicts.is_empty() {
        v.push(format!(
            "冲突 / conflicts：{} 户在台账导出后已在守望中修改，未覆盖 / households edited in Shouwang after the ledger was exported were not overwritten",
            r.conflicts.len()
        ));
    }
    if !r.committed {
        v.push("未写入任何数据（全部或全不模式下有错误）/ nothing was written (all-or-nothing with errors)".into());
    }
    v
}
