//! 首页: the first page of each role. First what asks for this user's work (a village cadre's
//! monthly task list, the identification clocks of the user's level, self-reports and department
//! alerts waiting, villages below with overdue items, an assistance person's visits due), then
//! the headline figures of the region (households, persons, monitoring objects by type and state,
//! new and eliminated this month), the warnings by level and the trends of the last twelve months
//! as server-drawn SVG charts with their numbers in a table. Every figure links to its records:
//! the cases behind a case figure are listed by `/home/cases`, with the same conditions as the
//! count.

use super::{render, Crumb, Ctx, Pager};
use crate::access::asked_region;
use crate::auth::Session;
use crate::chart::{bars, Bar};
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use shouwang_app::dashboard::{Home, HomeAsk};
use shouwang_core::access::{Action, Target};
use shouwang_core::dashboard::{order_todo, CaseState, Figures, TodoKind, TodoLine, Trends};
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::CaseType;
use shouwang_core::region::RegionLevel;
use shouwang_core::{Date, RegionCode};
use shouwang_store::dashboard::CaseFilter;

pub fn routes() -> Router<AppState> {
    Router::new().route("/home/cases", get(cases))
}

/// Months in the trend charts.
const MONTHS: usize = 12;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    region_name: String,
    region_href: String,
    /// a village's 工作提示单 of the month, first on the page
    todo: Option<super::tasks::Todo>,
    /// 识别认定: the work of the user's level, and what is overdue at the level below
    work: Vec<super::leads::WorkLine>,
    /// self-reports, department alerts, villages with overdue lists
    others: Vec<OtherLine>,
    /// an assistance person's paired households and visits due
    paired: Option<PairedView>,
    figures: Option<FigureView>,
    run: Option<LastRun>,
    charts: Vec<ChartView>,
    may_warnings: bool,
    may_screen: bool,
    may_import: bool,
    may_reports: bool,
    /// the user acts on the work (not an inspector's or an administrator's view of it)
    acts: bool,
}

struct OtherLine {
    label: String,
    count: u64,
    overdue: u64,
    href: String,
}

struct PairedView {
    /// the paired households in figures: all, with a case at risk, visited this period, overdue
    tiles: Vec<Tile>,
    total: usize,
    /// overdue or not yet visited this period, the overdue first
    due: Vec<PairedRow>,
}

struct PairedRow {
    household_no: String,
    /// 风险未消除 … when the household is a monitoring object
    state: String,
    head_name: String,
    last_visit: String,
    due: String,
    overdue: bool,
}

struct Tile {
    count: u64,
    label: String,
    href: String,
    class: &'static str,
}

struct Cell {
    count: u64,
    href: String,
}

struct TypeRow {
    label: String,
    cells: Vec<Cell>,
    total: Cell,
}

struct FigureView {
    tiles: Vec<Tile>,
    state_labels: Vec<String>,
    rows: Vec<TypeRow>,
    totals: Vec<Cell>,
    all: Cell,
    /// when a county's households and persons were counted, if not just now
    counted: Option<String>,
}

struct LastRun {
    date: String,
    households: i64,
    flagged: i64,
    red: i64,
    yellow: i64,
    blue: i64,
}

struct ChartView {
    title: String,
    svg: String,
    unit: String,
    rows: Vec<(String, u64, String)>,
}

pub async fn home(State(state): State<AppState>, s: Option<Session>) -> PageResult {
    let Some(s) = s else {
        return Ok(Redirect::to("/login").into_response());
    };
    Ok(page(&state, s).await?)
}

/// "11月" / "Nov".
fn month_short(l: L, m: YearMonth) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if l.is_en() {
        EN[usize::from(m.month() - 1)].to_string()
    } else {
        format!("{}月", m.month())
    }
}

/// The link to the cases behind a figure.
fn cases_href(region: &RegionCode, f: &CaseFilter) -> String {
    let mut q = format!("/home/cases?region={region}");
    if let Some(t) = f.case_type {
        q.push_str(&format!("&type={}", t.code()));
    }
    if let Some(s) = f.state {
        q.push_str(&format!("&state={}", s.key()));
    } else if f.eliminated_any {
        q.push_str("&state=eliminated");
    }
    if let Some(m) = f.identified {
        q.push_str(&format!("&identified={m}"));
    }
    if let Some(m) = f.eliminated {
        q.push_str(&format!("&eliminated={m}"));
    }
    if let Some(m) = f.at_end {
        q.push_str(&format!("&at={m}"));
    }
    q
}

fn figure_view(l: L, region: &RegionCode, f: &Figures, counted: Option<String>) -> FigureView {
    let month = YearMonth::of(crate::state::today());
    let href = |case_type: Option<CaseType>, state: Option<CaseState>| {
        cases_href(
            region,
            &CaseFilter {
                case_type,
                state,
                ..CaseFilter::default()
            },
        )
    };
    let households = format!("/regions/{region}");
    let tiles = vec![
        Tile {
            count: f.households,
            label: l.t("户", "households").into(),
            href: households.clone(),
            class: "",
        },
        Tile {
            count: f.persons,
            label: l.t("人", "persons").into(),
            href: households,
            class: "",
        },
        Tile {
            count: f.monitored(),
            label: l.t("监测对象（户）", "monitored households").into(),
            href: href(None, None),
            class: "",
        },
        Tile {
            count: f.in_state(CaseState::AtRisk),
            label: l.t("风险未消除", "risk not eliminated").into(),
            href: href(None, Some(CaseState::AtRisk)),
            class: "warn",
        },
        Tile {
            count: f.in_state(CaseState::AfterAssistance) + f.in_state(CaseState::Natural),
            label: l.t("风险已消除", "risk eliminated").into(),
            href: cases_href(
                region,
                &CaseFilter {
                    eliminated_any: true,
                    ..CaseFilter::default()
                },
            ),
            class: "",
        },
        Tile {
            count: f.new_this_month,
            label: l.t("本月新识别", "identified this month").into(),
            href: cases_href(
                region,
                &CaseFilter {
                    identified: Some(month),
                    ..CaseFilter::default()
                },
            ),
            class: "",
        },
        Tile {
            count: f.eliminated_this_month,
            label: l.t("本月消除", "eliminated this month").into(),
            href: cases_href(
                region,
                &CaseFilter {
                    eliminated: Some(month),
                    ..CaseFilter::default()
                },
            ),
            class: "",
        },
    ];
    let rows = CaseType::ALL
        .iter()
        .map(|t| TypeRow {
            label: l.t(t.label_zh(), t.label_en()).into(),
            cells: CaseState::ALL
                .iter()
                .map(|s| Cell {
                    count: f.get(*t, *s),
                    href: href(Some(*t), Some(*s)),
                })
                .collect(),
            total: Cell {
                count: f.of_type(*t),
                href: href(Some(*t), None),
            },
        })
        .collect();
    FigureView {
        tiles,
        // the table's columns, short enough for a phone in either language
        state_labels: CaseState::ALL
            .iter()
            .map(|s| {
                let en = match s {
                    CaseState::AtRisk => "at risk",
                    CaseState::AfterAssistance => "assisted",
                    CaseState::Natural => "natural",
                };
                l.t(s.label_zh(), en).to_string()
            })
            .collect(),
        rows,
        totals: CaseState::ALL
            .iter()
            .map(|s| Cell {
                count: f.in_state(*s),
                href: href(None, Some(*s)),
            })
            .collect(),
        all: Cell {
            count: f.monitored(),
            href: href(None, None),
        },
        counted,
    }
}

fn charts(l: L, region: &RegionCode, t: &Trends) -> Vec<ChartView> {
    /// One trend: its id, title in both languages, unit in Chinese, values and colour class.
    struct Series<'a>(&'a str, &'a str, &'a str, &'a str, &'a [u64], &'a str);
    let series = [
        Series(
            "monitored",
            "月末风险未消除",
            "At risk at the month's end",
            "户",
            &t.monitored,
            "c-monitored",
        ),
        Series(
            "identified",
            "每月新识别",
            "Newly identified each month",
            "户",
            &t.identified,
            "c-new",
        ),
        Series(
            "eliminated",
            "每月风险消除",
            "Risk eliminated each month",
            "户",
            &t.eliminated,
            "c-gone",
        ),
        Series(
            "visits",
            "每月走访",
            "Visits each month",
            "次",
            &t.visits,
            "c-visits",
        ),
    ];
    series
        .into_iter()
        .map(|Series(id, zh, en, unit_zh, values, class)| {
            let title = l.t(zh, en).to_string();
            let unit = if l.is_en() {
                if id == "visits" {
                    "visits"
                } else {
                    "households"
                }
            } else {
                unit_zh
            };
            let href = |m: YearMonth| match id {
                "monitored" => cases_href(
                    region,
                    &CaseFilter {
                        at_end: Some(m),
                        ..CaseFilter::default()
                    },
                ),
                "identified" => cases_href(
                    region,
                    &CaseFilter {
                        identified: Some(m),
                        ..CaseFilter::default()
                    },
                ),
                "eliminated" => cases_href(
                    region,
                    &CaseFilter {
                        eliminated: Some(m),
                        ..CaseFilter::default()
                    },
                ),
                _ => format!("/visits/duties?region={region}"),
            };
            let rows: Vec<(String, u64, String)> = t
                .months
                .iter()
                .zip(values.iter())
                .map(|(m, v)| (m.to_string(), *v, href(*m)))
                .collect();
            let said: Vec<String> = rows
                .iter()
                .map(|(m, v, _)| {
                    if l.is_en() {
                        format!("{m}: {v}")
                    } else {
                        format!("{m}：{v}{unit}")
                    }
                })
                .collect();
            let desc = if l.is_en() {
                format!("{title}, last {} months: {}", rows.len(), said.join("; "))
            } else {
                format!("{title}，近 {} 个月：{}", rows.len(), said.join("；"))
            };
            let bars_: Vec<Bar> = t
                .months
                .iter()
                .zip(rows.iter())
                .map(|(m, (_, v, href))| Bar {
                    label: month_short(l, *m),
                    value: *v,
                    href: href.clone(),
                    title: if l.is_en() {
                        format!("{m}: {v} {unit}")
                    } else {
                        format!("{m}：{v} {unit}")
                    },
                })
                .collect();
            ChartView {
                svg: bars(&format!("chart-{id}"), class, &title, &desc, &bars_),
                title,
                unit: unit.to_string(),
                rows,
            }
        })
        .collect()
}

fn other_lines(l: L, region: &RegionCode, h: &Home) -> Vec<OtherLine> {
    let mut lines = Vec::new();
    if let Some(n) = h.self_reports {
        lines.push(TodoLine {
            kind: TodoKind::SelfReport,
            open: n.max(0) as u64,
            overdue: 0,
            due_soon: 0,
            href: format!("/self-reports?region={region}"),
        });
    }
    let alerts: i64 = h.dept_alerts.iter().map(|(_, _, n)| n).sum();
    if !h.dept_alerts.is_empty() {
        lines.push(TodoLine {
            kind: TodoKind::DeptAlert,
            open: alerts.max(0) as u64,
            overdue: 0,
            due_soon: 0,
            href: "/dept/alerts".into(),
        });
    }
    if !h.villages_overdue.is_empty() {
        lines.push(TodoLine {
            kind: TodoKind::VillageOverdue,
            open: h.villages_overdue.len() as u64,
            overdue: h
                .villages_overdue
                .iter()
                .map(|v| v.overdue.max(0) as u64)
                .sum(),
            due_soon: 0,
            href: format!("/tasks?region={region}"),
        });
    }
    order_todo(lines)
        .into_iter()
        .map(|t| OtherLine {
            label: match t.kind {
                TodoKind::SelfReport => l.t("农户自主申报待处理", "self-reports to look into"),
                TodoKind::DeptAlert => l.t("部门预警待处理", "department alerts open"),
                TodoKind::VillageOverdue => l.t(
                    "提示单有逾期事项的村",
                    "villages with overdue task-list items",
                ),
                _ => "",
            }
            .into(),
            count: t.open,
            overdue: t.overdue,
            href: t.href,
        })
        .collect()
}

async fn page(state: &AppState, s: Session) -> Result<Response, AppError> {
    let code = s.scope.region.clone();
    let own = Target::Region(&code);
    let may = |a: Action| s.scope.allows(a, own);
    // a department's user sees no registry: its work is its own kind's data
    if !may(Action::BrowseRegions) && may(Action::ViewDepartment) {
        return Ok(Redirect::to("/dept").into_response());
    }
    let l = s.l();
    let paired_only = s.scope.reaches_only_paired();
    let today = crate::state::today();
    let level = code.level();
    let ask = HomeAsk {
        region: code.clone(),
        user_id: s.user.id,
        today,
        soon: super::leads::soon_day(today),
        paired_only,
        figures: !paired_only && may(Action::ViewCases),
        warnings: !paired_only && may(Action::ViewWarnings),
        work: !paired_only && super::leads::sees_work(&s),
        task_list: !paired_only && level == RegionLevel::Village && may(Action::ViewAssistance),
        village_lists: !paired_only
            && matches!(level, RegionLevel::Township | RegionLevel::County)
            && may(Action::ViewAssistance),
        self_reports: !paired_only && may(Action::Identify),
        dept_alerts: !paired_only && may(Action::Identify) && may(Action::ViewDepartment),
        months: MONTHS,
    };
    let counts = state.head_counts.clone();
    let h = state
        .db(move |st| shouwang_app::dashboard::home(st, &counts, &ask))
        .await?;
    let run = h.warnings.as_ref().map(|(r, [red, yellow, blue])| LastRun {
        date: Date::from_unix_seconds_china(r.started_at).to_string(),
        // the run screened every household of a region below its own
        households: if r.region == code.as_str() {
            r.households
        } else {
            h.figures.as_ref().map_or(0, |f| f.households as i64)
        },
        flagged: red + yellow + blue,
        red: *red,
        yellow: *yellow,
        blue: *blue,
    });
    let counted = (shouwang_store::now() - h.counted_at > 60).then(|| {
        let at = h.counted_at + 8 * 3600;
        let (hh, mm) = ((at / 3600) % 24, (at / 60) % 60);
        if l.is_en() {
            format!("Households, persons, monitoring objects and visits as counted at {hh:02}:{mm:02}; the lists behind them are live.")
        } else {
            format!("户数、人数、监测对象数和走访数为 {hh:02}:{mm:02} 的统计，点开的名单为实时数据。")
        }
    });
    let paired = paired_only.then(|| {
        let due: Vec<PairedRow> = h
            .paired
            .iter()
            .filter(|p| !p.done || p.overdue)
            .map(|p| PairedRow {
                household_no: p.household_no.clone(),
                head_name: if p.head_name.is_empty() {
                    p.household_no.clone()
                } else {
                    p.head_name.clone()
                },
                last_visit: p.last_visit.map_or_else(
                    || l.t("近期未走访", "no recent visit").to_string(),
                    |d| d.to_string(),
                ),
                due: p.due.to_string(),
                overdue: p.overdue,
                state: p
                    .case_state
                    .map(|st| l.t(st.label_zh(), st.label_en()).to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let count = |f: &dyn Fn(&shouwang_app::dashboard::PairedDuty) -> bool| {
            h.paired.iter().filter(|p| f(p)).count() as u64
        };
        let tile = |count: u64, zh: &str, en: &str, class: &'static str| Tile {
            count,
            label: l.t(zh, en).into(),
            href: "/paired".into(),
            class,
        };
        PairedView {
            tiles: vec![
                tile(
                    h.paired.len() as u64,
                    "结对帮扶户",
                    "households paired with you",
                    "",
                ),
                tile(
                    count(&|p| p.case_state == Some(CaseState::AtRisk)),
                    "其中风险未消除",
                    "of them at risk",
                    "warn",
                ),
                tile(count(&|p| p.done), "本期已走访", "visited this period", ""),
                tile(
                    count(&|p| p.overdue),
                    "上期未走访",
                    "missed last period",
                    "overdue",
                ),
            ],
            total: h.paired.len(),
            due,
        }
    });
    Ok(render(HomePage {
        todo: h.task_list.as_ref().map(|t| super::tasks::todo(l, t)),
        work: super::leads::work_lines(l, &code, &h.work),
        others: other_lines(l, &code, &h),
        paired,
        figures: h
            .figures
            .as_ref()
            .map(|f| figure_view(l, &code, f, counted)),
        charts: h
            .trends
            .as_ref()
            .map_or_else(Vec::new, |t| charts(l, &code, t)),
        region_name: h.region_name.clone().unwrap_or_else(|| code.to_string()),
        region_href: if paired_only {
            "/paired".into()
        } else {
            format!("/regions/{code}")
        },
        run,
        may_warnings: may(Action::ViewWarnings) && !paired_only,
        may_screen: may(Action::RunScreening),
        may_import: may(Action::ImportLedger),
        may_reports: may(Action::ViewReports),
        acts: may(Action::Identify),
        ctx: Ctx::of(&s),
    }))
}

// ---------------------------------------------------------------- the records behind a figure

#[derive(Deserialize)]
struct CasesQuery {
    region: Option<String>,
    #[serde(rename = "type")]
    case_type: Option<String>,
    state: Option<String>,
    identified: Option<String>,
    eliminated: Option<String>,
    at: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "home_cases.html")]
struct CasesPage {
    ctx: Ctx,
    title: String,
    region_name: String,
    rows: Vec<CaseRow>,
    pager: Pager,
}

struct CaseRow {
    case_id: i64,
    household_no: String,
    head_name: String,
    village: String,
    case_type: String,
    state: String,
    identified: String,
    eliminated: String,
}

const PER_PAGE: i64 = 50;

/// A month parameter: absent or empty is none; anything else must be a month.
fn month_param(v: Option<&str>) -> Result<Option<YearMonth>, AppError> {
    match v.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => YearMonth::parse(t).map(Some).ok_or(AppError::NotFound),
    }
}

async fn cases(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<CasesQuery>,
) -> PageResult {
    if s.scope.reaches_only_paired() {
        return Err(AppError::Forbidden.into());
    }
    let region = asked_region(&s, Action::ViewCases, q.region.as_deref())?;
    let l = s.l();
    let case_type = match q
        .case_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(t) => Some(
            t.parse::<i64>()
                .ok()
                .and_then(CaseType::from_code)
                .ok_or(AppError::NotFound)?,
        ),
    };
    let mut eliminated_any = false;
    let case_state = match q.state.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some("eliminated") => {
            eliminated_any = true;
            None
        }
        Some(t) => Some(CaseState::parse_key(t).ok_or(AppError::NotFound)?),
    };
    let f = CaseFilter {
        case_type,
        state: case_state,
        eliminated_any,
        identified: month_param(q.identified.as_deref())?,
        eliminated: month_param(q.eliminated.as_deref())?,
        at_end: month_param(q.at.as_deref())?,
    };
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (r, filter) = (region.clone(), f.clone());
    let (name, (list, total)) = state
        .db(move |st| {
            Ok((
                st.region(&r)?.map(|x| x.name),
                st.dashboard_cases(&r, &filter, PER_PAGE, (page - 1) * PER_PAGE)?,
            ))
        })
        .await?;
    // what the list is, in words
    let mut words: Vec<String> = Vec::new();
    if let Some(t) = f.case_type {
        words.push(l.t(t.label_zh(), t.label_en()).into());
    }
    if let Some(st) = f.state {
        words.push(l.t(st.label_zh(), st.label_en()).into());
    }
    if f.eliminated_any {
        words.push(l.t("风险已消除", "risk eliminated").into());
    }
    if let Some(m) = f.identified {
        words.push(if l.is_en() {
            format!("identified in {m}")
        } else {
            format!("{m} 新识别")
        });
    }
    if let Some(m) = f.eliminated {
        words.push(if l.is_en() {
            format!("eliminated in {m}")
        } else {
            format!("{m} 消除")
        });
    }
    if let Some(m) = f.at_end {
        words.push(if l.is_en() {
            format!("at risk at the end of {m}")
        } else {
            format!("{m} 月末风险未消除")
        });
    }
    let title = if words.is_empty() {
        l.t("监测对象", "Monitoring objects").to_string()
    } else if l.is_en() {
        format!("Monitoring objects: {}", words.join(", "))
    } else {
        format!("监测对象：{}", words.join("，"))
    };
    let rows = list
        .into_iter()
        .map(|c| CaseRow {
            case_id: c.case_id,
            head_name: if c.head_name.is_empty() {
                c.household_no.clone()
            } else {
                c.head_name
            },
            household_no: c.household_no,
            village: if c.village_name.is_empty() {
                c.village
            } else {
                c.village_name
            },
            case_type: c
                .case_type
                .map(|t| l.t(t.label_zh(), t.label_en()).to_string())
                .unwrap_or_default(),
            state: c
                .state
                .map(|t| l.t(t.label_zh(), t.label_en()).to_string())
                .unwrap_or_default(),
            identified: c.identified,
            eliminated: c.eliminated.unwrap_or_default(),
        })
        .collect();
    let query = cases_href(&region, &f)
        .trim_start_matches("/home/cases?")
        .to_string();
    let region_name = name.unwrap_or_else(|| region.to_string());
    Ok(render(CasesPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/", l.t("首页", "Home")),
            Crumb::here(title.clone()),
        ]),
        title,
        region_name,
        rows,
        pager: Pager::new(page as usize, PER_PAGE as usize, total as usize, query),
    }))
}
