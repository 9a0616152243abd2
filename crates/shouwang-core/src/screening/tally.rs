//! The counts a screening run is reported by: flagged households per township and level, as the
//! county officer reads them after a run (红 / 黄 / 蓝 for each 乡镇).

use super::engine::Screening;
use super::snapshot::Snapshot;
use crate::region::RegionLevel;
use std::collections::BTreeMap;

/// Flagged households per township code, as `[red, yellow, blue]` (by [`super::WarningLevel::index`]).
/// A household whose village has no township (hung on the county) counts under an empty code.
pub fn per_township(snapshot: &Snapshot, screening: &Screening<'_>) -> BTreeMap<String, [u64; 3]> {
    let mut out: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for i in 0..snapshot.len() {
        if let Some(level) = screening.level(i) {
            let town = snapshot
                .village_of(i)
                .and_then(|v| v.ancestor(RegionLevel::Township))
                .map(|t| t.as_str().to_string())
                .unwrap_or_default();
            out.entry(town).or_default()[level.index()] += 1;
        }
    }
    out
}
