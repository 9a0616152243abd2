//! 公安 deaths (D09) confirmed by a village cadre: the registry changes only then. Confirming
//! marks the member deceased on the alert's date through the registry's own departure path
//! (成员减少, reason 死亡), in the same transaction as the decision; rejecting keeps the member
//! and records the cadre's note. Either is decided once and audited (`dept.death.confirm`,
//! `dept.death.reject`).

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::registry::member_leaves_in;
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::department::alert::DeptRule;
use shouwang_core::department::AlertStatus;
use shouwang_core::household::LeaveReason;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};

pub use shouwang_core::department::DeathDecision;

/// A D09 alert as the confirmation form shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeathAlert {
    pub id: i64,
    pub county: String,
    pub household_no: String,
    pub village: String,
    pub id_number: String,
    pub person_name: String,
    pub on_date: Option<Date>,
    pub status: AlertStatus,
    pub decision: Option<DeathDecision>,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

const COLUMNS: &str = "id, county, household_no, village, id_number, person_name, on_date, status, decision, decision_note, decided_by, decided_at";

fn row_alert(r: &Row) -> DeathAlert {
    DeathAlert {
        id: r.int(0),
        county: r.text(1),
        household_no: r.text(2),
        village: r.text(3),
        id_number: r.text(4),
        person_name: r.text(5),
        on_date: r.opt_text(6).as_deref().and_then(Date::parse),
        status: AlertStatus::from_code(r.int(7)).unwrap_or(AlertStatus::Open),
        decision: r.opt_int(8).and_then(DeathDecision::from_code),
        note: r.opt_text(9),
        decided_by: r.opt_text(10),
        decided_at: r.opt_int(11),
    }
}

/// The D09 alert `id` within `region` (outside it, or of another rule: none).
fn load(c: &mut dyn Sql, region: &RegionCode, id: i64) -> Result<Option<DeathAlert>, StoreError> {
    let r = c.query_one(
        &format!("SELECT {COLUMNS} FROM dept_alerts WHERE id = $1 AND rule = $2"),
        &params![id, DeptRule::Death.code()],
    )?;
    Ok(r.map(|r| row_alert(&r))
        .filter(|a| a.village.starts_with(region.as_str())))
}

fn decided() -> StoreError {
    StoreError::invalid(Problem::new(
        ProblemCode::DeptDeathDecided,
        "decision",
        "该死亡预警已经确认或驳回，或已随批次撤回",
        "the death alert was already confirmed or rejected, or withdrawn with its batch",
    ))
}

impl Store {
    /// The 公安 death alert `id`, if it lies within `region`.
    pub fn death_alert(
        &self,
        region: &RegionCode,
        id: i64,
    ) -> Result<Option<DeathAlert>, StoreError> {
        self.with_conn(|c| load(c, region, id))
    }

    /// Decides the death alert `id` (within `region`): confirmed, the member leaves the
    /// household as deceased on the alert's date (today when it has none) through the registry's
    /// departure path; rejected, with a required note, nothing else changes. One transaction,
    /// audited; an alert decided already, or withdrawn, is refused (`dept.death_decided`).
    pub fn decide_death(
        &self,
        actor: &Actor,
        region: &RegionCode,
        id: i64,
        decision: DeathDecision,
        note: &str,
        today: Date,
    ) -> Result<DeathAlert, StoreError> {
        let note = note.trim();
        if decision == DeathDecision::Rejected && note.is_empty() {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::ReasonRequired,
                "note",
                "驳回须写明理由",
                "a rejection needs a reason",
            )));
        }
        let note: String = note.chars().take(500).collect();
        self.with_tx(|tx| {
            let alert = load(tx, region, id)?.ok_or(StoreError::NotFound)?;
            if alert.decision.is_some() || alert.status != AlertStatus::Open {
                return Err(decided());
            }
            let mut left = false;
            if decision == DeathDecision::Confirmed {
                let on = alert.on_date.unwrap_or(today);
                let still_member = tx
                    .query_one(
                        "SELECT 1 FROM members WHERE county = $1 AND household_no = $2 AND id_number = $3",
                        &params![&alert.county, &alert.household_no, &alert.id_number],
                    )?
                    .is_some();
                // a member already recorded as gone is left as recorded
                if still_member {
                    member_leaves_in(
                        tx,
                        actor,
                        &alert.household_no,
                        &alert.id_number,
                        LeaveReason::Death,
                        on,
                        None,
                        today,
                    )?;
                    left = true;
                }
            }
            let changed = tx.exec(
                "UPDATE dept_alerts SET decision = $1, decision_note = $2, decided_by = $3, decided_at = $4
                 WHERE id = $5 AND decision IS NULL",
                &params![decision.code(), note.as_str(), &actor.username, crate::now(), id],
            )?;
            if changed != 1 {
                return Err(decided());
            }
            let after = serde_json::json!({
                "alert": id,
                "household_no": &alert.household_no,
                "person": &alert.person_name,
                "on": alert.on_date.map(|d| d.to_string()),
                "decision": decision.label_zh(),
                "note": &note,
                "member_left": left,
            });
            let event = match decision {
                DeathDecision::Confirmed => "dept.death.confirm",
                DeathDecision::Rejected => "dept.death.reject",
            };
            record(
                tx,
                actor,
                Some(&alert.county),
                event,
                ("dept_alert", &id.to_string()),
                None,
                Some(&after),
            )?;
            load(tx, region, id)?.ok_or(StoreError::NotFound)
        })
    }
}
