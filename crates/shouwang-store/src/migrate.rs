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
    (
        6,
        "pinned_codes",
        include_str!("../migrations/sqlite/0006_pinned_codes.sql"),
        include_str!("../migrations/postgres/0006_pinned_codes.sql"),
    ),
    (
        7,
        "accounts",
        include_str!("../migrations/sqlite/0007_accounts.sql"),
        include_str!("../migrations/postgres/0007_accounts.sql"),
    ),
    (
        8,
        "member_departures",
        include_str!("../migrations/sqlite/0008_member_departures.sql"),
        include_str!("../migrations/postgres/0008_member_departures.sql"),
    ),
    (
        9,
        "search_tails",
        include_str!("../migrations/sqlite/0009_search_tails.sql"),
        include_str!("../migrations/postgres/0009_search_tails.sql"),
    ),
    (
        10,
        "identification",
        include_str!("../migrations/sqlite/0010_identification.sql"),
        include_str!("../migrations/postgres/0010_identification.sql"),
    ),
    (
        11,
        "calendar",
        include_str!("../migrations/sqlite/0011_calendar.sql"),
        include_str!("../migrations/postgres/0011_calendar.sql"),
    ),
    (
        12,
        "identification_indexes",
        include_str!("../migrations/sqlite/0012_identification_indexes.sql"),
        include_str!("../migrations/postgres/0012_identification_indexes.sql"),
    ),
    (
        13,
        "assistance",
        include_str!("../migrations/sqlite/0013_assistance.sql"),
        include_str!("../migrations/postgres/0013_assistance.sql"),
    ),
    (
        17,
        "task_lists",
        include_str!("../migrations/sqlite/0017_task_lists.sql"),
        include_str!("../migrations/postgres/0017_task_lists.sql"),
    ),
    (
        18,
        "department",
        include_str!("../migrations/sqlite/0018_department.sql"),
        include_str!("../migrations/postgres/0018_department.sql"),
    ),
    (
        23,
        "dept_death",
        include_str!("../migrations/sqlite/0023_dept_death.sql"),
        include_str!("../migrations/postgres/0023_dept_death.sql"),
    ),
    (
        24,
        "statistics",
        include_str!("../migrations/sqlite/0024_statistics.sql"),
        include_str!("../migrations/postgres/0024_statistics.sql"),
    ),
    (
        25,
        "quality",
        include_str!("../migrations/sqlite/0025_quality.sql"),
        include_str!("../migrations/postgres/0025_quality.sql"),
    ),
    (
        26,
        "income_tracking",
        include_str!("../migrations/sqlite/0026_income_tracking.sql"),
        include_str!("../migrations/postgres/0026_income_tracking.sql"),
    ),
    (
        27,
        "ranking",
        include_str!("../migrations/sqlite/0027_ranking.sql"),
        include_str!("../migrations/postgres/0027_ranking.sql"),
    ),
];

/// The version of the newest migration.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

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
    let latest = latest();
    if current > latest {
        return Err(StoreError::Config(format!(
            "the database has schema version {current}, newer than this program knows ({latest}); upgrade the program"
        )));
    }
    let pending = || MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= last);
    // SQLite migrates with foreign-key enforcement off (a table rebuilt would lose its
    // children): keys broken by the migrations are found by comparing with what was broken
    // before (rows written with enforcement off by older versions, or by hand)
    let checked = pending().next().is_some() && tx.dialect() == Dialect::Sqlite;
    let broken_before = if checked {
        broken_keys(tx)?
    } else {
        Vec::new()
    };
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
    if checked {
        let after = broken_keys(tx)?;
        if let Some((table, n)) = newly_broken(&broken_before, &after) {
            return Err(StoreError::Other(format!(
                "the migration would leave {n} more rows of {table} whose foreign key points nowhere; nothing was changed"
            )));
        }
        for (table, n) in &broken_before {
            tracing::warn!(
                table = %table,
                rows = n,
                "rows whose foreign key points nowhere (there before this upgrade; PRAGMA foreign_key_check lists them)"
            );
        }
    }
    Ok(())
}

/// Rows whose foreign key points nowhere, per table (SQLite).
fn broken_keys(tx: &mut dyn Sql) -> Result<Vec<(String, usize)>, StoreError> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for r in tx.query("PRAGMA foreign_key_check", &[])? {
        let table = r.text(0);
        match out.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += 1,
            None => out.push((table, 1)),
        }
    }
    Ok(out)
}

/// The first table with more broken keys after than before.
fn newly_broken(before: &[(String, usize)], after: &[(String, usize)]) -> Option<(String, usize)> {
    after.iter().find_map(|(table, n)| {
        let was = before
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n);
        (*n > was).then(|| (table.clone(), n - was))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Sql;

    /// (type, name, foreign keys) of every table and index but SQLite's own, in order.
    fn schema(c: &rusqlite::Connection) -> Vec<(String, String, String)> {
        let mut s = c
            .prepare(
                "SELECT m.type, m.name, COALESCE(group_concat(f.\"table\" || '.' || f.\"from\" || '>' || f.\"to\"), '')
                 FROM sqlite_master m LEFT JOIN pragma_foreign_key_list(m.name) f ON m.type = 'table'
                 WHERE m.name NOT LIKE 'sqlite_%' GROUP BY m.type, m.name ORDER BY m.type, m.name",
            )
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

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
        let v4_schema = schema(&c);
        drop(c);

        let store = crate::Store::open_sqlite(path.clone()).unwrap();
        assert_eq!(store.schema_version().unwrap(), latest());
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
        // every table, index and foreign key of version 4 is still there, but for the covering
        // index folded into incomes; the members key is an index now, leads have one more
        let mut expected = v4_schema;
        expected.retain(|(_, name, _)| name != "incomes_screening");
        expected.push(("index".into(), "leads_household".into(), String::new()));
        expected.push(("index".into(), "members_key".into(), String::new()));
        // and what later migrations add (7: login throttling, two indexes)
        expected.push(("table".into(), "login_throttle".into(), String::new()));
        expected.push(("index".into(), "sessions_user".into(), String::new()));
        expected.push(("index".into(), "audit_at".into(), String::new()));
        // (8: members who left a household, kept apart)
        expected.push((
            "table".into(),
            "member_departures".into(),
            "households.county>county,households.household_no>household_no".into(),
        ));
        expected.push((
            "index".into(),
            "member_departures_household".into(),
            String::new(),
        ));
        // 9: the tails of ID numbers and phones for search
        for index in [
            "members_id_tail",
            "members_phone_tail",
            "households_phone_tail",
        ] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        // 10: leads rebuilt with their codes and indexes of waiting leads by due date; the
        // procedures and their steps
        expected.retain(|(_, name, _)| name != "leads_open_unique" && name != "leads_county");
        for index in [
            "leads_pending_unique",
            "leads_county_due",
            "leads_village_due",
            "identifications_open",
            "identifications_household",
            "identifications_county_due",
            "identifications_village_due",
            "identification_steps_of",
            // 12: waiting leads by source and by risk
            "leads_pending_source",
            "leads_pending_risk",
        ] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        expected.push((
            "table".into(),
            "identifications".into(),
            "households.county>county,households.household_no>household_no,monitoring_cases.case_id>id".into(),
        ));
        expected.push((
            "table".into(),
            "identification_steps".into(),
            "identifications.identification_id>id".into(),
        ));
        // 11: the working calendar
        expected.push(("table".into(), "calendar_days".into(), String::new()));
        // 13: plans, measures, assistance persons and their dated pairings (the old pairings
        // table goes), positions, visits, task lists; procedures name the case they re-flag
        expected.retain(|(_, name, _)| name != "pairings" && name != "identifications");
        expected.push((
            "table".into(),
            "identifications".into(),
            "households.county>county,households.household_no>household_no,monitoring_cases.reflag_of>id,monitoring_cases.case_id>id".into(),
        ));
        for (table, keys) in [
            ("assistance_plans", "households.county>county,households.household_no>household_no,monitoring_cases.case_id>id"),
            ("measures", "households.county>county,households.household_no>household_no,assistance_plans.plan_id>id,monitoring_cases.case_id>id"),
            ("assistance_persons", ""),
            ("assistance_pairings", "households.county>county,households.household_no>household_no,assistance_persons.person_id>id"),
            ("user_positions", "assistance_persons.person_id>id"),
            ("visits", "households.county>county,households.household_no>household_no,assistance_persons.person_id>id"),
            ("task_lists", ""),
        ] {
            expected.push(("table".into(), table.into(), keys.into()));
        }
        for index in [
            "assistance_plans_village",
            "measures_case",
            "measures_village",
            "measures_county",
            "assistance_persons_county",
            "assistance_persons_user",
            "assistance_pairings_person",
            "assistance_pairings_household",
            "assistance_pairings_village",
            "user_positions_region",
            "visits_household",
            "visits_village",
            "visits_visitor",
            "task_lists_county",
            "identifications_case",
        ] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        // 18: department profiles, batches, records, the unmatched queue, alerts, tokens and
        // self-reports
        for (table, keys) in [
            ("dept_profiles", ""),
            ("dept_batches", ""),
            ("dept_records", "dept_batches.batch_id>id"),
            ("dept_unmatched", "dept_batches.batch_id>id"),
            (
                "dept_alerts",
                "leads.lead_id>id,dept_records.record_id>id,dept_batches.batch_id>id",
            ),
            ("dept_tokens", ""),
            ("self_reports", "leads.lead_id>id"),
        ] {
            expected.push(("table".into(), table.into(), keys.into()));
        }
        for index in [
            "dept_batches_file",
            "dept_batches_client",
            "dept_batches_county",
            "dept_records_batch",
            "dept_records_household",
            "dept_records_person",
            "dept_unmatched_batch",
            "dept_unmatched_open",
            "dept_alerts_batch",
            "dept_alerts_county",
            "dept_alerts_household",
            "dept_alerts_person",
            "dept_alerts_lead",
            "dept_alerts_record",
            "dept_tokens_county",
            "self_reports_id_number",
            "self_reports_address",
            "self_reports_village",
        ] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        // 25: data-quality exemptions
        expected.push(("table".into(), "quality_exemptions".into(), String::new()));
        for index in ["quality_exemptions_active", "quality_exemptions_village"] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        // 27: the ranking's weights and frozen months
        for table in ["ranking_weights", "ranking_months"] {
            expected.push(("table".into(), table.into(), String::new()));
        }
        expected.push((
            "index".into(),
            "ranking_months_county".into(),
            String::new(),
        ));
        // 24: case-type changes (with the trigger that writes them) and member joins
        for (kind, name, keys) in [
            ("table", "case_type_changes", "monitoring_cases.case_id>id"),
            ("index", "case_type_changes_case", ""),
            ("trigger", "monitoring_cases_type_change", ""),
            (
                "table",
                "member_joins",
                "households.county>county,households.household_no>household_no",
            ),
            ("index", "member_joins_household", ""),
        ] {
            expected.push((kind.into(), name.into(), keys.into()));
        }
        // 26: the low-income ledger (促增收)
        expected.push((
            "table".into(),
            "low_income_entries".into(),
            "households.county>county,households.household_no>household_no".into(),
        ));
        for index in ["low_income_entries_key", "low_income_entries_village"] {
            expected.push(("index".into(), index.into(), String::new()));
        }
        expected.sort();
        assert_eq!(schema(&c), expected);
        drop(c);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Migration 6 gives 性别 and 监测对象类别 their national numbers. A database written with the
    /// old numbers (男 0, 女 1; 脱贫不稳定户 0, 边缘易致贫户 1, 突发严重困难户 2) reads back, on
    /// either backend, the same persons and cases after it, and the codes whose numbers stayed
    /// (relation, household type, schooling, …) are left as they were.
    #[test]
    fn rows_written_with_the_old_numbers_read_back_the_same_after_migration_6() {
        use shouwang_core::codes::{Health, HealthCondition as H, HouseholdType, LabourCapacity};
        use shouwang_core::codes::{Political, Relation, Schooling, Sex};
        use shouwang_core::monitoring::{CaseStatus, CaseType, RiskType};
        use shouwang_core::IdKind;

        for db in crate::testing::TestDb::all() {
            let db = db.with_regions(&[("510821100", "东河镇"), ("510821100001", "桃红村")]);
            // a database of version 5, as the program before migration 6 wrote it: the schema is
            // the same, only the numbers differ
            db.store
                .with_conn(|c| {
                    // the leads table as versions 3 to 9 had it (text codes), without rows
                    let (id, int) = match c.dialect() {
                        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
                        Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BIGINT"),
                    };
                    // 24: the statistics' trigger, tables and column
                    c.batch(match c.dialect() {
                        Dialect::Sqlite => "DROP TRIGGER monitoring_cases_type_change;",
                        Dialect::Postgres => "DROP TRIGGER monitoring_cases_type_change ON monitoring_cases;
                                              DROP FUNCTION monitoring_cases_type_change();",
                    })?;
                    c.batch(
                        "DROP TABLE case_type_changes; DROP TABLE member_joins;
                         ALTER TABLE monitoring_cases DROP COLUMN identified_on;",
                    )?;
                    c.batch(&format!(
                        "DROP TABLE low_income_entries; DROP TABLE ranking_months; DROP TABLE ranking_weights; DROP TABLE quality_exemptions;
                         DROP TABLE self_reports; DROP TABLE dept_tokens; DROP TABLE dept_alerts;
                         DROP TABLE dept_unmatched; DROP TABLE dept_records; DROP TABLE dept_batches;
                         DROP TABLE dept_profiles; ALTER TABLE users DROP COLUMN dept_kind;
                         DROP TABLE visits; DROP TABLE user_positions; DROP TABLE assistance_pairings;
                         DROP TABLE measures; DROP TABLE assistance_plans; DROP TABLE assistance_persons;
                         DROP TABLE task_lists;
                         ALTER TABLE monitoring_cases DROP COLUMN eliminated_on;
                         ALTER TABLE monitoring_cases DROP COLUMN elimination_snapshot;
                         ALTER TABLE monitoring_cases DROP COLUMN contact_name;
                         ALTER TABLE monitoring_cases DROP COLUMN contact_phone;
                         ALTER TABLE monitoring_cases DROP COLUMN version;
                         CREATE TABLE pairings (user_id {int} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                             county TEXT NOT NULL, household_no TEXT NOT NULL, PRIMARY KEY (user_id, county, household_no),
                             FOREIGN KEY (county, household_no) REFERENCES households (county, household_no) ON DELETE CASCADE);
                         DROP TABLE identification_steps; DROP TABLE identifications; DROP TABLE leads;
                         CREATE TABLE leads (id {id}, county TEXT NOT NULL, household_no TEXT NOT NULL,
                             risk TEXT NOT NULL, level TEXT NOT NULL, rules TEXT NOT NULL, source TEXT NOT NULL,
                             found_on TEXT NOT NULL, due_on TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
                             run_id {int}, created_at {int} NOT NULL, closed_at {int});
                         CREATE UNIQUE INDEX leads_open_unique ON leads (county, household_no, risk) WHERE status = 'open';
                         CREATE INDEX leads_county ON leads (county, status, found_on);
                         CREATE INDEX leads_household ON leads (county, household_no, id);"
                    ))?;
                    c.batch(
                        "DELETE FROM schema_migrations WHERE version >= 6;
                         DROP TABLE member_departures; DROP TABLE calendar_days;
                         DROP INDEX members_id_tail; DROP INDEX members_phone_tail; DROP INDEX households_phone_tail;
                         DROP TABLE login_throttle; DROP INDEX sessions_user; DROP INDEX audit_at;
                         ALTER TABLE users DROP COLUMN must_change_password;
                         ALTER TABLE users DROP COLUMN password_changed_at;
                         ALTER TABLE users DROP COLUMN last_login_address;
                         INSERT INTO households (county, household_no, village, household_type, created_at, updated_at)
                             VALUES ('510821', '51082110000100001', '510821100001', 0, 1, 1),
                                    ('510821', '51082110000100002', '510821100001', 1, 1, 1),
                                    ('510821', '51082110000100003', '510821100001', 2, 1, 1);
                         INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex,
                                 birth_date, relation, political, schooling, health, labour)
                             VALUES ('510821', '510821198001010019', '51082110000100001', '510821100001', 0, 0, '王大山', 0, '1980-01-01', 0, 3, NULL, 1, 0),
                                    ('510821', '510821198202020029', '51082110000100001', '510821100001', 1, 1, '李秀英', 1, '1982-02-02', 1, 0, NULL, 6, 2),
                                    ('510821', '510821201003030042', '51082110000100001', '510821100001', 2, 0, '王小花', 1, '2010-03-03', 3, NULL, 5, 1, NULL),
                                    ('510821', '510821199004040031', '51082110000100002', '510821100001', 0, 0, '张国强', 0, '1990-04-04', 0, 3, NULL, 8, 3),
                                    ('510821', '51082119950505006X', '51082110000100003', '510821100001', 0, 0, '刘芳', 1, '1995-05-05', 0, 2, NULL, 1, 1);
                         INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                             VALUES ('510821', '51082110000100001', 0, '0,2', '2025-03', 1, 1, 1),
                                    ('510821', '51082110000100002', 1, '7', '2025-04', 0, 1, 1),
                                    ('510821', '51082110000100003', 2, '3,4', '2025-05', 1, 1, 1);
                         INSERT INTO leads (county, household_no, risk, level, rules, source, found_on, due_on, status, created_at)
                             VALUES ('510821', '51082110000100002', '因残', 'red', 'R05', '系统筛查', '2025-06-01', '2025-06-04', 'open', 1),
                                    ('510821', '51082110000100002', '因病', 'blue', 'R03', '系统筛查', '2025-06-01', '2025-06-16', 'closed', 1);",
                    )
                })
                .unwrap();
            db.store.migrate().unwrap();
            assert_eq!(db.store.schema_version().unwrap(), latest(), "{}", db.name);
            // migration 10: the leads' text codes become numbers, with the household's village
            let leads = db.store.leads_of_household("51082110000100002").unwrap();
            let read: Vec<_> = leads
                .iter()
                .map(|l| (l.risk, l.level, l.source, l.status, l.village.as_str()))
                .collect();
            use shouwang_core::lead::{LeadSource, LeadStatus};
            use shouwang_core::screening::level::WarningLevel;
            assert_eq!(
                read,
                [
                    (
                        RiskType::Illness,
                        WarningLevel::Blue,
                        LeadSource::Screening,
                        LeadStatus::Dismissed,
                        "510821100001"
                    ),
                    (
                        RiskType::Disability,
                        WarningLevel::Red,
                        LeadSource::Screening,
                        LeadStatus::Open,
                        "510821100001"
                    ),
                ],
                "{}",
                db.name
            );

            let health = |cs: &[H]| cs.iter().fold(Health::default(), |h, c| h.with(*c));
            let mut persons = Vec::new();
            let mut types = Vec::new();
            for no in [
                "51082110000100001",
                "51082110000100002",
                "51082110000100003",
            ] {
                let rec = db.store.household(no).unwrap().expect("household stored");
                types.push(rec.household.household_type);
                for m in rec.members {
                    persons.push((
                        m.name,
                        m.sex,
                        m.relation,
                        m.id_kind,
                        m.political,
                        m.schooling,
                        m.health,
                        m.labour,
                    ));
                }
            }
            assert_eq!(
                types,
                [
                    HouseholdType::PostPoverty,
                    HouseholdType::Ordinary,
                    HouseholdType::PostPovertyNoPolicy
                ],
                "{}",
                db.name
            );
            assert_eq!(
                persons,
                [
                    (
                        "王大山".to_string(),
                        Sex::Male,
                        Relation::Head,
                        IdKind::ResidentId,
                        Some(Political::Masses),
                        None,
                        Health::HEALTHY,
                        Some(LabourCapacity::Ordinary)
                    ),
                    (
                        "李秀英".to_string(),
                        Sex::Female,
                        Relation::Spouse,
                        IdKind::DisabilityCard,
                        Some(Political::PartyMember),
                        None,
                        health(&[H::ChronicIllness, H::SeriousIllness]),
                        Some(LabourCapacity::Weak)
                    ),
                    (
                        "王小花".to_string(),
                        Sex::Female,
                        Relation::Daughter,
                        IdKind::ResidentId,
                        None,
                        Some(Schooling::Grade9),
                        Health::HEALTHY,
                        None
                    ),
                    (
                        "张国强".to_string(),
                        Sex::Male,
                        Relation::Head,
                        IdKind::ResidentId,
                        Some(Political::Masses),
                        None,
                        health(&[H::Disabled]),
                        Some(LabourCapacity::Lost)
                    ),
                    (
                        "刘芳".to_string(),
                        Sex::Female,
                        Relation::Head,
                        IdKind::ResidentId,
                        Some(Political::LeagueMember),
                        None,
                        Health::HEALTHY,
                        Some(LabourCapacity::Skilled)
                    ),
                ],
                "{}",
                db.name
            );

            // cases as the store reads them: each column's number through its list's from_code
            let cases: Vec<_> = db
                .store
                .with_conn(|c| c.query("SELECT case_type, risks, status FROM monitoring_cases ORDER BY household_no", &[]))
                .unwrap()
                .iter()
                .map(|r| {
                    let risks: Vec<_> = r.text(1).split(',').map(|n| n.parse().ok().and_then(RiskType::from_code)).collect();
                    (CaseType::from_code(r.int(0)), risks, CaseStatus::from_code(r.int(2)))
                })
                .collect();
            assert_eq!(
                cases,
                [
                    (
                        Some(CaseType::UnstablePostPoverty),
                        vec![Some(RiskType::Illness), Some(RiskType::Disability)],
                        Some(CaseStatus::AtRisk)
                    ),
                    (
                        Some(CaseType::MarginalAtRisk),
                        vec![Some(RiskType::LackOfLabour)],
                        Some(CaseStatus::Identifying)
                    ),
                    (
                        Some(CaseType::SuddenHardship),
                        vec![Some(RiskType::NaturalDisaster), Some(RiskType::Accident)],
                        Some(CaseStatus::AtRisk)
                    ),
                ],
                "{}",
                db.name
            );
        }
    }

    /// Rows orphaned before the upgrade (older versions imported with enforcement off; a
    /// `sqlite3` shell deletes without it) do not stop it: only keys the migrations break do.
    #[test]
    fn rows_orphaned_before_an_upgrade_do_not_stop_it_and_new_ones_would() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let mut tx = c.transaction().unwrap();
        apply_until(&mut tx, 4).unwrap();
        tx.batch(
            "INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex, birth_date, relation, health)
             VALUES ('510821', '510821198001010011', 'gone', '', 0, 0, '王大山', 1, '1980-01-01', 1, 1)",
        )
        .unwrap();
        apply(&mut tx).unwrap();
        let version = tx
            .query_one("SELECT MAX(version) FROM schema_migrations", &[])
            .unwrap()
            .unwrap()
            .int(0);
        assert_eq!(version, latest());
        let orphans = tx
            .query_one(
                "SELECT COUNT(*) FROM members WHERE household_no = 'gone'",
                &[],
            )
            .unwrap()
            .unwrap()
            .int(0);
        assert_eq!(orphans, 1, "the migration keeps what it found");

        let before = vec![("members".to_string(), 1)];
        assert_eq!(newly_broken(&before, &before), None);
        assert_eq!(
            newly_broken(&before, &[("members".into(), 3), ("incomes".into(), 1)]),
            Some(("members".into(), 2))
        );
        assert_eq!(
            newly_broken(&[], &[("incomes".into(), 1)]),
            Some(("incomes".into(), 1))
        );
    }

    /// Migration 13 turns the pairings of user accounts (no dates) into dated pairings of
    /// assistance persons: one person per paired user and county, named as the user, each
    /// pairing open from the day of the upgrade.
    fn old_pairings_become_dated_pairings(tx: &mut dyn Sql) {
        apply_until(tx, 12).unwrap();
        tx.batch(
            "INSERT INTO regions (code, name, parent, level) VALUES ('510821100001', '桃红村', NULL, 5);
             INSERT INTO users (username, display_name, password_hash, role, region, created_at)
                 VALUES ('helper', '王帮扶', 'x', 'assistance', '510821100001', 1),
                        ('other', '李其他', 'x', 'village', '510821100001', 1);
             INSERT INTO households (county, household_no, village, household_type, created_at, updated_at)
                 VALUES ('510821', '51082110000100001', '510821100001', 0, 1, 1),
                        ('510821', '51082110000100002', '510821100001', 1, 1, 1);",
        )
        .unwrap();
        tx.batch(
            "INSERT INTO pairings (user_id, county, household_no)
                 SELECT id, '510821', '51082110000100001' FROM users WHERE username = 'helper';
             INSERT INTO pairings (user_id, county, household_no)
                 SELECT id, '510821', '51082110000100002' FROM users WHERE username = 'helper';",
        )
        .unwrap();
        apply(tx).unwrap();
        let persons = tx
            .query(
                "SELECT id, county, position, name, username FROM assistance_persons",
                &[],
            )
            .unwrap();
        assert_eq!(persons.len(), 1, "one person for the paired user");
        let p = &persons[0];
        assert_eq!(
            (p.text(1), p.int(2), p.text(3), p.opt_text(4)),
            (
                "510821".to_string(),
                3,
                "王帮扶".to_string(),
                Some("helper".to_string())
            )
        );
        let pairings = tx
            .query(
                "SELECT person_id, household_no, village, start_on, end_on FROM assistance_pairings ORDER BY household_no",
                &[],
            )
            .unwrap();
        let today = shouwang_core::Date::from_unix_seconds_china(crate::now());
        let read: Vec<_> = pairings
            .iter()
            .map(|r| (r.int(0), r.text(1), r.text(2), r.opt_text(4)))
            .collect();
        assert_eq!(
            read,
            [
                (
                    p.int(0),
                    "51082110000100001".into(),
                    "510821100001".into(),
                    None
                ),
                (
                    p.int(0),
                    "51082110000100002".into(),
                    "510821100001".into(),
                    None
                ),
            ]
        );
        for r in &pairings {
            let start = shouwang_core::Date::parse(&r.text(3)).expect("a date");
            assert!(
                (start.to_days() - today.to_days()).abs() <= 1,
                "from the day of the upgrade"
            );
        }
    }

    #[test]
    fn rows_of_the_old_pairings_table_become_dated_pairings_after_migration_13() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        let mut tx = c.transaction().unwrap();
        old_pairings_become_dated_pairings(&mut tx);
        if let Ok(url) = std::env::var("SHOUWANG_TEST_PG_URL") {
            let db = crate::testing::TestDb::postgres(&url).unwrap();
            db.store
                .with_tx(|tx| {
                    let schema = tx
                        .query_one("SELECT current_schema()", &[])?
                        .unwrap()
                        .text(0);
                    tx.batch(&format!(
                        "DROP SCHEMA {schema} CASCADE; CREATE SCHEMA {schema}"
                    ))?;
                    old_pairings_become_dated_pairings(tx);
                    Ok(())
                })
                .unwrap();
        }
    }
}
