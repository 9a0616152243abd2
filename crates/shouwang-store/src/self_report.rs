//! 农户自主申报 as stored (`self_reports`, migration 18): a report from the public page, counted
//! against the abuse limits in the transaction that writes it, turned into a lead when its ID
//! number names a living member of a household of the village, otherwise left in the village's
//! queue; the status a household looks up; the village marking a queued report handled.

use crate::audit::{record, Actor};
use crate::db::Sql;
use crate::decode::Fields;
use crate::leads::{raise_lead_tx, NewLead};
use crate::sql::region_clause;
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::department::self_report::SelfReport;
use shouwang_core::department::SelfReportStatus;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};

/// One self-report as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelfReportRecord {
    pub id: i64,
    pub receipt: String,
    pub county: String,
    pub village: RegionCode,
    pub head_name: String,
    pub mobile: String,
    pub id_number: String,
    pub risk: RiskType,
    pub description: String,
    /// the household the ID number named in the village, if any
    pub household_no: Option<String>,
    pub lead_id: Option<i64>,
    pub status: SelfReportStatus,
    /// the acceptance clock (受理时限)
    pub due_on: Date,
    pub created_at: i64,
    pub handled_by: Option<String>,
    pub handled_at: Option<i64>,
    pub note: Option<String>,
    /// the keyed hash of the sender's address the limits counted
    pub address: String,
}

const COLUMNS: &str = "id, receipt, county, village, head_name, mobile, id_number, risk, description, household_no, lead_id, status, due_on, created_at, handled_by, handled_at, note, address";

fn row_report(r: &crate::db::Row) -> Result<SelfReportRecord, StoreError> {
    let f = Fields::new(r, "self_reports", COLUMNS, 0);
    Ok(SelfReportRecord {
        id: f.int(0)?,
        receipt: f.text(1),
        county: f.text(2),
        village: f.region(3)?,
        head_name: f.text(4),
        mobile: f.text(5),
        id_number: f.text(6),
        risk: f.code(7, RiskType::from_code)?,
        description: f.text(8),
        household_no: f.opt_text(9),
        lead_id: f.opt_int(10)?,
        status: f.code(11, SelfReportStatus::from_code)?,
        due_on: f.date(12)?,
        created_at: f.int(13)?,
        handled_by: f.opt_text(14),
        handled_at: f.opt_int(15)?,
        note: f.opt_text(16),
        address: f.text(17),
    })
}

/// The abuse limits of the public page: reports from one address in an hour and in a day, and
/// for one ID number in a day (rolling windows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_address_hour: i64,
    pub per_address_day: i64,
    pub per_id_day: i64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        per_address_hour: 5,
        per_address_day: 20,
        per_id_day: 3,
    };
}

/// A report to write: checked by core, its receipt drawn, its clock computed by the caller.
#[derive(Clone, Debug)]
pub struct NewSelfReport<'a> {
    pub report: &'a SelfReport,
    pub receipt: &'a str,
    /// a keyed hash of the sender's address (never the address itself)
    pub address: &'a str,
    pub today: Date,
    pub due_on: Date,
    /// unix seconds
    pub now: i64,
    pub limits: Limits,
}

/// The moment a window of `window` seconds holds fewer than `limit` of `times` (ascending, all
/// inside the window ending at `now`), if it holds `limit` or more now.
fn retry_at(times: &[i64], limit: i64, window: i64) -> Option<i64> {
    let n = times.len() as i64;
    if n < limit {
        return None;
    }
    // once the (n - limit)-th oldest leaves the window, limit - 1 remain
    times.get((n - limit) as usize).map(|t| t + window)
}

fn times(tx: &mut dyn Sql, column: &str, value: &str, since: i64) -> Result<Vec<i64>, StoreError> {
    let rows = tx.query(
        &format!(
            "SELECT created_at FROM self_reports WHERE {column} = $1 AND created_at > $2 ORDER BY created_at"
        ),
        &params![value, since],
    )?;
    Ok(rows.iter().map(|r| r.int(0)).collect())
}

/// The refusal of a report over a limit: when to try again, and nothing else.
pub fn rate_limited(retry_at: i64, now: i64) -> Problem {
    let wait = (retry_at - now).max(60);
    let (zh, en) = if wait < 90 * 60 {
        let m = (wait + 59) / 60;
        (format!("{m} 分钟"), format!("{m} minutes"))
    } else {
        let h = (wait + 3599) / 3600;
        (format!("{h} 小时"), format!("{h} hours"))
    };
    Problem::new(
        ProblemCode::ReportRateLimited,
        "report",
        format!("提交过于频繁，请 {zh}后再试"),
        format!("too many reports: try again in {en}"),
    )
}

impl Store {
    /// Writes a self-report after counting the limits in the same transaction: over a limit is
    /// `report.rate_limited` naming when to try again, nothing written. A living member of a
    /// household of the village with the report's ID number turns it into a lead (自主申报,
    /// yellow, due on the acceptance clock), or attaches it to that household's lead of the same
    /// risk still waiting; otherwise the report waits in the village's queue. Audited as
    /// `self_report.submit` by `actor` (the public page's system actor).
    pub fn submit_self_report(
        &self,
        actor: &Actor,
        new: &NewSelfReport<'_>,
    ) -> Result<SelfReportRecord, StoreError> {
        let r = new.report;
        let county = r
            .village
            .county()
            .ok_or_else(|| StoreError::Other("a village without a county".into()))?;
        self.with_tx(|tx| {
            let now = new.now;
            let hour = times(tx, "address", new.address, now - 3600)?;
            let day = times(tx, "address", new.address, now - 86_400)?;
            let id_day = times(tx, "id_number", r.id_number.as_str(), now - 86_400)?;
            let waits = [
                retry_at(&hour, new.limits.per_address_hour, 3600),
                retry_at(&day, new.limits.per_address_day, 86_400),
                retry_at(&id_day, new.limits.per_id_day, 86_400),
            ];
            if let Some(at) = waits.iter().flatten().max() {
                return Err(StoreError::invalid(rate_limited(*at, now)));
            }
            let household = tx
                .query_one(
                    "SELECT household_no FROM members WHERE village = $1 AND id_number = $2 AND deceased_on IS NULL",
                    &params![r.village.as_str(), r.id_number.as_str()],
                )?
                .map(|row| row.text(0));
            let mut lead_id = None;
            if let Some(no) = &household {
                let pending = tx.query_one(
                    &format!(
                        "SELECT id FROM leads WHERE county = $1 AND household_no = $2 AND risk = $3 AND status IN ({}) ORDER BY id",
                        crate::screening::PENDING_LEADS
                    ),
                    &params![county.as_str(), no.as_str(), r.risk.code()],
                )?;
                lead_id = Some(match pending {
                    Some(row) => row.int(0),
                    None => {
                        let note: String = format!(
                            "农户自主申报（回执 {}，{} {}）：{}",
                            new.receipt, r.head_name, r.mobile, r.description
                        );
                        raise_lead_tx(
                            tx,
                            actor,
                            &NewLead {
                                household_no: no.clone(),
                                risk: r.risk,
                                level: WarningLevel::Yellow,
                                source: LeadSource::SelfReport,
                                found_on: new.today,
                                due_on: new.due_on,
                                note,
                            },
                        )?
                        .id
                    }
                });
            }
            let status = if lead_id.is_some() {
                SelfReportStatus::LeadRaised
            } else {
                SelfReportStatus::Received
            };
            let id = tx
                .query_one(
                    "INSERT INTO self_reports (receipt, county, village, head_name, mobile, id_number, risk, description, household_no, lead_id, status, due_on, address, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    &params![
                        new.receipt,
                        county.as_str(),
                        r.village.as_str(),
                        r.head_name.as_str(),
                        r.mobile.as_str(),
                        r.id_number.as_str(),
                        r.risk.code(),
                        r.description.as_str(),
                        household.clone(),
                        lead_id,
                        status.code(),
                        new.due_on.to_string(),
                        new.address,
                        now
                    ],
                )?
                .map(|row| row.int(0))
                .ok_or(StoreError::NotFound)?;
            let saved = load(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(county.as_str()),
                "self_report.submit",
                ("self_report", &saved.receipt),
                None,
                Some(&crate::sql::json(&saved)),
            )?;
            Ok(saved)
        })
    }

    /// The regions directly under `code` (the townships of a county, the villages of a
    /// township), by code: names only, for the public page's pickers.
    pub fn places_under(
        &self,
        code: &RegionCode,
    ) -> Result<Vec<shouwang_core::Region>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT code, name FROM regions WHERE parent = $1 ORDER BY code",
                &params![code.as_str()],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    Some(shouwang_core::Region {
                        code: RegionCode::from_canonical(&r.text(0))?,
                        name: r.text(1),
                    })
                })
                .collect())
        })
    }

    /// The counties of the installation (the public page's first step).
    pub fn counties(&self) -> Result<Vec<shouwang_core::Region>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT code, name FROM regions WHERE level = 6 ORDER BY code",
                &[],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    Some(shouwang_core::Region {
                        code: RegionCode::from_canonical(&r.text(0))?,
                        name: r.text(1),
                    })
                })
                .collect())
        })
    }

    /// One report by its receipt.
    pub fn self_report_by_receipt(
        &self,
        receipt: &str,
    ) -> Result<Option<SelfReportRecord>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {COLUMNS} FROM self_reports WHERE receipt = $1"),
                &params![receipt],
            )?
            .map(|r| row_report(&r))
            .transpose()
        })
    }

    /// One report by its id.
    pub fn self_report(&self, id: i64) -> Result<Option<SelfReportRecord>, StoreError> {
        self.with_conn(|c| load(c, id))
    }

    /// What the status page shows of a report: its state and, when it raised a lead, the
    /// lead's.
    pub fn self_report_status(
        &self,
        receipt: &str,
    ) -> Result<Option<(SelfReportRecord, Option<LeadStatus>)>, StoreError> {
        self.with_conn(|c| {
            let Some(rec) = c
                .query_one(
                    &format!("SELECT {COLUMNS} FROM self_reports WHERE receipt = $1"),
                    &params![receipt],
                )?
                .map(|r| row_report(&r))
                .transpose()?
            else {
                return Ok(None);
            };
            let lead = match rec.lead_id {
                Some(id) => c
                    .query_one("SELECT status FROM leads WHERE id = $1", &params![id])?
                    .map(|r| {
                        LeadStatus::from_code(r.int(0)).ok_or(StoreError::Corrupt {
                            table: "leads",
                            column: "status".into(),
                            value: r.int(0).to_string(),
                        })
                    })
                    .transpose()?,
                None => None,
            };
            Ok(Some((rec, lead)))
        })
    }

    /// A page of the reports of a region still in the queue (received, no household matched),
    /// oldest first, and how many there are.
    pub fn self_report_queue(
        &self,
        region: &RegionCode,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<SelfReportRecord>, i64), StoreError> {
        let (clause, mut values) = region_clause("s", region, 1);
        let clause = format!(
            "{clause} AND s.status = {}",
            SelfReportStatus::Received.code()
        );
        self.with_conn(|c| {
            let total = c
                .query_one(
                    &format!("SELECT COUNT(*) FROM self_reports s WHERE {clause}"),
                    &values,
                )?
                .map_or(0, |r| r.int(0));
            values.push(limit.clamp(1, 500).into());
            values.push(offset.max(0).into());
            let cols = COLUMNS
                .split(", ")
                .map(|c| format!("s.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = c.query(
                &format!(
                    "SELECT {cols} FROM self_reports s WHERE {clause} ORDER BY s.created_at, s.id LIMIT ${} OFFSET ${}",
                    values.len() - 1,
                    values.len()
                ),
                &values,
            )?;
            let list = rows.iter().map(row_report).collect::<Result<Vec<_>, _>>()?;
            Ok((list, total))
        })
    }

    /// Marks a queued report handled with the cadre's note (audited `self_report.handle`). A
    /// report no longer in the queue is `lead.closed`-like refused as `report.not_found`.
    pub fn handle_self_report(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<SelfReportRecord, StoreError> {
        let note = shouwang_core::lead::check_reason("note", note).map_err(StoreError::invalid)?;
        self.with_tx(|tx| {
            let before = load(tx, id)?.ok_or(StoreError::NotFound)?;
            if before.status != SelfReportStatus::Received {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::ReportNotFound,
                    "report",
                    format!("该申报状态为“{}”，不在待处理队列中", before.status.label_zh()),
                    format!("the report is {}, no longer in the queue", before.status.label_en()),
                )));
            }
            tx.exec(
                "UPDATE self_reports SET status = $1, handled_by = $2, handled_at = $3, note = $4 WHERE id = $5 AND status = $6",
                &params![
                    SelfReportStatus::Handled.code(),
                    actor.username.as_str(),
                    crate::now(),
                    note.as_str(),
                    id,
                    SelfReportStatus::Received.code()
                ],
            )?;
            let after = load(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(after.county.as_str()),
                "self_report.handle",
                ("self_report", &after.receipt),
                Some(&crate::sql::json(&before)),
                Some(&crate::sql::json(&after)),
            )?;
            Ok(after)
        })
    }
}

fn load(c: &mut dyn Sql, id: i64) -> Result<Option<SelfReportRecord>, StoreError> {
    c.query_one(
        &format!("SELECT {COLUMNS} FROM self_reports WHERE id = $1"),
        &params![id],
    )?
    .map(|r| row_report(&r))
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_time_is_when_one_report_too_many_leaves_the_window() {
        assert_eq!(retry_at(&[10, 20, 30], 5, 3600), None);
        assert_eq!(retry_at(&[10, 20, 30, 40, 50], 5, 3600), Some(3610));
        assert_eq!(retry_at(&[10, 20, 30, 40, 50, 60], 5, 3600), Some(3620));
        let p = rate_limited(3610, 1000);
        assert_eq!(p.code, ProblemCode::ReportRateLimited);
        assert!(p.zh.contains("44 分钟"), "{}", p.zh);
    }
}
