//! 守望 persistence: one [`Store`] over SQLite (the embedded default) and PostgreSQL, chosen by URL.
//!
//! Every query is written once (see [`db`]); only the migrations differ per backend. Every large
//! table carries its county code so that a distributed PostgreSQL can shard by it.

pub mod assistance;
pub mod audit;
pub mod bulk_assistance;
pub mod calendar;
pub mod dashboard;
pub mod db;
mod decode;
pub mod department;
pub mod dept_death;
pub mod dept_tokens;
pub mod elimination;
pub mod identification;
pub mod income;
pub mod income_tracking;
pub mod leads;
pub mod ledger;
mod migrate;
pub mod monitoring;
pub mod pairing;
pub mod quality;
pub mod regions;
pub mod registry;
pub mod screening;
pub mod search;
pub mod self_report;
mod sql;
pub mod statistics;
pub mod supervision;
pub mod task_list;
pub mod testing;
pub mod users;
pub mod visits;
pub mod warnings;
// issue 15, PAGES
pub mod dept_reads;

use db::{Backend, Dialect, Pool};
use shouwang_core::Problem;
use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist (or lies outside the caller's region, which callers treat alike).
    #[error("not found")]
    NotFound,
    /// The input breaks a rule; nothing was written.
    #[error("invalid input: {}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    /// Someone else changed the record since it was read.
    #[error("the record was changed by someone else; reload and try again")]
    Stale,
    #[error("database URL: {0}")]
    Config(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    /// A stored value does not parse (an unknown code, a bad date): the database was damaged,
    /// or written by a newer program.
    #[error("stored value '{value}' in {table}.{column} does not parse")]
    Corrupt {
        table: &'static str,
        column: String,
        value: String,
    },
    /// A transaction was rolled back on purpose (an all-or-nothing import with rejections, a
    /// feed that failed); whoever asked for it knows what to report.
    #[error("rolled back")]
    RolledBack,
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    pub fn invalid(p: Problem) -> StoreError {
        StoreError::Invalid(vec![p])
    }
}

/// Where the data lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite://path`, `sqlite:path`, a bare file path, or `postgres://…` / `postgresql://…`.
    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        let u = url.trim();
        if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(u.to_string()));
        }
        let path = u
            .strip_prefix("sqlite://")
            .or_else(|| u.strip_prefix("sqlite:"))
            .unwrap_or(u);
        if path.is_empty() || u.contains("://") && !u.starts_with("sqlite://") {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite://PATH or postgres://…",
                redact(u)
            )));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }
}

/// Hides the password of a URL for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

/// The store. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// A name for logs (URL with the password hidden).
    pub label: String,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// How long a SQLite connection waits for another one's write lock.
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

fn open_sqlite_conn(path: &PathBuf) -> Result<rusqlite::Connection, StoreError> {
    let c = rusqlite::Connection::open(path)?;
    // WAL: readers never block the writer; NORMAL is durable at each checkpoint and safe in WAL.
    // SQLite's default 4 KiB pages: 16 KiB made a million-person ledger import 20 % faster but
    // the screening snapshot load 70 % and the ledger export 45 % slower (docs/benchmarks.md).
    c.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;",
    ))?;
    // room for the ledger import's statements besides the registry's
    c.set_prepared_statement_cache_capacity(64);
    Ok(c)
}

/// Creates the database's folder (0700) and file (0600) when missing; narrows an existing
/// file, and its `-wal`, `-shm` and `-journal` beside it, to 0600. A folder that exists is the
/// operator's and keeps its mode.
fn private_sqlite_file(path: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let f = PathBuf::from(name);
            let Ok(meta) = std::fs::metadata(&f) else {
                continue;
            };
            if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

impl Store {
    /// Opens the database named by `url` and applies pending migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        match DatabaseUrl::parse(url)? {
            DatabaseUrl::Sqlite(path) => Store::open_sqlite(path),
            DatabaseUrl::Postgres(u) => {
                let config: postgres::Config = u
                    .parse()
                    .map_err(|e| StoreError::Config(format!("{}: {e}", redact(&u))))?;
                Store::open_postgres(config, redact(&u))
            }
        }
    }

    /// Opens (creating it if need be) a SQLite database. The file holds every ID number of
    /// the county: it is created readable by the server's user only (0600, in a folder created
    /// 0700), and an existing file, or its journal, readable by others is narrowed to 0600.
    pub fn open_sqlite(path: PathBuf) -> Result<Store, StoreError> {
        private_sqlite_file(&path)
            .map_err(|e| StoreError::Config(format!("{}: {e}", path.display())))?;
        let label = format!("sqlite://{}", path.display());
        let p = path.clone();
        let pool = Pool::new(8, move || open_sqlite_conn(&p));
        let store = Store {
            backend: Backend::Sqlite(pool),
            label,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn open_postgres(config: postgres::Config, label: String) -> Result<Store, StoreError> {
        let pool = Pool::new(8, move || Ok(config.connect(postgres::NoTls)?));
        let store = Store {
            backend: Backend::Postgres(pool),
            label,
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The schema version this program migrates to.
    pub fn latest_schema_version() -> i64 {
        migrate::latest()
    }

    /// The applied schema version.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.backend.with_conn(|c| {
            Ok(
                c.query_one("SELECT MAX(version) FROM schema_migrations", &[])?
                    .map(|r| r.int(0))
                    .unwrap_or(0),
            )
        })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        // foreign keys unenforced while tables are rebuilt, checked at the end (migrate::apply)
        self.backend.with_bulk_tx(false, |tx| migrate::apply(tx))
    }

    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut dyn db::Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.backend.with_conn(f)
    }
    pub(crate) fn with_tx<T>(
        &self,
        f: impl FnOnce(&mut dyn db::Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.backend.with_tx(f)
    }
    pub(crate) fn with_bulk_tx<T>(
        &self,
        into_empty: bool,
        f: impl FnOnce(&mut dyn db::Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.backend.with_bulk_tx(into_empty, f)
    }

    /// A consistent copy of a SQLite database (`VACUUM INTO`); for PostgreSQL use pg_dump.
    pub fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match self.dialect() {
            Dialect::Sqlite => self.with_conn(|c| {
                c.exec("VACUUM INTO $1", &params![path.display().to_string()])
                    .map(|_| ())
            }),
            Dialect::Postgres => Err(StoreError::Other(
                "use pg_dump to back up PostgreSQL".into(),
            )),
        }
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").ok(),
            Some(DatabaseUrl::Sqlite("data/x.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("x.db").ok(),
            Some(DatabaseUrl::Sqlite("x.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_sqlite_database_and_its_folder_are_private_and_an_open_one_is_narrowed() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("data");
        let db = dir.join("shouwang.sqlite");
        let store = Store::open_sqlite(db.clone()).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&db), 0o600);
        let wal = dir.join("shouwang.sqlite-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
        drop(store);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _again = Store::open_sqlite(db.clone()).unwrap();
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn passwords_are_hidden_in_labels() {
        assert_eq!(
            redact("postgres://user:secret@host:5432/db"),
            "postgres://user:***@host:5432/db"
        );
        assert_eq!(
            format!("{:?}", DatabaseUrl::parse("postgres://u:pw@h/d").unwrap()),
            "postgres://u:***@h/d"
        );
    }
}
