//! 促增收 on every configured backend: a synthetic county's income figures, read through the
//! store, match what the generator's data says (counted independently by
//! `income_tracking::truth`); the ledger takes exactly the households below the watch line, each
//! once per year, with its responsible person; a clearing is kept with when, how and who, cannot
//! happen twice, and leaves the entry in the history.

use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::income_tracking::{
    figures, ledger_candidates, truth, ClearMethod, Clearing, Group, LowIncomeBand, Thresholds,
};
use shouwang_core::synth::{assistance, generate, records, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;
use std::collections::BTreeMap;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const REGIONS: &[(&str, &str)] = &[
    ("510821108", "三江镇"),
    (TAOHONG, "桃红村"),
    ("510821115", "龙凤镇"),
    (LONGFENG, "龙凤社区"),
];

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn today() -> Date {
    Date::new(2026, 11, 30).unwrap()
}

fn thresholds() -> Thresholds {
    Thresholds {
        rural_growth_permille: 66,
        watch: Fen::from_yuan(10_000),
        target: Fen::from_yuan(8_500),
    }
}

/// Loads a synthetic county (households, two years of incomes, cases, pairings) and returns
/// the truth its generator's data gives for 2026.
fn county(db: &TestDb, households: usize) -> shouwang_core::income_tracking::Truth {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households,
            seed: 16,
            today: today(),
            county: region("510821"),
        },
        &villages,
    );
    let s = &db.store;
    let system = Actor::system("test");
    s.bulk_load(&system, &data, "test.load").unwrap();
    let r = records(&data, 16, today(), Fen::from_yuan(8_700));
    let incomes: Vec<(String, String, Income)> = r
        .incomes
        .iter()
        .map(|(i, inc)| ("510821".to_string(), data[*i].0.household_no.clone(), *inc))
        .collect();
    s.bulk_ledger(&system, &incomes, &[], "test.ledger")
        .unwrap();
    let cases: Vec<_> = r.cases.iter().map(|(_, c)| c.clone()).collect();
    s.bulk_cases(&system, &region("510821"), &cases, today(), "test.cases")
        .unwrap();
    let a = assistance(&data, &r, 16, today(), "旺苍县");
    s.bulk_assistance(&system, &region("510821"), &a, "test.assistance")
        .unwrap();
    let monitored: Vec<usize> = r.cases.iter().map(|(i, _)| *i).collect();
    truth(&data, &r.incomes, &monitored, 2026, &thresholds())
}

#[test]
fn the_income_figures_match_the_generators_truth() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let truth = county(&db, 1_200);
        let facts = db.store.income_year_facts(&region("510821"), 2026).unwrap();
        let f = figures(facts.iter());
        for (g, households, persons, net, comparable, fell) in &truth.groups {
            let got = f.iter().find(|x| x.group == *g).unwrap();
            assert_eq!(got.current.households, *households, "{} {g:?}", db.name);
            assert_eq!(got.current.persons, *persons, "{} {g:?}", db.name);
            assert_eq!(got.current.net, *net, "{} {g:?}", db.name);
            assert_eq!(got.comparable.households, *comparable, "{} {g:?}", db.name);
            assert_eq!(got.fell, *fell, "{} {g:?}", db.name);
        }
        let all = f.iter().find(|x| x.group == Group::All).unwrap();
        assert!(
            all.current.households > 50,
            "the county has 脱贫 households"
        );
        assert!(all.growth_permille().is_some());
        // a village's figures are a part of the county's
        let village = db.store.income_year_facts(&region(TAOHONG), 2026).unwrap();
        assert!(!village.is_empty() && village.len() < facts.len());
        assert!(village.iter().all(|h| h.village.as_str() == TAOHONG));
    }
}

#[test]
fn the_ledger_takes_the_households_below_the_line_once_and_keeps_cleared_ones() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let truth = county(&db, 1_200);
        let s = &db.store;
        let county = region("510821");
        let facts = s.income_year_facts(&county, 2026).unwrap();
        let candidates = ledger_candidates(&facts, &thresholds());
        let system = Actor::system("test");
        let entered = s
            .enter_low_income(&system, &county, 2026, &candidates, today())
            .unwrap();
        assert_eq!(entered, truth.ledger.len(), "{}", db.name);
        assert!(
            entered > 0,
            "{}: some households are below 10,000 元",
            db.name
        );
        // entering again makes nothing new
        assert_eq!(
            s.enter_low_income(&system, &county, 2026, &candidates, today())
                .unwrap(),
            0
        );
        let entries = s.low_income_entries(&county, 2026, false).unwrap();
        let got: BTreeMap<String, LowIncomeBand> = entries
            .iter()
            .map(|e| (e.household_no.clone(), e.band))
            .collect();
        assert_eq!(got, truth.ledger, "{}", db.name);
        assert!(got.values().any(|b| *b == LowIncomeBand::BelowTarget));
        // responsible persons come from today's pairings
        let responsible = s.responsible_persons(&county, today()).unwrap();
        assert!(
            entries
                .iter()
                .any(|e| responsible.contains_key(&e.household_no)),
            "{}",
            db.name
        );
        // clearing: kept with when, how and who; a second clearing is a conflict
        let e = &entries[0];
        let clearing = Clearing {
            method: ClearMethod::DataCorrected,
            note: "入户核实，务工收入漏登，已更正".into(),
            on: today(),
        };
        let cleared = s
            .clear_low_income(
                &Actor::system("cadre"),
                e.id,
                &clearing,
                Some(Fen(1_200_000)),
            )
            .unwrap();
        assert_eq!(cleared.cleared_on, Some(today()));
        assert_eq!(cleared.cleared_method, Some(ClearMethod::DataCorrected));
        assert_eq!(cleared.cleared_by, "system:cadre");
        assert_eq!(cleared.cleared_per_capita, Some(Fen(1_200_000)));
        match s.clear_low_income(&Actor::system("cadre"), e.id, &clearing, None) {
            Err(StoreError::Invalid(p)) => {
                assert_eq!(p[0].code, ProblemCode::IncomeTrackingCleared)
            }
            other => panic!("{}: {other:?}", db.name),
        }
        // the cleared entry stays in the ledger and the household's history; not among the open
        assert_eq!(
            s.low_income_entries(&county, 2026, false).unwrap().len(),
            entries.len()
        );
        let open = s.low_income_entries(&county, 2026, true).unwrap();
        assert_eq!(open.len(), entries.len() - 1);
        let history = s.low_income_history(&e.household_no).unwrap();
        assert_eq!(history.len(), 1);
        assert!(!history[0].is_open());
        // and a cleared household is not entered again for the same year
        assert_eq!(
            s.enter_low_income(&system, &county, 2026, &candidates, today())
                .unwrap(),
            0
        );
        assert!(db.count_rows("audit_events") > 0);
        // the next year: open entries are carried (kept until cleared), not entered again; the
        // cleared household is entered anew
        let entered_2027 = s
            .enter_low_income(&system, &county, 2027, &candidates, today())
            .unwrap();
        assert_eq!(entered_2027, 1, "{}", db.name);
        let ledger_2027 = s.low_income_entries(&county, 2027, false).unwrap();
        assert_eq!(ledger_2027.len(), entries.len(), "{}", db.name);
        assert_eq!(
            ledger_2027
                .iter()
                .filter(|x| x.year == 2026 && x.is_open())
                .count(),
            entries.len() - 1
        );
        assert!(ledger_2027
            .iter()
            .any(|x| x.year == 2027 && x.household_no == e.household_no));
    }
}

#[test]
fn a_year_of_quarters_counts_as_the_years_income() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        county(&db, 30);
        let s = &db.store;
        let county = region("510821");
        let facts = s.income_year_facts(&county, 2026).unwrap();
        let h = facts.iter().find(|h| h.size > 0).unwrap();
        // the year 2027 has only quarters
        let quarters: Vec<(String, String, Income)> = (1..=4)
            .map(|q| {
                (
                    "510821".to_string(),
                    h.household_no.clone(),
                    Income {
                        wages: Fen::from_yuan(2_000),
                        ..Income::empty(IncomePeriod::quarter(2027, q))
                    },
                )
            })
            .collect();
        s.bulk_ledger(&Actor::system("test"), &quarters, &[], "test.quarters")
            .unwrap();
        let one = s
            .income_household_facts(&county, &h.household_no, 2027)
            .unwrap();
        assert_eq!(one.current.unwrap().wages, Fen::from_yuan(8_000));
        assert_eq!(one.previous, h.current);
        assert!(matches!(
            s.income_household_facts(&county, "no-such-household", 2027),
            Err(StoreError::NotFound)
        ));
    }
}

#[test]
fn two_years_read_at_once_equal_each_year_read_alone() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        county(&db, 300);
        let s = &db.store;
        let county = region("510821");
        let (now, before) = s.income_two_year_facts(&county, 2026).unwrap();
        let nameless = |hs: Vec<shouwang_core::income_tracking::HouseholdYear>| {
            hs.into_iter()
                .map(|mut h| {
                    h.head_name.clear();
                    h
                })
                .collect::<Vec<_>>()
        };
        let alone = s.income_year_facts(&county, 2026).unwrap();
        assert!(alone.iter().any(|h| !h.head_name.is_empty() && h.size > 0));
        assert_eq!(now, nameless(alone), "{}", db.name);
        assert_eq!(
            before,
            nameless(s.income_year_facts(&county, 2025).unwrap()),
            "{}",
            db.name
        );
        // a township's facts are its part of the county's
        let township = s.income_year_facts(&region("510821108"), 2026).unwrap();
        assert!(!township.is_empty());
        assert!(township
            .iter()
            .all(|h| h.village.as_str().starts_with("510821108")));
    }
}
