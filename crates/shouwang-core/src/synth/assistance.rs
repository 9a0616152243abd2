//! The assistance records of a synthetic county (精准帮扶), consistent with the households and
//! cases [`records`] made: assistance persons (帮扶责任人, cadres dispatched by county units) and
//! family doctors (家庭签约医生, one per village), dated pairings of each monitored household and
//! each 脱贫户 with one assistance person (a few reassigned once, the ended pairing kept), one
//! plan per case with one to three measures that fit its risks, the visits of the last months by
//! the assistance persons, the family doctors and the village and township Party secretaries,
//! and the 监测联系人 of every eliminated case. Deterministic from the seed, like the households.
//!
//! Calibrated so that the flags have something to find: most measures start within ten days of
//! identification, a few later, and about 3 % of open cases have none at all; a few households
//! with labour have no development measure; about one visit in ten that was due did not happen.
//!
//! [`records`]: super::records

use super::records::SynthRecords;
use super::{Rng, GIVEN, SURNAMES};
use crate::assistance::person::AssistancePerson;
use crate::assistance::{Measure, MeasureCategory, MeasureState};
use crate::codes::{HealthCondition, HouseholdType, LabourCapacity, Political, Relation, Sex};
use crate::date::{days_in_month, Date, YearMonth};
use crate::household::{Household, Member};
use crate::money::Fen;
use crate::monitoring::{CaseStatus, MonitoringCase, RiskType};
use crate::region::{RegionCode, RegionLevel};
use crate::visit::Position;
use std::collections::BTreeMap;

/// The months of visits made, the current one included.
pub const VISIT_MONTHS: i32 = 4;
/// The day the pairings of 脱贫户 began, at the latest (过渡期: 2021 on).
const TRANSITION_START: (i32, u8, u8) = (2021, 3, 1);

/// An assistance person or a family doctor, with the village whose households they serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthPerson {
    pub person: AssistancePerson,
    pub village: RegionCode,
    /// the user account, when the person signs in
    pub username: Option<String>,
}

/// A dated pairing of `persons[person]` with a household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthPairing {
    pub person: usize,
    pub household_no: String,
    pub village: RegionCode,
    pub start: Date,
    pub end: Option<Date>,
    pub end_reason: String,
}

/// The plan of a household's case (the household's latest case), with its measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthPlan {
    pub household_no: String,
    pub village: RegionCode,
    pub summary: String,
    /// the day the plan was made
    pub made: Date,
    pub measures: Vec<Measure>,
}

/// A visit as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthVisit {
    pub household_no: String,
    pub village: RegionCode,
    pub on: Date,
    pub position: Position,
    /// `persons[i]` for assistance persons and family doctors
    pub person: Option<usize>,
    /// the visitor's user name, when the visitor has an account ("" otherwise)
    pub visitor: String,
    pub visitor_name: String,
    pub findings: String,
    pub follow_up: String,
}

/// A position a user holds besides the role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthPosition {
    pub username: String,
    pub position: Position,
    /// the village or township the duty covers
    pub region: RegionCode,
    pub person: Option<usize>,
}

/// The 监测联系人 of an eliminated case, and the day it was eliminated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthContact {
    pub household_no: String,
    pub name: String,
    pub phone: String,
    pub eliminated_on: Date,
}

/// What [`assistance`] makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthAssistance {
    pub persons: Vec<SynthPerson>,
    pub pairings: Vec<SynthPairing>,
    pub plans: Vec<SynthPlan>,
    pub visits: Vec<SynthVisit>,
    /// none from the generator: positions belong to user accounts (the demo adds its users')
    pub positions: Vec<SynthPosition>,
    pub contacts: Vec<SynthContact>,
}

impl SynthAssistance {
    pub fn measures(&self) -> usize {
        self.plans.iter().map(|p| p.measures.len()).sum()
    }
}

/// The county units that dispatch cadres (帮扶(选派)单位), after the county's name.
const UNITS: &[&str] = &[
    "农业农村局",
    "乡村振兴局",
    "财政局",
    "教育局",
    "卫生健康局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "水利局",
    "自然资源局",
    "交通运输局",
    "发展和改革局",
    "林业局",
    "县委组织部",
    "县委宣传部",
    "县人民医院",
    "县供销合作社",
    "县农村信用合作联社",
];

const HELPER_FINDINGS: &[&str] = &[
    "家庭成员身体状况稳定，生产生活正常",
    "了解近期务工收入情况，收入稳定",
    "宣传防返贫政策和12317热线，户主已知晓",
    "查看住房和饮水情况，安全无隐患",
    "了解产业发展情况，养殖的生猪长势良好",
    "子女在校就读正常，教育资助已到位",
    "核对帮扶措施落实情况，均已落实",
    "慢性病患者按时服药，签约医生已随访",
];
const DOCTOR_FINDINGS: &[&str] = &[
    "随访高血压患者，血压控制平稳，调整用药",
    "随访糖尿病患者，空腹血糖偏高，嘱控制饮食",
    "开展健康体检，未见新发疾病",
    "康复指导，残疾人功能训练正常",
    "测量血压血糖，健康状况稳定",
];
const SECRETARY_FINDINGS: &[&str] = &[
    "入户走访，家庭生产生活正常，无新增风险",
    "了解收支情况，家庭收入稳定",
    "排查三保障和饮水安全，均有保障",
    "听取意见建议，群众对帮扶工作满意",
];
const FOLLOW_UPS: &[&str] = &[
    "协调落实务工岗位信息",
    "联系镇卫生院上门随访",
    "下月再次核实收入情况",
    "协助申请临时救助",
];

/// A person's name from the synth name pool.
fn name(rng: &mut Rng) -> String {
    let mut n = rng.pick(SURNAMES).to_string();
    n.push_str(rng.pick::<&str>(GIVEN));
    if rng.chance(0.75) {
        n.push_str(rng.pick::<&str>(GIVEN));
    }
    n
}

fn phone(rng: &mut Rng) -> String {
    format!(
        "1{}{:09}",
        rng.pick(&[3, 5, 7, 8, 9]),
        rng.range(0, 999_999_999)
    )
}

fn cadre(rng: &mut Rng, county_name: &str, village: &RegionCode) -> SynthPerson {
    let sex = if rng.chance(0.7) {
        Sex::Male
    } else {
        Sex::Female
    };
    let political = rng.weighted(&[
        (85, Political::PartyMember),
        (3, Political::ProbationaryMember),
        (12, Political::Masses),
    ]);
    let unit = rng.pick(UNITS);
    let unit = if unit.starts_with('县') {
        format!("{}{}", county_name, &unit["县".len()..])
    } else {
        format!("{county_name}{unit}")
    };
    SynthPerson {
        person: AssistancePerson {
            position: Position::AssistancePerson,
            name: name(rng),
            sex: Some(sex),
            political: Some(political),
            unit,
            phone: phone(rng),
        },
        village: village.clone(),
        username: None,
    }
}

fn doctor(rng: &mut Rng, county_name: &str, village: &RegionCode) -> SynthPerson {
    let sex = if rng.chance(0.5) {
        Sex::Male
    } else {
        Sex::Female
    };
    let unit = if rng.chance(0.8) {
        "乡镇卫生院".to_string()
    } else {
        format!("{county_name}中医医院")
    };
    SynthPerson {
        person: AssistancePerson {
            position: Position::FamilyDoctor,
            name: name(rng),
            sex: Some(sex),
            political: Some(rng.weighted(&[(40, Political::PartyMember), (60, Political::Masses)])),
            unit,
            phone: phone(rng),
        },
        village: village.clone(),
        username: None,
    }
}

/// A month `n` months after `m` (before, when negative).
fn add_months(m: YearMonth, n: i32) -> YearMonth {
    let total = m.year() * 12 + i32::from(m.month()) - 1 + n;
    YearMonth::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8).unwrap_or(m)
}

/// A random day of month `m`.
fn day_in(rng: &mut Rng, m: YearMonth) -> Date {
    let d = rng.range(1, i64::from(days_in_month(m.year(), m.month())));
    Date::new(m.year(), m.month(), d as u8).unwrap_or(m.first_day())
}

/// What the measures need to know of a household.
struct Home<'a> {
    able: usize,
    ill: bool,
    non_compulsory_student: bool,
    tekun: bool,
    members: &'a [Member],
}

impl<'a> Home<'a> {
    fn of(h: &Household, members: &'a [Member]) -> Home<'a> {
        let living = || members.iter().filter(|m| m.is_alive());
        Home {
            able: living()
                .filter(|m| m.labour.is_some_and(LabourCapacity::can_work))
                .count(),
            ill: living().any(|m| {
                m.health.has(HealthCondition::ChronicIllness)
                    || m.health.has(HealthCondition::SeriousIllness)
            }),
            non_compulsory_student: living()
                .any(|m| m.schooling.is_some_and(|s| s.is_non_compulsory())),
            tekun: h.tekun,
            members,
        }
    }

    /// The 监测联系人 the household itself gives: the head if reachable, else any member with a
    /// phone.
    fn contact(&self) -> Option<(String, String)> {
        let living = || {
            self.members
                .iter()
                .filter(|m| m.is_alive() && !m.phone.is_empty())
        };
        living()
            .find(|m| m.relation == Relation::Head)
            .or_else(|| living().next())
            .map(|m| (m.name.clone(), m.phone.clone()))
    }
}

/// One measure drawn for a risk: (category, content, amount in yuan, days it runs; `None`:
/// until further notice).
type Draft = (MeasureCategory, String, Option<i64>, Option<i64>);

fn draft(rng: &mut Rng, risk: RiskType, home: &Home, whole_without_labour: bool) -> Draft {
    use MeasureCategory as C;
    match risk {
        RiskType::Illness => (
            C::Health,
            rng.pick(&[
                "落实医疗救助，住院费用“一站式”结算",
                "纳入家庭医生签约服务，慢性病门诊报销",
                "落实大病专项救治，减轻自付医疗费用",
            ])
            .to_string(),
            Some(rng.range(1_000, 8_000)),
            Some(rng.range(30, 120)),
        ),
        RiskType::Disability => (
            C::SocialSecurity,
            "落实困难残疾人生活补贴和重度残疾人护理补贴".into(),
            Some(rng.range(12, 24) * 100),
            None,
        ),
        RiskType::Schooling if home.non_compulsory_student => (
            C::OtherEducation,
            "申请雨露计划职业教育补助，每学年3000元".into(),
            Some(3_000),
            Some(rng.range(1, 3) * 365),
        ),
        RiskType::Schooling => (
            C::CompulsoryEducation,
            "落实义务教育阶段家庭经济困难学生生活补助".into(),
            Some(rng.pick(&[1_000, 1_250]).to_owned()),
            Some(300),
        ),
        RiskType::UnsafeHousing => (
            C::Housing,
            "实施农村危房改造，加固主体结构".into(),
            Some(rng.range(20, 40) * 1_000),
            Some(rng.range(60, 150)),
        ),
        RiskType::UnsafeWater => (
            C::DrinkingWater,
            "延伸供水管网入户，解决饮水安全问题".into(),
            None,
            Some(rng.range(20, 60)),
        ),
        RiskType::NaturalDisaster | RiskType::Accident => {
            if rng.chance(0.7) {
                (
                    C::Social,
                    "发放临时救助金".into(),
                    Some(rng.range(10, 50) * 100),
                    Some(rng.range(10, 30)),
                )
            } else {
                (
                    C::LivingConditions,
                    "修复受损的生产用房和入户道路".into(),
                    Some(rng.range(3, 12) * 1_000),
                    Some(rng.range(30, 90)),
                )
            }
        }
        RiskType::LackOfLabour if whole_without_labour || home.able == 0 => {
            if home.tekun {
                (
                    C::SocialSecurity,
                    "纳入特困人员供养，按月发放基本生活费".into(),
                    Some(rng.range(80, 110) * 100),
                    None,
                )
            } else {
                (
                    C::SocialSecurity,
                    "纳入农村低保，按月发放低保金".into(),
                    Some(rng.range(40, 80) * 100),
                    None,
                )
            }
        }
        RiskType::UnstableEmployment => (
            C::Employment,
            "推荐县内企业就业，发放一次性务工交通补助".into(),
            Some(rng.range(3, 10) * 100),
            Some(180),
        ),
        RiskType::BusinessFailure => {
            if rng.chance(0.5) {
                (
                    C::Finance,
                    "申请脱贫人口小额信贷用于恢复养殖".into(),
                    Some(rng.range(3, 5) * 10_000),
                    Some(3 * 365),
                )
            } else {
                development(rng, home)
            }
        }
        RiskType::LackOfLabour | RiskType::Other => development(rng, home),
    }
}

/// A development measure (开发式帮扶) for a household with labour.
fn development(rng: &mut Rng, _home: &Home) -> Draft {
    use MeasureCategory as C;
    match rng.range(0, 9) {
        0..=3 => (
            C::Industry,
            rng.pick(&[
                "发放产业奖补资金用于养殖肉牛",
                "发放产业奖补资金用于发展茶叶种植",
                "发放产业奖补资金用于养殖生猪",
                "发放产业奖补资金用于种植猕猴桃",
            ])
            .to_string(),
            Some(rng.range(20, 50) * 100),
            Some(rng.range(60, 180)),
        ),
        4..=5 => (
            C::Employment,
            "组织参加技能培训并推荐外出务工".into(),
            Some(rng.range(3, 10) * 100),
            Some(180),
        ),
        6..=7 => (
            C::PublicWelfareJob,
            rng.pick(&[
                "安置乡村公益岗位（护林员）",
                "安置乡村公益岗位（保洁员）",
                "安置乡村公益岗位（道路养护员）",
            ])
            .to_string(),
            Some(rng.range(60, 96) * 100),
            Some(365),
        ),
        _ => (
            C::Finance,
            "申请脱贫人口小额信贷发展产业".into(),
            Some(rng.range(3, 5) * 10_000),
            Some(3 * 365),
        ),
    }
}

fn unit_of(category: MeasureCategory, county_name: &str) -> String {
    use MeasureCategory as C;
    let unit = match category {
        C::Industry | C::LivingConditions | C::Infrastructure => "农业农村局",
        C::Employment => "人力资源和社会保障局",
        C::Finance => "农村信用合作联社",
        C::PublicWelfareJob => "乡村振兴局",
        C::Housing => "住房和城乡建设局",
        C::DrinkingWater => "水利局",
        C::Health => "医疗保障局",
        C::CompulsoryEducation | C::OtherEducation => "教育局",
        C::SocialSecurity | C::Social => "民政局",
        C::Relocation => "发展和改革局",
    };
    format!("{county_name}{unit}")
}

/// The plan of `case`, its measures started after `identified`; `helper` is the name of the
/// household's assistance person, who answers for them.
#[allow(clippy::too_many_arguments)]
fn plan(
    rng: &mut Rng,
    h: &Household,
    home: &Home,
    case: &MonitoringCase,
    helper: &str,
    county_name: &str,
    today: Date,
) -> SynthPlan {
    let identified = case.identified.first_day();
    let eliminated = case.elimination.map(|(_, m)| m.first_day());
    let at_risk = case.status == CaseStatus::AtRisk;
    // about 3 % of open cases have no measure yet
    let without = at_risk && rng.chance(0.03);
    let mut drafts: Vec<(Option<RiskType>, Draft)> = Vec::new();
    if !without {
        for r in &case.risks {
            if drafts.len() >= 3 {
                break;
            }
            let d = draft(rng, *r, home, case.whole_household_without_labour);
            if drafts.iter().all(|(_, (c, ..))| *c != d.0) {
                drafts.push((Some(*r), d));
            }
        }
        // a household with labour is usually given a development measure (a few are not, so
        // that the six-month flag finds them)
        let has_development = drafts.iter().any(|(_, (c, ..))| c.is_development());
        if home.able > 0 && !has_development && rng.chance(0.93) {
            let d = development(rng, home);
            if drafts.len() >= 3 {
                drafts.pop();
            }
            let risk = case.risks.first().copied();
            drafts.push((risk, d));
        }
    }
    let late = rng.chance(0.05);
    let mut measures = Vec::with_capacity(drafts.len());
    for (i, (risk, (category, content, amount, days))) in drafts.into_iter().enumerate() {
        // most measures within ten days of identification; a few later
        let offset = if late {
            rng.range(11, 40)
        } else {
            rng.range(1, 10)
        } + i as i64 * rng.range(0, 20);
        let mut start = identified.add_days(offset);
        let mut state = MeasureState::InPlace;
        if start > today {
            start = today;
            state = MeasureState::Planned;
        }
        let end = match category {
            // 雨露计划 runs to the end of the school year (30 June)
            MeasureCategory::OtherEducation => days.map(|d| {
                let y = start.add_days(d).year();
                Date::new(y, 6, 30).unwrap_or(start).max(start.add_days(30))
            }),
            _ => days.map(|d| start.add_days(d)),
        };
        let mut ended_on = None;
        if let Some(e) = end.filter(|e| *e <= today) {
            state = MeasureState::Ended;
            ended_on = Some(e);
        }
        if let Some(el) = eliminated {
            // a case closed ends its measures, except those that by policy run on
            if category.runs_past_elimination().is_none() && state != MeasureState::Ended {
                state = MeasureState::Ended;
                ended_on = Some(el.max(start));
            }
        }
        measures.push(Measure {
            category,
            content,
            risk,
            start,
            end,
            amount: amount.map(Fen::from_yuan),
            unit: unit_of(category, county_name),
            responsible: helper.to_string(),
            state,
            ended_on,
        });
    }
    let risks: Vec<&str> = case.risks.iter().map(|r| r.label_zh()).collect();
    let summary = if measures.is_empty() {
        format!("针对{}风险，正在研究制定帮扶措施", risks.join("、"))
    } else {
        let mut cats: Vec<&str> = measures.iter().map(|m| m.category.label_zh()).collect();
        cats.dedup();
        format!(
            "针对{}风险，落实{}，{}",
            risks.join("、"),
            cats.join("、"),
            if case.whole_household_without_labour {
                "整户兜底保障"
            } else {
                "稳定增加家庭收入"
            }
        )
    };
    SynthPlan {
        household_no: h.household_no.clone(),
        village: h.village.clone(),
        summary,
        made: identified.add_days(rng.range(1, 5)).min(today),
        measures,
    }
}

/// Builds the assistance records of `data` and its `records` as of `today`. `county_name`
/// names the county units that dispatch the cadres (e.g. "旺苍县").
pub fn assistance(
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
    seed: u64,
    today: Date,
    county_name: &str,
) -> SynthAssistance {
    let mut rng = Rng::new(seed ^ 0xa551_57a0_ce00);
    let mut out = SynthAssistance::default();
    let mut case_of: Vec<Option<&MonitoringCase>> = vec![None; data.len()];
    for (i, c) in &records.cases {
        if let Some(slot) = case_of.get_mut(*i) {
            *slot = Some(c);
        }
    }
    // the households to pair, by village: every monitored household and every 脱贫户
    let mut villages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (h, members)) in data.iter().enumerate() {
        let post_poverty = h.household_type != HouseholdType::Ordinary;
        if (case_of[i].is_some() || post_poverty) && members.iter().any(Member::is_alive) {
            villages.entry(h.village.as_str()).or_default().push(i);
        }
    }
    let transition =
        Date::new(TRANSITION_START.0, TRANSITION_START.1, TRANSITION_START.2).unwrap_or(today);
    let this_month = YearMonth::of(today);
    let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
    let mut township_secretaries: BTreeMap<String, String> = BTreeMap::new();
    for (village_code, homes) in &villages {
        let village = data[homes[0]].0.village.clone();
        debug_assert_eq!(village.as_str(), *village_code);
        let cases = homes.iter().filter(|i| case_of[**i].is_some()).count();
        // about one cadre for four cases, and none with more than about ten households
        let n = cases.div_ceil(4).max(homes.len().div_ceil(10)).max(1);
        let first = out.persons.len();
        for _ in 0..n {
            let p = cadre(&mut rng, county_name, &village);
            out.persons.push(p);
        }
        let doctor_index = out.persons.len();
        out.persons.push(doctor(&mut rng, county_name, &village));
        let secretary = name(&mut rng);
        let township = village
            .ancestor(RegionLevel::Township)
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        let township_secretary = township_secretaries
            .entry(township)
            .or_insert_with(|| name(&mut rng))
            .clone();
        for (k, &i) in homes.iter().enumerate() {
            let (h, members) = &data[i];
            let home = Home::of(h, members);
            let case = case_of[i];
            let post_poverty = h.household_type != HouseholdType::Ordinary;
            let mut person = first + k % n;
            // 脱贫户 are paired since the transition period began; a monitored household since
            // its identification
            let mut start = match case {
                Some(c) if !post_poverty => c.identified.first_day().add_days(rng.range(0, 5)),
                _ => transition.add_days(rng.range(0, 90)),
            }
            .min(today);
            // a few were reassigned once (工作调整): the ended pairing stays
            let room = today.to_days() - start.to_days();
            if n > 1 && room > 120 && rng.chance(0.08) {
                let end = start.add_days(rng.range(60, room - 30));
                out.pairings.push(SynthPairing {
                    person,
                    household_no: h.household_no.clone(),
                    village: village.clone(),
                    start,
                    end: Some(end),
                    end_reason: rng.pick(&["工作调整", "帮扶干部轮换", "退休"]).to_string(),
                });
                person = first + (k + 1 + rng.range(0, n as i64 - 2) as usize) % n;
                start = end.add_days(1);
            }
            out.pairings.push(SynthPairing {
                person,
                household_no: h.household_no.clone(),
                village: village.clone(),
                start,
                end: None,
                end_reason: String::new(),
            });
            let helper_name = out.persons[person].person.name.clone();
            let at_risk = case.is_some_and(|c| c.status == CaseStatus::AtRisk);
            // family doctors sign with open cases and with 脱贫户 who have someone ill
            let doctor_paired = at_risk || (home.ill && post_poverty);
            let doctor_since = year_start.max(start).min(today);
            if doctor_paired {
                out.pairings.push(SynthPairing {
                    person: doctor_index,
                    household_no: h.household_no.clone(),
                    village: village.clone(),
                    start: doctor_since,
                    end: None,
                    end_reason: String::new(),
                });
            }
            if let Some(c) = case {
                out.plans.push(plan(
                    &mut rng,
                    h,
                    &home,
                    c,
                    &helper_name,
                    county_name,
                    today,
                ));
                if let Some((_, m)) = c.elimination {
                    let (name, phone) = match home.contact() {
                        Some(contact) if rng.chance(0.9) => contact,
                        _ => (
                            helper_name.clone(),
                            out.persons[person].person.phone.clone(),
                        ),
                    };
                    out.contacts.push(SynthContact {
                        household_no: h.household_no.clone(),
                        name,
                        phone,
                        eliminated_on: m.first_day(),
                    });
                }
            }
            // visits of the last months: monthly by the assistance person, the village
            // secretary and (where signed) the family doctor, each missing about one time in ten
            let monthly = post_poverty || at_risk;
            for back in (0..VISIT_MONTHS).rev() {
                let month = add_months(this_month, -back);
                let mut visit = |rng: &mut Rng,
                                 position: Position,
                                 who: Option<usize>,
                                 since: Date,
                                 visitor_name: &str,
                                 findings: &[&str]| {
                    if rng.chance(0.1) {
                        return;
                    }
                    let on = day_in(rng, month);
                    if on > today || on < since {
                        return;
                    }
                    let follow_up = if rng.chance(0.15) {
                        rng.pick(FOLLOW_UPS).to_string()
                    } else {
                        String::new()
                    };
                    out.visits.push(SynthVisit {
                        household_no: h.household_no.clone(),
                        village: village.clone(),
                        on,
                        position,
                        person: who,
                        visitor: String::new(),
                        visitor_name: visitor_name.to_string(),
                        findings: rng.pick(findings).to_string(),
                        follow_up,
                    });
                };
                if monthly {
                    visit(
                        &mut rng,
                        Position::AssistancePerson,
                        Some(person),
                        start,
                        &helper_name,
                        HELPER_FINDINGS,
                    );
                    visit(
                        &mut rng,
                        Position::VillageSecretary,
                        None,
                        start,
                        &secretary,
                        SECRETARY_FINDINGS,
                    );
                }
                if doctor_paired {
                    let doctor_name = out.persons[doctor_index].person.name.clone();
                    visit(
                        &mut rng,
                        Position::FamilyDoctor,
                        Some(doctor_index),
                        doctor_since,
                        &doctor_name,
                        DOCTOR_FINDINGS,
                    );
                }
            }
            // the township secretary sees each open case once in half a year (most of them)
            if at_risk && rng.chance(0.85) {
                let on = today.add_days(-rng.range(0, 175));
                if on >= start {
                    out.visits.push(SynthVisit {
                        household_no: h.household_no.clone(),
                        village: village.clone(),
                        on,
                        position: Position::TownshipSecretary,
                        person: None,
                        visitor: String::new(),
                        visitor_name: township_secretary.clone(),
                        findings: rng.pick(SECRETARY_FINDINGS).to_string(),
                        follow_up: String::new(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{generate, records, SynthConfig, SynthVillage};
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }

    fn county(
        households: usize,
        seed: u64,
    ) -> (Vec<(Household, Vec<Member>)>, SynthRecords, SynthAssistance) {
        let villages: Vec<SynthVillage> = (0..12)
            .map(|v| SynthVillage {
                code: RegionCode::parse(&format!("510821{:03}{:03}", 100 + v / 4, 200 + v))
                    .unwrap(),
                resettlement_site: None,
            })
            .collect();
        let config = SynthConfig {
            households,
            seed,
            today: today(),
            county: RegionCode::parse("510821").unwrap(),
        };
        let data = generate(&config, &villages);
        let r = records(&data, seed, today(), Fen::from_yuan(8_700));
        let a = assistance(&data, &r, seed, today(), "旺苍县");
        (data, r, a)
    }

    #[test]
    fn the_same_seed_gives_the_same_assistance() {
        let (_, _, a) = county(2_000, 7);
        let (_, _, b) = county(2_000, 7);
        assert_eq!(a, b);
        let (_, _, c) = county(2_000, 8);
        assert_ne!(a, c);
    }

    #[test]
    fn every_case_has_a_plan_and_every_paired_household_one_assistance_person() {
        let (data, r, a) = county(10_000, 510_821);
        let planned: HashSet<&str> = a.plans.iter().map(|p| p.household_no.as_str()).collect();
        assert_eq!(a.plans.len(), r.cases.len());
        for (i, _) in &r.cases {
            assert!(planned.contains(data[*i].0.household_no.as_str()));
        }
        // each monitored household and each 脱贫户 has exactly one current assistance person
        let mut current: HashMap<&str, usize> = HashMap::new();
        for p in &a.pairings {
            if p.end.is_none() && a.persons[p.person].person.position == Position::AssistancePerson
            {
                *current.entry(p.household_no.as_str()).or_default() += 1;
            }
        }
        for (i, (h, _)) in data.iter().enumerate() {
            let monitored = r.cases.iter().any(|(k, _)| *k == i);
            if monitored || h.household_type != HouseholdType::Ordinary {
                assert_eq!(
                    current.get(h.household_no.as_str()),
                    Some(&1),
                    "{}",
                    h.household_no
                );
            }
        }
        // about one cadre per 3–10 paired households, one doctor per village
        let cadres = a
            .persons
            .iter()
            .filter(|p| p.person.position == Position::AssistancePerson)
            .count();
        let doctors = a.persons.len() - cadres;
        assert_eq!(doctors, 12);
        let ratio = current.len() as f64 / cadres as f64;
        assert!(
            (3.0..=10.0).contains(&ratio),
            "households per cadre {ratio}"
        );
        assert!(a
            .persons
            .iter()
            .all(|p| p.person.unit.starts_with("旺苍县") || p.person.unit == "乡镇卫生院"));
        assert!(a.persons.iter().all(|p| p.person.phone.len() == 11));
    }

    #[test]
    fn pairings_never_overlap_and_some_were_reassigned() {
        let (_, _, a) = county(10_000, 510_821);
        let mut by: HashMap<(&str, Position), Vec<&SynthPairing>> = HashMap::new();
        for p in &a.pairings {
            assert!(p.end.is_none_or(|e| e >= p.start), "{p:?}");
            assert!(p.start <= today());
            let position = a.persons[p.person].person.position;
            by.entry((p.household_no.as_str(), position))
                .or_default()
                .push(p);
        }
        let mut reassigned = 0;
        for list in by.values_mut() {
            list.sort_by_key(|p| p.start);
            for w in list.windows(2) {
                let end = w[0].end.expect("only the last pairing runs on");
                assert!(end < w[1].start, "{:?} overlaps {:?}", w[0], w[1]);
                assert_ne!(w[0].person, w[1].person, "reassigned to someone else");
                assert!(!w[0].end_reason.is_empty());
                reassigned += 1;
            }
        }
        assert!(reassigned > 10, "{reassigned} reassignments");
    }

    #[test]
    fn measures_fit_the_risks_and_stay_within_bounds() {
        let (data, r, a) = county(20_000, 510_821);
        let by_no: HashMap<&str, &MonitoringCase> = r
            .cases
            .iter()
            .map(|(i, c)| (data[*i].0.household_no.as_str(), c))
            .collect();
        let mut without_measure_late = 0;
        let mut open = 0;
        let mut labour_without_development = 0;
        for p in &a.plans {
            let case = by_no[p.household_no.as_str()];
            let identified = case.identified.first_day();
            assert!(!p.summary.is_empty());
            assert!((1..=3).contains(&p.measures.len()) || case.status == CaseStatus::AtRisk);
            if case.status == CaseStatus::AtRisk {
                open += 1;
                if p.measures.is_empty() && identified.add_days(10) < today() {
                    without_measure_late += 1;
                }
            }
            let i = data
                .iter()
                .position(|(h, _)| h.household_no == p.household_no)
                .unwrap();
            let able = Home::of(&data[i].0, &data[i].1).able;
            if able > 0 && !p.measures.iter().any(|m| m.category.is_development()) {
                labour_without_development += 1;
            }
            if case.whole_household_without_labour && !p.measures.is_empty() {
                assert!(
                    p.measures
                        .iter()
                        .any(|m| m.category == MeasureCategory::SocialSecurity),
                    "兜底: {p:?}"
                );
            }
            for m in &p.measures {
                assert!(m.start >= identified && m.start <= today(), "{m:?}");
                assert!(m.end.is_none_or(|e| e >= m.start), "{m:?}");
                if let Some(amount) = m.amount {
                    assert!(amount > Fen(0) && amount <= Fen::from_yuan(50_000), "{m:?}");
                }
                match m.category {
                    MeasureCategory::Industry => assert!((Fen::from_yuan(2_000)
                        ..=Fen::from_yuan(5_000))
                        .contains(&m.amount.unwrap())),
                    MeasureCategory::PublicWelfareJob => assert!((Fen::from_yuan(6_000)
                        ..=Fen::from_yuan(9_600))
                        .contains(&m.amount.unwrap())),
                    MeasureCategory::Housing => assert!((Fen::from_yuan(20_000)
                        ..=Fen::from_yuan(40_000))
                        .contains(&m.amount.unwrap())),
                    _ => {}
                }
                if let Some(risk) = m.risk {
                    assert!(case.risks.contains(&risk));
                }
                match m.state {
                    MeasureState::Ended => {
                        let e = m.ended_on.expect("an ended measure has its day");
                        assert!(e >= m.start && e <= today(), "{m:?}");
                    }
                    _ => assert!(m.ended_on.is_none()),
                }
                // a closed case's measures have ended, except those that run on by policy
                if case.status == CaseStatus::Eliminated
                    && m.category.runs_past_elimination().is_none()
                {
                    assert_eq!(m.state, MeasureState::Ended, "{m:?}");
                }
            }
        }
        let share = without_measure_late as f64 / open as f64;
        assert!(
            (0.005..0.08).contains(&share),
            "{without_measure_late} of {open}"
        );
        assert!(labour_without_development > 0);
        // illness answered by health measures, unsafe housing by housing security
        let all: Vec<&Measure> = a.plans.iter().flat_map(|p| &p.measures).collect();
        assert!(all
            .iter()
            .filter(|m| m.risk == Some(RiskType::Illness))
            .all(|m| matches!(
                m.category,
                MeasureCategory::Health
                    | MeasureCategory::Industry
                    | MeasureCategory::Employment
                    | MeasureCategory::PublicWelfareJob
                    | MeasureCategory::Finance
            )));
        assert!(all.iter().any(|m| m.category == MeasureCategory::Health));
        assert!(all
            .iter()
            .any(|m| m.runs_on() && m.state == MeasureState::InPlace));
    }

    trait RunsOn {
        fn runs_on(&self) -> bool;
    }
    impl RunsOn for Measure {
        fn runs_on(&self) -> bool {
            self.category.runs_past_elimination().is_some()
        }
    }

    #[test]
    fn visits_are_monthly_with_gaps_and_eliminated_cases_have_a_contact() {
        let (data, r, a) = county(10_000, 510_821);
        let first = add_months(YearMonth::of(today()), -(VISIT_MONTHS - 1)).first_day();
        assert!(a.visits.iter().all(|v| v.on <= today()
            && (v.on >= first || v.position == Position::TownshipSecretary)
            && !v.findings.is_empty()));
        // every position with a duty visits; 村干部 visits outside any duty are not synthesised
        for position in Position::ALL.iter().filter(|p| **p != Position::Cadre) {
            assert!(
                a.visits.iter().any(|v| v.position == *position),
                "{position:?}"
            );
        }
        // the assistance persons visited most households of last month, not all
        let last_month = add_months(YearMonth::of(today()), -1);
        let due: HashSet<&str> = a
            .pairings
            .iter()
            .filter(|p| {
                p.end.is_none()
                    && a.persons[p.person].person.position == Position::AssistancePerson
                    && p.start < last_month.first_day()
            })
            .map(|p| p.household_no.as_str())
            .collect();
        let visited: HashSet<&str> = a
            .visits
            .iter()
            .filter(|v| {
                v.position == Position::AssistancePerson && YearMonth::of(v.on) == last_month
            })
            .map(|v| v.household_no.as_str())
            .collect();
        let share = visited.intersection(&due).count() as f64 / due.len() as f64;
        assert!((0.8..0.97).contains(&share), "visited {share}");
        // visits by assistance persons are by the person paired then
        for v in a.visits.iter().filter(|v| v.person.is_some()) {
            let p = v.person.unwrap();
            assert!(a.pairings.iter().any(|x| x.person == p
                && x.household_no == v.household_no
                && x.start <= v.on
                && x.end.is_none_or(|e| e >= v.on)));
        }
        let eliminated = r
            .cases
            .iter()
            .filter(|(_, c)| c.status == CaseStatus::Eliminated)
            .count();
        assert_eq!(a.contacts.len(), eliminated);
        assert!(a
            .contacts
            .iter()
            .all(|c| !c.name.is_empty() && c.phone.len() == 11));
        let _ = data;
    }
}
