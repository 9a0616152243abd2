//! The household record as a cadre meets it, on every configured backend: the household called
//! by its head's name, history in words, a message saying what was saved, forms that keep what
//! was typed, and a member who leaves kept with the reason and date.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;

use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_web::auth::token_hash;
use shouwang_web::{hash_password, router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// a household of 桃红村 with at least three members
    own: (Household, Vec<Member>),
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
                let data = generate(
                    &SynthConfig {
                        households: 12,
                        seed: 21,
                        today: today(),
                        county: RegionCode::parse("510821").unwrap(),
                    },
                    &villages,
                );
                db.store
                    .bulk_load(&Actor::system("test"), &data, "test.load")
                    .unwrap();
                let own = data
                    .iter()
                    .find(|(h, ms)| h.village.as_str() == TAOHONG && ms.len() >= 3)
                    .expect("a family of three in 桃红村")
                    .clone();
                signed_in_users(&db.store, &[("county", Role::County, "510821")]);
                // a village cadre whose display name differs from the username
                let hash = hash_password("correct horse").unwrap();
                db.store
                    .add_user(
                        &Actor::system("test"),
                        NewUser {
                            username: "taohong",
                            display_name: "李村干",
                            password_hash: &hash,
                            role: Role::Village,
                            region: &RegionCode::parse(TAOHONG).unwrap(),
                            must_change_password: false,
                        },
                    )
                    .unwrap();
                let user = db.store.user_by_name("taohong").unwrap().unwrap();
                db.store
                    .login_succeeded(&user, &token_hash("token-taohong"), CSRF)
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, own }
            })
            .collect()
    })
}

type Resp = common::Answer;

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    cookies: &[String],
    form: Option<&[(&str, &str)]>,
) -> Resp {
    common::send(app, "taohong", method, uri, cookies, form).await
}

async fn get(app: &Router, uri: &str) -> Resp {
    send(app, Method::GET, uri, &[], None).await
}

/// Follows a form's answer to the page it leads to, with the message it left.
async fn follow(app: &Router, r: &Resp) -> Resp {
    common::follow(app, "taohong", r).await
}

fn head(ms: &[Member]) -> &Member {
    ms.iter().find(|m| m.relation == Relation::Head).unwrap()
}

#[tokio::test]
async fn a_household_is_called_by_its_heads_name_with_village_and_group_under_its_places() {
    for w in worlds() {
        let (h, ms) = &w.own;
        let r = get(&w.app, &format!("/households/{}", h.household_no)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", w.db.name);
        let name = format!("{}家", head(ms).name);
        let group = if h.group.ends_with('组') {
            h.group.clone()
        } else {
            format!("{}组", h.group)
        };
        let title = format!("{name} · 桃红村 {group}");
        assert!(
            r.body.contains(&format!("<title>{title} · 守望</title>")),
            "{}",
            r.body
        );
        assert!(r.body.contains(&format!(
            "<h1>{title} <small>户编号 <span class=\"id\">{}</span>",
            h.household_no
        )));
        // 首页 › 桃红村 › 王秀英家: the village by its name, the household the last step
        assert!(r.body.contains(&format!(
            "<a href=\"/\">首页</a> › <a href=\"/regions/{TAOHONG}\">桃红村</a> › <span>{name}</span></nav>"
        )), "{}", r.body);
        // the forms sit under the household too
        let r = get(
            &w.app,
            &format!("/households/{}/members/1/edit", h.household_no),
        )
        .await;
        assert!(
            r.body.contains(&format!(
                "<a href=\"/households/{}\">{name}</a> › <span>编辑成员 {}</span>",
                h.household_no, ms[1].name
            )),
            "{}",
            r.body
        );
        assert!(r.body.contains("<fieldset><legend>基本信息</legend>"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn saving_a_member_says_what_was_saved_and_the_history_says_it_in_words_by_name() {
    for w in worlds() {
        let (h, ms) = &w.own;
        let no = &h.household_no;
        let m = &ms[1];
        let mut fields = shouwang_web_form(m);
        fields.retain(|(k, _)| *k != "migrant_months" && *k != "migrant_place");
        fields.push(("migrant_months", "10".into()));
        fields.push(("migrant_place", "广东东莞".into()));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = send(
            &w.app,
            Method::POST,
            &format!("/households/{no}/members/1/edit"),
            &[],
            Some(&pairs),
        )
        .await;
        assert_eq!(
            r.location,
            format!("/households/{no}"),
            "{}: {}",
            w.db.name,
            r.body
        );
        let page = follow(&w.app, &r).await;
        assert!(
            page.body
                .contains(&format!("✓ 已保存成员 {}的信息", m.name)),
            "{}",
            page.body
        );
        // the history: who by display name, the field by its Chinese name, old → new
        let history = &page.body[page.body.find("变更记录").unwrap()..];
        assert!(history.contains("<b>李村干</b> 修改"), "{history}");
        let old = if m.migrant_months == 0 {
            "0".to_string()
        } else {
            m.migrant_months.to_string()
        };
        assert!(
            history.contains(&format!("{} · 务工时间（月）: {old} → 10", m.name)),
            "{history}"
        );
        assert!(!history.contains("migrant_months"));
        assert!(!history.contains(">taohong<"));
        // the message is said once
        let again = get(&w.app, &format!("/households/{no}")).await;
        assert!(!again.body.contains("已保存成员"));
        outside(move || drop(w));
    }
}

/// The member form's fields for `m` as it is stored (ID number masked, as the form shows it).
fn shouwang_web_form(m: &Member) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("csrf", CSRF.to_string()),
        ("version", "1".to_string()),
        ("name", m.name.clone()),
        ("id_kind", "居民身份证".to_string()),
        ("id_number", m.id_number.clone()),
        ("relation", m.relation.label_zh().to_string()),
        ("resident_medical", "on".to_string()),
    ];
    match (m.education, m.schooling) {
        (Some(e), _) => v.push(("education", e.label_zh().to_string())),
        (_, Some(s)) => v.push(("schooling", s.label_zh().to_string())),
        _ => {}
    }
    if let Some(l) = m.labour {
        v.push(("labour", l.label_zh().to_string()));
    }
    for c in shouwang_core::codes::HealthCondition::ALL {
        let key = match c {
            shouwang_core::codes::HealthCondition::ChronicIllness => "h_chronic",
            shouwang_core::codes::HealthCondition::SeriousIllness => "h_serious",
            shouwang_core::codes::HealthCondition::Disabled => "h_disabled",
            _ => continue,
        };
        if m.health.has(*c) {
            v.push((key, "on".to_string()));
        }
    }
    v
}

#[tokio::test]
async fn a_refused_member_form_keeps_what_was_typed_and_names_each_problem_beside_it_and_on_top() {
    for w in worlds() {
        let (h, _) = &w.own;
        let no = &h.household_no;
        let r = send(
            &w.app,
            Method::POST,
            &format!("/households/{no}/members/new"),
            &[],
            Some(&[
                ("csrf", CSRF),
                ("version", "1"),
                ("name", "赵新人"),
                ("id_number", "510821199001011230"),
                ("relation", "之子"),
                ("ethnicity", "彝族"),
                ("migrant_place", "成都"),
                ("h_chronic", "on"),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", w.db.name);
        for kept in [
            "value=\"赵新人\"",
            "value=\"彝族\"",
            "value=\"成都\"",
            "value=\"510821199001011230\"",
        ] {
            assert!(r.body.contains(kept), "{kept} lost: {}", r.body);
        }
        assert!(r.body.contains("name=\"h_chronic\" value=\"on\" checked"));
        assert!(r.body.contains("<option value=\"之子\" selected>"));
        // the problem at the top and beside the ID number
        let top = r.body.find("请更正以下问题").expect("the list on top");
        let problem = "证件号码“510821199001011230”无效";
        let first = r.body.find(problem).expect("the problem named");
        assert!(first > top);
        assert!(
            r.body[first + problem.len()..].contains(&format!("<span class=\"err\">{problem}")),
            "{}",
            r.body
        );
        let rec = outside(|| w.db.store.household(no)).unwrap().unwrap();
        assert_eq!(rec.members.len(), w.own.1.len());
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_member_who_leaves_asks_a_reason_and_confirmation_and_is_kept_greyed_out_of_the_count() {
    for w in worlds() {
        let (h, ms) = &w.own;
        let no = &h.household_no;
        let idx = ms
            .iter()
            .position(|m| m.relation != Relation::Head)
            .unwrap();
        let leaver = &ms[idx];
        let uri = format!("/households/{no}/members/{idx}/leave");
        let village = RegionCode::parse(TAOHONG).unwrap();
        let persons = outside(|| w.db.store.count_in(&village)).unwrap().1;

        // the member form leads there; there is no deleting
        let form = get(&w.app, &format!("/households/{no}/members/{idx}/edit")).await;
        assert!(form.body.contains(&format!("href=\"{uri}\"")));
        assert!(!form.body.contains("/delete"));
        let page = get(&w.app, &uri).await;
        assert_eq!(page.status, StatusCode::OK);
        for reason in ["死亡", "迁出", "分户", "嫁出", "其他"] {
            assert!(
                page.body.contains(&format!(">{reason}</option>")),
                "{reason}"
            );
        }

        // no reason: refused beside the field and on top, the date kept
        let r = send(
            &w.app,
            Method::POST,
            &uri,
            &[],
            Some(&[("csrf", CSRF), ("version", "1"), ("on", "2026-10-01")]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body.matches("请选择减少原因").count(), 2, "{}", r.body);
        assert!(r.body.contains("value=\"2026-10-01\""));
        // a date after today is refused too
        let r = send(
            &w.app,
            Method::POST,
            &uri,
            &[],
            Some(&[
                ("csrf", CSRF),
                ("version", "1"),
                ("reason", "2"),
                ("on", "2099-01-01"),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("减少日期应在出生日期"), "{}", r.body);

        // complete: a confirmation naming the person, reason and date; nothing changed yet
        let chosen = [
            ("csrf", CSRF),
            ("version", "1"),
            ("reason", "2"),
            ("on", "2026-10-01"),
        ];
        let r = send(&w.app, Method::POST, &uri, &[], Some(&chosen)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("请确认"), "{}", r.body);
        assert!(r
            .body
            .contains(&format!("{}于2026-10-01因“迁出”离开本户", leaver.name)));
        assert!(r.body.contains("name=\"confirm\" value=\"yes\""));
        // going back keeps the choice
        let back = get(&w.app, &format!("{uri}?reason=2&on=2026-10-01")).await;
        assert!(back
            .body
            .contains("<option value=\"2\" selected>迁出</option>"));
        assert!(back.body.contains("value=\"2026-10-01\""));
        assert!(
            r.body
                .contains(&format!("href=\"{uri}?reason=2&amp;on=2026-10-01\"")),
            "{}",
            r.body
        );
        assert_eq!(
            outside(|| w.db.store.household(no))
                .unwrap()
                .unwrap()
                .members
                .len(),
            ms.len()
        );

        let mut confirmed = chosen.to_vec();
        confirmed.push(("confirm", "yes"));
        let r = send(&w.app, Method::POST, &uri, &[], Some(&confirmed)).await;
        let page = follow(&w.app, &r).await;
        assert!(
            page.body.contains(&format!(
                "✓ 已记录成员 {}离开本户（迁出，2026-10-01）",
                leaver.name
            )),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!("家庭成员 ({})", ms.len() - 1)));
        let left = &page.body[page.body.find("已离开成员 (1)").expect("the left members")..];
        assert!(left.contains(&format!(
            "<tr class=\"left\"><td><b>{}</b></td>",
            leaver.name
        )));
        assert!(left.contains(">迁出</td>") && left.contains(">2026-10-01</td>"));
        // counted no more, audited and in the history in words
        let alive = i64::from(leaver.deceased_on.is_none());
        assert_eq!(
            outside(|| w.db.store.count_in(&village)).unwrap().1,
            persons - alive
        );
        assert_eq!(
            outside(|| w.db.store.count_events("household.member_leave")).unwrap(),
            1
        );
        assert!(page.body.contains("<b>李村干</b> 成员减少"));
        assert!(page.body.contains("原因: 迁出 · 日期: 2026-10-01"));
        outside(move || drop(w));
    }
}
