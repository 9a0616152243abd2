//! Personal data leaving the system, on every configured backend: ledger exports mask ID numbers
//! unless a user who may reveal them asks (audited with the rows), refusals name no household
//! outside the user's region, and the files the server writes are its own and expire.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::ledger::LedgerHousehold;
use shouwang_core::synth::SynthConfig;
use shouwang_core::{RegionCode, Role};
use shouwang_io::ledger::synth::synth_ledger;
use shouwang_io::ledger::{read_ledger_all, write_ledger_csv, ReadOptions};
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, sweep_work_dir, AppState, WebConfig};
use std::time::{Duration, SystemTime};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

const USERS: [(&str, Role, &str); 6] = [
    ("county", Role::County, "510821"),
    ("sanjiang", Role::Township, "510821108"),
    ("taohong", Role::Village, TAOHONG),
    ("longfeng", Role::Village, LONGFENG),
    ("inspector", Role::Inspector, "510821"),
    ("admin", Role::Admin, "510821"),
];

struct World {
    db: TestDb,
    app: Router,
    config: WebConfig,
    households: Vec<LedgerHousehold>,
    _work: tempfile::TempDir,
}

impl World {
    fn persons(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }
    fn in_village(&self, village: &str) -> &LedgerHousehold {
        self.households
            .iter()
            .find(|h| h.household.household_no.starts_with(village))
            .unwrap()
    }
}

/// A county of 40 households over both villages, imported by the county officer.
async fn worlds() -> Vec<World> {
    let ws: Vec<World> = outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let county = RegionCode::parse("510821").unwrap();
                let places = db.store.village_places(&county).unwrap();
                let households = synth_ledger(
                    &SynthConfig {
                        households: 40,
                        seed: 5,
                        today: today(),
                        county,
                    },
                    &places,
                );
                signed_in_users(&db.store, &USERS);
                let work = tempfile::tempdir().unwrap();
                let config = WebConfig {
                    work_dir: work.path().join("work"),
                    file_retention: Duration::from_secs(3600),
                    ..WebConfig::default()
                };
                let app = router(AppState::new(db.store.clone(), config.clone()));
                World {
                    db,
                    app,
                    config,
                    households,
                    _work: work,
                }
            })
            .collect()
    });
    for w in &ws {
        let r = upload(w, "county", &w.households).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    ws
}

struct Resp {
    status: StatusCode,
    body: Vec<u8>,
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
    body: Option<(&str, Vec<u8>)>,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .header("x-csrf-token", CSRF);
    let body = match body {
        Some((content_type, bytes)) => {
            req = req.header(header::CONTENT_TYPE, content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Resp { status, body }
}

async fn upload(w: &World, user: &str, households: &[LedgerHousehold]) -> Resp {
    let mut csv = Vec::new();
    write_ledger_csv(&mut csv, households).unwrap();
    send(
        &w.app,
        user,
        Method::POST,
        "/ledger/import?name=ledger.csv",
        Some(("application/octet-stream", csv)),
    )
    .await
}

/// The households an xlsx export reads back as, and the sentences of its row errors.
fn read_back(bytes: &[u8]) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let got = read_ledger_all(&path, &ReadOptions::new(today())).unwrap();
    let errors = got.errors().iter().map(|e| e.problem.zh.clone()).collect();
    (got.households.len(), errors)
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn an_inspector_exports_masked_id_numbers_only() {
    let ws = worlds().await;
    for w in &ws {
        let csv = send(
            &w.app,
            "inspector",
            Method::GET,
            "/regions/510821/ledger.csv",
            None,
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        let text = csv.text();
        assert!(text.contains("证件号码"));
        for h in &w.households {
            for m in &h.members {
                assert!(!text.contains(&m.id_number), "{} leaks", m.id_number);
                assert!(text.contains(&mask(&m.id_number)));
            }
        }
        let xlsx = send(
            &w.app,
            "inspector",
            Method::GET,
            "/regions/510821/ledger.xlsx",
            None,
        )
        .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        let (households, errors) = read_back(&xlsx.body);
        assert_eq!(households, 0, "a masked export imports nobody");
        assert!(errors.iter().any(|e| e.contains("打码")), "{errors:?}");
        for uri in [
            "/regions/510821/ledger.csv?ids=full",
            "/regions/510821/ledger.xlsx?ids=full",
        ] {
            let r = send(&w.app, "inspector", Method::GET, uri, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let c = outside(|| w.db.store.count_events("ledger.export.full_ids").unwrap());
        assert_eq!(c, 0);
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn full_id_numbers_are_exported_only_when_asked_and_the_export_is_audited_with_its_rows() {
    let ws = worlds().await;
    for w in &ws {
        let head = &w.households[0].members[0].id_number;
        let masked = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.csv",
            None,
        )
        .await;
        assert_eq!(masked.status, StatusCode::OK);
        assert!(!masked.text().contains(head.as_str()));
        let full = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.csv?ids=full",
            None,
        )
        .await;
        assert_eq!(full.status, StatusCode::OK);
        assert!(full.text().contains(head.as_str()));
        let xlsx = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.xlsx?ids=full",
            None,
        )
        .await;
        let (households, errors) = read_back(&xlsx.body);
        assert_eq!((households, errors), (w.households.len(), vec![]));
        // a village cadre may reveal in the village, so may export it in full
        let own = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/regions/{TAOHONG}/ledger.csv?ids=full"),
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK);

        let persons = w.persons();
        let (full_count, masked_count, events) = outside(|| {
            (
                w.db.store.count_events("ledger.export.full_ids").unwrap(),
                w.db.store.count_events("ledger.export").unwrap(),
                w.db.store.history("region", "510821", 10).unwrap(),
            )
        });
        assert_eq!((full_count, masked_count), (3, 1));
        let newest = &events[0];
        assert_eq!(newest.action, "ledger.export.full_ids");
        assert_eq!(newest.username, "county");
        let after = newest.after.as_ref().unwrap();
        assert_eq!(after["rows"], serde_json::json!(persons));
        assert_eq!(after["ids"], "full");
        let first = events.last().unwrap();
        assert_eq!(first.action, "ledger.export");
        assert_eq!(first.after.as_ref().unwrap()["ids"], "masked");
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn the_region_page_offers_full_ids_only_to_a_role_that_may_reveal_them() {
    let ws = worlds().await;
    for w in &ws {
        let county = send(&w.app, "county", Method::GET, "/regions/510821", None).await;
        assert!(county.text().contains("name=\"ids\" value=\"full\""));
        let inspector = send(&w.app, "inspector", Method::GET, "/regions/510821", None).await;
        assert_eq!(inspector.status, StatusCode::OK);
        assert!(!inspector.text().contains("name=\"ids\""));
    }
    outside(move || drop(ws));
}

/// A new household of 桃红村 whose head is a person registered in 龙凤村.
fn household_with_a_longfeng_person(w: &World) -> serde_json::Value {
    let stored = |no: &str| outside(|| w.db.store.household(no).unwrap().unwrap());
    let th = stored(&w.in_village(TAOHONG).household.household_no);
    let lf = stored(&w.in_village(LONGFENG).household.household_no);
    let mut household = th.household.clone();
    household.household_no = format!("{}9", th.household.household_no);
    let mut person = lf.members[0].clone();
    person.relation = Relation::Head;
    serde_json::json!({ "household": household, "members": [person] })
}

#[tokio::test]
async fn a_cadre_is_not_told_another_villages_household_number_but_a_county_officer_is() {
    let ws = worlds().await;
    for w in &ws {
        let body = serde_json::to_vec(&household_with_a_longfeng_person(w)).unwrap();
        let lf_no = &w.in_village(LONGFENG).household.household_no;
        for (user, told) in [
            ("taohong", false),
            ("sanjiang", false),
            ("county", true),
            ("admin", true),
        ] {
            let r = send(
                &w.app,
                user,
                Method::POST,
                "/api/v1/households",
                Some(("application/json", body.clone())),
            )
            .await;
            let text = r.text();
            assert_eq!(r.status, StatusCode::CONFLICT, "{user}: {text}");
            assert!(text.contains("id_number.elsewhere"), "{user}: {text}");
            assert_eq!(text.contains(lf_no.as_str()), told, "{user}: {text}");
            if !told {
                assert!(text.contains("elsewhere"), "{user}: {text}");
            }
        }
        // the same when the cadre adds the person to a household of their own
        let th_no = w.in_village(TAOHONG).household.household_no.clone();
        let (th, lf) = outside(|| {
            (
                w.db.store.household(&th_no).unwrap().unwrap(),
                w.db.store.household(lf_no).unwrap().unwrap(),
            )
        });
        let mut person = lf.members[0].clone();
        person.relation = Relation::Other;
        let mut members = th.members.clone();
        members.push(person);
        let body = serde_json::json!({
            "household": th.household, "members": members, "version": th.version,
        });
        let r = send(
            &w.app,
            "taohong",
            Method::PUT,
            &format!("/api/v1/households/{th_no}"),
            Some(("application/json", serde_json::to_vec(&body).unwrap())),
        )
        .await;
        let text = r.text();
        assert_eq!(r.status, StatusCode::CONFLICT, "{text}");
        assert!(!text.contains(lf_no.as_str()), "{text}");
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn a_township_import_is_not_told_where_another_townships_person_is_registered() {
    let ws = worlds().await;
    for w in &ws {
        let lf = w.in_village(LONGFENG);
        let mut th = w.in_village(TAOHONG).clone();
        let mut person = lf.members[0].clone();
        person.relation = Relation::Other;
        th.members.push(person);
        let r = upload(w, "sanjiang", &[th]).await;
        assert_eq!(r.status, StatusCode::OK);
        let text = r.text();
        assert!(text.contains("已在别处登记"), "{text}");
        assert!(!text.contains(lf.household.household_no.as_str()), "{text}");
        let stored = outside(|| {
            w.db.store
                .household(&lf.household.household_no)
                .unwrap()
                .unwrap()
        });
        assert_eq!(
            stored.members.len(),
            lf.members.len(),
            "龙凤村 is untouched"
        );
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn a_township_import_of_another_townships_household_number_does_not_say_where_it_is() {
    let ws = worlds().await;
    for w in &ws {
        let lf = w.in_village(LONGFENG);
        let mut th = w.in_village(TAOHONG).clone();
        th.household.household_no = lf.household.household_no.clone();
        let r = upload(w, "sanjiang", &[th]).await;
        let text = r.text();
        let no = &lf.household.household_no;
        assert!(text.contains(&format!("户编号{no}已在别处登记")), "{text}");
        assert!(!text.contains(&format!("村{LONGFENG}")), "{text}");
    }
    outside(move || drop(ws));
}

#[tokio::test]
async fn error_workbooks_are_private_files_of_the_work_folder_and_expire() {
    let ws = worlds().await;
    for w in &ws {
        // the township's upload of the whole county: the other township's households come
        // back in an error workbook
        let r = upload(w, "sanjiang", &w.households).await;
        let text = r.text();
        let start = text.find("/ledger/errors/").unwrap();
        let link: String = text[start..].chars().take_while(|c| *c != '"').collect();
        let name = link.trim_start_matches("/ledger/errors/");
        let work = &w.config.work_dir;
        let book = work.join("ledger-errors").join(name);
        assert_eq!(mode(work), 0o700);
        assert_eq!(mode(&work.join("ledger-errors")), 0o700);
        assert_eq!(mode(&book), 0o600);
        // the upload is gone once imported, the export once sent
        let export = send(
            &w.app,
            "county",
            Method::GET,
            "/regions/510821/ledger.csv",
            None,
        )
        .await;
        assert_eq!(export.status, StatusCode::OK);
        for dir in ["uploads", "exports"] {
            let left = std::fs::read_dir(work.join(dir)).unwrap().count();
            assert_eq!(left, 0, "{dir}");
        }
        // within the retention the workbook stays; past it, the sweep removes it
        assert_eq!(sweep_work_dir(&w.config).unwrap(), 0);
        let ok = send(&w.app, "sanjiang", Method::GET, &link, None).await;
        assert_eq!(ok.status, StatusCode::OK);
        std::fs::File::options()
            .write(true)
            .open(&book)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(2 * 3600))
            .unwrap();
        assert_eq!(sweep_work_dir(&w.config).unwrap(), 1);
        let gone = send(&w.app, "sanjiang", Method::GET, &link, None).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
    }
    outside(move || drop(ws));
}
