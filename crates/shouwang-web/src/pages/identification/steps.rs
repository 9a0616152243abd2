//! `/identifications/{id}`: one procedure — its timeline (every step, when, by whom, what was
//! recorded), the current stage and what is due next by when, the leads it came from — and, for
//! the user whose role owns the stage, the form of the next step. Each form posts to
//! `/identifications/{id}/steps/{kind}` with the procedure's version; core decides whether the
//! step is allowed, a refusal comes back beside its field, and a step someone else took first is
//! said so with the fresh page.

use super::{countdown, level_word, place, risk_words, term, text_of, visible_procedure};
use crate::access::{self, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::L;
use crate::pages::{render, saved, Crumb, Ctx};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use shouwang_app::identification::{Acting, Clock};
use shouwang_core::access::Action;
use shouwang_core::identification::{
    Appraisal, AppraisalResult, Assets, Closure, Decision, GreenChannel, Inclusion, Notice,
    Purpose, Review, Stage, Step, StepContext, StepKind, Verification,
};
use shouwang_core::income::yuan_text;
use shouwang_core::monitoring::{CaseType, EliminationKind, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::{Date, Fen, Problem, ProblemCode, Role};
use shouwang_store::identification::{IdentificationRecord, StepRecord};
use std::collections::HashMap;

type Params = HashMap<String, String>;

/// One line of what a step recorded.
pub(super) struct Line {
    pub(super) label: String,
    pub(super) value: String,
}

/// One step of the timeline.
pub(super) struct Event {
    pub(super) kind: String,
    pub(super) on: String,
    pub(super) who: String,
    pub(super) role: String,
    pub(super) lines: Vec<Line>,
    pub(super) returned: bool,
}

struct LeadRow {
    id: i64,
    source: String,
    risk: String,
    found_on: String,
    status: String,
}

struct Choice {
    value: String,
    label: String,
}

struct OpenObjection {
    index: usize,
    number: usize,
    on: String,
    content: String,
}

#[derive(Template)]
#[template(path = "identification.html")]
struct ProcedurePage {
    ctx: Ctx,
    term: &'static str,
    /// an elimination procedure (风险消除程序)
    elim: bool,
    /// 风险消除方式, for the appraisal and the decision of an elimination
    kinds: Vec<Choice>,
    id: i64,
    version: i64,
    no: String,
    head: String,
    place: String,
    stage: String,
    open: bool,
    found_on: String,
    stage_since: String,
    stage_due: String,
    stage_left: String,
    stage_overdue: bool,
    due_on: String,
    due_left: String,
    due_overdue: bool,
    risks: String,
    /// what is due next, in words
    next: String,
    /// (on, reason) of the green channel
    green: Option<(String, String)>,
    returned: Option<String>,
    case_id: Option<i64>,
    leads: Vec<LeadRow>,
    events: Vec<Event>,
    notice_href: Option<String>,
    notice_rule: String,
    forms: Vec<&'static str>,
    objections: Vec<OpenObjection>,
    return_to: Vec<Choice>,
    case_types: Vec<Choice>,
    risk_types: Vec<Choice>,
    levels: Vec<Choice>,
    /// the form sent and refused, what it held, and its problems
    sent: String,
    values: Params,
    problems: Vec<Problem>,
    stale: bool,
    defaults: Params,
    /// at the village appraisal: the department alerts of its leads and the asset checks
    ev: Option<crate::pages::dept::sections::DeptEvidence>,
}

impl ProcedurePage {
    fn shows(&self, form: &str) -> bool {
        self.forms.contains(&form)
    }
    /// The value of `key` in `form`: what was sent when this form was refused, else its default.
    fn v(&self, form: &str, key: &str) -> String {
        if self.sent == form {
            self.values
                .get(key)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        } else {
            self.defaults
                .get(&format!("{form}.{key}"))
                .cloned()
                .unwrap_or_default()
        }
    }
    fn on(&self, form: &str, key: &str) -> bool {
        let v = self.v(form, key);
        !v.is_empty() && v != "0"
    }
    fn risk_on(&self, form: &str, code: &str) -> bool {
        self.on(form, &format!("risk_{code}"))
    }
    fn is(&self, form: &str, key: &str, value: &str) -> bool {
        self.v(form, key) == value
    }
    /// The problems of `key` when `form` was refused.
    fn p(&self, form: &str, key: &str) -> String {
        if self.sent != form {
            return String::new();
        }
        let l = self.ctx.l;
        self.problems
            .iter()
            .filter(|p| field_of(&p.field) == key)
            .map(|p| text_of(l, p))
            .collect::<Vec<_>>()
            .join("；")
    }
    fn errors(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| text_of(self.ctx.l, p))
            .collect()
    }
}

/// The form field a problem of core names: `proposal.risks` and `inclusion.risks` are the risk
/// boxes, a proposal missing is shown there too.
fn field_of(field: &str) -> &str {
    match field {
        "proposal" | "proposal.risks" | "inclusion.risks" | "inclusion" => "risks",
        f => f,
    }
}

/// What a refused form sent.
struct Sent {
    kind: String,
    values: Params,
    problems: Vec<Problem>,
    stale: bool,
}

fn stale() -> Sent {
    Sent {
        kind: String::new(),
        values: Params::new(),
        problems: Vec::new(),
        stale: true,
    }
}

/// GET /identifications/{id}
pub(super) async fn procedure_page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<String>,
) -> PageResult {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (record, h) = visible_procedure(&state, &s, id).await?;
    Ok(page(&state, &s, record, &h, None).await?.into_response())
}

/// The role a stored step was taken in, in words.
pub(super) fn role_word(l: L, role: &str) -> String {
    Role::parse(role)
        .map(|r| l.t(r.label_zh(), r.label_en()).to_string())
        .unwrap_or_default()
}

fn line(l: L, zh: &str, en: &str, value: impl Into<String>) -> Line {
    Line {
        label: l.t(zh, en).to_string(),
        value: value.into(),
    }
}

fn inclusion_lines(l: L, i: &Inclusion, out: &mut Vec<Line>) {
    out.push(line(
        l,
        "监测类型",
        "Type",
        l.t(i.case_type.label_zh(), i.case_type.label_en()),
    ));
    out.push(line(l, "风险类型", "Risks", risk_words(l, &i.risks)));
    out.push(line(l, "预警等级", "Level", level_word(l, i.level)));
}

/// What a step recorded, line by line.
fn lines_of(l: L, step: &Step, after: Stage) -> Vec<Line> {
    let mut out = Vec::new();
    match step {
        Step::Verify(v) => {
            if let Some(signed) = v.authorised_on {
                out.push(line(
                    l,
                    "授权承诺书签字日期",
                    "Authorisation signed on",
                    signed.to_string(),
                ));
            }
            out.push(line(l, "核实人口", "Members", v.members.to_string()));
            out.push(line(
                l,
                "近12个月家庭纯收入（元）",
                "Net income of the last 12 months (yuan)",
                yuan_text(v.income_12m),
            ));
            if let Some(pc) = v.per_capita() {
                out.push(line(l, "人均（元）", "Per capita (yuan)", yuan_text(pc)));
            }
            let mut insecure = Vec::new();
            for (ok, zh, en) in [
                (
                    v.compulsory_education_secure,
                    "义务教育",
                    "compulsory education",
                ),
                (v.basic_medical_secure, "基本医疗", "basic medical care"),
                (v.housing_secure, "住房安全", "safe housing"),
                (v.drinking_water_secure, "饮水安全", "safe drinking water"),
            ] {
                if !ok {
                    insecure.push(l.t(zh, en));
                }
            }
            out.push(line(
                l,
                "三保障和饮水",
                "Guarantees and water",
                if insecure.is_empty() {
                    l.t("均有保障", "all secure").to_string()
                } else {
                    format!(
                        "{}{}",
                        l.t("未保障：", "not secure: "),
                        insecure.join(l.t("、", ", "))
                    )
                },
            ));
            let a = &v.assets;
            let mut assets = Vec::new();
            if a.vehicles > 0 {
                assets.push(if l.is_en() {
                    format!("{} car(s)", a.vehicles)
                } else {
                    format!("家用小汽车{}辆", a.vehicles)
                });
            }
            for (has, zh, en) in [
                (
                    a.commercial_housing,
                    "城镇商品房",
                    "commercial housing in town",
                ),
                (
                    a.registered_business,
                    "注册经营主体",
                    "a registered business",
                ),
                (
                    a.public_payroll,
                    "财政供养人员",
                    "a member on a public payroll",
                ),
            ] {
                if has {
                    assets.push(l.t(zh, en).to_string());
                }
            }
            out.push(line(
                l,
                "资产",
                "Assets",
                if assets.is_empty() {
                    l.t("无", "none").to_string()
                } else {
                    assets.join(l.t("、", ", "))
                },
            ));
            out.push(line(l, "核实情况", "Findings", v.findings.clone()));
        }
        Step::Appraise(a) => {
            out.push(line(l, "参会人员", "Participants", a.participants.clone()));
            out.push(line(
                l,
                "评议结果",
                "Result",
                l.t(a.result.label_zh(), a.result.label_en()),
            ));
            out.push(line(l, "评议记录", "Minutes", a.minutes.clone()));
            if let Some(p) = &a.proposal {
                inclusion_lines(l, p, &mut out);
            }
            if let Some(k) = a.elimination {
                out.push(line(
                    l,
                    "风险消除方式",
                    "Kind of elimination",
                    l.t(k.label_zh(), k.label_en()),
                ));
            }
        }
        Step::PublishNotice(n) => {
            out.push(line(
                l,
                "公示期",
                "Notice",
                format!("{} – {}", n.start, n.end),
            ));
            out.push(line(l, "异议受理", "Where to object", n.contact.clone()));
        }
        Step::RaiseObjection { content, .. } => {
            out.push(line(l, "异议内容", "Objection", content.clone()));
        }
        Step::HandleObjection { index, text, .. } => {
            out.push(line(
                l,
                "异议",
                "Objection",
                if l.is_en() {
                    format!("number {}", index + 1)
                } else {
                    format!("第{}条", index + 1)
                },
            ));
            out.push(line(l, "处理情况", "Handling", text.clone()));
        }
        Step::Submit { .. } => {}
        Step::TownshipApprove(r) => {
            out.push(line(l, "审核意见", "Opinion", r.opinion.clone()));
        }
        Step::Decide(d) if d.closure.is_some() || after == Stage::NotEliminated => {
            match &d.closure {
                Some(c) => {
                    out.push(line(
                        l,
                        "审定结果",
                        "Decision",
                        l.t("风险已消除", "risk eliminated"),
                    ));
                    out.push(line(
                        l,
                        "风险消除方式",
                        "Kind of elimination",
                        l.t(c.kind.label_zh(), c.kind.label_en()),
                    ));
                    out.push(line(
                        l,
                        "监测联系人",
                        "Monitoring contact",
                        format!("{} {}", c.contact_name, c.contact_phone),
                    ));
                    out.push(line(l, "公告", "Announcement", d.announcement.clone()));
                }
                None => {
                    out.push(line(
                        l,
                        "审定结果",
                        "Decision",
                        l.t("不予消除", "not eliminated"),
                    ));
                    out.push(line(l, "理由", "Reason", d.reason.clone()));
                }
            }
        }
        Step::Decide(d) => match &d.inclusion {
            Some(i) => {
                out.push(line(
                    l,
                    "审定结果",
                    "Decision",
                    l.t("纳入监测", "included in monitoring"),
                ));
                inclusion_lines(l, i, &mut out);
                out.push(line(l, "公告", "Announcement", d.announcement.clone()));
            }
            None => {
                out.push(line(
                    l,
                    "审定结果",
                    "Decision",
                    l.t("不予纳入", "not included"),
                ));
                out.push(line(l, "理由", "Reason", d.reason.clone()));
            }
        },
        Step::Return { to, reason, .. } => {
            out.push(line(
                l,
                "退回至",
                "Returned to",
                l.t(to.label_zh(), to.label_en()),
            ));
            out.push(line(l, "退回理由", "Reason", reason.clone()));
        }
        Step::MarkGreenChannel(g) => {
            out.push(line(l, "理由", "Reason", g.reason.clone()));
        }
    }
    out
}

pub(super) fn event(l: L, r: &StepRecord) -> Event {
    Event {
        kind: l.t(r.kind.label_zh(), r.kind.label_en()).to_string(),
        on: r.on.to_string(),
        who: r.actor_name.clone(),
        role: role_word(l, &r.role),
        lines: r
            .step
            .as_ref()
            .map(|s| lines_of(l, s, r.stage_after))
            .unwrap_or_default(),
        returned: r.kind == StepKind::Returned,
    }
}

/// The first day a notice from `start` may end on.
fn notice_end(clock: &Clock, start: Date) -> Date {
    let mut end = start;
    for _ in 0..90 {
        if clock.deadlines.notice_days(&clock.calendar, start, end)
            >= clock.deadlines.notice_min_days
        {
            break;
        }
        end = end.add_days(1);
    }
    end
}

fn choices<T: Copy>(
    l: L,
    all: &[T],
    code: impl Fn(T) -> i64,
    zh: impl Fn(T) -> &'static str,
    en: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|t| Choice {
            value: code(*t).to_string(),
            label: l.t(zh(*t), en(*t)).to_string(),
        })
        .collect()
}

/// The procedure page, with a refused form's values and problems when there is one.
async fn page(
    state: &AppState,
    s: &Session,
    record: IdentificationRecord,
    h: &VisibleHousehold,
    sent: Option<Sent>,
) -> Result<axum::response::Response, AppError> {
    let l = s.l();
    let id = record.id;
    let village = record.village.clone();
    let county = super::county_of(&village);
    let year = record.ident.found_on.year();
    let (steps, leads, village_name, clock) = state
        .db(move |st| {
            Ok((
                st.identification_steps(id)?,
                st.leads_of_identification(id)?,
                st.region(&village)?.map(|r| r.name).unwrap_or_default(),
                shouwang_app::identification::clock(st, &county, year)?,
            ))
        })
        .await?;
    let today = today();
    let i = &record.ident;
    let open = i.stage.is_open();
    let (stage_left, stage_overdue) = countdown(l, &clock, today, i.stage_due);
    let (due_left, due_overdue) = countdown(l, &clock, today, i.due_on);
    let owner = i.stage.owner();
    let may_act = h.allows(s, Action::Identify);
    let owns = may_act && owner == Some(s.user.role);
    let head = if record.head_name.is_empty() {
        record.household_no.clone()
    } else {
        record.head_name.clone()
    };

    // what is due next
    let what = match i.stage {
        Stage::Appraisal if i.appraisal.is_some() => l.t("发布公示", "publish the notice"),
        Stage::Verification => l.t("入户核实", "home verification"),
        Stage::Appraisal => l.t("民主评议", "village appraisal"),
        Stage::Notice => l.t(
            "公示期满、异议处理完毕后报乡镇审核",
            "once the notice has ended and its objections are handled, submit to the township",
        ),
        Stage::TownshipReview => l.t("乡镇审核", "township review"),
        Stage::CountyDecision => l.t("县级审定", "county decision"),
        Stage::Included | Stage::NotIncluded | Stage::Eliminated | Stage::NotEliminated => "",
    };
    let next = match owner {
        Some(role) => {
            let who = l.t(role.label_zh(), role.label_en());
            if l.is_en() {
                format!("Next: {what}, by the {who}, due {}", i.stage_due)
            } else {
                format!("下一步：{what}（{who}办理），期限 {}", i.stage_due)
            }
        }
        None => String::new(),
    };

    // the forms this user may fill in now
    let mut forms: Vec<&'static str> = Vec::new();
    if owns {
        match i.stage {
            Stage::Verification => forms.push("verify"),
            Stage::Appraisal if i.appraisal.is_none() => forms.push("appraise"),
            Stage::Appraisal => forms.push("notice"),
            Stage::Notice => forms.extend(["objection", "handle", "submit"]),
            Stage::TownshipReview => forms.push("approve"),
            Stage::CountyDecision => forms.push("decide"),
            _ => {}
        }
        if i.stage > Stage::Verification {
            forms.push("return");
        }
    }
    if may_act && open {
        // the green channel: shown when core would take it from this user now
        let probe = Step::MarkGreenChannel(GreenChannel {
            on: today.max(i.stage_since),
            reason: "绿色通道".into(),
        });
        let ctx = StepContext {
            role: s.user.role,
            today: today.max(i.stage_since),
            deadlines: &clock.deadlines,
            calendar: &clock.calendar,
        };
        if i.apply(&probe, &ctx).is_ok() {
            forms.push("green");
        }
    }
    let objections: Vec<OpenObjection> = i
        .objections
        .iter()
        .enumerate()
        .filter(|(_, o)| o.handling.is_none())
        .map(|(index, o)| OpenObjection {
            index,
            number: index + 1,
            on: o.on.to_string(),
            content: o.content.clone(),
        })
        .collect();
    let return_to = Stage::ALL
        .iter()
        .filter(|st| st.is_open() && **st < i.stage && **st != Stage::Notice)
        .map(|st| Choice {
            value: st.code().to_string(),
            label: l.t(st.label_zh(), st.label_en()).to_string(),
        })
        .collect();

    // the forms' defaults
    let mut defaults = Params::new();
    let day = today.to_string();
    for form in [
        "verify",
        "appraise",
        "notice",
        "objection",
        "handle",
        "submit",
        "approve",
        "decide",
        "return",
        "green",
    ] {
        defaults.insert(format!("{form}.on"), day.clone());
    }
    let members = h.record.members.iter().filter(|m| m.is_alive()).count();
    defaults.insert("verify.members".into(), members.to_string());
    defaults.insert("notice.start".into(), day.clone());
    defaults.insert("notice.end".into(), notice_end(&clock, today).to_string());
    defaults.insert(
        "appraise.result".into(),
        AppraisalResult::Agree.code().to_string(),
    );
    defaults.insert("decide.include".into(), "1".into());
    let proposal = i.appraisal.as_ref().and_then(|a| a.proposal.clone());
    let (case_type, risks, level) = match &proposal {
        Some(p) => (p.case_type, p.risks.clone(), p.level),
        None => (
            CaseType::MarginalAtRisk,
            i.risks.clone(),
            WarningLevel::Yellow,
        ),
    };
    for form in ["appraise", "decide"] {
        defaults.insert(format!("{form}.case_type"), case_type.code().to_string());
        defaults.insert(format!("{form}.level"), level.code().to_string());
        for r in &risks {
            defaults.insert(format!("{form}.risk_{}", r.code()), "1".into());
        }
    }
    let kind = i
        .appraisal
        .as_ref()
        .and_then(|a| a.elimination)
        .unwrap_or(EliminationKind::AfterAssistance);
    for form in ["appraise", "decide"] {
        defaults.insert(format!("{form}.elimination_kind"), kind.code().to_string());
    }
    if let Some(first) = Stage::ALL
        .iter()
        .find(|st| st.is_open() && **st < i.stage && **st != Stage::Notice)
    {
        defaults.insert("return.to".into(), first.code().to_string());
    }

    let notice_rule = {
        let n = clock.deadlines.notice_min_days;
        if clock.deadlines.working_days {
            l.t(
                &format!("公示不少于{n}个工作日"),
                &format!("the notice runs at least {n} working days"),
            )
            .to_string()
        } else {
            l.t(
                &format!("公示不少于{n}天"),
                &format!("the notice runs at least {n} days"),
            )
            .to_string()
        }
    };
    let notice_href = i.notice.as_ref().map(|n| {
        let on = if today >= n.start && today <= n.end {
            today
        } else {
            n.start
        };
        format!("/villages/{}/notice?date={on}", record.village)
    });
    let (sent_kind, values, problems, stale) = match sent {
        Some(x) => (x.kind, x.values, x.problems, x.stale),
        None => (String::new(), Params::new(), Vec::new(), false),
    };
    let status = if stale {
        StatusCode::CONFLICT
    } else if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let village_short = super::short_name(&village_name).to_string();
    let mut crumbs = vec![if i.purpose == Purpose::Elimination {
        Crumb::link("/elimination", l.t("风险消除", "Risk elimination"))
    } else {
        Crumb::link("/identifications", l.t("识别认定", "Identification"))
    }];
    crumbs.push(Crumb::here(head.clone()));
    let elim = i.purpose == Purpose::Elimination;
    let ev = if i.stage == Stage::Appraisal {
        Some(
            crate::pages::dept::sections::lead_evidence(
                state,
                s,
                record.village.county(),
                record.household_no.clone(),
                leads.iter().map(|x| x.id).collect(),
            )
            .await?,
        )
    } else {
        None
    };
    let view = ProcedurePage {
        ev,
        elim,
        kinds: EliminationKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_string(),
                label: l.t(k.label_zh(), k.label_en()).to_string(),
            })
            .collect(),
        term: term(l),
        id,
        version: record.version,
        no: record.household_no.clone(),
        place: place(l, &village_short, &record.group),
        head,
        stage: l.t(i.stage.label_zh(), i.stage.label_en()).to_string(),
        open,
        found_on: i.found_on.to_string(),
        stage_since: i.stage_since.to_string(),
        stage_due: i.stage_due.to_string(),
        stage_left,
        stage_overdue,
        due_on: i.due_on.to_string(),
        due_left,
        due_overdue,
        risks: risk_words(l, &i.risks),
        next,
        green: i
            .green_channel
            .as_ref()
            .map(|g| (g.on.to_string(), g.reason.clone())),
        returned: i.returned.clone(),
        case_id: record.case_id,
        leads: leads
            .iter()
            .map(|x| LeadRow {
                id: x.id,
                source: l.t(x.source.label_zh(), x.source.label_en()).to_string(),
                risk: l.t(x.risk.label_zh(), x.risk.label_en()).to_string(),
                found_on: x.found_on.to_string(),
                status: l.t(x.status.label_zh(), x.status.label_en()).to_string(),
            })
            .collect(),
        events: steps.iter().map(|r| event(l, r)).collect(),
        notice_href,
        notice_rule,
        forms,
        objections,
        return_to,
        case_types: choices(
            l,
            CaseType::ALL,
            |t| t.code(),
            |t| t.label_zh(),
            |t| t.label_en(),
        ),
        risk_types: choices(
            l,
            RiskType::ALL,
            |t| t.code(),
            |t| t.label_zh(),
            |t| t.label_en(),
        ),
        levels: WarningLevel::ALL
            .iter()
            .map(|v| Choice {
                value: v.code().to_string(),
                label: level_word(l, *v).to_string(),
            })
            .collect(),
        sent: sent_kind,
        values,
        problems,
        stale,
        defaults,
        ctx: Ctx::of(s).crumbs(crumbs),
    };
    Ok((status, render(view)).into_response())
}

// ---------------------------------------------------------------- reading the forms

fn text(p: &Params, key: &str) -> String {
    p.get(key).map(|v| v.trim().to_string()).unwrap_or_default()
}

fn flag(p: &Params, key: &str) -> bool {
    p.get(key).is_some_and(|v| !v.is_empty() && v != "0")
}

fn date(p: &Params, key: &'static str, problems: &mut Vec<Problem>) -> Date {
    match opt_date(p, key, problems) {
        Some(d) => d,
        None => {
            if !text(p, key).is_empty() {
                return Date::from_days(0);
            }
            problems.push(Problem::new(
                ProblemCode::DateInvalid,
                key,
                "请填写日期，格式如 2026-11-30",
                "enter the date, written like 2026-11-30",
            ));
            Date::from_days(0)
        }
    }
}

fn opt_date(p: &Params, key: &'static str, problems: &mut Vec<Problem>) -> Option<Date> {
    let t = text(p, key);
    if t.is_empty() {
        return None;
    }
    let d = Date::parse(&t);
    if d.is_none() {
        problems.push(Problem::new(
            ProblemCode::DateInvalid,
            key,
            format!("“{t}”不是有效日期，请按 2026-11-30 的格式填写"),
            format!("'{t}' is not a date; write it like 2026-11-30"),
        ));
    }
    d
}

fn count(p: &Params, key: &'static str, problems: &mut Vec<Problem>) -> u32 {
    let t = text(p, key);
    if t.is_empty() {
        return 0;
    }
    t.parse().unwrap_or_else(|_| {
        problems.push(Problem::new(
            ProblemCode::IntegerInvalid,
            key,
            format!("“{t}”应为不小于0的整数"),
            format!("'{t}' should be a whole number from 0"),
        ));
        0
    })
}

fn code<T>(
    p: &Params,
    key: &'static str,
    from: impl Fn(i64) -> Option<T>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let t = text(p, key);
    let v = t.parse::<i64>().ok().and_then(from);
    if v.is_none() {
        problems.push(Problem::new(
            ProblemCode::CodeUnknown,
            key,
            "请从列表中选择",
            "choose one from the list",
        ));
    }
    v
}

fn risks(p: &Params) -> Vec<RiskType> {
    RiskType::ALL
        .iter()
        .filter(|r| flag(p, &format!("risk_{}", r.code())))
        .copied()
        .collect()
}

fn inclusion(p: &Params, problems: &mut Vec<Problem>) -> Option<Inclusion> {
    let case_type = code(p, "case_type", CaseType::from_code, problems);
    let level = code(p, "level", WarningLevel::from_code, problems);
    Some(Inclusion {
        case_type: case_type?,
        risks: risks(p),
        level: level?,
    })
}

/// The step a form of `kind` describes, or the problems of what it holds.
fn parse_step(kind: &str, p: &Params, purpose: Purpose) -> Result<Step, Vec<Problem>> {
    let elim = purpose == Purpose::Elimination;
    let mut problems = Vec::new();
    let pr = &mut problems;
    let step = match kind {
        "verify" => {
            let income = text(p, "income_12m");
            let income_12m = if income.is_empty() {
                Fen(0)
            } else {
                Fen::parse_yuan(&income).unwrap_or_else(|e| {
                    pr.push(Problem::new(
                        ProblemCode::MoneyInvalid,
                        "income_12m",
                        format!("“{income}”不是有效金额（{}）", e.zh()),
                        format!("'{income}' is not a valid amount ({e})"),
                    ));
                    Fen(0)
                })
            };
            Some(Step::Verify(Verification {
                on: date(p, "on", pr),
                authorised_on: opt_date(p, "authorised_on", pr),
                members: count(p, "members", pr),
                income_12m,
                compulsory_education_secure: flag(p, "education"),
                basic_medical_secure: flag(p, "medical"),
                housing_secure: flag(p, "housing"),
                drinking_water_secure: flag(p, "water"),
                assets: Assets {
                    vehicles: count(p, "vehicles", pr),
                    commercial_housing: flag(p, "commercial_housing"),
                    registered_business: flag(p, "registered_business"),
                    public_payroll: flag(p, "public_payroll"),
                },
                findings: text(p, "findings"),
            }))
        }
        "appraise" => {
            let on = date(p, "on", pr);
            let result = code(p, "result", AppraisalResult::from_code, pr);
            let proposal = match result {
                Some(AppraisalResult::Agree) if !elim => inclusion(p, pr),
                _ => None,
            };
            let elimination = match result {
                Some(AppraisalResult::Agree) if elim => {
                    code(p, "elimination_kind", EliminationKind::from_code, pr)
                }
                _ => None,
            };
            result.map(|result| {
                Step::Appraise(Appraisal {
                    on,
                    participants: text(p, "participants"),
                    result,
                    minutes: text(p, "minutes"),
                    proposal,
                    elimination,
                })
            })
        }
        "notice" => Some(Step::PublishNotice(Notice {
            start: date(p, "start", pr),
            end: date(p, "end", pr),
            contact: text(p, "contact"),
        })),
        "objection" => Some(Step::RaiseObjection {
            on: date(p, "on", pr),
            content: text(p, "content"),
        }),
        "handle" => {
            let index = text(p, "index").parse::<usize>().ok();
            if index.is_none() {
                pr.push(Problem::new(
                    ProblemCode::CodeUnknown,
                    "index",
                    "请选择要处理的异议",
                    "choose the objection to handle",
                ));
            }
            let on = date(p, "on", pr);
            index.map(|index| Step::HandleObjection {
                index,
                on,
                text: text(p, "text"),
            })
        }
        "submit" => Some(Step::Submit {
            on: date(p, "on", pr),
        }),
        "approve" => Some(Step::TownshipApprove(Review {
            on: date(p, "on", pr),
            opinion: text(p, "opinion"),
        })),
        "decide" => {
            let on = date(p, "on", pr);
            let include = text(p, "include") != "0";
            if elim {
                let closure = if include {
                    code(p, "elimination_kind", EliminationKind::from_code, pr).map(|kind| {
                        Closure {
                            kind,
                            contact_name: text(p, "contact_name"),
                            contact_phone: text(p, "contact_phone"),
                        }
                    })
                } else {
                    None
                };
                (!include || closure.is_some()).then(|| {
                    Step::Decide(Decision {
                        on,
                        inclusion: None,
                        reason: text(p, "reason"),
                        announcement: text(p, "announcement"),
                        closure,
                    })
                })
            } else {
                let inclusion = if include { inclusion(p, pr) } else { None };
                (!include || inclusion.is_some()).then(|| {
                    Step::Decide(Decision {
                        on,
                        inclusion,
                        reason: text(p, "reason"),
                        announcement: text(p, "announcement"),
                        closure: None,
                    })
                })
            }
        }
        "return" => {
            let on = date(p, "on", pr);
            code(p, "to", Stage::from_code, pr).map(|to| Step::Return {
                on,
                to,
                reason: text(p, "reason"),
            })
        }
        "green" => Some(Step::MarkGreenChannel(GreenChannel {
            on: date(p, "on", pr),
            reason: text(p, "reason"),
        })),
        _ => None,
    };
    match step {
        Some(step) if problems.is_empty() => Ok(step),
        _ => Err(problems),
    }
}

/// POST /identifications/{id}/steps/{kind}
pub(super) async fn take_step(
    State(state): State<AppState>,
    s: Session,
    Path((id, kind)): Path<(String, String)>,
    Form(p): Form<Params>,
) -> PageResult {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (record, h) = visible_procedure(&state, &s, id).await?;
    s.scope
        .decide(Action::Identify, h.target())
        .map_err(access::not_allowed)?;
    if !matches!(
        kind.as_str(),
        "verify"
            | "appraise"
            | "notice"
            | "objection"
            | "handle"
            | "submit"
            | "approve"
            | "decide"
            | "return"
            | "green"
    ) {
        return Err(AppError::NotFound.into());
    }
    let version = text(&p, "version")
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("version".into()))?;
    if version != record.version {
        // read before someone else acted: what the form holds no longer applies
        return Ok(page(&state, &s, record, &h, Some(stale())).await?);
    }
    let step = match parse_step(&kind, &p, record.ident.purpose) {
        Ok(step) => step,
        Err(problems) => {
            let sent = Sent {
                kind,
                values: p,
                problems,
                stale: false,
            };
            return Ok(page(&state, &s, record, &h, Some(sent)).await?);
        }
    };
    let who = Acting {
        actor: s.actor(),
        role: s.user.role,
    };
    let today = today();
    let taken = step.clone();
    match state
        .db(move |st| shouwang_app::identification::take_step(st, &who, id, version, &taken, today))
        .await
    {
        Ok(after) => {
            let head = if after.head_name.is_empty() {
                after.household_no.clone()
            } else {
                after.head_name.clone()
            };
            let k = step.kind();
            let st = after.ident.stage;
            Ok(saved(
                &format!("/identifications/{id}"),
                format!(
                    "已办理“{}”：{head}，当前环节：{}",
                    k.label_zh(),
                    st.label_zh()
                ),
                format!(
                    "Done: “{}” for {head}; the procedure is now at “{}”",
                    k.label_en(),
                    st.label_en()
                ),
            ))
        }
        Err(AppError::Invalid(problems)) => {
            let sent = Sent {
                kind,
                values: p,
                problems,
                stale: false,
            };
            Ok(page(&state, &s, record, &h, Some(sent)).await?)
        }
        Err(AppError::Stale) => {
            // the fresh procedure, with the word that someone else acted first
            let (fresh, h) = visible_procedure(&state, &s, id).await?;
            Ok(page(&state, &s, fresh, &h, Some(stale())).await?)
        }
        Err(e) => Err(e.into()),
    }
}
