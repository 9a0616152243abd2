//! 守望 files: the NBS region files, and the household ledger (台账) in and out.


pub mod regions;
