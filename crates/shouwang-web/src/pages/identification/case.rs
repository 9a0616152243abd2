//! `/cases/{id}`: a monitoring case — its type, risks, level and status, the procedure that
//! made it (or the steps a ledger import recorded), the leads it came from, the household's
//! incomes and 三保障 flags and its warnings over time, and what is due next.

use super::steps::{event, Event};
use super::{level_word, place, risk_words, short_name, term};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::{yes_no, L};
use crate::pages::{render, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Path, State};
use shouwang_core::access::Action;
use shouwang_core::income::yuan_text;
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::{Date, RegionCode};
use shouwang_store::StoreError;

struct LeadRow {
    id: i64,
    source: String,
    risk: String,
    found_on: String,
}

struct IncomeRow {
    period: String,
    net: String,
    per_capita: String,
}

struct FlagRow {
    as_of: String,
    text: String,
}

struct HitRow {
    on: String,
    level: String,
    level_class: String,
    rule: String,
    risk: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    ctx: Ctx,
    term: &'static str,
    id: i64,
    no: String,
    head: String,
    place: String,
    case_type: String,
    risks: String,
    level: String,
    status: String,
    at_risk: bool,
    identified: String,
    elimination: String,
    without_labour: String,
    procedure: Option<i64>,
    events: Vec<Event>,
    leads: Vec<LeadRow>,
    incomes: Vec<IncomeRow>,
    flags: Vec<FlagRow>,
    hits: Vec<HitRow>,
    /// 帮扶措施: due by, and the rule
    measures_due: String,
    measures_rule: String,
    measures_overdue: bool,
    /// the plan's measures, briefly: (category, content, state)
    measures: Vec<(String, String, String)>,
    can_view_plan: bool,
}

fn ledger_step(l: L, step: &str) -> String {
    match step {
        "identification" => l.t("识别纳入", "identified").to_string(),
        "elimination" => l.t("风险消除", "risk eliminated").to_string(),
        other => other.to_string(),
    }
}

fn source_word(l: L, outcome: &str) -> String {
    match outcome {
        "ledger" => l.t("台账导入", "ledger import").to_string(),
        other => other.to_string(),
    }
}

/// GET /cases/{id}
pub(super) async fn case_page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> PageResult {
    let l = s.l();
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let record = state
        .db(move |st| st.monitoring_case(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let no = record.case.household_no.clone();
    let h = access::visible_household(&state, &s, no.clone()).await?;
    s.scope
        .decide(Action::ViewCases, h.target())
        .map_err(access::not_allowed)?;
    let village = record.village.clone();
    let county = RegionCode::parse(&record.county).unwrap_or_else(|| super::county_of(&village));
    let year = record.case.identified.year();
    let n = no.clone();
    let (procedure, steps, leads, incomes, checks, hits, village_name, measures_days, measures) =
        state
            .db(move |st| {
                let procedure = st.identification_of_case(id)?;
                let (steps, leads) = match &procedure {
                    Some(p) => (
                        st.identification_steps(p.id)?,
                        st.leads_of_identification(p.id)?,
                    ),
                    None => (Vec::new(), Vec::new()),
                };
                let measures_days = match st.resolved_standard(&county, year) {
                    Ok(std) => std.measures_days,
                    Err(StoreError::Invalid(_)) => {
                        shouwang_core::standard::StandardDefaults::DEFAULT.measures_days
                    }
                    Err(e) => return Err(e),
                };
                Ok((
                    procedure,
                    steps,
                    leads,
                    st.incomes(&n)?,
                    st.guarantees(&n)?,
                    st.household_warnings(&n)?,
                    st.region(&village)?.map(|r| r.name).unwrap_or_default(),
                    measures_days,
                    st.measures_of_case(id)?,
                ))
            })
            .await?;
    let c = &record.case;
    let size = h.record.members.iter().filter(|m| m.is_alive()).count() as i64;
    // identified on the county's decision day, or (from a ledger) the month's first day
    let identified_on: Date = procedure
        .as_ref()
        .and_then(|p| p.ident.decision.as_ref().map(|d| d.on))
        .unwrap_or_else(|| c.identified.first_day());
    let due = identified_on.add_days(measures_days);
    let at_risk = c.status == CaseStatus::AtRisk;
    let mut events: Vec<Event> = steps.iter().map(|r| event(l, r)).collect();
    if procedure.is_none() {
        events = record
            .steps
            .iter()
            .map(|x| Event {
                kind: ledger_step(l, &x.step),
                on: x.on.clone(),
                who: x.actor_name.clone(),
                role: source_word(l, &x.outcome),
                lines: Vec::new(),
                returned: false,
            })
            .collect();
    }
    let head = if record.head_name.is_empty() {
        no.clone()
    } else {
        record.head_name.clone()
    };
    let village_short = short_name(&village_name).to_string();
    let crumbs = vec![
        Crumb::link(
            format!("/regions/{}", record.village),
            village_short.clone(),
        ),
        Crumb::link(format!("/households/{no}"), head.clone()),
        Crumb::here(l.t("监测档案", "Monitoring case")),
    ];
    Ok(render(CasePage {
        term: term(l),
        id,
        place: place(l, &village_short, &record.group),
        case_type: l
            .t(c.case_type.label_zh(), c.case_type.label_en())
            .to_string(),
        risks: risk_words(l, &c.risks),
        level: record
            .level
            .map(|v| level_word(l, v).to_string())
            .unwrap_or_else(|| "—".into()),
        status: l.t(c.status.label_zh(), c.status.label_en()).to_string(),
        at_risk,
        identified: c.identified.to_string(),
        elimination: c
            .elimination
            .map(|(k, m)| format!("{} {m}", l.t(k.label_zh(), k.label_en())))
            .unwrap_or_default(),
        without_labour: yes_no(&l, c.whole_household_without_labour).to_string(),
        procedure: procedure.as_ref().map(|p| p.id),
        events,
        leads: leads
            .iter()
            .map(|x| LeadRow {
                id: x.id,
                source: l.t(x.source.label_zh(), x.source.label_en()).to_string(),
                risk: l.t(x.risk.label_zh(), x.risk.label_en()).to_string(),
                found_on: x.found_on.to_string(),
            })
            .collect(),
        incomes: incomes
            .iter()
            .rev()
            .map(|i| IncomeRow {
                period: l.t(&i.period.title_zh(), &i.period.title_en()).to_string(),
                net: yuan_text(i.net_income()),
                per_capita: i
                    .net_income_per_capita(size)
                    .map_or("—".to_string(), yuan_text),
            })
            .collect(),
        flags: checks
            .iter()
            .map(|g| {
                let mut set = Vec::new();
                for (on, zh, en) in [
                    (g.unsafe_housing, "住房不安全", "unsafe housing"),
                    (g.dropout, "义务教育阶段辍学", "school dropout"),
                    (
                        g.uninsured,
                        "有成员未参加基本医保",
                        "a member without basic medical insurance",
                    ),
                    (g.unsafe_water, "饮水不安全", "unsafe drinking water"),
                    (
                        g.food_clothing,
                        "吃穿有困难",
                        "food or clothing difficulties",
                    ),
                ] {
                    if on {
                        set.push(l.t(zh, en));
                    }
                }
                FlagRow {
                    as_of: g.as_of.to_string(),
                    text: if set.is_empty() {
                        l.t("均已保障", "all secure").to_string()
                    } else {
                        set.join(l.t("、", ", "))
                    },
                }
            })
            .collect(),
        hits: hits
            .iter()
            .map(|x| {
                let def = x.rule.def();
                HitRow {
                    on: Date::from_unix_seconds_china(x.run_at).to_string(),
                    level: level_word(l, x.level).to_string(),
                    level_class: x.level.label_en().to_string(),
                    rule: l.t(def.name_zh, def.name_en).to_string(),
                    risk: l.t(x.risk.label_zh(), x.risk.label_en()).to_string(),
                }
            })
            .collect(),
        measures_due: due.to_string(),
        measures_rule: if l.is_en() {
            format!("within {measures_days} days of the identification ({identified_on})")
        } else {
            format!("认定（{identified_on}）后{measures_days}天内")
        },
        measures_overdue: at_risk && measures.is_empty() && due < today(),
        measures: measures
            .iter()
            .map(|r| {
                let m = &r.measure;
                (
                    l.t(m.category.label_zh(), m.category.label_en())
                        .to_string(),
                    m.content.clone(),
                    l.t(m.state.label_zh(), m.state.label_en()).to_string(),
                )
            })
            .collect(),
        can_view_plan: h.allows(&s, Action::ViewAssistance),
        no,
        head,
        ctx: Ctx::of(&s).crumbs(crumbs),
    }))
}
