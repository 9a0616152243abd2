//! 部门数据比对 in the browser: the batches of the region with their counts (`/dept`), one batch
//! with its alerts, its unmatched rows and its rollback (`/dept/batches/{id}`), the upload of a
//! department's file (`/dept/upload`), the unmatched queue with its resolution (`/dept/unmatched`),
//! the alerts by kind and level (`/dept/alerts`), the county's column profiles and thresholds
//! (`/dept/profiles`), and the department sections of the household, lead and appraisal pages.
//!
//! Who may do what comes from core's permission table: `ViewDepartment` to read,
//! `ImportDepartment` to upload and roll back (county level), `ResolveDepartment` to handle the
//! queue and edit the profiles. A department user (role 部门) sees only its own kind
//! (`users.dept_kind`): another kind, a batch of it or a profile of it is "not found", like a
//! batch outside the region.

mod alerts;
mod batches;
mod profiles;
mod queue;
pub(super) mod sections;
mod upload;

use crate::access::not_allowed;
use crate::auth::Session;
use crate::error::AppError;
use crate::i18n::L;
use crate::state::AppState;
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::department::alert::DeptRule;
use shouwang_core::department::DeptKind;
use shouwang_core::{Problem, ProblemCode, RegionCode, Role};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(batches::routes())
        .merge(upload::routes())
        .merge(queue::routes())
        .merge(alerts::routes())
        .merge(profiles::routes())
}

type Params = HashMap<String, String>;

/// Rows per page of the lists.
const PER_PAGE: usize = 50;

/// Who reads department data, and of which kind.
#[derive(Clone, Debug)]
pub(crate) struct DeptViewer {
    /// the user's own region
    pub region: RegionCode,
    /// a department user's own kind: the only one it sees
    pub own_kind: Option<DeptKind>,
}

impl DeptViewer {
    /// The kind a page shows: the department user's own, else the one asked for. A department
    /// user asking for another kind is "not found".
    pub fn kind(&self, asked: Option<DeptKind>) -> Result<Option<DeptKind>, AppError> {
        match (self.own_kind, asked) {
            (Some(own), Some(k)) if k != own => Err(AppError::NotFound),
            (Some(own), _) => Ok(Some(own)),
            (None, k) => Ok(k),
        }
    }
    /// Whether the viewer sees data of `kind`.
    pub fn sees(&self, kind: DeptKind) -> bool {
        self.own_kind.is_none_or(|k| k == kind)
    }
    /// The kinds the viewer may pick.
    pub fn kinds(&self) -> Vec<DeptKind> {
        DeptKind::ALL
            .iter()
            .copied()
            .filter(|k| self.sees(*k))
            .collect()
    }
}

/// The viewer of `s` if the role may read department data; a department user without a kind
/// sees nothing ("not allowed").
pub(crate) fn viewer(s: &Session) -> Result<DeptViewer, AppError> {
    may(s, Action::ViewDepartment)?;
    let own_kind = if s.user.role == Role::Department {
        Some(s.user.dept_kind.ok_or(AppError::Forbidden)?)
    } else {
        None
    };
    Ok(DeptViewer {
        region: s.scope.region.clone(),
        own_kind,
    })
}

/// Whether the user may do `action` in their own region ("not allowed" otherwise).
pub(crate) fn may(s: &Session, action: Action) -> Result<(), AppError> {
    s.scope
        .decide(action, Target::Region(&s.scope.region))
        .map_err(not_allowed)
}

/// Whether the user may do `action` in their own region (to show a form or not).
pub(crate) fn allows(s: &Session, action: Action) -> bool {
    s.scope.allows(action, Target::Region(&s.scope.region))
}

/// The user's county ("not allowed" above a county: an administrator of a city reads, but
/// uploads and edits belong to a county).
pub(crate) fn county_of(s: &Session) -> Result<RegionCode, AppError> {
    s.scope.region.county().ok_or(AppError::Forbidden)
}

/// A query parameter, trimmed, if given.
fn get<'a>(q: &'a Params, k: &str) -> Option<&'a str> {
    q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn bad_query(field: &str, v: &str) -> AppError {
    AppError::Invalid(vec![Problem::new(
        ProblemCode::QueryInvalid,
        field,
        format!("“{v}”无法识别"),
        format!("'{v}' cannot be read"),
    )])
}

/// `?kind=` as a kind (its slug, its code or its Chinese name).
fn kind_param(q: &Params) -> Result<Option<DeptKind>, AppError> {
    get(q, "kind")
        .map(|v| {
            DeptKind::parse(v)
                .or_else(|| v.parse().ok().and_then(DeptKind::from_code))
                .ok_or_else(|| bad_query("kind", v))
        })
        .transpose()
}

/// `?{name}=` as a code of a code list.
fn code_param<T>(
    q: &Params,
    name: &str,
    from: impl Fn(i64) -> Option<T>,
) -> Result<Option<T>, AppError> {
    get(q, name)
        .map(|v| {
            v.parse()
                .ok()
                .and_then(&from)
                .ok_or_else(|| bad_query(name, v))
        })
        .transpose()
}

/// `?{name}=` as a whole number.
fn int_param(q: &Params, name: &str) -> Result<Option<i64>, AppError> {
    get(q, name)
        .map(|v| v.parse().map_err(|_| bad_query(name, v)))
        .transpose()
}

/// `?page=` (1 when not given).
fn page_param(q: &Params) -> Result<usize, AppError> {
    Ok(match get(q, "page") {
        None => 1,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| bad_query("page", v))?,
    })
}

/// `?rule=` as a department rule (`D01` …).
fn rule_param(q: &Params) -> Result<Option<DeptRule>, AppError> {
    get(q, "rule")
        .map(|v| DeptRule::parse(v).ok_or_else(|| bad_query("rule", v)))
        .transpose()
}

pub(crate) fn kind_word(l: L, k: DeptKind) -> String {
    l.t(k.label_zh(), k.label_en()).to_string()
}

/// A Unix time as the pages show it (China time, to the minute).
pub(crate) fn when(at: i64) -> String {
    shouwang_app::audit::china_time(at)
        .get(..16)
        .unwrap_or("")
        .to_string()
}

/// An amount in 分 as 元.
pub(crate) fn yuan(fen: i64) -> String {
    shouwang_core::money::format_hundredths(fen)
}

/// The names of villages by code (the code itself when unknown).
async fn village_names(
    state: &AppState,
    codes: Vec<String>,
) -> Result<HashMap<String, String>, AppError> {
    let mut known: Vec<RegionCode> = codes
        .iter()
        .filter_map(|c| RegionCode::from_canonical(c))
        .collect();
    known.sort();
    known.dedup();
    let names = super::region_names(state, known).await?;
    Ok(codes
        .into_iter()
        .map(|c| {
            let shown = names.get(&c).map_or_else(
                || c.clone(),
                |n| super::screening::short_name(n).to_string(),
            );
            (c, shown)
        })
        .collect())
}

/// The display names of usernames.
async fn user_names(
    state: &AppState,
    mut users: Vec<String>,
) -> Result<HashMap<String, String>, AppError> {
    users.sort();
    users.dedup();
    state.db(move |st| st.display_names(&users)).await
}
