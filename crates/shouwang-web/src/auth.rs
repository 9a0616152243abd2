//! Sign-in, sessions and CSRF. The session layer resolves the session once per request, checks
//! CSRF on every unsafe method, and hands handlers a [`Session`] extractor that carries the
//! user's scope: a handler that takes `Session` cannot run for an anonymous caller.

use crate::error::AppError;
use crate::i18n::L;
use crate::state::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use blake2::{Blake2s256, Digest};
use shouwang_core::{Lang, Scope};
use shouwang_store::audit::Actor;
use shouwang_store::users::User;
use std::sync::atomic::Ordering;

pub const SESSION_COOKIE: &str = "sw_session";
pub const PRE_CSRF_COOKIE: &str = "sw_pre";
pub const LANG_COOKIE: &str = "sw_lang";

/// A random token, 32 bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    // getrandom fails only on systems without an entropy source, where nothing here is safe
    if getrandom::fill(&mut b).is_err() {
        panic!("no system random source");
    }
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Sessions are stored by a hash of their token, so a leaked database opens no sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Blake2s256::digest(token.as_bytes()))
}

/// An argon2id hash in PHC format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The signed-in user of this request.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub scope: Scope,
    pub csrf: String,
    pub lang: Lang,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            username: self.user.username.clone(),
        }
    }
    pub fn l(&self) -> L {
        L(self.lang)
    }
}

/// Whether the request came in under `/api/` (recorded before routing shortens the path).
#[derive(Clone, Copy, Debug)]
struct IsApi(bool);

/// The language of this request: `?lang=`, then the cookie, else Chinese.
#[derive(Clone, Copy, Debug)]
pub struct RequestLang(pub Lang);

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn lang_of(parts_uri: &axum::http::Uri, headers: &HeaderMap) -> Lang {
    if let Some(q) = parts_uri.query() {
        if let Some(v) = q.split('&').find_map(|kv| kv.strip_prefix("lang=")) {
            return Lang::parse(v);
        }
    }
    if let Some(v) = cookie(headers, LANG_COOKIE) {
        return Lang::parse(v);
    }
    // Chinese first: the browser's own language setting is not consulted
    Lang::Zh
}

/// Builds a `Set-Cookie` value with the attributes every cookie here needs.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Resolves the session, enforces expiry and CSRF, and records the language.
pub async fn session_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let (mut parts, body) = request.into_parts();
    let lang = lang_of(&parts.uri, &parts.headers);
    parts.extensions.insert(RequestLang(lang));
    parts
        .extensions
        .insert(IsApi(parts.uri.path().starts_with("/api/")));
    let now = shouwang_store::now();
    let mut session = None;
    if let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) {
        let hash = token_hash(&token);
        let config = state.config.clone();
        let found = state
            .db(move |s| {
                let Some(rec) = s.session(&hash)? else {
                    return Ok(None);
                };
                if rec.last_seen + config.idle_timeout < now
                    || rec.created_at + config.max_session_age < now
                {
                    s.end_session(&hash)?;
                    return Ok(None);
                }
                // one write a minute at most, not one per request
                if now - rec.last_seen >= 60 {
                    s.touch_session(&hash, now)?;
                }
                Ok(Some(rec))
            })
            .await;
        match found {
            Ok(Some(rec)) => {
                let scope = Scope {
                    role: rec.user.role,
                    region: rec.user.region.clone(),
                };
                session = Some(Session {
                    scope,
                    csrf: rec.csrf,
                    lang,
                    user: rec.user,
                });
            }
            Ok(None) => {}
            Err(e) => return e.into_response(),
        }
    }
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let request = if unsafe_method && parts.uri.path() != "/api/v1/login" {
        let expected = match &session {
            Some(s) => Some(s.csrf.clone()),
            None => cookie(&parts.headers, PRE_CSRF_COOKIE).map(str::to_string),
        };
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let refused = || {
            tracing::warn!(path = %parts.uri.path(), "CSRF check failed");
            let (zh, en) = (
                "CSRF 校验失败：请刷新页面后重新提交",
                "CSRF check failed: reload the page and submit again",
            );
            crate::error::answer(shouwang_core::ProblemCode::Csrf, zh, en)
        };
        // a token in the header is checked without reading the body, which then streams on
        // untouched (ledger uploads are larger than any form)
        if let Some(given) = &header_token {
            let ok = matches!(&expected, Some(e) if !e.is_empty() && constant_time_eq(e, given));
            if !ok {
                return refused();
            }
            let mut request = Request::from_parts(parts, body);
            if let Some(s) = session {
                request.extensions_mut().insert(s);
            }
            return next.run(request).await;
        }
        let bytes = match axum::body::to_bytes(body, 2 * 1024 * 1024).await {
            Ok(b) => b,
            Err(_) => {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "请求过大 / request too large",
                )
                    .into_response()
            }
        };
        let form_token = if is_form(&parts.headers) {
            form_field(&bytes, "csrf")
        } else {
            None
        };
        let given = header_token.or(form_token);
        let ok = matches!((&expected, &given), (Some(e), Some(g)) if !e.is_empty() && constant_time_eq(e, g));
        if !ok {
            return refused();
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        Request::from_parts(parts, body)
    };
    let mut request = request;
    if let Some(s) = session {
        request.extensions_mut().insert(s);
    }
    next.run(request).await
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Session>().cloned().ok_or_else(|| {
            // nested routers see a shortened path; the original one tells pages from the API
            let api = parts.extensions.get::<IsApi>().is_some_and(|a| a.0);
            AppError::Unauthenticated { api }
        })
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Session {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Session>().cloned())
    }
}

impl FromRequestParts<AppState> for RequestLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestLang>()
            .copied()
            .unwrap_or(RequestLang(Lang::Zh)))
    }
}

/// Why a login failed; the message never says whether the username exists.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    Wrong,
    Locked,
}

/// Checks a username and password, counting failures and locking after too many.
/// On success returns the new session token and its CSRF token.
pub async fn login(
    state: &AppState,
    username: String,
    password: String,
) -> Result<(String, String), LoginError> {
    let config = state.config.clone();
    let user = state
        .db(move |s| s.user_by_name(username.trim()))
        .await
        .ok()
        .flatten();
    let Some(user) = user else {
        // spend the same time as a real check so that timing does not reveal usernames
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let dummy = DUMMY
            .get_or_init(|| hash_password("not a password").unwrap_or_default())
            .clone();
        let _ = tokio::task::spawn_blocking(move || verify_password(&password, &dummy)).await;
        return Err(LoginError::Wrong);
    };
    let now = shouwang_store::now();
    if user.disabled {
        return Err(LoginError::Wrong);
    }
    if user.locked_until > now {
        return Err(LoginError::Locked);
    }
    let hash = user.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    if !ok {
        let until = now + config.lockout_seconds;
        let max = config.lockout_failures;
        let _ = state.db(move |s| s.login_failed(&user, max, until)).await;
        return Err(LoginError::Wrong);
    }
    let token = random_token();
    let csrf = random_token();
    let (h, c) = (token_hash(&token), csrf.clone());
    state
        .db(move |s| s.login_succeeded(&user, &h, &c))
        .await
        .map_err(|_| LoginError::Wrong)?;
    Ok((token, csrf))
}

pub async fn logout(state: &AppState, headers: &HeaderMap) {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let h = token_hash(token);
        let _ = state.db(move |s| s.sign_out(&h)).await;
    }
}
