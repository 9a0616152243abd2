//! The rule catalogue (筛查规则目录) and a county's rule set (规则集): which rules run, at which
//! warning level, with which parameters.
//!
//! Thresholds live in one place, the year's [`Standard`](crate::standard::Standard); each rule
//! parameter reads its standard field unless the rule set overrides it (a county editing "within
//! N %" in the rule page). Overrides are checked against the parameter's range.

use super::level::WarningLevel;
use crate::monitoring::RiskType;
use crate::problem::{Problem, ProblemCode};
use crate::standard::ResolvedStandard;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version of the catalogue's definitions (rule meanings). A screening run records it beside
/// the rule set's own version, so that old hits stay explainable after the catalogue changes.
/// 2026.1: R13 reads the open department alerts (部门预警) of the year, names each (department,
/// rule, date, amount) and takes the most urgent alert's risk instead of 其他.
pub const CATALOGUE_VERSION: &str = "2026.1";

/// A rule of the catalogue. The discriminant is the bit of the rule in a hit mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
#[repr(u8)]
pub enum RuleId {
    /// R01 人均纯收入低于监测线
    IncomeBelowLine = 0,
    /// R02 人均纯收入接近监测线
    IncomeNearLine,
    /// R03 人均纯收入较上年大幅下降
    IncomeDrop,
    /// R04 合规自付支出过大（刚性支出）
    RigidExpenditure,
    /// R05 住房出现安全问题
    UnsafeHousing,
    /// R06 义务教育阶段适龄儿童少年失学辍学
    SchoolDropout,
    /// R07 家庭成员未参加基本医疗保险
    MemberUninsured,
    /// R08 饮水出现安全问题
    UnsafeWater,
    /// R09 患有大病的成员未参加基本医疗保险
    SeriousIllnessUninsured,
    /// R10 残疾成员未参加基本医疗保险
    DisabilityUninsured,
    /// R11 整户无劳动能力
    NoLabourCapacity,
    /// R12 非义务教育阶段就学费用高
    SchoolingCost,
    /// R13 部门预警
    DepartmentAlert,
}

/// A rule parameter (规则参数).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKey {
    /// R02: percent above the line still "near" (临界线幅度)
    NearLinePercent,
    /// R03: drop in percent (收入骤降幅度)
    IncomeDropPercent,
    /// R04: percent of household net income (刚性支出占比)
    RigidExpenditurePercent,
    /// R04: amount in 分 (刚性支出金额)
    RigidExpenditureAmount,
    /// R12: amount in 分 (非义务教育阶段费用)
    SchoolingCostThreshold,
}

/// The unit of a parameter or an evidence value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 分 (shown in 元)
    Fen,
    /// whole percent
    Percent,
    /// persons
    Persons,
    /// yes (1) / no (0)
    Flag,
}

/// A parameter's definition: what it means, its range and the standard field it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ParamDef {
    pub key: ParamKey,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: Unit,
    /// Inclusive range of accepted values (in the unit; 分 for amounts)
    pub min: i64,
    pub max: i64,
    /// The [`ResolvedStandard`] field it defaults to
    pub standard_field: &'static str,
}

impl ParamKey {
    pub const ALL: [ParamKey; 5] = [
        ParamKey::NearLinePercent,
        ParamKey::IncomeDropPercent,
        ParamKey::RigidExpenditurePercent,
        ParamKey::RigidExpenditureAmount,
        ParamKey::SchoolingCostThreshold,
    ];

    /// The parameter of a typed name (`near_line_percent`), as the API and what-if edits name it.
    pub fn parse(name: &str) -> Option<ParamKey> {
        ParamKey::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// The parameter's name in edits and the API.
    pub fn name(self) -> &'static str {
        match self {
            ParamKey::NearLinePercent => "near_line_percent",
            ParamKey::IncomeDropPercent => "income_drop_percent",
            ParamKey::RigidExpenditurePercent => "rigid_expenditure_percent",
            ParamKey::RigidExpenditureAmount => "rigid_expenditure_amount",
            ParamKey::SchoolingCostThreshold => "schooling_cost_threshold",
        }
    }

    pub fn def(self) -> ParamDef {
        let d = |name_zh, name_en, unit, min, max, standard_field| ParamDef {
            key: self,
            name_zh,
            name_en,
            unit,
            min,
            max,
            standard_field,
        };
        match self {
            ParamKey::NearLinePercent => d(
                "临界线幅度",
                "near-line margin",
                Unit::Percent,
                0,
                100,
                "near_line_percent",
            ),
            ParamKey::IncomeDropPercent => d(
                "收入骤降幅度",
                "income drop",
                Unit::Percent,
                1,
                100,
                "income_drop_percent",
            ),
            ParamKey::RigidExpenditurePercent => d(
                "刚性支出占纯收入比例",
                "share of net income",
                Unit::Percent,
                1,
                300,
                "rigid_expenditure_percent",
            ),
            ParamKey::RigidExpenditureAmount => d(
                "刚性支出金额",
                "rigid expenditure amount",
                Unit::Fen,
                1,
                1_000_000_000,
                "rigid_expenditure_amount",
            ),
            ParamKey::SchoolingCostThreshold => d(
                "非义务教育阶段费用",
                "non-compulsory schooling cost",
                Unit::Fen,
                1,
                1_000_000_000,
                "schooling_cost_threshold",
            ),
        }
    }

    /// The value the year's standard gives.
    pub fn from_standard(self, s: &ResolvedStandard) -> i64 {
        match self {
            ParamKey::NearLinePercent => s.near_line_percent,
            ParamKey::IncomeDropPercent => s.income_drop_percent,
            ParamKey::RigidExpenditurePercent => s.rigid_expenditure_percent,
            ParamKey::RigidExpenditureAmount => s.rigid_expenditure_amount.0,
            ParamKey::SchoolingCostThreshold => s.schooling_cost_threshold.0,
        }
    }
}

/// Where the data a rule reads comes from; evidence names the source and its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceSlot {
    /// 收入 records
    Income,
    /// 三保障和饮水安全 records
    Guarantees,
    /// 家庭成员 (the registry)
    Members,
    /// 部门数据 (department batches)
    Department,
}

impl SourceSlot {
    pub const ALL: [SourceSlot; 4] = [
        SourceSlot::Income,
        SourceSlot::Guarantees,
        SourceSlot::Members,
        SourceSlot::Department,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A rule's definition in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleDef {
    pub id: RuleId,
    /// Stable code, `R01` …
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The risk it indicates (致贫返贫风险). Income rules say 其他: the cause is found on the visit.
    pub risk: RiskType,
    pub default_level: WarningLevel,
    pub params: &'static [ParamKey],
    pub source: SourceSlot,
}

// one positional row per rule keeps the catalogue readable as a table
#[allow(clippy::too_many_arguments)]
const fn rule(
    id: RuleId,
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    risk: RiskType,
    default_level: WarningLevel,
    params: &'static [ParamKey],
    source: SourceSlot,
) -> RuleDef {
    RuleDef {
        id,
        code,
        name_zh,
        name_en,
        risk,
        default_level,
        params,
        source,
    }
}

use RiskType as Rt;
use SourceSlot as Src;
use WarningLevel::{Blue, Red, Yellow};

/// The catalogue, in bit order.
pub const CATALOGUE: [RuleDef; 13] = [
    rule(
        RuleId::IncomeBelowLine,
        "R01",
        "人均纯收入低于监测线",
        "per-capita net income below the line",
        Rt::Other,
        Red,
        &[],
        Src::Income,
    ),
    rule(
        RuleId::IncomeNearLine,
        "R02",
        "人均纯收入接近监测线",
        "per-capita net income just above the line",
        Rt::Other,
        Blue,
        &[ParamKey::NearLinePercent],
        Src::Income,
    ),
    rule(
        RuleId::IncomeDrop,
        "R03",
        "人均纯收入较上年大幅下降",
        "per-capita net income fell sharply from last year",
        Rt::Other,
        Yellow,
        &[ParamKey::IncomeDropPercent],
        Src::Income,
    ),
    rule(
        RuleId::RigidExpenditure,
        "R04",
        "合规自付支出过大",
        "large out-of-pocket medical costs",
        Rt::Illness,
        Yellow,
        &[
            ParamKey::RigidExpenditurePercent,
            ParamKey::RigidExpenditureAmount,
        ],
        Src::Income,
    ),
    rule(
        RuleId::UnsafeHousing,
        "R05",
        "住房出现安全问题",
        "unsafe housing",
        Rt::UnsafeHousing,
        Red,
        &[],
        Src::Guarantees,
    ),
    rule(
        RuleId::SchoolDropout,
        "R06",
        "义务教育阶段适龄儿童少年失学辍学",
        "school-age child out of compulsory education",
        Rt::Schooling,
        Red,
        &[],
        Src::Guarantees,
    ),
    rule(
        RuleId::MemberUninsured,
        "R07",
        "家庭成员未参加基本医疗保险",
        "member without basic medical insurance",
        Rt::Illness,
        Yellow,
        &[],
        Src::Guarantees,
    ),
    rule(
        RuleId::UnsafeWater,
        "R08",
        "饮水出现安全问题",
        "unsafe drinking water",
        Rt::UnsafeWater,
        Red,
        &[],
        Src::Guarantees,
    ),
    rule(
        RuleId::SeriousIllnessUninsured,
        "R09",
        "患有大病的成员未参加基本医疗保险",
        "seriously ill member without basic medical insurance",
        Rt::Illness,
        Red,
        &[],
        Src::Members,
    ),
    rule(
        RuleId::DisabilityUninsured,
        "R10",
        "残疾成员未参加基本医疗保险",
        "disabled member without basic medical insurance",
        Rt::Disability,
        Red,
        &[],
        Src::Members,
    ),
    rule(
        RuleId::NoLabourCapacity,
        "R11",
        "整户无劳动能力",
        "no member able to work",
        Rt::LackOfLabour,
        Yellow,
        &[],
        Src::Members,
    ),
    rule(
        RuleId::SchoolingCost,
        "R12",
        "非义务教育阶段就学费用高",
        "high non-compulsory schooling costs",
        Rt::Schooling,
        Yellow,
        &[ParamKey::SchoolingCostThreshold],
        Src::Department,
    ),
    rule(
        RuleId::DepartmentAlert,
        "R13",
        "部门预警",
        "department alert",
        Rt::Other,
        Yellow,
        &[],
        Src::Department,
    ),
];

impl RuleId {
    pub const ALL: [RuleId; 13] = [
        RuleId::IncomeBelowLine,
        RuleId::IncomeNearLine,
        RuleId::IncomeDrop,
        RuleId::RigidExpenditure,
        RuleId::UnsafeHousing,
        RuleId::SchoolDropout,
        RuleId::MemberUninsured,
        RuleId::UnsafeWater,
        RuleId::SeriousIllnessUninsured,
        RuleId::DisabilityUninsured,
        RuleId::NoLabourCapacity,
        RuleId::SchoolingCost,
        RuleId::DepartmentAlert,
    ];

    /// The rule's bit in a hit mask.
    pub fn bit(self) -> u16 {
        1 << (self as u8)
    }
    pub fn def(self) -> &'static RuleDef {
        &CATALOGUE[self as usize]
    }
    pub fn code(self) -> &'static str {
        self.def().code
    }
    /// Parses `R01` (case-insensitive, surrounding space ignored).
    pub fn parse(code: &str) -> Option<RuleId> {
        let c = code.trim();
        RuleId::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(c))
    }
    /// The rules whose bits are set in `mask`, in catalogue order.
    pub fn in_mask(mask: u16) -> impl Iterator<Item = RuleId> {
        RuleId::ALL.into_iter().filter(move |r| mask & r.bit() != 0)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for RuleId {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        RuleId::parse(&v).ok_or_else(|| format!("unknown rule: {v}"))
    }
}

impl From<RuleId> for &'static str {
    fn from(r: RuleId) -> &'static str {
        r.code()
    }
}

/// One rule's setting in a rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetting {
    pub rule: RuleId,
    pub enabled: bool,
    pub level: WarningLevel,
}

/// A parameter value that replaces the standard's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamOverride {
    pub key: ParamKey,
    pub value: i64,
}

/// A county's rule set for a year (规则集), versioned: each saved edit gets the next version.
/// Rules missing from `rules` run at their default level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    pub year: i32,
    pub version: u32,
    pub rules: Vec<RuleSetting>,
    #[serde(default)]
    pub overrides: Vec<ParamOverride>,
}

impl RuleSet {
    /// Every catalogue rule enabled at its default level, parameters from the standard.
    pub fn default_for(year: i32) -> RuleSet {
        RuleSet {
            year,
            version: 1,
            rules: CATALOGUE
                .iter()
                .map(|d| RuleSetting {
                    rule: d.id,
                    enabled: true,
                    level: d.default_level,
                })
                .collect(),
            overrides: Vec::new(),
        }
    }

    /// The setting of `rule` (its default when the set does not mention it).
    pub fn setting(&self, rule: RuleId) -> RuleSetting {
        self.rules
            .iter()
            .find(|s| s.rule == rule)
            .copied()
            .unwrap_or(RuleSetting {
                rule,
                enabled: true,
                level: rule.def().default_level,
            })
    }

    /// The effective value of a parameter: the override if any, else the standard's.
    pub fn param(&self, key: ParamKey, standard: &ResolvedStandard) -> i64 {
        self.overrides
            .iter()
            .find(|o| o.key == key)
            .map_or_else(|| key.from_standard(standard), |o| o.value)
    }

    /// Sets (or replaces) a rule's setting.
    pub fn set(&mut self, setting: RuleSetting) {
        match self.rules.iter_mut().find(|s| s.rule == setting.rule) {
            Some(s) => *s = setting,
            None => self.rules.push(setting),
        }
    }

    /// Sets (or replaces) a parameter override.
    pub fn set_param(&mut self, key: ParamKey, value: i64) {
        match self.overrides.iter_mut().find(|o| o.key == key) {
            Some(o) => o.value = value,
            None => self.overrides.push(ParamOverride { key, value }),
        }
    }

    /// Validates the set: year, no rule or parameter twice, every override within its range.
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if !(2000..=2100).contains(&self.year) {
            out.push(Problem::new(
                ProblemCode::RuleSetYear,
                "year",
                format!("年度{}不在2000–2100之间", self.year),
                format!("year {} is outside 2000–2100", self.year),
            ));
        }
        for (i, s) in self.rules.iter().enumerate() {
            if self.rules[..i].iter().any(|o| o.rule == s.rule) {
                out.push(Problem::new(
                    ProblemCode::RuleSetDuplicateRule,
                    format!("rules[{i}]"),
                    format!("规则{}设置了两次", s.rule),
                    format!("rule {} is set twice", s.rule),
                ));
            }
        }
        for (i, o) in self.overrides.iter().enumerate() {
            let d = o.key.def();
            if self.overrides[..i].iter().any(|p| p.key == o.key) {
                out.push(Problem::new(
                    ProblemCode::RuleSetDuplicateParam,
                    format!("overrides[{i}]"),
                    format!("参数“{}”设置了两次", d.name_zh),
                    format!("parameter '{}' is set twice", d.name_en),
                ));
            }
            out.extend(check_param(d, o.value, &format!("overrides[{i}].value")));
        }
        out
    }
}

/// Checks a parameter value against its range; amounts are shown in 元.
pub fn check_param(d: ParamDef, value: i64, field: &str) -> Option<Problem> {
    if (d.min..=d.max).contains(&value) {
        return None;
    }
    let show = |v: i64| match d.unit {
        Unit::Fen => format!("{}元", crate::money::format_hundredths(v)),
        Unit::Percent => format!("{v}%"),
        Unit::Persons | Unit::Flag => v.to_string(),
    };
    Some(Problem::new(
        ProblemCode::RuleParamRange,
        field,
        format!(
            "参数“{}”应在{}至{}之间，而不是{}",
            d.name_zh,
            show(d.min),
            show(d.max),
            show(value)
        ),
        format!(
            "parameter '{}' must be between {} and {}, not {}",
            d.name_en,
            show(d.min),
            show(d.max),
            show(value)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_in_bit_order_with_unique_codes() {
        for (i, d) in CATALOGUE.iter().enumerate() {
            assert_eq!(d.id as usize, i);
            assert_eq!(d.code, format!("R{:02}", i + 1));
            assert_eq!(RuleId::parse(d.code), Some(d.id));
        }
        assert_eq!(RuleId::parse(" r05 "), Some(RuleId::UnsafeHousing));
        assert_eq!(RuleId::parse("R99"), None);
    }

    #[test]
    fn a_rule_parameter_out_of_range_is_refused() {
        let mut rs = RuleSet::default_for(2025);
        assert!(rs.validate().is_empty());
        rs.set_param(ParamKey::NearLinePercent, 150);
        rs.set_param(ParamKey::RigidExpenditureAmount, 0);
        let problems = rs.validate();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].code, ProblemCode::RuleParamRange);
        assert!(problems[0].zh.contains("150%"), "{}", problems[0].zh);
        assert!(problems[1].zh.contains("0元"), "{}", problems[1].zh);
    }

    #[test]
    fn a_rule_set_twice_is_refused() {
        let mut rs = RuleSet::default_for(2025);
        rs.rules.push(RuleSetting {
            rule: RuleId::UnsafeWater,
            enabled: false,
            level: Blue,
        });
        assert_eq!(rs.validate()[0].code, ProblemCode::RuleSetDuplicateRule);
    }

    #[test]
    fn rules_convert_to_and_from_their_codes() {
        let label: &'static str = RuleId::IncomeDrop.into();
        assert_eq!(label, "R03");
        assert_eq!(RuleId::try_from("R03".to_string()), Ok(RuleId::IncomeDrop));
        assert!(RuleId::try_from("X".to_string()).is_err());
    }
}
