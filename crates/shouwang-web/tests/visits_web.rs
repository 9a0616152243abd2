//! Assistance persons, pairings and visits through their pages, on every configured backend: an
//! assistance person records a visit to a paired household only; a visit in the future or for
//! a position not held is refused with nothing written; a visit may raise a lead in the same
//! request; the county registers a person, pairs and reassigns (the history stays) and is told
//! when a pairing overlaps or ends before it starts; the duty page counts what is due.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::assistance::person::AssistancePerson;
use shouwang_core::visit::Position;
use shouwang_core::{Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, send, signed_in_users, today, with_two_villages, Answer, CSRF, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// a household of 桃红村 paired with the helper, another of 桃红村 not paired
    paired: String,
    unpaired: String,
    person: i64,
    _data: Vec<(Household, Vec<Member>)>,
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
                        ("taohong", Role::Village, TAOHONG),
                        ("helper", Role::AssistancePerson, TAOHONG),
                        ("county", Role::County, "510821"),
                        ("admin", Role::Admin, "510821"),
                    ],
                );
                let ours: Vec<&String> = data
                    .iter()
                    .filter(|(h, _)| h.village.as_str() == TAOHONG)
                    .map(|(h, _)| &h.household_no)
                    .collect();
                let person = db
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
                            unit: "县农业农村局".into(),
                            phone: "13800000001".into(),
                        },
                        Some("helper"),
                    )
                    .unwrap();
                db.store
                    .create_pairing(
                        &Actor::system("test"),
                        person,
                        ours[0],
                        today().add_days(-60),
                        None,
                    )
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    paired: ours[0].clone(),
                    unpaired: ours[1].clone(),
                    person,
                    db,
                    app,
                    _data: data,
                }
            })
            .collect()
    })
}

impl World {
    async fn get(&self, user: &str, uri: &str) -> Answer {
        send(&self.app, user, Method::GET, uri, &[], None).await
    }
    async fn post(&self, user: &str, uri: &str, form: &[(&str, &str)]) -> Answer {
        let mut all = vec![("csrf", CSRF)];
        all.extend_from_slice(form);
        send(&self.app, user, Method::POST, uri, &[], Some(&all)).await
    }
    fn count(&self, table: &str) -> i64 {
        let db = &self.db;
        outside(|| db.count_rows(table))
    }
}

#[tokio::test]
async fn an_assistance_person_records_visits_to_paired_households_only() {
    for w in worlds() {
        let today = today().to_string();
        // the paired list links to the form
        let paired = w.get("helper", "/paired").await;
        assert!(
            paired
                .body
                .contains(&format!("/visits/new?household={}", w.paired)),
            "{}",
            paired.body
        );
        let form = w
            .get("helper", &format!("/visits/new?household={}", w.paired))
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("id=\"visit-new\"") && form.body.contains("id=\"visit-save\""));
        assert!(form.body.contains("帮扶责任人"));
        assert!(
            !form.body.contains("村党支部书记"),
            "only the positions held"
        );
        assert!(
            form.body.contains(&format!("value=\"{today}\"")),
            "today by default"
        );

        // not paired: not even seen
        let other = w
            .get("helper", &format!("/visits/new?household={}", w.unpaired))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let other = w
            .post(
                "helper",
                "/visits",
                &[
                    ("household", &w.unpaired),
                    ("on", &today),
                    ("position", "3"),
                    ("findings", "看望"),
                ],
            )
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);

        // in the future: refused, named, nothing written
        let tomorrow = common::today().add_days(1).to_string();
        let future = w
            .post(
                "helper",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &tomorrow),
                    ("position", "3"),
                    ("findings", "看望"),
                ],
            )
            .await;
        assert_eq!(
            future.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            future.body
        );
        assert!(future.body.contains("晚于今天"), "{}", future.body);
        // a position not held
        let held = w
            .post(
                "helper",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "1"),
                    ("findings", "看望"),
                ],
            )
            .await;
        assert_eq!(held.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(held.body.contains("不担任"), "{}", held.body);
        assert_eq!(w.count("visits"), 0);

        // recorded: back to the household, which shows it
        let ok = w
            .post(
                "helper",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "3"),
                    ("findings", "家中老人身体尚好"),
                    ("follow_up", "下月再访"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location, format!("/households/{}", w.paired));
        assert!(ok.flash().unwrap().zh.contains("已记录"));
        let page = common::follow(&w.app, "helper", &ok).await;
        assert!(
            page.body.contains("家中老人身体尚好") && page.body.contains("陈明"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("13800000001"),
            "the household page shows the helper's phone"
        );
        assert_eq!(w.count("visits"), 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_village_cadre_records_as_cadre_and_may_raise_a_lead_in_the_same_visit() {
    for w in worlds() {
        let today = today().to_string();
        let form = w
            .get("taohong", &format!("/visits/new?household={}", w.unpaired))
            .await;
        assert!(form.body.contains("村干部"), "{}", form.body);
        let leads = w.count("leads");
        let ok = w
            .post(
                "taohong",
                "/visits",
                &[
                    ("household", &w.unpaired),
                    ("on", &today),
                    ("position", "5"),
                    ("findings", "户主腿伤未愈"),
                    ("risk", "4"),
                    ("lead_note", "户主摔伤，无法务工"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert!(ok.flash().unwrap().zh.contains("风险线索"));
        assert_eq!(w.count("leads"), leads + 1);
        assert_eq!(w.count("visits"), 1);
        // a lead without a note is refused, and so is the visit
        let bad = w
            .post(
                "taohong",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "5"),
                    ("findings", "走访"),
                    ("risk", "0"),
                    ("lead_note", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(w.count("visits"), 1);
        assert_eq!(w.count("leads"), leads + 1);
        // a village secretary's visit needs the position
        let sec = w
            .post(
                "taohong",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "1"),
                    ("findings", "走访"),
                ],
            )
            .await;
        assert_eq!(sec.status, StatusCode::UNPROCESSABLE_ENTITY);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_county_registers_pairs_and_reassigns_and_is_told_what_is_wrong() {
    for w in worlds() {
        let bad = w
            .post(
                "county",
                "/assistance/persons",
                &[
                    ("region", "510821"),
                    ("name", ""),
                    ("position", "4"),
                    ("phone", "123"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("姓名不能为空") && bad.body.contains("电话号码"),
            "{}",
            bad.body
        );
        assert_eq!(w.count("assistance_persons"), 1);
        let made = w
            .post(
                "county",
                "/assistance/persons",
                &[
                    ("region", "510821"),
                    ("name", "李医生"),
                    ("position", "3"),
                    ("unit", "镇卫生院"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let other_id: i64 = made.location.rsplit('/').next().unwrap().parse().unwrap();
        let list = w.get("county", "/assistance/persons").await;
        assert!(list.body.contains("陈明") && list.body.contains("李医生"));
        // the village may not manage pairings
        assert_eq!(
            w.get("taohong", "/assistance/persons").await.status,
            StatusCode::FORBIDDEN
        );

        let page = format!("/assistance/persons/{}", w.person);
        let start = today().add_days(-10).to_string();
        let overlap = w
            .post(
                "county",
                &format!("{page}/pair"),
                &[("household", &w.paired), ("start", &start)],
            )
            .await;
        assert_eq!(overlap.status, StatusCode::CONFLICT, "{}", overlap.body);
        assert!(overlap.body.contains("重叠"));
        let pairing = outside(|| w.db.store.pairings_of_household(&w.paired).unwrap())[0].id;
        let early = today().add_days(-90).to_string();
        let reversed = w
            .post(
                "county",
                &format!("/assistance/pairings/{pairing}/end"),
                &[("end", &early), ("reason", "调离")],
            )
            .await;
        assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(w.count("assistance_pairings"), 1);

        let from = today().to_string();
        let moved = w
            .post(
                "county",
                &format!("/assistance/pairings/{pairing}/reassign"),
                &[("to", &other_id.to_string()), ("start", &from)],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        assert!(moved.flash().unwrap().zh.contains("李医生"));
        let history = outside(|| w.db.store.pairings_of_household(&w.paired).unwrap());
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].end, Some(today().add_days(-1)));
        let household = w.get("county", &format!("/households/{}", w.paired)).await;
        assert!(
            household.body.contains("结对历史") && household.body.contains("李医生"),
            "{}",
            household.body
        );
        let person = w.get("county", &page).await;
        assert!(
            person.body.contains(&today().add_days(-1).to_string()),
            "the ended pairing stays"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_duty_page_counts_due_done_and_overdue_with_the_households_behind() {
    for w in worlds() {
        let today = today().to_string();
        let ok = w
            .post(
                "helper",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "3"),
                    ("findings", "看望"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let page = w.get("county", "/visits/duties").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("陈明"), "{}", page.body);
        let link = format!("person={}&amp;which=done", w.person);
        assert!(page.body.contains(&link), "{}", page.body);
        let done = w
            .get(
                "county",
                &format!(
                    "/visits/duties/households?region=510821&position=3&person={}&which=done",
                    w.person
                ),
            )
            .await;
        assert!(done.body.contains(&w.paired), "{}", done.body);
        let overdue = w
            .get(
                "county",
                &format!(
                    "/visits/duties/households?region=510821&position=3&person={}&which=overdue",
                    w.person
                ),
            )
            .await;
        assert!(
            overdue.body.contains(&w.paired),
            "no visit last month: {}",
            overdue.body
        );
        // the helper sees only paired households, not the duty lists
        assert_ne!(
            w.get("helper", "/visits/duties?region=510821").await.status,
            StatusCode::OK
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_administrator_gives_a_village_cadre_the_secretarys_position_and_it_counts() {
    for w in worlds() {
        let today = today().to_string();
        let id = outside(|| w.db.store.user_by_name("taohong").unwrap().unwrap().id);
        let uri = format!("/admin/users/{id}/positions");
        let outside_region = w
            .post("admin", &uri, &[("position", "1"), ("region", "520000")])
            .await;
        assert_eq!(outside_region.status, StatusCode::UNPROCESSABLE_ENTITY);
        let set = w
            .post("admin", &uri, &[("position", "1"), ("region", TAOHONG)])
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let page = common::follow(&w.app, "admin", &set).await;
        assert!(
            page.body.contains("村党支部书记 510821108212"),
            "{}",
            page.body
        );
        // a doctor's position needs a person of that position
        let doctor = w
            .post(
                "admin",
                &uri,
                &[
                    ("position", "4"),
                    ("region", TAOHONG),
                    ("person", &w.person.to_string()),
                ],
            )
            .await;
        assert_eq!(doctor.status, StatusCode::UNPROCESSABLE_ENTITY);

        let form = w
            .get("taohong", &format!("/visits/new?household={}", w.paired))
            .await;
        assert!(form.body.contains("村党支部书记") && form.body.contains("村干部"));
        let ok = w
            .post(
                "taohong",
                "/visits",
                &[
                    ("household", &w.paired),
                    ("on", &today),
                    ("position", "1"),
                    ("findings", "书记走访"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let removed = w.post("admin", &uri, &[("remove", "1")]).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER);
        assert!(outside(|| w.db.store.positions_of("taohong").unwrap()).is_empty());
        assert_eq!(
            outside(|| w.db.store.count_events("position.save").unwrap()),
            2
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_long_list_of_people_shows_the_overdue_first_and_the_rest_on_demand() {
    for w in worlds() {
        // 55 more assistance persons, each paired today with the same household: nothing of
        // theirs is overdue yet, while 陈明 (paired 60 days ago, no visit) is
        outside(|| {
            for i in 0..55 {
                let id =
                    w.db.store
                        .save_person(
                            &Actor::system("test"),
                            &RegionCode::parse("510821").unwrap(),
                            None,
                            &AssistancePerson {
                                position: Position::AssistancePerson,
                                name: format!("帮扶人{i:02}"),
                                sex: None,
                                political: None,
                                unit: "县民政局".into(),
                                phone: "13800000002".into(),
                            },
                            None,
                        )
                        .unwrap();
                w.db.store
                    .create_pairing(&Actor::system("test"), id, &w.paired, today(), None)
                    .unwrap();
            }
        });
        let page = w.get("county", "/visits/duties").await;
        assert_eq!(page.status, StatusCode::OK);
        let by_person = &page.body[page.body.find("按责任人").unwrap()..];
        let first_row = &by_person[by_person.find("<tbody>").unwrap()..];
        let first_row = &first_row[..first_row.find("</tr>").unwrap()];
        assert!(first_row.contains("陈明"), "overdue first: {first_row}");
        assert!(page.body.contains("另有6人未列出"), "{}", page.body);
        let shown = by_person.matches("帮扶人").count();
        assert_eq!(shown, 49, "50 people shown, 陈明 among them");
        let all = w.get("county", "/visits/duties?all=1").await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(!all.body.contains("未列出"));
        assert!(all.body.contains("帮扶人54") && all.body.contains("帮扶人00"));
        outside(move || drop(w));
    }
}
