//! A first import into an empty county: indexes (and on PostgreSQL keys) dropped before and
//! built once at the end, inside the import's transaction.

use super::*;

/// Indexes that a first import into an empty county drops and builds again at the end (inside
/// the import's transaction, DDL being transactional on both backends: a rollback restores
/// them). Building an index once from the finished table is much cheaper than a million random
/// insertions into it. members_key is SQLite's key of members (county, 证件号码), a unique
/// index there (migration 5); PostgreSQL has incomes_screening, and drops its keys itself
/// ([`REKEYED_TABLES`]). A name the database does not have is skipped.
pub(super) const REBUILT_INDEXES: [&str; 9] = [
    "members_key",
    "members_name",
    "members_household",
    "members_village",
    "members_id_tail",
    "members_phone_tail",
    "households_village",
    "households_phone_tail",
    "incomes_screening",
];

/// What [`prepare_bulk`] decided.
pub(super) struct Bulk {
    /// SQL that builds again what was dropped, to run at the end.
    pub(super) rebuild: Vec<String>,
    /// The database held no household and no person: nothing needs looking up.
    pub(super) nothing_stored: bool,
}

/// Before an import: into a county that holds no household yet, drops [`REBUILT_INDEXES`]
/// unless the installation already holds more persons than are coming (a province importing
/// its next county: keeping the indexes up to date costs less than building them again over
/// every county); on PostgreSQL also the foreign keys ([`drop_foreign_keys`]) and, into an
/// empty database, the primary keys ([`drop_primary_keys`]).
pub(super) fn prepare_bulk(
    tx: &mut dyn Sql,
    county: &RegionCode,
    expected_persons: usize,
) -> Result<Bulk, StoreError> {
    let county_empty = tx
        .query_one(
            "SELECT 1 FROM households WHERE county = $1 LIMIT 1",
            &params![county.as_str()],
        )?
        .is_none();
    // persons stored, counted only as far as the expected number
    let limit = i64::try_from(expected_persons.saturating_add(1)).unwrap_or(i64::MAX);
    let stored = tx
        .query_one(
            "SELECT COUNT(*) FROM (SELECT 1 FROM person_index LIMIT $1) AS t",
            &params![limit],
        )?
        .map_or(0, |r| r.int(0));
    let nothing_stored = stored == 0
        && county_empty
        && tx
            .query_one("SELECT 1 FROM households LIMIT 1", &[])?
            .is_none();
    let mut rebuild = Vec::new();
    if !county_empty {
        return Ok(Bulk {
            rebuild,
            nothing_stored,
        });
    }
    if stored < limit {
        for name in REBUILT_INDEXES {
            let lookup = match tx.dialect() {
                Dialect::Sqlite => {
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1 AND sql IS NOT NULL"
                }
                Dialect::Postgres => {
                    "SELECT indexdef FROM pg_indexes WHERE indexname = $1 AND schemaname = current_schema()"
                }
            };
            let Some(r) = tx.query_one(lookup, &params![name])? else {
                continue;
            };
            tx.batch(&format!("DROP INDEX {name}"))?;
            rebuild.push(r.text(0));
        }
    }
    if tx.dialect() == Dialect::Postgres {
        if nothing_stored {
            rebuild.extend(drop_primary_keys(tx)?);
        }
        rebuild.extend(drop_foreign_keys(tx)?);
    }
    Ok(Bulk {
        rebuild,
        nothing_stored,
    })
}

/// Tables whose primary keys an import into an empty PostgreSQL database drops and adds back
/// at the end: their keys get rows in random order (证件号码), which a B-tree takes one page
/// at a time, and nothing references them. A key added at the end is built by one sort, and
/// checked: a duplicate (which the reader and the look-ups exclude) would fail the import.
pub(super) const REKEYED_TABLES: [&str; 4] = ["members", "person_index", "incomes", "guarantees"];

pub(super) fn drop_primary_keys(tx: &mut dyn Sql) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for table in REKEYED_TABLES {
        let Some(k) = tx.query_one(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE c.contype = 'p' AND n.nspname = current_schema() AND t.relname = $1",
            &params![table],
        )?
        else {
            continue;
        };
        let (name, definition) = (k.text(0), k.text(1));
        tx.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
        out.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        ));
    }
    Ok(out)
}

/// PostgreSQL checks a foreign key with a trigger per inserted row. A first import into an empty
/// county drops the keys of the tables it fills and adds them back `NOT VALID` at the end: from
/// then on every write is checked again, and the imported rows were written parents first, by
/// construction (re-validating them would scan every county's rows, not just these).
pub(super) fn drop_foreign_keys(tx: &mut dyn Sql) -> Result<Vec<String>, StoreError> {
    let keys = tx.query(
        "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = current_schema()
         AND t.relname IN ('households', 'members', 'incomes', 'guarantees', 'monitoring_cases', 'case_steps')
         ORDER BY t.relname, c.conname",
        &[],
    )?;
    let mut out = Vec::new();
    for k in keys {
        let (name, table, definition) = (k.text(0), k.text(1), k.text(2));
        tx.batch(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))?;
        out.push(format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID"
        ));
    }
    Ok(out)
}
