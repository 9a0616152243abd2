//! 一户一策 as cadres keep it: save a case's plan, add a measure, change one, end one, and the
//! assistance flags of a region. Each use case loads the case (or the measure), asks core whether
//! the write is allowed on `today` (the case under assistance, the measure's fields, its state
//! change), and has the store write it with its audit event, the plan's version guarding against
//! two users at once. The caller has already checked that the user may act on the household.

use crate::identification::Acting;
use shouwang_core::assistance::flags::{self, Flag, FlagKind};
use shouwang_core::assistance::{Measure, MeasureState, Plan};
use shouwang_core::standard::StandardDefaults;
use shouwang_core::{Date, RegionCode};
use shouwang_store::assistance::{
    FlagCounts, FlagLimits, FlaggedHousehold, MeasureRecord, PlanRecord,
};
use shouwang_store::{Store, StoreError};

/// The flag limits of the year's standard of `region`'s county (the defaults where none is set).
pub fn limits(store: &Store, region: &RegionCode, year: i32) -> Result<FlagLimits, StoreError> {
    let county = region.county().unwrap_or_else(|| region.clone());
    match store.resolved_standard(&county, year) {
        Ok(s) => Ok(FlagLimits {
            measures_days: s.measures_days,
            development_months: s.development_months,
        }),
        Err(StoreError::Invalid(_)) => Ok(FlagLimits {
            measures_days: StandardDefaults::DEFAULT.measures_days,
            development_months: StandardDefaults::DEFAULT.development_months,
        }),
        Err(e) => Err(e),
    }
}

/// Saves the summary of a case's plan, read at `expected_version` (0: none stored yet).
pub fn save_plan(
    store: &Store,
    who: &Acting,
    case_id: i64,
    expected_version: i64,
    plan: &Plan,
) -> Result<PlanRecord, StoreError> {
    let open = store.case_under_assistance(case_id)?;
    plan.check(open).map_err(StoreError::Invalid)?;
    store.save_plan(&who.actor, case_id, expected_version, plan)
}

/// Adds a measure to a case's plan (the plan read at `expected_version`).
pub fn add_measure(
    store: &Store,
    who: &Acting,
    case_id: i64,
    expected_version: i64,
    measure: &Measure,
    today: Date,
) -> Result<(PlanRecord, MeasureRecord), StoreError> {
    let open = store.case_under_assistance(case_id)?;
    measure.check(today, open).map_err(StoreError::Invalid)?;
    store.add_measure(&who.actor, case_id, expected_version, measure)
}

/// Changes a measure (its state only as core allows), the plan read at `expected_version`.
pub fn update_measure(
    store: &Store,
    who: &Acting,
    id: i64,
    expected_version: i64,
    measure: &Measure,
    today: Date,
) -> Result<(PlanRecord, MeasureRecord), StoreError> {
    let before = store.measure(id)?.ok_or(StoreError::NotFound)?;
    let open = store.case_under_assistance(before.case_id)?;
    measure
        .check_change(&before.measure, today, open)
        .map_err(StoreError::Invalid)?;
    store.update_measure(&who.actor, id, expected_version, measure)
}

/// Ends a measure on `ended_on`, the plan read at `expected_version`.
pub fn end_measure(
    store: &Store,
    who: &Acting,
    id: i64,
    expected_version: i64,
    ended_on: Option<Date>,
    today: Date,
) -> Result<(PlanRecord, MeasureRecord), StoreError> {
    let before = store.measure(id)?.ok_or(StoreError::NotFound)?;
    let after = Measure {
        state: MeasureState::Ended,
        ended_on,
        ..before.measure.clone()
    };
    update_measure(store, who, id, expected_version, &after, today)
}

/// The flags of a region: the limits they were counted by, how many households trip each, and
/// a page of those tripping `kind`, each with core's words and numbers.
#[derive(Clone, Debug)]
pub struct FlagList {
    pub limits: FlagLimits,
    pub counts: FlagCounts,
    pub rows: Vec<(FlaggedHousehold, Flag)>,
}

pub fn flag_list(
    store: &Store,
    region: &RegionCode,
    kind: FlagKind,
    today: Date,
    offset: i64,
    limit: i64,
) -> Result<FlagList, StoreError> {
    let limits = limits(store, region, today.year())?;
    let (counts, found) = store.assistance_flags(region, today, limits, kind, offset, limit)?;
    let rows = found
        .into_iter()
        .filter_map(|h| {
            let flag = match h.kind {
                FlagKind::NoMeasure => {
                    flags::no_measure(h.since_on, 0, today, limits.measures_days)
                }
                FlagKind::NoDevelopment => flags::no_development(
                    h.since_on,
                    h.workers as usize,
                    0,
                    today,
                    limits.development_months,
                ),
                FlagKind::GreenChannelOverdue => {
                    flags::green_channel_overdue(h.since_on, h.due_on?, true, today)
                }
            }?;
            Some((h, flag))
        })
        .collect();
    Ok(FlagList {
        limits,
        counts,
        rows,
    })
}
