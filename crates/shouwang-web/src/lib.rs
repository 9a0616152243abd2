//! 守望 web: server-rendered pages (askama), a JSON API under `/api/v1`, sessions, CSRF, and
//! role and region checks as extractors so that no handler can forget them.

mod access;
mod api;
pub mod auth;
pub mod chart;
mod error;
mod i18n;
mod multipart;
mod pages;
pub mod qr;
pub mod report_guard;
mod state;

pub use auth::{hash_password, random_token};
pub use report_guard::ReportSecret;
pub use state::{sweep_work_dir, AppState, WebConfig};

use axum::routing::get;
use axum::Router;

/// The whole application: pages, API, static files, with the session and CSRF layer.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api", api::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::session_layer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .with_state(state)
}
