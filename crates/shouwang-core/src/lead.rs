//! 风险线索: a sign that a household may be at risk, from one of the channels of research §4,
//! waiting to be verified. The leads of one household are gathered into one identification
//! ([`crate::identification`]); a lead that is wrong is dismissed with a reason, and one that
//! repeats another is merged into it. Nothing is deleted: a closed lead stays in the household's
//! history.

use crate::codes::code_list;
use crate::problem::{Problem, ProblemCode};

code_list!(
    /// 发现途径. Ours, in the order of research §4.
    LeadSource {
        Screening = 1 => "系统筛查", "system screening";
        CadreCheck = 2 => "干部排查", "cadre check";
        Hotline = 3 => "12317热线", "12317 hotline";
        Department = 4 => "部门预警", "department warning";
        SelfReport = 5 => "农户自主申报", "household self-report";
    }
);

code_list!(
    /// Where a lead stands. Ours.
    LeadStatus {
        Open = 0 => "待核实", "to verify";
        Gathered = 1 => "识别中", "being identified";
        Included = 2 => "已纳入监测", "included in monitoring";
        NotIncluded = 3 => "不予纳入", "not included";
        Dismissed = 4 => "已排除", "dismissed";
        Merged = 5 => "已合并", "merged";
    }
);

impl LeadStatus {
    /// Whether the lead still waits for an outcome (no new lead of the same risk is raised then).
    pub fn is_pending(self) -> bool {
        matches!(self, LeadStatus::Open | LeadStatus::Gathered)
    }
}

/// Whether `status` may be dismissed or merged: only a lead not yet in an identification. A
/// gathered lead ends with its identification.
pub fn check_closable(status: LeadStatus) -> Result<(), Problem> {
    if status == LeadStatus::Open {
        return Ok(());
    }
    Err(Problem::new(
        ProblemCode::LeadClosed,
        "lead",
        format!("线索状态为“{}”，不能再排除或合并", status.label_zh()),
        format!(
            "the lead is {}; it can no longer be dismissed or merged",
            status.label_en()
        ),
    ))
}

/// A reason the user typed: trimmed, at least two characters (a dash or a dot says nothing).
pub fn check_reason(field: &str, reason: &str) -> Result<String, Problem> {
    let reason = reason.trim();
    if reason.chars().count() >= 2 {
        return Ok(reason.to_string());
    }
    Err(Problem::new(
        ProblemCode::ReasonRequired,
        field,
        "须写明理由（至少两个字）",
        "a reason is required (two characters or more)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_open_lead_can_be_dismissed_or_merged() {
        for status in LeadStatus::ALL {
            let result = check_closable(*status);
            assert_eq!(result.is_ok(), *status == LeadStatus::Open, "{status:?}");
            if let Err(p) = result {
                assert_eq!(p.code, ProblemCode::LeadClosed);
            }
        }
    }

    #[test]
    fn a_reason_needs_words() {
        assert!(check_reason("reason", " - ").is_err());
        assert!(check_reason("reason", "").is_err());
        assert_eq!(check_reason("reason", " 重复录入 ").unwrap(), "重复录入");
    }
}
