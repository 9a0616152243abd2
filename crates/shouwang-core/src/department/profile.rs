//! Column profiles (列配置): which columns a kind of department file has, the header names each is
//! known by, and which of them a file must have. A county may replace a column's header names and
//! set the kind's thresholds ([`ProfileEdits`]); the built-in profile is the default.
//!
//! A file's header is matched against the profile once ([`Profile::map_header`]); a file whose
//! header fits another kind better is refused as that kind's file, naming it, and a file without a
//! required column is refused naming the column.

use super::DeptKind;
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A column of department data. The snake-case name keys a pushed JSON record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    IdNumber,
    Name,
    Date,
    EndDate,
    SelfPaid,
    TotalCost,
    Roll,
    Amount,
    DisabilityClass,
    DisabilityGrade,
    School,
    Grade,
    SchoolStatus,
    Cost,
    HouseGrade,
    DisasterType,
    Loss,
    EmploymentStatus,
    MonthlyIncome,
    Event,
    AssetType,
    Note,
}

impl Field {
    pub const ALL: [Field; 22] = [
        Field::IdNumber,
        Field::Name,
        Field::Date,
        Field::EndDate,
        Field::SelfPaid,
        Field::TotalCost,
        Field::Roll,
        Field::Amount,
        Field::DisabilityClass,
        Field::DisabilityGrade,
        Field::School,
        Field::Grade,
        Field::SchoolStatus,
        Field::Cost,
        Field::HouseGrade,
        Field::DisasterType,
        Field::Loss,
        Field::EmploymentStatus,
        Field::MonthlyIncome,
        Field::Event,
        Field::AssetType,
        Field::Note,
    ];

    /// The name a pushed JSON record keys the field by (`id_number`, `self_paid` …).
    pub fn name(self) -> &'static str {
        match self {
            Field::IdNumber => "id_number",
            Field::Name => "name",
            Field::Date => "date",
            Field::EndDate => "end_date",
            Field::SelfPaid => "self_paid",
            Field::TotalCost => "total_cost",
            Field::Roll => "roll",
            Field::Amount => "amount",
            Field::DisabilityClass => "disability_class",
            Field::DisabilityGrade => "disability_grade",
            Field::School => "school",
            Field::Grade => "grade",
            Field::SchoolStatus => "school_status",
            Field::Cost => "cost",
            Field::HouseGrade => "house_grade",
            Field::DisasterType => "disaster_type",
            Field::Loss => "loss",
            Field::EmploymentStatus => "employment_status",
            Field::MonthlyIncome => "monthly_income",
            Field::Event => "event",
            Field::AssetType => "asset_type",
            Field::Note => "note",
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name.trim())
    }

    /// The column's usual Chinese header, as messages name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Field::IdNumber => "证件号码",
            Field::Name => "姓名",
            Field::Date => "日期",
            Field::EndDate => "终止日期",
            Field::SelfPaid => "合规自付",
            Field::TotalCost => "医疗总费用",
            Field::Roll => "救助类型",
            Field::Amount => "金额",
            Field::DisabilityClass => "残疾类别",
            Field::DisabilityGrade => "残疾等级",
            Field::School => "学校",
            Field::Grade => "年级",
            Field::SchoolStatus => "就学状态",
            Field::Cost => "自付费用",
            Field::HouseGrade => "鉴定等级",
            Field::DisasterType => "灾种",
            Field::Loss => "损失金额",
            Field::EmploymentStatus => "就业状态",
            Field::MonthlyIncome => "月收入",
            Field::Event => "事件",
            Field::AssetType => "资产类型",
            Field::Note => "说明",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Field::IdNumber => "ID number",
            Field::Name => "name",
            Field::Date => "date",
            Field::EndDate => "end date",
            Field::SelfPaid => "compliant out-of-pocket",
            Field::TotalCost => "total medical cost",
            Field::Roll => "roll",
            Field::Amount => "amount",
            Field::DisabilityClass => "disability class",
            Field::DisabilityGrade => "disability grade",
            Field::School => "school",
            Field::Grade => "grade",
            Field::SchoolStatus => "school status",
            Field::Cost => "out-of-pocket cost",
            Field::HouseGrade => "house grade",
            Field::DisasterType => "disaster type",
            Field::Loss => "loss",
            Field::EmploymentStatus => "employment status",
            Field::MonthlyIncome => "monthly income",
            Field::Event => "event",
            Field::AssetType => "asset type",
            Field::Note => "note",
        }
    }
}

/// A column of a built-in profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    pub field: Field,
    pub required: bool,
    /// Header names it is known by, the usual one first
    pub headers: &'static [&'static str],
}

const fn col(field: Field, required: bool, headers: &'static [&'static str]) -> ColumnDef {
    ColumnDef {
        field,
        required,
        headers,
    }
}

const ID: ColumnDef = col(
    Field::IdNumber,
    true,
    &[
        "证件号码",
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号",
        "身份证",
        "参保人身份证号",
    ],
);
const NAME: ColumnDef = col(
    Field::Name,
    false,
    &["姓名", "参保人姓名", "人员姓名", "户主姓名"],
);

const MEDICAL: &[ColumnDef] = &[
    ID,
    NAME,
    col(
        Field::Date,
        false,
        &["结算日期", "就诊日期", "出院日期", "日期"],
    ),
    col(
        Field::TotalCost,
        false,
        &["医疗总费用", "总费用", "医疗费用总额"],
    ),
    col(
        Field::SelfPaid,
        true,
        &[
            "合规自付",
            "个人自付",
            "政策范围内个人自付",
            "个人负担",
            "自付金额",
        ],
    ),
];
const ROSTER: &[ColumnDef] = &[
    ID,
    NAME,
    col(
        Field::Roll,
        true,
        &["救助类型", "保障类型", "类别", "对象类别"],
    ),
    col(
        Field::Date,
        false,
        &["起始月份", "起始日期", "纳入时间", "开始时间"],
    ),
    col(Field::EndDate, false, &["终止月份", "终止日期", "退出时间"]),
    col(Field::Amount, false, &["金额", "保障金额", "月保障金"]),
];
const DISABILITY: &[ColumnDef] = &[
    ID,
    NAME,
    col(Field::DisabilityClass, false, &["残疾类别", "残疾类型"]),
    col(Field::DisabilityGrade, true, &["残疾等级", "等级"]),
    col(Field::Date, false, &["办证日期", "发证日期", "评定日期"]),
];
const EDUCATION: &[ColumnDef] = &[
    ID,
    NAME,
    col(Field::School, false, &["学校", "学校名称", "就读学校"]),
    col(Field::Grade, false, &["年级", "就读年级"]),
    col(Field::SchoolStatus, true, &["状态", "就学状态", "学籍状态"]),
    col(
        Field::Cost,
        false,
        &["自付费用", "个人负担费用", "就学费用"],
    ),
    col(Field::Date, false, &["日期", "变动日期", "学年"]),
];
const HOUSING: &[ColumnDef] = &[
    col(
        Field::IdNumber,
        true,
        &[
            "证件号码",
            "户主证件号码",
            "户主身份证号",
            "身份证号",
            "身份证号码",
        ],
    ),
    NAME,
    col(Field::HouseGrade, true, &["鉴定等级", "危房等级", "等级"]),
    col(Field::Date, false, &["鉴定日期", "日期"]),
];
const DISASTER: &[ColumnDef] = &[
    ID,
    NAME,
    col(
        Field::DisasterType,
        false,
        &["灾种", "灾害类型", "受灾类型"],
    ),
    col(Field::Date, false, &["受灾日期", "日期"]),
    col(Field::Loss, true, &["损失金额", "经济损失", "直接经济损失"]),
];
const EMPLOYMENT: &[ColumnDef] = &[
    ID,
    NAME,
    col(
        Field::EmploymentStatus,
        true,
        &["状态", "就业状态", "人员状态"],
    ),
    col(Field::Date, false, &["日期", "登记日期", "变动日期"]),
    col(Field::MonthlyIncome, false, &["月收入", "月工资"]),
];
const POLICE: &[ColumnDef] = &[
    ID,
    NAME,
    col(Field::Event, false, &["事件", "变动类型", "注销原因"]),
    col(
        Field::Date,
        true,
        &["死亡日期", "迁出日期", "注销日期", "日期"],
    ),
];
const ASSETS: &[ColumnDef] = &[
    ID,
    NAME,
    col(Field::AssetType, true, &["资产类型", "类型", "核查类型"]),
    col(Field::Note, false, &["说明", "资产说明", "备注", "详情"]),
    col(Field::Date, false, &["日期", "登记日期", "核查日期"]),
];

/// The built-in columns of a kind (FORMATS.md §2): the key column first.
pub fn builtin(kind: DeptKind) -> &'static [ColumnDef] {
    match kind {
        DeptKind::Medical => MEDICAL,
        DeptKind::Roster => ROSTER,
        DeptKind::Disability => DISABILITY,
        DeptKind::Education => EDUCATION,
        DeptKind::Housing => HOUSING,
        DeptKind::Disaster => DISASTER,
        DeptKind::Employment => EMPLOYMENT,
        DeptKind::Police => POLICE,
        DeptKind::Assets => ASSETS,
    }
}

/// A threshold a county may set per kind, overriding the year's standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdKey {
    MedicalPercentRegistered,
    MedicalPercentOthers,
    MedicalAmountRegistered,
    MedicalAmountOthers,
    SchoolingCost,
    DisasterLoss,
}

impl ThresholdKey {
    pub const ALL: [ThresholdKey; 6] = [
        ThresholdKey::MedicalPercentRegistered,
        ThresholdKey::MedicalPercentOthers,
        ThresholdKey::MedicalAmountRegistered,
        ThresholdKey::MedicalAmountOthers,
        ThresholdKey::SchoolingCost,
        ThresholdKey::DisasterLoss,
    ];

    /// The kind whose alerts it governs.
    pub fn kind(self) -> DeptKind {
        match self {
            ThresholdKey::MedicalPercentRegistered
            | ThresholdKey::MedicalPercentOthers
            | ThresholdKey::MedicalAmountRegistered
            | ThresholdKey::MedicalAmountOthers => DeptKind::Medical,
            ThresholdKey::SchoolingCost => DeptKind::Education,
            ThresholdKey::DisasterLoss => DeptKind::Disaster,
        }
    }

    /// The thresholds of `kind`, in the order a page shows them.
    pub fn of(kind: DeptKind) -> impl Iterator<Item = ThresholdKey> {
        ThresholdKey::ALL
            .into_iter()
            .filter(move |k| k.kind() == kind)
    }

    pub fn name(self) -> &'static str {
        match self {
            ThresholdKey::MedicalPercentRegistered => "medical_percent_registered",
            ThresholdKey::MedicalPercentOthers => "medical_percent_others",
            ThresholdKey::MedicalAmountRegistered => "medical_amount_registered",
            ThresholdKey::MedicalAmountOthers => "medical_amount_others",
            ThresholdKey::SchoolingCost => "schooling_cost_threshold",
            ThresholdKey::DisasterLoss => "disaster_loss_threshold",
        }
    }

    pub fn parse(name: &str) -> Option<ThresholdKey> {
        ThresholdKey::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ThresholdKey::MedicalPercentRegistered => {
                "脱贫、监测人口：占上年农村居民人均可支配收入的比例"
            }
            ThresholdKey::MedicalPercentOthers => "其他人口：占上年农村居民人均可支配收入的比例",
            ThresholdKey::MedicalAmountRegistered => "脱贫、监测人口：累计合规自付金额",
            ThresholdKey::MedicalAmountOthers => "其他人口：累计合规自付金额",
            ThresholdKey::SchoolingCost => "就学自付费用",
            ThresholdKey::DisasterLoss => "灾害损失金额",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ThresholdKey::MedicalPercentRegistered => {
                "脱贫 and monitored persons: share of last year's rural disposable income"
            }
            ThresholdKey::MedicalPercentOthers => {
                "other persons: share of last year's rural disposable income"
            }
            ThresholdKey::MedicalAmountRegistered => {
                "脱贫 and monitored persons: cumulative out-of-pocket amount"
            }
            ThresholdKey::MedicalAmountOthers => "other persons: cumulative out-of-pocket amount",
            ThresholdKey::SchoolingCost => "out-of-pocket school cost",
            ThresholdKey::DisasterLoss => "disaster loss",
        }
    }

    /// Whether the value is a percent (else an amount in 分).
    pub fn is_percent(self) -> bool {
        matches!(
            self,
            ThresholdKey::MedicalPercentRegistered | ThresholdKey::MedicalPercentOthers
        )
    }

    /// The accepted range (percent, or 分).
    pub fn range(self) -> (i64, i64) {
        if self.is_percent() {
            (1, 300)
        } else {
            (1, 1_000_000_000)
        }
    }
}

/// A county's edits of one kind's profile: the header names of a column (replacing the built-in
/// ones) and thresholds. Stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileEdits {
    #[serde(default)]
    pub headers: BTreeMap<Field, Vec<String>>,
    #[serde(default)]
    pub thresholds: BTreeMap<ThresholdKey, i64>,
}

/// At most this many header names per column, each at most [`MAX_HEADER_CHARS`].
pub const MAX_HEADERS: usize = 12;
pub const MAX_HEADER_CHARS: usize = 40;

impl ProfileEdits {
    /// Checks the edits against `kind`: only the kind's columns and thresholds, each required
    /// column (the key column first) left with a header, no header naming two columns, names
    /// and thresholds within bounds.
    pub fn check(&self, kind: DeptKind) -> Vec<Problem> {
        let mut out = Vec::new();
        let cols = builtin(kind);
        let bad = |field: &str, zh: String, en: String| {
            Problem::new(ProblemCode::DeptProfile, field, zh, en)
        };
        for (field, names) in &self.headers {
            let Some(def) = cols.iter().find(|c| c.field == *field) else {
                out.push(bad(
                    field.name(),
                    format!("{}数据没有“{}”列", kind.label_zh(), field.label_zh()),
                    format!(
                        "{} data has no column {}",
                        kind.label_en(),
                        field.label_en()
                    ),
                ));
                continue;
            };
            let kept = names.iter().filter(|n| !normalise(n).is_empty()).count();
            if def.required && kept == 0 {
                out.push(bad(
                    field.name(),
                    format!("必需的“{}”列至少要有一个表头名称", field.label_zh()),
                    format!(
                        "the required column {} needs at least one header name",
                        field.label_en()
                    ),
                ));
            }
            if names.len() > MAX_HEADERS
                || names.iter().any(|n| n.chars().count() > MAX_HEADER_CHARS)
            {
                out.push(bad(
                    field.name(),
                    format!("“{}”列最多{MAX_HEADERS}个表头名称，每个不超过{MAX_HEADER_CHARS}个字", field.label_zh()),
                    format!(
                        "column {}: at most {MAX_HEADERS} header names of at most {MAX_HEADER_CHARS} characters",
                        field.label_en()
                    ),
                ));
            }
        }
        let profile = Profile::of(kind, self);
        let mut seen: BTreeMap<String, Field> = BTreeMap::new();
        for (field, _, names) in &profile.columns {
            for n in names {
                let key = normalise(n);
                match seen.get(&key) {
                    Some(other) if other != field => out.push(bad(
                        field.name(),
                        format!(
                            "表头“{n}”同时用于“{}”和“{}”两列",
                            other.label_zh(),
                            field.label_zh()
                        ),
                        format!(
                            "header {n} names both {} and {}",
                            other.label_en(),
                            field.label_en()
                        ),
                    )),
                    _ => {
                        seen.insert(key, *field);
                    }
                }
            }
        }
        for (key, v) in &self.thresholds {
            let (lo, hi) = key.range();
            if key.kind() != kind || !(lo..=hi).contains(v) {
                out.push(Problem::new(
                    ProblemCode::DeptThreshold,
                    key.name(),
                    format!("{}应在{lo}至{hi}之间，而不是{v}", key.label_zh()),
                    format!("{} must be between {lo} and {hi}, not {v}", key.label_en()),
                ));
            }
        }
        out
    }
}

/// A kind's profile in force: the built-in columns with the county's header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub kind: DeptKind,
    /// (column, required, header names)
    pub columns: Vec<(Field, bool, Vec<String>)>,
}

/// Where each column of a profile is in a file's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMap {
    pub kind: DeptKind,
    positions: Vec<(Field, usize)>,
    /// The header as the file wrote it, to name columns in messages
    pub header: Vec<String>,
}

impl ColumnMap {
    /// The position of `field` in a row, if the file has the column.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, i)| *i)
    }

    /// The cell of `field` in `cells`, trimmed; `None` when the file has no such column or the
    /// row is shorter.
    pub fn cell<'a>(&self, field: Field, cells: &'a [String]) -> Option<&'a str> {
        self.position(field)
            .and_then(|i| cells.get(i))
            .map(|c| c.trim())
    }

    /// The header the file gives `field`, or its usual name.
    pub fn header_of(&self, field: Field) -> &str {
        self.position(field)
            .and_then(|i| self.header.get(i))
            .map_or(field.label_zh(), String::as_str)
    }

    /// The columns the file has, in the file's order.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.positions.iter().map(|(f, _)| *f)
    }

    /// A map of a pushed JSON record's own keys: every column of the kind, by its name.
    pub fn for_names(kind: DeptKind) -> ColumnMap {
        ColumnMap {
            kind,
            positions: builtin(kind)
                .iter()
                .enumerate()
                .map(|(i, c)| (c.field, i))
                .collect(),
            header: builtin(kind)
                .iter()
                .map(|c| c.field.name().to_string())
                .collect(),
        }
    }
}

/// A header cell as compared: without spaces, asterisks (必填 marks) and line breaks,
/// full-width brackets made half-width, lower-case.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊' && *c != '\u{feff}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

impl Profile {
    /// The built-in profile of `kind` with the county's `edits`.
    pub fn of(kind: DeptKind, edits: &ProfileEdits) -> Profile {
        Profile {
            kind,
            columns: builtin(kind)
                .iter()
                .map(|c| {
                    let names = edits
                        .headers
                        .get(&c.field)
                        .cloned()
                        .unwrap_or_else(|| c.headers.iter().map(|h| h.to_string()).collect());
                    (c.field, c.required, names)
                })
                .collect(),
        }
    }

    pub fn builtin(kind: DeptKind) -> Profile {
        Profile::of(kind, &ProfileEdits::default())
    }

    /// The columns of this profile found in `header`, the first header cell a column's name
    /// matches taking it.
    fn find(&self, header: &[String]) -> Vec<(Field, usize)> {
        let cells: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        let mut taken = vec![false; cells.len()];
        let mut out = Vec::new();
        for (field, _, names) in &self.columns {
            let wanted: Vec<String> = names.iter().map(|n| normalise(n)).collect();
            // the first name in the profile's order wins, so "死亡日期" beats "日期"
            let hit = wanted.iter().find_map(|w| {
                cells
                    .iter()
                    .enumerate()
                    .find(|(i, c)| !taken[*i] && !w.is_empty() && *c == w)
                    .map(|(i, _)| i)
            });
            if let Some(i) = hit {
                taken[i] = true;
                out.push((*field, i));
            }
        }
        out
    }

    /// Maps a file's header to this profile. A header missing a required column is refused
    /// naming it, or, when it has every required column of another kind and not this one's,
    /// refused as that kind's file.
    pub fn map_header(&self, header: &[String]) -> Result<ColumnMap, Problem> {
        let found = self.find(header);
        let missing: Vec<Field> = self
            .columns
            .iter()
            .filter(|(f, required, _)| *required && !found.iter().any(|(g, _)| g == f))
            .map(|(f, _, _)| *f)
            .collect();
        if missing.is_empty() {
            return Ok(ColumnMap {
                kind: self.kind,
                positions: found,
                header: header.to_vec(),
            });
        }
        if let Some(other) = guess_kind(header).filter(|k| *k != self.kind) {
            return Err(Problem::new(
                ProblemCode::DeptWrongKind,
                "kind",
                format!(
                    "这是{}数据文件（{}），不是{}数据：请选择正确的种类",
                    other.label_zh(),
                    other.content_zh(),
                    self.kind.label_zh()
                ),
                format!(
                    "this is a file of {} data ({}), not {}: choose the right kind",
                    other.label_en(),
                    other.content_en(),
                    self.kind.label_en()
                ),
            ));
        }
        let names_zh: Vec<String> = missing
            .iter()
            .map(|f| {
                let names = &self
                    .columns
                    .iter()
                    .find(|c| c.0 == *f)
                    .map(|c| c.2.clone())
                    .unwrap_or_default();
                format!("“{}”（可用表头：{}）", f.label_zh(), names.join("、"))
            })
            .collect();
        let names_en: Vec<&str> = missing.iter().map(|f| f.label_en()).collect();
        Err(Problem::new(
            ProblemCode::DeptColumnMissing,
            missing[0].name(),
            format!(
                "{}数据文件缺少必需的列：{}",
                self.kind.label_zh(),
                names_zh.join("；")
            ),
            format!(
                "the {} file lacks the required column(s): {}",
                self.kind.label_en(),
                names_en.join(", ")
            ),
        ))
    }
}

/// The kind whose built-in required columns are all in `header`, the one matching the most
/// columns when several do; `None` when no kind's are.
pub fn guess_kind(header: &[String]) -> Option<DeptKind> {
    DeptKind::ALL
        .iter()
        .filter_map(|k| {
            let p = Profile::builtin(*k);
            let found = p.find(header);
            let complete = p
                .columns
                .iter()
                .filter(|(_, r, _)| *r)
                .all(|(f, _, _)| found.iter().any(|(g, _)| g == f));
            complete.then_some((found.len(), *k))
        })
        .max_by_key(|(n, k)| (*n, std::cmp::Reverse(k.code())))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_medical_header_is_found_under_its_aliases_in_any_order() {
        let p = Profile::builtin(DeptKind::Medical);
        let m = p
            .map_header(&header(&[
                "序号",
                "参保人姓名",
                " 身份证号 ",
                "个人自付（元）",
                "个人自付",
                "结算日期",
            ]))
            .unwrap();
        assert_eq!(m.position(Field::IdNumber), Some(2));
        assert_eq!(m.position(Field::Name), Some(1));
        assert_eq!(
            m.position(Field::SelfPaid),
            Some(4),
            "only the exact name counts"
        );
        assert_eq!(m.position(Field::Date), Some(5));
        assert_eq!(m.position(Field::TotalCost), None);
    }

    #[test]
    fn a_file_without_its_key_column_is_refused_naming_the_column() {
        let p = Profile::builtin(DeptKind::Medical);
        let e = p.map_header(&header(&["姓名", "个人自付"])).unwrap_err();
        assert_eq!(e.code, ProblemCode::DeptColumnMissing);
        assert!(e.zh.contains("证件号码"), "{}", e.zh);
    }

    #[test]
    fn a_file_of_another_kind_is_refused_as_that_kind() {
        let p = Profile::builtin(DeptKind::Medical);
        let e = p
            .map_header(&header(&[
                "证件号码",
                "姓名",
                "残疾类别",
                "残疾等级",
                "办证日期",
            ]))
            .unwrap_err();
        assert_eq!(e.code, ProblemCode::DeptWrongKind);
        assert!(e.zh.contains("残联"), "{}", e.zh);
        assert_eq!(
            guess_kind(&header(&["证件号码", "鉴定等级"])),
            Some(DeptKind::Housing)
        );
    }

    #[test]
    fn a_county_header_name_replaces_the_built_in_ones() {
        let mut edits = ProfileEdits::default();
        edits
            .headers
            .insert(Field::SelfPaid, vec!["本年自付累计".into()]);
        assert!(edits.check(DeptKind::Medical).is_empty());
        let p = Profile::of(DeptKind::Medical, &edits);
        assert!(p.map_header(&header(&["证件号码", "本年自付累计"])).is_ok());
        assert!(p.map_header(&header(&["证件号码", "个人自付"])).is_err());
    }

    #[test]
    fn edits_that_leave_the_key_column_without_a_header_or_share_a_header_are_refused() {
        let mut edits = ProfileEdits::default();
        edits.headers.insert(Field::IdNumber, vec!["  ".into()]);
        let p = edits.check(DeptKind::Medical);
        assert!(p
            .iter()
            .any(|p| p.code == ProblemCode::DeptProfile && p.field == "id_number"));
        let mut edits = ProfileEdits::default();
        edits.headers.insert(Field::Name, vec!["个人自付".into()]);
        assert!(edits
            .check(DeptKind::Medical)
            .iter()
            .any(|p| p.zh.contains("同时用于")));
        let mut edits = ProfileEdits::default();
        edits.thresholds.insert(ThresholdKey::DisasterLoss, 5);
        assert!(
            !edits.check(DeptKind::Medical).is_empty(),
            "a disaster threshold is not the medical profile's"
        );
        edits.thresholds.clear();
        edits
            .thresholds
            .insert(ThresholdKey::MedicalPercentOthers, 0);
        assert_eq!(
            edits.check(DeptKind::Medical)[0].code,
            ProblemCode::DeptThreshold
        );
    }

    #[test]
    fn every_built_in_profile_starts_with_its_key_column_and_names_no_header_twice() {
        for k in DeptKind::ALL {
            let cols = builtin(*k);
            assert_eq!(cols[0].field, Field::IdNumber);
            assert!(cols[0].required);
            assert!(ProfileEdits::default().check(*k).is_empty(), "{k:?}");
            // a file with exactly the usual headers is read as its own kind
            let usual: Vec<String> = cols.iter().map(|c| c.headers[0].to_string()).collect();
            assert!(Profile::builtin(*k).map_header(&usual).is_ok(), "{k:?}");
            assert_eq!(guess_kind(&usual), Some(*k), "{k:?}");
        }
    }
}
