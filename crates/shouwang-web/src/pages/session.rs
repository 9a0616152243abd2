//! Signing in and out, the language, and the home page that sends each user to their work:
//! the region tree, or the list of paired households for those who reach households only
//! through their pairing.

use super::{render, Ctx};
use crate::auth::{
    self, ClientAddr, RequestLang, Session, LANG_COOKIE, PRE_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::AppError;
use crate::i18n::L;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use shouwang_store::users::SignIn;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(super::home::home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/demo-login/{username}", get(demo_login))
        .route("/lang/{tag}", get(set_lang))
        .route("/password", get(password_form).post(change_password))
}

/// Where `/lang/…` goes back to: the path of the page the link was on, when that page is on
/// this site (the `Referer`'s host is the request's `Host`) and the path is a plain local one,
/// never `//elsewhere` or `/\elsewhere`, which browsers read as another site. Otherwise home.
pub fn back_to(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    let (Some(host), Some(referer)) = (host, referer) else {
        return "/".into();
    };
    let Some(rest) = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))
    else {
        return "/".into();
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    if authority.eq_ignore_ascii_case(host) && local {
        path.to_string()
    } else {
        "/".into()
    }
}

async fn set_lang(Path(tag): Path<String>, headers: HeaderMap) -> Response {
    let lang = shouwang_core::Lang::parse(&tag);
    let back = back_to(&headers);
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.tag()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

// ---------------------------------------------------------------- sign in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    message: String,
    username: String,
    demo_mode: bool,
}

fn login_page(
    state: &AppState,
    lang: shouwang_core::Lang,
    message: String,
    username: String,
    status: StatusCode,
) -> Response {
    // a pre-session CSRF token, double-submitted as cookie and form field
    let token = auth::random_token();
    let cookie = auth::set_cookie(PRE_CSRF_COOKIE, &token, 3600, state.config.secure_cookies);
    let ctx = Ctx::anonymous(L(lang), token);
    (
        status,
        [(header::SET_COOKIE, cookie)],
        render(LoginPage {
            ctx,
            message,
            username,
            demo_mode: state.config.demo_mode,
        }),
    )
        .into_response()
}

async fn login_form(State(state): State<AppState>, RequestLang(lang): RequestLang) -> Response {
    login_page(&state, lang, String::new(), String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    address: ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let l = L(lang);
    let attempt = auth::Attempt {
        username: f.username.clone(),
        password: f.password,
        address,
        previous: auth::previous_session(&headers),
    };
    match auth::login(&state, attempt).await {
        Ok((token, _csrf)) => {
            let max_age = state.config.max_session_age;
            let cookie =
                auth::set_cookie(SESSION_COOKIE, &token, max_age, state.config.secure_cookies);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(auth::LoginError::Locked(wait)) => {
            let m = format!(
                "{} {}",
                l.t(
                    "登录失败次数过多，请稍候再试：",
                    "Too many failed sign-ins: try again in",
                ),
                auth::wait_text(l, wait)
            );
            login_page(&state, lang, m, f.username, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(auth::LoginError::Wrong) => {
            let m = l.t("用户名或密码不正确", "Wrong username or password");
            login_page(&state, lang, m.into(), f.username, StatusCode::UNAUTHORIZED)
        }
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Demo only: signs in as a demo account in one click, then goes to `next` (a local path).
async fn demo_login(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Response {
    if !state.config.demo_mode {
        return AppError::NotFound.into_response();
    }
    let Ok(Some(user)) = state.db(move |st| st.user_by_name(&username)).await else {
        return AppError::NotFound.into_response();
    };
    let (token, csrf) = (auth::random_token(), auth::random_token());
    let hash = auth::token_hash(&token);
    let previous = auth::previous_session(&headers);
    if let Err(e) = state
        .db(move |st| {
            st.open_session(
                &user,
                SignIn {
                    token_hash: &hash,
                    csrf: &csrf,
                    address: "",
                    replaces: previous.as_deref(),
                    clears: &[],
                },
            )
        })
        .await
    {
        return e.into_response();
    }
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let cookie = auth::set_cookie(
        SESSION_COOKIE,
        &token,
        state.config.max_session_age,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    auth::logout(&state, &headers).await;
    let cookie = auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

// ---------------------------------------------------------------- own password

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    required: bool,
    message: String,
}

fn password_page(state: &AppState, s: &Session, message: String, status: StatusCode) -> Response {
    let required = auth::must_change_password(&s.user, &state.config, shouwang_store::now());
    let page = PasswordPage {
        ctx: Ctx::of(s),
        required,
        message,
    };
    (status, render(page)).into_response()
}

async fn password_form(State(state): State<AppState>, s: Session) -> Response {
    password_page(&state, &s, String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// The user sets their own password: the current one, then a new one that meets the policy
/// (`shouwang_core::password`). Their other sessions end; this one stays.
async fn change_password(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let l = s.l();
    let hash = s.user.password_hash.clone();
    let current = f.current.clone();
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&current, &hash))
        .await
        .unwrap_or(false);
    let refusal = if !verified {
        Some(
            l.t("当前密码不正确", "The current password is wrong")
                .to_string(),
        )
    } else if f.new != f.repeat {
        Some(
            l.t("两次输入的新密码不一致", "The two new passwords differ")
                .to_string(),
        )
    } else if f.new == f.current {
        Some(
            l.t(
                "新密码不能与当前密码相同",
                "The new password must differ from the current one",
            )
            .to_string(),
        )
    } else {
        shouwang_core::password::check(&s.user.username, &f.new)
            .err()
            .map(|p| p.message(s.lang).to_string())
    };
    if let Some(m) = refusal {
        return password_page(&state, &s, m, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let new = f.new;
    let Ok(Ok(hash)) = tokio::task::spawn_blocking(move || auth::hash_password(&new)).await else {
        return AppError::Internal("hashing a password failed".into()).into_response();
    };
    let keep = auth::previous_session(&headers);
    let (actor, user) = (s.actor(), s.user.clone());
    match state
        .db(move |st| st.set_password(&actor, &user, &hash, false, keep.as_deref()))
        .await
    {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => e.into_response(),
    }
}
