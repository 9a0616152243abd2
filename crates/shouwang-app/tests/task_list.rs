//! The monthly task lists as the scheduler makes them, on every configured backend: every
//! village of every county gets its list of the month (an empty one where nothing is due), one
//! audit event per county; a village's list generated again replaces its row; a list not yet
//! generated is shown as computed now, without writing.

use shouwang_core::date::YearMonth;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::task_list::TaskKind;
use shouwang_core::{Date, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

#[test]
fn the_monthly_job_generates_every_villages_list_once_per_county() {
    for db in TestDb::all() {
        let db = db.with_regions(&[
            ("510821108", "三江镇"),
            (TAOHONG, "桃红村"),
            ("510821115", "龙凤镇"),
            (LONGFENG, "龙凤社区"),
        ]);
        let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
            code: region(c),
            resettlement_site: None,
        });
        let today = Date::parse("2026-12-01").unwrap();
        let data = generate(
            &SynthConfig {
                households: 10,
                seed: 3,
                today,
                county: region("510821"),
            },
            &villages,
        );
        db.store
            .bulk_load(&Actor::system("test"), &data, "test.load")
            .unwrap();
        let no = data
            .iter()
            .find(|(h, _)| h.village.as_str() == TAOHONG)
            .map(|(h, _)| h.household_no.clone())
            .unwrap();
        db.execute_unchecked(&format!(
            "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
             VALUES ('510821', '{no}', 2, '0', '2026-11', 1, 0, 0);"
        ))
        .unwrap();
        let month = YearMonth::new(2026, 12).unwrap();

        // not generated yet: computed, nothing written
        let (now, generated) =
            shouwang_app::task_list::current(&db.store, &region(TAOHONG), month).unwrap();
        assert!(generated.is_none());
        assert!(now
            .items
            .iter()
            .any(|i| i.kind == TaskKind::MeasuresDue && i.household_no == no));
        assert!(db
            .store
            .task_list(&region(TAOHONG), month)
            .unwrap()
            .is_none());

        let villages = shouwang_app::task_list::monthly(&db.store, today).unwrap();
        assert_eq!(villages, 2, "{}", db.name);
        assert_eq!(db.store.count_events("task_list.generate").unwrap(), 1);
        let saved = db
            .store
            .task_list(&region(TAOHONG), month)
            .unwrap()
            .unwrap();
        assert_eq!(saved.list, now);
        assert_eq!(saved.generated_by, "system:schedule");
        // a village with no case still has its (maybe short) list saved
        assert!(db
            .store
            .task_list(&region(LONGFENG), month)
            .unwrap()
            .is_some());

        // one village again: its row replaced, one more event
        let again = shouwang_app::task_list::generate_village(
            &db.store,
            &Actor::system("taohong"),
            &region(TAOHONG),
            month,
        )
        .unwrap();
        assert_eq!(again, now);
        assert_eq!(db.store.count_events("task_list.generate").unwrap(), 2);
        let counts = db.store.task_list_counts(&region("510821"), month).unwrap();
        assert_eq!(counts.len(), 2);
        assert!(counts.iter().all(|c| c.items.is_some()));
    }
}
