//! Persons, pairings and visits through the API, on every configured backend, each answer
//! checked against the OpenAPI document: a person registered (a nameless one refused), a pairing
//! made (an overlapping one 409, an end before the start 422, nothing written), a visit by the
//! paired assistance person (one in the future 422, one to an unpaired household 404), the
//! household's visits and the duties of the county.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::visit::Position;
use shouwang_core::{RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, TAOHONG};

mod openapi_check;
use openapi_check::{answer_schema, body_schema, violations};

struct World {
    db: TestDb,
    app: Router,
    paired: String,
    unpaired: String,
    helper: i64,
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
                        ("helper", Role::AssistancePerson, TAOHONG),
                    ],
                );
                let ours: Vec<String> = data
                    .iter()
                    .filter(|(h, _)| h.village.as_str() == TAOHONG)
                    .map(|(h, _)| h.household_no.clone())
                    .collect();
                let helper = db
                    .store
                    .save_person(
                        &Actor::system("test"),
                        &RegionCode::parse("510821").unwrap(),
                        None,
                        &AssistancePerson {
                            position: Position::AssistancePerson,
                            name: "陈明".into(),
                            sex: None,
                            political: None,
                            unit: String::new(),
                            phone: String::new(),
                        },
                        Some("helper"),
                    )
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    paired: ours[0].clone(),
                    unpaired: ours[1].clone(),
                    helper,
                }
            })
            .collect()
    })
}

async fn call(
    app: &Router,
    user: &str,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-csrf-token", CSRF)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"));
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

impl World {
    /// Calls and checks the answer (and a body sent) against the document at `path`.
    #[allow(clippy::too_many_arguments)]
    async fn checked(
        &self,
        doc: &Value,
        user: &str,
        method: Method,
        path: &str,
        uri: &str,
        body: Option<Value>,
        expected: StatusCode,
    ) -> Value {
        if let (Some(b), true) = (&body, expected.is_success()) {
            let wrong = violations(doc, body_schema(doc, &method, path), b, "$");
            assert!(
                wrong.is_empty(),
                "{method} {path} body: {}",
                wrong.join("\n")
            );
        }
        let (status, answer) = call(&self.app, user, method.clone(), uri, body).await;
        assert_eq!(
            status, expected,
            "{}: {method} {uri}: {answer}",
            self.db.name
        );
        let wrong = violations(doc, answer_schema(doc, &method, path, status), &answer, "$");
        assert!(
            wrong.is_empty(),
            "{method} {uri} ({status}): {}",
            wrong.join("\n")
        );
        answer
    }
    fn count(&self, table: &str) -> i64 {
        let db = &self.db;
        outside(|| db.count_rows(table))
    }
}

#[tokio::test]
async fn persons_pairings_visits_and_duties_answer_as_documented() {
    for w in worlds() {
        let (_, doc) = call(&w.app, "county", Method::GET, "/api/openapi.json", None).await;
        let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
        let persons = "/api/v1/assistance/persons";

        let bad = w
            .checked(
                &doc,
                "county",
                post.clone(),
                persons,
                persons,
                Some(json!({"position": "家庭签约医生", "name": " "})),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(bad["errors"][0]["code"], "name.missing");
        let doctor = w
            .checked(&doc, "county", post.clone(), persons, persons, Some(json!({"position": "家庭签约医生", "name": "李医生", "sex": "女", "unit": "镇卫生院", "phone": "13900000002"})), StatusCode::CREATED)
            .await;
        let id = doctor["id"].as_i64().unwrap();
        let one = format!("{persons}/{id}");
        let edited = w
            .checked(
                &doc,
                "county",
                put.clone(),
                "/api/v1/assistance/persons/{id}",
                &one,
                Some(json!({"position": "家庭签约医生", "name": "李医生", "unit": "县医院"})),
                StatusCode::OK,
            )
            .await;
        assert_eq!(edited["unit"], "县医院");
        let list = w
            .checked(
                &doc,
                "county",
                get.clone(),
                persons,
                persons,
                None,
                StatusCode::OK,
            )
            .await;
        assert_eq!(list["persons"].as_array().unwrap().len(), 2);

        let pairings = "/api/v1/assistance/pairings";
        let start = today().add_days(-40).to_string();
        let made = w
            .checked(
                &doc,
                "county",
                post.clone(),
                pairings,
                pairings,
                Some(json!({"person_id": w.helper, "household_no": w.paired, "start": start})),
                StatusCode::CREATED,
            )
            .await;
        let overlap = w
            .checked(&doc, "county", post.clone(), pairings, pairings, Some(json!({"person_id": w.helper, "household_no": w.paired, "start": today().to_string()})), StatusCode::CONFLICT)
            .await;
        assert_eq!(overlap["errors"][0]["code"], "pairing.overlap");
        let reversed = w
            .checked(&doc, "county", post.clone(), pairings, pairings, Some(json!({"person_id": id, "household_no": w.paired, "start": "2026-03-02", "end": "2026-03-01"})), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(reversed["errors"][0]["code"], "pairing.dates");
        assert_eq!(w.count("assistance_pairings"), 1);

        let visits = "/api/v1/visits";
        let tomorrow = today().add_days(1).to_string();
        let future = w
            .checked(&doc, "helper", post.clone(), visits, visits, Some(json!({"household_no": w.paired, "on": tomorrow, "position": "帮扶责任人", "findings": "看望"})), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(future["errors"][0]["code"], "visit.future");
        w.checked(&doc, "helper", post.clone(), visits, visits, Some(json!({"household_no": w.unpaired, "on": today().to_string(), "position": "帮扶责任人", "findings": "看望"})), StatusCode::NOT_FOUND)
            .await;
        assert_eq!(w.count("visits"), 0);
        let v = w
            .checked(&doc, "helper", post.clone(), visits, visits, Some(json!({"household_no": w.paired, "on": today().to_string(), "position": "帮扶责任人", "findings": "家中一切正常"})), StatusCode::CREATED)
            .await;
        assert_eq!(v["person_id"], w.helper);
        let listed = w
            .checked(
                &doc,
                "county",
                get.clone(),
                visits,
                &format!("{visits}?household={}", w.paired),
                None,
                StatusCode::OK,
            )
            .await;
        assert_eq!(listed["visits"][0]["findings"], "家中一切正常");
        let duties = "/api/v1/visits/duties";
        let d = w
            .checked(
                &doc,
                "county",
                get.clone(),
                duties,
                &format!("{duties}?region=510821"),
                None,
                StatusCode::OK,
            )
            .await;
        let helper_row = d["holders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["person_id"] == w.helper)
            .unwrap()
            .clone();
        assert_eq!(
            (helper_row["due"].as_i64(), helper_row["done"].as_i64()),
            (Some(1), Some(1))
        );

        let end = format!("{pairings}/{}/end", made["id"]);
        let early = w
            .checked(
                &doc,
                "county",
                post.clone(),
                "/api/v1/assistance/pairings/{id}/end",
                &end,
                Some(json!({"end": "2000-01-01"})),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(early["errors"][0]["code"], "pairing.dates");
        let ended = w
            .checked(
                &doc,
                "county",
                post.clone(),
                "/api/v1/assistance/pairings/{id}/end",
                &end,
                Some(json!({"end": today().to_string(), "reason": "调离"})),
                StatusCode::OK,
            )
            .await;
        assert_eq!(ended["end"], today().to_string());
        outside(move || drop(w));
    }
}
