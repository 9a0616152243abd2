//! 风险消除 in three real browsers on a 390-px phone, as the demo county works it, from the lead
//! on: 桃红村's cadre opens the identification of a household with labour from its waiting lead,
//! takes the home check, appraisal (因务工就业不稳), notice and submission; 三江镇 approves; the
//! county includes it. The procedure is then moved eight months back (SQL, see `identified`)
//! and this year's income set far below the line. The cadre dismisses the household's other
//! waiting leads, records the 三保障 check on the income page, adds a measure against the risk
//! on the plan page and records a visit on the visit form; the assistance person 陈明 records a
//! visit to a household of his list (and has none to record at one not on it). The
//! elimination page refuses, naming the income condition with its numbers; the cadre records
//! the new income on the household's income page and the page accepts; the village opens the
//! procedure and takes the home check, appraisal, notice and submission, 三江镇's officer
//! approves, the county officer closes the case with a contact and phone; the case reads
//! 风险已消除 with its contact. A household none of whose members can work is refused and
//! marked 兜底保障.
//!
//! SQL set-up, each where no page can enter it: the identification moved back in time, this and
//! last year's incomes replaced, the second (safety-net) case and, if no household without
//! labour is left in the village, its members' labour capacity.
//!
//! Skipped (with a message) when Chromium or chromedriver is not installed, unless
//! SHOUWANG_REQUIRE_CHROMIUM is set, as `.ci/run` does.

mod webdriver;

use webdriver::Browser;

const TAOHONG: &str = "510821108212";

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

/// The day `offset` days from today (China time), as a form wants it.
fn day(offset: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 8 * 3600;
    let (y, m, d) = civil(secs.div_euclid(86_400) + offset);
    format!("{y:04}-{m:02}-{d:02}")
}

fn sign_in(base: &str, driver_port: u16, user: &str) -> Browser {
    let b = Browser::open(driver_port);
    b.go(&format!("{base}/demo-login/{user}?next=/"));
    b.viewport(390, 844);
    b
}

/// Fills and sends the form of `form` (a CSS selector); returns the page after it.
fn send(b: &Browser, form: &str, fields: &[(&str, &str)]) -> String {
    if !fields.is_empty() {
        b.fill(form, fields);
    }
    b.submit(&format!("{form} button"));
    b.text()
}

fn step(b: &Browser, kind: &str, fields: &[(&str, &str)]) -> String {
    let text = send(b, &format!("form[action$='/steps/{kind}']"), fields);
    let refused = b.run(
        "return Array.from(document.querySelectorAll('.err, .errors, .error')).map(e => e.innerText).join(' | ')",
    );
    assert_eq!(refused, serde_json::json!(""), "step {kind} was refused");
    text
}

fn no_sideways_scroll(b: &Browser, what: &str) {
    let wide = b.run("return document.documentElement.scrollWidth");
    assert!(
        wide.as_i64().unwrap_or(0) <= 390,
        "{what} scrolls sideways on a phone: {wide}"
    );
}

/// The demo's SQLite database, for the set-up the other helpers' pages will do.
fn db(dir: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(dir.join("demo").join("shouwang.sqlite")).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    c
}

/// A waiting lead of 桃红村 on a household with members who can work, no case and no procedure,
/// taken through the identification on the pages: the village opens it from the lead and takes
/// the home check, appraisal (因务工就业不稳), notice and submission, 三江镇 approves, the county
/// includes the household. Then the procedure is moved 250 days back, in SQL, because no page
/// can date an identification in the past and elimination needs a case identified at least six
/// months ago. Returns (case id, household).
fn identified(
    c: &rusqlite::Connection,
    base: &str,
    village: &Browser,
    township: &Browser,
    county: &Browser,
) -> (i64, String) {
    let (lead, no, found): (i64, String, String) = c
        .query_row(
            "SELECT l.id, l.household_no, l.found_on FROM leads l JOIN households h ON h.county = l.county AND h.household_no = l.household_no
              WHERE h.village = ?1 AND l.status = 0 AND l.found_on <= ?2
                AND NOT EXISTS (SELECT 1 FROM monitoring_cases m WHERE m.county = h.county AND m.household_no = h.household_no)
                AND NOT EXISTS (SELECT 1 FROM identifications i WHERE i.county = h.county AND i.household_no = h.household_no)
                AND (SELECT COUNT(*) FROM members x WHERE x.county = h.county AND x.household_no = h.household_no AND x.deceased_on IS NULL AND x.labour IN (0, 1, 2)) > 0
              ORDER BY l.found_on DESC, l.id LIMIT 1",
            rusqlite::params![TAOHONG, day(-6)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("a waiting lead of 桃红村 on a household with labour, found six days ago or more");
    // the steps are dated from the day the lead was found (the procedure's first day) on: a
    // step may be neither before the one before it nor after today
    let on = |days: i64| -> String {
        c.query_row(
            "SELECT date(?1, ?2)",
            rusqlite::params![found, format!("+{days} days")],
            |r| r.get(0),
        )
        .unwrap()
    };
    village.go(&format!("{base}/leads/{lead}"));
    village.submit("form[action$='/identify'] button");
    let procedure = village.url();
    assert!(
        procedure.contains("/identifications/"),
        "opening went to {procedure}: {}",
        village.text()
    );
    step(
        village,
        "verify",
        &[
            ("on", &on(0)),
            ("authorised_on", &on(0)),
            ("members", "3"),
            ("income_12m", "7200"),
            ("education", "1"),
            ("medical", "1"),
            ("housing", "1"),
            ("water", "1"),
            ("vehicles", "0"),
            ("findings", "户主今年务工中断，家庭收入骤减"),
        ],
    );
    step(
        village,
        "appraise",
        &[
            ("risk_6", "1"),
            ("case_type", "2"),
            ("on", &on(0)),
            ("result", "1"),
            ("participants", "村两委成员、村民代表共11人"),
            ("minutes", "同意拟纳入防止返贫致贫对象"),
        ],
    );
    step(
        village,
        "notice",
        &[
            ("start", &on(0)),
            ("end", &on(4)),
            ("contact", "村委会办公室"),
        ],
    );
    step(village, "submit", &[("on", &on(5))]);
    township.go(&procedure);
    step(
        township,
        "approve",
        &[("on", &on(5)), ("opinion", "程序规范，同意上报")],
    );
    county.go(&procedure);
    let after = step(
        county,
        "decide",
        &[
            ("risk_6", "1"),
            ("case_type", "2"),
            ("on", &on(5)),
            ("include", "1"),
            ("announcement", "旺苍县防止返贫致贫对象识别公告"),
        ],
    );
    assert!(after.contains("已纳入监测"), "{after}");
    let id: i64 = procedure
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let case_id: i64 = c
        .query_row(
            "SELECT id FROM monitoring_cases WHERE county = '510821' AND household_no = ?1",
            rusqlite::params![no],
            |r| r.get(0),
        )
        .expect("the case the decision made");
    // 250 days back: the procedure's steps and the case's month of identification
    c.execute(
        "UPDATE identification_steps SET on_date = date(on_date, '-250 days') WHERE identification_id = ?1 AND length(on_date) = 10",
        rusqlite::params![id],
    )
    .unwrap();
    c.execute(
        "UPDATE monitoring_cases SET identified = substr(date(?2, '-250 days'), 1, length(identified)) WHERE id = ?1",
        rusqlite::params![case_id, on(5)],
    )
    .unwrap();
    (case_id, no)
}

/// A case of 桃红村 at risk, identified eight months ago for unstable employment, on a household
/// none of whose members can work, with no case or procedure: returns (case id, household).
/// SQL set-up, because no page can enter it: a case comes only from an identification's
/// decision (the first household's journey walks one), and this second one only needs to be
/// open, old enough and without labour; it is written as the ledger import writes one.
fn case_without_labour(c: &rusqlite::Connection) -> (i64, String) {
    let free = |labour: &str| -> Option<String> {
        c.query_row(
            &format!(
                "SELECT h.household_no FROM households h WHERE h.village = ?1
                   AND NOT EXISTS (SELECT 1 FROM monitoring_cases m WHERE m.county = h.county AND m.household_no = h.household_no)
                   AND NOT EXISTS (SELECT 1 FROM identifications i WHERE i.county = h.county AND i.household_no = h.household_no)
                   AND (SELECT COUNT(*) FROM members x WHERE x.county = h.county AND x.household_no = h.household_no AND x.deceased_on IS NULL) > 0
                   AND (SELECT COUNT(*) FROM members x WHERE x.county = h.county AND x.household_no = h.household_no AND x.deceased_on IS NULL AND x.labour IN (0, 1, 2)) {labour}
                 ORDER BY h.household_no LIMIT 1"
            ),
            rusqlite::params![TAOHONG],
            |r| r.get(0),
        )
        .ok()
    };
    let no = free("= 0").unwrap_or_else(|| {
        // none left without a case: a household whose members are recorded as without
        // labour (SQL: the members' labour capacity comes from the ledger import)
        let no = free("> 0").expect("a household of 桃红村");
        c.execute(
            "UPDATE members SET labour = 4 WHERE county = '510821' AND household_no = ?1",
            rusqlite::params![no],
        )
        .unwrap();
        no
    });
    c.execute(
        "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, warning_level, created_at, updated_at)
         VALUES ('510821', ?1, 2, '6', ?2, 1, '1', 0, 0)",
        rusqlite::params![no, &day(-245)[..7]],
    )
    .unwrap();
    (c.last_insert_rowid(), no)
}

/// The waiting leads of `no` dismissed on their pages (a new risk would hold the case open).
fn dismiss_leads(b: &Browser, base: &str, c: &rusqlite::Connection, no: &str) {
    let mut q = c
        .prepare("SELECT id FROM leads WHERE county = '510821' AND household_no = ?1 AND status IN (0, 1) ORDER BY id")
        .unwrap();
    let ids: Vec<i64> = q
        .query_map(rusqlite::params![no], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in ids {
        b.go(&format!("{base}/leads/{id}"));
        let form = format!("form[action='/leads/{id}/dismiss']");
        b.run(&format!(
            "document.querySelector({}).closest('details').open = true; return null;",
            serde_json::to_string(&form).unwrap()
        ));
        let after = send(b, &form, &[("reason", "已核实无风险")]);
        assert!(after.contains("已排除"), "lead {id} dismissed: {after}");
    }
}

/// The 三保障 and water check of `no`, all clear, on the household's income page.
fn guarantees_clear(b: &Browser, base: &str, no: &str) {
    b.go(&format!("{base}/households/{no}/income"));
    let after = send(
        b,
        &format!("form[action='/households/{no}/guarantees']"),
        &[
            ("as_of", &day(-30)),
            ("source", "入户核查"),
            ("unsafe_housing", "0"),
            ("dropout", "0"),
            ("uninsured", "0"),
            ("unsafe_water", "0"),
            ("food_clothing", "0"),
        ],
    );
    assert!(
        after.contains(&format!("已保存 {} 的三保障和饮水安全核查", day(-30))),
        "the check is saved: {after}"
    );
}

/// A measure of `category` in place against the case's risk (6, unstable employment), added on
/// the case's plan page; the plan's table shows it.
/// The village's task list of this month after 重新生成, as HTML.
fn task_list(b: &Browser, base: &str) -> String {
    b.go(&format!("{base}/tasks"));
    no_sideways_scroll(b, "the task list");
    b.submit("form.regen button");
    assert!(
        b.text().contains("已重新生成"),
        "the list generated again: {}",
        b.text()
    );
    b.run("return document.body.innerHTML")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn add_measure(b: &Browser, base: &str, case_id: i64, category: &str, content: &str) {
    b.go(&format!("{base}/cases/{case_id}/plan"));
    no_sideways_scroll(b, "the plan page");
    let after = send(
        b,
        "#measure-new",
        &[
            ("category", category),
            ("content", content),
            ("risk", "6"),
            ("start", &day(-150)),
            ("end", &day(215)),
            ("amount", "1200"),
            ("unit", "县人社局"),
            ("responsible", "陈明"),
            ("state", "2"),
        ],
    );
    assert!(after.contains("已添加措施"), "{after}");
    assert!(
        b.url().ends_with(&format!("/cases/{case_id}/plan")),
        "{}",
        b.url()
    );
    let table =
        b.run("const t = document.querySelector('table.measures'); return t ? t.innerText : '';");
    let table = table.as_str().unwrap_or_default();
    assert!(table.contains(content), "the measure in the plan: {table}");
    assert!(table.contains(&day(-150)), "{table}");
    assert!(table.contains("陈明"), "{table}");
}

/// This year's whole-year income of `no`, far below the line, and no income of this year or the
/// last besides it. SQL set-up, because no page deletes incomes: the demo's generated incomes of
/// these years would otherwise decide whether the income condition fails.
fn low_income(c: &rusqlite::Connection, no: &str) {
    let year: i64 = day(0)[..4].parse().unwrap();
    c.execute(
        "DELETE FROM incomes WHERE county = '510821' AND household_no = ?1 AND year >= ?2",
        rusqlite::params![no, year - 1],
    )
    .unwrap();
    c.execute(
        "INSERT INTO incomes (county, household_no, year, quarter, wages, business, property, transfers, production_costs, insurance_payouts, out_of_pocket_medical, updated_at)
         VALUES ('510821', ?1, ?2, 0, 300000, 0, 0, 0, 0, 0, 0, 0)",
        rusqlite::params![no, year],
    )
    .unwrap();
}

#[test]
fn a_case_is_refused_then_closed_through_three_offices_and_a_household_without_labour_is_a_safety_net(
) {
    let dir = tempfile::tempdir().unwrap();
    let Some(running) = webdriver::start("2000", dir.path()) else {
        return;
    };
    let base = running.base();
    let c = db(dir.path());
    let village = sign_in(&base, running.driver_port, "taohong");
    let township = sign_in(&base, running.driver_port, "sanjiang");
    let county = sign_in(&base, running.driver_port, "county");
    let (case_id, no) = identified(&c, &base, &village, &township, &county);
    low_income(&c, &no);

    // the village cadre: its waiting leads dismissed, the 三保障 check, a measure in the plan, a visit
    dismiss_leads(&village, &base, &c, &no);
    guarantees_clear(&village, &base, &no);
    // the village's task list of the month, generated anew, names what is due for the case: its
    // measures (overdue since the identification was moved back) and its elimination check
    let tasks = task_list(&village, &base);
    let plan = format!("href=\"/cases/{case_id}/plan\"");
    assert!(
        tasks.contains(&plan),
        "measures due on the task list: {tasks}"
    );
    assert!(
        tasks.contains(&format!("href=\"/cases/{case_id}/elimination\"")),
        "the elimination check on the task list: {tasks}"
    );
    add_measure(&village, &base, case_id, "2", "转移就业，月收入四千元");
    let tasks = task_list(&village, &base);
    assert!(
        !tasks.contains(&plan),
        "a development measure in place: nothing due on the plan any more: {tasks}"
    );
    village.go(&format!("{base}/visits/new?household={no}"));
    no_sideways_scroll(&village, "the visit form");
    let findings = "户主已在县城工业园稳定务工，家中生活正常";
    let after = send(
        &village,
        "#visit-new",
        &[
            ("on", &day(-3)),
            ("position", "5"),
            ("findings", findings),
            ("follow_up", "下月继续跟踪务工收入"),
        ],
    );
    assert!(
        village.url().ends_with(&format!("/households/{no}")),
        "{}",
        village.url()
    );
    assert!(after.contains("已记录"), "the visit is confirmed: {after}");
    let visits = village
        .run("const t = document.querySelector('table.visits'); return t ? t.innerText : '';");
    let visits = visits.as_str().unwrap_or_default();
    assert!(
        visits.contains(&day(-3)),
        "the visit on the household page: {visits}"
    );
    assert!(visits.contains(findings), "{visits}");
    assert!(visits.contains("村干部"), "{visits}");

    // the assistance person 陈明 visits one of his paired households from his list; the
    // journey's household, not paired with him, has no visit form for him
    let helper = sign_in(&base, running.driver_port, "helper");
    helper.go(&format!("{base}/paired"));
    let form = helper
        .run("const a = document.querySelector('ul.paired a[href^=\"/visits/new\"]'); return a ? a.getAttribute('href') : null;")
        .as_str()
        .map(str::to_string)
        .expect("a visit link on the assistance person's list");
    let paired = form.rsplit('=').next().unwrap().to_string();
    helper.go(&format!("{base}{form}"));
    no_sideways_scroll(&helper, "the assistance person's visit form");
    let helped = "家中两人务工，孩子按时上学，无新增风险";
    let after = send(
        &helper,
        "#visit-new",
        &[
            ("on", &day(-1)),
            ("position", "3"),
            ("findings", helped),
            ("follow_up", "帮助联系技能培训"),
        ],
    );
    assert!(after.contains("已记录"), "the visit is confirmed: {after}");
    assert!(
        helper.url().ends_with(&format!("/households/{paired}")),
        "{}",
        helper.url()
    );
    let visits = helper
        .run("const t = document.querySelector('table.visits'); return t ? t.innerText : '';");
    let visits = visits.as_str().unwrap_or_default();
    assert!(visits.contains(helped), "{visits}");
    assert!(visits.contains("帮扶责任人"), "{visits}");
    // a household of the village not on his list: no visit as 帮扶责任人 (404, or a form
    // without a position to visit as)
    let other: String = c
        .query_row(
            "SELECT h.household_no FROM households h WHERE h.village = ?1
               AND NOT EXISTS (SELECT 1 FROM assistance_pairings p JOIN assistance_persons x ON x.id = p.person_id
                               WHERE x.username = 'helper' AND p.household_no = h.household_no)
             ORDER BY h.household_no LIMIT 1",
            rusqlite::params![TAOHONG],
            |r| r.get(0),
        )
        .expect("a household of 桃红村 not paired with the assistance person");
    let (status, body) = webdriver::http(
        running.server_port,
        "GET",
        &format!("/visits/new?household={other}"),
        &[("Cookie", &helper.cookie_header())],
        "",
    )
    .unwrap();
    assert!(
        status == 404 || body.contains("不能记录走访"),
        "{other}, not paired with the assistance person: {status} {body}"
    );

    // refused, the income condition with its numbers
    let page = format!("{base}/cases/{case_id}/elimination");
    village.go(&page);
    let text = village.text();
    assert!(text.contains("✗"), "{text}");
    assert!(text.contains("收入高于监测线"), "{text}");
    assert!(
        text.contains("不高于"),
        "the income is below the line, with its numbers: {text}"
    );
    assert!(text.contains("元"), "{text}");
    assert!(text.contains("尚有条件未满足"), "{text}");
    assert!(!text.contains("发起风险消除"), "no form while refused");
    no_sideways_scroll(&village, "the refused elimination page");

    // the new income, on the household's income page
    village.go(&format!("{base}/households/{no}/income"));
    let year = &day(0)[..4];
    send(
        &village,
        &format!("form[action='/households/{no}/income']"),
        &[("year", year), ("quarter", "0"), ("wages", "150000")],
    );
    village.go(&page);
    let text = village.text();
    assert!(text.contains("全部条件已满足"), "{text}");
    no_sideways_scroll(&village, "the elimination page");
    let after = send(
        &village,
        "form[action$='/elimination']",
        &[("on", &day(-20)), ("kind", "0")],
    );
    assert!(after.contains("风险消除程序"), "{after}");
    let procedure = village.url();
    assert!(procedure.contains("/identifications/"), "{procedure}");
    step(
        &village,
        "verify",
        &[
            ("on", &day(-19)),
            ("members", "3"),
            ("income_12m", "150000"),
            ("education", "1"),
            ("medical", "1"),
            ("housing", "1"),
            ("water", "1"),
            ("findings", "务工收入稳定，两不愁三保障和饮水安全均有保障"),
        ],
    );
    step(
        &village,
        "appraise",
        &[
            ("on", &day(-18)),
            ("result", "1"),
            ("elimination_kind", "0"),
            ("participants", "村两委、村民代表共9人"),
            ("minutes", "一致同意消除风险"),
        ],
    );
    step(
        &village,
        "notice",
        &[
            ("start", &day(-18)),
            ("end", &day(-14)),
            ("contact", "村委会办公室"),
        ],
    );
    step(&village, "submit", &[("on", &day(-13))]);

    township.go(&procedure);
    assert!(township.text().contains("风险消除程序"));
    step(
        &township,
        "approve",
        &[("on", &day(-12)), ("opinion", "收入稳定，同意消除")],
    );

    county.go(&procedure);
    let text = county.text();
    assert!(
        text.contains("监测联系人") && text.contains("联系电话"),
        "{text}"
    );
    no_sideways_scroll(&county, "the decision form");
    step(
        &county,
        "decide",
        &[
            ("on", &day(0)),
            ("include", "1"),
            ("elimination_kind", "0"),
            ("contact_name", "王小红"),
            ("contact_phone", "13800001111"),
            ("announcement", "旺乡振〔2026〕40号"),
        ],
    );
    county.go(&page);
    let text = county.text();
    assert!(text.contains("风险已消除"), "{text}");
    assert!(text.contains("王小红 13800001111"), "{text}");
    assert!(text.contains("帮扶消除"), "{text}");
    assert!(text.contains("风险再标注"), "{text}");
    county.go(&format!("{base}/cases/{case_id}"));
    assert!(county.text().contains("风险已消除"));

    // a household none of whose members can work: refused, marked 兜底保障
    let (net_id, net_no) = case_without_labour(&c);
    dismiss_leads(&village, &base, &c, &net_no);
    guarantees_clear(&village, &base, &net_no);
    add_measure(&village, &base, net_id, "10", "落实农村低保，按月发放");
    let page = format!("{base}/cases/{net_id}/elimination");
    village.go(&page);
    let text = village.text();
    assert!(text.contains("整户无劳动能力"), "{text}");
    assert!(!text.contains("发起风险消除"), "{text}");
    let marked = send(&village, "form[action$='/safety-net']", &[]);
    assert!(marked.contains("已标注为兜底保障户"), "{marked}");
    assert!(
        marked.contains("已标注整户无劳动能力兜底保障户"),
        "{marked}"
    );
    no_sideways_scroll(&village, "the safety-net page");
}
