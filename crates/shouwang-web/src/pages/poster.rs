//! 一码申报: a village's printable A4 poster (`/regions/{code}/poster`) with its name, its
//! township and county, what to do, and a QR code the server draws ([`crate::qr`]) that opens
//! the public self-report page with the village chosen (`/report?village=CODE`). The address
//! is the configured public URL (`WebConfig::public_url`), else the one the request came to.

use super::render;
use crate::access::unseen;
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::Router;
use shouwang_core::access::{Action, Target};
use shouwang_core::region::village_short_name;
use shouwang_core::{RegionCode, RegionLevel};

pub fn routes() -> Router<AppState> {
    Router::new().route("/regions/{code}/poster", get(poster))
}

#[derive(Template)]
#[template(path = "poster.html")]
struct PosterPage {
    l: crate::i18n::L,
    village: String,
    township: String,
    county: String,
    url: String,
    qr: String,
    code: String,
}

/// The address the public reaches this server at: the configured one, else the request's
/// `Host` (HTTPS when the proxy or the configuration says so).
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let https = state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The address the poster of `village` prints and encodes.
pub fn report_url(base: &str, village: &RegionCode) -> String {
    format!("{base}/report?village={village}")
}

async fn poster(
    State(state): State<AppState>,
    s: Session,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let code = RegionCode::parse(&code)
        .filter(|c| c.level() == RegionLevel::Village)
        .ok_or(AppError::NotFound)?;
    s.scope
        .decide(Action::PrintPoster, Target::Region(&code))
        .map_err(unseen)?;
    let c = code.clone();
    let path = state.db(move |st| st.region_path(&c)).await?;
    let name_of = |level: RegionLevel| {
        path.iter()
            .find(|r| r.code.level() == level)
            .map(|r| r.name.clone())
    };
    let village = name_of(RegionLevel::Village).ok_or(AppError::NotFound)?;
    let url = report_url(&public_base(&state, &headers), &code);
    let l = s.l();
    let qr = crate::qr::svg(&url, l.t("自主申报二维码", "self-report QR code"))
        .ok_or_else(|| AppError::Internal("the address is too long for a QR code".into()))?;
    Ok(render(PosterPage {
        l,
        village: village_short_name(&village).to_string(),
        township: name_of(RegionLevel::Township).unwrap_or_default(),
        county: name_of(RegionLevel::County).unwrap_or_default(),
        url,
        qr,
        code: code.to_string(),
    }))
}
