//! Yearly monitoring standards (监测标准): the monitoring line (监测线), warning thresholds and
//! deadlines, per year and region, inherited downward (province → city → county).
//!
//! A [`Standard`] is a partial record: a province sets every field; a city or county sets only what
//! it overrides. [`resolve`] merges them for one region and year, field by field:
//!
//! * only standards of the region's ancestors (or the region itself) and of years up to the asked
//!   year take part;
//! * the **newest year wins first**, then the **most specific region** within that year. So a
//!   province's new line for 2025 replaces a county's 2024 override (a county line set against the
//!   2024 provincial floor may lie below the 2025 one), while a county's 2025 override beats the
//!   province's 2025 value;
//! * a year without its own standard uses the most recent previous year's value ("目前仍按上年
//!   监测标准，新标准确定后执行新标准", domain-research §2.1);
//! * fields nobody set take the defaults of [`StandardDefaults`], which follow the national guide
//!   where one exists (15-day identification, ≥5-day notice, ≥6 months before elimination) and say
//!   so where they are ours. The monitoring line has no default: without it there is no standard.

use crate::money::Fen;
use crate::problem::{Problem, ProblemCode};
use crate::region::{RegionCode, RegionLevel};
use crate::screening::level::WarningScheme;
use serde::{Deserialize, Serialize};

/// One region's standard for one year (监测标准), possibly partial (an override).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// 年度
    pub year: i32,
    /// The province, city or county it applies to (a region-code prefix)
    pub region: RegionCode,
    /// 文号 of the notice that set it, e.g. `云农办通〔2025〕1号`
    #[serde(default)]
    pub document: String,
    /// 监测线 / 监测范围: per-capita net income line, 分 per person per year (2025 云南: 870,000)
    #[serde(default)]
    pub monitoring_line: Option<Fen>,
    /// 临界线幅度: "near the line" means at most this many percent above it
    #[serde(default)]
    pub near_line_percent: Option<i64>,
    /// 收入骤降幅度: per-capita net income fallen by more than this percent from the previous year
    #[serde(default)]
    pub income_drop_percent: Option<i64>,
    /// 刚性支出占比: 合规自付支出 above this percent of household net income
    #[serde(default)]
    pub rigid_expenditure_percent: Option<i64>,
    /// 刚性支出金额: 合规自付支出 above this amount per household and year
    #[serde(default)]
    pub rigid_expenditure_amount: Option<Fen>,
    /// 非义务教育阶段费用: self-paid non-compulsory schooling costs above this amount per year
    #[serde(default)]
    pub schooling_cost_threshold: Option<Fen>,
    /// 识别认定时限: days from a lead to the identification decision
    #[serde(default)]
    pub identification_days: Option<i64>,
    /// 公示天数: minimum days of the village public notice
    #[serde(default)]
    pub notice_min_days: Option<i64>,
    /// 帮扶措施落实时限: days after identification by which measures must be in place
    #[serde(default)]
    pub measures_days: Option<i64>,
    /// 按工作日计算时限: the procedure's days are working days (some provinces count 20 or 25
    /// working days); otherwise calendar days
    #[serde(default)]
    pub working_days: Option<bool>,
    /// 入户核实时限: days from the lead to the home verification
    #[serde(default)]
    pub verification_days: Option<i64>,
    /// 民主评议时限: days from the verification to the village appraisal (and its notice)
    #[serde(default)]
    pub appraisal_days: Option<i64>,
    /// 乡镇审核时限: days from the end of the notice to the township review
    #[serde(default)]
    pub township_review_days: Option<i64>,
    /// 县级审定时限: days from the township review to the county decision
    #[serde(default)]
    pub county_decision_days: Option<i64>,
    /// 风险消除最短监测期: months between identification and elimination, at least
    #[serde(default)]
    pub elimination_min_months: Option<i64>,
    /// 开发式帮扶措施时限: a household with labour capacity needs a development measure (产业, 就业, 金融, 公益岗位) this many months after identification
    #[serde(default)]
    pub development_months: Option<i64>,
    /// 收入稳定期: months the per-capita income must have stayed above the line before elimination
    #[serde(default)]
    pub income_stable_months: Option<i64>,
    /// 村党支部书记走访周期: 村党支部书记 visits each 脱贫 and monitored household of the village every this many months
    #[serde(default)]
    pub secretary_visit_months: Option<i64>,
    /// 乡镇党委书记走访周期: 乡镇党委书记 visits each monitored household of the township every this many months
    #[serde(default)]
    pub party_secretary_visit_months: Option<i64>,
    /// 帮扶责任人走访周期: 帮扶责任人 visits each paired household every this many months
    #[serde(default)]
    pub helper_visit_months: Option<i64>,
    /// 家庭签约医生走访周期: 家庭签约医生 visits each paired household every this many months
    #[serde(default)]
    pub doctor_visit_months: Option<i64>,
    /// 上年农村居民人均可支配收入: the previous year's rural per-capita disposable income, 分 (the 医保 alert's base)
    #[serde(default)]
    pub rural_income: Option<Fen>,
    /// 医保预警比例（脱贫、监测人口）: a 脱贫 or monitored person's cumulative 合规自付 above this percent of `rural_income` alerts
    #[serde(default)]
    pub medical_percent_registered: Option<i64>,
    /// 医保预警比例（其他人口）: the same for other persons
    #[serde(default)]
    pub medical_percent_others: Option<i64>,
    /// 医保预警金额（脱贫、监测人口）: or above this amount, 分
    #[serde(default)]
    pub medical_amount_registered: Option<Fen>,
    /// 医保预警金额（其他人口）: the same for other persons, 分
    #[serde(default)]
    pub medical_amount_others: Option<Fen>,
    /// 应急预警金额: a disaster loss above this alerts, 分
    #[serde(default)]
    pub disaster_loss_threshold: Option<Fen>,
    /// 自主申报受理时限: working days to verify a household's self-report
    #[serde(default)]
    pub self_report_days: Option<i64>,
    /// 农村居民人均可支配收入增速: the rural per-capita disposable income growth, ‰, that 脱贫 and
    /// monitored persons' per-capita net income growth must beat (促增收)
    #[serde(default)]
    pub rural_income_growth_permille: Option<i64>,
    /// 低收入监测线: per-capita net income below this puts a household on the low-income ledger, 分
    #[serde(default)]
    pub low_income_watch: Option<Fen>,
    /// 县定增收目标: the county's per-capita net income target (e.g. 8,500 元), 分
    #[serde(default)]
    pub income_target: Option<Fen>,
    /// 预警方案: response days per warning level
    #[serde(default)]
    pub warning_scheme: Option<WarningScheme>,
}

impl Standard {
    /// A standard for `region` and `year` that sets nothing yet.
    pub fn empty(year: i32, region: RegionCode) -> Standard {
        Standard {
            year,
            region,
            document: String::new(),
            monitoring_line: None,
            near_line_percent: None,
            income_drop_percent: None,
            rigid_expenditure_percent: None,
            rigid_expenditure_amount: None,
            schooling_cost_threshold: None,
            identification_days: None,
            notice_min_days: None,
            measures_days: None,
            working_days: None,
            verification_days: None,
            appraisal_days: None,
            township_review_days: None,
            county_decision_days: None,
            elimination_min_months: None,
            development_months: None,
            income_stable_months: None,
            secretary_visit_months: None,
            party_secretary_visit_months: None,
            helper_visit_months: None,
            doctor_visit_months: None,
            rural_income: None,
            medical_percent_registered: None,
            medical_percent_others: None,
            medical_amount_registered: None,
            medical_amount_others: None,
            disaster_loss_threshold: None,
            self_report_days: None,
            rural_income_growth_permille: None,
            low_income_watch: None,
            income_target: None,
            warning_scheme: None,
        }
    }

    /// A complete provincial standard: `line` and every other field at its default.
    pub fn provincial(year: i32, province: RegionCode, line: Fen) -> Standard {
        let d = StandardDefaults::DEFAULT;
        Standard {
            monitoring_line: Some(line),
            near_line_percent: Some(d.near_line_percent),
            income_drop_percent: Some(d.income_drop_percent),
            rigid_expenditure_percent: Some(d.rigid_expenditure_percent),
            rigid_expenditure_amount: Some(d.rigid_expenditure_amount),
            schooling_cost_threshold: Some(d.schooling_cost_threshold),
            identification_days: Some(d.identification_days),
            notice_min_days: Some(d.notice_min_days),
            measures_days: Some(d.measures_days),
            working_days: Some(d.working_days),
            verification_days: Some(d.verification_days),
            appraisal_days: Some(d.appraisal_days),
            township_review_days: Some(d.township_review_days),
            county_decision_days: Some(d.county_decision_days),
            elimination_min_months: Some(d.elimination_min_months),
            development_months: Some(d.development_months),
            income_stable_months: Some(d.income_stable_months),
            secretary_visit_months: Some(d.secretary_visit_months),
            party_secretary_visit_months: Some(d.party_secretary_visit_months),
            helper_visit_months: Some(d.helper_visit_months),
            doctor_visit_months: Some(d.doctor_visit_months),
            rural_income: Some(d.rural_income),
            medical_percent_registered: Some(d.medical_percent_registered),
            medical_percent_others: Some(d.medical_percent_others),
            medical_amount_registered: Some(d.medical_amount_registered),
            medical_amount_others: Some(d.medical_amount_others),
            disaster_loss_threshold: Some(d.disaster_loss_threshold),
            self_report_days: Some(d.self_report_days),
            rural_income_growth_permille: Some(d.rural_income_growth_permille),
            low_income_watch: Some(d.low_income_watch),
            income_target: Some(d.income_target),
            warning_scheme: Some(d.warning_scheme),
            ..Standard::empty(year, province)
        }
    }
}

/// The values used for fields no standard in the chain sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandardDefaults {
    pub near_line_percent: i64,
    pub income_drop_percent: i64,
    pub rigid_expenditure_percent: i64,
    pub rigid_expenditure_amount: Fen,
    pub schooling_cost_threshold: Fen,
    pub identification_days: i64,
    pub notice_min_days: i64,
    pub measures_days: i64,
    pub working_days: bool,
    pub verification_days: i64,
    pub appraisal_days: i64,
    pub township_review_days: i64,
    pub county_decision_days: i64,
    pub elimination_min_months: i64,
    pub development_months: i64,
    pub income_stable_months: i64,
    pub secretary_visit_months: i64,
    pub party_secretary_visit_months: i64,
    pub helper_visit_months: i64,
    pub doctor_visit_months: i64,
    pub rural_income: Fen,
    pub medical_percent_registered: i64,
    pub medical_percent_others: i64,
    pub medical_amount_registered: Fen,
    pub medical_amount_others: Fen,
    pub disaster_loss_threshold: Fen,
    pub self_report_days: i64,
    pub rural_income_growth_permille: i64,
    pub low_income_watch: Fen,
    pub income_target: Fen,
    pub warning_scheme: WarningScheme,
}

impl StandardDefaults {
    /// * near line 10 %, income drop 30 %: ours (no national figure; counties set them);
    /// * rigid expenditure 50 % of household net income or 20,000 元: the 医保 alert practice of
    ///   50 % and the 20,000 元 inpatient threshold for non-registered households (research §4);
    /// * non-compulsory schooling 10,000 元 per school year (教育 practice, research §4);
    /// * 15 days lead → identification, notice ≥ 5 days, elimination ≥ 6 months: national guide;
    /// * measures within 10 days: from the issue (no national text found, research §12.3);
    /// * the steps within the 15 days: home check 3 days (one county's rule, research §5), appraisal
    ///   2, notice 5, township 2, county 3 (ours: they add up to the 15); calendar days;
    /// * rural disposable income 23,119 元 (the national 2024 figure; a province sets its own);
    ///   医保 alerts at 50 % of it or 5,000 元 for 脱贫 and monitored persons, 100 % or 20,000 元 for
    ///   others (research §4: Yangyuan's percentages, one county's fixed amounts);
    /// * a disaster loss of 10,000 元 and self-reports verified within 2 working days: ours (the
    ///   issue; no national figure found);
    /// * rural income growth 6.6 % (66 ‰, the national 2024 nominal growth of rural per-capita
    ///   disposable income), the low-income watch line 10,000 元 (seed 002: "人均纯收入低于1万元的
    ///   脱贫人口") and the county target 8,500 元 (seed 004: "努力消除人均纯收入低于8500元的群体").
    pub const DEFAULT: StandardDefaults = StandardDefaults {
        near_line_percent: 10,
        income_drop_percent: 30,
        rigid_expenditure_percent: 50,
        rigid_expenditure_amount: Fen(2_000_000),
        schooling_cost_threshold: Fen(1_000_000),
        identification_days: 15,
        notice_min_days: 5,
        measures_days: 10,
        working_days: false,
        verification_days: 3,
        appraisal_days: 2,
        township_review_days: 2,
        county_decision_days: 3,
        elimination_min_months: 6,
        development_months: 6,
        income_stable_months: 6,
        secretary_visit_months: 1,
        party_secretary_visit_months: 6,
        helper_visit_months: 1,
        doctor_visit_months: 1,
        rural_income: Fen(2_311_900),
        medical_percent_registered: 50,
        medical_percent_others: 100,
        medical_amount_registered: Fen(500_000),
        medical_amount_others: Fen(2_000_000),
        disaster_loss_threshold: Fen(1_000_000),
        self_report_days: 2,
        rural_income_growth_permille: 66,
        low_income_watch: Fen(1_000_000),
        income_target: Fen(850_000),
        warning_scheme: WarningScheme {
            red_days: 3,
            yellow_days: 7,
            blue_days: 15,
        },
    };
}

/// Where a resolved field's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldOrigin {
    pub field: &'static str,
    /// The standard that set it (region, year), or `None` for the built-in default
    pub from: Option<(RegionCode, i32)>,
}

/// A complete standard for one region and year, every field decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResolvedStandard {
    pub year: i32,
    pub region: RegionCode,
    /// 监测线, 分 per person per year
    pub monitoring_line: Fen,
    pub near_line_percent: i64,
    pub income_drop_percent: i64,
    pub rigid_expenditure_percent: i64,
    pub rigid_expenditure_amount: Fen,
    pub schooling_cost_threshold: Fen,
    pub identification_days: i64,
    pub notice_min_days: i64,
    pub measures_days: i64,
    pub working_days: bool,
    pub verification_days: i64,
    pub appraisal_days: i64,
    pub township_review_days: i64,
    pub county_decision_days: i64,
    pub elimination_min_months: i64,
    pub development_months: i64,
    pub income_stable_months: i64,
    pub secretary_visit_months: i64,
    pub party_secretary_visit_months: i64,
    pub helper_visit_months: i64,
    pub doctor_visit_months: i64,
    pub rural_income: Fen,
    pub medical_percent_registered: i64,
    pub medical_percent_others: i64,
    pub medical_amount_registered: Fen,
    pub medical_amount_others: Fen,
    pub disaster_loss_threshold: Fen,
    pub self_report_days: i64,
    pub rural_income_growth_permille: i64,
    pub low_income_watch: Fen,
    pub income_target: Fen,
    pub warning_scheme: WarningScheme,
    /// Where each field came from, for the admin page ("继承自 53 云南省 2025年")
    pub origins: Vec<FieldOrigin>,
}

impl ResolvedStandard {
    /// The same standard with another monitoring line (what-if: "line=9200").
    pub fn with_line(&self, line: Fen) -> ResolvedStandard {
        ResolvedStandard {
            monitoring_line: line,
            ..self.clone()
        }
    }

    /// Range checks of every value, as for a [`Standard`].
    pub fn validate(&self) -> Vec<Problem> {
        let as_standard = Standard {
            year: self.year,
            region: self.region.clone(),
            document: String::new(),
            monitoring_line: Some(self.monitoring_line),
            near_line_percent: Some(self.near_line_percent),
            income_drop_percent: Some(self.income_drop_percent),
            rigid_expenditure_percent: Some(self.rigid_expenditure_percent),
            rigid_expenditure_amount: Some(self.rigid_expenditure_amount),
            schooling_cost_threshold: Some(self.schooling_cost_threshold),
            identification_days: Some(self.identification_days),
            notice_min_days: Some(self.notice_min_days),
            measures_days: Some(self.measures_days),
            working_days: Some(self.working_days),
            verification_days: Some(self.verification_days),
            appraisal_days: Some(self.appraisal_days),
            township_review_days: Some(self.township_review_days),
            county_decision_days: Some(self.county_decision_days),
            elimination_min_months: Some(self.elimination_min_months),
            development_months: Some(self.development_months),
            income_stable_months: Some(self.income_stable_months),
            secretary_visit_months: Some(self.secretary_visit_months),
            party_secretary_visit_months: Some(self.party_secretary_visit_months),
            helper_visit_months: Some(self.helper_visit_months),
            doctor_visit_months: Some(self.doctor_visit_months),
            rural_income: Some(self.rural_income),
            medical_percent_registered: Some(self.medical_percent_registered),
            medical_percent_others: Some(self.medical_percent_others),
            medical_amount_registered: Some(self.medical_amount_registered),
            medical_amount_others: Some(self.medical_amount_others),
            disaster_loss_threshold: Some(self.disaster_loss_threshold),
            self_report_days: Some(self.self_report_days),
            rural_income_growth_permille: Some(self.rural_income_growth_permille),
            low_income_watch: Some(self.low_income_watch),
            income_target: Some(self.income_target),
            warning_scheme: Some(self.warning_scheme),
        };
        validate_values(&as_standard)
    }
}

/// Picks, per field, the value of the first standard in `chain` (already ordered by priority).
fn pick<T: Clone>(
    chain: &[&Standard],
    field: &'static str,
    get: impl Fn(&Standard) -> Option<T>,
    default: T,
    origins: &mut Vec<FieldOrigin>,
) -> T {
    for s in chain {
        if let Some(v) = get(s) {
            origins.push(FieldOrigin {
                field,
                from: Some((s.region.clone(), s.year)),
            });
            return v;
        }
    }
    origins.push(FieldOrigin { field, from: None });
    default
}

/// The standard in force for `region` in `year` (see the module documentation for the order).
/// `None` when no monitoring line is set for the region in that year or any earlier one.
pub fn resolve(standards: &[Standard], region: &RegionCode, year: i32) -> Option<ResolvedStandard> {
    let mut chain: Vec<&Standard> = standards
        .iter()
        .filter(|s| s.year <= year && s.region.contains(region))
        .collect();
    // newest year first, then the most specific region; stable, so input order breaks ties
    chain.sort_by(|a, b| {
        b.year
            .cmp(&a.year)
            .then(b.region.as_str().len().cmp(&a.region.as_str().len()))
    });
    let d = StandardDefaults::DEFAULT;
    let mut origins = Vec::with_capacity(11);
    let line_source = chain.iter().find(|s| s.monitoring_line.is_some())?;
    let monitoring_line = line_source.monitoring_line?;
    origins.push(FieldOrigin {
        field: "monitoring_line",
        from: Some((line_source.region.clone(), line_source.year)),
    });
    let o = &mut origins;
    Some(ResolvedStandard {
        year,
        region: region.clone(),
        monitoring_line,
        near_line_percent: pick(
            &chain,
            "near_line_percent",
            |s| s.near_line_percent,
            d.near_line_percent,
            o,
        ),
        income_drop_percent: pick(
            &chain,
            "income_drop_percent",
            |s| s.income_drop_percent,
            d.income_drop_percent,
            o,
        ),
        rigid_expenditure_percent: pick(
            &chain,
            "rigid_expenditure_percent",
            |s| s.rigid_expenditure_percent,
            d.rigid_expenditure_percent,
            o,
        ),
        rigid_expenditure_amount: pick(
            &chain,
            "rigid_expenditure_amount",
            |s| s.rigid_expenditure_amount,
            d.rigid_expenditure_amount,
            o,
        ),
        schooling_cost_threshold: pick(
            &chain,
            "schooling_cost_threshold",
            |s| s.schooling_cost_threshold,
            d.schooling_cost_threshold,
            o,
        ),
        identification_days: pick(
            &chain,
            "identification_days",
            |s| s.identification_days,
            d.identification_days,
            o,
        ),
        notice_min_days: pick(
            &chain,
            "notice_min_days",
            |s| s.notice_min_days,
            d.notice_min_days,
            o,
        ),
        measures_days: pick(
            &chain,
            "measures_days",
            |s| s.measures_days,
            d.measures_days,
            o,
        ),
        working_days: pick(
            &chain,
            "working_days",
            |s| s.working_days,
            d.working_days,
            o,
        ),
        verification_days: pick(
            &chain,
            "verification_days",
            |s| s.verification_days,
            d.verification_days,
            o,
        ),
        appraisal_days: pick(
            &chain,
            "appraisal_days",
            |s| s.appraisal_days,
            d.appraisal_days,
            o,
        ),
        township_review_days: pick(
            &chain,
            "township_review_days",
            |s| s.township_review_days,
            d.township_review_days,
            o,
        ),
        county_decision_days: pick(
            &chain,
            "county_decision_days",
            |s| s.county_decision_days,
            d.county_decision_days,
            o,
        ),
        elimination_min_months: pick(
            &chain,
            "elimination_min_months",
            |s| s.elimination_min_months,
            d.elimination_min_months,
            o,
        ),
        development_months: pick(
            &chain,
            "development_months",
            |s| s.development_months,
            d.development_months,
            o,
        ),
        income_stable_months: pick(
            &chain,
            "income_stable_months",
            |s| s.income_stable_months,
            d.income_stable_months,
            o,
        ),
        secretary_visit_months: pick(
            &chain,
            "secretary_visit_months",
            |s| s.secretary_visit_months,
            d.secretary_visit_months,
            o,
        ),
        party_secretary_visit_months: pick(
            &chain,
            "party_secretary_visit_months",
            |s| s.party_secretary_visit_months,
            d.party_secretary_visit_months,
            o,
        ),
        helper_visit_months: pick(
            &chain,
            "helper_visit_months",
            |s| s.helper_visit_months,
            d.helper_visit_months,
            o,
        ),
        doctor_visit_months: pick(
            &chain,
            "doctor_visit_months",
            |s| s.doctor_visit_months,
            d.doctor_visit_months,
            o,
        ),
        rural_income: pick(
            &chain,
            "rural_income",
            |s| s.rural_income,
            d.rural_income,
            o,
        ),
        medical_percent_registered: pick(
            &chain,
            "medical_percent_registered",
            |s| s.medical_percent_registered,
            d.medical_percent_registered,
            o,
        ),
        medical_percent_others: pick(
            &chain,
            "medical_percent_others",
            |s| s.medical_percent_others,
            d.medical_percent_others,
            o,
        ),
        medical_amount_registered: pick(
            &chain,
            "medical_amount_registered",
            |s| s.medical_amount_registered,
            d.medical_amount_registered,
            o,
        ),
        medical_amount_others: pick(
            &chain,
            "medical_amount_others",
            |s| s.medical_amount_others,
            d.medical_amount_others,
            o,
        ),
        disaster_loss_threshold: pick(
            &chain,
            "disaster_loss_threshold",
            |s| s.disaster_loss_threshold,
            d.disaster_loss_threshold,
            o,
        ),
        self_report_days: pick(
            &chain,
            "self_report_days",
            |s| s.self_report_days,
            d.self_report_days,
            o,
        ),
        rural_income_growth_permille: pick(
            &chain,
            "rural_income_growth_permille",
            |s| s.rural_income_growth_permille,
            d.rural_income_growth_permille,
            o,
        ),
        low_income_watch: pick(
            &chain,
            "low_income_watch",
            |s| s.low_income_watch,
            d.low_income_watch,
            o,
        ),
        income_target: pick(
            &chain,
            "income_target",
            |s| s.income_target,
            d.income_target,
            o,
        ),
        warning_scheme: pick(
            &chain,
            "warning_scheme",
            |s| s.warning_scheme,
            d.warning_scheme,
            o,
        ),
        origins,
    })
}

/// [`resolve`], with the problem to show when there is no line.
pub fn resolve_checked(
    standards: &[Standard],
    region: &RegionCode,
    year: i32,
) -> Result<ResolvedStandard, Problem> {
    resolve(standards, region, year).ok_or_else(|| {
        Problem::new(
            ProblemCode::StandardLineMissing,
            "monitoring_line",
            format!("{region}在{year}年及以前没有设定监测线"),
            format!("no monitoring line is set for {region} in {year} or earlier"),
        )
    })
}

fn range_problem(
    field: &str,
    label_zh: &str,
    v: i64,
    lo: i64,
    hi: i64,
    unit_zh: &str,
    unit_en: &str,
) -> Option<Problem> {
    (!(lo..=hi).contains(&v)).then(|| {
        Problem::new(
            ProblemCode::StandardRange,
            field,
            format!("{label_zh}应在{lo}至{hi}{unit_zh}之间，而不是{v}{unit_zh}"),
            format!("{field} must be between {lo} and {hi} {unit_en}, not {v}"),
        )
    })
}

fn amount_problem(field: &str, label_zh: &str, v: Fen, max_yuan: i64) -> Option<Problem> {
    (v.0 <= 0 || v > Fen::from_yuan(max_yuan)).then(|| {
        Problem::new(
            ProblemCode::StandardAmountRange,
            field,
            format!("{label_zh}应大于0且不超过{max_yuan}元，而不是{v}元"),
            format!("{field} must be above 0 and at most {max_yuan} yuan, not {v}"),
        )
    })
}

fn validate_values(s: &Standard) -> Vec<Problem> {
    let mut out = Vec::new();
    if !(2000..=2100).contains(&s.year) {
        out.push(Problem::new(
            ProblemCode::StandardYear,
            "year",
            format!("年度{}不在2000–2100之间", s.year),
            format!("year {} is outside 2000–2100", s.year),
        ));
    }
    if let Some(line) = s.monitoring_line {
        if line.0 <= 0 {
            out.push(Problem::new(
                ProblemCode::StandardLineNotPositive,
                "monitoring_line",
                format!("监测线应大于0，而不是{line}元"),
                format!("the monitoring line must be above 0, not {line} yuan"),
            ));
        } else if line > Fen::from_yuan(100_000) {
            // the highest line found is 19,560 元 (德化 2024); 100,000 元 leaves room and catches 分 typed as 元
            out.push(Problem::new(
                ProblemCode::StandardLineAbsurd,
                "monitoring_line",
                format!("监测线{line}元超过上限100000元，请检查"),
                format!("the monitoring line {line} yuan exceeds 100000 yuan; check it"),
            ));
        }
    }
    let percents = [
        (
            "near_line_percent",
            "临界线幅度",
            s.near_line_percent,
            0,
            100,
        ),
        (
            "income_drop_percent",
            "收入骤降幅度",
            s.income_drop_percent,
            1,
            100,
        ),
        // above 100 % is meaningful: "刚性支出明显超过上年度收入" (the 2020 rule, research §2.4)
        (
            "rigid_expenditure_percent",
            "刚性支出占比",
            s.rigid_expenditure_percent,
            1,
            300,
        ),
    ];
    for (field, zh, v, lo, hi) in percents {
        out.extend(v.and_then(|v| range_problem(field, zh, v, lo, hi, "%", "percent")));
    }
    out.extend(
        s.rigid_expenditure_amount.and_then(|v| {
            amount_problem("rigid_expenditure_amount", "刚性支出金额", v, 10_000_000)
        }),
    );
    out.extend(
        s.schooling_cost_threshold.and_then(|v| {
            amount_problem("schooling_cost_threshold", "非义务教育费用", v, 10_000_000)
        }),
    );
    let days = [
        (
            "identification_days",
            "识别认定时限",
            s.identification_days,
            5,
            60,
        ),
        ("notice_min_days", "公示天数", s.notice_min_days, 5, 30),
        ("measures_days", "帮扶措施落实时限", s.measures_days, 1, 60),
        (
            "verification_days",
            "入户核实时限",
            s.verification_days,
            1,
            30,
        ),
        ("appraisal_days", "民主评议时限", s.appraisal_days, 1, 30),
        (
            "township_review_days",
            "乡镇审核时限",
            s.township_review_days,
            1,
            30,
        ),
        (
            "county_decision_days",
            "县级审定时限",
            s.county_decision_days,
            1,
            30,
        ),
    ];
    for (field, zh, v, lo, hi) in days {
        out.extend(v.and_then(|v| range_problem(field, zh, v, lo, hi, "天", "days")));
    }
    out.extend(s.elimination_min_months.and_then(|v| {
        range_problem(
            "elimination_min_months",
            "最短监测期",
            v,
            6,
            36,
            "个月",
            "months",
        )
    }));
    out.extend(s.development_months.and_then(|v| {
        range_problem(
            "development_months",
            "开发式帮扶措施时限",
            v,
            1,
            24,
            "个月",
            "months",
        )
    }));
    out.extend(s.income_stable_months.and_then(|v| {
        range_problem(
            "income_stable_months",
            "收入稳定期",
            v,
            3,
            24,
            "个月",
            "months",
        )
    }));
    out.extend(s.secretary_visit_months.and_then(|v| {
        range_problem(
            "secretary_visit_months",
            "村党支部书记走访周期",
            v,
            1,
            12,
            "个月",
            "months",
        )
    }));
    out.extend(s.party_secretary_visit_months.and_then(|v| {
        range_problem(
            "party_secretary_visit_months",
            "乡镇党委书记走访周期",
            v,
            1,
            12,
            "个月",
            "months",
        )
    }));
    out.extend(s.helper_visit_months.and_then(|v| {
        range_problem(
            "helper_visit_months",
            "帮扶责任人走访周期",
            v,
            1,
            12,
            "个月",
            "months",
        )
    }));
    out.extend(s.doctor_visit_months.and_then(|v| {
        range_problem(
            "doctor_visit_months",
            "家庭签约医生走访周期",
            v,
            1,
            12,
            "个月",
            "months",
        )
    }));
    out.extend(
        s.rural_income
            .and_then(|v| amount_problem("rural_income", "上年农村居民人均可支配收入", v, 200000)),
    );
    out.extend(s.medical_percent_registered.and_then(|v| {
        range_problem(
            "medical_percent_registered",
            "医保预警比例（脱贫、监测人口）",
            v,
            1,
            300,
            "%",
            "percent",
        )
    }));
    out.extend(s.medical_percent_others.and_then(|v| {
        range_problem(
            "medical_percent_others",
            "医保预警比例（其他人口）",
            v,
            1,
            300,
            "%",
            "percent",
        )
    }));
    out.extend(s.medical_amount_registered.and_then(|v| {
        amount_problem(
            "medical_amount_registered",
            "医保预警金额（脱贫、监测人口）",
            v,
            1000000,
        )
    }));
    out.extend(s.medical_amount_others.and_then(|v| {
        amount_problem(
            "medical_amount_others",
            "医保预警金额（其他人口）",
            v,
            1000000,
        )
    }));
    out.extend(
        s.disaster_loss_threshold.and_then(|v| {
            amount_problem("disaster_loss_threshold", "灾害损失预警金额", v, 10000000)
        }),
    );
    out.extend(s.self_report_days.and_then(|v| {
        range_problem(
            "self_report_days",
            "自主申报受理时限",
            v,
            1,
            30,
            "个工作日",
            "working days",
        )
    }));
    out.extend(s.rural_income_growth_permille.and_then(|v| {
        range_problem(
            "rural_income_growth_permille",
            "农村居民人均可支配收入增速",
            v,
            -200,
            300,
            "‰",
            "permille",
        )
    }));
    out.extend(
        s.low_income_watch
            .and_then(|v| amount_problem("low_income_watch", "低收入监测线", v, 100000)),
    );
    out.extend(
        s.income_target
            .and_then(|v| amount_problem("income_target", "县定增收目标", v, 100000)),
    );
    if let (Some(id), Some(notice)) = (s.identification_days, s.notice_min_days) {
        if notice > id {
            out.push(Problem::new(
                ProblemCode::StandardNoticeLongerThanIdentification,
                "notice_min_days",
                format!("公示天数{notice}天不能超过识别认定时限{id}天"),
                format!("the notice ({notice} days) cannot outlast the identification limit ({id} days)"),
            ));
        }
    }
    if let Some(w) = s.warning_scheme {
        out.extend(w.validate("warning_scheme"));
    }
    out
}

/// Validates one standard as entered on the admin page: region level, year, every value's range;
/// a province's standard (the root of inheritance) must set the monitoring line.
pub fn validate_standard(s: &Standard) -> Vec<Problem> {
    let mut out = Vec::new();
    let level = s.region.level();
    if !matches!(
        level,
        RegionLevel::Province | RegionLevel::City | RegionLevel::County
    ) {
        out.push(Problem::new(
            ProblemCode::StandardRegionLevel,
            "region",
            format!(
                "监测标准只能按省、市、县设定，{}是{}级代码",
                s.region,
                level.label_zh()
            ),
            format!(
                "standards are set per province, city or county; {} is below county level",
                s.region
            ),
        ));
    }
    if level == RegionLevel::Province && s.monitoring_line.is_none() {
        out.push(Problem::new(
            ProblemCode::StandardLineMissing,
            "monitoring_line",
            "省级监测标准必须设定监测线",
            "a provincial standard must set the monitoring line",
        ));
    }
    out.extend(validate_values(s));
    out
}

/// Validates a set of standards: each one, and no region with two standards for the same year.
pub fn validate_standards(standards: &[Standard]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, s) in standards.iter().enumerate() {
        out.extend(
            validate_standard(s)
                .into_iter()
                .map(|p| p.under(&format!("standards[{i}]"))),
        );
        if standards[..i]
            .iter()
            .any(|o| o.year == s.year && o.region == s.region)
        {
            out.push(Problem::new(
                ProblemCode::StandardDuplicate,
                format!("standards[{i}]"),
                format!("{}在{}年已有监测标准", s.region, s.year),
                format!("{} already has a standard for {}", s.region, s.year),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(t: &str) -> RegionCode {
        RegionCode::parse(t).unwrap()
    }

    fn yunnan_2025() -> Standard {
        Standard {
            document: "云农办通〔2025〕1号".into(),
            ..Standard::provincial(2025, code("53"), Fen::from_yuan(8_700))
        }
    }

    #[test]
    fn a_village_gets_its_provinces_line() {
        let r = resolve(&[yunnan_2025()], &code("530129101201"), 2025).unwrap();
        assert_eq!(r.monitoring_line, Fen(870_000));
        assert_eq!(r.identification_days, 15);
        assert_eq!(r.origins[0].from, Some((code("53"), 2025)));
    }

    #[test]
    fn a_county_override_beats_its_province_in_the_same_year() {
        let county = Standard {
            monitoring_line: Some(Fen::from_yuan(9_000)),
            ..Standard::empty(2025, code("530129"))
        };
        let city = Standard {
            near_line_percent: Some(15),
            ..Standard::empty(2025, code("5301"))
        };
        let all = [yunnan_2025(), county, city];
        let r = resolve(&all, &code("530129101201"), 2025).unwrap();
        assert_eq!(r.monitoring_line, Fen::from_yuan(9_000));
        assert_eq!(r.near_line_percent, 15);
        assert_eq!(r.income_drop_percent, 30);
        // a neighbouring county keeps the provincial line
        let r = resolve(&all, &code("530128"), 2025).unwrap();
        assert_eq!(r.monitoring_line, Fen::from_yuan(8_700));
        assert_eq!(r.near_line_percent, 15);
        // another city entirely
        assert_eq!(
            resolve(&all, &code("5303"), 2025)
                .unwrap()
                .near_line_percent,
            10
        );
    }

    #[test]
    fn a_year_without_its_own_standard_uses_the_previous_years() {
        let all = [
            Standard::provincial(2024, code("53"), Fen::from_yuan(8_500)),
            yunnan_2025(),
        ];
        assert_eq!(
            resolve(&all, &code("530129"), 2026)
                .unwrap()
                .monitoring_line,
            Fen::from_yuan(8_700)
        );
        assert_eq!(
            resolve(&all, &code("530129"), 2024)
                .unwrap()
                .monitoring_line,
            Fen::from_yuan(8_500)
        );
        assert_eq!(resolve(&all, &code("530129"), 2023), None);
        assert_eq!(
            resolve_checked(&all, &code("530129"), 2023)
                .unwrap_err()
                .code,
            ProblemCode::StandardLineMissing
        );
        assert_eq!(resolve(&all, &code("51"), 2025), None);
    }

    #[test]
    fn a_new_provincial_line_replaces_last_years_county_override() {
        let county_2024 = Standard {
            monitoring_line: Some(Fen::from_yuan(8_600)),
            ..Standard::empty(2024, code("530129"))
        };
        let all = [
            Standard::provincial(2024, code("53"), Fen::from_yuan(8_500)),
            county_2024,
            yunnan_2025(),
        ];
        assert_eq!(
            resolve(&all, &code("530129"), 2024)
                .unwrap()
                .monitoring_line,
            Fen::from_yuan(8_600)
        );
        let r = resolve(&all, &code("530129"), 2025).unwrap();
        assert_eq!(r.monitoring_line, Fen::from_yuan(8_700));
    }

    #[test]
    fn fields_nobody_set_take_the_defaults_and_say_so() {
        let only_line = Standard {
            monitoring_line: Some(Fen::from_yuan(8_700)),
            ..Standard::empty(2025, code("53"))
        };
        let r = resolve(&[only_line], &code("530129"), 2025).unwrap();
        assert_eq!(r.notice_min_days, 5);
        assert!(r
            .origins
            .iter()
            .any(|o| o.field == "notice_min_days" && o.from.is_none()));
        assert!(r.validate().is_empty());
    }

    #[test]
    fn a_provincial_standard_without_a_line_is_refused() {
        let s = Standard::empty(2025, code("53"));
        assert_eq!(
            validate_standard(&s)[0].code,
            ProblemCode::StandardLineMissing
        );
        // a county override may leave it to the province
        assert!(validate_standard(&Standard::empty(2025, code("530129"))).is_empty());
    }

    #[test]
    fn a_line_of_zero_or_an_absurd_line_is_refused() {
        let mut s = yunnan_2025();
        s.monitoring_line = Some(Fen(0));
        assert_eq!(
            validate_standard(&s)[0].code,
            ProblemCode::StandardLineNotPositive
        );
        s.monitoring_line = Some(Fen::from_yuan(870_000));
        assert_eq!(
            validate_standard(&s)[0].code,
            ProblemCode::StandardLineAbsurd
        );
    }

    #[test]
    fn percents_outside_their_range_are_refused() {
        let mut s = yunnan_2025();
        s.near_line_percent = Some(101);
        s.income_drop_percent = Some(-5);
        let fields: Vec<String> = validate_standard(&s).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["near_line_percent", "income_drop_percent"]);
        assert!(validate_standard(&yunnan_2025()).is_empty());
    }

    #[test]
    fn a_notice_shorter_than_five_days_is_refused() {
        let mut s = yunnan_2025();
        s.notice_min_days = Some(3);
        assert_eq!(validate_standard(&s)[0].field, "notice_min_days");
        s.notice_min_days = Some(20);
        s.identification_days = Some(15);
        assert_eq!(
            validate_standard(&s)[0].code,
            ProblemCode::StandardNoticeLongerThanIdentification
        );
    }

    #[test]
    fn a_county_sets_its_own_income_target_and_inherits_the_watch_line_and_growth() {
        let county = Standard {
            income_target: Some(Fen::from_yuan(9_000)),
            ..Standard::empty(2025, code("530129"))
        };
        let r = resolve(&[yunnan_2025(), county], &code("530129101201"), 2025).unwrap();
        assert_eq!(r.income_target, Fen::from_yuan(9_000));
        assert_eq!(r.low_income_watch, Fen::from_yuan(10_000));
        assert_eq!(r.rural_income_growth_permille, 66);
        assert!(r
            .origins
            .iter()
            .any(|o| o.field == "income_target" && o.from == Some((code("530129"), 2025))));
        let mut s = yunnan_2025();
        s.rural_income_growth_permille = Some(400);
        s.low_income_watch = Some(Fen(0));
        let fields: Vec<String> = validate_standard(&s).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["rural_income_growth_permille", "low_income_watch"]);
    }

    #[test]
    fn standards_below_county_level_and_duplicates_are_refused() {
        let township = Standard::empty(2025, code("530129101"));
        assert_eq!(
            validate_standard(&township)[0].code,
            ProblemCode::StandardRegionLevel
        );
        let problems = validate_standards(&[yunnan_2025(), yunnan_2025()]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, ProblemCode::StandardDuplicate);
    }
}
