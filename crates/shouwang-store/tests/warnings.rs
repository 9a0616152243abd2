//! The warnings list per household: grouped, paged, counted and filtered as the run saved it,
//! on every configured backend.

use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::{evaluate, RuleId, RuleSetting, WarningLevel};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income::Guarantees;
use shouwang_store::testing::TestDb;
use shouwang_store::warnings::{HouseholdWarningFilter, WarnedHousehold};
use std::collections::BTreeMap;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn actor() -> Actor {
    Actor::system("test")
}

fn sichuan(line_yuan: i64) -> Standard {
    Standard::provincial(2026, region("51"), Fen::from_yuan(line_yuan))
}

/// What the run flagged: household number → (village, level, rules).
type Expected = BTreeMap<String, (String, WarningLevel, Vec<RuleId>)>;

/// A county of two villages, screened once; R02 (near the line) moved from its default level
/// to red by the county's rule set, so that levels come from the run's rule set.
fn screened(db: &TestDb) -> Expected {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 240,
            seed: 5,
            today: today(),
            county: region("510821"),
        },
        &villages,
    );
    db.store.bulk_load(&actor(), &data, "test.load").unwrap();
    db.store.save_standard(&actor(), &sichuan(8700)).unwrap();
    let mut incomes = Vec::new();
    let mut flags = Vec::new();
    for (i, (h, members)) in data.iter().enumerate() {
        let size = members.len() as i64;
        // below the line, near it, or well above it
        let per_head = [3_000, 9_000, 40_000][i % 3];
        incomes.push((
            "510821".to_string(),
            h.household_no.clone(),
            Income {
                wages: Fen::from_yuan(per_head * size),
                ..Income::empty(IncomePeriod::year(2026))
            },
        ));
        if i % 7 == 0 {
            flags.push((
                "510821".to_string(),
                h.household_no.clone(),
                Guarantees {
                    as_of: Date::new(2026, 9, 1).unwrap(),
                    unsafe_housing: true,
                    dropout: false,
                    uninsured: false,
                    unsafe_water: false,
                    food_clothing: false,
                    source: String::new(),
                },
            ));
        }
    }
    db.store
        .bulk_ledger(&actor(), &incomes, &flags, "test.ledger")
        .unwrap();
    let county = region("510821");
    let mut rules = db.store.rule_set(&county, 2026).unwrap();
    rules.set(RuleSetting {
        rule: RuleId::IncomeNearLine,
        enabled: true,
        level: WarningLevel::Red,
    });
    db.store.save_rule_set(&actor(), &county, &rules).unwrap();
    let loaded = db.store.load_snapshot(&county, 2026, today()).unwrap();
    let screening = evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard).unwrap();
    db.store
        .save_screening(&actor(), &loaded, &screening, shouwang_store::now())
        .unwrap();
    let mut expected = Expected::new();
    for h in screening.hits() {
        let no = loaded.household_no(h.household).to_string();
        let village = data
            .iter()
            .find(|(x, _)| x.household_no == no)
            .map(|(x, _)| x.village.as_str().to_string())
            .unwrap();
        let e = expected.entry(no).or_insert((village, h.level, Vec::new()));
        e.1 = e.1.highest(h.level);
        e.2.push(h.rule);
    }
    expected
}

fn counts(expected: &Expected, prefix: &str) -> [i64; 3] {
    let mut out = [0; 3];
    for (village, level, _) in expected.values() {
        if village.starts_with(prefix) {
            out[level.index()] += 1;
        }
    }
    out
}

fn all(db: &TestDb, f: &HouseholdWarningFilter) -> Vec<WarnedHousehold> {
    let mut out = Vec::new();
    db.store
        .each_warned_household(f, |h| {
            out.push(h.clone());
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn one_row_per_household_with_its_level_and_rules_and_totals_that_match_the_run() {
    for db in TestDb::all() {
        let db = db.with_regions(&[
            ("510821108", "三江镇"),
            (TAOHONG, "桃红村村民委员会"),
            ("510821115", "龙凤镇"),
            (LONGFENG, "龙凤村村民委员会"),
        ]);
        let expected = screened(&db);
        let n = db.name;
        assert!(expected.len() > 100, "{n}: {}", expected.len());
        let county = HouseholdWarningFilter::region(region("510821"));
        let page = db.store.warned_households(&county, 0, 50).unwrap();
        let run = page.run.clone().unwrap();
        // the totals are the run's, and the households the run flagged
        assert_eq!(page.by_level, [run.red, run.yellow, run.blue], "{n}");
        assert_eq!(page.by_level, counts(&expected, ""), "{n}");
        assert_eq!(page.total, run.flagged_households, "{n}");
        assert!(
            page.by_level[0] > 0 && page.by_level[1] + page.by_level[2] > 0,
            "{n}"
        );
        assert_eq!(page.rows.len(), 50);
        // every flagged household once, in number order, with its highest level and its rules
        let listed = all(&db, &county);
        assert_eq!(listed.len(), expected.len(), "{n}");
        for (row, (no, (village, level, rules))) in listed.iter().zip(&expected) {
            assert_eq!(&row.household_no, no, "{n}");
            assert_eq!(&row.village, village);
            assert_eq!(row.level, *level, "{n} {no}");
            assert_eq!(&row.rules, rules, "{n} {no}");
            assert!(!row.head_name.is_empty(), "{n} {no}");
            assert!(row.since > 0);
        }
        assert_eq!(page.rows[..], listed[..50], "{n}");
        // pages of 7 cover the list once
        let mut paged = Vec::new();
        for p in 0..(page.total + 6) / 7 {
            paged.extend(db.store.warned_households(&county, p * 7, 7).unwrap().rows);
        }
        assert_eq!(paged, listed, "{n}");
        // a village and a township: their own households, totals summing to the county's
        let mut sum = [0; 3];
        for (code, township) in [(TAOHONG, "510821108"), (LONGFENG, "510821115")] {
            let v = HouseholdWarningFilter::region(region(code));
            let vp = db.store.warned_households(&v, 0, 1000).unwrap();
            assert_eq!(vp.by_level, counts(&expected, code), "{n} {code}");
            assert_eq!(vp.total, vp.by_level.iter().sum::<i64>());
            assert_eq!(vp.rows.len() as i64, vp.total);
            assert!(vp.rows.iter().all(|r| r.village == code));
            let t = db.store.warning_totals(&region(township)).unwrap().unwrap();
            assert_eq!(t.1, vp.by_level, "{n} {township}");
            for (s, v) in sum.iter_mut().zip(vp.by_level) {
                *s += v;
            }
        }
        assert_eq!(sum, page.by_level, "{n}");
        // filters: the level is the household's highest, a rule or a risk any of its hits
        for level in WarningLevel::ALL.iter().copied() {
            let f = HouseholdWarningFilter {
                level: Some(level),
                ..county.clone()
            };
            let rows = all(&db, &f);
            assert_eq!(
                rows.len() as i64,
                page.by_level[level.index()],
                "{n} {level:?}"
            );
            assert!(rows.iter().all(|r| r.level == level));
            assert_eq!(
                db.store.warned_households(&f, 0, 5).unwrap().total,
                rows.len() as i64
            );
        }
        let housing = HouseholdWarningFilter {
            rule: Some(RuleId::UnsafeHousing),
            ..county.clone()
        };
        let want = expected
            .values()
            .filter(|e| e.2.contains(&RuleId::UnsafeHousing))
            .count();
        assert!(want > 0);
        let p = db.store.warned_households(&housing, 0, 1000).unwrap();
        assert_eq!(p.total as usize, want, "{n}");
        assert_eq!(p.rows.len(), want);
        assert!(p
            .rows
            .iter()
            .all(|r| r.rules.contains(&RuleId::UnsafeHousing)));
        // the totals per level stay the region's whatever the filters
        assert_eq!(p.by_level, page.by_level);
        let income_risk = RuleId::IncomeBelowLine.def().risk;
        let f = HouseholdWarningFilter {
            risk: Some(income_risk),
            level: Some(WarningLevel::Red),
            region: region(TAOHONG),
            rule: None,
        };
        let want = expected
            .values()
            .filter(|e| {
                e.0 == TAOHONG
                    && e.1 == WarningLevel::Red
                    && e.2.iter().any(|r| r.def().risk == income_risk)
            })
            .count();
        let p = db.store.warned_households(&f, 0, 1000).unwrap();
        assert_eq!(p.total as usize, want, "{n}");
        assert!(p.rows.iter().all(|r| r.risks.contains(&income_risk)));
        // a risk no catalogue rule raises: nothing, counted as nothing
        let none = HouseholdWarningFilter {
            risk: Some(RiskType::Accident),
            ..county.clone()
        };
        assert!(RuleId::ALL
            .iter()
            .all(|r| r.def().risk != RiskType::Accident));
        let p = db.store.warned_households(&none, 0, 50).unwrap();
        assert_eq!((p.rows.len(), p.total), (0, 0), "{n}");
        // a run's new warnings: all of the first run's
        assert_eq!(
            db.store.new_warned_households(run.id, None).unwrap(),
            run.flagged_households
        );
        assert_eq!(
            db.store
                .new_warned_households(run.id, Some(run.id))
                .unwrap(),
            0
        );
        // nothing changed since the run (the loads before it, in the same second, are older)
        let county_code = region("510821");
        assert!(
            !db.store
                .screening_data_changed_since(&county_code, &run)
                .unwrap(),
            "{n}"
        );
        db.store
            .save_income(
                &actor(),
                &listed[0].household_no,
                &Income {
                    wages: Fen::from_yuan(1),
                    ..Income::empty(IncomePeriod::year(2026))
                },
            )
            .unwrap();
        assert!(
            db.store
                .screening_data_changed_since(&county_code, &run)
                .unwrap(),
            "{n}"
        );
    }
}

#[test]
fn an_unscreened_county_has_no_list() {
    for db in TestDb::all() {
        let db = db.with_regions(&[("510821108", "三江镇"), (TAOHONG, "桃红村村民委员会")]);
        let f = HouseholdWarningFilter::region(region(TAOHONG));
        let page = db.store.warned_households(&f, 0, 50).unwrap();
        assert!(page.run.is_none() && page.rows.is_empty() && page.total == 0);
        assert_eq!(db.store.warning_totals(&region("510821")).unwrap(), None);
    }
}
