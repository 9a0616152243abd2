//! 一户一策 through the JSON API, on every configured backend: the plan read, its words saved, a
//! measure added, put in place and ended; a stale version, a negative amount, an end before the
//! start, an illegal state change and a closed case refused with their status and code, nothing
//! written; another village "not found", an inspector "not allowed"; the flags of the village.
//! Every answer is checked against the OpenAPI document, and each body sent against its schema.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::{RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

mod openapi_check;

struct World {
    db: TestDb,
    app: Router,
    doc: Value,
    /// a case at risk identified three months ago, and a closed one
    case: i64,
    closed: i64,
}

fn months_ago(n: i32) -> YearMonth {
    let t = today();
    let total = t.year() * 12 + i32::from(t.month()) - 1 - n;
    YearMonth::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8).unwrap()
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let ours: Vec<_> = data
                    .iter()
                    .filter(|(h, _)| h.village.as_str() == TAOHONG)
                    .collect();
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("inspector", Role::Inspector, "510821"),
                    ],
                );
                let county = RegionCode::parse("510821").unwrap();
                let case = |i: usize, status: CaseStatus| MonitoringCase {
                    household_no: ours[i].0.household_no.clone(),
                    case_type: CaseType::UnstablePostPoverty,
                    risks: vec![RiskType::Illness],
                    identified: months_ago(3),
                    status,
                    elimination: (status == CaseStatus::Eliminated)
                        .then(|| (EliminationKind::Natural, months_ago(1))),
                    whole_household_without_labour: false,
                };
                db.store
                    .bulk_cases(
                        &Actor::system("test"),
                        &county,
                        &[case(0, CaseStatus::AtRisk), case(1, CaseStatus::Eliminated)],
                        today(),
                        "test.cases",
                    )
                    .unwrap();
                let id = |i: usize| {
                    db.store
                        .case_steps(&county, &ours[i].0.household_no)
                        .unwrap()
                        .last()
                        .unwrap()
                        .case_id
                };
                let (case, closed) = (id(0), id(1));
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    doc: Value::Null,
                    case,
                    closed,
                }
            })
            .collect()
    })
}

async fn with_doc(mut w: World) -> World {
    w.doc = openapi_check::document(&w.app).await;
    w
}

use openapi_check::ApiAnswer as Answer;

/// One call as `user`; the body sent and the answer are checked against the document for `path`.
async fn call(
    w: &World,
    user: &str,
    method: Method,
    path: &str,
    uri: &str,
    body: Option<Value>,
) -> Answer {
    if let Some(b) = &body {
        openapi_check::assert_body_fits(&w.doc, &method, path, b);
    }
    openapi_check::api_call(&w.app, &w.doc, w.db.name, user, method, path, uri, body).await
}

const PLAN: &str = "/api/v1/cases/{id}/plan";
const MEASURES: &str = "/api/v1/cases/{id}/measures";
const MEASURE: &str = "/api/v1/measures/{id}";
const FLAGS: &str = "/api/v1/assistance/flags";

fn measure(version: i64) -> Value {
    json!({"category": "产业帮扶", "content": "发放产业奖补资金用于养殖肉牛3头", "risk": "因病",
        "start": "2026-03-01", "end": "2026-12-31", "amount": 600000, "unit": "乡农业服务中心",
        "responsible": "李四", "state": "计划实施", "version": version})
}

fn refused(a: &Answer, status: StatusCode, code: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["code"], code, "{}", a.text);
}

#[tokio::test]
async fn a_plan_and_its_measures_round_trip_and_every_refusal_writes_nothing() {
    for w in worlds() {
        let w = with_doc(w).await;
        let (c, closed) = (w.case, w.closed);
        let plan = format!("/api/v1/cases/{c}/plan");
        let add = format!("/api/v1/cases/{c}/measures");

        let a = call(&w, "taohong", Method::GET, PLAN, &plan, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(
            (
                a.body["version"].as_i64(),
                a.body["measures"].as_array().map(Vec::len)
            ),
            (Some(0), Some(0))
        );
        assert_eq!(a.body["under_assistance"], true);

        let a = call(
            &w,
            "taohong",
            Method::POST,
            MEASURES,
            &add,
            Some(measure(0)),
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        assert_eq!(a.body["version"], 1);
        let m = &a.body["measures"][0];
        assert_eq!(
            (
                m["category"].as_str(),
                m["amount"].as_i64(),
                m["state"].as_str(),
                m["development"].as_bool()
            ),
            (Some("产业帮扶"), Some(600000), Some("计划实施"), Some(true))
        );
        let mid = m["id"].as_i64().unwrap();

        // refusals: nothing written
        refused(
            &call(
                &w,
                "taohong",
                Method::POST,
                MEASURES,
                &add,
                Some(measure(0)),
            )
            .await,
            StatusCode::CONFLICT,
            "stale",
        );
        let mut negative = measure(1);
        negative["amount"] = json!(-100);
        refused(
            &call(&w, "taohong", Method::POST, MEASURES, &add, Some(negative)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "measure.amount",
        );
        let mut absurd = measure(1);
        absurd["amount"] = json!(50_000_001);
        refused(
            &call(&w, "taohong", Method::POST, MEASURES, &add, Some(absurd)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "measure.amount",
        );
        let mut backwards = measure(1);
        backwards["end"] = json!("2026-02-28");
        let a = call(&w, "taohong", Method::POST, MEASURES, &add, Some(backwards)).await;
        refused(&a, StatusCode::UNPROCESSABLE_ENTITY, "measure.dates");
        assert_eq!(a.body["errors"][0]["field"], "end");
        refused(
            &call(
                &w,
                "taohong",
                Method::POST,
                MEASURES,
                &format!("/api/v1/cases/{closed}/measures"),
                Some(measure(0)),
            )
            .await,
            StatusCode::CONFLICT,
            "measure.case_closed",
        );
        let a = call(&w, "taohong", Method::GET, PLAN, &plan, None).await;
        assert_eq!(
            (
                a.body["version"].as_i64(),
                a.body["measures"].as_array().map(Vec::len)
            ),
            (Some(1), Some(1))
        );

        // the plan in words
        let a = call(
            &w,
            "taohong",
            Method::PUT,
            PLAN,
            &plan,
            Some(json!({"summary": "发展肉牛养殖", "version": 1})),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(
            (a.body["summary"].as_str(), a.body["version"].as_i64()),
            (Some("发展肉牛养殖"), Some(2))
        );

        // in place, not back to planned, then ended
        let url = format!("/api/v1/measures/{mid}");
        let mut placed = measure(2);
        placed["state"] = json!("已落实");
        let a = call(&w, "taohong", Method::PUT, MEASURE, &url, Some(placed)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["measures"][0]["state"], "已落实");
        refused(
            &call(&w, "taohong", Method::PUT, MEASURE, &url, Some(measure(3))).await,
            StatusCode::CONFLICT,
            "measure.state",
        );
        let mut ended = measure(3);
        ended["state"] = json!("已结束");
        ended["ended_on"] = json!(today().to_string());
        let a = call(&w, "taohong", Method::PUT, MEASURE, &url, Some(ended)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(
            (
                a.body["measures"][0]["ended_on"].as_str(),
                a.body["version"].as_i64()
            ),
            (Some(today().to_string().as_str()), Some(4))
        );
        let store = w.db.store.clone();
        let ends = outside(move || store.count_events("measure.end").unwrap());
        assert_eq!(ends, 1);

        // who may
        refused(
            &call(&w, "longfeng", Method::GET, PLAN, &plan, None).await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        refused(
            &call(
                &w,
                "longfeng",
                Method::POST,
                MEASURES,
                &add,
                Some(measure(4)),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let a = call(&w, "inspector", Method::GET, PLAN, &plan, None).await;
        assert_eq!(a.status, StatusCode::OK);
        let a = call(
            &w,
            "inspector",
            Method::POST,
            MEASURES,
            &add,
            Some(measure(4)),
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_flags_of_a_village_list_a_case_without_measures_with_its_numbers() {
    for w in worlds() {
        let w = with_doc(w).await;
        let a = call(&w, "taohong", Method::GET, FLAGS, FLAGS, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(
            (
                a.body["counts"]["no_measure"].as_i64(),
                a.body["measures_days"].as_i64()
            ),
            (Some(1), Some(10))
        );
        let h = &a.body["households"][0];
        assert_eq!(h["case_id"].as_i64(), Some(w.case));
        assert_eq!(h["limit"], 10);
        assert!(h["zh"].as_str().unwrap().contains("时限10天"));
        let a = call(
            &w,
            "taohong",
            Method::GET,
            FLAGS,
            &format!("{FLAGS}?kind=3&per_page=5"),
            None,
        )
        .await;
        assert_eq!(
            (a.body["kind"].as_i64(), a.body["per_page"].as_i64()),
            (Some(3), Some(5))
        );
        refused(
            &call(
                &w,
                "taohong",
                Method::GET,
                FLAGS,
                &format!("{FLAGS}?kind=x"),
                None,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "query.invalid",
        );
        refused(
            &call(
                &w,
                "longfeng",
                Method::GET,
                FLAGS,
                &format!("{FLAGS}?region={TAOHONG}"),
                None,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        let a = call(&w, "longfeng", Method::GET, FLAGS, FLAGS, None).await;
        assert_eq!(a.body["total"], 0);
        outside(move || drop(w));
    }
}
