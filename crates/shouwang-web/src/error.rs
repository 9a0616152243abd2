//! Errors as users see them: a status, a stable code and a sentence in their language.
//!
//! The API answers every refusal in one shape, documented in `docs/problem-codes.md`:
//! `{"code", "message" (中文), "message_en", "errors": [{"code", "field", "zh", "en"}]}`, with the
//! HTTP status the catalogue ([`ProblemCode`]) gives the code. When the input has several
//! problems, the one that speaks for them all is the one with the lowest status, the first of
//! those: input that cannot be read is refused as such before its conflicts and broken rules.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shouwang_core::{Problem, ProblemCode};
use shouwang_store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// Not signed in.
    Unauthenticated {
        api: bool,
    },
    /// Outside the user's role or region. Shown as "not found" so that guessing reveals nothing.
    NotFound,
    Forbidden,
    Invalid(Vec<Problem>),
    Stale,
    BadRequest(String),
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Invalid(p) => AppError::Invalid(p),
            StoreError::Stale => AppError::Stale,
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The problem that speaks for several: the lowest status, the first of those.
fn lead(problems: &[Problem]) -> Option<&Problem> {
    problems.iter().min_by_key(|p| p.code.status().as_u16())
}

/// The HTTP status the catalogue gives a code.
pub fn status_of(code: ProblemCode) -> StatusCode {
    StatusCode::from_u16(code.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An error answer in the API's one shape, for refusals with no problem list made outside a
/// handler's `AppError` (the CSRF check, the sign-in).
pub fn answer(code: ProblemCode, zh: &str, en: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": zh, "message_en": en, "errors": [] });
    (status_of(code), axum::Json(body)).into_response()
}

impl AppError {
    /// The status the catalogue gives [`AppError::code`].
    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }
    /// The code the API answers with: for invalid input, the code of the problem that speaks
    /// for them all.
    pub fn code(&self) -> ProblemCode {
        match self {
            AppError::Unauthenticated { .. } => ProblemCode::AuthRequired,
            AppError::NotFound => ProblemCode::NotFound,
            AppError::Forbidden => ProblemCode::Forbidden,
            AppError::Invalid(p) => lead(p).map_or(ProblemCode::Invalid, |p| p.code),
            AppError::Stale => ProblemCode::Stale,
            AppError::BadRequest(_) => ProblemCode::BadRequest,
            AppError::Internal(_) => ProblemCode::Internal,
        }
    }
    pub fn message(&self) -> (String, String) {
        match self {
            AppError::Unauthenticated { .. } => ("请先登录".into(), "please sign in".into()),
            AppError::NotFound => (
                "找不到该记录，或不在您的管辖范围内".into(),
                "not found, or outside your region".into(),
            ),
            AppError::Forbidden => (
                "您的角色无权执行此操作".into(),
                "your role may not do this".into(),
            ),
            AppError::Invalid(p) => (
                p.iter()
                    .map(|p| format!("{}：{}", p.field, p.zh))
                    .collect::<Vec<_>>()
                    .join("；"),
                p.iter()
                    .map(|p| format!("{}: {}", p.field, p.en))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            AppError::Stale => (
                "该记录已被他人修改，请刷新后重试".into(),
                "someone else changed this record; reload and try again".into(),
            ),
            AppError::BadRequest(m) => (format!("请求无效：{m}"), format!("bad request: {m}")),
            AppError::Internal(_) => (
                "服务器内部错误，已记录".into(),
                "internal error; it has been logged".into(),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let (zh, en) = self.message();
        match self {
            AppError::Unauthenticated { api: false } => (
                StatusCode::SEE_OTHER,
                [(axum::http::header::LOCATION, "/login")],
            )
                .into_response(),
            _ => {
                // Pages and API alike get JSON from the API router; page handlers render their own
                // errors through `pages::error_page`, so this is the API and fallback form.
                let body = serde_json::json!({
                    "code": self.code(),
                    "message": zh,
                    "message_en": en,
                    "errors": match &self {
                        AppError::Invalid(p) => serde_json::to_value(p).unwrap_or_default(),
                        _ => serde_json::Value::Array(vec![]),
                    },
                });
                (self.status(), axum::Json(body)).into_response()
            }
        }
    }
}

/// What a page handler returns: a page, or an error that the pages' error layer shows as a page
/// in the session's language (see `pages::show_errors_as_pages`).
pub type PageResult = Result<Response, PageError>;

/// An error on its way to becoming a page. Without a signed-in session, and in the API (which
/// shares the access extractors), it answers as [`AppError`] does.
#[derive(Debug)]
pub struct PageError(pub AppError);

/// Left on a response for the pages' error layer: what to say, in both languages.
#[derive(Clone, Debug)]
pub struct ShowAsPage {
    pub status: StatusCode,
    pub zh: String,
    pub en: String,
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let show = match &self.0 {
            // not signed in: the redirect to the login page stands
            AppError::Unauthenticated { .. } => None,
            e => {
                let (zh, en) = e.message();
                Some(ShowAsPage {
                    status: e.status(),
                    zh,
                    en,
                })
            }
        };
        let mut response = self.0.into_response();
        if let Some(show) = show {
            response.extensions_mut().insert(show);
        }
        response
    }
}
