//! `/dept/unmatched`: the rows no member matched, or that could not be read (未匹配队列), filtered
//! by reason, kind, batch and status. A county user resolves an open row to a household of the
//! county by its number (kept as resolved with the household) or dismisses it with a note; both
//! are audited by the store.

use super::batches::{kind_choices, unmatched_row, UnmatchedRow};
use super::{
    allows, code_param, int_param, kind_param, may, page_param, viewer, DeptViewer, Params,
    PER_PAGE,
};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::{render, saved, Crumb, Ctx, Pager};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get as get_route, post};
use axum::Router;
use serde::Deserialize;
use shouwang_core::access::Action;
use shouwang_core::department::{QueueStatus, UnmatchedReason};
use shouwang_store::dept_reads::UnmatchedFilter;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dept/unmatched", get_route(list))
        .route("/dept/unmatched/{id}/resolve", post(resolve))
        .route("/dept/unmatched/{id}/dismiss", post(dismiss))
}

#[derive(Template)]
#[template(path = "dept_unmatched.html")]
struct QueuePage {
    ctx: Ctx,
    rows: Vec<UnmatchedRow>,
    pager: Pager,
    kinds: Vec<(&'static str, String, bool)>,
    reasons: Vec<(i64, String, bool)>,
    statuses: Vec<(i64, String, bool)>,
    /// the status filter is "every status"
    all_statuses: bool,
    batch: String,
    can_resolve: bool,
    /// the query to come back to after a form
    back: String,
    message: String,
}

async fn list(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    queue_page(&state, &s, &q, String::new(), StatusCode::OK).await
}

async fn queue_page(
    state: &AppState,
    s: &Session,
    q: &Params,
    message: String,
    status_code: StatusCode,
) -> PageResult {
    let l = s.l();
    let v = viewer(s)?;
    let kind = v.kind(kind_param(q)?)?;
    let reason = code_param(q, "reason", UnmatchedReason::from_code)?;
    let batch = int_param(q, "batch")?;
    // no `status` parameter: the open rows; `status=` (empty): every status
    let all_statuses = q.get("status").is_some_and(|v| v.trim().is_empty());
    let status = if all_statuses {
        None
    } else {
        Some(code_param(q, "status", QueueStatus::from_code)?.unwrap_or(QueueStatus::Open))
    };
    let asked = page_param(q)?;
    let filter = UnmatchedFilter {
        region: v.region.clone(),
        kind,
        reason,
        batch,
        status,
        limit: PER_PAGE as i64,
        offset: ((asked - 1) * PER_PAGE) as i64,
    };
    let (rows, total) = state.db(move |st| st.dept_unmatched(&filter)).await?;
    let mut query: Vec<String> = Vec::new();
    if let Some(k) = kind {
        query.push(format!("kind={}", k.slug()));
    }
    if let Some(r) = reason {
        query.push(format!("reason={}", r.code()));
    }
    if let Some(b) = batch {
        query.push(format!("batch={b}"));
    }
    match status {
        None => query.push("status=".into()),
        Some(s) => query.push(format!("status={}", s.code())),
    }
    let query = query.join("&");
    let pager = Pager::new(asked, PER_PAGE, total as usize, query.clone());
    Ok((
        status_code,
        render(QueuePage {
            ctx: Ctx::of(s).crumbs(vec![
                Crumb::link("/dept", l.t("部门数据", "Department data")),
                Crumb::here(l.t("未匹配队列", "Unmatched queue")),
            ]),
            rows: rows.iter().map(|u| unmatched_row(l, u)).collect(),
            pager,
            kinds: kind_choices(l, &v, kind),
            reasons: UnmatchedReason::ALL
                .iter()
                .map(|r| {
                    (
                        r.code(),
                        l.t(r.label_zh(), r.label_en()).to_string(),
                        Some(*r) == reason,
                    )
                })
                .collect(),
            statuses: QueueStatus::ALL
                .iter()
                .map(|x| {
                    (
                        x.code(),
                        l.t(x.label_zh(), x.label_en()).to_string(),
                        Some(*x) == status,
                    )
                })
                .collect(),
            all_statuses: status.is_none(),
            batch: batch.map(|b| b.to_string()).unwrap_or_default(),
            can_resolve: allows(s, Action::ResolveDepartment),
            back: format!("/dept/unmatched?{query}"),
            message,
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
struct HandleForm {
    #[serde(default)]
    household_no: String,
    #[serde(default)]
    note: String,
    /// the list's query to come back to
    #[serde(default)]
    back: String,
}

/// Row `id` of the queue, if the viewer sees it and may handle it.
async fn handled_row(
    state: &AppState,
    s: &Session,
    v: &DeptViewer,
    id: &str,
) -> Result<i64, AppError> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let region = v.region.clone();
    let row = state
        .db(move |st| st.dept_unmatched_row(&region, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !v.sees(row.kind) {
        return Err(AppError::NotFound);
    }
    may(s, Action::ResolveDepartment)?;
    Ok(row.id)
}

/// Where a form goes back to: the list's own query, else the open rows.
fn back_to(f: &HandleForm) -> String {
    let b = f.back.trim();
    if b.starts_with("/dept/unmatched") && !b.contains("//") && !b.contains('\n') {
        b.to_string()
    } else {
        "/dept/unmatched".into()
    }
}

/// The list's query of a `back` address, to show the list again with a refusal.
fn query_of(back: &str) -> Params {
    back.split_once('?')
        .map(|(_, q)| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default()
}

async fn handle(
    state: AppState,
    s: Session,
    id: String,
    f: HandleForm,
    resolve: bool,
) -> PageResult {
    let v = viewer(&s)?;
    let id = handled_row(&state, &s, &v, &id).await?;
    let back = back_to(&f);
    let actor = s.actor();
    let (no, note) = (f.household_no.trim().to_string(), f.note.trim().to_string());
    let no2 = no.clone();
    let done = state
        .db(move |st| {
            Ok(if resolve {
                st.resolve_unmatched(&actor, id, &no2, &note)
            } else {
                st.dismiss_unmatched(&actor, id, &note)
            })
        })
        .await?;
    match done {
        Ok(_) if resolve => Ok(saved(
            &back,
            format!("第{id}号未匹配记录已匹配到户{no}"),
            format!("Unmatched row {id} matched to household {no}"),
        )),
        Ok(_) => Ok(saved(
            &back,
            format!("第{id}号未匹配记录已忽略"),
            format!("Unmatched row {id} dismissed"),
        )),
        Err(e) => match AppError::from(e) {
            AppError::Invalid(ps) => {
                let m = ps
                    .iter()
                    .map(|p| p.message(s.lang).to_string())
                    .collect::<Vec<_>>()
                    .join("；");
                let q = query_of(&back);
                queue_page(&state, &s, &q, m, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            e => Err(e.into()),
        },
    }
}

async fn resolve(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<HandleForm>,
) -> PageResult {
    handle(state, s, id, f, true).await
}

async fn dismiss(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<HandleForm>,
) -> PageResult {
    handle(state, s, id, f, false).await
}
