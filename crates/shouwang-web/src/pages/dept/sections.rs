//! The department sections of other pages: the household page's 部门数据 (the 民政 roll status
//! beside the monitoring status, so a household on both shows both; its open department alerts
//! with their evidence; its asset checks as exclusion evidence, never a refusal), and the
//! evidence a lead page and the village appraisal show (the lead's alerts and the household's
//! asset checks, "供民主评议参考，不作为自动否决").

use super::batches::{alert_row, AlertRow};
use crate::access::VisibleHousehold;
use crate::auth::Session;
use crate::error::AppError;
use crate::i18n::L;
use crate::state::{today, AppState};
use shouwang_core::access::Action;
use shouwang_core::department::{AlertStatus, AssetType, DeptKind, RollType};
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::RegionCode;
use shouwang_store::dept_reads::DeptRecordRow;
use std::collections::HashMap;

/// A status badge: the text and its class.
pub(crate) struct Badge {
    pub text: String,
    pub class: &'static str,
}

/// An asset check (资产核查) as evidence.
pub(crate) struct AssetView {
    pub person: String,
    pub what: String,
    pub detail: String,
    pub date: String,
}

/// A department record of another kind, as a line.
pub(crate) struct RecordView {
    pub kind: String,
    pub person: String,
    pub text: String,
}

/// The household page's 部门数据 section.
pub(crate) struct HouseholdDept {
    /// The household, for the death confirmation's address
    pub no: String,
    /// A village cadre (or above) may confirm or reject a death alert (D09) here
    pub may_decide_death: bool,
    pub statuses: Vec<Badge>,
    pub alerts: Vec<AlertRow>,
    pub assets: Vec<AssetView>,
    pub records: Vec<RecordView>,
}

impl HouseholdDept {
    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty()
            && self.alerts.is_empty()
            && self.assets.is_empty()
            && self.records.is_empty()
    }
}

/// The evidence a lead page and the village appraisal show.
pub(crate) struct DeptEvidence {
    pub alerts: Vec<AlertRow>,
    pub assets: Vec<AssetView>,
}

impl DeptEvidence {
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty() && self.assets.is_empty()
    }
}

fn month(d: Option<shouwang_core::Date>) -> String {
    d.map(|d| d.to_string().get(..7).unwrap_or("").to_string())
        .unwrap_or_default()
}

/// "低保（民政，2026-03起）" of an active roll record that has not ended.
fn roll_badge(l: L, r: &DeptRecordRow) -> Option<Badge> {
    let roll = r.category.and_then(RollType::from_code)?;
    if r.end_date.is_some_and(|e| e < today()) {
        return None;
    }
    let since = month(r.on_date);
    let text = if l.is_en() {
        if since.is_empty() {
            format!("{} (civil affairs)", roll.label_en())
        } else {
            format!("{} (civil affairs, since {since})", roll.label_en())
        }
    } else if since.is_empty() {
        format!("{}（民政）", roll.label_zh())
    } else {
        format!("{}（民政，{since}起）", roll.label_zh())
    };
    Some(Badge {
        text,
        class: "roll",
    })
}

fn asset_view(l: L, r: &DeptRecordRow) -> AssetView {
    AssetView {
        person: r.name.clone(),
        what: r
            .category
            .and_then(AssetType::from_code)
            .map(|a| l.t(a.label_zh(), a.label_en()).to_string())
            .unwrap_or_default(),
        detail: r.detail.clone(),
        date: r.on_date.map(|d| d.to_string()).unwrap_or_default(),
    }
}

fn record_view(l: L, r: &DeptRecordRow) -> RecordView {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = r.on_date {
        parts.push(d.to_string());
    }
    if let Some(a) = r.amount {
        parts.push(format!("{} {}", super::yuan(a), l.t("元", "yuan")));
    }
    if !r.detail.is_empty() {
        parts.push(r.detail.clone());
    }
    RecordView {
        kind: super::kind_word(l, r.kind),
        person: r.name.clone(),
        text: parts.join(" · "),
    }
}

/// The household page's section, for those who may see the household's cases.
pub(crate) async fn household_section(
    state: &AppState,
    s: &Session,
    h: &VisibleHousehold,
) -> Result<Option<HouseholdDept>, AppError> {
    if !h.allows(s, Action::ViewCases) {
        return Ok(None);
    }
    let l = s.l();
    let Some(county) = h.record.household.village.county() else {
        return Ok(None);
    };
    let no = h.record.household.household_no.clone();
    let household_no = no.clone();
    let may_decide_death = h.allows(s, Action::EditRegistry);
    let (records, alerts, cases) = state
        .db(move |st| {
            Ok((
                st.household_dept_records(&county, &no)?,
                st.household_dept_alerts(&county, &no)?,
                st.household_case_links(&no)?,
            ))
        })
        .await?;
    let mut statuses: Vec<Badge> = cases
        .iter()
        .filter(|c| c.status != CaseStatus::Eliminated)
        .take(1)
        .map(|c| Badge {
            text: format!(
                "{}{}{}{}{}",
                l.t("监测对象：", "Monitored: "),
                l.t(c.case_type.label_zh(), c.case_type.label_en()),
                l.t("（", " ("),
                l.t(c.status.label_zh(), c.status.label_en()),
                l.t("）", ")")
            ),
            class: "monitoring",
        })
        .collect();
    statuses.extend(
        records
            .iter()
            .filter(|r| r.kind == DeptKind::Roster)
            .filter_map(|r| roll_badge(l, r)),
    );
    // one badge per roll: the newest record says it
    let mut seen = std::collections::HashSet::new();
    statuses.retain(|b| seen.insert(b.text.clone()));
    let villages: HashMap<String, String> = HashMap::new();
    Ok(Some(HouseholdDept {
        no: household_no,
        may_decide_death,
        statuses,
        alerts: alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Open)
            .map(|a| alert_row(l, a, &villages))
            .collect(),
        assets: records
            .iter()
            .filter(|r| r.kind == DeptKind::Assets)
            .map(|r| asset_view(l, r))
            .collect(),
        records: records
            .iter()
            .filter(|r| !matches!(r.kind, DeptKind::Assets | DeptKind::Roster))
            .map(|r| record_view(l, r))
            .collect(),
    }))
}

/// The evidence of leads `lead_ids` of household `household_no` (in `county`): the alerts that
/// raised or joined them and the household's asset checks.
pub(crate) async fn lead_evidence(
    state: &AppState,
    s: &Session,
    county: Option<RegionCode>,
    household_no: String,
    lead_ids: Vec<i64>,
) -> Result<DeptEvidence, AppError> {
    let l = s.l();
    let (alerts, assets) = state
        .db(move |st| {
            let mut alerts = Vec::new();
            for id in lead_ids {
                alerts.extend(st.lead_dept_alerts(id)?);
            }
            let assets = match county {
                Some(c) => st
                    .household_dept_records(&c, &household_no)?
                    .into_iter()
                    .filter(|r| r.kind == DeptKind::Assets)
                    .collect(),
                None => Vec::new(),
            };
            Ok((alerts, assets))
        })
        .await?;
    let villages: HashMap<String, String> = HashMap::new();
    Ok(DeptEvidence {
        alerts: alerts.iter().map(|a| alert_row(l, a, &villages)).collect(),
        assets: assets.iter().map(|r| asset_view(l, r)).collect(),
    })
}
