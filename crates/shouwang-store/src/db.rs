//! The thin layer under the store: one SQL text for both backends (`$1`-style placeholders),
//! typed parameters and rows, connection pools and transactions.
//!
//! The store is synchronous on purpose: SQLite is synchronous anyway, transactions read naturally
//! as closures, and the web layer runs store calls on Tokio's blocking pool.

use crate::StoreError;
use std::sync::{Arc, Mutex};

/// A parameter or column value. NULLs are typed because PostgreSQL checks parameter types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(Some(i64::from(v)))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { [$($crate::db::Value::from($v)),*] };
}

/// One result row.
#[derive(Clone, Debug)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.0.get(i) {
            Some(Value::Int(v)) => *v,
            Some(Value::Text(Some(t))) => t.parse().ok(),
            _ => None,
        }
    }
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.0.get(i) {
            Some(Value::Text(v)) => v.clone(),
            Some(Value::Int(Some(v))) => Some(v.to_string()),
            _ => None,
        }
    }
    pub fn bool(&self, i: usize) -> bool {
        self.int(i) != 0
    }
}

/// Which database engine a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What both backends can do: run a statement, run a query. Implemented for plain
/// connections and for transactions alike, so store code is written once.
pub trait Sql {
    fn dialect(&self) -> Dialect;
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    /// Runs a batch of statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Bulk-loads `values`, rows of `width`, into `target` (`table (col, …)`): PostgreSQL's
    /// `COPY … FROM STDIN`, many times faster than multi-row inserts there; on SQLite one
    /// statement prepared once and stepped per row, its parameters bound in place.
    fn copy_rows(&mut self, target: &str, width: usize, values: &[Value])
        -> Result<(), StoreError>;
}

/// Appends one value in COPY's text format: `\N` for NULL, backslash escapes for the
/// characters that delimit fields and rows.
fn push_copy_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Int(Some(i)) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Text(Some(t)) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
        _ => out.extend_from_slice(b"\\N"),
    }
}

fn pg_copy(
    c: &mut impl postgres::GenericClient,
    target: &str,
    width: usize,
    values: &[Value],
) -> Result<(), StoreError> {
    use std::io::Write;
    if values.is_empty() || width == 0 {
        return Ok(());
    }
    let mut w = c.copy_in(&format!("COPY {target} FROM STDIN"))?;
    let mut buf = Vec::with_capacity(1 << 20);
    for row in values.chunks(width) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push(b'\t');
            }
            push_copy_value(&mut buf, v);
        }
        buf.push(b'\n');
        if buf.len() >= 1 << 20 {
            w.write_all(&buf)
                .map_err(|e| StoreError::Other(format!("COPY {target}: {e}")))?;
            buf.clear();
        }
    }
    w.write_all(&buf)
        .map_err(|e| StoreError::Other(format!("COPY {target}: {e}")))?;
    w.finish()?;
    Ok(())
}

/// Rewrites `$1` placeholders to SQLite's `?1`. Our SQL never has `$` inside string literals.
fn sqlite_sql(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains('$') {
        std::borrow::Cow::Owned(sql.replace('$', "?"))
    } else {
        std::borrow::Cow::Borrowed(sql)
    }
}

/// Binds a value without copying it: text is lent to SQLite for the duration of the statement.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Int(Some(i)) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(Some(t)) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            _ => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

fn sqlite_row(row: &rusqlite::Row<'_>, n: usize) -> rusqlite::Result<Row> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match row.get_ref(i)? {
            rusqlite::types::ValueRef::Integer(v) => Value::Int(Some(v)),
            rusqlite::types::ValueRef::Real(v) => Value::Int(Some(v as i64)),
            rusqlite::types::ValueRef::Text(t) => {
                Value::Text(Some(String::from_utf8_lossy(t).into_owned()))
            }
            rusqlite::types::ValueRef::Blob(b) => {
                Value::Text(Some(String::from_utf8_lossy(b).into_owned()))
            }
            rusqlite::types::ValueRef::Null => Value::Text(None),
        });
    }
    Ok(Row(out))
}

fn sqlite_exec(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
    let mut stmt = c.prepare_cached(&sqlite_sql(sql))?;
    Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
}

fn sqlite_query(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>, StoreError> {
    let mut stmt = c.prepare_cached(&sqlite_sql(sql))?;
    let n = stmt.column_count();
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        sqlite_row(r, n)
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

macro_rules! impl_sqlite_sql {
    ($t:ty) => {
        impl Sql for $t {
            fn dialect(&self) -> Dialect {
                Dialect::Sqlite
            }
            fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
                sqlite_exec(self, sql, params)
            }
            fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
                sqlite_query(self, sql, params)
            }
            fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
                Ok(self.execute_batch(sql)?)
            }
            fn copy_rows(
                &mut self,
                target: &str,
                width: usize,
                values: &[Value],
            ) -> Result<(), StoreError> {
                sqlite_copy(self, target, width, values)
            }
        }
    };
}

/// [`Sql::copy_rows`] on SQLite: no SQL text rewritten or looked up per row.
fn sqlite_copy(
    c: &rusqlite::Connection,
    target: &str,
    width: usize,
    values: &[Value],
) -> Result<(), StoreError> {
    use std::fmt::Write;
    if values.is_empty() || width == 0 {
        return Ok(());
    }
    let mut sql = format!("INSERT INTO {target} VALUES (");
    for k in 1..=width {
        let _ = write!(sql, "{}?{k}", if k > 1 { ", " } else { "" });
    }
    sql.push(')');
    let mut stmt = c.prepare_cached(&sql)?;
    for row in values.chunks_exact(width) {
        for (i, v) in row.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v)?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}
impl_sqlite_sql!(rusqlite::Connection);
impl_sqlite_sql!(rusqlite::Transaction<'_>);

fn pg_params(params: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| match v {
            Value::Int(i) => i as &(dyn postgres::types::ToSql + Sync),
            Value::Text(t) => t as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

fn pg_row(row: &postgres::Row) -> Result<Row, StoreError> {
    use postgres::types::Type;
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_();
        out.push(if *ty == Type::INT8 {
            Value::Int(row.try_get::<_, Option<i64>>(i)?)
        } else if *ty == Type::INT4 {
            Value::Int(row.try_get::<_, Option<i32>>(i)?.map(i64::from))
        } else if *ty == Type::INT2 {
            Value::Int(row.try_get::<_, Option<i16>>(i)?.map(i64::from))
        } else if *ty == Type::BOOL {
            Value::Int(row.try_get::<_, Option<bool>>(i)?.map(i64::from))
        } else {
            Value::Text(row.try_get::<_, Option<String>>(i)?)
        });
    }
    Ok(Row(out))
}

macro_rules! impl_pg_sql {
    ($t:ty) => {
        impl Sql for $t {
            fn dialect(&self) -> Dialect {
                Dialect::Postgres
            }
            fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
                Ok(postgres::GenericClient::execute(
                    self,
                    sql,
                    &pg_params(params),
                )?)
            }
            fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
                let rows = postgres::GenericClient::query(self, sql, &pg_params(params))?;
                rows.iter().map(pg_row).collect()
            }
            fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
                Ok(postgres::GenericClient::batch_execute(self, sql)?)
            }
            fn copy_rows(
                &mut self,
                target: &str,
                width: usize,
                values: &[Value],
            ) -> Result<(), StoreError> {
                pg_copy(self, target, width, values)
            }
        }
    };
}
impl_pg_sql!(postgres::Client);
impl_pg_sql!(postgres::Transaction<'_>);

/// A small pool: connections are taken from a stack and returned when the guard drops.
/// Opening is cheap for SQLite and rare for PostgreSQL once warm, so there is no idle reaper.
pub(crate) struct Pool<C> {
    idle: Mutex<Vec<C>>,
    open: Box<dyn Fn() -> Result<C, StoreError> + Send + Sync>,
    max_idle: usize,
}

impl<C> Pool<C> {
    pub(crate) fn new(
        max_idle: usize,
        open: impl Fn() -> Result<C, StoreError> + Send + Sync + 'static,
    ) -> Arc<Pool<C>> {
        Arc::new(Pool {
            idle: Mutex::new(Vec::new()),
            open: Box::new(open),
            max_idle,
        })
    }
    pub(crate) fn take(&self) -> Result<C, StoreError> {
        let idle = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        match idle {
            Some(c) => Ok(c),
            None => (self.open)(),
        }
    }
    pub(crate) fn give_back(&self, c: C) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < self.max_idle {
                v.push(c);
            }
        }
    }
}

/// One SQLite write transaction: IMMEDIATE takes the write lock up front, so two writers wait
/// (busy_timeout) instead of failing half-way with SQLITE_BUSY on upgrade.
fn sqlite_write_tx<T>(
    c: &mut rusqlite::Connection,
    f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let out = f(&mut tx)?;
    tx.commit()?;
    Ok(out)
}

/// Switches a SQLite connection from the WAL to a rollback journal for one bulk transaction
/// into an empty database, and says whether it did. Through the WAL every page is written twice
/// (into the WAL, then by the checkpoint into the database file); with a rollback journal the
/// new pages go straight into the file and the journal holds only the few pages that existed
/// before: a million-person import takes 11.7 s instead of 13.2. Still one transaction: a kill leaves a
/// journal from which the next opening restores the database as it was.
///
/// Only when this is the database's only connection (switching needs that; another process's
/// connections make it fail at once, and the import goes through the WAL as usual). Until it
/// commits, a reader that comes along waits: the caller asks for it only when nothing else is
/// served from the database (the command line).
/// `synchronous = FULL` while it lasts: NORMAL is safe against a power cut only with the WAL.
fn write_straight(c: &rusqlite::Connection) -> bool {
    // FULL first: the switch itself commits a change of the file's header
    if c.execute_batch("PRAGMA synchronous = FULL").is_err() {
        return false;
    }
    let _ = c.execute_batch("PRAGMA busy_timeout = 0");
    let mode = c.query_row("PRAGMA journal_mode = TRUNCATE", [], |r| {
        r.get::<_, String>(0)
    });
    let _ = c.execute_batch(&format!(
        "PRAGMA busy_timeout = {}",
        crate::SQLITE_BUSY_TIMEOUT_MS
    ));
    let straight = matches!(mode, Ok(m) if m.eq_ignore_ascii_case("truncate"));
    if straight {
        tracing::info!(
            "writing straight into the database file (rollback journal): it held no household"
        );
    } else {
        let _ = c.execute_batch("PRAGMA synchronous = NORMAL");
    }
    straight
}

/// Back to the WAL after [`write_straight`]; false if the connection could not switch.
fn back_to_wal(c: &rusqlite::Connection) -> bool {
    let mode = c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    matches!(mode, Ok(m) if m.eq_ignore_ascii_case("wal"))
        && c.execute_batch("PRAGMA synchronous = NORMAL").is_ok()
}

/// The two backends.
#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(Arc<Pool<rusqlite::Connection>>),
    Postgres(Arc<Pool<postgres::Client>>),
}

impl Backend {
    /// Runs `f` on a pooled connection, outside any explicit transaction.
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Backend::Sqlite(pool) => {
                let mut c = pool.take()?;
                let r = f(&mut c);
                pool.give_back(c);
                r
            }
            Backend::Postgres(pool) => {
                let mut c = pool.take()?;
                let r = f(&mut c);
                // a broken connection is dropped, not returned
                if !c.is_closed() {
                    pool.give_back(c);
                }
                r
            }
        }
    }

    /// [`Backend::with_tx`] for writers that keep the keys consistent themselves: the ledger
    /// import (every parent row written before its children) and migrations that rebuild a
    /// table (SQLite's procedure, which ends with `PRAGMA foreign_key_check`). On SQLite the
    /// per-row foreign-key enforcement is switched off for the transaction (the pragma only
    /// takes effect outside one) and back on afterwards, whatever the outcome. PostgreSQL keeps
    /// its checks.
    ///
    /// `into_empty` (the database holds no household yet, and nothing else is served from it):
    /// SQLite writes the pages straight into the database file, see [`write_straight`].
    pub(crate) fn with_bulk_tx<T>(
        &self,
        into_empty: bool,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Backend::Sqlite(pool) => {
                let mut c = pool.take()?;
                c.execute_batch("PRAGMA foreign_keys = OFF")?;
                let straight = into_empty && write_straight(&c);
                let r = sqlite_write_tx(&mut c, f);
                // a connection that cannot be put back as it was is not reused
                let checks_on = c.execute_batch("PRAGMA foreign_keys = ON").is_ok();
                let wal = !straight || back_to_wal(&c);
                if !wal {
                    tracing::warn!(
                        "could not switch back to the WAL after writing straight into the database file; the next connection opened will"
                    );
                }
                if checks_on && wal {
                    pool.give_back(c);
                }
                r
            }
            Backend::Postgres(_) => self.with_tx(f),
        }
    }

    /// Runs `f` in one transaction: committed if `f` returns `Ok`, rolled back otherwise
    /// (and on a crash: neither backend keeps an uncommitted transaction).
    pub(crate) fn with_tx<T>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Backend::Sqlite(pool) => {
                let mut c = pool.take()?;
                let r = sqlite_write_tx(&mut c, f);
                pool.give_back(c);
                r
            }
            Backend::Postgres(pool) => {
                let mut c = pool.take()?;
                let r = (|| {
                    let mut tx = c.transaction()?;
                    let out = f(&mut tx)?;
                    tx.commit()?;
                    Ok(out)
                })();
                if !c.is_closed() {
                    pool.give_back(c);
                }
                r
            }
        }
    }
}

/// The upper bound of a code-prefix range: every code starting with `prefix` sorts below it.
/// Codes are digits, and ':' follows '9' in byte order (PostgreSQL columns use COLLATE "C").
pub fn prefix_end(prefix: &str) -> String {
    format!("{prefix}:")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// COPY's text format read back the way PostgreSQL reads it.
    fn decode_copy_field(field: &[u8]) -> Option<String> {
        if field == b"\\N" {
            return None;
        }
        let mut out = Vec::new();
        let mut it = field.iter();
        while let Some(&b) = it.next() {
            if b != b'\\' {
                out.push(b);
                continue;
            }
            out.push(match it.next() {
                Some(b't') => b'\t',
                Some(b'n') => b'\n',
                Some(b'r') => b'\r',
                Some(&other) => other,
                None => b'\\',
            });
        }
        Some(String::from_utf8(out).expect("utf-8 in, utf-8 out"))
    }

    proptest! {
        #[test]
        fn copy_text_fields_round_trip_and_never_break_a_row(text in "(\\PC|[\t\n\r\\\\])*") {
            let mut out = Vec::new();
            push_copy_value(&mut out, &Value::Text(Some(text.clone())));
            prop_assert!(!out.contains(&b'\t') && !out.contains(&b'\n') && !out.contains(&b'\r'));
            prop_assert_eq!(decode_copy_field(&out), Some(text));
        }
    }

    #[test]
    fn copy_writes_null_and_integers_as_postgresql_reads_them() {
        let mut out = Vec::new();
        push_copy_value(&mut out, &Value::Text(None));
        assert_eq!(out, b"\\N");
        out.clear();
        push_copy_value(&mut out, &Value::Int(Some(-42)));
        assert_eq!(out, b"-42");
        out.clear();
        push_copy_value(&mut out, &Value::Text(Some("\\N".into())));
        assert_eq!(
            decode_copy_field(&out).as_deref(),
            Some("\\N"),
            "a literal \\N is text, not NULL"
        );
    }
}
