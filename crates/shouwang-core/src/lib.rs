//! 守望 Shouwang domain core: the types and rules of 防止返贫动态监测和帮扶, with no IO.
//!
//! Parse at the edges into these types ([`RegionCode`], [`IdNumber`], [`Fen`], [`Date`]), then
//! work with them; validation returns [`Problem`]s that carry a stable code and both languages.

pub mod access;
pub mod assistance;
pub mod calendar;
pub mod codes;
pub mod dashboard;
pub mod date;
pub mod department;
pub mod elimination;
pub mod household;
pub mod id_number;
pub mod identification;
pub mod income;
pub mod income_tracking;
pub mod lead;
pub mod ledger;
pub mod money;
pub mod monitoring;
pub mod password;
pub mod problem;
pub mod quality;
pub mod region;
pub mod screening;
pub mod standard;
pub mod statistics;
pub mod supervision;
pub mod synth;
pub mod task_list;
pub mod visit;

pub use access::{Role, Scope};
pub use date::Date;
pub use household::{Household, Member};
pub use id_number::{IdKind, IdNumber};
pub use money::Fen;
pub use problem::{Lang, Problem, ProblemCode};
pub use region::{Region, RegionCode, RegionLevel};
