//! issue 16: dashboard use cases — everything a role's home page shows, read in one call.
//!
//! [`home`] gathers, for the user's region and what the role may see: the headline figures (a
//! county's households and persons come from [`HeadCounts`], a short-lived memory of the count:
//! counting 3.5 million persons takes a quarter of a second, and the page must answer in under
//! 100 ms — townships likewise, a village is counted live; the visits by month likewise), the monitoring objects by type and state, the
//! last screening's warnings by level, the month trends, and the to-do of this user: the
//! village's monthly task list, leads and procedures with their clocks, self-reports and
//! department alerts waiting, villages below with overdue items, and an assistance person's visits
//! due.

use shouwang_core::dashboard::{months_ending, CaseTally, Figures, Trends};
use shouwang_core::date::YearMonth;
use shouwang_core::department::DeptKind;
use shouwang_core::region::RegionLevel;
use shouwang_core::screening::WarningLevel;
use shouwang_core::task_list::TaskList;
use shouwang_core::visit::duty;
use shouwang_core::{Date, RegionCode};
use shouwang_store::identification::StageCount;
use shouwang_store::screening::RunRecord;
use shouwang_store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a county's (or wider region's) big counts are fresh; after that the kept ones are
/// still shown while a background thread counts again.
pub const HEAD_COUNT_TTL: Duration = Duration::from_secs(300);

/// The counts of a region that read millions of rows: households, persons, and visits by month
/// since a day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BigCounts {
    pub households: i64,
    pub persons: i64,
    pub visits: Vec<(YearMonth, u64)>,
    /// the cases by type, state and month (tens of thousands in a county, found through a
    /// hundred thousand households in a township)
    pub tally: Vec<CaseTally>,
    /// when they were counted (Unix seconds)
    pub at: i64,
}

fn count_big(store: &Store, region: &RegionCode, since: Date) -> Result<BigCounts, StoreError> {
    let (households, persons) = store.count_in(region)?;
    Ok(BigCounts {
        households,
        persons,
        visits: store.dashboard_visits_by_month(region, since)?,
        tally: store.dashboard_case_tally(region)?,
        at: shouwang_store::now(),
    })
}

struct Kept {
    counted: Instant,
    since: Date,
    counts: BigCounts,
    refreshing: bool,
}

/// The big counts of counties and wider regions, one memory per server: counting a county of a
/// million households reads 3.5 million persons and two million visits (a quarter of a second
/// or more), and its home page must answer in under 100 ms. The first request counts; for
/// [`HEAD_COUNT_TTL`] the counts are reused, then the kept ones are shown while a background
/// thread counts again (the page says when they were counted). Townships are kept likewise (a
/// hundred thousand households), with the case tallies; villages are always counted live.
#[derive(Clone, Default)]
pub struct HeadCounts {
    kept: Arc<Mutex<HashMap<String, Kept>>>,
}

impl std::fmt::Debug for HeadCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeadCounts")
    }
}

impl HeadCounts {
    /// The big counts of `region`, visits since `since`.
    pub fn get(
        &self,
        store: &Store,
        region: &RegionCode,
        since: Date,
    ) -> Result<BigCounts, StoreError> {
        let wide = region.level() != RegionLevel::Village;
        if !wide {
            return count_big(store, region, since);
        }
        let key = region.as_str().to_string();
        if let Ok(mut kept) = self.kept.lock() {
            if let Some(k) = kept.get_mut(&key).filter(|k| k.since == since) {
                if k.counted.elapsed() >= HEAD_COUNT_TTL && !k.refreshing {
                    k.refreshing = true;
                    let (me, store, region) = (self.clone(), store.clone(), region.clone());
                    std::thread::spawn(move || me.refresh(&store, &region, since));
                }
                return Ok(k.counts.clone());
            }
        }
        self.refresh(store, region, since)
    }

    fn refresh(
        &self,
        store: &Store,
        region: &RegionCode,
        since: Date,
    ) -> Result<BigCounts, StoreError> {
        let counted = count_big(store, region, since);
        if let Ok(mut kept) = self.kept.lock() {
            match &counted {
                Ok(c) => {
                    kept.insert(
                        region.as_str().to_string(),
                        Kept {
                            counted: Instant::now(),
                            since,
                            counts: c.clone(),
                            refreshing: false,
                        },
                    );
                }
                Err(_) => {
                    if let Some(k) = kept.get_mut(region.as_str()) {
                        k.refreshing = false;
                    }
                }
            }
        }
        counted
    }

    /// Forgets every kept count (the next request counts again).
    pub fn clear(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.clear();
        }
    }
}

/// What the home page should read for this user (from the role's rights).
#[derive(Clone, Debug)]
pub struct HomeAsk {
    pub region: RegionCode,
    pub user_id: i64,
    pub today: Date,
    /// the day "due soon" ends
    pub soon: Date,
    /// an assistance person: only the paired households
    pub paired_only: bool,
    /// the region's figures, trends and warnings
    pub figures: bool,
    pub warnings: bool,
    /// leads and procedures by stage
    pub work: bool,
    /// the village's monthly task list
    pub task_list: bool,
    /// villages below with overdue items on their monthly list
    pub village_lists: bool,
    pub self_reports: bool,
    pub dept_alerts: bool,
    /// months in the trends
    pub months: usize,
}

/// A paired household's visit duty today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairedDuty {
    pub household_no: String,
    pub head_name: String,
    pub village: String,
    /// the household's monitoring case, if it has one
    pub case_state: Option<shouwang_core::dashboard::CaseState>,
    pub last_visit: Option<Date>,
    /// visited in the current period
    pub done: bool,
    /// the last completed period had no visit
    pub overdue: bool,
    /// the current period's last day
    pub due: Date,
}

/// A village with overdue items on its monthly list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VillageOverdue {
    pub village: String,
    pub name: String,
    pub items: i64,
    pub overdue: i64,
}

/// Everything a home page shows.
#[derive(Clone, Debug, Default)]
pub struct Home {
    pub region_name: Option<String>,
    pub figures: Option<Figures>,
    /// when the households and persons were counted (Unix seconds)
    pub counted_at: i64,
    pub trends: Option<Trends>,
    /// the last screening covering the region and its warned households by level
    pub warnings: Option<(RunRecord, [i64; 3])>,
    pub work: Vec<StageCount>,
    pub task_list: Option<TaskList>,
    pub villages_overdue: Vec<VillageOverdue>,
    pub self_reports: Option<i64>,
    pub dept_alerts: Vec<(DeptKind, WarningLevel, i64)>,
    pub paired: Vec<PairedDuty>,
}

/// Reads the home page of `ask`.
pub fn home(store: &Store, counts: &HeadCounts, ask: &HomeAsk) -> Result<Home, StoreError> {
    let region = &ask.region;
    let month = YearMonth::of(ask.today);
    let mut out = Home {
        region_name: store.region(region)?.map(|r| r.name),
        ..Home::default()
    };
    if ask.figures && !ask.paired_only {
        let months = months_ending(month, ask.months.max(1));
        let since = months.first().map_or(ask.today, |m| m.first_day());
        let big = counts.get(store, region, since)?;
        let tally = &big.tally;
        out.counted_at = big.at;
        out.figures = Some(Figures::of(
            big.households.max(0) as u64,
            big.persons.max(0) as u64,
            tally,
            month,
        ));
        out.trends = Some(Trends::of(&months, tally, &big.visits));
    }
    if ask.warnings && !ask.paired_only {
        out.warnings = store.warning_totals(region)?;
    }
    if ask.work {
        out.work = store.identification_counts(region, ask.today, ask.soon)?;
    }
    if ask.task_list {
        out.task_list = Some(crate::task_list::current(store, region, month)?.0);
    }
    if ask.village_lists {
        out.villages_overdue = store
            .task_list_counts(region, month)?
            .into_iter()
            .filter(|v| v.overdue > 0)
            .map(|v| VillageOverdue {
                village: v.village,
                name: v.name,
                items: v.items.unwrap_or(0),
                overdue: v.overdue,
            })
            .collect();
    }
    if ask.self_reports {
        out.self_reports = Some(store.self_report_queue(region, 1, 0)?.1);
    }
    if ask.dept_alerts {
        out.dept_alerts = store.dept_alert_counts(region, None)?;
    }
    if ask.paired_only {
        let periods = crate::visits::duty_periods(store, region, ask.today)?;
        let months = periods.months[2];
        let current = duty::Period::containing(ask.today, months);
        let last = current.previous(months);
        out.paired = store
            .dashboard_paired_visits(ask.user_id, ask.today, last.start)?
            .into_iter()
            .map(|p| {
                let s = duty::state(ask.today, months, Some(p.start_on), &p.visits);
                PairedDuty {
                    last_visit: p.visits.first().copied(),
                    done: s.done,
                    overdue: s.overdue,
                    due: s.current.end,
                    case_state: p.case_state,
                    household_no: p.household_no,
                    head_name: p.head_name,
                    village: p.village,
                }
            })
            .collect();
        // the undone first: overdue, then due this period
        out.paired.sort_by_key(|p| (p.done, !p.overdue));
    }
    Ok(out)
}
