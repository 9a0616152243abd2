//! 监测统计 on both backends: the figures equal the synthetic generator's truth at several dates,
//! and a past date reads the same after later changes (type changed, risk eliminated, a member
//! joined, a member left, a new case).

use shouwang_core::household::{Household, LeaveReason, Member};
use shouwang_core::statistics::synth::{generate as history_of, truth, History, TruthFigure};
use shouwang_core::statistics::{tally, Category, Count, Query, Table, TYPES};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::Store;
use std::collections::BTreeMap;

const VILLAGES: [(&str, &str); 6] = [
    ("510821100", "东河镇"),
    ("510821100001", "桃红村"),
    ("510821100002", "龙凤村"),
    ("510821101", "嘉川镇"),
    ("510821101001", "白水村"),
    ("510821101002", "光荣村"),
];

fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

fn world(db: &TestDb, households: usize, seed: u64) -> (Vec<(Household, Vec<Member>)>, History) {
    let villages: Vec<SynthVillage> = VILLAGES
        .iter()
        .filter(|(c, _)| c.len() == 12)
        .map(|(c, _)| SynthVillage {
            code: RegionCode::parse(c).unwrap(),
            resettlement_site: None,
        })
        .collect();
    let mut data = generate(
        &SynthConfig {
            households,
            seed,
            today: today(),
            county: RegionCode::parse("510821").unwrap(),
        },
        &villages,
    );
    let history = history_of(&mut data, seed, today());
    let actor = Actor::system("test");
    db.store.bulk_load(&actor, &data, "test").unwrap();
    db.store
        .load_statistics_history(&actor, &history, today())
        .unwrap();
    (data, history)
}

fn read(store: &Store, q: &Query) -> Table {
    let areas: Vec<String> = store
        .region_children(&q.region)
        .unwrap()
        .into_iter()
        .map(|r| r.code.as_str().to_string())
        .collect();
    tally(q.clone(), &areas, &store.monitoring_groups(q).unwrap())
}

/// Every non-zero figure of the table, keyed like the truth.
type Figures = BTreeMap<(Option<String>, &'static str, i64), Count>;

fn figures_of(t: &Table) -> Figures {
    let mut out = BTreeMap::new();
    let rows = std::iter::once((None, &t.total))
        .chain(t.areas.iter().map(|a| (Some(a.area.clone()), &a.figures)));
    for (area, f) in rows {
        for c in Category::ALL {
            for ty in TYPES {
                let n = f.get(c, ty);
                if n != Count::default() {
                    out.insert((area.clone(), c.key(), ty.map_or(0, |t| t.code())), n);
                }
            }
        }
    }
    out
}

fn figures_of_truth(t: &[TruthFigure]) -> Figures {
    t.iter()
        .map(|f| {
            (
                (
                    f.area.clone(),
                    f.category.key(),
                    f.case_type.map_or(0, |t| t.code()),
                ),
                f.count,
            )
        })
        .collect()
}

fn query(region: &str, as_of: Date) -> Query {
    Query::new(
        RegionCode::parse(region).unwrap(),
        Some(as_of),
        None,
        None,
        today(),
    )
    .unwrap()
}

#[test]
fn monitoring_figures_equal_the_generators_truth_at_past_dates_for_a_province_city_county_and_township(
) {
    for db in TestDb::all() {
        let db = db.with_regions(&VILLAGES);
        let (data, history) = world(&db, 600, 16);
        assert!(history.cases.len() > 50, "{}", history.cases.len());
        assert!(!history.joins.is_empty() && !history.departures.is_empty());
        for region in ["51", "5108", "510821", "510821100"] {
            for days_back in [0, 90, 400, 800, 1200] {
                let q = query(region, today().add_days(-days_back));
                let got = figures_of(&read(&db.store, &q));
                let want = figures_of_truth(&truth(&data, &history, &q));
                assert_eq!(got, want, "{} {region} as of {}", db.name, q.as_of);
            }
        }
        // a period of its own: new cases of one quarter a year ago
        let to = today().add_days(-365);
        let q = Query::new(
            RegionCode::parse("510821").unwrap(),
            None,
            Some(to.add_days(-90)),
            Some(to),
            today(),
        )
        .unwrap();
        let got = figures_of(&read(&db.store, &q));
        assert_eq!(got, figures_of_truth(&truth(&data, &history, &q)));
        assert!(
            got.contains_key(&(None, "new", 0)),
            "{}: no new case",
            db.name
        );
    }
}

#[test]
fn a_past_date_reads_the_same_after_the_type_changes_an_elimination_a_member_joining_and_leaving() {
    for db in TestDb::all() {
        let db = db.with_regions(&VILLAGES);
        let (_, history) = world(&db, 300, 7);
        let past = query("510821", today().add_days(-200));
        let before = figures_of(&read(&db.store, &past));
        let list_before = db.store.monitoring_cases_at(&past).unwrap();
        let today_before = db
            .store
            .monitoring_cases_at(&query("510821", today()))
            .unwrap();
        let yesterday_before = db
            .store
            .monitoring_cases_at(&query("510821", today().add_days(-1)))
            .unwrap();
        // an open case counted then: change its type and eliminate it today
        let open = list_before
            .iter()
            .find(|c| c.state.eliminated.is_none())
            .expect("an open case then");
        let other = if open.state.case_type.code() == 3 {
            1
        } else {
            3
        };
        db.execute_unchecked(&format!(
            "UPDATE monitoring_cases SET case_type = {other} WHERE household_no = '{}'",
            open.household_no
        ))
        .unwrap();
        db.execute_unchecked(&format!(
            "UPDATE monitoring_cases SET status = 2, elimination_kind = 1, eliminated = '{}', eliminated_on = '{}'
             WHERE household_no = '{}'",
            shouwang_core::date::YearMonth::of(today()),
            today(),
            open.household_no
        ))
        .unwrap();
        // a member joins, another leaves, in a counted household
        let record = db.store.household(&open.household_no).unwrap().unwrap();
        let mut members = record.members.clone();
        let mut newcomer = members[0].clone();
        let first17 = b"51082120200101001";
        newcomer.id_number = format!(
            "{}{}",
            std::str::from_utf8(first17).unwrap(),
            shouwang_core::id_number::check_char(first17) as char
        );
        newcomer.relation = shouwang_core::codes::Relation::Grandson;
        newcomer.name = "新成员".into();
        newcomer.birth_date = Date::parse("2020-01-01").unwrap();
        members.push(newcomer);
        let actor = Actor::system("test");
        let joined = db.store.update_household(
            &actor,
            record.household.clone(),
            members,
            record.version,
            today(),
        );
        assert!(joined.is_ok(), "{}: {joined:?}", db.name);
        let leaver = record
            .members
            .iter()
            .find(|m| m.relation != shouwang_core::codes::Relation::Head);
        if let (Ok(()), Some(leaver)) = (&joined, leaver) {
            let v = db
                .store
                .household(&open.household_no)
                .unwrap()
                .unwrap()
                .version;
            db.store
                .member_leaves(
                    &actor,
                    &open.household_no,
                    &leaver.id_number,
                    LeaveReason::MovedAway,
                    today(),
                    v,
                    today(),
                )
                .unwrap();
        }
        // and a household never monitored becomes a case today
        let counted: std::collections::HashSet<&str> = history
            .cases
            .iter()
            .map(|c| c.household_no.as_str())
            .collect();
        let fresh = db
            .store
            .households_in(&RegionCode::parse("510821").unwrap(), 0, 1000)
            .unwrap()
            .0
            .into_iter()
            .find(|h| !counted.contains(h.household_no.as_str()))
            .unwrap();
        db.execute_unchecked(&format!(
            "INSERT INTO monitoring_cases (county, household_no, case_type, identified, identified_on, status, created_at, updated_at)
             VALUES ('510821', '{}', 2, '{}', '{}', 1, 0, 0)",
            fresh.household_no,
            shouwang_core::date::YearMonth::of(today()),
            today()
        ))
        .unwrap();

        assert_eq!(
            figures_of(&read(&db.store, &past)),
            before,
            "{}: the past date changed",
            db.name
        );
        assert_eq!(db.store.monitoring_cases_at(&past).unwrap(), list_before);
        // today shows the changes
        let now = db
            .store
            .monitoring_cases_at(&query("510821", today()))
            .unwrap();
        let changed = now
            .iter()
            .find(|c| c.household_no == open.household_no)
            .unwrap();
        assert_eq!(changed.state.case_type.code(), other);
        assert!(changed.state.eliminated.is_some());
        assert!(now
            .iter()
            .any(|c| c.household_no == fresh.household_no && c.state.new));
        assert!(!list_before
            .iter()
            .any(|c| c.household_no == fresh.household_no));
        if joined.is_ok() {
            // one joined and one left today: the same number of persons as before today
            let persons_in = |list: &[shouwang_store::statistics::CaseAt]| {
                list.iter()
                    .find(|c| c.household_no == open.household_no)
                    .map(|c| c.persons)
            };
            assert_eq!(
                Some(changed.persons),
                persons_in(&today_before),
                "{}",
                db.name
            );
            let yesterday = db
                .store
                .monitoring_cases_at(&query("510821", today().add_days(-1)))
                .unwrap();
            assert_eq!(persons_in(&yesterday), persons_in(&yesterday_before));
            assert_eq!(yesterday, yesterday_before);
        }
    }
}
