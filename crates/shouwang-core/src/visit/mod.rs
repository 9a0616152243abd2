//! 走访: visits to households and the duties to make them, by position (seed 003 文峰乡): the
//! 村党支部书记 monthly for the village's 脱贫 and monitored households, the 乡镇党委书记 every half
//! year for each monitored household of the township, the 帮扶责任人 and the 家庭签约医生 monthly
//! for their paired households. The periods are the year's standard's. A user may hold a position
//! besides the role. A village cadre without a position records visits as 村干部, which count for
//! no duty.

pub mod duty;

use crate::codes::code_list;
use crate::date::Date;
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};

code_list!(
    /// 职务: positions that carry visit duties. Ours.
    Position {
        VillageSecretary = 1 => "村党支部书记", "village Party secretary";
        TownshipSecretary = 2 => "乡镇党委书记", "township Party secretary";
        AssistancePerson = 3 => "帮扶责任人", "assistance person";
        FamilyDoctor = 4 => "家庭签约医生", "family doctor";
        Cadre = 5 => "村干部", "village cadre";
    }
);

/// One visit, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub household_no: String,
    pub on: Date,
    /// the position the visit counts for
    pub position: Position,
    /// 走访发现
    pub findings: String,
    /// 后续跟进
    pub follow_up: String,
}

/// What a visit is checked against: the day it is recorded, the positions the visitor holds
/// that cover the household, and whether the visitor's person (帮扶责任人, 家庭签约医生) is
/// paired with the household on the visit's day.
#[derive(Clone, Debug)]
pub struct VisitContext {
    pub today: Date,
    pub held: Vec<Position>,
    pub paired_on_day: bool,
}

impl Position {
    /// Positions that are paired with households one by one.
    pub fn is_paired(self) -> bool {
        matches!(self, Position::AssistancePerson | Position::FamilyDoctor)
    }
}

impl Visit {
    /// Refuses a visit dated in the future, without findings, for a position the visitor does
    /// not hold, or — for 帮扶责任人 and 家庭签约医生 — to a household not paired with the
    /// visitor on that day. Every problem names its field.
    pub fn check(&self, cx: &VisitContext) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.on > cx.today {
            out.push(Problem::new(
                ProblemCode::VisitFuture,
                "on",
                format!("走访日期{}晚于今天{}", self.on, cx.today),
                format!("the visit date {} is after today {}", self.on, cx.today),
            ));
        }
        if self.findings.trim().is_empty() {
            out.push(Problem::new(
                ProblemCode::Invalid,
                "findings",
                "请填写走访发现",
                "the findings are required",
            ));
        }
        if !cx.held.contains(&self.position) {
            out.push(Problem::new(
                ProblemCode::VisitPosition,
                "position",
                format!("走访人不担任覆盖该户的“{}”职务", self.position.label_zh()),
                format!(
                    "the visitor holds no {} position covering the household",
                    self.position.label_en()
                ),
            ));
        } else if self.position.is_paired() && !cx.paired_on_day {
            out.push(Problem::new(
                ProblemCode::VisitNotPaired,
                "household",
                format!(
                    "{}当天（{}）未与户{}结对",
                    self.position.label_zh(),
                    self.on,
                    self.household_no
                ),
                format!(
                    "the {} was not paired with household {} on {}",
                    self.position.label_en(),
                    self.household_no,
                    self.on
                ),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(on: &str, position: Position) -> Visit {
        Visit {
            household_no: "H1".into(),
            on: Date::parse(on).unwrap(),
            position,
            findings: "家中老人身体尚好".into(),
            follow_up: String::new(),
        }
    }
    fn cx(held: &[Position], paired: bool) -> VisitContext {
        VisitContext {
            today: Date::parse("2026-06-15").unwrap(),
            held: held.to_vec(),
            paired_on_day: paired,
        }
    }
    fn codes(v: &Visit, c: &VisitContext) -> Vec<ProblemCode> {
        v.check(c).iter().map(|p| p.code).collect()
    }

    #[test]
    fn a_visit_today_or_earlier_by_a_holder_passes() {
        let c = cx(&[Position::VillageSecretary, Position::Cadre], false);
        assert!(codes(&visit("2026-06-15", Position::VillageSecretary), &c).is_empty());
        assert!(codes(&visit("2026-01-01", Position::Cadre), &c).is_empty());
    }

    #[test]
    fn a_visit_tomorrow_is_refused_with_both_dates() {
        let v = visit("2026-06-16", Position::Cadre);
        let p = &v.check(&cx(&[Position::Cadre], false))[0];
        assert_eq!(p.code, ProblemCode::VisitFuture);
        assert!(p.zh.contains("2026-06-16") && p.zh.contains("2026-06-15"));
    }

    #[test]
    fn findings_are_required() {
        let mut v = visit("2026-06-01", Position::Cadre);
        v.findings = "  ".into();
        assert_eq!(
            codes(&v, &cx(&[Position::Cadre], false)),
            [ProblemCode::Invalid]
        );
    }

    #[test]
    fn a_position_not_held_is_refused() {
        let v = visit("2026-06-01", Position::TownshipSecretary);
        assert_eq!(
            codes(&v, &cx(&[Position::VillageSecretary], true)),
            [ProblemCode::VisitPosition]
        );
    }

    #[test]
    fn paired_positions_need_the_pairing_on_the_day() {
        for p in [Position::AssistancePerson, Position::FamilyDoctor] {
            let v = visit("2026-06-01", p);
            assert!(codes(&v, &cx(&[p], true)).is_empty());
            assert_eq!(codes(&v, &cx(&[p], false)), [ProblemCode::VisitNotPaired]);
        }
        // a secretary needs no pairing
        let v = visit("2026-06-01", Position::VillageSecretary);
        assert!(codes(&v, &cx(&[Position::VillageSecretary], false)).is_empty());
    }
}
