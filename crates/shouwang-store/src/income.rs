//! Incomes (收入) and the dated 三保障 / drinking-water flags (两不愁三保障及饮水安全) of a household:
//! validated by core, written with their audit, history kept (one income record per period, one
//! flag record per date).

use crate::audit::{record, Actor};
use crate::db::{Row, Sql, Value};
use crate::decode::Fields;
use crate::registry::COUNTY_OF_HOUSEHOLD;
use crate::sql::{insert_rows, json};
use crate::{params, Store, StoreError};
use serde::{Deserialize, Serialize};
use shouwang_core::income::{validate_income, Income, IncomePeriod};
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Problem};

/// One dated record of the 两不愁三保障 and drinking-water check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guarantees {
    /// 核查日期: the state is as of this day
    pub as_of: Date,
    /// 住房出现安全问题
    pub unsafe_housing: bool,
    /// 义务教育阶段适龄儿童少年失学辍学
    pub dropout: bool,
    /// 家庭成员未参加基本医疗保险
    pub uninsured: bool,
    /// 饮水出现安全问题
    pub unsafe_water: bool,
    /// 吃穿出现问题 (两不愁)
    pub food_clothing: bool,
    /// Where the record came from (核查, 台账导入 …)
    pub source: String,
}

impl Guarantees {
    /// Whether any flag is set.
    pub fn any(&self) -> bool {
        self.unsafe_housing
            || self.dropout
            || self.uninsured
            || self.unsafe_water
            || self.food_clothing
    }
}

pub(crate) const INCOME_COLUMNS: &str = "year, quarter, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical";

/// An income of [`INCOME_COLUMNS`] from column `at` on.
pub(crate) fn row_income(r: &Row, at: usize) -> Result<Income, StoreError> {
    let f = Fields::new(r, "incomes", INCOME_COLUMNS, at);
    let year = f.int(0)?;
    let period = match (i32::try_from(year), f.int(1)?) {
        (Ok(y), 0) => IncomePeriod::year(y),
        (Ok(y), q @ 1..=4) => IncomePeriod::quarter(y, q as u8),
        (Err(_), _) => return Err(f.bad(0, Some(year.to_string()))),
        (_, q) => return Err(f.bad(1, Some(q.to_string()))),
    };
    Ok(Income {
        period,
        wages: Fen(f.int(2)?),
        business: Fen(f.int(3)?),
        property: Fen(f.int(4)?),
        transfers: Fen(f.int(5)?),
        production_costs: Fen(f.int(6)?),
        insurance_payouts: Fen(f.int(7)?),
        out_of_pocket_medical: Fen(f.int(8)?),
    })
}

fn income_values(county: &str, no: &str, i: &Income, now: i64) -> Vec<Value> {
    params![
        county,
        no,
        i64::from(i.period.year),
        i64::from(i.period.quarter.unwrap_or(0)),
        i.wages.0,
        i.business.0,
        i.property.0,
        i.transfers.0,
        i.production_costs.0,
        i.insurance_payouts.0,
        i.out_of_pocket_medical.0,
        now
    ]
    .to_vec()
}

fn guarantee_values(county: &str, no: &str, g: &Guarantees) -> Vec<Value> {
    params![
        county,
        no,
        g.as_of.to_string(),
        g.unsafe_housing,
        g.dropout,
        g.uninsured,
        g.unsafe_water,
        g.food_clothing,
        &g.source
    ]
    .to_vec()
}

const GUARANTEE_COLUMNS: &str =
    "as_of, unsafe_housing, dropout, uninsured, unsafe_water, food_clothing, source";

fn row_guarantees(r: &Row) -> Result<Guarantees, StoreError> {
    let f = Fields::new(r, "guarantees", GUARANTEE_COLUMNS, 0);
    Ok(Guarantees {
        as_of: f.date(0)?,
        unsafe_housing: f.bool(1)?,
        dropout: f.bool(2)?,
        uninsured: f.bool(3)?,
        unsafe_water: f.bool(4)?,
        food_clothing: f.bool(5)?,
        source: f.text(6),
    })
}

const UPSERT_INCOME: &str = "INSERT INTO incomes (county, household_no, year, quarter, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (county, household_no, year, quarter) DO UPDATE SET wages = excluded.wages, business = excluded.business,
       property = excluded.property, transfers = excluded.transfers, production_costs = excluded.production_costs,
       insurance_payouts = excluded.insurance_payouts, out_of_pocket_medical = excluded.out_of_pocket_medical,
       updated_at = excluded.updated_at";

const UPSERT_GUARANTEES: &str = "INSERT INTO guarantees (county, household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water, food_clothing, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (county, household_no, as_of) DO UPDATE SET unsafe_housing = excluded.unsafe_housing,
       dropout = excluded.dropout, uninsured = excluded.uninsured, unsafe_water = excluded.unsafe_water,
       food_clothing = excluded.food_clothing, source = excluded.source";

/// The county and living size of a household, or `NotFound`.
fn household_county_size(c: &mut dyn Sql, no: &str) -> Result<(String, i64), StoreError> {
    let county = c
        .query_one(COUNTY_OF_HOUSEHOLD, &params![no])?
        .map(|r| r.text(0))
        .ok_or(StoreError::NotFound)?;
    let size = c
        .query_one(
            "SELECT COUNT(*) FROM members WHERE county = $1 AND household_no = $2 AND deceased_on IS NULL",
            &params![county.clone(), no],
        )?
        .map(|r| r.int(0))
        .unwrap_or(0);
    Ok((county, size))
}

impl Store {
    /// A household's income records, oldest period first (the whole year before its quarters).
    pub fn incomes(&self, household_no: &str) -> Result<Vec<Income>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                // by the key (county first): household_no alone would scan every county's rows
                &format!("SELECT {INCOME_COLUMNS} FROM incomes WHERE county = ({COUNTY_OF_HOUSEHOLD}) AND household_no = $1 ORDER BY year, quarter"),
                &params![household_no],
            )?;
            rows.iter().map(|r| row_income(r, 0)).collect()
        })
    }

    /// Records (or corrects) a household's income for one period, validated against the
    /// household's living size; audited with the record before and after.
    pub fn save_income(
        &self,
        actor: &Actor,
        household_no: &str,
        income: &Income,
    ) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            let (county, size) = household_county_size(tx, household_no)?;
            let problems = validate_income(income, size);
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems));
            }
            let before = tx
                .query_one(
                    &format!("SELECT {INCOME_COLUMNS} FROM incomes WHERE county = $1 AND household_no = $2 AND year = $3 AND quarter = $4"),
                    &params![county.clone(), household_no, i64::from(income.period.year), i64::from(income.period.quarter.unwrap_or(0))],
                )?
                .map(|r| row_income(&r, 0))
                .transpose()?
                .map(|i| json(&i));
            tx.exec(
                UPSERT_INCOME,
                &income_values(&county, household_no, income, crate::now()),
            )?;
            let key = format!("{household_no}/{}", income.period.label_en());
            record(
                tx,
                actor,
                Some(&county),
                if before.is_some() { "income.update" } else { "income.create" },
                ("income", &key),
                before.as_ref(),
                Some(&json(income)),
            )
        })
    }

    /// A household's 三保障 and water records, newest first.
    pub fn guarantees(&self, household_no: &str) -> Result<Vec<Guarantees>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                &format!("SELECT as_of, unsafe_housing, dropout, uninsured, unsafe_water, food_clothing, source FROM guarantees
                 WHERE county = ({COUNTY_OF_HOUSEHOLD}) AND household_no = $1 ORDER BY as_of DESC"),
                &params![household_no],
            )?;
            rows.iter().map(row_guarantees).collect()
        })
    }

    /// Records the 三保障 and water state of a household as of a date (replacing that date's record).
    pub fn save_guarantees(
        &self,
        actor: &Actor,
        household_no: &str,
        g: &Guarantees,
    ) -> Result<(), StoreError> {
        if g.as_of.year() < 2000 || g.as_of.year() > 2100 {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::GuaranteesDate,
                "as_of",
                format!("核查日期{}无效", g.as_of),
                format!("the check date {} is not valid", g.as_of),
            )));
        }
        self.with_tx(|tx| {
            let (county, _) = household_county_size(tx, household_no)?;
            let before = tx
                .query_one(
                    "SELECT as_of, unsafe_housing, dropout, uninsured, unsafe_water, food_clothing, source FROM guarantees
                     WHERE county = $1 AND household_no = $2 AND as_of = $3",
                    &params![county.clone(), household_no, g.as_of.to_string()],
                )?
                .map(|r| row_guarantees(&r))
                .transpose()?
                .map(|g| json(&g));
            tx.exec(UPSERT_GUARANTEES, &guarantee_values(&county, household_no, g))?;
            let key = format!("{household_no}/{}", g.as_of);
            record(
                tx,
                actor,
                Some(&county),
                if before.is_some() { "guarantees.update" } else { "guarantees.create" },
                ("guarantees", &key),
                before.as_ref(),
                Some(&json(g)),
            )
        })
    }

    /// Loads many income and flag records at once (demo, benchmarks): bulk inserts in one
    /// transaction, one audit event for the whole load. The caller validates.
    pub fn bulk_ledger(
        &self,
        actor: &Actor,
        incomes: &[(String, String, Income)],
        guarantees: &[(String, String, Guarantees)],
        what: &str,
    ) -> Result<(usize, usize), StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            let head = "INSERT INTO incomes (county, household_no, year, quarter, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical, updated_at)";
            // a chunk at a time, so that a large demo's rows are not all in memory twice
            for chunk in incomes.chunks(4_000) {
                let values: Vec<Value> = chunk
                    .iter()
                    .flat_map(|(c, no, i)| income_values(c, no, i, now))
                    .collect();
                insert_rows(tx, head, 12, &values)?;
            }
            let head = "INSERT INTO guarantees (county, household_no, as_of, unsafe_housing, dropout, uninsured, unsafe_water, food_clothing, source)";
            for chunk in guarantees.chunks(4_000) {
                let values: Vec<Value> = chunk
                    .iter()
                    .flat_map(|(c, no, g)| guarantee_values(c, no, g))
                    .collect();
                insert_rows(tx, head, 9, &values)?;
            }
            let after = serde_json::json!({ "incomes": incomes.len(), "guarantees": guarantees.len() });
            record(tx, actor, None, what, ("bulk", what), None, Some(&after))?;
            Ok((incomes.len(), guarantees.len()))
        })
    }
}
