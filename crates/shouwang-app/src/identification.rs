//! 识别认定 as cadres take it: open a household's procedure on its leads, take each step, raise,
//! dismiss and merge leads, and the daily deadline sweep. Each use case reads what it needs,
//! asks core whether the step is allowed and what follows, and has the store write the result
//! with its audit event in one transaction. The caller (a page, the API) has already checked
//! that the user may act in the household's region; core checks the role owns the step.

use shouwang_core::calendar::WorkCalendar;
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{Identification, Step, StepContext};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::identification::{IdentificationRecord, SweepCounts};
use shouwang_store::leads::{Lead, NewLead};
use shouwang_store::{Store, StoreError};

/// Who acts: the audited account and the role whose steps it may take.
#[derive(Clone, Debug)]
pub struct Acting {
    pub actor: Actor,
    pub role: Role,
}

/// The clock of a region in a year: its limits and its working-day calendar.
#[derive(Clone, Debug)]
pub struct Clock {
    pub deadlines: Deadlines,
    pub calendar: WorkCalendar,
}

/// The limits of the year's standard for `region` (the defaults where no standard is set yet)
/// and the region's calendar.
pub fn clock(store: &Store, region: &RegionCode, year: i32) -> Result<Clock, StoreError> {
    let deadlines = match store.resolved_standard(region, year) {
        Ok(standard) => Deadlines::of(&standard),
        Err(StoreError::Invalid(_)) => Deadlines::defaults(),
        Err(e) => return Err(e),
    };
    let calendar = store.calendar_for(region)?;
    Ok(Clock {
        deadlines,
        calendar,
    })
}

fn county_of(region: &RegionCode) -> RegionCode {
    region.county().unwrap_or_else(|| region.clone())
}

/// Opens the procedure of a household on some of its open leads; the clock runs from the
/// earliest lead's day.
pub fn open(
    store: &Store,
    who: &Acting,
    lead_ids: &[i64],
    today: Date,
) -> Result<IdentificationRecord, StoreError> {
    let leads = lead_list(store, lead_ids)?;
    let village = &leads[0].village;
    let clock = clock(store, &county_of(village), today.year())?;
    let found_on = leads.iter().map(|l| l.found_on).min().unwrap_or(today);
    let ident = Identification::open(
        found_on,
        risks_of(&leads, &[]),
        today,
        &clock.deadlines,
        &clock.calendar,
    );
    store.open_identification(&who.actor, who.role, lead_ids, &ident)
}

/// Gathers more open leads of the household into its open procedure.
pub fn gather(
    store: &Store,
    who: &Acting,
    id: i64,
    expected_version: i64,
    lead_ids: &[i64],
) -> Result<IdentificationRecord, StoreError> {
    let record = store.identification(id)?.ok_or(StoreError::NotFound)?;
    let leads = lead_list(store, lead_ids)?;
    let mut after = record.ident.clone();
    after.risks = risks_of(&leads, &record.ident.risks);
    store.gather_leads(&who.actor, id, expected_version, lead_ids, &after)
}

/// Takes one step of a procedure, as read at `expected_version`.
pub fn take_step(
    store: &Store,
    who: &Acting,
    id: i64,
    expected_version: i64,
    step: &Step,
    today: Date,
) -> Result<IdentificationRecord, StoreError> {
    let record = store.identification(id)?.ok_or(StoreError::NotFound)?;
    if record.version != expected_version {
        return Err(StoreError::Stale);
    }
    let clock = clock(
        store,
        &county_of(&record.village),
        record.ident.found_on.year(),
    )?;
    let ctx = StepContext {
        role: who.role,
        today,
        deadlines: &clock.deadlines,
        calendar: &clock.calendar,
    };
    let after = record
        .ident
        .apply(step, &ctx)
        .map_err(StoreError::invalid)?;
    // an elimination closes the case: its conditions are checked again on the day
    if let (Some(closure), Some(case_id)) = (after.closure(), record.case_id) {
        if after.stage == shouwang_core::identification::Stage::Eliminated {
            let closing = crate::elimination::closing(store, case_id, closure.kind, today)?;
            return store.record_step_closing(
                &who.actor,
                who.role,
                id,
                expected_version,
                step,
                &after,
                Some(&closing),
            );
        }
    }
    store.record_step(&who.actor, who.role, id, expected_version, step, &after)
}

/// What a cadre saw or a caller reported about a household.
#[derive(Clone, Debug)]
pub struct Sighting {
    pub household_no: String,
    pub risk: RiskType,
    pub level: WarningLevel,
    pub source: LeadSource,
    /// what was seen, in the cadre's words
    pub note: String,
}

/// A lead seen by a cadre (干部排查) or called in (12317), found today and due by the warning
/// scheme's days for its level.
pub fn raise_lead(
    store: &Store,
    who: &Acting,
    sighting: &Sighting,
    today: Date,
) -> Result<Lead, StoreError> {
    let county = store
        .household_county(&sighting.household_no)?
        .ok_or(StoreError::NotFound)?;
    let scheme = match store.resolved_standard(&county, today.year()) {
        Ok(s) => s.warning_scheme,
        Err(StoreError::Invalid(_)) => {
            shouwang_core::standard::StandardDefaults::DEFAULT.warning_scheme
        }
        Err(e) => return Err(e),
    };
    let note =
        shouwang_core::lead::check_reason("note", &sighting.note).map_err(StoreError::invalid)?;
    store.raise_lead(
        &who.actor,
        &NewLead {
            household_no: sighting.household_no.clone(),
            risk: sighting.risk,
            level: sighting.level,
            source: sighting.source,
            found_on: today,
            due_on: today.add_days(scheme.response_days(sighting.level)),
            note,
        },
    )
}

/// The daily sweep: marks what became overdue today.
pub fn sweep(store: &Store, today: Date) -> Result<SweepCounts, StoreError> {
    store.sweep_deadlines(&Actor::system("deadline-sweep"), today)
}

fn lead_list(store: &Store, ids: &[i64]) -> Result<Vec<Lead>, StoreError> {
    if ids.is_empty() {
        return Err(StoreError::invalid(shouwang_core::Problem::new(
            shouwang_core::ProblemCode::Invalid,
            "leads",
            "至少选择一条线索",
            "choose at least one lead",
        )));
    }
    ids.iter()
        .map(|id| store.lead(*id)?.ok_or(StoreError::NotFound))
        .collect()
}

/// The risks of `leads` after `already`, each once, in order; at most five are kept (the case
/// takes up to five, and the county picks them at the decision).
fn risks_of(leads: &[Lead], already: &[RiskType]) -> Vec<RiskType> {
    let mut risks = already.to_vec();
    for lead in leads {
        if !risks.contains(&lead.risk) {
            risks.push(lead.risk);
        }
    }
    risks
}

/// Dismisses an open lead with a reason (排除): the lead is kept, with who and why, in the
/// household's history.
pub fn dismiss_lead(
    store: &Store,
    who: &Acting,
    id: i64,
    reason: &str,
) -> Result<Lead, StoreError> {
    store.dismiss_lead(&who.actor, id, reason)
}

/// Merges an open lead into another pending lead of the same household (合并重复线索), with a
/// reason.
pub fn merge_lead(
    store: &Store,
    who: &Acting,
    id: i64,
    into: i64,
    reason: &str,
) -> Result<Lead, StoreError> {
    store.merge_lead(&who.actor, id, into, reason)
}
