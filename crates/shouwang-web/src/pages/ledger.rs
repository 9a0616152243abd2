//! The household ledger (户人台账) in the browser: upload and import for county and township
//! users, the report with a link to the error workbook, and the export of a region's households
//! as xlsx or CSV within the user's scope.
//!
//! The upload page sends the file as the raw request body (a small script with a progress bar,
//! the CSRF token in the `X-CSRF-Token` header), so the file streams to a temporary file instead
//! of being buffered as a form; the import then runs on the blocking pool, one at a time per
//! county (`ImportQueue`): while an upload waits, its page asks `/ledger/queue` for its place.

use super::{render, Ctx};
use crate::access::{ExportableRegion, Importer};
use crate::auth::{random_token, Session};
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use serde::Deserialize;
use shouwang_app::import_queue::ImportQueue;
use shouwang_app::ledger::{import_file, ImportFailure};
use shouwang_io::ledger::{Ids, LedgerCsvWriter, LedgerXlsxWriter, ReadOptions, WriteError};
use shouwang_io::private;
use shouwang_store::ledger::LedgerImport;
use shouwang_store::StoreError;
use std::io::Write;

/// The largest ledger accepted by upload.
const MAX_UPLOAD_BYTES: usize = 300 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/ledger/import",
            get(import_form)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 1)),
        )
        .route("/ledger/queue", get(queue_place))
        .route("/ledger/errors/{name}", get(error_workbook))
        .route("/regions/{code}/ledger.xlsx", get(export_xlsx))
        .route("/regions/{code}/ledger.csv", get(export_csv))
}

#[derive(Template)]
#[template(path = "ledger_import.html")]
struct ImportPage {
    ctx: Ctx,
    region: String,
    max_mb: usize,
}

async fn import_form(s: Session, Importer { within, .. }: Importer) -> Response {
    render(ImportPage {
        ctx: Ctx::of(&s),
        region: within.to_string(),
        max_mb: MAX_UPLOAD_BYTES / 1024 / 1024,
    })
}

#[derive(Deserialize)]
struct UploadQuery {
    /// the file's name (its extension tells xlsx from CSV)
    name: Option<String>,
    all_or_nothing: Option<String>,
    sheet: Option<String>,
    /// the user confirmed overwriting households edited after the file was exported
    overwrite_newer: Option<String>,
    /// the page's name for this upload, to ask for its place in the line
    ticket: Option<String>,
}

/// The label of a user's upload in the county's line: the page's ticket, under the user's id.
fn queue_label(s: &Session, ticket: Option<&str>) -> Option<String> {
    ticket
        .filter(|t| !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|t| format!("{}:{t}", s.user.id))
}

#[derive(Deserialize)]
struct QueueQuery {
    ticket: Option<String>,
}

/// `{"ahead": n}`: how many imports of the county are ahead of the user's upload (0 when it is
/// being imported), `null` when it is not in line.
async fn queue_place(
    s: Session,
    Importer { county, .. }: Importer,
    Query(q): Query<QueueQuery>,
) -> Response {
    let ahead = queue_label(&s, q.ticket.as_deref())
        .and_then(|label| ImportQueue::global().position(county.as_str(), &label));
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "ahead": ahead })),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "ledger_report.html")]
struct ReportPage {
    ctx: Ctx,
    file: String,
    /// a file-level error (nothing imported)
    failure: Option<String>,
    committed: bool,
    counts: Vec<(String, usize, usize)>,
    rows: usize,
    unknown_columns: String,
    errors: Vec<String>,
    more_errors: usize,
    warnings: Vec<String>,
    /// households edited after the file was exported, not overwritten
    conflicts: Vec<String>,
    error_link: Option<String>,
    back: String,
}

/// Streams the body to a file of the work folder, readable by the server only; `None` when
/// larger than the limit.
async fn save_body(body: Body, path: &std::path::Path) -> Result<Option<usize>, AppError> {
    let internal = |e: std::io::Error| AppError::Internal(format!("upload: {e}"));
    if let Some(dir) = path.parent() {
        private::create_dir(dir).map_err(internal)?;
    }
    let mut file = std::io::BufWriter::new(private::create_file(path).map_err(internal)?);
    let mut body = body;
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            total += data.len();
            if total > MAX_UPLOAD_BYTES {
                return Ok(None);
            }
            file.write_all(&data).map_err(internal)?;
        }
    }
    file.flush().map_err(internal)?;
    Ok(Some(total))
}

async fn import_upload(
    State(state): State<AppState>,
    s: Session,
    Importer { county, within }: Importer,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> PageResult {
    let l = s.l();
    let name = q
        .name
        .as_deref()
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .unwrap_or("ledger")
        .to_string();
    let ext = match name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
        Some(e) if e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 5 => e,
        _ => "bin".into(),
    };
    let token = random_token();
    let upload = state.config.work("uploads").join(format!("{token}.{ext}"));
    let saved = save_body(body, &upload).await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&upload);
            return Err(e.into());
        }
    };
    let mut report_page = ReportPage {
        ctx: Ctx::of(&s),
        file: name.clone(),
        failure: None,
        committed: false,
        counts: Vec::new(),
        rows: 0,
        unknown_columns: String::new(),
        errors: Vec::new(),
        more_errors: 0,
        warnings: Vec::new(),
        conflicts: Vec::new(),
        error_link: None,
        back: format!("/regions/{within}"),
    };
    if saved.is_none() {
        let _ = std::fs::remove_file(&upload);
        report_page.failure = Some(
            l.t(
                &format!(
                    "文件超过{}MB，请分成几个文件导入",
                    MAX_UPLOAD_BYTES / 1024 / 1024
                ),
                &format!(
                    "the file is larger than {} MB: split it into several files",
                    MAX_UPLOAD_BYTES / 1024 / 1024
                ),
            )
            .to_string(),
        );
        return Ok(render(report_page));
    }
    let opts = LedgerImport {
        county,
        within,
        all_or_nothing: q
            .all_or_nothing
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0"),
        actor: s.actor(),
        source: name.clone(),
        today: today(),
        page_cache_mib: shouwang_store::ledger::IMPORT_CACHE_MIB,
        // other users keep reading while an upload is imported
        exclusive: false,
        exported_at: None,
        overwrite_newer: q
            .overwrite_newer
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0"),
    };
    let mut read = ReadOptions::new(opts.today);
    if let Some(sheet) = q.sheet.filter(|x| !x.trim().is_empty()) {
        read = read.sheet(sheet);
    }
    let errors_name = format!("{}-{token}.xlsx", s.user.id);
    let errors_dir = state.config.work("ledger-errors");
    let errors_path = errors_dir.join(&errors_name);
    let path = upload.clone();
    let name_for_log = name.clone();
    let label = queue_label(&s, q.ticket.as_deref()).unwrap_or_else(|| token.clone());
    let ticket = ImportQueue::global().join(opts.county.as_str(), &label);
    let outcome = state
        .db(move |st| {
            private::create_dir(&errors_dir).map_err(|e| StoreError::Other(e.to_string()))?;
            // one import of the county at a time: wait for those ahead
            ticket.wait_turn();
            let r = import_file(st, &path, &read, &opts, Some(&errors_path));
            drop(ticket);
            let _ = std::fs::remove_file(&path);
            match r {
                Ok(i) => Ok(Ok((i.report, i.summary, i.error_workbook.is_some()))),
                // the file's errors say it in both languages, "中文 / English"
                Err(ImportFailure::File(e)) => Ok(Err((one_language(l, &e.to_string()), false))),
                Err(ImportFailure::Store(StoreError::Invalid(ps))) => Ok(Err((
                    ps.iter()
                        .map(|p| {
                            let text = if l.is_en() { &p.en } else { &p.zh };
                            format!("{}: {text}", p.field)
                        })
                        .collect::<Vec<_>>()
                        .join(l.t("；", "; ")),
                    false,
                ))),
                // nothing was written: the user is told so, the log says why
                Err(e) => {
                    tracing::error!(file = %name_for_log, error = %e, "ledger import failed");
                    // only the error workbook failed: the households were written
                    let committed = matches!(e, ImportFailure::ErrorWorkbook { .. });
                    Ok(Err((failed_message(l, &e), committed)))
                }
            }
        })
        .await?;
    let (report, summary, wrote) = match outcome {
        Ok(x) => x,
        Err((message, committed)) => {
            report_page.committed = committed;
            report_page.failure = Some(message);
            return Ok(render(report_page));
        }
    };
    report_page.committed = report.committed;
    report_page.rows = summary.rows;
    report_page.unknown_columns = summary.unknown_columns().join("、");
    report_page.counts = vec![
        (
            l.t("新增", "added").into(),
            report.households_added,
            report.persons_added,
        ),
        (
            l.t("更新", "updated").into(),
            report.households_updated,
            report.persons_updated,
        ),
        (
            l.t("未变", "unchanged").into(),
            report.households_unchanged,
            report.persons_unchanged,
        ),
        (
            l.t("拒绝", "rejected").into(),
            report.households_rejected,
            report.persons_rejected,
        ),
    ];
    let errors = report.errors();
    report_page.more_errors = errors.len().saturating_sub(50);
    report_page.errors = errors
        .iter()
        .take(50)
        .map(|e| {
            if l.is_en() {
                format!("row {}, column '{}': {}", e.row, e.column, e.problem.en)
            } else {
                format!("第{}行“{}”：{}", e.row, e.column, e.problem.zh)
            }
        })
        .collect();
    report_page.conflicts = report
        .conflicts
        .iter()
        .map(|c| {
            if l.is_en() {
                format!("row {}: {}", c.row, c.problem.en)
            } else {
                format!("第{}行：{}", c.row, c.problem.zh)
            }
        })
        .collect();
    report_page.warnings = report
        .warnings
        .iter()
        .take(20)
        .map(ToString::to_string)
        .collect();
    if wrote {
        report_page.error_link = Some(format!("/ledger/errors/{errors_name}"));
    }
    Ok(render(report_page))
}

/// What the user reads when an import failed for a reason other than the file's (the database,
/// the error workbook); the cause goes to the log.
fn failed_message(l: L, e: &ImportFailure) -> String {
    match e {
        ImportFailure::ErrorWorkbook { .. } => l.t(
            "台账已导入，但错误工作簿无法写入，请联系管理员查看日志",
            "the ledger was imported but the error workbook could not be written; ask the administrator to check the log",
        ),
        _ => l.t(
            "导入失败，没有写入任何数据；原因已记入服务器日志，请联系管理员",
            "the import failed and nothing was written; the cause is in the server log, ask the administrator",
        ),
    }
    .to_string()
}

/// The side of a "中文 / English" message in the page's language.
fn one_language(l: L, both: &str) -> String {
    match both.split_once(" / ") {
        Some((zh, en)) => if l.is_en() { en } else { zh }.to_string(),
        None => both.to_string(),
    }
}

/// The error workbook of one of the user's own imports.
async fn error_workbook(
    State(state): State<AppState>,
    s: Session,
    Path(name): Path<String>,
) -> PageResult {
    let prefix = format!("{}-", s.user.id);
    let valid = name.starts_with(&prefix)
        && name.ends_with(".xlsx")
        && name
            .trim_end_matches(".xlsx")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(AppError::NotFound.into());
    }
    match std::fs::read(state.config.work("ledger-errors").join(&name)) {
        Ok(bytes) => Ok(download(bytes, XLSX, "错误工作簿.xlsx")),
        Err(_) => Err(AppError::NotFound.into()),
    }
}

use super::layout::XLSX;

fn download(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    super::layout::download(bytes, content_type, "ledger", name)
}

async fn export_xlsx(
    State(state): State<AppState>,
    s: Session,
    region: ExportableRegion,
) -> PageResult {
    export(&state, &s, region, false).await
}

async fn export_csv(
    State(state): State<AppState>,
    s: Session,
    region: ExportableRegion,
) -> PageResult {
    export(&state, &s, region, true).await
}

/// Writes the region's ledger to a temporary file on the blocking pool (the store streams the
/// households a page at a time; the xlsx writer keeps its rows on disk), then sends it. ID
/// numbers are masked unless a user who may reveal them asked for them in full; either way the
/// export is audited with its rows, a full one as `ledger.export.full_ids`.
async fn export(
    state: &AppState,
    s: &Session,
    ExportableRegion { code, full_ids }: ExportableRegion,
    csv: bool,
) -> PageResult {
    let path = state.config.work("exports").join(format!(
        "{}.{}",
        random_token(),
        if csv { "csv" } else { "xlsx" }
    ));
    let c = code.clone();
    let p = path.clone();
    let actor = s.actor();
    let ids = if full_ids { Ids::Full } else { Ids::Masked };
    // the file says when, for the guard against overwriting newer edits when it comes back
    let exported_at = shouwang_store::now();
    let bytes = state
        .db(move |st| {
            if st.region(&c)?.is_none() {
                return Err(StoreError::NotFound);
            }
            let io = |e: WriteError| StoreError::Other(e.to_string());
            if let Some(dir) = p.parent() {
                private::create_dir(dir).map_err(|e| StoreError::Other(e.to_string()))?;
            }
            let rows = if csv {
                let file =
                    private::create_file(&p).map_err(|e| StoreError::Other(e.to_string()))?;
                let mut w = LedgerCsvWriter::exported(file, exported_at)
                    .map_err(io)?
                    .ids(ids);
                st.export_ledger(&c, |h| w.write_household(&h).map_err(io))?;
                w.finish().map_err(io)?
            } else {
                let mut w = LedgerXlsxWriter::exported(exported_at)
                    .map_err(io)?
                    .ids(ids);
                st.export_ledger(&c, |h| w.write_household(&h).map_err(io))?;
                w.finish(&p).map_err(io)?
            };
            let bytes = std::fs::read(&p).map_err(|e| StoreError::Other(e.to_string()));
            let _ = std::fs::remove_file(&p);
            let bytes = bytes?;
            st.audit_with(
                &actor,
                c.county().as_ref().map(|c| c.as_str()),
                if full_ids {
                    "ledger.export.full_ids"
                } else {
                    "ledger.export"
                },
                ("region", c.as_str()),
                &serde_json::json!({
                    "rows": rows,
                    "format": if csv { "csv" } else { "xlsx" },
                    "ids": if full_ids { "full" } else { "masked" },
                }),
            )?;
            Ok(bytes)
        })
        .await?;
    let name = format!("户人台账-{code}.{}", if csv { "csv" } else { "xlsx" });
    Ok(download(
        bytes,
        if csv { "text/csv; charset=utf-8" } else { XLSX },
        &name,
    ))
}
