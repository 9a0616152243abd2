//! A household's income page on every configured backend: the one 人均纯收入 the page, the
//! warning and the ledger show, with its basis; the forms say what they saved and show what is
//! stored.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::income::{per_capita, yuan_text};
use shouwang_core::{Fen, Household, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, TAOHONG};

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

type Resp = common::Answer;

async fn call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    form: Option<&[(&str, &str)]>,
) -> Resp {
    common::send(app, user, method, uri, &[], form).await
}

/// Follows a save to the page it answers with, carrying its one-shot message.
async fn follow(app: &Router, user: &str, saved: &Resp) -> Resp {
    common::follow(app, user, saved).await
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
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let expected = yuan_text(per_capita(Fen(400_051), w.size).unwrap());
        let basis = format!("{year} 年台账");
        let page = call(&w.app, "taohong", Method::GET, &income, None).await;
        assert!(
            page.body.contains(&format!("<b>{expected}</b>")),
            "{}: {expected} not on {}",
            w.db.name,
            page.body
        );
        assert!(page.body.contains(&basis), "{}", page.body);
        // the warning: the same figure, the same basis
        let r = call(&w.app, "county", Method::POST, "/warnings/run", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let warnings = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{no}/warnings"),
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
        let page = call(&w.app, "taohong", Method::GET, &income, None).await;
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
        let r = call(&w.app, "county", Method::GET, "/standards", None).await;
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
        let r = call(&w.app, "taohong", Method::GET, "/standards", None).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = call(&w.app, "taohong", Method::GET, "/what-if", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}

/// A county of households with no income at all (the province's line of this year set).
fn without_incomes() -> Vec<(TestDb, Router, Household)> {
    use shouwang_core::standard::Standard;
    use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
    use shouwang_core::RegionCode;
    use shouwang_store::audit::Actor;
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let village = SynthVillage {
                    code: RegionCode::parse(TAOHONG).unwrap(),
                    resettlement_site: None,
                };
                let data = generate(
                    &SynthConfig {
                        households: 2,
                        seed: 11,
                        today: today(),
                        county: RegionCode::parse("510821").unwrap(),
                    },
                    &[village],
                );
                let system = Actor::system("test");
                db.store.bulk_load(&system, &data, "test.load").unwrap();
                db.store
                    .save_standard(
                        &system,
                        &Standard::provincial(
                            today().year(),
                            RegionCode::parse("51").unwrap(),
                            Fen::from_yuan(8700),
                        ),
                    )
                    .unwrap();
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("county", Role::County, "510821"),
                    ],
                );
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                let own = data[0].0.clone();
                (db, app, own)
            })
            .collect()
    })
}

#[tokio::test]
async fn without_the_years_row_the_page_and_the_warning_use_the_same_four_quarters() {
    for (db, app, own) in without_incomes() {
        let no = own.household_no.clone();
        let income = format!("/households/{no}/income");
        // every quarter of last year and this one, so that the four latest complete ones exist
        let year = today().year();
        for y in [year - 1, year] {
            for q in 1..=4 {
                let r = call(
                    &app,
                    "taohong",
                    Method::POST,
                    &income,
                    Some(&[
                        ("year", &y.to_string()),
                        ("quarter", &q.to_string()),
                        ("wages", "100.01"),
                    ]),
                )
                .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }
        }
        let page = call(&app, "taohong", Method::GET, &income, None).await;
        let basis = page
            .body
            .split("依据：")
            .nth(1)
            .and_then(|t| t.split(" · ").next())
            .expect("the basis")
            .to_string();
        assert!(
            basis.starts_with("最近十二个月的季度收入（"),
            "{}: {basis}",
            db.name
        );
        let figure = page
            .body
            .split("class=\"amount\"><b>")
            .nth(1)
            .and_then(|t| t.split("</b>").next())
            .expect("the figure")
            .to_string();
        let r = call(&app, "county", Method::POST, "/warnings/run", None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let warnings = call(
            &app,
            "taohong",
            Method::GET,
            &format!("/households/{no}/warnings"),
            None,
        )
        .await;
        assert!(
            warnings.body.contains(&format!("人均纯收入{figure}元")),
            "{}: {figure} not in {}",
            db.name,
            warnings.body
        );
        assert!(warnings.body.contains(&basis), "{}: {basis}", db.name);
        outside(move || drop((db, app)));
    }
}
