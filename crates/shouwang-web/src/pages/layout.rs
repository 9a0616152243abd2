//! What every page shares: the menu a role sees, the breadcrumbs, the message that says what
//! was just saved, and page numbers. Pages copy these patterns rather than invent their own:
//!
//! - a handler builds its context with `Ctx::of(&s).crumbs(vec![…])`;
//! - a form that saved something answers [`saved`] (redirect to the record's page, which then
//!   says what was saved at its top);
//! - a list that pages uses [`Pager`] and includes `pager.html`.

use crate::auth::{Flash, Session, FLASH_COOKIE};
use crate::i18n::L;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use shouwang_core::access::{Action, Role, Target};
use shouwang_core::region::RegionLevel;

/// What the layout needs on every page.
pub struct Ctx {
    pub l: L,
    /// (display name, role label) when signed in
    pub user: Option<(String, String)>,
    pub csrf: String,
    /// The header's search box: for those who may search households (not a department)
    pub may_search: bool,
    /// The menu: what this role may use, in the order of its work.
    pub nav: Vec<NavLink>,
    /// Where the page sits: each step a link but the last (the page itself).
    pub crumbs: Vec<Crumb>,
    /// What the previous form saved, said once at the top of this page.
    pub flash: Option<String>,
}

/// One entry of the menu.
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    /// The page shown is this entry or below it.
    pub current: bool,
}

/// One step of the breadcrumbs; an empty `href` is the page itself.
pub struct Crumb {
    pub href: String,
    pub label: String,
}

impl Crumb {
    pub fn link(href: impl Into<String>, label: impl Into<String>) -> Crumb {
        Crumb {
            href: href.into(),
            label: label.into(),
        }
    }
    /// The page itself, the last step.
    pub fn here(label: impl Into<String>) -> Crumb {
        Crumb::link(String::new(), label)
    }
}

impl Ctx {
    pub fn of(s: &Session) -> Ctx {
        let l = s.l();
        let role = l
            .t(s.user.role.label_zh(), s.user.role.label_en())
            .to_string();
        Ctx {
            l,
            user: Some((s.user.display_name.clone(), role)),
            csrf: s.csrf.clone(),
            may_search: s
                .scope
                .allows(Action::Search, Target::Region(&s.scope.region)),
            nav: nav(s),
            crumbs: Vec::new(),
            flash: s
                .flash
                .as_ref()
                .map(|f| if l.is_en() { &f.en } else { &f.zh }.clone()),
        }
    }

    /// A page for someone not signed in (the sign-in page).
    pub fn anonymous(l: L, csrf: String) -> Ctx {
        Ctx {
            l,
            user: None,
            csrf,
            may_search: false,
            nav: Vec::new(),
            crumbs: Vec::new(),
            flash: None,
        }
    }

    /// The breadcrumbs of this page, after 首页.
    pub fn crumbs(mut self, steps: Vec<Crumb>) -> Ctx {
        let home = Crumb::link("/", self.l.t("首页", "Home"));
        self.crumbs = std::iter::once(home).chain(steps).collect();
        self
    }
}

/// The menu of one user: each entry only when the role may use it in its own region, so a
/// village cadre never sees the county's what-if or standards.
fn nav(s: &Session) -> Vec<NavLink> {
    let l = s.l();
    let region = &s.scope.region;
    let own = Target::Region(region);
    let may = |a: Action| s.scope.allows(a, own);
    let role = s.user.role;
    let office = matches!(
        role,
        Role::Admin | Role::County | Role::Township | Role::Inspector
    );
    let mut items: Vec<(String, &'static str)> = vec![("/".into(), l.t("首页", "Home"))];
    if s.scope.reaches_only_paired() {
        items.push(("/paired".into(), l.t("结对户", "My households")));
    } else if may(Action::BrowseRegions) {
        let label = match region.level() {
            RegionLevel::Village => l.t("我的村", "My village"),
            RegionLevel::Township => l.t("本乡镇", "My township"),
            RegionLevel::County => l.t("本县", "My county"),
            _ => l.t("辖区", "My region"),
        };
        items.push((format!("/regions/{region}"), label));
    }
    if may(Action::Search) {
        items.push(("/search".into(), l.t("农户", "Households")));
    }
    if may(Action::ViewWarnings) {
        items.push(("/warnings".into(), l.t("预警", "Warnings")));
    }
    if may(Action::ViewCases) {
        items.push(("/leads".into(), l.t("风险线索", "Leads")));
        items.push((
            "/identifications".into(),
            l.t("识别认定", "Identifications"),
        ));
        items.push(("/elimination".into(), l.t("风险消除", "Elimination")));
    }
    if may(Action::ViewAssistance) && !s.scope.reaches_only_paired() {
        items.push((
            "/assistance/flags".into(),
            l.t("帮扶预警", "Assistance flags"),
        ));
        items.push(("/visits/duties".into(), l.t("走访", "Visits")));
    }
    if may(Action::ManagePairings) {
        items.push(("/assistance/persons".into(), l.t("帮扶人", "Helpers")));
    }
    if !s.scope.reaches_only_paired() && may(Action::ViewAssistance) {
        items.push(("/tasks".into(), l.t("提示单", "Task list")));
    }
    if office && may(Action::ImportLedger) {
        items.push(("/ledger/import".into(), l.t("台账", "Ledger")));
    }
    if office && may(Action::WhatIf) {
        items.push(("/what-if".into(), l.t("模拟测算", "What-if")));
    }
    if office && may(Action::ViewStandards) {
        items.push(("/standards".into(), l.t("监测标准", "Standards")));
    }
    if may(Action::ManageUsers) {
        items.push(("/admin/users".into(), l.t("用户", "Users")));
    }
    if may(Action::ViewCases)
        && !s.scope.reaches_only_paired()
        && matches!(
            region.level(),
            RegionLevel::Village | RegionLevel::Township | RegionLevel::County
        )
    {
        items.push(("/self-reports".into(), l.t("自主申报", "Self-reports")));
    }
    // issue 16: 报表 (statistics, tables, income, ranking) and 数据质量
    if may(Action::ViewReports) && !s.scope.reaches_only_paired() {
        items.push(("/reports".into(), l.t("报表", "Reports")));
        items.push(("/quality".into(), l.t("数据质量", "Data quality")));
    }
    // issue 15: 部门数据 (department users see their own kind there)
    if may(Action::ViewDepartment) {
        items.push(("/dept".into(), l.t("部门数据", "Department data")));
    }
    let path = s.path.as_str();
    // the deepest entry that holds the path is the current one
    let current = items
        .iter()
        .enumerate()
        .filter(|(_, (href, _))| {
            href == path || (href != "/" && path.starts_with(&format!("{href}/")))
        })
        .max_by_key(|(_, (href, _))| href.len())
        .map(|(i, _)| i);
    items
        .into_iter()
        .enumerate()
        .map(|(i, (href, label))| NavLink {
            href,
            label,
            current: Some(i) == current,
        })
        .collect()
}

/// The answer to a form that saved: back to the record's page (`to`, a local path), which
/// then says at its top what was saved.
pub fn saved(to: &str, zh: impl Into<String>, en: impl Into<String>) -> Response {
    let flash = Flash {
        zh: zh.into(),
        en: en.into(),
    };
    let cookie = format!(
        "{FLASH_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120",
        flash.encode()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, to.to_string()),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response()
}

/// Page numbers of a list: which page is shown of how many, and the total.
pub struct Pager {
    /// 1-based
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// The list's query without `page`, already URL-encoded, e.g. `region=510821&level=1`.
    pub query: String,
}

impl Pager {
    /// The page asked for (clamped to the list) of `total` rows shown `per_page` at a time.
    pub fn new(asked: usize, per_page: usize, total: usize, query: String) -> Pager {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        Pager {
            page: asked.clamp(1, pages),
            pages,
            total,
            query,
        }
    }
    /// The link to page `n`.
    pub fn href(&self, n: usize) -> String {
        if self.query.is_empty() {
            format!("?page={n}")
        } else {
            format!("?{}&page={n}", self.query)
        }
    }
    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.page - 1))
    }
    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.href(self.page + 1))
    }
}

/// The media type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `bytes` as a file download named `name` (UTF-8, percent-encoded as RFC 6266 asks), with
/// `fallback` for clients that read only the plain ASCII name; never cached.
pub fn download(bytes: Vec<u8>, content_type: &str, fallback: &str, name: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_survives_its_cookie() {
        let f = Flash {
            zh: "已保存成员 张三；收入 1,234.50 元".into(),
            en: "Saved member 张三; income 1,234.50 yuan".into(),
        };
        let value = f.encode();
        assert!(value.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(Flash::decode(&value), Some(f));
        assert_eq!(Flash::decode("zz"), None);
        assert_eq!(Flash::decode("616"), None);
    }

    #[test]
    fn pages_cover_every_row_once() {
        let p = Pager::new(999, 50, 6167, "level=1".into());
        assert_eq!((p.page, p.pages), (124, 124));
        assert_eq!(p.next(), None);
        assert_eq!(p.prev().as_deref(), Some("?level=1&page=123"));
        let empty = Pager::new(0, 50, 0, String::new());
        assert_eq!((empty.page, empty.pages), (1, 1));
        assert_eq!(empty.prev(), None);
    }
}
