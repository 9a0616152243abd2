//! Visit duties (走访责任) from the standard, by position (seed 003 文峰乡):
//!
//! - 村党支部书记: every 脱贫户 and every household with a case at risk in the village, every
//!   `secretary_visit_months` (1);
//! - 乡镇党委书记: every household with a case at risk in the township, every
//!   `party_secretary_visit_months` (6);
//! - 帮扶责任人 / 家庭签约医生: each household paired with them, every `helper_visit_months` /
//!   `doctor_visit_months` (1).
//!
//! Periods are calendar periods counted from January: monthly is each calendar month, six months
//! is January–June and July–December. A duty is met in a period by a visit of its position in
//! the period; it is overdue when the last completed period had none. A duty that began during a
//! period (a pairing that started mid-month) is not owed for that period.

use super::Position;
use crate::date::{days_in_month, Date};
use crate::standard::ResolvedStandard;
use serde::Serialize;

/// A calendar period of a duty: first and last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    /// The period of `months` months (1–12, counted from January) holding `day`. A length
    /// that does not divide the year leaves a shorter last period.
    pub fn containing(day: Date, months: i64) -> Period {
        let months = months.clamp(1, 12) as u8;
        let first = (day.month() - 1) / months * months + 1;
        let last = (first + months - 1).min(12);
        let y = day.year();
        Period {
            start: Date::new(y, first, 1).unwrap_or(day),
            end: Date::new(y, last, days_in_month(y, last)).unwrap_or(day),
        }
    }

    /// The period before this one.
    pub fn previous(self, months: i64) -> Period {
        Period::containing(self.start.add_days(-1), months)
    }

    pub fn holds(self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

/// The period length of a position's duty, from the standard; `None` for 村干部 (no duty).
pub fn months_of(position: Position, s: &ResolvedStandard) -> Option<i64> {
    match position {
        Position::VillageSecretary => Some(s.secretary_visit_months),
        Position::TownshipSecretary => Some(s.party_secretary_visit_months),
        Position::AssistancePerson => Some(s.helper_visit_months),
        Position::FamilyDoctor => Some(s.doctor_visit_months),
        Position::Cadre => None,
    }
}

/// Whether a position owes visits to a household: a 脱贫户 (`post_poverty`), a household with a
/// case at risk (`at_risk`), a household paired with the position's person (`paired`).
pub fn owes(position: Position, post_poverty: bool, at_risk: bool, paired: bool) -> bool {
    match position {
        Position::VillageSecretary => post_poverty || at_risk,
        Position::TownshipSecretary => at_risk,
        Position::AssistancePerson | Position::FamilyDoctor => paired,
        Position::Cadre => false,
    }
}

/// One duty on one day: met in the current period, overdue from the last completed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DutyState {
    pub current: Period,
    pub done: bool,
    pub overdue: bool,
}

/// Whether a duty owed since `since` (`None`: since ever) was owed for the whole last completed
/// period before `today`.
pub fn owed_last_period(today: Date, months: i64, since: Option<Date>) -> bool {
    let last = Period::containing(today, months).previous(months);
    since.is_none_or(|s| s <= last.start)
}

/// The state on `today` of a duty of period `months`, owed since `since` (`None`: since ever),
/// given the days of the visits that count for it.
pub fn state(today: Date, months: i64, since: Option<Date>, visits: &[Date]) -> DutyState {
    let current = Period::containing(today, months);
    let last = current.previous(months);
    let done = visits.iter().any(|&v| current.holds(v) && v <= today);
    let overdue = owed_last_period(today, months, since) && !visits.iter().any(|&v| last.holds(v));
    DutyState {
        current,
        done,
        overdue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn monthly_periods_are_calendar_months() {
        let p = Period::containing(d("2024-02-10"), 1);
        assert_eq!((p.start, p.end), (d("2024-02-01"), d("2024-02-29")));
        let p = Period::containing(d("2026-12-31"), 1);
        assert_eq!((p.start, p.end), (d("2026-12-01"), d("2026-12-31")));
        assert_eq!(
            Period::containing(d("2026-01-01"), 1).previous(1),
            Period::containing(d("2025-12-15"), 1)
        );
    }

    #[test]
    fn half_years_are_january_to_june_and_july_to_december() {
        let p = Period::containing(d("2026-06-30"), 6);
        assert_eq!((p.start, p.end), (d("2026-01-01"), d("2026-06-30")));
        let p = Period::containing(d("2026-07-01"), 6);
        assert_eq!((p.start, p.end), (d("2026-07-01"), d("2026-12-31")));
        let prev = Period::containing(d("2026-03-01"), 6).previous(6);
        assert_eq!((prev.start, prev.end), (d("2025-07-01"), d("2025-12-31")));
        // a length that does not divide the year: the last period is shorter
        let p = Period::containing(d("2026-12-01"), 5);
        assert_eq!((p.start, p.end), (d("2026-11-01"), d("2026-12-31")));
    }

    #[test]
    fn a_visit_in_the_period_meets_the_duty_one_in_the_last_period_keeps_it_from_overdue() {
        let today = d("2026-06-15");
        let s = state(today, 1, None, &[d("2026-06-01")]);
        assert!(s.done && s.overdue, "June visited, May not");
        let s = state(today, 1, None, &[d("2026-05-31")]);
        assert!(!s.done && !s.overdue);
        let s = state(today, 1, None, &[d("2026-04-30")]);
        assert!(!s.done && s.overdue);
        let s = state(today, 1, None, &[]);
        assert!(!s.done && s.overdue);
    }

    #[test]
    fn a_duty_that_began_during_the_last_period_is_not_overdue() {
        let today = d("2026-06-15");
        assert!(!state(today, 1, Some(d("2026-05-02")), &[]).overdue);
        assert!(state(today, 1, Some(d("2026-05-01")), &[]).overdue);
    }

    #[test]
    fn the_township_secretary_counts_half_years() {
        let today = d("2026-07-03");
        assert!(!state(today, 6, None, &[d("2026-01-02")]).overdue);
        assert!(state(today, 6, None, &[d("2025-12-31")]).overdue);
        assert!(state(today, 6, None, &[d("2026-07-01")]).done);
    }

    #[test]
    fn who_owes_visits_by_position() {
        use Position::*;
        assert!(owes(VillageSecretary, true, false, false));
        assert!(owes(VillageSecretary, false, true, false));
        assert!(!owes(VillageSecretary, false, false, true));
        assert!(owes(TownshipSecretary, false, true, false));
        assert!(!owes(TownshipSecretary, true, false, false));
        for p in [AssistancePerson, FamilyDoctor] {
            assert!(owes(p, false, false, true));
            assert!(!owes(p, true, true, false));
        }
        assert!(!owes(Cadre, true, true, true));
    }

    #[test]
    fn periods_come_from_the_standard() {
        use crate::standard::{resolve, Standard};
        let province = crate::RegionCode::parse("53").unwrap();
        let s = resolve(
            &[Standard::provincial(
                2026,
                province.clone(),
                crate::money::Fen(800_000),
            )],
            &province,
            2026,
        )
        .unwrap();
        assert_eq!(months_of(Position::VillageSecretary, &s), Some(1));
        assert_eq!(months_of(Position::TownshipSecretary, &s), Some(6));
        assert_eq!(months_of(Position::AssistancePerson, &s), Some(1));
        assert_eq!(months_of(Position::FamilyDoctor, &s), Some(1));
        assert_eq!(months_of(Position::Cadre, &s), None);
    }
}

/// The duty periods of every position on one day, from the year's standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DutyPeriods {
    pub today: Date,
    /// months of 村党支部书记, 乡镇党委书记, 帮扶责任人, 家庭签约医生
    pub months: [i64; 4],
}

impl DutyPeriods {
    pub fn new(today: Date, s: &ResolvedStandard) -> DutyPeriods {
        DutyPeriods {
            today,
            months: [
                s.secretary_visit_months,
                s.party_secretary_visit_months,
                s.helper_visit_months,
                s.doctor_visit_months,
            ],
        }
    }
    /// The positions with duties.
    pub const POSITIONS: [Position; 4] = [
        Position::VillageSecretary,
        Position::TownshipSecretary,
        Position::AssistancePerson,
        Position::FamilyDoctor,
    ];
    fn months(&self, p: Position) -> i64 {
        match p {
            Position::VillageSecretary => self.months[0],
            Position::TownshipSecretary => self.months[1],
            Position::AssistancePerson => self.months[2],
            Position::FamilyDoctor | Position::Cadre => self.months[3],
        }
    }
    /// The period holding today.
    pub fn current(&self, p: Position) -> Period {
        Period::containing(self.today, self.months(p))
    }
    /// The last completed period.
    pub fn last(&self, p: Position) -> Period {
        self.current(p).previous(self.months(p))
    }
}
