//! The village's public notice (公示) of the households proposed as monitoring objects: a page
//! printable on A4 (the print rules of app.css; no script) and the same list as xlsx. Only what
//! the notice must say is shown — the head's name, the group, the proposed type and risks, the
//! notice's dates and where to object — never an ID number, a phone of the household, a bank
//! account, another member's name or a health detail; the store's notice rows hold none of them.

use super::{risk_words, short_name, term};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::{render, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use shouwang_core::access::{Action, Target};
use shouwang_core::region::RegionLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::identification::NoticeRow;
use std::collections::HashMap;

struct Row {
    number: usize,
    head: String,
    group: String,
    case_type: String,
    risks: String,
    period: String,
    contact: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    ctx: Ctx,
    code: String,
    title: String,
    village: String,
    term: &'static str,
    date: String,
    rows: Vec<Row>,
    contacts: Vec<String>,
}

/// The village `{code}` whose cases the user may see, and the day asked (today by default).
fn asked(
    s: &Session,
    code: &str,
    q: &HashMap<String, String>,
) -> Result<(RegionCode, Date), AppError> {
    let code = RegionCode::parse(code)
        .filter(|c| c.level() == RegionLevel::Village)
        .ok_or(AppError::NotFound)?;
    s.scope
        .decide(Action::ViewCases, Target::Region(&code))
        .map_err(access::unseen)?;
    let date = match q.get("date").map(|d| d.trim()).filter(|d| !d.is_empty()) {
        None => today(),
        Some(d) => Date::parse(d).ok_or_else(|| {
            AppError::Invalid(vec![Problem::new(
                ProblemCode::QueryInvalid,
                "date",
                format!("“{d}”不是有效日期，应如 2026-11-30"),
                format!("'{d}' is not a date; expected e.g. 2026-11-30"),
            )])
        })?,
    };
    Ok((code, date))
}

fn rows_of(l: L, notice: &[NoticeRow]) -> Vec<Row> {
    notice
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let proposal = r.ident.appraisal.as_ref().and_then(|a| a.proposal.as_ref());
            let n = r.ident.notice.as_ref();
            Row {
                number: i + 1,
                head: r.head_name.clone(),
                group: super::place(l, "", &r.group),
                // an elimination procedure is noticed with the kind proposed (风险消除公示)
                case_type: match r.ident.appraisal.as_ref().and_then(|a| a.elimination) {
                    Some(k) => format!(
                        "{}{}",
                        l.t("拟风险消除：", "to be closed: "),
                        l.t(k.label_zh(), k.label_en())
                    ),
                    None => proposal
                        .map(|p| {
                            l.t(p.case_type.label_zh(), p.case_type.label_en())
                                .to_string()
                        })
                        .unwrap_or_default(),
                },
                risks: risk_words(l, proposal.map_or(&r.ident.risks[..], |p| &p.risks[..])),
                period: n
                    .map(|n| format!("{} – {}", n.start, n.end))
                    .unwrap_or_default(),
                contact: n.map(|n| n.contact.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn title(l: L, village: &str) -> String {
    if l.is_en() {
        format!("Public notice: households proposed for monitoring, {village}")
    } else {
        format!("{village}防止返贫致贫对象识别公示")
    }
}

async fn load(
    state: &AppState,
    code: &RegionCode,
    date: Date,
) -> Result<(String, Vec<NoticeRow>), AppError> {
    let c = code.clone();
    state
        .db(move |st| {
            let name = st.region(&c)?.map(|r| r.name).unwrap_or_default();
            Ok((name, st.notice_rows(&c, date)?))
        })
        .await
}

/// GET /villages/{code}/notice?date=YYYY-MM-DD
pub(super) async fn notice_page(
    State(state): State<AppState>,
    s: Session,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let (code, date) = asked(&s, &code, &q)?;
    let (name, notice) = load(&state, &code, date).await?;
    let village = short_name(&name).to_string();
    let rows = rows_of(l, &notice);
    let mut contacts: Vec<String> = Vec::new();
    for r in &rows {
        if !r.contact.is_empty() && !contacts.contains(&r.contact) {
            contacts.push(r.contact.clone());
        }
    }
    let crumbs = vec![
        Crumb::link(format!("/regions/{code}"), village.clone()),
        Crumb::here(l.t("公示", "Public notice")),
    ];
    Ok(render(NoticePage {
        code: code.as_str().to_string(),
        title: title(l, &village),
        village,
        term: term(l),
        date: date.to_string(),
        rows,
        contacts,
        ctx: Ctx::of(&s).crumbs(crumbs),
    }))
}

/// The time now in China, `YYYY-MM-DD HH:MM`.
fn now_text() -> String {
    let secs = shouwang_store::now();
    let local = secs + 8 * 3600;
    let minutes = local.rem_euclid(86_400) / 60;
    format!(
        "{} {:02}:{:02}",
        Date::from_unix_seconds_china(secs),
        minutes / 60,
        minutes % 60
    )
}

/// GET /villages/{code}/notice.xlsx?date=YYYY-MM-DD: the same list, with its title, village,
/// date and the time of the export above it.
pub(super) async fn notice_xlsx(
    State(state): State<AppState>,
    s: Session,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let (code, date) = asked(&s, &code, &q)?;
    let (name, notice) = load(&state, &code, date).await?;
    let village = short_name(&name).to_string();
    let t = title(l, &village);
    let mut rows: Vec<Vec<String>> = vec![
        vec![l.t("村", "Village").to_string(), name.clone()],
        vec![l.t("公示日期", "Notice date").to_string(), date.to_string()],
        vec![l.t("导出时间", "Exported at").to_string(), now_text()],
        Vec::new(),
        [
            l.t("序号", "No."),
            l.t("户主姓名", "Head of household"),
            l.t("村民小组", "Group"),
            l.t("拟识别类型", "Proposed type"),
            l.t("风险类型", "Risk types"),
            l.t("公示期", "Notice period"),
            l.t("异议受理", "Where to object"),
        ]
        .iter()
        .map(|x| x.to_string())
        .collect(),
    ];
    for r in rows_of(l, &notice) {
        rows.push(vec![
            r.number.to_string(),
            r.head,
            r.group,
            r.case_type,
            r.risks,
            r.period,
            r.contact,
        ]);
    }
    let bytes = shouwang_io::table::xlsx_bytes(l.t("公示", "Notice"), &[t.as_str()], &rows)
        .map_err(AppError::Internal)?;
    let file = format!("{}-{date}.xlsx", l.t("公示", "notice"));
    Ok(crate::pages::layout::download(
        bytes,
        crate::pages::layout::XLSX,
        "notice.xlsx",
        &file,
    ))
}
