//! What every handler shares.

use shouwang_core::Date;
use shouwang_store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

/// Security and behaviour settings of the web server.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// A session idle longer than this ends (seconds).
    pub idle_timeout: i64,
    /// A session older than this ends whatever its use (seconds).
    pub max_session_age: i64,
    /// Failed logins in a row before the account locks.
    pub lockout_failures: i64,
    /// How long a locked account stays locked (seconds).
    pub lockout_seconds: i64,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The demo's one-click sign-in links (`/demo-login/USER`). Only `shouwang demo` turns this
    /// on; a real installation never does.
    pub demo_mode: bool,
    /// Where uploads, error workbooks and exports are kept while needed (they hold ID numbers):
    /// a folder of the installation, created 0700, its files 0600. `shouwang serve` puts it
    /// beside the database (`<data dir>/work`); the default, for tests, is a folder of this
    /// process under the system's temporary folder.
    pub work_dir: PathBuf,
    /// How long an error workbook, or an upload or export left behind by a crash, is kept
    /// before [`sweep_work_dir`] removes it.
    pub file_retention: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_timeout: 30 * 60,
            max_session_age: 12 * 3600,
            lockout_failures: 5,
            lockout_seconds: 15 * 60,
            secure_cookies: false,
            demo_mode: false,
            work_dir: std::env::temp_dir().join(format!("shouwang-work-{}", std::process::id())),
            file_retention: Duration::from_secs(24 * 3600),
        }
    }
}

impl WebConfig {
    /// The folder for one kind of file (`uploads`, `ledger-errors`, `exports`).
    pub(crate) fn work(&self, what: &str) -> PathBuf {
        self.work_dir.join(what)
    }
}

/// Removes the files of the work folder older than the retention period; returns how many.
pub fn sweep_work_dir(config: &WebConfig) -> std::io::Result<usize> {
    shouwang_io::private::sweep(&config.work_dir, config.file_retention)
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub(crate) requests: Arc<AtomicU64>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Runs a store call on the blocking pool.
    pub(crate) async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, crate::error::AppError> {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(r) => r.map_err(crate::error::AppError::from),
            Err(e) => Err(crate::error::AppError::Internal(format!(
                "task failed: {e}"
            ))),
        }
    }
}

/// Today in China.
pub(crate) fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}
