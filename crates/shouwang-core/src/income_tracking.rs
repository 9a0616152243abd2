//! 促增收: income growth of 脱贫 and monitored persons, and the low-income ledger (issue 16 §3).
//!
//! What a county must show, in its officers' words (seeds 002 and 004):
//!
//! * 脱贫人口和监测对象人均纯收入增速高于本地农村居民人均可支配收入增速: the per-capita net income
//!   of 脱贫 and monitored persons grows faster than the rural per-capita disposable income (the
//!   standard's `rural_income_growth_permille`), in total and by kind (工资性, 生产经营性, 财产性,
//!   转移性);
//! * 收入下降的脱贫户占比低于上年: fewer households see their income fall;
//! * 紧盯"人均纯收入低于1万元的脱贫人口" … 建立工作台账，安排专人包保 … 实行销号管理: a ledger of
//!   households below 10,000 元 (`low_income_watch`) and below the county's target (`income_target`,
//!   e.g. 8,500 元), each with its responsible person, kept until it is cleared (销号).
//!
//! The arithmetic, so that a sheet can be checked by hand:
//!
//! * a household's income of a year ([`year_income`]) is its whole-year ledger row, or else its
//!   four quarters of that year added up; nothing else (another year's row would fake a growth);
//! * a group's per-capita net income is the group's summed 家庭纯收入 ÷ the group's summed 家庭人口
//!   (persons living in the household now), rounded half away from zero to the 分 — the
//!   statistical 人均, not an average of per-capita figures; by kind the same with the kind's sum
//!   (生产经营性 gross, as the collection form has it, with 生产经营性支出 beside it);
//! * growth compares the **same households** (可比口径): those with an income of both years, each
//!   with today's size in both years; growth ‰ = (this year − last year) × 1000 ÷ last year,
//!   rounded half away from zero, none when last year's figure is not above zero;
//! * a household's income fell when its 家庭纯收入 of the year is below the year before's (with one
//!   size for both years this is the same as its per-capita figure falling); the share is of the
//!   comparable households;
//! * the groups: 脱贫人口 (a 脱贫户, any household type but 一般农户), 监测对象 (a household with a
//!   monitoring case identified by the year's end, eliminated or not — 监测对象 counts them all)
//!   and 合计 (either: "脱贫人口（含监测对象）").
//!
//! No IO here: the store gathers one [`HouseholdYear`] per household, this module counts.

use crate::date::Date;
use crate::income::{per_capita, Income, IncomePeriod};
use crate::money::Fen;
use crate::problem::{Problem, ProblemCode};
use crate::region::RegionCode;
use crate::standard::ResolvedStandard;
use serde::Serialize;
use std::collections::BTreeMap;

/// The four income kinds (四项收入) the county tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum IncomeKind {
    /// 工资性收入
    Wages,
    /// 生产经营性收入
    Business,
    /// 财产性收入
    Property,
    /// 转移性收入
    Transfers,
}

impl IncomeKind {
    pub const ALL: [IncomeKind; 4] = [
        IncomeKind::Wages,
        IncomeKind::Business,
        IncomeKind::Property,
        IncomeKind::Transfers,
    ];
    pub fn label_zh(self) -> &'static str {
        match self {
            IncomeKind::Wages => "工资性收入",
            IncomeKind::Business => "生产经营性收入",
            IncomeKind::Property => "财产性收入",
            IncomeKind::Transfers => "转移性收入",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            IncomeKind::Wages => "wages",
            IncomeKind::Business => "business income",
            IncomeKind::Property => "property income",
            IncomeKind::Transfers => "transfers",
        }
    }
    /// The amount of this kind in a record.
    pub fn of(self, i: &Income) -> Fen {
        match self {
            IncomeKind::Wages => i.wages,
            IncomeKind::Business => i.business,
            IncomeKind::Property => i.property,
            IncomeKind::Transfers => i.transfers,
        }
    }
}

/// Whose incomes a figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Group {
    /// 脱贫人口: members of 脱贫户
    PostPoverty,
    /// 监测对象: members of households with a monitoring case
    Monitored,
    /// 合计: either ("脱贫人口（含监测对象）")
    All,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::PostPoverty, Group::Monitored, Group::All];
    pub fn label_zh(self) -> &'static str {
        match self {
            Group::PostPoverty => "脱贫人口",
            Group::Monitored => "监测对象",
            Group::All => "合计（脱贫人口含监测对象）",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Group::PostPoverty => "post-poverty persons",
            Group::Monitored => "monitored persons",
            Group::All => "total (either)",
        }
    }
    /// The name in links and the CLI: `post_poverty`, `monitored`, `all`.
    pub fn key(self) -> &'static str {
        match self {
            Group::PostPoverty => "post_poverty",
            Group::Monitored => "monitored",
            Group::All => "all",
        }
    }
    pub fn parse(key: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.key() == key)
    }
}

/// The income of `year` from a household's records: the whole-year row, or else the four
/// quarters of the year added up (all four recorded); otherwise `None`.
pub fn year_income(records: &[Income], year: i32) -> Option<Income> {
    if let Some(r) = records
        .iter()
        .find(|r| r.period == IncomePeriod::year(year))
    {
        return Some(*r);
    }
    let mut sum = Income::empty(IncomePeriod::year(year));
    for q in 1..=4 {
        let r = records
            .iter()
            .find(|r| r.period == IncomePeriod::quarter(year, q))?;
        sum = sum.plus(r);
    }
    Some(sum)
}

/// What the report needs of one household for one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdYear {
    pub household_no: String,
    pub village: RegionCode,
    /// 户主姓名 (empty without a head)
    pub head_name: String,
    /// 家庭人口: living members now
    pub size: i64,
    /// a 脱贫户
    pub post_poverty: bool,
    /// has a monitoring case identified by the year's end
    pub monitored: bool,
    /// 低保 or 特困供养
    pub safeguarded: bool,
    /// the year's income ([`year_income`])
    pub current: Option<Income>,
    /// the year before's
    pub previous: Option<Income>,
}

impl HouseholdYear {
    pub fn in_group(&self, g: Group) -> bool {
        match g {
            Group::PostPoverty => self.post_poverty,
            Group::Monitored => self.monitored,
            Group::All => self.post_poverty || self.monitored,
        }
    }
    /// 人均纯收入 of the year.
    pub fn per_capita(&self) -> Option<Fen> {
        self.current
            .and_then(|i| per_capita(i.net_income(), self.size))
    }
    /// 人均纯收入 of the year before (today's size).
    pub fn previous_per_capita(&self) -> Option<Fen> {
        self.previous
            .and_then(|i| per_capita(i.net_income(), self.size))
    }
    /// Both years known and a size to divide by.
    pub fn comparable(&self) -> bool {
        self.size > 0 && self.current.is_some() && self.previous.is_some()
    }
    /// Its income fell: both years known and this year's net income below last year's.
    pub fn fell(&self) -> bool {
        match (self.comparable(), self.current, self.previous) {
            (true, Some(c), Some(p)) => c.net_income() < p.net_income(),
            _ => false,
        }
    }
}

/// Sums over households: how many, their persons and their amounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub households: u64,
    pub persons: i64,
    pub wages: Fen,
    pub business: Fen,
    pub property: Fen,
    pub transfers: Fen,
    pub production_costs: Fen,
    /// 家庭纯收入 summed
    pub net: Fen,
}

impl Totals {
    /// Adds a household of `size` persons with income `i`.
    pub fn add(&mut self, size: i64, i: &Income) {
        let add = |a: Fen, b: Fen| Fen(a.0.saturating_add(b.0));
        self.households += 1;
        self.persons = self.persons.saturating_add(size);
        self.wages = add(self.wages, i.wages);
        self.business = add(self.business, i.business);
        self.property = add(self.property, i.property);
        self.transfers = add(self.transfers, i.transfers);
        self.production_costs = add(self.production_costs, i.production_costs);
        self.net = add(self.net, i.net_income());
    }
    pub fn kind(&self, k: IncomeKind) -> Fen {
        match k {
            IncomeKind::Wages => self.wages,
            IncomeKind::Business => self.business,
            IncomeKind::Property => self.property,
            IncomeKind::Transfers => self.transfers,
        }
    }
    /// 人均纯收入 of the households together; `None` without persons.
    pub fn net_per_capita(&self) -> Option<Fen> {
        per_capita(self.net, self.persons)
    }
    /// Per-capita amount of one kind.
    pub fn kind_per_capita(&self, k: IncomeKind) -> Option<Fen> {
        per_capita(self.kind(k), self.persons)
    }
    /// Per-capita 生产经营性支出.
    pub fn costs_per_capita(&self) -> Option<Fen> {
        per_capita(self.production_costs, self.persons)
    }
}

/// Growth from `previous` to `current` in ‰, rounded half away from zero; `None` when
/// `previous` is not above zero (no base to grow from).
pub fn growth_permille(previous: Fen, current: Fen) -> Option<i64> {
    if previous.0 <= 0 {
        return None;
    }
    let diff = i128::from(current.0) - i128::from(previous.0);
    let base = i128::from(previous.0);
    let scaled = diff * 1000;
    let q = scaled / base;
    let r = scaled % base;
    let round = if 2 * r.abs() >= base { r.signum() } else { 0 };
    i64::try_from(q + round).ok()
}

/// `part` of `whole` in ‰, rounded half up; `None` for an empty whole.
pub fn share_permille(part: u64, whole: u64) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    let (p, w) = (u128::from(part), u128::from(whole));
    i64::try_from((p * 1000 * 2 + w) / (2 * w)).ok()
}

/// A permille as a percent with one decimal: 66 → `6.6%`.
pub fn permille_text(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{}%", a / 10, a % 10)
}

/// The figures of one group in one region and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupFigures {
    pub group: Group,
    /// every household of the group with an income of the year
    pub current: Totals,
    /// the comparable households (both years), this year
    pub comparable: Totals,
    /// the same households, last year
    pub comparable_previous: Totals,
    /// comparable households whose income fell
    pub fell: u64,
}

impl GroupFigures {
    fn new(group: Group) -> GroupFigures {
        GroupFigures {
            group,
            current: Totals::default(),
            comparable: Totals::default(),
            comparable_previous: Totals::default(),
            fell: 0,
        }
    }
    fn add(&mut self, h: &HouseholdYear) {
        if let Some(c) = &h.current {
            self.current.add(h.size, c);
        }
        if let (true, Some(c), Some(p)) = (h.comparable(), &h.current, &h.previous) {
            self.comparable.add(h.size, c);
            self.comparable_previous.add(h.size, p);
            if h.fell() {
                self.fell += 1;
            }
        }
    }
    /// Growth of per-capita net income on the comparable households, ‰.
    pub fn growth_permille(&self) -> Option<i64> {
        growth_permille(
            self.comparable_previous.net_per_capita()?,
            self.comparable.net_per_capita()?,
        )
    }
    /// Growth of one kind's per-capita amount on the comparable households, ‰.
    pub fn kind_growth_permille(&self, k: IncomeKind) -> Option<i64> {
        growth_permille(
            self.comparable_previous.kind_per_capita(k)?,
            self.comparable.kind_per_capita(k)?,
        )
    }
    /// Whether the growth beats the rural growth parameter; `None` without a growth.
    pub fn beats(&self, rural_growth_permille: i64) -> Option<bool> {
        self.growth_permille().map(|g| g > rural_growth_permille)
    }
    /// Share of comparable households whose income fell, ‰.
    pub fn fell_permille(&self) -> Option<i64> {
        share_permille(self.fell, self.comparable.households)
    }
}

/// The three groups' figures over `households` (those of the group with an income count).
pub fn figures<'a>(households: impl IntoIterator<Item = &'a HouseholdYear>) -> Vec<GroupFigures> {
    let mut out: Vec<GroupFigures> = Group::ALL.into_iter().map(GroupFigures::new).collect();
    for h in households {
        for f in out.iter_mut() {
            if h.in_group(f.group) {
                f.add(h);
            }
        }
    }
    out
}

/// The figures of each sub-region (the code of a household's village cut to `child_len`
/// digits: 9 for townships, 12 for villages), in code order.
pub fn figures_by_subregion(
    households: &[HouseholdYear],
    child_len: usize,
) -> Vec<(String, Vec<GroupFigures>)> {
    let mut by: BTreeMap<String, Vec<&HouseholdYear>> = BTreeMap::new();
    for h in households {
        let code = h.village.as_str();
        let key = code.get(..child_len).unwrap_or(code).to_string();
        by.entry(key).or_default().push(h);
    }
    by.into_iter().map(|(k, hs)| (k, figures(hs))).collect()
}

/// The thresholds of the year's standard that the tracking uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// 农村居民人均可支配收入增速, ‰
    pub rural_growth_permille: i64,
    /// 低收入监测线 (10,000 元)
    pub watch: Fen,
    /// 县定目标 (8,500 元)
    pub target: Fen,
}

impl Thresholds {
    pub fn of(s: &ResolvedStandard) -> Thresholds {
        Thresholds {
            rural_growth_permille: s.rural_income_growth_permille,
            watch: s.low_income_watch,
            target: s.income_target,
        }
    }
}

/// Why a household is on the low-income ledger. Stored as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum LowIncomeBand {
    /// 低于县定目标 (below the county's target, e.g. 8,500 元)
    BelowTarget,
    /// 低于低收入监测线 (below 10,000 元, at or above the target)
    BelowWatch,
}

impl LowIncomeBand {
    pub const ALL: [LowIncomeBand; 2] = [LowIncomeBand::BelowTarget, LowIncomeBand::BelowWatch];
    pub fn code(self) -> i64 {
        match self {
            LowIncomeBand::BelowTarget => 1,
            LowIncomeBand::BelowWatch => 2,
        }
    }
    pub fn from_code(code: i64) -> Option<LowIncomeBand> {
        LowIncomeBand::ALL.into_iter().find(|b| b.code() == code)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            LowIncomeBand::BelowTarget => "低于县定目标",
            LowIncomeBand::BelowWatch => "低于低收入监测线",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            LowIncomeBand::BelowTarget => "below the county target",
            LowIncomeBand::BelowWatch => "below the low-income watch line",
        }
    }
}

/// The band of a per-capita net income, `None` at or above the watch line.
pub fn band(per_capita: Fen, t: &Thresholds) -> Option<LowIncomeBand> {
    if per_capita < t.target.min(t.watch) {
        Some(LowIncomeBand::BelowTarget)
    } else if per_capita < t.watch {
        Some(LowIncomeBand::BelowWatch)
    } else {
        None
    }
}

/// A household that belongs on the ledger: of the 合计 group, with a per-capita income of the
/// year below the watch line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerCandidate {
    pub household_no: String,
    pub village: RegionCode,
    pub band: LowIncomeBand,
    pub per_capita: Fen,
}

/// The households of `households` that belong on the ledger, in household-number order.
pub fn ledger_candidates<'a>(
    households: impl IntoIterator<Item = &'a HouseholdYear>,
    t: &Thresholds,
) -> Vec<LedgerCandidate> {
    let mut out: Vec<LedgerCandidate> = households
        .into_iter()
        .filter(|h| h.in_group(Group::All))
        .filter_map(|h| {
            let pc = h.per_capita()?;
            Some(LedgerCandidate {
                household_no: h.household_no.clone(),
                village: h.village.clone(),
                band: band(pc, t)?,
                per_capita: pc,
            })
        })
        .collect();
    out.sort_by(|a, b| a.household_no.cmp(&b.household_no));
    out
}

/// How an entry was cleared (销号方式). Stored as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClearMethod {
    /// 增收达标: the income now reaches the watch line
    IncomeRaised,
    /// 核实更正: the income was checked and corrected, and now reaches the line
    DataCorrected,
    /// 兜底保障: covered by 低保 or 特困供养
    Safeguarded,
    /// 户已注销: no member lives in the household any more
    HouseholdGone,
}

impl ClearMethod {
    pub const ALL: [ClearMethod; 4] = [
        ClearMethod::IncomeRaised,
        ClearMethod::DataCorrected,
        ClearMethod::Safeguarded,
        ClearMethod::HouseholdGone,
    ];
    pub fn code(self) -> i64 {
        match self {
            ClearMethod::IncomeRaised => 1,
            ClearMethod::DataCorrected => 2,
            ClearMethod::Safeguarded => 3,
            ClearMethod::HouseholdGone => 4,
        }
    }
    pub fn from_code(code: i64) -> Option<ClearMethod> {
        ClearMethod::ALL.into_iter().find(|m| m.code() == code)
    }
    /// The name in forms and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            ClearMethod::IncomeRaised => "income_raised",
            ClearMethod::DataCorrected => "data_corrected",
            ClearMethod::Safeguarded => "safeguarded",
            ClearMethod::HouseholdGone => "household_gone",
        }
    }
    pub fn parse(key: &str) -> Option<ClearMethod> {
        ClearMethod::ALL.into_iter().find(|m| m.key() == key)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ClearMethod::IncomeRaised => "增收达标",
            ClearMethod::DataCorrected => "核实更正收入",
            ClearMethod::Safeguarded => "纳入兜底保障",
            ClearMethod::HouseholdGone => "户已注销",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ClearMethod::IncomeRaised => "income raised above the line",
            ClearMethod::DataCorrected => "income checked and corrected",
            ClearMethod::Safeguarded => "covered by social assistance",
            ClearMethod::HouseholdGone => "household dissolved",
        }
    }
}

/// A clearing (销号) as asked: how, why in words, on which day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Clearing {
    pub method: ClearMethod,
    /// 销号说明: what was done, what was checked
    pub note: String,
    pub on: Date,
}

/// Longest accepted note.
pub const MAX_NOTE_CHARS: usize = 500;

/// Whether `c` may clear the entry of household `h` (its facts now, for the entry's year):
/// a note of at least two characters; an income reason needs the per-capita income at or
/// above the watch line; 兜底保障 needs 低保 or 特困; 户已注销 needs no living member.
pub fn check_clearing(c: &Clearing, h: &HouseholdYear, t: &Thresholds) -> Result<(), Problem> {
    let note = c.note.trim();
    if note.chars().count() < 2 || note.chars().count() > MAX_NOTE_CHARS {
        return Err(Problem::new(
            ProblemCode::IncomeTrackingNoteMissing,
            "note",
            format!("销号须写明做了什么、核实了什么（2至{MAX_NOTE_CHARS}字）"),
            format!("a clearing needs a note of what was done or checked (2 to {MAX_NOTE_CHARS} characters)"),
        ));
    }
    match c.method {
        ClearMethod::IncomeRaised | ClearMethod::DataCorrected => match h.per_capita() {
            Some(pc) if pc >= t.watch => Ok(()),
            pc => Err(Problem::new(
                ProblemCode::IncomeTrackingStillBelow,
                "method",
                format!(
                    "该户人均纯收入{}，仍低于低收入监测线 {} 元，不能以“{}”销号",
                    pc.map_or("未登记".to_string(), |p| format!("为 {} 元", crate::income::yuan_text(p))),
                    crate::income::yuan_text(t.watch),
                    c.method.label_zh()
                ),
                format!(
                    "the household's per-capita net income ({}) is still below the watch line of {} yuan",
                    pc.map_or("not recorded".to_string(), |p| format!("{} yuan", crate::income::yuan_text(p))),
                    crate::income::yuan_text(t.watch)
                ),
            )),
        },
        ClearMethod::Safeguarded if !h.safeguarded => Err(Problem::new(
            ProblemCode::IncomeTrackingNotSafeguarded,
            "method",
            "该户未登记低保或特困供养，不能以“纳入兜底保障”销号",
            "the household has neither the minimum living allowance nor extreme-poverty support recorded; it cannot be cleared as covered",
        )),
        ClearMethod::HouseholdGone if h.size > 0 => Err(Problem::new(
            ProblemCode::IncomeTrackingHouseholdLiving,
            "method",
            format!("该户仍有 {} 名在册成员，不能以“户已注销”销号", h.size),
            format!(
                "{} members still live in the household; it cannot be cleared as dissolved",
                h.size
            ),
        )),
        _ => Ok(()),
    }
}

/// What an independent count says a synthetic county's report must show: per group, the
/// households and persons with an income of the year, their summed net income, the comparable
/// households and how many of them fell; and the ledger's households with their bands. Written
/// by [`truth`] from the generator's own data, with loops of its own, so a test can compare it
/// with what the store and [`figures`] make of the same county.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Truth {
    /// (group, households, persons, net income summed, comparable households, fell)
    pub groups: Vec<(Group, u64, i64, Fen, u64, u64)>,
    /// household number → band
    pub ledger: BTreeMap<String, LowIncomeBand>,
}

/// The truth of a synthetic county for `year`: `data` as generated, its `incomes` and `cases`
/// (by household index) as [`crate::synth::records`] made them.
pub fn truth(
    data: &[(crate::household::Household, Vec<crate::household::Member>)],
    incomes: &[(usize, Income)],
    monitored: &[usize],
    year: i32,
    t: &Thresholds,
) -> Truth {
    let mut out = Truth::default();
    let size = |i: usize| data[i].1.iter().filter(|m| m.is_alive()).count() as i64;
    let post = |i: usize| data[i].0.household_type != crate::codes::HouseholdType::Ordinary;
    let is_monitored = |i: usize| monitored.contains(&i);
    let of_year = |i: usize, y: i32| {
        incomes
            .iter()
            .find(|(h, r)| *h == i && r.period == IncomePeriod::year(y))
            .map(|(_, r)| *r)
    };
    for g in Group::ALL {
        let (mut households, mut persons, mut net, mut comparable, mut fell) =
            (0u64, 0i64, 0i64, 0u64, 0u64);
        for i in 0..data.len() {
            let member = match g {
                Group::PostPoverty => post(i),
                Group::Monitored => is_monitored(i),
                Group::All => post(i) || is_monitored(i),
            };
            if !member {
                continue;
            }
            let Some(now) = of_year(i, year) else {
                continue;
            };
            let n = now.wages.0 + now.business.0 + now.property.0 + now.transfers.0
                - now.production_costs.0;
            households += 1;
            persons += size(i);
            net += n;
            if let Some(before) = of_year(i, year - 1) {
                if size(i) > 0 {
                    comparable += 1;
                    let b =
                        before.wages.0 + before.business.0 + before.property.0 + before.transfers.0
                            - before.production_costs.0;
                    if n < b {
                        fell += 1;
                    }
                }
            }
        }
        out.groups
            .push((g, households, persons, Fen(net), comparable, fell));
    }
    for (i, (household, _)) in data.iter().enumerate() {
        if !(post(i) || is_monitored(i)) || size(i) == 0 {
            continue;
        }
        let Some(now) = of_year(i, year) else {
            continue;
        };
        let n = now.net_income().0;
        // below a line L per person ⇔ n / size < L, compared on the rounded 分
        let pc = per_capita(Fen(n), size(i)).unwrap_or(Fen(0));
        let b = if pc.0 < t.target.0.min(t.watch.0) {
            Some(LowIncomeBand::BelowTarget)
        } else if pc.0 < t.watch.0 {
            Some(LowIncomeBand::BelowWatch)
        } else {
            None
        };
        if let Some(b) = b {
            out.ledger.insert(household.household_no.clone(), b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn income(year: i32, wages: i64, business: i64, costs: i64) -> Income {
        Income {
            wages: Fen::from_yuan(wages),
            business: Fen::from_yuan(business),
            production_costs: Fen::from_yuan(costs),
            ..Income::empty(IncomePeriod::year(year))
        }
    }

    fn household(
        no: &str,
        size: i64,
        now: Option<Income>,
        before: Option<Income>,
    ) -> HouseholdYear {
        HouseholdYear {
            household_no: no.into(),
            village: RegionCode::parse("510821108212").unwrap(),
            head_name: String::new(),
            size,
            post_poverty: true,
            monitored: false,
            safeguarded: false,
            current: now,
            previous: before,
        }
    }

    fn thresholds() -> Thresholds {
        Thresholds {
            rural_growth_permille: 66,
            watch: Fen::from_yuan(10_000),
            target: Fen::from_yuan(8_500),
        }
    }

    #[test]
    fn the_year_row_wins_and_four_quarters_stand_in_for_it() {
        let q = |n: u8| Income {
            wages: Fen::from_yuan(1_000),
            ..Income::empty(IncomePeriod::quarter(2025, n))
        };
        let quarters = [q(1), q(2), q(3), q(4)];
        assert_eq!(
            year_income(&quarters, 2025).unwrap().wages,
            Fen::from_yuan(4_000)
        );
        assert_eq!(year_income(&quarters[..3], 2025), None);
        let mut with_row = quarters.to_vec();
        with_row.push(income(2025, 5_000, 0, 0));
        assert_eq!(
            year_income(&with_row, 2025).unwrap().wages,
            Fen::from_yuan(5_000)
        );
        // another year's row never stands in
        assert_eq!(year_income(&[income(2024, 9_000, 0, 0)], 2025), None);
    }

    #[test]
    fn per_capita_is_the_groups_sum_over_its_persons_not_an_average_of_households() {
        let hs = [
            household("1", 1, Some(income(2025, 10_000, 0, 0)), None),
            household("2", 3, Some(income(2025, 18_000, 0, 0)), None),
        ];
        let f = figures(hs.iter());
        let all = &f[2];
        assert_eq!(all.current.households, 2);
        assert_eq!(all.current.persons, 4);
        // (10,000 + 18,000) / 4 = 7,000, not (10,000 + 6,000) / 2 = 8,000
        assert_eq!(all.current.net_per_capita(), Some(Fen::from_yuan(7_000)));
        assert_eq!(all.growth_permille(), None, "no comparable households");
    }

    #[test]
    fn growth_counts_the_same_households_in_both_years_and_falls_are_counted() {
        let hs = [
            household(
                "1",
                2,
                Some(income(2025, 22_000, 0, 0)),
                Some(income(2024, 20_000, 0, 0)),
            ),
            household(
                "2",
                2,
                Some(income(2025, 9_000, 2_000, 1_000)),
                Some(income(2024, 12_000, 0, 0)),
            ),
            // new this year: counted in the year's per-capita, not in the growth
            household("3", 5, Some(income(2025, 5_000, 0, 0)), None),
        ];
        let f = figures(hs.iter());
        let all = &f[2];
        assert_eq!(all.comparable.households, 2);
        assert_eq!(all.comparable.net_per_capita(), Some(Fen::from_yuan(8_000)));
        assert_eq!(
            all.comparable_previous.net_per_capita(),
            Some(Fen::from_yuan(8_000))
        );
        assert_eq!(all.growth_permille(), Some(0));
        assert_eq!(all.beats(66), Some(false));
        assert_eq!(all.fell, 1);
        assert_eq!(all.fell_permille(), Some(500));
        assert_eq!(all.kind_growth_permille(IncomeKind::Wages), Some(-31));
        assert_eq!(all.kind_growth_permille(IncomeKind::Business), None);
        assert_eq!(f[1].current.households, 0, "nobody is monitored");
    }

    #[test]
    fn the_ledger_takes_households_below_the_watch_line_and_bands_them_by_the_target() {
        let t = thresholds();
        assert_eq!(
            band(Fen::from_yuan(8_499), &t),
            Some(LowIncomeBand::BelowTarget)
        );
        assert_eq!(
            band(Fen::from_yuan(8_500), &t),
            Some(LowIncomeBand::BelowWatch)
        );
        assert_eq!(band(Fen(999_999), &t), Some(LowIncomeBand::BelowWatch));
        assert_eq!(band(Fen::from_yuan(10_000), &t), None);
        let mut ordinary = household("9", 1, Some(income(2025, 1_000, 0, 0)), None);
        ordinary.post_poverty = false;
        let hs = [
            household("2", 2, Some(income(2025, 19_000, 0, 0)), None),
            household("1", 1, Some(income(2025, 8_000, 0, 0)), None),
            household("3", 1, Some(income(2025, 12_000, 0, 0)), None),
            ordinary,
        ];
        let c = ledger_candidates(&hs, &t);
        let got: Vec<(&str, LowIncomeBand)> = c
            .iter()
            .map(|c| (c.household_no.as_str(), c.band))
            .collect();
        assert_eq!(
            got,
            [
                ("1", LowIncomeBand::BelowTarget),
                ("2", LowIncomeBand::BelowWatch)
            ]
        );
    }

    #[test]
    fn a_clearing_needs_a_note_and_a_reason_that_holds() {
        let t = thresholds();
        let poor = household("1", 2, Some(income(2025, 15_000, 0, 0)), None);
        let clear = |method, note: &str| Clearing {
            method,
            note: note.into(),
            on: Date::new(2026, 3, 1).unwrap(),
        };
        let code = |r: Result<(), Problem>| r.unwrap_err().code;
        assert_eq!(
            code(check_clearing(
                &clear(ClearMethod::IncomeRaised, " "),
                &poor,
                &t
            )),
            ProblemCode::IncomeTrackingNoteMissing
        );
        assert_eq!(
            code(check_clearing(
                &clear(ClearMethod::IncomeRaised, "务工增收"),
                &poor,
                &t
            )),
            ProblemCode::IncomeTrackingStillBelow
        );
        assert_eq!(
            code(check_clearing(
                &clear(ClearMethod::Safeguarded, "已纳入低保"),
                &poor,
                &t
            )),
            ProblemCode::IncomeTrackingNotSafeguarded
        );
        assert_eq!(
            code(check_clearing(
                &clear(ClearMethod::HouseholdGone, "已迁出"),
                &poor,
                &t
            )),
            ProblemCode::IncomeTrackingHouseholdLiving
        );
        let raised = household("1", 2, Some(income(2025, 20_000, 0, 0)), None);
        assert!(check_clearing(&clear(ClearMethod::IncomeRaised, "务工增收"), &raised, &t).is_ok());
        let mut covered = poor.clone();
        covered.safeguarded = true;
        assert!(
            check_clearing(&clear(ClearMethod::Safeguarded, "已纳入低保"), &covered, &t).is_ok()
        );
    }

    #[test]
    fn stored_numbers_read_back() {
        for b in LowIncomeBand::ALL {
            assert_eq!(LowIncomeBand::from_code(b.code()), Some(b));
        }
        for m in ClearMethod::ALL {
            assert_eq!(ClearMethod::from_code(m.code()), Some(m));
            assert_eq!(ClearMethod::parse(m.key()), Some(m));
        }
        assert_eq!(permille_text(66), "6.6%");
        assert_eq!(permille_text(-5), "-0.5%");
    }

    proptest! {
        #[test]
        fn growth_is_zero_for_no_change_and_has_the_sign_of_the_change(
            prev in 1i64..1_000_000_000, cur in -1_000_000_000i64..1_000_000_000
        ) {
            let g = growth_permille(Fen(prev), Fen(cur)).unwrap();
            prop_assert_eq!(growth_permille(Fen(prev), Fen(prev)), Some(0));
            if cur > prev { prop_assert!(g >= 0); }
            if cur < prev { prop_assert!(g <= 0); }
            // within half a permille of the exact ratio
            let exact = (cur as f64 - prev as f64) * 1000.0 / prev as f64;
            prop_assert!((g as f64 - exact).abs() <= 0.5 + 1e-9);
        }

        #[test]
        fn growth_never_decreases_as_this_years_income_rises(
            prev in 1i64..100_000_000, a in 0i64..100_000_000, b in 0i64..100_000_000
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(growth_permille(Fen(prev), Fen(lo)) <= growth_permille(Fen(prev), Fen(hi)));
        }

        #[test]
        fn per_capita_times_persons_is_within_half_a_person_of_the_total(
            nets in proptest::collection::vec((0i64..500_000_000, 1i64..12), 1..40)
        ) {
            let hs: Vec<HouseholdYear> = nets.iter().enumerate().map(|(i, (n, size))| household(
                &i.to_string(), *size,
                Some(Income { wages: Fen(*n), ..Income::empty(IncomePeriod::year(2025)) }), None,
            )).collect();
            let t = &figures(hs.iter())[0].current;
            let persons: i64 = nets.iter().map(|(_, s)| s).sum();
            let total: i64 = nets.iter().map(|(n, _)| n).sum();
            prop_assert_eq!(t.persons, persons);
            prop_assert_eq!(t.net, Fen(total));
            let pc = t.net_per_capita().unwrap().0;
            prop_assert!(((pc * persons) - total).abs() * 2 <= persons);
        }

        #[test]
        fn a_fall_share_is_a_permille_between_zero_and_a_thousand(part in 0u64..10_000, extra in 0u64..10_000) {
            let whole = part + extra;
            match share_permille(part, whole) {
                None => prop_assert_eq!(whole, 0),
                Some(s) => prop_assert!((0..=1000).contains(&s)),
            }
        }
    }
}
