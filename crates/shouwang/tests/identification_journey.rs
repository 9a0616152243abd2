//! The identification procedure in three real browsers, as the demo county works it: 桃红村's
//! village cadre takes a lead of the month's screening (run a week ago) through the home visit,
//! the appraisal and a five-day notice with an objection; 三江镇's officer, whose first page
//! shows the villages' overdue work, approves; the county officer returns it to the township with
//! a reason, the township approves again, and the county includes the household, all within the
//! 15 days. Then: every step is on the procedure page by name and in the audit log, the notice
//! (as shown and as printed) carries no ID number or phone, and the case page exists.
//!
//! Skipped (with a message) when Chromium or chromedriver is not installed, unless
//! SHOUWANG_REQUIRE_CHROMIUM is set, as `.ci/run` does.

mod webdriver;

use webdriver::{http, Browser};

const TAOHONG: &str = "510821108212";

/// The date `days` after 1970-01-01.
fn civil(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// The day `offset` days after the screening (which ran 8 days before today), as a form wants it.
fn day(offset: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 8 * 3600;
    let (y, m, d) = civil(secs.div_euclid(86_400) - 8 + offset);
    format!("{y:04}-{m:02}-{d:02}")
}

fn sign_in(base: &str, driver_port: u16, user: &str) -> Browser {
    let b = Browser::open(driver_port);
    b.go(&format!("{base}/demo-login/{user}?next=/"));
    b.viewport(390, 844);
    b
}

/// Fills the step form posting to `/steps/{kind}` and sends it; the page after it says what
/// was saved.
fn step(b: &Browser, kind: &str, fields: &[(&str, &str)]) -> String {
    let form = format!("form[action$='/steps/{kind}']");
    b.fill(&form, fields);
    b.submit(&format!("{form} button"));
    let refused = b.run(
        "return Array.from(document.querySelectorAll('.err, .errors, .error')).map(e => e.innerText).join(' | ')",
    );
    assert_eq!(refused, serde_json::json!(""), "step {kind} was refused");
    b.text()
}

/// Sets the select `name` of `form` to the option whose text contains `label`.
fn choose(b: &Browser, form: &str, name: &str, label: &str) {
    let script = format!(
        "const s = document.querySelector({form} + ' select[name=\"{name}\"]');
         const o = Array.from(s.options).find(o => o.text.includes({label}));
         if (!o) return 'no option';
         s.value = o.value; return 'ok';",
        form = serde_json::to_string(form).unwrap(),
        label = serde_json::to_string(label).unwrap(),
    );
    assert_eq!(b.run(&script), serde_json::json!("ok"), "{name} {label}");
}

#[test]
fn three_offices_take_a_screening_lead_to_a_monitoring_case_within_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let Some(running) = webdriver::start("2000", dir.path()) else {
        return;
    };
    let base = running.base();

    // the village cadre: her village's leads, the screening's one opened
    let village = sign_in(&base, running.driver_port, "taohong");
    village.go(&format!("{base}/leads?region={TAOHONG}"));
    let lead = village
        .run(
            "const row = Array.from(document.querySelectorAll('tr, li, article')).find(r => r.innerText.includes('系统筛查') && r.querySelector('a[href^=\"/leads/\"]'));
             return row ? row.querySelector('a[href^=\"/leads/\"]').getAttribute('href') : null;",
        )
        .as_str()
        .map(str::to_string)
        .expect("a screening lead in 桃红村");
    village.go(&format!("{base}{lead}"));
    // the answer redirects to the procedure
    village.submit("form[action$='/identify'] button");
    let procedure = village.url();
    let path = procedure
        .strip_prefix(&base)
        .filter(|p| p.starts_with("/identifications/"))
        .unwrap_or_else(|| panic!("opening went to {procedure}: {}", village.text()))
        .split('?')
        .next()
        .unwrap()
        .to_string();

    step(
        &village,
        "verify",
        &[
            ("on", &day(1)),
            ("authorised_on", &day(1)),
            ("members", "3"),
            ("income_12m", "7200"),
            ("education", "1"),
            ("medical", "1"),
            ("housing", "1"),
            ("water", "1"),
            ("vehicles", "0"),
            (
                "findings",
                "户主长期患病，今年务工中断，自付医疗费三万八千元",
            ),
        ],
    );
    let appraise = "form[action$='/steps/appraise']";
    village.fill(appraise, &[("risk_0", "1")]);
    choose(&village, appraise, "case_type", "边缘易致贫户");
    step(
        &village,
        "appraise",
        &[
            ("on", &day(1)),
            ("result", "1"),
            ("participants", "村两委成员、驻村工作队、村民代表共11人"),
            ("minutes", "经评议，同意拟纳入防止返贫致贫对象"),
        ],
    );
    step(
        &village,
        "notice",
        &[
            ("start", &day(1)),
            ("end", &day(5)),
            ("contact", "村委会办公室"),
        ],
    );
    step(
        &village,
        "objection",
        &[("on", &day(2)), ("content", "有村民反映该户在县城有门面")],
    );
    step(
        &village,
        "handle",
        &[("on", &day(3)), ("text", "经核实门面系租用，异议不成立")],
    );

    // the notice, shown and as a page, names the head and no identifier of anyone
    let notice = format!("/villages/{TAOHONG}/notice?date={}", day(3));
    village.go(&format!("{base}{notice}"));
    let shown = village.text();
    assert!(shown.contains("公示"), "{shown}");
    let (status, html) = http(
        running.server_port,
        "GET",
        &notice,
        &[("Cookie", &village.cookie_header())],
        "",
    )
    .unwrap();
    assert_eq!(status, 200);
    // an ID number is 18 digits (the last may be X), a mobile 11 digits from 1; region codes
    // (12 digits, from 5) in the page's links are neither
    let mut run = String::new();
    let mut identifiers = Vec::new();
    for c in html.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || c == 'X' {
            run.push(c);
        } else {
            if run.len() == 18 || (run.len() == 11 && run.starts_with('1')) {
                identifiers.push(run.clone());
            }
            run.clear();
        }
    }
    assert!(
        identifiers.is_empty(),
        "identifiers on the notice: {identifiers:?}"
    );
    assert!(
        !html.contains("<script"),
        "the notice prints without script"
    );
    village.go(&format!("{base}{path}"));
    step(&village, "submit", &[("on", &day(6))]);

    // the township: its first page shows the villages' overdue work; it approves
    let township = sign_in(&base, running.driver_port, "sanjiang");
    let home = township.text();
    assert!(
        home.contains("逾期"),
        "no overdue item on the township's page: {home}"
    );
    township.go(&format!("{base}{path}"));
    step(
        &township,
        "approve",
        &[("on", &day(7)), ("opinion", "程序规范，材料齐全，同意上报")],
    );

    // the county returns it to the township with a reason; the township approves again
    let county = sign_in(&base, running.driver_port, "county");
    county.go(&format!("{base}{path}"));
    county.click("details.return summary");
    choose(&county, "form[action$='/steps/return']", "to", "乡镇审核");
    step(
        &county,
        "return",
        &[
            ("on", &day(7)),
            ("reason", "审核意见未写明收入核算依据，请补充"),
        ],
    );
    township.go(&format!("{base}{path}"));
    step(
        &township,
        "approve",
        &[
            ("on", &day(8)),
            ("opinion", "已补充：近12个月人均纯收入2400元，低于监测范围"),
        ],
    );

    // the county includes the household
    county.go(&format!("{base}{path}"));
    let decide = "form[action$='/steps/decide']";
    county.fill(decide, &[("risk_0", "1")]);
    choose(&county, decide, "case_type", "边缘易致贫户");
    let after = step(
        &county,
        "decide",
        &[
            ("on", &day(8)),
            ("include", "1"),
            (
                "announcement",
                "旺苍县防止返贫致贫对象识别公告（2026年第12期）",
            ),
        ],
    );
    assert!(after.contains("已纳入监测"), "{after}");
    // every step by name of whoever took it
    for who in ["赵文", "王主任", "李科长"] {
        assert!(
            after.contains(who),
            "{who} missing from the timeline: {after}"
        );
    }
    let case = county
        .run("const a = document.querySelector('a[href^=\"/cases/\"]'); return a ? a.getAttribute('href') : null;")
        .as_str()
        .map(str::to_string)
        .expect("a link to the case");
    let (status, _) = http(
        running.server_port,
        "GET",
        &case,
        &[("Cookie", &county.cookie_header())],
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{case}");

    // every step is in the audit log
    let admin = sign_in(&base, running.driver_port, "admin");
    let (status, log) = http(
        running.server_port,
        "GET",
        "/admin/audit.csv?days=1",
        &[("Cookie", &admin.cookie_header())],
        "",
    )
    .unwrap();
    assert_eq!(status, 200);
    let id = path.rsplit('/').next().unwrap();
    let steps = log
        .lines()
        .filter(|l| l.contains(&format!(",identification.step,identification,{id},")))
        .count();
    assert_eq!(
        steps, 10,
        "visit, appraisal, notice, objection, handling, submission, approval, return, approval, decision"
    );
    assert!(log.contains("identification.open"));
}
