//! 帮扶责任人 and 家庭签约医生: the people paired with households, with the fields the national
//! form keeps for an assistance person (姓名、性别、政治面貌、帮扶(选派)单位名称、帮扶开始时间、
//! 帮扶结束时间、联系电话; research §6). A pairing is dated; a reassignment ends one pairing and
//! starts another, so that the history stays.

use crate::codes::{Political, Sex};
use crate::date::Date;
use crate::visit::Position;
use serde::{Deserialize, Serialize};

/// A person paired with households: an assistance person (帮扶责任人) or a family doctor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssistancePerson {
    /// [`Position::AssistancePerson`] or [`Position::FamilyDoctor`]
    pub position: Position,
    pub name: String,
    pub sex: Option<Sex>,
    pub political: Option<Political>,
    /// 帮扶(选派)单位名称
    pub unit: String,
    pub phone: String,
}

/// A person's pairing with a household, from `start` to `end` (`None` while it lasts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub person_id: i64,
    pub household_no: String,
    pub start: Date,
    pub end: Option<Date>,
}
