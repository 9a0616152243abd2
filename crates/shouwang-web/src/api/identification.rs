//! 识别认定 in the API: leads (风险线索), the procedure of a household with its steps, the
//! village's public notice and the monitoring case a procedure ends in.
//!
//! Reading needs `ViewCases` on the household (or the region of a list), writing `Identify`;
//! core decides which role takes which step. A lead, procedure or case outside the user's region
//! is "not found", exactly as one that does not exist, and is checked before the body is read,
//! so that no answer says anything about it; what the user's role may never do to something
//! they can see is "not allowed". Writes go through `shouwang_app::identification`; a step taken
//! on a version someone else has moved on from is answered 409 `stale`, nothing written.

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
use shouwang_app::identification::{self as app, Acting, Clock, Sighting};
use shouwang_core::access::{Action, Reach, Target};
use shouwang_core::identification::deadline::Urgency;
use shouwang_core::identification::{Stage, Step};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::identification::{IdentificationFilter, IdentificationRecord};
use shouwang_store::leads::{Lead, LeadFilter};
use shouwang_store::{Store, StoreError};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/leads", get(leads).post(raise))
        .route("/v1/leads/{id}", get(lead))
        .route("/v1/leads/{id}/dismiss", post(dismiss))
        .route("/v1/leads/{id}/merge", post(merge))
        .route("/v1/identifications", get(procedures).post(open))
        .route("/v1/identifications/{id}", get(procedure))
        .route("/v1/identifications/{id}/leads", post(gather))
        .route("/v1/identifications/{id}/steps", post(step))
        .route("/v1/villages/{code}/notice", get(notice))
        .route("/v1/cases/{id}", get(case))
}

// ---------------------------------------------------------------- who may

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

/// Whether the user may see what household `no` of `village` has in the procedure: else "not
/// found". An assistance person sees only the households paired with them.
async fn seen(
    state: &AppState,
    s: &Session,
    village: &RegionCode,
    no: &str,
) -> Result<(), AppError> {
    let paired = if Action::ViewCases.reach(s.user.role) == Reach::Paired {
        let (user, no) = (s.user.id, no.to_string());
        state.db(move |st| st.is_paired(user, &no)).await?
    } else {
        false
    };
    s.scope
        .decide(Action::ViewCases, Target::Household { village, paired })
        .map_err(unseen)
}

/// Whether the user may take part in the procedure of a household of `village` they can see.
fn may_act(s: &Session, village: &RegionCode) -> Result<(), AppError> {
    s.scope
        .decide(
            Action::Identify,
            Target::Household {
                village,
                paired: false,
            },
        )
        .map_err(not_allowed)
}

async fn visible_lead(state: &AppState, s: &Session, id: i64) -> Result<Lead, AppError> {
    let lead = state
        .db(move |st| st.lead(id))
        .await?
        .ok_or(AppError::NotFound)?;
    seen(state, s, &lead.village, &lead.household_no).await?;
    Ok(lead)
}

async fn visible_procedure(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<IdentificationRecord, AppError> {
    let record = state
        .db(move |st| st.identification(id))
        .await?
        .ok_or(AppError::NotFound)?;
    seen(state, s, &record.village, &record.household_no).await?;
    Ok(record)
}

// ---------------------------------------------------------------- the query

/// A value of a code list, given as its Chinese label, its English label or its number.
fn listed<T: Copy>(
    q: &Params,
    name: &str,
    all: &[T],
    labels: impl Fn(T) -> (i64, &'static str, &'static str),
) -> Result<Option<T>, AppError> {
    let zh: Vec<&str> = all.iter().map(|t| labels(*t).1).collect();
    let en: Vec<&str> = all.iter().map(|t| labels(*t).2).collect();
    q.parse(
        name,
        |v| {
            all.iter().copied().find(|t| {
                let (code, zh, en) = labels(*t);
                v == zh || v.eq_ignore_ascii_case(en) || v == code.to_string()
            })
        },
        &zh.join("、"),
        &en.join(", "),
    )
}

/// `overdue=1` (or `true`): only what is past its due date today.
fn flag(q: &Params, name: &str) -> Result<bool, AppError> {
    Ok(q.parse(
        name,
        |v| match v {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        "1或0",
        "1 or 0",
    )?
    .unwrap_or(false))
}

/// Pages of a list: `page` from 1, `per_page` rows (1 to 500, 50 if not given).
#[derive(Clone, Copy)]
struct Paging {
    page: i64,
    per_page: i64,
}

impl Paging {
    fn read(q: &Params) -> Result<Paging, AppError> {
        Ok(Paging {
            page: q.int("page")?.unwrap_or(1).max(1),
            per_page: q.int("per_page")?.unwrap_or(50).clamp(1, 500),
        })
    }
    fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

struct LeadsQuery {
    region: Option<String>,
    status: Option<LeadStatus>,
    source: Option<LeadSource>,
    risk: Option<RiskType>,
    overdue: bool,
    paging: Paging,
}

impl FromQuery for LeadsQuery {
    const PARAMS: &'static [&'static str] = &[
        "region", "status", "source", "risk", "overdue", "page", "per_page",
    ];
    fn read(q: &Params) -> Result<LeadsQuery, AppError> {
        Ok(LeadsQuery {
            region: region_param(q)?,
            status: listed(q, "status", LeadStatus::ALL, |t| {
                (t.code(), t.label_zh(), t.label_en())
            })?,
            source: listed(q, "source", LeadSource::ALL, |t| {
                (t.code(), t.label_zh(), t.label_en())
            })?,
            risk: listed(q, "risk", RiskType::ALL, |t| {
                (t.code(), t.label_zh(), t.label_en())
            })?,
            overdue: flag(q, "overdue")?,
            paging: Paging::read(q)?,
        })
    }
}

struct ProceduresQuery {
    region: Option<String>,
    stage: Option<Stage>,
    overdue: bool,
    paging: Paging,
}

impl FromQuery for ProceduresQuery {
    const PARAMS: &'static [&'static str] = &["region", "stage", "overdue", "page", "per_page"];
    fn read(q: &Params) -> Result<ProceduresQuery, AppError> {
        Ok(ProceduresQuery {
            region: region_param(q)?,
            stage: listed(q, "stage", Stage::ALL, |t| {
                (t.code(), t.label_zh(), t.label_en())
            })?,
            overdue: flag(q, "overdue")?,
            paging: Paging::read(q)?,
        })
    }
}

struct NoticeQuery {
    date: Option<Date>,
}

impl FromQuery for NoticeQuery {
    const PARAMS: &'static [&'static str] = &["date"];
    fn read(q: &Params) -> Result<NoticeQuery, AppError> {
        Ok(NoticeQuery {
            date: q.parse(
                "date",
                Date::parse,
                "日期（YYYY-MM-DD）",
                "a date YYYY-MM-DD",
            )?,
        })
    }
}

// ---------------------------------------------------------------- the answers

fn lead_json(l: &Lead, today: Date) -> Value {
    let open = l.status == LeadStatus::Open;
    json!({
        "id": l.id,
        "household_no": l.household_no,
        "village": l.village.as_str(),
        "head_name": l.head_name,
        "group": l.group,
        "risk": l.risk,
        "level": l.level,
        "rules": l.rules,
        "source": l.source,
        "found_on": l.found_on,
        "due_on": l.due_on,
        "remaining_days": open.then(|| l.due_on.to_days() - today.to_days()),
        "overdue": open && l.due_on < today,
        "status": l.status,
        "note": l.note,
        "created_by": l.created_by,
        "identification_id": l.identification_id,
        "merged_into": l.merged_into,
        "closed_reason": l.closed_reason,
        "closed_by": l.closed_by,
        "overdue_since": l.overdue_since,
    })
}

fn urgency_label(u: Urgency) -> &'static str {
    match u {
        Urgency::OnTime => "on_time",
        Urgency::DueSoon => "due_soon",
        Urgency::Overdue => "overdue",
    }
}

/// The clocks of the procedures read, one per county and year (the year the lead was found).
#[derive(Default)]
struct Clocks(HashMap<(String, i32), Clock>);

impl Clocks {
    fn of(&mut self, st: &Store, r: &IdentificationRecord) -> Result<Clock, StoreError> {
        let key = (r.county.clone(), r.ident.found_on.year());
        if let Some(c) = self.0.get(&key) {
            return Ok(c.clone());
        }
        let county = r.village.county().unwrap_or_else(|| r.village.clone());
        let clock = app::clock(st, &county, key.1)?;
        self.0.insert(key, clock.clone());
        Ok(clock)
    }
}

fn procedure_json(r: &IdentificationRecord, clock: &Clock, today: Date) -> Value {
    let i = &r.ident;
    let open = i.stage.is_open();
    let left = |due: Date| open.then(|| clock.deadlines.remaining(&clock.calendar, today, due));
    json!({
        "id": r.id,
        "household_no": r.household_no,
        "village": r.village.as_str(),
        "head_name": r.head_name,
        "group": r.group,
        "version": r.version,
        "stage": i.stage,
        "owner": i.stage.owner().map(|o| o.as_str()),
        "found_on": i.found_on,
        "due_on": i.due_on,
        "stage_since": i.stage_since,
        "stage_due": i.stage_due,
        "remaining_days": left(i.due_on),
        "stage_remaining_days": left(i.stage_due),
        "urgency": i.urgency(today, &clock.deadlines, &clock.calendar).map(urgency_label),
        "green_channel": i.green_channel.is_some(),
        "case_id": r.case_id,
        "created_by": r.created_by,
        "overdue_since": r.overdue_since,
        "procedure": i,
    })
}

/// A procedure with its steps in order and the leads it gathered.
pub(super) async fn procedure_detail(state: &AppState, id: i64) -> Result<Value, AppError> {
    let today = today();
    state
        .db(move |st| {
            let r = st.identification(id)?.ok_or(StoreError::NotFound)?;
            let clock = Clocks::default().of(st, &r)?;
            let steps = st.identification_steps(id)?;
            let leads = st.leads_of_identification(id)?;
            let mut v = procedure_json(&r, &clock, today);
            v["steps"] = serde_json::to_value(&steps).unwrap_or_default();
            v["leads"] = Value::Array(leads.iter().map(|l| lead_json(l, today)).collect());
            Ok(v)
        })
        .await
}

// ---------------------------------------------------------------- leads

/// A page of the region's leads (still waiting unless `status` says otherwise), soonest due
/// first, with how many match in all.
async fn leads(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<LeadsQuery>,
) -> Result<Json<Value>, AppError> {
    let region = access::asked_region(&s, Action::ViewCases, q.region.as_deref())?;
    let today = today();
    let filter = LeadFilter {
        region: region.clone(),
        status: q.status,
        source: q.source,
        risk: q.risk,
        due_before: q.overdue.then_some(today),
        offset: q.paging.offset(),
        limit: q.paging.per_page,
    };
    let (rows, total) = state.db(move |st| st.leads(&filter)).await?;
    Ok(Json(json!({
        "region": region.as_str(),
        "total": total,
        "page": q.paging.page,
        "per_page": q.paging.per_page,
        "leads": rows.iter().map(|l| lead_json(l, today)).collect::<Vec<_>>(),
    })))
}

async fn lead(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    let lead = visible_lead(&state, &s, id).await?;
    Ok(Json(lead_json(&lead, today())))
}

#[derive(Deserialize)]
struct RaiseBody {
    household_no: String,
    risk: RiskType,
    level: WarningLevel,
    source: LeadSource,
    note: String,
}

/// Raises a lead by hand: a cadre's check, a 12317 call, a department's warning or the
/// household's own report. A screening's leads come from the screening only.
async fn raise(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: RaiseBody = body(b)?;
    let no = b.household_no.clone();
    let household = state
        .db(move |st| st.household(&no))
        .await?
        .ok_or(AppError::NotFound)?;
    let village = household.household.village.clone();
    seen(&state, &s, &village, &b.household_no).await?;
    may_act(&s, &village)?;
    if b.source == LeadSource::Screening {
        return Err(AppError::Invalid(vec![Problem::new(
            ProblemCode::Invalid,
            "source",
            "“系统筛查”的线索由筛查产生，手工录入请选择其他发现途径",
            "screening leads come from a screening run; choose another source for a lead raised by hand",
        )]));
    }
    let who = acting(&s);
    let sighting = Sighting {
        household_no: b.household_no,
        risk: b.risk,
        level: b.level,
        source: b.source,
        note: b.note,
    };
    let today = today();
    let lead = state
        .db(move |st| app::raise_lead(st, &who, &sighting, today))
        .await?;
    Ok((StatusCode::CREATED, Json(lead_json(&lead, today))).into_response())
}

#[derive(Deserialize)]
struct DismissBody {
    reason: String,
}

/// Dismisses an open lead with a reason (排除); it stays in the household's history.
async fn dismiss(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let lead = visible_lead(&state, &s, id).await?;
    may_act(&s, &lead.village)?;
    let b: DismissBody = body(b)?;
    let who = acting(&s);
    let after = state
        .db(move |st| app::dismiss_lead(st, &who, id, &b.reason))
        .await?;
    Ok(Json(lead_json(&after, today())))
}

#[derive(Deserialize)]
struct MergeBody {
    into: i64,
    reason: String,
}

/// Merges an open lead into another waiting lead of the same household (合并重复线索).
async fn merge(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let lead = visible_lead(&state, &s, id).await?;
    may_act(&s, &lead.village)?;
    let b: MergeBody = body(b)?;
    // the lead merged into must be one the user sees, or the answer would tell it exists
    visible_lead(&state, &s, b.into).await?;
    let who = acting(&s);
    let after = state
        .db(move |st| app::merge_lead(st, &who, id, b.into, &b.reason))
        .await?;
    Ok(Json(lead_json(&after, today())))
}

// ---------------------------------------------------------------- procedures

/// A page of the region's procedures (the open ones unless `stage` names another), the current
/// stage soonest due first.
async fn procedures(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<ProceduresQuery>,
) -> Result<Json<Value>, AppError> {
    let region = access::asked_region(&s, Action::ViewCases, q.region.as_deref())?;
    let today = today();
    let filter = IdentificationFilter {
        region: region.clone(),
        stage: q.stage,
        due_before: q.overdue.then_some(today),
        offset: q.paging.offset(),
        limit: q.paging.per_page,
    };
    let (rows, total) = state
        .db(move |st| {
            let (rows, total) = st.identifications(&filter)?;
            let mut clocks = Clocks::default();
            let rows = rows
                .iter()
                .map(|r| Ok(procedure_json(r, &clocks.of(st, r)?, today)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((rows, total))
        })
        .await?;
    Ok(Json(json!({
        "region": region.as_str(),
        "total": total,
        "page": q.paging.page,
        "per_page": q.paging.per_page,
        "identifications": rows,
    })))
}

async fn procedure(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    visible_procedure(&state, &s, id).await?;
    Ok(Json(procedure_detail(&state, id).await?))
}

#[derive(Deserialize)]
struct OpenBody {
    leads: Vec<i64>,
}

/// Opens the procedure of a household on some of its open leads.
async fn open(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: OpenBody = body(b)?;
    for id in &b.leads {
        let lead = visible_lead(&state, &s, *id).await?;
        may_act(&s, &lead.village)?;
    }
    let who = acting(&s);
    let today = today();
    let opened = state
        .db(move |st| app::open(st, &who, &b.leads, today))
        .await?;
    let detail = procedure_detail(&state, opened.id).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

#[derive(Deserialize)]
struct GatherBody {
    version: i64,
    leads: Vec<i64>,
}

/// Gathers more open leads of the household into its open procedure.
async fn gather(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let record = visible_procedure(&state, &s, id).await?;
    may_act(&s, &record.village)?;
    let b: GatherBody = body(b)?;
    for lead in &b.leads {
        visible_lead(&state, &s, *lead).await?;
    }
    let who = acting(&s);
    state
        .db(move |st| app::gather(st, &who, id, b.version, &b.leads))
        .await?;
    Ok(Json(procedure_detail(&state, id).await?))
}

#[derive(Deserialize)]
struct StepBody {
    version: i64,
    step: Step,
}

/// Takes one step of a procedure as read at `version`: 200 with the procedure after it; 409
/// when someone acted first; 403 when the step is not the user's role's; 422 with the problems.
async fn step(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let record = visible_procedure(&state, &s, id).await?;
    may_act(&s, &record.village)?;
    let b: StepBody = body(b)?;
    let who = acting(&s);
    let today = today();
    state
        .db(move |st| app::take_step(st, &who, id, b.version, &b.step, today))
        .await?;
    Ok(Json(procedure_detail(&state, id).await?))
}

// ---------------------------------------------------------------- the notice and the case

/// The households of a village under notice on a day (today if not given), as the printed
/// notice lists them: the head's name, the group, the proposed type and risks, the notice's
/// dates and where to object. No ID number, phone, bank account or health detail.
async fn notice(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<NoticeQuery>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let village = access::asked_region(&s, Action::ViewCases, Some(&code))?;
    if village.level() != shouwang_core::region::RegionLevel::Village {
        return Err(AppError::NotFound);
    }
    let on = q.date.unwrap_or_else(today);
    let v = village.clone();
    let (region, rows) = state
        .db(move |st| Ok((st.region(&v)?, st.notice_rows(&v, on)?)))
        .await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let proposal = r.ident.appraisal.as_ref().and_then(|a| a.proposal.as_ref());
            let notice = r.ident.notice.as_ref();
            json!({
                "head_name": r.head_name,
                "group": r.group,
                "case_type": proposal.map(|p| p.case_type),
                "risks": proposal.map_or(&r.ident.risks, |p| &p.risks),
                "start": notice.map(|n| n.start),
                "end": notice.map(|n| n.end),
                "contact": notice.map_or("", |n| n.contact.as_str()),
            })
        })
        .collect();
    Ok(Json(json!({
        "village": village.as_str(),
        "village_name": region.map(|r| r.name).unwrap_or_default(),
        "date": on,
        "households": rows,
    })))
}

/// A monitoring case: its type, risks, level and status, the month it was identified, and the
/// procedure it came from (none for a case a ledger brought).
async fn case(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    let (record, procedure) = state
        .db(move |st| {
            let Some(record) = st.monitoring_case(id)? else {
                return Ok((None, None));
            };
            Ok((Some(record), st.identification_of_case(id)?.map(|r| r.id)))
        })
        .await?;
    let record = record.ok_or(AppError::NotFound)?;
    seen(&state, &s, &record.village, &record.case.household_no).await?;
    let c = &record.case;
    Ok(Json(json!({
        "id": record.id,
        "household_no": c.household_no,
        "village": record.village.as_str(),
        "head_name": record.head_name,
        "case_type": c.case_type,
        "risks": c.risks,
        "level": record.level,
        "status": c.status,
        "identified": c.identified.to_string(),
        "identification_id": procedure,
    })))
}
