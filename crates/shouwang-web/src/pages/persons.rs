//! 帮扶责任人 and 家庭签约医生 in the browser (`Action::ManagePairings`): the persons of a region
//! (`/assistance/persons`) with a form for a new one; a person's page with the national form's
//! fields, current and past pairings, a pairing with a household by its number, ending a pairing
//! and reassigning a household to another person (the history stays).

use super::visits::{acting, position_word};
use super::{render, saved, Crumb, Ctx};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::visits as app;
use shouwang_core::access::{Action, Target};
use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::codes::{Political, Sex};
use shouwang_core::visit::Position;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::pairing::{PairingRecord, Person};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assistance/persons", get(list).post(create))
        .route("/assistance/persons/{id}", get(detail).post(edit))
        .route("/assistance/persons/{id}/pair", post(pair))
        .route("/assistance/pairings/{id}/end", post(end))
        .route("/assistance/pairings/{id}/reassign", post(reassign))
}

type Params = HashMap<String, String>;

fn value(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn texts(l: L, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            if l.is_en() {
                p.en.clone()
            } else {
                p.zh.clone()
            }
        })
        .collect()
}

struct PersonRow {
    id: i64,
    name: String,
    position: String,
    unit: String,
    phone: String,
    households: i64,
}

/// The choices of the person form: (value, label, chosen).
struct Choices {
    positions: Vec<(String, String, bool)>,
    sexes: Vec<(String, String, bool)>,
    politicals: Vec<(String, String, bool)>,
}

fn choices(l: L, p: Option<&AssistancePerson>) -> Choices {
    Choices {
        positions: [Position::AssistancePerson, Position::FamilyDoctor]
            .iter()
            .map(|x| {
                (
                    x.code().to_string(),
                    position_word(l, *x),
                    p.is_some_and(|p| p.position == *x),
                )
            })
            .collect(),
        sexes: Sex::ALL
            .iter()
            .map(|x| {
                (
                    x.code().to_string(),
                    l.t(x.label_zh(), x.label_en()).to_string(),
                    p.is_some_and(|p| p.sex == Some(*x)),
                )
            })
            .collect(),
        politicals: Political::ALL
            .iter()
            .map(|x| {
                (
                    x.code().to_string(),
                    l.t(x.label_zh(), x.label_en()).to_string(),
                    p.is_some_and(|p| p.political == Some(*x)),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "persons.html")]
struct ListPage {
    ctx: Ctx,
    region: String,
    q: String,
    rows: Vec<PersonRow>,
    form: Choices,
    name: String,
    unit: String,
    phone: String,
    errors: Vec<String>,
}

async fn list(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let region = access::asked_region(
        &s,
        Action::ManagePairings,
        q.get("region").map(String::as_str),
    )?;
    list_page(
        &state,
        &s,
        region,
        q.get("q").cloned().unwrap_or_default(),
        &[],
        &[],
        StatusCode::OK,
    )
    .await
}

async fn list_page(
    state: &AppState,
    s: &Session,
    region: RegionCode,
    q: String,
    form: &[(String, String)],
    problems: &[Problem],
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let (r, key) = (region.clone(), q.clone());
    let persons = state.db(move |st| st.persons(&r, &key)).await?;
    let rows = persons
        .iter()
        .map(|p| PersonRow {
            id: p.id,
            name: p.person.name.clone(),
            position: position_word(l, p.person.position),
            unit: p.person.unit.clone(),
            phone: p.person.phone.clone(),
            households: p.households,
        })
        .collect();
    let page = ListPage {
        ctx: Ctx::of(s).crumbs(vec![Crumb::here(l.t("帮扶责任人", "Assistance persons"))]),
        region: region.to_string(),
        q,
        rows,
        form: choices(l, None),
        name: value(form, "name"),
        unit: value(form, "unit"),
        phone: value(form, "phone"),
        errors: texts(l, problems),
    };
    Ok((status, render(page)).into_response())
}

/// The person of a form; a choice that is no code of its list reads as none.
fn person_of(form: &[(String, String)]) -> AssistancePerson {
    let code = |name: &str| value(form, name).parse::<i64>().ok();
    AssistancePerson {
        position: code("position")
            .and_then(Position::from_code)
            .unwrap_or(Position::AssistancePerson),
        name: value(form, "name"),
        sex: code("sex").and_then(Sex::from_code),
        political: code("political").and_then(Political::from_code),
        unit: value(form, "unit"),
        phone: value(form, "phone"),
    }
}

async fn create(
    State(state): State<AppState>,
    s: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let region = access::asked_region(&s, Action::ManagePairings, Some(&value(&form, "region")))?;
    let person = person_of(&form);
    let who = acting(&s);
    let (r, p) = (region.clone(), person.clone());
    match state
        .db(move |st| app::save_person(st, &who, &r, None, &p, None))
        .await
    {
        Ok(id) => Ok(saved(
            &format!("/assistance/persons/{id}"),
            format!("已登记{}：{}", person.position.label_zh(), person.name),
            format!("{} registered: {}", person.position.label_en(), person.name),
        )),
        Err(AppError::Invalid(problems)) => {
            let status = AppError::Invalid(problems.clone()).status();
            list_page(&state, &s, region, String::new(), &form, &problems, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A person the user may manage: of the county the user's region lies in.
async fn managed(state: &AppState, s: &Session, id: &str) -> Result<Person, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
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

struct PairingRow {
    id: i64,
    no: String,
    head: String,
    start: String,
    end: String,
    reason: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
struct DetailPage {
    ctx: Ctx,
    id: i64,
    name: String,
    position: String,
    unit: String,
    phone: String,
    sex: String,
    political: String,
    form: Choices,
    pairings: Vec<PairingRow>,
    others: Vec<(i64, String)>,
    today: String,
    errors: Vec<String>,
}

async fn detail(State(state): State<AppState>, s: Session, Path(id): Path<String>) -> PageResult {
    let p = managed(&state, &s, &id).await?;
    detail_page(&state, &s, p, &[], StatusCode::OK).await
}

async fn detail_page(
    state: &AppState,
    s: &Session,
    p: Person,
    problems: &[Problem],
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let (id, county) = (
        p.id,
        RegionCode::parse(&p.county).ok_or(AppError::NotFound)?,
    );
    let (pairings, others): (Vec<PairingRecord>, Vec<Person>) = state
        .db(move |st| Ok((st.pairings_of_person(id)?, st.persons(&county, "")?)))
        .await?;
    let today = today();
    let page = DetailPage {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link(
                "/assistance/persons",
                l.t("帮扶责任人", "Assistance persons"),
            ),
            Crumb::here(p.person.name.clone()),
        ]),
        id,
        name: p.person.name.clone(),
        position: position_word(l, p.person.position),
        unit: p.person.unit.clone(),
        phone: p.person.phone.clone(),
        sex: p
            .person
            .sex
            .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
            .unwrap_or_default(),
        political: p
            .person
            .political
            .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
            .unwrap_or_default(),
        form: choices(l, Some(&p.person)),
        pairings: pairings
            .iter()
            .map(|x| PairingRow {
                id: x.id,
                no: x.household_no.clone(),
                head: if x.head_name.is_empty() {
                    x.household_no.clone()
                } else {
                    x.head_name.clone()
                },
                start: x.start.to_string(),
                end: x.end.map(|d| d.to_string()).unwrap_or_default(),
                reason: x.end_reason.clone(),
                current: x.end.is_none_or(|e| e >= today),
            })
            .collect(),
        others: others
            .iter()
            .filter(|o| o.id != id && o.person.position == p.person.position)
            .map(|o| (o.id, o.person.name.clone()))
            .collect(),
        today: today.to_string(),
        errors: texts(l, problems),
    };
    Ok((status, render(page)).into_response())
}

async fn refused_or(state: &AppState, s: &Session, p: Person, e: AppError) -> PageResult {
    match e {
        AppError::Invalid(problems) => {
            let status = AppError::Invalid(problems.clone()).status();
            detail_page(state, s, p, &problems, status).await
        }
        e => Err(e.into()),
    }
}

async fn edit(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let p = managed(&state, &s, &id).await?;
    let person = person_of(&form);
    let who = acting(&s);
    let (county, pid, username) = (
        RegionCode::parse(&p.county).ok_or(AppError::NotFound)?,
        p.id,
        p.username.clone(),
    );
    let saving = person.clone();
    match state
        .db(move |st| app::save_person(st, &who, &county, Some(pid), &saving, username.as_deref()))
        .await
    {
        Ok(_) => Ok(saved(
            &format!("/assistance/persons/{pid}"),
            format!("已保存{}的信息", person.name),
            format!("{} saved", person.name),
        )),
        Err(e) => refused_or(&state, &s, p, e).await,
    }
}

fn date_field(form: &[(String, String)], name: &str) -> Result<Date, AppError> {
    Date::parse(&value(form, name)).ok_or_else(|| {
        AppError::Invalid(vec![Problem::new(
            ProblemCode::FormInvalid,
            name,
            "日期应为“年-月-日”",
            "the date must read year-month-day",
        )])
    })
}

async fn pair(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let p = managed(&state, &s, &id).await?;
    let no = value(&form, "household");
    access::household_for(
        &state,
        &s,
        no.clone(),
        Action::ManagePairings,
        access::not_allowed,
    )
    .await?;
    let start = match date_field(&form, "start") {
        Ok(d) => d,
        Err(e) => return refused_or(&state, &s, p, e).await,
    };
    let who = acting(&s);
    let pid = p.id;
    let key = no.clone();
    match state
        .db(move |st| app::pair(st, &who, pid, &key, start, None))
        .await
    {
        Ok(x) => Ok(saved(
            &format!("/assistance/persons/{pid}"),
            format!("已与{}户结对，自{}起", x.household_no, x.start),
            format!("Paired with household {} from {}", x.household_no, x.start),
        )),
        Err(e) => refused_or(&state, &s, p, e).await,
    }
}

/// A pairing of a person the user may manage.
async fn managed_pairing(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<(PairingRecord, Person), AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let x = state
        .db(move |st| st.pairing(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let p = managed(state, s, &x.person_id.to_string()).await?;
    Ok((x, p))
}

async fn end(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (x, p) = managed_pairing(&state, &s, &id).await?;
    let on = match date_field(&form, "end") {
        Ok(d) => d,
        Err(e) => return refused_or(&state, &s, p, e).await,
    };
    let who = acting(&s);
    let reason = value(&form, "reason");
    match state
        .db(move |st| app::end_pairing(st, &who, x.id, on, &reason))
        .await
    {
        Ok(x) => Ok(saved(
            &format!("/assistance/persons/{}", x.person_id),
            format!("与{}户的结对已于{}结束", x.household_no, on),
            format!(
                "The pairing with household {} ended on {on}",
                x.household_no
            ),
        )),
        Err(e) => refused_or(&state, &s, p, e).await,
    }
}

async fn reassign(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (x, p) = managed_pairing(&state, &s, &id).await?;
    let start = match date_field(&form, "start") {
        Ok(d) => d,
        Err(e) => return refused_or(&state, &s, p, e).await,
    };
    let Some(to) = value(&form, "to").parse::<i64>().ok() else {
        let e = AppError::Invalid(vec![Problem::new(
            ProblemCode::FormInvalid,
            "to",
            "请选择新的帮扶人",
            "choose the new person",
        )]);
        return refused_or(&state, &s, p, e).await;
    };
    let to_person = managed(&state, &s, &to.to_string()).await?;
    let who = acting(&s);
    let reason = value(&form, "reason");
    let from = x.person_id;
    match state
        .db(move |st| app::reassign(st, &who, x.id, to, start, &reason))
        .await
    {
        Ok(n) => Ok(saved(
            &format!("/assistance/persons/{from}"),
            format!(
                "{}户自{}起改由{}帮扶",
                n.household_no, n.start, to_person.person.name
            ),
            format!(
                "Household {} is assisted by {} from {}",
                n.household_no, to_person.person.name, n.start
            ),
        )),
        Err(e) => refused_or(&state, &s, p, e).await,
    }
}
