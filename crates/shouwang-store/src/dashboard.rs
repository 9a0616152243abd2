//! issue 16: dashboard reads — what the home pages count.
//!
//! Cases are read grouped by type, state and the months they were identified and eliminated
//! (a county holds tens of thousands; one grouped pass gives the headline and every month's
//! trend); visits by month from the visits' (village, day) index; the cases behind a figure a
//! page at a time, with the same conditions as the count so that a figure and its list agree;
//! an assistance person's paired households with their visits for the visit duty.

use crate::db::prefix_end;
use crate::db::{Row, Value};
use crate::{params, Store, StoreError};
use shouwang_core::dashboard::{CaseState, CaseTally};
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind};
use shouwang_core::{Date, RegionCode};

/// Which cases a figure stands for (every field optional: none is every monitoring object).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub case_type: Option<CaseType>,
    pub state: Option<CaseState>,
    /// identified in this month
    pub identified: Option<YearMonth>,
    /// eliminated in this month
    pub eliminated: Option<YearMonth>,
    /// risk eliminated, either way
    pub eliminated_any: bool,
    /// monitored at the end of this month: identified by then, not eliminated by then
    pub at_end: Option<YearMonth>,
}

/// A case behind a figure, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLine {
    pub case_id: i64,
    pub household_no: String,
    pub village: String,
    pub village_name: String,
    pub head_name: String,
    pub case_type: Option<CaseType>,
    pub state: Option<CaseState>,
    pub identified: String,
    pub eliminated: Option<String>,
}

/// A household paired with an assistance person, with the days the person visited it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairedVisits {
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    pub start_on: Date,
    /// the state of the household's newest monitoring case, if it has one
    pub case_state: Option<CaseState>,
    /// the person's visits to it since the day asked, newest first
    pub visits: Vec<Date>,
}

/// `FROM … WHERE …` of the region's cases that are monitoring objects (not being identified),
/// with its values from `$1`.
fn case_scope(region: &RegionCode) -> (String, Vec<Value>) {
    let identifying = CaseStatus::Identifying.code();
    match region.county() {
        Some(county) if county == *region => (
            format!(
                "monitoring_cases c JOIN households h ON h.county = c.county AND h.household_no = c.household_no
                 WHERE c.county = $1 AND c.status <> {identifying}"
            ),
            vec![region.as_str().into()],
        ),
        // a township or village: its households by their village index, each one's cases by the
        // cases' household index (no condition on the county, which SQLite would carry over to
        // the households and read the whole county's by their key)
        Some(_) => (
            format!(
                "households h JOIN monitoring_cases c ON c.county = h.county AND c.household_no = h.household_no
                 WHERE h.village >= $1 AND h.village < $2 AND c.status <> {identifying}"
            ),
            vec![region.as_str().into(), prefix_end(region.as_str()).into()],
        ),
        None => (
            format!(
                "monitoring_cases c JOIN households h ON h.county = c.county AND h.household_no = c.household_no
                 WHERE c.county >= $1 AND c.county < $2 AND c.status <> {identifying}"
            ),
            vec![region.as_str().into(), prefix_end(region.as_str()).into()],
        ),
    }
}

/// The condition of a [`CaseState`] on `monitoring_cases c`.
fn state_condition(s: CaseState) -> String {
    let (at_risk, eliminated) = (CaseStatus::AtRisk.code(), CaseStatus::Eliminated.code());
    let natural = EliminationKind::Natural.code();
    match s {
        CaseState::AtRisk => format!("c.status = {at_risk}"),
        CaseState::AfterAssistance => format!(
            "c.status = {eliminated} AND (c.elimination_kind IS NULL OR c.elimination_kind <> {natural})"
        ),
        CaseState::Natural => format!("c.status = {eliminated} AND c.elimination_kind = {natural}"),
    }
}

fn month_of(text: Option<String>) -> Option<YearMonth> {
    text.and_then(|t| YearMonth::parse(t.get(..7).unwrap_or(&t)))
}

fn case_line(r: &Row) -> CaseLine {
    let status = CaseStatus::from_code(r.int(4));
    let kind = r.opt_int(5).and_then(EliminationKind::from_code);
    CaseLine {
        case_id: r.int(0),
        household_no: r.text(1),
        village: r.text(2),
        case_type: CaseType::from_code(r.int(3)),
        state: status.and_then(|s| CaseState::of(s, kind)),
        identified: r.text(6),
        eliminated: r.opt_text(7),
        head_name: r.opt_text(8).unwrap_or_default(),
        village_name: r.opt_text(9).unwrap_or_default(),
    }
}

impl Store {
    /// The region's monitoring objects counted by type, state and the months identified and
    /// eliminated (a county, a part of one, or several counties).
    pub fn dashboard_case_tally(&self, region: &RegionCode) -> Result<Vec<CaseTally>, StoreError> {
        let (scope, values) = match region.county() {
            // a whole county needs no household's village: its cases' own index
            Some(county) if county == *region => (
                format!(
                    "monitoring_cases c WHERE c.county = $1 AND c.status <> {}",
                    CaseStatus::Identifying.code()
                ),
                vec![region.as_str().into()],
            ),
            _ => case_scope(region),
        };
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT c.case_type, c.status, c.elimination_kind, c.identified, c.eliminated, COUNT(*)
                     FROM {scope}
                     GROUP BY c.case_type, c.status, c.elimination_kind, c.identified, c.eliminated"
                ),
                &values,
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    let status = CaseStatus::from_code(r.int(1))?;
                    let kind = r.opt_int(2).and_then(EliminationKind::from_code);
                    Some(CaseTally {
                        case_type: CaseType::from_code(r.int(0))?,
                        state: CaseState::of(status, kind)?,
                        identified: month_of(r.opt_text(3)),
                        eliminated: month_of(r.opt_text(4)),
                        count: r.int(5).max(0) as u64,
                    })
                })
                .collect())
        })
    }

    /// Visits made in the region on or after `since`, by month.
    pub fn dashboard_visits_by_month(
        &self,
        region: &RegionCode,
        since: Date,
    ) -> Result<Vec<(YearMonth, u64)>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT substr(v.on_date, 1, 7), COUNT(*) FROM visits v
                 WHERE v.village >= $1 AND v.village < $2 AND v.on_date >= $3
                 GROUP BY substr(v.on_date, 1, 7)",
                &params![
                    region.as_str(),
                    prefix_end(region.as_str()),
                    since.to_string()
                ],
            )?;
            Ok(rows
                .iter()
                .filter_map(|r| Some((YearMonth::parse(&r.text(0))?, r.int(1).max(0) as u64)))
                .collect())
        })
    }

    /// The region's monitoring objects that `f` selects, a page at a time (by village and
    /// household), and how many in all: the records behind a home-page figure.
    pub fn dashboard_cases(
        &self,
        region: &RegionCode,
        f: &CaseFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CaseLine>, i64), StoreError> {
        let (mut scope, mut values) = case_scope(region);
        if let Some(t) = f.case_type {
            scope.push_str(&format!(" AND c.case_type = {}", t.code()));
        }
        if let Some(s) = f.state {
            scope.push_str(&format!(" AND {}", state_condition(s)));
        }
        if let Some(m) = f.identified {
            values.push(m.to_string().into());
            scope.push_str(&format!(
                " AND substr(c.identified, 1, 7) = ${}",
                values.len()
            ));
        }
        if f.eliminated_any {
            scope.push_str(&format!(
                " AND c.status = {}",
                CaseStatus::Eliminated.code()
            ));
        }
        if let Some(m) = f.at_end {
            values.push(m.to_string().into());
            let n = values.len();
            scope.push_str(&format!(
                " AND substr(c.identified, 1, 7) <= ${n} AND (c.status = {} OR substr(c.eliminated, 1, 7) > ${n})",
                CaseStatus::AtRisk.code()
            ));
        }
        if let Some(m) = f.eliminated {
            values.push(m.to_string().into());
            scope.push_str(&format!(
                " AND c.status = {} AND substr(c.eliminated, 1, 7) = ${}",
                CaseStatus::Eliminated.code(),
                values.len()
            ));
        }
        self.with_conn(|c| {
            let total = c
                .query_one(&format!("SELECT COUNT(*) FROM {scope}"), &values)?
                .map_or(0, |r| r.int(0));
            let mut page_values = values.clone();
            page_values.push(limit.into());
            page_values.push(offset.into());
            let (l, o) = (page_values.len() - 1, page_values.len());
            let rows = c.query(
                &format!(
                    "SELECT c.id, c.household_no, h.village, c.case_type, c.status, c.elimination_kind,
                            c.identified, c.eliminated,
                            (SELECT m.name FROM members m WHERE m.county = c.county AND m.household_no = c.household_no
                             ORDER BY m.position LIMIT 1),
                            (SELECT r.name FROM regions r WHERE r.code = h.village)
                     FROM {scope} ORDER BY h.village, c.household_no, c.id LIMIT ${l} OFFSET ${o}"
                ),
                &page_values,
            )?;
            Ok((rows.iter().map(case_line).collect(), total))
        })
    }

    /// The households paired now with the assistance person the user signs in as, with the
    /// person's visits to each since `since` (the 帮扶责任人's visit duty).
    pub fn dashboard_paired_visits(
        &self,
        user_id: i64,
        today: Date,
        since: Date,
    ) -> Result<Vec<PairedVisits>, StoreError> {
        self.with_conn(|c| {
            let identifying = CaseStatus::Identifying.code();
            let rows = c.query(
                &format!("SELECT p.household_no, p.village, MIN(p.start_on), ap.id,
                        (SELECT m.name FROM members m WHERE m.county = p.county AND m.household_no = p.household_no
                         ORDER BY m.position LIMIT 1), p.county,
                        (SELECT c.status FROM monitoring_cases c WHERE c.county = p.county AND c.household_no = p.household_no
                         AND c.status <> {identifying} ORDER BY c.id DESC LIMIT 1),
                        (SELECT c.elimination_kind FROM monitoring_cases c WHERE c.county = p.county AND c.household_no = p.household_no
                         AND c.status <> {identifying} ORDER BY c.id DESC LIMIT 1)
                 FROM assistance_pairings p JOIN assistance_persons ap ON ap.id = p.person_id
                 JOIN users u ON u.username = ap.username
                 WHERE u.id = $1 AND p.start_on <= $2 AND (p.end_on IS NULL OR p.end_on >= $2)
                 GROUP BY p.county, p.household_no, p.village, ap.id
                 ORDER BY p.village, p.household_no"),
                &params![user_id, today.to_string()],
            )?;
            let mut out: Vec<PairedVisits> = Vec::with_capacity(rows.len());
            for r in &rows {
                let no = r.text(0);
                let visits = c
                    .query(
                        "SELECT on_date FROM visits WHERE county = $1 AND household_no = $2 AND person_id = $3
                         AND on_date >= $4 ORDER BY on_date DESC",
                        &params![r.text(5), no.as_str(), r.int(3), since.to_string()],
                    )?
                    .iter()
                    .filter_map(|v| Date::parse(&v.text(0)))
                    .collect();
                if let Some(prev) = out.last_mut().filter(|p| p.household_no == no) {
                    // paired through two persons of the same account: one household
                    prev.visits.extend::<Vec<Date>>(visits);
                    continue;
                }
                out.push(PairedVisits {
                    household_no: no,
                    village: r.text(1),
                    start_on: Date::parse(&r.text(2)).unwrap_or(today),
                    case_state: r
                        .opt_int(6)
                        .and_then(CaseStatus::from_code)
                        .and_then(|st| CaseState::of(st, r.opt_int(7).and_then(EliminationKind::from_code))),
                    head_name: r.opt_text(4).unwrap_or_default(),
                    visits,
                });
            }
            Ok(out)
        })
    }
}
