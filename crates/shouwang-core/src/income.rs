//! Household incomes (收入) and 人均纯收入 (per-capita net income), in 分, with the
//! 12-month window rule and a step-by-step explanation for the household page.
//!
//! 人均纯收入 = (工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出) ÷ 家庭人口数
//! (domain-research §2.3). 理赔收入 (insurance payouts) and 合规自付支出 (compliant out-of-pocket
//! medical costs) are recorded beside the four incomes but do not enter the formula: the national
//! collection form keeps them as separate fields, and 防贫保险 payouts that a county does count are
//! entered under 转移性 already, so adding 理赔收入 again would count them twice. 合规自付支出 feeds
//! the rigid-expenditure rule of the screening instead.

use crate::date::YearMonth;
use crate::money::Fen;
use crate::problem::{Problem, ProblemCode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Largest accepted amount for any single income field of one household and period: 5,000,000 元.
///
/// A rural household under monitoring earns in the tens of thousands of 元 a year; an amount above
/// five million is a typing error (extra zeros, 分 typed as 元), and the cap keeps every sum far
/// from `i64` overflow (seven fields × 5·10⁸ 分).
pub const MAX_AMOUNT: Fen = Fen(500_000_000);

/// Largest plausible 人均纯收入: 1,000,000 元 per person and year, about forty times the 2024 rural
/// per-capita disposable income (≈23,000 元). Above it the record is refused as a typing error.
pub const MAX_PER_CAPITA: Fen = Fen(100_000_000);

/// Largest household size accepted for per-capita arithmetic (家庭人口数).
pub const MAX_HOUSEHOLD_SIZE: i64 = 60;

/// The period an income record covers (收入期间): a calendar year, or one quarter of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IncomePeriod {
    pub year: i32,
    /// 季度 1–4, or `None` for the whole year (全年)
    pub quarter: Option<u8>,
}

impl IncomePeriod {
    pub fn year(year: i32) -> IncomePeriod {
        IncomePeriod {
            year,
            quarter: None,
        }
    }
    pub fn quarter(year: i32, quarter: u8) -> IncomePeriod {
        IncomePeriod {
            year,
            quarter: Some(quarter),
        }
    }
    /// The first and last month covered, if the quarter is valid.
    pub fn months(self) -> Option<(YearMonth, YearMonth)> {
        match self.quarter {
            None => Some((
                YearMonth::new(self.year, 1)?,
                YearMonth::new(self.year, 12)?,
            )),
            Some(q @ 1..=4) => Some((
                YearMonth::new(self.year, 3 * q - 2)?,
                YearMonth::new(self.year, 3 * q)?,
            )),
            Some(_) => None,
        }
    }
    /// `2025年` or `2025年第2季度`.
    pub fn label_zh(self) -> String {
        match self.quarter {
            None => format!("{}年", self.year),
            Some(q) => format!("{}年第{q}季度", self.year),
        }
    }
    /// `2025` or `2025 Q2`.
    pub fn label_en(self) -> String {
        match self.quarter {
            None => format!("{}", self.year),
            Some(q) => format!("{} Q{q}", self.year),
        }
    }
    /// The period as pages name it: `2026 年全年`, `2026 年第二季度`.
    pub fn title_zh(self) -> String {
        format!("{} 年{}", self.year, quarter_name_zh(self.quarter))
    }
    /// `the whole of 2026`, `2026 Q2`.
    pub fn title_en(self) -> String {
        match self.quarter {
            None => format!("the whole of {}", self.year),
            Some(_) => self.label_en(),
        }
    }
}

/// `全年`, `第一季度` … `第四季度` (a quarter beyond 4 as its number).
pub fn quarter_name_zh(quarter: Option<u8>) -> String {
    match quarter {
        None => "全年".into(),
        Some(q @ 1..=4) => format!("第{}季度", ["一", "二", "三", "四"][usize::from(q - 1)]),
        Some(q) => format!("第{q}季度"),
    }
}

/// `whole year`, `Q1 (January–March)` … `Q4 (October–December)`.
pub fn quarter_name_en(quarter: Option<u8>) -> String {
    match quarter {
        None => "whole year".into(),
        Some(q @ 1..=4) => format!(
            "Q{q} ({})",
            [
                "January–March",
                "April–June",
                "July–September",
                "October–December"
            ][usize::from(q - 1)]
        ),
        Some(q) => format!("Q{q}"),
    }
}

impl fmt::Display for IncomePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_en())
    }
}

/// One household's income record (收入) for one period. The store keys it by 户编号 and period;
/// history is kept as one record per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Income {
    pub period: IncomePeriod,
    /// 工资性收入
    pub wages: Fen,
    /// 生产经营性收入 (gross)
    pub business: Fen,
    /// 财产性收入
    pub property: Fen,
    /// 转移性收入
    pub transfers: Fen,
    /// 生产经营性支出
    pub production_costs: Fen,
    /// 理赔收入 (recorded, not part of net income)
    pub insurance_payouts: Fen,
    /// 合规自付支出 (compliant out-of-pocket medical costs; rigid expenditure)
    pub out_of_pocket_medical: Fen,
}

impl Income {
    /// An empty record for `period`.
    pub fn empty(period: IncomePeriod) -> Income {
        let zero = Fen(0);
        Income {
            period,
            wages: zero,
            business: zero,
            property: zero,
            transfers: zero,
            production_costs: zero,
            insurance_payouts: zero,
            out_of_pocket_medical: zero,
        }
    }

    /// 收入合计: the four incomes (saturating, so unvalidated input cannot overflow).
    pub fn gross_income(&self) -> Fen {
        Fen(self
            .wages
            .0
            .saturating_add(self.business.0)
            .saturating_add(self.property.0)
            .saturating_add(self.transfers.0))
    }

    /// 家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出. May be negative when
    /// production costs exceed income (a failed harvest).
    pub fn net_income(&self) -> Fen {
        Fen(self
            .gross_income()
            .0
            .saturating_sub(self.production_costs.0))
    }

    /// 人均纯收入: net income ÷ household size, rounded half away from zero to the 分.
    /// `None` for a household of size 0 (or negative, or beyond any real household).
    pub fn net_income_per_capita(&self, size: i64) -> Option<Fen> {
        per_capita(self.net_income(), size)
    }

    /// The amounts of `self` and `other` added field by field (the period of `self` is kept).
    pub fn plus(&self, other: &Income) -> Income {
        let add = |a: Fen, b: Fen| Fen(a.0.saturating_add(b.0));
        Income {
            period: self.period,
            wages: add(self.wages, other.wages),
            business: add(self.business, other.business),
            property: add(self.property, other.property),
            transfers: add(self.transfers, other.transfers),
            production_costs: add(self.production_costs, other.production_costs),
            insurance_payouts: add(self.insurance_payouts, other.insurance_payouts),
            out_of_pocket_medical: add(self.out_of_pocket_medical, other.out_of_pocket_medical),
        }
    }

    /// The seven amounts with their field name and Chinese and English labels, in form order.
    pub fn fields(&self) -> [(&'static str, &'static str, &'static str, Fen); 7] {
        [
            ("wages", "工资性收入", "wages", self.wages),
            (
                "business",
                "生产经营性收入",
                "business income",
                self.business,
            ),
            ("property", "财产性收入", "property income", self.property),
            ("transfers", "转移性收入", "transfer income", self.transfers),
            (
                "production_costs",
                "生产经营性支出",
                "production costs",
                self.production_costs,
            ),
            (
                "insurance_payouts",
                "理赔收入",
                "insurance payouts",
                self.insurance_payouts,
            ),
            (
                "out_of_pocket_medical",
                "合规自付支出",
                "compliant out-of-pocket costs",
                self.out_of_pocket_medical,
            ),
        ]
    }

    /// The computation as steps for the household page (收入计算过程), in both languages.
    pub fn explain(&self, size: i64) -> Vec<Step> {
        let mut steps = Vec::with_capacity(6);
        let gross = self.gross_income();
        let (w, b, p, t, c) = (
            yuan_text(self.wages),
            yuan_text(self.business),
            yuan_text(self.property),
            yuan_text(self.transfers),
            yuan_text(self.production_costs),
        );
        let (ins, oop) = (
            yuan_text(self.insurance_payouts),
            yuan_text(self.out_of_pocket_medical),
        );
        steps.push(Step {
            zh: format!(
                "收入合计 = 工资性收入 {} 元 + 生产经营性收入 {} 元 + 财产性收入 {} 元 + 转移性收入 {} 元 = {} 元",
                w, b, p, t, yuan_text(gross)
            ),
            en: format!(
                "total income = wages {} + business {} + property {} + transfers {} = {} yuan",
                w, b, p, t, yuan_text(gross)
            ),
            value: Some(gross),
        });
        let net = self.net_income();
        steps.push(Step {
            zh: format!(
                "家庭纯收入 = 收入合计 {} 元 − 生产经营性支出 {c} 元 = {} 元",
                yuan_text(gross),
                yuan_text(net)
            ),
            en: format!(
                "household net income = total {} − production costs {c} = {} yuan",
                yuan_text(gross),
                yuan_text(net)
            ),
            value: Some(net),
        });
        match per_capita(net, size) {
            Some(pc) => steps.push(Step {
                zh: format!(
                    "人均纯收入 = 家庭纯收入 {} 元 ÷ 家庭人口 {size} 人 = {} 元（四舍五入到分）",
                    yuan_text(net),
                    yuan_text(pc)
                ),
                en: format!(
                    "per-capita net income = {} ÷ {size} persons = {} yuan (rounded to the fen)",
                    yuan_text(net),
                    yuan_text(pc)
                ),
                value: Some(pc),
            }),
            None => steps.push(Step {
                zh: format!("家庭人口为 {size} 人，无法计算人均纯收入"),
                en: format!("household size is {size}: per-capita net income cannot be computed"),
                value: None,
            }),
        }
        steps.push(Step {
            zh: format!(
                "理赔收入 {ins} 元、合规自付支出 {oop} 元单独登记，不计入纯收入；合规自付支出用于刚性支出预警"
            ),
            en: format!(
                "insurance payouts {ins} and out-of-pocket costs {oop} yuan are recorded apart and not part of net income; \
                 out-of-pocket costs feed the rigid-expenditure warning"
            ),
            value: None,
        });
        steps
    }
}

/// One line of a computation shown to users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub zh: String,
    pub en: String,
    /// The amount the step arrives at, if any.
    pub value: Option<Fen>,
}

/// [`Fen::per`] for household sizes only: `Fen::per` overflows for counts near `i64::MAX`, so
/// sizes beyond a million persons are refused here before they reach it.
pub fn per_capita(net: Fen, size: i64) -> Option<Fen> {
    if size > 1_000_000 {
        return None;
    }
    net.per(size)
}

fn yuan(f: Fen) -> String {
    f.to_string()
}

/// Validates one income record for a household of `size` persons: period, negative or absurd
/// amounts, size 0, absurd per-capita income. Net income itself may be negative.
pub fn validate_income(income: &Income, size: i64) -> Vec<Problem> {
    let mut out = Vec::new();
    let p = income.period;
    if !(2000..=2100).contains(&p.year) {
        out.push(Problem::new(
            ProblemCode::IncomeYear,
            "period.year",
            format!("收入年度{}不在2000–2100之间", p.year),
            format!("income year {} is outside 2000–2100", p.year),
        ));
    }
    if let Some(q) = p.quarter {
        if !(1..=4).contains(&q) {
            out.push(Problem::new(
                ProblemCode::IncomeQuarter,
                "period.quarter",
                format!("季度应为1至4，而不是{q}"),
                format!("quarter must be 1 to 4, not {q}"),
            ));
        }
    }
    for (field, zh, en, v) in income.fields() {
        if v.0 < 0 {
            out.push(Problem::new(
                ProblemCode::IncomeNegative,
                field,
                format!("{zh}不能为负数（{} 元）", yuan(v)),
                format!("{en} cannot be negative ({} yuan)", yuan(v)),
            ));
        } else if v > MAX_AMOUNT {
            out.push(Problem::new(
                ProblemCode::IncomeAbsurd,
                field,
                format!(
                    "{zh} {} 元超过上限 {} 元，请检查是否多输了零或把分当作元",
                    yuan(v),
                    yuan(MAX_AMOUNT)
                ),
                format!(
                    "{en} {} yuan exceeds the cap of {} yuan; check for extra zeros",
                    yuan(v),
                    yuan(MAX_AMOUNT)
                ),
            ));
        }
    }
    if size <= 0 {
        out.push(Problem::new(
            ProblemCode::IncomeHouseholdSize,
            "household_size",
            format!("家庭人口为{size}人，无法计算人均纯收入"),
            format!("household size is {size}: per-capita income cannot be computed"),
        ));
    } else if size > MAX_HOUSEHOLD_SIZE {
        out.push(Problem::new(
            ProblemCode::IncomeHouseholdSize,
            "household_size",
            format!("家庭人口{size}人超过上限{MAX_HOUSEHOLD_SIZE}人"),
            format!("household size {size} exceeds {MAX_HOUSEHOLD_SIZE}"),
        ));
    } else if let Some(pc) = income.net_income_per_capita(size) {
        if pc > MAX_PER_CAPITA {
            out.push(Problem::new(
                ProblemCode::IncomePerCapitaAbsurd,
                "net_income_per_capita",
                format!(
                    "人均纯收入 {} 元超过上限 {} 元，请检查金额",
                    yuan(pc),
                    yuan(MAX_PER_CAPITA)
                ),
                format!(
                    "per-capita net income {} yuan exceeds {} yuan; check the amounts",
                    yuan(pc),
                    yuan(MAX_PER_CAPITA)
                ),
            ));
        }
    }
    out
}

/// Checks a household's income history: each record valid on its own, and no period twice.
pub fn validate_history(records: &[Income], size: i64) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        out.extend(
            validate_income(r, size)
                .into_iter()
                .map(|p| p.under(&format!("incomes[{i}]"))),
        );
        if records[..i].iter().any(|o| o.period == r.period) {
            out.push(Problem::new(
                ProblemCode::IncomeDuplicatePeriod,
                format!("incomes[{i}].period"),
                format!("{}的收入登记了两次", r.period.label_zh()),
                format!("income for {} is recorded twice", r.period.label_en()),
            ));
        }
    }
    out
}

/// How a 12-month window was filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WindowBasis {
    /// The four most recent complete quarters (四个季度)
    FourQuarters,
    /// The most recent complete calendar year (上一完整年度), when quarters are missing
    CalendarYear,
}

/// The income of "the 12 months before" a month (识别月份前12个月), from the records that exist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowIncome {
    pub basis: WindowBasis,
    /// The month asked about (识别/申请月份)
    pub month: YearMonth,
    /// First and last month actually covered by the records used
    pub covers: (YearMonth, YearMonth),
    /// The periods summed, oldest first
    pub periods: Vec<IncomePeriod>,
    /// The summed amounts (its `period` is the newest period used)
    pub income: Income,
}

impl WindowIncome {
    /// Whether the records cover exactly the 12 calendar months before `month` (true when `month`
    /// starts a quarter: January, April, July, October).
    pub fn is_exact(&self) -> bool {
        self.covers.1.months_until(self.month) == 1
    }

    /// Explanation: which periods were used and why, then the income computation.
    pub fn explain(&self, size: i64) -> Vec<Step> {
        let list_zh: Vec<String> = self.periods.iter().map(|p| p.label_zh()).collect();
        let list_en: Vec<String> = self.periods.iter().map(|p| p.label_en()).collect();
        let (c0, c1) = self.covers;
        let mut steps = vec![match self.basis {
            WindowBasis::FourQuarters => Step {
                zh: format!(
                    "{}前12个月的收入取{}之前最近的四个完整季度：{}（{}至{}）{}",
                    self.month,
                    self.month,
                    list_zh.join("、"),
                    c0,
                    c1,
                    if self.is_exact() { "" } else { "；季度数据无法按月拆分，期间比前12个月提前" }
                ),
                en: format!(
                    "income of the 12 months before {} = the four latest complete quarters before it: {} ({} to {}){}",
                    self.month,
                    list_en.join(", "),
                    c0,
                    c1,
                    if self.is_exact() { "" } else { "; quarters cannot be split by month, so the window ends early" }
                ),
                value: None,
            },
            WindowBasis::CalendarYear => Step {
                zh: format!("{}前缺少连续四个季度的收入，改用最近的完整年度{}", self.month, list_zh.join("")),
                en: format!(
                    "no four consecutive quarters before {}: using the latest complete year {}",
                    self.month,
                    list_en.join("")
                ),
                value: None,
            },
        }];
        steps.extend(self.income.explain(size));
        steps
    }
}

/// The income of the 12 months before `month` (the month of identification or application),
/// for one household's records:
///
/// 1. Quarters: a quarter is *complete before* `month` when its last month is earlier than
///    `month`. Take the most recent complete quarter `Q` and the three quarters before it; if all
///    four records exist, their sum is the answer. When `month` is the first month of a quarter
///    the four quarters are exactly the 12 months before it (identified in July 2025 →
///    2024 Q3 … 2025 Q2 = 2024-07-01 … 2025-06-30); otherwise quarters cannot be split, so the
///    window is the four quarters ending before `month` (identified in August 2025 → still
///    2024 Q3 … 2025 Q2), one or two months earlier than the exact window.
/// 2. Otherwise, the most recent whole-year record of a year before `month`'s year.
/// 3. Otherwise `None`: there is no income for the window.
///
/// If a period was recorded twice, the first record is used (see [`validate_history`]).
pub fn twelve_months_before(records: &[Income], month: YearMonth) -> Option<WindowIncome> {
    let find = |p: IncomePeriod| records.iter().find(|r| r.period == p);
    // the latest quarter whose last month is before `month`
    let q_now = (month.month() - 1) / 3 + 1; // the quarter `month` lies in
    let (mut y, mut q) = if q_now == 1 {
        (month.year() - 1, 4u8)
    } else {
        (month.year(), q_now - 1)
    };
    let mut used = Vec::with_capacity(4);
    for _ in 0..4 {
        used.push(IncomePeriod::quarter(y, q));
        if q == 1 {
            y -= 1;
            q = 4;
        } else {
            q -= 1;
        }
    }
    used.reverse();
    let quarters: Option<Vec<&Income>> = used.iter().map(|p| find(*p)).collect();
    if let Some(quarters) = quarters {
        let mut sum = Income::empty(used[3]);
        for r in quarters {
            sum = sum.plus(r);
        }
        let covers = (used[0].months()?.0, used[3].months()?.1);
        return Some(WindowIncome {
            basis: WindowBasis::FourQuarters,
            month,
            covers,
            periods: used,
            income: sum,
        });
    }
    let year = records
        .iter()
        .filter(|r| r.period.quarter.is_none() && r.period.year < month.year())
        .max_by_key(|r| r.period.year)?;
    Some(WindowIncome {
        basis: WindowBasis::CalendarYear,
        month,
        covers: year.period.months()?,
        periods: vec![year.period],
        income: *year,
    })
}

/// Which records a household's 人均纯收入 was computed from; every page that shows the figure
/// names it, so two pages can only agree or say why they differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum IncomeBasis {
    /// The whole-year record of a year: the year's ledger row (年台账)
    LedgerYear(i32),
    /// Four consecutive quarterly records, covering these months
    Quarters { from: YearMonth, to: YearMonth },
}

impl IncomeBasis {
    /// `2026 年台账` or `最近十二个月的季度收入（2025-10 至 2026-09）`.
    pub fn label_zh(self) -> String {
        match self {
            IncomeBasis::LedgerYear(y) => format!("{y} 年台账"),
            IncomeBasis::Quarters { from, to } => {
                format!("最近十二个月的季度收入（{from} 至 {to}）")
            }
        }
    }
    /// `the 2026 ledger row` or `the last twelve months of quarterly records (2025-10 to 2026-09)`.
    pub fn label_en(self) -> String {
        match self {
            IncomeBasis::LedgerYear(y) => format!("the {y} ledger row"),
            IncomeBasis::Quarters { from, to } => {
                format!("the last twelve months of quarterly records ({from} to {to})")
            }
        }
    }
}

/// A household's one 人均纯收入 for a screening year, with the records it came from. The income
/// page, the screening (and so its warnings) and the ledger all take it from
/// [`household_income`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncomeFigure {
    pub basis: IncomeBasis,
    /// The periods summed, oldest first
    pub periods: Vec<IncomePeriod>,
    /// The summed amounts (its `period` is the newest period used)
    pub income: Income,
    /// 家庭人口 used as the divisor
    pub size: i64,
    /// `None` when the size is 0 (or beyond any real household)
    pub per_capita: Option<Fen>,
}

impl IncomeFigure {
    /// 家庭纯收入 of the basis.
    pub fn net_income(&self) -> Fen {
        self.income.net_income()
    }

    /// Which records were used and why, then the income computation.
    pub fn explain(&self) -> Vec<Step> {
        let zh: Vec<String> = self.periods.iter().map(|p| p.title_zh()).collect();
        let en: Vec<String> = self.periods.iter().map(|p| p.title_en()).collect();
        let first = match self.basis {
            IncomeBasis::LedgerYear(_) => Step {
                zh: format!(
                    "依据：{}（{}的收入记录）",
                    self.basis.label_zh(),
                    zh.join("")
                ),
                en: format!(
                    "basis: {} (the record of {})",
                    self.basis.label_en(),
                    en.join("")
                ),
                value: None,
            },
            IncomeBasis::Quarters { .. } => Step {
                zh: format!("依据：{}：{}相加", self.basis.label_zh(), zh.join("、")),
                en: format!(
                    "basis: {}: {} added up",
                    self.basis.label_en(),
                    en.join(", ")
                ),
                value: None,
            },
        };
        let mut steps = vec![first];
        steps.extend(self.income.explain(self.size));
        steps
    }
}

/// The one 人均纯收入 of a household of `size` persons for screening year `year`, as of month
/// `now`, from its income records:
///
/// 1. the whole-year record of `year` (the year's ledger row), when there is one;
/// 2. else the four latest quarters complete before `now` (and not after `year`), when all four
///    are recorded: the last twelve months of quarterly records;
/// 3. else the whole-year record of the year before;
/// 4. else `None`: no income is known and no income rule can fire.
///
/// The ledger row comes first because it is what the county collects and exports for the year:
/// a page or a warning that used the quarters while the year's row exists would disagree with
/// the ledger. If a period was recorded twice, the first record is used.
pub fn household_income(
    records: &[Income],
    year: i32,
    now: YearMonth,
    size: i64,
) -> Option<IncomeFigure> {
    let find = |p: IncomePeriod| records.iter().find(|r| r.period == p);
    let figure = |basis, periods: Vec<IncomePeriod>, income: Income| IncomeFigure {
        basis,
        periods,
        income,
        size,
        per_capita: per_capita(income.net_income(), size),
    };
    if let Some(r) = find(IncomePeriod::year(year)) {
        return Some(figure(IncomeBasis::LedgerYear(year), vec![r.period], *r));
    }
    let cutoff = YearMonth::new(year.saturating_add(1), 1).map_or(now, |end| now.min(end));
    if let Some(w) =
        twelve_months_before(records, cutoff).filter(|w| w.basis == WindowBasis::FourQuarters)
    {
        let (from, to) = w.covers;
        return Some(figure(
            IncomeBasis::Quarters { from, to },
            w.periods,
            w.income,
        ));
    }
    find(IncomePeriod::year(year - 1))
        .map(|r| figure(IncomeBasis::LedgerYear(year - 1), vec![r.period], *r))
}

/// An amount in 元 to the 分, with thousands separated: `7,482.01`, `-1,500.00`, `0.05`.
pub fn yuan_text(f: Fen) -> String {
    let sign = if f.0 < 0 { "-" } else { "" };
    let a = f.0.unsigned_abs();
    let whole = (a / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(y: i64) -> Fen {
        Fen::from_yuan(y)
    }

    fn sample() -> Income {
        Income {
            period: IncomePeriod::year(2025),
            wages: yuan(20_000),
            business: yuan(8_000),
            property: yuan(500),
            transfers: yuan(3_500),
            production_costs: yuan(4_000),
            insurance_payouts: yuan(1_000),
            out_of_pocket_medical: yuan(6_000),
        }
    }

    fn quarter(year: i32, q: u8, wages: i64) -> Income {
        Income {
            wages: yuan(wages),
            ..Income::empty(IncomePeriod::quarter(year, q))
        }
    }

    #[test]
    fn net_income_is_the_four_incomes_less_production_costs() {
        let i = sample();
        assert_eq!(i.gross_income(), yuan(32_000));
        assert_eq!(i.net_income(), yuan(28_000));
        assert_eq!(i.net_income_per_capita(3), Some(Fen(933_333)));
        assert_eq!(i.net_income_per_capita(4), Some(yuan(7_000)));
    }

    #[test]
    fn insurance_payouts_and_out_of_pocket_costs_do_not_change_net_income() {
        let mut i = sample();
        i.insurance_payouts = yuan(50_000);
        i.out_of_pocket_medical = yuan(90_000);
        assert_eq!(i.net_income(), yuan(28_000));
    }

    #[test]
    fn a_household_of_size_zero_has_no_per_capita_income_and_is_refused() {
        assert_eq!(sample().net_income_per_capita(0), None);
        let problems = validate_income(&sample(), 0);
        assert!(problems
            .iter()
            .any(|p| p.code == ProblemCode::IncomeHouseholdSize));
    }

    #[test]
    fn negative_amounts_are_refused_field_by_field() {
        let mut i = sample();
        i.wages = Fen(-1);
        i.out_of_pocket_medical = Fen(-500);
        let problems = validate_income(&i, 3);
        let fields: Vec<&str> = problems
            .iter()
            .filter(|p| p.code == ProblemCode::IncomeNegative)
            .map(|p| p.field.as_str())
            .collect();
        assert_eq!(fields, ["wages", "out_of_pocket_medical"]);
    }

    #[test]
    fn ten_million_yuan_per_person_is_refused_as_absurd() {
        let i = Income {
            wages: yuan(10_000_000),
            ..Income::empty(IncomePeriod::year(2025))
        };
        let problems = validate_income(&i, 1);
        assert!(
            problems.iter().any(|p| p.code == ProblemCode::IncomeAbsurd),
            "{problems:?}"
        );
        // below the field cap, but one person earning 2 million is still absurd per capita
        let i = Income {
            wages: yuan(2_000_000),
            ..Income::empty(IncomePeriod::year(2025))
        };
        let problems = validate_income(&i, 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, ProblemCode::IncomePerCapitaAbsurd);
        // the same amount shared by three persons is plausible
        assert!(validate_income(&i, 3).is_empty());
    }

    #[test]
    fn a_negative_net_income_from_a_failed_harvest_is_accepted() {
        let i = Income {
            business: yuan(2_000),
            production_costs: yuan(5_000),
            ..Income::empty(IncomePeriod::year(2025))
        };
        assert!(validate_income(&i, 2).is_empty());
        assert_eq!(i.net_income_per_capita(2), Some(yuan(-1_500)));
    }

    #[test]
    fn a_fifth_quarter_and_a_year_outside_the_range_are_refused() {
        let i = Income::empty(IncomePeriod::quarter(1999, 5));
        let codes: Vec<ProblemCode> = validate_income(&i, 2).iter().map(|p| p.code).collect();
        assert_eq!(codes, [ProblemCode::IncomeYear, ProblemCode::IncomeQuarter]);
    }

    #[test]
    fn the_same_period_twice_is_refused() {
        let problems = validate_history(&[quarter(2025, 1, 10), quarter(2025, 1, 20)], 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "incomes[1].period");
    }

    #[test]
    fn identified_in_july_the_window_is_exactly_the_four_quarters_before() {
        let records: Vec<Income> = [
            (2024, 2, 1),
            (2024, 3, 10),
            (2024, 4, 100),
            (2025, 1, 1_000),
            (2025, 2, 10_000),
            (2025, 3, 100_000),
        ]
        .iter()
        .map(|&(y, q, w)| quarter(y, q, w))
        .collect();
        let july = YearMonth::new(2025, 7).unwrap();
        let w = twelve_months_before(&records, july).unwrap();
        assert_eq!(w.basis, WindowBasis::FourQuarters);
        assert_eq!(w.income.wages, yuan(11_110));
        assert_eq!(
            w.covers,
            (
                YearMonth::new(2024, 7).unwrap(),
                YearMonth::new(2025, 6).unwrap()
            )
        );
        assert!(w.is_exact());
        // in August, 2025 Q3 is not complete yet: the same four quarters, ending one month early
        let august = YearMonth::new(2025, 8).unwrap();
        let w = twelve_months_before(&records, august).unwrap();
        assert_eq!(w.income.wages, yuan(11_110));
        assert!(!w.is_exact());
        // in October, 2025 Q3 is complete and 2024 Q3 drops out
        let october = YearMonth::new(2025, 10).unwrap();
        assert_eq!(
            twelve_months_before(&records, october)
                .unwrap()
                .income
                .wages,
            yuan(111_100)
        );
    }

    #[test]
    fn january_uses_the_four_quarters_of_the_previous_year() {
        let records: Vec<Income> = (1..=4).map(|q| quarter(2024, q, 1_000)).collect();
        let w = twelve_months_before(&records, YearMonth::new(2025, 1).unwrap()).unwrap();
        assert_eq!(w.income.wages, yuan(4_000));
        assert_eq!(w.periods.first(), Some(&IncomePeriod::quarter(2024, 1)));
    }

    #[test]
    fn a_missing_quarter_falls_back_to_the_last_complete_year() {
        let mut records = vec![
            quarter(2024, 3, 1),
            quarter(2025, 1, 1),
            quarter(2025, 2, 1),
        ];
        assert_eq!(
            twelve_months_before(&records, YearMonth::new(2025, 7).unwrap()),
            None
        );
        records.push(Income {
            wages: yuan(9_000),
            ..Income::empty(IncomePeriod::year(2024))
        });
        records.push(Income {
            wages: yuan(1),
            ..Income::empty(IncomePeriod::year(2025))
        }); // not complete before July 2025
        let w = twelve_months_before(&records, YearMonth::new(2025, 7).unwrap()).unwrap();
        assert_eq!(w.basis, WindowBasis::CalendarYear);
        assert_eq!(w.income.wages, yuan(9_000));
    }

    #[test]
    fn the_explanation_shows_each_step_and_the_result() {
        let steps = sample().explain(4);
        assert_eq!(steps[1].value, Some(yuan(28_000)));
        assert_eq!(steps[2].value, Some(yuan(7_000)));
        assert!(
            steps[2].zh.contains("÷ 家庭人口 4 人 = 7,000.00 元"),
            "{}",
            steps[2].zh
        );
        assert!(sample().explain(0)[2].value.is_none());
        let records: Vec<Income> = (1..=4).map(|q| quarter(2024, q, 1_000)).collect();
        let w = twelve_months_before(&records, YearMonth::new(2025, 2).unwrap()).unwrap();
        assert!(w.explain(2)[0].zh.contains("提前"));
    }

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn the_years_ledger_row_comes_before_the_quarters() {
        let mut records: Vec<Income> = (1..=4).map(|q| quarter(2025, q, 1_000)).collect();
        records.push(quarter(2026, 1, 2_000));
        records.push(quarter(2026, 2, 2_000));
        records.push(quarter(2026, 3, 2_000));
        // no 2026 row: 2025 Q4 … 2026 Q3, the quarters complete before November 2026
        let f = household_income(&records, 2026, ym(2026, 11), 2).unwrap();
        assert_eq!(
            f.basis,
            IncomeBasis::Quarters {
                from: ym(2025, 10),
                to: ym(2026, 9)
            }
        );
        assert_eq!(f.net_income(), yuan(7_000));
        assert_eq!(f.per_capita, Some(yuan(3_500)));
        assert_eq!(
            f.basis.label_zh(),
            "最近十二个月的季度收入（2025-10 至 2026-09）"
        );
        // the 2026 ledger row, once there, is the figure
        records.push(Income {
            wages: Fen(1_496_402),
            ..Income::empty(IncomePeriod::year(2026))
        });
        let f = household_income(&records, 2026, ym(2026, 11), 2).unwrap();
        assert_eq!(f.basis, IncomeBasis::LedgerYear(2026));
        assert_eq!(f.per_capita, Some(Fen(748_201)));
        assert_eq!(f.basis.label_zh(), "2026 年台账");
        assert_eq!(f.basis.label_en(), "the 2026 ledger row");
        assert!(f.explain()[0].zh.contains("2026 年台账"));
    }

    #[test]
    fn screening_a_past_year_uses_no_quarter_after_it() {
        let records: Vec<Income> = [(2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4)]
            .iter()
            .map(|&(y, q)| quarter(y, q, 100 * i64::from(q)))
            .collect();
        let f = household_income(&records, 2024, ym(2026, 3), 1);
        assert_eq!(f, None, "2024 has one quarter and no ledger row");
        let f = household_income(&records, 2025, ym(2026, 3), 1).unwrap();
        assert_eq!(
            f.basis,
            IncomeBasis::Quarters {
                from: ym(2025, 1),
                to: ym(2025, 12)
            }
        );
    }

    #[test]
    fn without_the_years_row_or_four_quarters_the_year_before_is_used_and_named() {
        let records = vec![
            quarter(2026, 1, 5),
            Income {
                wages: yuan(13_746),
                ..Income::empty(IncomePeriod::year(2025))
            },
        ];
        let f = household_income(&records, 2026, ym(2026, 11), 2).unwrap();
        assert_eq!(f.basis, IncomeBasis::LedgerYear(2025));
        assert_eq!(f.per_capita, Some(yuan(6_873)));
        assert_eq!(household_income(&records[..1], 2026, ym(2026, 11), 2), None);
        // a household without living members has a basis but no per-capita figure
        assert_eq!(
            household_income(&records, 2026, ym(2026, 11), 0)
                .unwrap()
                .per_capita,
            None
        );
    }

    #[test]
    fn amounts_are_shown_to_the_fen_with_thousands_separated() {
        assert_eq!(yuan_text(Fen(748_201)), "7,482.01");
        assert_eq!(yuan_text(Fen(687_300)), "6,873.00");
        assert_eq!(yuan_text(Fen(5)), "0.05");
        assert_eq!(yuan_text(Fen(-150_000)), "-1,500.00");
        assert_eq!(yuan_text(Fen(12_345_678_900)), "123,456,789.00");
        assert_eq!(yuan_text(Fen(i64::MIN)), "-92,233,720,368,547,758.08");
    }

    proptest! {
        #[test]
        fn per_capita_net_income_is_never_off_by_more_than_half_a_fen(
            amounts in proptest::collection::vec(0i64..=500_000_000, 5),
            size in 1i64..=MAX_HOUSEHOLD_SIZE,
        ) {
            let i = Income {
                period: IncomePeriod::year(2025),
                wages: Fen(amounts[0]),
                business: Fen(amounts[1]),
                property: Fen(amounts[2]),
                transfers: Fen(amounts[3]),
                production_costs: Fen(amounts[4]),
                ..Income::empty(IncomePeriod::year(2025))
            };
            let net = amounts[0] + amounts[1] + amounts[2] + amounts[3] - amounts[4];
            prop_assert_eq!(i.net_income(), Fen(net));
            let pc = i.net_income_per_capita(size).unwrap().0;
            // |pc·size − net| ≤ size/2, i.e. within half a fen per person
            prop_assert!((i128::from(pc) * i128::from(size) - i128::from(net)).abs() * 2 <= i128::from(size));
        }

        #[test]
        fn summing_quarters_equals_summing_their_net_incomes(ws in proptest::collection::vec(0i64..=100_000_000, 4)) {
            let records: Vec<Income> = ws.iter().enumerate()
                .map(|(q, w)| Income { wages: Fen(*w), production_costs: Fen(w / 3), ..Income::empty(IncomePeriod::quarter(2024, q as u8 + 1)) })
                .collect();
            let w = twelve_months_before(&records, YearMonth::new(2025, 1).unwrap()).unwrap();
            let expected: i64 = records.iter().map(|r| r.net_income().0).sum();
            prop_assert_eq!(w.income.net_income(), Fen(expected));
        }

        #[test]
        fn an_amount_shown_reads_back_to_the_same_fen(f in -(1i64 << 50)..(1i64 << 50)) {
            prop_assert_eq!(Fen::parse_yuan(&yuan_text(Fen(f))), Ok(Fen(f)));
        }

        #[test]
        fn the_figure_is_the_sum_in_fen_of_its_records_shared_to_the_fen(
            amounts in proptest::collection::vec((0i64..=MAX_AMOUNT.0, 0i64..=MAX_AMOUNT.0 / 4), 4),
            size in 1i64..=MAX_HOUSEHOLD_SIZE,
            with_year_row in any::<bool>(),
        ) {
            let mut records: Vec<Income> = amounts.iter().enumerate()
                .map(|(q, &(w, c))| Income {
                    wages: Fen(w),
                    production_costs: Fen(c),
                    ..Income::empty(IncomePeriod::quarter(2025, q as u8 + 1))
                })
                .collect();
            let year_row = Income { transfers: Fen(amounts[0].0), ..Income::empty(IncomePeriod::year(2026)) };
            if with_year_row {
                records.push(year_row);
            }
            let f = household_income(&records, 2026, YearMonth::new(2026, 2).unwrap(), size).unwrap();
            let net: i64 = if with_year_row {
                amounts[0].0
            } else {
                amounts.iter().map(|(w, c)| w - c).sum()
            };
            prop_assert_eq!(f.net_income(), Fen(net));
            let pc = f.per_capita.unwrap().0;
            // half away from zero: |pc·size − net| ≤ size/2, ties away from zero
            let diff = i128::from(pc) * i128::from(size) - i128::from(net);
            prop_assert!(diff.abs() * 2 <= i128::from(size));
            if diff.abs() * 2 == i128::from(size) {
                prop_assert_eq!(diff.signum(), i128::from(net.signum()));
            }
        }

        #[test]
        fn validation_never_panics(v in proptest::collection::vec(any::<i64>(), 7), size in any::<i64>(), q in any::<u8>()) {
            let i = Income {
                period: IncomePeriod::quarter(2025, q),
                wages: Fen(v[0]), business: Fen(v[1]), property: Fen(v[2]), transfers: Fen(v[3]),
                production_costs: Fen(v[4]), insurance_payouts: Fen(v[5]), out_of_pocket_medical: Fen(v[6]),
            };
            let _ = validate_income(&i, size);
            let _ = i.explain(size);
        }
    }
}
