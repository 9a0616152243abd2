//! The rules themselves: one household's facts in, its findings out.

use super::{Finding, HouseholdFacts, Limits, MemberFacts, Rule};
use crate::assistance::flags::{add_months, months_between};
use crate::assistance::MeasureState;
use crate::codes::{HealthCondition, HouseholdType, LabourCapacity, Relation, Schooling};
use crate::date::{Date, YearMonth};
use crate::id_number::{IdKind, IdNumber};
use crate::money::format_hundredths;
use crate::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};

/// The findings of one household on `today` (every rule but the duplicate ID, which needs the
/// whole region: see [`super::Checker`]).
pub fn check_household(h: &HouseholdFacts, today: Date, limits: &Limits) -> Vec<Finding> {
    let mut out = Vec::new();
    check_household_into(h, today, limits, &mut out);
    out
}

pub(super) fn member_finding(
    rule: Rule,
    h: &HouseholdFacts,
    m: &MemberFacts,
    zh: String,
    en: String,
) -> Finding {
    Finding {
        rule,
        household_no: h.household_no.clone(),
        village: h.village.clone(),
        head_name: h.head_name().to_string(),
        member: m.id_number.clone(),
        member_name: m.name.clone(),
        detail_zh: zh,
        detail_en: en,
        exempted: false,
        case_id: h.case.as_ref().map(|c| c.case_id),
    }
}

fn household_finding(rule: Rule, h: &HouseholdFacts, zh: String, en: String) -> Finding {
    Finding {
        rule,
        household_no: h.household_no.clone(),
        village: h.village.clone(),
        head_name: h.head_name().to_string(),
        member: String::new(),
        member_name: String::new(),
        detail_zh: zh,
        detail_en: en,
        exempted: false,
        case_id: h.case.as_ref().map(|c| c.case_id),
    }
}

fn is_student(m: &MemberFacts) -> bool {
    m.schooling.is_some_and(|s| s != Schooling::PreschoolAge)
}

fn able(m: &MemberFacts) -> bool {
    matches!(
        m.labour,
        Some(LabourCapacity::Ordinary | LabourCapacity::Skilled)
    )
}

pub(super) fn check_household_into(
    h: &HouseholdFacts,
    today: Date,
    limits: &Limits,
    out: &mut Vec<Finding>,
) {
    let living: Vec<&MemberFacts> = h
        .members
        .iter()
        .filter(|m| m.deceased_on.is_none())
        .collect();
    let mut mf = |rule: Rule, m: &MemberFacts, zh: String, en: String| {
        out.push(member_finding(rule, h, m, zh, en));
    };
    // members, one by one
    for m in &h.members {
        if let Some(d) = m.deceased_on {
            mf(
                Rule::DeceasedStillCounted,
                m,
                format!("死亡日期{d}"),
                format!("died on {d}"),
            );
            continue;
        }
        let age = m.birth_date.age_on(today);
        if matches!(m.id_kind, IdKind::ResidentId | IdKind::DisabilityCard) {
            let id18 = m.id_number.get(..18).unwrap_or(&m.id_number);
            match IdNumber::parse(id18, today) {
                Err(e) => mf(
                    Rule::IdInvalid,
                    m,
                    format!("证件号码：{}", e.zh()),
                    format!("ID number: {e}"),
                ),
                Ok(id) => {
                    if id.birth_date() != m.birth_date {
                        mf(
                            Rule::IdBirthDate,
                            m,
                            format!("登记{}，号码中为{}", m.birth_date, id.birth_date()),
                            format!(
                                "recorded {}, the number says {}",
                                m.birth_date,
                                id.birth_date()
                            ),
                        );
                    }
                    if id.sex() != m.sex {
                        mf(
                            Rule::IdSex,
                            m,
                            format!("登记{}，号码中为{}", m.sex.label_zh(), id.sex().label_zh()),
                            format!(
                                "recorded {}, the number says {}",
                                m.sex.label_en(),
                                id.sex().label_en()
                            ),
                        );
                    }
                }
            }
        }
        let name = m.name.trim();
        if name.is_empty() || name.chars().any(|c| c.is_ascii_digit() || c.is_control()) {
            mf(
                Rule::NameInvalid,
                m,
                format!("姓名“{name}”"),
                format!("name '{name}'"),
            );
        }
        if m.health.is_empty() {
            mf(Rule::HealthMissing, m, String::new(), String::new());
        }
        match (m.education, m.schooling) {
            (Some(e), Some(s)) => mf(
                Rule::EducationAndSchooling,
                m,
                format!("文化程度{}，在校生状况{}", e.label_zh(), s.label_zh()),
                format!(
                    "education {}, student status {}",
                    e.label_en(),
                    s.label_en()
                ),
            ),
            (None, None) => mf(
                Rule::NoEducationNorSchooling,
                m,
                String::new(),
                String::new(),
            ),
            _ => {}
        }
        let place = m.migrant_place.trim();
        if !place.is_empty() && m.migrant_months <= 0 {
            mf(
                Rule::MigrantPlaceWithoutMonths,
                m,
                format!("务工所在地{place}"),
                format!("work place {place}"),
            );
        }
        if place.is_empty() && m.migrant_months > 0 {
            mf(
                Rule::MigrantMonthsWithoutPlace,
                m,
                format!("务工{}个月", m.migrant_months),
                format!("{} months worked", m.migrant_months),
            );
        }
        if m.migrant_months > 12 {
            mf(
                Rule::MigrantMonthsOverYear,
                m,
                format!("务工{}个月", m.migrant_months),
                format!("{} months worked", m.migrant_months),
            );
        }
        match (m.resident_medical, m.employee_medical) {
            (false, false) => mf(Rule::NoMedicalInsurance, m, String::new(), String::new()),
            (true, true) => mf(Rule::TwoMedicalInsurances, m, String::new(), String::new()),
            _ => {}
        }
        let working_age = (16..=59).contains(&age);
        if working_age && !is_student(m) {
            match m.labour {
                None => mf(
                    Rule::LabourMissing,
                    m,
                    format!("{age}岁"),
                    format!("aged {age}"),
                ),
                Some(l @ (LabourCapacity::None | LabourCapacity::Weak))
                    if m.health == crate::codes::Health::HEALTHY =>
                {
                    mf(
                        Rule::HealthyWithoutLabour,
                        m,
                        format!("{age}岁，健康，{}", l.label_zh()),
                        format!("aged {age}, healthy, {}", l.label_en()),
                    )
                }
                _ => {}
            }
        }
        if age < 16 && able(m) {
            mf(
                Rule::ChildAbleToWork,
                m,
                format!("{age}岁，{}", m.labour.map(|l| l.label_zh()).unwrap_or("")),
                format!(
                    "aged {age}, {}",
                    m.labour.map(|l| l.label_en()).unwrap_or("")
                ),
            );
        }
        if (7..=15).contains(&age) && !is_student(m) && !h.guarantees.is_some_and(|g| g.dropout) {
            mf(
                Rule::SchoolAgeNotInSchool,
                m,
                format!("{age}岁"),
                format!("aged {age}"),
            );
        }
        if let Some(s) = m.schooling {
            let fits = match s {
                Schooling::PreschoolAge | Schooling::Preschool => age <= 7,
                s if s.is_compulsory() => (5..=18).contains(&age),
                Schooling::HighSchool1
                | Schooling::HighSchool2
                | Schooling::HighSchool3
                | Schooling::Vocational1
                | Schooling::Vocational2
                | Schooling::Vocational3 => (12..=25).contains(&age),
                _ => age >= 15,
            };
            if !fits {
                mf(
                    Rule::SchoolingAgeMismatch,
                    m,
                    format!("{age}岁，{}", s.label_zh()),
                    format!("aged {age}, {}", s.label_en()),
                );
            }
        }
        if age > 110 {
            mf(
                Rule::ImplausibleAge,
                m,
                format!("{age}岁"),
                format!("aged {age}"),
            );
        }
        let category = !m.disability_category.trim().is_empty();
        let disabled = m.health.has(HealthCondition::Disabled);
        if disabled && !category {
            mf(
                Rule::DisabledWithoutCategory,
                m,
                String::new(),
                String::new(),
            );
        }
        if category && !disabled {
            mf(
                Rule::CategoryWithoutDisability,
                m,
                format!("残疾类别{}", m.disability_category.trim()),
                format!("disability category {}", m.disability_category.trim()),
            );
        }
        let job = !m.welfare_job.trim().is_empty();
        if job != (m.welfare_job_months > 0) {
            mf(
                Rule::WelfareJobMismatch,
                m,
                format!(
                    "岗位“{}”，{}个月",
                    m.welfare_job.trim(),
                    m.welfare_job_months
                ),
                format!(
                    "job '{}', {} months",
                    m.welfare_job.trim(),
                    m.welfare_job_months
                ),
            );
        }
        if m.relation == Relation::Head && age < 16 {
            mf(
                Rule::HeadUnder16,
                m,
                format!("{age}岁"),
                format!("aged {age}"),
            );
        }
        if m.dibao && !h.dibao {
            mf(
                Rule::MemberDibaoHouseholdNot,
                m,
                String::new(),
                String::new(),
            );
        }
    }
    let mut hf = |rule: Rule, zh: String, en: String| out.push(household_finding(rule, h, zh, en));
    // the household's structure
    if living.is_empty() {
        hf(Rule::NoMembers, String::new(), String::new());
    }
    let heads: Vec<&&MemberFacts> = living
        .iter()
        .filter(|m| m.relation == Relation::Head)
        .collect();
    let spouses: Vec<&&MemberFacts> = living
        .iter()
        .filter(|m| m.relation == Relation::Spouse)
        .collect();
    if heads.is_empty() && !living.is_empty() {
        hf(Rule::NoHead, String::new(), String::new());
    }
    if heads.len() > 1 {
        hf(
            Rule::SeveralHeads,
            format!("{}名户主", heads.len()),
            format!("{} heads", heads.len()),
        );
    }
    if spouses.len() > 1 {
        hf(
            Rule::SeveralSpouses,
            format!("{}名配偶", spouses.len()),
            format!("{} spouses", spouses.len()),
        );
    }
    if let ([head], [spouse]) = (heads.as_slice(), spouses.as_slice()) {
        if head.sex == spouse.sex {
            out.push(member_finding(
                Rule::SpouseSameSex,
                h,
                spouse,
                format!(
                    "户主{}与配偶{}均为{}",
                    head.name,
                    spouse.name,
                    head.sex.label_zh()
                ),
                format!(
                    "head {} and spouse {} are both {}",
                    head.name,
                    spouse.name,
                    head.sex.label_en()
                ),
            ));
        }
    }
    let mut hf = |rule: Rule, zh: String, en: String| out.push(household_finding(rule, h, zh, en));
    if h.dibao && !living.iter().any(|m| m.dibao) && !living.is_empty() {
        hf(Rule::DibaoHouseholdNoMember, String::new(), String::new());
    }
    if h.relocated && h.resettlement_site.trim().is_empty() {
        hf(Rule::RelocatedWithoutSite, String::new(), String::new());
    }
    let grade = h.house_grade.trim();
    if matches!(grade, "C" | "D" | "C级" | "D级") && !h.guarantees.is_some_and(|g| g.unsafe_housing)
    {
        hf(
            Rule::DangerousHouseNotFlagged,
            format!("危房等级{grade}"),
            format!("house grade {grade}"),
        );
    }
    let case = h.case.as_ref();
    let at_risk = case.is_some_and(|c| c.status == CaseStatus::AtRisk);
    let post_poverty = matches!(
        h.household_type,
        HouseholdType::PostPoverty | HouseholdType::PostPovertyNoPolicy
    );
    if (post_poverty || at_risk) && !h.paired {
        hf(Rule::NoAssistancePerson, String::new(), String::new());
    }
    let last_year = today.year() - 1;
    let income = h
        .incomes
        .iter()
        .rev()
        .find(|i| i.period.year == last_year && i.period.quarter.is_none());
    if (post_poverty || at_risk) && income.is_none() {
        hf(
            Rule::NoIncomeLastYear,
            format!("{last_year}年无收入记录"),
            format!("no income record for {last_year}"),
        );
    }
    if let Some(i) = income {
        if i.gross_income().0 == 0 && i.production_costs.0 == 0 {
            hf(
                Rule::IncomeAllZero,
                format!("{last_year}年"),
                format!("{last_year}"),
            );
        }
    }
    if let Some(g) = h.guarantees {
        let some_uninsured = living
            .iter()
            .any(|m| !m.resident_medical && !m.employee_medical);
        if g.uninsured != some_uninsured && !living.is_empty() {
            hf(
                Rule::UninsuredFlagMismatch,
                if g.uninsured {
                    "标为有成员未参保，但成员均已参保"
                } else {
                    "未标未参保，但有成员未参保"
                }
                .into(),
                if g.uninsured {
                    "flagged uninsured, but every member is insured"
                } else {
                    "not flagged, but a member is uninsured"
                }
                .into(),
            );
        }
        let school_age = living
            .iter()
            .any(|m| (6..=16).contains(&m.birth_date.age_on(today)));
        if g.dropout && !school_age {
            hf(Rule::DropoutWithoutChild, String::new(), String::new());
        }
    }
    let Some(c) = case else { return };
    // the monitoring case
    let able_count = living.iter().filter(|m| able(m)).count();
    let can_work = living
        .iter()
        .any(|m| m.labour.is_some_and(LabourCapacity::can_work));
    let none_can_work = !living.is_empty()
        && living
            .iter()
            .all(|m| matches!(m.labour, Some(LabourCapacity::None | LabourCapacity::Lost)));
    let has = |r: RiskType| c.risks.contains(&r);
    if at_risk {
        if c.risks.is_empty() {
            hf(Rule::MonitoredWithoutRisk, String::new(), String::new());
        }
        if has(RiskType::UnstableEmployment) {
            if none_can_work {
                hf(
                    Rule::UnstableEmploymentNoLabour,
                    String::new(),
                    String::new(),
                );
            }
            if !living.iter().any(|m| {
                m.migrant_months > 0
                    || !m.migrant_place.trim().is_empty()
                    || !m.welfare_job.trim().is_empty()
            }) {
                hf(
                    Rule::UnstableEmploymentNoWorker,
                    String::new(),
                    String::new(),
                );
            }
        }
        if has(RiskType::LackOfLabour) && able_count >= 2 {
            hf(
                Rule::LackOfLabourWithWorkers,
                format!("{able_count}名普通或技能劳动力"),
                format!("{able_count} able workers"),
            );
        }
        if has(RiskType::Illness) {
            let latest = h.incomes.iter().rev().find(|i| i.period.quarter.is_none());
            if latest.is_none_or(|i| i.out_of_pocket_medical.0 <= 0) {
                hf(
                    Rule::IllnessWithoutOutOfPocket,
                    String::new(),
                    String::new(),
                );
            }
            if !living.iter().any(|m| {
                m.health.has(HealthCondition::SeriousIllness)
                    || m.health.has(HealthCondition::ChronicIllness)
            }) {
                hf(Rule::IllnessWithoutSickMember, String::new(), String::new());
            }
        }
        if has(RiskType::Disability)
            && !living
                .iter()
                .any(|m| m.health.has(HealthCondition::Disabled))
        {
            hf(
                Rule::DisabilityWithoutDisabled,
                String::new(),
                String::new(),
            );
        }
        if has(RiskType::Schooling) && !living.iter().any(|m| is_student(m)) {
            hf(Rule::SchoolingWithoutStudent, String::new(), String::new());
        }
        let development = h
            .measures
            .iter()
            .any(|m| m.category.is_development() && m.state != MeasureState::Planned);
        let months = months_between(c.identified_on, today);
        if can_work && months >= limits.development_months && !development {
            hf(
                Rule::NoDevelopmentMeasure,
                format!("识别{months}个月，有劳动力，无已落实的开发式措施"),
                format!(
                    "identified {months} months ago, with labour, no development measure in place"
                ),
            );
        }
        let days = today.to_days() - c.identified_on.to_days();
        if h.measures.is_empty() && days > limits.measures_days {
            hf(
                Rule::NoMeasure,
                format!("识别{days}天，无帮扶措施（期限{}天）", limits.measures_days),
                format!(
                    "identified {days} days ago, no measure (limit {} days)",
                    limits.measures_days
                ),
            );
        }
        if none_can_work && !c.whole_household_without_labour {
            hf(Rule::WithoutLabourNotFlagged, String::new(), String::new());
        }
    }
    if c.status != CaseStatus::Identifying {
        let fits = match c.case_type {
            CaseType::UnstablePostPoverty => post_poverty,
            CaseType::MarginalAtRisk => h.household_type == HouseholdType::Ordinary,
            CaseType::SuddenHardship => true,
        };
        if !fits {
            hf(
                Rule::CaseTypeMismatch,
                format!(
                    "{}，户类型{}",
                    c.case_type.label_zh(),
                    h.household_type.label_zh()
                ),
                format!(
                    "{}, household type {}",
                    c.case_type.label_en(),
                    h.household_type.label_en()
                ),
            );
        }
    }
    if c.whole_household_without_labour && can_work {
        hf(
            Rule::FlaggedWithoutLabourButAble,
            String::new(),
            String::new(),
        );
    }
    if c.status != CaseStatus::Eliminated {
        return;
    }
    let Some((kind, month)) = c.elimination else {
        return;
    };
    let size = living.len() as i64;
    let latest = h.incomes.iter().rev().find(|i| i.period.quarter.is_none());
    if kind == EliminationKind::AfterAssistance {
        let per_capita = latest.and_then(|i| i.net_income_per_capita(size));
        if let (Some(p), Some(line)) = (
            per_capita,
            limits
                .monitoring_line
                .filter(|l| per_capita.is_some_and(|p| p < *l)),
        ) {
            hf(
                Rule::EliminatedBelowLine,
                format!(
                    "人均纯收入{}元，监测范围{}元",
                    format_hundredths(p.0),
                    format_hundredths(line.0)
                ),
                format!(
                    "net income per person {} yuan, line {} yuan",
                    format_hundredths(p.0),
                    format_hundredths(line.0)
                ),
            );
        }
        let earliest = add_months(c.identified.first_day(), limits.elimination_min_months);
        if month < YearMonth::of(earliest) {
            let gap = c.identified.months_until(month);
            hf(
                Rule::EliminatedTooSoon,
                format!(
                    "识别{}，消除{}，相隔{gap}个月（至少{}个月）",
                    c.identified, month, limits.elimination_min_months
                ),
                format!(
                    "identified {}, eliminated {}, {gap} months apart (at least {})",
                    c.identified, month, limits.elimination_min_months
                ),
            );
        }
    }
    if let Some(g) = h.guarantees {
        if g.unsafe_housing {
            hf(
                Rule::EliminatedHousingDamaged,
                format!("{}标住房安全问题", g.as_of),
                format!("unsafe housing as of {}", g.as_of),
            );
        }
        if g.dropout {
            hf(
                Rule::EliminatedWithDropout,
                format!("{}标失学辍学", g.as_of),
                format!("dropout as of {}", g.as_of),
            );
        }
    }
    let safety_net = h.dibao
        || h.tekun
        || living
            .iter()
            .any(|m| m.dibao || m.tekun || m.health.has(HealthCondition::Disabled));
    if post_poverty && safety_net && latest.is_some_and(|i| i.transfers.0 == 0) {
        hf(
            Rule::EliminatedSafetyNetNoTransfers,
            String::new(),
            String::new(),
        );
    }
    if c.contact_name.trim().is_empty() || c.contact_phone.trim().is_empty() {
        hf(Rule::EliminatedWithoutContact, String::new(), String::new());
    }
    if none_can_work || c.whole_household_without_labour {
        hf(Rule::EliminatedWithoutLabour, String::new(), String::new());
    }
}
