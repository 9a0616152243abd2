//! The web application as users meet it, on every configured backend: sign-in, CSRF, masking,
//! audited reveal, and above all region scope on every route.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::auth::{token_hash, SESSION_COOKIE};
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// a household in 桃红村 and one in 龙凤村
    own: (Household, Vec<Member>),
    other: (Household, Vec<Member>),
}

fn worlds() -> Vec<World> {
    outside(|| worlds_with(WebConfig::default()))
}

fn worlds_with(config: WebConfig) -> Vec<World> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            let db = with_two_villages(db);
            let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
                code: RegionCode::parse(c).unwrap(),
                resettlement_site: None,
            });
            let data = generate(
                &SynthConfig {
                    households: 6,
                    seed: 11,
                    today: today(),
                    county: RegionCode::parse("510821").unwrap(),
                },
                &villages,
            );
            db.store
                .bulk_load(&Actor::system("test"), &data, "test.load")
                .unwrap();
            let own = data
                .iter()
                .find(|(h, _)| h.village.as_str() == TAOHONG)
                .unwrap()
                .clone();
            let other = data
                .iter()
                .find(|(h, _)| h.village.as_str() == LONGFENG)
                .unwrap()
                .clone();
            let users = [
                ("taohong", Role::Village, TAOHONG),
                ("longfeng", Role::Village, LONGFENG),
                ("sanjiang", Role::Township, "510821108"),
                ("county", Role::County, "510821"),
                ("helper", Role::AssistancePerson, TAOHONG),
                ("inspector", Role::Inspector, "510821"),
                ("dept", Role::Department, "510821"),
            ];
            let ids = signed_in_users(&db.store, &users);
            for (&(_, role, _), id) in users.iter().zip(ids) {
                if role == Role::AssistancePerson {
                    db.store
                        .pair(&Actor::system("test"), id, &own.0.household_no)
                        .unwrap();
                }
            }
            let app = router(AppState::new(db.store.clone(), config.clone()));
            World {
                db,
                app,
                own,
                other,
            }
        })
        .collect()
}

/// A request body: (content type, bytes).
type Payload = (&'static str, String);

struct Resp {
    status: StatusCode,
    body: String,
    location: String,
    cookies: Vec<String>,
}

async fn send(
    app: &Router,
    user: Option<&str>,
    method: Method,
    uri: &str,
    body: Option<(&str, String)>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(u) = user {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}=token-{u}"));
    }
    let body = match body {
        Some((ctype, b)) => {
            req = req.header(header::CONTENT_TYPE, ctype);
            Body::from(b)
        }
        None => Body::empty(),
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
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        location,
        cookies,
    }
}

async fn get(app: &Router, user: &str, uri: &str) -> Resp {
    send(app, Some(user), Method::GET, uri, None).await
}

fn form(pairs: &[(&str, &str)]) -> (&'static str, String) {
    (
        "application/x-www-form-urlencoded",
        serde_urlencoded::to_string(pairs).unwrap(),
    )
}

fn household_form(h: &Household, version: &str) -> Vec<(String, String)> {
    vec![
        ("csrf".into(), CSRF.into()),
        ("version".into(), version.into()),
        ("household_no".into(), h.household_no.clone()),
        ("village".into(), h.village.to_string()),
        ("group".into(), "9组".into()),
        ("address".into(), "改过的地址".into()),
        ("household_type".into(), h.household_type.label_zh().into()),
    ]
}

fn member_form(m: &Member, version: &str) -> Vec<(String, String)> {
    vec![
        ("csrf".into(), CSRF.into()),
        ("version".into(), version.into()),
        ("name".into(), "改名".into()),
        ("id_kind".into(), "居民身份证".into()),
        ("id_number".into(), m.id_number.clone()),
        ("relation".into(), m.relation.label_zh().into()),
        ("education".into(), "初中".into()),
        ("labour".into(), "普通劳动力".into()),
        ("resident_medical".into(), "on".into()),
    ]
}

fn encode(pairs: &[(String, String)]) -> (&'static str, String) {
    (
        "application/x-www-form-urlencoded",
        serde_urlencoded::to_string(pairs).unwrap(),
    )
}

fn json_body(h: &Household, members: &[Member], version: i64) -> (&'static str, String) {
    (
        "application/json",
        serde_json::json!({ "household": h, "members": members, "version": version }).to_string(),
    )
}

/// Every route that touches a household or region, as (method, uri, body) against `target`.
fn routes(
    target: &(Household, Vec<Member>),
    village: &str,
    township: &str,
) -> Vec<(Method, String, Option<Payload>)> {
    let (h, m) = target;
    let no = &h.household_no;
    let mut changed = h.clone();
    changed.address = "越权修改".into();
    vec![
        (Method::GET, format!("/households/{no}"), None),
        (Method::GET, format!("/households/{no}/edit"), None),
        (
            Method::POST,
            format!("/households/{no}/edit"),
            Some(encode(&household_form(h, "1"))),
        ),
        (Method::GET, format!("/households/{no}/members/new"), None),
        (
            Method::POST,
            format!("/households/{no}/members/new"),
            Some(encode(&member_form(&m[0], "1"))),
        ),
        (
            Method::GET,
            format!("/households/{no}/members/0/edit"),
            None,
        ),
        (
            Method::POST,
            format!("/households/{no}/members/0/edit"),
            Some(encode(&member_form(&m[0], "1"))),
        ),
        (
            Method::GET,
            format!("/households/{no}/members/0/leave"),
            None,
        ),
        (
            Method::POST,
            format!("/households/{no}/members/0/leave"),
            Some(form(&[
                ("csrf", CSRF),
                ("version", "1"),
                ("reason", "2"),
                ("on", "2026-10-01"),
                ("confirm", "yes"),
            ])),
        ),
        (
            Method::POST,
            format!("/households/{no}/members/0/reveal"),
            Some(form(&[("csrf", CSRF)])),
        ),
        (Method::GET, format!("/regions/{village}"), None),
        (Method::GET, format!("/regions/{township}"), None),
        (
            Method::GET,
            format!("/households/new?village={village}"),
            None,
        ),
        (Method::GET, format!("/api/v1/households/{no}"), None),
        (
            Method::PUT,
            format!("/api/v1/households/{no}"),
            Some(json_body(&changed, m, 1)),
        ),
        (
            Method::POST,
            format!("/api/v1/households/{no}/members/0/reveal"),
            None,
        ),
        (Method::GET, format!("/api/v1/regions/{village}"), None),
        (
            Method::GET,
            format!("/api/v1/regions/{village}/households"),
            None,
        ),
    ]
}

async fn call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    body: Option<(&'static str, String)>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .header("x-csrf-token", CSRF);
    let body = match body {
        Some((ctype, b)) => {
            req = req.header(header::CONTENT_TYPE, ctype);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        location: String::new(),
        cookies: vec![],
    }
}

#[tokio::test]
async fn village_cadre_cannot_read_or_write_another_village_by_any_route() {
    for w in worlds() {
        let head = &w.other.1[0];
        for (method, uri, body) in routes(&w.other, LONGFENG, "510821115") {
            let r = call(&w.app, "taohong", method.clone(), &uri, body).await;
            assert!(
                matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{}: {method} {uri} gave {}",
                w.db.name,
                r.status
            );
            assert!(
                !r.body.contains(&head.name),
                "{}: {method} {uri} leaked the head's name",
                w.db.name
            );
            assert!(
                !r.body.contains(&head.id_number),
                "{}: {method} {uri} leaked an ID number",
                w.db.name
            );
        }
        // creating a household in the other village is refused too, by form and by API
        let mut fresh = w.other.0.clone();
        fresh.household_no = "999999".into();
        let mut f = household_form(&fresh, "");
        f.extend(member_form(&w.other.1[0], "").into_iter().skip(2));
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            "/households/new",
            Some(encode(&f)),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", w.db.name);
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            "/api/v1/households",
            Some(json_body(&fresh, &w.other.1, 0)),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", w.db.name);
        // search never finds the other village's people
        for q in [head.id_number.as_str(), w.other.0.household_no.as_str()] {
            let r = get(&w.app, "taohong", &format!("/api/v1/search?q={q}")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(
                !r.body.contains(&w.other.0.household_no),
                "{}: search leaked {q}",
                w.db.name
            );
        }
        // nothing changed
        let rec = outside(|| w.db.store.household(&w.other.0.household_no))
            .unwrap()
            .unwrap();
        assert_eq!(rec.version, 1, "{}", w.db.name);
        assert_eq!(rec.members, w.other.1);
        assert_eq!(outside(|| w.db.store.count_events("id.reveal")).unwrap(), 0);
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_same_routes_work_for_the_cadre_of_the_village() {
    for w in worlds() {
        // reads first (writes change the version the later forms carry)
        for (method, uri, body) in routes(&w.own, TAOHONG, "510821108") {
            if method != Method::GET {
                continue;
            }
            let r = call(&w.app, "taohong", method.clone(), &uri, body).await;
            let township = uri.ends_with("510821108");
            if township {
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "a village cadre does not browse the township"
                );
            } else {
                assert_eq!(r.status, StatusCode::OK, "{}: {method} {uri}", w.db.name);
            }
        }
        let no = &w.own.0.household_no;
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{no}/edit"),
            Some(encode(&household_form(&w.own.0, "1"))),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        let rec = outside(|| w.db.store.household(no)).unwrap().unwrap();
        assert_eq!(rec.household.address, "改过的地址");
        assert_eq!(rec.version, 2);
        // the township and the county above may read it; the township of elsewhere may not
        assert_eq!(
            get(&w.app, "sanjiang", &format!("/households/{no}"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            get(&w.app, "county", &format!("/households/{no}"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            get(&w.app, "longfeng", &format!("/households/{no}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn assistance_persons_see_only_their_paired_households_and_inspectors_only_read() {
    for w in worlds() {
        let own = &w.own.0.household_no;
        assert_eq!(
            get(&w.app, "helper", &format!("/households/{own}"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            get(&w.app, "helper", &format!("/households/{}/edit", own))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get(&w.app, "helper", &format!("/regions/{TAOHONG}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let unpaired = outside(|| {
            w.db.store
                .households_in(&RegionCode::parse(TAOHONG).unwrap(), 0, 10)
        })
        .unwrap()
        .0
        .into_iter()
        .find(|h| &h.household_no != own)
        .unwrap();
        assert_eq!(
            get(
                &w.app,
                "helper",
                &format!("/households/{}", unpaired.household_no)
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert!(get(&w.app, "helper", "/paired")
            .await
            .body
            .contains(own.as_str()));

        assert_eq!(
            get(&w.app, "inspector", &format!("/households/{own}"))
                .await
                .status,
            StatusCode::OK
        );
        let r = call(
            &w.app,
            "inspector",
            Method::POST,
            &format!("/households/{own}/edit"),
            Some(encode(&household_form(&w.own.0, "1"))),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", w.db.name);
        let r = call(
            &w.app,
            "inspector",
            Method::POST,
            &format!("/households/{own}/members/0/reveal"),
            Some(form(&[("csrf", CSRF)])),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            get(&w.app, "dept", &format!("/households/{own}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&w.app, "dept", "/search?q=x").await.status,
            StatusCode::FORBIDDEN
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn id_numbers_are_masked_until_revealed_and_the_reveal_is_audited() {
    for w in worlds() {
        let no = &w.own.0.household_no;
        let id = &w.own.1[0].id_number;
        let page = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert!(!page.body.contains(id.as_str()), "{}", w.db.name);
        assert!(page.body.contains(&shouwang_core::id_number::mask(id)));
        let api = get(&w.app, "taohong", &format!("/api/v1/households/{no}")).await;
        assert!(!api.body.contains(id.as_str()));
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{no}/members/0/reveal"),
            Some(form(&[("csrf", CSRF)])),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(id.as_str()));
        assert_eq!(
            outside(|| w.db.store.count_events("id.reveal")).unwrap(),
            1,
            "{}",
            w.db.name
        );
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/api/v1/households/{no}/members/0/reveal"),
            None,
        )
        .await;
        assert!(r.body.contains(id.as_str()));
        assert_eq!(outside(|| w.db.store.count_events("id.reveal")).unwrap(), 2);
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    for w in worlds() {
        let no = &w.own.0.household_no;
        let mut f = household_form(&w.own.0, "1");
        f.retain(|(k, _)| k != "csrf");
        let r = send(
            &w.app,
            Some("taohong"),
            Method::POST,
            &format!("/households/{no}/edit"),
            Some(encode(&f)),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("CSRF 校验失败"), "{}", r.body);
        f.push(("csrf".into(), "wrong".into()));
        let r = send(
            &w.app,
            Some("taohong"),
            Method::POST,
            &format!("/households/{no}/edit"),
            Some(encode(&f)),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            outside(|| w.db.store.household(no))
                .unwrap()
                .unwrap()
                .version,
            1,
            "{}",
            w.db.name
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_invalid_id_number_on_the_form_is_shown_inline_and_nothing_is_saved() {
    for w in worlds() {
        let no = &w.own.0.household_no;
        let mut f = member_form(&w.own.1[0], "1");
        for kv in &mut f {
            if kv.0 == "id_number" {
                let mut bad = kv.1.clone();
                let last = bad.pop().unwrap();
                bad.push(if last == '0' { '1' } else { '0' });
                kv.1 = bad;
            }
        }
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{no}/members/0/edit"),
            Some(encode(&f)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", w.db.name);
        assert!(r.body.contains("校验位不正确"), "{}", r.body);
        assert!(r.body.contains("class=\"err\""));
        assert_eq!(
            outside(|| w.db.store.household(no))
                .unwrap()
                .unwrap()
                .members,
            w.own.1
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_second_head_via_the_api_is_refused_in_english_on_request() {
    for w in worlds() {
        let no = &w.own.0.household_no;
        let mut members = w.own.1.clone();
        let mut second = members[0].clone();
        second.id_number = shouwang_core::id_number::make_id(
            "510821",
            Date::new(1950, 2, 2).unwrap(),
            9,
            second.sex,
        );
        second.birth_date = Date::new(1950, 2, 2).unwrap();
        members.push(second);
        let r = call(
            &w.app,
            "taohong",
            Method::PUT,
            &format!("/api/v1/households/{no}?lang=en"),
            Some(json_body(&w.own.0, &members, 1)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["errors"][0]["code"], "head.several");
        assert!(v["message"].as_str().unwrap().contains("户主"));
        assert!(v["message_en"]
            .as_str()
            .unwrap()
            .contains("exactly one head"));
        // malformed JSON gets a clear 400 and changes nothing
        let r = call(
            &w.app,
            "taohong",
            Method::PUT,
            &format!("/api/v1/households/{no}"),
            Some(("application/json", "{\"household\": ".into())),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请求无效"));
        assert_eq!(
            outside(|| w.db.store.household(no))
                .unwrap()
                .unwrap()
                .version,
            1,
            "{}",
            w.db.name
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn signing_in_works_and_repeated_failures_lock_the_account() {
    for w in worlds() {
        let login = send(&w.app, None, Method::GET, "/login", None).await;
        assert_eq!(login.status, StatusCode::OK);
        assert!(login.body.contains("登录"));
        let pre = login
            .cookies
            .iter()
            .find(|c| c.starts_with("sw_pre="))
            .unwrap();
        let pre_token = pre
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("sw_pre=")
            .to_string();
        let attempt = |password: &'static str| {
            let app = w.app.clone();
            let pre_token = pre_token.clone();
            async move {
                let req = Request::post("/login")
                    .header(header::COOKIE, format!("sw_pre={pre_token}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(
                        serde_urlencoded::to_string([
                            ("csrf", pre_token.as_str()),
                            ("username", "county"),
                            ("password", password),
                        ])
                        .unwrap(),
                    ))
                    .unwrap();
                app.oneshot(req).await.unwrap()
            }
        };
        let ok = attempt("correct horse").await;
        assert_eq!(ok.status(), StatusCode::SEE_OTHER, "{}", w.db.name);
        let cookie = ok
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        for _ in 0..5 {
            assert_eq!(attempt("wrong").await.status(), StatusCode::UNAUTHORIZED);
        }
        // now even the right password is refused until the lock expires
        assert_eq!(
            attempt("correct horse").await.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            w.db.name
        );
        // a page without a session sends the visitor to sign in
        let r = send(&w.app, None, Method::GET, "/regions/510821", None).await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/login")
        );
        assert_eq!(
            send(&w.app, None, Method::GET, "/api/v1/me", None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_idle_session_expires() {
    for w in outside(|| {
        worlds_with(WebConfig {
            idle_timeout: -1,
            ..WebConfig::default()
        })
    }) {
        let r = get(&w.app, "county", "/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", w.db.name);
        assert!(outside(|| w.db.store.session(&token_hash("token-county")))
            .unwrap()
            .is_none());
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_tree_leads_from_county_to_household_in_chinese_or_english() {
    for w in worlds() {
        let county = get(&w.app, "county", "/regions/510821").await;
        assert!(
            county.body.contains("三江镇") && county.body.contains("龙凤镇"),
            "{}",
            w.db.name
        );
        let village = get(&w.app, "county", &format!("/regions/{TAOHONG}")).await;
        assert!(village.body.contains(&w.own.0.household_no));
        let en = get(&w.app, "county", &format!("/regions/{TAOHONG}?lang=en")).await;
        assert!(en.body.contains("Households") && en.body.contains("lang=\"en\""));
        let doc = get(&w.app, "county", "/api/openapi.json").await;
        let v: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        assert!(v["paths"]["/api/v1/households/{no}"]["put"].is_object());
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn demo_sign_in_links_exist_only_in_demo_mode() {
    for w in worlds() {
        let r = send(
            &w.app,
            None,
            Method::GET,
            "/demo-login/county?next=/regions/510821",
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", w.db.name);
        outside(move || drop(w));
    }
    for w in outside(|| {
        worlds_with(WebConfig {
            demo_mode: true,
            ..WebConfig::default()
        })
    }) {
        let r = send(
            &w.app,
            None,
            Method::GET,
            "/demo-login/county?next=//evil.example",
            None,
        )
        .await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/")
        );
        assert!(r.cookies.iter().any(|c| c.starts_with("sw_session=")));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_member_form_never_shows_the_full_id_and_keeps_it_when_sent_back_masked() {
    for w in worlds() {
        let no = w.own.0.household_no.clone();
        let id = w.own.1[0].id_number.clone();
        let form_page = get(
            &w.app,
            "taohong",
            &format!("/households/{no}/members/0/edit"),
        )
        .await;
        assert_eq!(form_page.status, StatusCode::OK);
        assert!(!form_page.body.contains(id.as_str()), "{}", w.db.name);
        let mut f = member_form(&w.own.1[0], "1");
        for kv in &mut f {
            if kv.0 == "id_number" {
                kv.1 = shouwang_core::id_number::mask(&id);
            }
        }
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{no}/members/0/edit"),
            Some(encode(&f)),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        let rec = outside(|| w.db.store.household(&no)).unwrap().unwrap();
        assert_eq!(rec.members[0].id_number, id);
        assert_eq!(rec.members[0].name, "改名");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_api_refusal_answers_the_specific_code_with_its_status_in_one_shape() {
    for w in worlds() {
        let no = &w.own.0.household_no;
        let json = |r: &Resp| -> serde_json::Value {
            let v: serde_json::Value = serde_json::from_str(&r.body)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", w.db.name, r.body));
            for key in ["code", "message", "message_en"] {
                assert!(v[key].is_string(), "{key} in {}", r.body);
            }
            assert!(v["errors"].is_array(), "{}", r.body);
            v
        };
        // a second head breaks a rule: 422 with the rule's own code, not a flat "invalid"
        let mut members = w.own.1.clone();
        let mut second = members[0].clone();
        second.id_number = shouwang_core::id_number::make_id(
            "510821",
            Date::new(1950, 2, 2).unwrap(),
            9,
            second.sex,
        );
        second.birth_date = Date::new(1950, 2, 2).unwrap();
        members.push(second);
        let r = call(
            &w.app,
            "taohong",
            Method::PUT,
            &format!("/api/v1/households/{no}"),
            Some(json_body(&w.own.0, &members, 1)),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(json(&r)["code"], "head.several");
        // registering a household number again collides with what is stored: 409
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            "/api/v1/households",
            Some(json_body(&w.own.0, &w.own.1, 0)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {}", w.db.name, r.body);
        let v = json(&r);
        assert_eq!(v["code"], "household_no.taken");
        assert_eq!(v["errors"][0]["field"], "household_no");
        // a version read before someone else's change is stale: 409
        let r = call(
            &w.app,
            "taohong",
            Method::PUT,
            &format!("/api/v1/households/{no}"),
            Some(json_body(&w.own.0, &w.own.1, 0)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}: {}", w.db.name, r.body);
        assert_eq!(json(&r)["code"], "stale");
        // a path that names nothing, or an address the API does not have: 404 in the same shape
        for uri in [
            format!("/api/v1/households/{no}/members/first/reveal"),
            "/api/v1/nothing-here".to_string(),
        ] {
            let r = call(&w.app, "taohong", Method::POST, &uri, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
            assert_eq!(json(&r)["code"], "not_found");
        }
        // the household is as it was
        assert_eq!(
            outside(|| w.db.store.household(no))
                .unwrap()
                .unwrap()
                .version,
            1,
            "{}",
            w.db.name
        );
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}
