//! What is stored for a batch of households (the look-ups of an import), and the stored forms
//! of cases, incomes and 三保障 flags.

use super::*;

/// A monitoring case as stored.
#[derive(Clone, Debug)]
pub(super) struct StoredCase {
    pub(super) id: i64,
    pub(super) case: MonitoringCase,
}

pub(super) fn risks_text(r: &[RiskType]) -> String {
    r.iter()
        .map(|r| r.code().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// A monitoring case of [`CASE_COLUMNS`] from column `at` on (the id first).
pub(super) fn case_from_row(
    no: &str,
    r: &impl Cells,
    at: usize,
) -> Result<MonitoringCase, StoreError> {
    let f = Fields::new(r, "monitoring_cases", CASE_COLUMNS, at);
    let mut risks = Vec::new();
    for code in f.text(2).split(',').filter(|s| !s.is_empty()) {
        let risk = code.parse().ok().and_then(RiskType::from_code);
        risks.push(risk.ok_or_else(|| StoreError::Corrupt {
            table: "monitoring_cases",
            column: "risks".into(),
            value: code.to_string(),
        })?);
    }
    let elimination = match (
        f.opt_code(5, EliminationKind::from_code)?,
        f.opt_parsed(6, YearMonth::parse)?,
    ) {
        (Some(k), Some(m)) => Some((k, m)),
        _ => None,
    };
    Ok(MonitoringCase {
        household_no: no.to_string(),
        case_type: f.code(1, CaseType::from_code)?,
        risks,
        identified: f.parsed(3, YearMonth::parse)?,
        status: f.code(4, CaseStatus::from_code)?,
        elimination,
        whole_household_without_labour: f.bool(7)?,
    })
}

pub(super) const CASE_COLUMNS: &str =
    "id, case_type, risks, identified, status, elimination_kind, eliminated, whole_household_without_labour";
pub(super) const INCOME_COLUMNS: &str =
    "year, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical";

/// An income of [`INCOME_COLUMNS`] from column `at` on (the year first).
pub(super) fn income_from_row(r: &impl Cells, at: usize) -> Result<Income, StoreError> {
    let f = Fields::new(r, "incomes", INCOME_COLUMNS, at);
    let year = f.int(0)?;
    Ok(Income {
        period: IncomePeriod::year(i32::try_from(year).map_err(|_| StoreError::Corrupt {
            table: "incomes",
            column: "year".into(),
            value: year.to_string(),
        })?),
        wages: Fen(f.int(1)?),
        business: Fen(f.int(2)?),
        property: Fen(f.int(3)?),
        transfers: Fen(f.int(4)?),
        production_costs: Fen(f.int(5)?),
        insurance_payouts: Fen(f.int(6)?),
        out_of_pocket_medical: Fen(f.int(7)?),
    })
}

/// The flags of a `guarantees` row from column `at` on (`as_of, unsafe_housing, dropout,
/// uninsured, unsafe_water`): the day they were checked, and the flags.
pub(super) fn flags_from_row(r: &impl Cells, at: usize) -> Result<(String, Flags), StoreError> {
    let f = Fields::new(r, "guarantees", FLAG_COLUMNS, at);
    f.date(0)?;
    Ok((f.text(0), [f.bool(1)?, f.bool(2)?, f.bool(3)?, f.bool(4)?]))
}

pub(super) const FLAG_COLUMNS: &str = "as_of, unsafe_housing, dropout, uninsured, unsafe_water";

/// The 三保障 flags as stored: (unsafe_housing, dropout, uninsured, unsafe_water).
pub(super) type Flags = [bool; 4];

pub(super) fn flags_of(g: &LedgerGuarantees) -> Option<Flags> {
    let any = g.unsafe_housing.is_some()
        || g.out_of_school.is_some()
        || g.uninsured_member.is_some()
        || g.unsafe_water.is_some();
    any.then(|| {
        [
            g.unsafe_housing.unwrap_or(false),
            g.out_of_school.unwrap_or(false),
            g.uninsured_member.unwrap_or(false),
            g.unsafe_water.unwrap_or(false),
        ]
    })
}

pub(super) fn as_of(year: i32) -> String {
    format!("{year:04}-12-31")
}

/// What is stored for a batch of households.
#[derive(Default)]
pub(super) struct Existing {
    pub(super) households: HashMap<String, (String, Household)>,
    /// household_no → when it was last changed (Unix seconds)
    pub(super) updated: HashMap<String, i64>,
    pub(super) members: HashMap<String, Vec<Member>>,
    pub(super) incomes: HashMap<(String, i64), Income>,
    /// every stored check of a household's flags: (as of, flags)
    pub(super) flags: HashMap<String, Vec<(String, Flags)>>,
    pub(super) cases: HashMap<String, StoredCase>,
    /// id_number → household_no
    pub(super) persons: HashMap<String, String>,
}

pub(super) fn load_existing<S>(
    tx: &mut dyn Sql,
    county: &str,
    batch: &[LedgerHousehold<S>],
) -> Result<Existing, StoreError> {
    let mut ex = Existing::default();
    let nos: Vec<&str> = batch
        .iter()
        .map(|h| h.household.household_no.as_str())
        .collect();
    // the column after the household's own
    let updated_at = HOUSEHOLD_COLUMNS.split(',').count();
    for chunk in nos.chunks(IN_CHUNK) {
        let values: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in tx.query(
            &format!(
                "SELECT {HOUSEHOLD_COLUMNS}, updated_at FROM households WHERE household_no IN ({})",
                placeholders(1, chunk.len())
            ),
            &values,
        )? {
            let h = row_household(&r)?;
            ex.updated.insert(h.household_no.clone(), r.int(updated_at));
            ex.households.insert(h.household_no.clone(), (r.text(0), h));
        }
    }
    let ids: Vec<&str> = batch
        .iter()
        .flat_map(|h| h.members.iter().map(|m| m.id_number.as_str()))
        .collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let values: Vec<Value> = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in tx.query(
            &format!(
                "SELECT id_number, household_no FROM person_index WHERE id_number IN ({})",
                placeholders(1, chunk.len())
            ),
            &values,
        )? {
            ex.persons.insert(r.text(0), r.text(1));
        }
    }
    // the rest only for households already here (none in a fresh county)
    let here: Vec<&str> = nos
        .iter()
        .copied()
        .filter(|n| ex.households.get(*n).is_some_and(|(c, _)| c == county))
        .collect();
    for chunk in here.chunks(IN_CHUNK) {
        let mut values = vec![Value::from(county)];
        values.extend(chunk.iter().map(|n| Value::from(*n)));
        let list = placeholders(2, chunk.len());
        for r in tx.query(
            &format!("SELECT household_no, {MEMBER_COLUMNS} FROM members WHERE county = $1 AND household_no IN ({list}) ORDER BY household_no, position"),
            &values,
        )? {
            let m = row_member(&r, 1)?;
            ex.members.entry(r.text(0)).or_default().push(m);
        }
        for r in tx.query(
            &format!("SELECT household_no, {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND quarter = 0 AND household_no IN ({list})"),
            &values,
        )? {
            ex.incomes.insert((r.text(0), r.int(1)), income_from_row(&r, 1)?);
        }
        for r in tx.query(
            &format!("SELECT household_no, {FLAG_COLUMNS} FROM guarantees WHERE county = $1 AND household_no IN ({list})"),
            &values,
        )? {
            ex.flags
                .entry(r.text(0))
                .or_default()
                .push(flags_from_row(&r, 1)?);
        }
        for r in tx.query(
            &format!("SELECT household_no, {CASE_COLUMNS} FROM monitoring_cases WHERE county = $1 AND household_no IN ({list}) ORDER BY id"),
            &values,
        )? {
            let no = r.text(0);
            let case = case_from_row(&no, &r, 1)?;
            ex.cases.insert(no, StoredCase { id: r.int(1), case });
        }
    }
    Ok(ex)
}

pub(super) fn case_values(county: &str, c: &MonitoringCase, now: i64) -> Vec<Value> {
    params![
        county,
        &c.household_no,
        c.case_type.code(),
        risks_text(&c.risks),
        c.identified.to_string(),
        c.status.code(),
        c.elimination.map(|(k, _)| k.code()),
        c.elimination.map(|(_, m)| m.to_string()),
        c.whole_household_without_labour,
        now
    ]
    .to_vec()
}

pub(super) fn income_json(i: &Income) -> serde_json::Value {
    serde_json::json!({
        "wages": i.wages.0, "business": i.business.0, "property": i.property.0, "transfers": i.transfers.0,
        "production_costs": i.production_costs.0, "insurance_payouts": i.insurance_payouts.0,
        "out_of_pocket_medical": i.out_of_pocket_medical.0,
    })
}
