//! 报表: the hub of tables (issue 16, helper B) and the routes of every report page.
//!
//! `/reports?region=` lists every table a county, township or village officer hands upward, each
//! a link carrying the region: the monitoring statistics, income tracking, data quality, the
//! supervision tables of §2 and the monthly supervision ranking. Who may see: [`Action::ViewReports`]
//! in the region.
pub mod income;
pub mod monitoring;
pub mod ranking;
pub mod tables;

use super::{render, Crumb, Ctx};
use crate::access;
use crate::auth::Session;
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use shouwang_core::access::Action;
use shouwang_core::supervision::tables::TableKind;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(hub))
        .merge(monitoring::routes())
        .merge(income::routes())
        .merge(tables::routes())
        .merge(ranking::routes())
}

/// One link of the hub.
struct Link {
    href: String,
    title: String,
    about: String,
}

#[derive(Template)]
#[template(path = "reports_hub.html")]
struct HubPage {
    ctx: Ctx,
    title: String,
    region_name: String,
    groups: Vec<(String, Vec<Link>)>,
}

/// The region's name, or its code when unknown.
pub(crate) async fn name_of(state: &AppState, region: &shouwang_core::RegionCode) -> String {
    let r = region.clone();
    state
        .db(move |st| st.region(&r))
        .await
        .ok()
        .flatten()
        .map_or_else(|| region.to_string(), |r| r.name)
}

async fn hub(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let region_name = name_of(&state, &region).await;
    let link = |href: String, zh: &str, en: &str, about_zh: &str, about_en: &str| Link {
        href,
        title: l.t(zh, en).to_string(),
        about: l.t(about_zh, about_en).to_string(),
    };
    let r = region.as_str();
    let statistics = vec![
        link(
            format!("/reports/monitoring?region={r}"),
            "防止返贫致贫监测对象统计表",
            "Monitoring statistics",
            "监测户数和人数，按监测类别、风险消除情况和新识别，可查任一过去日期。",
            "Households and persons monitored by type, elimination and new identification, at any past date.",
        ),
        link(
            format!("/reports/income?region={r}"),
            "促增收：收入监测和低收入台账",
            "Income tracking and the low-income ledger",
            "脱贫人口和监测对象人均纯收入及增速、收入下降户、低收入户台账和销号。",
            "Per-capita income and its growth, households whose income fell, the low-income ledger and its clearing.",
        ),
        link(
            format!("/quality?region={r}"),
            "数据质量检查",
            "Data quality",
            "按规则和村统计的数据问题、待整改的记录和豁免清单。",
            "Findings by rule and village, the records to fix and the exemptions.",
        ),
    ];
    let work = TableKind::ALL
        .iter()
        .map(|k| {
            link(
                format!("/reports/tables/{}?region={r}", k.slug()),
                k.title_zh(),
                k.title_en(),
                k.about_zh(),
                k.about_en(),
            )
        })
        .collect();
    let ranking = vec![link(
        format!("/reports/ranking?region={r}"),
        "督导考核排序",
        "Supervision ranking",
        "各村（乡镇）每月按按期办结、走访落实、措施覆盖和数据质量加权排序，逐项说明得分；已结束月份的排序保存后不再变化。",
        "Villages (and townships) ranked monthly on weighted deadlines, visits, measures and data quality, each score explained; an ended month's ranking is kept as it was.",
    )];
    let title = l.t("报表", "Reports").to_string();
    Ok(render(HubPage {
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(title.clone())]),
        title,
        region_name,
        groups: vec![
            (l.t("统计报表", "Statistics").to_string(), statistics),
            (l.t("工作落实", "Work done").to_string(), work),
            (l.t("督导考核", "Supervision").to_string(), ranking),
        ],
    }))
}
