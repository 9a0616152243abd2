//! `/dept/profiles` and `/dept/profiles/{kind}`: the county's column profile of each kind (列配置:
//! the header names each column is known by, required ones marked) and the kind's thresholds,
//! the year's standard's value shown as the default. Saving goes through
//! `shouwang_app::department::save_profile` at the version read (two editors collide as
//! "changed by someone else"); a refusal is shown next to its field.

use super::{allows, county_of, kind_word, viewer, DeptViewer};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use shouwang_app::department::{save_profile, ImportError};
use shouwang_core::access::Action;
use shouwang_core::department::alert::Thresholds;
use shouwang_core::department::profile::{builtin, ProfileEdits, ThresholdKey};
use shouwang_core::department::DeptKind;
use shouwang_core::{Fen, Problem, ProblemCode};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dept/profiles", get(list))
        .route("/dept/profiles/{kind}", get(edit).post(save))
}

#[derive(Template)]
#[template(path = "dept_profiles.html")]
struct ListPage {
    ctx: Ctx,
    /// (slug, word, content, edited version)
    kinds: Vec<(&'static str, String, String, i64)>,
}

async fn list(State(state): State<AppState>, s: Session) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    let county = county_of(&s)?;
    let kinds = v.kinds();
    let ks = kinds.clone();
    let versions = state
        .db(move |st| {
            ks.iter()
                .map(|k| st.dept_profile(&county, *k).map(|(_, version)| version))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(render(ListPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/dept", l.t("部门数据", "Department data")),
            Crumb::here(l.t("列配置与阈值", "Profiles and thresholds")),
        ]),
        kinds: kinds
            .iter()
            .zip(versions)
            .map(|(k, version)| {
                (
                    k.slug(),
                    kind_word(l, *k),
                    l.t(k.content_zh(), k.content_en()).to_string(),
                    version,
                )
            })
            .collect(),
    }))
}

struct ColumnView {
    name: &'static str,
    label: String,
    required: bool,
    value: String,
    builtin: String,
    problem: String,
}

struct ThresholdView {
    name: &'static str,
    label: String,
    unit: &'static str,
    value: String,
    default: String,
    problem: String,
}

#[derive(Template)]
#[template(path = "dept_profile.html")]
struct EditPage {
    ctx: Ctx,
    slug: &'static str,
    kind: String,
    content: String,
    version: i64,
    columns: Vec<ColumnView>,
    thresholds: Vec<ThresholdView>,
    can_edit: bool,
    message: String,
}

/// The kind `{kind}` of the path, if the viewer sees it.
fn path_kind(v: &DeptViewer, slug: &str) -> Result<DeptKind, AppError> {
    DeptKind::parse(slug)
        .filter(|k| v.sees(*k))
        .ok_or(AppError::NotFound)
}

/// Header names as one text: joined by 、.
fn joined(names: &[String]) -> String {
    names.join("、")
}

/// Header names of one text field: separated by commas, 、 or line breaks.
fn split_names(text: &str) -> Vec<String> {
    text.split([',', '，', '、', '\n', ';', '；'])
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

fn threshold_text(key: ThresholdKey, v: i64) -> String {
    if key.is_percent() {
        v.to_string()
    } else {
        Fen(v).to_string()
    }
}

fn unit(l: L, key: ThresholdKey) -> &'static str {
    if key.is_percent() {
        "%"
    } else {
        l.t("元", "yuan")
    }
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    s: &Session,
    kind: DeptKind,
    version: i64,
    edits: Option<ProfileEdits>,
    sent: Option<HashMap<String, String>>,
    problems: Vec<Problem>,
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let county = county_of(s)?;
    let year = today().year();
    let c = county.clone();
    let (stored, stored_version, standard) = state
        .db(move |st| {
            let (edits, version) = st.dept_profile(&c, kind)?;
            let standard = st
                .resolved_standard(&c, year)
                .ok()
                .map(|r| Thresholds::from_standard(&r));
            Ok((edits, version, standard))
        })
        .await?;
    let edits = edits.unwrap_or(stored);
    let version = if sent.is_some() {
        version
    } else {
        stored_version
    };
    let problem_of = |name: &str| {
        problems
            .iter()
            .filter(|p| p.field == name)
            .map(|p| p.message(s.lang).to_string())
            .collect::<Vec<_>>()
            .join("；")
    };
    let columns = builtin(kind)
        .iter()
        .map(|c| {
            let name = c.field.name();
            let value = match &sent {
                Some(f) => f.get(&format!("h_{name}")).cloned().unwrap_or_default(),
                None => joined(
                    &edits
                        .headers
                        .get(&c.field)
                        .cloned()
                        .unwrap_or_else(|| c.headers.iter().map(|h| h.to_string()).collect()),
                ),
            };
            ColumnView {
                name,
                label: l.t(c.field.label_zh(), c.field.label_en()).to_string(),
                required: c.required,
                value,
                builtin: c.headers.join("、"),
                problem: problem_of(name),
            }
        })
        .collect();
    let thresholds = ThresholdKey::of(kind)
        .map(|key| {
            let name = key.name();
            let value = match &sent {
                Some(f) => f.get(&format!("t_{name}")).cloned().unwrap_or_default(),
                None => edits
                    .thresholds
                    .get(&key)
                    .map(|v| threshold_text(key, *v))
                    .unwrap_or_default(),
            };
            ThresholdView {
                name,
                label: l.t(key.label_zh(), key.label_en()).to_string(),
                unit: unit(l, key),
                value,
                default: standard
                    .map(|t| threshold_text(key, t.value(key)))
                    .unwrap_or_default(),
                problem: problem_of(name),
            }
        })
        .collect();
    let known: Vec<&str> = builtin(kind)
        .iter()
        .map(|c| c.field.name())
        .chain(ThresholdKey::of(kind).map(|k| k.name()))
        .collect();
    // problems of no field on the page (a stale version, a column of another kind)
    let message = problems
        .iter()
        .filter(|p| !known.contains(&p.field.as_str()))
        .map(|p| p.message(s.lang).to_string())
        .collect::<Vec<_>>()
        .join("；");
    let message = if message.is_empty() && !problems.is_empty() {
        l.t(
            "未保存：请按各栏提示修改",
            "Not saved: correct the fields marked",
        )
        .to_string()
    } else {
        message
    };
    Ok((
        status,
        render(EditPage {
            ctx: Ctx::of(s).crumbs(vec![
                Crumb::link("/dept", l.t("部门数据", "Department data")),
                Crumb::link(
                    "/dept/profiles",
                    l.t("列配置与阈值", "Profiles and thresholds"),
                ),
                Crumb::here(kind_word(l, kind)),
            ]),
            slug: kind.slug(),
            kind: kind_word(l, kind),
            content: l.t(kind.content_zh(), kind.content_en()).to_string(),
            version,
            columns,
            thresholds,
            can_edit: allows(s, Action::ResolveDepartment),
            message,
        }),
    )
        .into_response())
}

async fn edit(State(state): State<AppState>, s: Session, Path(slug): Path<String>) -> PageResult {
    let v = viewer(&s)?;
    let kind = path_kind(&v, &slug)?;
    edit_page(&state, &s, kind, 0, None, None, Vec::new(), StatusCode::OK).await
}

/// The edits a form asks for: a column's names where they differ from the built-in ones, the
/// thresholds given; unreadable thresholds as problems.
fn edits_of(kind: DeptKind, f: &HashMap<String, String>) -> (ProfileEdits, Vec<Problem>) {
    let mut edits = ProfileEdits::default();
    let mut problems = Vec::new();
    for c in builtin(kind) {
        let Some(text) = f.get(&format!("h_{}", c.field.name())) else {
            continue;
        };
        let names = split_names(text);
        let builtin: Vec<String> = c.headers.iter().map(|h| h.to_string()).collect();
        if names != builtin {
            edits.headers.insert(c.field, names);
        }
    }
    for key in ThresholdKey::of(kind) {
        let text = f
            .get(&format!("t_{}", key.name()))
            .map(|t| t.trim())
            .unwrap_or("");
        if text.is_empty() {
            continue;
        }
        let value = if key.is_percent() {
            text.trim_end_matches('%').trim().parse::<i64>().ok()
        } else {
            Fen::parse_yuan(text.trim_end_matches('元').trim())
                .ok()
                .map(|f| f.0)
        };
        match value {
            Some(v) => {
                edits.thresholds.insert(key, v);
            }
            None => problems.push(Problem::new(
                ProblemCode::DeptThreshold,
                key.name(),
                format!("{}“{text}”无法识别", key.label_zh()),
                format!("{}: '{text}' cannot be read", key.label_en()),
            )),
        }
    }
    (edits, problems)
}

async fn save(
    State(state): State<AppState>,
    s: Session,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    let kind = path_kind(&v, &slug)?;
    super::may(&s, Action::ResolveDepartment)?;
    let county = county_of(&s)?;
    let version: i64 = f
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let (edits, mut problems) = edits_of(kind, &f);
    problems.extend(edits.check(kind));
    let refuse = |problems: Vec<Problem>, status: StatusCode| {
        let (state, s, f, edits) = (state.clone(), s.clone(), f.clone(), edits.clone());
        async move {
            edit_page(
                &state,
                &s,
                kind,
                version,
                Some(edits),
                Some(f),
                problems,
                status,
            )
            .await
        }
    };
    if !problems.is_empty() {
        return refuse(problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (actor, e) = (s.actor(), edits.clone());
    let done = state
        .db(move |st| Ok(save_profile(st, &actor, &county, kind, &e, version)))
        .await?;
    match done {
        Ok(_) => Ok(saved(
            &format!("/dept/profiles/{}", kind.slug()),
            format!("已保存{}数据的列配置和阈值", kind.label_zh()),
            format!("The {} profile and thresholds are saved", kind.label_en()),
        )),
        Err(ImportError::Refused(p)) => refuse(vec![p], StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(ImportError::Store(e)) => match AppError::from(e) {
            AppError::Invalid(ps) => refuse(ps, StatusCode::UNPROCESSABLE_ENTITY).await,
            AppError::Stale => {
                refuse(
                    vec![Problem::new(
                        ProblemCode::Stale,
                        "version",
                        "该配置已被他人修改，请刷新后重试",
                        "someone else changed this profile; reload and try again",
                    )],
                    StatusCode::CONFLICT,
                )
                .await
            }
            e => {
                let _ = l;
                Err(e.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_split_on_commas_and_enumeration_marks() {
        assert_eq!(
            split_names("证件号码、身份证号, 公民身份号码，\n "),
            vec!["证件号码", "身份证号", "公民身份号码"]
        );
        let f: HashMap<String, String> = [("h_id_number".to_string(), String::new())].into();
        let (edits, _) = edits_of(DeptKind::Medical, &f);
        assert!(edits
            .check(DeptKind::Medical)
            .iter()
            .any(|p| p.field == "id_number"));
    }
}
