//! Server-rendered pages. Every handler that shows or changes data takes a [`Session`] and
//! checks the record's region against the session's scope before doing anything.

mod forms;
mod history;
pub(crate) mod ledger;
pub(crate) mod screening;

use crate::auth::{self, RequestLang, Session, LANG_COOKIE, PRE_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::i18n::{yes_no, L};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use forms::{esc, form_field_of, Fields, FormRenderer};
use serde::Deserialize;
use shouwang_core::id_number::mask;
use shouwang_core::money::format_hundredths;
use shouwang_core::ProblemCode;
use shouwang_core::{Problem, RegionCode, RegionLevel, Role};
use shouwang_store::regions::RegionSummary;
use shouwang_store::registry::HouseholdRecord;
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// What the layout needs on every page.
pub struct Ctx {
    pub l: L,
    /// (display name, role label) when signed in
    pub user: Option<(String, String)>,
    pub csrf: String,
}

impl Ctx {
    fn of(s: &Session) -> Ctx {
        let l = s.l();
        let role = l
            .t(s.user.role.label_zh(), s.user.role.label_en())
            .to_string();
        Ctx {
            l,
            user: Some((s.user.display_name.clone(), role)),
            csrf: s.csrf.clone(),
        }
    }
}

fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    title: String,
    message: String,
}

/// Renders an error as a page in the user's language.
fn error_page(s: &Session, e: AppError) -> Response {
    if matches!(e, AppError::Unauthenticated { .. }) {
        return e.into_response();
    }
    let status = e.status();
    let (zh, en) = e.message();
    let l = s.l();
    let title = match status {
        StatusCode::NOT_FOUND => l.t("找不到", "Not found"),
        StatusCode::FORBIDDEN => l.t("无权访问", "Not allowed"),
        _ => l.t("出错了", "Something went wrong"),
    }
    .to_string();
    let message = if l.is_en() { en } else { zh };
    (
        status,
        render(ErrorPage {
            ctx: Ctx::of(s),
            title,
            message,
        }),
    )
        .into_response()
}

/// Turns a handler result into a response, rendering errors as pages.
fn page(s: &Session, r: Result<Response, AppError>) -> Response {
    r.unwrap_or_else(|e| error_page(s, e))
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/app.css"),
    )
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let n = state.requests.load(Ordering::Relaxed);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        format!("# HELP shouwang_http_requests_total HTTP requests served.\n# TYPE shouwang_http_requests_total counter\nshouwang_http_requests_total {n}\n"),
    )
}

pub async fn home(s: Option<Session>) -> Response {
    match s {
        None => Redirect::to("/login").into_response(),
        Some(s) if s.user.role == Role::AssistancePerson => Redirect::to("/paired").into_response(),
        Some(s) => Redirect::to(&format!("/regions/{}", s.user.region)).into_response(),
    }
}

pub async fn set_lang(Path(tag): Path<String>, headers: HeaderMap) -> Response {
    let lang = shouwang_core::Lang::parse(&tag);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.tag()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

// ---------------------------------------------------------------- sign in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    message: String,
    username: String,
    demo_mode: bool,
}

fn login_page(
    state: &AppState,
    lang: shouwang_core::Lang,
    message: String,
    username: String,
    status: StatusCode,
) -> Response {
    // a pre-session CSRF token, double-submitted as cookie and form field
    let token = auth::random_token();
    let cookie = auth::set_cookie(PRE_CSRF_COOKIE, &token, 3600, state.config.secure_cookies);
    let ctx = Ctx {
        l: L(lang),
        user: None,
        csrf: token,
    };
    (
        status,
        [(header::SET_COOKIE, cookie)],
        render(LoginPage {
            ctx,
            message,
            username,
            demo_mode: state.config.demo_mode,
        }),
    )
        .into_response()
}

pub async fn login_form(State(state): State<AppState>, RequestLang(lang): RequestLang) -> Response {
    login_page(&state, lang, String::new(), String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Form(f): Form<LoginForm>,
) -> Response {
    let l = L(lang);
    match auth::login(&state, f.username.clone(), f.password).await {
        Ok((token, _csrf)) => {
            let max_age = state.config.max_session_age;
            let cookie =
                auth::set_cookie(SESSION_COOKIE, &token, max_age, state.config.secure_cookies);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(auth::LoginError::Locked) => {
            let m = l.t(
                "登录失败次数过多，账号已暂时锁定，请稍后再试",
                "Too many failed sign-ins: the account is locked for a while",
            );
            login_page(
                &state,
                lang,
                m.into(),
                f.username,
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(auth::LoginError::Wrong) => {
            let m = l.t("用户名或密码不正确", "Wrong username or password");
            login_page(&state, lang, m.into(), f.username, StatusCode::UNAUTHORIZED)
        }
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Demo only: signs in as a demo account in one click, then goes to `next` (a local path).
pub async fn demo_login(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    if !state.config.demo_mode {
        return AppError::NotFound.into_response();
    }
    let Ok(Some(user)) = state.db(move |st| st.user_by_name(&username)).await else {
        return AppError::NotFound.into_response();
    };
    let (token, csrf) = (auth::random_token(), auth::random_token());
    let hash = auth::token_hash(&token);
    if let Err(e) = state
        .db(move |st| st.login_succeeded(&user, &hash, &csrf))
        .await
    {
        return e.into_response();
    }
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let cookie = auth::set_cookie(
        SESSION_COOKIE,
        &token,
        state.config.max_session_age,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    auth::logout(&state, &headers).await;
    let cookie = auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------- access checks

/// Whether this session may see the region tree at `code` (not assistance persons, whose world is
/// their paired households, nor departments).
fn may_browse(s: &Session, code: &str) -> bool {
    !matches!(s.user.role, Role::AssistancePerson | Role::Department) && s.scope.can_read(code)
}

/// Loads a household the session may see, or `NotFound` (the same answer as a wrong number,
/// so that guessing household numbers reveals nothing).
pub(crate) async fn visible_household(
    state: &AppState,
    s: &Session,
    no: String,
) -> Result<HouseholdRecord, AppError> {
    let user_id = s.user.id;
    let role = s.user.role;
    let (rec, paired) = state
        .db(move |st| {
            let rec = st.household(&no)?;
            let paired = if role == Role::AssistancePerson {
                st.is_paired(user_id, &no)?
            } else {
                false
            };
            Ok((rec, paired))
        })
        .await?;
    let rec = rec.ok_or(AppError::NotFound)?;
    let visible = match role {
        Role::AssistancePerson => paired && s.scope.can_read(rec.household.village.as_str()),
        _ => s.scope.can_read(rec.household.village.as_str()),
    };
    if visible {
        Ok(rec)
    } else {
        Err(AppError::NotFound)
    }
}

/// A household the session may edit.
pub(crate) async fn editable_household(
    state: &AppState,
    s: &Session,
    no: String,
) -> Result<HouseholdRecord, AppError> {
    let rec = visible_household(state, s, no).await?;
    if s.scope.can_edit_registry(rec.household.village.as_str()) {
        Ok(rec)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn crumbs(
    state: &AppState,
    s: &Session,
    code: RegionCode,
) -> Result<Vec<(String, String, bool)>, AppError> {
    let path = state.db(move |st| st.region_path(&code)).await?;
    Ok(path
        .into_iter()
        .map(|r| {
            (
                r.code.to_string(),
                r.name.clone(),
                may_browse(s, r.code.as_str()),
            )
        })
        .collect())
}

// ---------------------------------------------------------------- region tree

struct ListRow {
    household_no: String,
    group: String,
    head_name: String,
    head_id_masked: String,
    size: i64,
    type_label: String,
    flags: String,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    ctx: Ctx,
    crumbs: Vec<(String, String, bool)>,
    code: String,
    name: String,
    households: i64,
    persons: i64,
    child_label: String,
    children: Vec<RegionSummary>,
    is_village: bool,
    can_edit: bool,
    rows: Vec<ListRow>,
    page: i64,
    pages: i64,
    prev: Option<i64>,
    next: Option<i64>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

const PER_PAGE: i64 = 50;

pub async fn region(
    State(state): State<AppState>,
    s: Session,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let r = region_inner(&state, &s, code, q.page.unwrap_or(1)).await;
    page(&s, r)
}

async fn region_inner(
    state: &AppState,
    s: &Session,
    code: String,
    page: i64,
) -> Result<Response, AppError> {
    let code = RegionCode::parse(&code).ok_or(AppError::NotFound)?;
    if !may_browse(s, code.as_str()) {
        return Err(AppError::NotFound);
    }
    let l = s.l();
    let c = code.clone();
    let page = page.max(1);
    let (region, children, counts, list) = state
        .db(move |st| {
            let region = st.region(&c)?;
            let children = st.children(&c)?;
            let counts = st.count_in(&c)?;
            let list = if c.level() == RegionLevel::Village {
                Some(st.households_in(&c, (page - 1) * PER_PAGE, PER_PAGE)?)
            } else {
                None
            };
            Ok((region, children, counts, list))
        })
        .await?;
    let region = region.ok_or(AppError::NotFound)?;
    let is_village = code.level() == RegionLevel::Village;
    let (rows, total) = list.unwrap_or_default();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let rows = rows
        .into_iter()
        .map(|h| {
            let mut flags = Vec::new();
            if h.dibao {
                flags.push(l.t("低保", "dibao"));
            }
            if h.tekun {
                flags.push(l.t("特困", "tekun"));
            }
            if h.relocated {
                flags.push(l.t("搬迁", "relocated"));
            }
            ListRow {
                head_id_masked: mask(&h.head_id),
                type_label: l
                    .t(h.household_type.label_zh(), h.household_type.label_en())
                    .to_string(),
                flags: flags.join(" "),
                household_no: h.household_no,
                group: h.group,
                head_name: h.head_name,
                size: h.size,
            }
        })
        .collect();
    let child_label = match code.level().child() {
        Some(RegionLevel::Township) => l.t("乡镇", "Township"),
        Some(RegionLevel::Village) => l.t("村", "Village"),
        Some(RegionLevel::County) => l.t("县", "County"),
        _ => l.t("下级", "Below"),
    }
    .to_string();
    Ok(render(RegionPage {
        crumbs: crumbs(state, s, code.clone()).await?,
        ctx: Ctx::of(s),
        code: code.to_string(),
        name: region.name,
        households: counts.0,
        persons: counts.1,
        child_label,
        children,
        is_village,
        can_edit: s.scope.can_edit_registry(code.as_str()),
        rows,
        page,
        pages,
        prev: (page > 1).then_some(page - 1),
        next: (page < pages).then_some(page + 1),
    }))
}

// ---------------------------------------------------------------- household page

struct MemberView {
    name: String,
    relation: String,
    id_shown: String,
    revealed: bool,
    sex: String,
    age: i32,
    health: String,
    labour: String,
    education: String,
    migrant: String,
    insured: String,
    deceased: bool,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    ctx: Ctx,
    crumbs: Vec<(String, String, bool)>,
    no: String,
    facts: Vec<(String, String)>,
    members: Vec<MemberView>,
    can_edit: bool,
    can_reveal: bool,
    history: Vec<(String, String, String, Vec<String>)>,
}

pub async fn household(
    State(state): State<AppState>,
    s: Session,
    Path(no): Path<String>,
) -> Response {
    let r = household_inner(&state, &s, no, None).await;
    page(&s, r)
}

async fn household_inner(
    state: &AppState,
    s: &Session,
    no: String,
    revealed: Option<usize>,
) -> Result<Response, AppError> {
    let rec = visible_household(state, s, no.clone()).await?;
    let l = s.l();
    let n = no.clone();
    let events = state.db(move |st| st.history("household", &n, 50)).await?;
    let h = &rec.household;
    let today = today();
    let village = h.village.to_string();
    let mut facts: Vec<(String, String)> = vec![
        (
            l.t("户编号", "Household no.").into(),
            h.household_no.clone(),
        ),
        (
            l.t("户类型", "Household type").into(),
            l.t(h.household_type.label_zh(), h.household_type.label_en())
                .into(),
        ),
        (l.t("组", "Group").into(), h.group.clone()),
        (l.t("家庭住址", "Address").into(), h.address.clone()),
        (l.t("户联系电话", "Phone").into(), h.phone.clone()),
        (l.t("低保户", "Dibao").into(), yes_no(&l, h.dibao).into()),
        (l.t("特困供养", "Tekun").into(), yes_no(&l, h.tekun).into()),
        (
            l.t("易地扶贫搬迁", "Relocated").into(),
            yes_no(&l, h.relocated).into(),
        ),
    ];
    if h.relocated {
        facts.push((
            l.t("安置点", "Resettlement site").into(),
            h.resettlement_site.clone(),
        ));
    }
    facts.push((
        l.t("军烈属", "Military family").into(),
        yes_no(&l, h.military_family).into(),
    ));
    if let Some(a) = h.cultivated_land_centimu {
        facts.push((
            l.t("耕地面积（亩）", "Cultivated land (mu)").into(),
            format_hundredths(a),
        ));
    }
    if let Some(a) = h.housing_area_centim2 {
        facts.push((
            l.t("住房面积（㎡）", "Housing area (m²)").into(),
            format_hundredths(a),
        ));
    }
    if !h.house_grade.is_empty() {
        facts.push((l.t("危房等级", "House grade").into(), h.house_grade.clone()));
    }
    let members = rec
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let show = revealed == Some(i);
            let health = shouwang_core::codes::HealthCondition::ALL
                .iter()
                .filter(|c| m.health.has(**c))
                .map(|c| l.t(c.label_zh(), c.label_en()))
                .collect::<Vec<_>>()
                .join(",");
            MemberView {
                name: m.name.clone(),
                relation: l.t(m.relation.label_zh(), m.relation.label_en()).into(),
                id_shown: if show {
                    m.id_number.clone()
                } else {
                    mask(&m.id_number)
                },
                revealed: show,
                sex: l.t(m.sex.label_zh(), m.sex.label_en()).into(),
                age: m.age_on(today),
                health,
                labour: m
                    .labour
                    .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
                    .unwrap_or_default(),
                education: match (m.education, m.schooling) {
                    (Some(e), _) => l.t(e.label_zh(), e.label_en()).into(),
                    (_, Some(s)) => l.t(s.label_zh(), s.label_en()).into(),
                    _ => String::new(),
                },
                migrant: if m.migrant_months > 0 {
                    format!(
                        "{} {}{}",
                        m.migrant_place,
                        m.migrant_months,
                        l.t("个月", " months")
                    )
                } else {
                    String::new()
                },
                insured: yes_no(&l, m.medically_insured()).into(),
                deceased: m.deceased_on.is_some(),
            }
        })
        .collect();
    let history = events.iter().map(|e| history::describe(&l, e)).collect();
    Ok(render(HouseholdPage {
        crumbs: crumbs(state, s, h.village.clone()).await?,
        ctx: Ctx::of(s),
        no,
        facts,
        members,
        can_edit: s.scope.can_edit_registry(&village),
        can_reveal: s.scope.can_reveal_id(&village),
        history,
    }))
}

/// Reveals one member's full ID number: a deliberate, audited act.
pub async fn reveal(
    State(state): State<AppState>,
    s: Session,
    Path((no, idx)): Path<(String, usize)>,
) -> Response {
    let r = async {
        let rec = visible_household(&state, &s, no.clone()).await?;
        if !s.scope.can_reveal_id(rec.household.village.as_str()) {
            return Err(AppError::Forbidden);
        }
        let member = rec.members.get(idx).ok_or(AppError::NotFound)?;
        let (actor, county, key) = (
            s.actor(),
            rec.county.clone(),
            format!("{}#{}", no, mask(&member.id_number)),
        );
        state
            .db(move |st| st.audit(&actor, Some(&county), "id.reveal", ("member", &key)))
            .await?;
        household_inner(&state, &s, no, Some(idx)).await
    }
    .await;
    page(&s, r)
}

// ---------------------------------------------------------------- forms

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
) -> Result<Response, AppError> {
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

/// Saves a household's new state; on a validation problem re-renders the form with the errors.
async fn save(
    state: &AppState,
    s: &Session,
    household: shouwang_core::Household,
    members: Vec<shouwang_core::Member>,
    version: i64,
) -> Result<(), AppError> {
    if !s.scope.can_edit_registry(household.village.as_str()) {
        return Err(AppError::Invalid(vec![Problem::new(
            ProblemCode::VillageScope,
            "village",
            "该村不在您的管辖范围内",
            "that village is outside your region",
        )]));
    }
    let actor = s.actor();
    state
        .db(move |st| st.update_household(&actor, household, members, version, today()))
        .await
}

pub async fn edit_household_form(
    State(state): State<AppState>,
    s: Session,
    Path(no): Path<String>,
) -> Response {
    let r = async {
        let rec = editable_household(&state, &s, no.clone()).await?;
        let mut values = forms::household_fields(&rec.household);
        values.insert("version".into(), rec.version.to_string());
        form_page(
            &state,
            &s,
            rec.household.village.clone(),
            household_spec(&s, &no, StatusCode::OK),
            &values,
            &[],
            |r| forms::render_household(r, false),
        )
        .await
    }
    .await;
    page(&s, r)
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

pub async fn edit_household(
    State(state): State<AppState>,
    s: Session,
    Path(no): Path<String>,
    Form(mut values): Form<Fields>,
) -> Response {
    let r = async {
        let rec = editable_household(&state, &s, no.clone()).await?;
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
            Ok(()) => Ok(Redirect::to(&format!("/households/{no}")).into_response()),
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
            Err(e) => Err(e),
        }
    }
    .await;
    page(&s, r)
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

pub async fn edit_member_form(
    State(state): State<AppState>,
    s: Session,
    Path((no, idx)): Path<(String, usize)>,
) -> Response {
    let r = async {
        let rec = editable_household(&state, &s, no.clone()).await?;
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
    .await;
    page(&s, r)
}

pub async fn new_member_form(
    State(state): State<AppState>,
    s: Session,
    Path(no): Path<String>,
) -> Response {
    let r = async {
        let rec = editable_household(&state, &s, no.clone()).await?;
        let mut values = Fields::new();
        values.insert("version".into(), rec.version.to_string());
        values.insert("resident_medical".into(), "on".into());
        form_page(
            &state,
            &s,
            rec.household.village.clone(),
            member_spec(&s, &no, None, StatusCode::OK),
            &values,
            &[],
            forms::render_member,
        )
        .await
    }
    .await;
    page(&s, r)
}

async fn save_member(
    state: &AppState,
    s: &Session,
    no: String,
    idx: Option<usize>,
    values: Fields,
) -> Result<Response, AppError> {
    let rec = editable_household(state, s, no.clone()).await?;
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
        Ok(()) => Ok(Redirect::to(&format!("/households/{no}")).into_response()),
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
        Err(e) => Err(e),
    }
}

pub async fn edit_member(
    State(state): State<AppState>,
    s: Session,
    Path((no, idx)): Path<(String, usize)>,
    Form(values): Form<Fields>,
) -> Response {
    let r = save_member(&state, &s, no, Some(idx), values).await;
    page(&s, r)
}

pub async fn add_member(
    State(state): State<AppState>,
    s: Session,
    Path(no): Path<String>,
    Form(values): Form<Fields>,
) -> Response {
    let r = save_member(&state, &s, no, None, values).await;
    page(&s, r)
}

pub async fn delete_member(
    State(state): State<AppState>,
    s: Session,
    Path((no, idx)): Path<(String, usize)>,
    Form(values): Form<Fields>,
) -> Response {
    let r = async {
        let rec = editable_household(&state, &s, no.clone()).await?;
        let mut members = rec.members.clone();
        if idx >= members.len() {
            return Err(AppError::NotFound);
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
            Ok(()) => Ok(Redirect::to(&format!("/households/{no}")).into_response()),
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
            Err(e) => Err(e),
        }
    }
    .await;
    page(&s, r)
}

#[derive(Deserialize)]
pub struct NewQuery {
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
        "<h2 style=\"grid-column:1/-1\">{}</h2>",
        r.l.t("户主", "Head of household")
    ));
    forms::render_member(r);
}

pub async fn new_household_form(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<NewQuery>,
) -> Response {
    let r = async {
        let village = q
            .village
            .as_deref()
            .and_then(RegionCode::parse)
            .filter(|v| s.scope.can_edit_registry(v.as_str()))
            .ok_or(AppError::NotFound)?;
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
    .await;
    page(&s, r)
}

pub async fn create_household(
    State(state): State<AppState>,
    s: Session,
    Form(values): Form<Fields>,
) -> Response {
    let r = async {
        let mut problems = Vec::new();
        let household = forms::parse_household(&values, &mut problems);
        let member = forms::parse_member(&values, today(), &mut problems);
        let region = household
            .as_ref()
            .map(|h| h.village.clone())
            .unwrap_or_else(|| s.scope.region.clone());
        if !s.scope.can_edit_registry(region.as_str()) {
            return Err(AppError::NotFound);
        }
        let result = match (household, member) {
            (Some(h), Some(m)) if problems.is_empty() => {
                let actor = s.actor();
                let no = h.household_no.clone();
                state
                    .db(move |st| st.create_household(&actor, h, vec![m], today()))
                    .await
                    .map(|_| no)
            }
            _ => Err(AppError::Invalid(problems)),
        };
        match result {
            Ok(no) => Ok(Redirect::to(&format!("/households/{no}")).into_response()),
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
            Err(e) => Err(e),
        }
    }
    .await;
    page(&s, r)
}

// ---------------------------------------------------------------- search and paired list

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    title: String,
    q: String,
    /// (name, masked ID, relation, household no., village code)
    hits: Vec<(String, String, String, String, String)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Searches within the user's region; assistance persons within their paired households.
pub(crate) async fn search_hits(
    state: &AppState,
    s: &Session,
    q: String,
) -> Result<Vec<shouwang_store::registry::SearchHit>, AppError> {
    if s.user.role == Role::Department {
        return Err(AppError::Forbidden);
    }
    let region = s.scope.region.clone();
    let (role, user_id) = (s.user.role, s.user.id);
    state
        .db(move |st| {
            let mut hits = st.search(&region, &q, 100)?;
            if role == Role::AssistancePerson {
                let paired = st.paired_households(user_id)?;
                hits.retain(|h| paired.contains(&h.household_no));
            }
            Ok(hits)
        })
        .await
}

pub async fn search(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SearchQuery>,
) -> Response {
    let r = async {
        let hits = search_hits(&state, &s, q.q.clone()).await?;
        let l = s.l();
        Ok(render(SearchPage {
            ctx: Ctx::of(&s),
            title: l.t("搜索", "Search").into(),
            q: q.q,
            hits: hits
                .into_iter()
                .map(|h| {
                    (
                        h.name,
                        mask(&h.id_number),
                        l.t(h.relation.label_zh(), h.relation.label_en())
                            .to_string(),
                        h.household_no,
                        h.village,
                    )
                })
                .collect(),
        }))
    }
    .await;
    page(&s, r)
}

pub async fn paired(State(state): State<AppState>, s: Session) -> Response {
    let r = async {
        let user_id = s.user.id;
        let l = s.l();
        let records = state
            .db(move |st| {
                let nos = st.paired_households(user_id)?;
                let mut out = Vec::new();
                for no in nos {
                    if let Some(r) = st.household(&no)? {
                        out.push(r);
                    }
                }
                Ok(out)
            })
            .await?;
        let hits = records
            .into_iter()
            .filter(|r| s.scope.can_read(r.household.village.as_str()))
            .filter_map(|r| {
                let head = r
                    .members
                    .iter()
                    .find(|m| m.relation == shouwang_core::codes::Relation::Head)?
                    .clone();
                Some((
                    head.name,
                    mask(&head.id_number),
                    l.t("户主", "head").to_string(),
                    r.household.household_no,
                    r.household.village.to_string(),
                ))
            })
            .collect();
        Ok(render(SearchPage {
            ctx: Ctx::of(&s),
            title: l.t("我的结对户", "My paired households").into(),
            q: String::new(),
            hits,
        }))
    }
    .await;
    page(&s, r)
}
