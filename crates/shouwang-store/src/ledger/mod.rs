//! The household ledger (户人台账) in the database: import a stream of households read by
//! the io crate (as core's ledger records), and export a region's households back to the ledger writers.
//!
//! **One transaction per import.** Every household of a file is written inside a single
//! transaction, in both modes. A kill in the middle of an import therefore leaves the database
//! exactly as it was before the import (neither backend keeps an uncommitted transaction), and
//! never half a household. Without `--all-or-nothing` the valid households commit at the end and
//! the rejected ones go to the error workbook; with it, any rejection rolls the whole import back.
//!
//! **Batches.** Households are written in batches of [`BATCH_HOUSEHOLDS`]: one query each for the
//! batch's existing households, members, person index entries, incomes, 三保障 flags and cases,
//! then bulk inserts ([`Sql::copy_rows`]: `COPY` on PostgreSQL, one prepared statement on SQLite).
//! Into an empty database nothing is looked up, and PostgreSQL takes [`BULK_BATCH_HOUSEHOLDS`] at
//! a time. A first import drops indexes and keys and builds them at the end (`prepare_bulk`).
//!
//! **Villages** are resolved from a map of the county's villages loaded once, keyed by
//! township name + short village name (without 村民委员会 and the like) and by short name alone;
//! an unknown or ambiguous name, or a village outside the importer's region, rejects the household.
//!
//! **Persons** are keyed by 证件号码, unique in the installation. A person registered to another
//! household moves when that household is in the same file without the person (分户, marriages,
//! moves between households, in any order and in chains: the household the person leaves is
//! rewritten first, or in the same batch); otherwise the household is rejected naming the row and
//! the 证件号码 column. A household that takes a person from one not written yet waits for it,
//! until the end of the file if need be; what still waits then is rejected. Each move is in both
//! households' histories: `household.move_in` on the household the person joins and
//! `household.move_out` on the one the person leaves, `{"moved_in":[{"id_number", "name",
//! "from"}]}` and `{"moved_out":[{…, "to"}]}`. The same 证件号码 twice in the file is refused by
//! the reader, on the second row, naming the first.
//!
//! **Newer edits.** A ledger exported from Shouwang says when ([`LedgerImport::exported_at`]). A
//! household the file would change that was edited in Shouwang after that moment is not written:
//! the report lists it as a conflict ([`NewerEdit`]) for the user to confirm, by importing again
//! with [`LedgerImport::overwrite_newer`]; so is a household that would take a person from such a
//! household. The national system's ledgers carry no export time, and the guard cannot apply.
//!
//! **Idempotence.** Each household is compared with what is stored (household, members, the year's
//! income, the year's latest 三保障 check whoever recorded it, the latest monitoring case); identical households are not written and
//! are reported unchanged. Fields the ledger does not carry (address, land, death dates) are kept,
//! and so is the members' order (new members come after).
//! A changed household is rewritten, its version incremented, and an audit event
//! `household.import` with `{"household":…, "members":[…]}` before and after (plus the ledger's
//! yearly data under `"ledger"`) goes into its history. New households are counted in one
//! `ledger.import` event for the whole file, as [`Store::bulk_load`] does: a million persons of
//! JSON per import would cost more than the import itself.
//!
//! **Monitoring.** A filled 监测对象类别 creates the household's case with the history core
//! builds from it ([`MonitoringCase::history`], which also checks the case's rules: a case that
//! breaks one rejects its household, naming the column): an identification step dated the first
//! of 识别监测时间, and an elimination step at 风险消除时间 when eliminated; a
//! later file updates the open case (adding the elimination step), or opens a new case when the
//! stored one was eliminated before the new identification month. An empty 监测对象类别 leaves
//! stored cases alone. The 三保障 flags are stored as of 31 December of 年度; a flag the file
//! leaves empty is stored as 否.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Backend, Dialect, Pool, Row, Sql, Value};
use crate::decode::{Cells, Fields};
use crate::registry::{
    household_values, member_values, row_household, row_member, tidy_household, tidy_member,
    update_household_row, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, MEMBER_COLUMN_COUNT,
};
use crate::sql::{insert_rows, json, placeholders, upsert_rows};
use crate::{params, Store, StoreError};
use shouwang_core::date::YearMonth;
use shouwang_core::id_number::mask;
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::ledger::{
    Col, LedgerGuarantees, LedgerHousehold, LedgerItem, PlaceNames, RejectedHousehold, RowError,
    SourceRows,
};
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::region::village_short_name;
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Household, Member, Problem, RegionCode, RegionLevel};
use std::collections::{HashMap, HashSet};

mod bulk;
mod export;
mod plan;
mod stored;
mod villages;
mod write;

use bulk::*;
pub use export::EXPORT_QUEUE;
use plan::*;
use stored::*;
use villages::*;
use write::*;

/// Households per batch of queries and multi-row inserts.
pub const BATCH_HOUSEHOLDS: usize = 500;
/// Households per batch into an empty PostgreSQL database, where no batch looks anything up:
/// fewer, larger `COPY`s (SQLite has no round trips to save, and would only hold more memory).
pub const BULK_BATCH_HOUSEHOLDS: usize = 4000;

fn batch_size(dialect: Dialect, nothing_stored: bool) -> usize {
    match dialect {
        Dialect::Postgres if nothing_stored => BULK_BATCH_HOUSEHOLDS,
        _ => BATCH_HOUSEHOLDS,
    }
}

/// Parameters per `IN (…)` list.
const IN_CHUNK: usize = 500;

/// Who imports what, and how.
#[derive(Clone, Debug)]
pub struct LedgerImport {
    /// The county the file belongs to: village names are resolved inside it.
    pub county: RegionCode,
    /// The importer's region (the county, or a township for township users): households outside
    /// it are rejected.
    pub within: RegionCode,
    /// Commit nothing if any household is rejected (or in conflict with a newer edit).
    pub all_or_nothing: bool,
    pub actor: Actor,
    /// The file's name, for the audit trail.
    pub source: String,
    /// The day the data is read on (age checks; 三保障 flags of a file without 年度).
    pub today: Date,
    /// SQLite's page cache while importing, in MiB ([`IMPORT_CACHE_MIB`] unless memory is
    /// short); PostgreSQL ignores it.
    pub page_cache_mib: u32,
    /// Nothing else is served from the database while the import runs (the command line, not
    /// an upload to the web server): on SQLite a first import into an empty database may then
    /// write straight into the file, which keeps other readers out until it commits.
    pub exclusive: bool,
    /// When the file was exported from Shouwang (Unix seconds), as its note row says; `None`
    /// for files without one (the national system's), which the newer-edit guard cannot check.
    pub exported_at: Option<i64>,
    /// Overwrite households edited in Shouwang after `exported_at` (the user has confirmed).
    pub overwrite_newer: bool,
}

/// A household the file would change that was edited in Shouwang after the file was exported:
/// left as it is, for the user to confirm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewerEdit {
    pub household_no: String,
    /// The household's first row in the file.
    pub row: usize,
    /// When the household edited after the export was last changed (Unix seconds).
    pub edited_at: i64,
    /// The household edited after the export, when it is another one: this household would take
    /// a person from it.
    pub via: Option<String>,
    /// What to tell the user ([`ProblemCode::LedgerNewerEdit`]).
    pub problem: Problem,
}

/// What an import did. `S`: the file's rows that rejected households keep, for the error
/// workbook.
#[derive(Clone, Debug)]
pub struct ImportReport<S = ()> {
    pub households_added: usize,
    pub households_updated: usize,
    pub households_unchanged: usize,
    pub households_rejected: usize,
    pub persons_added: usize,
    pub persons_updated: usize,
    pub persons_unchanged: usize,
    pub persons_rejected: usize,
    /// Persons who moved from one household to another (counted among the added too).
    pub persons_moved: usize,
    /// Households not written because they were edited in Shouwang after the file was
    /// exported, in file order.
    pub conflicts: Vec<NewerEdit>,
    /// Whether anything was committed (false after an all-or-nothing import with rejections).
    pub committed: bool,
    /// The rejected households, in file order, for the error workbook.
    pub rejected: Vec<RejectedHousehold<S>>,
    /// Warnings of the imported households (derived incomes that disagree, …).
    pub warnings: Vec<RowError>,
}

impl<S> Default for ImportReport<S> {
    fn default() -> Self {
        ImportReport {
            households_added: 0,
            households_updated: 0,
            households_unchanged: 0,
            households_rejected: 0,
            persons_added: 0,
            persons_updated: 0,
            persons_unchanged: 0,
            persons_rejected: 0,
            persons_moved: 0,
            conflicts: Vec::new(),
            committed: false,
            rejected: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl<S> ImportReport<S> {
    /// All row errors, in row order.
    pub fn errors(&self) -> Vec<&RowError> {
        let mut all: Vec<&RowError> = self.rejected.iter().flat_map(|r| &r.errors).collect();
        all.sort_by_key(|e| e.row);
        all
    }
}

impl Store {
    /// Imports the households `feed` hands to its sink, in one transaction (see the module
    /// docs). `expected_persons` (from the file's size, `usize::MAX` when unknown) chooses
    /// between keeping the indexes up to date and building them again. When `feed` fails, the
    /// import is rolled back and its error returned; a sink that fails hands `feed` the store's
    /// error to pass on.
    pub fn import_ledger<S: SourceRows, E: From<StoreError>>(
        &self,
        opts: &LedgerImport,
        expected_persons: usize,
        feed: impl FnOnce(&mut dyn FnMut(LedgerItem<S>) -> Result<(), StoreError>) -> Result<(), E>,
    ) -> Result<ImportReport<S>, E> {
        if opts.county.level() != RegionLevel::County {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::CountyLevel,
                "county",
                format!("{}不是县级区划代码", opts.county),
                format!("{} is not a county code", opts.county),
            ))
            .into());
        }
        // what a rolled-back import still has to say: the feed's error, or the all-or-nothing report
        let mut outcome: Option<Result<ImportReport<S>, E>> = None;
        let into_empty = opts.exclusive
            && self.with_conn(|c| {
                Ok(c.query_one("SELECT 1 FROM households LIMIT 1", &[])?
                    .is_none())
            })?;
        // parents are written before their children by construction: no per-row FK lookups
        let result = self.with_bulk_tx(into_empty, |tx| {
            // the page cache asked for (reset below)
            let sqlite = tx.dialect() == Dialect::Sqlite;
            if sqlite {
                let kib = i64::from(opts.page_cache_mib.max(1)) * 1024;
                tx.batch(&format!("PRAGMA cache_size = -{kib}"))?;
            }
            let r = import_in(tx, opts, expected_persons, feed, &mut outcome);
            if sqlite {
                tx.batch(&format!("PRAGMA cache_size = -{NORMAL_CACHE_KIB}"))?;
            }
            r
        });
        match result {
            Ok(r) => Ok(r),
            Err(StoreError::RolledBack) => match outcome {
                Some(o) => o,
                None => Err(StoreError::RolledBack.into()),
            },
            Err(e) => Err(e.into()),
        }
    }
}

/// Page cache of the import's SQLite connection (MiB). The indexes that grow during an import
/// are rebuilt after it, so that more cache buys nothing: 64 MiB imports a million persons as
/// fast as 128 MiB did, with 75 MB less memory.
pub const IMPORT_CACHE_MIB: u32 = 64;
/// The connections' usual page cache (KiB), restored after an import.
const NORMAL_CACHE_KIB: i64 = 32_000;

type Feed<'f, S> = &'f mut dyn FnMut(LedgerItem<S>) -> Result<(), StoreError>;

/// The body of [`Store::import_ledger`], inside its transaction. Returns
/// [`StoreError::RolledBack`] to roll back, with what to tell in `outcome`.
fn import_in<S: SourceRows, E>(
    tx: &mut dyn Sql,
    opts: &LedgerImport,
    expected_persons: usize,
    feed: impl FnOnce(Feed<'_, S>) -> Result<(), E>,
    outcome: &mut Option<Result<ImportReport<S>, E>>,
) -> Result<ImportReport<S>, StoreError> {
    let villages = Villages::load(tx, &opts.county)?;

    if villages.codes.is_empty() {
        return Err(StoreError::invalid(Problem::new(
                    ProblemCode::CountyNoVillages,
                    "county",
                    format!("数据库中没有县{}的村，请先导入区划（shouwang regions import）", opts.county),
                    format!("the database holds no villages of county {}: import the regions first (shouwang regions import)", opts.county),
                )));
    }
    let Bulk {
        rebuild,
        nothing_stored,
    } = prepare_bulk(tx, &opts.county, expected_persons)?;
    let batch_size = batch_size(tx.dialect(), nothing_stored);
    let mut imp = Importer {
        opts,
        county: opts.county.as_str().to_string(),
        villages,
        batch: Vec::with_capacity(batch_size),
        batch_size,
        trash: Trash::new(),
        persons: Vec::new(),
        deferred: Vec::new(),
        seen: HashSet::new(),
        left: HashMap::new(),
        held: HashMap::new(),
        outside: HashSet::new(),
        report: ImportReport::default(),
        now: crate::now(),
        nothing_stored,
    };
    let started = std::time::Instant::now();
    let fed = {
        let mut sink = |item: LedgerItem<S>| imp.push(tx, item);
        feed(&mut sink)
    };
    if let Err(e) = fed {
        *outcome = Some(Err(e));
        return Err(StoreError::RolledBack);
    }
    imp.flush(tx, false)?;
    // households that take a person from a household not written before their batch, all in
    // one batch (a chain or a ring of moves is then written together), again as long as some
    // of them can be written; what still waits is rejected
    let mut deferred = std::mem::take(&mut imp.deferred);
    while !deferred.is_empty() {
        let waiting = deferred.len();
        imp.batch = deferred;
        imp.flush(tx, false)?;
        deferred = std::mem::take(&mut imp.deferred);
        if deferred.len() == waiting {
            imp.batch = std::mem::take(&mut deferred);
            imp.flush(tx, true)?;
        }
    }
    imp.write_person_index(tx)?;
    imp.report.rejected.sort_by_key(|r| r.first_row());
    imp.report.conflicts.sort_by_key(|c| c.row);
    let r = &imp.report;
    let after = serde_json::json!({
        "file": opts.source,
        "households_added": r.households_added, "households_updated": r.households_updated,
        "households_unchanged": r.households_unchanged, "households_rejected": r.households_rejected,
        "persons_added": r.persons_added, "persons_updated": r.persons_updated,
        "persons_moved": r.persons_moved, "conflicts": r.conflicts.len(),
    });
    record(
        tx,
        &opts.actor,
        Some(&imp.county),
        "ledger.import",
        ("ledger", &opts.source),
        None,
        Some(&after),
    )?;
    let mut report = imp.report;
    if opts.all_or_nothing && (report.households_rejected > 0 || !report.conflicts.is_empty()) {
        report.committed = false;
        *outcome = Some(Ok(report));
        return Err(StoreError::RolledBack);
    }
    if !rebuild.is_empty() {
        // the reader is done: the index sorts may use the second core, and more memory
        match tx.dialect() {
            Dialect::Sqlite => tx.batch("PRAGMA threads = 2")?,
            Dialect::Postgres => tx.batch("SET LOCAL maintenance_work_mem = '256MB'")?,
        }
    }
    let written = started.elapsed();
    for sql in &rebuild {
        tx.batch(sql)?;
    }
    tracing::info!(
        written_ms = written.as_millis() as u64,
        indexes_ms = (started.elapsed() - written).as_millis() as u64,
        rebuilt = rebuild.len(),
        "ledger import written"
    );
    report.committed = true;
    Ok(report)
}
