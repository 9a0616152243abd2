use super::tables::{months, TableKind};
use super::*;

fn facts(code: &str, kept: u64, due: u64, done: u64, owed: u64) -> VillageFacts {
    VillageFacts {
        code: code.into(),
        name: code.into(),
        deadline_due: due,
        deadline_kept: kept,
        visits_due: owed,
        visits_done: done,
        cases_at_risk: 10,
        cases_covered: 10,
        households: 100,
        findings: 0,
    }
}

#[test]
fn a_score_is_the_weighted_mean_of_the_shares() {
    let w = Weights {
        deadline: 50,
        visits: 50,
        measures: 0,
        quality: 0,
    };
    // 3/4 kept, 1/2 visited: (750 + 500) / 2
    let (parts, total) = score(&facts("a", 3, 4, 1, 2), &w);
    assert_eq!(total, 625);
    assert_eq!(parts[0].share, 750);
    assert_eq!(parts[1].share, 500);
    assert_eq!(parts[0].points, 375);
    assert_eq!(parts[2].points, 0, "a weight of 0 adds nothing");
}

#[test]
fn nothing_owed_is_full_marks_and_says_so() {
    let w = Weights::default();
    let (parts, total) = score(&facts("a", 0, 0, 0, 0), &w);
    assert!(parts[0].nothing_owed && parts[1].nothing_owed);
    assert_eq!(total, 1000);
    assert!(explain(&parts[0], false).contains("计满分"));
    assert!(explain(&parts[0], true).contains("full marks"));
}

#[test]
fn quality_is_one_less_the_findings_per_household_never_below_zero() {
    assert_eq!(share(Component::Quality, 5, 100), (950, false));
    assert_eq!(share(Component::Quality, 300, 100), (0, false));
    assert_eq!(share(Component::Quality, 0, 0), (1000, true));
    // rounding half up, in thousandths
    assert_eq!(share(Component::Visits, 2, 3), (667, false));
    assert_eq!(share(Component::Visits, 1, 3), (333, false));
}

#[test]
fn equal_totals_share_a_rank_and_are_listed_by_code() {
    let w = Weights::default();
    let ranked = rank(
        vec![
            facts("c", 1, 2, 1, 1),
            facts("b", 2, 2, 1, 1),
            facts("a", 1, 2, 1, 1),
            facts("d", 0, 2, 0, 1),
        ],
        &w,
    );
    let order: Vec<(&str, u32)> = ranked
        .iter()
        .map(|s| (s.facts.code.as_str(), s.rank))
        .collect();
    assert_eq!(order, vec![("b", 1), ("a", 2), ("c", 2), ("d", 4)]);
}

#[test]
fn the_weights_change_the_order() {
    let strong_visits = facts("a", 0, 4, 4, 4);
    let strong_deadlines = facts("b", 4, 4, 0, 4);
    let by_visits = Weights {
        deadline: 10,
        visits: 90,
        measures: 0,
        quality: 0,
    };
    let by_deadlines = Weights {
        deadline: 90,
        visits: 10,
        measures: 0,
        quality: 0,
    };
    let first = |w: &Weights| {
        rank(vec![strong_visits.clone(), strong_deadlines.clone()], w)[0]
            .facts
            .code
            .clone()
    };
    assert_eq!(first(&by_visits), "a");
    assert_eq!(first(&by_deadlines), "b");
}

#[test]
fn a_township_sums_its_villages() {
    let w = Weights::default();
    let v = vec![
        facts("510821100001", 1, 2, 1, 2),
        facts("510821100002", 1, 2, 1, 2),
        facts("510821101001", 2, 2, 2, 2),
    ];
    let t = townships(
        &v,
        &[
            ("510821100".into(), "东河镇".into()),
            ("510821101".into(), "嘉川镇".into()),
        ],
        &w,
    );
    assert_eq!(t[0].facts.code, "510821101");
    assert_eq!(t[1].facts.deadline_due, 4);
    assert_eq!(t[1].facts.deadline_kept, 2);
    assert_eq!(t[1].facts.households, 200);
}

#[test]
fn weights_out_of_range_or_all_zero_are_refused() {
    assert!(Weights::default().check().is_empty());
    let w = Weights {
        deadline: 101,
        ..Weights::default()
    };
    assert_eq!(w.check()[0].code, ProblemCode::RankingWeightInvalid);
    assert_eq!(w.check()[0].field, "deadline");
    let zero = Weights {
        deadline: 0,
        visits: 0,
        measures: 0,
        quality: 0,
    };
    assert_eq!(zero.check().len(), 1);
}

#[test]
fn a_month_is_taken_on_its_last_day_once_ended() {
    let m = YearMonth::new(2026, 2).unwrap();
    let today = Date::parse("2026-12-01").unwrap();
    assert_eq!(as_of(m, today), Date::parse("2026-02-28").unwrap());
    assert!(ended(m, today));
    let now = YearMonth::new(2026, 12).unwrap();
    assert_eq!(as_of(now, today), today);
    assert!(!ended(now, today));
    // the last day itself is not yet after the month
    assert!(!ended(
        YearMonth::new(2026, 11).unwrap(),
        Date::parse("2026-11-30").unwrap()
    ));
}

#[test]
fn explanations_name_the_inputs_and_the_points() {
    let (parts, _) = score(&facts("a", 12, 15, 0, 0), &Weights::default());
    let zh = explain(&parts[0], false);
    assert!(
        zh.contains("12") && zh.contains("15") && zh.contains("80.0%"),
        "{zh}"
    );
    assert!(zh.contains("权重 30") && zh.contains("得 24.0 分"), "{zh}");
    assert_eq!(points(835), "83.5");
}

#[test]
fn tables_have_slugs_and_month_ranges() {
    for k in TableKind::ALL {
        assert_eq!(TableKind::of_slug(k.slug()), Some(k));
    }
    let ms = months(
        YearMonth::new(2025, 11).unwrap(),
        YearMonth::new(2026, 2).unwrap(),
    );
    assert_eq!(ms.len(), 4);
    assert_eq!(ms[3].to_string(), "2026-02");
    assert!(months(
        YearMonth::new(2026, 3).unwrap(),
        YearMonth::new(2026, 2).unwrap()
    )
    .is_empty());
}
