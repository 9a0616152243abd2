//! 风险消除 through the pages and the API, on every configured backend: a case identified long
//! ago whose income is below the line is refused (each failed condition named with its numbers,
//! on the page and as 422 elimination.conditions); once its income and a measure are recorded
//! the page offers the procedure, which the village, the township and the county take on the
//! procedure pages (the decision asks for the contact and phone); the case then reads 风险已消除
//! with its contact and can be re-flagged. A household without labour is refused and marked
//! 兜底保障. Another village's case is "not found". API answers match the OpenAPI document.

use axum::http::{Method, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::{Fen, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{
    follow, outside, send, signed_in_users, today, with_two_villages, Identifiers, CSRF, LONGFENG,
    TAOHONG,
};

mod openapi_check;

struct World {
    db: TestDb,
    app: Router,
    doc: Value,
    /// 桃红村's households, and one of 龙凤村
    own: Vec<String>,
    other: String,
    who: Identifiers,
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
                    .filter(|(h, _)| h.village.as_str() == TAOHONG)
                    .map(|(h, _)| h.household_no.clone())
                    .collect();
                let other = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == LONGFENG)
                    .map(|(h, _)| h.household_no.clone())
                    .unwrap();
                let ids = signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    doc: Value::Null,
                    own,
                    other,
                    who: Identifiers {
                        village: (ids[0], "taohong"),
                        township: (ids[2], "sanjiang"),
                        county: (ids[3], "county"),
                    },
                }
            })
            .collect()
    })
}

async fn with_doc(mut w: World) -> World {
    w.doc = openapi_check::document(&w.app).await;
    w
}

use openapi_check::ApiAnswer as Json;

async fn call(
    w: &World,
    user: &str,
    method: Method,
    path: &str,
    uri: &str,
    body: Option<Value>,
) -> Json {
    openapi_check::api_call(&w.app, &w.doc, w.db.name, user, method, path, uri, body).await
}

fn ago(days: i64) -> String {
    today().add_days(-days).to_string()
}

/// A case of `no` included by the county, its decision moved 250 days back.
fn old_case(w: &World, no: &str) -> i64 {
    let store = w.db.store.clone();
    let who = Identifiers { ..w.who };
    let no = no.to_string();
    let case_id = outside(move || {
        let id = common::open_procedure(&store, &who, &no, 20);
        common::include(&store, &who, id)
    });
    let day = ago(250);
    let db = &w.db;
    outside(|| {
        db.execute_unchecked(&format!(
            "UPDATE identification_steps SET on_date = '{day}' WHERE kind = 9 AND identification_id IN (SELECT id FROM identifications WHERE case_id = {case_id})"
        ))
        .unwrap()
    });
    case_id
}

/// A plan and a health measure against the illness risk.
fn measure(w: &World, case_id: i64, no: &str) {
    let db = &w.db;
    let start = ago(200);
    outside(|| {
        db.execute_unchecked(&format!(
            "INSERT INTO assistance_plans (county, household_no, village, case_id, summary, created_by, created_at, updated_at)
             VALUES ('510821', '{no}', '{TAOHONG}', {case_id}, '因病帮扶', 'test', 0, 0)"
        ))
        .unwrap();
        db.execute_unchecked(&format!(
            "INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, risk, start_on, state, created_by, created_at, updated_at)
             SELECT '510821', '{no}', '{TAOHONG}', {case_id}, id, 7, '大病救助', 0, '{start}', 2, 'test', 0, 0 FROM assistance_plans WHERE case_id = {case_id}"
        ))
        .unwrap();
    });
}

/// This year's income, far above the line.
fn good_income(w: &World, no: &str) {
    let store = w.db.store.clone();
    let no = no.to_string();
    outside(move || {
        store
            .save_income(
                &Actor::system("test"),
                &no,
                &Income {
                    wages: Fen::from_yuan(200_000),
                    ..Income::empty(IncomePeriod::year(today().year()))
                },
            )
            .unwrap()
    });
}

/// Every living member of `no` without labour capacity.
fn no_labour(w: &World, no: &str) {
    let db = &w.db;
    outside(|| {
        db.execute_unchecked(&format!(
            "UPDATE members SET labour = 4 WHERE household_no = '{no}'"
        ))
        .unwrap()
    });
}

fn version_of(body: &str) -> String {
    let at = body
        .find("name=\"version\" value=\"")
        .expect("a version field")
        + 22;
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect()
}

async fn step(w: &World, user: &str, pid: &str, kind: &str, fields: &[(&str, &str)]) {
    let page = send(&w.app, user, Method::GET, pid, &[], None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let version = version_of(&page.body);
    let mut form: Vec<(&str, &str)> = vec![("csrf", CSRF), ("version", &version)];
    form.extend_from_slice(fields);
    let done = send(
        &w.app,
        user,
        Method::POST,
        &format!("{pid}/steps/{kind}"),
        &[],
        Some(&form),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{kind}: {}", done.body);
}

#[tokio::test]
async fn a_case_is_refused_with_its_numbers_then_closed_by_the_three_offices() {
    for w in worlds() {
        let w = with_doc(w).await;
        let no = w.own[0].clone();
        let case_id = old_case(&w, &no);
        let page_uri = format!("/cases/{case_id}/elimination");

        // refused: income below the line, no measure, each shown with its numbers
        let page = send(&w.app, "taohong", Method::GET, &page_uri, &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("不高于"), "{}", page.body);
        assert!(page.body.contains("8,700.00 元"), "{}", page.body);
        assert!(page.body.contains("没有针对因病风险的帮扶措施"));
        assert!(page.body.contains("尚有条件未满足"));
        assert!(!page.body.contains("发起风险消除"), "no form while refused");
        let tried = send(
            &w.app,
            "taohong",
            Method::POST,
            &page_uri,
            &[],
            Some(&[("csrf", CSRF), ("kind", "帮扶消除"), ("on", &ago(0))]),
        )
        .await;
        assert_eq!(tried.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            tried.body.contains("收入高于监测线：人均纯收入"),
            "{}",
            tried.body
        );
        let api = format!("/api/v1/cases/{case_id}/elimination");
        let path = "/api/v1/cases/{id}/elimination";
        let read = call(&w, "taohong", Method::GET, path, &api, None).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.text);
        assert_eq!(read.body["check"][0]["verdict"], "暂不能消除");
        let refused = call(
            &w,
            "taohong",
            Method::POST,
            path,
            &api,
            Some(json!({"kind": "帮扶消除"})),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text
        );
        assert_eq!(refused.body["code"], "elimination.conditions");
        let fields: Vec<&str> = refused.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"income") && fields.contains(&"measures"),
            "{fields:?}"
        );
        // another village's cadre does not see the case
        let hidden = call(&w, "longfeng", Method::GET, path, &api, None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);

        // the income and a measure recorded: accepted
        measure(&w, case_id, &no);
        good_income(&w, &no);
        let page = send(&w.app, "taohong", Method::GET, &page_uri, &[], None).await;
        assert!(page.body.contains("全部条件已满足"), "{}", page.body);
        let candidates = call(
            &w,
            "county",
            Method::GET,
            "/api/v1/elimination/candidates",
            "/api/v1/elimination/candidates?region=510821",
            None,
        )
        .await;
        assert_eq!(candidates.status, StatusCode::OK, "{}", candidates.text);
        assert_eq!(candidates.body["closable"], 1);
        assert_eq!(candidates.body["cases"][0]["case_id"], case_id);
        let list = send(&w.app, "sanjiang", Method::GET, "/elimination", &[], None).await;
        assert!(
            list.body.contains(&format!("/cases/{case_id}/elimination")),
            "{}",
            list.body
        );

        let opened = send(
            &w.app,
            "taohong",
            Method::POST,
            &page_uri,
            &[],
            Some(&[("csrf", CSRF), ("kind", "0"), ("on", &ago(20))]),
        )
        .await;
        let pid = opened.location.clone();
        assert!(pid.starts_with("/identifications/"), "{}", opened.body);
        let shown = follow(&w.app, "taohong", &opened).await;
        let listed = send(
            &w.app,
            "taohong",
            Method::GET,
            "/identifications",
            &[],
            None,
        )
        .await;
        assert!(
            listed.body.contains("<span class=\"lbl\">风险消除</span>"),
            "the list marks the elimination procedure: {}",
            listed.body
        );
        assert!(shown.body.contains("风险消除程序"), "{}", shown.body);
        assert!(
            !shown.body.contains("授权承诺书签字日期"),
            "no authorisation for an elimination"
        );

        step(
            &w,
            "taohong",
            &pid,
            "verify",
            &[
                ("on", &ago(19)),
                ("members", "3"),
                ("income_12m", "200000"),
                ("education", "1"),
                ("medical", "1"),
                ("housing", "1"),
                ("water", "1"),
                ("findings", "务工收入稳定，医疗费已报销"),
            ],
        )
        .await;
        step(
            &w,
            "taohong",
            &pid,
            "appraise",
            &[
                ("on", &ago(18)),
                ("result", "1"),
                ("elimination_kind", "0"),
                ("participants", "村两委、村民代表共9人"),
                ("minutes", "一致同意消除风险"),
            ],
        )
        .await;
        step(
            &w,
            "taohong",
            &pid,
            "notice",
            &[
                ("start", &ago(18)),
                ("end", &ago(14)),
                ("contact", "村委会办公室"),
            ],
        )
        .await;
        // the village's notice lists the household with the kind proposed
        let notice = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/villages/{TAOHONG}/notice?date={}", ago(16)),
            &[],
            None,
        )
        .await;
        assert!(
            notice.body.contains("拟风险消除：帮扶消除"),
            "{}",
            notice.body
        );
        step(&w, "taohong", &pid, "submit", &[("on", &ago(13))]).await;
        step(
            &w,
            "sanjiang",
            &pid,
            "approve",
            &[("on", &ago(12)), ("opinion", "收入稳定，同意消除")],
        )
        .await;
        let decide = send(&w.app, "county", Method::GET, &pid, &[], None).await;
        assert!(
            decide.body.contains("监测联系人") && decide.body.contains("联系电话"),
            "the decision asks for the contact"
        );
        // a bad phone is refused, nothing written
        let version = version_of(&decide.body);
        let bad = send(
            &w.app,
            "county",
            Method::POST,
            &format!("{pid}/steps/decide"),
            &[],
            Some(&[
                ("csrf", CSRF),
                ("version", &version),
                ("on", &ago(0)),
                ("include", "1"),
                ("elimination_kind", "0"),
                ("contact_name", "王小红"),
                ("contact_phone", "12345"),
                ("announcement", "旺乡振〔2026〕40号"),
            ]),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        step(
            &w,
            "county",
            &pid,
            "decide",
            &[
                ("on", &ago(0)),
                ("include", "1"),
                ("elimination_kind", "0"),
                ("contact_name", "王小红"),
                ("contact_phone", "13800001111"),
                ("announcement", "旺乡振〔2026〕40号"),
            ],
        )
        .await;

        let timeline = send(&w.app, "county", Method::GET, &pid, &[], None).await;
        assert!(timeline.body.contains("风险已消除"), "{}", timeline.body);
        assert!(timeline.body.contains("王小红 13800001111"));
        let closed = send(&w.app, "taohong", Method::GET, &page_uri, &[], None).await;
        assert!(closed.body.contains("风险已消除"), "{}", closed.body);
        assert!(closed.body.contains("王小红 13800001111"));
        assert!(closed.body.contains("帮扶消除"));
        assert!(closed.body.contains("风险再标注"));
        let case = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/cases/{case_id}"),
            &[],
            None,
        )
        .await;
        assert!(case.body.contains("风险已消除"));
        let read = call(&w, "county", Method::GET, path, &api, None).await;
        assert_eq!(read.body["status"], "风险已消除");
        assert_eq!(read.body["contact_phone"], "13800001111");
        assert_eq!(read.body["check"].as_array().unwrap().len(), 0);

        // 风险再标注 through the API opens an identification naming the case
        let reflag = call(
            &w,
            "taohong",
            Method::POST,
            "/api/v1/cases/{id}/reflag",
            &format!("/api/v1/cases/{case_id}/reflag"),
            Some(json!({"risk": "因意外事故", "note": "户主车祸住院"})),
        )
        .await;
        assert_eq!(reflag.status, StatusCode::CREATED, "{}", reflag.text);
        assert_eq!(reflag.body["procedure"]["purpose"], "识别认定程序");
        let read = call(&w, "taohong", Method::GET, path, &api, None).await;
        assert_eq!(read.body["reflags"][0], reflag.body["id"]);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_household_without_labour_is_refused_and_marked_safety_net() {
    for w in worlds() {
        let w = with_doc(w).await;
        let no = w.own[1].clone();
        let case_id = old_case(&w, &no);
        measure(&w, case_id, &no);
        good_income(&w, &no);
        no_labour(&w, &no);
        let page_uri = format!("/cases/{case_id}/elimination");
        let page = send(&w.app, "taohong", Method::GET, &page_uri, &[], None).await;
        assert!(page.body.contains("整户无劳动能力"), "{}", page.body);
        assert!(page.body.contains("标注为兜底保障户"));
        assert!(!page.body.contains("发起风险消除"));
        let api = format!("/api/v1/cases/{case_id}/elimination");
        let path = "/api/v1/cases/{id}/elimination";
        let refused = call(&w, "taohong", Method::POST, path, &api, Some(json!({}))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body["code"], "elimination.without_labour");
        // a stale version is refused
        let stale = send(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/cases/{case_id}/safety-net"),
            &[],
            Some(&[("csrf", CSRF), ("version", "99")]),
        )
        .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        let version = version_of(&page.body);
        let marked = send(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/cases/{case_id}/safety-net"),
            &[],
            Some(&[("csrf", CSRF), ("version", &version)]),
        )
        .await;
        let after = follow(&w.app, "taohong", &marked).await;
        assert!(
            after.body.contains("已标注整户无劳动能力兜底保障户"),
            "{}",
            after.body
        );
        assert!(!after.body.contains("标注为兜底保障户</button>"));
        let read = call(&w, "taohong", Method::GET, path, &api, None).await;
        assert_eq!(read.body["safety_net"], true);
        assert_eq!(read.body["status"], "风险未消除");
        // a household with labour cannot be marked
        let other = w.own[2].clone();
        let case2 = old_case(&w, &other);
        let v = call(
            &w,
            "taohong",
            Method::GET,
            path,
            &format!("/api/v1/cases/{case2}/elimination"),
            None,
        )
        .await;
        let version = v.body["version"].as_i64().unwrap();
        let refused = call(
            &w,
            "taohong",
            Method::POST,
            "/api/v1/cases/{id}/safety-net",
            &format!("/api/v1/cases/{case2}/safety-net"),
            Some(json!({"version": version})),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text
        );
        // another village's cadre cannot see it
        let hidden = send(&w.app, "longfeng", Method::GET, &page_uri, &[], None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        let _ = &w.other;
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_county_decision_checks_the_conditions_again_and_refuses_when_they_no_longer_hold() {
    for w in worlds() {
        let w = with_doc(w).await;
        let no = w.own[3].clone();
        let case_id = old_case(&w, &no);
        measure(&w, case_id, &no);
        good_income(&w, &no);
        let page_uri = format!("/cases/{case_id}/elimination");
        let opened = send(
            &w.app,
            "taohong",
            Method::POST,
            &page_uri,
            &[],
            Some(&[("csrf", CSRF), ("kind", "0"), ("on", &ago(20))]),
        )
        .await;
        let pid = opened.location.clone();
        assert!(pid.starts_with("/identifications/"), "{}", opened.body);
        step(
            &w,
            "taohong",
            &pid,
            "verify",
            &[
                ("on", &ago(19)),
                ("members", "3"),
                ("findings", "务工收入稳定"),
            ],
        )
        .await;
        step(
            &w,
            "taohong",
            &pid,
            "appraise",
            &[
                ("on", &ago(18)),
                ("result", "1"),
                ("elimination_kind", "0"),
                ("participants", "村两委、村民代表共9人"),
                ("minutes", "一致同意消除风险"),
            ],
        )
        .await;
        step(
            &w,
            "taohong",
            &pid,
            "notice",
            &[
                ("start", &ago(18)),
                ("end", &ago(14)),
                ("contact", "村委会办公室"),
            ],
        )
        .await;
        step(&w, "taohong", &pid, "submit", &[("on", &ago(13))]).await;
        step(
            &w,
            "sanjiang",
            &pid,
            "approve",
            &[("on", &ago(12)), ("opinion", "同意")],
        )
        .await;
        // meanwhile a new lead: the conditions no longer hold on the day of the decision
        let store = w.db.store.clone();
        let lead_no = no.clone();
        outside(move || {
            store
                .raise_lead(
                    &Actor::system("test"),
                    &shouwang_store::leads::NewLead {
                        household_no: lead_no,
                        risk: shouwang_core::monitoring::RiskType::Accident,
                        level: shouwang_core::screening::level::WarningLevel::Red,
                        source: shouwang_core::lead::LeadSource::CadreCheck,
                        found_on: today(),
                        due_on: today().add_days(3),
                        note: "户主车祸住院".into(),
                    },
                )
                .unwrap()
        });
        let page = send(&w.app, "county", Method::GET, &pid, &[], None).await;
        let version = version_of(&page.body);
        let refused = send(
            &w.app,
            "county",
            Method::POST,
            &format!("{pid}/steps/decide"),
            &[],
            Some(&[
                ("csrf", CSRF),
                ("version", &version),
                ("on", &ago(0)),
                ("include", "1"),
                ("elimination_kind", "0"),
                ("contact_name", "王小红"),
                ("contact_phone", "13800001111"),
                ("announcement", "旺乡振〔2026〕41号"),
            ]),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("尚有待处理的风险线索：因意外事故"),
            "{}",
            refused.body
        );
        let api = call(
            &w,
            "county",
            Method::GET,
            "/api/v1/cases/{id}/elimination",
            &format!("/api/v1/cases/{case_id}/elimination"),
            None,
        )
        .await;
        assert_eq!(api.body["status"], "风险未消除", "nothing written");
        assert_eq!(api.body["procedures"][0]["stage"], "县级审定");
        // the county may still refuse with a reason
        step(
            &w,
            "county",
            &pid,
            "decide",
            &[
                ("on", &ago(0)),
                ("include", "0"),
                ("reason", "出现新的意外事故风险"),
            ],
        )
        .await;
        let api = call(
            &w,
            "county",
            Method::GET,
            "/api/v1/cases/{id}/elimination",
            &format!("/api/v1/cases/{case_id}/elimination"),
            None,
        )
        .await;
        assert_eq!(api.body["procedures"][0]["stage"], "不予消除");
        assert_eq!(api.body["status"], "风险未消除");
        // an opening more than 30 days back is refused
        let too_early = send(
            &w.app,
            "taohong",
            Method::POST,
            &page_uri,
            &[],
            Some(&[("csrf", CSRF), ("kind", "0"), ("on", &ago(40))]),
        )
        .await;
        assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
        outside(move || drop(w));
    }
}
