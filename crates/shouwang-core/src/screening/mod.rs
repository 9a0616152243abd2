//! Screening and early warning (监测预警): the rule catalogue, a county's rule set, warning levels,
//! the columnar snapshot, the engine with its evidence, and what-if.
//!
//! The path of a screening run:
//! 1. the store fills a [`Snapshot`] row by row ([`HouseholdRow`], [`MemberCounts::of`]);
//! 2. [`crate::standard::resolve`] gives the year's [`ResolvedStandard`](crate::standard::ResolvedStandard)
//!    for the region, and the store loads the county's [`RuleSet`] (or [`RuleSet::default_for`]);
//! 3. [`evaluate`] compiles them into a [`Plan`] and returns a [`Screening`]: one hit mask per
//!    household; [`Screening::hits`] lists the hits with level and risk type,
//!    [`Screening::evidence`] explains one, [`Screening::level`] is the household's level (the
//!    highest of its hits);
//! 4. [`per_township`] counts the flagged households of a run per township and level;
//! 5. [`what_if()`] compares two plans per village and township without writing anything, with
//!    the plan edited by [`apply_edits`] (`line=9200 R05=off`).

pub mod catalogue;
pub mod edits;
pub mod engine;
pub mod level;
pub mod snapshot;
pub mod synth;
pub mod tally;
pub mod what_if;

pub use catalogue::{
    ParamDef, ParamKey, ParamOverride, RuleDef, RuleId, RuleSet, RuleSetting, SourceSlot, Unit,
    CATALOGUE, CATALOGUE_VERSION,
};
pub use edits::{apply_edits, parse_edit_texts, Edit};
pub use engine::{evaluate, evaluate_plan, Evidence, Hit, Measure, Plan, Screening, Summary};
pub use level::{WarningLevel, WarningScheme};
pub use snapshot::{
    DataSource, DeptAlertSummary, HouseholdRow, MemberCounts, RowSources, Snapshot,
};
pub use synth::synthetic_snapshot;
pub use tally::per_township;
pub use what_if::{what_if, AreaCounts, Flagged, WhatIf};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::money::Fen;
    use crate::monitoring::RiskType;
    use crate::problem::ProblemCode;
    use crate::region::RegionCode;
    use crate::standard::{resolve, ResolvedStandard, Standard};
    use proptest::prelude::*;

    const LINE: i64 = 870_000; // 8,700 元

    fn standard() -> ResolvedStandard {
        let s = Standard::provincial(2025, RegionCode::parse("53").unwrap(), Fen(LINE));
        resolve(&[s], &RegionCode::parse("530129").unwrap(), 2025).unwrap()
    }

    /// A household of `size` able-bodied persons with `per_capita` income and nothing else wrong.
    fn row(per_capita: i64, size: u16) -> HouseholdRow {
        HouseholdRow {
            key: 7,
            members: MemberCounts {
                living: size,
                able_to_work: size,
                ..MemberCounts::default()
            },
            net_income: Some(Fen(per_capita * i64::from(size))),
            ..HouseholdRow::default()
        }
    }

    fn snapshot(rows: &[HouseholdRow]) -> Snapshot {
        let mut s = Snapshot::new();
        let villages = ["530129101201", "530129101202", "530129102201"];
        for v in villages {
            s.add_village(&RegionCode::parse(v).unwrap());
        }
        for r in rows {
            s.push(r).unwrap();
        }
        s
    }

    fn hits_of(r: HouseholdRow) -> Vec<RuleId> {
        hits_with(r, &RuleSet::default_for(2025), &standard())
    }

    fn hits_with(r: HouseholdRow, rules: &RuleSet, standard: &ResolvedStandard) -> Vec<RuleId> {
        let s = snapshot(&[r]);
        let screening = evaluate(&s, rules, standard).unwrap();
        screening.hits().map(|h| h.rule).collect()
    }

    #[test]
    fn income_below_the_line_is_a_red_warning() {
        let s = snapshot(&[row(LINE - 1, 3)]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let hits = screening.hit_list();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule, RuleId::IncomeBelowLine);
        assert_eq!(hits[0].level, WarningLevel::Red);
        assert_eq!(hits[0].key, 7);
        assert_eq!(screening.level(0), Some(WarningLevel::Red));
    }

    #[test]
    fn exactly_at_the_line_is_not_below_it_but_near_it() {
        assert_eq!(hits_of(row(LINE, 2)), [RuleId::IncomeNearLine]);
    }

    #[test]
    fn near_the_line_ends_exactly_at_the_margin() {
        let upper = LINE * 110 / 100; // 9,570 元 with the default 10 %
        assert_eq!(hits_of(row(upper, 2)), [RuleId::IncomeNearLine]);
        assert!(hits_of(row(upper + 1, 2)).is_empty());
    }

    #[test]
    fn per_capita_income_is_rounded_to_the_fen_before_the_comparison() {
        // 3 persons, 26,099.99 元: 8,699.996… rounds to 8,700.00, exactly the line
        let r = HouseholdRow {
            net_income: Some(Fen(3 * LINE - 1)),
            ..row(0, 3)
        };
        assert_eq!(hits_of(r), [RuleId::IncomeNearLine]);
        // 26,099.98 元 → 8,699.99: below
        let r = HouseholdRow {
            net_income: Some(Fen(3 * LINE - 2)),
            ..row(0, 3)
        };
        assert_eq!(hits_of(r), [RuleId::IncomeBelowLine]);
    }

    #[test]
    fn a_household_without_income_data_raises_no_income_warning() {
        let r = HouseholdRow {
            net_income: None,
            last_year_per_capita: Some(Fen(2 * LINE)),
            ..row(0, 3)
        };
        assert!(hits_of(r).is_empty());
        // nor does an empty household (size 0), whose per-capita income is undefined
        let r = HouseholdRow {
            members: MemberCounts::default(),
            ..row(LINE / 2, 0)
        };
        assert!(hits_of(r).is_empty());
    }

    #[test]
    fn income_fallen_by_more_than_the_threshold_is_a_yellow_warning() {
        let this_year = 2 * LINE;
        // fell by exactly 30 %: not more than 30 %
        let r = HouseholdRow {
            last_year_per_capita: Some(Fen(this_year * 10 / 7)),
            ..row(this_year, 2)
        };
        let exact = this_year * 100 / 70;
        assert_eq!(
            hits_of(HouseholdRow {
                last_year_per_capita: Some(Fen(exact)),
                ..r
            }),
            [] as [RuleId; 0]
        );
        let r = HouseholdRow {
            last_year_per_capita: Some(Fen(exact + 10)),
            ..r
        };
        let s = snapshot(&[r]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        assert_eq!(screening.hit_list()[0].rule, RuleId::IncomeDrop);
        assert_eq!(screening.level(0), Some(WarningLevel::Yellow));
    }

    #[test]
    fn rigid_expenditure_above_half_of_net_income_or_the_amount_is_flagged() {
        let base = row(2 * LINE, 2); // net income 34,800 元
        let half = 2 * 2 * LINE / 2;
        assert!(hits_of(HouseholdRow {
            out_of_pocket_medical: Fen(half),
            ..base
        })
        .is_empty());
        assert_eq!(
            hits_of(HouseholdRow {
                out_of_pocket_medical: Fen(half + 1),
                ..base
            }),
            [RuleId::RigidExpenditure]
        );
        // a rich household is still flagged above 20,000 元
        let rich = row(20 * LINE, 4);
        assert!(hits_of(HouseholdRow {
            out_of_pocket_medical: Fen::from_yuan(20_000),
            ..rich
        })
        .is_empty());
        assert_eq!(
            hits_of(HouseholdRow {
                out_of_pocket_medical: Fen::from_yuan(20_001),
                ..rich
            }),
            [RuleId::RigidExpenditure]
        );
        // any cost counts when the household has no net income at all
        let broke = HouseholdRow {
            net_income: Some(Fen(0)),
            out_of_pocket_medical: Fen(100),
            ..row(0, 2)
        };
        assert!(hits_of(broke).contains(&RuleId::RigidExpenditure));
    }

    #[test]
    fn each_guarantee_and_water_flag_raises_its_own_rule() {
        let ok = row(2 * LINE, 3);
        assert_eq!(
            hits_of(HouseholdRow {
                unsafe_housing: true,
                ..ok
            }),
            [RuleId::UnsafeHousing]
        );
        assert_eq!(
            hits_of(HouseholdRow {
                school_dropout: true,
                ..ok
            }),
            [RuleId::SchoolDropout]
        );
        assert_eq!(
            hits_of(HouseholdRow {
                member_uninsured: true,
                ..ok
            }),
            [RuleId::MemberUninsured]
        );
        assert_eq!(
            hits_of(HouseholdRow {
                unsafe_water: true,
                ..ok
            }),
            [RuleId::UnsafeWater]
        );
        assert_eq!(
            hits_of(HouseholdRow {
                department_alert: true,
                ..ok
            }),
            [RuleId::DepartmentAlert]
        );
    }

    #[test]
    fn a_department_alert_hits_r13_with_its_risk_and_names_the_department() {
        use crate::department::alert::DeptRule;
        use crate::department::DeptKind;
        let ok = row(2 * LINE, 3);
        let mut s = snapshot(&[ok, ok]);
        s.set_department_alerts(
            1,
            vec![
                DeptAlertSummary {
                    kind: DeptKind::Medical,
                    rule: DeptRule::MedicalCost,
                    date: crate::Date::new(2026, 10, 5),
                    amount: Some(2_000_001),
                    risk: RiskType::Illness,
                    level: WarningLevel::Yellow,
                },
                DeptAlertSummary {
                    kind: DeptKind::Roster,
                    rule: DeptRule::NewOnRoll,
                    date: crate::Date::new(2026, 9, 1),
                    amount: None,
                    risk: RiskType::Other,
                    level: WarningLevel::Blue,
                },
            ],
        );
        s.set_department_alerts(0, vec![]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let hits: Vec<(usize, RuleId, RiskType)> = screening
            .hits()
            .map(|h| (h.household, h.rule, h.risk))
            .collect();
        assert_eq!(hits, [(1, RuleId::DepartmentAlert, RiskType::Illness)]);
        let e = screening.evidence(1, RuleId::DepartmentAlert).unwrap();
        assert_eq!(e.risk, RiskType::Illness);
        assert_eq!(
            e.zh,
            "部门预警：医保：年度累计合规自付超过预警线（D01，2026-10-05，20,000.01元）；民政：新纳入低保、特困等救助（D02，2026-09-01）"
        );
        assert!(
            e.en.contains("D01") && e.en.contains("2026-10-05"),
            "{}",
            e.en
        );
        assert_eq!(e.observed[0].value, 2_000_001);
    }

    #[test]
    fn a_seriously_ill_member_without_insurance_is_a_red_illness_warning() {
        let ok = row(2 * LINE, 3);
        let members = MemberCounts {
            uninsured: 1,
            seriously_ill_uninsured: 1,
            ..ok.members
        };
        let s = snapshot(&[HouseholdRow { members, ..ok }]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let rules: Vec<(RuleId, RiskType)> = screening.hits().map(|h| (h.rule, h.risk)).collect();
        assert_eq!(
            rules,
            [
                (RuleId::MemberUninsured, RiskType::Illness),
                (RuleId::SeriousIllnessUninsured, RiskType::Illness)
            ]
        );
        assert_eq!(screening.level(0), Some(WarningLevel::Red));
        let members = MemberCounts {
            uninsured: 1,
            disabled_uninsured: 1,
            ..ok.members
        };
        assert!(hits_of(HouseholdRow { members, ..ok }).contains(&RuleId::DisabilityUninsured));
    }

    #[test]
    fn a_household_where_nobody_can_work_lacks_labour() {
        let ok = row(2 * LINE, 2);
        let members = MemberCounts {
            able_to_work: 0,
            ..ok.members
        };
        let s = snapshot(&[HouseholdRow { members, ..ok }]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let hit = screening.hit_list()[0];
        assert_eq!(
            (hit.rule, hit.risk),
            (RuleId::NoLabourCapacity, RiskType::LackOfLabour)
        );
        let e = screening.evidence(0, RuleId::NoLabourCapacity).unwrap();
        assert_eq!(e.zh, "家庭2人，无人有劳动能力");
    }

    #[test]
    fn the_registry_counts_living_members_only() {
        use crate::codes::{Health, HealthCondition, LabourCapacity};
        use crate::synth::{generate, SynthConfig, SynthVillage};
        let config = SynthConfig {
            households: 1,
            seed: 3,
            today: Date::new(2025, 11, 23).unwrap(),
            county: RegionCode::parse("530129").unwrap(),
        };
        let village = SynthVillage {
            code: RegionCode::parse("530129101201").unwrap(),
            resettlement_site: None,
        };
        let (_, mut members) = generate(&config, &[village]).remove(0);
        let mut worker = members[0].clone();
        worker.labour = Some(LabourCapacity::Ordinary);
        worker.resident_medical = false;
        worker.employee_medical = false;
        worker.health = Health::default().with(HealthCondition::SeriousIllness);
        for m in &mut members {
            m.labour = Some(LabourCapacity::Lost);
        }
        members.push(worker.clone());
        let c = MemberCounts::of(&members);
        assert_eq!((c.able_to_work, c.seriously_ill_uninsured), (1, 1));
        // the only worker died
        members.last_mut().unwrap().deceased_on = Date::new(2025, 10, 1);
        let c = MemberCounts::of(&members);
        assert_eq!(
            (c.able_to_work, c.seriously_ill_uninsured, c.living as usize),
            (0, 0, members.len() - 1)
        );
    }

    #[test]
    fn high_non_compulsory_schooling_costs_are_flagged_above_the_threshold() {
        let ok = row(2 * LINE, 4);
        assert!(hits_of(HouseholdRow {
            schooling_cost: Fen::from_yuan(10_000),
            ..ok
        })
        .is_empty());
        assert_eq!(
            hits_of(HouseholdRow {
                schooling_cost: Fen::from_yuan(10_001),
                ..ok
            }),
            [RuleId::SchoolingCost]
        );
    }

    #[test]
    fn the_household_level_is_the_highest_of_its_hits() {
        // near the line (blue) + no labour (yellow) → yellow; + unsafe water (red) → red
        let near = HouseholdRow {
            members: MemberCounts {
                living: 2,
                ..MemberCounts::default()
            },
            ..row(LINE, 2)
        };
        let water = HouseholdRow {
            unsafe_water: true,
            ..near
        };
        let s = snapshot(&[row(LINE, 2), near, water, row(3 * LINE, 2)]);
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let levels: Vec<Option<WarningLevel>> = (0..4).map(|i| screening.level(i)).collect();
        assert_eq!(
            levels,
            [
                Some(WarningLevel::Blue),
                Some(WarningLevel::Yellow),
                Some(WarningLevel::Red),
                None
            ]
        );
        let summary = screening.summary();
        assert_eq!(summary.by_level, [1, 1, 1]);
        assert_eq!(summary.flagged_households, 3);
        assert_eq!(summary.flagged_persons, 6);
    }

    #[test]
    fn a_county_can_lower_a_rules_level_or_switch_it_off() {
        let mut rules = RuleSet::default_for(2025);
        rules.set(RuleSetting {
            rule: RuleId::UnsafeWater,
            enabled: true,
            level: WarningLevel::Blue,
        });
        rules.set(RuleSetting {
            rule: RuleId::IncomeNearLine,
            enabled: false,
            level: WarningLevel::Blue,
        });
        let water = HouseholdRow {
            unsafe_water: true,
            ..row(LINE, 2)
        };
        let s = snapshot(&[water]);
        let screening = evaluate(&s, &rules, &standard()).unwrap();
        assert_eq!(screening.hit_list().len(), 1);
        assert_eq!(screening.level(0), Some(WarningLevel::Blue));
    }

    #[test]
    fn a_parameter_override_replaces_the_standards_threshold() {
        let mut rules = RuleSet::default_for(2025);
        let r = row(LINE * 115 / 100, 2);
        assert!(hits_with(r, &rules, &standard()).is_empty());
        rules.set_param(ParamKey::NearLinePercent, 20);
        assert_eq!(hits_with(r, &rules, &standard()), [RuleId::IncomeNearLine]);
        let plan = Plan::compile(&rules, &standard()).unwrap();
        assert_eq!(plan.param(ParamKey::NearLinePercent), 20);
        assert_eq!(plan.param(ParamKey::IncomeDropPercent), 30);
    }

    #[test]
    fn an_invalid_rule_set_or_standard_evaluates_nothing() {
        let s = snapshot(&[row(LINE - 1, 1)]);
        let mut rules = RuleSet::default_for(2025);
        rules.set_param(ParamKey::IncomeDropPercent, 0);
        let problems = evaluate(&s, &rules, &standard()).unwrap_err();
        assert_eq!(problems[0].code, ProblemCode::RuleParamRange);
        let bad = standard().with_line(Fen(0));
        let problems = evaluate(&s, &RuleSet::default_for(2025), &bad).unwrap_err();
        assert_eq!(problems[0].code, ProblemCode::StandardLineNotPositive);
    }

    #[test]
    fn evidence_names_the_values_the_thresholds_and_the_source_with_its_date() {
        let mut s = snapshot(&[]);
        let date = Date::new(2025, 10, 31).unwrap();
        let src = s.add_source(DataSource {
            slot: SourceSlot::Income,
            label_zh: "2025年收入台账".into(),
            label_en: "2025 ledger".into(),
            date,
        });
        let r = HouseholdRow {
            sources: RowSources {
                income: Some(src),
                ..RowSources::default()
            },
            ..row(780_000, 3)
        };
        s.push(&r).unwrap();
        let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
        let e = screening.evidence(0, RuleId::IncomeBelowLine).unwrap();
        assert_eq!(e.code, "R01");
        assert_eq!(e.zh, "人均纯收入7,800.00元，低于监测线8,700.00元");
        assert_eq!(
            (e.observed[0].value, e.thresholds[0].value),
            (780_000, LINE)
        );
        assert_eq!(e.thresholds[0].text, "8,700.00元");
        assert_eq!(e.source.as_ref().map(|s| s.date), Some(date));
        assert_eq!(e.level, WarningLevel::Red);
        assert!(screening.evidence(0, RuleId::UnsafeWater).is_none());
        assert_eq!(screening.evidence_for(0).len(), 1);
    }

    #[test]
    fn what_if_counts_change_when_the_line_rises() {
        // village 0: one household at 9,000 元 (4 persons), one at 12,000 元; village 2 (another
        // township): one at 8,000 元 (2 persons)
        let mut a = row(900_000, 4);
        a.village = 0;
        let mut b = row(1_200_000, 3);
        b.village = 0;
        let mut c = row(800_000, 2);
        c.village = 2;
        let s = snapshot(&[a, b, c]);
        let rules = RuleSet::default_for(2025);
        let now = Plan::compile(&rules, &standard()).unwrap();
        let raised = Plan::compile(&rules, &standard().with_line(Fen::from_yuan(9_200))).unwrap();
        let w = what_if(&s, &now, &raised);
        // 9,000 元 is near 8,700 now (flagged, blue) and below 9,200 then (flagged, red): no change
        // in numbers; 12,000 is above 9,200 × 110 % = 10,120 either way
        assert_eq!(
            w.villages[0].current,
            Flagged {
                households: 1,
                persons: 4
            }
        );
        assert_eq!(
            w.villages[0].edited,
            Flagged {
                households: 1,
                persons: 4
            }
        );
        // restrict to R01 to see the line's own effect
        let mut only_below = RuleSet::default_for(2025);
        for d in &CATALOGUE {
            only_below.set(RuleSetting {
                rule: d.id,
                enabled: d.id == RuleId::IncomeBelowLine,
                level: d.default_level,
            });
        }
        let now = Plan::compile(&only_below, &standard()).unwrap();
        let raised =
            Plan::compile(&only_below, &standard().with_line(Fen::from_yuan(9_200))).unwrap();
        let w = what_if(&s, &now, &raised);
        assert_eq!(w.villages[0].current.households, 0);
        assert_eq!(
            w.villages[0].edited,
            Flagged {
                households: 1,
                persons: 4
            }
        );
        assert_eq!(
            w.villages[0].entering,
            Flagged {
                households: 1,
                persons: 4
            }
        );
        assert_eq!(
            w.villages[0].all,
            Flagged {
                households: 2,
                persons: 7
            }
        );
        assert_eq!(w.villages[1].all.households, 0);
        assert_eq!(
            w.villages[2].current,
            Flagged {
                households: 1,
                persons: 2
            }
        );
        assert_eq!(w.townships.len(), 2);
        assert_eq!(
            w.townships[0].region.as_ref().map(|r| r.as_str()),
            Some("530129101")
        );
        assert_eq!(w.townships[0].household_change(), 1);
        assert_eq!(
            w.total.edited,
            Flagged {
                households: 2,
                persons: 6
            }
        );
        assert_eq!(w.total.leaving.households, 0);
    }

    #[test]
    fn what_if_on_a_synthetic_county_flags_more_households_under_a_higher_line() {
        let s = synthetic_snapshot(20_000, 5, Fen(LINE));
        let rules = RuleSet::default_for(2025);
        let now = Plan::compile(&rules, &standard()).unwrap();
        let raised = Plan::compile(&rules, &standard().with_line(Fen::from_yuan(9_200))).unwrap();
        let w = what_if(&s, &now, &raised);
        assert!(w.total.edited.households > w.total.current.households);
        assert_eq!(w.total.all.households, 20_000);
        let screening = evaluate_plan(&s, now);
        assert_eq!(
            screening.summary().flagged_households,
            w.total.current.households
        );
        assert_eq!(
            w.villages.iter().map(|v| v.current.persons).sum::<u64>(),
            w.total.current.persons
        );
    }

    /// The rules written the slow, obvious way, to check the branch-free kernel against.
    fn reference(r: &HouseholdRow, st: &ResolvedStandard) -> u16 {
        let mut m = 0u16;
        let size = i64::from(r.members.living);
        let pc = r
            .net_income
            .and_then(|n| n.per(size))
            .map(|p| i128::from(p.0));
        let line = i128::from(st.monitoring_line.0);
        let mut set = |rule: RuleId, yes: bool| {
            if yes {
                m |= rule.bit();
            }
        };
        if let Some(pc) = pc {
            set(RuleId::IncomeBelowLine, pc < line);
            set(
                RuleId::IncomeNearLine,
                pc >= line && pc * 100 <= line * i128::from(100 + st.near_line_percent),
            );
            if let Some(last) = r.last_year_per_capita.map(|l| i128::from(l.0)) {
                set(
                    RuleId::IncomeDrop,
                    last > 0 && (last - pc) * 100 > i128::from(st.income_drop_percent) * last,
                );
            }
        }
        let oop = i128::from(r.out_of_pocket_medical.0);
        let net = r.net_income.map(|n| i128::from(n.0));
        let share = pc.is_some()
            && net.is_some_and(|n| oop * 100 > i128::from(st.rigid_expenditure_percent) * n);
        set(
            RuleId::RigidExpenditure,
            oop > 0 && (share || oop > i128::from(st.rigid_expenditure_amount.0)),
        );
        set(RuleId::UnsafeHousing, r.unsafe_housing);
        set(RuleId::SchoolDropout, r.school_dropout);
        set(
            RuleId::MemberUninsured,
            r.member_uninsured || r.members.uninsured > 0,
        );
        set(RuleId::UnsafeWater, r.unsafe_water);
        set(
            RuleId::SeriousIllnessUninsured,
            r.members.seriously_ill_uninsured > 0,
        );
        set(
            RuleId::DisabilityUninsured,
            r.members.disabled_uninsured > 0,
        );
        set(
            RuleId::NoLabourCapacity,
            r.members.living > 0 && r.members.able_to_work == 0,
        );
        set(
            RuleId::SchoolingCost,
            r.schooling_cost > st.schooling_cost_threshold,
        );
        set(RuleId::DepartmentAlert, r.department_alert);
        m
    }

    proptest! {
        #[test]
        fn the_fast_kernel_agrees_with_the_obvious_rules(
            net in prop::option::of(-2_000_000i64..20_000_000),
            last in prop::option::of(-100_000i64..4_000_000),
            living in 0u16..8,
            able in 0u16..3,
            oop in 0i64..5_000_000,
            school in 0i64..2_000_000,
            bits in 0u8..32,
            ill in 0u16..2,
            line in 500_000i64..1_200_000,
            near in 0i64..=100,
            drop in 1i64..=100,
            rigid in 1i64..=300,
        ) {
            let r = HouseholdRow {
                key: 1,
                village: 0,
                members: MemberCounts { living, able_to_work: able.min(living), uninsured: ill, seriously_ill_uninsured: ill, ..MemberCounts::default() },
                net_income: net.map(Fen),
                last_year_per_capita: last.map(Fen),
                out_of_pocket_medical: Fen(oop),
                schooling_cost: Fen(school),
                unsafe_housing: bits & 1 != 0,
                school_dropout: bits & 2 != 0,
                member_uninsured: bits & 4 != 0,
                unsafe_water: bits & 8 != 0,
                department_alert: bits & 16 != 0,
                sources: RowSources::default(),
            };
            let st = ResolvedStandard {
                near_line_percent: near,
                income_drop_percent: drop,
                rigid_expenditure_percent: rigid,
                ..standard().with_line(Fen(line))
            };
            let s = snapshot(&[r]);
            let plan = Plan::compile(&RuleSet::default_for(2025), &st).unwrap();
            prop_assert_eq!(plan.mask(&s, 0), reference(&r, &st));
        }

        #[test]
        fn absurd_amounts_never_overflow_the_kernel(
            net in any::<i64>(), last in any::<i64>(), oop in any::<i64>(), school in any::<i64>(), living in any::<u16>()
        ) {
            let r = HouseholdRow {
                members: MemberCounts { living, ..MemberCounts::default() },
                net_income: Some(Fen(net)),
                last_year_per_capita: Some(Fen(last)),
                out_of_pocket_medical: Fen(oop),
                schooling_cost: Fen(school),
                ..HouseholdRow::default()
            };
            let s = snapshot(&[r]);
            let screening = evaluate(&s, &RuleSet::default_for(2025), &standard()).unwrap();
            for h in screening.hits() {
                let _ = screening.evidence(h.household, h.rule);
            }
        }
    }
}
