//! 工作提示单: what a village has to do in a month (seed 003, 文峰乡: "每月初……制定下发重点工作
//! 提示单，明确当月工作任务、完成时限和相关要求"), gathered from its procedures, leads, cases,
//! measures, pairings and visits, each item with its household, its due day, who acts, the words
//! with their numbers and the page to act on.
//!
//! Pure: the store gathers a village's [`VillageInputs`], [`build`] makes the [`TaskList`]. An item
//! is on the list of a month when it falls due in that month or is already overdue; work done
//! (a step taken, a measure entered, a visit recorded) drops it at the next generation.

use crate::access::Role;
use crate::assistance::{MeasureCategory, MeasureState};
use crate::codes::code_list;
use crate::date::{days_in_month, Date, YearMonth};
use crate::identification::Stage;
use crate::monitoring::RiskType;
use crate::standard::ResolvedStandard;
use crate::visit::Position;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

code_list!(
    /// 提示事项类别. Ours; the order of the printed list.
    TaskKind {
        ProcedureStep = 1 => "程序环节到期", "procedure step due";
        LeadToVerify = 2 => "线索待核实", "lead to verify";
        MeasuresDue = 3 => "制定帮扶措施", "measures due";
        DevelopmentDue = 4 => "落实开发式帮扶", "development measure due";
        VisitDue = 5 => "走访", "visit due";
        EliminationPossible = 6 => "可启动风险消除", "elimination check possible";
        MeasureEnding = 7 => "措施本月到期", "measure ending this month";
    }
);

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItem {
    pub kind: TaskKind,
    pub household_no: String,
    /// 户主姓名
    pub head_name: String,
    /// the day it is due (before the month's first day: overdue)
    pub due: Date,
    /// who acts: a role or a position, and a person's name where one is paired
    pub who_zh: String,
    pub who_en: String,
    pub text_zh: String,
    pub text_en: String,
    /// the page to act on
    pub link: String,
}

impl TaskItem {
    /// Due before the first day of `month`.
    pub fn overdue_in(&self, month: YearMonth) -> bool {
        self.due < month.first_day()
    }
}

/// The 工作提示单 of a village and month, ordered by due day, kind and household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    pub village: String,
    pub month: YearMonth,
    pub items: Vec<TaskItem>,
}

impl TaskList {
    /// Items already overdue when the month begins.
    pub fn overdue(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.overdue_in(self.month))
            .count()
    }
    /// The kinds present, in order, with their items.
    pub fn by_kind(&self) -> Vec<(TaskKind, Vec<&TaskItem>)> {
        let mut groups: BTreeMap<TaskKind, Vec<&TaskItem>> = BTreeMap::new();
        for i in &self.items {
            groups.entry(i.kind).or_default().push(i);
        }
        groups.into_iter().collect()
    }
}

/// A household of the village as the list needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub head_name: String,
    /// 脱贫户 (the village secretary visits it monthly)
    pub post_poverty: bool,
    /// at least one member who can work
    pub has_labour: bool,
}

/// An open identification or elimination procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenProcedure {
    pub id: i64,
    pub household_no: String,
    pub stage: Stage,
    pub stage_due: Date,
    /// an elimination (风险消除) rather than an identification
    pub elimination: bool,
}

/// A lead waiting to be verified (待核实, not yet in a procedure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingLead {
    pub id: i64,
    pub household_no: String,
    pub risk: RiskType,
    pub due_on: Date,
}

/// A measure of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureFacts {
    pub id: i64,
    pub category: MeasureCategory,
    pub state: MeasureState,
    pub end: Option<Date>,
    pub content: String,
    pub responsible: String,
}

/// A case at risk (风险未消除).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenCase {
    pub id: i64,
    pub household_no: String,
    /// the day the county included it (the first of the identification month when unknown)
    pub identified_on: Date,
    pub whole_household_without_labour: bool,
    pub measures: Vec<MeasureFacts>,
    /// an elimination procedure of this case is open
    pub elimination_open: bool,
}

/// A person paired with a household during the month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingFacts {
    pub household_no: String,
    pub position: Position,
    pub person_name: String,
}

/// A visit recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitFacts {
    pub household_no: String,
    pub position: Position,
    pub on: Date,
}

/// The periods and days of the village's standard the list counts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRules {
    pub measures_days: i64,
    pub development_months: i64,
    pub elimination_min_months: i64,
    pub secretary_visit_months: i64,
    pub party_secretary_visit_months: i64,
    pub helper_visit_months: i64,
    pub doctor_visit_months: i64,
}

impl TaskRules {
    pub fn of(s: &ResolvedStandard) -> TaskRules {
        TaskRules {
            measures_days: s.measures_days,
            development_months: s.development_months,
            elimination_min_months: s.elimination_min_months,
            secretary_visit_months: s.secretary_visit_months,
            party_secretary_visit_months: s.party_secretary_visit_months,
            helper_visit_months: s.helper_visit_months,
            doctor_visit_months: s.doctor_visit_months,
        }
    }

    pub fn defaults() -> TaskRules {
        let d = crate::standard::StandardDefaults::DEFAULT;
        TaskRules {
            measures_days: d.measures_days,
            development_months: d.development_months,
            elimination_min_months: d.elimination_min_months,
            secretary_visit_months: d.secretary_visit_months,
            party_secretary_visit_months: d.party_secretary_visit_months,
            helper_visit_months: d.helper_visit_months,
            doctor_visit_months: d.doctor_visit_months,
        }
    }

    /// The period of a position's visit duty; `None` for a position without one (村干部).
    fn visit_months(&self, p: Position) -> Option<i64> {
        let months = match p {
            Position::VillageSecretary => self.secretary_visit_months,
            Position::TownshipSecretary => self.party_secretary_visit_months,
            Position::AssistancePerson => self.helper_visit_months,
            Position::FamilyDoctor => self.doctor_visit_months,
            Position::Cadre => return None,
        };
        Some(months.max(1))
    }
}

/// Everything of one village the list is made from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VillageInputs {
    pub village: String,
    pub households: BTreeMap<String, HouseholdFacts>,
    pub procedures: Vec<OpenProcedure>,
    pub leads: Vec<PendingLead>,
    pub cases: Vec<OpenCase>,
    pub pairings: Vec<PairingFacts>,
    /// visits since the start of the longest visit period that contains the month
    pub visits: Vec<VisitFacts>,
    /// the users who hold the village's 村党支部书记 and its township's 乡镇党委书记 position
    /// (`user_positions`), by name
    pub secretaries: Vec<(Position, String)>,
}

/// The last day of a month.
pub fn last_day(month: YearMonth) -> Date {
    month
        .first_day()
        .add_days(i64::from(days_in_month(month.year(), month.month())) - 1)
}

/// `months` calendar months after `from`, on the same day or the month's last when shorter
/// (2026-08-31 + 6 months = 2027-02-28).
pub fn add_months(from: Date, months: i64) -> Date {
    let index = i64::from(from.year()) * 12 + i64::from(from.month()) - 1 + months;
    let year = index.div_euclid(12) as i32;
    let month = (index.rem_euclid(12) + 1) as u8;
    let day = from.day().min(days_in_month(year, month));
    Date::new(year, month, day).unwrap_or(from)
}

/// The calendar period of `months` months that holds `month`, counted from January (6 months:
/// January–June and July–December): its first and last day.
pub fn visit_period(month: YearMonth, months: i64) -> (Date, Date) {
    let months = months.clamp(1, 12);
    let m0 = i64::from(month.month()) - 1;
    let start = m0 - m0 % months;
    let first = YearMonth::new(month.year(), (start + 1) as u8).unwrap_or(month);
    let end_index = (start + months - 1).min(11);
    let last = YearMonth::new(month.year(), (end_index + 1) as u8).unwrap_or(month);
    (first.first_day(), last_day(last))
}

/// The earliest day the inputs must reach back to for visits: the start of the longest period.
pub fn visits_since(month: YearMonth, rules: &TaskRules) -> Date {
    Position::ALL
        .iter()
        .filter_map(|p| rules.visit_months(*p))
        .map(|months| visit_period(month, months).0)
        .min()
        .unwrap_or(month.first_day())
}

fn md(d: Date) -> String {
    format!("{}月{}日", d.month(), d.day())
}

fn role_words(r: Role) -> (String, String) {
    let (zh, en) = match r {
        Role::Village => ("村级", "village"),
        Role::Township => ("乡镇", "township"),
        Role::County => ("县级", "county"),
        _ => ("管理员", "administrator"),
    };
    (zh.into(), en.into())
}

/// The 工作提示单 of `inputs`' village for `month`.
pub fn build(inputs: &VillageInputs, month: YearMonth, rules: &TaskRules) -> TaskList {
    let first = month.first_day();
    let last = last_day(month);
    let head = |no: &str| {
        inputs
            .households
            .get(no)
            .map(|h| h.head_name.clone())
            .unwrap_or_default()
    };
    let mut items = Vec::new();
    let mut push = |kind, no: &str, due, who: (String, String), zh: String, en: String, link| {
        items.push(TaskItem {
            kind,
            household_no: no.to_string(),
            head_name: head(no),
            due,
            who_zh: who.0,
            who_en: who.1,
            text_zh: zh,
            text_en: en,
            link,
        })
    };

    for p in &inputs.procedures {
        let Some(owner) = p.stage.owner() else {
            continue;
        };
        if p.stage_due > last {
            continue;
        }
        let (what_zh, what_en) = if p.elimination {
            ("风险消除", "elimination")
        } else {
            ("识别认定", "identification")
        };
        push(
            TaskKind::ProcedureStep,
            &p.household_no,
            p.stage_due,
            role_words(owner),
            format!(
                "{what_zh}“{}”环节{}到期",
                p.stage.label_zh(),
                md(p.stage_due)
            ),
            format!(
                "{what_en} step '{}' due on {}",
                p.stage.label_en(),
                p.stage_due
            ),
            format!("/identifications/{}", p.id),
        );
    }

    for l in &inputs.leads {
        if l.due_on > last {
            continue;
        }
        push(
            TaskKind::LeadToVerify,
            &l.household_no,
            l.due_on,
            role_words(Role::Village),
            format!(
                "核实“{}”风险线索，{}前完成",
                l.risk.label_zh(),
                md(l.due_on)
            ),
            format!("verify the lead ({}) by {}", l.risk.label_en(), l.due_on),
            format!("/leads/{}", l.id),
        );
    }

    for c in &inputs.cases {
        // the plan page (一户一策) is where measures are entered and ended
        let link = format!("/cases/{}/plan", c.id);
        let facts = inputs.households.get(&c.household_no);
        if c.measures.is_empty() {
            let due = c.identified_on.add_days(rules.measures_days);
            if due <= last {
                push(
                    TaskKind::MeasuresDue,
                    &c.household_no,
                    due,
                    role_words(Role::Village),
                    format!(
                        "{}纳入监测，须在{}天内（{}前）落实帮扶措施",
                        c.identified_on,
                        rules.measures_days,
                        md(due)
                    ),
                    format!(
                        "included on {}: measures are due within {} days, by {}",
                        c.identified_on, rules.measures_days, due
                    ),
                    link.clone(),
                );
            }
        }
        let development = c
            .measures
            .iter()
            .any(|m| m.category.is_development() && m.state != MeasureState::Ended);
        if facts.is_some_and(|h| h.has_labour) && !development {
            let due = add_months(c.identified_on, rules.development_months);
            if due <= last {
                push(
                    TaskKind::DevelopmentDue,
                    &c.household_no,
                    due,
                    role_words(Role::Village),
                    format!(
                        "有劳动能力，纳入监测满{}个月（{}）仍无产业、就业、金融或公益岗位帮扶",
                        rules.development_months,
                        md(due)
                    ),
                    format!(
                        "has labour and no farming, employment, finance or public-welfare-job measure {} months after inclusion ({})",
                        rules.development_months, due
                    ),
                    link.clone(),
                );
            }
        }
        let possible_from = add_months(c.identified_on, rules.elimination_min_months);
        if possible_from <= last && !c.whole_household_without_labour && !c.elimination_open {
            let due = possible_from.max(first);
            push(
                TaskKind::EliminationPossible,
                &c.household_no,
                due,
                role_words(Role::Village),
                format!(
                    "纳入监测已满{}个月（{}起），可核查风险消除条件",
                    rules.elimination_min_months,
                    possible_from
                ),
                format!(
                    "{} months since inclusion (from {}): the elimination conditions may be checked",
                    rules.elimination_min_months, possible_from
                ),
                format!("/cases/{}/elimination", c.id),
            );
        }
        for m in &c.measures {
            let Some(end) = m.end else { continue };
            if m.state == MeasureState::Ended || end < first || end > last {
                continue;
            }
            let who = if m.responsible.trim().is_empty() {
                role_words(Role::Village)
            } else {
                (m.responsible.clone(), m.responsible.clone())
            };
            push(
                TaskKind::MeasureEnding,
                &c.household_no,
                end,
                who,
                format!(
                    "“{}”措施“{}”{}到期，核实成效、决定续接或结束",
                    m.category.label_zh(),
                    m.content,
                    md(end)
                ),
                format!(
                    "the {} measure '{}' ends on {}: check what it achieved, extend or end it",
                    m.category.label_en(),
                    m.content,
                    end
                ),
                link.clone(),
            );
        }
    }

    // visit duties: (household, position) → the person's name, if paired
    let at_risk: BTreeSet<&str> = inputs
        .cases
        .iter()
        .map(|c| c.household_no.as_str())
        .collect();
    let holder = |position: Position| {
        inputs
            .secretaries
            .iter()
            .filter(|(p, _)| *p == position)
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let (village_secretary, township_secretary) = (
        holder(Position::VillageSecretary),
        holder(Position::TownshipSecretary),
    );
    let mut duties: BTreeMap<(&str, Position), String> = BTreeMap::new();
    for (no, h) in &inputs.households {
        if h.post_poverty || at_risk.contains(no.as_str()) {
            duties.insert(
                (no.as_str(), Position::VillageSecretary),
                village_secretary.clone(),
            );
        }
    }
    for no in &at_risk {
        duties.insert(
            (no, Position::TownshipSecretary),
            township_secretary.clone(),
        );
    }
    for p in &inputs.pairings {
        if matches!(
            p.position,
            Position::AssistancePerson | Position::FamilyDoctor
        ) {
            let names = duties
                .entry((p.household_no.as_str(), p.position))
                .or_default();
            if !names.is_empty() {
                names.push('、');
            }
            names.push_str(&p.person_name);
        }
    }
    let visited: BTreeMap<(&str, Position), Vec<Date>> =
        inputs.visits.iter().fold(BTreeMap::new(), |mut acc, v| {
            acc.entry((v.household_no.as_str(), v.position))
                .or_insert_with(Vec::new)
                .push(v.on);
            acc
        });
    for ((no, position), names) in &duties {
        let Some(months) = rules.visit_months(*position) else {
            continue;
        };
        let (from, until) = visit_period(month, months);
        let done = visited
            .get(&(*no, *position))
            .is_some_and(|days| days.iter().any(|d| *d >= from && *d <= until));
        if done {
            continue;
        }
        let who = if names.is_empty() {
            (
                position.label_zh().to_string(),
                position.label_en().to_string(),
            )
        } else {
            (
                format!("{} {names}", position.label_zh()),
                format!("{} {names}", position.label_en()),
            )
        };
        let (every_zh, every_en) = if months == 1 {
            ("每月".to_string(), "monthly".to_string())
        } else {
            (format!("每{months}个月"), format!("every {months} months"))
        };
        push(
            TaskKind::VisitDue,
            no,
            until,
            who,
            format!(
                "{}{every_zh}走访一次，本期（{}至{}）尚未走访",
                position.label_zh(),
                from,
                until
            ),
            format!(
                "the {} visits {every_en}; no visit yet in {}–{}",
                position.label_en(),
                from,
                until
            ),
            format!("/visits/new?household={no}"),
        );
    }

    // stable: within a household and day, in the order pushed (a position's duties by position)
    items.sort_by(|a, b| (a.due, a.kind, &a.household_no).cmp(&(b.due, b.kind, &b.household_no)));
    TaskList {
        village: inputs.village.clone(),
        month,
        items,
    }
}

#[cfg(test)]
mod tests;
