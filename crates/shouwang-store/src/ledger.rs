//! The household ledger (户人台账) in the database: import a stream of households read by
//! `shouwang_io::ledger`, and export a region's households back to the ledger writers.
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
//! household moves only when that household is in the same file (it is then rewritten without the
//! person); otherwise the household is rejected naming the row and the 证件号码 column. Households
//! that need such a move wait until the end of the file, when the other household has been seen.
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
//! **Monitoring.** A filled 监测对象类别 creates the household's case with an identification step
//! dated the first of 识别监测时间, and an elimination step at 风险消除时间 when eliminated; a
//! later file updates the open case (adding the elimination step), or opens a new case when the
//! stored one was eliminated before the new identification month. An empty 监测对象类别 leaves
//! stored cases alone. The 三保障 flags are stored as of 31 December of 年度; a flag the file
//! leaves empty is stored as 否.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Backend, Dialect, Pool, Row, Sql, Value};
use crate::registry::{
    household_values, json, member_values, placeholders, row_household, row_member, tidy_household,
    tidy_member, Cells, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, MEMBER_COLUMN_COUNT,
};
use crate::{params, Store, StoreError};
use shouwang_core::date::YearMonth;
use shouwang_core::id_number::mask;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::region::village_short_name;
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Household, Member, Problem, RegionCode, RegionLevel};
use shouwang_io::ledger::{
    Col, Grouping, LedgerError, LedgerGuarantees, LedgerHousehold, LedgerIncome, LedgerItem,
    LedgerSummary, PlaceNames, ReadError, ReadOptions, RejectedHousehold, RowError,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
    /// Commit nothing if any household is rejected.
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
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub households_added: usize,
    pub households_updated: usize,
    pub households_unchanged: usize,
    pub households_rejected: usize,
    pub persons_added: usize,
    pub persons_updated: usize,
    pub persons_unchanged: usize,
    pub persons_rejected: usize,
    /// Whether anything was committed (false after an all-or-nothing import with rejections).
    pub committed: bool,
    /// The rejected households, in file order, for the error workbook.
    pub rejected: Vec<RejectedHousehold>,
    /// Warnings of the imported households (derived incomes that disagree, …).
    pub warnings: Vec<RowError>,
}

impl ImportReport {
    /// The report as the CLI prints it, in Chinese then English.
    pub fn lines(&self) -> Vec<String> {
        let mut v = vec![
            format!(
                "户 / households：新增 added {}，更新 updated {}，未变 unchanged {}，拒绝 rejected {}",
                self.households_added,
                self.households_updated,
                self.households_unchanged,
                self.households_rejected
            ),
            format!(
                "人 / persons：新增 added {}，更新 updated {}，未变 unchanged {}，拒绝 rejected {}",
                self.persons_added, self.persons_updated, self.persons_unchanged, self.persons_rejected
            ),
        ];
        if !self.committed {
            v.push("未写入任何数据（全部或全不模式下有错误）/ nothing was written (all-or-nothing with errors)".into());
        }
        v
    }
    /// All row errors, in row order.
    pub fn errors(&self) -> Vec<&RowError> {
        let mut all: Vec<&RowError> = self.rejected.iter().flat_map(|r| &r.errors).collect();
        all.sort_by_key(|e| e.row);
        all
    }
}

/// Why an import failed as a whole (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{0}")]
    File(#[from] LedgerError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The county's villages, for resolving names.
struct Villages {
    codes: HashSet<String>,
    by_town: HashMap<(String, String), Vec<String>>,
    by_name: HashMap<String, Vec<String>>,
    names: HashMap<String, String>,
}

impl Villages {
    fn load(c: &mut dyn Sql, county: &RegionCode) -> Result<Villages, StoreError> {
        let lo = county.as_str();
        let rows = c.query(
            "SELECT v.code, v.name, t.name FROM regions v LEFT JOIN regions t ON t.code = v.parent
             WHERE v.level = 12 AND v.code >= $1 AND v.code < $2",
            &params![lo, prefix_end(lo)],
        )?;
        let mut out = Villages {
            codes: HashSet::new(),
            by_town: HashMap::new(),
            by_name: HashMap::new(),
            names: HashMap::new(),
        };
        for r in rows {
            let code = r.text(0);
            let short = village_short_name(r.text(1).trim()).to_string();
            out.by_town
                .entry((r.text(2).trim().to_string(), short.clone()))
                .or_default()
                .push(code.clone());
            out.by_name.entry(short).or_default().push(code.clone());
            out.names.insert(code.clone(), r.text(1));
            out.codes.insert(code);
        }
        Ok(out)
    }

    /// The village's code, or the problem (column, reason).
    fn resolve(
        &self,
        h: &LedgerHousehold,
        county: &RegionCode,
    ) -> Result<RegionCode, (Col, Problem)> {
        if h.village_resolved() {
            let code = h.household.village.clone();
            return if self.codes.contains(code.as_str()) {
                Ok(code)
            } else {
                Err((
                    Col::VillageCode,
                    Problem::new(
                        ProblemCode::VillageUnknown,
                        "village",
                        format!("村代码{code}不是本县（{county}）的村"),
                        format!("village code {code} is not a village of county {county}"),
                    ),
                ))
            };
        }
        let name = h.place.village.trim();
        let short = village_short_name(name).to_string();
        let town = h.place.township.trim().to_string();
        let found = self
            .by_town
            .get(&(town, short.clone()))
            .or_else(|| self.by_name.get(&short));
        match found.map(Vec::as_slice) {
            Some([one]) => RegionCode::from_canonical(one).ok_or_else(|| {
                (
                    Col::Village,
                    Problem::new(ProblemCode::VillageUnknown, "village", "村代码无效", "invalid village code"),
                )
            }),
            Some(many) if many.len() > 1 => Err((
                Col::Village,
                Problem::new(
                    ProblemCode::VillageAmbiguous,
                    "village",
                    format!("村名“{name}”在本县有{}个村（{}），请填写乡镇名或村代码", many.len(), many.join("、")),
                    format!("the village name '{name}' matches {} villages of the county ({}): give the township or 村代码", many.len(), many.join(", ")),
                ),
            )),
            _ => Err((
                Col::Village,
                Problem::new(
                    ProblemCode::VillageUnknown,
                    "village",
                    format!("本县（{county}）没有名为“{name}”的村"),
                    format!("county {county} has no village named '{name}'"),
                ),
            )),
        }
    }
}

/// A monitoring case as stored.
#[derive(Clone, Debug)]
struct StoredCase {
    id: i64,
    case: MonitoringCase,
}

fn risks_text(r: &[RiskType]) -> String {
    r.iter()
        .map(|r| r.code().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn case_from_row(no: &str, r: &impl Cells, at: usize) -> Option<MonitoringCase> {
    let risks = r
        .text(at + 2)
        .split(',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok().and_then(RiskType::from_code))
        .collect();
    let elimination = match (
        r.opt_int(at + 5).and_then(EliminationKind::from_code),
        r.opt_text(at + 6),
    ) {
        (Some(k), Some(m)) => YearMonth::parse(&m).map(|m| (k, m)),
        _ => None,
    };
    Some(MonitoringCase {
        household_no: no.to_string(),
        case_type: CaseType::from_code(r.int(at + 1))?,
        risks,
        identified: YearMonth::parse(&r.text(at + 3))?,
        status: CaseStatus::from_code(r.int(at + 4)).unwrap_or(CaseStatus::AtRisk),
        elimination,
        whole_household_without_labour: r.bool(at + 7),
    })
}

const CASE_COLUMNS: &str =
    "id, case_type, risks, identified, status, elimination_kind, eliminated, whole_household_without_labour";
const INCOME_COLUMNS: &str =
    "year, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical";

fn income_from_row(r: &impl Cells, at: usize) -> LedgerIncome {
    LedgerIncome {
        wages: Fen(r.int(at + 1)),
        business: Fen(r.int(at + 2)),
        property: Fen(r.int(at + 3)),
        transfers: Fen(r.int(at + 4)),
        production_costs: Fen(r.int(at + 5)),
        insurance_payouts: Fen(r.int(at + 6)),
        out_of_pocket_medical: Fen(r.int(at + 7)),
    }
}

/// The 三保障 flags as stored: (unsafe_housing, dropout, uninsured, unsafe_water).
type Flags = [bool; 4];

fn flags_of(g: &LedgerGuarantees) -> Option<Flags> {
    let any = g.unsafe_housing.is_some()
        || g.out_of_school.is_some()
        || g.uninsured_member.is_some()
        || g.unsafe_water.is_some();
    any.then(|| {
        [
            g.unsafe_housing.unwrap_or(false),
            g.out_of_school.unwrap_or(false),
            g.uninsured_member.unwrap_or(false),
            g.unsafe_water.unwrap_or(false),
        ]
    })
}

fn as_of(year: i32) -> String {
    format!("{year:04}-12-31")
}

/// What is stored for a batch of households.
#[derive(Default)]
struct Existing {
    households: HashMap<String, (String, Household)>,
    members: HashMap<String, Vec<Member>>,
    incomes: HashMap<(String, i64), LedgerIncome>,
    /// every stored check of a household's flags: (as of, flags)
    flags: HashMap<String, Vec<(String, Flags)>>,
    cases: HashMap<String, StoredCase>,
    /// id_number → household_no
    persons: HashMap<String, String>,
}

fn in_list(start: usize, n: usize) -> String {
    placeholders(start, n)
}

fn load_existing(
    tx: &mut dyn Sql,
    county: &str,
    batch: &[LedgerHousehold],
) -> Result<Existing, StoreError> {
    let mut ex = Existing::default();
    let nos: Vec<&str> = batch
        .iter()
        .map(|h| h.household.household_no.as_str())
        .collect();
    for chunk in nos.chunks(IN_CHUNK) {
        let values: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in tx.query(
            &format!(
                "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE household_no IN ({})",
                in_list(1, chunk.len())
            ),
            &values,
        )? {
            if let Some(h) = row_household(&r) {
                ex.households.insert(h.household_no.clone(), (r.text(0), h));
            }
        }
    }
    let ids: Vec<&str> = batch
        .iter()
        .flat_map(|h| h.members.iter().map(|m| m.id_number.as_str()))
        .collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let values: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in tx.query(
            &format!(
                "SELECT id_number, household_no FROM person_index WHERE id_number IN ({})",
                in_list(1, chunk.len())
            ),
            &values,
        )? {
            ex.persons.insert(r.text(0), r.text(1));
        }
    }
    // the rest only for households already here (none in a fresh county)
    let here: Vec<&str> = nos
        .iter()
        .copied()
        .filter(|n| ex.households.get(*n).is_some_and(|(c, _)| c == county))
        .collect();
    for chunk in here.chunks(IN_CHUNK) {
        let mut values = vec![Value::from(county)];
        values.extend(chunk.iter().map(|n| Value::from(*n)));
        let list = in_list(2, chunk.len());
        for r in tx.query(
            &format!("SELECT household_no, {MEMBER_COLUMNS} FROM members WHERE county = $1 AND household_no IN ({list}) ORDER BY household_no, position"),
            &values,
        )? {
            let m = row_member(&Row(r.0[1..].to_vec()));
            ex.members.entry(r.text(0)).or_default().push(m);
        }
        for r in tx.query(
            &format!("SELECT household_no, {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND quarter = 0 AND household_no IN ({list})"),
            &values,
        )? {
            ex.incomes.insert((r.text(0), r.int(1)), income_from_row(&r, 1));
        }
        for r in tx.query(
            &format!("SELECT household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water FROM guarantees WHERE county = $1 AND household_no IN ({list})"),
            &values,
        )? {
            ex.flags
                .entry(r.text(0))
                .or_default()
                .push((r.text(1), [r.bool(2), r.bool(3), r.bool(4), r.bool(5)]));
        }
        for r in tx.query(
            &format!("SELECT household_no, {CASE_COLUMNS} FROM monitoring_cases WHERE county = $1 AND household_no IN ({list}) ORDER BY id"),
            &values,
        )? {
            let no = r.text(0);
            if let Some(case) = case_from_row(&no, &r, 1) {
                ex.cases.insert(no, StoredCase { id: r.int(1), case });
            }
        }
    }
    Ok(ex)
}

/// What to do with the case of one household.
enum CaseWrite {
    Insert(MonitoringCase),
    Update {
        id: i64,
        case: MonitoringCase,
        eliminated_now: bool,
    },
}

/// One household ready to be written.
struct Planned {
    household: Household,
    members: Vec<Member>,
    is_new: bool,
    income: Option<(i64, LedgerIncome)>,
    flags: Option<(String, Flags)>,
    case: Option<CaseWrite>,
    audit: Option<(serde_json::Value, serde_json::Value)>,
}

struct Importer<'o> {
    opts: &'o LedgerImport,
    county: String,
    villages: Villages,
    batch: Vec<LedgerHousehold>,
    /// [`BATCH_HOUSEHOLDS`], or [`BULK_BATCH_HOUSEHOLDS`] when nothing is looked up
    batch_size: usize,
    trash: Trash,
    /// The person index entries of the members written, inserted at the end in 证件号码 order:
    /// a B-tree takes keys in order many times faster than a million in random order. Nothing
    /// looks them up before: the reader refuses a 证件号码 given twice in the file, and the
    /// look-ups are for persons stored before the import.
    persons: Vec<PersonKey>,
    deferred: Vec<LedgerHousehold>,
    /// households written (or found unchanged) by this import
    seen: HashSet<String>,
    report: ImportReport,
    now: i64,
    /// The database held no household and no person when the import began: nothing can be
    /// found, so the per-batch look-ups are skipped (the reader has already refused a 证件号码
    /// given twice in the file, it hands each 户编号 over once, and the keys would refuse both).
    nothing_stored: bool,
}

fn person_elsewhere(h: &LedgerHousehold, i: usize, m: &Member, other: &str) -> RowError {
    RowError {
        row: h.row_of_member(i).unwrap_or(0),
        column: Col::IdNumber.name().to_string(),
        problem: Problem::new(
            ProblemCode::IdNumberElsewhere,
            "id_number",
            format!("证件号码{}已登记在户{other}，一个人只能属于一户；如要迁户，请把两户放在同一文件中导入", mask(&m.id_number)),
            format!("ID number {} is already registered in household {other}; a person belongs to one household (to move a person, import both households in one file)", mask(&m.id_number)),
        ),
    }
}

fn household_error(h: &LedgerHousehold, col: Col, problem: Problem) -> RowError {
    RowError {
        row: h.source_rows.first().map(|r| r.number).unwrap_or(0),
        column: col.name().to_string(),
        problem,
    }
}

impl Importer<'_> {
    fn reject(&mut self, h: LedgerHousehold, errors: Vec<RowError>) {
        self.report.households_rejected += 1;
        self.report.persons_rejected += h.source_rows.len().max(h.members.len());
        self.report.rejected.push(h.reject(errors));
    }

    fn push(&mut self, tx: &mut dyn Sql, item: LedgerItem) -> Result<(), StoreError> {
        match item {
            LedgerItem::Rejected(r) => {
                self.report.households_rejected += 1;
                self.report.persons_rejected += r.rows.len();
                self.report.rejected.push(*r);
            }
            LedgerItem::Household(h) => {
                let mut h = *h;
                match self.villages.resolve(&h, &self.opts.county) {
                    Err((col, p)) => {
                        let e = household_error(&h, col, p);
                        self.reject(h, vec![e]);
                        return Ok(());
                    }
                    Ok(code) => h.set_village(code),
                }
                if !self.opts.within.contains(&h.household.village) {
                    let p = outside_scope(&h.household.village, &self.opts.within);
                    let e = household_error(&h, Col::Village, p);
                    self.reject(h, vec![e]);
                    return Ok(());
                }
                h.household = tidy_household(h.household);
                h.members = std::mem::take(&mut h.members)
                    .into_iter()
                    .map(tidy_member)
                    .collect();
                self.batch.push(h);
                if self.batch.len() >= self.batch_size {
                    self.flush(tx, false)?;
                }
            }
        }
        Ok(())
    }

    /// Writes the batch. `last`: deferred households are decided now instead of waiting.
    fn flush(&mut self, tx: &mut dyn Sql, last: bool) -> Result<(), StoreError> {
        let batch = std::mem::take(&mut self.batch);
        if batch.is_empty() {
            return Ok(());
        }
        let ex = if self.nothing_stored {
            Existing::default()
        } else {
            load_existing(tx, &self.county, &batch)?
        };
        // households of this batch, for persons the database places elsewhere (none when the
        // look-ups found nobody, as in a first import)
        let in_batch: HashSet<String> = if ex.persons.is_empty() {
            HashSet::new()
        } else {
            batch
                .iter()
                .map(|h| h.household.household_no.clone())
                .collect()
        };
        let mut plans: Vec<Planned> = Vec::with_capacity(batch.len());
        for h in batch {
            let no = h.household.household_no.clone();
            let stored = ex.households.get(&no);
            if let Some((county, old)) = stored {
                if *county != self.county {
                    let p = Problem::new(
                        ProblemCode::HouseholdNoOtherCounty,
                        "household_no",
                        format!("户编号{no}已登记在县{county}，不能导入到县{}", self.county),
                        format!(
                            "household number {no} is registered in county {county}, not {}",
                            self.county
                        ),
                    );
                    let e = household_error(&h, Col::HouseholdNo, p);
                    self.reject(h, vec![e]);
                    continue;
                }
                if !self.opts.within.contains(&old.village) {
                    let p = outside_scope(&old.village, &self.opts.within);
                    let e = household_error(&h, Col::HouseholdNo, p);
                    self.reject(h, vec![e]);
                    continue;
                }
            }
            // persons registered to another household
            let mut wait = false;
            let mut errors = Vec::new();
            for (i, m) in h.members.iter().enumerate() {
                let Some(other) = ex.persons.get(&m.id_number) else {
                    continue;
                };
                if *other == no || self.seen.contains(other) || in_batch.contains(other) {
                    continue; // the other household is rewritten by this file first
                }
                if last {
                    errors.push(person_elsewhere(&h, i, m, other));
                } else {
                    wait = true;
                }
            }
            if !errors.is_empty() {
                self.reject(h, errors);
                continue;
            }
            if wait {
                self.deferred.push(h);
                continue;
            }
            self.seen.insert(no.clone());
            if let Some(p) = self.plan(h, &ex) {
                plans.push(p);
            }
        }
        // a household of this batch that another one takes a person from must be rewritten
        // (it is, when it is in the file: it lists its members without the person)
        self.write(tx, plans)
    }

    /// Compares with what is stored; `None` when nothing changes.
    fn plan(&mut self, h: LedgerHousehold, ex: &Existing) -> Option<Planned> {
        let no = h.household.household_no.clone();
        let old = ex.households.get(&no).map(|(_, hh)| hh);
        let old_members: &[Member] = ex.members.get(&no).map(Vec::as_slice).unwrap_or(&[]);
        let mut household = h.household;
        if let Some(old) = old {
            household.address = old.address.clone();
            household.military_family = old.military_family;
            household.cultivated_land_centimu = old.cultivated_land_centimu;
            household.housing_area_centim2 = old.housing_area_centim2;
            household.house_grade = old.house_grade.clone();
        }
        let old_by_id: HashMap<&str, &Member> = old_members
            .iter()
            .map(|m| (m.id_number.as_str(), m))
            .collect();
        // members keep their stored order, new ones after them in the file's: a ledger re-sorted
        // in Excel (by name, say) lists a family in another order without changing anyone
        let old_position: HashMap<&str, usize> = old_members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id_number.as_str(), i))
            .collect();
        let mut members = h.members;
        members.sort_by_key(|m| {
            old_position
                .get(m.id_number.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        });
        let (mut added, mut updated, mut unchanged) = (0, 0, 0);
        for m in &mut members {
            match old_by_id.get(m.id_number.as_str()) {
                Some(o) => {
                    m.deceased_on = o.deceased_on;
                    if *o == m {
                        unchanged += 1;
                    } else {
                        updated += 1;
                    }
                }
                None => added += 1,
            }
        }
        let year = h.year;
        let data_year = i64::from(year.unwrap_or(self.opts.today.year()));
        let income = match (year, h.income) {
            (Some(y), Some(i)) if ex.incomes.get(&(no.clone(), i64::from(y))) != Some(&i) => {
                Some((i64::from(y), i))
            }
            _ => None,
        };
        // the year's flags: the latest check of the ledger's year, whatever recorded it (a ledger,
        // a village cadre, a department's data); a new year's ledger records its own check
        let flags = flags_of(&h.guarantees).and_then(|f| {
            let key = as_of(data_year as i32);
            let year = format!("{data_year:04}-");
            let in_force = ex.flags.get(&no).and_then(|checks| {
                checks
                    .iter()
                    .filter(|(on, _)| on.starts_with(&year) && *on <= key)
                    .max_by(|a, b| a.0.cmp(&b.0))
                    .map(|(_, f)| f)
            });
            (in_force != Some(&f)).then_some((key, f))
        });
        let stored_case = ex.cases.get(&no);
        let case = match (h.monitoring, stored_case) {
            (None, _) => None,
            (Some(mut c), None) => {
                c.household_no = no.clone();
                Some(CaseWrite::Insert(c))
            }
            (Some(mut c), Some(s)) => {
                c.household_no = no.clone();
                if c == s.case {
                    None
                } else if s.case.elimination.is_some_and(|(_, m)| m < c.identified) {
                    Some(CaseWrite::Insert(c))
                } else {
                    let eliminated_now = s.case.elimination.is_none() && c.elimination.is_some();
                    Some(CaseWrite::Update {
                        id: s.id,
                        case: c,
                        eliminated_now,
                    })
                }
            }
        };
        let household_same = old == Some(&household) && old_members == members.as_slice();
        if household_same && income.is_none() && flags.is_none() && case.is_none() {
            self.report.households_unchanged += 1;
            self.report.persons_unchanged += members.len();
            self.report.warnings.extend(h.warnings);
            return None;
        }
        self.report.warnings.extend(h.warnings);
        let is_new = old.is_none();
        if is_new {
            self.report.households_added += 1;
        } else {
            self.report.households_updated += 1;
        }
        self.report.persons_added += added;
        self.report.persons_updated += updated;
        self.report.persons_unchanged += unchanged;
        let audit = old.map(|o| {
            let ledger_before = serde_json::json!({
                "income": ex.incomes.get(&(no.clone(), data_year)).map(income_json),
                "case": stored_case.map(|s| json(&s.case)),
            });
            let ledger_after = serde_json::json!({
                "income": h.income.as_ref().map(income_json),
                "case": match &case { Some(CaseWrite::Insert(c)) | Some(CaseWrite::Update { case: c, .. }) => json(c), None => stored_case.map(|s| json(&s.case)).unwrap_or(serde_json::Value::Null) },
            });
            (
                serde_json::json!({ "household": json(o), "members": json(&old_members), "ledger": ledger_before }),
                serde_json::json!({ "household": json(&household), "members": json(&members), "ledger": ledger_after }),
            )
        });
        Some(Planned {
            household,
            members,
            is_new,
            income,
            flags,
            case,
            audit,
        })
    }

    fn write(&mut self, tx: &mut dyn Sql, plans: Vec<Planned>) -> Result<(), StoreError> {
        if plans.is_empty() {
            return Ok(());
        }
        let county = self.county.clone();
        let now = self.now;
        // 1. updated households: their fields, then their members out (persons may move)
        let updated: Vec<&Planned> = plans.iter().filter(|p| !p.is_new).collect();
        for p in &updated {
            let mut values = household_values(&p.household);
            values.push(now.into());
            tx.exec(
                "UPDATE households SET village = $3, grp = $4, address = $5, phone = $6, household_type = $7, dibao = $8,
                 tekun = $9, relocated = $10, resettlement_site = $11, military_family = $12, cultivated_land_centimu = $13,
                 housing_area_centim2 = $14, house_grade = $15, updated_at = $16, version = version + 1
                 WHERE county = $1 AND household_no = $2",
                &values,
            )?;
        }
        for chunk in updated.chunks(IN_CHUNK) {
            let mut values = vec![Value::from(county.as_str())];
            values.extend(chunk.iter().map(|p| Value::from(&p.household.household_no)));
            let list = in_list(2, chunk.len());
            tx.exec(
                &format!("DELETE FROM person_index WHERE county = $1 AND household_no IN ({list})"),
                &values,
            )?;
            tx.exec(
                &format!("DELETE FROM members WHERE county = $1 AND household_no IN ({list})"),
                &values,
            )?;
        }
        // persons moving from a household written earlier in this import were freed when it
        // was rewritten; those moving from a household of this batch were freed just above.
        // 2. new households
        let new: Vec<&Planned> = plans.iter().filter(|p| p.is_new).collect();
        let mut values = Vec::with_capacity(new.len() * 17);
        for p in &new {
            values.extend(household_values(&p.household));
            values.push(now.into());
            values.push(now.into());
        }
        insert_rows(
            tx,
            &format!(
                "INSERT INTO households ({HOUSEHOLD_COLUMNS}, created_at, updated_at) VALUES "
            ),
            17,
            &values,
            "",
        )?;
        // 3. members (the person index at the end: see `Importer::persons`)
        let width = 4 + MEMBER_COLUMN_COUNT;
        let mut values = Vec::new();
        for p in &plans {
            for (pos, m) in p.members.iter().enumerate() {
                values.extend(params![
                    county.as_str(),
                    &p.household.household_no,
                    p.household.village.as_str(),
                    pos as i64
                ]);
                values.extend(member_values(m));
                self.persons
                    .push(PersonKey::new(&m.id_number, &p.household.household_no));
            }
        }
        insert_rows(
            tx,
            &format!(
                "INSERT INTO members (county, household_no, village, position, {MEMBER_COLUMNS}) VALUES "
            ),
            width,
            &values,
            "",
        )?;
        self.trash.later(values);
        // 4. incomes and flags: plain inserts for new households (bulk-loaded where the backend
        // can), upserts for the others
        for fresh in [true, false] {
            let mut values = Vec::new();
            for p in plans.iter().filter(|p| p.is_new == fresh) {
                if let Some((y, inc)) = &p.income {
                    values.extend(params![
                        county.as_str(),
                        &p.household.household_no,
                        *y,
                        0i64,
                        inc.wages.0,
                        inc.business.0,
                        inc.property.0,
                        inc.transfers.0,
                        inc.production_costs.0,
                        inc.insurance_payouts.0,
                        inc.out_of_pocket_medical.0,
                        now
                    ]);
                }
            }
            insert_rows(
                tx,
                "INSERT INTO incomes (county, household_no, year, quarter, wages, business, property, transfers,
                 production_costs, insurance_payouts, out_of_pocket_medical, updated_at) VALUES ",
                12,
                &values,
                if fresh {
                    ""
                } else {
                    " ON CONFLICT (county, household_no, year, quarter) DO UPDATE SET wages = excluded.wages,
                     business = excluded.business, property = excluded.property, transfers = excluded.transfers,
                     production_costs = excluded.production_costs, insurance_payouts = excluded.insurance_payouts,
                     out_of_pocket_medical = excluded.out_of_pocket_medical, updated_at = excluded.updated_at"
                },
            )?;
            let mut values = Vec::new();
            for p in plans.iter().filter(|p| p.is_new == fresh) {
                if let Some((a, f)) = &p.flags {
                    values.extend(params![
                        county.as_str(),
                        &p.household.household_no,
                        a,
                        f[0],
                        f[1],
                        f[2],
                        f[3],
                        "ledger"
                    ]);
                }
            }
            insert_rows(
                tx,
                "INSERT INTO guarantees (county, household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water, source) VALUES ",
                8,
                &values,
                if fresh {
                    ""
                } else {
                    " ON CONFLICT (county, household_no, as_of) DO UPDATE SET unsafe_housing = excluded.unsafe_housing,
                     dropout = excluded.dropout, uninsured = excluded.uninsured, unsafe_water = excluded.unsafe_water,
                     source = excluded.source"
                },
            )?;
        }
        // 5. monitoring cases and their steps
        let actor = format!("import:{}", self.opts.actor.username);
        let mut steps: Vec<(i64, &'static str, String)> = Vec::new();
        let inserts: Vec<&MonitoringCase> = plans
            .iter()
            .filter_map(|p| match &p.case {
                Some(CaseWrite::Insert(c)) => Some(c),
                _ => None,
            })
            .collect();
        let ids = new_case_ids(tx, inserts.len())?;
        let mut values = Vec::with_capacity(inserts.len() * 12);
        for (c, id) in inserts.iter().zip(&ids) {
            values.push(Value::from(*id));
            values.extend(case_values(&county, c, now));
            values.push(now.into());
            steps.push((*id, "identification", c.identified.first_day().to_string()));
            if let Some((_, m)) = c.elimination {
                steps.push((*id, "elimination", m.first_day().to_string()));
            }
        }
        insert_rows(
            tx,
            "INSERT INTO monitoring_cases (id, county, household_no, case_type, risks, identified, status,
             elimination_kind, eliminated, whole_household_without_labour, created_at, updated_at) VALUES ",
            12,
            &values,
            "",
        )?;
        for p in &plans {
            if let Some(CaseWrite::Update {
                id,
                case,
                eliminated_now,
            }) = &p.case
            {
                let mut values = case_values(&county, case, now);
                values.push(Value::from(*id));
                tx.exec(
                    "UPDATE monitoring_cases SET case_type = $3, risks = $4, identified = $5, status = $6,
                     elimination_kind = $7, eliminated = $8, whole_household_without_labour = $9, updated_at = $10
                     WHERE county = $1 AND household_no = $2 AND id = $11",
                    &values,
                )?;
                if let (true, Some((_, m))) = (*eliminated_now, case.elimination) {
                    steps.push((*id, "elimination", m.first_day().to_string()));
                }
            }
        }
        let mut values = Vec::with_capacity(steps.len() * 6);
        for (id, step, on) in &steps {
            values.extend(params![
                county.as_str(),
                *id,
                *step,
                on.as_str(),
                actor.as_str(),
                "ledger"
            ]);
        }
        insert_rows(
            tx,
            "INSERT INTO case_steps (county, case_id, step, on_date, actor, outcome) VALUES ",
            6,
            &values,
            "",
        )?;
        // 6. history of changed households
        for p in &plans {
            if let Some((before, after)) = &p.audit {
                record(
                    tx,
                    &self.opts.actor,
                    Some(&county),
                    "household.import",
                    ("household", &p.household.household_no),
                    Some(before),
                    Some(after),
                )?;
            }
        }
        self.trash.later(plans);
        Ok(())
    }
}

/// A person index entry of the county being imported: 证件号码 and 户编号 in one allocation.
struct PersonKey {
    text: Box<str>,
    /// where the 证件号码 ends
    split: usize,
}

impl PersonKey {
    fn new(id_number: &str, household_no: &str) -> PersonKey {
        PersonKey {
            text: format!("{id_number}{household_no}").into_boxed_str(),
            split: id_number.len(),
        }
    }
    fn id_number(&self) -> &str {
        &self.text[..self.split]
    }
    fn household_no(&self) -> &str {
        &self.text[self.split..]
    }
}

impl Importer<'_> {
    /// Inserts the person index entries of every member written, in 证件号码 order.
    fn write_person_index(&mut self, tx: &mut dyn Sql) -> Result<(), StoreError> {
        let mut persons = std::mem::take(&mut self.persons);
        persons.sort_unstable_by(|a, b| a.id_number().cmp(b.id_number()));
        for chunk in persons.chunks(20_000) {
            let mut values = Vec::with_capacity(chunk.len() * 3);
            for p in chunk {
                values.extend(params![
                    p.id_number(),
                    self.county.as_str(),
                    p.household_no()
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO person_index (id_number, county, household_no) VALUES ",
                3,
                &values,
                "",
            )?;
        }
        self.trash.later(persons);
        Ok(())
    }
}

/// Frees what a written batch leaves behind on a thread of its own: the writer is the import's
/// bottleneck, and a million persons' strings take it most of a second to free.
struct Trash(Option<std::sync::mpsc::Sender<Box<dyn Send>>>);

impl Trash {
    fn new() -> Trash {
        let (send, receive) = std::sync::mpsc::channel::<Box<dyn Send>>();
        let freer = std::thread::Builder::new()
            .name("ledger-free".into())
            .spawn(move || receive.iter().for_each(drop));
        // without the thread, things are freed where they are
        Trash(freer.ok().map(|_| send))
    }

    fn later(&self, garbage: impl Send + 'static) {
        if let Some(send) = &self.0 {
            // a thread gone hands the box back in the error, freed here
            let _ = send.send(Box::new(garbage));
        }
    }
}

fn case_values(county: &str, c: &MonitoringCase, now: i64) -> Vec<Value> {
    params![
        county,
        &c.household_no,
        c.case_type.code(),
        risks_text(&c.risks),
        c.identified.to_string(),
        c.status.code(),
        c.elimination.map(|(k, _)| k.code()),
        c.elimination.map(|(_, m)| m.to_string()),
        c.whole_household_without_labour,
        now
    ]
    .to_vec()
}

fn income_json(i: &LedgerIncome) -> serde_json::Value {
    serde_json::json!({
        "wages": i.wages.0, "business": i.business.0, "property": i.property.0, "transfers": i.transfers.0,
        "production_costs": i.production_costs.0, "insurance_payouts": i.insurance_payouts.0,
        "out_of_pocket_medical": i.out_of_pocket_medical.0,
    })
}

/// Rows per multi-row statement on PostgreSQL (one round trip each), by row width.
fn rows_per_statement(tx: &dyn Sql, width: usize) -> usize {
    match tx.dialect() {
        // one cached single-row statement per row: no parsing, no statement journal
        Dialect::Sqlite => 1,
        Dialect::Postgres => (8000 / width.max(1)).max(1),
    }
}

fn tuples_sql(head: &str, width: usize, n: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + n * width * 5);
    sql.push_str(head);
    for i in 0..n {
        push_tuple(&mut sql, i * width, width);
    }
    sql.push_str(tail);
    sql
}

/// Inserts `values`, rows of `width`, as `head (…), (…) tail`; plain inserts (no `tail`) are
/// bulk-loaded ([`Sql::copy_rows`]).
fn insert_rows(
    tx: &mut dyn Sql,
    head: &str,
    width: usize,
    values: &[Value],
    tail: &str,
) -> Result<(), StoreError> {
    if tail.is_empty() {
        let target = head
            .trim()
            .trim_start_matches("INSERT INTO ")
            .trim_end_matches("VALUES")
            .trim();
        return tx.copy_rows(target, width, values);
    }
    let per = rows_per_statement(tx, width);
    let mut sql: Option<(usize, String)> = None;
    for chunk in values.chunks(per * width) {
        let n = chunk.len() / width;
        if sql.as_ref().is_none_or(|(k, _)| *k != n) {
            sql = Some((n, tuples_sql(head, width, n, tail)));
        }
        if let Some((_, text)) = &sql {
            tx.exec(text, chunk)?;
        }
    }
    Ok(())
}

/// `n` new monitoring case ids, so that cases and their steps are plain bulk inserts. SQLite:
/// after the largest, the import holding the only write transaction (the `AUTOINCREMENT`
/// counter follows explicit ids); PostgreSQL: drawn from the column's sequence.
fn new_case_ids(tx: &mut dyn Sql, n: usize) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.dialect() {
        Dialect::Sqlite => {
            let last = tx
                .query_one("SELECT COALESCE(MAX(id), 0) FROM monitoring_cases", &[])?
                .map_or(0, |r| r.int(0));
            let seq = tx
                .query_one(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'monitoring_cases'",
                    &[],
                )?
                .map_or(0, |r| r.int(0));
            let from = last.max(seq) + 1;
            Ok((from..from + n as i64).collect())
        }
        Dialect::Postgres => Ok(tx
            .query(
                "SELECT nextval(pg_get_serial_sequence('monitoring_cases', 'id')) FROM generate_series(1, $1::bigint)",
                &params![n as i64],
            )?
            .iter()
            .map(|r| r.int(0))
            .collect()),
    }
}

/// Appends `(${start+1}, …)` to a multi-row insert.
fn push_tuple(sql: &mut String, start: usize, n: usize) {
    use std::fmt::Write;
    if start != 0 {
        sql.push_str(", ");
    }
    sql.push('(');
    for k in 0..n {
        if k > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "${}", start + k + 1);
    }
    sql.push(')');
}

fn outside_scope(village: &RegionCode, within: &RegionCode) -> Problem {
    Problem::new(
        ProblemCode::VillageScope,
        "village",
        format!("村{village}不在您的管辖范围（{within}）内"),
        format!("village {village} is outside your region {within}"),
    )
}

/// A sentinel error that rolls the transaction back and is turned into a report.
const ROLLBACK: &str = "\u{0}ledger import rolled back";

impl Store {
    /// Imports a ledger file (see the module docs for the transaction and the rules). The file
    /// is read and validated on a thread of its own while this one writes, households passing
    /// through a bounded channel. It is read once, as the national system's exports allow; when
    /// the rows of a household turn out to be apart, the import is rolled back and the file read
    /// again in two passes ([`Grouping`]).
    pub fn import_ledger_file(
        &self,
        path: &Path,
        read: &ReadOptions,
        opts: &LedgerImport,
    ) -> Result<(ImportReport, LedgerSummary), ImportFailure> {
        let once = read.clone().grouping(Grouping::OnePass);
        match self.import_ledger_read(path, &once, opts) {
            Err(ImportFailure::File(LedgerError::NotGrouped { row, household })) => {
                tracing::info!(
                    row,
                    household,
                    "the rows of a household are apart: reading the ledger again in two passes"
                );
                self.import_ledger_read(path, &read.clone().grouping(Grouping::TwoPasses), opts)
            }
            other => other,
        }
    }

    fn import_ledger_read(
        &self,
        path: &Path,
        read: &ReadOptions,
        opts: &LedgerImport,
    ) -> Result<(ImportReport, LedgerSummary), ImportFailure> {
        let mut summary = None;
        // room for the largest batch this backend writes (two of SQLite's), so that the reader
        // keeps reading while one is written
        let room = match self.dialect() {
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
                    shouwang_io::ledger::read_ledger(path, read, |item| {
                        send.send(item).map_err(|_| ())
                    })
                })
                .map_err(|e| StoreError::Other(format!("cannot start the ledger reader: {e}")))?;
            let summary = &mut summary;
            self.import_ledger_expecting(opts, expected, move |sink| {
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

    /// Imports the households `feed` hands to its sink, in one transaction.
    pub fn import_ledger(
        &self,
        opts: &LedgerImport,
        feed: impl FnOnce(
            &mut dyn FnMut(LedgerItem) -> Result<(), StoreError>,
        ) -> Result<(), ImportFailure>,
    ) -> Result<ImportReport, ImportFailure> {
        self.import_ledger_expecting(opts, usize::MAX, feed)
    }

    /// [`Store::import_ledger`] knowing about how many persons are coming (from the file's
    /// size), to choose between keeping the indexes up to date and building them again.
    fn import_ledger_expecting(
        &self,
        opts: &LedgerImport,
        expected_persons: usize,
        feed: impl FnOnce(
            &mut dyn FnMut(LedgerItem) -> Result<(), StoreError>,
        ) -> Result<(), ImportFailure>,
    ) -> Result<ImportReport, ImportFailure> {
        if opts.county.level() != RegionLevel::County {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::CountyLevel,
                "county",
                format!("{}不是县级区划代码", opts.county),
                format!("{} is not a county code", opts.county),
            ))
            .into());
        }
        let mut outcome: Option<Result<ImportReport, ImportFailure>> = None;
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
            Err(StoreError::Other(m)) if m == ROLLBACK => match outcome {
                Some(o) => o,
                None => Err(StoreError::Other("import rolled back".into()).into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// The counties whose villages the database holds (for `--county` when there is only one).
    pub fn counties_with_villages(&self) -> Result<Vec<RegionCode>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT DISTINCT substr(code, 1, 6) FROM regions WHERE level = 12 ORDER BY 1",
                &[],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| RegionCode::from_canonical(&r.text(0)))
                .collect())
        })
    }

    /// The place names of a county's villages (省, 市, 县, 乡, 村 and 村代码), for writing ledgers.
    pub fn village_places(&self, county: &RegionCode) -> Result<Vec<PlaceNames>, StoreError> {
        self.with_conn(|c| {
            let names = Names::load(c, county)?;
            Ok(names
                .villages
                .iter()
                .filter_map(|code| RegionCode::from_canonical(code))
                .map(|code| names.place(&code))
                .collect())
        })
    }

    /// Streams the households of `region` (members, latest monitoring case, latest yearly
    /// income and flags) to `sink`, ordered by village and 户编号. Returns the number of
    /// households.
    ///
    /// The database is read on a thread of its own, a page at a time, while `sink` runs on the
    /// calling thread: formatting and writing the file overlaps with reading the next pages. At
    /// most [`EXPORT_QUEUE`] pages wait between the two, so memory stays bounded. The reader is a
    /// plain OS thread, never an async one, whichever thread calls this.
    pub fn export_ledger(
        &self,
        region: &RegionCode,
        mut sink: impl FnMut(LedgerHousehold) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let (pages, received) = std::sync::mpsc::sync_channel(EXPORT_QUEUE);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || self.read_for_export(region, &pages));
            let mut total = 0;
            let mut failed = None;
            'pages: for page in &received {
                for h in page {
                    if let Err(e) = sink(h) {
                        failed = Some(e);
                        break 'pages;
                    }
                    total += 1;
                }
            }
            // a reader still sending finds the queue closed and stops
            drop(received);
            let read = match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            match failed {
                Some(e) => Err(e),
                None => read.map(|()| total),
            }
        })
    }

    /// The reading half of [`Store::export_ledger`]: pages of households, in order, into
    /// `pages`, until the region is done or nobody listens any more. SQLite reads each table in
    /// one ordered scan ([`sqlite_export`]); PostgreSQL reads a page of households at a time
    /// with `IN` lists for the rest.
    fn read_for_export(&self, region: &RegionCode, pages: &Pages) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut c = pool.take()?;
                let r = sqlite_export(&mut c, pool, region, pages);
                pool.give_back(c);
                r
            }
            Backend::Postgres(_) => self.read_pages_for_export(region, pages),
        }
    }

    fn read_pages_for_export(&self, region: &RegionCode, pages: &Pages) -> Result<(), StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str().to_string();
            let hi = prefix_end(&lo);
            let mut names: HashMap<String, Names> = HashMap::new();
            let mut after = (String::new(), String::new());
            loop {
                let rows = c.query(
                    &format!(
                        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE village >= $1 AND village < $2
                         AND (village > $3 OR (village = $3 AND household_no > $4)) ORDER BY village, household_no LIMIT $5"
                    ),
                    &params![lo.as_str(), hi.as_str(), after.0.as_str(), after.1.as_str(), PAGE],
                )?;
                if rows.is_empty() {
                    break;
                }
                let full = rows.len() as i64 == PAGE;
                if let Some(last) = rows.last() {
                    after = (last.text(2), last.text(1));
                }
                let page: Vec<(String, Household)> = rows
                    .into_iter()
                    .filter_map(|mut r| {
                        let h = row_household(&r)?;
                        Some((take_text(&mut r, 0), h))
                    })
                    .collect();
                let mut by_county: HashMap<&str, Vec<&str>> = HashMap::new();
                for (county, h) in &page {
                    by_county.entry(county.as_str()).or_default().push(h.household_no.as_str());
                }
                let mut ex = ExportPage::default();
                for (county, nos) in &by_county {
                    for chunk in nos.chunks(IN_CHUNK) {
                        load_for_export(c, county, chunk, &mut ex)?;
                    }
                    if !names.contains_key(*county) {
                        if let Some(code) = RegionCode::from_canonical(county) {
                            names.insert(county.to_string(), Names::load(c, &code)?);
                        }
                    }
                }
                let mut out = Vec::with_capacity(page.len());
                for (county, h) in page {
                    let no = &h.household_no;
                    let members = ex.members.remove(no).unwrap_or_default();
                    let income = ex.incomes.remove(no);
                    let flags = ex.flags.remove(no);
                    let monitoring = ex.cases.remove(no);
                    out.push(ledger_household(h, &county, &names, members, income, flags, monitoring));
                }
                if pages.send(out).is_err() {
                    break; // the sink failed: it reports why
                }
                if !full {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// Pages of households an export keeps between reading the database and writing the file.
pub const EXPORT_QUEUE: usize = 4;

/// Households per page of an export.
const PAGE: i64 = 1000;

/// Where the export's reader sends its pages.
type Pages = std::sync::mpsc::SyncSender<Vec<LedgerHousehold>>;

/// A SQLite row read in place, from column `at` on, with [`Row`]'s conversions.
struct SqliteCells<'a, 'r> {
    row: &'a rusqlite::Row<'r>,
    at: usize,
}

impl SqliteCells<'_, '_> {
    fn get(&self, i: usize) -> rusqlite::types::ValueRef<'_> {
        self.row
            .get_ref(self.at + i)
            .unwrap_or(rusqlite::types::ValueRef::Null)
    }
}

impl Cells for SqliteCells<'_, '_> {
    fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    fn opt_text(&self, i: usize) -> Option<String> {
        use rusqlite::types::ValueRef;
        match self.get(i) {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(v) => Some(v.to_string()),
            ValueRef::Real(v) => Some((v as i64).to_string()),
            ValueRef::Null => None,
        }
    }
    fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }
    fn opt_int(&self, i: usize) -> Option<i64> {
        use rusqlite::types::ValueRef;
        match self.get(i) {
            ValueRef::Integer(v) => Some(v),
            ValueRef::Real(v) => Some(v as i64),
            ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).parse().ok(),
            ValueRef::Null => None,
        }
    }
}

/// One table of a SQLite export, scanned in (village, 户编号) order: the rows of each household
/// in turn. Every query selects the village and the 户编号 first.
struct Scan<'s, T> {
    rows: rusqlite::Rows<'s>,
    decode: fn(&SqliteCells<'_, '_>) -> Option<T>,
    /// the key and value of the row read ahead (the key buffers are reused)
    village: String,
    no: String,
    next: Option<Option<T>>,
}

impl<'s, T> Scan<'s, T> {
    fn new(
        rows: rusqlite::Rows<'s>,
        decode: fn(&SqliteCells<'_, '_>) -> Option<T>,
    ) -> Result<Scan<'s, T>, StoreError> {
        let mut s = Scan {
            rows,
            decode,
            village: String::new(),
            no: String::new(),
            next: None,
        };
        s.advance()?;
        Ok(s)
    }

    fn advance(&mut self) -> Result<(), StoreError> {
        self.next = match self.rows.next()? {
            Some(r) => {
                let key = SqliteCells { row: r, at: 0 };
                self.village.clear();
                self.village.push_str(&key.text(0));
                self.no.clear();
                self.no.push_str(&key.text(1));
                Some((self.decode)(&SqliteCells { row: r, at: 2 }))
            }
            None => None,
        };
        Ok(())
    }

    /// Hands the decoded rows of household (`village`, `no`) to `f`, in the query's order.
    fn each(&mut self, village: &str, no: &str, mut f: impl FnMut(T)) -> Result<(), StoreError> {
        while self.next.is_some() {
            let key = (self.village.as_str(), self.no.as_str());
            if key > (village, no) {
                break;
            }
            let here = key == (village, no);
            if let Some(Some(v)) = self.next.take() {
                if here {
                    f(v);
                }
            }
            self.advance()?;
        }
        Ok(())
    }
}

/// `m.a, m.b, …` for `a, b, …`.
fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQLite reader of an export: one ordered scan per table, merged on (village, 户编号),
/// inside one read transaction so that all scans see the same data. Place names come through a
/// second connection of `pool`, as the scans hold this one.
fn sqlite_export(
    c: &mut rusqlite::Connection,
    pool: &Pool<rusqlite::Connection>,
    region: &RegionCode,
    pages: &Pages,
) -> Result<(), StoreError> {
    let lo = region.as_str().to_string();
    let hi = prefix_end(&lo);
    let range = [lo.as_str(), hi.as_str()];
    // no memory map here (a pooled connection may carry the screening snapshot's): mapped pages
    // count as the process's memory, 600 MB for a million persons, for a gain of about 10%
    c.execute_batch("PRAGMA mmap_size = 0")?;
    let tx = c.transaction()?;
    let join = |table: &str, alias: &str, columns: &str, filter: &str, order: &str| {
        format!(
            "SELECT h.village, {alias}.household_no, {} FROM households h JOIN {table} {alias} \
             ON {alias}.county = h.county AND {alias}.household_no = h.household_no \
             WHERE h.village >= ?1 AND h.village < ?2{filter} ORDER BY h.village, h.household_no, {alias}.{order}",
            qualified(alias, columns)
        )
    };
    let mut households = tx.prepare(&format!(
        "SELECT {HOUSEHOLD_COLUMNS} FROM households WHERE village >= ?1 AND village < ?2 ORDER BY village, household_no"
    ))?;
    let mut members = tx.prepare(&join("members", "m", MEMBER_COLUMNS, "", "position"))?;
    let mut incomes = tx.prepare(&join(
        "incomes",
        "i",
        INCOME_COLUMNS,
        " AND i.quarter = 0",
        "year",
    ))?;
    let mut flags = tx.prepare(&join(
        "guarantees",
        "g",
        "as_of, unsafe_housing, dropout, uninsured, unsafe_water",
        "",
        "as_of",
    ))?;
    let mut cases = tx.prepare(&join("monitoring_cases", "c", CASE_COLUMNS, "", "id"))?;
    let mut households = households.query(range)?;
    let mut members = Scan::new(members.query(range)?, |r| Some(row_member(r)))?;
    let mut incomes = Scan::new(incomes.query(range)?, |r| {
        Some((r.int(0), income_from_row(r, 0)))
    })?;
    let mut flags = Scan::new(flags.query(range)?, |r| {
        Some((r.text(0), [r.bool(1), r.bool(2), r.bool(3), r.bool(4)]))
    })?;
    // the case's 户编号 is set below, where the household is known
    let mut cases = Scan::new(cases.query(range)?, |r| case_from_row("", r, 0))?;

    let mut names: HashMap<String, Names> = HashMap::new();
    let mut out = Vec::with_capacity(PAGE as usize);
    while let Some(r) = households.next()? {
        let r = SqliteCells { row: r, at: 0 };
        let Some(h) = row_household(&r) else {
            continue;
        };
        let county = r.text(0);
        let village = h.village.as_str();
        let no = h.household_no.as_str();
        let mut ms = Vec::new();
        members.each(village, no, |m| ms.push(m))?;
        let mut income = None;
        incomes.each(village, no, |i| income = Some(i))?;
        let mut flag = None;
        flags.each(village, no, |f| flag = Some(f))?;
        let mut monitoring = None;
        cases.each(village, no, |c| monitoring = Some(c))?;
        if let Some(c) = monitoring.as_mut() {
            c.household_no = h.household_no.clone();
        }
        if !names.contains_key(&county) {
            if let Some(code) = RegionCode::from_canonical(&county) {
                let mut nc = pool.take()?;
                let loaded = Names::load(&mut nc, &code);
                pool.give_back(nc);
                names.insert(county.clone(), loaded?);
            }
        }
        out.push(ledger_household(
            h, &county, &names, ms, income, flag, monitoring,
        ));
        if out.len() == PAGE as usize {
            let page = std::mem::replace(&mut out, Vec::with_capacity(PAGE as usize));
            if pages.send(page).is_err() {
                return Ok(()); // the sink failed: it reports why
            }
        }
    }
    if !out.is_empty() {
        let _ = pages.send(out);
    }
    Ok(())
}

/// A household of an export, with what goes with it.
fn ledger_household(
    h: Household,
    county: &str,
    names: &HashMap<String, Names>,
    members: Vec<Member>,
    income: Option<(i64, LedgerIncome)>,
    flags: Option<(String, Flags)>,
    monitoring: Option<MonitoringCase>,
) -> LedgerHousehold {
    let year = income
        .map(|(y, _)| y as i32)
        .or_else(|| flags.as_ref().and_then(|(a, _)| a.get(..4)?.parse().ok()));
    let guarantees = match &flags {
        Some((_, f)) => LedgerGuarantees {
            unsafe_housing: Some(f[0]),
            out_of_school: Some(f[1]),
            uninsured_member: Some(f[2]),
            unsafe_water: Some(f[3]),
        },
        None => LedgerGuarantees::default(),
    };
    let place = names
        .get(county)
        .map(|n| n.place(&h.village))
        .unwrap_or_else(|| PlaceNames {
            village_code: Some(h.village.clone()),
            ..PlaceNames::default()
        });
    LedgerHousehold {
        household: h,
        place,
        members,
        monitoring,
        year,
        income: income.map(|(_, i)| i),
        guarantees,
        warnings: Vec::new(),
        source_rows: Vec::new(),
    }
}

/// Moves a text cell out of a row (instead of copying it); an empty string when there is none.
fn take_text(r: &mut Row, i: usize) -> String {
    match r.0.get_mut(i) {
        Some(Value::Text(t)) => t.take().unwrap_or_default(),
        Some(Value::Int(Some(v))) => v.to_string(),
        _ => String::new(),
    }
}

/// One page of an export: what goes with the page's households.
#[derive(Default)]
struct ExportPage {
    members: HashMap<String, Vec<Member>>,
    /// the latest yearly income
    incomes: HashMap<String, (i64, LedgerIncome)>,
    /// the newest flags
    flags: HashMap<String, (String, Flags)>,
    /// the latest case
    cases: HashMap<String, MonitoringCase>,
}

fn load_for_export(
    c: &mut dyn Sql,
    county: &str,
    nos: &[&str],
    ex: &mut ExportPage,
) -> Result<(), StoreError> {
    let mut values = vec![Value::from(county)];
    values.extend(nos.iter().map(|n| Value::from(*n)));
    let list = in_list(2, nos.len());
    // household_no last, so that the row is a member row as it stands
    for mut r in c.query(
        &format!("SELECT {MEMBER_COLUMNS}, household_no FROM members WHERE county = $1 AND household_no IN ({list}) ORDER BY household_no, position"),
        &values,
    )? {
        let m = row_member(&r);
        ex.members.entry(take_text(&mut r, MEMBER_COLUMN_COUNT)).or_default().push(m);
    }
    for r in c.query(
        &format!("SELECT household_no, {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND quarter = 0 AND household_no IN ({list})"),
        &values,
    )? {
        let year = r.int(1);
        let e = ex.incomes.entry(r.text(0)).or_insert((year, income_from_row(&r, 1)));
        if year > e.0 {
            *e = (year, income_from_row(&r, 1));
        }
    }
    for r in c.query(
        &format!("SELECT household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water FROM guarantees WHERE county = $1 AND household_no IN ({list})"),
        &values,
    )? {
        let f = [r.bool(2), r.bool(3), r.bool(4), r.bool(5)];
        let as_of = r.text(1);
        let e = ex.flags.entry(r.text(0)).or_insert((as_of.clone(), f));
        if as_of > e.0 {
            *e = (as_of, f);
        }
    }
    for r in c.query(
        &format!("SELECT household_no, {CASE_COLUMNS} FROM monitoring_cases WHERE county = $1 AND household_no IN ({list}) ORDER BY id"),
        &values,
    )? {
        let no = r.text(0);
        if let Some(case) = case_from_row(&no, &r, 1) {
            ex.cases.insert(no, case);
        }
    }
    Ok(())
}

/// Region names of a county, for the place columns.
struct Names {
    province: String,
    city: String,
    county: String,
    by_code: HashMap<String, String>,
    villages: Vec<String>,
}

impl Names {
    fn load(c: &mut dyn Sql, county: &RegionCode) -> Result<Names, StoreError> {
        let lo = county.as_str();
        let mut by_code = HashMap::new();
        let mut villages = Vec::new();
        for r in c.query(
            "SELECT code, name, level FROM regions WHERE code >= $1 AND code < $2 ORDER BY code",
            &params![lo, prefix_end(lo)],
        )? {
            if r.int(2) == 12 {
                villages.push(r.text(0));
            }
            by_code.insert(r.text(0), r.text(1));
        }
        let mut name_of = |code: Option<RegionCode>| -> Result<String, StoreError> {
            let Some(code) = code else {
                return Ok(String::new());
            };
            Ok(c.query_one(
                "SELECT name FROM regions WHERE code = $1",
                &params![code.as_str()],
            )?
            .map(|r| r.text(0))
            .unwrap_or_default())
        };
        let province = name_of(county.ancestor(RegionLevel::Province))?;
        let city = name_of(county.ancestor(RegionLevel::City))?;
        let county_name = by_code.get(lo).cloned().unwrap_or_default();
        Ok(Names {
            province,
            city,
            county: county_name,
            by_code,
            villages,
        })
    }

    fn place(&self, village: &RegionCode) -> PlaceNames {
        let name = |level: RegionLevel| {
            village
                .ancestor(level)
                .and_then(|c| self.by_code.get(c.as_str()).cloned())
                .unwrap_or_default()
        };
        PlaceNames {
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            township: name(RegionLevel::Township),
            village: self
                .by_code
                .get(village.as_str())
                .cloned()
                .unwrap_or_default(),
            village_code: Some(village.clone()),
        }
    }
}

/// Page cache of the import's SQLite connection (MiB). The indexes that grow during an import
/// are rebuilt after it, so that more cache buys nothing: 64 MiB imports a million persons as
/// fast as 128 MiB did, with 75 MB less memory.
pub const IMPORT_CACHE_MIB: u32 = 64;
/// The connections' usual page cache (KiB), restored after an import.
const NORMAL_CACHE_KIB: i64 = 32_000;

type Feed<'f> = &'f mut dyn FnMut(LedgerItem) -> Result<(), StoreError>;

/// The body of [`Store::import_ledger`], inside its transaction.
fn import_in(
    tx: &mut dyn Sql,
    opts: &LedgerImport,
    expected_persons: usize,
    feed: impl FnOnce(Feed<'_>) -> Result<(), ImportFailure>,
    outcome: &mut Option<Result<ImportReport, ImportFailure>>,
) -> Result<ImportReport, StoreError> {
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
        report: ImportReport::default(),
        now: crate::now(),
        nothing_stored,
    };
    let started = std::time::Instant::now();
    let fed = {
        let mut sink = |item: LedgerItem| imp.push(tx, item);
        feed(&mut sink)
    };
    if let Err(e) = fed {
        *outcome = Some(Err(e));
        return Err(StoreError::Other(ROLLBACK.into()));
    }
    imp.flush(tx, false)?;
    // households that take a person from a household not seen before their batch
    let deferred = std::mem::take(&mut imp.deferred);
    for chunk in deferred.chunks(BATCH_HOUSEHOLDS) {
        imp.batch = chunk.to_vec();
        imp.flush(tx, true)?;
    }
    imp.write_person_index(tx)?;
    imp.report
        .rejected
        .sort_by_key(|r| r.rows.first().map(|r| r.number));
    let r = &imp.report;
    let after = serde_json::json!({
        "file": opts.source,
        "households_added": r.households_added, "households_updated": r.households_updated,
        "households_unchanged": r.households_unchanged, "households_rejected": r.households_rejected,
        "persons_added": r.persons_added, "persons_updated": r.persons_updated,
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
    if opts.all_or_nothing && report.households_rejected > 0 {
        report.committed = false;
        *outcome = Some(Ok(report));
        return Err(StoreError::Other(ROLLBACK.into()));
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

/// Indexes that a first import into an empty county drops and builds again at the end (inside
/// the import's transaction, DDL being transactional on both backends: a rollback restores
/// them). Building an index once from the finished table is much cheaper than a million random
/// insertions into it. members_key is SQLite's key of members (county, 证件号码), a unique
/// index there (migration 5); PostgreSQL has incomes_screening, and drops its keys itself
/// ([`REKEYED_TABLES`]). A name the database does not have is skipped.
const REBUILT_INDEXES: [&str; 6] = [
    "members_key",
    "members_name",
    "members_household",
    "members_village",
    "households_village",
    "incomes_screening",
];

/// What [`prepare_bulk`] decided.
struct Bulk {
    /// SQL that builds again what was dropped, to run at the end.
    rebuild: Vec<String>,
    /// The database held no household and no person: nothing needs looking up.
    nothing_stored: bool,
}

/// Before an import: into a county that holds no household yet, drops [`REBUILT_INDEXES`]
/// unless the installation already holds more persons than are coming (a province importing
/// its next county: keeping the indexes up to date costs less than building them again over
/// every county); on PostgreSQL also the foreign keys ([`drop_foreign_keys`]) and, into an
/// empty database, the primary keys ([`drop_primary_keys`]).
fn prepare_bulk(
    tx: &mut dyn Sql,
    county: &RegionCode,
    expected_persons: usize,
) -> Result<Bulk, StoreError> {
    let county_empty = tx
        .query_one(
            "SELECT 1 FROM households WHERE county = $1 LIMIT 1",
            &params![county.as_str()],
        )?
        .is_none();
    // persons stored, counted only as far as the expected number
    let limit = i64::try_from(expected_persons.saturating_add(1)).unwrap_or(i64::MAX);
    let stored = tx
        .query_one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM person_index LIMIT $1) AS t",
            &params![limit],
        )?
        .map_or(0, |r| r.int(0));
    let nothing_stored = stored == 0
        && county_empty
        && tx
            .query_one("SELECT 1 FROM households LIMIT 1", &[])?
            .is_none();
    let mut rebuild = Vec::new();
    if !county_empty {
        return Ok(Bulk {
            rebuild,
            nothing_stored,
        });
    }
    if stored < limit {
        for name in REBUILT_INDEXES {
            let lookup = match tx.dialect() {
                Dialect::Sqlite => {
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1 AND sql IS NOT NULL"
                }
                Dialect::Postgres => {
                    "SELECT indexdef FROM pg_indexes WHERE indexname = $1 AND schemaname = current_schema()"
                }
            };
            let Some(r) = tx.query_one(lookup, &params![name])? else {
                continue;
            };
            tx.batch(&format!("DROP INDEX {name}"))?;
            rebuild.push(r.text(0));
        }
    }
    if tx.dialect() == Dialect::Postgres {
        if nothing_stored {
            rebuild.extend(drop_primary_keys(tx)?);
        }
        rebuild.extend(drop_foreign_keys(tx)?);
    }
    Ok(Bulk {
        rebuild,
        nothing_stored,
    })
}

/// Tables whose primary keys an import into an empty PostgreSQL database drops and adds back
/// at the end: their keys get rows in random order (证件号码), which a B-tree takes one page
/// at a time, and nothing references them. A key added at the end is built by one sort, and
/// checked: a duplicate (which the reader and the look-ups exclude) would fail the import.
const REKEYED_TABLES: [&str; 4] = ["members", "person_index", "incomes", "guarantees"];

fn drop_primary_keys(tx: &mut dyn Sql) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for table in REKEYED_TABLES {
        let Some(k) = tx.query_one(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE c.contype = 'p' AND n.nspname = current_schema() AND t.relname = $1",
            &params![table],
        )?
        else {
            continue;
        };
        let (name, definition) = (k.text(0), k.text(1));
        tx.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
        out.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        ));
    }
    Ok(out)
}

/// PostgreSQL checks a foreign key with a trigger per inserted row. A first import into an empty
/// county drops the keys of the tables it fills and adds them back `NOT VALID` at the end: from
/// then on every write is checked again, and the imported rows were written parents first, by
/// construction (re-validating them would scan every county's rows, not just these).
fn drop_foreign_keys(tx: &mut dyn Sql) -> Result<Vec<String>, StoreError> {
    let keys = tx.query(
        "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = current_schema()
         AND t.relname IN ('households', 'members', 'incomes', 'guarantees', 'monitoring_cases', 'case_steps')
         ORDER BY t.relname, c.conname",
        &[],
    )?;
    let mut out = Vec::new();
    for k in keys {
        let (name, table, definition) = (k.text(0), k.text(1), k.text(2));
        tx.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
        out.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID"
        ));
    }
    Ok(out)
}
