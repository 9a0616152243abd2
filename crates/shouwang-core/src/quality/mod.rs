//! 数据质量: the catalogue of data-quality rules (issue 16, helper D).

use serde::{Deserialize, Serialize};

/// One village's data quality: its households and the findings against them that are not
/// exempted (the supervision ranking's data-quality score reads this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageQuality {
    /// the 12-digit village code
    pub village: String,
    pub households: u64,
    /// findings net of exemptions
    pub findings: u64,
}
