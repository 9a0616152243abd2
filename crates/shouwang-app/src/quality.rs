//! 数据质量 use cases: run the catalogue over a region (the page, `shouwang check`, the ranking's
//! per-village score), and grant or withdraw an exemption.
//!
//! [`run`] streams the region's households from the store into core's [`Checker`] with the
//! thresholds of the county's standard for the year, then marks the findings an active
//! exemption covers. Counts are "open" (to fix) and "exempted" (right as they stand).

use shouwang_core::quality::{
    check_household, Checker, Exemption, Finding, Limits, Rule, VillageQuality,
};
use shouwang_core::standard::StandardDefaults;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::quality::ExemptionTarget;
use shouwang_store::{Store, StoreError};
use std::collections::{BTreeMap, HashSet};

/// The thresholds of the year's standard of `region`'s county (the defaults where none is set;
/// no monitoring line then, and 4_11_010 is not checked).
pub fn limits(store: &Store, region: &RegionCode, year: i32) -> Result<Limits, StoreError> {
    let county = region.county().unwrap_or_else(|| region.clone());
    match store.resolved_standard(&county, year) {
        Ok(s) => Ok(Limits {
            monitoring_line: Some(s.monitoring_line),
            measures_days: s.measures_days,
            development_months: s.development_months,
            elimination_min_months: s.elimination_min_months,
        }),
        Err(StoreError::Invalid(_)) => {
            let d = StandardDefaults::DEFAULT;
            Ok(Limits {
                monitoring_line: None,
                measures_days: d.measures_days,
                development_months: d.development_months,
                elimination_min_months: d.elimination_min_months,
            })
        }
        Err(e) => Err(e),
    }
}

/// The findings of a region on a day.
#[derive(Clone, Debug)]
pub struct QualityRun {
    pub region: RegionCode,
    pub today: Date,
    pub limits: Limits,
    pub households: u64,
    pub persons: u64,
    /// every finding, the exempted ones marked, in village and household order
    pub findings: Vec<Finding>,
    /// households per village
    pub village_households: BTreeMap<String, u64>,
}

/// One rule's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleCount {
    pub rule: Rule,
    pub open: u64,
    pub exempted: u64,
}

/// One village's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VillageCount {
    pub village: String,
    pub households: u64,
    /// households with at least one open finding
    pub households_to_fix: u64,
    pub open: u64,
    pub exempted: u64,
}

impl QualityRun {
    /// Every rule of the catalogue with its counts, in catalogue order.
    pub fn by_rule(&self) -> Vec<RuleCount> {
        let mut counts: BTreeMap<i64, RuleCount> = Rule::ALL
            .iter()
            .map(|r| {
                (
                    r.code(),
                    RuleCount {
                        rule: *r,
                        open: 0,
                        exempted: 0,
                    },
                )
            })
            .collect();
        for f in &self.findings {
            if let Some(c) = counts.get_mut(&f.rule.code()) {
                if f.exempted {
                    c.exempted += 1;
                } else {
                    c.open += 1;
                }
            }
        }
        counts.into_values().collect()
    }

    /// Every village with households, in code order, with its counts.
    pub fn by_village(&self) -> Vec<VillageCount> {
        let mut out: BTreeMap<&str, VillageCount> = self
            .village_households
            .iter()
            .map(|(v, n)| {
                (
                    v.as_str(),
                    VillageCount {
                        village: v.clone(),
                        households: *n,
                        households_to_fix: 0,
                        open: 0,
                        exempted: 0,
                    },
                )
            })
            .collect();
        let mut to_fix: HashSet<&str> = HashSet::new();
        for f in &self.findings {
            let Some(c) = out.get_mut(f.village.as_str()) else {
                continue;
            };
            if f.exempted {
                c.exempted += 1;
            } else {
                c.open += 1;
                if to_fix.insert(f.household_no.as_str()) {
                    c.households_to_fix += 1;
                }
            }
        }
        out.into_values().collect()
    }

    /// Open findings in all.
    pub fn open(&self) -> u64 {
        self.findings.iter().filter(|f| !f.exempted).count() as u64
    }
}

/// Runs the whole catalogue over `region` on `today`.
pub fn run(store: &Store, region: &RegionCode, today: Date) -> Result<QualityRun, StoreError> {
    let limits = limits(store, region, today.year())?;
    let exemptions = store.quality_exemptions(region, false)?;
    let exempt: HashSet<(i64, String, String)> = exemptions
        .iter()
        .map(|e| (e.rule.code(), e.household_no.clone(), e.member.clone()))
        .collect();
    let mut checker = Checker::new(today, limits);
    let mut findings = Vec::new();
    let mut village_households: BTreeMap<String, u64> = BTreeMap::new();
    let (mut households, mut persons) = (0u64, 0u64);
    store.quality_facts(region, today, |h| {
        households += 1;
        persons += h.members.iter().filter(|m| m.deceased_on.is_none()).count() as u64;
        match village_households.get_mut(&h.village) {
            Some(n) => *n += 1,
            None => {
                village_households.insert(h.village.clone(), 1);
            }
        }
        let from = findings.len();
        checker.check(&h, &mut findings);
        if !exempt.is_empty() {
            for f in &mut findings[from..] {
                f.exempted =
                    exempt.contains(&(f.rule.code(), f.household_no.clone(), f.member.clone()));
            }
        }
        Ok(())
    })?;
    Ok(QualityRun {
        region: region.clone(),
        today,
        limits,
        households,
        persons,
        findings,
        village_households,
    })
}

/// One row per village of `region` with households: its households and its findings on `today`,
/// net of exemptions.
pub fn village_quality(
    store: &Store,
    region: &RegionCode,
    today: Date,
) -> Result<Vec<VillageQuality>, StoreError> {
    Ok(run(store, region, today)?
        .by_village()
        .into_iter()
        .map(|v| VillageQuality {
            village: v.village,
            households: v.households,
            findings: v.open,
        })
        .collect())
}

/// What an exemption is asked for: the record (a household, or a member by ID number), the rule
/// and why the record is right as it stands.
#[derive(Clone, Debug)]
pub struct Grant {
    pub household_no: String,
    /// a member's ID number (or its masked form, as pages show it), or empty for the household
    pub member: String,
    pub rule: Rule,
    pub reason: String,
}

/// Grants an exemption from `rule` on a household of `region` (or one of its members, by ID
/// number), after checking that the record breaks the rule today. The caller has checked that
/// the user may exempt (ExemptQuality) in `region`.
pub fn grant_exemption(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    grant: &Grant,
    today: Date,
) -> Result<i64, StoreError> {
    let Grant {
        household_no,
        member,
        rule,
        reason,
    } = grant;
    let (household_no, member, rule, reason) = (
        household_no.as_str(),
        member.as_str(),
        *rule,
        reason.as_str(),
    );
    let facts = store
        .quality_household_facts(region, household_no, today)?
        .ok_or(StoreError::NotFound)?;
    // the member by ID number, or as the page shows it (masked), within this household
    let member = if member.is_empty() {
        String::new()
    } else {
        facts
            .members
            .iter()
            .find(|m| {
                m.id_number == member || shouwang_core::id_number::mask(&m.id_number) == member
            })
            .map(|m| m.id_number.clone())
            .ok_or(StoreError::NotFound)?
    };
    let member = member.as_str();
    let limits = limits(store, region, today.year())?;
    let breaks = if rule == Rule::DuplicateId {
        // the duplicate needs the whole region: the member must at least be there
        facts.members.iter().any(|m| m.id_number == member)
    } else {
        check_household(&facts, today, &limits)
            .iter()
            .any(|f| f.rule == rule && f.member == member)
    };
    if !breaks {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::QualityRecord,
            "rule",
            "该记录目前没有触发这条规则",
            "the record does not break this rule now",
        )));
    }
    let county = region
        .county()
        .or_else(|| RegionCode::from_canonical(&facts.village).and_then(|v| v.county()))
        .map(|c| c.as_str().to_string())
        .unwrap_or_default();
    store.grant_quality_exemption(
        actor,
        &ExemptionTarget {
            rule,
            county,
            village: facts.village,
            household_no: household_no.to_string(),
            member: member.to_string(),
        },
        reason,
    )
}

/// Withdraws an exemption of `region`.
pub fn withdraw_exemption(
    store: &Store,
    actor: &Actor,
    region: &RegionCode,
    id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    store.withdraw_quality_exemption(actor, region, id, reason)
}

/// The active and withdrawn exemptions of `region`, newest first.
pub fn exemptions(store: &Store, region: &RegionCode) -> Result<Vec<Exemption>, StoreError> {
    store.quality_exemptions(region, true)
}

/// Which table of a run an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QualityTable {
    /// the records to fix (and the exempted ones, marked)
    Findings,
    /// the count per rule
    Rules,
    /// the count per village
    Villages,
}

impl QualityTable {
    pub fn parse(text: &str) -> Option<QualityTable> {
        match text.trim() {
            "findings" | "" => Some(QualityTable::Findings),
            "rules" => Some(QualityTable::Rules),
            "villages" => Some(QualityTable::Villages),
            _ => None,
        }
    }
    pub fn slug(self) -> &'static str {
        match self {
            QualityTable::Findings => "findings",
            QualityTable::Rules => "rules",
            QualityTable::Villages => "villages",
        }
    }
    pub fn title(self, lang: shouwang_core::Lang) -> &'static str {
        let zh = lang == shouwang_core::Lang::Zh;
        match self {
            QualityTable::Findings if zh => "数据质量核查疑点明细表",
            QualityTable::Findings => "Data-quality findings",
            QualityTable::Rules if zh => "数据质量核查疑点统计表（按规则）",
            QualityTable::Rules => "Data-quality findings by rule",
            QualityTable::Villages if zh => "数据质量核查疑点统计表（按村）",
            QualityTable::Villages => "Data-quality findings by village",
        }
    }
    /// The first column holding numbers (for the xlsx report).
    pub fn numeric_from(self) -> usize {
        match self {
            QualityTable::Findings => usize::MAX,
            QualityTable::Rules => 3,
            QualityTable::Villages => 2,
        }
    }
}

/// The header and rows of `table` for `run`, region names from `names` (code → name), in
/// `lang`. ID numbers are masked.
pub fn table_rows(
    run: &QualityRun,
    table: QualityTable,
    names: &std::collections::HashMap<String, String>,
    lang: shouwang_core::Lang,
) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == shouwang_core::Lang::Zh;
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    match table {
        QualityTable::Findings => {
            let header = vec![
                t("村", "village"),
                t("户编号", "household no."),
                t("户主", "head"),
                t("成员", "member"),
                t("证件号码", "ID number"),
                t("规则编号", "rule"),
                t("疑点", "finding"),
                t("所在信息", "record"),
                t("详情", "detail"),
                t("整改要求", "how to fix"),
                t("状态", "state"),
            ];
            let rows = run
                .findings
                .iter()
                .map(|f| {
                    vec![
                        name(&f.village),
                        f.household_no.clone(),
                        f.head_name.clone(),
                        f.member_name.clone(),
                        if f.member.is_empty() {
                            String::new()
                        } else {
                            shouwang_core::id_number::mask(&f.member)
                        },
                        f.rule.display_code(),
                        if zh {
                            f.rule.label_zh()
                        } else {
                            f.rule.label_en()
                        }
                        .to_string(),
                        if zh {
                            f.rule.record().label_zh()
                        } else {
                            f.rule.record().label_en()
                        }
                        .to_string(),
                        if zh { &f.detail_zh } else { &f.detail_en }.clone(),
                        if zh { f.rule.fix_zh() } else { f.rule.fix_en() }.to_string(),
                        if f.exempted {
                            t("已豁免", "exempted")
                        } else {
                            t("待整改", "to fix")
                        }
                        .to_string(),
                    ]
                })
                .collect();
            (header, rows)
        }
        QualityTable::Rules => {
            let header = vec![
                t("规则编号", "rule"),
                t("疑点", "finding"),
                t("所在信息", "record"),
                t("待整改", "to fix"),
                t("已豁免", "exempted"),
            ];
            let rows = run
                .by_rule()
                .into_iter()
                .map(|c| {
                    vec![
                        c.rule.display_code(),
                        if zh {
                            c.rule.label_zh()
                        } else {
                            c.rule.label_en()
                        }
                        .to_string(),
                        if zh {
                            c.rule.record().label_zh()
                        } else {
                            c.rule.record().label_en()
                        }
                        .to_string(),
                        c.open.to_string(),
                        c.exempted.to_string(),
                    ]
                })
                .collect();
            (header, rows)
        }
        QualityTable::Villages => {
            let header = vec![
                t("村", "village"),
                t("区划代码", "code"),
                t("户数", "households"),
                t("有疑点户数", "households to fix"),
                t("待整改疑点", "findings to fix"),
                t("已豁免", "exempted"),
            ];
            let rows = run
                .by_village()
                .into_iter()
                .map(|v| {
                    vec![
                        name(&v.village),
                        v.village.clone(),
                        v.households.to_string(),
                        v.households_to_fix.to_string(),
                        v.open.to_string(),
                        v.exempted.to_string(),
                    ]
                })
                .collect();
            (header, rows)
        }
    }
}
