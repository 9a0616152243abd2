//! 部门数据 as the pages read it: a region's batches, the alerts they raised with their evidence,
//! the rows they could not match (未匹配队列) and their resolution, and a household's or a
//! lead's department records and alerts. The write path of an import and a rollback is
//! [`crate::department`]'s.
//!
//! Every list is one set-based statement with its count, paged, and narrowed to the caller's
//! region: alerts by their village (the region clause the other lists use), batches and
//! unmatched rows (which have no village) by the county and the region the batch covers, so that
//! a township sees the county's batches and its own, and only the unmatched rows of batches
//! delivered for its own region. A department user's kind is the caller's filter.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Row, Sql, Value};
use crate::decode::Fields;
use crate::department::BatchRecord;
use crate::sql::{json, region_clause};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::department::alert::{AlertEvidence, DeptRule};
use shouwang_core::department::{AlertStatus, DeptKind, QueueStatus, UnmatchedReason};
use shouwang_core::lead::check_reason;
use shouwang_core::monitoring::RiskType;
use shouwang_core::region::RegionLevel;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};

/// 部门预警: an alert with its evidence and the lead it raised or joined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRecord {
    pub id: i64,
    pub batch_id: i64,
    pub kind: DeptKind,
    pub rule: DeptRule,
    pub household_no: String,
    pub village: String,
    pub id_number: String,
    pub person_name: String,
    pub level: WarningLevel,
    pub risk: RiskType,
    pub year: i32,
    pub on_date: Option<Date>,
    pub amount: Option<i64>,
    pub threshold: Option<i64>,
    pub evidence: AlertEvidence,
    pub lead_id: Option<i64>,
    pub status: AlertStatus,
    pub created_at: i64,
}

/// A row of the unmatched queue (未匹配队列).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmatchedRecord {
    pub id: i64,
    pub batch_id: i64,
    pub kind: DeptKind,
    pub row_no: i64,
    pub reason: UnmatchedReason,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
    pub id_number: String,
    pub name: String,
    pub status: QueueStatus,
    pub household_no: Option<String>,
    pub note: Option<String>,
}

/// A department's record of a member, as the household page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeptRecordRow {
    pub id: i64,
    pub batch_id: i64,
    pub kind: DeptKind,
    pub year: i32,
    pub household_no: String,
    pub id_number: String,
    pub name: String,
    pub row_no: i64,
    pub rows_count: i64,
    pub on_date: Option<Date>,
    pub end_date: Option<Date>,
    pub amount: Option<i64>,
    pub category: Option<i64>,
    pub detail: String,
}

/// What a list of alerts shows.
#[derive(Clone, Debug)]
pub struct AlertFilter {
    pub region: RegionCode,
    pub kind: Option<DeptKind>,
    pub level: Option<WarningLevel>,
    /// `None`: every status
    pub status: Option<AlertStatus>,
    pub batch: Option<i64>,
    pub rule: Option<DeptRule>,
    pub limit: i64,
    pub offset: i64,
}

impl AlertFilter {
    /// The open alerts of a region, the first page.
    pub fn open(region: RegionCode) -> AlertFilter {
        AlertFilter {
            region,
            kind: None,
            level: None,
            status: Some(AlertStatus::Open),
            batch: None,
            rule: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// What a page of the unmatched queue shows.
#[derive(Clone, Debug)]
pub struct UnmatchedFilter {
    pub region: RegionCode,
    pub kind: Option<DeptKind>,
    pub reason: Option<UnmatchedReason>,
    pub batch: Option<i64>,
    /// `None`: every status
    pub status: Option<QueueStatus>,
    pub limit: i64,
    pub offset: i64,
}

impl UnmatchedFilter {
    /// The rows of a region still to handle, the first page.
    pub fn open(region: RegionCode) -> UnmatchedFilter {
        UnmatchedFilter {
            region,
            kind: None,
            reason: None,
            batch: None,
            status: Some(QueueStatus::Open),
            limit: 50,
            offset: 0,
        }
    }
}

// a batch reads as the import path writes it: its columns need no table name, even in a join
use crate::department::{row_batch as read_batch, BATCH_COLUMNS};

const ALERT_COLUMNS: &str = "a.id, a.batch_id, a.kind, a.rule, a.household_no, a.village, a.id_number, a.person_name, a.level, a.risk, a.year, a.on_date, a.amount, a.threshold, a.evidence, a.lead_id, a.status, a.created_at";

fn read_alert(r: &Row) -> Result<AlertRecord, StoreError> {
    let f = Fields::new(r, "dept_alerts", ALERT_COLUMNS, 0);
    let evidence = f.text(14);
    Ok(AlertRecord {
        id: f.int(0)?,
        batch_id: f.int(1)?,
        kind: f.code(2, DeptKind::from_code)?,
        rule: f.parsed(3, DeptRule::parse)?,
        household_no: f.text(4),
        village: f.text(5),
        id_number: f.text(6),
        person_name: f.text(7),
        level: f.code(8, WarningLevel::from_code)?,
        risk: f.code(9, RiskType::from_code)?,
        year: i32::try_from(f.int(10)?).map_err(|_| f.bad(10, f.opt_text(10)))?,
        on_date: f.opt_date(11)?,
        amount: f.opt_int(12)?,
        threshold: f.opt_int(13)?,
        evidence: serde_json::from_str(&evidence).map_err(|_| f.bad(14, Some(evidence)))?,
        lead_id: f.opt_int(15)?,
        status: f.code(16, AlertStatus::from_code)?,
        created_at: f.int(17)?,
    })
}

const UNMATCHED_COLUMNS: &str = "u.id, u.batch_id, u.kind, u.row_no, u.reason, u.field, u.message_zh, u.message_en, u.id_number, u.name, u.status, u.household_no, u.note";

fn read_unmatched(r: &Row) -> Result<UnmatchedRecord, StoreError> {
    let f = Fields::new(r, "dept_unmatched", UNMATCHED_COLUMNS, 0);
    Ok(UnmatchedRecord {
        id: f.int(0)?,
        batch_id: f.int(1)?,
        kind: f.code(2, DeptKind::from_code)?,
        row_no: f.int(3)?,
        reason: f.code(4, UnmatchedReason::from_code)?,
        field: f.text(5),
        message_zh: f.text(6),
        message_en: f.text(7),
        id_number: f.text(8),
        name: f.text(9),
        status: f.code(10, QueueStatus::from_code)?,
        household_no: f.opt_text(11),
        note: f.opt_text(12),
    })
}

const RECORD_COLUMNS: &str = "r.id, r.batch_id, r.kind, r.year, r.household_no, r.id_number, r.name, r.row_no, r.rows_count, r.on_date, r.end_date, r.amount, r.category, r.detail";

fn read_record(r: &Row) -> Result<DeptRecordRow, StoreError> {
    let f = Fields::new(r, "dept_records", RECORD_COLUMNS, 0);
    Ok(DeptRecordRow {
        id: f.int(0)?,
        batch_id: f.int(1)?,
        kind: f.code(2, DeptKind::from_code)?,
        year: i32::try_from(f.int(3)?).map_err(|_| f.bad(3, f.opt_text(3)))?,
        household_no: f.text(4),
        id_number: f.text(5),
        name: f.text(6),
        row_no: f.int(7)?,
        rows_count: f.int(8)?,
        on_date: f.opt_date(9)?,
        end_date: f.opt_date(10)?,
        amount: f.opt_int(11)?,
        category: f.opt_int(12)?,
        detail: f.text(13),
    })
}

/// Whether `region` is a county or above (a batch list filters by county then).
fn county_or_above(region: &RegionCode) -> bool {
    !matches!(region.level(), RegionLevel::Township | RegionLevel::Village)
}

/// `WHERE` of the batches a region sees (alias `b`), parameters from `$at`: a county or anything
/// above it, every batch of its counties; a township or a village, the batches of its county
/// that cover the whole county or lie within it.
pub(crate) fn batch_clause(region: &RegionCode, at: usize) -> (String, Vec<Value>) {
    if county_or_above(region) {
        return (
            format!("b.county >= ${at} AND b.county < ${}", at + 1),
            vec![region.as_str().into(), prefix_end(region.as_str()).into()],
        );
    }
    let county = region
        .county()
        .map_or_else(|| region.as_str().to_string(), |c| c.as_str().to_string());
    (
        format!(
            "b.county = ${at} AND (b.region = ${at} OR (b.region >= ${} AND b.region < ${}))",
            at + 1,
            at + 2
        ),
        vec![
            county.into(),
            region.as_str().into(),
            prefix_end(region.as_str()).into(),
        ],
    )
}

/// `WHERE` of the unmatched rows a region sees (alias `u`, joined to its batch `b`): a county or
/// above, the rows of its counties; below, only rows of batches delivered for a region within it
/// (a row matched no household, so it has no village to place it by).
fn unmatched_clause(region: &RegionCode, at: usize) -> (String, Vec<Value>) {
    if county_or_above(region) {
        return (
            format!("u.county >= ${at} AND u.county < ${}", at + 1),
            vec![region.as_str().into(), prefix_end(region.as_str()).into()],
        );
    }
    (
        format!("b.region >= ${at} AND b.region < ${}", at + 1),
        vec![region.as_str().into(), prefix_end(region.as_str()).into()],
    )
}

fn load_unmatched(c: &mut dyn Sql, id: i64) -> Result<Option<UnmatchedRecord>, StoreError> {
    c.query_one(
        &format!("SELECT {UNMATCHED_COLUMNS} FROM dept_unmatched u WHERE u.id = $1"),
        &params![id],
    )?
    .map(|r| read_unmatched(&r))
    .transpose()
}

/// The page bounds of a list.
/// A page of `columns` from `from` where `clause` holds (its `values` numbered from $1), in
/// `order`, and how many rows hold it in all; `limit` is kept within 1–500.
#[allow(clippy::too_many_arguments)]
fn counted_page<T>(
    c: &mut dyn Sql,
    columns: &str,
    from: &str,
    clause: &str,
    values: &[Value],
    order: &str,
    (limit, offset): (i64, i64),
    read: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<(Vec<T>, i64), StoreError> {
    let total = c
        .query_one(
            &format!("SELECT COUNT(*) FROM {from} WHERE {clause}"),
            values,
        )?
        .map_or(0, |r| r.int(0));
    let mut p = values.to_vec();
    p.push(limit.clamp(1, 500).into());
    p.push(offset.max(0).into());
    let rows = c.query(
        &format!(
            "SELECT {columns} FROM {from} WHERE {clause} ORDER BY {order} LIMIT ${} OFFSET ${}",
            p.len() - 1,
            p.len()
        ),
        &p,
    )?;
    Ok((rows.iter().map(read).collect::<Result<_, _>>()?, total))
}

impl Store {
    /// A page of the batches a region sees, newest first, and how many in all.
    pub fn dept_batches(
        &self,
        region: &RegionCode,
        kind: Option<DeptKind>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<BatchRecord>, i64), StoreError> {
        let (mut clause, values) = batch_clause(region, 1);
        if let Some(k) = kind {
            clause.push_str(&format!(" AND b.kind = {}", k.code()));
        }
        self.with_conn(|c| {
            counted_page(
                c,
                BATCH_COLUMNS,
                "dept_batches b",
                &clause,
                &values,
                "b.id DESC",
                (limit, offset),
                read_batch,
            )
        })
    }

    /// Whether a region sees batch `id` ([`Store::dept_batches`]'s rule): its record, or `None`.
    pub fn dept_batch_in(
        &self,
        region: &RegionCode,
        id: i64,
    ) -> Result<Option<BatchRecord>, StoreError> {
        let (clause, mut values) = batch_clause(region, 2);
        values.insert(0, id.into());
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {BATCH_COLUMNS} FROM dept_batches b WHERE b.id = $1 AND {clause}"),
                &values,
            )?
            .map(|r| read_batch(&r))
            .transpose()
        })
    }

    /// The latest batch of each kind a region sees (imported or not).
    pub fn dept_latest_batches(&self, region: &RegionCode) -> Result<Vec<BatchRecord>, StoreError> {
        let (clause, values) = batch_clause(region, 1);
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {BATCH_COLUMNS} FROM dept_batches b WHERE b.id IN (SELECT MAX(b.id) FROM dept_batches b WHERE {clause} GROUP BY b.kind) ORDER BY b.kind"
                ),
                &values,
            )?;
            rows.iter().map(read_batch).collect()
        })
    }

    /// A page of a region's alerts, newest first, and how many match in all.
    pub fn dept_alerts(&self, f: &AlertFilter) -> Result<(Vec<AlertRecord>, i64), StoreError> {
        let (mut clause, mut values) = region_clause("a", &f.region, 1);
        if let Some(k) = f.kind {
            clause.push_str(&format!(" AND a.kind = {}", k.code()));
        }
        if let Some(l) = f.level {
            clause.push_str(&format!(" AND a.level = {}", l.code()));
        }
        if let Some(s) = f.status {
            clause.push_str(&format!(" AND a.status = {}", s.code()));
        }
        if let Some(b) = f.batch {
            values.push(b.into());
            clause.push_str(&format!(" AND a.batch_id = ${}", values.len()));
        }
        if let Some(r) = f.rule {
            values.push(r.code().into());
            clause.push_str(&format!(" AND a.rule = ${}", values.len()));
        }
        self.with_conn(|c| {
            counted_page(
                c,
                ALERT_COLUMNS,
                "dept_alerts a",
                &clause,
                &values,
                "a.id DESC",
                (f.limit, f.offset),
                read_alert,
            )
        })
    }

    /// How many open alerts a region has, by kind and level.
    pub fn dept_alert_counts(
        &self,
        region: &RegionCode,
        kind: Option<DeptKind>,
    ) -> Result<Vec<(DeptKind, WarningLevel, i64)>, StoreError> {
        let (mut clause, values) = region_clause("a", region, 1);
        clause.push_str(&format!(" AND a.status = {}", AlertStatus::Open.code()));
        if let Some(k) = kind {
            clause.push_str(&format!(" AND a.kind = {}", k.code()));
        }
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT a.kind, a.level, COUNT(*) FROM dept_alerts a WHERE {clause} GROUP BY a.kind, a.level ORDER BY a.kind, a.level"
                ),
                &values,
            )?;
            rows.iter()
                .map(|r| {
                    let f = Fields::new(r, "dept_alerts", "kind, level, count", 0);
                    Ok((
                        f.code(0, DeptKind::from_code)?,
                        f.code(1, WarningLevel::from_code)?,
                        f.int(2)?,
                    ))
                })
                .collect()
        })
    }

    /// A page of the unmatched queue a region sees, by batch and row, and how many in all.
    pub fn dept_unmatched(
        &self,
        f: &UnmatchedFilter,
    ) -> Result<(Vec<UnmatchedRecord>, i64), StoreError> {
        let (mut clause, mut values) = unmatched_clause(&f.region, 1);
        if let Some(k) = f.kind {
            clause.push_str(&format!(" AND u.kind = {}", k.code()));
        }
        if let Some(r) = f.reason {
            clause.push_str(&format!(" AND u.reason = {}", r.code()));
        }
        if let Some(s) = f.status {
            clause.push_str(&format!(" AND u.status = {}", s.code()));
        }
        if let Some(b) = f.batch {
            values.push(b.into());
            clause.push_str(&format!(" AND u.batch_id = ${}", values.len()));
        }
        self.with_conn(|c| {
            counted_page(
                c,
                UNMATCHED_COLUMNS,
                "dept_unmatched u JOIN dept_batches b ON b.id = u.batch_id",
                &clause,
                &values,
                "u.batch_id DESC, u.row_no, u.id",
                (f.limit, f.offset),
                read_unmatched,
            )
        })
    }

    /// One row of the unmatched queue, if a region sees it.
    pub fn dept_unmatched_row(
        &self,
        region: &RegionCode,
        id: i64,
    ) -> Result<Option<UnmatchedRecord>, StoreError> {
        let (clause, mut values) = unmatched_clause(region, 2);
        values.insert(0, id.into());
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {UNMATCHED_COLUMNS} FROM dept_unmatched u JOIN dept_batches b ON b.id = u.batch_id WHERE u.id = $1 AND {clause}"),
                &values,
            )?
            .map(|r| read_unmatched(&r))
            .transpose()
        })
    }

    /// Resolves an open unmatched row by hand to a household of its county (匹配), with a note;
    /// kept with the household, who and when. Audited `dept.unmatched.resolve`.
    pub fn resolve_unmatched(
        &self,
        actor: &Actor,
        id: i64,
        household_no: &str,
        note: &str,
    ) -> Result<UnmatchedRecord, StoreError> {
        let household_no = household_no.trim();
        self.close_unmatched(
            actor,
            id,
            QueueStatus::Resolved,
            Some(household_no),
            note.trim(),
            "dept.unmatched.resolve",
        )
    }

    /// Dismisses an open unmatched row with a note (忽略). Audited `dept.unmatched.dismiss`.
    pub fn dismiss_unmatched(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<UnmatchedRecord, StoreError> {
        let note = check_reason("note", note).map_err(StoreError::invalid)?;
        self.close_unmatched(
            actor,
            id,
            QueueStatus::Dismissed,
            None,
            &note,
            "dept.unmatched.dismiss",
        )
    }

    fn close_unmatched(
        &self,
        actor: &Actor,
        id: i64,
        status: QueueStatus,
        household_no: Option<&str>,
        note: &str,
        action: &str,
    ) -> Result<UnmatchedRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load_unmatched(tx, id)?.ok_or(StoreError::NotFound)?;
            let county = tx
                .query_one(
                    "SELECT county FROM dept_unmatched WHERE id = $1",
                    &params![id],
                )?
                .map(|r| r.text(0))
                .unwrap_or_default();
            if before.status != QueueStatus::Open {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::DeptQueueClosed,
                    "status",
                    format!("该记录已处理（{}）", before.status.label_zh()),
                    format!("the row was already handled ({})", before.status.label_en()),
                )));
            }
            if let Some(no) = household_no {
                let known = !no.is_empty()
                    && tx
                        .query_one(
                            "SELECT 1 FROM households WHERE county = $1 AND household_no = $2",
                            &params![county.as_str(), no],
                        )?
                        .is_some();
                if !known {
                    return Err(StoreError::invalid(Problem::new(
                        ProblemCode::NotFound,
                        "household_no",
                        format!("本县没有户编号为“{no}”的农户"),
                        format!("the county has no household numbered '{no}'"),
                    )));
                }
            }
            tx.exec(
                "UPDATE dept_unmatched SET status = $1, household_no = $2, note = $3, resolved_by = $4, resolved_at = $5 WHERE id = $6 AND status = $7",
                &params![
                    status.code(),
                    household_no.map(str::to_string),
                    note,
                    actor.username.as_str(),
                    crate::now(),
                    id,
                    QueueStatus::Open.code()
                ],
            )?;
            let after = load_unmatched(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&county),
                action,
                ("dept_unmatched", &id.to_string()),
                Some(&json(&before)),
                Some(&json(&after)),
            )?;
            Ok(after)
        })
    }

    /// The active department records of a household (of batches not rolled back), newest first.
    pub fn household_dept_records(
        &self,
        county: &RegionCode,
        household_no: &str,
    ) -> Result<Vec<DeptRecordRow>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM dept_records r WHERE r.county = $1 AND r.household_no = $2 AND r.active = 1 ORDER BY r.kind, r.id DESC"
                ),
                &params![county.as_str(), household_no],
            )?;
            rows.iter().map(read_record).collect()
        })
    }

    /// Every department alert of a household, newest first (open and withdrawn).
    pub fn household_dept_alerts(
        &self,
        county: &RegionCode,
        household_no: &str,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM dept_alerts a WHERE a.county = $1 AND a.household_no = $2 ORDER BY a.id DESC"
                ),
                &params![county.as_str(), household_no],
            )?;
            rows.iter().map(read_alert).collect()
        })
    }

    /// The department alerts that raised or joined a lead, newest first.
    pub fn lead_dept_alerts(&self, lead_id: i64) -> Result<Vec<AlertRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM dept_alerts a WHERE a.lead_id = $1 ORDER BY a.id DESC"
                ),
                &params![lead_id],
            )?;
            rows.iter().map(read_alert).collect()
        })
    }
}
