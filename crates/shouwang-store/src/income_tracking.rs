//! 促增收 as stored: the facts of a region's households for a year's income figures (size,
//! 脱贫 or monitored, the two years' incomes), their responsible persons (帮扶责任人 paired
//! today), and the low-income ledger (`low_income_entries`, migration 26): entries made once per
//! household and year, cleared (销号) with when, how and by whom, never deleted. Every write is
//! audited.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql, Value};
use crate::sql::{json, region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::codes::HouseholdType;
use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::income_tracking::{
    year_income, ClearMethod, Clearing, HouseholdYear, LedgerCandidate, LowIncomeBand,
};
use shouwang_core::visit::Position;
use shouwang_core::{Date, Fen, Problem, ProblemCode, RegionCode};
use std::collections::HashMap;

/// A household's responsible person today (帮扶责任人, from the pairings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Responsible {
    pub person_id: i64,
    pub name: String,
    pub phone: String,
}

/// One entry of the low-income ledger, with the household's head and who cleared it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LowIncomeEntry {
    pub id: i64,
    pub county: String,
    pub household_no: String,
    pub village: String,
    pub head_name: String,
    pub year: i32,
    pub band: LowIncomeBand,
    /// 人均纯收入 when entered
    pub per_capita: Fen,
    pub entered_on: Date,
    pub cleared_on: Option<Date>,
    pub cleared_method: Option<ClearMethod>,
    pub cleared_note: String,
    /// username of who cleared it
    pub cleared_by: String,
    /// their display name, when the account exists
    pub cleared_by_name: String,
    pub cleared_per_capita: Option<Fen>,
}

impl LowIncomeEntry {
    pub fn is_open(&self) -> bool {
        self.cleared_on.is_none()
    }
}

const ENTRY_COLUMNS: &str = "e.id, e.county, e.household_no, e.village, hd.name, e.year, e.band, e.per_capita, e.entered_on, e.cleared_on, e.cleared_method, e.cleared_note, e.cleared_by, u.display_name, e.cleared_per_capita";

fn entry_from() -> String {
    format!(
        "{} LEFT JOIN users u ON u.username = e.cleared_by AND e.cleared_by <> ''",
        with_household_head("low_income_entries", "e")
    )
}

fn corrupt(column: &str, value: String) -> StoreError {
    StoreError::Corrupt {
        table: "low_income_entries",
        column: column.into(),
        value,
    }
}

fn row_entry(r: &Row) -> Result<LowIncomeEntry, StoreError> {
    let date = |i: usize, col: &str| -> Result<Option<Date>, StoreError> {
        match r.opt_text(i) {
            None => Ok(None),
            Some(t) => Date::parse(&t).map(Some).ok_or_else(|| corrupt(col, t)),
        }
    };
    let band = r.int(6);
    Ok(LowIncomeEntry {
        id: r.int(0),
        county: r.text(1),
        household_no: r.text(2),
        village: r.text(3),
        head_name: r.opt_text(4).unwrap_or_default(),
        year: i32::try_from(r.int(5)).map_err(|_| corrupt("year", r.int(5).to_string()))?,
        band: LowIncomeBand::from_code(band).ok_or_else(|| corrupt("band", band.to_string()))?,
        per_capita: Fen(r.int(7)),
        entered_on: date(8, "entered_on")?.ok_or_else(|| corrupt("entered_on", String::new()))?,
        cleared_on: date(9, "cleared_on")?,
        cleared_method: match r.opt_int(10) {
            None => None,
            Some(c) => Some(
                ClearMethod::from_code(c)
                    .ok_or_else(|| corrupt("cleared_method", c.to_string()))?,
            ),
        },
        cleared_note: r.text(11),
        cleared_by: r.text(12),
        cleared_by_name: r.opt_text(13).unwrap_or_default(),
        cleared_per_capita: r.opt_int(14).map(Fen),
    })
}

fn check_year(year: i32) -> Result<(), StoreError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::invalid(Problem::new(
            ProblemCode::IncomeTrackingYear,
            "year",
            format!("年度{year}不在2000–2100之间"),
            format!("year {year} is outside 2000–2100"),
        )))
    }
}

/// The facts of the households of `region` (or of one household) for `year` and, when `years`
/// is 2, for the year before as well (`[year, year - 1]`): four statements over the region's
/// range (households, heads, living sizes with the first monitoring case, the income rows of
/// the years needed), merged by household number in Rust.
fn facts(
    c: &mut dyn Sql,
    region: &RegionCode,
    household: Option<&str>,
    year: i32,
    years: i32,
    heads: bool,
) -> Result<Vec<Vec<HouseholdYear>>, StoreError> {
    let (clause, mut values) = region_clause("h", region, 1);
    let one = match household {
        Some(no) => {
            values.push(no.into());
            format!(" AND h.household_no = ${}", values.len())
        }
        None => String::new(),
    };
    let ordinary = HouseholdType::Ordinary.code();
    let head = shouwang_core::codes::Relation::Head.code();
    let rows = c.query(
        &format!(
            "SELECT h.household_no, h.village, h.household_type, h.dibao, h.tekun
             FROM households h WHERE {clause}{one} ORDER BY h.household_no"
        ),
        &values,
    )?;
    let mut base: Vec<HouseholdYear> = Vec::with_capacity(rows.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let no = r.text(0);
        let village_text = r.text(1);
        let village = RegionCode::parse(&village_text).ok_or_else(|| StoreError::Corrupt {
            table: "households",
            column: "village".into(),
            value: village_text.clone(),
        })?;
        index.insert(no.clone(), base.len());
        base.push(HouseholdYear {
            household_no: no,
            village,
            head_name: String::new(),
            size: 0,
            post_poverty: r.int(2) != ordinary,
            monitored: false,
            safeguarded: r.bool(3) || r.bool(4),
            current: None,
            previous: None,
        });
    }
    let years = years.clamp(1, 2);
    if base.is_empty() {
        return Ok(vec![base; years as usize]);
    }
    // members carry the county and village themselves: the living sizes from the covering index
    // (county, household_no, position, deceased_on, …), then only the heads' rows for their names
    // (reading every member's row for the name was most of the time on a county)
    let m_clause = clause.replace("h.", "m.");
    for r in c.query(
        &format!(
            "SELECT m.household_no, COUNT(*) FROM members m WHERE {m_clause}{} AND m.deceased_on IS NULL
             GROUP BY m.household_no",
            one.replace("h.", "m.")
        ),
        &values,
    )? {
        if let Some(&i) = index.get(&r.text(0)) {
            base[i].size = r.int(1);
        }
    }
    let mut head_position: HashMap<usize, i64> = HashMap::new();
    let head_rows = if heads {
        c.query(
        &format!(
            "SELECT m.household_no, m.position, m.name FROM members m WHERE {m_clause}{} AND m.relation = {head}",
            one.replace("h.", "m.")
        ),
            &values,
        )?
    } else {
        Vec::new()
    };
    for r in head_rows {
        let Some(&i) = index.get(&r.text(0)) else {
            continue;
        };
        let at = r.int(1);
        if head_position.get(&i).is_none_or(|p| at < *p) {
            head_position.insert(i, at);
            base[i].head_name = r.text(2);
        }
    }
    // the first monitoring case of each household, by the month it was identified
    let mut first_case: HashMap<usize, String> = HashMap::new();
    for r in c.query(
        &format!(
            "SELECT h.household_no, MIN(mc.identified) FROM households h
             JOIN monitoring_cases mc ON mc.county = h.county AND mc.household_no = h.household_no
             WHERE {clause}{one} GROUP BY h.household_no"
        ),
        &values,
    )? {
        if let Some(&i) = index.get(&r.text(0)) {
            first_case.insert(i, r.text(1));
        }
    }
    let mut with_years = values.clone();
    with_years.push(Value::from(i64::from(year) - i64::from(years)));
    with_years.push(Value::from(i64::from(year)));
    // a county's incomes straight by their key; a township's or village's through its households
    let from = if clause.starts_with("h.county =") {
        format!("incomes i WHERE i.county = $1{}", one.replace("h.", "i."))
    } else {
        format!(
            "households h JOIN incomes i ON i.county = h.county AND i.household_no = h.household_no WHERE {clause}{one}"
        )
    };
    let incomes = c.query(
        &format!(
            "SELECT i.household_no, i.year, i.quarter, i.wages, i.business, i.property, i.transfers, i.production_costs,
                    i.insurance_payouts, i.out_of_pocket_medical
             FROM {from} AND i.year >= ${} AND i.year <= ${}",
            with_years.len() - 1,
            with_years.len()
        ),
        &with_years,
    )?;
    let mut records: HashMap<usize, Vec<Income>> = HashMap::new();
    for r in &incomes {
        let Some(&i) = index.get(&r.text(0)) else {
            continue;
        };
        let y = i32::try_from(r.int(1)).unwrap_or(0);
        let period = match r.int(2) {
            0 => IncomePeriod::year(y),
            q @ 1..=4 => IncomePeriod::quarter(y, q as u8),
            _ => continue,
        };
        records.entry(i).or_default().push(Income {
            period,
            wages: Fen(r.int(3)),
            business: Fen(r.int(4)),
            property: Fen(r.int(5)),
            transfers: Fen(r.int(6)),
            production_costs: Fen(r.int(7)),
            insurance_payouts: Fen(r.int(8)),
            out_of_pocket_medical: Fen(r.int(9)),
        });
    }
    let mut out = Vec::with_capacity(years as usize);
    for back in 0..years {
        let y = year - back;
        let end = format!("{y}-12");
        let mut hs = base.clone();
        for (i, h) in hs.iter_mut().enumerate() {
            h.monitored = first_case.get(&i).is_some_and(|first| *first <= end);
            if let Some(rs) = records.get(&i) {
                h.current = year_income(rs, y);
                h.previous = year_income(rs, y - 1);
            }
        }
        out.push(hs);
    }
    Ok(out)
}

impl Store {
    /// The facts of every household of `region` for the income figures of `year`.
    pub fn income_year_facts(
        &self,
        region: &RegionCode,
        year: i32,
    ) -> Result<Vec<HouseholdYear>, StoreError> {
        check_year(year)?;
        Ok(self
            .with_conn(|c| facts(c, region, None, year, 1, true))?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// [`Store::income_year_facts`] of `year` and of the year before, from one read, without the
    /// heads' names (the figures do not show them; reading them is a third of a county's time).
    pub fn income_two_year_facts(
        &self,
        region: &RegionCode,
        year: i32,
    ) -> Result<(Vec<HouseholdYear>, Vec<HouseholdYear>), StoreError> {
        check_year(year)?;
        check_year(year - 1)?;
        let mut both = self
            .with_conn(|c| facts(c, region, None, year, 2, false))?
            .into_iter();
        Ok((
            both.next().unwrap_or_default(),
            both.next().unwrap_or_default(),
        ))
    }

    /// The facts of one household of `county` for `year`; `NotFound` when there is none.
    pub fn income_household_facts(
        &self,
        county: &RegionCode,
        household_no: &str,
        year: i32,
    ) -> Result<HouseholdYear, StoreError> {
        check_year(year)?;
        self.with_conn(|c| facts(c, county, Some(household_no), year, 1, true))?
            .into_iter()
            .next()
            .and_then(|hs| hs.into_iter().next())
            .ok_or(StoreError::NotFound)
    }

    /// The responsible person (帮扶责任人) paired today with each household of `region` that has
    /// one, by household number (the earliest pairing when there are several).
    pub fn responsible_persons(
        &self,
        region: &RegionCode,
        today: Date,
    ) -> Result<HashMap<String, Responsible>, StoreError> {
        let (clause, mut values) = region_clause("p", region, 1);
        values.push(today.to_string().into());
        let at = values.len();
        let position = Position::AssistancePerson.code();
        self.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT p.household_no, ap.id, ap.name, ap.phone FROM assistance_pairings p
                     JOIN assistance_persons ap ON ap.id = p.person_id
                     WHERE {clause} AND ap.position = {position} AND p.start_on <= ${at}
                       AND (p.end_on IS NULL OR p.end_on > ${at})
                     ORDER BY p.household_no, p.start_on, p.id"
                ),
                &values,
            )?;
            let mut out = HashMap::with_capacity(rows.len());
            for r in rows {
                out.entry(r.text(0)).or_insert(Responsible {
                    person_id: r.int(1),
                    name: r.text(2),
                    phone: r.text(3),
                });
            }
            Ok(out)
        })
    }

    /// Enters on the ledger every candidate of `year` not entered for that year yet and without
    /// an entry still open from an earlier year (an entry is kept until it is cleared, and is
    /// never made twice for a household and year); returns how many were entered. One audit
    /// event names them.
    pub fn enter_low_income(
        &self,
        actor: &Actor,
        county: &RegionCode,
        year: i32,
        candidates: &[LedgerCandidate],
        today: Date,
    ) -> Result<usize, StoreError> {
        check_year(year)?;
        if candidates.is_empty() {
            return Ok(0);
        }
        self.with_tx(|tx| {
            let existing: std::collections::HashSet<String> = tx
                .query(
                    // entered this year, or still open from an earlier year (kept until cleared)
                    "SELECT household_no FROM low_income_entries WHERE county = $1
                       AND (year = $2 OR (year < $2 AND cleared_on IS NULL))",
                    &params![county.as_str(), i64::from(year)],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect();
            let mut entered = Vec::new();
            for c in candidates
                .iter()
                .filter(|c| !existing.contains(&c.household_no))
            {
                tx.exec(
                    "INSERT INTO low_income_entries (county, household_no, village, year, band, per_capita, entered_on)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &params![
                        county.as_str(),
                        c.household_no.as_str(),
                        c.village.as_str(),
                        i64::from(year),
                        c.band.code(),
                        c.per_capita.0,
                        today.to_string()
                    ],
                )?;
                entered.push(c.household_no.as_str());
            }
            if !entered.is_empty() {
                let after = serde_json::json!({ "year": year, "entered": entered.len(), "households": entered });
                record(
                    tx,
                    actor,
                    Some(county.as_str()),
                    "low_income.enter",
                    ("low_income_ledger", &format!("{county}/{year}")),
                    None,
                    Some(&after),
                )?;
            }
            Ok(entered.len())
        })
    }

    /// The ledger of `region` in `year`: the year's entries and those still open from earlier
    /// years (结转), open ones first, then by village and household; `open_only` leaves out the
    /// cleared.
    pub fn low_income_entries(
        &self,
        region: &RegionCode,
        year: i32,
        open_only: bool,
    ) -> Result<Vec<LowIncomeEntry>, StoreError> {
        check_year(year)?;
        let (clause, mut values) = region_clause("e", region, 1);
        values.push(i64::from(year).into());
        let at = values.len();
        let open = if open_only {
            " AND e.cleared_on IS NULL"
        } else {
            ""
        };
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM {} WHERE {clause}
                       AND (e.year = ${at} OR (e.year < ${at} AND e.cleared_on IS NULL)){open}
                     ORDER BY CASE WHEN e.cleared_on IS NULL THEN 0 ELSE 1 END, e.village, e.household_no",
                    entry_from()
                ),
                &values,
            )?
            .iter()
            .map(row_entry)
            .collect()
        })
    }

    /// One entry.
    pub fn low_income_entry(&self, id: i64) -> Result<Option<LowIncomeEntry>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM {} WHERE e.id = $1",
                    entry_from()
                ),
                &params![id],
            )?
            .as_ref()
            .map(row_entry)
            .transpose()
        })
    }

    /// Every entry of a household, newest year first (its history on the ledger).
    pub fn low_income_history(
        &self,
        household_no: &str,
    ) -> Result<Vec<LowIncomeEntry>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM {} WHERE e.household_no = $1 ORDER BY e.year DESC, e.id DESC",
                    entry_from()
                ),
                &params![household_no],
            )?
            .iter()
            .map(row_entry)
            .collect()
        })
    }

    /// Clears (销号) an open entry: the day, the method, the note, who, and the per-capita income
    /// it was cleared at; audited with the entry before and after. An entry cleared already is a
    /// conflict; the caller has checked the clearing against the household's facts.
    pub fn clear_low_income(
        &self,
        actor: &Actor,
        id: i64,
        clearing: &Clearing,
        per_capita: Option<Fen>,
    ) -> Result<LowIncomeEntry, StoreError> {
        self.with_tx(|tx| {
            let before = tx
                .query_one(
                    &format!("SELECT {ENTRY_COLUMNS} FROM {} WHERE e.id = $1", entry_from()),
                    &params![id],
                )?
                .as_ref()
                .map(row_entry)
                .transpose()?
                .ok_or(StoreError::NotFound)?;
            if !before.is_open() {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::IncomeTrackingCleared,
                    "id",
                    format!(
                        "该户已于 {} 销号",
                        before.cleared_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    format!(
                        "the household was cleared on {}",
                        before.cleared_on.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )));
            }
            let changed = tx.exec(
                "UPDATE low_income_entries SET cleared_on = $1, cleared_method = $2, cleared_note = $3, cleared_by = $4,
                   cleared_per_capita = $5 WHERE id = $6 AND cleared_on IS NULL",
                &params![
                    clearing.on.to_string(),
                    clearing.method.code(),
                    clearing.note.trim(),
                    actor.username.as_str(),
                    per_capita.map(|f| f.0),
                    id
                ],
            )?;
            if changed != 1 {
                return Err(StoreError::Stale);
            }
            let after = tx
                .query_one(
                    &format!("SELECT {ENTRY_COLUMNS} FROM {} WHERE e.id = $1", entry_from()),
                    &params![id],
                )?
                .as_ref()
                .map(row_entry)
                .transpose()?
                .ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(after.county.as_str()),
                "low_income.clear",
                ("low_income_entry", &id.to_string()),
                Some(&json(&before)),
                Some(&json(&after)),
            )?;
            Ok(after)
        })
    }
}
