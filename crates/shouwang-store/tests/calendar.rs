//! The working calendar in the store, on every configured backend: a province's days hold in its
//! counties, a county's own entry beats its province's, a year is replaced whole, and a calendar
//! with a date twice or outside its year is refused with nothing written.

use shouwang_core::calendar::{CalendarDay, DayKind};
use shouwang_core::{Date, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

fn day(date: &str, kind: DayKind, name: &str) -> CalendarDay {
    CalendarDay {
        date: d(date),
        kind,
        name: name.into(),
    }
}

fn actor() -> Actor {
    Actor::system("test")
}

/// 国庆节 2026 as the State Council set it: 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10
/// worked.
fn national_day() -> Vec<CalendarDay> {
    let mut days: Vec<CalendarDay> = (1..=7)
        .map(|n| day(&format!("2026-10-0{n}"), DayKind::Holiday, "国庆节"))
        .collect();
    days.push(day("2026-09-20", DayKind::MakeUpWorkday, "国庆节调休"));
    days.push(day("2026-10-10", DayKind::MakeUpWorkday, "国庆节调休"));
    days
}

#[test]
fn a_provinces_days_hold_in_its_counties_and_a_countys_own_entry_wins() {
    for db in TestDb::all() {
        let s = &db.store;
        s.save_calendar_days(&actor(), &code("51"), 2026, &national_day())
            .unwrap();
        // the county works 10-08 as usual but takes 10-09 off for a local festival, and
        // decides to work 10-07 (its own entry beats the province's)
        s.save_calendar_days(
            &actor(),
            &code("510821"),
            2026,
            &[
                day("2026-10-09", DayKind::Holiday, "县庆"),
                day("2026-10-07", DayKind::MakeUpWorkday, "县里调整"),
            ],
        )
        .unwrap();
        let county = s.calendar_for(&code("510821")).unwrap();
        assert!(!county.is_working_day(d("2026-10-01")), "{}", db.name);
        assert!(county.is_working_day(d("2026-10-07")), "{}", db.name);
        assert!(county.is_working_day(d("2026-10-08")), "{}", db.name);
        assert!(!county.is_working_day(d("2026-10-09")), "{}", db.name);
        assert!(county.is_working_day(d("2026-10-10")), "{}", db.name);
        // a village reads its county's calendar; the next county only the province's
        let village = s.calendar_for(&code("510821108212")).unwrap();
        assert!(!village.is_working_day(d("2026-10-09")), "{}", db.name);
        let next = s.calendar_for(&code("510822")).unwrap();
        assert!(next.is_working_day(d("2026-10-09")), "{}", db.name);
        assert!(!next.is_working_day(d("2026-10-07")), "{}", db.name);
        // Tuesday 09-29 + 5 working days: 09-30, 10-07 (worked in the county), 10-08, 10-10
        // (Saturday worked), 10-12 (10-09 off)
        assert_eq!(
            county.add_working_days(d("2026-09-29"), 5),
            d("2026-10-12"),
            "{}",
            db.name
        );

        let listed = s.calendar_days(&code("510821"), 2026).unwrap();
        let seen: Vec<(String, String, DayKind)> = listed
            .iter()
            .map(|e| (e.day.date.to_string(), e.region.to_string(), e.day.kind))
            .collect();
        assert_eq!(seen.len(), 10, "{}: {seen:?}", db.name);
        assert_eq!(
            seen[0],
            ("2026-09-20".into(), "51".into(), DayKind::MakeUpWorkday),
            "{}",
            db.name
        );
        assert!(
            seen.contains(&("2026-10-07".into(), "510821".into(), DayKind::MakeUpWorkday)),
            "{}: {seen:?}",
            db.name
        );
        assert!(s.calendar_days(&code("510821"), 2027).unwrap().is_empty());
    }
}

#[test]
fn saving_a_year_replaces_that_year_of_that_region_only_and_is_audited() {
    for db in TestDb::all() {
        let s = &db.store;
        let county = code("510821");
        s.save_calendar_days(&actor(), &county, 2026, &national_day())
            .unwrap();
        s.save_calendar_days(
            &actor(),
            &county,
            2027,
            &[day("2027-01-01", DayKind::Holiday, "元旦")],
        )
        .unwrap();
        s.save_calendar_days(
            &actor(),
            &code("51"),
            2026,
            &[day("2026-01-01", DayKind::Holiday, "元旦")],
        )
        .unwrap();
        // 2026 again, with only two days: the other seven are gone, 2027 and the province stay
        s.save_calendar_days(
            &actor(),
            &county,
            2026,
            &[
                day("2026-10-01", DayKind::Holiday, "国庆节"),
                day("2026-10-02", DayKind::Holiday, "  国庆节  "),
            ],
        )
        .unwrap();
        let own: Vec<String> = s
            .calendar_days(&county, 2026)
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {} {}", e.region, e.day.date, e.day.name))
            .collect();
        assert_eq!(
            own,
            [
                "51 2026-01-01 元旦",
                "510821 2026-10-01 国庆节",
                "510821 2026-10-02 国庆节"
            ],
            "{}",
            db.name
        );
        assert_eq!(s.calendar_days(&county, 2027).unwrap().len(), 1);
        let history = s.history("calendar", "510821/2026", 10).unwrap();
        assert_eq!(history.len(), 2, "{}", db.name);
        assert_eq!(history[0].action, "calendar.save");
        let before = history[0].before.as_ref().unwrap().as_array().unwrap();
        let after = history[0].after.as_ref().unwrap().as_array().unwrap();
        assert_eq!((before.len(), after.len()), (9, 2), "{}", db.name);
        // an empty list clears the year
        s.save_calendar_days(&actor(), &county, 2026, &[]).unwrap();
        assert_eq!(s.calendar_days(&county, 2026).unwrap().len(), 1);
    }
}

#[test]
fn a_date_twice_or_outside_the_year_is_refused_with_the_reason_and_nothing_is_written() {
    for db in TestDb::all() {
        let s = &db.store;
        let county = code("510821");
        s.save_calendar_days(&actor(), &county, 2026, &national_day())
            .unwrap();
        let mut twice = national_day();
        twice.push(day("2026-10-03", DayKind::MakeUpWorkday, ""));
        twice.push(day("2027-01-01", DayKind::Holiday, "元旦"));
        let Err(StoreError::Invalid(problems)) =
            s.save_calendar_days(&actor(), &county, 2026, &twice)
        else {
            panic!("{}: a date twice was accepted", db.name);
        };
        let codes: Vec<(ProblemCode, String)> =
            problems.iter().map(|p| (p.code, p.field.clone())).collect();
        assert!(
            codes.contains(&(ProblemCode::CalendarDuplicateDate, "days[9].date".into())),
            "{}: {codes:?}",
            db.name
        );
        assert!(
            codes.contains(&(ProblemCode::CalendarDateOutsideYear, "days[10].date".into())),
            "{}: {codes:?}",
            db.name
        );
        assert!(problems.iter().any(|p| p.zh.contains("2026-10-03")));
        // the stored year is as it was, and nothing was audited
        assert_eq!(s.calendar_days(&county, 2026).unwrap().len(), 9);
        assert_eq!(s.history("calendar", "510821/2026", 10).unwrap().len(), 1);

        // a name PostgreSQL could not store, or too long to be a name, is refused by its field
        let Err(StoreError::Invalid(p)) = s.save_calendar_days(
            &actor(),
            &county,
            2026,
            &[
                day("2026-10-01", DayKind::Holiday, "国庆\0节"),
                day("2026-10-02", DayKind::Holiday, &"节".repeat(51)),
            ],
        ) else {
            panic!("{}: a NUL in a name was accepted", db.name);
        };
        let named: Vec<(ProblemCode, &str)> =
            p.iter().map(|p| (p.code, p.field.as_str())).collect();
        assert_eq!(
            named,
            [
                (ProblemCode::TextControl, "days[0].name"),
                (ProblemCode::TextTooLong, "days[1].name")
            ],
            "{}",
            db.name
        );
        assert_eq!(s.calendar_days(&county, 2026).unwrap().len(), 9);

        for (region, year, want) in [
            ("510821108", 2026, ProblemCode::CalendarRegionLevel),
            ("510821", 1999, ProblemCode::CalendarYear),
        ] {
            let Err(StoreError::Invalid(p)) =
                s.save_calendar_days(&actor(), &code(region), year, &[])
            else {
                panic!("{}: {region} {year} was accepted", db.name);
            };
            assert_eq!(p[0].code, want, "{}", db.name);
        }
    }
}
