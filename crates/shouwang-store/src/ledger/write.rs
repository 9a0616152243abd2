//! Writing a planned batch: updated households rewritten, new ones bulk-inserted, members,
//! incomes, flags, cases and their steps, the history of changed households; the person index
//! at the end in 证件号码 order.

use super::*;
use shouwang_core::monitoring::{CaseStep, CaseStepKind};
use std::collections::BTreeMap;

impl<S> Importer<'_, S> {
    pub(super) fn write(
        &mut self,
        tx: &mut dyn Sql,
        plans: Vec<Planned>,
    ) -> Result<(), StoreError> {
        if plans.is_empty() {
            return Ok(());
        }
        let county = self.county.clone();
        let now = self.now;
        // 1. updated households: their fields, then their members out (persons may move)
        let updated: Vec<&Planned> = plans.iter().filter(|p| !p.is_new).collect();
        for p in &updated {
            update_household_row(tx, &p.household, now)?;
        }
        for chunk in updated.chunks(IN_CHUNK) {
            let mut values = vec![Value::from(county.as_str())];
            values.extend(chunk.iter().map(|p| Value::from(&p.household.household_no)));
            let list = placeholders(2, chunk.len());
            tx.exec(
                &format!("DELETE FROM person_index WHERE county = $1 AND household_no IN ({list})"),
                &values,
            )?;
            tx.exec(
                &format!("DELETE FROM members WHERE county = $1 AND household_no IN ({list})"),
                &values,
            )?;
        }
        // persons moving from a household the file does not rewrite leave it here: their member
        // row and index entry go, and that household's version moves on (its history says so
        // with the other moves, below)
        for p in &plans {
            for (id, _, from) in p
                .moved_in
                .iter()
                .filter(|(_, _, f)| self.outside.contains(f))
            {
                tx.exec(
                    "DELETE FROM members WHERE county = $1 AND household_no = $2 AND id_number = $3",
                    &params![county.as_str(), from.as_str(), id.as_str()],
                )?;
                tx.exec(
                    "DELETE FROM person_index WHERE id_number = $1 AND household_no = $2",
                    &params![id.as_str(), from.as_str()],
                )?;
                tx.exec(
                    "UPDATE households SET version = version + 1, updated_at = $3 WHERE county = $1 AND household_no = $2",
                    &params![county.as_str(), from.as_str(), now],
                )?;
            }
        }
        // persons moving from a household written earlier in this import were freed when it
        // was rewritten; those moving from a household of this batch were freed just above.
        // Those a household no longer lists may join one later in the file: a move.
        for p in &updated {
            for id in &p.left {
                self.left
                    .insert(id.clone(), p.household.household_no.clone());
            }
        }
        // 2. new households
        let new: Vec<&Planned> = plans.iter().filter(|p| p.is_new).collect();
        let mut values = Vec::with_capacity(new.len() * 17);
        for p in &new {
            values.extend(household_values(&p.household));
            values.push(now.into());
            values.push(now.into());
        }
        insert_rows(
            tx,
            &format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}, created_at, updated_at)"),
            17,
            &values,
        )?;
        // 3. members (the person index at the end: see `Importer::persons`)
        let width = 4 + MEMBER_COLUMN_COUNT;
        let mut values = Vec::new();
        for p in &plans {
            for (pos, m) in p.members.iter().enumerate() {
                values.extend(params![
                    county.as_str(),
                    &p.household.household_no,
                    p.household.village.as_str(),
                    pos as i64
                ]);
                values.extend(member_values(m));
                self.persons
                    .push(PersonKey::new(&m.id_number, &p.household.household_no));
            }
        }
        insert_rows(
            tx,
            &format!(
                "INSERT INTO members (county, household_no, village, position, {MEMBER_COLUMNS})"
            ),
            width,
            &values,
        )?;
        self.trash.later(values);
        // 4. incomes and flags: plain inserts for new households (bulk-loaded where the backend
        // can), upserts for the others
        for fresh in [true, false] {
            let mut values = Vec::new();
            for p in plans.iter().filter(|p| p.is_new == fresh) {
                if let Some((y, inc)) = &p.income {
                    values.extend(params![
                        county.as_str(),
                        &p.household.household_no,
                        *y,
                        0i64,
                        inc.wages.0,
                        inc.business.0,
                        inc.property.0,
                        inc.transfers.0,
                        inc.production_costs.0,
                        inc.insurance_payouts.0,
                        inc.out_of_pocket_medical.0,
                        now
                    ]);
                }
            }
            new_or_upserted(
                tx,
                fresh,
                "INSERT INTO incomes (county, household_no, year, quarter, wages, business, property, transfers,
                 production_costs, insurance_payouts, out_of_pocket_medical, updated_at)",
                12,
                &values,
                " ON CONFLICT (county, household_no, year, quarter) DO UPDATE SET wages = excluded.wages,
                     business = excluded.business, property = excluded.property, transfers = excluded.transfers,
                     production_costs = excluded.production_costs, insurance_payouts = excluded.insurance_payouts,
                     out_of_pocket_medical = excluded.out_of_pocket_medical, updated_at = excluded.updated_at",
            )?;
            let mut values = Vec::new();
            for p in plans.iter().filter(|p| p.is_new == fresh) {
                if let Some((a, f)) = &p.flags {
                    values.extend(params![
                        county.as_str(),
                        &p.household.household_no,
                        a,
                        f[0],
                        f[1],
                        f[2],
                        f[3],
                        "ledger"
                    ]);
                }
            }
            new_or_upserted(
                tx,
                fresh,
                "INSERT INTO guarantees (county, household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water, source)",
                8,
                &values,
                " ON CONFLICT (county, household_no, as_of) DO UPDATE SET unsafe_housing = excluded.unsafe_housing,
                     dropout = excluded.dropout, uninsured = excluded.uninsured, unsafe_water = excluded.unsafe_water,
                     source = excluded.source",
            )?;
        }
        // 5. monitoring cases and their steps, the history as core builds it from the case
        let actor = format!("import:{}", self.opts.actor.username);
        let inserts: Vec<&MonitoringCase> = plans
            .iter()
            .filter_map(|p| match &p.case {
                Some(CaseWrite::Insert(c)) => Some(c),
                _ => None,
            })
            .collect();
        let mut steps = insert_cases(tx, &county, &inserts, now, self.opts.today)?;
        for p in &plans {
            if let Some(CaseWrite::Update {
                id,
                case,
                eliminated_now,
            }) = &p.case
            {
                let mut values = case_values(&county, case, now);
                values.push(Value::from(*id));
                tx.exec(
                    "UPDATE monitoring_cases SET case_type = $3, risks = $4, identified = $5, status = $6,
                     elimination_kind = $7, eliminated = $8, whole_household_without_labour = $9, updated_at = $10
                     WHERE county = $1 AND household_no = $2 AND id = $11",
                    &values,
                )?;
                if *eliminated_now {
                    let history = case.history(self.opts.today).map_err(StoreError::Invalid)?;
                    steps.extend(
                        history
                            .into_iter()
                            .filter(|s| s.kind == CaseStepKind::Eliminated)
                            .map(|s| (*id, s)),
                    );
                }
            }
        }
        insert_case_steps(tx, &county, &steps, &actor, "ledger")?;
        // 6. history of changed households
        for p in &plans {
            if let Some((before, after)) = &p.audit {
                record(
                    tx,
                    &self.opts.actor,
                    Some(&county),
                    "household.import",
                    ("household", &p.household.household_no),
                    Some(before),
                    Some(after),
                )?;
            }
        }
        // 7. moves, in the histories of both households
        let mut moved_out: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        for p in &plans {
            if p.moved_in.is_empty() {
                continue;
            }
            let to = p.household.household_no.as_str();
            let mut moved_in = Vec::with_capacity(p.moved_in.len());
            for (id, name, from) in &p.moved_in {
                moved_in.push(serde_json::json!({ "id_number": id, "name": name, "from": from }));
                moved_out
                    .entry(from.as_str())
                    .or_default()
                    .push(serde_json::json!({ "id_number": id, "name": name, "to": to }));
            }
            record(
                tx,
                &self.opts.actor,
                Some(&county),
                "household.move_in",
                ("household", to),
                None,
                Some(&serde_json::json!({ "moved_in": moved_in })),
            )?;
        }
        for (from, persons) in moved_out {
            record(
                tx,
                &self.opts.actor,
                Some(&county),
                "household.move_out",
                ("household", from),
                None,
                Some(&serde_json::json!({ "moved_out": persons })),
            )?;
        }
        self.trash.later(plans);
        Ok(())
    }
}

/// A person index entry of the county being imported: 证件号码 and 户编号 in one allocation.
pub(super) struct PersonKey {
    pub(super) text: Box<str>,
    /// where the 证件号码 ends
    pub(super) split: usize,
}

impl PersonKey {
    pub(super) fn new(id_number: &str, household_no: &str) -> PersonKey {
        PersonKey {
            text: format!("{id_number}{household_no}").into_boxed_str(),
            split: id_number.len(),
        }
    }
    pub(super) fn id_number(&self) -> &str {
        &self.text[..self.split]
    }
    pub(super) fn household_no(&self) -> &str {
        &self.text[self.split..]
    }
}

impl<S> Importer<'_, S> {
    /// Inserts the person index entries of every member written, in 证件号码 order.
    pub(super) fn write_person_index(&mut self, tx: &mut dyn Sql) -> Result<(), StoreError> {
        let mut persons = std::mem::take(&mut self.persons);
        persons.sort_unstable_by(|a, b| a.id_number().cmp(b.id_number()));
        for chunk in persons.chunks(20_000) {
            let mut values = Vec::with_capacity(chunk.len() * 3);
            for p in chunk {
                values.extend(params![
                    p.id_number(),
                    self.county.as_str(),
                    p.household_no()
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO person_index (id_number, county, household_no)",
                3,
                &values,
            )?;
        }
        self.trash.later(persons);
        Ok(())
    }
}

/// Frees what a written batch leaves behind on a thread of its own: the writer is the import's
/// bottleneck, and a million persons' strings take it most of a second to free.
pub(super) struct Trash(Option<std::sync::mpsc::Sender<Box<dyn Send>>>);

impl Trash {
    pub(super) fn new() -> Trash {
        let (send, receive) = std::sync::mpsc::channel::<Box<dyn Send>>();
        let freer = std::thread::Builder::new()
            .name("ledger-free".into())
            .spawn(move || receive.iter().for_each(drop));
        // without the thread, things are freed where they are
        Trash(freer.ok().map(|_| send))
    }

    pub(super) fn later(&self, garbage: impl Send + 'static) {
        if let Some(send) = &self.0 {
            // a thread gone hands the box back in the error, freed here
            let _ = send.send(Box::new(garbage));
        }
    }
}

impl Store {
    /// Writes monitoring cases as a ledger describes them (the demo county, benchmarks, tests)
    /// by the ledger import's own path: each case's dated history is built by core
    /// ([`MonitoringCase::history`]) and written with it. The cases' households exist and hold
    /// no case yet. One transaction and one audit event `what` for the whole load; a case that
    /// breaks its rules refuses the load, naming `cases[i].field`, and nothing is written.
    pub fn bulk_cases(
        &self,
        actor: &Actor,
        county: &RegionCode,
        cases: &[MonitoringCase],
        today: Date,
        what: &str,
    ) -> Result<usize, StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            let refs: Vec<&MonitoringCase> = cases.iter().collect();
            let steps = insert_cases(tx, county.as_str(), &refs, now, today)?;
            insert_case_steps(
                tx,
                county.as_str(),
                &steps,
                &format!("import:{}", actor.username),
                what,
            )?;
            let after = serde_json::json!({ "cases": cases.len(), "steps": steps.len() });
            record(
                tx,
                actor,
                Some(county.as_str()),
                what,
                ("bulk", what),
                None,
                Some(&after),
            )?;
            Ok(cases.len())
        })
    }
}

/// Inserts new monitoring cases with ids of their own; returns the steps of their histories
/// ([`MonitoringCase::history`], refused when a case breaks its rules), with the case ids.
pub(crate) fn insert_cases(
    tx: &mut dyn Sql,
    county: &str,
    cases: &[&MonitoringCase],
    now: i64,
    today: Date,
) -> Result<Vec<(i64, CaseStep)>, StoreError> {
    let ids = new_case_ids(tx, cases.len())?;
    let mut steps = Vec::with_capacity(cases.len() * 2);
    let mut values = Vec::with_capacity(cases.len() * 12);
    for (i, (c, id)) in cases.iter().zip(&ids).enumerate() {
        let history = c.history(today).map_err(|mut problems| {
            for p in &mut problems {
                p.field = format!("cases[{i}].{}", p.field);
            }
            StoreError::Invalid(problems)
        })?;
        steps.extend(history.into_iter().map(|s| (*id, s)));
        values.push(Value::from(*id));
        values.extend(case_values(county, c, now));
        values.push(now.into());
    }
    insert_rows(
        tx,
        "INSERT INTO monitoring_cases (id, county, household_no, case_type, risks, identified, status,
         elimination_kind, eliminated, whole_household_without_labour, created_at, updated_at)",
        12,
        &values,
    )?;
    Ok(steps)
}

/// Inserts the dated steps of cases' histories, by `actor`, with `outcome`.
pub(crate) fn insert_case_steps(
    tx: &mut dyn Sql,
    county: &str,
    steps: &[(i64, CaseStep)],
    actor: &str,
    outcome: &str,
) -> Result<(), StoreError> {
    let mut values = Vec::with_capacity(steps.len() * 6);
    for (id, step) in steps {
        values.extend(params![
            county,
            *id,
            step.kind.stored(),
            step.on.to_string(),
            actor,
            outcome
        ]);
    }
    insert_rows(
        tx,
        "INSERT INTO case_steps (county, case_id, step, on_date, actor, outcome)",
        6,
        &values,
    )
}

/// `n` new monitoring case ids, so that cases and their steps are plain bulk inserts. SQLite:
/// after the largest, the import holding the only write transaction (the `AUTOINCREMENT`
/// counter follows explicit ids); PostgreSQL: drawn from the column's sequence.
pub(super) fn new_case_ids(tx: &mut dyn Sql, n: usize) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.dialect() {
        Dialect::Sqlite => {
            let last = tx
                .query_one("SELECT COALESCE(MAX(id), 0) FROM monitoring_cases", &[])?
                .map_or(0, |r| r.int(0));
            let seq = tx
                .query_one(
                    "SELECT seq FROM sqlite_sequence WHERE name = 'monitoring_cases'",
                    &[],
                )?
                .map_or(0, |r| r.int(0));
            let from = last.max(seq) + 1;
            Ok((from..from + n as i64).collect())
        }
        Dialect::Postgres => Ok(tx
            .query(
                "SELECT nextval(pg_get_serial_sequence('monitoring_cases', 'id')) FROM generate_series(1, $1::bigint)",
                &params![n as i64],
            )?
            .iter()
            .map(|r| r.int(0))
            .collect()),
    }
}

/// Rows of new households are bulk-inserted; the others' are upserted (`on_conflict`).
fn new_or_upserted(
    tx: &mut dyn Sql,
    fresh: bool,
    head: &str,
    width: usize,
    values: &[Value],
    on_conflict: &str,
) -> Result<(), StoreError> {
    if fresh {
        insert_rows(tx, head, width, values)
    } else {
        upsert_rows(tx, head, width, values, on_conflict)
    }
}
