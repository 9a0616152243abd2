//! The demo county's department data (部门数据): a batch of each of 医保, 民政, 残联, 住建, 公安
//! and 资产核查 from the synthetic generator ([`shouwang_core::synth::department`]), imported
//! through the same path as `shouwang dept import`, so that the demo opens with batches, alerts,
//! the leads they raised and an unmatched queue (persons of nobody, broken ID numbers and values).

use crate::demo::DEMO_COUNTY;
use anyhow::{Context, Result};
use shouwang_app::department::{import_file, thresholds, BatchInput, ImportOutcome};
use shouwang_core::codes::HouseholdType;
use shouwang_core::date::YearMonth;
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::synth::department::{department_file, DeptCounty};
use shouwang_core::synth::SynthRecords;
use shouwang_core::{Date, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::Store;
use std::collections::HashSet;

/// The kinds the demo imports, in the order departments would deliver them.
pub const DEMO_KINDS: [DeptKind; 6] = [
    DeptKind::Medical,
    DeptKind::Roster,
    DeptKind::Disability,
    DeptKind::Housing,
    DeptKind::Police,
    DeptKind::Assets,
];

/// What the demo's department batches gave: (batches, alerts, leads, queued rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoDepartment {
    pub batches: i64,
    pub alerts: i64,
    pub leads: i64,
    pub queued: i64,
}

/// Imports a generated file of each of [`DEMO_KINDS`] into the demo county, as of last month.
pub fn seed(
    store: &Store,
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
    seed: u64,
    today: Date,
) -> Result<DemoDepartment> {
    let county = RegionCode::parse(DEMO_COUNTY).context("demo county code")?;
    let mut registered: HashSet<String> = data
        .iter()
        .filter(|(h, _)| h.household_type == HouseholdType::PostPoverty)
        .map(|(h, _)| h.household_no.clone())
        .collect();
    for (i, c) in &records.cases {
        if matches!(c.status, CaseStatus::Identifying | CaseStatus::AtRisk) {
            if let Some((h, _)) = data.get(*i) {
                registered.insert(h.household_no.clone());
            }
        }
    }
    let c = DeptCounty {
        data,
        registered: &registered,
        outside: &[],
        thresholds: thresholds(store, &county, today.year())?,
        today,
    };
    let month = YearMonth::of(today.add_days(-i64::from(today.day())));
    let dir = std::env::temp_dir().join(format!(
        "shouwang-demo-dept-{}-{}",
        std::process::id(),
        shouwang_store::now()
    ));
    std::fs::create_dir_all(&dir)?;
    let result = import_all(store, &c, &county, &dir, month, seed, today);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn import_all(
    store: &Store,
    c: &DeptCounty<'_>,
    county: &RegionCode,
    dir: &std::path::Path,
    month: YearMonth,
    seed: u64,
    today: Date,
) -> Result<DemoDepartment> {
    let actor = Actor::system("demo");
    let mut out = DemoDepartment::default();
    for kind in DEMO_KINDS {
        let f = department_file(c, kind, seed);
        let header: Vec<&str> = f.header.iter().map(String::as_str).collect();
        let bytes = shouwang_io::table::csv_bytes(&header, &f.rows).map_err(anyhow::Error::msg)?;
        let name = format!("{}_{}.csv", kind.label_zh(), month.compact());
        let path = dir.join(&name);
        std::fs::write(&path, bytes)?;
        let input = BatchInput {
            county: county.clone(),
            region: county.clone(),
            kind,
            channel: BatchChannel::Command,
            file_name: name,
            client_batch_id: None,
            period: Some(month),
            token_id: None,
        };
        match import_file(store, &actor, input, &path, today, &mut |_| {}) {
            Ok(ImportOutcome::Imported(b) | ImportOutcome::Duplicate(b)) => {
                out.batches += 1;
                out.alerts += b.alerts;
                out.leads += b.leads;
                out.queued += b.unmatched + b.invalid;
            }
            Err(e) => anyhow::bail!("{}: {e}", kind.label_zh()),
        }
    }
    Ok(out)
}
