//! The OpenAPI document (`/api/openapi.json`) says what the API really answers, on every
//! configured backend: each operation is called with real records (a synthetic county, screened),
//! and each answer, success or refusal, is checked against the schema the document gives for
//! its status. The schemas list every field and forbid others, so a field added to a record, or
//! taken from it, without the document following fails here.
//!
//! The check is a small JSON-schema reader for the part of OpenAPI 3.0 the document uses
//! (`$ref`, type, nullable, enum, required, properties, additionalProperties, items, oneOf,
//! minItems/maxItems, minLength, minimum, format date); patterns are left to schemathesis in CI.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use shouwang_core::codes::Relation;
use shouwang_core::id_number::make_id;
use shouwang_core::{Household, Member, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

mod openapi_check;
use openapi_check::{answer_schema, body_schema, violations};

// ------------------------------------------------------------------ the county

struct World {
    db: TestDb,
    app: Router,
    own: (Household, Vec<Member>),
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
                    .clone();
                signed_in_users(
                    &db.store,
                    &[
                        ("county", Role::County, "510821"),
                        ("taohong", Role::Village, TAOHONG),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, own }
            })
            .collect()
    })
}

struct Resp {
    status: StatusCode,
    content_type: String,
    body: Value,
}

async fn call(
    app: &Router,
    user: Option<&str>,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-csrf-token", CSRF);
    if let Some(u) = user {
        req = req.header(header::COOKIE, format!("{SESSION_COOKIE}=token-{u}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Resp {
        status,
        content_type,
        body,
    }
}

/// Calls `method uri` and checks the answer against the document for `path`; returns the body.
#[allow(clippy::too_many_arguments)]
async fn checked(
    w: &World,
    doc: &Value,
    user: Option<&str>,
    method: Method,
    path: &str,
    uri: &str,
    body: Option<Value>,
    expected: StatusCode,
) -> Value {
    let r = call(&w.app, user, method.clone(), uri, body).await;
    assert_eq!(
        r.status, expected,
        "{}: {method} {uri} answered {}",
        w.db.name, r.body
    );
    assert_eq!(r.content_type, "application/json", "{method} {uri}");
    let schema = answer_schema(doc, &method, path, r.status);
    let wrong = violations(doc, schema, &r.body, "$");
    assert!(
        wrong.is_empty(),
        "{}: {method} {uri} ({}) does not match the document:\n{}",
        w.db.name,
        r.status,
        wrong.join("\n")
    );
    r.body
}

#[tokio::test]
async fn every_answer_of_every_operation_matches_the_documented_schema() {
    for w in worlds() {
        let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
            .await
            .body;
        let own = w.own.0.household_no.clone();
        let year = today().year();
        let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
        let c = Some("county");

        // signing in, and failing to
        let login = "/api/v1/login";
        let good = json!({"username": "county", "password": "correct horse"});
        let bad = json!({"username": "county", "password": "wrong horse"});
        assert!(violations(&doc, body_schema(&doc, &post, login), &good, "$").is_empty());
        checked(
            &w,
            &doc,
            None,
            post.clone(),
            login,
            login,
            Some(good),
            StatusCode::OK,
        )
        .await;
        checked(
            &w,
            &doc,
            None,
            post.clone(),
            login,
            login,
            Some(bad),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        checked(
            &w,
            &doc,
            None,
            post.clone(),
            login,
            login,
            Some(json!([1])),
            StatusCode::BAD_REQUEST,
        )
        .await;

        let me = "/api/v1/me";
        checked(&w, &doc, c, get.clone(), me, me, None, StatusCode::OK).await;
        checked(
            &w,
            &doc,
            None,
            get.clone(),
            me,
            me,
            None,
            StatusCode::UNAUTHORIZED,
        )
        .await;

        // regions and their households
        let region = "/api/v1/regions/{code}";
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            region,
            "/api/v1/regions/510821",
            None,
            StatusCode::OK,
        )
        .await;
        assert!(!r["children"].as_array().unwrap().is_empty());
        checked(
            &w,
            &doc,
            Some("taohong"),
            get.clone(),
            region,
            &format!("/api/v1/regions/{LONGFENG}"),
            None,
            StatusCode::NOT_FOUND,
        )
        .await;
        let list = "/api/v1/regions/{code}/households";
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            list,
            "/api/v1/regions/510821/households?limit=3",
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(r["households"].as_array().unwrap().len(), 3);
        checked(
            &w,
            &doc,
            c,
            get.clone(),
            list,
            "/api/v1/regions/510821/households?limit=ten",
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;

        // a household: read, written back, written back stale, revealed
        let one = "/api/v1/households/{no}";
        let uri = format!("/api/v1/households/{own}");
        let record = checked(&w, &doc, c, get.clone(), one, &uri, None, StatusCode::OK).await;
        checked(
            &w,
            &doc,
            c,
            get.clone(),
            one,
            "/api/v1/households/none-such",
            None,
            StatusCode::NOT_FOUND,
        )
        .await;
        let mut changed = record["household"].clone();
        changed["address"] = json!("改过的地址");
        let sent = json!({"household": changed, "members": record["members"], "version": record["version"]});
        let wrong = violations(&doc, body_schema(&doc, &put, one), &sent, "$");
        assert!(
            wrong.is_empty(),
            "a household read is a body to send: {wrong:?}"
        );
        checked(
            &w,
            &doc,
            c,
            put.clone(),
            one,
            &uri,
            Some(sent.clone()),
            StatusCode::OK,
        )
        .await;
        checked(
            &w,
            &doc,
            c,
            put.clone(),
            one,
            &uri,
            Some(sent.clone()),
            StatusCode::CONFLICT,
        )
        .await;
        let reveal = "/api/v1/households/{no}/members/{idx}/reveal";
        let r = checked(
            &w,
            &doc,
            c,
            post.clone(),
            reveal,
            &format!("{uri}/members/0/reveal"),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(r["id_number"], json!(w.own.1[0].id_number));

        // a household whose two heads break a rule
        let create = "/api/v1/households";
        let heads: Vec<Member> = (0..2)
            .map(|i| {
                let mut m = w.own.1[0].clone();
                m.id_number = make_id("510821", m.birth_date, 900 + i, m.sex);
                m.relation = Relation::Head;
                m
            })
            .collect();
        let mut household = w.own.0.clone();
        household.household_no = "NEW-1".into();
        let two_heads = json!({"household": household, "members": heads});
        let r = checked(
            &w,
            &doc,
            c,
            post.clone(),
            create,
            create,
            Some(two_heads),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(!r["errors"].as_array().unwrap().is_empty());

        // search
        let search = "/api/v1/search";
        let name = w.own.1[0].name.clone();
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            search,
            &format!("/api/v1/search?q={}", urlencode(&name)),
            None,
            StatusCode::OK,
        )
        .await;
        assert!(!r["hits"].as_array().unwrap().is_empty());

        // warnings and leads, after a run
        let run = call(&w.app, c, post.clone(), "/warnings/run", None).await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", w.db.name);
        let warnings = "/api/v1/warnings";
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            warnings,
            "/api/v1/warnings?region=510821",
            None,
            StatusCode::OK,
        )
        .await;
        assert!(!r["warnings"].as_array().unwrap().is_empty());
        checked(
            &w,
            &doc,
            c,
            get.clone(),
            warnings,
            "/api/v1/warnings?level=purple",
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let of_household = "/api/v1/households/{no}/warnings";
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            of_household,
            &format!("{uri}/warnings"),
            None,
            StatusCode::OK,
        )
        .await;
        assert!(!r["warnings"].as_array().unwrap().is_empty());
        assert!(!r["leads"].as_array().unwrap().is_empty());

        // standards: read, set, refused
        let standards = "/api/v1/standards";
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            standards,
            &format!("/api/v1/standards?region=510821&year={year}"),
            None,
            StatusCode::OK,
        )
        .await;
        assert!(r["in_force"].is_object());
        let r = checked(
            &w,
            &doc,
            c,
            get.clone(),
            standards,
            "/api/v1/standards?year=1999",
            None,
            StatusCode::OK,
        )
        .await;
        assert!(r["in_force"].is_null());
        let set = "/api/v1/standards/{region}/{year}";
        let values = json!({"near_line_percent": 12, "warning_scheme": {"red_days": 2, "yellow_days": 5, "blue_days": 10}});
        assert!(violations(&doc, body_schema(&doc, &put, set), &values, "$").is_empty());
        checked(
            &w,
            &doc,
            c,
            put.clone(),
            set,
            &format!("/api/v1/standards/510821/{year}"),
            Some(values),
            StatusCode::OK,
        )
        .await;
        checked(
            &w,
            &doc,
            c,
            put.clone(),
            set,
            &format!("/api/v1/standards/510821/{year}"),
            Some(json!({"monitoring_line": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        checked(
            &w,
            &doc,
            Some("taohong"),
            put.clone(),
            set,
            &format!("/api/v1/standards/{TAOHONG}/{year}"),
            Some(json!({})),
            StatusCode::FORBIDDEN,
        )
        .await;

        // the working calendar: set, read, refused
        let calendar = "/api/v1/calendar";
        let days = json!({"days": [
            {"date": "2026-10-01", "kind": "法定节假日", "name": "国庆节"},
            {"date": "2026-10-10", "kind": "调休上班日"}
        ]});
        assert!(violations(&doc, body_schema(&doc, &put, calendar), &days, "$").is_empty());
        let r = checked(
            &w,
            &doc,
            c,
            put.clone(),
            calendar,
            "/api/v1/calendar?region=510821&year=2026",
            Some(days),
            StatusCode::OK,
        )
        .await;
        assert_eq!(r["days"].as_array().map(Vec::len), Some(2));
        let r = checked(
            &w,
            &doc,
            Some("taohong"),
            get.clone(),
            calendar,
            "/api/v1/calendar?year=2026",
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(r["days"][1]["region"], json!("510821"));
        assert_eq!(r["days"][1]["kind"], json!("调休上班日"));
        let twice = json!({"days": [
            {"date": "2026-10-01", "kind": "法定节假日"},
            {"date": "2026-10-01", "kind": "调休上班日"}
        ]});
        let r = checked(
            &w,
            &doc,
            c,
            put.clone(),
            calendar,
            "/api/v1/calendar?region=510821&year=2026",
            Some(twice),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(r["code"], json!("calendar.duplicate_date"));
        assert_eq!(r["errors"][0]["field"], json!("days[1].date"));
        checked(
            &w,
            &doc,
            c,
            put.clone(),
            calendar,
            "/api/v1/calendar?region=510821&year=2026",
            Some(json!({"days": [{"date": "2026-10-01", "kind": "放假"}]})),
            StatusCode::BAD_REQUEST,
        )
        .await;
        checked(
            &w,
            &doc,
            Some("taohong"),
            put.clone(),
            calendar,
            "/api/v1/calendar?year=2026",
            Some(json!({"days": []})),
            StatusCode::FORBIDDEN,
        )
        .await;
        checked(
            &w,
            &doc,
            c,
            get.clone(),
            calendar,
            "/api/v1/calendar?region=510822&year=2026",
            None,
            StatusCode::NOT_FOUND,
        )
        .await;

        // an address the API does not have answers in the one error shape
        let r = call(&w.app, c, get.clone(), "/api/v1/nothing-here", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let error = json!({"$ref": "#/components/schemas/Error"});
        assert!(
            violations(&doc, &error, &r.body, "$").is_empty(),
            "{}",
            r.body
        );
        outside(move || drop(w));
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn the_schema_check_finds_a_missing_field_an_extra_one_and_a_label_not_in_the_list() {
    let w = worlds().pop().unwrap();
    let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
        .await
        .body;
    let uri = format!("/api/v1/households/{}", w.own.0.household_no);
    let record = call(&w.app, Some("county"), Method::GET, &uri, None)
        .await
        .body;
    let schema = answer_schema(
        &doc,
        &Method::GET,
        "/api/v1/households/{no}",
        StatusCode::OK,
    );
    assert_eq!(violations(&doc, schema, &record, "$"), Vec::<String>::new());
    let mut extra = record.clone();
    extra["household"]["secret"] = json!(1);
    let mut missing = record.clone();
    missing["members"][0].as_object_mut().unwrap().remove("sex");
    let mut label = record.clone();
    label["members"][0]["relation"] = json!("邻居");
    let mut null = record;
    null["household"]["village"] = Value::Null;
    for (broken, what) in [
        (extra, "secret"),
        (missing, "sex"),
        (label, "邻居"),
        (null, "null"),
    ] {
        let found = violations(&doc, schema, &broken, "$");
        assert!(found.iter().any(|v| v.contains(what)), "{what}: {found:?}");
    }
    outside(move || drop(w));
}

#[tokio::test]
async fn extreme_numbers_in_a_query_or_path_are_answered_never_a_server_error() {
    for w in worlds() {
        let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
            .await
            .body;
        let run = call(&w.app, Some("county"), Method::POST, "/warnings/run", None).await;
        assert_eq!(run.status, StatusCode::SEE_OTHER, "{}", w.db.name);
        let (max, min) = (i64::MAX, i64::MIN);
        let (max32, min32) = (i32::MAX, i32::MIN);
        for (method, path, uri) in [
            (
                "GET",
                "/api/v1/warnings",
                format!("/api/v1/warnings?min_age_days={max}"),
            ),
            (
                "GET",
                "/api/v1/warnings",
                format!("/api/v1/warnings?min_age_days={min}&limit={min}"),
            ),
            (
                "GET",
                "/api/v1/regions/{code}/households",
                format!("/api/v1/regions/510821/households?offset={max}&limit={max}"),
            ),
            // a NUL byte, which PostgreSQL refuses in text
            (
                "GET",
                "/api/v1/search",
                "/api/v1/search?q=%E5%BC%A0%00".to_string(),
            ),
            (
                "GET",
                "/api/v1/households/{no}",
                "/api/v1/households/A%00B".to_string(),
            ),
            (
                "GET",
                "/api/v1/regions/{code}",
                "/api/v1/regions/51%00".to_string(),
            ),
            (
                "GET",
                "/api/v1/standards",
                format!("/api/v1/standards?year={max32}"),
            ),
            (
                "GET",
                "/api/v1/standards",
                format!("/api/v1/standards?year={min32}"),
            ),
            (
                "PUT",
                "/api/v1/standards/{region}/{year}",
                format!("/api/v1/standards/510821/{max32}"),
            ),
            (
                "PUT",
                "/api/v1/standards/{region}/{year}",
                format!("/api/v1/standards/510821/{min32}"),
            ),
            (
                "GET",
                "/api/v1/calendar",
                format!("/api/v1/calendar?year={min32}"),
            ),
            (
                "GET",
                "/api/v1/calendar",
                format!("/api/v1/calendar?year={max32}"),
            ),
            (
                "PUT",
                "/api/v1/calendar",
                format!("/api/v1/calendar?year={max32}"),
            ),
        ] {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = (method == Method::PUT).then(|| {
                if path == "/api/v1/calendar" {
                    json!({"days": []})
                } else {
                    json!({"near_line_percent": 12})
                }
            });
            let r = call(&w.app, Some("county"), method.clone(), &uri, body).await;
            assert!(
                r.status.as_u16() < 500,
                "{}: {method} {uri} answered {}: {}",
                w.db.name,
                r.status,
                r.body
            );
            let schema = answer_schema(&doc, &method, path, r.status);
            let wrong = violations(&doc, schema, &r.body, "$");
            assert!(wrong.is_empty(), "{method} {uri}: {wrong:?}");
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_method_an_address_does_not_take_is_refused_in_the_one_error_shape() {
    for w in worlds() {
        let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
            .await
            .body;
        let error = json!({"$ref": "#/components/schemas/Error"});
        for (method, uri) in [
            (Method::DELETE, "/api/v1/me".to_string()),
            (Method::GET, "/api/v1/login".to_string()),
            (
                Method::PATCH,
                format!("/api/v1/households/{}", w.own.0.household_no),
            ),
        ] {
            let r = call(&w.app, Some("county"), method.clone(), &uri, None).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert_eq!(r.content_type, "application/json", "{method} {uri}");
            assert_eq!(r.body["code"], json!("method_not_allowed"));
            let wrong = violations(&doc, &error, &r.body, "$");
            assert!(wrong.is_empty(), "{method} {uri}: {wrong:?}");
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_documents_examples_fit_their_own_schemas() {
    let w = worlds().pop().unwrap();
    let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
        .await
        .body;
    let mut found = 0;
    let mut wrong = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            found += 1;
            wrong.extend(violations(&doc, schema, example, name));
        }
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().unwrap() {
                if let Some(example) = p["schema"].get("example") {
                    found += 1;
                    let at = format!("{method} {path} {}", p["name"]);
                    wrong.extend(violations(&doc, &p["schema"], example, &at));
                }
            }
        }
    }
    assert!(found >= 10, "{found} examples");
    assert!(wrong.is_empty(), "{wrong:#?}");
    outside(move || drop(w));
}

#[tokio::test]
async fn a_nul_character_in_a_body_is_refused_naming_the_field_never_a_server_error() {
    for w in worlds() {
        let doc = call(&w.app, None, Method::GET, "/api/openapi.json", None)
            .await
            .body;
        let year = today().year();
        let mut household = serde_json::to_value(&w.own.0).unwrap();
        household["household_no"] = json!("NUL-1");
        household["address"] = json!("1组\u{0}号");
        // a head nobody has registered, so that nothing but the NUL stands in the way
        let mut head = w.own.1[0].clone();
        head.id_number = make_id("510821", head.birth_date, 77, head.sex);
        head.relation = Relation::Head;
        let no = &w.own.0.household_no;
        let mut changed = serde_json::to_value(&w.own.0).unwrap();
        changed["group"] = json!("\u{0}");
        for (method, path, uri, body, field) in [
            (
                Method::POST,
                "/api/v1/households",
                "/api/v1/households".to_string(),
                json!({"household": household, "members": [head.clone()]}),
                "household.address",
            ),
            (
                Method::PUT,
                "/api/v1/households/{no}",
                format!("/api/v1/households/{no}"),
                json!({"household": changed, "members": w.own.1, "version": 1}),
                "household.group",
            ),
            (
                Method::PUT,
                "/api/v1/standards/{region}/{year}",
                format!("/api/v1/standards/510821/{year}"),
                json!({"document": "文\u{0}号"}),
                "document",
            ),
            (
                Method::POST,
                "/api/v1/login",
                "/api/v1/login".to_string(),
                json!({"username": "county\u{0}", "password": "x"}),
                "username",
            ),
        ] {
            let r = call(&w.app, Some("county"), method.clone(), &uri, Some(body)).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{}: {method} {uri}: {}",
                w.db.name,
                r.body
            );
            assert_eq!(r.body["errors"][0]["field"], json!(field), "{}", r.body);
            let schema = answer_schema(&doc, &method, path, r.status);
            assert!(violations(&doc, schema, &r.body, "$").is_empty());
        }
        outside(move || drop(w));
    }
}
