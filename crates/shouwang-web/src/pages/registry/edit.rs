//! The forms that create and change households and members. A form that fails validation comes
//! back with each problem next to its field and nothing saved; an ID number is never sent back
//! in full (editing a member is not revealing the ID, which is its own audited act).

use super::forms::{self, esc, form_field_of, Fields, FormRenderer};
use super::{crumbs, render, Ctx};
use crate::access::{unseen, EditableHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::saved;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use shouwang_core::access::{Action, Target};
use shouwang_core::id_number::mask;
use shouwang_core::{Problem, ProblemCode, RegionCode};
use shouwang_store::registry::HouseholdRecord;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/households/new",
            get(new_household_form).post(create_household),
        )
        .route(
            "/households/{no}/edit",
            get(edit_household_form).post(edit_household),
        )
        .route(
            "/households/{no}/members/new",
            get(new_member_form).post(add_member),
        )
        .route(
            "/households/{no}/members/{idx}/edit",
            get(edit_member_form).post(edit_member),
        )
        .route("/households/{no}/members/{idx}/delete", post(delete_member))
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    ctx: Ctx,
    crumbs: Vec<(String, String, bool)>,
    title: String,
    action: String,
    back: String,
    fields: String,
    general_errors: Vec<String>,
    delete_action: Option<String>,
}

/// Splits problems into inline errors per form field and the full list shown on top.
fn place_errors(l: &L, problems: &[Problem]) -> (HashMap<String, String>, Vec<String>) {
    let mut inline = HashMap::new();
    let mut all = Vec::new();
    for p in problems {
        let msg = if l.is_en() {
            p.en.clone()
        } else {
            p.zh.clone()
        };
        inline
            .entry(form_field_of(&p.field))
            .or_insert_with(|| msg.clone());
        all.push(msg);
    }
    (inline, all)
}

struct FormSpec {
    title: String,
    action: String,
    back: String,
    delete_action: Option<String>,
    status: StatusCode,
}

async fn form_page(
    state: &AppState,
    s: &Session,
    region: RegionCode,
    spec: FormSpec,
    values: &Fields,
    problems: &[Problem],
    body: impl FnOnce(&mut FormRenderer<'_>),
) -> PageResult {
    let l = s.l();
    let (inline, general) = place_errors(&l, problems);
    let mut r = FormRenderer {
        l,
        values,
        errors: &inline,
        html: String::new(),
    };
    r.html.push_str(&format!(
        "<input type=\"hidden\" name=\"version\" value=\"{}\">",
        esc(values.get("version").map(String::as_str).unwrap_or(""))
    ));
    body(&mut r);
    let page = FormPage {
        crumbs: crumbs(state, s, region).await?,
        ctx: Ctx::of(s),
        title: spec.title,
        action: spec.action,
        back: spec.back,
        fields: r.html,
        general_errors: general,
        delete_action: spec.delete_action,
    };
    Ok((spec.status, render(page)).into_response())
}

fn version_of(f: &Fields) -> i64 {
    f.get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Saves a household's new state. A household moved to a village outside the user's region is
/// a problem shown on the form, like any other.
async fn save(
    state: &AppState,
    s: &Session,
    household: shouwang_core::Household,
    members: Vec<shouwang_core::Member>,
    version: i64,
) -> Result<(), AppError> {
    if !s
        .scope
        .allows(Action::EditRegistry, Target::Region(&household.village))
    {
        return Err(AppError::Invalid(vec![Problem::new(
            ProblemCode::VillageScope,
            "village",
            "该村不在您的管辖范围内",
            "that village is outside your region",
        )]));
    }
    let (actor, scope) = (s.actor(), s.scope.region.clone());
    state
        .db(move |st| {
            st.update_household_in_scope(&actor, &scope, household, members, version, today())
        })
        .await
}

fn household_spec(s: &Session, no: &str, status: StatusCode) -> FormSpec {
    let l = s.l();
    FormSpec {
        title: format!("{} {no}", l.t("编辑户信息", "Edit household")),
        action: format!("/households/{no}/edit"),
        back: format!("/households/{no}"),
        delete_action: None,
        status,
    }
}

async fn edit_household_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
) -> PageResult {
    let no = &rec.household.household_no;
    let mut values = forms::household_fields(&rec.household);
    values.insert("version".into(), rec.version.to_string());
    form_page(
        &state,
        &s,
        rec.household.village.clone(),
        household_spec(&s, no, StatusCode::OK),
        &values,
        &[],
        |r| forms::render_household(r, false),
    )
    .await
}

async fn edit_household(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(mut values): Form<Fields>,
) -> PageResult {
    let no = rec.household.household_no.clone();
    values.insert("household_no".into(), no.clone());
    let mut problems = Vec::new();
    let parsed = forms::parse_household(&values, &mut problems);
    let result = match parsed {
        Some(h) if problems.is_empty() => {
            save(&state, &s, h, rec.members.clone(), version_of(&values)).await
        }
        _ => Err(AppError::Invalid(problems)),
    };
    match result {
        Ok(()) => Ok(saved(
            &format!("/households/{no}"),
            "已保存户信息",
            "Household saved",
        )),
        Err(AppError::Invalid(p)) => {
            form_page(
                &state,
                &s,
                rec.household.village.clone(),
                household_spec(&s, &no, StatusCode::UNPROCESSABLE_ENTITY),
                &values,
                &p,
                |r| forms::render_household(r, false),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn member_spec(s: &Session, no: &str, idx: Option<usize>, status: StatusCode) -> FormSpec {
    let l = s.l();
    match idx {
        Some(i) => FormSpec {
            title: format!("{} · {no}", l.t("编辑成员", "Edit member")),
            action: format!("/households/{no}/members/{i}/edit"),
            back: format!("/households/{no}"),
            delete_action: Some(format!("/households/{no}/members/{i}/delete")),
            status,
        },
        None => FormSpec {
            title: format!("{} · {no}", l.t("新增成员", "Add member")),
            action: format!("/households/{no}/members/new"),
            back: format!("/households/{no}"),
            delete_action: None,
            status,
        },
    }
}

async fn edit_member_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((no, idx)): Path<(String, usize)>,
) -> PageResult {
    let m = rec.members.get(idx).ok_or(AppError::NotFound)?;
    let mut values = forms::member_fields(m);
    // shown masked: editing a member is not revealing the ID (that is its own audited act)
    values.insert("id_number".into(), mask(&m.id_number));
    values.insert("version".into(), rec.version.to_string());
    form_page(
        &state,
        &s,
        rec.household.village.clone(),
        member_spec(&s, &no, Some(idx), StatusCode::OK),
        &values,
        &[],
        forms::render_member,
    )
    .await
}

async fn new_member_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
) -> PageResult {
    let mut values = Fields::new();
    values.insert("version".into(), rec.version.to_string());
    values.insert("resident_medical".into(), "on".into());
    form_page(
        &state,
        &s,
        rec.household.village.clone(),
        member_spec(&s, &rec.household.household_no, None, StatusCode::OK),
        &values,
        &[],
        forms::render_member,
    )
    .await
}

/// Adds a member (`idx` none) or changes member `idx`.
async fn save_member(
    state: &AppState,
    s: &Session,
    rec: HouseholdRecord,
    idx: Option<usize>,
    values: Fields,
) -> PageResult {
    let no = rec.household.household_no.clone();
    if let Some(i) = idx {
        rec.members.get(i).ok_or(AppError::NotFound)?;
    }
    // the edit form shows the ID number masked; sent back unchanged, it keeps the stored one
    let mut values = values;
    if let Some(i) = idx {
        let stored = &rec.members[i].id_number;
        if values
            .get("id_number")
            .is_some_and(|v| v.trim() == mask(stored))
        {
            values.insert("id_number".into(), stored.clone());
        }
    }
    let mut problems = Vec::new();
    let parsed = forms::parse_member(&values, today(), &mut problems);
    if let Some(i) = idx {
        // never echo a full ID number back into the page
        let stored = rec.members[i].id_number.clone();
        if values.get("id_number") == Some(&stored) {
            values.insert("id_number".into(), mask(&stored));
        }
    }
    let result = match parsed {
        Some(m) if problems.is_empty() => {
            let mut members = rec.members.clone();
            match idx {
                Some(i) => members[i] = m,
                None => members.push(m),
            }
            save(
                state,
                s,
                rec.household.clone(),
                members,
                version_of(&values),
            )
            .await
        }
        _ => Err(AppError::Invalid(problems)),
    };
    match result {
        Ok(()) => Ok(saved(
            &format!("/households/{no}"),
            "已保存成员信息",
            "Member saved",
        )),
        Err(AppError::Invalid(p)) => {
            form_page(
                state,
                s,
                rec.household.village.clone(),
                member_spec(s, &no, idx, StatusCode::UNPROCESSABLE_ENTITY),
                &values,
                &p,
                forms::render_member,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_member(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((_, idx)): Path<(String, usize)>,
    Form(values): Form<Fields>,
) -> PageResult {
    save_member(&state, &s, rec, Some(idx), values).await
}

async fn add_member(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(values): Form<Fields>,
) -> PageResult {
    save_member(&state, &s, rec, None, values).await
}

async fn delete_member(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((no, idx)): Path<(String, usize)>,
    Form(values): Form<Fields>,
) -> PageResult {
    let mut members = rec.members.clone();
    if idx >= members.len() {
        return Err(AppError::NotFound.into());
    }
    members.remove(idx);
    match save(
        &state,
        &s,
        rec.household.clone(),
        members,
        version_of(&values),
    )
    .await
    {
        Ok(()) => Ok(saved(
            &format!("/households/{no}"),
            "已删除成员",
            "Member removed",
        )),
        Err(AppError::Invalid(p)) => {
            let mut v = forms::member_fields(&rec.members[idx]);
            v.insert("id_number".into(), mask(&rec.members[idx].id_number));
            v.insert("version".into(), rec.version.to_string());
            form_page(
                &state,
                &s,
                rec.household.village.clone(),
                member_spec(&s, &no, Some(idx), StatusCode::UNPROCESSABLE_ENTITY),
                &v,
                &p,
                forms::render_member,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct NewQuery {
    village: Option<String>,
}

fn new_household_spec(s: &Session, status: StatusCode) -> FormSpec {
    let l = s.l();
    FormSpec {
        title: l
            .t("新增户（含户主）", "New household (with its head)")
            .into(),
        action: "/households/new".into(),
        back: "/".into(),
        delete_action: None,
        status,
    }
}

fn render_new_household(r: &mut FormRenderer<'_>) {
    forms::render_household(r, true);
    r.html.push_str(&format!(
        "<h2 class=\"whole-row\">{}</h2>",
        r.l.t("户主", "Head of household")
    ));
    forms::render_member(r);
}

async fn new_household_form(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let village = q
        .village
        .as_deref()
        .and_then(RegionCode::parse)
        .ok_or(AppError::NotFound)?;
    s.scope
        .decide(Action::EditRegistry, Target::Region(&village))
        .map_err(unseen)?;
    let mut values = Fields::new();
    values.insert("village".into(), village.to_string());
    values.insert("relation".into(), "户主".into());
    values.insert("household_type".into(), "一般农户".into());
    values.insert("resident_medical".into(), "on".into());
    form_page(
        &state,
        &s,
        village,
        new_household_spec(&s, StatusCode::OK),
        &values,
        &[],
        render_new_household,
    )
    .await
}

async fn create_household(
    State(state): State<AppState>,
    s: Session,
    Form(values): Form<Fields>,
) -> PageResult {
    let mut problems = Vec::new();
    let household = forms::parse_household(&values, &mut problems);
    let member = forms::parse_member(&values, today(), &mut problems);
    let region = household
        .as_ref()
        .map(|h| h.village.clone())
        .unwrap_or_else(|| s.scope.region.clone());
    s.scope
        .decide(Action::EditRegistry, Target::Region(&region))
        .map_err(unseen)?;
    let result = match (household, member) {
        (Some(h), Some(m)) if problems.is_empty() => {
            let (actor, scope) = (s.actor(), s.scope.region.clone());
            let no = h.household_no.clone();
            state
                .db(move |st| st.create_household_in_scope(&actor, &scope, h, vec![m], today()))
                .await
                .map(|_| no)
        }
        _ => Err(AppError::Invalid(problems)),
    };
    match result {
        Ok(no) => Ok(saved(
            &format!("/households/{no}"),
            "已登记新户",
            "New household registered",
        )),
        Err(AppError::Invalid(p)) => {
            form_page(
                &state,
                &s,
                region,
                new_household_spec(&s, StatusCode::UNPROCESSABLE_ENTITY),
                &values,
                &p,
                render_new_household,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
