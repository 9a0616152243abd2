//! The ledger's columns (台账列): their names in the national order, the aliases seen in the
//! wild, header-name normalisation, and the map from a file's header row to column positions.

use super::LedgerError;

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
            fn aliases(self) -> &'static [&'static str] {
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

/// The header whose yes/no values mean the opposite of [`Col::UnsafeWater`] (是否解决安全饮用水:
/// 是 = safe water = not a water problem).
pub const INVERSE_WATER_HEADER: &str = "是否解决安全饮用水";

/// The columns that must be present (the village by one of its columns, see [`HeaderMap::new`]).
pub const REQUIRED: &[Col] = &[Col::HouseholdNo, Col::Name, Col::IdNumber, Col::Relation];

/// The error workbook's two extra columns.
pub const ERROR_COLUMN: &str = "错误列";
pub const ERROR_REASON: &str = "错误原因";

/// Normalises a header cell: all whitespace removed (Excel headers often carry line breaks),
/// full-width parentheses, brackets and slashes turned into ASCII.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' | '［' | '【' | '[' => '(',
            '）' | '］' | '】' | ']' => ')',
            '／' => '/',
            '：' => ':',
            c => c,
        })
        .collect()
}

/// Finds the column a (normalised) header names, and whether its yes/no values are inverted.
pub fn lookup(normalised: &str) -> Option<(Col, bool)> {
    if normalised == INVERSE_WATER_HEADER {
        return Some((Col::UnsafeWater, true));
    }
    Col::ALL
        .iter()
        .copied()
        .find(|c| {
            normalise_header(c.name()) == normalised
                || c.aliases()
                    .iter()
                    .any(|a| normalise_header(a) == normalised)
        })
        .map(|c| (c, false))
}

/// Whether a row is the header row: it holds both 证件号码 and 姓名 (or their aliases).
pub fn is_header_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let (mut id, mut name) = (false, false);
    for c in cells {
        match lookup(&normalise_header(c)) {
            Some((Col::IdNumber, _)) => id = true,
            Some((Col::Name, _)) => name = true,
            _ => {}
        }
    }
    id && name
}

/// Where each known column sits in a file, from its header row.
#[derive(Clone, Debug)]
pub struct HeaderMap {
    /// The header cells as the file wrote them (for the error workbook).
    pub original: Vec<String>,
    /// The 1-based row number of the header row.
    pub row: usize,
    positions: Vec<Option<usize>>,
    inverted_water: bool,
    /// Headers that name no known column, once each, in file order (未识别的列).
    pub unknown: Vec<String>,
}

impl HeaderMap {
    /// Maps a header row. A missing required column, or a column given twice, is an error.
    pub fn new(original: Vec<String>, row: usize) -> Result<HeaderMap, LedgerError> {
        let mut positions = vec![None; Col::ALL.len()];
        let mut inverted_water = false;
        let mut unknown: Vec<String> = Vec::new();
        for (i, h) in original.iter().enumerate() {
            let n = normalise_header(h);
            if n.is_empty() {
                continue;
            }
            match lookup(&n) {
                Some((col, inverse)) => {
                    let slot = &mut positions[col as usize];
                    if let Some(first) = *slot {
                        return Err(LedgerError::DuplicateColumn {
                            column: col.name().to_string(),
                            first: original.get(first).cloned().unwrap_or_default(),
                            second: h.clone(),
                        });
                    }
                    *slot = Some(i);
                    if col == Col::UnsafeWater {
                        inverted_water = inverse;
                    }
                }
                None => {
                    if !unknown.contains(&n) {
                        unknown.push(n);
                    }
                }
            }
        }
        let map = HeaderMap {
            original,
            row,
            positions,
            inverted_water,
            unknown,
        };
        for col in REQUIRED {
            if !map.has(*col) {
                return Err(LedgerError::MissingColumn {
                    column: col.name().to_string(),
                });
            }
        }
        if !map.has(Col::Village) && !map.has(Col::VillageCode) {
            return Err(LedgerError::MissingColumn {
                column: "村（或行政村、村代码）".to_string(),
            });
        }
        Ok(map)
    }

    /// The position of a column in the row, if the file has it.
    pub fn position(&self, col: Col) -> Option<usize> {
        self.positions.get(col as usize).copied().flatten()
    }
    pub fn has(&self, col: Col) -> bool {
        self.position(col).is_some()
    }
    /// True when the water column is the inverse alias 是否解决安全饮用水.
    pub fn water_inverted(&self) -> bool {
        self.inverted_water
    }
    /// The header as the file wrote it for a column (for messages), else the canonical name.
    pub fn header_of(&self, col: Col) -> String {
        self.position(col)
            .and_then(|i| self.original.get(i))
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|| col.name().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<HeaderMap, LedgerError> {
        HeaderMap::new(cells.iter().map(|s| s.to_string()).collect(), 3)
    }

    #[test]
    fn full_width_parentheses_and_spaces_do_not_matter() {
        assert_eq!(
            lookup(&normalise_header(" 务工时间（月） ")),
            Some((Col::MigrantMonths, false))
        );
        assert_eq!(
            lookup(&normalise_header("公益性岗位【月数】")),
            Some((Col::WelfareJobMonths, false))
        );
        assert_eq!(
            lookup(&normalise_header("人均纯收入\n（元）")),
            Some((Col::NetPerCapita, false))
        );
    }

    #[test]
    fn national_region_headers_and_aliases_are_recognised() {
        assert_eq!(
            lookup(&normalise_header("县(市、区、旗)")),
            Some((Col::County, false))
        );
        assert_eq!(
            lookup(&normalise_header("乡（镇）")),
            Some((Col::Township, false))
        );
        assert_eq!(lookup("行政村"), Some((Col::Village, false)));
        assert_eq!(lookup("是否危房户"), Some((Col::UnsafeHousing, false)));
        assert_eq!(lookup("是否解决安全饮用水"), Some((Col::UnsafeWater, true)));
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let err = header(&["户编号", "姓名", "证件号码", "村"]).unwrap_err();
        assert!(err.to_string().contains("与户主关系"), "{err}");
        let err = header(&["户编号", "姓名", "证件号码", "与户主关系"]).unwrap_err();
        assert!(err.to_string().contains("村"), "{err}");
    }

    #[test]
    fn unknown_columns_are_listed_once() {
        let map = header(&[
            "户编号",
            "姓名",
            "证件号码",
            "与户主关系",
            "行政村",
            "备注",
            "备注",
            "",
        ])
        .unwrap();
        assert_eq!(map.unknown, ["备注"]);
        assert_eq!(map.position(Col::Village), Some(4));
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let err =
            header(&["户编号", "姓名", "证件号码", "与户主关系", "村", "行政村"]).unwrap_err();
        assert!(err.to_string().contains("行政村"), "{err}");
    }

    #[test]
    fn every_canonical_name_maps_back_to_its_column() {
        for c in Col::ALL {
            assert_eq!(
                lookup(&normalise_header(c.name())),
                Some((*c, false)),
                "{}",
                c.name()
            );
        }
    }
}
