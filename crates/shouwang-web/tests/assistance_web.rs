//! 一户一策 through its pages, on every configured backend: a village cadre adds a measure and
//! sees it on the plan and the case page; each refusal (end before start, a negative or absurd
//! amount, a closed case, a stale form, an illegal state change) shows its reason, keeps what was
//! typed and writes nothing; another village gets 404, an inspector sees no form and may not
//! write; the flags page lists a household that trips each flag and not one that does not.

use axum::http::{Method, StatusCode};
use axum::Router;
use shouwang_core::assistance::{Measure, MeasureCategory, MeasureState};
use shouwang_core::calendar::WorkCalendar;
use shouwang_core::codes::Relation;
use shouwang_core::date::YearMonth;
use shouwang_core::identification::deadline::Deadlines;
use shouwang_core::identification::{GreenChannel, Identification};
use shouwang_core::lead::LeadSource;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::leads::NewLead;
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
use common::{outside, signed_in_users, today, with_two_villages, Answer, CSRF, LONGFENG, TAOHONG};

struct World {
    db: TestDb,
    app: Router,
    /// a case identified eight months ago without any measure (trips flags a and b)
    bare: (i64, String),
    /// a case identified eight months ago with an employment measure in place (trips neither)
    helped: (i64, String),
    /// a closed case (risk eliminated)
    closed: i64,
    /// a green-channel procedure long overdue, and its household's head
    green: (i64, String),
}

fn head(h: &(Household, Vec<Member>)) -> String {
    h.1.iter()
        .find(|m| m.relation == Relation::Head)
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

fn months_ago(n: i32) -> YearMonth {
    let t = today();
    let total = t.year() * 12 + i32::from(t.month()) - 1 - n;
    YearMonth::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8).unwrap()
}

fn measure(category: MeasureCategory, state: MeasureState) -> Measure {
    Measure {
        category,
        content: "介绍到县城工业园务工".into(),
        risk: Some(RiskType::Illness),
        start: today().add_days(-200),
        end: None,
        amount: None,
        unit: "县人社局".into(),
        responsible: "王五".into(),
        state,
        ended_on: None,
    }
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
                        ("sanjiang", Role::Township, "510821108"),
                        ("longfeng", Role::Village, LONGFENG),
                        ("inspector", Role::Inspector, "510821"),
                        ("county", Role::County, "510821"),
                    ],
                );
                let ours: Vec<_> = data
                    .iter()
                    .filter(|(h, _)| h.village.as_str() == TAOHONG)
                    .collect();
                assert!(ours.len() >= 4, "four households of 桃红村");
                // everyone in the first two households can work
                for (h, _) in &ours[..2] {
                    db.execute_unchecked(&format!(
                        "UPDATE members SET labour = 0, deceased_on = NULL WHERE household_no = '{}'",
                        h.household_no
                    ))
                    .unwrap();
                }
                let case = |h: &Household, status: CaseStatus| MonitoringCase {
                    household_no: h.household_no.clone(),
                    case_type: CaseType::MarginalAtRisk,
                    risks: vec![RiskType::Illness],
                    identified: months_ago(8),
                    status,
                    elimination: (status == CaseStatus::Eliminated)
                        .then(|| (EliminationKind::AfterAssistance, months_ago(1))),
                    whole_household_without_labour: false,
                };
                let county = RegionCode::parse("510821").unwrap();
                db.store
                    .bulk_cases(
                        &Actor::system("test"),
                        &county,
                        &[
                            case(&ours[0].0, CaseStatus::AtRisk),
                            case(&ours[1].0, CaseStatus::AtRisk),
                            case(&ours[2].0, CaseStatus::Eliminated),
                        ],
                        today(),
                        "test.cases",
                    )
                    .unwrap();
                let id_of = |h: &Household| {
                    db.store
                        .case_steps(&county, &h.household_no)
                        .unwrap()
                        .last()
                        .unwrap()
                        .case_id
                };
                let (bare, helped, closed) =
                    (id_of(&ours[0].0), id_of(&ours[1].0), id_of(&ours[2].0));
                db.store
                    .add_measure(
                        &Actor::system("test"),
                        helped,
                        0,
                        &measure(MeasureCategory::Employment, MeasureState::InPlace),
                    )
                    .unwrap();
                // a green-channel procedure opened 120 days ago
                let found = today().add_days(-120);
                let lead = db
                    .store
                    .raise_lead(
                        &Actor::system("test"),
                        &NewLead {
                            household_no: ours[3].0.household_no.clone(),
                            risk: RiskType::NaturalDisaster,
                            level: WarningLevel::Red,
                            source: LeadSource::CadreCheck,
                            found_on: found,
                            due_on: found.add_days(7),
                            note: "洪灾冲毁房屋".into(),
                        },
                    )
                    .unwrap();
                let mut ident = Identification::open(
                    found,
                    vec![RiskType::NaturalDisaster],
                    found,
                    &Deadlines::defaults(),
                    &WorkCalendar::default(),
                );
                ident.green_channel = Some(GreenChannel {
                    on: found,
                    reason: "洪灾".into(),
                });
                let p = db
                    .store
                    .open_identification(&Actor::system("test"), Role::Village, &[lead.id], &ident)
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    bare: (bare, head(ours[0])),
                    helped: (helped, head(ours[1])),
                    closed,
                    green: (p.id, head(ours[3])),
                    db,
                    app,
                }
            })
            .collect()
    })
}

impl World {
    async fn get(&self, user: &str, uri: &str) -> Answer {
        common::send(&self.app, user, Method::GET, uri, &[], None).await
    }

    async fn post(&self, user: &str, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = vec![("csrf", CSRF)];
        form.extend_from_slice(fields);
        common::send(&self.app, user, Method::POST, uri, &[], Some(&form)).await
    }

    fn plan_version(&self, case: i64) -> String {
        let store = self.db.store.clone();
        outside(move || store.plan_of_case(case).unwrap().version.to_string())
    }

    fn measures(&self, case: i64) -> Vec<shouwang_store::assistance::MeasureRecord> {
        let store = self.db.store.clone();
        outside(move || store.measures_of_case(case).unwrap())
    }

    fn events(&self, action: &str) -> i64 {
        let store = self.db.store.clone();
        let action = action.to_string();
        outside(move || store.count_events(&action).unwrap())
    }
}

fn day(offset: i64) -> String {
    today().add_days(offset).to_string()
}

/// The fields of the add form, with `over` replacing some.
fn fields<'a>(version: &'a str, over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = vec![
        ("category", "1"),
        ("content", "发放产业奖补资金用于养殖肉牛3头"),
        ("risk", "0"),
        ("start", "2026-03-01"),
        ("end", "2026-12-31"),
        ("amount", "6000"),
        ("unit", "乡农业服务中心"),
        ("responsible", "李四"),
        ("state", "1"),
        ("version", version),
    ];
    for (k, v) in over {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

#[tokio::test]
async fn a_village_cadre_adds_a_measure_and_sees_it_on_the_plan_and_the_case() {
    for w in worlds() {
        let (case, head) = &w.bare;
        let plan = format!("/cases/{case}/plan");
        let page = w.get("taohong", &plan).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(head.as_str()), "the head by name");
        assert!(page.body.contains("边缘易致贫户") && page.body.contains("因病"));
        assert!(
            page.body.contains(r#"id="measure-new""#) && page.body.contains(r#"id="measure-save""#)
        );
        assert!(page.body.contains("尚无帮扶措施"));
        assert!(
            page.body.contains("帮扶措施落实期限"),
            "the due date while none"
        );

        let added = w.events("measure.add");
        let a = w
            .post(
                "taohong",
                &format!("/cases/{case}/measures"),
                &fields("0", &[]),
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        assert_eq!(a.location, plan);
        assert!(
            a.flash().unwrap().zh.starts_with("已添加措施"),
            "{:?}",
            a.flash()
        );
        let page = common::follow(&w.app, "taohong", &a).await;
        assert!(page.body.contains("已添加措施"));
        for text in [
            "产业帮扶",
            "发放产业奖补资金用于养殖肉牛3头",
            "6,000.00",
            "乡农业服务中心",
            "李四",
            "计划实施",
            "2026-12-31",
        ] {
            assert!(page.body.contains(text), "{text}");
        }
        assert!(!page.body.contains("帮扶措施落实期限"), "no longer due");
        assert_eq!(w.events("measure.add"), added + 1);

        // the case page shows it briefly, with the link
        let casepage = w.get("taohong", &format!("/cases/{case}")).await;
        assert!(casepage.body.contains("发放产业奖补资金用于养殖肉牛3头"));
        assert!(casepage.body.contains(&plan));
        assert!(!casepage.body.contains("下一步：落实帮扶措施"));

        // the plan in words
        let v = w.plan_version(*case);
        let a = w
            .post(
                "taohong",
                &plan,
                &[("summary", "发展肉牛养殖，稳定务工"), ("version", &v)],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let page = common::follow(&w.app, "taohong", &a).await;
        assert!(
            page.body.contains("已保存帮扶思路") && page.body.contains("发展肉牛养殖，稳定务工")
        );

        // put in place, then ended: the end form, and the ended day shown
        let m = w.measures(*case).remove(0);
        let v = w.plan_version(*case);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}", m.id),
                &fields(&v, &[("state", "2")]),
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let v = w.plan_version(*case);
        let today = day(0);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}/end", m.id),
                &[("ended_on", &today), ("version", &v)],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let page = common::follow(&w.app, "taohong", &a).await;
        assert!(page.body.contains("已结束措施") && page.body.contains("已结束"));
        assert_eq!(
            (w.events("measure.update"), w.events("measure.end")),
            (1, 1)
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn each_refusal_shows_its_reason_keeps_the_form_and_writes_nothing() {
    for w in worlds() {
        let (case, _) = &w.bare;
        let url = format!("/cases/{case}/measures");
        let refusals: [(&[(&str, &str)], &str); 5] = [
            (
                &[("end", "2026-02-01"), ("content", "结束早于开始的措施")],
                "早于开始日期",
            ),
            (
                &[("amount", "-5"), ("content", "金额为负的措施")],
                "不能为负数",
            ),
            (
                &[("amount", "9000000"), ("content", "金额离谱的措施")],
                "超出合理范围",
            ),
            (
                &[("amount", "12.345"), ("content", "金额三位小数的措施")],
                "最多两位小数",
            ),
            (&[("content", "   ")], "须填写帮扶内容"),
        ];
        for (over, reason) in refusals {
            let a = w.post("taohong", &url, &fields("0", over)).await;
            assert_eq!(
                a.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{reason}: {}",
                a.body
            );
            assert!(a.body.contains(reason), "{reason}: {}", a.body);
            let typed = over.iter().find(|(k, _)| *k == "content").unwrap().1.trim();
            assert!(a.body.contains(typed), "what was typed is kept");
        }
        assert!(w.measures(*case).is_empty(), "nothing written");
        assert_eq!(w.events("measure.add"), 1, "only the one of the world");

        // a closed case: refused, no form shown
        let closed = format!("/cases/{}/measures", w.closed);
        let a = w.post("taohong", &closed, &fields("0", &[])).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        assert!(a.body.contains("不在帮扶中"), "{}", a.body);
        assert!(!a.body.contains(r#"id="measure-new""#));
        assert!(w.measures(w.closed).is_empty());

        // stale: a form read before someone else added a measure
        let ok = w.post("taohong", &url, &fields("0", &[])).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let a = w
            .post("taohong", &url, &fields("0", &[("content", "迟到的表单")]))
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT);
        assert!(
            a.body.contains("其他人刚刚修改了该户的帮扶计划"),
            "{}",
            a.body
        );
        assert_eq!(w.measures(*case).len(), 1);

        // an illegal state change: in place back to planned, an ended one ended again
        let m = w.measures(*case).remove(0);
        let v = w.plan_version(*case);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}", m.id),
                &fields(&v, &[("state", "2")]),
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
        let v = w.plan_version(*case);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}", m.id),
                &fields(&v, &[("state", "1")]),
            )
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        assert!(
            a.body.contains("不能从“已落实”变为“计划实施”"),
            "{}",
            a.body
        );
        // ending in the future, then before the start
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}/end", m.id),
                &[("ended_on", &day(3)), ("version", &v)],
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("之后"), "{}", a.body);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}/end", m.id),
                &[("ended_on", "2026-01-01"), ("version", &v)],
            )
            .await;
        assert!(a.body.contains("早于开始日期"), "{}", a.body);
        assert_eq!(
            w.measures(*case)[0].measure.state,
            MeasureState::InPlace,
            "nothing written"
        );
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}/end", m.id),
                &[("ended_on", &day(0)), ("version", &v)],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        let v = w.plan_version(*case);
        let a = w
            .post(
                "taohong",
                &format!("/measures/{}/end", m.id),
                &[("ended_on", &day(0)), ("version", &v)],
            )
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT);
        assert!(a.body.contains("不能从“已结束”变为“已结束”"), "{}", a.body);
        assert_eq!(w.events("measure.end"), 1);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn another_village_gets_404_and_an_inspector_reads_without_a_form() {
    for w in worlds() {
        let (case, head) = &w.bare;
        let plan = format!("/cases/{case}/plan");
        assert_eq!(w.get("longfeng", &plan).await.status, StatusCode::NOT_FOUND);
        let a = w
            .post(
                "longfeng",
                &format!("/cases/{case}/measures"),
                &fields("0", &[]),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let page = w.get("inspector", &plan).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(head.as_str()));
        assert!(!page.body.contains(r#"id="measure-new""#) && !page.body.contains("plan-form"));
        let a = w
            .post(
                "inspector",
                &format!("/cases/{case}/measures"),
                &fields("0", &[]),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        assert!(w.measures(*case).is_empty());
        // the township sees the page with the form
        let page = w.get("sanjiang", &plan).await;
        assert!(page.body.contains(r#"id="measure-new""#));
        // an unknown case
        assert_eq!(
            w.get("taohong", "/cases/999999/plan").await.status,
            StatusCode::NOT_FOUND
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_flags_page_lists_a_household_that_trips_each_flag_and_not_one_that_does_not() {
    for w in worlds() {
        let (bare, bare_head) = &w.bare;
        let (helped, helped_head) = &w.helped;
        let home = w.get("taohong", "/").await;
        assert!(home.body.contains("/assistance/flags"), "in the menu");

        let a = w.get("taohong", "/assistance/flags").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert!(
            a.body.contains(&format!("/cases/{bare}/plan")) && a.body.contains(bare_head.as_str())
        );
        assert!(
            !a.body.contains(&format!("/cases/{helped}/plan")),
            "{helped_head} has a measure"
        );
        assert!(a.body.contains("时限10天"), "{}", a.body);

        let a = w.get("taohong", "/assistance/flags?kind=2").await;
        assert!(
            a.body.contains(&format!("/cases/{bare}/plan")),
            "{}",
            a.body
        );
        assert!(
            !a.body.contains(&format!("/cases/{helped}/plan")),
            "an employment measure"
        );
        assert!(a.body.contains("时限6个月"));

        let a = w.get("taohong", "/assistance/flags?kind=3").await;
        assert!(
            a.body.contains(&format!("/identifications/{}", w.green.0)),
            "{}",
            a.body
        );
        assert!(a.body.contains(w.green.1.as_str()) && a.body.contains("已超期"));

        // the township sees its villages; another village sees none of 桃红村's
        let a = w.get("sanjiang", "/assistance/flags").await;
        assert!(a.body.contains(&format!("/cases/{bare}/plan")));
        let a = w.get("longfeng", "/assistance/flags").await;
        assert!(!a.body.contains(&format!("/cases/{bare}/plan")));
        assert_eq!(
            w.get("longfeng", &format!("/assistance/flags?region={TAOHONG}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            w.get("taohong", "/assistance/flags?kind=9").await.status,
            StatusCode::BAD_REQUEST
        );

        // in English
        let en = common::send(
            &w.app,
            "taohong",
            Method::GET,
            "/assistance/flags",
            &[format!("{}=en", shouwang_web::auth::LANG_COOKIE)],
            None,
        )
        .await;
        assert!(
            en.body.contains("no measure yet (limit 10 days)"),
            "{}",
            en.body
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_standards_page_shows_and_sets_the_development_income_and_visit_periods() {
    for w in worlds() {
        let year = today().year().to_string();
        let page = w.get("county", &format!("/standards?year={year}")).await;
        for label in [
            "开发式帮扶措施时限",
            "收入稳定期",
            "村党支部书记走访周期",
            "乡镇党委书记走访周期",
            "帮扶责任人走访周期",
            "家庭签约医生走访周期",
            "帮扶措施落实时限",
        ] {
            assert!(page.body.contains(label), "{label}");
        }
        let a = w
            .post(
                "county",
                "/standards",
                &[
                    ("region", "510821"),
                    ("year", &year),
                    ("development_months", "4"),
                    ("income_stable_months", "9"),
                    ("secretary_visit_months", "2"),
                    ("party_secretary_visit_months", "5"),
                    ("helper_visit_months", "3"),
                    ("doctor_visit_months", "2"),
                ],
            )
            .await;
        let shown = common::follow(&w.app, "county", &a).await;
        for (name, value) in [
            ("development_months", "4"),
            ("income_stable_months", "9"),
            ("party_secretary_visit_months", "5"),
            ("helper_visit_months", "3"),
        ] {
            assert!(
                shown
                    .body
                    .contains(&format!(r#"name="{name}" value="{value}""#)),
                "{name}: {}",
                shown.body
            );
        }
        assert!(shown.body.contains("9 个月"));
        // the flags count by the county's months now: four months after identification
        let a = w.get("taohong", "/assistance/flags?kind=2").await;
        assert!(a.body.contains("时限4个月"), "{}", a.body);
        let refused = w
            .post(
                "county",
                "/standards",
                &[
                    ("region", "510821"),
                    ("year", &year),
                    ("development_months", "99"),
                ],
            )
            .await;
        assert!(
            refused.body.contains("开发式帮扶措施时限"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(r#"value="99""#));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_case_from_a_procedure_counts_from_the_county_decision_day() {
    for w in worlds() {
        let store = w.db.store.clone();
        let case = outside(move || {
            signed_in_users(&store, &[("longfengzhen", Role::Township, "510821115")]);
            let id = |n: &str| store.user_by_name(n).unwrap().unwrap().id;
            let who = common::Identifiers {
                village: (id("longfeng"), "longfeng"),
                township: (id("longfengzhen"), "longfengzhen"),
                county: (id("county"), "county"),
            };
            let no = store
                .households_in(&RegionCode::parse(LONGFENG).unwrap(), 0, 1)
                .unwrap()
                .0[0]
                .household_no
                .clone();
            let p = common::open_procedure(&store, &who, &no, 20);
            common::include(&store, &who, p)
        });
        // decided eleven days ago: one day past the ten days for a first measure
        let decided = day(-11);
        let page = w.get("county", &format!("/cases/{case}/plan")).await;
        assert!(page.body.contains(&decided), "{}", page.body);
        assert!(page.body.contains(&day(-1)), "due the day after the tenth");
        let flags = w.get("county", "/assistance/flags").await;
        assert!(flags.body.contains(&format!("/cases/{case}/plan")));
        assert!(
            flags.body.contains(&format!("认定于{decided}，已过11天")),
            "{}",
            flags.body
        );
        outside(move || drop(w));
    }
}
