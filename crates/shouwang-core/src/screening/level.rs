//! Warning levels (预警等级) and a county's warning scheme (预警方案) with response times.

use crate::codes::code_list;
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};

code_list!(
    /// 预警等级: 红 (most urgent), 黄, 蓝. `Ord` follows the list, so `Red < Yellow < Blue`;
    /// compare urgency with [`WarningLevel::severity`] or [`WarningLevel::highest`]. Leads and hits
    /// store the English label (`red`), rule sets the Chinese one; the numbers are ours.
    WarningLevel {
        Red = 0 => "红色预警", "red";
        Yellow = 1 => "黄色预警", "yellow";
        Blue = 2 => "蓝色预警", "blue";
    }
);

impl WarningLevel {
    /// 3 for red, 2 for yellow, 1 for blue: larger is more urgent.
    pub fn severity(self) -> u8 {
        match self {
            WarningLevel::Red => 3,
            WarningLevel::Yellow => 2,
            WarningLevel::Blue => 1,
        }
    }
    /// The more urgent of two levels.
    pub fn highest(self, other: WarningLevel) -> WarningLevel {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
    /// The single-character colour (红 / 黄 / 蓝) used in lists.
    pub fn colour_zh(self) -> &'static str {
        match self {
            WarningLevel::Red => "红",
            WarningLevel::Yellow => "黄",
            WarningLevel::Blue => "蓝",
        }
    }
    /// Index 0, 1, 2 for red, yellow, blue (for per-level arrays).
    pub fn index(self) -> usize {
        match self {
            WarningLevel::Red => 0,
            WarningLevel::Yellow => 1,
            WarningLevel::Blue => 2,
        }
    }
}

/// A county's warning scheme (预警方案): how many days each level allows for the response
/// (核实响应时限). The default 红 3 / 黄 7 / 蓝 15 days is ours, not national: no official tiers were
/// found (domain-research §8); blue matches the 15-day lead-to-identification limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningScheme {
    /// 红色预警响应时限（天）
    pub red_days: i64,
    /// 黄色预警响应时限（天）
    pub yellow_days: i64,
    /// 蓝色预警响应时限（天）
    pub blue_days: i64,
}

impl Default for WarningScheme {
    fn default() -> WarningScheme {
        WarningScheme {
            red_days: 3,
            yellow_days: 7,
            blue_days: 15,
        }
    }
}

impl WarningScheme {
    /// Days allowed to respond to a warning of `level`.
    pub fn response_days(&self, level: WarningLevel) -> i64 {
        match level {
            WarningLevel::Red => self.red_days,
            WarningLevel::Yellow => self.yellow_days,
            WarningLevel::Blue => self.blue_days,
        }
    }

    /// Each level 1–90 days, and a more urgent level never allows more time than a less urgent one.
    pub fn validate(&self, field: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        for level in WarningLevel::ALL {
            let d = self.response_days(*level);
            if !(1..=90).contains(&d) {
                out.push(Problem::new(
                    ProblemCode::WarningSchemeDaysRange,
                    format!("{field}.{}_days", level.label_en()),
                    format!("{}响应时限应为1至90天，而不是{d}天", level.label_zh()),
                    format!(
                        "{} response time must be 1 to 90 days, not {d}",
                        level.label_en()
                    ),
                ));
            }
        }
        if self.red_days > self.yellow_days || self.yellow_days > self.blue_days {
            out.push(Problem::new(
                ProblemCode::WarningSchemeOrder,
                field,
                "响应时限应满足：红色 ≤ 黄色 ≤ 蓝色",
                "response times must satisfy red ≤ yellow ≤ blue",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_is_the_most_urgent_level() {
        assert_eq!(
            WarningLevel::Blue.highest(WarningLevel::Red),
            WarningLevel::Red
        );
        assert_eq!(
            WarningLevel::Yellow.highest(WarningLevel::Blue),
            WarningLevel::Yellow
        );
        assert_eq!(
            WarningLevel::parse_zh("黄色预警"),
            Some(WarningLevel::Yellow)
        );
    }

    #[test]
    fn a_scheme_giving_red_more_time_than_yellow_is_refused() {
        assert!(WarningScheme::default()
            .validate("warning_scheme")
            .is_empty());
        let s = WarningScheme {
            red_days: 10,
            yellow_days: 7,
            blue_days: 15,
        };
        assert_eq!(
            s.validate("warning_scheme")[0].code,
            ProblemCode::WarningSchemeOrder
        );
        let s = WarningScheme {
            red_days: 0,
            yellow_days: 7,
            blue_days: 15,
        };
        assert_eq!(
            s.validate("warning_scheme")[0].field,
            "warning_scheme.red_days"
        );
    }
}
