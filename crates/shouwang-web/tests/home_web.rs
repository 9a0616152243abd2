//! Each role's home page (首页) on every configured backend, as its user would notice it: the
//! village cadre's first screen is the month's to-do; the township and county see their
//! region's monitoring objects by type and state with figures equal to the records each links
//! to; the assistance person sees the paired households' visits due and no region figures; the
//! inspector sees figures but no work to do; the trends are SVG charts with text alternatives;
//! English leaks no Chinese label; no one lists another region's cases.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::Role;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, send, signed_in_users, today, with_two_villages, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// 桃红村's households (number, head's name): [new case at risk, eliminated case, no case]
    own: Vec<(String, String)>,
    /// 龙凤村's household with a case at risk
    other: (String, String),
}

fn head(members: &[shouwang_core::Member]) -> String {
    members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .map(|m| m.name.clone())
        .unwrap()
}

fn month() -> String {
    today().to_string()[..7].to_string()
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
                        ("admin", Role::Admin, "510821"),
                        ("county", Role::County, "510821"),
                        ("sanjiang", Role::Township, "510821108"),
                        ("taohong", Role::Village, TAOHONG),
                        ("helper", Role::AssistancePerson, TAOHONG),
                        ("inspector", Role::Inspector, "510821"),
                        ("dept", Role::Department, "510821"),
                        ("longfeng", Role::Village, LONGFENG),
                    ],
                );
                let of = |v: &str| -> Vec<(String, String)> {
                    data.iter()
                        .filter(|(h, _)| h.village.as_str() == v)
                        .map(|(h, m)| (h.household_no.clone(), head(m)))
                        .collect()
                };
                let own = of(TAOHONG);
                let other = of(LONGFENG).remove(0);
                let m = month();
                db.execute_unchecked(&format!(
                    "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                       VALUES ('510821', '{a}', 2, '0', '{m}', 1, 0, 0);
                     INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, elimination_kind, eliminated, created_at, updated_at)
                       VALUES ('510821', '{b}', 1, '0', '2025-01', 2, 1, '{m}', 0, 0);
                     INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                       VALUES ('510821', '{c}', 3, '0', '2025-06', 1, 0, 0);
                     INSERT INTO assistance_persons (county, position, name, username, created_at, updated_at)
                       VALUES ('510821', 3, '王帮扶', 'helper', 0, 0);
                     INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
                       SELECT '510821', id, '{a}', '{TAOHONG}', '2025-01-01', 'test', 0 FROM assistance_persons WHERE username = 'helper';",
                    a = own[0].0,
                    b = own[1].0,
                    c = other.0,
                ))
                .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, own, other }
            })
            .collect()
    })
}

/// The link of the tile or cell whose text follows `label` closest before it: `href="…"`.
fn href_before(body: &str, label: &str) -> String {
    let at = body
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {body}"));
    let start = body[..at].rfind("href=\"").unwrap() + 6;
    let end = start + body[start..].find('"').unwrap();
    body[start..end].replace("&amp;", "&").replace("&#38;", "&")
}

/// The figure of a tile: `<b>N</b><span>label</span>`.
fn tile(body: &str, label: &str) -> u64 {
    let at = body
        .find(&format!("<span>{label}</span>"))
        .unwrap_or_else(|| panic!("tile {label}"));
    let b = body[..at].rfind("<b>").unwrap() + 3;
    let e = b + body[b..].find("</b>").unwrap();
    body[b..e].parse().unwrap()
}

#[tokio::test]
async fn the_county_sees_its_figures_and_each_figure_lists_as_many_households_as_it_says() {
    for w in worlds() {
        let home = send(&w.app, "county", Method::GET, "/", &[], None).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let b = &home.body;
        let (households, persons) = outside(|| {
            w.db.store
                .count_in(&shouwang_core::RegionCode::parse("510821").unwrap())
                .unwrap()
        });
        assert_eq!(tile(b, "户") as i64, households);
        assert_eq!(tile(b, "人") as i64, persons);
        assert_eq!(tile(b, "监测对象（户）"), 3);
        assert_eq!(tile(b, "风险未消除"), 2);
        assert_eq!(tile(b, "风险已消除"), 1);
        assert_eq!(tile(b, "本月新识别"), 1);
        assert_eq!(tile(b, "本月消除"), 1);
        assert!(
            b.contains("脱贫不稳定户")
                && b.contains("边缘易致贫户")
                && b.contains("突发严重困难户")
        );
        // each figure's link lists exactly its households, by name
        for (label, n, names) in [
            (
                "<span>监测对象（户）</span>",
                3,
                vec![&w.own[0].1, &w.own[1].1, &w.other.1],
            ),
            ("<span>风险未消除</span>", 2, vec![&w.own[0].1, &w.other.1]),
            ("<span>本月新识别</span>", 1, vec![&w.own[0].1]),
            ("<span>本月消除</span>", 1, vec![&w.own[1].1]),
        ] {
            let href = href_before(b, label);
            assert!(href.starts_with("/home/cases?region=510821"), "{href}");
            let list = send(&w.app, "county", Method::GET, &href, &[], None).await;
            assert_eq!(list.status, StatusCode::OK, "{href}: {}", list.body);
            assert!(
                list.body.contains(&format!("共 {n} 户")),
                "{href}: {}",
                list.body
            );
            for name in names {
                assert!(list.body.contains(name.as_str()), "{name} in {href}");
            }
            assert!(list.body.contains("桃红村") || n == 1, "villages by name");
        }
        // the identification work and the trends are there; the charts carry their words
        assert!(b.contains("识别认定待办"));
        assert!(b.contains("近 12 个月趋势"));
        assert_eq!(b.matches("<svg class=\"chart").count(), 4);
        assert!(b.contains("role=\"img\"") && b.contains("<desc id=\"chart-identified-d\">"));
        assert!(b.contains("<details><summary>数据表</summary>"));
        assert!(
            b.contains(&format!("{}：1户", month())),
            "the month's new case in words"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_township_and_village_see_only_their_own_cases_and_the_village_starts_with_its_to_do() {
    for w in worlds() {
        let town = send(&w.app, "sanjiang", Method::GET, "/", &[], None).await;
        assert_eq!(town.status, StatusCode::OK);
        assert_eq!(
            tile(&town.body, "监测对象（户）"),
            2,
            "龙凤村's case is not 三江镇's"
        );
        let village = send(&w.app, "taohong", Method::GET, "/", &[], None).await;
        let b = &village.body;
        assert_eq!(tile(b, "监测对象（户）"), 2);
        let todo = b.find("本月待办").expect("the month's to-do");
        let figures = b.find("基本情况").expect("the figures");
        assert!(
            todo < figures,
            "a village cadre's first screen is the to-do"
        );
        assert!(!b.contains(&w.other.1), "nothing of another village");
        // another village's cases: not found; the own list: found
        let other = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/home/cases?region={LONGFENG}"),
            &[],
            None,
        )
        .await;
        assert!(
            matches!(other.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{}",
            other.status
        );
        let own = send(&w.app, "taohong", Method::GET, "/home/cases", &[], None).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains(&w.own[0].1) && !own.body.contains(&w.other.1));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_assistance_person_sees_the_visits_due_to_paired_households_and_no_region_figures() {
    for w in worlds() {
        let home = send(&w.app, "helper", Method::GET, "/", &[], None).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let b = &home.body;
        assert!(b.contains("走访待办"), "{b}");
        assert_eq!(tile(b, "结对帮扶户"), 1);
        assert_eq!(
            tile(b, "其中风险未消除"),
            1,
            "the paired household's case is at risk"
        );
        assert!(b.contains("风险未消除 · 上次"), "its state beside it");
        assert!(b.contains(&w.own[0].1), "the paired household by its head");
        assert!(b.contains(&format!("/visits/new?household={}", w.own[0].0)));
        assert!(
            !b.contains("基本情况") && !b.contains("<svg"),
            "no region figures"
        );
        assert!(!b.contains(&w.own[1].1), "no household not paired");
        let list = send(&w.app, "helper", Method::GET, "/home/cases", &[], None).await;
        assert_eq!(list.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_inspector_and_admin_see_the_figures_without_work_and_a_department_goes_to_its_data() {
    for w in worlds() {
        for user in ["inspector", "admin"] {
            let home = send(&w.app, user, Method::GET, "/", &[], None).await;
            assert_eq!(home.status, StatusCode::OK, "{user}");
            assert_eq!(tile(&home.body, "监测对象（户）"), 3, "{user}");
            assert!(!home.body.contains("本月待办"), "{user}");
            assert!(
                !home.body.contains("农户自主申报待处理"),
                "{user} handles no report"
            );
        }
        let dept = send(&w.app, "dept", Method::GET, "/", &[], None).await;
        assert_eq!(dept.status, StatusCode::SEE_OTHER);
        assert_eq!(dept.location, "/dept");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn in_english_the_home_page_says_it_all_in_english() {
    for w in worlds() {
        for user in ["county", "taohong", "helper"] {
            let home = send(&w.app, user, Method::GET, "/?lang=en", &[], None).await;
            assert_eq!(home.status, StatusCode::OK);
            let b = &home.body;
            for zh in [
                "基本情况",
                "风险未消除",
                "本月新识别",
                "每月新识别",
                "数据表",
                "走访待办",
                "户主",
                "近 12 个月",
                "本月待办",
                "其他待办",
            ] {
                assert!(!b.contains(zh), "{user}: {zh} leaks into English");
            }
        }
        let county = send(&w.app, "county", Method::GET, "/?lang=en", &[], None).await;
        assert!(county.body.contains("The region in figures"));
        assert!(county.body.contains("Newly identified each month"));
        let list = send(
            &w.app,
            "county",
            Method::GET,
            "/home/cases?lang=en&state=at-risk",
            &[],
            None,
        )
        .await;
        assert!(list.body.contains("risk not eliminated"), "{}", list.body);
        assert!(!list.body.contains("风险未消除"));
        outside(move || drop(w));
    }
}
