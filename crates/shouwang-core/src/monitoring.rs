//! Monitoring cases (监测对象): the household under monitoring, its type, risks and state.

use crate::codes::code_list;
use crate::date::YearMonth;
use serde::{Deserialize, Serialize};

code_list!(
    /// 监测对象类别. Numbers of the national household-type table: 100A03001, 100A03002, 100A03003.
    CaseType {
        UnstablePostPoverty = 1 => "脱贫不稳定户", "unstable post-poverty household";
        MarginalAtRisk = 2 => "边缘易致贫户", "marginal household at risk";
        SuddenHardship = 3 => "突发严重困难户", "household in sudden severe hardship";
    }
);

code_list!(
    /// 致贫/返贫风险 (code table 100A27). Numbers not found (domain-research §3): the list's first
    /// order. Stored comma-separated in `monitoring_cases.risks`, and by label in leads and hits.
    RiskType {
        Illness = 0 => "因病", "illness";
        Schooling = 1 => "因学", "schooling costs";
        Disability = 2 => "因残", "disability";
        NaturalDisaster = 3 => "因自然灾害", "natural disaster";
        Accident = 4 => "因意外事故", "accident";
        BusinessFailure = 5 => "因产业项目失败", "failed farming or business project";
        UnstableEmployment = 6 => "因务工就业不稳", "unstable employment";
        LackOfLabour = 7 => "缺劳动力", "lack of labour";
        UnsafeHousing = 8 => "住房出现安全问题", "unsafe housing";
        UnsafeWater = 9 => "饮水安全问题", "unsafe drinking water";
        Other = 10 => "其他", "other";
    }
);

code_list!(
    /// 风险消除方式 (dm_fxxcfs). Numbers not found: the list's first order.
    EliminationKind {
        AfterAssistance = 0 => "帮扶消除", "eliminated after assistance";
        Natural = 1 => "自然消除", "eliminated naturally";
    }
);

code_list!(
    /// 监测对象状态. Ours: the list's first order.
    CaseStatus {
        Identifying = 0 => "识别中", "being identified";
        AtRisk = 1 => "风险未消除", "risk not eliminated";
        Eliminated = 2 => "风险已消除", "risk eliminated";
    }
);

/// A household's monitoring case as the national ledger describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringCase {
    pub household_no: String,
    pub case_type: CaseType,
    /// 致贫/返贫风险1–5, at most five, no repeats
    pub risks: Vec<RiskType>,
    /// 识别监测时间
    pub identified: YearMonth,
    pub status: CaseStatus,
    /// 风险消除方式 and 风险消除时间, when eliminated
    pub elimination: Option<(EliminationKind, YearMonth)>,
    /// 整户无劳动能力兜底保障户
    pub whole_household_without_labour: bool,
}
