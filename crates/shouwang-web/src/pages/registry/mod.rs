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
use shouwang_store::registry::{HouseholdListRow, HouseholdRecord};
use shouwang_store::search::{MatchedBy, SearchScope, SearchTerm};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/regions/{code}", get(region))
        .route("/search", get(search))
        .route("/paired", get(paired))
        .route("/households/{no}", get(household))
        .route("/households/{no}/members/{idx}/reveal", post(reveal))
        .merge(edit::routes())
}

// ---------------------------------------------------------------- region tree

/// The breadcrumbs down to `code` by name, each step a link when the user may browse it; the
/// region itself is the page (`here`) or one more link above the page.
pub(super) async fn region_crumbs(
    state: &AppState,
    s: &Session,
    code: RegionCode,
    here: bool,
) -> Result<Vec<Crumb>, AppError> {
    let path = state.db(move |st| st.region_path(&code)).await?;
    let last = path.len().saturating_sub(1);
    Ok(path
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let name = place_name(&r.code, &r.name);
            let link = s
                .scope
                .allows(Action::BrowseRegions, Target::Region(&r.code));
            if link && !(here && i == last) {
                Crumb::link(format!("/regions/{}", r.code), name)
            } else {
                Crumb::here(name)
            }
        })
        .collect())
}

/// A region as people say it: a village without its committee suffix (桃红村, not
/// 桃红村村民委员会).
fn place_name(code: &RegionCode, name: &str) -> String {
    if code.level() == RegionLevel::Village {
        village_short_name(name).to_string()
    } else {
        name.to_string()
    }
}

/// One household of a village's list.
struct ListRow {
    household_no: String,
    group: String,
    head_name: String,
    size: i64,
    type_label: String,
    flags: String,
}

/// One region under the page's region.
struct ChildRow {
    code: String,
    name: String,
    /// the official name, when the short one differs (桃红村村民委员会)
    full_name: String,
    households: i64,
    persons: i64,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    ctx: Ctx,
    code: String,
    name: String,
    households: i64,
    persons: i64,
    child_label: String,
    children: Vec<ChildRow>,
    is_village: bool,
    can_edit: bool,
    can_warn: bool,
    /// may see the village's procedures and its public notice
    can_cases: bool,
    /// may export the ledger with full ID numbers (a reveal)
    can_reveal: bool,
    /// may print the village's self-report poster (一码申报)
    can_poster: bool,
    rows: Vec<ListRow>,
    pager: Pager,
    /// every household on one page (to print)
    all: bool,
    /// said only on paper
    printed_on: String,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
    /// `all=1`: every household of the village on one page, to print
    all: Option<u8>,
}

/// The most households the one-page (print) list of a village shows.
const ALL_AT_ONCE: i64 = 5_000;

const PER_PAGE: i64 = 50;
/// Beyond any list's pages; asked for, it shows the last page.
const MAX_PAGE: i64 = 1_000_000;

/// The flags of a household in the page's language.
fn flags(l: &crate::i18n::L, dibao: bool, tekun: bool, relocated: bool) -> String {
    let mut out = Vec::new();
    if dibao {
        out.push(l.t("低保", "dibao"));
    }
    if tekun {
        out.push(l.t("特困", "tekun"));
    }
    if relocated {
        out.push(l.t("搬迁", "relocated"));
    }
    out.join(l.t("、", ", "))
}

async fn region(
    State(state): State<AppState>,
    s: Session,
    BrowsableRegion(code): BrowsableRegion,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let l = s.l();
    let c = code.clone();
    let page = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let all = q.all == Some(1);
    let per = if all { ALL_AT_ONCE } else { PER_PAGE };
    let (region, children, counts, list) = state
        .db(move |st| {
            let region = st.region(&c)?;
            let children = st.children(&c)?;
            let counts = st.count_in(&c)?;
            let list = if c.level() == RegionLevel::Village {
                let page = if all { 1 } else { page };
                let (rows, total) = st.households_in(&c, (page - 1) * per, per)?;
                // a page past the end shows the last page
                let last = (total.max(1) - 1) / per + 1;
                if page > last {
                    Some(st.households_in(&c, (last - 1) * per, per)?)
                } else {
                    Some((rows, total))
                }
            } else {
                None
            };
            Ok((region, children, counts, list))
        })
        .await?;
    let region = region.ok_or(AppError::NotFound)?;
    let is_village = code.level() == RegionLevel::Village;
    let (rows, total) = list.unwrap_or_default();
    let pager = Pager::new(page as usize, per as usize, total as usize, String::new());
    let rows = rows
        .into_iter()
        .map(|h| ListRow {
            type_label: l
                .t(h.household_type.label_zh(), h.household_type.label_en())
                .to_string(),
            flags: flags(&l, h.dibao, h.tekun, h.relocated),
            household_no: h.household_no,
            group: h.group,
            head_name: h.head_name,
            size: h.size,
        })
        .collect();
    let child_label = match code.level().child() {
        Some(RegionLevel::Township) => l.t("乡镇", "Township"),
        Some(RegionLevel::Village) => l.t("村", "Village"),
        Some(RegionLevel::County) => l.t("县", "County"),
        _ => l.t("下级", "Below"),
    }
    .to_string();
    let children = children
        .into_iter()
        .map(|c| ChildRow {
            name: place_name(&c.code, &c.name),
            full_name: c.name.clone(),
            code: c.code.to_string(),
            households: c.households,
            persons: c.persons,
        })
        .collect();
    let crumbs = region_crumbs(&state, &s, code.clone(), true).await?;
    Ok(render(RegionPage {
        ctx: Ctx::of(&s).crumbs(crumbs),
        code: code.to_string(),
        name: region.name,
        households: counts.0,
        persons: counts.1,
        child_label,
        children,
        is_village,
        can_edit: s.scope.allows(Action::EditRegistry, Target::Region(&code)),
        can_warn: s.scope.allows(Action::ViewWarnings, Target::Region(&code)),
        can_cases: s.scope.allows(Action::ViewCases, Target::Region(&code)),
        can_reveal: s.scope.allows(Action::RevealId, Target::Region(&code)),
        can_poster: s.scope.allows(Action::PrintPoster, Target::Region(&code)),
        rows,
        pager,
        all,
        printed_on: today().to_string(),
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
    /// its leads, procedures and monitoring case, for those who may see them
    leads: Option<super::leads::HouseholdLeads>,
    /// its 帮扶责任人, 家庭签约医生 and visits
    assistance: Option<super::visits::HouseholdAssistance>,
    /// its 部门数据: roll status, department alerts, asset checks
    dept: Option<super::dept::sections::HouseholdDept>,
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
    let leads = super::leads::household_section(state, s, visible).await?;
    let assistance = super::visits::household_section(state, s, visible).await?;
    let dept = super::dept::sections::household_section(state, s, visible).await?;
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
        leads,
        assistance,
        dept,
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

/// A person found, as the results list shows them.
struct HitRow {
    name: String,
    relation: String,
    is_head: bool,
    head_name: String,
    household_no: String,
    /// village (and township for those above one) and group
    place: String,
    id_masked: String,
    /// what matched, when it is not the name (the name shows itself)
    matched: String,
}

/// A household of a list (the empty search, the paired households).
struct HouseholdRow {
    household_no: String,
    head_name: String,
    place: String,
    size: i64,
    type_label: String,
    flags: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    /// why the search found nothing or not everything, when it is not the plain "nothing found"
    hint: String,
    /// nothing typed: the households the user may see
    listing: bool,
    households: Vec<HouseholdRow>,
    hits: Vec<HitRow>,
    pager: Pager,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

/// Where a household is: its village by name, with the township for those who see more than
/// one township, and its group.
fn place(l: &crate::i18n::L, wide: bool, township: &str, village: &str, group: &str) -> String {
    let mut out = String::new();
    if wide && !township.is_empty() {
        out.push_str(township);
        out.push(' ');
    }
    out.push_str(village_short_name(village));
    if !group.is_empty() {
        out.push_str(l.t(" · ", " · "));
        out.push_str(group);
        // groups are stored as numbers or as names (三组, 3组)
        if group.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(l.t("组", " (group)"));
        }
    }
    out
}

async fn search(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    s.scope
        .decide(Action::Search, Target::Region(&s.scope.region))
        .map_err(access::not_allowed)?;
    let l = s.l();
    // a page number beyond any list (and its offset's overflow) is the last page
    let asked = q.page.unwrap_or(1).clamp(1, MAX_PAGE as usize);
    let region = s.scope.region.clone();
    // above a township a village's name alone may be ambiguous
    let wide = !matches!(region.level(), RegionLevel::Township | RegionLevel::Village);
    let user_id = s.user.id;
    let paired_only = s.scope.reaches_only_paired();
    let term = q.q.trim().to_string();
    let per = PER_PAGE as usize;

    if SearchTerm::parse(&term) == SearchTerm::Empty {
        let (rows, total, names) = state
            .db(move |st| {
                let (rows, total) = if paired_only {
                    let mut rows = Vec::new();
                    for no in st.paired_households(user_id)? {
                        if let Some(r) = st.household(&no)? {
                            rows.push(record_row(&r));
                        }
                    }
                    let total = rows.len() as i64;
                    (rows, total)
                } else {
                    let offset = ((asked - 1) * per) as i64;
                    let (rows, total) = st.households_in(&region, offset, PER_PAGE)?;
                    let last = (total.max(1) - 1) / PER_PAGE;
                    if offset > last * PER_PAGE {
                        st.households_in(&region, last * PER_PAGE, PER_PAGE)?
                    } else {
                        (rows, total)
                    }
                };
                let names = village_names(st, rows.iter().map(|r| r.village.as_str()))?;
                Ok((rows, total, names))
            })
            .await?;
        let pager = Pager::new(asked, per, total as usize, String::new());
        // the paired households are read whole and paged here, the region's by the store
        let rows: Vec<_> = if paired_only {
            rows.into_iter()
                .skip((pager.page - 1) * per)
                .take(per)
                .collect()
        } else {
            rows
        };
        let households = rows
            .into_iter()
            .filter(|h| readable(&s, &h.village, paired_only))
            .map(|h| {
                let (town, village) = names.get(&h.village).cloned().unwrap_or_default();
                HouseholdRow {
                    place: place(&l, wide, &town, &village, &h.group),
                    type_label: l
                        .t(h.household_type.label_zh(), h.household_type.label_en())
                        .into(),
                    flags: flags(&l, h.dibao, h.tekun, h.relocated),
                    household_no: h.household_no,
                    head_name: h.head_name,
                    size: h.size,
                }
            })
            .collect();
        return Ok(render(SearchPage {
            ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("农户", "Households"))]),
            q: String::new(),
            hint: String::new(),
            listing: true,
            households,
            hits: Vec::new(),
            pager,
        }));
    }

    let t = term.clone();
    let found = state
        .db(move |st| {
            let only = if paired_only {
                Some(st.paired_households(user_id)?)
            } else {
                None
            };
            let scope = SearchScope {
                region: &region,
                only: only.as_deref(),
            };
            let first = st.find(scope, &t, ((asked - 1) * per) as i64, PER_PAGE)?;
            // a page past the end shows the last page
            let last = (first.total.max(1) as usize).div_ceil(per);
            if asked > last {
                st.find(scope, &t, ((last - 1) * per) as i64, PER_PAGE)
            } else {
                Ok(first)
            }
        })
        .await?;
    let query = serde_urlencoded::to_string([("q", term.as_str())]).unwrap_or_default();
    let pager = Pager::new(asked, per, found.total as usize, query);
    let hint = match SearchTerm::parse(&term) {
        SearchTerm::TooFewDigits => l
            .t(
                "请至少输入证件号码或电话的后4位数字。",
                "Type at least the last 4 digits of an ID number or a phone.",
            )
            .to_string(),
        _ if found.capped => l
            .t(
                "这几位数字对应的人太多，只列出了一部分：请多输入几位。",
                "Too many people share these digits; only some are listed. Type more digits.",
            )
            .to_string(),
        _ => String::new(),
    };
    let hits = found
        .rows
        .into_iter()
        .filter(|f| readable(&s, &f.village, paired_only))
        .map(|f| HitRow {
            relation: l.t(f.relation.label_zh(), f.relation.label_en()).into(),
            is_head: f.relation == Relation::Head,
            place: place(&l, wide, &f.township_name, &f.village_name, &f.group),
            id_masked: mask(&f.id_number),
            matched: match f.matched {
                MatchedBy::HouseholdNo => l.t("户编号", "household no."),
                MatchedBy::IdNumber => l.t("证件号码", "ID number"),
                MatchedBy::Phone => l.t("电话", "phone"),
                MatchedBy::Name => "",
            }
            .into(),
            name: f.name,
            head_name: f.head_name,
            household_no: f.household_no,
        })
        .collect();
    Ok(render(SearchPage {
        ctx: Ctx::of(&s).crumbs(vec![
            Crumb::link("/search", l.t("农户", "Households")),
            Crumb::here(format!("{}“{}”", l.t("搜索", "Search "), term)),
        ]),
        q: term,
        hint,
        listing: false,
        households: Vec::new(),
        hits,
        pager,
    }))
}

/// Whether the user may read a household of `village` (a guard behind the store's scope; a
/// paired-only user's households are all paired).
fn readable(s: &Session, village: &str, paired: bool) -> bool {
    RegionCode::from_canonical(village).is_some_and(|v| {
        s.scope.allows(
            Action::ReadHousehold,
            Target::Household {
                village: &v,
                paired,
            },
        )
    })
}

/// A stored household as a line of a list.
fn record_row(r: &HouseholdRecord) -> HouseholdListRow {
    let h = &r.household;
    let head = r.members.iter().find(|m| m.relation == Relation::Head);
    HouseholdListRow {
        household_no: h.household_no.clone(),
        village: h.village.to_string(),
        group: h.group.clone(),
        head_name: head.map(|m| m.name.clone()).unwrap_or_default(),
        head_id: head.map(|m| m.id_number.clone()).unwrap_or_default(),
        size: r.members.iter().filter(|m| m.deceased_on.is_none()).count() as i64,
        household_type: h.household_type,
        dibao: h.dibao,
        tekun: h.tekun,
        relocated: h.relocated,
    }
}

/// (township name, village name) of each village code given.
fn village_names<'a>(
    st: &shouwang_store::Store,
    villages: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, (String, String)>, shouwang_store::StoreError> {
    let mut out = HashMap::new();
    for v in villages {
        if out.contains_key(v) {
            continue;
        }
        let Some(code) = RegionCode::from_canonical(v) else {
            continue;
        };
        let village = st.region(&code)?.map(|r| r.name).unwrap_or_default();
        let town = match code.parent() {
            Some(t) => st.region(&t)?.map(|r| r.name).unwrap_or_default(),
            None => String::new(),
        };
        out.insert(v.to_string(), (town, village));
    }
    Ok(out)
}

/// A household of the paired page: who lives there and where.
struct PairedCard {
    household_no: String,
    head_name: String,
    place: String,
    size: i64,
    type_label: String,
    flags: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "paired.html")]
struct PairedPage {
    ctx: Ctx,
    cards: Vec<PairedCard>,
}

/// The households paired with the user, each shown only if the user may read it.
async fn paired(State(state): State<AppState>, s: Session) -> PageResult {
    let user_id = s.user.id;
    let l = s.l();
    let (records, names) = state
        .db(move |st| {
            let nos = st.paired_households(user_id)?;
            let mut out = Vec::new();
            for no in nos {
                if let Some(r) = st.household(&no)? {
                    out.push(r);
                }
            }
            let villages: Vec<String> = out
                .iter()
                .map(|r| r.household.village.to_string())
                .collect();
            let names = village_names(st, villages.iter().map(String::as_str))?;
            Ok((out, names))
        })
        .await?;
    let wide = !matches!(
        s.scope.region.level(),
        RegionLevel::Township | RegionLevel::Village
    );
    let cards = records
        .into_iter()
        .filter(|r| {
            let target = Target::Household {
                village: &r.household.village,
                paired: true,
            };
            s.scope.allows(Action::ReadHousehold, target)
        })
        .map(|r| {
            let row = record_row(&r);
            let (town, village) = names.get(&row.village).cloned().unwrap_or_default();
            PairedCard {
                place: place(&l, wide, &town, &village, &row.group),
                type_label: l
                    .t(row.household_type.label_zh(), row.household_type.label_en())
                    .into(),
                flags: flags(&l, row.dibao, row.tekun, row.relocated),
                phone: r.household.phone.clone(),
                household_no: row.household_no,
                head_name: row.head_name,
                size: row.size,
            }
        })
        .collect();
    Ok(render(PairedPage {
        ctx: Ctx::of(&s).crumbs(vec![Crumb::here(l.t("我的结对户", "My paired households"))]),
        cards,
    }))
}
