//! 工作提示单 in the API: a village's task list of a month (as saved, or as the data says now
//! when none was generated yet), and generating the lists of a village, township or county.
//!
//! Reading needs `ViewAssistance` in the village, generating `Assist` in the region; a village
//! outside the user's region is "not found", a role that may never is "not allowed".

use super::body;
use super::query::{ApiQuery, FromQuery, NoParams, Params};
use crate::access;
use crate::auth::Session;
use crate::error::AppError;
use crate::state::{today, AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use shouwang_core::access::{Action, Target};
use shouwang_core::date::YearMonth;
use shouwang_core::region::RegionLevel;
use shouwang_core::task_list::TaskList;
use shouwang_core::{Problem, ProblemCode, RegionCode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/tasks", get(list))
        .route("/v1/tasks/generate", post(generate))
}

fn month_param(q: &Params) -> Result<Option<YearMonth>, AppError> {
    q.parse(
        "month",
        YearMonth::parse,
        "月份（YYYY-MM）",
        "a month YYYY-MM",
    )
}

struct TasksQuery {
    village: Option<String>,
    month: Option<YearMonth>,
}

impl FromQuery for TasksQuery {
    const PARAMS: &'static [&'static str] = &["village", "month"];
    fn read(q: &Params) -> Result<TasksQuery, AppError> {
        Ok(TasksQuery {
            village: q.parse(
                "village",
                |v| RegionCode::parse(v).map(|c| c.as_str().to_string()),
                "12位村级区划代码",
                "a village code of 12 digits",
            )?,
            month: month_param(q)?,
        })
    }
}

fn list_json(list: &TaskList, name: &str, generated: Option<&(String, i64)>) -> Value {
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|i| {
            json!({
                "kind": i.kind,
                "kind_code": i.kind.code(),
                "household_no": i.household_no,
                "head_name": i.head_name,
                "due": i.due,
                "overdue": i.overdue_in(list.month),
                "who": i.who_zh,
                "who_en": i.who_en,
                "text": i.text_zh,
                "text_en": i.text_en,
                "link": i.link,
            })
        })
        .collect();
    json!({
        "village": list.village,
        "village_name": name,
        "month": list.month.to_string(),
        "saved": generated.is_some(),
        "generated_by": generated.map(|g| g.0.clone()),
        "generated_at": generated.map(|g| g.1),
        "overdue": list.overdue(),
        "items": items,
    })
}

/// A village's task list of a month (this month if not given).
async fn list(
    State(state): State<AppState>,
    s: Session,
    ApiQuery(q): ApiQuery<TasksQuery>,
) -> Result<Json<Value>, AppError> {
    let village = access::asked_region(&s, Action::ViewAssistance, q.village.as_deref())?;
    if village.level() != RegionLevel::Village {
        return Err(AppError::Invalid(vec![Problem::new(
            ProblemCode::QueryInvalid,
            "village",
            "请给出村级区划代码（12位）",
            "give a village code (12 digits)",
        )]));
    }
    let month = q.month.unwrap_or_else(|| YearMonth::of(today()));
    let v = village.clone();
    let (region, (list, generated)) = state
        .db(move |st| {
            Ok((
                st.region(&v)?,
                shouwang_app::task_list::current(st, &v, month)?,
            ))
        })
        .await?;
    let name = region.map_or_else(String::new, |r| r.name);
    Ok(Json(list_json(&list, &name, generated.as_ref())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateBody {
    region: String,
    #[serde(default)]
    month: Option<String>,
}

/// Generates (again) the lists of a village, or of every village of a township or county.
async fn generate(
    State(state): State<AppState>,
    s: Session,
    _: ApiQuery<NoParams>,
    b: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let b: GenerateBody = body(b)?;
    let region = access::asked_region(&s, Action::ViewAssistance, Some(&b.region))?;
    s.scope
        .decide(Action::Assist, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let month = match b.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => YearMonth::of(today()),
        Some(m) => YearMonth::parse(m).ok_or_else(|| {
            AppError::Invalid(vec![Problem::new(
                ProblemCode::Invalid,
                "month",
                format!("月份“{m}”无法识别，应写作 YYYY-MM"),
                format!("the month '{m}' is not understood: expected YYYY-MM"),
            )])
        })?,
    };
    let actor = s.actor();
    let r = region.clone();
    let (g, _) = state
        .db(move |st| shouwang_app::task_list::generate(st, &actor, &r, month))
        .await?;
    Ok(Json(json!({
        "region": region.as_str(),
        "month": month.to_string(),
        "villages": g.villages,
        "items": g.items,
        "overdue": g.overdue,
    })))
}
