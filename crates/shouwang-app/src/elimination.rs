//! 风险消除 as cadres take it: check a case's conditions, open its elimination procedure when
//! they hold (refused, each failed condition named with its numbers, otherwise), close it at the
//! county decision after checking them again, mark 兜底保障, re-flag a closed case, and list the
//! open cases of a region that could be closed now. The steps in between are those of
//! [`crate::identification::take_step`].

use crate::identification::{clock, Acting};
use serde::Serialize;
use shouwang_core::elimination::{check, ConditionId, EliminationCheck, Verdict};
use shouwang_core::identification::Identification;
use shouwang_core::lead::{check_reason, LeadSource};
use shouwang_core::monitoring::{EliminationKind, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::standard::ResolvedStandard;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::elimination::{without_labour_problem, CaseFacts, Closing};
use shouwang_store::identification::IdentificationRecord;
use shouwang_store::leads::NewLead;
use shouwang_store::{Store, StoreError};

/// A case, its facts and its check on one day.
#[derive(Clone, Debug, Serialize)]
pub struct CaseCheck {
    pub case: CaseFacts,
    pub check: EliminationCheck,
}

fn county_of(region: &RegionCode) -> RegionCode {
    region.county().unwrap_or_else(|| region.clone())
}

/// The standard of `region`'s county for `year` (refused when the county has no monitoring line).
pub fn standard(
    store: &Store,
    region: &RegionCode,
    year: i32,
) -> Result<ResolvedStandard, StoreError> {
    store.resolved_standard(&county_of(region), year)
}

/// The field a refused condition names.
pub fn field_of(id: ConditionId) -> &'static str {
    match id {
        ConditionId::MinPeriod => "identified",
        ConditionId::Measure => "measures",
        ConditionId::IncomeAboveLine => "income",
        ConditionId::IncomeStable => "income_stable",
        ConditionId::RigidExpenditure => "rigid_expenditure",
        ConditionId::Guarantees => "guarantees",
        ConditionId::NoNewRisk => "leads",
    }
}

/// The conditions of case `case_id` on `today`.
pub fn check_case(store: &Store, case_id: i64, today: Date) -> Result<CaseCheck, StoreError> {
    let county = store
        .with_case_county(case_id)?
        .ok_or(StoreError::NotFound)?;
    let st = standard(store, &county, today.year())?;
    let case = store
        .elimination_facts(case_id, today, &st)?
        .ok_or(StoreError::NotFound)?;
    let check = check(&case.facts);
    Ok(CaseCheck { case, check })
}

/// Why `checked` may not be closed as `kind`, as problems (none when it may).
pub fn refusal(checked: &EliminationCheck, kind: EliminationKind) -> Vec<Problem> {
    if checked.without_labour {
        return vec![without_labour_problem()];
    }
    checked
        .failed(kind)
        .iter()
        .map(|c| {
            Problem::new(
                ProblemCode::EliminationConditions,
                field_of(c.id),
                format!("{}：{}", c.id.label_zh(), c.zh),
                format!("{}: {}", c.id.label_en(), c.en),
            )
        })
        .collect()
}

/// How far back the start of an elimination procedure may be recorded (the home check is often
/// entered after it was made).
pub const OPENED_ON_MAX_DAYS_BACK: i64 = 30;

/// Opens the elimination procedure of case `case_id` as `kind`, when its conditions hold today;
/// the procedure starts on `opened_on` (today, or up to [`OPENED_ON_MAX_DAYS_BACK`] days before).
pub fn open(
    store: &Store,
    who: &Acting,
    case_id: i64,
    kind: EliminationKind,
    opened_on: Date,
    today: Date,
) -> Result<IdentificationRecord, StoreError> {
    if opened_on > today || opened_on < today.add_days(-OPENED_ON_MAX_DAYS_BACK) {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::StepDate,
            "on",
            format!(
                "发起日期 {opened_on} 须在今天（{today}）及之前{OPENED_ON_MAX_DAYS_BACK}天内"
            ),
            format!(
                "the procedure's start {opened_on} must be today ({today}) or within the {OPENED_ON_MAX_DAYS_BACK} days before"
            ),
        )));
    }
    let checked = check_case(store, case_id, today)?;
    let problems = refusal(&checked.check, kind);
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let c = clock(store, &county_of(&checked.case.village), today.year())?;
    let ident = Identification::open_elimination(
        checked.case.facts.risks.clone(),
        opened_on,
        &c.deadlines,
        &c.calendar,
    );
    store.open_elimination(&who.actor, who.role, case_id, &ident)
}

/// The conditions of case `case_id` checked again at the county decision (closing as `kind`),
/// and the snapshot the case keeps: refused when they no longer hold.
pub fn closing(
    store: &Store,
    case_id: i64,
    kind: EliminationKind,
    today: Date,
) -> Result<Closing, StoreError> {
    let checked = check_case(store, case_id, today)?;
    let problems = refusal(&checked.check, kind);
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let f = &checked.case.facts;
    Ok(Closing {
        case_version: checked.case.version,
        snapshot: serde_json::json!({
            "on": today.to_string(),
            "kind": kind.label_zh(),
            "line": f.line.0,
            "members": f.members.len(),
            "income": checked.check.income,
            "incomes": f.incomes,
            "guarantees": f.guarantees,
            "measures": f.measures,
            "conditions": checked.check.conditions,
        }),
    })
}

/// Marks case `case_id` 兜底保障 when no member of its household can work.
pub fn mark_safety_net(
    store: &Store,
    who: &Acting,
    case_id: i64,
    expected_version: i64,
    today: Date,
) -> Result<i64, StoreError> {
    let checked = check_case(store, case_id, today)?;
    if !checked.check.without_labour {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::Invalid,
            "labour",
            format!(
                "该户{}人中有劳动能力的成员，不是整户无劳动能力",
                checked.case.facts.members.len()
            ),
            format!(
                "a member of the household of {} can work: it is not a household without labour",
                checked.case.facts.members.len()
            ),
        )));
    }
    store.mark_safety_net(&who.actor, case_id, expected_version)
}

/// What a cadre saw that re-flags a closed case.
#[derive(Clone, Debug)]
pub struct Reflag {
    pub risk: RiskType,
    pub level: WarningLevel,
    pub note: String,
}

/// 风险再标注: a lead on the closed case's household and a new identification on it.
pub fn reflag(
    store: &Store,
    who: &Acting,
    case_id: i64,
    what: &Reflag,
    today: Date,
) -> Result<IdentificationRecord, StoreError> {
    let closure = store.case_closure(case_id)?.ok_or(StoreError::NotFound)?;
    let county = store
        .with_case_county(case_id)?
        .ok_or(StoreError::NotFound)?;
    let note = check_reason("note", &what.note).map_err(StoreError::invalid)?;
    let scheme = match store.resolved_standard(&county, today.year()) {
        Ok(s) => s.warning_scheme,
        Err(StoreError::Invalid(_)) => {
            shouwang_core::standard::StandardDefaults::DEFAULT.warning_scheme
        }
        Err(e) => return Err(e),
    };
    let c = clock(store, &county, today.year())?;
    let lead = NewLead {
        household_no: closure.household_no.clone(),
        risk: what.risk,
        level: what.level,
        source: LeadSource::CadreCheck,
        found_on: today,
        due_on: today.add_days(scheme.response_days(what.level)),
        note,
    };
    let ident = Identification::open(today, vec![what.risk], today, &c.deadlines, &c.calendar);
    store.reflag(&who.actor, who.role, case_id, &lead, &ident)
}

/// The open cases of a region and what their checks say.
#[derive(Clone, Debug, Serialize)]
pub struct Candidates {
    /// open cases (风险未消除) checked
    pub open: usize,
    pub closable: usize,
    pub safety_net: usize,
    pub not_yet: usize,
    /// the closable ones, by village and household number
    pub cases: Vec<CaseCheck>,
}

/// 可消除风险: every open case of `region` whose conditions hold today (for 帮扶消除).
pub fn candidates(
    store: &Store,
    region: &RegionCode,
    today: Date,
) -> Result<Candidates, StoreError> {
    let st = standard(store, region, today.year())?;
    let all = store.elimination_facts_in(region, today, &st)?;
    let mut out = Candidates {
        open: all.len(),
        closable: 0,
        safety_net: 0,
        not_yet: 0,
        cases: Vec::new(),
    };
    for case in all {
        let checked = check(&case.facts);
        match checked.verdict() {
            Verdict::Closable => {
                out.closable += 1;
                out.cases.push(CaseCheck {
                    case,
                    check: checked,
                });
            }
            Verdict::SafetyNet => out.safety_net += 1,
            Verdict::NotYet => out.not_yet += 1,
        }
    }
    Ok(out)
}
