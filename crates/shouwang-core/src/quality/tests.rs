//! Every rule: a record that trips it and one that does not (the clean household, and for many
//! rules a near miss beside it).

use super::*;
use crate::assistance::{MeasureCategory, MeasureState};
use crate::codes::{
    Education, Health, HealthCondition, HouseholdType, LabourCapacity, Relation, Schooling, Sex,
};
use crate::id_number::make_id;
use crate::income::{Income, IncomePeriod};
use crate::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}
fn ym(y: i32, m: u8) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}
const TODAY: (i32, u8, u8) = (2026, 12, 1);
fn today() -> Date {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn member(name: &str, born: Date, sex: Sex, relation: Relation, seq: u16) -> MemberFacts {
    MemberFacts {
        id_kind: IdKind::ResidentId,
        id_number: make_id("510722", born, seq, sex),
        name: name.into(),
        sex,
        birth_date: born,
        relation,
        education: Some(Education::JuniorMiddle),
        schooling: None,
        health: Health::HEALTHY,
        disability_category: String::new(),
        labour: Some(LabourCapacity::Ordinary),
        migrant_months: 0,
        migrant_place: String::new(),
        welfare_job: String::new(),
        welfare_job_months: 0,
        dibao: false,
        tekun: false,
        resident_medical: true,
        employee_medical: false,
        deceased_on: None,
    }
}

/// A monitored 脱贫户 of three whose records are all in order: the head works away six months a
/// year, the case (因务工就业不稳) was identified in April with an employment measure in place.
fn clean() -> HouseholdFacts {
    let mut head = member("张大山", d(1980, 3, 1), Sex::Male, Relation::Head, 11);
    head.migrant_months = 6;
    head.migrant_place = "广东省深圳市宝安区".into();
    let spouse = member("李秀英", d(1982, 5, 1), Sex::Female, Relation::Spouse, 12);
    let mut child = member("张小明", d(2016, 9, 1), Sex::Male, Relation::Son, 13);
    child.education = None;
    child.schooling = Some(Schooling::Primary);
    child.labour = Some(LabourCapacity::None);
    let mut income = Income::empty(IncomePeriod::year(2025));
    income.wages = Fen::from_yuan(30_000);
    income.transfers = Fen::from_yuan(1_000);
    HouseholdFacts {
        household_no: "5107220001".into(),
        village: "510722100201".into(),
        household_type: HouseholdType::PostPoverty,
        dibao: false,
        tekun: false,
        relocated: false,
        resettlement_site: String::new(),
        house_grade: String::new(),
        members: vec![head, spouse, child],
        case: Some(CaseFacts {
            case_id: 1,
            case_type: CaseType::UnstablePostPoverty,
            risks: vec![RiskType::UnstableEmployment],
            identified: ym(2026, 4),
            identified_on: d(2026, 4, 15),
            status: CaseStatus::AtRisk,
            elimination: None,
            whole_household_without_labour: false,
            contact_name: String::new(),
            contact_phone: String::new(),
        }),
        incomes: vec![income],
        guarantees: Some(GuaranteeFacts {
            as_of: d(2026, 6, 1),
            unsafe_housing: false,
            dropout: false,
            uninsured: false,
            unsafe_water: false,
        }),
        measures: vec![MeasureFacts {
            category: MeasureCategory::Employment,
            state: MeasureState::InPlace,
            start_on: d(2026, 4, 20),
        }],
        paired: true,
    }
}

/// The same household, its risk eliminated after assistance in June with a contact.
fn clean_eliminated() -> HouseholdFacts {
    let mut h = clean();
    let c = h.case.as_mut().unwrap();
    c.identified = ym(2025, 10);
    c.identified_on = d(2025, 10, 20);
    c.status = CaseStatus::Eliminated;
    c.elimination = Some((EliminationKind::AfterAssistance, ym(2026, 6)));
    c.contact_name = "王村医".into();
    c.contact_phone = "13800000000".into();
    h
}

fn limits() -> Limits {
    Limits {
        monitoring_line: Some(Fen::from_yuan(8_000)),
        ..Limits::default()
    }
}

fn rules_of(h: &HouseholdFacts) -> Vec<Rule> {
    let mut c = Checker::new(today(), limits());
    let mut out = Vec::new();
    c.check(h, &mut out);
    out.into_iter().map(|f| f.rule).collect()
}

fn fires(h: &HouseholdFacts, rule: Rule) -> bool {
    rules_of(h).contains(&rule)
}

#[test]
fn the_clean_households_break_no_rule() {
    assert_eq!(rules_of(&clean()), vec![]);
    assert_eq!(rules_of(&clean_eliminated()), vec![]);
}

#[test]
fn the_catalogue_has_at_least_forty_rules_each_with_its_texts_and_a_test() {
    assert!(Rule::ALL.len() >= 40, "{}", Rule::ALL.len());
    let me = include_str!("tests.rs");
    for r in Rule::ALL {
        assert!(!r.label_zh().is_empty() && !r.label_en().is_empty());
        assert!(!r.fix_zh().is_empty() && !r.fix_en().is_empty());
        let _ = r.record();
        assert!(
            me.contains(&format!("Rule::{r:?},")),
            "rule {r:?} has no test"
        );
        assert_eq!(Rule::from_code(r.code()), Some(*r));
    }
}

/// `trips!(name, Rule::X, base, |h| { change })`: the base does not trip the rule, the base
/// changed does.
macro_rules! trips {
    ($name:ident, $rule:expr, $base:expr, |$h:ident| $change:block) => {
        #[test]
        fn $name() {
            let base = $base;
            assert!(!fires(&base, $rule), "the clean record trips {:?}", $rule);
            let mut $h = base;
            $change
            assert!(fires(&$h, $rule), "{:?} not tripped: {:?}", $rule, rules_of(&$h));
        }
    };
}

/// `spares!(name, Rule::X, base, |h| { change })`: a near miss that does not trip the rule.
macro_rules! spares {
    ($name:ident, $rule:expr, $base:expr, |$h:ident| $change:block) => {
        #[test]
        fn $name() {
            let mut $h = $base;
            $change
            assert!(!fires(&$h, $rule), "{:?} tripped by a near miss", $rule);
        }
    };
}

trips!(
    a_wrong_check_digit_is_an_invalid_id,
    Rule::IdInvalid,
    clean(),
    |h| {
        let id = &mut h.members[0].id_number;
        let last = if id.ends_with('0') { '1' } else { '0' };
        id.pop();
        id.push(last);
    }
);
spares!(
    an_other_kind_of_id_is_not_checked_as_a_resident_id,
    Rule::IdInvalid,
    clean(),
    |h| {
        h.members[0].id_kind = IdKind::Other;
        h.members[0].id_number = "A123456".into();
    }
);
trips!(
    a_birth_date_other_than_the_ids_is_found,
    Rule::IdBirthDate,
    clean(),
    |h| {
        h.members[0].birth_date = d(1980, 3, 2);
    }
);
trips!(
    a_sex_other_than_the_ids_is_found,
    Rule::IdSex,
    clean(),
    |h| {
        h.members[2].sex = Sex::Female;
    }
);

#[test]
fn the_same_identity_in_two_households_is_a_duplicate_and_distinct_ones_are_not() {
    let a = clean();
    let mut b = clean();
    b.household_no = "5107220002".into();
    for (i, m) in b.members.iter_mut().enumerate() {
        m.id_number = make_id("510722", m.birth_date, 50 + i as u16, m.sex);
    }
    let mut c = Checker::new(today(), limits());
    let mut out = Vec::new();
    c.check(&a, &mut out);
    c.check(&b, &mut out);
    assert!(!out.iter().any(|f| f.rule == Rule::DuplicateId));
    // the head registered again in a third household with a disability card carrying the same ID
    let mut e = clean();
    e.household_no = "5107220003".into();
    e.members.truncate(1);
    e.members[0].id_kind = IdKind::DisabilityCard;
    e.members[0].id_number = format!("{}14", a.members[0].id_number);
    e.members[0].health = Health::default().with(HealthCondition::Disabled);
    e.members[0].disability_category = "肢体".into();
    c.check(&e, &mut out);
    let dup: Vec<&Finding> = out.iter().filter(|f| f.rule == Rule::DuplicateId).collect();
    assert_eq!(dup.len(), 1, "{out:?}");
    assert_eq!(dup[0].household_no, "5107220003");
    assert!(dup[0].detail_zh.contains("5107220001"));
    assert_eq!(
        dup[0].rule.record(),
        [Rule::DuplicateId, Rule::IdSex][0].record()
    );
}

trips!(
    a_household_without_a_head_is_found,
    Rule::NoHead,
    clean(),
    |h| {
        h.members[0].relation = Relation::Other;
    }
);
trips!(two_heads_are_found, Rule::SeveralHeads, clean(), |h| {
    h.members[1].relation = Relation::Head;
});
trips!(two_spouses_are_found, Rule::SeveralSpouses, clean(), |h| {
    h.members[2].relation = Relation::Spouse;
});
trips!(
    head_and_spouse_of_one_sex_are_found,
    Rule::SpouseSameSex,
    clean(),
    |h| {
        h.members[1].sex = Sex::Male;
    }
);
trips!(
    education_and_schooling_both_filled_are_found,
    Rule::EducationAndSchooling,
    clean(),
    |h| {
        h.members[2].education = Some(Education::Primary);
    }
);
trips!(
    neither_education_nor_schooling_is_found,
    Rule::NoEducationNorSchooling,
    clean(),
    |h| {
        h.members[1].education = None;
    }
);
trips!(
    a_work_place_without_months_is_found,
    Rule::MigrantPlaceWithoutMonths,
    clean(),
    |h| {
        h.members[0].migrant_months = 0;
    }
);
trips!(
    months_without_a_work_place_are_found,
    Rule::MigrantMonthsWithoutPlace,
    clean(),
    |h| {
        h.members[0].migrant_place = " ".into();
    }
);
trips!(
    thirteen_months_of_work_are_found,
    Rule::MigrantMonthsOverYear,
    clean(),
    |h| {
        h.members[0].migrant_months = 13;
    }
);
spares!(
    twelve_months_of_work_are_fine,
    Rule::MigrantMonthsOverYear,
    clean(),
    |h| {
        h.members[0].migrant_months = 12;
    }
);
trips!(
    a_member_without_medical_insurance_is_found,
    Rule::NoMedicalInsurance,
    clean(),
    |h| {
        h.members[1].resident_medical = false;
    }
);
spares!(
    employee_insurance_alone_is_fine,
    Rule::NoMedicalInsurance,
    clean(),
    |h| {
        h.members[1].resident_medical = false;
        h.members[1].employee_medical = true;
    }
);
trips!(
    two_medical_insurances_are_found,
    Rule::TwoMedicalInsurances,
    clean(),
    |h| {
        h.members[1].employee_medical = true;
    }
);
trips!(
    a_healthy_adult_without_labour_is_found,
    Rule::HealthyWithoutLabour,
    clean(),
    |h| {
        h.members[1].labour = Some(LabourCapacity::None);
    }
);
spares!(
    a_chronically_ill_adult_without_labour_is_fine,
    Rule::HealthyWithoutLabour,
    clean(),
    |h| {
        h.members[1].labour = Some(LabourCapacity::None);
        h.members[1].health = Health::default().with(HealthCondition::ChronicIllness);
    }
);
spares!(
    a_healthy_sixty_year_old_without_labour_is_fine,
    Rule::HealthyWithoutLabour,
    clean(),
    |h| {
        h.members[1] = member("李秀英", d(1966, 5, 1), Sex::Female, Relation::Spouse, 12);
        h.members[1].labour = Some(LabourCapacity::None);
    }
);
trips!(
    an_adult_without_labour_recorded_is_found,
    Rule::LabourMissing,
    clean(),
    |h| {
        h.members[1].labour = None;
    }
);
trips!(
    a_child_recorded_as_ordinary_labour_is_found,
    Rule::ChildAbleToWork,
    clean(),
    |h| {
        h.members[2].labour = Some(LabourCapacity::Ordinary);
    }
);
trips!(
    a_school_age_child_not_in_school_is_found,
    Rule::SchoolAgeNotInSchool,
    clean(),
    |h| {
        h.members[2].schooling = None;
        h.members[2].education = Some(Education::Primary);
    }
);
spares!(
    a_child_out_of_school_with_the_dropout_flagged_is_not_found_again,
    Rule::SchoolAgeNotInSchool,
    clean(),
    |h| {
        h.members[2].schooling = None;
        h.members[2].education = Some(Education::Primary);
        h.guarantees.as_mut().unwrap().dropout = true;
    }
);
trips!(
    an_adult_in_grade_seven_is_found,
    Rule::SchoolingAgeMismatch,
    clean(),
    |h| {
        h.members[1].education = None;
        h.members[1].schooling = Some(Schooling::Grade7);
    }
);
trips!(
    a_deceased_member_still_listed_is_found,
    Rule::DeceasedStillCounted,
    clean(),
    |h| {
        h.members[0].deceased_on = Some(d(2026, 10, 1));
    }
);
trips!(
    a_member_aged_over_110_is_found,
    Rule::ImplausibleAge,
    clean(),
    |h| {
        let mut m = member("张老太", d(1910, 1, 1), Sex::Female, Relation::Mother, 14);
        m.education = Some(Education::Illiterate);
        m.labour = Some(LabourCapacity::None);
        h.members.push(m);
    }
);
spares!(
    a_member_aged_95_is_fine,
    Rule::ImplausibleAge,
    clean(),
    |h| {
        let mut m = member("张老太", d(1931, 1, 1), Sex::Female, Relation::Mother, 14);
        m.labour = Some(LabourCapacity::None);
        h.members.push(m);
    }
);
trips!(
    a_disabled_member_without_category_is_found,
    Rule::DisabledWithoutCategory,
    clean(),
    |h| {
        h.members[1].health = Health::default().with(HealthCondition::Disabled);
    }
);
trips!(
    a_category_without_disability_is_found,
    Rule::CategoryWithoutDisability,
    clean(),
    |h| {
        h.members[1].disability_category = "肢体".into();
    }
);
spares!(
    a_disabled_member_with_category_is_fine,
    Rule::DisabledWithoutCategory,
    clean(),
    |h| {
        h.members[1].health = Health::default().with(HealthCondition::Disabled);
        h.members[1].disability_category = "肢体".into();
    }
);
trips!(
    a_welfare_job_without_months_is_found,
    Rule::WelfareJobMismatch,
    clean(),
    |h| {
        h.members[1].welfare_job = "保洁员".into();
    }
);
spares!(
    a_welfare_job_with_months_is_fine,
    Rule::WelfareJobMismatch,
    clean(),
    |h| {
        h.members[1].welfare_job = "保洁员".into();
        h.members[1].welfare_job_months = 10;
    }
);
trips!(a_head_under_16_is_found, Rule::HeadUnder16, clean(), |h| {
    h.members[0].relation = Relation::Father;
    h.members[2].relation = Relation::Head;
});
trips!(
    a_member_on_dibao_in_a_household_not_on_it_is_found,
    Rule::MemberDibaoHouseholdNot,
    clean(),
    |h| {
        h.members[1].dibao = true;
    }
);
trips!(
    a_dibao_household_without_a_member_on_it_is_found,
    Rule::DibaoHouseholdNoMember,
    clean(),
    |h| {
        h.dibao = true;
    }
);
spares!(
    a_dibao_household_with_a_member_on_it_is_fine,
    Rule::DibaoHouseholdNoMember,
    clean(),
    |h| {
        h.dibao = true;
        h.members[1].dibao = true;
    }
);
trips!(
    a_name_with_digits_is_found,
    Rule::NameInvalid,
    clean(),
    |h| {
        h.members[1].name = "李2".into();
    }
);
trips!(
    a_member_without_health_is_found,
    Rule::HealthMissing,
    clean(),
    |h| {
        h.members[1].health = Health::default();
    }
);
trips!(
    a_household_without_members_is_found,
    Rule::NoMembers,
    clean(),
    |h| {
        h.members.clear();
    }
);
trips!(
    a_relocated_household_without_site_is_found,
    Rule::RelocatedWithoutSite,
    clean(),
    |h| {
        h.relocated = true;
    }
);
spares!(
    a_relocated_household_with_site_is_fine,
    Rule::RelocatedWithoutSite,
    clean(),
    |h| {
        h.relocated = true;
        h.resettlement_site = "城北安置点".into();
    }
);
trips!(
    a_grade_d_house_not_flagged_is_found,
    Rule::DangerousHouseNotFlagged,
    clean(),
    |h| {
        h.house_grade = "D".into();
    }
);
spares!(
    a_grade_d_house_flagged_is_fine,
    Rule::DangerousHouseNotFlagged,
    clean(),
    |h| {
        h.house_grade = "D".into();
        h.guarantees.as_mut().unwrap().unsafe_housing = true;
    }
);
trips!(
    a_monitored_household_without_assistance_person_is_found,
    Rule::NoAssistancePerson,
    clean(),
    |h| {
        h.paired = false;
    }
);
spares!(
    an_ordinary_household_without_case_needs_no_assistance_person,
    Rule::NoAssistancePerson,
    clean(),
    |h| {
        h.paired = false;
        h.case = None;
        h.household_type = HouseholdType::Ordinary;
    }
);
trips!(
    a_monitored_household_without_last_years_income_is_found,
    Rule::NoIncomeLastYear,
    clean(),
    |h| {
        h.incomes[0].period = IncomePeriod::year(2024);
    }
);
trips!(
    an_income_of_zeros_is_found,
    Rule::IncomeAllZero,
    clean(),
    |h| {
        h.incomes[0] = Income::empty(IncomePeriod::year(2025));
    }
);
trips!(
    an_uninsured_flag_with_everyone_insured_is_found,
    Rule::UninsuredFlagMismatch,
    clean(),
    |h| {
        h.guarantees.as_mut().unwrap().uninsured = true;
    }
);
spares!(
    an_uninsured_flag_with_an_uninsured_member_is_fine,
    Rule::UninsuredFlagMismatch,
    clean(),
    |h| {
        h.guarantees.as_mut().unwrap().uninsured = true;
        h.members[1].resident_medical = false;
    }
);
trips!(
    a_dropout_flag_without_a_child_is_found,
    Rule::DropoutWithoutChild,
    clean(),
    |h| {
        h.members.truncate(2);
        h.guarantees.as_mut().unwrap().dropout = true;
    }
);
trips!(
    a_case_without_risk_is_found,
    Rule::MonitoredWithoutRisk,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks.clear();
    }
);
trips!(
    an_unstable_post_poverty_case_of_an_ordinary_household_is_found,
    Rule::CaseTypeMismatch,
    clean(),
    |h| {
        h.household_type = HouseholdType::Ordinary;
    }
);
spares!(
    a_sudden_hardship_of_an_ordinary_household_is_fine,
    Rule::CaseTypeMismatch,
    clean(),
    |h| {
        h.household_type = HouseholdType::Ordinary;
        h.case.as_mut().unwrap().case_type = CaseType::SuddenHardship;
    }
);
trips!(
    unstable_employment_with_no_one_able_to_work_is_found,
    Rule::UnstableEmploymentNoLabour,
    clean(),
    |h| {
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::Lost);
        }
    }
);
trips!(
    unstable_employment_with_no_worker_is_found,
    Rule::UnstableEmploymentNoWorker,
    clean(),
    |h| {
        h.members[0].migrant_months = 0;
        h.members[0].migrant_place.clear();
    }
);
spares!(
    unstable_employment_with_a_welfare_job_is_fine,
    Rule::UnstableEmploymentNoWorker,
    clean(),
    |h| {
        h.members[0].migrant_months = 0;
        h.members[0].migrant_place.clear();
        h.members[0].welfare_job = "护林员".into();
        h.members[0].welfare_job_months = 12;
    }
);
trips!(
    lack_of_labour_with_two_able_workers_is_found,
    Rule::LackOfLabourWithWorkers,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::LackOfLabour];
    }
);
spares!(
    lack_of_labour_with_one_able_worker_is_fine,
    Rule::LackOfLabourWithWorkers,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::LackOfLabour];
        h.members[1].labour = Some(LabourCapacity::Weak);
    }
);
trips!(
    illness_without_out_of_pocket_costs_is_found,
    Rule::IllnessWithoutOutOfPocket,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Illness];
        h.members[1].health = Health::default().with(HealthCondition::SeriousIllness);
    }
);
spares!(
    illness_with_out_of_pocket_costs_is_fine,
    Rule::IllnessWithoutOutOfPocket,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Illness];
        h.incomes[0].out_of_pocket_medical = Fen::from_yuan(12_000);
    }
);
trips!(
    illness_without_an_ill_member_is_found,
    Rule::IllnessWithoutSickMember,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Illness];
        h.incomes[0].out_of_pocket_medical = Fen::from_yuan(12_000);
    }
);
trips!(
    disability_without_a_disabled_member_is_found,
    Rule::DisabilityWithoutDisabled,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Disability];
    }
);
trips!(
    schooling_without_a_student_is_found,
    Rule::SchoolingWithoutStudent,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Schooling];
        h.members.truncate(2);
    }
);
spares!(
    schooling_with_a_student_is_fine,
    Rule::SchoolingWithoutStudent,
    clean(),
    |h| {
        h.case.as_mut().unwrap().risks = vec![RiskType::Schooling];
    }
);
trips!(
    six_months_without_development_measure_is_found,
    Rule::NoDevelopmentMeasure,
    clean(),
    |h| {
        h.measures[0].category = MeasureCategory::Health;
    }
);
spares!(
    three_months_without_development_measure_is_not_yet,
    Rule::NoDevelopmentMeasure,
    clean(),
    |h| {
        h.measures[0].category = MeasureCategory::Health;
        let c = h.case.as_mut().unwrap();
        c.identified = ym(2026, 9);
        c.identified_on = d(2026, 9, 1);
    }
);
trips!(
    a_case_without_any_measure_past_the_limit_is_found,
    Rule::NoMeasure,
    clean(),
    |h| {
        h.measures.clear();
    }
);
spares!(
    a_case_identified_ten_days_ago_needs_no_measure_yet,
    Rule::NoMeasure,
    clean(),
    |h| {
        h.measures.clear();
        let c = h.case.as_mut().unwrap();
        c.identified = ym(2026, 11);
        c.identified_on = d(2026, 11, 21);
    }
);
trips!(
    a_household_without_labour_not_flagged_is_found,
    Rule::WithoutLabourNotFlagged,
    clean(),
    |h| {
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::None);
        }
    }
);
spares!(
    a_household_without_labour_flagged_is_fine,
    Rule::WithoutLabourNotFlagged,
    clean(),
    |h| {
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::None);
        }
        h.case.as_mut().unwrap().whole_household_without_labour = true;
    }
);
trips!(
    a_flag_without_labour_with_an_able_member_is_found,
    Rule::FlaggedWithoutLabourButAble,
    clean(),
    |h| {
        h.case.as_mut().unwrap().whole_household_without_labour = true;
    }
);
trips!(
    elimination_below_the_line_is_found,
    Rule::EliminatedBelowLine,
    clean_eliminated(),
    |h| {
        h.incomes[0].wages = Fen::from_yuan(20_000);
    }
);
spares!(
    natural_elimination_below_the_line_is_not_this_rule,
    Rule::EliminatedBelowLine,
    clean_eliminated(),
    |h| {
        h.incomes[0].wages = Fen::from_yuan(20_000);
        h.case.as_mut().unwrap().elimination = Some((EliminationKind::Natural, ym(2026, 6)));
    }
);
trips!(
    elimination_with_unsafe_housing_is_found,
    Rule::EliminatedHousingDamaged,
    clean_eliminated(),
    |h| {
        h.guarantees.as_mut().unwrap().unsafe_housing = true;
    }
);
trips!(
    elimination_with_a_dropout_is_found,
    Rule::EliminatedWithDropout,
    clean_eliminated(),
    |h| {
        h.guarantees.as_mut().unwrap().dropout = true;
    }
);
trips!(
    elimination_on_dibao_without_transfers_is_found,
    Rule::EliminatedSafetyNetNoTransfers,
    clean_eliminated(),
    |h| {
        h.dibao = true;
        h.members[1].dibao = true;
        h.incomes[0].transfers = Fen(0);
    }
);
spares!(
    elimination_on_dibao_with_transfers_is_fine,
    Rule::EliminatedSafetyNetNoTransfers,
    clean_eliminated(),
    |h| {
        h.dibao = true;
        h.members[1].dibao = true;
    }
);
trips!(
    elimination_without_a_contact_phone_is_found,
    Rule::EliminatedWithoutContact,
    clean_eliminated(),
    |h| {
        h.case.as_mut().unwrap().contact_phone.clear();
    }
);
trips!(
    elimination_a_month_after_identification_is_found,
    Rule::EliminatedTooSoon,
    clean_eliminated(),
    |h| {
        let c = h.case.as_mut().unwrap();
        c.identified = ym(2026, 5);
        c.identified_on = d(2026, 5, 10);
    }
);
spares!(
    natural_elimination_a_month_after_identification_is_fine,
    Rule::EliminatedTooSoon,
    clean_eliminated(),
    |h| {
        let c = h.case.as_mut().unwrap();
        c.identified = ym(2026, 5);
        c.identified_on = d(2026, 5, 10);
        c.elimination = Some((EliminationKind::Natural, ym(2026, 6)));
    }
);
trips!(
    elimination_of_a_household_without_labour_is_found,
    Rule::EliminatedWithoutLabour,
    clean_eliminated(),
    |h| {
        for m in &mut h.members {
            m.labour = Some(LabourCapacity::None);
        }
    }
);

#[test]
fn findings_point_at_members_by_their_record_key() {
    let mut h = clean();
    h.members[1].name = "李2".into();
    let f = check_household(&h, today(), &limits());
    let name = f.iter().find(|f| f.rule == Rule::NameInvalid).unwrap();
    assert_eq!(
        name.record_key(),
        format!("5107220001/{}", h.members[1].id_number)
    );
    assert_eq!(Rule::NameInvalid.record(), Record::Member);
    assert_eq!(Rule::NoDevelopmentMeasure.display_code(), "5_12_007");
    assert_eq!(name.link(), "/households/5107220001");
    h.measures.clear();
    let f = check_household(&h, today(), &limits());
    let m = f.iter().find(|f| f.rule == Rule::NoMeasure).unwrap();
    assert_eq!(m.link(), "/cases/1/plan");
    assert_eq!(Rule::NoHead.display_code(), "0_00_005");
}

#[test]
fn an_exemption_reason_must_say_something() {
    assert!(check_reason("是").is_err());
    assert!(check_reason("父母双亡，由本人当家").is_ok());
}

/// The catalogue as docs/quality-rules.md lists it: one row per rule, its code, its statement in
/// both languages, the record it points at and the fix.
pub(crate) fn catalogue_markdown() -> String {
    let mut out = String::from(
        "| 编号 code | 疑点 (中文) | finding (English) | 所在信息 record | 整改 fix |\n|---|---|---|---|---|\n",
    );
    for r in Rule::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} / {} | {} / {} |\n",
            r.display_code(),
            r.label_zh(),
            r.label_en(),
            r.record().label_zh(),
            r.record().label_en(),
            r.fix_zh(),
            r.fix_en()
        ));
    }
    out
}

#[test]
fn docs_quality_rules_lists_the_catalogue_as_it_is() {
    let docs = include_str!("../../../../docs/quality-rules.md");
    let table = catalogue_markdown();
    assert!(
        docs.contains(&table),
        "docs/quality-rules.md lacks or differs from the catalogue; its table should read:\n{table}"
    );
}
