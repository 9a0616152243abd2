//! Assistance persons, their dated pairings, positions and visits as stored, on every configured
//! backend: each refusal writes nothing; a reassignment keeps the history; the duty counts match
//! a count made household by household with the core's rules.

use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::codes::HouseholdType;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::visit::duty::{owes, state, DutyPeriods};
use shouwang_core::visit::{Position, Visit};
use shouwang_core::{Date, ProblemCode, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::pairing::UserPosition;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::visits::DutyWhich;
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
fn actor(name: &str) -> Actor {
    Actor {
        user_id: None,
        username: name.into(),
    }
}
fn codes(e: StoreError) -> Vec<ProblemCode> {
    match e {
        StoreError::Invalid(ps) => ps.iter().map(|p| p.code).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
fn count(db: &TestDb, table: &str) -> i64 {
    db.count_rows(table)
}

/// The households of a two-village county (type, village), loaded.
fn world(db: &TestDb, n: usize) -> Vec<(String, String, HouseholdType)> {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: n,
            seed: 14,
            today: d("2026-11-01"),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    data.iter()
        .map(|(h, _)| {
            (
                h.household_no.clone(),
                h.village.as_str().to_string(),
                h.household_type,
            )
        })
        .collect()
}

fn person(name: &str, position: Position) -> AssistancePerson {
    AssistancePerson {
        position,
        name: name.into(),
        sex: None,
        political: None,
        unit: "县农业农村局".into(),
        phone: "13800000001".into(),
    }
}

fn visit(no: &str, on: &str, position: Position) -> Visit {
    Visit {
        household_no: no.into(),
        on: d(on),
        position,
        findings: "务工收入稳定".into(),
        follow_up: String::new(),
    }
}

fn user(db: &TestDb, username: &str, role: Role, at: &str) -> i64 {
    db.store
        .add_user(
            &actor("admin"),
            NewUser {
                username,
                display_name: username,
                password_hash: "x",
                role,
                region: &region(at),
                must_change_password: false,
            },
        )
        .unwrap()
}

#[test]
fn a_person_without_a_name_or_with_a_bad_phone_is_refused_and_nothing_is_written() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let county = region("510821");
        let mut p = person(" ", Position::AssistancePerson);
        p.phone = "123".into();
        let e = db
            .store
            .save_person(&actor("county"), &county, None, &p, None);
        assert_eq!(
            codes(e.unwrap_err()),
            [ProblemCode::NameMissing, ProblemCode::PhoneInvalid],
            "{}",
            db.name
        );
        assert_eq!(count(&db, "assistance_persons"), 0, "{}", db.name);
        let id = db
            .store
            .save_person(
                &actor("county"),
                &county,
                None,
                &person("王帮扶", Position::AssistancePerson),
                None,
            )
            .unwrap();
        let mut edited = person("王帮扶", Position::AssistancePerson);
        edited.unit = "县教育局".into();
        db.store
            .save_person(&actor("county"), &county, Some(id), &edited, Some("helper"))
            .unwrap();
        let saved = db.store.person(id).unwrap().unwrap();
        assert_eq!(saved.person.unit, "县教育局");
        assert_eq!(saved.username.as_deref(), Some("helper"));
        assert_eq!(
            db.store.count_events("person.save").unwrap(),
            2,
            "{}",
            db.name
        );
        assert_eq!(db.store.persons(&county, "教育").unwrap().len(), 1);
        assert!(db.store.persons(&county, "卫健").unwrap().is_empty());
    }
}

#[test]
fn reversed_and_overlapping_pairings_are_refused_and_a_reassignment_keeps_the_history() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let hh = world(&db, 6);
        let no = &hh[0].0;
        let county = region("510821");
        let a = db
            .store
            .save_person(
                &actor("county"),
                &county,
                None,
                &person("王帮扶", Position::AssistancePerson),
                None,
            )
            .unwrap();
        let b = db
            .store
            .save_person(
                &actor("county"),
                &county,
                None,
                &person("李帮扶", Position::AssistancePerson),
                None,
            )
            .unwrap();
        let e = db.store.create_pairing(
            &actor("county"),
            a,
            no,
            d("2026-03-02"),
            Some(d("2026-03-01")),
        );
        assert_eq!(
            codes(e.unwrap_err()),
            [ProblemCode::PairingDates],
            "{}",
            db.name
        );
        let first = db
            .store
            .create_pairing(&actor("county"), a, no, d("2026-01-01"), None)
            .unwrap();
        let e = db.store.create_pairing(
            &actor("county"),
            a,
            no,
            d("2026-06-01"),
            Some(d("2026-07-01")),
        );
        assert_eq!(
            codes(e.unwrap_err()),
            [ProblemCode::PairingOverlap],
            "{}",
            db.name
        );
        assert_eq!(count(&db, "assistance_pairings"), 1, "{}", db.name);
        assert_eq!(db.store.count_events("pairing.create").unwrap(), 1);

        // ending before the start is refused
        let e = db
            .store
            .end_pairing(&actor("county"), first.id, d("2025-12-31"), "调离");
        assert_eq!(
            codes(e.unwrap_err()),
            [ProblemCode::PairingDates],
            "{}",
            db.name
        );
        assert_eq!(db.store.pairing(first.id).unwrap().unwrap().end, None);

        // reassignment: the first ends the day before, the second starts; both stay
        let second = db
            .store
            .reassign_pairing(&actor("county"), first.id, b, d("2026-05-01"), "")
            .unwrap();
        assert_eq!(second.person_id, b);
        let history = db.store.pairings_of_household(no).unwrap();
        let seen: Vec<_> = history
            .iter()
            .map(|p| (p.person_name.as_str(), p.start, p.end))
            .collect();
        assert_eq!(
            seen,
            [
                ("李帮扶", d("2026-05-01"), None),
                ("王帮扶", d("2026-01-01"), Some(d("2026-04-30"))),
            ],
            "{}",
            db.name
        );
        assert!(history[1].end_reason.contains("李帮扶"));
        assert_eq!(db.store.count_events("pairing.end").unwrap(), 1);
        assert_eq!(db.store.count_events("pairing.create").unwrap(), 2);
        assert_eq!(
            db.store
                .households_of_person(a, d("2026-04-30"))
                .unwrap()
                .len(),
            1
        );
        assert!(db
            .store
            .households_of_person(a, d("2026-05-01"))
            .unwrap()
            .is_empty());
        // a pairing already ended cannot be ended again
        let e = db
            .store
            .end_pairing(&actor("county"), first.id, d("2026-06-01"), "");
        assert_eq!(codes(e.unwrap_err()), [ProblemCode::PairingDates]);
    }
}

#[test]
fn visits_in_the_future_unpaired_or_for_a_position_not_held_are_refused_and_nothing_is_written() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let hh = world(&db, 6);
        let (paired_no, other_no) = (&hh[0].0, &hh[1].0);
        let county = region("510821");
        user(&db, "helper", Role::AssistancePerson, TAOHONG);
        let a = db
            .store
            .save_person(
                &actor("county"),
                &county,
                None,
                &person("王帮扶", Position::AssistancePerson),
                Some("helper"),
            )
            .unwrap();
        let p = db
            .store
            .create_pairing(&actor("county"), a, paired_no, d("2026-01-01"), None)
            .unwrap();
        db.store
            .end_pairing(&actor("county"), p.id, d("2026-08-31"), "调离")
            .unwrap();
        let today = d("2026-06-15");
        let helper = actor("helper");
        let refused = |v: Visit| {
            codes(
                db.store
                    .record_visit(&helper, "王帮扶", &v, today, false, None)
                    .unwrap_err(),
            )
        };
        assert_eq!(
            refused(visit(paired_no, "2026-06-16", Position::AssistancePerson)),
            [ProblemCode::VisitFuture],
            "{}",
            db.name
        );
        assert_eq!(
            refused(visit(other_no, "2026-06-01", Position::AssistancePerson)),
            [ProblemCode::VisitNotPaired]
        );
        assert_eq!(
            refused(visit(paired_no, "2025-12-31", Position::AssistancePerson)),
            [ProblemCode::VisitNotPaired],
            "before the pairing began"
        );
        assert_eq!(
            refused(visit(paired_no, "2026-06-01", Position::VillageSecretary)),
            [ProblemCode::VisitPosition]
        );
        assert_eq!(
            refused(visit(paired_no, "2026-06-01", Position::Cadre)),
            [ProblemCode::VisitPosition]
        );
        assert_eq!(count(&db, "visits"), 0, "{}", db.name);
        assert_eq!(db.store.count_events("visit.record").unwrap(), 0);

        let saved = db
            .store
            .record_visit(
                &helper,
                "王帮扶",
                &visit(paired_no, "2026-06-15", Position::AssistancePerson),
                today,
                false,
                None,
            )
            .unwrap();
        assert_eq!(saved.person_id, Some(a));
        assert_eq!(db.store.visits_of_household(paired_no).unwrap().len(), 1);
        assert_eq!(db.store.visits_of_person(a).unwrap().len(), 1);
        assert_eq!(db.store.count_events("visit.record").unwrap(), 1);

        // a village secretary holds the position for the village only
        let v = &hh[0].1;
        user(&db, "secretary", Role::Village, v);
        db.store
            .set_positions(
                &actor("admin"),
                "secretary",
                &[UserPosition {
                    position: Position::VillageSecretary,
                    region: region(v),
                    person_id: None,
                }],
            )
            .unwrap();
        assert_eq!(db.store.count_events("position.save").unwrap(), 1);
        let sec = actor("secretary");
        db.store
            .record_visit(
                &sec,
                "书记",
                &visit(paired_no, "2026-06-02", Position::VillageSecretary),
                today,
                true,
                None,
            )
            .unwrap();
        if let Some(elsewhere) = hh.iter().find(|h| h.1 != *v) {
            let e = db
                .store
                .record_visit(
                    &sec,
                    "书记",
                    &visit(&elsewhere.0, "2026-06-02", Position::VillageSecretary),
                    today,
                    true,
                    None,
                )
                .unwrap_err();
            assert_eq!(codes(e), [ProblemCode::VisitPosition]);
        }
        // a position naming a person of another position is refused
        let e = db
            .store
            .set_positions(
                &actor("admin"),
                "secretary",
                &[UserPosition {
                    position: Position::FamilyDoctor,
                    region: region(v),
                    person_id: Some(a),
                }],
            )
            .unwrap_err();
        assert_eq!(codes(e), [ProblemCode::Invalid]);
        assert_eq!(db.store.positions_of("secretary").unwrap().len(), 1);
    }
}

#[test]
fn the_old_pair_of_a_user_account_still_pairs_through_the_dated_pairings() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let hh = world(&db, 4);
        let id = user(&db, "helper", Role::AssistancePerson, TAOHONG);
        db.store.pair(&actor("admin"), id, &hh[0].0).unwrap();
        assert!(db.store.is_paired(id, &hh[0].0).unwrap());
        assert!(!db.store.is_paired(id, &hh[1].0).unwrap());
        assert_eq!(db.store.paired_households(id).unwrap(), [hh[0].0.clone()]);
        let persons = db.store.persons_of_user("helper").unwrap();
        assert_eq!(persons.len(), 1);
        assert_eq!(persons[0].households, 1, "{}", db.name);
    }
}

/// The duty counts per village, per holder and the households behind them equal a count made
/// household by household with the core's rules (`owes`, `state`).
#[test]
fn compliance_counts_match_an_independent_count_on_a_small_world() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let hh = world(&db, 40);
        let county = region("510821");
        let today = d("2026-07-10");
        let periods = DutyPeriods {
            today,
            months: [1, 6, 1, 1],
        };
        // every third household has a case at risk, every fifth one being identified
        let mut at_risk = HashMap::new();
        for (i, (no, _, _)) in hh.iter().enumerate() {
            let status = if i % 3 == 0 {
                Some(1)
            } else if i % 5 == 0 {
                Some(0)
            } else {
                None
            };
            if let Some(s) = status {
                db.execute_unchecked(&format!(
                    "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                     VALUES ('510821', '{no}', 1, '0', '2026-01', {s}, 1, 1)"
                ))
                .unwrap();
            }
            at_risk.insert(no.clone(), status == Some(1));
        }
        // secretaries of both villages and the townships
        user(&db, "sec", Role::County, "510821");
        let positions: Vec<_> = [
            (Position::VillageSecretary, TAOHONG),
            (Position::TownshipSecretary, "510821108"),
        ]
        .iter()
        .map(|(p, r)| UserPosition {
            position: *p,
            region: region(r),
            person_id: None,
        })
        .collect();
        db.store
            .set_positions(&actor("admin"), "sec", &positions)
            .unwrap();
        user(&db, "sec2", Role::County, "510821");
        db.store
            .set_positions(
                &actor("admin"),
                "sec2",
                &[
                    UserPosition {
                        position: Position::VillageSecretary,
                        region: region(LONGFENG),
                        person_id: None,
                    },
                    UserPosition {
                        position: Position::TownshipSecretary,
                        region: region("510821115"),
                        person_id: None,
                    },
                ],
            )
            .unwrap();
        // a helper and a doctor paired with some households, one pairing from June 20
        user(&db, "helper", Role::AssistancePerson, TAOHONG);
        user(&db, "doctor", Role::AssistancePerson, TAOHONG);
        let helper = db
            .store
            .save_person(
                &actor("c"),
                &county,
                None,
                &person("王帮扶", Position::AssistancePerson),
                Some("helper"),
            )
            .unwrap();
        let doctor = db
            .store
            .save_person(
                &actor("c"),
                &county,
                None,
                &person("赵医生", Position::FamilyDoctor),
                Some("doctor"),
            )
            .unwrap();
        let mut pairings: Vec<(String, Position, i64, Date)> = Vec::new();
        for (i, (no, _, _)) in hh.iter().enumerate().take(12) {
            let (who, pos) = if i % 2 == 0 {
                (helper, Position::AssistancePerson)
            } else {
                (doctor, Position::FamilyDoctor)
            };
            let start = if i == 4 {
                d("2026-06-20")
            } else {
                d("2026-01-01")
            };
            db.store
                .create_pairing(&actor("c"), who, no, start, None)
                .unwrap();
            pairings.push((no.clone(), pos, who, start));
        }
        // visits: spread over May to July by each position
        let mut visits: Vec<(String, Position, Date)> = Vec::new();
        let days = [
            "2026-05-20",
            "2026-06-10",
            "2026-06-30",
            "2026-07-01",
            "2026-07-10",
            "2025-12-31",
        ];
        for (i, (no, village, _)) in hh.iter().enumerate() {
            let on = days[i % days.len()];
            let sec = if village == TAOHONG { "sec" } else { "sec2" };
            if i % 2 == 0 {
                db.store
                    .record_visit(
                        &actor(sec),
                        "书记",
                        &visit(no, on, Position::VillageSecretary),
                        today,
                        false,
                        None,
                    )
                    .unwrap();
                visits.push((no.clone(), Position::VillageSecretary, d(on)));
            }
            if i % 4 == 1 {
                db.store
                    .record_visit(
                        &actor(sec),
                        "书记",
                        &visit(no, on, Position::TownshipSecretary),
                        today,
                        false,
                        None,
                    )
                    .unwrap();
                visits.push((no.clone(), Position::TownshipSecretary, d(on)));
            }
            if let Some((_, pos, _, start)) = pairings.iter().find(|p| p.0 == *no) {
                if d(on) >= *start && i % 3 != 2 {
                    let who = if *pos == Position::AssistancePerson {
                        "helper"
                    } else {
                        "doctor"
                    };
                    db.store
                        .record_visit(&actor(who), who, &visit(no, on, *pos), today, false, None)
                        .unwrap();
                    visits.push((no.clone(), *pos, d(on)));
                }
            }
        }

        // the independent count
        let mut expected: HashMap<(String, i64), (i64, i64, i64)> = HashMap::new();
        let mut expected_holders: HashMap<(i64, String), (i64, i64, i64)> = HashMap::new();
        let mut overdue_helper = Vec::new();
        for (no, village, kind) in &hh {
            for pos in DutyPeriods::POSITIONS {
                let pairing = pairings.iter().find(|p| p.0 == *no && p.1 == pos);
                if !owes(
                    pos,
                    *kind == HouseholdType::PostPoverty,
                    at_risk[no],
                    pairing.is_some(),
                ) {
                    continue;
                }
                let months = periods.months[(pos.code() - 1) as usize];
                let seen: Vec<Date> = visits
                    .iter()
                    .filter(|v| v.0 == *no && v.1 == pos)
                    .map(|v| v.2)
                    .collect();
                let s = state(today, months, pairing.map(|p| p.3), &seen);
                let e = expected.entry((village.clone(), pos.code())).or_default();
                e.0 += 1;
                e.1 += i64::from(s.done);
                e.2 += i64::from(s.overdue);
                let holder = match pairing {
                    Some(p) => p.2.to_string(),
                    None => {
                        if village == TAOHONG {
                            "sec".into()
                        } else {
                            "sec2".into()
                        }
                    }
                };
                let h = expected_holders.entry((pos.code(), holder)).or_default();
                h.0 += 1;
                h.1 += i64::from(s.done);
                h.2 += i64::from(s.overdue);
                if pos == Position::AssistancePerson && s.overdue {
                    overdue_helper.push(no.clone());
                }
            }
        }
        let got: HashMap<(String, i64), (i64, i64, i64)> = db
            .store
            .compliance_by_village(&county, &periods)
            .unwrap()
            .into_iter()
            .map(|v| ((v.village, v.position.code()), (v.due, v.done, v.overdue)))
            .collect();
        assert_eq!(got, expected, "{}", db.name);
        assert!(expected.values().any(|v| v.1 > 0) && expected.values().any(|v| v.2 > 0));
        let holders: HashMap<(i64, String), (i64, i64, i64)> = db
            .store
            .compliance_by_holder(&county, &periods)
            .unwrap()
            .into_iter()
            .map(|h| {
                let key = h
                    .person_id
                    .map_or_else(|| h.username.clone().unwrap_or_default(), |p| p.to_string());
                ((h.position.code(), key), (h.due, h.done, h.overdue))
            })
            .collect();
        assert_eq!(holders, expected_holders, "{}", db.name);
        let mut listed: Vec<String> = db
            .store
            .duty_households(
                &county,
                &periods,
                Some(Position::AssistancePerson),
                Some(helper),
                DutyWhich::Overdue,
                1000,
            )
            .unwrap()
            .into_iter()
            .map(|h| h.household_no)
            .collect();
        listed.sort();
        overdue_helper.sort();
        assert_eq!(listed, overdue_helper, "{}", db.name);
        // a village's own counts
        let village_only = db
            .store
            .compliance_by_village(&region(TAOHONG), &periods)
            .unwrap();
        assert!(village_only.iter().all(|v| v.village == TAOHONG));
    }
}

/// The duty counts of a county of `SHOUWANG_VISIT_BENCH_N` households (100,000 if not set), a
/// third of them 脱贫户, one in ten with a case at risk, one in five paired, with a visit for
/// half the duties: the time of the per-village and per-holder counts and of one village's
/// overdue list. Run by hand: `cargo nextest run -p shouwang-store --test visits --run-ignored
/// only`; prints the figures.
#[test]
#[ignore]
fn compliance_timing_on_a_large_county() {
    let n: usize = std::env::var("SHOUWANG_VISIT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let db = TestDb::sqlite().unwrap();
    let codes: Vec<String> = (1..=40)
        .map(|i| format!("510821108{:03}", 200 + i))
        .collect();
    let mut regions: Vec<(&str, &str)> = vec![("510821108", "三江镇")];
    regions.extend(codes.iter().map(|c| (c.as_str(), "某村")));
    let db = db.with_regions(&regions);
    let villages: Vec<SynthVillage> = codes
        .iter()
        .map(|c| SynthVillage {
            code: region(c),
            resettlement_site: None,
        })
        .collect();
    let started = std::time::Instant::now();
    let data = generate(
        &SynthConfig {
            households: n,
            seed: 100,
            today: d("2026-11-01"),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("bench"), &data, "bench.load")
        .unwrap();
    drop(data);
    let county = region("510821");
    let person = db
        .store
        .save_person(
            &actor("c"),
            &county,
            None,
            &person("王帮扶", Position::AssistancePerson),
            None,
        )
        .unwrap();
    db.execute_unchecked(&format!(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
            SELECT county, household_no, 1, '0', '2026-01', 1, 1, 1 FROM households WHERE CAST(SUBSTR(household_no, 13) AS INTEGER) % 10 = 0;
         INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
            SELECT county, {person}, household_no, village, '2026-01-01', 'bench', 1 FROM households WHERE CAST(SUBSTR(household_no, 13) AS INTEGER) % 5 = 1;
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, created_at)
            SELECT county, household_no, village, '2026-11-15', 'bench', 'bench', 1, NULL, '走访', 1 FROM households WHERE CAST(SUBSTR(household_no, 13) AS INTEGER) % 2 = 0;
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, created_at)
            SELECT county, household_no, village, '2026-10-15', 'bench', 'bench', 3, {person}, '走访', 1 FROM households WHERE CAST(SUBSTR(household_no, 13) AS INTEGER) % 5 = 1;
         ANALYZE;"
    ))
    .unwrap();
    println!("built {n} households in {:?}", started.elapsed());
    let periods = DutyPeriods {
        today: d("2026-11-20"),
        months: [1, 6, 1, 1],
    };
    let t = std::time::Instant::now();
    let villages = db.store.compliance_by_village(&county, &periods).unwrap();
    let by_village = t.elapsed();
    let t = std::time::Instant::now();
    let holders = db.store.compliance_by_holder(&county, &periods).unwrap();
    let by_holder = t.elapsed();
    let t = std::time::Instant::now();
    let one = db
        .store
        .compliance_by_village(&region(&codes[0]), &periods)
        .unwrap();
    let one_village = t.elapsed();
    let t = std::time::Instant::now();
    let listed = db
        .store
        .duty_households(
            &region(&codes[0]),
            &periods,
            Some(Position::VillageSecretary),
            None,
            DutyWhich::Overdue,
            2000,
        )
        .unwrap();
    let list = t.elapsed();
    let due: i64 = villages.iter().map(|v| v.due).sum();
    println!(
        "{n} households, {due} duties: per village {by_village:?} ({} rows), per holder {by_holder:?} ({} rows), one village {one_village:?} ({} rows), one village's overdue list {list:?} ({} households)",
        villages.len(),
        holders.len(),
        one.len(),
        listed.len()
    );
}
