//! 工作提示单: `/tasks?village=&month=`, a village's task list of a month, printable (A4, a
//! checkbox column for paper), grouped by kind, each item a link to act on; "重新生成" (POST,
//! CSRF) regenerates it and says so. A township or county user (or `?region=`) sees the villages
//! with their counts, the most overdue first, each a link. The village user's home page shows the
//! same list as the month's to-do ([`todo`]).
//!
//! Who may see: [`Action::ViewAssistance`] in the region (another village is "not found", a
//! department "not allowed"); who may regenerate: [`Action::Assist`] there.

use super::{render, saved, Crumb, Ctx};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::date::YearMonth;
use shouwang_core::region::RegionLevel;
use shouwang_core::task_list::{TaskItem, TaskKind, TaskList};
use shouwang_core::{Date, RegionCode};
use std::collections::HashMap;

type Params = HashMap<String, String>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(tasks_page))
        .route("/tasks/generate", post(regenerate))
}

/// One line of the printed list.
pub(super) struct Line {
    pub kind: String,
    pub head: String,
    pub text: String,
    pub due: String,
    pub overdue: bool,
    pub who: String,
    pub link: String,
}

pub(super) struct Group {
    pub title: String,
    pub lines: Vec<Line>,
}

fn line(l: L, month: YearMonth, i: &TaskItem) -> Line {
    Line {
        kind: l.t(i.kind.label_zh(), i.kind.label_en()).to_string(),
        head: if i.head_name.is_empty() {
            i.household_no.clone()
        } else {
            i.head_name.clone()
        },
        text: if l.is_en() {
            i.text_en.clone()
        } else {
            i.text_zh.clone()
        },
        due: i.due.to_string(),
        overdue: i.overdue_in(month),
        who: if l.is_en() {
            i.who_en.clone()
        } else {
            i.who_zh.clone()
        },
        link: i.link.clone(),
    }
}

/// The month's to-do of a village user's home page: the list in its order (due day, then kind),
/// at most `shown` lines.
pub(super) struct Todo {
    pub title: String,
    pub lines: Vec<Line>,
    pub total: usize,
    pub overdue: usize,
}

/// How many lines of the to-do the home page shows; the rest are on `/tasks`.
const TODO_SHOWN: usize = 12;

pub(super) fn todo(l: L, list: &TaskList) -> Todo {
    Todo {
        title: month_words(l, list.month),
        lines: list
            .items
            .iter()
            .take(TODO_SHOWN)
            .map(|i| line(l, list.month, i))
            .collect(),
        total: list.items.len(),
        overdue: list.overdue(),
    }
}

fn groups(l: L, list: &TaskList) -> Vec<Group> {
    list.by_kind()
        .into_iter()
        .map(|(kind, items): (TaskKind, Vec<&TaskItem>)| Group {
            title: l.t(kind.label_zh(), kind.label_en()).to_string(),
            lines: items.iter().map(|i| line(l, list.month, i)).collect(),
        })
        .collect()
}

/// "2026年12月" / "December 2026".
pub(super) fn month_words(l: L, m: YearMonth) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if l.is_en() {
        format!("{} {}", EN[usize::from(m.month()) - 1], m.year())
    } else {
        format!("{}年{}月", m.year(), m.month())
    }
}

/// "2026-12-01 08:00" (China time) of unix seconds.
fn when(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let day = Date::from_unix_seconds_china(secs);
    let minutes = local.rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

fn month_of(l: L, p: &Params) -> Result<YearMonth, AppError> {
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

fn short(name: &str) -> &str {
    name.trim_end_matches("村民委员会")
        .trim_end_matches("居民委员会")
        .trim_end_matches("村委会")
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct VillagePage {
    ctx: Ctx,
    title: String,
    village: String,
    month: String,
    prev: String,
    next: String,
    groups: Vec<Group>,
    count: usize,
    overdue: usize,
    /// "生成于 …" or that the list is computed now and not saved
    generated: String,
    saved: bool,
    may_generate: bool,
}

struct VillageRow {
    name: String,
    href: String,
    items: Option<i64>,
    overdue: i64,
    generated: String,
}

#[derive(Template)]
#[template(path = "tasks_region.html")]
struct RegionPage {
    ctx: Ctx,
    title: String,
    region: String,
    month: String,
    prev: String,
    next: String,
    rows: Vec<VillageRow>,
    missing: usize,
    may_generate: bool,
}

fn shift(m: YearMonth, by: i32) -> String {
    let index = m.year() * 12 + i32::from(m.month()) - 1 + by;
    YearMonth::new(index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
        .unwrap_or(m)
        .to_string()
}

async fn tasks_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let asked = q
        .get("village")
        .or_else(|| q.get("region"))
        .map(String::as_str);
    let region = access::asked_region(&s, Action::ViewAssistance, asked)?;
    let month = month_of(l, &q)?;
    let may_generate = s.scope.allows(Action::Assist, Target::Region(&region));
    if region.level() == RegionLevel::Village {
        return village_page(&state, &s, region, month, may_generate).await;
    }
    let r = region.clone();
    let (info, counts) = state
        .db(move |st| Ok((st.region(&r)?, st.task_list_counts(&r, month)?)))
        .await?;
    let name = info.map_or_else(|| region.to_string(), |r| r.name);
    let missing = counts.iter().filter(|c| c.items.is_none()).count();
    let rows = counts
        .into_iter()
        .map(|c| VillageRow {
            href: format!("/tasks?village={}&month={month}", c.village),
            name: short(&c.name).to_string(),
            items: c.items,
            overdue: c.overdue,
            generated: c.generated_at.map(when).unwrap_or_default(),
        })
        .collect();
    let title = if l.is_en() {
        format!("Task lists of {name}, {}", month_words(l, month))
    } else {
        format!("{name} {}各村工作提示单", month_words(l, month))
    };
    Ok(render(RegionPage {
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(title.clone())]),
        title,
        region: region.to_string(),
        month: month.to_string(),
        prev: shift(month, -1),
        next: shift(month, 1),
        rows,
        missing,
        may_generate,
    }))
}

async fn village_page(
    state: &AppState,
    s: &Session,
    village: RegionCode,
    month: YearMonth,
    may_generate: bool,
) -> PageResult {
    let l = s.l();
    let v = village.clone();
    let (info, (list, generated), by_name) = state
        .db(move |st| {
            let (list, generated) = shouwang_app::task_list::current(st, &v, month)?;
            // who generated it, by name: a user's display name, or the scheduler's job
            let by_name = match &generated {
                Some((by, _)) if !by.starts_with("system:") => {
                    st.user_by_name(by)?.map(|u| u.display_name)
                }
                _ => None,
            };
            Ok((st.region(&v)?, (list, generated), by_name))
        })
        .await?;
    let name = info.map_or_else(|| village.to_string(), |r| short(&r.name).to_string());
    let title = if l.is_en() {
        format!("{name} task list, {}", month_words(l, month))
    } else {
        format!("{name} {}工作提示单", month_words(l, month))
    };
    let generated_words = match &generated {
        Some((username, at)) => {
            let by = match by_name {
                Some(name) => name,
                None if username.starts_with("system:") => {
                    l.t("每月定时生成", "the monthly job").to_string()
                }
                None => username.clone(),
            };
            if l.is_en() {
                format!("Generated {} by {by}", when(*at))
            } else {
                format!("生成于 {}（{by}）", when(*at))
            }
        }
        None => l
            .t(
                "本月提示单尚未生成，以下为按当前数据即时计算的结果。",
                "This month's list has not been generated yet; below is what the data says now.",
            )
            .to_string(),
    };
    let mut crumbs = Vec::new();
    if s.scope.region != village {
        if let Some(parent) = village.parent() {
            crumbs.push(Crumb::link(
                format!("/tasks?region={parent}&month={month}"),
                l.t("各村提示单", "Villages' lists"),
            ));
        }
    }
    crumbs.push(Crumb::here(title.clone()));
    Ok(render(VillagePage {
        ctx: Ctx::of(s).crumbs(crumbs),
        title,
        village: village.to_string(),
        month: month.to_string(),
        prev: shift(month, -1),
        next: shift(month, 1),
        count: list.items.len(),
        overdue: list.overdue(),
        groups: groups(l, &list),
        generated: generated_words,
        saved: generated.is_some(),
        may_generate,
    }))
}

/// 重新生成: the list of a village (or of every village of a township or county) for the month.
async fn regenerate(
    State(state): State<AppState>,
    s: Session,
    Form(p): Form<Params>,
) -> PageResult {
    let l = s.l();
    let asked = p
        .get("village")
        .or_else(|| p.get("region"))
        .map(String::as_str);
    let region = access::asked_region(&s, Action::ViewAssistance, asked)?;
    s.scope
        .decide(Action::Assist, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let month = month_of(l, &p)?;
    let actor = s.actor();
    let r = region.clone();
    let (g, _) = state
        .db(move |st| shouwang_app::task_list::generate(st, &actor, &r, month))
        .await?;
    let key = if region.level() == RegionLevel::Village {
        "village"
    } else {
        "region"
    };
    Ok(saved(
        &format!("/tasks?{key}={region}&month={month}"),
        format!(
            "已重新生成{}工作提示单：{}个村，共{}项，其中逾期{}项",
            month_words(L(shouwang_core::Lang::Zh), month),
            g.villages,
            g.items,
            g.overdue
        ),
        format!(
            "Task lists of {} generated again: {} villages, {} items, {} overdue",
            month_words(L(shouwang_core::Lang::En), month),
            g.villages,
            g.items,
            g.overdue
        ),
    ))
}
