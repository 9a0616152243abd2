//! 一户一策 as stored, on every configured backend: the plan created on first need and guarded
//! by its version, measures added, changed and ended (each audited, each bumping the plan), and
//! the assistance flags of a region counted set-based with a page of households.

use shouwang_core::assistance::flags::FlagKind;
use shouwang_core::assistance::{Measure, MeasureCategory, MeasureState, Plan};
use shouwang_core::calendar::WorkCalendar;
use shouwang_core::date::YearMonth;
use shouwang_core::household::{Household, Member};
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{GreenChannel, Identification};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::{CaseStatus, CaseType, MonitoringCase, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, RegionCode, Role};
use shouwang_store::assistance::FlagLimits;
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const REGIONS: &[(&str, &str)] = &[
    ("510821108", "三江镇"),
    (TAOHONG, "桃红村"),
    ("510821115", "龙凤镇"),
    (LONGFENG, "龙凤社区"),
];
const LIMITS: FlagLimits = FlagLimits {
    measures_days: 10,
    development_months: 6,
};

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

fn can_work(m: &[Member]) -> bool {
    m.iter()
        .any(|m| m.is_alive() && m.labour.is_some_and(|l| l.can_work()))
}

/// 桃红村's households loaded; returns (with workers, without workers) of 桃红村.
fn county(db: &TestDb) -> (Vec<String>, Vec<String>) {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data: Vec<(Household, Vec<Member>)> = generate(
        &SynthConfig {
            households: 60,
            seed: 14,
            today: d("2026-11-01"),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let taohong = data.iter().filter(|(h, _)| h.village.as_str() == TAOHONG);
    let (working, not): (Vec<_>, Vec<_>) = taohong.partition(|(_, m)| can_work(m));
    (
        working
            .iter()
            .map(|(h, _)| h.household_no.clone())
            .collect(),
        not.iter().map(|(h, _)| h.household_no.clone()).collect(),
    )
}

/// Cases at risk identified in `month` for `nos`; returns their ids, in order.
fn cases(db: &TestDb, nos: &[&str], month: &str) -> Vec<i64> {
    let cases: Vec<MonitoringCase> = nos
        .iter()
        .map(|no| MonitoringCase {
            household_no: no.to_string(),
            case_type: CaseType::MarginalAtRisk,
            risks: vec![RiskType::Illness],
            identified: YearMonth::parse(month).unwrap(),
            status: CaseStatus::AtRisk,
            elimination: None,
            whole_household_without_labour: false,
        })
        .collect();
    db.store
        .bulk_cases(
            &Actor::system("test"),
            &region("510821"),
            &cases,
            d("2026-11-01"),
            "test.cases",
        )
        .unwrap();
    nos.iter()
        .map(|no| {
            db.store
                .case_steps(&region("510821"), no)
                .unwrap()
                .last()
                .unwrap()
                .case_id
        })
        .collect()
}

fn measure(category: MeasureCategory) -> Measure {
    Measure {
        category,
        content: "发放产业奖补资金用于养殖肉牛3头".into(),
        risk: Some(RiskType::Illness),
        start: d("2026-10-01"),
        end: Some(d("2026-12-31")),
        amount: Some(Fen::from_yuan(6000)),
        unit: "乡农业服务中心".into(),
        responsible: "李四".into(),
        state: MeasureState::Planned,
        ended_on: None,
    }
}

#[test]
fn a_plan_is_created_on_first_need_and_every_write_bumps_its_version() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (working, _) = county(&db);
        let case = cases(&db, &[&working[0]], "2026-10")[0];
        let s = &db.store;
        let empty = s.plan_of_case(case).unwrap();
        assert_eq!(
            (empty.id, empty.version, empty.plan.summary.as_str()),
            (None, 0, "")
        );
        assert_eq!(
            s.plan_of_case(999_999).unwrap_err().to_string(),
            StoreError::NotFound.to_string()
        );

        let saved = s
            .save_plan(
                &actor("taohong"),
                case,
                0,
                &Plan {
                    summary: "发展肉牛养殖".into(),
                },
            )
            .unwrap();
        assert_eq!(
            (saved.version, saved.plan.summary.as_str()),
            (1, "发展肉牛养殖"),
            "{}",
            db.name
        );
        // a second user who read version 0 collides
        assert!(matches!(
            s.save_plan(
                &actor("other"),
                case,
                0,
                &Plan {
                    summary: "别的".into()
                }
            ),
            Err(StoreError::Stale)
        ));
        let (plan, m) = s
            .add_measure(
                &actor("taohong"),
                case,
                1,
                &measure(MeasureCategory::Industry),
            )
            .unwrap();
        assert_eq!(plan.version, 2);
        assert_eq!(m.measure, measure(MeasureCategory::Industry));
        assert_eq!(
            (m.case_id, m.plan_id, m.village.as_str()),
            (case, saved.id.unwrap(), TAOHONG)
        );
        // stale: nothing written
        assert!(matches!(
            s.add_measure(&actor("other"), case, 1, &measure(MeasureCategory::Health)),
            Err(StoreError::Stale)
        ));
        assert_eq!(s.measures_of_case(case).unwrap().len(), 1, "{}", db.name);

        let mut placed = m.measure.clone();
        placed.state = MeasureState::InPlace;
        let (plan, after) = s
            .update_measure(&actor("taohong"), m.id, 2, &placed)
            .unwrap();
        assert_eq!(
            (plan.version, after.version, after.measure.state),
            (3, 2, MeasureState::InPlace)
        );
        assert!(matches!(
            s.update_measure(&actor("other"), m.id, 2, &placed),
            Err(StoreError::Stale)
        ));
        let mut ended = placed.clone();
        ended.state = MeasureState::Ended;
        ended.ended_on = Some(d("2026-10-31"));
        let (plan, after) = s
            .update_measure(&actor("taohong"), m.id, 3, &ended)
            .unwrap();
        assert_eq!(
            (plan.version, after.measure.ended_on),
            (4, Some(d("2026-10-31")))
        );
        assert_eq!(s.measure(m.id).unwrap().unwrap().measure, ended);

        for (action, n) in [
            ("plan.save", 1),
            ("measure.add", 1),
            ("measure.update", 1),
            ("measure.end", 1),
        ] {
            assert_eq!(
                s.count_events(action).unwrap(),
                n,
                "{action} on {}",
                db.name
            );
        }
        let history = s.history("measure", &m.id.to_string(), 10).unwrap();
        assert_eq!(history[0].action, "measure.end");
        assert_eq!(history[0].username, "taohong");
        assert!(s.case_under_assistance(case).unwrap());
    }
}

#[test]
fn a_measure_without_amount_end_or_risk_round_trips() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (working, _) = county(&db);
        let case = cases(&db, &[&working[0]], "2026-10")[0];
        let bare = Measure {
            risk: None,
            end: None,
            amount: None,
            unit: String::new(),
            ..measure(MeasureCategory::Social)
        };
        let (_, m) = db
            .store
            .add_measure(&actor("taohong"), case, 0, &bare)
            .unwrap();
        assert_eq!(
            db.store.measure(m.id).unwrap().unwrap().measure,
            bare,
            "{}",
            db.name
        );
    }
}

#[test]
fn the_flags_of_a_region_count_and_list_the_households_that_trip_them() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (working, _) = county(&db);
        assert!(
            working.len() >= 5,
            "the synthetic village has households able to work"
        );
        // one household where no one can work any more
        let idle = [working[4].clone()];
        db.execute_unchecked(&format!(
            "UPDATE members SET labour = 4 WHERE household_no = '{}'",
            idle[0]
        ))
        .unwrap();
        let s = &db.store;
        // identified 2026-04-01 (the first of the month, no dated step but the ledger's)
        let ids = cases(
            &db,
            &[&working[0], &working[1], &working[2], &idle[0]],
            "2026-04",
        );
        let (bare, helped, developed, no_workers) = (ids[0], ids[1], ids[2], ids[3]);
        assert_eq!(s.case_identified_on(bare).unwrap(), d("2026-04-01"));
        s.add_measure(&actor("t"), helped, 0, &measure(MeasureCategory::Health))
            .unwrap();
        s.add_measure(
            &actor("t"),
            developed,
            0,
            &measure(MeasureCategory::Employment),
        )
        .unwrap();

        let village = region(TAOHONG);
        // (a) on 04-11 nothing, on 04-12 the bare cases (no measure, 11 days)
        let (c, _) = s
            .assistance_flags(
                &village,
                d("2026-04-11"),
                LIMITS,
                FlagKind::NoMeasure,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.no_measure, 0, "{}", db.name);
        let (c, rows) = s
            .assistance_flags(
                &village,
                d("2026-04-12"),
                LIMITS,
                FlagKind::NoMeasure,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.no_measure, 2, "{}", db.name);
        let listed: Vec<i64> = rows.iter().filter_map(|r| r.case_id).collect();
        assert!(
            listed.contains(&bare) && listed.contains(&no_workers) && !listed.contains(&helped)
        );
        assert!(rows
            .iter()
            .all(|r| !r.head_name.is_empty() && r.since_on == d("2026-04-01")));

        // (b) on 10-01 (six months on) nothing, on 10-02 the working households without a
        // development measure: the bare one and the one with a health measure only
        let (c, _) = s
            .assistance_flags(
                &village,
                d("2026-10-01"),
                LIMITS,
                FlagKind::NoDevelopment,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.no_development, 0, "{}", db.name);
        let (c, rows) = s
            .assistance_flags(
                &village,
                d("2026-10-02"),
                LIMITS,
                FlagKind::NoDevelopment,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.no_development, 2, "{}", db.name);
        let listed: Vec<i64> = rows.iter().filter_map(|r| r.case_id).collect();
        assert!(listed.contains(&bare) && listed.contains(&helped));
        assert!(!listed.contains(&developed) && !listed.contains(&no_workers));
        assert!(rows.iter().all(|r| r.workers > 0));
        // a development measure that ended no longer counts
        let m = s.measures_of_case(developed).unwrap().remove(0);
        let v = s.plan_of_case(developed).unwrap().version;
        let ended = Measure {
            state: MeasureState::Ended,
            ended_on: Some(d("2026-10-01")),
            ..m.measure
        };
        s.update_measure(&actor("t"), m.id, v, &ended).unwrap();
        let (c, _) = s
            .assistance_flags(
                &village,
                d("2026-10-02"),
                LIMITS,
                FlagKind::NoDevelopment,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.no_development, 3, "{}", db.name);
        // the county and the township count the same households
        for above in ["510821", "510821108"] {
            let (c, rows) = s
                .assistance_flags(
                    &region(above),
                    d("2026-10-02"),
                    LIMITS,
                    FlagKind::NoDevelopment,
                    0,
                    50,
                )
                .unwrap();
            assert_eq!(
                (c.no_development, rows.len()),
                (3, 3),
                "{above} on {}",
                db.name
            );
        }
        // another village sees none of it
        let (c, rows) = s
            .assistance_flags(
                &region(LONGFENG),
                d("2026-10-02"),
                LIMITS,
                FlagKind::NoMeasure,
                0,
                50,
            )
            .unwrap();
        assert_eq!((c.no_measure, c.no_development, rows.len()), (0, 0, 0));

        // (c) a green-channel procedure open past its due date
        let lead = s
            .raise_lead(
                &actor("taohong"),
                &NewLead {
                    household_no: working[3].clone(),
                    risk: RiskType::NaturalDisaster,
                    level: WarningLevel::Red,
                    source: LeadSource::CadreCheck,
                    found_on: d("2026-09-01"),
                    due_on: d("2026-09-08"),
                    note: "洪灾冲毁房屋".into(),
                },
            )
            .unwrap();
        let mut ident = Identification::open(
            d("2026-09-01"),
            vec![RiskType::NaturalDisaster],
            d("2026-09-01"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        ident.green_channel = Some(GreenChannel {
            on: d("2026-09-01"),
            reason: "洪灾".into(),
        });
        let due = ident.due_on;
        let p = s
            .open_identification(&actor("taohong"), Role::Village, &[lead.id], &ident)
            .unwrap();
        let (c, _) = s
            .assistance_flags(&village, due, LIMITS, FlagKind::GreenChannelOverdue, 0, 50)
            .unwrap();
        assert_eq!(c.green_channel, 0, "{}", db.name);
        let (c, rows) = s
            .assistance_flags(
                &village,
                due.add_days(1),
                LIMITS,
                FlagKind::GreenChannelOverdue,
                0,
                50,
            )
            .unwrap();
        assert_eq!(c.green_channel, 1, "{}", db.name);
        assert_eq!(
            (rows[0].identification_id, rows[0].due_on, rows[0].since_on),
            (Some(p.id), Some(due), d("2026-09-01"))
        );
        // paging
        let (_, page) = s
            .assistance_flags(
                &village,
                d("2026-10-02"),
                LIMITS,
                FlagKind::NoDevelopment,
                1,
                1,
            )
            .unwrap();
        assert_eq!(page.len(), 1);
    }
}
