//! 一户一策 in the API: the plan of a case with its measures, the plan's words, adding and
//! changing a measure, and the assistance flags of a region.
//!
//! Reading needs `ViewAssistance` on the household (or the region of the flags), writing
//! `Assist`. A case outside the user's region is "not found", checked before the body is read.
//! Every write answers the plan as it stands after it, with the new `version` to send next; a
//! write on a version someone else has moved on from is answered 409 `stale`, nothing written.

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
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use shouwang_app::assistance as app;
use shouwang_app::identification::Acting;
use shouwang_core::access::{Action, Reach, Target};
use shouwang_core::assistance::flags::FlagKind;
use shouwang_core::assistance::{Measure, MeasureCategory, MeasureState, Plan};
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::assistance::MeasureRecord;
use shouwang_store::identification::CaseRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/plan", get(plan).put(save_plan))
        .route("/v1/cases/{id}/measures", axum::routing::post(add_measure))
        .route("/v1/measures/{id}", put(update_measure))
        .route("/v1/assistance/flags", get(flags))
}

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

/// Case `id` if the user may see its plan (else "not found"), and whether they may write it.
async fn visible_case(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(CaseRecord, bool), AppError> {
    let record = state
        .db(move |st| st.monitoring_case(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let paired = if Action::ViewAssistance.reach(s.user.role) == Reach::Paired {
        let (user, no) = (s.user.id, record.case.household_no.clone());
        state.db(move |st| st.is_paired(user, &no)).await?
    } else {
        false
    };
    let target = Target::Household {
        village: &record.village,
        paired,
    };
    s.scope
        .decide(Action::ViewAssistance, target)
        .map_err(unseen)?;
    let may = s.scope.allows(Action::Assist, target);
    Ok((record, may))
}

async fn writable_case(state: &AppState, s: &Session, id: i64) -> Result<CaseRecord, AppError> {
    let (record, _) = visible_case(state, s, id).await?;
    s.scope
        .decide(
            Action::Assist,
            Target::Household {
                village: &record.village,
                paired: false,
            },
        )
        .map_err(not_allowed)?;
    Ok(record)
}

fn measure_json(r: &MeasureRecord) -> Value {
    let m = &r.measure;
    json!({
        "id": r.id,
        "category": m.category,
        "development": m.category.is_development(),
        "content": m.content,
        "risk": m.risk,
        "start": m.start.to_string(),
        "end": m.end.map(|d| d.to_string()),
        "amount": m.amount.map(|a| a.0),
        "unit": m.unit,
        "responsible": m.responsible,
        "state": m.state,
        "ended_on": m.ended_on.map(|d| d.to_string()),
        "runs_past_elimination": m.category.runs_past_elimination().map(|(zh, _)| zh),
        "version": r.version,
    })
}

/// The plan of a case as it stands, with its measures.
async fn plan_json(state: &AppState, record: CaseRecord) -> Result<Value, AppError> {
    let id = record.id;
    let county = RegionCode::parse(&record.county).unwrap_or_else(|| record.village.clone());
    let (plan, measures, identified_on, limits) = state
        .db(move |st| {
            let on = st.case_identified_on(id)?;
            Ok((
                st.plan_of_case(id)?,
                st.measures_of_case(id)?,
                on,
                app::limits(st, &county, on.year())?,
            ))
        })
        .await?;
    Ok(json!({
        "case_id": id,
        "household_no": record.case.household_no,
        "village": record.village.as_str(),
        "head_name": record.head_name,
        "status": record.case.status,
        "under_assistance": record.case.status == CaseStatus::AtRisk,
        "identified_on": identified_on.to_string(),
        "measures_due": identified_on.add_days(limits.measures_days).to_string(),
        "summary": plan.plan.summary,
        "version": plan.version,
        "measures": measures.iter().map(measure_json).collect::<Vec<_>>(),
    }))
}

/// GET /api/v1/cases/{id}/plan
async fn plan(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    let (record, _) = visible_case(&state, &s, id).await?;
    Ok(Json(plan_json(&state, record).await?))
}

#[derive(Deserialize)]
struct PlanBody {
    summary: String,
    version: i64,
}

/// PUT /api/v1/cases/{id}/plan: the plan in words, at the version read.
async fn save_plan(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    writable_case(&state, &s, id).await?;
    let b: PlanBody = body(b)?;
    let who = acting(&s);
    state
        .db(move |st| app::save_plan(st, &who, id, b.version, &Plan { summary: b.summary }))
        .await?;
    let (record, _) = visible_case(&state, &s, id).await?;
    Ok(Json(plan_json(&state, record).await?))
}

/// A measure as sent: the category, risk and state as their Chinese labels, the amount in 分.
#[derive(Deserialize)]
struct MeasureBody {
    category: MeasureCategory,
    content: String,
    #[serde(default)]
    risk: Option<RiskType>,
    start: Date,
    #[serde(default)]
    end: Option<Date>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    state: Option<MeasureState>,
    #[serde(default)]
    ended_on: Option<Date>,
    version: i64,
}

impl MeasureBody {
    fn measure(&self) -> Measure {
        Measure {
            category: self.category,
            content: self.content.clone(),
            risk: self.risk,
            start: self.start,
            end: self.end,
            amount: self.amount.map(Fen),
            unit: self.unit.clone(),
            responsible: self.responsible.clone(),
            state: self.state.unwrap_or(MeasureState::Planned),
            ended_on: self.ended_on,
        }
    }
}

/// POST /api/v1/cases/{id}/measures: 201 with the plan after it.
async fn add_measure(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    writable_case(&state, &s, id).await?;
    let b: MeasureBody = body(b)?;
    let (who, today, m) = (acting(&s), today(), b.measure());
    state
        .db(move |st| app::add_measure(st, &who, id, b.version, &m, today))
        .await?;
    let (record, _) = visible_case(&state, &s, id).await?;
    Ok((StatusCode::CREATED, Json(plan_json(&state, record).await?)).into_response())
}

/// PUT /api/v1/measures/{id}: the measure changed (or ended: state 已结束 with `ended_on`), the
/// plan read at `version`.
async fn update_measure(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let m = state
        .db(move |st| st.measure(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let case_id = m.case_id;
    writable_case(&state, &s, case_id).await?;
    let b: MeasureBody = body(b)?;
    let (who, today, after) = (acting(&s), today(), b.measure());
    state
        .db(move |st| app::update_measure(st, &who, id, b.version, &after, today))
        .await?;
    let (record, _) = visible_case(&state, &s, case_id).await?;
    Ok(Json(plan_json(&state, record).await?))
}

struct FlagsQuery {
    region: Option<String>,
    kind: FlagKind,
    page: i64,
    per_page: i64,
}

impl FromQuery for FlagsQuery {
    const PARAMS: &'static [&'static str] = &["region", "kind", "page", "per_page"];
    fn read(q: &Params) -> Result<FlagsQuery, AppError> {
        let kind = q.parse(
            "kind",
            |v| {
                FlagKind::ALL.iter().copied().find(|k| {
                    v == k.label_zh() || v.eq_ignore_ascii_case(k.label_en()) || v == k.code().to_string()
                })
            },
            "1、2或3（措施未按时落实、有劳动力无开发式帮扶、绿色通道程序超期）",
            "1, 2 or 3 (no measure in time, labour capacity without a development measure, green channel overdue)",
        )?;
        Ok(FlagsQuery {
            region: region_param(q)?,
            kind: kind.unwrap_or(FlagKind::NoMeasure),
            page: q.int("page")?.unwrap_or(1).max(1),
            per_page: q.int("per_page")?.unwrap_or(50).clamp(1, 500),
        })
    }
}

/// GET /api/v1/assistance/flags?region=&kind=&page=&per_page=
async fn flags(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<FlagsQuery>,
) -> Result<Json<Value>, AppError> {
    let region = access::asked_region(&s, Action::ViewAssistance, q.region.as_deref())?;
    let (r, kind, today) = (region.clone(), q.kind, today());
    let offset = (q.page - 1).saturating_mul(q.per_page);
    let per_page = q.per_page;
    let list = state
        .db(move |st| app::flag_list(st, &r, kind, today, offset, per_page))
        .await?;
    let households: Vec<Value> = list
        .rows
        .iter()
        .map(|(h, f)| {
            json!({
                "case_id": h.case_id,
                "identification_id": h.identification_id,
                "household_no": h.household_no,
                "head_name": h.head_name,
                "village": h.village.as_str(),
                "group": h.group,
                "since_on": f.since_on.to_string(),
                "elapsed": f.elapsed,
                "limit": f.limit,
                "zh": f.zh,
                "en": f.en,
            })
        })
        .collect();
    Ok(Json(json!({
        "region": region.as_str(),
        "kind": kind.code(),
        "measures_days": list.limits.measures_days,
        "development_months": list.limits.development_months,
        "counts": {
            "no_measure": list.counts.no_measure,
            "no_development": list.counts.no_development,
            "green_channel": list.counts.green_channel,
        },
        "total": list.counts.of(kind),
        "page": q.page,
        "per_page": q.per_page,
        "households": households,
    })))
}
