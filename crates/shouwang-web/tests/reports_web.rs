//! 报表 through the pages, on every configured backend: the hub links every table; each
//! supervision table renders, links its figures to their records and exports xlsx and CSV; a
//! village sees its own figures and another village's is "not found", a department "not
//! allowed"; the ranking explains each village's score; the weights form saves (CSRF, audited)
//! for a township and is refused to a village; English pages carry no Chinese labels of ours.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{follow, outside, send, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// 桃红村's household with a case at risk and no measure: number and head
    own: (String, String),
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
                        ("taohong", Role::Village, TAOHONG),
                        ("dept", Role::Department, "510821"),
                    ],
                );
                let (h, m) = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap();
                let head = m
                    .iter()
                    .find(|m| m.relation == Relation::Head)
                    .unwrap()
                    .name
                    .clone();
                let no = h.household_no.clone();
                let month = &today().to_string()[..7];
                let found = today().add_days(-20);
                let due = today().add_days(-10);
                db.execute_unchecked(&format!(
                    "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                     VALUES ('510821', '{no}', 2, '0', '{month}', 1, 0, 0);
                     INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at)
                     VALUES ('510821', '{no}', '{TAOHONG}', 0, 1, '', 2, '{found}', '{due}', 0, 1);"
                ))
                .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    own: (no, head),
                }
            })
            .collect()
    })
}

const SLUGS: [&str; 6] = [
    "measures",
    "without-measures",
    "overdue",
    "visits",
    "alerts",
    "leads",
];

#[tokio::test]
async fn the_hub_links_every_report_and_a_department_is_not_allowed() {
    for w in worlds() {
        let page = send(&w.app, "county", Method::GET, "/reports", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for href in [
            "/reports/monitoring?region=510821",
            "/reports/income?region=510821",
            "/quality?region=510821",
            "/reports/ranking?region=510821",
        ] {
            assert!(page.body.contains(href), "{href}");
        }
        for slug in SLUGS {
            assert!(page
                .body
                .contains(&format!("/reports/tables/{slug}?region=510821")));
        }
        let dept = send(&w.app, "dept", Method::GET, "/reports", &[], None).await;
        assert_eq!(dept.status, StatusCode::FORBIDDEN);
        outside(|| drop(w));
    }
}

#[tokio::test]
async fn every_table_renders_links_its_figures_and_exports_xlsx_and_csv() {
    for w in worlds() {
        for slug in SLUGS {
            let page = send(
                &w.app,
                "taohong",
                Method::GET,
                &format!("/reports/tables/{slug}"),
                &[],
                None,
            )
            .await;
            assert_eq!(page.status, StatusCode::OK, "{slug}: {}", page.body);
            let xlsx = send(
                &w.app,
                "taohong",
                Method::GET,
                &format!("/reports/tables/{slug}?format=xlsx"),
                &[],
                None,
            )
            .await;
            assert_eq!(xlsx.status, StatusCode::OK, "{slug}");
            assert!(xlsx.bytes.starts_with(b"PK"), "{slug}");
            let csv = send(
                &w.app,
                "taohong",
                Method::GET,
                &format!("/reports/tables/{slug}?format=csv"),
                &[],
                None,
            )
            .await;
            assert!(csv.body.starts_with('\u{feff}'), "{slug}");
        }
        // the household without measures is listed with its link
        let list = send(
            &w.app,
            "taohong",
            Method::GET,
            "/reports/tables/without-measures",
            &[],
            None,
        )
        .await;
        assert!(list.body.contains(&w.own.1), "{}", list.body);
        assert!(list.body.contains(&format!("/households/{}", w.own.0)));
        // the overdue lead is a figure linking to its record, and the record to the household
        let overdue = send(
            &w.app,
            "taohong",
            Method::GET,
            "/reports/tables/overdue",
            &[],
            None,
        )
        .await;
        let link = format!("/reports/tables/overdue/records?region={TAOHONG}&#38;kind=lead");
        assert!(overdue.body.contains(&link), "{}", overdue.body);
        let records = send(
            &w.app,
            "taohong",
            Method::GET,
            &link.replace("&#38;", "&"),
            &[],
            None,
        )
        .await;
        assert_eq!(records.status, StatusCode::OK);
        assert!(records.body.contains(&w.own.1));
        assert!(records.body.contains("/leads/"));
        // another village is not found; an unknown table too
        let other = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/reports/tables/overdue?region={LONGFENG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let unknown = send(
            &w.app,
            "county",
            Method::GET,
            "/reports/tables/nope",
            &[],
            None,
        )
        .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        // in English, the table speaks English
        let en = send(
            &w.app,
            "county",
            Method::GET,
            "/reports/tables/overdue",
            &["sw_lang=en".to_string()],
            None,
        )
        .await;
        assert!(en.body.contains("Overdue work by village"), "{}", en.body);
        assert!(!en.body.contains("线索核实"), "{}", en.body);
        outside(|| drop(w));
    }
}

#[tokio::test]
async fn the_ranking_explains_each_village_and_the_weights_form_saves_for_a_township_only() {
    for w in worlds() {
        let page = send(
            &w.app,
            "sanjiang",
            Method::GET,
            "/reports/ranking",
            &[],
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("桃红村"), "{}", page.body);
        assert!(page.body.contains("按期办结") && page.body.contains("权重 30"));
        assert!(page
            .body
            .contains("/reports/ranking/weights?region=510821108"));
        let county = send(&w.app, "county", Method::GET, "/reports/ranking", &[], None).await;
        assert!(county.body.contains("三江镇") && county.body.contains("龙凤镇"));
        let xlsx = send(
            &w.app,
            "county",
            Method::GET,
            "/reports/ranking?format=xlsx&list=townships",
            &[],
            None,
        )
        .await;
        assert!(xlsx.bytes.starts_with(b"PK"));
        // the village sees its own row, and no weights link
        let own = send(
            &w.app,
            "taohong",
            Method::GET,
            "/reports/ranking",
            &[],
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("桃红村") && !own.body.contains("/reports/ranking/weights"));

        let form = send(
            &w.app,
            "sanjiang",
            Method::GET,
            "/reports/ranking/weights",
            &[],
            None,
        )
        .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("name=\"csrf\""));
        let saved = send(
            &w.app,
            "sanjiang",
            Method::POST,
            "/reports/ranking/weights",
            &[],
            Some(&[
                ("region", "510821108"),
                ("deadline", "50"),
                ("visits", "20"),
                ("measures", "20"),
                ("quality", "10"),
            ]),
        )
        .await;
        let after = follow(&w.app, "sanjiang", &saved).await;
        assert!(after.body.contains("已保存考核权重"), "{}", after.body);
        assert!(after.body.contains("权重 50"));
        let store = w.db.store.clone();
        let (events, weights) = outside(move || {
            (
                store.count_events("ranking.weights").unwrap(),
                store
                    .ranking_weights(&shouwang_core::RegionCode::parse("510821108").unwrap())
                    .unwrap(),
            )
        });
        assert_eq!(events, 1);
        assert_eq!(weights.map(|w| w.deadline), Some(50));
        // out of range: refused, nothing changed
        let bad = send(
            &w.app,
            "sanjiang",
            Method::POST,
            "/reports/ranking/weights",
            &[],
            Some(&[
                ("region", "510821108"),
                ("deadline", "500"),
                ("visits", "x"),
                ("measures", "20"),
                ("quality", "10"),
            ]),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        // a village may not set weights
        let village = send(
            &w.app,
            "taohong",
            Method::POST,
            "/reports/ranking/weights",
            &[],
            Some(&[
                ("region", TAOHONG),
                ("deadline", "1"),
                ("visits", "1"),
                ("measures", "1"),
                ("quality", "1"),
            ]),
        )
        .await;
        assert_eq!(village.status, StatusCode::FORBIDDEN);
        // a form without the CSRF token is refused
        let forged = {
            use axum::http::header;
            use tower::ServiceExt;
            let req = axum::http::Request::builder()
                .method(Method::POST)
                .uri("/reports/ranking/weights")
                .header(
                    header::COOKIE,
                    format!("{}=token-sanjiang", shouwang_web::auth::SESSION_COOKIE),
                )
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(
                    "region=510821108&deadline=1&visits=1&measures=1&quality=1",
                ))
                .unwrap();
            w.app.clone().oneshot(req).await.unwrap().status()
        };
        assert_eq!(forged, StatusCode::FORBIDDEN);
        let store = w.db.store.clone();
        let events = outside(move || store.count_events("ranking.weights").unwrap());
        assert_eq!(events, 1);
        outside(|| drop(w));
    }
}
