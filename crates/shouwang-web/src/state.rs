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
    /// Failed sign-ins for one username from one address before each further attempt from
    /// there must wait.
    pub lockout_failures: i64,
    /// The longest wait a run of failures imposes (seconds); waits start at
    /// `throttle_base_seconds` and double with each failure.
    pub lockout_seconds: i64,
    /// The first wait, in seconds, once a key has used up its free failures.
    pub throttle_base_seconds: i64,
    /// Failed sign-ins from one address, whatever the usernames, before it must wait.
    pub address_failures: i64,
    /// Failed sign-ins for one username from anywhere before attempts must wait (except from
    /// the address of the user's last successful sign-in).
    pub username_failures: i64,
    /// Mark cookies `Secure` always (they are anyway when the proxy says the request came over
    /// HTTPS).
    pub secure_cookies: bool,
    /// Take the client's address from the last `X-Forwarded-For` entry (behind a reverse proxy).
    pub trust_proxy: bool,
    /// A password older than this many days must be changed at the next request (0: never).
    pub password_max_age_days: i64,
    /// Audit events older than this many days are removed (`None`: kept for ever; at least
    /// 180 when set).
    pub audit_retention_days: Option<i64>,
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
    /// The address the public reaches this server at (`https://fp.example.gov.cn`), printed
    /// under the self-report poster's QR code; `None`: taken from the request's `Host`.
    pub public_url: Option<String>,
    /// The secret of the self-report page's challenges and address keys.
    pub report_secret: crate::report_guard::ReportSecret,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_timeout: 30 * 60,
            max_session_age: 12 * 3600,
            lockout_failures: 5,
            lockout_seconds: 15 * 60,
            throttle_base_seconds: 30,
            address_failures: 20,
            username_failures: 50,
            secure_cookies: false,
            trust_proxy: false,
            password_max_age_days: 0,
            audit_retention_days: None,
            demo_mode: false,
            work_dir: std::env::temp_dir().join(format!("shouwang-work-{}", std::process::id())),
            file_retention: Duration::from_secs(24 * 3600),
            public_url: None,
            report_secret: crate::report_guard::ReportSecret::random(),
        }
    }
}

impl WebConfig {
    /// The folder for one kind of file (`uploads`, `ledger-errors`, `exports`).
    pub(crate) fn work(&self, what: &str) -> PathBuf {
        self.work_dir.join(what)
    }

    /// The growing delay of a throttling key that allows `free` failures.
    pub fn delay(&self, free: i64) -> shouwang_store::users::Delay {
        shouwang_store::users::Delay {
            free,
            base: self.throttle_base_seconds,
            max: self.lockout_seconds,
        }
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
    pub(crate) report_guard: Arc<crate::report_guard::Guard>,
    /// issue 16: a county's household and person counts for the home pages, kept a few minutes
    pub(crate) head_counts: Arc<shouwang_app::dashboard::HeadCounts>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            requests: Arc::new(AtomicU64::new(0)),
            report_guard: Arc::new(crate::report_guard::Guard::default()),
            head_counts: Arc::new(shouwang_app::dashboard::HeadCounts::default()),
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
