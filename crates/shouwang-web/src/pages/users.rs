//! Account administration (用户管理) for an administrator: the accounts of their region, each
//! disabled or enabled, its password reset (a new one shown once, to be changed at the next
//! sign-in), its sign-in delays lifted, its role and region changed (the region must fit the
//! role); and the audit log exported for an auditor. Every change is audited by the store. An
//! administrator does not disable or demote their own account here, so that no county is left
//! without one by a slip; the command line can.

use super::{render, Ctx};
use crate::access::UserAdmin;
use crate::auth::{self, Session};
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use shouwang_core::{RegionCode, Role};
use shouwang_io::table::TableFormat;
use shouwang_store::users::User;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/reset-password", post(reset_password))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/role", post(set_role))
        .route("/admin/users/{id}/positions", post(set_positions))
        .route("/admin/audit.csv", get(audit_csv))
        .route("/admin/audit.xlsx", get(audit_xlsx))
}

struct UserRow {
    id: i64,
    username: String,
    name: String,
    role: String,
    role_code: String,
    region: String,
    /// the region's name (empty when the region is not in the database)
    region_name: String,
    state: String,
    disabled: bool,
    own: bool,
    /// the positions held besides the role: (code, text)
    positions: Vec<(i64, String)>,
    /// a department user's kind of data: (slug, word); empty for other roles
    dept_kind: (String, String),
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: Ctx,
    region: String,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    /// the kinds of department data a department user may deliver: (slug, label)
    dept_kinds: Vec<(String, String)>,
    /// the positions a user may hold: (code, label)
    position_choices: Vec<(i64, String)>,
    notice: String,
    message: String,
}

async fn page(
    state: &AppState,
    s: &Session,
    notice: String,
    message: String,
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let region = s.scope.region.clone();
    let all = state.db(|st| st.users()).await?;
    // people and places by name: each account's region as its name
    let codes: std::collections::BTreeSet<RegionCode> =
        all.iter().map(|u| u.region.clone()).collect();
    let names: std::collections::HashMap<RegionCode, String> = state
        .db(move |st| {
            let mut m = std::collections::HashMap::new();
            for c in codes {
                if let Some(r) = st.region(&c)? {
                    m.insert(c, r.name);
                }
            }
            Ok(m)
        })
        .await?;
    let usernames: Vec<String> = all
        .iter()
        .filter(|u| region.contains(&u.region))
        .map(|u| u.username.clone())
        .collect();
    let held = state
        .db(move |st| {
            let mut m = std::collections::HashMap::new();
            for u in usernames {
                let ps = st.positions_of(&u)?;
                let mut out = Vec::new();
                for p in ps {
                    let person = match p.person_id {
                        Some(id) => st.person(id)?.map(|x| x.person.name),
                        None => None,
                    };
                    out.push((p, person));
                }
                m.insert(u, out);
            }
            Ok(m)
        })
        .await?;
    let now = shouwang_store::now();
    let users = all
        .into_iter()
        .filter(|u| region.contains(&u.region))
        .map(|u| {
            let state_text = if u.disabled {
                l.t("已停用", "disabled")
            } else if auth::must_change_password(&u, &state.config, now) {
                l.t("须修改密码", "must change the password")
            } else {
                l.t("正常", "active")
            };
            UserRow {
                dept_kind: u
                    .dept_kind
                    .map(|k| {
                        (
                            k.slug().to_string(),
                            l.t(k.label_zh(), k.label_en()).to_string(),
                        )
                    })
                    .unwrap_or_default(),
                id: u.id,
                own: u.id == s.user.id,
                role: l.t(u.role.label_zh(), u.role.label_en()).to_string(),
                role_code: u.role.as_str().to_string(),
                region_name: names.get(&u.region).cloned().unwrap_or_default(),
                region: u.region.to_string(),
                state: state_text.to_string(),
                disabled: u.disabled,
                positions: held
                    .get(&u.username)
                    .map(|ps| {
                        ps.iter()
                            .map(|(p, person)| {
                                let mut t = format!(
                                    "{} {}",
                                    l.t(p.position.label_zh(), p.position.label_en()),
                                    p.region
                                );
                                if let Some(n) = person {
                                    t.push_str(&format!(" · {n}"));
                                }
                                (p.position.code(), t)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                name: u.display_name,
                username: u.username,
            }
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                l.t(r.label_zh(), r.label_en()).to_string(),
            )
        })
        .collect();
    let body = render(UsersPage {
        ctx: Ctx::of(s),
        region: region.to_string(),
        users,
        roles,
        dept_kinds: shouwang_core::department::DeptKind::ALL
            .iter()
            .map(|k| {
                (
                    k.slug().to_string(),
                    l.t(k.label_zh(), k.label_en()).to_string(),
                )
            })
            .collect(),
        position_choices: shouwang_core::visit::duty::DutyPeriods::POSITIONS
            .iter()
            .map(|p| (p.code(), l.t(p.label_zh(), p.label_en()).to_string()))
            .collect(),
        notice,
        message,
    });
    Ok((status, body).into_response())
}

async fn list(State(state): State<AppState>, UserAdmin(s): UserAdmin) -> PageResult {
    page(&state, &s, String::new(), String::new(), StatusCode::OK).await
}

/// The account `id`, if it lies in the administrator's region ("not found" otherwise, as for
/// anything outside a user's region); `changing_self` refuses the administrator's own account.
async fn managed(
    state: &AppState,
    s: &Session,
    id: i64,
    changing_self: bool,
) -> Result<User, AppError> {
    let user = state
        .db(move |st| st.user_by_id(id))
        .await?
        .filter(|u| s.scope.region.contains(&u.region))
        .ok_or(AppError::NotFound)?;
    if changing_self && user.id == s.user.id {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

async fn set_disabled(state: AppState, s: Session, id: i64, disabled: bool) -> PageResult {
    let user = managed(&state, &s, id, true).await?;
    let actor = s.actor();
    state
        .db(move |st| st.set_disabled(&actor, &user, disabled))
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn disable(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
) -> PageResult {
    set_disabled(state, s, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
) -> PageResult {
    set_disabled(state, s, id, false).await
}

/// A new random password, shown once on the page that answers; the user must change it at the
/// next sign-in, and their sessions end now.
async fn reset_password(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
) -> PageResult {
    let user = managed(&state, &s, id, true).await?;
    let password = auth::generate_password();
    let p = password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let (actor, name) = (s.actor(), user.username.clone());
    state
        .db(move |st| st.set_password(&actor, &user, &hash, true, None))
        .await?;
    let l = s.l();
    let notice = format!(
        "{} {name}: {password} {}",
        l.t("已重置密码", "Password reset for"),
        l.t(
            "（只显示这一次；用户下次登录时须修改）",
            "(shown this once; the user must change it at the next sign-in)"
        )
    );
    page(&state, &s, notice, String::new(), StatusCode::OK).await
}

async fn unlock(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
) -> PageResult {
    let user = managed(&state, &s, id, false).await?;
    let actor = s.actor();
    let name = user.username.clone();
    state
        .db(move |st| st.lift_login_delay(&actor, &name))
        .await?;
    let l = s.l();
    let notice = format!(
        "{} {}",
        l.t("已解除登录限制：", "Sign-in delays lifted:"),
        user.username
    );
    page(&state, &s, notice, String::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    region: String,
    /// the kind of data of a department user (部门): required for that role
    #[serde(default)]
    dept_kind: String,
}

async fn set_role(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    let user = managed(&state, &s, id, true).await?;
    let l = s.l();
    let refuse = |m: String| {
        page(
            &state,
            &s,
            String::new(),
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(role) = Role::parse(&f.role) else {
        return refuse(l.t("角色无效", "Unknown role").into()).await;
    };
    // the new region must lie in the administrator's own region
    let region = match RegionCode::parse(&f.region) {
        Some(r) if s.scope.region.contains(&r) => r,
        _ => {
            return refuse(
                l.t(
                    "区划代码无效或不在管辖范围内",
                    "The region code is invalid or outside your region",
                )
                .into(),
            )
            .await
        }
    };
    if let Err(p) = role.check_region(&region) {
        return refuse(p.message(s.lang).to_string()).await;
    }
    let kind = shouwang_core::department::DeptKind::parse(&f.dept_kind);
    if role == Role::Department && kind.is_none() {
        return refuse(
            l.t(
                "部门用户须选择所属部门的数据种类",
                "A department user needs the kind of data of its department",
            )
            .into(),
        )
        .await;
    }
    let actor = s.actor();
    match state
        .db(move |st| st.set_role_and_kind(&actor, &user, role, &region, kind))
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(AppError::Invalid(ps)) => {
            let m = ps
                .first()
                .map(|p| p.message(s.lang).to_string())
                .unwrap_or_default();
            refuse(m).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PositionForm {
    /// a position to add (replacing one of the same position)
    #[serde(default)]
    position: String,
    #[serde(default)]
    region: String,
    /// the person, for 帮扶责任人 and 家庭签约医生
    #[serde(default)]
    person: String,
    /// a position to remove
    #[serde(default)]
    remove: String,
}

/// Adds (or replaces) or removes one position a user holds besides the role (村党支部书记 of a
/// village, 乡镇党委书记 of a township, 帮扶责任人 or 家庭签约医生 as a registered person).
async fn set_positions(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Path(id): Path<i64>,
    Form(f): Form<PositionForm>,
) -> PageResult {
    use shouwang_core::visit::Position;
    use shouwang_store::pairing::UserPosition;
    let user = managed(&state, &s, id, false).await?;
    let l = s.l();
    let refuse = |m: String| {
        page(
            &state,
            &s,
            String::new(),
            m,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let username = user.username.clone();
    let current = state.db(move |st| st.positions_of(&username)).await?;
    let mut next: Vec<UserPosition> = current;
    if let Ok(gone) = f.remove.trim().parse::<i64>() {
        next.retain(|p| p.position.code() != gone);
    } else {
        let Some(position) = f
            .position
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(Position::from_code)
            .filter(|p| *p != Position::Cadre)
        else {
            return refuse(l.t("请选择职务", "Choose a position").into()).await;
        };
        let region = match RegionCode::parse(&f.region) {
            Some(r) if s.scope.region.contains(&r) => r,
            _ => {
                return refuse(
                    l.t(
                        "区划代码无效或不在管辖范围内",
                        "The region code is invalid or outside your region",
                    )
                    .into(),
                )
                .await
            }
        };
        next.retain(|p| p.position != position);
        next.push(UserPosition {
            position,
            region,
            person_id: f.person.trim().parse().ok(),
        });
    }
    let actor = s.actor();
    let username = user.username.clone();
    match state
        .db(move |st| st.set_positions(&actor, &username, &next))
        .await
    {
        Ok(()) => Ok(super::saved(
            "/admin/users",
            format!("已更新{}的职务", user.display_name),
            format!("Positions of {} saved", user.display_name),
        )),
        Err(AppError::Invalid(ps)) => {
            let m = ps
                .iter()
                .map(|p| p.message(s.lang).to_string())
                .collect::<Vec<_>>()
                .join("；");
            refuse(m).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    /// The last this many days (365 by default).
    days: Option<i64>,
}

async fn audit_export(
    state: AppState,
    s: Session,
    days: Option<i64>,
    format: TableFormat,
) -> PageResult {
    let now = shouwang_store::now();
    let from = now - days.unwrap_or(365).clamp(1, 36_500) * 86_400;
    let (actor, within) = (s.actor(), s.scope.region.clone());
    let (bytes, _) = state
        .db(move |st| {
            shouwang_app::audit::export(st, &actor, Some(&within), (from, now + 1), format)
        })
        .await?;
    let (ctype, ext) = match format {
        TableFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        TableFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name = format!(
        "attachment; filename=\"audit-{}-{}.{ext}\"",
        s.scope.region,
        shouwang_app::audit::china_time(now)
            .get(..10)
            .unwrap_or("")
            .replace('-', "")
    );
    let headers = [
        (header::CONTENT_TYPE, ctype.to_string()),
        (header::CONTENT_DISPOSITION, name),
    ];
    Ok((headers, bytes).into_response())
}

async fn audit_csv(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    audit_export(state, s, q.days, TableFormat::Csv).await
}

async fn audit_xlsx(
    State(state): State<AppState>,
    UserAdmin(s): UserAdmin,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    audit_export(state, s, q.days, TableFormat::Xlsx).await
}
