//! Screening (监测预警) in the store: yearly standards, county rule sets, the columnar snapshot
//! loaded in one ordered pass per table, and screening runs saved with their hits and new leads
//! in one transaction.
//!
//! Loading never queries per household: households, the members' counts (aggregated by the
//! database), incomes and 三保障 records are each read in household-number order, in chunks of
//! a fixed number of rows (keyset pagination), and merged by binary search on the sorted household list.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql, Value};
use crate::decode::Fields;
use crate::income::{row_income, INCOME_COLUMNS};
use crate::registry::COUNTY_OF_HOUSEHOLD;
use crate::sql::{insert_rows, json};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::codes::{Health, HealthCondition, LabourCapacity, Schooling};
use shouwang_core::date::YearMonth;
use shouwang_core::department::alert::DeptRule;
use shouwang_core::department::{AlertStatus, DeptKind};
use shouwang_core::income::{household_income, Income, IncomeBasis, IncomePeriod};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::screening::{
    DataSource, DeptAlertSummary, HouseholdRow, MemberCounts, RuleId, RuleSet, Screening, Snapshot,
    SourceSlot, Summary, WarningLevel, CATALOGUE_VERSION,
};
use shouwang_core::standard::{resolve_checked, validate_standard, ResolvedStandard, Standard};
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Problem, RegionCode};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};

/// Rows per chunk when scanning a table in household order (default 100,000).
static CHUNK: AtomicI64 = AtomicI64::new(100_000);

/// Changes the chunk size of the ordered scans (tests use tiny chunks to cross boundaries; the
/// result never depends on it).
#[doc(hidden)]
pub fn set_scan_chunk(rows: i64) {
    CHUNK.store(rows.max(64), Ordering::Relaxed);
}

/// A snapshot ready to evaluate, with what it was built from.
pub struct LoadedSnapshot {
    pub region: RegionCode,
    pub county: RegionCode,
    pub year: i32,
    pub today: Date,
    pub snapshot: Snapshot,
    /// 户编号 by snapshot key (the key of a household is its position here)
    pub household_nos: Vec<String>,
    pub standard: ResolvedStandard,
    pub rules: RuleSet,
}

impl LoadedSnapshot {
    /// The 户编号 of the household at a snapshot position.
    pub fn household_no(&self, index: usize) -> &str {
        self.household_nos.get(index).map_or("", String::as_str)
    }
}

/// What a saved run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunOutcome {
    /// The stored run; `None` when nothing changed since the last run (nothing was written)
    pub run_id: Option<i64>,
    pub summary: Summary,
    pub hits: u64,
    pub new_leads: u64,
    pub unchanged: bool,
}

/// One stored run, for lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub county: String,
    pub region: String,
    pub year: i64,
    pub started_at: i64,
    pub finished_at: i64,
    pub actor: String,
    pub catalogue_version: String,
    pub rule_set_version: i64,
    pub monitoring_line: i64,
    pub households: i64,
    pub persons: i64,
    pub flagged_households: i64,
    pub flagged_persons: i64,
    pub red: i64,
    pub yellow: i64,
    pub blue: i64,
    pub hits: i64,
    pub new_leads: i64,
}

/// One stored hit with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HitRecord {
    pub run_id: i64,
    pub run_at: i64,
    pub household_no: String,
    pub village: RegionCode,
    pub rule: RuleId,
    #[serde(serialize_with = "level_en")]
    pub level: WarningLevel,
    pub risk: RiskType,
    pub evidence: serde_json::Value,
}

/// Levels go out as stored and as the API has always named them (`red`, `yellow`, `blue`).
fn level_en<S: serde::Serializer>(l: &WarningLevel, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(l.label_en())
}

/// A lead's rules go out as stored: `R01,R03`.
fn rule_list<S: serde::Serializer>(rules: &[RuleId], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rules.iter().map(|r| r.code()).collect::<Vec<_>>().join(","))
}

const HIT_COLUMNS: &str = "household_no, village, rule, level, risk, evidence";

/// A hit of [`HIT_COLUMNS`] from column `at` on.
fn row_hit(r: &Row, run_id: i64, run_at: i64, at: usize) -> Result<HitRecord, StoreError> {
    let f = Fields::new(r, "screening_hits", HIT_COLUMNS, at);
    Ok(HitRecord {
        run_id,
        run_at,
        household_no: f.text(0),
        village: f.region(1)?,
        rule: f.parsed(2, RuleId::parse)?,
        level: f.parsed(3, parse_level)?,
        risk: f.parsed(4, RiskType::parse_zh)?,
        evidence: f.parsed(5, |t| serde_json::from_str(t).ok())?,
    })
}

/// Filters of the warnings list.
#[derive(Clone, Debug, Default)]
pub struct WarningFilter {
    /// Region prefix (within the caller's scope)
    pub region: String,
    pub level: Option<WarningLevel>,
    pub risk: Option<RiskType>,
    pub rule: Option<RuleId>,
    /// Only hits first raised at least this many days ago (age of the warning)
    pub min_age_days: Option<i64>,
    pub limit: i64,
}

/// One open lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeadRecord {
    pub id: i64,
    pub household_no: String,
    pub risk: RiskType,
    #[serde(serialize_with = "level_en")]
    pub level: WarningLevel,
    #[serde(serialize_with = "rule_list")]
    pub rules: Vec<RuleId>,
    pub source: LeadSource,
    pub found_on: Date,
    pub due_on: Date,
    pub status: LeadStatus,
}

fn codes_where<T: Copy>(all: &[T], code: impl Fn(T) -> i64, keep: impl Fn(T) -> bool) -> String {
    let list: Vec<String> = all
        .iter()
        .filter(|v| keep(**v))
        .map(|v| code(*v).to_string())
        .collect();
    if list.is_empty() {
        "-1".into()
    } else {
        list.join(", ")
    }
}

/// Scans `sql` in household order. `sql` must select `household_no` first, bind `fixed` as
/// `$1…$n`, then `household_no > $n+1` and `LIMIT $n+2`, ordered by household_no first.
/// A household is never split between chunks.
fn scan(
    c: &mut dyn Sql,
    sql: &str,
    fixed: &[Value],
    mut f: impl FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let chunk = CHUNK.load(Ordering::Relaxed);
    let mut after = String::new();
    loop {
        let mut p = fixed.to_vec();
        p.push(after.clone().into());
        p.push(chunk.into());
        let rows = c.query(sql, &p)?;
        let full = rows.len() as i64 >= chunk;
        let cut = if full {
            // leave the last household for the next chunk, unless it fills the chunk alone
            let last = rows.last().map(|r| r.text(0)).unwrap_or_default();
            let keep = rows
                .iter()
                .rposition(|r| r.text(0) != last)
                .map_or(rows.len(), |i| i + 1);
            if keep == 0 {
                rows.len()
            } else {
                keep
            }
        } else {
            rows.len()
        };
        for r in &rows[..cut] {
            f(r)?;
        }
        if !full {
            return Ok(());
        }
        match rows[..cut].last() {
            Some(r) => after = r.text(0),
            None => return Ok(()),
        }
    }
}

fn level_text(l: WarningLevel) -> &'static str {
    l.label_en()
}

fn parse_level(t: &str) -> Option<WarningLevel> {
    WarningLevel::ALL
        .iter()
        .copied()
        .find(|l| l.label_en() == t)
}

/// FNV-1a, 64 bits: a stable fingerprint of a run's hits across processes and versions.
struct Fnv(u64);
impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

pub(crate) fn row_run(r: &Row) -> RunRecord {
    RunRecord {
        id: r.int(0),
        county: r.text(1),
        region: r.text(2),
        year: r.int(3),
        started_at: r.int(4),
        finished_at: r.int(5),
        actor: r.text(6),
        catalogue_version: r.text(7),
        rule_set_version: r.int(8),
        monitoring_line: r.int(9),
        households: r.int(10),
        persons: r.int(11),
        flagged_households: r.int(12),
        flagged_persons: r.int(13),
        red: r.int(14),
        yellow: r.int(15),
        blue: r.int(16),
        hits: r.int(17),
        new_leads: r.int(18),
    }
}

pub(crate) const RUN_COLUMNS: &str = "id, county, region, year, started_at, finished_at, actor, catalogue_version, rule_set_version, monitoring_line, households, persons, flagged_households, flagged_persons, red, yellow, blue, hits, new_leads";

pub(crate) fn county_of(region: &RegionCode) -> Result<RegionCode, StoreError> {
    region.county().ok_or_else(|| {
        StoreError::invalid(Problem::new(
            ProblemCode::ScreeningRegionLevel,
            "region",
            format!("筛查按县进行，{region}不是县级或以下的区划"),
            format!("screening runs per county; {region} is above county level"),
        ))
    })
}

fn check_year(year: i32) -> Result<(), StoreError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::invalid(Problem::new(
            ProblemCode::ScreeningYear,
            "year",
            format!("年度{year}不在2000–2100之间"),
            format!("year {year} is outside 2000–2100"),
        )))
    }
}

impl Store {
    /// Every standard that applies to `region` (its province, city, county and itself), any year.
    pub fn standards_for(&self, region: &RegionCode) -> Result<Vec<Standard>, StoreError> {
        Ok(self
            .all_standards()?
            .into_iter()
            .filter(|s| s.region.contains(region))
            .collect())
    }

    /// All stored standards, by region and year.
    pub fn all_standards(&self) -> Result<Vec<Standard>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query("SELECT body FROM standards ORDER BY region, year", &[])?;
            Ok(rows
                .iter()
                .filter_map(|r| serde_json::from_str::<Standard>(&r.text(0)).ok())
                .collect())
        })
    }

    /// Saves (replaces) the standard of one region and year after validation; audited.
    pub fn save_standard(&self, actor: &Actor, s: &Standard) -> Result<(), StoreError> {
        let problems = validate_standard(s);
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let body = serde_json::to_string(s).map_err(|e| StoreError::Other(e.to_string()))?;
        self.with_tx(|tx| {
            let before = tx
                .query_one(
                    "SELECT body FROM standards WHERE region = $1 AND year = $2",
                    &params![s.region.as_str(), i64::from(s.year)],
                )?
                .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.text(0)).ok());
            tx.exec(
                "INSERT INTO standards (region, year, monitoring_line, body, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (region, year) DO UPDATE SET monitoring_line = excluded.monitoring_line, body = excluded.body,
                   updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                &params![s.region.as_str(), i64::from(s.year), s.monitoring_line.map(|f| f.0), body, crate::now(), &actor.username],
            )?;
            let key = format!("{}/{}", s.region, s.year);
            record(
                tx,
                actor,
                s.region.county().as_ref().map(RegionCode::as_str),
                if before.is_some() { "standard.update" } else { "standard.create" },
                ("standard", &key),
                before.as_ref(),
                Some(&json(s)),
            )
        })
    }

    /// The standard in force for `region` in `year`, or the problem "no line set".
    pub fn resolved_standard(
        &self,
        region: &RegionCode,
        year: i32,
    ) -> Result<ResolvedStandard, StoreError> {
        let all = self.standards_for(region)?;
        resolve_checked(&all, region, year).map_err(StoreError::invalid)
    }

    /// The county's newest rule set for `year`, or the default catalogue settings.
    pub fn rule_set(&self, county: &RegionCode, year: i32) -> Result<RuleSet, StoreError> {
        self.with_conn(|c| {
            let r = c.query_one(
                "SELECT body FROM rule_sets WHERE county = $1 AND year = $2 ORDER BY version DESC LIMIT 1",
                &params![county.as_str(), i64::from(year)],
            )?;
            Ok(r.and_then(|r| serde_json::from_str::<RuleSet>(&r.text(0)).ok())
                .unwrap_or_else(|| RuleSet::default_for(year)))
        })
    }

    /// Saves a county's edited rule set as the next version; validated and audited.
    pub fn save_rule_set(
        &self,
        actor: &Actor,
        county: &RegionCode,
        rules: &RuleSet,
    ) -> Result<u32, StoreError> {
        let problems = rules.validate();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        self.with_tx(|tx| {
            let current = tx
                .query_one(
                    "SELECT MAX(version) FROM rule_sets WHERE county = $1 AND year = $2",
                    &params![county.as_str(), i64::from(rules.year)],
                )?
                .and_then(|r| r.opt_int(0))
                .unwrap_or(1);
            let version = u32::try_from(current + 1).unwrap_or(u32::MAX);
            let mut saved = rules.clone();
            saved.version = version;
            let body = serde_json::to_string(&saved).map_err(|e| StoreError::Other(e.to_string()))?;
            tx.exec(
                "INSERT INTO rule_sets (county, year, version, body, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
                &params![county.as_str(), i64::from(rules.year), i64::from(version), body, crate::now(), &actor.username],
            )?;
            let key = format!("{county}/{}", rules.year);
            record(tx, actor, Some(county.as_str()), "rule_set.save", ("rule_set", &key), None, Some(&json(&saved)))?;
            Ok(version)
        })
    }

    /// Builds the snapshot of every household under `region` (a county or below) for `year`,
    /// with the standard and rule set in force. One ordered pass per table.
    pub fn load_snapshot(
        &self,
        region: &RegionCode,
        year: i32,
        today: Date,
    ) -> Result<LoadedSnapshot, StoreError> {
        check_year(year)?;
        let county = county_of(region)?;
        let standard = self.resolved_standard(region, year)?;
        let rules = self.rule_set(&county, year)?;
        self.with_conn(|c| {
            if c.dialect() == crate::db::Dialect::Sqlite {
                // no memory map: mapped pages count as the process's own memory (2 GB for a
                // million households) for a load only about 10% faster
                c.batch("PRAGMA mmap_size = 0")?;
            }
            let lo = region.as_str();
            let hi = crate::db::prefix_end(lo);
            let fixed = params![county.as_str(), lo, hi];
            let mut snapshot = Snapshot::new();
            let mut nos: Vec<String> = Vec::new();
            let mut rows: Vec<HouseholdRow> = Vec::new();
            scan(
                c,
                "SELECT household_no, village FROM households WHERE county = $1 AND village >= $2 AND village < $3
                 AND household_no > $4 ORDER BY household_no LIMIT $5",
                &fixed,
                |r| {
                    let Some(village) = RegionCode::from_canonical(&r.text(1)) else {
                        return Ok(());
                    };
                    let v = snapshot.add_village(&village);
                    rows.push(HouseholdRow {
                        key: nos.len() as i64,
                        village: v,
                        ..HouseholdRow::default()
                    });
                    nos.push(r.text(0));
                    Ok(())
                },
            )?;
            let find = |nos: &[String], no: &str| nos.binary_search_by(|x| x.as_str().cmp(no)).ok();

            // members, counted by the database
            let able = codes_where(LabourCapacity::ALL, LabourCapacity::code, LabourCapacity::can_work);
            let non_compulsory = codes_where(Schooling::ALL, Schooling::code, Schooling::is_non_compulsory);
            let ill = Health::default().with(HealthCondition::SeriousIllness).bits();
            let disabled = Health::default().with(HealthCondition::Disabled).bits();
            let uninsured = "resident_medical = 0 AND employee_medical = 0";
            let sql = format!(
                "SELECT household_no, COUNT(*),
                   CAST(SUM(CASE WHEN labour IN ({able}) THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN {uninsured} THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN {uninsured} AND (health & {ill}) <> 0 THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN {uninsured} AND (health & {disabled}) <> 0 THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN schooling IN ({non_compulsory}) THEN 1 ELSE 0 END) AS BIGINT)
                 FROM members WHERE county = $1 AND deceased_on IS NULL AND household_no > $2
                 GROUP BY household_no ORDER BY household_no LIMIT $3"
            );
            let small = |v: i64| u16::try_from(v.max(0)).unwrap_or(u16::MAX);
            scan(c, &sql, &params![county.as_str()], |r| {
                if let Some(i) = find(&nos, &r.text(0)) {
                    rows[i].members = MemberCounts {
                        living: small(r.int(1)),
                        able_to_work: small(r.int(2)),
                        uninsured: small(r.int(3)),
                        seriously_ill_uninsured: small(r.int(4)),
                        disabled_uninsured: small(r.int(5)),
                        non_compulsory_students: small(r.int(6)),
                    };
                }
                Ok(())
            })?;

            // incomes of the year and the year before: the household's one figure (the page
            // shows the same, from the same function) and last year's; the source names the basis
            let now = YearMonth::of(today);
            let mut income_sources: HashMap<IncomeBasis, u16> = HashMap::new();
            let mut last_year_net: Vec<Option<Fen>> = vec![None; nos.len()];
            {
                let mut current: Option<(usize, Vec<Income>)> = None;
                let mut finish = |cur: Option<(usize, Vec<Income>)>, rows: &mut Vec<HouseholdRow>| {
                    if let Some((i, records)) = cur {
                        let size = i64::from(rows[i].members.living);
                        if let Some(f) = household_income(&records, year, now, size) {
                            rows[i].net_income = Some(f.net_income());
                            rows[i].out_of_pocket_medical = f.income.out_of_pocket_medical;
                            let src = *income_sources.entry(f.basis).or_insert_with(|| {
                                snapshot.add_source(DataSource {
                                    slot: SourceSlot::Income,
                                    label_zh: f.basis.label_zh(),
                                    label_en: f.basis.label_en(),
                                    date: today,
                                })
                            });
                            rows[i].sources.income = Some(src);
                        }
                        last_year_net[i] = records
                            .iter()
                            .find(|r| r.period == IncomePeriod::year(year - 1))
                            .map(Income::net_income);
                    }
                };
                scan(
                    c,
                    &format!(
                        "SELECT household_no, {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND year >= $2 AND year <= $3
                         AND household_no > $4 ORDER BY household_no, year, quarter LIMIT $5"
                    ),
                    &params![county.as_str(), i64::from(year - 1), i64::from(year)],
                    |r| {
                        let no = r.text(0);
                        let Some(i) = find(&nos, &no) else {
                            return Ok(());
                        };
                        if current.as_ref().is_none_or(|(j, _)| *j != i) {
                            finish(current.take(), &mut rows);
                            current = Some((i, Vec::with_capacity(2)));
                        }
                        if let Some((_, v)) = current.as_mut() {
                            v.push(row_income(r, 1)?);
                        }
                        Ok(())
                    },
                )?;
                finish(current.take(), &mut rows);
            }

            // the newest 三保障 record up to today
            let mut guarantee_sources: HashMap<String, u16> = HashMap::new();
            scan(
                c,
                "SELECT household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water FROM guarantees
                 WHERE county = $1 AND as_of <= $2 AND household_no > $3 ORDER BY household_no, as_of LIMIT $4",
                &params![county.as_str(), today.to_string()],
                |r| {
                    let Some(i) = find(&nos, &r.text(0)) else {
                        return Ok(());
                    };
                    let as_of = r.text(1);
                    let src = match guarantee_sources.get(&as_of) {
                        Some(s) => *s,
                        None => {
                            let s = snapshot.add_source(DataSource {
                                slot: SourceSlot::Guarantees,
                                label_zh: "三保障和饮水安全核查".into(),
                                label_en: "three guarantees and drinking water check".into(),
                                date: Date::parse(&as_of).unwrap_or(today),
                            });
                            guarantee_sources.insert(as_of, s);
                            s
                        }
                    };
                    let row = &mut rows[i];
                    row.unsafe_housing = r.bool(2);
                    row.school_dropout = r.bool(3);
                    row.member_uninsured = r.bool(4);
                    row.unsafe_water = r.bool(5);
                    row.sources.guarantees = Some(src);
                    Ok(())
                },
            )?;

            // open department alerts of the year (R13): most urgent first, the latest batch
            // named as the source
            let mut dept: HashMap<usize, (i64, Vec<DeptAlertSummary>)> = HashMap::new();
            for r in c.query(
                "SELECT household_no, kind, rule, on_date, amount, risk, level, batch_id FROM dept_alerts
                 WHERE county = $1 AND year = $2 AND status = $3 ORDER BY household_no, id",
                &params![county.as_str(), i64::from(year), AlertStatus::Open.code()],
            )? {
                let Some(i) = find(&nos, &r.text(0)) else {
                    continue;
                };
                let (Some(kind), Some(rule), Some(risk), Some(level)) = (
                    DeptKind::from_code(r.int(1)),
                    DeptRule::parse(&r.text(2)),
                    RiskType::from_code(r.int(5)),
                    WarningLevel::from_code(r.int(6)),
                ) else {
                    continue;
                };
                let e = dept.entry(i).or_insert((0, Vec::new()));
                e.0 = e.0.max(r.int(7));
                e.1.push(DeptAlertSummary {
                    kind,
                    rule,
                    date: r.opt_text(3).as_deref().and_then(Date::parse),
                    amount: r.opt_int(4),
                    risk,
                    level,
                });
            }
            let mut batch_sources: HashMap<i64, u16> = HashMap::new();
            for (i, (batch, alerts)) in &mut dept {
                alerts.sort_by(|a, b| a.level.cmp(&b.level).then(b.date.cmp(&a.date)));
                let src = match batch_sources.get(batch) {
                    Some(s) => *s,
                    None => {
                        let b = c.query_one(
                            "SELECT kind, period, file_name, created_at FROM dept_batches WHERE id = $1",
                            &params![*batch],
                        )?;
                        let (kind, period, file, at) = b.map_or((None, None, String::new(), 0), |b| {
                            (DeptKind::from_code(b.int(0)), b.opt_text(1), b.text(2), b.int(3))
                        });
                        let (kind_zh, kind_en) = kind.map_or(("部门", "department"), |k| (k.label_zh(), k.label_en()));
                        let what = period.clone().unwrap_or(file);
                        let s = snapshot.add_source(DataSource {
                            slot: SourceSlot::Department,
                            label_zh: format!("{kind_zh}部门数据第{batch}批（{what}）"),
                            label_en: format!("{kind_en} data, batch {batch} ({what})"),
                            date: period
                                .as_deref()
                                .and_then(YearMonth::parse)
                                .map_or_else(|| Date::from_unix_seconds_china(at), YearMonth::first_day),
                        });
                        batch_sources.insert(*batch, s);
                        s
                    }
                };
                rows[*i].sources.department = Some(src);
                rows[*i].department_alert = true;
            }

            let members_source = snapshot.add_source(DataSource {
                slot: SourceSlot::Members,
                label_zh: "家庭成员信息".into(),
                label_en: "household registry".into(),
                date: today,
            });
            for (i, mut row) in rows.into_iter().enumerate() {
                row.last_year_per_capita = last_year_net[i].and_then(|n| n.per(i64::from(row.members.living)));
                row.sources.members = Some(members_source);
                snapshot.push(&row).map_err(StoreError::invalid)?;
            }
            for (i, (_, alerts)) in dept {
                snapshot.set_department_alerts(i, alerts);
            }
            Ok(LoadedSnapshot {
                region: region.clone(),
                county: county.clone(),
                year,
                today,
                snapshot,
                household_nos: nos,
                standard,
                rules,
            })
        })
    }
}

/// A lead to raise: one per household and risk type, at the highest level of its hits.
struct NewLead {
    household: usize,
    risk: RiskType,
    level: WarningLevel,
    rules: Vec<&'static str>,
}

pub(crate) fn parse_risks(text: &str) -> Vec<RiskType> {
    text.split(',')
        .filter_map(|t| {
            let t = t.trim();
            t.parse::<i64>()
                .ok()
                .and_then(RiskType::from_code)
                .or_else(|| RiskType::parse_zh(t))
        })
        .collect()
}

impl Store {
    /// Saves a run: the run, every hit with its evidence, and a lead per household and risk type
    /// that has no open lead or monitoring case for it, in one transaction. When the hits are
    /// exactly those of the previous run for the same region and year and no lead is due, nothing
    /// is written and the outcome says `unchanged`.
    pub fn save_screening(
        &self,
        actor: &Actor,
        loaded: &LoadedSnapshot,
        screening: &Screening<'_>,
        started_at: i64,
    ) -> Result<RunOutcome, StoreError> {
        let summary = screening.summary();
        // the hits with their evidence, and the run's fingerprint
        let mut fp = Fnv::new();
        fp.add(loaded.region.as_str().as_bytes());
        let mut hits: Vec<(usize, RuleId, WarningLevel, RiskType, String)> = Vec::new();
        for h in screening.hits() {
            let Some(ev) = screening.evidence(h.household, h.rule) else {
                continue;
            };
            let text = evidence_json(&ev);
            fp.add(loaded.household_no(h.household).as_bytes());
            fp.add(h.rule.code().as_bytes());
            fp.add(level_text(h.level).as_bytes());
            fp.add(ev.zh.as_bytes());
            hits.push((h.household, h.rule, h.level, h.risk, text));
        }
        let fingerprint = format!("{:016x}", fp.0);
        // leads per household and risk
        let mut wanted: Vec<NewLead> = Vec::new();
        for (i, rule, level, risk, _) in &hits {
            match wanted.last_mut() {
                Some(l) if l.household == *i && l.risk == *risk => {
                    l.level = l.level.highest(*level);
                    l.rules.push(rule.code());
                }
                _ => {
                    // hits of one household come together; a risk may recur after another risk
                    if let Some(l) = wanted
                        .iter_mut()
                        .rev()
                        .take_while(|l| l.household == *i)
                        .find(|l| l.risk == *risk)
                    {
                        l.level = l.level.highest(*level);
                        l.rules.push(rule.code());
                    } else {
                        wanted.push(NewLead {
                            household: *i,
                            risk: *risk,
                            level: *level,
                            rules: vec![rule.code()],
                        });
                    }
                }
            }
        }
        let county = loaded.county.as_str();
        let scheme = loaded.standard.warning_scheme;
        let today = loaded.today.to_string();
        self.with_tx(|tx| {
            let last = tx
                .query_one(
                    "SELECT fingerprint FROM screening_runs WHERE county = $1 AND region = $2 AND year = $3 ORDER BY id DESC LIMIT 1",
                    &params![county, loaded.region.as_str(), i64::from(loaded.year)],
                )?
                .map(|r| r.text(0));
            let mut open: HashSet<(String, String)> = HashSet::new();
            for r in tx.query(
                &format!("SELECT household_no, risk FROM leads WHERE county = $1 AND status IN ({PENDING_LEADS})"),
                &params![county],
            )? {
                if let Some(risk) = RiskType::from_code(r.int(1)) {
                    open.insert((r.text(0), risk.label_zh().to_string()));
                }
            }
            let open_cases = format!("{}, {}", CaseStatus::Identifying.code(), CaseStatus::AtRisk.code());
            for r in tx.query(
                &format!("SELECT household_no, risks FROM monitoring_cases WHERE county = $1 AND status IN ({open_cases})"),
                &params![county],
            )? {
                for risk in parse_risks(&r.text(1)) {
                    open.insert((r.text(0), risk.label_zh().to_string()));
                }
            }
            let new: Vec<&NewLead> = wanted
                .iter()
                .filter(|l| !open.contains(&(loaded.household_no(l.household).to_string(), l.risk.label_zh().to_string())))
                .collect();
            if last.as_deref() == Some(fingerprint.as_str()) && new.is_empty() {
                return Ok(RunOutcome {
                    run_id: None,
                    summary: summary.clone(),
                    hits: hits.len() as u64,
                    new_leads: 0,
                    unchanged: true,
                });
            }
            let run_id = tx
                .query_one(
                    "INSERT INTO screening_runs (county, region, year, started_at, finished_at, actor, catalogue_version, rule_set_version,
                       monitoring_line, households, persons, flagged_households, flagged_persons, red, yellow, blue, hits, new_leads, fingerprint)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
                    &params![
                        county,
                        loaded.region.as_str(),
                        i64::from(loaded.year),
                        started_at,
                        crate::now(),
                        &actor.username,
                        CATALOGUE_VERSION,
                        i64::from(loaded.rules.version),
                        loaded.standard.monitoring_line.0,
                        summary.households as i64,
                        summary.persons as i64,
                        summary.flagged_households as i64,
                        summary.flagged_persons as i64,
                        summary.by_level[0] as i64,
                        summary.by_level[1] as i64,
                        summary.by_level[2] as i64,
                        hits.len() as i64,
                        new.len() as i64,
                        &fingerprint
                    ],
                )?
                .map(|r| r.int(0))
                .ok_or_else(|| StoreError::Other("no run id returned".into()))?;
            // a chunk of rows at a time, so that a million hits never sit in memory twice
            for chunk in hits.chunks(4_000) {
                let values: Vec<Value> = chunk
                    .iter()
                    .flat_map(|(i, rule, level, risk, ev)| {
                        params![run_id, county, loaded.household_no(*i), rule.code(), level_text(*level), risk.label_zh(), ev.as_str()]
                    })
                    .collect();
                insert_rows(
                    tx,
                    "INSERT INTO screening_hits (run_id, county, household_no, rule, level, risk, evidence)",
                    7,
                    &values,
                )?;
            }
            let now = crate::now();
            for chunk in new.chunks(4_000) {
                let values: Vec<Value> = chunk
                    .iter()
                    .flat_map(|l| {
                        let due = loaded.today.add_days(scheme.response_days(l.level)).to_string();
                        let village = loaded.snapshot.village_of(l.household).map_or("", |v| v.as_str());
                        params![
                            county,
                            loaded.household_no(l.household),
                            village,
                            l.risk.code(),
                            l.level.code(),
                            l.rules.join(","),
                            LeadSource::Screening.code(),
                            today.as_str(),
                            due,
                            LeadStatus::Open.code(),
                            run_id,
                            now
                        ]
                    })
                    .collect();
                insert_rows(
                    tx,
                    "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, run_id, created_at)",
                    12,
                    &values,
                )?;
            }
            let after = serde_json::json!({
                "run": run_id, "region": loaded.region.as_str(), "year": loaded.year,
                "households": summary.households, "flagged": summary.flagged_households,
                "hits": hits.len(), "new_leads": new.len(),
            });
            record(tx, actor, Some(county), "screening.run", ("screening_run", &run_id.to_string()), None, Some(&after))?;
            Ok(RunOutcome {
                run_id: Some(run_id),
                summary: summary.clone(),
                hits: hits.len() as u64,
                new_leads: new.len() as u64,
                unchanged: false,
            })
        })
    }

    /// The newest runs under a region (its county's runs on the region or below), newest first.
    pub fn runs(&self, region: &RegionCode, limit: i64) -> Result<Vec<RunRecord>, StoreError> {
        let county = county_of(region)
            .map(|c| c.as_str().to_string())
            .unwrap_or_default();
        self.with_conn(|c| {
            let lo = region.as_str();
            let rows = c.query(
                &format!("SELECT {RUN_COLUMNS} FROM screening_runs WHERE (county = $1 OR $1 = '') AND region >= $2 AND region < $3 ORDER BY id DESC LIMIT $4"),
                &params![county, lo, crate::db::prefix_end(lo), limit],
            )?;
            Ok(rows.iter().map(row_run).collect())
        })
    }

    /// Current warnings: the hits of each county's newest run, filtered, most urgent first.
    pub fn warnings(&self, f: &WarningFilter) -> Result<Vec<HitRecord>, StoreError> {
        let region = RegionCode::from_canonical(&f.region).ok_or(StoreError::NotFound)?;
        let county = county_of(&region)?;
        self.with_conn(|c| {
            let Some(run) = c.query_one(
                "SELECT id, started_at FROM screening_runs WHERE county = $1 ORDER BY id DESC LIMIT 1",
                &params![county.as_str()],
            )?
            else {
                return Ok(Vec::new());
            };
            let (run_id, run_at) = (run.int(0), run.int(1));
            let lo = region.as_str();
            let mut sql = String::from(
                "SELECT h.household_no, hh.village, h.rule, h.level, h.risk, h.evidence FROM screening_hits h
                 JOIN households hh ON hh.county = h.county AND hh.household_no = h.household_no
                 WHERE h.run_id = $1 AND hh.village >= $2 AND hh.village < $3",
            );
            let mut p: Vec<Value> = params![run_id, lo, crate::db::prefix_end(lo)].to_vec();
            if let Some(l) = f.level {
                p.push(level_text(l).into());
                sql.push_str(&format!(" AND h.level = ${}", p.len()));
            }
            if let Some(r) = f.risk {
                p.push(r.label_zh().into());
                sql.push_str(&format!(" AND h.risk = ${}", p.len()));
            }
            if let Some(r) = f.rule {
                p.push(r.code().into());
                sql.push_str(&format!(" AND h.rule = ${}", p.len()));
            }
            if let Some(days) = f.min_age_days {
                // the age of a warning: since the oldest run in which the same household and rule hit
                // saturating: an age of a billion years lies before every run (no warning), not an overflow
                let since = crate::now().saturating_sub(days.max(0).saturating_mul(86_400));
                p.push(since.into());
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM screening_hits o JOIN screening_runs r ON r.id = o.run_id
                       WHERE o.county = h.county AND o.household_no = h.household_no AND o.rule = h.rule AND r.started_at <= ${})",
                    p.len()
                ));
            }
            p.push(f.limit.clamp(1, 5000).into());
            sql.push_str(&format!(
                " ORDER BY CASE h.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.household_no, h.rule LIMIT ${}",
                p.len()
            ));
            let rows = c.query(&sql, &p)?;
            rows.iter()
                .map(|r| row_hit(r, run_id, run_at, 0))
                .collect()
        })
    }

    /// A household's warning history: every hit of every run, newest run first.
    pub fn household_warnings(&self, household_no: &str) -> Result<Vec<HitRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT h.run_id, r.started_at, h.household_no, hh.village, h.rule, h.level, h.risk, h.evidence
                 FROM screening_hits h JOIN screening_runs r ON r.id = h.run_id
                 JOIN households hh ON hh.county = h.county AND hh.household_no = h.household_no
                 WHERE h.household_no = $1 ORDER BY h.run_id DESC, h.rule LIMIT 500",
                &params![household_no],
            )?;
            rows.iter()
                .map(|r| row_hit(r, r.int(0), r.int(1), 2))
                .collect()
        })
    }

    /// A household's leads, newest first.
    pub fn household_leads(&self, household_no: &str) -> Result<Vec<LeadRecord>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {LEAD_COLUMNS} FROM leads
                 WHERE county = ({COUNTY_OF_HOUSEHOLD}) AND household_no = $1 ORDER BY id DESC"
                ),
                &params![household_no],
            )?;
            rows.iter().map(row_lead).collect()
        })
    }

    /// Counts of open leads under a region by level (red, yellow, blue).
    pub fn open_lead_count(&self, county: &RegionCode) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_one(
                &format!(
                    "SELECT COUNT(*) FROM leads WHERE county = $1 AND status IN ({PENDING_LEADS})"
                ),
                &params![county.as_str()],
            )?
            .map(|r| r.int(0))
            .unwrap_or(0))
        })
    }
}

/// The stored numbers of the lead states that still wait for an outcome, for `IN (…)`.
pub(crate) const PENDING_LEADS: &str = "0, 1";

const LEAD_COLUMNS: &str = "id, household_no, risk, level, rules, source, found_on, due_on, status";

fn row_lead(r: &Row) -> Result<LeadRecord, StoreError> {
    let f = Fields::new(r, "leads", LEAD_COLUMNS, 0);
    Ok(LeadRecord {
        id: f.int(0)?,
        household_no: f.text(1),
        risk: f.code(2, RiskType::from_code)?,
        level: f.code(3, WarningLevel::from_code)?,
        // a department lead names its D-codes: in the catalogue's terms, R13 (部门预警)
        rules: f.parsed(4, |t| {
            let mut v = t
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| {
                    RuleId::parse(c).or_else(|| DeptRule::parse(c).map(|_| RuleId::DepartmentAlert))
                })
                .collect::<Option<Vec<_>>>()?;
            v.dedup();
            Some(v)
        })?,
        source: f.code(5, LeadSource::from_code)?,
        found_on: f.date(6)?,
        due_on: f.date(7)?,
        status: f.code(8, LeadStatus::from_code)?,
    })
}

/// The level of a stored hit's text.
pub fn level_of(text: &str) -> Option<WarningLevel> {
    parse_level(text)
}

impl Store {
    /// The counties that have households, in code order.
    pub fn counties_with_households(&self) -> Result<Vec<String>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT DISTINCT county FROM households ORDER BY county",
                &[],
            )?;
            Ok(rows.iter().map(|r| r.text(0)).collect())
        })
    }
}

/// The stored evidence: the sentence in both languages, the values and thresholds (value, unit,
/// text, name) and the data source with its date. Written by hand: a run may store a million.
fn evidence_json(ev: &shouwang_core::screening::Evidence) -> String {
    let measures = |ms: &[shouwang_core::screening::Measure]| {
        serde_json::Value::Array(
            ms.iter()
                .map(|m| {
                    serde_json::json!({"name_zh": m.name_zh, "name_en": m.name_en, "value": m.value, "unit": m.unit, "text": m.text})
                })
                .collect(),
        )
    };
    let source = ev.source.as_ref().map(|s| {
        serde_json::json!({"label_zh": s.label_zh, "label_en": s.label_en, "date": s.date.to_string()})
    });
    serde_json::json!({
        "zh": ev.zh,
        "en": ev.en,
        "observed": measures(&ev.observed),
        "thresholds": measures(&ev.thresholds),
        "source": source,
    })
    .to_string()
}
