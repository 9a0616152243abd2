//! 促增收 use cases: the income report of a region and year (figures by group and kind, per
//! township or village, and the low-income ledger with each household's responsible person), the
//! ledger's refresh (households newly below the watch line are entered, once per year), and the
//! clearing of an entry (销号), checked against the household's facts and audited.

use shouwang_core::income_tracking::{
    check_clearing, figures, figures_by_subregion, ledger_candidates, ClearMethod, Clearing,
    GroupFigures, HouseholdYear, Thresholds,
};
use shouwang_core::region::RegionLevel;
use shouwang_core::standard::StandardDefaults;
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income_tracking::{LowIncomeEntry, Responsible};
use shouwang_store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap};

/// The thresholds of the standard in force for `region` in `year`; the built-in defaults where
/// no standard sets a line yet (the income figures do not need the monitoring line).
pub fn thresholds(store: &Store, region: &RegionCode, year: i32) -> Result<Thresholds, StoreError> {
    match store.resolved_standard(region, year) {
        Ok(s) => Ok(Thresholds::of(&s)),
        Err(StoreError::Invalid(_)) => {
            let d = StandardDefaults::DEFAULT;
            Ok(Thresholds {
                rural_growth_permille: d.rural_income_growth_permille,
                watch: d.low_income_watch,
                target: d.income_target,
            })
        }
        Err(e) => Err(e),
    }
}

/// One line of the ledger as shown: the entry, the household's responsible person today and
/// its per-capita income of the year now (it may have changed since the entry).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LedgerLine {
    pub entry: LowIncomeEntry,
    pub responsible: Option<Responsible>,
    pub per_capita_now: Option<Fen>,
}

/// The income report of a region and year.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IncomeReport {
    pub region: RegionCode,
    pub year: i32,
    pub thresholds: Thresholds,
    /// the three groups of the whole region
    pub totals: Vec<GroupFigures>,
    /// per township (of a county) or village (of a township), by code
    pub rows: Vec<(String, Vec<GroupFigures>)>,
    /// the ledger of the year, open entries first
    pub ledger: Vec<LedgerLine>,
}

impl IncomeReport {
    pub fn open_entries(&self) -> usize {
        self.ledger.iter().filter(|l| l.entry.is_open()).count()
    }
}

/// The sub-region code length of a region's rows: townships of a county or city, villages of a
/// township; none below.
pub fn child_len(region: &RegionCode) -> Option<usize> {
    match region.level() {
        RegionLevel::Province | RegionLevel::City => Some(RegionLevel::County.code_len()),
        RegionLevel::County => Some(RegionLevel::Township.code_len()),
        RegionLevel::Township => Some(RegionLevel::Village.code_len()),
        _ => None,
    }
}

/// Enters the households of `facts` newly below the watch line on their county's ledger for
/// `year` (as the system, once per household and year); returns how many were entered.
pub fn refresh_ledger(
    store: &Store,
    facts: &[HouseholdYear],
    year: i32,
    today: Date,
) -> Result<usize, StoreError> {
    let mut by_county: BTreeMap<String, Vec<HouseholdYear>> = BTreeMap::new();
    for h in facts {
        if let Some(c) = h.village.county() {
            by_county
                .entry(c.as_str().to_string())
                .or_default()
                .push(h.clone());
        }
    }
    let mut entered = 0;
    for (county, hs) in by_county {
        let Some(county) = RegionCode::parse(&county) else {
            continue;
        };
        let t = thresholds(store, &county, year)?;
        let candidates = ledger_candidates(&hs, &t);
        entered += store.enter_low_income(
            &Actor::system("income_tracking"),
            &county,
            year,
            &candidates,
            today,
        )?;
    }
    Ok(entered)
}

/// The income report of `region` for `year` as of `today`, after refreshing the ledger.
pub fn report(
    store: &Store,
    region: &RegionCode,
    year: i32,
    today: Date,
) -> Result<IncomeReport, StoreError> {
    let facts = store.income_year_facts(region, year)?;
    refresh_ledger(store, &facts, year, today)?;
    let t = thresholds(store, region, year)?;
    let totals = figures(facts.iter());
    let rows = child_len(region)
        .map(|n| figures_by_subregion(&facts, n))
        .unwrap_or_default();
    let responsible = store.responsible_persons(region, today)?;
    let now: HashMap<&str, Option<Fen>> = facts
        .iter()
        .map(|h| (h.household_no.as_str(), h.per_capita()))
        .collect();
    let ledger = store
        .low_income_entries(region, year, false)?
        .into_iter()
        .map(|entry| LedgerLine {
            responsible: responsible.get(&entry.household_no).cloned(),
            per_capita_now: now.get(entry.household_no.as_str()).copied().flatten(),
            entry,
        })
        .collect();
    Ok(IncomeReport {
        region: region.clone(),
        year,
        thresholds: t,
        totals,
        rows,
        ledger,
    })
}

/// Clears (销号) ledger entry `id` on `today` with `method` and `note`, if the household's facts
/// now bear the method out; audited by the store.
pub fn clear(
    store: &Store,
    actor: &Actor,
    id: i64,
    method: ClearMethod,
    note: &str,
    today: Date,
) -> Result<LowIncomeEntry, StoreError> {
    let entry = store.low_income_entry(id)?.ok_or(StoreError::NotFound)?;
    let county = RegionCode::parse(&entry.county).ok_or(StoreError::NotFound)?;
    let facts = store.income_household_facts(&county, &entry.household_no, entry.year)?;
    let t = thresholds(store, &county, entry.year)?;
    let clearing = Clearing {
        method,
        note: note.to_string(),
        on: today,
    };
    check_clearing(&clearing, &facts, &t).map_err(StoreError::invalid)?;
    store.clear_low_income(actor, id, &clearing, facts.per_capita())
}

/// The households of `region` in `group` behind a figure of the report, with their facts:
/// `which` is `all` (with an income of the year), `comparable` (both years) or `fell`.
pub fn households_behind(
    store: &Store,
    region: &RegionCode,
    year: i32,
    group: shouwang_core::income_tracking::Group,
    which: &str,
) -> Result<Vec<HouseholdYear>, StoreError> {
    Ok(store
        .income_year_facts(region, year)?
        .into_iter()
        .filter(|h| h.in_group(group))
        .filter(|h| match which {
            "comparable" => h.comparable(),
            "fell" => h.fell(),
            _ => h.current.is_some(),
        })
        .collect())
}
