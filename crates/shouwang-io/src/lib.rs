//! 守望 files: the NBS region files, and the household ledger (户人台账) in and out as xlsx and CSV.

pub mod calendar;
pub mod department;
pub mod ledger;
pub mod private;
pub mod regions;
pub mod table;
