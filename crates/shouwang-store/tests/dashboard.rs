//! The home pages' reads on every configured backend: cases counted by type, state and month
//! (what is being identified left out), the list behind each figure holding exactly as many
//! cases as the figure says (and only the region's), the cases monitored at a month's end as
//! the trend counts them, visits by month, and an assistance person's paired households with
//! their visits.

use shouwang_core::dashboard::{months_ending, CaseState, Figures, Trends};
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::CaseType;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::dashboard::CaseFilter;
use shouwang_store::testing::TestDb;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn ym(text: &str) -> YearMonth {
    YearMonth::parse(text).unwrap()
}

/// Households of the two villages: (桃红村's, 龙凤村's).
fn county(db: &TestDb) -> (Vec<String>, Vec<String>) {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 16,
            seed: 21,
            today: Date::parse("2026-11-01").unwrap(),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let of = |v: &str| -> Vec<String> {
        data.iter()
            .filter(|(h, _)| h.village.as_str() == v)
            .map(|(h, _)| h.household_no.clone())
            .collect()
    };
    (of(TAOHONG), of(LONGFENG))
}

/// A case: type, status (0 identifying, 1 at risk, 2 eliminated), kind, identified, eliminated.
fn case(
    db: &TestDb,
    no: &str,
    ty: i64,
    status: i64,
    kind: Option<i64>,
    identified: &str,
    eliminated: Option<&str>,
) {
    let kind = kind.map_or("NULL".to_string(), |k| k.to_string());
    let eliminated = eliminated.map_or("NULL".to_string(), |e| format!("'{e}'"));
    db.execute_unchecked(&format!(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, elimination_kind, eliminated, created_at, updated_at)
         VALUES ('510821', '{no}', {ty}, '0', '{identified}', {status}, {kind}, {eliminated}, 0, 0)"
    ))
    .unwrap();
}

fn world() -> Vec<(TestDb, Vec<String>, Vec<String>)> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            let db = db.with_regions(&[
                ("510821108", "三江镇"),
                (TAOHONG, "桃红村"),
                ("510821115", "龙凤镇"),
                (LONGFENG, "龙凤村"),
            ]);
            let (t, l) = county(&db);
            // 桃红村: two at risk (one new in November), one eliminated after assistance in
            // October, one eliminated naturally in November, one still being identified
            case(&db, &t[0], 2, 1, None, "2026-11", None);
            case(&db, &t[1], 1, 1, None, "2025-03", None);
            case(&db, &t[2], 1, 2, Some(0), "2025-06", Some("2026-10"));
            case(&db, &t[3], 3, 2, Some(1), "2026-02", Some("2026-11"));
            case(&db, &t[4], 2, 0, None, "2026-11", None);
            // 龙凤村: one at risk
            case(&db, &l[0], 3, 1, None, "2026-09", None);
            (db, t, l)
        })
        .collect()
}

#[test]
fn the_tally_counts_monitoring_objects_by_type_and_state_and_leaves_out_those_being_identified() {
    for (db, _, _) in world() {
        let nov = ym("2026-11");
        let county = db.store.dashboard_case_tally(&region("510821")).unwrap();
        let f = Figures::of(0, 0, &county, nov);
        assert_eq!(f.monitored(), 5, "{}", db.name);
        assert_eq!(f.in_state(CaseState::AtRisk), 3);
        assert_eq!(
            f.get(CaseType::UnstablePostPoverty, CaseState::AfterAssistance),
            1
        );
        assert_eq!(f.get(CaseType::SuddenHardship, CaseState::Natural), 1);
        assert_eq!(f.new_this_month, 1);
        assert_eq!(f.eliminated_this_month, 1);
        // a township and a village see their own only
        let town = Figures::of(
            0,
            0,
            &db.store.dashboard_case_tally(&region("510821108")).unwrap(),
            nov,
        );
        assert_eq!(town.monitored(), 4);
        let longfeng = Figures::of(
            0,
            0,
            &db.store.dashboard_case_tally(&region(LONGFENG)).unwrap(),
            nov,
        );
        assert_eq!(longfeng.monitored(), 1);
        assert_eq!(longfeng.get(CaseType::SuddenHardship, CaseState::AtRisk), 1);
    }
}

#[test]
fn each_figures_list_holds_as_many_cases_as_the_figure_and_only_the_regions() {
    for (db, t, l) in world() {
        let nov = ym("2026-11");
        for code in ["510821", "510821108", TAOHONG, LONGFENG] {
            let r = region(code);
            let f = Figures::of(0, 0, &db.store.dashboard_case_tally(&r).unwrap(), nov);
            let count = |filter: CaseFilter| {
                db.store.dashboard_cases(&r, &filter, 100, 0).unwrap().1 as u64
            };
            assert_eq!(
                count(CaseFilter::default()),
                f.monitored(),
                "{code} on {}",
                db.name
            );
            for ty in CaseType::ALL {
                for st in CaseState::ALL {
                    let n = count(CaseFilter {
                        case_type: Some(*ty),
                        state: Some(st),
                        ..CaseFilter::default()
                    });
                    assert_eq!(n, f.get(*ty, st), "{code} {ty:?} {st:?}");
                }
            }
            assert_eq!(
                count(CaseFilter {
                    identified: Some(nov),
                    ..CaseFilter::default()
                }),
                f.new_this_month
            );
            assert_eq!(
                count(CaseFilter {
                    eliminated: Some(nov),
                    ..CaseFilter::default()
                }),
                f.eliminated_this_month
            );
            assert_eq!(
                count(CaseFilter {
                    eliminated_any: true,
                    ..CaseFilter::default()
                }),
                f.in_state(CaseState::AfterAssistance) + f.in_state(CaseState::Natural)
            );
        }
        // the list names its households, by village
        let (rows, total) = db
            .store
            .dashboard_cases(&region(TAOHONG), &CaseFilter::default(), 2, 0)
            .unwrap();
        assert_eq!(total, 4);
        assert_eq!(rows.len(), 2, "a page at a time");
        assert!(rows
            .iter()
            .all(|r| r.village == TAOHONG && r.village_name == "桃红村"));
        assert!(rows.iter().all(|r| !r.head_name.is_empty()));
        assert!(!rows.iter().any(|r| r.household_no == l[0]));
        assert!(
            !rows.iter().any(|r| r.household_no == t[4]),
            "not while being identified"
        );
    }
}

#[test]
fn the_cases_monitored_at_a_months_end_are_those_the_trend_counts() {
    for (db, _, _) in world() {
        let r = region("510821");
        let tally = db.store.dashboard_case_tally(&r).unwrap();
        let months = months_ending(ym("2026-11"), 12);
        let tr = Trends::of(&months, &tally, &[]);
        for (m, n) in months.iter().zip(&tr.monitored) {
            let listed = db
                .store
                .dashboard_cases(
                    &r,
                    &CaseFilter {
                        at_end: Some(*m),
                        ..CaseFilter::default()
                    },
                    100,
                    0,
                )
                .unwrap()
                .1 as u64;
            assert_eq!(listed, *n, "{m} on {}", db.name);
        }
        // September: 2025-03 and 2025-06 (eliminated in October), 2026-02, 2026-09
        assert_eq!(
            tr.monitored[months.iter().position(|m| *m == ym("2026-09")).unwrap()],
            4
        );
        assert_eq!(tr.monitored[11], 3);
    }
}

#[test]
fn visits_are_counted_by_month_and_an_assistance_person_sees_the_paired_households_visits() {
    for (db, t, l) in world() {
        db.execute_unchecked(&format!(
            "INSERT INTO users (username, display_name, password_hash, role, region, created_at) VALUES ('wang', '王帮扶', 'x', 'assistance', '{TAOHONG}', 0);
             INSERT INTO assistance_persons (county, position, name, username, created_at, updated_at) VALUES ('510821', 3, '王帮扶', 'wang', 0, 0);
             INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
               SELECT '510821', id, '{a}', '{TAOHONG}', '2026-01-01', 'test', 0 FROM assistance_persons WHERE username = 'wang';
             INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, end_on, created_by, created_at)
               SELECT '510821', id, '{b}', '{TAOHONG}', '2026-01-01', '2026-06-30', 'test', 0 FROM assistance_persons WHERE username = 'wang';
             INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, created_at)
               SELECT '510821', '{a}', '{TAOHONG}', '2026-11-03', 'wang', '王帮扶', 3, id, '正常', 0 FROM assistance_persons WHERE username = 'wang';
             INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, findings, created_at)
               VALUES ('510821', '{a}', '{TAOHONG}', '2026-10-20', 'cadre', '村干部', 1, '正常', 0),
                      ('510821', '{c}', '{LONGFENG}', '2026-11-05', 'cadre', '村干部', 1, '正常', 0),
                      ('510821', '{c}', '{LONGFENG}', '2025-01-05', 'cadre', '村干部', 1, '正常', 0);",
            a = t[0],
            b = t[1],
            c = l[0],
        ))
        .unwrap();
        let since = Date::parse("2025-12-01").unwrap();
        let mut county = db
            .store
            .dashboard_visits_by_month(&region("510821"), since)
            .unwrap();
        county.sort();
        assert_eq!(
            county,
            vec![(ym("2026-10"), 1), (ym("2026-11"), 2)],
            "{}",
            db.name
        );
        let town = db
            .store
            .dashboard_visits_by_month(&region("510821108"), since)
            .unwrap();
        assert_eq!(town.iter().map(|(_, n)| n).sum::<u64>(), 2);

        let user = db.store.user_by_name("wang").unwrap().unwrap();
        let today = Date::parse("2026-11-20").unwrap();
        let paired = db
            .store
            .dashboard_paired_visits(user.id, today, Date::parse("2026-10-01").unwrap())
            .unwrap();
        assert_eq!(paired.len(), 1, "the ended pairing is gone");
        assert_eq!(paired[0].household_no, t[0]);
        assert!(!paired[0].head_name.is_empty());
        // only the person's own visit counts for the duty
        assert_eq!(paired[0].visits, vec![Date::parse("2026-11-03").unwrap()]);
    }
}
