//! The home page's use case on every configured backend: a county's big counts are counted once
//! and kept (a new household shows once they are forgotten), a village is always counted live,
//! and the figures, trends and to-do a role asks for are the ones it gets.

use shouwang_app::dashboard::{home, HeadCounts, HomeAsk};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;

const TAOHONG: &str = "510821108212";

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn load(db: &TestDb, households: usize, seed: u64) {
    let villages = [SynthVillage {
        code: region(TAOHONG),
        resettlement_site: None,
    }];
    let mut data = generate(
        &SynthConfig {
            households,
            seed,
            today: Date::parse("2026-11-01").unwrap(),
            county: region("510821"),
        },
        &villages,
    );
    for (h, _) in &mut data {
        h.household_no = format!("{}{seed}", h.household_no);
    }
    db.store
        .bulk_load(&Actor::system("test"), &data, "test.load")
        .unwrap();
}

fn ask(code: &str) -> HomeAsk {
    let today = Date::parse("2026-11-20").unwrap();
    HomeAsk {
        region: region(code),
        user_id: 0,
        today,
        soon: today.add_days(2),
        paired_only: false,
        figures: true,
        warnings: true,
        work: true,
        task_list: false,
        village_lists: false,
        self_reports: true,
        dept_alerts: false,
        months: 12,
    }
}

#[test]
fn a_countys_big_counts_are_kept_and_a_villages_are_counted_live() {
    for db in TestDb::all() {
        let db = db.with_regions(&[("510821108", "三江镇"), (TAOHONG, "桃红村")]);
        load(&db, 5, 1);
        let counts = HeadCounts::default();
        let first = home(&db.store, &counts, &ask("510821")).unwrap();
        let f = first.figures.clone().unwrap();
        assert_eq!(f.households, 5, "{}", db.name);
        assert!(f.persons >= 5);
        assert_eq!(first.trends.as_ref().unwrap().months.len(), 12);
        assert_eq!(first.self_reports, Some(0));
        assert!(first.paired.is_empty() && first.task_list.is_none());

        load(&db, 2, 2);
        // the county's counts are kept a few minutes; the village's are live
        let county = home(&db.store, &counts, &ask("510821")).unwrap();
        assert_eq!(county.figures.unwrap().households, 5);
        let village = home(&db.store, &counts, &ask(TAOHONG)).unwrap();
        assert_eq!(village.figures.unwrap().households, 7);
        counts.clear();
        let county = home(&db.store, &counts, &ask("510821")).unwrap();
        assert_eq!(county.figures.unwrap().households, 7);
    }
}
