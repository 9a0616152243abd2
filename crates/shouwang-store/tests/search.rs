//! Search as a cadre uses it (any part of a name, the end of an ID number or a phone, a 户编号),
//! never beyond the asker's households, on every configured backend.

use shouwang_core::codes::Relation;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::search::{Findings, MatchedBy, SearchScope};
use shouwang_store::testing::TestDb;
use shouwang_store::Store;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

type Family = (Household, Vec<Member>);

fn loaded() -> Vec<(TestDb, Vec<Family>)> {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: RegionCode::parse(c).unwrap(),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 60,
            seed: 9,
            today: Date::new(2026, 11, 23).unwrap(),
            county: RegionCode::parse("510821").unwrap(),
        },
        &villages,
    );
    TestDb::all()
        .into_iter()
        .map(|db| {
            let db = db.with_regions(&[
                ("510821108", "三江镇"),
                (TAOHONG, "桃红村村民委员会"),
                ("510821115", "龙凤镇"),
                (LONGFENG, "龙凤村村民委员会"),
            ]);
            db.store
                .bulk_load(&Actor::system("test"), &data, "test.load")
                .unwrap();
            (db, data.clone())
        })
        .collect()
}

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

fn find(store: &Store, region: &str, q: &str) -> Findings {
    let region = code(region);
    store
        .find(
            SearchScope {
                region: &region,
                only: None,
            },
            q,
            0,
            10_000,
        )
        .unwrap()
}

fn people_in<'a>(data: &'a [Family], village: &'a str) -> impl Iterator<Item = &'a Member> + 'a {
    data.iter()
        .filter(move |(h, _)| h.village.as_str().starts_with(village))
        .flat_map(|(_, ms)| ms.iter())
}

#[test]
fn a_name_is_found_by_a_part_from_its_middle_and_only_inside_the_region() {
    for (db, data) in loaded() {
        // a character that is not the first of some name in 龙凤村
        let person = people_in(&data, LONGFENG)
            .find(|m| m.name.chars().count() >= 3)
            .unwrap();
        let part: String = person.name.chars().skip(1).take(1).collect();
        let county = find(&db.store, "510821", &part);
        let expected = people_in(&data, "510821")
            .filter(|m| m.name.contains(&part))
            .count();
        assert_eq!(county.total as usize, expected, "{}", db.name);
        assert_eq!(county.rows.len(), expected);
        assert!(county.rows.iter().all(|f| f.name.contains(&part)));
        assert!(county
            .rows
            .iter()
            .any(|f| f.id_number == person.id_number && f.matched == MatchedBy::Name));
        // listed by name
        let names: Vec<&str> = county.rows.iter().map(|f| f.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "{}", db.name);
        // from 桃红村 the same part finds only 桃红村's people, and says nothing of the rest
        let village = find(&db.store, TAOHONG, &part);
        let expected = people_in(&data, TAOHONG)
            .filter(|m| m.name.contains(&part))
            .count();
        assert_eq!(village.total as usize, expected, "{}", db.name);
        assert!(village.rows.iter().all(|f| f.village == TAOHONG));
        // a page of the list, counted the same
        let region = code("510821");
        let page = db
            .store
            .find(
                SearchScope {
                    region: &region,
                    only: None,
                },
                &part,
                2,
                3,
            )
            .unwrap();
        assert_eq!(page.total, county.total);
        assert_eq!(page.rows, county.rows[2..5].to_vec(), "{}", db.name);
    }
}

#[test]
fn the_last_digits_of_an_id_number_find_the_person_with_their_household() {
    for (db, data) in loaded() {
        let (h, members) = data
            .iter()
            .find(|(h, _)| h.village.as_str() == LONGFENG)
            .unwrap();
        let person = members.last().unwrap();
        let head = members
            .iter()
            .find(|m| m.relation == Relation::Head)
            .unwrap();
        for n in [4, 6, 18] {
            let tail = &person.id_number[person.id_number.len() - n..];
            let found = find(&db.store, "510821", tail);
            let expected = people_in(&data, "510821")
                .filter(|m| m.id_number.ends_with(tail))
                .count();
            assert_eq!(found.total as usize, expected, "{} {tail}", db.name);
            let hit = found
                .rows
                .iter()
                .find(|f| f.id_number == person.id_number)
                .unwrap();
            assert_eq!(hit.matched, MatchedBy::IdNumber);
            assert_eq!(hit.head_name, head.name);
            assert_eq!(hit.group, h.group);
            assert_eq!(hit.village_name, "龙凤村村民委员会");
            assert_eq!(hit.township_name, "龙凤镇");
            // never from another village
            assert!(find(&db.store, TAOHONG, tail)
                .rows
                .iter()
                .all(|f| f.village == TAOHONG));
        }
    }
}

#[test]
fn a_phone_is_found_whole_or_by_its_last_digits_and_a_household_by_its_number() {
    for (db, data) in loaded() {
        let person = people_in(&data, TAOHONG)
            .find(|m| m.phone.len() == 11)
            .unwrap();
        for q in [person.phone.clone(), person.phone[7..].to_string()] {
            let found = find(&db.store, TAOHONG, &q);
            assert!(
                found
                    .rows
                    .iter()
                    .any(|f| f.id_number == person.id_number && f.matched == MatchedBy::Phone),
                "{}: {q}",
                db.name
            );
            assert!(find(&db.store, LONGFENG, &q)
                .rows
                .iter()
                .all(|f| f.village == LONGFENG));
        }
        let (h, members) = data
            .iter()
            .find(|(h, _)| h.village.as_str() == TAOHONG)
            .unwrap();
        let found = find(&db.store, TAOHONG, &h.household_no);
        let first = &found.rows[0];
        assert_eq!(first.matched, MatchedBy::HouseholdNo, "{}", db.name);
        assert_eq!(first.household_no, h.household_no);
        assert_eq!(first.name, members[0].name);
        assert!(find(&db.store, LONGFENG, &h.household_no)
            .rows
            .iter()
            .all(|f| f.household_no != h.household_no));
    }
}

#[test]
fn a_search_limited_to_some_households_returns_only_those() {
    for (db, data) in loaded() {
        let (h, members) = data
            .iter()
            .find(|(h, _)| h.village.as_str() == TAOHONG)
            .unwrap();
        let region = code(TAOHONG);
        let only = vec![h.household_no.clone()];
        let scope = SearchScope {
            region: &region,
            only: Some(&only),
        };
        let part: String = members[0].name.chars().last().into_iter().collect();
        let found = db.store.find(scope, &part, 0, 100).unwrap();
        assert!(!found.rows.is_empty(), "{}", db.name);
        assert!(found.rows.iter().all(|f| f.household_no == h.household_no));
        let tail = &members[0].id_number[14..];
        let found = db.store.find(scope, tail, 0, 100).unwrap();
        assert_eq!(found.total, 1, "{}", db.name);
        // a wildcard is a character like any other
        assert_eq!(find(&db.store, "510821", "%").total, 0);
        assert_eq!(find(&db.store, "510821", "_").total, 0);
    }
}
