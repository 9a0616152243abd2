//! 首页: the headline figures, to-do and trends of a role's first page (issue 16, helper E).
//!
//! In a cadre's words: how many households and persons the region holds; how many monitoring
//! objects (监测对象) of each type (脱贫不稳定户, 边缘易致贫户, 突发严重困难户), how many of them
//! still at risk and how many had the risk eliminated (帮扶消除, 自然消除); how many were newly
//! identified this month; and month by month over the last year, how many were monitored at the
//! month's end, how many were identified and eliminated in it, and how many visits were made.
//!
//! Pure: the store counts the cases by type, state and month ([`CaseTally`]) and the visits by
//! month; [`Figures::of`] and [`Trends::of`] make the page's numbers from them.

use crate::date::YearMonth;
use crate::monitoring::{CaseStatus, CaseType, EliminationKind};

/// Where a monitoring object stands, as the home page counts it: a case being identified is
/// not yet a monitoring object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseState {
    /// 风险未消除
    AtRisk,
    /// 帮扶消除
    AfterAssistance,
    /// 自然消除
    Natural,
}

impl CaseState {
    pub const ALL: [CaseState; 3] = [
        CaseState::AtRisk,
        CaseState::AfterAssistance,
        CaseState::Natural,
    ];
    /// The state of a stored case, or none while it is being identified. An eliminated case
    /// without a recorded kind counts as 帮扶消除 (the national default).
    pub fn of(status: CaseStatus, kind: Option<EliminationKind>) -> Option<CaseState> {
        match status {
            CaseStatus::Identifying => None,
            CaseStatus::AtRisk => Some(CaseState::AtRisk),
            CaseStatus::Eliminated => Some(match kind {
                Some(EliminationKind::Natural) => CaseState::Natural,
                _ => CaseState::AfterAssistance,
            }),
        }
    }
    /// The word in links (`state=`).
    pub fn key(self) -> &'static str {
        match self {
            CaseState::AtRisk => "at-risk",
            CaseState::AfterAssistance => "assisted",
            CaseState::Natural => "natural",
        }
    }
    pub fn parse_key(text: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.key() == text)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseState::AtRisk => "风险未消除",
            CaseState::AfterAssistance => "帮扶消除",
            CaseState::Natural => "自然消除",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            CaseState::AtRisk => "risk not eliminated",
            CaseState::AfterAssistance => "eliminated after assistance",
            CaseState::Natural => "eliminated naturally",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// Cases counted by type, state, month identified and month eliminated, as the store groups
/// them (one row per distinct combination).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseTally {
    pub case_type: CaseType,
    pub state: CaseState,
    pub identified: Option<YearMonth>,
    pub eliminated: Option<YearMonth>,
    pub count: u64,
}

/// The headline figures of a region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub households: u64,
    pub persons: u64,
    /// `cases[type][state]`: types in [`CaseType::ALL`] order, states in [`CaseState::ALL`] order
    pub cases: [[u64; 3]; 3],
    /// monitoring objects identified in the current month
    pub new_this_month: u64,
    /// monitoring objects whose risk was eliminated in the current month
    pub eliminated_this_month: u64,
}

impl Figures {
    pub fn of(households: u64, persons: u64, tally: &[CaseTally], month: YearMonth) -> Figures {
        let mut f = Figures {
            households,
            persons,
            ..Figures::default()
        };
        for t in tally {
            let ty = CaseType::ALL
                .iter()
                .position(|c| *c == t.case_type)
                .unwrap_or(0);
            f.cases[ty][t.state.index()] += t.count;
            if t.identified == Some(month) {
                f.new_this_month += t.count;
            }
            if t.state != CaseState::AtRisk && t.eliminated == Some(month) {
                f.eliminated_this_month += t.count;
            }
        }
        f
    }
    /// Every monitoring object (not being identified), of every type and state.
    pub fn monitored(&self) -> u64 {
        self.cases.iter().flatten().sum()
    }
    /// Monitoring objects in `state`, of every type.
    pub fn in_state(&self, state: CaseState) -> u64 {
        self.cases.iter().map(|t| t[state.index()]).sum()
    }
    /// Monitoring objects of `case_type`, in every state.
    pub fn of_type(&self, case_type: CaseType) -> u64 {
        CaseType::ALL
            .iter()
            .position(|c| *c == case_type)
            .map_or(0, |i| self.cases[i].iter().sum())
    }
    pub fn get(&self, case_type: CaseType, state: CaseState) -> u64 {
        CaseType::ALL
            .iter()
            .position(|c| *c == case_type)
            .map_or(0, |i| self.cases[i][state.index()])
    }
}

/// The `n` months ending with `last`, oldest first.
pub fn months_ending(last: YearMonth, n: usize) -> Vec<YearMonth> {
    let mut out = Vec::with_capacity(n);
    let (mut y, mut m) = (last.year(), last.month());
    for _ in 0..n {
        if let Some(ym) = YearMonth::new(y, m) {
            out.push(ym);
        }
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

/// Month by month over the window: monitoring objects at the month's end (identified by then
/// and not yet eliminated), newly identified, eliminated, and visits made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trends {
    pub months: Vec<YearMonth>,
    pub monitored: Vec<u64>,
    pub identified: Vec<u64>,
    pub eliminated: Vec<u64>,
    pub visits: Vec<u64>,
}

impl Trends {
    /// `visits`: visits per month (months outside the window are ignored).
    pub fn of(months: &[YearMonth], tally: &[CaseTally], visits: &[(YearMonth, u64)]) -> Trends {
        let n = months.len();
        let mut t = Trends {
            months: months.to_vec(),
            monitored: vec![0; n],
            identified: vec![0; n],
            eliminated: vec![0; n],
            visits: vec![0; n],
        };
        let at = |m: YearMonth| months.iter().position(|x| *x == m);
        for c in tally {
            if let Some(i) = c.identified.and_then(at) {
                t.identified[i] += c.count;
            }
            let eliminated = if c.state == CaseState::AtRisk {
                None
            } else {
                c.eliminated
            };
            if let Some(i) = eliminated.and_then(at) {
                t.eliminated[i] += c.count;
            }
            // monitored at the end of month m: identified in or before m, not eliminated by then
            for (i, m) in months.iter().enumerate() {
                let in_by = c.identified.is_none_or(|d| d <= *m);
                let gone = eliminated.is_some_and(|e| e <= *m)
                    // eliminated with no month recorded: gone throughout the window
                    || (c.state != CaseState::AtRisk && eliminated.is_none());
                if in_by && !gone {
                    t.monitored[i] += c.count;
                }
            }
        }
        for (m, n) in visits {
            if let Some(i) = at(*m) {
                t.visits[i] += n;
            }
        }
        t
    }
}

/// What asks for the user's work on the home page: each a count with the page to act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TodoKind {
    /// 工作提示单 items of the month (a village's list)
    TaskItem,
    /// 风险线索 waiting for verification
    Lead,
    /// 识别认定 procedures at a stage of the user's level
    Procedure,
    /// 帮扶措施 still to be drawn up for a case at risk
    Measure,
    /// 走访 due for the user's paired households
    Visit,
    /// 农户自主申报 waiting to be handled
    SelfReport,
    /// 部门预警 still open
    DeptAlert,
    /// villages below whose monthly list has overdue items (township, county)
    VillageOverdue,
}

/// One line of the to-do: how many, how many overdue, how many due within a few days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TodoLine {
    pub kind: TodoKind,
    pub open: u64,
    pub overdue: u64,
    pub due_soon: u64,
    pub href: String,
}

/// The to-do in the order a user works it: lines with overdue items first, then those due soon,
/// then the rest; empty lines left out.
pub fn order_todo(mut lines: Vec<TodoLine>) -> Vec<TodoLine> {
    lines.retain(|l| l.open > 0 || l.overdue > 0);
    lines.sort_by_key(|l| (l.overdue == 0, l.due_soon == 0, l.kind));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    fn tally(
        t: CaseType,
        s: CaseState,
        i: Option<YearMonth>,
        e: Option<YearMonth>,
        n: u64,
    ) -> CaseTally {
        CaseTally {
            case_type: t,
            state: s,
            identified: i,
            eliminated: e,
            count: n,
        }
    }

    #[test]
    fn twelve_months_end_with_the_current_one_across_the_new_year() {
        let m = months_ending(ym(2026, 2), 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], ym(2025, 3));
        assert_eq!(m[10], ym(2026, 1));
        assert_eq!(m[11], ym(2026, 2));
    }

    #[test]
    fn headline_counts_each_type_and_state_and_the_month_new_and_closed() {
        let t = vec![
            tally(
                CaseType::MarginalAtRisk,
                CaseState::AtRisk,
                Some(ym(2026, 11)),
                None,
                3,
            ),
            tally(
                CaseType::MarginalAtRisk,
                CaseState::AtRisk,
                Some(ym(2025, 1)),
                None,
                2,
            ),
            tally(
                CaseType::UnstablePostPoverty,
                CaseState::Natural,
                Some(ym(2024, 1)),
                Some(ym(2026, 11)),
                4,
            ),
            tally(
                CaseType::SuddenHardship,
                CaseState::AfterAssistance,
                Some(ym(2024, 5)),
                Some(ym(2025, 6)),
                1,
            ),
        ];
        let f = Figures::of(100, 300, &t, ym(2026, 11));
        assert_eq!(f.monitored(), 10);
        assert_eq!(f.get(CaseType::MarginalAtRisk, CaseState::AtRisk), 5);
        assert_eq!(f.in_state(CaseState::Natural), 4);
        assert_eq!(f.of_type(CaseType::SuddenHardship), 1);
        assert_eq!(f.new_this_month, 3);
        assert_eq!(f.eliminated_this_month, 4);
    }

    #[test]
    fn monitored_at_a_month_end_counts_cases_identified_by_then_and_not_yet_eliminated() {
        let months = months_ending(ym(2026, 3), 3); // Jan, Feb, Mar
        let t = vec![
            // before the window, still at risk: in every month
            tally(
                CaseType::MarginalAtRisk,
                CaseState::AtRisk,
                Some(ym(2025, 6)),
                None,
                2,
            ),
            // identified in February
            tally(
                CaseType::MarginalAtRisk,
                CaseState::AtRisk,
                Some(ym(2026, 2)),
                None,
                1,
            ),
            // identified before, eliminated in February: in January only
            tally(
                CaseType::UnstablePostPoverty,
                CaseState::AfterAssistance,
                Some(ym(2025, 1)),
                Some(ym(2026, 2)),
                5,
            ),
        ];
        let visits = [(ym(2026, 1), 7), (ym(2025, 12), 99)];
        let tr = Trends::of(&months, &t, &visits);
        assert_eq!(tr.monitored, vec![7, 3, 3]);
        assert_eq!(tr.identified, vec![0, 1, 0]);
        assert_eq!(tr.eliminated, vec![0, 5, 0]);
        assert_eq!(tr.visits, vec![7, 0, 0]);
    }

    #[test]
    fn an_identifying_case_is_not_a_monitoring_object() {
        assert_eq!(CaseState::of(CaseStatus::Identifying, None), None);
        assert_eq!(
            CaseState::of(CaseStatus::Eliminated, Some(EliminationKind::Natural)),
            Some(CaseState::Natural)
        );
        assert_eq!(
            CaseState::parse_key("assisted"),
            Some(CaseState::AfterAssistance)
        );
    }

    #[test]
    fn overdue_work_comes_first_and_empty_lines_are_left_out() {
        let line = |kind, open, overdue, due_soon| TodoLine {
            kind,
            open,
            overdue,
            due_soon,
            href: String::new(),
        };
        let out = order_todo(vec![
            line(TodoKind::Lead, 4, 0, 0),
            line(TodoKind::SelfReport, 0, 0, 0),
            line(TodoKind::Visit, 3, 1, 0),
            line(TodoKind::Procedure, 2, 0, 1),
        ]);
        let kinds: Vec<_> = out.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![TodoKind::Visit, TodoKind::Procedure, TodoKind::Lead]
        );
    }
}
