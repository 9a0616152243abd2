//! Who may do what, as extractors: a handler that takes an [`EditableHousehold`] cannot run for a
//! household the user may not change. Every answer comes from core's permission table
//! ([`shouwang_core::access::permission`]); this module only finds the target (a region in the
//! path or the query, a household by its number) and says how a refusal reads:
//!
//! - a household or region the user may not see is "not found" (404), the same answer as a wrong
//!   number, so that guessing reveals nothing;
//! - what the user's role may never do to something they can see is "not allowed" (403).
//!
//! The pages and the API share these extractors. A refusal is a [`PageError`]: the pages show
//! it as a page in the user's language, the API as JSON.

use crate::auth::Session;
use crate::error::{AppError, PageError};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use shouwang_core::access::{Action, Reach, Refusal, Target};
use shouwang_core::RegionCode;
use shouwang_store::registry::{HouseholdRecord, SearchHit};
use std::collections::HashMap;

/// Every refusal reads as "not found".
pub fn unseen(_: Refusal) -> AppError {
    AppError::NotFound
}

/// Every refusal reads as "not allowed".
pub fn not_allowed(_: Refusal) -> AppError {
    AppError::Forbidden
}

/// What the role may never do is "not allowed"; a region outside the user's is "not found".
fn by_reason(r: Refusal) -> AppError {
    match r {
        Refusal::Role | Refusal::Level => AppError::Forbidden,
        Refusal::Outside => AppError::NotFound,
    }
}

/// The region a page or a call asks about (`asked`, else the user's own), if the user may do
/// `action` there: a role that may not is "not allowed", a region outside is "not found".
pub fn asked_region(
    s: &Session,
    action: Action,
    asked: Option<&str>,
) -> Result<RegionCode, AppError> {
    let region = match asked.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => RegionCode::parse(t),
        None => Some(s.scope.region.clone()),
    };
    let Some(region) = region else {
        // a code that means nothing is refused as the role would be refused anywhere
        return Err(
            match s.scope.decide(action, Target::Region(&s.scope.region)) {
                Err(Refusal::Role) => AppError::Forbidden,
                _ => AppError::NotFound,
            },
        );
    };
    s.scope
        .decide(action, Target::Region(&region))
        .map_err(by_reason)?;
    Ok(region)
}

/// Whether the user's role reaches anything through a pairing, so that the pairing of a
/// household must be looked up.
fn pairing_matters(s: &Session) -> bool {
    Action::ALL
        .iter()
        .any(|a| a.reach(s.user.role) == Reach::Paired)
}

/// A household the user may see, with whether it is paired with them.
#[derive(Clone, Debug)]
pub struct VisibleHousehold {
    pub record: HouseholdRecord,
    paired: bool,
}

impl VisibleHousehold {
    /// The household as the target of an action.
    pub fn target(&self) -> Target<'_> {
        Target::Household {
            village: &self.record.household.village,
            paired: self.paired,
        }
    }
    /// Whether the user may also do `action` to this household (to show a button or not).
    pub fn allows(&self, s: &Session, action: Action) -> bool {
        s.scope.allows(action, self.target())
    }
}

/// Loads household `no` if the user may see it; otherwise "not found", as for a wrong number.
pub async fn visible_household(
    state: &AppState,
    s: &Session,
    no: String,
) -> Result<VisibleHousehold, AppError> {
    let user_id = s.user.id;
    let pairing = pairing_matters(s);
    let (record, paired) = state
        .db(move |st| {
            let record = st.household(&no)?;
            let paired = pairing && record.is_some() && st.is_paired(user_id, &no)?;
            Ok((record, paired))
        })
        .await?;
    let record = record.ok_or(AppError::NotFound)?;
    let visible = VisibleHousehold { record, paired };
    s.scope
        .decide(Action::ReadHousehold, visible.target())
        .map_err(unseen)?;
    Ok(visible)
}

/// Household `no`, which the user may see, if they may also do `action` to it; a refusal is
/// answered by `refused` ([`unseen`] where the action only reads, [`not_allowed`] where it writes).
pub async fn household_for(
    state: &AppState,
    s: &Session,
    no: String,
    action: Action,
    refused: fn(Refusal) -> AppError,
) -> Result<VisibleHousehold, AppError> {
    let h = visible_household(state, s, no).await?;
    s.scope.decide(action, h.target()).map_err(refused)?;
    Ok(h)
}

/// Searches the user's region; the hits are narrowed to households the user may read.
pub async fn search_hits(
    state: &AppState,
    s: &Session,
    q: String,
) -> Result<Vec<SearchHit>, AppError> {
    s.scope
        .decide(Action::Search, Target::Region(&s.scope.region))
        .map_err(not_allowed)?;
    let region = s.scope.region.clone();
    let (pairing, user_id) = (pairing_matters(s), s.user.id);
    let (hits, paired) = state
        .db(move |st| {
            let hits = st.search(&region, &q, 100)?;
            let paired = if pairing {
                st.paired_households(user_id)?
            } else {
                Vec::new()
            };
            Ok((hits, paired))
        })
        .await?;
    Ok(hits
        .into_iter()
        .filter(|h| {
            RegionCode::from_canonical(&h.village).is_some_and(|village| {
                let paired = paired.contains(&h.household_no);
                s.scope.allows(
                    Action::ReadHousehold,
                    Target::Household {
                        village: &village,
                        paired,
                    },
                )
            })
        })
        .collect())
}

async fn session(parts: &mut Parts, state: &AppState) -> Result<Session, PageError> {
    Ok(Session::from_request_parts(parts, state).await?)
}

/// A parameter of the route's path, by name (`{code}`, `{no}`).
async fn path_param(parts: &mut Parts, state: &AppState, name: &str) -> Result<String, PageError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    // a part with a NUL byte names nothing stored (and PostgreSQL refuses to look it up)
    let value = params.get(name).filter(|v| !v.contains('\0'));
    Ok(value.cloned().ok_or(AppError::NotFound)?)
}

/// `?region=` of the request, if any.
fn query_region(parts: &Parts) -> Option<String> {
    Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|Query(mut q)| q.remove("region"))
}

/// The region `{code}` of the path, if the user may do `action` there; else "not found".
async fn path_region(
    parts: &mut Parts,
    state: &AppState,
    action: Action,
) -> Result<RegionCode, PageError> {
    let s = session(parts, state).await?;
    let code = path_param(parts, state, "code").await?;
    let code = RegionCode::parse(&code).ok_or(AppError::NotFound)?;
    s.scope
        .decide(action, Target::Region(&code))
        .map_err(unseen)?;
    Ok(code)
}

/// A region of the tree (`/regions/{code}`) the user may browse.
pub struct BrowsableRegion(pub RegionCode);

impl FromRequestParts<AppState> for BrowsableRegion {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        path_region(parts, state, Action::BrowseRegions)
            .await
            .map(BrowsableRegion)
    }
}

/// A region (`/regions/{code}/ledger.xlsx`) whose ledger the user may export, and whether with
/// full ID numbers: only when asked for (`?ids=full`) by a role that may reveal them there (an
/// export of full IDs is the largest reveal there is); asked for by any other role, "not
/// allowed". Without the question the IDs come masked.
pub struct ExportableRegion {
    pub code: RegionCode,
    pub full_ids: bool,
}

impl FromRequestParts<AppState> for ExportableRegion {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let code = path_region(parts, state, Action::ExportLedger).await?;
        let full_ids = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(mut q)| q.remove("ids"))
            .is_some_and(|v| v == "full");
        if full_ids {
            let s = session(parts, state).await?;
            s.scope
                .decide(Action::RevealId, Target::Region(&code))
                .map_err(not_allowed)?;
        }
        Ok(ExportableRegion { code, full_ids })
    }
}

/// The region `?region=` (else the user's own) whose warnings the user may see.
pub struct WarningsRegion(pub RegionCode);

/// The region `?region=` (else the user's own) the user may run a what-if on.
pub struct WhatIfRegion(pub RegionCode);

/// The region `?region=` (else the user's own) whose standards the user may see.
pub struct StandardsRegion(pub RegionCode);

async fn scoped_query_region(
    parts: &mut Parts,
    state: &AppState,
    action: Action,
) -> Result<RegionCode, PageError> {
    let s = session(parts, state).await?;
    Ok(asked_region(&s, action, query_region(parts).as_deref())?)
}

impl FromRequestParts<AppState> for WarningsRegion {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        scoped_query_region(parts, state, Action::ViewWarnings)
            .await
            .map(WarningsRegion)
    }
}

impl FromRequestParts<AppState> for WhatIfRegion {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        scoped_query_region(parts, state, Action::WhatIf)
            .await
            .map(WhatIfRegion)
    }
}

impl FromRequestParts<AppState> for StandardsRegion {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        scoped_query_region(parts, state, Action::ViewStandards)
            .await
            .map(StandardsRegion)
    }
}

impl FromRequestParts<AppState> for VisibleHousehold {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let no = path_param(parts, state, "no").await?;
        Ok(visible_household(state, &s, no).await?)
    }
}

/// A household (`/households/{no}`) the user may see and change; one they may see but not
/// change is "not allowed".
pub struct EditableHousehold(pub HouseholdRecord);

impl FromRequestParts<AppState> for EditableHousehold {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let h = VisibleHousehold::from_request_parts(parts, state).await?;
        s.scope
            .decide(Action::EditRegistry, h.target())
            .map_err(not_allowed)?;
        Ok(EditableHousehold(h.record))
    }
}

/// A household whose members' full ID numbers the user may reveal (an audited act).
pub struct RevealableHousehold(pub VisibleHousehold);

impl FromRequestParts<AppState> for RevealableHousehold {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let h = VisibleHousehold::from_request_parts(parts, state).await?;
        s.scope
            .decide(Action::RevealId, h.target())
            .map_err(not_allowed)?;
        Ok(RevealableHousehold(h))
    }
}

/// A user who may screen their county now: its code.
pub struct Screener {
    pub county: RegionCode,
}

impl FromRequestParts<AppState> for Screener {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let own = s.scope.region.clone();
        s.scope
            .decide(Action::RunScreening, Target::Region(&own))
            .map_err(not_allowed)?;
        Ok(Screener { county: own })
    }
}

/// A user who may import a ledger: into their own county or township (`within`).
pub struct Importer {
    pub county: RegionCode,
    pub within: RegionCode,
}

impl FromRequestParts<AppState> for Importer {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let within = s.scope.region.clone();
        s.scope
            .decide(Action::ImportLedger, Target::Region(&within))
            .map_err(not_allowed)?;
        let county = within.county().ok_or(AppError::Forbidden)?;
        Ok(Importer { county, within })
    }
}

/// An administrator who may manage the accounts of their region (用户管理): the session.
pub struct UserAdmin(pub Session);

impl FromRequestParts<AppState> for UserAdmin {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let own = s.scope.region.clone();
        s.scope
            .decide(Action::ManageUsers, Target::Region(&own))
            .map_err(not_allowed)?;
        Ok(UserAdmin(s))
    }
}

/// A user who may create, list and revoke the API tokens departments push with
/// (`Action::ManageDeptTokens`: county officers and administrators of a county): the session and
/// the county. Any other role is "not allowed".
pub struct TokenManager {
    pub session: Session,
    pub county: RegionCode,
}

impl FromRequestParts<AppState> for TokenManager {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = session(parts, state).await?;
        let own = s.scope.region.clone();
        s.scope
            .decide(Action::ManageDeptTokens, Target::Region(&own))
            .map_err(not_allowed)?;
        let county = own.county().ok_or(AppError::Forbidden)?;
        Ok(TokenManager { session: s, county })
    }
}
