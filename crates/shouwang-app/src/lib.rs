//! 守望 use cases: what the web and the command line both do, each one function a reader can
//! follow from input to commit. Handlers and commands stay thin: they parse their input, call a
//! use case here, and render what it returns.
//!
//! - [`calendar`]: import a year's holidays and make-up working days for a region;
//! - [`screening`]: run a screening (the button, `shouwang screen`, the monthly schedule), what-if;
//! - [`ledger`]: import a ledger file (reader thread, two-pass retry, error workbook, report);
//! - [`import_queue`]: one ledger import at a time per county, the others waiting in line;
//! - [`scheduler`]: jobs the server runs on a clock (the monthly screening, the daily deadline sweep, the monthly task lists);
//! - [`task_list`]: the monthly 工作提示单 of villages, on demand and for a whole county;
//!
//! Everything here is synchronous, like the store: the web calls it through `spawn_blocking`.

pub mod assistance;
pub mod audit;
pub mod calendar;
pub mod dashboard;
pub mod department;
pub mod department_death;
pub mod elimination;
pub mod identification;
pub mod import_queue;
pub mod income_tracking;
pub mod ledger;
pub mod quality;
pub mod scheduler;
pub mod screening;
pub mod self_report;
pub mod statistics;
pub mod supervision;
pub mod task_list;
pub mod visits;
