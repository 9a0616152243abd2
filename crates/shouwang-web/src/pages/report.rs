//! 农户自主申报, the public pages (no sign-in): `/report`, the form a household fills on a phone
//! (the poster's QR code opens it as `/report?village=CODE`), and `/report/status`, where the
//! receipt and the same mobile number show how the report stands.
//!
//! Small and script-free on purpose: a slow phone gets one HTML page and `/static/report.css`
//! (under 30 KB together, a test measures it), the township and the village are chosen in two
//! plain GET steps, the challenge is a sum in words with a signed token
//! ([`crate::report_guard`]), and a hidden honeypot field catches form-filling robots. The
//! language is `?lang=en` (kept in the links and the form's address), Chinese otherwise.

use crate::auth::{ClientAddr, RequestLang};
use crate::error::{status_of, AppError};
use crate::i18n::L;
use crate::report_guard::ChallengeError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use shouwang_app::self_report::{Receipt, Status};
use shouwang_core::department::self_report::{SelfReportForm, MAX_DESCRIPTION, MAX_NAME};
use shouwang_core::monitoring::RiskType;
use shouwang_core::region::{village_short_name, RegionLevel};
use shouwang_core::{Lang, Problem, ProblemCode, Region, RegionCode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(form_page).post(submit))
        .route("/report/status", get(status_form).post(status_lookup))
        .route("/static/report.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/report.css"),
    )
}

/// The parts every public page shares: the language and the link to the other one.
pub struct Public {
    pub l: L,
    /// `?lang=en&` or empty: what the page's own links and form carry
    pub q: &'static str,
    /// the same page in the other language
    pub switch_href: String,
}

impl Public {
    fn new(lang: Lang, path: &str, query: &str) -> Public {
        let l = L(lang);
        let other = if l.is_en() { "zh" } else { "en" };
        let switch_href = if query.is_empty() {
            format!("{path}?lang={other}")
        } else {
            format!("{path}?lang={other}&{query}")
        };
        Public {
            l,
            q: if l.is_en() { "lang=en&" } else { "" },
            switch_href,
        }
    }
}

/// A township of the first step, under its county.
pub struct CountyTownships {
    pub county: String,
    pub townships: Vec<Region>,
}

/// The values of the form, as typed (kept when a submission is refused).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub head_name: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub risk: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub token: String,
    /// the honeypot: hidden from people, filled by robots
    #[serde(default)]
    pub website: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    p: Public,
    /// the first step: townships by county
    counties: Vec<CountyTownships>,
    /// the second step: the township and its villages
    township: Option<Region>,
    villages: Vec<Region>,
    /// the village the QR code chose
    chosen: Option<Region>,
    f: Fields,
    risks: Vec<(i64, &'static str)>,
    question: String,
    token: String,
    errors: Vec<(String, String)>,
    max_name: usize,
    max_description: usize,
}

impl ReportPage {
    /// ` aria-invalid="true"` on a field a problem names.
    fn bad(&self, field: &str) -> &'static str {
        if self.errors.iter().any(|(f, _)| f == field) {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    }
}

#[derive(Template)]
#[template(path = "report_receipt.html")]
struct ReceiptPage {
    p: Public,
    r: Receipt,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "report_status.html")]
struct StatusPage {
    p: Public,
    receipt: String,
    found: Option<Status>,
    status: &'static str,
    outcome: Option<&'static str>,
    message: String,
}

#[derive(Deserialize, Default)]
struct Where {
    #[serde(default)]
    township: String,
    #[serde(default)]
    village: String,
}

fn no_store(status: StatusCode, html: Result<String, askama::Error>) -> Response {
    match html {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// What the steps show for `township`/`village`: the township with its villages and the village
/// chosen, or the townships of every county when neither names a place.
async fn places(
    state: &AppState,
    township: &str,
    village: &str,
) -> Result<
    (
        Vec<CountyTownships>,
        Option<Region>,
        Vec<Region>,
        Option<Region>,
    ),
    AppError,
> {
    let village = RegionCode::parse(village.trim()).filter(|v| v.level() == RegionLevel::Village);
    let township = village.as_ref().and_then(RegionCode::parent).or_else(|| {
        RegionCode::parse(township.trim()).filter(|t| t.level() == RegionLevel::Township)
    });
    state
        .db(move |st| {
            if let Some(t) = &township {
                if let Some(town) = st.region(t)? {
                    let villages: Vec<Region> = st
                        .places_under(t)?
                        .into_iter()
                        .map(|v| Region {
                            name: village_short_name(&v.name).to_string(),
                            code: v.code,
                        })
                        .collect();
                    let chosen =
                        village.and_then(|v| villages.iter().find(|x| x.code == v).cloned());
                    if !villages.is_empty() {
                        return Ok((Vec::new(), Some(town), villages, chosen));
                    }
                }
            }
            let counties = st
                .counties()?
                .into_iter()
                .map(|c| {
                    Ok(CountyTownships {
                        townships: st.places_under(&c.code)?,
                        county: c.name,
                    })
                })
                .collect::<Result<Vec<_>, shouwang_store::StoreError>>()?;
            Ok((counties, None, Vec::new(), None))
        })
        .await
}

fn risks(l: L) -> Vec<(i64, &'static str)> {
    RiskType::ALL
        .iter()
        .map(|r| (r.code(), l.t(r.label_zh(), r.label_en())))
        .collect()
}

async fn page(
    state: &AppState,
    lang: Lang,
    f: Fields,
    township: &str,
    errors: Vec<(String, String)>,
) -> Result<ReportPage, AppError> {
    let (counties, township, villages, chosen) = places(state, township, &f.village).await?;
    let query = match (&chosen, &township) {
        (Some(v), _) => format!("village={}", v.code),
        (None, Some(t)) => format!("township={}", t.code),
        _ => String::new(),
    };
    let p = Public::new(lang, "/report", &query);
    let c = state
        .report_guard
        .challenge(&state.config.report_secret, shouwang_store::now());
    let l = p.l;
    Ok(ReportPage {
        risks: risks(l),
        question: if l.is_en() { c.en } else { c.zh },
        token: c.token,
        p,
        counties,
        township,
        villages,
        chosen,
        f: Fields {
            answer: String::new(),
            token: String::new(),
            website: String::new(),
            ..f
        },
        errors,
        max_name: MAX_NAME,
        max_description: MAX_DESCRIPTION,
    })
}

async fn form_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(w): Query<Where>,
) -> Response {
    let f = Fields {
        village: w.village,
        ..Fields::default()
    };
    match page(&state, lang, f, &w.township, Vec::new()).await {
        Ok(p) => no_store(StatusCode::OK, p.render()),
        Err(e) => e.into_response(),
    }
}

fn said(l: L, p: &Problem) -> (String, String) {
    (
        p.field.clone(),
        if l.is_en() {
            p.en.clone()
        } else {
            p.zh.clone()
        },
    )
}

async fn submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    address: ClientAddr,
    Form(f): Form<Fields>,
) -> Response {
    let l = L(lang);
    let now = shouwang_store::now();
    let secret = &state.config.report_secret;
    let refused = |code: ProblemCode, zh: &str, en: &str| {
        Problem::new(code, "answer", zh.to_string(), en.to_string())
    };
    let problem = if !f.website.is_empty() {
        Some(refused(
            ProblemCode::ReportChallenge,
            "提交未通过校验，请重新填写验证问题",
            "the submission did not pass the check: answer the question again",
        ))
    } else {
        match state.report_guard.answer(secret, &f.token, &f.answer, now) {
            Ok(()) => None,
            Err(ChallengeError::Expired) => Some(refused(
                ProblemCode::ReportChallenge,
                "验证问题已过期，请回答新的问题",
                "the question expired: answer the new one",
            )),
            Err(ChallengeError::Wrong | ChallengeError::Used) => Some(refused(
                ProblemCode::ReportChallenge,
                "验证问题回答不正确，请回答新的问题",
                "wrong answer to the question: answer the new one",
            )),
        }
    };
    let problems = match problem {
        Some(p) => vec![p],
        None => {
            let form = SelfReportForm {
                head_name: f.head_name.clone(),
                mobile: f.mobile.clone(),
                id_number: f.id_number.clone(),
                village: f.village.clone(),
                risk: f.risk.trim().parse().ok().and_then(RiskType::from_code),
                description: f.description.clone(),
            };
            let key = secret.address_key(&address.0);
            let today = crate::state::today();
            let random = u64::from_str_radix(&crate::auth::random_token()[..16], 16).unwrap_or(0);
            let outcome = state
                .db(move |st| {
                    match shouwang_app::self_report::submit(st, &form, &key, today, random) {
                        Ok(r) => Ok(Ok(r)),
                        Err(shouwang_store::StoreError::Invalid(p)) => Ok(Err(p)),
                        Err(e) => Err(e),
                    }
                })
                .await;
            match outcome {
                Ok(Ok(r)) => {
                    let status = l.t(r.status.label_zh(), r.status.label_en());
                    let p = Public::new(lang, "/report", "");
                    return no_store(StatusCode::OK, ReceiptPage { p, r, status }.render());
                }
                Ok(Err(p)) => p,
                Err(e) => return e.into_response(),
            }
        }
    };
    let status = problems
        .iter()
        .map(|p| status_of(p.code))
        .min_by_key(|s| s.as_u16())
        .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let errors = problems.iter().map(|p| said(l, p)).collect();
    match page(&state, lang, f, "", errors).await {
        Ok(p) => no_store(status, p.render()),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
struct StatusQuery {
    #[serde(default)]
    receipt: String,
}

async fn status_form(RequestLang(lang): RequestLang, Query(q): Query<StatusQuery>) -> Response {
    let receipt = shouwang_core::department::self_report::normalise_receipt(&q.receipt);
    let p = Public::new(lang, "/report/status", "");
    no_store(
        StatusCode::OK,
        StatusPage {
            p,
            receipt,
            found: None,
            status: "",
            outcome: None,
            message: String::new(),
        }
        .render(),
    )
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    mobile: String,
}

async fn status_lookup(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    address: ClientAddr,
    Form(f): Form<StatusForm>,
) -> Response {
    let l = L(lang);
    let now = shouwang_store::now();
    let key = state.config.report_secret.address_key(&address.0);
    let receipt = shouwang_core::department::self_report::normalise_receipt(&f.receipt);
    let p = Public::new(lang, "/report/status", "");
    let answer = |status: StatusCode, message: String, found: Option<Status>| {
        let (st, outcome) = match &found {
            Some(s) => (
                l.t(s.status.label_zh(), s.status.label_en()),
                s.outcome.map(|o| l.t(o.label_zh(), o.label_en())),
            ),
            None => ("", None),
        };
        no_store(
            status,
            StatusPage {
                p,
                receipt: receipt.clone(),
                found,
                status: st,
                outcome,
                message,
            }
            .render(),
        )
    };
    if let Some(at) = state.report_guard.status_blocked(&key, now) {
        let p = shouwang_store::self_report::rate_limited(at, now);
        let m = if l.is_en() { p.en } else { p.zh };
        return answer(StatusCode::TOO_MANY_REQUESTS, m, None);
    }
    let (r, m) = (receipt.clone(), f.mobile.clone());
    let found = match state
        .db(move |st| shouwang_app::self_report::status(st, &r, &m))
        .await
    {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    match found {
        Some(s) => answer(StatusCode::OK, String::new(), Some(s)),
        None => {
            state.report_guard.status_failed(&key, now);
            let m = l.t(
                "未找到：回执编号或手机号码不符，请核对后再试",
                "Not found: the receipt number or the mobile number does not match",
            );
            answer(status_of(ProblemCode::ReportNotFound), m.to_string(), None)
        }
    }
}
