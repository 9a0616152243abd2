//! 数据质量核查: the catalogue of data-quality rules a county runs before every inspection.
//!
//! Counties receive lists of 疑点数据 (suspect records) from the national system, each under a
//! rule number such as `5_12_007` (a household with labour identified six months ago and still
//! without a development measure), and spend weeks cleaning them. This module holds the same
//! kind of rules, numbered where the national number is known (domain-research §3, §6, §7, §9),
//! so that a county finds the bad records before the inspectors do.
//!
//! Each [`Rule`] has a stored number (pinned in `tests/stored_codes.rs`), a statement in Chinese
//! and English, what to do to fix it, and the record it points at ([`Record`]). The check is
//! pure: [`Checker::check`] takes one household's facts ([`HouseholdFacts`], gathered by the
//! store) and the day, and appends a [`Finding`] per broken rule. The checker keeps the ID
//! numbers it has seen so that a person registered twice in the region is found across
//! households; everything else looks at one household alone.
//!
//! An [`Exemption`] says a finding is right as it stands (a 17-year-old head of household after
//! the parents died); the exempted finding is still listed but no longer counted.

mod rules;
#[cfg(test)]
mod tests;

use crate::assistance::{MeasureCategory, MeasureState};
use crate::codes::{
    code_list, Education, Health, HouseholdType, LabourCapacity, Relation, Schooling, Sex,
};
use crate::date::{Date, YearMonth};
use crate::id_number::IdKind;
use crate::income::Income;
use crate::money::Fen;
use crate::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use rules::check_household;

/// One village's data quality: its households and the findings against them that are not
/// exempted (the supervision ranking's data-quality score reads this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageQuality {
    /// the 12-digit village code
    pub village: String,
    pub households: u64,
    /// findings net of exemptions
    pub findings: u64,
}

code_list!(
    /// 数据质量核查规则. The numbers are ours and stored (exemptions name their rule by it); the
    /// national rule number, where known, is [`Rule::national`].
    Rule {
        IdInvalid = 1 => "身份证号码无效（长度、字符、出生日期或校验位错误）", "resident ID number invalid (length, characters, birth date or check digit)";
        IdBirthDate = 2 => "出生日期与身份证号码不符", "birth date differs from the ID number";
        IdSex = 3 => "性别与身份证号码不符", "sex differs from the ID number";
        DuplicateId = 4 => "同一证件号码在辖区内登记了两次", "the same ID number is registered twice in the region";
        NoHead = 5 => "户内没有户主", "the household has no head";
        SeveralHeads = 6 => "户内有多个户主", "the household has several heads";
        SeveralSpouses = 7 => "户内有多个配偶", "the household has several spouses";
        SpouseSameSex = 8 => "户主与配偶性别相同", "head and spouse are of the same sex";
        EducationAndSchooling = 9 => "文化程度与在校生状况同时填写", "both education level and student status are filled";
        NoEducationNorSchooling = 10 => "文化程度与在校生状况都未填写", "neither education level nor student status is filled";
        MigrantPlaceWithoutMonths = 11 => "填有务工所在地但务工时间为0", "work place given but no months worked";
        MigrantMonthsWithoutPlace = 12 => "有务工时间但未填务工所在地", "months worked but no work place";
        MigrantMonthsOverYear = 13 => "务工时间超过12个月", "more than 12 months worked in a year";
        NoMedicalInsurance = 14 => "未参加基本医疗保险", "no basic medical insurance";
        TwoMedicalInsurances = 15 => "同时参加城乡居民和城镇职工基本医疗保险", "both resident and employee basic medical insurance";
        HealthyWithoutLabour = 16 => "16至59岁健康非在校生登记为无劳动力或弱劳动力", "healthy non-student aged 16–59 recorded without or with weak labour capacity";
        LabourMissing = 17 => "16至59岁非在校生未填劳动技能", "non-student aged 16–59 without labour capacity recorded";
        ChildAbleToWork = 18 => "未满16岁登记为普通或技能劳动力", "under 16 recorded as ordinary or skilled labour";
        SchoolAgeNotInSchool = 19 => "7至15岁义务教育适龄儿童未登记在校，户内也未标失学辍学", "child aged 7–15 not recorded in school and no dropout flagged";
        SchoolingAgeMismatch = 20 => "在校生状况与年龄不符", "student status does not fit the age";
        DeceasedStillCounted = 21 => "已死亡的成员仍计入家庭人口", "a deceased member is still counted in the household";
        ImplausibleAge = 22 => "年龄超过110岁", "age above 110";
        DisabledWithoutCategory = 23 => "健康状况为残疾但未填残疾类别", "disabled but no disability category";
        CategoryWithoutDisability = 24 => "填有残疾类别但健康状况不含残疾", "disability category without disability in health";
        WelfareJobMismatch = 25 => "公益性岗位类型与聘用月数不一致", "public-welfare job type and months disagree";
        HeadUnder16 = 26 => "户主未满16岁", "head of household under 16";
        MemberDibaoHouseholdNot = 27 => "成员享受低保但户未标为低保户", "a member receives dibao but the household is not a dibao household";
        DibaoHouseholdNoMember = 28 => "低保户没有享受低保的成员", "dibao household without any member receiving dibao";
        NameInvalid = 29 => "姓名为空或含数字", "name empty or containing digits";
        HealthMissing = 30 => "健康状况未填", "health not recorded";
        NoMembers = 31 => "户内没有成员", "the household has no members";
        RelocatedWithoutSite = 32 => "易地扶贫搬迁户未填安置点", "relocated household without resettlement site";
        DangerousHouseNotFlagged = 33 => "危房等级为C级或D级但未标住房安全问题", "house graded C or D but housing not flagged unsafe";
        NoAssistancePerson = 34 => "脱贫户或监测户没有在岗的帮扶责任人", "post-poverty or monitored household without an assistance person";
        NoIncomeLastYear = 35 => "脱贫户或监测户没有上年收入", "post-poverty or monitored household without last year's income";
        IncomeAllZero = 36 => "上年各项收入全为0", "every income of last year is zero";
        UninsuredFlagMismatch = 37 => "三保障“未参加医保”与成员参保情况不符", "the uninsured flag disagrees with the members' insurance";
        DropoutWithoutChild = 38 => "标有失学辍学但户内没有义务教育阶段适龄儿童", "dropout flagged but no child of compulsory-school age";
        MonitoredWithoutRisk = 39 => "监测户没有风险类型", "monitored household without a risk type";
        CaseTypeMismatch = 40 => "监测对象类别与户类型不符", "monitoring type does not fit the household type";
        UnstableEmploymentNoLabour = 41 => "风险为因务工就业不稳，但成员均无劳动力或丧失劳动力", "risk of unstable employment but no member can work";
        UnstableEmploymentNoWorker = 42 => "风险为因务工就业不稳，但没有成员有务工信息", "risk of unstable employment but no member has work recorded";
        LackOfLabourWithWorkers = 43 => "风险为缺劳动力，但户内有两名以上普通或技能劳动力", "risk of lack of labour but two or more able workers";
        IllnessWithoutOutOfPocket = 44 => "风险为因病，但合规自付支出为0", "risk of illness but no out-of-pocket medical costs";
        IllnessWithoutSickMember = 45 => "风险为因病，但没有成员患大病或长期慢性病", "risk of illness but no member is ill";
        DisabilityWithoutDisabled = 46 => "风险为因残，但没有残疾成员", "risk of disability but no disabled member";
        SchoolingWithoutStudent = 47 => "风险为因学，但没有在校生", "risk of schooling costs but no student";
        NoDevelopmentMeasure = 48 => "有劳动力的监测户识别满6个月仍无开发式帮扶措施", "household with labour identified six months ago without a development measure";
        NoMeasure = 49 => "监测户识别后超过期限仍无帮扶措施", "monitored household without any measure past the limit";
        WithoutLabourNotFlagged = 50 => "整户无劳动力未标为整户无劳动能力兜底保障户", "whole household without labour not marked as such";
        FlaggedWithoutLabourButAble = 51 => "标为整户无劳动能力兜底保障户，但有成员有劳动能力", "marked as without labour but a member can work";
        EliminatedBelowLine = 52 => "帮扶消除但人均纯收入低于监测范围", "eliminated after assistance with income below the line";
        EliminatedHousingDamaged = 53 => "已消除风险但住房出现安全问题", "eliminated with unsafe housing";
        EliminatedWithDropout = 54 => "已消除风险但有义务教育阶段失学辍学", "eliminated with a dropout";
        EliminatedSafetyNetNoTransfers = 55 => "已消除风险的脱贫户享受低保、特困或残疾补贴但转移性收入为0", "eliminated post-poverty household on dibao, tekun or disability support with no transfer income";
        EliminatedWithoutContact = 56 => "已消除风险但没有监测联系人或联系方式", "eliminated without a monitoring contact or phone";
        EliminatedTooSoon = 57 => "帮扶消除距识别不足规定月数", "eliminated after assistance too soon after identification";
        EliminatedWithoutLabour = 58 => "整户无劳动力的监测户已标风险消除", "household without labour marked eliminated";
    }
);

/// What a rule's finding points at: where the cadre goes to fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Record {
    /// a member's record (家庭成员信息)
    Member,
    /// the household's record (户基本信息)
    Household,
    /// the monitoring case (监测对象信息: type, risks, elimination)
    Case,
    /// the income records (收入)
    Income,
    /// the 三保障 and water flags
    Guarantees,
    /// the case's plan and measures
    Measures,
    /// the household's assistance person (帮扶责任人)
    Pairing,
}

impl Record {
    pub fn label_zh(self) -> &'static str {
        match self {
            Record::Member => "家庭成员",
            Record::Household => "户信息",
            Record::Case => "监测信息",
            Record::Income => "收入",
            Record::Guarantees => "三保障及饮水安全",
            Record::Measures => "帮扶措施",
            Record::Pairing => "帮扶责任人",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Record::Member => "member",
            Record::Household => "household",
            Record::Case => "monitoring case",
            Record::Income => "income",
            Record::Guarantees => "guarantees and water",
            Record::Measures => "measures",
            Record::Pairing => "assistance person",
        }
    }
}

impl HouseholdFacts {
    /// The head's name, else the first living member's, else nothing.
    pub fn head_name(&self) -> &str {
        let living = || self.members.iter().filter(|m| m.deceased_on.is_none());
        living()
            .find(|m| m.relation == Relation::Head)
            .or_else(|| living().next())
            .map_or("", |m| m.name.as_str())
    }
}

/// One household's facts as the rules read them (what the store gathers per household).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFacts {
    pub household_no: String,
    pub village: String,
    pub household_type: HouseholdType,
    pub dibao: bool,
    pub tekun: bool,
    pub relocated: bool,
    pub resettlement_site: String,
    /// 危房等级 A–D, or empty
    pub house_grade: String,
    /// every member row, the deceased included (a deceased member still listed is a finding)
    pub members: Vec<MemberFacts>,
    /// the household's latest monitoring case
    pub case: Option<CaseFacts>,
    /// the whole-year income records of the last two years, oldest first
    pub incomes: Vec<Income>,
    /// the newest 三保障 flags
    pub guarantees: Option<GuaranteeFacts>,
    /// the measures of the latest case
    pub measures: Vec<MeasureFacts>,
    /// an assistance person is paired with it today
    pub paired: bool,
}

/// One member as the rules read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFacts {
    pub id_kind: IdKind,
    pub id_number: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub relation: Relation,
    pub education: Option<Education>,
    pub schooling: Option<Schooling>,
    pub health: Health,
    pub disability_category: String,
    pub labour: Option<LabourCapacity>,
    pub migrant_months: i64,
    pub migrant_place: String,
    pub welfare_job: String,
    pub welfare_job_months: i64,
    pub dibao: bool,
    pub tekun: bool,
    pub resident_medical: bool,
    pub employee_medical: bool,
    pub deceased_on: Option<Date>,
}

/// The latest monitoring case of a household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub case_id: i64,
    pub case_type: CaseType,
    pub risks: Vec<RiskType>,
    pub identified: YearMonth,
    /// the day of the county decision, or the first of the identification month
    pub identified_on: Date,
    pub status: CaseStatus,
    pub elimination: Option<(EliminationKind, YearMonth)>,
    pub whole_household_without_labour: bool,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The newest 三保障 and water flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteeFacts {
    pub as_of: Date,
    pub unsafe_housing: bool,
    pub dropout: bool,
    pub uninsured: bool,
    pub unsafe_water: bool,
}

/// One measure of the latest case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureFacts {
    pub category: MeasureCategory,
    pub state: MeasureState,
    pub start_on: Date,
}

/// The thresholds the rules take from the year's standard (one place for each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// 监测范围, 分 per person per year (4_11_010); none set, the rule is not checked
    pub monitoring_line: Option<Fen>,
    /// days from identification to the first measure
    pub measures_days: i64,
    /// months from identification to a development measure (5_12_007)
    pub development_months: i64,
    /// months from identification before 帮扶消除
    pub elimination_min_months: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        let d = crate::standard::StandardDefaults::DEFAULT;
        Limits {
            monitoring_line: None,
            measures_days: d.measures_days,
            development_months: d.development_months,
            elimination_min_months: d.elimination_min_months,
        }
    }
}

/// One broken rule on one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub household_no: String,
    pub village: String,
    /// the household's head (or first member) by name, to name the household to people
    pub head_name: String,
    /// the member's ID number when the rule points at a member, else empty
    pub member: String,
    /// the member's name when it points at a member
    pub member_name: String,
    /// what was seen, with its numbers
    pub detail_zh: String,
    pub detail_en: String,
    /// an exemption covers it (set by the caller from the stored exemptions)
    pub exempted: bool,
    /// the household's latest monitoring case, for links to it
    pub case_id: Option<i64>,
}

impl Finding {
    /// The record key an exemption names: the household number, and `/ID` for a member.
    pub fn record_key(&self) -> String {
        record_key(&self.household_no, &self.member)
    }

    /// The page where the record is fixed: the case's plan for measures, the case for its type,
    /// risks and elimination, the income page for incomes and 三保障, else the household.
    pub fn link(&self) -> String {
        match (self.rule.record(), self.case_id) {
            (Record::Measures, Some(id)) => format!("/cases/{id}/plan"),
            (Record::Case, Some(id)) => format!("/cases/{id}"),
            (Record::Income | Record::Guarantees, _) => {
                format!("/households/{}/income", self.household_no)
            }
            _ => format!("/households/{}", self.household_no),
        }
    }
}

/// The key of a record: `household_no` or `household_no/member`.
pub fn record_key(household_no: &str, member: &str) -> String {
    if member.is_empty() {
        household_no.to_string()
    } else {
        format!("{household_no}/{member}")
    }
}

/// A granted exemption: the finding of `rule` on `record` is right as it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub id: i64,
    pub rule: Rule,
    pub household_no: String,
    /// a member's ID number, or empty for the household
    pub member: String,
    pub village: String,
    pub reason: String,
    pub granted_by: String,
    pub granted_at: i64,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: String,
}

/// A reason long enough to say why (at least four characters, at most 500).
pub fn check_reason(reason: &str) -> Result<(), crate::Problem> {
    let n = reason.trim().chars().count();
    if (4..=500).contains(&n) {
        Ok(())
    } else {
        Err(crate::Problem::new(
            crate::ProblemCode::QualityReason,
            "reason",
            "请写明理由（4至500字）",
            "give the reason (4 to 500 characters)",
        ))
    }
}

impl Rule {
    /// The national rule number, where the domain research found it.
    pub fn national(self) -> Option<&'static str> {
        Some(match self {
            Rule::DuplicateId => "1_01_002",
            Rule::HealthyWithoutLabour => "5_12_008",
            Rule::UnstableEmploymentNoLabour => "5_15_013",
            Rule::UnstableEmploymentNoWorker => "5_15_014",
            Rule::IllnessWithoutOutOfPocket => "5_15_020",
            Rule::NoDevelopmentMeasure => "5_12_007",
            Rule::WithoutLabourNotFlagged => "5_11_033",
            Rule::EliminatedBelowLine => "4_11_010",
            Rule::EliminatedHousingDamaged => "1_02_008",
            Rule::EliminatedWithDropout => "1_11_005",
            Rule::EliminatedSafetyNetNoTransfers => "4_11_013",
            Rule::EliminatedWithoutContact => "1_11_011",
            _ => return None,
        })
    }

    /// The code shown to users: the national number, else ours written as the national ones
    /// are, under chapter 0 (which no national rule uses): `0_00_005`.
    pub fn display_code(self) -> String {
        match self.national() {
            Some(n) => n.to_string(),
            None => format!("0_00_{:03}", self.code()),
        }
    }

    /// The record the rule points at.
    pub fn record(self) -> Record {
        use Rule::*;
        match self {
            IdInvalid
            | IdBirthDate
            | IdSex
            | DuplicateId
            | SpouseSameSex
            | EducationAndSchooling
            | NoEducationNorSchooling
            | MigrantPlaceWithoutMonths
            | MigrantMonthsWithoutPlace
            | MigrantMonthsOverYear
            | NoMedicalInsurance
            | TwoMedicalInsurances
            | HealthyWithoutLabour
            | LabourMissing
            | ChildAbleToWork
            | SchoolAgeNotInSchool
            | SchoolingAgeMismatch
            | DeceasedStillCounted
            | ImplausibleAge
            | DisabledWithoutCategory
            | CategoryWithoutDisability
            | WelfareJobMismatch
            | HeadUnder16
            | MemberDibaoHouseholdNot
            | NameInvalid
            | HealthMissing => Record::Member,
            NoHead
            | SeveralHeads
            | SeveralSpouses
            | DibaoHouseholdNoMember
            | NoMembers
            | RelocatedWithoutSite
            | DangerousHouseNotFlagged => Record::Household,
            NoAssistancePerson => Record::Pairing,
            NoIncomeLastYear
            | IncomeAllZero
            | IllnessWithoutOutOfPocket
            | EliminatedBelowLine
            | EliminatedSafetyNetNoTransfers => Record::Income,
            UninsuredFlagMismatch
            | DropoutWithoutChild
            | EliminatedHousingDamaged
            | EliminatedWithDropout => Record::Guarantees,
            NoDevelopmentMeasure | NoMeasure => Record::Measures,
            MonitoredWithoutRisk
            | CaseTypeMismatch
            | UnstableEmploymentNoLabour
            | UnstableEmploymentNoWorker
            | LackOfLabourWithWorkers
            | IllnessWithoutSickMember
            | DisabilityWithoutDisabled
            | SchoolingWithoutStudent
            | WithoutLabourNotFlagged
            | FlaggedWithoutLabourButAble
            | EliminatedWithoutContact
            | EliminatedTooSoon
            | EliminatedWithoutLabour => Record::Case,
        }
    }

    /// What to do to fix it, in Chinese.
    pub fn fix_zh(self) -> &'static str {
        fix(self).0
    }
    /// What to do to fix it, in English.
    pub fn fix_en(self) -> &'static str {
        fix(self).1
    }
}

fn fix(rule: Rule) -> (&'static str, &'static str) {
    use Rule::*;
    match rule {
        IdInvalid => ("对照户口簿或身份证改正证件号码", "correct the ID number from the household register or the ID card"),
        IdBirthDate => ("按身份证号码改正出生日期，或改正号码", "correct the birth date to the ID number's, or correct the number"),
        IdSex => ("按身份证号码第17位改正性别，或改正号码", "correct the sex to digit 17 of the ID number, or correct the number"),
        DuplicateId => ("核实此人实际所在户，在另一户作成员减少", "find the household the person lives in and record the departure from the other"),
        NoHead => ("把一名成员改为户主", "make one member the head"),
        SeveralHeads => ("只保留一名户主，其余改为实际关系", "keep one head and give the others their real relation"),
        SeveralSpouses => ("只保留一名配偶，其余改为实际关系", "keep one spouse and give the others their real relation"),
        SpouseSameSex => ("核对户主或配偶的性别、关系与证件号码", "check the sex, relation and ID number of head and spouse"),
        EducationAndSchooling => ("在校生只填在校生状况，不在校的只填文化程度", "a student keeps the student status only, others the education level only"),
        NoEducationNorSchooling => ("在校生填在校生状况，其他人填文化程度", "fill the student status for students, the education level for others"),
        MigrantPlaceWithoutMonths => ("补填务工时间（月），或清空务工所在地", "fill the months worked, or clear the work place"),
        MigrantMonthsWithoutPlace => ("补填务工所在地（县级），或把务工时间改为0", "fill the work place (county), or set the months to 0"),
        MigrantMonthsOverYear => ("务工时间按年度填写，不超过12个月", "months worked are counted per year, at most 12"),
        NoMedicalInsurance => ("核实参保情况：参保的补登，未参保的动员参保并标三保障", "check the insurance: record it, or enrol the member and flag 三保障"),
        TwoMedicalInsurances => ("城乡居民医保与职工医保只能参加一种，核实后改正", "one of resident or employee medical insurance only: check and correct"),
        HealthyWithoutLabour => ("核实劳动技能，改为普通或技能劳动力，或改正健康状况", "check the labour capacity (ordinary or skilled) or correct the health"),
        LabourMissing => ("补填劳动技能", "fill the labour capacity"),
        ChildAbleToWork => ("未满16岁的改为无劳动力", "record a child under 16 as without labour capacity"),
        SchoolAgeNotInSchool => ("核实是否在校：在校的填在校生状况，失学辍学的标三保障并劝返", "check: record the grade, or flag the dropout and bring the child back"),
        SchoolingAgeMismatch => ("按实际年级改正在校生状况，或改正出生日期", "correct the grade, or the birth date"),
        DeceasedStillCounted => ("作成员减少（死亡），保留记录", "record the departure (death); the record is kept"),
        ImplausibleAge => ("核对出生日期与证件号码；已去世的作成员减少", "check the birth date and ID; record a death as a departure"),
        DisabledWithoutCategory => ("按残疾证补填残疾类别", "fill the disability category from the disability card"),
        CategoryWithoutDisability => ("健康状况加上残疾，或清空残疾类别", "add disability to the health, or clear the category"),
        WelfareJobMismatch => ("公益性岗位类型与聘用月数同时填写或同时清空", "fill both the job type and its months, or neither"),
        HeadUnder16 => ("核实户主；确属未成年人独立成户的，申请豁免并写明理由", "check the head; for a minor on their own, ask for an exemption with the reason"),
        MemberDibaoHouseholdNot => ("核对民政低保名单，改正户或成员的低保标记", "check the civil-affairs dibao roster and correct the household or member flag"),
        DibaoHouseholdNoMember => ("核对民政低保名单，标明享受低保的成员", "check the dibao roster and flag the members who receive it"),
        NameInvalid => ("按户口簿改正姓名", "correct the name from the household register"),
        HealthMissing => ("补填健康状况", "fill the health"),
        NoMembers => ("补录成员，或整户注销", "add the members, or close the household"),
        RelocatedWithoutSite => ("补填安置点", "fill the resettlement site"),
        DangerousHouseNotFlagged => ("核实住房：确属危房的标住房安全问题并安排改造，已改造的更新危房等级", "check the house: flag it and plan the repair, or update the grade"),
        NoAssistancePerson => ("在帮扶责任人页面结对", "pair an assistance person on the pairing page"),
        NoIncomeLastYear => ("采集并录入上年收入", "collect and enter last year's income"),
        IncomeAllZero => ("核实收入，按实际录入", "check the income and enter it as it is"),
        UninsuredFlagMismatch => ("按成员参保情况改正三保障“未参加医保”标记", "set the uninsured flag to match the members' insurance"),
        DropoutWithoutChild => ("核实后清除失学辍学标记，或改正孩子的出生日期", "clear the dropout flag, or correct the child's birth date"),
        MonitoredWithoutRisk => ("补填致贫返贫风险（一至五项）", "fill one to five risk types"),
        CaseTypeMismatch => ("脱贫不稳定户应为脱贫户，边缘易致贫户应为一般农户：改正类别或户类型", "unstable post-poverty needs a 脱贫户, marginal needs an ordinary household: correct one"),
        UnstableEmploymentNoLabour => ("改正风险类型（如缺劳动力），或改正成员劳动技能", "correct the risk (e.g. lack of labour) or the members' labour capacity"),
        UnstableEmploymentNoWorker => ("补填务工成员的务工信息，或改正风险类型", "fill the work of the working member, or correct the risk"),
        LackOfLabourWithWorkers => ("改正风险类型，或核实成员劳动技能", "correct the risk, or check the members' labour capacity"),
        IllnessWithoutOutOfPocket => ("补填合规自付支出，或改正风险类型", "fill the out-of-pocket medical costs, or correct the risk"),
        IllnessWithoutSickMember => ("改正患病成员的健康状况，或改正风险类型", "record the ill member's health, or correct the risk"),
        DisabilityWithoutDisabled => ("改正残疾成员的健康状况，或改正风险类型", "record the disabled member's health, or correct the risk"),
        SchoolingWithoutStudent => ("补填在校生状况，或改正风险类型", "fill the student status, or correct the risk"),
        NoDevelopmentMeasure => ("落实产业、就业、金融或公益岗位帮扶措施", "put a farming, employment, finance or public-welfare-job measure in place"),
        NoMeasure => ("制定帮扶计划并落实措施", "make the plan and put a measure in place"),
        WithoutLabourNotFlagged => ("标为整户无劳动能力兜底保障户并落实兜底保障", "mark it as without labour and put the safety net in place"),
        FlaggedWithoutLabourButAble => ("核实成员劳动技能，撤销兜底保障标记或改正劳动技能", "check the labour capacity; withdraw the mark or correct the members"),
        EliminatedBelowLine => ("核实收入；确未稳定超过监测范围的，风险再标注", "check the income; re-flag the risk if it is not stably above the line"),
        EliminatedHousingDamaged => ("核实住房，风险再标注并落实住房保障", "check the house, re-flag the risk and secure the housing"),
        EliminatedWithDropout => ("劝返复学，风险再标注并落实教育保障", "bring the child back to school, re-flag and secure education"),
        EliminatedSafetyNetNoTransfers => ("补录低保、特困或残疾补贴等转移性收入", "enter the dibao, tekun or disability support as transfer income"),
        EliminatedWithoutContact => ("补填监测联系人及联系方式", "fill the monitoring contact and phone"),
        EliminatedTooSoon => ("核实消除依据；不满足条件的风险再标注", "check the grounds; re-flag the risk if they do not hold"),
        EliminatedWithoutLabour => ("整户无劳动力的暂不标注风险消除：风险再标注并兜底保障", "a household without labour stays monitored: re-flag and keep the safety net"),
    }
}

/// Runs the catalogue over the households of a region, remembering ID numbers across them.
#[derive(Debug, Default)]
pub struct Checker {
    limits: Limits,
    today: Option<Date>,
    /// the 18-character identity of each person seen, and the household it was first seen in
    seen: HashMap<[u8; 18], u32>,
    households: Vec<String>,
}

impl Checker {
    pub fn new(today: Date, limits: Limits) -> Checker {
        Checker {
            limits,
            today: Some(today),
            seen: HashMap::new(),
            households: Vec::new(),
        }
    }

    /// Appends the findings of `h` to `out`.
    pub fn check(&mut self, h: &HouseholdFacts, out: &mut Vec<Finding>) {
        let today = self.today.unwrap_or_else(|| Date::from_days(0));
        rules::check_household_into(h, today, &self.limits, out);
        let index = self.households.len() as u32;
        self.households.push(h.household_no.clone());
        for m in h.members.iter().filter(|m| m.deceased_on.is_none()) {
            let Some(key) = identity(m) else { continue };
            match self.seen.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let other = &self.households[*e.get() as usize];
                    out.push(rules::member_finding(
                        Rule::DuplicateId,
                        h,
                        m,
                        format!("与户{other}的成员证件号码相同"),
                        format!("same identity as a member of household {other}"),
                    ));
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(index);
                }
            }
        }
    }
}

/// The 18-character resident identity a member's ID carries (a disability card starts with it).
fn identity(m: &MemberFacts) -> Option<[u8; 18]> {
    match m.id_kind {
        IdKind::ResidentId | IdKind::DisabilityCard => {
            m.id_number.as_bytes().get(..18)?.try_into().ok()
        }
        IdKind::Other => None,
    }
}
