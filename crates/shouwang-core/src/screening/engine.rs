//! The screening engine (筛查引擎): a compiled [`Plan`] evaluates every household of a
//! [`Snapshot`] into a 16-bit hit mask, one bit per rule, without allocating per household;
//! evidence (预警依据) is built only when asked for.
//!
//! Boundaries, as a cadre reads them:
//! * R01 below the line: 人均纯收入 < 监测线 (exactly at the line is not below it);
//! * R02 near the line: 监测线 ≤ 人均纯收入 ≤ 监测线 × (100 + N) %;
//! * R03 drop: last year's per-capita income > 0 and it fell by more than N %;
//! * R04 rigid expenditure: 合规自付支出 > N % of household net income (any amount counts when net
//!   income is 0 or negative), or 合规自付支出 > the amount;
//! * R12 schooling: costs > the amount.
//!
//! Income rules (R01–R03, and R04's share test) do not fire for a household without income data.

use super::catalogue::{ParamKey, RuleId, RuleSet, Unit, CATALOGUE};
use super::level::WarningLevel;
use super::snapshot::*;
use crate::money::Fen;
use crate::monitoring::RiskType;
use crate::problem::Problem;
use crate::standard::ResolvedStandard;
use serde::Serialize;

/// A rule set compiled against a standard: thresholds as integers, levels as bit masks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub year: i32,
    pub rule_set_version: u32,
    enabled: u16,
    levels: [WarningLevel; 13],
    /// enabled rules at red, yellow, blue
    level_masks: [u16; 3],
    line: i64,
    near_percent: i64,
    /// `line × (100 + near_percent)`: near when `per_capita × 100 ≤ near_limit`
    near_limit: i64,
    drop_percent: i64,
    rigid_percent: i64,
    rigid_amount: i64,
    schooling_cost: i64,
}

impl Plan {
    /// Compiles `rules` against `standard`; refused (with every problem) when either is invalid.
    pub fn compile(rules: &RuleSet, standard: &ResolvedStandard) -> Result<Plan, Vec<Problem>> {
        let mut problems = rules.validate();
        problems.extend(standard.validate());
        for key in ParamKey::ALL {
            let field = format!("params.{}", key.def().standard_field);
            problems.extend(super::catalogue::check_param(
                key.def(),
                rules.param(key, standard),
                &field,
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut enabled = 0u16;
        let mut levels = [WarningLevel::Red; 13];
        let mut level_masks = [0u16; 3];
        for d in &CATALOGUE {
            let s = rules.setting(d.id);
            levels[d.id as usize] = s.level;
            if s.enabled {
                enabled |= d.id.bit();
                level_masks[s.level.index()] |= d.id.bit();
            }
        }
        let line = standard.monitoring_line.0;
        let near_percent = rules.param(ParamKey::NearLinePercent, standard);
        Ok(Plan {
            year: rules.year,
            rule_set_version: rules.version,
            enabled,
            levels,
            level_masks,
            line,
            near_percent,
            near_limit: line.saturating_mul(100 + near_percent),
            drop_percent: rules.param(ParamKey::IncomeDropPercent, standard),
            rigid_percent: rules.param(ParamKey::RigidExpenditurePercent, standard),
            rigid_amount: rules.param(ParamKey::RigidExpenditureAmount, standard),
            schooling_cost: rules.param(ParamKey::SchoolingCostThreshold, standard),
        })
    }

    /// The monitoring line in force.
    pub fn line(&self) -> Fen {
        Fen(self.line)
    }

    /// The effective value of a parameter in this plan (override or standard).
    pub fn param(&self, key: ParamKey) -> i64 {
        match key {
            ParamKey::NearLinePercent => self.near_percent,
            ParamKey::IncomeDropPercent => self.drop_percent,
            ParamKey::RigidExpenditurePercent => self.rigid_percent,
            ParamKey::RigidExpenditureAmount => self.rigid_amount,
            ParamKey::SchoolingCostThreshold => self.schooling_cost,
        }
    }

    /// Whether a rule is switched on in this plan.
    pub fn is_enabled(&self, rule: RuleId) -> bool {
        self.enabled & rule.bit() != 0
    }

    /// The level a rule warns at in this plan.
    pub fn level_of_rule(&self, rule: RuleId) -> WarningLevel {
        self.levels[rule as usize]
    }

    /// The household level for a hit mask: the highest level among its hits (`None` if no hit).
    #[inline]
    pub fn level(&self, mask: u16) -> Option<WarningLevel> {
        if mask & self.level_masks[0] != 0 {
            Some(WarningLevel::Red)
        } else if mask & self.level_masks[1] != 0 {
            Some(WarningLevel::Yellow)
        } else if mask & self.level_masks[2] != 0 {
            Some(WarningLevel::Blue)
        } else {
            None
        }
    }

    /// The hit mask of one household from its column values. Branch-free; all arithmetic stays
    /// within `i64` because the snapshot clamps amounts to ±10¹³ 分 and thresholds are validated.
    #[inline(always)]
    fn kernel(
        &self,
        per_capita: i64,
        last: i64,
        net: i64,
        oop: i64,
        schooling: i64,
        flags: u16,
    ) -> u16 {
        let known = flags & F_INCOME_KNOWN != 0;
        let last_known = flags & F_LAST_YEAR_KNOWN != 0;
        let below = known & (per_capita < self.line);
        let near = known & !below & (per_capita * 100 <= self.near_limit);
        let drop = known
            & last_known
            & (last > 0)
            & ((last - per_capita) * 100 > self.drop_percent * last);
        let share = known & (oop * 100 > self.rigid_percent * net);
        let rigid = (oop > 0) & (share | (oop > self.rigid_amount));
        let school = schooling > self.schooling_cost;
        let m = u16::from(below)
            | u16::from(near) << 1
            | u16::from(drop) << 2
            | u16::from(rigid) << 3
            // flag bits 0..=6 are rules R05..=R11 (bits 4..=10); bit 7 is R13 (bit 12)
            | (flags & 0x7f) << 4
            | u16::from(school) << 11
            | ((flags >> 7) & 1) << 12;
        m & self.enabled
    }

    /// The hit mask of the household at `index` (0 when out of range).
    pub fn mask(&self, s: &Snapshot, index: usize) -> u16 {
        if index >= s.len() {
            return 0;
        }
        self.kernel(
            s.per_capita[index],
            s.last_per_capita[index],
            s.net[index],
            s.out_of_pocket[index],
            s.schooling_cost[index],
            s.flags[index],
        )
    }

    /// Evaluates every household, calling `f(index, mask)`; the inner loop of evaluation and
    /// what-if. Columns are re-sliced to one length so that the compiler drops bounds checks.
    #[inline(always)]
    pub(crate) fn for_each(&self, s: &Snapshot, mut f: impl FnMut(usize, u16)) {
        let n = s.len();
        let (pc, last, net, oop, sc, fl) = (
            &s.per_capita[..n],
            &s.last_per_capita[..n],
            &s.net[..n],
            &s.out_of_pocket[..n],
            &s.schooling_cost[..n],
            &s.flags[..n],
        );
        for i in 0..n {
            f(i, self.kernel(pc[i], last[i], net[i], oop[i], sc[i], fl[i]));
        }
    }

    /// Evaluates two plans on every household in one pass, calling `f(index, mask, other_mask)`.
    #[inline(always)]
    pub(crate) fn for_each_pair(
        &self,
        other: &Plan,
        s: &Snapshot,
        mut f: impl FnMut(usize, u16, u16),
    ) {
        let n = s.len();
        let (pc, last, net, oop, sc, fl) = (
            &s.per_capita[..n],
            &s.last_per_capita[..n],
            &s.net[..n],
            &s.out_of_pocket[..n],
            &s.schooling_cost[..n],
            &s.flags[..n],
        );
        for i in 0..n {
            let a = self.kernel(pc[i], last[i], net[i], oop[i], sc[i], fl[i]);
            let b = other.kernel(pc[i], last[i], net[i], oop[i], sc[i], fl[i]);
            f(i, a, b);
        }
    }

    /// Writes every household's mask into `out` (cleared first; reuse it between runs).
    pub fn masks_into(&self, s: &Snapshot, out: &mut Vec<u16>) {
        out.clear();
        out.reserve(s.len());
        self.for_each(s, |_, m| out.push(m));
    }
}

/// One rule hit (预警命中) on one household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Position in the snapshot
    pub household: usize,
    /// The store's key of the household
    pub key: i64,
    pub rule: RuleId,
    pub level: WarningLevel,
    pub risk: RiskType,
}

/// A value or threshold shown as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub value: i64,
    pub unit: Unit,
    /// The value as text (`8700元`, `30%`, `2人`)
    pub text: String,
}

fn measure(name_zh: &'static str, name_en: &'static str, value: i64, unit: Unit) -> Measure {
    let text = match unit {
        Unit::Fen => format!("{}元", crate::income::yuan_text(Fen(value))),
        Unit::Percent => format!("{value}%"),
        Unit::Persons => format!("{value}人"),
        Unit::Flag => (if value != 0 { "是" } else { "否" }).to_string(),
    };
    Measure {
        name_zh,
        name_en,
        value,
        unit,
        text,
    }
}

/// Why a household was flagged by a rule (预警依据).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub rule: RuleId,
    pub code: &'static str,
    pub rule_zh: &'static str,
    pub rule_en: &'static str,
    pub risk: RiskType,
    pub level: WarningLevel,
    pub household_key: i64,
    /// The observed values
    pub observed: Vec<Measure>,
    /// The thresholds they were compared with
    pub thresholds: Vec<Measure>,
    /// The sentence for the warning page
    pub zh: String,
    pub en: String,
    /// Where the data came from and as of when
    pub source: Option<DataSource>,
}

/// Counts of a screening run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub households: u64,
    pub persons: u64,
    pub flagged_households: u64,
    pub flagged_persons: u64,
    /// Households by their level: red, yellow, blue
    pub by_level: [u64; 3],
    /// Hits per rule, in catalogue order
    pub by_rule: [u64; 13],
}

/// The result of evaluating a snapshot: one mask per household, evidence on demand.
#[derive(Clone, Debug)]
pub struct Screening<'a> {
    snapshot: &'a Snapshot,
    plan: Plan,
    masks: Vec<u16>,
}

/// Evaluates the full rule set on every household of `snapshot`.
pub fn evaluate<'a>(
    snapshot: &'a Snapshot,
    rules: &RuleSet,
    standard: &ResolvedStandard,
) -> Result<Screening<'a>, Vec<Problem>> {
    let plan = Plan::compile(rules, standard)?;
    Ok(evaluate_plan(snapshot, plan))
}

/// Evaluates an already compiled plan.
pub fn evaluate_plan(snapshot: &Snapshot, plan: Plan) -> Screening<'_> {
    let mut masks = Vec::new();
    plan.masks_into(snapshot, &mut masks);
    Screening {
        snapshot,
        plan,
        masks,
    }
}

impl<'a> Screening<'a> {
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snapshot
    }
    /// One mask per household (bit `rule as u8` set when the rule hit).
    pub fn masks(&self) -> &[u16] {
        &self.masks
    }
    /// The household's level: the highest of its hits.
    pub fn level(&self, household: usize) -> Option<WarningLevel> {
        self.masks.get(household).and_then(|m| self.plan.level(*m))
    }
    /// Every hit, household by household, rules in catalogue order.
    pub fn hits(&self) -> impl Iterator<Item = Hit> + '_ {
        self.masks
            .iter()
            .enumerate()
            .filter(|(_, m)| **m != 0)
            .flat_map(move |(i, m)| {
                let key = self.snapshot.keys[i];
                RuleId::in_mask(*m).map(move |rule| Hit {
                    household: i,
                    key,
                    rule,
                    level: self.plan.level_of_rule(rule),
                    risk: risk_of(self.snapshot, i, rule),
                })
            })
    }
    /// Hits as a vector (allocates; for small regions and tests).
    pub fn hit_list(&self) -> Vec<Hit> {
        self.hits().collect()
    }

    /// Counts per level and rule.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            households: self.snapshot.len() as u64,
            persons: self.snapshot.persons(),
            ..Summary::default()
        };
        for (i, m) in self.masks.iter().enumerate() {
            if let Some(level) = self.plan.level(*m) {
                s.flagged_households += 1;
                s.flagged_persons += u64::from(self.snapshot.size[i]);
                s.by_level[level.index()] += 1;
                for r in RuleId::in_mask(*m) {
                    s.by_rule[r as usize] += 1;
                }
            }
        }
        s
    }

    /// The evidence for `rule` on the household at `household`, if the rule hit it.
    pub fn evidence(&self, household: usize, rule: RuleId) -> Option<Evidence> {
        let mask = *self.masks.get(household)?;
        if mask & rule.bit() == 0 {
            return None;
        }
        Some(build_evidence(self.snapshot, &self.plan, household, rule))
    }

    /// All evidence for one household, in catalogue order.
    pub fn evidence_for(&self, household: usize) -> Vec<Evidence> {
        let mask = self.masks.get(household).copied().unwrap_or(0);
        RuleId::in_mask(mask)
            .map(|r| build_evidence(self.snapshot, &self.plan, household, r))
            .collect()
    }
}

/// A hit's risk: the rule's, except R13's, which is its household's most urgent department
/// alert's (a 医保 alert is 因病, a dangerous house 住房安全), so that screening joins the lead
/// the department batch raised for that risk instead of raising an "其他" lead next to it.
fn risk_of(s: &Snapshot, i: usize, rule: RuleId) -> RiskType {
    if rule == RuleId::DepartmentAlert {
        if let Some(a) = s.department_alerts(i).first() {
            return a.risk;
        }
    }
    rule.def().risk
}

/// R13's evidence: each open department alert with its department, rule, date and amount.
fn department_evidence(s: &Snapshot, i: usize) -> (Vec<Measure>, String, String) {
    let alerts = s.department_alerts(i);
    let mut observed = Vec::new();
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for a in alerts {
        let date = a.date.map(|d| d.to_string());
        let amount = a
            .amount
            .map(|v| format!("{}元", crate::income::yuan_text(Fen(v))));
        let amount_en = a
            .amount
            .map(|v| format!("{} yuan", crate::income::yuan_text(Fen(v))));
        let code = Some(a.rule.code().to_string());
        let detail_zh: Vec<String> = [code.clone(), date.clone(), amount]
            .into_iter()
            .flatten()
            .collect();
        let detail_en: Vec<String> = [code, date, amount_en].into_iter().flatten().collect();
        // the rule's name begins with its department: "医保：年度累计合规自付超过预警线"
        zh.push(format!("{}（{}）", a.rule.name_zh(), detail_zh.join("，")));
        en.push(format!("{} ({})", a.rule.name_en(), detail_en.join(", ")));
        observed.push(match a.amount {
            Some(v) => measure(a.rule.name_zh(), a.rule.name_en(), v, Unit::Fen),
            None => measure(a.rule.name_zh(), a.rule.name_en(), 1, Unit::Flag),
        });
    }
    if alerts.is_empty() {
        return (
            vec![measure("部门预警", "department alert", 1, Unit::Flag)],
            "部门预警：是".into(),
            "department alert: yes".into(),
        );
    }
    (
        observed,
        format!("部门预警：{}", zh.join("；")),
        format!("department alerts: {}", en.join("; ")),
    )
}

fn build_evidence(s: &Snapshot, p: &Plan, i: usize, rule: RuleId) -> Evidence {
    let d = rule.def();
    let pc = s.per_capita[i];
    let last = s.last_per_capita[i];
    let net = s.net[i];
    let oop = s.out_of_pocket[i];
    let [able, ill, disabled] = s.counts[i];
    let size = i64::from(s.size[i]);
    let y = |v: i64| crate::income::yuan_text(Fen(v));
    let pc_m = || measure("人均纯收入", "per-capita net income", pc, Unit::Fen);
    let line_m = || measure("监测线", "monitoring line", p.line, Unit::Fen);
    let (observed, thresholds, zh, en) = match rule {
        RuleId::IncomeBelowLine => (
            vec![pc_m()],
            vec![line_m()],
            format!("人均纯收入{}元，低于监测线{}元", y(pc), y(p.line)),
            format!(
                "per-capita net income {} yuan is below the line of {} yuan",
                y(pc),
                y(p.line)
            ),
        ),
        RuleId::IncomeNearLine => {
            let upper = p.near_limit / 100;
            (
                vec![pc_m()],
                vec![
                    line_m(),
                    measure("临界线幅度", "near-line margin", p.near_percent, Unit::Percent),
                    measure("临界上限", "upper bound", upper, Unit::Fen),
                ],
                format!("人均纯收入{}元，在监测线{}元以上{}%以内（不高于{}元）", y(pc), y(p.line), p.near_percent, y(upper)),
                format!(
                    "per-capita net income {} yuan is within {}% above the line of {} yuan (at most {})",
                    y(pc),
                    p.near_percent,
                    y(p.line),
                    y(upper)
                ),
            )
        }
        RuleId::IncomeDrop => {
            let fall = if last > 0 {
                (last - pc) * 100 / last
            } else {
                0
            };
            (
                vec![
                    pc_m(),
                    measure(
                        "上年人均纯收入",
                        "last year's per-capita income",
                        last,
                        Unit::Fen,
                    ),
                    measure("降幅", "fall", fall, Unit::Percent),
                ],
                vec![measure(
                    "收入骤降幅度",
                    "drop threshold",
                    p.drop_percent,
                    Unit::Percent,
                )],
                format!(
                    "人均纯收入由上年{}元降至{}元，降幅约{}%，超过{}%",
                    y(last),
                    y(pc),
                    fall,
                    p.drop_percent
                ),
                format!(
                    "per-capita net income fell from {} to {} yuan, about {}%, more than {}%",
                    y(last),
                    y(pc),
                    fall,
                    p.drop_percent
                ),
            )
        }
        RuleId::RigidExpenditure => {
            let share_limit = p.rigid_percent * net / 100;
            (
                vec![
                    measure("合规自付支出", "out-of-pocket costs", oop, Unit::Fen),
                    measure("家庭纯收入", "household net income", net, Unit::Fen),
                ],
                vec![
                    measure("刚性支出占纯收入比例", "share of net income", p.rigid_percent, Unit::Percent),
                    measure("刚性支出金额", "amount", p.rigid_amount, Unit::Fen),
                ],
                format!(
                    "合规自付支出{}元，超过家庭纯收入{}元的{}%（{}元）或{}元",
                    y(oop),
                    y(net),
                    p.rigid_percent,
                    y(share_limit),
                    y(p.rigid_amount)
                ),
                format!(
                    "out-of-pocket costs {} yuan exceed {}% of household net income {} ({}) or {} yuan",
                    y(oop),
                    p.rigid_percent,
                    y(net),
                    y(share_limit),
                    y(p.rigid_amount)
                ),
            )
        }
        RuleId::SchoolingCost => {
            let cost = s.schooling_cost[i];
            (
                vec![measure(
                    "非义务教育阶段费用",
                    "schooling costs",
                    cost,
                    Unit::Fen,
                )],
                vec![measure(
                    "费用标准",
                    "threshold",
                    p.schooling_cost,
                    Unit::Fen,
                )],
                format!(
                    "非义务教育阶段就学费用{}元，超过{}元",
                    y(cost),
                    y(p.schooling_cost)
                ),
                format!(
                    "non-compulsory schooling costs {} yuan exceed {} yuan",
                    y(cost),
                    y(p.schooling_cost)
                ),
            )
        }
        RuleId::SeriousIllnessUninsured => (
            vec![measure(
                "患大病未参保人数",
                "seriously ill, uninsured",
                i64::from(ill),
                Unit::Persons,
            )],
            vec![],
            format!("{ill}名患有大病的成员未参加基本医疗保险"),
            format!("{ill} seriously ill member(s) without basic medical insurance"),
        ),
        RuleId::DisabilityUninsured => (
            vec![measure(
                "残疾未参保人数",
                "disabled, uninsured",
                i64::from(disabled),
                Unit::Persons,
            )],
            vec![],
            format!("{disabled}名残疾成员未参加基本医疗保险"),
            format!("{disabled} disabled member(s) without basic medical insurance"),
        ),
        RuleId::NoLabourCapacity => (
            vec![
                measure("家庭人口", "household size", size, Unit::Persons),
                measure(
                    "有劳动能力人数",
                    "able to work",
                    i64::from(able),
                    Unit::Persons,
                ),
            ],
            vec![],
            format!("家庭{size}人，无人有劳动能力"),
            format!("none of the {size} members can work"),
        ),
        RuleId::DepartmentAlert => {
            let (observed, zh, en) = department_evidence(s, i);
            (observed, vec![], zh, en)
        }
        RuleId::UnsafeHousing
        | RuleId::SchoolDropout
        | RuleId::MemberUninsured
        | RuleId::UnsafeWater => (
            vec![measure(d.name_zh, d.name_en, 1, Unit::Flag)],
            vec![],
            format!("{}：是", d.name_zh),
            format!("{}: yes", d.name_en),
        ),
    };
    Evidence {
        rule,
        code: d.code,
        rule_zh: d.name_zh,
        rule_en: d.name_en,
        risk: risk_of(s, i, rule),
        level: p.level_of_rule(rule),
        household_key: s.keys[i],
        observed,
        thresholds,
        zh,
        en,
        source: s.source(i, d.source).cloned(),
    }
}
