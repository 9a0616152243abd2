//! 数据质量核查: `/quality?region=&rule=&page=`, the whole catalogue run over the user's region (or
//! a township or village under it) today: the count per rule and per village, each a link that
//! narrows the list; the records to fix, each linked to its household's page with what to do; the
//! exemptions with who granted them and why, and the forms to grant and withdraw them.
//! `/quality/export?table=findings|rules|villages&format=xlsx|csv` gives each table as a titled
//! report sheet (title, region, date, export time) or CSV.
//!
//! Who may see: [`Action::ViewReports`] in the region; who may exempt or withdraw:
//! [`Action::ExemptQuality`] (county level). Forms carry the CSRF token; grants and withdrawals
//! are audited by the store. ID numbers are shown masked, and the forms name a member by the
//! masked number within the household, so no full number reaches the page.
//!
//! A run is kept for five minutes per database, region and day ([`FRESH_FOR`]): the page says
//! when it was computed and "重新核查" computes it anew; an exemption granted or withdrawn drops
//! the kept runs of its database.

use super::layout::{download, XLSX};
use super::{render, saved, Crumb, Ctx, Pager};
use crate::access;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::quality::QualityRun;
use shouwang_app::quality::{Grant, QualityTable};
use shouwang_core::access::{Action, Target};
use shouwang_core::id_number::mask;
use shouwang_core::quality::Rule;
use shouwang_core::region::{village_short_name, RegionLevel};
use shouwang_core::{Date, RegionCode};
use shouwang_io::table::{csv_bytes, report_xlsx_bytes, ReportHead};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Params = HashMap<String, String>;

/// Findings shown per page.
const PER_PAGE: usize = 50;

/// How long a run is shown again before it is computed anew. A county of a million persons takes
/// seconds to check, so the page and its exports reuse the run of the last minutes (the page says
/// when it was computed and offers "重新核查"); granting or withdrawing an exemption drops them.
const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(300);
/// Runs kept at most (one per database, region and day).
const KEPT: usize = 32;

struct Kept {
    at: std::time::Instant,
    computed_at: i64,
    seconds: f64,
    run: Arc<QualityRun>,
}

type RunKey = (String, String, Date);

fn kept() -> &'static Mutex<HashMap<RunKey, Kept>> {
    static KEPT_RUNS: OnceLock<Mutex<HashMap<RunKey, Kept>>> = OnceLock::new();
    KEPT_RUNS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The run of `region` on `day` (the kept one unless `fresh` or too old), when it was computed
/// (unix seconds) and how long it took.
fn run_of(
    st: &shouwang_store::Store,
    region: &RegionCode,
    day: Date,
    fresh: bool,
) -> Result<(Arc<QualityRun>, i64, f64), shouwang_store::StoreError> {
    let key = (st.label.clone(), region.to_string(), day);
    if !fresh {
        if let Ok(map) = kept().lock() {
            if let Some(k) = map.get(&key).filter(|k| k.at.elapsed() < FRESH_FOR) {
                return Ok((k.run.clone(), k.computed_at, k.seconds));
            }
        }
    }
    let started = std::time::Instant::now();
    let run = Arc::new(shouwang_app::quality::run(st, region, day)?);
    let seconds = started.elapsed().as_secs_f64();
    let computed_at = shouwang_store::now();
    if let Ok(mut map) = kept().lock() {
        map.retain(|_, k| k.at.elapsed() < FRESH_FOR);
        if map.len() >= KEPT {
            map.clear();
        }
        map.insert(
            key,
            Kept {
                at: std::time::Instant::now(),
                computed_at,
                seconds,
                run: run.clone(),
            },
        );
    }
    Ok((run, computed_at, seconds))
}

/// Drops every kept run of the database `label` (an exemption changed what they count).
fn forget(label: &str) {
    if let Ok(mut map) = kept().lock() {
        map.retain(|(l, _, _), _| l != label);
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quality", get(quality_page))
        .route("/quality/export", get(export))
        .route("/quality/exemptions", post(grant))
        .route("/quality/exemptions/{id}/withdraw", post(withdraw))
}

struct RuleRow {
    code: String,
    number: i64,
    text: String,
    record: String,
    fix: String,
    open: u64,
    exempted: u64,
    href: String,
}

struct VillageRow {
    name: String,
    href: String,
    households: u64,
    to_fix: u64,
    open: u64,
    exempted: u64,
}

struct FindingRow {
    household_href: String,
    /// the page where the record is fixed
    record_href: String,
    record: String,
    household_no: String,
    head: String,
    village: String,
    member: String,
    member_key: String,
    rule_code: String,
    rule_number: i64,
    rule_text: String,
    detail: String,
    fix: String,
    exempted: bool,
}

struct ExemptionRow {
    id: i64,
    rule: String,
    household_href: String,
    household: String,
    member: String,
    reason: String,
    granted: String,
    withdrawn: Option<String>,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    ctx: Ctx,
    title: String,
    region: String,
    summary: String,
    rules: Vec<RuleRow>,
    quiet_rules: Vec<RuleRow>,
    villages: Vec<VillageRow>,
    findings: Vec<FindingRow>,
    filter_words: String,
    pager: Pager,
    exemptions: Vec<ExemptionRow>,
    may_exempt: bool,
    export_query: String,
}

/// "2026-12-01 08:00" (China time) of unix seconds.
fn when(secs: i64) -> String {
    let local = secs + 8 * 3600;
    let day = Date::from_unix_seconds_china(secs);
    let minutes = local.rem_euclid(86_400) / 60;
    format!("{day} {:02}:{:02}", minutes / 60, minutes % 60)
}

fn rule_of(l: L, text: Option<&String>) -> Result<Option<Rule>, AppError> {
    match text.map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .and_then(Rule::from_code)
            .map(Some)
            .ok_or_else(|| {
                AppError::BadRequest(
                    l.t("没有这条核查规则", "no such data-quality rule")
                        .to_string(),
                )
            }),
    }
}

fn name_of(names: &HashMap<String, String>, code: &str) -> String {
    names
        .get(code)
        .map(|n| village_short_name(n).to_string())
        .unwrap_or_else(|| code.to_string())
}

async fn quality_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<Params>,
) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let rule = rule_of(l, q.get("rule"))?;
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let may_exempt = s
        .scope
        .allows(Action::ExemptQuality, Target::Region(&s.scope.region));
    let day = today();
    let r = region.clone();
    let fresh = q.get("fresh").is_some_and(|f| f == "1");
    let ((run, computed_at, seconds), names, exemptions, people) = state
        .db(move |st| {
            let exemptions = shouwang_app::quality::exemptions(st, &r)?;
            // who granted and withdrew, by name
            let mut people: HashMap<String, String> = HashMap::new();
            for e in &exemptions {
                for u in std::iter::once(&e.granted_by).chain(e.withdrawn_by.as_ref()) {
                    if !people.contains_key(u) {
                        let name = st
                            .user_by_name(u)?
                            .map_or_else(|| u.clone(), |u| u.display_name);
                        people.insert(u.clone(), name);
                    }
                }
            }
            Ok((
                run_of(st, &r, day, fresh)?,
                st.quality_region_names(&r)?,
                exemptions,
                people,
            ))
        })
        .await?;
    let person = |u: &str| people.get(u).cloned().unwrap_or_else(|| u.to_string());
    let region_name = names
        .get(region.as_str())
        .cloned()
        .unwrap_or_else(|| region.to_string());
    let here = |extra: &str| {
        let mut q = format!("region={region}");
        if !extra.is_empty() {
            q.push('&');
            q.push_str(extra);
        }
        format!("/quality?{q}")
    };
    let (mut rules, mut quiet_rules) = (Vec::new(), Vec::new());
    for c in run.by_rule() {
        let row = RuleRow {
            code: c.rule.display_code(),
            number: c.rule.code(),
            text: l.t(c.rule.label_zh(), c.rule.label_en()).to_string(),
            record: l
                .t(c.rule.record().label_zh(), c.rule.record().label_en())
                .to_string(),
            fix: l.t(c.rule.fix_zh(), c.rule.fix_en()).to_string(),
            open: c.open,
            exempted: c.exempted,
            href: here(&format!("rule={}#findings", c.rule.code())),
        };
        if c.open + c.exempted > 0 {
            rules.push(row);
        } else {
            quiet_rules.push(row);
        }
    }
    rules.sort_by(|a, b| b.open.cmp(&a.open).then(a.number.cmp(&b.number)));
    let villages = if region.level() == RegionLevel::Village {
        Vec::new()
    } else {
        let mut v: Vec<VillageRow> = run
            .by_village()
            .into_iter()
            .map(|v| VillageRow {
                name: name_of(&names, &v.village),
                href: format!(
                    "/quality?region={}{}",
                    v.village,
                    rule.map(|r| format!("&rule={}", r.code()))
                        .unwrap_or_default()
                ),
                households: v.households,
                to_fix: v.households_to_fix,
                open: v.open,
                exempted: v.exempted,
            })
            .collect();
        v.sort_by(|a, b| b.open.cmp(&a.open).then(a.name.cmp(&b.name)));
        v
    };
    let chosen: Vec<_> = run
        .findings
        .iter()
        .filter(|f| rule.is_none_or(|r| f.rule == r))
        .collect();
    let query = match rule {
        Some(r) => format!("region={region}&rule={}", r.code()),
        None => format!("region={region}"),
    };
    let pager = Pager::new(page, PER_PAGE, chosen.len(), query.clone());
    let findings = chosen
        .iter()
        .skip((pager.page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|f| FindingRow {
            household_href: format!("/households/{}", f.household_no),
            record_href: f.link(),
            record: l
                .t(f.rule.record().label_zh(), f.rule.record().label_en())
                .to_string(),
            household_no: f.household_no.clone(),
            head: if f.head_name.is_empty() {
                f.household_no.clone()
            } else {
                f.head_name.clone()
            },
            village: name_of(&names, &f.village),
            member: if f.member.is_empty() {
                String::new()
            } else {
                format!("{} {}", f.member_name, mask(&f.member))
            },
            member_key: if f.member.is_empty() {
                String::new()
            } else {
                mask(&f.member)
            },
            rule_code: f.rule.display_code(),
            rule_number: f.rule.code(),
            rule_text: l.t(f.rule.label_zh(), f.rule.label_en()).to_string(),
            detail: if l.is_en() {
                f.detail_en.clone()
            } else {
                f.detail_zh.clone()
            },
            fix: l.t(f.rule.fix_zh(), f.rule.fix_en()).to_string(),
            exempted: f.exempted,
        })
        .collect();
    let exemptions = exemptions
        .into_iter()
        .map(|e| ExemptionRow {
            id: e.id,
            rule: format!(
                "{} {}",
                e.rule.display_code(),
                l.t(e.rule.label_zh(), e.rule.label_en())
            ),
            household_href: format!("/households/{}", e.household_no),
            household: e.household_no.clone(),
            member: if e.member.is_empty() {
                String::new()
            } else {
                mask(&e.member)
            },
            reason: e.reason,
            granted: format!("{} {}", person(&e.granted_by), when(e.granted_at)),
            withdrawn: e.withdrawn_at.map(|at| {
                format!(
                    "{} {}{}{}",
                    person(e.withdrawn_by.as_deref().unwrap_or_default()),
                    when(at),
                    l.t("：", ": "),
                    e.withdraw_reason
                )
            }),
        })
        .collect();
    let open = run.open();
    let exempted = run.findings.len() as u64 - open;
    let summary = if l.is_en() {
        format!(
            "{} households, {} persons checked against {} rules on {day}: {open} findings to fix, {exempted} exempted (computed {} in {seconds:.1} s).",
            run.households,
            run.persons,
            Rule::ALL.len(),
            when(computed_at)
        )
    } else {
        format!(
            "{day} 按 {} 条规则核查 {} 户 {} 人：待整改疑点 {open} 条，已豁免 {exempted} 条（{} 核查，用时 {seconds:.1} 秒）。",
            Rule::ALL.len(),
            run.households,
            run.persons,
            when(computed_at)
        )
    };
    let title = if l.is_en() {
        format!("Data quality of {region_name}")
    } else {
        format!("{region_name}数据质量核查")
    };
    let filter_words = rule
        .map(|r| format!("{} {}", r.display_code(), l.t(r.label_zh(), r.label_en())))
        .unwrap_or_default();
    let mut crumbs = Vec::new();
    if region != s.scope.region {
        if let Some(parent) = region.parent().filter(|p| s.scope.region.contains(p)) {
            crumbs.push(Crumb::link(
                format!("/quality?region={parent}"),
                l.t("上一级", "Up"),
            ));
        }
    }
    crumbs.push(Crumb::here(title.clone()));
    Ok(render(QualityPage {
        ctx: Ctx::of(&s).crumbs(crumbs),
        title,
        region: region.to_string(),
        summary,
        rules,
        quiet_rules,
        villages,
        findings,
        filter_words,
        pager,
        exemptions,
        may_exempt,
        export_query: query,
    }))
}

async fn export(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let l = s.l();
    let region =
        access::asked_region(&s, Action::ViewReports, q.get("region").map(String::as_str))?;
    let rule = rule_of(l, q.get("rule"))?;
    let table = QualityTable::parse(q.get("table").map_or("", String::as_str))
        .ok_or_else(|| AppError::BadRequest(l.t("没有这张表", "no such table").to_string()))?;
    let xlsx = match q.get("format").map_or("xlsx", String::as_str) {
        "xlsx" => true,
        "csv" => false,
        _ => {
            return Err(AppError::BadRequest(
                l.t("格式应为 xlsx 或 csv", "the format is xlsx or csv")
                    .to_string(),
            )
            .into())
        }
    };
    let day = today();
    let r = region.clone();
    let ((kept_run, _, _), names) = state
        .db(move |st| Ok((run_of(st, &r, day, false)?, st.quality_region_names(&r)?)))
        .await?;
    let mut run = (*kept_run).clone();
    if let Some(rule) = rule {
        run.findings.retain(|f| f.rule == rule);
    }
    let lang = if l.is_en() {
        shouwang_core::Lang::En
    } else {
        shouwang_core::Lang::Zh
    };
    let (header, rows) = shouwang_app::quality::table_rows(&run, table, &names, lang);
    let region_name = names
        .get(region.as_str())
        .cloned()
        .unwrap_or_else(|| region.to_string());
    let title = table.title(lang);
    let name = format!("{title}-{region_name}-{day}");
    let bytes = if xlsx {
        let head = ReportHead {
            title: title.to_string(),
            region_line: format!("{}{region_name}（{region}）", l.t("区划：", "Region: ")),
            as_of_line: format!("{}{day}", l.t("核查日期：", "Checked on: ")),
            exported_line: format!(
                "{}{}",
                l.t("导出时间：", "Exported: "),
                when(shouwang_store::now())
            ),
        };
        report_xlsx_bytes(&head, "数据质量", &header, &rows, table.numeric_from())
    } else {
        csv_bytes(&header, &rows)
    }
    .map_err(AppError::Internal)?;
    Ok(if xlsx {
        download(
            bytes,
            XLSX,
            &format!("quality-{}.xlsx", table.slug()),
            &format!("{name}.xlsx"),
        )
    } else {
        download(
            bytes,
            "text/csv; charset=utf-8",
            &format!("quality-{}.csv", table.slug()),
            &format!("{name}.csv"),
        )
    }
    .into_response())
}

/// 豁免: a finding on a household (or member) of the user's region is right as it stands.
async fn grant(State(state): State<AppState>, s: Session, Form(p): Form<Params>) -> PageResult {
    let l = s.l();
    let region: RegionCode = s.scope.region.clone();
    s.scope
        .decide(Action::ExemptQuality, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let rule = rule_of(l, p.get("rule"))?.ok_or_else(|| {
        AppError::BadRequest(
            l.t("没有这条核查规则", "no such data-quality rule")
                .to_string(),
        )
    })?;
    let household_no = p.get("household").cloned().unwrap_or_default();
    let g = Grant {
        household_no: household_no.trim().to_string(),
        member: p
            .get("member")
            .cloned()
            .unwrap_or_default()
            .trim()
            .to_string(),
        rule,
        reason: p.get("reason").cloned().unwrap_or_default(),
    };
    let actor = s.actor();
    let day = today();
    let r = region.clone();
    state
        .db(move |st| {
            let id = shouwang_app::quality::grant_exemption(st, &actor, &r, &g, day)?;
            forget(&st.label);
            Ok(id)
        })
        .await?;
    let back = p
        .get("back")
        .filter(|b| b.starts_with("/quality"))
        .cloned()
        .unwrap_or_else(|| "/quality".to_string());
    Ok(saved(
        &back,
        format!("已豁免户 {household_no} 的“{}”", rule.label_zh()),
        format!(
            "Exempted household {household_no} from '{}'",
            rule.label_en()
        ),
    ))
}

/// 撤销豁免, with a reason.
async fn withdraw(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(p): Form<Params>,
) -> PageResult {
    let region: RegionCode = s.scope.region.clone();
    s.scope
        .decide(Action::ExemptQuality, Target::Region(&region))
        .map_err(access::not_allowed)?;
    let reason = p.get("reason").cloned().unwrap_or_default();
    let actor = s.actor();
    let r = region.clone();
    state
        .db(move |st| {
            shouwang_app::quality::withdraw_exemption(st, &actor, &r, id, &reason)?;
            forget(&st.label);
            Ok(())
        })
        .await?;
    Ok(saved(
        "/quality#exemptions",
        format!("已撤销豁免 {id}"),
        format!("Exemption {id} withdrawn"),
    ))
}
