//! 走访 in the browser: the phone-friendly visit form (`/visits/new?household=`), posted to
//! `/visits` (optionally raising a 干部排查 lead in the same request); the duties' compliance of
//! a region per village and per holder (`/visits/duties`), each number a link to the households
//! behind it (`/visits/duties/households`); the household page's section with its current
//! 帮扶责任人 and 家庭签约医生 and its visits.
//!
//! Who may record comes from `Action::RecordVisit` (an assistance person only for paired
//! households); which positions a visit may count for, from the store (`visit_standing`).

use super::{render, saved, Crumb, Ctx};
use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::identification::Acting;
use shouwang_app::visits::{self as app, VisitLead};
use shouwang_core::access::Action;
use shouwang_core::monitoring::RiskType;
use shouwang_core::visit::{Position, Visit};
use shouwang_core::{Date, Problem, ProblemCode};
use shouwang_store::visits::DutyWhich;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visits", post(record))
        .route("/visits/new", get(new_form))
        .route("/visits/duties", get(duties))
        .route("/visits/duties/households", get(duty_households))
}

type Params = HashMap<String, String>;

pub(super) fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

pub(super) fn position_word(l: L, p: Position) -> String {
    l.t(p.label_zh(), p.label_en()).to_string()
}

fn value(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn problem_text(l: L, p: &Problem) -> String {
    if l.is_en() {
        p.en.clone()
    } else {
        p.zh.clone()
    }
}

// ---------------------------------------------------------------- the visit form

#[derive(Template)]
#[template(path = "visit_new.html")]
struct NewPage {
    ctx: Ctx,
    no: String,
    title: String,
    on: String,
    today: String,
    positions: Vec<(String, String, bool)>,
    risks: Vec<(String, String, bool)>,
    findings: String,
    follow_up: String,
    lead_note: String,
    errors: Vec<String>,
}

/// The household of the form, if the user may record a visit there.
async fn visitable(state: &AppState, s: &Session, no: &str) -> Result<VisibleHousehold, AppError> {
    if no.is_empty() {
        return Err(AppError::NotFound);
    }
    access::household_for(
        state,
        s,
        no.to_string(),
        Action::RecordVisit,
        access::not_allowed,
    )
    .await
}

async fn new_form(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let no = q
        .get("household")
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let h = visitable(&state, &s, &no).await?;
    new_page(&state, &s, &h, &[], &[], StatusCode::OK).await
}

async fn new_page(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
    form: &[(String, String)],
    problems: &[Problem],
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let rec = &h.record;
    let no = rec.household.household_no.clone();
    let (title, mut crumbs) = super::registry::household_place(state, s, rec).await?;
    crumbs.push(Crumb::here(l.t("记录走访", "Record a visit")));
    let today = today();
    let who = acting(s);
    let key = no.clone();
    let held = state
        .db(move |st| app::visit_positions(st, &who, &key, today))
        .await?;
    let picked = value(form, "position");
    let positions = held
        .iter()
        .map(|p| {
            let v = p.code().to_string();
            let chosen = if picked.is_empty() {
                held.len() == 1
            } else {
                picked == v
            };
            (v, position_word(l, *p), chosen)
        })
        .collect();
    let risk = value(form, "risk");
    let on = value(form, "on");
    let page = NewPage {
        no,
        title,
        on: if on.is_empty() { today.to_string() } else { on },
        today: today.to_string(),
        positions,
        risks: RiskType::ALL
            .iter()
            .map(|x| {
                let v = x.code().to_string();
                let chosen = risk == v;
                (v, l.t(x.label_zh(), x.label_en()).to_string(), chosen)
            })
            .collect(),
        findings: value(form, "findings"),
        follow_up: value(form, "follow_up"),
        lead_note: value(form, "lead_note"),
        errors: problems.iter().map(|p| problem_text(l, p)).collect(),
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(page)).into_response())
}

/// POST /visits: records the visit (and the lead it raises), back to the household's page.
async fn record(
    State(state): State<AppState>,
    s: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let no = value(&form, "household");
    let h = visitable(&state, &s, &no).await?;
    let mut problems = Vec::new();
    let on = Date::parse(&value(&form, "on"));
    if on.is_none() {
        problems.push(Problem::new(
            ProblemCode::FormInvalid,
            "on",
            "走访日期应为“年-月-日”",
            "the visit date must read year-month-day",
        ));
    }
    let position = value(&form, "position")
        .parse::<i64>()
        .ok()
        .and_then(Position::from_code);
    if position.is_none() {
        problems.push(Problem::new(
            ProblemCode::FormInvalid,
            "position",
            "请选择以何种身份走访",
            "choose the position the visit counts for",
        ));
    }
    let risk_text = value(&form, "risk");
    let lead_note = value(&form, "lead_note");
    let lead = if risk_text.is_empty() {
        None
    } else {
        match risk_text.parse::<i64>().ok().and_then(RiskType::from_code) {
            Some(risk) => Some(VisitLead {
                risk,
                note: lead_note,
            }),
            None => {
                problems.push(Problem::new(
                    ProblemCode::FormInvalid,
                    "risk",
                    "请从列表中选择风险类型",
                    "choose a risk from the list",
                ));
                None
            }
        }
    };
    let (Some(on), Some(position), true) = (on, position, problems.is_empty()) else {
        let status = AppError::Invalid(problems.clone()).status();
        return new_page(&state, &s, &h, &form, &problems, status).await;
    };
    let visit = Visit {
        household_no: no.clone(),
        on,
        position,
        findings: value(&form, "findings"),
        follow_up: value(&form, "follow_up"),
    };
    let who = acting(&s);
    let name = s.user.display_name.clone();
    let today = today();
    match state
        .db(move |st| app::record_visit(st, &who, &name, &visit, today, lead.as_ref()))
        .await
    {
        Ok(r) => {
            let (lead_zh, lead_en) = match &r.lead {
                Some(x) => (
                    format!("，并上报风险线索（{}）", x.risk.label_zh()),
                    format!(", and reported a lead ({})", x.risk.label_en()),
                ),
                None => (String::new(), String::new()),
            };
            Ok(saved(
                &format!("/households/{no}"),
                format!(
                    "已记录{}的走访（{}）{lead_zh}",
                    r.visit.on,
                    r.visit.position.label_zh()
                ),
                format!(
                    "Visit of {} recorded ({}){lead_en}",
                    r.visit.on,
                    r.visit.position.label_en()
                ),
            ))
        }
        Err(AppError::Invalid(problems)) => {
            let status = AppError::Invalid(problems.clone()).status();
            new_page(&state, &s, &h, &form, &problems, status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- duties

struct VillageRow {
    village: String,
    name: String,
    position: String,
    code: i64,
    due: i64,
    done: i64,
    overdue: i64,
}

struct HolderRow {
    name: String,
    position: String,
    /// the query of the households behind the numbers
    query: String,
    due: i64,
    done: i64,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "visit_duties.html")]
struct DutiesPage {
    ctx: Ctx,
    period: String,
    villages: Vec<VillageRow>,
    holders: Vec<HolderRow>,
    /// the people not shown and the link that shows everyone, when the list is cut
    more: Option<(usize, String)>,
    shown: usize,
}

/// People listed on the duties page before "show all": a township may count a thousand, and
/// the officer wants the ones with overdue visits first.
const HOLDERS_SHOWN: usize = 50;

async fn duties(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let region = access::asked_region(
        &s,
        Action::ViewAssistance,
        q.get("region").map(String::as_str),
    )?;
    let l = s.l();
    let today = today();
    let r = region.clone();
    let c = state.db(move |st| app::compliance(st, &r, today)).await?;
    let villages = c
        .villages
        .iter()
        .map(|v| VillageRow {
            village: v.village.clone(),
            name: v.village_name.clone(),
            position: position_word(l, v.position),
            code: v.position.code(),
            due: v.due,
            done: v.done,
            overdue: v.overdue,
        })
        .collect();
    // overdue first, then what is still due this period, then by name
    let mut ordered: Vec<_> = c.holders.iter().collect();
    ordered.sort_by(|a, b| {
        (b.overdue, b.due - b.done)
            .cmp(&(a.overdue, a.due - a.done))
            .then_with(|| a.name.cmp(&b.name))
    });
    let more = (q.get("all").map(String::as_str) != Some("1") && ordered.len() > HOLDERS_SHOWN)
        .then(|| {
            (
                ordered.len() - HOLDERS_SHOWN,
                format!("/visits/duties?region={region}&all=1"),
            )
        });
    if more.is_some() {
        ordered.truncate(HOLDERS_SHOWN);
    }
    let holders = ordered
        .into_iter()
        .map(|h| HolderRow {
            name: h.name.clone(),
            position: position_word(l, h.position),
            query: match (h.person_id, &h.region) {
                (Some(id), _) => {
                    format!("region={region}&position={}&person={id}", h.position.code())
                }
                (None, Some(r)) => format!("region={r}&position={}", h.position.code()),
                (None, None) => format!("region={region}&position={}", h.position.code()),
            },
            due: h.due,
            done: h.done,
            overdue: h.overdue,
        })
        .collect();
    let p = &c.periods;
    let (m, h) = (
        p.current(Position::VillageSecretary),
        p.current(Position::TownshipSecretary),
    );
    let period = if l.is_en() {
        format!(
            "this period: monthly {} to {}, half-yearly {} to {}.",
            m.start, m.end, h.start, h.end
        )
    } else {
        format!(
            "本期：月度 {}至{}，半年 {}至{}。",
            m.start, m.end, h.start, h.end
        )
    };
    let crumbs = vec![Crumb::here(l.t("走访责任", "Visit duties"))];
    Ok(render(DutiesPage {
        ctx: Ctx::of(&s).crumbs(crumbs),
        period,
        villages,
        holders,
        more,
        shown: HOLDERS_SHOWN,
    }))
}

struct DutyRow {
    no: String,
    head: String,
    position: String,
    last: String,
    state: String,
    state_class: &'static str,
}

#[derive(Template)]
#[template(path = "visit_duty_households.html")]
struct DutyHouseholdsPage {
    ctx: Ctx,
    heading: String,
    rows: Vec<DutyRow>,
}

async fn duty_households(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let region = access::asked_region(
        &s,
        Action::ViewAssistance,
        q.get("region").map(String::as_str),
    )?;
    let l = s.l();
    let position = q
        .get("position")
        .and_then(|p| p.parse::<i64>().ok())
        .and_then(Position::from_code);
    let person = q.get("person").and_then(|p| p.parse::<i64>().ok());
    let which = match q.get("which").map(String::as_str) {
        Some("done") => DutyWhich::Done,
        Some("overdue") => DutyWhich::Overdue,
        _ => DutyWhich::Due,
    };
    let today = today();
    let r = region.clone();
    let rows = state
        .db(move |st| {
            let periods = app::duty_periods(st, &r, today)?;
            st.duty_households(&r, &periods, position, person, which, 2000)
        })
        .await?;
    let what = match which {
        DutyWhich::Due => l.t("本期应走访", "due this period"),
        DutyWhich::Done => l.t("本期已走访", "visited this period"),
        DutyWhich::Overdue => l.t("上期未走访（逾期）", "not visited last period (overdue)"),
    };
    let heading = match position {
        Some(p) => format!("{} · {what}", position_word(l, p)),
        None => what.to_string(),
    };
    let rows = rows
        .iter()
        .map(|d| DutyRow {
            no: d.household_no.clone(),
            head: if d.head_name.is_empty() {
                d.household_no.clone()
            } else {
                d.head_name.clone()
            },
            position: position_word(l, d.position),
            last: d
                .last_visit
                .map(|x| x.to_string())
                .unwrap_or_else(|| l.t("从未", "never").to_string()),
            state: if d.overdue {
                l.t("逾期", "overdue")
            } else if d.done {
                l.t("本期已走访", "visited")
            } else {
                l.t("本期待走访", "to visit")
            }
            .to_string(),
            state_class: if d.overdue {
                "overdue"
            } else if d.done {
                "done"
            } else {
                ""
            },
        })
        .collect();
    let crumbs = vec![
        Crumb::link(
            format!("/visits/duties?region={region}"),
            l.t("走访责任", "Visit duties"),
        ),
        Crumb::here(heading.clone()),
    ];
    Ok(render(DutyHouseholdsPage {
        ctx: Ctx::of(&s).crumbs(crumbs),
        heading,
        rows,
    }))
}

// ---------------------------------------------------------------- the household's section

pub(super) struct PairedPerson {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) position: String,
    pub(super) phone: String,
    pub(super) since: String,
}

pub(super) struct PastPairing {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) position: String,
    pub(super) start: String,
    pub(super) end: String,
    pub(super) reason: String,
}

pub(super) struct VisitRow {
    pub(super) on: String,
    pub(super) visitor: String,
    pub(super) position: String,
    pub(super) findings: String,
    pub(super) follow_up: String,
    pub(super) lead_id: Option<i64>,
}

/// The household page's section: its current 帮扶责任人 and 家庭签约医生, and its visits.
pub(super) struct HouseholdAssistance {
    pub(super) persons: Vec<PairedPerson>,
    /// the pairings that ended (or start later): person, position, from, to
    pub(super) past: Vec<PastPairing>,
    pub(super) visits: Vec<VisitRow>,
    pub(super) can_visit: bool,
}

pub(super) async fn household_section(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
) -> Result<Option<HouseholdAssistance>, AppError> {
    if !h.allows(s, Action::ViewAssistance) {
        return Ok(None);
    }
    let l = s.l();
    let today = today();
    let no = h.record.household.household_no.clone();
    let (pairings, visits) = state
        .db(move |st| Ok((st.pairings_of_household(&no)?, st.visits_of_household(&no)?)))
        .await?;
    let (now, past): (Vec<_>, Vec<_>) = pairings.iter().partition(|p| p.covers(today));
    Ok(Some(HouseholdAssistance {
        persons: now
            .iter()
            .map(|p| PairedPerson {
                id: p.person_id,
                name: p.person_name.clone(),
                position: position_word(l, p.position),
                phone: p.phone.clone(),
                since: p.start.to_string(),
            })
            .collect(),
        past: past
            .iter()
            .map(|p| PastPairing {
                id: p.person_id,
                name: p.person_name.clone(),
                position: position_word(l, p.position),
                start: p.start.to_string(),
                end: p.end.map(|d| d.to_string()).unwrap_or_default(),
                reason: p.end_reason.clone(),
            })
            .collect(),
        visits: visits
            .iter()
            .map(|v| VisitRow {
                on: v.on.to_string(),
                visitor: v.visitor_name.clone(),
                position: position_word(l, v.position),
                findings: v.findings.clone(),
                follow_up: v.follow_up.clone(),
                lead_id: v.lead_id,
            })
            .collect(),
        can_visit: h.allows(s, Action::RecordVisit),
    }))
}
