//! 促增收 pages: `/reports/income?region=&year=` — per-capita net income of 脱贫 and monitored
//! persons by kind, growth against the rural growth, the share whose income fell, per township
//! or village, and the low-income ledger (低收入户台账) with each household's responsible
//! person; each count links to its households (`/reports/income/households`). An entry
//! (`/reports/income/ledger/{id}`) shows its household's history on the ledger and, for a cadre of
//! its region, the clearing form (销号: how, a note; CSRF, audited). Exports:
//! `/reports/income/export?region=&year=&table=figures|ledger&format=xlsx|csv`.
//!
//! Who may see: [`Action::ViewReports`] in the region; who may clear: [`Action::ClearLowIncome`]
//! in the household's village. An entry outside the user's region is "not found".

use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::pages::layout::{download, XLSX};
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use shouwang_app::income_tracking::{self as it, IncomeReport, Table};
use shouwang_core::access::{Action, Target};
use shouwang_core::income::yuan_text;
use shouwang_core::income_tracking::{permille_text, ClearMethod, Group, GroupFigures, IncomeKind};
use shouwang_core::{Fen, Problem, ProblemCode, RegionCode};
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead};
use std::collections::HashMap;

type Params = HashMap<String, String>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/income", get(income_page))
        .route("/reports/income/households", get(households_page))
        .route("/reports/income/export", get(export))
        .route(
            "/reports/income/ledger/{id}",
            get(entry_page).post(clear_entry),
        )
}

fn year_of(s: &Session, p: &Params) -> Result<i32, AppError> {
    match p.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        None => Ok(today().year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                AppError::BadRequest(
                    s.l()
                        .t(
                            "年度应在2000至2100之间",
                            "the year must be between 2000 and 2100",
                        )
                        .to_string(),
                )
            }),
    }
}

fn money(f: Option<Fen>) -> String {
    f.map(yuan_text).unwrap_or_else(|| "—".into())
}

fn percent(v: Option<i64>) -> String {
    v.map(permille_text).unwrap_or_else(|| "—".into())
}

/// One group's line of the main table.
struct GroupLine {
    label: String,
    households: u64,
    households_href: String,
    persons: i64,
    per_capita: String,
    /// per kind: its label, per-capita amount and growth
    kinds: Vec<(String, String, String)>,
    costs: String,
    previous: String,
    comparable: String,
    comparable_households: u64,
    comparable_href: String,
    growth: String,
    /// "高于" / "低于" the rural growth, or empty
    versus: String,
    beats: Option<bool>,
    fell: u64,
    fell_href: String,
    fell_share: String,
    /// last year's share, and whether this year's is lower
    fell_share_before: String,
    fell_lower: Option<bool>,
}

fn group_line(
    s: &Session,
    region: &str,
    year: i32,
    rural: i64,
    g: &GroupFigures,
    before: Option<&GroupFigures>,
) -> GroupLine {
    let share_before = before.and_then(GroupFigures::fell_permille);
    let l = s.l();
    let href = |which: &str| {
        format!(
            "/reports/income/households?region={region}&year={year}&group={}&which={which}",
            g.group.key()
        )
    };
    let beats = g.beats(rural);
    GroupLine {
        label: l.t(g.group.label_zh(), g.group.label_en()).to_string(),
        households: g.current.households,
        households_href: href("all"),
        persons: g.current.persons,
        per_capita: money(g.current.net_per_capita()),
        kinds: IncomeKind::ALL
            .iter()
            .map(|k| {
                (
                    l.t(k.label_zh(), k.label_en()).to_string(),
                    money(g.current.kind_per_capita(*k)),
                    percent(g.kind_growth_permille(*k)),
                )
            })
            .collect(),
        costs: money(g.current.costs_per_capita()),
        previous: money(g.comparable_previous.net_per_capita()),
        comparable: money(g.comparable.net_per_capita()),
        comparable_households: g.comparable.households,
        comparable_href: href("comparable"),
        growth: percent(g.growth_permille()),
        versus: match beats {
            Some(true) => l.t("高于", "above").to_string(),
            Some(false) => l.t("未高于", "not above").to_string(),
            None => String::new(),
        },
        beats,
        fell: g.fell,
        fell_href: href("fell"),
        fell_share: percent(g.fell_permille()),
        fell_share_before: percent(share_before),
        fell_lower: g
            .fell_permille()
            .zip(share_before)
            .map(|(now, then)| now < then),
    }
}

struct SubRow {
    name: String,
    href: String,
    households: u64,
    households_href: String,
    per_capita: String,
    growth: String,
    beats: Option<bool>,
    fell: u64,
    fell_href: String,
    fell_share: String,
    open: usize,
}

struct LedgerRow {
    href: String,
    household_href: String,
    head: String,
    village: String,
    band: String,
    below_target: bool,
    responsible: String,
    entered: String,
    per_capita: String,
    now: String,
    open: bool,
    state: String,
    /// the year an entry still open was carried from (结转), if not this one
    carried: Option<i32>,
}

#[derive(Template)]
#[template(path = "reports_income.html")]
struct IncomePage {
    ctx: Ctx,
    title: String,
    region: String,
    year: i32,
    prev_year: i32,
    next_year: i32,
    rural: String,
    watch: String,
    target: String,
    kinds: Vec<String>,
    groups: Vec<GroupLine>,
    sub_label: String,
    subs: Vec<SubRow>,
    ledger: Vec<LedgerRow>,
    open: usize,
    below_target: usize,
    cleared: usize,
    export: String,
}

fn short(name: &str) -> String {
    shouwang_core::region::village_short_name(name).to_string()
}

async fn load(
    state: &AppState,
    region: &RegionCode,
    year: i32,
) -> Result<(IncomeReport, HashMap<String, String>), AppError> {
    let r = region.clone();
    state
        .db(move |st| {
            let report = it::report(st, &r, year, today())?;
            let names = it::region_names(st, &report)?;
            Ok((report, names))
        })
        .await
}

async fn income_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let year = year_of(&s, &q)?;
    let (report, names) = load(&state, &region, year).await?;
    let name = names
        .get(region.as_str())
        .cloned()
        .unwrap_or_else(|| region.to_string());
    let rural = report.thresholds.rural_growth_permille;
    let code = region.as_str();
    let groups = report
        .totals
        .iter()
        .map(|g| {
            let before = report.previous_totals.iter().find(|p| p.group == g.group);
            group_line(&s, code, year, rural, g, before)
        })
        .collect();
    let mut open_by: HashMap<String, usize> = HashMap::new();
    for line in report.ledger.iter().filter(|x| x.entry.is_open()) {
        for (sub, _) in &report.rows {
            if line.entry.village.starts_with(sub.as_str()) {
                *open_by.entry(sub.clone()).or_default() += 1;
            }
        }
    }
    let subs = report
        .rows
        .iter()
        .filter_map(|(sub, gs)| {
            let all = gs.iter().find(|g| g.group == Group::All)?;
            let href = |which: &str| {
                format!(
                    "/reports/income/households?region={sub}&year={year}&group=all&which={which}"
                )
            };
            Some(SubRow {
                name: short(names.get(sub).map_or(sub.as_str(), String::as_str)),
                href: format!("/reports/income?region={sub}&year={year}"),
                households: all.current.households,
                households_href: href("all"),
                per_capita: money(all.current.net_per_capita()),
                growth: percent(all.growth_permille()),
                beats: all.beats(rural),
                fell: all.fell,
                fell_href: href("fell"),
                fell_share: percent(all.fell_permille()),
                open: open_by.get(sub).copied().unwrap_or(0),
            })
        })
        .collect();
    let ledger: Vec<LedgerRow> = report
        .ledger
        .iter()
        .map(|x| {
            let e = &x.entry;
            LedgerRow {
                href: format!("/reports/income/ledger/{}", e.id),
                household_href: format!("/households/{}", e.household_no),
                head: if e.head_name.is_empty() {
                    e.household_no.clone()
                } else {
                    e.head_name.clone()
                },
                village: short(
                    names
                        .get(&e.village)
                        .map_or(e.village.as_str(), String::as_str),
                ),
                band: l.t(e.band.label_zh(), e.band.label_en()).to_string(),
                below_target: e.band == shouwang_core::income_tracking::LowIncomeBand::BelowTarget,
                responsible: x
                    .responsible
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| l.t("未结对", "none paired").to_string()),
                entered: e.entered_on.to_string(),
                per_capita: yuan_text(e.per_capita),
                now: money(x.per_capita_now),
                open: e.is_open(),
                carried: (e.year != year).then_some(e.year),
                state: match (e.cleared_on, e.cleared_method) {
                    (Some(d), Some(m)) => format!("{d} {}", l.t(m.label_zh(), m.label_en())),
                    _ => l.t("未销号", "open").to_string(),
                },
            }
        })
        .collect();
    let open = ledger.iter().filter(|r| r.open).count();
    let below_target = ledger.iter().filter(|r| r.open && r.below_target).count();
    let cleared = ledger.len() - open;
    let title = if l.is_en() {
        format!("Income of post-poverty and monitored persons, {name}, {year}")
    } else {
        format!("{name} {year}年脱贫人口和监测对象收入情况")
    };
    let sub_label = match region.level() {
        shouwang_core::RegionLevel::Township => l.t("村", "Village"),
        shouwang_core::RegionLevel::County => l.t("乡镇", "Township"),
        _ => l.t("区县", "County"),
    }
    .to_string();
    let t = report.thresholds;
    Ok(render(IncomePage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/reports", l.t("报表", "Reports")),
            Crumb::here(title.clone()),
        ]),
        title,
        region: region.to_string(),
        year,
        prev_year: year - 1,
        next_year: year + 1,
        rural: permille_text(rural),
        watch: yuan_text(t.watch),
        target: yuan_text(t.target),
        kinds: IncomeKind::ALL
            .iter()
            .map(|k| l.t(k.label_zh(), k.label_en()).to_string())
            .collect(),
        groups,
        sub_label,
        subs,
        ledger,
        open,
        below_target,
        cleared,
        export: format!("/reports/income/export?region={region}&year={year}"),
    }))
}

struct HouseholdRow {
    href: String,
    head: String,
    village: String,
    size: i64,
    now: String,
    before: String,
    fell: bool,
}

#[derive(Template)]
#[template(path = "reports_income_households.html")]
struct HouseholdsPage {
    ctx: Ctx,
    title: String,
    back: String,
    rows: Vec<HouseholdRow>,
}

/// The households behind a figure.
async fn households_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let year = year_of(&s, &q)?;
    let group = q
        .get("group")
        .and_then(|g| Group::parse(g))
        .unwrap_or(Group::All);
    let which = match q.get("which").map(String::as_str) {
        Some("comparable") => "comparable",
        Some("fell") => "fell",
        _ => "all",
    };
    let r = region.clone();
    let (facts, names) = state
        .db(move |st| {
            let facts = it::households_behind(st, &r, year, group, which)?;
            let mut names = HashMap::new();
            for h in &facts {
                if !names.contains_key(h.village.as_str()) {
                    if let Some(info) = st.region(&h.village)? {
                        names.insert(h.village.as_str().to_string(), info.name);
                    }
                }
            }
            let region_name = st.region(&r)?.map(|i| i.name);
            Ok((facts, (names, region_name)))
        })
        .await?;
    let (names, region_name) = names;
    let rows = facts
        .iter()
        .map(|h| HouseholdRow {
            href: format!("/households/{}", h.household_no),
            head: if h.head_name.is_empty() {
                h.household_no.clone()
            } else {
                h.head_name.clone()
            },
            village: short(
                names
                    .get(h.village.as_str())
                    .map_or(h.village.as_str(), String::as_str),
            ),
            size: h.size,
            now: money(h.per_capita()),
            before: money(h.previous_per_capita()),
            fell: h.fell(),
        })
        .collect();
    let what = match which {
        "comparable" => l.t("两年均有收入的户", "households with both years' income"),
        "fell" => l.t("收入下降的户", "households whose income fell"),
        _ => l.t("有本年收入的户", "households with this year's income"),
    };
    let name = region_name.unwrap_or_else(|| region.to_string());
    let title = if l.is_en() {
        format!("{name} {year}: {} — {what}", group.label_en())
    } else {
        format!("{name} {year}年{}：{what}", group.label_zh())
    };
    let back = format!("/reports/income?region={region}&year={year}");
    Ok(render(HouseholdsPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/reports", l.t("报表", "Reports")),
            Crumb::link(back.clone(), l.t("收入情况", "Income")),
            Crumb::here(title.clone()),
        ]),
        title,
        back,
        rows,
    }))
}

fn head(s: &Session, name: &str, region: &RegionCode, year: i32, t: &Table) -> ReportHead {
    let l = s.l();
    let now = chrono_now();
    ReportHead {
        title: t.title.clone(),
        region_line: format!("{}{name}（{region}）", l.t("区划：", "Region: ")),
        as_of_line: format!("{}{year}（{}）", l.t("年度：", "Year: "), today()),
        exported_line: format!("{}{now}", l.t("导出时间：", "Exported: ")),
    }
}

/// Now in China time, `2026-12-01 09:30`.
fn chrono_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = shouwang_core::Date::from_unix_seconds_china(secs);
    let minutes = (secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// xlsx or csv of the figures or the ledger.
async fn export(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let year = year_of(&s, &q)?;
    let (report, names) = load(&state, &region, year).await?;
    let ledger = q.get("table").map(String::as_str) == Some("ledger");
    let table = if ledger {
        it::ledger_table(&report, &names, l.is_en())
    } else {
        it::figures_table(&report, &names, l.is_en())
    };
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let name = names
        .get(region.as_str())
        .cloned()
        .unwrap_or_else(|| region.to_string());
    let stem = if ledger { "ledger" } else { "figures" };
    let fallback = format!("income-{stem}-{region}-{year}");
    let file = format!("{}-{name}", table.title);
    if q.get("format").map(String::as_str) == Some("csv") {
        let bytes = csv_bytes(&header, &table.rows).map_err(AppError::Internal)?;
        return Ok(download(
            bytes,
            "text/csv; charset=utf-8",
            &format!("{fallback}.csv"),
            &format!("{file}.csv"),
        ));
    }
    let h = head(&s, &name, &region, year, &table);
    let sheet = if ledger {
        l.t("台账", "Ledger")
    } else {
        l.t("收入情况", "Income")
    };
    let bytes = report_xlsx_bytes(&h, sheet, &header, &table.rows, table.numeric_from)
        .map_err(AppError::Internal)?;
    Ok(download(
        bytes,
        XLSX,
        &format!("{fallback}.xlsx"),
        &format!("{file}.xlsx"),
    ))
}

struct HistoryRow {
    year: i32,
    band: String,
    per_capita: String,
    entered: String,
    state: String,
    href: String,
}

#[derive(Template)]
#[template(path = "reports_income_entry.html")]
struct EntryPage {
    ctx: Ctx,
    title: String,
    action: String,
    household_href: String,
    back: String,
    band: String,
    year: i32,
    per_capita: String,
    now: String,
    watch: String,
    responsible: String,
    entered: String,
    cleared: Option<String>,
    may_clear: bool,
    methods: Vec<(String, String, bool)>,
    note: String,
    errors: Vec<String>,
    history: Vec<HistoryRow>,
}

/// What the role may never do is "not allowed"; an entry outside the user's region "not found".
fn outside_is_not_found(r: shouwang_core::access::Refusal) -> AppError {
    match r {
        shouwang_core::access::Refusal::Outside => AppError::NotFound,
        _ => AppError::Forbidden,
    }
}

/// The entry, checked against the user's region (outside it: not found).
async fn entry_in_scope(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<shouwang_store::income_tracking::LowIncomeEntry, AppError> {
    let e = state
        .db(move |st| st.low_income_entry(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let village = RegionCode::parse(&e.village).ok_or(AppError::NotFound)?;
    s.scope
        .decide(Action::ViewReports, Target::Region(&village))
        .map_err(outside_is_not_found)?;
    Ok(e)
}

async fn entry_view(
    state: &AppState,
    s: &Session,
    id: i64,
    method: Option<ClearMethod>,
    note: &str,
    problems: &[Problem],
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let e = entry_in_scope(state, s, id).await?;
    let village = RegionCode::parse(&e.village).ok_or(AppError::NotFound)?;
    let may_clear = e.is_open()
        && s.scope
            .allows(Action::ClearLowIncome, Target::Region(&village));
    let (no, year, v) = (e.household_no.clone(), e.year, village.clone());
    let county = village.county().unwrap_or(village.clone());
    let (facts, history, responsible, thresholds) = state
        .db(move |st| {
            let facts = st.income_household_facts(&county, &no, year)?;
            let history = st.low_income_history(&no)?;
            let responsible = st.responsible_persons(&v, today())?.remove(&no);
            let t = it::thresholds(st, &county, year)?;
            Ok((facts, history, responsible, t))
        })
        .await?;
    let head = if e.head_name.is_empty() {
        e.household_no.clone()
    } else {
        e.head_name.clone()
    };
    let title = if l.is_en() {
        format!("Low-income ledger {}: {head}", e.year)
    } else {
        format!("{}年低收入户台账：{head}", e.year)
    };
    let cleared = match (e.cleared_on, e.cleared_method) {
        (Some(d), Some(m)) => {
            let by = if e.cleared_by_name.is_empty() {
                e.cleared_by.clone()
            } else {
                e.cleared_by_name.clone()
            };
            Some(if l.is_en() {
                format!(
                    "Cleared on {d} by {by}: {} — {} (per capita then {})",
                    m.label_en(),
                    e.cleared_note,
                    money(e.cleared_per_capita)
                )
            } else {
                format!(
                    "{d} 由{by}销号：{}——{}（销号时人均纯收入 {} 元）",
                    m.label_zh(),
                    e.cleared_note,
                    money(e.cleared_per_capita)
                )
            })
        }
        _ => None,
    };
    let back = format!(
        "/reports/income?region={}&year={}",
        village.county().unwrap_or(village.clone()),
        e.year
    );
    let p = EntryPage {
        ctx: Ctx::of(s).crumbs(vec![
            Crumb::link("/reports", l.t("报表", "Reports")),
            Crumb::link(back.clone(), l.t("收入情况", "Income")),
            Crumb::here(head.clone()),
        ]),
        title,
        action: format!("/reports/income/ledger/{id}"),
        household_href: format!("/households/{}", e.household_no),
        back,
        band: l.t(e.band.label_zh(), e.band.label_en()).to_string(),
        year: e.year,
        per_capita: yuan_text(e.per_capita),
        now: money(facts.per_capita()),
        watch: yuan_text(thresholds.watch),
        responsible: responsible
            .map(|p| {
                if p.phone.is_empty() {
                    p.name
                } else {
                    format!("{}（{}）", p.name, p.phone)
                }
            })
            .unwrap_or_else(|| {
                l.t("未结对帮扶责任人", "no responsible person paired")
                    .to_string()
            }),
        entered: e.entered_on.to_string(),
        cleared,
        may_clear,
        methods: ClearMethod::ALL
            .iter()
            .map(|m| {
                (
                    m.key().to_string(),
                    l.t(m.label_zh(), m.label_en()).to_string(),
                    Some(*m) == method,
                )
            })
            .collect(),
        note: note.to_string(),
        errors: problems
            .iter()
            .map(|p| l.t(&p.zh, &p.en).to_string())
            .collect(),
        history: history
            .iter()
            .map(|h| HistoryRow {
                year: h.year,
                band: l.t(h.band.label_zh(), h.band.label_en()).to_string(),
                per_capita: yuan_text(h.per_capita),
                entered: h.entered_on.to_string(),
                state: match (h.cleared_on, h.cleared_method) {
                    (Some(d), Some(m)) => format!("{d} {}", l.t(m.label_zh(), m.label_en())),
                    _ => l.t("未销号", "open").to_string(),
                },
                href: format!("/reports/income/ledger/{}", h.id),
            })
            .collect(),
    };
    Ok((status, render(p)).into_response())
}

async fn entry_page(State(state): State<AppState>, s: Session, Path(id): Path<i64>) -> PageResult {
    entry_view(&state, &s, id, None, "", &[], StatusCode::OK).await
}

/// 销号: clears the entry with the method and note given; refused (the form again, with the
/// reason) when the household's facts do not bear the method out.
async fn clear_entry(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(p): Form<Params>,
) -> PageResult {
    let e = entry_in_scope(&state, &s, id).await?;
    let village = RegionCode::parse(&e.village).ok_or(AppError::NotFound)?;
    s.scope
        .decide(Action::ClearLowIncome, Target::Region(&village))
        .map_err(access::not_allowed)?;
    let note = p.get("note").cloned().unwrap_or_default();
    let Some(method) = p.get("method").and_then(|m| ClearMethod::parse(m)) else {
        let problem = Problem::new(
            ProblemCode::IncomeTrackingMethod,
            "method",
            "请选择销号方式",
            "choose how the household is cleared",
        );
        return entry_view(
            &state,
            &s,
            id,
            None,
            &note,
            &[problem],
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let actor = s.actor();
    let n = note.clone();
    let result = state
        .db(move |st| it::clear(st, &actor, id, method, &n, today()))
        .await;
    match result {
        Ok(done) => {
            let head = if done.head_name.is_empty() {
                done.household_no.clone()
            } else {
                done.head_name.clone()
            };
            Ok(saved(
                &format!("/reports/income/ledger/{id}"),
                format!(
                    "已将{head}从{}年低收入户台账销号（{}），已记入审计日志",
                    done.year,
                    method.label_zh()
                ),
                format!(
                    "Cleared {head} from the {} low-income ledger ({}); recorded in the audit log",
                    done.year,
                    method.label_en()
                ),
            ))
        }
        Err(AppError::Invalid(problems)) => {
            let status = if problems
                .iter()
                .any(|p| p.code == ProblemCode::IncomeTrackingCleared)
            {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            entry_view(&state, &s, id, Some(method), &note, &problems, status).await
        }
        Err(e) => Err(e.into()),
    }
}
