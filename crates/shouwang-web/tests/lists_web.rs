//! The lists a cadre works from — a village's households, search, the paired households — as
//! they read on the page: people by name, places by name, and nothing from outside the user's
//! region, on every configured backend.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::codes::Relation;
use shouwang_core::{Household, Member, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_web::auth::SESSION_COOKIE;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{county_below_the_line, outside, signed_in_users, with_two_villages};
use common::{LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    data: Vec<(Household, Vec<Member>)>,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = county_below_the_line(&db);
                let users = [
                    ("taohong", Role::Village, TAOHONG),
                    ("county", Role::County, "510821"),
                    ("helper", Role::AssistancePerson, TAOHONG),
                ];
                let ids = signed_in_users(&db.store, &users);
                let paired = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap();
                db.store
                    .pair(&Actor::system("test"), ids[2], &paired.0.household_no)
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, data }
            })
            .collect()
    })
}

async fn get(app: &Router, user: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri)
        .header(header::COOKIE, format!("{SESSION_COOKIE}=token-{user}"))
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The page after its search form.
fn results(body: &str) -> &str {
    let form = body.find("class=\"finder\"").expect("the search form");
    let end = body[form..].find("</form>").unwrap();
    &body[form + end..]
}

fn households_of<'a>(
    w: &'a World,
    village: &'a str,
) -> impl Iterator<Item = &'a (Household, Vec<Member>)> {
    w.data
        .iter()
        .filter(move |(h, _)| h.village.as_str() == village)
}

fn head(members: &[Member]) -> &Member {
    members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .unwrap()
}

#[tokio::test]
async fn a_village_cadre_finds_a_household_by_the_middle_of_a_name_or_the_last_id_digits_and_nothing_from_another_village(
) {
    for w in worlds() {
        let (own, members) = households_of(&w, TAOHONG).next().unwrap();
        let person = members
            .iter()
            .find(|m| m.name.chars().count() >= 2)
            .unwrap();
        let middle: String = person.name.chars().skip(1).take(1).collect();
        let (status, body) =
            get(&w.app, "taohong", &format!("/search?q={}", encode(&middle))).await;
        assert_eq!(status, StatusCode::OK, "{}", w.db.name);
        assert!(
            body.contains(&format!(">{}</a>", person.name)),
            "{}: {body}",
            w.db.name
        );
        assert!(body.contains(&format!("/households/{}", own.household_no)));
        assert!(
            body.contains("找到 "),
            "{}: the number of results",
            w.db.name
        );
        assert!(
            body.contains("桃红村"),
            "{}: the village by name",
            w.db.name
        );

        let tail = &person.id_number[person.id_number.len() - 4..];
        let (_, body) = get(&w.app, "taohong", &format!("/search?q={tail}")).await;
        assert!(
            body.contains(&format!(">{}</a>", person.name)),
            "{}: {body}",
            w.db.name
        );
        assert!(
            !body.contains(&person.id_number),
            "{}: the ID number is masked",
            w.db.name
        );

        // a person of 龙凤村, by the middle of their name and by their last digits: nothing of
        // theirs appears, and nothing says they exist
        for (other, others) in households_of(&w, LONGFENG) {
            let them = head(others);
            let middle: String = them.name.chars().skip(1).take(1).collect();
            let tail = &them.id_number[them.id_number.len() - 4..];
            for q in [
                encode(&middle),
                tail.to_string(),
                them.id_number.clone(),
                other.household_no.clone(),
            ] {
                let (status, body) = get(&w.app, "taohong", &format!("/search?q={q}")).await;
                assert_eq!(status, StatusCode::OK);
                // what follows the search box (the box and the title repeat the query)
                let body = results(&body);
                assert!(
                    !body.contains(&other.household_no),
                    "{}: {q} showed a household of 龙凤村",
                    w.db.name
                );
                assert!(!body.contains("龙凤"), "{}: {q} named 龙凤村", w.db.name);
            }
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_empty_search_lists_the_households_the_user_may_see() {
    for w in worlds() {
        let (_, body) = get(&w.app, "taohong", "/search").await;
        for (h, members) in households_of(&w, TAOHONG) {
            assert!(
                body.contains(&format!(">{}</a>", head(members).name)),
                "{}",
                w.db.name
            );
            assert!(body.contains(&h.household_no));
        }
        for (h, _) in households_of(&w, LONGFENG) {
            assert!(!body.contains(&h.household_no), "{}", w.db.name);
        }
        // the county sees both villages, each named
        let (_, body) = get(&w.app, "county", "/search").await;
        assert!(
            body.contains("三江镇 桃红村") && body.contains("龙凤镇 龙凤村"),
            "{}: {body}",
            w.db.name
        );
        // an assistance person sees their paired household only
        let (_, body) = get(&w.app, "helper", "/search").await;
        let mut own = households_of(&w, TAOHONG);
        let (paired, _) = own.next().unwrap();
        assert!(body.contains(&paired.household_no), "{}", w.db.name);
        for (h, _) in own {
            assert!(!body.contains(&h.household_no), "{}", w.db.name);
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_village_page_lists_households_by_their_heads_under_named_breadcrumbs() {
    for w in worlds() {
        let (status, body) = get(&w.app, "taohong", &format!("/regions/{TAOHONG}")).await;
        assert_eq!(status, StatusCode::OK, "{}", w.db.name);
        // the breadcrumbs name the township and the village, the page itself not a link
        let crumbs = body.split("class=\"crumbs\"").nth(1).unwrap();
        let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
        assert!(
            crumbs.contains("三江镇") && crumbs.contains("<span>桃红村</span>"),
            "{crumbs}"
        );
        for (h, members) in households_of(&w, TAOHONG) {
            let name = format!(">{}</a>", head(members).name);
            let at = body.find(&name).expect("the head's name");
            // the head's name comes first, the household number after it, small
            let no = body
                .find(&format!("<small class=\"code\">{}</small>", h.household_no))
                .expect("the household number");
            assert!(at < no, "{}", w.db.name);
        }
        assert!(body.contains("打印日期"), "the line said only on paper");
        // the county's page lists its townships by name, not by code alone
        let (_, body) = get(&w.app, "county", "/regions/510821").await;
        assert!(
            body.contains(">三江镇</a>") && body.contains(">龙凤镇</a>"),
            "{}",
            w.db.name
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_paired_page_shows_each_household_by_its_head_and_village() {
    for w in worlds() {
        let (paired, members) = households_of(&w, TAOHONG).next().unwrap();
        let (status, body) = get(&w.app, "helper", "/paired").await;
        assert_eq!(status, StatusCode::OK, "{}", w.db.name);
        assert!(
            body.contains(&format!(">{}</a>", head(members).name)),
            "{body}"
        );
        assert!(body.contains("桃红村"));
        assert!(body.contains(&format!("href=\"/households/{}\"", paired.household_no)));
        assert!(body.contains("共 1 户"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_page_number_past_the_end_shows_the_last_page() {
    for w in worlds() {
        for uri in [
            format!("/regions/{TAOHONG}?page=99"),
            "/search?page=18446744073709551615".to_string(),
            "/search?q=%E7%8E%8B&page=99".to_string(),
        ] {
            let (status, body) = get(&w.app, "taohong", &uri).await;
            assert_eq!(status, StatusCode::OK, "{}: {uri}", w.db.name);
            if !uri.contains("q=") {
                let (h, _) = households_of(&w, TAOHONG).next().unwrap();
                assert!(body.contains(&h.household_no), "{}: {uri}", w.db.name);
            }
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_village_list_can_be_had_on_one_page_to_print() {
    for w in worlds() {
        let (status, body) = get(&w.app, "taohong", &format!("/regions/{TAOHONG}?all=1")).await;
        assert_eq!(status, StatusCode::OK, "{}", w.db.name);
        for (h, _) in households_of(&w, TAOHONG) {
            assert!(body.contains(&h.household_no), "{}", w.db.name);
        }
        assert!(body.contains("返回分页列表"));
        outside(move || drop(w));
    }
}
