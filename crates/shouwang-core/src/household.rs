//! Households (户) and their members (家庭成员), with the registry's validation rules.

use crate::codes::{
    code_list, Education, Health, HouseholdType, LabourCapacity, Political, Relation, Schooling,
    Sex,
};
use crate::date::Date;
use crate::id_number::{IdKind, PersonId};
use crate::money::format_hundredths;
use crate::problem::{free_text, Problem, ProblemCode};
use crate::region::{RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};

/// A household (户), keyed by its national household number (户编号).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// 户编号
    pub household_no: String,
    /// 村: the 12-digit village code
    pub village: RegionCode,
    /// 组 (village group), free text
    #[serde(default)]
    pub group: String,
    /// 家庭住址
    #[serde(default)]
    pub address: String,
    /// 户联系电话
    #[serde(default)]
    pub phone: String,
    /// 户类型
    pub household_type: HouseholdType,
    /// 低保户
    #[serde(default)]
    pub dibao: bool,
    /// 特困供养户
    #[serde(default)]
    pub tekun: bool,
    /// 易地扶贫搬迁户
    #[serde(default)]
    pub relocated: bool,
    /// 安置点 (resettlement site) for relocated households
    #[serde(default)]
    pub resettlement_site: String,
    /// 军烈属
    #[serde(default)]
    pub military_family: bool,
    /// 耕地面积, in hundredths of a 亩
    #[serde(default)]
    pub cultivated_land_centimu: Option<i64>,
    /// 住房面积, in hundredths of a square metre
    #[serde(default)]
    pub housing_area_centim2: Option<i64>,
    /// 危房等级 A–D (C and D are dangerous)
    #[serde(default)]
    pub house_grade: String,
}

/// A household member (家庭成员), keyed by the ID number (证件号码) across the installation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// 证件类型
    pub id_kind: IdKind,
    /// 证件号码, normalised
    pub id_number: String,
    /// 人口编号 (national person number), optional
    #[serde(default)]
    pub person_no: String,
    /// 姓名
    pub name: String,
    /// 性别 (derived from the ID number when it carries one)
    pub sex: Sex,
    /// 出生日期 (derived from the ID number when it carries one)
    pub birth_date: Date,
    /// 与户主关系
    pub relation: Relation,
    /// 民族
    #[serde(default)]
    pub ethnicity: String,
    /// 政治面貌
    #[serde(default)]
    pub political: Option<Political>,
    /// 成员联系电话
    #[serde(default)]
    pub phone: String,
    /// 文化程度 (only when not in school)
    #[serde(default)]
    pub education: Option<Education>,
    /// 在校生状况 (only when in school or of preschool age)
    #[serde(default)]
    pub schooling: Option<Schooling>,
    /// 健康状况
    pub health: Health,
    /// 残疾类别
    #[serde(default)]
    pub disability_category: String,
    /// 劳动技能
    #[serde(default)]
    pub labour: Option<LabourCapacity>,
    /// 务工时间（月）
    #[serde(default)]
    pub migrant_months: i64,
    /// 务工所在地
    #[serde(default)]
    pub migrant_place: String,
    /// 务工企业名称
    #[serde(default)]
    pub migrant_employer: String,
    /// 公益性岗位类型
    #[serde(default)]
    pub welfare_job: String,
    /// 公益性岗位(月数)
    #[serde(default)]
    pub welfare_job_months: i64,
    /// 是否享受低保
    #[serde(default)]
    pub dibao: bool,
    /// 是否特困供养人员
    #[serde(default)]
    pub tekun: bool,
    /// 城乡居民基本医疗保险
    #[serde(default)]
    pub resident_medical: bool,
    /// 城镇职工基本医疗保险
    #[serde(default)]
    pub employee_medical: bool,
    /// 大病保险
    #[serde(default)]
    pub serious_illness_insurance: bool,
    /// 城乡居民基本养老保险
    #[serde(default)]
    pub resident_pension: bool,
    /// 城镇职工基本养老保险
    #[serde(default)]
    pub employee_pension: bool,
    /// 死亡日期
    #[serde(default)]
    pub deceased_on: Option<Date>,
}

impl Member {
    /// Has basic medical insurance (居民医保 or 职工医保).
    pub fn medically_insured(&self) -> bool {
        self.resident_medical || self.employee_medical
    }
    pub fn age_on(&self, today: Date) -> i32 {
        self.birth_date.age_on(today)
    }
    pub fn is_alive(&self) -> bool {
        self.deceased_on.is_none()
    }
}

fn problem(
    code: ProblemCode,
    field: impl Into<String>,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Problem {
    Problem::new(code, field, zh, en)
}

pub(crate) fn check_phone(field: &str, phone: &str, out: &mut Vec<Problem>) {
    let p = phone.trim();
    if p.is_empty() {
        return;
    }
    let mobile = p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit());
    let fixed = (7..=20).contains(&p.len())
        && p.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && p.bytes().filter(u8::is_ascii_digit).count() >= 7;
    if !mobile && !fixed {
        out.push(problem(
            ProblemCode::PhoneInvalid,
            field,
            format!("电话号码“{p}”无效：应为11位手机号或固定电话"),
            format!("phone number '{p}' is invalid: expected an 11-digit mobile or a fixed line"),
        ));
    }
}

/// Validates a household's own fields. The village's existence is checked by the store.
pub fn validate_household(h: &Household) -> Vec<Problem> {
    let mut out = Vec::new();
    let no = h.household_no.trim();
    if no.is_empty() {
        out.push(problem(
            ProblemCode::HouseholdNoMissing,
            "household_no",
            "户编号不能为空",
            "household number is required",
        ));
    } else if !no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        out.push(problem(
            ProblemCode::HouseholdNoCharacters,
            "household_no",
            "户编号只能包含字母、数字和连字符",
            "household number may contain only letters, digits and hyphens",
        ));
    }
    out.extend(free_text("household_no", "户编号", no, 32));
    if h.village.level() != RegionLevel::Village {
        out.push(problem(
            ProblemCode::VillageLevel,
            "village",
            format!("“{}”不是村级代码（应为12位）", h.village),
            format!("'{}' is not a village code (12 digits expected)", h.village),
        ));
    }
    out.extend(free_text("group", "组", &h.group, 50));
    out.extend(free_text("address", "家庭住址", &h.address, 200));
    out.extend(free_text(
        "resettlement_site",
        "安置点",
        &h.resettlement_site,
        100,
    ));
    check_phone("phone", &h.phone, &mut out);
    if !h.house_grade.is_empty() && !matches!(h.house_grade.as_str(), "A" | "B" | "C" | "D") {
        out.push(problem(
            ProblemCode::HouseGradeInvalid,
            "house_grade",
            "危房等级应为A、B、C或D",
            "house grade must be A, B, C or D",
        ));
    }
    for (field, v) in [
        ("cultivated_land_centimu", h.cultivated_land_centimu),
        ("housing_area_centim2", h.housing_area_centim2),
    ] {
        if let Some(v) = v {
            if !(0..=100_000_000).contains(&v) {
                out.push(problem(
                    ProblemCode::AreaRange,
                    field,
                    format!("面积{}超出合理范围", format_hundredths(v)),
                    format!("area {} is out of range", format_hundredths(v)),
                ));
            }
        }
    }
    out
}

/// Validates one member against `today`: ID number, agreement of sex and birth date with it,
/// education XOR schooling, migrant work, lengths.
pub fn validate_member(m: &Member, today: Date) -> Vec<Problem> {
    let mut out = Vec::new();
    match PersonId::parse(m.id_kind, &m.id_number, today) {
        Err(e) => out.push(problem(
            ProblemCode::IdNumberInvalid,
            "id_number",
            format!("证件号码“{}”无效：{}", m.id_number, e.zh()),
            format!("ID number '{}' is invalid: {e}", m.id_number),
        )),
        Ok(pid) => {
            if let Some(id) = pid.resident {
                if id.sex() != m.sex {
                    out.push(problem(
                        ProblemCode::SexMismatch,
                        "sex",
                        format!(
                            "性别“{}”与证件号码不符（证件号码为{}性）",
                            m.sex.label_zh(),
                            id.sex().label_zh()
                        ),
                        format!(
                            "sex '{}' disagrees with the ID number ({})",
                            m.sex.label_en(),
                            id.sex().label_en()
                        ),
                    ));
                }
                if id.birth_date() != m.birth_date {
                    out.push(problem(
                        ProblemCode::BirthDateMismatch,
                        "birth_date",
                        format!(
                            "出生日期{}与证件号码不符（应为{}）",
                            m.birth_date,
                            id.birth_date()
                        ),
                        format!(
                            "birth date {} disagrees with the ID number ({})",
                            m.birth_date,
                            id.birth_date()
                        ),
                    ));
                }
            }
        }
    }
    if m.birth_date > today {
        out.push(problem(
            ProblemCode::BirthDateFuture,
            "birth_date",
            "出生日期晚于今天",
            "birth date lies in the future",
        ));
    }
    let name = m.name.trim();
    if name.is_empty() {
        out.push(problem(
            ProblemCode::NameMissing,
            "name",
            "姓名不能为空",
            "name is required",
        ));
    } else if name.chars().any(|c| c.is_ascii_digit() || c.is_control()) {
        out.push(problem(
            ProblemCode::NameCharacters,
            "name",
            "姓名不能包含数字或控制字符",
            "name may not contain digits or control characters",
        ));
    }
    out.extend(free_text("name", "姓名", name, 50));
    match (m.education, m.schooling) {
        (Some(_), Some(_)) => out.push(problem(
            ProblemCode::EducationBoth,
            "education",
            "文化程度和在校生状况只能填写一项",
            "fill either education or schooling, not both",
        )),
        (None, None) => out.push(problem(
            ProblemCode::EducationNeither,
            "education",
            "文化程度和在校生状况必须填写一项",
            "fill one of education or schooling",
        )),
        _ => {}
    }
    if !(0..=12).contains(&m.migrant_months) {
        out.push(problem(
            ProblemCode::MigrantMonthsRange,
            "migrant_months",
            "务工时间应在0到12个月之间",
            "months of migrant work must be 0 to 12",
        ));
    } else if m.migrant_months > 0 && m.migrant_place.trim().is_empty() {
        out.push(problem(
            ProblemCode::MigrantPlaceMissing,
            "migrant_place",
            "有务工时间时必须填写务工所在地",
            "a place of work is required when months of migrant work are given",
        ));
    } else if m.migrant_months == 0 && !m.migrant_place.trim().is_empty() {
        out.push(problem(
            ProblemCode::MigrantMonthsMissing,
            "migrant_months",
            "填写了务工所在地但务工时间为0",
            "a place of work is given but months of migrant work are 0",
        ));
    }
    if !(0..=12).contains(&m.welfare_job_months) {
        out.push(problem(
            ProblemCode::WelfareJobMonthsRange,
            "welfare_job_months",
            "公益性岗位月数应在0到12之间",
            "public-welfare job months must be 0 to 12",
        ));
    }
    if m.health.is_empty() {
        out.push(problem(
            ProblemCode::HealthMissing,
            "health",
            "健康状况不能为空",
            "health is required",
        ));
    }
    if let Some(d) = m.deceased_on {
        if d > today || d < m.birth_date {
            out.push(problem(
                ProblemCode::DeceasedOnRange,
                "deceased_on",
                "死亡日期应在出生日期和今天之间",
                "date of death must lie between birth and today",
            ));
        }
    }
    check_phone("phone", &m.phone, &mut out);
    out.extend(free_text("ethnicity", "民族", &m.ethnicity, 20));
    out.extend(free_text("person_no", "人口编号", &m.person_no, 32));
    out.extend(free_text(
        "disability_category",
        "残疾类别",
        &m.disability_category,
        30,
    ));
    out.extend(free_text(
        "migrant_place",
        "务工所在地",
        &m.migrant_place,
        100,
    ));
    out.extend(free_text(
        "migrant_employer",
        "务工企业名称",
        &m.migrant_employer,
        100,
    ));
    out.extend(free_text(
        "welfare_job",
        "公益性岗位类型",
        &m.welfare_job,
        50,
    ));
    out
}

code_list!(
    /// 成员减少原因: why a member left the household. The domain research found no national
    /// code table for it, so the numbers are this system's own; 其他 keeps room for more.
    LeaveReason {
        Death = 1 => "死亡", "death";
        MovedAway = 2 => "迁出", "moved away";
        SplitOff = 3 => "分户", "set up a household of their own";
        MarriedOut = 4 => "嫁出", "married out";
        Other = 9 => "其他", "other";
    }
);

/// A member who left the household (成员减少): kept in its record, no longer counted in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Departure {
    pub reason: LeaveReason,
    /// the day the member left (or died)
    pub on: Date,
    /// the member as they were on leaving (a death carries its date in `deceased_on`)
    pub member: Member,
}

/// Records that `member` left on `on` for `reason`, checked against `today`: the head cannot
/// leave before another member becomes head, and the date lies between the member's birth and
/// today. A death also sets the date of death, so the person reads as deceased everywhere the
/// record goes (the ledger, an import's comparison).
pub fn leave(
    member: &Member,
    reason: LeaveReason,
    on: Date,
    today: Date,
) -> Result<Departure, Vec<Problem>> {
    let mut out = Vec::new();
    if member.relation == Relation::Head {
        out.push(problem(
            ProblemCode::LeaveHead,
            "reason",
            "户主不能直接减少：请先把另一名成员改为户主",
            "the head cannot leave: first make another member the head",
        ));
    }
    if on > today || on < member.birth_date {
        out.push(problem(
            ProblemCode::LeaveDateRange,
            "on",
            format!("减少日期应在出生日期（{}）和今天之间", member.birth_date),
            format!(
                "the date must lie between the birth date ({}) and today",
                member.birth_date
            ),
        ));
    }
    if !out.is_empty() {
        return Err(out);
    }
    let mut member = member.clone();
    if reason == LeaveReason::Death {
        member.deceased_on = Some(on);
    }
    Ok(Departure { reason, on, member })
}

/// Validates a household with all its members: each part, then the rules across members:
/// exactly one 户主, at most one 配偶 of the other sex, no ID number twice.
pub fn validate_household_with_members(
    h: &Household,
    members: &[Member],
    today: Date,
) -> Vec<Problem> {
    let mut out = validate_household(h);
    for (i, m) in members.iter().enumerate() {
        out.extend(
            validate_member(m, today)
                .into_iter()
                .map(|p| p.under(&format!("members[{i}]"))),
        );
    }
    out.extend(validate_family(members));
    out
}

/// The rules across the members of one household.
pub fn validate_family(members: &[Member]) -> Vec<Problem> {
    let mut out = Vec::new();
    if members.is_empty() {
        out.push(problem(
            ProblemCode::MembersEmpty,
            "members",
            "一户至少要有一名成员（户主）",
            "a household needs at least one member, its head",
        ));
        return out;
    }
    let heads: Vec<&Member> = members
        .iter()
        .filter(|m| m.relation == Relation::Head)
        .collect();
    match heads.len() {
        0 => out.push(problem(
            ProblemCode::HeadMissing,
            "members",
            "没有户主：每户必须有且只有一名户主",
            "no head: a household has exactly one head",
        )),
        1 => {}
        n => out.push(problem(
            ProblemCode::HeadSeveral,
            "members",
            format!("有{n}名户主：每户必须有且只有一名户主"),
            format!("{n} heads: a household has exactly one head"),
        )),
    }
    let spouses: Vec<&Member> = members
        .iter()
        .filter(|m| m.relation == Relation::Spouse)
        .collect();
    if spouses.len() > 1 {
        out.push(problem(
            ProblemCode::SpouseSeveral,
            "members",
            "配偶不能超过一名",
            "at most one spouse",
        ));
    }
    if let (Some(head), Some(spouse)) = (heads.first(), spouses.first()) {
        if head.sex == spouse.sex {
            out.push(problem(
                ProblemCode::SpouseSameSex,
                "members",
                "户主与配偶性别相同",
                "the head and the spouse have the same sex",
            ));
        }
    }
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.id_number == m.id_number) {
            out.push(problem(
                ProblemCode::IdNumberDuplicate,
                format!("members[{i}].id_number"),
                format!("证件号码{}在本户重复", crate::id_number::mask(&m.id_number)),
                format!(
                    "ID number {} appears twice in this household",
                    crate::id_number::mask(&m.id_number)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id_number::make_id;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    pub(crate) fn member(relation: Relation, sex: Sex, birth: Date, seq: u16) -> Member {
        Member {
            id_kind: IdKind::ResidentId,
            id_number: make_id("510821", birth, seq, sex),
            person_no: String::new(),
            name: "张三".into(),
            sex,
            birth_date: birth,
            relation,
            ethnicity: "汉族".into(),
            political: None,
            phone: String::new(),
            education: Some(Education::JuniorMiddle),
            schooling: None,
            health: Health::HEALTHY,
            disability_category: String::new(),
            labour: Some(LabourCapacity::Ordinary),
            migrant_months: 0,
            migrant_place: String::new(),
            migrant_employer: String::new(),
            welfare_job: String::new(),
            welfare_job_months: 0,
            dibao: false,
            tekun: false,
            resident_medical: true,
            employee_medical: false,
            serious_illness_insurance: true,
            resident_pension: true,
            employee_pension: false,
            deceased_on: None,
        }
    }

    fn household() -> Household {
        Household {
            household_no: "5108210001".into(),
            village: RegionCode::parse("510821108212").unwrap(),
            group: "3组".into(),
            address: String::new(),
            phone: "13800000000".into(),
            household_type: HouseholdType::PostPoverty,
            dibao: false,
            tekun: false,
            relocated: false,
            resettlement_site: String::new(),
            military_family: false,
            cultivated_land_centimu: Some(250),
            housing_area_centim2: None,
            house_grade: String::new(),
        }
    }

    fn codes(p: &[Problem]) -> Vec<ProblemCode> {
        p.iter().map(|p| p.code).collect()
    }

    #[test]
    fn a_well_formed_family_passes() {
        let d = |y| Date::new(y, 3, 4).unwrap();
        let members = [
            member(Relation::Head, Sex::Male, d(1970), 1),
            member(Relation::Spouse, Sex::Female, d(1972), 2),
        ];
        assert_eq!(
            validate_household_with_members(&household(), &members, today()),
            vec![]
        );
    }

    #[test]
    fn a_second_head_is_refused() {
        let d = |y| Date::new(y, 3, 4).unwrap();
        let members = [
            member(Relation::Head, Sex::Male, d(1970), 1),
            member(Relation::Head, Sex::Female, d(1972), 2),
        ];
        assert_eq!(
            codes(&validate_family(&members)),
            [ProblemCode::HeadSeveral]
        );
        assert_eq!(
            codes(&validate_family(&members[..0])),
            [ProblemCode::MembersEmpty]
        );
    }

    #[test]
    fn sex_and_birth_date_must_agree_with_the_id_number() {
        let mut m = member(Relation::Head, Sex::Male, Date::new(1970, 3, 4).unwrap(), 1);
        m.sex = Sex::Female;
        m.birth_date = Date::new(1970, 3, 5).unwrap();
        assert_eq!(
            codes(&validate_member(&m, today())),
            [ProblemCode::SexMismatch, ProblemCode::BirthDateMismatch]
        );
    }

    #[test]
    fn education_and_schooling_are_exclusive() {
        let mut m = member(Relation::Head, Sex::Male, Date::new(1970, 3, 4).unwrap(), 1);
        m.schooling = Some(Schooling::Grade7);
        assert_eq!(
            codes(&validate_member(&m, today())),
            [ProblemCode::EducationBoth]
        );
        m.education = None;
        m.schooling = None;
        assert_eq!(
            codes(&validate_member(&m, today())),
            [ProblemCode::EducationNeither]
        );
    }

    #[test]
    fn over_long_fields_and_bad_phones_are_named() {
        let mut h = household();
        h.address = "路".repeat(201);
        h.phone = "12345".into();
        let p = validate_household(&h);
        assert_eq!(
            codes(&p),
            [ProblemCode::TextTooLong, ProblemCode::PhoneInvalid]
        );
        assert!(p[0].zh.contains("201"));
    }

    #[test]
    fn same_sex_spouse_and_repeated_id_are_flagged() {
        let d = Date::new(1970, 3, 4).unwrap();
        let head = member(Relation::Head, Sex::Male, d, 1);
        let spouse = member(Relation::Spouse, Sex::Male, d, 3);
        let twin = head.clone();
        let mut twin = twin;
        twin.relation = Relation::Son;
        assert_eq!(
            codes(&validate_family(&[head, spouse, twin])),
            [ProblemCode::SpouseSameSex, ProblemCode::IdNumberDuplicate]
        );
    }

    #[test]
    fn a_member_leaves_with_a_date_between_birth_and_today_and_a_death_sets_the_date_of_death() {
        let d = Date::new(1990, 1, 1).unwrap();
        let son = member(Relation::Son, Sex::Male, d, 5);
        let on = Date::new(2026, 10, 1).unwrap();
        let moved = leave(&son, LeaveReason::MovedAway, on, today()).unwrap();
        assert_eq!((moved.reason, moved.on), (LeaveReason::MovedAway, on));
        assert_eq!(moved.member.deceased_on, None);
        let died = leave(&son, LeaveReason::Death, on, today()).unwrap();
        assert_eq!(died.member.deceased_on, Some(on));
        assert!(!died.member.is_alive());
        let tomorrow = Date::new(2026, 11, 24).unwrap();
        let before_birth = Date::new(1989, 12, 31).unwrap();
        for bad in [tomorrow, before_birth] {
            let p = leave(&son, LeaveReason::Other, bad, today()).unwrap_err();
            assert_eq!(codes(&p), [ProblemCode::LeaveDateRange]);
            assert_eq!(p[0].field, "on");
        }
        let head = member(Relation::Head, Sex::Male, d, 1);
        let p = leave(&head, LeaveReason::SplitOff, on, today()).unwrap_err();
        assert_eq!(codes(&p), [ProblemCode::LeaveHead]);
    }
}
