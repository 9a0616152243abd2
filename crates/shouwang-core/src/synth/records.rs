//! The yearly records of a synthetic county, consistent with the households [`generate`] made:
//! incomes of this year and last, 三保障 checks, and monitoring cases (监测对象) with their
//! dated histories. Deterministic, like the households.
//!
//! Calibrated to look like a real county some years after poverty alleviation: most households
//! comfortably above the monitoring line, a trickle of new trouble near or below it (so that the
//! monthly screening flags about 2–3 % of households on the default standard), and about 3 % of
//! households monitored, most of them eliminated already (seed 001: 2,164 monitored, 1,722
//! eliminated). A case fits its household: an illness case has an ill member and medical costs,
//! a whole household without labour has nobody able to work, an eliminated case lives above the
//! line now, a 脱贫不稳定户 is a post-poverty household.
//!
//! [`generate`]: super::generate

use super::Rng;
use crate::codes::{HealthCondition, HouseholdType, LabourCapacity};
use crate::date::{Date, YearMonth};
use crate::household::{Household, Member};
use crate::income::{Income, IncomePeriod};
use crate::money::Fen;
use crate::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};

/// A household's 三保障 and drinking-water check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthCheck {
    pub as_of: Date,
    pub unsafe_housing: bool,
    pub dropout: bool,
    pub uninsured: bool,
    pub unsafe_water: bool,
}

impl SynthCheck {
    pub fn any(&self) -> bool {
        self.unsafe_housing || self.dropout || self.uninsured || self.unsafe_water
    }
}

/// What [`records`] makes; each record names its household by its index in the generated data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthRecords {
    /// This year's and last year's income of every household with living members.
    pub incomes: Vec<(usize, Income)>,
    pub checks: Vec<(usize, SynthCheck)>,
    /// At most one case per household.
    pub cases: Vec<(usize, MonitoringCase)>,
}

/// What the registry says about a household, as the records need it.
struct Profile {
    size: i64,
    able: usize,
    ill: bool,
    seriously_ill: bool,
    disabled: bool,
    student: bool,
    uninsured: bool,
    post_poverty: bool,
}

impl Profile {
    fn of(h: &Household, members: &[Member]) -> Profile {
        let living: Vec<&Member> = members.iter().filter(|m| m.is_alive()).collect();
        let has = |c: HealthCondition| living.iter().any(|m| m.health.has(c));
        Profile {
            size: living.len() as i64,
            able: living
                .iter()
                .filter(|m| m.labour.is_some_and(LabourCapacity::can_work))
                .count(),
            ill: has(HealthCondition::ChronicIllness) || has(HealthCondition::SeriousIllness),
            seriously_ill: has(HealthCondition::SeriousIllness),
            disabled: has(HealthCondition::Disabled),
            student: living
                .iter()
                .any(|m| m.schooling.is_some_and(|s| s.is_non_compulsory())),
            uninsured: living.iter().any(|m| !m.medically_insured()),
            post_poverty: h.household_type != HouseholdType::Ordinary,
        }
    }

    fn no_labour(&self) -> bool {
        self.able == 0
    }
}

/// The risks of a case, one to three, each one the household's data bears out.
fn risks(rng: &mut Rng, p: &Profile, case_type: CaseType) -> Vec<RiskType> {
    let mut candidates: Vec<(u32, RiskType)> = Vec::new();
    let mut add = |w: u32, r: RiskType, yes: bool| {
        if yes {
            candidates.push((w, r));
        }
    };
    let sudden = case_type == CaseType::SuddenHardship;
    add(
        if p.seriously_ill { 40 } else { 20 },
        RiskType::Illness,
        p.ill,
    );
    add(15, RiskType::Disability, p.disabled);
    add(15, RiskType::Schooling, p.student && !sudden);
    add(
        12,
        RiskType::LackOfLabour,
        p.able * 2 < p.size as usize && !sudden,
    );
    add(if sudden { 20 } else { 4 }, RiskType::Accident, true);
    add(if sudden { 15 } else { 4 }, RiskType::NaturalDisaster, true);
    add(10, RiskType::UnstableEmployment, p.able > 0 && !sudden);
    add(6, RiskType::BusinessFailure, p.able > 0 && !sudden);
    add(1, RiskType::UnsafeHousing, !sudden);
    let mut out = Vec::new();
    let wanted = rng.weighted(&[(60, 1usize), (30, 2), (10, 3)]);
    while out.len() < wanted && !candidates.is_empty() {
        let i = rng.weighted(
            &candidates
                .iter()
                .enumerate()
                .map(|(i, (w, _))| (*w, i))
                .collect::<Vec<_>>(),
        );
        out.push(candidates.remove(i).1);
    }
    out
}

/// A month `n` months before `m`.
fn months_before(m: YearMonth, n: i32) -> YearMonth {
    let total = m.year() * 12 + i32::from(m.month()) - 1 - n;
    YearMonth::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8).unwrap_or(m)
}

/// The household's case, if it has one.
fn case_of(
    rng: &mut Rng,
    h: &Household,
    p: &Profile,
    this_month: YearMonth,
) -> Option<MonitoringCase> {
    let (case_type, whole_household_without_labour) = if p.no_labour() {
        // a household nobody in which can work is most often monitored with 兜底保障
        if !rng.chance(0.35) {
            return None;
        }
        let t = if p.post_poverty {
            CaseType::UnstablePostPoverty
        } else {
            CaseType::MarginalAtRisk
        };
        (t, true)
    } else {
        if !rng.chance(if p.post_poverty { 0.05 } else { 0.018 }) {
            return None;
        }
        let t = if p.post_poverty {
            CaseType::UnstablePostPoverty
        } else if rng.chance(0.3) {
            CaseType::SuddenHardship
        } else {
            CaseType::MarginalAtRisk
        };
        (t, false)
    };
    let mut risks = risks(rng, p, case_type);
    if whole_household_without_labour {
        risks.retain(|r| *r != RiskType::LackOfLabour);
        risks.insert(0, RiskType::LackOfLabour);
        risks.truncate(3);
    }
    // households without labour stay monitored with 兜底保障: their risk is not marked eliminated
    let eliminated = !whole_household_without_labour && rng.chance(0.88);
    if !eliminated {
        let identified = months_before(this_month, rng.range(1, 40) as i32);
        return Some(MonitoringCase {
            household_no: h.household_no.clone(),
            case_type,
            risks,
            identified,
            status: CaseStatus::AtRisk,
            elimination: None,
            whole_household_without_labour,
        });
    }
    let kind = if rng.chance(0.72) {
        EliminationKind::AfterAssistance
    } else {
        EliminationKind::Natural
    };
    // since the monitoring began (2020), eliminated after half a year to two years of help
    let identified = months_before(this_month, rng.range(4, 68) as i32);
    let gap = match kind {
        EliminationKind::AfterAssistance => rng.range(6, 24),
        EliminationKind::Natural => rng.range(3, 12),
    } as i32;
    let gap = gap.min(identified.months_until(this_month));
    let on = months_before(identified, -gap);
    Some(MonitoringCase {
        household_no: h.household_no.clone(),
        case_type,
        risks,
        identified,
        status: CaseStatus::Eliminated,
        elimination: Some((kind, on)),
        whole_household_without_labour: false,
    })
}

/// A year's income record whose 家庭纯收入 is `net`, split as a rural household's usually is.
fn income_record(year: i32, net: i64, medical: Fen, no_labour: bool) -> Income {
    let (wages, business) = if no_labour {
        (0, net * 15 / 100)
    } else {
        (net * 6 / 10, net * 3 / 10)
    };
    let costs = business * 3 / 10;
    let property = net / 50;
    let transfers = net - wages - property - (business - costs);
    Income {
        wages: Fen(wages),
        business: Fen(business),
        property: Fen(property),
        transfers: Fen(transfers),
        production_costs: Fen(costs),
        insurance_payouts: Fen(0),
        out_of_pocket_medical: medical,
        ..Income::empty(IncomePeriod::year(year))
    }
}

/// Builds the records of `data` as of `today`, against the monitoring line `line`.
pub fn records(
    data: &[(Household, Vec<Member>)],
    seed: u64,
    today: Date,
    line: Fen,
) -> SynthRecords {
    let year = today.year();
    let this_month = YearMonth::of(today);
    let mut rng = Rng::new(seed ^ 0x5eed_1ed9);
    let mut out = SynthRecords {
        incomes: Vec::with_capacity(data.len() * 2),
        ..SynthRecords::default()
    };
    for (index, (h, members)) in data.iter().enumerate() {
        let p = Profile::of(h, members);
        if p.size == 0 {
            continue;
        }
        let case = case_of(&mut rng, h, &p, this_month);
        let at_risk = case.as_ref().is_some_and(|c| c.elimination.is_none());
        let has_risk = |r: RiskType| case.as_ref().is_some_and(|c| c.risks.contains(&r));
        // per-capita net income as a share of the line, in percent
        let share = match &case {
            Some(c) if c.whole_household_without_labour => rng.range(100, 135),
            Some(_) if at_risk => match rng.range(0, 9) {
                0..=1 => rng.range(70, 99),
                2..=5 => rng.range(100, 115),
                _ => rng.range(116, 160),
            },
            Some(_) => rng.range(135, 260),
            None if p.no_labour() => rng.range(112, 200),
            None => match rng.range(0, 9_999) {
                // the trickle: new trouble below the line, and households just above it
                0..=24 => rng.range(60, 99),
                25..=49 => rng.range(100, 110),
                50..=6_074 => rng.range(120, 220),
                6_075..=9_074 => rng.range(220, 350),
                _ => rng.range(350, 600),
            },
        };
        let net = line.0 * share / 100 * p.size + rng.range(0, p.size - 1);
        // last year: a sudden hardship of this year shows as a fall, an eliminated case as a
        // recovery, anyone else as the usual ups and downs, with a trickle of sharp falls
        let recent = case
            .as_ref()
            .is_some_and(|c| c.identified.months_until(this_month) < 12);
        let sudden = [
            RiskType::Accident,
            RiskType::NaturalDisaster,
            RiskType::Illness,
            RiskType::UnstableEmployment,
            RiskType::BusinessFailure,
        ]
        .iter()
        .any(|r| has_risk(*r));
        let last_share = if at_risk && recent && sudden {
            share * rng.range(135, 180) / 100
        } else if case.is_some() && !at_risk {
            share * rng.range(80, 100) / 100
        } else if case.is_none() && rng.chance(0.0015) {
            share * rng.range(150, 200) / 100
        } else {
            share * rng.range(92, 108) / 100
        };
        let last_net = line.0 * last_share / 100 * p.size;
        let medical = if at_risk && has_risk(RiskType::Illness) {
            Fen::from_yuan(rng.range(8_000, 30_000))
        } else if has_risk(RiskType::Illness) {
            Fen::from_yuan(rng.range(500, 6_000))
        } else if p.ill && rng.chance(0.006) {
            Fen::from_yuan(rng.range(12_000, 40_000))
        } else if p.ill && rng.chance(0.4) {
            Fen::from_yuan(rng.range(200, 5_000))
        } else if rng.chance(0.15) {
            Fen::from_yuan(rng.range(100, 1_500))
        } else {
            Fen(0)
        };
        let no_labour = p.no_labour();
        out.incomes
            .push((index, income_record(year, net, medical, no_labour)));
        out.incomes
            .push((index, income_record(year - 1, last_net, Fen(0), no_labour)));
        let check = SynthCheck {
            as_of: today.add_days(-rng.range(10, 200)),
            unsafe_housing: (at_risk && has_risk(RiskType::UnsafeHousing)) || rng.chance(0.0005),
            dropout: rng.chance(0.0003),
            uninsured: p.uninsured,
            unsafe_water: rng.chance(0.0006),
        };
        if check.any() || rng.chance(0.2) {
            out.checks.push((index, check));
        }
        if let Some(c) = case {
            out.cases.push((index, c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{generate, SynthConfig, SynthVillage};
    use super::*;
    use crate::region::RegionCode;
    use crate::screening::{evaluate, HouseholdRow, MemberCounts, RuleId, RuleSet, Snapshot};
    use crate::standard::{resolve, Standard};

    const HOUSEHOLDS: usize = 20_000;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }

    fn county() -> (Vec<(Household, Vec<Member>)>, SynthRecords) {
        let villages: Vec<SynthVillage> = (0..40)
            .map(|v| SynthVillage {
                code: RegionCode::parse(&format!("510821{:03}{:03}", 100 + v / 10, 200 + v))
                    .unwrap(),
                resettlement_site: None,
            })
            .collect();
        let config = SynthConfig {
            households: HOUSEHOLDS,
            seed: 510_821,
            today: today(),
            county: RegionCode::parse("510821").unwrap(),
        };
        let data = generate(&config, &villages);
        let r = records(&data, 510_821, today(), Fen::from_yuan(8_700));
        (data, r)
    }

    #[test]
    fn the_monthly_screening_flags_a_trickle_of_households() {
        let (data, r) = county();
        let year = today().year();
        let line = Fen::from_yuan(8_700);
        let mut s = Snapshot::with_capacity(data.len());
        let mut income: Vec<[Option<Fen>; 3]> = vec![[None; 3]; data.len()];
        for (i, inc) in &r.incomes {
            let slot = &mut income[*i];
            if inc.period.year == year {
                slot[0] = Some(inc.net_income());
                slot[2] = Some(inc.out_of_pocket_medical);
            } else {
                slot[1] = Some(inc.net_income());
            }
        }
        let mut checks = vec![None; data.len()];
        for (i, c) in &r.checks {
            checks[*i] = Some(*c);
        }
        for (i, (h, members)) in data.iter().enumerate() {
            let village = s.add_village(&h.village);
            let counts = MemberCounts::of(members);
            let c = checks[i];
            let row = HouseholdRow {
                key: i as i64,
                village,
                members: counts,
                net_income: income[i][0],
                last_year_per_capita: income[i][1].and_then(|n| n.per(i64::from(counts.living))),
                out_of_pocket_medical: income[i][2].unwrap_or(Fen(0)),
                unsafe_housing: c.is_some_and(|c| c.unsafe_housing),
                school_dropout: c.is_some_and(|c| c.dropout),
                member_uninsured: c.is_some_and(|c| c.uninsured),
                unsafe_water: c.is_some_and(|c| c.unsafe_water),
                ..HouseholdRow::default()
            };
            s.push(&row).unwrap();
        }
        let standard = resolve(
            &[Standard::provincial(
                year,
                RegionCode::parse("51").unwrap(),
                line,
            )],
            &RegionCode::parse("510821").unwrap(),
            year,
        )
        .unwrap();
        let summary = evaluate(&s, &RuleSet::default_for(year), &standard)
            .unwrap()
            .summary();
        let by_rule: Vec<String> = RuleId::ALL
            .iter()
            .map(|r| format!("{r} {}", summary.by_rule[*r as usize]))
            .collect();
        eprintln!(
            "flagged {} of {}; {}",
            summary.flagged_households,
            summary.households,
            by_rule.join(", ")
        );
        let share = summary.flagged_households as f64 / HOUSEHOLDS as f64;
        assert!(
            (0.01..=0.03).contains(&share),
            "flagged {share}: {by_rule:?}"
        );
        // every income rule still finds someone
        for rule in [
            RuleId::IncomeBelowLine,
            RuleId::IncomeNearLine,
            RuleId::IncomeDrop,
            RuleId::RigidExpenditure,
            RuleId::NoLabourCapacity,
        ] {
            assert!(summary.by_rule[rule as usize] > 0, "{rule}: {by_rule:?}");
        }
    }

    #[test]
    fn a_few_percent_are_monitored_most_of_them_eliminated_and_each_case_fits_its_household() {
        let (data, r) = county();
        let n = r.cases.len() as f64;
        let share = n / HOUSEHOLDS as f64;
        assert!((0.02..=0.04).contains(&share), "monitored {share}");
        let count =
            |f: &dyn Fn(&MonitoringCase) -> bool| r.cases.iter().filter(|(_, c)| f(c)).count();
        let eliminated = count(&|c| c.status == CaseStatus::Eliminated) as f64 / n;
        assert!((0.7..0.9).contains(&eliminated), "eliminated {eliminated}");
        for kind in EliminationKind::ALL {
            assert!(count(&|c| c.elimination.is_some_and(|(k, _)| k == *kind)) > 0);
        }
        for t in CaseType::ALL {
            assert!(count(&|c| c.case_type == *t) > 0, "{t:?}");
        }
        assert!(count(&|c| c.whole_household_without_labour) > 0);
        let line = Fen::from_yuan(8_700);
        let mut incomes = std::collections::HashMap::new();
        for (i, inc) in &r.incomes {
            if inc.period.year == today().year() {
                incomes.insert(*i, inc);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in &r.cases {
            assert!(seen.insert(*i), "two cases for one household");
            let (h, members) = &data[*i];
            let p = Profile::of(h, members);
            assert_eq!(c.household_no, h.household_no);
            assert!(c.history(today()).is_ok(), "{c:?}");
            assert!((1..=3).contains(&c.risks.len()), "{c:?}");
            assert_eq!(
                c.case_type == CaseType::UnstablePostPoverty,
                p.post_poverty,
                "{c:?}"
            );
            let inc = incomes[i];
            if c.risks.contains(&RiskType::Illness) {
                assert!(p.ill && inc.out_of_pocket_medical.0 > 0, "{c:?}");
            }
            if c.risks.contains(&RiskType::Disability) {
                assert!(p.disabled, "{c:?}");
            }
            if c.risks.contains(&RiskType::Schooling) {
                assert!(p.student, "{c:?}");
            }
            if c.whole_household_without_labour {
                assert!(p.no_labour() && c.status == CaseStatus::AtRisk, "{c:?}");
            }
            let per_capita = inc.net_income_per_capita(p.size).unwrap();
            if c.status == CaseStatus::Eliminated {
                assert!(per_capita.0 > line.0 * 13 / 10, "{c:?} {per_capita:?}");
            }
        }
    }
}
