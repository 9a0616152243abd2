//! 风险消除 pages: `/cases/{id}/elimination` — the conditions of a case one by one with their
//! numbers, the verdict, the form that opens the elimination procedure when they hold, the
//! 兜底保障 explanation and button for a household without labour, and for a closed case what it
//! keeps (kind, day, contact, snapshot) with the 风险再标注 form; `/elimination` — the open cases
//! of a region that could be closed now (可消除风险).
//!
//! Who may see: [`Action::ViewCases`] on the household; who may open or re-flag:
//! [`Action::Identify`]; who may mark 兜底保障: [`Action::Assist`]. The procedure itself runs on
//! the identification pages, which read its purpose.

use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::{render, saved, Crumb, Ctx, Pager};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use shouwang_app::elimination::CaseCheck;
use shouwang_app::identification::Acting;
use shouwang_core::access::Action;
use shouwang_core::elimination::{Condition, ConditionId, Verdict};
use shouwang_core::income::yuan_text;
use shouwang_core::monitoring::{CaseStatus, EliminationKind, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Problem, ProblemCode};
use shouwang_store::elimination::CaseClosure;
use std::collections::HashMap;

type Params = HashMap<String, String>;

const PER_PAGE: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/elimination", get(list))
        .route(
            "/cases/{id}/elimination",
            get(elimination_page).post(open_procedure),
        )
        .route("/cases/{id}/safety-net", post(safety_net))
        .route("/cases/{id}/reflag", post(reflag))
}

struct CondRow {
    met: bool,
    label: String,
    text: String,
    /// waived for 自然消除
    waived: bool,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "elimination.html")]
struct EliminationPage {
    ctx: Ctx,
    id: i64,
    no: String,
    head: String,
    status: String,
    at_risk: bool,
    closed: bool,
    version: i64,
    conditions: Vec<CondRow>,
    verdict: String,
    verdict_class: &'static str,
    /// the kinds the case may be closed as today
    kinds: Vec<Choice>,
    without_labour: bool,
    safety_net: bool,
    may_open: bool,
    may_assist: bool,
    /// an elimination procedure under way: (id, stage)
    procedure: Option<(i64, String)>,
    income: String,
    // a closed case
    kind: String,
    eliminated_on: String,
    contact: String,
    snapshot: Vec<CondRow>,
    reflags: Vec<i64>,
    risks: Vec<Choice>,
    levels: Vec<Choice>,
    problems: Vec<String>,
    values: Params,
}

impl EliminationPage {
    fn v(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }
}

fn rows(l: crate::i18n::L, conditions: &[Condition]) -> Vec<CondRow> {
    conditions
        .iter()
        .map(|c| CondRow {
            met: c.met,
            label: l.t(c.id.label_zh(), c.id.label_en()).to_string(),
            text: l.t(&c.zh, &c.en).to_string(),
            waived: c.id.waived_for_natural(),
        })
        .collect()
}

async fn visible_case(
    state: &AppState,
    s: &Session,
    id: &str,
    action: Action,
) -> Result<(i64, CaseClosure, VisibleHousehold), AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let closure = state
        .db(move |st| st.case_closure(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let h = access::household_for(
        state,
        s,
        closure.household_no.clone(),
        Action::ViewCases,
        access::not_allowed,
    )
    .await?;
    s.scope
        .decide(action, h.target())
        .map_err(access::not_allowed)?;
    Ok((id, closure, h))
}

async fn page(
    state: &AppState,
    s: &Session,
    id: i64,
    closure: CaseClosure,
    h: &VisibleHousehold,
    problems: Vec<Problem>,
    values: Params,
) -> PageResult {
    let l = s.l();
    let today = today();
    let at_risk = closure.status == CaseStatus::AtRisk;
    let checked: Option<CaseCheck> = if at_risk {
        Some(
            state
                .db(move |st| shouwang_app::elimination::check_case(st, id, today))
                .await?,
        )
    } else {
        None
    };
    let head = h
        .record
        .members
        .iter()
        .find(|m| m.relation == shouwang_core::codes::Relation::Head)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| closure.household_no.clone());
    let (conditions, verdict, verdict_class, kinds, without_labour, income) = match &checked {
        Some(c) => {
            let v = c.check.verdict();
            let kinds = EliminationKind::ALL
                .iter()
                .filter(|k| c.check.passes(**k))
                .map(|k| Choice {
                    value: k.code().to_string(),
                    label: l.t(k.label_zh(), k.label_en()).to_string(),
                })
                .collect::<Vec<_>>();
            let verdict = match v {
                Verdict::Closable => l.t(
                    "全部条件已满足，可以发起风险消除程序",
                    "every condition is met: the elimination procedure may be opened",
                ),
                Verdict::SafetyNet => l.t(
                    "整户无劳动能力：落实兜底保障后暂不标注风险消除，持续跟踪监测",
                    "no member of the household can work: once the safety net is in place the risk is not marked eliminated, and monitoring goes on",
                ),
                Verdict::NotYet if !kinds.is_empty() => l.t(
                    "帮扶消除的条件未全部满足；风险自然消失的，可按自然消除办理",
                    "not every condition of elimination after assistance is met; a risk that disappeared by itself may be closed as natural elimination",
                ),
                Verdict::NotYet => l.t(
                    "尚有条件未满足，暂不能消除",
                    "some conditions are not met: the case cannot be closed yet",
                ),
            }
            .to_string();
            let class = match v {
                Verdict::Closable => "ok",
                Verdict::SafetyNet => "net",
                Verdict::NotYet => "no",
            };
            let income = c
                .check
                .income
                .as_ref()
                .map(|f| {
                    format!(
                        "{} {} · {}",
                        l.t("人均纯收入", "per-capita net income"),
                        f.per_capita.map_or("—".into(), yuan_text),
                        l.t(&f.basis.label_zh(), &f.basis.label_en())
                    )
                })
                .unwrap_or_default();
            (
                rows(l, &c.check.conditions),
                verdict,
                class,
                kinds,
                c.check.without_labour,
                income,
            )
        }
        None => (
            Vec::new(),
            String::new(),
            "",
            Vec::new(),
            false,
            String::new(),
        ),
    };
    let procedure = closure
        .procedures
        .iter()
        .find(|(_, st)| st.is_open())
        .map(|(pid, st)| (*pid, l.t(st.label_zh(), st.label_en()).to_string()));
    let snapshot = closure
        .snapshot
        .as_ref()
        .and_then(|v| v.get("conditions"))
        .and_then(|v| serde_json::from_value::<Vec<Condition>>(v.clone()).ok())
        .map(|c| rows(l, &c))
        .unwrap_or_default();
    let choices_risk = RiskType::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().to_string(),
            label: l.t(r.label_zh(), r.label_en()).to_string(),
        })
        .collect();
    let levels = WarningLevel::ALL
        .iter()
        .map(|v| Choice {
            value: v.code().to_string(),
            label: l.t(v.label_zh(), v.label_en()).to_string(),
        })
        .collect();
    let status = if problems.iter().any(|p| p.code == ProblemCode::Stale) {
        StatusCode::CONFLICT
    } else if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let crumbs = vec![
        Crumb::link(
            format!("/households/{}", closure.household_no),
            head.clone(),
        ),
        Crumb::link(format!("/cases/{id}"), l.t("监测档案", "Monitoring case")),
        Crumb::here(l.t("风险消除", "Risk elimination")),
    ];
    let mut values = values;
    values
        .entry("on".into())
        .or_insert_with(|| today.to_string());
    let view = EliminationPage {
        id,
        no: closure.household_no.clone(),
        head,
        status: l
            .t(closure.status.label_zh(), closure.status.label_en())
            .to_string(),
        at_risk,
        closed: closure.status == CaseStatus::Eliminated,
        version: closure.version,
        conditions,
        verdict,
        verdict_class,
        kinds,
        without_labour,
        safety_net: closure.safety_net,
        may_open: h.allows(s, Action::Identify),
        may_assist: h.allows(s, Action::Assist),
        procedure,
        income,
        kind: closure
            .kind
            .map(|k| l.t(k.label_zh(), k.label_en()).to_string())
            .unwrap_or_default(),
        eliminated_on: closure
            .eliminated_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        contact: if closure.contact_name.is_empty() {
            String::new()
        } else {
            format!("{} {}", closure.contact_name, closure.contact_phone)
        },
        snapshot,
        reflags: closure.reflags.clone(),
        risks: choices_risk,
        levels,
        problems: problems
            .iter()
            .map(|p| l.t(&p.zh, &p.en).to_string())
            .collect(),
        values,
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(view)).into_response())
}

/// GET /cases/{id}/elimination
async fn elimination_page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> PageResult {
    let (id, closure, h) = visible_case(&state, &s, &id, Action::ViewCases).await?;
    page(&state, &s, id, closure, &h, Vec::new(), Params::new()).await
}

fn who(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

/// After a refused form: the page again with what was wrong, or the error itself.
async fn refused(
    state: &AppState,
    s: &Session,
    id: i64,
    h: &VisibleHousehold,
    e: AppError,
    values: Params,
) -> PageResult {
    let problems = match e {
        AppError::Invalid(p) => p,
        AppError::Stale => vec![Problem::new(
            ProblemCode::Stale,
            "version",
            "该监测对象已被他人修改，请查看最新情况后再办理",
            "someone else changed this case first; here it is as it stands now",
        )],
        other => return Err(other.into()),
    };
    let closure = state
        .db(move |st| st.case_closure(id))
        .await?
        .ok_or(AppError::NotFound)?;
    page(state, s, id, closure, h, problems, values).await
}

/// POST /cases/{id}/elimination: opens the procedure as the kind chosen.
async fn open_procedure(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(p): Form<Params>,
) -> PageResult {
    let (id, _, h) = visible_case(&state, &s, &id, Action::Identify).await?;
    let kind = p
        .get("kind")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(EliminationKind::from_code)
        .unwrap_or(EliminationKind::AfterAssistance);
    let acting = who(&s);
    let today = today();
    let on_text = p
        .get("on")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let opened_on = if on_text.is_empty() {
        today
    } else {
        match shouwang_core::Date::parse(&on_text) {
            Some(d) => d,
            None => {
                let problem = Problem::new(
                    ProblemCode::DateInvalid,
                    "on",
                    format!("“{on_text}”不是有效日期，请按 2026-11-30 的格式填写"),
                    format!("'{on_text}' is not a date; write it like 2026-11-30"),
                );
                return refused(&state, &s, id, &h, AppError::Invalid(vec![problem]), p).await;
            }
        }
    };
    match state
        .db(move |st| shouwang_app::elimination::open(st, &acting, id, kind, opened_on, today))
        .await
    {
        Ok(rec) => Ok(saved(
            &format!("/identifications/{}", rec.id),
            format!(
                "已发起风险消除程序（{}），下一步：入户核实",
                kind.label_zh()
            ),
            format!(
                "The elimination procedure ({}) is open; next: the home check",
                kind.label_en()
            ),
        )),
        Err(e) => refused(&state, &s, id, &h, e, p).await,
    }
}

/// POST /cases/{id}/safety-net: marks 兜底保障.
async fn safety_net(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(p): Form<Params>,
) -> PageResult {
    let (id, _, h) = visible_case(&state, &s, &id, Action::Assist).await?;
    let version = p
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .ok_or_else(|| AppError::BadRequest("version".into()))?;
    let acting = who(&s);
    let today = today();
    match state
        .db(move |st| {
            shouwang_app::elimination::mark_safety_net(st, &acting, id, version, today)
        })
        .await
    {
        Ok(_) => Ok(saved(
            &format!("/cases/{id}/elimination"),
            "已标注为兜底保障户：暂不标注风险消除，持续跟踪监测",
            "Marked as a safety-net household: the risk is not marked eliminated, and monitoring goes on",
        )),
        Err(e) => refused(&state, &s, id, &h, e, p).await,
    }
}

/// POST /cases/{id}/reflag: 风险再标注.
async fn reflag(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(p): Form<Params>,
) -> PageResult {
    let (id, _, h) = visible_case(&state, &s, &id, Action::Identify).await?;
    let code = |k: &str| p.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let Some(risk) = code("risk").and_then(RiskType::from_code) else {
        return refused(
            &state,
            &s,
            id,
            &h,
            AppError::Invalid(vec![Problem::new(
                ProblemCode::CodeUnknown,
                "risk",
                "请选择风险类型",
                "choose the risk",
            )]),
            p,
        )
        .await;
    };
    let level = code("level")
        .and_then(WarningLevel::from_code)
        .unwrap_or(WarningLevel::Yellow);
    let what = shouwang_app::elimination::Reflag {
        risk,
        level,
        note: p.get("note").cloned().unwrap_or_default(),
    };
    let acting = who(&s);
    let today = today();
    match state
        .db(move |st| shouwang_app::elimination::reflag(st, &acting, id, &what, today))
        .await
    {
        Ok(rec) => Ok(saved(
            &format!("/identifications/{}", rec.id),
            format!("已风险再标注（{}），识别认定程序已发起", risk.label_zh()),
            format!(
                "Re-flagged ({}): an identification procedure is open",
                risk.label_en()
            ),
        )),
        Err(e) => refused(&state, &s, id, &h, e, p).await,
    }
}

// ---------------------------------------------------------------- 可消除风险

struct Row {
    id: i64,
    head: String,
    no: String,
    village: String,
    identified: String,
    income: String,
}

#[derive(Template)]
#[template(path = "elimination_list.html")]
struct ListPage {
    ctx: Ctx,
    region_name: String,
    open: usize,
    closable: usize,
    safety_net: usize,
    not_yet: usize,
    rows: Vec<Row>,
    pager: Pager,
}

/// GET /elimination?region=&page=
async fn list(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let l = s.l();
    let region = access::asked_region(&s, Action::ViewCases, q.get("region").map(String::as_str))?;
    let page_no = match q.get("page").map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => 1,
        Some(v) => v.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            AppError::Invalid(vec![Problem::new(
                ProblemCode::QueryInvalid,
                "page",
                format!("页码“{v}”无法识别"),
                format!("page '{v}' cannot be read"),
            )])
        })?,
    };
    let today = today();
    let r = region.clone();
    let (found, names, region_name) = state
        .db(move |st| {
            let found = shouwang_app::elimination::candidates(st, &r, today)?;
            let mut names = HashMap::new();
            for c in &found.cases {
                let v = c.case.village.as_str().to_string();
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(v) {
                    let name = st
                        .region(&c.case.village)?
                        .map(|x| x.name)
                        .unwrap_or_default();
                    e.insert(name);
                }
            }
            let region_name = st.region(&r)?.map(|x| x.name).unwrap_or_default();
            Ok((found, names, region_name))
        })
        .await?;
    let pager = Pager::new(
        page_no,
        PER_PAGE,
        found.cases.len(),
        format!("region={region}"),
    );
    let rows = found
        .cases
        .iter()
        .skip((pager.page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|c| {
            let income = c
                .check
                .conditions
                .iter()
                .find(|x| x.id == ConditionId::IncomeAboveLine)
                .map(|x| l.t(&x.zh, &x.en).to_string())
                .unwrap_or_default();
            Row {
                id: c.case.case_id,
                head: if c.case.head_name.is_empty() {
                    c.case.household_no.clone()
                } else {
                    c.case.head_name.clone()
                },
                no: c.case.household_no.clone(),
                village: names
                    .get(c.case.village.as_str())
                    .cloned()
                    .unwrap_or_default(),
                identified: c.case.facts.identified_on.to_string(),
                income,
            }
        })
        .collect();
    let crumbs = vec![Crumb::here(l.t("可消除风险", "Cases that could be closed"))];
    Ok(render(ListPage {
        region_name,
        open: found.open,
        closable: found.closable,
        safety_net: found.safety_net,
        not_yet: found.not_yet,
        rows,
        pager,
        ctx: Ctx::of(&s).crumbs(crumbs),
    }))
}
