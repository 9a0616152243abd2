//! Every role's pages in a real browser, on a phone and on a desktop screen: `shouwang demo`
//! serves a small county, Debian's headless Chromium (driven by `chromedriver` over the W3C
//! WebDriver protocol) signs in as each demo user and opens the pages that user works with, at
//! 390 × 844 (both languages) and at 1280 × 900. On every page: the address answers 200 (or the
//! 403/404 page where that is the point), nothing scrolls sideways, and there is a visible h1; on
//! the phone, the menu's entries are comfortable tap targets.
//!
//! Measuring needs script in the page, which the site's content security policy forbids inline;
//! WebDriver runs it from outside the page.
//!
//! With `SHOUWANG_SCREENSHOTS=1` it also writes PNG screenshots of the main pages into
//! `docs/screenshots/` (a larger county then, so the lists look like lists).
//!
//! Skipped (with a message) when Chromium or chromedriver is not installed, unless
//! SHOUWANG_REQUIRE_CHROMIUM is set, as `.ci/run` does.

mod webdriver;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;
use webdriver::{http, Browser};

/// What the test measures on a page, in the page.
const MEASURE: &str = r#"
const d = document.documentElement, w = d.clientWidth;
const h = document.querySelector('h1');
const r = h ? h.getBoundingClientRect() : null;
const describe = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '')
    + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40) + '" right=' + Math.round(e.getBoundingClientRect().right);
// where the overflow starts: elements past the right edge whose parent is not
const wide = [];
if (d.scrollWidth > w) {
  for (const e of document.body.querySelectorAll('*')) {
    const b = e.getBoundingClientRect();
    const p = e.parentElement.getBoundingClientRect();
    if (b.width > 0 && b.right > w + 1 && p.right <= w + 1 && wide.length < 6) wide.push(describe(e));
  }
}
const small = Array.from(document.querySelectorAll('nav.menu a'))
  .filter(a => a.getBoundingClientRect().height < 44).map(describe);
return {
  scrollWidth: d.scrollWidth, clientWidth: w, innerWidth: window.innerWidth,
  h1: h ? h.textContent.trim().replace(/\s+/g, ' ') : null,
  h1Visible: !!r && r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= w + 1
    && getComputedStyle(h).visibility !== 'hidden' && h.textContent.trim().length > 0,
  wide: wide, smallTaps: small,
  menu: Array.from(document.querySelectorAll('nav.menu a')).map(a => a.getAttribute('href')),
};
"#;

/// What prints of a page: what should not (navigation, buttons, forms, page links) and whether
/// it fits the width of an A4 page.
const MEASURE_PRINT: &str = r#"
const d = document.documentElement;
const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
const describe = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '')
    + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 30) + '"';
const printed = Array.from(document.querySelectorAll('header, nav.menu, button, form:not(.print), .pager a')).filter(shown).map(describe).slice(0, 6);
const h = document.querySelector('h1');
return { printed: printed, scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, h1: !!h && shown(h) };
"#;

/// The width of an A4 page inside the print margins (210 mm less 2 × 12 mm) in CSS pixels.
const A4_WIDTH_PX: u32 = 703;

/// A page to walk and the status its address must answer with.
struct Page {
    path: String,
    status: u16,
}

fn page(path: impl Into<String>) -> Page {
    Page {
        path: path.into(),
        status: 200,
    }
}

const TAOHONG: &str = "510821108212";
const SANJIANG: &str = "510821108";
const COUNTY: &str = "510821";

/// The first link on the current page whose address matches `pattern` (a JavaScript regular
/// expression).
fn first_link(b: &Browser, pattern: &str) -> Option<String> {
    let script = format!(
        "const re = new RegExp({}); const a = Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')).find(h => re.test(h)); return a || null;",
        serde_json::to_string(pattern).unwrap()
    );
    b.run(&script).as_str().map(str::to_string)
}

struct Walk {
    base: String,
    server_port: u16,
    failures: Vec<String>,
    shots: Option<PathBuf>,
    pages_seen: usize,
}

impl Walk {
    /// Opens `page`, checks its status over plain HTTP with the browser's cookies, then measures
    /// it at each width; `shots` names the screenshots to take of it.
    fn visit(&mut self, b: &Browser, user: &str, lang: &str, p: &Page, shot: Option<&str>) {
        let cookies = b.cookie_header();
        match http(
            self.server_port,
            "GET",
            &p.path,
            &[("Cookie", &cookies)],
            "",
        ) {
            Ok((status, _)) if status == p.status => {}
            Ok((status, _)) => self.failures.push(format!(
                "{user} [{lang}] {}: answered {status}, expected {}",
                p.path, p.status
            )),
            Err(e) => self.failures.push(format!("{user} {}: {e}", p.path)),
        }
        b.go(&format!("{}{}", self.base, p.path));
        self.pages_seen += 1;
        // the desktop width in Chinese only: the phone is where words of the other language
        // make a difference
        let widths: &[(u32, u32)] = if lang == "zh" {
            &[(390, 844), (1280, 900)]
        } else {
            &[(390, 844)]
        };
        for &(w, h) in widths {
            b.viewport(w, h);
            let m = b.run(MEASURE);
            let at = format!("{user} [{lang}] {} at {w}px", p.path);
            let (sw, cw) = (m["scrollWidth"].as_u64(), m["clientWidth"].as_u64());
            if cw != Some(u64::from(w)) && m["innerWidth"].as_u64() != Some(u64::from(w)) {
                self.failures
                    .push(format!("{at}: the viewport is not {w}px wide: {m}"));
            }
            if sw > cw {
                self.failures.push(format!(
                    "{at}: scrolls sideways (content {} px wide in {} px); overflow starts at {}",
                    sw.unwrap_or(0),
                    cw.unwrap_or(0),
                    m["wide"]
                ));
            }
            if m["h1Visible"] != Value::Bool(true) {
                self.failures
                    .push(format!("{at}: no visible h1 (h1: {})", m["h1"]));
            }
            if w == 390 && m["smallTaps"].as_array().is_some_and(|a| !a.is_empty()) {
                self.failures.push(format!(
                    "{at}: menu entries under 44 px high: {}",
                    m["smallTaps"]
                ));
            }
            if let (Some(dir), Some(name)) = (&self.shots, shot) {
                if lang == "zh" {
                    let png = b.screenshot(w, if w == 390 { 2400 } else { 1800 });
                    std::fs::write(dir.join(format!("{name}-{w}.png")), png).unwrap();
                }
            }
        }
        b.viewport(390, 844);
    }
}

impl Walk {
    /// The page as printed: no navigation, buttons, forms or page links, nothing cut at the
    /// right edge of the paper, the heading there.
    fn print(&mut self, b: &Browser, user: &str, path: &str) {
        b.go(&format!("{}{path}", self.base));
        b.viewport(A4_WIDTH_PX, 1000);
        b.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}));
        let m = b.run(MEASURE_PRINT);
        b.cdp("Emulation.setEmulatedMedia", json!({"media": ""}));
        b.viewport(390, 844);
        let at = format!("{user} {path} printed");
        if m["printed"].as_array().is_none_or(|a| !a.is_empty()) {
            self.failures.push(format!("{at}: prints {}", m["printed"]));
        }
        if m["scrollWidth"].as_u64() > m["clientWidth"].as_u64() {
            self.failures.push(format!(
                "{at}: {} px wide on paper {} px wide",
                m["scrollWidth"], m["clientWidth"]
            ));
        }
        if m["h1"] != Value::Bool(true) {
            self.failures.push(format!("{at}: no heading"));
        }
    }
}

/// The pages of one user: the fixed ones given, then the menu's entries, then those found by
/// following links (a village's first household and its forms).
fn walk_role(w: &mut Walk, driver_port: u16, user: &str) {
    let b = Browser::open(driver_port);
    b.go(&format!("{}/demo-login/{user}?next=/", w.base));
    b.viewport(390, 844);
    let menu: Vec<String> = b.run(MEASURE)["menu"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if menu.len() < 2 {
        w.failures.push(format!(
            "{user}: the menu has {} entries: {menu:?}",
            menu.len()
        ));
    }

    // where this role finds a household: its village, or its paired households
    let list = if user == "helper" {
        "/paired".to_string()
    } else {
        format!("/regions/{TAOHONG}")
    };
    b.go(&format!("{}{list}", w.base));
    let Some(household) = first_link(&b, r"^/households/\d{17}$") else {
        w.failures
            .push(format!("{user}: no household linked from {list}"));
        return;
    };
    b.go(&format!("{}{household}", w.base));
    let member = first_link(&b, r"^/households/\d{17}/members/\d+/edit$");
    // a word to search for: the first character of the household's title (the head's name)
    let q = b.run(
        "const h = document.querySelector('h1'); return h ? h.textContent.trim().charAt(0) : '';",
    );
    let q: String = q
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let search = format!("/search?q={}", percent(&q));
    // a lead of the role's region (the demo's screening raises them), for those who see leads
    let lead = if user == "helper" {
        None
    } else {
        b.go(&format!("{}/leads", w.base));
        first_link(&b, r"^/leads/\d+$")
    };

    let mut pages: Vec<Page> = vec![page("/")];
    pages.extend(menu.iter().map(page));
    let household_pages = [
        page(household.clone()),
        page(format!("{household}/income")),
        page(format!("{household}/warnings")),
    ];
    let office = |extra: &[&str]| -> Vec<Page> {
        let mut v = vec![
            page(format!("/regions/{TAOHONG}")),
            page("/warnings"),
            page("/leads"),
            page("/leads?overdue=1"),
            page("/what-if"),
            page("/standards"),
            page("/calendar"),
        ];
        v.extend(extra.iter().map(|p| page(*p)));
        v
    };
    match user {
        "taohong" => {
            pages.push(page(format!("/regions/{TAOHONG}")));
            pages.extend(household_pages);
            pages.push(page(format!("{household}/edit")));
            pages.push(page(format!("{household}/members/new")));
            match &member {
                Some(m) => pages.push(page(m.clone())),
                None => w
                    .failures
                    .push(format!("{user}: {household} links no member's form")),
            }
            pages.push(page(format!("/households/new?village={TAOHONG}")));
            pages.push(page("/warnings"));
            pages.push(page("/leads"));
            pages.push(page(format!(
                "/leads/new?household={}",
                household.trim_start_matches("/households/")
            )));
            pages.push(page(format!(
                "/visits/new?household={}",
                household.trim_start_matches("/households/")
            )));
            pages.push(page("/password"));
            // the county's pages are refused with a page of their own
            pages.push(Page {
                path: "/admin/users".into(),
                status: 403,
            });
        }
        "helper" => {
            pages.push(page("/paired"));
            pages.extend(household_pages);
            pages.push(Page {
                path: "/admin/users".into(),
                status: 403,
            });
        }
        "sanjiang" => {
            pages.push(page(format!("/regions/{SANJIANG}")));
            pages.extend(office(&["/ledger/import"]));
            pages.extend(household_pages);
            pages.push(page(format!("{household}/edit")));
        }
        "county" => {
            pages.push(page(format!("/regions/{COUNTY}")));
            pages.push(page(format!("/regions/{SANJIANG}")));
            pages.extend(office(&["/ledger/import"]));
            pages.extend(household_pages);
        }
        "admin" => {
            pages.extend(office(&["/admin/users", "/ledger/import"]));
            pages.push(page(household.clone()));
        }
        "inspector" => {
            pages.push(page(format!("/regions/{COUNTY}")));
            pages.extend(office(&[]));
            pages.extend(household_pages);
        }
        other => panic!("no pages listed for {other}"),
    }
    // a small demo county may hold no lead in a village
    if let Some(l) = &lead {
        pages.push(page(l.clone()));
    }
    // identification: the procedures, the first one and the case it made (when the demo has
    // them), the village's public notice
    if matches!(
        user,
        "taohong" | "sanjiang" | "county" | "inspector" | "admin"
    ) {
        pages.push(page("/identifications"));
        pages.push(page("/identifications?overdue=1"));
        pages.push(page(format!("/villages/{TAOHONG}/notice")));
        for (list, pattern) in [
            ("/identifications", r"^/identifications/\d+$"),
            ("/identifications?stage=6", r"^/identifications/\d+$"),
        ] {
            b.go(&format!("{}{list}", w.base));
            if let Some(p) = first_link(&b, pattern) {
                b.go(&format!("{}{p}", w.base));
                if let Some(c) = first_link(&b, r"^/cases/\d+$") {
                    // the case's plan (一户一策) and its elimination check
                    pages.push(page(format!("{c}/plan")));
                    pages.push(page(format!("{c}/elimination")));
                    pages.push(page(c));
                }
                pages.push(page(p));
            }
        }
    }
    pages.push(page(search));
    pages.push(Page {
        path: "/no-such-page".into(),
        status: 404,
    });
    // each address once, in the order listed
    let mut seen = std::collections::HashSet::new();
    pages.retain(|p| seen.insert(p.path.clone()));

    // the main pages a village cadre and the county see, for the screenshots
    let shot_of = |path: &str| -> Option<&'static str> {
        match (user, path) {
            ("taohong", "/") => Some("village-home"),
            ("taohong", "/warnings") => Some("village-warnings"),
            ("taohong", p) if p == format!("/regions/{TAOHONG}") => Some("village-list"),
            ("taohong", p) if p == household => Some("household"),
            ("county", "/") => Some("county-home"),
            ("taohong", "/leads") => Some("village-leads"),
            ("taohong", p) if p == format!("/villages/{TAOHONG}/notice") => Some("notice"),
            ("sanjiang", p) if p.starts_with("/identifications/") => Some("procedure"),
            ("sanjiang", "/") => Some("township-home"),
            ("taohong", "/tasks") => Some("village-tasks"),
            ("taohong", p) if p.starts_with("/visits/new") => Some("visit-form"),
            ("sanjiang", "/visits/duties") => Some("visit-duties"),
            ("county", p) if p.ends_with("/plan") => Some("plan"),
            ("county", p) if p.ends_with("/elimination") => Some("elimination"),
            _ => None,
        }
    };
    for lang in ["zh", "en"] {
        b.set_cookie("sw_lang", lang);
        for p in &pages {
            w.visit(&b, user, lang, p, shot_of(&p.path));
        }
    }
    // what is printed: a village's list, a household's card, the warnings
    if matches!(user, "taohong" | "county") {
        b.set_cookie("sw_lang", "zh");
        for path in [
            format!("/regions/{TAOHONG}"),
            household.clone(),
            "/warnings".into(),
            format!("/villages/{TAOHONG}/notice"),
        ] {
            w.print(&b, user, &path);
        }
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn every_role_walks_its_pages_on_a_phone_and_a_desktop_without_sideways_scrolling() {
    let shots = std::env::var_os("SHOUWANG_SCREENSHOTS")
        .is_some_and(|v| v == "1")
        .then(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots"));
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    // screenshots want villages with a list of households in them
    let households = if shots.is_some() { "6000" } else { "300" };
    let started = Instant::now();
    let Some(running) = webdriver::start(households, dir.path()) else {
        return;
    };
    let (server_port, driver_port) = (running.server_port, running.driver_port);
    let mut w = Walk {
        base: format!("http://127.0.0.1:{server_port}"),
        server_port,
        failures: Vec::new(),
        shots,
        pages_seen: 0,
    };
    for user in [
        "taohong",
        "helper",
        "sanjiang",
        "county",
        "admin",
        "inspector",
    ] {
        walk_role(&mut w, driver_port, user);
    }
    eprintln!(
        "walked {} pages in {:.0} s",
        w.pages_seen,
        started.elapsed().as_secs_f64()
    );
    assert!(w.pages_seen > 60, "only {} pages walked", w.pages_seen);
    assert!(
        w.failures.is_empty(),
        "{} problems:\n{}",
        w.failures.len(),
        w.failures.join("\n")
    );
}
