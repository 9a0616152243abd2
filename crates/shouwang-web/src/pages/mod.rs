//! Server-rendered pages, by area: [`session`] (signing in and out, the language, the home
//! page, one's own password), [`users`] (account administration and the audit export),
//! [`registry`] (the region tree, households and their forms, search, paired
//! households), [`screening`] (warnings and screening runs), [`income`] (a household's incomes and
//! 三保障 flags), [`leads`] (风险线索 and the household's procedures), [`standards`] (standards, what-if, rules), [`calendar`] (the working calendar) and [`ledger`] (import and
//! export). Each area lists its routes in its own `routes()`.
//!
//! Who may do what is decided before a handler runs, by the extractors of [`crate::access`]. A
//! handler returns a [`PageResult`]; an error becomes a page in the user's language in
//! [`show_errors_as_pages`], so no handler renders its own.

mod assistance;
mod calendar;
pub(crate) mod dept;
mod dept_death;
mod dept_tokens;
mod elimination;
mod home;
mod identification;
mod income;
mod layout;
mod leads;
mod ledger;
mod persons;
mod poster;
mod quality;
mod registry;
pub(crate) mod report;
mod reports;
mod screening;
mod self_reports;
mod session;
mod standards;
mod tasks;
mod users;
mod visits;

use crate::auth::Session;
use crate::error::{AppError, PageResult, ShowAsPage};
use crate::i18n::L;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
pub use layout::{saved, Crumb, Ctx, Pager};
use std::sync::atomic::Ordering;

/// Every page, with errors shown as pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(registry::routes())
        .merge(screening::routes())
        .merge(leads::routes())
        .merge(income::routes())
        .merge(identification::routes())
        .merge(assistance::routes())
        .merge(elimination::routes())
        .merge(standards::routes())
        .merge(calendar::routes())
        .merge(tasks::routes())
        .merge(ledger::routes())
        .merge(users::routes())
        .merge(visits::routes())
        .merge(persons::routes())
        .merge(report::routes())
        .merge(poster::routes())
        .merge(self_reports::routes())
        .merge(dept::routes())
        .merge(dept_tokens::routes())
        .merge(dept_death::routes())
        .merge(reports::routes())
        .merge(quality::routes())
        .merge(home::routes())
        .route("/static/app.css", get(stylesheet))
        .route("/static/ledger_import.js", get(ledger_import_script))
        .route("/metrics", get(metrics))
        .fallback(unknown_page)
        .layer(axum::middleware::from_fn(show_errors_as_pages))
}

fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    title: String,
    message: String,
}

/// An address no page answers: a 404 page, not a blank screen.
async fn unknown_page() -> PageResult {
    Err(AppError::NotFound.into())
}

/// Renders an error as a page in the user's language; without a session, in the language of
/// the request and without the menu.
fn error_page(s: Option<&Session>, lang: shouwang_core::Lang, e: &ShowAsPage) -> Response {
    let l = L(lang);
    let title = match e.status {
        StatusCode::NOT_FOUND => l.t("找不到", "Not found"),
        StatusCode::FORBIDDEN => l.t("无权访问", "Not allowed"),
        _ => l.t("出错了", "Something went wrong"),
    }
    .to_string();
    let message = if l.is_en() { &e.en } else { &e.zh }.clone();
    (
        e.status,
        render(ErrorPage {
            ctx: match s {
                Some(s) => Ctx::of(s).crumbs(vec![Crumb::here(title.clone())]),
                None => Ctx::anonymous(l, String::new()),
            },
            title,
            message,
        }),
    )
        .into_response()
}

/// Shows the error a page handler or an access extractor returned ([`crate::error::PageError`])
/// as a page in the signed-in user's language. Without a session the error answers as it is.
async fn show_errors_as_pages(request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let lang = request
        .extensions()
        .get::<crate::auth::RequestLang>()
        .map_or(shouwang_core::Lang::Zh, |l| l.0);
    let response = next.run(request).await;
    match response.extensions().get::<ShowAsPage>() {
        Some(e) => error_page(
            session.as_ref(),
            session.as_ref().map_or(lang, |s| s.lang),
            e,
        ),
        None => response,
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// Scripts are static files, never inline, so that the content security policy forbids inline
/// script (an injected `<script>` would not run).
async fn ledger_import_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/ledger_import.js"),
    )
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let n = state.requests.load(Ordering::Relaxed);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        format!("# HELP shouwang_http_requests_total HTTP requests served.\n# TYPE shouwang_http_requests_total counter\nshouwang_http_requests_total {n}\n"),
    )
}

/// The names of regions, by code, for those the store knows.
pub(crate) async fn region_names(
    state: &AppState,
    codes: Vec<shouwang_core::RegionCode>,
) -> Result<std::collections::HashMap<String, String>, crate::error::AppError> {
    state
        .db(move |st| {
            let mut m = std::collections::HashMap::new();
            for c in codes {
                if let Some(r) = st.region(&c)? {
                    m.insert(c.as_str().to_string(), r.name);
                }
            }
            Ok(m)
        })
        .await
}
