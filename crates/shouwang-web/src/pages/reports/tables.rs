//! The other tables (helper B): `/reports/tables/<slug>?region=&from=&to=` — measures in place,
//! monitored households without measures, overdue work by village, visit compliance by village
//! and month, department alerts by kind and month, leads by source and outcome — each a page
//! whose figures link to `/reports/tables/<slug>/records?…` (the records behind the figure) or
//! to the page that already lists them, and each exported with `&format=xlsx` (the titled report
//! sheet) or `&format=csv`. Who may see: [`Action::ViewReports`] in the region.

use super::name_of;
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::layout::{download, XLSX};
use crate::pages::{render, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use shouwang_app::supervision::{self as sup, Grid, RecordQuery, TableQuery};
use shouwang_core::access::Action;
use shouwang_core::assistance::MeasureCategory;
use shouwang_core::date::YearMonth;
use shouwang_core::department::DeptKind;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::CaseType;
use shouwang_core::supervision::tables::{OverdueKind, TableKind};
use shouwang_core::{Date, RegionCode};
use shouwang_io::table::TableFormat;
use std::collections::HashMap;

type Params = HashMap<String, String>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/tables/{slug}", get(table_page))
        .route("/reports/tables/{slug}/records", get(records_page))
}

/// A cell as the page shows it: its column's label (the phone's card view), text and link.
pub(crate) struct ViewCell {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
    pub num: bool,
}

/// The grid's rows for the page.
pub(crate) fn view_rows(grid: &Grid) -> Vec<Vec<ViewCell>> {
    grid.rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(i, c)| ViewCell {
                    label: grid.header.get(i).cloned().unwrap_or_default(),
                    text: c.text.clone(),
                    href: c.href.clone(),
                    num: i >= grid.numeric_from,
                })
                .collect()
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports_table.html")]
struct TablePage {
    ctx: Ctx,
    grid: Grid,
    rows: Vec<Vec<ViewCell>>,
    region: String,
    region_name: String,
    slug: String,
    /// the table spans months: the period form
    months: bool,
    from: String,
    to: String,
}

fn month_param(l: L, p: &Params, key: &str) -> Result<Option<YearMonth>, AppError> {
    match p.get(key).map(|m| m.trim()).filter(|m| !m.is_empty()) {
        None => Ok(None),
        Some(m) => YearMonth::parse(m).map(Some).ok_or_else(|| {
            AppError::BadRequest(
                l.t("月份应写作 YYYY-MM", "the month is written YYYY-MM")
                    .to_string(),
            )
        }),
    }
}

fn format_param(l: L, p: &Params) -> Result<Option<TableFormat>, AppError> {
    match p.get("format").map(String::as_str) {
        None | Some("") => Ok(None),
        Some("xlsx") => Ok(Some(TableFormat::Xlsx)),
        Some("csv") => Ok(Some(TableFormat::Csv)),
        Some(_) => Err(AppError::BadRequest(
            l.t("导出格式应为 xlsx 或 csv", "the format is xlsx or csv")
                .to_string(),
        )),
    }
}

/// "2026-12-01 09:30" now, China time.
pub(crate) fn stamp() -> String {
    let secs = shouwang_store::now();
    let day = Date::from_unix_seconds_china(secs);
    let minutes = (secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// A grid as a download: `<slug>-<region>.<ext>`, named by its title for the user.
pub(crate) fn grid_download(
    grid: &Grid,
    slug: &str,
    region: &RegionCode,
    region_name: &str,
    format: TableFormat,
    l: L,
) -> Result<axum::response::Response, AppError> {
    let head = sup::head(grid, region_name, region, &stamp(), l.is_en());
    let bytes = sup::export(grid, &head, format).map_err(AppError::Internal)?;
    let (ext, ct) = match format {
        TableFormat::Xlsx => ("xlsx", XLSX),
        TableFormat::Csv => ("csv", "text/csv; charset=utf-8"),
    };
    Ok(download(
        bytes,
        ct,
        &format!("{slug}-{region}.{ext}"),
        &format!("{}-{region_name}.{ext}", grid.title),
    ))
}

async fn table_page(
    State(state): State<AppState>,
    s: Session,
    Path(slug): Path<String>,
    Query(p): Query<Params>,
) -> PageResult {
    let l = s.l();
    let kind = TableKind::of_slug(&slug).ok_or(AppError::NotFound)?;
    let region =
        access::asked_region(&s, Action::ViewReports, p.get("region").map(String::as_str))?;
    let format = format_param(l, &p)?;
    let q = TableQuery {
        region: region.clone(),
        today: today(),
        from: month_param(l, &p, "from")?,
        to: month_param(l, &p, "to")?,
        en: l.is_en(),
    };
    let (from, to) = (q.from, q.to);
    let grid = state.db(move |st| sup::table(st, kind, &q)).await?;
    let region_name = name_of(&state, &region).await;
    if let Some(f) = format {
        return Ok(grid_download(
            &grid,
            kind.slug(),
            &region,
            &region_name,
            f,
            l,
        )?);
    }
    let months = matches!(
        kind,
        TableKind::Visits | TableKind::Alerts | TableKind::Leads
    );
    Ok(render(TablePage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link(format!("/reports?region={region}"), l.t("报表", "Reports")),
            Crumb::here(grid.title.clone()),
        ]),
        rows: view_rows(&grid),
        grid,
        region: region.to_string(),
        region_name,
        slug: kind.slug().to_string(),
        months,
        from: from.map(|m| m.to_string()).unwrap_or_default(),
        to: to.map(|m| m.to_string()).unwrap_or_default(),
    }))
}

struct RecordRow {
    household_no: String,
    head: String,
    village: String,
    what: String,
    on: String,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "reports_records.html")]
struct RecordsPage {
    ctx: Ctx,
    title: String,
    rows: Vec<RecordRow>,
    limit: i64,
}

fn code_param<T>(p: &Params, key: &str, from: fn(i64) -> Option<T>) -> Option<T> {
    p.get(key)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(from)
}

async fn records_page(
    State(state): State<AppState>,
    s: Session,
    Path(slug): Path<String>,
    Query(p): Query<Params>,
) -> PageResult {
    let l = s.l();
    let kind = TableKind::of_slug(&slug).ok_or(AppError::NotFound)?;
    let region =
        access::asked_region(&s, Action::ViewReports, p.get("region").map(String::as_str))?;
    let q = RecordQuery {
        category: code_param(&p, "category", MeasureCategory::from_code),
        case_type: code_param(&p, "case_type", CaseType::from_code),
        overdue: p.get("kind").and_then(|k| OverdueKind::of_slug(k)),
        dept: code_param(&p, "kind", DeptKind::from_code),
        source: code_param(&p, "source", LeadSource::from_code),
        status: code_param(&p, "status", LeadStatus::from_code),
        from: month_param(l, &p, "from")?,
        to: month_param(l, &p, "to")?,
    };
    let r = region.clone();
    let (records, names) = state
        .db(move |st| {
            Ok((
                sup::records(st, kind, &r, &q, today())?,
                st.villages_named(&r)?,
            ))
        })
        .await?;
    let names: HashMap<String, String> = names.into_iter().collect();
    let region_name = name_of(&state, &region).await;
    let title = format!("{} · {region_name}", l.t(kind.title_zh(), kind.title_en()));
    let rows = records
        .into_iter()
        .map(|r| RecordRow {
            head: if r.head_name.is_empty() {
                r.household_no.clone()
            } else {
                r.head_name
            },
            village: names.get(&r.village).map_or(r.village.clone(), |n| {
                shouwang_core::region::village_short_name(n).to_string()
            }),
            household_no: r.household_no,
            what: if l.is_en() { r.what_en } else { r.what_zh },
            on: r.on,
            link: r.link,
        })
        .collect();
    Ok(render(RecordsPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link(format!("/reports?region={region}"), l.t("报表", "Reports")),
            Crumb::link(
                format!("/reports/tables/{}?region={region}", kind.slug()),
                l.t(kind.title_zh(), kind.title_en()),
            ),
            Crumb::here(l.t("明细", "Records")),
        ]),
        title,
        rows,
        limit: sup::LIST_LIMIT,
    }))
}
