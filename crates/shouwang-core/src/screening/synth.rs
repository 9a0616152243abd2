//! A synthetic snapshot (合成筛查快照) for benchmarks and tests: deterministic, with per-capita
//! incomes spread log-normally around the line so that about 8 % of households fall below it and
//! about 10 % lie within 10 % above it.

use super::catalogue::SourceSlot;
use super::snapshot::{DataSource, HouseholdRow, MemberCounts, RowSources, Snapshot};
use crate::date::Date;
use crate::money::Fen;
use crate::region::RegionCode;
use crate::synth::Rng;

/// A county code the synthetic villages hang under (云南省昆明市寻甸县).
pub const SYNTH_COUNTY: &str = "530129";

/// Households per synthetic village, and villages per township.
const PER_VILLAGE: usize = 300;
const VILLAGES_PER_TOWNSHIP: usize = 15;

/// `e^x` by its Taylor series, using only `+ × ÷` so the result is bit-identical on every machine
/// (library `exp` may differ in the last place between platforms). Accurate for |x| ≤ 3.
fn exp_series(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for k in 1..40 {
        term = term * x / f64::from(k);
        sum += term;
    }
    sum
}

/// A standard normal deviate, approximately: the Irwin–Hall sum of twelve uniforms, less six.
fn normal(rng: &mut Rng) -> f64 {
    let mut s = 0.0;
    for _ in 0..12 {
        s += (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    }
    s - 6.0
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap_or(Date::from_days(0))
}

/// Builds `households` households over villages of about 300 households, 15 villages per
/// township, in county [`SYNTH_COUNTY`], with per-capita incomes around `line`.
///
/// The per-capita net income is `line × e^(μ + σ·z)` with μ = 0.273, σ = 0.1945: then
/// P(income < line) = Φ(−μ/σ) ≈ 8 % and P(line ≤ income ≤ 1.1 × line) ≈ 10 %.
pub fn synthetic_snapshot(households: usize, seed: u64, line: Fen) -> Snapshot {
    let mut s = Snapshot::with_capacity(households);
    let mut rng = Rng::new(seed);
    let villages = households.div_ceil(PER_VILLAGE).max(1);
    let mut indices = Vec::with_capacity(villages);
    for v in 0..villages {
        let town = v / VILLAGES_PER_TOWNSHIP;
        let code = format!(
            "{SYNTH_COUNTY}{:03}{:03}",
            100 + town % 900,
            200 + v % VILLAGES_PER_TOWNSHIP
        );
        if let Some(c) = RegionCode::from_canonical(&code) {
            indices.push(s.add_village(&c));
        }
    }
    let source = |slot, zh: &str, en: &str, date| DataSource {
        slot,
        label_zh: zh.into(),
        label_en: en.into(),
        date,
    };
    let sources = RowSources {
        income: Some(s.add_source(source(
            SourceSlot::Income,
            "2025年收入台账",
            "2025 income ledger",
            day(2025, 10, 31),
        ))),
        guarantees: Some(s.add_source(source(
            SourceSlot::Guarantees,
            "三保障和饮水安全核查",
            "guarantees check",
            day(2025, 9, 30),
        ))),
        members: Some(s.add_source(source(
            SourceSlot::Members,
            "家庭成员信息",
            "household registry",
            day(2025, 11, 1),
        ))),
        department: Some(s.add_source(source(
            SourceSlot::Department,
            "部门数据2025年10月批次",
            "department batch 2025-10",
            day(2025, 10, 15),
        ))),
    };
    if indices.is_empty() {
        return s;
    }
    let (mu, sigma) = (0.273, 0.1945);
    for i in 0..households {
        let size: u16 =
            rng.weighted(&[(14, 1), (22, 2), (20, 3), (20, 4), (13, 5), (8, 6), (3, 7)]);
        let pc = (line.0 as f64 * exp_series(mu + sigma * normal(&mut rng))).round() as i64;
        let net = pc * i64::from(size) + rng.range(0, i64::from(size) - 1);
        let income_known = !rng.chance(0.02);
        let last = if !rng.chance(0.95) {
            None
        } else if rng.chance(0.03) {
            // a sharp fall this year: last year was 1.5–2.2 times as much
            Some(Fen(pc * rng.range(150, 220) / 100))
        } else {
            Some(Fen(
                (pc as f64 / exp_series(0.06 + 0.1 * normal(&mut rng))).round() as i64,
            ))
        };
        let oop = match rng.range(0, 99) {
            0..=74 => 0,
            75..=94 => rng.range(100, 5_000) * 100,
            _ => rng.range(5_000, 60_000) * 100,
        };
        let schooling_cost = if rng.chance(0.12) {
            rng.range(2_000, 15_000) * 100
        } else {
            0
        };
        let able_to_work = if rng.chance(0.08) {
            0
        } else {
            rng.range(1, i64::from(size)) as u16
        };
        let member_uninsured = rng.chance(0.015);
        let members = MemberCounts {
            living: size,
            able_to_work,
            uninsured: u16::from(member_uninsured),
            seriously_ill_uninsured: u16::from(member_uninsured && rng.chance(0.2)),
            disabled_uninsured: u16::from(member_uninsured && rng.chance(0.2)),
            non_compulsory_students: u16::from(schooling_cost > 0),
        };
        let row = HouseholdRow {
            key: i as i64 + 1,
            village: indices[i % indices.len()],
            members,
            net_income: income_known.then_some(Fen(net)),
            last_year_per_capita: last,
            out_of_pocket_medical: Fen(oop),
            schooling_cost: Fen(schooling_cost),
            unsafe_housing: rng.chance(0.004),
            school_dropout: rng.chance(0.002),
            member_uninsured,
            unsafe_water: rng.chance(0.005),
            department_alert: rng.chance(0.005),
            sources,
        };
        // the village index exists by construction; a refusal would only skip the row
        let _ = s.push(&row);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_exponential_agrees_with_the_library() {
        for x in [-1.0, -0.3, 0.0, 0.273, 1.0, 2.5] {
            assert!(
                (exp_series(x) - f64::exp(x)).abs() < 1e-12 * f64::exp(x),
                "{x}"
            );
        }
    }

    #[test]
    fn about_eight_percent_are_below_the_line_and_ten_percent_near_it() {
        let line = Fen::from_yuan(8_700);
        let s = synthetic_snapshot(50_000, 1, line);
        assert_eq!(s.len(), 50_000);
        let known: Vec<Fen> = (0..s.len()).filter_map(|i| s.per_capita(i)).collect();
        let share = |f: &dyn Fn(Fen) -> bool| {
            known.iter().filter(|p| f(**p)).count() as f64 / known.len() as f64
        };
        let below = share(&|p| p < line);
        let near = share(&|p| p >= line && p.0 * 10 <= line.0 * 11);
        assert!((0.065..0.095).contains(&below), "below {below}");
        assert!((0.08..0.12).contains(&near), "near {near}");
        assert!(s.villages().len() >= 160);
    }

    #[test]
    fn the_same_seed_gives_the_same_snapshot() {
        let a = synthetic_snapshot(2_000, 9, Fen::from_yuan(8_700));
        let b = synthetic_snapshot(2_000, 9, Fen::from_yuan(8_700));
        assert_eq!(a.per_capita, b.per_capita);
        assert_eq!(a.flags, b.flags);
        let c = synthetic_snapshot(2_000, 10, Fen::from_yuan(8_700));
        assert_ne!(a.per_capita, c.per_capita);
    }
}
