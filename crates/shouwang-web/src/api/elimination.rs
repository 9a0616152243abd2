//! 风险消除 in the API: a case's conditions and what it keeps, opening its elimination procedure,
//! 兜底保障, 风险再标注, and the open cases of a region that could be closed now. The procedure's
//! steps are those of `/api/v1/identifications/{id}/steps`, which reads its purpose.
//!
//! Reading needs `ViewCases` on the household (or the region of the list); opening and
//! re-flagging `Identify`; 兜底保障 `Assist`. A case outside the user's region is "not found".

use super::body;
use super::query::{ApiPath, ApiQuery, FromQuery, NoParams, Params};
use super::region_param;
use crate::access::{self, not_allowed, unseen};
use crate::auth::Session;
use crate::error::AppError;
use crate::state::{today, AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use shouwang_app::elimination::{self as app, CaseCheck};
use shouwang_app::identification::Acting;
use shouwang_core::access::{Action, Reach, Target};
use shouwang_core::monitoring::{CaseStatus, EliminationKind, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::RegionCode;
use shouwang_store::elimination::CaseClosure;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/elimination", get(case).post(open))
        .route("/v1/cases/{id}/safety-net", post(safety_net))
        .route("/v1/cases/{id}/reflag", post(reflag))
        .route("/v1/elimination/candidates", get(candidates))
}

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

/// The case if the user sees its household and may do `action` there.
async fn visible(
    state: &AppState,
    s: &Session,
    id: i64,
    action: Action,
) -> Result<CaseClosure, AppError> {
    let closure = state
        .db(move |st| st.case_closure(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let no = closure.household_no.clone();
    let village = state
        .db(move |st| Ok(st.household(&no)?.map(|h| h.household.village)))
        .await?
        .ok_or(AppError::NotFound)?;
    let paired = if Action::ViewCases.reach(s.user.role) == Reach::Paired {
        let (user, no) = (s.user.id, closure.household_no.clone());
        state.db(move |st| st.is_paired(user, &no)).await?
    } else {
        false
    };
    let target = Target::Household {
        village: &village,
        paired,
    };
    s.scope.decide(Action::ViewCases, target).map_err(unseen)?;
    s.scope.decide(action, target).map_err(not_allowed)?;
    Ok(closure)
}

fn check_json(c: &CaseCheck) -> Value {
    let ch = &c.check;
    let kinds: Vec<EliminationKind> = EliminationKind::ALL
        .iter()
        .filter(|k| ch.passes(**k))
        .copied()
        .collect();
    json!({
        "case_id": c.case.case_id,
        "household_no": c.case.household_no,
        "village": c.case.village.as_str(),
        "head_name": c.case.head_name,
        "status": c.case.status,
        "version": c.case.version,
        "safety_net": c.case.safety_net,
        "identified_on": c.case.facts.identified_on,
        "on": ch.on,
        "verdict": ch.verdict(),
        "without_labour": ch.without_labour,
        "closable_as": kinds,
        "per_capita": ch.income.as_ref().and_then(|f| f.per_capita).map(|f| f.0),
        "line": c.case.facts.line.0,
        "conditions": ch.conditions.iter().map(|x| json!({"id": x.id, "met": x.met, "zh": x.zh, "en": x.en})).collect::<Vec<_>>(),
    })
}

async fn case_json(state: &AppState, id: i64) -> Result<Value, AppError> {
    let today = today();
    let (closure, checked) = state
        .db(move |st| {
            let closure = st
                .case_closure(id)?
                .ok_or(shouwang_store::StoreError::NotFound)?;
            let checked = if closure.status == CaseStatus::AtRisk {
                Some(app::check_case(st, id, today)?)
            } else {
                None
            };
            Ok((closure, checked))
        })
        .await?;
    Ok(json!({
        "case_id": closure.case_id,
        "household_no": closure.household_no,
        "status": closure.status,
        "version": closure.version,
        "safety_net": closure.safety_net,
        "kind": closure.kind,
        "eliminated_on": closure.eliminated_on,
        "contact_name": closure.contact_name,
        "contact_phone": closure.contact_phone,
        "snapshot": closure.snapshot,
        "procedures": closure.procedures.iter().map(|(i, st)| json!({"id": i, "stage": st})).collect::<Vec<_>>(),
        "reflags": closure.reflags,
        "check": checked.iter().map(check_json).collect::<Vec<_>>(),
    }))
}

/// GET /api/v1/cases/{id}/elimination
async fn case(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    visible(&state, &s, id, Action::ViewCases).await?;
    Ok(Json(case_json(&state, id).await?))
}

#[derive(Deserialize)]
struct OpenBody {
    #[serde(default)]
    kind: Option<EliminationKind>,
    #[serde(default)]
    on: Option<shouwang_core::Date>,
}

/// POST /api/v1/cases/{id}/elimination
async fn open(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    visible(&state, &s, id, Action::Identify).await?;
    let b: OpenBody = body(b)?;
    let kind = b.kind.unwrap_or(EliminationKind::AfterAssistance);
    let who = acting(&s);
    let today = today();
    let on = b.on.unwrap_or(today);
    let rec = state
        .db(move |st| app::open(st, &who, id, kind, on, today))
        .await?;
    let detail = super::identification::procedure_detail(&state, rec.id).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

#[derive(Deserialize)]
struct SafetyNetBody {
    version: i64,
}

/// POST /api/v1/cases/{id}/safety-net
async fn safety_net(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    visible(&state, &s, id, Action::Assist).await?;
    let b: SafetyNetBody = body(b)?;
    let who = acting(&s);
    let today = today();
    state
        .db(move |st| app::mark_safety_net(st, &who, id, b.version, today))
        .await?;
    Ok(Json(case_json(&state, id).await?))
}

#[derive(Deserialize)]
struct ReflagBody {
    risk: RiskType,
    #[serde(default)]
    level: Option<WarningLevel>,
    note: String,
}

/// POST /api/v1/cases/{id}/reflag
async fn reflag(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    visible(&state, &s, id, Action::Identify).await?;
    let b: ReflagBody = body(b)?;
    let what = app::Reflag {
        risk: b.risk,
        level: b.level.unwrap_or(WarningLevel::Yellow),
        note: b.note,
    };
    let who = acting(&s);
    let today = today();
    let rec = state
        .db(move |st| app::reflag(st, &who, id, &what, today))
        .await?;
    let detail = super::identification::procedure_detail(&state, rec.id).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

struct CandidatesQuery {
    region: Option<String>,
    page: i64,
    per_page: i64,
}

impl FromQuery for CandidatesQuery {
    const PARAMS: &'static [&'static str] = &["region", "page", "per_page"];
    fn read(q: &Params) -> Result<CandidatesQuery, AppError> {
        Ok(CandidatesQuery {
            region: region_param(q)?,
            page: q.int("page")?.unwrap_or(1).max(1),
            per_page: q.int("per_page")?.unwrap_or(50).clamp(1, 500),
        })
    }
}

/// GET /api/v1/elimination/candidates?region=
async fn candidates(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<CandidatesQuery>,
) -> Result<Json<Value>, AppError> {
    let region: RegionCode = access::asked_region(&s, Action::ViewCases, q.region.as_deref())?;
    let today = today();
    let r = region.clone();
    let found = state.db(move |st| app::candidates(st, &r, today)).await?;
    let skip = ((q.page - 1).saturating_mul(q.per_page)).max(0) as usize;
    Ok(Json(json!({
        "region": region.as_str(),
        "on": today,
        "open": found.open,
        "closable": found.closable,
        "not_yet": found.not_yet,
        "safety_net": found.safety_net,
        "page": q.page,
        "per_page": q.per_page,
        "cases": found.cases.iter().skip(skip).take(q.per_page as usize).map(check_json).collect::<Vec<_>>(),
    })))
}
