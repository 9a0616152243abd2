//! 帮扶责任人, 家庭签约医生 and 走访 as cadres use them: save a person, pair and reassign, set the
//! positions a user holds, record a visit (optionally raising a lead in the same request), and
//! the duties' compliance of a region on a day from the year's standard. The caller has already
//! checked that the user may act in the household's region.

use crate::identification::{raise_lead, Acting, Sighting};
use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::standard::StandardDefaults;
use shouwang_core::visit::duty::DutyPeriods;
use shouwang_core::visit::{Position, Visit};
use shouwang_core::{Date, RegionCode, Role};
use shouwang_store::leads::Lead;
use shouwang_store::pairing::{PairingRecord, UserPosition};
use shouwang_store::visits::{HolderDuty, VillageDuty, VisitRecord};
use shouwang_store::{Store, StoreError};

fn county_of(region: &RegionCode) -> RegionCode {
    region.county().unwrap_or_else(|| region.clone())
}

/// Saves a person of the county of `region` (new when `id` is `None`).
pub fn save_person(
    store: &Store,
    who: &Acting,
    region: &RegionCode,
    id: Option<i64>,
    person: &AssistancePerson,
    username: Option<&str>,
) -> Result<i64, StoreError> {
    store.save_person(&who.actor, &county_of(region), id, person, username)
}

/// Pairs a person with a household from `start`.
pub fn pair(
    store: &Store,
    who: &Acting,
    person_id: i64,
    household_no: &str,
    start: Date,
    end: Option<Date>,
) -> Result<PairingRecord, StoreError> {
    store.create_pairing(&who.actor, person_id, household_no, start, end)
}

/// Ends a pairing on `end`.
pub fn end_pairing(
    store: &Store,
    who: &Acting,
    id: i64,
    end: Date,
    reason: &str,
) -> Result<PairingRecord, StoreError> {
    store.end_pairing(&who.actor, id, end, reason)
}

/// Reassigns the household of pairing `id` to person `to` from `start`.
pub fn reassign(
    store: &Store,
    who: &Acting,
    id: i64,
    to: i64,
    start: Date,
    reason: &str,
) -> Result<PairingRecord, StoreError> {
    store.reassign_pairing(&who.actor, id, to, start, reason)
}

/// Replaces the positions a user holds.
pub fn set_positions(
    store: &Store,
    who: &Acting,
    username: &str,
    positions: &[UserPosition],
) -> Result<(), StoreError> {
    store.set_positions(&who.actor, username, positions)
}

/// Whether the acting user may record visits as 村干部 (a village user).
pub fn may_record_as_cadre(role: Role) -> bool {
    role == Role::Village
}

/// The positions a user may record a visit of to a household on a day: those held that cover
/// it, and 村干部 for a village user.
pub fn visit_positions(
    store: &Store,
    who: &Acting,
    household_no: &str,
    on: Date,
) -> Result<Vec<Position>, StoreError> {
    Ok(store
        .visit_standing(
            &who.actor.username,
            household_no,
            on,
            may_record_as_cadre(who.role),
        )?
        .held)
}

/// A lead a visit raises: the risk seen and a note.
#[derive(Clone, Debug)]
pub struct VisitLead {
    pub risk: RiskType,
    pub note: String,
}

/// A visit recorded, with the lead it raised.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub visit: VisitRecord,
    pub lead: Option<Lead>,
}

/// Records a visit; with `lead`, raises a 干部排查 lead first (refused leads refuse the visit).
/// The visit is checked before the lead is raised, so that a refused visit raises nothing.
pub fn record_visit(
    store: &Store,
    who: &Acting,
    visitor_name: &str,
    visit: &Visit,
    today: Date,
    lead: Option<&VisitLead>,
) -> Result<Recorded, StoreError> {
    let cadre = may_record_as_cadre(who.role);
    let standing =
        store.visit_standing(&who.actor.username, &visit.household_no, visit.on, cadre)?;
    let problems = visit.check(&standing.context(today, visit.position));
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let lead = match lead {
        Some(l) => Some(raise_lead(
            store,
            who,
            &Sighting {
                household_no: visit.household_no.clone(),
                risk: l.risk,
                level: WarningLevel::Yellow,
                source: LeadSource::CadreCheck,
                note: l.note.clone(),
            },
            today,
        )?),
        None => None,
    };
    let visit = store.record_visit(
        &who.actor,
        visitor_name,
        visit,
        today,
        cadre,
        lead.as_ref().map(|l| l.id),
    )?;
    Ok(Recorded { visit, lead })
}

/// The duty periods of a region on a day, from its county's standard of the year (the defaults
/// where none is set).
pub fn duty_periods(
    store: &Store,
    region: &RegionCode,
    today: Date,
) -> Result<DutyPeriods, StoreError> {
    match store.resolved_standard(&county_of(region), today.year()) {
        Ok(s) => Ok(DutyPeriods::new(today, &s)),
        Err(StoreError::Invalid(_)) => {
            let d = StandardDefaults::DEFAULT;
            Ok(DutyPeriods {
                today,
                months: [
                    d.secretary_visit_months,
                    d.party_secretary_visit_months,
                    d.helper_visit_months,
                    d.doctor_visit_months,
                ],
            })
        }
        Err(e) => Err(e),
    }
}

/// The duties of a region: per village and position, per holder.
#[derive(Clone, Debug)]
pub struct Compliance {
    pub periods: DutyPeriods,
    pub villages: Vec<VillageDuty>,
    pub holders: Vec<HolderDuty>,
}

pub fn compliance(
    store: &Store,
    region: &RegionCode,
    today: Date,
) -> Result<Compliance, StoreError> {
    let periods = duty_periods(store, region, today)?;
    Ok(Compliance {
        villages: store.compliance_by_village(region, &periods)?,
        holders: store.compliance_by_holder(region, &periods)?,
        periods,
    })
}
