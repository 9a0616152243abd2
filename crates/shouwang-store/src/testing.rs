//! Test support shared by the store's and the web's test suites: the same tests run on a
//! temporary SQLite file and, when `SHOUWANG_TEST_PG_URL` is set, on a fresh PostgreSQL schema.

use crate::{Store, StoreError};
use shouwang_core::{Region, RegionCode};

/// A store for one test, cleaned up when dropped.
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    _dir: Option<TempDir>,
    pg_schema: Option<(String, String)>,
}

/// A temporary directory removed on drop (kept tiny to avoid a dependency in the library).
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    pub fn sqlite() -> Result<TestDb, StoreError> {
        let dir = std::env::temp_dir().join(format!("shouwang-test-{}", unique()));
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Other(e.to_string()))?;
        let store = Store::open_sqlite(dir.join("test.sqlite"))?;
        Ok(TestDb {
            store,
            name: "sqlite",
            _dir: Some(TempDir(dir)),
            pg_schema: None,
        })
    }

    /// The database file of a SQLite TestDb.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.0.join("test.sqlite"))
    }

    /// A fresh schema on the server named by `url`; dropped with the TestDb.
    pub fn postgres(url: &str) -> Result<TestDb, StoreError> {
        let schema = format!("t_{}", unique());
        let mut admin = postgres::Client::connect(url, postgres::NoTls)?;
        admin.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Config(e.to_string()))?;
        config.options(&format!("-c search_path={schema}"));
        let store = Store::open_postgres(config, format!("postgres schema {schema}"))?;
        Ok(TestDb {
            store,
            name: "postgres",
            _dir: None,
            pg_schema: Some((url.to_string(), schema)),
        })
    }

    /// Every backend this run should cover: SQLite always, PostgreSQL when configured.
    pub fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite().expect("temporary SQLite database")];
        if let Ok(url) = std::env::var("SHOUWANG_TEST_PG_URL") {
            if !url.trim().is_empty() {
                v.push(
                    TestDb::postgres(&url)
                        .expect("SHOUWANG_TEST_PG_URL is set but PostgreSQL is not reachable"),
                );
            }
        }
        v
    }

    /// Runs SQL straight on the database, past every check of the store: for tests that damage
    /// stored data on purpose.
    /// The number of rows of a table (tests check that a refusal wrote nothing).
    pub fn count_rows(&self, table: &str) -> i64 {
        self.store
            .with_conn(|c| c.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[]))
            .ok()
            .flatten()
            .map_or(-1, |r| r.int(0))
    }

    pub fn execute_unchecked(&self, sql: &str) -> Result<(), StoreError> {
        self.store.with_conn(|c| c.batch(sql))
    }

    /// Loads the province, city and county of 旺苍县 with the given townships and villages.
    pub fn with_regions(self, regions: &[(&str, &str)]) -> TestDb {
        let base = [("51", "四川省"), ("5108", "广元市"), ("510821", "旺苍县")];
        let all = base.iter().chain(regions).filter_map(|(c, n)| {
            Some(Region {
                code: RegionCode::parse(c)?,
                name: n.to_string(),
            })
        });
        self.store.import_regions(all).expect("regions load");
        self
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg_schema {
            if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}
