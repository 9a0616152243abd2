//! The supervision tables as stored, on every configured backend: measures in place and the
//! cases without one match a count made from the generated county itself; overdue work, department
//! alerts and leads are counted by village, kind, month and outcome; the ranking's weights are
//! audited and a frozen month keeps what was stored first.

use shouwang_core::assistance::{MeasureCategory, MeasureState};
use shouwang_core::date::YearMonth;
use shouwang_core::department::DeptKind;
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::{CaseStatus, CaseType};
use shouwang_core::supervision::tables::OverdueKind;
use shouwang_core::supervision::{build, VillageFacts, Weights};
use shouwang_core::synth::{assistance, generate, records, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use std::collections::{BTreeMap, BTreeSet};

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const REGIONS: &[(&str, &str)] = &[
    ("510821108", "三江镇"),
    (TAOHONG, "桃红村"),
    ("510821115", "龙凤镇"),
    (LONGFENG, "龙凤社区"),
];

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}
fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// The generated county, loaded: households, cases and assistance; returns the truth counted
/// from the generated records: measures in place per (category, type) as (households, measures),
/// and the households with a case at risk and no measure in place.
#[allow(clippy::type_complexity)]
fn county(
    db: &TestDb,
    n: usize,
) -> (
    BTreeMap<(MeasureCategory, CaseType), (BTreeSet<String>, i64)>,
    BTreeSet<String>,
    Vec<String>,
) {
    let today = d("2026-11-15");
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: n,
            seed: 16,
            today,
            county: region("510821"),
        },
        &villages,
    );
    let actor = Actor::system("test");
    db.store.bulk_load(&actor, &data, "test.load").unwrap();
    let recs = records(&data, 16, today, Fen::from_yuan(7000));
    let cases: Vec<_> = recs.cases.iter().map(|(_, c)| c.clone()).collect();
    db.store
        .bulk_cases(&actor, &region("510821"), &cases, today, "test.cases")
        .unwrap();
    let a = assistance(&data, &recs, 16, today, "旺苍县");
    db.store
        .bulk_assistance(&actor, &region("510821"), &a, "test.assistance")
        .unwrap();
    // the truth, from the generated records alone
    let case_of: BTreeMap<&str, &shouwang_core::monitoring::MonitoringCase> = recs
        .cases
        .iter()
        .map(|(i, c)| (data[*i].0.household_no.as_str(), c))
        .collect();
    let mut in_place: BTreeMap<(MeasureCategory, CaseType), (BTreeSet<String>, i64)> =
        BTreeMap::new();
    let mut covered = BTreeSet::new();
    for p in &a.plans {
        let Some(c) = case_of.get(p.household_no.as_str()) else {
            continue;
        };
        for m in &p.measures {
            if m.state == MeasureState::InPlace {
                let e = in_place.entry((m.category, c.case_type)).or_default();
                e.0.insert(p.household_no.clone());
                e.1 += 1;
                covered.insert(p.household_no.clone());
            }
        }
    }
    let uncovered = case_of
        .iter()
        .filter(|(no, c)| c.status == CaseStatus::AtRisk && !covered.contains(**no))
        .map(|(no, _)| no.to_string())
        .collect();
    let nos = data.iter().map(|(h, _)| h.household_no.clone()).collect();
    (in_place, uncovered, nos)
}

#[test]
fn measures_in_place_and_uncovered_cases_match_a_count_of_the_generated_county() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (truth, uncovered, _) = county(&db, 600);
        assert!(!truth.is_empty(), "the county has measures in place");
        let cells = db.store.measures_in_place(&region("510821")).unwrap();
        let got: BTreeMap<(MeasureCategory, CaseType), (i64, i64)> = cells
            .iter()
            .map(|c| ((c.category, c.case_type), (c.households, c.measures)))
            .collect();
        let want: BTreeMap<(MeasureCategory, CaseType), (i64, i64)> = truth
            .iter()
            .map(|(k, (h, m))| (*k, (h.len() as i64, *m)))
            .collect();
        assert_eq!(got, want, "{}", db.name);
        // each village's part is the county's restricted to it: the two villages add up to it
        let of = |code: &str| -> i64 {
            db.store
                .measures_in_place(&region(code))
                .unwrap()
                .iter()
                .map(|c| c.measures)
                .sum()
        };
        let all: i64 = want.values().map(|v| v.1).sum();
        assert_eq!(of(TAOHONG) + of(LONGFENG), all, "{}", db.name);
        // the records behind a cell are as many as its figure
        let ((k, t), (_, m)) = want.iter().next().unwrap();
        let recs = db
            .store
            .measure_records(&region("510821"), Some(*k), Some(*t), 10_000)
            .unwrap();
        assert_eq!(recs.len() as i64, *m, "{}", db.name);
        assert!(recs[0].link.as_deref().unwrap().starts_with("/cases/"));

        let (rows, total) = db
            .store
            .households_without_measures(&region("510821"), 10_000)
            .unwrap();
        let got: BTreeSet<String> = rows.iter().map(|u| u.household_no.clone()).collect();
        assert_eq!(got, uncovered, "{}", db.name);
        assert_eq!(total as usize, uncovered.len());
    }
}

fn exec(db: &TestDb, sql: &str) {
    db.execute_unchecked(sql).unwrap();
}

#[test]
fn overdue_work_alerts_and_leads_are_counted_by_village_kind_month_and_outcome() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let (_, _, nos) = county(&db, 60);
        let t = nos.iter().find(|n| n.starts_with(TAOHONG)).unwrap().clone();
        let l = nos
            .iter()
            .find(|n| n.starts_with(LONGFENG))
            .unwrap()
            .clone();
        // leads: two open past due in 桃红村 (one of them found in October), one open not yet due,
        // one included; one dismissed in 龙凤社区
        exec(
            &db,
            &format!(
                "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at) VALUES
                 ('510821', '{t}', '{TAOHONG}', 0, 1, '', 1, '2026-10-20', '2026-11-01', 0, 1),
                 ('510821', '{t}', '{TAOHONG}', 1, 1, '', 2, '2026-11-02', '2026-11-10', 0, 1),
                 ('510821', '{t}', '{TAOHONG}', 2, 1, '', 2, '2026-11-12', '2026-11-30', 0, 1),
                 ('510821', '{t}', '{TAOHONG}', 3, 1, '', 1, '2026-11-01', '2026-11-08', 2, 1),
                 ('510821', '{l}', '{LONGFENG}', 0, 1, '', 4, '2026-11-03', '2026-11-09', 4, 1)"
            ),
        );
        // a self-report not accepted in time in 龙凤社区; one accepted
        exec(
            &db,
            &format!(
                "INSERT INTO self_reports (receipt, county, village, head_name, mobile, id_number, risk, description, household_no, status, due_on, address, created_at) VALUES
                 ('R1', '510821', '{LONGFENG}', '王大山', '13800000000', '', 0, '生病', '{l}', 0, '2026-11-05', 'x', 1),
                 ('R2', '510821', '{LONGFENG}', '王大山', '13800000000', '', 0, '生病', '{l}', 1, '2026-11-05', 'x', 1)"
            ),
        );
        // an identification whose stage clock passed, one concluded
        exec(
            &db,
            &format!(
                "INSERT INTO identifications (county, household_no, village, stage, found_on, due_on, stage_due, body, created_by, created_at, updated_at) VALUES
                 ('510821', '{t}', '{TAOHONG}', 2, '2026-10-01', '2026-11-01', '2026-10-20', '{{}}', 'x', 1, 1),
                 ('510821', '{t}', '{TAOHONG}', 6, '2026-10-01', '2026-11-01', '2026-10-20', '{{}}', 'x', 1, 1)"
            ),
        );
        // department alerts: two 医保 in October (one withdrawn), one 教育 in November
        let oct = d("2026-10-15").to_days() * 86_400;
        let nov = d("2026-11-03").to_days() * 86_400;
        exec(
            &db,
            &format!(
                "INSERT INTO dept_batches (county, region, kind, channel, sha256, status, created_by, created_at) VALUES ('510821', '510821', 1, 1, 'h', 1, 'x', 1);
                 INSERT INTO dept_alerts (batch_id, county, kind, rule, household_no, village, id_number, level, risk, year, evidence, status, created_at) VALUES
                 (1, '510821', 1, 'D01', '{t}', '{TAOHONG}', '', 1, 0, 2026, '{{}}', 0, {oct}),
                 (1, '510821', 1, 'D01', '{t}', '{TAOHONG}', '', 1, 0, 2026, '{{}}', 1, {oct}),
                 (1, '510821', 4, 'D05', '{l}', '{LONGFENG}', '', 1, 1, 2026, '{{}}', 0, {nov})"
            ),
        );
        let county = region("510821");
        let today = d("2026-11-15");
        let o = db.store.overdue_by_village(&county, today).unwrap();
        let tao = o.get(TAOHONG).cloned().unwrap_or_default();
        assert_eq!((tao.leads, tao.identifications), (2, 1), "{}", db.name);
        assert_eq!(o.get(LONGFENG).map(|c| c.self_reports), Some(1));
        assert_eq!(
            db.store
                .overdue_records(&region(TAOHONG), today, OverdueKind::Lead, 100)
                .unwrap()
                .len(),
            2
        );
        let days = db
            .store
            .alert_days(&county, d("2026-01-01"), d("2026-12-31"))
            .unwrap();
        let month = |k: DeptKind, m: &str| -> (i64, i64) {
            days.iter()
                .filter(|a| a.kind == k && YearMonth::of(a.day) == YearMonth::parse(m).unwrap())
                .fold((0, 0), |s, a| (s.0 + a.open, s.1 + a.withdrawn))
        };
        assert_eq!(month(DeptKind::Medical, "2026-10"), (1, 1), "{}", db.name);
        assert_eq!(month(DeptKind::Education, "2026-11"), (1, 0));
        assert_eq!(month(DeptKind::Medical, "2026-11"), (0, 0));
        assert_eq!(
            db.store
                .alert_records(
                    &county,
                    Some(DeptKind::Medical),
                    d("2026-10-01"),
                    d("2026-10-31"),
                    100
                )
                .unwrap()
                .len(),
            2
        );
        let leads = db
            .store
            .lead_outcomes(&county, d("2026-11-01"), d("2026-11-30"))
            .unwrap();
        let n = |s: LeadSource, st: LeadStatus| {
            leads
                .iter()
                .find(|c| c.source == s && c.status == st)
                .map_or(0, |c| c.count)
        };
        assert_eq!(
            n(LeadSource::CadreCheck, LeadStatus::Open),
            2,
            "{}",
            db.name
        );
        assert_eq!(n(LeadSource::Screening, LeadStatus::Included), 1);
        assert_eq!(n(LeadSource::Department, LeadStatus::Dismissed), 1);
        assert_eq!(
            n(LeadSource::Screening, LeadStatus::Open),
            0,
            "found in October"
        );
        // the month's deadlines: 桃红村 had 3 leads due from the 1st to the 15th of November (1 kept) and
        // no stage clock in November; 龙凤社区 one lead (kept) and two self-reports (one kept)
        let work = db
            .store
            .ranking_work(&county, d("2026-11-01"), today)
            .unwrap();
        let w = work.get(TAOHONG).unwrap();
        assert_eq!((w.deadline_kept, w.deadline_due), (1, 3), "{}", db.name);
        let w = work.get(LONGFENG).unwrap();
        assert_eq!((w.deadline_kept, w.deadline_due), (2, 3), "{}", db.name);
    }
}

#[test]
fn weights_are_audited_and_a_frozen_month_keeps_what_was_stored_first() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let actor = Actor::system("test");
        let town = region("510821108");
        assert_eq!(db.store.ranking_weights(&town).unwrap(), None);
        let w = Weights {
            deadline: 40,
            visits: 40,
            measures: 10,
            quality: 10,
        };
        db.store.set_ranking_weights(&actor, &town, &w).unwrap();
        db.store.set_ranking_weights(&actor, &town, &w).unwrap();
        assert_eq!(db.store.ranking_weights(&town).unwrap(), Some(w));
        assert_eq!(db.store.count_events("ranking.weights").unwrap(), 2);

        let month = YearMonth::parse("2026-10").unwrap();
        let facts = vec![VillageFacts {
            code: TAOHONG.into(),
            name: "桃红村".into(),
            deadline_due: 4,
            deadline_kept: 3,
            ..VillageFacts::default()
        }];
        let first = build(
            town.as_str(),
            "三江镇",
            month,
            d("2026-11-02"),
            w,
            facts.clone(),
            &[],
        );
        let kept = db.store.freeze_ranking(&actor, &first).unwrap();
        assert_eq!(kept.ranking, first);
        let mut later = facts;
        later[0].deadline_kept = 4;
        let second = build(
            town.as_str(),
            "三江镇",
            month,
            d("2026-11-20"),
            Weights::default(),
            later,
            &[],
        );
        let again = db.store.freeze_ranking(&actor, &second).unwrap();
        assert_eq!(again.ranking, first, "{}: the first stays", db.name);
        assert_eq!(db.store.count_events("ranking.freeze").unwrap(), 1);
        assert_eq!(
            db.store
                .frozen_ranking(&town, month)
                .unwrap()
                .unwrap()
                .ranking,
            first
        );
    }
}

/// A frozen month is stored as this JSON (`ranking_months.body`): the names of the components
/// and fields are stored forms, so an older body must keep reading after any change to them.
#[test]
fn a_frozen_ranking_body_keeps_its_stored_form() {
    let r = build(
        "510821108",
        "三江镇",
        YearMonth::parse("2026-10").unwrap(),
        d("2026-11-02"),
        Weights::default(),
        vec![VillageFacts {
            code: TAOHONG.into(),
            name: "桃红村".into(),
            deadline_due: 4,
            deadline_kept: 3,
            visits_due: 2,
            visits_done: 1,
            cases_at_risk: 2,
            cases_covered: 2,
            households: 10,
            findings: 1,
        }],
        &[],
    );
    let body = serde_json::to_string(&r).unwrap();
    assert_eq!(body, GOLDEN_BODY);
    let back: shouwang_core::supervision::Ranking = serde_json::from_str(GOLDEN_BODY).unwrap();
    assert_eq!(back, r);
}

const GOLDEN_BODY: &str = r#"{"region":"510821108","region_name":"三江镇","month":"2026-10","as_of":"2026-10-31","weights":{"deadline":30,"visits":30,"measures":20,"quality":20},"villages":[{"facts":{"code":"510821108212","name":"桃红村","deadline_due":4,"deadline_kept":3,"visits_due":2,"visits_done":1,"cases_at_risk":2,"cases_covered":2,"households":10,"findings":1},"parts":[{"component":"Deadline","numerator":3,"denominator":4,"share":750,"weight":30,"points":225,"nothing_owed":false},{"component":"Visits","numerator":1,"denominator":2,"share":500,"weight":30,"points":150,"nothing_owed":false},{"component":"Measures","numerator":2,"denominator":2,"share":1000,"weight":20,"points":200,"nothing_owed":false},{"component":"Quality","numerator":1,"denominator":10,"share":900,"weight":20,"points":180,"nothing_owed":false}],"total":755,"rank":1}],"townships":[]}"#;
