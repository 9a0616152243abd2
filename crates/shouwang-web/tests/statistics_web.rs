//! 监测统计 through its pages, on every configured backend: the county officer sees the county's
//! figures with a row per township and each figure's households one click away; the township row
//! leads one level down; the xlsx and JSON exports carry the figures (JSON with each figure's
//! link); a village cadre asking for another village gets "not found"; a past date shows the type
//! a case had then.

use axum::http::{Method, StatusCode};
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, send, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

#[tokio::test]
async fn the_county_sees_its_figures_by_township_each_linked_to_its_households() {
    for db in outside(TestDb::all) {
        let (db, own, app) = outside(move || {
            let db = with_two_villages(db);
            let data = common::county_below_the_line(&db);
            let own = data
                .iter()
                .find(|(h, _)| h.village.as_str() == TAOHONG)
                .map(|(h, m)| (h.household_no.clone(), m.len()))
                .unwrap();
            let other = data
                .iter()
                .find(|(h, _)| h.village.as_str() == LONGFENG)
                .map(|(h, _)| h.household_no.clone())
                .unwrap();
            let year_ago = today().add_days(-365);
            let month_ago = today().add_days(-30);
            // 桃红村: a case included a year ago as 边缘易致贫户, made 突发严重困难户 today;
            // 龙凤村: a case included a month ago and eliminated after assistance today
            db.execute_unchecked(&format!(
                "INSERT INTO monitoring_cases (county, household_no, case_type, identified, identified_on, status, created_at, updated_at)
                 VALUES ('510821', '{}', 2, '{}', '{year_ago}', 1, 0, 0);
                 INSERT INTO monitoring_cases (county, household_no, case_type, identified, identified_on, status, created_at, updated_at)
                 VALUES ('510821', '{other}', 1, '{}', '{month_ago}', 1, 0, 0);
                 UPDATE monitoring_cases SET case_type = 3 WHERE household_no = '{}';
                 UPDATE monitoring_cases SET status = 2, elimination_kind = 0, eliminated = '{}', eliminated_on = '{}' WHERE household_no = '{other}';",
                own.0,
                &year_ago.to_string()[..7],
                &month_ago.to_string()[..7],
                own.0,
                &today().to_string()[..7],
                today()
            ))
            .unwrap();
            signed_in_users(
                &db.store,
                &[
                    ("county", Role::County, "510821"),
                    ("cadre", Role::Village, TAOHONG),
                ],
            );
            let app = router(AppState::new(db.store.clone(), WebConfig::default()));
            (db, own, app)
        });
        let page = send(
            &app,
            "county",
            Method::GET,
            "/reports/monitoring",
            &[],
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{}: {}", db.name, page.body);
        assert!(
            page.body.contains("三江镇") && page.body.contains("龙凤镇"),
            "{}",
            page.body
        );
        assert!(page.body.contains("2户"), "{}: two cases counted", db.name);
        // the link of 帮扶消除 lists 龙凤村's household only
        let link = format!(
            "/reports/monitoring/records?region=510821&as_of={t}&from={y}-01-01&to={t}&category=after_assistance",
            t = today(),
            y = today().year()
        );
        assert!(
            page.body.contains(&link.replace('&', "&#38;")),
            "{}",
            page.body
        );
        let list = send(&app, "county", Method::GET, &link, &[], None).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("龙凤村") && !list.body.contains("桃红村"),
            "{}",
            list.body
        );
        // a township row leads one level down, to its villages
        let down = send(
            &app,
            "county",
            Method::GET,
            "/reports/monitoring?region=510821108",
            &[],
            None,
        )
        .await;
        assert!(down.body.contains("桃红村"), "{}", down.body);
        // a year and a day ago nothing counted; half a year ago 桃红村's case was still 边缘易致贫户
        let before = today().add_days(-366);
        let none = send(
            &app,
            "county",
            Method::GET,
            &format!("/reports/monitoring/records?region=510821&as_of={before}"),
            &[],
            None,
        )
        .await;
        assert!(none.body.contains("没有符合条件的户"), "{}", none.body);
        let half = today().add_days(-180);
        let then = send(
            &app,
            "county",
            Method::GET,
            &format!("/reports/monitoring/records?region=510821&as_of={half}"),
            &[],
            None,
        )
        .await;
        assert!(
            then.body.contains("边缘易致贫户") && !then.body.contains("突发严重困难户"),
            "{}",
            then.body
        );
        assert!(then.body.contains(&format!("/households/{}", own.0)));
        // the exports
        let xlsx = send(
            &app,
            "county",
            Method::GET,
            "/reports/monitoring?format=xlsx",
            &[],
            None,
        )
        .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.bytes.starts_with(b"PK"));
        let json = send(
            &app,
            "county",
            Method::GET,
            "/reports/monitoring?format=json",
            &[],
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_slice(&json.bytes).unwrap();
        let all = v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["region"] == "510821" && f["category"] == "all" && f["case_type"].is_null())
            .unwrap();
        assert_eq!(all["households"], 2);
        assert!(all["records"]
            .as_str()
            .unwrap()
            .starts_with("/reports/monitoring/records?region=510821"));
        // the cadre: their village yes, another no
        let own_village = send(&app, "cadre", Method::GET, "/reports/monitoring", &[], None).await;
        assert_eq!(own_village.status, StatusCode::OK);
        let other = send(
            &app,
            "cadre",
            Method::GET,
            &format!("/reports/monitoring?region={LONGFENG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let bad = send(
            &app,
            "county",
            Method::GET,
            "/reports/monitoring?as_of=2026-01-01&to=2026-02-01",
            &[],
            None,
        )
        .await;
        assert_ne!(bad.status, StatusCode::OK);
        let _ = own.1;
        outside(move || drop((db, app)));
    }
}
