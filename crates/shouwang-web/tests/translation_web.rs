//! Every page in both languages, for every role: an English page shows no Chinese and a Chinese
//! page no English word, except data (names of people, places and groups, addresses, …) and a
//! few codes. Only what a reader sees is checked: the text of the page and the attributes read
//! out (placeholder, title, aria-label, alt); tags, other attributes, scripts and styles are not
//! text. An element marked as written in the other language (the link that switches to it,
//! `lang="en"` on a Chinese page) is that language on purpose.
//!
//! Also: an unknown address and a forbidden one answer with a page (not JSON, not blank) in the
//! visitor's language, with a way back, signed in or not.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use shouwang_core::synth::SynthConfig;
use shouwang_core::{Household, Member, RegionCode, Role};
use shouwang_io::ledger::synth::synth_ledger;
use shouwang_io::ledger::write_ledger_csv;
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::users::NewUser;
use shouwang_store::Store;
use shouwang_web::auth::{token_hash, LANG_COOKIE, SESSION_COOKIE};
use shouwang_web::{hash_password, router, AppState, WebConfig};
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt;

mod common;
use common::{outside, today, with_two_villages, CSRF, LONGFENG, TAOHONG};

/// Every role, each with a display name in Chinese (data) that differs from its username (a
/// code that pages should not show in place of the name).
const USERS: [(&str, Role, &str, &str); 7] = [
    ("admin", Role::Admin, "510821", "系统管理员"),
    ("county", Role::County, "510821", "县乡村振兴局李科长"),
    ("sanjiang", Role::Township, "510821108", "三江镇王主任"),
    ("taohong", Role::Village, TAOHONG, "桃红村赵文"),
    ("helper", Role::AssistancePerson, TAOHONG, "帮扶责任人陈明"),
    ("dept", Role::Department, "510821", "县教育局刘干事"),
    ("inspector", Role::Inspector, "510821", "督导组周涛"),
];

/// Words of Latin letters a Chinese page may show: file types and codes every user knows.
const ALLOWED_LATIN: &[&str] = &[
    "csv", "xlsx", "xls", "id", "pdf", "api", "url", "excel", "utf", "kb", "mb", "gb",
];

struct World {
    _db: TestDb,
    app: Router,
    /// a household of 桃红村 paired with the assistance person, and its members
    own: (Household, Vec<Member>),
    /// the strings that are data, longest first
    data: Vec<String>,
    /// a ledger of two households, the first member's ID number wrong
    ledger: Vec<u8>,
    /// a lead of 桃红村 from the screening, and one reported by hand
    leads: (i64, i64),
    /// the own household's procedure, ended in a monitoring case; another household's,
    /// waiting for its home visit
    procedure: i64,
    case: i64,
    waiting: i64,
}

fn worlds() -> Vec<World> {
    outside(|| {
        TestDb::all()
            .into_iter()
            .map(|db| {
                let db = with_two_villages(db);
                let households = common::county_below_the_line(&db);
                let ids = users(&db.store);
                let own = households
                    .iter()
                    .find(|(h, _)| h.village.as_str() == TAOHONG)
                    .unwrap()
                    .clone();
                db.store
                    .pair(&Actor::system("test"), ids[4], &own.0.household_no)
                    .unwrap();
                shouwang_app::screening::monthly(&db.store, today()).unwrap();
                let screened = db
                    .store
                    .leads(&shouwang_store::leads::LeadFilter::pending(
                        RegionCode::parse(TAOHONG).unwrap(),
                    ))
                    .unwrap()
                    .0;
                let screened = screened.first().expect("a lead in 桃红村");
                // a risk the household has no waiting lead of
                let taken: Vec<_> = db
                    .store
                    .leads_of_household(&screened.household_no)
                    .unwrap()
                    .iter()
                    .map(|l| l.risk)
                    .collect();
                let risk = *shouwang_core::monitoring::RiskType::ALL
                    .iter()
                    .find(|r| !taken.contains(r))
                    .unwrap();
                let by_hand = db
                    .store
                    .raise_lead(
                        &Actor::system("test"),
                        &shouwang_store::leads::NewLead {
                            household_no: screened.household_no.clone(),
                            risk,
                            level: shouwang_core::screening::level::WarningLevel::Blue,
                            source: shouwang_core::lead::LeadSource::Hotline,
                            found_on: today(),
                            due_on: today().add_days(5),
                            note: "来电反映家中有困难".into(),
                        },
                    )
                    .unwrap();
                let leads = (screened.id, by_hand.id);
                let who = common::Identifiers {
                    village: (ids[3], "taohong"),
                    township: (ids[2], "sanjiang"),
                    county: (ids[1], "county"),
                };
                // on a risk the household has no waiting lead of (the screening may have raised one)
                let waiting_risks: Vec<_> = db
                    .store
                    .leads_of_household(&own.0.household_no)
                    .unwrap()
                    .iter()
                    .filter(|l| l.status.is_pending())
                    .map(|l| l.risk)
                    .collect();
                let free = *shouwang_core::monitoring::RiskType::ALL
                    .iter()
                    .find(|r| !waiting_risks.contains(r))
                    .unwrap();
                let procedure =
                    common::open_procedure_on(&db.store, &who, &own.0.household_no, 20, free);
                let case = common::include(&db.store, &who, procedure);
                let other = households
                    .iter()
                    .find(|(h, _)| {
                        h.village.as_str() == TAOHONG && h.household_no != own.0.household_no
                    })
                    .unwrap();
                let waiting = common::open_procedure(&db.store, &who, &other.0.household_no, 5);
                let county = RegionCode::parse("510821").unwrap();
                // the 2026 national holidays, entered for the province, and a day of the county's
                let sample = shouwang_io::calendar::SAMPLE_2026.as_bytes();
                let work = std::env::temp_dir().join(format!("sw-cal-{}", std::process::id()));
                shouwang_app::calendar::import_calendar_bytes(
                    &db.store,
                    &Actor::system("test"),
                    &RegionCode::parse("51").unwrap(),
                    2026,
                    sample,
                    &work,
                )
                .unwrap();
                let _ = std::fs::remove_dir(&work);
                db.store
                    .save_calendar_days(
                        &Actor::system("test"),
                        &county,
                        2026,
                        &[shouwang_core::calendar::CalendarDay {
                            date: shouwang_core::Date::new(2026, 10, 8).unwrap(),
                            kind: shouwang_core::calendar::DayKind::Holiday,
                            name: "县庆".into(),
                        }],
                    )
                    .unwrap();
                let places = db.store.village_places(&county).unwrap();
                let in_ledger = synth_ledger(
                    &SynthConfig {
                        households: 2,
                        seed: 11,
                        today: today(),
                        county,
                    },
                    &places,
                );
                let mut csv = Vec::new();
                write_ledger_csv(&mut csv, &in_ledger).unwrap();
                let id = &in_ledger[0].members[0].id_number;
                let ledger = String::from_utf8(csv)
                    .unwrap()
                    .replacen(id.as_str(), "51082119", 1);
                let mut all = households.clone();
                all.extend(in_ledger.into_iter().map(|h| (h.household, h.members)));
                let mut data = data_strings(&all);
                // the report names the file and the columns of the file as they are written
                let header = ledger.lines().next().unwrap_or("");
                data.extend(header.split(',').map(|c| c.trim_matches('"').to_string()));
                data.extend(["bad.csv".to_string(), "ledger.csv".to_string()]);
                // the names of the calendar's days are what was entered
                for name in [
                    "元旦调休",
                    "春节调休",
                    "劳动节调休",
                    "国庆节调休",
                    "元旦",
                    "春节",
                    "清明节",
                    "劳动节",
                    "端午节",
                    "中秋节",
                    "国庆节",
                    "县庆",
                    "四川省",
                ] {
                    data.push(name.to_string());
                }
                data.push("来电反映家中有困难".to_string());
                data.extend(common::STEP_TEXTS.iter().map(|t| t.to_string()));
                data.retain(|d| !d.is_empty());
                data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
                let app = router(AppState::new(db.store.clone(), WebConfig::default()));
                World {
                    _db: db,
                    app,
                    own,
                    data,
                    ledger: ledger.into_bytes(),
                    leads,
                    procedure,
                    case,
                    waiting,
                }
            })
            .collect()
    })
}

fn users(store: &Store) -> Vec<i64> {
    let hash = hash_password("correct horse").unwrap();
    USERS
        .iter()
        .map(|&(name, role, region, display)| {
            let id = store
                .add_user(
                    &Actor::system("test"),
                    NewUser {
                        username: name,
                        display_name: display,
                        password_hash: &hash,
                        role,
                        region: &RegionCode::parse(region).unwrap(),
                        must_change_password: false,
                    },
                )
                .unwrap();
            let user = store.user_by_name(name).unwrap().unwrap();
            store
                .login_succeeded(&user, &token_hash(&format!("token-{name}")), CSRF)
                .unwrap();
            id
        })
        .collect()
}

/// What the fixture wrote as free text: names, places, groups, addresses, and the users'
/// display names. Longest first, so that a name inside an address goes with the address.
fn data_strings(households: &[(Household, Vec<Member>)]) -> Vec<String> {
    let mut data: BTreeSet<String> = [
        "旺苍县",
        "三江镇",
        "桃红村村民委员会",
        "龙凤镇",
        "龙凤村村民委员会",
        "四川省",
        "广元市",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // places are also shown by their short names: 桃红村 or 桃红 for 桃红村村民委员会
    let short: Vec<String> = data
        .iter()
        .flat_map(|name| {
            let base = ["村民委员会", "居民委员会", "委员会"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            let bare = ["村", "镇", "乡", "县", "省", "市"]
                .iter()
                .find_map(|s| base.strip_suffix(s))
                .unwrap_or(base);
            [base.to_string(), bare.to_string()]
        })
        .collect();
    data.extend(short);
    data.extend(USERS.iter().map(|u| u.3.to_string()));
    for (h, members) in households {
        data.extend([
            h.group.clone(),
            h.address.clone(),
            h.resettlement_site.clone(),
        ]);
        for m in members {
            data.extend([
                m.name.clone(),
                m.ethnicity.clone(),
                m.disability_category.clone(),
                m.migrant_place.clone(),
                m.migrant_employer.clone(),
                m.welfare_job.clone(),
            ]);
        }
    }
    // one letter or character is no word to take out (a house grade "B" is a code)
    data.retain(|d| d.chars().count() >= 2);
    let mut data: Vec<String> = data.into_iter().collect();
    data.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    data
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: String,
}

/// What a request sends.
#[derive(Clone)]
enum Sent {
    /// a GET
    Nothing,
    /// a form, POSTed
    Form(Vec<(&'static str, &'static str)>),
    /// a file, POSTed as the body (the ledger upload)
    File(Vec<u8>),
}

/// A request as `user` (None: signed out) in `lang`.
async fn call(app: &Router, user: Option<&str>, lang: &str, uri: &str, sent: &Sent) -> Answer {
    let mut cookie = format!("{LANG_COOKIE}={lang}");
    if let Some(u) = user {
        cookie.push_str(&format!("; {SESSION_COOKIE}=token-{u}"));
    }
    let mut req = Request::builder().uri(uri).header(header::COOKIE, cookie);
    let body = match sent {
        Sent::Nothing => Body::empty(),
        Sent::Form(form) => {
            req = req
                .method(Method::POST)
                .header("x-csrf-token", CSRF)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(serde_urlencoded::to_string(form).unwrap())
        }
        Sent::File(bytes) => {
            req = req.method(Method::POST).header("x-csrf-token", CSRF);
            Body::from(bytes.clone())
        }
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

// ------------------------------------------------------------------ the text a reader sees

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Attributes a reader sees or hears.
const READ_OUT: &[&str] = &["placeholder", "title", "aria-label", "alt"];

struct Tag<'a> {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
    /// the rest of the document after the tag
    rest: &'a str,
}

/// Reads the tag at the start of `s` (which starts with `<`).
fn tag(s: &str) -> Option<Tag<'_>> {
    let inner = &s[1..];
    let closing = inner.starts_with('/');
    let inner = inner.trim_start_matches('/');
    let name_len = inner
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut attrs = Vec::new();
    let mut r = &inner[name_len..];
    loop {
        r = r.trim_start();
        if let Some(after) = r.strip_prefix('>') {
            return Some(Tag {
                name,
                closing,
                attrs,
                rest: after,
            });
        }
        if let Some(after) = r.strip_prefix('/') {
            r = after;
            continue;
        }
        if r.is_empty() {
            return None;
        }
        let n = r
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(r.len())
            .max(1);
        let key = r[..n].to_ascii_lowercase();
        r = r[n..].trim_start();
        let mut value = String::new();
        if let Some(after) = r.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let end = after[1..].find(q)? + 1;
                value = after[1..end].to_string();
                r = &after[end + 1..];
            } else {
                let end = after
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(after.len());
                value = after[..end].to_string();
                r = &after[end..];
            }
        }
        attrs.push((key, decode(&value)));
    }
}

/// The document after the element whose start tag was just read (nested elements of the same
/// name included).
fn after_element<'a>(name: &str, mut rest: &'a str) -> &'a str {
    let mut depth = 1;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        match tag(rest) {
            Some(t) if t.name == name => {
                depth += if t.closing { -1 } else { 1 };
                rest = t.rest;
                if depth == 0 {
                    return rest;
                }
            }
            Some(t) => rest = t.rest,
            None => rest = &rest[1..],
        }
    }
    ""
}

fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            e => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of a page a reader sees in `lang` ("en" or "zh"), one piece a line.
fn visible_text(html: &str, lang: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&decode(&rest[..i]));
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<!") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        let Some(t) = tag(rest) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        out.push('\n');
        rest = t.rest;
        if t.closing || VOID.contains(&t.name.as_str()) {
            if !t.closing {
                read_out(&t.attrs, &mut out);
            }
            continue;
        }
        let marked_other = t
            .attrs
            .iter()
            .any(|(k, v)| k == "lang" && !v.to_ascii_lowercase().starts_with(lang));
        if t.name == "script" || t.name == "style" || marked_other {
            rest = after_element(&t.name, rest);
            continue;
        }
        read_out(&t.attrs, &mut out);
    }
    out.push_str(&decode(rest));
    out
}

fn read_out(attrs: &[(String, String)], out: &mut String) {
    for (k, v) in attrs {
        if READ_OUT.contains(&k.as_str()) {
            out.push('\n');
            out.push_str(v);
            out.push('\n');
        }
    }
}

// ------------------------------------------------------------------ words of the other script

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FFF}' // radicals
        | '\u{3000}'..='\u{303F}' // CJK punctuation: 、。「」
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}') // full-width forms: （），：
}

/// The words of the other script in a page's visible text, after the data is taken out.
fn foreign_words(text: &str, lang: &str, data: &[String]) -> Vec<String> {
    let mut text = text.to_string();
    for d in data {
        if text.contains(d.as_str()) {
            text = text.replace(d.as_str(), " ");
        }
    }
    let mut found = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let start = i;
            if lang == "en" {
                if !is_cjk(chars[i]) {
                    i += 1;
                    continue;
                }
                while i < chars.len() && (is_cjk(chars[i]) || !chars[i].is_ascii()) {
                    i += 1;
                }
            } else {
                if !chars[i].is_ascii_alphabetic() {
                    i += 1;
                    continue;
                }
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // a code like R02 or 5108**… is not a word; nor is one letter
                let glued = chars.get(i).is_some_and(|c| c.is_ascii_digit())
                    || (start > 0 && chars[start - 1].is_ascii_digit());
                if word.len() < 2
                    || glued
                    || ALLOWED_LATIN.contains(&word.to_ascii_lowercase().as_str())
                {
                    continue;
                }
            }
            let word: String = chars[start..i].iter().collect();
            let from = start.saturating_sub(12);
            let to = (i + 12).min(chars.len());
            let context: String = chars[from..to].iter().collect();
            found.push(format!("{word:?} in “{}”", context.trim()));
        }
    }
    found
}

// ------------------------------------------------------------------ the walk

/// The pages a role is walked through (the routes that answer GET with a page), with the
/// household and member of the fixture; a role refused one sees the refusal page, which is
/// checked as well.
fn pages(w: &World) -> Vec<String> {
    let h = &w.own.0.household_no;
    let name = &w.own.1[0].name;
    let part: String = name.chars().skip(1).take(1).collect();
    let id_tail: String = {
        let id = &w.own.1[0].id_number;
        id[id.len().saturating_sub(4)..].to_string()
    };
    [
        "/".to_string(),
        "/home/cases".into(),
        "/home/cases?state=at-risk".into(),
        "/regions/510821".into(),
        "/regions/510821108".into(),
        format!("/regions/{TAOHONG}"),
        format!("/regions/{TAOHONG}?page=2"),
        format!("/regions/{LONGFENG}"),
        format!("/households/{h}"),
        format!("/households/{h}/edit"),
        format!("/households/{h}/members/new"),
        format!("/households/{h}/members/0/edit"),
        format!("/households/{h}/members/1/edit"),
        format!("/households/new?village={TAOHONG}"),
        format!("/households/{h}/income"),
        format!("/households/{h}/warnings"),
        "/warnings".into(),
        "/warnings?level=red".into(),
        "/warnings?page=2".into(),
        "/leads".into(),
        "/leads?overdue=1".into(),
        "/leads?status=4&page=2".into(),
        format!("/leads?region={TAOHONG}&source=1"),
        format!("/leads/{}", w.leads.0),
        format!("/leads/{}", w.leads.1),
        format!("/leads/new?household={h}"),
        format!("/search?q={}", enc(&part)),
        format!("/search?q={id_tail}"),
        "/search?q=".into(),
        "/search?q=%E6%97%A0%E6%AD%A4%E4%BA%BA".into(), // 无此人: nobody
        "/paired".into(),
        "/what-if".into(),
        "/standards".into(),
        "/calendar".into(),
        "/tasks".into(),
        "/calendar?region=510821&year=2026".into(),
        "/admin/users".into(),
        "/password".into(),
        "/ledger/import".into(),
        "/no-such-page".into(),
        "/households/51082199999999999".into(),
        "/identifications".into(),
        "/identifications?stage=6".into(),
        "/identifications?overdue=1".into(),
        format!("/identifications/{}", w.procedure),
        format!("/identifications/{}", w.waiting),
        format!("/cases/{}", w.case),
        format!("/cases/{}/plan", w.case),
        "/assistance/flags".into(),
        "/assistance/flags?kind=2".into(),
        "/assistance/flags?kind=3".into(),
        format!("/cases/{}/elimination", w.case),
        "/elimination".into(),
        format!("/villages/{TAOHONG}/notice"),
        format!("/villages/{TAOHONG}/notice?date={}", today().add_days(-16)),
        format!("/visits/new?household={h}"),
        "/visits/duties".into(),
        format!("/visits/duties/households?region={TAOHONG}&position=1&which=overdue"),
        "/assistance/persons".into(),
        "/assistance/persons/1".into(),
        "/dept/tokens".into(),
        // issue 16: data quality
        "/quality".into(),
        "/quality?rule=10".into(),
        // issue 16: the reports hub, the supervision tables and the ranking
        "/reports".into(),
        "/reports/tables/measures".into(),
        "/reports/tables/without-measures".into(),
        "/reports/tables/overdue".into(),
        "/reports/tables/visits".into(),
        "/reports/tables/alerts".into(),
        "/reports/tables/leads".into(),
        "/reports/tables/leads/records?from=2026-01&to=2026-12".into(),
        "/reports/tables/overdue/records?kind=lead".into(),
        "/reports/ranking".into(),
        "/reports/ranking/weights".into(),
        // issue 16: income tracking (促增收); the ledger's first entry, made by the report
        "/reports/income".into(),
        "/reports/income/households?group=all&which=fell".into(),
        "/reports/income/ledger/1".into(),
    ]
    .into()
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Forms sent wrong, so that the page comes back naming the problems (in core's words).
fn refused_forms(w: &World) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let h = &w.own.0.household_no;
    vec![
        (
            format!("/households/{h}/members/new"),
            vec![("csrf", CSRF), ("name", ""), ("id_number", "123")],
        ),
        (
            "/households/new".to_string(),
            vec![("csrf", CSRF), ("village", TAOHONG), ("group", "")],
        ),
        (
            format!("/households/{h}/income"),
            vec![("csrf", CSRF), ("year", "20x6"), ("wages", "1.2.3")],
        ),
        (
            "/calendar/add".to_string(),
            vec![
                ("csrf", CSRF),
                ("region", "510821"),
                ("year", "2026"),
                ("date", "2027-13-01"),
                ("kind", "9"),
            ],
        ),
        (
            format!("/leads/{}/dismiss", w.leads.0),
            vec![("csrf", CSRF), ("reason", "")],
        ),
        (
            format!("/leads/{}/merge", w.leads.1),
            vec![("csrf", CSRF), ("into", "x"), ("reason", "")],
        ),
        (
            "/leads/new".to_string(),
            vec![
                ("csrf", CSRF),
                ("household", Box::leak(h.clone().into_boxed_str())),
                ("risk", "7"),
                ("note", ""),
            ],
        ),
        (
            format!("/identifications/{}/steps/verify", w.waiting),
            vec![
                ("csrf", CSRF),
                ("version", "1"),
                ("on", "2026-13-40"),
                ("members", "x"),
            ],
        ),
        (
            format!("/identifications/{}/steps/verify", w.waiting),
            vec![("csrf", CSRF), ("version", "0")],
        ),
        (
            format!("/cases/{}/measures", w.case),
            vec![
                ("csrf", CSRF),
                ("version", "0"),
                ("category", "9"),
                ("content", ""),
                ("start", "2026-03-01"),
                ("end", "2026-02-01"),
                ("amount", "-5"),
            ],
        ),
        (
            "/visits".to_string(),
            vec![
                ("csrf", CSRF),
                ("household", Box::leak(h.clone().into_boxed_str())),
                ("on", "2999-01-01"),
                ("position", "3"),
                ("findings", ""),
            ],
        ),
        (
            "/assistance/persons".to_string(),
            vec![
                ("csrf", CSRF),
                ("region", "510821"),
                ("name", ""),
                ("phone", "123"),
            ],
        ),
        (
            "/dept/tokens".to_string(),
            vec![("csrf", CSRF), ("name", ""), ("kind", "x"), ("region", "9")],
        ),
        (
            "/password".to_string(),
            vec![
                ("csrf", CSRF),
                ("current", "wrong"),
                ("new", "short"),
                ("repeat", "other"),
            ],
        ),
    ]
}

/// Who asks, where, with what.
type Visit = (Option<&'static str>, String, Sent);

#[tokio::test]
async fn no_page_shows_a_word_of_the_other_language_except_data() {
    // each word once, with the pages it is on
    let mut offenders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut checked = 0;
    for w in worlds() {
        let own = w.own.0.household_no.clone();
        let shown = |path: &str| path.replace(&own, "{household}");
        for lang in ["zh", "en"] {
            let mut visits: Vec<Visit> = Vec::new();
            for (user, ..) in USERS {
                for p in pages(&w) {
                    visits.push((Some(user), p, Sent::Nothing));
                }
                for (p, form) in refused_forms(&w) {
                    visits.push((Some(user), p, Sent::Form(form)));
                }
            }
            for p in ["/login", "/no-such-page", "/households/51082110821200001"] {
                visits.push((None, p.to_string(), Sent::Nothing));
            }
            // the ledger import's report: a file it cannot read, and one with a wrong row
            for user in ["county", "sanjiang"] {
                for (name, file) in [
                    ("bad.csv", b"foo,bar\n1,2\n".to_vec()),
                    ("ledger.csv", w.ledger.clone()),
                ] {
                    visits.push((
                        Some(user),
                        format!("/ledger/import?name={name}"),
                        Sent::File(file),
                    ));
                }
            }
            for (user, path, sent) in visits {
                let a = call(&w.app, user, lang, &path, &sent).await;
                let method = if matches!(sent, Sent::Nothing) {
                    "GET"
                } else {
                    "POST"
                };
                let who = user.unwrap_or("signed out");
                if a.status.is_redirection() {
                    continue;
                }
                if !a.content_type.starts_with("text/html") {
                    offenders
                        .entry(format!(
                            "[{lang}] answered {} with {} instead of a page",
                            a.status, a.content_type
                        ))
                        .or_default()
                        .insert(format!("{method} {} as {who}", shown(&path)));
                    continue;
                }
                checked += 1;
                let text = visible_text(&a.body, lang);
                // the users page lists the accounts' usernames (codes of their own); elsewhere a
                // username stands where the user's name should
                let mut data = w.data.clone();
                if path.starts_with("/admin/users") {
                    data.extend(USERS.iter().map(|u| u.0.to_string()));
                }
                // a search page repeats what was typed, which is the user's data
                if let Some(q) = path.strip_prefix("/search?q=") {
                    data.push(percent_decoded(q));
                }
                for word in foreign_words(&text, lang, &data) {
                    offenders
                        .entry(format!("[{lang}] {word}"))
                        .or_default()
                        .insert(format!("{method} {} ({})", shown(&path), a.status.as_u16()));
                }
            }
        }
        // PostgreSQL's sync client is dropped off the async thread
        outside(move || drop(w));
    }
    assert!(checked > 300, "only {checked} pages checked");
    assert!(
        offenders.is_empty(),
        "{} words of the other language outside data:\n{}",
        offenders.len(),
        offenders
            .into_iter()
            .map(|(word, pages)| format!(
                "{word} on {}",
                pages.into_iter().collect::<Vec<_>>().join(", ")
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_checker_finds_a_word_of_the_other_script_and_leaves_data_alone() {
    let data = vec!["桃红村村民委员会".to_string(), "赵文".to_string()];
    let zh = r#"<html lang="zh-CN"><head><title>首页 · 守望</title><style>a{color:red}</style></head>
        <body><a href="/lang/en" lang="en">English</a><input placeholder="Name"><p>状态：open</p>
        <p>导出 xlsx · R02 · 5108**********0015 · 赵文</p><script src="/static/x.js"></script></body></html>"#;
    let words = foreign_words(&visible_text(zh, "zh"), "zh", &data);
    assert_eq!(words.len(), 2, "{words:?}");
    assert!(words[0].starts_with("\"Name\""), "{words:?}");
    assert!(words[1].starts_with("\"open\""), "{words:?}");

    let en = r#"<html lang="en"><body><a href="/lang/zh" lang="zh-CN">中文</a>
        <h1>桃红村村民委员会</h1><p>Head: 赵文 · status: 待核实（red）</p><p title="返回">Back &amp; forth</p></body></html>"#;
    let words = foreign_words(&visible_text(en, "en"), "en", &data);
    assert_eq!(words.len(), 3, "{words:?}");
    assert!(
        words.iter().any(|w| w.starts_with("\"待核实（\"")),
        "{words:?}"
    );
    assert!(words.iter().any(|w| w.starts_with("\"）\"")), "{words:?}");
    assert!(words.iter().any(|w| w.starts_with("\"返回\"")), "{words:?}");
}

/// An unknown address and a forbidden one: a page in the visitor's language with its menu or a
/// way to sign in, and a link back.
#[tokio::test]
async fn unknown_and_forbidden_addresses_answer_with_a_page_in_the_visitors_language() {
    for w in worlds() {
        for lang in ["zh", "en"] {
            for (user, path, status) in [
                (None, "/no-such-page", StatusCode::NOT_FOUND),
                (Some("taohong"), "/no-such-page", StatusCode::NOT_FOUND),
                (
                    Some("taohong"),
                    "/households/51082199999999999",
                    StatusCode::NOT_FOUND,
                ),
                (Some("taohong"), "/admin/users", StatusCode::FORBIDDEN),
                (Some("helper"), "/warnings", StatusCode::FORBIDDEN),
            ] {
                let a = call(&w.app, user, lang, path, &Sent::Nothing).await;
                let at = format!("[{lang}] {path} as {user:?}");
                assert_eq!(a.status, status, "{at}");
                assert!(
                    a.content_type.starts_with("text/html"),
                    "{at}: {}",
                    a.content_type
                );
                let tag = if lang == "en" { "en" } else { "zh-CN" };
                assert!(
                    a.body.contains(&format!("<html lang=\"{tag}\"")),
                    "{at}: {}",
                    a.body
                );
                let main = a
                    .body
                    .split_once("<main")
                    .map(|(_, m)| m)
                    .unwrap_or_default();
                assert!(
                    main.contains("<h1"),
                    "{at}: a heading says what happened: {}",
                    a.body
                );
                assert!(main.contains("href=\"/\""), "{at}: a way back: {}", a.body);
                let heading = visible_text(main.split("</h1>").next().unwrap_or(""), lang);
                assert!(!heading.trim().is_empty(), "{at}: an empty heading");
                assert!(
                    foreign_words(&visible_text(&a.body, lang), lang, &w.data).is_empty(),
                    "{at}: {:?}",
                    foreign_words(&visible_text(&a.body, lang), lang, &w.data)
                );
                // signed in, the menu is there to go on from
                if user.is_some() {
                    assert!(a.body.contains("class=\"menu\""), "{at}: the menu");
                }
            }
        }
        outside(move || drop(w));
    }
}

/// `%E6%96%87` → 文 (the search terms of [`pages`]).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            s.get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
        ) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
