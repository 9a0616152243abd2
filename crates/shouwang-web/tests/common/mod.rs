//! What the web test suites share: the two villages of the scope tests, signed-in users, and
//! running store calls off the async thread.
#![allow(dead_code)] // each test crate uses its own part

use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode, Role};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::Store;
use shouwang_web::auth::token_hash;
use shouwang_web::hash_password;

/// 三江镇桃红村: the village cadre's own village.
pub const TAOHONG: &str = "510821108212";
/// 龙凤镇龙凤村: a village outside the cadre's region.
pub const LONGFENG: &str = "510821115200";
pub const CSRF: &str = "test-csrf-token";

pub fn today() -> Date {
    Date::from_unix_seconds_china(shouwang_store::now())
}

/// PostgreSQL's sync client must not run (or be dropped) on an async thread.
pub fn outside<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The two townships and villages the scope tests need, on top of the county.
pub fn with_two_villages(db: TestDb) -> TestDb {
    db.with_regions(&[
        ("510821108", "三江镇"),
        (TAOHONG, "桃红村村民委员会"),
        ("510821115", "龙凤镇"),
        (LONGFENG, "龙凤村村民委员会"),
    ])
}

/// Eight synthetic households over the two villages, the province's standard of this year
/// (8,700 元), and a year's income far below the line for every household, so that a screening
/// run raises warnings and leads. Returns the households loaded.
pub fn county_below_the_line(db: &TestDb) -> Vec<(Household, Vec<Member>)> {
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: RegionCode::parse(c).unwrap(),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 8,
            seed: 5,
            today: today(),
            county: RegionCode::parse("510821").unwrap(),
        },
        &villages,
    );
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
    let year = today().year();
    db.store
        .save_standard(
            &Actor::system("test"),
            &Standard::provincial(year, RegionCode::parse("51").unwrap(), Fen::from_yuan(8700)),
        )
        .unwrap();
    let incomes: Vec<_> = data
        .iter()
        .map(|(h, _)| {
            let i = Income {
                wages: Fen::from_yuan(1_000),
                ..Income::empty(IncomePeriod::year(year))
            };
            ("510821".to_string(), h.household_no.clone(), i)
        })
        .collect();
    db.store
        .bulk_ledger(&Actor::system("test"), &incomes, &[], "test.ledger")
        .unwrap();
    data
}

/// Adds the users, each signed in with the session cookie `token-{name}` and [`CSRF`]; returns
/// their ids in the same order.
pub fn signed_in_users(store: &Store, users: &[(&str, Role, &str)]) -> Vec<i64> {
    let hash = hash_password("correct horse").unwrap();
    users
        .iter()
        .map(|&(name, role, region)| {
            let region = RegionCode::parse(region).unwrap();
            let id = store
                .add_user(
                    &Actor::system("test"),
                    NewUser {
                        username: name,
                        display_name: name,
                        password_hash: &hash,
                        role,
                        region: &region,
                        must_change_password: false,
                    },
                )
                .unwrap();
            let user = store.user_by_name(name).unwrap().unwrap();
            store
                .login_succeeded(&user, &token_hash(&format!("token-{name}")), CSRF)
                .unwrap();
            id
        })
        .collect()
}

/// What a page answered, as a browser sees it.
pub struct Answer {
    pub status: axum::http::StatusCode,
    pub body: String,
    pub bytes: Vec<u8>,
    pub location: String,
    /// `name=value` of each cookie the answer set
    pub cookies: Vec<String>,
}

impl Answer {
    /// The one-shot message a saved form left for the next page.
    pub fn flash(&self) -> Option<shouwang_web::auth::Flash> {
        let prefix = format!("{}=", shouwang_web::auth::FLASH_COOKIE);
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix(&prefix))
            .and_then(shouwang_web::auth::Flash::decode)
    }
}

/// One request as `user` (the session `token-{user}` of [`signed_in_users`]) with the CSRF
/// token, any further cookies, and a form when given.
pub async fn send(
    app: &axum::Router,
    user: &str,
    method: axum::http::Method,
    uri: &str,
    cookies: &[String],
    form: Option<&[(&str, &str)]>,
) -> Answer {
    use axum::http::header;
    use tower::ServiceExt;
    let mut cookie = format!("{}=token-{user}", shouwang_web::auth::SESSION_COOKIE);
    for c in cookies {
        cookie.push_str("; ");
        cookie.push_str(c);
    }
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", CSRF);
    let body = match form {
        Some(pairs) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            axum::body::Body::from(serde_urlencoded::to_string(pairs).unwrap())
        }
        None => axum::body::Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    answer(resp).await
}

/// What a user sees of an answer: status, where it leads, the cookies it sets, the body.
pub async fn answer(resp: axum::response::Response) -> Answer {
    use axum::http::header;
    use http_body_util::BodyExt;
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| Some(v.to_str().ok()?.split(';').next()?.to_string()))
        .collect();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        location,
        cookies,
    }
}

/// Follows a form's answer (a 303) to the page it leads to, with the cookies it set (the
/// saved message among them).
pub async fn follow(app: &axum::Router, user: &str, saved: &Answer) -> Answer {
    assert_eq!(
        saved.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        saved.body
    );
    send(
        app,
        user,
        axum::http::Method::GET,
        &saved.location,
        &saved.cookies,
        None,
    )
    .await
}

/// The free text the steps of [`include`] record (data, as a page shows it).
pub const STEP_TEXTS: &[&str] = &[
    "户主住院，自付医疗费较高",
    "户主住院，自付费用高",
    "村两委、村民代表共11人",
    "评议认为该户因病支出较大",
    "村委会办公室",
    "邻居反映该户有货车",
    "核实为农用车",
    "材料齐全，同意上报",
    "旺乡振〔2026〕12号",
];

/// The users who take a procedure's steps: (user id, username) of the village, the township
/// and the county.
pub struct Identifiers {
    pub village: (i64, &'static str),
    pub township: (i64, &'static str),
    pub county: (i64, &'static str),
}

/// Raises a lead of `household_no` found `days_ago` and opens its procedure as the village
/// user; returns the procedure's id.
pub fn open_procedure(store: &Store, who: &Identifiers, household_no: &str, days_ago: i64) -> i64 {
    open_procedure_on(
        store,
        who,
        household_no,
        days_ago,
        shouwang_core::monitoring::RiskType::Illness,
    )
}

/// [`open_procedure`] on a lead of `risk`.
pub fn open_procedure_on(
    store: &Store,
    who: &Identifiers,
    household_no: &str,
    days_ago: i64,
    risk: shouwang_core::monitoring::RiskType,
) -> i64 {
    use shouwang_core::screening::level::WarningLevel;
    let found = today().add_days(-days_ago);
    let lead = store
        .raise_lead(
            &Actor::system("test"),
            &shouwang_store::leads::NewLead {
                household_no: household_no.to_string(),
                risk,
                level: WarningLevel::Yellow,
                source: shouwang_core::lead::LeadSource::CadreCheck,
                found_on: found,
                due_on: found.add_days(10),
                note: "户主住院，自付费用高".into(),
            },
        )
        .unwrap();
    shouwang_app::identification::open(
        store,
        &acting(who.village, Role::Village),
        &[lead.id],
        today(),
    )
    .unwrap()
    .id
}

fn acting((id, name): (i64, &str), role: Role) -> shouwang_app::identification::Acting {
    shouwang_app::identification::Acting {
        actor: Actor {
            user_id: Some(id),
            username: name.to_string(),
        },
        role,
    }
}

/// Takes procedure `id` (opened 20 days ago or earlier) through every step to a monitoring
/// case, with an objection on the way; returns the case's id.
pub fn include(store: &Store, who: &Identifiers, id: i64) -> i64 {
    use shouwang_core::identification::*;
    use shouwang_core::monitoring::{CaseType, RiskType};
    use shouwang_core::screening::level::WarningLevel;
    let d = |n: i64| today().add_days(-n);
    let proposal = Inclusion {
        case_type: CaseType::MarginalAtRisk,
        risks: vec![RiskType::Illness],
        level: WarningLevel::Yellow,
    };
    let steps = [
        (
            Role::Village,
            Step::Verify(Verification {
                on: d(19),
                authorised_on: Some(d(19)),
                members: 3,
                income_12m: Fen::from_yuan(15_000),
                compulsory_education_secure: true,
                basic_medical_secure: false,
                housing_secure: true,
                drinking_water_secure: true,
                assets: Assets::default(),
                findings: "户主住院，自付医疗费较高".into(),
            }),
        ),
        (
            Role::Village,
            Step::Appraise(Appraisal {
                on: d(18),
                participants: "村两委、村民代表共11人".into(),
                result: AppraisalResult::Agree,
                minutes: "评议认为该户因病支出较大".into(),
                proposal: Some(proposal.clone()),
                elimination: None,
            }),
        ),
        (
            Role::Village,
            Step::PublishNotice(Notice {
                start: d(18),
                end: d(14),
                contact: "村委会办公室".into(),
            }),
        ),
        (
            Role::Village,
            Step::RaiseObjection {
                on: d(15),
                content: "邻居反映该户有货车".into(),
            },
        ),
        (
            Role::Village,
            Step::HandleObjection {
                index: 0,
                on: d(14),
                text: "核实为农用车".into(),
            },
        ),
        (Role::Village, Step::Submit { on: d(13) }),
        (
            Role::Township,
            Step::TownshipApprove(Review {
                on: d(12),
                opinion: "材料齐全，同意上报".into(),
            }),
        ),
        (
            Role::County,
            Step::Decide(Decision {
                on: d(11),
                inclusion: Some(proposal),
                reason: String::new(),
                announcement: "旺乡振〔2026〕12号".into(),
                closure: None,
            }),
        ),
    ];
    let mut version = store.identification(id).unwrap().unwrap().version;
    let mut last = None;
    for (role, step) in steps {
        let user = match role {
            Role::Village => who.village,
            Role::Township => who.township,
            _ => who.county,
        };
        let r = shouwang_app::identification::take_step(
            store,
            &acting(user, role),
            id,
            version,
            &step,
            today(),
        )
        .unwrap();
        version = r.version;
        last = Some(r);
    }
    last.unwrap().case_id.unwrap()
}
