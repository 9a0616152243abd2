//! 一码申报 in a real browser, as the demo county works it: 桃红村's cadre opens the village's
//! poster and reads the address printed under its QR code; a phone with no session opens that
//! address (390 px), finds its village chosen, reads the question and answers it, fills the
//! form for a living member of the village and sends it; the receipt it gets shows the report's
//! status on `/report/status` with the same mobile number, and not with another; the cadre
//! finds the lead the report raised, marked 农户自主申报, with the household's words.
//!
//! The one SQL read: a member of the village whose household has no waiting lead of 因意外事故,
//! as a household knows its own ID number.
//!
//! With `SHOUWANG_SCREENSHOTS=1` it writes `docs/screenshots/self-report-390.png` and
//! `poster-1280.png`. Skipped (with a message) when Chromium or chromedriver is not installed,
//! unless SHOUWANG_REQUIRE_CHROMIUM is set, as `.ci/run` does.

mod webdriver;

use serde_json::json;
use std::path::Path;
use webdriver::Browser;

const TAOHONG: &str = "510821108212";

fn db(dir: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(dir.join("demo").join("shouwang.sqlite")).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    c
}

fn shot(b: &Browser, width: u32, name: &str) {
    if std::env::var_os("SHOUWANG_SCREENSHOTS").is_none() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), b.screenshot(width, 2400)).unwrap();
}

fn text_of(b: &Browser, css: &str) -> String {
    b.run(&format!(
        "const e = document.querySelector({}); return e ? e.innerText.trim() : '';",
        serde_json::to_string(css).unwrap()
    ))
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The answer to "3 加 4 等于几？" / "9 减 5 等于几？".
fn solve(question: &str) -> String {
    let n: Vec<i64> = question.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert_eq!(n.len(), 2, "two numbers in {question}");
    if question.contains('加') {
        (n[0] + n[1]).to_string()
    } else {
        (n[0] - n[1]).to_string()
    }
}

#[test]
fn a_household_scans_the_poster_reports_from_a_phone_and_the_village_sees_the_lead() {
    let dir = tempfile::tempdir().unwrap();
    let Some(running) = webdriver::start("2000", dir.path()) else {
        return;
    };
    let base = running.base();
    let c = db(dir.path());
    let (id_number, household): (String, String) = c
        .query_row(
            "SELECT m.id_number, m.household_no FROM members m
             WHERE m.village = ?1 AND m.deceased_on IS NULL AND length(m.id_number) = 18
               AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.county = m.county AND l.household_no = m.household_no AND l.risk = 4 AND l.status IN (0, 1))
             ORDER BY m.household_no LIMIT 1",
            [TAOHONG],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();

    // the cadre prints the poster and reads its address
    let cadre = Browser::open(running.driver_port);
    cadre.go(&format!("{base}/demo-login/taohong?next=/"));
    cadre.go(&format!("{base}/regions/{TAOHONG}"));
    assert!(
        cadre.run("return !!document.querySelector('a[href$=\"/poster\"]')") == json!(true),
        "the village page links the poster"
    );
    cadre.submit("a[href$='/poster']");
    let url = text_of(&cadre, "#poster-url");
    assert_eq!(url, format!("{base}/report?village={TAOHONG}"));
    let poster = cadre.text();
    assert!(
        poster.contains("一码申报") && poster.contains("桃红村"),
        "{poster}"
    );
    let runs = cadre.run(
        "return document.querySelector('.poster-qr svg path').getAttribute('d').split('z').length",
    );
    assert!(runs.as_i64().unwrap_or(0) > 100, "a QR code drawn: {runs}");
    shot(&cadre, 1280, "poster-1280.png");

    // a phone with no session opens it
    let phone = Browser::open(running.driver_port);
    phone.viewport(390, 844);
    phone.go(&url);
    let page = phone.text();
    assert!(
        page.contains("农户自主申报") && page.contains("桃红村"),
        "{page}"
    );
    let wide = phone.run("return document.documentElement.scrollWidth");
    assert!(
        wide.as_i64().unwrap_or(0) <= 390,
        "the form scrolls sideways: {wide}"
    );
    shot(&phone, 390, "self-report-390.png");
    let answer = solve(&text_of(&phone, ".q"));
    let form = "form[action^='/report']";
    phone.fill(
        form,
        &[
            ("head_name", "王大山"),
            ("mobile", "13800001234"),
            ("id_number", &id_number),
            ("risk", "4"),
            ("description", "上月干活摔伤了腿，做了手术，花了三万多"),
            ("answer", &answer),
        ],
    );
    phone.submit(&format!("{form} button"));
    let receipt = text_of(&phone, "#receipt");
    assert!(receipt.starts_with("SB"), "a receipt: {}", phone.text());
    assert!(phone.text().contains("核实中"), "{}", phone.text());

    // its status, with the same mobile number only
    phone.submit("a[href^='/report/status']");
    let status_form = "form[action^='/report/status']";
    phone.fill(status_form, &[("mobile", "13800009999")]);
    phone.submit(&format!("{status_form} button"));
    let wrong = phone.text();
    assert!(
        wrong.contains("未找到") && !wrong.contains("核实中"),
        "{wrong}"
    );
    phone.fill(
        status_form,
        &[("receipt", &receipt), ("mobile", "13800001234")],
    );
    phone.submit(&format!("{status_form} button"));
    assert_eq!(text_of(&phone, "#status"), "核实中");
    assert!(
        !phone.text().contains("王大山"),
        "no name on the status page"
    );

    // the village's cadre finds the lead it raised
    let lead: i64 = c
        .query_row(
            "SELECT lead_id FROM self_reports WHERE receipt = ?1",
            [&receipt],
            |r| r.get(0),
        )
        .unwrap();
    cadre.go(&format!("{base}/households/{household}"));
    cadre.go(&format!("{base}/leads/{lead}"));
    let lead_page = cadre.text();
    assert!(
        lead_page.contains("农户自主申报") && lead_page.contains("摔伤了腿"),
        "{lead_page}"
    );
}
