//! The audit log for an auditor (审计日志导出): every event of a period in a region, as CSV or
//! xlsx, and the retention rule that removes events older than the configured period.

use shouwang_core::{Date, RegionCode};
use shouwang_io::table::{table_bytes, TableFormat};
use shouwang_store::audit::Actor;
use shouwang_store::{Store, StoreError};

/// At most this many events go into one export; a longer period is exported in parts.
pub const MAX_EVENTS: i64 = 1_000_000;

/// The shortest retention the program accepts: 180 days (网络安全法 第二十一条: logs are kept for
/// no less than six months).
pub const MIN_RETENTION_DAYS: i64 = 180;

const HEADER: [&str; 8] = [
    "序号 id",
    "时间 time (UTC+8)",
    "用户 user",
    "操作 action",
    "对象 entity",
    "对象标识 key",
    "修改前 before",
    "修改后 after",
];

/// China time of a Unix instant, `YYYY-MM-DD HH:MM:SS`.
pub fn china_time(at: i64) -> String {
    let date = Date::from_unix_seconds_china(at);
    let secs = (at + 8 * 3600).rem_euclid(86_400);
    format!(
        "{date} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The events from `from` until before `until` (Unix seconds) of `within` (every county when
/// `None`; and those of no county: sign-ins, account changes), oldest first, as a file of `format`. The export itself is
/// audited, with its period and row count.
pub fn export(
    store: &Store,
    actor: &Actor,
    within: Option<&RegionCode>,
    (from, until): (i64, i64),
    format: TableFormat,
) -> Result<(Vec<u8>, usize), StoreError> {
    let events = store.audit_log(within, from, until, MAX_EVENTS)?;
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                china_time(e.at),
                e.username.clone(),
                e.action.clone(),
                e.entity.clone(),
                e.entity_key.clone(),
                e.before.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                e.after.as_ref().map(|v| v.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = table_bytes(format, "审计日志", &HEADER, &rows).map_err(StoreError::Other)?;
    let what = format!(
        "{}..{} {:?} rows={}",
        china_time(from),
        china_time(until),
        format,
        rows.len()
    );
    let county = within.and_then(RegionCode::county);
    store.audit(
        actor,
        county.as_ref().map(RegionCode::as_str),
        "audit.export",
        ("audit", &what),
    )?;
    Ok((bytes, rows.len()))
}

/// Removes events older than `days` days before `now`; refuses a period shorter than
/// [`MIN_RETENTION_DAYS`]. Returns the number removed.
pub fn apply_retention(store: &Store, now: i64, days: i64) -> Result<u64, StoreError> {
    if days < MIN_RETENTION_DAYS {
        return Err(StoreError::Config(format!(
            "审计日志至少保存{MIN_RETENTION_DAYS}天 / the audit log is kept {MIN_RETENTION_DAYS} days at least (asked {days})"
        )));
    }
    store.purge_audit(&Actor::system("retention"), now - days * 86_400)
}
