//! 工作提示单 as stored: what the lists are made from, gathered for one village or for every
//! village of a county at once (one set-based statement per table, grouped by village in Rust),
//! the lists saved per village and month (one audit event per generation), one list read back,
//! and the villages of a region with their counts.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Row, Value};
use crate::sql::{json, region_clause, upsert_rows};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::codes::{HouseholdType, LabourCapacity, Relation};
use shouwang_core::date::YearMonth;
use shouwang_core::identification::Stage;
use shouwang_core::monitoring::{CaseStatus, RiskType};
use shouwang_core::task_list::{
    last_day, HouseholdFacts, MeasureFacts, OpenCase, OpenProcedure, PairingFacts, PendingLead,
    TaskItem, TaskList, VillageInputs, VisitFacts,
};
use shouwang_core::visit::Position;
use shouwang_core::{Date, RegionCode};
use std::collections::{BTreeMap, HashMap};

/// A list as saved, with who generated it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavedTaskList {
    pub list: TaskList,
    pub generated_by: String,
    /// unix seconds
    pub generated_at: i64,
}

/// A village of a region with its list of the month, if generated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VillageTasks {
    pub village: String,
    pub name: String,
    /// `None`: no list generated for the month yet
    pub items: Option<i64>,
    pub overdue: i64,
    pub generated_at: Option<i64>,
}

const OPEN_STAGES: &str = "1, 2, 3, 4, 5";
/// `identifications.purpose` of an elimination
const ELIMINATION: i64 = 2;

fn corrupt(table: &'static str, column: &str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        column: column.into(),
        value: value.to_string(),
    }
}

fn date(table: &'static str, column: &str, text: &str) -> Result<Date, StoreError> {
    Date::parse(text).ok_or_else(|| corrupt(table, column, text))
}

fn code<T>(
    table: &'static str,
    column: &str,
    n: i64,
    from: impl Fn(i64) -> Option<T>,
) -> Result<T, StoreError> {
    from(n).ok_or_else(|| corrupt(table, column, n))
}

/// The `WHERE` of `region` on `alias` (a table with `county` and `village`), and its values.
fn clause(alias: &str, region: &RegionCode) -> (String, Vec<Value>) {
    region_clause(alias, region, 1)
}

impl Store {
    /// What the lists of every village of `region` (a village, or a county and everything in
    /// it) for `month` are made from: open procedures, leads to verify, cases at risk with their
    /// measures, pairings during the month, visits from `visits_since` to the month's end, and
    /// the households these name plus every 脱贫户. Villages with nothing are absent.
    pub fn task_inputs(
        &self,
        region: &RegionCode,
        month: YearMonth,
        visits_since: Date,
    ) -> Result<BTreeMap<String, VillageInputs>, StoreError> {
        let first = month.first_day().to_string();
        let last = last_day(month).to_string();
        self.with_conn(|c| {
            let started = std::time::Instant::now();
            let lap = |what: &str| {
                tracing::debug!(what, ms = started.elapsed().as_millis() as u64, "task inputs");
            };
            let mut out: BTreeMap<String, VillageInputs> = BTreeMap::new();
            let village_of = |out: &mut BTreeMap<String, VillageInputs>, v: String| {
                // a village seen once is not allocated again
                if !out.contains_key(&v) {
                    out.insert(
                        v.clone(),
                        VillageInputs {
                            village: v.clone(),
                            ..VillageInputs::default()
                        },
                    );
                }
                v
            };

            // open procedures (identification and elimination)
            let (w, values) = clause("i", region);
            for r in c.query(
                &format!(
                    "SELECT i.id, i.village, i.household_no, i.stage, i.stage_due, i.purpose
                     FROM identifications i WHERE {w} AND i.stage IN ({OPEN_STAGES})"
                ),
                &values,
            )? {
                let v = village_of(&mut out, r.text(1));
                let p = OpenProcedure {
                    id: r.int(0),
                    household_no: r.text(2),
                    stage: code("identifications", "stage", r.int(3), Stage::from_code)?,
                    stage_due: date("identifications", "stage_due", &r.text(4))?,
                    elimination: r.int(5) == ELIMINATION,
                };
                if let Some(x) = out.get_mut(&v) {
                    x.procedures.push(p);
                }
            }

            lap("procedures");
            // leads waiting to be verified (a lead in a procedure is the procedure's)
            let (w, values) = clause("l", region);
            for r in c.query(
                &format!(
                    "SELECT l.id, l.village, l.household_no, l.risk, l.due_on FROM leads l
                     WHERE {w} AND l.status = {}",
                    shouwang_core::lead::LeadStatus::Open.code()
                ),
                &values,
            )? {
                let v = village_of(&mut out, r.text(1));
                let l = PendingLead {
                    id: r.int(0),
                    household_no: r.text(2),
                    risk: code("leads", "risk", r.int(3), RiskType::from_code)?,
                    due_on: date("leads", "due_on", &r.text(4))?,
                };
                if let Some(x) = out.get_mut(&v) {
                    x.leads.push(l);
                }
            }

            lap("leads");
            // cases at risk, the day the county included them, whether an elimination is open
            let (w, values) = clause("hh", region);
            // a county is led by its cases at risk; below it the region's households lead and each
            // case is found by its household: the unary plus keeps SQLite from probing the county's
            // cases by status once per household (a village of a 1,000,000-household county: 6 s)
            let at_risk = match region.county() {
                Some(county) if county == *region => format!("c.status = {}", CaseStatus::AtRisk.code()),
                _ => format!("+c.status = {}", CaseStatus::AtRisk.code()),
            };
            let mut cases: HashMap<i64, (String, usize)> = HashMap::new();
            for r in c.query(
                &format!(
                    "SELECT c.id, hh.village, c.household_no, c.identified, c.whole_household_without_labour,
                            (SELECT MIN(s.on_date) FROM case_steps s WHERE s.case_id = c.id AND s.step = 'identification')
                     FROM monitoring_cases c JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no
                     WHERE {w} AND {at_risk}",
                ),
                &values,
            )? {
                let v = village_of(&mut out, r.text(1));
                let identified_on = match r.opt_text(5) {
                    Some(day) => date("case_steps", "on_date", &day)?,
                    None => YearMonth::parse(&r.text(3))
                        .ok_or_else(|| corrupt("monitoring_cases", "identified", r.text(3)))?
                        .first_day(),
                };
                let case = OpenCase {
                    id: r.int(0),
                    household_no: r.text(2),
                    identified_on,
                    whole_household_without_labour: r.bool(4),
                    measures: Vec::new(),
                    elimination_open: false,
                };
                if let Some(x) = out.get_mut(&v) {
                    cases.insert(case.id, (v.clone(), x.cases.len()));
                    x.cases.push(case);
                }
            }

            // the cases whose elimination is open (a set, not a subquery per case: most procedures
            // have no case yet, and the planner will not use the case index for them)
            let (w, values) = clause("e", region);
            for r in c.query(
                &format!(
                    "SELECT DISTINCT e.case_id FROM identifications e
                     WHERE {w} AND e.purpose = {ELIMINATION} AND e.stage IN ({OPEN_STAGES}) AND e.case_id IS NOT NULL"
                ),
                &values,
            )? {
                if let Some((v, at)) = cases.get(&r.int(0)) {
                    if let Some(case) = out.get_mut(v).and_then(|x| x.cases.get_mut(*at)) {
                        case.elimination_open = true;
                    }
                }
            }
            lap("cases");
            // the measures of those cases
            let (w, values) = clause("m", region);
            for r in c.query(
                &format!(
                    "SELECT m.id, m.case_id, m.category, m.state, m.end_on, m.content, m.responsible
                     FROM measures m JOIN monitoring_cases c ON c.id = m.case_id
                     WHERE {w} AND c.status = {} ORDER BY m.id",
                    CaseStatus::AtRisk.code()
                ),
                &values,
            )? {
                let Some((v, at)) = cases.get(&r.int(1)) else {
                    continue;
                };
                let m = MeasureFacts {
                    id: r.int(0),
                    category: code("measures", "category", r.int(2), MeasureCategory::from_code)?,
                    state: code("measures", "state", r.int(3), MeasureState::from_code)?,
                    end: r
                        .opt_text(4)
                        .map(|t| date("measures", "end_on", &t))
                        .transpose()?,
                    content: r.text(5),
                    responsible: r.text(6),
                };
                if let Some(case) = out.get_mut(v).and_then(|x| x.cases.get_mut(*at)) {
                    case.measures.push(m);
                }
            }

            lap("measures");
            // pairings lasting into the month
            let (w, mut values) = clause("p", region);
            values.push(last.as_str().into());
            values.push(first.as_str().into());
            let n = values.len();
            for r in c.query(
                &format!(
                    "SELECT p.village, p.household_no, ap.position, ap.name
                     FROM assistance_pairings p JOIN assistance_persons ap ON ap.id = p.person_id
                     WHERE {w} AND p.start_on <= ${} AND (p.end_on IS NULL OR p.end_on >= ${n})
                     ORDER BY p.start_on, p.id",
                    n - 1
                ),
                &values,
            )? {
                let v = village_of(&mut out, r.text(0));
                let p = PairingFacts {
                    household_no: r.text(1),
                    position: code("assistance_persons", "position", r.int(2), Position::from_code)?,
                    person_name: r.text(3),
                };
                if let Some(x) = out.get_mut(&v) {
                    x.pairings.push(p);
                }
            }

            lap("pairings");
            // visits of the periods
            let (w, mut values) = clause("vi", region);
            values.push(visits_since.to_string().into());
            values.push(last.as_str().into());
            let n = values.len();
            for r in c.query(
                &format!(
                    "SELECT vi.village, vi.household_no, vi.position, vi.on_date FROM visits vi
                     WHERE {w} AND vi.on_date >= ${} AND vi.on_date <= ${n}",
                    n - 1
                ),
                &values,
            )? {
                let v = village_of(&mut out, r.text(0));
                let visit = VisitFacts {
                    household_no: r.text(1),
                    position: code("visits", "position", r.int(2), Position::from_code)?,
                    on: date("visits", "on_date", &r.text(3))?,
                };
                if let Some(x) = out.get_mut(&v) {
                    x.visits.push(visit);
                }
            }

            lap("visits");
            // the households: every 脱贫户, and those the rows above name
            let named: HashMap<&str, ()> = out
                .values()
                .flat_map(|x| {
                    x.procedures
                        .iter()
                        .map(|p| p.household_no.as_str())
                        .chain(x.leads.iter().map(|l| l.household_no.as_str()))
                        .chain(x.cases.iter().map(|c| c.household_no.as_str()))
                        .chain(x.pairings.iter().map(|p| p.household_no.as_str()))
                })
                .map(|no| (no, ()))
                .collect();
            let county = region.county().unwrap_or_else(|| region.clone());
            let head = Relation::Head.code();
            let labour = [
                LabourCapacity::Ordinary,
                LabourCapacity::Skilled,
                LabourCapacity::Weak,
            ]
            .map(|l| l.code().to_string())
            .join(", ");
            let post_poverty = HouseholdType::PostPoverty.code();
            let columns = format!(
                "hh.village, hh.household_no, hh.household_type,
                 (SELECT hd.name FROM members hd WHERE hd.county = hh.county AND hd.household_no = hh.household_no AND hd.relation = {head} ORDER BY hd.position LIMIT 1),
                 EXISTS (SELECT 1 FROM members m WHERE m.county = hh.county AND m.household_no = hh.household_no AND m.deceased_on IS NULL AND m.labour IN ({labour}))"
            );
            let (w, values) = clause("hh", region);
            let mut rows: Vec<Row> = c.query(
                &format!("SELECT {columns} FROM households hh WHERE {w} AND hh.household_type = {post_poverty}"),
                &values,
            )?;
            let mut others: Vec<&str> = named
                .keys()
                .copied()
                .collect();
            others.sort_unstable();
            let loaded: std::collections::HashSet<String> = rows.iter().map(|r| r.text(1)).collect();
            others.retain(|no| !loaded.contains(*no));
            for chunk in others.chunks(500) {
                let mut values: Vec<Value> = vec![county.as_str().into()];
                values.extend(chunk.iter().map(|no| Value::from(*no)));
                rows.extend(c.query(
                    &format!(
                        "SELECT {columns} FROM households hh WHERE hh.county = $1 AND hh.household_no IN ({})",
                        crate::sql::placeholders(2, chunk.len())
                    ),
                    &values,
                )?);
            }
            for r in rows {
                let v = village_of(&mut out, r.text(0));
                if let Some(x) = out.get_mut(&v) {
                    x.households.insert(
                        r.text(1),
                        HouseholdFacts {
                            head_name: r.opt_text(3).unwrap_or_default(),
                            post_poverty: r.int(2) == post_poverty,
                            has_labour: r.bool(4),
                        },
                    );
                }
            }
            lap("households");
            // who holds the secretaries' positions: of a village, of its township
            let holders = c.query(
                "SELECT up.position, up.region, u.display_name FROM user_positions up JOIN users u ON u.username = up.username
                 WHERE up.position IN ($1, $2) AND up.region >= $3 AND up.region < $4 ORDER BY u.display_name",
                &params![
                    Position::VillageSecretary.code(),
                    Position::TownshipSecretary.code(),
                    county.as_str(),
                    prefix_end(county.as_str())
                ],
            )?;
            for r in &holders {
                let Some(position) = Position::from_code(r.int(0)) else {
                    continue;
                };
                let at = r.text(1);
                for (code, x) in out.iter_mut() {
                    let holds = match position {
                        Position::VillageSecretary => *code == at,
                        _ => code.starts_with(&at),
                    };
                    if holds {
                        x.secretaries.push((position, r.text(2)));
                    }
                }
            }

            lap("positions");
            Ok(out)
        })
    }

    /// Saves the lists of one generation (each replaces the village's list of its month) and
    /// records the generation as one `task_list.generate` event: the region, the month, how many
    /// villages and items.
    pub fn save_task_lists(
        &self,
        actor: &Actor,
        region: &RegionCode,
        month: YearMonth,
        lists: &[TaskList],
    ) -> Result<usize, StoreError> {
        let county = region.county().unwrap_or_else(|| region.clone());
        let now = crate::now();
        let mut values: Vec<Value> = Vec::with_capacity(lists.len() * 8);
        let mut items = 0;
        for l in lists {
            let body = serde_json::to_string(&l.items)
                .map_err(|e| StoreError::Config(format!("task list: {e}")))?;
            items += l.items.len();
            values.extend([
                county.as_str().into(),
                l.village.as_str().into(),
                month.to_string().into(),
                body.into(),
                (l.items.len() as i64).into(),
                (l.overdue() as i64).into(),
                actor.username.as_str().into(),
                now.into(),
            ]);
        }
        self.with_tx(|tx| {
            upsert_rows(
                tx,
                "INSERT INTO task_lists (county, village, month, items, item_count, overdue_count, generated_by, generated_at)",
                8,
                &values,
                " ON CONFLICT (village, month) DO UPDATE SET items = excluded.items, item_count = excluded.item_count,
                   overdue_count = excluded.overdue_count, generated_by = excluded.generated_by, generated_at = excluded.generated_at",
            )?;
            record(
                tx,
                actor,
                Some(county.as_str()),
                "task_list.generate",
                ("task_lists", &format!("{region}/{month}")),
                None,
                Some(&json(&serde_json::json!({
                    "region": region.as_str(),
                    "month": month.to_string(),
                    "villages": lists.len(),
                    "items": items,
                }))),
            )?;
            Ok(lists.len())
        })
    }

    /// The saved list of a village and month.
    pub fn task_list(
        &self,
        village: &RegionCode,
        month: YearMonth,
    ) -> Result<Option<SavedTaskList>, StoreError> {
        self.with_conn(|c| {
            let Some(r) = c.query_one(
                "SELECT items, generated_by, generated_at FROM task_lists WHERE village = $1 AND month = $2",
                &params![village.as_str(), month.to_string()],
            )?
            else {
                return Ok(None);
            };
            let items: Vec<TaskItem> = serde_json::from_str(&r.text(0))
                .map_err(|_| corrupt("task_lists", "items", village.as_str()))?;
            Ok(Some(SavedTaskList {
                list: TaskList {
                    village: village.as_str().into(),
                    month,
                    items,
                },
                generated_by: r.text(1),
                generated_at: r.int(2),
            }))
        })
    }

    /// The villages of `region` with their list of `month`: most overdue first, then most
    /// items, then by code; villages without a list last.
    pub fn task_list_counts(
        &self,
        region: &RegionCode,
        month: YearMonth,
    ) -> Result<Vec<VillageTasks>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT r.code, r.name, t.item_count, t.overdue_count, t.generated_at
                 FROM regions r LEFT JOIN task_lists t ON t.village = r.code AND t.month = $3
                 WHERE r.code >= $1 AND r.code < $2 AND length(r.code) = 12",
                &params![
                    region.as_str(),
                    prefix_end(region.as_str()),
                    month.to_string()
                ],
            )?;
            let mut out: Vec<VillageTasks> = rows
                .iter()
                .map(|r| VillageTasks {
                    village: r.text(0),
                    name: r.text(1),
                    items: r.opt_int(2),
                    overdue: r.opt_int(3).unwrap_or(0),
                    generated_at: r.opt_int(4),
                })
                .collect();
            out.sort_by(|a, b| {
                (
                    a.items.is_none(),
                    -a.overdue,
                    -a.items.unwrap_or(0),
                    &a.village,
                )
                    .cmp(&(
                        b.items.is_none(),
                        -b.overdue,
                        -b.items.unwrap_or(0),
                        &b.village,
                    ))
            });
            Ok(out)
        })
    }
}
