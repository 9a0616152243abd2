//! 部门数据接口令牌 (`/dept/tokens`, `Action::ManageDeptTokens`): the county's API tokens that
//! department systems push their records with (`POST /api/v1/dept/{kind}/records`).
//!
//! The list shows each token's name, kind, region, its first characters, when it was made and
//! last used, and whether it was revoked. A new token (a name, one kind, one region: the county or
//! one of its townships or villages) is shown once, on the page that answers its creation, and
//! never again: the database keeps only its SHA-256. Revoking asks for a confirmation first; a
//! revoked token stays listed and no longer pushes anything.

use super::{render, saved, Crumb, Ctx};
use crate::access::TokenManager;
use crate::auth::{random_token, Session};
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::department::DeptKind;
use shouwang_core::{Problem, Region, RegionCode, RegionLevel};
use shouwang_store::dept_tokens::{NewToken, TokenRecord};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dept/tokens", get(list).post(create))
        .route("/dept/tokens/{id}/revoke", post(revoke))
}

/// The prefix that tells a department token from other secrets.
pub const TOKEN_PREFIX: &str = "swd_";

/// A new token: the prefix and 32 random bytes as hex.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_token())
}

fn value(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// Unix seconds as China time, `YYYY-MM-DD HH:MM`.
fn china_time(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let d = shouwang_core::Date::from_days(local.div_euclid(86_400));
    let s = local.rem_euclid(86_400);
    format!("{d} {:02}:{:02}", s / 3600, s % 3600 / 60)
}

struct Row {
    id: i64,
    name: String,
    kind: String,
    /// the kind's name in the push's address
    slug: &'static str,
    region: String,
    hint: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

/// A township with its villages, for the region choice.
struct Town {
    code: String,
    name: String,
    chosen: bool,
    villages: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "dept_tokens.html")]
struct ListPage {
    ctx: Ctx,
    county: String,
    county_name: String,
    county_chosen: bool,
    rows: Vec<Row>,
    kinds: Vec<(String, String, bool)>,
    towns: Vec<Town>,
    name: String,
    errors: Vec<String>,
    /// The token just made: (its name, the token itself), shown this once
    created: Option<(String, String)>,
    endpoint: String,
}

#[derive(Template)]
#[template(path = "dept_token_revoke.html")]
struct RevokePage {
    ctx: Ctx,
    row: Row,
}

fn region_name(regions: &[Region], code: &RegionCode) -> String {
    regions
        .iter()
        .find(|r| &r.code == code)
        .map_or_else(|| code.to_string(), |r| r.name.clone())
}

fn row(l: L, regions: &[Region], t: &TokenRecord) -> Row {
    Row {
        id: t.id,
        name: t.name.clone(),
        kind: l.t(t.kind.label_zh(), t.kind.label_en()).to_string(),
        slug: t.kind.slug(),
        region: region_name(regions, &t.region),
        hint: format!("{}…", t.hint),
        created: china_time(t.created_at),
        last_used: t
            .last_used_at
            .map_or_else(|| l.t("未使用", "never").to_string(), china_time),
        revoked: t.revoked_at.map(china_time),
    }
}

/// What the list page shows besides its form's values.
struct Shown<'a> {
    form: &'a [(String, String)],
    problems: &'a [Problem],
    created: Option<(String, String)>,
    status: StatusCode,
}

async fn page(state: &AppState, s: &Session, county: RegionCode, shown: Shown<'_>) -> PageResult {
    let l = s.l();
    let c = county.clone();
    let (tokens, regions) = state
        .db(move |st| Ok((st.dept_tokens(&c)?, st.dept_token_regions(&c)?)))
        .await?;
    let chosen_region = value(shown.form, "region");
    let chosen_kind = value(shown.form, "kind");
    let towns = regions
        .iter()
        .filter(|r| r.code.level() == RegionLevel::Township)
        .map(|t| Town {
            code: t.code.to_string(),
            name: t.name.clone(),
            chosen: chosen_region == t.code.as_str(),
            villages: regions
                .iter()
                .filter(|v| v.code.level() == RegionLevel::Village && t.code.contains(&v.code))
                .map(|v| {
                    (
                        v.code.to_string(),
                        v.name.clone(),
                        chosen_region == v.code.as_str(),
                    )
                })
                .collect(),
        })
        .collect();
    let rows = tokens.iter().map(|t| row(l, &regions, t)).collect();
    let errors = shown
        .problems
        .iter()
        .map(|p| if l.is_en() { &p.en } else { &p.zh }.clone())
        .collect();
    let page = ListPage {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link("/dept", l.t("部门数据", "Department data")),
            Crumb::here(l.t("部门数据接口令牌", "Department API tokens")),
        ]),
        county: county.to_string(),
        county_name: region_name(&regions, &county),
        county_chosen: chosen_region.is_empty() || chosen_region == county.as_str(),
        rows,
        kinds: DeptKind::ALL
            .iter()
            .map(|k| {
                (
                    k.slug().to_string(),
                    // core's English description of a kind keeps the rolls' Chinese names
                    if l.is_en() {
                        k.label_en().to_string()
                    } else {
                        format!("{}：{}", k.label_zh(), k.content_zh())
                    },
                    chosen_kind == k.slug(),
                )
            })
            .collect(),
        towns,
        name: if shown.created.is_some() {
            String::new()
        } else {
            value(shown.form, "name")
        },
        errors,
        created: shown.created,
        endpoint: "/api/v1/dept/{kind}/records".into(),
    };
    Ok((shown.status, render(page)).into_response())
}

async fn list(State(state): State<AppState>, m: TokenManager) -> PageResult {
    page(
        &state,
        &m.session,
        m.county,
        Shown {
            form: &[],
            problems: &[],
            created: None,
            status: StatusCode::OK,
        },
    )
    .await
}

/// Creates a token and answers the list with it shown this once (no redirect: the token is
/// nowhere to be read again).
async fn create(
    State(state): State<AppState>,
    m: TokenManager,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let s = &m.session;
    let mut problems = Vec::new();
    let kind = DeptKind::ALL
        .iter()
        .copied()
        .find(|k| k.slug() == value(&form, "kind"));
    if kind.is_none() {
        problems.push(Problem::new(
            shouwang_core::ProblemCode::DeptKindUnknown,
            "kind",
            "请选择数据种类",
            "choose a kind of data",
        ));
    }
    let asked = value(&form, "region");
    let region = if asked.is_empty() {
        Some(m.county.clone())
    } else {
        RegionCode::parse(&asked).filter(|r| m.county.contains(r))
    };
    if region.is_none() {
        problems.push(Problem::new(
            shouwang_core::ProblemCode::Invalid,
            "region",
            "所选区域不在本县内",
            "the region chosen is not in the county",
        ));
    }
    let (Some(kind), Some(region), true) = (kind, region, problems.is_empty()) else {
        let status = AppError::Invalid(problems.clone()).status();
        return page(
            &state,
            s,
            m.county.clone(),
            Shown {
                form: &form,
                problems: &problems,
                created: None,
                status,
            },
        )
        .await;
    };
    let token = new_token();
    let (actor, county, name, secret) = (
        s.actor(),
        m.county.clone(),
        value(&form, "name"),
        token.clone(),
    );
    let made = state
        .db(move |st| {
            st.create_dept_token(
                &actor,
                &NewToken {
                    county: &county,
                    region: &region,
                    kind,
                    name: &name,
                    token: &secret,
                },
            )
        })
        .await;
    match made {
        Ok(t) => {
            page(
                &state,
                s,
                m.county.clone(),
                Shown {
                    form: &[],
                    problems: &[],
                    created: Some((t.name, token)),
                    status: StatusCode::OK,
                },
            )
            .await
        }
        Err(AppError::Invalid(problems)) => {
            let status = AppError::Invalid(problems.clone()).status();
            page(
                &state,
                s,
                m.county.clone(),
                Shown {
                    form: &form,
                    problems: &problems,
                    created: None,
                    status,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Asks to confirm; revokes once confirmed (`confirm=yes`).
async fn revoke(
    State(state): State<AppState>,
    m: TokenManager,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let s = &m.session;
    let l = s.l();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let county = m.county.clone();
    let (token, regions) = state
        .db(move |st| Ok((st.dept_token(&county, id)?, st.dept_token_regions(&county)?)))
        .await?;
    let token = token.ok_or(AppError::NotFound)?;
    if value(&form, "confirm") != "yes" {
        let page = RevokePage {
            ctx: Ctx::of(s).crumbs(vec![
                Crumb::link(
                    "/dept/tokens",
                    l.t("部门数据接口令牌", "Department API tokens"),
                ),
                Crumb::here(l.t("撤销令牌", "Revoke a token")),
            ]),
            row: row(l, &regions, &token),
        };
        return Ok(render(page));
    }
    let (actor, county) = (s.actor(), m.county.clone());
    let t = state
        .db(move |st| st.revoke_dept_token(&actor, &county, id))
        .await?;
    Ok(saved(
        "/dept/tokens",
        format!("已撤销令牌“{}”：它不能再推送数据", t.name),
        format!("Token “{}” revoked: it can push nothing any more", t.name),
    ))
}
