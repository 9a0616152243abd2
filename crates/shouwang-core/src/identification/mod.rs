//! 识别认定: the procedure that turns a household's leads into a monitoring case (research §5):
//!
//! ```text
//! 入户核实 (village: signed 授权承诺, facts and assets)
//!  → 村级民主评议 (village: participants, result, minutes; 不同意 ends as 不予纳入)
//!  → 公示 (village, once, at least the standard's days; objections recorded and handled)
//!  → 乡镇审核 (township)
//!  → 县级审定 (county, with the announcement) → 纳入监测 with type, risks and level, or 不予纳入
//! ```
//!
//! Each step belongs to one role; the owner of a stage may return the procedure to an earlier
//! stage with a reason, which clears what was recorded from that stage on. Every step is dated:
//! never in the future, never before the step before it. The clock is in [`deadline`].
//!
//! The same procedure closes a case (风险消除, research §7) when its [`Purpose`] is
//! [`Purpose::Elimination`]: the home check needs no signed authorisation, the appraisal proposes
//! the [`EliminationKind`], the county closes the case with the kind and a 监测联系人 with phone
//! (风险已消除) or refuses (不予消除) with a reason; there is no green channel.
//!
//! [`Identification::apply`] is the whole state machine: it takes the procedure as it is and a
//! step, and gives the procedure after the step or the reason it is refused. It knows nothing of
//! storage; the store writes what it returns, with the step, in one transaction.

pub mod deadline;

use crate::access::Role;
use crate::calendar::WorkCalendar;
use crate::codes::code_list;
use crate::date::Date;
use crate::money::Fen;
use crate::monitoring::{CaseType, EliminationKind, RiskType};
use crate::problem::{Problem, ProblemCode};
use crate::screening::level::WarningLevel;
use deadline::Deadlines;
use serde::{Deserialize, Serialize};

code_list!(
    /// 识别程序环节. Ours; terminal stages last.
    Stage {
        Verification = 1 => "入户核实", "home verification";
        Appraisal = 2 => "村级民主评议", "village appraisal";
        Notice = 3 => "村内公示", "public notice";
        TownshipReview = 4 => "乡镇审核", "township review";
        CountyDecision = 5 => "县级审定", "county decision";
        Included = 6 => "已纳入监测", "included in monitoring";
        NotIncluded = 7 => "不予纳入", "not included";
        Eliminated = 8 => "风险已消除", "risk eliminated";
        NotEliminated = 9 => "不予消除", "not eliminated";
    }
);

code_list!(
    /// What a procedure is for. Ours; stored in `identifications.purpose`.
    Purpose {
        Identification = 1 => "识别认定程序", "identification procedure";
        Elimination = 2 => "风险消除程序", "risk elimination procedure";
    }
);

impl Default for Purpose {
    /// Bodies stored before elimination existed are identifications.
    fn default() -> Purpose {
        Purpose::Identification
    }
}

/// How the county closes a case (风险消除): the kind and the 监测联系人 who keeps watching it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub kind: EliminationKind,
    pub contact_name: String,
    pub contact_phone: String,
}

impl Stage {
    /// The role that acts at this stage; `None` once the procedure has ended.
    pub fn owner(self) -> Option<Role> {
        match self {
            Stage::Verification | Stage::Appraisal | Stage::Notice => Some(Role::Village),
            Stage::TownshipReview => Some(Role::Township),
            Stage::CountyDecision => Some(Role::County),
            Stage::Included | Stage::NotIncluded | Stage::Eliminated | Stage::NotEliminated => None,
        }
    }
    pub fn is_open(self) -> bool {
        self.owner().is_some()
    }
}

code_list!(
    /// What one recorded step did, as the history lists it. Ours.
    StepKind {
        Opened = 1 => "发起识别", "procedure opened";
        Verified = 2 => "入户核实", "home verification";
        Appraised = 3 => "民主评议", "village appraisal";
        NoticePublished = 4 => "发布公示", "notice published";
        ObjectionRaised = 5 => "公示异议", "objection raised";
        ObjectionHandled = 6 => "异议处理", "objection handled";
        Submitted = 7 => "报乡镇审核", "submitted to the township";
        TownshipApproved = 8 => "乡镇审核通过", "township approved";
        Decided = 9 => "县级审定", "county decision";
        Returned = 10 => "退回", "returned";
        GreenChannel = 11 => "绿色通道", "green channel";
    }
);

code_list!(
    /// 民主评议结果.
    AppraisalResult {
        Agree = 1 => "同意纳入", "agrees to include";
        Disagree = 2 => "不同意纳入", "does not agree to include";
    }
);

/// The household's assets, checked at the home visit: the 2026 rules weigh assets as well as
/// income. They are evidence for the appraisal, never an automatic refusal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assets {
    /// 家用小汽车 (not farm vehicles)
    pub vehicles: u32,
    /// 城镇商品房
    pub commercial_housing: bool,
    /// 经营主体 registered by a member
    pub registered_business: bool,
    /// a member is 财政供养人员
    pub public_payroll: bool,
}

impl Assets {
    pub fn any(&self) -> bool {
        self.vehicles > 0
            || self.commercial_housing
            || self.registered_business
            || self.public_payroll
    }
}

/// 入户核实: what the visit found and the household's signed authorisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub on: Date,
    /// 农户签字的《监测对象申请及承诺授权书》, its date; required
    pub authorised_on: Option<Date>,
    /// 核实家庭人口
    pub members: u32,
    /// 近12个月家庭纯收入
    pub income_12m: Fen,
    /// 三保障 and water as found: true when secure
    pub compulsory_education_secure: bool,
    pub basic_medical_secure: bool,
    pub housing_secure: bool,
    pub drinking_water_secure: bool,
    pub assets: Assets,
    /// 核实情况
    pub findings: String,
}

impl Verification {
    /// 近12个月人均纯收入
    pub fn per_capita(&self) -> Option<Fen> {
        self.income_12m.per(i64::from(self.members))
    }
}

/// What the county decides a case to be, proposed by the village and confirmed by the county.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inclusion {
    pub case_type: CaseType,
    /// one to five, no repeats
    pub risks: Vec<RiskType>,
    pub level: WarningLevel,
}

/// 村级民主评议.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appraisal {
    pub on: Date,
    /// 参会人员
    pub participants: String,
    pub result: AppraisalResult,
    /// 评议记录
    pub minutes: String,
    /// the proposal, when the result is to include
    pub proposal: Option<Inclusion>,
    /// for an elimination agreed to: the kind proposed
    #[serde(default)]
    pub elimination: Option<EliminationKind>,
}

/// 村内公示.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub start: Date,
    pub end: Date,
    /// where and to whom to object (地点、联系人、电话 of the village committee)
    pub contact: String,
}

/// An objection to the notice and its handling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub on: Date,
    pub content: String,
    pub handling: Option<Handling>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handling {
    pub on: Date,
    pub text: String,
}

/// 乡镇审核.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub on: Date,
    pub opinion: String,
}

/// 县级审定.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub on: Date,
    /// `Some` to include, `None` for 不予纳入
    pub inclusion: Option<Inclusion>,
    /// required for 不予纳入
    pub reason: String,
    /// 公告: its reference or text; required for an inclusion or an elimination
    pub announcement: String,
    /// for an elimination: `Some` to close the case, `None` for 不予消除
    #[serde(default)]
    pub closure: Option<Closure>,
}

/// 绿色通道: measures before the procedure ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GreenChannel {
    pub on: Date,
    pub reason: String,
}

/// One step someone takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Verify(Verification),
    Appraise(Appraisal),
    PublishNotice(Notice),
    RaiseObjection {
        on: Date,
        content: String,
    },
    HandleObjection {
        index: usize,
        on: Date,
        text: String,
    },
    Submit {
        on: Date,
    },
    TownshipApprove(Review),
    Decide(Decision),
    Return {
        on: Date,
        to: Stage,
        reason: String,
    },
    MarkGreenChannel(GreenChannel),
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Verify(_) => StepKind::Verified,
            Step::Appraise(_) => StepKind::Appraised,
            Step::PublishNotice(_) => StepKind::NoticePublished,
            Step::RaiseObjection { .. } => StepKind::ObjectionRaised,
            Step::HandleObjection { .. } => StepKind::ObjectionHandled,
            Step::Submit { .. } => StepKind::Submitted,
            Step::TownshipApprove(_) => StepKind::TownshipApproved,
            Step::Decide(_) => StepKind::Decided,
            Step::Return { .. } => StepKind::Returned,
            Step::MarkGreenChannel(_) => StepKind::GreenChannel,
        }
    }

    /// The day the step says it was taken.
    pub fn on(&self) -> Date {
        match self {
            Step::Verify(v) => v.on,
            Step::Appraise(a) => a.on,
            Step::PublishNotice(n) => n.start,
            Step::RaiseObjection { on, .. }
            | Step::HandleObjection { on, .. }
            | Step::Submit { on }
            | Step::Return { on, .. } => *on,
            Step::TownshipApprove(r) => r.on,
            Step::Decide(d) => d.on,
            Step::MarkGreenChannel(g) => g.on,
        }
    }

    /// The stage the step is taken at (for the green channel: any open stage).
    fn stage(&self) -> Option<Stage> {
        match self {
            Step::Verify(_) => Some(Stage::Verification),
            Step::Appraise(_) => Some(Stage::Appraisal),
            Step::PublishNotice(_) => Some(Stage::Appraisal),
            Step::RaiseObjection { .. } | Step::HandleObjection { .. } | Step::Submit { .. } => {
                Some(Stage::Notice)
            }
            Step::TownshipApprove(_) => Some(Stage::TownshipReview),
            Step::Decide(_) => Some(Stage::CountyDecision),
            Step::Return { .. } | Step::MarkGreenChannel(_) => None,
        }
    }

    /// Who may take the step at `stage`.
    fn roles(&self, stage: Stage) -> &'static [Role] {
        match self {
            // a disaster or an accident is a matter for the township or the county
            Step::MarkGreenChannel(_) => &[Role::Township, Role::County],
            _ => match stage.owner() {
                Some(Role::Village) => &[Role::Village],
                Some(Role::Township) => &[Role::Township],
                Some(Role::County) => &[Role::County],
                _ => &[],
            },
        }
    }
}

/// The procedure of one household, as it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    /// identification (the default of bodies stored before elimination) or elimination
    #[serde(default)]
    pub purpose: Purpose,
    pub stage: Stage,
    /// the day the first lead was found: the overall clock runs from it
    pub found_on: Date,
    /// the day the procedure must be decided by
    pub due_on: Date,
    /// the day the current stage was entered, and the day it is due
    pub stage_since: Date,
    pub stage_due: Date,
    /// the risks of the leads gathered into it
    pub risks: Vec<RiskType>,
    pub green_channel: Option<GreenChannel>,
    pub verification: Option<Verification>,
    pub appraisal: Option<Appraisal>,
    pub notice: Option<Notice>,
    pub objections: Vec<Objection>,
    pub township_review: Option<Review>,
    pub decision: Option<Decision>,
    /// why it was returned last, while the stage it returned to is open
    pub returned: Option<String>,
}

/// What a step is checked against besides the procedure itself.
pub struct StepContext<'a> {
    pub role: Role,
    pub today: Date,
    pub deadlines: &'a Deadlines,
    pub calendar: &'a WorkCalendar,
}

fn problem(code: ProblemCode, field: &str, zh: String, en: String) -> Problem {
    Problem::new(code, field, zh, en)
}

fn required(field: &str, text: &str, zh: &str, en: &str) -> Result<(), Problem> {
    if text.trim().chars().count() >= 2 {
        return Ok(());
    }
    Err(problem(
        ProblemCode::ReasonRequired,
        field,
        format!("须填写{zh}（至少两个字）"),
        format!("the {en} is required (two characters or more)"),
    ))
}

/// One to five risks, no repeats.
pub fn check_risks(field: &str, risks: &[RiskType]) -> Result<(), Problem> {
    let mut seen = risks.to_vec();
    seen.sort();
    seen.dedup();
    if !risks.is_empty() && risks.len() <= 5 && seen.len() == risks.len() {
        return Ok(());
    }
    Err(problem(
        ProblemCode::RisksInvalid,
        field,
        format!("风险类型须为一至五项且不重复，现有{}项", risks.len()),
        format!(
            "one to five risk types without repeats are needed; {} given",
            risks.len()
        ),
    ))
}

fn check_inclusion(field: &str, inclusion: &Inclusion) -> Result<(), Problem> {
    check_risks(&format!("{field}.risks"), &inclusion.risks)
}

impl Identification {
    /// A procedure opened on the leads found on `found_on` (the earliest), with their risks.
    pub fn open(
        found_on: Date,
        risks: Vec<RiskType>,
        today: Date,
        deadlines: &Deadlines,
        calendar: &WorkCalendar,
    ) -> Identification {
        let due_on = deadlines.overall_due(calendar, found_on);
        let since = found_on.min(today);
        let stage_due = deadlines.stage_due(calendar, Stage::Verification, found_on, due_on, None);
        Identification {
            purpose: Purpose::Identification,
            stage: Stage::Verification,
            found_on,
            due_on,
            stage_since: since,
            stage_due,
            risks,
            green_channel: None,
            verification: None,
            appraisal: None,
            notice: None,
            objections: Vec::new(),
            township_review: None,
            decision: None,
            returned: None,
        }
    }

    /// An elimination procedure of a case with `risks`, opened on `today` (its clock runs from
    /// that day, with the identification's deadlines).
    pub fn open_elimination(
        risks: Vec<RiskType>,
        today: Date,
        deadlines: &Deadlines,
        calendar: &WorkCalendar,
    ) -> Identification {
        Identification {
            purpose: Purpose::Elimination,
            ..Identification::open(today, risks, today, deadlines, calendar)
        }
    }

    /// The procedure after `step`, or why the step is refused. Nothing is changed on refusal.
    pub fn apply(&self, step: &Step, ctx: &StepContext) -> Result<Identification, Problem> {
        if !self.stage.is_open() {
            return Err(problem(
                ProblemCode::IdentificationClosed,
                "stage",
                format!("识别程序已结束（{}），不能再办理", self.stage.label_zh()),
                format!(
                    "the procedure has ended ({}); no step can be taken",
                    self.stage.label_en()
                ),
            ));
        }
        let roles = step.roles(self.stage);
        if !roles.contains(&ctx.role) {
            let who_zh: Vec<&str> = roles.iter().map(|r| r.label_zh()).collect();
            let who_en: Vec<&str> = roles.iter().map(|r| r.label_en()).collect();
            return Err(problem(
                ProblemCode::StepWrongRole,
                "step",
                format!(
                    "“{}”由{}办理，{}不能办理",
                    step.kind().label_zh(),
                    who_zh.join("或"),
                    ctx.role.label_zh()
                ),
                format!(
                    "“{}” is done by the {}, not by a {}",
                    step.kind().label_en(),
                    who_en.join(" or the "),
                    ctx.role.label_en()
                ),
            ));
        }
        if let Some(stage) = step.stage() {
            if stage != self.stage {
                return Err(problem(
                    ProblemCode::StepOutOfOrder,
                    "step",
                    format!(
                        "当前环节是“{}”，不能办理“{}”",
                        self.stage.label_zh(),
                        step.kind().label_zh()
                    ),
                    format!(
                        "the procedure is at “{}”; “{}” cannot be taken now",
                        self.stage.label_en(),
                        step.kind().label_en()
                    ),
                ));
            }
        }
        let on = step.on();
        if on > ctx.today {
            return Err(problem(
                ProblemCode::StepDate,
                "on",
                format!("日期 {on} 在今天（{}）之后", ctx.today),
                format!("the date {on} is after today ({})", ctx.today),
            ));
        }
        if on < self.stage_since {
            return Err(problem(
                ProblemCode::StepDate,
                "on",
                format!("日期 {on} 早于上一步（{}）", self.stage_since),
                format!(
                    "the date {on} is before the step before it ({})",
                    self.stage_since
                ),
            ));
        }
        let mut next = self.clone();
        match step {
            Step::Verify(v) if self.purpose == Purpose::Elimination => {
                if v.members == 0 {
                    return Err(problem(
                        ProblemCode::Invalid,
                        "members",
                        "核实人口至少为1人".into(),
                        "the household has at least one member".into(),
                    ));
                }
                required("findings", &v.findings, "核实情况", "findings")?;
                next.verification = Some(v.clone());
                next.enter(Stage::Appraisal, v.on, ctx);
            }
            Step::Verify(v) => {
                let Some(signed) = v.authorised_on else {
                    return Err(problem(
                        ProblemCode::AuthorisationMissing,
                        "authorised_on",
                        "须记录农户签字的授权承诺书及其日期".into(),
                        "the household's signed authorisation and its date are required".into(),
                    ));
                };
                if signed > v.on {
                    return Err(problem(
                        ProblemCode::StepDate,
                        "authorised_on",
                        format!("授权承诺日期 {signed} 晚于核实日期 {}", v.on),
                        format!(
                            "the authorisation ({signed}) is dated after the visit ({})",
                            v.on
                        ),
                    ));
                }
                if v.members == 0 {
                    return Err(problem(
                        ProblemCode::Invalid,
                        "members",
                        "核实人口至少为1人".into(),
                        "the household has at least one member".into(),
                    ));
                }
                required("findings", &v.findings, "核实情况", "findings")?;
                next.verification = Some(v.clone());
                next.enter(Stage::Appraisal, v.on, ctx);
            }
            Step::Appraise(a) => {
                if self.appraisal.is_some() {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "step",
                        "已民主评议，下一步是发布公示".into(),
                        "the appraisal is recorded; the notice comes next".into(),
                    ));
                }
                required("participants", &a.participants, "参会人员", "participants")?;
                required("minutes", &a.minutes, "评议记录", "minutes")?;
                match (a.result, &a.proposal) {
                    _ if self.purpose == Purpose::Elimination => {
                        if a.result == AppraisalResult::Agree && a.elimination.is_none() {
                            return Err(problem(
                                ProblemCode::Invalid,
                                "elimination",
                                "同意消除须提出风险消除方式（帮扶消除或自然消除）".into(),
                                "agreeing to close needs the proposed kind (after assistance or natural)".into(),
                            ));
                        }
                    }
                    (AppraisalResult::Agree, Some(p)) => check_inclusion("proposal", p)?,
                    (AppraisalResult::Agree, None) => {
                        return Err(problem(
                            ProblemCode::RisksInvalid,
                            "proposal",
                            "同意纳入须提出监测类型和风险类型".into(),
                            "agreeing to include needs the proposed type and risks".into(),
                        ))
                    }
                    (AppraisalResult::Disagree, _) => {}
                }
                next.appraisal = Some(a.clone());
                if a.result == AppraisalResult::Disagree {
                    next.enter(self.refused_stage(), a.on, ctx);
                } else {
                    // the notice is published next, normally the same day
                    next.stage_since = a.on;
                }
            }
            Step::PublishNotice(n) => {
                let Some(appraisal) = &self.appraisal else {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "step",
                        "尚未民主评议，不能公示".into(),
                        "there is no appraisal to publish yet".into(),
                    ));
                };
                if n.start < appraisal.on {
                    return Err(problem(
                        ProblemCode::StepDate,
                        "start",
                        format!("公示开始 {} 早于评议日期 {}", n.start, appraisal.on),
                        format!(
                            "the notice starts ({}) before the appraisal ({})",
                            n.start, appraisal.on
                        ),
                    ));
                }
                let days = ctx.deadlines.notice_days(ctx.calendar, n.start, n.end);
                if days < ctx.deadlines.notice_min_days {
                    let unit_zh = if ctx.deadlines.working_days {
                        "个工作日"
                    } else {
                        "天"
                    };
                    let unit_en = if ctx.deadlines.working_days {
                        "working days"
                    } else {
                        "days"
                    };
                    return Err(problem(
                        ProblemCode::NoticeTooShort,
                        "end",
                        format!(
                            "公示{days}{unit_zh}，标准要求不少于{}{unit_zh}",
                            ctx.deadlines.notice_min_days
                        ),
                        format!(
                            "the notice runs {days} {unit_en}; the standard needs at least {} {unit_en}",
                            ctx.deadlines.notice_min_days
                        ),
                    ));
                }
                required(
                    "contact",
                    &n.contact,
                    "异议受理地点和电话",
                    "place to object",
                )?;
                next.notice = Some(n.clone());
                next.objections.clear();
                next.enter(Stage::Notice, n.start, ctx);
            }
            Step::RaiseObjection { on, content } => {
                let notice = self.notice.as_ref().expect("a notice at the notice stage");
                if *on > notice.end {
                    return Err(problem(
                        ProblemCode::StepDate,
                        "on",
                        format!("异议日期 {on} 在公示期（至 {}）之后", notice.end),
                        format!(
                            "the objection ({on}) came after the notice ended ({})",
                            notice.end
                        ),
                    ));
                }
                required("content", content, "异议内容", "objection")?;
                next.objections.push(Objection {
                    on: *on,
                    content: content.trim().to_string(),
                    handling: None,
                });
            }
            Step::HandleObjection { index, on, text } => {
                let Some(objection) = next.objections.get_mut(*index) else {
                    return Err(problem(
                        ProblemCode::NotFound,
                        "index",
                        format!("没有第{}条异议", index + 1),
                        format!("there is no objection number {}", index + 1),
                    ));
                };
                if objection.handling.is_some() {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "index",
                        format!("第{}条异议已处理", index + 1),
                        format!("objection number {} is handled already", index + 1),
                    ));
                }
                if *on < objection.on {
                    return Err(problem(
                        ProblemCode::StepDate,
                        "on",
                        format!("处理日期 {on} 早于异议日期 {}", objection.on),
                        format!("handled ({on}) before it was raised ({})", objection.on),
                    ));
                }
                required("text", text, "处理情况", "handling")?;
                objection.handling = Some(Handling {
                    on: *on,
                    text: text.trim().to_string(),
                });
            }
            Step::Submit { on } => {
                let notice = self.notice.as_ref().expect("a notice at the notice stage");
                if *on <= notice.end {
                    return Err(problem(
                        ProblemCode::NoticeRunning,
                        "on",
                        format!("公示期至 {}，结束后才能报乡镇审核", notice.end),
                        format!(
                            "the notice runs until {}; it goes to the township after that",
                            notice.end
                        ),
                    ));
                }
                if let Some(i) = self.objections.iter().position(|o| o.handling.is_none()) {
                    return Err(problem(
                        ProblemCode::ObjectionOpen,
                        "objections",
                        format!("第{}条公示异议尚未处理", i + 1),
                        format!("objection number {} is not handled yet", i + 1),
                    ));
                }
                next.enter(Stage::TownshipReview, *on, ctx);
            }
            Step::TownshipApprove(r) => {
                required("opinion", &r.opinion, "审核意见", "opinion")?;
                next.township_review = Some(r.clone());
                next.enter(Stage::CountyDecision, r.on, ctx);
            }
            Step::Decide(d) if self.purpose == Purpose::Elimination => {
                if d.inclusion.is_some() {
                    return Err(problem(
                        ProblemCode::Invalid,
                        "inclusion",
                        "风险消除程序不能决定纳入监测".into(),
                        "an elimination procedure cannot include a household".into(),
                    ));
                }
                match &d.closure {
                    Some(c) => {
                        required("announcement", &d.announcement, "公告", "announcement")?;
                        if c.contact_name.trim().chars().count() < 2 {
                            return Err(problem(
                                ProblemCode::EliminationContact,
                                "contact_name",
                                "须填写监测联系人（至少两个字）".into(),
                                "the monitoring contact is required (two characters or more)"
                                    .into(),
                            ));
                        }
                        if c.contact_phone.trim().is_empty() {
                            return Err(problem(
                                ProblemCode::EliminationContact,
                                "contact_phone",
                                "须填写监测联系人的电话".into(),
                                "the monitoring contact's phone is required".into(),
                            ));
                        }
                        let mut problems = Vec::new();
                        crate::household::check_phone(
                            "contact_phone",
                            &c.contact_phone,
                            &mut problems,
                        );
                        if let Some(p) = problems.pop() {
                            return Err(p);
                        }
                    }
                    None => required("reason", &d.reason, "不予消除的理由", "reason")?,
                }
                next.decision = Some(d.clone());
                let end = if d.closure.is_some() {
                    Stage::Eliminated
                } else {
                    Stage::NotEliminated
                };
                next.enter(end, d.on, ctx);
            }
            Step::Decide(d) => {
                if d.closure.is_some() {
                    return Err(problem(
                        ProblemCode::Invalid,
                        "closure",
                        "识别认定程序不能决定风险消除".into(),
                        "an identification procedure cannot close a case".into(),
                    ));
                }
                match &d.inclusion {
                    Some(inclusion) => {
                        check_inclusion("inclusion", inclusion)?;
                        required("announcement", &d.announcement, "公告", "announcement")?;
                    }
                    None => required("reason", &d.reason, "不予纳入的理由", "reason")?,
                }
                next.decision = Some(d.clone());
                let end = if d.inclusion.is_some() {
                    Stage::Included
                } else {
                    Stage::NotIncluded
                };
                next.enter(end, d.on, ctx);
            }
            Step::Return { on, to, reason } => {
                if !to.is_open() || *to >= self.stage {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "to",
                        format!(
                            "只能退回到“{}”之前的环节，不能退回到“{}”",
                            self.stage.label_zh(),
                            to.label_zh()
                        ),
                        format!(
                            "a return goes to a stage before “{}”, not to “{}”",
                            self.stage.label_en(),
                            to.label_en()
                        ),
                    ));
                }
                if *to == Stage::Notice {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "to",
                        "公示只举行一次：退回须到民主评议或入户核实".into(),
                        "the notice is held once: return to the appraisal or the visit".into(),
                    ));
                }
                required("reason", reason, "退回理由", "reason for the return")?;
                // what was recorded from the stage returned to on is done again
                if *to <= Stage::Verification {
                    next.verification = None;
                }
                if *to <= Stage::Appraisal {
                    next.appraisal = None;
                    next.notice = None;
                    next.objections.clear();
                }
                if *to <= Stage::TownshipReview {
                    next.township_review = None;
                }
                next.enter(*to, *on, ctx);
                next.returned = Some(reason.trim().to_string());
            }
            Step::MarkGreenChannel(_) if self.purpose == Purpose::Elimination => {
                return Err(problem(
                    ProblemCode::GreenChannelRefused,
                    "green_channel",
                    "风险消除程序没有绿色通道".into(),
                    "an elimination procedure has no green channel".into(),
                ));
            }
            Step::MarkGreenChannel(g) => {
                if self.green_channel.is_some() {
                    return Err(problem(
                        ProblemCode::StepOutOfOrder,
                        "green_channel",
                        "已走绿色通道".into(),
                        "the green channel is marked already".into(),
                    ));
                }
                let sudden = self
                    .risks
                    .iter()
                    .any(|r| matches!(r, RiskType::NaturalDisaster | RiskType::Accident));
                if !sudden {
                    return Err(problem(
                        ProblemCode::GreenChannelRefused,
                        "risks",
                        "只有因自然灾害、因意外事故的风险可走绿色通道".into(),
                        "only a natural disaster or an accident may take the green channel".into(),
                    ));
                }
                required("reason", &g.reason, "理由", "reason")?;
                next.green_channel = Some(g.clone());
            }
        }
        Ok(next)
    }

    fn enter(&mut self, stage: Stage, on: Date, ctx: &StepContext) {
        self.stage = stage;
        self.stage_since = on;
        self.stage_due = ctx.deadlines.stage_due(
            ctx.calendar,
            stage,
            on,
            self.due_on,
            self.notice.as_ref().map(|n| n.end),
        );
        self.returned = None;
    }

    /// How pressing the current stage is on `today` (`None` once ended).
    pub fn urgency(
        &self,
        today: Date,
        deadlines: &Deadlines,
        calendar: &WorkCalendar,
    ) -> Option<deadline::Urgency> {
        if !self.stage.is_open() {
            return None;
        }
        let stage = deadlines.urgency(calendar, today, self.stage_due);
        let overall = deadlines.urgency(calendar, today, self.due_on);
        Some(stage.max(overall))
    }

    /// The stage a refusal ends in: 不予纳入 or 不予消除.
    fn refused_stage(&self) -> Stage {
        match self.purpose {
            Purpose::Identification => Stage::NotIncluded,
            Purpose::Elimination => Stage::NotEliminated,
        }
    }

    /// How the county closed the case, once eliminated.
    pub fn closure(&self) -> Option<&Closure> {
        self.decision.as_ref().and_then(|d| d.closure.as_ref())
    }

    /// What the county decided to include, once included.
    pub fn inclusion(&self) -> Option<&Inclusion> {
        self.decision.as_ref().and_then(|d| d.inclusion.as_ref())
    }
}

#[cfg(test)]
mod elimination_tests;
#[cfg(test)]
mod tests;
