//! A household's income page on every configured backend: the one 人均纯收入 the page, the
//! warning and the ledger show, with its basis; the forms say what they saved and show what is
//! stored.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::income::{per_capita, yuan_text};
use shouwang_core::{Fen, Household, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    own: Household,
    /// living members of `own`
    size: i64,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let (own, members) = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap()
                    .clone();
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("county", Role::County, "510821"),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    own,
                    size: members.iter().filter(|m| m.is_alive()).count() as i64,
                }
            })
            .collect()
    })
}

struct Resp {
    status: StatusCode,
    body: String,
    location: String,
    cookie: String,
}

async fn call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    form: Option<&[(&str, &str)]>,
    flash: Option<&str>,
) -> Resp {
    let cookies = match flash {
        Some(f) => format!("{SESSION_COOKIE}=token-{user}; {f}"),
        None => format!("{SESSION_COOKIE}=token-{user}"),
    };
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookies)
        .header("x-csrf-token", CSRF);
    let body = match form {
        Some(pairs) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(pairs).unwrap())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let header_text = |name| {
        resp.headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let location = header_text(header::LOCATION);
    let cookie = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|c| c.starts_with("sw_flash="))
        .unwrap_or_default()
        .to_string();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        location,
        cookie,
    }
}

/// Follows a save to the page it answers with, carrying its one-shot message.
async fn follow(app: &Router, user: &str, saved: &Resp) -> Resp {
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    call(
        app,
        user,
        Method::GET,
        &saved.location,
        None,
        Some(&saved.cookie),
    )
    .await
}

#[tokio::test]
async fn the_income_page_the_warning_and_the_ledger_show_one_figure_with_its_basis() {
    for w in worlds() {
        let no = w.own.household_no.clone();
        let year = today().year();
        let income = format!("/households/{no}/income");
        // this year's ledger row through the form, and quarters that must not be used while it exists
        let y = year.to_string();
        let saved = call(
            &w.app,
            "taohong",
            Method::POST,
            &income,
            Some(&[
                ("year", &y),
                ("quarter", "0"),
                ("wages", "3000.01"),
                ("transfers", "1,000.5"),
            ]),
            None,
        )
        .await;
        let page = follow(&w.app, "taohong", &saved).await;
        assert!(
            page.body.contains(&format!("已保存 {year} 年全年收入")),
            "{}: {}",
            w.db.name,
            page.body
        );
        let last = (year - 1).to_string();
        for q in ["1", "2", "3", "4"] {
            let r = call(
                &w.app,
                "taohong",
                Method::POST,
                &income,
                Some(&[("year", &last), ("quarter", q), ("wages", "99")]),
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let expected = yuan_text(per_capita(Fen(400_051), w.size).unwrap());
        let basis = format!("{year} 年台账");
        let page = call(&w.app, "taohong", Method::GET, &income, None, None).await;
        assert!(
            page.body.contains(&format!("<b>{expected}</b>")),
            "{}: {expected} not on {}",
            w.db.name,
            page.body
        );
        assert!(page.body.contains(&basis), "{}", page.body);
        // the warning: the same figure, the same basis
        let r = call(&w.app, "county", Method::POST, "/warnings/run", None, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let warnings = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{no}/warnings"),
            None,
            None,
        )
        .await;
        assert!(
            warnings.body.contains(&format!("人均纯收入{expected}元")),
            "{}: {expected} not in {}",
            w.db.name,
            warnings.body
        );
        assert!(warnings.body.contains(&basis), "{}", warnings.body);
        // the ledger row of the household: the same amount
        let ledger = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/regions/{TAOHONG}/ledger.csv"),
            None,
            None,
        )
        .await;
        assert_eq!(ledger.status, StatusCode::OK);
        let lines: Vec<&str> = ledger.body.lines().collect();
        let header = lines
            .iter()
            .find(|l| l.contains("人均纯收入(元)"))
            .expect("a header row");
        let col = header
            .split(',')
            .position(|c| c.trim_matches('"') == "人均纯收入(元)")
            .unwrap();
        let row = lines
            .iter()
            .find(|l| l.contains(&no))
            .expect("the household's row");
        let cell = row.split(',').nth(col).unwrap().trim_matches('"');
        let in_ledger = shouwang_core::money::parse_hundredths(cell).unwrap();
        assert_eq!(
            yuan_text(Fen(in_ledger)),
            expected,
            "{}: ledger {cell}",
            w.db.name
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_forms_say_what_they_saved_show_what_is_stored_and_keep_what_was_refused() {
    for w in worlds() {
        let no = w.own.household_no.clone();
        let income = format!("/households/{no}/income");
        // quarters come from a list in the page's language
        let page = call(&w.app, "taohong", Method::GET, &income, None, None).await;
        assert!(
            page.body.contains("<option value=\"2\">第二季度</option>"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("0=全年"));
        // a quarter saved says which
        let saved = call(
            &w.app,
            "taohong",
            Method::POST,
            &income,
            Some(&[("year", "2026"), ("quarter", "2"), ("wages", "1200")]),
            None,
        )
        .await;
        let page = follow(&w.app, "taohong", &saved).await;
        assert!(
            page.body.contains("已保存 2026 年第二季度收入"),
            "{}",
            page.body
        );
        assert!(page.body.contains("1,200.00"));
        // more than two decimals: refused beside the field, what was typed kept, nothing saved
        let r = call(
            &w.app,
            "taohong",
            Method::POST,
            &income,
            Some(&[("year", "2026"), ("quarter", "3"), ("business", "12.345")]),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains("<span class=\"err\">“12.345”的小数超过两位"),
            "{}",
            r.body
        );
        assert!(r.body.contains("name=\"business\" value=\"12.345\""));
        assert!(r
            .body
            .contains("<option value=\"3\" selected>第三季度</option>"));
        let db = &w.db;
        let n = no.clone();
        assert!(!outside(|| db.store.incomes(&n))
            .unwrap()
            .iter()
            .any(|i| i.period == shouwang_core::income::IncomePeriod::quarter(2026, 3)));
        // the English page speaks English
        let saved = call(
            &w.app,
            "taohong",
            Method::POST,
            &format!("/households/{no}/guarantees"),
            Some(&[
                ("as_of", "2026-10-01"),
                ("unsafe_water", "1"),
                ("dropout", "1"),
            ]),
            None,
        )
        .await;
        let page = follow(&w.app, "taohong", &saved).await;
        assert!(
            page.body
                .contains("已保存 2026-10-01 的三保障和饮水安全核查：义务教育阶段辍学、饮水不安全"),
            "{}",
            page.body
        );
        // the form comes back with the flags stored
        assert!(page
            .body
            .contains("name=\"unsafe_water\" value=\"1\" checked"));
        assert!(page.body.contains("name=\"dropout\" value=\"1\" checked"));
        assert!(!page
            .body
            .contains("name=\"unsafe_housing\" value=\"1\" checked"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_standards_page_names_where_each_value_comes_from_in_words() {
    for w in worlds() {
        let year = today().year();
        let r = call(&w.app, "county", Method::GET, "/standards", None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // the province's standard by its level (or name), never as "51 2026"
        assert!(r.body.contains(&format!("{year} 年标准")), "{}", r.body);
        assert!(!r.body.contains(&format!("51 {year}<")), "{}", r.body);
        assert!(r.body.contains("8,700.00 元"), "{}", r.body);
        // a refused standard keeps what was typed, beside the message at the top
        let r = call(
            &w.app,
            "county",
            Method::POST,
            "/standards",
            Some(&[
                ("region", "510821"),
                ("year", &year.to_string()),
                ("line", "9100.123"),
            ]),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("class=\"error\" role=\"alert\""),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("name=\"line\" value=\"9100.123\""),
            "{}",
            r.body
        );
        // saved: said at the top of the page it ends on
        let saved = call(
            &w.app,
            "county",
            Method::POST,
            "/standards",
            Some(&[
                ("region", "510821"),
                ("year", &year.to_string()),
                ("line", "9100"),
            ]),
            None,
        )
        .await;
        let page = follow(&w.app, "county", &saved).await;
        assert!(
            page.body.contains(&format!("已保存本县 {year} 年监测标准")),
            "{}",
            page.body
        );
        assert!(page.body.contains("9,100.00 元"));
        // a village cadre may read the standards but is offered no what-if
        let r = call(&w.app, "taohong", Method::GET, "/standards", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = call(&w.app, "taohong", Method::GET, "/what-if", None, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}
