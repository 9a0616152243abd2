//! Accounts as an attacker and an administrator meet them, on every configured backend: sign-in
//! failures slow the address and the username down but never lock the owner out, unknown
//! usernames answer as known ones do, an administrator lifts delays, disables, resets and
//! re-roles accounts and exports the audit log; a created or reset account changes its password
//! first; every answer carries the security headers; `/lang` goes back only to this site.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::{ProblemCode, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::StoreError;
use shouwang_web::auth::{token_hash, SESSION_COOKIE};
use shouwang_web::{router, AppState, WebConfig};
use std::net::SocketAddr;
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, with_two_villages, CSRF, TAOHONG};

const PASSWORD: &str = "correct horse";
/// The attacker's address and the owner's.
const ATTACKER: &str = "203.0.113.9:50000";
const OWNER: &str = "198.51.100.7:50000";

struct World {
    db: TestDb,
    app: Router,
    /// user ids by name
    ids: Vec<(String, i64)>,
}

impl World {
    fn id(&self, name: &str) -> i64 {
        self.ids.iter().find(|(n, _)| n == name).unwrap().1
    }
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let users = [
                    ("admin", Role::Admin, "510821"),
                    ("county", Role::County, "510821"),
                    ("taohong", Role::Village, TAOHONG),
                    ("inspector", Role::Inspector, "510821"),
                ];
                let ids = signed_in_users(&db.store, &users);
                let ids = users
                    .iter()
                    .zip(ids)
                    .map(|((n, _, _), id)| (n.to_string(), id))
                    .collect();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, ids }
            })
            .collect()
    })
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

/// A request as a browser at `from` sends it, with these extra headers.
async fn request(
    app: &Router,
    from: &str,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = match body {
        Some((ctype, b)) => {
            req = req.header(header::CONTENT_TYPE, ctype);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).unwrap();
    let addr: SocketAddr = from.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

/// Signs in through the API from `from`, sending `cookie` (a session this browser holds).
async fn sign_in(app: &Router, from: &str, user: &str, password: &str, cookie: &str) -> Resp {
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    let mut headers = vec![];
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    request(
        app,
        from,
        Method::POST,
        "/api/v1/login",
        &headers,
        Some(("application/json", body)),
    )
    .await
}

/// A signed-in user's request (session `token-{user}`), with the CSRF header.
async fn as_user(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    body: Option<(&str, String)>,
) -> Resp {
    let cookie = format!("{SESSION_COOKIE}=token-{user}");
    let headers = [("cookie", cookie.as_str()), ("x-csrf-token", CSRF)];
    request(app, OWNER, method, uri, &headers, body).await
}

fn code(r: &Resp) -> String {
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    v["code"].as_str().unwrap_or("").to_string()
}

fn events(w: &World, action: &str) -> i64 {
    outside(|| w.db.store.count_events(action).unwrap())
}

#[tokio::test]
async fn failures_from_one_address_delay_it_but_the_owner_elsewhere_still_signs_in() {
    for w in worlds() {
        for _ in 0..5 {
            let r = sign_in(&w.app, ATTACKER, "county", "wrong", "").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", w.db.name);
        }
        // the guessing address now waits, even with the right password
        let r = sign_in(&w.app, ATTACKER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", w.db.name);
        assert_eq!(code(&r), "auth.locked");
        // the owner, at another address, is not locked out
        let r = sign_in(&w.app, OWNER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", w.db.name, r.text());
        assert_eq!(events(&w, "user.login_failed"), 5, "{}", w.db.name);
        assert_eq!(events(&w, "user.login_throttled"), 1, "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn unknown_usernames_are_answered_and_delayed_as_known_ones_are() {
    for w in worlds() {
        let mut known = vec![];
        let mut unknown = vec![];
        for _ in 0..6 {
            // the same answer, but for the seconds left to wait, which the clock may tick over
            let answer = |r: Resp| {
                let text = r.text().replace(|c: char| c.is_ascii_digit(), "");
                (r.status, text)
            };
            known.push(answer(
                sign_in(&w.app, ATTACKER, "county", "wrong", "").await,
            ));
            unknown.push(answer(
                sign_in(&w.app, "203.0.113.10:1", "nobody", "wrong", "").await,
            ));
        }
        assert_eq!(known, unknown, "{}", w.db.name);
        assert_eq!(known[5].0, StatusCode::TOO_MANY_REQUESTS, "{}", w.db.name);
        // failed sign-ins of unknown usernames are audited too
        assert_eq!(events(&w, "user.login_failed"), 10, "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn many_addresses_guessing_one_username_delay_others_but_not_the_owners_usual_address() {
    for w in worlds_with(WebConfig {
        username_failures: 3,
        ..WebConfig::default()
    }) {
        // the owner signed in from their usual address once
        let r = sign_in(&w.app, OWNER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        for i in 0..3 {
            let from = format!("203.0.113.{}:1", 20 + i);
            let r = sign_in(&w.app, &from, "county", "wrong", "").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", w.db.name);
        }
        // a fresh address now waits for this username
        let r = sign_in(&w.app, "203.0.113.99:1", "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", w.db.name);
        // the owner's usual address does not
        let r = sign_in(&w.app, OWNER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_administrator_lifts_the_delay_and_the_lift_is_audited() {
    for w in worlds() {
        for _ in 0..5 {
            sign_in(&w.app, ATTACKER, "county", "wrong", "").await;
        }
        let r = sign_in(&w.app, ATTACKER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", w.db.name);
        // only an administrator may
        let uri = format!("/admin/users/{}/unlock", w.id("county"));
        let r = as_user(&w.app, "county", Method::POST, &uri, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", w.db.name);
        let r = as_user(&w.app, "admin", Method::POST, &uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        let r = sign_in(&w.app, ATTACKER, "county", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        assert_eq!(events(&w, "user.unlock"), 1, "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_second_sign_in_in_the_same_browser_ends_the_first_session() {
    for w in worlds() {
        let first = format!("{SESSION_COOKIE}=token-county");
        let r = sign_in(&w.app, OWNER, "county", PASSWORD, &first).await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        assert!(outside(|| w.db.store.session(&token_hash("token-county")))
            .unwrap()
            .is_none());
        let new = r.cookie(SESSION_COOKIE).unwrap();
        let old = as_user(&w.app, "county", Method::GET, "/api/v1/me", None).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{}", w.db.name);
        // the new session works
        let token = new.split(';').next().unwrap();
        let r = request(
            &w.app,
            OWNER,
            Method::GET,
            "/api/v1/me",
            &[("cookie", token)],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_signed_in_pages_are_not_stored() {
    for w in worlds() {
        let login = request(&w.app, OWNER, Method::GET, "/login", &[], None).await;
        let page = as_user(&w.app, "county", Method::GET, "/regions/510821", None).await;
        let api = as_user(&w.app, "county", Method::GET, "/api/v1/me", None).await;
        for r in [&login, &page, &api] {
            let csp = r.header("content-security-policy");
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert!(csp.contains("frame-ancestors 'none'"));
            assert_eq!(r.header("x-frame-options"), "DENY");
            assert_eq!(r.header("x-content-type-options"), "nosniff");
            assert_eq!(r.header("referrer-policy"), "same-origin");
        }
        assert_eq!(page.header("cache-control"), "no-store", "{}", w.db.name);
        assert_eq!(api.header("cache-control"), "no-store");
        // no page holds inline script: the ledger upload's script is a static file
        let import = as_user(&w.app, "county", Method::GET, "/ledger/import", None).await;
        assert!(!import.text().contains("<script>"), "{}", import.text());
        assert!(import
            .text()
            .contains("<script src=\"/static/ledger_import.js\">"));
        let js = as_user(
            &w.app,
            "county",
            Method::GET,
            "/static/ledger_import.js",
            None,
        )
        .await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.text().contains("XMLHttpRequest"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn cookies_are_secure_over_https_or_when_configured() {
    for w in worlds() {
        let plain = request(&w.app, OWNER, Method::GET, "/login", &[], None).await;
        assert!(!plain.cookie("sw_pre").unwrap().contains("Secure"));
        let https = [("x-forwarded-proto", "https")];
        let r = request(&w.app, OWNER, Method::GET, "/login", &https, None).await;
        assert!(
            r.cookie("sw_pre").unwrap().ends_with("; Secure"),
            "{:?}",
            r.cookie("sw_pre")
        );
        assert!(r
            .header("strict-transport-security")
            .starts_with("max-age="));
        assert_eq!(plain.header("strict-transport-security"), "");
        let body = serde_json::json!({ "username": "county", "password": PASSWORD }).to_string();
        let r = request(
            &w.app,
            OWNER,
            Method::POST,
            "/api/v1/login",
            &https,
            Some(("application/json", body)),
        )
        .await;
        assert!(r.cookie(SESSION_COOKIE).unwrap().contains("; Secure"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn cookies_are_secure_on_plain_http_too_when_configured() {
    for w in worlds_with(WebConfig {
        secure_cookies: true,
        ..WebConfig::default()
    }) {
        let r = request(&w.app, OWNER, Method::GET, "/login", &[], None).await;
        assert!(
            r.cookie("sw_pre").unwrap().contains("; Secure"),
            "{}",
            w.db.name
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_this_sites_own_pages() {
    for w in worlds() {
        let back = |referer: &'static str| {
            let app = w.app.clone();
            async move {
                let headers = [("host", "shouwang.local"), ("referer", referer)];
                let r = request(&app, OWNER, Method::GET, "/lang/en", &headers, None).await;
                assert_eq!(r.status, StatusCode::SEE_OTHER);
                r.header("location").to_string()
            }
        };
        assert_eq!(
            back("http://shouwang.local/regions/510821?x=1").await,
            "/regions/510821?x=1"
        );
        assert_eq!(back("http://shouwang.local//evil.example/x").await, "/");
        assert_eq!(back("http://shouwang.local/\\evil.example").await, "/");
        assert_eq!(back("https://evil.example/regions").await, "/");
        assert_eq!(back("javascript:alert(1)").await, "/");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    for w in worlds() {
        let id = w.id("taohong");
        let r = as_user(&w.app, "admin", Method::GET, "/admin/users", None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("taohong") && r.text().contains("/admin/audit.xlsx"));
        let r = as_user(&w.app, "taohong", Method::GET, "/admin/users", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", w.db.name);
        let r = as_user(
            &w.app,
            "admin",
            Method::POST,
            &format!("/admin/users/{id}/disable"),
            None,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            w.db.name,
            r.text()
        );
        let r = as_user(&w.app, "taohong", Method::GET, "/api/v1/me", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = sign_in(&w.app, OWNER, "taohong", PASSWORD, "").await;
        assert_eq!(
            (r.status, code(&r).as_str()),
            (StatusCode::UNAUTHORIZED, "auth.wrong")
        );
        as_user(
            &w.app,
            "admin",
            Method::POST,
            &format!("/admin/users/{id}/enable"),
            None,
        )
        .await;
        let r = sign_in(&w.app, OWNER, "taohong", PASSWORD, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        assert_eq!(events(&w, "user.disable"), 1);
        assert_eq!(events(&w, "user.enable"), 1);
        // an administrator does not disable their own account here
        let own = format!("/admin/users/{}/disable", w.id("admin"));
        let r = as_user(&w.app, "admin", Method::POST, &own, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_reset_password_must_be_changed_to_one_the_policy_accepts_before_anything_else() {
    for w in worlds() {
        let id = w.id("taohong");
        let r = as_user(
            &w.app,
            "admin",
            Method::POST,
            &format!("/admin/users/{id}/reset-password"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        let text = r.text();
        let start = text.find("taohong: ").unwrap() + "taohong: ".len();
        let password: String = text[start..].chars().take(16).collect();
        assert!(shouwang_core::password::check("taohong", &password).is_ok());
        // the old session ended, the old password no longer works
        let r = as_user(&w.app, "taohong", Method::GET, "/api/v1/me", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            sign_in(&w.app, OWNER, "taohong", PASSWORD, "").await.status,
            StatusCode::UNAUTHORIZED
        );
        let r = sign_in(&w.app, OWNER, "taohong", &password, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        let session = r.cookie(SESSION_COOKIE).unwrap();
        let token = session.split(';').next().unwrap().to_string();
        let csrf = serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["csrf"]
            .as_str()
            .unwrap()
            .to_string();
        let headers = [("cookie", token.as_str()), ("x-csrf-token", csrf.as_str())];
        // every page leads to the password form, every API call is refused
        let r = request(
            &w.app,
            OWNER,
            Method::GET,
            &format!("/regions/{TAOHONG}"),
            &headers,
            None,
        )
        .await;
        assert_eq!(
            (r.status, r.header("location")),
            (StatusCode::SEE_OTHER, "/password")
        );
        let r = request(
            &w.app,
            OWNER,
            Method::GET,
            &format!("/api/v1/regions/{TAOHONG}"),
            &headers,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(code(&r), ProblemCode::PasswordChangeRequired.as_str());
        let form = |new: &str| {
            let body = serde_urlencoded::to_string([
                ("current", password.as_str()),
                ("new", new),
                ("repeat", new),
            ])
            .unwrap();
            Some(("application/x-www-form-urlencoded", body))
        };
        for weak in ["password", "aaaaaaaaaaaa", "Password123", "Taohong-2026x"] {
            let r = request(
                &w.app,
                OWNER,
                Method::POST,
                "/password",
                &headers,
                form(weak),
            )
            .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{weak} {}",
                w.db.name
            );
        }
        let r = request(
            &w.app,
            OWNER,
            Method::POST,
            "/password",
            &headers,
            form("Hills-of-Wangcang7"),
        )
        .await;
        assert_eq!(
            (r.status, r.header("location")),
            (StatusCode::SEE_OTHER, "/"),
            "{}",
            r.text()
        );
        let r = request(
            &w.app,
            OWNER,
            Method::GET,
            &format!("/regions/{TAOHONG}"),
            &headers,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        assert_eq!(events(&w, "user.password_reset"), 1);
        assert_eq!(events(&w, "user.password_change"), 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_role_takes_only_a_region_of_its_level() {
    for w in worlds() {
        // the store refuses a village cadre bound to the county, whoever asks
        let county = RegionCode::parse("510821").unwrap();
        let refused = outside(|| {
            w.db.store.add_user(
                &Actor::system("test"),
                NewUser {
                    username: "wide",
                    display_name: "wide",
                    password_hash: "h",
                    role: Role::Village,
                    region: &county,
                    must_change_password: true,
                },
            )
        });
        match refused {
            Err(StoreError::Invalid(ps)) => assert_eq!(ps[0].code, ProblemCode::UserRegionLevel),
            other => panic!("{}: {other:?}", w.db.name),
        }
        let uri = format!("/admin/users/{}/role", w.id("taohong"));
        let form = |role: &str, region: &str| {
            let body = serde_urlencoded::to_string([("role", role), ("region", region)]).unwrap();
            Some(("application/x-www-form-urlencoded", body))
        };
        let r = as_user(
            &w.app,
            "admin",
            Method::POST,
            &uri,
            form("village", "510821"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", w.db.name);
        let r = as_user(
            &w.app,
            "admin",
            Method::POST,
            &uri,
            form("township", "510821108"),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            w.db.name,
            r.text()
        );
        let u = outside(|| w.db.store.user_by_name("taohong"))
            .unwrap()
            .unwrap();
        assert_eq!((u.role, u.region.as_str()), (Role::Township, "510821108"));
        assert_eq!(events(&w, "user.set_role"), 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_administrator_exports_the_audit_log_and_others_may_not() {
    for w in worlds() {
        sign_in(&w.app, ATTACKER, "county", "wrong", "").await;
        let csv = as_user(&w.app, "admin", Method::GET, "/admin/audit.csv", None).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", w.db.name);
        assert!(csv.header("content-disposition").contains("attachment"));
        let text = csv.text();
        assert!(
            text.contains("user.login_failed") && text.contains("203.0.113.9"),
            "{text}"
        );
        let xlsx = as_user(&w.app, "admin", Method::GET, "/admin/audit.xlsx", None).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body.starts_with(b"PK"));
        let r = as_user(&w.app, "inspector", Method::GET, "/admin/audit.csv", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", w.db.name);
        assert_eq!(events(&w, "audit.export"), 2);
        outside(move || drop(w));
    }
}

/// The worlds with another configuration.
fn worlds_with(config: WebConfig) -> Vec<World> {
    outside(|| {
        worlds()
            .into_iter()
            .map(|mut w| {
                w.app = router(AppState::new(w.db.store.clone(), config.clone()));
                w
            })
            .collect()
    })
}

#[tokio::test]
async fn an_expired_password_must_be_changed_first() {
    for w in worlds_with(WebConfig {
        password_max_age_days: 90,
        ..WebConfig::default()
    }) {
        let r = as_user(&w.app, "county", Method::GET, "/regions/510821", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        // the county officer's password was set 91 days ago
        let old = shouwang_store::now() - 91 * 86_400;
        let sql = format!("UPDATE users SET password_changed_at = {old} WHERE username = 'county'");
        outside(|| w.db.execute_unchecked(&sql)).unwrap();
        let r = as_user(&w.app, "county", Method::GET, "/regions/510821", None).await;
        assert_eq!(
            (r.status, r.header("location")),
            (StatusCode::SEE_OTHER, "/password"),
            "{}",
            w.db.name
        );
        let r = as_user(&w.app, "county", Method::GET, "/password", None).await;
        assert_eq!(r.status, StatusCode::OK);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_one_throttled() {
    for w in worlds_with(WebConfig {
        trust_proxy: true,
        ..WebConfig::default()
    }) {
        // every request comes from the proxy; the proxy names the client last
        let proxy = "127.0.0.1:40000";
        let attempt = |client: &'static str, password: &'static str| {
            let app = w.app.clone();
            async move {
                let body = serde_json::json!({ "username": "county", "password": password });
                let headers = [("x-forwarded-for", client)];
                let body = Some(("application/json", body.to_string()));
                request(&app, proxy, Method::POST, "/api/v1/login", &headers, body)
                    .await
                    .status
            }
        };
        for _ in 0..5 {
            attempt("1.1.1.1, 203.0.113.9", "wrong").await;
        }
        assert_eq!(
            attempt("1.1.1.1, 203.0.113.9", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // a forged first entry does not help the guesser, another client is not delayed
        assert_eq!(
            attempt("9.9.9.9, 203.0.113.9", PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(attempt("198.51.100.7", PASSWORD).await, StatusCode::OK);
        outside(move || drop(w));
    }
}
