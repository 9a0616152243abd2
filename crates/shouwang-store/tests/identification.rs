//! The identification procedure as stored, on every configured backend: leads raised, dismissed
//! and merged; a procedure opened on them, taken step by step to a monitoring case; two users on
//! one step; the notice list; the daily sweep.

use shouwang_core::calendar::WorkCalendar;
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{
    Appraisal, AppraisalResult, Assets, Decision, Identification, Inclusion, Notice, Review, Stage,
    Step, StepContext, StepKind, Verification,
};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseType, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::identification::IdentificationFilter;
use shouwang_store::leads::{LeadFilter, NewLead};
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

/// A county of two villages; returns a household number of each.
fn county(db: &TestDb) -> (String, String) {
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
            .find(|(h, _)| h.village.as_str() == v)
            .map(|(h, _)| h.household_no.clone())
            .unwrap()
    };
    (of(TAOHONG), of(LONGFENG))
}

fn lead(no: &str, risk: RiskType, found: &str) -> NewLead {
    NewLead {
        household_no: no.into(),
        risk,
        level: WarningLevel::Yellow,
        source: LeadSource::CadreCheck,
        found_on: d(found),
        due_on: d(found).add_days(7),
        note: "入户走访发现户主住院".into(),
    }
}

fn step(ident: &Identification, role: Role, step: &Step, today: &str) -> Identification {
    let dl = Deadlines::defaults();
    let cal = WorkCalendar::default();
    ident
        .apply(
            step,
            &StepContext {
                role,
                today: d(today),
                deadlines: &dl,
                calendar: &cal,
            },
        )
        .unwrap()
}

/// A procedure opened by 桃红村's cadre on an illness lead of `no` found on 2026-11-10.
fn opened(
    s: &shouwang_store::Store,
    no: &str,
) -> shouwang_store::identification::IdentificationRecord {
    let l = s
        .raise_lead(
            &actor("taohong"),
            &lead(no, RiskType::Illness, "2026-11-10"),
        )
        .unwrap();
    let ident = Identification::open(
        d("2026-11-10"),
        vec![RiskType::Illness],
        d("2026-11-10"),
        &Deadlines::defaults(),
        &WorkCalendar::default(),
    );
    s.open_identification(&actor("taohong"), Role::Village, &[l.id], &ident)
        .unwrap()
}

fn inclusion() -> Inclusion {
    Inclusion {
        case_type: CaseType::MarginalAtRisk,
        risks: vec![RiskType::Illness],
        level: WarningLevel::Yellow,
    }
}

/// The whole path from a lead found on 11-10 as (role, step).
fn path() -> Vec<(Role, Step)> {
    vec![
        (
            Role::Village,
            Step::Verify(Verification {
                on: d("2026-11-11"),
                authorised_on: Some(d("2026-11-11")),
                members: 3,
                income_12m: Fen::from_yuan(20_000),
                compulsory_education_secure: true,
                basic_medical_secure: true,
                housing_secure: true,
                drinking_water_secure: true,
                assets: Assets::default(),
                findings: "住院自付四万余元".into(),
            }),
        ),
        (
            Role::Village,
            Step::Appraise(Appraisal {
                on: d("2026-11-12"),
                participants: "村两委及村民代表9人".into(),
                result: AppraisalResult::Agree,
                minutes: "一致同意纳入".into(),
                proposal: Some(inclusion()),
                elimination: None,
            }),
        ),
        (
            Role::Village,
            Step::PublishNotice(Notice {
                start: d("2026-11-12"),
                end: d("2026-11-16"),
                contact: "村委会".into(),
            }),
        ),
        (
            Role::Village,
            Step::Submit {
                on: d("2026-11-17"),
            },
        ),
        (
            Role::Township,
            Step::TownshipApprove(Review {
                on: d("2026-11-18"),
                opinion: "同意".into(),
            }),
        ),
        (
            Role::County,
            Step::Decide(Decision {
                on: d("2026-11-20"),
                inclusion: Some(inclusion()),
                reason: String::new(),
                announcement: "旺乡振〔2026〕30号".into(),
                closure: None,
            }),
        ),
    ]
}

#[test]
fn a_lead_taken_through_every_step_becomes_a_monitoring_case_with_its_history() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (no, _) = county(&db);
        let s = &db.store;
        let l1 = s
            .raise_lead(
                &actor("taohong"),
                &lead(&no, RiskType::Illness, "2026-11-10"),
            )
            .unwrap();
        let l2 = s
            .raise_lead(
                &actor("taohong"),
                &lead(&no, RiskType::Schooling, "2026-11-09"),
            )
            .unwrap();
        assert_eq!(l1.status, LeadStatus::Open);
        assert!(!l1.head_name.is_empty(), "a lead shows the head by name");
        let dl = Deadlines::defaults();
        let cal = WorkCalendar::default();
        let ident = Identification::open(
            d("2026-11-09"),
            vec![RiskType::Illness, RiskType::Schooling],
            d("2026-11-10"),
            &dl,
            &cal,
        );
        let mut rec = s
            .open_identification(&actor("taohong"), Role::Village, &[l1.id, l2.id], &ident)
            .unwrap();
        assert_eq!(s.lead(l1.id).unwrap().unwrap().status, LeadStatus::Gathered);
        // a second procedure for the same household is refused
        let l3 = s
            .raise_lead(
                &actor("taohong"),
                &lead(&no, RiskType::Disability, "2026-11-10"),
            )
            .unwrap();
        assert!(matches!(
            s.open_identification(&actor("taohong"), Role::Village, &[l3.id], &ident),
            Err(StoreError::Invalid(_))
        ));
        for (role, st) in path() {
            let after = step(&rec.ident, role, &st, "2026-11-30");
            rec = s
                .record_step(
                    &actor(role.as_str()),
                    role,
                    rec.id,
                    rec.version,
                    &st,
                    &after,
                )
                .unwrap();
        }
        assert_eq!(rec.ident.stage, Stage::Included);
        let case_id = rec.case_id.expect("a case was made");
        // the household's page links to it
        let links = s.household_case_links(&no).unwrap();
        assert_eq!(links.len(), 1, "{}", db.name);
        assert_eq!(links[0].id, case_id);
        assert_eq!(links[0].case_type, CaseType::MarginalAtRisk);
        assert_eq!(
            s.identification_of_case(case_id).unwrap().unwrap().id,
            rec.id
        );
        let steps = s.identification_steps(rec.id).unwrap();
        let kinds: Vec<StepKind> = steps.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            vec![
                StepKind::Opened,
                StepKind::Verified,
                StepKind::Appraised,
                StepKind::NoticePublished,
                StepKind::Submitted,
                StepKind::TownshipApproved,
                StepKind::Decided
            ]
        );
        assert_eq!(steps.last().unwrap().actor, "county");
        assert_eq!(steps.last().unwrap().stage_after, Stage::Included);
        for l in s.leads_of_identification(rec.id).unwrap() {
            assert_eq!(l.status, LeadStatus::Included);
        }
        // every step is audited
        assert_eq!(
            s.count_events("identification.step").unwrap(),
            6,
            "{}",
            db.name
        );
        assert_eq!(s.count_events("identification.open").unwrap(), 1);

        // the household cannot be included again while its case is open
        let again = Identification::open(
            d("2026-11-10"),
            vec![RiskType::Disability],
            d("2026-11-10"),
            &dl,
            &cal,
        );
        let mut other = s
            .open_identification(&actor("taohong"), Role::Village, &[l3.id], &again)
            .unwrap();
        for (role, st) in path() {
            let after = step(&other.ident, role, &st, "2026-11-30");
            match s.record_step(
                &actor(role.as_str()),
                role,
                other.id,
                other.version,
                &st,
                &after,
            ) {
                Ok(r) => other = r,
                Err(StoreError::Invalid(p)) => {
                    assert_eq!(p[0].code, ProblemCode::CaseOpen);
                    assert_eq!(role, Role::County);
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(
            other.ident.stage,
            Stage::CountyDecision,
            "nothing was written"
        );
    }
}

#[test]
fn two_users_on_the_same_step_one_wins_and_the_other_is_told() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (no, _) = county(&db);
        let s = &db.store;
        let rec = opened(s, &no);
        let (role, st) = &path()[0];
        let after = step(&rec.ident, *role, st, "2026-11-30");
        s.record_step(&actor("a"), *role, rec.id, rec.version, st, &after)
            .unwrap();
        let late = s.record_step(&actor("b"), *role, rec.id, rec.version, st, &after);
        assert!(matches!(late, Err(StoreError::Stale)), "{late:?}");
        assert_eq!(
            s.identification_steps(rec.id).unwrap().len(),
            2,
            "one open, one step"
        );
    }
}

#[test]
fn leads_are_listed_by_region_and_due_date_dismissed_or_merged_with_a_reason_and_kept() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (taohong, longfeng) = county(&db);
        let s = &db.store;
        let a = s
            .raise_lead(
                &actor("taohong"),
                &lead(&taohong, RiskType::Illness, "2026-11-10"),
            )
            .unwrap();
        let b = s
            .raise_lead(
                &actor("x"),
                &lead(&longfeng, RiskType::Illness, "2026-11-01"),
            )
            .unwrap();
        // the same risk twice is refused while the first waits
        let twice = s.raise_lead(
            &actor("taohong"),
            &lead(&taohong, RiskType::Illness, "2026-11-11"),
        );
        assert!(
            matches!(&twice, Err(StoreError::Invalid(p)) if p[0].code == ProblemCode::LeadDuplicate)
        );
        let c = s
            .raise_lead(
                &actor("taohong"),
                &lead(&taohong, RiskType::Accident, "2026-11-11"),
            )
            .unwrap();

        let (county_list, total) = s.leads(&LeadFilter::pending(region("510821"))).unwrap();
        assert_eq!(total, 3);
        assert_eq!(county_list[0].id, b.id, "soonest due first");
        let (village, total) = s.leads(&LeadFilter::pending(region(TAOHONG))).unwrap();
        assert_eq!(total, 2);
        assert!(village.iter().all(|l| l.village.as_str() == TAOHONG));
        let overdue = LeadFilter {
            due_before: Some(d("2026-11-10")),
            ..LeadFilter::pending(region("510821"))
        };
        assert_eq!(s.leads(&overdue).unwrap().1, 1);

        assert!(
            s.dismiss_lead(&actor("taohong"), a.id, " ").is_err(),
            "a reason is needed"
        );
        let dismissed = s
            .dismiss_lead(&actor("taohong"), a.id, "核实为误报，已出院且报销")
            .unwrap();
        assert_eq!(dismissed.status, LeadStatus::Dismissed);
        assert_eq!(dismissed.closed_by.as_deref(), Some("taohong"));
        // a dismissed lead is closed: neither dismissed again nor merged
        assert!(s.dismiss_lead(&actor("taohong"), a.id, "再次排除").is_err());
        // merging across households is refused
        assert!(s.merge_lead(&actor("taohong"), c.id, b.id, "重复").is_err());
        let d2 = s
            .raise_lead(
                &actor("taohong"),
                &lead(&taohong, RiskType::Illness, "2026-11-12"),
            )
            .unwrap();
        let merged = s
            .merge_lead(&actor("taohong"), d2.id, c.id, "同一次住院")
            .unwrap();
        assert_eq!(merged.status, LeadStatus::Merged);
        assert_eq!(merged.merged_into, Some(c.id));
        // the household keeps them all in its history
        let history = s.leads_of_household(&taohong).unwrap();
        assert_eq!(history.len(), 3);
        assert!(history
            .iter()
            .any(|l| l.closed_reason == "核实为误报，已出院且报销"));
    }
}

#[test]
fn the_notice_lists_the_village_households_under_notice_on_the_day() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (no, _) = county(&db);
        let s = &db.store;
        let mut rec = opened(s, &no);
        for (role, st) in &path()[..3] {
            let after = step(&rec.ident, *role, st, "2026-11-30");
            rec = s
                .record_step(&actor("taohong"), *role, rec.id, rec.version, st, &after)
                .unwrap();
        }
        let on = s.notice_rows(&region(TAOHONG), d("2026-11-14")).unwrap();
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].head_name, rec.head_name);
        assert!(
            s.notice_rows(&region(TAOHONG), d("2026-11-17"))
                .unwrap()
                .is_empty(),
            "ended"
        );
        assert!(s
            .notice_rows(&region(LONGFENG), d("2026-11-14"))
            .unwrap()
            .is_empty());
    }
}

#[test]
fn the_daily_sweep_marks_what_is_overdue_once_and_counts_it_per_stage() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (no, other) = county(&db);
        let s = &db.store;
        let l = s
            .raise_lead(
                &actor("taohong"),
                &lead(&no, RiskType::Illness, "2026-11-10"),
            )
            .unwrap();
        s.raise_lead(&actor("x"), &lead(&other, RiskType::Illness, "2026-11-20"))
            .unwrap();
        let ident = Identification::open(
            d("2026-11-10"),
            vec![RiskType::Illness],
            d("2026-11-10"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        let rec = s
            .open_identification(&actor("taohong"), Role::Village, &[l.id], &ident)
            .unwrap();
        // the verification was due on 11-13
        let first = s
            .sweep_deadlines(&Actor::system("sweep"), d("2026-11-14"))
            .unwrap();
        assert_eq!(first.overdue_identifications, 1);
        assert_eq!(first.overdue_leads, 0, "the other lead is due on 11-27");
        assert_eq!(first.newly_overdue, 1);
        let again = s
            .sweep_deadlines(&Actor::system("sweep"), d("2026-11-15"))
            .unwrap();
        assert_eq!(again.newly_overdue, 0, "marked once");
        assert_eq!(
            s.identification(rec.id).unwrap().unwrap().overdue_since,
            Some(d("2026-11-14"))
        );
        let later = s
            .sweep_deadlines(&Actor::system("sweep"), d("2026-11-28"))
            .unwrap();
        assert_eq!(later.overdue_leads, 1);
        let counts = s
            .identification_counts(&region("510821"), d("2026-11-28"), d("2026-11-30"))
            .unwrap();
        let verification = counts
            .iter()
            .find(|c| c.stage == Some(Stage::Verification))
            .unwrap();
        assert_eq!((verification.open, verification.overdue), (1, 1));
        assert_eq!(counts[0].stage, None);
        assert_eq!(
            (counts[0].open, counts[0].overdue),
            (1, 1),
            "the waiting lead"
        );
        let (list, total) = s
            .identifications(&IdentificationFilter {
                due_before: Some(d("2026-11-28")),
                ..IdentificationFilter::open(region(TAOHONG))
            })
            .unwrap();
        assert_eq!((list.len(), total), (1, 1));
        assert!(s
            .identifications(&IdentificationFilter::open(region(LONGFENG)))
            .unwrap()
            .0
            .is_empty());
    }
}

#[test]
fn a_monitoring_case_is_read_with_its_household_head_place_and_level() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (no, _) = county(&db);
        let s = &db.store;
        let mut rec = opened(s, &no);
        for (role, st) in path() {
            let after = step(&rec.ident, role, &st, "2026-11-30");
            rec = s
                .record_step(
                    &actor(role.as_str()),
                    role,
                    rec.id,
                    rec.version,
                    &st,
                    &after,
                )
                .unwrap();
        }
        let case_id = rec.case_id.unwrap();
        let case = s.monitoring_case(case_id).unwrap().expect("the case");
        let want = inclusion();
        assert_eq!(case.id, case_id, "{}", db.name);
        assert_eq!(case.case.household_no, no);
        assert_eq!(case.case.case_type, want.case_type);
        assert_eq!(case.case.risks, want.risks);
        assert_eq!(case.level, Some(want.level));
        assert_eq!(
            case.case.status,
            shouwang_core::monitoring::CaseStatus::AtRisk
        );
        assert_eq!(case.head_name, rec.head_name);
        assert!(!case.head_name.is_empty());
        assert_eq!(case.village, rec.village);
        assert!(
            case.steps.is_empty(),
            "a case made here has its procedure's steps, not a ledger's"
        );
        assert!(s.monitoring_case(case_id + 1000).unwrap().is_none());
    }
}
