//! 公安 deaths (D09) on the household's page: a village cadre (who may edit the registry)
//! confirms the death, and the member leaves the household as deceased on the alert's date
//! through the registry's departure path, or rejects the record with a reason. The household
//! page's department section links here (`/households/{no}/dept-death/{alert}`); an alert of
//! another household or outside the user's region reads as "not found".

use super::{render, saved, Crumb, Ctx};
use crate::access::EditableHousehold;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use shouwang_app::department_death::{self as death, DeathAlert, DeathDecision};
use shouwang_core::department::AlertStatus;
use shouwang_core::{Problem, ProblemCode};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/households/{no}/dept-death/{alert}",
        get(form).post(decide),
    )
}

#[derive(Template)]
#[template(path = "dept_death.html")]
struct DeathPage {
    ctx: Ctx,
    title: String,
    action: String,
    back: String,
    name: String,
    on: String,
    /// the decision already taken, as a sentence; none while pending
    decided: Option<String>,
    note: String,
    errors: Vec<String>,
}

async fn load(state: &AppState, s: &Session, no: &str, alert: i64) -> Result<DeathAlert, AppError> {
    let region = s.scope.region.clone();
    let a = state
        .db(move |st| st.death_alert(&region, alert))
        .await?
        .ok_or(AppError::NotFound)?;
    if a.household_no != no {
        return Err(AppError::NotFound);
    }
    Ok(a)
}

fn page(
    s: &Session,
    head: &str,
    a: &DeathAlert,
    note: &str,
    problems: &[Problem],
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let no = &a.household_no;
    let on = a.on_date.map(|d| d.to_string()).unwrap_or_default();
    let title = format!(
        "{} · {}",
        l.t(
            "公安死亡信息确认",
            "Confirm a death registered by the police"
        ),
        a.person_name
    );
    let decided = match (a.decision, a.status) {
        (Some(d), _) => Some(format!(
            "{}{}",
            l.t(d.label_zh(), d.label_en()),
            a.note
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(|n| format!("：{n}"))
                .unwrap_or_default()
        )),
        (None, AlertStatus::Withdrawn) => Some(
            l.t(
                "该预警已随批次撤回",
                "the alert was withdrawn with its batch",
            )
            .to_string(),
        ),
        (None, _) => None,
    };
    let p = DeathPage {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link(format!("/households/{no}"), head.to_string()),
            Crumb::here(l.t("死亡信息确认", "Death confirmation")),
        ]),
        title,
        action: format!("/households/{no}/dept-death/{}", a.id),
        back: format!("/households/{no}"),
        name: a.person_name.clone(),
        on,
        decided,
        note: note.to_string(),
        errors: problems
            .iter()
            .map(|p| l.t(&p.zh, &p.en).to_string())
            .collect(),
    };
    Ok((status, render(p)).into_response())
}

async fn form(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(h): EditableHousehold,
    Path((no, alert)): Path<(String, i64)>,
) -> PageResult {
    let a = load(&state, &s, &no, alert).await?;
    let head = super::registry::household_name(&s.l(), &h);
    page(&s, &head, &a, "", &[], StatusCode::OK)
}

#[derive(Deserialize)]
struct DecisionForm {
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(h): EditableHousehold,
    Path((no, alert)): Path<(String, i64)>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let a = load(&state, &s, &no, alert).await?;
    let decision = match f.decision.as_str() {
        "confirm" => DeathDecision::Confirmed,
        "reject" => DeathDecision::Rejected,
        _ => return Err(AppError::BadRequest("decision".into()).into()),
    };
    let (actor, region, note) = (s.actor(), s.scope.region.clone(), f.note.clone());
    let result = state
        .db(move |st| death::decide(st, &actor, &region, alert, decision, &note, today()))
        .await;
    match result {
        Ok(done) => {
            let (zh, en) = match decision {
                DeathDecision::Confirmed => (
                    format!(
                        "已确认{}死亡，已记为{}离开本户（死亡）",
                        done.person_name,
                        done.on_date.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    format!(
                        "Confirmed the death of {}; recorded as leaving the household (death)",
                        done.person_name
                    ),
                ),
                DeathDecision::Rejected => (
                    format!("已驳回{}的死亡信息", done.person_name),
                    format!("Rejected the death record of {}", done.person_name),
                ),
            };
            Ok(saved(&format!("/households/{no}"), zh, en))
        }
        Err(AppError::Invalid(p)) => {
            let fresh = load(&state, &s, &no, alert).await.unwrap_or(a);
            let status = if p.iter().any(|p| p.code == ProblemCode::DeptDeathDecided) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let head = super::registry::household_name(&s.l(), &h);
            page(&s, &head, &fresh, &f.note, &p, status)
        }
        Err(e) => Err(e.into()),
    }
}
