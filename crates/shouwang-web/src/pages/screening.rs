//! Screening pages (监测预警): the warnings list, a household's warning history with evidence and
//! the "run screening" button. A household's incomes are in [`super::income`]; what-if and the
//! standards in [`super::standards`].
//!
//! Who may see and do what is decided by the extractors of [`crate::access`], like the registry
//! pages: a region outside the scope reads as "not found", an action the role may not take as
//! "not allowed".

use super::{render, saved, Crumb, Ctx, Pager};
use crate::access::{self, Screener, VisibleHousehold, WarningsRegion};
use crate::auth::{random_token, Session};
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::region::RegionLevel;
use shouwang_core::screening::{RuleId, WarningLevel, CATALOGUE};
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_io::private;
use shouwang_io::table::TableXlsxWriter;
use shouwang_store::screening::{level_of, HitRecord};
use shouwang_store::warnings::HouseholdWarningFilter;
use shouwang_store::StoreError;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/households/{no}/warnings", get(household_warnings))
        .route("/warnings", get(warnings))
        .route("/warnings.xlsx", get(export_warnings))
        .route("/warnings/run", post(run_screening))
}

type Params = HashMap<String, String>;
/// (id, date, region, flagged, red, yellow, blue, new leads)
type RunRow = (i64, String, String, i64, i64, i64, i64, i64);

fn when(secs: i64) -> String {
    Date::from_unix_seconds_china(secs).to_string()
}

pub(super) struct HitView {
    pub(super) when: String,
    pub(super) level: String,
    pub(super) level_class: String,
    pub(super) rule: String,
    pub(super) risk: String,
    pub(super) text: String,
    pub(super) source: String,
}

pub(super) fn hit_view(s: &Session, h: &HitRecord) -> HitView {
    let l = s.l();
    let e = &h.evidence;
    let text = e[if l.is_en() { "en" } else { "zh" }]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let source = match e.get("source").filter(|v| !v.is_null()) {
        Some(src) => format!(
            "{} {}",
            src[if l.is_en() { "label_en" } else { "label_zh" }]
                .as_str()
                .unwrap_or_default(),
            src["date"].as_str().unwrap_or_default()
        ),
        None => String::new(),
    };
    let def = h.rule.def();
    let rule = l.t(def.name_zh, def.name_en).to_string();
    let risk = l.t(h.risk.label_zh(), h.risk.label_en()).to_string();
    HitView {
        when: when(h.run_at),
        level: level_word(l, h.level).to_string(),
        level_class: h.level.label_en().to_string(),
        rule,
        risk,
        text,
        source,
    }
}

// ---------------------------------------------------------------- warnings

/// Households per page of the list.
const PER_PAGE: usize = 50;

/// The list's filters as asked, each one checked.
struct Asked {
    /// The village picked, else the township picked, else the list's region
    region: RegionCode,
    township: String,
    village: String,
    level: Option<WarningLevel>,
    risk: Option<RiskType>,
    rule: Option<RuleId>,
    page: usize,
}

impl Asked {
    /// The query of these filters (without the page), as the list's links carry it.
    fn query(&self, base: &RegionCode, s: &Session) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if base != &s.scope.region {
            pairs.push(("region", base.as_str().to_string()));
        }
        for (k, v) in [("township", &self.township), ("village", &self.village)] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        if let Some(l) = self.level {
            pairs.push(("level", l.label_en().to_string()));
        }
        if let Some(r) = self.risk {
            pairs.push(("risk", r.label_zh().to_string()));
        }
        if let Some(r) = self.rule {
            pairs.push(("rule", r.code().to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    fn filter(&self) -> HouseholdWarningFilter {
        HouseholdWarningFilter {
            region: self.region.clone(),
            level: self.level,
            risk: self.risk,
            rule: self.rule,
        }
    }
}

/// Reads the filters of `q` for the list of `base` (the user's region or one inside it). A value
/// that cannot be read is refused, naming the filter and what it accepts, as the API does; a
/// township or village outside `base` is "not found".
fn asked(s: &Session, base: &RegionCode, q: &Params) -> Result<Asked, AppError> {
    let l = s.l();
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let refuse = |label: (&str, &str), v: &str, accepted: (&str, &str)| {
        AppError::Invalid(vec![Problem::new(
            ProblemCode::QueryInvalid,
            l.t(label.0, label.1),
            format!("“{v}”无法识别，应为{}", accepted.0),
            format!("'{v}' cannot be read; expected {}", accepted.1),
        )])
    };
    let level = match get("level") {
        None => None,
        Some(v) => Some(level_of(v).ok_or_else(|| {
            refuse(
                ("预警等级", "Level"),
                v,
                (
                    "red、yellow 或 blue（红色、黄色、蓝色）",
                    "red, yellow or blue",
                ),
            )
        })?),
    };
    let risk = match get("risk") {
        None => None,
        Some(v) => Some(RiskType::parse_zh(v).ok_or_else(|| {
            refuse(
                ("风险类型", "Risk"),
                v,
                ("列表中的一种风险类型", "one of the listed risk types"),
            )
        })?),
    };
    let rule = match get("rule") {
        None => None,
        Some(v) => Some(
            RuleId::parse(v)
                .ok_or_else(|| refuse(("预警规则", "Rule"), v, ("R01–R13", "R01–R13")))?,
        ),
    };
    let page = match get("page") {
        None => 1,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| refuse(("页码", "Page"), v, ("正整数", "a whole number from 1")))?,
    };
    let pick = |key: &str, label: (&str, &str), level: RegionLevel| match get(key) {
        None => Ok(None),
        Some(v) => {
            let code = RegionCode::parse(v)
                .filter(|c| c.level() == level)
                .ok_or_else(|| refuse(label, v, ("列表中的一项", "one of the listed places")))?;
            if code.as_str().starts_with(base.as_str()) {
                Ok(Some(code))
            } else {
                Err(AppError::NotFound)
            }
        }
    };
    let township = pick("township", ("乡镇", "Township"), RegionLevel::Township)?;
    let village = pick("village", ("村", "Village"), RegionLevel::Village)?;
    // a village of another township than the one picked: the village decides
    let township = match (&village, township) {
        (Some(v), _) => v.parent(),
        (None, t) => t,
    };
    let region = village
        .clone()
        .or_else(|| township.clone())
        .unwrap_or_else(|| base.clone());
    Ok(Asked {
        township: township.map(|c| c.as_str().to_string()).unwrap_or_default(),
        village: village.map(|c| c.as_str().to_string()).unwrap_or_default(),
        region,
        level,
        risk,
        rule,
        page,
    })
}

/// A village's name without the committee's suffix (桃红村村民委员会 → 桃红村).
pub(super) fn short_name(name: &str) -> &str {
    name.trim_end_matches("村民委员会")
        .trim_end_matches("居民委员会")
        .trim_end_matches("村委会")
}

/// A village and its group: 桃红村 3组 (a group stored as a bare number gets its 组).
pub(super) fn place_with_group(l: L, village: String, group: &str) -> String {
    let group = group.trim();
    if group.is_empty() {
        village
    } else if group.chars().all(|c| c.is_ascii_digit()) {
        if l.is_en() {
            format!("{village}, group {group}")
        } else {
            format!("{village} {group}组")
        }
    } else {
        format!("{village} {group}")
    }
}

pub(super) fn level_word(l: L, level: WarningLevel) -> &'static str {
    l.t(
        level.label_zh(),
        match level {
            WarningLevel::Red => "Red",
            WarningLevel::Yellow => "Yellow",
            WarningLevel::Blue => "Blue",
        },
    )
}

fn rule_names(l: L, rules: &[RuleId]) -> String {
    rules
        .iter()
        .map(|r| l.t(r.def().name_zh, r.def().name_en))
        .collect::<Vec<_>>()
        .join(l.t("；", "; "))
}

fn risk_names(l: L, risks: &[RiskType]) -> String {
    risks
        .iter()
        .map(|r| l.t(r.label_zh(), r.label_en()))
        .collect::<Vec<_>>()
        .join(l.t("；", "; "))
}

/// One household of the list as shown.
struct WarnedRow {
    no: String,
    name: String,
    place: String,
    level: &'static str,
    level_class: &'static str,
    rules: String,
    risks: String,
    since: String,
    days: i64,
}

/// One of the totals at the top: a link to the list of that level.
struct Tile {
    class: &'static str,
    count: i64,
    label: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct WarningsPage {
    ctx: Ctx,
    title: String,
    today: String,
    /// The filters in words, for print
    filters_text: String,
    run_text: String,
    tiles: Vec<Tile>,
    /// (code, name, selected)
    townships: Vec<(String, String, bool)>,
    villages: Vec<(String, String, bool)>,
    show_townships: bool,
    show_villages: bool,
    region_param: String,
    levels: Vec<(String, String, bool)>,
    risks: Vec<(String, String, bool)>,
    rules: Vec<(String, String, bool)>,
    rows: Vec<WarnedRow>,
    pager: Pager,
    export_href: Option<String>,
    runs: Vec<RunRow>,
    can_run: bool,
}

async fn warnings(
    State(state): State<AppState>,
    s: Session,
    WarningsRegion(base): WarningsRegion,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let a = asked(&s, &base, &q)?;
    let filter = a.filter();
    let offset = ((a.page - 1) * PER_PAGE) as i64;
    let b = base.clone();
    let (mut page, names, base_name, runs) = state
        .db(move |st| {
            let page = st.warned_households(&filter, offset, PER_PAGE as i64)?;
            // asked past the end: the last page
            let page = if page.rows.is_empty() && page.total > 0 {
                let last = (page.total - 1) / PER_PAGE as i64 * PER_PAGE as i64;
                st.warned_households(&filter, last, PER_PAGE as i64)?
            } else {
                page
            };
            let mut names = st.regions_under(&b)?;
            let base_name = st.region(&b)?.map(|r| r.name);
            // the run's region may lie above the list's (a county run seen from a village)
            if let Some(code) = page
                .run
                .as_ref()
                .and_then(|r| RegionCode::from_canonical(&r.region))
            {
                if let Some(r) = st.region(&code)? {
                    names.push((r.code.as_str().to_string(), r.name));
                }
            }
            // the runs' figures are the county's: shown on the county's list only
            let runs = if b.level() == RegionLevel::County {
                st.runs(&b, 5)?
            } else {
                Vec::new()
            };
            Ok((page, names, base_name, runs))
        })
        .await?;
    let name_of: HashMap<&str, &str> = names
        .iter()
        .map(|(c, n)| (c.as_str(), short_name(n)))
        .collect();
    let base_name =
        base_name.map_or_else(|| base.as_str().to_string(), |n| short_name(&n).to_string());
    let place_name = |code: &str| -> String {
        name_of.get(code).map(|n| n.to_string()).unwrap_or_else(|| {
            if code == base.as_str() {
                base_name.clone()
            } else {
                code.to_string()
            }
        })
    };
    let query = a.query(&base, &s);
    let pager = Pager::new(a.page, PER_PAGE, page.total.max(0) as usize, query.clone());
    let now = shouwang_store::now();
    let rows = std::mem::take(&mut page.rows)
        .into_iter()
        .map(|h| WarnedRow {
            place: place_with_group(l, place_name(&h.village), &h.group),
            name: if h.head_name.is_empty() {
                h.household_no.clone()
            } else {
                h.head_name
            },
            level: level_word(l, h.level),
            level_class: h.level.label_en(),
            rules: rule_names(l, &h.rules),
            risks: risk_names(l, &h.risks),
            since: when(h.since),
            days: (now - h.since).max(0) / 86_400,
            no: h.household_no,
        })
        .collect();
    // the tiles keep the place picked and drop the other filters
    let place_query = Asked {
        level: None,
        risk: None,
        rule: None,
        region: a.region.clone(),
        township: a.township.clone(),
        village: a.village.clone(),
        page: 1,
    }
    .query(&base, &s);
    let tiles = WarningLevel::ALL
        .iter()
        .map(|lv| Tile {
            class: lv.label_en(),
            count: page.by_level[lv.index()],
            label: level_word(l, *lv),
            href: format!(
                "/warnings?{}{}level={}",
                place_query,
                if place_query.is_empty() { "" } else { "&" },
                lv.label_en()
            ),
        })
        .collect();
    let mut filters: Vec<String> = Vec::new();
    if let Some(lv) = a.level {
        filters.push(format!("{}{}", l.t("等级：", "level: "), level_word(l, lv)));
    }
    if let Some(r) = a.risk {
        filters.push(format!(
            "{}{}",
            l.t("风险类型：", "risk: "),
            l.t(r.label_zh(), r.label_en())
        ));
    }
    if let Some(r) = a.rule {
        filters.push(format!(
            "{}{}",
            l.t("规则：", "rule: "),
            rule_names(l, &[r])
        ));
    }
    let filters_text = if filters.is_empty() {
        l.t("全部预警户", "all households with warnings")
            .to_string()
    } else {
        filters.join(l.t("；", "; "))
    };
    let flagged: i64 = page.by_level.iter().sum();
    let run_text = match &page.run {
        // the run's own region: its figures; a region below it: this region's share
        Some(r) if r.region == a.region.as_str() => {
            if l.is_en() {
                format!(
                    "Screening of {}: {} households screened, {flagged} flagged.",
                    when(r.started_at),
                    r.households
                )
            } else {
                format!(
                    "{} 筛查：筛查 {} 户，预警 {flagged} 户。",
                    when(r.started_at),
                    r.households
                )
            }
        }
        Some(r) if l.is_en() => format!(
            "Screening of {} ({}): {flagged} households flagged here.",
            place_name(&r.region),
            when(r.started_at)
        ),
        Some(r) => format!(
            "{} {}筛查：本区域预警 {flagged} 户。",
            when(r.started_at),
            place_name(&r.region)
        ),
        None => l
            .t("本区域尚未筛查。", "This region has not been screened yet.")
            .to_string(),
    };
    let level_of_base = base.level();
    let townships: Vec<(String, String, bool)> = names
        .iter()
        .filter(|(c, _)| c.len() == RegionLevel::Township.code_len())
        .map(|(c, n)| (c.clone(), short_name(n).to_string(), *c == a.township))
        .collect();
    // villages: of the township picked, or of the user's township (never all of a county's)
    let village_parent = if level_of_base == RegionLevel::Township {
        base.as_str().to_string()
    } else {
        a.township.clone()
    };
    let villages: Vec<(String, String, bool)> = if village_parent.is_empty() {
        Vec::new()
    } else {
        names
            .iter()
            .filter(|(c, _)| {
                c.len() == RegionLevel::Village.code_len() && c.starts_with(&village_parent)
            })
            .map(|(c, n)| (c.clone(), short_name(n).to_string(), *c == a.village))
            .collect()
    };
    let may_export = s
        .scope
        .allows(Action::ExportLedger, Target::Region(&a.region));
    let title = place_name(a.region.as_str());
    Ok(render(WarningsPage {
        show_townships: !townships.is_empty() && level_of_base != RegionLevel::Township,
        show_villages: !villages.is_empty(),
        townships,
        villages,
        region_param: if base != s.scope.region {
            base.as_str().to_string()
        } else {
            String::new()
        },
        levels: WarningLevel::ALL
            .iter()
            .map(|v| {
                (
                    v.label_en().to_string(),
                    level_word(l, *v).to_string(),
                    a.level == Some(*v),
                )
            })
            .collect(),
        risks: CATALOGUE
            .iter()
            .map(|d| d.risk)
            .fold(Vec::new(), |mut v, r| {
                if !v.contains(&r) {
                    v.push(r);
                }
                v
            })
            .into_iter()
            .map(|r| {
                (
                    r.label_zh().to_string(),
                    l.t(r.label_zh(), r.label_en()).to_string(),
                    a.risk == Some(r),
                )
            })
            .collect(),
        rules: CATALOGUE
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    l.t(d.name_zh, d.name_en).to_string(),
                    a.rule.map(|r| r.code()) == Some(d.code),
                )
            })
            .collect(),
        rows,
        export_href: may_export.then(|| {
            if query.is_empty() {
                "/warnings.xlsx".to_string()
            } else {
                format!("/warnings.xlsx?{query}")
            }
        }),
        pager,
        tiles,
        runs: runs
            .iter()
            .map(|r| {
                (
                    r.id,
                    when(r.started_at),
                    place_name(&r.region),
                    r.flagged_households,
                    r.red,
                    r.yellow,
                    r.blue,
                    r.new_leads,
                )
            })
            .collect(),
        can_run: s
            .scope
            .allows(Action::RunScreening, Target::Region(&s.scope.region)),
        today: today().to_string(),
        filters_text,
        run_text,
        title,
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("监测预警", "Warnings"))]),
    }))
}

/// GET /warnings.xlsx: the filtered list, every page, with ID numbers masked; audited like the
/// ledger's export. The store hands the households over a chunk at a time and the workbook
/// keeps its rows on disk, so memory stays flat whatever the county's size.
async fn export_warnings(
    State(state): State<AppState>,
    s: Session,
    WarningsRegion(base): WarningsRegion,
    Query(q): Query<Params>,
) -> PageResult {
    let a = asked(&s, &base, &q)?;
    s.scope
        .decide(Action::ExportLedger, Target::Region(&a.region))
        .map_err(access::not_allowed)?;
    let l = s.l();
    let path = state
        .config
        .work("exports")
        .join(format!("{}.xlsx", random_token()));
    let filter = a.filter();
    let actor = s.actor();
    let region = a.region.clone();
    let b = base.clone();
    let query = a.query(&base, &s);
    let bytes = state
        .db(move |st| {
            let other = |e: String| StoreError::Other(e);
            let names: HashMap<String, String> = st
                .regions_under(&b)?
                .into_iter()
                .map(|(c, n)| (c, short_name(&n).to_string()))
                .collect();
            if let Some(dir) = path.parent() {
                private::create_dir(dir).map_err(|e| other(e.to_string()))?;
            }
            let header = [
                l.t("户主", "Head of household"),
                l.t("户主证件号（脱敏）", "Head's ID number (masked)"),
                l.t("户编号", "Household no."),
                l.t("乡镇", "Township"),
                l.t("村", "Village"),
                l.t("组", "Group"),
                l.t("预警等级", "Level"),
                l.t("命中规则", "Rules hit"),
                l.t("风险类型", "Risk types"),
                l.t("首次预警", "First warned"),
            ];
            let mut w =
                TableXlsxWriter::new(l.t("预警名单", "Warnings"), &header).map_err(other)?;
            let (_, rows) = st.each_warned_household(&filter, |h| {
                let town = h.village.get(..9).unwrap_or_default();
                w.row(&[
                    h.head_name.as_str(),
                    &mask(&h.head_id),
                    &h.household_no,
                    names.get(town).map_or(town, String::as_str),
                    names
                        .get(&h.village)
                        .map_or(h.village.as_str(), String::as_str),
                    &h.group,
                    level_word(l, h.level),
                    &rule_names(l, &h.rules),
                    &risk_names(l, &h.risks),
                    &when(h.since),
                ])
                .map_err(other)
            })?;
            w.finish(&path).map_err(other)?;
            let bytes = std::fs::read(&path).map_err(|e| other(e.to_string()));
            let _ = std::fs::remove_file(&path);
            let bytes = bytes?;
            st.audit_with(
                &actor,
                region.county().as_ref().map(|c| c.as_str()),
                "warnings.export",
                ("region", region.as_str()),
                &serde_json::json!({
                    "rows": rows,
                    "format": "xlsx",
                    "ids": "masked",
                    "filters": query,
                }),
            )?;
            Ok(bytes)
        })
        .await?;
    let name = format!(
        "{}-{}-{}.xlsx",
        l.t("预警名单", "warnings"),
        a.region,
        today()
    );
    Ok(xlsx_download(bytes, &name))
}

/// The workbook as a download named `name`.
fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    super::layout::download(bytes, super::layout::XLSX, "warnings.xlsx", name)
}

/// POST /warnings/run: a county officer screens the county now, and the list then says what the
/// run found and what it added.
async fn run_screening(
    State(state): State<AppState>,
    s: Session,
    Screener { county }: Screener,
) -> PageResult {
    let actor = s.actor();
    let today = today();
    let r = state
        .db(move |st| shouwang_app::screening::run(st, &county, today.year(), today, &actor))
        .await?;
    let o = &r.outcome;
    let m = &o.summary;
    let [red, yellow, blue] = m.by_level;
    let found_zh = format!(
        "筛查 {} 户，预警 {} 户（红色 {red} 户、黄色 {yellow} 户、蓝色 {blue} 户）",
        m.households, m.flagged_households
    );
    let found_en = format!(
        "{} households screened, {} flagged ({red} red, {yellow} yellow, {blue} blue)",
        m.households, m.flagged_households
    );
    let (zh, en) = if o.unchanged {
        if r.data_unchanged {
            (
                format!("已完成筛查：数据与上次相同，结果未变。{found_zh}；没有新增预警和线索。"),
                format!("Screening done: the data are the same as last time and so is the result. {found_en}; no new warning or lead."),
            )
        } else {
            (
                format!("已完成筛查：数据有变动，但结果与上次相同。{found_zh}；没有新增预警和线索。"),
                format!("Screening done: the data changed but the result is the same as last time. {found_en}; no new warning or lead."),
            )
        }
    } else {
        (
            format!(
                "已完成筛查：{found_zh}；比上次新增预警 {} 户、新增线索 {} 条。",
                r.new_warnings, o.new_leads
            ),
            format!(
                "Screening done: {found_en}; {} households newly flagged since the last run, {} new leads.",
                r.new_warnings, o.new_leads
            ),
        )
    };
    Ok(saved("/warnings", zh, en))
}

// ---------------------------------------------------------------- household warnings

/// One lead of a household as shown: (risk, level, level class, rules, source, found, due,
/// status, id)
type LeadRow = (
    String,
    &'static str,
    &'static str,
    String,
    String,
    String,
    String,
    String,
    i64,
);

#[derive(Template)]
#[template(path = "household_warnings.html")]
struct HouseholdWarningsPage {
    ctx: Ctx,
    no: String,
    name: String,
    place: String,
    hits: Vec<HitView>,
    leads: Vec<LeadRow>,
}

/// A lead's status in words.
fn status_word(l: L, status: &LeadStatus) -> String {
    l.t(status.label_zh(), status.label_en()).to_string()
}

/// Where a lead came from, in words.
fn source_word(l: L, source: &LeadSource) -> String {
    l.t(source.label_zh(), source.label_en()).to_string()
}

async fn household_warnings(
    State(state): State<AppState>,
    s: Session,
    h: VisibleHousehold,
) -> PageResult {
    s.scope
        .decide(Action::ViewWarnings, h.target())
        .map_err(access::not_allowed)?;
    let rec = h.record;
    let n = rec.household.household_no.clone();
    let v = rec.household.village.clone();
    let (hits, leads, village) = state
        .db(move |st| {
            Ok((
                st.household_warnings(&n)?,
                st.household_leads(&n)?,
                st.region(&v)?,
            ))
        })
        .await?;
    let l = s.l();
    let no = rec.household.household_no.clone();
    let name = rec
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .map_or_else(|| no.clone(), |m| m.name.clone());
    let village_name = village.map_or_else(
        || rec.household.village.to_string(),
        |r| short_name(&r.name).to_string(),
    );
    let place = place_with_group(l, village_name.clone(), &rec.household.group);
    let crumbs = vec![
        Crumb::link(format!("/regions/{}", rec.household.village), village_name),
        Crumb::link(format!("/households/{no}"), name.clone()),
        Crumb::here(l.t("预警记录", "Warning history")),
    ];
    Ok(render(HouseholdWarningsPage {
        hits: hits.iter().map(|h| hit_view(&s, h)).collect(),
        leads: leads
            .iter()
            .map(|x| {
                (
                    l.t(x.risk.label_zh(), x.risk.label_en()).to_string(),
                    level_word(l, x.level),
                    x.level.label_en(),
                    rule_names(l, &x.rules),
                    source_word(l, &x.source),
                    x.found_on.to_string(),
                    x.due_on.to_string(),
                    status_word(l, &x.status),
                    x.id,
                )
            })
            .collect(),
        ctx: Ctx::of(&s).crumbs(crumbs),
        no,
        name,
        place,
    }))
}
