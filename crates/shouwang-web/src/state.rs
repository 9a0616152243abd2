//! What every handler shares.

use shouwang_core::Date;
use shouwang_store::{Store, StoreError};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

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
        }
    }
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
