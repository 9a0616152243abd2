//! The audit trail (审计日志): who did what to which record, with the record before and after.

use crate::db::Sql;
use crate::{params, Store, StoreError};
use serde::Serialize;

/// Who acts: a signed-in user or the system itself (imports from the command line, the demo).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            username: format!("system:{what}"),
        }
    }
}

/// One audited event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Records an event inside the caller's transaction, so that the change and its record
/// commit together or not at all.
pub fn record(
    tx: &mut dyn Sql,
    actor: &Actor,
    county: Option<&str>,
    action: &str,
    (entity, key): (&str, &str),
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO audit_events (county, at, user_id, username, action, entity, entity_key, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &params![
            county.map(str::to_string),
            crate::now(),
            actor.user_id,
            &actor.username,
            action,
            entity,
            key,
            before.map(|v| v.to_string()),
            after.map(|v| v.to_string())
        ],
    )?;
    Ok(())
}

impl Store {
    /// The history of one record, newest first.
    pub fn history(
        &self,
        entity: &str,
        key: &str,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT id, at, username, action, entity, entity_key, before, after FROM audit_events
                 WHERE entity = $1 AND entity_key = $2 ORDER BY id DESC LIMIT $3",
                &params![entity, key, limit],
            )?;
            Ok(rows
                .iter()
                .map(|r| AuditEvent {
                    id: r.int(0),
                    at: r.int(1),
                    username: r.text(2),
                    action: r.text(3),
                    entity: r.text(4),
                    entity_key: r.text(5),
                    before: r.opt_text(6).and_then(|t| serde_json::from_str(&t).ok()),
                    after: r.opt_text(7).and_then(|t| serde_json::from_str(&t).ok()),
                })
                .collect())
        })
    }

    /// Records an event on its own (reads such as an ID reveal, logins).
    pub fn audit(
        &self,
        actor: &Actor,
        county: Option<&str>,
        action: &str,
        target: (&str, &str),
    ) -> Result<(), StoreError> {
        self.with_tx(|tx| record(tx, actor, county, action, target, None, None))
    }

    /// Records an event on its own with what it came to (an export: its rows, whether the ID
    /// numbers were in full), kept as the event's `after`.
    pub fn audit_with(
        &self,
        actor: &Actor,
        county: Option<&str>,
        action: &str,
        target: (&str, &str),
        details: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.with_tx(|tx| record(tx, actor, county, action, target, None, Some(details)))
    }

    /// Number of audit events with this action (for tests and the admin page).
    pub fn count_events(&self, action: &str) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_one(
                "SELECT COUNT(*) FROM audit_events WHERE action = $1",
                &params![action],
            )?
            .map(|r| r.int(0))
            .unwrap_or(0))
        })
    }

    /// The audit log from `from` until before `until` (Unix seconds), oldest first, at most
    /// `limit` events: those of counties inside `within` (every county when `None`) and those
    /// of no county (sign-ins, account changes). What an auditor exports.
    pub fn audit_log(
        &self,
        within: Option<&shouwang_core::RegionCode>,
        from: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT id, at, username, action, entity, entity_key, before, after FROM audit_events
                 WHERE at >= $1 AND at < $2
                   AND (county IS NULL OR substr(county, 1, length(CAST($4 AS TEXT))) = CAST($4 AS TEXT))
                 ORDER BY id LIMIT $3",
                &params![from, until, limit, within.map_or("", |r| r.as_str())],
            )?;
            Ok(rows
                .iter()
                .map(|r| AuditEvent {
                    id: r.int(0),
                    at: r.int(1),
                    username: r.text(2),
                    action: r.text(3),
                    entity: r.text(4),
                    entity_key: r.text(5),
                    before: r.opt_text(6).and_then(|t| serde_json::from_str(&t).ok()),
                    after: r.opt_text(7).and_then(|t| serde_json::from_str(&t).ok()),
                })
                .collect())
        })
    }

    /// Removes audit events older than `before` (the retention period has passed), and records
    /// that it did, with how many. Returns the number removed.
    pub fn purge_audit(&self, actor: &Actor, before: i64) -> Result<u64, StoreError> {
        self.with_tx(|tx| {
            let n = tx.exec("DELETE FROM audit_events WHERE at < $1", &params![before])?;
            if n > 0 {
                let after = serde_json::json!({ "removed": n, "before": before });
                record(
                    tx,
                    actor,
                    None,
                    "audit.purge",
                    ("audit", "audit_events"),
                    None,
                    Some(&after),
                )?;
            }
            Ok(n)
        })
    }
}
