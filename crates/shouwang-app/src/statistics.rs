//! 监测统计 (issue 16): the monitoring statistics of a region on a date, for the page, the
//! command line and the exports — the region's total and a row per township or village, each
//! figure with the address of the list of its records.

use shouwang_core::monitoring::CaseType;
use shouwang_core::statistics::{tally, Category, Count, Figures, Query, Table, TYPES};
use shouwang_core::{Lang, RegionCode};
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead};
use shouwang_store::statistics::CaseAt;
use shouwang_store::{Store, StoreError};

/// The statistics with the names of the region and its sub-regions.
#[derive(Clone, Debug)]
pub struct MonitoringReport {
    pub table: Table,
    pub region_name: String,
    /// (code, name) of each row's sub-region, in the table's order
    pub area_names: Vec<(String, String)>,
}

/// The monitoring statistics for `query`.
pub fn monitoring(store: &Store, query: Query) -> Result<MonitoringReport, StoreError> {
    let children = store.region_children(&query.region)?;
    let codes: Vec<String> = children
        .iter()
        .map(|r| r.code.as_str().to_string())
        .collect();
    let groups = store.monitoring_groups(&query)?;
    let region_name = store
        .region(&query.region)?
        .map(|r| r.name)
        .unwrap_or_else(|| query.region.as_str().to_string());
    let table = tally(query, &codes, &groups);
    let area_names = table
        .areas
        .iter()
        .map(|a| {
            let name = children
                .iter()
                .find(|r| r.code.as_str() == a.area)
                .map_or_else(|| a.area.clone(), |r| r.name.clone());
            (a.area.clone(), name)
        })
        .collect();
    Ok(MonitoringReport {
        table,
        region_name,
        area_names,
    })
}

/// The records behind one figure: the cases of `query`'s region (or of its sub-region `area`)
/// in `category` and of type `case_type` (`None`: every type) on the query's date.
pub fn monitoring_records(
    store: &Store,
    query: &Query,
    category: Category,
    case_type: Option<CaseType>,
) -> Result<Vec<CaseAt>, StoreError> {
    Ok(store
        .monitoring_cases_at(query)?
        .into_iter()
        .filter(|c| category.contains(&c.state) && case_type.is_none_or(|t| c.state.case_type == t))
        .collect())
}

/// The address of the list behind a figure.
pub fn records_link(
    query: &Query,
    region: &str,
    category: Category,
    t: Option<CaseType>,
) -> String {
    let mut link = format!(
        "/reports/monitoring/records?region={region}&as_of={}&from={}&to={}&category={}",
        query.as_of,
        query.period.from,
        query.period.to,
        category.key()
    );
    if let Some(t) = t {
        link.push_str(&format!("&type={}", t.code()));
    }
    link
}

fn type_label(t: Option<CaseType>, lang: Lang) -> &'static str {
    match (t, lang) {
        (None, Lang::Zh) => "合计",
        (None, Lang::En) => "all types",
        (Some(t), Lang::Zh) => t.label_zh(),
        (Some(t), Lang::En) => t.label_en(),
    }
}

fn category_label(c: Category, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => c.label_zh(),
        Lang::En => c.label_en(),
    }
}

/// The table as a sheet: the region's total first, then one row per sub-region; for every
/// category and type, households and persons.
pub fn sheet(report: &MonitoringReport, lang: Lang) -> (Vec<String>, Vec<Vec<String>>) {
    let (code, name, hh, pp) = match lang {
        Lang::Zh => ("区划代码", "区划名称", "户数", "人数"),
        Lang::En => ("region code", "region", "households", "persons"),
    };
    let mut header = vec![code.to_string(), name.to_string()];
    for c in Category::ALL {
        for t in TYPES {
            for unit in [hh, pp] {
                header.push(format!(
                    "{}·{}·{unit}",
                    category_label(c, lang),
                    type_label(t, lang)
                ));
            }
        }
    }
    let row = |code: &str, name: &str, f: &Figures| {
        let mut cells = vec![code.to_string(), name.to_string()];
        for c in Category::ALL {
            for t in TYPES {
                let n = f.get(c, t);
                cells.push(n.households.to_string());
                cells.push(n.persons.to_string());
            }
        }
        cells
    };
    let total_name = match lang {
        Lang::Zh => format!("{}（合计）", report.region_name),
        Lang::En => format!("{} (total)", report.region_name),
    };
    let mut rows = vec![row(
        report.table.query.region.as_str(),
        &total_name,
        &report.table.total,
    )];
    for (a, (code, name)) in report.table.areas.iter().zip(&report.area_names) {
        rows.push(row(code, name, &a.figures));
    }
    (header, rows)
}

/// What heads an exported sheet.
pub fn head(report: &MonitoringReport, lang: Lang, exported: &str) -> ReportHead {
    let q = &report.table.query;
    match lang {
        Lang::Zh => ReportHead {
            title: "防止返贫致贫监测对象统计表".into(),
            region_line: format!("区划：{}（{}）", report.region_name, q.region),
            as_of_line: format!(
                "截至：{}；新识别统计期间：{}至{}",
                q.as_of, q.period.from, q.period.to
            ),
            exported_line: format!("导出时间：{exported}"),
        },
        Lang::En => ReportHead {
            title: "Monitored households and persons".into(),
            region_line: format!("Region: {} ({})", report.region_name, q.region),
            as_of_line: format!(
                "As of: {}; new cases from {} to {}",
                q.as_of, q.period.from, q.period.to
            ),
            exported_line: format!("Exported: {exported}"),
        },
    }
}

/// The export formats of the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

fn count_json(
    q: &Query,
    region: &str,
    region_name: &str,
    c: Category,
    t: Option<CaseType>,
    n: Count,
) -> serde_json::Value {
    serde_json::json!({
        "region": region,
        "region_name": region_name,
        "category": c.key(),
        "category_label": c.label_zh(),
        "case_type": t.map(|t| t.code()),
        "case_type_label": type_label(t, Lang::Zh),
        "households": n.households,
        "persons": n.persons,
        "records": records_link(q, region, c, t),
    })
}

/// The statistics as JSON: the query, then every figure with its region, category, type and
/// the address of its records.
pub fn json(report: &MonitoringReport) -> serde_json::Value {
    let q = &report.table.query;
    let mut figures = Vec::new();
    let rows = std::iter::once((
        q.region.as_str(),
        report.region_name.as_str(),
        &report.table.total,
    ))
    .chain(
        report
            .table
            .areas
            .iter()
            .zip(&report.area_names)
            .map(|(a, (code, name))| (code.as_str(), name.as_str(), &a.figures)),
    );
    for (code, name, f) in rows {
        for c in Category::ALL {
            for t in TYPES {
                figures.push(count_json(q, code, name, c, t, f.get(c, t)));
            }
        }
    }
    serde_json::json!({
        "region": q.region.as_str(),
        "region_name": report.region_name,
        "as_of": q.as_of.to_string(),
        "period": { "from": q.period.from.to_string(), "to": q.period.to.to_string() },
        "figures": figures,
    })
}

/// The statistics as a file: CSV, xlsx (titled, numbers as numbers) or JSON.
pub fn export(
    report: &MonitoringReport,
    format: Format,
    lang: Lang,
    exported: &str,
) -> Result<Vec<u8>, String> {
    match format {
        Format::Json => serde_json::to_vec_pretty(&json(report)).map_err(|e| e.to_string()),
        Format::Csv | Format::Xlsx => {
            let (header, rows) = sheet(report, lang);
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            if format == Format::Csv {
                csv_bytes(&header, &rows)
            } else {
                let name = match lang {
                    Lang::Zh => "监测对象统计",
                    Lang::En => "monitoring",
                };
                report_xlsx_bytes(&head(report, lang, exported), name, &header, &rows, 2)
            }
        }
    }
}

/// Whether `region` lies within `scope` (a user sees their own region and below).
pub fn within(scope: &RegionCode, region: &RegionCode) -> bool {
    scope.contains(region)
}
