//! The JSON API under `/api/v1`, with the same session, CSRF (`X-CSRF-Token` header) and access
//! extractors ([`crate::access`]) as the pages. ID numbers come masked; revealing one is its own
//! audited call. One address takes neither session nor CSRF token: a department's push
//! (`POST /api/v1/dept/{kind}/records`, [`dept_push`]), authenticated by its API token alone.

mod assistance;
pub(crate) mod dept;
mod dept_push;
mod elimination;
mod identification;
mod openapi;
mod query;
mod tasks;
mod visits;

use crate::access::{
    self, BrowsableRegion, EditableHousehold, RevealableHousehold, StandardsRegion,
    VisibleHousehold, WarningsRegion,
};
use crate::auth::{self, Session, SESSION_COOKIE};
use crate::error::{answer, AppError};
use crate::state::{today, AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use query::{ApiPath, ApiQuery, FromQuery, NoParams, Params};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use shouwang_core::access::{Action, Target};
use shouwang_core::id_number::mask;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::{RuleId, WarningLevel};
use shouwang_core::{Household, Member, Problem, ProblemCode, RegionCode};
use shouwang_store::registry::HouseholdRecord;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/v1/login", post(login))
        .route("/v1/me", get(me))
        .route("/v1/regions/{code}", get(region))
        .route("/v1/regions/{code}/households", get(households))
        .route("/v1/households", post(create))
        .route("/v1/households/{no}", get(household).put(update))
        .route("/v1/households/{no}/members/{idx}/reveal", post(reveal))
        .route("/v1/search", get(search))
        .route("/v1/households/{no}/warnings", get(household_warnings))
        .route("/v1/warnings", get(warnings))
        .route("/v1/standards", get(standards))
        .route(
            "/v1/standards/{region}/{year}",
            axum::routing::put(put_standard),
        )
        .route("/v1/calendar", get(calendar).put(put_calendar))
        .merge(identification::routes())
        .merge(tasks::routes())
        .merge(assistance::routes())
        .merge(visits::routes())
        .merge(elimination::routes())
        .merge(dept::routes())
        .merge(dept_push::routes())
        // an address the API does not have answers in the API's shape, not with an empty page,
        // and so does one it has, asked with a method it does not take
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async {
            answer(
                ProblemCode::MethodNotAllowed,
                "该地址不接受此请求方法",
                "this address does not take this method",
            )
        })
}

/// Reads a JSON body, turning axum's rejection into our bilingual 400. A NUL character in any
/// text is refused first, naming the field: no field may hold one (PostgreSQL cannot store it).
fn body<T: DeserializeOwned>(b: Result<Json<Value>, JsonRejection>) -> Result<T, AppError> {
    let Json(v) = b.map_err(|e| AppError::BadRequest(e.body_text()))?;
    if let Some(field) = nul_in(&v, String::new()) {
        return Err(AppError::Invalid(vec![Problem::new(
            ProblemCode::BadRequest,
            field.clone(),
            format!("{field}含有NUL字符（\\u0000）"),
            format!("{field} contains a NUL character (\\u0000)"),
        )]));
    }
    // read again as the call's type, for the rejection that names the field (household.village)
    let bytes = serde_json::to_vec(&v).map_err(|e| AppError::Internal(e.to_string()))?;
    Json::<T>::from_bytes(&bytes)
        .map(|Json(t)| t)
        .map_err(|e| AppError::BadRequest(e.body_text()))
}

/// The path (`members[1].name`) of the first text in `v` that holds a NUL character.
fn nul_in(v: &Value, at: String) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_in(item, format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            let path = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            nul_in(item, path)
        }),
        _ => None,
    }
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// Signs in and returns the CSRF token to send as `X-CSRF-Token` on writes.
async fn login(
    State(state): State<AppState>,
    _: ApiQuery<NoParams>,
    address: auth::ClientAddr,
    headers: axum::http::HeaderMap,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: LoginBody = body(b)?;
    let attempt = auth::Attempt {
        username: b.username,
        password: b.password,
        address,
        previous: auth::previous_session(&headers),
    };
    match auth::login(&state, attempt).await {
        Ok((token, csrf)) => {
            let cookie = auth::set_cookie(
                SESSION_COOKIE,
                &token,
                state.config.max_session_age,
                state.config.secure_cookies,
            );
            Ok((
                [(header::SET_COOKIE, cookie)],
                Json(json!({ "csrf": csrf })),
            )
                .into_response())
        }
        Err(auth::LoginError::Locked(wait)) => Ok(answer(
            ProblemCode::AuthLocked,
            &format!("登录失败次数过多，请{wait}秒后再试"),
            &format!("too many failed sign-ins: try again in {wait} seconds"),
        )),
        Err(auth::LoginError::Wrong) => Ok(answer(
            ProblemCode::AuthWrong,
            "用户名或密码不正确",
            "wrong username or password",
        )),
    }
}

async fn me(s: Session, _: ApiQuery<NoParams>) -> Json<Value> {
    Json(json!({
        "username": s.user.username,
        "display_name": s.user.display_name,
        "role": s.user.role.as_str(),
        "region": s.user.region.as_str(),
        "csrf": s.csrf,
    }))
}

async fn region(
    State(state): State<AppState>,
    _: ApiQuery<NoParams>,
    BrowsableRegion(code): BrowsableRegion,
) -> Result<Json<Value>, AppError> {
    let c = code.clone();
    let (region, children, counts) = state
        .db(move |st| Ok((st.region(&c)?, st.children(&c)?, st.count_in(&c)?)))
        .await?;
    let region = region.ok_or(AppError::NotFound)?;
    Ok(Json(json!({
        "code": region.code, "name": region.name, "households": counts.0, "persons": counts.1, "children": children,
    })))
}

/// A page of a list: from `offset` (at least 0), `limit` rows (1 to 500, 50 if not given).
struct ListQuery {
    offset: i64,
    limit: i64,
}

impl FromQuery for ListQuery {
    const PARAMS: &'static [&'static str] = &["offset", "limit"];
    fn read(q: &Params) -> Result<ListQuery, AppError> {
        Ok(ListQuery {
            offset: q.int("offset")?.unwrap_or(0).max(0),
            limit: q.int("limit")?.unwrap_or(50).clamp(1, 500),
        })
    }
}

async fn households(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
    BrowsableRegion(code): BrowsableRegion,
) -> Result<Json<Value>, AppError> {
    let (offset, limit) = (q.offset, q.limit);
    let (mut rows, total) = state
        .db(move |st| st.households_in(&code, offset, limit))
        .await?;
    for r in &mut rows {
        r.head_id = mask(&r.head_id);
    }
    Ok(Json(
        json!({ "total": total, "offset": offset, "households": rows }),
    ))
}

fn masked(rec: &HouseholdRecord) -> Value {
    let mut members = rec.members.clone();
    for m in &mut members {
        m.id_number = mask(&m.id_number);
    }
    json!({ "county": rec.county, "household": rec.household, "members": members, "version": rec.version, "updated_at": rec.updated_at })
}

async fn household(_: ApiQuery<NoParams>, h: VisibleHousehold) -> Json<Value> {
    Json(masked(&h.record))
}

#[derive(Deserialize)]
struct HouseholdBody {
    household: Household,
    members: Vec<Member>,
    #[serde(default)]
    version: i64,
}

async fn update(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    EditableHousehold(rec): EditableHousehold,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let b: HouseholdBody = body(b)?;
    let no = rec.household.household_no.clone();
    if b.household.household_no != no {
        return Err(AppError::BadRequest(
            "household.household_no differs from the URL".into(),
        ));
    }
    // moving the household elsewhere needs the right to edit there too
    s.scope
        .decide(Action::EditRegistry, Target::Region(&b.household.village))
        .map_err(access::unseen)?;
    // members sent back as they were read keep their masked ID: restore the real one
    let members = b
        .members
        .into_iter()
        .map(|mut m| {
            if m.id_number.contains('*') {
                if let Some(old) = rec
                    .members
                    .iter()
                    .find(|o| mask(&o.id_number) == m.id_number)
                {
                    m.id_number = old.id_number.clone();
                }
            }
            m
        })
        .collect();
    let (actor, scope) = (s.actor(), s.scope.region.clone());
    let (h, v) = (b.household, b.version);
    state
        .db(move |st| st.update_household_in_scope(&actor, &scope, h, members, v, today()))
        .await?;
    let rec = access::visible_household(&state, &s, no).await?.record;
    Ok(Json(masked(&rec)))
}

async fn create(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Response, AppError> {
    let b: HouseholdBody = body(b)?;
    s.scope
        .decide(Action::EditRegistry, Target::Region(&b.household.village))
        .map_err(access::unseen)?;
    let (actor, scope) = (s.actor(), s.scope.region.clone());
    let no = b.household.household_no.clone();
    state
        .db(move |st| st.create_household_in_scope(&actor, &scope, b.household, b.members, today()))
        .await?;
    let rec = access::visible_household(&state, &s, no).await?.record;
    Ok((axum::http::StatusCode::CREATED, Json(masked(&rec))).into_response())
}

async fn reveal(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    RevealableHousehold(h): RevealableHousehold,
    ApiPath((no, idx)): ApiPath<(String, usize)>,
) -> Result<Json<Value>, AppError> {
    let rec = h.record;
    let m = rec.members.get(idx).ok_or(AppError::NotFound)?.clone();
    let (actor, county, key) = (
        s.actor(),
        rec.county.clone(),
        format!("{no}#{}", mask(&m.id_number)),
    );
    state
        .db(move |st| st.audit(&actor, Some(&county), "id.reveal", ("member", &key)))
        .await?;
    Ok(Json(json!({ "id_number": m.id_number })))
}

/// A name (or its beginning), a full ID number or a household number.
struct SearchQuery {
    q: String,
}

impl FromQuery for SearchQuery {
    const PARAMS: &'static [&'static str] = &["q"];
    fn read(q: &Params) -> Result<SearchQuery, AppError> {
        Ok(SearchQuery {
            q: q.raw("q").unwrap_or_default().to_string(),
        })
    }
}

async fn search(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<Value>, AppError> {
    let mut hits = access::search_hits(&state, &s, q.q).await?;
    for h in &mut hits {
        h.id_number = mask(&h.id_number);
    }
    Ok(Json(json!({ "hits": hits })))
}

// ---------------------------------------------------------------- screening (监测预警)

/// A region in the query: a code that parses (whether the caller may see it is the handler's
/// question, answered 404).
fn region_param(q: &Params) -> Result<Option<String>, AppError> {
    q.parse(
        "region",
        |v| RegionCode::parse(v).map(|c| c.as_str().to_string()),
        "2、4、6、9或12位区划代码",
        "a region code of 2, 4, 6, 9 or 12 digits",
    )
}

/// The filters of the warnings list; each one given must parse.
struct WarningsQuery {
    /// read by the [`WarningsRegion`] extractor
    #[allow(dead_code)]
    region: Option<String>,
    level: Option<WarningLevel>,
    risk: Option<RiskType>,
    rule: Option<RuleId>,
    min_age_days: Option<i64>,
    limit: i64,
}

impl FromQuery for WarningsQuery {
    const PARAMS: &'static [&'static str] =
        &["region", "level", "risk", "rule", "min_age_days", "limit"];
    fn read(q: &Params) -> Result<WarningsQuery, AppError> {
        let levels: Vec<&str> = WarningLevel::ALL.iter().map(|l| l.label_en()).collect();
        let risks: Vec<&str> = RiskType::ALL.iter().map(|r| r.label_zh()).collect();
        let rules = format!(
            "{}–{}",
            RuleId::ALL.first().map_or("", |r| r.code()),
            RuleId::ALL.last().map_or("", |r| r.code())
        );
        Ok(WarningsQuery {
            region: region_param(q)?,
            level: q.parse(
                "level",
                shouwang_store::screening::level_of,
                &levels.join("、"),
                &levels.join(", "),
            )?,
            risk: q.parse(
                "risk",
                RiskType::parse_zh,
                &risks.join("、"),
                &risks.join(", "),
            )?,
            rule: q.parse("rule", RuleId::parse, &rules, &rules)?,
            min_age_days: q.int("min_age_days")?,
            limit: q.int("limit")?.unwrap_or(500).clamp(1, 5000),
        })
    }
}

/// Warnings of the latest runs in a region, by level, risk type, rule and age.
async fn warnings(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<WarningsQuery>,
    WarningsRegion(region): WarningsRegion,
) -> Result<Json<Value>, AppError> {
    let filter = shouwang_store::screening::WarningFilter {
        region: region.as_str().to_string(),
        level: q.level,
        risk: q.risk,
        rule: q.rule,
        min_age_days: q.min_age_days,
        limit: q.limit,
    };
    let has_county = region.county().is_some();
    let hits = state
        .db(move |st| {
            if has_county {
                st.warnings(&filter)
            } else {
                Ok(Vec::new())
            }
        })
        .await?;
    Ok(Json(json!({ "region": region, "warnings": hits })))
}

/// A household's warnings with their evidence, and its leads.
async fn household_warnings(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    h: VisibleHousehold,
) -> Result<Json<Value>, AppError> {
    s.scope
        .decide(Action::ViewWarnings, h.target())
        .map_err(access::not_allowed)?;
    let no = h.record.household.household_no;
    let (hits, leads) = state
        .db(move |st| Ok((st.household_warnings(&no)?, st.household_leads(&no)?)))
        .await?;
    Ok(Json(json!({ "warnings": hits, "leads": leads })))
}

struct StandardsQuery {
    /// read by the [`StandardsRegion`] extractor (and by the calendar's `PUT`)
    region: Option<String>,
    year: Option<i32>,
}

impl FromQuery for StandardsQuery {
    const PARAMS: &'static [&'static str] = &["region", "year"];
    fn read(q: &Params) -> Result<StandardsQuery, AppError> {
        Ok(StandardsQuery {
            region: region_param(q)?,
            year: q.int("year")?,
        })
    }
}

/// The standards that apply to a region, and the one in force for the year (field by field,
/// with where each value comes from).
async fn standards(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<StandardsQuery>,
    StandardsRegion(region): StandardsRegion,
) -> Result<Json<Value>, AppError> {
    let year = q.year.unwrap_or_else(|| today().year());
    let r = region.clone();
    let (all, resolved) = state
        .db(move |st| Ok((st.standards_for(&r)?, st.resolved_standard(&r, year).ok())))
        .await?;
    Ok(Json(
        json!({ "region": region, "year": year, "standards": all, "in_force": resolved }),
    ))
}

/// Sets the standard of a region (inside the caller's own region) for a year. Money in 分, as
/// the document says; fields left out inherit from the regions above.
async fn put_standard(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    ApiPath((region, year)): ApiPath<(String, i32)>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let mut fields: Value = body(b)?;
    let region = RegionCode::parse(&region).ok_or(AppError::NotFound)?;
    // the path names the region and year; the body carries the values
    if let Some(o) = fields.as_object_mut() {
        o.insert("region".into(), json!(region.as_str()));
        o.insert("year".into(), json!(year));
    }
    let mut standard: shouwang_core::standard::Standard =
        serde_json::from_value(fields).map_err(|e| AppError::BadRequest(e.to_string()))?;
    // as on the standards page: first the region (one outside the user's is "not found"), then
    // the right to set its standard
    let region = access::asked_region(&s, Action::ViewStandards, Some(region.as_str()))?;
    s.scope
        .decide(Action::SetStandard, Target::Region(&region))
        .map_err(access::not_allowed)?;
    standard.region = region.clone();
    standard.year = year;
    let actor = s.actor();
    let saved = standard.clone();
    state.db(move |st| st.save_standard(&actor, &saved)).await?;
    Ok(Json(json!({ "saved": standard })))
}

// ---------------------------------------------------------------- the working calendar (工作日历)

/// The days of a year that hold in a region (its own and those of the regions above it), each
/// with the region it was entered for.
async fn calendar(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<StandardsQuery>,
    StandardsRegion(region): StandardsRegion,
) -> Result<Json<Value>, AppError> {
    let year = q.year.unwrap_or_else(|| today().year());
    let r = region.clone();
    let days = state.db(move |st| st.calendar_days(&r, year)).await?;
    Ok(Json(
        json!({ "region": region, "year": year, "days": days }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarBody {
    days: Vec<shouwang_core::calendar::CalendarDay>,
}

/// Replaces the days a province, city or county (inside the caller's region) holds for a year;
/// administrators and county officers, audited. Answers the calendar as `GET` does.
async fn put_calendar(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<StandardsQuery>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let b: CalendarBody = body(b)?;
    let region = access::asked_region(&s, Action::ViewStandards, q.region.as_deref())?;
    s.scope
        .decide(Action::ManageCalendar, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let year = q.year.unwrap_or_else(|| today().year());
    let (actor, r) = (s.actor(), region.clone());
    let days = state
        .db(move |st| {
            st.save_calendar_days(&actor, &r, year, &b.days)?;
            st.calendar_days(&r, year)
        })
        .await?;
    Ok(Json(
        json!({ "region": region, "year": year, "days": days }),
    ))
}
