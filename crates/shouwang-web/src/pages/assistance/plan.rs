//! `/cases/{id}/plan`: 一户一策 — the household and its case, the plan in words, the measures
//! (category, content, risk, dates, amount in 元, unit, person responsible, state, and whether
//! it runs past the elimination by policy), a form to add one, and per measure a form to change
//! it and one to end it. A refused form is shown again with what was typed and the reason;
//! nothing is written.

use super::{acting, messages, value};
use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::identification::{place, risk_words, short_name, term};
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use shouwang_app::assistance as app;
use shouwang_core::access::Action;
use shouwang_core::assistance::{parse_amount, Measure, MeasureCategory, MeasureState, Plan};
use shouwang_core::income::yuan_text;
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::assistance::MeasureRecord;
use shouwang_store::identification::CaseRecord;

/// One option of a select.
pub(super) struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// The fields of a measure form, as stored or as typed.
pub(super) struct MeasureForm {
    dom_id: String,
    action: String,
    button_id: String,
    categories: Vec<Opt>,
    risks: Vec<Opt>,
    states: Vec<Opt>,
    content: String,
    start: String,
    end: String,
    amount: String,
    unit: String,
    responsible: String,
    errors: Vec<String>,
    open: bool,
}

pub(super) struct MeasureRow {
    id: i64,
    category: String,
    content: String,
    risk: String,
    start: String,
    end: String,
    amount: String,
    unit: String,
    responsible: String,
    state: String,
    state_class: &'static str,
    ended_on: String,
    runs_past: String,
    ended: bool,
    /// the end form is shown (a measure not ended, on a case under assistance or one that runs
    /// past the elimination)
    endable: bool,
    edit: Option<MeasureForm>,
    end_value: String,
    end_errors: Vec<String>,
    end_open: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: Ctx,
    term: &'static str,
    id: i64,
    no: String,
    head: String,
    place: String,
    case_type: String,
    risks: String,
    status: String,
    identified_on: String,
    measures_due: String,
    measures_rule: String,
    measures_late: bool,
    closed: bool,
    can_edit: bool,
    version: i64,
    summary: String,
    summary_errors: Vec<String>,
    top_errors: Vec<String>,
    rows: Vec<MeasureRow>,
    new_form: Option<MeasureForm>,
}

/// What a refused form sent: which form (`plan`, `new`, `edit-{id}`, `end-{id}`), its fields
/// and why it was refused.
#[derive(Default)]
struct Sent {
    form: String,
    fields: Vec<(String, String)>,
    errors: Vec<String>,
}

impl Sent {
    fn get(&self, form: &str, name: &str) -> Option<String> {
        (self.form == form).then(|| value(&self.fields, name))
    }
}

/// The case `id` (text from the path) and its household, if the user may see its plan.
async fn visible_case(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<(CaseRecord, VisibleHousehold), AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let record = state
        .db(move |st| st.monitoring_case(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let h = access::household_for(
        state,
        s,
        record.case.household_no.clone(),
        Action::ViewAssistance,
        access::unseen,
    )
    .await?;
    Ok((record, h))
}

/// The same, for a write: one the role may not make is "not allowed".
async fn writable_case(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<(CaseRecord, VisibleHousehold), AppError> {
    let (record, h) = visible_case(state, s, id).await?;
    s.scope
        .decide(Action::Assist, h.target())
        .map_err(access::not_allowed)?;
    Ok((record, h))
}

fn options<T: Copy + PartialEq>(
    l: L,
    all: &[T],
    code: impl Fn(T) -> i64,
    label: impl Fn(T) -> (&'static str, &'static str),
    chosen: &str,
) -> Vec<Opt> {
    all.iter()
        .map(|x| {
            let (zh, en) = label(*x);
            let v = code(*x).to_string();
            Opt {
                selected: v == chosen.trim(),
                value: v,
                label: l.t(zh, en).to_string(),
            }
        })
        .collect()
}

/// A measure form: `stored` (or a new one's defaults), overridden by what was typed when this
/// form was the one refused.
fn measure_form(
    l: L,
    key: &str,
    stored: Option<&MeasureRecord>,
    sent: &Sent,
    case_id: i64,
    today: Date,
) -> MeasureForm {
    let m = stored.map(|r| &r.measure);
    let pick = |name: &str, from_stored: String| sent.get(key, name).unwrap_or(from_stored);
    let category = pick(
        "category",
        m.map_or(String::new(), |m| m.category.code().to_string()),
    );
    let risk = pick(
        "risk",
        m.and_then(|m| m.risk)
            .map_or(String::new(), |r| r.code().to_string()),
    );
    let state = pick(
        "state",
        m.map_or(MeasureState::Planned, |m| m.state)
            .code()
            .to_string(),
    );
    // a stored measure may become only what its state allows; a new one is planned or in place
    let allowed: Vec<MeasureState> = match m {
        Some(m) => MeasureState::ALL
            .iter()
            .copied()
            .filter(|s| m.state.may_become(*s) && *s != MeasureState::Ended)
            .collect(),
        None => vec![MeasureState::Planned, MeasureState::InPlace],
    };
    let (dom_id, action, button_id) = match stored {
        Some(r) => (
            format!("measure-{}-edit", r.id),
            format!("/measures/{}", r.id),
            format!("measure-{}-save", r.id),
        ),
        None => (
            "measure-new".to_string(),
            format!("/cases/{case_id}/measures"),
            "measure-save".to_string(),
        ),
    };
    MeasureForm {
        categories: options(
            l,
            MeasureCategory::ALL,
            |c| c.code(),
            |c| (c.label_zh(), c.label_en()),
            &category,
        ),
        risks: options(
            l,
            RiskType::ALL,
            |r| r.code(),
            |r| (r.label_zh(), r.label_en()),
            &risk,
        ),
        states: options(
            l,
            &allowed,
            |s| s.code(),
            |s| (s.label_zh(), s.label_en()),
            &state,
        ),
        content: pick("content", m.map_or(String::new(), |m| m.content.clone())),
        start: pick(
            "start",
            m.map_or(today.to_string(), |m| m.start.to_string()),
        ),
        end: pick(
            "end",
            m.and_then(|m| m.end)
                .map_or(String::new(), |d| d.to_string()),
        ),
        amount: pick(
            "amount",
            m.and_then(|m| m.amount)
                .map_or(String::new(), |a| a.to_string()),
        ),
        unit: pick("unit", m.map_or(String::new(), |m| m.unit.clone())),
        responsible: pick(
            "responsible",
            m.map_or(String::new(), |m| m.responsible.clone()),
        ),
        errors: if sent.form == key {
            sent.errors.clone()
        } else {
            Vec::new()
        },
        open: sent.form == key,
        dom_id,
        action,
        button_id,
    }
}

fn date_field(form: &[(String, String)], name: &str, problems: &mut Vec<Problem>) -> Option<Date> {
    let text = value(form, name);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let d = Date::parse(text);
    if d.is_none() {
        problems.push(Problem::new(
            ProblemCode::DateInvalid,
            name,
            format!("“{text}”不是有效日期（格式：2026-03-01）"),
            format!("'{text}' is not a date (as 2026-03-01)"),
        ));
    }
    d
}

fn code_field<T>(
    form: &[(String, String)],
    name: &str,
    from: impl Fn(i64) -> Option<T>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let text = value(form, name);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let v = text.parse::<i64>().ok().and_then(from);
    if v.is_none() {
        problems.push(Problem::new(
            ProblemCode::Invalid,
            name,
            format!("“{text}”不是可选的值"),
            format!("'{text}' is not one of the choices"),
        ));
    }
    v
}

/// Reads a measure from a form (category and state as code numbers, the amount in 元): what
/// cannot be read is refused here, the rest is core's to check.
pub(crate) fn parse_measure(form: &[(String, String)]) -> Result<Measure, Vec<Problem>> {
    let mut problems = Vec::new();
    let category = code_field(form, "category", MeasureCategory::from_code, &mut problems);
    if category.is_none() && problems.is_empty() {
        problems.push(Problem::new(
            ProblemCode::Invalid,
            "category",
            "请选择措施类别",
            "choose the category",
        ));
    }
    let risk = code_field(form, "risk", RiskType::from_code, &mut problems);
    let start = date_field(form, "start", &mut problems);
    if start.is_none() && value(form, "start").trim().is_empty() {
        problems.push(Problem::new(
            ProblemCode::DateInvalid,
            "start",
            "须填写开始日期",
            "the start is required",
        ));
    }
    let end = date_field(form, "end", &mut problems);
    let amount = match parse_amount(&value(form, "amount")) {
        Ok(a) => a,
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let state = code_field(form, "state", MeasureState::from_code, &mut problems)
        .unwrap_or(MeasureState::Planned);
    let ended_on = date_field(form, "ended_on", &mut problems);
    match (category, start) {
        (Some(category), Some(start)) if problems.is_empty() => Ok(Measure {
            category,
            content: value(form, "content").trim().to_string(),
            risk,
            start,
            end,
            amount,
            unit: value(form, "unit").trim().to_string(),
            responsible: value(form, "responsible").trim().to_string(),
            state,
            ended_on,
        }),
        _ => Err(problems),
    }
}

fn version_of(form: &[(String, String)]) -> i64 {
    value(form, "version").trim().parse().unwrap_or(-1)
}

/// GET /cases/{id}/plan
pub(super) async fn plan_page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> PageResult {
    let (record, h) = visible_case(&state, &s, &id).await?;
    show(&state, &s, record, &h, Sent::default(), StatusCode::OK).await
}

async fn show(
    state: &AppState,
    s: &Session,
    record: CaseRecord,
    h: &VisibleHousehold,
    sent: Sent,
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let today = today();
    let case_id = record.id;
    let village = record.village.clone();
    let county = RegionCode::parse(&record.county).unwrap_or_else(|| village.clone());
    let (plan, measures, identified_on, limits, village_name) = state
        .db(move |st| {
            let identified_on = st.case_identified_on(case_id)?;
            Ok((
                st.plan_of_case(case_id)?,
                st.measures_of_case(case_id)?,
                identified_on,
                app::limits(st, &county, identified_on.year())?,
                st.region(&village)?.map(|r| r.name).unwrap_or_default(),
            ))
        })
        .await?;
    let c = &record.case;
    let closed = c.status != CaseStatus::AtRisk;
    let can_edit = h.allows(s, Action::Assist);
    let due = identified_on.add_days(limits.measures_days);
    let rows = measures
        .iter()
        .map(|r| {
            let m = &r.measure;
            let ended = m.state == MeasureState::Ended;
            let end_key = format!("end-{}", r.id);
            let runs_on = m.category.runs_past_elimination();
            MeasureRow {
                id: r.id,
                category: l
                    .t(m.category.label_zh(), m.category.label_en())
                    .to_string(),
                content: m.content.clone(),
                risk: m.risk.map_or("—".to_string(), |x| {
                    l.t(x.label_zh(), x.label_en()).to_string()
                }),
                start: m.start.to_string(),
                end: m
                    .end
                    .map_or(l.t("长期", "open-ended").to_string(), |d| d.to_string()),
                amount: m.amount.map_or("—".to_string(), yuan_text),
                unit: m.unit.clone(),
                responsible: m.responsible.clone(),
                state: l.t(m.state.label_zh(), m.state.label_en()).to_string(),
                state_class: match m.state {
                    MeasureState::Planned => "planned",
                    MeasureState::InPlace => "inplace",
                    MeasureState::Ended => "ended",
                },
                ended_on: m.ended_on.map_or(String::new(), |d| d.to_string()),
                runs_past: runs_on.map_or(String::new(), |(zh, en)| l.t(zh, en).to_string()),
                ended,
                endable: can_edit && !ended && (!closed || runs_on.is_some()),
                edit: (can_edit && !ended && !closed).then(|| {
                    measure_form(l, &format!("edit-{}", r.id), Some(r), &sent, case_id, today)
                }),
                end_value: sent
                    .get(&end_key, "ended_on")
                    .unwrap_or_else(|| today.to_string()),
                end_errors: if sent.form == end_key {
                    sent.errors.clone()
                } else {
                    Vec::new()
                },
                end_open: sent.form == end_key,
            }
        })
        .collect::<Vec<_>>();
    let head = if record.head_name.is_empty() {
        c.household_no.clone()
    } else {
        record.head_name.clone()
    };
    let village_short = short_name(&village_name).to_string();
    let crumbs = vec![
        Crumb::link(
            format!("/regions/{}", record.village),
            village_short.clone(),
        ),
        Crumb::link(format!("/households/{}", c.household_no), head.clone()),
        Crumb::link(
            format!("/cases/{case_id}"),
            l.t("监测档案", "Monitoring case"),
        ),
        Crumb::here(l.t("帮扶计划", "Assistance plan")),
    ];
    // a refusal shows in its form, or at the top when that form is not shown (a closed case)
    let shown = |form: &str| {
        let end = form
            .strip_prefix("end-")
            .and_then(|id| rows.iter().find(|r| r.id.to_string() == id))
            .is_some_and(|r| r.endable);
        end || (can_edit
            && !closed
            && (form == "plan" || form == "new" || form.starts_with("edit-")))
    };
    let top_errors = if shown(&sent.form) {
        Vec::new()
    } else {
        sent.errors.clone()
    };
    let page = PlanPage {
        term: term(l),
        id: case_id,
        no: c.household_no.clone(),
        place: place(l, &village_short, &record.group),
        case_type: l
            .t(c.case_type.label_zh(), c.case_type.label_en())
            .to_string(),
        risks: risk_words(l, &c.risks),
        status: l.t(c.status.label_zh(), c.status.label_en()).to_string(),
        identified_on: identified_on.to_string(),
        measures_due: due.to_string(),
        measures_rule: if l.is_en() {
            format!(
                "within {} days of the identification ({identified_on})",
                limits.measures_days
            )
        } else {
            format!("认定（{identified_on}）后{}天内", limits.measures_days)
        },
        measures_late: !closed && measures.is_empty() && due < today,
        closed,
        can_edit: can_edit && !closed,
        version: plan.version,
        summary: sent
            .get("plan", "summary")
            .unwrap_or_else(|| plan.plan.summary.clone()),
        summary_errors: if sent.form == "plan" {
            sent.errors.clone()
        } else {
            Vec::new()
        },
        top_errors,
        new_form: (can_edit && !closed)
            .then(|| measure_form(l, "new", None, &sent, case_id, today)),
        rows,
        head,
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(page)).into_response())
}

/// A write refused: the page again, with what was typed and why (or, when someone else wrote
/// first, how the plan stands now).
async fn refused(
    state: &AppState,
    s: &Session,
    case_id: i64,
    h: &VisibleHousehold,
    e: AppError,
    mut sent: Sent,
) -> PageResult {
    let l = s.l();
    let status = match &e {
        AppError::Invalid(problems) => {
            sent.errors = messages(l, problems);
            e.status()
        }
        AppError::Stale => {
            sent.errors = vec![l
                .t(
                    "其他人刚刚修改了该户的帮扶计划，未保存任何内容。以下是最新情况，请确认后重新操作。",
                    "Someone else has just changed this household's plan; nothing was saved. Here is how it stands now: check it and try again.",
                )
                .to_string()];
            StatusCode::CONFLICT
        }
        _ => return Err(e.into()),
    };
    let record = state
        .db(move |st| st.monitoring_case(case_id))
        .await?
        .ok_or(AppError::NotFound)?;
    show(state, s, record, h, sent, status).await
}

/// POST /cases/{id}/plan: the plan in words.
pub(super) async fn save_plan(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (record, h) = writable_case(&state, &s, &id).await?;
    let plan = Plan {
        summary: value(&form, "summary"),
    };
    let (who, case_id, version) = (acting(&s), record.id, version_of(&form));
    match state
        .db(move |st| app::save_plan(st, &who, case_id, version, &plan))
        .await
    {
        Ok(_) => Ok(saved(
            &format!("/cases/{case_id}/plan"),
            "已保存帮扶思路",
            "The plan was saved",
        )),
        Err(e) => {
            let sent = Sent {
                form: "plan".into(),
                fields: form,
                errors: Vec::new(),
            };
            refused(&state, &s, case_id, &h, e, sent).await
        }
    }
}

/// POST /cases/{id}/measures: a new measure.
pub(super) async fn add_measure(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (record, h) = writable_case(&state, &s, &id).await?;
    let case_id = record.id;
    let sent = Sent {
        form: "new".into(),
        fields: form.clone(),
        errors: Vec::new(),
    };
    let measure = match parse_measure(&form) {
        Ok(m) => m,
        Err(p) => return refused(&state, &s, case_id, &h, AppError::Invalid(p), sent).await,
    };
    let (who, version, today) = (acting(&s), version_of(&form), today());
    match state
        .db(move |st| app::add_measure(st, &who, case_id, version, &measure, today))
        .await
    {
        Ok((_, m)) => {
            let x = &m.measure;
            Ok(saved(
                &format!("/cases/{case_id}/plan"),
                format!(
                    "已添加措施：{}（{}），{}起",
                    x.category.label_zh(),
                    x.state.label_zh(),
                    x.start
                ),
                format!(
                    "Measure added: {} ({}), from {}",
                    x.category.label_en(),
                    x.state.label_en(),
                    x.start
                ),
            ))
        }
        Err(e) => refused(&state, &s, case_id, &h, e, sent).await,
    }
}

/// The measure `id` (text from the path) and its case, if the user may change it.
async fn writable_measure(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<(MeasureRecord, CaseRecord, VisibleHousehold), AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let m = state
        .db(move |st| st.measure(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let (record, h) = writable_case(state, s, &m.case_id.to_string()).await?;
    Ok((m, record, h))
}

/// POST /measures/{id}: a measure changed.
pub(super) async fn update_measure(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (m, record, h) = writable_measure(&state, &s, &id).await?;
    let case_id = record.id;
    let sent = Sent {
        form: format!("edit-{}", m.id),
        fields: form.clone(),
        errors: Vec::new(),
    };
    let measure = match parse_measure(&form) {
        Ok(x) => x,
        Err(p) => return refused(&state, &s, case_id, &h, AppError::Invalid(p), sent).await,
    };
    let (who, version, today, mid) = (acting(&s), version_of(&form), today(), m.id);
    match state
        .db(move |st| app::update_measure(st, &who, mid, version, &measure, today))
        .await
    {
        Ok((_, after)) => Ok(saved(
            &format!("/cases/{case_id}/plan"),
            format!(
                "已修改措施：{}（{}）",
                after.measure.category.label_zh(),
                after.measure.state.label_zh()
            ),
            format!(
                "Measure changed: {} ({})",
                after.measure.category.label_en(),
                after.measure.state.label_en()
            ),
        )),
        Err(e) => refused(&state, &s, case_id, &h, e, sent).await,
    }
}

/// POST /measures/{id}/end: a measure ended on the day given.
pub(super) async fn end_measure(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (m, record, h) = writable_measure(&state, &s, &id).await?;
    let case_id = record.id;
    let sent = Sent {
        form: format!("end-{}", m.id),
        fields: form.clone(),
        errors: Vec::new(),
    };
    let mut problems = Vec::new();
    let ended_on = date_field(&form, "ended_on", &mut problems);
    if !problems.is_empty() {
        return refused(&state, &s, case_id, &h, AppError::Invalid(problems), sent).await;
    }
    let (who, version, today, mid) = (acting(&s), version_of(&form), today(), m.id);
    match state
        .db(move |st| app::end_measure(st, &who, mid, version, ended_on, today))
        .await
    {
        Ok((_, after)) => {
            let on = after
                .measure
                .ended_on
                .map(|d| d.to_string())
                .unwrap_or_default();
            Ok(saved(
                &format!("/cases/{case_id}/plan"),
                format!(
                    "已结束措施：{}，结束于{on}",
                    after.measure.category.label_zh()
                ),
                format!(
                    "Measure ended: {}, on {on}",
                    after.measure.category.label_en()
                ),
            ))
        }
        Err(e) => refused(&state, &s, case_id, &h, e, sent).await,
    }
}
