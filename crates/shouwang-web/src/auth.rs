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
use shouwang_store::users::{self, User};
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

/// A random password of 16 characters that meets the policy (`shouwang_core::password`): letters
/// of both cases and digits, without look-alikes.
pub fn generate_password() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let mut b = [0u8; 16];
        // getrandom fails only on systems without an entropy source, where nothing here is safe
        if getrandom::fill(&mut b).is_err() {
            panic!("no system random source");
        }
        let p: String = b
            .iter()
            .map(|x| CHARS[*x as usize % CHARS.len()] as char)
            .collect();
        if shouwang_core::password::check("", &p).is_ok() {
            return p;
        }
    }
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
    /// The path of this request, so the menu can mark where the user is.
    pub path: String,
    /// What the previous request saved, to be said once on this page ([`FLASH_COOKIE`]).
    pub flash: Option<Flash>,
}

/// A message about what a form just saved, carried across the redirect that follows it in a
/// short-lived cookie (both languages, so switching language on the next page still reads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub zh: String,
    pub en: String,
}

/// The cookie that carries a [`Flash`]; cleared by the page that shows it.
pub const FLASH_COOKIE: &str = "sw_flash";

impl Flash {
    /// The cookie value: the two messages as hex of their UTF-8, joined by a unit separator
    /// (a cookie value may hold neither Chinese nor `;`). Long messages are cut.
    pub fn encode(&self) -> String {
        let text = format!("{}\u{1f}{}", cut(&self.zh, 300), cut(&self.en, 300));
        hex(text.as_bytes())
    }

    /// Reads a cookie value made by [`Flash::encode`]; anything else is ignored.
    pub fn decode(value: &str) -> Option<Flash> {
        if !value.len().is_multiple_of(2) || value.len() > 4096 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..value.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(value.get(i..i + 2)?, 16).ok())
            .collect();
        let text = String::from_utf8(bytes?).ok()?;
        let (zh, en) = text.split_once('\u{1f}')?;
        Some(Flash {
            zh: zh.to_string(),
            en: en.to_string(),
        })
    }
}

fn cut(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
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

/// Resolves the session, enforces expiry, a pending password change and CSRF, records the
/// language, and gives every answer the headers of [`harden`].
pub async fn session_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = state.config.secure_cookies || forwarded_https(request.headers());
    let had_flash = cookie(request.headers(), FLASH_COOKIE).is_some();
    let (mut response, signed_in) = resolve(state, request, next).await;
    // a page that showed the message clears it, so it is said once
    if had_flash && response.status() == StatusCode::OK {
        let clear = format!("{FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        if let Ok(v) = axum::http::HeaderValue::from_str(&clear) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    harden(&mut response, signed_in, https);
    response
}

/// Whether the request reached us over HTTPS through a reverse proxy, as the proxy says. Only
/// the `Secure` flag of cookies follows it, which a client that lies harms only itself.
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The content security policy: scripts, styles, images and forms from this site only, no
/// inline script, no frames.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every answer carries: the content security policy, no framing, no content
/// sniffing, the referrer kept to this site; `Cache-Control: no-store` on every answer to a
/// signed-in user that does not say otherwise (every signed-in page may show personal data: a
/// browser or a proxy must not keep them); over HTTPS, cookies marked `Secure` and HSTS.
fn harden(response: &mut Response, signed_in: bool, https: bool) {
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, axum::http::HeaderValue::from_static(value));
    };
    set(h, "content-security-policy", CSP);
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    if signed_in && !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    if https {
        // the browser keeps to HTTPS for this site from now on
        set(h, "strict-transport-security", "max-age=31536000");
        let cookies: Vec<String> = h
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|c| {
                if c.to_ascii_lowercase().contains("; secure") {
                    c.to_string()
                } else {
                    format!("{c}; Secure")
                }
            })
            .collect();
        if !cookies.is_empty() {
            h.remove(header::SET_COOKIE);
            for c in cookies {
                if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
                    h.append(header::SET_COOKIE, v);
                }
            }
        }
    }
}

/// Paths a user who must change their password may still reach.
fn open_while_changing_password(path: &str) -> bool {
    path == "/password"
        || path == "/logout"
        || path == "/healthz"
        || path == "/api/v1/me"
        || path.starts_with("/static/")
        || path.starts_with("/lang/")
}

/// Whether a user's password must be changed before anything else: a new or reset account, or
/// a password older than the configured maximum age.
pub fn must_change_password(user: &User, config: &crate::state::WebConfig, now: i64) -> bool {
    user.must_change_password
        || (config.password_max_age_days > 0
            && user.password_changed_at + config.password_max_age_days * 86_400 < now)
}

/// The session layer itself; answers whether a user is signed in.
async fn resolve(state: AppState, request: Request, next: Next) -> (Response, bool) {
    state.requests.fetch_add(1, Ordering::Relaxed);
    let (mut parts, body) = request.into_parts();
    let lang = lang_of(&parts.uri, &parts.headers);
    parts.extensions.insert(RequestLang(lang));
    parts
        .extensions
        .insert(IsApi(parts.uri.path().starts_with("/api/")));
    if is_dept_push(&parts.method, parts.uri.path()) {
        // a department's push is authenticated by its API token alone (`api::dept_push`): no
        // session is read and no CSRF token asked for; its handler takes no `Session`, so a
        // browser's cookies open nothing there
        return (next.run(Request::from_parts(parts, body)).await, false);
    }
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
                    path: parts.uri.path().to_string(),
                    flash: cookie(&parts.headers, FLASH_COOKIE).and_then(Flash::decode),
                });
            }
            Ok(None) => {}
            Err(e) => return (e.into_response(), false),
        }
    }
    let signed_in = session.is_some();
    if let Some(s) = &session {
        let path = parts.uri.path();
        if must_change_password(&s.user, &state.config, now) && !open_while_changing_password(path)
        {
            let refused = if path.starts_with("/api/") {
                crate::error::answer(
                    shouwang_core::ProblemCode::PasswordChangeRequired,
                    "须先修改密码（在网页上：/password）",
                    "the password must be changed first (on the web page /password)",
                )
            } else {
                axum::response::Redirect::to("/password").into_response()
            };
            return (refused, true);
        }
    }
    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    // the public self-report forms carry their own signed token instead (see report_guard)
    let exempt = crate::report_guard::csrf_exempt(parts.uri.path());
    let request = if unsafe_method && parts.uri.path() != "/api/v1/login" && !exempt {
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
                return (refused(), signed_in);
            }
            let mut request = Request::from_parts(parts, body);
            if let Some(s) = session {
                request.extensions_mut().insert(s);
            }
            return (next.run(request).await, signed_in);
        }
        // a multipart form carrying a file without a script (only the forms that take one) may
        // be larger than any other form
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let multipart = crate::multipart::boundary(&content_type).is_some()
            && crate::multipart::FORMS.contains(&parts.uri.path());
        let limit = if multipart {
            crate::multipart::MAX_BYTES
        } else {
            2 * 1024 * 1024
        };
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                let answer = (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "请求过大 / request too large",
                );
                return (answer.into_response(), signed_in);
            }
        };
        let form_token = if is_form(&parts.headers) {
            form_field(&bytes, "csrf")
        } else if multipart {
            crate::multipart::field(&content_type, &bytes, "csrf")
        } else {
            None
        };
        let given = header_token.or(form_token);
        let ok = matches!((&expected, &given), (Some(e), Some(g)) if !e.is_empty() && constant_time_eq(e, g));
        if !ok {
            return (refused(), signed_in);
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        Request::from_parts(parts, body)
    };
    let mut request = request;
    if let Some(s) = session {
        request.extensions_mut().insert(s);
    }
    (next.run(request).await, signed_in)
}

/// Whether a request is a department's push (`POST /api/v1/dept/{kind}/records`).
pub(crate) fn is_dept_push(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && path
            .strip_prefix("/api/v1/dept/")
            .and_then(|rest| rest.strip_suffix("/records"))
            .is_some_and(|kind| !kind.is_empty() && !kind.contains('/'))
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

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
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

/// The address a request came from: the TCP peer (axum's `ConnectInfo`, which `serve` provides),
/// or, behind a reverse proxy the configuration trusts, the last address the proxy added to
/// `X-Forwarded-For`. "unknown" when neither is there (a router driven directly, as in tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    pub fn of(parts: &Parts, config: &crate::state::WebConfig) -> ClientAddr {
        if config.trust_proxy {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
                .and_then(|v| v.parse::<std::net::IpAddr>().ok());
            if let Some(ip) = forwarded {
                return ClientAddr(ip.to_string());
            }
        }
        match parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            Some(c) => ClientAddr(c.0.ip().to_string()),
            None => ClientAddr("unknown".into()),
        }
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts, &state.config))
    }
}

/// Why a login failed; the message never says whether the username exists.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    Wrong,
    /// Too many failures from here or for this username: try again after this many seconds.
    Locked(i64),
}

/// A sign-in attempt: who, from where, and the session the browser held before (replaced).
pub struct Attempt {
    pub username: String,
    pub password: String,
    pub address: ClientAddr,
    pub previous: Option<String>,
}

/// The session token a browser sends, if any.
pub fn previous_session(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .map(token_hash)
}

/// A dummy hash to verify against when the username does not exist, so that an unknown
/// username costs the same time as a known one.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password("not a password").unwrap_or_default())
        .clone()
}

/// Checks a username and password. Failures are throttled, never locked: each failure counts
/// against the address, the username from that address, and the username from anywhere; a key
/// past its free failures makes the next attempt wait, the wait doubling with each failure up to
/// the configured maximum. The username-wide key spares the address of the user's last
/// successful sign-in, so a guesser elsewhere cannot keep the owner out; an administrator can
/// lift the delays. Unknown and known usernames are answered alike, in the same time (the
/// password is checked against a dummy hash), and the throttle counts them alike.
/// On success returns the new session token and its CSRF token; the session the browser held
/// before ends.
pub async fn login(state: &AppState, a: Attempt) -> Result<(String, String), LoginError> {
    let config = state.config.clone();
    let username = a.username.trim().to_string();
    let address = a.address.0.clone();
    let now = shouwang_store::now();
    let name = username.clone();
    let user = state
        .db(move |s| s.user_by_name(&name))
        .await
        .ok()
        .flatten();
    let mut keys = vec![
        users::key_address(&address),
        users::key_user_at(&username, &address),
    ];
    let from_known_address = user
        .as_ref()
        .is_some_and(|u| !u.last_login_address.is_empty() && u.last_login_address == address);
    if !from_known_address {
        keys.push(users::key_user(&username));
    }
    let checked = keys.clone();
    let wait = state
        .db(move |s| s.login_wait(&checked, now))
        .await
        .unwrap_or(0);
    if wait > 0 {
        tracing::warn!(username = %username, address = %address, wait, "sign-in refused: throttled");
        return Err(LoginError::Locked(wait));
    }
    let hash = match &user {
        Some(u) if !u.disabled => u.password_hash.clone(),
        // a disabled account is checked against the dummy too: the same time, the same answer
        _ => dummy_hash(),
    };
    let password = a.password;
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(u) if verified && !u.disabled => u,
        user => {
            let delays = vec![
                (
                    users::key_address(&address),
                    config.delay(config.address_failures),
                ),
                (
                    users::key_user_at(&username, &address),
                    config.delay(config.lockout_failures),
                ),
                (
                    users::key_user(&username),
                    config.delay(config.username_failures),
                ),
            ];
            let failed = state
                .db(move |s| {
                    let attempt = users::FailedSignIn {
                        user: user.as_ref(),
                        username: &username,
                        address: &address,
                    };
                    s.login_failure(&attempt, &delays, now)
                })
                .await;
            if let Err(e) = failed {
                tracing::error!(error = ?e, "recording a failed sign-in failed");
            }
            return Err(LoginError::Wrong);
        }
    };
    let token = random_token();
    let csrf = random_token();
    let (h, c) = (token_hash(&token), csrf.clone());
    let clears = vec![users::key_user_at(&user.username, &address)];
    let previous = a.previous;
    state
        .db(move |s| {
            s.open_session(
                &user,
                users::SignIn {
                    token_hash: &h,
                    csrf: &c,
                    address: &address,
                    replaces: previous.as_deref(),
                    clears: &clears,
                },
            )
        })
        .await
        .map_err(|_| LoginError::Wrong)?;
    Ok((token, csrf))
}

/// How long to wait, as a person reads it: "3 分钟" / "3 minutes".
pub fn wait_text(l: L, seconds: i64) -> String {
    if seconds < 90 {
        format!("{seconds} {}", l.t("秒", "seconds"))
    } else {
        format!("{} {}", (seconds + 59) / 60, l.t("分钟", "minutes"))
    }
}

pub async fn logout(state: &AppState, headers: &HeaderMap) {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let h = token_hash(token);
        let _ = state.db(move |s| s.sign_out(&h)).await;
    }
}
