//! 风险消除 as stored, on every configured backend: the facts of one case and of a region in bulk
//! agree; the elimination procedure closes the case with its snapshot, contact and history in
//! the step's transaction and ends the measures that do not run past it; a stale case is
//! refused; 兜底保障; re-flagging a closed case.

use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::calendar::WorkCalendar;
use shouwang_core::elimination::check;
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{
    Appraisal, AppraisalResult, Assets, Closure, Decision, Identification, Inclusion, Notice,
    Purpose, Review, Stage, Step, StepContext, Verification,
};
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::standard::{resolve, ResolvedStandard, Standard};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::elimination::Closing;
use shouwang_store::identification::IdentificationRecord;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;
use shouwang_store::{Store, StoreError};

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

fn standard() -> ResolvedStandard {
    let s = Standard::provincial(2027, region("51"), Fen::from_yuan(8_700));
    resolve(&[s], &region("510821"), 2027).unwrap()
}

/// Households of 桃红村 (the county has 40).
fn households(db: &TestDb) -> Vec<String> {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 40,
            seed: 21,
            today: d("2026-11-01"),
            county: region("510821"),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    data.iter()
        .filter(|(h, _)| h.village.as_str() == TAOHONG)
        .map(|(h, _)| h.household_no.clone())
        .collect()
}

fn apply(ident: &Identification, role: Role, step: &Step, today: &str) -> Identification {
    ident
        .apply(
            step,
            &StepContext {
                role,
                today: d(today),
                deadlines: &Deadlines::defaults(),
                calendar: &WorkCalendar::default(),
            },
        )
        .unwrap()
}

fn walk(
    s: &Store,
    mut rec: IdentificationRecord,
    steps: Vec<(Role, Step)>,
    today: &str,
) -> IdentificationRecord {
    for (role, st) in steps {
        let after = apply(&rec.ident, role, &st, today);
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
    rec
}

fn verification(on: &str, signed: bool) -> Step {
    Step::Verify(Verification {
        on: d(on),
        authorised_on: signed.then(|| d(on)),
        members: 3,
        income_12m: Fen::from_yuan(30_000),
        compulsory_education_secure: true,
        basic_medical_secure: true,
        housing_secure: true,
        drinking_water_secure: true,
        assets: Assets::default(),
        findings: "入户核实情况属实".into(),
    })
}

fn middle(
    start: &str,
    end: &str,
    submit: &str,
    approve: &str,
    kind: Option<EliminationKind>,
) -> Vec<(Role, Step)> {
    let inclusion = Inclusion {
        case_type: CaseType::MarginalAtRisk,
        risks: vec![RiskType::Illness],
        level: WarningLevel::Yellow,
    };
    vec![
        (
            Role::Village,
            Step::Appraise(Appraisal {
                on: d(start),
                participants: "村两委及村民代表9人".into(),
                result: AppraisalResult::Agree,
                minutes: "一致同意".into(),
                proposal: kind.is_none().then_some(inclusion),
                elimination: kind,
            }),
        ),
        (
            Role::Village,
            Step::PublishNotice(Notice {
                start: d(start),
                end: d(end),
                contact: "村委会".into(),
            }),
        ),
        (Role::Village, Step::Submit { on: d(submit) }),
        (
            Role::Township,
            Step::TownshipApprove(Review {
                on: d(approve),
                opinion: "同意".into(),
            }),
        ),
    ]
}

/// A case of `no` included by the county on 2026-11-20 for illness.
fn included(s: &Store, no: &str) -> i64 {
    let l = s
        .raise_lead(
            &actor("taohong"),
            &NewLead {
                household_no: no.into(),
                risk: RiskType::Illness,
                level: WarningLevel::Yellow,
                source: LeadSource::CadreCheck,
                found_on: d("2026-11-10"),
                due_on: d("2026-11-17"),
                note: "户主住院".into(),
            },
        )
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
    let mut steps = vec![(Role::Village, verification("2026-11-11", true))];
    steps.extend(middle(
        "2026-11-12",
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        None,
    ));
    steps.push((
        Role::County,
        Step::Decide(Decision {
            on: d("2026-11-20"),
            inclusion: Some(Inclusion {
                case_type: CaseType::MarginalAtRisk,
                risks: vec![RiskType::Illness],
                level: WarningLevel::Yellow,
            }),
            reason: String::new(),
            announcement: "旺乡振〔2026〕30号".into(),
            closure: None,
        }),
    ));
    walk(s, rec, steps, "2026-11-30").case_id.unwrap()
}

/// A plan and two measures of the case: health (ends at elimination) and micro-credit (runs on).
fn measures(db: &TestDb, case_id: i64, no: &str) {
    db.execute_unchecked(&format!(
        "INSERT INTO assistance_plans (county, household_no, village, case_id, summary, created_by, created_at, updated_at)
         VALUES ('510821', '{no}', '{TAOHONG}', {case_id}, '因病帮扶', 'test', 0, 0)"
    ))
    .unwrap();
    for (category, content) in [
        (MeasureCategory::Health, "医疗救助"),
        (MeasureCategory::Finance, "小额信贷5万元"),
    ] {
        db.execute_unchecked(&format!(
            "INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, risk, start_on, state, created_by, created_at, updated_at)
             SELECT '510821', '{no}', '{TAOHONG}', {case_id}, id, {}, '{content}', {}, '2026-11-25', {}, 'test', 0, 0 FROM assistance_plans WHERE case_id = {case_id}",
            category.code(),
            RiskType::Illness.code(),
            MeasureState::InPlace.code()
        ))
        .unwrap();
    }
}

fn incomes(s: &Store, no: &str, wages_per_quarter: i64) {
    for q in 1..=2u8 {
        s.save_income(
            &actor("taohong"),
            no,
            &Income {
                wages: Fen::from_yuan(wages_per_quarter),
                ..Income::empty(IncomePeriod::quarter(2027, q))
            },
        )
        .unwrap();
    }
}

fn close_step(on: &str, phone: &str) -> Step {
    Step::Decide(Decision {
        on: d(on),
        inclusion: None,
        reason: String::new(),
        announcement: "旺乡振〔2027〕8号".into(),
        closure: Some(Closure {
            kind: EliminationKind::AfterAssistance,
            contact_name: "王小红".into(),
            contact_phone: phone.into(),
        }),
    })
}

#[test]
fn a_case_is_closed_by_its_elimination_procedure_with_snapshot_contact_and_history() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let nos = households(&db);
        let s = &db.store;
        let no = &nos[0];
        let case_id = included(s, no);
        measures(&db, case_id, no);
        incomes(s, no, 40_000);
        let today = d("2027-07-10");
        let facts = s
            .elimination_facts(case_id, today, &standard())
            .unwrap()
            .unwrap();
        assert_eq!(
            facts.facts.identified_on,
            d("2026-11-20"),
            "the county decision's day"
        );
        assert_eq!(facts.facts.measures.len(), 2);
        assert_eq!(facts.facts.incomes.len(), 2);
        assert!(!facts.facts.members.is_empty());
        let checked = check(&facts.facts);

        let ident = Identification::open_elimination(
            vec![RiskType::Illness],
            d("2027-07-01"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        let rec = s
            .open_elimination(&actor("taohong"), Role::Village, case_id, &ident)
            .unwrap();
        assert_eq!(rec.ident.purpose, Purpose::Elimination);
        assert_eq!(rec.case_id, Some(case_id));
        // one procedure at a time
        assert!(matches!(
            s.open_elimination(&actor("taohong"), Role::Village, case_id, &ident),
            Err(StoreError::Invalid(_))
        ));
        let mut steps = vec![(Role::Village, verification("2027-07-01", false))];
        steps.extend(middle(
            "2027-07-02",
            "2027-07-06",
            "2027-07-07",
            "2027-07-08",
            Some(EliminationKind::AfterAssistance),
        ));
        let rec = walk(s, rec, steps, "2027-07-10");
        assert_eq!(rec.ident.stage, Stage::CountyDecision);

        let close = close_step("2027-07-09", "13800001111");
        let after = apply(&rec.ident, Role::County, &close, "2027-07-10");
        // without the conditions checked again: refused, nothing written
        let err = s
            .record_step(
                &actor("county"),
                Role::County,
                rec.id,
                rec.version,
                &close,
                &after,
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref p) if p[0].code == ProblemCode::EliminationConditions)
        );
        // the case changed since it was read: stale, nothing written
        let stale = Closing {
            case_version: facts.version + 5,
            snapshot: serde_json::to_value(&checked).unwrap(),
        };
        assert!(matches!(
            s.record_step_closing(
                &actor("county"),
                Role::County,
                rec.id,
                rec.version,
                &close,
                &after,
                Some(&stale)
            ),
            Err(StoreError::Stale)
        ));
        assert_eq!(
            s.identification(rec.id).unwrap().unwrap().ident.stage,
            Stage::CountyDecision
        );
        let closing = Closing {
            case_version: facts.version,
            snapshot: serde_json::to_value(&checked).unwrap(),
        };
        let done = s
            .record_step_closing(
                &actor("county"),
                Role::County,
                rec.id,
                rec.version,
                &close,
                &after,
                Some(&closing),
            )
            .unwrap();
        assert_eq!(done.ident.stage, Stage::Eliminated);

        let case = s.monitoring_case(case_id).unwrap().unwrap();
        assert_eq!(case.case.status, CaseStatus::Eliminated, "{}", db.name);
        let (kind, month) = case.case.elimination.unwrap();
        assert_eq!(kind, EliminationKind::AfterAssistance);
        assert_eq!(month.to_string(), "2027-07");
        assert!(case.steps.iter().any(|st| st.step == "elimination"
            && st.on == "2027-07-09"
            && st.outcome == "帮扶消除"));
        let closure = s.case_closure(case_id).unwrap().unwrap();
        assert_eq!(closure.contact_name, "王小红");
        assert_eq!(closure.contact_phone, "13800001111");
        assert_eq!(closure.eliminated_on, Some(d("2027-07-09")));
        assert_eq!(closure.version, facts.version + 1);
        assert_eq!(closure.procedures, vec![(rec.id, Stage::Eliminated)]);
        let snap = closure.snapshot.unwrap();
        assert_eq!(snap["conditions"].as_array().unwrap().len(), 7);
        // the health measure ended that day; micro-credit runs on
        assert_eq!(
            s.case_measure_states(case_id).unwrap(),
            vec![
                (
                    MeasureCategory::Health,
                    MeasureState::Ended,
                    Some(d("2027-07-09"))
                ),
                (MeasureCategory::Finance, MeasureState::InPlace, None),
            ],
            "{}",
            db.name
        );
        // the identification of the case is still the one that included it
        assert_eq!(
            s.identification_of_case(case_id)
                .unwrap()
                .unwrap()
                .ident
                .purpose,
            Purpose::Identification
        );
        assert_eq!(s.count_events("case.eliminate").unwrap(), 1);
        assert_eq!(s.count_events("elimination.open").unwrap(), 1);
        // a closed case cannot open another elimination
        let err = s
            .open_elimination(&actor("taohong"), Role::Village, case_id, &ident)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref p) if p[0].code == ProblemCode::EliminationCaseState)
        );
    }
}

#[test]
fn the_facts_of_a_region_in_bulk_are_those_of_each_case() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let nos = households(&db);
        let s = &db.store;
        let mut ids = Vec::new();
        for (i, no) in nos.iter().take(3).enumerate() {
            let id = included(s, no);
            if i == 0 {
                measures(&db, id, no);
                incomes(s, no, 40_000);
            }
            ids.push(id);
        }
        let today = d("2027-07-10");
        let all = s
            .elimination_facts_in(&region("510821"), today, &standard())
            .unwrap();
        assert_eq!(all.len(), 3, "{}", db.name);
        for one in &all {
            let alone = s
                .elimination_facts(one.case_id, today, &standard())
                .unwrap()
                .unwrap();
            assert_eq!(alone.facts, one.facts);
            assert_eq!(alone.head_name, one.head_name);
        }
        assert_eq!(
            s.elimination_facts_in(&region(LONGFENG), today, &standard())
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            s.elimination_facts_in(&region(TAOHONG), today, &standard())
                .unwrap()
                .len(),
            3
        );
    }
}

#[test]
fn a_safety_net_case_is_never_opened_and_a_closed_case_can_be_reflagged() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let nos = households(&db);
        let s = &db.store;
        let case_id = included(s, &nos[0]);
        let version = s.case_closure(case_id).unwrap().unwrap().version;
        assert!(matches!(
            s.mark_safety_net(&actor("taohong"), case_id, version + 1),
            Err(StoreError::Stale)
        ));
        assert_eq!(
            s.mark_safety_net(&actor("taohong"), case_id, version)
                .unwrap(),
            version + 1
        );
        let closure = s.case_closure(case_id).unwrap().unwrap();
        assert!(closure.safety_net);
        assert_eq!(closure.status, CaseStatus::AtRisk, "kept under monitoring");
        assert_eq!(s.count_events("case.safety_net").unwrap(), 1);
        let ident = Identification::open_elimination(
            vec![RiskType::Illness],
            d("2027-07-01"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        let err = s
            .open_elimination(&actor("taohong"), Role::Village, case_id, &ident)
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref p) if p[0].code == ProblemCode::EliminationWithoutLabour)
        );

        // re-flagging: refused while the case is open
        let lead = |no: &str| NewLead {
            household_no: no.into(),
            risk: RiskType::Accident,
            level: WarningLevel::Red,
            source: LeadSource::CadreCheck,
            found_on: d("2027-09-01"),
            due_on: d("2027-09-08"),
            note: "车祸住院".into(),
        };
        let reident = Identification::open(
            d("2027-09-01"),
            vec![RiskType::Accident],
            d("2027-09-01"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        let err = s
            .reflag(
                &actor("taohong"),
                Role::Village,
                case_id,
                &lead(&nos[0]),
                &reident,
            )
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref p) if p[0].code == ProblemCode::ReflagNotClosed)
        );
        // a second household's case, closed, then re-flagged
        let other = included(s, &nos[1]);
        let ident = Identification::open_elimination(
            vec![RiskType::Illness],
            d("2027-07-01"),
            &Deadlines::defaults(),
            &WorkCalendar::default(),
        );
        let rec = s
            .open_elimination(&actor("taohong"), Role::Village, other, &ident)
            .unwrap();
        let mut steps = vec![(Role::Village, verification("2027-07-01", false))];
        steps.extend(middle(
            "2027-07-02",
            "2027-07-06",
            "2027-07-07",
            "2027-07-08",
            Some(EliminationKind::Natural),
        ));
        let rec = walk(s, rec, steps, "2027-07-10");
        let close = close_step("2027-07-09", "0839-1234567");
        let after = apply(&rec.ident, Role::County, &close, "2027-07-10");
        let v = s.case_closure(other).unwrap().unwrap().version;
        s.record_step_closing(
            &actor("county"),
            Role::County,
            rec.id,
            rec.version,
            &close,
            &after,
            Some(&Closing {
                case_version: v,
                snapshot: serde_json::json!({}),
            }),
        )
        .unwrap();
        // a lead of another household is refused
        assert!(s
            .reflag(
                &actor("taohong"),
                Role::Village,
                other,
                &lead(&nos[0]),
                &reident
            )
            .is_err());
        let again = s
            .reflag(
                &actor("taohong"),
                Role::Village,
                other,
                &lead(&nos[1]),
                &reident,
            )
            .unwrap();
        assert_eq!(again.ident.purpose, Purpose::Identification);
        assert_eq!(again.ident.stage, Stage::Verification);
        let closure = s.case_closure(other).unwrap().unwrap();
        assert_eq!(closure.reflags, vec![again.id]);
        assert_eq!(
            closure.status,
            CaseStatus::Eliminated,
            "the old case stays closed"
        );
        assert_eq!(s.count_events("case.reflag").unwrap(), 1, "{}", db.name);
    }
}

#[test]
fn a_stored_body_without_a_purpose_reads_as_an_identification() {
    let ident = Identification::open(
        d("2026-11-10"),
        vec![RiskType::Illness],
        d("2026-11-10"),
        &Deadlines::defaults(),
        &WorkCalendar::default(),
    );
    let mut json = serde_json::to_value(&ident).unwrap();
    json.as_object_mut().unwrap().remove("purpose");
    let back: Identification = serde_json::from_value(json).unwrap();
    assert_eq!(back.purpose, Purpose::Identification);
}
