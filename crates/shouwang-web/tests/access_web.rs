//! The routes answer as core's permission table decides, for every role: what the table refuses,
//! the route refuses (as "not found" when the target is hidden from the user, "not allowed" when
//! the role may not act on what it sees), and what it allows, the route serves. One or two
//! routes stand for each access extractor; the table itself is tested in core.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::access::{Action, Refusal, Target};
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Fen, Household, Member, RegionCode, Role, Scope};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

/// Every role, with an assistance person paired with the household and one who is not.
const USERS: [(&str, Role, &str); 9] = [
    ("admin", Role::Admin, "510821"),
    ("county", Role::County, "510821"),
    ("sanjiang", Role::Township, "510821108"),
    ("taohong", Role::Village, TAOHONG),
    ("longfeng", Role::Village, LONGFENG),
    ("helper", Role::AssistancePerson, TAOHONG),
    ("stranger", Role::AssistancePerson, TAOHONG),
    ("dept", Role::Department, "510821"),
    ("inspector", Role::Inspector, "510821"),
];

struct World {
    db: TestDb,
    app: Router,
    /// a household of 桃红村, paired with `helper`
    own: Household,
}

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
                let data: Vec<(Household, Vec<Member>)> = generate(
                    &SynthConfig {
                        households: 6,
                        seed: 7,
                        today: today(),
                        county: RegionCode::parse("510821").unwrap(),
                    },
                    &villages,
                );
                let system = Actor::system("test");
                db.store.bulk_load(&system, &data, "test.load").unwrap();
                let year = today().year();
                let line = Fen::from_yuan(8700);
                let province = RegionCode::parse("51").unwrap();
                db.store
                    .save_standard(&system, &Standard::provincial(year, province, line))
                    .unwrap();
                let incomes: Vec<_> = data
                    .iter()
                    .map(|(h, _)| {
                        let i = Income {
                            wages: Fen::from_yuan(1_000),
                            ..Income::empty(IncomePeriod::year(year))
                        };
                        ("510821".to_string(), h.household_no.clone(), i)
                    })
                    .collect();
                db.store
                    .bulk_ledger(&system, &incomes, &[], "test.ledger")
                    .unwrap();
                let own = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap()
                    .0
                    .clone();
                let ids = signed_in_users(&db.store, &USERS);
                db.store.pair(&system, ids[5], &own.household_no).unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, own }
            })
            .collect()
    })
}

async fn call(app: &Router, user: &str, method: Method, uri: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .header("x-csrf-token", CSRF)
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn scope(role: Role, region: &str) -> Scope {
    Scope {
        role,
        region: RegionCode::parse(region).unwrap(),
    }
}

/// The status a route that passed its check answers with.
fn served(method: &Method) -> StatusCode {
    if method == Method::GET {
        StatusCode::OK
    } else {
        StatusCode::SEE_OTHER
    }
}

#[tokio::test]
async fn every_route_refuses_what_the_permission_table_refuses_and_serves_what_it_allows() {
    let taohong = RegionCode::parse(TAOHONG).unwrap();
    for w in worlds() {
        let no = &w.own.household_no;
        let mut answers = std::collections::HashSet::new();
        for (user, role, region) in USERS {
            let s = scope(role, region);
            let paired = user == "helper";
            let household = Target::Household {
                village: &taohong,
                paired,
            };
            let own = RegionCode::parse(region).unwrap();
            // a region in the path: hidden unless the table allows (BrowsableRegion, ExportableRegion)
            let hidden = |action: Action, target: Target<'_>| match s.decide(action, target) {
                Ok(()) => StatusCode::OK,
                Err(_) => StatusCode::NOT_FOUND,
            };
            // a household: hidden unless readable, then refused unless the action is allowed
            // (VisibleHousehold, EditableHousehold, RevealableHousehold)
            let on_household = |action: Action| {
                if s.decide(Action::ReadHousehold, household).is_err() {
                    StatusCode::NOT_FOUND
                } else if s.decide(action, household).is_err() {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::OK
                }
            };
            // a region asked for in the query: the role refused, or the region outside
            // (WarningsRegion, WhatIfRegion, StandardsRegion)
            let by_reason = |action: Action, target: Target<'_>| match s.decide(action, target) {
                Ok(()) => StatusCode::OK,
                Err(Refusal::Outside) => StatusCode::NOT_FOUND,
                Err(_) => StatusCode::FORBIDDEN,
            };
            // the user's own region (Screener, Importer)
            let own_region =
                |action: Action, method: &Method| match s.decide(action, Target::Region(&own)) {
                    Ok(()) => served(method),
                    Err(_) => StatusCode::FORBIDDEN,
                };
            let region = Target::Region(&taohong);
            let checks = [
                (
                    Method::GET,
                    format!("/regions/{TAOHONG}"),
                    hidden(Action::BrowseRegions, region),
                ),
                (
                    Method::GET,
                    format!("/api/v1/regions/{TAOHONG}/households"),
                    hidden(Action::BrowseRegions, region),
                ),
                (
                    Method::GET,
                    format!("/regions/{TAOHONG}/ledger.csv"),
                    hidden(Action::ExportLedger, region),
                ),
                (
                    Method::GET,
                    format!("/households/{no}"),
                    on_household(Action::ReadHousehold),
                ),
                (
                    Method::GET,
                    format!("/api/v1/households/{no}"),
                    on_household(Action::ReadHousehold),
                ),
                (
                    Method::GET,
                    format!("/households/{no}/warnings"),
                    on_household(Action::ViewWarnings),
                ),
                (
                    Method::GET,
                    format!("/households/{no}/edit"),
                    on_household(Action::EditRegistry),
                ),
                (
                    Method::GET,
                    format!("/households/{no}/income"),
                    on_household(Action::ReadHousehold),
                ),
                (
                    Method::POST,
                    format!("/api/v1/households/{no}/members/0/reveal"),
                    on_household(Action::RevealId),
                ),
                (
                    Method::GET,
                    format!("/warnings?region={TAOHONG}"),
                    by_reason(Action::ViewWarnings, region),
                ),
                (
                    Method::GET,
                    format!("/api/v1/warnings?region={TAOHONG}"),
                    by_reason(Action::ViewWarnings, region),
                ),
                (
                    Method::GET,
                    format!("/what-if?region={TAOHONG}"),
                    by_reason(Action::WhatIf, region),
                ),
                (
                    Method::GET,
                    format!("/standards?region={TAOHONG}"),
                    by_reason(Action::ViewStandards, region),
                ),
                (
                    Method::GET,
                    "/ledger/import".into(),
                    own_region(Action::ImportLedger, &Method::GET),
                ),
                (
                    Method::POST,
                    "/warnings/run".into(),
                    own_region(Action::RunScreening, &Method::POST),
                ),
                // issue 16: data quality
                (
                    Method::GET,
                    format!("/quality?region={TAOHONG}"),
                    by_reason(Action::ViewReports, region),
                ),
                (
                    Method::GET,
                    format!("/quality/export?region={TAOHONG}&table=rules&format=csv"),
                    by_reason(Action::ViewReports, region),
                ),
                // issue 16: the supervision tables and the ranking of a region asked for
                (
                    Method::GET,
                    format!("/reports/tables/overdue?region={TAOHONG}"),
                    by_reason(Action::ViewReports, region),
                ),
                (
                    Method::GET,
                    format!("/reports/ranking?region={TAOHONG}"),
                    by_reason(Action::ViewReports, region),
                ),
            ];
            for (method, uri, want) in checks {
                answers.insert(want);
                let (got, body) = call(&w.app, user, method.clone(), &uri).await;
                assert_eq!(
                    got, want,
                    "{}: {user} ({role:?}) {method} {uri}: {body}",
                    w.db.name
                );
            }
        }
        // every kind of answer occurred: served, hidden and refused
        for want in [
            StatusCode::OK,
            StatusCode::SEE_OTHER,
            StatusCode::NOT_FOUND,
            StatusCode::FORBIDDEN,
        ] {
            assert!(answers.contains(&want), "{want} never expected");
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_refusal_is_a_page_in_the_users_language_and_json_in_the_api() {
    for w in worlds() {
        let no = &w.own.household_no;
        let (status, body) = call(
            &w.app,
            "inspector",
            Method::GET,
            &format!("/households/{no}/edit?lang=en"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", w.db.name);
        assert!(
            body.contains("Not allowed") && body.contains("lang=\"en\""),
            "{body}"
        );
        let (status, body) = call(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/households/{no}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("找不到") && body.contains("<html"), "{body}");
        let (status, body) = call(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/api/v1/households/{no}"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "not_found");
        outside(move || drop(w));
    }
}
