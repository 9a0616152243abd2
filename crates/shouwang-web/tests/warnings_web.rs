//! The warnings list as its users see it, on every configured backend: one row per household
//! with the head's name, totals that are the run's, page numbers, pickers within the scope, an
//! export of every page, and what the screening button says.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Fen, Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

/// Households of the test county: more than two pages of the list.
const HOUSEHOLDS: usize = 130;

struct World {
    db: TestDb,
    app: Router,
    data: Vec<(Household, Vec<Member>)>,
    _dir: tempfile::TempDir,
}

fn incomes(data: &[(Household, Vec<Member>)], yuan: i64) -> Vec<(String, String, Income)> {
    data.iter()
        .map(|(h, _)| {
            let i = Income {
                wages: Fen::from_yuan(yuan),
                ..Income::empty(IncomePeriod::year(today().year()))
            };
            ("510821".to_string(), h.household_no.clone(), i)
        })
        .collect()
}

/// Every household far below the line: all flagged.
fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
                    code: RegionCode::parse(c).unwrap(),
                    resettlement_site: None,
                });
                let data = generate(
                    &SynthConfig {
                        households: HOUSEHOLDS,
                        seed: 11,
                        today: today(),
                        county: RegionCode::parse("510821").unwrap(),
                    },
                    &villages,
                );
                let actor = Actor::system("test");
                db.store.bulk_load(&actor, &data, "test.load").unwrap();
                db.store
                    .save_standard(
                        &actor,
                        &Standard::provincial(
                            today().year(),
                            RegionCode::parse("51").unwrap(),
                            Fen::from_yuan(8700),
                        ),
                    )
                    .unwrap();
                db.store
                    .bulk_ledger(&actor, &incomes(&data, 1_000), &[], "test.ledger")
                    .unwrap();
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                    ],
                );
                let dir = tempfile::tempdir().unwrap();
                let config = WebConfig {
                    work_dir: dir.path().to_path_buf(),
                    ..WebConfig::default()
                };
                let app = router(AppState::new(db.store.clone(), config));
                World {
                    db,
                    app,
                    data,
                    _dir: dir,
                }
            })
            .collect()
    })
}

type Resp = common::Answer;

async fn call(app: &Router, user: &str, method: Method, uri: &str) -> Resp {
    common::send(app, user, method, uri, &[], None).await
}

fn head(members: &[Member]) -> &Member {
    members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .unwrap()
}

/// How many households of `data` the page lists, each counted by its link (a household
/// listed twice counts twice).
fn listed(body: &str, data: &[(Household, Vec<Member>)]) -> usize {
    data.iter()
        .map(|(h, _)| {
            body.matches(&format!("href=\"/households/{}\"", h.household_no))
                .count()
        })
        .sum()
}

#[tokio::test]
async fn one_row_per_household_with_the_runs_totals_pages_and_pickers() {
    for w in worlds() {
        let n = w.db.name;
        // the button: what was screened, found and added
        let r = call(&w.app, "county", Method::POST, "/warnings/run").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.body);
        assert_eq!(r.location, "/warnings");
        let said = r.flash().expect("a message").zh;
        assert!(
            said.contains(&format!(
                "筛查 {HOUSEHOLDS} 户，预警 {HOUSEHOLDS} 户（红色 {HOUSEHOLDS} 户"
            )),
            "{n}: {said}"
        );
        assert!(
            said.contains(&format!("新增预警 {HOUSEHOLDS} 户")),
            "{n}: {said}"
        );
        assert!(said.contains("新增线索"), "{n}: {said}");
        // again, nothing changed
        let said = call(&w.app, "county", Method::POST, "/warnings/run")
            .await
            .flash()
            .unwrap()
            .zh;
        assert!(said.contains("数据与上次相同，结果未变"), "{n}: {said}");
        // a household's 三保障 recorded as all in order: changed data, the same result
        let (db, data) = (&w.db, &w.data);
        outside(|| {
            let flags = shouwang_store::income::Guarantees {
                as_of: today(),
                unsafe_housing: false,
                dropout: false,
                uninsured: false,
                unsafe_water: false,
                food_clothing: false,
                source: String::new(),
            };
            db.store
                .save_guarantees(&Actor::system("test"), &data[0].0.household_no, &flags)
                .unwrap()
        });
        let said = call(&w.app, "county", Method::POST, "/warnings/run")
            .await
            .flash()
            .unwrap()
            .zh;
        assert!(said.contains("结果与上次相同"), "{n}: {said}");
        assert!(!said.contains("数据与上次相同"), "{n}: {said}");
        assert!(!said.contains("数据未变"), "{n}: {said}");

        // the list: fifty households a page, each once, by its head's name
        let county = RegionCode::parse("510821").unwrap();
        let run = outside(|| db.store.runs(&county, 1)).unwrap().remove(0);
        let p1 = call(&w.app, "county", Method::GET, "/warnings").await;
        assert_eq!(p1.status, StatusCode::OK, "{n}: {}", p1.body);
        assert_eq!(listed(&p1.body, data), 50, "{n}");
        assert!(p1.body.contains(&format!("共 {HOUSEHOLDS} 条")), "{n}");
        assert!(p1
            .body
            .contains(&format!("href=\"/warnings?level=red\"><b>{}</b>", run.red)));
        assert!(p1.body.contains(&format!(
            "href=\"/warnings?level=yellow\"><b>{}</b>",
            run.yellow
        )));
        let first = data
            .iter()
            .min_by(|a, b| a.0.household_no.cmp(&b.0.household_no))
            .unwrap();
        assert!(
            p1.body.contains(&format!(
                "href=\"/households/{}\"><b>{}</b>",
                first.0.household_no,
                head(&first.1).name
            )),
            "{n}: the head's name links to the household"
        );
        assert!(p1.body.contains("红色预警") && p1.body.contains("人均纯收入低于监测线"));
        assert!(
            !p1.body.contains(">red<") && !p1.body.contains(">R01"),
            "{n}"
        );
        assert!(p1.body.len() < 30_000, "{n}: {} bytes", p1.body.len());
        let p2 = call(&w.app, "county", Method::GET, "/warnings?page=2").await;
        let p3 = call(&w.app, "county", Method::GET, "/warnings?page=3").await;
        assert_eq!(listed(&p2.body, data), 50);
        assert_eq!(listed(&p3.body, data), HOUSEHOLDS - 100);
        let all = format!("{}{}{}", p1.body, p2.body, p3.body);
        for (h, _) in data {
            assert_eq!(
                all.matches(&format!("href=\"/households/{}\"", h.household_no))
                    .count(),
                1,
                "{n}: {} on the three pages once",
                h.household_no
            );
        }
        // the filters stay on the page links
        let red = call(&w.app, "county", Method::GET, "/warnings?level=red").await;
        assert!(
            red.body.contains("href=\"?level=red&#38;page=2\""),
            "{n}: {}",
            &red.body[red.body.find("class=\"pager\"").unwrap_or(0)..]
        );
        let none = call(&w.app, "county", Method::GET, "/warnings?level=blue").await;
        assert_eq!(listed(&none.body, data), 0);
        assert!(none.body.contains("没有符合条件的预警户"));

        // pickers: townships for the county, then that township's villages
        assert!(p1.body.contains("name=\"township\"") && !p1.body.contains("name=\"village\""));
        let t = call(
            &w.app,
            "county",
            Method::GET,
            "/warnings?township=510821108",
        )
        .await;
        assert!(
            t.body
                .contains(&format!("<option value=\"{TAOHONG}\">桃红村</option>")),
            "{n}"
        );
        assert!(!t.body.contains(LONGFENG));
        let own: Vec<_> = data
            .iter()
            .filter(|(h, _)| h.village.as_str() == TAOHONG)
            .cloned()
            .collect();
        assert_eq!(listed(&t.body, data), own.len().min(50));
        let s = call(&w.app, "sanjiang", Method::GET, "/warnings").await;
        assert!(s.body.contains("name=\"village\"") && !s.body.contains("name=\"township\""));
        let v = call(&w.app, "taohong", Method::GET, "/warnings").await;
        assert!(!v.body.contains("name=\"village\"") && !v.body.contains("name=\"township\""));
        assert_eq!(listed(&v.body, data), own.len().min(50), "{n}");
        assert_eq!(listed(&v.body, &own), listed(&v.body, data));
        // a village cadre's totals are the village's, on the list and on the first page
        let village_red = own.len();
        assert!(
            v.body.contains(&format!(
                "href=\"/warnings?level=red\"><b>{village_red}</b>"
            )),
            "{n}"
        );
        let home = call(&w.app, "taohong", Method::GET, "/").await;
        assert!(
            home.body.contains(&format!(
                "href=\"/warnings?level=red\"><b>{village_red}</b>"
            )),
            "{n}: {}",
            home.body
        );
        let home = call(&w.app, "county", Method::GET, "/").await;
        assert!(home
            .body
            .contains(&format!("href=\"/warnings?level=red\"><b>{}</b>", run.red)));

        // what cannot be read is refused, saying which filter; another township is not found
        let bad = call(&w.app, "county", Method::GET, "/warnings?level=purple").await;
        assert!(bad.status.is_client_error(), "{n}: {}", bad.status);
        assert!(
            bad.body.contains("预警等级") && bad.body.contains("purple"),
            "{n}: {}",
            bad.body
        );
        let bad = call(&w.app, "county", Method::GET, "/warnings?rule=R99").await;
        assert!(bad.status.is_client_error() && bad.body.contains("R99"));
        let bad = call(&w.app, "county", Method::GET, "/warnings?page=zwei").await;
        assert!(bad.status.is_client_error());
        let away = call(
            &w.app,
            "sanjiang",
            Method::GET,
            &format!("/warnings?village={LONGFENG}"),
        )
        .await;
        assert_eq!(away.status, StatusCode::NOT_FOUND, "{n}");
        // a household's warning history: named by its head, levels, statuses and sources in words
        let hw = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{}/warnings", own[0].0.household_no),
        )
        .await;
        assert_eq!(hw.status, StatusCode::OK, "{n}");
        assert!(
            hw.body
                .contains(&format!("<h1>{} <small>桃红村", head(&own[0].1).name)),
            "{n}: {}",
            hw.body
        );
        assert!(
            hw.body.contains("待核实")
                && hw.body.contains("系统筛查")
                && hw.body.contains("红色预警")
        );
        assert!(
            !hw.body.contains(">open<") && !hw.body.contains(">red<") && !hw.body.contains("R01"),
            "{n}"
        );
        let hw = call(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/households/{}/warnings?lang=en", own[0].0.household_no),
        )
        .await;
        assert!(
            hw.body.contains("to verify") && hw.body.contains("system screening"),
            "{n}"
        );
        assert!(
            !hw.body.contains("待核实") && !hw.body.contains("系统筛查"),
            "{n}"
        );
        // in English, the levels and rules in English
        let en = call(&w.app, "county", Method::GET, "/warnings?lang=en").await;
        assert!(
            en.body.contains(">Red<") && !en.body.contains("红色预警"),
            "{n}"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_export_holds_every_household_of_the_filter_with_masked_ids_and_is_audited() {
    for w in worlds() {
        let n = w.db.name;
        let r = call(&w.app, "county", Method::POST, "/warnings/run").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = call(&w.app, "county", Method::GET, "/warnings?level=red").await;
        assert!(
            page.body.contains("href=\"/warnings.xlsx?level=red\""),
            "{n}"
        );
        let x = call(&w.app, "county", Method::GET, "/warnings.xlsx?level=red").await;
        assert_eq!(x.status, StatusCode::OK, "{n}: {}", x.body);
        let rows = sheet_rows(&x.bytes);
        assert_eq!(
            rows.len(),
            HOUSEHOLDS + 1,
            "{n}: every page, with the header"
        );
        assert_eq!(rows[0][0], "户主");
        for (h, members) in &w.data {
            let row = rows
                .iter()
                .find(|r| r[2] == h.household_no)
                .unwrap_or_else(|| panic!("{n}: {} exported", h.household_no));
            assert_eq!(row[0], head(members).name);
            assert_ne!(row[1], head(members).id_number, "{n}: masked");
            assert!(row[1].contains('*'));
            assert_eq!(row[6], "红色预警");
        }
        let audit = outside(|| w.db.store.history("region", "510821", 5)).unwrap();
        let e = audit
            .iter()
            .find(|e| e.action == "warnings.export")
            .expect("audited");
        assert_eq!(e.after.as_ref().unwrap()["rows"], HOUSEHOLDS as u64);
        assert_eq!(e.after.as_ref().unwrap()["ids"], "masked");
        // a village cadre exports the village only
        let x = call(&w.app, "taohong", Method::GET, "/warnings.xlsx").await;
        assert_eq!(x.status, StatusCode::OK, "{n}");
        let own = w
            .data
            .iter()
            .filter(|(h, _)| h.village.as_str() == TAOHONG)
            .count();
        assert_eq!(sheet_rows(&x.bytes).len(), own + 1, "{n}");
        let x = call(&w.app, "county", Method::GET, "/warnings.xlsx?rule=R77").await;
        assert!(x.status.is_client_error());
        outside(move || drop(w));
    }
}

fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}
