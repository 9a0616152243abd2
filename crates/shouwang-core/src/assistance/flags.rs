//! The flags of assistance (帮扶预警), each with the numbers behind it, from the year's standard:
//!
//! - (a) 措施未落实: no measure `measures_days` (default 10) days after the identification;
//! - (b) 缺开发式帮扶: a household with labour capacity (a living member still in the household
//!   whose capacity is 普通, 技能 or 弱劳动力或半劳动力) and no development measure (产业, 就业,
//!   金融, 公益岗位; planned or in place) `development_months` (default 6) months after the
//!   identification;
//! - (c) 绿色通道超期: a green-channel procedure still open after its due date.
//!
//! Pure functions: the store finds the candidates set-based and these say whether and why.

use crate::codes::code_list;
use crate::date::{days_in_month, Date};
use serde::Serialize;

code_list!(
    /// 帮扶预警类别. Ours.
    FlagKind {
        NoMeasure = 1 => "措施未按时落实", "no measure in time";
        NoDevelopment = 2 => "有劳动力无开发式帮扶", "labour capacity without a development measure";
        GreenChannelOverdue = 3 => "绿色通道程序超期", "green channel procedure overdue";
    }
);

/// One flag raised, with its numbers: from which day it counts, how long since, and the limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    /// the day the count runs from (the identification, or for (c) the due date)
    pub since_on: Date,
    /// days (a, c) or whole months (b) since `since_on`
    pub elapsed: i64,
    /// the limit in the same unit
    pub limit: i64,
    pub zh: String,
    pub en: String,
}

/// `date` moved by `months` calendar months, the day kept or, where the month is shorter, its
/// last day (2026-08-31 + 6 months = 2027-02-28).
pub fn add_months(date: Date, months: i64) -> Date {
    let total = i64::from(date.year()) * 12 + i64::from(date.month()) - 1 + months;
    let year = total.div_euclid(12) as i32;
    let month = (total.rem_euclid(12) + 1) as u8;
    let day = date.day().min(days_in_month(year, month));
    Date::new(year, month, day).expect("a day within its month")
}

/// Whole calendar months from `from` to `to` (0 when `to` is before `from` + 1 month).
pub fn months_between(from: Date, to: Date) -> i64 {
    let mut m = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    if m > 0 && add_months(from, m) > to {
        m -= 1;
    }
    m.max(0)
}

/// (a) Trips when the case has no measure and more than `limit_days` days have passed since
/// `identified_on` (on the last day allowed it does not).
pub fn no_measure(
    identified_on: Date,
    measures: usize,
    today: Date,
    limit_days: i64,
) -> Option<Flag> {
    let days = today.to_days() - identified_on.to_days();
    (measures == 0 && days > limit_days).then(|| Flag {
        kind: FlagKind::NoMeasure,
        since_on: identified_on,
        elapsed: days,
        limit: limit_days,
        zh: format!("认定于{identified_on}，已过{days}天仍无帮扶措施（时限{limit_days}天）"),
        en: format!(
            "identified on {identified_on}: {days} days on, no measure yet (limit {limit_days} days)"
        ),
    })
}

/// (b) Trips when the household can work (`workers` living members still there with labour
/// capacity), has no development measure planned or in place, and `limit_months` months have
/// passed since `identified_on` (the day itself, six months on, does not trip).
pub fn no_development(
    identified_on: Date,
    workers: usize,
    development_measures: usize,
    today: Date,
    limit_months: i64,
) -> Option<Flag> {
    let due = add_months(identified_on, limit_months);
    (workers > 0 && development_measures == 0 && today > due).then(|| {
        let months = months_between(identified_on, today);
        Flag {
            kind: FlagKind::NoDevelopment,
            since_on: identified_on,
            elapsed: months,
            limit: limit_months,
            zh: format!(
                "认定于{identified_on}，已{months}个月；家中有{workers}名劳动力，仍无产业、就业、金融或公益岗位帮扶（时限{limit_months}个月，至{due}）"
            ),
            en: format!(
                "identified on {identified_on}, {months} months ago; {workers} member(s) able to work and no farming, employment, finance or public-welfare-job measure (limit {limit_months} months, until {due})"
            ),
        }
    })
}

/// (c) Trips when a green-channel procedure is still open after `due_on`.
pub fn green_channel_overdue(
    found_on: Date,
    due_on: Date,
    open: bool,
    today: Date,
) -> Option<Flag> {
    let late = today.to_days() - due_on.to_days();
    let allowed = due_on.to_days() - found_on.to_days();
    (open && late > 0).then(|| Flag {
        kind: FlagKind::GreenChannelOverdue,
        since_on: due_on,
        elapsed: late,
        limit: allowed,
        zh: format!("绿色通道程序自{found_on}开始，应于{due_on}前完成，已超期{late}天"),
        en: format!(
            "green channel procedure opened on {found_on}, due by {due_on}: {late} days overdue"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn no_measure_trips_the_day_after_the_limit_and_not_on_it() {
        let on = d("2026-03-01");
        assert_eq!(no_measure(on, 0, d("2026-03-11"), 10), None);
        let f = no_measure(on, 0, d("2026-03-12"), 10).unwrap();
        assert_eq!(
            (f.kind, f.elapsed, f.limit, f.since_on),
            (FlagKind::NoMeasure, 11, 10, on)
        );
        assert!(f.zh.contains("2026-03-01") && f.zh.contains("11天") && f.zh.contains("时限10天"));
        assert!(f.en.contains("11 days") && f.en.contains("limit 10 days"));
        // one measure, of any kind and state, is enough
        assert_eq!(no_measure(on, 1, d("2026-09-01"), 10), None);
    }

    #[test]
    fn no_development_needs_labour_no_development_measure_and_six_months_past() {
        let on = d("2026-01-15");
        assert_eq!(
            no_development(on, 2, 0, d("2026-07-15"), 6),
            None,
            "the last day allowed"
        );
        let f = no_development(on, 2, 0, d("2026-07-16"), 6).unwrap();
        assert_eq!(
            (f.kind, f.elapsed, f.limit),
            (FlagKind::NoDevelopment, 6, 6)
        );
        assert!(
            f.zh.contains("6个月") && f.zh.contains("2名劳动力") && f.zh.contains("2026-07-15")
        );
        assert!(f.en.contains("6 months ago") && f.en.contains("limit 6 months"));
        assert_eq!(
            no_development(on, 0, 0, d("2027-01-01"), 6),
            None,
            "no one can work"
        );
        assert_eq!(
            no_development(on, 1, 1, d("2027-01-01"), 6),
            None,
            "has one"
        );
        assert_eq!(
            no_development(on, 1, 0, d("2027-01-20"), 6)
                .unwrap()
                .elapsed,
            12
        );
    }

    #[test]
    fn green_channel_trips_once_past_its_due_date_while_open() {
        let (found, due) = (d("2026-04-01"), d("2026-04-16"));
        assert_eq!(green_channel_overdue(found, due, true, due), None);
        let f = green_channel_overdue(found, due, true, d("2026-04-19")).unwrap();
        assert_eq!(
            (f.kind, f.elapsed, f.limit),
            (FlagKind::GreenChannelOverdue, 3, 15)
        );
        assert!(f.zh.contains("超期3天") && f.en.contains("3 days overdue"));
        assert_eq!(
            green_channel_overdue(found, due, false, d("2026-05-01")),
            None,
            "decided"
        );
    }

    #[test]
    fn months_are_added_and_counted_by_the_calendar() {
        assert_eq!(add_months(d("2026-08-31"), 6), d("2027-02-28"));
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2026-11-10"), 3), d("2027-02-10"));
        assert_eq!(months_between(d("2026-01-15"), d("2026-07-14")), 5);
        assert_eq!(months_between(d("2026-01-15"), d("2026-07-15")), 6);
        assert_eq!(months_between(d("2026-07-15"), d("2026-01-15")), 0);
    }
}
