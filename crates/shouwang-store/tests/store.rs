//! The store's behaviour, on every configured backend (SQLite always; PostgreSQL when
//! `SHOUWANG_TEST_PG_URL` is set, as `.ci/run` does).

use shouwang_core::codes::Relation;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Household, Member, ProblemCode, RegionCode, RegionLevel, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn dbs() -> Vec<TestDb> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            db.with_regions(&[
                ("510821108", "三江镇"),
                (TAOHONG, "桃红村村民委员会"),
                ("510821115", "龙凤镇"),
                (LONGFENG, "龙凤村村民委员会"),
            ])
        })
        .collect()
}

fn families(n: usize, seed: u64) -> Vec<(Household, Vec<Member>)> {
    let config = SynthConfig {
        households: n,
        seed,
        today: today(),
        county: RegionCode::parse("510821").unwrap(),
    };
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: RegionCode::parse(c).unwrap(),
        resettlement_site: None,
    });
    generate(&config, &villages)
}

fn actor() -> Actor {
    Actor::system("test")
}

fn problem_codes(e: StoreError) -> Vec<ProblemCode> {
    match e {
        StoreError::Invalid(p) => p.iter().map(|p| p.code).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn a_created_household_reads_back_with_its_members() {
    for db in dbs() {
        let (h, members) = families(1, 1).remove(0);
        db.store
            .create_household(&actor(), h.clone(), members.clone(), today())
            .unwrap();
        let rec = db
            .store
            .household(&h.household_no)
            .unwrap()
            .expect("household stored");
        assert_eq!(rec.household, h, "{}", db.name);
        assert_eq!(rec.members, members, "{}", db.name);
        assert_eq!(rec.county, "510821");
        assert_eq!(rec.version, 1);
        let history = db.store.history("household", &h.household_no, 10).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "household.create");
    }
}

#[test]
fn a_second_head_is_refused_and_nothing_is_written() {
    for db in dbs() {
        let (h, mut members) = families(1, 2).remove(0);
        let mut extra = members[0].clone();
        extra.id_number = shouwang_core::id_number::make_id(
            "510821",
            Date::new(1960, 1, 1).unwrap(),
            3,
            extra.sex,
        );
        extra.birth_date = Date::new(1960, 1, 1).unwrap();
        extra.relation = Relation::Head;
        members.push(extra);
        let err = db
            .store
            .create_household(&actor(), h.clone(), members, today())
            .unwrap_err();
        assert_eq!(
            problem_codes(err),
            [ProblemCode::HeadSeveral],
            "{}",
            db.name
        );
        assert!(db.store.household(&h.household_no).unwrap().is_none());
        assert_eq!(
            db.store
                .count_in(&RegionCode::parse("510821").unwrap())
                .unwrap(),
            (0, 0)
        );
    }
}

#[test]
fn a_person_already_in_another_household_is_refused() {
    for db in dbs() {
        let mut data = families(2, 3);
        let (h1, m1) = data.remove(0);
        let (h2, mut m2) = data.remove(0);
        db.store
            .create_household(&actor(), h1.clone(), m1.clone(), today())
            .unwrap();
        let mut moved = m1[0].clone();
        moved.relation = Relation::Sibling;
        m2.push(moved);
        let err = db
            .store
            .create_household(&actor(), h2.clone(), m2, today())
            .unwrap_err();
        assert_eq!(
            problem_codes(err),
            [ProblemCode::IdNumberElsewhere],
            "{}",
            db.name
        );
        assert!(db.store.household(&h2.household_no).unwrap().is_none());
    }
}

#[test]
fn an_unknown_village_is_refused() {
    for db in dbs() {
        let (mut h, members) = families(1, 4).remove(0);
        h.village = RegionCode::parse("510821108999").unwrap();
        let err = db
            .store
            .create_household(&actor(), h, members, today())
            .unwrap_err();
        assert_eq!(
            problem_codes(err),
            [ProblemCode::VillageUnknown],
            "{}",
            db.name
        );
    }
}

#[test]
fn an_edit_is_versioned_and_its_history_shows_before_and_after() {
    for db in dbs() {
        let (h, members) = families(1, 5).remove(0);
        db.store
            .create_household(&actor(), h.clone(), members.clone(), today())
            .unwrap();
        let mut changed = h.clone();
        changed.address = "三组15号".into();
        db.store
            .update_household(&actor(), changed.clone(), members.clone(), 1, today())
            .unwrap();
        let rec = db.store.household(&h.household_no).unwrap().unwrap();
        assert_eq!(rec.household.address, "三组15号");
        assert_eq!(rec.version, 2);
        // a second editor who started from version 1 is told to reload
        let err = db
            .store
            .update_household(&actor(), h.clone(), members.clone(), 1, today())
            .unwrap_err();
        assert!(matches!(err, StoreError::Stale), "{}: {err}", db.name);
        let history = db.store.history("household", &h.household_no, 10).unwrap();
        assert_eq!(history[0].action, "household.update");
        assert_eq!(
            history[0].before.as_ref().unwrap()["household"]["address"],
            h.address.as_str()
        );
        assert_eq!(
            history[0].after.as_ref().unwrap()["household"]["address"],
            "三组15号"
        );
        // saving the same data again changes nothing and writes no history
        db.store
            .update_household(&actor(), changed, members, 2, today())
            .unwrap();
        assert_eq!(
            db.store
                .household(&h.household_no)
                .unwrap()
                .unwrap()
                .version,
            2
        );
        assert_eq!(
            db.store
                .history("household", &h.household_no, 10)
                .unwrap()
                .len(),
            2
        );
    }
}

#[test]
fn search_finds_names_ids_and_household_numbers_only_inside_the_region() {
    for db in dbs() {
        let data = families(40, 6);
        db.store.bulk_load(&actor(), &data, "test.load").unwrap();
        let (h, members) = data
            .iter()
            .find(|(h, _)| h.village.as_str() == LONGFENG)
            .unwrap();
        let person = &members[0];
        let county = RegionCode::parse("510821").unwrap();
        let taohong = RegionCode::parse(TAOHONG).unwrap();
        let by_id = db.store.search(&county, &person.id_number, 20).unwrap();
        assert_eq!(by_id.len(), 1, "{}", db.name);
        assert_eq!(by_id[0].household_no, h.household_no);
        let by_no = db.store.search(&county, &h.household_no, 20).unwrap();
        assert_eq!(by_no.len(), members.len());
        let surname: String = person.name.chars().take(1).collect();
        let by_name = db.store.search(&county, &surname, 200).unwrap();
        assert!(
            by_name.iter().any(|s| s.id_number == person.id_number),
            "{}",
            db.name
        );
        assert!(by_name.iter().all(|s| s.name.starts_with(&surname)));
        // the same person is invisible from the other village
        assert!(db
            .store
            .search(&taohong, &person.id_number, 20)
            .unwrap()
            .is_empty());
        assert!(db
            .store
            .search(&taohong, &h.household_no, 20)
            .unwrap()
            .is_empty());
    }
}

#[test]
fn the_tree_counts_households_and_persons_per_child_region() {
    for db in dbs() {
        let data = families(30, 7);
        db.store.bulk_load(&actor(), &data, "test.load").unwrap();
        let persons = |v: &str| {
            data.iter()
                .filter(|(h, _)| h.village.as_str() == v)
                .map(|(_, m)| m.len() as i64)
                .sum::<i64>()
        };
        let towns = db
            .store
            .children(&RegionCode::parse("510821").unwrap())
            .unwrap();
        assert_eq!(
            towns.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["三江镇", "龙凤镇"],
            "{}",
            db.name
        );
        assert_eq!(towns[0].households, 15);
        assert_eq!(towns[0].persons, persons(TAOHONG));
        let (list, total) = db
            .store
            .households_in(&RegionCode::parse(LONGFENG).unwrap(), 0, 10)
            .unwrap();
        assert_eq!(total, 15);
        assert_eq!(list.len(), 10);
        assert!(list
            .iter()
            .all(|r| r.village == LONGFENG && !r.head_name.is_empty()));
    }
}

#[test]
fn village_names_match_with_or_without_the_committee_suffix() {
    for db in dbs() {
        let county = RegionCode::parse("510821").unwrap();
        for name in ["桃红村", "桃红村村民委员会"] {
            let found = db.store.find_villages(&county, None, name).unwrap();
            assert_eq!(found.len(), 1, "{}: {name}", db.name);
            assert_eq!(found[0].code.as_str(), TAOHONG);
        }
        assert!(db
            .store
            .find_villages(&county, Some("龙凤镇"), "桃红村")
            .unwrap()
            .is_empty());
        assert_eq!(
            db.store
                .count_regions(&county, RegionLevel::Village)
                .unwrap(),
            2
        );
    }
}

#[test]
fn users_lock_after_repeated_failures_and_sessions_resolve() {
    for db in dbs() {
        let region = RegionCode::parse(TAOHONG).unwrap();
        let id = db
            .store
            .add_user(
                &actor(),
                NewUser {
                    username: "cadre",
                    display_name: "村干部",
                    password_hash: "h",
                    role: Role::Village,
                    region: &region,
                    must_change_password: false,
                },
            )
            .unwrap();
        let dup = db.store.add_user(
            &actor(),
            NewUser {
                username: "cadre",
                display_name: "x",
                password_hash: "h",
                role: Role::Village,
                region: &region,
                must_change_password: false,
            },
        );
        assert_eq!(
            problem_codes(dup.unwrap_err()),
            [ProblemCode::UsernameTaken]
        );
        let u = db.store.user_by_name("cadre").unwrap().unwrap();
        assert_eq!(u.id, id);
        for _ in 0..5 {
            db.store.login_failed(&u, 5, 4_000_000_000).unwrap();
        }
        assert_eq!(
            db.store.count_events("user.login_failed").unwrap(),
            5,
            "{}",
            db.name
        );
        assert_eq!(db.store.count_events("user.locked").unwrap(), 1);
        let u = db.store.user_by_name("cadre").unwrap().unwrap();
        assert_eq!(u.locked_until, 4_000_000_000, "{}", db.name);
        db.store.login_succeeded(&u, "tokenhash", "csrf").unwrap();
        let s = db.store.session("tokenhash").unwrap().unwrap();
        assert_eq!(s.user.username, "cadre");
        assert_eq!(s.csrf, "csrf");
        assert_eq!(s.user.role, Role::Village);
        db.store.end_session("tokenhash").unwrap();
        assert!(db.store.session("tokenhash").unwrap().is_none());
    }
}

#[test]
fn sign_in_failures_delay_a_key_more_with_each_failure_until_lifted_or_forgotten() {
    use shouwang_store::users::{key_address, key_user, key_user_at, Delay, FailedSignIn};
    let delay = Delay {
        free: 2,
        base: 30,
        max: 100,
    };
    assert_eq!(
        (1..=6).map(|f| delay.after(f)).collect::<Vec<_>>(),
        [0, 30, 60, 100, 100, 100]
    );
    for db in dbs() {
        let now = 1_000_000;
        let attempt = FailedSignIn {
            user: None,
            username: "nobody",
            address: "203.0.113.9",
        };
        let keys = [
            (key_address("203.0.113.9"), delay),
            (key_user_at("nobody", "203.0.113.9"), delay),
            (key_user("nobody"), Delay { free: 10, ..delay }),
        ];
        let all: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(db.store.login_failure(&attempt, &keys, now).unwrap(), 0);
        assert_eq!(db.store.login_wait(&all, now).unwrap(), 0, "{}", db.name);
        assert_eq!(db.store.login_failure(&attempt, &keys, now).unwrap(), 30);
        assert_eq!(
            db.store.login_wait(&all, now + 10).unwrap(),
            20,
            "{}",
            db.name
        );
        // another address is not delayed
        let elsewhere = [
            key_address("198.51.100.7"),
            key_user_at("nobody", "198.51.100.7"),
            key_user("nobody"),
        ];
        assert_eq!(db.store.login_wait(&elsewhere, now).unwrap(), 0);
        assert_eq!(db.store.count_events("user.login_failed").unwrap(), 2);
        // the address and the username from it started their delays: audited once each
        assert_eq!(
            db.store.count_events("user.login_throttled").unwrap(),
            2,
            "{}",
            db.name
        );
        // an administrator lifts the username's delays; the address's stays
        db.store.lift_login_delay(&actor(), "nobody").unwrap();
        assert_eq!(
            db.store.login_wait(&all[1..], now).unwrap(),
            0,
            "{}",
            db.name
        );
        assert_eq!(db.store.login_wait(&all[..1], now).unwrap(), 30);
        // a day later the failures are forgotten and their rows removed
        assert_eq!(
            db.store.forget_login_failures(now + 2 * 86_400).unwrap(),
            1,
            "{}",
            db.name
        );
        assert_eq!(db.store.login_wait(&all, now).unwrap(), 0);
    }
}

#[test]
fn reopening_a_sqlite_database_keeps_its_data_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite");
    {
        let store = shouwang_store::Store::open(&format!("sqlite://{}", path.display())).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            shouwang_store::Store::latest_schema_version()
        );
        store
            .import_regions([shouwang_core::Region {
                code: RegionCode::parse("51").unwrap(),
                name: "四川省".into(),
            }])
            .unwrap();
    }
    let store = shouwang_store::Store::open(&path.display().to_string()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        shouwang_store::Store::latest_schema_version()
    );
    assert_eq!(
        store
            .region(&RegionCode::parse("51").unwrap())
            .unwrap()
            .unwrap()
            .name,
        "四川省"
    );
}

#[test]
fn a_household_moved_to_another_village_is_counted_and_found_there() {
    for db in dbs() {
        let (h, members) = families(1, 8).remove(0);
        db.store
            .create_household(&actor(), h.clone(), members.clone(), today())
            .unwrap();
        let from = RegionCode::parse(h.village.as_str()).unwrap();
        let to = RegionCode::parse(if h.village.as_str() == TAOHONG {
            LONGFENG
        } else {
            TAOHONG
        })
        .unwrap();
        let mut moved = h.clone();
        moved.village = to.clone();
        db.store
            .update_household(&actor(), moved, members.clone(), 1, today())
            .unwrap();
        assert_eq!(
            db.store.count_in(&to).unwrap(),
            (1, members.len() as i64),
            "{}",
            db.name
        );
        assert_eq!(db.store.count_in(&from).unwrap(), (0, 0));
        assert_eq!(
            db.store
                .search(&to, &members[0].id_number, 5)
                .unwrap()
                .len(),
            1
        );
        assert!(db
            .store
            .search(&from, &members[0].id_number, 5)
            .unwrap()
            .is_empty());
    }
}

#[test]
fn a_program_older_than_its_database_refuses_to_open_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite");
    let store = shouwang_store::Store::open_sqlite(path.clone()).unwrap();
    drop(store);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)",
        [],
    )
    .unwrap();
    drop(c);
    let err = shouwang_store::Store::open_sqlite(path).unwrap_err();
    assert!(
        err.to_string().contains("newer than this program knows"),
        "{err}"
    );
}

#[test]
fn a_stored_value_that_no_longer_parses_is_reported_with_its_table_and_column() {
    for db in dbs() {
        let (h, ms) = families(1, 7).remove(0);
        let no = h.household_no.clone();
        db.store.create_household(&actor(), h, ms, today()).unwrap();
        assert!(db.store.household(&no).unwrap().is_some(), "{}", db.name);

        // a sex code no program wrote: the household cannot be read, and says why
        db.execute_unchecked("UPDATE members SET sex = 9").unwrap();
        match db.store.household(&no) {
            Err(StoreError::Corrupt {
                table,
                column,
                value,
            }) => {
                assert_eq!(
                    (table, column.as_str(), value.as_str()),
                    ("members", "sex", "9"),
                    "{}",
                    db.name
                )
            }
            other => panic!("{}: expected a corrupt value, got {other:?}", db.name),
        }
        let export = db.store.export_ledger(
            &RegionCode::parse(TAOHONG).unwrap().county().unwrap(),
            |_| Ok(()),
        );
        assert!(
            matches!(
                export,
                Err(StoreError::Corrupt {
                    table: "members",
                    ..
                })
            ),
            "{}: the export stops at the damaged row: {export:?}",
            db.name
        );

        // a birth date that is no date
        db.execute_unchecked("UPDATE members SET sex = 1, birth_date = '2026-13-40'")
            .unwrap();
        let e = db.store.household(&no).unwrap_err().to_string();
        assert_eq!(
            e, "stored value '2026-13-40' in members.birth_date does not parse",
            "{}",
            db.name
        );
    }
}

#[test]
fn a_member_who_leaves_is_kept_with_reason_and_date_but_no_longer_counted_found_or_exported() {
    use shouwang_core::household::LeaveReason;
    for db in dbs() {
        let (h, members) = families(30, 11)
            .into_iter()
            .find(|(_, ms)| ms.len() >= 3)
            .expect("a family of three");
        let no = h.household_no.clone();
        db.store
            .create_household(&actor(), h.clone(), members.clone(), today())
            .unwrap();
        let village = h.village.clone();
        let persons_before = db.store.count_in(&village).unwrap().1;
        let leaver = members
            .iter()
            .find(|m| m.relation != Relation::Head)
            .unwrap()
            .clone();
        let head = members
            .iter()
            .find(|m| m.relation == Relation::Head)
            .unwrap();
        let on = Date::new(2026, 10, 1).unwrap();

        // the head cannot leave, a date after today is refused, a stale edit is told to reload
        let err = db
            .store
            .member_leaves(
                &actor(),
                &no,
                &head.id_number,
                LeaveReason::MovedAway,
                on,
                1,
                today(),
            )
            .unwrap_err();
        assert_eq!(problem_codes(err), [ProblemCode::LeaveHead], "{}", db.name);
        let tomorrow = Date::new(2026, 11, 24).unwrap();
        let err = db
            .store
            .member_leaves(
                &actor(),
                &no,
                &leaver.id_number,
                LeaveReason::MovedAway,
                tomorrow,
                1,
                today(),
            )
            .unwrap_err();
        assert_eq!(problem_codes(err), [ProblemCode::LeaveDateRange]);
        let err = db
            .store
            .member_leaves(
                &actor(),
                &no,
                &leaver.id_number,
                LeaveReason::MovedAway,
                on,
                7,
                today(),
            )
            .unwrap_err();
        assert!(matches!(err, StoreError::Stale), "{}: {err}", db.name);
        assert_eq!(
            db.store.household(&no).unwrap().unwrap().members.len(),
            members.len()
        );

        let d = db
            .store
            .member_leaves(
                &actor(),
                &no,
                &leaver.id_number,
                LeaveReason::Death,
                on,
                1,
                today(),
            )
            .unwrap();
        assert_eq!(d.member.deceased_on, Some(on));
        let rec = db.store.household(&no).unwrap().unwrap();
        assert_eq!(rec.members.len(), members.len() - 1, "{}", db.name);
        assert!(rec.members.iter().all(|m| m.id_number != leaver.id_number));
        assert_eq!(rec.version, 2);
        let kept = db.store.departures(&no).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].departure.reason, LeaveReason::Death);
        assert_eq!(kept[0].departure.on, on);
        assert_eq!(kept[0].departure.member.name, leaver.name);
        assert_eq!(kept[0].departure.member.deceased_on, Some(on));

        // counted, found and exported no more
        let alive_before = if leaver.deceased_on.is_none() { 1 } else { 0 };
        assert_eq!(
            db.store.count_in(&village).unwrap().1,
            persons_before - alive_before
        );
        let county = RegionCode::parse("510821").unwrap();
        assert!(db
            .store
            .search(&county, &leaver.id_number, 20)
            .unwrap()
            .is_empty());
        let mut exported = Vec::new();
        db.store
            .export_ledger(&village, |x| {
                if x.household.household_no == no {
                    exported.push(x.members.len());
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(exported, [members.len() - 1], "{}", db.name);

        // the history says who left, why and when
        let history = db.store.history("household", &no, 10).unwrap();
        assert_eq!(history[0].action, "household.member_leave");
        let left = &history[0].after.as_ref().unwrap()["left"];
        assert_eq!(left["reason"], "死亡");
        assert_eq!(left["on"], "2026-10-01");
        assert_eq!(left["name"], leaver.name.as_str());
    }
}

#[test]
fn a_person_who_left_may_head_a_household_of_their_own() {
    use shouwang_core::household::LeaveReason;
    for db in dbs() {
        let (h, members) = families(30, 12)
            .into_iter()
            .find(|(_, ms)| ms.len() >= 2)
            .unwrap();
        db.store
            .create_household(&actor(), h.clone(), members.clone(), today())
            .unwrap();
        let mover = members
            .iter()
            .find(|m| m.relation != Relation::Head)
            .unwrap()
            .clone();
        let mut own = h.clone();
        own.household_no = format!("{}-1", h.household_no);
        let mut head = mover.clone();
        head.relation = Relation::Head;
        head.deceased_on = None;
        // still a member: refused as registered in another household
        let err = db
            .store
            .create_household(&actor(), own.clone(), vec![head.clone()], today())
            .unwrap_err();
        assert_eq!(
            problem_codes(err),
            [ProblemCode::IdNumberElsewhere],
            "{}",
            db.name
        );
        let on = Date::new(2026, 9, 1).unwrap();
        db.store
            .member_leaves(
                &actor(),
                &h.household_no,
                &mover.id_number,
                LeaveReason::SplitOff,
                on,
                1,
                today(),
            )
            .unwrap();
        db.store
            .create_household(&actor(), own.clone(), vec![head], today())
            .unwrap();
        let found = db
            .store
            .search(&RegionCode::parse("510821").unwrap(), &mover.id_number, 5)
            .unwrap();
        assert_eq!(found.len(), 1, "{}", db.name);
        assert_eq!(found[0].household_no, own.household_no);
        // the old household still shows the person as having left
        let kept = db.store.departures(&h.household_no).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].departure.reason, LeaveReason::SplitOff);
    }
}

#[test]
fn cases_are_written_with_the_history_core_builds_and_a_bad_one_refuses_the_load() {
    use shouwang_core::date::YearMonth;
    use shouwang_core::monitoring::{
        CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType,
    };
    let ym = |y, m| YearMonth::new(y, m).unwrap();
    for db in dbs() {
        let data = families(4, 11);
        db.store.bulk_load(&actor(), &data, "test.load").unwrap();
        let county = RegionCode::parse("510821").unwrap();
        let case = |i: usize, status, elimination| MonitoringCase {
            household_no: data[i].0.household_no.clone(),
            case_type: CaseType::MarginalAtRisk,
            risks: vec![RiskType::Illness],
            identified: ym(2024, 3),
            status,
            elimination,
            whole_household_without_labour: false,
        };
        let eliminated = case(
            0,
            CaseStatus::Eliminated,
            Some((EliminationKind::Natural, ym(2025, 1))),
        );
        // eliminated before it was identified: the whole load is refused, naming the field
        let mut wrong = case(
            1,
            CaseStatus::Eliminated,
            Some((EliminationKind::AfterAssistance, ym(2023, 12))),
        );
        let err = db
            .store
            .bulk_cases(
                &actor(),
                &county,
                &[eliminated.clone(), wrong.clone()],
                today(),
                "test.cases",
            )
            .unwrap_err();
        match err {
            StoreError::Invalid(p) => {
                assert_eq!(
                    p[0].code,
                    ProblemCode::MonitoringEliminatedBeforeIdentified,
                    "{}",
                    db.name
                );
                assert_eq!(p[0].field, "cases[1].eliminated");
            }
            other => panic!("{}: {other}", db.name),
        }
        assert_eq!(
            db.store.case_counts(&county).unwrap().total,
            0,
            "{}",
            db.name
        );
        wrong.elimination = None;
        wrong.status = CaseStatus::AtRisk;
        wrong.whole_household_without_labour = true;
        let n = db
            .store
            .bulk_cases(
                &actor(),
                &county,
                &[eliminated, wrong],
                today(),
                "test.cases",
            )
            .unwrap();
        assert_eq!(n, 2);
        let counts = db.store.case_counts(&county).unwrap();
        assert_eq!(
            (
                counts.total,
                counts.status(CaseStatus::AtRisk),
                counts.status(CaseStatus::Eliminated),
                counts.eliminated(EliminationKind::Natural),
                counts.without_labour_open
            ),
            (2, 1, 1, 1, 1),
            "{}",
            db.name
        );
        let steps = db
            .store
            .case_steps(&county, &data[0].0.household_no)
            .unwrap();
        let seen: Vec<(&str, String)> = steps
            .iter()
            .map(|s| (s.step.as_str(), s.on.to_string()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("identification", "2024-03-01".to_string()),
                ("elimination", "2025-01-01".to_string())
            ],
            "{}",
            db.name
        );
        let steps = db
            .store
            .case_steps(&county, &data[1].0.household_no)
            .unwrap();
        assert_eq!(steps.len(), 1, "{}", db.name);
        // a village's count holds only its own households' cases
        let village = data[1].0.village.clone();
        assert_eq!(
            db.store.case_counts(&village).unwrap().total,
            u64::from(data[0].0.village == village) + 1,
            "{}",
            db.name
        );
    }
}
