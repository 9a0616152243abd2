//! 部门数据接口推送 through the real router, on every configured backend: the county makes a
//! token on `/dept/tokens` (shown once, only its hash stored), lists and revokes it; a township
//! user cannot reach the page; a department pushes JSON lines or CSV with the token alone (no
//! session, no CSRF) and gets its batch with the counts and the alert it raised; the same push
//! again is the same batch and doubles nothing; a member outside the token's region is queued
//! unmatched as outside the region and raises nothing; each refusal (no token, an unknown or
//! revoked one, another kind, an unknown kind, a malformed line, a wrong content type, a bad
//! batch id or period) answers its code in the document's shape and writes nothing.

use axum::http::{header, Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use shouwang_core::{Household, Member, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
mod openapi_check;
use common::{outside, send, signed_in_users, with_two_villages, Answer, LONGFENG, TAOHONG};
use openapi_check::{answer_schema, document, violations};

const PUSH: &str = "/api/v1/dept/{kind}/records";

struct World {
    db: TestDb,
    app: Router,
    data: Vec<(Household, Vec<Member>)>,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                signed_in_users(
                    &db.store,
                    &[
                        ("county", Role::County, "510821"),
                        ("sanjiang", Role::Township, "510821108"),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, data }
            })
            .collect()
    })
}

/// The first living member of a household of `village`: (ID number, name).
fn member_of(w: &World, village: &str) -> (String, String) {
    w.data
        .iter()
        .filter(|(h, _)| h.village.as_str() == village)
        .flat_map(|(_, ms)| ms.iter())
        .find(|m| m.deceased_on.is_none())
        .map(|m| (m.id_number.clone(), m.name.clone()))
        .expect("a member")
}

/// The token a creation page shows: `swd_` and 64 hex digits.
fn shown_token(page: &str) -> String {
    let at = page.find("value=\"swd_").expect("the token is shown") + 7;
    page[at..at + 68].to_string()
}

/// Creates a token on the page as the county user; returns it as shown.
async fn make_token(w: &World, name: &str, kind: &str, region: &str) -> String {
    let a = send(
        &w.app,
        "county",
        Method::POST,
        "/dept/tokens",
        &[],
        Some(&[("name", name), ("kind", kind), ("region", region)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}: {}", w.db.name, a.body);
    shown_token(&a.body)
}

/// The rows of a table (with a condition), counted off the async thread.
fn count(w: &World, table: &str) -> i64 {
    outside(|| w.db.count_rows(table))
}

/// The id of a token, as the store finds it by the token.
fn token_id(w: &World, token: &str) -> i64 {
    let (store, token) = (w.db.store.clone(), token.to_string());
    outside(move || store.authenticate_dept_token(&token).unwrap().unwrap().id)
}

/// One push: `Authorization: Bearer token` (when given) and nothing else of a browser, unless
/// `cookie` (a signed-in session) is given.
async fn push(
    app: &Router,
    token: Option<&str>,
    uri: &str,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Answer {
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(axum::body::Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    common::answer(resp).await
}

fn json_of(a: &Answer) -> Value {
    serde_json::from_slice(&a.bytes).unwrap_or(Value::Null)
}

/// Fails unless the answer has `status` and fits the document's schema for it.
fn documented(doc: &Value, a: &Answer, status: StatusCode, what: &str) -> Value {
    assert_eq!(a.status, status, "{what}: {}", a.body);
    let body = json_of(a);
    let wrong = violations(
        doc,
        answer_schema(doc, &Method::POST, PUSH, status),
        &body,
        "$",
    );
    assert!(wrong.is_empty(), "{what}: {wrong:?}\n{}", a.body);
    body
}

fn refused(doc: &Value, a: &Answer, status: StatusCode, code: &str, what: &str) -> Value {
    let body = documented(doc, a, status, what);
    assert_eq!(body["code"], json!(code), "{what}: {}", a.body);
    body
}

/// Whether the token's text is anywhere in the database: every text column of the tables a
/// token could reach, and on SQLite the database files' bytes themselves.
fn stored_anywhere(w: &World, token: &str) -> bool {
    let like = format!("'%{token}%'");
    let rows = count(
        w,
        &format!(
            "dept_tokens WHERE token_hash LIKE {like} OR hint LIKE {like} OR name LIKE {like}"
        ),
    ) + count(
        w,
        &format!(
            "audit_events WHERE before LIKE {like} OR after LIKE {like} OR entity_key LIKE {like}"
        ),
    );
    let in_files = w.db.sqlite_path().is_some_and(|p| {
        ["", "-wal"].iter().any(|suffix| {
            let mut path = p.clone().into_os_string();
            path.push(suffix);
            std::fs::read(path)
                .map(|bytes| bytes.windows(token.len()).any(|x| x == token.as_bytes()))
                .unwrap_or(false)
        })
    });
    rows > 0 || in_files
}

#[tokio::test]
async fn the_county_makes_a_token_shown_once_lists_it_and_revokes_it() {
    for w in worlds() {
        let name = &w.db.name;
        let page = send(&w.app, "county", Method::GET, "/dept/tokens", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert!(page.body.contains("尚未发放令牌"), "{name}");
        assert!(
            page.body.contains("桃红村"),
            "{name}: the villages are offered"
        );
        let made = send(
            &w.app,
            "county",
            Method::POST,
            "/dept/tokens",
            &[],
            Some(&[
                ("name", "县医保局结算系统"),
                ("kind", "medical"),
                ("region", TAOHONG),
            ]),
        )
        .await;
        assert_eq!(made.status, StatusCode::OK, "{name}: {}", made.body);
        let token = shown_token(&made.body);
        assert!(token.starts_with("swd_") && token.len() == 68, "{token}");
        assert!(made.body.contains("只显示这一次"), "{name}: the warning");
        // only its hash is stored, and the audit names it without it
        assert!(!stored_anywhere(&w, &token), "{name}: the token is stored");
        assert!(
            !stored_anywhere(&w, &token[10..40]),
            "{name}: part of the token is stored"
        );
        let hash = shouwang_store::dept_tokens::hash(&token);
        assert_eq!(
            count(&w, &format!("dept_tokens WHERE token_hash = '{hash}'")),
            1,
            "{name}"
        );
        assert_eq!(
            count(&w, "audit_events WHERE action = 'dept.token.create'"),
            1,
            "{name}"
        );
        // the list shows it without the token
        let list = send(&w.app, "county", Method::GET, "/dept/tokens", &[], None).await;
        assert!(list.body.contains("县医保局结算系统"), "{name}");
        assert!(list.body.contains("桃红村"), "{name}");
        assert!(list.body.contains(&format!("{}…", &token[..8])), "{name}");
        assert!(
            !list.body.contains(&token),
            "{name}: the token is shown again"
        );
        assert!(list.body.contains("有效"), "{name}");
        // the English page
        let en = send(
            &w.app,
            "county",
            Method::GET,
            "/dept/tokens?lang=en",
            &[],
            None,
        )
        .await;
        assert!(en.body.contains("Department API tokens"), "{name}");
        // a token without a name or kind is refused and nothing is made
        let bad = send(
            &w.app,
            "county",
            Method::POST,
            "/dept/tokens",
            &[],
            Some(&[("name", ""), ("kind", "nonsense"), ("region", LONGFENG)]),
        )
        .await;
        assert!(bad.status.is_client_error(), "{name}: {}", bad.status);
        assert!(bad.body.contains("请选择数据种类"), "{name}");
        assert!(!bad.body.contains("value=\"swd_"), "{name}");
        let outside_county = send(
            &w.app,
            "county",
            Method::POST,
            "/dept/tokens",
            &[],
            Some(&[("name", "x"), ("kind", "medical"), ("region", "510822")]),
        )
        .await;
        assert!(outside_county.status.is_client_error(), "{name}");
        assert_eq!(count(&w, "dept_tokens"), 1, "{name}");
        // revoking asks first, then revokes
        let id = token_id(&w, &token);
        let ask = send(
            &w.app,
            "county",
            Method::POST,
            &format!("/dept/tokens/{id}/revoke"),
            &[],
            Some(&[]),
        )
        .await;
        assert_eq!(ask.status, StatusCode::OK, "{name}");
        assert!(ask.body.contains("确认撤销"), "{name}");
        assert_eq!(
            count(&w, "dept_tokens WHERE revoked_at IS NULL"),
            1,
            "{name}: asking revokes nothing"
        );
        let done = send(
            &w.app,
            "county",
            Method::POST,
            &format!("/dept/tokens/{id}/revoke"),
            &[],
            Some(&[("confirm", "yes")]),
        )
        .await;
        let shown = common::follow(&w.app, "county", &done).await;
        assert!(shown.body.contains("已撤销令牌"), "{name}: {}", shown.body);
        assert!(shown.body.contains("已撤销"), "{name}");
        assert_eq!(
            count(&w, "dept_tokens WHERE revoked_at IS NOT NULL"),
            1,
            "{name}"
        );
        assert_eq!(
            count(&w, "audit_events WHERE action = 'dept.token.revoke'"),
            1,
            "{name}"
        );
        // a token of no such id is not found
        let none = send(
            &w.app,
            "county",
            Method::POST,
            "/dept/tokens/999999/revoke",
            &[],
            Some(&[("confirm", "yes")]),
        )
        .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{name}");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_township_user_cannot_reach_the_tokens() {
    for w in worlds() {
        let name = &w.db.name;
        let page = send(&w.app, "sanjiang", Method::GET, "/dept/tokens", &[], None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{name}");
        let made = send(
            &w.app,
            "sanjiang",
            Method::POST,
            "/dept/tokens",
            &[],
            Some(&[("name", "x"), ("kind", "medical"), ("region", TAOHONG)]),
        )
        .await;
        assert_eq!(made.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(count(&w, "dept_tokens"), 0, "{name}");
        let token = make_token(&w, "县住建局", "housing", "510821").await;
        let id = token_id(&w, &token);
        let revoke = send(
            &w.app,
            "sanjiang",
            Method::POST,
            &format!("/dept/tokens/{id}/revoke"),
            &[],
            Some(&[("confirm", "yes")]),
        )
        .await;
        assert_eq!(revoke.status, StatusCode::FORBIDDEN, "{name}");
        assert_eq!(
            count(&w, "dept_tokens WHERE revoked_at IS NULL"),
            1,
            "{name}"
        );
        // the department page links the tokens for the county only
        let dept = send(&w.app, "sanjiang", Method::GET, "/dept", &[], None).await;
        assert_eq!(dept.status, StatusCode::OK, "{name}");
        assert!(
            !dept.body.contains("/dept/tokens"),
            "{name}: no link for a township"
        );
        let dept = send(&w.app, "county", Method::GET, "/dept", &[], None).await;
        assert!(
            dept.body.contains("/dept/tokens"),
            "{name}: the county's link"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn each_refused_push_answers_its_code_and_writes_nothing() {
    for w in worlds() {
        let name = w.db.name.to_string();
        let doc = document(&w.app).await;
        let token = make_token(&w, "县医保局", "medical", "510821").await;
        let (id_number, _) = member_of(&w, TAOHONG);
        let line = json!({"id_number": id_number, "self_paid": 100}).to_string();
        let nd = "application/x-ndjson";
        let uri = "/api/v1/dept/medical/records";
        // no token, a wrong one, a session without a token
        let a = push(&w.app, None, uri, nd, &line, &[]).await;
        refused(
            &doc,
            &a,
            StatusCode::UNAUTHORIZED,
            "dept.token_invalid",
            &name,
        );
        let a = push(&w.app, Some("swd_0000"), uri, nd, &line, &[]).await;
        refused(
            &doc,
            &a,
            StatusCode::UNAUTHORIZED,
            "dept.token_invalid",
            &name,
        );
        let cookie = format!("{}=token-county", shouwang_web::auth::SESSION_COOKIE);
        let a = push(&w.app, None, uri, nd, &line, &[("cookie", &cookie)]).await;
        refused(
            &doc,
            &a,
            StatusCode::UNAUTHORIZED,
            "dept.token_invalid",
            &name,
        );
        // the way around the session layer is this address only: another write still needs CSRF
        let other = push(
            &w.app,
            Some(&token),
            "/api/v1/tasks/generate",
            "application/json",
            "{\"region\": \"510821\"}",
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(
            other.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            other.body
        );
        assert_eq!(json_of(&other)["code"], json!("csrf"), "{name}");
        // another kind, an unknown kind
        let a = push(
            &w.app,
            Some(&token),
            "/api/v1/dept/dibao/records",
            nd,
            &line,
            &[],
        )
        .await;
        refused(&doc, &a, StatusCode::FORBIDDEN, "dept.token_scope", &name);
        let a = push(
            &w.app,
            Some(&token),
            "/api/v1/dept/weather/records",
            nd,
            &line,
            &[],
        )
        .await;
        refused(
            &doc,
            &a,
            StatusCode::BAD_REQUEST,
            "dept.kind_unknown",
            &name,
        );
        // a malformed second line refuses the whole push, naming the line
        let body = format!("{line}\n{{\"id_number\": \"1\", \"self_paid\": }}\n");
        let a = push(&w.app, Some(&token), uri, nd, &body, &[]).await;
        let b = refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        assert_eq!(b["errors"][0]["field"], json!("line 2"), "{name}");
        assert!(b["message"].as_str().unwrap().contains("第2行"), "{name}");
        // a key the kind does not have
        let body = format!("{line}\n{line}\n{{\"id_number\": \"1\", \"loss\": 5}}\n");
        let a = push(&w.app, Some(&token), uri, nd, &body, &[]).await;
        let b = refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        assert_eq!(b["errors"][0]["field"], json!("line 3"), "{name}");
        // a line over 16 KiB
        let long = format!("{line}\n{{\"name\": \"{}\"}}\n", "x".repeat(20_000));
        let a = push(&w.app, Some(&token), uri, nd, &long, &[]).await;
        refused(
            &doc,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            "dept.push_over_limit",
            &name,
        );
        // a body over 64 MiB
        let huge = format!("{line}\n").repeat(64 * 1024 * 1024 / line.len() + 1);
        let a = push(&w.app, Some(&token), uri, nd, &huge, &[]).await;
        let b = refused(
            &doc,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            "dept.push_over_limit",
            &name,
        );
        assert!(
            b["message_en"].as_str().unwrap().contains("64 MiB"),
            "{name}"
        );
        drop(huge);
        // a body that is no JSON lines or CSV, a bad batch id, a bad period, an empty push
        let a = push(&w.app, Some(&token), uri, "application/json", &line, &[]).await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        let a = push(
            &w.app,
            Some(&token),
            uri,
            nd,
            &line,
            &[("idempotency-key", "a b")],
        )
        .await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        let a = push(
            &w.app,
            Some(&token),
            &format!("{uri}?batch_id={}", "x".repeat(65)),
            nd,
            &line,
            &[],
        )
        .await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        let a = push(
            &w.app,
            Some(&token),
            &format!("{uri}?period=2026-13"),
            nd,
            &line,
            &[],
        )
        .await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.period", &name);
        let a = push(
            &w.app,
            Some(&token),
            &format!("{uri}?colour=red"),
            nd,
            &line,
            &[],
        )
        .await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "query.invalid", &name);
        let a = push(&w.app, Some(&token), uri, nd, "\n\n", &[]).await;
        refused(&doc, &a, StatusCode::BAD_REQUEST, "dept.push_body", &name);
        // a CSV without the kind's key column
        let a = push(
            &w.app,
            Some(&token),
            uri,
            "text/csv",
            "姓名,结算日期\n张三,2026-01-01\n",
            &[],
        )
        .await;
        refused(
            &doc,
            &a,
            StatusCode::UNPROCESSABLE_ENTITY,
            "dept.column_missing",
            &name,
        );
        assert_eq!(count(&w, "dept_batches"), 0, "{name}");
        assert_eq!(count(&w, "dept_records"), 0, "{name}");
        assert_eq!(count(&w, "dept_unmatched"), 0, "{name}");
        // a revoked token pushes nothing
        let id = token_id(&w, &token);
        let county = shouwang_core::RegionCode::parse("510821").unwrap();
        let store = w.db.store.clone();
        outside(move || {
            store
                .revoke_dept_token(&shouwang_store::audit::Actor::system("test"), &county, id)
                .unwrap()
        });
        let a = push(&w.app, Some(&token), uri, nd, &line, &[]).await;
        refused(
            &doc,
            &a,
            StatusCode::UNAUTHORIZED,
            "dept.token_invalid",
            &name,
        );
        assert_eq!(count(&w, "dept_batches"), 0, "{name}");
        outside(move || drop(w));
    }
}

/// The living members of `village`'s households: (ID number, household number), in order.
fn members_of(w: &World, village: &str) -> Vec<(String, String)> {
    w.data
        .iter()
        .filter(|(h, _)| h.village.as_str() == village)
        .flat_map(|(h, ms)| {
            ms.iter()
                .filter(|m| m.deceased_on.is_none())
                .map(|m| (m.id_number.clone(), h.household_no.clone()))
        })
        .collect()
}

#[tokio::test]
async fn a_push_makes_a_batch_with_its_alert_and_the_same_push_again_doubles_nothing() {
    for w in worlds() {
        let name = w.db.name.to_string();
        let doc = document(&w.app).await;
        let token = make_token(&w, "县住建局", "housing", TAOHONG).await;
        let ours = members_of(&w, TAOHONG);
        let (id, household) = ours[0].clone();
        let nd = "application/x-ndjson";
        let uri = "/api/v1/dept/housing/records?period=2026-11";
        let body = format!(
            "{}\n{}\n",
            json!({"id_number": id, "name": "户主", "house_grade": "D级", "date": "2026-11-02"}),
            json!({"id_number": "not a number", "house_grade": "C"}),
        );
        // no session and no CSRF token: the bearer token is enough
        let a = push(
            &w.app,
            Some(&token),
            uri,
            nd,
            &body,
            &[("idempotency-key", "zj-2026-11")],
        )
        .await;
        let b = documented(&doc, &a, StatusCode::CREATED, &name);
        assert_eq!(b["duplicate"], json!(false), "{name}");
        let batch = &b["batch"];
        assert_eq!(batch["kind"], json!("housing"), "{name}");
        assert_eq!(batch["region"], json!(TAOHONG), "{name}");
        assert_eq!(batch["client_batch_id"], json!("zj-2026-11"), "{name}");
        assert_eq!(batch["period"], json!("2026-11"), "{name}");
        assert_eq!(batch["channel"], json!("API push"), "{name}");
        assert_eq!(
            (
                &batch["rows"],
                &batch["matched"],
                &batch["invalid"],
                &batch["alerts"]
            ),
            (&json!(2), &json!(1), &json!(1), &json!(1)),
            "{name}: {b}"
        );
        assert_eq!(count(&w, "dept_batches WHERE channel = 3"), 1, "{name}");
        assert_eq!(
            count(&w, "dept_batches WHERE token_id IS NOT NULL"),
            1,
            "{name}"
        );
        assert_eq!(
            count(
                &w,
                &format!("dept_alerts WHERE household_no = '{household}' AND rule = 'D06'")
            ),
            1,
            "{name}"
        );
        let leads = count(&w, "leads");
        assert!(leads >= 1, "{name}: the alert raised a lead");
        let audit = count(&w, "audit_events");
        // the same push again, by its key, then by its body: the same batch, nothing doubled
        let again = push(
            &w.app,
            Some(&token),
            uri,
            nd,
            &body,
            &[("idempotency-key", "zj-2026-11")],
        )
        .await;
        let b2 = documented(&doc, &again, StatusCode::OK, &name);
        assert_eq!(b2["duplicate"], json!(true), "{name}");
        assert_eq!(b2["batch"]["id"], batch["id"], "{name}");
        let by_body = push(&w.app, Some(&token), uri, nd, &body, &[]).await;
        let b3 = documented(&doc, &by_body, StatusCode::OK, &name);
        assert_eq!(b3["batch"]["id"], batch["id"], "{name}");
        let by_query = push(
            &w.app,
            Some(&token),
            "/api/v1/dept/housing/records?batch_id=zj-2026-11",
            nd,
            &format!("{body}\n"),
            &[],
        )
        .await;
        let b4 = documented(&doc, &by_query, StatusCode::OK, &name);
        assert_eq!(b4["batch"]["id"], batch["id"], "{name}");
        assert_eq!(count(&w, "dept_batches"), 1, "{name}");
        assert_eq!(count(&w, "dept_alerts"), 1, "{name}");
        assert_eq!(count(&w, "dept_records"), 1, "{name}");
        assert_eq!(count(&w, "dept_unmatched"), 1, "{name}");
        assert_eq!(count(&w, "leads"), leads, "{name}");
        assert_eq!(
            count(&w, "audit_events"),
            audit,
            "{name}: a replay writes no audit"
        );
        // the list shows the token was used
        let list = send(&w.app, "county", Method::GET, "/dept/tokens", &[], None).await;
        assert!(!list.body.contains("未使用"), "{name}: last used is shown");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_member_outside_the_tokens_region_is_queued_unmatched_and_raises_nothing() {
    for w in worlds() {
        let name = w.db.name.to_string();
        let doc = document(&w.app).await;
        let token = make_token(&w, "县住建局", "housing", TAOHONG).await;
        let (theirs, their_household) = members_of(&w, LONGFENG)[0].clone();
        let body = format!("{}\n", json!({"id_number": theirs, "house_grade": "D"}));
        let a = push(
            &w.app,
            Some(&token),
            "/api/v1/dept/housing/records",
            "application/x-ndjson",
            &body,
            &[],
        )
        .await;
        let b = documented(&doc, &a, StatusCode::CREATED, &name);
        assert_eq!(
            (
                &b["batch"]["rows"],
                &b["batch"]["matched"],
                &b["batch"]["unmatched"],
                &b["batch"]["alerts"],
                &b["batch"]["leads"]
            ),
            (&json!(1), &json!(0), &json!(1), &json!(0), &json!(0)),
            "{name}: {b}"
        );
        assert_eq!(
            count(&w, "dept_unmatched WHERE reason = 2"),
            1,
            "{name}: outside the region"
        );
        assert_eq!(count(&w, "dept_alerts"), 0, "{name}");
        assert_eq!(count(&w, "dept_records"), 0, "{name}");
        assert_eq!(
            count(&w, &format!(
                "dept_unmatched WHERE message_zh LIKE '%{their_household}%' OR message_en LIKE '%{their_household}%' OR message_zh LIKE '%{LONGFENG}%'"
            )),
            0,
            "{name}: the message names nothing of the other region"
        );
        assert!(!a.body.contains(&their_household), "{name}");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_csv_push_is_read_with_the_countys_profile() {
    for w in worlds() {
        let name = w.db.name.to_string();
        let doc = document(&w.app).await;
        let token = make_token(&w, "县住建局", "housing", "510821").await;
        let ours = members_of(&w, TAOHONG);
        let theirs = members_of(&w, LONGFENG);
        let body = format!(
            "\u{feff}证件号码,姓名,鉴定等级,鉴定日期\n{},户主,D级,2026-10-01\n\n{},户主,A级,2026-10-01\n",
            ours[0].0, theirs[0].0
        );
        let a = push(
            &w.app,
            Some(&token),
            "/api/v1/dept/housing/records",
            "text/csv; charset=utf-8",
            &body,
            &[],
        )
        .await;
        let b = documented(&doc, &a, StatusCode::CREATED, &name);
        assert_eq!(
            (
                &b["batch"]["rows"],
                &b["batch"]["matched"],
                &b["batch"]["alerts"]
            ),
            (&json!(2), &json!(2), &json!(1)),
            "{name}: a county token matches both villages: {b}"
        );
        assert_eq!(
            count(&w, "dept_records WHERE row_no = 4"),
            1,
            "{name}: rows keep their lines"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_same_push_sent_twice_at_once_is_one_batch() {
    for w in worlds() {
        let name = w.db.name.to_string();
        let token = make_token(&w, "县医保局", "medical", "510821").await;
        let ours = members_of(&w, TAOHONG);
        let body: String = (0..3_000)
            .map(|i| {
                let (id, _) = &ours[i % ours.len()];
                format!("{}\n", json!({"id_number": id, "self_paid": 10 + i}))
            })
            .collect();
        let uri = "/api/v1/dept/medical/records";
        let nd = "application/x-ndjson";
        let key = [("idempotency-key", "retry-1")];
        let (a, b) = tokio::join!(
            push(&w.app, Some(&token), uri, nd, &body, &key),
            push(&w.app, Some(&token), uri, nd, &body, &key),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "{name}: {} / {}", a.body, b.body);
        assert_eq!(
            json_of(&a)["batch"]["id"],
            json_of(&b)["batch"]["id"],
            "{name}"
        );
        assert_eq!(count(&w, "dept_batches"), 1, "{name}");
        outside(move || drop(w));
    }
}
