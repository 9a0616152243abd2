//! The columns of the national household ledger (FORMATS.md §1), in the national order: their
//! canonical headers, whether each belongs to the household or the person, and the other
//! headers seen in the wild. Reading a file's header row is the io crate's business; the names
//! live here because a row error names its column whoever finds the error.

/// Whether a column belongs to the household (户, repeated on every row of it) or to the person (人).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// 户级: identical on every row of the household
    Household,
    /// 人级: one value per person
    Person,
}

macro_rules! columns {
    ($($variant:ident => $name:literal, $level:ident, [$($alias:literal),*];)+) => {
        /// A known ledger column, named by its canonical header (表头).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Col { $(#[doc = $name] $variant,)+ }

        impl Col {
            /// Every known column, in the national order the writers use.
            pub const ALL: &'static [Col] = &[$(Col::$variant,)+];
            /// The canonical header name, as the writers write it.
            pub fn name(self) -> &'static str {
                match self { $(Col::$variant => $name,)+ }
            }
            pub fn level(self) -> Level {
                match self { $(Col::$variant => Level::$level,)+ }
            }
            /// Other headers seen in the wild for this column.
            pub fn aliases(self) -> &'static [&'static str] {
                match self { $(Col::$variant => &[$($alias),*],)+ }
            }
        }
    };
}

columns! {
    Province => "省", Household, ["省份", "省(自治区、直辖市)"];
    City => "市", Household, ["市(地、州、盟)", "地市"];
    County => "县", Household, ["县(市、区、旗)", "区县", "县(区)"];
    Township => "乡", Household, ["乡(镇)", "乡镇", "乡(镇、街道)"];
    Village => "村", Household, ["行政村", "村(社区)"];
    VillageCode => "村代码", Household, ["行政村代码", "村级代码"];
    Group => "组", Household, ["村民小组"];
    HouseholdNo => "户编号", Household, [];
    PersonNo => "人口编号", Person, [];
    Name => "姓名", Person, [];
    Sex => "性别", Person, [];
    IdKind => "证件类型", Person, [];
    IdNumber => "证件号码", Person, ["身份证号码", "身份证号"];
    BirthDate => "出生日期", Person, [];
    Relation => "与户主关系", Person, [];
    Ethnicity => "民族", Person, [];
    Political => "政治面貌", Person, [];
    MemberPhone => "成员联系电话", Person, ["联系电话"];
    Education => "文化程度", Person, [];
    Schooling => "在校生状况", Person, [];
    DropoutReason => "失学或辍学原因", Person, [];
    Health => "健康状况", Person, [];
    DisabilityCategory => "残疾类别", Person, [];
    DisabilityCardYear => "残疾证办证年度", Person, [];
    Labour => "劳动技能", Person, [];
    MigrantMonths => "务工时间(月)", Person, ["务工时间"];
    MigrantPlace => "务工所在地", Person, [];
    MigrantEmployer => "务工企业名称", Person, [];
    WorksAbroad => "是否国外务工", Person, [];
    EmploymentChannel => "就业渠道", Person, [];
    WelfareJob => "公益性岗位类型", Person, [];
    WelfareJobMonths => "公益性岗位(月数)", Person, [];
    Dibao => "是否享受低保", Person, [];
    Tekun => "是否特困供养人员", Person, [];
    ResidentMedical => "是否参加新型农村合作医疗(城乡居民基本医疗保险)", Person,
        ["是否参加城乡居民基本医疗保险", "是否参加新型农村合作医疗"];
    EmployeeMedical => "是否参加城镇职工基本医疗保险", Person, [];
    SeriousIllnessInsurance => "是否参加大病保险", Person, [];
    CommercialMedical => "是否参加商业补充医疗保险", Person, [];
    ResidentPension => "是否参加城乡居民基本养老保险", Person, [];
    EmployeePension => "是否参加城镇职工基本养老保险", Person, [];
    MedicalAid => "是否接受大病医疗救助", Person, [];
    OtherHealthAid => "是否接受其他健康扶贫", Person, [];
    Mandarin => "是否会讲普通话", Person, [];
    HouseholdType => "户类型", Household, [];
    HouseholdPhone => "户联系电话", Household, [];
    HeadName => "户主姓名", Household, [];
    HeadId => "户主证件号码", Household, ["户主身份证号码", "户主身份证号"];
    Year => "年度", Household, [];
    CaseType => "监测对象类别", Household, [];
    Identified => "识别监测时间", Household, [];
    Risk1 => "致贫/返贫风险1", Household, ["致贫返贫风险1", "返贫致贫风险1", "风险类型1"];
    Risk2 => "致贫/返贫风险2", Household, ["致贫返贫风险2", "返贫致贫风险2", "风险类型2"];
    Risk3 => "致贫/返贫风险3", Household, ["致贫返贫风险3", "返贫致贫风险3", "风险类型3"];
    Risk4 => "致贫/返贫风险4", Household, ["致贫返贫风险4", "返贫致贫风险4", "风险类型4"];
    Risk5 => "致贫/返贫风险5", Household, ["致贫返贫风险5", "返贫致贫风险5", "风险类型5"];
    RiskEliminated => "风险是否已消除", Household, [];
    EliminationKind => "风险消除方式", Household, [];
    EliminatedOn => "风险消除时间", Household, [];
    NoLabourHousehold => "整户无劳动能力兜底保障户", Household, [];
    UnsafeHousing => "是否住房出现安全问题", Household, ["是否危房户"];
    OutOfSchool => "是否义务教育阶段适龄儿童少年失学辍学", Household, [];
    Uninsured => "是否有家庭成员未参加城乡居民(职工)基本医疗保险", Household, [];
    UnsafeWater => "是否饮水出现安全问题", Household, [];
    Wages => "工资性收入", Household, [];
    Business => "生产经营性收入", Household, [];
    Property => "财产性收入", Household, [];
    Transfers => "转移性收入", Household, [];
    ProductionCosts => "生产经营性支出", Household, [];
    InsurancePayouts => "理赔收入", Household, ["家庭理赔收入"];
    OutOfPocket => "合规自付支出", Household, [];
    NetIncome => "家庭纯收入", Household, [];
    NetPerCapita => "人均纯收入(元)", Household, ["人均纯收入", "家庭人均纯收入"];
    Relocated => "是否易地扶贫搬迁户", Household, [];
    ResettlementSite => "安置区", Household, ["安置点"];
}
