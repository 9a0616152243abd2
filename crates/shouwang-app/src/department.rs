//! Importing department data (部门数据导入), as the command line, the upload page and the API
//! push all do it: the same file or client batch id twice is recognised before anything is read
//! ([`ImportOutcome::Duplicate`]); a file of another kind or without its key column is refused
//! before anything is written; then the rows are read on a thread of their own (the file's
//! cells into core's records) while the store matches, folds, evaluates and writes them in one
//! transaction (`shouwang_store::department`).
//!
//! The thresholds are the year's standard (the period's year, else today's) with the county's
//! profile edits ([`thresholds`]).

use shouwang_core::date::YearMonth;
use shouwang_core::department::alert::Thresholds;
use shouwang_core::department::profile::{ColumnMap, Profile, ProfileEdits};
use shouwang_core::department::record;
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::standard::ResolvedStandard;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_io::department::{self as io, DeptFileError};
use shouwang_store::audit::Actor;
use shouwang_store::department::{BatchOutcome, BatchRecord, DeptRow, NewBatch};
use shouwang_store::{Store, StoreError};
use std::path::Path;
use std::sync::mpsc;

/// What a batch is: whose, of which kind, from where.
#[derive(Clone, Debug)]
pub struct BatchInput {
    pub county: RegionCode,
    /// The region it covers: the county, or a token's township or village
    pub region: RegionCode,
    pub kind: DeptKind,
    pub channel: BatchChannel,
    pub file_name: String,
    pub client_batch_id: Option<String>,
    pub period: Option<YearMonth>,
    pub token_id: Option<i64>,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported(BatchRecord),
    /// The same file (or client batch id) is imported already as this batch: nothing written.
    Duplicate(BatchRecord),
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The whole input is refused (another kind's file, a key column missing, not a
    /// spreadsheet, over a limit, a period in the future …): nothing was written.
    #[error("{} / {}", .0.zh, .0.en)]
    Refused(Problem),
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> ImportError {
        match e {
            StoreError::Invalid(mut ps) if ps.len() == 1 => ImportError::Refused(ps.remove(0)),
            e => ImportError::Store(e),
        }
    }
}

/// How far reading a file has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file read
    pub bytes: u64,
    /// The file's size
    pub total: u64,
    /// Data rows read
    pub rows: u64,
    /// Every row is read (what is left is matching and writing)
    pub done: bool,
}

/// The thresholds of a county's `year`: the year's standard with the profile edits of every
/// kind (each threshold belongs to one kind).
pub fn thresholds(store: &Store, county: &RegionCode, year: i32) -> Result<Thresholds, StoreError> {
    let standard = store.resolved_standard(county, year)?;
    thresholds_of(store, county, &standard)
}

fn thresholds_of(
    store: &Store,
    county: &RegionCode,
    standard: &ResolvedStandard,
) -> Result<Thresholds, StoreError> {
    let mut t = Thresholds::from_standard(standard);
    for kind in DeptKind::ALL {
        let (edits, version) = store.dept_profile(county, *kind)?;
        if version > 0 {
            t = t.with_edits(&edits);
        }
    }
    Ok(t)
}

/// Saves a county's edits of a kind's profile after checking them.
pub fn save_profile(
    store: &Store,
    actor: &Actor,
    county: &RegionCode,
    kind: DeptKind,
    edits: &ProfileEdits,
    version: i64,
) -> Result<i64, ImportError> {
    if let Some(p) = edits.check(kind).into_iter().next() {
        return Err(ImportError::Refused(p));
    }
    Ok(store.save_dept_profile(actor, county, kind, edits, version)?)
}

/// Rolls a batch back with a reason (see `Store::rollback_dept_batch`).
pub fn rollback(
    store: &Store,
    actor: &Actor,
    batch_id: i64,
    reason: &str,
) -> Result<BatchRecord, ImportError> {
    Ok(store.rollback_dept_batch(actor, batch_id, reason)?)
}

/// The checks before anything is read: the region within the county, a period not in the
/// future; the batch as the store takes it.
fn prepare(
    store: &Store,
    input: &BatchInput,
    sha256: String,
    today: Date,
) -> Result<NewBatch, ImportError> {
    if input.county.county().as_ref() != Some(&input.county)
        || !input.county.contains(&input.region)
    {
        return Err(ImportError::Store(StoreError::NotFound));
    }
    if let Some(p) = input.period {
        if p > YearMonth::of(today) {
            return Err(ImportError::Refused(Problem::new(
                ProblemCode::DeptPeriod,
                "period",
                format!("数据所属期{p}在本月之后"),
                format!("the period {p} is after this month"),
            )));
        }
    }
    let year = input.period.map_or(today.year(), YearMonth::year);
    let standard = store.resolved_standard(&input.county, year)?;
    Ok(NewBatch {
        county: input.county.clone(),
        region: input.region.clone(),
        kind: input.kind,
        channel: input.channel,
        file_name: input.file_name.clone(),
        sha256,
        client_batch_id: input.client_batch_id.clone(),
        period: input.period,
        token_id: input.token_id,
        year,
        today,
        thresholds: thresholds_of(store, &input.county, &standard)?,
        scheme: standard.warning_scheme,
    })
}

fn outcome(o: BatchOutcome) -> ImportOutcome {
    match o {
        BatchOutcome::Imported(b) => ImportOutcome::Imported(b),
        BatchOutcome::Duplicate(b) => ImportOutcome::Duplicate(b),
    }
}

/// Rows handed from the reading thread at a time.
const ROWS_AT_ONCE: usize = 1_024;

/// From the file's reader: rows as cells.
enum Raw {
    Rows(Vec<(u64, Vec<String>)>, Progress),
    Failed(DeptFileError),
}

/// From the record reader: rows as records.
enum Msg {
    Rows(Vec<DeptRow>, Progress),
    Failed(DeptFileError),
}

/// Imports the department file at `path` (CSV or xlsx) as one batch. `progress` is called as
/// rows are read (at most about once per thousand rows).
pub fn import_file(
    store: &Store,
    actor: &Actor,
    input: BatchInput,
    path: &Path,
    today: Date,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportOutcome, ImportError> {
    let refused = |e: DeptFileError| ImportError::Refused(e.problem());
    let sha256 = io::file_sha256(path).map_err(refused)?;
    if let Some(b) = store.find_dept_batch(
        &input.county,
        input.kind,
        &sha256,
        input.client_batch_id.as_deref(),
    )? {
        return Ok(ImportOutcome::Duplicate(b));
    }
    let (edits, _) = store.dept_profile(&input.county, input.kind)?;
    let limits = io::limits();
    let file = io::find_header(path, &Profile::of(input.kind, &edits), &limits).map_err(refused)?;
    let batch = prepare(store, &input, sha256, today)?;
    let total = file.size;
    let mut failure: Option<DeptFileError> = None;
    let result = std::thread::scope(|s| {
        // three stages on three threads: the file's rows as cells, the cells as records, and
        // the store's matching and writing (this thread)
        let (raw_tx, raw_rx) = mpsc::sync_channel::<Raw>(8);
        let (tx, rx) = mpsc::sync_channel::<Msg>(8);
        let file = &file;
        s.spawn(move || {
            let mut rows: Vec<(u64, Vec<String>)> = Vec::with_capacity(ROWS_AT_ONCE);
            let mut count = 0u64;
            let mut open = true;
            let read = io::for_each_row(path, file, &limits, &mut |number, cells, bytes| {
                count += 1;
                rows.push((number, cells));
                if rows.len() >= ROWS_AT_ONCE {
                    let p = Progress {
                        bytes,
                        total,
                        rows: count,
                        done: false,
                    };
                    let full = std::mem::replace(&mut rows, Vec::with_capacity(ROWS_AT_ONCE));
                    open = raw_tx.send(Raw::Rows(full, p)).is_ok();
                }
                open
            });
            if !open {
                return;
            }
            let _ = match read {
                Ok(()) => raw_tx.send(Raw::Rows(
                    rows,
                    Progress {
                        bytes: total,
                        total,
                        rows: count,
                        done: true,
                    },
                )),
                Err(e) => raw_tx.send(Raw::Failed(e)),
            };
        });
        s.spawn(move || {
            for raw in raw_rx.iter() {
                let msg = match raw {
                    Raw::Rows(rows, p) => Msg::Rows(
                        rows.into_iter()
                            .map(|(number, cells)| {
                                let read = record::read(&file.map, number, &cells, today);
                                DeptRow {
                                    row: number,
                                    cells,
                                    read,
                                }
                            })
                            .collect(),
                        p,
                    ),
                    Raw::Failed(e) => Msg::Failed(e),
                };
                if tx.send(msg).is_err() {
                    // the store stopped: dropping the receiver stops the file's reader too
                    return;
                }
            }
        });
        let failure = &mut failure;
        let mut feed = |sink: &mut dyn FnMut(DeptRow) -> Result<(), StoreError>| {
            for msg in rx.iter() {
                match msg {
                    Msg::Rows(rows, p) => {
                        for r in rows {
                            sink(r)?;
                        }
                        progress(p);
                    }
                    Msg::Failed(e) => {
                        *failure = Some(e);
                        return Err(StoreError::RolledBack);
                    }
                }
            }
            Ok(())
        };
        // the receiver goes with this closure's end: a reader still running stops at its next row
        store.import_dept_batch(actor, &batch, &file.map, &mut feed)
    });
    match (result, failure) {
        (Err(_), Some(e)) => Err(refused(e)),
        (r, _) => Ok(outcome(r?)),
    }
}

/// Imports rows already split into cells in `map`'s column order (a push:
/// [`ColumnMap::for_names`]); `sha256` is of the body they came in.
pub fn import_rows(
    store: &Store,
    actor: &Actor,
    input: BatchInput,
    sha256: String,
    map: &ColumnMap,
    rows: &mut dyn Iterator<Item = (u64, Vec<String>)>,
    today: Date,
) -> Result<ImportOutcome, ImportError> {
    if let Some(b) = store.find_dept_batch(
        &input.county,
        input.kind,
        &sha256,
        input.client_batch_id.as_deref(),
    )? {
        return Ok(ImportOutcome::Duplicate(b));
    }
    let batch = prepare(store, &input, sha256, today)?;
    let mut feed = |sink: &mut dyn FnMut(DeptRow) -> Result<(), StoreError>| {
        for (number, cells) in &mut *rows {
            let read = record::read(map, number, &cells, today);
            sink(DeptRow {
                row: number,
                cells,
                read,
            })?;
        }
        Ok(())
    };
    Ok(outcome(
        store.import_dept_batch(actor, &batch, map, &mut feed)?,
    ))
}
