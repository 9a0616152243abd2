//! Screening benchmark: builds a synthetic county of 1,000,000 households, then times the full
//! rule catalogue and a what-if (line 8,700 → 9,200 元) on one core.
//!
//! ```text
//! cargo run --release -p shouwang-core --example screening_bench [households]
//! ```

use shouwang_core::money::Fen;
use shouwang_core::region::RegionCode;
use shouwang_core::screening::{evaluate_plan, synthetic_snapshot, what_if, Plan, RuleSet};
use shouwang_core::standard::{resolve, Standard};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let line = Fen::from_yuan(8_700);
    let t = Instant::now();
    let snapshot = synthetic_snapshot(n, 2025, line);
    println!(
        "built {} households ({} persons) in {:.2} s",
        snapshot.len(),
        snapshot.persons(),
        t.elapsed().as_secs_f64()
    );

    let (Some(province), Some(county)) = (RegionCode::parse("53"), RegionCode::parse("530129"))
    else {
        eprintln!("bad region code");
        return;
    };
    let Some(standard) = resolve(&[Standard::provincial(2025, province, line)], &county, 2025)
    else {
        eprintln!("no standard");
        return;
    };
    let rules = RuleSet::default_for(2025);
    let (current, raised) = match (
        Plan::compile(&rules, &standard),
        Plan::compile(&rules, &standard.with_line(Fen::from_yuan(9_200))),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(p), _) | (_, Err(p)) => {
            eprintln!("invalid plan: {p:?}");
            return;
        }
    };

    // evaluation: best of 5 runs, masks into a reused buffer (what a screening run does)
    let mut masks = Vec::with_capacity(n);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        current.masks_into(&snapshot, &mut masks);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let flagged = masks.iter().filter(|m| **m != 0).count();
    println!(
        "evaluate (13 rules): {:.1} ms, {:.0} households/s; {} flagged ({:.1} %)",
        best * 1e3,
        n as f64 / best,
        flagged,
        100.0 * flagged as f64 / n.max(1) as f64
    );

    // a full screening with summary and every hit listed (levels, risk types)
    let t = Instant::now();
    let screening = evaluate_plan(&snapshot, current.clone());
    let summary = screening.summary();
    let hits = screening.hits().count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "evaluate + summary + {} hits listed: {:.1} ms, {:.0} households/s; red {} yellow {} blue {}",
        hits,
        secs * 1e3,
        n as f64 / secs,
        summary.by_level[0],
        summary.by_level[1],
        summary.by_level[2]
    );

    // what-if: both plans on every household, per-village and per-township counts
    let mut best = f64::MAX;
    let mut answer = None;
    for _ in 0..5 {
        let t = Instant::now();
        answer = Some(what_if(&snapshot, &current, &raised));
        best = best.min(t.elapsed().as_secs_f64());
    }
    if let Some(w) = answer {
        println!(
            "what-if line 8700 → 9200: {:.1} ms, {:.0} households/s; flagged {} → {} households ({} → {} persons) in {} villages, {} townships",
            best * 1e3,
            n as f64 / best,
            w.total.current.households,
            w.total.edited.households,
            w.total.current.persons,
            w.total.edited.persons,
            w.villages.len(),
            w.townships.len()
        );
    }
}
