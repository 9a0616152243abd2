//! 促增收 pages on every configured backend: the county officer's report enters the households
//! below the watch line on the ledger and links every count to its households; the exports are a
//! titled xlsx and a csv; the village cadre clears an entry of the village (CSRF form, audited)
//! only with a method the household's facts bear out, once; another village's cadre reads "not
//! found", an inspector may look but not clear.

use axum::http::{Method, StatusCode};
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, send, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

#[tokio::test(flavor = "multi_thread")]
async fn the_income_report_and_the_ledger_work_for_each_role() {
    let worlds = outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                common::county_below_the_line(&db);
                // every household a 脱贫户, so each is tracked
                db.execute_unchecked("UPDATE households SET household_type = 0")
                    .unwrap();
                signed_in_users(
                    &db.store,
                    &[
                        ("county", Role::County, "510821"),
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("inspector", Role::Inspector, "510821"),
                        ("helper", Role::AssistancePerson, TAOHONG),
                    ],
                );
                db
            })
            .collect::<Vec<_>>()
    });
    let year = today().year();
    for db in worlds {
        let app = router(AppState::new(db.store.clone(), WebConfig::default()));
        let page = send(&app, "county", Method::GET, "/reports/income", &[], None).await;
        assert_eq!(page.status, StatusCode::OK, "{}: {}", db.name, page.body);
        assert!(page.body.contains("低收入户工作台账"), "{}", db.name);
        assert!(page.body.contains("脱贫人口"));
        let behind_href = format!(
            "/reports/income/households?region=510821&#38;year={year}&#38;group=post_poverty&#38;which=all"
        );
        assert!(
            page.body.contains(&behind_href),
            "{}",
            &page.body[page.body.find("<table").unwrap_or(0)..][..4000]
        );
        assert!(page.body.contains("三江镇"), "the townships are named");
        let entries = outside(|| {
            db.store
                .low_income_entries(&"510821".parse_region(), year, false)
                .unwrap()
        });
        assert_eq!(
            entries.len(),
            8,
            "{}: every household is below 10,000 元",
            db.name
        );
        // the households behind the count
        let behind = send(
            &app,
            "county",
            Method::GET,
            &format!(
                "/reports/income/households?region=510821&year={year}&group=post_poverty&which=all"
            ),
            &[],
            None,
        )
        .await;
        assert_eq!(behind.status, StatusCode::OK);
        assert_eq!(behind.body.matches("href=\"/households/").count(), 8);
        // exports
        let xlsx = send(
            &app,
            "county",
            Method::GET,
            &format!("/reports/income/export?region=510821&year={year}&table=ledger&format=xlsx"),
            &[],
            None,
        )
        .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.bytes.starts_with(b"PK"), "an xlsx is a zip");
        let csv = send(
            &app,
            "county",
            Method::GET,
            &format!("/reports/income/export?region=510821&year={year}&table=figures&format=csv"),
            &[],
            None,
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains("人均纯收入"));

        let mine = entries
            .iter()
            .find(|e| e.village == TAOHONG)
            .expect("an entry of 桃红村");
        let url = format!("/reports/income/ledger/{}", mine.id);
        // another village's cadre: not found; the inspector sees it without the form
        let other = send(&app, "longfeng", Method::GET, &url, &[], None).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let seen = send(&app, "inspector", Method::GET, &url, &[], None).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(!seen.body.contains("name=\"note\""));
        let refused = send(
            &app,
            "inspector",
            Method::POST,
            &url,
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("method", "safeguarded"),
                ("note", "已纳入低保"),
            ]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        // an assistance person has no reports: neither the page nor the clearing
        let helper = send(&app, "helper", Method::GET, "/reports/income", &[], None).await;
        assert_eq!(helper.status, StatusCode::FORBIDDEN);
        let helper_clear = send(
            &app,
            "helper",
            Method::POST,
            &url,
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("method", "safeguarded"),
                ("note", "已纳入低保"),
            ]),
        )
        .await;
        assert_eq!(helper_clear.status, StatusCode::FORBIDDEN);
        // the cadre's form; income still below the line cannot clear as raised
        let form = send(&app, "taohong", Method::GET, &url, &[], None).await;
        assert!(form.body.contains("name=\"note\""), "{}", form.body);
        let below = send(
            &app,
            "taohong",
            Method::POST,
            &url,
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("method", "income_raised"),
                ("note", "务工增收"),
            ]),
        )
        .await;
        assert_eq!(below.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(below.body.contains("仍低于低收入监测线"));
        // covered by 低保: cleared, kept with when, how and who
        let no = mine.household_no.clone();
        outside(|| {
            db.execute_unchecked(&format!(
                "UPDATE households SET dibao = 1 WHERE household_no = '{no}'"
            ))
        })
        .unwrap();
        let done = send(
            &app,
            "taohong",
            Method::POST,
            &url,
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("method", "safeguarded"),
                ("note", "已纳入农村低保"),
            ]),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let after = common::follow(&app, "taohong", &done).await;
        assert!(after.body.contains("纳入兜底保障"));
        assert!(after.body.contains("已纳入农村低保"));
        let again = send(
            &app,
            "taohong",
            Method::POST,
            &url,
            &[],
            Some(&[
                ("csrf", common::CSRF),
                ("method", "safeguarded"),
                ("note", "再次"),
            ]),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let audited = outside(|| db.count_rows("audit_events"));
        assert!(audited > 0);
        // English
        let en = send(
            &app,
            "county",
            Method::GET,
            "/reports/income",
            &[format!("{}=en", shouwang_web::auth::LANG_COOKIE)],
            None,
        )
        .await;
        assert_eq!(en.status, StatusCode::OK);
        assert!(en.body.contains("Low-income ledger"), "{}", en.body);
        outside(move || drop((app, db)));
    }
}

trait ParseRegion {
    fn parse_region(&self) -> shouwang_core::RegionCode;
}

impl ParseRegion for &str {
    fn parse_region(&self) -> shouwang_core::RegionCode {
        shouwang_core::RegionCode::parse(self).unwrap()
    }
}
