//! The identification procedure through its pages, on every configured backend: a village
//! cadre verifies, appraises, publishes the notice (refused when too short), records and handles
//! an objection and submits; the township approves (a return without a reason is refused); the
//! county includes, and the monitoring case has its page. A township cannot take the village's
//! step, another village does not see the procedure at all, a stale form is told so. The public
//! notice, as a page and as xlsx, names the head and never an ID number or a phone.

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
use common::{outside, signed_in_users, today, with_two_villages, Answer, CSRF, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    own: (Household, Vec<Member>),
    /// the procedure opened on the household's lead found 20 days ago
    id: i64,
    /// another household of the village
    other: String,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let data = common::county_below_the_line(&db);
                let own = data
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap()
                    .clone();
                let ids = signed_in_users(
                    &db.store,
                    &[
                        ("taohong", Role::Village, TAOHONG),
                        ("sanjiang", Role::Township, "510821108"),
                        ("county", Role::County, "510821"),
                        ("longfeng", Role::Village, LONGFENG),
                    ],
                );
                let found = today().add_days(-20);
                let lead = db
                    .store
                    .raise_lead(
                        &Actor::system("test"),
                        &NewLead {
                            household_no: own.0.household_no.clone(),
                            risk: RiskType::Illness,
                            level: WarningLevel::Yellow,
                            source: LeadSource::CadreCheck,
                            found_on: found,
                            due_on: found.add_days(10),
                            note: "户主住院，自付费用高".into(),
                        },
                    )
                    .unwrap();
                let who = shouwang_app::identification::Acting {
                    actor: Actor {
                        user_id: Some(ids[0]),
                        username: "taohong".into(),
                    },
                    role: Role::Village,
                };
                let opened =
                    shouwang_app::identification::open(&db.store, &who, &[lead.id], today())
                        .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                let other = data
                    .iter()
                    .find(|(h, _)| {
                        h.village.as_str() == TAOHONG && h.household_no != own.0.household_no
                    })
                    .unwrap()
                    .0
                    .household_no
                    .clone();
                World {
                    other,
                    id: opened.id,
                    db,
                    app,
                    own,
                }
            })
            .collect()
    })
}

fn day(offset: i64) -> String {
    today().add_days(offset).to_string()
}

impl World {
    fn version(&self) -> String {
        let store = self.db.store.clone();
        let id = self.id;
        outside(move || {
            store
                .identification(id)
                .unwrap()
                .unwrap()
                .version
                .to_string()
        })
    }

    fn head(&self) -> String {
        self.own
            .1
            .iter()
            .find(|m| m.relation == Relation::Head)
            .unwrap()
            .name
            .clone()
    }

    /// Posts the step `kind` as `user` with the current version and `fields`.
    async fn step(&self, user: &str, kind: &str, fields: &[(&str, &str)]) -> Answer {
        let version = self.version();
        self.step_at(user, kind, &version, fields).await
    }

    async fn step_at(
        &self,
        user: &str,
        kind: &str,
        version: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let mut form: Vec<(&str, &str)> = vec![("csrf", CSRF), ("version", version)];
        form.extend_from_slice(fields);
        common::send(
            &self.app,
            user,
            Method::POST,
            &format!("/identifications/{}/steps/{kind}", self.id),
            &[],
            Some(&form),
        )
        .await
    }

    async fn get(&self, user: &str, uri: &str) -> Answer {
        common::send(&self.app, user, Method::GET, uri, &[], None).await
    }

    /// The step is taken: a 303 back to the procedure, which says what was done.
    async fn taken(&self, user: &str, kind: &str, fields: &[(&str, &str)]) -> Answer {
        let a = self.step(user, kind, fields).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{kind}: {}", a.body);
        let page = common::follow(&self.app, user, &a).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("已办理"), "{kind}: {}", page.body);
        page
    }
}

#[tokio::test]
async fn a_lead_becomes_a_monitoring_case_through_every_step_with_its_refusals() {
    for w in worlds() {
        let head = w.head();
        let path = format!("/identifications/{}", w.id);

        // the list: the head, the stage, overdue (verification was due 17 days ago)
        let list = w.get("taohong", "/identifications").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(&head), "{}", list.body);
        assert!(list.body.contains("入户核实"));
        assert!(list.body.contains("逾期"), "{}", list.body);
        let overdue = w.get("taohong", "/identifications?overdue=1").await;
        assert!(overdue.body.contains(&head));
        let later = w.get("taohong", "/identifications?stage=5").await;
        assert!(!later.body.contains(&head));

        // the page: the village cadre sees the form, the lead it came from, the term
        let page = w.get("taohong", &path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("steps/verify"));
        assert!(page.body.contains("/leads/"));
        assert!(page.body.contains("防止返贫致贫对象"));
        // another village does not see it at all, nor can it act
        assert_eq!(w.get("longfeng", &path).await.status, StatusCode::NOT_FOUND);
        let other = w
            .step(
                "longfeng",
                "verify",
                &[("on", &day(-19)), ("authorised_on", &day(-19))],
            )
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        // the township sees it without the village's form, and is refused the village's step
        let town = w.get("sanjiang", &path).await;
        assert_eq!(town.status, StatusCode::OK);
        assert!(!town.body.contains("steps/verify"));
        let refused = w
            .step(
                "sanjiang",
                "verify",
                &[
                    ("on", &day(-19)),
                    ("authorised_on", &day(-19)),
                    ("members", "3"),
                    ("findings", "核实属实"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("不能办理"), "{}", refused.body);

        // verification: without the signed authorisation, refused beside its field
        let v = [
            ("on", day(-19)),
            ("members", "3".into()),
            ("income_12m", "15000.50".into()),
            ("education", "1".into()),
            ("findings", "户主住院，自付医疗费较高".into()),
        ];
        let fields: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        let missing = w.step("taohong", "verify", &fields).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("授权承诺"), "{}", missing.body);
        let signed = day(-19);
        let mut with = fields.clone();
        with.push(("authorised_on", &signed));
        let page = w.taken("taohong", "verify", &with).await;
        assert!(
            page.body.contains("15,000.50") || page.body.contains("15000.50"),
            "{}",
            page.body
        );

        // a stale form: someone acted on the version this one was read at
        let stale = w
            .step_at("taohong", "appraise", "1", &[("on", &day(-18))])
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("已被他人办理"), "{}", stale.body);

        w.taken(
            "taohong",
            "appraise",
            &[
                ("on", &day(-18)),
                ("participants", "村两委、村民代表共11人"),
                ("result", "1"),
                ("minutes", "评议认为该户因病支出较大"),
                ("case_type", "2"),
                ("risk_0", "1"),
                ("level", "1"),
            ],
        )
        .await;

        // a notice too short is refused, naming the notice
        let short = w
            .step(
                "taohong",
                "notice",
                &[
                    ("start", &day(-18)),
                    ("end", &day(-16)),
                    ("contact", "村委会 0839-1234567"),
                ],
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.body.contains("公示3天"), "{}", short.body);
        let page = w
            .taken(
                "taohong",
                "notice",
                &[
                    ("start", &day(-18)),
                    ("end", &day(-14)),
                    ("contact", "村委会 0839-1234567"),
                ],
            )
            .await;
        let notice_link = format!("/villages/{TAOHONG}/notice?date=");
        assert!(page.body.contains(&notice_link), "{}", page.body);

        w.taken(
            "taohong",
            "objection",
            &[("on", &day(-15)), ("content", "邻居反映该户有货车")],
        )
        .await;
        // submitting with the objection open is refused
        let open = w.step("taohong", "submit", &[("on", &day(-13))]).await;
        assert_eq!(open.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(open.body.contains("异议尚未处理"), "{}", open.body);
        w.taken(
            "taohong",
            "handle",
            &[
                ("index", "0"),
                ("on", &day(-14)),
                ("text", "核实为农用车，不影响"),
            ],
        )
        .await;
        w.taken("taohong", "submit", &[("on", &day(-13))]).await;

        // the township: a return needs a reason
        let no_reason = w
            .step(
                "sanjiang",
                "return",
                &[("on", &day(-12)), ("to", "2"), ("reason", "")],
            )
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("退回理由"), "{}", no_reason.body);
        w.taken(
            "sanjiang",
            "approve",
            &[("on", &day(-12)), ("opinion", "材料齐全，同意上报")],
        )
        .await;

        // the county includes: the case exists and has its page
        let page = w
            .taken(
                "county",
                "decide",
                &[
                    ("on", &day(-11)),
                    ("include", "1"),
                    ("case_type", "2"),
                    ("risk_0", "1"),
                    ("level", "1"),
                    ("announcement", "旺乡振〔2026〕12号"),
                ],
            )
            .await;
        assert!(page.body.contains("已纳入监测"), "{}", page.body);
        let store = w.db.store.clone();
        let id = w.id;
        let case_id = outside(move || store.identification(id).unwrap().unwrap().case_id.unwrap());
        assert!(page.body.contains(&format!("/cases/{case_id}")));
        let case = w.get("taohong", &format!("/cases/{case_id}")).await;
        assert_eq!(case.status, StatusCode::OK, "{}", case.body);
        for word in [
            head.as_str(),
            "边缘易致贫户",
            "风险未消除",
            "因病",
            "县级审定",
            "旺乡振〔2026〕12号",
            "帮扶措施",
        ] {
            assert!(case.body.contains(word), "{word}: {}", case.body);
        }
        assert_eq!(
            w.get("longfeng", &format!("/cases/{case_id}")).await.status,
            StatusCode::NOT_FOUND
        );
        outside(move || drop(w));
    }
}

/// Every ID number and phone of the village's households: none may be on the notice.
fn identifiers(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    out.push(w.own.0.phone.clone());
    for m in &w.own.1 {
        out.push(m.id_number.clone());
        out.push(m.phone.clone());
    }
    out.retain(|x| x.len() >= 6);
    out
}

#[tokio::test]
async fn the_notice_names_the_head_and_no_id_number_or_phone_as_a_page_and_as_xlsx() {
    for w in worlds() {
        let head = w.head();
        w.taken(
            "taohong",
            "verify",
            &[
                ("on", &day(-19)),
                ("authorised_on", &day(-19)),
                ("members", "3"),
                ("findings", "户主住院，自付医疗费较高"),
            ],
        )
        .await;
        w.taken(
            "taohong",
            "appraise",
            &[
                ("on", &day(-18)),
                ("participants", "村两委、村民代表共11人"),
                ("result", "1"),
                ("minutes", "评议认为该户因病支出较大"),
                ("case_type", "2"),
                ("risk_0", "1"),
                ("level", "1"),
            ],
        )
        .await;
        w.taken(
            "taohong",
            "notice",
            &[
                ("start", &day(-3)),
                ("end", &day(1)),
                ("contact", "村委会办公室 张书记"),
            ],
        )
        .await;
        let ids = identifiers(&w);
        assert!(!ids.is_empty());
        let page = w
            .get("taohong", &format!("/villages/{TAOHONG}/notice"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        for word in [
            head.as_str(),
            "防止返贫致贫对象识别公示",
            "边缘易致贫户",
            "因病",
            "村委会办公室 张书记",
        ] {
            assert!(page.body.contains(word), "{word}: {}", page.body);
        }
        for m in w.own.1.iter().filter(|m| m.relation != Relation::Head) {
            assert!(
                !page.body.contains(&m.name) || head.contains(&m.name),
                "{} shown",
                m.name
            );
        }
        for id in &ids {
            assert!(!page.body.contains(id.as_str()), "{id} on the notice");
        }
        assert!(page
            .body
            .contains(r#"<link rel="stylesheet" href="/static/app.css">"#));
        assert!(!page.body.contains("<script"));
        // a day without a notice lists nobody
        let before = w
            .get(
                "taohong",
                &format!("/villages/{TAOHONG}/notice?date={}", day(-10)),
            )
            .await;
        assert!(!before.body.contains(&head));
        // the township and the county see it; another village does not
        assert_eq!(
            w.get("sanjiang", &format!("/villages/{TAOHONG}/notice"))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            w.get("longfeng", &format!("/villages/{TAOHONG}/notice"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let xlsx = w
            .get("taohong", &format!("/villages/{TAOHONG}/notice.xlsx"))
            .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        let cells = read_cells(&xlsx.bytes);
        let all = cells.join("\n");
        assert!(all.contains(&head), "{all}");
        assert!(all.contains("防止返贫致贫对象识别公示"), "{all}");
        assert!(all.contains("导出时间"), "{all}");
        for id in &ids {
            assert!(!all.contains(id.as_str()), "{id} in the xlsx");
            assert!(
                !xlsx.bytes.windows(id.len()).any(|win| win == id.as_bytes()),
                "{id} in the file's bytes"
            );
        }
        outside(move || drop(w));
    }
}

fn read_cells(bytes: &[u8]) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .collect()
}

/// A disaster's household: the township marks the green channel with its reason; the village
/// is not offered it, and a mark without a reason is refused.
#[tokio::test]
async fn the_green_channel_is_marked_by_the_township_with_its_reason() {
    for w in worlds() {
        let store = w.db.store.clone();
        let other = w.other.clone();
        let id = outside(move || {
            let ids: Vec<i64> = ["taohong", "sanjiang", "county"]
                .iter()
                .map(|u| store.user_by_name(u).unwrap().unwrap().id)
                .collect();
            let who = common::Identifiers {
                village: (ids[0], "taohong"),
                township: (ids[1], "sanjiang"),
                county: (ids[2], "county"),
            };
            common::open_procedure_on(&store, &who, &other, 3, RiskType::NaturalDisaster)
        });
        let path = format!("/identifications/{id}");
        let form = |version: String, reason: &str| {
            vec![
                ("csrf".to_string(), CSRF.to_string()),
                ("version".to_string(), version),
                ("on".to_string(), day(0)),
                ("reason".to_string(), reason.to_string()),
            ]
        };
        assert!(!w.get("taohong", &path).await.body.contains("steps/green"));
        assert!(w.get("sanjiang", &path).await.body.contains("steps/green"));
        let post = |fields: Vec<(String, String)>| {
            let app = w.app.clone();
            let uri = format!("{path}/steps/green");
            async move {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                common::send(&app, "sanjiang", Method::POST, &uri, &[], Some(&pairs)).await
            }
        };
        let version = {
            let store = w.db.store.clone();
            outside(move || {
                store
                    .identification(id)
                    .unwrap()
                    .unwrap()
                    .version
                    .to_string()
            })
        };
        let refused = post(form(version.clone(), "")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("理由"), "{}", refused.body);
        let done = post(form(version, "房屋被洪水冲毁，先行救助")).await;
        let page = common::follow(&w.app, "sanjiang", &done).await;
        assert!(
            page.body.contains("房屋被洪水冲毁，先行救助"),
            "{}",
            page.body
        );
        assert!(page.body.contains("绿色通道"));
        assert!(!page.body.contains("steps/green"), "marked once");
        let list = w.get("taohong", "/identifications").await;
        assert!(list.body.contains("class=\"green\""), "{}", list.body);
        outside(move || drop(w));
    }
}
