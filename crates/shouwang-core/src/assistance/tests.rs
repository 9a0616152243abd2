use super::*;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn measure() -> Measure {
    Measure {
        category: MeasureCategory::Industry,
        content: "发放产业奖补资金用于养殖肉牛3头".into(),
        risk: Some(RiskType::Illness),
        start: d("2026-03-01"),
        end: Some(d("2026-12-31")),
        amount: Some(Fen::from_yuan(6000)),
        unit: "乡农业服务中心".into(),
        responsible: "李四".into(),
        state: MeasureState::Planned,
        ended_on: None,
    }
}

fn codes(r: Result<(), Vec<Problem>>) -> Vec<(ProblemCode, String)> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.code, p.field))
        .collect()
}

const TODAY: &str = "2026-06-01";

#[test]
fn a_measure_as_entered_passes() {
    assert_eq!(measure().check(d(TODAY), true), Ok(()));
    let open_ended = Measure {
        end: None,
        amount: None,
        ..measure()
    };
    assert_eq!(open_ended.check(d(TODAY), true), Ok(()));
}

#[test]
fn the_content_is_required() {
    let m = Measure {
        content: "  ".into(),
        ..measure()
    };
    assert_eq!(
        codes(m.check(d(TODAY), true)),
        vec![(ProblemCode::Invalid, "content".into())]
    );
}

#[test]
fn a_measure_ending_before_it_starts_is_refused_with_both_days() {
    let m = Measure {
        end: Some(d("2026-02-28")),
        ..measure()
    };
    let p = m.check(d(TODAY), true).unwrap_err();
    assert_eq!(
        (p[0].code, p[0].field.as_str()),
        (ProblemCode::MeasureDates, "end")
    );
    assert!(p[0].zh.contains("2026-02-28") && p[0].zh.contains("2026-03-01"));
    // ending on the day it starts is fine
    let same = Measure {
        end: Some(d("2026-03-01")),
        ..measure()
    };
    assert_eq!(same.check(d(TODAY), true), Ok(()));
}

#[test]
fn a_negative_or_absurd_amount_is_refused() {
    for fen in [-1, MAX_AMOUNT.0 + 1, i64::MAX] {
        let m = Measure {
            amount: Some(Fen(fen)),
            ..measure()
        };
        assert_eq!(
            codes(m.check(d(TODAY), true)),
            vec![(ProblemCode::MeasureAmount, "amount".into())],
            "{fen}"
        );
    }
    for fen in [0, MAX_AMOUNT.0] {
        let m = Measure {
            amount: Some(Fen(fen)),
            ..measure()
        };
        assert_eq!(m.check(d(TODAY), true), Ok(()));
    }
}

#[test]
fn no_measure_is_added_to_a_case_not_under_assistance() {
    assert_eq!(
        codes(measure().check(d(TODAY), false)),
        vec![(ProblemCode::MeasureCaseClosed, "case".into())]
    );
}

#[test]
fn a_closed_case_allows_only_ending_a_measure_that_runs_past_elimination() {
    let today = d(TODAY);
    let credit = Measure {
        category: MeasureCategory::Finance,
        state: MeasureState::InPlace,
        ..measure()
    };
    let ended = Measure {
        state: MeasureState::Ended,
        ended_on: Some(d("2026-05-31")),
        ..credit.clone()
    };
    assert_eq!(ended.check_change(&credit, today, false), Ok(()));
    // but not editing it otherwise
    let edited = Measure {
        content: "改".into(),
        ..credit.clone()
    };
    assert_eq!(
        codes(edited.check_change(&credit, today, false)),
        vec![(ProblemCode::MeasureCaseClosed, "case".into())]
    );
    // and not ending a measure that stops with the risk
    let industry = Measure {
        state: MeasureState::InPlace,
        ..measure()
    };
    let ended = Measure {
        state: MeasureState::Ended,
        ended_on: Some(d("2026-05-31")),
        ..industry.clone()
    };
    assert_eq!(
        codes(ended.check_change(&industry, today, false)),
        vec![(ProblemCode::MeasureCaseClosed, "case".into())]
    );
}

#[test]
fn every_legal_transition_passes_and_every_illegal_one_is_refused() {
    use MeasureState::*;
    let today = d(TODAY);
    let legal = [
        (Planned, Planned),
        (Planned, InPlace),
        (Planned, Ended),
        (InPlace, InPlace),
        (InPlace, Ended),
    ];
    for from in MeasureState::ALL {
        for to in MeasureState::ALL {
            let before = Measure {
                state: *from,
                ended_on: (*from == Ended).then(|| d("2026-05-01")),
                ..measure()
            };
            let after = Measure {
                state: *to,
                ended_on: (*to == Ended).then(|| d("2026-05-01")),
                ..measure()
            };
            let r = after.check_change(&before, today, true);
            if legal.contains(&(*from, *to)) {
                assert_eq!(r, Ok(()), "{from:?} -> {to:?}");
            } else {
                let p = r.unwrap_err();
                assert_eq!(
                    (p[0].code, p[0].field.as_str()),
                    (ProblemCode::MeasureState, "state"),
                    "{from:?} -> {to:?}"
                );
                assert!(p[0].zh.contains(from.label_zh()) && p[0].zh.contains(to.label_zh()));
            }
        }
    }
    assert!(!InPlace.may_become(Planned));
    assert!(!Ended.may_become(Ended));
}

#[test]
fn ending_needs_a_day_not_before_the_start_nor_in_the_future() {
    let today = d(TODAY);
    let before = Measure {
        state: MeasureState::InPlace,
        ..measure()
    };
    let end = |on: Option<&str>| Measure {
        state: MeasureState::Ended,
        ended_on: on.map(d),
        ..before.clone()
    };
    assert_eq!(
        codes(end(None).check_change(&before, today, true)),
        vec![(ProblemCode::MeasureDates, "ended_on".into())]
    );
    assert_eq!(
        codes(end(Some("2026-02-01")).check_change(&before, today, true)),
        vec![(ProblemCode::MeasureDates, "ended_on".into())]
    );
    assert_eq!(
        codes(end(Some("2026-06-02")).check_change(&before, today, true)),
        vec![(ProblemCode::MeasureDates, "ended_on".into())]
    );
    assert_eq!(end(Some(TODAY)).check_change(&before, today, true), Ok(()));
    assert_eq!(
        end(Some("2026-03-01")).check_change(&before, today, true),
        Ok(())
    );
    // a measure not ended carries no end day
    let odd = Measure {
        ended_on: Some(today),
        ..before.clone()
    };
    assert_eq!(
        codes(odd.check(today, true)),
        vec![(ProblemCode::MeasureState, "ended_on".into())]
    );
}

#[test]
fn a_plan_summary_is_bounded_and_saved_only_under_assistance() {
    let plan = Plan {
        summary: "发展肉牛养殖，稳定务工".into(),
    };
    assert_eq!(plan.check(true), Ok(()));
    assert_eq!(
        plan.check(false).unwrap_err()[0].code,
        ProblemCode::MeasureCaseClosed
    );
    let long = Plan {
        summary: "字".repeat(MAX_SUMMARY + 1),
    };
    assert_eq!(
        long.check(true).unwrap_err()[0].code,
        ProblemCode::TextTooLong
    );
    let full = Plan {
        summary: "字".repeat(MAX_SUMMARY),
    };
    assert_eq!(full.check(true), Ok(()));
}

#[test]
fn amounts_parse_as_typed() {
    assert_eq!(parse_amount(""), Ok(None));
    assert_eq!(parse_amount(" 1,200.5 "), Ok(Some(Fen(120_050))));
    assert_eq!(parse_amount("１２００"), Ok(Some(Fen(120_000))));
    assert_eq!(parse_amount("500000"), Ok(Some(MAX_AMOUNT)));
    for bad in ["abc", "1.234", "-5", "500000.01", "99999999999999999999"] {
        assert_eq!(
            parse_amount(bad).unwrap_err().code,
            ProblemCode::MeasureAmount,
            "{bad}"
        );
    }
}

proptest! {
    #[test]
    fn any_amount_in_fen_parses_back_when_in_bounds_and_is_refused_otherwise(fen in -10_000_000_000i64..10_000_000_000i64) {
        let text = crate::money::format_hundredths(fen);
        let parsed = parse_amount(&text);
        if (0..=MAX_AMOUNT.0).contains(&fen) {
            prop_assert_eq!(parsed, Ok(Some(Fen(fen))));
        } else {
            prop_assert_eq!(parsed.unwrap_err().code, ProblemCode::MeasureAmount);
        }
    }

    #[test]
    fn parsing_never_panics_and_what_it_accepts_is_in_bounds(text in "\\PC{0,24}") {
        if let Ok(Some(f)) = parse_amount(&text) {
            prop_assert!(f.0 >= 0 && f <= MAX_AMOUNT);
        }
    }
}
