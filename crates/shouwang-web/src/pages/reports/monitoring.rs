//! 监测统计 page (issue 16): `/reports/monitoring?region=&as_of=&from=&to=` — the region's
//! monitored households and persons by type, eliminated (帮扶/自然), not eliminated and new in the
//! period, as they stood on the date, with a row per township or village (each a link one level
//! down); every figure a link to `/reports/monitoring/records`, the households it counts.
//! `&format=csv|xlsx|json` downloads the table (the list likewise takes csv and xlsx).
//!
//! Who may see: [`Action::ViewReports`] in the region (another region is "not found").

use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::layout::{download, XLSX};
use crate::pages::{render, Crumb, Ctx, Pager};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Query as Params, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use shouwang_app::statistics::{self as stats, Format, MonitoringReport};
use shouwang_core::access::Action;
use shouwang_core::monitoring::CaseType;
use shouwang_core::statistics::{Category, Figures, Query, TYPES};
use shouwang_core::{Date, Lang, RegionCode};
use std::collections::HashMap;

type Map = HashMap<String, String>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/monitoring", get(page))
        .route("/reports/monitoring/records", get(records))
}

fn lang(l: L) -> Lang {
    if l.is_en() {
        Lang::En
    } else {
        Lang::Zh
    }
}

fn date_of(l: L, p: &Map, key: &str) -> Result<Option<Date>, AppError> {
    match p.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Date::parse(v).map(Some).ok_or_else(|| {
            AppError::BadRequest(
                l.t("日期应写作 YYYY-MM-DD", "a date is written YYYY-MM-DD")
                    .to_string(),
            )
        }),
    }
}

/// The region (checked against the user's), the date and the period asked for.
fn query_of(s: &Session, p: &Map) -> Result<Query, AppError> {
    let l = s.l();
    let region = access::asked_region(s, Action::ViewReports, p.get("region").map(String::as_str))?;
    Query::new(
        region,
        date_of(l, p, "as_of")?,
        date_of(l, p, "from")?,
        date_of(l, p, "to")?,
        today(),
    )
    .map_err(|e| AppError::Invalid(vec![e]))
}

fn query_string(q: &Query, region: &str) -> String {
    format!(
        "region={region}&as_of={}&from={}&to={}",
        q.as_of, q.period.from, q.period.to
    )
}

fn exported() -> String {
    let at = shouwang_store::now();
    shouwang_app::audit::china_time(at)[..16].to_string()
}

/// A figure on the page: households and persons, and the list behind them.
struct Cell {
    households: u64,
    persons: u64,
    href: String,
}

struct SummaryRow {
    label: String,
    cells: Vec<Cell>,
}

struct AreaRow {
    name: String,
    href: String,
    cells: Vec<Cell>,
}

/// The columns of the sub-region table: category and type.
const AREA_COLUMNS: [(Category, Option<CaseType>); 9] = [
    (Category::All, None),
    (Category::All, Some(CaseType::UnstablePostPoverty)),
    (Category::All, Some(CaseType::MarginalAtRisk)),
    (Category::All, Some(CaseType::SuddenHardship)),
    (Category::Eliminated, None),
    (Category::AfterAssistance, None),
    (Category::Natural, None),
    (Category::NotEliminated, None),
    (Category::New, None),
];

fn type_label(l: L, t: Option<CaseType>) -> String {
    match t {
        None => l.t("合计", "All types").to_string(),
        Some(t) => l.t(t.label_zh(), t.label_en()).to_string(),
    }
}

fn cell(q: &Query, region: &str, f: &Figures, c: Category, t: Option<CaseType>) -> Cell {
    let n = f.get(c, t);
    Cell {
        households: n.households,
        persons: n.persons,
        href: stats::records_link(q, region, c, t),
    }
}

#[derive(Template)]
#[template(path = "reports_monitoring.html")]
struct Page {
    ctx: Ctx,
    title: String,
    as_of: String,
    from: String,
    to: String,
    /// (code, name, selected) for the region picker
    choices: Vec<(String, String, bool)>,
    types: Vec<String>,
    summary: Vec<SummaryRow>,
    area_heads: Vec<String>,
    area_level: String,
    areas: Vec<AreaRow>,
    export: String,
}

async fn page(State(state): State<AppState>, s: Session, Params(p): Params<Map>) -> PageResult {
    let l = s.l();
    let q = query_of(&s, &p)?;
    let format = match p.get("format").map(String::as_str) {
        None | Some("") => None,
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            AppError::BadRequest(
                l.t(
                    "格式须为 csv、xlsx 或 json",
                    "format must be csv, xlsx or json",
                )
                .to_string(),
            )
        })?),
    };
    let scope = s.scope.region.clone();
    let asked = q.clone();
    let (report, path) = state
        .db(move |st| {
            let path = st.region_path(&asked.region)?;
            Ok((stats::monitoring(st, asked)?, path))
        })
        .await?;
    if let Some(format) = format {
        let bytes =
            stats::export(&report, format, lang(l), &exported()).map_err(AppError::Internal)?;
        let (ext, mime) = match format {
            Format::Csv => ("csv", "text/csv; charset=utf-8"),
            Format::Xlsx => ("xlsx", XLSX),
            Format::Json => ("json", "application/json"),
        };
        let name = format!("监测对象统计-{}-{}.{ext}", report.region_name, q.as_of);
        return Ok(download(
            bytes,
            mime,
            &format!("monitoring-{}-{}.{ext}", q.region, q.as_of),
            &name,
        ));
    }
    Ok(render(monitoring_page(&s, &q, &report, &scope, &path)))
}

fn monitoring_page(
    s: &Session,
    q: &Query,
    report: &MonitoringReport,
    scope: &RegionCode,
    path: &[shouwang_core::Region],
) -> Page {
    let l = s.l();
    let region = q.region.as_str().to_string();
    let summary = Category::ALL
        .iter()
        .map(|c| SummaryRow {
            label: l.t(c.label_zh(), c.label_en()).to_string(),
            cells: TYPES
                .iter()
                .map(|t| cell(q, &region, &report.table.total, *c, *t))
                .collect(),
        })
        .collect();
    let area_heads = AREA_COLUMNS
        .iter()
        .map(|(c, t)| match t {
            None if *c == Category::All => l.t("监测对象合计", "All monitored").to_string(),
            None => l.t(c.label_zh(), c.label_en()).to_string(),
            Some(t) => l.t(t.label_zh(), t.label_en()).to_string(),
        })
        .collect();
    let areas = report
        .table
        .areas
        .iter()
        .zip(&report.area_names)
        .map(|(a, (code, name))| AreaRow {
            name: name.clone(),
            href: format!("/reports/monitoring?{}", query_string(q, code)),
            cells: AREA_COLUMNS
                .iter()
                .map(|(c, t)| cell(q, code, &a.figures, *c, *t))
                .collect(),
        })
        .collect();
    // the picker: the regions from the user's own down to this one, and this one's rows
    let mut choices: Vec<(String, String, bool)> = path
        .iter()
        .filter(|r| scope.contains(&r.code))
        .map(|r| {
            (
                r.code.as_str().to_string(),
                r.name.clone(),
                r.code == q.region,
            )
        })
        .collect();
    choices.extend(
        report
            .area_names
            .iter()
            .map(|(code, name)| (code.clone(), format!("— {name}"), false)),
    );
    let area_level = q.region.level().child().map_or_else(String::new, |lv| {
        l.t(lv.label_zh(), lv.label_en()).to_string()
    });
    let title = if l.is_en() {
        format!(
            "Monitored households of {} as of {}",
            report.region_name, q.as_of
        )
    } else {
        format!(
            "{}防止返贫致贫监测对象统计（截至{}）",
            report.region_name, q.as_of
        )
    };
    Page {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link("/reports", l.t("报表", "Reports")),
            Crumb::here(title.clone()),
        ]),
        title,
        export: query_string(q, &region),
        as_of: q.as_of.to_string(),
        from: q.period.from.to_string(),
        to: q.period.to.to_string(),
        choices,
        types: TYPES.iter().map(|t| type_label(l, *t)).collect(),
        summary,
        area_heads,
        area_level,
        areas,
    }
}

struct RecordRow {
    head: String,
    household_no: String,
    village: String,
    case_type: String,
    identified_on: String,
    eliminated: String,
    persons: u64,
}

#[derive(Template)]
#[template(path = "reports_monitoring_records.html")]
struct RecordsPage {
    ctx: Ctx,
    title: String,
    back: String,
    rows: Vec<RecordRow>,
    pager: Pager,
    export: String,
}

const PER_PAGE: usize = 50;

async fn records(State(state): State<AppState>, s: Session, Params(p): Params<Map>) -> PageResult {
    let l = s.l();
    let q = query_of(&s, &p)?;
    let category =
        Category::parse(p.get("category").map_or("all", String::as_str)).ok_or_else(|| {
            AppError::BadRequest(
                l.t("未知的统计类别", "an unknown statistics category")
                    .to_string(),
            )
        })?;
    let case_type = match p.get("type").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            t.parse::<i64>()
                .ok()
                .and_then(CaseType::from_code)
                .ok_or_else(|| {
                    AppError::BadRequest(
                        l.t("未知的监测对象类别", "an unknown case type")
                            .to_string(),
                    )
                })?,
        ),
    };
    let asked = q.clone();
    let (list, names, region_name) = state
        .db(move |st| {
            let list = stats::monitoring_records(st, &asked, category, case_type)?;
            let names = st.village_names(&asked.region)?;
            let name = st
                .region(&asked.region)?
                .map(|r| r.name)
                .unwrap_or_default();
            Ok((list, names, name))
        })
        .await?;
    let what = format!(
        "{} · {}",
        l.t(category.label_zh(), category.label_en()),
        type_label(l, case_type)
    );
    let row = |c: &shouwang_store::statistics::CaseAt| RecordRow {
        head: c.head.clone(),
        household_no: c.household_no.clone(),
        village: names
            .get(&c.village)
            .cloned()
            .unwrap_or_else(|| c.village.clone()),
        case_type: l
            .t(c.state.case_type.label_zh(), c.state.case_type.label_en())
            .to_string(),
        identified_on: c.identified_on.clone(),
        eliminated: match (c.state.eliminated, &c.eliminated_on) {
            (Some(k), Some(on)) => format!("{} {on}", l.t(k.label_zh(), k.label_en())),
            _ => String::new(),
        },
        persons: c.persons,
    };
    let mut base = format!(
        "{}&category={}",
        query_string(&q, q.region.as_str()),
        category.key()
    );
    if let Some(t) = case_type {
        base.push_str(&format!("&type={}", t.code()));
    }
    if let Some(format) = p.get("format").filter(|f| !f.is_empty()) {
        let header: Vec<&str> = if l.is_en() {
            vec![
                "head",
                "household no.",
                "village",
                "type",
                "identified",
                "eliminated",
                "persons",
            ]
        } else {
            vec![
                "户主",
                "户编号",
                "村",
                "监测对象类别",
                "识别监测日期",
                "风险消除",
                "人数",
            ]
        };
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|c| {
                let r = row(c);
                vec![
                    r.head,
                    r.household_no,
                    r.village,
                    r.case_type,
                    r.identified_on,
                    r.eliminated,
                    r.persons.to_string(),
                ]
            })
            .collect();
        let head = shouwang_io::table::ReportHead {
            title: format!(
                "{}{}",
                l.t("监测对象名单：", "Monitored households: "),
                what
            ),
            region_line: format!(
                "{}{}（{}）",
                l.t("区划：", "Region: "),
                region_name,
                q.region
            ),
            as_of_line: format!("{}{}", l.t("截至：", "As of: "), q.as_of),
            exported_line: format!("{}{}", l.t("导出时间：", "Exported: "), exported()),
        };
        let (bytes, mime, ext) = match format.as_str() {
            "csv" => (
                shouwang_io::table::csv_bytes(&header, &rows),
                "text/csv; charset=utf-8",
                "csv",
            ),
            "xlsx" => (
                shouwang_io::table::report_xlsx_bytes(
                    &head,
                    l.t("名单", "list"),
                    &header,
                    &rows,
                    6,
                ),
                XLSX,
                "xlsx",
            ),
            _ => {
                return Err(AppError::BadRequest(
                    l.t("格式须为 csv 或 xlsx", "format must be csv or xlsx")
                        .to_string(),
                )
                .into())
            }
        };
        let bytes = bytes.map_err(AppError::Internal)?;
        return Ok(download(
            bytes,
            mime,
            &format!("monitoring-records-{}.{ext}", q.region),
            &format!("监测对象名单-{region_name}-{}.{ext}", q.as_of),
        ));
    }
    let asked_page = p.get("page").and_then(|n| n.parse().ok()).unwrap_or(1);
    let pager = Pager::new(asked_page, PER_PAGE, list.len(), base.clone());
    let rows = list
        .iter()
        .skip((pager.page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(row)
        .collect();
    let title = if l.is_en() {
        format!("{region_name}, as of {}: {what}", q.as_of)
    } else {
        format!("{region_name}（截至{}）{what}", q.as_of)
    };
    let back = format!(
        "/reports/monitoring?{}",
        query_string(&q, q.region.as_str())
    );
    Ok(render(RecordsPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/reports", l.t("报表", "Reports")),
            Crumb::link(back.clone(), l.t("监测对象统计", "Monitoring statistics")),
            Crumb::here(title.clone()),
        ]),
        title,
        back,
        rows,
        pager,
        export: base,
    })
    .into_response())
}
