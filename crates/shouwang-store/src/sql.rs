//! Building SQL text that both backends take: `$n` placeholders, `IN (…)` lists, multi-row
//! inserts and upserts, and JSON for the audit trail. One place, so that a statement reads the
//! same wherever it is written.

use crate::db::{prefix_end, Dialect, Sql, Value};
use crate::StoreError;
use serde::Serialize;

/// `$start, $start+1, …` for `n` parameters (an `IN (…)` list).
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `table alias` joined to its household (`hh`: group, village) and the household's head (`hd`:
/// the first member by position whose relation is 户主), for rows that carry `county` and
/// `household_no` and are shown by the head's name.
pub(crate) fn with_household_head(table: &str, alias: &str) -> String {
    let head = shouwang_core::codes::Relation::Head.code();
    format!(
        "{table} {alias} JOIN households hh ON hh.county = {alias}.county AND hh.household_no = {alias}.household_no
         LEFT JOIN members hd ON hd.county = {alias}.county AND hd.household_no = {alias}.household_no AND hd.relation = {head}
              AND hd.position = (SELECT MIN(m2.position) FROM members m2 WHERE m2.county = {alias}.county AND m2.household_no = {alias}.household_no AND m2.relation = {head})"
    )
}

/// `WHERE` of a region on a table with `county` and `village` columns (alias `alias`),
/// parameters from `$at`: a county is its own column, anything below it a range of villages.
pub(crate) fn region_clause(
    alias: &str,
    region: &shouwang_core::RegionCode,
    at: usize,
) -> (String, Vec<Value>) {
    match region.county() {
        Some(county) if county == *region => (
            format!("{alias}.county = ${at}"),
            vec![region.as_str().into()],
        ),
        _ => (
            format!("{alias}.village >= ${at} AND {alias}.village < ${}", at + 1),
            vec![region.as_str().into(), prefix_end(region.as_str()).into()],
        ),
    }
}

/// A value as JSON for the audit trail (`null` if it cannot be written).
pub(crate) fn json<T: Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Inserts `values`, rows of `width`, with `head` = `INSERT INTO table (columns)`: bulk-loaded
/// ([`Sql::copy_rows`]: `COPY` on PostgreSQL, one prepared statement on SQLite).
pub(crate) fn insert_rows(
    tx: &mut dyn Sql,
    head: &str,
    width: usize,
    values: &[Value],
) -> Result<(), StoreError> {
    let target = head.trim().trim_start_matches("INSERT INTO ").trim();
    tx.copy_rows(target, width, values)
}

/// Upserts `values`, rows of `width`, as `head VALUES (…), (…) on_conflict`: multi-row
/// statements on PostgreSQL (one round trip each), one cached single-row statement per row on
/// SQLite (no parsing, no statement journal).
pub(crate) fn upsert_rows(
    tx: &mut dyn Sql,
    head: &str,
    width: usize,
    values: &[Value],
    on_conflict: &str,
) -> Result<(), StoreError> {
    let per = match tx.dialect() {
        Dialect::Sqlite => 1,
        Dialect::Postgres => (8000 / width.max(1)).max(1),
    };
    let mut sql: Option<(usize, String)> = None;
    for chunk in values.chunks(per * width) {
        let n = chunk.len() / width;
        if sql.as_ref().is_none_or(|(k, _)| *k != n) {
            sql = Some((n, tuples_sql(head, width, n, on_conflict)));
        }
        if let Some((_, text)) = &sql {
            tx.exec(text, chunk)?;
        }
    }
    Ok(())
}

/// `head VALUES ($1, …), (…) tail` for `n` rows of `width`.
fn tuples_sql(head: &str, width: usize, n: usize, tail: &str) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(head.len() + tail.len() + n * width * 5 + 8);
    sql.push_str(head.trim_end());
    sql.push_str(" VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for k in 0..width {
            if k > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "${}", i * width + k + 1);
        }
        sql.push(')');
    }
    sql.push_str(tail);
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_statements_number_their_parameters_row_after_row() {
        assert_eq!(
            tuples_sql("INSERT INTO t (a, b)", 2, 2, " ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
    }
}
