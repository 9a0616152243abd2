//! 部门数据批次: a department's file or push, matched to the county's members on the ID number,
//! weighed against the year's thresholds into alerts, and turned into leads — in one
//! transaction per batch, so that a batch is all there or not there at all.
//!
//! [`Store::import_dept_batch`] holds the whole write path. Inside one transaction it
//! 1. refuses the same file (SHA-256) or the same client batch id of the county and kind while
//!    that batch is imported ([`BatchOutcome::Duplicate`], nothing written);
//! 2. writes the batch row;
//! 3. loads the county's households (number, village, in the batch's region, 脱贫户 or an open
//!    case, able workers for 人社) and its members as a sorted list of compact keys (the 17 digits
//!    and the check character of an ID number in a `u64`, with the household's index: 16 bytes a
//!    person, 56 MB for 3.5 million), and the earlier facts of the year for this kind (active
//!    records of earlier batches: 医保 sums, rolls, severe disabilities; the rules already
//!    alerted for a person by open alerts);
//! 4. takes the rows from the caller's `feed` one at a time: a row that could not be read goes to
//!    the unmatched queue (counted `invalid`), an ID number of no member of the county is looked up
//!    in the other counties (`OutsideRegion` when found, else `NotFound`), one of a member outside
//!    the batch's region is `OutsideRegion`; a matched 医保 row is folded into its person's sum
//!    for the year, another kind's record is written at once (in chunks) and evaluated;
//! 5. writes the folded 医保 records and evaluates them against the year's cumulative sum;
//! 6. raises one lead per household and risk that has no pending lead and no open case of that
//!    risk (as [`Store::save_screening`] does), names the lead on every alert (`raised_lead` when
//!    this batch raised it), writes the alerts, the batch's counts and one `dept.import` event.
//!
//! A duplicate writes nothing, not even an audit event: the batch it repeats is the record.
//! [`Store::rollback_dept_batch`] withdraws a batch: records inactive, alerts withdrawn, and the
//! leads it raised that are still open and named by no open alert of another batch dismissed.

use crate::audit::{record, Actor};
use crate::bulk_assistance::new_ids;
use crate::db::{Dialect, Row, Sql, Value};
use crate::decode::Fields;
use crate::{params, Store, StoreError};
use shouwang_core::date::YearMonth;
use shouwang_core::department::alert::{evaluate, PersonFacts, Thresholds};
use shouwang_core::department::profile::{ColumnMap, Field, ProfileEdits};
use shouwang_core::department::record::{DeptRecord, RowProblem};
use shouwang_core::department::{
    BatchChannel, BatchStatus, DeptKind, QueueStatus, UnmatchedReason,
};
use shouwang_core::lead::{check_reason, LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::screening::level::{WarningLevel, WarningScheme};
use shouwang_core::{Date, Fen, Problem, ProblemCode, RegionCode};
use std::collections::{HashMap, HashSet};

/// A batch as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BatchRecord {
    pub id: i64,
    pub county: String,
    pub region: String,
    pub kind: DeptKind,
    pub channel: BatchChannel,
    pub file_name: String,
    pub sha256: String,
    pub client_batch_id: Option<String>,
    pub period: Option<String>,
    pub rows: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub invalid: i64,
    pub alerts: i64,
    pub leads: i64,
    pub status: BatchStatus,
    pub created_by: String,
    pub created_at: i64,
    pub rolled_back_by: Option<String>,
    pub rolled_back_at: Option<i64>,
    pub rollback_reason: Option<String>,
}

/// The columns [`row_batch`] reads, in its order.
pub(crate) const BATCH_COLUMNS: &str = "id, county, region, kind, channel, file_name, sha256, client_batch_id, period, rows_total, matched, unmatched, invalid, alerts, leads, status, created_by, created_at, rolled_back_by, rolled_back_at, rollback_reason";

pub(crate) fn row_batch(r: &Row) -> Result<BatchRecord, StoreError> {
    let f = Fields::new(r, "dept_batches", BATCH_COLUMNS, 0);
    Ok(BatchRecord {
        id: f.int(0)?,
        county: f.text(1),
        region: f.text(2),
        kind: f.code(3, DeptKind::from_code)?,
        channel: f.code(4, BatchChannel::from_code)?,
        file_name: f.text(5),
        sha256: f.text(6),
        client_batch_id: f.opt_text(7),
        period: f.opt_text(8),
        rows: f.int(9)?,
        matched: f.int(10)?,
        unmatched: f.int(11)?,
        invalid: f.int(12)?,
        alerts: f.int(13)?,
        leads: f.int(14)?,
        status: f.code(15, BatchStatus::from_code)?,
        created_by: f.text(16),
        created_at: f.int(17)?,
        rolled_back_by: f.opt_text(18),
        rolled_back_at: f.opt_int(19)?,
        rollback_reason: f.opt_text(20),
    })
}

fn load_batch(c: &mut dyn Sql, id: i64) -> Result<Option<BatchRecord>, StoreError> {
    c.query_one(
        &format!("SELECT {BATCH_COLUMNS} FROM dept_batches WHERE id = $1"),
        &params![id],
    )?
    .as_ref()
    .map(row_batch)
    .transpose()
}

fn find_batch(
    c: &mut dyn Sql,
    county: &str,
    kind: DeptKind,
    sha256: &str,
    client_batch_id: Option<&str>,
) -> Result<Option<BatchRecord>, StoreError> {
    c.query_one(
        &format!(
            "SELECT {BATCH_COLUMNS} FROM dept_batches WHERE county = $1 AND kind = $2 AND status = $3
             AND (sha256 = $4 OR client_batch_id = $5) ORDER BY id LIMIT 1"
        ),
        &params![
            county,
            kind.code(),
            BatchStatus::Imported.code(),
            sha256,
            client_batch_id.map(str::to_string)
        ],
    )?
    .as_ref()
    .map(row_batch)
    .transpose()
}

/// A batch to import, with what its rows are weighed against.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub county: RegionCode,
    /// The region it covers: the county, or a token's township or village
    pub region: RegionCode,
    pub kind: DeptKind,
    pub channel: BatchChannel,
    pub file_name: String,
    pub sha256: String,
    pub client_batch_id: Option<String>,
    pub period: Option<YearMonth>,
    pub token_id: Option<i64>,
    /// The year a record without a date counts in (the period's, else today's)
    pub year: i32,
    pub today: Date,
    pub thresholds: Thresholds,
    /// The days a lead of each level has (the standard's warning scheme)
    pub scheme: WarningScheme,
}

/// One row of the batch, as read: its number in the file (or place in the push), its cells
/// (kept only if it ends in the unmatched queue) and the record or the reason it was refused.
#[derive(Clone, Debug)]
pub struct DeptRow {
    pub row: u64,
    pub cells: Vec<String>,
    pub read: Result<DeptRecord, RowProblem>,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    Imported(BatchRecord),
    /// The same file or client batch id is already imported: nothing was written.
    Duplicate(BatchRecord),
}

/// Hands each row to the sink it is given; an error (a file refused half-way) rolls the whole
/// batch back.
pub type Feed<'a> =
    dyn FnMut(&mut dyn FnMut(DeptRow) -> Result<(), StoreError>) -> Result<(), StoreError> + 'a;

/// An ID number as a number: its 17 digits times 11 plus the check character (X = 10). Other
/// forms (a 15-digit number, a foreign ID) have none and match nothing.
pub fn id_key(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let digits = b[..17]
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let check = match b[17] {
        d @ b'0'..=b'9' => u64::from(d - b'0'),
        b'X' | b'x' => 10,
        _ => return None,
    };
    Some(digits * 11 + check)
}

/// The ID number of a key.
pub fn key_id(key: u64) -> String {
    let check = key % 11;
    let c = if check == 10 {
        'X'
    } else {
        char::from(b'0' + check as u8)
    };
    format!("{:017}{c}", key / 11)
}

/// The birth date an ID number's key holds.
fn birth_of(key: u64) -> Option<Date> {
    let ymd = (key / 11 / 1_000) % 100_000_000;
    Date::new(
        (ymd / 10_000) as i32,
        ((ymd / 100) % 100) as u8,
        (ymd % 100) as u8,
    )
}

/// A household of the county, as the matching needs it.
struct Hh {
    no: Box<str>,
    village: u32,
    in_region: bool,
    registered: bool,
    able: u16,
}

/// The county as the matching sees it.
struct County {
    households: Vec<Hh>,
    villages: Vec<String>,
    /// (ID key, household index), sorted by key
    members: Vec<(u64, u32)>,
}

impl County {
    fn member(&self, key: u64) -> Option<u32> {
        self.members
            .binary_search_by_key(&key, |m| m.0)
            .ok()
            .map(|i| self.members[i].1)
    }
}

/// Rows at a time of the keyset scans.
const SCAN: i64 = 50_000;

/// Reads `sql` in chunks ordered by its first column (text), which must be selected first; `sql`
/// binds `fixed` as `$1…$n`, then `> $n+1` on the first column and `LIMIT $n+2`. When `whole`,
/// rows with the same first column are never split between chunks (a household's members).
fn scan(
    c: &mut dyn Sql,
    sql: &str,
    fixed: &[Value],
    whole: bool,
    mut f: impl FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut after = String::new();
    loop {
        let mut p = fixed.to_vec();
        p.push(after.clone().into());
        p.push(SCAN.into());
        let rows = c.query(sql, &p)?;
        let full = rows.len() as i64 >= SCAN;
        let mut cut = rows.len();
        if full && whole {
            let last = rows.last().map(|r| r.text(0)).unwrap_or_default();
            if let Some(i) = rows.iter().rposition(|r| r.text(0) != last) {
                cut = i + 1;
            }
        }
        for r in &rows[..cut] {
            f(r)?;
        }
        if !full {
            return Ok(());
        }
        match rows[..cut].last() {
            Some(r) => after = r.text(0),
            None => return Ok(()),
        }
    }
}

fn load_county(
    c: &mut dyn Sql,
    county: &str,
    region: &RegionCode,
    kind: DeptKind,
) -> Result<County, StoreError> {
    let mut households: Vec<Hh> = Vec::new();
    let mut villages: Vec<String> = Vec::new();
    let mut village_ix: HashMap<String, u32> = HashMap::new();
    let post_poverty = shouwang_core::codes::HouseholdType::PostPoverty.code();
    scan(
        c,
        "SELECT household_no, village, household_type FROM households WHERE county = $1 AND household_no > $2 ORDER BY household_no LIMIT $3",
        &params![county],
        false,
        |r| {
            let village = r.text(1);
            let in_region = region.contains_str(&village);
            let v = match village_ix.get(&village) {
                Some(v) => *v,
                None => {
                    let v = villages.len() as u32;
                    village_ix.insert(village.clone(), v);
                    villages.push(village);
                    v
                }
            };
            households.push(Hh {
                no: r.text(0).into_boxed_str(),
                village: v,
                in_region,
                registered: r.int(2) == post_poverty,
                able: 0,
            });
            Ok(())
        },
    )?;
    // the database's order and Rust's may differ: Rust's is what the searches use
    if !households.windows(2).all(|w| w[0].no < w[1].no) {
        households.sort_by(|a, b| a.no.cmp(&b.no));
    }
    let find = |hh: &[Hh], no: &str, hint: usize| -> Option<usize> {
        // members come in household order: the last household or the next one, usually
        for i in [hint, hint + 1] {
            if hh.get(i).is_some_and(|h| &*h.no == no) {
                return Some(i);
            }
        }
        hh.binary_search_by(|h| (*h.no).cmp(no)).ok()
    };
    let open = format!(
        "{}, {}",
        CaseStatus::Identifying.code(),
        CaseStatus::AtRisk.code()
    );
    for r in c.query(
        &format!("SELECT DISTINCT household_no FROM monitoring_cases WHERE county = $1 AND status IN ({open})"),
        &params![county],
    )? {
        if let Some(i) = find(&households, &r.text(0), 0) {
            households[i].registered = true;
        }
    }
    if kind == DeptKind::Employment {
        let able: Vec<String> = shouwang_core::codes::LabourCapacity::ALL
            .iter()
            .filter(|l| l.can_work())
            .map(|l| l.code().to_string())
            .collect();
        let mut hint = 0;
        scan(
            c,
            &format!(
                "SELECT household_no, COUNT(*) FROM members WHERE county = $1 AND deceased_on IS NULL AND labour IN ({})
                 AND household_no > $2 GROUP BY household_no ORDER BY household_no LIMIT $3",
                able.join(", ")
            ),
            &params![county],
            false,
            |r| {
                if let Some(i) = find(&households, &r.text(0), hint) {
                    households[i].able = u16::try_from(r.int(1)).unwrap_or(u16::MAX);
                    hint = i;
                }
                Ok(())
            },
        )?;
    }
    let mut members: Vec<(u64, u32)> = Vec::new();
    let mut hint = 0;
    scan(
        c,
        "SELECT household_no, id_number FROM members WHERE county = $1 AND household_no > $2 ORDER BY household_no LIMIT $3",
        &params![county],
        true,
        |r| {
            let no = r.text(0);
            if let (Some(i), Some(key)) = (find(&households, &no, hint), id_key(&r.text(1))) {
                members.push((key, i as u32));
                hint = i;
            }
            Ok(())
        },
    )?;
    members.sort_unstable();
    members.shrink_to_fit();
    Ok(County {
        households,
        villages,
        members,
    })
}

/// What earlier batches and open alerts say of the persons, for this kind.
#[derive(Default)]
struct Earlier {
    /// (person, year) → 合规自付 of earlier batches
    medical: HashMap<(u64, i32), i64>,
    /// person → rolls (bits of `1 << RollType code`)
    rolls: HashMap<u64, u16>,
    /// persons with a grade 1–2 disability known
    severe: HashSet<u64>,
    /// (person, year) → rules alerted by open alerts
    alerted: HashMap<(u64, i32), u16>,
}

fn load_earlier(c: &mut dyn Sql, county: &str, kind: DeptKind) -> Result<Earlier, StoreError> {
    let mut e = Earlier::default();
    let active = "county = $1 AND kind = $2 AND active = 1";
    match kind {
        DeptKind::Medical => {
            for r in c.query(
                &format!("SELECT id_number, year, CAST(SUM(amount) AS BIGINT) FROM dept_records WHERE {active} GROUP BY id_number, year"),
                &params![county, kind.code()],
            )? {
                if let Some(k) = id_key(&r.text(0)) {
                    e.medical.insert((k, r.int(1) as i32), r.int(2));
                }
            }
        }
        DeptKind::Roster => {
            for r in c.query(
                &format!("SELECT DISTINCT id_number, category FROM dept_records WHERE {active} AND category IS NOT NULL"),
                &params![county, kind.code()],
            )? {
                if let (Some(k), cat @ 0..=15) = (id_key(&r.text(0)), r.int(1)) {
                    *e.rolls.entry(k).or_default() |= 1 << cat;
                }
            }
        }
        DeptKind::Disability => {
            for r in c.query(
                &format!("SELECT DISTINCT id_number FROM dept_records WHERE {active} AND category IN (1, 2)"),
                &params![county, kind.code()],
            )? {
                if let Some(k) = id_key(&r.text(0)) {
                    e.severe.insert(k);
                }
            }
        }
        _ => {}
    }
    for r in c.query(
        "SELECT id_number, year, rule FROM dept_alerts WHERE county = $1 AND kind = $2 AND status = $3",
        &params![
            county,
            kind.code(),
            shouwang_core::department::AlertStatus::Open.code()
        ],
    )? {
        if let (Some(k), Some(rule)) = (
            id_key(&r.text(0)),
            shouwang_core::department::alert::DeptRule::parse(&r.text(2)),
        ) {
            *e.alerted.entry((k, r.int(1) as i32)).or_default() |= rule.bit();
        }
    }
    Ok(e)
}

/// An alert waiting for its lead.
struct PendingAlert {
    record_id: i64,
    hh: u32,
    key: u64,
    name: String,
    rule: shouwang_core::department::alert::DeptRule,
    level: WarningLevel,
    risk: RiskType,
    year: i32,
    on_date: Option<Date>,
    amount: Option<i64>,
    threshold: Option<i64>,
    evidence: String,
}

/// A matched record waiting to be written: household, person, year, the record, rows folded.
struct Matched {
    hh: u32,
    key: u64,
    year: i32,
    record: DeptRecord,
    rows: u64,
}

/// A 医保 person's rows of the batch, folded.
struct Fold {
    hh: u32,
    row: u64,
    rows: u32,
    amount: i64,
    date: Option<Date>,
    name: Box<str>,
}

/// An unmatched row waiting to be written.
struct Unmatched {
    row: u64,
    reason: UnmatchedReason,
    field: String,
    zh: String,
    en: String,
    id_number: String,
    name: String,
    cells: String,
}

/// Rows written at a time.
const CHUNK: usize = 4_000;
/// Unknown ID numbers looked up in the other counties at a time.
const LOOKUP: usize = 500;

fn cut(t: &str, n: usize) -> String {
    t.trim().chars().take(n).collect()
}

/// A row's cells as JSON, bounded (64 cells of at most 200 characters).
fn cells_json(cells: &[String]) -> String {
    let kept: Vec<String> = cells.iter().take(64).map(|c| cut(c, 200)).collect();
    serde_json::to_string(&kept).unwrap_or_default()
}

/// The work of one import inside its transaction.
struct Import<'a> {
    batch: &'a NewBatch,
    batch_id: i64,
    county: &'a str,
    map: &'a ColumnMap,
    c: County,
    earlier: Earlier,
    rows: i64,
    matched: i64,
    unmatched_n: i64,
    invalid: i64,
    folds: HashMap<(u64, i32), Fold>,
    records: Vec<Matched>,
    unmatched: Vec<Unmatched>,
    unknown: Vec<(u64, Unmatched)>,
    /// the counties with households, read once when an unknown ID number is first looked up
    /// (members are keyed by county first: without it each lookup scans every member)
    counties: Option<Vec<String>>,
    alerts: Vec<PendingAlert>,
}

impl Import<'_> {
    fn unmatched_of(
        &self,
        row: &DeptRow,
        reason: UnmatchedReason,
        field: String,
        zh: String,
        en: String,
    ) -> Unmatched {
        Unmatched {
            row: row.row,
            reason,
            field,
            zh,
            en,
            id_number: cut(self.map.cell(Field::IdNumber, &row.cells).unwrap_or(""), 40),
            name: cut(self.map.cell(Field::Name, &row.cells).unwrap_or(""), 40),
            cells: cells_json(&row.cells),
        }
    }

    fn take(&mut self, tx: &mut dyn Sql, row: DeptRow) -> Result<(), StoreError> {
        self.rows += 1;
        let record = match &row.read {
            Err(p) => {
                self.invalid += 1;
                let u = self.unmatched_of(
                    &row,
                    p.reason,
                    p.problem.field.clone(),
                    p.problem.zh.clone(),
                    p.problem.en.clone(),
                );
                self.unmatched.push(u);
                return self.flush_unmatched(tx, false);
            }
            Ok(r) => r,
        };
        let Some(key) = id_key(&record.id_number) else {
            // a valid ID number of another form: no member has it
            self.unmatched_n += 1;
            let u = not_found(self, &row);
            self.unmatched.push(u);
            return self.flush_unmatched(tx, false);
        };
        let Some(hh) = self.c.member(key) else {
            self.unmatched_n += 1;
            let u = not_found(self, &row);
            self.unknown.push((key, u));
            if self.unknown.len() >= LOOKUP {
                self.look_up_unknown(tx)?;
            }
            return self.flush_unmatched(tx, false);
        };
        if !self.c.households[hh as usize].in_region {
            self.unmatched_n += 1;
            let u = outside(self, &row);
            self.unmatched.push(u);
            return self.flush_unmatched(tx, false);
        }
        self.matched += 1;
        let year = record.date.map_or(self.batch.year, Date::year);
        let Ok(record) = row.read else {
            return Ok(());
        };
        if self.batch.kind == DeptKind::Medical {
            let amount = record.amount.map_or(0, |f| f.0);
            let f = self.folds.entry((key, year)).or_insert_with(|| Fold {
                hh,
                row: record.row,
                rows: 0,
                amount: 0,
                date: None,
                name: record.name.clone().into_boxed_str(),
            });
            f.rows += 1;
            f.amount = f.amount.saturating_add(amount);
            f.date = f.date.max(record.date);
            return Ok(());
        }
        self.records.push(Matched {
            hh,
            key,
            year,
            record,
            rows: 1,
        });
        if self.records.len() >= CHUNK {
            let chunk = std::mem::take(&mut self.records);
            self.write_records(tx, chunk)?;
        }
        Ok(())
    }

    /// The unknown ID numbers found in another county are outside the region; the others are
    /// not found.
    fn look_up_unknown(&mut self, tx: &mut dyn Sql) -> Result<(), StoreError> {
        if self.unknown.is_empty() {
            return Ok(());
        }
        if self.counties.is_none() {
            let all = tx.query("SELECT DISTINCT county FROM households", &[])?;
            self.counties = Some(all.iter().map(|r| r.text(0)).collect());
        }
        let counties = self.counties.as_deref().unwrap_or_default();
        if counties.is_empty() {
            // no household anywhere: nobody is outside
            for (_, u) in std::mem::take(&mut self.unknown) {
                self.unmatched.push(u);
            }
            return Ok(());
        }
        let ids: Vec<String> = self.unknown.iter().map(|(k, _)| key_id(*k)).collect();
        let marks = |from: usize, n: usize| -> String {
            (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut values: Vec<Value> = counties.iter().map(Value::from).collect();
        values.extend(ids.iter().map(Value::from));
        let found: HashSet<u64> = tx
            .query(
                &format!(
                    "SELECT DISTINCT id_number FROM members WHERE county IN ({}) AND id_number IN ({})",
                    marks(1, counties.len()),
                    marks(counties.len() + 1, ids.len())
                ),
                &values,
            )?
            .iter()
            .filter_map(|r| id_key(&r.text(0)))
            .collect();
        for (key, mut u) in std::mem::take(&mut self.unknown) {
            if found.contains(&key) {
                u.reason = UnmatchedReason::OutsideRegion;
                (u.zh, u.en) = outside_text();
            }
            self.unmatched.push(u);
        }
        Ok(())
    }

    fn flush_unmatched(&mut self, tx: &mut dyn Sql, all: bool) -> Result<(), StoreError> {
        if self.unmatched.len() < CHUNK && !all {
            return Ok(());
        }
        let open = QueueStatus::Open.code();
        let values: Vec<Value> = std::mem::take(&mut self.unmatched)
            .into_iter()
            .flat_map(|u| {
                params![
                    self.batch_id,
                    self.county,
                    self.batch.kind.code(),
                    u.row as i64,
                    u.reason.code(),
                    u.field,
                    u.zh,
                    u.en,
                    u.id_number,
                    u.name,
                    u.cells,
                    open
                ]
            })
            .collect();
        if values.is_empty() {
            return Ok(());
        }
        tx.copy_rows(
            "dept_unmatched (batch_id, county, kind, row_no, reason, field, message_zh, message_en, id_number, name, cells, status)",
            12,
            &values,
        )
    }

    /// Writes matched records with ids drawn beforehand and evaluates each.
    fn write_records(&mut self, tx: &mut dyn Sql, chunk: Vec<Matched>) -> Result<(), StoreError> {
        let ids = new_ids(tx, "dept_records", chunk.len())?;
        let kind = self.batch.kind;
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 17);
        for (m, id) in chunk.into_iter().zip(ids) {
            let h = &self.c.households[m.hh as usize];
            let village = &self.c.villages[h.village as usize];
            let id_number = key_id(m.key);
            let facts = PersonFacts {
                registered: h.registered,
                able_workers: h.able,
                earlier_medical: Fen(*self.earlier.medical.get(&(m.key, m.year)).unwrap_or(&0)),
                earlier_rolls: *self.earlier.rolls.get(&m.key).unwrap_or(&0),
                severe_disability_known: self.earlier.severe.contains(&m.key),
                birth: birth_of(m.key),
                alerted: *self.earlier.alerted.get(&(m.key, m.year)).unwrap_or(&0),
            };
            if let Some(a) = evaluate(
                kind,
                &m.record,
                m.rows,
                &facts,
                &self.batch.thresholds,
                self.batch.today,
            ) {
                *self.earlier.alerted.entry((m.key, m.year)).or_default() |= a.rule.bit();
                self.alerts.push(PendingAlert {
                    record_id: id,
                    hh: m.hh,
                    key: m.key,
                    name: m.record.name.clone(),
                    rule: a.rule,
                    level: a.level,
                    risk: a.risk,
                    year: m.year,
                    on_date: m.record.date,
                    amount: a.evidence.amount,
                    threshold: a.evidence.threshold,
                    evidence: serde_json::to_string(&a.evidence).unwrap_or_default(),
                });
            }
            // within the batch: a roll or a severe disability seen once is known
            if let Some(cat) = m.record.category {
                match kind {
                    DeptKind::Roster if (0..16).contains(&cat) => {
                        *self.earlier.rolls.entry(m.key).or_default() |= 1 << cat;
                    }
                    DeptKind::Disability if (1..=2).contains(&cat) => {
                        self.earlier.severe.insert(m.key);
                    }
                    _ => {}
                }
            }
            let r = m.record;
            values.extend(params![
                id,
                self.batch_id,
                self.county,
                kind.code(),
                i64::from(m.year),
                &*h.no,
                village,
                id_number,
                r.name,
                r.row as i64,
                m.rows as i64,
                r.date.map(|d| d.to_string()),
                r.end.map(|d| d.to_string()),
                r.amount.map(|f| f.0),
                r.category,
                r.detail,
                1i64
            ]);
        }
        tx.copy_rows(
            "dept_records (id, batch_id, county, kind, year, household_no, village, id_number, name, row_no, rows_count, on_date, end_date, amount, category, detail, active)",
            17,
            &values,
        )
    }

    /// The folded 医保 records, in household order (the household index then grows in order)
    /// and each household's in the order of their first rows.
    fn write_folds(&mut self, tx: &mut dyn Sql) -> Result<(), StoreError> {
        // the order as keys (32 bytes a person), the folds taken out of the map as written:
        // never the map and a sorted copy of it at once
        let mut order: Vec<(u32, u64, (u64, i32))> =
            self.folds.iter().map(|(k, f)| (f.hh, f.row, *k)).collect();
        order.sort_unstable();
        for chunk in order.chunks(CHUNK) {
            let matched: Vec<Matched> = chunk
                .iter()
                .filter_map(|(_, _, k)| self.folds.remove(k).map(|f| (*k, f)))
                .map(|((key, year), f)| Matched {
                    hh: f.hh,
                    key,
                    year,
                    rows: u64::from(f.rows),
                    record: DeptRecord {
                        row: f.row,
                        id_number: String::new(),
                        name: f.name.into(),
                        date: f.date,
                        end: None,
                        amount: Some(Fen(f.amount)),
                        total: None,
                        category: None,
                        detail: String::new(),
                    },
                })
                .collect();
            self.write_records(tx, matched)?;
        }
        self.folds = HashMap::new();
        Ok(())
    }

    /// Leads per household and risk, then the alerts naming them. Returns the leads raised.
    fn raise(&mut self, tx: &mut dyn Sql, actor: &Actor) -> Result<i64, StoreError> {
        if self.alerts.is_empty() {
            return Ok(0);
        }
        let mut pending: HashMap<(String, i64), i64> = HashMap::new();
        for r in tx.query(
            &format!(
                "SELECT id, household_no, risk FROM leads WHERE county = $1 AND status IN ({})",
                crate::screening::PENDING_LEADS
            ),
            &params![self.county],
        )? {
            pending.entry((r.text(1), r.int(2))).or_insert(r.int(0));
        }
        let mut cased: HashSet<(String, i64)> = HashSet::new();
        let open = format!(
            "{}, {}",
            CaseStatus::Identifying.code(),
            CaseStatus::AtRisk.code()
        );
        for r in tx.query(
            &format!("SELECT household_no, risks FROM monitoring_cases WHERE county = $1 AND status IN ({open})"),
            &params![self.county],
        )? {
            for risk in crate::screening::parse_risks(&r.text(1)) {
                cased.insert((r.text(0), risk.code()));
            }
        }
        // one group per household and risk, in the order of their first alert
        struct Group {
            hh: u32,
            risk: RiskType,
            level: WarningLevel,
            rules: Vec<&'static str>,
            lead: Option<i64>,
            raised: bool,
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<(u32, i64), usize> = HashMap::new();
        let mut of_alert: Vec<usize> = Vec::with_capacity(self.alerts.len());
        for a in &self.alerts {
            let g = *index.entry((a.hh, a.risk.code())).or_insert_with(|| {
                groups.push(Group {
                    hh: a.hh,
                    risk: a.risk,
                    level: a.level,
                    rules: Vec::new(),
                    lead: None,
                    raised: false,
                });
                groups.len() - 1
            });
            let gr = &mut groups[g];
            gr.level = gr.level.highest(a.level);
            if !gr.rules.contains(&a.rule.code()) {
                gr.rules.push(a.rule.code());
            }
            of_alert.push(g);
        }
        let mut new: Vec<usize> = Vec::new();
        for (i, g) in groups.iter_mut().enumerate() {
            let no = self.c.households[g.hh as usize].no.to_string();
            let k = (no, g.risk.code());
            if let Some(id) = pending.get(&k) {
                g.lead = Some(*id);
            } else if !cased.contains(&k) {
                new.push(i);
            }
        }
        let ids = new_ids(tx, "leads", new.len())?;
        let now = crate::now();
        let today = self.batch.today;
        let mut values: Vec<Value> = Vec::new();
        for (i, id) in new.iter().zip(ids) {
            let g = &mut groups[*i];
            g.lead = Some(id);
            g.raised = true;
            let h = &self.c.households[g.hh as usize];
            let due = today.add_days(self.batch.scheme.response_days(g.level));
            values.extend(params![
                id,
                self.county,
                &*h.no,
                &self.c.villages[h.village as usize],
                g.risk.code(),
                g.level.code(),
                g.rules.join(","),
                LeadSource::Department.code(),
                today.to_string(),
                due.to_string(),
                LeadStatus::Open.code(),
                &actor.username,
                now
            ]);
            if values.len() >= CHUNK * 13 {
                tx.copy_rows(LEAD_TARGET, 13, &values)?;
                values.clear();
            }
        }
        if !values.is_empty() {
            tx.copy_rows(LEAD_TARGET, 13, &values)?;
        }
        let mut values: Vec<Value> = Vec::new();
        let alerts = std::mem::take(&mut self.alerts);
        for (a, g) in alerts.into_iter().zip(of_alert) {
            let g = &groups[g];
            let h = &self.c.households[a.hh as usize];
            values.extend(params![
                self.batch_id,
                a.record_id,
                self.county,
                self.batch.kind.code(),
                a.rule.code(),
                &*h.no,
                &self.c.villages[h.village as usize],
                key_id(a.key),
                a.name,
                a.level.code(),
                a.risk.code(),
                i64::from(a.year),
                a.on_date.map(|d| d.to_string()),
                a.amount,
                a.threshold,
                a.evidence,
                g.lead,
                g.raised,
                shouwang_core::department::AlertStatus::Open.code(),
                now
            ]);
            if values.len() >= CHUNK * 20 {
                tx.copy_rows(ALERT_TARGET, 20, &values)?;
                values.clear();
            }
        }
        if !values.is_empty() {
            tx.copy_rows(ALERT_TARGET, 20, &values)?;
        }
        Ok(new.len() as i64)
    }
}

const LEAD_TARGET: &str = "leads (id, county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_by, created_at)";
const ALERT_TARGET: &str = "dept_alerts (batch_id, record_id, county, kind, rule, household_no, village, id_number, person_name, level, risk, year, on_date, amount, threshold, evidence, lead_id, raised_lead, status, created_at)";

fn outside_text() -> (String, String) {
    (
        "该证件号码的人员不在本批数据的区域内".into(),
        "the person with this ID number is not in the batch's region".into(),
    )
}

fn not_found(i: &Import<'_>, row: &DeptRow) -> Unmatched {
    i.unmatched_of(
        row,
        UnmatchedReason::NotFound,
        i.map.header_of(Field::IdNumber).to_string(),
        "没有该证件号码的家庭成员".into(),
        "no household member has this ID number".into(),
    )
}

fn outside(i: &Import<'_>, row: &DeptRow) -> Unmatched {
    let (zh, en) = outside_text();
    i.unmatched_of(
        row,
        UnmatchedReason::OutsideRegion,
        i.map.header_of(Field::IdNumber).to_string(),
        zh,
        en,
    )
}

impl Store {
    /// A batch by its id.
    pub fn dept_batch(&self, id: i64) -> Result<Option<BatchRecord>, StoreError> {
        self.with_conn(|c| load_batch(c, id))
    }

    /// The imported (not rolled back) batch of the county and kind with the file hash
    /// `sha256` or the client batch id.
    pub fn find_dept_batch(
        &self,
        county: &RegionCode,
        kind: DeptKind,
        sha256: &str,
        client_batch_id: Option<&str>,
    ) -> Result<Option<BatchRecord>, StoreError> {
        self.with_conn(|c| find_batch(c, county.as_str(), kind, sha256, client_batch_id))
    }

    /// Imports a batch in one transaction (see the module's documentation). `feed` hands the
    /// rows to the sink it is given; `map` is the file's header (to name the ID and name
    /// columns of an unmatched row). An error of `feed` rolls everything back.
    pub fn import_dept_batch(
        &self,
        actor: &Actor,
        batch: &NewBatch,
        map: &ColumnMap,
        feed: &mut Feed<'_>,
    ) -> Result<BatchOutcome, StoreError> {
        let county = batch.county.as_str();
        self.with_bulk_tx(false, |tx| {
            if let Some(b) = find_batch(
                tx,
                county,
                batch.kind,
                &batch.sha256,
                batch.client_batch_id.as_deref(),
            )? {
                return Ok(BatchOutcome::Duplicate(b));
            }
            let now = crate::now();
            let batch_id = tx
                .query_one(
                    "INSERT INTO dept_batches (county, region, kind, channel, file_name, sha256, client_batch_id, period, status, token_id, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    &params![
                        county,
                        batch.region.as_str(),
                        batch.kind.code(),
                        batch.channel.code(),
                        cut(&batch.file_name, 200),
                        &batch.sha256,
                        batch.client_batch_id.clone(),
                        batch.period.map(|p| p.to_string()),
                        BatchStatus::Imported.code(),
                        batch.token_id,
                        &actor.username,
                        now
                    ],
                )?
                .map(|r| r.int(0))
                .ok_or_else(|| StoreError::Other("no batch id returned".into()))?;
            let sqlite = tx.dialect() == Dialect::Sqlite;
            if sqlite {
                // the records' indexes grow in random order: a cache that holds them
                tx.batch(&format!("PRAGMA cache_size = -{}", IMPORT_CACHE_MIB * 1024))?;
            }
            let r = import_in(tx, actor, batch, map, feed, batch_id);
            if sqlite {
                tx.batch(&format!("PRAGMA cache_size = -{NORMAL_CACHE_KIB}"))?;
            }
            r
        })
    }

    /// Rolls a batch back (撤回) with a reason: its records inactive, its alerts withdrawn, and
    /// the leads it raised that are still open and named by no open alert of another batch
    /// dismissed with the reason. A batch rolled back already is `dept.batch_rolled_back`.
    pub fn rollback_dept_batch(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<BatchRecord, StoreError> {
        let reason = check_reason("reason", reason).map_err(StoreError::invalid)?;
        self.with_tx(|tx| {
            let before = load_batch(tx, id)?.ok_or(StoreError::NotFound)?;
            if before.status == BatchStatus::RolledBack {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::DeptBatchRolledBack,
                    "batch",
                    format!("第{id}批数据已经撤回"),
                    format!("batch {id} is rolled back already"),
                )));
            }
            let now = crate::now();
            let open_alert = shouwang_core::department::AlertStatus::Open.code();
            let leads: Vec<i64> = tx
                .query(
                    "SELECT DISTINCT a.lead_id FROM dept_alerts a JOIN leads l ON l.id = a.lead_id
                     WHERE a.batch_id = $1 AND a.raised_lead = 1 AND l.status = $2
                     AND NOT EXISTS (SELECT 1 FROM dept_alerts o WHERE o.lead_id = a.lead_id AND o.batch_id <> $1 AND o.status = $3)
                     ORDER BY a.lead_id",
                    &params![id, LeadStatus::Open.code(), open_alert],
                )?
                .iter()
                .map(|r| r.int(0))
                .collect();
            tx.exec(
                "UPDATE dept_batches SET status = $1, rolled_back_by = $2, rolled_back_at = $3, rollback_reason = $4 WHERE id = $5",
                &params![BatchStatus::RolledBack.code(), &actor.username, now, &reason, id],
            )?;
            tx.exec("UPDATE dept_records SET active = 0 WHERE batch_id = $1", &params![id])?;
            let withdrawn = tx.exec(
                "UPDATE dept_alerts SET status = $1 WHERE batch_id = $2 AND status = $3",
                &params![
                    shouwang_core::department::AlertStatus::Withdrawn.code(),
                    id,
                    open_alert
                ],
            )?;
            let closed = format!("部门数据批次撤回：{reason}");
            for lead in &leads {
                tx.exec(
                    "UPDATE leads SET status = $1, closed_reason = $2, closed_by = $3, closed_at = $4 WHERE id = $5 AND status = $6",
                    &params![
                        LeadStatus::Dismissed.code(),
                        closed.as_str(),
                        &actor.username,
                        now,
                        *lead,
                        LeadStatus::Open.code()
                    ],
                )?;
            }
            let after = load_batch(tx, id)?.ok_or(StoreError::NotFound)?;
            let detail = serde_json::json!({
                "batch": id, "kind": before.kind.slug(), "reason": &reason,
                "alerts_withdrawn": withdrawn, "leads_dismissed": &leads,
            });
            record(
                tx,
                actor,
                Some(&before.county),
                "dept.rollback",
                ("dept_batch", &id.to_string()),
                Some(&serde_json::to_value(&before).unwrap_or_default()),
                Some(&detail),
            )?;
            Ok(after)
        })
    }

    /// A county's edits of a kind's profile and their version (0: none saved).
    pub fn dept_profile(
        &self,
        county: &RegionCode,
        kind: DeptKind,
    ) -> Result<(ProfileEdits, i64), StoreError> {
        self.with_conn(|c| load_profile(c, county.as_str(), kind))
    }

    /// Saves a county's edits of a kind's profile over `version` (0 when none was saved);
    /// another version stored is `Stale`. Returns the new version.
    pub fn save_dept_profile(
        &self,
        actor: &Actor,
        county: &RegionCode,
        kind: DeptKind,
        edits: &ProfileEdits,
        version: i64,
    ) -> Result<i64, StoreError> {
        let body = serde_json::to_string(edits).map_err(|e| StoreError::Other(e.to_string()))?;
        self.with_tx(|tx| {
            let (before, stored) = load_profile(tx, county.as_str(), kind)?;
            if stored != version {
                return Err(StoreError::Stale);
            }
            let now = crate::now();
            if stored == 0 {
                tx.exec(
                    "INSERT INTO dept_profiles (county, kind, body, version, updated_by, updated_at) VALUES ($1, $2, $3, 1, $4, $5)",
                    &params![county.as_str(), kind.code(), body.as_str(), &actor.username, now],
                )?;
            } else {
                tx.exec(
                    "UPDATE dept_profiles SET body = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE county = $4 AND kind = $5 AND version = $6",
                    &params![body.as_str(), &actor.username, now, county.as_str(), kind.code(), stored],
                )?;
            }
            record(
                tx,
                actor,
                Some(county.as_str()),
                "dept.profile",
                ("dept_profile", &format!("{}:{}", county.as_str(), kind.slug())),
                (stored > 0)
                    .then(|| serde_json::to_value(&before).unwrap_or_default())
                    .as_ref(),
                Some(&serde_json::to_value(edits).unwrap_or_default()),
            )?;
            Ok(stored + 1)
        })
    }
}

/// Page cache of an import's SQLite connection (MiB), and the usual one (KiB) restored after.
const IMPORT_CACHE_MIB: i64 = 128;
const NORMAL_CACHE_KIB: i64 = 32_000;

/// The body of [`Store::import_dept_batch`] once the batch row is written.
fn import_in(
    tx: &mut dyn Sql,
    actor: &Actor,
    batch: &NewBatch,
    map: &ColumnMap,
    feed: &mut Feed<'_>,
    batch_id: i64,
) -> Result<BatchOutcome, StoreError> {
    let county = batch.county.as_str();
    let c = load_county(tx, county, &batch.region, batch.kind)?;

    let earlier = load_earlier(tx, county, batch.kind)?;
    let mut im = Import {
        batch,
        batch_id,
        county,
        map,
        c,
        earlier,
        rows: 0,
        matched: 0,
        unmatched_n: 0,
        invalid: 0,
        folds: HashMap::new(),
        records: Vec::new(),
        unmatched: Vec::new(),
        unknown: Vec::new(),
        counties: None,
        alerts: Vec::new(),
    };
    {
        let tx_ref: &mut dyn Sql = tx;
        let mut sink = |row: DeptRow| im.take(tx_ref, row);
        feed(&mut sink)?;
    }
    im.look_up_unknown(tx)?;
    // every row is matched: the member list is no longer needed
    im.c.members = Vec::new();
    im.flush_unmatched(tx, true)?;
    let rest = std::mem::take(&mut im.records);
    im.write_records(tx, rest)?;
    im.write_folds(tx)?;
    let alerts = im.alerts.len() as i64;
    let leads = im.raise(tx, actor)?;
    tx.exec(
        "UPDATE dept_batches SET rows_total = $1, matched = $2, unmatched = $3, invalid = $4, alerts = $5, leads = $6 WHERE id = $7",
        &params![im.rows, im.matched, im.unmatched_n, im.invalid, alerts, leads, batch_id],
    )?;
    let after = serde_json::json!({
        "batch": batch_id, "kind": batch.kind.slug(), "channel": batch.channel.code(),
        "region": batch.region.as_str(), "file": cut(&batch.file_name, 200), "sha256": &batch.sha256,
        "client_batch_id": &batch.client_batch_id, "period": batch.period.map(|p| p.to_string()),
        "rows": im.rows, "matched": im.matched, "unmatched": im.unmatched_n, "invalid": im.invalid,
        "alerts": alerts, "leads": leads,
    });
    record(
        tx,
        actor,
        Some(county),
        "dept.import",
        ("dept_batch", &batch_id.to_string()),
        None,
        Some(&after),
    )?;
    let b = load_batch(tx, batch_id)?.ok_or(StoreError::NotFound)?;
    Ok(BatchOutcome::Imported(b))
}

fn load_profile(
    c: &mut dyn Sql,
    county: &str,
    kind: DeptKind,
) -> Result<(ProfileEdits, i64), StoreError> {
    match c.query_one(
        "SELECT body, version FROM dept_profiles WHERE county = $1 AND kind = $2",
        &params![county, kind.code()],
    )? {
        None => Ok((ProfileEdits::default(), 0)),
        Some(r) => {
            let f = Fields::new(&r, "dept_profiles", "body, version", 0);
            let body = f.text(0);
            let edits = serde_json::from_str(&body).map_err(|_| f.bad(0, Some(body.clone())))?;
            Ok((edits, f.int(1)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_and_its_key_round_trip() {
        for id in [
            "510821199001011235",
            "11010519491231002X",
            "000000000000000000",
        ] {
            assert_eq!(key_id(id_key(id).unwrap()), id);
        }
        assert_eq!(id_key("11010519491231002x"), id_key("11010519491231002X"));
        assert_eq!(id_key("5108211990010112"), None);
        assert_eq!(id_key("51082119900101123Y"), None);
        assert_eq!(
            birth_of(id_key("510821199001011235").unwrap()),
            Date::new(1990, 1, 1)
        );
    }
}
