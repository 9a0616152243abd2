//! 工作日历: which days are working days. Weekends are rest days and weekdays working days,
//! except the public holidays (法定节假日) and the make-up working days (调休上班日) that the State
//! Council announces each year. Those change every year, so they are data an administrator enters
//! or imports, never constants here.

use crate::codes::code_list;
use crate::date::Date;
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_list!(
    /// A day that departs from the weekday rule. Ours: 1 and 2.
    DayKind {
        Holiday = 1 => "法定节假日", "public holiday";
        MakeUpWorkday = 2 => "调休上班日", "make-up working day";
    }
);

/// The longest name of a day kept (春节, 国庆节调休, 县庆 …), in characters.
pub const NAME_MAX_CHARS: usize = 50;

/// One entered day: a weekday off or a weekend day on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: Date,
    pub kind: DayKind,
    /// 节日名称, e.g. 春节 or 国庆节调休
    #[serde(default)]
    pub name: String,
}

/// The working-day calendar of a region: the weekday rule with its entered exceptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<Date, DayKind>,
}

impl WorkCalendar {
    /// The calendar of `days`. A date entered twice is refused (which of the two would hold is
    /// exactly the question the person entering it must answer), each repeat named.
    pub fn new(days: &[CalendarDay]) -> Result<WorkCalendar, Vec<Problem>> {
        let mut map = BTreeMap::new();
        let mut problems = Vec::new();
        for (i, day) in days.iter().enumerate() {
            if map.insert(day.date, day.kind).is_some() {
                problems.push(Problem::new(
                    ProblemCode::CalendarDuplicateDate,
                    format!("days[{i}].date"),
                    format!("日期 {} 重复录入", day.date),
                    format!("the date {} is entered twice", day.date),
                ));
            }
        }
        if problems.is_empty() {
            Ok(WorkCalendar { days: map })
        } else {
            Err(problems)
        }
    }

    /// Whether people work on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        match self.days.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::MakeUpWorkday) => true,
            None => date.weekday() < 5,
        }
    }

    /// The `n`-th working day after `from` (`from` itself not counted); `from` when `n` ≤ 0.
    pub fn add_working_days(&self, from: Date, n: i64) -> Date {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = date.add_days(1);
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// Working days after `from` up to and including `to`; negative when `to` is before `from`
    /// (then the working days after `to` up to and including `from`, negated).
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = date.add_days(1);
            if self.is_working_day(date) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn national_day_2026() -> WorkCalendar {
        let mut days: Vec<CalendarDay> = (1..=7)
            .map(|day| CalendarDay {
                date: Date::new(2026, 10, day).unwrap(),
                kind: DayKind::Holiday,
                name: "国庆节".into(),
            })
            .collect();
        days.push(CalendarDay {
            date: d("2026-10-10"),
            kind: DayKind::MakeUpWorkday,
            name: "国庆节调休".into(),
        });
        WorkCalendar::new(&days).unwrap()
    }

    #[test]
    fn weekends_rest_and_entered_days_override_the_weekday_rule() {
        let cal = national_day_2026();
        assert!(cal.is_working_day(d("2026-11-30")), "a Monday");
        assert!(!cal.is_working_day(d("2026-11-29")), "a Sunday");
        assert!(
            !cal.is_working_day(d("2026-10-01")),
            "a Thursday on holiday"
        );
        assert!(cal.is_working_day(d("2026-10-10")), "a Saturday worked");
    }

    #[test]
    fn working_days_skip_holidays_and_count_make_up_days() {
        let cal = national_day_2026();
        // Tuesday 2026-09-29: 9-30 is the 1st; then 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, worked)
        assert_eq!(cal.add_working_days(d("2026-09-29"), 1), d("2026-09-30"));
        assert_eq!(cal.add_working_days(d("2026-09-29"), 4), d("2026-10-10"));
        assert_eq!(cal.add_working_days(d("2026-09-29"), 5), d("2026-10-12"));
        assert_eq!(
            cal.working_days_between(d("2026-09-29"), d("2026-10-12")),
            5
        );
        assert_eq!(
            cal.working_days_between(d("2026-10-12"), d("2026-09-29")),
            -5
        );
        assert_eq!(cal.add_working_days(d("2026-09-29"), 0), d("2026-09-29"));
    }

    #[test]
    fn an_empty_calendar_is_the_weekday_rule() {
        let cal = WorkCalendar::default();
        // Friday 2026-11-27 + 1 working day is Monday
        assert_eq!(cal.add_working_days(d("2026-11-27"), 1), d("2026-11-30"));
    }

    #[test]
    fn a_date_entered_twice_is_refused_and_named() {
        let day = CalendarDay {
            date: d("2026-10-01"),
            kind: DayKind::Holiday,
            name: String::new(),
        };
        let again = CalendarDay {
            kind: DayKind::MakeUpWorkday,
            ..day.clone()
        };
        let problems = WorkCalendar::new(&[day, again]).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "days[1].date");
        assert!(problems[0].zh.contains("2026-10-01"));
    }
}
