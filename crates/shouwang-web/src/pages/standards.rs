//! The county's standards (监测标准), what-if (模拟测算) and saving the edited rules.
//!
//! Who may see and do what is decided by the extractors of [`crate::access`].

use super::{render, saved, Crumb, Ctx};
use crate::access::{self, StandardsRegion, WhatIfRegion};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::routing::{get, post};
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::income::yuan_text;
use shouwang_core::money::format_hundredths;
use shouwang_core::screening::{apply_edits, CATALOGUE};
use shouwang_core::standard::Standard;
use shouwang_core::{Fen, Problem, ProblemCode, RegionCode};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/what-if", get(what_if_page))
        .route("/rules", post(save_rules))
        .route("/standards", get(standards_page).post(save_standard))
}
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

/// A region in words: its name, else its level and code (`省级区划 51`).
fn region_words(l: L, names: &HashMap<String, String>, code: &RegionCode) -> String {
    match names.get(code.as_str()) {
        Some(n) => n.clone(),
        None => {
            let level = code.level();
            format!(
                "{}{} {code}",
                l.t(level.label_zh(), level.label_en()),
                l.t("级区划", "")
            )
        }
    }
}

/// Where a standard comes from, in words: `四川省 2026 年标准` / `四川省 standard, 2026`.
fn standard_words(l: L, names: &HashMap<String, String>, code: &RegionCode, year: i32) -> String {
    let r = region_words(l, names, code);
    if l.is_en() {
        format!("{r} standard, {year}")
    } else {
        format!("{r} {year} 年标准")
    }
}

/// The breadcrumbs of a county page: its region, then the page.
fn crumbs(l: L, names: &HashMap<String, String>, region: &RegionCode, here: String) -> Vec<Crumb> {
    vec![
        Crumb::link(format!("/regions/{region}"), region_words(l, names, region)),
        Crumb::here(here),
    ]
}

// ---------------------------------------------------------------- what-if

#[derive(Template)]
#[template(path = "what_if.html")]
struct WhatIfPage {
    ctx: Ctx,
    region: String,
    year: i32,
    fields: Vec<(String, String, String, String)>,
    rules: Vec<(String, String, String)>,
    problems: Vec<String>,
    townships: Vec<AreaRow>,
    villages: Vec<AreaRow>,
    total: Option<AreaRow>,
    took_ms: String,
    can_save: bool,
    version: u32,
    region_name: String,
}

struct AreaRow {
    code: String,
    name: String,
    current: String,
    edited: String,
    change: String,
}

const PARAM_FIELDS: [(&str, &str, &str); 6] = [
    ("line", "监测线（元）", "monitoring line (yuan)"),
    (
        "near_line_percent",
        "临界线幅度（%）",
        "near-line margin (%)",
    ),
    (
        "income_drop_percent",
        "收入骤降幅度（%）",
        "income drop (%)",
    ),
    (
        "rigid_expenditure_percent",
        "刚性支出占比（%）",
        "rigid expenditure share (%)",
    ),
    (
        "rigid_expenditure_amount",
        "刚性支出金额（元）",
        "rigid expenditure amount (yuan)",
    ),
    (
        "schooling_cost_threshold",
        "非义务教育费用（元）",
        "schooling cost (yuan)",
    ),
];

async fn what_if_page(
    State(state): State<AppState>,
    s: Session,
    WhatIfRegion(region): WhatIfRegion,
    Query(q): Query<Params>,
) -> PageResult {
    if region.county().is_none() {
        return Err(AppError::BadRequest(
            "模拟测算按县或以下区划进行 / what-if runs on a county or below".into(),
        )
        .into());
    }
    let l = s.l();
    let today = today();
    let year: i32 = q
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(today.year());
    let r = region.clone();
    let loaded = state
        .db(move |st| st.load_snapshot(&r, year, today))
        .await?;
    let own_names = super::region_names(&state, vec![region.clone()]).await?;
    let loaded_version = loaded.rules.version;
    // the current values, to fill the form
    let current = |key: &str| -> String {
        let st = &loaded.standard;
        let rules = &loaded.rules;
        use shouwang_core::screening::ParamKey as K;
        let pct = |k: K| rules.param(k, st).to_string();
        let amt = |k: K| format_hundredths(rules.param(k, st));
        match key {
            "line" => yuan(st.monitoring_line),
            "near_line_percent" => pct(K::NearLinePercent),
            "income_drop_percent" => pct(K::IncomeDropPercent),
            "rigid_expenditure_percent" => pct(K::RigidExpenditurePercent),
            "rigid_expenditure_amount" => amt(K::RigidExpenditureAmount),
            _ => amt(K::SchoolingCostThreshold),
        }
    };
    let mut edits = Vec::new();
    let mut fields = Vec::new();
    for (key, zh, en) in PARAM_FIELDS {
        let now = current(key);
        let asked = q
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(v) = &asked {
            if *v != now {
                edits.push((key.to_string(), v.clone()));
            }
        }
        fields.push((
            key.to_string(),
            l.t(zh, en).to_string(),
            asked.unwrap_or_else(|| now.clone()),
            now,
        ));
    }
    let mut rules = Vec::new();
    for d in &CATALOGUE {
        let now = loaded.rules.setting(d.id);
        let now_text = if now.enabled {
            now.level.label_en().to_string()
        } else {
            "off".to_string()
        };
        let asked = q
            .get(d.code)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(v) = &asked {
            if *v != now_text {
                edits.push((d.code.to_string(), v.clone()));
            }
        }
        rules.push((
            d.code.to_string(),
            format!("{} {}", d.code, l.t(d.name_zh, d.name_en)),
            asked.unwrap_or(now_text),
        ));
    }
    let mut problems = Vec::new();
    let mut townships = Vec::new();
    let mut villages = Vec::new();
    let mut total = None;
    let mut took_ms = String::new();
    match shouwang_app::screening::what_if(&loaded, &edits) {
        Err(p) => problems = problems_text(&s, &p),
        Ok(run) => {
            let w = run.counts;
            took_ms = format!("{:.1}", run.took.as_secs_f64() * 1000.0);
            let codes: Vec<RegionCode> = w
                .townships
                .iter()
                .chain(w.villages.iter())
                .filter_map(|a| a.region.clone())
                .collect();
            let names = state
                .db(move |st| {
                    let mut m = HashMap::new();
                    for c in codes {
                        if let Some(r) = st.region(&c)? {
                            m.insert(c.as_str().to_string(), r.name);
                        }
                    }
                    Ok(m)
                })
                .await?;
            let row = |a: &shouwang_core::screening::AreaCounts| {
                let code = a.region.as_ref().map_or(String::new(), |r| r.to_string());
                AreaRow {
                    name: names
                        .get(&code)
                        .cloned()
                        .unwrap_or_else(|| l.t("合计", "Total").to_string()),
                    code,
                    current: format!("{} / {}", a.current.households, a.current.persons),
                    edited: format!("{} / {}", a.edited.households, a.edited.persons),
                    change: format!("{:+} / {:+}", a.household_change(), a.person_change()),
                }
            };
            townships = w.townships.iter().map(row).collect();
            villages = w
                .villages
                .iter()
                .filter(|v| v.household_change() != 0)
                .map(row)
                .collect();
            total = Some(row(&w.total));
        }
    }
    Ok(render(WhatIfPage {
        region_name: region_words(l, &own_names, &region),
        region: region.as_str().to_string(),
        year,
        fields,
        rules,
        problems,
        townships,
        villages,
        total,
        took_ms,
        can_save: s.scope.allows(Action::SetRules, Target::Region(&region)),
        version: loaded_version,
        ctx: Ctx::of(&s).crumbs(crumbs(
            l,
            &own_names,
            &region,
            l.t("模拟测算", "What-if").to_string(),
        )),
    }))
}

// ---------------------------------------------------------------- standards

#[derive(Template)]
#[template(path = "standards.html")]
struct StandardsPage {
    ctx: Ctx,
    region: String,
    year: i32,
    can_edit: bool,
    list: Vec<(String, i32, String, String)>,
    resolved: Vec<(String, String, String)>,
    fields: Vec<(String, String, String)>,
    problems: Vec<String>,
    region_name: String,
    /// 按工作日计算 as set here: "" inherited, "1" yes, "0" no
    working_days: String,
}

/// `15 天` or `15 个工作日` / `15 days` or `15 working days`.
fn days_text(l: L, n: i64, working: bool) -> String {
    match (working, l.is_en()) {
        (true, true) => format!("{n} working days"),
        (false, true) => format!("{n} days"),
        (true, false) => format!("{n} 个工作日"),
        (false, false) => format!("{n} 天"),
    }
}

fn months_text(l: L, n: i64) -> String {
    if l.is_en() {
        format!("{n} months")
    } else {
        format!("{n} 个月")
    }
}

async fn standards_page(
    State(state): State<AppState>,
    s: Session,
    StandardsRegion(region): StandardsRegion,
    Query(q): Query<Params>,
) -> PageResult {
    standards_view(&state, &s, region, &q, Vec::new()).await
}

/// The standards of the county of `region` for the year asked, with the problems of a form just
/// sent.
async fn standards_view(
    state: &AppState,
    s: &Session,
    region: RegionCode,
    q: &Params,
    problems: Vec<String>,
) -> PageResult {
    let region = region.county().unwrap_or(region);
    let l = s.l();
    let year: i32 = q
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(today().year());
    let r = region.clone();
    let (all, resolved) = state
        .db(move |st| {
            let all = st.standards_for(&r)?;
            let resolved = st.resolved_standard(&r, year).ok();
            Ok((all, resolved))
        })
        .await?;
    let own = all.iter().find(|x| x.region == region && x.year == year);
    let mut codes: Vec<RegionCode> = all.iter().map(|x| x.region.clone()).collect();
    codes.push(region.clone());
    if let Some(r) = &resolved {
        codes.extend(
            r.origins
                .iter()
                .filter_map(|o| o.from.clone())
                .map(|(c, _)| c),
        );
    }
    codes.sort();
    codes.dedup();
    let names = super::region_names(state, codes).await?;
    let list = all
        .iter()
        .map(|x| {
            (
                standard_words(l, &names, &x.region, x.year),
                x.year,
                x.monitoring_line.map_or("—".into(), yuan_text),
                x.document.clone(),
            )
        })
        .collect();
    let resolved = match resolved {
        Some(r) => {
            let from = |field: &str| {
                r.origins
                    .iter()
                    .find(|o| o.field == field)
                    .and_then(|o| o.from.clone())
                    .map_or(
                        l.t("系统默认值", "built-in default").to_string(),
                        |(c, y)| standard_words(l, &names, &c, y),
                    )
            };
            vec![
                (
                    l.t("监测线", "Monitoring line").to_string(),
                    format!("{} {}", yuan_text(r.monitoring_line), l.t("元", "yuan")),
                    from("monitoring_line"),
                ),
                (
                    l.t("临界线幅度", "Near-line margin").to_string(),
                    format!("{}%", r.near_line_percent),
                    from("near_line_percent"),
                ),
                (
                    l.t("收入骤降幅度", "Income drop").to_string(),
                    format!("{}%", r.income_drop_percent),
                    from("income_drop_percent"),
                ),
                (
                    l.t("刚性支出占比", "Rigid expenditure share").to_string(),
                    format!("{}%", r.rigid_expenditure_percent),
                    from("rigid_expenditure_percent"),
                ),
                (
                    l.t("刚性支出金额", "Rigid expenditure amount").to_string(),
                    format!(
                        "{} {}",
                        yuan_text(r.rigid_expenditure_amount),
                        l.t("元", "yuan")
                    ),
                    from("rigid_expenditure_amount"),
                ),
                (
                    l.t("识别认定时限", "Identification deadline").to_string(),
                    days_text(l, r.identification_days, r.working_days),
                    from("identification_days"),
                ),
                (
                    l.t("公示天数（至少）", "Public notice (at least)")
                        .to_string(),
                    days_text(l, r.notice_min_days, r.working_days),
                    from("notice_min_days"),
                ),
                (
                    l.t("按工作日计算时限", "Deadlines in working days")
                        .to_string(),
                    if r.working_days {
                        l.t(
                            "是（节假日见工作日历）",
                            "yes (holidays: see the working calendar)",
                        )
                    } else {
                        l.t("否，按自然日计算", "no, calendar days")
                    }
                    .to_string(),
                    from("working_days"),
                ),
                (
                    l.t("入户核实时限", "Home verification").to_string(),
                    days_text(l, r.verification_days, r.working_days),
                    from("verification_days"),
                ),
                (
                    l.t("民主评议时限", "Village appraisal").to_string(),
                    days_text(l, r.appraisal_days, r.working_days),
                    from("appraisal_days"),
                ),
                (
                    l.t("乡镇审核时限", "Township review").to_string(),
                    days_text(l, r.township_review_days, r.working_days),
                    from("township_review_days"),
                ),
                (
                    l.t("县级审定时限", "County decision").to_string(),
                    days_text(l, r.county_decision_days, r.working_days),
                    from("county_decision_days"),
                ),
                (
                    l.t(
                        "预警响应（红/黄/蓝，天）",
                        "Response days (red/yellow/blue)",
                    )
                    .to_string(),
                    format!(
                        "{}/{}/{}",
                        r.warning_scheme.red_days,
                        r.warning_scheme.yellow_days,
                        r.warning_scheme.blue_days
                    ),
                    from("warning_scheme"),
                ),
                (
                    l.t("帮扶措施落实时限", "Measures deadline").to_string(),
                    days_text(l, r.measures_days, false),
                    from("measures_days"),
                ),
                (
                    l.t("开发式帮扶措施时限", "Development measure within")
                        .to_string(),
                    months_text(l, r.development_months),
                    from("development_months"),
                ),
                (
                    l.t("收入稳定期", "Income stable for").to_string(),
                    months_text(l, r.income_stable_months),
                    from("income_stable_months"),
                ),
                (
                    l.t("风险消除最短监测期", "Min. months before elimination")
                        .to_string(),
                    months_text(l, r.elimination_min_months),
                    from("elimination_min_months"),
                ),
                (
                    l.t("村党支部书记走访周期", "Village secretary visits every")
                        .to_string(),
                    months_text(l, r.secretary_visit_months),
                    from("secretary_visit_months"),
                ),
                (
                    l.t(
                        "乡镇党委书记走访周期",
                        "Township party secretary visits every",
                    )
                    .to_string(),
                    months_text(l, r.party_secretary_visit_months),
                    from("party_secretary_visit_months"),
                ),
                (
                    l.t("帮扶责任人走访周期", "Assistance person visits every")
                        .to_string(),
                    months_text(l, r.helper_visit_months),
                    from("helper_visit_months"),
                ),
                (
                    l.t("家庭签约医生走访周期", "Family doctor visits every")
                        .to_string(),
                    months_text(l, r.doctor_visit_months),
                    from("doctor_visit_months"),
                ),
                // issue 15: the department alerts' thresholds and the self-report clock
                (
                    l.t(
                        "上年农村居民人均可支配收入",
                        "Last year's rural disposable income",
                    )
                    .to_string(),
                    format!("{} {}", yuan_text(r.rural_income), l.t("元", "yuan")),
                    from("rural_income"),
                ),
                (
                    l.t(
                        "医保预警比例（脱贫、监测人口 / 其他人口）",
                        "Medical alert share (registered / others)",
                    )
                    .to_string(),
                    format!(
                        "{}% / {}%",
                        r.medical_percent_registered, r.medical_percent_others
                    ),
                    from("medical_percent_registered"),
                ),
                (
                    l.t(
                        "医保预警金额（脱贫、监测人口 / 其他人口）",
                        "Medical alert amount (registered / others)",
                    )
                    .to_string(),
                    format!(
                        "{} / {} {}",
                        yuan_text(r.medical_amount_registered),
                        yuan_text(r.medical_amount_others),
                        l.t("元", "yuan")
                    ),
                    from("medical_amount_registered"),
                ),
                (
                    l.t("应急预警金额", "Disaster loss alert").to_string(),
                    format!(
                        "{} {}",
                        yuan_text(r.disaster_loss_threshold),
                        l.t("元", "yuan")
                    ),
                    from("disaster_loss_threshold"),
                ),
                (
                    l.t("自主申报受理时限", "Self-report verification")
                        .to_string(),
                    days_text(l, r.self_report_days, true),
                    from("self_report_days"),
                ),
                // issue 16: 促增收
                (
                    l.t(
                        "农村居民人均可支配收入增速",
                        "Rural disposable income growth",
                    )
                    .to_string(),
                    permille_text(r.rural_income_growth_permille),
                    from("rural_income_growth_permille"),
                ),
                (
                    l.t("低收入监测线", "Low-income watch line").to_string(),
                    format!("{} {}", yuan_text(r.low_income_watch), l.t("元", "yuan")),
                    from("low_income_watch"),
                ),
                (
                    l.t("县定增收目标", "County income target").to_string(),
                    format!("{} {}", yuan_text(r.income_target), l.t("元", "yuan")),
                    from("income_target"),
                ),
            ]
        }
        None => Vec::new(),
    };
    let v = |f: Option<String>| f.unwrap_or_default();
    let fields = vec![
        (
            "line".to_string(),
            l.t("监测线（元）", "Monitoring line (yuan)").to_string(),
            v(own.and_then(|o| o.monitoring_line).map(yuan)),
        ),
        (
            "near_line_percent".into(),
            l.t("临界线幅度（%）", "Near-line margin (%)").into(),
            v(own.and_then(|o| o.near_line_percent).map(|x| x.to_string())),
        ),
        (
            "income_drop_percent".into(),
            l.t("收入骤降幅度（%）", "Income drop (%)").into(),
            v(own
                .and_then(|o| o.income_drop_percent)
                .map(|x| x.to_string())),
        ),
        (
            "rigid_expenditure_percent".into(),
            l.t("刚性支出占比（%）", "Rigid expenditure share (%)")
                .into(),
            v(own
                .and_then(|o| o.rigid_expenditure_percent)
                .map(|x| x.to_string())),
        ),
        (
            "rigid_expenditure_amount".into(),
            l.t("刚性支出金额（元）", "Rigid expenditure amount (yuan)")
                .into(),
            v(own.and_then(|o| o.rigid_expenditure_amount).map(yuan)),
        ),
        (
            "schooling_cost_threshold".into(),
            l.t(
                "非义务教育费用（元）",
                "Non-compulsory schooling cost (yuan)",
            )
            .into(),
            v(own.and_then(|o| o.schooling_cost_threshold).map(yuan)),
        ),
        (
            "red_days".into(),
            l.t("红色预警响应（天）", "Red response (days)").into(),
            v(own
                .and_then(|o| o.warning_scheme)
                .map(|w| w.red_days.to_string())),
        ),
        (
            "yellow_days".into(),
            l.t("黄色预警响应（天）", "Yellow response (days)").into(),
            v(own
                .and_then(|o| o.warning_scheme)
                .map(|w| w.yellow_days.to_string())),
        ),
        (
            "blue_days".into(),
            l.t("蓝色预警响应（天）", "Blue response (days)").into(),
            v(own
                .and_then(|o| o.warning_scheme)
                .map(|w| w.blue_days.to_string())),
        ),
        (
            "identification_days".into(),
            l.t("识别认定时限（天）", "Identification deadline (days)")
                .into(),
            v(own
                .and_then(|o| o.identification_days)
                .map(|x| x.to_string())),
        ),
        (
            "notice_min_days".into(),
            l.t("公示天数（至少）", "Public notice (min. days)").into(),
            v(own.and_then(|o| o.notice_min_days).map(|x| x.to_string())),
        ),
        (
            "measures_days".into(),
            l.t("帮扶措施时限（天）", "Measures deadline (days)").into(),
            v(own.and_then(|o| o.measures_days).map(|x| x.to_string())),
        ),
        (
            "verification_days".into(),
            l.t("入户核实时限（天）", "Home verification (days)").into(),
            v(own.and_then(|o| o.verification_days).map(|x| x.to_string())),
        ),
        (
            "appraisal_days".into(),
            l.t("民主评议时限（天）", "Village appraisal (days)").into(),
            v(own.and_then(|o| o.appraisal_days).map(|x| x.to_string())),
        ),
        (
            "township_review_days".into(),
            l.t("乡镇审核时限（天）", "Township review (days)").into(),
            v(own
                .and_then(|o| o.township_review_days)
                .map(|x| x.to_string())),
        ),
        (
            "county_decision_days".into(),
            l.t("县级审定时限（天）", "County decision (days)").into(),
            v(own
                .and_then(|o| o.county_decision_days)
                .map(|x| x.to_string())),
        ),
        (
            "elimination_min_months".into(),
            l.t("风险消除最短监测期（月）", "Min. months before elimination")
                .into(),
            v(own
                .and_then(|o| o.elimination_min_months)
                .map(|x| x.to_string())),
        ),
        (
            "development_months".into(),
            l.t(
                "开发式帮扶措施时限（月）",
                "Development measure within (months)",
            )
            .into(),
            v(own
                .and_then(|o| o.development_months)
                .map(|x| x.to_string())),
        ),
        (
            "income_stable_months".into(),
            l.t("收入稳定期（月）", "Income stable for (months)").into(),
            v(own
                .and_then(|o| o.income_stable_months)
                .map(|x| x.to_string())),
        ),
        (
            "secretary_visit_months".into(),
            l.t(
                "村党支部书记走访周期（月）",
                "Village secretary visits (months)",
            )
            .into(),
            v(own
                .and_then(|o| o.secretary_visit_months)
                .map(|x| x.to_string())),
        ),
        (
            "party_secretary_visit_months".into(),
            l.t(
                "乡镇党委书记走访周期（月）",
                "Township party secretary visits (months)",
            )
            .into(),
            v(own
                .and_then(|o| o.party_secretary_visit_months)
                .map(|x| x.to_string())),
        ),
        (
            "helper_visit_months".into(),
            l.t(
                "帮扶责任人走访周期（月）",
                "Assistance person visits (months)",
            )
            .into(),
            v(own
                .and_then(|o| o.helper_visit_months)
                .map(|x| x.to_string())),
        ),
        (
            "doctor_visit_months".into(),
            l.t(
                "家庭签约医生走访周期（月）",
                "Family doctor visits (months)",
            )
            .into(),
            v(own
                .and_then(|o| o.doctor_visit_months)
                .map(|x| x.to_string())),
        ),
        (
            "rural_income".into(),
            l.t(
                "上年农村居民人均可支配收入（元）",
                "Last year's rural disposable income (yuan)",
            )
            .into(),
            v(own.and_then(|o| o.rural_income).map(yuan)),
        ),
        (
            "medical_percent_registered".into(),
            l.t(
                "医保预警比例·脱贫、监测人口（%）",
                "Medical alert share, registered persons (%)",
            )
            .into(),
            v(own
                .and_then(|o| o.medical_percent_registered)
                .map(|x| x.to_string())),
        ),
        (
            "medical_percent_others".into(),
            l.t(
                "医保预警比例·其他人口（%）",
                "Medical alert share, other persons (%)",
            )
            .into(),
            v(own
                .and_then(|o| o.medical_percent_others)
                .map(|x| x.to_string())),
        ),
        (
            "medical_amount_registered".into(),
            l.t(
                "医保预警金额·脱贫、监测人口（元）",
                "Medical alert amount, registered persons (yuan)",
            )
            .into(),
            v(own.and_then(|o| o.medical_amount_registered).map(yuan)),
        ),
        (
            "medical_amount_others".into(),
            l.t(
                "医保预警金额·其他人口（元）",
                "Medical alert amount, other persons (yuan)",
            )
            .into(),
            v(own.and_then(|o| o.medical_amount_others).map(yuan)),
        ),
        (
            "disaster_loss_threshold".into(),
            l.t("应急预警金额（元）", "Disaster loss alert (yuan)")
                .into(),
            v(own.and_then(|o| o.disaster_loss_threshold).map(yuan)),
        ),
        (
            "self_report_days".into(),
            l.t(
                "自主申报受理时限（工作日）",
                "Self-report verification (working days)",
            )
            .into(),
            v(own.and_then(|o| o.self_report_days).map(|x| x.to_string())),
        ),
        (
            "rural_income_growth_permille".into(),
            l.t(
                "农村居民人均可支配收入增速（‰）",
                "Rural disposable income growth (‰)",
            )
            .into(),
            v(own
                .and_then(|o| o.rural_income_growth_permille)
                .map(|x| x.to_string())),
        ),
        (
            "low_income_watch".into(),
            l.t("低收入监测线（元）", "Low-income watch line (yuan)")
                .into(),
            v(own.and_then(|o| o.low_income_watch).map(yuan)),
        ),
        (
            "income_target".into(),
            l.t("县定增收目标（元）", "County income target (yuan)")
                .into(),
            v(own.and_then(|o| o.income_target).map(yuan)),
        ),
        (
            "document".into(),
            l.t("文号", "Document").into(),
            own.map(|o| o.document.clone()).unwrap_or_default(),
        ),
    ];
    // a refused form shows what was typed, not what is stored
    let fields: Vec<(String, String, String)> = if problems.is_empty() {
        fields
    } else {
        fields
            .into_iter()
            .map(|(k, label, stored)| {
                let typed = q.get(&k).map(|t| t.trim().to_string());
                (k, label, typed.unwrap_or(stored))
            })
            .collect()
    };
    // 按工作日计算: "" inherits, "1" working days, "0" calendar days
    let working_days = if problems.is_empty() {
        match own.and_then(|o| o.working_days) {
            Some(true) => "1",
            Some(false) => "0",
            None => "",
        }
        .to_string()
    } else {
        q.get("working_days").cloned().unwrap_or_default()
    };
    Ok(render(StandardsPage {
        working_days,
        region_name: region_words(l, &names, &region),
        region: region.as_str().to_string(),
        year,
        can_edit: s.scope.allows(Action::SetStandard, Target::Region(&region)),
        list,
        resolved,
        fields,
        problems,
        ctx: Ctx::of(s).crumbs(crumbs(
            l,
            &names,
            &region,
            l.t("监测标准", "Monitoring standards").to_string(),
        )),
    }))
}

/// POST /standards: a county officer or administrator sets the county's standard for a year
/// (fields left empty inherit from the city and province). Audited by the store.
async fn save_standard(
    State(state): State<AppState>,
    s: Session,
    Form(p): Form<Params>,
) -> PageResult {
    let region = access::asked_region(
        &s,
        Action::ViewStandards,
        p.get("region").map(String::as_str),
    )?;
    s.scope
        .decide(Action::SetStandard, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let year: i32 = p
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(0);
    let mut problems = Vec::new();
    let mut st = Standard::empty(year, region.clone());
    let text = |k: &str| {
        p.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if let Some(t) = text("line") {
        match Fen::parse_yuan(&t) {
            Ok(f) => st.monitoring_line = Some(f),
            Err(e) => problems.push(Problem::new(
                ProblemCode::MoneyInvalid,
                "line",
                format!("监测线“{t}”无效（{}）", e.zh()),
                format!("monitoring line '{t}' is not valid ({e})"),
            )),
        }
    }
    let whole = |k: &str, problems: &mut Vec<Problem>| -> Option<i64> {
        let t = text(k)?;
        t.parse::<i64>()
            .map_err(|_| {
                problems.push(Problem::new(
                    ProblemCode::IntegerInvalid,
                    k.to_string(),
                    format!("“{t}”不是整数"),
                    format!("'{t}' is not a whole number"),
                ))
            })
            .ok()
    };
    st.near_line_percent = whole("near_line_percent", &mut problems);
    st.income_drop_percent = whole("income_drop_percent", &mut problems);
    st.rigid_expenditure_percent = whole("rigid_expenditure_percent", &mut problems);
    st.identification_days = whole("identification_days", &mut problems);
    st.notice_min_days = whole("notice_min_days", &mut problems);
    st.measures_days = whole("measures_days", &mut problems);
    st.elimination_min_months = whole("elimination_min_months", &mut problems);
    st.verification_days = whole("verification_days", &mut problems);
    st.appraisal_days = whole("appraisal_days", &mut problems);
    st.township_review_days = whole("township_review_days", &mut problems);
    st.county_decision_days = whole("county_decision_days", &mut problems);
    st.development_months = whole("development_months", &mut problems);
    st.income_stable_months = whole("income_stable_months", &mut problems);
    st.secretary_visit_months = whole("secretary_visit_months", &mut problems);
    st.party_secretary_visit_months = whole("party_secretary_visit_months", &mut problems);
    st.helper_visit_months = whole("helper_visit_months", &mut problems);
    st.doctor_visit_months = whole("doctor_visit_months", &mut problems);
    st.medical_percent_registered = whole("medical_percent_registered", &mut problems);
    st.medical_percent_others = whole("medical_percent_others", &mut problems);
    st.self_report_days = whole("self_report_days", &mut problems);
    st.rural_income_growth_permille = whole("rural_income_growth_permille", &mut problems);
    st.working_days = match text("working_days").as_deref() {
        None => None,
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(other) => {
            problems.push(Problem::new(
                ProblemCode::CodeUnknown,
                "working_days",
                format!("“按工作日计算”的取值“{other}”无法识别"),
                format!("'{other}' is not a value of 'deadlines in working days'"),
            ));
            None
        }
    };
    for (k, slot) in [
        ("rigid_expenditure_amount", &mut st.rigid_expenditure_amount),
        ("schooling_cost_threshold", &mut st.schooling_cost_threshold),
        ("rural_income", &mut st.rural_income),
        (
            "medical_amount_registered",
            &mut st.medical_amount_registered,
        ),
        ("medical_amount_others", &mut st.medical_amount_others),
        ("disaster_loss_threshold", &mut st.disaster_loss_threshold),
        ("low_income_watch", &mut st.low_income_watch),
        ("income_target", &mut st.income_target),
    ] {
        if let Some(t) = text(k) {
            match Fen::parse_yuan(&t) {
                Ok(f) => *slot = Some(f),
                Err(e) => problems.push(Problem::new(
                    ProblemCode::MoneyInvalid,
                    k.to_string(),
                    format!("金额“{t}”无效（{}）", e.zh()),
                    format!("amount '{t}' is not valid ({e})"),
                )),
            }
        }
    }
    // the county's warning scheme: response days per level, all three or none (inherited)
    let days = [
        whole("red_days", &mut problems),
        whole("yellow_days", &mut problems),
        whole("blue_days", &mut problems),
    ];
    match days {
        [Some(red_days), Some(yellow_days), Some(blue_days)] => {
            st.warning_scheme = Some(shouwang_core::screening::WarningScheme {
                red_days,
                yellow_days,
                blue_days,
            })
        }
        [None, None, None] => {}
        _ => problems.push(Problem::new(
            ProblemCode::StandardWarningScheme,
            "red_days",
            "红、黄、蓝三级响应天数要么都填，要么都不填（沿用上级）",
            "give the response days of all three levels, or none (inherited)",
        )),
    }
    st.document = text("document").unwrap_or_default();
    // the form as sent, to show it again if refused
    let mut q: Params = p.clone();
    q.insert("region".into(), region.as_str().to_string());
    q.insert("year".into(), year.to_string());
    if problems.is_empty() {
        let actor = s.actor();
        match state.db(move |x| x.save_standard(&actor, &st)).await {
            Ok(()) => {
                return Ok(saved(
                    &format!("/standards?region={region}&year={year}"),
                    format!("已保存本县 {year} 年监测标准（已记入审计日志）"),
                    format!("Saved the county's {year} standard (recorded in the audit log)"),
                ))
            }
            Err(AppError::Invalid(p)) => problems = p,
            Err(e) => return Err(e.into()),
        }
    }
    let texts = problems_text(&s, &problems);
    standards_view(&state, &s, region, &q, texts).await
}

/// POST /rules: a county officer saves the edited rule parameters and levels as the county's
/// next rule-set version for the year (the line itself is a standard: see /standards).
async fn save_rules(
    State(state): State<AppState>,
    s: Session,
    Form(p): Form<Params>,
) -> PageResult {
    let region = access::asked_region(&s, Action::WhatIf, p.get("region").map(String::as_str))?;
    s.scope
        .decide(Action::SetRules, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let county = region.county().ok_or(AppError::NotFound)?;
    let year: i32 = p
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .unwrap_or(today().year());
    let mut edits: Vec<(String, String)> = Vec::new();
    for (key, _, _) in PARAM_FIELDS.iter().skip(1) {
        if let Some(v) = p.get(*key).filter(|v| !v.trim().is_empty()) {
            edits.push((key.to_string(), v.clone()));
        }
    }
    for d in &CATALOGUE {
        if let Some(v) = p.get(d.code).filter(|v| !v.trim().is_empty()) {
            edits.push((d.code.to_string(), v.clone()));
        }
    }
    let actor = s.actor();
    let c = county.clone();
    let outcome = state
        .db(move |st| {
            let rules = st.rule_set(&c, year)?;
            let standard = st.resolved_standard(&c, year)?;
            let (mut edited, _) = apply_edits(&edits, &rules, &standard)
                .map_err(shouwang_store::StoreError::Invalid)?;
            // parameters equal to the standard's need no override
            edited
                .overrides
                .retain(|o| o.value != o.key.from_standard(&standard));
            edited.year = year;
            st.save_rule_set(&actor, &c, &edited)
        })
        .await;
    match outcome {
        Ok(version) => Ok(saved(
            &format!("/what-if?region={county}&year={year}"),
            format!("已将参数和预警等级保存为本县 {year} 年规则第 {version} 版（已记入审计日志）"),
            format!("Saved the parameters and levels as the county's {year} rules, version {version} (recorded in the audit log)"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A permille as a percent with one decimal: 66 → `6.6%`, -5 → `-0.5%`.
fn permille_text(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{}%", a / 10, a % 10)
}
