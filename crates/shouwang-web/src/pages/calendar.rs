//! The working calendar (工作日历) of a year: the public holidays and make-up working days that the
//! procedure's working-day deadlines count with (when the standard counts working days).
//!
//! Everyone who may read the standards reads the calendar of their region: the days entered for
//! its province, city and county, each with where it comes from. Who may keep a calendar
//! ([`Action::ManageCalendar`]: administrators and county officers, for a province, a city or a
//! county in their region) adds or removes a day with a form, or replaces the year with a file
//! (日期, 类型, 名称; the upload goes up as the request body, like the ledger's). Each save
//! replaces the region's year in one transaction, audited by the store.

use super::{render, saved, Crumb, Ctx};
use crate::access::{self, StandardsRegion};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::calendar::{import_calendar_bytes, CalendarImport, CalendarImportError};
use shouwang_core::access::{Action, Target};
use shouwang_core::calendar::{CalendarDay, DayKind};
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_io::calendar::CALENDAR_LIMITS;
use std::collections::HashMap;

type Params = HashMap<String, String>;

/// The largest calendar file taken by upload (the reader's own limit).
const MAX_UPLOAD_BYTES: usize = CALENDAR_LIMITS.max_bytes as usize;

/// Row errors of a refused file shown on the page, at most.
const SHOWN_ERRORS: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(calendar_page))
        .route("/calendar/add", post(add_day))
        .route("/calendar/remove", post(remove_day))
        .route(
            "/calendar/import",
            post(import_file).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 1)),
        )
        .route("/calendar/sample-2026.csv", get(sample))
        .route("/static/calendar_import.js", get(script))
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    /// the region whose days the forms keep (the county of a township, or the region itself)
    region: String,
    region_name: String,
    year: i32,
    can_edit: bool,
    days: Vec<DayRow>,
    holidays: usize,
    workdays: usize,
    problems: Vec<String>,
    /// the add form as typed, when refused
    typed: (String, String, String),
    kinds: Vec<(i64, String)>,
    max_kb: usize,
}

struct DayRow {
    date: String,
    weekday: String,
    kind: String,
    holiday: bool,
    name: String,
    from: String,
    /// the day is the region's own (removable here); else it comes from a region above
    own: bool,
}

fn weekday(l: L, d: Date) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = usize::from(d.weekday() % 7);
    l.t(ZH[i], EN[i])
}

/// The region whose days a user keeps from `region`: its county, or itself above a county.
fn keeper(region: RegionCode) -> RegionCode {
    region.county().unwrap_or(region)
}

fn year_of(p: &Params) -> i32 {
    p.get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or_else(|| today().year())
}

fn problems_text(l: L, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| (if l.is_en() { &p.en } else { &p.zh }).clone())
        .collect()
}

fn href(region: &RegionCode, year: i32) -> String {
    format!("/calendar?region={region}&year={year}")
}

async fn calendar_page(
    State(state): State<AppState>,
    s: Session,
    StandardsRegion(region): StandardsRegion,
    Query(q): Query<Params>,
) -> PageResult {
    view(
        &state,
        &s,
        keeper(region),
        year_of(&q),
        Vec::new(),
        Default::default(),
    )
    .await
}

/// The page of `region`'s calendar for `year`, with the problems of a form just sent.
async fn view(
    state: &AppState,
    s: &Session,
    region: RegionCode,
    year: i32,
    problems: Vec<String>,
    typed: (String, String, String),
) -> PageResult {
    let l = s.l();
    let r = region.clone();
    let (entered, names) = state
        .db(move |st| {
            let days = st.calendar_days(&r, year)?;
            let mut names = HashMap::new();
            let mut codes: Vec<RegionCode> = days.iter().map(|d| d.region.clone()).collect();
            codes.push(r.clone());
            codes.sort();
            codes.dedup();
            for c in codes {
                if let Some(found) = st.region(&c)? {
                    names.insert(c.as_str().to_string(), found.name);
                }
            }
            Ok((days, names))
        })
        .await?;
    let name_of = |c: &RegionCode| {
        names.get(c.as_str()).cloned().unwrap_or_else(|| {
            let level = c.level();
            format!(
                "{}{} {c}",
                l.t(level.label_zh(), level.label_en()),
                l.t("级区划", "")
            )
        })
    };
    let days: Vec<DayRow> = entered
        .iter()
        .map(|e| DayRow {
            date: e.day.date.to_string(),
            weekday: weekday(l, e.day.date).to_string(),
            kind: l
                .t(e.day.kind.label_zh(), e.day.kind.label_en())
                .to_string(),
            holiday: e.day.kind == DayKind::Holiday,
            name: e.day.name.clone(),
            from: name_of(&e.region),
            own: e.region == region,
        })
        .collect();
    let holidays = days.iter().filter(|d| d.holiday).count();
    let region_name = name_of(&region);
    let title = l.t("工作日历", "Working calendar").to_string();
    Ok(render(CalendarPage {
        can_edit: s
            .scope
            .allows(Action::ManageCalendar, Target::Region(&region)),
        region: region.as_str().to_string(),
        region_name: region_name.clone(),
        year,
        workdays: days.len() - holidays,
        holidays,
        days,
        problems,
        typed,
        kinds: DayKind::ALL
            .iter()
            .map(|k| (k.code(), l.t(k.label_zh(), k.label_en()).to_string()))
            .collect(),
        max_kb: MAX_UPLOAD_BYTES / 1024,
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link(format!("/regions/{region}"), region_name),
            Crumb::link(
                format!("/standards?region={region}&year={year}"),
                l.t("监测标准", "Monitoring standards"),
            ),
            Crumb::here(title),
        ]),
    }))
}

/// The region a calendar form keeps, if the user may keep it: a region outside is "not
/// found", a role that may not (or a township) "not allowed".
fn kept_region(s: &Session, p: &Params) -> Result<RegionCode, AppError> {
    let region = access::asked_region(
        s,
        Action::ViewStandards,
        p.get("region").map(String::as_str),
    )?;
    let region = keeper(region);
    s.scope
        .decide(Action::ManageCalendar, Target::Region(&region))
        .map_err(access::not_allowed)?;
    Ok(region)
}

/// The days the region itself holds for the year (not those of the regions above).
async fn own_days(
    state: &AppState,
    region: &RegionCode,
    year: i32,
) -> Result<Vec<CalendarDay>, AppError> {
    let r = region.clone();
    let days = state.db(move |st| st.calendar_days(&r, year)).await?;
    Ok(days
        .into_iter()
        .filter(|e| e.region == *region)
        .map(|e| e.day)
        .collect())
}

/// Saves the region's year as `days`; the store's refusal comes back as problems.
async fn save(
    state: &AppState,
    s: &Session,
    region: &RegionCode,
    year: i32,
    days: Vec<CalendarDay>,
) -> Result<Result<(), Vec<Problem>>, AppError> {
    let (actor, r) = (s.actor(), region.clone());
    match state
        .db(move |st| st.save_calendar_days(&actor, &r, year, &days))
        .await
    {
        Ok(()) => Ok(Ok(())),
        Err(AppError::Invalid(p)) => Ok(Err(p)),
        Err(e) => Err(e),
    }
}

/// POST /calendar/add: one day more in the region's year.
async fn add_day(State(state): State<AppState>, s: Session, Form(p): Form<Params>) -> PageResult {
    let region = kept_region(&s, &p)?;
    let l = s.l();
    let year = year_of(&p);
    let text = |k: &str| p.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let typed = (text("date"), text("kind"), text("name"));
    let mut problems = Vec::new();
    let date = Date::parse(&typed.0);
    if date.is_none() {
        problems.push(Problem::new(
            ProblemCode::DateInvalid,
            "date",
            format!("日期“{}”无法识别：应写作“年-月-日”，如2026-10-01", typed.0),
            format!(
                "the date '{}' is not understood: expected YYYY-MM-DD",
                typed.0
            ),
        ));
    }
    let kind = typed.1.parse::<i64>().ok().and_then(DayKind::from_code);
    if kind.is_none() {
        problems.push(Problem::new(
            ProblemCode::CodeUnknown,
            "kind",
            "请选择类型：法定节假日或调休上班日",
            "choose the kind: public holiday or make-up working day",
        ));
    }
    if let (Some(date), Some(kind), true) = (date, kind, problems.is_empty()) {
        let mut days = own_days(&state, &region, year).await?;
        if let Some(there) = days.iter().find(|d| d.date == date) {
            problems.push(Problem::new(
                ProblemCode::CalendarDuplicateDate,
                "date",
                format!("{date} 已录入为{}，请先删除再添加", there.kind.label_zh()),
                format!(
                    "{date} is already entered as a {}: remove it first",
                    there.kind.label_en()
                ),
            ));
        } else {
            days.push(CalendarDay {
                date,
                kind,
                name: typed.2.clone(),
            });
            match save(&state, &s, &region, year, days).await? {
                Ok(()) => {
                    return Ok(saved(
                        &href(&region, year),
                        format!("已添加 {date} {}（已记入审计日志）", kind.label_zh()),
                        format!(
                            "Added {date} as a {} (recorded in the audit log)",
                            kind.label_en()
                        ),
                    ))
                }
                Err(p) => problems = p,
            }
        }
    }
    let texts = problems_text(l, &problems);
    let mut page = view(&state, &s, region, year, texts, typed).await?;
    *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}

/// POST /calendar/remove: one day fewer in the region's year.
async fn remove_day(
    State(state): State<AppState>,
    s: Session,
    Form(p): Form<Params>,
) -> PageResult {
    let region = kept_region(&s, &p)?;
    let year = year_of(&p);
    let date = p
        .get("date")
        .and_then(|d| Date::parse(d))
        .ok_or_else(|| AppError::BadRequest("日期无法识别 / the date is not understood".into()))?;
    let mut days = own_days(&state, &region, year).await?;
    let before = days.len();
    days.retain(|d| d.date != date);
    if days.len() == before {
        return Err(AppError::NotFound.into());
    }
    match save(&state, &s, &region, year, days).await? {
        Ok(()) => Ok(saved(
            &href(&region, year),
            format!("已删除 {date}（已记入审计日志）"),
            format!("Removed {date} (recorded in the audit log)"),
        )),
        Err(p) => {
            let texts = problems_text(s.l(), &p);
            view(&state, &s, region, year, texts, Default::default()).await
        }
    }
}

/// POST /calendar/import?region=&year=: a file of 日期, 类型, 名称 (the request body) replaces
/// the region's year, if every row is good; otherwise the page lists the rows to correct.
async fn import_file(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
    body: Body,
) -> PageResult {
    let region = kept_region(&s, &q)?;
    let l = s.l();
    let year = year_of(&q);
    let refused = |problems: Vec<String>| async {
        let mut page = view(
            &state,
            &s,
            region.clone(),
            year,
            problems,
            Default::default(),
        )
        .await?;
        *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        Ok::<Response, crate::error::PageError>(page)
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_UPLOAD_BYTES).await else {
        return refused(vec![l
            .t(
                &format!(
                    "文件超过{}KB，不是一年的节假日安排",
                    MAX_UPLOAD_BYTES / 1024
                ),
                &format!(
                    "the file is larger than {} KB: not one year's holidays",
                    MAX_UPLOAD_BYTES / 1024
                ),
            )
            .to_string()])
        .await;
    };
    let (actor, r, dir) = (s.actor(), region.clone(), state.config.work("uploads"));
    let outcome = state
        .db(move |st| Ok(import_calendar_bytes(st, &actor, &r, year, &bytes, &dir)))
        .await?;
    let problems = match outcome {
        Ok(CalendarImport::Saved { days }) => {
            return Ok(saved(
                &href(&region, year),
                format!("已从文件保存 {year} 年工作日历：{days} 天（已记入审计日志）"),
                format!(
                "Saved the {year} calendar from the file: {days} days (recorded in the audit log)"
            ),
            ))
        }
        Ok(CalendarImport::Refused { errors }) => {
            let mut texts: Vec<String> = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(|e| {
                    if l.is_en() {
                        format!("row {}, column '{}': {}", e.row, e.column, e.problem.en)
                    } else {
                        format!("第{}行“{}”：{}", e.row, e.column, e.problem.zh)
                    }
                })
                .collect();
            if errors.len() > SHOWN_ERRORS {
                texts.push(l.t("……以及更多错误", "… and more errors").to_string());
            }
            texts
        }
        Err(CalendarImportError::File(e)) => vec![file_error_text(l, &e)],
        Err(CalendarImportError::Store(e)) => match AppError::from(e) {
            AppError::Invalid(p) => problems_text(l, &p),
            other => return Err(other.into()),
        },
    };
    refused(problems).await
}

/// A file that cannot be read as a whole, in the user's language (the reader's message holds
/// both, Chinese first, joined by " / ").
fn file_error_text(l: L, e: &shouwang_io::ledger::LedgerError) -> String {
    let text = e.to_string();
    match text.split_once(" / ") {
        Some((zh, en)) => if l.is_en() { en } else { zh }.to_string(),
        None => text,
    }
}

async fn sample() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"calendar-2026.csv\"",
            ),
        ],
        shouwang_io::calendar::SAMPLE_2026,
    )
        .into_response()
}

/// The upload with its CSRF token in a header; a static file (the content security policy
/// forbids inline script).
async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/calendar_import.js"),
    )
}
