//! 精准帮扶: one plan per monitoring case (一户一策) with its measures (帮扶措施), and the people
//! paired with households ([`person`]). Research §6.
//!
//! A household with labour capacity needs at least one development measure (产业, 就业, 金融,
//! 公益岗位); some measures by policy run past the elimination of the risk (小额信贷 until the
//! contract ends, 公益岗位 until the job agreement ends, 雨露计划 until the stage of schooling ends).

pub mod person;

use crate::codes::code_list;
use crate::date::Date;
use crate::money::Fen;
use crate::monitoring::RiskType;
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
        OtherEducation = 9 => "其他教育帮扶", "other education (雨露计划)";
        SocialSecurity = 10 => "综合保障", "comprehensive security (低保, 特困)";
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
                "the 雨露计划 subsidy runs until the current stage of schooling ends",
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
