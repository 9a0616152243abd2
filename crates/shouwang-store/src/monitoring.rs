//! Reading monitoring cases (监测对象): how many a region holds in each state, and the dated
//! history of a household's cases. They are written by the ledger import and
//! [`Store::bulk_cases`], with the history core builds.

use crate::{params, Store, StoreError};
use shouwang_core::monitoring::{CaseStatus, EliminationKind};
use shouwang_core::{Date, RegionCode};

/// The cases of a region, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseCounts {
    pub total: u64,
    /// By [`CaseStatus`] code: 识别中, 风险未消除, 风险已消除
    pub by_status: [u64; 3],
    /// Eliminated cases by [`EliminationKind`] code: 帮扶消除, 自然消除
    pub by_elimination: [u64; 2],
    /// 整户无劳动能力兜底保障户 among the cases not eliminated
    pub without_labour_open: u64,
}

impl CaseCounts {
    pub fn status(&self, s: CaseStatus) -> u64 {
        self.by_status[s.code() as usize]
    }
    pub fn eliminated(&self, k: EliminationKind) -> u64 {
        self.by_elimination[k.code() as usize]
    }
}

/// One dated step of a case's history, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCaseStep {
    pub case_id: i64,
    /// `identification` or `elimination` ([`CaseStepKind::stored`](shouwang_core::monitoring::CaseStepKind::stored))
    pub step: String,
    pub on: Date,
    pub actor: String,
}

impl Store {
    /// The cases of the households of `region` (a county or below), counted by state.
    pub fn case_counts(&self, region: &RegionCode) -> Result<CaseCounts, StoreError> {
        let county = region.county().unwrap_or_else(|| region.clone());
        let prefix = format!("{}%", region.as_str());
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT c.status, c.elimination_kind, c.whole_household_without_labour, COUNT(*)
                 FROM monitoring_cases c JOIN households h ON h.county = c.county AND h.household_no = c.household_no
                 WHERE c.county = $1 AND h.village LIKE $2
                 GROUP BY c.status, c.elimination_kind, c.whole_household_without_labour",
                &params![county.as_str(), prefix.as_str()],
            )?;
            let mut out = CaseCounts::default();
            for r in rows {
                let n = r.int(3) as u64;
                out.total += n;
                if let Some(s) = usize::try_from(r.int(0)).ok().filter(|s| *s < 3) {
                    out.by_status[s] += n;
                }
                if let Some(k) = r.opt_int(1).and_then(|k| usize::try_from(k).ok()).filter(|k| *k < 2) {
                    out.by_elimination[k] += n;
                }
                if r.int(2) != 0 && r.int(0) != CaseStatus::Eliminated.code() {
                    out.without_labour_open += n;
                }
            }
            Ok(out)
        })
    }

    /// The dated steps of a household's cases, oldest first.
    pub fn case_steps(
        &self,
        county: &RegionCode,
        household_no: &str,
    ) -> Result<Vec<StoredCaseStep>, StoreError> {
        self.with_conn(|c| {
            let rows = c.query(
                "SELECT s.case_id, s.step, s.on_date, s.actor FROM case_steps s
                 JOIN monitoring_cases c ON c.id = s.case_id
                 WHERE c.county = $1 AND c.household_no = $2 ORDER BY s.on_date, s.id",
                &params![county.as_str(), household_no],
            )?;
            rows.into_iter()
                .map(|r| {
                    let on = r.text(2);
                    Ok(StoredCaseStep {
                        case_id: r.int(0),
                        step: r.text(1),
                        on: Date::parse(&on).ok_or_else(|| StoreError::Corrupt {
                            table: "case_steps",
                            column: "on_date".into(),
                            value: on.clone(),
                        })?,
                        actor: r.text(3),
                    })
                })
                .collect()
        })
    }
}
