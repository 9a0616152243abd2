//! 农户自主申报 and the 一码申报 poster, on every configured backend, as a household on a phone
//! and a village cadre see them: the public form (no sign-in, no cookie, no script) sends a
//! report and answers a receipt; the status shows to the same mobile number only, and an
//! unknown pair reads the same as a wrong one; a report naming a living member of the village
//! raises a lead due two working days later (across a weekend), one naming nobody waits in the
//! village's queue, seen by its cadre and no other, with a script in it shown as text; the
//! limits per address and per ID number; a wrong or spent challenge and the honeypot refused
//! keeping what was typed; bad mobile and ID numbers named; the page under 30 KB with its
//! stylesheet; the poster's QR code, as drawn on the page, decodes to exactly the page's address.

use axum::http::{header, Method, StatusCode};
use axum::Router;
use shouwang_core::department::self_report::SelfReportForm;
use shouwang_core::department::SelfReportStatus;
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::RiskType;
use shouwang_core::{RegionCode, Role};
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};
use tower::ServiceExt;

mod common;
use common::{
    answer, outside, send, signed_in_users, today, with_two_villages, Answer, CSRF, LONGFENG,
    TAOHONG,
};

struct World {
    db: TestDb,
    app: Router,
    /// living members of 桃红村: (ID number, household number)
    own: Vec<(String, String)>,
    /// living members of 龙凤村
    other: Vec<(String, String)>,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let members = |v: &str| -> Vec<(String, String)> {
                    data.iter()
                        .filter(|(h, _)| h.village.as_str() == v)
                        .flat_map(|(h, ms)| {
                            ms.iter()
                                .filter(|m| m.deceased_on.is_none())
                                .filter(|m| {
                                    shouwang_core::id_number::IdNumber::parse(&m.id_number, today())
                                        .is_ok()
                                })
                                .map(|m| (m.id_number.clone(), h.household_no.clone()))
                        })
                        .collect()
                };
                let (own, other) = (members(TAOHONG), members(LONGFENG));
                assert!(own.len() >= 6 && other.len() >= 2, "enough members");
                signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("longfeng", Role::Village, LONGFENG),
                        ("helper", Role::AssistancePerson, TAOHONG),
                    ],
                );
                let config = WebConfig {
                    trust_proxy: true,
                    ..WebConfig::default()
                };
                let app = router(AppState::new(db.store.clone(), config));
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

/// A request from a phone at `addr`: no cookie, no CSRF token.
async fn public(
    app: &Router,
    method: Method,
    uri: &str,
    addr: &str,
    form: Option<&[(&str, &str)]>,
) -> Answer {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("x-forwarded-for", addr)
        .header(header::HOST, "fp.example.org");
    let body = match form {
        Some(pairs) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            axum::body::Body::from(serde_urlencoded::to_string(pairs).unwrap())
        }
        None => axum::body::Body::empty(),
    };
    answer(app.clone().oneshot(req.body(body).unwrap()).await.unwrap()).await
}

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {body}"))
        + start.len();
    let j = body[i..].find(end).unwrap() + i;
    &body[i..j]
}

/// The question's token and its answer, worked out from the question as a person would.
fn solve(body: &str) -> (String, String) {
    let q = between(body, "<span class=\"q\">", "</span>");
    let n: Vec<i64> = q.split(' ').filter_map(|w| w.parse().ok()).collect();
    let answer = if q.contains('加') || q.contains("plus") {
        n[0] + n[1]
    } else {
        n[0] - n[1]
    };
    let token = between(body, "name=\"token\" value=\"", "\"").to_string();
    (token, answer.to_string())
}

struct Report<'a> {
    village: &'a str,
    id: &'a str,
    mobile: &'a str,
    description: &'a str,
}

/// Opens the form of the report's village from `addr`, answers the question and sends it.
async fn send_report(app: &Router, addr: &str, r: &Report<'_>) -> Answer {
    send_report_with(app, addr, r, |_, _| {}).await
}

async fn send_report_with(
    app: &Router,
    addr: &str,
    r: &Report<'_>,
    tweak: impl FnOnce(&mut Vec<(&'static str, String)>, &str),
) -> Answer {
    let page = public(
        app,
        Method::GET,
        &format!("/report?village={}", r.village),
        addr,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (token, answer) = solve(&page.body);
    let risk = RiskType::Illness.code().to_string();
    let mut form: Vec<(&'static str, String)> = vec![
        ("village", r.village.into()),
        ("head_name", "王大山".into()),
        ("mobile", r.mobile.into()),
        ("id_number", r.id.into()),
        ("risk", risk),
        ("description", r.description.into()),
        ("answer", answer),
        ("token", token),
        ("website", String::new()),
    ];
    tweak(&mut form, &page.body);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    public(app, Method::POST, "/report", addr, Some(&pairs)).await
}

fn receipt_of(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    between(&a.body, "id=\"receipt\">", "<").to_string()
}

async fn status(app: &Router, addr: &str, receipt: &str, mobile: &str) -> Answer {
    public(
        app,
        Method::POST,
        "/report/status",
        addr,
        Some(&[("receipt", receipt), ("mobile", mobile)]),
    )
    .await
}

#[tokio::test]
async fn a_report_naming_a_member_raises_a_lead_and_its_status_shows_to_the_same_mobile_only() {
    for w in worlds() {
        let (id, household) = w.own[0].clone();
        let sent = send_report(
            &w.app,
            "203.0.113.1",
            &Report {
                village: TAOHONG,
                id: &id,
                mobile: "13800001234",
                description: "父亲住院，花费很大",
            },
        )
        .await;
        let receipt = receipt_of(&sent);
        assert!(receipt.starts_with("SB"), "{receipt}");
        assert!(sent.body.contains("村里2个工作日内核实"), "{}", sent.body);
        assert!(
            sent.cookies.is_empty(),
            "the public page sets no cookie: {:?}",
            sent.cookies
        );

        // the lead: 自主申报, yellow, due on the acceptance clock of the county's calendar
        let store = w.db.store.clone();
        let (rec, leads, due) = outside(move || {
            let rec = store.self_report_by_receipt(&receipt).unwrap().unwrap();
            let leads = store.leads_of_household(&household).unwrap();
            let cal = store
                .calendar_for(&RegionCode::parse("510821").unwrap())
                .unwrap();
            (rec, leads, cal.add_working_days(today(), 2))
        });
        assert_eq!(rec.status, SelfReportStatus::LeadRaised);
        let lead = leads
            .iter()
            .find(|l| Some(l.id) == rec.lead_id)
            .expect("the lead");
        assert_eq!(lead.source, LeadSource::SelfReport);
        assert_eq!(lead.due_on, due);
        assert_eq!(rec.due_on, due);
        assert!(lead.rules.is_empty());
        assert_ne!(rec.head_name, "", "kept");
        assert_eq!(rec.address.len(), 32, "a key, never the address");
        assert!(!rec.address.contains("203.0.113"));

        // the status: the same mobile sees it, with nothing that names a person
        let ok = status(
            &w.app,
            "203.0.113.1",
            &rec.receipt.to_lowercase(),
            "13800001234",
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        assert!(
            ok.body.contains("核实中") && ok.body.contains(&rec.receipt),
            "{}",
            ok.body
        );
        assert!(ok.body.contains(&due.to_string()));
        assert!(
            ok.body.contains("待核实"),
            "the lead's outcome so far: {}",
            ok.body
        );
        for secret in ["王大山", &rec.id_number, &lead.household_no, "父亲住院"] {
            assert!(
                !ok.body.contains(secret),
                "{secret} shown on the status page"
            );
        }
        // a wrong mobile and an unknown receipt read alike
        let wrong = status(&w.app, "203.0.113.1", &rec.receipt, "13800009999").await;
        let unknown = status(&w.app, "203.0.113.1", "SB20260101-XXXXXXXX", "13800001234").await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let said = |a: &Answer| between(&a.body, "role=\"alert\">", "<").to_string();
        assert_eq!(said(&wrong), said(&unknown));
        assert!(!wrong.body.contains("核实中"));
        // guessing from one address stops after ten failures
        for _ in 0..8 {
            status(&w.app, "203.0.113.1", "SB20260101-YYYYYYYY", "13800001234").await;
        }
        let blocked = status(&w.app, "203.0.113.1", &rec.receipt, "13800001234").await;
        assert_eq!(
            blocked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            blocked.body
        );
        assert!(blocked.body.contains("后再试"));
        let elsewhere = status(&w.app, "203.0.113.2", &rec.receipt, "13800001234").await;
        assert_eq!(elsewhere.status, StatusCode::OK);

        let store = w.db.store.clone();
        let events = outside(move || store.count_events("self_report.submit").unwrap());
        assert_eq!(events, 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_acceptance_clock_counts_working_days_across_a_weekend() {
    for w in worlds() {
        let store = w.db.store.clone();
        let (id, _) = w.own[1].clone();
        let (friday, receipt) = outside(move || {
            // the next Friday from today
            let mut friday = today();
            while friday.weekday() != 4 {
                friday = friday.add_days(1);
            }
            let form = SelfReportForm {
                head_name: "李四".into(),
                mobile: "13900001234".into(),
                id_number: id,
                village: TAOHONG.into(),
                risk: Some(RiskType::Schooling),
                description: "孩子上学费用高".into(),
            };
            let r = shouwang_app::self_report::submit(&store, &form, "k", friday, 42).unwrap();
            (friday, r)
        });
        assert_eq!(friday.weekday(), 4);
        assert_eq!(receipt.status, SelfReportStatus::LeadRaised);
        // Friday + 2 working days = Tuesday, unless the county's calendar says otherwise
        let store = w.db.store.clone();
        let cal = outside(move || {
            store
                .calendar_for(&RegionCode::parse("510821").unwrap())
                .unwrap()
        });
        let expected = cal.add_working_days(friday, 2);
        assert_eq!(receipt.due_on, expected);
        if (1..=4).all(|d| cal.is_working_day(friday.add_days(d)) == (d >= 3)) {
            assert_eq!(receipt.due_on, friday.add_days(4));
        }
        let store = w.db.store.clone();
        let lead = outside(move || store.lead(receipt.lead_id.unwrap()).unwrap().unwrap());
        assert_eq!(lead.due_on, expected);
        assert_eq!(lead.found_on, friday);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_report_naming_nobody_waits_in_its_villages_queue_with_its_script_as_text() {
    for w in worlds() {
        // a member of 龙凤村 reported for 桃红村: nobody living there has that number
        let (id, _) = w.other[0].clone();
        let script = "<script>alert('x')</script>房子漏雨";
        let sent = send_report(
            &w.app,
            "198.51.100.7",
            &Report {
                village: TAOHONG,
                id: &id,
                mobile: "13700001111",
                description: script,
            },
        )
        .await;
        let receipt = receipt_of(&sent);
        assert!(sent.body.contains("已受理"), "{}", sent.body);

        let cadre = send(&w.app, "taohong", Method::GET, "/self-reports", &[], None).await;
        assert_eq!(cadre.status, StatusCode::OK, "{}", cadre.body);
        assert!(cadre.body.contains(&receipt));
        assert!(
            cadre.body.contains("&lt;script&gt;") || cadre.body.contains("&#60;script&#62;"),
            "{}",
            cadre.body
        );
        assert!(
            !cadre.body.contains("<script>alert"),
            "the script is shown as text"
        );
        assert!(cadre.body.contains("自主申报"), "in the menu");
        let other = send(&w.app, "longfeng", Method::GET, "/self-reports", &[], None).await;
        assert_eq!(other.status, StatusCode::OK);
        assert!(
            !other.body.contains(&receipt),
            "another village's cadre does not see it"
        );
        let asked = send(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/self-reports?region={TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert_eq!(asked.status, StatusCode::NOT_FOUND);
        let helper = send(&w.app, "helper", Method::GET, "/self-reports", &[], None).await;
        assert_eq!(helper.status, StatusCode::FORBIDDEN);

        // handled with a note, by the village's cadre only, and only with its session's CSRF
        let store = w.db.store.clone();
        let r = receipt.clone();
        let rec = outside(move || store.self_report_by_receipt(&r).unwrap().unwrap());
        assert_eq!(rec.status, SelfReportStatus::Received);
        assert_eq!(rec.lead_id, None);
        let uri = format!("/self-reports/{}/handled", rec.id);
        let forged = public(
            &w.app,
            Method::POST,
            &uri,
            "198.51.100.7",
            Some(&[("note", "已核实")]),
        )
        .await;
        assert_eq!(
            forged.status,
            StatusCode::FORBIDDEN,
            "CSRF still guards the cadre's form"
        );
        let by_other = send(
            &w.app,
            "longfeng",
            Method::POST,
            &uri,
            &[],
            Some(&[("csrf", CSRF), ("note", "已核实")]),
        )
        .await;
        assert_eq!(by_other.status, StatusCode::NOT_FOUND);
        let no_note = send(
            &w.app,
            "taohong",
            Method::POST,
            &uri,
            &[],
            Some(&[("csrf", CSRF), ("note", " ")]),
        )
        .await;
        assert_eq!(
            no_note.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            no_note.body
        );
        let done = send(
            &w.app,
            "taohong",
            Method::POST,
            &uri,
            &[],
            Some(&[("csrf", CSRF), ("note", "已电话联系，系外村亲戚代报")]),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let after = send(&w.app, "taohong", Method::GET, "/self-reports", &[], None).await;
        assert!(!after.body.contains(&receipt));
        let st = status(&w.app, "198.51.100.7", &receipt, "13700001111").await;
        assert!(st.body.contains("已办结"), "{}", st.body);
        let store = w.db.store.clone();
        let events = outside(move || store.count_events("self_report.handle").unwrap());
        assert_eq!(events, 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn one_address_and_one_id_number_are_limited() {
    for w in worlds() {
        // five from one address in an hour, each a different person
        for (id, _) in w.own.iter().take(5) {
            let a = send_report(
                &w.app,
                "192.0.2.50",
                &Report {
                    village: TAOHONG,
                    id,
                    mobile: "13800001234",
                    description: "生病",
                },
            )
            .await;
            receipt_of(&a);
        }
        let sixth = send_report(
            &w.app,
            "192.0.2.50",
            &Report {
                village: TAOHONG,
                id: &w.own[5].0,
                mobile: "13800001234",
                description: "生病",
            },
        )
        .await;
        assert_eq!(
            sixth.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            sixth.body
        );
        assert!(
            sixth.body.contains("提交过于频繁") && sixth.body.contains("分钟后再试"),
            "{}",
            sixth.body
        );
        // three a day for one ID number, whatever the address
        let id = &w.other[1].0;
        for n in 0..3 {
            let a = send_report(
                &w.app,
                &format!("192.0.2.{}", 60 + n),
                &Report {
                    village: LONGFENG,
                    id,
                    mobile: "13800004321",
                    description: "受灾",
                },
            )
            .await;
            receipt_of(&a);
        }
        let fourth = send_report(
            &w.app,
            "192.0.2.70",
            &Report {
                village: LONGFENG,
                id,
                mobile: "13800004321",
                description: "受灾",
            },
        )
        .await;
        assert_eq!(
            fourth.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            fourth.body
        );
        assert!(fourth.body.contains("小时后再试"), "{}", fourth.body);
        let store = w.db.store.clone();
        let events = outside(move || store.count_events("self_report.submit").unwrap());
        assert_eq!(events, 8, "the refused ones wrote nothing");
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_wrong_or_spent_answer_and_the_honeypot_are_refused_keeping_the_form() {
    for w in worlds() {
        let id = w.own[0].0.clone();
        let r = Report {
            village: TAOHONG,
            id: &id,
            mobile: "13800001234",
            description: "家里失火",
        };
        let wrong = send_report_with(&w.app, "192.0.2.1", &r, |f, _| {
            let a = f.iter_mut().find(|(k, _)| *k == "answer").unwrap();
            a.1 = (a.1.parse::<i64>().unwrap() + 1).to_string();
        })
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );
        assert!(wrong.body.contains("验证问题回答不正确"));
        assert!(
            wrong.body.contains("value=\"王大山\"") && wrong.body.contains("家里失火"),
            "kept: {}",
            wrong.body
        );
        assert!(wrong.body.contains(&id));
        let honey = send_report_with(&w.app, "192.0.2.1", &r, |f, _| {
            f.iter_mut().find(|(k, _)| *k == "website").unwrap().1 = "http://spam".into();
        })
        .await;
        assert_eq!(honey.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(honey.body.contains("提交未通过校验"));
        // a token answers once: the same form sent twice is one report
        let page = public(
            &w.app,
            Method::GET,
            &format!("/report?village={TAOHONG}"),
            "192.0.2.1",
            None,
        )
        .await;
        let (token, answer) = solve(&page.body);
        let risk = RiskType::Illness.code().to_string();
        let form = [
            ("village", TAOHONG),
            ("head_name", "王大山"),
            ("mobile", "13800001234"),
            ("id_number", id.as_str()),
            ("risk", risk.as_str()),
            ("description", "家里失火"),
            ("answer", answer.as_str()),
            ("token", token.as_str()),
        ];
        let first = public(&w.app, Method::POST, "/report", "192.0.2.1", Some(&form)).await;
        receipt_of(&first);
        let again = public(&w.app, Method::POST, "/report", "192.0.2.1", Some(&form)).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        let store = w.db.store.clone();
        assert_eq!(
            outside(move || store.count_events("self_report.submit").unwrap()),
            1
        );
        // a bad mobile and a bad ID number, each named
        let bad = send_report_with(&w.app, "192.0.2.2", &r, |f, _| {
            f.iter_mut().find(|(k, _)| *k == "mobile").unwrap().1 = "2380000123".into();
            let idf = f.iter_mut().find(|(k, _)| *k == "id_number").unwrap();
            let mut wrong_check = idf.1.clone();
            let last = wrong_check.pop().unwrap();
            wrong_check.push(if last == '1' { '2' } else { '1' });
            idf.1 = wrong_check;
        })
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("手机号码须为11位数字"), "{}", bad.body);
        assert!(bad.body.contains("身份证号无效"), "{}", bad.body);
        assert!(bad.body.contains("name=\"mobile\" aria-invalid=\"true\""));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_page_is_small_chinese_first_and_has_an_english_switch() {
    for w in worlds() {
        let page = public(
            &w.app,
            Method::GET,
            &format!("/report?village={TAOHONG}"),
            "192.0.2.9",
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("<html lang=\"zh-CN\">") || page.body.contains("lang=\"zh"),
            "{}",
            &page.body[..200]
        );
        assert!(
            page.body.contains("三江镇 桃红村"),
            "the village chosen by the code: {}",
            page.body
        );
        assert!(
            page.body.contains("pattern=\"1[0-9]{10}\"")
                && page.body.contains("inputmode=\"numeric\"")
        );
        assert!(!page.body.contains("<script"), "no script");
        let css = public(&w.app, Method::GET, "/static/report.css", "192.0.2.9", None).await;
        assert_eq!(css.status, StatusCode::OK);
        let total = page.bytes.len() + css.bytes.len();
        assert!(total < 30 * 1024, "page and stylesheet: {total} bytes");
        eprintln!("the report form and its stylesheet: {total} bytes");
        let en = public(
            &w.app,
            Method::GET,
            &format!("/report?lang=en&village={TAOHONG}"),
            "192.0.2.9",
            None,
        )
        .await;
        assert!(en.body.contains("Household self-report"));
        assert!(en.body.contains("action=\"/report?lang=en\""));
        // the two steps without the code: townships of the county, then its villages
        let first = public(&w.app, Method::GET, "/report", "192.0.2.9", None).await;
        assert!(
            first.body.contains("<optgroup label=\"旺苍县\">")
                && first.body.contains("value=\"510821108\""),
            "{}",
            first.body
        );
        let second = public(
            &w.app,
            Method::GET,
            "/report?township=510821108",
            "192.0.2.9",
            None,
        )
        .await;
        assert!(
            second
                .body
                .contains(&format!("<option value=\"{TAOHONG}\">桃红村</option>")),
            "{}",
            second.body
        );
        // a township of 300 villages still fits
        let store = w.db.store.clone();
        outside(move || {
            let mut regions = vec![shouwang_core::Region {
                code: RegionCode::parse("510821199").unwrap(),
                name: "大山镇".into(),
            }];
            regions.extend((1..=300).map(|i| shouwang_core::Region {
                code: RegionCode::parse(&format!("510821199{i:03}")).unwrap(),
                name: format!("第{i}村村民委员会"),
            }));
            store.import_regions(regions).unwrap();
        });
        let big = public(
            &w.app,
            Method::GET,
            "/report?township=510821199",
            "192.0.2.9",
            None,
        )
        .await;
        assert!(big
            .body
            .contains("<option value=\"510821199300\">第300村</option>"));
        let total = big.bytes.len() + css.bytes.len();
        eprintln!("a township of 300 villages: {total} bytes");
        assert!(total < 30 * 1024, "300 villages: {total} bytes");
        // an unknown village is refused by name
        let store_ok = send_report(
            &w.app,
            "192.0.2.9",
            &Report {
                village: "510821108999",
                id: &w.own[0].0,
                mobile: "13800001234",
                description: "生病",
            },
        )
        .await;
        assert_eq!(store_ok.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(store_ok.body.contains("请选择所在村"));
        outside(move || drop(w));
    }
}

/// The dark modules of the SVG's path (`M{x} {y}h{n}v1h-{n}z` runs) on a grid of `size`.
fn modules_of(svg: &str) -> Vec<Vec<bool>> {
    let size: usize = between(svg, "viewBox=\"0 0 ", " ").parse().unwrap();
    let mut grid = vec![vec![false; size]; size];
    let d = between(svg, "<path fill=\"#000\" d=\"", "\"");
    for run in d.split('z').filter(|r| !r.is_empty()) {
        let run = run.strip_prefix('M').unwrap();
        let (x, rest) = run.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let n = rest.split('v').next().unwrap();
        let (x, y, n): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        for cell in &mut grid[y][x..x + n] {
            *cell = true;
        }
    }
    grid
}

/// Decodes a module grid (with its quiet zone) drawn 4 pixels a module.
fn decode(grid: &[Vec<bool>]) -> String {
    let scale = 4;
    let size = grid.len() * scale;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        if grid[y / scale][x / scale] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn the_posters_qr_code_opens_the_villages_form() {
    for w in worlds() {
        let a = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/regions/{TAOHONG}/poster"),
            &[],
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        // the test router is reached at no host: the default is localhost
        let url = between(&a.body, "id=\"poster-url\">", "<").to_string();
        assert_eq!(url, format!("http://localhost/report?village={TAOHONG}"));
        assert!(
            a.body.contains("一码申报 · 防止返贫致贫")
                && a.body.contains("桃红村")
                && a.body.contains("三江镇")
                && a.body.contains("旺苍县")
        );
        let svg = between(&a.body, "<svg", "</svg>");
        assert_eq!(decode(&modules_of(svg)), url, "the drawn code");
        // the matrix itself, with a quiet zone
        let m = shouwang_web::qr::matrix(&url).unwrap();
        let mut framed = vec![vec![false; m.len() + 8]; m.len() + 8];
        for (y, row) in m.iter().enumerate() {
            framed[y + 4][4..4 + row.len()].copy_from_slice(row);
        }
        assert_eq!(decode(&framed), url);
        // the region page links it; another village's cadre and an assistance person cannot print it
        let region = send(
            &w.app,
            "taohong",
            Method::GET,
            &format!("/regions/{TAOHONG}"),
            &[],
            None,
        )
        .await;
        assert!(region.body.contains(&format!("/regions/{TAOHONG}/poster")));
        let other = send(
            &w.app,
            "longfeng",
            Method::GET,
            &format!("/regions/{TAOHONG}/poster"),
            &[],
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let helper = send(
            &w.app,
            "helper",
            Method::GET,
            &format!("/regions/{TAOHONG}/poster"),
            &[],
            None,
        )
        .await;
        assert_ne!(helper.status, StatusCode::OK);
        let township = send(
            &w.app,
            "taohong",
            Method::GET,
            "/regions/510821108/poster",
            &[],
            None,
        )
        .await;
        assert_eq!(
            township.status,
            StatusCode::NOT_FOUND,
            "a poster is a village's"
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_configured_public_address_is_the_posters() {
    let mut all = worlds();
    let w = all.remove(0);
    outside(move || drop(all));
    let config = WebConfig {
        public_url: Some("https://fp.example.gov.cn/".into()),
        ..WebConfig::default()
    };
    let app = router(AppState::new(w.db.store.clone(), config));
    let a = send(
        &app,
        "taohong",
        Method::GET,
        &format!("/regions/{TAOHONG}/poster"),
        &[],
        None,
    )
    .await;
    let url = between(&a.body, "id=\"poster-url\">", "<").to_string();
    assert_eq!(
        url,
        format!("https://fp.example.gov.cn/report?village={TAOHONG}")
    );
    let svg = between(&a.body, "<svg", "</svg>");
    assert_eq!(decode(&modules_of(svg)), url);
    outside(move || drop((w, app)));
}
