use super::*;
use crate::access::Role;

pub(super) fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

pub(super) fn deadlines() -> Deadlines {
    Deadlines {
        overall_days: 15,
        notice_min_days: 5,
        verification_days: 3,
        appraisal_days: 2,
        township_review_days: 2,
        county_decision_days: 3,
        working_days: false,
    }
}

const TODAY: &str = "2026-11-30";

pub(super) fn ctx<'a>(role: Role, dl: &'a Deadlines, cal: &'a WorkCalendar) -> StepContext<'a> {
    StepContext {
        role,
        today: d(TODAY),
        deadlines: dl,
        calendar: cal,
    }
}

fn proposal() -> Inclusion {
    Inclusion {
        case_type: CaseType::MarginalAtRisk,
        risks: vec![RiskType::Illness],
        level: WarningLevel::Yellow,
    }
}

fn verify(on: &str) -> Step {
    Step::Verify(Verification {
        on: d(on),
        authorised_on: Some(d(on)),
        members: 4,
        income_12m: Fen::from_yuan(24_000),
        compulsory_education_secure: true,
        basic_medical_secure: true,
        housing_secure: true,
        drinking_water_secure: true,
        assets: Assets::default(),
        findings: "户主住院，自付医疗费较高".into(),
    })
}

fn appraise(on: &str, result: AppraisalResult) -> Step {
    Step::Appraise(Appraisal {
        on: d(on),
        participants: "村两委、村民代表共11人".into(),
        result,
        minutes: "评议认为该户因病支出较大".into(),
        proposal: (result == AppraisalResult::Agree).then(proposal),
        elimination: None,
    })
}

fn publish(start: &str, end: &str) -> Step {
    Step::PublishNotice(Notice {
        start: d(start),
        end: d(end),
        contact: "村委会 0839-1234567".into(),
    })
}

fn approve(on: &str) -> Step {
    Step::TownshipApprove(Review {
        on: d(on),
        opinion: "材料齐全，同意上报".into(),
    })
}

fn include(on: &str) -> Step {
    Step::Decide(Decision {
        on: d(on),
        inclusion: Some(proposal()),
        reason: String::new(),
        announcement: "旺乡振〔2026〕12号".into(),
        closure: None,
    })
}

fn run(steps: &[(Role, Step)]) -> Result<Identification, Problem> {
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let mut ident = Identification::open(
        d("2026-11-10"),
        vec![RiskType::Illness, RiskType::NaturalDisaster],
        d("2026-11-10"),
        &dl,
        &cal,
    );
    for (role, step) in steps {
        ident = ident.apply(step, &ctx(*role, &dl, &cal))?;
    }
    Ok(ident)
}

/// The happy path, step by step, as (role, step).
fn path() -> Vec<(Role, Step)> {
    vec![
        (Role::Village, verify("2026-11-12")),
        (
            Role::Village,
            appraise("2026-11-14", AppraisalResult::Agree),
        ),
        (Role::Village, publish("2026-11-14", "2026-11-18")),
        (
            Role::Village,
            Step::Submit {
                on: d("2026-11-19"),
            },
        ),
        (Role::Township, approve("2026-11-20")),
        (Role::County, include("2026-11-22")),
    ]
}

#[test]
fn the_whole_path_ends_in_a_case_with_its_type_and_risks() {
    let ident = run(&path()).unwrap();
    assert_eq!(ident.stage, Stage::Included);
    let inclusion = ident.inclusion().unwrap();
    assert_eq!(inclusion.case_type, CaseType::MarginalAtRisk);
    assert_eq!(inclusion.risks, vec![RiskType::Illness]);
    assert_eq!(ident.due_on, d("2026-11-25"));
    assert_eq!(
        ident.urgency(d(TODAY), &deadlines(), &WorkCalendar::default()),
        None
    );
}

#[test]
fn each_stage_is_due_by_its_days_and_the_notice_by_its_end() {
    let steps = path();
    let at_appraisal = run(&steps[..1]).unwrap();
    assert_eq!(at_appraisal.stage, Stage::Appraisal);
    assert_eq!(at_appraisal.stage_due, d("2026-11-14"));
    let at_notice = run(&steps[..3]).unwrap();
    assert_eq!(at_notice.stage, Stage::Notice);
    assert_eq!(at_notice.stage_due, d("2026-11-18"));
    let at_county = run(&steps[..5]).unwrap();
    assert_eq!(at_county.stage, Stage::CountyDecision);
    // its own three days would end on 11-23: the overall limit (11-25) is later, so 11-23
    assert_eq!(at_county.stage_due, d("2026-11-23"));
    // on 11-30 it is overdue
    assert_eq!(
        at_county.urgency(d(TODAY), &deadlines(), &WorkCalendar::default()),
        Some(deadline::Urgency::Overdue)
    );
}

/// One step of each kind, valid in content, to try at every stage with every role.
fn every_step() -> Vec<Step> {
    vec![
        verify("2026-11-29"),
        appraise("2026-11-29", AppraisalResult::Agree),
        publish("2026-11-29", "2026-12-03"),
        Step::RaiseObjection {
            on: d("2026-11-29"),
            content: "邻居反映该户有货车".into(),
        },
        Step::HandleObjection {
            index: 0,
            on: d("2026-11-29"),
            text: "核实为农用车，不影响".into(),
        },
        Step::Submit {
            on: d("2026-11-30"),
        },
        approve("2026-11-30"),
        include("2026-11-30"),
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

/// The procedure at `stage`, reached by the happy path (the notice ended, one objection open
/// at the notice so that handling it is possible).
fn at(stage: Stage) -> Identification {
    let steps = path();
    let take = match stage {
        Stage::Verification => 0,
        Stage::Appraisal => 1,
        Stage::Notice => 3,
        Stage::TownshipReview => 4,
        Stage::CountyDecision => 5,
        Stage::Included => 6,
        Stage::Eliminated | Stage::NotEliminated => unreachable!("elimination stages"),
        Stage::NotIncluded => {
            return run(&[
                (Role::Village, verify("2026-11-12")),
                (
                    Role::Village,
                    appraise("2026-11-14", AppraisalResult::Disagree),
                ),
            ])
            .unwrap()
        }
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

/// Whether `step` by `role` is legal at `stage`: the table the state machine must keep, for
/// an identification and an elimination alike but for the green channel, which only an
/// identification takes.
pub(super) fn legal(ident: &Identification, step: &Step, role: Role) -> bool {
    let stage = ident.stage;
    let owner = stage.owner();
    match step {
        _ if owner.is_none() => false,
        Step::MarkGreenChannel(_) => {
            ident.purpose == Purpose::Identification
                && matches!(role, Role::Township | Role::County)
        }
        Step::Return { to, .. } => Some(role) == owner && *to < stage,
        Step::Verify(_) => stage == Stage::Verification && role == Role::Village,
        Step::Appraise(_) => {
            stage == Stage::Appraisal && role == Role::Village && ident.appraisal.is_none()
        }
        Step::PublishNotice(_) => {
            stage == Stage::Appraisal && role == Role::Village && ident.appraisal.is_some()
        }
        Step::RaiseObjection { .. } | Step::HandleObjection { .. } | Step::Submit { .. } => {
            // the notice at `at(Notice)` ended on 11-18: an objection after its end is refused,
            // and submitting is refused while an objection is open
            stage == Stage::Notice
                && role == Role::Village
                && matches!(step, Step::HandleObjection { .. })
        }
        Step::TownshipApprove(_) => stage == Stage::TownshipReview && role == Role::Township,
        Step::Decide(_) => stage == Stage::CountyDecision && role == Role::County,
    }
}

#[test]
fn every_step_at_every_stage_by_every_role_is_allowed_exactly_when_the_table_says() {
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let mut checked = 0;
    // every stage, and the appraisal stage once more after the appraisal (the notice's moment)
    let mut states: Vec<Identification> = Stage::ALL
        .iter()
        .filter(|s| !matches!(s, Stage::Eliminated | Stage::NotEliminated))
        .map(|s| at(*s))
        .collect();
    states.push(run(&path()[..2]).unwrap());
    for ident in &states {
        let stage = &ident.stage;
        for step in every_step() {
            for role in Role::ALL {
                let result = ident.apply(&step, &ctx(role, &dl, &cal));
                assert_eq!(
                    result.is_ok(),
                    legal(ident, &step, role),
                    "{:?} by {role:?} at {stage:?}: {result:?}",
                    step.kind()
                );
                if let Err(p) = result {
                    // a refusal changes nothing and says why in both languages
                    assert!(!p.zh.is_empty() && !p.en.is_empty());
                    if !stage.is_open() {
                        assert_eq!(p.code, ProblemCode::IdentificationClosed);
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "{checked}");
}

#[test]
fn a_wrong_role_is_told_who_does_the_step() {
    let err = run(&[(Role::Township, verify("2026-11-12"))]).unwrap_err();
    assert_eq!(err.code, ProblemCode::StepWrongRole);
    assert!(err.zh.contains("村级"), "{}", err.zh);
}

#[test]
fn a_step_out_of_order_names_the_current_stage() {
    let err = run(&[(Role::Village, publish("2026-11-12", "2026-11-16"))]).unwrap_err();
    assert_eq!(err.code, ProblemCode::StepOutOfOrder);
    assert!(err.zh.contains("入户核实"), "{}", err.zh);
}

#[test]
fn a_verification_needs_the_signed_authorisation() {
    let mut step = verify("2026-11-12");
    if let Step::Verify(v) = &mut step {
        v.authorised_on = None;
    }
    assert_eq!(
        run(&[(Role::Village, step)]).unwrap_err().code,
        ProblemCode::AuthorisationMissing
    );
}

#[test]
fn a_notice_shorter_than_the_standard_is_refused() {
    let mut steps = path()[..2].to_vec();
    steps.push((Role::Village, publish("2026-11-14", "2026-11-17")));
    let err = run(&steps).unwrap_err();
    assert_eq!(err.code, ProblemCode::NoticeTooShort);
    assert!(err.zh.contains('4') && err.zh.contains('5'), "{}", err.zh);
}

#[test]
fn the_notice_must_end_and_its_objections_be_handled_before_the_township() {
    let mut steps = path()[..3].to_vec();
    steps.push((
        Role::Village,
        Step::Submit {
            on: d("2026-11-18"),
        },
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::NoticeRunning);

    let mut steps = path()[..3].to_vec();
    steps.push((
        Role::Village,
        Step::RaiseObjection {
            on: d("2026-11-16"),
            content: "该户儿子在县城有商品房".into(),
        },
    ));
    steps.push((
        Role::Village,
        Step::Submit {
            on: d("2026-11-19"),
        },
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::ObjectionOpen);

    steps.pop();
    steps.push((
        Role::Village,
        Step::HandleObjection {
            index: 0,
            on: d("2026-11-17"),
            text: "核实：儿子已分户，不属本户".into(),
        },
    ));
    steps.push((
        Role::Village,
        Step::Submit {
            on: d("2026-11-19"),
        },
    ));
    let ident = run(&steps).unwrap();
    assert_eq!(ident.stage, Stage::TownshipReview);
    assert!(ident.objections[0].handling.is_some());
}

#[test]
fn a_return_needs_a_reason_clears_what_follows_and_cannot_go_forward() {
    let mut steps = path()[..4].to_vec();
    steps.push((
        Role::Township,
        Step::Return {
            on: d("2026-11-20"),
            to: Stage::Verification,
            reason: " ".into(),
        },
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::ReasonRequired);

    steps.pop();
    steps.push((
        Role::Township,
        Step::Return {
            on: d("2026-11-20"),
            to: Stage::CountyDecision,
            reason: "不能往前退".into(),
        },
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::StepOutOfOrder);

    steps.pop();
    steps.push((
        Role::Township,
        Step::Return {
            on: d("2026-11-20"),
            to: Stage::Notice,
            reason: "重新公示".into(),
        },
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::StepOutOfOrder);

    steps.pop();
    steps.push((
        Role::Township,
        Step::Return {
            on: d("2026-11-20"),
            to: Stage::Appraisal,
            reason: "评议参会人数不足".into(),
        },
    ));
    let ident = run(&steps).unwrap();
    assert_eq!(ident.stage, Stage::Appraisal);
    assert!(ident.verification.is_some(), "the visit stands");
    assert!(ident.appraisal.is_none() && ident.notice.is_none());
    assert_eq!(ident.returned.as_deref(), Some("评议参会人数不足"));
    // and the path goes on from there, with a new notice
    let mut again = steps.clone();
    again.push((
        Role::Village,
        appraise("2026-11-21", AppraisalResult::Agree),
    ));
    again.push((Role::Village, publish("2026-11-21", "2026-11-25")));
    again.push((
        Role::Village,
        Step::Submit {
            on: d("2026-11-26"),
        },
    ));
    again.push((Role::Township, approve("2026-11-27")));
    again.push((Role::County, include("2026-11-28")));
    assert_eq!(run(&again).unwrap().stage, Stage::Included);
}

#[test]
fn steps_are_never_in_the_future_nor_before_the_step_before() {
    assert_eq!(
        run(&[(Role::Village, verify("2026-12-01"))])
            .unwrap_err()
            .code,
        ProblemCode::StepDate
    );
    let mut steps = path()[..1].to_vec();
    steps.push((
        Role::Village,
        appraise("2026-11-11", AppraisalResult::Agree),
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::StepDate);
}

#[test]
fn a_decision_not_to_include_needs_a_reason_and_an_inclusion_its_announcement() {
    let mut steps = path()[..5].to_vec();
    steps.push((
        Role::County,
        Step::Decide(Decision {
            on: d("2026-11-22"),
            inclusion: None,
            reason: String::new(),
            announcement: String::new(),
            closure: None,
        }),
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::ReasonRequired);
    steps.pop();
    steps.push((
        Role::County,
        Step::Decide(Decision {
            on: d("2026-11-22"),
            inclusion: Some(Inclusion {
                risks: vec![],
                ..proposal()
            }),
            reason: String::new(),
            announcement: "公告".into(),
            closure: None,
        }),
    ));
    assert_eq!(run(&steps).unwrap_err().code, ProblemCode::RisksInvalid);
    steps.pop();
    steps.push((
        Role::County,
        Step::Decide(Decision {
            on: d("2026-11-22"),
            inclusion: None,
            reason: "家有城镇商品房两套，收入核实高于监测范围".into(),
            announcement: String::new(),
            closure: None,
        }),
    ));
    assert_eq!(run(&steps).unwrap().stage, Stage::NotIncluded);
}

#[test]
fn six_risks_or_a_repeat_are_refused() {
    use RiskType::*;
    assert!(check_risks("r", &[Illness]).is_ok());
    assert!(check_risks("r", &[Illness, Illness]).is_err());
    assert!(check_risks("r", &[]).is_err());
    assert!(check_risks(
        "r",
        &[
            Illness,
            Schooling,
            Disability,
            Accident,
            UnsafeHousing,
            UnsafeWater
        ]
    )
    .is_err());
}

#[test]
fn the_green_channel_is_for_disasters_and_accidents_once() {
    let green = Step::MarkGreenChannel(GreenChannel {
        on: d("2026-11-12"),
        reason: "房屋被洪水冲毁".into(),
    });
    let ident = run(&[(Role::County, green.clone())]).unwrap();
    assert!(ident.green_channel.is_some());
    assert_eq!(ident.stage, Stage::Verification, "the procedure goes on");
    assert_eq!(
        run(&[
            (Role::County, green.clone()),
            (Role::Township, green.clone())
        ])
        .unwrap_err()
        .code,
        ProblemCode::StepOutOfOrder
    );
    // an illness is no green-channel case
    let dl = deadlines();
    let cal = WorkCalendar::default();
    let ill = Identification::open(
        d("2026-11-10"),
        vec![RiskType::Illness],
        d("2026-11-10"),
        &dl,
        &cal,
    );
    assert_eq!(
        ill.apply(&green, &ctx(Role::County, &dl, &cal))
            .unwrap_err()
            .code,
        ProblemCode::GreenChannelRefused
    );
}

#[test]
fn working_days_stretch_the_clock_over_weekends() {
    let dl = Deadlines {
        overall_days: 20,
        working_days: true,
        ..deadlines()
    };
    let cal = WorkCalendar::default();
    // Monday 2026-11-02 + 20 working days = Monday 2026-11-30
    let ident = Identification::open(
        d("2026-11-02"),
        vec![RiskType::Illness],
        d("2026-11-02"),
        &dl,
        &cal,
    );
    assert_eq!(ident.due_on, d("2026-11-30"));
    // verification: 3 working days → Thursday 11-05
    assert_eq!(ident.stage_due, d("2026-11-05"));
}
