//! Synthetic ledgers (模拟台账) for tests and benchmarks: core's synthetic households with the
//! ledger's yearly data added (incomes, 三保障 flags) and monitoring cases in every state
//! (each 监测对象类别; risk not eliminated, eliminated after assistance, eliminated naturally;
//! with and without 整户无劳动能力).

use super::{unresolved_village, LedgerGuarantees, PlaceNames};
use shouwang_core::date::YearMonth;
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::ledger::LedgerHousehold;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::region::village_short_name;
use shouwang_core::synth::{generate, Rng, SynthConfig, SynthVillage};
use shouwang_core::{Fen, Household, Member};
use std::collections::HashMap;

/// One village of a synthetic ledger: where it is, as the ledger names it.
fn villages(places: &[PlaceNames]) -> Vec<SynthVillage> {
    places
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            Some(SynthVillage {
                code: p.village_code.clone()?,
                // one village in ten hosts a resettlement site
                resettlement_site: (i % 10 == 3).then(|| {
                    format!(
                        "{}安置点",
                        village_short_name(&p.village).trim_end_matches('村')
                    )
                }),
            })
        })
        .collect()
}

/// Generates `config.households` households over the villages of `places` (each with its
/// 村代码). Villages whose township and name are unique are written by name only, as the
/// national system exports them; the others keep their 村代码.
pub fn synth_ledger(config: &SynthConfig, places: &[PlaceNames]) -> Vec<LedgerHousehold> {
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for p in places {
        *count
            .entry((
                p.township.clone(),
                village_short_name(&p.village).to_string(),
            ))
            .or_insert(0) += 1;
    }
    let by_code: HashMap<&str, &PlaceNames> = places
        .iter()
        .filter_map(|p| Some((p.village_code.as_ref()?.as_str(), p)))
        .collect();
    let year = config.today.year() - 1;
    let mut rng = Rng::new(config.seed ^ 0x5eed_1ed9);
    generate(config, &villages(places))
        .into_iter()
        .enumerate()
        .filter_map(|(i, (household, members))| {
            let place = (*by_code.get(household.village.as_str())?).clone();
            let unique = count.get(&(
                place.township.clone(),
                village_short_name(&place.village).to_string(),
            )) == Some(&1);
            Some(ledger_household(
                i, household, members, place, unique, year, &mut rng,
            ))
        })
        .collect()
}

fn ledger_household(
    i: usize,
    mut household: Household,
    members: Vec<Member>,
    mut place: PlaceNames,
    by_name: bool,
    year: i32,
    rng: &mut Rng,
) -> LedgerHousehold {
    household.address.clear();
    household.military_family = false;
    household.cultivated_land_centimu = None;
    household.housing_area_centim2 = None;
    household.house_grade.clear();
    household.dibao = members.iter().any(|m| m.dibao);
    household.tekun = members.iter().any(|m| m.tekun);
    if by_name {
        household.village = unresolved_village();
        place.village_code = None;
    }
    // 8 patterns: 3 without a case, then the case states
    let monitoring = match i % 8 {
        0..=2 => None,
        k => {
            let case_type = CaseType::ALL[(i / 8) % CaseType::ALL.len()];
            let n_risks = 1 + (i / 8) % 3;
            let start = (i / 3) % (RiskType::ALL.len() - n_risks);
            let identified = YearMonth::new(year - 1, 1 + (i % 12) as u8)
                .unwrap_or_else(|| unreachable!("month 1–12"));
            let elimination = match k {
                5 => Some(EliminationKind::AfterAssistance),
                6 => Some(EliminationKind::Natural),
                _ => None,
            }
            .and_then(|kind| Some((kind, YearMonth::new(year, 1 + (i % 12) as u8)?)));
            Some(MonitoringCase {
                household_no: household.household_no.clone(),
                case_type,
                risks: RiskType::ALL[start..start + n_risks].to_vec(),
                identified,
                status: if elimination.is_some() {
                    CaseStatus::Eliminated
                } else {
                    CaseStatus::AtRisk
                },
                elimination,
                whole_household_without_labour: k == 7,
            })
        }
    };
    let size = members.len() as i64;
    let working = members.iter().filter(|m| m.migrant_months > 0).count() as i64;
    let income = (i % 11 != 10).then(|| Income {
        period: IncomePeriod::year(year),
        wages: Fen(working * rng.range(2_000_000, 4_500_000) + rng.range(0, 99)),
        business: Fen(size * rng.range(50_000, 300_000)),
        property: Fen(rng.range(0, 3) * 10_000),
        transfers: Fen(if household.dibao {
            size * 480_000
        } else {
            rng.range(20_000, 200_000)
        }),
        production_costs: Fen(size * rng.range(10_000, 80_000)),
        insurance_payouts: Fen(if i.is_multiple_of(9) {
            rng.range(100_000, 900_000)
        } else {
            0
        }),
        out_of_pocket_medical: Fen(if i.is_multiple_of(7) {
            rng.range(100_000, 2_000_000)
        } else {
            0
        }),
    });
    LedgerHousehold {
        household,
        place,
        members,
        monitoring,
        year: Some(year),
        income,
        guarantees: LedgerGuarantees {
            unsafe_housing: Some(i.is_multiple_of(37)),
            out_of_school: Some(false),
            uninsured_member: Some(i.is_multiple_of(53)),
            unsafe_water: Some(false),
        },
        warnings: Vec::new(),
        source_rows: (),
    }
}
