//! Screening pages (监测预警): the warnings list, a household's warning history with evidence and
//! the "run screening" button. A household's incomes are in [`super::income`]; what-if and the
//! standards in [`super::standards`].
//!
//! Who may see and do what is decided by the extractors of [`crate::access`], like the registry
//! pages: a region outside the scope reads as "not found", an action the role may not take as
//! "not allowed".

use super::{render, Ctx};
use crate::access::{self, Screener, VisibleHousehold, WarningsRegion};
use crate::auth::Session;
use crate::error::PageResult;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::{RuleId, WarningLevel, CATALOGUE};
use shouwang_core::Date;
use shouwang_store::screening::{level_of, HitRecord, WarningFilter};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/households/{no}/warnings", get(household_warnings))
        .route("/warnings", get(warnings))
        .route("/warnings/run", post(run_screening))
}

type Params = HashMap<String, String>;
/// (id, date, region, flagged, red, yellow, blue, new leads)
type RunRow = (i64, String, String, i64, i64, i64, i64, i64);

fn when(secs: i64) -> String {
    Date::from_unix_seconds_china(secs).to_string()
}

struct HitView {
    when: String,
    household_no: String,
    level: String,
    level_class: String,
    rule: String,
    risk: String,
    text: String,
    source: String,
}

fn hit_view(s: &Session, h: &HitRecord) -> HitView {
    let l = s.l();
    let e = &h.evidence;
    let text = e[if l.is_en() { "en" } else { "zh" }]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let source = match e.get("source").filter(|v| !v.is_null()) {
        Some(src) => format!(
            "{} {}",
            src[if l.is_en() { "label_en" } else { "label_zh" }]
                .as_str()
                .unwrap_or_default(),
            src["date"].as_str().unwrap_or_default()
        ),
        None => String::new(),
    };
    let def = h.rule.def();
    let rule = format!("{} {}", h.rule.code(), l.t(def.name_zh, def.name_en));
    let risk = l.t(h.risk.label_zh(), h.risk.label_en()).to_string();
    HitView {
        when: when(h.run_at),
        household_no: h.household_no.clone(),
        level: l.t(h.level.label_zh(), h.level.label_en()).to_string(),
        level_class: h.level.label_en().to_string(),
        rule,
        risk,
        text,
        source,
    }
}

// ---------------------------------------------------------------- warnings

#[derive(Template)]
#[template(path = "warnings.html")]
struct WarningsPage {
    ctx: Ctx,
    region: String,
    level: String,
    risk: String,
    rule: String,
    age: String,
    levels: Vec<(String, String)>,
    risks: Vec<(String, String)>,
    rules: Vec<(String, String)>,
    hits: Vec<HitView>,
    runs: Vec<RunRow>,
    can_run: bool,
    message: String,
}

async fn warnings(
    State(state): State<AppState>,
    s: Session,
    WarningsRegion(region): WarningsRegion,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let pick = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (level, risk, rule, age) = (pick("level"), pick("risk"), pick("rule"), pick("age"));
    let filter = WarningFilter {
        region: region.as_str().to_string(),
        level: level_of(&level),
        risk: RiskType::parse_zh(&risk),
        rule: RuleId::parse(&rule),
        min_age_days: age.parse().ok(),
        limit: 500,
    };
    let has_county = region.county().is_some();
    let r = region.clone();
    let (hits, runs) = state
        .db(move |st| {
            let hits = if has_county {
                st.warnings(&filter)?
            } else {
                Vec::new()
            };
            Ok((hits, st.runs(&r, 10)?))
        })
        .await?;
    let message = match q.get("run").map(String::as_str) {
        Some("unchanged") => l
            .t(
                "数据未变：没有写入新的筛查记录，也没有新增线索。",
                "Nothing changed: no new run was written and no lead was raised.",
            )
            .to_string(),
        Some(id) if !id.is_empty() => format!(
            "{} #{id}{}",
            l.t("已完成筛查", "Screening run"),
            q.get("leads")
                .map(|n| format!("{}{n}", l.t("，新增线索 ", ", new leads ")))
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    render_ok(WarningsPage {
        region: region.as_str().to_string(),
        levels: WarningLevel::ALL
            .iter()
            .map(|v| {
                (
                    v.label_en().to_string(),
                    l.t(v.label_zh(), v.label_en()).to_string(),
                )
            })
            .collect(),
        risks: CATALOGUE
            .iter()
            .map(|d| d.risk)
            .fold(Vec::new(), |mut v, r| {
                if !v.contains(&r) {
                    v.push(r);
                }
                v
            })
            .into_iter()
            .map(|r| {
                (
                    r.label_zh().to_string(),
                    l.t(r.label_zh(), r.label_en()).to_string(),
                )
            })
            .collect(),
        rules: CATALOGUE
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    format!("{} {}", d.code, l.t(d.name_zh, d.name_en)),
                )
            })
            .collect(),
        hits: hits.iter().map(|h| hit_view(&s, h)).collect(),
        runs: runs
            .iter()
            .map(|r| {
                (
                    r.id,
                    when(r.started_at),
                    r.region.clone(),
                    r.flagged_households,
                    r.red,
                    r.yellow,
                    r.blue,
                    r.new_leads,
                )
            })
            .collect(),
        can_run: s
            .scope
            .allows(Action::RunScreening, Target::Region(&s.scope.region)),
        level,
        risk,
        rule,
        age,
        message,
        ctx: Ctx::of(&s),
    })
}

fn render_ok(t: impl Template) -> PageResult {
    Ok(render(t))
}

/// POST /warnings/run: a county officer screens the county now.
async fn run_screening(
    State(state): State<AppState>,
    s: Session,
    Screener { county }: Screener,
) -> PageResult {
    let actor = s.actor();
    let today = today();
    let outcome = state
        .db(move |st| {
            shouwang_app::screening::run(st, &county, today.year(), today, &actor)
                .map(|r| r.outcome)
        })
        .await?;
    let to = match outcome.run_id {
        Some(id) => format!("/warnings?run={id}&leads={}", outcome.new_leads),
        None => "/warnings?run=unchanged".to_string(),
    };
    Ok(Redirect::to(&to).into_response())
}

// ---------------------------------------------------------------- household warnings

#[derive(Template)]
#[template(path = "household_warnings.html")]
struct HouseholdWarningsPage {
    ctx: Ctx,
    no: String,
    hits: Vec<HitView>,
    leads: Vec<(String, String, String, String, String, String, String)>,
}

async fn household_warnings(
    State(state): State<AppState>,
    s: Session,
    h: VisibleHousehold,
) -> PageResult {
    s.scope
        .decide(Action::ViewWarnings, h.target())
        .map_err(access::not_allowed)?;
    let rec = h.record;
    let n = rec.household.household_no.clone();
    let (hits, leads) = state
        .db(move |st| Ok((st.household_warnings(&n)?, st.household_leads(&n)?)))
        .await?;
    let l = s.l();
    render_ok(HouseholdWarningsPage {
        no: rec.household.household_no.clone(),
        hits: hits.iter().map(|h| hit_view(&s, h)).collect(),
        leads: leads
            .iter()
            .map(|x| {
                (
                    l.t(x.risk.label_zh(), x.risk.label_en()).to_string(),
                    l.t(x.level.label_zh(), x.level.label_en()).to_string(),
                    x.rules
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join(", "),
                    x.source.clone(),
                    x.found_on.to_string(),
                    x.due_on.to_string(),
                    x.status.clone(),
                )
            })
            .collect(),
        ctx: Ctx::of(&s),
    })
}
