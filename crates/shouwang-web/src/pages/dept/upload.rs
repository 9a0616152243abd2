//! `/dept/upload`: a county user or a department user uploads a department's file (CSV or
//! xlsx) of one kind and period. The form is a plain multipart form (no script needed), bounded
//! by [`crate::multipart::MAX_BYTES`]; larger files go by the command line
//! (`shouwang dept import`) or the API push. The file is kept in the work folder while it is
//! imported, one import of the county at a time (the ledger's queue), by
//! `shouwang_app::department::import_file` on the blocking pool. A refused file (another
//! kind's, a required column missing) says why in the user's language and keeps the form.

use super::{county_of, kind_word, may, viewer};
use crate::auth::{random_token, Session};
use crate::error::{AppError, PageResult};
use crate::multipart;
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use shouwang_app::department::{import_file, BatchInput, ImportError, ImportOutcome};
use shouwang_app::import_queue::ImportQueue;
use shouwang_core::access::Action;
use shouwang_core::date::YearMonth;
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::{Problem, ProblemCode};
use shouwang_io::private;
use shouwang_store::StoreError;
use std::io::Write;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/dept/upload",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(multipart::MAX_BYTES + 1)),
    )
}

#[derive(Template)]
#[template(path = "dept_upload.html")]
struct UploadPage {
    ctx: Ctx,
    /// (slug, word, content, selected)
    kinds: Vec<(&'static str, String, String, bool)>,
    /// a department user's kind: fixed
    fixed: bool,
    period: String,
    max_mb: usize,
    message: String,
}

fn page(
    s: &Session,
    own: Option<DeptKind>,
    kind: Option<DeptKind>,
    period: String,
    message: String,
) -> UploadPage {
    let l = s.l();
    let kinds = DeptKind::ALL
        .iter()
        .copied()
        .filter(|k| own.is_none_or(|o| o == *k))
        .map(|k| {
            (
                k.slug(),
                kind_word(l, k),
                l.t(k.content_zh(), k.content_en()).to_string(),
                Some(k) == kind.or(own),
            )
        })
        .collect();
    UploadPage {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link("/dept", l.t("部门数据", "Department data")),
            Crumb::here(l.t("上传", "Upload")),
        ]),
        kinds,
        fixed: own.is_some(),
        period,
        max_mb: multipart::MAX_BYTES / 1024 / 1024,
        message,
    }
}

async fn form(s: Session) -> PageResult {
    let v = viewer(&s)?;
    may(&s, Action::ImportDepartment)?;
    county_of(&s)?;
    Ok(render(page(
        &s,
        v.own_kind,
        None,
        String::new(),
        String::new(),
    )))
}

/// A refused form: the problem in the user's language, the form kept.
fn refused(
    s: &Session,
    own: Option<DeptKind>,
    kind: Option<DeptKind>,
    period: String,
    p: &[Problem],
) -> PageResult {
    let m = p
        .iter()
        .map(|p| p.message(s.lang).to_string())
        .collect::<Vec<_>>()
        .join(s.l().t("；", "; "));
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(page(s, own, kind, period, m)),
    )
        .into_response())
}

fn problem(code: ProblemCode, field: &str, zh: &str, en: &str) -> Problem {
    Problem::new(code, field, zh, en)
}

async fn upload(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let l = s.l();
    let v = viewer(&s)?;
    may(&s, Action::ImportDepartment)?;
    let county = county_of(&s)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let too_large = || {
        problem(ProblemCode::BadRequest,
            "file",
            &format!(
                "文件超过{}MB：请用命令行 shouwang dept import 导入，或由部门通过接口推送",
                multipart::MAX_BYTES / 1024 / 1024
            ),
            &format!(
                "the file is larger than {} MB: import it with `shouwang dept import` or have the department push it through the API",
                multipart::MAX_BYTES / 1024 / 1024
            ),
        )
    };
    let bytes = match axum::body::to_bytes(body, multipart::MAX_BYTES).await {
        Ok(b) => b,
        Err(_) => return refused(&s, v.own_kind, None, String::new(), &[too_large()]),
    };
    let Some(parts) = multipart::boundary(&content_type).and_then(|b| multipart::parts(&bytes, &b))
    else {
        return Err(
            AppError::BadRequest(l.t("表单无法读取", "the form cannot be read").into()).into(),
        );
    };
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| p.text().trim().to_string())
            .unwrap_or_default()
    };
    let period_text = text("period");
    let asked_kind = text("kind");
    // a department user delivers its own kind whatever the form says
    let kind = match v.own_kind {
        Some(own) => Some(own),
        None => DeptKind::parse(&asked_kind),
    };
    let Some(kind) = kind else {
        return refused(
            &s,
            v.own_kind,
            None,
            period_text,
            &[problem(
                ProblemCode::DeptKindUnknown,
                "kind",
                "请选择数据种类",
                "choose the kind of data",
            )],
        );
    };
    let period = if period_text.is_empty() {
        None
    } else {
        match YearMonth::parse(&period_text) {
            Some(p) => Some(p),
            None => {
                return refused(
                    &s,
                    v.own_kind,
                    Some(kind),
                    period_text.clone(),
                    &[problem(
                        ProblemCode::DeptPeriod,
                        "period",
                        &format!("期间“{period_text}”无法识别，应为年-月，如 2026-03"),
                        &format!(
                        "the period '{period_text}' cannot be read; write year-month, e.g. 2026-03"
                    ),
                    )],
                )
            }
        }
    };
    let file = parts
        .iter()
        .find(|p| p.name == "file" && p.filename.as_deref().is_some_and(|f| !f.is_empty()));
    let Some(file) = file.filter(|f| !f.data.is_empty()) else {
        return refused(
            &s,
            v.own_kind,
            Some(kind),
            period_text,
            &[problem(
                ProblemCode::BadRequest,
                "file",
                "请选择要上传的文件",
                "choose the file to upload",
            )],
        );
    };
    let name = file
        .filename
        .as_deref()
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .unwrap_or("dept")
        .chars()
        .take(200)
        .collect::<String>();
    let ext = match name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
        Some(e) if e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 5 => e,
        _ => "csv".into(),
    };
    let token = random_token();
    let path = state
        .config
        .work("uploads")
        .join(format!("dept-{token}.{ext}"));
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            private::create_dir(dir)?;
        }
        let mut f = std::io::BufWriter::new(private::create_file(&path)?);
        f.write_all(file.data)?;
        f.flush()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&path);
        return Err(AppError::Internal(format!("upload: {e}")).into());
    }
    drop(parts);
    drop(bytes);
    let input = BatchInput {
        county: county.clone(),
        region: county.clone(),
        kind,
        channel: BatchChannel::Upload,
        file_name: name.clone(),
        client_batch_id: None,
        period,
        token_id: None,
    };
    let actor = s.actor();
    let ticket =
        ImportQueue::global().join(county.as_str(), &format!("{}:dept-{token}", s.user.id));
    let file_path = path.clone();
    let outcome = state
        .db(move |st| {
            ticket.wait_turn();
            let r = import_file(st, &actor, input, &file_path, today(), &mut |_| {});
            drop(ticket);
            let _ = std::fs::remove_file(&file_path);
            Ok(r)
        })
        .await;
    let _ = std::fs::remove_file(&path);
    match outcome? {
        Ok(ImportOutcome::Imported(b)) => Ok(saved(
            &format!("/dept/batches/{}", b.id),
            format!(
                "已导入{}数据“{}”：{}行，匹配{}，未匹配{}，无效{}，预警{}，新线索{}",
                kind.label_zh(),
                b.file_name,
                b.rows,
                b.matched,
                b.unmatched,
                b.invalid,
                b.alerts,
                b.leads
            ),
            format!(
                "Imported {} data '{}': {} rows, {} matched, {} unmatched, {} invalid, {} alerts, {} new leads",
                kind.label_en(),
                b.file_name,
                b.rows,
                b.matched,
                b.unmatched,
                b.invalid,
                b.alerts,
                b.leads
            ),
        )),
        Ok(ImportOutcome::Duplicate(b)) => Ok(saved(
            &format!("/dept/batches/{}", b.id),
            format!(
                "同一文件已作为批次{}导入过，本次未重复导入，没有任何改变",
                b.id
            ),
            format!(
                "The same file was already imported as batch {}: nothing was imported again, nothing changed",
                b.id
            ),
        )),
        Err(ImportError::Refused(p)) => {
            refused(&s, v.own_kind, Some(kind), period_text, &[p])
        }
        Err(ImportError::Store(StoreError::Invalid(ps))) => {
            refused(&s, v.own_kind, Some(kind), period_text, &ps)
        }
        Err(ImportError::Store(e)) => {
            tracing::error!(file = %name, error = %e, "department import failed");
            Err(AppError::from(e).into())
        }
    }
}
