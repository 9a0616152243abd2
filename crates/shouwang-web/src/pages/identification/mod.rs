//! 识别认定 pages: the list of procedures of a region ([`list`]), one procedure with its
//! timeline and the form of its next step ([`steps`]), the village's public notice, printable
//! and as xlsx ([`notice`]), and the monitoring case a procedure ends in ([`case`]).
//!
//! Who may see: [`Action::ViewCases`] on the household (a procedure or case of a household the
//! user may not see is "not found"); who may act: [`Action::Identify`] there, and core decides
//! whether the user's role owns the step ([`shouwang_core::identification::Stage::owner`]).

mod case;
mod list;
mod notice;
mod steps;

use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::AppError;
use crate::i18n::L;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::identification::Clock;
use shouwang_core::access::Action;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem};
use shouwang_store::identification::IdentificationRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/identifications", get(list::list))
        .route("/identifications/{id}", get(steps::procedure_page))
        .route("/identifications/{id}/steps/{kind}", post(steps::take_step))
        .route("/villages/{code}/notice", get(notice::notice_page))
        .route("/villages/{code}/notice.xlsx", get(notice::notice_xlsx))
        .route("/cases/{id}", get(case::case_page))
}

/// The 2026 name of a monitoring object, as the interface says it.
pub(super) fn term(l: L) -> &'static str {
    l.t("防止返贫致贫对象", "household under monitoring")
}

/// A village's name without 村民委员会.
pub(super) fn short_name(name: &str) -> &str {
    name.trim_end_matches("村民委员会")
        .trim_end_matches("居民委员会")
        .trim_end_matches("村委会")
}

/// A village and its group in words: 桃红村 3组.
pub(super) fn place(l: L, village: &str, group: &str) -> String {
    let group = group.trim();
    let group = if group.chars().all(|c| c.is_ascii_digit()) && !group.is_empty() {
        if l.is_en() {
            format!("group {group}")
        } else {
            format!("{group}组")
        }
    } else {
        group.to_string()
    };
    [short_name(village), group.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn risk_words(l: L, risks: &[RiskType]) -> String {
    risks
        .iter()
        .map(|r| l.t(r.label_zh(), r.label_en()))
        .collect::<Vec<_>>()
        .join(l.t("、", ", "))
}

pub(super) fn level_word(l: L, level: WarningLevel) -> &'static str {
    l.t(
        level.label_zh(),
        match level {
            WarningLevel::Red => "Red",
            WarningLevel::Yellow => "Yellow",
            WarningLevel::Blue => "Blue",
        },
    )
}

/// What is left until `due`, in words, and whether it is overdue: 还剩3天 / 今天到期 / 逾期2天
/// (working days where the standard counts them).
pub(super) fn countdown(l: L, clock: &Clock, today: Date, due: Date) -> (String, bool) {
    let left = clock.deadlines.remaining(&clock.calendar, today, due);
    let working = clock.deadlines.working_days;
    let (zh_unit, en_unit) = if working {
        ("个工作日", "working day")
    } else {
        ("天", "day")
    };
    let plural = |n: i64| if n == 1 { "" } else { "s" };
    let text = match left {
        0 => l.t("今天到期", "due today").to_string(),
        n if n > 0 => {
            if l.is_en() {
                format!("{n} {en_unit}{} left", plural(n))
            } else {
                format!("还剩{n}{zh_unit}")
            }
        }
        n => {
            if l.is_en() {
                format!("{} {en_unit}{} overdue", -n, plural(-n))
            } else {
                format!("逾期{}{zh_unit}", -n)
            }
        }
    };
    (text, left < 0)
}

/// The text of a problem in the session's language.
pub(super) fn text_of(l: L, p: &Problem) -> String {
    (if l.is_en() { &p.en } else { &p.zh }).clone()
}

/// Procedure `id` if the user may see its household's cases; else "not found" (or "not
/// allowed" for a role that never sees cases).
pub(super) async fn visible_procedure(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(IdentificationRecord, VisibleHousehold), AppError> {
    let record = state
        .db(move |st| st.identification(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let h = access::visible_household(state, s, record.household_no.clone()).await?;
    s.scope
        .decide(Action::ViewCases, h.target())
        .map_err(access::not_allowed)?;
    Ok((record, h))
}

/// The county of a region's code (a village's first six digits).
pub(super) fn county_of(region: &shouwang_core::RegionCode) -> shouwang_core::RegionCode {
    region.county().unwrap_or_else(|| region.clone())
}
