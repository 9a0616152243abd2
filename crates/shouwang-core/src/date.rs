//! Calendar dates (公历日期) without a date library: the domain only needs civil dates,
//! day arithmetic and a few textual forms, and core must stay free of IO and heavy deps.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid proleptic-Gregorian date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month, or 0 for a month outside 1..=12.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date, if it exists on the calendar (years 1000–9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1000..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's civil-days algorithm.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01. Out-of-range results are clamped to the supported years.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(1000, 9999) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// Day of the week, Monday 0 … Sunday 6 (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u8 {
        (self.to_days() + 3).rem_euclid(7) as u8
    }

    /// Today in China (UTC+8) from seconds since the Unix epoch.
    pub fn from_unix_seconds_china(secs: i64) -> Date {
        Date::from_days((secs + 8 * 3600).div_euclid(86_400))
    }

    /// Whole years of age on `on`.
    pub fn age_on(self, on: Date) -> i32 {
        let mut age = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }

    /// Parses `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/M/D` and `YYYY.M.D`.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Date::new(
                t[..4].parse().ok()?,
                t[4..6].parse().ok()?,
                t[6..].parse().ok()?,
            );
        }
        let mut parts = t.split(['-', '/', '.']);
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || y.len() != 4
            || m.is_empty()
            || m.len() > 2
            || d.is_empty()
            || d.len() > 2
        {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Date::parse(&value).ok_or_else(|| format!("invalid date: {value}"))
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// A calendar month (`识别监测时间`, `风险消除时间` are months: `YYYYMM` in exports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    pub fn new(year: i32, month: u8) -> Option<YearMonth> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }
    pub fn of(date: Date) -> YearMonth {
        YearMonth {
            year: date.year,
            month: date.month,
        }
    }
    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    /// Parses `YYYYMM`, `YYYY-MM`, `YYYY/MM` and `YYYY年M月`.
    pub fn parse(text: &str) -> Option<YearMonth> {
        let t = text.trim().trim_end_matches('月');
        if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            return YearMonth::new(t[..4].parse().ok()?, t[4..].parse().ok()?);
        }
        let (y, m) = t.split_once(['-', '/', '.', '年'])?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return None;
        }
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }
    /// `YYYYMM`, as the national system exports it.
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }
    /// Months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i32 {
        (later.year - self.year) * 12 + i32::from(later.month) - i32::from(self.month)
    }
    pub fn first_day(self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: 1,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        YearMonth::parse(&value).ok_or_else(|| format!("invalid month: {value}"))
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days_since_epoch() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().to_days(), 11_017);
        assert_eq!(Date::from_days(20_415), Date::new(2025, 11, 23).unwrap());
    }

    #[test]
    fn february_29_exists_only_in_leap_years() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
    }

    #[test]
    fn parses_the_forms_ledgers_use() {
        let d = Date::new(2024, 3, 5).unwrap();
        for t in ["2024-03-05", "20240305", "2024/3/5", " 2024.03.05 "] {
            assert_eq!(Date::parse(t), Some(d), "{t}");
        }
        for t in [
            "2024-13-01",
            "2024-02-30",
            "24-3-5",
            "2024-3",
            "",
            "2024-03-05-01",
        ] {
            assert_eq!(Date::parse(t), None, "{t}");
        }
    }

    #[test]
    fn age_counts_whole_years() {
        let born = Date::new(2000, 6, 15).unwrap();
        assert_eq!(born.age_on(Date::new(2026, 6, 14).unwrap()), 25);
        assert_eq!(born.age_on(Date::new(2026, 6, 15).unwrap()), 26);
    }

    #[test]
    fn months_parse_in_export_and_typed_forms() {
        let m = YearMonth::new(2024, 3).unwrap();
        for t in ["202403", "2024-03", "2024/3", "2024年3月"] {
            assert_eq!(YearMonth::parse(t), Some(m), "{t}");
        }
        assert_eq!(YearMonth::parse("202413"), None);
        assert_eq!(m.compact(), "202403");
        assert_eq!(m.months_until(YearMonth::new(2024, 9).unwrap()), 6);
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -300_000i64..2_500_000) {
            let d = Date::from_days(days);
            prop_assert_eq!(d.to_days(), days);
            prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
        }
    }
}
