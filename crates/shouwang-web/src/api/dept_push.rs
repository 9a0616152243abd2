//! `POST /api/v1/dept/{kind}/records`: a department system pushes its records (接口推送).
//!
//! **Who may push.** The call is authenticated by an API token only
//! (`Authorization: Bearer swd_…`, made on the page `/dept/tokens`): no session, no CSRF token
//! (the session layer lets this one address through untouched, see `auth::is_dept_push`; a
//! browser's cookies open nothing here). An unknown or revoked token is 401 `dept.token_invalid`;
//! a token may push only its own kind (another is 403 `dept.token_scope`), and its records are
//! matched only to members of its region (the county, or a township or village): a record of a
//! member elsewhere is queued unmatched as outside the region, naming nothing of that household.
//!
//! **The body.** JSON lines (`application/x-ndjson` or `application/jsonl`): one object per line
//! keyed by the kind's field names (`id_number`, `self_paid` …, `Field::name`), values as text
//! or numbers; a key the kind does not have, a value that is an object, a list or a truth value,
//! or a line that is no JSON object refuses the whole push naming its line (400
//! `dept.push_body`), nothing written. Or CSV (`text/csv`, UTF-8): a header and rows, the header
//! mapped with the county's column profile of the kind, as a delivered file is. Bounded: at most
//! [`MAX_BODY`] bytes, [`MAX_RECORDS`] records and [`MAX_LINE`] bytes a line (over: 422
//! `dept.push_over_limit`).
//!
//! **Once only.** A client batch id (`Idempotency-Key` header or `?batch_id=`, at most 64 of
//! `A–Z a–z 0–9 . _ -`) or, without one, the body's SHA-256 names the push: the same again while
//! the first batch stands answers 200 with that batch and `"duplicate": true`, writing nothing.
//! A new push answers 201 with its batch (its counts: rows, matched, unmatched, invalid, alerts,
//! leads). The import itself is the upload's (`shouwang_app::department::import_rows`), run on
//! the blocking pool.

use super::query::{ApiQuery, FromQuery, Params};
use crate::error::{answer, AppError};
use crate::state::{today, AppState};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shouwang_core::date::YearMonth;
use shouwang_core::department::profile::{builtin, ColumnMap, Field, Profile};
use shouwang_core::department::DeptKind;
use shouwang_core::{Problem, ProblemCode};
use shouwang_store::dept_tokens::TokenRecord;

/// The largest body a push may send.
pub const MAX_BODY: usize = 64 * 1024 * 1024;
/// The most records one push may hold.
pub const MAX_RECORDS: usize = 200_000;
/// The longest line of a push (a JSON record, a CSV row).
pub const MAX_LINE: usize = 16 * 1024;
/// The longest client batch id.
pub const MAX_BATCH_ID: usize = 64;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/v1/dept/{kind}/records",
        post(push).layer(DefaultBodyLimit::max(MAX_BODY)),
    )
}

/// A refusal of the push in the API's one shape.
fn refused(code: ProblemCode, field: &str, zh: String, en: String) -> AppError {
    AppError::Invalid(vec![Problem::new(code, field, zh, en)])
}

fn body_problem(field: &str, zh: String, en: String) -> Problem {
    Problem::new(ProblemCode::DeptPushBody, field, zh, en)
}

fn over_limit(field: &str, zh: String, en: String) -> Problem {
    Problem::new(ProblemCode::DeptPushOverLimit, field, zh, en)
}

/// `?batch_id=&period=`.
pub(crate) struct PushQuery {
    batch_id: Option<String>,
    period: Option<String>,
}

impl FromQuery for PushQuery {
    const PARAMS: &'static [&'static str] = &["batch_id", "period"];
    fn read(q: &Params) -> Result<PushQuery, AppError> {
        Ok(PushQuery {
            batch_id: q.text("batch_id").map(str::to_string),
            period: q.text("period").map(str::to_string),
        })
    }
}

/// Whether a client batch id is well formed: 1 to 64 of `A–Z a–z 0–9 . _ -`.
pub fn batch_id_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_BATCH_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The token of `Authorization: Bearer …`, if the header says so.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 200)
        .then(|| token.to_string())
}

/// How the body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

/// The format a `Content-Type` names; `None` for any other (or a charset other than UTF-8).
pub fn format_of(content_type: Option<&str>) -> Option<Format> {
    let ct = content_type?.to_ascii_lowercase();
    let mut parts = ct.split(';').map(str::trim);
    let format = match parts.next()? {
        "application/x-ndjson" | "application/jsonl" | "application/json-lines" => {
            Format::JsonLines
        }
        "text/csv" => Format::Csv,
        _ => return None,
    };
    for p in parts {
        if let Some(cs) = p.strip_prefix("charset=") {
            let cs = cs.trim_matches('"');
            if cs != "utf-8" && cs != "utf8" {
                return None;
            }
        }
    }
    Some(format)
}

/// Rows of cells with their line numbers, and the columns they are in.
pub struct Parsed {
    pub map: ColumnMap,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Refuses a body with a NUL byte or a line over [`MAX_LINE`], naming the line.
fn check_lines(body: &[u8]) -> Result<(), Problem> {
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if line.len() > MAX_LINE {
            return Err(over_limit(
                &format!("line {n}"),
                format!("第{n}行超过{}字节（每行最多16 KiB）", MAX_LINE),
                format!("line {n} is longer than {} bytes (16 KiB a line)", MAX_LINE),
            ));
        }
        if line.contains(&0) {
            return Err(body_problem(
                &format!("line {n}"),
                format!("第{n}行含有NUL字符"),
                format!("line {n} contains a NUL character"),
            ));
        }
    }
    Ok(())
}

fn too_many() -> Problem {
    over_limit(
        "records",
        format!("一次推送最多{MAX_RECORDS}条记录：请分批推送"),
        format!("a push holds at most {MAX_RECORDS} records: split it"),
    )
}

/// The names of a kind's fields, as a pushed record keys them.
fn names(kind: DeptKind) -> Vec<&'static str> {
    builtin(kind).iter().map(|c| c.field.name()).collect()
}

/// Reads JSON lines: one object a line keyed by the kind's field names; blank lines skipped.
/// Any line that is no such object refuses the whole body, naming the line.
pub fn parse_json_lines(kind: DeptKind, body: &[u8]) -> Result<Parsed, Problem> {
    check_lines(body)?;
    let map = ColumnMap::for_names(kind);
    let width = builtin(kind).len();
    let known = names(kind);
    let mut rows = Vec::new();
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = if n == 1 {
            line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line)
        } else {
            line
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if rows.len() == MAX_RECORDS {
            return Err(too_many());
        }
        let field = format!("line {n}");
        let value: Value = serde_json::from_slice(line).map_err(|e| {
            body_problem(
                &field,
                format!("第{n}行不是有效的JSON：{e}"),
                format!("line {n} is not valid JSON: {e}"),
            )
        })?;
        let Value::Object(object) = value else {
            return Err(body_problem(
                &field,
                format!("第{n}行须为一个JSON对象（{{\"id_number\": …}}）"),
                format!("line {n} must be one JSON object ({{\"id_number\": …}})"),
            ));
        };
        let mut cells = vec![String::new(); width];
        for (key, v) in object {
            let position = Field::parse(&key).and_then(|f| map.position(f));
            let Some(at) = position else {
                return Err(body_problem(
                    &field,
                    format!(
                        "第{n}行有{}数据没有的键“{}”；可用的键：{}",
                        kind.label_zh(),
                        cut(&key),
                        known.join("、")
                    ),
                    format!(
                        "line {n} has a key '{}' that {} data does not have; the keys are: {}",
                        cut(&key),
                        kind.label_en(),
                        known.join(", ")
                    ),
                ));
            };
            cells[at] = match v {
                Value::String(s) => s,
                Value::Number(x) => x.to_string(),
                Value::Null => String::new(),
                _ => {
                    return Err(body_problem(
                        &field,
                        format!("第{n}行“{}”的值须为文字或数字", cut(&key)),
                        format!(
                            "line {n}: the value of '{}' must be text or a number",
                            cut(&key)
                        ),
                    ))
                }
            };
        }
        rows.push((n as u64, cells));
    }
    if rows.is_empty() {
        return Err(empty());
    }
    Ok(Parsed { map, rows })
}

fn empty() -> Problem {
    body_problem(
        "body",
        "推送内容没有记录".into(),
        "the push holds no records".into(),
    )
}

fn cut(t: &str) -> String {
    t.chars().take(40).collect()
}

/// Reads CSV (UTF-8): the first row is the header, mapped with `profile`; rows numbered as a
/// file's lines are (the header is line 1); blank rows skipped.
pub fn parse_csv(profile: &Profile, body: &[u8]) -> Result<Parsed, Problem> {
    check_lines(body)?;
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut map = None;
    let mut rows = Vec::new();
    // the line a record starts on, from its byte offset (the reader does not count blank lines)
    let (mut seen, mut line_at) = (0usize, 1u64);
    let mut line_of = |byte: usize| {
        // a record's position may be the blank lines before it
        let mut byte = byte.min(body.len());
        while body.get(byte).is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            byte += 1;
        }
        if byte > seen {
            line_at += body[seen..byte].iter().filter(|b| **b == b'\n').count() as u64;
            seen = byte;
        }
        line_at
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            body_problem(
                &format!("line {line}"),
                format!("第{line}行不能读取（须为UTF-8编码的CSV）：{e}"),
                format!("line {line} cannot be read (CSV in UTF-8 is expected): {e}"),
            )
        })?;
        let line = line_of(record.position().map_or(0, |p| p.byte() as usize));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        match &map {
            None => map = Some(profile.map_header(&cells)?),
            Some(_) => {
                if rows.len() == MAX_RECORDS {
                    return Err(too_many());
                }
                rows.push((line, cells));
            }
        }
    }
    let Some(map) = map else {
        return Err(empty());
    };
    if rows.is_empty() {
        return Err(empty());
    }
    Ok(Parsed { map, rows })
}

/// What a push answers: its batch, and whether it was the same push again.
fn batch_json(b: &shouwang_store::department::BatchRecord, duplicate: bool) -> Value {
    json!({
        "duplicate": duplicate,
        "batch": {
            "id": b.id,
            "kind": b.kind.slug(),
            "region": b.region,
            "channel": b.channel.label_en(),
            "client_batch_id": b.client_batch_id,
            "period": b.period,
            "sha256": b.sha256,
            "rows": b.rows,
            "matched": b.matched,
            "unmatched": b.unmatched,
            "invalid": b.invalid,
            "alerts": b.alerts,
            "leads": b.leads,
            "status": b.status.label_en(),
            "created_at": b.created_at,
        }
    })
}

/// The push's answer for a problem the catalogue gives a status.
fn problem_answer(p: Problem) -> Response {
    AppError::Invalid(vec![p]).into_response()
}

async fn push(
    State(state): State<AppState>,
    kind: Result<Path<String>, PathRejection>,
    query: Result<ApiQuery<PushQuery>, AppError>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // a path part that does not decode names no kind (answered after the token's check)
    let kind = kind.map(|Path(k)| k).unwrap_or_default();
    match handle(state, kind, query, headers, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(
    state: AppState,
    kind: String,
    query: Result<ApiQuery<PushQuery>, AppError>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    // the token first: without one, nothing else is said
    let token = match bearer(&headers) {
        Some(t) => t,
        None => return Ok(token_invalid()),
    };
    let found = state
        .db(move |st| st.authenticate_dept_token(&token))
        .await?;
    let token = match found {
        Some(t) if !t.revoked => t,
        _ => return Ok(token_invalid()),
    };
    let Some(kind) = DeptKind::ALL
        .iter()
        .copied()
        .find(|k| k.slug() == kind.as_str())
    else {
        let slugs: Vec<&str> = DeptKind::ALL.iter().map(|k| k.slug()).collect();
        return Err(refused(
            ProblemCode::DeptKindUnknown,
            "kind",
            format!(
                "未知的部门数据种类“{}”；可用：{}",
                cut(&kind),
                slugs.join("、")
            ),
            format!(
                "an unknown kind of department data '{}'; the kinds are: {}",
                cut(&kind),
                slugs.join(", ")
            ),
        ));
    };
    if token.kind != kind {
        return Err(refused(
            ProblemCode::DeptTokenScope,
            "kind",
            format!(
                "该令牌只能推送{}数据，不能推送{}数据",
                token.kind.label_zh(),
                kind.label_zh()
            ),
            format!(
                "this token may push {} data only, not {}",
                token.kind.label_en(),
                kind.label_en()
            ),
        ));
    }
    let ApiQuery(q) = query?;
    let period = match q.period.as_deref() {
        None => None,
        Some(p) => Some(YearMonth::parse(p).ok_or_else(|| {
            refused(
                ProblemCode::DeptPeriod,
                "period",
                format!("所属期“{}”无法识别，应为YYYY-MM", cut(p)),
                format!("the period '{}' cannot be read; expected YYYY-MM", cut(p)),
            )
        })?),
    };
    let batch_id = client_batch_id(&headers, q.batch_id)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(format) = format_of(content_type) else {
        return Err(refused(
            ProblemCode::DeptPushBody,
            "Content-Type",
            "Content-Type须为application/x-ndjson（JSON行）或text/csv（UTF-8）".into(),
            "Content-Type must be application/x-ndjson (JSON lines) or text/csv (UTF-8)".into(),
        ));
    };
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) if over_the_limit(&e) => {
            return Ok(problem_answer(over_limit(
                "body",
                "推送内容超过64 MiB：请分批推送".into(),
                "the push is larger than 64 MiB: split it".into(),
            )))
        }
        Err(e) => {
            return Err(refused(
                ProblemCode::DeptPushBody,
                "body",
                format!("推送内容没有收全：{e}"),
                format!("the body was not received whole: {e}"),
            ))
        }
    };
    let county = token.county.clone();
    let outcome = state
        .db(move |st| {
            let started = std::time::Instant::now();
            let parsed = match format {
                Format::JsonLines => parse_json_lines(kind, &bytes),
                Format::Csv => {
                    let (edits, _) = st.dept_profile(&county, kind)?;
                    parse_csv(&Profile::of(kind, &edits), &bytes)
                }
            };
            let parsed = match parsed {
                Ok(p) => p,
                Err(p) => return Ok(Err(p)),
            };
            let sha256: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let (records, read) = (parsed.rows.len(), started.elapsed());
            let done = import(st, &token, kind, batch_id, period, sha256, parsed);
            if let Ok(Ok((b, duplicate))) = &done {
                tracing::info!(
                    token = token.id,
                    kind = kind.slug(),
                    records,
                    batch = b.id,
                    duplicate,
                    read_ms = read.as_millis() as u64,
                    import_ms = (started.elapsed() - read).as_millis() as u64,
                    "department push"
                );
            }
            done
        })
        .await?;
    Ok(match outcome {
        Ok((batch, false)) => {
            (StatusCode::CREATED, Json(batch_json(&batch, false))).into_response()
        }
        Ok((batch, true)) => (StatusCode::OK, Json(batch_json(&batch, true))).into_response(),
        Err(p) => problem_answer(p),
    })
}

/// Whether reading the body stopped at [`MAX_BODY`] (rather than at a broken connection).
fn over_the_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn token_invalid() -> Response {
    answer(
        ProblemCode::DeptTokenInvalid,
        "接口令牌无效或已撤销：请在请求头Authorization: Bearer中提供县里发放的令牌",
        "the API token is invalid or revoked: send the token the county issued as Authorization: Bearer",
    )
}

/// The client batch id of `Idempotency-Key` or `?batch_id=` (the same when both are given).
fn client_batch_id(
    headers: &HeaderMap,
    from_query: Option<String>,
) -> Result<Option<String>, AppError> {
    let from_header = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| batch_id_ok(s))
                .ok_or_else(|| bad_batch_id("Idempotency-Key"))?,
        ),
    };
    if let Some(q) = &from_query {
        if !batch_id_ok(q) {
            return Err(bad_batch_id("batch_id"));
        }
    }
    match (from_header, from_query) {
        (Some(h), Some(q)) if h != q => Err(refused(
            ProblemCode::DeptPushBody,
            "batch_id",
            "Idempotency-Key与batch_id不一致".into(),
            "Idempotency-Key and batch_id differ".into(),
        )),
        (h, q) => Ok(h.or(q)),
    }
}

fn bad_batch_id(field: &str) -> AppError {
    refused(
        ProblemCode::DeptPushBody,
        field,
        format!("{field}须为1至{MAX_BATCH_ID}个字母、数字或 . _ -"),
        format!("{field} must be 1 to {MAX_BATCH_ID} letters, digits or . _ -"),
    )
}

/// Imports the parsed push as a batch of the token's county, kind and region: the batch and
/// whether it was a duplicate, or the problem that refused it whole (nothing written).
fn import(
    st: &shouwang_store::Store,
    token: &TokenRecord,
    kind: DeptKind,
    client_batch_id: Option<String>,
    period: Option<YearMonth>,
    sha256: String,
    parsed: Parsed,
) -> Result<
    Result<(shouwang_store::department::BatchRecord, bool), Problem>,
    shouwang_store::StoreError,
> {
    use shouwang_app::department::{import_rows, BatchInput, ImportError, ImportOutcome};
    use shouwang_core::department::BatchChannel;
    let actor = shouwang_store::audit::Actor {
        user_id: None,
        username: format!("dept-token:{}", token.id),
    };
    let file_name = format!(
        "push {}",
        client_batch_id
            .clone()
            .unwrap_or_else(|| sha256.chars().take(12).collect())
    );
    let input = BatchInput {
        county: token.county.clone(),
        region: token.region.clone(),
        kind,
        channel: BatchChannel::Push,
        file_name,
        client_batch_id,
        period,
        token_id: Some(token.id),
    };
    let mut rows = parsed.rows.into_iter();
    // the same push sent twice at once is one batch: the use case answers the second a duplicate
    match import_rows(st, &actor, input, sha256, &parsed.map, &mut rows, today()) {
        Ok(ImportOutcome::Imported(b)) => Ok(Ok((b, false))),
        Ok(ImportOutcome::Duplicate(b)) => Ok(Ok((b, true))),
        Err(ImportError::Refused(p)) => Ok(Err(p)),
        Err(ImportError::Store(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(kind: DeptKind, body: &str) -> Parsed {
        parse_json_lines(kind, body.as_bytes()).unwrap()
    }

    fn refused(kind: DeptKind, body: &str) -> Problem {
        parse_json_lines(kind, body.as_bytes()).err().unwrap()
    }

    #[test]
    fn json_lines_are_read_into_the_kinds_columns_by_name() {
        let p = ok(
            DeptKind::Medical,
            "{\"id_number\": \"510821199001011234\", \"self_paid\": 12345.5, \"name\": \"张三\"}\n\n{\"id_number\": \"510821199001011234\", \"self_paid\": \"10\", \"date\": null}\r\n",
        );
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].0, 1);
        assert_eq!(p.rows[1].0, 3, "blank lines count as lines");
        assert_eq!(p.map.cell(Field::SelfPaid, &p.rows[0].1), Some("12345.5"));
        assert_eq!(p.map.cell(Field::Name, &p.rows[0].1), Some("张三"));
        assert_eq!(p.map.cell(Field::Date, &p.rows[1].1), Some(""));
    }

    #[test]
    fn an_unknown_key_or_a_bad_line_refuses_the_push_naming_its_line() {
        let p = refused(
            DeptKind::Medical,
            "{\"id_number\": \"1\"}\n{\"id_number\": \"1\", \"loss\": 5}\n",
        );
        assert_eq!(p.code, ProblemCode::DeptPushBody);
        assert_eq!(p.field, "line 2");
        assert!(p.zh.contains("loss") && p.en.contains("self_paid"), "{p:?}");
        let p = refused(
            DeptKind::Medical,
            "{\"id_number\": \"1\"}\n{\"id_number\": \n",
        );
        assert_eq!(p.field, "line 2");
        let p = refused(DeptKind::Medical, "[1, 2]\n");
        assert_eq!(p.field, "line 1");
        let p = refused(DeptKind::Medical, "{\"id_number\": [\"1\"]}\n");
        assert_eq!(p.field, "line 1");
        let p = refused(DeptKind::Medical, "\n \n");
        assert_eq!(p.code, ProblemCode::DeptPushBody);
        let p = refused(DeptKind::Medical, "{\"id_number\": \"a\u{0}\"}");
        assert_eq!(p.code, ProblemCode::DeptPushBody);
    }

    #[test]
    fn a_long_line_or_too_many_records_is_over_the_limit() {
        let long = format!("{{\"name\": \"{}\"}}", "x".repeat(MAX_LINE));
        let p = refused(DeptKind::Medical, &format!("{{\"name\": \"a\"}}\n{long}"));
        assert_eq!(p.code, ProblemCode::DeptPushOverLimit);
        assert_eq!(p.field, "line 2");
        let many = "{\"id_number\": \"1\"}\n".repeat(MAX_RECORDS + 1);
        let p = refused(DeptKind::Medical, &many);
        assert_eq!(p.code, ProblemCode::DeptPushOverLimit);
        assert_eq!(
            ok(DeptKind::Medical, &many[..many.len() - 19]).rows.len(),
            MAX_RECORDS
        );
    }

    #[test]
    fn csv_is_mapped_with_the_profile_and_numbered_as_lines() {
        let profile = Profile::builtin(DeptKind::Medical);
        let p = parse_csv(
            &profile,
            "\u{feff}姓名,身份证号,个人自付\n张三,510821199001011234,100.5\n\n李四,\"51082119900101123X\",7\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].0, 2);
        assert_eq!(p.rows[1].0, 4);
        assert_eq!(p.map.cell(Field::SelfPaid, &p.rows[1].1), Some("7"));
        let p = parse_csv(&profile, "姓名,身份证号\n张三,1\n".as_bytes())
            .err()
            .unwrap();
        assert_eq!(p.code, ProblemCode::DeptColumnMissing);
        let p = parse_csv(&profile, b"\xff\xfe,\n").err().unwrap();
        assert_eq!(p.code, ProblemCode::DeptPushBody);
        let p = parse_csv(&profile, "姓名,身份证号,个人自付\n".as_bytes())
            .err()
            .unwrap();
        assert_eq!(p.code, ProblemCode::DeptPushBody);
    }

    #[test]
    fn content_types_and_batch_ids() {
        assert_eq!(
            format_of(Some("application/x-ndjson; charset=utf-8")),
            Some(Format::JsonLines)
        );
        assert_eq!(
            format_of(Some("application/jsonl")),
            Some(Format::JsonLines)
        );
        assert_eq!(format_of(Some("Text/CSV")), Some(Format::Csv));
        assert_eq!(format_of(Some("text/csv; charset=gbk")), None);
        assert_eq!(format_of(Some("application/json")), None);
        assert_eq!(format_of(None), None);
        assert!(batch_id_ok("2026-11.batch_01"));
        assert!(!batch_id_ok(""));
        assert!(!batch_id_ok("a b"));
        assert!(!batch_id_ok(&"a".repeat(65)));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer swd_abc".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("swd_abc"));
        h.insert(header::AUTHORIZATION, "Basic swd_abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
