//! What-if edits (模拟测算的调整): a county officer asks "what if the line were 9,200 元, or R05
//! were off?" and types `line=9200 R05=off`. Each edit is `key=value`; money is in 元.
//!
//! Keys: `line` (or `monitoring_line`), each rule parameter by name (`near_line_percent`,
//! `income_drop_percent`, `rigid_expenditure_percent`, `rigid_expenditure_amount`,
//! `schooling_cost_threshold`), and a rule code with `off`, `on`, `red`, `yellow` or `blue`
//! (`R05=off`, `R02=红`). Every edit is checked; nothing is applied unless all are valid.

use super::catalogue::{check_param, ParamKey, RuleId, RuleSet, RuleSetting, Unit};
use super::level::WarningLevel;
use crate::money::Fen;
use crate::problem::{Problem, ProblemCode};
use crate::standard::ResolvedStandard;

/// One `key=value` edit, as typed.
pub type Edit = (String, String);

/// Splits `key=value` texts; every text without `=` is a problem.
pub fn parse_edit_texts(texts: &[String]) -> Result<Vec<Edit>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for t in texts {
        match t.split_once('=') {
            Some((k, v)) => out.push((k.trim().to_string(), v.trim().to_string())),
            None => problems.push(Problem::new(
                ProblemCode::WhatIfSyntax,
                t.clone(),
                format!("“{t}”应写成 参数=值，如 line=9200"),
                format!("'{t}' should read key=value, e.g. line=9200"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The rule set and standard with `edits` applied, or every problem found.
pub fn apply_edits(
    edits: &[Edit],
    rules: &RuleSet,
    standard: &ResolvedStandard,
) -> Result<(RuleSet, ResolvedStandard), Vec<Problem>> {
    let mut rules = rules.clone();
    let mut standard = standard.clone();
    let mut problems = Vec::new();
    let bad = |key: &str, value: &str| {
        Problem::new(
            ProblemCode::WhatIfValue,
            key.to_string(),
            format!("“{key}={value}”的取值无效"),
            format!("'{key}={value}' has an invalid value"),
        )
    };
    for (key, value) in edits {
        let (key, value) = (key.trim(), value.trim());
        if key == "line" || key == "monitoring_line" {
            match Fen::parse_yuan(value) {
                Ok(f) => standard = standard.with_line(f),
                Err(_) => problems.push(bad(key, value)),
            }
        } else if let Some(p) = ParamKey::parse(key) {
            let d = p.def();
            let v = match d.unit {
                Unit::Fen => Fen::parse_yuan(value).ok().map(|f| f.0),
                _ => value.parse::<i64>().ok(),
            };
            match v {
                Some(v) => match check_param(d, v, key) {
                    Some(problem) => problems.push(problem),
                    None => rules.set_param(p, v),
                },
                None => problems.push(bad(key, value)),
            }
        } else if let Some(rule) = RuleId::parse(key) {
            let mut s: RuleSetting = rules.setting(rule);
            match value.to_ascii_lowercase().as_str() {
                "off" | "0" | "停用" => s.enabled = false,
                "on" | "1" | "启用" => s.enabled = true,
                other => match WarningLevel::ALL
                    .iter()
                    .find(|l| l.label_en() == other || l.colour_zh() == other)
                {
                    Some(l) => {
                        s.enabled = true;
                        s.level = *l;
                    }
                    None => problems.push(bad(key, value)),
                },
            }
            rules.set(s);
        } else {
            problems.push(Problem::new(
                ProblemCode::WhatIfKey,
                key.to_string(),
                format!("未知的参数“{key}”"),
                format!("unknown parameter '{key}'"),
            ));
        }
    }
    problems.extend(standard.validate());
    if problems.is_empty() {
        Ok((rules, standard))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::RegionCode;
    use crate::standard::{resolve, Standard};

    fn standard() -> ResolvedStandard {
        let province = RegionCode::parse("51").unwrap();
        let county = RegionCode::parse("510821").unwrap();
        resolve(
            &[Standard::provincial(2026, province, Fen::from_yuan(8700))],
            &county,
            2026,
        )
        .unwrap()
    }

    fn edits(texts: &[&str]) -> Vec<Edit> {
        parse_edit_texts(&texts.iter().map(|t| t.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_new_line_a_parameter_and_a_rule_switch_apply_together() {
        let rules = RuleSet::default_for(2026);
        let (r, s) = apply_edits(
            &edits(&["line=9200", "near_line_percent=20", "R05=off", "R02=red"]),
            &rules,
            &standard(),
        )
        .unwrap();
        assert_eq!(s.monitoring_line, Fen::from_yuan(9200));
        assert_eq!(r.param(ParamKey::NearLinePercent, &s), 20);
        assert!(!r.setting(RuleId::parse("R05").unwrap()).enabled);
        assert_eq!(
            r.setting(RuleId::parse("R02").unwrap()).level,
            WarningLevel::Red
        );
    }

    #[test]
    fn every_bad_edit_is_reported_and_nothing_is_applied() {
        let rules = RuleSet::default_for(2026);
        let problems = apply_edits(
            &edits(&["line=abc", "colour=red", "R05=purple"]),
            &rules,
            &standard(),
        )
        .unwrap_err();
        let codes: Vec<ProblemCode> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                ProblemCode::WhatIfValue,
                ProblemCode::WhatIfKey,
                ProblemCode::WhatIfValue
            ]
        );
    }

    #[test]
    fn a_text_without_an_equals_sign_is_refused() {
        let p = parse_edit_texts(&["line9200".to_string()]).unwrap_err();
        assert_eq!(p[0].code, ProblemCode::WhatIfSyntax);
    }
}
