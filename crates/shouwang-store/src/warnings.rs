//! The warnings list (预警名单): the newest run's flagged households, one row per household with
//! its highest level and the rules it hit, filtered, paged and counted exactly.
//!
//! A hit's level is its rule's level in the run's rule set, so every filter and the household's
//! highest level are computed from `(run_id, household_no, rule)` alone, which the hits' primary
//! key covers: no table row is read until the page's own fifty households. A region below the
//! run's is reached from its households (the village index), a few thousand probes at most.

use crate::db::{prefix_end, Row, Sql, Value};
use crate::screening::{county_of, row_run, RunRecord, RUN_COLUMNS};
use crate::{params, Store, StoreError};
use shouwang_core::codes::Relation;
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::{RuleId, RuleSet, WarningLevel};
use shouwang_core::RegionCode;
use std::collections::HashMap;

/// Filters of the warnings list. A household matches when its highest level is `level` and it
/// hit `rule` and a rule of risk type `risk` (each when given).
#[derive(Clone, Debug)]
pub struct HouseholdWarningFilter {
    pub region: RegionCode,
    pub level: Option<WarningLevel>,
    pub risk: Option<RiskType>,
    pub rule: Option<RuleId>,
}

impl HouseholdWarningFilter {
    pub fn region(region: RegionCode) -> HouseholdWarningFilter {
        HouseholdWarningFilter {
            region,
            level: None,
            risk: None,
            rule: None,
        }
    }
}

/// One flagged household of the list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WarnedHousehold {
    pub household_no: String,
    pub village: String,
    pub group: String,
    pub head_name: String,
    pub head_id: String,
    /// The highest level of its hits
    pub level: WarningLevel,
    /// Its rules in this run, in catalogue order
    pub rules: Vec<RuleId>,
    /// The risk types of those rules, each once
    pub risks: Vec<RiskType>,
    /// When a run first flagged the household (unix seconds): the warning's age
    pub since: i64,
}

/// One page of the list with its counts.
#[derive(Clone, Debug, Default)]
pub struct WarnedPage {
    /// The run the list shows (`None`: the region was never screened)
    pub run: Option<RunRecord>,
    /// Flagged households of the region by highest level (red, yellow, blue), whatever the filters
    pub by_level: [i64; 3],
    /// Households that match the filters
    pub total: i64,
    pub rows: Vec<WarnedHousehold>,
}

/// How the list reaches a run's hits: the rule levels of the run, and whether the region is
/// below the run's (then its households are joined).
struct Plan {
    run: RunRecord,
    levels: [WarningLevel; 13],
    below: bool,
}

impl Plan {
    /// `CASE` giving a hit's level as 0 (red), 1 (yellow) or 2 (blue) from its rule.
    fn rank_sql(&self) -> String {
        let mut s = String::from("CASE h.rule");
        for r in RuleId::ALL {
            s.push_str(&format!(
                " WHEN '{}' THEN {}",
                r.code(),
                self.levels[r as usize].index()
            ));
        }
        s.push_str(" ELSE 2 END");
        s
    }

    /// `SELECT household_no, rank FROM … GROUP BY household_no HAVING …` of the households that
    /// match `f` (all levels when `with_level` is false), after `after` in number order.
    fn grouped(
        &self,
        f: &HouseholdWarningFilter,
        with_level: bool,
        after: Option<&str>,
    ) -> (String, Vec<Value>) {
        let rank = self.rank_sql();
        let mut p: Vec<Value> = params![self.run.id].to_vec();
        let mut sql = if self.below {
            let lo = f.region.as_str();
            p.push(lo.into());
            p.push(prefix_end(lo).into());
            // CROSS JOIN: SQLite walks the region's households first (PostgreSQL plans freely);
            // joined on the number alone (unique), so that the hits' key covers the probe
            format!(
                "SELECT h.household_no, MIN({rank}) AS lv FROM households hh CROSS JOIN screening_hits h
                 WHERE h.run_id = $1 AND h.household_no = hh.household_no
                   AND hh.village >= $2 AND hh.village < $3"
            )
        } else {
            format!("SELECT h.household_no, MIN({rank}) AS lv FROM screening_hits h WHERE h.run_id = $1")
        };
        if let Some(a) = after {
            p.push(a.into());
            sql.push_str(&format!(" AND h.household_no > ${}", p.len()));
        }
        sql.push_str(" GROUP BY h.household_no HAVING COUNT(*) > 0");
        if let (true, Some(l)) = (with_level, f.level) {
            sql.push_str(&format!(" AND MIN({rank}) = {}", l.index()));
        }
        let mut having_rules = |rules: Vec<RuleId>| {
            sql.push_str(&format!(
                " AND SUM(CASE WHEN h.rule IN ({}) THEN 1 ELSE 0 END) > 0",
                rule_list(&rules)
            ));
        };
        if let Some(r) = f.rule {
            having_rules(vec![r]);
        }
        if let Some(risk) = f.risk {
            having_rules(
                RuleId::ALL
                    .into_iter()
                    .filter(|r| r.def().risk == risk)
                    .collect(),
            );
        }
        (sql, p)
    }

    fn filtered(f: &HouseholdWarningFilter) -> bool {
        f.risk.is_some() || f.rule.is_some()
    }

    /// Flagged households of the region by level.
    fn by_level(
        &self,
        c: &mut dyn Sql,
        f: &HouseholdWarningFilter,
    ) -> Result<[i64; 3], StoreError> {
        if !self.below {
            // the whole run: its own counts, which are these households by level
            return Ok([self.run.red, self.run.yellow, self.run.blue]);
        }
        let all = HouseholdWarningFilter::region(f.region.clone());
        let (inner, p) = self.grouped(&all, false, None);
        let mut out = [0i64; 3];
        for r in c.query(
            &format!("SELECT lv, COUNT(*) FROM ({inner}) t GROUP BY lv"),
            &p,
        )? {
            if let Some(slot) = usize::try_from(r.int(0)).ok().and_then(|i| out.get_mut(i)) {
                *slot = r.int(1);
            }
        }
        Ok(out)
    }

    /// Households matching `f`, counted.
    fn total(
        &self,
        c: &mut dyn Sql,
        f: &HouseholdWarningFilter,
        by_level: &[i64; 3],
    ) -> Result<i64, StoreError> {
        if !Plan::filtered(f) {
            return Ok(match f.level {
                Some(l) => by_level[l.index()],
                None => by_level.iter().sum(),
            });
        }
        // the hits of the rules asked for, each household once; its level by probes of the key
        let mut wanted: Vec<RuleId> = RuleId::ALL.to_vec();
        if let Some(r) = f.rule {
            wanted.retain(|x| *x == r);
        }
        if let Some(risk) = f.risk {
            wanted.retain(|x| x.def().risk == risk);
        }
        let mut p: Vec<Value> = params![self.run.id].to_vec();
        let mut sql = if self.below {
            let lo = f.region.as_str();
            p.push(lo.into());
            p.push(prefix_end(lo).into());
            String::from(
                "SELECT COUNT(DISTINCT h.household_no) FROM households hh CROSS JOIN screening_hits h
                 WHERE h.run_id = $1 AND h.household_no = hh.household_no AND hh.village >= $2 AND hh.village < $3",
            )
        } else {
            String::from(
                "SELECT COUNT(DISTINCT h.household_no) FROM screening_hits h WHERE h.run_id = $1",
            )
        };
        sql.push_str(&format!(" AND h.rule IN ({})", rule_list(&wanted)));
        if let Some(l) = f.level {
            let at = |keep: &dyn Fn(usize) -> bool| {
                let rules: Vec<RuleId> = RuleId::ALL
                    .into_iter()
                    .filter(|r| keep(self.levels[*r as usize].index()))
                    .collect();
                format!(
                    "SELECT 1 FROM screening_hits x WHERE x.run_id = h.run_id AND x.household_no = h.household_no AND x.rule IN ({})",
                    rule_list(&rules)
                )
            };
            let i = l.index();
            sql.push_str(&format!(
                " AND EXISTS ({}) AND NOT EXISTS ({})",
                at(&|x| x == i),
                at(&|x| x < i)
            ));
        }
        Ok(c.query_one(&sql, &p)?.map_or(0, |r| r.int(0)))
    }

    /// Every flagged household of a region below the run's, in number order, with its level
    /// and rules.
    fn region_households(
        &self,
        c: &mut dyn Sql,
        region: &RegionCode,
    ) -> Result<Vec<(String, WarningLevel, Vec<RuleId>)>, StoreError> {
        let lo = region.as_str();
        let rows = c.query(
            "SELECT h.household_no, h.rule FROM households hh CROSS JOIN screening_hits h
             WHERE h.run_id = $1 AND h.household_no = hh.household_no AND hh.village >= $2 AND hh.village < $3
             ORDER BY h.household_no",
            &params![self.run.id, lo, prefix_end(lo)],
        )?;
        let mut out: Vec<(String, WarningLevel, Vec<RuleId>)> = Vec::new();
        for r in &rows {
            let no = r.text(0);
            let rule = RuleId::parse(&r.text(1)).ok_or_else(|| {
                StoreError::Other(format!(
                    "screening_hits of run {} holds an unknown rule: {}",
                    self.run.id,
                    r.text(1)
                ))
            })?;
            let level = self.levels[rule as usize];
            match out.last_mut() {
                Some(last) if last.0 == no => {
                    last.1 = last.1.highest(level);
                    last.2.push(rule);
                }
                _ => out.push((no, level, vec![rule])),
            }
        }
        Ok(out)
    }

    /// The households numbered `nos`, each with its rules, names and first warning.
    fn rows(&self, c: &mut dyn Sql, nos: &[String]) -> Result<Vec<WarnedHousehold>, StoreError> {
        if nos.is_empty() {
            return Ok(Vec::new());
        }
        let marks = |from: usize| {
            (0..nos.len())
                .map(|i| format!("${}", i + from))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let nos_values = || nos.iter().map(|n| Value::from(n.as_str()));
        let mut p: Vec<Value> = params![self.run.id].to_vec();
        p.extend(nos_values());
        let mut hits: HashMap<String, Vec<(RuleId, RiskType)>> = HashMap::new();
        for r in c.query(
            &format!(
                "SELECT household_no, rule, risk FROM screening_hits WHERE run_id = $1 AND household_no IN ({})",
                marks(2)
            ),
            &p,
        )? {
            let (Some(rule), Some(risk)) = (RuleId::parse(&r.text(1)), RiskType::parse_zh(&r.text(2)))
            else {
                return Err(StoreError::Other(format!(
                    "screening_hits of run {} holds an unknown rule or risk: {} {}",
                    self.run.id,
                    r.text(1),
                    r.text(2)
                )));
            };
            hits.entry(r.text(0)).or_default().push((rule, risk));
        }
        let p: Vec<Value> = nos_values().collect();
        let head = Relation::Head.code();
        let mut names: HashMap<String, Row> = HashMap::new();
        for r in c.query(
            &format!(
                // joined, not MIN() in a subquery: SQLite would answer MIN(name) by walking the
                // county's name index
                "SELECT hh.household_no, hh.village, hh.grp, m.name, m.id_number
                 FROM households hh LEFT JOIN members m
                   ON m.county = hh.county AND m.household_no = hh.household_no AND m.relation = {head}
                 WHERE hh.household_no IN ({}) ORDER BY hh.household_no, m.position",
                marks(1)
            ),
            &p,
        )? {
            // the first head by position, should a household hold two
            names.entry(r.text(0)).or_insert(r);
        }
        let mut p: Vec<Value> = params![self.run.county.as_str()].to_vec();
        p.extend(nos_values());
        let mut since: HashMap<String, i64> = HashMap::new();
        for r in c.query(
            &format!(
                "SELECT o.household_no, MIN(r.started_at) FROM screening_hits o JOIN screening_runs r ON r.id = o.run_id
                 WHERE o.county = $1 AND o.household_no IN ({}) GROUP BY o.household_no",
                marks(2)
            ),
            &p,
        )? {
            since.insert(r.text(0), r.int(1));
        }
        Ok(nos
            .iter()
            .map(|no| {
                let mut h = hits.remove(no).unwrap_or_default();
                h.sort_by_key(|(rule, _)| *rule as usize);
                let level = h
                    .iter()
                    .map(|(rule, _)| self.levels[*rule as usize])
                    .reduce(WarningLevel::highest)
                    .unwrap_or(WarningLevel::Blue);
                let mut risks: Vec<RiskType> = Vec::new();
                for (_, risk) in &h {
                    if !risks.contains(risk) {
                        risks.push(*risk);
                    }
                }
                let n = names.get(no);
                WarnedHousehold {
                    household_no: no.clone(),
                    village: n.map(|r| r.text(1)).unwrap_or_default(),
                    group: n.map(|r| r.text(2)).unwrap_or_default(),
                    head_name: n.map(|r| r.text(3)).unwrap_or_default(),
                    head_id: n.map(|r| r.text(4)).unwrap_or_default(),
                    level,
                    rules: h.iter().map(|(rule, _)| *rule).collect(),
                    risks,
                    since: since.get(no).copied().unwrap_or(self.run.started_at),
                }
            })
            .collect())
    }

    /// The numbers of up to `limit` matching households after `after`, skipping `offset`.
    fn numbers(
        &self,
        c: &mut dyn Sql,
        f: &HouseholdWarningFilter,
        after: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let (inner, mut p) = self.grouped(f, true, after);
        p.push(limit.into());
        p.push(offset.into());
        let n = p.len();
        Ok(c.query(
            &format!(
                "{inner} ORDER BY h.household_no LIMIT ${} OFFSET ${n}",
                n - 1
            ),
            &p,
        )?
        .iter()
        .map(|r| r.text(0))
        .collect())
    }
}

/// Rule codes as an SQL list (`'R01', 'R05'`); the codes are the catalogue's, never input.
fn rule_list(rules: &[RuleId]) -> String {
    if rules.is_empty() {
        return "''".into();
    }
    rules
        .iter()
        .map(|r| format!("'{}'", r.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The run a region's list shows: the county's newest run on the region or above it, else its
/// newest run inside the region.
fn plan_for(c: &mut dyn Sql, region: &RegionCode) -> Result<Option<Plan>, StoreError> {
    let Ok(county) = county_of(region) else {
        return Ok(None);
    };
    let runs: Vec<RunRecord> = c
        .query(
            &format!("SELECT {RUN_COLUMNS} FROM screening_runs WHERE county = $1 ORDER BY id DESC LIMIT 200"),
            &params![county.as_str()],
        )?
        .iter()
        .map(row_run)
        .collect();
    let asked = region.as_str();
    let run = runs
        .iter()
        .find(|r| asked.starts_with(r.region.as_str()))
        .or_else(|| runs.iter().find(|r| r.region.starts_with(asked)));
    let Some(run) = run.cloned() else {
        return Ok(None);
    };
    // the run's levels per rule: its rule set's version, or the catalogue's defaults
    let rules = c
        .query_one(
            "SELECT body FROM rule_sets WHERE county = $1 AND year = $2 AND version = $3",
            &params![run.county.as_str(), run.year, run.rule_set_version],
        )?
        .and_then(|r| serde_json::from_str::<RuleSet>(&r.text(0)).ok())
        .unwrap_or_else(|| RuleSet::default_for(i32::try_from(run.year).unwrap_or(2000)));
    let mut levels = [WarningLevel::Red; 13];
    for r in RuleId::ALL {
        levels[r as usize] = rules.setting(r).level;
    }
    Ok(Some(Plan {
        below: asked != run.region && asked.starts_with(run.region.as_str()),
        run,
        levels,
    }))
}

impl Store {
    /// One page of the warnings list of `f.region`: households in number order (village by
    /// village), with the region's totals per level and the exact number that match.
    pub fn warned_households(
        &self,
        f: &HouseholdWarningFilter,
        offset: i64,
        limit: i64,
    ) -> Result<WarnedPage, StoreError> {
        self.with_conn(|c| {
            let Some(plan) = plan_for(c, &f.region)? else {
                return Ok(WarnedPage::default());
            };
            let (offset, limit) = (offset.max(0), limit.clamp(1, 1000));
            let (by_level, total, nos) = if plan.below {
                // a township's or village's hits are a few thousand: read once, grouped here
                let all = plan.region_households(c, &f.region)?;
                let mut by_level = [0i64; 3];
                for (_, level, _) in &all {
                    by_level[level.index()] += 1;
                }
                let matching: Vec<String> = all
                    .into_iter()
                    .filter(|(_, level, rules)| {
                        f.level.is_none_or(|l| l == *level)
                            && f.rule.is_none_or(|r| rules.contains(&r))
                            && f.risk
                                .is_none_or(|k| rules.iter().any(|r| r.def().risk == k))
                    })
                    .map(|(no, _, _)| no)
                    .collect();
                let total = matching.len() as i64;
                let nos = matching
                    .into_iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(limit).unwrap_or(0))
                    .collect();
                (by_level, total, nos)
            } else {
                let by_level = plan.by_level(c, f)?;
                let total = plan.total(c, f, &by_level)?;
                (by_level, total, plan.numbers(c, f, None, offset, limit)?)
            };
            let rows = plan.rows(c, &nos)?;
            Ok(WarnedPage {
                run: Some(plan.run),
                by_level,
                total,
                rows,
            })
        })
    }

    /// The run a region's warnings come from and its flagged households by level (red, yellow,
    /// blue): the figures at the top of its list.
    pub fn warning_totals(
        &self,
        region: &RegionCode,
    ) -> Result<Option<(RunRecord, [i64; 3])>, StoreError> {
        self.with_conn(|c| {
            let Some(plan) = plan_for(c, region)? else {
                return Ok(None);
            };
            let by_level = plan.by_level(c, &HouseholdWarningFilter::region(region.clone()))?;
            Ok(Some((plan.run, by_level)))
        })
    }

    /// Every household of the list, in order, a chunk at a time (an export of any size keeps
    /// one chunk in memory). Returns the run and the number of households passed to `each`.
    pub fn each_warned_household(
        &self,
        f: &HouseholdWarningFilter,
        mut each: impl FnMut(&WarnedHousehold) -> Result<(), StoreError>,
    ) -> Result<(Option<RunRecord>, u64), StoreError> {
        const CHUNK: i64 = 500;
        self.with_conn(|c| {
            let Some(plan) = plan_for(c, &f.region)? else {
                return Ok((None, 0));
            };
            let mut after: Option<String> = None;
            let mut n = 0u64;
            loop {
                let nos = plan.numbers(c, f, after.as_deref(), 0, CHUNK)?;
                for row in plan.rows(c, &nos)? {
                    each(&row)?;
                    n += 1;
                }
                if (nos.len() as i64) < CHUNK {
                    return Ok((Some(plan.run), n));
                }
                after = nos.last().cloned();
            }
        })
    }

    /// Households flagged by run `run_id` that `previous` did not flag (all of them without a
    /// previous run): the warnings a run adds.
    pub fn new_warned_households(
        &self,
        run_id: i64,
        previous: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            let r = c.query_one(
                "SELECT COUNT(DISTINCT h.household_no) FROM screening_hits h WHERE h.run_id = $1
                   AND NOT EXISTS (SELECT 1 FROM screening_hits o WHERE o.run_id = $2 AND o.household_no = h.household_no)",
                &params![run_id, previous.unwrap_or(-1)],
            )?;
            Ok(r.map_or(0, |r| r.int(0)))
        })
    }

    /// Whether anything a screening reads may have changed in `county` since `run` read it: any
    /// audited change after the run's start (the second after, or recorded after the run in the
    /// same second) but runs, exports, accounts, pairings, the working calendar (the screening
    /// never reads it) and the audit itself. Standards and bulk
    /// loads, recorded without a county, count for every county.
    pub fn screening_data_changed_since(
        &self,
        county: &RegionCode,
        run: &RunRecord,
    ) -> Result<bool, StoreError> {
        self.with_conn(|c| {
            let run_event = c
                .query_one(
                    "SELECT MAX(id) FROM audit_events WHERE action = 'screening.run' AND entity = 'screening_run' AND entity_key = $1",
                    &params![run.id.to_string()],
                )?
                .and_then(|r| r.opt_int(0))
                .unwrap_or(0);
            let r = c.query_one(
                "SELECT COUNT(*) FROM audit_events WHERE (at > $2 OR id > $3)
                   AND (county = $1 OR (county IS NULL AND (action LIKE 'standard.%' OR entity = 'bulk')))
                   AND action <> 'screening.run' AND action NOT LIKE '%export%'
                   AND action NOT LIKE 'user.%' AND action NOT LIKE 'pairing.%' AND action NOT LIKE 'audit.%'
                   AND action NOT LIKE 'plan.%' AND action NOT LIKE 'measure.%' AND action NOT LIKE 'visit.%'
                   AND action NOT LIKE 'person.%' AND action NOT LIKE 'position.%' AND action NOT LIKE 'task_list.%'
                   AND action NOT LIKE 'calendar.%'",
                &params![county.as_str(), run.started_at, run_event],
            )?;
            Ok(r.is_some_and(|r| r.int(0) > 0))
        })
    }
}

impl Store {
    /// Codes and names of the regions strictly under `region` (its townships and villages),
    /// in code order: the list's pickers and the names of its villages.
    pub fn regions_under(&self, region: &RegionCode) -> Result<Vec<(String, String)>, StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str();
            let rows = c.query(
                "SELECT code, name FROM regions WHERE code > $1 AND code < $2 ORDER BY code",
                &params![lo, prefix_end(lo)],
            )?;
            Ok(rows.iter().map(|r| (r.text(0), r.text(1))).collect())
        })
    }
}
