//! The bulk load of a county's assistance records, on every configured backend: everything the
//! synthetic generator makes reads back counted, plans go to the households' cases, positions
//! move on a second load, contacts land on the eliminated cases, and a plan for a household
//! without a case refuses the whole load.

use shouwang_core::synth::{
    assistance, generate, records, SynthAssistance, SynthConfig, SynthPosition, SynthVillage,
};
use shouwang_core::visit::Position;
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::StoreError;

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

/// A county of two villages with its cases; returns the assistance records made for it.
fn county(db: &TestDb, households: usize) -> SynthAssistance {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households,
            seed: 21,
            today: today(),
            county: region("510821"),
        },
        &villages,
    );
    let s = &db.store;
    s.bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let r = records(&data, 21, today(), Fen::from_yuan(8_700));
    let cases: Vec<_> = r.cases.iter().map(|(_, c)| c.clone()).collect();
    s.bulk_cases(
        &Actor::system("test"),
        &region("510821"),
        &cases,
        today(),
        "test.cases",
    )
    .unwrap();
    assistance(&data, &r, 21, today(), "旺苍县")
}

#[test]
fn everything_loaded_reads_back_counted() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let mut a = county(&db, 1_500);
        let helper = a
            .pairings
            .iter()
            .find(|p| p.village.as_str() == TAOHONG)
            .unwrap()
            .person;
        a.persons[helper].username = Some("helper".into());
        a.positions = vec![
            SynthPosition {
                username: "taohong".into(),
                position: Position::VillageSecretary,
                region: region(TAOHONG),
                person: None,
            },
            SynthPosition {
                username: "helper".into(),
                position: Position::AssistancePerson,
                region: region(TAOHONG),
                person: Some(helper),
            },
        ];
        let s = &db.store;
        let rows = s
            .bulk_assistance(
                &Actor::system("test"),
                &region("510821"),
                &a,
                "test.assistance",
            )
            .unwrap();
        let c = s.assistance_counts(&region("510821")).unwrap();
        let doctors = a
            .persons
            .iter()
            .filter(|p| p.person.position == Position::FamilyDoctor)
            .count() as u64;
        assert_eq!(doctors, 2);
        assert_eq!(c.doctors, doctors);
        assert_eq!(c.persons + c.doctors, a.persons.len() as u64);
        assert_eq!(c.pairings, a.pairings.len() as u64);
        assert_eq!(
            c.current_pairings,
            a.pairings.iter().filter(|p| p.end.is_none()).count() as u64
        );
        assert!(c.current_pairings < c.pairings, "some were reassigned");
        assert_eq!(c.plans, a.plans.len() as u64);
        assert_eq!(c.measures, a.measures() as u64);
        assert!(c.measures > c.plans);
        assert_eq!(c.visits, a.visits.len() as u64);
        assert_eq!(c.positions, 2);
        assert_eq!(c.contacts, a.contacts.len() as u64);
        assert!(c.contacts > 0);
        assert_eq!(
            rows as u64,
            c.persons + c.doctors + c.pairings + c.plans + c.measures + c.visits + 2 + c.contacts
        );
        // the helper's account now reaches the households the synthetic pairing gave it
        let id = s
            .add_user(
                &Actor::system("test"),
                NewUser {
                    username: "helper",
                    display_name: "帮扶责任人",
                    password_hash: "x",
                    role: shouwang_core::Role::AssistancePerson,
                    region: &region(TAOHONG),
                    must_change_password: false,
                },
            )
            .unwrap();
        let mut expected: Vec<String> = a
            .pairings
            .iter()
            .filter(|p| p.person == helper && p.end.is_none())
            .map(|p| p.household_no.clone())
            .collect();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(s.paired_households(id).unwrap(), expected);
        assert!(s.is_paired(id, &expected[0]).unwrap());
        // a second load of the positions moves them, it does not double them
        let again = SynthAssistance {
            positions: vec![SynthPosition {
                username: "taohong".into(),
                position: Position::VillageSecretary,
                region: region(LONGFENG),
                person: None,
            }],
            ..SynthAssistance::default()
        };
        s.bulk_assistance(
            &Actor::system("test"),
            &region("510821"),
            &again,
            "test.again",
        )
        .unwrap();
        assert_eq!(s.assistance_counts(&region("510821")).unwrap().positions, 2);
    }
}

#[test]
fn a_plan_for_a_household_without_a_case_refuses_the_whole_load() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let mut a = county(&db, 400);
        let mut stray = a.plans[0].clone();
        stray.household_no = "51082110821299999".into();
        a.plans.push(stray);
        let s = &db.store;
        let e = s
            .bulk_assistance(
                &Actor::system("test"),
                &region("510821"),
                &a,
                "test.assistance",
            )
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Other(m) if m.contains("51082110821299999")),
            "{e}"
        );
        let c = s.assistance_counts(&region("510821")).unwrap();
        assert_eq!((c.persons, c.pairings, c.plans, c.visits), (0, 0, 0, 0));
    }
}
