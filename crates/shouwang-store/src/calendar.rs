//! The working calendar (工作日历) in the store: the days that depart from the weekday rule, as an
//! administrator enters or imports them each year (core's [`WorkCalendar`] counts with them).
//!
//! **Where a day is kept.** Each entered day belongs to a region: a province, a city or a county.
//! The State Council's holidays and make-up working days (调休) are entered once for a province
//! and hold for all its counties; a city or a county adds a local day off, or corrects one. The
//! calendar of a county (or of anything inside it) is every day entered for the county, its city
//! and its province; a date entered at two levels is the more specific region's (a county's entry
//! beats its province's). A township or village keeps no calendar of its own.
//!
//! **Saving** replaces one region's days of one year in one transaction, after checking them
//! all: a date twice, a date outside the year, a year out of range or a region below a county
//! is refused with the reason and nothing is written. Every save is audited with the days before
//! and after.

use crate::audit::{record, Actor};
use crate::decode::Fields;
use crate::sql::json;
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::calendar::{CalendarDay, DayKind, WorkCalendar, NAME_MAX_CHARS};
use shouwang_core::problem::free_text;
use shouwang_core::region::RegionLevel;
use shouwang_core::{Problem, ProblemCode, RegionCode};
use std::collections::BTreeMap;

/// One entered day with the region it was entered for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnteredDay {
    /// The province, city or county the day was entered for.
    pub region: RegionCode,
    #[serde(flatten)]
    pub day: CalendarDay,
}

/// The regions whose days make up the calendar of `region`: its province, city and county,
/// each as far as `region` reaches, most general first.
fn levels_of(region: &RegionCode) -> Vec<RegionCode> {
    [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::County,
    ]
    .into_iter()
    .filter_map(|l| region.ancestor(l))
    .collect()
}

/// Refuses a year outside 2000–2100 and a region below a county.
fn check(region: &RegionCode, year: i32) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    if !(2000..=2100).contains(&year) {
        problems.push(Problem::new(
            ProblemCode::CalendarYear,
            "year",
            format!("年度{year}不在2000–2100之间"),
            format!("year {year} is outside 2000–2100"),
        ));
    }
    if region.level() > RegionLevel::County {
        problems.push(Problem::new(
            ProblemCode::CalendarRegionLevel,
            "region",
            format!(
                "工作日历只按省、市或县设定，{region}是{}级区划",
                region.level().label_zh()
            ),
            format!(
                "a calendar is kept for a province, a city or a county; {region} is a {}",
                region.level().label_en()
            ),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems))
    }
}

/// The days entered for `regions` (at most three), between `from` and `to` (dates as text).
fn entered(
    c: &mut dyn crate::db::Sql,
    regions: &[RegionCode],
    from: &str,
    to: &str,
) -> Result<Vec<EnteredDay>, StoreError> {
    // three slots, the missing ones repeating the last region: one SQL text for every level
    let Some(last) = regions.last() else {
        return Ok(Vec::new());
    };
    let slot = |i: usize| regions.get(i).unwrap_or(last).as_str().to_string();
    let rows = c.query(
        "SELECT region, date, kind, name FROM calendar_days
         WHERE region IN ($1, $2, $3) AND date >= $4 AND date <= $5 ORDER BY date, region",
        &params![slot(0), slot(1), slot(2), from, to],
    )?;
    rows.iter()
        .map(|r| {
            let f = Fields::new(r, "calendar_days", "region, date, kind, name", 0);
            Ok(EnteredDay {
                region: f.region(0)?,
                day: CalendarDay {
                    date: f.date(1)?,
                    kind: f.code(2, DayKind::from_code)?,
                    name: f.text(3),
                },
            })
        })
        .collect()
}

/// Of days entered at several levels for one date, the most specific region's.
fn most_specific(days: Vec<EnteredDay>) -> Vec<EnteredDay> {
    let mut by_date: BTreeMap<_, EnteredDay> = BTreeMap::new();
    for d in days {
        match by_date.get(&d.day.date) {
            Some(kept) if kept.region.as_str().len() >= d.region.as_str().len() => {}
            _ => {
                by_date.insert(d.day.date, d);
            }
        }
    }
    by_date.into_values().collect()
}

impl Store {
    /// The working calendar of `region` (a county or anything in it): the days entered for
    /// its province, city and county, every year, the most specific region's for a date.
    pub fn calendar_for(&self, region: &RegionCode) -> Result<WorkCalendar, StoreError> {
        let levels = levels_of(region);
        let days = self.with_conn(|c| entered(c, &levels, "0000", "9999"))?;
        let days: Vec<CalendarDay> = most_specific(days).into_iter().map(|d| d.day).collect();
        // one day per date by construction
        WorkCalendar::new(&days).map_err(StoreError::Invalid)
    }

    /// The days of `year` that hold in `region`, each with the region it was entered for
    /// (its own, or its city's or province's), by date.
    pub fn calendar_days(
        &self,
        region: &RegionCode,
        year: i32,
    ) -> Result<Vec<EnteredDay>, StoreError> {
        let levels = levels_of(region);
        let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let days = self.with_conn(|c| entered(c, &levels, &from, &to))?;
        Ok(most_specific(days))
    }

    /// Replaces the days entered for `region` in `year` with `days`, in one transaction;
    /// audited with the days before and after. Refused, with nothing written, when a date is
    /// given twice or lies outside the year, when a name is too long or holds a control
    /// character, when the year is out of range or when the region is below a county.
    pub fn save_calendar_days(
        &self,
        actor: &Actor,
        region: &RegionCode,
        year: i32,
        days: &[CalendarDay],
    ) -> Result<(), StoreError> {
        check(region, year)?;
        let mut problems: Vec<Problem> = days
            .iter()
            .enumerate()
            .filter(|(_, d)| d.date.year() != year)
            .map(|(i, d)| {
                Problem::new(
                    ProblemCode::CalendarDateOutsideYear,
                    format!("days[{i}].date"),
                    format!("日期 {} 不在 {year} 年内", d.date),
                    format!("the date {} is not in {year}", d.date),
                )
            })
            .collect();
        problems.extend(days.iter().enumerate().filter_map(|(i, d)| {
            free_text(
                &format!("days[{i}].name"),
                "名称",
                d.name.trim(),
                NAME_MAX_CHARS,
            )
        }));
        if let Err(twice) = WorkCalendar::new(days) {
            problems.extend(twice);
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let mut sorted: Vec<CalendarDay> = days
            .iter()
            .map(|d| CalendarDay {
                name: d.name.trim().to_string(),
                ..d.clone()
            })
            .collect();
        sorted.sort_by_key(|d| d.date);
        let (from, to) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        self.with_tx(|tx| {
            let before: Vec<CalendarDay> = entered(tx, std::slice::from_ref(region), &from, &to)?
                .into_iter()
                .map(|d| d.day)
                .collect();
            tx.exec(
                "DELETE FROM calendar_days WHERE region = $1 AND date >= $2 AND date <= $3",
                &params![region.as_str(), from.as_str(), to.as_str()],
            )?;
            let now = crate::now();
            for d in &sorted {
                tx.exec(
                    "INSERT INTO calendar_days (region, date, kind, name, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &params![
                        region.as_str(),
                        d.date.to_string(),
                        d.kind.code(),
                        d.name.as_str(),
                        now,
                        &actor.username
                    ],
                )?;
            }
            let key = format!("{region}/{year}");
            record(
                tx,
                actor,
                region.county().as_ref().map(RegionCode::as_str),
                "calendar.save",
                ("calendar", &key),
                Some(&json(&before)),
                Some(&json(&sorted)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).unwrap()
    }

    #[test]
    fn a_county_reads_its_province_city_and_itself_and_a_village_its_county() {
        let names = |r: &str| -> Vec<String> {
            levels_of(&code(r)).iter().map(|c| c.to_string()).collect()
        };
        assert_eq!(names("510821"), ["51", "5108", "510821"]);
        assert_eq!(names("510821108212"), ["51", "5108", "510821"]);
        assert_eq!(names("51"), ["51"]);
    }
}
