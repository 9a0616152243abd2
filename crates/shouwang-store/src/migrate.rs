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
    (
        5,
        "table_keys",
        include_str!("../migrations/sqlite/0005_table_keys.sql"),
        include_str!("../migrations/postgres/0005_table_keys.sql"),
    ),
];

/// Applies every migration newer than the database's version, inside the caller's transaction.
pub(crate) fn apply(tx: &mut dyn Sql) -> Result<(), StoreError> {
    apply_until(tx, i64::MAX)
}

/// [`apply`] as far as version `last` (tests build databases of earlier versions with it).
fn apply_until(tx: &mut dyn Sql, last: i64) -> Result<(), StoreError> {
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
    let pending = || MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= last);
    for (version, name, sqlite, postgres) in pending() {
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
    if pending().next().is_some() && tx.dialect() == Dialect::Sqlite {
        // enforcement is off while migrating (a table rebuilt would lose its children)
        let broken = tx.query("PRAGMA foreign_key_check", &[])?;
        if let Some(r) = broken.first() {
            return Err(StoreError::Other(format!(
                "migration left {} rows whose foreign key points nowhere (first in table {}); nothing was changed",
                broken.len(),
                r.text(0)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Sql;

    fn count(c: &mut rusqlite::Connection, table: &str) -> i64 {
        c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    /// Migration 5 rebuilds households, members, incomes and guarantees on SQLite: a database
    /// of version 4 holding a family, opened by the store, keeps every row, and the rebuilt
    /// tables keep their rules.
    #[test]
    fn migration_5_keeps_every_row_and_every_rule_of_a_version_4_database() {
        let dir = std::env::temp_dir().join(format!("shouwang-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v4.sqlite");
        let _ = std::fs::remove_file(&path);
        let mut c = rusqlite::Connection::open(&path).unwrap();
        let mut tx = c.transaction().unwrap();
        apply_until(&mut tx, 4).unwrap();
        tx.batch(
            "INSERT INTO regions (code, name, parent, level) VALUES
                 ('510821', '旺苍县', '5108', 6), ('510821100', '东河镇', '510821', 9),
                 ('510821100001', '桃红村', '510821100', 12);
             INSERT INTO households (county, household_no, village, household_type, created_at, updated_at)
                 VALUES ('510821', '51082110000100001', '510821100001', 1, 1, 1);
             INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex,
                     birth_date, relation, health, labour)
                 VALUES ('510821', '510821198001010011', '51082110000100001', '510821100001', 0, 0, '王大山', 1, '1980-01-01', 1, 1, 2),
                        ('510821', '510821200501010021', '51082110000100001', '510821100001', 1, 0, '王小花', 2, '2005-01-01', 3, 1, NULL);
             INSERT INTO incomes (county, household_no, year, wages, out_of_pocket_medical, updated_at)
                 VALUES ('510821', '51082110000100001', 2025, 1234567, 890, 1);
             INSERT INTO guarantees (county, household_no, as_of, dropout, source)
                 VALUES ('510821', '51082110000100001', '2025-12-31', 1, 'ledger');
             INSERT INTO monitoring_cases (county, household_no, case_type, identified, status, created_at, updated_at)
                 VALUES ('510821', '51082110000100001', 2, '2025-03', 1, 1, 1);",
        )
        .unwrap();
        tx.commit().unwrap();
        drop(c);

        let store = crate::Store::open_sqlite(path.clone()).unwrap();
        assert_eq!(store.schema_version().unwrap(), 5);
        drop(store);
        let mut c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();

        for (table, n) in [
            ("households", 1),
            ("members", 2),
            ("incomes", 1),
            ("guarantees", 1),
        ] {
            assert_eq!(count(&mut c, table), n, "{table}");
        }
        let (name, labour): (String, Option<i64>) = c
            .query_row(
                "SELECT name, labour FROM members WHERE county = '510821' AND id_number = '510821200501010021'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((name.as_str(), labour), ("王小花", None));
        let wages: i64 = c
            .query_row("SELECT wages FROM incomes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(wages, 1234567);
        // the members key still refuses a person twice in a county
        let twice = c.execute(
            "INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex, birth_date, relation, health)
             VALUES ('510821', '510821198001010011', '51082110000100001', '510821100001', 2, 0, '重复', 1, '1980-01-01', 1, 1)",
            [],
        );
        assert!(twice.is_err(), "a repeated 证件号码 was accepted");
        // a child of nowhere is refused, and deleting a household still takes its rows along
        let orphan = c.execute(
            "INSERT INTO incomes (county, household_no, year, updated_at) VALUES ('510821', 'nowhere', 2025, 1)",
            [],
        );
        assert!(orphan.is_err(), "an income of no household was accepted");
        c.execute("DELETE FROM households", []).unwrap();
        for table in ["members", "incomes", "guarantees", "monitoring_cases"] {
            assert_eq!(
                count(&mut c, table),
                0,
                "{table} kept rows of a deleted household"
            );
        }
        let covering: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'incomes_screening'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            covering, 0,
            "incomes_screening is folded into the incomes table"
        );
        drop(c);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A migration that leaves a foreign key pointing nowhere is refused as a whole.
    #[test]
    fn a_migration_that_breaks_a_foreign_key_changes_nothing() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let mut tx = c.transaction().unwrap();
        apply_until(&mut tx, 4).unwrap();
        // what a faulty rebuild could leave: members of a household that is gone
        tx.batch(
            "INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex, birth_date, relation, health)
             VALUES ('510821', '510821198001010011', 'gone', '', 0, 0, '王大山', 1, '1980-01-01', 1, 1)",
        )
        .unwrap();
        let err = apply(&mut tx).unwrap_err();
        assert!(err.to_string().contains("members"), "{err}");
    }
}
