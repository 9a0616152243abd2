//! Versioned migrations per backend, embedded in the binary and applied at start.

use crate::db::{Dialect, Sql};
use crate::{params, StoreError};

/// (version, name, SQLite script, PostgreSQL script). Append only; never edit a released one.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "ledger_data",
        include_str!("../migrations/sqlite/0002_ledger_data.sql"),
        include_str!("../migrations/postgres/0002_ledger_data.sql"),
    ),
    (
        3,
        "screening",
        include_str!("../migrations/sqlite/0003_screening.sql"),
        include_str!("../migrations/postgres/0003_screening.sql"),
    ),
    (
        4,
        "member_indexes",
        include_str!("../migrations/sqlite/0004_member_indexes.sql"),
        include_str!("../migrations/postgres/0004_member_indexes.sql"),
    ),
];

/// Applies every migration newer than the database's version, inside the caller's transaction.
pub(crate) fn apply(tx: &mut dyn Sql) -> Result<(), StoreError> {
    if tx.dialect() == Dialect::Postgres {
        // two processes starting at once must not both migrate
        tx.batch("SELECT pg_advisory_xact_lock(7165481)")?;
    }
    tx.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )?;
    let current = tx
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])?
        .and_then(|r| r.opt_int(0))
        .unwrap_or(0);
    let latest = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
    if current > latest {
        return Err(StoreError::Config(format!(
            "the database has schema version {current}, newer than this program knows ({latest}); upgrade the program"
        )));
    }
    for (version, name, sqlite, postgres) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let script = if tx.dialect() == Dialect::Sqlite {
            sqlite
        } else {
            postgres
        };
        tx.batch(script)?;
        tx.exec(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &params![*version, *name, crate::now()],
        )?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}
