//! A household's incomes with the 人均纯收入 computation, and its dated 三保障 / water flags.
//!
//! Who may see and do what is decided by the extractors of [`crate::access`].

use super::{render, Ctx};
use crate::access::{self, EditableHousehold, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::Action;
use shouwang_core::date::YearMonth;
use shouwang_core::income::{twelve_months_before, Income, IncomePeriod};
use shouwang_core::money::format_hundredths;
use shouwang_core::{Date, Fen, Problem, ProblemCode};
use shouwang_store::income::Guarantees;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/households/{no}/income",
            get(income_page).post(save_income),
        )
        .route("/households/{no}/guarantees", post(save_guarantees))
}

/// (period, fields, net income, per capita)
type IncomeRow = (String, Vec<(String, String)>, String, String);
type Params = HashMap<String, String>;

fn yuan(f: Fen) -> String {
    format_hundredths(f.0)
}

fn problems_text(s: &Session, problems: &[Problem]) -> Vec<String> {
    let l = s.l();
    problems
        .iter()
        .map(|p| (if l.is_en() { &p.en } else { &p.zh }).clone())
        .collect()
}

fn render_ok(t: impl Template) -> PageResult {
    Ok(render(t))
}

// ---------------------------------------------------------------- incomes and flags

#[derive(Template)]
#[template(path = "income.html")]
struct IncomePage {
    ctx: Ctx,
    no: String,
    size: i64,
    can_edit: bool,
    records: Vec<IncomeRow>,
    window: Vec<(String, String)>,
    flags: Vec<(String, String, String)>,
    problems: Vec<String>,
    year: i32,
    today: String,
}

async fn income_page(State(state): State<AppState>, s: Session, h: VisibleHousehold) -> PageResult {
    income_view(&state, &s, &h, Vec::new()).await
}

/// A household's incomes and flags, with the problems of a form just sent.
async fn income_view(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
    problems: Vec<String>,
) -> PageResult {
    let rec = &h.record;
    let l = s.l();
    let n = rec.household.household_no.clone();
    let (incomes, flags) = state
        .db(move |st| Ok((st.incomes(&n)?, st.guarantees(&n)?)))
        .await?;
    let size = rec.members.iter().filter(|m| m.is_alive()).count() as i64;
    let step = |zh: &str, en: &str, v: Option<Fen>| {
        (
            l.t(zh, en).to_string(),
            v.map(|f| format!("{} {}", yuan(f), l.t("元", "yuan")))
                .unwrap_or_default(),
        )
    };
    let records = incomes
        .iter()
        .map(|i| {
            let fields = i
                .fields()
                .iter()
                .map(|(_, zh, en, v)| (l.t(zh, en).to_string(), yuan(*v)))
                .collect();
            let pc = i.net_income_per_capita(size).map_or("—".to_string(), yuan);
            (
                l.t(&i.period.label_zh(), &i.period.label_en()).to_string(),
                fields,
                yuan(i.net_income()),
                pc,
            )
        })
        .collect();
    let today = today();
    let window = twelve_months_before(&incomes, YearMonth::of(today))
        .map(|w| {
            w.explain(size)
                .into_iter()
                .map(|st| step(&st.zh, &st.en, st.value))
                .collect()
        })
        .unwrap_or_default();
    let yes = |v: bool| if v { l.t("是", "yes") } else { "" };
    let flags = flags
        .iter()
        .map(|g| {
            let mut set = Vec::new();
            for (on, zh, en) in [
                (g.unsafe_housing, "住房不安全", "unsafe housing"),
                (g.dropout, "义务教育辍学", "school dropout"),
                (g.uninsured, "未参加基本医保", "uninsured member"),
                (g.unsafe_water, "饮水不安全", "unsafe water"),
                (g.food_clothing, "吃穿有困难", "food or clothing"),
            ] {
                if !yes(on).is_empty() {
                    set.push(l.t(zh, en).to_string());
                }
            }
            let text = if set.is_empty() {
                l.t("均已保障", "all secure").to_string()
            } else {
                set.join("、")
            };
            (g.as_of.to_string(), text, g.source.clone())
        })
        .collect();
    render_ok(IncomePage {
        no: rec.household.household_no.clone(),
        size,
        can_edit: h.allows(s, Action::EditRegistry),
        records,
        window,
        flags,
        problems,
        year: today.year(),
        today: today.to_string(),
        ctx: Ctx::of(s),
    })
}

fn amount(p: &Params, key: &str, problems: &mut Vec<Problem>) -> Fen {
    let text = p.get(key).map(|t| t.trim()).unwrap_or_default();
    if text.is_empty() {
        return Fen(0);
    }
    match Fen::parse_yuan(text) {
        Ok(f) => f,
        Err(e) => {
            problems.push(Problem::new(
                ProblemCode::MoneyInvalid,
                key.to_string(),
                format!("“{text}”不是有效金额（{}）", e.zh()),
                format!("'{text}' is not a valid amount ({e})"),
            ));
            Fen(0)
        }
    }
}

/// POST /households/{no}/income: records one period's income (amounts in 元).
async fn save_income(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(p): Form<Params>,
) -> PageResult {
    let no = rec.household.household_no.clone();
    let mut problems = Vec::new();
    let year: i32 = p
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(0);
    let quarter: u8 = p
        .get("quarter")
        .and_then(|q| q.trim().parse().ok())
        .unwrap_or(0);
    let period = if quarter == 0 {
        IncomePeriod::year(year)
    } else {
        IncomePeriod::quarter(year, quarter)
    };
    let income = Income {
        wages: amount(&p, "wages", &mut problems),
        business: amount(&p, "business", &mut problems),
        property: amount(&p, "property", &mut problems),
        transfers: amount(&p, "transfers", &mut problems),
        production_costs: amount(&p, "production_costs", &mut problems),
        insurance_payouts: amount(&p, "insurance_payouts", &mut problems),
        out_of_pocket_medical: amount(&p, "out_of_pocket_medical", &mut problems),
        ..Income::empty(period)
    };
    if problems.is_empty() {
        let actor = s.actor();
        let n = no.clone();
        match state
            .db(move |st| st.save_income(&actor, &n, &income))
            .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/households/{no}/income")).into_response()),
            Err(AppError::Invalid(p)) => problems = p,
            Err(e) => return Err(e.into()),
        }
    }
    let texts = problems_text(&s, &problems);
    income_again(&state, &s, no, texts).await
}

/// The income page again after a form, with its problems (the household is read anew).
async fn income_again(
    state: &AppState,
    s: &Session,
    no: String,
    problems: Vec<String>,
) -> PageResult {
    let h = access::visible_household(state, s, no).await?;
    income_view(state, s, &h, problems).await
}

/// POST /households/{no}/guarantees: records the 三保障 and water state as of a date.
async fn save_guarantees(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(p): Form<Params>,
) -> PageResult {
    let no = rec.household.household_no.clone();
    let on = |k: &str| p.get(k).is_some_and(|v| !v.is_empty() && v != "0");
    let Some(as_of) = p.get("as_of").and_then(|d| Date::parse(d.trim())) else {
        let texts = problems_text(
            &s,
            &[Problem::new(
                ProblemCode::GuaranteesDate,
                "as_of",
                "核查日期无效",
                "the check date is not valid",
            )],
        );
        return income_again(&state, &s, no, texts).await;
    };
    let g = Guarantees {
        as_of,
        unsafe_housing: on("unsafe_housing"),
        dropout: on("dropout"),
        uninsured: on("uninsured"),
        unsafe_water: on("unsafe_water"),
        food_clothing: on("food_clothing"),
        source: p
            .get("source")
            .map(|t| t.trim().to_string())
            .unwrap_or_default(),
    };
    let actor = s.actor();
    let n = no.clone();
    match state.db(move |st| st.save_guarantees(&actor, &n, &g)).await {
        Ok(()) => Ok(Redirect::to(&format!("/households/{no}/income")).into_response()),
        Err(AppError::Invalid(problems)) => {
            let texts = problems_text(&s, &problems);
            income_again(&state, &s, no, texts).await
        }
        Err(e) => Err(e.into()),
    }
}
