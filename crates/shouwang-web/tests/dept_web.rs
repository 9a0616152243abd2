//! 部门数据比对 in the browser, on every configured backend: the county uploads a 医保 file and
//! the batch page shows its counts and its alert; a 医保 department user sees only 医保 batches
//! and cannot open a 残联 one; a 残联 file uploaded as 医保 is refused as such and writes
//! nothing; an edited profile's header name is taken by the next upload, an emptied key column is
//! refused naming the column; a rollback needs its reason and then withdraws the alert; the
//! unmatched queue's resolve and dismiss are audited; a household on the 低保 roll and in
//! monitoring shows both; a lead shows the household's asset checks; a village cadre cannot
//! reach the department pages.

use axum::http::{header, Method, StatusCode};
use axum::Router;
use shouwang_core::codes::Relation;
use shouwang_core::date::YearMonth;
use shouwang_core::department::{AlertStatus, DeptKind, QueueStatus};
use shouwang_core::monitoring::{CaseStatus, CaseType, MonitoringCase, RiskType};
use shouwang_core::{Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::dept_reads::{AlertFilter, UnmatchedFilter};
use shouwang_store::testing::TestDb;
use shouwang_web::{router, AppState, WebConfig};

mod common;
mod openapi_check;
use common::{
    answer, follow, outside, send, signed_in_users, today, with_two_villages, Answer, CSRF,
    LONGFENG, TAOHONG,
};
use openapi_check::api_call;

const COUNTY: &str = "510821";

struct World {
    db: TestDb,
    app: Router,
    data: Vec<(Household, Vec<Member>)>,
}

fn county() -> RegionCode {
    RegionCode::parse(COUNTY).unwrap()
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
                        ("county", Role::County, COUNTY),
                        ("yibao", Role::Department, COUNTY),
                        ("taohong", Role::Village, TAOHONG),
                        ("sanjiang", Role::Township, "510821108"),
                    ],
                );
                let yibao = db.store.user_by_name("yibao").unwrap().unwrap();
                db.store
                    .set_role_and_kind(
                        &Actor::system("test"),
                        &yibao,
                        Role::Department,
                        &county(),
                        Some(DeptKind::Medical),
                    )
                    .unwrap();
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World { db, app, data }
            })
            .collect()
    })
}

/// The living members of the households of `village`: (household no, name, ID number).
fn members_of(w: &World, village: &str) -> Vec<(String, String, String)> {
    w.data
        .iter()
        .filter(|(h, _)| h.village.as_str() == village)
        .flat_map(|(h, ms)| {
            ms.iter()
                .filter(|m| m.deceased_on.is_none() && m.id_number.len() == 18)
                .map(|m| (h.household_no.clone(), m.name.clone(), m.id_number.clone()))
        })
        .collect()
}

/// The head of the first household of 桃红村: (household no, name, ID number).
fn a_head(w: &World) -> (String, String, String) {
    let (h, ms) = w
        .data
        .iter()
        .find(|(h, _)| h.village.as_str() == TAOHONG)
        .unwrap();
    let m = ms.iter().find(|m| m.relation == Relation::Head).unwrap();
    (h.household_no.clone(), m.name.clone(), m.id_number.clone())
}

/// A valid ID number no member has.
fn stranger_id() -> String {
    let first17 = b"11010119800101999";
    let c = shouwang_core::id_number::check_char(first17);
    format!("{}{}", std::str::from_utf8(first17).unwrap(), c as char)
}

/// Uploads `csv` as `file_name` through the page's multipart form (the CSRF token in the form,
/// as a browser without script sends it).
async fn upload(
    app: &Router,
    user: &str,
    kind: &str,
    period: &str,
    file_name: &str,
    csv: &str,
) -> Answer {
    upload_with(app, user, CSRF, kind, period, file_name, csv).await
}

async fn upload_with(
    app: &Router,
    user: &str,
    csrf: &str,
    kind: &str,
    period: &str,
    file_name: &str,
    csv: &str,
) -> Answer {
    use tower::ServiceExt;
    let b = "----swtestboundary7";
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("kind", kind), ("period", period)] {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{b}--\r\n"
    ));
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/dept/upload")
        .header(
            header::COOKIE,
            format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE),
        )
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={b}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    answer(app.clone().oneshot(req).await.unwrap()).await
}

async fn get(app: &Router, user: &str, uri: &str) -> Answer {
    send(app, user, Method::GET, uri, &[], None).await
}

async fn post(app: &Router, user: &str, uri: &str, form: &[(&str, &str)]) -> Answer {
    send(app, user, Method::POST, uri, &[], Some(form)).await
}

/// The batch id of a batch page's address.
fn batch_of(a: &Answer) -> i64 {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.location
        .strip_prefix("/dept/batches/")
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("not a batch page: {}", a.location))
}

/// A 医保 file: the head's 60,000 元 self-paid (far above any line), a stranger, an unreadable ID.
fn medical_csv(w: &World) -> String {
    let (_, name, id) = a_head(w);
    format!(
        "证件号码,姓名,结算日期,合规自付\n{id},{name},{},60000.00\n{},路人甲,{},120.00\nabc,无名,{},10\n",
        today(),
        stranger_id(),
        today(),
        today()
    )
}

fn disability_csv(w: &World) -> String {
    let (_, name, id) = &members_of(w, LONGFENG)[0];
    format!(
        "证件号码,姓名,残疾类别,残疾等级,办证日期\n{id},{name},肢体,一级,{}\n",
        today()
    )
}

#[tokio::test]
async fn a_county_upload_of_medical_costs_shows_its_counts_and_its_alert() {
    for w in worlds() {
        let csv = medical_csv(&w);
        let saved = upload(&w.app, "county", "medical", "", "yibao-2026-03.csv", &csv).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = follow(&w.app, "county", &saved).await;
        assert_eq!(page.status, StatusCode::OK);
        let flash = saved.flash().expect("a message");
        assert!(flash.zh.contains("已导入医保数据"), "{}", flash.zh);
        assert!(page.body.contains("yibao-2026-03.csv"));
        let (_, name, _) = a_head(&w);
        assert!(page.body.contains("D01"), "{}", page.body);
        assert!(page.body.contains(&name));
        assert!(page.body.contains("查无此人"), "the stranger is queued");
        assert!(page.body.contains("证件号码无效"), "the bad ID is queued");
        // the full ID number is never on the page
        assert!(!page.body.contains(&a_head(&w).2));
        let id = batch_of(&saved);
        let b = outside(|| w.db.store.dept_batch(id).unwrap().unwrap());
        assert_eq!(
            (b.rows, b.matched, b.unmatched, b.invalid, b.alerts),
            (3, 1, 1, 1, 1)
        );
        // the list of batches and the alerts page show it too
        let list = get(&w.app, "county", "/dept").await;
        assert!(list.body.contains("yibao-2026-03.csv"));
        let alerts = get(&w.app, "county", "/dept/alerts?kind=medical").await;
        assert!(alerts.body.contains(&name) && alerts.body.contains("D01"));
        // the same file again changes nothing
        let again = upload(&w.app, "county", "medical", "", "copy.csv", &csv).await;
        assert_eq!(batch_of(&again), id);
        assert!(again.flash().unwrap().zh.contains("未重复导入"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_department_user_sees_only_its_own_kind() {
    for w in worlds() {
        let med =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let dis = batch_of(
            &upload(
                &w.app,
                "county",
                "disability",
                "",
                "cl.csv",
                &disability_csv(&w),
            )
            .await,
        );
        // a department sees no registry: its first page is its data, without the search box
        let home = get(&w.app, "yibao", "/").await;
        assert_eq!(home.status, StatusCode::SEE_OTHER);
        assert_eq!(home.location, "/dept");
        let list = get(&w.app, "yibao", "/dept").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(
            list.body.contains("href=\"/dept\""),
            "the department user's menu"
        );
        assert!(
            !list.body.contains("action=\"/search\""),
            "no household search"
        );
        assert!(list.body.contains("m.csv"));
        assert!(!list.body.contains("cl.csv"));
        assert_eq!(
            get(&w.app, "yibao", &format!("/dept/batches/{med}"))
                .await
                .status,
            StatusCode::OK
        );
        for uri in [
            format!("/dept/batches/{dis}"),
            "/dept?kind=disability".to_string(),
            "/dept/profiles/disability".to_string(),
        ] {
            assert_eq!(
                get(&w.app, "yibao", &uri).await.status,
                StatusCode::NOT_FOUND,
                "{uri}"
            );
        }
        // the department user uploads its own kind, whatever the form says
        let own = upload(
            &w.app,
            "yibao",
            "disability",
            "",
            "y.csv",
            &medical_csv(&w).replace("60000.00", "60001.00"),
        )
        .await;
        let b = batch_of(&own);
        let rec = outside(|| w.db.store.dept_batch(b).unwrap().unwrap());
        assert_eq!(rec.kind, DeptKind::Medical);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_disability_file_uploaded_as_medical_is_refused_and_writes_nothing() {
    for w in worlds() {
        let a = upload(
            &w.app,
            "county",
            "medical",
            "",
            "cl.csv",
            &disability_csv(&w),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        assert!(a.body.contains("这是残联数据文件"), "{}", a.body);
        // the form is kept
        assert!(a.body.contains("name=\"file\""));
        let (rows, total) = outside(|| w.db.store.dept_batches(&county(), None, 10, 0).unwrap());
        assert!(rows.is_empty() && total == 0);
        // a bad period is refused too
        let p = upload(
            &w.app,
            "county",
            "medical",
            "2026-13",
            "m.csv",
            &medical_csv(&w),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("2026-13"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_edited_header_name_is_taken_and_an_emptied_key_column_is_refused() {
    for w in worlds() {
        let form = get(&w.app, "county", "/dept/profiles/medical").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("合规自付"));
        let saved = post(
            &w.app,
            "county",
            "/dept/profiles/medical",
            &[
                ("csrf", CSRF),
                ("version", "0"),
                ("h_self_paid", "本年自付合计、合规自付"),
            ],
        )
        .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let page = follow(&w.app, "county", &saved).await;
        assert!(page.body.contains("本年自付合计"));
        let csv = medical_csv(&w).replace("合规自付", "本年自付合计");
        let up = upload(&w.app, "county", "medical", "", "renamed.csv", &csv).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
        // the key column emptied: refused, naming it; the saved profile stays
        let bad = post(
            &w.app,
            "county",
            "/dept/profiles/medical",
            &[("csrf", CSRF), ("version", "1"), ("h_id_number", " ")],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(
            bad.body.contains("必需的“证件号码”列至少要有一个表头名称"),
            "{}",
            bad.body
        );
        let (edits, version) = outside(|| {
            w.db.store
                .dept_profile(&county(), DeptKind::Medical)
                .unwrap()
        });
        assert_eq!(version, 1);
        assert!(!edits
            .headers
            .contains_key(&shouwang_core::department::profile::Field::IdNumber));
        // a township may read the profiles but not change them
        let t = post(
            &w.app,
            "sanjiang",
            "/dept/profiles/medical",
            &[("csrf", CSRF), ("version", "1")],
        )
        .await;
        assert_eq!(t.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_rollback_needs_a_reason_and_withdraws_the_alert() {
    for w in worlds() {
        let id =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let uri = format!("/dept/batches/{id}/rollback");
        let no_reason = post(
            &w.app,
            "county",
            &uri,
            &[("csrf", CSRF), ("reason", ""), ("confirm", "1")],
        )
        .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains("须写明理由"), "{}", no_reason.body);
        let unconfirmed = post(
            &w.app,
            "county",
            &uri,
            &[("csrf", CSRF), ("reason", "文件期间错误")],
        )
        .await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        let done = post(
            &w.app,
            "county",
            &uri,
            &[("csrf", CSRF), ("reason", "文件期间错误"), ("confirm", "1")],
        )
        .await;
        let page = follow(&w.app, "county", &done).await;
        assert!(page.body.contains("已撤回"), "{}", page.body);
        assert!(page.body.contains("文件期间错误"));
        let (alerts, _) = outside(|| {
            w.db.store
                .dept_alerts(&AlertFilter {
                    status: None,
                    batch: Some(id),
                    ..AlertFilter::open(county())
                })
                .unwrap()
        });
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].status, AlertStatus::Withdrawn);
        // the withdrawn alert is gone from the open list and the form from the page
        assert!(!page.body.contains("撤回批次"));
        let twice = post(
            &w.app,
            "county",
            &uri,
            &[("csrf", CSRF), ("reason", "再次"), ("confirm", "1")],
        )
        .await;
        assert_ne!(twice.status, StatusCode::SEE_OTHER);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn resolving_and_dismissing_unmatched_rows_is_audited() {
    for w in worlds() {
        let id =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let queue = get(&w.app, "county", "/dept/unmatched").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains("路人甲"));
        let (rows, _) = outside(|| {
            w.db.store
                .dept_unmatched(&UnmatchedFilter {
                    batch: Some(id),
                    ..UnmatchedFilter::open(county())
                })
                .unwrap()
        });
        assert_eq!(rows.len(), 2);
        let (no, _, _) = a_head(&w);
        let first = format!("/dept/unmatched/{}/resolve", rows[0].id);
        // a household number the county does not have is refused
        let wrong = post(
            &w.app,
            "county",
            &first,
            &[("csrf", CSRF), ("household_no", "9999")],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("9999"));
        let ok = post(
            &w.app,
            "county",
            &first,
            &[
                ("csrf", CSRF),
                ("household_no", &no),
                ("note", "户籍已迁入"),
            ],
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let second = format!("/dept/unmatched/{}/dismiss", rows[1].id);
        let no_note = post(&w.app, "county", &second, &[("csrf", CSRF), ("note", "")]).await;
        assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
        let dismissed = post(
            &w.app,
            "county",
            &second,
            &[("csrf", CSRF), ("note", "非本县人员")],
        )
        .await;
        assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
        // handled once only
        let again = post(
            &w.app,
            "county",
            &second,
            &[("csrf", CSRF), ("note", "再次忽略")],
        )
        .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        let (resolved, dismissed_row, h1, h2) = outside(|| {
            let s = &w.db.store;
            (
                s.dept_unmatched_row(&county(), rows[0].id)
                    .unwrap()
                    .unwrap(),
                s.dept_unmatched_row(&county(), rows[1].id)
                    .unwrap()
                    .unwrap(),
                s.history("dept_unmatched", &rows[0].id.to_string(), 10)
                    .unwrap(),
                s.history("dept_unmatched", &rows[1].id.to_string(), 10)
                    .unwrap(),
            )
        });
        assert_eq!(resolved.status, QueueStatus::Resolved);
        assert_eq!(resolved.household_no.as_deref(), Some(no.as_str()));
        assert_eq!(dismissed_row.status, QueueStatus::Dismissed);
        assert_eq!(h1.len(), 1);
        assert_eq!(h1[0].action, "dept.unmatched.resolve");
        assert_eq!(h1[0].username, "county");
        assert_eq!(h2[0].action, "dept.unmatched.dismiss");
        // a department user may look at the queue but not handle it
        let dept = post(
            &w.app,
            "yibao",
            &first,
            &[("csrf", CSRF), ("household_no", &no)],
        )
        .await;
        assert_ne!(dept.status, StatusCode::SEE_OTHER);
        outside(move || drop(w));
    }
}

fn months_ago(n: i32) -> YearMonth {
    let t = today();
    let total = t.year() * 12 + i32::from(t.month()) - 1 - n;
    YearMonth::new(total.div_euclid(12), (total.rem_euclid(12) + 1) as u8).unwrap()
}

#[tokio::test]
async fn a_household_on_the_dibao_roll_and_in_monitoring_shows_both() {
    for w in worlds() {
        let (no, name, id) = a_head(&w);
        outside(|| {
            w.db.store
                .bulk_cases(
                    &Actor::system("test"),
                    &county(),
                    &[MonitoringCase {
                        household_no: no.clone(),
                        case_type: CaseType::MarginalAtRisk,
                        risks: vec![RiskType::Illness],
                        identified: months_ago(6),
                        status: CaseStatus::AtRisk,
                        elimination: None,
                        whole_household_without_labour: false,
                    }],
                    today(),
                    "test.cases",
                )
                .unwrap()
        });
        let since = months_ago(1);
        let csv = format!("证件号码,姓名,救助类型,起始月份\n{id},{name},低保,{since}\n");
        let up = upload(&w.app, "county", "dibao", "", "mz.csv", &csv).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
        let page = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("部门数据"), "{}", page.body);
        assert!(
            page.body.contains(&format!("低保（民政，{since}起）")),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("监测对象：边缘易致贫户"),
            "{}",
            page.body
        );
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_lead_shows_the_household_asset_checks_as_evidence() {
    for w in worlds() {
        let batch =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let (no, name, id) = a_head(&w);
        let assets = format!("证件号码,姓名,资产类型,说明\n{id},{name},车辆,小型轿车一辆\n");
        let up = upload(&w.app, "county", "assets", "", "zc.csv", &assets).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
        let (alerts, _) = outside(|| {
            w.db.store
                .dept_alerts(&AlertFilter {
                    batch: Some(batch),
                    ..AlertFilter::open(county())
                })
                .unwrap()
        });
        let lead = alerts[0].lead_id.expect("the alert raised a lead");
        let page = get(&w.app, "taohong", &format!("/leads/{lead}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page
            .body
            .contains("部门比对信息（供民主评议参考，不作为自动否决）"));
        assert!(page.body.contains("小型轿车一辆"), "{}", page.body);
        assert!(page.body.contains("D01"));
        // the household page shows the asset check as exclusion evidence
        let hh = get(&w.app, "taohong", &format!("/households/{no}")).await;
        assert!(hh.body.contains("资产核查（排除参考，不作为自动否决）"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_village_cadre_cannot_reach_the_department_pages() {
    for w in worlds() {
        for uri in [
            "/dept",
            "/dept/alerts",
            "/dept/unmatched",
            "/dept/upload",
            "/dept/profiles",
        ] {
            let a = get(&w.app, "taohong", uri).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let up = upload(&w.app, "taohong", "medical", "", "m.csv", &medical_csv(&w)).await;
        assert_eq!(up.status, StatusCode::FORBIDDEN);
        // a form without the session's CSRF token is refused before anything is read
        let forged = upload_with(
            &w.app,
            "county",
            "forged",
            "medical",
            "",
            "m.csv",
            &medical_csv(&w),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let (_, total) = outside(|| w.db.store.dept_batches(&county(), None, 10, 0).unwrap());
        assert_eq!(total, 0);
        // a township reads, but does not upload
        assert_eq!(
            get(&w.app, "sanjiang", "/dept").await.status,
            StatusCode::OK
        );
        assert_eq!(
            get(&w.app, "sanjiang", "/dept/upload").await.status,
            StatusCode::FORBIDDEN
        );
        // the menu offers 部门数据 to the county, not to the village
        assert!(get(&w.app, "county", "/")
            .await
            .body
            .contains("href=\"/dept\""));
        assert!(!get(&w.app, "taohong", "/")
            .await
            .body
            .contains("href=\"/dept\""));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_api_lists_batches_alerts_and_unmatched_rows_as_its_document_says() {
    for w in worlds() {
        let doc = openapi_check::document(&w.app).await;
        let backend = format!("{:?}", w.db.store.dialect());
        let med = batch_of(
            &upload(
                &w.app,
                "county",
                "medical",
                "2026-03",
                "m.csv",
                &medical_csv(&w),
            )
            .await,
        );
        let dis = batch_of(
            &upload(
                &w.app,
                "county",
                "disability",
                "",
                "cl.csv",
                &disability_csv(&w),
            )
            .await,
        );
        let call = |user: &'static str, path: &'static str, uri: String| {
            let (app, doc, backend) = (w.app.clone(), doc.clone(), backend.clone());
            async move { api_call(&app, &doc, &backend, user, Method::GET, path, &uri, None).await }
        };
        let list = call(
            "county",
            "/api/v1/dept/batches",
            "/api/v1/dept/batches".into(),
        )
        .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        assert_eq!(list.body["total"], 2);
        let one = call(
            "county",
            "/api/v1/dept/batches/{id}",
            format!("/api/v1/dept/batches/{med}"),
        )
        .await;
        assert_eq!(one.body["rows"], 3);
        assert_eq!(one.body["period"], "2026-03");
        let alerts = call(
            "county",
            "/api/v1/dept/alerts",
            "/api/v1/dept/alerts?kind=medical".into(),
        )
        .await;
        assert_eq!(alerts.status, StatusCode::OK, "{}", alerts.text);
        assert_eq!(alerts.body["alerts"][0]["rule"], "D01");
        assert!(alerts.body["alerts"][0]["id_number"]
            .as_str()
            .unwrap()
            .contains('*'));
        let queue = call(
            "county",
            "/api/v1/dept/unmatched",
            format!("/api/v1/dept/unmatched?batch={med}&reason=not_found"),
        )
        .await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
        assert_eq!(queue.body["total"], 1);
        // the 医保 department sees its own kind only
        let own = call(
            "yibao",
            "/api/v1/dept/batches",
            "/api/v1/dept/batches".into(),
        )
        .await;
        assert_eq!(own.body["total"], 1);
        let other = call(
            "yibao",
            "/api/v1/dept/batches/{id}",
            format!("/api/v1/dept/batches/{dis}"),
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        let other_kind = call(
            "yibao",
            "/api/v1/dept/alerts",
            "/api/v1/dept/alerts?kind=disability".into(),
        )
        .await;
        assert_eq!(other_kind.status, StatusCode::NOT_FOUND);
        // unknown parameters and values are refused; a village cadre may not read
        let bad = call(
            "county",
            "/api/v1/dept/alerts",
            "/api/v1/dept/alerts?level=purple".into(),
        )
        .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let village = call(
            "taohong",
            "/api/v1/dept/batches",
            "/api/v1/dept/batches".into(),
        )
        .await;
        assert_eq!(village.status, StatusCode::FORBIDDEN);
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_department_pages_speak_english_when_asked() {
    for w in worlds() {
        let id =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let (no, _, _) = a_head(&w);
        for uri in [
            "/dept?lang=en".to_string(),
            format!("/dept/batches/{id}?lang=en"),
            "/dept/alerts?lang=en".to_string(),
            "/dept/unmatched?lang=en".to_string(),
            "/dept/upload?lang=en".to_string(),
            "/dept/profiles?lang=en".to_string(),
            format!("/households/{no}?lang=en"),
        ] {
            let page = get(&w.app, "county", &uri).await;
            assert_eq!(page.status, StatusCode::OK, "{uri}");
            for word in [
                "部门数据",
                "批次",
                "未匹配",
                "撤回",
                "预警",
                "上传",
                "证件号码无效",
                "查无此人",
            ] {
                assert!(!page.body.contains(word), "{uri} shows {word}");
            }
        }
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn the_village_appraisal_shows_the_department_evidence_and_the_asset_checks() {
    use shouwang_core::identification::{Assets, Step, Verification};
    use shouwang_core::Fen;
    for w in worlds() {
        let batch =
            batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &medical_csv(&w)).await);
        let (_, name, id) = a_head(&w);
        let assets =
            format!("证件号码,姓名,资产类型,说明\n{id},{name},工商注册,个体工商户（已注销）\n");
        assert_eq!(
            upload(&w.app, "county", "assets", "", "zc.csv", &assets)
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let procedure = outside(|| {
            let st = &w.db.store;
            let (alerts, _) = st
                .dept_alerts(&AlertFilter {
                    batch: Some(batch),
                    ..AlertFilter::open(county())
                })
                .unwrap();
            let lead = alerts[0].lead_id.unwrap();
            let village = st.user_by_name("taohong").unwrap().unwrap();
            let acting = shouwang_app::identification::Acting {
                actor: Actor {
                    user_id: Some(village.id),
                    username: village.username.clone(),
                },
                role: Role::Village,
            };
            let opened = shouwang_app::identification::open(st, &acting, &[lead], today()).unwrap();
            let step = Step::Verify(Verification {
                on: today(),
                authorised_on: Some(today()),
                members: 3,
                income_12m: Fen::from_yuan(15_000),
                compulsory_education_secure: true,
                basic_medical_secure: false,
                housing_secure: true,
                drinking_water_secure: true,
                assets: Assets::default(),
                findings: "户主住院，自付医疗费较高".into(),
            });
            let version = st.identification(opened.id).unwrap().unwrap().version;
            shouwang_app::identification::take_step(
                st,
                &acting,
                opened.id,
                version,
                &step,
                today(),
            )
            .unwrap();
            opened.id
        });
        let page = get(&w.app, "taohong", &format!("/identifications/{procedure}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body
                .contains("部门比对信息（供民主评议参考，不作为自动否决）"),
            "{}",
            page.body
        );
        assert!(page.body.contains("个体工商户（已注销）"));
        assert!(page.body.contains("D01"));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn a_township_sees_the_alerts_of_its_own_villages_only() {
    for w in worlds() {
        let (_, name, id) = a_head(&w);
        let (_, far_name, far_id) = members_of(&w, LONGFENG)[0].clone();
        let csv = format!("证件号码,姓名,合规自付\n{id},{name},60000\n{far_id},{far_name},70000\n");
        let batch = batch_of(&upload(&w.app, "county", "medical", "", "m.csv", &csv).await);
        let county_page = get(&w.app, "county", "/dept/alerts").await;
        assert!(county_page.body.contains(&name) && county_page.body.contains(&far_name));
        let township = get(&w.app, "sanjiang", "/dept/alerts").await;
        assert_eq!(township.status, StatusCode::OK);
        assert!(township.body.contains(&name), "{}", township.body);
        assert!(!township.body.contains(&far_name));
        let page = get(&w.app, "sanjiang", &format!("/dept/batches/{batch}")).await;
        assert!(page.body.contains(&name) && !page.body.contains(&far_name));
        outside(move || drop(w));
    }
}

#[tokio::test]
async fn an_administrator_gives_a_department_user_its_kind() {
    for w in worlds() {
        outside(|| {
            signed_in_users(
                &w.db.store,
                &[
                    ("admin", Role::Admin, COUNTY),
                    ("canlian", Role::Inspector, COUNTY),
                ],
            )
        });
        let user = outside(|| w.db.store.user_by_name("canlian").unwrap().unwrap());
        let uri = format!("/admin/users/{}/role", user.id);
        let without = post(
            &w.app,
            "admin",
            &uri,
            &[
                ("csrf", CSRF),
                ("role", "department"),
                ("region", COUNTY),
                ("dept_kind", ""),
            ],
        )
        .await;
        assert_eq!(without.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(without.body.contains("部门用户须选择所属部门的数据种类"));
        let with = post(
            &w.app,
            "admin",
            &uri,
            &[
                ("csrf", CSRF),
                ("role", "department"),
                ("region", COUNTY),
                ("dept_kind", "disability"),
            ],
        )
        .await;
        assert_eq!(with.status, StatusCode::SEE_OTHER, "{}", with.body);
        let after = outside(|| w.db.store.user_by_name("canlian").unwrap().unwrap());
        assert_eq!(after.role, Role::Department);
        assert_eq!(after.dept_kind, Some(DeptKind::Disability));
        let users = get(&w.app, "admin", "/admin/users").await;
        assert!(users.body.contains("残联"));
        // the user now sees 残联 only, and no other kind
        assert_eq!(
            get(&w.app, "canlian", "/dept?kind=disability").await.status,
            StatusCode::OK
        );
        assert_eq!(
            get(&w.app, "canlian", "/dept?kind=medical").await.status,
            StatusCode::NOT_FOUND
        );
        // another role drops the kind
        let back = post(
            &w.app,
            "admin",
            &uri,
            &[
                ("csrf", CSRF),
                ("role", "inspector"),
                ("region", COUNTY),
                ("dept_kind", "disability"),
            ],
        )
        .await;
        assert_eq!(back.status, StatusCode::SEE_OTHER);
        assert_eq!(
            outside(|| w.db.store.user_by_name("canlian").unwrap().unwrap()).dept_kind,
            None
        );
        outside(move || drop(w));
    }
}
