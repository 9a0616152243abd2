use super::*;
use proptest::prelude::*;

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn quarter(year: i32, q: u8, wages: i64) -> Income {
    Income {
        wages: Fen(wages),
        ..Income::empty(IncomePeriod::quarter(year, q))
    }
}

fn year(y: i32, wages: i64) -> Income {
    Income {
        wages: Fen(wages),
        ..Income::empty(IncomePeriod::year(y))
    }
}

/// A household of two who can work, identified on 2026-03-02, checked on 2026-11-10: every
/// condition met (the 2026 line 8,700 元; Q2 and Q3 of 2026 recorded at 10,000 元 a person a year).
fn facts() -> EliminationFacts {
    EliminationFacts {
        identified_on: d("2026-03-02"),
        today: d("2026-11-10"),
        case_type: CaseType::MarginalAtRisk,
        risks: vec![RiskType::Illness],
        measures: vec![MeasureFact {
            category: MeasureCategory::Health,
            risk: Some(RiskType::Illness),
            state: MeasureState::InPlace,
            start: d("2026-03-10"),
        }],
        line: Fen(870_000),
        min_months: 6,
        stable_months: 6,
        rigid_percent: 50,
        rigid_amount: Fen(2_000_000),
        incomes: vec![
            year(2025, 2_000_000),
            quarter(2026, 2, 500_000),
            quarter(2026, 3, 500_000),
        ],
        members: vec![
            MemberFact {
                labour: Some(LabourCapacity::Ordinary),
            },
            MemberFact {
                labour: Some(LabourCapacity::Lost),
            },
        ],
        guarantees: Some(GuaranteeFacts {
            as_of: d("2026-10-01"),
            unsafe_housing: false,
            dropout: false,
            uninsured: false,
            unsafe_water: false,
            food_clothing: false,
        }),
        new_risks: vec![],
    }
}

fn condition(c: &EliminationCheck, id: ConditionId) -> &Condition {
    c.conditions.iter().find(|x| x.id == id).unwrap()
}

#[test]
fn a_case_meeting_every_condition_may_be_closed() {
    let c = check(&facts());
    assert!(c.conditions.iter().all(|x| x.met), "{:#?}", c.conditions);
    assert_eq!(c.conditions.len(), 7);
    assert_eq!(c.verdict(), Verdict::Closable);
    assert!(c.passes(EliminationKind::AfterAssistance));
    assert_eq!(
        condition(&c, ConditionId::MinPeriod).zh,
        "识别于2026-03-02，已满8个月（须满6个月）"
    );
}

#[test]
fn the_six_months_run_to_the_same_day() {
    let mut f = facts();
    f.today = d("2026-09-01");
    let c = check(&f);
    let m = condition(&c, ConditionId::MinPeriod);
    assert!(!m.met);
    assert_eq!(m.zh, "识别于2026-03-02，仅5个月（须满6个月，2026-09-02起）");
    assert_eq!(c.verdict(), Verdict::NotYet);
    f.today = d("2026-09-02");
    assert!(condition(&check(&f), ConditionId::MinPeriod).met);
}

#[test]
fn months_clamp_to_the_end_of_a_short_month() {
    assert_eq!(add_months(d("2026-08-31"), 6), d("2027-02-28"));
    assert_eq!(whole_months(d("2026-08-31"), d("2027-02-27")), 5);
    assert_eq!(whole_months(d("2026-08-31"), d("2027-02-28")), 6);
    assert_eq!(whole_months(d("2026-08-31"), d("2026-01-01")), 0);
}

#[test]
fn a_measure_must_answer_one_of_the_case_risks() {
    let mut f = facts();
    f.measures[0].risk = Some(RiskType::Schooling);
    let c = check(&f);
    let m = condition(&c, ConditionId::Measure);
    assert!(!m.met);
    assert!(m.zh.contains("没有针对因病风险的帮扶措施"), "{}", m.zh);
    f.measures[0].risk = None;
    assert!(!condition(&check(&f), ConditionId::Measure).met);
    // a planned measure counts
    f.measures[0].risk = Some(RiskType::Illness);
    f.measures[0].state = MeasureState::Planned;
    assert!(condition(&check(&f), ConditionId::Measure).met);
    f.measures.clear();
    assert!(!condition(&check(&f), ConditionId::Measure).met);
}

#[test]
fn income_at_the_line_is_not_above_it() {
    let mut f = facts();
    // 2026 whole year: 17,400 元 for two is 8,700 a person, exactly the line
    f.incomes.push(year(2026, 1_740_000));
    let c = check(&f);
    let m = condition(&c, ConditionId::IncomeAboveLine);
    assert!(!m.met);
    assert_eq!(
        m.zh,
        "人均纯收入 8,700.00 元，不高于2026年监测线 8,700.00 元（依据2026 年台账）"
    );
    f.incomes.pop();
    f.incomes.push(year(2026, 1_740_002));
    assert!(condition(&check(&f), ConditionId::IncomeAboveLine).met);
}

#[test]
fn no_income_fails_both_income_conditions() {
    let mut f = facts();
    f.incomes.clear();
    let c = check(&f);
    assert!(!condition(&c, ConditionId::IncomeAboveLine).met);
    assert!(!condition(&c, ConditionId::IncomeStable).met);
    assert!(condition(&c, ConditionId::RigidExpenditure).met);
}

#[test]
fn stability_reads_the_last_two_quarters_annualised() {
    let mut f = facts();
    // Q3 falls to 2,000 元 for two: 4,000 a person a year
    f.incomes[2] = quarter(2026, 3, 200_000);
    let c = check(&f);
    let m = condition(&c, ConditionId::IncomeStable);
    assert!(!m.met);
    assert!(
        m.zh.contains("2026年第2季度 10,000.00 元；2026年第3季度 4,000.00 元"),
        "{}",
        m.zh
    );
    // a quarter exactly at the line (8,700 × 2 ÷ 4 = 4,350 元 for the household) is not above it
    f.incomes[2] = quarter(2026, 3, 435_000);
    assert!(!condition(&check(&f), ConditionId::IncomeStable).met);
    f.incomes[2] = quarter(2026, 3, 435_001);
    assert!(condition(&check(&f), ConditionId::IncomeStable).met);
}

#[test]
fn without_the_quarters_the_annual_figure_is_used_and_said() {
    let mut f = facts();
    f.incomes.truncate(1); // 2025 only: 10,000 a person
    let c = check(&f);
    let m = condition(&c, ConditionId::IncomeStable);
    assert!(m.met);
    assert!(
        m.zh.starts_with("最近2个季度的收入未全部记录，按2025 年台账"),
        "{}",
        m.zh
    );
    f.incomes[0] = year(2025, 1_000_000);
    assert!(!condition(&check(&f), ConditionId::IncomeStable).met);
}

#[test]
fn the_quarters_are_the_complete_ones_before_today() {
    assert_eq!(
        last_quarters(d("2026-01-15"), 2),
        vec![
            IncomePeriod::quarter(2025, 3),
            IncomePeriod::quarter(2025, 4)
        ]
    );
    assert_eq!(
        last_quarters(d("2026-07-01"), 3),
        vec![
            IncomePeriod::quarter(2025, 4),
            IncomePeriod::quarter(2026, 1),
            IncomePeriod::quarter(2026, 2)
        ]
    );
}

#[test]
fn large_out_of_pocket_costs_are_unresolved() {
    let mut f = facts();
    f.incomes.push(Income {
        wages: Fen(5_000_000),
        out_of_pocket_medical: Fen(2_000_000),
        ..Income::empty(IncomePeriod::year(2026))
    });
    // 20,000 元 is not above 20,000 nor above half of 50,000
    assert!(condition(&check(&f), ConditionId::RigidExpenditure).met);
    f.incomes.last_mut().unwrap().out_of_pocket_medical = Fen(2_000_001);
    let c = check(&f);
    let m = condition(&c, ConditionId::RigidExpenditure);
    assert!(!m.met);
    assert!(m.zh.contains("合规自付支出 20,000.01 元"), "{}", m.zh);
    // the share: 15,000.01 of 30,000 is above 50 %
    f.rigid_amount = Fen(10_000_000);
    f.incomes.last_mut().unwrap().wages = Fen(3_000_000);
    f.incomes.last_mut().unwrap().out_of_pocket_medical = Fen(1_500_000);
    assert!(condition(&check(&f), ConditionId::RigidExpenditure).met);
    f.incomes.last_mut().unwrap().out_of_pocket_medical = Fen(1_500_001);
    assert!(!condition(&check(&f), ConditionId::RigidExpenditure).met);
}

#[test]
fn every_guarantee_flag_blocks() {
    for i in 0..5 {
        let mut f = facts();
        let g = f.guarantees.as_mut().unwrap();
        match i {
            0 => g.unsafe_housing = true,
            1 => g.dropout = true,
            2 => g.uninsured = true,
            3 => g.unsafe_water = true,
            _ => g.food_clothing = true,
        }
        let c = check(&f);
        assert!(!condition(&c, ConditionId::Guarantees).met, "flag {i}");
        assert_eq!(c.verdict(), Verdict::NotYet);
    }
    let mut f = facts();
    f.guarantees = None;
    assert!(condition(&check(&f), ConditionId::Guarantees).met);
}

#[test]
fn a_new_risk_blocks() {
    let mut f = facts();
    f.new_risks = vec![(RiskType::Accident, d("2026-10-05"))];
    let c = check(&f);
    let m = condition(&c, ConditionId::NoNewRisk);
    assert!(!m.met);
    assert_eq!(m.zh, "尚有待处理的风险线索：因意外事故（2026-10-05发现）");
}

#[test]
fn natural_elimination_waives_the_period_and_the_measure_only() {
    let mut f = facts();
    f.today = d("2026-05-10");
    f.measures.clear();
    f.incomes.push(year(2026, 2_000_000));
    let c = check(&f);
    assert!(!c.passes(EliminationKind::AfterAssistance));
    assert_eq!(c.failed(EliminationKind::AfterAssistance).len(), 2);
    assert!(c.passes(EliminationKind::Natural));
    f.guarantees.as_mut().unwrap().unsafe_water = true;
    assert!(!check(&f).passes(EliminationKind::Natural));
}

#[test]
fn a_household_without_labour_is_a_safety_net_whatever_else() {
    let mut f = facts();
    f.members[0].labour = Some(LabourCapacity::None);
    let c = check(&f);
    assert!(c.without_labour);
    assert_eq!(c.verdict(), Verdict::SafetyNet);
    assert!(!c.passes(EliminationKind::AfterAssistance));
    assert!(!c.passes(EliminationKind::Natural));
    // unknown labour is not labour
    f.members[0].labour = None;
    assert!(check(&f).without_labour);
    // weak labour is labour
    f.members[0].labour = Some(LabourCapacity::Weak);
    assert!(!check(&f).without_labour);
    assert!(!whole_household_without_labour(&[]));
}

proptest! {
    #[test]
    fn above_line_is_exactly_per_capita_above_the_line(
        wages in 0i64..10_000_000, line in 1i64..2_000_000, size in 1usize..6
    ) {
        let mut f = facts();
        f.line = Fen(line);
        f.members = vec![MemberFact { labour: Some(LabourCapacity::Ordinary) }; size];
        f.incomes = vec![year(2026, wages)];
        let c = check(&f);
        let pc = Fen(wages).per(size as i64).unwrap();
        prop_assert_eq!(condition(&c, ConditionId::IncomeAboveLine).met, pc.0 > line);
        // with no quarters the stability reads the same figure
        prop_assert_eq!(condition(&c, ConditionId::IncomeStable).met, pc.0 > line);
    }

    #[test]
    fn rigid_expenditure_agrees_with_the_screening_rule(
        wages in 0i64..10_000_000, oop in 0i64..5_000_000, pct in 1i64..100, amount in 0i64..5_000_000
    ) {
        let mut f = facts();
        f.rigid_percent = pct;
        f.rigid_amount = Fen(amount);
        f.incomes = vec![Income { wages: Fen(wages), out_of_pocket_medical: Fen(oop), ..Income::empty(IncomePeriod::year(2026)) }];
        let unresolved = oop > 0 && (i128::from(oop) * 100 > i128::from(pct) * i128::from(wages) || oop > amount);
        prop_assert_eq!(condition(&check(&f), ConditionId::RigidExpenditure).met, !unresolved);
    }

    #[test]
    fn whole_months_never_overshoot(a in 0i64..20_000, b in 0i64..20_000) {
        let from = Date::from_days(a + 19_000);
        let to = Date::from_days(b + 19_000);
        let m = whole_months(from, to);
        prop_assert!(m >= 0);
        if m > 0 {
            prop_assert!(add_months(from, m) <= to);
        }
        prop_assert!(to < from || add_months(from, m + 1) > to);
    }
}
