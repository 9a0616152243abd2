//! Signing in and out, the language, and the home page that sends each user to their work:
//! the region tree, or the list of paired households for those who reach households only
//! through their pairing.

use super::{render, Ctx};
use crate::auth::{self, RequestLang, Session, LANG_COOKIE, PRE_CSRF_COOKIE, SESSION_COOKIE};
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

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/demo-login/{username}", get(demo_login))
        .route("/lang/{tag}", get(set_lang))
}

async fn home(s: Option<Session>) -> Response {
    match s {
        None => Redirect::to("/login").into_response(),
        Some(s) if s.scope.reaches_only_paired() => Redirect::to("/paired").into_response(),
        Some(s) => Redirect::to(&format!("/regions/{}", s.user.region)).into_response(),
    }
}

async fn set_lang(Path(tag): Path<String>, headers: HeaderMap) -> Response {
    let lang = shouwang_core::Lang::parse(&tag);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
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
    let ctx = Ctx {
        l: L(lang),
        user: None,
        csrf: token,
    };
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
    Form(f): Form<LoginForm>,
) -> Response {
    let l = L(lang);
    match auth::login(&state, f.username.clone(), f.password).await {
        Ok((token, _csrf)) => {
            let max_age = state.config.max_session_age;
            let cookie =
                auth::set_cookie(SESSION_COOKIE, &token, max_age, state.config.secure_cookies);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(auth::LoginError::Locked) => {
            let m = l.t(
                "登录失败次数过多，账号已暂时锁定，请稍后再试",
                "Too many failed sign-ins: the account is locked for a while",
            );
            login_page(
                &state,
                lang,
                m.into(),
                f.username,
                StatusCode::TOO_MANY_REQUESTS,
            )
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
) -> Response {
    if !state.config.demo_mode {
        return AppError::NotFound.into_response();
    }
    let Ok(Some(user)) = state.db(move |st| st.user_by_name(&username)).await else {
        return AppError::NotFound.into_response();
    };
    let (token, csrf) = (auth::random_token(), auth::random_token());
    let hash = auth::token_hash(&token);
    if let Err(e) = state
        .db(move |st| st.login_succeeded(&user, &hash, &csrf))
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
