//! The department batch write path on every configured backend: one transaction (a feed that
//! fails half-way leaves nothing), the batch's counts, lookups, rollback refusals and profiles.

use shouwang_core::date::YearMonth;
use shouwang_core::department::alert::Thresholds;
use shouwang_core::department::profile::{ColumnMap, Field, ProfileEdits};
use shouwang_core::department::record;
use shouwang_core::department::{BatchChannel, BatchStatus, DeptKind};
use shouwang_core::screening::level::WarningScheme;
use shouwang_core::standard::{resolve, Standard};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::department::{id_key, key_id, BatchOutcome, DeptRow, NewBatch};
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn actor() -> Actor {
    Actor::system("test")
}

fn county() -> RegionCode {
    RegionCode::parse("510821").unwrap()
}

fn thresholds() -> (Thresholds, WarningScheme) {
    let s = Standard::provincial(
        2026,
        RegionCode::parse("51").unwrap(),
        Fen::from_yuan(8_700),
    );
    let r = resolve(&[s], &county(), 2026).unwrap();
    (Thresholds::from_standard(&r), r.warning_scheme)
}

fn batch(sha: &str) -> NewBatch {
    let (thresholds, scheme) = thresholds();
    NewBatch {
        county: county(),
        region: county(),
        kind: DeptKind::Disaster,
        channel: BatchChannel::Upload,
        file_name: "应急.csv".into(),
        sha256: sha.into(),
        client_batch_id: None,
        period: YearMonth::new(2026, 10),
        token_id: None,
        year: 2026,
        today: today(),
        thresholds,
        scheme,
    }
}

/// A database with a few households of 桃红村, and the ID numbers of their members.
fn setup() -> Vec<(TestDb, Vec<String>)> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            let db = db.with_regions(&[("510821108", "三江镇"), (TAOHONG, "桃红村村民委员会")]);
            let config = SynthConfig {
                households: 5,
                seed: 11,
                today: today(),
                county: county(),
            };
            let village = SynthVillage {
                code: RegionCode::parse(TAOHONG).unwrap(),
                resettlement_site: None,
            };
            let mut ids = Vec::new();
            for (h, m) in generate(&config, &[village]) {
                ids.extend(m.iter().map(|m| m.id_number.clone()));
                db.store.create_household(&actor(), h, m, today()).unwrap();
            }
            (db, ids)
        })
        .collect()
}

fn row(map: &ColumnMap, n: u64, id: &str, loss: &str) -> DeptRow {
    let mut cells = vec![String::new(); map.header.len()];
    cells[map.position(Field::IdNumber).unwrap()] = id.into();
    cells[map.position(Field::Loss).unwrap()] = loss.into();
    let read = record::read(map, n, &cells, today());
    DeptRow {
        row: n,
        cells,
        read,
    }
}

#[test]
fn a_feed_that_fails_half_way_leaves_nothing_written() {
    for (db, ids) in setup() {
        let map = ColumnMap::for_names(DeptKind::Disaster);
        let before_audit = db.count_rows("audit_events");
        let r = db
            .store
            .import_dept_batch(&actor(), &batch(&"1".repeat(64)), &map, &mut |sink| {
                for (i, id) in ids.iter().enumerate() {
                    sink(row(&map, i as u64 + 1, id, "50000"))?;
                }
                // the file turns out over a limit further down
                Err(StoreError::RolledBack)
            });
        assert!(matches!(r, Err(StoreError::RolledBack)), "{}", db.name);
        for t in [
            "dept_batches",
            "dept_records",
            "dept_alerts",
            "dept_unmatched",
            "leads",
        ] {
            assert_eq!(db.count_rows(t), 0, "{t} {}", db.name);
        }
        assert_eq!(db.count_rows("audit_events"), before_audit);
    }
}

#[test]
fn a_batch_counts_its_rows_and_is_found_by_its_hash_until_rolled_back() {
    for (db, ids) in setup() {
        let map = ColumnMap::for_names(DeptKind::Disaster);
        let sha = "2".repeat(64);
        let out = db
            .store
            .import_dept_batch(&actor(), &batch(&sha), &map, &mut |sink| {
                sink(row(&map, 1, &ids[0], "50000"))?;
                sink(row(&map, 2, &ids[1], "10"))?;
                sink(row(&map, 3, "11010519491231002X", "50000"))?;
                sink(row(&map, 4, &ids[2], "-5"))?;
                Ok(())
            })
            .unwrap();
        let BatchOutcome::Imported(b) = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            (b.rows, b.matched, b.unmatched, b.invalid, b.alerts, b.leads),
            (4, 2, 1, 1, 1, 1),
            "{}",
            db.name
        );
        assert_eq!(b.period.as_deref(), Some("2026-10"));
        assert_eq!(b.created_by, "system:test");
        assert_eq!(db.store.dept_batch(b.id).unwrap(), Some(b.clone()));
        assert_eq!(db.store.dept_batch(b.id + 100).unwrap(), None);
        assert_eq!(
            db.store
                .find_dept_batch(&county(), DeptKind::Disaster, &sha, None)
                .unwrap(),
            Some(b.clone())
        );
        // another kind's batch with the same bytes is another batch
        assert_eq!(
            db.store
                .find_dept_batch(&county(), DeptKind::Medical, &sha, None)
                .unwrap(),
            None
        );
        // the same hash again inside the transaction: nothing written
        let again = db
            .store
            .import_dept_batch(&actor(), &batch(&sha), &map, &mut |_| {
                panic!("a duplicate is not read")
            })
            .unwrap();
        assert_eq!(again, BatchOutcome::Duplicate(b.clone()));
        assert!(matches!(
            db.store
                .rollback_dept_batch(&actor(), b.id + 100, "不存在的批次"),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.store.rollback_dept_batch(&actor(), b.id, " "),
            Err(StoreError::Invalid(_))
        ));
        let r = db
            .store
            .rollback_dept_batch(&actor(), b.id, "测试")
            .unwrap();
        assert_eq!(r.status, BatchStatus::RolledBack);
        assert_eq!(r.rolled_back_by.as_deref(), Some("system:test"));
        match db.store.rollback_dept_batch(&actor(), b.id, "测试") {
            Err(StoreError::Invalid(p)) => assert_eq!(p[0].code, ProblemCode::DeptBatchRolledBack),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            db.store
                .find_dept_batch(&county(), DeptKind::Disaster, &sha, None)
                .unwrap(),
            None
        );
    }
}

#[test]
fn profiles_are_versioned_and_audited() {
    for (db, _) in setup() {
        let s = &db.store;
        assert_eq!(
            s.dept_profile(&county(), DeptKind::Housing).unwrap(),
            (ProfileEdits::default(), 0)
        );
        let mut edits = ProfileEdits::default();
        edits
            .headers
            .insert(Field::HouseGrade, vec!["安全等级".to_string()]);
        assert_eq!(
            s.save_dept_profile(&actor(), &county(), DeptKind::Housing, &edits, 0)
                .unwrap(),
            1
        );
        assert!(matches!(
            s.save_dept_profile(&actor(), &county(), DeptKind::Housing, &edits, 0),
            Err(StoreError::Stale)
        ));
        assert_eq!(
            s.save_dept_profile(&actor(), &county(), DeptKind::Housing, &edits, 1)
                .unwrap(),
            2
        );
        assert_eq!(
            s.dept_profile(&county(), DeptKind::Housing).unwrap(),
            (edits, 2)
        );
        assert_eq!(
            db.count_rows("audit_events WHERE action = 'dept.profile'"),
            2
        );
    }
}

#[test]
fn id_keys_order_as_their_numbers() {
    let a = id_key("510821199001011235").unwrap();
    let b = id_key("51082119900101124X").unwrap();
    assert!(a < b);
    assert_eq!(key_id(b), "51082119900101124X");
}
