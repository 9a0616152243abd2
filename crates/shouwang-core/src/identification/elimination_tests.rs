//! The elimination procedure (风险消除程序) through the same state machine.

use super::tests::{ctx, d, deadlines, legal};
use super::*;
use crate::access::Role;

fn verify(on: &str) -> Step {
    Step::Verify(Verification {
        on: d(on),
        authorised_on: None,
        members: 3,
        income_12m: Fen::from_yuan(36_000),
        compulsory_education_secure: true,
        basic_medical_secure: true,
        housing_secure: true,
        drinking_water_secure: true,
        assets: Assets::default(),
        findings: "户主务工收入稳定".into(),
    })
}

fn appraise(on: &str, result: AppraisalResult, kind: Option<EliminationKind>) -> Step {
    Step::Appraise(Appraisal {
        on: d(on),
        participants: "村两委、村民代表共9人".into(),
        result,
        minutes: "评议认为该户收入稳定".into(),
        proposal: None,
        elimination: kind,
    })
}

fn close(on: &str, name: &str, phone: &str) -> Step {
    Step::Decide(Decision {
        on: d(on),
        inclusion: None,
        reason: String::new(),
        announcement: "旺乡振〔2026〕30号".into(),
        closure: Some(Closure {
            kind: EliminationKind::AfterAssistance,
            contact_name: name.into(),
            contact_phone: phone.into(),
        }),
    })
}

fn path() -> Vec<(Role, Step)> {
    vec![
        (Role::Village, verify("2026-11-12")),
        (
            Role::Village,
            appraise(
                "2026-11-14",
                AppraisalResult::Agree,
                Some(EliminationKind::AfterAssistance),
            ),
        ),
        (
            Role::Village,
            Step::PublishNotice(Notice {
                start: d("2026-11-14"),
                end: d("2026-11-18"),
                contact: "村委会 0839-1234567".into(),
            }),
        ),
        (
            Role::Village,
            Step::Submit {
                on: d("2026-11-19"),
            },
        ),
        (
            Role::Township,
            Step::TownshipApprove(Review {
                on: d("2026-11-20"),
                opinion: "收入稳定，同意消除".into(),
            }),
        ),
        (Role::County, close("2026-11-22", "王小红", "13800001111")),
    ]
}

fn run(steps: &[(Role, Step)]) -> Result<Identification, Problem> {
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let mut ident =
        Identification::open_elimination(vec![RiskType::Illness], d("2026-11-10"), &dl, &cal);
    for (role, step) in steps {
        ident = ident.apply(step, &ctx(*role, &dl, &cal))?;
    }
    Ok(ident)
}

#[test]
fn the_whole_path_closes_the_case_with_its_kind_and_contact() {
    let ident = run(&path()).unwrap();
    assert_eq!(ident.purpose, Purpose::Elimination);
    assert_eq!(ident.stage, Stage::Eliminated);
    let c = ident.closure().unwrap();
    assert_eq!(c.kind, EliminationKind::AfterAssistance);
    assert_eq!(c.contact_name, "王小红");
    assert!(ident.inclusion().is_none());
}

#[test]
fn the_home_check_needs_no_authorisation() {
    let ident = run(&path()[..1]).unwrap();
    assert_eq!(ident.stage, Stage::Appraisal);
}

#[test]
fn agreeing_needs_the_kind_and_disagreeing_ends_not_eliminated() {
    let mut steps = path()[..1].to_vec();
    steps.push((
        Role::Village,
        appraise("2026-11-14", AppraisalResult::Agree, None),
    ));
    assert_eq!(run(&steps).unwrap_err().field, "elimination");
    steps.pop();
    steps.push((
        Role::Village,
        appraise("2026-11-14", AppraisalResult::Disagree, None),
    ));
    assert_eq!(run(&steps).unwrap().stage, Stage::NotEliminated);
}

#[test]
fn the_decision_needs_a_contact_and_a_valid_phone() {
    let mut steps = path();
    steps.pop();
    for (name, phone, field) in [
        ("王", "13800001111", "contact_name"),
        ("王小红", "", "contact_phone"),
        ("王小红", "12345", "contact_phone"),
    ] {
        let mut s = steps.clone();
        s.push((Role::County, close("2026-11-22", name, phone)));
        let err = run(&s).unwrap_err();
        assert_eq!(err.field, field, "{name} {phone}");
        assert!(matches!(
            err.code,
            ProblemCode::EliminationContact | ProblemCode::PhoneInvalid
        ));
    }
    // a fixed line is a phone
    let mut s = steps.clone();
    s.push((Role::County, close("2026-11-22", "王小红", "0839-1234567")));
    assert_eq!(run(&s).unwrap().stage, Stage::Eliminated);
}

#[test]
fn a_refusal_needs_a_reason_and_an_inclusion_is_refused() {
    let mut steps = path();
    steps.pop();
    let refuse = |reason: &str| {
        Step::Decide(Decision {
            on: d("2026-11-22"),
            inclusion: None,
            reason: reason.into(),
            announcement: String::new(),
            closure: None,
        })
    };
    let mut s = steps.clone();
    s.push((Role::County, refuse("")));
    assert_eq!(run(&s).unwrap_err().code, ProblemCode::ReasonRequired);
    let mut s = steps.clone();
    s.push((Role::County, refuse("收入尚不稳定")));
    assert_eq!(run(&s).unwrap().stage, Stage::NotEliminated);
    let mut s = steps.clone();
    s.push((
        Role::County,
        Step::Decide(Decision {
            on: d("2026-11-22"),
            inclusion: Some(Inclusion {
                case_type: CaseType::MarginalAtRisk,
                risks: vec![RiskType::Illness],
                level: WarningLevel::Yellow,
            }),
            reason: String::new(),
            announcement: "公告".into(),
            closure: None,
        }),
    ));
    assert_eq!(run(&s).unwrap_err().field, "inclusion");
}

#[test]
fn an_identification_cannot_close_a_case() {
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let mut ident = Identification::open(
        d("2026-11-10"),
        vec![RiskType::Illness],
        d("2026-11-10"),
        &dl,
        &cal,
    );
    ident.stage = Stage::CountyDecision;
    let err = ident
        .apply(
            &close("2026-11-22", "王小红", "13800001111"),
            &ctx(Role::County, &dl, &cal),
        )
        .unwrap_err();
    assert_eq!(err.field, "closure");
}

/// One step of each kind, valid in content, at every stage by every role.
fn every_step() -> Vec<Step> {
    vec![
        verify("2026-11-29"),
        appraise(
            "2026-11-29",
            AppraisalResult::Agree,
            Some(EliminationKind::Natural),
        ),
        Step::PublishNotice(Notice {
            start: d("2026-11-29"),
            end: d("2026-12-03"),
            contact: "村委会 0839-1234567".into(),
        }),
        Step::RaiseObjection {
            on: d("2026-11-29"),
            content: "邻居反映收入不稳".into(),
        },
        Step::HandleObjection {
            index: 0,
            on: d("2026-11-29"),
            text: "核实收入稳定".into(),
        },
        Step::Submit {
            on: d("2026-11-30"),
        },
        Step::TownshipApprove(Review {
            on: d("2026-11-30"),
            opinion: "同意".into(),
        }),
        close("2026-11-30", "王小红", "13800001111"),
        Step::Return {
            on: d("2026-11-30"),
            to: Stage::Verification,
            reason: "收入核实不全".into(),
        },
        Step::MarkGreenChannel(GreenChannel {
            on: d("2026-11-30"),
            reason: "房屋被洪水冲毁".into(),
        }),
    ]
}

fn at(stage: Stage) -> Identification {
    let steps = path();
    let take = match stage {
        Stage::Verification => 0,
        Stage::Appraisal => 1,
        Stage::Notice => 3,
        Stage::TownshipReview => 4,
        Stage::CountyDecision => 5,
        Stage::Eliminated => 6,
        Stage::NotEliminated => {
            return run(&[
                (Role::Village, verify("2026-11-12")),
                (
                    Role::Village,
                    appraise("2026-11-14", AppraisalResult::Disagree, None),
                ),
            ])
            .unwrap()
        }
        Stage::Included | Stage::NotIncluded => unreachable!("identification stages"),
    };
    let mut ident = run(&steps[..take]).unwrap();
    if stage == Stage::Notice {
        ident.objections.push(Objection {
            on: d("2026-11-15"),
            content: "有异议".into(),
            handling: None,
        });
    }
    ident
}

#[test]
fn every_step_at_every_elimination_stage_by_every_role_is_allowed_exactly_when_the_table_says() {
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let mut states: Vec<Identification> = Stage::ALL
        .iter()
        .filter(|s| !matches!(s, Stage::Included | Stage::NotIncluded))
        .map(|s| at(*s))
        .collect();
    states.push(run(&path()[..2]).unwrap());
    let mut checked = 0;
    for ident in &states {
        for step in every_step() {
            for role in Role::ALL {
                let result = ident.apply(&step, &ctx(role, &dl, &cal));
                assert_eq!(
                    result.is_ok(),
                    legal(ident, &step, role),
                    "{:?} by {role:?} at {:?}: {result:?}",
                    step.kind(),
                    ident.stage
                );
                if let Err(p) = result {
                    assert!(!p.zh.is_empty() && !p.en.is_empty());
                    if !ident.stage.is_open() {
                        assert_eq!(p.code, ProblemCode::IdentificationClosed);
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "{checked}");
}
