//! `/dept` (部门数据: a card per kind with its latest batch and its open alerts by level, then
//! every batch with its counts) and `/dept/batches/{id}` (one batch: its counts, its alerts with
//! their evidence, its unmatched rows, and the rollback with a required reason).

use super::{
    allows, kind_param, kind_word, page_param, user_names, viewer, when, DeptViewer, Params,
    PER_PAGE,
};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
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
use shouwang_core::department::{AlertStatus, BatchStatus, DeptKind};
use shouwang_core::screening::level::WarningLevel;
use shouwang_store::department::BatchRecord;
use shouwang_store::dept_reads::{AlertFilter, UnmatchedFilter};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dept", get_route(index))
        .route("/dept/batches/{id}", get_route(detail))
        .route("/dept/batches/{id}/rollback", post(rollback))
}

/// A batch as a row of the table.
pub(super) struct BatchRow {
    pub id: i64,
    pub file: String,
    pub kind: String,
    pub period: String,
    pub channel: String,
    pub rows: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub invalid: i64,
    pub alerts: i64,
    pub leads: i64,
    pub status: String,
    pub rolled_back: bool,
    pub by: String,
    pub at: String,
}

pub(super) fn batch_row(l: L, b: &BatchRecord, names: &HashMap<String, String>) -> BatchRow {
    BatchRow {
        id: b.id,
        file: if b.file_name.is_empty() {
            b.client_batch_id.clone().unwrap_or_default()
        } else {
            b.file_name.clone()
        },
        kind: kind_word(l, b.kind),
        period: b.period.clone().unwrap_or_default(),
        channel: l.t(b.channel.label_zh(), b.channel.label_en()).to_string(),
        rows: b.rows,
        matched: b.matched,
        unmatched: b.unmatched,
        invalid: b.invalid,
        alerts: b.alerts,
        leads: b.leads,
        status: l.t(b.status.label_zh(), b.status.label_en()).to_string(),
        rolled_back: b.status == BatchStatus::RolledBack,
        by: names
            .get(&b.created_by)
            .cloned()
            .unwrap_or_else(|| b.created_by.clone()),
        at: when(b.created_at),
    }
}

/// A kind's card on `/dept`.
struct KindCard {
    slug: &'static str,
    kind: String,
    content: String,
    latest: Option<BatchRow>,
    /// open alerts: (level word, level class, count, link)
    levels: Vec<(String, &'static str, i64, String)>,
}

#[derive(Template)]
#[template(path = "dept_index.html")]
struct IndexPage {
    ctx: Ctx,
    cards: Vec<KindCard>,
    kinds: Vec<(&'static str, String, bool)>,
    rows: Vec<BatchRow>,
    pager: Pager,
    can_upload: bool,
    can_resolve: bool,
    can_profile: bool,
    can_tokens: bool,
}

async fn index(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    let kind = v.kind(kind_param(&q)?)?;
    let asked = page_param(&q)?;
    let region = v.region.clone();
    let (latest, counts, (rows, total)) = state
        .db(move |st| {
            let latest = st.dept_latest_batches(&region)?;
            let counts = st.dept_alert_counts(&region, kind)?;
            let (rows, total) = st.dept_batches(
                &region,
                kind,
                PER_PAGE as i64,
                ((asked - 1) * PER_PAGE) as i64,
            )?;
            Ok((latest, counts, (rows, total)))
        })
        .await?;
    let mut users: Vec<String> = rows.iter().map(|b| b.created_by.clone()).collect();
    users.extend(latest.iter().map(|b| b.created_by.clone()));
    let names = user_names(&state, users).await?;
    let cards = v
        .kinds()
        .into_iter()
        .filter(|k| kind.is_none_or(|x| x == *k))
        .map(|k| KindCard {
            slug: k.slug(),
            kind: kind_word(l, k),
            content: l.t(k.content_zh(), k.content_en()).to_string(),
            latest: latest
                .iter()
                .find(|b| b.kind == k)
                .map(|b| batch_row(l, b, &names)),
            levels: WarningLevel::ALL
                .iter()
                .map(|lv| {
                    let n = counts
                        .iter()
                        .find(|(kk, ll, _)| *kk == k && ll == lv)
                        .map_or(0, |c| c.2);
                    (
                        l.t(lv.label_zh(), lv.label_en()).to_string(),
                        lv.label_en(),
                        n,
                        format!("/dept/alerts?kind={}&level={}", k.slug(), lv.code()),
                    )
                })
                .collect(),
        })
        .collect();
    let query = kind.map_or_else(String::new, |k| format!("kind={}", k.slug()));
    let pager = Pager::new(asked, PER_PAGE, total as usize, query);
    let kinds = kind_choices(l, &v, kind);
    Ok(render(IndexPage {
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("部门数据", "Department data"))]),
        cards,
        kinds,
        rows: rows.iter().map(|b| batch_row(l, b, &names)).collect(),
        pager,
        can_upload: allows(&s, Action::ImportDepartment),
        can_resolve: allows(&s, Action::ResolveDepartment),
        can_profile: allows(&s, Action::ResolveDepartment),
        can_tokens: allows(&s, Action::ManageDeptTokens),
    }))
}

/// The kinds a filter offers: (slug, word, selected).
pub(super) fn kind_choices(
    l: L,
    v: &DeptViewer,
    kind: Option<DeptKind>,
) -> Vec<(&'static str, String, bool)> {
    v.kinds()
        .into_iter()
        .map(|k| (k.slug(), kind_word(l, k), Some(k) == kind))
        .collect()
}

/// Batch `id` if the viewer sees it (its region and kind); "not found" otherwise.
pub(super) async fn visible_batch(
    state: &AppState,
    v: &DeptViewer,
    id: &str,
) -> Result<BatchRecord, AppError> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let region = v.region.clone();
    let batch = state
        .db(move |st| st.dept_batch_in(&region, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !v.sees(batch.kind) {
        return Err(AppError::NotFound);
    }
    Ok(batch)
}

/// An alert as the pages show it.
pub(crate) struct AlertRow {
    pub id: i64,
    pub person: String,
    pub id_masked: String,
    pub no: String,
    pub village: String,
    pub kind: String,
    pub rule: String,
    pub rule_name: String,
    pub level: String,
    pub level_class: &'static str,
    pub evidence: String,
    pub date: String,
    pub lead: Option<i64>,
    pub withdrawn: bool,
    pub status: String,
}

pub(crate) fn alert_row(
    l: L,
    a: &shouwang_store::dept_reads::AlertRecord,
    villages: &HashMap<String, String>,
) -> AlertRow {
    AlertRow {
        id: a.id,
        person: a.person_name.clone(),
        id_masked: shouwang_core::id_number::mask(&a.id_number),
        no: a.household_no.clone(),
        village: villages
            .get(&a.village)
            .cloned()
            .unwrap_or_else(|| a.village.clone()),
        kind: kind_word(l, a.kind),
        rule: a.rule.code().to_string(),
        rule_name: l.t(a.rule.name_zh(), a.rule.name_en()).to_string(),
        level: l.t(a.level.label_zh(), a.level.label_en()).to_string(),
        level_class: a.level.label_en(),
        evidence: l.t(&a.evidence.zh, &a.evidence.en).to_string(),
        date: a
            .on_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| when(a.created_at).get(..10).unwrap_or("").to_string()),
        lead: a.lead_id,
        withdrawn: a.status == AlertStatus::Withdrawn,
        status: l.t(a.status.label_zh(), a.status.label_en()).to_string(),
    }
}

/// An unmatched row as the pages show it.
pub(super) struct UnmatchedRow {
    pub id: i64,
    pub batch: i64,
    pub kind: String,
    pub row_no: i64,
    pub reason: String,
    pub message: String,
    pub id_masked: String,
    pub name: String,
    pub open: bool,
    pub status: String,
    pub household: Option<String>,
    pub note: String,
}

pub(super) fn unmatched_row(l: L, u: &shouwang_store::dept_reads::UnmatchedRecord) -> UnmatchedRow {
    UnmatchedRow {
        id: u.id,
        batch: u.batch_id,
        kind: kind_word(l, u.kind),
        row_no: u.row_no,
        reason: l.t(u.reason.label_zh(), u.reason.label_en()).to_string(),
        message: l.t(&u.message_zh, &u.message_en).to_string(),
        id_masked: shouwang_core::id_number::mask(&u.id_number),
        name: u.name.clone(),
        open: u.status == shouwang_core::department::QueueStatus::Open,
        status: l.t(u.status.label_zh(), u.status.label_en()).to_string(),
        household: u.household_no.clone(),
        note: u.note.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "dept_batch.html")]
struct BatchPage {
    ctx: Ctx,
    b: BatchRow,
    region: String,
    sha256: String,
    rollback_reason: String,
    rolled_back_by: String,
    alerts: Vec<AlertRow>,
    alerts_total: i64,
    unmatched: Vec<UnmatchedRow>,
    unmatched_total: i64,
    can_rollback: bool,
    /// the rollback form's refusal
    message: String,
    reason: String,
}

/// Rows of a batch's alerts and unmatched rows the page shows at most.
const BATCH_SHOWN: i64 = 200;

async fn detail(State(state): State<AppState>, s: Session, Path(id): Path<String>) -> PageResult {
    let v = viewer(&s)?;
    let batch = visible_batch(&state, &v, &id).await?;
    batch_page(
        &state,
        &s,
        &v,
        batch,
        String::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn batch_page(
    state: &AppState,
    s: &Session,
    v: &DeptViewer,
    batch: BatchRecord,
    message: String,
    reason: String,
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let (region, id) = (v.region.clone(), batch.id);
    let ((alerts, alerts_total), (unmatched, unmatched_total)) = state
        .db(move |st| {
            let a = st.dept_alerts(&AlertFilter {
                status: None,
                batch: Some(id),
                limit: BATCH_SHOWN,
                ..AlertFilter::open(region.clone())
            })?;
            let u = st.dept_unmatched(&UnmatchedFilter {
                status: None,
                batch: Some(id),
                limit: BATCH_SHOWN,
                ..UnmatchedFilter::open(region)
            })?;
            Ok((a, u))
        })
        .await?;
    let mut users = vec![batch.created_by.clone()];
    users.extend(batch.rolled_back_by.clone());
    let names = user_names(state, users).await?;
    // the villages of the alerts, and the region the batch covers, by name
    let mut codes: Vec<String> = alerts.iter().map(|a| a.village.clone()).collect();
    codes.push(batch.region.clone());
    let villages = super::village_names(state, codes).await?;
    let b = batch_row(l, &batch, &names);
    let title = format!("{} · {} {}", b.kind, l.t("批次", "batch"), batch.id);
    Ok((
        status,
        render(BatchPage {
            ctx: Ctx::of(s).crumbs(vec![
                Crumb::link("/dept", l.t("部门数据", "Department data")),
                Crumb::here(title),
            ]),
            region: villages
                .get(&batch.region)
                .cloned()
                .unwrap_or_else(|| batch.region.clone()),
            sha256: batch.sha256.clone(),
            rollback_reason: batch.rollback_reason.clone().unwrap_or_default(),
            rolled_back_by: batch
                .rolled_back_by
                .as_ref()
                .map(|u| {
                    format!(
                        "{} {}",
                        names.get(u).cloned().unwrap_or_else(|| u.clone()),
                        batch.rolled_back_at.map(when).unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
            alerts: alerts.iter().map(|a| alert_row(l, a, &villages)).collect(),
            alerts_total,
            unmatched: unmatched.iter().map(|u| unmatched_row(l, u)).collect(),
            unmatched_total,
            can_rollback: batch.status == BatchStatus::Imported
                && allows(s, Action::ImportDepartment),
            b,
            message,
            reason,
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
struct RollbackForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

async fn rollback(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(f): Form<RollbackForm>,
) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    let batch = visible_batch(&state, &v, &id).await?;
    super::may(&s, Action::ImportDepartment)?;
    let refuse = |message: String, batch: BatchRecord| {
        let reason = f.reason.clone();
        let (state, s, v) = (state.clone(), s.clone(), v.clone());
        async move {
            batch_page(
                &state,
                &s,
                &v,
                batch,
                message,
                reason,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if let Err(p) = shouwang_core::lead::check_reason("reason", &f.reason) {
        return refuse(p.message(s.lang).to_string(), batch).await;
    }
    if f.confirm.trim().is_empty() {
        return refuse(
            l.t(
                "请勾选确认：撤回后该批次的预警作废，仅由其产生的线索将被排除",
                "Tick the confirmation: the batch's alerts are withdrawn and the leads only it raised dismissed",
            )
            .to_string(),
            batch,
        )
        .await;
    }
    let (actor, reason, bid) = (s.actor(), f.reason.trim().to_string(), batch.id);
    let done = state
        .db(move |st| Ok(shouwang_app::department::rollback(st, &actor, bid, &reason)))
        .await?;
    match done {
        Ok(b) => Ok(saved(
            &format!("/dept/batches/{}", b.id),
            format!("批次{}已撤回：其预警已作废，仅由其产生的待处理线索已排除", b.id),
            format!(
                "Batch {} rolled back: its alerts are withdrawn and the open leads only it raised dismissed",
                b.id
            ),
        )),
        Err(shouwang_app::department::ImportError::Refused(p)) => {
            let m = p.message(s.lang).to_string();
            refuse(m, batch).await
        }
        Err(shouwang_app::department::ImportError::Store(e)) => match AppError::from(e) {
            AppError::Invalid(ps) => {
                let m = ps
                    .iter()
                    .map(|p| p.message(s.lang).to_string())
                    .collect::<Vec<_>>()
                    .join("；");
                refuse(m, batch).await
            }
            e => Err(e.into()),
        },
    }
}
