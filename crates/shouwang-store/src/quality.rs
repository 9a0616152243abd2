//! 数据质量 reads: the facts the checks run over, and the exemptions.

use crate::sql::region_clause;
use crate::{Store, StoreError};
use shouwang_core::RegionCode;

impl Store {
    /// The households of each village of `region`, by village code.
    pub fn quality_village_households(
        &self,
        region: &RegionCode,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let (clause, values) = region_clause("h", region, 1);
        self.backend.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT h.village, COUNT(*) FROM households h WHERE {clause} GROUP BY h.village ORDER BY h.village"
                ),
                &values,
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.text(0), r.int(1).max(0) as u64))
                .collect())
        })
    }
}
