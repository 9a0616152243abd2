//! 风险线索 in the browser: the leads of a region with their countdown to the due day, one lead
//! with its evidence and what can be done with it (open the household's identification on it,
//! gather it into the one under way, dismiss it with a reason, merge it into another lead of the
//! household), a lead raised by hand from a household's page (干部排查, 12317 热线), and the
//! household page's section with its leads, procedures and monitoring case.
//!
//! Who may see and do what comes from core's permission table through [`crate::access`]: a lead
//! is seen by whoever may see its household's cases (`ViewCases`) and acted on by whoever may
//! take part in the identification there (`Identify`). A lead outside the user's region reads as
//! "not found", like a wrong number; an action the role may not take as "not allowed". The
//! writes go through `shouwang_app::identification`.

use super::screening::{hit_view, level_word, place_with_group, short_name, HitView};
use super::{render, saved, Crumb, Ctx, Pager};
use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use shouwang_app::identification::{self as ident, Acting, Sighting};
use shouwang_core::access::{Action, Target};
use shouwang_core::identification::Stage;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::region::RegionLevel;
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::identification::IdentificationRecord;
use shouwang_store::leads::{Lead, LeadFilter};
use shouwang_store::StoreError;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list))
        .route("/leads/new", get(new_form).post(raise))
        .route("/leads/{id}", get(detail))
        .route("/leads/{id}/identify", post(identify))
        .route("/leads/{id}/dismiss", post(dismiss))
        .route("/leads/{id}/merge", post(merge))
}

type Params = HashMap<String, String>;

/// Leads per page of the list.
const PER_PAGE: usize = 50;

/// The days a "due soon" item has left at most (today and the two days after).
const SOON_DAYS: i64 = 2;

// ---------------------------------------------------------------- words

/// The time left to a due day, as a cadre reads it: 还剩3天, 今天到期, 逾期2天.
pub(super) struct Countdown {
    pub(super) text: String,
    /// `overdue`, `soon` or `ok`: the colour
    pub(super) class: &'static str,
}

fn days_en(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

pub(super) fn countdown(l: L, today: Date, due: Date) -> Countdown {
    let left = due.to_days() - today.to_days();
    let text = match left {
        d if d < 0 => {
            if l.is_en() {
                format!("{} overdue", days_en(-d))
            } else {
                format!("逾期{}天", -d)
            }
        }
        0 => l.t("今天到期", "due today").to_string(),
        d => {
            if l.is_en() {
                format!("{} left", days_en(d))
            } else {
                format!("还剩{d}天")
            }
        }
    };
    Countdown {
        text,
        class: if left < 0 {
            "overdue"
        } else if left <= SOON_DAYS {
            "soon"
        } else {
            "ok"
        },
    }
}

fn risk_word(l: L, r: RiskType) -> String {
    l.t(r.label_zh(), r.label_en()).to_string()
}

fn source_word(l: L, s: LeadSource) -> String {
    l.t(s.label_zh(), s.label_en()).to_string()
}

fn status_word(l: L, s: LeadStatus) -> String {
    l.t(s.label_zh(), s.label_en()).to_string()
}

fn stage_word(l: L, s: Stage) -> String {
    l.t(s.label_zh(), s.label_en()).to_string()
}

/// The colour of a lead's status: waiting, under way, or ended.
fn status_class(s: LeadStatus) -> &'static str {
    match s {
        LeadStatus::Open => "open",
        LeadStatus::Gathered => "gathered",
        LeadStatus::Included => "included",
        _ => "closed",
    }
}

/// A household as the lists call it: its head's name, else its number.
fn head_or_no(head: &str, no: &str) -> String {
    if head.is_empty() {
        no.to_string()
    } else {
        head.to_string()
    }
}

/// What a form field is called on the page, so that a problem names it.
fn field_label(l: L, field: &str) -> &'static str {
    match field {
        "reason" => l.t("理由", "Reason"),
        "into" => l.t("合并到", "Merge into"),
        "leads" | "lead" => l.t("线索", "Leads"),
        "note" => l.t("情况描述", "Description"),
        "risk" => l.t("风险类型", "Risk"),
        "level" => l.t("预警等级", "Level"),
        "source" => l.t("来源", "Source"),
        "household" => l.t("农户", "Household"),
        _ => l.t("填写内容", "Entry"),
    }
}

/// Each problem as a sentence that names its field.
fn messages(l: L, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let label = field_label(l, p.field.split('.').next().unwrap_or(""));
            if l.is_en() {
                format!("{label}: {}", p.en)
            } else {
                format!("{label}：{}", p.zh)
            }
        })
        .collect()
}

/// Who did something, by name: a user's display name, "the system" for what a job did.
fn person(l: L, username: &str, names: &HashMap<String, String>) -> String {
    match names.get(username) {
        Some(name) => name.clone(),
        None if username.starts_with("system:") => l.t("系统", "the system").to_string(),
        None => username.to_string(),
    }
}

fn acting(s: &Session) -> Acting {
    Acting {
        actor: s.actor(),
        role: s.user.role,
    }
}

/// Reads a code of a pinned list from the query or a form; a value that is no code of the list
/// is refused, naming the field.
fn code_of<T>(
    field: &str,
    value: Option<&str>,
    from_code: impl Fn(i64) -> Option<T>,
    code: ProblemCode,
) -> Result<Option<T>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .and_then(&from_code)
            .map(Some)
            .ok_or_else(|| {
                AppError::Invalid(vec![Problem::new(
                    code,
                    field,
                    format!(
                        "“{v}”不是列表中的一项（{}）",
                        field_label(L(shouwang_core::Lang::Zh), field)
                    ),
                    format!(
                        "'{v}' is not one of the listed choices ({})",
                        field_label(L(shouwang_core::Lang::En), field).to_lowercase()
                    ),
                )])
            }),
    }
}

// ---------------------------------------------------------------- the list

/// One lead of the list as shown.
struct Row {
    id: i64,
    no: String,
    name: String,
    place: String,
    risk: String,
    level: &'static str,
    level_class: &'static str,
    source: String,
    found: String,
    due: String,
    countdown: Countdown,
    status: String,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct ListPage {
    ctx: Ctx,
    title: String,
    /// the filters in words
    filters_text: String,
    /// (code, name, selected)
    regions: Vec<(String, String, bool)>,
    sources: Vec<(String, String, bool)>,
    risks: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    overdue: bool,
    soon: bool,
    rows: Vec<Row>,
    pager: Pager,
}

/// The places a list can be narrowed to: the user's region, its townships, and the villages of
/// the township picked (or of the user's own township).
fn region_choices(
    l: L,
    base: &RegionCode,
    picked: &RegionCode,
    names: &HashMap<String, String>,
) -> Vec<(String, String, bool)> {
    let name = |c: &str| {
        names
            .get(c)
            .map(|n| short_name(n).to_string())
            .unwrap_or_else(|| c.to_string())
    };
    let mut out = vec![(
        base.as_str().to_string(),
        format!("{}（{}）", name(base.as_str()), l.t("全部", "all")),
        picked == base,
    )];
    if l.is_en() {
        out[0].1 = format!("{} (all)", name(base.as_str()));
    }
    let township_of_pick = match picked.level() {
        RegionLevel::Village => picked.parent(),
        RegionLevel::Township => Some(picked.clone()),
        _ => None,
    };
    let mut codes: Vec<&String> = names.keys().collect();
    codes.sort();
    for code in codes {
        if !code.starts_with(base.as_str()) || code == base.as_str() {
            continue;
        }
        let Some(c) = RegionCode::from_canonical(code) else {
            continue;
        };
        match c.level() {
            RegionLevel::Township => out.push((code.clone(), name(code), &c == picked)),
            RegionLevel::Village
                if c.parent() == township_of_pick || base.level() == RegionLevel::Township =>
            {
                out.push((code.clone(), format!("– {}", name(code)), &c == picked))
            }
            _ => {}
        }
    }
    out
}

async fn list(State(state): State<AppState>, s: Session, Query(q): Query<Params>) -> PageResult {
    let l = s.l();
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let region = access::asked_region(&s, Action::ViewCases, get("region"))?;
    let base = s.scope.region.clone();
    let source = code_of(
        "source",
        get("source"),
        LeadSource::from_code,
        ProblemCode::QueryInvalid,
    )?;
    let risk = code_of(
        "risk",
        get("risk"),
        RiskType::from_code,
        ProblemCode::QueryInvalid,
    )?;
    let status = code_of(
        "status",
        get("status"),
        LeadStatus::from_code,
        ProblemCode::QueryInvalid,
    )?;
    let overdue = get("overdue") == Some("1");
    let soon = !overdue && get("soon") == Some("1");
    let asked_page = match get("page") {
        None => 1,
        Some(v) => v.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            AppError::Invalid(vec![Problem::new(
                ProblemCode::QueryInvalid,
                l.t("页码", "Page"),
                format!("“{v}”无法识别，应为正整数"),
                format!("'{v}' cannot be read; expected a whole number from 1"),
            )])
        })?,
    };
    let today = today();
    let filter = LeadFilter {
        status,
        source,
        risk,
        due_before: if overdue {
            Some(today)
        } else if soon {
            Some(today.add_days(SOON_DAYS + 1))
        } else {
            None
        },
        limit: PER_PAGE as i64,
        ..LeadFilter::pending(region.clone())
    };
    let (b, f) = (base.clone(), filter.clone());
    let (rows, total, names) = state
        .db(move |st| {
            // due soon: the overdue ones come first in the order and are left out
            let skip = if soon {
                st.leads(&LeadFilter {
                    due_before: Some(today),
                    limit: 1,
                    ..f.clone()
                })?
                .1
            } else {
                0
            };
            let at = |page: usize| skip + ((page - 1) * PER_PAGE) as i64;
            let (rows, all) = st.leads(&LeadFilter {
                offset: at(asked_page),
                ..f.clone()
            })?;
            let total = (all - skip).max(0);
            let pages = (total as usize).div_ceil(PER_PAGE).max(1);
            // asked past the end: the last page
            let rows = if asked_page > pages {
                st.leads(&LeadFilter {
                    offset: at(pages),
                    ..f
                })?
                .0
            } else {
                rows
            };
            let mut names: HashMap<String, String> = st.regions_under(&b)?.into_iter().collect();
            if let Some(r) = st.region(&b)? {
                names.insert(r.code.as_str().to_string(), r.name);
            }
            Ok((rows, total, names))
        })
        .await?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if region != s.scope.region {
        pairs.push(("region", region.as_str().to_string()));
    }
    for (k, v) in [
        ("source", source.map(|x| x.code())),
        ("risk", risk.map(|x| x.code())),
        ("status", status.map(|x| x.code())),
    ] {
        if let Some(v) = v {
            pairs.push((k, v.to_string()));
        }
    }
    if overdue {
        pairs.push(("overdue", "1".into()));
    }
    if soon {
        pairs.push(("soon", "1".into()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let pager = Pager::new(asked_page, PER_PAGE, total as usize, query);
    let village_name = |code: &str| {
        names
            .get(code)
            .map(|n| short_name(n).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let rows = rows
        .into_iter()
        .map(|x| Row {
            id: x.id,
            name: head_or_no(&x.head_name, &x.household_no),
            place: place_with_group(l, village_name(x.village.as_str()), &x.group),
            risk: risk_word(l, x.risk),
            level: level_word(l, x.level),
            level_class: x.level.label_en(),
            source: source_word(l, x.source),
            found: x.found_on.to_string(),
            due: x.due_on.to_string(),
            countdown: countdown(l, today, x.due_on),
            status: status_word(l, x.status),
            status_class: status_class(x.status),
            no: x.household_no,
        })
        .collect();
    let mut words: Vec<String> = Vec::new();
    words.push(match status {
        Some(st) => status_word(l, st),
        None => l
            .t(
                "待处理（待核实及识别中）",
                "waiting (open or being identified)",
            )
            .into(),
    });
    if let Some(x) = source {
        words.push(source_word(l, x));
    }
    if let Some(x) = risk {
        words.push(risk_word(l, x));
    }
    if overdue {
        words.push(l.t("已逾期", "overdue").into());
    }
    if soon {
        words.push(l.t("两日内到期", "due within two days").into());
    }
    let title = village_name(region.as_str());
    Ok(render(ListPage {
        regions: region_choices(l, &base, &region, &names),
        sources: LeadSource::ALL
            .iter()
            .map(|x| (x.code().to_string(), source_word(l, *x), source == Some(*x)))
            .collect(),
        risks: RiskType::ALL
            .iter()
            .map(|x| (x.code().to_string(), risk_word(l, *x), risk == Some(*x)))
            .collect(),
        statuses: LeadStatus::ALL
            .iter()
            .map(|x| (x.code().to_string(), status_word(l, *x), status == Some(*x)))
            .collect(),
        overdue,
        soon,
        rows,
        pager,
        filters_text: words.join(l.t("；", "; ")),
        title,
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("风险线索", "Leads"))]),
    }))
}

// ---------------------------------------------------------------- one lead

/// Lead `id` if the user may see its household's cases; otherwise "not found".
async fn visible_lead(
    state: &AppState,
    s: &Session,
    id: &str,
) -> Result<(Lead, VisibleHousehold), AppError> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let lead = state
        .db(move |st| st.lead(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let h = access::visible_household(state, s, lead.household_no.clone()).await?;
    s.scope
        .decide(Action::ViewCases, h.target())
        .map_err(access::unseen)?;
    Ok((lead, h))
}

/// A procedure as a lead's page links to it.
struct ProcLink {
    id: i64,
    stage: String,
    due: String,
    countdown: Option<Countdown>,
    version: i64,
}

fn proc_link(l: L, today: Date, r: &IdentificationRecord) -> ProcLink {
    let open = r.ident.stage.is_open();
    ProcLink {
        id: r.id,
        stage: stage_word(l, r.ident.stage),
        due: if open {
            r.ident.stage_due.min(r.ident.due_on).to_string()
        } else {
            String::new()
        },
        countdown: open.then(|| countdown(l, today, r.ident.stage_due.min(r.ident.due_on))),
        version: r.version,
    }
}

/// Another lead of the same household.
struct Other {
    id: i64,
    risk: String,
    level: &'static str,
    level_class: &'static str,
    source: String,
    due: String,
    countdown: Countdown,
    status: String,
    /// still open: it can be gathered into a procedure
    open: bool,
    /// ticked on the form
    checked: bool,
}

/// What the forms of the page carry back after a refusal.
#[derive(Default)]
struct Sent {
    /// the form refused: `identify`, `dismiss` or `merge`
    form: &'static str,
    errors: Vec<String>,
    reason: String,
    into: String,
    /// the other leads ticked
    picked: Vec<i64>,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    ctx: Ctx,
    id: i64,
    no: String,
    name: String,
    place: String,
    risk: String,
    level: &'static str,
    level_class: &'static str,
    source: String,
    found: String,
    due: String,
    countdown: Option<Countdown>,
    status: String,
    status_class: &'static str,
    screening: bool,
    raised_by: String,
    note: String,
    hits: Vec<HitView>,
    /// (reason, by)
    closed: Option<(String, String)>,
    merged_into: Option<i64>,
    /// the procedure the lead is in
    procedure: Option<ProcLink>,
    /// the household's procedure under way, which an open lead is gathered into
    under_way: Option<ProcLink>,
    others: Vec<Other>,
    /// the other leads still waiting (merge targets)
    merge_targets: Vec<(i64, String)>,
    can_act: bool,
    sent: Sent,
    /// the department alerts of the lead and the household's asset checks
    ev: super::dept::sections::DeptEvidence,
}

async fn detail(State(state): State<AppState>, s: Session, Path(id): Path<String>) -> PageResult {
    let (lead, h) = visible_lead(&state, &s, &id).await?;
    lead_page(&state, &s, lead.id, &h, Sent::default(), StatusCode::OK).await
}

async fn lead_page(
    state: &AppState,
    s: &Session,
    id: i64,
    h: &VisibleHousehold,
    sent: Sent,
    status: StatusCode,
) -> PageResult {
    let l = s.l();
    let today = today();
    let no = h.record.household.household_no.clone();
    let village = h.record.household.village.clone();
    let (lead, all, hits, procs, names, village_name) = state
        .db(move |st| {
            let lead = st.lead(id)?.ok_or(StoreError::NotFound)?;
            let all = st.leads_of_household(&no)?;
            let hits = match lead.run_id {
                Some(run) => st
                    .household_warnings(&no)?
                    .into_iter()
                    .filter(|h| h.run_id == run)
                    .collect(),
                None => Vec::new(),
            };
            let procs = st.identifications_of_household(&no)?;
            let mut users = vec![lead.created_by.clone()];
            users.extend(lead.closed_by.clone());
            let names = st.display_names(&users)?;
            let village_name = st.region(&village)?.map(|r| r.name);
            Ok((lead, all, hits, procs, names, village_name))
        })
        .await?;
    let name_of = |u: &str| person(l, u, &names);
    // the hits of the lead's rules, else every hit of its run
    let of_rules: Vec<_> = hits
        .iter()
        .filter(|x| lead.rules.iter().any(|r| r == x.rule.code()))
        .collect();
    let hits: Vec<HitView> = if of_rules.is_empty() {
        hits.iter().map(|x| hit_view(s, x)).collect()
    } else {
        of_rules.into_iter().map(|x| hit_view(s, x)).collect()
    };
    let procedure = lead
        .identification_id
        .and_then(|pid| procs.iter().find(|p| p.id == pid))
        .map(|p| proc_link(l, today, p));
    let under_way = procs
        .iter()
        .find(|p| p.ident.stage.is_open())
        .map(|p| proc_link(l, today, p));
    let others: Vec<Other> = all
        .iter()
        .filter(|o| o.id != lead.id && o.status.is_pending())
        .map(|o| Other {
            id: o.id,
            risk: risk_word(l, o.risk),
            level: level_word(l, o.level),
            level_class: o.level.label_en(),
            source: source_word(l, o.source),
            due: o.due_on.to_string(),
            countdown: countdown(l, today, o.due_on),
            status: status_word(l, o.status),
            open: o.status == LeadStatus::Open,
            checked: o.status == LeadStatus::Open
                && (sent.form != "identify" || sent.picked.contains(&o.id)),
        })
        .collect();
    let merge_targets = all
        .iter()
        .filter(|o| o.id != lead.id && o.status.is_pending())
        .map(|o| {
            (
                o.id,
                format!(
                    "{} · {} · {} {}",
                    risk_word(l, o.risk),
                    source_word(l, o.source),
                    l.t("发现", "found"),
                    o.found_on
                ),
            )
        })
        .collect();
    let village_name = village_name.map_or_else(
        || lead.village.as_str().to_string(),
        |n| short_name(&n).to_string(),
    );
    let name = head_or_no(&lead.head_name, &lead.household_no);
    let place = place_with_group(l, village_name.clone(), &lead.group);
    let closed = (!lead.closed_reason.is_empty() || lead.closed_by.is_some()).then(|| {
        (
            lead.closed_reason.clone(),
            lead.closed_by.as_deref().map(name_of).unwrap_or_default(),
        )
    });
    let crumbs = vec![
        Crumb::link("/leads", l.t("风险线索", "Leads")),
        Crumb::link(format!("/households/{}", lead.household_no), name.clone()),
        Crumb::here(risk_word(l, lead.risk)),
    ];
    let can_act = lead.status == LeadStatus::Open && h.allows(s, Action::Identify);
    let ev = super::dept::sections::lead_evidence(
        state,
        s,
        lead.village.county(),
        lead.household_no.clone(),
        vec![lead.id],
    )
    .await?;
    let page = LeadPage {
        id: lead.id,
        no: lead.household_no.clone(),
        name,
        place,
        risk: risk_word(l, lead.risk),
        level: level_word(l, lead.level),
        level_class: lead.level.label_en(),
        source: source_word(l, lead.source),
        found: lead.found_on.to_string(),
        due: lead.due_on.to_string(),
        countdown: (lead.status == LeadStatus::Open).then(|| countdown(l, today, lead.due_on)),
        status: status_word(l, lead.status),
        status_class: status_class(lead.status),
        screening: lead.source == LeadSource::Screening,
        raised_by: name_of(&lead.created_by),
        note: lead.note.clone(),
        hits,
        closed,
        merged_into: lead.merged_into,
        procedure,
        under_way,
        others,
        merge_targets,
        can_act,
        sent,
        ev,
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(page)).into_response())
}

/// The form's values of `name`, each one.
fn values<'a>(form: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    form.iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

fn value(form: &[(String, String)], name: &str) -> String {
    values(form, name).next().unwrap_or_default().to_string()
}

/// A refusal of a form shown on the lead's page, in that form; anything else is an error page.
async fn refused(
    state: &AppState,
    s: &Session,
    id: i64,
    h: &VisibleHousehold,
    e: AppError,
    mut sent: Sent,
) -> PageResult {
    let l = s.l();
    match e {
        AppError::Invalid(problems) => {
            let status = AppError::Invalid(problems.clone()).status();
            sent.errors = messages(l, &problems);
            lead_page(state, s, id, h, sent, status).await
        }
        AppError::Stale => {
            sent.errors = vec![l
                .t(
                    "其他人刚刚处理了该户的识别程序，未保存任何内容。以下是最新情况，请确认后重新操作。",
                    "Someone else has just acted on this household's procedure; nothing was saved. Here is how it stands now: check it and try again.",
                )
                .to_string()];
            lead_page(state, s, id, h, sent, StatusCode::CONFLICT).await
        }
        e => Err(e.into()),
    }
}

/// POST /leads/{id}/identify: opens the household's identification on this lead and the other
/// open leads ticked, or gathers them into the procedure under way.
async fn identify(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (lead, h) = visible_lead(&state, &s, &id).await?;
    s.scope
        .decide(Action::Identify, h.target())
        .map_err(access::not_allowed)?;
    let mut ids = vec![lead.id];
    for v in values(&form, "lead") {
        if let Ok(n) = v.parse::<i64>() {
            if !ids.contains(&n) {
                ids.push(n);
            }
        }
    }
    let procedure = value(&form, "procedure").parse::<i64>().ok();
    let version = value(&form, "version").parse::<i64>().unwrap_or(0);
    let (who, today, no) = (acting(&s), today(), lead.household_no.clone());
    let chosen = ids.clone();
    let result = state
        .db(move |st| {
            let own: Vec<i64> = st.leads_of_household(&no)?.iter().map(|x| x.id).collect();
            if chosen.iter().any(|i| !own.contains(i)) {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::LeadOtherHousehold,
                    "leads",
                    "所选线索属于另一户",
                    "a lead chosen belongs to another household",
                )));
            }
            let rec = match procedure {
                Some(p) => {
                    let rec = st.identification(p)?.ok_or(StoreError::NotFound)?;
                    if rec.household_no != no {
                        return Err(StoreError::NotFound);
                    }
                    ident::gather(st, &who, p, version, &chosen)?
                }
                None => ident::open(st, &who, &chosen, today)?,
            };
            Ok(rec)
        })
        .await;
    match result {
        Ok(rec) => {
            let name = head_or_no(&rec.head_name, &rec.household_no);
            let n = ids.len();
            let risks_zh = rec
                .ident
                .risks
                .iter()
                .map(|r| r.label_zh())
                .collect::<Vec<_>>()
                .join("、");
            let risks_en = rec
                .ident
                .risks
                .iter()
                .map(|r| r.label_en())
                .collect::<Vec<_>>()
                .join(", ");
            let due = rec.ident.due_on;
            let (zh, en) = if procedure.is_some() {
                (
                    format!("已将 {n} 条线索并入{name}家的识别认定（风险：{risks_zh}），须于 {due} 前完成"),
                    format!("{n} lead(s) gathered into the identification of {name}'s household (risks: {risks_en}); due by {due}"),
                )
            } else {
                (
                    format!("已开始{name}家的识别认定：线索 {n} 条（风险：{risks_zh}），须于 {due} 前完成；下一步：入户核实"),
                    format!("Identification of {name}'s household opened on {n} lead(s) (risks: {risks_en}); due by {due}; next: home verification"),
                )
            };
            Ok(saved(&format!("/identifications/{}", rec.id), zh, en))
        }
        Err(e) => {
            let sent = Sent {
                form: "identify",
                picked: ids,
                ..Sent::default()
            };
            refused(&state, &s, lead.id, &h, e, sent).await
        }
    }
}

/// POST /leads/{id}/dismiss: 排除, with the reason required.
async fn dismiss(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (lead, h) = visible_lead(&state, &s, &id).await?;
    s.scope
        .decide(Action::Identify, h.target())
        .map_err(access::not_allowed)?;
    let reason = value(&form, "reason");
    let (who, lid, r) = (acting(&s), lead.id, reason.clone());
    match state
        .db(move |st| ident::dismiss_lead(st, &who, lid, &r))
        .await
    {
        Ok(after) => {
            let name = head_or_no(&after.head_name, &after.household_no);
            Ok(saved(
                &format!("/leads/{lid}"),
                format!(
                    "已排除{name}家的“{}”线索，理由：{}",
                    after.risk.label_zh(),
                    after.closed_reason
                ),
                format!(
                    "Dismissed the {} lead of {name}'s household; reason: {}",
                    after.risk.label_en(),
                    after.closed_reason
                ),
            ))
        }
        Err(e) => {
            let sent = Sent {
                form: "dismiss",
                reason,
                ..Sent::default()
            };
            refused(&state, &s, lead.id, &h, e, sent).await
        }
    }
}

/// POST /leads/{id}/merge: 合并 into another waiting lead of the household, with a reason.
async fn merge(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let (lead, h) = visible_lead(&state, &s, &id).await?;
    s.scope
        .decide(Action::Identify, h.target())
        .map_err(access::not_allowed)?;
    let reason = value(&form, "reason");
    let into_text = value(&form, "into");
    let sent = Sent {
        form: "merge",
        reason: reason.clone(),
        into: into_text.clone(),
        ..Sent::default()
    };
    let Ok(into) = into_text.parse::<i64>() else {
        let mut problems = vec![Problem::new(
            ProblemCode::Invalid,
            "into",
            "请选择要合并到的线索",
            "choose the lead to merge into",
        )];
        if let Err(p) = shouwang_core::lead::check_reason("reason", &reason) {
            problems.push(p);
        }
        return refused(&state, &s, lead.id, &h, AppError::Invalid(problems), sent).await;
    };
    let (who, lid, r) = (acting(&s), lead.id, reason.clone());
    match state
        .db(move |st| ident::merge_lead(st, &who, lid, into, &r))
        .await
    {
        Ok(after) => {
            let name = head_or_no(&after.head_name, &after.household_no);
            Ok(saved(
                &format!("/leads/{into}"),
                format!(
                    "已将{name}家的“{}”线索合并到本线索，理由：{}",
                    after.risk.label_zh(),
                    after.closed_reason
                ),
                format!(
                    "Merged the {} lead of {name}'s household into this one; reason: {}",
                    after.risk.label_en(),
                    after.closed_reason
                ),
            ))
        }
        Err(AppError::NotFound) => {
            let e = AppError::Invalid(vec![Problem::new(
                ProblemCode::LeadOtherHousehold,
                "into",
                "只能合并到同一户的另一条线索",
                "a lead merges only into another lead of the same household",
            )]);
            refused(&state, &s, lead.id, &h, e, sent).await
        }
        Err(e) => refused(&state, &s, lead.id, &h, e, sent).await,
    }
}

// ---------------------------------------------------------------- a lead raised by hand

/// The sources a cadre enters by hand; 部门预警 and 农户自主申报 come in through their own
/// channels.
const BY_HAND: [LeadSource; 2] = [LeadSource::CadreCheck, LeadSource::Hotline];

#[derive(Template)]
#[template(path = "lead_new.html")]
struct NewPage {
    ctx: Ctx,
    no: String,
    title: String,
    risks: Vec<(String, String, bool)>,
    levels: Vec<(String, String, bool)>,
    sources: Vec<(String, String, bool)>,
    note: String,
    errors: Vec<String>,
    /// the problem of each field, next to it
    err_risk: String,
    err_level: String,
    err_source: String,
    err_note: String,
}

/// The household of `?household=` (or the form's), if the user may raise a lead there: one
/// they may not see is "not found", one they may see but not act on "not allowed".
async fn raisable(state: &AppState, s: &Session, no: &str) -> Result<VisibleHousehold, AppError> {
    if no.is_empty() {
        return Err(AppError::NotFound);
    }
    access::household_for(
        state,
        s,
        no.to_string(),
        Action::Identify,
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
    let h = raisable(&state, &s, &no).await?;
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
    let (title, mut crumbs) = super::registry::household_place(state, s, rec).await?;
    crumbs.push(Crumb::here(l.t("上报风险线索", "Report a lead")));
    let picked = |name: &str| value(form, name);
    let err = |field: &str| {
        problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| {
                if l.is_en() {
                    p.en.clone()
                } else {
                    p.zh.clone()
                }
            })
            .unwrap_or_default()
    };
    let page = NewPage {
        no: rec.household.household_no.clone(),
        title,
        risks: RiskType::ALL
            .iter()
            .map(|x| {
                (
                    x.code().to_string(),
                    risk_word(l, *x),
                    picked("risk") == x.code().to_string(),
                )
            })
            .collect(),
        levels: WarningLevel::ALL
            .iter()
            .map(|x| {
                let v = x.code().to_string();
                let chosen = match picked("level").as_str() {
                    "" => *x == WarningLevel::Yellow,
                    p => p == v,
                };
                (v, level_word(l, *x).to_string(), chosen)
            })
            .collect(),
        sources: BY_HAND
            .iter()
            .map(|x| {
                (
                    x.code().to_string(),
                    source_word(l, *x),
                    picked("source") == x.code().to_string(),
                )
            })
            .collect(),
        note: picked("note"),
        errors: messages(l, problems),
        err_risk: err("risk"),
        err_level: err("level"),
        err_source: err("source"),
        err_note: err("note"),
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(page)).into_response())
}

/// POST /leads/new: raises the lead, found today and due by the warning scheme's days.
async fn raise(
    State(state): State<AppState>,
    s: Session,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let no = value(&form, "household");
    let h = raisable(&state, &s, &no).await?;
    let mut problems = Vec::new();
    let mut pick = |field: &str, code: Result<Option<i64>, ()>| -> Option<i64> {
        match code {
            Ok(Some(c)) => Some(c),
            _ => {
                problems.push(Problem::new(
                    ProblemCode::FormInvalid,
                    field,
                    "请从列表中选择一项",
                    "choose one from the list",
                ));
                None
            }
        }
    };
    let read = |name: &str| -> Result<Option<i64>, ()> {
        let v = value(&form, name);
        if v.is_empty() {
            Ok(None)
        } else {
            v.parse().map(Some).map_err(|_| ())
        }
    };
    let risk = pick("risk", read("risk")).and_then(RiskType::from_code);
    let level = pick("level", read("level")).and_then(WarningLevel::from_code);
    let source = pick("source", read("source"))
        .and_then(LeadSource::from_code)
        .filter(|x| BY_HAND.contains(x));
    let note = value(&form, "note");
    if let Err(p) = shouwang_core::lead::check_reason("note", &note) {
        problems.push(p);
    }
    for (field, missing) in [
        ("risk", risk.is_none()),
        ("level", level.is_none()),
        ("source", source.is_none()),
    ] {
        if missing && !problems.iter().any(|p| p.field == field) {
            problems.push(Problem::new(
                ProblemCode::FormInvalid,
                field,
                "请从列表中选择一项",
                "choose one from the list",
            ));
        }
    }
    let (Some(risk), Some(level), Some(source), true) = (risk, level, source, problems.is_empty())
    else {
        let status = AppError::Invalid(problems.clone()).status();
        return new_page(&state, &s, &h, &form, &problems, status).await;
    };
    let who = acting(&s);
    let sighting = Sighting {
        household_no: no,
        risk,
        level,
        source,
        note,
    };
    let today = today();
    match state
        .db(move |st| ident::raise_lead(st, &who, &sighting, today))
        .await
    {
        Ok(lead) => {
            let name = head_or_no(&lead.head_name, &lead.household_no);
            Ok(saved(
                &format!("/leads/{}", lead.id),
                format!(
                    "已上报{name}家的风险线索：{}（{}），须于 {} 前核实",
                    lead.risk.label_zh(),
                    lead.source.label_zh(),
                    lead.due_on
                ),
                format!(
                    "Lead reported for {name}'s household: {} ({}); to be verified by {}",
                    lead.risk.label_en(),
                    lead.source.label_en(),
                    lead.due_on
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

// ---------------------------------------------------------------- the household's section

/// A lead in a household's history.
pub(super) struct HistoryRow {
    pub(super) id: i64,
    pub(super) risk: String,
    pub(super) level: &'static str,
    pub(super) level_class: &'static str,
    pub(super) source: String,
    pub(super) found: String,
    pub(super) due: String,
    pub(super) countdown: Option<Countdown>,
    pub(super) status: String,
    pub(super) status_class: &'static str,
    /// why it was closed, and by whom (dismissed, merged, not included)
    pub(super) reason: String,
    pub(super) by: String,
    pub(super) merged_into: Option<i64>,
    pub(super) procedure: Option<i64>,
}

/// A procedure of the household.
pub(super) struct ProcRow {
    pub(super) id: i64,
    pub(super) stage: String,
    pub(super) found: String,
    pub(super) due: String,
    pub(super) countdown: Option<Countdown>,
    pub(super) risks: String,
    pub(super) case_id: Option<i64>,
}

/// A monitoring case of the household.
pub(super) struct CaseRow {
    pub(super) id: i64,
    pub(super) case_type: String,
    pub(super) status: String,
    pub(super) identified: String,
}

/// The household page's section on leads, procedures and monitoring.
pub(super) struct HouseholdLeads {
    pub(super) leads: Vec<HistoryRow>,
    pub(super) procedures: Vec<ProcRow>,
    pub(super) cases: Vec<CaseRow>,
    pub(super) can_raise: bool,
}

/// The section, if the user may see the household's cases.
pub(super) async fn household_section(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
) -> Result<Option<HouseholdLeads>, AppError> {
    if !h.allows(s, Action::ViewCases) {
        return Ok(None);
    }
    let l = s.l();
    let today = today();
    let no = h.record.household.household_no.clone();
    let (leads, procs, cases, names) = state
        .db(move |st| {
            let leads = st.leads_of_household(&no)?;
            let procs = st.identifications_of_household(&no)?;
            let cases = st.household_case_links(&no)?;
            let mut users: Vec<String> = leads.iter().filter_map(|x| x.closed_by.clone()).collect();
            users.sort();
            users.dedup();
            let names = st.display_names(&users)?;
            Ok((leads, procs, cases, names))
        })
        .await?;
    let name_of = |u: &str| person(l, u, &names);
    Ok(Some(HouseholdLeads {
        leads: leads
            .iter()
            .map(|x| HistoryRow {
                id: x.id,
                risk: risk_word(l, x.risk),
                level: level_word(l, x.level),
                level_class: x.level.label_en(),
                source: source_word(l, x.source),
                found: x.found_on.to_string(),
                due: x.due_on.to_string(),
                countdown: (x.status == LeadStatus::Open).then(|| countdown(l, today, x.due_on)),
                status: status_word(l, x.status),
                status_class: status_class(x.status),
                reason: x.closed_reason.clone(),
                by: x.closed_by.as_deref().map(name_of).unwrap_or_default(),
                merged_into: x.merged_into,
                procedure: x.identification_id,
            })
            .collect(),
        procedures: procs
            .iter()
            .map(|p| {
                let open = p.ident.stage.is_open();
                let due = p.ident.stage_due.min(p.ident.due_on);
                ProcRow {
                    id: p.id,
                    stage: stage_word(l, p.ident.stage),
                    found: p.ident.found_on.to_string(),
                    due: if open { due.to_string() } else { String::new() },
                    countdown: open.then(|| countdown(l, today, due)),
                    risks: p
                        .ident
                        .risks
                        .iter()
                        .map(|r| risk_word(l, *r))
                        .collect::<Vec<_>>()
                        .join(l.t("、", ", ")),
                    case_id: p.case_id,
                }
            })
            .collect(),
        cases: cases
            .iter()
            .map(|c| CaseRow {
                id: c.id,
                case_type: l
                    .t(c.case_type.label_zh(), c.case_type.label_en())
                    .to_string(),
                status: l.t(c.status.label_zh(), c.status.label_en()).to_string(),
                identified: c.identified.clone(),
            })
            .collect(),
        can_raise: h.allows(s, Action::Identify),
    }))
}

// ---------------------------------------------------------------- the home page's work

/// One figure of the home page's work: a count and where it is listed.
pub(super) struct WorkTile {
    pub(super) count: i64,
    pub(super) label: String,
    pub(super) href: String,
    /// `overdue`, `soon` or empty
    pub(super) class: &'static str,
}

/// One kind of work on the home page: leads to verify, or a stage of the procedure, with what is
/// open, due soon and overdue.
pub(super) struct WorkLine {
    pub(super) title: String,
    pub(super) tiles: Vec<WorkTile>,
}

/// A heading's first letter in capitals (English labels are lower case for use in sentences).
fn capitalized(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The level a stage's work belongs to: leads and the village's stages are the village's.
fn level_of_stage(stage: Option<Stage>) -> Option<RegionLevel> {
    let owner = match stage {
        None => Stage::Verification.owner(),
        Some(s) => s.owner(),
    }?;
    owner.region_levels().first().copied()
}

/// The work of the user's level in their region (open, due soon, overdue) and the overdue work
/// of the level below, from the counts of `Store::identification_counts`.
pub(super) fn work_lines(
    l: L,
    region: &RegionCode,
    counts: &[shouwang_store::identification::StageCount],
) -> Vec<WorkLine> {
    let own = region.level();
    let below = match own {
        RegionLevel::County => Some(RegionLevel::Township),
        RegionLevel::Township => Some(RegionLevel::Village),
        _ => None,
    };
    let list = |stage: Option<Stage>, extra: &str| -> String {
        let base = match stage {
            None => "/leads?status=0".to_string(),
            Some(s) => format!("/identifications?stage={}", s.code()),
        };
        if extra.is_empty() {
            base
        } else {
            format!("{base}&{extra}")
        }
    };
    let title = |stage: Option<Stage>| match stage {
        None => l.t("风险线索待核实", "Leads to verify").to_string(),
        Some(s) => capitalized(&stage_word(l, s)),
    };
    let mut lines = Vec::new();
    for c in counts {
        let level = level_of_stage(c.stage);
        if level == Some(own) {
            let mut tiles = vec![WorkTile {
                count: c.open,
                label: l.t("待办", "open").into(),
                href: list(c.stage, ""),
                class: "",
            }];
            // a procedure list is already soonest due first; leads have a filter of their own
            tiles.push(WorkTile {
                count: c.due_soon,
                label: l.t("两日内到期", "due within two days").into(),
                href: if c.stage.is_none() {
                    list(None, "soon=1")
                } else {
                    list(c.stage, "")
                },
                class: "soon",
            });
            tiles.push(WorkTile {
                count: c.overdue,
                label: l.t("已逾期", "overdue").into(),
                href: list(c.stage, "overdue=1"),
                class: "overdue",
            });
            lines.push(WorkLine {
                title: title(c.stage),
                tiles,
            });
        } else if below.is_some() && level == below && c.overdue > 0 {
            let whose = match below {
                Some(RegionLevel::Village) => l.t("村级", "villages"),
                _ => l.t("乡镇", "townships"),
            };
            lines.push(WorkLine {
                title: if l.is_en() {
                    format!("{} ({whose})", title(c.stage))
                } else {
                    format!("{}（{whose}）", title(c.stage))
                },
                tiles: vec![WorkTile {
                    count: c.overdue,
                    label: l.t("已逾期", "overdue").into(),
                    href: list(c.stage, "overdue=1"),
                    class: "overdue",
                }],
            });
        }
    }
    lines
}

/// Whether the user may see the identification work of their own region.
pub(super) fn sees_work(s: &Session) -> bool {
    s.scope
        .allows(Action::ViewCases, Target::Region(&s.scope.region))
}

/// The day a "due soon" count ends.
pub(super) fn soon_day(today: Date) -> Date {
    today.add_days(SOON_DAYS)
}
