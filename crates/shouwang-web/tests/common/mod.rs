//! What the web test suites share: the two villages of the scope tests, signed-in users, and
//! running store calls off the async thread.
#![allow(dead_code)] // each test crate uses its own part

use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::Store;
use shouwang_web::auth::token_hash;
use shouwang_web::hash_password;

/// 三江镇桃红村: the village cadre's own village.
pub const TAOHONG: &str = "510821108212";
/// 龙凤镇龙凤村: a village outside the cadre's region.
pub const LONGFENG: &str = "510821115200";
pub const CSRF: &str = "test-csrf-token";

pub fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

/// PostgreSQL's sync client must not run (or be dropped) on an async thread.
pub fn outside<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The two townships and villages the scope tests need, on top of the county.
pub fn with_two_villages(db: TestDb) -> TestDb {
    db.with_regions(&[
        ("510821108", "三江镇"),
        (TAOHONG, "桃红村村民委员会"),
        ("510821115", "龙凤镇"),
        (LONGFENG, "龙凤村村民委员会"),
    ])
}

/// Eight synthetic households over the two villages, the province's standard of this year
/// (8,700 元), and a year's income far below the line for every household, so that a screening
/// run raises warnings and leads. Returns the households loaded.
pub fn county_below_the_line(db: &TestDb) -> Vec<(Household, Vec<Member>)> {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: RegionCode::parse(c).unwrap(),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 8,
            seed: 5,
            today: today(),
            county: RegionCode::parse("510821").unwrap(),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let year = today().year();
    db.store
        .save_standard(
            &Actor::system("test"),
            &Standard::provincial(year, RegionCode::parse("51").unwrap(), Fen::from_yuan(8700)),
        )
        .unwrap();
    let incomes: Vec<_> = data
        .iter()
        .map(|(h, _)| {
            let i = Income {
                wages: Fen::from_yuan(1_000),
                ..Income::empty(IncomePeriod::year(year))
            };
            ("510821".to_string(), h.household_no.clone(), i)
        })
        .collect();
    db.store
        .bulk_ledger(&Actor::system("test"), &incomes, &[], "test.ledger")
        .unwrap();
    data
}

/// Adds the users, each signed in with the session cookie `token-{name}` and [`CSRF`]; returns
/// their ids in the same order.
pub fn signed_in_users(store: &Store, users: &[(&str, Role, &str)]) -> Vec<i64> {
    let hash = hash_password("correct horse").unwrap();
    users
        .iter()
        .map(|&(name, role, region)| {
            let region = RegionCode::parse(region).unwrap();
            let id = store
                .add_user(
                    &Actor::system("test"),
                    NewUser {
                        username: name,
                        display_name: name,
                        password_hash: &hash,
                        role,
                        region: &region,
                        must_change_password: false,
                    },
                )
                .unwrap();
            let user = store.user_by_name(name).unwrap().unwrap();
            store
                .login_succeeded(&user, &token_hash(&format!("token-{name}")), CSRF)
                .unwrap();
            id
        })
        .collect()
}

/// What a page answered, as a browser sees it.
pub struct Answer {
    pub status: axum::http::StatusCode,
    pub body: String,
    pub bytes: Vec<u8>,
    pub location: String,
    /// `name=value` of each cookie the answer set
    pub cookies: Vec<String>,
}

impl Answer {
    /// The one-shot message a saved form left for the next page.
    pub fn flash(&self) -> Option<shouwang_web::auth::Flash> {
        let prefix = format!("{}=", shouwang_web::auth::FLASH_COOKIE);
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix(&prefix))
            .and_then(shouwang_web::auth::Flash::decode)
    }
}

/// One request as `user` (the session `token-{user}` of [`signed_in_users`]) with the CSRF
/// token, any further cookies, and a form when given.
pub async fn send(
    app: &axum::Router,
    user: &str,
    method: axum::http::Method,
    uri: &str,
    cookies: &[String],
    form: Option<&[(&str, &str)]>,
) -> Answer {
    use axum::http::header;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut cookie = format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE);
    for c in cookies {
        cookie.push_str("; ");
        cookie.push_str(c);
    }
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", CSRF);
    let body = match form {
        Some(pairs) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            axum::body::Body::from(serde_urlencoded::to_string(pairs).unwrap())
        }
        None => axum::body::Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| Some(v.to_str().ok()?.split(';').next()?.to_string()))
        .collect();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        location,
        cookies,
    }
}

/// Follows a form's answer (a 303) to the page it leads to, with the cookies it set (the
/// saved message among them).
pub async fn follow(app: &axum::Router, user: &str, saved: &Answer) -> Answer {
    assert_eq!(
        saved.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        saved.body
    );
    send(
        app,
        user,
        axum::http::Method::GET,
        &saved.location,
        &saved.cookies,
        None,
    )
    .await
}
