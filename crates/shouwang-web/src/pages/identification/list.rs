//! `/identifications`: a region's procedures, the current stage's due date with its countdown,
//! filtered by stage and overdue, a page at a time.

use super::{countdown, county_of, place, term};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::{render, Crumb, Ctx, Pager};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Query, State};
use shouwang_core::access::Action;
use shouwang_core::identification::Stage;
use shouwang_core::{Problem, ProblemCode};
use shouwang_store::identification::IdentificationFilter;
use std::collections::HashMap;

const PER_PAGE: usize = 50;

struct Row {
    id: i64,
    head: String,
    place: String,
    stage: String,
    stage_due: String,
    left: String,
    overdue: bool,
    green: bool,
    /// a 风险消除程序
    elim: bool,
    due_on: String,
    due_left: String,
    due_overdue: bool,
    open: bool,
}

#[derive(Template)]
#[template(path = "identifications.html")]
struct ListPage {
    ctx: Ctx,
    term: &'static str,
    region: String,
    region_name: String,
    /// (code, label, selected)
    stages: Vec<(i64, String, bool)>,
    overdue: bool,
    rows: Vec<Row>,
    pager: Pager,
}

/// GET /identifications?region=&stage=&overdue=1&page=
pub(super) async fn list(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let region = access::asked_region(&s, Action::ViewCases, q.get("region").map(String::as_str))?;
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let refuse = |label: (&str, &str), v: &str| {
        AppError::Invalid(vec![Problem::new(
            ProblemCode::QueryInvalid,
            l.t(label.0, label.1),
            format!("“{v}”无法识别"),
            format!("'{v}' cannot be read"),
        )])
    };
    let stage = match get("stage") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .and_then(Stage::from_code)
                .ok_or_else(|| refuse(("环节", "Stage"), v))?,
        ),
    };
    let overdue = get("overdue") == Some("1");
    let page = match get("page") {
        None => 1,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| refuse(("页码", "Page"), v))?,
    };
    let today = today();
    let filter = IdentificationFilter {
        region: region.clone(),
        stage,
        due_before: overdue.then_some(today),
        offset: ((page - 1) * PER_PAGE) as i64,
        limit: PER_PAGE as i64,
    };
    let r = region.clone();
    let (records, total, names, clocks, region_name) = state
        .db(move |st| {
            let (records, total) = st.identifications(&filter)?;
            let mut names = HashMap::new();
            let mut clocks = HashMap::new();
            for rec in &records {
                if !names.contains_key(rec.village.as_str()) {
                    let name = st.region(&rec.village)?.map(|x| x.name).unwrap_or_default();
                    names.insert(rec.village.as_str().to_string(), name);
                }
                let year = rec.ident.found_on.year();
                let county = county_of(&rec.village);
                let key = (county.as_str().to_string(), year);
                if let std::collections::hash_map::Entry::Vacant(e) = clocks.entry(key) {
                    e.insert(shouwang_app::identification::clock(st, &county, year)?);
                }
            }
            let region_name = st.region(&r)?.map(|x| x.name).unwrap_or_default();
            Ok((records, total, names, clocks, region_name))
        })
        .await?;
    let rows = records
        .iter()
        .map(|rec| {
            let clock = &clocks[&(
                county_of(&rec.village).as_str().to_string(),
                rec.ident.found_on.year(),
            )];
            let i = &rec.ident;
            let open = i.stage.is_open();
            let (left, overdue) = if open {
                countdown(l, clock, today, i.stage_due)
            } else {
                (String::new(), false)
            };
            let (due_left, due_overdue) = if open {
                countdown(l, clock, today, i.due_on)
            } else {
                (String::new(), false)
            };
            let village = names.get(rec.village.as_str()).cloned().unwrap_or_default();
            Row {
                id: rec.id,
                head: if rec.head_name.is_empty() {
                    rec.household_no.clone()
                } else {
                    rec.head_name.clone()
                },
                place: place(l, &village, &rec.group),
                stage: l.t(i.stage.label_zh(), i.stage.label_en()).to_string(),
                stage_due: i.stage_due.to_string(),
                left,
                overdue,
                green: i.green_channel.is_some(),
                elim: i.purpose == shouwang_core::identification::Purpose::Elimination,
                due_on: i.due_on.to_string(),
                due_left,
                due_overdue,
                open,
            }
        })
        .collect();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if region != s.scope.region {
        pairs.push(("region", region.as_str().to_string()));
    }
    if let Some(st) = stage {
        pairs.push(("stage", st.code().to_string()));
    }
    if overdue {
        pairs.push(("overdue", "1".into()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let pager = Pager::new(page, PER_PAGE, total.max(0) as usize, query);
    let title = l.t("识别认定", "Identification").to_string();
    Ok(render(ListPage {
        term: term(l),
        region: if region != s.scope.region {
            region.as_str().to_string()
        } else {
            String::new()
        },
        region_name: super::short_name(&region_name).to_string(),
        stages: Stage::ALL
            .iter()
            .map(|st| {
                (
                    st.code(),
                    l.t(st.label_zh(), st.label_en()).to_string(),
                    stage == Some(*st),
                )
            })
            .collect(),
        overdue,
        rows,
        pager,
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(title)]),
    }))
}
