//! The village's queue of self-reports (`/self-reports`): reports from the public page whose ID
//! number named nobody living in the village, waiting for a cadre to look into them and mark
//! them handled with a note. Reports that matched a household became leads and are on the
//! lead pages already.

use super::{render, saved, Crumb, Ctx, Pager};
use crate::access::{asked_region, not_allowed, unseen};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use shouwang_core::access::{Action, Target};
use shouwang_core::Date;
use shouwang_store::self_report::SelfReportRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/self-reports", get(queue))
        .route("/self-reports/{id}/handled", post(handled))
}

const PER_PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "self_reports.html")]
struct QueuePage {
    ctx: Ctx,
    region: String,
    rows: Vec<Row>,
    pager: Pager,
    can_handle: bool,
}

struct Row {
    r: SelfReportRecord,
    risk: &'static str,
    sent_on: Date,
}

#[derive(Deserialize)]
struct QueueQuery {
    region: Option<String>,
    page: Option<i64>,
}

async fn queue(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    if s.scope.reaches_only_paired() {
        return Err(AppError::Forbidden.into());
    }
    let region = asked_region(&s, Action::ViewCases, q.region.as_deref())?;
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let r = region.clone();
    let (list, total) = state
        .db(move |st| st.self_report_queue(&r, PER_PAGE, (page - 1) * PER_PAGE))
        .await?;
    let l = s.l();
    let rows = list
        .into_iter()
        .map(|r| Row {
            risk: l.t(r.risk.label_zh(), r.risk.label_en()),
            sent_on: Date::from_unix_seconds_china(r.created_at),
            r,
        })
        .collect();
    let query = if q.region.is_some() {
        format!("region={region}")
    } else {
        String::new()
    };
    Ok(render(QueuePage {
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("自主申报", "Self-reports"))]),
        can_handle: s.scope.allows(Action::Identify, Target::Region(&region)),
        region: region.to_string(),
        rows,
        pager: Pager::new(page as usize, PER_PAGE as usize, total as usize, query),
    }))
}

#[derive(Deserialize)]
struct HandledForm {
    #[serde(default)]
    note: String,
}

async fn handled(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<HandledForm>,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let rec = state
        .db(move |st| st.self_report(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if s.scope.reaches_only_paired() {
        return Err(AppError::NotFound.into());
    }
    s.scope
        .decide(Action::ViewCases, Target::Region(&rec.village))
        .map_err(unseen)?;
    s.scope
        .decide(Action::Identify, Target::Region(&rec.village))
        .map_err(not_allowed)?;
    let actor = s.actor();
    let after = state
        .db(move |st| shouwang_app::self_report::handle(st, &actor, id, &f.note))
        .await?;
    Ok(saved(
        "/self-reports",
        format!("已办结申报 {}（{}）", after.receipt, after.head_name),
        format!("Handled report {} ({})", after.receipt, after.head_name),
    ))
}
