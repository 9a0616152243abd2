//! 风险消除 as stored: the facts the core check reads for one case or for every open case of a
//! region (a few set-based queries, not one per case), the elimination procedure of a case (an
//! `identifications` row with purpose 2 and the case's id), closing the case at the county
//! decision in the same transaction as the step, 兜底保障, and re-flagging a closed case
//! (风险再标注: a new identification naming it, the old case and its history kept).

use crate::audit::{record, Actor};
use crate::db::{Row, Sql, Value};
use crate::decode::Fields;
use crate::identification::{closed_stages, open_tx, IdentificationRecord};
use crate::income::{row_income, INCOME_COLUMNS};
use crate::leads::{raise_lead_tx, NewLead};
use crate::sql::{region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::codes::LabourCapacity;
use shouwang_core::date::YearMonth;
use shouwang_core::elimination::{EliminationFacts, GuaranteeFacts, MeasureFact, MemberFact};
use shouwang_core::identification::{Identification, Purpose, Stage, StepKind};
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};
use shouwang_core::standard::ResolvedStandard;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode, Role};
use std::collections::HashMap;

/// What the county decision's step needs to close the case: the case's version as read when
/// the conditions were checked again, and the snapshot of that day (incomes and conditions).
#[derive(Clone, Debug)]
pub struct Closing {
    pub case_version: i64,
    pub snapshot: serde_json::Value,
}

/// One case with the facts of its check.
#[derive(Clone, Debug, Serialize)]
pub struct CaseFacts {
    pub case_id: i64,
    pub county: String,
    pub household_no: String,
    pub village: RegionCode,
    pub head_name: String,
    pub status: CaseStatus,
    pub version: i64,
    /// 兜底保障 marked already
    pub safety_net: bool,
    pub facts: EliminationFacts,
}

/// What a case keeps of its elimination, and the procedures around it.
#[derive(Clone, Debug, Serialize)]
pub struct CaseClosure {
    pub case_id: i64,
    pub household_no: String,
    pub status: CaseStatus,
    pub version: i64,
    pub safety_net: bool,
    pub kind: Option<EliminationKind>,
    pub eliminated_on: Option<Date>,
    pub snapshot: Option<serde_json::Value>,
    pub contact_name: String,
    pub contact_phone: String,
    /// the elimination procedures of the case, newest first: (id, stage)
    pub procedures: Vec<(i64, Stage)>,
    /// the identifications that re-flagged it, newest first
    pub reflags: Vec<i64>,
}

/// The cases a filter selects: `c` is the case, `hh` its household.
struct CaseFilter {
    clause: String,
    values: Vec<Value>,
}

impl CaseFilter {
    fn one(case_id: i64) -> CaseFilter {
        CaseFilter {
            clause: "c.id = $1".into(),
            values: params![case_id].to_vec(),
        }
    }
    fn open_in(region: &RegionCode) -> CaseFilter {
        let (clause, mut values) = region_clause("hh", region, 1);
        // the county's open cases by their index, then the region's households among them
        let county = region.county().unwrap_or_else(|| region.clone());
        values.push(county.as_str().into());
        CaseFilter {
            clause: format!(
                "c.county = ${} AND c.status = {} AND {clause}",
                values.len(),
                CaseStatus::AtRisk.code()
            ),
            values,
        }
    }
}

/// The cases, their households, then the rows of table `x` of each household, in that order:
/// `CROSS JOIN` keeps SQLite from starting at the other table (PostgreSQL plans it freely).
fn of_cases(table: &str) -> String {
    format!("monitoring_cases c CROSS JOIN households hh CROSS JOIN {table} x")
}

/// The join conditions of [`of_cases`] for a table keyed by household.
const BY_HOUSEHOLD: &str = "hh.county = c.county AND hh.household_no = c.household_no AND x.county = c.county AND x.household_no = c.household_no";

fn risks_of(text: &str) -> Vec<RiskType> {
    text.split(',')
        .filter_map(|c| c.trim().parse().ok().and_then(RiskType::from_code))
        .collect()
}

/// The facts of the cases `filter` selects, checked on `today` against `st`.
fn load_facts(
    c: &mut dyn Sql,
    filter: &CaseFilter,
    today: Date,
    st: &ResolvedStandard,
) -> Result<Vec<CaseFacts>, StoreError> {
    let w = &filter.clause;
    let v = &filter.values;
    const COLS: &str = "c.id, c.county, c.household_no, hh.village, hd.name, c.case_type, c.risks, c.identified, c.status, c.whole_household_without_labour, c.version";
    let rows = c.query(
        &format!(
            "SELECT {COLS} FROM {} WHERE {w} ORDER BY hh.village, c.household_no",
            with_household_head("monitoring_cases", "c")
        ),
        v,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let f = Fields::new(r, "monitoring_cases", COLS, 0);
        let id = f.int(0)?;
        let identified: YearMonth = f.parsed(7, YearMonth::parse)?;
        index.insert(id, out.len());
        out.push(CaseFacts {
            case_id: id,
            county: f.text(1),
            household_no: f.text(2),
            village: f.region(3)?,
            head_name: f.opt_text(4).unwrap_or_default(),
            status: f.code(8, CaseStatus::from_code)?,
            version: f.int(10)?,
            safety_net: f.bool(9)?,
            facts: EliminationFacts {
                identified_on: identified.first_day(),
                today,
                case_type: f.code(5, CaseType::from_code)?,
                risks: risks_of(&f.text(6)),
                measures: Vec::new(),
                line: st.monitoring_line,
                min_months: st.elimination_min_months,
                stable_months: st.income_stable_months,
                rigid_percent: st.rigid_expenditure_percent,
                rigid_amount: st.rigid_expenditure_amount,
                incomes: Vec::new(),
                members: Vec::new(),
                guarantees: None,
                new_risks: Vec::new(),
            },
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let mut each = |sql: String,
                    f: &mut dyn FnMut(&mut CaseFacts, &Row) -> Result<(), StoreError>|
     -> Result<(), StoreError> {
        for r in c.query(&sql, v)? {
            if let Some(i) = index.get(&r.int(0)) {
                f(&mut out[*i], &r)?;
            }
        }
        Ok(())
    };
    // the day of the county decision that included it, where a procedure did
    each(
        format!(
            "SELECT c.id, s.on_date FROM {} CROSS JOIN identification_steps s
             WHERE hh.county = c.county AND hh.household_no = c.household_no AND x.case_id = c.id AND s.identification_id = x.id
               AND {w} AND x.purpose = {} AND s.kind = {} AND s.stage_after = {}",
            of_cases("identifications"),
            Purpose::Identification.code(),
            StepKind::Decided.code(),
            Stage::Included.code()
        ),
        &mut |cf, r| {
            if let Some(d) = Date::parse(&r.text(1)) {
                cf.facts.identified_on = d;
            }
            Ok(())
        },
    )?;
    let income_cols: Vec<String> = INCOME_COLUMNS
        .split(", ")
        .map(|c| format!("x.{c}"))
        .collect();
    each(
        format!(
            "SELECT c.id, {} FROM {} WHERE {BY_HOUSEHOLD} AND {w} AND x.year >= {} ORDER BY c.id, x.year, x.quarter",
            income_cols.join(", "),
            of_cases("incomes"),
            today.year() - 1
        ),
        &mut |cf, r| {
            cf.facts.incomes.push(row_income(r, 1)?);
            Ok(())
        },
    )?;
    each(
        format!(
            "SELECT c.id, x.labour FROM {} WHERE {BY_HOUSEHOLD} AND {w} AND x.deceased_on IS NULL ORDER BY c.id, x.position",
            of_cases("members")
        ),
        &mut |cf, r| {
            let labour = r.opt_int(1).and_then(LabourCapacity::from_code);
            cf.facts.members.push(MemberFact { labour });
            Ok(())
        },
    )?;
    each(
        format!(
            "SELECT c.id, x.as_of, x.unsafe_housing, x.dropout, x.uninsured, x.unsafe_water, x.food_clothing FROM {} WHERE {BY_HOUSEHOLD} AND {w}",
            of_cases("guarantees")
        ),
        &mut |cf, r| {
            let Some(as_of) = Date::parse(&r.text(1)) else {
                return Ok(());
            };
            if cf.facts.guarantees.is_some_and(|g| g.as_of >= as_of) {
                return Ok(());
            }
            cf.facts.guarantees = Some(GuaranteeFacts {
                as_of,
                unsafe_housing: r.int(2) != 0,
                dropout: r.int(3) != 0,
                uninsured: r.int(4) != 0,
                unsafe_water: r.int(5) != 0,
                food_clothing: r.int(6) != 0,
            });
            Ok(())
        },
    )?;
    each(
        format!(
            "SELECT c.id, x.category, x.risk, x.state, x.start_on FROM {}
             WHERE hh.county = c.county AND hh.household_no = c.household_no AND x.case_id = c.id AND {w} ORDER BY c.id, x.id",
            of_cases("measures")
        ),
        &mut |cf, r| {
            let (Some(category), Some(state), Some(start)) = (
                MeasureCategory::from_code(r.int(1)),
                MeasureState::from_code(r.int(3)),
                Date::parse(&r.text(4)),
            ) else {
                return Ok(());
            };
            cf.facts.measures.push(MeasureFact {
                category,
                risk: r.opt_int(2).and_then(RiskType::from_code),
                state,
                start,
            });
            Ok(())
        },
    )?;
    each(
        format!(
            "SELECT c.id, x.risk, x.found_on FROM {} WHERE {BY_HOUSEHOLD} AND {w} AND x.status IN ({}) ORDER BY c.id, x.found_on, x.id",
            of_cases("leads"),
            crate::screening::PENDING_LEADS
        ),
        &mut |cf, r| {
            if let (Some(risk), Some(on)) = (RiskType::from_code(r.int(1)), Date::parse(&r.text(2))) {
                cf.facts.new_risks.push((risk, on));
            }
            Ok(())
        },
    )?;
    Ok(out)
}

fn case_row(
    tx: &mut dyn Sql,
    case_id: i64,
) -> Result<(String, String, CaseStatus, i64), StoreError> {
    let r = tx
        .query_one(
            "SELECT county, household_no, status, version FROM monitoring_cases WHERE id = $1",
            &params![case_id],
        )?
        .ok_or(StoreError::NotFound)?;
    let status = CaseStatus::from_code(r.int(2)).ok_or(StoreError::NotFound)?;
    Ok((r.text(0), r.text(1), status, r.int(3)))
}

fn case_state_problem(status: CaseStatus) -> StoreError {
    StoreError::invalid(Problem::new(
        ProblemCode::EliminationCaseState,
        "case",
        format!("监测对象状态为“{}”，不能办理风险消除", status.label_zh()),
        format!(
            "the case is “{}”: its risk cannot be eliminated",
            status.label_en()
        ),
    ))
}

/// Closes case `case_id` as `after` decided (风险已消除): kind, month, day, snapshot, contact,
/// version + 1, a `case_steps` row; the measures that do not run past elimination end that day.
pub(crate) fn close_case(
    tx: &mut dyn Sql,
    actor: &Actor,
    case_id: i64,
    after: &Identification,
    closing: &Closing,
) -> Result<(), StoreError> {
    let decision = after.decision.as_ref().ok_or(StoreError::NotFound)?;
    let closure = after.closure().ok_or(StoreError::NotFound)?;
    let (county, household_no, status, _) = case_row(tx, case_id)?;
    if status != CaseStatus::AtRisk {
        return Err(case_state_problem(status));
    }
    let on = decision.on;
    let changed = tx.exec(
        "UPDATE monitoring_cases SET status = $1, elimination_kind = $2, eliminated = $3, eliminated_on = $4,
                elimination_snapshot = $5, contact_name = $6, contact_phone = $7, version = version + 1, updated_at = $8
         WHERE id = $9 AND version = $10 AND status = $11",
        &params![
            CaseStatus::Eliminated.code(),
            closure.kind.code(),
            YearMonth::of(on).to_string(),
            on.to_string(),
            closing.snapshot.to_string(),
            closure.contact_name.trim(),
            closure.contact_phone.trim(),
            crate::now(),
            case_id,
            closing.case_version,
            CaseStatus::AtRisk.code()
        ],
    )?;
    if changed != 1 {
        return Err(StoreError::Stale);
    }
    tx.exec(
        "INSERT INTO case_steps (county, case_id, step, on_date, actor, outcome, comment) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &params![
            county.as_str(),
            case_id,
            shouwang_core::monitoring::CaseStepKind::Eliminated.stored(),
            on.to_string(),
            actor.username.as_str(),
            closure.kind.label_zh(),
            decision.announcement.trim()
        ],
    )?;
    let keep: Vec<String> = MeasureCategory::ALL
        .iter()
        .filter(|c| c.runs_past_elimination().is_some())
        .map(|c| c.code().to_string())
        .collect();
    let ended = tx.exec(
        &format!(
            "UPDATE measures SET state = $1, ended_on = $2, version = version + 1, updated_at = $3
             WHERE case_id = $4 AND state IN ($5, $6) AND category NOT IN ({})",
            keep.join(", ")
        ),
        &params![
            MeasureState::Ended.code(),
            on.to_string(),
            crate::now(),
            case_id,
            MeasureState::Planned.code(),
            MeasureState::InPlace.code()
        ],
    )?;
    record(
        tx,
        actor,
        Some(&county),
        "case.eliminate",
        ("monitoring_case", &case_id.to_string()),
        Some(
            &serde_json::json!({ "status": CaseStatus::AtRisk.label_zh(), "version": closing.case_version }),
        ),
        Some(&serde_json::json!({
            "household": household_no,
            "status": CaseStatus::Eliminated.label_zh(),
            "kind": closure.kind.label_zh(),
            "eliminated_on": on.to_string(),
            "contact_name": closure.contact_name,
            "contact_phone": closure.contact_phone,
            "measures_ended": ended,
            "snapshot": closing.snapshot,
        })),
    )
}

impl Store {
    /// The facts of case `case_id` for its check on `today` (a few queries).
    pub fn elimination_facts(
        &self,
        case_id: i64,
        today: Date,
        st: &ResolvedStandard,
    ) -> Result<Option<CaseFacts>, StoreError> {
        self.with_conn(|c| Ok(load_facts(c, &CaseFilter::one(case_id), today, st)?.pop()))
    }

    /// The facts of every open case (风险未消除) of `region`, by village and household number:
    /// seven queries whatever the number of cases.
    pub fn elimination_facts_in(
        &self,
        region: &RegionCode,
        today: Date,
        st: &ResolvedStandard,
    ) -> Result<Vec<CaseFacts>, StoreError> {
        self.with_conn(|c| load_facts(c, &CaseFilter::open_in(region), today, st))
    }

    /// The measures of case `case_id` as the elimination reads them: category, state, the day
    /// it ended.
    pub fn case_measure_states(
        &self,
        case_id: i64,
    ) -> Result<Vec<(MeasureCategory, MeasureState, Option<Date>)>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query(
                "SELECT category, state, ended_on FROM measures WHERE case_id = $1 ORDER BY id",
                &params![case_id],
            )?
            .iter()
            .filter_map(|r| {
                Some((
                    MeasureCategory::from_code(r.int(0))?,
                    MeasureState::from_code(r.int(1))?,
                    r.opt_text(2).as_deref().and_then(Date::parse),
                ))
            })
            .collect())
        })
    }

    /// The county of case `case_id`.
    pub fn with_case_county(&self, case_id: i64) -> Result<Option<RegionCode>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_one(
                "SELECT county FROM monitoring_cases WHERE id = $1",
                &params![case_id],
            )?
            .and_then(|r| RegionCode::parse(&r.text(0))))
        })
    }

    /// What case `case_id` keeps of its elimination.
    pub fn case_closure(&self, case_id: i64) -> Result<Option<CaseClosure>, StoreError> {
        self.with_conn(|c| {
            let Some(r) = c.query_one(
                "SELECT household_no, status, version, whole_household_without_labour, elimination_kind, eliminated_on,
                        elimination_snapshot, contact_name, contact_phone
                 FROM monitoring_cases WHERE id = $1",
                &params![case_id],
            )?
            else {
                return Ok(None);
            };
            let procedures = c
                .query(
                    "SELECT id, stage FROM identifications WHERE case_id = $1 AND purpose = $2 ORDER BY id DESC",
                    &params![case_id, Purpose::Elimination.code()],
                )?
                .iter()
                .filter_map(|p| Stage::from_code(p.int(1)).map(|s| (p.int(0), s)))
                .collect();
            let reflags = c
                .query(
                    "SELECT id FROM identifications WHERE reflag_of = $1 ORDER BY id DESC",
                    &params![case_id],
                )?
                .iter()
                .map(|p| p.int(0))
                .collect();
            Ok(Some(CaseClosure {
                case_id,
                household_no: r.text(0),
                status: CaseStatus::from_code(r.int(1)).unwrap_or(CaseStatus::AtRisk),
                version: r.int(2),
                safety_net: r.int(3) != 0,
                kind: r.opt_int(4).and_then(EliminationKind::from_code),
                eliminated_on: r.opt_text(5).as_deref().and_then(Date::parse),
                snapshot: r
                    .opt_text(6)
                    .and_then(|t| serde_json::from_str(&t).ok()),
                contact_name: r.text(7),
                contact_phone: r.text(8),
                procedures,
                reflags,
            }))
        })
    }

    /// Opens the elimination procedure of open case `case_id` (the conditions were checked by
    /// the caller): refused when the case is not at risk, is 兜底保障, or its household has a
    /// procedure under way.
    pub fn open_elimination(
        &self,
        actor: &Actor,
        role: Role,
        case_id: i64,
        ident: &Identification,
    ) -> Result<IdentificationRecord, StoreError> {
        self.with_tx(|tx| {
            let (county, household_no, status, _) = case_row(tx, case_id)?;
            if status != CaseStatus::AtRisk {
                return Err(case_state_problem(status));
            }
            let marked = tx
                .query_one(
                    "SELECT whole_household_without_labour FROM monitoring_cases WHERE id = $1",
                    &params![case_id],
                )?
                .is_some_and(|r| r.int(0) != 0);
            if marked {
                return Err(StoreError::invalid(without_labour_problem()));
            }
            let open = tx.query_one(
                &format!("SELECT id FROM identifications WHERE county = $1 AND household_no = $2 AND stage NOT IN ({})", closed_stages()),
                &params![county.as_str(), household_no.as_str()],
            )?;
            if let Some(r) = open {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::StepOutOfOrder,
                    "case",
                    format!("该户已有进行中的程序（编号{}）", r.int(0)),
                    format!("the household has a procedure under way (number {})", r.int(0)),
                )));
            }
            let village = tx
                .query_one(
                    "SELECT village FROM households WHERE county = $1 AND household_no = $2",
                    &params![county.as_str(), household_no.as_str()],
                )?
                .map(|r| r.text(0))
                .ok_or(StoreError::NotFound)?;
            let now = crate::now();
            let id = tx
                .query_one(
                    "INSERT INTO identifications (county, household_no, village, stage, found_on, due_on, stage_due, green_channel, body, case_id, created_by, created_at, updated_at, purpose)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10, $11, $11, $12) RETURNING id",
                    &params![
                        county.as_str(),
                        household_no.as_str(),
                        village.as_str(),
                        ident.stage.code(),
                        ident.found_on.to_string(),
                        ident.due_on.to_string(),
                        ident.stage_due.to_string(),
                        serde_json::to_string(ident).expect("an identification serializes"),
                        case_id,
                        actor.username.as_str(),
                        now,
                        Purpose::Elimination.code()
                    ],
                )?
                .map(|r| r.int(0))
                .ok_or(StoreError::NotFound)?;
            tx.exec(
                "INSERT INTO identification_steps (county, identification_id, kind, stage_before, stage_after, on_date, actor, role, detail, recorded_at)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9)",
                &params![
                    county.as_str(),
                    id,
                    StepKind::Opened.code(),
                    ident.stage.code(),
                    ident.found_on.to_string(),
                    actor.username.as_str(),
                    role.as_str(),
                    serde_json::json!({ "case": case_id, "purpose": Purpose::Elimination.label_zh() }).to_string(),
                    now
                ],
            )?;
            record(
                tx,
                actor,
                Some(&county),
                "elimination.open",
                ("identification", &id.to_string()),
                None,
                Some(&serde_json::json!({ "case": case_id, "household": household_no })),
            )?;
            crate::identification::load_record(tx, id)?.ok_or(StoreError::NotFound)
        })
    }

    /// Marks open case `case_id` as 兜底保障 (整户无劳动能力): kept under monitoring, never closed.
    pub fn mark_safety_net(
        &self,
        actor: &Actor,
        case_id: i64,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        self.with_tx(|tx| {
            let (county, household_no, status, version) = case_row(tx, case_id)?;
            if status != CaseStatus::AtRisk {
                return Err(case_state_problem(status));
            }
            if version != expected_version {
                return Err(StoreError::Stale);
            }
            let changed = tx.exec(
                "UPDATE monitoring_cases SET whole_household_without_labour = 1, version = version + 1, updated_at = $1
                 WHERE id = $2 AND version = $3",
                &params![crate::now(), case_id, expected_version],
            )?;
            if changed != 1 {
                return Err(StoreError::Stale);
            }
            record(
                tx,
                actor,
                Some(&county),
                "case.safety_net",
                ("monitoring_case", &case_id.to_string()),
                Some(&serde_json::json!({ "whole_household_without_labour": false, "version": version })),
                Some(&serde_json::json!({ "household": household_no, "whole_household_without_labour": true, "version": version + 1 })),
            )?;
            Ok(version + 1)
        })
    }

    /// 风险再标注: a lead on closed case `case_id`'s household and a new identification on it
    /// naming the case; the case and its history stay as they are.
    pub fn reflag(
        &self,
        actor: &Actor,
        role: Role,
        case_id: i64,
        lead: &NewLead,
        ident: &Identification,
    ) -> Result<IdentificationRecord, StoreError> {
        self.with_tx(|tx| {
            let (county, household_no, status, _) = case_row(tx, case_id)?;
            if status != CaseStatus::Eliminated {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::ReflagNotClosed,
                    "case",
                    format!("监测对象状态为“{}”，只有风险已消除的才能再标注", status.label_zh()),
                    format!(
                        "the case is “{}”: only a case whose risk was eliminated can be re-flagged",
                        status.label_en()
                    ),
                )));
            }
            if lead.household_no != household_no {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::LeadOtherHousehold,
                    "household",
                    "线索属于另一户",
                    "the lead belongs to another household",
                )));
            }
            let saved = raise_lead_tx(tx, actor, lead)?;
            let opened = open_tx(tx, actor, role, &[saved.id], ident, Some(case_id))?;
            record(
                tx,
                actor,
                Some(&county),
                "case.reflag",
                ("monitoring_case", &case_id.to_string()),
                None,
                Some(&serde_json::json!({ "household": household_no, "lead": saved.id, "identification": opened.id })),
            )?;
            Ok(opened)
        })
    }
}

/// Refusal of a household none of whose members can work.
pub fn without_labour_problem() -> Problem {
    Problem::new(
        ProblemCode::EliminationWithoutLabour,
        "labour",
        "整户无劳动能力：落实兜底保障后暂不标注风险消除，持续跟踪监测",
        "no member of the household can work: once the safety net is in place the risk is not marked eliminated, and monitoring goes on",
    )
}
