//! 工作提示单 through its pages and the API, on every configured backend: 桃红村's list of this
//! month shows a case whose measures are late and its assistance person's visit, nothing of
//! 龙凤村; "重新生成" saves it and says so; once the measure is entered and the visit made, the
//! regenerated list drops them; the village cadre's home page starts with the month's to-do; the
//! township sees its villages with their counts; another village gets 404, a department 403.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{
    follow, outside, send, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG,
};

struct World {
    db: TestDb,
    app: Router,
    /// 桃红村's household with the late case: its number and its head's name
    own: (String, String),
    /// 龙凤村's household with a case, and its head's name
    other: (String, String),
}

fn head(members: &[shouwang_core::Member]) -> String {
    members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .map(|m| m.name.clone())
        .unwrap()
}

/// A case at risk included `days_ago`, and 王帮扶 paired with the household.
fn case_and_pairing(db: &TestDb, no: &str, days_ago: i64) {
    let on = today().add_days(-days_ago);
    let month = &on.to_string()[..7];
    db.execute_unchecked(&format!(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
         VALUES ('510821', '{no}', 2, '0', '{month}', 1, 0, 0);
         INSERT INTO case_steps (county, case_id, step, on_date, actor)
         SELECT county, id, 'identification', '{on}', 'test' FROM monitoring_cases WHERE household_no = '{no}';
         INSERT INTO assistance_persons (county, position, name, created_at, updated_at) VALUES ('510821', 3, '王帮扶', 0, 0);
         INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
         SELECT '510821', MAX(ap.id), '{no}', (SELECT village FROM households WHERE household_no = '{no}'), '2025-01-01', 'test', 0
           FROM assistance_persons ap;"
    ))
    .unwrap();
}

/// The work done: a measure entered for the case, the assistance person's visit made today.
fn work_done(db: &TestDb, no: &str) {
    let on = today();
    db.execute_unchecked(&format!(
        "INSERT INTO assistance_plans (county, household_no, village, case_id, created_by, created_at, updated_at)
         SELECT c.county, c.household_no, h.village, c.id, 'test', 0, 0 FROM monitoring_cases c
           JOIN households h ON h.county = c.county AND h.household_no = c.household_no WHERE c.household_no = '{no}';
         INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, start_on, state, created_by, created_at, updated_at)
         SELECT county, household_no, village, case_id, id, 7, '医疗救助', '{on}', 2, 'test', 0, 0 FROM assistance_plans WHERE household_no = '{no}';
         INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, findings, created_at)
         SELECT county, household_no, village, '{on}', 'helper', '王帮扶', 3, '生活正常', 0 FROM households WHERE household_no = '{no}';"
    ))
    .unwrap();
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
                        ("taohong", Role::Village, TAOHONG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                        ("longfeng", Role::Village, LONGFENG),
                        ("dept", Role::Department, "510821"),
                    ],
                );
                let of = |v: &str| {
                    let (h, m) = data.iter().find(|(h, _)| h.village.as_str() == v).unwrap();
                    (h.household_no.clone(), head(m))
                };
                let own = of(TAOHONG);
                let other = of(LONGFENG);
                // included 15 days ago: the measures were due 5 days ago
                case_and_pairing(&db, &own.0, 15);
                case_and_pairing(&db, &other.0, 15);
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

fn month() -> String {
    today().to_string()[..7].to_string()
}

fn title() -> String {
    let t = today();
    format!("桃红村 {}年{}月工作提示单", t.year(), t.month())
}

#[tokio::test]
async fn the_village_list_shows_what_is_due_there_and_regenerating_drops_the_work_done() {
    for w in worlds() {
        let page = send(&w.app, "taohong", Method::GET, "/tasks", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&title()), "{}", page.body);
        assert!(page.body.contains(&w.own.1));
        assert!(page.body.contains("制定帮扶措施"));
        assert!(page.body.contains("帮扶责任人 王帮扶"));
        assert!(page.body.contains("已逾期"));
        assert!(
            page.body.contains("class=\"box\""),
            "a checkbox column for paper"
        );
        assert!(page.body.contains("尚未生成"));
        // for paper: the signature line prints, the buttons and month links do not
        assert!(page.body.contains("class=\"sign print-only\""));
        assert!(page.body.contains("class=\"no-print regen\""));
        assert!(page.body.contains("class=\"months no-print\""));
        assert!(
            !page.body.contains(&w.other.1),
            "nothing of another village"
        );

        // 重新生成: saved, and said so
        let sent = send(
            &w.app,
            "taohong",
            Method::POST,
            "/tasks/generate",
            &[],
            Some(&[("csrf", CSRF), ("village", TAOHONG), ("month", &month())]),
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let flash = sent.flash().unwrap();
        assert!(flash.zh.contains("已重新生成"), "{}", flash.zh);
        let page = follow(&w.app, "taohong", &sent).await;
        assert!(page.body.contains("已重新生成"));
        assert!(page.body.contains("生成于"));
        assert!(page.body.contains("重新生成"));
        let events = outside(|| w.db.store.count_events("task_list.generate").unwrap());
        assert_eq!(events, 1);

        // the work done, the list generated again: the measure and the visit are off it
        outside(|| work_done(&w.db, &w.own.0));
        let sent = send(
            &w.app,
            "taohong",
            Method::POST,
            "/tasks/generate",
            &[],
            Some(&[("csrf", CSRF), ("village", TAOHONG), ("month", &month())]),
        )
        .await;
        let page = follow(&w.app, "taohong", &sent).await;
        assert!(!page.body.contains("制定帮扶措施"), "{}", page.body);
        assert!(!page.body.contains("帮扶责任人 王帮扶"));

        // in English
        let en = send(&w.app, "taohong", Method::GET, "/tasks?lang=en", &[], None).await;
        assert!(en.body.contains("task list"), "{}", en.body);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_village_cadres_home_page_starts_with_the_months_to_do() {
    for w in worlds() {
        let home = send(&w.app, "taohong", Method::GET, "/", &[], None).await;
        assert_eq!(home.status, StatusCode::OK);
        let todo = home.body.find("本月待办").expect("the to-do");
        let tiles = home.body.find("class=\"tiles\"").unwrap();
        assert!(todo < tiles, "the to-do comes first");
        assert!(home.body.contains(&w.own.1));
        assert!(home.body.contains("href=\"/cases/"), "each item a link");
        assert!(home.body.contains("href=\"/tasks\""));
        // a county officer's home page has no village to-do
        let county = send(&w.app, "county", Method::GET, "/", &[], None).await;
        assert!(!county.body.contains("本月待办"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_township_sees_its_villages_and_no_one_sees_another_villages_list() {
    for w in worlds() {
        // the township: its villages with counts, each a link, generated for all at once
        let sent = send(
            &w.app,
            "sanjiang",
            Method::POST,
            "/tasks/generate",
            &[],
            Some(&[("csrf", CSRF), ("region", "510821108"), ("month", &month())]),
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let page = follow(&w.app, "sanjiang", &sent).await;
        assert!(page.body.contains("各村工作提示单"), "{}", page.body);
        assert!(page.body.contains(&format!("/tasks?village={TAOHONG}")));
        assert!(!page.body.contains(LONGFENG));
        let list = send(
            &w.app,
            "sanjiang",
            Method::GET,
            &format!("/tasks?village={TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert!(list.body.contains(&title()));

        // another village is not found; a department may not; a form without CSRF is refused
        let other = send(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/tasks?village={TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let regen = send(
            &w.app,
            "longfeng",
            Method::POST,
            "/tasks/generate",
            &[],
            Some(&[("csrf", CSRF), ("village", TAOHONG)]),
        )
        .await;
        assert_eq!(regen.status, StatusCode::NOT_FOUND);
        let dept = send(&w.app, "dept", Method::GET, "/tasks", &[], None).await;
        assert_eq!(dept.status, StatusCode::FORBIDDEN);
        let bad = send(
            &w.app,
            "taohong",
            Method::GET,
            "/tasks?month=2026-13",
            &[],
            None,
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_api_gives_the_list_and_generates_it() {
    for w in worlds() {
        let got = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/api/v1/tasks?village={TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        let v: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(v["saved"], false);
        assert_eq!(v["month"], month());
        let items = v["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["kind"] == "制定帮扶措施"
            && i["household_no"] == w.own.0.as_str()
            && i["overdue"] == true));
        assert!(items
            .iter()
            .all(|i| i["household_no"] != w.other.0.as_str()));

        let made = send(
            &w.app,
            "taohong",
            Method::POST,
            "/api/v1/tasks/generate",
            &[],
            None,
        )
        .await;
        assert_eq!(made.status, StatusCode::BAD_REQUEST, "a body is needed");
        let made = outside_json(&w.app, "taohong", serde_json::json!({"region": TAOHONG})).await;
        assert_eq!(made.0, StatusCode::OK, "{}", made.1);
        assert_eq!(made.1["villages"], 1);
        let got = send(&w.app, "taohong", Method::GET, "/api/v1/tasks", &[], None).await;
        let v: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(v["saved"], true);

        let other = send(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/api/v1/tasks?village={TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let refused =
            outside_json(&w.app, "longfeng", serde_json::json!({"region": TAOHONG})).await;
        assert_eq!(refused.0, StatusCode::NOT_FOUND);
        let dept = outside_json(&w.app, "dept", serde_json::json!({"region": "510821"})).await;
        assert_eq!(dept.0, StatusCode::FORBIDDEN);
        let month = outside_json(
            &w.app,
            "taohong",
            serde_json::json!({"region": TAOHONG, "month": "12/2026x"}),
        )
        .await;
        assert_eq!(month.0, StatusCode::UNPROCESSABLE_ENTITY);
        let spec = send(
            &w.app,
            "taohong",
            Method::GET,
            "/api/openapi.json",
            &[],
            None,
        )
        .await;
        assert!(spec.body.contains("/api/v1/tasks/generate"));
        outside(move || drop(w));
    }
}

/// POSTs JSON to the generation call as `user`.
async fn outside_json(
    app: &Router,
    user: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    use axum::http::header;
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/tasks/generate")
        .header(
            header::COOKIE,
            format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE),
        )
        .header("x-csrf-token", CSRF)
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let a = common::answer(app.clone().oneshot(req).await.unwrap()).await;
    (
        a.status,
        serde_json::from_slice(&a.bytes).unwrap_or_default(),
    )
}
