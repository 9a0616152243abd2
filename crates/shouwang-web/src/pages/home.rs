//! 首页: the first page of each role. It says what the user's region holds and what asks for
//! work, each figure a link to act on it. (The to-do list and charts come with the workflows.)

use super::{render, Ctx};
use crate::auth::Session;
use crate::error::PageResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use shouwang_core::access::{Action, Target};
use shouwang_core::Date;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    region_name: String,
    region_href: String,
    households: i64,
    persons: i64,
    /// The newest screening that covers the region, if any.
    run: Option<LastRun>,
    open_leads: Option<i64>,
    paired: Option<usize>,
    may_warnings: bool,
    may_screen: bool,
    may_import: bool,
    /// 识别认定: the work of the user's level, and what is overdue at the level below
    work: Vec<super::leads::WorkLine>,
    /// a village user's 工作提示单 of the month, first on the page
    todo: Option<super::tasks::Todo>,
}

struct LastRun {
    date: String,
    households: i64,
    flagged: i64,
    red: i64,
    yellow: i64,
    blue: i64,
}

pub async fn home(State(state): State<AppState>, s: Option<Session>) -> PageResult {
    let Some(s) = s else {
        return Ok(Redirect::to("/login").into_response());
    };
    Ok(page(&state, s).await?)
}

async fn page(state: &AppState, s: Session) -> Result<Response, crate::error::AppError> {
    let code = s.scope.region.clone();
    let own = Target::Region(&code);
    let may = |a: Action| s.scope.allows(a, own);
    // a department's user sees no registry: its work is its own kind's data
    if !may(Action::BrowseRegions) && may(Action::ViewDepartment) {
        return Ok(Redirect::to("/dept").into_response());
    }
    let paired_only = s.scope.reaches_only_paired();
    let user_id = s.user.id;
    let c = code.clone();
    let sees_work = super::leads::sees_work(&s);
    let sees_todo = !paired_only
        && code.level() == shouwang_core::region::RegionLevel::Village
        && may(Action::ViewAssistance);
    let month = shouwang_core::date::YearMonth::of(crate::state::today());
    let today = crate::state::today();
    let soon = super::leads::soon_day(today);
    let (region, counts, runs, leads, paired, work, todo) = state
        .db(move |st| {
            let region = st.region(&c)?;
            let counts = if paired_only {
                (0, 0)
            } else {
                st.count_in(&c)?
            };
            // the region's own figures from the run that covers it: the warnings list's totals
            let runs = if paired_only {
                None
            } else {
                st.warning_totals(&c)?
            };
            let leads = match c.county() {
                // the identification work below says it per region instead
                Some(county) if !paired_only && !sees_work => Some(st.open_lead_count(&county)?),
                _ => None,
            };
            let paired = if paired_only {
                Some(st.paired_households(user_id)?.len())
            } else {
                None
            };
            let work = if sees_work {
                st.identification_counts(&c, today, soon)?
            } else {
                Vec::new()
            };
            let todo = if sees_todo {
                Some(shouwang_app::task_list::current(st, &c, month)?.0)
            } else {
                None
            };
            Ok((region, counts, runs, leads, paired, work, todo))
        })
        .await?;
    let run = runs.map(|(r, [red, yellow, blue])| LastRun {
        date: Date::from_unix_seconds_china(r.started_at).to_string(),
        // the run screened every household of a region below its own
        households: if r.region == code.as_str() {
            r.households
        } else {
            counts.0
        },
        flagged: red + yellow + blue,
        red,
        yellow,
        blue,
    });
    let work = super::leads::work_lines(s.l(), &code, &work);
    Ok(render(HomePage {
        todo: todo.map(|t| super::tasks::todo(s.l(), &t)),
        work,
        region_name: region.map_or_else(|| code.to_string(), |r| r.name),
        region_href: if paired_only {
            "/paired".into()
        } else {
            format!("/regions/{code}")
        },
        households: counts.0,
        persons: counts.1,
        run,
        open_leads: leads,
        paired,
        may_warnings: may(Action::ViewWarnings),
        may_screen: may(Action::RunScreening),
        may_import: may(Action::ImportLedger),
        ctx: Ctx::of(&s),
    }))
}
