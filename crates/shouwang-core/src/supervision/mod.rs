//! 督导: overdue work, visit compliance, measure coverage and the supervision ranking (issue 16, helper B).
//!
//! Seed 003 (文峰乡): "每月末乡督导考核办根据本月重点任务清单，对各村任务完成情况进行督导，乡村振兴办
//! 结合工作完成质量进行当月考核排序". A township (or county) ranks its villages each month on four
//! components, each a share between 0 and 1 of what was owed, weighted by the region's weights:
//!
//! - 按期办结 (deadline keeping): of the work whose clock ended in the month (leads to verify,
//!   identification stages, self-reports to accept), the share kept within its clock;
//! - 走访落实 (visit compliance): of the visits owed in the duty periods holding the month's last
//!   day, the share made;
//! - 措施覆盖 (measure coverage): of the cases at risk, the share with a measure in place;
//! - 数据质量 (data quality): one less the open findings per household (never below 0).
//!
//! A component with nothing owed (no work due, no case at risk) scores full marks and says so.
//! The score is the weighted mean in thousandths (0–1000, shown as points out of 100 with one
//! decimal). Equal scores share a rank (1, 2, 2, 4), listed by village code. Pure: the inputs
//! come from the store, the result is what the store freezes for an ended month.

pub mod tables;

use crate::date::{Date, YearMonth};
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};

/// The four components of the ranking, in their order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Component {
    Deadline,
    Visits,
    Measures,
    Quality,
}

impl Component {
    pub const ALL: [Component; 4] = [
        Component::Deadline,
        Component::Visits,
        Component::Measures,
        Component::Quality,
    ];
    pub fn label_zh(self) -> &'static str {
        match self {
            Component::Deadline => "按期办结",
            Component::Visits => "走访落实",
            Component::Measures => "措施覆盖",
            Component::Quality => "数据质量",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Component::Deadline => "deadlines kept",
            Component::Visits => "visits made",
            Component::Measures => "measure coverage",
            Component::Quality => "data quality",
        }
    }
    /// The form field and the weight's name.
    pub fn slug(self) -> &'static str {
        match self {
            Component::Deadline => "deadline",
            Component::Visits => "visits",
            Component::Measures => "measures",
            Component::Quality => "quality",
        }
    }
    /// What the numerator and denominator count, in words.
    pub fn inputs_zh(self) -> (&'static str, &'static str) {
        match self {
            Component::Deadline => ("按期办结事项", "本月到期事项"),
            Component::Visits => ("已走访", "应走访"),
            Component::Measures => ("有在落实措施的户", "风险未消除户"),
            Component::Quality => ("数据问题", "户数"),
        }
    }
    pub fn inputs_en(self) -> (&'static str, &'static str) {
        match self {
            Component::Deadline => ("kept", "due this month"),
            Component::Visits => ("made", "owed"),
            Component::Measures => ("with a measure in place", "cases at risk"),
            Component::Quality => ("findings", "households"),
        }
    }
}

/// The weights of the four components: whole numbers 0–100, at least one above 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub deadline: u32,
    pub visits: u32,
    pub measures: u32,
    pub quality: u32,
}

impl Default for Weights {
    /// 30 / 30 / 20 / 20: the work done (deadlines, visits) first, as seed 003 ranks "任务完成情况"
    /// then "工作完成质量".
    fn default() -> Weights {
        Weights {
            deadline: 30,
            visits: 30,
            measures: 20,
            quality: 20,
        }
    }
}

/// The largest weight a component may have.
pub const MAX_WEIGHT: u32 = 100;

impl Weights {
    pub fn of(&self, c: Component) -> u32 {
        match c {
            Component::Deadline => self.deadline,
            Component::Visits => self.visits,
            Component::Measures => self.measures,
            Component::Quality => self.quality,
        }
    }
    pub fn total(&self) -> u32 {
        Component::ALL.iter().map(|c| self.of(*c)).sum()
    }
    /// Refuses a weight above [`MAX_WEIGHT`] and weights that are all zero.
    pub fn check(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for c in Component::ALL {
            if self.of(c) > MAX_WEIGHT {
                out.push(Problem::new(
                    ProblemCode::RankingWeightInvalid,
                    c.slug(),
                    format!("{}的权重应为0到{MAX_WEIGHT}的整数", c.label_zh()),
                    format!(
                        "the weight of {} must be a whole number from 0 to {MAX_WEIGHT}",
                        c.label_en()
                    ),
                ));
            }
        }
        if out.is_empty() && self.total() == 0 {
            out.push(Problem::new(
                ProblemCode::RankingWeightInvalid,
                "deadline",
                "至少一项权重应大于0",
                "at least one weight must be above 0",
            ));
        }
        out
    }
}

/// What a village did in the month: the inputs of its score.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageFacts {
    /// the village's code (a township's, in a township row)
    pub code: String,
    pub name: String,
    /// work whose clock ended in the month, and how much of it was kept
    pub deadline_due: u64,
    pub deadline_kept: u64,
    /// visits owed in the duty periods, and made
    pub visits_due: u64,
    pub visits_done: u64,
    /// cases at risk, and those with a measure in place
    pub cases_at_risk: u64,
    pub cases_covered: u64,
    /// households, and their open data-quality findings
    pub households: u64,
    pub findings: u64,
}

impl VillageFacts {
    /// (numerator, denominator) of a component.
    pub fn inputs(&self, c: Component) -> (u64, u64) {
        match c {
            Component::Deadline => (self.deadline_kept, self.deadline_due),
            Component::Visits => (self.visits_done, self.visits_due),
            Component::Measures => (self.cases_covered, self.cases_at_risk),
            Component::Quality => (self.findings, self.households),
        }
    }
    /// Adds another's counts (a township's facts are its villages' summed).
    pub fn add(&mut self, o: &VillageFacts) {
        self.deadline_due += o.deadline_due;
        self.deadline_kept += o.deadline_kept;
        self.visits_due += o.visits_due;
        self.visits_done += o.visits_done;
        self.cases_at_risk += o.cases_at_risk;
        self.cases_covered += o.cases_covered;
        self.households += o.households;
        self.findings += o.findings;
    }
}

/// One component of a score, explained: its inputs, its share in thousandths, its weight and
/// the points it adds to the total (thousandths of the whole).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub component: Component,
    pub numerator: u64,
    pub denominator: u64,
    /// 0–1000
    pub share: u32,
    pub weight: u32,
    /// weight × share ÷ total weight, 0–1000
    pub points: u32,
    /// nothing was owed: full marks
    pub nothing_owed: bool,
}

/// The share (thousandths, rounded half up) of a component's inputs.
pub fn share(c: Component, numerator: u64, denominator: u64) -> (u32, bool) {
    if denominator == 0 {
        return (1000, true);
    }
    let ratio = (numerator.min(denominator) * 2000 + denominator) / (2 * denominator);
    match c {
        Component::Quality => {
            // one less the findings per household, never below 0
            let per = (numerator * 2000 + denominator) / (2 * denominator);
            (1000u64.saturating_sub(per) as u32, false)
        }
        _ => (ratio as u32, false),
    }
}

/// A village's (or township's) score: the parts and the total, 0–1000.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub facts: VillageFacts,
    pub parts: Vec<Part>,
    pub total: u32,
    /// 1 the best; equal totals share a rank
    pub rank: u32,
}

/// Scores one village's facts under `weights` (which [`Weights::check`] accepted).
pub fn score(facts: &VillageFacts, weights: &Weights) -> (Vec<Part>, u32) {
    let sum = u64::from(weights.total().max(1));
    let mut weighted = 0u64;
    let mut parts = Vec::with_capacity(4);
    for c in Component::ALL {
        let (n, d) = facts.inputs(c);
        let (share, nothing_owed) = share(c, n, d);
        let w = weights.of(c);
        weighted += u64::from(w) * u64::from(share);
        parts.push(Part {
            component: c,
            numerator: n,
            denominator: d,
            share,
            weight: w,
            points: ((u64::from(w) * u64::from(share) * 2 + sum) / (2 * sum)) as u32,
            nothing_owed,
        });
    }
    let total = ((weighted * 2 + sum) / (2 * sum)) as u32;
    (parts, total)
}

/// Scores and ranks: the best first; equal totals share a rank and are listed by code.
pub fn rank(facts: Vec<VillageFacts>, weights: &Weights) -> Vec<Scored> {
    let mut out: Vec<Scored> = facts
        .into_iter()
        .map(|f| {
            let (parts, total) = score(&f, weights);
            Scored {
                facts: f,
                parts,
                total,
                rank: 0,
            }
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then(a.facts.code.cmp(&b.facts.code)));
    let mut last: Option<(u32, u32)> = None;
    for (i, s) in out.iter_mut().enumerate() {
        let r = match last {
            Some((total, r)) if total == s.total => r,
            _ => i as u32 + 1,
        };
        s.rank = r;
        last = Some((s.total, r));
    }
    out
}

/// The townships of `villages`, each its villages' facts summed: `(township code, name)`
/// given, the township of a village being the first nine digits of its code.
pub fn townships(
    villages: &[VillageFacts],
    names: &[(String, String)],
    weights: &Weights,
) -> Vec<Scored> {
    let mut sums: Vec<VillageFacts> = names
        .iter()
        .map(|(code, name)| VillageFacts {
            code: code.clone(),
            name: name.clone(),
            ..VillageFacts::default()
        })
        .collect();
    for v in villages {
        if let Some(t) = sums.iter_mut().find(|t| v.code.starts_with(&t.code)) {
            t.add(v);
        }
    }
    rank(sums, weights)
}

/// A month's ranking of a county's or township's villages (and a county's townships).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    /// the county or township ranked
    pub region: String,
    pub region_name: String,
    pub month: YearMonth,
    /// the day the inputs are taken on: the month's last day, or today in the current month
    pub as_of: Date,
    pub weights: Weights,
    pub villages: Vec<Scored>,
    /// a county's townships (none in a township's ranking)
    pub townships: Vec<Scored>,
}

/// The day a month's ranking is taken on: its last day once it ended, else today.
pub fn as_of(month: YearMonth, today: Date) -> Date {
    let end = month_end(month);
    end.min(today)
}

/// The last day of a month.
pub fn month_end(month: YearMonth) -> Date {
    let first = month.first_day();
    Date::new(
        first.year(),
        first.month(),
        crate::date::days_in_month(first.year(), first.month()),
    )
    .unwrap_or(first)
}

/// Whether a month ended before `today` (its ranking is then frozen when first read).
pub fn ended(month: YearMonth, today: Date) -> bool {
    month_end(month) < today
}

/// Builds a ranking from the villages' facts.
pub fn build(
    region: &str,
    region_name: &str,
    month: YearMonth,
    today: Date,
    weights: Weights,
    villages: Vec<VillageFacts>,
    township_names: &[(String, String)],
) -> Ranking {
    let townships = if township_names.is_empty() {
        Vec::new()
    } else {
        townships(&villages, township_names, &weights)
    };
    Ranking {
        region: region.to_string(),
        region_name: region_name.to_string(),
        month,
        as_of: as_of(month, today),
        weights,
        villages: rank(villages, &weights),
        townships,
    }
}

/// "83.5" of a score in thousandths (points out of 100, one decimal).
pub fn points(thousandths: u32) -> String {
    format!("{}.{}", thousandths / 10, thousandths % 10)
}

/// "80.0%" of a share in thousandths.
pub fn percent(thousandths: u32) -> String {
    format!("{}.{}%", thousandths / 10, thousandths % 10)
}

/// A part in words: "按期办结 12/15 = 80.0%，权重 30，得 24.0 分".
pub fn explain(p: &Part, en: bool) -> String {
    let (num, den) = if en {
        p.component.inputs_en()
    } else {
        p.component.inputs_zh()
    };
    match (en, p.nothing_owed) {
        (false, true) => format!(
            "{}：无{den}，计满分；权重 {}，得 {} 分",
            p.component.label_zh(),
            p.weight,
            points(p.points)
        ),
        (true, true) => format!(
            "{}: no {den}, full marks; weight {}, {} points",
            p.component.label_en(),
            p.weight,
            points(p.points)
        ),
        (false, false) if p.component == Component::Quality => format!(
            "{}：{num} {} / {den} {}，得分率 {}；权重 {}，得 {} 分",
            p.component.label_zh(),
            p.numerator,
            p.denominator,
            percent(p.share),
            p.weight,
            points(p.points)
        ),
        (true, false) if p.component == Component::Quality => format!(
            "{}: {} {num} / {} {den}, rate {}; weight {}, {} points",
            p.component.label_en(),
            p.numerator,
            p.denominator,
            percent(p.share),
            p.weight,
            points(p.points)
        ),
        (false, false) => format!(
            "{}：{num} {} / {den} {} = {}；权重 {}，得 {} 分",
            p.component.label_zh(),
            p.numerator,
            p.denominator,
            percent(p.share),
            p.weight,
            points(p.points)
        ),
        (true, false) => format!(
            "{}: {} {num} / {} {den} = {}; weight {}, {} points",
            p.component.label_en(),
            p.numerator,
            p.denominator,
            percent(p.share),
            p.weight,
            points(p.points)
        ),
    }
}

#[cfg(test)]
mod tests;
