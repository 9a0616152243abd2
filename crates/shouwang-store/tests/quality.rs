//! 数据质量 as stored, on every configured backend: the facts streamed village by village carry
//! every household, member, case, income, 三保障 row, measure and pairing the loaders wrote; a
//! record damaged in the database is found; exemptions are granted once, withdrawn with a
//! reason, kept in the list and audited, and never reach outside the caller's region.

use shouwang_core::income::Income;
use shouwang_core::quality::{Checker, HouseholdFacts, Limits, Rule};
use shouwang_core::synth::{assistance, generate, records, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income::Guarantees;
use shouwang_store::quality::ExemptionTarget;
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;
use std::collections::HashMap;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const REGIONS: &[(&str, &str)] = &[
    ("510821108", "三江镇"),
    (TAOHONG, "桃红村"),
    ("510821115", "龙凤镇"),
    (LONGFENG, "龙凤社区"),
];

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}
fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}
fn today() -> Date {
    d("2026-11-20")
}

struct Loaded {
    households: usize,
    persons: usize,
    cases: usize,
    incomes: usize,
    paired: usize,
    measures: usize,
}

/// A county of 60 households in two villages with incomes, 三保障 checks, cases and assistance.
fn load(db: &TestDb) -> Loaded {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 60,
            seed: 16,
            today: today(),
            county: region("510821"),
        },
        &villages,
    );
    let actor = Actor::system("test");
    db.store.bulk_load(&actor, &data, "test.load").unwrap();
    let r = records(&data, 16, today(), Fen::from_yuan(8_000));
    let key = |i: usize| ("510821".to_string(), data[i].0.household_no.clone());
    let incomes: Vec<(String, String, Income)> = r
        .incomes
        .iter()
        .map(|(i, inc)| {
            let (c, n) = key(*i);
            (c, n, *inc)
        })
        .collect();
    let guarantees: Vec<(String, String, Guarantees)> = r
        .checks
        .iter()
        .map(|(i, c)| {
            let (county, no) = key(*i);
            (
                county,
                no,
                Guarantees {
                    as_of: c.as_of,
                    unsafe_housing: c.unsafe_housing,
                    dropout: c.dropout,
                    uninsured: c.uninsured,
                    unsafe_water: c.unsafe_water,
                    food_clothing: false,
                    source: "test".into(),
                },
            )
        })
        .collect();
    db.store
        .bulk_ledger(&actor, &incomes, &guarantees, "test.ledger")
        .unwrap();
    let cases: Vec<_> = r.cases.iter().map(|(_, c)| c.clone()).collect();
    db.store
        .bulk_cases(&actor, &region("510821"), &cases, today(), "test.cases")
        .unwrap();
    let a = assistance(&data, &r, 16, today(), "旺苍县");
    db.store
        .bulk_assistance(&actor, &region("510821"), &a, "test.assistance")
        .unwrap();
    let paired: std::collections::HashSet<&str> = a
        .pairings
        .iter()
        .filter(|p| p.start <= today() && p.end.is_none_or(|e| e >= today()))
        .map(|p| p.household_no.as_str())
        .collect();
    Loaded {
        households: data.len(),
        persons: data.iter().map(|(_, m)| m.len()).sum(),
        cases: cases.len(),
        incomes: incomes
            .iter()
            .filter(|(_, _, i)| i.period.quarter.is_none() && i.period.year >= today().year() - 2)
            .count(),
        paired: paired.len(),
        measures: db.count_rows("measures") as usize,
    }
}

fn stream(db: &TestDb, code: &str) -> Vec<HouseholdFacts> {
    let mut out = Vec::new();
    db.store
        .quality_facts(&region(code), today(), |h| {
            out.push(h);
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn the_facts_of_a_county_carry_every_record_the_loaders_wrote_village_by_village() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let loaded = load(&db);
        let facts = stream(&db, "510821");
        assert_eq!(facts.len(), loaded.households, "{}", db.name);
        let villages: Vec<&str> = facts.iter().map(|h| h.village.as_str()).collect();
        let mut sorted = villages.clone();
        sorted.sort();
        assert_eq!(villages, sorted, "village by village in code order");
        assert_eq!(
            facts.iter().map(|h| h.members.len()).sum::<usize>(),
            loaded.persons
        );
        assert_eq!(
            facts.iter().filter(|h| h.case.is_some()).count(),
            loaded.cases
        );
        assert_eq!(
            facts.iter().map(|h| h.incomes.len()).sum::<usize>(),
            loaded.incomes
        );
        assert_eq!(facts.iter().filter(|h| h.paired).count(), loaded.paired);
        assert!(loaded.measures > 0);
        assert_eq!(
            facts.iter().map(|h| h.measures.len()).sum::<usize>(),
            loaded.measures,
            "every measure belongs to its household's latest case"
        );
        assert!(facts.iter().any(|h| h.guarantees.is_some()));
        // a township reads only its village
        let town = stream(&db, "510821108");
        assert!(!town.is_empty() && town.iter().all(|h| h.village == TAOHONG));
        assert_eq!(
            town.len() + stream(&db, "510821115").len(),
            loaded.households
        );
        // one household's facts are the same as the stream's, and none outside the region
        let one = &facts[0];
        assert_eq!(
            db.store
                .quality_household_facts(&region("510821"), &one.household_no, today())
                .unwrap()
                .as_ref(),
            Some(one)
        );
        let other = if one.village == TAOHONG {
            "510821115"
        } else {
            "510821108"
        };
        assert_eq!(
            db.store
                .quality_household_facts(&region(other), &one.household_no, today())
                .unwrap(),
            None
        );
        let per_village: HashMap<String, u64> = db
            .store
            .quality_village_households(&region("510821"))
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(per_village.values().sum::<u64>(), loaded.households as u64);
    }
}

#[test]
fn a_record_damaged_in_the_database_is_found_by_the_checker() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        load(&db);
        let victim = stream(&db, TAOHONG)[0].clone();
        let member = victim.members[0].id_number.clone();
        let count = |db: &TestDb, rule: Rule| {
            let mut c = Checker::new(today(), Limits::default());
            let mut out = Vec::new();
            for h in stream(db, "510821") {
                c.check(&h, &mut out);
            }
            out.iter()
                .filter(|f| f.rule == rule && f.household_no == victim.household_no)
                .count()
        };
        let before = count(&db, Rule::TwoMedicalInsurances);
        db.execute_unchecked(&format!(
            "UPDATE members SET resident_medical = 1, employee_medical = 1 WHERE id_number = '{member}'"
        ))
        .unwrap();
        assert_eq!(
            count(&db, Rule::TwoMedicalInsurances),
            before + 1,
            "{}",
            db.name
        );
        db.execute_unchecked(&format!(
            "UPDATE members SET migrant_place = '浙江省义乌市', migrant_months = 0 WHERE id_number = '{member}'"
        ))
        .unwrap();
        assert_eq!(count(&db, Rule::MigrantPlaceWithoutMonths), 1);
    }
}

#[test]
fn an_exemption_is_granted_once_withdrawn_with_a_reason_listed_and_audited() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        load(&db);
        let h = stream(&db, TAOHONG)[0].clone();
        let target = ExemptionTarget {
            rule: Rule::HeadUnder16,
            county: "510821".into(),
            village: TAOHONG.into(),
            household_no: h.household_no.clone(),
            member: h.members[0].id_number.clone(),
        };
        let actor = Actor {
            user_id: None,
            username: "county-officer".into(),
        };
        let short = db.store.grant_quality_exemption(&actor, &target, "是");
        assert!(
            matches!(short, Err(StoreError::Invalid(p)) if p[0].code == ProblemCode::QualityReason)
        );
        let id = db
            .store
            .grant_quality_exemption(&actor, &target, "父母双亡，由本人当家")
            .unwrap();
        let again = db
            .store
            .grant_quality_exemption(&actor, &target, "再次豁免试试");
        assert!(
            matches!(again, Err(StoreError::Invalid(p)) if p[0].code == ProblemCode::QualityExempted)
        );
        let list = db
            .store
            .quality_exemptions(&region("510821"), false)
            .unwrap();
        assert_eq!(list.len(), 1, "{}", db.name);
        assert_eq!(list[0].granted_by, "county-officer");
        assert_eq!(list[0].reason, "父母双亡，由本人当家");
        assert_eq!(list[0].rule, Rule::HeadUnder16);
        // outside the region it does not exist
        assert!(db
            .store
            .quality_exemptions(&region("510821115"), true)
            .unwrap()
            .is_empty());
        assert_eq!(
            db.store
                .quality_exemption(&region("510821115"), id)
                .unwrap(),
            None
        );
        assert!(matches!(
            db.store
                .withdraw_quality_exemption(&actor, &region("510821115"), id, "不在辖区撤销"),
            Err(StoreError::NotFound)
        ));
        db.store
            .withdraw_quality_exemption(&actor, &region("510821108"), id, "户主已满16岁，改正记录")
            .unwrap();
        let twice =
            db.store
                .withdraw_quality_exemption(&actor, &region("510821"), id, "再撤销一次");
        assert!(
            matches!(twice, Err(StoreError::Invalid(p)) if p[0].code == ProblemCode::QualityWithdrawn)
        );
        assert!(db
            .store
            .quality_exemptions(&region("510821"), false)
            .unwrap()
            .is_empty());
        let all = db
            .store
            .quality_exemptions(&region("510821"), true)
            .unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].withdrawn_by.as_deref(), Some("county-officer"));
        assert_eq!(all[0].withdraw_reason, "户主已满16岁，改正记录");
        // withdrawn, the record may be exempted again
        db.store
            .grant_quality_exemption(&actor, &target, "复核后再次豁免")
            .unwrap();
        assert_eq!(db.store.count_events("quality.exempt").unwrap(), 2);
        assert_eq!(db.store.count_events("quality.withdraw").unwrap(), 1);
    }
}
