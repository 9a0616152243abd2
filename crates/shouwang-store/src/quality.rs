//! 数据质量 reads and writes: the facts the checks run over, streamed village by village, and the
//! exemptions (migration 25).
//!
//! [`Store::quality_facts`] walks the villages of a region in code order and, per round of
//! villages (consecutive villages up to a few thousand households), reads each table once with
//! the village index (households, members, cases through their households,
//! the county decisions, incomes of the last two years, the newest 三保障 flags, measures, the
//! pairings in force), groups the rows by household in Rust and hands each household's facts to
//! the caller. Memory stays that of one round whatever the region; a county of a million persons
//! is a few hundred indexed statements.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::decode::Fields;
use crate::income::{row_income, INCOME_COLUMNS};
use crate::sql::{json, region_clause};
use crate::{params, Store, StoreError};
use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::codes::{
    Education, Health, HouseholdType, LabourCapacity, Relation, Schooling, Sex,
};
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, RiskType};
use shouwang_core::quality::{
    check_reason, CaseFacts, Exemption, GuaranteeFacts, HouseholdFacts, MeasureFacts, MemberFacts,
    Rule,
};
use shouwang_core::{Date, IdKind, Problem, ProblemCode, RegionCode};
use std::collections::HashMap;

const MEMBER_COLS: &str = "household_no, id_kind, id_number, name, sex, birth_date, relation, education, schooling, health, disability_category, labour, migrant_months, migrant_place, welfare_job, welfare_job_months, dibao, tekun, resident_medical, employee_medical, deceased_on";

fn row_member_facts(r: &Row) -> Result<(String, MemberFacts), StoreError> {
    let f = Fields::new(r, "members", MEMBER_COLS, 0);
    Ok((
        f.text(0),
        MemberFacts {
            id_kind: f.code(1, IdKind::from_code)?,
            id_number: f.text(2),
            name: f.text(3),
            sex: f.code(4, Sex::from_code)?,
            birth_date: f.date(5)?,
            relation: f.code(6, Relation::from_code)?,
            education: f.opt_code(7, Education::from_code)?,
            schooling: f.opt_code(8, Schooling::from_code)?,
            health: Health::from_bits(f.int(9)?),
            disability_category: f.text(10),
            labour: f.opt_code(11, LabourCapacity::from_code)?,
            migrant_months: f.int(12)?,
            migrant_place: f.text(13),
            welfare_job: f.text(14),
            welfare_job_months: f.int(15)?,
            dibao: f.bool(16)?,
            tekun: f.bool(17)?,
            resident_medical: f.bool(18)?,
            employee_medical: f.bool(19)?,
            deceased_on: f.opt_date(20)?,
        },
    ))
}

const CASE_COLS: &str = "c.household_no, c.id, c.case_type, c.risks, c.identified, c.status, c.elimination_kind, c.eliminated, c.whole_household_without_labour, c.contact_name, c.contact_phone";

/// The case columns and, last, its day of identification as the statistics read it (the county's
/// decision, or the month's first day for a case from a ledger).
fn case_columns() -> String {
    format!("{CASE_COLS}, {}", crate::statistics::IDENTIFIED_ON)
}

fn row_case(r: &Row) -> Result<(String, CaseFacts), StoreError> {
    // the names `case_columns` reads, for an error naming the column
    let names = "c.household_no, c.id, c.case_type, c.risks, c.identified, c.status, c.elimination_kind, c.eliminated, c.whole_household_without_labour, c.contact_name, c.contact_phone, c.identified_on";
    let f = Fields::new(r, "monitoring_cases", names, 0);
    let identified: YearMonth = f.parsed(4, YearMonth::parse)?;
    let kind = f.opt_code(6, EliminationKind::from_code)?;
    let eliminated = match f.opt_text(7) {
        Some(t) if !t.is_empty() => Some(f.parsed(7, YearMonth::parse)?),
        _ => None,
    };
    Ok((
        f.text(0),
        CaseFacts {
            case_id: f.int(1)?,
            case_type: f.code(2, CaseType::from_code)?,
            risks: f
                .text(3)
                .split(',')
                .filter_map(|c| c.trim().parse().ok().and_then(RiskType::from_code))
                .collect(),
            identified,
            identified_on: f.parsed(11, Date::parse)?,
            status: f.code(5, CaseStatus::from_code)?,
            elimination: kind.zip(eliminated),
            whole_household_without_labour: f.bool(8)?,
            contact_name: f.text(9),
            contact_phone: f.text(10),
        },
    ))
}

/// The facts of the households of the villages `first..=last` (codes of one length), in village
/// and household order.
fn village_facts(
    c: &mut dyn Sql,
    (first, last): (&str, &str),
    today: Date,
) -> Result<Vec<HouseholdFacts>, StoreError> {
    let v = params![first, last];
    let mut out: Vec<HouseholdFacts> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in c.query(
        "SELECT household_no, household_type, dibao, tekun, relocated, resettlement_site, house_grade, village
         FROM households WHERE village >= $1 AND village <= $2 ORDER BY village, household_no",
        &v,
    )? {
        let f = Fields::new(
            &r,
            "households",
            "household_no, household_type, dibao, tekun, relocated, resettlement_site, house_grade, village",
            0,
        );
        index.insert(f.text(0), out.len());
        out.push(HouseholdFacts {
            household_no: f.text(0),
            village: f.text(7),
            household_type: f.code(1, HouseholdType::from_code)?,
            dibao: f.bool(2)?,
            tekun: f.bool(3)?,
            relocated: f.bool(4)?,
            resettlement_site: f.text(5),
            house_grade: f.text(6),
            members: Vec::new(),
            case: None,
            incomes: Vec::new(),
            guarantees: None,
            measures: Vec::new(),
            paired: false,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    for r in c.query(
        &format!(
            "SELECT {MEMBER_COLS} FROM members WHERE village >= $1 AND village <= $2 ORDER BY household_no, position"
        ),
        &v,
    )? {
        let (no, m) = row_member_facts(&r)?;
        if let Some(&i) = index.get(&no) {
            out[i].members.push(m);
        }
    }
    // the latest case of each household (ids grow)
    for r in c.query(
        &format!(
            "SELECT {} FROM households h CROSS JOIN monitoring_cases c
             WHERE h.village >= $1 AND h.village <= $2 AND c.county = h.county AND c.household_no = h.household_no ORDER BY c.id",
            case_columns()
        ),
        &v,
    )? {
        let (no, case) = row_case(&r)?;
        if let Some(&i) = index.get(&no) {
            out[i].case = Some(case);
        }
    }
    let incomes: Vec<String> = INCOME_COLUMNS
        .split(", ")
        .map(|c| format!("i.{c}"))
        .collect();
    for r in c.query(
        &format!(
            "SELECT i.household_no, {} FROM households h CROSS JOIN incomes i
             WHERE h.village >= $1 AND h.village <= $2 AND i.county = h.county AND i.household_no = h.household_no
               AND i.quarter = 0 AND i.year >= $3 ORDER BY i.household_no, i.year",
            incomes.join(", ")
        ),
        &params![first, last, i64::from(today.year() - 2)],
    )? {
        if let Some(&i) = index.get(&r.text(0)) {
            out[i].incomes.push(row_income(&r, 1)?);
        }
    }
    for r in c.query(
        "SELECT g.household_no, g.as_of, g.unsafe_housing, g.dropout, g.uninsured, g.unsafe_water
         FROM households h CROSS JOIN guarantees g
         WHERE h.village >= $1 AND h.village <= $2 AND g.county = h.county AND g.household_no = h.household_no ORDER BY g.household_no, g.as_of",
        &v,
    )? {
        let Some(&i) = index.get(&r.text(0)) else { continue };
        let Some(as_of) = Date::parse(&r.text(1)) else { continue };
        out[i].guarantees = Some(GuaranteeFacts {
            as_of,
            unsafe_housing: r.bool(2),
            dropout: r.bool(3),
            uninsured: r.bool(4),
            unsafe_water: r.bool(5),
        });
    }
    for r in c.query(
        "SELECT household_no, case_id, category, state, start_on FROM measures WHERE village >= $1 AND village <= $2 ORDER BY id",
        &v,
    )? {
        let Some(&i) = index.get(&r.text(0)) else { continue };
        if out[i].case.as_ref().map(|c| c.case_id) != Some(r.int(1)) {
            continue;
        }
        let (Some(category), Some(state), Some(start_on)) = (
            MeasureCategory::from_code(r.int(2)),
            MeasureState::from_code(r.int(3)),
            Date::parse(&r.text(4)),
        ) else {
            continue;
        };
        out[i].measures.push(MeasureFacts {
            category,
            state,
            start_on,
        });
    }
    let day = today.to_string();
    for r in c.query(
        "SELECT household_no FROM assistance_pairings
         WHERE village >= $1 AND village <= $2 AND start_on <= $3 AND (end_on IS NULL OR end_on >= $3)",
        &params![first, last, day],
    )? {
        if let Some(&i) = index.get(&r.text(0)) {
            out[i].paired = true;
        }
    }
    Ok(out)
}

/// Households read per round: consecutive villages are read together up to this many
/// households, so that PostgreSQL joins a few thousand households at a time (one village at a
/// time, its index probes cost three times as much) while memory stays a few tens of MB.
const GROUP_HOUSEHOLDS: u64 = 8_000;

/// The villages of `region` that hold households, in code order, grouped into rounds of at most
/// [`GROUP_HOUSEHOLDS`] households (a larger village is a round of its own): (first, last).
fn village_groups(
    c: &mut dyn Sql,
    region: &RegionCode,
) -> Result<Vec<(String, String)>, StoreError> {
    let (clause, values) = region_clause("h", region, 1);
    let rows = c.query(
        &format!(
            "SELECT h.village, COUNT(*) FROM households h WHERE {clause} GROUP BY h.village ORDER BY h.village"
        ),
        &values,
    )?;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_group = 0u64;
    for r in rows {
        let (village, n) = (r.text(0), r.int(1).max(0) as u64);
        match out.last_mut() {
            Some(g) if in_group + n <= GROUP_HOUSEHOLDS && g.0.len() == village.len() => {
                g.1 = village;
                in_group += n;
            }
            _ => {
                out.push((village.clone(), village));
                in_group = n;
            }
        }
    }
    Ok(out)
}

const EXEMPTION_COLS: &str = "id, rule, household_no, member, village, reason, granted_by, granted_at, withdrawn_by, withdrawn_at, withdraw_reason";

fn row_exemption(r: &Row) -> Result<Exemption, StoreError> {
    let f = Fields::new(r, "quality_exemptions", EXEMPTION_COLS, 0);
    Ok(Exemption {
        id: f.int(0)?,
        rule: f.code(1, Rule::from_code)?,
        household_no: f.text(2),
        member: f.text(3),
        village: f.text(4),
        reason: f.text(5),
        granted_by: f.text(6),
        granted_at: f.int(7)?,
        withdrawn_by: f.opt_text(8),
        withdrawn_at: f.opt_int(9)?,
        withdraw_reason: f.text(10),
    })
}

/// What an exemption names: the rule, the household (with its county and village) and the
/// member's ID number or nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExemptionTarget {
    pub rule: Rule,
    pub county: String,
    pub village: String,
    pub household_no: String,
    pub member: String,
}

impl Store {
    /// The counties that hold households, in code order.
    pub fn quality_counties(&self) -> Result<Vec<String>, StoreError> {
        self.backend.with_conn(|c| {
            Ok(c.query(
                "SELECT DISTINCT county FROM households ORDER BY county",
                &[],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect())
        })
    }

    /// The names of `region` and of every region under it, by code.
    pub fn quality_region_names(
        &self,
        region: &RegionCode,
    ) -> Result<HashMap<String, String>, StoreError> {
        self.backend.with_conn(|c| {
            Ok(c.query(
                "SELECT code, name FROM regions WHERE code >= $1 AND code < $2",
                &params![region.as_str(), crate::db::prefix_end(region.as_str())],
            )?
            .iter()
            .map(|r| (r.text(0), r.text(1)))
            .collect())
        })
    }

    /// The households of each village of `region`, by village code.
    pub fn quality_village_households(
        &self,
        region: &RegionCode,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let (clause, values) = region_clause("h", region, 1);
        self.backend.with_conn(|c| {
            let rows = c.query(
                &format!(
                    "SELECT h.village, COUNT(*) FROM households h WHERE {clause} GROUP BY h.village ORDER BY h.village"
                ),
                &values,
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.text(0), r.int(1).max(0) as u64))
                .collect())
        })
    }

    /// Hands the facts of every household of `region` to `each`, village by village in code
    /// order and households in number order within a village.
    pub fn quality_facts(
        &self,
        region: &RegionCode,
        today: Date,
        mut each: impl FnMut(HouseholdFacts) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.backend.with_conn(|c| {
            for (first, last) in village_groups(c, region)? {
                for h in village_facts(c, (&first, &last), today)? {
                    each(h)?;
                }
            }
            Ok(())
        })
    }

    /// The facts of one household, if it lies in `region`.
    pub fn quality_household_facts(
        &self,
        region: &RegionCode,
        household_no: &str,
        today: Date,
    ) -> Result<Option<HouseholdFacts>, StoreError> {
        self.backend.with_conn(|c| {
            let Some(r) = c.query_one(
                "SELECT village FROM households WHERE household_no = $1",
                &params![household_no],
            )?
            else {
                return Ok(None);
            };
            let village = r.text(0);
            if !region.contains_str(&village) {
                return Ok(None);
            }
            Ok(village_facts(c, (&village, &village), today)?
                .into_iter()
                .find(|h| h.household_no == household_no))
        })
    }

    /// The exemptions of `region`, newest first; withdrawn ones too when `with_withdrawn`.
    pub fn quality_exemptions(
        &self,
        region: &RegionCode,
        with_withdrawn: bool,
    ) -> Result<Vec<Exemption>, StoreError> {
        let (clause, values) = region_clause("e", region, 1);
        let active = if with_withdrawn {
            ""
        } else {
            " AND e.withdrawn_at IS NULL"
        };
        self.backend.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {} FROM quality_exemptions e WHERE {clause}{active} ORDER BY e.id DESC",
                    EXEMPTION_COLS
                        .split(", ")
                        .map(|c| format!("e.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &values,
            )?
            .iter()
            .map(row_exemption)
            .collect()
        })
    }

    /// One exemption, if it lies in `region`.
    pub fn quality_exemption(
        &self,
        region: &RegionCode,
        id: i64,
    ) -> Result<Option<Exemption>, StoreError> {
        self.backend.with_conn(|c| {
            let Some(r) = c.query_one(
                &format!("SELECT {EXEMPTION_COLS} FROM quality_exemptions WHERE id = $1"),
                &params![id],
            )?
            else {
                return Ok(None);
            };
            let e = row_exemption(&r)?;
            Ok(region.contains_str(&e.village).then_some(e))
        })
    }

    /// Grants an exemption from `target.rule` on its record, with `reason`, audited
    /// (`quality.exempt`). A second active exemption of the same rule and record is refused.
    pub fn grant_quality_exemption(
        &self,
        actor: &Actor,
        target: &ExemptionTarget,
        reason: &str,
    ) -> Result<i64, StoreError> {
        check_reason(reason).map_err(StoreError::invalid)?;
        let reason = reason.trim();
        self.backend.with_tx(|tx| {
            if tx
                .query_one(
                    "SELECT id FROM quality_exemptions WHERE county = $1 AND household_no = $2 AND rule = $3 AND member = $4 AND withdrawn_at IS NULL",
                    &params![&target.county, &target.household_no, target.rule.code(), &target.member],
                )?
                .is_some()
            {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::QualityExempted,
                    "rule",
                    "该记录已有这条规则的豁免",
                    "the record already has an exemption from this rule",
                )));
            }
            let now = crate::now();
            tx.exec(
                "INSERT INTO quality_exemptions (county, village, rule, household_no, member, reason, granted_by, granted_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &params![
                    &target.county,
                    &target.village,
                    target.rule.code(),
                    &target.household_no,
                    &target.member,
                    reason,
                    &actor.username,
                    now
                ],
            )?;
            let id = tx
                .query_one(
                    "SELECT MAX(id) FROM quality_exemptions WHERE county = $1 AND household_no = $2 AND rule = $3 AND member = $4",
                    &params![&target.county, &target.household_no, target.rule.code(), &target.member],
                )?
                .map(|r| r.int(0))
                .unwrap_or(0);
            let after = serde_json::json!({
                "rule": target.rule.display_code(),
                "rule_code": target.rule.code(),
                "household_no": target.household_no,
                "member": shouwang_core::id_number::mask(&target.member),
                "reason": reason,
            });
            record(
                tx,
                actor,
                Some(&target.county),
                "quality.exempt",
                ("quality_exemption", &id.to_string()),
                None,
                Some(&after),
            )?;
            Ok(id)
        })
    }

    /// Withdraws an active exemption of `region` with `reason`, audited (`quality.withdraw`).
    pub fn withdraw_quality_exemption(
        &self,
        actor: &Actor,
        region: &RegionCode,
        id: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        check_reason(reason).map_err(StoreError::invalid)?;
        let reason = reason.trim();
        self.backend.with_tx(|tx| {
            let r = tx
                .query_one(
                    &format!("SELECT {EXEMPTION_COLS} FROM quality_exemptions WHERE id = $1"),
                    &params![id],
                )?
                .ok_or(StoreError::NotFound)?;
            let e = row_exemption(&r)?;
            if !region.contains_str(&e.village) {
                return Err(StoreError::NotFound);
            }
            if e.withdrawn_at.is_some() {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::QualityWithdrawn,
                    "id",
                    "该豁免已经撤销",
                    "the exemption was already withdrawn",
                )));
            }
            tx.exec(
                "UPDATE quality_exemptions SET withdrawn_by = $1, withdrawn_at = $2, withdraw_reason = $3 WHERE id = $4",
                &params![&actor.username, crate::now(), reason, id],
            )?;
            let county = RegionCode::from_canonical(&e.village)
                .and_then(|v| v.county())
                .map(|c| c.as_str().to_string());
            record(
                tx,
                actor,
                county.as_deref(),
                "quality.withdraw",
                ("quality_exemption", &id.to_string()),
                Some(&json(&serde_json::json!({ "rule": e.rule.display_code(), "household_no": e.household_no, "reason": e.reason }))),
                Some(&serde_json::json!({ "withdraw_reason": reason })),
            )?;
            Ok(())
        })
    }
}
