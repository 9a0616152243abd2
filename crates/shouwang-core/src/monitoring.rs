//! Monitoring cases (监测对象): the household under monitoring, its type, risks and state.

use crate::codes::code_list;
use crate::date::{Date, YearMonth};
use crate::problem::{Problem, ProblemCode};
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

/// At most five risks per case (致贫/返贫风险1–5).
pub const MAX_RISKS: usize = 5;

/// A dated step of a monitoring case's history (`case_steps`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStepKind {
    /// 县级审定纳入监测: the case begins, in its identification month
    Included,
    /// 风险消除
    Eliminated,
}

impl CaseStepKind {
    /// The name stored in `case_steps.step`.
    pub fn stored(self) -> &'static str {
        match self {
            CaseStepKind::Included => "identification",
            CaseStepKind::Eliminated => "elimination",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStepKind::Included => "县级审定纳入监测",
            CaseStepKind::Eliminated => "风险消除",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            CaseStepKind::Included => "included by the county",
            CaseStepKind::Eliminated => "risk eliminated",
        }
    }
}

/// One step of a case's history, dated the first of its month (the ledger gives months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStep {
    pub kind: CaseStepKind,
    pub on: Date,
}

impl MonitoringCase {
    /// The dated history of a case as the ledger describes it (县级审定纳入 in the identification
    /// month, 风险消除 in the elimination month), once its invariants hold: at most
    /// [`MAX_RISKS`] risks and none twice; a case of the ledger is included (风险未消除 or
    /// 风险已消除), and eliminated exactly when it has an elimination kind and month; neither
    /// month after `today`'s, and no elimination before the identification. Every broken rule
    /// is a [`Problem`] naming its field (`risks`, `identified`, `status`, `eliminated`).
    pub fn history(&self, today: Date) -> Result<Vec<CaseStep>, Vec<Problem>> {
        let mut problems = Vec::new();
        let this_month = YearMonth::of(today);
        if self.risks.len() > MAX_RISKS {
            problems.push(Problem::new(
                ProblemCode::RisksInvalid,
                "risks",
                format!("风险类型至多五项，这里有{}项", self.risks.len()),
                format!("at most five risk types, not {}", self.risks.len()),
            ));
        }
        for (i, r) in self.risks.iter().enumerate() {
            if self.risks[..i].contains(r) {
                problems.push(Problem::new(
                    ProblemCode::RiskRepeated,
                    "risks",
                    format!("风险“{}”填写了两次", r.label_zh()),
                    format!("risk '{}' is given twice", r.label_en()),
                ));
            }
        }
        if self.identified > this_month {
            problems.push(Problem::new(
                ProblemCode::MonitoringIdentifiedFuture,
                "identified",
                format!("识别监测时间{}晚于本月", self.identified.compact()),
                format!(
                    "identification month {} lies in the future",
                    self.identified.compact()
                ),
            ));
        }
        match (self.status, self.elimination) {
            (CaseStatus::Identifying, _) => problems.push(Problem::new(
                ProblemCode::MonitoringStatus,
                "status",
                "台账中的监测对象已经县级审定纳入，状态不能是“识别中”",
                "a case of the ledger has been included by the county: its status cannot be 'being identified'",
            )),
            (CaseStatus::Eliminated, None) => problems.push(Problem::new(
                ProblemCode::MonitoringStatus,
                "status",
                "状态为风险已消除，却没有风险消除方式和时间",
                "the status says the risk is eliminated, yet no elimination kind and month are given",
            )),
            (CaseStatus::AtRisk, Some(_)) => problems.push(Problem::new(
                ProblemCode::MonitoringNotEliminated,
                "eliminated",
                "状态为风险未消除，却有风险消除方式和时间",
                "the status says the risk is not eliminated, yet an elimination kind and month are given",
            )),
            _ => {}
        }
        if let Some((_, m)) = self.elimination {
            if m < self.identified {
                problems.push(Problem::new(
                    ProblemCode::MonitoringEliminatedBeforeIdentified,
                    "eliminated",
                    format!(
                        "风险消除时间{}早于识别监测时间{}",
                        m.compact(),
                        self.identified.compact()
                    ),
                    format!(
                        "elimination month {} precedes identification month {}",
                        m.compact(),
                        self.identified.compact()
                    ),
                ));
            }
            if m > this_month {
                problems.push(Problem::new(
                    ProblemCode::MonitoringEliminatedFuture,
                    "eliminated",
                    format!("风险消除时间{}晚于本月", m.compact()),
                    format!("elimination month {} lies in the future", m.compact()),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut steps = vec![CaseStep {
            kind: CaseStepKind::Included,
            on: self.identified.first_day(),
        }];
        if let Some((_, m)) = self.elimination {
            steps.push(CaseStep {
                kind: CaseStepKind::Eliminated,
                on: m.first_day(),
            });
        }
        Ok(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }

    fn case() -> MonitoringCase {
        MonitoringCase {
            household_no: "51082110821200001".into(),
            case_type: CaseType::MarginalAtRisk,
            risks: vec![RiskType::Illness, RiskType::LackOfLabour],
            identified: ym(2023, 4),
            status: CaseStatus::Eliminated,
            elimination: Some((EliminationKind::AfterAssistance, ym(2024, 10))),
            whole_household_without_labour: false,
        }
    }

    fn fields(c: &MonitoringCase) -> Vec<(ProblemCode, String)> {
        c.history(today())
            .unwrap_err()
            .into_iter()
            .map(|p| (p.code, p.field))
            .collect()
    }

    #[test]
    fn an_eliminated_case_has_its_inclusion_and_its_elimination_dated() {
        let steps = case().history(today()).unwrap();
        assert_eq!(
            steps,
            vec![
                CaseStep {
                    kind: CaseStepKind::Included,
                    on: Date::new(2023, 4, 1).unwrap()
                },
                CaseStep {
                    kind: CaseStepKind::Eliminated,
                    on: Date::new(2024, 10, 1).unwrap()
                },
            ]
        );
        assert_eq!(steps[0].kind.stored(), "identification");
        assert_eq!(steps[1].kind.label_zh(), "风险消除");
        // eliminated in the month it was identified, this month
        let mut c = case();
        c.identified = ym(2026, 11);
        c.elimination = Some((EliminationKind::Natural, ym(2026, 11)));
        assert_eq!(c.history(today()).unwrap().len(), 2);
    }

    #[test]
    fn a_case_at_risk_has_only_its_inclusion() {
        let mut c = case();
        c.status = CaseStatus::AtRisk;
        c.elimination = None;
        c.whole_household_without_labour = true;
        let steps = c.history(today()).unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].on, Date::new(2023, 4, 1).unwrap());
    }

    #[test]
    fn six_risks_or_one_twice_are_refused_naming_the_risks() {
        let mut c = case();
        c.risks = vec![
            RiskType::Illness,
            RiskType::Schooling,
            RiskType::Disability,
            RiskType::Accident,
            RiskType::UnsafeWater,
            RiskType::Other,
        ];
        assert_eq!(
            fields(&c),
            vec![(ProblemCode::RisksInvalid, "risks".to_string())]
        );
        c.risks = vec![RiskType::Illness, RiskType::Accident, RiskType::Illness];
        let p = c.history(today()).unwrap_err();
        assert_eq!(p[0].code, ProblemCode::RiskRepeated);
        assert!(p[0].zh.contains("因病"), "{}", p[0].zh);
        // five are allowed, and so is none (a ledger may leave them empty)
        c.risks.truncate(2);
        assert!(c.history(today()).is_ok());
        c.risks.clear();
        assert!(c.history(today()).is_ok());
    }

    #[test]
    fn months_in_the_future_or_an_elimination_before_the_identification_are_refused() {
        let mut c = case();
        c.identified = ym(2026, 12);
        c.elimination = Some((EliminationKind::Natural, ym(2027, 1)));
        assert_eq!(
            fields(&c),
            vec![
                (ProblemCode::MonitoringIdentifiedFuture, "identified".into()),
                (ProblemCode::MonitoringEliminatedFuture, "eliminated".into()),
            ]
        );
        let mut c = case();
        c.elimination = Some((EliminationKind::Natural, ym(2023, 3)));
        let p = c.history(today()).unwrap_err();
        assert_eq!(
            (p[0].code, p[0].field.as_str()),
            (
                ProblemCode::MonitoringEliminatedBeforeIdentified,
                "eliminated"
            )
        );
        assert!(p[0].zh.contains("202303") && p[0].en.contains("202304"));
    }

    #[test]
    fn the_status_must_agree_with_the_elimination() {
        let mut c = case();
        c.elimination = None;
        assert_eq!(
            fields(&c),
            vec![(ProblemCode::MonitoringStatus, "status".into())]
        );
        let mut c = case();
        c.status = CaseStatus::AtRisk;
        assert_eq!(
            fields(&c),
            vec![(ProblemCode::MonitoringNotEliminated, "eliminated".into())]
        );
        let mut c = case();
        c.status = CaseStatus::Identifying;
        c.elimination = None;
        assert_eq!(
            fields(&c),
            vec![(ProblemCode::MonitoringStatus, "status".into())]
        );
    }
}
