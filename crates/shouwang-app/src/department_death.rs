//! 公安 deaths confirmed by a village cadre (D09): the registry changes only on confirmation,
//! through the household's departure path; a rejection keeps the member and records why.

use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
pub use shouwang_store::dept_death::{DeathAlert, DeathDecision};
use shouwang_store::{Store, StoreError};

/// Confirms the death alert `id` (the member is marked deceased on the alert's date) or rejects
/// it with `note`; `region` is the caller's scope (an alert outside it is not found).
pub fn decide(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    id: i64,
    decision: DeathDecision,
    note: &str,
    today: Date,
) -> Result<DeathAlert, StoreError> {
    store.decide_death(actor, region, id, decision, note, today)
}
