//! The working calendar page on every configured backend: a county officer sees the province's
//! days with where they come from, adds and removes the county's own, replaces the year from a
//! file; a date twice, a date outside the year or a bad file is refused naming it, with nothing
//! written; others read the calendar without a form and are refused its writes. And the
//! standards page shows and sets the procedure's days and working-day counting.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use shouwang_core::calendar::{CalendarDay, DayKind};
use shouwang_core::{Date, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{follow, outside, send, signed_in_users, with_two_villages, Answer, CSRF, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                signed_in_users(
                    &db.store,
                    &[
                        ("county", Role::County, "510821"),
                        ("sanjiang", Role::Township, "510821108"),
                        ("taohong", Role::Village, TAOHONG),
                        ("inspector", Role::Inspector, "510821"),
                    ],
                );
                // the province's National Day, as its administrator entered it
                let days: Vec<CalendarDay> = (1..=7)
                    .map(|d| CalendarDay {
                        date: Date::new(2026, 10, d).unwrap(),
                        kind: DayKind::Holiday,
                        name: "国庆节".into(),
                    })
                    .collect();
                db.store
                    .save_calendar_days(
                        &Actor::system("test"),
                        &RegionCode::parse("51").unwrap(),
                        2026,
                        &days,
                    )
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app }
            })
            .collect()
    })
}

const PAGE: &str = "/calendar?region=510821&year=2026";

async fn get(app: &Router, user: &str, uri: &str) -> Answer {
    send(app, user, Method::GET, uri, &[], None).await
}

async fn post(app: &Router, user: &str, uri: &str, form: &[(&str, &str)]) -> Answer {
    let mut with_csrf = vec![("csrf", CSRF)];
    with_csrf.extend_from_slice(form);
    send(app, user, Method::POST, uri, &[], Some(&with_csrf)).await
}

/// A file sent as the request body, its CSRF token in the header (as the page's script does).
async fn upload(app: &Router, user: &str, uri: &str, file: &str) -> Answer {
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(
            header::COOKIE,
            format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE),
        )
        .header("x-csrf-token", CSRF)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(file.to_string()))
        .unwrap();
    common::answer(app.clone().oneshot(req).await.unwrap()).await
}

fn own_days(w: &World) -> Vec<String> {
    let county = RegionCode::parse("510821").unwrap();
    outside(|| w.db.store.calendar_days(&county, 2026).unwrap())
        .into_iter()
        .filter(|e| e.region == county)
        .map(|e| format!("{} {}", e.day.date, e.day.kind.label_zh()))
        .collect()
}

#[tokio::test]
async fn a_county_officer_sees_the_provinces_days_and_adds_and_removes_the_countys_own() {
    for w in worlds() {
        let page = get(&w.app, "county", PAGE).await;
        assert_eq!(page.status, StatusCode::OK, "{}", w.db.name);
        assert!(page.body.contains("2026-10-01"), "{}", w.db.name);
        assert!(page.body.contains("周四"), "10-01 is a Thursday");
        assert!(
            page.body.contains("四川省"),
            "the province's days say where they come from"
        );
        // the province's days are not the county's to remove
        assert!(!page.body.contains("name=\"date\" value=\"2026-10-01\""));

        let added = post(
            &w.app,
            "county",
            "/calendar/add",
            &[
                ("region", "510821"),
                ("year", "2026"),
                ("date", "2026-10-10"),
                ("kind", "2"),
                ("name", "国庆节调休"),
            ],
        )
        .await;
        let shown = follow(&w.app, "county", &added).await;
        assert!(
            shown.body.contains("已添加 2026-10-10 调休上班日"),
            "{}: {}",
            w.db.name,
            shown.body
        );
        assert!(shown.body.contains("name=\"date\" value=\"2026-10-10\""));
        assert_eq!(own_days(&w), ["2026-10-10 调休上班日"]);

        let removed = post(
            &w.app,
            "county",
            "/calendar/remove",
            &[
                ("region", "510821"),
                ("year", "2026"),
                ("date", "2026-10-10"),
            ],
        )
        .await;
        let shown = follow(&w.app, "county", &removed).await;
        assert!(shown.body.contains("已删除 2026-10-10"), "{}", w.db.name);
        assert!(own_days(&w).is_empty());
        let events = outside(|| w.db.store.history("calendar", "510821/2026", 10).unwrap());
        assert_eq!(events.len(), 2, "{}", w.db.name);
        assert_eq!(events[0].username, "county");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_date_twice_or_outside_the_year_is_refused_naming_it_and_nothing_is_written() {
    for w in worlds() {
        let add = |date: &'static str, kind: &'static str| {
            let app = w.app.clone();
            async move {
                post(
                    &app,
                    "county",
                    "/calendar/add",
                    &[
                        ("region", "510821"),
                        ("year", "2026"),
                        ("date", date),
                        ("kind", kind),
                    ],
                )
                .await
            }
        };
        assert_eq!(add("2026-10-08", "1").await.status, StatusCode::SEE_OTHER);
        let twice = add("2026-10-08", "2").await;
        assert_eq!(
            twice.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            w.db.name
        );
        assert!(
            twice.body.contains("2026-10-08 已录入为法定节假日"),
            "{}",
            twice.body
        );
        // what was typed is still in the form
        assert!(twice.body.contains("value=\"2026-10-08\" min="));
        let outside_year = add("2027-01-01", "1").await;
        assert_eq!(outside_year.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(outside_year.body.contains("日期 2027-01-01 不在 2026 年内"));
        let nul = post(
            &w.app,
            "county",
            "/calendar/add",
            &[
                ("region", "510821"),
                ("year", "2026"),
                ("date", "2026-10-09"),
                ("kind", "1"),
                ("name", "县\u{0}庆"),
            ],
        )
        .await;
        assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
        assert!(nul.body.contains("名称含有不可见的控制字符"));
        let no_date = add("10月8日", "1").await;
        assert!(no_date.body.contains("日期“10月8日”无法识别"));
        assert_eq!(own_days(&w), ["2026-10-08 法定节假日"], "{}", w.db.name);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_file_replaces_the_year_and_a_bad_file_names_its_rows_and_saves_nothing() {
    for w in worlds() {
        let uri = "/calendar/import?region=510821&year=2026&name=a.csv";
        let good = "日期,类型,名称\n2026-10-10,调休上班日,国庆节调休\n2026-09-20,上班,国庆节调休\n";
        let saved = upload(&w.app, "county", uri, good).await;
        let shown = follow(&w.app, "county", &saved).await;
        assert!(shown.body.contains("2 天"), "{}: {}", w.db.name, shown.body);
        assert_eq!(
            own_days(&w),
            ["2026-09-20 调休上班日", "2026-10-10 调休上班日"]
        );

        let bad = "日期,类型,名称\n2026-10-10,调休上班日,\n2026-10-10,法定节假日,\n2026-02-30,法定节假日,\n";
        let refused = upload(&w.app, "county", uri, bad).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            w.db.name
        );
        assert!(refused.body.contains("第3行“日期”"), "{}", refused.body);
        assert!(refused.body.contains("第4行“日期”"), "{}", refused.body);
        let no_kind = upload(&w.app, "county", uri, "日期,名称\n2026-10-10,x\n").await;
        assert!(
            no_kind.body.contains("缺少必填列“类型”"),
            "{}",
            no_kind.body
        );
        assert_eq!(own_days(&w).len(), 2, "{}", w.db.name);

        // the sample offered on the page is the 2026 national one
        let sample = get(&w.app, "county", "/calendar/sample-2026.csv").await;
        assert!(sample.body.contains("2026-02-14,调休上班日"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn others_read_the_calendar_without_a_form_and_are_refused_its_writes() {
    for w in worlds() {
        for user in ["sanjiang", "taohong", "inspector"] {
            let page = get(&w.app, user, "/calendar?year=2026").await;
            assert_eq!(page.status, StatusCode::OK, "{user}");
            assert!(
                page.body.contains("2026-10-01"),
                "{user} reads the county's calendar"
            );
            assert!(!page.body.contains("/calendar/add"), "{user} sees no form");
            let refused = post(
                &w.app,
                user,
                "/calendar/add",
                &[("year", "2026"), ("date", "2026-10-08"), ("kind", "1")],
            )
            .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{user}");
        }
        // another county is nobody's business here
        let elsewhere = get(&w.app, "county", "/calendar?region=510822&year=2026").await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
        let up = upload(
            &w.app,
            "county",
            "/calendar/import?region=51&year=2026",
            "日期,类型\n",
        )
        .await;
        assert_eq!(
            up.status,
            StatusCode::NOT_FOUND,
            "the province is outside a county officer's"
        );
        assert!(own_days(&w).is_empty());
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_standards_page_shows_and_sets_the_steps_days_and_working_day_counting() {
    for w in worlds() {
        let page = get(&w.app, "county", "/standards?year=2026").await;
        assert!(page.body.contains("按工作日计算时限"), "{}", w.db.name);
        assert!(page.body.contains("入户核实时限"));
        assert!(page.body.contains("/calendar?region=510821&amp;year=2026"));
        let saved = post(
            &w.app,
            "county",
            "/standards",
            &[
                ("region", "510821"),
                ("year", "2026"),
                ("line", "8700"),
                ("working_days", "1"),
                ("verification_days", "4"),
            ],
        )
        .await;
        let shown = follow(&w.app, "county", &saved).await;
        assert!(
            shown.body.contains("4 个工作日"),
            "{}: {}",
            w.db.name,
            shown.body
        );
        assert!(shown.body.contains("是（节假日见工作日历）"));
        assert!(shown.body.contains("<option value=\"1\" selected>"));
        let refused = post(
            &w.app,
            "county",
            "/standards",
            &[
                ("region", "510821"),
                ("year", "2026"),
                ("appraisal_days", "99"),
            ],
        )
        .await;
        assert!(refused.body.contains("民主评议时限"), "{}", refused.body);
        assert!(refused.body.contains("value=\"99\""));
        outside(move || drop(w));
    }
}
