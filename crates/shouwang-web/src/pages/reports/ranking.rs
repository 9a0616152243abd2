//! 督导考核排序 page (helper B): `/reports/ranking?region=&month=` — the villages of a township
//! or county (and a county's townships) ranked for a month on the weighted components, each
//! village's score explained part by part; exported with `&format=xlsx|csv` (`&list=townships`
//! for the townships). An ended month's ranking is frozen when first read and reads the same
//! ever after; the current month is computed on each read. `/reports/ranking/weights` sets the
//! weights of a county or township ([`Action::SetRankingWeights`], CSRF, audited).
//!
//! A village user sees the ranking of the village's township, but only the village's own row.

use super::name_of;
use super::tables::grid_download;
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::routing::get;
use axum::Router;
use shouwang_app::supervision as sup;
use shouwang_core::access::{Action, Target};
use shouwang_core::date::YearMonth;
use shouwang_core::region::RegionLevel;
use shouwang_core::supervision::tables::shift;
use shouwang_core::supervision::{explain, points, Component, Scored, Weights};
use shouwang_core::Date;
use shouwang_io::table::TableFormat;
use std::collections::HashMap;

type Params = HashMap<String, String>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/ranking", get(ranking_page))
        .route(
            "/reports/ranking/weights",
            get(weights_page).post(save_weights),
        )
}

struct Row {
    rank: u32,
    name: String,
    code: String,
    total: String,
    parts: Vec<String>,
}

fn rows(list: &[Scored], en: bool) -> Vec<Row> {
    list.iter()
        .map(|s| Row {
            rank: s.rank,
            name: s.facts.name.clone(),
            code: s.facts.code.clone(),
            total: points(s.total),
            parts: s.parts.iter().map(|p| explain(p, en)).collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports_ranking.html")]
struct RankingPage {
    ctx: Ctx,
    title: String,
    region: String,
    month: String,
    prev: String,
    next: Option<String>,
    as_of: String,
    /// who froze it and when, in words; `None`: computed now
    frozen: Option<String>,
    weights: String,
    may_set: bool,
    townships: Vec<Row>,
    villages: Vec<Row>,
    count: usize,
    only_own: bool,
}

fn month_of(s: &Session, p: &Params) -> Result<YearMonth, AppError> {
    let l = s.l();
    match p.get("month").map(|m| m.trim()).filter(|m| !m.is_empty()) {
        None => Ok(YearMonth::of(today())),
        Some(m) => YearMonth::parse(m).ok_or_else(|| {
            AppError::BadRequest(
                l.t("月份应写作 YYYY-MM", "the month is written YYYY-MM")
                    .to_string(),
            )
        }),
    }
}

fn when(secs: i64) -> String {
    let day = Date::from_unix_seconds_china(secs);
    let minutes = (secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

fn weights_words(w: &Weights, en: bool) -> String {
    Component::ALL
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                if en { c.label_en() } else { c.label_zh() },
                w.of(*c)
            )
        })
        .collect::<Vec<_>>()
        .join(if en { ", " } else { "，" })
}

async fn ranking_page(
    State(state): State<AppState>,
    s: Session,
    Query(p): Query<Params>,
) -> PageResult {
    let l = s.l();
    let en = l.is_en();
    let region =
        access::asked_region(&s, Action::ViewReports, p.get("region").map(String::as_str))?;
    let month = month_of(&s, &p)?;
    let scope = sup::ranking_scope(&region);
    // a village sees its own row of its township's ranking
    let only_own = region.level() == RegionLevel::Village;
    let actor = s.actor();
    let sc = scope.clone();
    let read = state
        .db(move |st| sup::ranking(st, &actor, &sc, month, today()))
        .await?;
    let mut ranking = read.ranking;
    if only_own {
        ranking.villages.retain(|v| v.facts.code == region.as_str());
        ranking.townships.clear();
    }
    let format = match p.get("format").map(String::as_str) {
        Some("xlsx") => Some(TableFormat::Xlsx),
        Some("csv") => Some(TableFormat::Csv),
        _ => None,
    };
    if let Some(f) = format {
        let townships = p.get("list").map(String::as_str) == Some("townships");
        let grid = sup::ranking_grid(&ranking, townships, en);
        let name = name_of(&state, &scope).await;
        return Ok(grid_download(&grid, "ranking", &scope, &name, f, l)?);
    }
    let may_set = !only_own
        && s.scope
            .allows(Action::SetRankingWeights, Target::Region(&scope));
    let title = if en {
        format!("Supervision ranking of {}, {month}", ranking.region_name)
    } else {
        format!(
            "{} {}年{}月督导考核排序",
            ranking.region_name,
            month.year(),
            month.month()
        )
    };
    let this = YearMonth::of(today());
    let frozen = read.frozen.map(|(by, at)| {
        let by = if by.starts_with("system:") {
            l.t("系统", "the system").to_string()
        } else {
            by
        };
        if en {
            format!("Kept as first read after the month ended, {} by {by}; later changes do not alter it.", when(at))
        } else {
            format!("本月排序已于 {}（{by}）月末后首次查看时保存，此后数据变化不影响本月排序。", when(at))
        }
    });
    Ok(render(RankingPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link(format!("/reports?region={region}"), l.t("报表", "Reports")),
            Crumb::here(title.clone()),
        ]),
        title,
        region: region.to_string(),
        month: month.to_string(),
        prev: shift(month, -1).unwrap_or(month).to_string(),
        next: shift(month, 1)
            .filter(|m| *m <= this)
            .map(|m| m.to_string()),
        as_of: ranking.as_of.to_string(),
        frozen,
        weights: weights_words(&ranking.weights, en),
        may_set,
        townships: rows(&ranking.townships, en),
        count: ranking.villages.len(),
        villages: rows(&ranking.villages, en),
        only_own,
    }))
}

#[derive(Template)]
#[template(path = "reports_weights.html")]
struct WeightsPage {
    ctx: Ctx,
    title: String,
    region: String,
    fields: Vec<(String, String, u32)>,
    source: String,
}

async fn weights_page(
    State(state): State<AppState>,
    s: Session,
    Query(p): Query<Params>,
) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, p.get("region").map(String::as_str))?;
    let scope = sup::ranking_scope(&region);
    s.scope
        .decide(Action::SetRankingWeights, Target::Region(&scope))
        .map_err(access::not_allowed)?;
    let sc = scope.clone();
    let (w, from) = state.db(move |st| sup::weights_of(st, &sc)).await?;
    let name = name_of(&state, &scope).await;
    let source = match from {
        Some(r) if r == scope => l.t("本级设定的权重", "weights set here").to_string(),
        Some(r) => {
            let county = name_of(&state, &r).await;
            if l.is_en() {
                format!("using the weights of {county}")
            } else {
                format!("沿用{county}的权重")
            }
        }
        None => l.t("默认权重", "the default weights").to_string(),
    };
    let title = if l.is_en() {
        format!("Ranking weights of {name}")
    } else {
        format!("{name}督导考核权重")
    };
    Ok(render(WeightsPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link(
                format!("/reports/ranking?region={scope}"),
                l.t("督导考核排序", "Supervision ranking"),
            ),
            Crumb::here(title.clone()),
        ]),
        title,
        region: scope.to_string(),
        fields: Component::ALL
            .iter()
            .map(|c| {
                (
                    c.slug().to_string(),
                    l.t(c.label_zh(), c.label_en()).to_string(),
                    w.of(*c),
                )
            })
            .collect(),
        source,
    }))
}

async fn save_weights(
    State(state): State<AppState>,
    s: Session,
    Form(p): Form<Params>,
) -> PageResult {
    let region =
        access::asked_region(&s, Action::ViewReports, p.get("region").map(String::as_str))?;
    let scope = sup::ranking_scope(&region);
    s.scope
        .decide(Action::SetRankingWeights, Target::Region(&scope))
        .map_err(access::not_allowed)?;
    // a weight that is no whole number is out of range: the check refuses it by name
    let get = |c: Component| -> u32 {
        p.get(c.slug())
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    let w = Weights {
        deadline: get(Component::Deadline),
        visits: get(Component::Visits),
        measures: get(Component::Measures),
        quality: get(Component::Quality),
    };
    let actor = s.actor();
    let sc = scope.clone();
    state
        .db(move |st| sup::set_weights(st, &actor, &sc, &w))
        .await?;
    let words_zh = weights_words(&w, false);
    let words_en = weights_words(&w, true);
    Ok(saved(
        &format!("/reports/ranking?region={scope}"),
        format!("已保存考核权重：{words_zh}"),
        format!("Ranking weights saved: {words_en}"),
    ))
}
