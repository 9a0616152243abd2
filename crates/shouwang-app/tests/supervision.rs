//! The supervision ranking through its use cases, on every configured backend: a village's
//! measure coverage matches a count made from the generated county; an ended month's ranking is
//! frozen when first read and reads the same after the data and the weights change, while the
//! same month computed afresh (and the current month) moves; the tables export with their
//! title, region and dates above them.

use shouwang_app::supervision::{self as sup, TableQuery};
use shouwang_core::assistance::MeasureState;
use shouwang_core::date::YearMonth;
use shouwang_core::monitoring::CaseStatus;
use shouwang_core::supervision::tables::TableKind;
use shouwang_core::supervision::Weights;
use shouwang_core::synth::{assistance, generate, records, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_io::table::TableFormat;
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use std::collections::BTreeMap;

const TAOHONG: &str = "510821108212";
const XINHE: &str = "510821108213";
const LONGFENG: &str = "510821115200";
const REGIONS: &[(&str, &str)] = &[
    ("510821108", "三江镇"),
    (TAOHONG, "桃红村村民委员会"),
    (XINHE, "新河村村民委员会"),
    ("510821115", "龙凤镇"),
    (LONGFENG, "龙凤社区"),
];

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}
fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// Loads the generated county; returns per village (cases at risk, with a measure in place),
/// counted from the generated records.
fn county(db: &TestDb, today: Date) -> BTreeMap<String, (u64, u64)> {
    let villages = [TAOHONG, XINHE, LONGFENG].map(|c| SynthVillage {
        code: region(c),
        resettlement_site: None,
    });
    let data = generate(
        &SynthConfig {
            households: 450,
            seed: 27,
            today,
            county: region("510821"),
        },
        &villages,
    );
    let actor = Actor::system("test");
    db.store.bulk_load(&actor, &data, "test.load").unwrap();
    let recs = records(&data, 27, today, Fen::from_yuan(7000));
    let cases: Vec<_> = recs.cases.iter().map(|(_, c)| c.clone()).collect();
    db.store
        .bulk_cases(&actor, &region("510821"), &cases, today, "test.cases")
        .unwrap();
    let a = assistance(&data, &recs, 27, today, "旺苍县");
    db.store
        .bulk_assistance(&actor, &region("510821"), &a, "test.assistance")
        .unwrap();
    let mut truth: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (i, c) in &recs.cases {
        if c.status != CaseStatus::AtRisk {
            continue;
        }
        let h = &data[*i].0;
        let covered = a.plans.iter().any(|p| {
            p.household_no == h.household_no
                && p.measures.iter().any(|m| m.state == MeasureState::InPlace)
        });
        let e = truth.entry(h.village.as_str().to_string()).or_default();
        e.0 += 1;
        e.1 += u64::from(covered);
    }
    truth
}

#[test]
fn measure_coverage_matches_a_count_of_the_generated_county() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let today = d("2026-11-15");
        let truth = county(&db, today);
        let facts = sup::facts(&db.store, &region("510821"), YearMonth::of(today), today).unwrap();
        let got: BTreeMap<String, (u64, u64)> = facts
            .iter()
            .filter(|f| f.cases_at_risk > 0)
            .map(|f| (f.code.clone(), (f.cases_at_risk, f.cases_covered)))
            .collect();
        assert_eq!(got, truth, "{}", db.name);
        // every village with households is ranked, with its households counted
        assert_eq!(facts.len(), 3);
        assert!(facts.iter().all(|f| f.households > 0));
    }
}

#[test]
fn an_ended_month_reads_the_same_after_later_changes_and_the_current_month_moves() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let built = d("2026-10-20");
        county(&db, built);
        let town = region("510821108");
        let october = YearMonth::parse("2026-10").unwrap();
        let reader = Actor {
            user_id: None,
            username: "sanjiang".into(),
        };
        // read first on 2 November: frozen now, by the reader
        let first = sup::ranking(&db.store, &reader, &town, october, d("2026-11-02")).unwrap();
        let (by, _) = first.frozen.clone().expect("an ended month is frozen");
        assert_eq!(by, "sanjiang");
        assert_eq!(first.ranking.as_of, d("2026-10-31"));
        assert_eq!(first.ranking.villages.len(), 2, "{}", db.name);
        assert_eq!(first.ranking.weights, Weights::default());

        // later: every measure is in place, October's leads were all missed, the weights change
        db.execute_unchecked(&format!(
            "UPDATE measures SET state = {};",
            MeasureState::InPlace.code()
        ))
        .unwrap();
        for (v, no) in [(TAOHONG, "a"), (XINHE, "b")] {
            db.execute_unchecked(&format!(
                "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at)
                 SELECT county, household_no, village, 0, 1, '{no}', 2, '2026-10-01', '2026-10-10', 0, 1 FROM households WHERE village = '{v}'"
            ))
            .unwrap();
        }
        let heavy = Weights {
            deadline: 90,
            visits: 0,
            measures: 10,
            quality: 0,
        };
        sup::set_weights(&db.store, &Actor::system("test"), &town, &heavy).unwrap();

        let later = sup::ranking(&db.store, &reader, &town, october, d("2026-12-20")).unwrap();
        assert_eq!(
            later.ranking, first.ranking,
            "{}: October reads the same",
            db.name
        );
        assert_eq!(later.frozen, first.frozen);
        // computed afresh, October would now read otherwise
        let afresh = sup::compute_ranking(&db.store, &town, october, d("2026-12-20")).unwrap();
        assert_ne!(afresh, first.ranking);
        assert_eq!(afresh.weights, heavy);
        assert!(afresh.villages.iter().all(|v| v.facts.deadline_due > 0));

        // the current month is computed on every read and never stored
        let november = YearMonth::parse("2026-11").unwrap();
        let now = sup::ranking(&db.store, &reader, &town, november, d("2026-11-20")).unwrap();
        assert!(now.frozen.is_none());
        assert!(db.store.frozen_ranking(&town, november).unwrap().is_none());
        assert_eq!(now.ranking.weights, heavy);

        // the scheduler's month-end job freezes the county and every township once
        let n = sup::freeze_last_month(&db.store, &region("510821"), d("2026-12-01")).unwrap();
        assert_eq!(n, 3, "the county and two townships for November");
        assert_eq!(
            sup::freeze_last_month(&db.store, &region("510821"), d("2026-12-02")).unwrap(),
            0
        );
    }
}

#[test]
fn weights_out_of_range_are_refused_and_nothing_is_written() {
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let town = region("510821108");
        let bad = Weights {
            deadline: 120,
            ..Weights::default()
        };
        assert!(sup::set_weights(&db.store, &Actor::system("t"), &town, &bad).is_err());
        assert_eq!(db.count_rows("ranking_weights"), 0);
        // a township without weights of its own uses its county's
        let w = Weights {
            deadline: 1,
            visits: 2,
            measures: 3,
            quality: 4,
        };
        sup::set_weights(&db.store, &Actor::system("t"), &region("510821"), &w).unwrap();
        assert_eq!(
            sup::weights_of(&db.store, &town).unwrap(),
            (w, Some(region("510821")))
        );
    }
}

#[test]
fn every_table_exports_with_its_title_region_and_dates() {
    use calamine::{Reader, Xlsx};
    for db in TestDb::all() {
        let db = db.with_regions(REGIONS);
        let today = d("2026-11-15");
        county(&db, today);
        for kind in TableKind::ALL {
            let q = TableQuery {
                region: region("510821"),
                today,
                from: None,
                to: None,
                en: false,
            };
            let grid = sup::table(&db.store, kind, &q).unwrap();
            assert!(!grid.header.is_empty(), "{kind:?}");
            let head = sup::head(
                &grid,
                "旺苍县",
                &region("510821"),
                "2026-11-15 09:30",
                false,
            );
            let bytes = sup::export(&grid, &head, TableFormat::Xlsx).unwrap();
            let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
            let sheet = book.worksheet_range("报表").unwrap();
            assert_eq!(
                sheet.get_value((0, 0)).unwrap().to_string(),
                kind.title_zh()
            );
            let line = sheet.get_value((1, 0)).unwrap().to_string();
            assert!(line.contains("旺苍县") && line.contains("09:30"), "{line}");
            let csv = sup::export(&grid, &head, TableFormat::Csv).unwrap();
            let text = String::from_utf8(csv).unwrap();
            assert!(text.contains(&grid.header[0]));
        }
        // the measures table's total row sums its categories
        let q = TableQuery {
            region: region("510821"),
            today,
            from: None,
            to: None,
            en: false,
        };
        let g = sup::table(&db.store, TableKind::Measures, &q).unwrap();
        let last = g.rows.last().unwrap();
        let col: i64 = g.rows[..g.rows.len() - 1]
            .iter()
            .map(|r| r.last().unwrap().text.parse::<i64>().unwrap())
            .sum();
        assert_eq!(last.last().unwrap().text, col.to_string());
        assert!(col > 0);
    }
}
