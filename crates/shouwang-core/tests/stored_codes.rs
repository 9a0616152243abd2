//! A code written to the database keeps its number for good: a 男 stored as 1 must still read
//! as 男 after any upgrade, or every old row reads as another value.
//!
//! This is every number and text the database stores for a code, written out by hand once more.
//! A test fails when the code changes one, adds one or drops one without this list changing
//! too; the failure says what to do. Beside each list stand the columns that hold its values.

use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::calendar::DayKind;
use shouwang_core::codes::{
    Education, Health, HealthCondition, HouseholdType, LabourCapacity, Political, Relation,
    Schooling, Sex,
};
use shouwang_core::household::LeaveReason;
use shouwang_core::identification::{AppraisalResult, Purpose, Stage, StepKind};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};
use shouwang_core::screening::{RuleId, WarningLevel};
use shouwang_core::task_list::TaskKind;
use shouwang_core::visit::Position;
use shouwang_core::{IdKind, RegionLevel, Role};
use std::fmt::Debug;

/// What to do when a stored value changes, added to every failure.
const WHAT_TO_DO: &str = "\
Stored rows carry these values, so changing one renumbers every row already written.
- A new value: give it a number (or text) no value of its list has had, and add its line here.
- A changed or removed value: add a migration (the next number in crates/shouwang-store/migrations/sqlite/ and
  postgres/, registered in crates/shouwang-store/src/migrate.rs) that maps every stored row from the old value to
  the new one in every column named above the list (see 0006_pinned_codes.sql), update SQL that compares with the
  old value (in the store, and scripts/duckdb_compare.py), then update this list.";

/// Compares what the code stores now with the golden list, by variant, and fails naming every
/// difference.
fn same_as_golden(
    list: &str,
    columns: &str,
    now: Vec<(String, String)>,
    golden: Vec<(String, String)>,
) {
    let mut differences = Vec::new();
    for (variant, stored) in &golden {
        match now.iter().find(|(v, _)| v == variant) {
            None => differences.push(format!("  {variant}: removed (was {stored})")),
            Some((_, s)) if s != stored => differences.push(format!(
                "  {variant}: stored as {s}, the golden list says {stored}"
            )),
            Some(_) => {}
        }
    }
    for (variant, stored) in &now {
        if !golden.iter().any(|(v, _)| v == variant) {
            differences.push(format!(
                "  {variant}: stored as {stored}, not in the golden list"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the stored values of {list} ({columns}) changed:\n{}\n{WHAT_TO_DO}",
        differences.join("\n")
    );
}

/// A code list as (variant, "number label"): the number is what the columns hold, the Chinese
/// label what JSON bodies (audit, rule sets, evidence) and some text columns hold.
fn code_list<T: Copy + Debug>(
    list: &str,
    columns: &str,
    all: &[T],
    code: fn(T) -> i64,
    label: fn(T) -> &'static str,
    golden: &[(&str, i64, &str)],
) {
    same_as_golden(
        list,
        columns,
        all.iter()
            .map(|v| (format!("{v:?}"), format!("{} {}", code(*v), label(*v))))
            .collect(),
        golden
            .iter()
            .map(|(v, n, l)| (v.to_string(), format!("{n} {l}")))
            .collect(),
    );
}

/// A list stored as text or as a number of its own, as (variant, stored value).
fn stored_as<T: Copy + Debug, S: ToString>(
    list: &str,
    columns: &str,
    all: &[T],
    stored: impl Fn(T) -> S,
    golden: &[(&str, S)],
) {
    same_as_golden(
        list,
        columns,
        all.iter()
            .map(|v| (format!("{v:?}"), stored(*v).to_string()))
            .collect(),
        golden
            .iter()
            .map(|(v, s)| (v.to_string(), s.to_string()))
            .collect(),
    );
}

#[test]
fn the_registry_code_lists_keep_their_stored_numbers() {
    code_list(
        "Sex",
        "members.sex",
        Sex::ALL,
        Sex::code,
        Sex::label_zh,
        &[("Male", 1, "男"), ("Female", 2, "女")],
    );
    code_list(
        "Relation",
        "members.relation",
        Relation::ALL,
        Relation::code,
        Relation::label_zh,
        &[
            ("Head", 0, "户主"),
            ("Spouse", 1, "配偶"),
            ("Son", 2, "之子"),
            ("Daughter", 3, "之女"),
            ("DaughterInLaw", 4, "之儿媳"),
            ("SonInLaw", 5, "之女婿"),
            ("Grandson", 6, "之孙子"),
            ("Granddaughter", 7, "之孙女"),
            ("DaughtersSon", 8, "之外孙子"),
            ("DaughtersDaughter", 9, "之外孙女"),
            ("Father", 10, "之父"),
            ("Mother", 11, "之母"),
            ("WifesFather", 12, "之岳父"),
            ("WifesMother", 13, "之岳母"),
            ("HusbandsFather", 14, "之公公"),
            ("HusbandsMother", 15, "之婆婆"),
            ("Grandfather", 16, "之祖父"),
            ("Grandmother", 17, "之祖母"),
            ("MaternalGrandfather", 18, "之外祖父"),
            ("MaternalGrandmother", 19, "之外祖母"),
            ("Sibling", 20, "之兄弟姐妹"),
            ("GreatGrandson", 21, "之曾孙子"),
            ("GreatGranddaughter", 22, "之曾孙女"),
            ("Nephew", 23, "之侄儿"),
            ("Niece", 24, "之侄女"),
            ("SiblingInLaw", 25, "之兄弟媳妇"),
            ("Uncle", 26, "之叔伯"),
            ("Other", 27, "其他"),
        ],
    );
    code_list(
        "HouseholdType",
        "households.household_type",
        HouseholdType::ALL,
        HouseholdType::code,
        HouseholdType::label_zh,
        &[
            ("PostPoverty", 0, "脱贫户"),
            ("Ordinary", 1, "一般农户"),
            ("PostPovertyNoPolicy", 2, "脱贫不享受政策户"),
            ("Other", 3, "其他"),
        ],
    );
    code_list(
        "Education",
        "members.education",
        Education::ALL,
        Education::code,
        Education::label_zh,
        &[
            ("Illiterate", 0, "文盲或半文盲"),
            ("Primary", 1, "小学"),
            ("JuniorMiddle", 2, "初中"),
            ("SeniorMiddle", 3, "高中"),
            ("College", 4, "大专"),
            ("Bachelor", 5, "本科及以上"),
        ],
    );
    code_list(
        "Schooling",
        "members.schooling",
        Schooling::ALL,
        Schooling::code,
        Schooling::label_zh,
        &[
            ("PreschoolAge", 0, "学龄前儿童"),
            ("Preschool", 1, "学前教育"),
            ("Primary", 2, "小学"),
            ("Grade7", 3, "七年级"),
            ("Grade8", 4, "八年级"),
            ("Grade9", 5, "九年级"),
            ("HighSchool1", 6, "普通高中一年级"),
            ("HighSchool2", 7, "普通高中二年级"),
            ("HighSchool3", 8, "普通高中三年级"),
            ("Vocational1", 9, "中职一年级"),
            ("Vocational2", 10, "中职二年级"),
            ("Vocational3", 11, "中职三年级"),
            ("HigherVocational1", 12, "高职高专一年级"),
            ("HigherVocational2", 13, "高职高专二年级"),
            ("HigherVocational3", 14, "高职高专三年级"),
            ("Technician1", 15, "技师学院一年级"),
            ("Technician2", 16, "技师学院二年级"),
            ("Technician3", 17, "技师学院三年级"),
            ("Technician4", 18, "技师学院四年级"),
            ("University1", 19, "本科一年级"),
            ("University2", 20, "本科二年级"),
            ("University3", 21, "本科三年级"),
            ("University4", 22, "本科四年级"),
            ("University5", 23, "本科五年级"),
            ("Postgraduate", 24, "硕士研究生及以上"),
        ],
    );
    code_list(
        "LabourCapacity",
        "members.labour",
        LabourCapacity::ALL,
        LabourCapacity::code,
        LabourCapacity::label_zh,
        &[
            ("Ordinary", 0, "普通劳动力"),
            ("Skilled", 1, "技能劳动力"),
            ("Weak", 2, "弱劳动力或半劳动力"),
            ("Lost", 3, "丧失劳动力"),
            ("None", 4, "无劳动力"),
        ],
    );
    code_list(
        "Political",
        "members.political",
        Political::ALL,
        Political::code,
        Political::label_zh,
        &[
            ("PartyMember", 0, "中共党员"),
            ("ProbationaryMember", 1, "中共预备党员"),
            ("LeagueMember", 2, "共青团员"),
            ("Masses", 3, "群众"),
        ],
    );
    code_list(
        "HealthCondition",
        "labels in JSON; members.health holds the bits below",
        HealthCondition::ALL,
        HealthCondition::code,
        HealthCondition::label_zh,
        &[
            ("Healthy", 0, "健康"),
            ("ChronicIllness", 1, "长期慢性病"),
            ("SeriousIllness", 2, "患有大病"),
            ("Disabled", 3, "残疾"),
        ],
    );
    stored_as(
        "IdKind",
        "members.id_kind",
        &IdKind::ALL,
        IdKind::code,
        &[("ResidentId", 0), ("DisabilityCard", 1), ("Other", 2)],
    );
}

#[test]
fn leave_reasons_keep_their_stored_numbers() {
    code_list(
        "LeaveReason",
        "member_departures.reason",
        LeaveReason::ALL,
        LeaveReason::code,
        LeaveReason::label_zh,
        &[
            ("Death", 1, "死亡"),
            ("MovedAway", 2, "迁出"),
            ("SplitOff", 3, "分户"),
            ("MarriedOut", 4, "嫁出"),
            ("Other", 9, "其他"),
        ],
    );
}

#[test]
fn health_conditions_keep_their_bits() {
    stored_as(
        "Health bits",
        "members.health, and the screening snapshot's SQL",
        HealthCondition::ALL,
        |c| Health::default().with(c).bits(),
        &[
            ("Healthy", 1),
            ("ChronicIllness", 2),
            ("SeriousIllness", 4),
            ("Disabled", 8),
        ],
    );
    assert_eq!(Health::HEALTHY.bits(), 1);
}

#[test]
fn the_monitoring_code_lists_keep_their_stored_numbers() {
    code_list(
        "CaseType",
        "monitoring_cases.case_type",
        CaseType::ALL,
        CaseType::code,
        CaseType::label_zh,
        &[
            ("UnstablePostPoverty", 1, "脱贫不稳定户"),
            ("MarginalAtRisk", 2, "边缘易致贫户"),
            ("SuddenHardship", 3, "突发严重困难户"),
        ],
    );
    code_list(
        "RiskType",
        "monitoring_cases.risks (numbers, comma-separated); leads.risk (number); screening_hits.risk (label)",
        RiskType::ALL,
        RiskType::code,
        RiskType::label_zh,
        &[
            ("Illness", 0, "因病"),
            ("Schooling", 1, "因学"),
            ("Disability", 2, "因残"),
            ("NaturalDisaster", 3, "因自然灾害"),
            ("Accident", 4, "因意外事故"),
            ("BusinessFailure", 5, "因产业项目失败"),
            ("UnstableEmployment", 6, "因务工就业不稳"),
            ("LackOfLabour", 7, "缺劳动力"),
            ("UnsafeHousing", 8, "住房出现安全问题"),
            ("UnsafeWater", 9, "饮水安全问题"),
            ("Other", 10, "其他"),
        ],
    );
    code_list(
        "EliminationKind",
        "monitoring_cases.elimination_kind",
        EliminationKind::ALL,
        EliminationKind::code,
        EliminationKind::label_zh,
        &[
            ("AfterAssistance", 0, "帮扶消除"),
            ("Natural", 1, "自然消除"),
        ],
    );
    code_list(
        "CaseStatus",
        "monitoring_cases.status",
        CaseStatus::ALL,
        CaseStatus::code,
        CaseStatus::label_zh,
        &[
            ("Identifying", 0, "识别中"),
            ("AtRisk", 1, "风险未消除"),
            ("Eliminated", 2, "风险已消除"),
        ],
    );
}

#[test]
fn leads_procedures_and_calendar_days_keep_their_numbers() {
    code_list(
        "LeadSource",
        "leads.source",
        LeadSource::ALL,
        LeadSource::code,
        LeadSource::label_zh,
        &[
            ("Screening", 1, "系统筛查"),
            ("CadreCheck", 2, "干部排查"),
            ("Hotline", 3, "12317热线"),
            ("Department", 4, "部门预警"),
            ("SelfReport", 5, "农户自主申报"),
        ],
    );
    code_list(
        "LeadStatus",
        "leads.status (and the partial index leads_pending_unique: 0, 1)",
        LeadStatus::ALL,
        LeadStatus::code,
        LeadStatus::label_zh,
        &[
            ("Open", 0, "待核实"),
            ("Gathered", 1, "识别中"),
            ("Included", 2, "已纳入监测"),
            ("NotIncluded", 3, "不予纳入"),
            ("Dismissed", 4, "已排除"),
            ("Merged", 5, "已合并"),
        ],
    );
    code_list(
        "Stage",
        "identifications.stage (and the partial index identifications_open: < 6), identification_steps.stage_before/after",
        Stage::ALL,
        Stage::code,
        Stage::label_zh,
        &[
            ("Verification", 1, "入户核实"),
            ("Appraisal", 2, "村级民主评议"),
            ("Notice", 3, "村内公示"),
            ("TownshipReview", 4, "乡镇审核"),
            ("CountyDecision", 5, "县级审定"),
            ("Included", 6, "已纳入监测"),
            ("NotIncluded", 7, "不予纳入"),
            ("Eliminated", 8, "风险已消除"),
            ("NotEliminated", 9, "不予消除"),
        ],
    );
    code_list(
        "Purpose",
        "identifications.purpose (and the body's purpose; absent reads as 1)",
        Purpose::ALL,
        Purpose::code,
        Purpose::label_zh,
        &[
            ("Identification", 1, "识别认定程序"),
            ("Elimination", 2, "风险消除程序"),
        ],
    );
    code_list(
        "StepKind",
        "identification_steps.kind",
        StepKind::ALL,
        StepKind::code,
        StepKind::label_zh,
        &[
            ("Opened", 1, "发起识别"),
            ("Verified", 2, "入户核实"),
            ("Appraised", 3, "民主评议"),
            ("NoticePublished", 4, "发布公示"),
            ("ObjectionRaised", 5, "公示异议"),
            ("ObjectionHandled", 6, "异议处理"),
            ("Submitted", 7, "报乡镇审核"),
            ("TownshipApproved", 8, "乡镇审核通过"),
            ("Decided", 9, "县级审定"),
            ("Returned", 10, "退回"),
            ("GreenChannel", 11, "绿色通道"),
        ],
    );
    code_list(
        "AppraisalResult",
        "identifications.body (JSON, label)",
        AppraisalResult::ALL,
        AppraisalResult::code,
        AppraisalResult::label_zh,
        &[("Agree", 1, "同意纳入"), ("Disagree", 2, "不同意纳入")],
    );
    code_list(
        "DayKind",
        "calendar_days.kind",
        DayKind::ALL,
        DayKind::code,
        DayKind::label_zh,
        &[
            ("Holiday", 1, "法定节假日"),
            ("MakeUpWorkday", 2, "调休上班日"),
        ],
    );
    // the pending states are the ones the store's SQL names by number
    let pending: Vec<i64> = LeadStatus::ALL
        .iter()
        .filter(|s| s.is_pending())
        .map(|s| s.code())
        .collect();
    assert_eq!(pending, [0, 1]);
    let closed: Vec<i64> = Stage::ALL
        .iter()
        .filter(|s| !s.is_open())
        .map(|s| s.code())
        .collect();
    assert_eq!(closed, [6, 7, 8, 9]);
}

#[test]
fn measures_and_positions_keep_their_numbers() {
    code_list(
        "MeasureCategory",
        "measures.category",
        MeasureCategory::ALL,
        MeasureCategory::code,
        MeasureCategory::label_zh,
        &[
            ("Industry", 1, "产业帮扶"),
            ("Employment", 2, "就业帮扶"),
            ("Finance", 3, "金融帮扶"),
            ("PublicWelfareJob", 4, "公益岗位帮扶"),
            ("Housing", 5, "住房安全保障"),
            ("DrinkingWater", 6, "饮水安全保障"),
            ("Health", 7, "健康帮扶"),
            ("CompulsoryEducation", 8, "义务教育保障"),
            ("OtherEducation", 9, "其他教育帮扶"),
            ("SocialSecurity", 10, "综合保障"),
            ("Social", 11, "社会帮扶"),
            ("Relocation", 12, "搬迁"),
            ("LivingConditions", 13, "生产生活条件改善"),
            ("Infrastructure", 14, "基础设施建设"),
        ],
    );
    code_list(
        "MeasureState",
        "measures.state",
        MeasureState::ALL,
        MeasureState::code,
        MeasureState::label_zh,
        &[
            ("Planned", 1, "计划实施"),
            ("InPlace", 2, "已落实"),
            ("Ended", 3, "已结束"),
        ],
    );
    code_list(
        "Position",
        "user_positions.position, assistance_persons.position, visits.position",
        Position::ALL,
        Position::code,
        Position::label_zh,
        &[
            ("VillageSecretary", 1, "村党支部书记"),
            ("TownshipSecretary", 2, "乡镇党委书记"),
            ("AssistancePerson", 3, "帮扶责任人"),
            ("FamilyDoctor", 4, "家庭签约医生"),
            ("Cadre", 5, "村干部"),
        ],
    );
    code_list(
        "TaskKind",
        "task_lists.items (JSON: the label)",
        TaskKind::ALL,
        TaskKind::code,
        TaskKind::label_zh,
        &[
            ("ProcedureStep", 1, "程序环节到期"),
            ("LeadToVerify", 2, "线索待核实"),
            ("MeasuresDue", 3, "制定帮扶措施"),
            ("DevelopmentDue", 4, "落实开发式帮扶"),
            ("VisitDue", 5, "走访"),
            ("EliminationPossible", 6, "可启动风险消除"),
            ("MeasureEnding", 7, "措施本月到期"),
        ],
    );
}

#[test]
fn warning_levels_and_rules_keep_their_stored_text() {
    code_list(
        "WarningLevel",
        "leads.level and monitoring_cases.warning_level (numbers); rule_sets.body and standards.body (labels)",
        WarningLevel::ALL,
        WarningLevel::code,
        WarningLevel::label_zh,
        &[
            ("Red", 0, "红色预警"),
            ("Yellow", 1, "黄色预警"),
            ("Blue", 2, "蓝色预警"),
        ],
    );
    stored_as(
        "WarningLevel text",
        "leads.level, screening_hits.level",
        WarningLevel::ALL,
        WarningLevel::label_en,
        &[("Red", "red"), ("Yellow", "yellow"), ("Blue", "blue")],
    );
    stored_as(
        "RuleId",
        "screening_hits.rule, leads.rules (comma-separated), rule_sets.body",
        &RuleId::ALL,
        RuleId::code,
        &[
            ("IncomeBelowLine", "R01"),
            ("IncomeNearLine", "R02"),
            ("IncomeDrop", "R03"),
            ("RigidExpenditure", "R04"),
            ("UnsafeHousing", "R05"),
            ("SchoolDropout", "R06"),
            ("MemberUninsured", "R07"),
            ("UnsafeWater", "R08"),
            ("SeriousIllnessUninsured", "R09"),
            ("DisabilityUninsured", "R10"),
            ("NoLabourCapacity", "R11"),
            ("SchoolingCost", "R12"),
            ("DepartmentAlert", "R13"),
        ],
    );
}

#[test]
fn roles_keep_their_stored_names() {
    stored_as(
        "Role",
        "users.role",
        &Role::ALL,
        Role::as_str,
        &[
            ("Admin", "admin"),
            ("County", "county"),
            ("Township", "township"),
            ("Village", "village"),
            ("AssistancePerson", "assistance"),
            ("Department", "department"),
            ("Inspector", "inspector"),
        ],
    );
}

#[test]
fn region_levels_keep_their_stored_numbers() {
    // every level there is, found by the code lengths that name one
    let levels: Vec<RegionLevel> = (0..=32).filter_map(RegionLevel::from_code_len).collect();
    stored_as(
        "RegionLevel",
        "regions.level, and `level = 12` in the store's SQL",
        &levels,
        |l| l.code_len() as i64,
        &[
            ("Province", 2),
            ("City", 4),
            ("County", 6),
            ("Township", 9),
            ("Village", 12),
        ],
    );
}

/// Each value reads back from its number, and a number no value carries reads as nothing, not
/// as a value by default (the old numbers of 男 and 脱贫不稳定户 among them).
#[test]
fn every_stored_number_reads_back_as_its_value_and_no_other_number_does() {
    macro_rules! round_trip {
        ($($t:ty),+) => {$(
            let numbers: Vec<i64> = <$t>::ALL.iter().map(|v| v.code()).collect();
            for v in <$t>::ALL {
                assert_eq!(<$t>::from_code(v.code()), Some(*v));
            }
            for n in -1..=40 {
                if !numbers.contains(&n) {
                    assert_eq!(<$t>::from_code(n), None, "{} {n}", stringify!($t));
                }
            }
        )+};
    }
    round_trip!(
        Sex,
        Relation,
        HouseholdType,
        Education,
        Schooling,
        LabourCapacity,
        Political,
        HealthCondition,
        CaseType,
        RiskType,
        EliminationKind,
        CaseStatus,
        WarningLevel,
        LeaveReason,
        LeadSource,
        LeadStatus,
        Stage,
        StepKind,
        AppraisalResult,
        DayKind,
        MeasureCategory,
        MeasureState,
        Position,
        TaskKind
    );
    assert_eq!(Sex::from_code(0), None);
    assert_eq!(CaseType::from_code(0), None);
    for k in IdKind::ALL {
        assert_eq!(IdKind::from_code(k.code()), Some(k));
    }
    assert_eq!(IdKind::from_code(3), None);
    for bits in 0..16 {
        assert_eq!(Health::from_bits(bits).bits(), bits);
    }
}

#[test]
fn department_codes_keep_their_numbers() {
    use shouwang_core::department::alert::DeptRule;
    use shouwang_core::department::*;
    code_list(
        "DeptKind",
        "dept_profiles.kind, dept_batches.kind, dept_records.kind, dept_unmatched.kind, dept_alerts.kind, dept_tokens.kind, users.dept_kind",
        DeptKind::ALL,
        DeptKind::code,
        DeptKind::label_zh,
        &[
            ("Medical", 1, "医保"),
            ("Roster", 2, "民政"),
            ("Disability", 3, "残联"),
            ("Education", 4, "教育"),
            ("Housing", 5, "住建"),
            ("Disaster", 6, "应急"),
            ("Employment", 7, "人社"),
            ("Police", 8, "公安"),
            ("Assets", 9, "资产核查"),
        ],
    );
    code_list(
        "BatchChannel",
        "dept_batches.channel",
        BatchChannel::ALL,
        BatchChannel::code,
        BatchChannel::label_zh,
        &[
            ("Command", 1, "命令行导入"),
            ("Upload", 2, "上传"),
            ("Push", 3, "接口推送"),
        ],
    );
    code_list(
        "BatchStatus",
        "dept_batches.status (and the partial unique indexes: status = 1)",
        BatchStatus::ALL,
        BatchStatus::code,
        BatchStatus::label_zh,
        &[("Imported", 1, "已导入"), ("RolledBack", 2, "已撤回")],
    );
    code_list(
        "UnmatchedReason",
        "dept_unmatched.reason",
        UnmatchedReason::ALL,
        UnmatchedReason::code,
        UnmatchedReason::label_zh,
        &[
            ("NotFound", 1, "查无此人"),
            ("OutsideRegion", 2, "不在本区域"),
            ("InvalidId", 3, "证件号码无效"),
            ("InvalidRow", 4, "数据有误"),
        ],
    );
    code_list(
        "QueueStatus",
        "dept_unmatched.status",
        QueueStatus::ALL,
        QueueStatus::code,
        QueueStatus::label_zh,
        &[
            ("Open", 0, "待处理"),
            ("Resolved", 1, "已匹配"),
            ("Dismissed", 2, "已忽略"),
        ],
    );
    code_list(
        "AlertStatus",
        "dept_alerts.status",
        AlertStatus::ALL,
        AlertStatus::code,
        AlertStatus::label_zh,
        &[("Open", 0, "有效"), ("Withdrawn", 1, "已撤回")],
    );
    code_list(
        "RollType",
        "dept_records.category (kind 2)",
        RollType::ALL,
        RollType::code,
        RollType::label_zh,
        &[
            ("Dibao", 1, "低保"),
            ("Tekun", 2, "特困"),
            ("DibaoMarginal", 3, "低保边缘"),
            ("RigidHardship", 4, "刚性支出困难"),
            ("TemporaryRelief", 5, "临时救助"),
        ],
    );
    code_list(
        "SchoolStatus",
        "dept_records.category (kind 4)",
        SchoolStatus::ALL,
        SchoolStatus::code,
        SchoolStatus::label_zh,
        &[
            ("Enrolled", 1, "在读"),
            ("Dropout", 2, "辍学"),
            ("Suspended", 3, "休学"),
        ],
    );
    code_list(
        "HouseGrade",
        "dept_records.category (kind 5)",
        HouseGrade::ALL,
        HouseGrade::code,
        HouseGrade::label_zh,
        &[
            ("A", 1, "A级"),
            ("B", 2, "B级"),
            ("C", 3, "C级"),
            ("D", 4, "D级"),
        ],
    );
    code_list(
        "EmploymentStatus",
        "dept_records.category (kind 7)",
        EmploymentStatus::ALL,
        EmploymentStatus::code,
        EmploymentStatus::label_zh,
        &[
            ("Unemployed", 1, "失业"),
            ("Returned", 2, "返乡"),
            ("Employed", 3, "就业"),
        ],
    );
    code_list(
        "PoliceEvent",
        "dept_records.category (kind 8)",
        PoliceEvent::ALL,
        PoliceEvent::code,
        PoliceEvent::label_zh,
        &[("Death", 1, "死亡"), ("MoveOut", 2, "迁出")],
    );
    code_list(
        "AssetType",
        "dept_records.category (kind 9)",
        AssetType::ALL,
        AssetType::code,
        AssetType::label_zh,
        &[
            ("Vehicle", 1, "车辆"),
            ("RealEstate", 2, "房产"),
            ("Business", 3, "工商注册"),
            ("PublicPayroll", 4, "财政供养"),
        ],
    );
    code_list(
        "SelfReportStatus",
        "self_reports.status",
        SelfReportStatus::ALL,
        SelfReportStatus::code,
        SelfReportStatus::label_zh,
        &[
            ("Received", 0, "已受理"),
            ("LeadRaised", 1, "核实中"),
            ("Handled", 2, "已办结"),
        ],
    );
    code_list(
        "DeathDecision",
        "dept_alerts.decision (migration 23)",
        DeathDecision::ALL,
        DeathDecision::code,
        DeathDecision::label_zh,
        &[("Confirmed", 1, "已确认死亡"), ("Rejected", 2, "已驳回")],
    );
    stored_as(
        "DeptRule",
        "dept_alerts.rule, leads.rules (comma-separated)",
        &DeptRule::ALL,
        DeptRule::code,
        &[
            ("MedicalCost", "D01"),
            ("NewOnRoll", "D02"),
            ("SevereDisability", "D03"),
            ("Dropout", "D04"),
            ("SchoolCost", "D05"),
            ("DangerousHouse", "D06"),
            ("DisasterLoss", "D07"),
            ("OnlyWorkerUnemployed", "D08"),
            ("Death", "D09"),
            ("MoveOut", "D10"),
        ],
    );
}

// issue 16: data quality
#[test]
fn data_quality_rules_keep_their_numbers() {
    code_list(
        "quality::Rule",
        "quality_exemptions.rule",
        shouwang_core::quality::Rule::ALL,
        shouwang_core::quality::Rule::code,
        shouwang_core::quality::Rule::label_zh,
        &[
            (
                "IdInvalid",
                1,
                "身份证号码无效（长度、字符、出生日期或校验位错误）",
            ),
            ("IdBirthDate", 2, "出生日期与身份证号码不符"),
            ("IdSex", 3, "性别与身份证号码不符"),
            ("DuplicateId", 4, "同一证件号码在辖区内登记了两次"),
            ("NoHead", 5, "户内没有户主"),
            ("SeveralHeads", 6, "户内有多个户主"),
            ("SeveralSpouses", 7, "户内有多个配偶"),
            ("SpouseSameSex", 8, "户主与配偶性别相同"),
            ("EducationAndSchooling", 9, "文化程度与在校生状况同时填写"),
            (
                "NoEducationNorSchooling",
                10,
                "文化程度与在校生状况都未填写",
            ),
            (
                "MigrantPlaceWithoutMonths",
                11,
                "填有务工所在地但务工时间为0",
            ),
            (
                "MigrantMonthsWithoutPlace",
                12,
                "有务工时间但未填务工所在地",
            ),
            ("MigrantMonthsOverYear", 13, "务工时间超过12个月"),
            ("NoMedicalInsurance", 14, "未参加基本医疗保险"),
            (
                "TwoMedicalInsurances",
                15,
                "同时参加城乡居民和城镇职工基本医疗保险",
            ),
            (
                "HealthyWithoutLabour",
                16,
                "16至59岁健康非在校生登记为无劳动力或弱劳动力",
            ),
            ("LabourMissing", 17, "16至59岁非在校生未填劳动技能"),
            ("ChildAbleToWork", 18, "未满16岁登记为普通或技能劳动力"),
            (
                "SchoolAgeNotInSchool",
                19,
                "7至15岁义务教育适龄儿童未登记在校，户内也未标失学辍学",
            ),
            ("SchoolingAgeMismatch", 20, "在校生状况与年龄不符"),
            ("DeceasedStillCounted", 21, "已死亡的成员仍计入家庭人口"),
            ("ImplausibleAge", 22, "年龄超过110岁"),
            (
                "DisabledWithoutCategory",
                23,
                "健康状况为残疾但未填残疾类别",
            ),
            (
                "CategoryWithoutDisability",
                24,
                "填有残疾类别但健康状况不含残疾",
            ),
            ("WelfareJobMismatch", 25, "公益性岗位类型与聘用月数不一致"),
            ("HeadUnder16", 26, "户主未满16岁"),
            (
                "MemberDibaoHouseholdNot",
                27,
                "成员享受低保但户未标为低保户",
            ),
            ("DibaoHouseholdNoMember", 28, "低保户没有享受低保的成员"),
            ("NameInvalid", 29, "姓名为空或含数字"),
            ("HealthMissing", 30, "健康状况未填"),
            ("NoMembers", 31, "户内没有成员"),
            ("RelocatedWithoutSite", 32, "易地扶贫搬迁户未填安置点"),
            (
                "DangerousHouseNotFlagged",
                33,
                "危房等级为C级或D级但未标住房安全问题",
            ),
            (
                "NoAssistancePerson",
                34,
                "脱贫户或监测户没有在岗的帮扶责任人",
            ),
            ("NoIncomeLastYear", 35, "脱贫户或监测户没有上年收入"),
            ("IncomeAllZero", 36, "上年各项收入全为0"),
            (
                "UninsuredFlagMismatch",
                37,
                "三保障“未参加医保”与成员参保情况不符",
            ),
            (
                "DropoutWithoutChild",
                38,
                "标有失学辍学但户内没有义务教育阶段适龄儿童",
            ),
            ("MonitoredWithoutRisk", 39, "监测户没有风险类型"),
            ("CaseTypeMismatch", 40, "监测对象类别与户类型不符"),
            (
                "UnstableEmploymentNoLabour",
                41,
                "风险为因务工就业不稳，但成员均无劳动力或丧失劳动力",
            ),
            (
                "UnstableEmploymentNoWorker",
                42,
                "风险为因务工就业不稳，但没有成员有务工信息",
            ),
            (
                "LackOfLabourWithWorkers",
                43,
                "风险为缺劳动力，但户内有两名以上普通或技能劳动力",
            ),
            (
                "IllnessWithoutOutOfPocket",
                44,
                "风险为因病，但合规自付支出为0",
            ),
            (
                "IllnessWithoutSickMember",
                45,
                "风险为因病，但没有成员患大病或长期慢性病",
            ),
            (
                "DisabilityWithoutDisabled",
                46,
                "风险为因残，但没有残疾成员",
            ),
            ("SchoolingWithoutStudent", 47, "风险为因学，但没有在校生"),
            (
                "NoDevelopmentMeasure",
                48,
                "有劳动力的监测户识别满6个月仍无开发式帮扶措施",
            ),
            ("NoMeasure", 49, "监测户识别后超过期限仍无帮扶措施"),
            (
                "WithoutLabourNotFlagged",
                50,
                "整户无劳动力未标为整户无劳动能力兜底保障户",
            ),
            (
                "FlaggedWithoutLabourButAble",
                51,
                "标为整户无劳动能力兜底保障户，但有成员有劳动能力",
            ),
            (
                "EliminatedBelowLine",
                52,
                "帮扶消除但人均纯收入低于监测范围",
            ),
            (
                "EliminatedHousingDamaged",
                53,
                "已消除风险但住房出现安全问题",
            ),
            (
                "EliminatedWithDropout",
                54,
                "已消除风险但有义务教育阶段失学辍学",
            ),
            (
                "EliminatedSafetyNetNoTransfers",
                55,
                "已消除风险的脱贫户享受低保、特困或残疾补贴但转移性收入为0",
            ),
            (
                "EliminatedWithoutContact",
                56,
                "已消除风险但没有监测联系人或联系方式",
            ),
            ("EliminatedTooSoon", 57, "帮扶消除距识别不足规定月数"),
            (
                "EliminatedWithoutLabour",
                58,
                "整户无劳动力的监测户已标风险消除",
            ),
        ],
    );
    for r in shouwang_core::quality::Rule::ALL {
        assert_eq!(shouwang_core::quality::Rule::from_code(r.code()), Some(*r));
    }
}

#[test]
fn the_income_tracking_code_lists_keep_their_stored_numbers() {
    use shouwang_core::income_tracking::{ClearMethod, LowIncomeBand};
    code_list(
        "LowIncomeBand",
        "low_income_entries.band (migration 26)",
        &LowIncomeBand::ALL,
        LowIncomeBand::code,
        LowIncomeBand::label_zh,
        &[
            ("BelowTarget", 1, "低于县定目标"),
            ("BelowWatch", 2, "低于低收入监测线"),
        ],
    );
    code_list(
        "ClearMethod",
        "low_income_entries.cleared_method (migration 26)",
        &ClearMethod::ALL,
        ClearMethod::code,
        ClearMethod::label_zh,
        &[
            ("IncomeRaised", 1, "增收达标"),
            ("DataCorrected", 2, "核实更正收入"),
            ("Safeguarded", 3, "纳入兜底保障"),
            ("HouseholdGone", 4, "户已注销"),
        ],
    );
}
