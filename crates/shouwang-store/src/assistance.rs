//! 一户一策 as stored: the plan of a monitoring case (created on first need), its measures, and
//! the assistance flags of a region. The store decides nothing about a measure: the app asks
//! core whether it may be written and hands it here, and this writes it with its audit event in
//! one transaction. Every write to a plan or its measures bumps the plan's `version`, so that two
//! users editing the same plan collide ([`StoreError::Stale`]) instead of overwriting each other.

use crate::audit::{record, Actor};
use crate::db::{Sql, Value};
use crate::decode::Fields;
use crate::sql::{json, region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::assistance::flags::FlagKind;
use shouwang_core::assistance::{Measure, MeasureCategory, MeasureState, Plan};
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::{Date, Fen, RegionCode};

/// The plan of a case. A case without a stored plan reads as an empty plan at version 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    pub case_id: i64,
    /// `None` until the plan is first saved or given a measure
    pub id: Option<i64>,
    pub county: String,
    pub household_no: String,
    pub village: RegionCode,
    pub plan: Plan,
    pub version: i64,
    pub updated_at: Option<i64>,
}

/// One stored measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureRecord {
    pub id: i64,
    pub case_id: i64,
    pub plan_id: i64,
    pub county: String,
    pub household_no: String,
    pub village: RegionCode,
    pub measure: Measure,
    pub version: i64,
    pub created_by: String,
    pub updated_at: i64,
}

/// The limits the flags are counted by (from the year's standard).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FlagLimits {
    pub measures_days: i64,
    pub development_months: i64,
}

/// How many households of a region trip each flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FlagCounts {
    pub no_measure: i64,
    pub no_development: i64,
    pub green_channel: i64,
}

impl FlagCounts {
    pub fn of(&self, kind: FlagKind) -> i64 {
        match kind {
            FlagKind::NoMeasure => self.no_measure,
            FlagKind::NoDevelopment => self.no_development,
            FlagKind::GreenChannelOverdue => self.green_channel,
        }
    }
}

/// A household that trips a flag, with what core needs to say why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlaggedHousehold {
    pub kind: FlagKind,
    /// the case (flags a and b) or the procedure (flag c)
    pub case_id: Option<i64>,
    pub identification_id: Option<i64>,
    pub household_no: String,
    pub head_name: String,
    pub village: RegionCode,
    pub group: String,
    /// the identification day (a, b) or the day the procedure opened (c)
    pub since_on: Date,
    /// the procedure's due date (c)
    pub due_on: Option<Date>,
    /// living members still in the household able to work (b)
    pub workers: i64,
}

const MEASURE_COLUMNS: &str = "m.id, m.case_id, m.plan_id, m.county, m.household_no, m.village, m.category, m.content, m.risk, m.start_on, m.end_on, m.amount, m.unit, m.responsible, m.state, m.ended_on, m.version, m.created_by, m.updated_at";

fn row_measure(r: &crate::db::Row) -> Result<MeasureRecord, StoreError> {
    let f = Fields::new(r, "measures", MEASURE_COLUMNS, 0);
    Ok(MeasureRecord {
        id: f.int(0)?,
        case_id: f.int(1)?,
        plan_id: f.int(2)?,
        county: f.text(3),
        household_no: f.text(4),
        village: f.region(5)?,
        measure: Measure {
            category: f.code(6, MeasureCategory::from_code)?,
            content: f.text(7),
            risk: f.opt_code(8, RiskType::from_code)?,
            start: f.date(9)?,
            end: f.opt_date(10)?,
            amount: f.opt_int(11)?.map(Fen),
            unit: f.text(12),
            responsible: f.text(13),
            state: f.code(14, MeasureState::from_code)?,
            ended_on: f.opt_date(15)?,
        },
        version: f.int(16)?,
        created_by: f.text(17),
        updated_at: f.int(18)?,
    })
}

fn load_measure(c: &mut dyn Sql, id: i64) -> Result<Option<MeasureRecord>, StoreError> {
    c.query_one(
        &format!("SELECT {MEASURE_COLUMNS} FROM measures m WHERE m.id = $1"),
        &params![id],
    )?
    .map(|r| row_measure(&r))
    .transpose()
}

/// The plan of case `case_id`, stored or empty; `NotFound` when there is no such case.
fn load_plan(c: &mut dyn Sql, case_id: i64) -> Result<PlanRecord, StoreError> {
    let r = c
        .query_one(
            "SELECT c.id, c.county, c.household_no, hh.village, p.id, p.summary, p.version, p.updated_at
             FROM monitoring_cases c JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no
             LEFT JOIN assistance_plans p ON p.case_id = c.id
             WHERE c.id = $1",
            &params![case_id],
        )?
        .ok_or(StoreError::NotFound)?;
    let f = Fields::new(
        &r,
        "assistance_plans",
        "case, county, household_no, village, id, summary, version, updated_at",
        0,
    );
    Ok(PlanRecord {
        case_id: f.int(0)?,
        county: f.text(1),
        household_no: f.text(2),
        village: f.region(3)?,
        id: f.opt_int(4)?,
        plan: Plan {
            summary: f.opt_text(5).unwrap_or_default(),
        },
        version: f.opt_int(6)?.unwrap_or(0),
        updated_at: f.opt_int(7)?,
    })
}

/// Takes the plan of a case at `expected` version for a write: creates it (expected 0) or bumps
/// its version; `Stale` when someone wrote first. Returns the plan id.
fn take_plan(
    tx: &mut dyn Sql,
    actor: &Actor,
    plan: &PlanRecord,
    expected: i64,
    summary: Option<&str>,
) -> Result<i64, StoreError> {
    let now = crate::now();
    match plan.id {
        None if expected == 0 => tx
            .query_one(
                "INSERT INTO assistance_plans (county, household_no, village, case_id, summary, version, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id",
                &params![
                    plan.county.as_str(),
                    plan.household_no.as_str(),
                    plan.village.as_str(),
                    plan.case_id,
                    summary.unwrap_or(""),
                    actor.username.as_str(),
                    now
                ],
            )?
            .map(|r| r.int(0))
            .ok_or(StoreError::NotFound),
        Some(id) => {
            let changed = match summary {
                Some(s) => tx.exec(
                    "UPDATE assistance_plans SET summary = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
                    &params![s, now, id, expected],
                )?,
                None => tx.exec(
                    "UPDATE assistance_plans SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
                    &params![now, id, expected],
                )?,
            };
            if changed == 1 {
                Ok(id)
            } else {
                Err(StoreError::Stale)
            }
        }
        None => Err(StoreError::Stale),
    }
}

fn measure_values(m: &Measure) -> [Value; 10] {
    params![
        m.category.code(),
        m.content.trim(),
        m.risk.map(|r| r.code()),
        m.start.to_string(),
        m.end.map(|d| d.to_string()),
        m.amount.map(|a| a.0),
        m.unit.trim(),
        m.responsible.trim(),
        m.state.code(),
        m.ended_on.map(|d| d.to_string())
    ]
}

/// Whether the case is under assistance (风险未消除).
fn case_open(c: &mut dyn Sql, case_id: i64) -> Result<bool, StoreError> {
    Ok(c.query_one(
        "SELECT status FROM monitoring_cases WHERE id = $1",
        &params![case_id],
    )?
    .ok_or(StoreError::NotFound)?
    .int(0)
        == CaseStatus::AtRisk.code())
}

/// The day case `c` was identified: its `identification` step (a ledger's), else the day the
/// county decided the identification procedure that made it, else the first day of its
/// identification month.
fn identified_on_sql() -> String {
    use shouwang_core::identification::Stage;
    format!(
        "COALESCE((SELECT MIN(s.on_date) FROM case_steps s WHERE s.case_id = c.id AND s.step = 'identification'),
                  (SELECT MIN(st.on_date) FROM identifications ip JOIN identification_steps st ON st.identification_id = ip.id
                   WHERE ip.case_id = c.id AND ip.purpose = 1 AND st.stage_after = {}),
                  c.identified || '-01')",
        Stage::Included.code()
    )
}

impl Store {
    /// The plan of a case (empty at version 0 when none is stored); `NotFound` for no case.
    pub fn plan_of_case(&self, case_id: i64) -> Result<PlanRecord, StoreError> {
        self.with_conn(|c| load_plan(c, case_id))
    }

    /// The measures of a case, in the order they were added.
    pub fn measures_of_case(&self, case_id: i64) -> Result<Vec<MeasureRecord>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {MEASURE_COLUMNS} FROM measures m WHERE m.case_id = $1 ORDER BY m.id"
                ),
                &params![case_id],
            )?
            .iter()
            .map(row_measure)
            .collect()
        })
    }

    pub fn measure(&self, id: i64) -> Result<Option<MeasureRecord>, StoreError> {
        self.with_conn(|c| load_measure(c, id))
    }

    /// Whether case `case_id` is under assistance (风险未消除); `NotFound` for no case.
    pub fn case_under_assistance(&self, case_id: i64) -> Result<bool, StoreError> {
        self.with_conn(|c| case_open(c, case_id))
    }

    /// The day case `case_id` was identified: its `identification` step, else the first day of
    /// its identification month.
    pub fn case_identified_on(&self, case_id: i64) -> Result<Date, StoreError> {
        self.with_conn(|c| {
            let r = c
                .query_one(
                    &format!(
                        "SELECT {} FROM monitoring_cases c WHERE c.id = $1",
                        identified_on_sql()
                    ),
                    &params![case_id],
                )?
                .ok_or(StoreError::NotFound)?;
            Fields::new(&r, "case_steps", "on_date", 0).date(0)
        })
    }

    /// Saves the plan's summary, as read at `expected_version` (0: no plan stored yet).
    pub fn save_plan(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        plan: &Plan,
    ) -> Result<PlanRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load_plan(tx, case_id)?;
            let id = take_plan(tx, actor, &before, expected_version, Some(plan.summary.trim()))?;
            let after = load_plan(tx, case_id)?;
            record(
                tx,
                actor,
                Some(&before.county),
                "plan.save",
                ("assistance_plan", &id.to_string()),
                before.id.map(|_| json(&before.plan)).as_ref(),
                Some(&serde_json::json!({ "case": case_id, "plan": after.plan, "version": after.version })),
            )?;
            Ok(after)
        })
    }

    /// Adds a measure to the plan of a case (creating the plan when it has none), the plan read
    /// at `expected_version`.
    pub fn add_measure(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
        measure: &Measure,
    ) -> Result<(PlanRecord, MeasureRecord), StoreError> {
        self.with_tx(|tx| {
            let plan = load_plan(tx, case_id)?;
            let plan_id = take_plan(tx, actor, &plan, expected_version, None)?;
            let now = crate::now();
            let mut values: Vec<Value> = params![
                plan.county.as_str(),
                plan.household_no.as_str(),
                plan.village.as_str(),
                case_id,
                plan_id
            ]
            .into();
            values.extend(measure_values(measure));
            values.extend(params![actor.username.as_str(), now]);
            let id = tx
                .query_one(
                    "INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, risk, start_on, end_on, amount, unit, responsible, state, ended_on, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
                    &values,
                )?
                .map(|r| r.int(0))
                .ok_or(StoreError::NotFound)?;
            let saved = load_measure(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&plan.county),
                "measure.add",
                ("measure", &id.to_string()),
                None,
                Some(&serde_json::json!({ "case": case_id, "measure": saved.measure })),
            )?;
            Ok((load_plan(tx, case_id)?, saved))
        })
    }

    /// Writes measure `id` as changed (`measure.update`) or ended (`measure.end`), the plan of
    /// its case read at `expected_version`.
    pub fn update_measure(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        measure: &Measure,
    ) -> Result<(PlanRecord, MeasureRecord), StoreError> {
        self.with_tx(|tx| {
            let before = load_measure(tx, id)?.ok_or(StoreError::NotFound)?;
            let plan = load_plan(tx, before.case_id)?;
            take_plan(tx, actor, &plan, expected_version, None)?;
            let mut values: Vec<Value> = measure_values(measure).into();
            values.extend(params![crate::now(), id]);
            tx.exec(
                "UPDATE measures SET category = $1, content = $2, risk = $3, start_on = $4, end_on = $5, amount = $6, unit = $7,
                        responsible = $8, state = $9, ended_on = $10, version = version + 1, updated_at = $11
                 WHERE id = $12",
                &values,
            )?;
            let saved = load_measure(tx, id)?.ok_or(StoreError::NotFound)?;
            let action = if measure.state == MeasureState::Ended && before.measure.state != MeasureState::Ended {
                "measure.end"
            } else {
                "measure.update"
            };
            record(
                tx,
                actor,
                Some(&before.county),
                action,
                ("measure", &id.to_string()),
                Some(&json(&before.measure)),
                Some(&json(&saved.measure)),
            )?;
            Ok((load_plan(tx, before.case_id)?, saved))
        })
    }

    /// The assistance flags of a region on `today`: how many households trip each, and a page
    /// of those tripping `kind` (oldest first) with their head's name. Set-based: one count
    /// query per flag and one page query, whatever the size of the county.
    pub fn assistance_flags(
        &self,
        region: &RegionCode,
        today: Date,
        limits: FlagLimits,
        kind: FlagKind,
        offset: i64,
        limit: i64,
    ) -> Result<(FlagCounts, Vec<FlaggedHousehold>), StoreError> {
        // every statement takes the region's parameters and then one day: PostgreSQL refuses a
        // parameter a statement does not use
        let (clause, region_values) = region_clause("hh", region, 1);
        let (i_clause, _) = region_clause("i", region, 1);
        let day = region_values.len() + 1;
        // below a county the households of the region lead (their village index) and each case is
        // found by its household: the unary plus keeps SQLite from probing the county's cases by
        // status once per household instead; a county is led by its cases at risk
        let at_risk = match region.county() {
            Some(county) if county == *region => {
                format!("c.status = {}", CaseStatus::AtRisk.code())
            }
            _ => format!("+c.status = {}", CaseStatus::AtRisk.code()),
        };
        // (a) trips when identified before today − limit days, (b) before today − limit months
        let cutoff_a = today.add_days(-limits.measures_days);
        let cutoff_b =
            shouwang_core::assistance::flags::add_months(today, -limits.development_months);
        let with_day = |d: Date| {
            let mut v = region_values.clone();
            v.push(d.to_string().into());
            v
        };
        let development = MeasureCategory::ALL
            .iter()
            .filter(|c| c.is_development())
            .map(|c| c.code().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let live = format!(
            "{}, {}",
            MeasureState::Planned.code(),
            MeasureState::InPlace.code()
        );
        let workers = shouwang_core::codes::LabourCapacity::ALL
            .iter()
            .filter(|l| l.can_work())
            .map(|l| l.code().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let workers_of = format!(
            "(SELECT COUNT(*) FROM members w WHERE w.county = c.county AND w.household_no = c.household_no AND w.deceased_on IS NULL AND w.labour IN ({workers}))"
        );
        let from_cases = with_household_head("monitoring_cases", "c");
        let identified_on = identified_on_sql();
        let no_measure = format!(
            "{clause} AND {at_risk} AND {identified_on} < ${day}
             AND NOT EXISTS (SELECT 1 FROM measures me WHERE me.case_id = c.id)"
        );
        let no_development = format!(
            "{clause} AND {at_risk} AND {identified_on} < ${day}
             AND EXISTS (SELECT 1 FROM members w WHERE w.county = c.county AND w.household_no = c.household_no AND w.deceased_on IS NULL AND w.labour IN ({workers}))
             AND NOT EXISTS (SELECT 1 FROM measures me WHERE me.case_id = c.id AND me.category IN ({development}) AND me.state IN ({live}))"
        );
        let green = format!(
            "{i_clause} AND i.green_channel = 1 AND i.stage NOT IN ({}, {}) AND i.due_on < ${day}",
            shouwang_core::identification::Stage::Included.code(),
            shouwang_core::identification::Stage::NotIncluded.code()
        );
        let case_from_plain = "monitoring_cases c JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no";
        self.with_conn(|c| {
            let count = |c: &mut dyn Sql, sql: String, on: Date| -> Result<i64, StoreError> {
                Ok(c.query_one(&sql, &with_day(on))?.map_or(0, |r| r.int(0)))
            };
            let counts = FlagCounts {
                no_measure: count(c, format!("SELECT COUNT(*) FROM {case_from_plain} WHERE {no_measure}"), cutoff_a)?,
                no_development: count(c, format!("SELECT COUNT(*) FROM {case_from_plain} WHERE {no_development}"), cutoff_b)?,
                green_channel: count(c, format!("SELECT COUNT(*) FROM identifications i WHERE {green}"), today)?,
            };
            let mut page = with_day(match kind {
                FlagKind::NoMeasure => cutoff_a,
                FlagKind::NoDevelopment => cutoff_b,
                FlagKind::GreenChannelOverdue => today,
            });
            page.push(limit.clamp(1, 500).into());
            page.push(offset.max(0).into());
            let (l, o) = (page.len() - 1, page.len());
            let sql = match kind {
                FlagKind::NoMeasure | FlagKind::NoDevelopment => format!(
                    "SELECT c.id, NULL, c.household_no, hd.name, hh.village, hh.grp, {identified_on} AS since, NULL, {workers_of}
                     FROM {from_cases} WHERE {} ORDER BY since, c.id LIMIT ${l} OFFSET ${o}",
                    if kind == FlagKind::NoMeasure { &no_measure } else { &no_development }
                ),
                FlagKind::GreenChannelOverdue => format!(
                    "SELECT NULL, i.id, i.household_no, hd.name, i.village, hh.grp, i.found_on, i.due_on, 0
                     FROM {} WHERE {green} ORDER BY i.due_on, i.id LIMIT ${l} OFFSET ${o}",
                    with_household_head("identifications", "i")
                ),
            };
            let rows = c.query(&sql, &page)?;
            let households = rows
                .iter()
                .map(|r| {
                    let f = Fields::new(r, "monitoring_cases", "case, identification, household_no, head, village, group, since, due, workers", 0);
                    Ok(FlaggedHousehold {
                        kind,
                        case_id: f.opt_int(0)?,
                        identification_id: f.opt_int(1)?,
                        household_no: f.text(2),
                        head_name: f.opt_text(3).unwrap_or_default(),
                        village: f.region(4)?,
                        group: f.opt_text(5).unwrap_or_default(),
                        since_on: f.date(6)?,
                        due_on: f.opt_date(7)?,
                        workers: f.int(8)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((counts, households))
        })
    }
}
