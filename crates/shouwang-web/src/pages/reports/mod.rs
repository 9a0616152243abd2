//! 报表: the hub of tables (issue 16, helper B) and the routes of every report page.
pub mod income;
pub mod monitoring;
pub mod ranking;
pub mod tables;

use crate::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(monitoring::routes())
        .merge(income::routes())
        .merge(tables::routes())
        .merge(ranking::routes())
}
