//! 工作提示单 as stored, on every configured backend: the inputs of one village and of the whole
//! county (the same for the village either way, nothing of another village), the list built from
//! them, work done dropping items, lists saved, read back and counted per village, one audit
//! event per generation.
//!
//! Cases, measures, pairings and visits are written here with plain SQL: their own store
//! functions live on other branches.

use shouwang_core::date::YearMonth;
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::task_list::{build, visits_since, TaskKind, TaskList, TaskRules};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;

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

fn dec() -> YearMonth {
    YearMonth::new(2026, 12).unwrap()
}

/// A county of two villages; returns two household numbers of 桃红村 and one of 龙凤社区.
fn county(db: &TestDb) -> (String, String, String) {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 20,
            seed: 13,
            today: d("2026-11-01"),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let of = |v: &str| {
        data.iter()
            .filter(|(h, _)| h.village.as_str() == v)
            .map(|(h, _)| h.household_no.clone())
            .collect::<Vec<_>>()
    };
    let t = of(TAOHONG);
    (t[0].clone(), t[1].clone(), of(LONGFENG)[0].clone())
}

/// A case at risk of `no`, included by the county on `on`.
fn case_at_risk(db: &TestDb, no: &str, on: &str) {
    let month = &on[..7];
    db.execute_unchecked(&format!(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
         VALUES ('510821', '{no}', 2, '0', '{month}', 1, 0, 0);
         INSERT INTO case_steps (county, case_id, step, on_date, actor)
         SELECT county, id, 'identification', '{on}', 'test' FROM monitoring_cases WHERE household_no = '{no}';"
    ))
    .unwrap();
}

/// A measure of `no`'s case (with its plan).
fn measure(db: &TestDb, no: &str, category: i64, end: &str) {
    db.execute_unchecked(&format!(
        "INSERT INTO assistance_plans (county, household_no, village, case_id, created_by, created_at, updated_at)
         SELECT c.county, c.household_no, h.village, c.id, 'test', 0, 0 FROM monitoring_cases c
           JOIN households h ON h.county = c.county AND h.household_no = c.household_no
          WHERE c.household_no = '{no}' AND NOT EXISTS (SELECT 1 FROM assistance_plans p WHERE p.case_id = c.id);
         INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, start_on, end_on, state, created_by, created_at, updated_at)
         SELECT p.county, p.household_no, p.village, p.case_id, p.id, {category}, '医疗救助', '2026-11-28', '{end}', 2, 'test', 0, 0
           FROM assistance_plans p WHERE p.household_no = '{no}';"
    ))
    .unwrap();
}

/// 王帮扶, an assistance person paired with `no` since 2026-01-01.
fn paired(db: &TestDb, no: &str) {
    db.execute_unchecked(&format!(
        "INSERT INTO assistance_persons (county, position, name, created_at, updated_at) VALUES ('510821', 3, '王帮扶', 0, 0);
         INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
         SELECT '510821', MAX(ap.id), '{no}', (SELECT village FROM households WHERE household_no = '{no}'), '2026-01-01', 'test', 0
           FROM assistance_persons ap;"
    ))
    .unwrap();
}

fn visit(db: &TestDb, no: &str, position: i64, on: &str) {
    db.execute_unchecked(&format!(
        "INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, findings, created_at)
         SELECT county, household_no, village, '{on}', 'helper', '王帮扶', {position}, '生活正常', 0 FROM households WHERE household_no = '{no}';"
    ))
    .unwrap();
}

fn list_of(db: &TestDb, village: &str) -> TaskList {
    let rules = TaskRules::defaults();
    let inputs = db
        .store
        .task_inputs(&region(village), dec(), visits_since(dec(), &rules))
        .unwrap();
    let v = inputs.get(village).cloned().unwrap_or_default();
    build(&v, dec(), &rules)
}

fn has(list: &TaskList, kind: TaskKind, no: &str) -> bool {
    list.items
        .iter()
        .any(|i| i.kind == kind && i.household_no == no)
}

#[test]
fn a_villages_list_shows_what_is_due_there_and_nothing_of_another_village() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (a, b, other) = county(&db);
        case_at_risk(&db, &a, "2026-11-25");
        case_at_risk(&db, &other, "2026-11-25");
        paired(&db, &a);
        paired(&db, &other);
        db.store
            .raise_lead(
                &Actor::system("test"),
                &NewLead {
                    household_no: b.clone(),
                    risk: RiskType::Illness,
                    level: WarningLevel::Yellow,
                    source: LeadSource::CadreCheck,
                    found_on: d("2026-12-01"),
                    due_on: d("2026-12-08"),
                    note: "户主住院".into(),
                },
            )
            .unwrap();

        // 赵书记 holds 桃红村's secretary position, 钱书记 三江镇's
        for (name, region, position) in [("zhao", TAOHONG, 1), ("qian", "510821108", 2)] {
            db.store
                .add_user(
                    &Actor::system("test"),
                    shouwang_store::users::NewUser {
                        username: name,
                        display_name: if position == 1 {
                            "赵书记"
                        } else {
                            "钱书记"
                        },
                        password_hash: "x",
                        role: if position == 1 {
                            shouwang_core::Role::Village
                        } else {
                            shouwang_core::Role::Township
                        },
                        region: &RegionCode::parse(region).unwrap(),
                        must_change_password: false,
                    },
                )
                .unwrap();
            db.execute_unchecked(&format!(
                "INSERT INTO user_positions (username, position, region) VALUES ('{name}', {position}, '{region}')"
            ))
            .unwrap();
        }

        let list = list_of(&db, TAOHONG);
        assert!(has(&list, TaskKind::MeasuresDue, &a), "{}", db.name);
        let who: Vec<&str> = list
            .items
            .iter()
            .filter(|i| i.kind == TaskKind::VisitDue && i.household_no == a)
            .map(|i| i.who_zh.as_str())
            .collect();
        assert!(who.contains(&"村党支部书记 赵书记"), "{who:?}");
        assert!(who.contains(&"乡镇党委书记 钱书记"), "{who:?}");
        assert!(has(&list, TaskKind::LeadToVerify, &b), "{}", db.name);
        let helper = list
            .items
            .iter()
            .find(|i| {
                i.kind == TaskKind::VisitDue && i.household_no == a && i.who_zh.contains("王帮扶")
            })
            .expect("the assistance person's visit");
        assert_eq!(helper.due, d("2026-12-31"));
        assert!(!helper.head_name.is_empty(), "{}", db.name);
        assert!(
            list.items.iter().all(|i| i.household_no != other),
            "{}",
            db.name
        );

        // the whole county at once gives the village the same inputs
        let rules = TaskRules::defaults();
        let all = db
            .store
            .task_inputs(&region("510821"), dec(), visits_since(dec(), &rules))
            .unwrap();
        assert_eq!(build(&all[TAOHONG], dec(), &rules), list, "{}", db.name);
        assert!(has(
            &build(&all[LONGFENG], dec(), &rules),
            TaskKind::MeasuresDue,
            &other
        ));

        // the work done: a measure entered, the assistance person's visit made
        measure(&db, &a, 7, "2026-12-20");
        visit(&db, &a, 3, "2026-12-03");
        let list = list_of(&db, TAOHONG);
        assert!(!has(&list, TaskKind::MeasuresDue, &a), "{}", db.name);
        assert!(has(&list, TaskKind::MeasureEnding, &a), "{}", db.name);
        assert!(
            !list
                .items
                .iter()
                .any(|i| i.household_no == a && i.who_zh.contains("王帮扶")),
            "{}",
            db.name
        );
        // a visit of another month does not count
        visit(&db, &other, 3, "2026-11-30");
        let all = db
            .store
            .task_inputs(&region("510821"), dec(), visits_since(dec(), &rules))
            .unwrap();
        let l = build(&all[LONGFENG], dec(), &rules);
        assert!(l
            .items
            .iter()
            .any(|i| i.household_no == other && i.who_zh.contains("王帮扶")));

        // a case included in March may be checked for elimination; once its elimination
        // procedure is open, it is no longer listed as possible (the procedure's step is)
        db.execute_unchecked(&format!(
            "UPDATE case_steps SET on_date = '2026-03-10' WHERE case_id = (SELECT id FROM monitoring_cases WHERE household_no = '{other}')"
        ))
        .unwrap();
        let elimination = |db: &TestDb| {
            let all = db
                .store
                .task_inputs(&region("510821"), dec(), visits_since(dec(), &rules))
                .unwrap();
            let l = build(&all[LONGFENG], dec(), &rules);
            (
                has(&l, TaskKind::EliminationPossible, &other),
                has(&l, TaskKind::ProcedureStep, &other),
            )
        };
        assert_eq!(elimination(&db), (true, false), "{}", db.name);
        db.execute_unchecked(&format!(
            "INSERT INTO identifications (county, household_no, village, stage, found_on, due_on, stage_due, body, case_id, purpose, created_by, created_at, updated_at)
             SELECT c.county, c.household_no, h.village, 1, '2026-12-01', '2026-12-16', '2026-12-04', '{{}}', c.id, 2, 'test', 0, 0
             FROM monitoring_cases c JOIN households h ON h.county = c.county AND h.household_no = c.household_no WHERE c.household_no = '{other}'"
        ))
        .unwrap();
        assert_eq!(elimination(&db), (false, true), "{}", db.name);
    }
}

#[test]
fn lists_are_saved_per_village_and_month_and_counted_per_region() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (a, _, _) = county(&db);
        case_at_risk(&db, &a, "2026-11-15"); // measures overdue on 11-25
        let list = list_of(&db, TAOHONG);
        assert!(list.overdue() >= 1);
        let before = db.store.count_events("task_list.generate").unwrap();
        let saved = db
            .store
            .save_task_lists(
                &Actor::system("scheduler"),
                &region("510821"),
                dec(),
                std::slice::from_ref(&list),
            )
            .unwrap();
        assert_eq!(saved, 1);
        assert_eq!(
            db.store.count_events("task_list.generate").unwrap(),
            before + 1
        );
        let back = db
            .store
            .task_list(&region(TAOHONG), dec())
            .unwrap()
            .unwrap();
        assert_eq!(back.list, list, "{}", db.name);
        assert_eq!(back.generated_by, "system:scheduler");
        assert!(db
            .store
            .task_list(&region(LONGFENG), dec())
            .unwrap()
            .is_none());

        // regenerated: replaced, not added
        let mut shorter = list.clone();
        shorter.items.truncate(1);
        db.store
            .save_task_lists(
                &Actor::system("taohong"),
                &region(TAOHONG),
                dec(),
                &[shorter.clone()],
            )
            .unwrap();
        let back = db
            .store
            .task_list(&region(TAOHONG), dec())
            .unwrap()
            .unwrap();
        assert_eq!(back.list.items.len(), 1);
        assert_eq!(back.generated_by, "system:taohong");

        let counts = db.store.task_list_counts(&region("510821"), dec()).unwrap();
        assert_eq!(counts.len(), 2, "{}", db.name);
        assert_eq!(counts[0].village, TAOHONG);
        assert_eq!(counts[0].items, Some(1));
        assert_eq!(counts[0].name, "桃红村");
        assert_eq!(counts[1].items, None);
        let township = db
            .store
            .task_list_counts(&region("510821115"), dec())
            .unwrap();
        assert_eq!(township.len(), 1);
        assert_eq!(township[0].village, LONGFENG);
    }
}
