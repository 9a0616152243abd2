//! `/dept/alerts`: the open department alerts of the region counted by kind and level (each
//! count a link to its list), and the list itself with the person (the name; the ID number
//! masked), the village, the rule, the evidence sentence, the date and the lead it raised.

use super::batches::{alert_row, kind_choices, AlertRow};
use super::{
    code_param, int_param, kind_param, kind_word, page_param, rule_param, viewer, Params, PER_PAGE,
};
use crate::auth::Session;
use crate::error::PageResult;
use crate::pages::{render, Crumb, Ctx, Pager};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use shouwang_core::department::alert::DeptRule;
use shouwang_core::department::AlertStatus;
use shouwang_core::screening::level::WarningLevel;
use shouwang_store::dept_reads::AlertFilter;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dept/alerts", get(list))
}

/// A row of the counts table: the kind, then per level (count, link).
struct CountRow {
    kind: String,
    cells: Vec<(i64, String)>,
    total: i64,
}

#[derive(Template)]
#[template(path = "dept_alerts.html")]
struct AlertsPage {
    ctx: Ctx,
    levels: Vec<(String, &'static str, i64, bool)>,
    counts: Vec<CountRow>,
    alerts: Vec<AlertRow>,
    pager: Pager,
    kinds: Vec<(&'static str, String, bool)>,
    rules: Vec<(&'static str, String, bool)>,
    statuses: Vec<(i64, String, bool)>,
    all_statuses: bool,
    batch: String,
}

async fn list(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    let kind = v.kind(kind_param(&q)?)?;
    let level = code_param(&q, "level", WarningLevel::from_code)?;
    let rule = rule_param(&q)?;
    let batch = int_param(&q, "batch")?;
    let all_statuses = q.get("status").is_some_and(|v| v.trim().is_empty());
    let status = if all_statuses {
        None
    } else {
        Some(code_param(&q, "status", AlertStatus::from_code)?.unwrap_or(AlertStatus::Open))
    };
    let asked = page_param(&q)?;
    let filter = AlertFilter {
        region: v.region.clone(),
        kind,
        level,
        status,
        batch,
        rule,
        limit: PER_PAGE as i64,
        offset: ((asked - 1) * PER_PAGE) as i64,
    };
    let (region, own) = (v.region.clone(), v.own_kind);
    let (counts, (rows, total)) = state
        .db(move |st| {
            Ok((
                st.dept_alert_counts(&region, own)?,
                st.dept_alerts(&filter)?,
            ))
        })
        .await?;
    let villages =
        super::village_names(&state, rows.iter().map(|a| a.village.clone()).collect()).await?;
    let count_rows = v
        .kinds()
        .into_iter()
        .filter(|k| k.alerts())
        .map(|k| {
            let cells: Vec<(i64, String)> = WarningLevel::ALL
                .iter()
                .map(|lv| {
                    (
                        counts
                            .iter()
                            .find(|(kk, ll, _)| *kk == k && ll == lv)
                            .map_or(0, |c| c.2),
                        format!("/dept/alerts?kind={}&level={}", k.slug(), lv.code()),
                    )
                })
                .collect();
            CountRow {
                kind: kind_word(l, k),
                total: cells.iter().map(|c| c.0).sum(),
                cells,
            }
        })
        .collect();
    let mut query: Vec<String> = Vec::new();
    if let Some(k) = kind {
        query.push(format!("kind={}", k.slug()));
    }
    if let Some(lv) = level {
        query.push(format!("level={}", lv.code()));
    }
    if let Some(r) = rule {
        query.push(format!("rule={}", r.code()));
    }
    if let Some(b) = batch {
        query.push(format!("batch={b}"));
    }
    match status {
        None => query.push("status=".into()),
        Some(s) if s != AlertStatus::Open => query.push(format!("status={}", s.code())),
        _ => {}
    }
    let pager = Pager::new(asked, PER_PAGE, total as usize, query.join("&"));
    Ok(render(AlertsPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/dept", l.t("部门数据", "Department data")),
            Crumb::here(l.t("部门预警", "Department alerts")),
        ]),
        levels: WarningLevel::ALL
            .iter()
            .map(|lv| {
                (
                    l.t(lv.label_zh(), lv.label_en()).to_string(),
                    lv.label_en(),
                    lv.code(),
                    Some(*lv) == level,
                )
            })
            .collect(),
        counts: count_rows,
        alerts: rows.iter().map(|a| alert_row(l, a, &villages)).collect(),
        pager,
        kinds: kind_choices(l, &v, kind),
        rules: DeptRule::ALL
            .iter()
            .filter(|r| v.sees(r.kind()))
            .map(|r| {
                (
                    r.code(),
                    format!("{} {}", r.code(), l.t(r.name_zh(), r.name_en())),
                    Some(*r) == rule,
                )
            })
            .collect(),
        statuses: AlertStatus::ALL
            .iter()
            .map(|x| {
                (
                    x.code(),
                    l.t(x.label_zh(), x.label_en()).to_string(),
                    Some(*x) == status,
                )
            })
            .collect(),
        all_statuses: status.is_none(),
        batch: batch.map(|b| b.to_string()).unwrap_or_default(),
    }))
}
