//! 帮扶责任人, pairings and 走访 in the API: persons of a region (list, create, replace), a
//! pairing made or ended, a visit recorded (optionally raising a 干部排查 lead), a household's
//! visits, and the visit duties' compliance of a region.
//!
//! Persons and pairings need `ManagePairings`; visits `RecordVisit` on the household (an
//! assistance person only for a paired household: others are "not found"); the duties
//! `ViewAssistance` in the region. Writes go through `shouwang_app::visits`.

use super::body;
use super::query::{ApiPath, ApiQuery, FromQuery, NoParams, Params};
use super::region_param;
use crate::access;
use crate::auth::Session;
use crate::error::AppError;
use crate::state::{today, AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use shouwang_app::identification::Acting;
use shouwang_app::visits::{self as app, VisitLead};
use shouwang_core::access::{Action, Target};
use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::codes::{Political, Sex};
use shouwang_core::monitoring::RiskType;
use shouwang_core::visit::{Position, Visit};
use shouwang_core::{Date, RegionCode};
use shouwang_store::pairing::{PairingRecord, Person};
use shouwang_store::visits::VisitRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/assistance/persons", get(persons).post(create_person))
        .route("/v1/assistance/persons/{id}", put(replace_person))
        .route("/v1/assistance/pairings", post(pair))
        .route("/v1/assistance/pairings/{id}/end", post(end))
        .route("/v1/visits", get(visits).post(record))
        .route("/v1/visits/duties", get(duties))
}

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id,
        "county": p.county,
        "position": p.person.position,
        "name": p.person.name,
        "sex": p.person.sex,
        "political": p.person.political,
        "unit": p.person.unit,
        "phone": p.person.phone,
        "username": p.username,
        "households": p.households,
    })
}

fn pairing_json(p: &PairingRecord) -> Value {
    json!({
        "id": p.id,
        "person_id": p.person_id,
        "person_name": p.person_name,
        "position": p.position,
        "household_no": p.household_no,
        "village": p.village,
        "head_name": p.head_name,
        "start": p.start,
        "end": p.end,
        "end_reason": p.end_reason,
    })
}

fn visit_json(v: &VisitRecord) -> Value {
    json!({
        "id": v.id,
        "household_no": v.household_no,
        "village": v.village,
        "head_name": v.head_name,
        "on": v.on,
        "visitor": v.visitor,
        "visitor_name": v.visitor_name,
        "position": v.position,
        "person_id": v.person_id,
        "findings": v.findings,
        "follow_up": v.follow_up,
        "lead_id": v.lead_id,
    })
}

// ---------------------------------------------------------------- persons and pairings

struct RegionQuery {
    region: Option<String>,
    q: String,
}

impl FromQuery for RegionQuery {
    const PARAMS: &'static [&'static str] = &["region", "q"];
    fn read(q: &Params) -> Result<RegionQuery, AppError> {
        Ok(RegionQuery {
            region: region_param(q)?,
            q: q.text("q").unwrap_or_default().to_string(),
        })
    }
}

async fn persons(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Value>, AppError> {
    let region = access::asked_region(&s, Action::ManagePairings, q.region.as_deref())?;
    let r = region.clone();
    let list = state.db(move |st| st.persons(&r, &q.q)).await?;
    Ok(Json(json!({
        "region": region.as_str(),
        "persons": list.iter().map(person_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonBody {
    #[serde(default)]
    region: Option<String>,
    position: Position,
    name: String,
    #[serde(default)]
    sex: Option<Sex>,
    #[serde(default)]
    political: Option<Political>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    phone: String,
}

impl PersonBody {
    fn person(&self) -> AssistancePerson {
        AssistancePerson {
            position: self.position,
            name: self.name.clone(),
            sex: self.sex,
            political: self.political,
            unit: self.unit.clone(),
            phone: self.phone.clone(),
        }
    }
}

async fn create_person(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: PersonBody = body(b)?;
    let region = access::asked_region(&s, Action::ManagePairings, b.region.as_deref())?;
    let who = acting(&s);
    let person = b.person();
    let saved = state
        .db(move |st| {
            let id = app::save_person(st, &who, &region, None, &person, None)?;
            st.person(id)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(person_json(&saved))).into_response())
}

/// A person the user may manage: of the county the user's region lies in.
async fn managed(state: &AppState, s: &Session, id: i64) -> Result<Person, AppError> {
    let person = state
        .db(move |st| st.person(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let county = RegionCode::parse(&person.county).ok_or(AppError::NotFound)?;
    if !county.contains(&s.scope.region) && !s.scope.region.contains(&county) {
        return Err(AppError::NotFound);
    }
    s.scope
        .decide(Action::ManagePairings, Target::Region(&s.scope.region))
        .map_err(access::not_allowed)?;
    Ok(person)
}

async fn replace_person(
    State(state): State<AppState>,
    s: Session,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let before = managed(&state, &s, id).await?;
    let b: PersonBody = body(b)?;
    let who = acting(&s);
    let person = b.person();
    let county = RegionCode::parse(&before.county).ok_or(AppError::NotFound)?;
    let saved = state
        .db(move |st| {
            app::save_person(
                st,
                &who,
                &county,
                Some(id),
                &person,
                before.username.as_deref(),
            )?;
            st.person(id)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(person_json(&saved)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairBody {
    person_id: i64,
    household_no: String,
    start: Date,
    #[serde(default)]
    end: Option<Date>,
}

async fn pair(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: PairBody = body(b)?;
    managed(&state, &s, b.person_id).await?;
    access::household_for(
        &state,
        &s,
        b.household_no.clone(),
        Action::ManagePairings,
        access::not_allowed,
    )
    .await?;
    let who = acting(&s);
    let made = state
        .db(move |st| app::pair(st, &who, b.person_id, &b.household_no, b.start, b.end))
        .await?;
    Ok((StatusCode::CREATED, Json(pairing_json(&made))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndBody {
    end: Date,
    #[serde(default)]
    reason: String,
}

async fn end(
    State(state): State<AppState>,
    s: Session,
    ApiPath(id): ApiPath<i64>,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let x = state
        .db(move |st| st.pairing(id))
        .await?
        .ok_or(AppError::NotFound)?;
    managed(&state, &s, x.person_id).await?;
    let b: EndBody = body(b)?;
    let who = acting(&s);
    let ended = state
        .db(move |st| app::end_pairing(st, &who, id, b.end, &b.reason))
        .await?;
    Ok(Json(pairing_json(&ended)))
}

// ---------------------------------------------------------------- visits

struct HouseholdQuery {
    household: String,
}

impl FromQuery for HouseholdQuery {
    const PARAMS: &'static [&'static str] = &["household"];
    fn read(q: &Params) -> Result<HouseholdQuery, AppError> {
        Ok(HouseholdQuery {
            household: q.text("household").unwrap_or_default().to_string(),
        })
    }
}

async fn visits(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> Result<Json<Value>, AppError> {
    if q.household.is_empty() {
        return Err(AppError::NotFound);
    }
    access::household_for(
        &state,
        &s,
        q.household.clone(),
        Action::ViewAssistance,
        access::unseen,
    )
    .await?;
    let no = q.household.clone();
    let list = state.db(move |st| st.visits_of_household(&no)).await?;
    Ok(Json(json!({
        "household_no": q.household,
        "visits": list.iter().map(visit_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitBody {
    household_no: String,
    on: Date,
    position: Position,
    findings: String,
    #[serde(default)]
    follow_up: String,
    #[serde(default)]
    risk: Option<RiskType>,
    #[serde(default)]
    lead_note: String,
}

async fn record(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: VisitBody = body(b)?;
    access::household_for(
        &state,
        &s,
        b.household_no.clone(),
        Action::RecordVisit,
        access::not_allowed,
    )
    .await?;
    let who = acting(&s);
    let name = s.user.display_name.clone();
    let visit = Visit {
        household_no: b.household_no,
        on: b.on,
        position: b.position,
        findings: b.findings,
        follow_up: b.follow_up,
    };
    let lead = b.risk.map(|risk| VisitLead {
        risk,
        note: b.lead_note,
    });
    let today = today();
    let r = state
        .db(move |st| app::record_visit(st, &who, &name, &visit, today, lead.as_ref()))
        .await?;
    Ok((StatusCode::CREATED, Json(visit_json(&r.visit))).into_response())
}

struct DutiesQuery {
    region: Option<String>,
}

impl FromQuery for DutiesQuery {
    const PARAMS: &'static [&'static str] = &["region"];
    fn read(q: &Params) -> Result<DutiesQuery, AppError> {
        Ok(DutiesQuery {
            region: region_param(q)?,
        })
    }
}

async fn duties(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<DutiesQuery>,
) -> Result<Json<Value>, AppError> {
    let region = access::asked_region(&s, Action::ViewAssistance, q.region.as_deref())?;
    let today = today();
    let r = region.clone();
    let c = state.db(move |st| app::compliance(st, &r, today)).await?;
    let periods: Vec<Value> = shouwang_core::visit::duty::DutyPeriods::POSITIONS
        .iter()
        .map(|p| {
            json!({
                "position": p,
                "start": c.periods.current(*p).start,
                "end": c.periods.current(*p).end,
            })
        })
        .collect();
    Ok(Json(json!({
        "region": region.as_str(),
        "on": today,
        "periods": periods,
        "villages": c.villages.iter().map(|v| json!({
            "village": v.village,
            "village_name": v.village_name,
            "position": v.position,
            "due": v.due,
            "done": v.done,
            "overdue": v.overdue,
        })).collect::<Vec<_>>(),
        "holders": c.holders.iter().map(|h| json!({
            "position": h.position,
            "person_id": h.person_id,
            "username": h.username,
            "region": h.region,
            "name": h.name,
            "due": h.due,
            "done": h.done,
            "overdue": h.overdue,
        })).collect::<Vec<_>>(),
    })))
}
