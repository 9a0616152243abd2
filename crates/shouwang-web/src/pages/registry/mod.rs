//! The registry (户人档案) in the browser: the region tree from the county down to a village's
//! households, a household with its members and history, the audited reveal of an ID number,
//! search, an assistance person's paired households, and (in [`edit`]) the forms that create and
//! change households and members.

mod edit;
mod forms;
mod history;

use super::{render, Crumb, Ctx, Pager};
use crate::access::{self, BrowsableRegion, RevealableHousehold, VisibleHousehold};
use crate::auth::Session;
use crate::error::{AppError, PageResult};
use crate::i18n::{yes_no, L};
use crate::state::{today, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use shouwang_core::access::{Action, Target};
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::money::format_hundredths;
use shouwang_core::region::village_short_name;
use shouwang_core::{RegionCode, RegionLevel};
use shouwang_store::regions::RegionSummary;
use shouwang_store::registry::HouseholdRecord;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}", get(region))
        .route("/search", get(search))
        .route("/paired", get(paired))
        .route("/households/{no}", get(household))
        .route("/households/{no}/members/{idx}/reveal", post(reveal))
        .merge(edit::routes())
}

/// The path from the top to `code`, each step a link when the user may browse it.
async fn crumbs(
    state: &AppState,
    s: &Session,
    code: RegionCode,
) -> Result<Vec<(String, String, bool)>, AppError> {
    let path = state.db(move |st| st.region_path(&code)).await?;
    Ok(path
        .into_iter()
        .map(|r| {
            let link = s
                .scope
                .allows(Action::BrowseRegions, Target::Region(&r.code));
            (r.code.to_string(), r.name.clone(), link)
        })
        .collect())
}

// ---------------------------------------------------------------- region tree

struct ListRow {
    household_no: String,
    group: String,
    head_name: String,
    head_id_masked: String,
    size: i64,
    type_label: String,
    flags: String,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    ctx: Ctx,
    crumbs: Vec<(String, String, bool)>,
    code: String,
    name: String,
    households: i64,
    persons: i64,
    child_label: String,
    children: Vec<RegionSummary>,
    is_village: bool,
    can_edit: bool,
    /// may export the ledger with full ID numbers (a reveal)
    can_reveal: bool,
    rows: Vec<ListRow>,
    pager: Pager,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

const PER_PAGE: i64 = 50;

async fn region(
    State(state): State<AppState>,
    s: Session,
    BrowsableRegion(code): BrowsableRegion,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let l = s.l();
    let c = code.clone();
    let page = q.page.unwrap_or(1).max(1);
    let (region, children, counts, list) = state
        .db(move |st| {
            let region = st.region(&c)?;
            let children = st.children(&c)?;
            let counts = st.count_in(&c)?;
            let list = if c.level() == RegionLevel::Village {
                Some(st.households_in(&c, (page - 1) * PER_PAGE, PER_PAGE)?)
            } else {
                None
            };
            Ok((region, children, counts, list))
        })
        .await?;
    let region = region.ok_or(AppError::NotFound)?;
    let is_village = code.level() == RegionLevel::Village;
    let (rows, total) = list.unwrap_or_default();
    let pager = Pager::new(
        page as usize,
        PER_PAGE as usize,
        total as usize,
        String::new(),
    );
    let rows = rows
        .into_iter()
        .map(|h| {
            let mut flags = Vec::new();
            if h.dibao {
                flags.push(l.t("低保", "dibao"));
            }
            if h.tekun {
                flags.push(l.t("特困", "tekun"));
            }
            if h.relocated {
                flags.push(l.t("搬迁", "relocated"));
            }
            ListRow {
                head_id_masked: mask(&h.head_id),
                type_label: l
                    .t(h.household_type.label_zh(), h.household_type.label_en())
                    .to_string(),
                flags: flags.join(" "),
                household_no: h.household_no,
                group: h.group,
                head_name: h.head_name,
                size: h.size,
            }
        })
        .collect();
    let child_label = match code.level().child() {
        Some(RegionLevel::Township) => l.t("乡镇", "Township"),
        Some(RegionLevel::Village) => l.t("村", "Village"),
        Some(RegionLevel::County) => l.t("县", "County"),
        _ => l.t("下级", "Below"),
    }
    .to_string();
    Ok(render(RegionPage {
        crumbs: crumbs(&state, &s, code.clone()).await?,
        ctx: Ctx::of(&s),
        code: code.to_string(),
        name: region.name,
        households: counts.0,
        persons: counts.1,
        child_label,
        children,
        is_village,
        can_edit: s.scope.allows(Action::EditRegistry, Target::Region(&code)),
        can_reveal: s.scope.allows(Action::RevealId, Target::Region(&code)),
        rows,
        pager,
    }))
}

// ---------------------------------------------------------------- household page

struct MemberView {
    name: String,
    relation: String,
    id_shown: String,
    revealed: bool,
    sex: String,
    age: i32,
    health: String,
    labour: String,
    education: String,
    migrant: String,
    insured: String,
    deceased: bool,
}

/// A member who left, shown greyed under 已离开成员.
struct LeftView {
    name: String,
    relation: String,
    id_masked: String,
    reason: String,
    on: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    ctx: Ctx,
    /// 王秀英家 · 桃红村 3组
    title: String,
    no: String,
    facts: Vec<(String, String)>,
    members: Vec<MemberView>,
    left: Vec<LeftView>,
    can_edit: bool,
    can_reveal: bool,
    history: Vec<history::HistoryEntry>,
    /// for the printed household card
    printed_on: String,
}

/// Where a place sits, as breadcrumbs: each region above it the user may browse, as a link.
/// Returns the crumbs and the region names from the top down.
pub(super) async fn place_crumbs(
    state: &AppState,
    s: &Session,
    code: RegionCode,
) -> Result<(Vec<Crumb>, Vec<String>), AppError> {
    let path = state.db(move |st| st.region_path(&code)).await?;
    let mut crumbs = Vec::new();
    let mut names = Vec::new();
    for r in path {
        let name = if r.code.level() == RegionLevel::Village {
            village_short_name(&r.name).to_string()
        } else {
            r.name.clone()
        };
        if s.scope
            .allows(Action::BrowseRegions, Target::Region(&r.code))
        {
            crumbs.push(Crumb::link(format!("/regions/{}", r.code), name.clone()));
        }
        names.push(name);
    }
    Ok((crumbs, names))
}

/// How people call a household: its head's name with 家, e.g. 王秀英家 (Wang Xiuying's
/// household); the number when it has no head on record.
pub(super) fn household_name(l: &L, rec: &HouseholdRecord) -> String {
    match rec.members.iter().find(|m| m.relation == Relation::Head) {
        Some(h) => format!("{}{}", h.name, l.t("家", "'s household")),
        None => format!("{} {}", l.t("户", "Household"), rec.household.household_no),
    }
}

/// The household's title and crumbs: 王秀英家 · 桃红村 3组, under its township and village.
pub(super) async fn household_place(
    state: &AppState,
    s: &Session,
    rec: &HouseholdRecord,
) -> Result<(String, Vec<Crumb>), AppError> {
    let l = s.l();
    let (mut crumbs, names) = place_crumbs(state, s, rec.household.village.clone()).await?;
    let name = household_name(&l, rec);
    let village = names.last().cloned().unwrap_or_default();
    let group = rec.household.group.trim();
    let group = if group.is_empty() {
        String::new()
    } else if group.ends_with('组') || l.is_en() {
        format!(" {group}")
    } else {
        format!(" {group}组")
    };
    let title = format!("{name} · {village}{group}");
    crumbs.push(Crumb::link(
        format!("/households/{}", rec.household.household_no),
        name,
    ));
    Ok((title, crumbs))
}

async fn household(State(state): State<AppState>, s: Session, h: VisibleHousehold) -> PageResult {
    household_page(&state, &s, &h, None).await
}

/// The household page, with the member at `revealed` (if any) showing their full ID number.
async fn household_page(
    state: &AppState,
    s: &Session,
    visible: &VisibleHousehold,
    revealed: Option<usize>,
) -> PageResult {
    let rec = &visible.record;
    let no = rec.household.household_no.clone();
    let l = s.l();
    let n = no.clone();
    let with_history = visible.allows(s, Action::ViewHistory);
    let (events, departures, names) = state
        .db(move |st| {
            let events = if with_history {
                st.history("household", &n, 50)?
            } else {
                Vec::new()
            };
            let mut users: Vec<String> = events.iter().map(|e| e.username.clone()).collect();
            users.sort();
            users.dedup();
            let names = st.display_names(&users)?;
            Ok((events, st.departures(&n)?, names))
        })
        .await?;
    let h = &rec.household;
    let today = today();
    let mut facts: Vec<(String, String)> = vec![
        (
            l.t("户编号", "Household no.").into(),
            h.household_no.clone(),
        ),
        (
            l.t("户类型", "Household type").into(),
            l.t(h.household_type.label_zh(), h.household_type.label_en())
                .into(),
        ),
        (l.t("组", "Group").into(), h.group.clone()),
        (l.t("家庭住址", "Address").into(), h.address.clone()),
        (l.t("户联系电话", "Phone").into(), h.phone.clone()),
        (l.t("低保户", "Dibao").into(), yes_no(&l, h.dibao).into()),
        (l.t("特困供养", "Tekun").into(), yes_no(&l, h.tekun).into()),
        (
            l.t("易地扶贫搬迁", "Relocated").into(),
            yes_no(&l, h.relocated).into(),
        ),
    ];
    if h.relocated {
        facts.push((
            l.t("安置点", "Resettlement site").into(),
            h.resettlement_site.clone(),
        ));
    }
    facts.push((
        l.t("军烈属", "Military family").into(),
        yes_no(&l, h.military_family).into(),
    ));
    if let Some(a) = h.cultivated_land_centimu {
        facts.push((
            l.t("耕地面积（亩）", "Cultivated land (mu)").into(),
            format_hundredths(a),
        ));
    }
    if let Some(a) = h.housing_area_centim2 {
        facts.push((
            l.t("住房面积（㎡）", "Housing area (m²)").into(),
            format_hundredths(a),
        ));
    }
    if !h.house_grade.is_empty() {
        facts.push((l.t("危房等级", "House grade").into(), h.house_grade.clone()));
    }
    let members = rec
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let show = revealed == Some(i);
            let health = shouwang_core::codes::HealthCondition::ALL
                .iter()
                .filter(|c| m.health.has(**c))
                .map(|c| l.t(c.label_zh(), c.label_en()))
                .collect::<Vec<_>>()
                .join(l.t("、", ", "));
            MemberView {
                name: m.name.clone(),
                relation: l.t(m.relation.label_zh(), m.relation.label_en()).into(),
                id_shown: if show {
                    m.id_number.clone()
                } else {
                    mask(&m.id_number)
                },
                revealed: show,
                sex: l.t(m.sex.label_zh(), m.sex.label_en()).into(),
                age: m.age_on(today),
                health,
                labour: m
                    .labour
                    .map(|x| l.t(x.label_zh(), x.label_en()).to_string())
                    .unwrap_or_default(),
                education: match (m.education, m.schooling) {
                    (Some(e), _) => l.t(e.label_zh(), e.label_en()).into(),
                    (_, Some(s)) => l.t(s.label_zh(), s.label_en()).into(),
                    _ => String::new(),
                },
                migrant: if m.migrant_months > 0 {
                    format!(
                        "{} {}{}",
                        m.migrant_place,
                        m.migrant_months,
                        l.t("个月", " months")
                    )
                } else {
                    String::new()
                },
                insured: yes_no(&l, m.medically_insured()).into(),
                deceased: m.deceased_on.is_some(),
            }
        })
        .collect();
    let left = departures
        .iter()
        .map(|d| {
            let d = &d.departure;
            LeftView {
                name: d.member.name.clone(),
                relation: l
                    .t(d.member.relation.label_zh(), d.member.relation.label_en())
                    .into(),
                id_masked: mask(&d.member.id_number),
                reason: l.t(d.reason.label_zh(), d.reason.label_en()).into(),
                on: d.on.to_string(),
            }
        })
        .collect();
    let history = events
        .iter()
        .map(|e| history::describe(&l, e, &names))
        .collect();
    let (title, crumbs) = household_place(state, s, rec).await?;
    let mut ctx = Ctx::of(s).crumbs(crumbs);
    // the household itself is the last step, not a link
    if let Some(last) = ctx.crumbs.last_mut() {
        last.href.clear();
    }
    Ok(render(HouseholdPage {
        ctx,
        title,
        no,
        facts,
        members,
        left,
        can_edit: visible.allows(s, Action::EditRegistry),
        can_reveal: visible.allows(s, Action::RevealId),
        history,
        printed_on: today.to_string(),
    }))
}

/// Reveals one member's full ID number: a deliberate, audited act.
async fn reveal(
    State(state): State<AppState>,
    s: Session,
    RevealableHousehold(h): RevealableHousehold,
    Path((no, idx)): Path<(String, usize)>,
) -> PageResult {
    let rec = &h.record;
    let member = rec.members.get(idx).ok_or(AppError::NotFound)?;
    let (actor, county, key) = (
        s.actor(),
        rec.county.clone(),
        format!("{}#{}", no, mask(&member.id_number)),
    );
    state
        .db(move |st| st.audit(&actor, Some(&county), "id.reveal", ("member", &key)))
        .await?;
    household_page(&state, &s, &h, Some(idx)).await
}

// ---------------------------------------------------------------- search and paired list

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    title: String,
    q: String,
    /// (name, masked ID, relation, household no., village code)
    hits: Vec<(String, String, String, String, String)>,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let hits = access::search_hits(&state, &s, q.q.clone()).await?;
    let l = s.l();
    Ok(render(SearchPage {
        ctx: Ctx::of(&s),
        title: l.t("搜索", "Search").into(),
        q: q.q,
        hits: hits
            .into_iter()
            .map(|h| {
                (
                    h.name,
                    mask(&h.id_number),
                    l.t(h.relation.label_zh(), h.relation.label_en())
                        .to_string(),
                    h.household_no,
                    h.village,
                )
            })
            .collect(),
    }))
}

/// The households paired with the user, each shown only if the user may read it.
async fn paired(State(state): State<AppState>, s: Session) -> PageResult {
    let user_id = s.user.id;
    let l = s.l();
    let records = state
        .db(move |st| {
            let nos = st.paired_households(user_id)?;
            let mut out = Vec::new();
            for no in nos {
                if let Some(r) = st.household(&no)? {
                    out.push(r);
                }
            }
            Ok(out)
        })
        .await?;
    let hits = records
        .into_iter()
        .filter(|r| {
            let target = Target::Household {
                village: &r.household.village,
                paired: true,
            };
            s.scope.allows(Action::ReadHousehold, target)
        })
        .filter_map(|r| {
            let head = r
                .members
                .iter()
                .find(|m| m.relation == shouwang_core::codes::Relation::Head)?
                .clone();
            Some((
                head.name,
                mask(&head.id_number),
                l.t("户主", "head").to_string(),
                r.household.household_no,
                r.household.village.to_string(),
            ))
        })
        .collect();
    Ok(render(SearchPage {
        ctx: Ctx::of(&s),
        title: l.t("我的结对户", "My paired households").into(),
        q: String::new(),
        hits,
    }))
}
