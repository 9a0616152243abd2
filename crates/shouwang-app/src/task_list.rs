//! 工作提示单: generating the monthly task lists of villages, on demand for one village (the
//! page's "重新生成" button, the API) and for every village of a region at once (the scheduler's
//! job on the first of each month, `shouwang tasks generate`). The periods and days come from
//! the year's standard of each village (the built-in defaults where none is set).

use shouwang_core::date::YearMonth;
use shouwang_core::task_list::{build, visits_since, TaskList, TaskRules};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::{Store, StoreError};
use std::collections::HashMap;

/// What a generation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub villages: usize,
    pub items: usize,
    pub overdue: usize,
}

/// The rules of the year's standard of `region` (the defaults where none is set yet).
pub fn rules(store: &Store, region: &RegionCode, year: i32) -> Result<TaskRules, StoreError> {
    match store.resolved_standard(region, year) {
        Ok(s) => Ok(TaskRules::of(&s)),
        Err(StoreError::Invalid(_)) => Ok(TaskRules::defaults()),
        Err(e) => Err(e),
    }
}

/// Generates and saves the list of every village of `region` (a village, township or county)
/// for `month`, villages with nothing due included (their list is empty). One audit event.
pub fn generate(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    month: YearMonth,
) -> Result<(Generated, Vec<TaskList>), StoreError> {
    let year = month.year();
    let started = std::time::Instant::now();
    let region_rules = rules(store, region, year)?;
    let inputs = store.task_inputs(region, month, visits_since(month, &region_rules))?;
    let gathered = started.elapsed();
    // every village of the region gets its list, even an empty one: "nothing due" is an answer
    let villages = store.task_list_counts(region, month)?;
    let mut by_township: HashMap<String, TaskRules> = HashMap::new();
    let mut lists = Vec::with_capacity(villages.len());
    for v in &villages {
        let Some(code) = RegionCode::from_canonical(&v.village) else {
            continue;
        };
        // standards are set for provinces, counties and townships: one resolution per township
        let township = code.parent().unwrap_or(code);
        let r = match by_township.get(township.as_str()) {
            Some(r) => *r,
            None => {
                let r = rules(store, &township, year)?;
                by_township.insert(township.as_str().to_string(), r);
                r
            }
        };
        let list = match inputs.get(&v.village) {
            Some(i) => build(i, month, &r),
            None => TaskList {
                village: v.village.clone(),
                month,
                items: Vec::new(),
            },
        };
        lists.push(list);
    }
    let built = started.elapsed();
    store.save_task_lists(actor, region, month, &lists)?;
    tracing::debug!(
        gather_ms = gathered.as_millis() as u64,
        build_ms = (built - gathered).as_millis() as u64,
        save_ms = (started.elapsed() - built).as_millis() as u64,
        "task lists"
    );
    let generated = Generated {
        villages: lists.len(),
        items: lists.iter().map(|l| l.items.len()).sum(),
        overdue: lists.iter().map(TaskList::overdue).sum(),
    };
    Ok((generated, lists))
}

/// Generates one village's list of `month` and returns it.
pub fn generate_village(
    store: &Store,
    actor: &Actor,
    village: &RegionCode,
    month: YearMonth,
) -> Result<TaskList, StoreError> {
    let (_, mut lists) = generate(store, actor, village, month)?;
    Ok(lists.pop().unwrap_or(TaskList {
        village: village.as_str().into(),
        month,
        items: Vec::new(),
    }))
}

/// The scheduler's job: the lists of `today`'s month for every county with households. A
/// county that fails is logged and the others go on; the round fails if any did.
pub fn monthly(store: &Store, today: Date) -> Result<usize, StoreError> {
    let month = YearMonth::of(today);
    let mut villages = 0;
    let mut failed = Vec::new();
    for county in store.counties_with_households()? {
        let Some(region) = RegionCode::from_canonical(&county) else {
            continue;
        };
        match generate(store, &Actor::system("schedule"), &region, month) {
            Ok((g, _)) => {
                tracing::info!(
                    county,
                    villages = g.villages,
                    items = g.items,
                    overdue = g.overdue,
                    "monthly task lists"
                );
                villages += g.villages;
            }
            Err(e) => {
                tracing::error!(county, "monthly task lists failed: {e}");
                failed.push(county);
            }
        }
    }
    if failed.is_empty() {
        Ok(villages)
    } else {
        Err(StoreError::Config(format!(
            "task lists failed for {}",
            failed.join(", ")
        )))
    }
}

/// A village's list of `month` as saved, or, when none was generated yet, as it would be now
/// (not saved: a page that shows it writes nothing). The second value: who generated the saved
/// list and when (unix seconds).
pub fn current(
    store: &Store,
    village: &RegionCode,
    month: YearMonth,
) -> Result<(TaskList, Option<(String, i64)>), StoreError> {
    if let Some(saved) = store.task_list(village, month)? {
        return Ok((saved.list, Some((saved.generated_by, saved.generated_at))));
    }
    let township = village.parent().unwrap_or_else(|| village.clone());
    let r = rules(store, &township, month.year())?;
    let inputs = store.task_inputs(village, month, visits_since(month, &r))?;
    let list = match inputs.get(village.as_str()) {
        Some(i) => build(i, month, &r),
        None => TaskList {
            village: village.as_str().into(),
            month,
            items: Vec::new(),
        },
    };
    Ok((list, None))
}
