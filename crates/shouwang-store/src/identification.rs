//! 识别认定 as stored: a household's procedure (the core [`Identification`] as JSON, with the
//! columns lists sort on), its dated steps, the leads it gathered, and the monitoring case it
//! ends in. The store decides nothing about the procedure: the app asks core for the state after
//! a step and hands it here, and this writes the step, the new state, the case and the audit
//! event in one transaction, or nothing when someone else acted first (`version`).

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::decode::Fields;
use crate::leads::{load_lead, Lead};
use crate::registry::COUNTY_OF_HOUSEHOLD;
use crate::sql::{region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::date::YearMonth;
use shouwang_core::identification::{Identification, Stage, Step, StepKind};
use shouwang_core::lead::LeadStatus;
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::{Date, Problem, ProblemCode, RegionCode, Role};

/// A stored procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdentificationRecord {
    pub id: i64,
    pub county: String,
    pub household_no: String,
    pub village: RegionCode,
    pub head_name: String,
    pub group: String,
    pub version: i64,
    pub ident: Identification,
    /// the monitoring case it ended in
    pub case_id: Option<i64>,
    pub created_by: String,
    pub overdue_since: Option<Date>,
}

/// One recorded step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRecord {
    pub kind: StepKind,
    pub stage_before: Stage,
    pub stage_after: Stage,
    pub on: Date,
    /// username, and the display name when the user still exists
    pub actor: String,
    pub actor_name: String,
    pub role: String,
    pub step: Option<Step>,
    pub recorded_at: i64,
}

/// What a list of procedures shows.
#[derive(Clone, Debug)]
pub struct IdentificationFilter {
    pub region: RegionCode,
    /// `None`: every open stage
    pub stage: Option<Stage>,
    /// only those whose current stage is due before this day
    pub due_before: Option<Date>,
    pub offset: i64,
    pub limit: i64,
}

impl IdentificationFilter {
    pub fn open(region: RegionCode) -> IdentificationFilter {
        IdentificationFilter {
            region,
            stage: None,
            due_before: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// Open procedures of a region by stage: how many, how many due within `soon`, how many overdue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StageCount {
    pub stage: Option<Stage>,
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

/// A household under notice, as the printed notice lists it: no ID number, phone, bank account
/// or health detail is read here at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    pub identification_id: i64,
    pub head_name: String,
    pub group: String,
    pub ident: Identification,
}

/// What the daily sweep found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepCounts {
    /// procedures and leads overdue on the day, in all
    pub overdue_identifications: i64,
    pub overdue_leads: i64,
    /// of which found overdue for the first time by this sweep
    pub newly_overdue: i64,
}

const COLUMNS: &str = "i.id, i.county, i.household_no, i.village, hd.name, hh.grp, i.version, i.body, i.case_id, i.created_by, i.overdue_since";

fn from_clause() -> String {
    with_household_head("identifications", "i")
}

fn row_record(r: &Row) -> Result<IdentificationRecord, StoreError> {
    let f = Fields::new(r, "identifications", COLUMNS, 0);
    Ok(IdentificationRecord {
        id: f.int(0)?,
        county: f.text(1),
        household_no: f.text(2),
        village: f.region(3)?,
        head_name: f.opt_text(4).unwrap_or_default(),
        group: f.opt_text(5).unwrap_or_default(),
        version: f.int(6)?,
        ident: f.parsed(7, |t| serde_json::from_str(t).ok())?,
        case_id: f.opt_int(8)?,
        created_by: f.text(9),
        overdue_since: f.opt_date(10)?,
    })
}

pub(crate) fn load_record(
    c: &mut dyn Sql,
    id: i64,
) -> Result<Option<IdentificationRecord>, StoreError> {
    load(c, id)
}

fn load(c: &mut dyn Sql, id: i64) -> Result<Option<IdentificationRecord>, StoreError> {
    c.query_one(
        &format!("SELECT {COLUMNS} FROM {} WHERE i.id = $1", from_clause()),
        &params![id],
    )?
    .map(|r| row_record(&r))
    .transpose()
}

fn body(ident: &Identification) -> String {
    serde_json::to_string(ident).expect("an identification serializes")
}

/// The codes of the stages a procedure ends in (identification and elimination), for SQL.
pub(crate) fn closed_stages() -> String {
    Stage::ALL
        .iter()
        .filter(|s| !s.is_open())
        .map(|s| s.code().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[allow(clippy::too_many_arguments)]
fn insert_step(
    tx: &mut dyn Sql,
    county: &str,
    id: i64,
    kind: StepKind,
    before: Stage,
    after: Stage,
    on: Date,
    actor: &Actor,
    role: Role,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO identification_steps (county, identification_id, kind, stage_before, stage_after, on_date, actor, role, detail, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &params![
            county,
            id,
            kind.code(),
            before.code(),
            after.code(),
            on.to_string(),
            actor.username.as_str(),
            role.as_str(),
            detail.to_string(),
            crate::now()
        ],
    )?;
    Ok(())
}

impl Store {
    /// Opens the procedure of a household on its open leads (at least one), which become
    /// "being identified". Refused when a lead is not open or of another household, or when the
    /// household already has an open procedure (its leads are gathered into that one instead).
    pub fn open_identification(
        &self,
        actor: &Actor,
        role: Role,
        lead_ids: &[i64],
        ident: &Identification,
    ) -> Result<IdentificationRecord, StoreError> {
        self.with_tx(|tx| open_tx(tx, actor, role, lead_ids, ident, None))
    }

    /// Adds open leads of the same household to its open procedure (their risks join it).
    pub fn gather_leads(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        lead_ids: &[i64],
        after: &Identification,
    ) -> Result<IdentificationRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load(tx, id)?.ok_or(StoreError::NotFound)?;
            if before.version != expected_version {
                return Err(StoreError::Stale);
            }
            let leads = open_leads(tx, lead_ids)?;
            if leads.iter().any(|l| l.household_no != before.household_no) {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::LeadOtherHousehold,
                    "leads",
                    "线索属于另一户",
                    "a lead belongs to another household",
                )));
            }
            update(tx, &before, after)?;
            gather(tx, id, lead_ids)?;
            let saved = load(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&before.county),
                "identification.gather",
                ("identification", &id.to_string()),
                Some(&serde_json::json!({ "risks": before.ident.risks })),
                Some(&serde_json::json!({ "leads": lead_ids, "risks": after.risks })),
            )?;
            Ok(saved)
        })
    }

    /// Records one step and the procedure after it (as core computed it from the stored one at
    /// `expected_version`). When the procedure ends included, the monitoring case is created
    /// (refused if the household already has one open); when it ends, its leads end with it.
    pub fn record_step(
        &self,
        actor: &Actor,
        role: Role,
        id: i64,
        expected_version: i64,
        step: &Step,
        after: &Identification,
    ) -> Result<IdentificationRecord, StoreError> {
        self.record_step_closing(actor, role, id, expected_version, step, after, None)
    }

    /// [`Store::record_step`], closing the case when an elimination procedure ends eliminated:
    /// `closing` is the snapshot of that day and the case's version as read (风险消除 is refused
    /// without it).
    #[allow(clippy::too_many_arguments)]
    pub fn record_step_closing(
        &self,
        actor: &Actor,
        role: Role,
        id: i64,
        expected_version: i64,
        step: &Step,
        after: &Identification,
        closing: Option<&crate::elimination::Closing>,
    ) -> Result<IdentificationRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load(tx, id)?.ok_or(StoreError::NotFound)?;
            if before.version != expected_version {
                return Err(StoreError::Stale);
            }
            update(tx, &before, after)?;
            let detail = serde_json::to_value(step).unwrap_or_default();
            insert_step(tx, &before.county, id, step.kind(), before.ident.stage, after.stage, step.on(), actor, role, &detail)?;
            match after.stage {
                Stage::Included if before.ident.stage != Stage::Included => {
                    let case_id = create_case(tx, &before, after)?;
                    tx.exec("UPDATE identifications SET case_id = $1 WHERE id = $2", &params![case_id, id])?;
                    end_leads(tx, id, LeadStatus::Included, "")?;
                }
                Stage::NotIncluded if before.ident.stage != Stage::NotIncluded => {
                    let reason = after
                        .decision
                        .as_ref()
                        .map(|d| d.reason.clone())
                        .or_else(|| after.appraisal.as_ref().map(|a| a.minutes.clone()))
                        .unwrap_or_default();
                    end_leads(tx, id, LeadStatus::NotIncluded, &reason)?;
                }
                Stage::Eliminated if before.ident.stage != Stage::Eliminated => {
                    let case_id = before.case_id.ok_or(StoreError::NotFound)?;
                    let closing = closing.ok_or_else(|| {
                        StoreError::invalid(Problem::new(
                            ProblemCode::EliminationConditions,
                            "conditions",
                            "风险消除须在县级审定时重新检查消除条件",
                            "closing a case needs its conditions checked again at the county decision",
                        ))
                    })?;
                    crate::elimination::close_case(tx, actor, case_id, after, closing)?;
                }
                _ => {}
            }
            let saved = load(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&before.county),
                "identification.step",
                ("identification", &id.to_string()),
                Some(&serde_json::json!({ "stage": before.ident.stage.label_zh(), "version": before.version })),
                Some(&serde_json::json!({ "step": detail, "stage": after.stage.label_zh(), "version": saved.version })),
            )?;
            Ok(saved)
        })
    }

    pub fn identification(&self, id: i64) -> Result<Option<IdentificationRecord>, StoreError> {
        self.with_conn(|c| load(c, id))
    }

    /// A household's procedures, newest first.
    pub fn identifications_of_household(
        &self,
        household_no: &str,
    ) -> Result<Vec<IdentificationRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {COLUMNS} FROM {} WHERE i.county = ({COUNTY_OF_HOUSEHOLD}) AND i.household_no = $1 ORDER BY i.id DESC",
                    from_clause()
                ),
                &params![household_no],
            )?;
            rows.iter().map(row_record).collect()
        })
    }

    /// The procedure that made a monitoring case.
    pub fn identification_of_case(
        &self,
        case_id: i64,
    ) -> Result<Option<IdentificationRecord>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!(
                    "SELECT {COLUMNS} FROM {} WHERE i.case_id = $1 AND i.purpose = {}",
                    from_clause(),
                    shouwang_core::identification::Purpose::Identification.code()
                ),
                &params![case_id],
            )?
            .map(|r| row_record(&r))
            .transpose()
        })
    }

    /// The households of a county already watched: with a monitoring case (any state), a lead
    /// waiting, or a procedure under way.
    pub fn households_watched(&self, county: &RegionCode) -> Result<Vec<String>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT household_no FROM monitoring_cases WHERE county = $1
                     UNION SELECT household_no FROM leads WHERE county = $1 AND status IN ({})
                     UNION SELECT household_no FROM identifications WHERE county = $1 AND stage NOT IN ({})",
                    crate::screening::PENDING_LEADS,
                    closed_stages()
                ),
                &params![county.as_str()],
            )?;
            Ok(rows.iter().map(|r| r.text(0)).collect())
        })
    }

    /// The steps of a procedure, in order.
    pub fn identification_steps(&self, id: i64) -> Result<Vec<StepRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT s.kind, s.stage_before, s.stage_after, s.on_date, s.actor, u.display_name, s.role, s.detail, s.recorded_at
                 FROM identification_steps s LEFT JOIN users u ON u.username = s.actor
                 WHERE s.identification_id = $1 ORDER BY s.id",
                &params![id],
            )?;
            rows.iter()
                .map(|r| {
                    let f = Fields::new(r, "identification_steps", "kind, stage_before, stage_after, on_date, actor, display_name, role, detail, recorded_at", 0);
                    let actor = f.text(4);
                    Ok(StepRecord {
                        kind: f.code(0, StepKind::from_code)?,
                        stage_before: f.code(1, Stage::from_code)?,
                        stage_after: f.code(2, Stage::from_code)?,
                        on: f.date(3)?,
                        actor_name: f.opt_text(5).unwrap_or_else(|| actor.clone()),
                        actor,
                        role: f.text(6),
                        step: serde_json::from_str(&f.text(7)).ok(),
                        recorded_at: f.int(8)?,
                    })
                })
                .collect()
        })
    }

    /// The leads a procedure gathered.
    pub fn leads_of_identification(&self, id: i64) -> Result<Vec<Lead>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {} FROM {} WHERE l.identification_id = $1 ORDER BY l.id",
                    crate::leads::LEAD_COLUMNS,
                    crate::leads::lead_from()
                ),
                &params![id],
            )?;
            rows.iter().map(crate::leads::row_lead).collect()
        })
    }

    /// A page of a region's procedures, the current stage soonest due first, and the total.
    pub fn identifications(
        &self,
        filter: &IdentificationFilter,
    ) -> Result<(Vec<IdentificationRecord>, i64), StoreError> {
        let (mut clause, mut values) = region_clause("i", &filter.region, 1);
        match filter.stage {
            Some(s) => clause.push_str(&format!(" AND i.stage = {}", s.code())),
            None => clause.push_str(&format!(" AND i.stage NOT IN ({})", closed_stages())),
        }
        if let Some(before) = filter.due_before {
            values.push(before.to_string().into());
            clause.push_str(&format!(" AND i.stage_due < ${}", values.len()));
        }
        self.with_conn(|c| {
            let total = c
                .query_one(
                    &format!("SELECT COUNT(*) FROM identifications i WHERE {clause}"),
                    &values,
                )?
                .map_or(0, |r| r.int(0));
            let mut page = values.clone();
            page.push(filter.limit.clamp(1, 500).into());
            page.push(filter.offset.max(0).into());
            let order = if filter.stage.is_some_and(|s| !s.is_open()) {
                "i.updated_at DESC, i.id DESC"
            } else {
                "i.stage_due, i.id"
            };
            // the page's ids first, and only those joined to their heads (see `leads`)
            let rows = c.query(
                &format!(
                    "SELECT {COLUMNS} FROM (SELECT i.id AS page_id FROM identifications i WHERE {clause} ORDER BY {order} LIMIT ${} OFFSET ${}) pg, {}
                     WHERE i.id = pg.page_id ORDER BY {order}",
                    page.len() - 1,
                    page.len(),
                    from_clause()
                ),
                &page,
            )?;
            let list = rows.iter().map(row_record).collect::<Result<Vec<_>, _>>()?;
            Ok((list, total))
        })
    }

    /// Open procedures of a region per stage, with how many are due by `soon` and overdue on
    /// `today`; one row per open stage, in order, and a first row (`stage: None`) for the
    /// region's waiting leads.
    pub fn identification_counts(
        &self,
        region: &RegionCode,
        today: Date,
        soon: Date,
    ) -> Result<Vec<StageCount>, StoreError> {
        let (clause, mut values) = region_clause("i", region, 1);
        let (lead_clause, _) = region_clause("l", region, 1);
        values.push(today.to_string().into());
        values.push(soon.to_string().into());
        let (t, s) = (values.len() - 1, values.len());
        self.with_conn(|c| {
            let mut out = Vec::new();
            let leads = c.query_one(
                &format!(
                    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN l.due_on < ${t} THEN 0 WHEN l.due_on <= ${s} THEN 1 ELSE 0 END), 0),
                            COALESCE(SUM(CASE WHEN l.due_on < ${t} THEN 1 ELSE 0 END), 0)
                     FROM leads l WHERE {lead_clause} AND l.status = {}",
                    LeadStatus::Open.code()
                ),
                &values,
            )?;
            let r = leads.expect("a count row");
            out.push(StageCount { stage: None, open: r.int(0), due_soon: r.int(1), overdue: r.int(2) });
            let rows = c.query(
                &format!(
                    "SELECT i.stage, COUNT(*), COALESCE(SUM(CASE WHEN i.stage_due < ${t} THEN 0 WHEN i.stage_due <= ${s} THEN 1 ELSE 0 END), 0),
                            COALESCE(SUM(CASE WHEN i.stage_due < ${t} THEN 1 ELSE 0 END), 0)
                     FROM identifications i WHERE {clause} AND i.stage NOT IN ({}) GROUP BY i.stage",
                    closed_stages()
                ),
                &values,
            )?;
            for stage in Stage::ALL.iter().filter(|s| s.is_open()) {
                let row = rows.iter().find(|r| r.int(0) == stage.code());
                out.push(StageCount {
                    stage: Some(*stage),
                    open: row.map_or(0, |r| r.int(1)),
                    due_soon: row.map_or(0, |r| r.int(2)),
                    overdue: row.map_or(0, |r| r.int(3)),
                });
            }
            Ok(out)
        })
    }

    /// The households of a village under notice on `on` (the notice covers the day), by group
    /// and head's name.
    pub fn notice_rows(
        &self,
        village: &RegionCode,
        on: Date,
    ) -> Result<Vec<NoticeRow>, StoreError> {
        self.with_conn(|c| {
            // a notice is published at the notice stage and read until the procedure is decided;
            // its dates are in the body, so the candidates are the village's procedures past the
            // appraisal, and the dates are checked on each
            let rows = c.query(
                &format!(
                    "SELECT {COLUMNS} FROM {} WHERE i.village = $1 AND i.stage >= {} AND i.found_on <= $2",
                    from_clause(),
                    Stage::Notice.code()
                ),
                &params![village.as_str(), on.to_string()],
            )?;
            let mut out: Vec<NoticeRow> = rows
                .iter()
                .map(row_record)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|r| r.ident.notice.as_ref().is_some_and(|n| n.start <= on && on <= n.end))
                .map(|r| NoticeRow {
                    identification_id: r.id,
                    head_name: r.head_name,
                    group: r.group,
                    ident: r.ident,
                })
                .collect();
            out.sort_by(|a, b| (&a.group, &a.head_name).cmp(&(&b.group, &b.head_name)));
            Ok(out)
        })
    }

    /// The daily deadline sweep: marks the open procedures and open leads found overdue on
    /// `today` (the day they were first found so stays), clears the mark of those no longer
    /// overdue, and records one audit event when anything was newly marked.
    pub fn sweep_deadlines(&self, actor: &Actor, today: Date) -> Result<SweepCounts, StoreError> {
        let day = today.to_string();
        self.with_tx(|tx| {
            let closed = closed_stages();
            let new_idents = tx.exec(
                &format!("UPDATE identifications SET overdue_since = $1 WHERE stage NOT IN ({closed}) AND stage_due < $1 AND overdue_since IS NULL"),
                &params![day.as_str()],
            )?;
            tx.exec(
                &format!("UPDATE identifications SET overdue_since = NULL WHERE overdue_since IS NOT NULL AND (stage IN ({closed}) OR stage_due >= $1)"),
                &params![day.as_str()],
            )?;
            let open = LeadStatus::Open.code();
            let new_leads = tx.exec(
                &format!("UPDATE leads SET overdue_since = $1 WHERE status = {open} AND due_on < $1 AND overdue_since IS NULL"),
                &params![day.as_str()],
            )?;
            tx.exec(
                &format!("UPDATE leads SET overdue_since = NULL WHERE overdue_since IS NOT NULL AND (status <> {open} OR due_on >= $1)"),
                &params![day.as_str()],
            )?;
            let counts = SweepCounts {
                overdue_identifications: tx
                    .query_one("SELECT COUNT(*) FROM identifications WHERE overdue_since IS NOT NULL", &[])?
                    .map_or(0, |r| r.int(0)),
                overdue_leads: tx
                    .query_one("SELECT COUNT(*) FROM leads WHERE overdue_since IS NOT NULL", &[])?
                    .map_or(0, |r| r.int(0)),
                newly_overdue: (new_idents + new_leads) as i64,
            };
            if counts.newly_overdue > 0 {
                record(
                    tx,
                    actor,
                    None,
                    "deadline.sweep",
                    ("sweep", &day),
                    None,
                    Some(&serde_json::to_value(&counts).unwrap_or_default()),
                )?;
            }
            Ok(counts)
        })
    }
}

/// Opens an identification on open leads, in a transaction (see [`Store::open_identification`]);
/// `reflag_of` names the closed case it re-flags (风险再标注).
pub(crate) fn open_tx(
    tx: &mut dyn Sql,
    actor: &Actor,
    role: Role,
    lead_ids: &[i64],
    ident: &Identification,
    reflag_of: Option<i64>,
) -> Result<IdentificationRecord, StoreError> {
    let leads = open_leads(tx, lead_ids)?;
    let first = &leads[0];
    let open = tx.query_one(
        &format!("SELECT id FROM identifications WHERE county = $1 AND household_no = $2 AND stage NOT IN ({})", closed_stages()),
        &params![first.county.as_str(), first.household_no.as_str()],
    )?;
    if let Some(r) = open {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::StepOutOfOrder,
            "household",
            format!(
                "该户已有进行中的识别程序（编号{}），线索应并入其中",
                r.int(0)
            ),
            format!(
                "the household has a procedure under way (number {}); gather the leads into it",
                r.int(0)
            ),
        )));
    }
    let now = crate::now();
    let id = tx
        .query_one(
            "INSERT INTO identifications (county, household_no, village, stage, found_on, due_on, stage_due, green_channel, body, created_by, created_at, updated_at, purpose, reflag_of)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING id",
            &params![
                first.county.as_str(),
                first.household_no.as_str(),
                first.village.as_str(),
                ident.stage.code(),
                ident.found_on.to_string(),
                ident.due_on.to_string(),
                ident.stage_due.to_string(),
                i64::from(ident.green_channel.is_some()),
                body(ident),
                actor.username.as_str(),
                now,
                ident.purpose.code(),
                reflag_of
            ],
        )?
        .map(|r| r.int(0))
        .ok_or(StoreError::NotFound)?;
    gather(tx, id, lead_ids)?;
    let detail = serde_json::json!({ "leads": lead_ids });
    insert_step(
        tx,
        &first.county,
        id,
        StepKind::Opened,
        ident.stage,
        ident.stage,
        ident.found_on,
        actor,
        role,
        &detail,
    )?;
    let saved = load(tx, id)?.ok_or(StoreError::NotFound)?;
    record(
        tx,
        actor,
        Some(&first.county),
        "identification.open",
        ("identification", &id.to_string()),
        None,
        Some(
            &serde_json::json!({ "household": first.household_no, "leads": lead_ids, "procedure": saved.ident, "reflag_of": reflag_of }),
        ),
    )?;
    Ok(saved)
}

/// The leads `ids`, all open and of one household; refused otherwise.
fn open_leads(tx: &mut dyn Sql, ids: &[i64]) -> Result<Vec<Lead>, StoreError> {
    if ids.is_empty() {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::Invalid,
            "leads",
            "至少选择一条线索",
            "choose at least one lead",
        )));
    }
    let mut leads = Vec::with_capacity(ids.len());
    for id in ids {
        let lead = load_lead(tx, *id)?.ok_or(StoreError::NotFound)?;
        shouwang_core::lead::check_closable(lead.status).map_err(StoreError::invalid)?;
        leads.push(lead);
    }
    if leads
        .iter()
        .any(|l| l.household_no != leads[0].household_no)
    {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::LeadOtherHousehold,
            "leads",
            "一次识别只能合并同一户的线索",
            "one procedure gathers the leads of one household only",
        )));
    }
    Ok(leads)
}

fn gather(tx: &mut dyn Sql, id: i64, lead_ids: &[i64]) -> Result<(), StoreError> {
    for lead in lead_ids {
        tx.exec(
            "UPDATE leads SET status = $1, identification_id = $2, overdue_since = NULL WHERE id = $3 AND status = $4",
            &params![LeadStatus::Gathered.code(), id, *lead, LeadStatus::Open.code()],
        )?;
    }
    Ok(())
}

fn update(
    tx: &mut dyn Sql,
    before: &IdentificationRecord,
    after: &Identification,
) -> Result<(), StoreError> {
    let changed = tx.exec(
        "UPDATE identifications SET stage = $1, due_on = $2, stage_due = $3, green_channel = $4, body = $5,
                overdue_since = CASE WHEN $3 < stage_due OR $3 > stage_due THEN NULL ELSE overdue_since END,
                version = version + 1, updated_at = $6
         WHERE id = $7 AND version = $8",
        &params![
            after.stage.code(),
            after.due_on.to_string(),
            after.stage_due.to_string(),
            i64::from(after.green_channel.is_some()),
            body(after),
            crate::now(),
            before.id,
            before.version
        ],
    )?;
    if changed != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// The monitoring case a procedure ends in: its type, risks and level as the county decided, in
/// the month of the decision, risk not yet eliminated.
fn create_case(
    tx: &mut dyn Sql,
    record: &IdentificationRecord,
    after: &Identification,
) -> Result<i64, StoreError> {
    let open = tx.query_one(
        &format!(
            "SELECT id FROM monitoring_cases WHERE county = $1 AND household_no = $2 AND status IN ({}, {})",
            CaseStatus::Identifying.code(),
            CaseStatus::AtRisk.code()
        ),
        &params![record.county.as_str(), record.household_no.as_str()],
    )?;
    if open.is_some() {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::CaseOpen,
            "household",
            "该户已是风险未消除的监测对象，不能再次纳入",
            "the household is already an open monitoring case; it cannot be included again",
        )));
    }
    let decision = after
        .decision
        .as_ref()
        .expect("an included procedure has its decision");
    let inclusion = decision
        .inclusion
        .as_ref()
        .expect("included with its inclusion");
    let risks = inclusion
        .risks
        .iter()
        .map(|r: &RiskType| r.code().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let now = crate::now();
    tx.query_one(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, warning_level, created_at, updated_at, identified_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
        &params![
            record.county.as_str(),
            record.household_no.as_str(),
            inclusion.case_type.code(),
            risks,
            YearMonth::of(decision.on).to_string(),
            CaseStatus::AtRisk.code(),
            // the level's pinned number, as text: the column predates the numbers
            inclusion.level.code().to_string(),
            now,
            // the day, for the statistics at a past date (issue 16)
            decision.on.to_string()
        ],
    )?
    .map(|r| r.int(0))
    .ok_or(StoreError::NotFound)
}

fn end_leads(
    tx: &mut dyn Sql,
    id: i64,
    status: LeadStatus,
    reason: &str,
) -> Result<(), StoreError> {
    tx.exec(
        "UPDATE leads SET status = $1, closed_reason = $2, closed_at = $3, overdue_since = NULL WHERE identification_id = $4 AND status = $5",
        &params![status.code(), reason, crate::now(), id, LeadStatus::Gathered.code()],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- one monitoring case

/// A monitoring case as its page shows it: the case, its household's place and head, its level,
/// and the dated steps a ledger import recorded for it (`case_steps`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    pub county: String,
    pub village: RegionCode,
    pub head_name: String,
    pub group: String,
    pub case: shouwang_core::monitoring::MonitoringCase,
    pub level: Option<shouwang_core::screening::level::WarningLevel>,
    pub steps: Vec<CaseStepRecord>,
}

/// A step of a case as a ledger import (or a later issue) recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseStepRecord {
    /// `identification`, `elimination`, …
    pub step: String,
    pub on: String,
    pub actor: String,
    /// the display name when the actor is a user who still exists
    pub actor_name: String,
    pub outcome: String,
    pub comment: String,
}

const CASE_RECORD_COLUMNS: &str = "c.id, c.county, hh.village, hd.name, hh.grp, c.household_no, c.case_type, c.risks, c.identified, c.status, c.elimination_kind, c.eliminated, c.whole_household_without_labour, c.warning_level";

impl Store {
    /// Monitoring case `id` with its household's head and place and its recorded steps.
    pub fn monitoring_case(&self, id: i64) -> Result<Option<CaseRecord>, StoreError> {
        use shouwang_core::monitoring::{CaseType, EliminationKind, MonitoringCase};
        use shouwang_core::screening::level::WarningLevel;
        self.with_conn(|c| {
            let Some(r) = c.query_one(
                &format!(
                    "SELECT {CASE_RECORD_COLUMNS} FROM {} WHERE c.id = $1",
                    with_household_head("monitoring_cases", "c")
                ),
                &params![id],
            )?
            else {
                return Ok(None);
            };
            let f = Fields::new(&r, "monitoring_cases", CASE_RECORD_COLUMNS, 0);
            let mut risks = Vec::new();
            for code in f.text(7).split(',').filter(|s| !s.is_empty()) {
                let risk = code.trim().parse().ok().and_then(RiskType::from_code);
                risks.push(risk.ok_or_else(|| f.bad(7, Some(code.to_string())))?);
            }
            let elimination = match (
                f.opt_code(10, EliminationKind::from_code)?,
                f.opt_parsed(11, YearMonth::parse)?,
            ) {
                (Some(k), Some(m)) => Some((k, m)),
                _ => None,
            };
            let level_text = f.opt_text(13).unwrap_or_default();
            let level = level_text
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(WarningLevel::from_code)
                .or_else(|| crate::screening::level_of(level_text.trim()));
            let case = MonitoringCase {
                household_no: f.text(5),
                case_type: f.code(6, CaseType::from_code)?,
                risks,
                identified: f.parsed(8, YearMonth::parse)?,
                status: f.code(9, CaseStatus::from_code)?,
                elimination,
                whole_household_without_labour: f.bool(12)?,
            };
            let steps = c
                .query(
                    "SELECT s.step, s.on_date, s.actor, u.display_name, s.outcome, s.comment
                     FROM case_steps s LEFT JOIN users u ON u.username = s.actor
                     WHERE s.case_id = $1 ORDER BY s.id",
                    &params![id],
                )?
                .iter()
                .map(|s| {
                    let actor = s.text(2);
                    CaseStepRecord {
                        step: s.text(0),
                        on: s.text(1),
                        actor_name: s.opt_text(3).unwrap_or_else(|| actor.clone()),
                        actor,
                        outcome: s.text(4),
                        comment: s.text(5),
                    }
                })
                .collect();
            Ok(Some(CaseRecord {
                id: f.int(0)?,
                county: f.text(1),
                village: f.region(2)?,
                head_name: f.opt_text(3).unwrap_or_default(),
                group: f.opt_text(4).unwrap_or_default(),
                case,
                level,
                steps,
            }))
        })
    }
}
