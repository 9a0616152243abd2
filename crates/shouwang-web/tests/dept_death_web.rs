//! 公安 deaths (D09) confirmed on the household's page, on every configured backend: the village
//! cadre confirms and the member leaves the household as deceased on the alert's date (the
//! registry's departure, audited); a second decision is refused; a rejection needs a reason and
//! keeps the member; a withdrawn alert cannot be decided; another village gets 404, an inspector
//! may not decide, an alert of another household reads as not found.

use axum::http::{Method, StatusCode};
use shouwang_core::codes::Relation;
use shouwang_core::household::LeaveReason;
use shouwang_core::{Household, Member, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, send, signed_in_users, today, with_two_villages, TAOHONG};

fn alert_sql(id: i64, h: &Household, m: &Member, on: &str, status: i64) -> String {
    format!(
        "INSERT INTO dept_alerts (id, batch_id, county, kind, rule, household_no, village, id_number, person_name, level, risk, year, on_date, evidence, status, created_at)
         VALUES ({id}, 1, '510821', 8, 'D09', '{}', '{}', '{}', '{}', 1, 7, {}, '{on}', '{{\"rule\":\"D09\",\"kind\":\"公安\",\"row\":{id},\"rows\":1,\"date\":\"{on}\",\"amount\":null,\"threshold\":null,\"zh\":\"公安登记死亡\",\"en\":\"registered dead\"}}', {status}, 0);\n",
        h.household_no,
        h.village,
        m.id_number,
        m.name,
        today().year()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cadre_confirms_or_rejects_a_registered_death() {
    let worlds = outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, common::LONGFENG),
                        ("inspector", Role::Inspector, "510821"),
                    ],
                );
                (db, data)
            })
            .collect::<Vec<_>>()
    });
    for (db, data) in worlds {
        let families: Vec<&(Household, Vec<Member>)> = data
            .iter()
            .filter(|(h, ms)| h.village.as_str() == TAOHONG && ms.len() >= 2)
            .collect();
        assert!(
            families.len() >= 2,
            "two families of 桃红村 with two members"
        );
        let not_head = |f: &(Household, Vec<Member>)| {
            f.1.iter()
                .find(|m| m.relation != Relation::Head)
                .cloned()
                .unwrap()
        };
        let (a, b) = (families[0], families[1]);
        let (ma, mb) = (not_head(a), not_head(b));
        let on = today().add_days(-10).to_string();
        let mut sql = String::from(
            "INSERT INTO dept_batches (id, county, region, kind, channel, file_name, sha256, rows_total, status, created_by, created_at)
             VALUES (1, '510821', '510821', 8, 1, 'siwang.csv', 'bb', 3, 1, 'test', 0);\n",
        );
        sql += &alert_sql(1, &a.0, &ma, &on, 0);
        sql += &alert_sql(2, &b.0, &mb, &on, 0);
        sql += &alert_sql(3, &b.0, &b.1[0], &on, 1);
        outside(|| db.execute_unchecked(&sql)).unwrap();
        let app = router(AppState::new(db.store.clone(), WebConfig::default()));
        let (na, nb) = (&a.0.household_no, &b.0.household_no);
        let url = |no: &str, id: i64| format!("/households/{no}/dept-death/{id}");

        // the household page leads the village cadre to the form, and not the inspector
        let household = send(
            &app,
            "taohong",
            Method::GET,
            &format!("/households/{na}"),
            &[],
            None,
        )
        .await;
        assert!(
            household.body.contains(&url(na, 1)),
            "the household page links the D09 alert's form"
        );
        let household = send(
            &app,
            "inspector",
            Method::GET,
            &format!("/households/{na}"),
            &[],
            None,
        )
        .await;
        assert!(
            !household.body.contains(&url(na, 1)),
            "an inspector may not decide"
        );

        // the form names the person and the date
        let page = send(&app, "taohong", Method::GET, &url(na, 1), &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains(&ma.name) && page.body.contains(&on));
        assert!(page.body.contains("确认死亡"));
        // another village: not found; an inspector: not allowed; another household's alert
        for (user, uri, status) in [
            ("longfeng", url(na, 1), StatusCode::NOT_FOUND),
            ("inspector", url(na, 1), StatusCode::FORBIDDEN),
            ("taohong", url(na, 2), StatusCode::NOT_FOUND),
            ("taohong", url(na, 99), StatusCode::NOT_FOUND),
        ] {
            let r = send(&app, user, Method::GET, &uri, &[], None).await;
            assert_eq!(r.status, status, "{user} {uri}");
            let r = send(
                &app,
                user,
                Method::POST,
                &uri,
                &[],
                Some(&[("csrf", common::CSRF), ("decision", "confirm")]),
            )
            .await;
            assert_eq!(r.status, status, "POST {user} {uri}");
        }
        assert_eq!(
            outside(|| db.store.count_events("dept.death.confirm")).unwrap(),
            0
        );

        // confirmed: the member leaves as deceased on the alert's date
        let done = send(
            &app,
            "taohong",
            Method::POST,
            &url(na, 1),
            &[],
            Some(&[("csrf", common::CSRF), ("decision", "confirm")]),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location, format!("/households/{na}"));
        let rec = outside(|| db.store.household(na)).unwrap().unwrap();
        assert!(rec.members.iter().all(|m| m.id_number != ma.id_number));
        let gone = outside(|| db.store.departures(na)).unwrap();
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].departure.reason, LeaveReason::Death);
        assert_eq!(gone[0].departure.on.to_string(), on);
        assert_eq!(
            gone[0].departure.member.deceased_on.map(|d| d.to_string()),
            Some(on.clone())
        );
        assert_eq!(
            outside(|| db.store.count_events("dept.death.confirm")).unwrap(),
            1
        );
        assert_eq!(
            outside(|| db.store.count_events("household.member_leave")).unwrap(),
            1
        );
        // once only
        let again = send(
            &app,
            "taohong",
            Method::POST,
            &url(na, 1),
            &[],
            Some(&[("csrf", common::CSRF), ("decision", "confirm")]),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("已经确认或驳回"));
        let page = send(&app, "taohong", Method::GET, &url(na, 1), &[], None).await;
        assert!(page.body.contains("已确认死亡") && !page.body.contains("驳回理由"));

        // a rejection needs a reason; with one, the member stays
        let bare = send(
            &app,
            "taohong",
            Method::POST,
            &url(nb, 2),
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("decision", "reject"),
                ("note", "  "),
            ]),
        )
        .await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bare.body.contains("驳回须写明理由"));
        let rejected = send(
            &app,
            "taohong",
            Method::POST,
            &url(nb, 2),
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("decision", "reject"),
                ("note", "本人健在，系同名误报"),
            ]),
        )
        .await;
        assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
        let rec = outside(|| db.store.household(nb)).unwrap().unwrap();
        assert!(rec.members.iter().any(|m| m.id_number == mb.id_number));
        assert!(outside(|| db.store.departures(nb)).unwrap().is_empty());
        let page = send(&app, "taohong", Method::GET, &url(nb, 2), &[], None).await;
        assert!(
            page.body.contains("已驳回：本人健在，系同名误报"),
            "{}",
            page.body
        );
        assert_eq!(
            outside(|| db.store.count_events("dept.death.reject")).unwrap(),
            1
        );

        // a withdrawn alert cannot be decided; the head is never touched
        let withdrawn = send(
            &app,
            "taohong",
            Method::POST,
            &url(nb, 3),
            &[],
            Some(&[("csrf", common::CSRF), ("decision", "confirm")]),
        )
        .await;
        assert_eq!(withdrawn.status, StatusCode::CONFLICT);
        assert_eq!(
            outside(|| db.store.household(nb))
                .unwrap()
                .unwrap()
                .members
                .len(),
            b.1.len()
        );
        // no CSRF token: refused, nothing written
        let before = outside(|| db.count_rows("audit_events"));
        let r = common::answer(
            tower::ServiceExt::oneshot(
                app.clone(),
                axum::http::Request::post(url(nb, 2))
                    .header(
                        axum::http::header::COOKIE,
                        format!("{}=token-taohong", shouwang_web::auth::SESSION_COOKIE),
                    )
                    .header(
                        axum::http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(axum::body::Body::from("decision=confirm"))
                    .unwrap(),
            )
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(outside(|| db.count_rows("audit_events")), before);
        outside(move || drop((app, db)));
    }
}
