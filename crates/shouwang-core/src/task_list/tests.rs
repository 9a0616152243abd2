use super::*;

fn d(t: &str) -> Date {
    Date::parse(t).unwrap()
}

fn dec() -> YearMonth {
    YearMonth::new(2026, 12).unwrap()
}

fn rules() -> TaskRules {
    TaskRules::defaults()
}

fn village() -> VillageInputs {
    let mut households = BTreeMap::new();
    households.insert(
        "H1".to_string(),
        HouseholdFacts {
            head_name: "张三".into(),
            post_poverty: false,
            has_labour: true,
        },
    );
    households.insert(
        "H2".to_string(),
        HouseholdFacts {
            head_name: "李四".into(),
            post_poverty: true,
            has_labour: false,
        },
    );
    VillageInputs {
        village: "510821108212".into(),
        households,
        ..VillageInputs::default()
    }
}

fn case(no: &str, identified: &str) -> OpenCase {
    OpenCase {
        id: 7,
        household_no: no.into(),
        identified_on: d(identified),
        whole_household_without_labour: false,
        measures: Vec::new(),
        elimination_open: false,
    }
}

fn measure(category: MeasureCategory, end: Option<&str>) -> MeasureFacts {
    MeasureFacts {
        id: 1,
        category,
        state: MeasureState::InPlace,
        end: end.map(d),
        content: "养殖肉牛3头".into(),
        responsible: String::new(),
    }
}

fn kinds(list: &TaskList, kind: TaskKind) -> Vec<&TaskItem> {
    list.items.iter().filter(|i| i.kind == kind).collect()
}

/// Every visit duty met, so that a test sees only the kind it is about.
fn all_visited(v: &mut VillageInputs, on: &str) {
    for no in ["H1", "H2"] {
        for p in Position::ALL {
            v.visits.push(VisitFacts {
                household_no: no.into(),
                position: *p,
                on: d(on),
            });
        }
    }
}

#[test]
fn dates_count_calendar_months_and_periods() {
    assert_eq!(add_months(d("2026-08-31"), 6), d("2027-02-28"));
    assert_eq!(add_months(d("2026-06-15"), 6), d("2026-12-15"));
    assert_eq!(add_months(d("2026-12-01"), 1), d("2027-01-01"));
    assert_eq!(last_day(YearMonth::new(2028, 2).unwrap()), d("2028-02-29"));
    assert_eq!(visit_period(dec(), 6), (d("2026-07-01"), d("2026-12-31")));
    assert_eq!(
        visit_period(YearMonth::new(2026, 3).unwrap(), 6),
        (d("2026-01-01"), d("2026-06-30"))
    );
    assert_eq!(visit_period(dec(), 1), (d("2026-12-01"), d("2026-12-31")));
    assert_eq!(visits_since(dec(), &rules()), d("2026-07-01"));
}

#[test]
fn a_procedure_step_due_this_month_or_overdue_is_listed_a_later_one_not() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    for (id, due) in [(1, "2026-11-30"), (2, "2026-12-31"), (3, "2027-01-01")] {
        v.procedures.push(OpenProcedure {
            id,
            household_no: "H1".into(),
            stage: Stage::TownshipReview,
            stage_due: d(due),
            elimination: id == 2,
        });
    }
    let list = build(&v, dec(), &rules());
    let steps = kinds(&list, TaskKind::ProcedureStep);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].due, d("2026-11-30"));
    assert!(steps[0].overdue_in(dec()));
    assert_eq!(steps[0].who_zh, "乡镇");
    assert_eq!(steps[0].head_name, "张三");
    assert_eq!(steps[0].link, "/identifications/1");
    assert!(steps[0]
        .text_zh
        .contains("识别认定“乡镇审核”环节11月30日到期"));
    assert!(steps[1].text_zh.starts_with("风险消除"));
    assert!(!steps[1].overdue_in(dec()));
    assert_eq!(list.overdue(), 1);
}

#[test]
fn a_lead_due_by_the_months_end_is_to_verify() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    v.leads.push(PendingLead {
        id: 4,
        household_no: "H2".into(),
        risk: RiskType::Illness,
        due_on: d("2026-12-08"),
    });
    v.leads.push(PendingLead {
        id: 5,
        household_no: "H2".into(),
        risk: RiskType::Schooling,
        due_on: d("2027-01-02"),
    });
    let list = build(&v, dec(), &rules());
    let leads = kinds(&list, TaskKind::LeadToVerify);
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].link, "/leads/4");
    assert_eq!(leads[0].text_zh, "核实“因病”风险线索，12月8日前完成");
}

#[test]
fn measures_are_due_the_standards_days_after_inclusion() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    // included 11-25: due 12-05 (10 days), listed in December
    v.cases.push(case("H1", "2026-11-25"));
    let list = build(&v, dec(), &rules());
    let due = kinds(&list, TaskKind::MeasuresDue);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].due, d("2026-12-05"));
    assert!(due[0].text_zh.contains("10天内"), "{}", due[0].text_zh);
    assert_eq!(due[0].link, "/cases/7/plan");
    // included 12-22: due 2027-01-01, not this month's
    v.cases[0].identified_on = d("2026-12-22");
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::MeasuresDue).is_empty());
    // included 12-21: due 12-31, the last day
    v.cases[0].identified_on = d("2026-12-21");
    assert_eq!(
        kinds(&build(&v, dec(), &rules()), TaskKind::MeasuresDue).len(),
        1
    );
    // a measure entered: nothing due
    v.cases[0]
        .measures
        .push(measure(MeasureCategory::Health, None));
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::MeasuresDue).is_empty());
}

#[test]
fn a_household_with_labour_needs_a_development_measure_after_the_months() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    let mut c = case("H1", "2026-06-10");
    c.measures.push(measure(MeasureCategory::Health, None));
    v.cases.push(c);
    let list = build(&v, dec(), &rules());
    let due = kinds(&list, TaskKind::DevelopmentDue);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].due, d("2026-12-10"));
    assert!(due[0].text_zh.contains("满6个月"));
    // 2026-07-01 + 6 months = 2027-01-01: not yet
    v.cases[0].identified_on = d("2026-07-01");
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::DevelopmentDue).is_empty());
    // an ended development measure does not count; one in place does
    v.cases[0].identified_on = d("2026-06-10");
    let mut ended = measure(MeasureCategory::Employment, None);
    ended.state = MeasureState::Ended;
    v.cases[0].measures.push(ended);
    assert_eq!(
        kinds(&build(&v, dec(), &rules()), TaskKind::DevelopmentDue).len(),
        1
    );
    v.cases[0]
        .measures
        .push(measure(MeasureCategory::PublicWelfareJob, None));
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::DevelopmentDue).is_empty());
    // a household without labour is never asked
    let mut c2 = case("H2", "2026-01-10");
    c2.measures.push(measure(MeasureCategory::Health, None));
    v.cases = vec![c2];
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::DevelopmentDue).is_empty());
}

#[test]
fn visit_duties_by_position_and_period() {
    let mut v = village();
    v.cases.push(case("H1", "2026-01-10"));
    v.cases[0]
        .measures
        .push(measure(MeasureCategory::Industry, None));
    v.pairings.push(PairingFacts {
        household_no: "H1".into(),
        position: Position::AssistancePerson,
        person_name: "王帮扶".into(),
    });
    let list = build(&v, dec(), &rules());
    let visits = kinds(&list, TaskKind::VisitDue);
    let of = |no: &str, p: Position| {
        visits
            .iter()
            .find(|i| i.household_no == no && i.who_zh.starts_with(p.label_zh()))
            .copied()
    };
    // H1 at risk: village secretary, township secretary, its assistance person; no doctor paired
    assert!(of("H1", Position::VillageSecretary).is_some());
    let township = of("H1", Position::TownshipSecretary).unwrap();
    assert_eq!(township.due, d("2026-12-31"));
    assert!(township.text_zh.contains("每6个月"), "{}", township.text_zh);
    assert_eq!(township.link, "/visits/new?household=H1");
    assert!(township.text_zh.contains("2026-07-01至2026-12-31"));
    assert_eq!(
        of("H1", Position::AssistancePerson).unwrap().who_zh,
        "帮扶责任人 王帮扶"
    );
    // no one holds the secretaries' positions yet: the position alone
    assert_eq!(
        of("H1", Position::VillageSecretary).unwrap().who_zh,
        "村党支部书记"
    );
    assert!(of("H1", Position::FamilyDoctor).is_none());
    // H2 脱贫户 not at risk: only the village secretary
    assert!(of("H2", Position::VillageSecretary).is_some());
    assert!(of("H2", Position::TownshipSecretary).is_none());
    assert_eq!(visits.len(), 4);

    // a township visit in August covers the half year; a village visit in November does not
    // cover December; one on 12-01 does
    v.visits.push(VisitFacts {
        household_no: "H1".into(),
        position: Position::TownshipSecretary,
        on: d("2026-08-03"),
    });
    v.visits.push(VisitFacts {
        household_no: "H1".into(),
        position: Position::VillageSecretary,
        on: d("2026-11-30"),
    });
    v.visits.push(VisitFacts {
        household_no: "H2".into(),
        position: Position::VillageSecretary,
        on: d("2026-12-01"),
    });
    // a visit by another position does not meet the assistance person's duty
    v.visits.push(VisitFacts {
        household_no: "H1".into(),
        position: Position::FamilyDoctor,
        on: d("2026-12-02"),
    });
    let list = build(&v, dec(), &rules());
    let left: Vec<(String, String)> = kinds(&list, TaskKind::VisitDue)
        .iter()
        .map(|i| (i.household_no.clone(), i.who_en.clone()))
        .collect();
    assert_eq!(
        left,
        vec![
            ("H1".to_string(), "village Party secretary".to_string()),
            ("H1".to_string(), "assistance person 王帮扶".to_string()),
        ]
    );
}

#[test]
fn elimination_becomes_possible_after_the_minimum_months() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    let mut c = case("H1", "2026-06-20");
    c.measures.push(measure(MeasureCategory::Industry, None));
    v.cases.push(c);
    let list = build(&v, dec(), &rules());
    let e = kinds(&list, TaskKind::EliminationPossible);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].due, d("2026-12-20"));
    assert_eq!(e[0].link, "/cases/7/elimination");
    // reached long ago: due from the month's first day
    v.cases[0].identified_on = d("2026-01-20");
    assert_eq!(
        kinds(&build(&v, dec(), &rules()), TaskKind::EliminationPossible)[0].due,
        d("2026-12-01")
    );
    // not yet: 2026-07-01 + 6 = 2027-01-01
    v.cases[0].identified_on = d("2026-07-01");
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::EliminationPossible).is_empty());
    // a whole household without labour is not closed; nor one whose elimination is open
    v.cases[0].identified_on = d("2026-01-20");
    v.cases[0].whole_household_without_labour = true;
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::EliminationPossible).is_empty());
    v.cases[0].whole_household_without_labour = false;
    v.cases[0].elimination_open = true;
    assert!(kinds(&build(&v, dec(), &rules()), TaskKind::EliminationPossible).is_empty());
}

#[test]
fn a_measure_ending_in_the_month_is_listed_with_who_is_responsible() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    let mut c = case("H1", "2026-11-25");
    let mut m = measure(MeasureCategory::Industry, Some("2026-12-31"));
    m.responsible = "赵主任".into();
    c.measures.push(m);
    c.measures
        .push(measure(MeasureCategory::Finance, Some("2026-11-30")));
    c.measures
        .push(measure(MeasureCategory::Housing, Some("2027-01-01")));
    let mut ended = measure(MeasureCategory::Health, Some("2026-12-10"));
    ended.state = MeasureState::Ended;
    c.measures.push(ended);
    v.cases.push(c);
    let list = build(&v, dec(), &rules());
    let ending = kinds(&list, TaskKind::MeasureEnding);
    assert_eq!(ending.len(), 1);
    assert_eq!(ending[0].due, d("2026-12-31"));
    assert_eq!(ending[0].who_zh, "赵主任");
    assert!(ending[0]
        .text_zh
        .contains("“产业帮扶”措施“养殖肉牛3头”12月31日到期"));
}

#[test]
fn the_list_is_ordered_by_due_day_then_kind_and_grouped_by_kind() {
    let mut v = village();
    all_visited(&mut v, "2026-12-01");
    v.leads.push(PendingLead {
        id: 4,
        household_no: "H2".into(),
        risk: RiskType::Illness,
        due_on: d("2026-12-05"),
    });
    v.cases.push(case("H1", "2026-11-25")); // measures due 12-05
    v.procedures.push(OpenProcedure {
        id: 1,
        household_no: "H2".into(),
        stage: Stage::Verification,
        stage_due: d("2026-12-05"),
        elimination: false,
    });
    let list = build(&v, dec(), &rules());
    let order: Vec<TaskKind> = list.items.iter().map(|i| i.kind).collect();
    assert_eq!(
        order,
        vec![
            TaskKind::ProcedureStep,
            TaskKind::LeadToVerify,
            TaskKind::MeasuresDue
        ]
    );
    assert_eq!(list.by_kind().len(), 3);
    // the English words carry the same numbers
    assert!(list.items[2].text_en.contains("within 10 days"));
}

#[test]
fn an_empty_village_has_an_empty_list() {
    let v = VillageInputs::default();
    let list = build(&v, dec(), &rules());
    assert!(list.items.is_empty());
    assert_eq!(list.overdue(), 0);
}

#[test]
fn the_secretaries_who_hold_the_positions_are_named() {
    let mut v = village();
    v.secretaries = vec![
        (Position::VillageSecretary, "赵书记".into()),
        (Position::TownshipSecretary, "钱书记".into()),
    ];
    v.cases.push(case("H1", "2026-01-10"));
    v.cases[0]
        .measures
        .push(measure(MeasureCategory::Industry, None));
    let list = build(&v, dec(), &rules());
    let who: Vec<&str> = kinds(&list, TaskKind::VisitDue)
        .iter()
        .map(|i| i.who_zh.as_str())
        .collect();
    assert!(who.contains(&"村党支部书记 赵书记"), "{who:?}");
    assert!(who.contains(&"乡镇党委书记 钱书记"), "{who:?}");
}
