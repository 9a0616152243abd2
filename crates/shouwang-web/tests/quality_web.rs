//! 数据质量核查 through its pages, on every configured backend: the county sees the count per rule
//! and village and 桃红村's damaged record with a link to the household and what to fix; the
//! village cadre sees only its village and no exemption form; another village is 404 and a
//! department 403; the county exempts the record with a reason (CSRF, audited), the page then
//! lists it as exempted with who granted it, and withdrawing it puts it back; the exports are a
//! titled xlsx and a CSV.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{follow, outside, send, signed_in_users, with_two_villages, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// 桃红村's damaged household: number, head's name, head's masked ID
    own: (String, String, String),
    /// 龙凤村's damaged household number
    other: String,
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
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("dept", Role::Department, "510821"),
                    ],
                );
                let damaged = |v: &str| {
                    let (h, m) = data.iter().find(|(h, _)| h.village.as_str() == v).unwrap();
                    let head = m.iter().find(|m| m.relation == Relation::Head).unwrap();
                    // a work place without months worked (0_00_011)
                    db.execute_unchecked(&format!(
                        "UPDATE members SET migrant_place = '浙江省义乌市', migrant_months = 0 WHERE id_number = '{}'",
                        head.id_number
                    ))
                    .unwrap();
                    (h.household_no.clone(), head.name.clone(), mask(&head.id_number))
                };
                let own = damaged(TAOHONG);
                let other = damaged(LONGFENG).0;
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, own, other }
            })
            .collect()
    })
}

#[tokio::test]
async fn the_county_sees_counts_and_records_to_fix_and_a_village_only_its_own() {
    for w in worlds() {
        let page = send(&w.app, "county", Method::GET, "/quality", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("旺苍县数据质量核查"), "{}", page.body);
        assert!(page.body.contains("0_00_011"));
        assert!(page.body.contains("填有务工所在地但务工时间为0"));
        assert!(page.body.contains("按村统计") && page.body.contains("桃红村"));
        assert!(page.body.contains(&format!("/households/{}", w.own.0)));
        assert!(
            page.body.contains("action=\"/quality/exemptions\""),
            "the county may exempt"
        );
        // narrowed to the rule, only its records
        let one = send(&w.app, "county", Method::GET, "/quality?rule=11", &[], None).await;
        assert_eq!(one.status, StatusCode::OK);
        assert!(one.body.contains(&w.own.1) && one.body.contains(&w.own.2));
        // the village sees its own household, not the other village's, and no form
        let village = send(&w.app, "taohong", Method::GET, "/quality", &[], None).await;
        assert_eq!(village.status, StatusCode::OK, "{}", village.body);
        assert!(village.body.contains(&w.own.0));
        assert!(!village.body.contains(&w.other));
        assert!(!village.body.contains("action=\"/quality/exemptions\""));
        let across = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/quality?region={LONGFENG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(across.status, StatusCode::NOT_FOUND);
        let dept = send(&w.app, "dept", Method::GET, "/quality", &[], None).await;
        assert_eq!(dept.status, StatusCode::FORBIDDEN);
        // English
        let en = send(
            &w.app,
            "county",
            Method::GET,
            "/quality",
            &[format!("{}=en", shouwang_web::auth::LANG_COOKIE)],
            None,
        )
        .await;
        assert!(
            en.body.contains("work place given but no months worked"),
            "{}",
            en.body
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_county_exempts_a_record_with_a_reason_and_withdraws_it() {
    for w in worlds() {
        let form =
            |reason: &'static str| vec![("csrf", common::CSRF), ("rule", "11"), ("reason", reason)];
        let mut f = form("外出务工刚返乡，月数待年度采集时补录");
        f.push(("household", w.own.0.as_str()));
        f.push(("member", w.own.2.as_str()));
        // a village cadre may not exempt
        let refused = send(
            &w.app,
            "taohong",
            Method::POST,
            "/quality/exemptions",
            &[],
            Some(&f),
        )
        .await;
        assert!(
            matches!(
                refused.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ),
            "{}",
            refused.status
        );
        // a reason of one character is refused
        let mut short = form("是");
        short.push(("household", w.own.0.as_str()));
        short.push(("member", w.own.2.as_str()));
        let s = send(
            &w.app,
            "county",
            Method::POST,
            "/quality/exemptions",
            &[],
            Some(&short),
        )
        .await;
        assert_eq!(s.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.body);
        // a rule the record does not break is refused
        let mut wrong = f.clone();
        wrong[1] = ("rule", "5");
        let r = send(
            &w.app,
            "county",
            Method::POST,
            "/quality/exemptions",
            &[],
            Some(&wrong),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let saved = send(
            &w.app,
            "county",
            Method::POST,
            "/quality/exemptions",
            &[],
            Some(&f),
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = follow(&w.app, "county", &saved).await;
        assert!(page.body.contains("外出务工刚返乡"), "{}", page.body);
        assert!(page.body.contains("已豁免"));
        assert_eq!(
            outside(|| w.db.store.count_events("quality.exempt").unwrap()),
            1
        );
        let id = outside(|| {
            w.db.store
                .quality_exemptions(&shouwang_core::RegionCode::parse("510821").unwrap(), false)
                .unwrap()[0]
                .id
        });
        let withdraw = [
            ("csrf", common::CSRF),
            ("reason", "已补录务工月数，撤销豁免"),
        ];
        let done = send(
            &w.app,
            "county",
            Method::POST,
            &format!("/quality/exemptions/{id}/withdraw"),
            &[],
            Some(&withdraw),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let after = follow(&w.app, "county", &done).await;
        assert!(after.body.contains("已补录务工月数，撤销豁免"));
        assert_eq!(
            outside(|| w.db.store.count_events("quality.withdraw").unwrap()),
            1
        );
        // without the CSRF token nothing is written
        let no_csrf = [("rule", "11"), ("reason", "没有令牌的请求")];
        let bad = common::answer({
            use tower::ServiceExt;
            w.app
                .clone()
                .oneshot(
                    axum::http::Request::post("/quality/exemptions")
                        .header(
                            axum::http::header::COOKIE,
                            format!("{}=token-county", shouwang_web::auth::SESSION_COOKIE),
                        )
                        .header(
                            axum::http::header::CONTENT_TYPE,
                            "application/x-www-form-urlencoded",
                        )
                        .body(axum::body::Body::from(
                            serde_urlencoded::to_string(no_csrf).unwrap(),
                        ))
                        .unwrap(),
                )
                .await
                .unwrap()
        })
        .await;
        assert_eq!(bad.status, StatusCode::FORBIDDEN);
        assert_eq!(
            outside(|| w.db.store.count_events("quality.exempt").unwrap()),
            1
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_exports_are_a_titled_workbook_and_a_csv() {
    for w in worlds() {
        let x = send(
            &w.app,
            "county",
            Method::GET,
            "/quality/export?table=rules&format=xlsx",
            &[],
            None,
        )
        .await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.body);
        assert!(x.bytes.starts_with(b"PK"));
        let c = send(
            &w.app,
            "county",
            Method::GET,
            "/quality/export?table=findings&format=csv",
            &[],
            None,
        )
        .await;
        assert_eq!(c.status, StatusCode::OK);
        assert!(
            c.body.contains("规则编号") && c.body.contains("0_00_011"),
            "{}",
            c.body
        );
        assert!(c.body.contains(&w.own.2), "IDs masked as on the page");
        let v = send(
            &w.app,
            "taohong",
            Method::GET,
            "/quality/export?table=findings&format=csv",
            &[],
            None,
        )
        .await;
        assert!(!v.body.contains(&w.other), "a village exports only its own");
        outside(move || drop(w));
    }
}
