//! 防止返贫致贫对象 (monitoring cases) read one at a time, as the API and the case page show
//! them: the case as the ledger describes it, its household's village (for the region check),
//! the head by name and the warning level the county decided (none for a case a ledger import
//! brought, which carries no level).

use crate::decode::Fields;
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::codes::Relation;
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind, MonitoringCase, RiskType};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::RegionCode;

/// One monitoring case with where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    pub county: String,
    pub village: RegionCode,
    pub head_name: String,
    pub case: MonitoringCase,
    /// 预警等级 as decided at inclusion; `None` for a case from a ledger
    pub level: Option<WarningLevel>,
}

const COLUMNS: &str = "c.id, c.county, hh.village, hd.name, c.household_no, c.case_type, c.risks, c.identified, c.status, c.elimination_kind, c.eliminated, c.whole_household_without_labour, c.warning_level";

impl Store {
    /// The monitoring case `id`, if it exists.
    pub fn monitoring_case(&self, id: i64) -> Result<Option<CaseRecord>, StoreError> {
        let head = Relation::Head.code();
        let sql = format!(
            "SELECT {COLUMNS} FROM monitoring_cases c
             JOIN households hh ON hh.county = c.county AND hh.household_no = c.household_no
             LEFT JOIN members hd ON hd.county = c.county AND hd.household_no = c.household_no AND hd.relation = {head}
                  AND hd.position = (SELECT MIN(m2.position) FROM members m2 WHERE m2.county = c.county AND m2.household_no = c.household_no AND m2.relation = {head})
             WHERE c.id = $1"
        );
        self.with_conn(|c| {
            let Some(r) = c.query_one(&sql, &params![id])? else {
                return Ok(None);
            };
            let f = Fields::new(&r, "monitoring_cases", COLUMNS, 0);
            let mut risks = Vec::new();
            for code in f.text(6).split(',').filter(|s| !s.is_empty()) {
                let risk = code.trim().parse().ok().and_then(RiskType::from_code);
                risks.push(risk.ok_or_else(|| f.bad(6, Some(code.to_string())))?);
            }
            let elimination = match (
                f.opt_code(9, EliminationKind::from_code)?,
                f.opt_parsed(10, YearMonth::parse)?,
            ) {
                (Some(k), Some(m)) => Some((k, m)),
                _ => None,
            };
            // the level's pinned number as text (the column predates the numbers); empty when
            // the case came from a ledger
            let level = f.opt_parsed(12, |t| {
                t.trim().parse().ok().and_then(WarningLevel::from_code)
            })?;
            Ok(Some(CaseRecord {
                id: f.int(0)?,
                county: f.text(1),
                village: f.region(2)?,
                head_name: f.opt_text(3).unwrap_or_default(),
                case: MonitoringCase {
                    household_no: f.text(4),
                    case_type: f.code(5, CaseType::from_code)?,
                    risks,
                    identified: f.parsed(7, YearMonth::parse)?,
                    status: f.code(8, CaseStatus::from_code)?,
                    elimination,
                    whole_household_without_labour: f.bool(11)?,
                },
                level,
            }))
        })
    }
}
