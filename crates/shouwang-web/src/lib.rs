//! 守望 web: server-rendered pages (askama), a JSON API under `/api/v1`, sessions, CSRF, and
//! role and region checks as extractors so that no handler can forget them.

mod api;
pub mod auth;
mod error;
mod i18n;
mod pages;
mod state;

pub use auth::{hash_password, random_token};
pub use state::{AppState, WebConfig};

use axum::routing::{get, post};
use axum::Router;

/// The whole application: pages, API, static files, with the session and CSRF layer.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/demo-login/{username}", get(pages::demo_login))
        .route("/lang/{tag}", get(pages::set_lang))
        .route("/regions/{code}", get(pages::region))
        .route("/search", get(pages::search))
        .route(
            "/ledger/import",
            get(pages::ledger::import_form)
                .post(pages::ledger::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    pages::ledger::MAX_UPLOAD_BYTES + 1,
                )),
        )
        .route("/ledger/errors/{name}", get(pages::ledger::error_workbook))
        .route(
            "/regions/{code}/ledger.xlsx",
            get(pages::ledger::export_xlsx),
        )
        .route("/regions/{code}/ledger.csv", get(pages::ledger::export_csv))
        .route("/paired", get(pages::paired))
        .route(
            "/households/new",
            get(pages::new_household_form).post(pages::create_household),
        )
        .route("/households/{no}", get(pages::household))
        .route(
            "/households/{no}/edit",
            get(pages::edit_household_form).post(pages::edit_household),
        )
        .route(
            "/households/{no}/members/new",
            get(pages::new_member_form).post(pages::add_member),
        )
        .route(
            "/households/{no}/members/{idx}/edit",
            get(pages::edit_member_form).post(pages::edit_member),
        )
        .route(
            "/households/{no}/members/{idx}/delete",
            post(pages::delete_member),
        )
        .route("/households/{no}/members/{idx}/reveal", post(pages::reveal))
        .route(
            "/households/{no}/warnings",
            get(pages::screening::household_warnings),
        )
        .route(
            "/households/{no}/income",
            get(pages::screening::income_page).post(pages::screening::save_income),
        )
        .route(
            "/households/{no}/guarantees",
            post(pages::screening::save_guarantees),
        )
        .route("/warnings", get(pages::screening::warnings))
        .route("/warnings/run", post(pages::screening::run_screening))
        .route("/what-if", get(pages::screening::what_if_page))
        .route("/rules", post(pages::screening::save_rules))
        .route(
            "/standards",
            get(pages::screening::standards_page).post(pages::screening::save_standard),
        )
        .route("/static/app.css", get(pages::stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(pages::metrics))
        .nest("/api", api::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::session_layer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(2 * 1024 * 1024))
        .with_state(state)
}
