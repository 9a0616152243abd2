//! The demo's identifications in flight: leads that cadres found over the last weeks, taken
//! through the procedure by the same use cases the pages use, so that every stage has
//! households in it, some on time and some overdue, one returned by the township, one with an
//! objection to its notice, and a few decided both ways.

use anyhow::{Context, Result};
use shouwang_app::identification::{self as ident, Acting};
use shouwang_core::identification::{
    Appraisal, AppraisalResult, Assets, Decision, GreenChannel, Inclusion, Notice, Review, Stage,
    Step, Verification,
};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::{CaseType, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::synth::Rng;
use shouwang_core::{Date, Fen, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::Store;
use std::collections::BTreeMap;

/// Where each demo procedure is left, with how many days ago its lead was found.
const PLAN: &[(Stage, i64, Variant)] = &[
    (Stage::Verification, 1, Variant::Plain),
    (Stage::Verification, 6, Variant::Plain),
    (Stage::Appraisal, 3, Variant::Plain),
    (Stage::Appraisal, 8, Variant::Plain),
    (Stage::Notice, 6, Variant::Plain),
    (Stage::Notice, 7, Variant::Objection),
    (Stage::TownshipReview, 10, Variant::Plain),
    (Stage::TownshipReview, 14, Variant::Plain),
    (Stage::Appraisal, 12, Variant::Returned),
    (Stage::CountyDecision, 12, Variant::Plain),
    (Stage::CountyDecision, 17, Variant::GreenChannel),
    (Stage::Included, 20, Variant::Plain),
    (Stage::NotIncluded, 20, Variant::Plain),
    (Stage::NotIncluded, 9, Variant::Disagreed),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Plain,
    Objection,
    Returned,
    GreenChannel,
    Disagreed,
}

/// Procedures per stage after seeding.
pub type Counts = BTreeMap<Stage, usize>;

/// Seeds `rounds` × the plan's procedures on households of the county that have no lead or case
/// yet, as of `today`. The demo users act where they work; elsewhere a system account named
/// after the role does.
pub fn seed(
    store: &Store,
    county: &RegionCode,
    rounds: usize,
    seed: u64,
    today: Date,
) -> Result<Counts> {
    let mut rng = Rng::new(seed ^ 0x1de7_1f1c);
    let mut counts = Counts::new();
    let mut busy: std::collections::HashSet<String> =
        store.households_watched(county)?.into_iter().collect();
    let (_, total) = store.households_in(county, 0, 1)?;
    let taohong = RegionCode::parse("510821108212").context("village code")?;
    let wanted = (rounds * PLAN.len()) as i64;
    for round in 0..rounds {
        for (i, (stage, age, variant)) in PLAN.iter().enumerate() {
            // spread over the county: the k-th procedure near the k-th slice of its households
            let k = (round * PLAN.len() + i) as i64;
            // the first round's early stages in 桃红村, where the demo's village cadre works
            let (near, _) = if round == 0 && i < 6 {
                store.households_in(&taohong, 0, 40)?
            } else {
                store.households_in(county, k * total / wanted.max(1), 8)?
            };
            let Some(h) = near.into_iter().find(|h| !busy.contains(&h.household_no)) else {
                continue;
            };
            busy.insert(h.household_no.clone());
            let found = today.add_days(-age);
            let risk = *rng.pick(&[
                RiskType::Illness,
                RiskType::Illness,
                RiskType::Disability,
                RiskType::Schooling,
                RiskType::UnstableEmployment,
                RiskType::NaturalDisaster,
            ]);
            let risk = if *variant == Variant::GreenChannel {
                RiskType::NaturalDisaster
            } else {
                risk
            };
            let village = RegionCode::parse(&h.village).context("village code")?;
            let lead = store.raise_lead(
                &actor_for(Role::Village, &village),
                &NewLead {
                    household_no: h.household_no.clone(),
                    risk,
                    level: WarningLevel::Yellow,
                    source: if i % 4 == 3 {
                        LeadSource::Hotline
                    } else {
                        LeadSource::CadreCheck
                    },
                    found_on: found,
                    due_on: found.add_days(7),
                    note: note_for(risk).into(),
                },
            )?;
            let village_user = acting(Role::Village, &village);
            let mut rec = ident::open(store, &village_user, &[lead.id], today)?;
            for (role, step) in steps(found, *stage, *variant, risk, &mut rng) {
                rec = ident::take_step(
                    store,
                    &acting(role, &village),
                    rec.id,
                    rec.version,
                    &step,
                    today,
                )
                .with_context(|| format!("demo step {:?} of {}", step.kind(), h.household_no))?;
            }
            *counts.entry(rec.ident.stage).or_default() += 1;
        }
    }
    Ok(counts)
}

fn note_for(risk: RiskType) -> &'static str {
    match risk {
        RiskType::Illness => "入户走访：户主住院治疗，自付费用较高",
        RiskType::Disability => "残联反馈：家庭成员新办残疾证",
        RiskType::Schooling => "子女上大学，学费负担重",
        RiskType::UnstableEmployment => "主要劳动力务工返乡，暂无收入",
        RiskType::NaturalDisaster => "暴雨致房屋受损，农作物绝收",
        _ => "干部排查发现收入明显下降",
    }
}

/// The demo account of `role` where it works, a system account elsewhere.
fn actor_for(role: Role, village: &RegionCode) -> Actor {
    let own = match role {
        Role::Village => village.as_str() == "510821108212",
        Role::Township => village.as_str().starts_with("510821108"),
        _ => true,
    };
    let username = match (role, own) {
        (Role::Village, true) => "taohong".to_string(),
        (Role::Township, true) => "sanjiang".to_string(),
        (Role::County, _) => "county".to_string(),
        (r, _) => format!("system:demo-{}", r.as_str()),
    };
    Actor {
        user_id: None,
        username,
    }
}

fn acting(role: Role, village: &RegionCode) -> Acting {
    Acting {
        actor: actor_for(role, village),
        role,
    }
}

fn inclusion(risk: RiskType, rng: &mut Rng) -> Inclusion {
    let case_type = if matches!(risk, RiskType::NaturalDisaster | RiskType::Accident) {
        CaseType::SuddenHardship
    } else {
        *rng.pick(&[CaseType::MarginalAtRisk, CaseType::UnstablePostPoverty])
    };
    Inclusion {
        case_type,
        risks: vec![risk],
        level: WarningLevel::Yellow,
    }
}

/// The steps that bring a procedure found on `f` to `stage`, dated on the demo's schedule:
/// visit after 2 days, appraisal and notice after 4, notice 5 days, township after 9, county
/// after 11.
fn steps(
    f: Date,
    stage: Stage,
    variant: Variant,
    risk: RiskType,
    rng: &mut Rng,
) -> Vec<(Role, Step)> {
    let on = |days: i64| f.add_days(days);
    let members = rng.range(2, 6) as u32;
    let income = Fen::from_yuan(rng.range(4_000, 9_000) * i64::from(members));
    let visit = Step::Verify(Verification {
        on: on(2),
        authorised_on: Some(on(2)),
        members,
        income_12m: income,
        compulsory_education_secure: true,
        basic_medical_secure: true,
        housing_secure: risk != RiskType::NaturalDisaster,
        drinking_water_secure: true,
        assets: Assets::default(),
        findings: note_for(risk).into(),
    });
    let agree = inclusion(risk, rng);
    let appraise = |day: i64, result: AppraisalResult| {
        Step::Appraise(Appraisal {
            on: on(day),
            participants: "村两委成员、驻村工作队、村民代表共11人".into(),
            result,
            minutes: match result {
                AppraisalResult::Agree => "经评议，同意拟纳入防止返贫致贫对象".into(),
                AppraisalResult::Disagree => "经评议，该户务工收入稳定，不同意纳入".into(),
            },
            proposal: (result == AppraisalResult::Agree).then(|| agree.clone()),
            elimination: None,
        })
    };
    let notice = |day: i64| {
        Step::PublishNotice(Notice {
            start: on(day),
            end: on(day + 4),
            contact: "村委会办公室，电话 0839-6621234".into(),
        })
    };
    let mut out: Vec<(Role, Step)> = Vec::new();
    if variant == Variant::GreenChannel {
        out.push((
            Role::Township,
            Step::MarkGreenChannel(GreenChannel {
                on: on(1),
                reason: "暴雨致房屋倒塌，先行落实临时救助和过渡安置".into(),
            }),
        ));
    }
    if stage == Stage::Verification {
        return out;
    }
    out.push((Role::Village, visit));
    if stage == Stage::Appraisal && variant != Variant::Returned {
        return out;
    }
    if variant == Variant::Disagreed {
        out.push((Role::Village, appraise(4, AppraisalResult::Disagree)));
        return out;
    }
    out.push((Role::Village, appraise(4, AppraisalResult::Agree)));
    out.push((Role::Village, notice(4)));
    if variant == Variant::Objection {
        out.push((
            Role::Village,
            Step::RaiseObjection {
                on: on(6),
                content: "有村民反映该户在县城有门面".into(),
            },
        ));
        out.push((
            Role::Village,
            Step::HandleObjection {
                index: 0,
                on: on(7),
                text: "经核实门面系租用，异议不成立".into(),
            },
        ));
    }
    if stage == Stage::Notice {
        return out;
    }
    out.push((Role::Village, Step::Submit { on: on(9) }));
    if variant == Variant::Returned {
        out.push((
            Role::Township,
            Step::Return {
                on: on(10),
                to: Stage::Appraisal,
                reason: "民主评议记录缺少参会人员签字，请补充后重新评议".into(),
            },
        ));
        return out;
    }
    if stage == Stage::TownshipReview {
        return out;
    }
    out.push((
        Role::Township,
        Step::TownshipApprove(Review {
            on: on(10),
            opinion: "经审核，程序规范，材料齐全，同意上报县级审定".into(),
        }),
    ));
    if stage == Stage::CountyDecision {
        return out;
    }
    let decision = if stage == Stage::Included {
        Decision {
            on: on(11),
            inclusion: Some(agree),
            reason: String::new(),
            announcement: "旺苍县防止返贫致贫对象识别公告（2026年第11期）".into(),
            closure: None,
        }
    } else {
        Decision {
            on: on(11),
            inclusion: None,
            reason: "经部门数据比对，家庭成员名下有城镇商品房和小汽车，人均纯收入高于监测范围"
                .into(),
            announcement: String::new(),
            closure: None,
        }
    };
    out.push((Role::County, Step::Decide(decision)));
    out
}

/// Whether the demo's schedule fits the default clock (every step in time for the plan's
/// on-time procedures), so that "overdue" in the demo means what the plan says.
#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::calendar::WorkCalendar;
    use shouwang_core::identification::deadline::Deadlines;
    use shouwang_core::identification::{Identification, StepContext};

    #[test]
    fn every_planned_procedure_reaches_its_stage_under_the_default_clock() {
        let today = Date::new(2026, 11, 30).unwrap();
        let dl = Deadlines::defaults();
        let cal = WorkCalendar::default();
        let mut rng = Rng::new(1);
        for (stage, age, variant) in PLAN {
            let f = today.add_days(-age);
            let risk = if *variant == Variant::GreenChannel {
                RiskType::NaturalDisaster
            } else {
                RiskType::Illness
            };
            let mut ident = Identification::open(f, vec![risk], today, &dl, &cal);
            for (role, step) in steps(f, *stage, *variant, risk, &mut rng) {
                ident = ident
                    .apply(
                        &step,
                        &StepContext {
                            role,
                            today,
                            deadlines: &dl,
                            calendar: &cal,
                        },
                    )
                    .unwrap_or_else(|p| panic!("{stage:?} {:?}: {p}", step.kind()));
            }
            assert_eq!(ident.stage, *stage);
        }
    }
}
