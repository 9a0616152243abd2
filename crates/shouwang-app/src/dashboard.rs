//! issue 16: dashboard use cases — everything a role's home page shows, read in one call.
//!
//! [`home`] gathers, for the user's region and what the role may see: the headline figures (a
//! county's households and persons come from [`HeadCounts`], a short-lived memory of the count:
//! counting 3.5 million persons takes a quarter of a second, and the page must answer in under
//! 100 ms — a village or township is counted live), the monitoring objects by type and state, the
//! last screening's warnings by level, the month trends, and the to-do of this user: the
//! village's monthly task list, leads and procedures with their clocks, self-reports and
//! department alerts waiting, villages below with overdue items, and an assistance person's visits
//! due.

use shouwang_core::dashboard::{months_ending, Figures, Trends};
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
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a county's (or wider region's) household and person count is kept.
pub const HEAD_COUNT_TTL: Duration = Duration::from_secs(300);

/// The household and person counts of counties and wider regions, kept for [`HEAD_COUNT_TTL`]
/// (one per server). Villages and townships are always counted live.
#[derive(Debug, Default)]
pub struct HeadCounts {
    kept: Mutex<HashMap<String, (Instant, i64, i64, i64)>>,
}

impl HeadCounts {
    /// The counts of `region` and the time they were counted (Unix seconds).
    pub fn get(&self, store: &Store, region: &RegionCode) -> Result<(i64, i64, i64), StoreError> {
        let wide = matches!(
            region.level(),
            RegionLevel::County | RegionLevel::City | RegionLevel::Province
        );
        if !wide {
            let (h, p) = store.count_in(region)?;
            return Ok((h, p, shouwang_store::now()));
        }
        if let Ok(kept) = self.kept.lock() {
            if let Some((at, h, p, when)) = kept.get(region.as_str()) {
                if at.elapsed() < HEAD_COUNT_TTL {
                    return Ok((*h, *p, *when));
                }
            }
        }
        let (h, p) = store.count_in(region)?;
        let when = shouwang_store::now();
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(region.as_str().to_string(), (Instant::now(), h, p, when));
        }
        Ok((h, p, when))
    }
    /// Forgets every kept count (after an import, and in tests).
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
        let (h, p, when) = counts.get(store, region)?;
        let tally = store.dashboard_case_tally(region)?;
        out.counted_at = when;
        out.figures = Some(Figures::of(h.max(0) as u64, p.max(0) as u64, &tally, month));
        let months = months_ending(month, ask.months.max(1));
        let since = months.first().map_or(ask.today, |m| m.first_day());
        let visits = store.dashboard_visits_by_month(region, since)?;
        out.trends = Some(Trends::of(&months, &tally, &visits));
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
