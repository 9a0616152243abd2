//! 部门预警: whether a department's record of a member is a sign of risk, weighed against the year's
//! thresholds, with the evidence a cadre reads (department, row, date, amount, threshold).
//!
//! The rules, one per sign (codes stored with every alert):
//! - D01 医保: the year's cumulative 合规自付 (earlier batches and this one) above the lower of
//!   `medical_percent_*` % of last year's rural per-capita disposable income and
//!   `medical_amount_*` — the `registered` pair for a member of a 脱贫户 or a household in
//!   monitoring, the `others` pair for everyone else;
//! - D02 民政: newly on a roll (低保, 特困, 低保边缘, 刚性支出困难, 临时救助) the person was not on
//!   in an earlier batch, and the roll has not ended;
//! - D03 残联: a grade 1 or 2 disability not already known (earlier batches or the registry);
//! - D04 教育: a dropout of compulsory-school age (6 to 16 on the record's date, else today);
//! - D05 教育: an out-of-pocket school cost above `schooling_cost_threshold`;
//! - D06 住建: a house appraised grade C or D;
//! - D07 应急: a disaster loss above `disaster_loss_threshold`;
//! - D08 人社: an unemployed (or returned) person who is the household's only member able to work;
//! - D09 公安: a death (the registry is changed only when a cadre confirms it);
//! - D10 公安: a move out of the household registration.
//!
//! A person alerted once by a rule in a year is not alerted again by it that year
//! ([`PersonFacts::alerted`]); asset checks raise nothing.

use super::profile::{ProfileEdits, ThresholdKey};
use super::record::DeptRecord;
use super::{DeptKind, EmploymentStatus, HouseGrade, PoliceEvent, RollType, SchoolStatus};
use crate::date::Date;
use crate::money::Fen;
use crate::monitoring::RiskType;
use crate::screening::level::WarningLevel;
use crate::standard::ResolvedStandard;
use serde::{Deserialize, Serialize};

/// A department rule. Its code (`D01` …) is stored with every alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum DeptRule {
    MedicalCost,
    NewOnRoll,
    SevereDisability,
    Dropout,
    SchoolCost,
    DangerousHouse,
    DisasterLoss,
    OnlyWorkerUnemployed,
    Death,
    MoveOut,
}

impl DeptRule {
    pub const ALL: [DeptRule; 10] = [
        DeptRule::MedicalCost,
        DeptRule::NewOnRoll,
        DeptRule::SevereDisability,
        DeptRule::Dropout,
        DeptRule::SchoolCost,
        DeptRule::DangerousHouse,
        DeptRule::DisasterLoss,
        DeptRule::OnlyWorkerUnemployed,
        DeptRule::Death,
        DeptRule::MoveOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeptRule::MedicalCost => "D01",
            DeptRule::NewOnRoll => "D02",
            DeptRule::SevereDisability => "D03",
            DeptRule::Dropout => "D04",
            DeptRule::SchoolCost => "D05",
            DeptRule::DangerousHouse => "D06",
            DeptRule::DisasterLoss => "D07",
            DeptRule::OnlyWorkerUnemployed => "D08",
            DeptRule::Death => "D09",
            DeptRule::MoveOut => "D10",
        }
    }

    pub fn parse(code: &str) -> Option<DeptRule> {
        DeptRule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code.trim()))
    }

    /// A bit per rule, for [`PersonFacts::alerted`].
    pub fn bit(self) -> u16 {
        1 << (self as u8)
    }

    pub fn kind(self) -> DeptKind {
        match self {
            DeptRule::MedicalCost => DeptKind::Medical,
            DeptRule::NewOnRoll => DeptKind::Roster,
            DeptRule::SevereDisability => DeptKind::Disability,
            DeptRule::Dropout | DeptRule::SchoolCost => DeptKind::Education,
            DeptRule::DangerousHouse => DeptKind::Housing,
            DeptRule::DisasterLoss => DeptKind::Disaster,
            DeptRule::OnlyWorkerUnemployed => DeptKind::Employment,
            DeptRule::Death | DeptRule::MoveOut => DeptKind::Police,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DeptRule::MedicalCost => "医保：年度累计合规自付超过预警线",
            DeptRule::NewOnRoll => "民政：新纳入低保、特困等救助",
            DeptRule::SevereDisability => "残联：新增一、二级残疾",
            DeptRule::Dropout => "教育：义务教育阶段辍学",
            DeptRule::SchoolCost => "教育：就学自付费用超过预警线",
            DeptRule::DangerousHouse => "住建：房屋鉴定为C级或D级危房",
            DeptRule::DisasterLoss => "应急：灾害损失超过预警线",
            DeptRule::OnlyWorkerUnemployed => "人社：家庭唯一劳动力失业",
            DeptRule::Death => "公安：家庭成员死亡",
            DeptRule::MoveOut => "公安：家庭成员户籍迁出",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            DeptRule::MedicalCost => {
                "medical insurance: the year's out-of-pocket costs above the alert line"
            }
            DeptRule::NewOnRoll => "civil affairs: newly on a 低保, 特困 or related roll",
            DeptRule::SevereDisability => "disability: a new grade 1 or 2 disability",
            DeptRule::Dropout => "education: a dropout in compulsory education",
            DeptRule::SchoolCost => "education: out-of-pocket school costs above the alert line",
            DeptRule::DangerousHouse => "housing: a house appraised grade C or D",
            DeptRule::DisasterLoss => "emergency management: a disaster loss above the alert line",
            DeptRule::OnlyWorkerUnemployed => "employment: the household's only worker unemployed",
            DeptRule::Death => "public security: a member died",
            DeptRule::MoveOut => "public security: a member moved out",
        }
    }

    /// The risk a lead of this rule is about.
    pub fn risk(self) -> RiskType {
        match self {
            DeptRule::MedicalCost => RiskType::Illness,
            DeptRule::NewOnRoll => RiskType::Other,
            DeptRule::SevereDisability => RiskType::Disability,
            DeptRule::Dropout | DeptRule::SchoolCost => RiskType::Schooling,
            DeptRule::DangerousHouse => RiskType::UnsafeHousing,
            DeptRule::DisasterLoss => RiskType::NaturalDisaster,
            DeptRule::OnlyWorkerUnemployed => RiskType::UnstableEmployment,
            DeptRule::Death => RiskType::LackOfLabour,
            DeptRule::MoveOut => RiskType::Other,
        }
    }

    pub fn level(self) -> WarningLevel {
        match self {
            DeptRule::Dropout | DeptRule::DangerousHouse | DeptRule::DisasterLoss => {
                WarningLevel::Red
            }
            DeptRule::MedicalCost
            | DeptRule::SevereDisability
            | DeptRule::SchoolCost
            | DeptRule::OnlyWorkerUnemployed
            | DeptRule::Death => WarningLevel::Yellow,
            DeptRule::NewOnRoll | DeptRule::MoveOut => WarningLevel::Blue,
        }
    }
}

impl TryFrom<String> for DeptRule {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        DeptRule::parse(&s).ok_or_else(|| format!("unknown department rule {s}"))
    }
}
impl From<DeptRule> for &'static str {
    fn from(r: DeptRule) -> &'static str {
        r.code()
    }
}

/// The thresholds in force for a county's year: the standard's, with the county's profile edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub rural_income: Fen,
    pub medical_percent_registered: i64,
    pub medical_percent_others: i64,
    pub medical_amount_registered: Fen,
    pub medical_amount_others: Fen,
    pub schooling_cost: Fen,
    pub disaster_loss: Fen,
}

impl Thresholds {
    pub fn from_standard(s: &ResolvedStandard) -> Thresholds {
        Thresholds {
            rural_income: s.rural_income,
            medical_percent_registered: s.medical_percent_registered,
            medical_percent_others: s.medical_percent_others,
            medical_amount_registered: s.medical_amount_registered,
            medical_amount_others: s.medical_amount_others,
            schooling_cost: s.schooling_cost_threshold,
            disaster_loss: s.disaster_loss_threshold,
        }
    }

    /// The same with a profile's thresholds, where it sets them.
    pub fn with_edits(mut self, edits: &ProfileEdits) -> Thresholds {
        for (k, v) in &edits.thresholds {
            match k {
                ThresholdKey::MedicalPercentRegistered => self.medical_percent_registered = *v,
                ThresholdKey::MedicalPercentOthers => self.medical_percent_others = *v,
                ThresholdKey::MedicalAmountRegistered => self.medical_amount_registered = Fen(*v),
                ThresholdKey::MedicalAmountOthers => self.medical_amount_others = Fen(*v),
                ThresholdKey::SchoolingCost => self.schooling_cost = Fen(*v),
                ThresholdKey::DisasterLoss => self.disaster_loss = Fen(*v),
            }
        }
        self
    }

    /// The value a threshold has, as a page shows it (percent, or 分).
    pub fn value(&self, key: ThresholdKey) -> i64 {
        match key {
            ThresholdKey::MedicalPercentRegistered => self.medical_percent_registered,
            ThresholdKey::MedicalPercentOthers => self.medical_percent_others,
            ThresholdKey::MedicalAmountRegistered => self.medical_amount_registered.0,
            ThresholdKey::MedicalAmountOthers => self.medical_amount_others.0,
            ThresholdKey::SchoolingCost => self.schooling_cost.0,
            ThresholdKey::DisasterLoss => self.disaster_loss.0,
        }
    }

    /// The 医保 alert line of a person: the lower of the percent of the rural income and the
    /// fixed amount.
    pub fn medical_line(&self, registered: bool) -> Fen {
        let (pct, fixed) = if registered {
            (
                self.medical_percent_registered,
                self.medical_amount_registered,
            )
        } else {
            (self.medical_percent_others, self.medical_amount_others)
        };
        let by_income = Fen((i128::from(self.rural_income.0) * i128::from(pct) / 100) as i64);
        by_income.min(fixed)
    }
}

/// What is known of the person and the household a record matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PersonFacts {
    /// A member of a 脱贫户 or of a household with an open monitoring case
    pub registered: bool,
    /// Living members of the household able to work (this person included)
    pub able_workers: u16,
    /// The year's 合规自付 of earlier batches (not rolled back)
    pub earlier_medical: Fen,
    /// Rolls the person was on in earlier batches, as bits of `1 << RollType code`
    pub earlier_rolls: u16,
    /// A grade 1 or 2 disability already known (an earlier batch, or the registry's 残疾 with a
    /// grade-1/2 card)
    pub severe_disability_known: bool,
    /// The person's birth date (from the ID number)
    pub birth: Option<Date>,
    /// Rules that already alerted for this person this year ([`DeptRule::bit`])
    pub alerted: u16,
}

/// The evidence of an alert, stored with it and shown on the lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertEvidence {
    pub rule: DeptRule,
    pub kind: DeptKind,
    /// The row of the file (or place in the push) the record came from
    pub row: u64,
    /// Rows folded into the record (a 医保 person's settlements in the batch)
    pub rows: u64,
    pub date: Option<Date>,
    /// The observed amount (分): the cumulative 合规自付, the cost, the loss
    pub amount: Option<i64>,
    /// The line it crossed (分)
    pub threshold: Option<i64>,
    pub zh: String,
    pub en: String,
}

/// An alert a record raised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub rule: DeptRule,
    pub level: WarningLevel,
    pub risk: RiskType,
    pub evidence: AlertEvidence,
}

fn yuan(f: Fen) -> String {
    format!("{f}")
}

/// Whether `record` (of `kind`, `rows` file rows folded into it) is a sign of risk for the
/// person of `facts`, on `today`.
pub fn evaluate(
    kind: DeptKind,
    record: &DeptRecord,
    rows: u64,
    facts: &PersonFacts,
    t: &Thresholds,
    today: Date,
) -> Option<Alert> {
    let cat = record.category.unwrap_or(0);
    let amount = record.amount.unwrap_or(Fen(0));
    let date = record.date;
    let on = date.map_or(String::new(), |d| format!("{d}"));
    let (rule, observed, threshold, zh, en): (DeptRule, Option<Fen>, Option<Fen>, String, String) =
        match kind {
            DeptKind::Medical => {
                let total = Fen(facts.earlier_medical.0.saturating_add(amount.0));
                let line = t.medical_line(facts.registered);
                if total <= line {
                    return None;
                }
                let who = if facts.registered {
                    "脱贫或监测人口"
                } else {
                    "其他人口"
                };
                let who_en = if facts.registered {
                    "a 脱贫 or monitored person"
                } else {
                    "another person"
                };
                (
                DeptRule::MedicalCost,
                Some(total),
                Some(line),
                format!(
                    "本年累计合规自付{}元（本批{}元，{}笔结算），超过{who}预警线{}元",
                    yuan(total),
                    yuan(amount),
                    rows,
                    yuan(line)
                ),
                format!(
                    "the year's out-of-pocket costs are {} yuan ({} yuan in {} settlements of this batch), above the line of {} yuan for {who_en}",
                    yuan(total),
                    yuan(amount),
                    rows,
                    yuan(line)
                ),
            )
            }
            DeptKind::Roster => {
                let roll = RollType::from_code(cat)?;
                let ended = record.end.is_some_and(|e| e < today);
                if ended || facts.earlier_rolls & (1 << roll.code()) != 0 {
                    return None;
                }
                (
                    DeptRule::NewOnRoll,
                    record.amount,
                    None,
                    format!("{on}起新纳入{}", roll.label_zh()),
                    format!("newly on the {} roll from {on}", roll.label_en()),
                )
            }
            DeptKind::Disability => {
                if !(1..=2).contains(&cat) || facts.severe_disability_known {
                    return None;
                }
                let class = if record.detail.is_empty() {
                    String::new()
                } else {
                    format!("{}残疾", record.detail)
                };
                (
                    DeptRule::SevereDisability,
                    None,
                    None,
                    format!("{on}新办{class}{}级残疾证", ["", "一", "二"][cat as usize]),
                    format!("a new grade {cat} disability certificate {on}"),
                )
            }
            DeptKind::Education => {
                let status = SchoolStatus::from_code(cat)?;
                let on_day = date.unwrap_or(today);
                let age = facts.birth.map(|b| b.age_on(on_day));
                if status == SchoolStatus::Dropout && age.is_some_and(|a| (6..=16).contains(&a)) {
                    let age = age.unwrap_or_default();
                    (
                        DeptRule::Dropout,
                        None,
                        None,
                        format!("{age}岁，义务教育阶段辍学（{}）", record.detail),
                        format!(
                            "aged {age}, dropped out of compulsory education ({})",
                            record.detail
                        ),
                    )
                } else if amount > t.schooling_cost {
                    (
                        DeptRule::SchoolCost,
                        Some(amount),
                        Some(t.schooling_cost),
                        format!(
                            "就学自付费用{}元，超过预警线{}元",
                            yuan(amount),
                            yuan(t.schooling_cost)
                        ),
                        format!(
                            "out-of-pocket school costs of {} yuan, above the line of {} yuan",
                            yuan(amount),
                            yuan(t.schooling_cost)
                        ),
                    )
                } else {
                    return None;
                }
            }
            DeptKind::Housing => {
                let g = HouseGrade::from_code(cat)?;
                if !matches!(g, HouseGrade::C | HouseGrade::D) {
                    return None;
                }
                (
                    DeptRule::DangerousHouse,
                    None,
                    None,
                    format!("{on}房屋鉴定为{}危房", g.label_zh()),
                    format!("the house was appraised {} on {on}", g.label_en()),
                )
            }
            DeptKind::Disaster => {
                if amount <= t.disaster_loss {
                    return None;
                }
                (
                    DeptRule::DisasterLoss,
                    Some(amount),
                    Some(t.disaster_loss),
                    format!(
                        "{on}受灾（{}），损失{}元，超过预警线{}元",
                        record.detail,
                        yuan(amount),
                        yuan(t.disaster_loss)
                    ),
                    format!(
                        "a disaster ({}) on {on} with a loss of {} yuan, above the line of {} yuan",
                        record.detail,
                        yuan(amount),
                        yuan(t.disaster_loss)
                    ),
                )
            }
            DeptKind::Employment => {
                let s = EmploymentStatus::from_code(cat)?;
                if s == EmploymentStatus::Employed || facts.able_workers > 1 {
                    return None;
                }
                (
                    DeptRule::OnlyWorkerUnemployed,
                    None,
                    None,
                    format!(
                        "{on}{}，家庭有劳动能力的成员{}人",
                        s.label_zh(),
                        facts.able_workers
                    ),
                    format!(
                        "{} on {on}; the household has {} member(s) able to work",
                        s.label_en(),
                        facts.able_workers
                    ),
                )
            }
            DeptKind::Police => match PoliceEvent::from_code(cat)? {
                PoliceEvent::Death => (
                    DeptRule::Death,
                    None,
                    None,
                    format!("公安登记{on}死亡，待村干部确认后更新家庭成员"),
                    format!("registered dead on {on}; the member is updated once a cadre confirms"),
                ),
                PoliceEvent::MoveOut => (
                    DeptRule::MoveOut,
                    None,
                    None,
                    format!("{on}户籍迁出"),
                    format!("household registration moved out on {on}"),
                ),
            },
            DeptKind::Assets => return None,
        };
    if facts.alerted & rule.bit() != 0 {
        return None;
    }
    Some(Alert {
        rule,
        level: rule.level(),
        risk: rule.risk(),
        evidence: AlertEvidence {
            rule,
            kind,
            row: record.row,
            rows,
            date,
            amount: observed.map(|f| f.0),
            threshold: threshold.map(|f| f.0),
            zh: format!("{}（{}）：{zh}", kind.label_zh(), rule.code()),
            en: format!("{} ({}): {en}", kind.label_en(), rule.code()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::{resolve, Standard};
    use crate::RegionCode;

    fn today() -> Date {
        Date::new(2026, 11, 30).unwrap()
    }
    fn thresholds() -> Thresholds {
        let s = Standard::provincial(
            2026,
            RegionCode::parse("51").unwrap(),
            Fen::from_yuan(8_700),
        );
        Thresholds::from_standard(
            &resolve(&[s], &RegionCode::parse("510821").unwrap(), 2026).unwrap(),
        )
    }
    fn record(amount: Option<i64>, category: Option<i64>) -> DeptRecord {
        DeptRecord {
            row: 5,
            id_number: "510821199001011235".into(),
            name: "张三".into(),
            date: Date::new(2026, 10, 5),
            end: None,
            amount: amount.map(Fen),
            total: None,
            category,
            detail: String::new(),
        }
    }

    #[test]
    fn medical_costs_alert_above_the_lower_line_of_the_persons_group() {
        let t = thresholds();
        // 23,119 元 × 50 % = 11,559.50 元 against 5,000 元: the fixed amount is lower
        assert_eq!(t.medical_line(true), Fen::from_yuan(5_000));
        assert_eq!(t.medical_line(false), Fen::from_yuan(20_000));
        let registered = PersonFacts {
            registered: true,
            ..PersonFacts::default()
        };
        let at = |fen: i64, f: &PersonFacts| {
            evaluate(
                DeptKind::Medical,
                &record(Some(fen), None),
                3,
                f,
                &t,
                today(),
            )
        };
        assert!(
            at(500_000, &registered).is_none(),
            "at the line is not above it"
        );
        let a = at(500_001, &registered).unwrap();
        assert_eq!(a.rule, DeptRule::MedicalCost);
        assert_eq!(a.evidence.threshold, Some(500_000));
        assert!(a.evidence.zh.contains("3笔结算"), "{}", a.evidence.zh);
        assert!(
            at(1_000_000, &PersonFacts::default()).is_none(),
            "others: 20,000 元"
        );
        // earlier batches of the year count
        let earlier = PersonFacts {
            earlier_medical: Fen(1_999_000),
            ..PersonFacts::default()
        };
        assert_eq!(
            at(1_001, &earlier).unwrap().evidence.amount,
            Some(2_000_001)
        );
        // once a year
        let alerted = PersonFacts {
            alerted: DeptRule::MedicalCost.bit(),
            ..earlier
        };
        assert!(at(1_001, &alerted).is_none());
    }

    #[test]
    fn a_profile_threshold_overrides_the_standard() {
        let mut edits = ProfileEdits::default();
        edits
            .thresholds
            .insert(ThresholdKey::MedicalAmountOthers, 100_000);
        let t = thresholds().with_edits(&edits);
        assert_eq!(t.medical_line(false), Fen(100_000));
    }

    #[test]
    fn each_kind_alerts_on_its_sign_and_not_otherwise() {
        let t = thresholds();
        let f = PersonFacts {
            birth: Date::new(2014, 3, 1),
            able_workers: 1,
            ..PersonFacts::default()
        };
        let ev = |k: DeptKind, r: DeptRecord, f: &PersonFacts| {
            evaluate(k, &r, 1, f, &t, today()).map(|a| a.rule)
        };
        // 民政: new roll, not a roll already held, not an ended one
        assert_eq!(
            ev(DeptKind::Roster, record(None, Some(1)), &f),
            Some(DeptRule::NewOnRoll)
        );
        let on_roll = PersonFacts {
            earlier_rolls: 1 << 1,
            ..f
        };
        assert_eq!(ev(DeptKind::Roster, record(None, Some(1)), &on_roll), None);
        let mut ended = record(None, Some(1));
        ended.end = Date::new(2026, 11, 1);
        assert_eq!(ev(DeptKind::Roster, ended, &f), None);
        // 残联: grades 1–2 only, and only new
        assert_eq!(
            ev(DeptKind::Disability, record(None, Some(2)), &f),
            Some(DeptRule::SevereDisability)
        );
        assert_eq!(ev(DeptKind::Disability, record(None, Some(3)), &f), None);
        let known = PersonFacts {
            severe_disability_known: true,
            ..f
        };
        assert_eq!(
            ev(DeptKind::Disability, record(None, Some(1)), &known),
            None
        );
        // 教育: a 12-year-old dropout; an adult's dropout is not compulsory education
        let dropout = Some(SchoolStatus::Dropout.code());
        assert_eq!(
            ev(DeptKind::Education, record(None, dropout), &f),
            Some(DeptRule::Dropout)
        );
        let adult = PersonFacts {
            birth: Date::new(2007, 1, 1),
            ..f
        };
        assert_eq!(ev(DeptKind::Education, record(None, dropout), &adult), None);
        let enrolled = Some(SchoolStatus::Enrolled.code());
        assert_eq!(
            ev(
                DeptKind::Education,
                record(Some(1_000_001), enrolled),
                &adult
            ),
            Some(DeptRule::SchoolCost)
        );
        assert_eq!(
            ev(
                DeptKind::Education,
                record(Some(1_000_000), enrolled),
                &adult
            ),
            None
        );
        // 住建: C and D
        for (g, alerts) in [
            (HouseGrade::B, false),
            (HouseGrade::C, true),
            (HouseGrade::D, true),
        ] {
            assert_eq!(
                ev(DeptKind::Housing, record(None, Some(g.code())), &f).is_some(),
                alerts,
                "{g:?}"
            );
        }
        // 应急: above 10,000 元
        assert_eq!(
            ev(DeptKind::Disaster, record(Some(1_000_001), None), &f),
            Some(DeptRule::DisasterLoss)
        );
        assert_eq!(
            ev(DeptKind::Disaster, record(Some(1_000_000), None), &f),
            None
        );
        // 人社: the only worker
        let unemployed = Some(EmploymentStatus::Unemployed.code());
        assert_eq!(
            ev(DeptKind::Employment, record(None, unemployed), &f),
            Some(DeptRule::OnlyWorkerUnemployed)
        );
        let two = PersonFacts {
            able_workers: 2,
            ..f
        };
        assert_eq!(
            ev(DeptKind::Employment, record(None, unemployed), &two),
            None
        );
        // 公安
        assert_eq!(
            ev(DeptKind::Police, record(None, Some(1)), &f),
            Some(DeptRule::Death)
        );
        assert_eq!(
            ev(DeptKind::Police, record(None, Some(2)), &f),
            Some(DeptRule::MoveOut)
        );
        // assets: evidence only
        assert_eq!(ev(DeptKind::Assets, record(None, Some(1)), &f), None);
    }

    #[test]
    fn every_rule_has_a_distinct_code_and_its_kind() {
        for r in DeptRule::ALL {
            assert_eq!(DeptRule::parse(r.code()), Some(r));
            assert!(r.kind().alerts());
        }
    }
}
