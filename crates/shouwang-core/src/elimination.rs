//! 风险消除: whether a monitoring case may be closed now, condition by condition, each with the
//! numbers behind it (research §7).
//!
//! The conditions, all required for 帮扶消除 (eliminated after assistance):
//!
//! 1. identified at least the standard's `elimination_min_months` (6) ago;
//! 2. at least one measure (planned, in place or ended) against one of the case's risks;
//! 3. 人均纯收入 above this year's monitoring line (the figure of [`household_income`]);
//! 4. stably so for `income_stable_months` (6): each of the last complete quarters covering the
//!    period, annualised (×4), above the line — where those quarters are recorded; else the
//!    whole-year figure, which covers twelve months, and the condition says so;
//! 5. no unresolved large rigid expenditure: 合规自付 of the income figure not above the
//!    standard's share of the household's net income nor above its amount (the screening's rule);
//! 6. every 三保障 and drinking-water flag of the latest check clear;
//! 7. no new risk: no lead of the household still waiting for an outcome (a lead is a risk seen
//!    and not yet dismissed or decided, whenever it was found).
//!
//! 自然消除 (the risk disappeared by itself: a lost job found again, a cost that went away) waives
//! conditions 1 and 2: a risk that vanished needed neither time nor a measure, and Guizhou's
//! 乡村振兴云 exempts 自然消除 from its "eliminated too soon" rule (research §7). The income,
//! expenditure, 三保障 and new-risk conditions hold for both kinds.
//!
//! A household none of whose present members can work (整户无劳动能力) is never closed: it is
//! kept under monitoring as 兜底保障 (research §7: "暂不标注风险消除，持续跟踪监测").

use crate::assistance::{MeasureCategory, MeasureState};
use crate::codes::{code_list, LabourCapacity};
use crate::date::{days_in_month, Date, YearMonth};
use crate::income::{household_income, yuan_text, Income, IncomeFigure, IncomePeriod};
use crate::money::Fen;
use crate::monitoring::{CaseType, EliminationKind, RiskType};
use serde::{Deserialize, Serialize};

code_list!(
    /// 风险消除条件. Ours, in the order the page lists them.
    ConditionId {
        MinPeriod = 1 => "识别满规定期限", "identified long enough ago";
        Measure = 2 => "落实帮扶措施", "a measure against the risk";
        IncomeAboveLine = 3 => "收入高于监测线", "income above the line";
        IncomeStable = 4 => "收入持续稳定", "income stably above the line";
        RigidExpenditure = 5 => "无未解决的大额刚性支出", "no unresolved large rigid expenditure";
        Guarantees = 6 => "三保障和饮水安全", "education, health care, housing and water secure";
        NoNewRisk = 7 => "无新增风险", "no new risk";
    }
);

impl ConditionId {
    /// Whether 自然消除 waives the condition.
    pub fn waived_for_natural(self) -> bool {
        matches!(self, ConditionId::MinPeriod | ConditionId::Measure)
    }
}

/// A measure as the check reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureFact {
    pub category: MeasureCategory,
    pub risk: Option<RiskType>,
    pub state: MeasureState,
    pub start: Date,
}

/// The latest 三保障 and water check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteeFacts {
    pub as_of: Date,
    pub unsafe_housing: bool,
    pub dropout: bool,
    pub uninsured: bool,
    pub unsafe_water: bool,
    pub food_clothing: bool,
}

/// A member living in the household (departed and deceased members are not given).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFact {
    pub labour: Option<LabourCapacity>,
}

/// Everything the check reads about one case, loaded by the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EliminationFacts {
    /// the day the case was identified (the county decision, or the first of the ledger month)
    pub identified_on: Date,
    pub today: Date,
    pub case_type: CaseType,
    pub risks: Vec<RiskType>,
    pub measures: Vec<MeasureFact>,
    /// this year's 监测线 of the household's region
    pub line: Fen,
    pub min_months: i64,
    pub stable_months: i64,
    pub rigid_percent: i64,
    pub rigid_amount: Fen,
    /// every income record of the household (annual and quarterly)
    pub incomes: Vec<Income>,
    pub members: Vec<MemberFact>,
    pub guarantees: Option<GuaranteeFacts>,
    /// the risks of the household's leads still waiting for an outcome, and the day each was found
    pub new_risks: Vec<(RiskType, Date)>,
}

/// One condition, met or not, with its numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub id: ConditionId,
    pub met: bool,
    pub zh: String,
    pub en: String,
}

code_list!(
    /// What the check concludes. Ours.
    Verdict {
        Closable = 1 => "可以消除", "may be closed";
        NotYet = 2 => "暂不能消除", "cannot be closed yet";
        SafetyNet = 3 => "兜底保障", "safety net (never closed)";
    }
);

/// The check of one case on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EliminationCheck {
    pub on: Date,
    pub conditions: Vec<Condition>,
    /// 整户无劳动能力: kept under monitoring as 兜底保障
    pub without_labour: bool,
    /// the 人均纯收入 figure the income conditions used
    pub income: Option<IncomeFigure>,
}

impl EliminationCheck {
    /// The conditions that count for `kind` and are not met.
    pub fn failed(&self, kind: EliminationKind) -> Vec<&Condition> {
        self.conditions
            .iter()
            .filter(|c| {
                let waived = kind == EliminationKind::Natural && c.id.waived_for_natural();
                !c.met && !waived
            })
            .collect()
    }

    /// Whether the case may be closed as `kind`.
    pub fn passes(&self, kind: EliminationKind) -> bool {
        !self.without_labour && self.failed(kind).is_empty()
    }

    /// The verdict for 帮扶消除 (the usual kind; the list of candidates uses it).
    pub fn verdict(&self) -> Verdict {
        if self.without_labour {
            Verdict::SafetyNet
        } else if self.passes(EliminationKind::AfterAssistance) {
            Verdict::Closable
        } else {
            Verdict::NotYet
        }
    }
}

/// `date` plus `months` calendar months, the day clamped to the month's length.
pub fn add_months(date: Date, months: i64) -> Date {
    let total = i64::from(date.year()) * 12 + i64::from(date.month()) - 1 + months;
    let year = total.div_euclid(12) as i32;
    let month = (total.rem_euclid(12) + 1) as u8;
    let day = date.day().min(days_in_month(year, month));
    Date::new(year, month, day).expect("a valid clamped date")
}

/// Whole months from `from` to `to` (0 when `to` is earlier).
pub fn whole_months(from: Date, to: Date) -> i64 {
    let mut months = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month());
    if months > 0 && add_months(from, months) > to {
        months -= 1;
    }
    months.max(0)
}

fn yuan(f: Fen) -> String {
    yuan_text(f)
}

/// Whether every living member lacks labour capacity (an empty household is not).
pub fn whole_household_without_labour(members: &[MemberFact]) -> bool {
    !members.is_empty()
        && members
            .iter()
            .all(|m| !m.labour.is_some_and(|l| l.can_work()))
}

/// The conditions of `facts`, one by one.
pub fn check(facts: &EliminationFacts) -> EliminationCheck {
    let size = facts.members.len() as i64;
    let figure = household_income(
        &facts.incomes,
        facts.today.year(),
        YearMonth::of(facts.today),
        size,
    );
    let conditions = vec![
        min_period(facts),
        measure(facts),
        above_line(facts, figure.as_ref()),
        stable(facts, figure.as_ref()),
        rigid(facts, figure.as_ref()),
        guarantees(facts),
        no_new_risk(facts),
    ];
    EliminationCheck {
        on: facts.today,
        conditions,
        without_labour: whole_household_without_labour(&facts.members),
        income: figure,
    }
}

fn cond(id: ConditionId, met: bool, zh: String, en: String) -> Condition {
    Condition { id, met, zh, en }
}

fn min_period(f: &EliminationFacts) -> Condition {
    let months = whole_months(f.identified_on, f.today);
    let met = months >= f.min_months;
    let since = add_months(f.identified_on, f.min_months);
    let (zh, en) = if met {
        (
            format!(
                "识别于{}，已满{}个月（须满{}个月）",
                f.identified_on, months, f.min_months
            ),
            format!(
                "identified on {}, {} full months ago ({} needed)",
                f.identified_on, months, f.min_months
            ),
        )
    } else {
        (
            format!(
                "识别于{}，仅{}个月（须满{}个月，{}起）",
                f.identified_on, months, f.min_months, since
            ),
            format!(
                "identified on {}, only {} full months ago ({} needed, from {})",
                f.identified_on, months, f.min_months, since
            ),
        )
    };
    cond(ConditionId::MinPeriod, met, zh, en)
}

fn measure(f: &EliminationFacts) -> Condition {
    let against: Vec<&MeasureFact> = f
        .measures
        .iter()
        .filter(|m| m.risk.is_some_and(|r| f.risks.contains(&r)))
        .collect();
    let risks_zh: Vec<&str> = f.risks.iter().map(|r| r.label_zh()).collect();
    let risks_en: Vec<&str> = f.risks.iter().map(|r| r.label_en()).collect();
    let met = !against.is_empty();
    let (zh, en) = if met {
        (
            format!(
                "针对{}风险的帮扶措施{}项（共{}项措施）",
                risks_zh.join("、"),
                against.len(),
                f.measures.len()
            ),
            format!(
                "{} measure(s) against the risk ({}), {} in all",
                against.len(),
                risks_en.join(", "),
                f.measures.len()
            ),
        )
    } else {
        (
            format!(
                "没有针对{}风险的帮扶措施（共{}项措施，须至少一项针对风险）",
                risks_zh.join("、"),
                f.measures.len()
            ),
            format!(
                "no measure against the risk ({}); {} measure(s) in all, at least one against the risk is needed",
                risks_en.join(", "),
                f.measures.len()
            ),
        )
    };
    cond(ConditionId::Measure, met, zh, en)
}

fn basis_text(figure: &IncomeFigure) -> (String, String) {
    (figure.basis.label_zh(), figure.basis.label_en())
}

fn above_line(f: &EliminationFacts, figure: Option<&IncomeFigure>) -> Condition {
    let line = yuan(f.line);
    match figure.and_then(|fig| fig.per_capita.map(|pc| (fig, pc))) {
        None => cond(
            ConditionId::IncomeAboveLine,
            false,
            format!("没有可用的收入记录，无法与监测线 {line} 元比较"),
            format!("no income is recorded to compare with the line of {line} yuan"),
        ),
        Some((fig, pc)) => {
            let met = pc > f.line;
            let (bz, be) = basis_text(fig);
            let (word_zh, word_en) = if met {
                ("高于", "above")
            } else {
                ("不高于", "not above")
            };
            cond(
                ConditionId::IncomeAboveLine,
                met,
                format!(
                    "人均纯收入 {} 元，{word_zh}{}年监测线 {line} 元（依据{bz}）",
                    yuan(pc),
                    f.today.year()
                ),
                format!(
                    "per-capita net income {} yuan, {word_en} the {} line of {line} yuan (from {be})",
                    yuan(pc),
                    f.today.year()
                ),
            )
        }
    }
}

/// The last `n` complete quarters before `today`, oldest first.
fn last_quarters(today: Date, n: i64) -> Vec<IncomePeriod> {
    // the quarter `today` falls in is not complete yet
    let current = i64::from(today.year()) * 4 + i64::from((today.month() - 1) / 3);
    (1..=n)
        .rev()
        .map(|back| {
            let q = current - back;
            IncomePeriod::quarter(q.div_euclid(4) as i32, (q.rem_euclid(4) + 1) as u8)
        })
        .collect()
}

fn stable(f: &EliminationFacts, figure: Option<&IncomeFigure>) -> Condition {
    let line = yuan(f.line);
    let size = f.members.len() as i64;
    let n = ((f.stable_months + 2) / 3).max(1);
    let quarters = last_quarters(f.today, n);
    let recorded: Vec<&Income> = quarters
        .iter()
        .filter_map(|p| f.incomes.iter().find(|i| i.period == *p))
        .collect();
    if recorded.len() == quarters.len() {
        let annualised: Vec<Option<Fen>> = recorded
            .iter()
            .map(|i| Fen(i.net_income().0.saturating_mul(4)).per(size))
            .collect();
        let met = annualised.iter().all(|a| a.is_some_and(|a| a > f.line));
        let zh_each: Vec<String> = quarters
            .iter()
            .zip(&annualised)
            .map(|(p, a)| format!("{} {} 元", p.label_zh(), a.map_or("—".into(), yuan)))
            .collect();
        let en_each: Vec<String> = quarters
            .iter()
            .zip(&annualised)
            .map(|(p, a)| format!("{} {} yuan", p.label_en(), a.map_or("—".into(), yuan)))
            .collect();
        let (word_zh, word_en) = if met {
            ("均高于", "all above")
        } else {
            ("并非均高于", "not all above")
        };
        return cond(
            ConditionId::IncomeStable,
            met,
            format!(
                "最近{}个季度人均纯收入折年：{}，{word_zh}监测线 {line} 元（须持续{}个月）",
                n,
                zh_each.join("；"),
                f.stable_months
            ),
            format!(
                "the last {} quarters' per-capita net income, annualised: {}; {word_en} the line of {line} yuan ({} months needed)",
                n,
                en_each.join("; "),
                f.stable_months
            ),
        );
    }
    // no quarters for the whole period: the whole-year figure, which covers twelve months
    match figure.and_then(|fig| fig.per_capita.map(|pc| (fig, pc))) {
        Some((fig, pc)) => {
            let met = pc > f.line;
            let (bz, be) = basis_text(fig);
            let (word_zh, word_en) = if met {
                ("高于", "above")
            } else {
                ("不高于", "not above")
            };
            cond(
                ConditionId::IncomeStable,
                met,
                format!(
                    "最近{}个季度的收入未全部记录，按{bz}：人均纯收入 {} 元，{word_zh}监测线 {line} 元（须持续{}个月）",
                    n,
                    yuan(pc),
                    f.stable_months
                ),
                format!(
                    "the last {} quarters are not all recorded; from {be}: per-capita net income {} yuan, {word_en} the line of {line} yuan ({} months needed)",
                    n,
                    yuan(pc),
                    f.stable_months
                ),
            )
        }
        _ => cond(
            ConditionId::IncomeStable,
            false,
            format!(
                "没有最近{}个季度或全年的收入记录，无法判断收入是否持续稳定（须持续{}个月）",
                n, f.stable_months
            ),
            format!(
                "neither the last {} quarters nor a whole year is recorded: stability cannot be judged ({} months needed)",
                n, f.stable_months
            ),
        ),
    }
}

fn rigid(f: &EliminationFacts, figure: Option<&IncomeFigure>) -> Condition {
    let Some(fig) = figure else {
        return cond(
            ConditionId::RigidExpenditure,
            true,
            "没有收入记录，未记录合规自付支出".into(),
            "no income record, so no out-of-pocket cost recorded".into(),
        );
    };
    let oop = i128::from(fig.income.out_of_pocket_medical.0);
    let net = i128::from(fig.net_income().0);
    let share = oop * 100 > i128::from(f.rigid_percent) * net;
    let amount = oop > i128::from(f.rigid_amount.0);
    let unresolved = oop > 0 && (share || amount);
    let o = yuan(fig.income.out_of_pocket_medical);
    let n = yuan(fig.net_income());
    let a = yuan(f.rigid_amount);
    let p = f.rigid_percent;
    let (zh, en) = if unresolved {
        (
            format!(
                "合规自付支出 {o} 元，超过家庭纯收入 {n} 元的{p}%或 {a} 元，大额刚性支出未解决"
            ),
            format!(
                "compliant out-of-pocket costs {o} yuan exceed {p}% of the net income of {n} yuan or {a} yuan: a large rigid expenditure is unresolved"
            ),
        )
    } else {
        (
            format!("合规自付支出 {o} 元，未超过家庭纯收入 {n} 元的{p}%及 {a} 元"),
            format!(
                "compliant out-of-pocket costs {o} yuan, within {p}% of the net income of {n} yuan and {a} yuan"
            ),
        )
    };
    cond(ConditionId::RigidExpenditure, !unresolved, zh, en)
}

fn guarantees(f: &EliminationFacts) -> Condition {
    let Some(g) = f.guarantees else {
        return cond(
            ConditionId::Guarantees,
            true,
            "没有三保障和饮水安全核查记录，未发现问题（入户核实时须再核实）".into(),
            "no check of education, health care, housing and water is recorded, no problem known (the home check verifies them again)"
                .into(),
        );
    };
    let flags = [
        (g.food_clothing, "吃穿出现问题", "food or clothing insecure"),
        (
            g.dropout,
            "义务教育阶段失学辍学",
            "a child out of compulsory school",
        ),
        (
            g.uninsured,
            "家庭成员未参加基本医疗保险",
            "a member without basic medical insurance",
        ),
        (g.unsafe_housing, "住房出现安全问题", "unsafe housing"),
        (g.unsafe_water, "饮水出现安全问题", "unsafe drinking water"),
    ];
    let set: Vec<_> = flags.iter().filter(|f| f.0).collect();
    if set.is_empty() {
        cond(
            ConditionId::Guarantees,
            true,
            format!("{}核查：两不愁三保障及饮水安全均无问题", g.as_of),
            format!(
                "checked on {}: food, clothing, education, health care, housing and water all secure",
                g.as_of
            ),
        )
    } else {
        let zh: Vec<&str> = set.iter().map(|f| f.1).collect();
        let en: Vec<&str> = set.iter().map(|f| f.2).collect();
        cond(
            ConditionId::Guarantees,
            false,
            format!("{}核查：{}", g.as_of, zh.join("、")),
            format!("checked on {}: {}", g.as_of, en.join(", ")),
        )
    }
}

fn no_new_risk(f: &EliminationFacts) -> Condition {
    if f.new_risks.is_empty() {
        return cond(
            ConditionId::NoNewRisk,
            true,
            "没有待处理的风险线索".into(),
            "no risk lead waiting for an outcome".into(),
        );
    }
    let zh: Vec<String> = f
        .new_risks
        .iter()
        .map(|(r, d)| format!("{}（{d}发现）", r.label_zh()))
        .collect();
    let en: Vec<String> = f
        .new_risks
        .iter()
        .map(|(r, d)| format!("{} (found {d})", r.label_en()))
        .collect();
    cond(
        ConditionId::NoNewRisk,
        false,
        format!("尚有待处理的风险线索：{}", zh.join("、")),
        format!("risk leads still waiting: {}", en.join(", ")),
    )
}

#[cfg(test)]
mod tests;
