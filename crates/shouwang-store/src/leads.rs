//! 风险线索 as stored: the lists of a region, one lead, a lead entered by hand, dismissed or
//! merged. Leads raised by a screening are written with the run (`screening.rs`); leads gathered
//! into an identification change state with it (`identification.rs`).

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::decode::Fields;
use crate::registry::COUNTY_OF_HOUSEHOLD;
use crate::sql::{region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::lead::{check_closable, check_reason, LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};

/// One lead with its household's head and group, as lists and pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lead {
    pub id: i64,
    pub county: String,
    pub household_no: String,
    pub village: RegionCode,
    /// 户主姓名 (empty for a household without a head)
    pub head_name: String,
    /// 村民小组
    pub group: String,
    pub risk: RiskType,
    pub level: WarningLevel,
    /// rule codes of a screening lead (`R01`, …)
    pub rules: Vec<String>,
    pub source: LeadSource,
    pub found_on: Date,
    pub due_on: Date,
    pub status: LeadStatus,
    pub note: String,
    pub created_by: String,
    pub run_id: Option<i64>,
    pub identification_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub closed_reason: String,
    pub closed_by: Option<String>,
    pub overdue_since: Option<Date>,
}

/// What a list of leads shows.
#[derive(Clone, Debug)]
pub struct LeadFilter {
    /// the region (a prefix: county, township or village)
    pub region: RegionCode,
    /// `None`: the leads still waiting (open or being identified)
    pub status: Option<LeadStatus>,
    pub source: Option<LeadSource>,
    pub risk: Option<RiskType>,
    /// only leads due before this day (overdue on it)
    pub due_before: Option<Date>,
    pub offset: i64,
    pub limit: i64,
}

impl LeadFilter {
    pub fn pending(region: RegionCode) -> LeadFilter {
        LeadFilter {
            region,
            status: None,
            source: None,
            risk: None,
            due_before: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// A lead entered by hand (干部排查, 12317 热线) or from outside (部门预警, 自主申报).
#[derive(Clone, Debug)]
pub struct NewLead {
    pub household_no: String,
    pub risk: RiskType,
    pub level: WarningLevel,
    pub source: LeadSource,
    pub found_on: Date,
    pub due_on: Date,
    pub note: String,
}

pub(crate) const LEAD_COLUMNS: &str = "l.id, l.county, l.household_no, l.village, hd.name, hh.grp, l.risk, l.level, l.rules, l.source, l.found_on, l.due_on, l.status, l.note, l.created_by, l.run_id, l.identification_id, l.merged_into, l.closed_reason, l.closed_by, l.overdue_since";

/// A lead with its household's group and head (see [`with_household_head`]).
pub(crate) fn lead_from() -> String {
    with_household_head("leads", "l")
}

pub(crate) fn row_lead(r: &Row) -> Result<Lead, StoreError> {
    let f = Fields::new(r, "leads", LEAD_COLUMNS, 0);
    Ok(Lead {
        id: f.int(0)?,
        county: f.text(1),
        household_no: f.text(2),
        village: f.region(3)?,
        head_name: f.opt_text(4).unwrap_or_default(),
        group: f.opt_text(5).unwrap_or_default(),
        risk: f.code(6, RiskType::from_code)?,
        level: f.code(7, WarningLevel::from_code)?,
        rules: f
            .text(8)
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        source: f.code(9, LeadSource::from_code)?,
        found_on: f.date(10)?,
        due_on: f.date(11)?,
        status: f.code(12, LeadStatus::from_code)?,
        note: f.text(13),
        created_by: f.text(14),
        run_id: f.opt_int(15)?,
        identification_id: f.opt_int(16)?,
        merged_into: f.opt_int(17)?,
        closed_reason: f.text(18),
        closed_by: f.opt_text(19),
        overdue_since: f.opt_date(20)?,
    })
}

pub(crate) fn load_lead(c: &mut dyn Sql, id: i64) -> Result<Option<Lead>, StoreError> {
    c.query_one(
        &format!("SELECT {LEAD_COLUMNS} FROM {} WHERE l.id = $1", lead_from()),
        &params![id],
    )?
    .map(|r| row_lead(&r))
    .transpose()
}

impl Store {
    /// A page of a region's leads, soonest due first, and how many match in all.
    pub fn leads(&self, filter: &LeadFilter) -> Result<(Vec<Lead>, i64), StoreError> {
        let (mut clause, mut values) = region_clause("l", &filter.region, 1);
        match filter.status {
            Some(s) => clause.push_str(&format!(" AND l.status = {}", s.code())),
            None => clause.push_str(&format!(
                " AND l.status IN ({})",
                crate::screening::PENDING_LEADS
            )),
        }
        if let Some(source) = filter.source {
            clause.push_str(&format!(" AND l.source = {}", source.code()));
        }
        if let Some(risk) = filter.risk {
            clause.push_str(&format!(" AND l.risk = {}", risk.code()));
        }
        if let Some(before) = filter.due_before {
            values.push(before.to_string().into());
            clause.push_str(&format!(" AND l.due_on < ${}", values.len()));
        }
        self.with_conn(|c| {
            let total = c
                .query_one(&format!("SELECT COUNT(*) FROM leads l WHERE {clause}"), &values)?
                .map_or(0, |r| r.int(0));
            let mut page = values.clone();
            page.push(filter.limit.clamp(1, 500).into());
            page.push(filter.offset.max(0).into());
            // the page's ids first, from the index, and only those joined to their heads: the
            // joins on every waiting lead of a county before sorting cost seconds
            let rows = c.query(
                &format!(
                    "SELECT {LEAD_COLUMNS} FROM (SELECT l.id AS page_id FROM leads l WHERE {clause} ORDER BY l.due_on, l.id LIMIT ${} OFFSET ${}) pg, {}
                     WHERE l.id = pg.page_id ORDER BY l.due_on, l.id",
                    page.len() - 1,
                    page.len(),
                    lead_from()
                ),
                &page,
            )?;
            let leads = rows.iter().map(row_lead).collect::<Result<Vec<_>, _>>()?;
            Ok((leads, total))
        })
    }

    /// The county a household is registered in.
    pub fn household_county(&self, household_no: &str) -> Result<Option<RegionCode>, StoreError> {
        self.with_conn(|c| {
            c.query_one(COUNTY_OF_HOUSEHOLD, &params![household_no])?
                .map(|r| {
                    RegionCode::from_canonical(&r.text(0)).ok_or(StoreError::Corrupt {
                        table: "households",
                        column: "county".into(),
                        value: r.text(0),
                    })
                })
                .transpose()
        })
    }

    /// One lead, with its head's name.
    pub fn lead(&self, id: i64) -> Result<Option<Lead>, StoreError> {
        self.with_conn(|c| load_lead(c, id))
    }

    /// Every lead of a household, newest first (its history shows the dismissed and merged ones
    /// with their reasons).
    pub fn leads_of_household(&self, household_no: &str) -> Result<Vec<Lead>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {LEAD_COLUMNS} FROM {} WHERE l.county = ({COUNTY_OF_HOUSEHOLD}) AND l.household_no = $1 ORDER BY l.id DESC",
                    lead_from()
                ),
                &params![household_no],
            )?;
            rows.iter().map(row_lead).collect()
        })
    }

    /// Raises a lead by hand. Refused when the household already has a lead of the same risk
    /// waiting: the new sighting belongs to that one.
    pub fn raise_lead(&self, actor: &Actor, lead: &NewLead) -> Result<Lead, StoreError> {
        self.with_tx(|tx| raise_lead_tx(tx, actor, lead))
    }

    /// Dismisses an open lead with a reason (排除): kept, with who and why.
    pub fn dismiss_lead(&self, actor: &Actor, id: i64, reason: &str) -> Result<Lead, StoreError> {
        let reason = check_reason("reason", reason).map_err(StoreError::invalid)?;
        self.close_lead(
            actor,
            id,
            LeadStatus::Dismissed,
            None,
            &reason,
            "lead.dismiss",
        )
    }

    /// Merges an open lead into another pending lead of the same household (合并重复线索).
    pub fn merge_lead(
        &self,
        actor: &Actor,
        id: i64,
        into: i64,
        reason: &str,
    ) -> Result<Lead, StoreError> {
        let reason = check_reason("reason", reason).map_err(StoreError::invalid)?;
        self.close_lead(
            actor,
            id,
            LeadStatus::Merged,
            Some(into),
            &reason,
            "lead.merge",
        )
    }

    fn close_lead(
        &self,
        actor: &Actor,
        id: i64,
        status: LeadStatus,
        into: Option<i64>,
        reason: &str,
        action: &str,
    ) -> Result<Lead, StoreError> {
        self.with_tx(|tx| {
            let before = load_lead(tx, id)?.ok_or(StoreError::NotFound)?;
            check_closable(before.status).map_err(StoreError::invalid)?;
            if let Some(into) = into {
                let target = load_lead(tx, into)?.ok_or(StoreError::NotFound)?;
                if target.id == before.id || target.household_no != before.household_no {
                    return Err(StoreError::invalid(Problem::new(
                        ProblemCode::LeadOtherHousehold,
                        "into",
                        "只能合并到同一户的另一条线索",
                        "a lead merges only into another lead of the same household",
                    )));
                }
                if !target.status.is_pending() {
                    return Err(StoreError::invalid(Problem::new(
                        ProblemCode::LeadClosed,
                        "into",
                        format!("目标线索状态为“{}”", target.status.label_zh()),
                        format!("the lead to merge into is {}", target.status.label_en()),
                    )));
                }
            }
            tx.exec(
                "UPDATE leads SET status = $1, merged_into = $2, closed_reason = $3, closed_by = $4, closed_at = $5 WHERE id = $6 AND status = $7",
                &params![
                    status.code(),
                    into,
                    reason,
                    actor.username.as_str(),
                    crate::now(),
                    id,
                    LeadStatus::Open.code()
                ],
            )?;
            let after = load_lead(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&before.county),
                action,
                ("lead", &id.to_string()),
                Some(&serde_json::to_value(&before).unwrap_or_default()),
                Some(&serde_json::to_value(&after).unwrap_or_default()),
            )?;
            Ok(after)
        })
    }
}

/// A household's monitoring case as its page links to it (the case page shows the rest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseLink {
    pub id: i64,
    pub case_type: shouwang_core::monitoring::CaseType,
    pub status: shouwang_core::monitoring::CaseStatus,
    /// 识别年月, as stored (`2026-03`)
    pub identified: String,
}

impl Store {
    /// The monitoring cases of a household, newest first: the ones its procedures ended in and
    /// the ones a ledger brought.
    pub fn household_case_links(&self, household_no: &str) -> Result<Vec<CaseLink>, StoreError> {
        use shouwang_core::monitoring::{CaseStatus, CaseType};
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT id, case_type, status, identified FROM monitoring_cases WHERE county = ({COUNTY_OF_HOUSEHOLD}) AND household_no = $1 ORDER BY id DESC"
                ),
                &params![household_no],
            )?;
            rows.iter()
                .map(|r| {
                    let f = Fields::new(r, "monitoring_cases", "id, case_type, status, identified", 0);
                    Ok(CaseLink {
                        id: f.int(0)?,
                        case_type: f.code(1, CaseType::from_code)?,
                        status: f.code(2, CaseStatus::from_code)?,
                        identified: f.text(3),
                    })
                })
                .collect()
        })
    }
}

/// [`Store::raise_lead`] inside a transaction.
pub(crate) fn raise_lead_tx(
    tx: &mut dyn Sql,
    actor: &Actor,
    lead: &NewLead,
) -> Result<Lead, StoreError> {
    let (county, village) = tx
        .query_one(
            "SELECT county, village FROM households WHERE household_no = $1",
            &params![lead.household_no.as_str()],
        )?
        .map(|r| (r.text(0), r.text(1)))
        .ok_or(StoreError::NotFound)?;
    let pending = tx.query_one(
        &format!(
            "SELECT id FROM leads WHERE county = $1 AND household_no = $2 AND risk = $3 AND status IN ({})",
            crate::screening::PENDING_LEADS
        ),
        &params![county.as_str(), lead.household_no.as_str(), lead.risk.code()],
    )?;
    if let Some(r) = pending {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::LeadDuplicate,
            "risk",
            format!(
                "该户已有“{}”的待处理线索（编号{}）",
                lead.risk.label_zh(),
                r.int(0)
            ),
            format!(
                "the household already has a waiting lead of {} (number {})",
                lead.risk.label_en(),
                r.int(0)
            ),
        )));
    }
    let id = tx
        .query_one(
            "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, note, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            &params![
                county.as_str(),
                lead.household_no.as_str(),
                village.as_str(),
                lead.risk.code(),
                lead.level.code(),
                lead.source.code(),
                lead.found_on.to_string(),
                lead.due_on.to_string(),
                LeadStatus::Open.code(),
                lead.note.trim(),
                actor.username.as_str(),
                crate::now()
            ],
        )?
        .map(|r| r.int(0))
        .ok_or(StoreError::NotFound)?;
    let saved = load_lead(tx, id)?.ok_or(StoreError::NotFound)?;
    record(
        tx,
        actor,
        Some(&county),
        "lead.raise",
        ("lead", &id.to_string()),
        None,
        Some(&serde_json::to_value(&saved).unwrap_or_default()),
    )?;
    Ok(saved)
}
