//! 精准帮扶: one plan per monitoring case (一户一策) with its measures (帮扶措施), and the people
//! paired with households ([`person`]). Research §6.
//!
//! A household with labour capacity needs at least one development measure (产业, 就业, 金融,
//! 公益岗位); some measures by policy run past the elimination of the risk (小额信贷 until the
//! contract ends, 公益岗位 until the job agreement ends, 雨露计划 until the stage of schooling ends).

pub mod flags;
pub mod person;
#[cfg(test)]
mod tests;

use crate::codes::code_list;
use crate::date::Date;
use crate::money::Fen;
use crate::monitoring::RiskType;
use crate::problem::{free_text, Problem, ProblemCode};
use serde::{Deserialize, Serialize};

code_list!(
    /// 帮扶措施类别: the measure columns of the national 2023 collection form, in its order
    /// (research §6; each has its own national code table, 100A39 …, whose values were not found).
    MeasureCategory {
        Industry = 1 => "产业帮扶", "farming and business";
        Employment = 2 => "就业帮扶", "employment";
        Finance = 3 => "金融帮扶", "finance (micro-credit)";
        PublicWelfareJob = 4 => "公益岗位帮扶", "public-welfare job";
        Housing = 5 => "住房安全保障", "housing security";
        DrinkingWater = 6 => "饮水安全保障", "drinking water";
        Health = 7 => "健康帮扶", "health";
        CompulsoryEducation = 8 => "义务教育保障", "compulsory education";
        OtherEducation = 9 => "其他教育帮扶", "other education (Rain and Dew plan)";
        SocialSecurity = 10 => "综合保障", "comprehensive security (minimum living allowance, extreme-poverty support)";
        Social = 11 => "社会帮扶", "social assistance";
        Relocation = 12 => "搬迁", "relocation";
        LivingConditions = 13 => "生产生活条件改善", "production and living conditions";
        Infrastructure = 14 => "基础设施建设", "infrastructure";
    }
);

impl MeasureCategory {
    /// 开发式帮扶: what a household with labour capacity must have (产业, 就业, 金融, 公益岗位).
    pub fn is_development(self) -> bool {
        matches!(
            self,
            MeasureCategory::Industry
                | MeasureCategory::Employment
                | MeasureCategory::Finance
                | MeasureCategory::PublicWelfareJob
        )
    }

    /// Why a measure of this category keeps running after the risk is eliminated, when policy
    /// says so (research §6): (zh, en).
    pub fn runs_past_elimination(self) -> Option<(&'static str, &'static str)> {
        match self {
            MeasureCategory::Finance => Some((
                "小额信贷、资产收益至合同期满",
                "micro-credit and asset dividends run until the contract ends",
            )),
            MeasureCategory::PublicWelfareJob => Some((
                "公益岗位至岗位协议期满",
                "a public-welfare job runs until its agreement ends",
            )),
            MeasureCategory::OtherEducation => Some((
                "雨露计划至本学段结束",
                "the Rain and Dew plan (vocational schooling) subsidy runs until the current stage of schooling ends",
            )),
            _ => None,
        }
    }
}

code_list!(
    /// 措施状态. Ours.
    MeasureState {
        Planned = 1 => "计划实施", "planned";
        InPlace = 2 => "已落实", "in place";
        Ended = 3 => "已结束", "ended";
    }
);

/// One measure of a plan, as entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub category: MeasureCategory,
    /// 帮扶内容, e.g. "发放产业奖补资金用于养殖肉牛3头"
    pub content: String,
    /// the risk of the case it answers
    pub risk: Option<RiskType>,
    pub start: Date,
    /// planned end; `None`: until further notice
    pub end: Option<Date>,
    /// 帮扶金额, when money is given
    pub amount: Option<Fen>,
    /// 责任单位
    pub unit: String,
    /// 责任人
    pub responsible: String,
    pub state: MeasureState,
    /// the day it actually ended, once ended
    pub ended_on: Option<Date>,
}

/// 一户一策: the plan of one case, its measures kept beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// 帮扶思路, in words
    pub summary: String,
}

/// The largest amount one measure may carry: 500,000 元. More is a typing slip (a 分 amount
/// typed as 元, a digit too many), not a measure.
pub const MAX_AMOUNT: Fen = Fen(500_000 * 100);
/// Longest 帮扶内容, in characters.
pub const MAX_CONTENT: usize = 500;
/// Longest 责任单位 or 责任人, in characters.
pub const MAX_NAME: usize = 100;
/// Longest plan summary (帮扶思路), in characters.
pub const MAX_SUMMARY: usize = 2000;

fn amount_problem(zh: String, en: String) -> Problem {
    Problem::new(ProblemCode::MeasureAmount, "amount", zh, en)
}

/// Whether `amount` may be a measure's: not negative and at most [`MAX_AMOUNT`].
pub fn check_amount(amount: Fen) -> Result<(), Problem> {
    if amount.0 < 0 {
        return Err(amount_problem(
            format!("帮扶金额不能为负数：{amount}元"),
            format!("the amount cannot be negative: {amount} yuan"),
        ));
    }
    if amount > MAX_AMOUNT {
        return Err(amount_problem(
            format!("帮扶金额{amount}元超出合理范围（最多{MAX_AMOUNT}元）"),
            format!("the amount of {amount} yuan is beyond reason (at most {MAX_AMOUNT} yuan)"),
        ));
    }
    Ok(())
}

/// Reads an amount in 元 as typed (`1200`, `1,200.50`, `１２００`): empty is no amount; a
/// number that is not one, has more than two decimals, is negative or above [`MAX_AMOUNT`] is
/// refused (`measure.amount`).
pub fn parse_amount(text: &str) -> Result<Option<Fen>, Problem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let fen = Fen::parse_yuan(text).map_err(|e| {
        amount_problem(
            format!("帮扶金额“{}”{}", text.trim(), e.zh()),
            format!("the amount '{}' is {e}", text.trim()),
        )
    })?;
    check_amount(fen)?;
    Ok(Some(fen))
}

impl MeasureState {
    /// Whether a measure in this state may become `to`: 计划实施 → 已落实 → 已结束, a plan may
    /// also end without being carried out, and an edit keeps the state; an ended measure stays
    /// ended.
    pub fn may_become(self, to: MeasureState) -> bool {
        use MeasureState::*;
        matches!(
            (self, to),
            (Planned, Planned)
                | (Planned, InPlace)
                | (Planned, Ended)
                | (InPlace, InPlace)
                | (InPlace, Ended)
        )
    }
}

impl Measure {
    /// Checks a measure as entered, on `today`, for a case under assistance (`case_open`) or not:
    /// the content is required; the end is not before the start; the amount is neither negative
    /// nor above [`MAX_AMOUNT`]; an ended measure has the day it ended, not before its start nor
    /// after today (and one not ended has none); no measure is added to or changed on a case not
    /// under assistance. Every broken rule is one [`Problem`] naming its field.
    pub fn check(&self, today: Date, case_open: bool) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        if !case_open {
            problems.push(case_closed());
        }
        self.check_fields(today, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Checks a change of a stored measure (`before`) into `self`: the state may change only as
    /// [`MeasureState::may_become`] allows; on a case not under assistance the only change is
    /// ending a measure that by policy runs past the elimination
    /// ([`MeasureCategory::runs_past_elimination`]).
    pub fn check_change(
        &self,
        before: &Measure,
        today: Date,
        case_open: bool,
    ) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        if !before.state.may_become(self.state) {
            problems.push(Problem::new(
                ProblemCode::MeasureState,
                "state",
                format!(
                    "措施状态不能从“{}”变为“{}”",
                    before.state.label_zh(),
                    self.state.label_zh()
                ),
                format!(
                    "a measure cannot change from '{}' to '{}'",
                    before.state.label_en(),
                    self.state.label_en()
                ),
            ));
        }
        let ending_one_that_runs_on = before.category.runs_past_elimination().is_some()
            && self.category == before.category
            && before.state != MeasureState::Ended
            && self.state == MeasureState::Ended;
        if !case_open && !ending_one_that_runs_on {
            problems.push(case_closed());
        }
        self.check_fields(today, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn check_fields(&self, today: Date, problems: &mut Vec<Problem>) {
        if self.content.trim().is_empty() {
            problems.push(Problem::new(
                ProblemCode::Invalid,
                "content",
                "须填写帮扶内容",
                "the content of the measure is required",
            ));
        }
        problems.extend(free_text("content", "帮扶内容", &self.content, MAX_CONTENT));
        problems.extend(free_text("unit", "责任单位", &self.unit, MAX_NAME));
        problems.extend(free_text(
            "responsible",
            "责任人",
            &self.responsible,
            MAX_NAME,
        ));
        if let Some(end) = self.end {
            if end < self.start {
                problems.push(Problem::new(
                    ProblemCode::MeasureDates,
                    "end",
                    format!("结束日期{end}早于开始日期{}", self.start),
                    format!("the end {end} is before the start {}", self.start),
                ));
            }
        }
        if let Some(amount) = self.amount {
            if let Err(p) = check_amount(amount) {
                problems.push(p);
            }
        }
        match (self.state, self.ended_on) {
            (MeasureState::Ended, None) => problems.push(Problem::new(
                ProblemCode::MeasureDates,
                "ended_on",
                "结束措施须填写实际结束日期",
                "ending a measure needs the day it ended",
            )),
            (MeasureState::Ended, Some(on)) => {
                if on < self.start {
                    problems.push(Problem::new(
                        ProblemCode::MeasureDates,
                        "ended_on",
                        format!("实际结束日期{on}早于开始日期{}", self.start),
                        format!("the day it ended, {on}, is before the start {}", self.start),
                    ));
                }
                if on > today {
                    problems.push(Problem::new(
                        ProblemCode::MeasureDates,
                        "ended_on",
                        format!("实际结束日期{on}在今天（{today}）之后"),
                        format!("the day it ended, {on}, is after today ({today})"),
                    ));
                }
            }
            (_, Some(_)) => problems.push(Problem::new(
                ProblemCode::MeasureState,
                "ended_on",
                "未结束的措施不填实际结束日期",
                "a measure not ended has no day it ended",
            )),
            (_, None) => {}
        }
    }
}

/// The refusal of a write to the plan of a case not under assistance (`measure.case_closed`).
pub fn case_closed() -> Problem {
    Problem::new(
        ProblemCode::MeasureCaseClosed,
        "case",
        "该户不在帮扶中（风险已消除或未纳入监测），不能添加或修改措施",
        "the household is not under assistance (risk eliminated or not included): measures cannot be added or changed",
    )
}

impl Plan {
    /// The summary is free text of at most [`MAX_SUMMARY`] characters, saved only while the
    /// case is under assistance.
    pub fn check(&self, case_open: bool) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        if !case_open {
            problems.push(case_closed());
        }
        problems.extend(free_text("summary", "帮扶思路", &self.summary, MAX_SUMMARY));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
