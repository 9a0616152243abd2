//! 精准帮扶 pages: the plan of a monitoring case with its measures ([`plan`]: 一户一策, add,
//! change and end a measure) and the assistance flags of a region ([`flags`]).
//!
//! Who may see: [`Action::ViewAssistance`] on the household (a case of a household the user may
//! not see is "not found"); who may write: [`Action::Assist`] there. Core decides whether the
//! write is allowed (the case under assistance, the measure's fields and state change).

mod flags;
mod plan;

use crate::auth::Session;
use crate::i18n::L;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::identification::Acting;
use shouwang_core::Problem;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/plan",
            get(plan::plan_page).post(plan::save_plan),
        )
        .route("/cases/{id}/measures", post(plan::add_measure))
        .route("/measures/{id}", post(plan::update_measure))
        .route("/measures/{id}/end", post(plan::end_measure))
        .route("/assistance/flags", get(flags::flags_page))
}

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

fn field_label(l: L, field: &str) -> &'static str {
    match field {
        "category" => l.t("措施类别", "Category"),
        "content" => l.t("帮扶内容", "Content"),
        "risk" => l.t("针对风险", "Risk"),
        "start" => l.t("开始日期", "Start"),
        "end" => l.t("计划结束日期", "Planned end"),
        "amount" => l.t("帮扶金额", "Amount"),
        "unit" => l.t("责任单位", "Unit"),
        "responsible" => l.t("责任人", "Responsible"),
        "state" => l.t("状态", "State"),
        "ended_on" => l.t("实际结束日期", "Ended on"),
        "summary" => l.t("帮扶思路", "Plan"),
        "case" => l.t("监测对象", "Case"),
        _ => l.t("填写内容", "Entry"),
    }
}

/// Each problem as a sentence that names its field.
fn messages(l: L, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let label = field_label(l, p.field.split('.').next().unwrap_or(""));
            if l.is_en() {
                format!("{label}: {}", p.en)
            } else {
                format!("{label}：{}", p.zh)
            }
        })
        .collect()
}

fn value(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}
