//! 识别认定 through the JSON API, on every configured backend: a village cadre, a township officer
//! and a county officer take a lead to a monitoring case, each by their own steps; a step by the
//! wrong role, on a stale version, or a notice too short is refused with its status and code;
//! another village's leads and procedures are "not found"; the notice carries no personal
//! identifier. Every answer is checked against the OpenAPI document.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Household, Member, Role};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

mod openapi_check;

struct World {
    db: TestDb,
    app: Router,
    doc: Value,
    own: (Household, Vec<Member>),
    other: (Household, Vec<Member>),
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let of = |v: &str| {
                    data.iter()
                        .find(|(h, _)| h.village.as_str() == v)
                        .unwrap()
                        .clone()
                };
                let (own, other) = (of(TAOHONG), of(LONGFENG));
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                        ("inspector", Role::Inspector, "510821"),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    doc: Value::Null,
                    own,
                    other,
                }
            })
            .collect()
    })
}

/// A lead found `days_ago`, raised in the store as a screening would have.
fn past_lead(w: &World, no: &str, risk: RiskType, days_ago: i64) -> i64 {
    let found = today().add_days(-days_ago);
    let lead = NewLead {
        household_no: no.into(),
        risk,
        level: WarningLevel::Yellow,
        source: LeadSource::CadreCheck,
        found_on: found,
        due_on: found.add_days(7),
        note: "入户走访发现户主住院".into(),
    };
    let store = w.db.store.clone();
    outside(move || store.raise_lead(&Actor::system("test"), &lead).unwrap().id)
}

use openapi_check::ApiAnswer as Answer;

/// One call as `user`; the answer is checked against the document for `path`.
async fn call(
    w: &World,
    user: &str,
    method: Method,
    path: &str,
    uri: &str,
    body: Option<Value>,
) -> Answer {
    openapi_check::api_call(&w.app, &w.doc, w.db.name, user, method, path, uri, body).await
}

async fn get(w: &World, user: &str, path: &str, uri: &str) -> Answer {
    call(w, user, Method::GET, path, uri, None).await
}

async fn post(w: &World, user: &str, path: &str, uri: &str, body: Value) -> Answer {
    call(w, user, Method::POST, path, uri, Some(body)).await
}

fn ago(days: i64) -> String {
    today().add_days(-days).to_string()
}

const STEPS: &str = "/api/v1/identifications/{id}/steps";

async fn step(w: &World, user: &str, id: i64, version: i64, step: Value) -> Answer {
    post(
        w,
        user,
        STEPS,
        &format!("/api/v1/identifications/{id}/steps"),
        json!({"version": version, "step": step}),
    )
    .await
}

fn ok(a: &Answer, what: &str) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{what}: {}", a.text);
    a.body.clone()
}

fn version(v: &Value) -> i64 {
    v["version"].as_i64().unwrap()
}

async fn with_doc(mut w: World) -> World {
    w.doc = openapi_check::document(&w.app).await;
    w
}

#[tokio::test]
async fn a_village_cadre_a_township_and_the_county_take_a_lead_to_a_monitoring_case() {
    for w in worlds() {
        let w = with_doc(w).await;
        let no = w.own.0.household_no.clone();
        let found = past_lead(&w, &no, RiskType::Illness, 12);

        // the village cadre raises a second lead of the household by hand
        let raised = post(
            &w,
            "taohong",
            "/api/v1/leads",
            "/api/v1/leads",
            json!({"household_no": no, "risk": "因学", "level": "黄色预警", "source": "12317热线", "note": "来电反映子女学费负担重"}),
        )
        .await;
        assert_eq!(raised.status, StatusCode::CREATED, "{}", raised.text);
        assert_eq!(raised.body["status"], json!("待核实"));
        assert_eq!(raised.body["head_name"], json!(w.own.1[0].name));
        let raised = raised.body["id"].as_i64().unwrap();

        // the lists: both waiting, the older one overdue; a filter narrows them
        let list = ok(
            &get(&w, "taohong", "/api/v1/leads", "/api/v1/leads").await,
            "leads",
        );
        assert_eq!(list["total"], json!(2));
        let hotline = ok(
            &get(
                &w,
                "county",
                "/api/v1/leads",
                "/api/v1/leads?source=12317%E7%83%AD%E7%BA%BF&per_page=10",
            )
            .await,
            "leads by source",
        );
        assert_eq!(hotline["total"], json!(1));
        assert_eq!(hotline["leads"][0]["id"], json!(raised));
        let overdue = ok(
            &get(&w, "county", "/api/v1/leads", "/api/v1/leads?overdue=1").await,
            "overdue leads",
        );
        assert_eq!(overdue["total"], json!(1));
        assert_eq!(overdue["leads"][0]["id"], json!(found));
        assert_eq!(overdue["leads"][0]["overdue"], json!(true));

        // the village opens the procedure on the older lead and gathers the new one into it
        let opened = post(
            &w,
            "taohong",
            "/api/v1/identifications",
            "/api/v1/identifications",
            json!({"leads": [found]}),
        )
        .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
        let p = opened.body;
        let id = p["id"].as_i64().unwrap();
        assert_eq!(p["stage"], json!("入户核实"));
        assert_eq!(p["owner"], json!("village"));
        // 15 days from the day the lead was found, 12 days ago
        assert_eq!(p["remaining_days"], json!(3));
        let p = ok(
            &post(
                &w,
                "taohong",
                "/api/v1/identifications/{id}/leads",
                &format!("/api/v1/identifications/{id}/leads"),
                json!({"version": version(&p), "leads": [raised]}),
            )
            .await,
            "gather",
        );
        assert_eq!(p["procedure"]["risks"], json!(["因病", "因学"]));
        assert_eq!(p["leads"].as_array().unwrap().len(), 2);

        // the township cannot verify: that is the village's step
        let visit = json!({"step": "verify", "on": ago(11), "authorised_on": ago(11), "members": 3,
            "income_12m": 2_000_000, "compulsory_education_secure": true, "basic_medical_secure": false,
            "housing_secure": true, "drinking_water_secure": true,
            "assets": {"vehicles": 0, "commercial_housing": false, "registered_business": false, "public_payroll": false},
            "findings": "户主住院自付四万余元"});
        let wrong = step(&w, "sanjiang", id, version(&p), visit.clone()).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);
        assert_eq!(wrong.body["code"], json!("identification.wrong_role"));
        let p = ok(&step(&w, "taohong", id, version(&p), visit).await, "verify");
        assert_eq!(p["stage"], json!("村级民主评议"));

        // two users on one step: the second, on the version it read, is told and nothing lost
        let appraisal = json!({"step": "appraise", "on": ago(10), "participants": "村两委及村民代表9人",
            "result": "同意纳入", "minutes": "一致同意纳入",
            "proposal": {"case_type": "边缘易致贫户", "risks": ["因病", "因学"], "level": "黄色预警"}});
        let read = version(&p);
        let p = ok(
            &step(&w, "taohong", id, read, appraisal.clone()).await,
            "appraise",
        );
        let stale = step(&w, "taohong", id, read, appraisal).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        assert_eq!(stale.body["code"], json!("stale"));

        // a notice of three days is too short
        let short = step(
            &w,
            "taohong",
            id,
            version(&p),
            json!({"step": "publish_notice", "start": ago(10), "end": ago(8), "contact": "村委会，电话0817-1234567"}),
        )
        .await;
        assert_eq!(
            short.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            short.text
        );
        assert_eq!(short.body["code"], json!("identification.notice_too_short"));
        assert_eq!(
            short.body["errors"][0]["code"],
            json!("identification.notice_too_short")
        );
        let p = ok(
            &step(
                &w,
                "taohong",
                id,
                version(&p),
                json!({"step": "publish_notice", "start": ago(10), "end": ago(6), "contact": "村委会，电话0817-1234567"}),
            )
            .await,
            "notice",
        );
        assert_eq!(p["stage"], json!("村内公示"));

        // the notice as posted: names and groups, never an ID number or a phone of a member
        let notice = get(
            &w,
            "taohong",
            "/api/v1/villages/{code}/notice",
            &format!("/api/v1/villages/{TAOHONG}/notice?date={}", ago(8)),
        )
        .await;
        let rows = ok(&notice, "notice")["households"].clone();
        assert_eq!(rows.as_array().unwrap().len(), 1);
        assert_eq!(rows[0]["head_name"], json!(w.own.1[0].name));
        assert_eq!(rows[0]["case_type"], json!("边缘易致贫户"));
        for (key, _) in rows[0].as_object().unwrap() {
            assert!(
                !["id_number", "phone", "id", "identification_id"].contains(&key.as_str()),
                "the notice shows {key}"
            );
        }
        for m in &w.own.1 {
            assert!(!notice.text.contains(&m.id_number), "{}", notice.text);
            assert!(m.phone.is_empty() || !notice.text.contains(&m.phone));
        }
        let after = get(
            &w,
            "taohong",
            "/api/v1/villages/{code}/notice",
            &format!("/api/v1/villages/{TAOHONG}/notice"),
        )
        .await;
        assert_eq!(ok(&after, "notice today")["households"], json!([]));

        // an objection, handled; then to the township
        let p = ok(
            &step(
                &w,
                "taohong",
                id,
                version(&p),
                json!({"step": "raise_objection", "on": ago(9), "content": "有村民反映该户有货车一辆"}),
            )
            .await,
            "objection",
        );
        let p = ok(
            &step(
                &w,
                "taohong",
                id,
                version(&p),
                json!({"step": "handle_objection", "index": 0, "on": ago(7), "text": "核实为农用车，不影响纳入"}),
            )
            .await,
            "handling",
        );
        let p = ok(
            &step(
                &w,
                "taohong",
                id,
                version(&p),
                json!({"step": "submit", "on": ago(5)}),
            )
            .await,
            "submit",
        );
        assert_eq!(p["stage"], json!("乡镇审核"));
        assert_eq!(p["owner"], json!("township"));

        // the township approves; the village cannot decide for the county
        let p = ok(
            &step(
                &w,
                "sanjiang",
                id,
                version(&p),
                json!({"step": "township_approve", "on": ago(4), "opinion": "情况属实，同意纳入"}),
            )
            .await,
            "township",
        );
        let decision = json!({"step": "decide", "on": ago(2),
            "inclusion": {"case_type": "边缘易致贫户", "risks": ["因病", "因学"], "level": "黄色预警"},
            "reason": "", "announcement": "旺乡振〔2026〕30号"});
        let wrong = step(&w, "taohong", id, version(&p), decision.clone()).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);
        let p = ok(
            &step(&w, "county", id, version(&p), decision).await,
            "decision",
        );
        assert_eq!(p["stage"], json!("已纳入监测"));
        assert_eq!(p["remaining_days"], Value::Null);
        let kinds: Vec<&str> = p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "发起识别",
                "入户核实",
                "民主评议",
                "发布公示",
                "公示异议",
                "异议处理",
                "报乡镇审核",
                "乡镇审核通过",
                "县级审定"
            ]
        );
        assert!(p["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["actor_name"].as_str().unwrap().is_empty()));

        // the case, and the leads it came from
        let case_id = p["case_id"].as_i64().expect("a case");
        let case = ok(
            &get(
                &w,
                "taohong",
                "/api/v1/cases/{id}",
                &format!("/api/v1/cases/{case_id}"),
            )
            .await,
            "case",
        );
        assert_eq!(case["case_type"], json!("边缘易致贫户"));
        assert_eq!(case["risks"], json!(["因病", "因学"]));
        assert_eq!(case["level"], json!("黄色预警"));
        assert_eq!(case["status"], json!("风险未消除"));
        assert_eq!(case["identification_id"], json!(id));
        let lead = ok(
            &get(
                &w,
                "county",
                "/api/v1/leads/{id}",
                &format!("/api/v1/leads/{found}"),
            )
            .await,
            "lead",
        );
        assert_eq!(lead["status"], json!("已纳入监测"));
        assert_eq!(lead["identification_id"], json!(id));
        let done = ok(
            &get(
                &w,
                "county",
                "/api/v1/identifications",
                "/api/v1/identifications?stage=%E5%B7%B2%E7%BA%B3%E5%85%A5%E7%9B%91%E6%B5%8B",
            )
            .await,
            "included",
        );
        assert_eq!(done["total"], json!(1));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn another_village_is_not_found_and_a_role_that_may_only_read_is_not_allowed() {
    for w in worlds() {
        let w = with_doc(w).await;
        let theirs = past_lead(&w, &w.other.0.household_no, RiskType::Illness, 3);
        let ours = past_lead(&w, &w.own.0.household_no, RiskType::Illness, 3);
        let other = post(
            &w,
            "longfeng",
            "/api/v1/identifications",
            "/api/v1/identifications",
            json!({"leads": [theirs]}),
        )
        .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
        let procedure = other.body["id"].as_i64().unwrap();

        // the 桃红村 cadre and the 三江镇 officer: nothing of 龙凤村 by any route
        for user in ["taohong", "sanjiang"] {
            let not_found = [
                get(
                    &w,
                    user,
                    "/api/v1/leads/{id}",
                    &format!("/api/v1/leads/{theirs}"),
                )
                .await,
                get(
                    &w,
                    user,
                    "/api/v1/identifications/{id}",
                    &format!("/api/v1/identifications/{procedure}"),
                )
                .await,
                get(
                    &w,
                    user,
                    "/api/v1/leads",
                    &format!("/api/v1/leads?region={LONGFENG}"),
                )
                .await,
                get(
                    &w,
                    user,
                    "/api/v1/identifications",
                    &format!("/api/v1/identifications?region={LONGFENG}"),
                )
                .await,
                get(
                    &w,
                    user,
                    "/api/v1/villages/{code}/notice",
                    &format!("/api/v1/villages/{LONGFENG}/notice"),
                )
                .await,
                post(
                    &w,
                    user,
                    "/api/v1/leads/{id}/dismiss",
                    &format!("/api/v1/leads/{theirs}/dismiss"),
                    json!({"reason": "重复录入"}),
                )
                .await,
                step(
                    &w,
                    user,
                    procedure,
                    1,
                    json!({"step": "submit", "on": today()}),
                )
                .await,
                post(
                    &w,
                    user,
                    "/api/v1/identifications",
                    "/api/v1/identifications",
                    json!({"leads": [theirs]}),
                )
                .await,
                post(
                    &w,
                    user,
                    "/api/v1/leads",
                    "/api/v1/leads",
                    json!({"household_no": w.other.0.household_no, "risk": "因学", "level": "黄色预警", "source": "干部排查", "note": "走访发现"}),
                )
                .await,
            ];
            for (i, a) in not_found.iter().enumerate() {
                assert_eq!(a.status, StatusCode::NOT_FOUND, "{user} #{i}: {}", a.text);
                assert!(!a.text.contains(&w.other.1[0].name), "{}", a.text);
            }
            // a merge into another village's lead tells nothing of it either
            let merge = post(
                &w,
                user,
                "/api/v1/leads/{id}/merge",
                &format!("/api/v1/leads/{ours}/merge"),
                json!({"into": theirs, "reason": "同一事项"}),
            )
            .await;
            assert_eq!(merge.status, StatusCode::NOT_FOUND, "{}", merge.text);
        }
        // the county lists both villages' leads
        let all = ok(
            &get(&w, "county", "/api/v1/leads", "/api/v1/leads").await,
            "county leads",
        );
        assert_eq!(all["total"], json!(2), "one waiting, one being identified");

        // the inspector reads but may not act
        let read = get(
            &w,
            "inspector",
            "/api/v1/leads/{id}",
            &format!("/api/v1/leads/{ours}"),
        )
        .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        let refused = post(
            &w,
            "inspector",
            "/api/v1/leads/{id}/dismiss",
            &format!("/api/v1/leads/{ours}/dismiss"),
            json!({"reason": "重复录入"}),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);

        // a dismissal needs a reason; with one, the lead is kept as dismissed
        let bare = post(
            &w,
            "taohong",
            "/api/v1/leads/{id}/dismiss",
            &format!("/api/v1/leads/{ours}/dismiss"),
            json!({"reason": "-"}),
        )
        .await;
        assert_eq!(
            bare.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bare.text
        );
        let dismissed = ok(
            &post(
                &w,
                "taohong",
                "/api/v1/leads/{id}/dismiss",
                &format!("/api/v1/leads/{ours}/dismiss"),
                json!({"reason": "经核实已外出务工，收入稳定"}),
            )
            .await,
            "dismiss",
        );
        assert_eq!(dismissed["status"], json!("已排除"));
        assert_eq!(dismissed["closed_by"], json!("taohong"));

        // a filter that cannot be read is refused, never dropped
        let bad = get(&w, "county", "/api/v1/leads", "/api/v1/leads?risk=purple").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
        assert_eq!(bad.body["code"], json!("query.invalid"));
        outside(move || drop(w));
    }
}
