//! The procedure's clock, all in one place: the overall limit from the day a lead was found (15
//! days by default), the minimum notice (5 days), and the days of each step, from the year's
//! standard; counted in calendar days or, where the province says so, in working days of the
//! region's calendar.

use super::Stage;
use crate::calendar::WorkCalendar;
use crate::date::Date;
use crate::standard::ResolvedStandard;
use serde::Serialize;

/// The limits of one region and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// 识别认定时限, from the lead to the county decision
    pub overall_days: i64,
    /// 公示不少于
    pub notice_min_days: i64,
    pub verification_days: i64,
    pub appraisal_days: i64,
    pub township_review_days: i64,
    pub county_decision_days: i64,
    /// days are working days of the calendar, not calendar days
    pub working_days: bool,
}

/// How close an open item is to its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Urgency {
    OnTime,
    /// due within [`DUE_SOON_DAYS`]
    DueSoon,
    Overdue,
}

/// "Due soon" is two days or fewer left: the owner can still act, the level above should look.
pub const DUE_SOON_DAYS: i64 = 2;

impl Deadlines {
    pub fn of(standard: &ResolvedStandard) -> Deadlines {
        Deadlines {
            overall_days: standard.identification_days,
            notice_min_days: standard.notice_min_days,
            verification_days: standard.verification_days,
            appraisal_days: standard.appraisal_days,
            township_review_days: standard.township_review_days,
            county_decision_days: standard.county_decision_days,
            working_days: standard.working_days,
        }
    }

    /// The limits of the built-in defaults, for a region that has no standard yet.
    pub fn defaults() -> Deadlines {
        let d = crate::standard::StandardDefaults::DEFAULT;
        Deadlines {
            overall_days: d.identification_days,
            notice_min_days: d.notice_min_days,
            verification_days: d.verification_days,
            appraisal_days: d.appraisal_days,
            township_review_days: d.township_review_days,
            county_decision_days: d.county_decision_days,
            working_days: d.working_days,
        }
    }

    /// `days` after `from`, in this standard's way of counting.
    pub fn add(&self, calendar: &WorkCalendar, from: Date, days: i64) -> Date {
        if self.working_days {
            calendar.add_working_days(from, days)
        } else {
            from.add_days(days)
        }
    }

    /// Days left from `today` to `due` (0 on the due day, negative when overdue), counted the
    /// same way as the limits.
    pub fn remaining(&self, calendar: &WorkCalendar, today: Date, due: Date) -> i64 {
        if self.working_days {
            calendar.working_days_between(today, due)
        } else {
            due.to_days() - today.to_days()
        }
    }

    pub fn urgency(&self, calendar: &WorkCalendar, today: Date, due: Date) -> Urgency {
        match self.remaining(calendar, today, due) {
            r if r < 0 => Urgency::Overdue,
            r if r <= DUE_SOON_DAYS => Urgency::DueSoon,
            _ => Urgency::OnTime,
        }
    }

    /// The day the whole procedure must be decided by.
    pub fn overall_due(&self, calendar: &WorkCalendar, found_on: Date) -> Date {
        self.add(calendar, found_on, self.overall_days)
    }

    /// The day a stage entered on `since` must be done by: its own days, never later than the
    /// overall limit. The notice is due on its last day.
    pub fn stage_due(
        &self,
        calendar: &WorkCalendar,
        stage: Stage,
        since: Date,
        overall_due: Date,
        notice_end: Option<Date>,
    ) -> Date {
        let own = match stage {
            Stage::Verification => self.add(calendar, since, self.verification_days),
            Stage::Appraisal => self.add(calendar, since, self.appraisal_days),
            Stage::Notice => return notice_end.unwrap_or(overall_due),
            Stage::TownshipReview => self.add(calendar, since, self.township_review_days),
            Stage::CountyDecision => self.add(calendar, since, self.county_decision_days),
            Stage::Included | Stage::NotIncluded | Stage::Eliminated | Stage::NotEliminated => {
                return since
            }
        };
        own.min(overall_due)
    }

    /// The notice's length from `start` to `end`, both days counted.
    pub fn notice_days(&self, calendar: &WorkCalendar, start: Date, end: Date) -> i64 {
        if self.working_days {
            calendar.working_days_between(start.add_days(-1), end)
        } else {
            end.to_days() - start.to_days() + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarDay, DayKind};

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn calendar_days() -> Deadlines {
        Deadlines {
            overall_days: 15,
            notice_min_days: 5,
            verification_days: 3,
            appraisal_days: 2,
            township_review_days: 2,
            county_decision_days: 3,
            working_days: false,
        }
    }

    #[test]
    fn calendar_days_count_every_day() {
        let dl = calendar_days();
        let cal = WorkCalendar::default();
        let due = dl.overall_due(&cal, d("2026-11-20"));
        assert_eq!(due, d("2026-12-05"));
        assert_eq!(dl.remaining(&cal, d("2026-11-30"), due), 5);
        assert_eq!(dl.urgency(&cal, d("2026-11-30"), due), Urgency::OnTime);
        assert_eq!(dl.urgency(&cal, d("2026-12-04"), due), Urgency::DueSoon);
        assert_eq!(dl.urgency(&cal, d("2026-12-05"), due), Urgency::DueSoon);
        assert_eq!(dl.urgency(&cal, d("2026-12-06"), due), Urgency::Overdue);
        assert_eq!(dl.notice_days(&cal, d("2026-11-23"), d("2026-11-27")), 5);
    }

    #[test]
    fn a_step_is_due_by_its_own_days_but_never_after_the_whole() {
        let dl = calendar_days();
        let cal = WorkCalendar::default();
        let overall = d("2026-12-05");
        assert_eq!(
            dl.stage_due(&cal, Stage::Verification, d("2026-11-20"), overall, None),
            d("2026-11-23")
        );
        assert_eq!(
            dl.stage_due(&cal, Stage::CountyDecision, d("2026-12-04"), overall, None),
            overall
        );
        assert_eq!(
            dl.stage_due(
                &cal,
                Stage::Notice,
                d("2026-11-25"),
                overall,
                Some(d("2026-11-29"))
            ),
            d("2026-11-29")
        );
    }

    #[test]
    fn working_days_skip_weekends_and_the_entered_holidays() {
        let dl = Deadlines {
            overall_days: 20,
            working_days: true,
            ..calendar_days()
        };
        let holiday = CalendarDay {
            date: d("2026-12-01"),
            kind: DayKind::Holiday,
            name: "测试假日".into(),
        };
        let cal = WorkCalendar::new(&[holiday]).unwrap();
        // Monday 2026-11-30 + 20 working days, with Tuesday 12-01 off: Tuesday 12-29
        let due = dl.overall_due(&cal, d("2026-11-30"));
        assert_eq!(due, d("2026-12-29"));
        assert_eq!(dl.remaining(&cal, d("2026-11-30"), due), 20);
        // a notice Friday to Thursday is five working days, not seven
        assert_eq!(dl.notice_days(&cal, d("2026-12-04"), d("2026-12-10")), 5);
    }
}
