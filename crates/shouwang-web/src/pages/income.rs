//! A household's incomes with its one 人均纯收入 (the figure the screening uses, from
//! [`shouwang_core::income::household_income`], with its basis named), and its dated 三保障 /
//! water flags. Both forms keep what was typed when refused and name each problem beside its
//! field; a save ends back here with a message saying what was saved.
//!
//! Who may see and do what is decided by the extractors of [`crate::access`].

use super::{render, saved, Crumb, Ctx};
use crate::access::{self, EditableHousehold, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::Action;
use shouwang_core::codes::Relation;
use shouwang_core::date::YearMonth;
use shouwang_core::income::{
    household_income, quarter_name_en, quarter_name_zh, yuan_text, Income, IncomePeriod,
};
use shouwang_core::money::AmountError;
use shouwang_core::{Date, Fen, Lang, Problem, ProblemCode};
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

type Params = HashMap<String, String>;

/// The seven amounts of the income form, in form order, with their section.
const AMOUNTS: [(&str, &str, &str, Section); 7] = [
    ("wages", "工资性收入", "Wages", Section::Income),
    (
        "business",
        "生产经营性收入",
        "Business income",
        Section::Income,
    ),
    ("property", "财产性收入", "Property income", Section::Income),
    (
        "transfers",
        "转移性收入",
        "Transfer income",
        Section::Income,
    ),
    (
        "production_costs",
        "生产经营性支出",
        "Production costs",
        Section::Other,
    ),
    (
        "insurance_payouts",
        "理赔收入",
        "Insurance payouts",
        Section::Other,
    ),
    (
        "out_of_pocket_medical",
        "合规自付支出",
        "Compliant out-of-pocket medical costs",
        Section::Other,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// the four incomes of 纯收入
    Income,
    /// costs and amounts recorded beside them
    Other,
}

/// The three guarantees and water flags of the form, as stored.
const FLAGS: [(&str, &str, &str); 5] = [
    ("unsafe_housing", "住房不安全", "Unsafe housing"),
    (
        "dropout",
        "义务教育阶段辍学",
        "School dropout (compulsory education)",
    ),
    (
        "uninsured",
        "有成员未参加基本医保",
        "A member without basic medical insurance",
    ),
    ("unsafe_water", "饮水不安全", "Unsafe drinking water"),
    (
        "food_clothing",
        "吃穿有困难",
        "Food or clothing difficulties",
    ),
];

/// One input of a form: what is shown in it and the problem beside it.
struct Field {
    key: &'static str,
    label: String,
    value: String,
    problem: String,
}

/// One option of a list.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One flag of the 三保障 form.
struct Flag {
    key: &'static str,
    label: String,
    checked: bool,
}

/// One income record as the table shows it.
struct RecordRow {
    period: String,
    amounts: Vec<(String, String)>,
    net: String,
    per_capita: String,
    /// the record is part of the household's figure
    used: bool,
}

/// The household's one figure.
struct FigureView {
    per_capita: String,
    basis: String,
    /// the computation, step by step (each step ends with its result)
    steps: Vec<String>,
}

/// A 三保障 check as the history lists it.
struct CheckRow {
    as_of: String,
    problems: String,
    source: String,
}

#[derive(Template)]
#[template(path = "income.html")]
struct IncomePage {
    ctx: Ctx,
    no: String,
    size: i64,
    can_edit: bool,
    year: i32,
    figure: Option<FigureView>,
    columns: Vec<String>,
    records: Vec<RecordRow>,
    checks: Vec<CheckRow>,
    /// the income form: year, quarter, amounts by section, problems not tied to a field
    income_year: Field,
    quarter_problem: String,
    quarters: Vec<Choice>,
    incomes: Vec<Field>,
    others: Vec<Field>,
    income_problems: Vec<String>,
    /// the income form was sent and refused
    income_refused: bool,
    /// the 三保障 form
    as_of: Field,
    flags: Vec<Flag>,
    flag_source: String,
    guarantee_problems: Vec<String>,
}

/// What a refused form sent, to show it again with its problems.
enum Sent {
    Nothing,
    Income(Params, Vec<Problem>),
    Guarantees(Params, Vec<Problem>),
}

async fn income_page(State(state): State<AppState>, s: Session, h: VisibleHousehold) -> PageResult {
    income_view(&state, &s, &h, Sent::Nothing).await
}

/// The name a household is shown by: its head's name (户编号 when no head is recorded).
fn household_name(h: &VisibleHousehold) -> String {
    h.record
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .map_or_else(
            || h.record.household.household_no.clone(),
            |m| m.name.clone(),
        )
}

/// The text of a problem in the session's language.
fn text_of(s: &Session, p: &Problem) -> String {
    (if s.l().is_en() { &p.en } else { &p.zh }).clone()
}

/// A household's incomes and flags, with what a refused form sent.
async fn income_view(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
    sent: Sent,
) -> PageResult {
    let rec = &h.record;
    let l = s.l();
    let no = rec.household.household_no.clone();
    let village = rec.household.village.clone();
    let n = no.clone();
    let (incomes, checks, village_name) = state
        .db(move |st| {
            Ok((
                st.incomes(&n)?,
                st.guarantees(&n)?,
                st.region(&village)?.map(|r| r.name),
            ))
        })
        .await?;
    let size = rec.members.iter().filter(|m| m.is_alive()).count() as i64;
    let today = today();
    let year = today.year();
    let yuan = |f: Fen| yuan_text(f);
    let figure = household_income(&incomes, year, YearMonth::of(today), size);
    let used = |p: IncomePeriod| figure.as_ref().is_some_and(|f| f.periods.contains(&p));
    let records = incomes
        .iter()
        .rev()
        .map(|i| RecordRow {
            period: l.t(&i.period.title_zh(), &i.period.title_en()).to_string(),
            amounts: i
                .fields()
                .iter()
                .map(|(_, zh, en, v)| (l.t(zh, en).to_string(), yuan(*v)))
                .collect(),
            net: yuan(i.net_income()),
            per_capita: i.net_income_per_capita(size).map_or("—".to_string(), yuan),
            used: used(i.period),
        })
        .collect();
    let columns = Income::empty(IncomePeriod::year(year))
        .fields()
        .iter()
        .map(|(_, zh, en, _)| l.t(zh, en).to_string())
        .collect();
    let figure = figure.map(|f| FigureView {
        per_capita: f.per_capita.map_or("—".to_string(), yuan),
        basis: l.t(&f.basis.label_zh(), &f.basis.label_en()).to_string(),
        steps: f
            .explain()
            .into_iter()
            .map(|st| l.t(&st.zh, &st.en).to_string())
            .collect(),
    });
    let check_rows = checks
        .iter()
        .map(|g| CheckRow {
            as_of: g.as_of.to_string(),
            problems: flags_text(l, g),
            source: g.source.clone(),
        })
        .collect();

    // the income form: empty, or what was sent with its problems beside the fields
    let (sent_income, income_problems) = match &sent {
        Sent::Income(p, problems) => (Some(p), problems.as_slice()),
        _ => (None, &[][..]),
    };
    let problem_of = |key: &str| {
        income_problems
            .iter()
            .filter(|p| p.field == key)
            .map(|p| text_of(s, p))
            .collect::<Vec<_>>()
            .join("；")
    };
    let typed = |key: &str| {
        sent_income
            .and_then(|p| p.get(key))
            .map(|v| v.trim().to_string())
    };
    let field = |key: &'static str, zh: &str, en: &str| Field {
        key,
        label: l.t(zh, en).to_string(),
        value: typed(key).unwrap_or_default(),
        problem: problem_of(key),
    };
    let income_year = Field {
        value: typed("year").unwrap_or_else(|| year.to_string()),
        ..field("year", "年度", "Year")
    };
    let asked_quarter = typed("quarter").unwrap_or_else(|| "0".into());
    let quarters = std::iter::once(None)
        .chain((1..=4).map(Some))
        .map(|q: Option<u8>| {
            let value = q.unwrap_or(0).to_string();
            Choice {
                selected: value == asked_quarter,
                label: l.t(&quarter_name_zh(q), &quarter_name_en(q)).to_string(),
                value,
            }
        })
        .collect();
    let section = |which: Section| {
        AMOUNTS
            .iter()
            .filter(|a| a.3 == which)
            .map(|&(key, zh, en, _)| field(key, zh, en))
            .collect::<Vec<_>>()
    };
    let form_keys = ["year", "quarter"]
        .into_iter()
        .chain(AMOUNTS.iter().map(|a| a.0))
        .collect::<Vec<_>>();
    let others_income = income_problems
        .iter()
        .filter(|p| !form_keys.contains(&p.field.as_str()))
        .map(|p| text_of(s, p))
        .collect();

    // the 三保障 form: the flags stored (the newest check), or what was sent
    let current = checks.first();
    let (as_of, flags, flag_source, guarantee_problems) = match &sent {
        Sent::Guarantees(p, problems) => (
            Field {
                key: "as_of",
                label: l.t("核查日期", "Date of the check").to_string(),
                value: p
                    .get("as_of")
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default(),
                problem: problems
                    .iter()
                    .filter(|x| x.field == "as_of")
                    .map(|x| text_of(s, x))
                    .collect::<Vec<_>>()
                    .join("；"),
            },
            FLAGS
                .iter()
                .map(|&(key, zh, en)| Flag {
                    key,
                    label: l.t(zh, en).to_string(),
                    checked: is_on(p, key),
                })
                .collect(),
            p.get("source")
                .map(|v| v.trim().to_string())
                .unwrap_or_default(),
            problems
                .iter()
                .filter(|x| x.field != "as_of")
                .map(|x| text_of(s, x))
                .collect(),
        ),
        _ => (
            Field {
                key: "as_of",
                label: l.t("核查日期", "Date of the check").to_string(),
                value: today.to_string(),
                problem: String::new(),
            },
            FLAGS
                .iter()
                .map(|&(key, zh, en)| Flag {
                    key,
                    label: l.t(zh, en).to_string(),
                    checked: current.is_some_and(|g| flag(g, key)),
                })
                .collect(),
            String::new(),
            Vec::new(),
        ),
    };

    let name = household_name(h);
    let mut crumbs = Vec::new();
    if let Some(v) = village_name {
        crumbs.push(Crumb::link(
            format!("/regions/{}", rec.household.village),
            v,
        ));
    }
    crumbs.push(Crumb::link(format!("/households/{no}"), name));
    crumbs.push(Crumb::here(l.t("收入与三保障", "Incomes and guarantees")));
    Ok(render(IncomePage {
        can_edit: h.allows(s, Action::EditRegistry),
        size,
        year,
        figure,
        columns,
        records,
        checks: check_rows,
        income_year,
        quarter_problem: problem_of("quarter"),
        quarters,
        incomes: section(Section::Income),
        others: section(Section::Other),
        income_problems: others_income,
        income_refused: !income_problems.is_empty(),
        as_of,
        flags,
        flag_source,
        guarantee_problems,
        no,
        ctx: Ctx::of(s).crumbs(crumbs),
    }))
}

fn flag(g: &Guarantees, key: &str) -> bool {
    match key {
        "unsafe_housing" => g.unsafe_housing,
        "dropout" => g.dropout,
        "uninsured" => g.uninsured,
        "unsafe_water" => g.unsafe_water,
        _ => g.food_clothing,
    }
}

/// The problems of a check in words, or "all secure".
fn flags_text(l: L, g: &Guarantees) -> String {
    let set: Vec<&str> = FLAGS
        .iter()
        .filter(|(key, _, _)| flag(g, key))
        .map(|&(_, zh, en)| l.t(zh, en))
        .collect();
    if set.is_empty() {
        l.t("均已保障", "all secure").to_string()
    } else {
        set.join(l.t("、", ", "))
    }
}

fn is_on(p: &Params, key: &str) -> bool {
    p.get(key).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The amount typed in `key`, in 分 (empty is 0); a problem beside the field when it is not an
/// amount to the 分.
fn amount(p: &Params, key: &'static str, problems: &mut Vec<Problem>) -> Fen {
    let text = p.get(key).map(|t| t.trim()).unwrap_or_default();
    if text.is_empty() {
        return Fen(0);
    }
    match Fen::parse_yuan(text) {
        Ok(f) => f,
        Err(AmountError::TooManyDecimals) => {
            problems.push(Problem::new(
                ProblemCode::MoneyInvalid,
                key,
                format!("“{text}”的小数超过两位：金额精确到分，最多两位小数"),
                format!("'{text}' has more than two decimals: amounts go to the fen, two decimals at most"),
            ));
            Fen(0)
        }
        Err(e) => {
            problems.push(Problem::new(
                ProblemCode::MoneyInvalid,
                key,
                format!("“{text}”不是有效金额（{}）", e.zh()),
                format!("'{text}' is not a valid amount ({e})"),
            ));
            Fen(0)
        }
    }
}

/// The store names the period's problems `period.year` / `period.quarter`: shown beside the
/// form's fields of those names.
fn beside_form_fields(problems: Vec<Problem>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|mut p| {
            if let Some(f) = p.field.strip_prefix("period.") {
                p.field = f.to_string();
            }
            p
        })
        .collect()
}

/// POST /households/{no}/income: records one period's income (amounts in 元, to the 分).
async fn save_income(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(p): Form<Params>,
) -> PageResult {
    let no = rec.household.household_no.clone();
    let mut problems = Vec::new();
    let year_text = p.get("year").map(|y| y.trim()).unwrap_or_default();
    let year: i32 = match year_text.parse() {
        Ok(y) => y,
        Err(_) => {
            problems.push(Problem::new(
                ProblemCode::IncomeYear,
                "year",
                format!("年度“{year_text}”应为四位数字，如 2026"),
                format!("the year '{year_text}' should be four digits, e.g. 2026"),
            ));
            0
        }
    };
    let quarter: u8 = match p.get("quarter").map(|q| q.trim()).unwrap_or("0").parse() {
        Ok(q @ 0..=4) => q,
        _ => {
            problems.push(Problem::new(
                ProblemCode::IncomeQuarter,
                "quarter",
                "请从列表中选择全年或一个季度",
                "choose the whole year or a quarter from the list",
            ));
            0
        }
    };
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
            Ok(()) => {
                return Ok(saved(
                    &format!("/households/{no}/income"),
                    format!("已保存 {}收入", period.title_zh()),
                    format!("Saved income for {}", period.title_en()),
                ))
            }
            Err(AppError::Invalid(p)) => problems = beside_form_fields(p),
            Err(e) => return Err(e.into()),
        }
    }
    income_again(&state, &s, no, Sent::Income(p, problems)).await
}

/// The income page again after a refused form (the household is read anew).
async fn income_again(state: &AppState, s: &Session, no: String, sent: Sent) -> PageResult {
    let h = access::visible_household(state, s, no).await?;
    income_view(state, s, &h, sent).await
}

/// POST /households/{no}/guarantees: records the 三保障 and water state as of a date.
async fn save_guarantees(
    State(state): State<AppState>,
    s: Session,
    EditableHousehold(rec): EditableHousehold,
    Form(p): Form<Params>,
) -> PageResult {
    let no = rec.household.household_no.clone();
    let Some(as_of) = p.get("as_of").and_then(|d| Date::parse(d.trim())) else {
        let problem = Problem::new(
            ProblemCode::GuaranteesDate,
            "as_of",
            "核查日期无效，请按 2026-11-30 的格式填写",
            "the date of the check is not valid; write it as 2026-11-30",
        );
        return income_again(&state, &s, no, Sent::Guarantees(p, vec![problem])).await;
    };
    let g = Guarantees {
        as_of,
        unsafe_housing: is_on(&p, "unsafe_housing"),
        dropout: is_on(&p, "dropout"),
        uninsured: is_on(&p, "uninsured"),
        unsafe_water: is_on(&p, "unsafe_water"),
        food_clothing: is_on(&p, "food_clothing"),
        source: p
            .get("source")
            .map(|t| t.trim().to_string())
            .unwrap_or_default(),
    };
    let (zh, en) = (flags_text(L(Lang::Zh), &g), flags_text(L(Lang::En), &g));
    let actor = s.actor();
    let n = no.clone();
    match state.db(move |st| st.save_guarantees(&actor, &n, &g)).await {
        Ok(()) => Ok(saved(
            &format!("/households/{no}/income"),
            format!("已保存 {as_of} 的三保障和饮水安全核查：{zh}"),
            format!("Saved the guarantees and water check of {as_of}: {en}"),
        )),
        Err(AppError::Invalid(problems)) => {
            income_again(&state, &s, no, Sent::Guarantees(p, problems)).await
        }
        Err(e) => Err(e.into()),
    }
}
