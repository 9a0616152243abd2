//! Loading a county's assistance records at once (the demo county, benchmarks, tests): the
//! assistance persons and family doctors, their dated pairings, one plan per case with its
//! measures, visits, the positions users hold and the 监测联系人 of eliminated cases, as
//! [`shouwang_core::synth::assistance`] makes them. One transaction and one audit event for the
//! whole load; rows go in by the bulk path of the ledger import ([`insert_rows`]: `COPY` on
//! PostgreSQL, one prepared statement on SQLite), with ids drawn beforehand so that measures can
//! name their plans and pairings their persons without reading anything back.

use crate::audit::{record, Actor};
use crate::db::{Dialect, Sql, Value};
use crate::sql::{insert_rows, upsert_rows};
use crate::{params, Store, StoreError};
use shouwang_core::synth::SynthAssistance;
use shouwang_core::{Date, RegionCode};
use std::collections::HashMap;

/// What a county holds of assistance records, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssistanceCounts {
    pub persons: u64,
    pub doctors: u64,
    pub pairings: u64,
    /// pairings still running
    pub current_pairings: u64,
    pub plans: u64,
    pub measures: u64,
    pub visits: u64,
    pub positions: u64,
    /// eliminated cases with a 监测联系人
    pub contacts: u64,
}

/// Seconds since the epoch of 09:00 in China on `day`: when a loaded record was "made".
fn morning(day: Date) -> i64 {
    day.to_days() * 86_400 + 3_600
}

impl Store {
    /// Writes `data` for `county`: every plan's household holds a case (the plan goes to its
    /// latest) without a plan yet. Refused as a whole, nothing written, when a plan's household
    /// has no case. Returns the rows written.
    pub fn bulk_assistance(
        &self,
        actor: &Actor,
        county: &RegionCode,
        data: &SynthAssistance,
        what: &str,
    ) -> Result<usize, StoreError> {
        let now = crate::now();
        let county = county.as_str();
        let by = actor.username.as_str();
        self.with_tx(|tx| {
            // the latest case of each household
            let mut cases: HashMap<String, i64> = HashMap::new();
            for r in tx.query(
                "SELECT household_no, id FROM monitoring_cases WHERE county = $1 ORDER BY id",
                &params![county],
            )? {
                cases.insert(r.text(0), r.int(1));
            }
            // persons
            let person_ids = new_ids(tx, "assistance_persons", data.persons.len())?;
            let mut values = Vec::with_capacity(data.persons.len() * 12);
            for (p, id) in data.persons.iter().zip(&person_ids) {
                let q = &p.person;
                values.extend(params![
                    *id,
                    county,
                    q.position.code(),
                    q.name.as_str(),
                    q.sex.map(|s| s.code()),
                    q.political.map(|s| s.code()),
                    q.unit.as_str(),
                    q.phone.as_str(),
                    p.username.clone(),
                    true,
                    now,
                    now
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO assistance_persons (id, county, position, name, sex, political, unit, phone, username, active, created_at, updated_at)",
                12,
                &values,
            )?;
            let person = |i: usize| -> Result<i64, StoreError> {
                person_ids.get(i).copied().ok_or_else(|| {
                    StoreError::Other(format!("no person {i} among {}", person_ids.len()))
                })
            };
            // pairings
            let mut values = Vec::with_capacity(data.pairings.len() * 10);
            for p in &data.pairings {
                values.extend(params![
                    county,
                    person(p.person)?,
                    p.household_no.as_str(),
                    p.village.as_str(),
                    p.start.to_string(),
                    p.end.map(|d| d.to_string()),
                    p.end_reason.as_str(),
                    by,
                    morning(p.start),
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, end_on, end_reason, created_by, created_at)",
                9,
                &values,
            )?;
            // plans and their measures
            let plan_ids = new_ids(tx, "assistance_plans", data.plans.len())?;
            let mut plans = Vec::with_capacity(data.plans.len() * 9);
            let mut measures = Vec::with_capacity(data.measures() * 18);
            for (i, (p, id)) in data.plans.iter().zip(&plan_ids).enumerate() {
                let case = *cases.get(&p.household_no).ok_or_else(|| {
                    StoreError::Other(format!(
                        "plans[{i}]: household {} has no monitoring case",
                        p.household_no
                    ))
                })?;
                let made = morning(p.made);
                plans.extend(params![
                    *id,
                    county,
                    p.household_no.as_str(),
                    p.village.as_str(),
                    case,
                    p.summary.as_str(),
                    by,
                    made,
                    made
                ]);
                for m in &p.measures {
                    measures.extend(params![
                        county,
                        p.household_no.as_str(),
                        p.village.as_str(),
                        case,
                        *id,
                        m.category.code(),
                        m.content.as_str(),
                        m.risk.map(|r| r.code()),
                        m.start.to_string(),
                        m.end.map(|d| d.to_string()),
                        m.amount.map(|a| a.0),
                        m.unit.as_str(),
                        m.responsible.as_str(),
                        m.state.code(),
                        m.ended_on.map(|d| d.to_string()),
                        by,
                        morning(m.start),
                        morning(m.ended_on.unwrap_or(m.start))
                    ]);
                }
            }
            insert_rows(
                tx,
                "INSERT INTO assistance_plans (id, county, household_no, village, case_id, summary, created_by, created_at, updated_at)",
                9,
                &plans,
            )?;
            insert_rows(
                tx,
                "INSERT INTO measures (county, household_no, village, case_id, plan_id, category, content, risk, start_on, end_on, amount, unit, responsible, state, ended_on, created_by, created_at, updated_at)",
                18,
                &measures,
            )?;
            // visits
            let mut values = Vec::with_capacity(data.visits.len() * 11);
            for v in &data.visits {
                values.extend(params![
                    county,
                    v.household_no.as_str(),
                    v.village.as_str(),
                    v.on.to_string(),
                    v.visitor.as_str(),
                    v.visitor_name.as_str(),
                    v.position.code(),
                    v.person.map(person).transpose()?,
                    v.findings.as_str(),
                    v.follow_up.as_str(),
                    morning(v.on)
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO visits (county, household_no, village, on_date, visitor, visitor_name, position, person_id, findings, follow_up, created_at)",
                11,
                &values,
            )?;
            // positions (a user holds each position once: a second load moves it)
            let mut values = Vec::with_capacity(data.positions.len() * 4);
            for p in &data.positions {
                values.extend(params![
                    p.username.as_str(),
                    p.position.code(),
                    p.region.as_str(),
                    p.person.map(person).transpose()?
                ]);
            }
            upsert_rows(
                tx,
                "INSERT INTO user_positions (username, position, region, person_id)",
                4,
                &values,
                " ON CONFLICT (username, position) DO UPDATE SET region = excluded.region, person_id = excluded.person_id",
            )?;
            // contacts of eliminated cases
            let mut contacts = Vec::with_capacity(data.contacts.len());
            for (i, c) in data.contacts.iter().enumerate() {
                let case = *cases.get(&c.household_no).ok_or_else(|| {
                    StoreError::Other(format!(
                        "contacts[{i}]: household {} has no monitoring case",
                        c.household_no
                    ))
                })?;
                contacts.push((case, c));
            }
            match tx.dialect() {
                Dialect::Sqlite => {
                    for (case, c) in &contacts {
                        tx.exec(
                            "UPDATE monitoring_cases SET contact_name = $1, contact_phone = $2,
                             eliminated_on = COALESCE(eliminated_on, $3) WHERE id = $4",
                            &params![
                                c.name.as_str(),
                                c.phone.as_str(),
                                c.eliminated_on.to_string(),
                                *case
                            ],
                        )?;
                    }
                }
                Dialect::Postgres => {
                    for chunk in contacts.chunks(2_000) {
                        let mut sql = String::from(
                            "UPDATE monitoring_cases m SET contact_name = v.n, contact_phone = v.p,
                             eliminated_on = COALESCE(m.eliminated_on, v.e) FROM (VALUES ",
                        );
                        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
                        for (k, (case, c)) in chunk.iter().enumerate() {
                            let b = k * 4;
                            if k > 0 {
                                sql.push_str(", ");
                            }
                            sql.push_str(&format!(
                                "(${}::bigint, ${}::text, ${}::text, ${}::text)",
                                b + 1,
                                b + 2,
                                b + 3,
                                b + 4
                            ));
                            values.extend(params![
                                *case,
                                c.name.as_str(),
                                c.phone.as_str(),
                                c.eliminated_on.to_string()
                            ]);
                        }
                        sql.push_str(") AS v (id, n, p, e) WHERE m.id = v.id");
                        tx.exec(&sql, &values)?;
                    }
                }
            }
            let rows = data.persons.len()
                + data.pairings.len()
                + data.plans.len()
                + data.measures()
                + data.visits.len()
                + data.positions.len()
                + data.contacts.len();
            let after = serde_json::json!({
                "persons": data.persons.len(),
                "pairings": data.pairings.len(),
                "plans": data.plans.len(),
                "measures": data.measures(),
                "visits": data.visits.len(),
                "positions": data.positions.len(),
                "contacts": data.contacts.len(),
            });
            record(
                tx,
                actor,
                Some(county),
                what,
                ("bulk", what),
                None,
                Some(&after),
            )?;
            Ok(rows)
        })
    }

    /// The assistance records of `county`, counted.
    pub fn assistance_counts(&self, county: &RegionCode) -> Result<AssistanceCounts, StoreError> {
        let county = county.as_str();
        let doctor = shouwang_core::visit::Position::FamilyDoctor.code();
        self.with_tx(|tx| {
            let mut count = |sql: &str, params: &[Value]| -> Result<u64, StoreError> {
                Ok(tx.query_one(sql, params)?.map_or(0, |r| r.int(0)) as u64)
            };
            Ok(AssistanceCounts {
                persons: count(
                    "SELECT COUNT(*) FROM assistance_persons WHERE county = $1 AND position <> $2",
                    &params![county, doctor],
                )?,
                doctors: count(
                    "SELECT COUNT(*) FROM assistance_persons WHERE county = $1 AND position = $2",
                    &params![county, doctor],
                )?,
                pairings: count(
                    "SELECT COUNT(*) FROM assistance_pairings WHERE county = $1",
                    &params![county],
                )?,
                current_pairings: count(
                    "SELECT COUNT(*) FROM assistance_pairings WHERE county = $1 AND end_on IS NULL",
                    &params![county],
                )?,
                plans: count(
                    "SELECT COUNT(*) FROM assistance_plans WHERE county = $1",
                    &params![county],
                )?,
                measures: count(
                    "SELECT COUNT(*) FROM measures WHERE county = $1",
                    &params![county],
                )?,
                visits: count(
                    "SELECT COUNT(*) FROM visits WHERE county = $1",
                    &params![county],
                )?,
                positions: count(
                    "SELECT COUNT(*) FROM user_positions WHERE region LIKE $1",
                    &params![format!("{county}%")],
                )?,
                contacts: count(
                    "SELECT COUNT(*) FROM monitoring_cases WHERE county = $1 AND contact_name <> ''",
                    &params![county],
                )?,
            })
        })
    }
}

/// `n` new ids of `table`, so that rows naming them are plain bulk inserts. SQLite: after the
/// largest, the load holding the only write transaction (the `AUTOINCREMENT` counter follows
/// explicit ids); PostgreSQL: drawn from the column's sequence. The department import draws its
/// records' ids the same way.
pub(crate) fn new_ids(tx: &mut dyn Sql, table: &str, n: usize) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.dialect() {
        Dialect::Sqlite => {
            let last = tx
                .query_one(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), &[])?
                .map_or(0, |r| r.int(0));
            let seq = tx
                .query_one(
                    "SELECT seq FROM sqlite_sequence WHERE name = $1",
                    &params![table],
                )?
                .map_or(0, |r| r.int(0));
            let from = last.max(seq) + 1;
            Ok((from..from + n as i64).collect())
        }
        Dialect::Postgres => Ok(tx
            .query(
                &format!("SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1::bigint)"),
                &params![n as i64],
            )?
            .iter()
            .map(|r| r.int(0))
            .collect()),
    }
}
