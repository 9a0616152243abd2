//! Screening (监测预警) as the county runs it: load the region's snapshot, evaluate the year's
//! rules, save the run with its hits and new leads. One path for the county officer's button,
//! `shouwang screen` and the monthly schedule; what-if runs the same snapshot with edited rules
//! and writes nothing.

use shouwang_core::screening::{
    apply_edits, evaluate, parse_edit_texts, per_township, what_if as compare, Edit, Plan, WhatIf,
};
use shouwang_core::standard::ResolvedStandard;
use shouwang_core::{Date, Problem, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::screening::{LoadedSnapshot, RunOutcome};
use shouwang_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long each phase of a run took.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub load: Duration,
    pub evaluate: Duration,
    pub save: Duration,
}

/// A finished run: what was saved, and what the CLI and pages report of it.
#[derive(Debug)]
pub struct ScreeningRun {
    pub region: RegionCode,
    pub year: i32,
    pub standard: ResolvedStandard,
    pub rule_set_version: u32,
    pub outcome: RunOutcome,
    /// Flagged households per township code, `[red, yellow, blue]`.
    pub per_township: BTreeMap<String, [u64; 3]>,
    /// Households this run flagged that the previous run of the region and year did not (0 when
    /// nothing was written)
    pub new_warnings: u64,
    /// When nothing was written (the result is the previous run's): whether the data screened
    /// are the previous run's too, i.e. nothing a screening reads was changed since it started.
    /// A different result with the same data (a new day, a new month) is always written.
    pub data_unchanged: bool,
    pub timings: Timings,
}

/// Screens every household of `region` for `year` as of `today` and saves the run as `actor`
/// (hits with evidence, new leads; nothing when nothing changed since the last run).
pub fn run(
    store: &Store,
    region: &RegionCode,
    year: i32,
    today: Date,
    actor: &Actor,
) -> Result<ScreeningRun, StoreError> {
    let started_at = shouwang_store::now();
    let previous = store
        .runs(region, 50)?
        .into_iter()
        .find(|r| r.region == region.as_str() && r.year == i64::from(year));
    let t = Instant::now();
    let loaded = store.load_snapshot(region, year, today)?;
    let load = t.elapsed();
    let t = Instant::now();
    let screening =
        evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard).map_err(StoreError::Invalid)?;
    let evaluate = t.elapsed();
    let t = Instant::now();
    let outcome = store.save_screening(actor, &loaded, &screening, started_at)?;
    let save = t.elapsed();
    let per_township = per_township(&loaded.snapshot, &screening);
    let new_warnings = match outcome.run_id {
        Some(id) => {
            u64::try_from(store.new_warned_households(id, previous.as_ref().map(|p| p.id))?)
                .unwrap_or(0)
        }
        None => 0,
    };
    let data_unchanged = match (&previous, outcome.unchanged) {
        (Some(p), true) => !store.screening_data_changed_since(&loaded.county, p)?,
        _ => false,
    };
    Ok(ScreeningRun {
        new_warnings,
        data_unchanged,
        region: loaded.region.clone(),
        year: loaded.year,
        rule_set_version: loaded.rules.version,
        standard: loaded.standard.clone(),
        outcome,
        per_township,
        timings: Timings {
            load,
            evaluate,
            save,
        },
    })
}

/// What-if's answer: the edited standard and the counts per village, township and in total.
#[derive(Debug)]
pub struct WhatIfRun {
    pub edited_standard: ResolvedStandard,
    pub counts: WhatIf,
    pub took: Duration,
}

/// [`what_if`] with edits typed as `key=value` texts (`line=9200`, `R05=off`, …).
pub fn what_if_edits(loaded: &LoadedSnapshot, texts: &[String]) -> Result<WhatIfRun, Vec<Problem>> {
    what_if(loaded, &parse_edit_texts(texts)?)
}

/// Compares the loaded snapshot under its rules and under the rules with `edits` applied
/// (see [`apply_edits`]). Writes nothing.
pub fn what_if(loaded: &LoadedSnapshot, edits: &[Edit]) -> Result<WhatIfRun, Vec<Problem>> {
    let (rules, standard) = apply_edits(edits, &loaded.rules, &loaded.standard)?;
    let t = Instant::now();
    let current = Plan::compile(&loaded.rules, &loaded.standard)?;
    let edited = Plan::compile(&rules, &standard)?;
    let counts = compare(&loaded.snapshot, &current, &edited);
    Ok(WhatIfRun {
        edited_standard: standard,
        counts,
        took: t.elapsed(),
    })
}

/// The monthly screening (每月筛查): every county with households whose newest run is not from
/// `today`'s month is screened as the system (`system:schedule`). Returns the counties screened.
/// A county that cannot be screened (no standard for the year, a damaged row) is logged and
/// skipped, and the others still run; the round then fails, naming the counties, so that the
/// scheduler tries them again.
pub fn monthly(store: &Store, today: Date) -> Result<usize, StoreError> {
    let mut screened = 0;
    let mut failed = Vec::new();
    for county in store.counties_with_households()? {
        let Some(region) = RegionCode::from_canonical(&county) else {
            tracing::warn!(county, "monthly screening skipped: not a region code");
            continue;
        };
        let last = store.runs(&region, 1)?;
        let this_month = last.first().is_some_and(|r| {
            let d = Date::from_unix_seconds_china(r.started_at);
            (d.year(), d.month()) == (today.year(), today.month())
        });
        if this_month {
            continue;
        }
        match run(
            store,
            &region,
            today.year(),
            today,
            &Actor::system("schedule"),
        ) {
            Ok(r) => {
                tracing::info!(
                    county,
                    flagged = r.outcome.summary.flagged_households,
                    new_leads = r.outcome.new_leads,
                    unchanged = r.outcome.unchanged,
                    "monthly screening"
                );
                screened += 1;
            }
            Err(e) => {
                tracing::warn!(county, "monthly screening of this county failed: {e}");
                failed.push(county);
            }
        }
    }
    if failed.is_empty() {
        Ok(screened)
    } else {
        Err(StoreError::Other(format!(
            "monthly screening failed for {} of the counties: {}",
            failed.len(),
            failed.join(", ")
        )))
    }
}
