//! 风险线索 as cadres work them, on every configured backend: a village cadre reports a lead
//! and finds it in the list with its countdown, dismisses one with a reason that stays in the
//! household's history, merges a duplicate, opens the household's identification on its leads
//! and gathers a later one into it; the list and the lead stay inside the user's region; roles
//! that may only look cannot report or dismiss; a form without its reason is refused naming the
//! field; an overdue lead shows on the township's home page.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Household, Member, Role};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{
    follow, outside, send, signed_in_users, today, with_two_villages, Answer, CSRF, LONGFENG,
    TAOHONG,
};

struct World {
    db: TestDb,
    app: Router,
    /// a household of 桃红村 and its head's name
    own: (String, String),
    /// a household of 龙凤村 and its head's name
    other: (String, String),
}

fn head(h: &(Household, Vec<Member>)) -> (String, String) {
    let name =
        h.1.iter()
            .find(|m| m.relation == Relation::Head)
            .map(|m| m.name.clone())
            .unwrap_or_default();
    (h.0.household_no.clone(), name)
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let in_village = |v: &str| {
                    data.iter()
                        .find(|(h, _)| h.village.as_str() == v)
                        .map(head)
                        .expect("a household in each village")
                };
                let (own, other) = (in_village(TAOHONG), in_village(LONGFENG));
                let ids = signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                        ("helper", Role::AssistancePerson, TAOHONG),
                        ("inspector", Role::Inspector, "510821"),
                    ],
                );
                db.store
                    .pair(&Actor::system("test"), ids[4], &own.0)
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    db,
                    app,
                    own,
                    other,
                }
            })
            .collect()
    })
}

async fn get(app: &Router, user: &str, uri: &str) -> Answer {
    send(app, user, Method::GET, uri, &[], None).await
}

async fn get_en(app: &Router, user: &str, uri: &str) -> Answer {
    let lang = format!("{}=en", shouwang_web::auth::LANG_COOKIE);
    send(app, user, Method::GET, uri, &[lang], None).await
}

async fn post(app: &Router, user: &str, uri: &str, form: &[(&str, &str)]) -> Answer {
    let mut with_csrf = vec![("csrf", CSRF)];
    with_csrf.extend_from_slice(form);
    send(app, user, Method::POST, uri, &[], Some(&with_csrf)).await
}

/// Reports a lead on `no` as `user` through the form; the lead's id.
async fn report(app: &Router, user: &str, no: &str, risk: RiskType, note: &str) -> i64 {
    let risk = risk.code().to_string();
    let level = WarningLevel::Yellow.code().to_string();
    let source = LeadSource::CadreCheck.code().to_string();
    let a = post(
        app,
        user,
        "/leads/new",
        &[
            ("household", no),
            ("risk", &risk),
            ("level", &level),
            ("source", &source),
            ("note", note),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.location
        .strip_prefix("/leads/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a lead's page: {}", a.location))
}

#[tokio::test]
async fn a_village_cadre_reports_a_lead_and_finds_it_in_the_list_with_its_countdown() {
    for w in worlds() {
        let (no, name) = &w.own;
        let a = post(
            &w.app,
            "taohong",
            "/leads/new",
            &[
                ("household", no),
                ("risk", "0"),
                ("level", "1"),
                ("source", "2"),
                ("note", "户主突发脑梗住院，自付费用较高"),
            ],
        )
        .await;
        let flash = a.flash().expect("a saved message");
        assert!(flash.zh.contains("已上报"), "{}", flash.zh);
        let page = follow(&w.app, "taohong", &a).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("户主突发脑梗住院"),
            "the note is the evidence"
        );
        assert!(page.body.contains("干部排查"));
        assert!(page.body.contains(name.as_str()), "the household by name");
        assert!(page.body.contains("开始识别认定"));

        let list = get(&w.app, "taohong", "/leads").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(&format!("href=\"/households/{no}\"")));
        assert!(list.body.contains(name.as_str()));
        // a yellow lead is due in some days: the days left are counted down
        assert!(list.body.contains("还剩"), "{}", list.body);
        let en = get_en(&w.app, "taohong", "/leads").await;
        assert!(en.body.contains("days left"), "{}", en.body);
        // the filters narrow the list
        let hotline = get(&w.app, "taohong", "/leads?source=3").await;
        assert!(!hotline.body.contains(&format!("href=\"/households/{no}\"")));
        let overdue = get(&w.app, "taohong", "/leads?overdue=1").await;
        assert!(!overdue.body.contains(&format!("href=\"/households/{no}\"")));
        // a page past the end shows the last one
        let past = get(&w.app, "taohong", "/leads?page=99").await;
        assert_eq!(past.status, StatusCode::OK);
        assert!(past.body.contains(&format!("href=\"/households/{no}\"")));
        // a value no list holds is refused, naming the filter
        let wrong = get(&w.app, "taohong", "/leads?risk=99").await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
        // the household page offers the report and shows the lead
        let h = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert!(h.body.contains(&format!("/leads/new?household={no}")));
        assert!(h.body.contains("待核实"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_dismissed_lead_keeps_its_reason_in_the_households_history() {
    for w in worlds() {
        let no = &w.own.0;
        let id = report(&w.app, "taohong", no, RiskType::Accident, "听说户主摔伤").await;
        // no reason: refused, naming the field, nothing saved
        let refused = post(
            &w.app,
            "taohong",
            &format!("/leads/{id}/dismiss"),
            &[("reason", " ")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("理由：须写明理由"),
            "{}",
            refused.body
        );
        let still = get(&w.app, "taohong", &format!("/leads/{id}")).await;
        assert!(still.body.contains("待核实"));

        let done = post(
            &w.app,
            "taohong",
            &format!("/leads/{id}/dismiss"),
            &[("reason", "入户核实为轻微擦伤，已痊愈")],
        )
        .await;
        assert!(done.flash().unwrap().zh.contains("已排除"));
        let page = follow(&w.app, "taohong", &done).await;
        assert!(page.body.contains("已排除"));
        assert!(page.body.contains("入户核实为轻微擦伤，已痊愈"));
        assert!(
            !page.body.contains("开始识别认定"),
            "a closed lead has no action"
        );
        let h = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert!(h.body.contains("入户核实为轻微擦伤，已痊愈"), "{}", h.body);
        assert!(h.body.contains("已排除"));
        // who dismissed it, by name
        assert!(h.body.contains("taohong"));
        // the list of waiting leads no longer shows it
        let list = get(&w.app, "taohong", "/leads").await;
        assert!(!list.body.contains(&format!("href=\"/leads/{id}\"")));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_duplicate_lead_merges_into_another_of_the_household() {
    for w in worlds() {
        let no = &w.own.0;
        let a = report(&w.app, "taohong", no, RiskType::Illness, "户主住院").await;
        let b = report(
            &w.app,
            "taohong",
            no,
            RiskType::LackOfLabour,
            "住院后无人务工",
        )
        .await;
        let page = get(&w.app, "taohong", &format!("/leads/{b}")).await;
        assert!(page.body.contains("合并到"));
        let missing = post(
            &w.app,
            "taohong",
            &format!("/leads/{b}/merge"),
            &[("into", ""), ("reason", "同一次住院")],
        )
        .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("合并到：请选择"), "{}", missing.body);
        let into = a.to_string();
        let done = post(
            &w.app,
            "taohong",
            &format!("/leads/{b}/merge"),
            &[("into", &into), ("reason", "同一次住院引起，并入因病线索")],
        )
        .await;
        assert_eq!(done.location, format!("/leads/{a}"));
        assert!(done.flash().unwrap().zh.contains("合并"));
        let merged = get(&w.app, "taohong", &format!("/leads/{b}")).await;
        assert!(merged.body.contains("已合并"));
        assert!(merged.body.contains("同一次住院引起，并入因病线索"));
        assert!(merged.body.contains(&format!("href=\"/leads/{a}\"")));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_cadre_opens_the_identification_on_the_households_leads_and_gathers_a_later_one() {
    for w in worlds() {
        let no = &w.own.0;
        let a = report(&w.app, "taohong", no, RiskType::Illness, "户主住院").await;
        let b = report(&w.app, "taohong", no, RiskType::Schooling, "子女上大学").await;
        let other = b.to_string();
        let opened = post(
            &w.app,
            "taohong",
            &format!("/leads/{a}/identify"),
            &[("lead", &other)],
        )
        .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let procedure = opened
            .location
            .strip_prefix("/identifications/")
            .expect("to the procedure")
            .to_string();
        assert!(opened.flash().unwrap().zh.contains("已开始"));
        for lead in [a, b] {
            let page = get(&w.app, "taohong", &format!("/leads/{lead}")).await;
            assert!(page.body.contains("识别中"), "lead {lead}");
            assert!(page
                .body
                .contains(&format!("href=\"/identifications/{procedure}\"")));
        }
        let h = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert!(h
            .body
            .contains(&format!("href=\"/identifications/{procedure}\"")));
        assert!(h.body.contains("入户核实"), "the procedure's stage");

        // a later lead goes into the procedure under way
        let c = report(&w.app, "taohong", no, RiskType::UnsafeHousing, "房屋开裂").await;
        let page = get(&w.app, "taohong", &format!("/leads/{c}")).await;
        assert!(page.body.contains("并入识别"), "{}", page.body);
        // read at an old version: someone acted first, and the user is told
        let stale = post(
            &w.app,
            "taohong",
            &format!("/leads/{c}/identify"),
            &[("procedure", &procedure), ("version", "0")],
        )
        .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("其他人刚刚处理了"), "{}", stale.body);
        let version = {
            let id: i64 = procedure.parse().unwrap();
            let st = w.db.store.clone();
            outside(move || st.identification(id).unwrap().unwrap().version)
        }
        .to_string();
        let gathered = post(
            &w.app,
            "taohong",
            &format!("/leads/{c}/identify"),
            &[("procedure", &procedure), ("version", &version)],
        )
        .await;
        assert_eq!(gathered.status, StatusCode::SEE_OTHER, "{}", gathered.body);
        assert!(gathered.flash().unwrap().zh.contains("并入"));
        let page = get(&w.app, "taohong", &format!("/leads/{c}")).await;
        assert!(page.body.contains("识别中"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_lead_outside_the_users_village_is_not_found_and_not_listed() {
    for w in worlds() {
        let (no, _) = &w.own;
        let id = report(&w.app, "taohong", no, RiskType::Illness, "户主住院").await;
        for uri in [format!("/leads/{id}"), format!("/leads/new?household={no}")] {
            let a = get(&w.app, "longfeng", &uri).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let a = post(
            &w.app,
            "longfeng",
            &format!("/leads/{id}/dismiss"),
            &[("reason", "不是本村的")],
        )
        .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let list = get(&w.app, "longfeng", "/leads").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(!list.body.contains(&format!("href=\"/leads/{id}\"")));
        // nor through the region picker
        let other = get(&w.app, "longfeng", &format!("/leads?region={TAOHONG}")).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        // the township above sees it
        let township = get(&w.app, "sanjiang", "/leads").await;
        assert!(township.body.contains(&format!("href=\"/leads/{id}\"")));
        // and the lead still waits
        let page = get(&w.app, "taohong", &format!("/leads/{id}")).await;
        assert!(page.body.contains("待核实"));
        let _ = &w.other;
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_assistance_person_or_an_inspector_cannot_report_or_dismiss() {
    for w in worlds() {
        let no = &w.own.0;
        let id = report(&w.app, "taohong", no, RiskType::Illness, "户主住院").await;
        for user in ["helper", "inspector"] {
            let form = get(&w.app, user, &format!("/leads/new?household={no}")).await;
            assert_eq!(form.status, StatusCode::FORBIDDEN, "{user}");
            let a = post(
                &w.app,
                user,
                "/leads/new",
                &[
                    ("household", no),
                    ("risk", "4"),
                    ("level", "0"),
                    ("source", "2"),
                    ("note", "看到的情况"),
                ],
            )
            .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{user}");
            let a = post(
                &w.app,
                user,
                &format!("/leads/{id}/dismiss"),
                &[("reason", "我认为没有风险")],
            )
            .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{user}");
            // they still read the lead (the assistance person through the pairing), without
            // the forms
            let page = get(&w.app, user, &format!("/leads/{id}")).await;
            assert_eq!(page.status, StatusCode::OK, "{user}");
            assert!(!page.body.contains("/dismiss"), "{user}");
            let h = get(&w.app, user, &format!("/households/{no}")).await;
            assert!(!h.body.contains("/leads/new?household="), "{user}");
        }
        let page = get(&w.app, "taohong", &format!("/leads/{id}")).await;
        assert!(page.body.contains("待核实"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_overdue_lead_shows_on_the_villages_and_the_townships_home_page() {
    for w in worlds() {
        let no = w.own.0.clone();
        let st = w.db.store.clone();
        let id = outside(move || {
            st.raise_lead(
                &Actor::system("test"),
                &NewLead {
                    household_no: no,
                    risk: RiskType::NaturalDisaster,
                    level: WarningLevel::Red,
                    source: LeadSource::Hotline,
                    found_on: today().add_days(-10),
                    due_on: today().add_days(-3),
                    note: "12317 来电：房屋被洪水冲毁".into(),
                },
            )
            .unwrap()
            .id
        });
        for user in ["taohong", "sanjiang"] {
            let home = get(&w.app, user, "/").await;
            let body = home.body.replace("&#38;", "&").replace("&amp;", "&");
            assert!(
                body.contains("href=\"/leads?status=0&overdue=1\""),
                "{user}: {body}"
            );
            assert!(home.body.contains("已逾期"), "{user}");
        }
        let township = get(&w.app, "sanjiang", "/").await;
        assert!(
            township.body.contains("风险线索待核实（村级）"),
            "{}",
            township.body
        );
        let list = get(&w.app, "sanjiang", "/leads?status=0&overdue=1").await;
        assert!(list.body.contains(&format!("href=\"/leads/{id}\"")));
        assert!(list.body.contains("逾期3天"), "{}", list.body);
        let en = get_en(&w.app, "sanjiang", "/leads?overdue=1").await;
        assert!(en.body.contains("3 days overdue"));
        // due soon: a lead due tomorrow, without the overdue ones
        let (no, st) = (w.own.0.clone(), w.db.store.clone());
        let soon = outside(move || {
            st.raise_lead(
                &Actor::system("test"),
                &NewLead {
                    household_no: no,
                    risk: RiskType::Accident,
                    level: WarningLevel::Red,
                    source: LeadSource::CadreCheck,
                    found_on: today().add_days(-2),
                    due_on: today().add_days(1),
                    note: "户主车祸受伤".into(),
                },
            )
            .unwrap()
            .id
        });
        let list = get(&w.app, "sanjiang", "/leads?status=0&soon=1").await;
        assert!(list.body.contains(&format!("href=\"/leads/{soon}\"")));
        assert!(!list.body.contains(&format!("href=\"/leads/{id}\"")));
        assert!(list.body.contains("还剩1天"));
        assert!(list.body.contains("共 1 条"), "{}", list.body);
        // the county, two levels up, sees its own work and the townships' overdue only
        let county = get(&w.app, "county", "/").await;
        assert!(!county.body.contains("风险线索待核实（村级）"));
        assert!(county.body.contains("县级审定"));
        outside(move || drop(w));
    }
}
