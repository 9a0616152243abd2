//! The screening pages on every configured backend: role and region scope on every new route,
//! incomes entered through the form, a county run, warnings with evidence, what-if, standards.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::{Fen, Household, RegionCode, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    own: Household,
    other: Household,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let own = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap()
                    .0
                    .clone();
                let other = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == LONGFENG)
                    .unwrap()
                    .0
                    .clone();
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                        ("inspector", Role::Inspector, "510821"),
                        ("dept", Role::Department, "510821"),
                        ("helper", Role::AssistancePerson, TAOHONG),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    own,
                    other,
                }
            })
            .collect()
    })
}

struct Resp {
    status: StatusCode,
    body: String,
    location: String,
}

async fn call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    form: Option<&[(&str, &str)]>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .header("x-csrf-token", CSRF);
    let body = match form {
        Some(pairs) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(pairs).unwrap())
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
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        location,
    }
}

fn db_rules(db: &TestDb) -> Result<shouwang_core::screening::RuleSet, shouwang_store::StoreError> {
    db.store
        .rule_set(&RegionCode::parse("510821").unwrap(), 2026)
}

const INCOME_FORM: &[(&str, &str)] = &[
    ("year", "2026"),
    ("quarter", "0"),
    ("wages", "12000.50"),
    ("transfers", "800"),
];

#[tokio::test]
async fn every_screening_route_checks_role_and_region() {
    for w in worlds() {
        let other = &w.other.household_no;
        let own = &w.own.household_no;
        // a village cadre: another village is not found, county actions are not allowed
        for (method, uri, form) in [
            (Method::GET, format!("/households/{other}/income"), None),
            (Method::GET, format!("/households/{other}/warnings"), None),
            (
                Method::POST,
                format!("/households/{other}/income"),
                Some(INCOME_FORM),
            ),
            (
                Method::POST,
                format!("/households/{other}/guarantees"),
                Some(&[("as_of", "2026-10-01"), ("unsafe_water", "1")][..]),
            ),
            (Method::GET, format!("/warnings?region={LONGFENG}"), None),
            (Method::GET, "/standards?region=510821".to_string(), None),
        ] {
            let r = call(&w.app, "taohong", method.clone(), &uri, form).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{} taohong {method} {uri}",
                w.db.name
            );
        }
        for (user, method, uri, form) in [
            ("taohong", Method::POST, "/warnings/run".to_string(), None),
            // what-if is the county's and townships' tool, in no village
            (
                "taohong",
                Method::GET,
                format!("/what-if?region={TAOHONG}"),
                None,
            ),
            (
                "taohong",
                Method::GET,
                format!("/what-if?region={LONGFENG}"),
                None,
            ),
            ("sanjiang", Method::POST, "/warnings/run".to_string(), None),
            ("inspector", Method::POST, "/warnings/run".to_string(), None),
            (
                "sanjiang",
                Method::POST,
                "/standards".to_string(),
                Some(&[("region", "510821108"), ("year", "2026"), ("line", "9000")][..]),
            ),
            (
                "inspector",
                Method::POST,
                format!("/households/{own}/income"),
                Some(INCOME_FORM),
            ),
            ("dept", Method::GET, "/warnings".to_string(), None),
            ("helper", Method::GET, "/warnings".to_string(), None),
        ] {
            let r = call(&w.app, user, method.clone(), &uri, form).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{} {user} {method} {uri}",
                w.db.name
            );
        }
        // nothing was written by the refused calls
        let db = &w.db;
        assert!(outside(|| db.store.incomes(other))
            .unwrap()
            .iter()
            .all(|i| i.wages == Fen::from_yuan(1_000)));
        assert!(outside(|| db.store.guarantees(other)).unwrap().is_empty());
        assert!(
            outside(|| db.store.runs(&RegionCode::parse("510821").unwrap(), 5))
                .unwrap()
                .is_empty()
        );
        // the cadre's own village works
        for uri in [
            format!("/households/{own}/income"),
            format!("/households/{own}/warnings"),
            format!("/warnings?region={TAOHONG}"),
            format!("/standards?region={TAOHONG}"),
        ] {
            let r = call(&w.app, "taohong", Method::GET, &uri, None).await;
            assert_eq!(r.status, StatusCode::OK, "{} {uri}: {}", w.db.name, r.body);
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_county_officer_screens_and_sees_graded_warnings_with_evidence() {
    for w in worlds() {
        let own = w.own.household_no.clone();
        // an income through the form, in 元, with the computation shown
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{own}/income"),
            Some(INCOME_FORM),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        let r = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{own}/income"),
            None,
        )
        .await;
        assert!(r.body.contains("12,800.50"), "{}", w.db.name);
        assert!(r.body.contains("人均纯收入"));
        // an absurd income is refused with a message, nothing written
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{own}/income"),
            Some(&[("year", "2026"), ("quarter", "0"), ("wages", "-5")]),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        // named beside the field, which keeps what was typed
        assert!(
            r.body.contains("<span class=\"err\">工资性收入不能为负数"),
            "{}",
            r.body
        );
        assert!(r.body.contains("name=\"wages\" value=\"-5\""), "{}", r.body);
        // the run
        let r = call(&w.app, "county", Method::POST, "/warnings/run", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        assert_eq!(r.location, "/warnings", "{}", r.location);
        let r = call(&w.app, "county", Method::POST, "/warnings/run", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", w.db.name);
        let r = call(&w.app, "county", Method::GET, "/warnings?level=red", None).await;
        assert!(r.body.contains("红色预警"), "{}", w.db.name);
        assert!(r.body.contains("低于监测线"), "{}", w.db.name);
        // a village cadre sees only the village's warnings
        let r = call(&w.app, "taohong", Method::GET, "/warnings", None).await;
        assert!(r.body.contains(&own));
        assert!(!r.body.contains(&w.other.household_no));
        let r = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{own}/warnings"),
            None,
        )
        .await;
        assert!(r.body.contains("系统筛查"), "{}", w.db.name);
        assert!(r.body.contains(&format!("{} 年台账", today().year())));
        // what-if: a lower line flags fewer, nothing written
        let r = call(&w.app, "county", Method::GET, "/what-if?line=100", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("三江镇"));
        let r = call(&w.app, "county", Method::GET, "/what-if?line=-3", None).await;
        assert!(
            r.body.contains("class=\"error\" role=\"alert\""),
            "{}",
            r.body
        );
        // the county saves edited rule levels as a new rule-set version; a village cadre may not
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            "/rules",
            Some(&[("region", TAOHONG), ("R05", "off")]),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = call(
            &w.app,
            "county",
            Method::POST,
            "/rules",
            Some(&[
                ("region", "510821"),
                ("year", "2026"),
                ("R05", "off"),
                ("near_line_percent", "15"),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        let rules = outside(|| db_rules(&w.db)).unwrap();
        assert_eq!(rules.version, 2);
        assert!(
            !rules
                .setting(shouwang_core::screening::RuleId::UnsafeHousing)
                .enabled
        );
        let r = call(
            &w.app,
            "county",
            Method::POST,
            "/rules",
            Some(&[
                ("region", "510821"),
                ("year", "2026"),
                ("near_line_percent", "500"),
            ]),
        )
        .await;
        assert_eq!(r.status.as_u16(), 422, "{}", r.body);
        // standards: the county sets its line, audited
        let r = call(
            &w.app,
            "county",
            Method::POST,
            "/standards",
            Some(&[("region", "510821"), ("year", "2026"), ("line", "9100")]),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", w.db.name, r.body);
        let db = &w.db;
        let county = RegionCode::parse("510821").unwrap();
        assert_eq!(
            outside(|| db.store.resolved_standard(&county, 2026))
                .unwrap()
                .monitoring_line,
            Fen::from_yuan(9100)
        );
        assert_eq!(
            outside(|| db.store.history("standard", "510821/2026", 5))
                .unwrap()
                .len(),
            1
        );
        let r = call(&w.app, "county", Method::GET, "/standards", None).await;
        assert!(r.body.contains("9100"));
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}

async fn json_call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    body: Option<String>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .header("x-csrf-token", CSRF);
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
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
    }
}

#[tokio::test]
async fn standards_and_warnings_through_the_api_respect_role_and_region() {
    for w in worlds() {
        let year = today().year();
        // the county sets its own warning scheme (response days) and line; the line is in 分
        let body = r#"{"monitoring_line": 920000, "warning_scheme": {"red_days": 2, "yellow_days": 5, "blue_days": 10}}"#;
        let r = json_call(
            &w.app,
            "county",
            Method::PUT,
            &format!("/api/v1/standards/510821/{year}"),
            Some(body.into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", w.db.name, r.body);
        let r = json_call(
            &w.app,
            "county",
            Method::GET,
            "/api/v1/standards?region=510821",
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["in_force"]["monitoring_line"], 920000, "{}", r.body);
        assert_eq!(v["in_force"]["warning_scheme"]["red_days"], 2);
        // a county may not set its province's standard, a township may not set any, a village
        // cadre of another county gets nothing
        let r = json_call(
            &w.app,
            "county",
            Method::PUT,
            &format!("/api/v1/standards/51/{year}"),
            Some(body.into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = json_call(
            &w.app,
            "sanjiang",
            Method::PUT,
            &format!("/api/v1/standards/510821108/{year}"),
            Some(body.into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // a line that is not a number is refused with a clear message, and nothing changes
        let r = json_call(
            &w.app,
            "county",
            Method::PUT,
            &format!("/api/v1/standards/510821/{year}"),
            Some(r#"{"monitoring_line": "lots"}"#.into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("请求无效"));
        // the form sets response days only as a complete scheme
        let partial = [
            ("region", "510821"),
            ("year", "2026"),
            ("line", "9200"),
            ("red_days", "2"),
        ];
        let r = call(&w.app, "county", Method::POST, "/standards", Some(&partial)).await;
        assert!(r.body.contains("三级响应天数"), "{}", w.db.name);
        // after a run, the county sees warnings; the village cadre sees only their own village's
        let r = call(
            &w.app,
            "county",
            Method::POST,
            "/warnings/run",
            Some(&[("region", "510821")]),
        )
        .await;
        assert!(
            r.status.is_redirection() || r.status.is_success(),
            "{}",
            r.status
        );
        let all = json_call(
            &w.app,
            "county",
            Method::GET,
            "/api/v1/warnings?region=510821",
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&all.body).unwrap();
        assert!(
            !v["warnings"].as_array().unwrap().is_empty(),
            "{}: {}",
            w.db.name,
            all.body
        );
        let mine = json_call(&w.app, "taohong", Method::GET, "/api/v1/warnings", None).await;
        let v: serde_json::Value = serde_json::from_str(&mine.body).unwrap();
        assert!(v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["village"] == TAOHONG));
        let other = &w.other.household_no;
        let r = json_call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/api/v1/households/{other}/warnings"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let own = &w.own.household_no;
        let r = json_call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/api/v1/households/{own}/warnings"),
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            v["warnings"][0]["evidence"].is_object() || v["warnings"][0]["evidence"].is_array(),
            "{}",
            r.body
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_filter_the_api_cannot_read_is_refused_not_ignored() {
    for w in worlds() {
        let refused = |r: &Resp, param: &str| {
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{}: {}",
                w.db.name,
                r.body
            );
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(v["code"], "query.invalid", "{}", r.body);
            assert_eq!(v["errors"][0]["code"], "query.invalid");
            assert_eq!(v["errors"][0]["field"], param, "{}", r.body);
        };
        for (uri, param) in [
            ("/api/v1/warnings?level=purple", "level"),
            ("/api/v1/warnings?risk=bad-luck", "risk"),
            ("/api/v1/warnings?rule=R99", "rule"),
            ("/api/v1/warnings?min_age_days=soon", "min_age_days"),
            ("/api/v1/warnings?limit=ten", "limit"),
            ("/api/v1/warnings?region=somewhere", "region"),
            ("/api/v1/warnings?levle=red", "levle"),
            ("/api/v1/warnings?level=red&level=blue", "level"),
            ("/api/v1/standards?year=next", "year"),
            ("/api/v1/regions/510821/households?offset=x", "offset"),
            ("/api/v1/me?verbose=1", "verbose"),
        ] {
            let r = json_call(&w.app, "county", Method::GET, uri, None).await;
            refused(&r, param);
        }
        // the message names the parameter and what it accepts, in both languages
        let r = json_call(
            &w.app,
            "county",
            Method::GET,
            "/api/v1/warnings?level=purple",
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(v["message"].as_str().unwrap().contains("purple"));
        assert!(v["message_en"]
            .as_str()
            .unwrap()
            .contains("red, yellow, blue"));
        // values that parse, an empty value (no filter) and the language are accepted
        for uri in [
            "/api/v1/warnings?level=red&risk=%E5%9B%A0%E7%97%85&rule=R01&min_age_days=0&limit=10",
            "/api/v1/warnings?level=&region=510821&lang=en",
            "/api/v1/standards?year=2026",
        ] {
            let r = json_call(&w.app, "county", Method::GET, uri, None).await;
            assert_eq!(r.status, StatusCode::OK, "{}: {uri}: {}", w.db.name, r.body);
        }
        // a region that parses but lies outside the caller's is not found, as before
        let r = json_call(
            &w.app,
            "taohong",
            Method::GET,
            "/api/v1/warnings?region=510821",
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        // the PostgreSQL client owns a runtime, which may only be dropped off the async thread
        outside(move || drop(w));
    }
}
