//! 农户自主申报 (PRODUCT.md §3 item 9): a household's report from the public page becomes a lead
//! of its village on the standard's acceptance clock (`self_report_days` working days of the
//! county's calendar, two by default), or waits in the village's queue when its ID number names
//! nobody living there; the household looks its status up with the receipt and the same mobile
//! number, and sees nothing else.
//!
//! The caller (the public page) has already passed the challenge and the honeypot, and hands a
//! keyed hash of the sender's address, never the address: the limits count by it.

use shouwang_core::department::self_report::{receipt, SelfReportForm};
use shouwang_core::department::SelfReportStatus;
use shouwang_core::lead::LeadStatus;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::self_report::{Limits, NewSelfReport, SelfReportRecord};
use shouwang_store::{Store, StoreError};

/// Who writes a self-report in the audit trail: nobody signed in, the public page.
pub fn public_actor() -> Actor {
    Actor::system("self-report")
}

/// What the household is told after sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub receipt: String,
    pub created_on: Date,
    pub due_on: Date,
    pub status: SelfReportStatus,
    pub lead_id: Option<i64>,
}

/// What `/report/status` shows: the receipt, the day, the status, the clock, and the outcome
/// of the lead it raised. No name, no household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub receipt: String,
    pub created_on: Date,
    pub status: SelfReportStatus,
    pub due_on: Date,
    pub outcome: Option<LeadStatus>,
}

/// The day a report sent on `today` in `county` must be verified by: the standard's
/// `self_report_days` working days (the default where the county has no standard yet).
pub fn acceptance_due(store: &Store, county: &RegionCode, today: Date) -> Result<Date, StoreError> {
    let days = match store.resolved_standard(county, today.year()) {
        Ok(s) => s.self_report_days,
        Err(StoreError::Invalid(_)) => {
            shouwang_core::standard::StandardDefaults::DEFAULT.self_report_days
        }
        Err(e) => return Err(e),
    };
    let calendar = store.calendar_for(county)?;
    Ok(calendar.add_working_days(today, days))
}

fn unknown_village() -> Problem {
    Problem::new(
        ProblemCode::ReportFieldMissing,
        "village",
        "请选择所在村",
        "choose the village",
    )
}

/// Checks the form, the village (known, with its county) and the limits, and writes the
/// report (and its lead) with its audit event. Refusals are `StoreError::Invalid` with every
/// problem of the form, or the one limit reached (`report.rate_limited`).
pub fn submit(
    store: &Store,
    form: &SelfReportForm,
    address_key: &str,
    today: Date,
    random: u64,
) -> Result<Receipt, StoreError> {
    submit_with(store, form, address_key, today, random, Limits::DEFAULT)
}

/// [`submit`] with other limits.
pub fn submit_with(
    store: &Store,
    form: &SelfReportForm,
    address_key: &str,
    today: Date,
    random: u64,
    limits: Limits,
) -> Result<Receipt, StoreError> {
    let report = form.check(today).map_err(StoreError::Invalid)?;
    let county = report
        .village
        .county()
        .ok_or_else(|| StoreError::invalid(unknown_village()))?;
    if store.region(&report.village)?.is_none() || store.region(&county)?.is_none() {
        return Err(StoreError::invalid(unknown_village()));
    }
    let due_on = acceptance_due(store, &county, today)?;
    let receipt = receipt(today, random);
    let saved = store.submit_self_report(
        &public_actor(),
        &NewSelfReport {
            report: &report,
            receipt: &receipt,
            address: address_key,
            today,
            due_on,
            now: shouwang_store::now(),
            limits,
        },
    )?;
    Ok(Receipt {
        receipt: saved.receipt,
        created_on: Date::from_unix_seconds_china(saved.created_at),
        due_on: saved.due_on,
        status: saved.status,
        lead_id: saved.lead_id,
    })
}

/// Whether two strings are equal, in a time that depends only on their lengths.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The status of the report with this receipt when `mobile` is the number it was sent with;
/// `None` for an unknown receipt and for a wrong number alike.
pub fn status(store: &Store, receipt: &str, mobile: &str) -> Result<Option<Status>, StoreError> {
    let receipt = shouwang_core::department::self_report::normalise_receipt(receipt);
    let mobile = mobile.trim();
    let Some((rec, lead)) = store.self_report_status(&receipt)? else {
        // compare anyway, so an unknown receipt costs what a wrong number does
        let _ = same(mobile, "00000000000");
        return Ok(None);
    };
    if !same(&rec.mobile, mobile) {
        return Ok(None);
    }
    Ok(Some(Status {
        receipt: rec.receipt,
        created_on: Date::from_unix_seconds_china(rec.created_at),
        status: rec.status,
        due_on: rec.due_on,
        outcome: lead,
    }))
}

/// Marks a report of the village's queue handled, with the cadre's note.
pub fn handle(
    store: &Store,
    actor: &Actor,
    id: i64,
    note: &str,
) -> Result<SelfReportRecord, StoreError> {
    store.handle_self_report(actor, id, note)
}
