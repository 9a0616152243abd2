//! The ledger pages on every configured backend: upload and import with the report and the error
//! workbook, export as xlsx and CSV, and the region scope of both.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::synth::SynthConfig;
use shouwang_core::{RegionCode, Role};
use shouwang_io::ledger::synth::synth_ledger;
use shouwang_io::ledger::write_ledger_csv;
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    csv: Vec<u8>,
    households: usize,
    in_sanjiang: usize,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let county = RegionCode::parse("510821").unwrap();
                let places = db.store.village_places(&county).unwrap();
                let hs = synth_ledger(
                    &SynthConfig {
                        households: 30,
                        seed: 3,
                        today: today(),
                        county,
                    },
                    &places,
                );
                let in_sanjiang = hs
                    .iter()
                    .filter(|h| h.household.household_no.starts_with(TAOHONG))
                    .count();
                let mut csv = Vec::new();
                write_ledger_csv(&mut csv, &hs).unwrap();
                let users = [
                    ("county", Role::County, "510821"),
                    ("sanjiang", Role::Township, "510821108"),
                    ("taohong", Role::Village, TAOHONG),
                ];
                signed_in_users(&db.store, &users);
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    csv,
                    households: hs.len(),
                    in_sanjiang,
                }
            })
            .collect()
    })
}

struct Resp {
    status: StatusCode,
    body: Vec<u8>,
    content_type: String,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn send(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    body: Option<(Vec<u8>, bool)>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"));
    let body = match body {
        Some((bytes, with_token)) => {
            req = req.header(header::CONTENT_TYPE, "application/octet-stream");
            if with_token {
                req = req.header("x-csrf-token", CSRF);
            }
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Resp {
        status,
        body,
        content_type,
    }
}

async fn upload(w: &World, user: &str, with_token: bool) -> Resp {
    send(
        &w.app,
        user,
        Method::POST,
        "/ledger/import?name=%E5%8F%B0%E8%B4%A6.csv",
        Some((w.csv.clone(), with_token)),
    )
    .await
}

fn count(w: &World) -> i64 {
    outside(|| {
        w.db.store
            .count_in(&RegionCode::parse("510821").unwrap())
            .unwrap()
            .0
    })
}

#[tokio::test]
async fn a_county_user_uploads_a_ledger_and_sees_the_report_and_a_second_upload_changes_nothing() {
    let ws = worlds();
    for w in &ws {
        let page = send(&w.app, "county", Method::GET, "/ledger/import", None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("X-CSRF-Token"));
        let r = upload(w, "county", true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.text().contains("ledger-report"), "{}", r.text());
        assert_eq!(count(w) as usize, w.households);
        let again = upload(w, "county", true).await;
        let text = again.text();
        assert!(text.contains(&format!("<td class=\"num\">{}</td>", w.households)));
        assert!(!text.contains("/ledger/errors/"));
        assert_eq!(count(w) as usize, w.households);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn a_township_user_imports_only_its_villages_and_gets_its_error_workbook() {
    let ws = worlds();
    for w in &ws {
        let r = upload(w, "sanjiang", true).await;
        assert_eq!(r.status, StatusCode::OK);
        let text = r.text();
        assert_eq!(count(w) as usize, w.in_sanjiang);
        assert!(text.contains("不在您的管辖范围"), "{text}");
        let start = text.find("/ledger/errors/").unwrap();
        let link: String = text[start..].chars().take_while(|c| *c != '"').collect();
        let book = send(&w.app, "sanjiang", Method::GET, &link, None).await;
        assert_eq!(book.status, StatusCode::OK);
        assert!(book.body.starts_with(b"PK"));
        // another user cannot fetch it
        let other = send(&w.app, "county", Method::GET, &link, None).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn a_village_user_cannot_import_and_an_upload_without_the_token_is_refused() {
    let ws = worlds();
    for w in &ws {
        let page = send(&w.app, "taohong", Method::GET, "/ledger/import", None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let r = upload(w, "taohong", true).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = upload(w, "county", false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(w), 0);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn the_export_respects_the_users_region() {
    let ws = worlds();
    for w in &ws {
        upload(w, "county", true).await;
        let all = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.csv",
            None,
        )
        .await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(all.content_type.starts_with("text/csv"));
        let text = all.text();
        assert!(text.contains("证件号码"));
        assert!(text.contains(TAOHONG) || text.contains("桃红村"));
        let own = send(
            &w.app,
            "sanjiang",
            Method::GET,
            "/regions/510821108/ledger.xlsx",
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.starts_with(b"PK"));
        for uri in [
            "/regions/510821115/ledger.xlsx",
            "/regions/510821115/ledger.csv",
            "/regions/510821/ledger.csv",
        ] {
            let r = send(&w.app, "sanjiang", Method::GET, uri, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let r = send(
            &w.app,
            "taohong",
            Method::GET,
            "/regions/510821108/ledger.csv",
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn an_import_the_database_refuses_shows_a_message_and_not_a_server_error() {
    let ws = worlds();
    for w in &ws {
        // the database refuses every person index entry, as a broken disk or schema would
        let sql = match w.db.store.dialect() {
            shouwang_store::db::Dialect::Sqlite => {
                "CREATE TRIGGER refuse BEFORE INSERT ON person_index BEGIN SELECT RAISE(ABORT, 'refused'); END"
            }
            shouwang_store::db::Dialect::Postgres => {
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
                 CREATE TRIGGER refuse BEFORE INSERT ON person_index FOR EACH ROW EXECUTE FUNCTION refuse()"
            }
        };
        outside(|| w.db.execute_unchecked(sql).unwrap());
        let r = upload(w, "county", true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let text = r.text();
        assert!(text.contains("导入失败，没有写入任何数据"), "{text}");
        assert!(
            !text.contains("refused"),
            "the cause is for the log: {text}"
        );
        assert_eq!(count(w), 0);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn an_exported_ledger_says_when_it_was_exported() {
    let ws = worlds();
    for w in &ws {
        upload(w, "county", true).await;
        let r = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.csv",
            None,
        )
        .await;
        let text = r.text();
        let first = text.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert!(
            first.starts_with(shouwang_io::ledger::stamp::EXPORT_NOTE),
            "{first}"
        );
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn a_household_edited_after_the_export_is_listed_as_a_conflict_and_overwritten_once_confirmed(
) {
    let ws = worlds();
    for w in &ws {
        upload(w, "county", true).await;
        let export = send(
            &w.app,
            "county",
            Method::GET,
            // full ID numbers, to import again
            "/regions/510821/ledger.csv?ids=full",
            None,
        )
        .await;
        // a household of 桃红村 edited in Shouwang after the export
        let text = export.text();
        let mut lines = text.trim_start_matches('\u{feff}').lines().skip(1);
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let i = header.iter().position(|h| *h == "户编号").unwrap();
        let no = lines
            .map(|l| l.split(',').nth(i).unwrap_or_default().to_string())
            .find(|n| n.starts_with(TAOHONG))
            .unwrap();
        outside(|| {
            w.db.execute_unchecked(&format!(
                "UPDATE households SET phone = '13900000009', updated_at = 9999999999 WHERE household_no = '{no}'"
            ))
            .unwrap()
        });
        let phone = || outside(|| w.db.store.household(&no).unwrap().unwrap().household.phone);
        let again = |query: &'static str| {
            send(
                &w.app,
                "county",
                Method::POST,
                query,
                Some((export.body.clone(), true)),
            )
        };
        let r = again("/ledger/import?name=export.csv").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("ledger-conflicts"), "{}", r.text());
        assert!(r.text().contains("已在守望中修改"));
        assert_eq!(phone(), "13900000009");
        let r = again("/ledger/import?name=export.csv&overwrite_newer=1").await;
        assert!(!r.text().contains("ledger-conflicts"), "{}", r.text());
        assert_ne!(phone(), "13900000009");
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn an_upload_waits_while_another_import_of_the_county_runs_and_its_page_sees_its_place() {
    use shouwang_app::import_queue::ImportQueue;
    let ws = worlds();
    for w in &ws {
        // another import of the county holds the line
        let running = ImportQueue::global().join("510821", "another-import");
        let (app, csv) = (w.app.clone(), w.csv.clone());
        let waiting = tokio::spawn(async move {
            send(
                &app,
                "county",
                Method::POST,
                "/ledger/import?ticket=abc123&name=a.csv",
                Some((csv, true)),
            )
            .await
        });
        let mut place = String::new();
        for _ in 0..500 {
            place = send(
                &w.app,
                "county",
                Method::GET,
                "/ledger/queue?ticket=abc123",
                None,
            )
            .await
            .text();
            if place.contains("\"ahead\":1") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(place, r#"{"ahead":1}"#);
        assert_eq!(count(w), 0, "nothing imported while it waits");
        // another user's page cannot see this upload under the same ticket
        let other = send(
            &w.app,
            "sanjiang",
            Method::GET,
            "/ledger/queue?ticket=abc123",
            None,
        )
        .await;
        assert_eq!(other.text(), r#"{"ahead":null}"#);
        drop(running);
        let r = waiting.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(count(w) as usize, w.households);
        let gone = send(
            &w.app,
            "county",
            Method::GET,
            "/ledger/queue?ticket=abc123",
            None,
        )
        .await;
        assert_eq!(gone.text(), r#"{"ahead":null}"#);
    }
    outside(move || drop(ws));
}
