//! 走访: visits to households and the duties to make them, by position (seed 003 文峰乡): the
//! 村党支部书记 monthly for the village's 脱贫 and monitored households, the 乡镇党委书记 every half
//! year for each monitored household of the township, the 帮扶责任人 and the 家庭签约医生 monthly
//! for their paired households. The periods are the year's standard's. A user may hold a position
//! besides the role.

use crate::codes::code_list;
use crate::date::Date;
use serde::{Deserialize, Serialize};

code_list!(
    /// 职务: positions that carry visit duties. Ours.
    Position {
        VillageSecretary = 1 => "村党支部书记", "village Party secretary";
        TownshipSecretary = 2 => "乡镇党委书记", "township Party secretary";
        AssistancePerson = 3 => "帮扶责任人", "assistance person";
        FamilyDoctor = 4 => "家庭签约医生", "family doctor";
    }
);

/// One visit, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub household_no: String,
    pub on: Date,
    /// the position the visit counts for
    pub position: Position,
    /// 走访发现
    pub findings: String,
    /// 后续跟进
    pub follow_up: String,
}
