//! 部门数据 in the API (read only): the batches a user sees with their counts, one batch, the
//! alerts with their evidence, and the unmatched queue. The same rules as the pages
//! (`crate::pages::dept`): `ViewDepartment` to read, a department user only its own kind
//! (another kind, or a batch of it, is "not found"), lists narrowed to the user's region. ID
//! numbers come masked.

use super::query::{ApiPath, ApiQuery, FromQuery, NoParams, Params};
use crate::auth::Session;
use crate::error::AppError;
use crate::pages::dept::viewer;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use shouwang_core::department::alert::DeptRule;
use shouwang_core::department::{AlertStatus, DeptKind, QueueStatus, UnmatchedReason};
use shouwang_core::id_number::mask;
use shouwang_core::screening::level::WarningLevel;
use shouwang_store::department::BatchRecord;
use shouwang_store::dept_reads::{AlertFilter, AlertRecord, UnmatchedFilter, UnmatchedRecord};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/dept/batches", get(batches))
        .route("/v1/dept/batches/{id}", get(batch))
        .route("/v1/dept/alerts", get(alerts))
        .route("/v1/dept/unmatched", get(unmatched))
}

fn kind_param(q: &Params) -> Result<Option<DeptKind>, AppError> {
    q.parse(
        "kind",
        DeptKind::parse,
        "部门数据种类（medical、dibao、disability、education、housing、disaster、employment、death、assets）",
        "a kind of department data (medical, dibao, disability, education, housing, disaster, employment, death, assets)",
    )
}

fn page_params(q: &Params) -> Result<(i64, i64), AppError> {
    Ok((
        q.int("page")?.unwrap_or(1).max(1),
        q.int("per_page")?.unwrap_or(50).clamp(1, 500),
    ))
}

struct BatchesQuery {
    kind: Option<DeptKind>,
    page: i64,
    per_page: i64,
}

impl FromQuery for BatchesQuery {
    const PARAMS: &'static [&'static str] = &["kind", "page", "per_page"];
    fn read(q: &Params) -> Result<BatchesQuery, AppError> {
        let (page, per_page) = page_params(q)?;
        Ok(BatchesQuery {
            kind: kind_param(q)?,
            page,
            per_page,
        })
    }
}

struct AlertsQuery {
    kind: Option<DeptKind>,
    level: Option<WarningLevel>,
    status: Option<AlertStatus>,
    rule: Option<DeptRule>,
    batch: Option<i64>,
    page: i64,
    per_page: i64,
}

impl FromQuery for AlertsQuery {
    const PARAMS: &'static [&'static str] = &[
        "kind", "level", "status", "rule", "batch", "page", "per_page",
    ];
    fn read(q: &Params) -> Result<AlertsQuery, AppError> {
        let (page, per_page) = page_params(q)?;
        Ok(AlertsQuery {
            kind: kind_param(q)?,
            level: q.parse(
                "level",
                |v| {
                    WarningLevel::ALL
                        .iter()
                        .copied()
                        .find(|l| l.label_en() == v)
                },
                "red、yellow 或 blue",
                "red, yellow or blue",
            )?,
            status: q.parse(
                "status",
                alert_status,
                "open 或 withdrawn（不填：open）",
                "open or withdrawn (open if not given)",
            )?,
            rule: q.parse(
                "rule",
                DeptRule::parse,
                "规则代码 D01–D10",
                "a rule code D01–D10",
            )?,
            batch: q.int("batch")?,
            page,
            per_page,
        })
    }
}

struct UnmatchedQuery {
    kind: Option<DeptKind>,
    reason: Option<UnmatchedReason>,
    status: Option<QueueStatus>,
    batch: Option<i64>,
    page: i64,
    per_page: i64,
}

impl FromQuery for UnmatchedQuery {
    const PARAMS: &'static [&'static str] =
        &["kind", "reason", "status", "batch", "page", "per_page"];
    fn read(q: &Params) -> Result<UnmatchedQuery, AppError> {
        let (page, per_page) = page_params(q)?;
        Ok(UnmatchedQuery {
            kind: kind_param(q)?,
            reason: q.parse(
                "reason",
                |v| {
                    UnmatchedReason::ALL
                        .iter()
                        .copied()
                        .find(|r| reason_name(*r) == v)
                },
                "not_found、outside_region、invalid_id 或 invalid_row",
                "not_found, outside_region, invalid_id or invalid_row",
            )?,
            status: q.parse(
                "status",
                |v| {
                    QueueStatus::ALL
                        .iter()
                        .copied()
                        .find(|s| queue_name(*s) == v)
                },
                "open、resolved 或 dismissed（不填：open）",
                "open, resolved or dismissed (open if not given)",
            )?,
            batch: q.int("batch")?,
            page,
            per_page,
        })
    }
}

fn alert_status(v: &str) -> Option<AlertStatus> {
    AlertStatus::ALL
        .iter()
        .copied()
        .find(|s| alert_status_name(*s) == v)
}

pub(super) fn alert_status_name(s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::Open => "open",
        AlertStatus::Withdrawn => "withdrawn",
    }
}

pub(super) fn reason_name(r: UnmatchedReason) -> &'static str {
    match r {
        UnmatchedReason::NotFound => "not_found",
        UnmatchedReason::OutsideRegion => "outside_region",
        UnmatchedReason::InvalidId => "invalid_id",
        UnmatchedReason::InvalidRow => "invalid_row",
    }
}

pub(super) fn queue_name(s: QueueStatus) -> &'static str {
    match s {
        QueueStatus::Open => "open",
        QueueStatus::Resolved => "resolved",
        QueueStatus::Dismissed => "dismissed",
    }
}

pub(super) fn batch_status_name(s: shouwang_core::department::BatchStatus) -> &'static str {
    match s {
        shouwang_core::department::BatchStatus::Imported => "imported",
        shouwang_core::department::BatchStatus::RolledBack => "rolled_back",
    }
}

pub(super) fn channel_name(c: shouwang_core::department::BatchChannel) -> &'static str {
    match c {
        shouwang_core::department::BatchChannel::Command => "command",
        shouwang_core::department::BatchChannel::Upload => "upload",
        shouwang_core::department::BatchChannel::Push => "push",
    }
}

fn batch_json(b: &BatchRecord) -> Value {
    json!({
        "id": b.id,
        "county": b.county,
        "region": b.region,
        "kind": b.kind.slug(),
        "kind_name": b.kind.label_zh(),
        "channel": channel_name(b.channel),
        "file_name": b.file_name,
        "sha256": b.sha256,
        "client_batch_id": b.client_batch_id,
        "period": b.period,
        "rows": b.rows,
        "matched": b.matched,
        "unmatched": b.unmatched,
        "invalid": b.invalid,
        "alerts": b.alerts,
        "leads": b.leads,
        "status": batch_status_name(b.status),
        "created_by": b.created_by,
        "created_at": b.created_at,
        "rolled_back_by": b.rolled_back_by,
        "rolled_back_at": b.rolled_back_at,
        "rollback_reason": b.rollback_reason,
    })
}

fn alert_json(a: &AlertRecord) -> Value {
    json!({
        "id": a.id,
        "batch_id": a.batch_id,
        "kind": a.kind.slug(),
        "rule": a.rule.code(),
        "rule_name": a.rule.name_zh(),
        "rule_name_en": a.rule.name_en(),
        "household_no": a.household_no,
        "village": a.village,
        "person_name": a.person_name,
        "id_number": mask(&a.id_number),
        "level": a.level.label_en(),
        "risk": a.risk,
        "year": a.year,
        "on_date": a.on_date.map(|d| d.to_string()),
        "amount": a.amount,
        "threshold": a.threshold,
        "evidence": a.evidence.zh,
        "evidence_en": a.evidence.en,
        "lead_id": a.lead_id,
        "status": alert_status_name(a.status),
        "created_at": a.created_at,
    })
}

fn unmatched_json(u: &UnmatchedRecord) -> Value {
    json!({
        "id": u.id,
        "batch_id": u.batch_id,
        "kind": u.kind.slug(),
        "row_no": u.row_no,
        "reason": reason_name(u.reason),
        "field": u.field,
        "message": u.message_zh,
        "message_en": u.message_en,
        "id_number": mask(&u.id_number),
        "name": u.name,
        "status": queue_name(u.status),
        "household_no": u.household_no,
        "note": u.note,
    })
}

fn page_json(total: i64, page: i64, per_page: i64, key: &str, rows: Vec<Value>) -> Value {
    let mut v = json!({ "total": total, "page": page, "per_page": per_page });
    v[key] = Value::Array(rows);
    v
}

/// GET /api/v1/dept/batches?kind=&page=&per_page=
async fn batches(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<BatchesQuery>,
) -> Result<Json<Value>, AppError> {
    let v = viewer(&s)?;
    let kind = v.kind(q.kind)?;
    let region = v.region.clone();
    let (limit, offset) = (q.per_page, (q.page - 1) * q.per_page);
    let (rows, total) = state
        .db(move |st| st.dept_batches(&region, kind, limit, offset))
        .await?;
    Ok(Json(page_json(
        total,
        q.page,
        q.per_page,
        "batches",
        rows.iter().map(batch_json).collect(),
    )))
}

/// GET /api/v1/dept/batches/{id}
async fn batch(
    State(state): State<AppState>,
    s: Session,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoParams>,
) -> Result<Json<Value>, AppError> {
    let v = viewer(&s)?;
    let region = v.region.clone();
    let b = state
        .db(move |st| st.dept_batch_in(&region, id))
        .await?
        .filter(|b| v.sees(b.kind))
        .ok_or(AppError::NotFound)?;
    Ok(Json(batch_json(&b)))
}

/// GET /api/v1/dept/alerts?kind=&level=&status=&rule=&batch=&page=&per_page=
async fn alerts(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> Result<Json<Value>, AppError> {
    let v = viewer(&s)?;
    let filter = AlertFilter {
        region: v.region.clone(),
        kind: v.kind(q.kind)?,
        level: q.level,
        status: Some(q.status.unwrap_or(AlertStatus::Open)),
        batch: q.batch,
        rule: q.rule,
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
    };
    let (rows, total) = state.db(move |st| st.dept_alerts(&filter)).await?;
    Ok(Json(page_json(
        total,
        q.page,
        q.per_page,
        "alerts",
        rows.iter().map(alert_json).collect(),
    )))
}

/// GET /api/v1/dept/unmatched?kind=&reason=&status=&batch=&page=&per_page=
async fn unmatched(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<UnmatchedQuery>,
) -> Result<Json<Value>, AppError> {
    let v = viewer(&s)?;
    let filter = UnmatchedFilter {
        region: v.region.clone(),
        kind: v.kind(q.kind)?,
        reason: q.reason,
        status: Some(q.status.unwrap_or(QueueStatus::Open)),
        batch: q.batch,
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
    };
    let (rows, total) = state.db(move |st| st.dept_unmatched(&filter)).await?;
    Ok(Json(page_json(
        total,
        q.page,
        q.per_page,
        "rows",
        rows.iter().map(unmatched_json).collect(),
    )))
}
