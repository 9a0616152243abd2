//! issue 16: supervision reads — the tables of §2 (measures in place, households without
//! measures, overdue work, department alerts, leads) each in one set-based statement filtered by
//! the region's code range, the records behind each figure, the ranking's inputs per village,
//! the ranking's weights and the frozen months.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Value};
use crate::decode::Fields;
use crate::sql::{json, region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::date::YearMonth;
use shouwang_core::department::{AlertStatus, DeptKind, SelfReportStatus};
use shouwang_core::identification::Stage;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseStatus, CaseType};
use shouwang_core::supervision::tables::OverdueKind;
use shouwang_core::supervision::{Ranking, Weights};
use shouwang_core::{Date, RegionCode};
use std::collections::BTreeMap;

/// Measures in place of one category and monitoring type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureCell {
    pub category: MeasureCategory,
    pub case_type: CaseType,
    pub households: i64,
    pub measures: i64,
}

/// One record behind a figure: a household with what the figure counts of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FigureRecord {
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    /// what it is (a measure's content, a lead's risk, an alert's rule …), in Chinese and English
    pub what_zh: String,
    pub what_en: String,
    /// the day that matters (start, due day, day raised)
    pub on: String,
    /// the record's own page, when it has one (a case, a lead, an identification)
    pub link: Option<String>,
}

/// A case at risk without a measure in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Uncovered {
    pub case_id: i64,
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    pub case_type: CaseType,
    /// YYYY-MM
    pub identified: String,
    /// measures planned but not in place
    pub planned: i64,
}

/// Overdue work of one village, by kind (visits are counted by the caller from the duties).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OverdueCounts {
    pub identifications: i64,
    pub leads: i64,
    pub measures: i64,
    pub self_reports: i64,
}

/// Department alerts of one kind raised on one day (China time), by status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertDay {
    pub kind: DeptKind,
    pub day: Date,
    pub open: i64,
    pub withdrawn: i64,
}

/// Leads of one source and status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeadCell {
    pub source: LeadSource,
    pub status: LeadStatus,
    pub count: i64,
}

/// What the store knows of a village's month for the ranking (visits and quality come from
/// their own reads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WorkFacts {
    pub deadline_due: i64,
    pub deadline_kept: i64,
    pub cases_at_risk: i64,
    pub cases_covered: i64,
}

/// A frozen month's ranking with who froze it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrozenRanking {
    pub ranking: Ranking,
    pub frozen_by: String,
    pub frozen_at: i64,
}

/// The case's status column as a region's query should filter on it: a county reads its cases
/// by status (the index), a township or village reads its households' cases one by one (the unary
/// plus keeps SQLite from probing the county's cases by status for every household: 3.3 s
/// instead of 30 ms for a township of a 100,000-household county).
fn case_status(region: &RegionCode) -> &'static str {
    if region.county().as_ref() == Some(region) {
        "c.status"
    } else {
        "+c.status"
    }
}

/// Stages still under way (not yet concluded).
fn open_stages() -> String {
    Stage::ALL
        .iter()
        .filter(|s| {
            !matches!(
                s,
                Stage::Included | Stage::NotIncluded | Stage::Eliminated | Stage::NotEliminated
            )
        })
        .map(|s| s.code().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `WHERE` of measures past their clock on `$at`: planned and past their start, or in
/// place and past their planned end.
fn measure_late(alias: &str, at: usize) -> String {
    let planned = MeasureState::Planned.code();
    let in_place = MeasureState::InPlace.code();
    format!(
        "(({alias}.state = {planned} AND {alias}.start_on < ${at}) OR ({alias}.state = {in_place} AND {alias}.end_on IS NOT NULL AND {alias}.end_on < ${at}))"
    )
}

fn add_to(
    map: &mut BTreeMap<String, OverdueCounts>,
    rows: Vec<crate::db::Row>,
    f: fn(&mut OverdueCounts, i64),
) {
    for r in rows {
        f(map.entry(r.text(0)).or_default(), r.int(1));
    }
}

impl Store {
    /// The villages of a region with their names, by code.
    pub fn villages_named(&self, region: &RegionCode) -> Result<Vec<(String, String)>, StoreError> {
        self.regions_named(region, 12)
    }

    /// The townships of a region with their names, by code.
    pub fn townships_named(
        &self,
        region: &RegionCode,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.regions_named(region, 9)
    }

    fn regions_named(
        &self,
        region: &RegionCode,
        len: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str();
            Ok(c.query(
                "SELECT code, name FROM regions WHERE level = $1 AND code >= $2 AND code < $3 ORDER BY code",
                &params![len, lo, prefix_end(lo)],
            )?
            .iter()
            .map(|r| (r.text(0), r.text(1)))
            .collect())
        })
    }

    /// Measures in place by category and the monitoring type of their case.
    pub fn measures_in_place(&self, region: &RegionCode) -> Result<Vec<MeasureCell>, StoreError> {
        let (rc, args) = region_clause("m", region, 1);
        let in_place = MeasureState::InPlace.code();
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT m.category, c.case_type, COUNT(DISTINCT m.household_no), COUNT(*)
                     FROM measures m JOIN monitoring_cases c ON c.id = m.case_id
                     WHERE {rc} AND m.state = {in_place}
                     GROUP BY m.category, c.case_type ORDER BY m.category, c.case_type"
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(
                    r,
                    "measures",
                    "category, case_type, households, measures",
                    0,
                );
                Ok(MeasureCell {
                    category: f.code(0, MeasureCategory::from_code)?,
                    case_type: f.code(1, CaseType::from_code)?,
                    households: f.int(2)?,
                    measures: f.int(3)?,
                })
            })
            .collect()
        })
    }

    /// The measures in place behind a cell (`None`: every category or type).
    pub fn measure_records(
        &self,
        region: &RegionCode,
        category: Option<MeasureCategory>,
        case_type: Option<CaseType>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, StoreError> {
        let (rc, mut args) = region_clause("m", region, 1);
        let mut clause = format!("{rc} AND m.state = {}", MeasureState::InPlace.code());
        if let Some(k) = category {
            args.push(k.code().into());
            clause.push_str(&format!(" AND m.category = ${}", args.len()));
        }
        if let Some(t) = case_type {
            args.push(t.code().into());
            clause.push_str(&format!(" AND c.case_type = ${}", args.len()));
        }
        self.with_conn(|c| {
            Ok(c.query(
                &format!(
                    "SELECT m.household_no, m.village, hd.name, m.content, m.start_on, m.case_id, m.category
                     FROM {} JOIN monitoring_cases c ON c.id = m.case_id
                     WHERE {clause} ORDER BY m.village, m.household_no, m.id LIMIT {}",
                    with_household_head("measures", "m"),
                    limit.clamp(1, 100_000)
                ),
                &args,
            )?
            .iter()
            .map(|r| FigureRecord {
                household_no: r.text(0),
                village: r.text(1),
                head_name: r.opt_text(2).unwrap_or_default(),
                what_zh: format!(
                    "{}：{}",
                    MeasureCategory::from_code(r.int(6)).map_or("", |k| k.label_zh()),
                    r.text(3)
                ),
                what_en: format!(
                    "{}: {}",
                    MeasureCategory::from_code(r.int(6)).map_or("", |k| k.label_en()),
                    r.text(3)
                ),
                on: r.text(4),
                link: Some(format!("/cases/{}", r.int(5))),
            })
            .collect())
        })
    }

    /// Cases at risk of a region without a measure in place, by village and household, with
    /// their count.
    pub fn households_without_measures(
        &self,
        region: &RegionCode,
        limit: i64,
    ) -> Result<(Vec<Uncovered>, i64), StoreError> {
        let (rc, args) = region_clause("hh", region, 1);
        let at_risk = CaseStatus::AtRisk.code();
        let in_place = MeasureState::InPlace.code();
        let planned = MeasureState::Planned.code();
        let status = case_status(region);
        let clause = format!(
            "{rc} AND {status} = {at_risk} AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.case_id = c.id AND m.state = {in_place})"
        );
        self.with_conn(|c| {
            let total = c
                .query_one(
                    &format!(
                        "SELECT COUNT(*) FROM monitoring_cases c JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no WHERE {clause}"
                    ),
                    &args,
                )?
                .map_or(0, |r| r.int(0));
            let rows = c
                .query(
                    &format!(
                        "SELECT c.id, c.household_no, hh.village, hd.name, c.case_type, c.identified,
                            (SELECT COUNT(*) FROM measures m WHERE m.case_id = c.id AND m.state = {planned})
                         FROM {} WHERE {clause} ORDER BY hh.village, c.household_no LIMIT {}",
                        with_household_head("monitoring_cases", "c"),
                        limit.clamp(1, 100_000)
                    ),
                    &args,
                )?
                .iter()
                .map(|r| {
                    let f = Fields::new(r, "monitoring_cases", "id, household_no, village, head, case_type, identified, planned", 0);
                    Ok(Uncovered {
                        case_id: f.int(0)?,
                        household_no: f.text(1),
                        village: f.text(2),
                        head_name: f.opt_text(3).unwrap_or_default(),
                        case_type: f.code(4, CaseType::from_code)?,
                        identified: f.text(5),
                        planned: f.int(6)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((rows, total))
        })
    }

    /// Work past its clock on `today` per village (identification stages, leads, measures,
    /// self-reports); visits are the duties' own count.
    pub fn overdue_by_village(
        &self,
        region: &RegionCode,
        today: Date,
    ) -> Result<BTreeMap<String, OverdueCounts>, StoreError> {
        let (rc_i, mut args) = region_clause("i", region, 1);
        let (rc_l, _) = region_clause("l", region, 1);
        let (rc_m, _) = region_clause("m", region, 1);
        let (rc_s, _) = region_clause("s", region, 1);
        args.push(today.to_string().into());
        let at = args.len();
        let stages = open_stages();
        let open = LeadStatus::Open.code();
        let received = SelfReportStatus::Received.code();
        let late = measure_late("m", at);
        self.with_conn(|c| {
            let mut out: BTreeMap<String, OverdueCounts> = BTreeMap::new();
            add_to(
                &mut out,
                c.query(
                    &format!("SELECT i.village, COUNT(*) FROM identifications i WHERE {rc_i} AND i.stage IN ({stages}) AND i.stage_due < ${at} GROUP BY i.village"),
                    &args,
                )?,
                |o, n| o.identifications = n,
            );
            add_to(
                &mut out,
                c.query(
                    &format!("SELECT l.village, COUNT(*) FROM leads l WHERE {rc_l} AND l.status = {open} AND l.due_on < ${at} GROUP BY l.village"),
                    &args,
                )?,
                |o, n| o.leads = n,
            );
            add_to(
                &mut out,
                c.query(
                    &format!("SELECT m.village, COUNT(*) FROM measures m WHERE {rc_m} AND {late} GROUP BY m.village"),
                    &args,
                )?,
                |o, n| o.measures = n,
            );
            add_to(
                &mut out,
                c.query(
                    &format!("SELECT s.village, COUNT(*) FROM self_reports s WHERE {rc_s} AND s.status = {received} AND s.due_on < ${at} GROUP BY s.village"),
                    &args,
                )?,
                |o, n| o.self_reports = n,
            );
            Ok(out)
        })
    }

    /// The overdue records of one kind (not visits) behind a figure.
    pub fn overdue_records(
        &self,
        region: &RegionCode,
        today: Date,
        kind: OverdueKind,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, StoreError> {
        let limit = limit.clamp(1, 100_000);
        let (sql, alias) = match kind {
            OverdueKind::Identification => (
                format!(
                    "SELECT i.household_no, i.village, hd.name, i.stage, i.stage_due, i.id FROM {} WHERE {{rc}} AND i.stage IN ({}) AND i.stage_due < {{at}} ORDER BY i.stage_due, i.id LIMIT {limit}",
                    with_household_head("identifications", "i"),
                    open_stages()
                ),
                "i",
            ),
            OverdueKind::Lead => (
                format!(
                    "SELECT l.household_no, l.village, hd.name, l.risk, l.due_on, l.id FROM {} WHERE {{rc}} AND l.status = {} AND l.due_on < {{at}} ORDER BY l.due_on, l.id LIMIT {limit}",
                    with_household_head("leads", "l"),
                    LeadStatus::Open.code()
                ),
                "l",
            ),
            OverdueKind::Measure => (
                format!(
                    "SELECT m.household_no, m.village, hd.name, m.content, CASE WHEN m.state = {} THEN m.start_on ELSE m.end_on END, m.case_id FROM {} WHERE {{rc}} AND {{late}} ORDER BY m.village, m.id LIMIT {limit}",
                    MeasureState::Planned.code(),
                    with_household_head("measures", "m")
                ),
                "m",
            ),
            OverdueKind::SelfReport => (
                format!(
                    "SELECT COALESCE(s.household_no, ''), s.village, s.head_name, s.risk, s.due_on, s.id FROM self_reports s WHERE {{rc}} AND s.status = {} AND s.due_on < {{at}} ORDER BY s.due_on, s.id LIMIT {limit}",
                    SelfReportStatus::Received.code()
                ),
                "s",
            ),
            OverdueKind::Visit => return Ok(Vec::new()),
        };
        let (rc, mut args) = region_clause(alias, region, 1);
        args.push(today.to_string().into());
        let at = format!("${}", args.len());
        let sql = sql
            .replace("{rc}", &rc)
            .replace("{at}", &at)
            .replace("{late}", &measure_late("m", args.len()));
        self.with_conn(|c| {
            Ok(c.query(&sql, &args)?
                .iter()
                .map(|r| {
                    let (what_zh, what_en) = match kind {
                        OverdueKind::Identification => Stage::from_code(r.int(3))
                            .map_or((String::new(), String::new()), |s| {
                                (s.label_zh().to_string(), s.label_en().to_string())
                            }),
                        OverdueKind::Lead | OverdueKind::SelfReport => {
                            shouwang_core::monitoring::RiskType::from_code(r.int(3))
                                .map_or((String::new(), String::new()), |s| {
                                    (s.label_zh().to_string(), s.label_en().to_string())
                                })
                        }
                        _ => (r.text(3), r.text(3)),
                    };
                    let id = r.int(5);
                    FigureRecord {
                        household_no: r.text(0),
                        village: r.text(1),
                        head_name: r.opt_text(2).unwrap_or_default(),
                        what_zh,
                        what_en,
                        on: r.text(4),
                        link: Some(match kind {
                            OverdueKind::Identification => format!("/identifications/{id}"),
                            OverdueKind::Lead => format!("/leads/{id}"),
                            OverdueKind::Measure => format!("/cases/{id}"),
                            _ => "/self-reports".to_string(),
                        }),
                    }
                })
                .collect())
        })
    }

    /// Department alerts of a region raised from `from` to `to` (days, China time), per kind,
    /// day and status.
    pub fn alert_days(
        &self,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> Result<Vec<AlertDay>, StoreError> {
        let (rc, mut args) = region_clause("a", region, 1);
        let (lo, hi) = day_seconds(from, to);
        args.push(lo.into());
        args.push(hi.into());
        let n = args.len();
        let open = AlertStatus::Open.code();
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT a.kind, (a.created_at + 28800) / 86400 AS d,
                        SUM(CASE WHEN a.status = {open} THEN 1 ELSE 0 END), SUM(CASE WHEN a.status = {open} THEN 0 ELSE 1 END)
                     FROM dept_alerts a WHERE {rc} AND a.created_at >= ${} AND a.created_at < ${n}
                     GROUP BY a.kind, (a.created_at + 28800) / 86400 ORDER BY 1, 2",
                    n - 1
                ),
                &args,
            )?;
            rows.iter()
                .map(|r| {
                    let f = Fields::new(r, "dept_alerts", "kind, day, open, withdrawn", 0);
                    Ok(AlertDay {
                        kind: f.code(0, DeptKind::from_code)?,
                        day: Date::from_days(f.int(1)?),
                        open: f.int(2)?,
                        withdrawn: f.int(3)?,
                    })
                })
                .collect()
        })
    }

    /// The alerts behind a figure: of a kind (or all), raised from `from` to `to`.
    pub fn alert_records(
        &self,
        region: &RegionCode,
        kind: Option<DeptKind>,
        from: Date,
        to: Date,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, StoreError> {
        let (rc, mut args) = region_clause("a", region, 1);
        let (lo, hi) = day_seconds(from, to);
        args.push(lo.into());
        args.push(hi.into());
        let mut clause = format!(
            "{rc} AND a.created_at >= ${} AND a.created_at < ${}",
            args.len() - 1,
            args.len()
        );
        if let Some(k) = kind {
            args.push(k.code().into());
            clause.push_str(&format!(" AND a.kind = ${}", args.len()));
        }
        self.with_conn(|c| {
            Ok(c.query(
                &format!(
                    "SELECT a.household_no, a.village, hd.name, a.rule, a.person_name, a.created_at, a.lead_id, a.status, a.kind
                     FROM {} WHERE {clause} ORDER BY a.created_at, a.id LIMIT {}",
                    with_household_head("dept_alerts", "a"),
                    limit.clamp(1, 100_000)
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let withdrawn = r.int(7) != AlertStatus::Open.code();
                FigureRecord {
                    household_no: r.text(0),
                    village: r.text(1),
                    head_name: r.opt_text(2).unwrap_or_default(),
                    what_zh: format!(
                        "{} {} {}{}",
                        DeptKind::from_code(r.int(8)).map_or("", |k| k.label_zh()),
                        r.text(3),
                        r.text(4),
                        if withdrawn { "（已撤回）" } else { "" }
                    ),
                    what_en: format!(
                        "{} {} {}{}",
                        DeptKind::from_code(r.int(8)).map_or("", |k| k.label_en()),
                        r.text(3),
                        r.text(4),
                        if withdrawn { " (withdrawn)" } else { "" }
                    ),
                    on: Date::from_unix_seconds_china(r.int(5)).to_string(),
                    link: r.opt_int(6).map(|id| format!("/leads/{id}")),
                }
            })
            .collect())
        })
    }

    /// Leads of a region found from `from` to `to` (both included), per source and status.
    pub fn lead_outcomes(
        &self,
        region: &RegionCode,
        from: Date,
        to: Date,
    ) -> Result<Vec<LeadCell>, StoreError> {
        let (rc, mut args) = region_clause("l", region, 1);
        args.push(from.to_string().into());
        args.push(to.to_string().into());
        let n = args.len();
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT l.source, l.status, COUNT(*) FROM leads l WHERE {rc} AND l.found_on >= ${} AND l.found_on <= ${n}
                     GROUP BY l.source, l.status ORDER BY 1, 2",
                    n - 1
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "leads", "source, status, count", 0);
                Ok(LeadCell {
                    source: f.code(0, LeadSource::from_code)?,
                    status: f.code(1, LeadStatus::from_code)?,
                    count: f.int(2)?,
                })
            })
            .collect()
        })
    }

    /// The leads behind a figure: found from `from` to `to`, of a source and status (or all).
    pub fn lead_records(
        &self,
        region: &RegionCode,
        from: Date,
        to: Date,
        source: Option<LeadSource>,
        status: Option<LeadStatus>,
        limit: i64,
    ) -> Result<Vec<FigureRecord>, StoreError> {
        let (rc, mut args) = region_clause("l", region, 1);
        args.push(from.to_string().into());
        args.push(to.to_string().into());
        let mut clause = format!(
            "{rc} AND l.found_on >= ${} AND l.found_on <= ${}",
            args.len() - 1,
            args.len()
        );
        if let Some(s) = source {
            args.push(s.code().into());
            clause.push_str(&format!(" AND l.source = ${}", args.len()));
        }
        if let Some(s) = status {
            args.push(s.code().into());
            clause.push_str(&format!(" AND l.status = ${}", args.len()));
        }
        self.with_conn(|c| {
            Ok(c.query(
                &format!(
                    "SELECT l.household_no, l.village, hd.name, l.risk, l.found_on, l.id, l.source, l.status
                     FROM {} WHERE {clause} ORDER BY l.found_on, l.id LIMIT {}",
                    with_household_head("leads", "l"),
                    limit.clamp(1, 100_000)
                ),
                &args,
            )?
            .iter()
            .map(|r| FigureRecord {
                household_no: r.text(0),
                village: r.text(1),
                head_name: r.opt_text(2).unwrap_or_default(),
                what_zh: format!(
                    "{} · {} · {}",
                    shouwang_core::monitoring::RiskType::from_code(r.int(3)).map_or("", |k| k.label_zh()),
                    LeadSource::from_code(r.int(6)).map_or("", |k| k.label_zh()),
                    LeadStatus::from_code(r.int(7)).map_or("", |k| k.label_zh())
                ),
                what_en: format!(
                    "{} · {} · {}",
                    shouwang_core::monitoring::RiskType::from_code(r.int(3)).map_or("", |k| k.label_en()),
                    LeadSource::from_code(r.int(6)).map_or("", |k| k.label_en()),
                    LeadStatus::from_code(r.int(7)).map_or("", |k| k.label_en())
                ),
                on: r.text(4),
                link: Some(format!("/leads/{}", r.int(5))),
            })
            .collect())
        })
    }

    /// The ranking's work facts per village of a region for the month `from`–`to`, taken on
    /// `as_of`: the work whose clock ended from `from` to the earlier of `to` and `as_of` (leads
    /// to verify, identification stages, self-reports) and how much was kept; the cases at risk
    /// and those with a measure in place.
    pub fn ranking_work(
        &self,
        region: &RegionCode,
        from: Date,
        as_of: Date,
    ) -> Result<BTreeMap<String, WorkFacts>, StoreError> {
        let (rc_l, mut args) = region_clause("l", region, 1);
        let (rc_i, _) = region_clause("i", region, 1);
        let (rc_s, _) = region_clause("s", region, 1);
        let (rc_h, _) = region_clause("hh", region, 1);
        args.push(from.to_string().into());
        args.push(as_of.to_string().into());
        let (a, b) = (args.len() - 1, args.len());
        let open = LeadStatus::Open.code();
        let stages = open_stages();
        let received = SelfReportStatus::Received.code();
        let at_risk = CaseStatus::AtRisk.code();
        let in_place = MeasureState::InPlace.code();
        let status = case_status(region);
        self.with_conn(|c| {
            let mut out: BTreeMap<String, WorkFacts> = BTreeMap::new();
            let due = |rows: Vec<crate::db::Row>, out: &mut BTreeMap<String, WorkFacts>| {
                for r in rows {
                    let e = out.entry(r.text(0)).or_default();
                    e.deadline_due += r.int(1);
                    e.deadline_kept += r.int(2);
                }
            };
            // a lead due in the window is kept unless it was (or still is) open past its day
            due(
                c.query(
                    &format!(
                        "SELECT l.village, COUNT(*), SUM(CASE WHEN l.overdue_since IS NULL AND NOT (l.status = {open} AND l.due_on < ${b}) THEN 1 ELSE 0 END)
                         FROM leads l WHERE {rc_l} AND l.due_on >= ${a} AND l.due_on <= ${b} GROUP BY l.village"
                    ),
                    &args,
                )?,
                &mut out,
            );
            // a procedure whose stage clock ends in the window is kept unless marked overdue
            due(
                c.query(
                    &format!(
                        "SELECT i.village, COUNT(*), SUM(CASE WHEN i.overdue_since IS NULL AND NOT (i.stage IN ({stages}) AND i.stage_due < ${b}) THEN 1 ELSE 0 END)
                         FROM identifications i WHERE {rc_i} AND i.stage_due >= ${a} AND i.stage_due <= ${b} GROUP BY i.village"
                    ),
                    &args,
                )?,
                &mut out,
            );
            // a self-report due in the window is kept once acted on
            due(
                c.query(
                    &format!(
                        "SELECT s.village, COUNT(*), SUM(CASE WHEN s.status <> {received} OR s.due_on >= ${b} THEN 1 ELSE 0 END)
                         FROM self_reports s WHERE {rc_s} AND s.due_on >= ${a} AND s.due_on <= ${b} GROUP BY s.village"
                    ),
                    &args,
                )?,
                &mut out,
            );
            for r in c.query(
                &format!(
                    "SELECT hh.village, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM measures m WHERE m.case_id = c.id AND m.state = {in_place}) THEN 1 ELSE 0 END)
                     FROM monitoring_cases c JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no
                     WHERE {rc_h} AND {status} = {at_risk} GROUP BY hh.village"
                ),
                &args[..args.len() - 2],
            )? {
                let e = out.entry(r.text(0)).or_default();
                e.cases_at_risk = r.int(1);
                e.cases_covered = r.int(2);
            }
            Ok(out)
        })
    }

    /// The weights a county or township set, if it did.
    pub fn ranking_weights(&self, region: &RegionCode) -> Result<Option<Weights>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_one(
                "SELECT deadline, visits, measures, quality FROM ranking_weights WHERE region = $1",
                &params![region.as_str()],
            )?
            .map(|r| Weights {
                deadline: r.int(0).clamp(0, 100) as u32,
                visits: r.int(1).clamp(0, 100) as u32,
                measures: r.int(2).clamp(0, 100) as u32,
                quality: r.int(3).clamp(0, 100) as u32,
            }))
        })
    }

    /// Sets a county's or township's weights (checked by the caller), audited with the
    /// weights before and after.
    pub fn set_ranking_weights(
        &self,
        actor: &Actor,
        region: &RegionCode,
        weights: &Weights,
    ) -> Result<(), StoreError> {
        let county = region.county().unwrap_or_else(|| region.clone());
        let before = self.ranking_weights(region)?;
        self.with_tx(|tx| {
            let args: Vec<Value> = params![
                region.as_str(),
                county.as_str(),
                i64::from(weights.deadline),
                i64::from(weights.visits),
                i64::from(weights.measures),
                i64::from(weights.quality),
                actor.username.as_str(),
                crate::now()
            ]
            .to_vec();
            tx.exec(
                "INSERT INTO ranking_weights (region, county, deadline, visits, measures, quality, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (region) DO UPDATE SET deadline = excluded.deadline, visits = excluded.visits,
                     measures = excluded.measures, quality = excluded.quality, updated_by = excluded.updated_by,
                     updated_at = excluded.updated_at, version = ranking_weights.version + 1",
                &args,
            )?;
            record(
                tx,
                actor,
                Some(county.as_str()),
                "ranking.weights",
                ("ranking_weights", region.as_str()),
                before.as_ref().map(json).as_ref(),
                Some(&json(weights)),
            )
        })
    }

    /// A month's frozen ranking of a county or township, if it was frozen.
    pub fn frozen_ranking(
        &self,
        region: &RegionCode,
        month: YearMonth,
    ) -> Result<Option<FrozenRanking>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                "SELECT body, frozen_by, frozen_at FROM ranking_months WHERE region = $1 AND month = $2",
                &params![region.as_str(), month.to_string()],
            )?
            .map(|r| {
                let ranking: Ranking = serde_json::from_str(&r.text(0))
                    .map_err(|e| StoreError::Other(format!("ranking_months body: {e}")))?;
                Ok(FrozenRanking {
                    ranking,
                    frozen_by: r.text(1),
                    frozen_at: r.int(2),
                })
            })
            .transpose()
        })
    }

    /// Freezes a month's ranking unless one is frozen already (two first readers at once keep
    /// the first); returns the one kept.
    pub fn freeze_ranking(
        &self,
        actor: &Actor,
        ranking: &Ranking,
    ) -> Result<FrozenRanking, StoreError> {
        let region = RegionCode::parse(&ranking.region)
            .ok_or_else(|| StoreError::Other(format!("ranking region {}", ranking.region)))?;
        let county = region.county().unwrap_or_else(|| region.clone());
        let body = serde_json::to_string(ranking).map_err(|e| StoreError::Other(e.to_string()))?;
        self.with_tx(|tx| {
            let n = tx.exec(
                "INSERT INTO ranking_months (county, region, month, body, frozen_by, frozen_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region, month) DO NOTHING",
                &params![
                    county.as_str(),
                    region.as_str(),
                    ranking.month.to_string(),
                    body.as_str(),
                    actor.username.as_str(),
                    crate::now()
                ],
            )?;
            if n > 0 {
                record(
                    tx,
                    actor,
                    Some(county.as_str()),
                    "ranking.freeze",
                    ("ranking_months", &format!("{}/{}", region, ranking.month)),
                    None,
                    None,
                )?;
            }
            Ok(())
        })?;
        self.frozen_ranking(&region, ranking.month)?
            .ok_or(StoreError::NotFound)
    }
}

/// Unix seconds of the start of `from` and of the day after `to`, China time.
fn day_seconds(from: Date, to: Date) -> (i64, i64) {
    (
        from.to_days() * 86_400 - 28_800,
        (to.to_days() + 1) * 86_400 - 28_800,
    )
}
