//! 走访 as stored: visits recorded after [`Visit::check`] against what the visitor holds on the
//! day, the lists of a household, region and person, and the duties' compliance — counted per
//! village and per person in one set-based statement each, so that a county of a million
//! households answers at once.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql, Value};
use crate::decode::Fields;
use crate::sql::{json, region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::codes::HouseholdType;
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::visit::duty::DutyPeriods;
use shouwang_core::visit::{Position, Visit, VisitContext};
use shouwang_core::{Date, RegionCode};

/// A stored visit with the household's head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VisitRecord {
    pub id: i64,
    pub county: String,
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    pub on: Date,
    pub visitor: String,
    pub visitor_name: String,
    pub position: Position,
    pub person_id: Option<i64>,
    pub findings: String,
    pub follow_up: String,
    pub lead_id: Option<i64>,
}

const VISIT_COLUMNS: &str = "v.id, v.county, v.household_no, v.village, hd.name, v.on_date, v.visitor, v.visitor_name, v.position, v.person_id, v.findings, v.follow_up, v.lead_id";

fn row_visit(r: &Row) -> Result<VisitRecord, StoreError> {
    let f = Fields::new(r, "visits", VISIT_COLUMNS, 0);
    Ok(VisitRecord {
        id: f.int(0)?,
        county: f.text(1),
        household_no: f.text(2),
        village: f.text(3),
        head_name: f.opt_text(4).unwrap_or_default(),
        on: f.date(5)?,
        visitor: f.text(6),
        visitor_name: f.text(7),
        position: f.code(8, Position::from_code)?,
        person_id: f.opt_int(9)?,
        findings: f.text(10),
        follow_up: f.text(11),
        lead_id: f.opt_int(12)?,
    })
}

/// What a visitor holds toward one household on one day: the positions covering it, and the
/// visitor's persons paired with it on that day (帮扶责任人, 家庭签约医生).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub held: Vec<Position>,
    pub paired: Vec<(Position, i64)>,
}

impl Standing {
    pub fn context(&self, today: Date, position: Position) -> VisitContext {
        VisitContext {
            today,
            held: self.held.clone(),
            paired_on_day: self.paired.iter().any(|(p, _)| *p == position),
        }
    }
}

fn standing(
    c: &mut dyn Sql,
    username: &str,
    household_no: &str,
    on: Date,
    cadre: bool,
) -> Result<(String, String, Standing), StoreError> {
    let (county, village) = c
        .query_one(
            "SELECT county, village FROM households WHERE household_no = $1",
            &params![household_no],
        )?
        .map(|r| (r.text(0), r.text(1)))
        .ok_or(StoreError::NotFound)?;
    let mut held = Vec::new();
    for r in c.query(
        "SELECT position, region FROM user_positions WHERE username = $1 AND position IN (1, 2)",
        &params![username],
    )? {
        let region = r.text(1);
        if village.starts_with(&region) {
            if let Some(p) = Position::from_code(r.int(0)) {
                held.push(p);
            }
        }
    }
    let persons = c.query(
        "SELECT ap.id, ap.position FROM assistance_persons ap WHERE ap.county = $2 AND (ap.username = $1
             OR ap.id IN (SELECT person_id FROM user_positions WHERE username = $1 AND person_id IS NOT NULL))",
        &params![username, county.as_str()],
    )?;
    let mut paired = Vec::new();
    for r in &persons {
        let Some(p) = Position::from_code(r.int(1)) else {
            continue;
        };
        if !held.contains(&p) {
            held.push(p);
        }
        let on_day = c.query_one(
            "SELECT 1 FROM assistance_pairings WHERE person_id = $1 AND county = $2 AND household_no = $3
             AND start_on <= $4 AND (end_on IS NULL OR end_on >= $4)",
            &params![r.int(0), county.as_str(), household_no, on.to_string()],
        )?;
        if on_day.is_some() {
            paired.push((p, r.int(0)));
        }
    }
    if cadre {
        held.push(Position::Cadre);
    }
    held.sort_by_key(|p| p.code());
    Ok((county, village, Standing { held, paired }))
}

/// Which households of a duty list to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DutyWhich {
    Due,
    Done,
    Overdue,
}

/// Duties of one village and position: due this period, done in it, overdue from the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VillageDuty {
    pub village: String,
    pub village_name: String,
    pub position: Position,
    pub due: i64,
    pub done: i64,
    pub overdue: i64,
}

/// Duties of one holder: a person (帮扶责任人, 家庭签约医生) or a user holding a secretary's
/// position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HolderDuty {
    pub position: Position,
    pub person_id: Option<i64>,
    pub username: Option<String>,
    /// the region of a secretary's position
    pub region: Option<String>,
    pub name: String,
    pub due: i64,
    pub done: i64,
    pub overdue: i64,
}

/// One household behind a duty count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DutyHousehold {
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    pub position: Position,
    pub person_id: Option<i64>,
    pub done: bool,
    pub overdue: bool,
    pub last_visit: Option<Date>,
}

/// The duties of a region on the periods' day, judged: `WITH judged AS (…)` with columns
/// county, household_no, village, position, person_id, done, overdue. Parameters from `$1`.
fn judged(region: &RegionCode, periods: &DutyPeriods) -> (String, Vec<Value>) {
    let (rc_h, mut args) = region_clause("h", region, 1);
    let (rc_p, more) = region_clause("p", region, 1);
    let _ = more;
    let n = args.len();
    let today = n + 1;
    let at = |i: usize| n + 2 + i;
    args.push(periods.today.to_string().into());
    // per position: current start, last start, last end
    for p in DutyPeriods::POSITIONS {
        args.push(periods.current(p).start.to_string().into());
        args.push(periods.last(p).start.to_string().into());
        args.push(periods.last(p).end.to_string().into());
    }
    let pick = |k: usize| {
        format!(
            "CASE d.position WHEN 1 THEN ${} WHEN 2 THEN ${} WHEN 3 THEN ${} ELSE ${} END",
            at(k),
            at(3 + k),
            at(6 + k),
            at(9 + k)
        )
    };
    let (cur_start, last_start, last_end) = (pick(0), pick(1), pick(2));
    let post = HouseholdType::PostPoverty.code();
    let at_risk = CaseStatus::AtRisk.code();
    // each household's case is found by its household: the unary plus keeps SQLite from probing
    // the county's cases by status once per household (50 s instead of 0.1 s for a village of a
    // 1,000,000-household county)
    let case = format!(
        "EXISTS (SELECT 1 FROM monitoring_cases c WHERE c.county = h.county AND c.household_no = h.household_no AND +c.status = {at_risk})"
    );
    let visited = |from: &str, to: &str| {
        format!(
            "EXISTS (SELECT 1 FROM visits v WHERE v.county = d.county AND v.household_no = d.household_no AND v.position = d.position AND v.on_date >= {from} AND v.on_date <= {to})"
        )
    };
    let sql = format!(
        "WITH duties AS (
            SELECT h.county, h.household_no, h.village, 1 AS position, CAST(NULL AS BIGINT) AS person_id, CAST(NULL AS TEXT) AS since
              FROM households h WHERE {rc_h} AND (h.household_type = {post} OR {case})
            UNION ALL
            SELECT h.county, h.household_no, h.village, 2, NULL, NULL
              FROM households h WHERE {rc_h} AND {case}
            UNION ALL
            SELECT p.county, p.household_no, p.village, ap.position, p.person_id, p.start_on
              FROM assistance_pairings p JOIN assistance_persons ap ON ap.id = p.person_id
              WHERE {rc_p} AND ap.position IN (3, 4) AND p.start_on <= ${today} AND (p.end_on IS NULL OR p.end_on >= ${today})
         ), judged AS (
            SELECT d.county, d.household_no, d.village, d.position, d.person_id,
                   CASE WHEN {done} THEN 1 ELSE 0 END AS done,
                   CASE WHEN (d.since IS NULL OR d.since <= {last_start}) AND NOT {last} THEN 1 ELSE 0 END AS overdue
              FROM duties d
         )",
        done = visited(&cur_start, &format!("${today}")),
        last = visited(&last_start, &last_end),
    );
    (sql, args)
}

impl Store {
    /// What a user holds toward a household on a day (`cadre`: the user may record as 村干部).
    pub fn visit_standing(
        &self,
        username: &str,
        household_no: &str,
        on: Date,
        cadre: bool,
    ) -> Result<Standing, StoreError> {
        self.with_conn(|c| Ok(standing(c, username, household_no, on, cadre)?.2))
    }

    /// Records a visit by `actor` (shown as `visitor_name`), checked against what the actor
    /// holds on the visit's day: refused — nothing written — when dated after `today`, without
    /// findings, for a position not held or, for 帮扶责任人 and 家庭签约医生, to a household not
    /// paired on that day. `lead_id`: a lead the visit raised.
    pub fn record_visit(
        &self,
        actor: &Actor,
        visitor_name: &str,
        visit: &Visit,
        today: Date,
        cadre: bool,
        lead_id: Option<i64>,
    ) -> Result<VisitRecord, StoreError> {
        self.with_tx(|tx| {
            let (county, village, st) =
                standing(tx, &actor.username, &visit.household_no, visit.on, cadre)?;
            let problems = visit.check(&st.context(today, visit.position));
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems));
            }
            let person = st
                .paired
                .iter()
                .find(|(p, _)| *p == visit.position)
                .map(|(_, id)| *id);
            let id = tx
                .query_one(
                    "INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, follow_up, lead_id, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    &params![
                        county.as_str(),
                        visit.household_no.as_str(),
                        village.as_str(),
                        visit.on.to_string(),
                        actor.username.as_str(),
                        visitor_name,
                        visit.position.code(),
                        person,
                        visit.findings.trim(),
                        visit.follow_up.trim(),
                        lead_id,
                        crate::now()
                    ],
                )?
                .map(|r| r.int(0))
                .ok_or(StoreError::NotFound)?;
            let saved = load_visit(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(&county),
                "visit.record",
                ("visit", &id.to_string()),
                None,
                Some(&json(&saved)),
            )?;
            Ok(saved)
        })
    }

    /// A household's visits, newest first.
    pub fn visits_of_household(&self, household_no: &str) -> Result<Vec<VisitRecord>, StoreError> {
        self.visits_where(
            &format!(
                "v.county = ({}) AND v.household_no = $1",
                crate::registry::COUNTY_OF_HOUSEHOLD
            ),
            params![household_no].to_vec(),
            200,
        )
    }

    /// A region's visits, newest first.
    pub fn visits_of_region(
        &self,
        region: &RegionCode,
        limit: i64,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        let (rc, args) = region_clause("v", region, 1);
        self.visits_where(&rc, args, limit)
    }

    /// A person's visits, newest first.
    pub fn visits_of_person(&self, person_id: i64) -> Result<Vec<VisitRecord>, StoreError> {
        self.visits_where("v.person_id = $1", params![person_id].to_vec(), 200)
    }

    fn visits_where(
        &self,
        clause: &str,
        args: Vec<Value>,
        limit: i64,
    ) -> Result<Vec<VisitRecord>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {VISIT_COLUMNS} FROM {} WHERE {clause} ORDER BY v.on_date DESC, v.id DESC LIMIT {}",
                    with_household_head("visits", "v"),
                    limit.clamp(1, 10_000)
                ),
                &args,
            )?
            .iter()
            .map(row_visit)
            .collect()
        })
    }

    /// Duties per village and position of a region: due in the current period, done in it,
    /// overdue from the last completed one.
    pub fn compliance_by_village(
        &self,
        region: &RegionCode,
        periods: &DutyPeriods,
    ) -> Result<Vec<VillageDuty>, StoreError> {
        let (with, args) = judged(region, periods);
        self.with_conn(|c| {
            c.query(
                &format!(
                    "{with} SELECT j.village, COALESCE(r.name, ''), j.position, COUNT(*), SUM(j.done), SUM(j.overdue)
                     FROM judged j LEFT JOIN regions r ON r.code = j.village
                     GROUP BY j.village, r.name, j.position ORDER BY j.village, j.position"
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "visits", "village, name, position, due, done, overdue", 0);
                Ok(VillageDuty {
                    village: f.text(0),
                    village_name: f.text(1),
                    position: f.code(2, Position::from_code)?,
                    due: f.int(3)?,
                    done: f.int(4)?,
                    overdue: f.int(5)?,
                })
            })
            .collect()
        })
    }

    /// Duties per holder of a region: each person paired with households, and each user holding
    /// a secretary's position (the village's or the township's duties).
    pub fn compliance_by_holder(
        &self,
        region: &RegionCode,
        periods: &DutyPeriods,
    ) -> Result<Vec<HolderDuty>, StoreError> {
        let (with, args) = judged(region, periods);
        self.with_conn(|c| {
            c.query(
                &format!(
                    "{with}
                     SELECT j.position, j.person_id, CAST(NULL AS TEXT), CAST(NULL AS TEXT), ap.name, COUNT(*), SUM(j.done), SUM(j.overdue)
                       FROM judged j JOIN assistance_persons ap ON ap.id = j.person_id
                       WHERE j.position IN (3, 4) GROUP BY j.position, j.person_id, ap.name
                     UNION ALL
                     SELECT j.position, CAST(NULL AS BIGINT), up.username, up.region, COALESCE(u.display_name, up.username), COUNT(*), SUM(j.done), SUM(j.overdue)
                       FROM judged j JOIN user_positions up ON up.position = j.position AND j.position IN (1, 2)
                            AND j.village >= up.region AND SUBSTR(j.village, 1, LENGTH(up.region)) = up.region
                       LEFT JOIN users u ON u.username = up.username
                       GROUP BY j.position, up.username, up.region, u.display_name
                     ORDER BY 1, 5"
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "visits", "position, person_id, username, region, name, due, done, overdue", 0);
                Ok(HolderDuty {
                    position: f.code(0, Position::from_code)?,
                    person_id: f.opt_int(1)?,
                    username: f.opt_text(2),
                    region: f.opt_text(3),
                    name: f.text(4),
                    due: f.int(5)?,
                    done: f.int(6)?,
                    overdue: f.int(7)?,
                })
            })
            .collect()
        })
    }

    /// The households behind a count: of a region, optionally one position and one person (or a
    /// secretary's user), due, done or overdue; with the last visit of the position.
    #[allow(clippy::too_many_arguments)]
    pub fn duty_households(
        &self,
        region: &RegionCode,
        periods: &DutyPeriods,
        position: Option<Position>,
        person_id: Option<i64>,
        which: DutyWhich,
        limit: i64,
    ) -> Result<Vec<DutyHousehold>, StoreError> {
        let (with, mut args) = judged(region, periods);
        let mut clause = match which {
            DutyWhich::Due => "1 = 1".to_string(),
            DutyWhich::Done => "j.done = 1".to_string(),
            DutyWhich::Overdue => "j.overdue = 1".to_string(),
        };
        if let Some(p) = position {
            args.push(p.code().into());
            clause.push_str(&format!(" AND j.position = ${}", args.len()));
        }
        if let Some(id) = person_id {
            args.push(id.into());
            clause.push_str(&format!(" AND j.person_id = ${}", args.len()));
        }
        self.with_conn(|c| {
            c.query(
                &format!(
                    "{with} SELECT j.household_no, j.village, hd.name, j.position, j.person_id, j.done, j.overdue,
                        (SELECT MAX(v.on_date) FROM visits v WHERE v.county = j.county AND v.household_no = j.household_no AND v.position = j.position)
                     FROM {} WHERE {clause} ORDER BY j.village, j.household_no, j.position LIMIT {}",
                    with_household_head("judged", "j"),
                    limit.clamp(1, 100_000)
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "visits", "household_no, village, head, position, person_id, done, overdue, last_visit", 0);
                Ok(DutyHousehold {
                    household_no: f.text(0),
                    village: f.text(1),
                    head_name: f.opt_text(2).unwrap_or_default(),
                    position: f.code(3, Position::from_code)?,
                    person_id: f.opt_int(4)?,
                    done: f.bool(5)?,
                    overdue: f.bool(6)?,
                    last_visit: f.opt_date(7)?,
                })
            })
            .collect()
        })
    }
}

fn load_visit(c: &mut dyn Sql, id: i64) -> Result<Option<VisitRecord>, StoreError> {
    c.query_one(
        &format!(
            "SELECT {VISIT_COLUMNS} FROM {} WHERE v.id = $1",
            with_household_head("visits", "v")
        ),
        &params![id],
    )?
    .map(|r| row_visit(&r))
    .transpose()
}
