//! The forms that create and change households and members. A form that fails validation comes
//! back with each problem next to its field and nothing saved; an ID number is never sent back
//! in full (editing a member is not revealing the ID, which is its own audited act).

use super::forms::{self, esc, form_field_of, Fields, FormRenderer};
use super::{household_name, household_place, place_crumbs, render, Crumb, Ctx};
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
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use shouwang_core::access::{Action, Target};
use shouwang_core::household::LeaveReason;
use shouwang_core::id_number::mask;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
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
        .route(
            "/households/{no}/members/{idx}/leave",
            get(leave_form).post(leave_member),
        )
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    action: String,
    back: String,
    fields: String,
    general_errors: Vec<String>,
    /// the member form's way to 成员减少 (a member is never deleted)
    leave_href: Option<String>,
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
    leave_href: Option<String>,
    status: StatusCode,
}

/// The crumbs of a page about household `rec`: its place, the household, then `here`.
async fn household_crumbs(
    state: &AppState,
    s: &Session,
    rec: &HouseholdRecord,
    here: String,
) -> Result<Vec<Crumb>, AppError> {
    let (_, mut crumbs) = household_place(state, s, rec).await?;
    crumbs.push(Crumb::here(here));
    Ok(crumbs)
}

async fn form_page(
    s: &Session,
    crumbs: Vec<Crumb>,
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
        section_open: false,
    };
    r.html.push_str(&format!(
        "<input type=\"hidden\" name=\"version\" value=\"{}\">",
        esc(values.get("version").map(String::as_str).unwrap_or(""))
    ));
    body(&mut r);
    r.end_section();
    let page = FormPage {
        ctx: Ctx::of(s).crumbs(crumbs),
        title: spec.title,
        action: spec.action,
        back: spec.back,
        fields: r.html,
        general_errors: general,
        leave_href: spec.leave_href,
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

/// The household form, titled by the household's name.
fn household_spec(s: &Session, rec: &HouseholdRecord, status: StatusCode) -> FormSpec {
    let l = s.l();
    let no = &rec.household.household_no;
    FormSpec {
        title: format!(
            "{} · {}",
            l.t("编辑户信息", "Edit household"),
            household_name(&l, rec)
        ),
        action: format!("/households/{no}/edit"),
        back: format!("/households/{no}"),
        leave_href: None,
        status,
    }
}

async fn household_form_page(
    state: &AppState,
    s: &Session,
    rec: &HouseholdRecord,
    status: StatusCode,
    values: &Fields,
    problems: &[Problem],
) -> PageResult {
    let l = s.l();
    let crumbs =
        household_crumbs(state, s, rec, l.t("编辑户信息", "Edit household").into()).await?;
    form_page(
        s,
        crumbs,
        household_spec(s, rec, status),
        values,
        problems,
        |r| forms::render_household(r, false),
    )
    .await
}

async fn edit_household_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
) -> PageResult {
    let mut values = forms::household_fields(&rec.household);
    values.insert("version".into(), rec.version.to_string());
    household_form_page(&state, &s, &rec, StatusCode::OK, &values, &[]).await
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
        Ok(()) => {
            let l = s.l();
            let name = household_name(&l, &rec);
            Ok(saved(
                &format!("/households/{no}"),
                format!("已保存{name}的户信息"),
                format!("Saved the household details of {name}"),
            ))
        }
        Err(AppError::Invalid(p)) => {
            household_form_page(
                &state,
                &s,
                &rec,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &p,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The member form: member `idx` of `rec`, or a new member.
async fn member_form_page(
    state: &AppState,
    s: &Session,
    rec: &HouseholdRecord,
    idx: Option<usize>,
    status: StatusCode,
    values: &Fields,
    problems: &[Problem],
) -> PageResult {
    let l = s.l();
    let no = &rec.household.household_no;
    let family = household_name(&l, rec);
    let (here, spec) = match idx {
        Some(i) => {
            let name = rec
                .members
                .get(i)
                .map(|m| m.name.clone())
                .unwrap_or_default();
            (
                format!("{} {name}", l.t("编辑成员", "Edit member")),
                FormSpec {
                    title: format!("{} {name} · {family}", l.t("编辑成员", "Edit member")),
                    action: format!("/households/{no}/members/{i}/edit"),
                    back: format!("/households/{no}"),
                    leave_href: Some(format!("/households/{no}/members/{i}/leave")),
                    status,
                },
            )
        }
        None => (
            l.t("新增成员", "Add member").to_string(),
            FormSpec {
                title: format!("{} · {family}", l.t("新增成员", "Add member")),
                action: format!("/households/{no}/members/new"),
                back: format!("/households/{no}"),
                leave_href: None,
                status,
            },
        ),
    };
    let crumbs = household_crumbs(state, s, rec, here).await?;
    form_page(s, crumbs, spec, values, problems, forms::render_member).await
}

async fn edit_member_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((_, idx)): Path<(String, usize)>,
) -> PageResult {
    let m = rec.members.get(idx).ok_or(AppError::NotFound)?;
    let mut values = forms::member_fields(m);
    // shown masked: editing a member is not revealing the ID (that is its own audited act)
    values.insert("id_number".into(), mask(&m.id_number));
    values.insert("version".into(), rec.version.to_string());
    member_form_page(&state, &s, &rec, Some(idx), StatusCode::OK, &values, &[]).await
}

async fn new_member_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
) -> PageResult {
    let mut values = Fields::new();
    values.insert("version".into(), rec.version.to_string());
    values.insert("resident_medical".into(), "on".into());
    member_form_page(&state, &s, &rec, None, StatusCode::OK, &values, &[]).await
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
    let mut name = String::new();
    let result = match parsed {
        Some(m) if problems.is_empty() => {
            name = m.name.clone();
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
        Ok(()) => {
            let (zh, en) = match idx {
                Some(_) => (
                    format!("已保存成员 {name}的信息"),
                    format!("Saved member {name}"),
                ),
                None => (format!("已新增成员 {name}"), format!("Added member {name}")),
            };
            Ok(saved(&format!("/households/{no}"), zh, en))
        }
        Err(AppError::Invalid(p)) => {
            member_form_page(
                state,
                s,
                &rec,
                idx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &p,
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

// ---------------------------------------------------------------- 成员减少

#[derive(Template)]
#[template(path = "member_leave.html")]
struct LeavePage {
    ctx: Ctx,
    title: String,
    action: String,
    back: String,
    name: String,
    version: String,
    /// (value, label, selected)
    reasons: Vec<(String, String, bool)>,
    on: String,
    reason_error: String,
    on_error: String,
    general_errors: Vec<String>,
    /// set once the form is complete: the sentence to confirm
    confirm: Option<String>,
    /// the chosen reason's label, for the confirmation step
    reason_label: String,
}

async fn leave_page(
    state: &AppState,
    s: &Session,
    rec: &HouseholdRecord,
    idx: usize,
    values: &Fields,
    problems: &[Problem],
    confirm: Option<String>,
) -> PageResult {
    let l = s.l();
    let m = rec.members.get(idx).ok_or(AppError::NotFound)?;
    let no = &rec.household.household_no;
    let here = format!("{} {}", l.t("成员减少", "Member leaves"), m.name);
    let crumbs = household_crumbs(state, s, rec, here).await?;
    let (inline, general) = place_errors(&l, problems);
    let chosen = values.get("reason").map(String::as_str).unwrap_or("");
    let reasons = LeaveReason::ALL
        .iter()
        .map(|r| {
            let v = r.code().to_string();
            let selected = v == chosen;
            (v, l.t(r.label_zh(), r.label_en()).to_string(), selected)
        })
        .collect();
    let reason_label = chosen
        .parse()
        .ok()
        .and_then(LeaveReason::from_code)
        .map(|r| l.t(r.label_zh(), r.label_en()).to_string())
        .unwrap_or_default();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = LeavePage {
        ctx: Ctx::of(s).crumbs(crumbs),
        title: format!(
            "{} · {} · {}",
            l.t("成员减少（离开本户）", "A member leaves the household"),
            m.name,
            household_name(&l, rec)
        ),
        action: format!("/households/{no}/members/{idx}/leave"),
        back: format!("/households/{no}/members/{idx}/edit"),
        name: m.name.clone(),
        version: values.get("version").cloned().unwrap_or_default(),
        reasons,
        on: values.get("on").cloned().unwrap_or_default(),
        reason_error: inline.get("reason").cloned().unwrap_or_default(),
        on_error: inline.get("on").cloned().unwrap_or_default(),
        general_errors: general,
        confirm,
        reason_label,
    };
    Ok((status, render(page)).into_response())
}

/// The leave form; `reason` and `on` in the query fill it again (the confirmation's way back).
async fn leave_form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((_, idx)): Path<(String, usize)>,
    Query(q): Query<Fields>,
) -> PageResult {
    let mut values = Fields::new();
    values.insert("version".into(), rec.version.to_string());
    values.insert("on".into(), today().to_string());
    for key in ["reason", "on"] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            values.insert(key.into(), v.clone());
        }
    }
    leave_page(&state, &s, &rec, idx, &values, &[], None).await
}

/// The reason and date of the leave form, with a problem beside each field that is missing.
fn parse_leave(values: &Fields, out: &mut Vec<Problem>) -> Option<(LeaveReason, Date)> {
    let reason = values
        .get("reason")
        .and_then(|v| v.trim().parse().ok())
        .and_then(LeaveReason::from_code);
    if reason.is_none() {
        out.push(Problem::new(
            ProblemCode::FormInvalid,
            "reason",
            "请选择减少原因",
            "choose why the member left",
        ));
    }
    let on = values.get("on").and_then(|v| Date::parse(v.trim()));
    if on.is_none() {
        out.push(Problem::new(
            ProblemCode::FormInvalid,
            "on",
            "请填写减少日期（格式：2026-10-01）",
            "give the date the member left (e.g. 2026-10-01)",
        ));
    }
    Some((reason?, on?))
}

/// 成员减少 in two steps: the reason and date, then a confirmation naming both. The member
/// is kept in the household's record as having left, never erased.
async fn leave_member(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Path((no, idx)): Path<(String, usize)>,
    Form(values): Form<Fields>,
) -> PageResult {
    let l = s.l();
    let member = rec.members.get(idx).ok_or(AppError::NotFound)?.clone();
    let mut problems = Vec::new();
    let parsed = parse_leave(&values, &mut problems);
    let Some((reason, on)) = parsed.filter(|_| problems.is_empty()) else {
        return leave_page(&state, &s, &rec, idx, &values, &problems, None).await;
    };
    // core's rule first, so that the confirmation never asks about what will be refused
    if let Err(p) = shouwang_core::household::leave(&member, reason, on, today()) {
        return leave_page(&state, &s, &rec, idx, &values, &p, None).await;
    }
    let reason_words = l.t(reason.label_zh(), reason.label_en());
    if values.get("confirm").map(String::as_str) != Some("yes") {
        let sentence = if l.is_en() {
            format!(
                "{} leaves the household on {on} ({reason_words}). They stay in its record under “Members who left” and are no longer counted in it.",
                member.name
            )
        } else {
            format!(
                "{}于{on}因“{reason_words}”离开本户。该成员将显示在“已离开成员”中，不再计入家庭人口。",
                member.name
            )
        };
        return leave_page(&state, &s, &rec, idx, &values, &[], Some(sentence)).await;
    }
    let (actor, n, id) = (s.actor(), no.clone(), member.id_number.clone());
    let version = version_of(&values);
    let result = state
        .db(move |st| st.member_leaves(&actor, &n, &id, reason, on, version, today()))
        .await;
    match result {
        Ok(_) => Ok(saved(
            &format!("/households/{no}"),
            format!("已记录成员 {}离开本户（{reason_words}，{on}）", member.name),
            format!(
                "Recorded that {} left the household ({reason_words}, {on})",
                member.name
            ),
        )),
        Err(AppError::Invalid(p)) => leave_page(&state, &s, &rec, idx, &values, &p, None).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- a new household

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
        leave_href: None,
        status,
    }
}

async fn new_household_page(
    state: &AppState,
    s: &Session,
    village: RegionCode,
    status: StatusCode,
    values: &Fields,
    problems: &[Problem],
) -> PageResult {
    let l = s.l();
    let (mut crumbs, _) = place_crumbs(state, s, village).await?;
    crumbs.push(Crumb::here(l.t("新增户", "New household")));
    let mut spec = new_household_spec(s, status);
    if let Some(c) = crumbs.iter().rev().nth(1).filter(|c| !c.href.is_empty()) {
        spec.back = c.href.clone();
    }
    form_page(s, crumbs, spec, values, problems, render_new_household).await
}

fn render_new_household(r: &mut FormRenderer<'_>) {
    forms::render_household(r, true);
    r.section("户主", "Head of household");
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
    new_household_page(&state, &s, village, StatusCode::OK, &values, &[]).await
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
    let head = member.as_ref().map(|m| m.name.clone()).unwrap_or_default();
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
            format!("已登记新户：户主 {head}，户编号 {no}"),
            format!("Registered a new household: head {head}, number {no}"),
        )),
        Err(AppError::Invalid(p)) => {
            new_household_page(
                &state,
                &s,
                region,
                StatusCode::UNPROCESSABLE_ENTITY,
                &values,
                &p,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
