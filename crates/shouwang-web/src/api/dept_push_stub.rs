//! TEMPORARY: the contract of IMPORT's API until h15-import lands. Removed on merge.
#![allow(dead_code)]
use shouwang_core::date::YearMonth;
use shouwang_core::department::profile::{ColumnMap, ProfileEdits};
use shouwang_core::department::{BatchChannel, BatchStatus, DeptKind};
use shouwang_core::{Date, Problem, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::{Store, StoreError};

pub struct BatchRecord {
    pub id: i64,
    pub county: String,
    pub region: String,
    pub kind: DeptKind,
    pub channel: BatchChannel,
    pub file_name: String,
    pub sha256: String,
    pub client_batch_id: Option<String>,
    pub period: Option<String>,
    pub rows: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub invalid: i64,
    pub alerts: i64,
    pub leads: i64,
    pub status: BatchStatus,
    pub created_by: String,
    pub created_at: i64,
}
pub struct BatchInput {
    pub county: RegionCode,
    pub region: RegionCode,
    pub kind: DeptKind,
    pub channel: BatchChannel,
    pub file_name: String,
    pub client_batch_id: Option<String>,
    pub period: Option<YearMonth>,
    pub token_id: Option<i64>,
}
pub enum ImportOutcome {
    Imported(BatchRecord),
    Duplicate(BatchRecord),
}
pub enum ImportError {
    Refused(Problem),
    Store(StoreError),
}
pub fn import_rows(
    _store: &Store,
    _actor: &Actor,
    _input: BatchInput,
    _sha256: String,
    _map: &ColumnMap,
    _rows: &mut dyn Iterator<Item = (u64, Vec<String>)>,
    _today: Date,
) -> Result<ImportOutcome, ImportError> {
    Err(ImportError::Store(StoreError::Other("not wired".into())))
}
pub trait ProfileStub {
    fn dept_profile(
        &self,
        county: &RegionCode,
        kind: DeptKind,
    ) -> Result<(ProfileEdits, i64), StoreError>;
}
impl ProfileStub for Store {
    fn dept_profile(&self, _: &RegionCode, _: DeptKind) -> Result<(ProfileEdits, i64), StoreError> {
        Ok((ProfileEdits::default(), 0))
    }
}
