//! Incomes, 三保障 flags, standards and screening runs in the store, on every configured backend.

use shouwang_core::income::{Income, IncomePeriod};
use shouwang_core::screening::{evaluate, HouseholdRow, MemberCounts, Snapshot};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::income::Guarantees;
use shouwang_store::screening::{set_scan_chunk, WarningFilter};
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn dbs() -> Vec<TestDb> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            db.with_regions(&[
                ("510821108", "三江镇"),
                (TAOHONG, "桃红村村民委员会"),
                ("510821115", "龙凤镇"),
                (LONGFENG, "龙凤村村民委员会"),
            ])
        })
        .collect()
}

fn families(n: usize, seed: u64) -> Vec<(Household, Vec<Member>)> {
    let config = SynthConfig {
        households: n,
        seed,
        today: today(),
        county: RegionCode::parse("510821").unwrap(),
    };
    let villages = [TAOHONG, LONGFENG].map(|c| SynthVillage {
        code: RegionCode::parse(c).unwrap(),
        resettlement_site: None,
    });
    generate(&config, &villages)
}

fn actor() -> Actor {
    Actor::system("test")
}

fn income(year: i32, wages_yuan: i64) -> Income {
    Income {
        wages: Fen::from_yuan(wages_yuan),
        ..Income::empty(IncomePeriod::year(year))
    }
}

fn sichuan(line_yuan: i64) -> Standard {
    Standard::provincial(
        2026,
        RegionCode::parse("51").unwrap(),
        Fen::from_yuan(line_yuan),
    )
}

#[test]
fn incomes_are_validated_and_audited() {
    for db in dbs() {
        let (h, m) = families(1, 3).remove(0);
        db.store
            .create_household(&actor(), h.clone(), m, today())
            .unwrap();
        let no = &h.household_no;
        db.store
            .save_income(&actor(), no, &income(2026, 30_000))
            .unwrap();
        db.store
            .save_income(&actor(), no, &income(2026, 31_000))
            .unwrap();
        let bad = Income {
            wages: Fen(-5),
            ..Income::empty(IncomePeriod::year(2025))
        };
        assert!(matches!(
            db.store.save_income(&actor(), no, &bad),
            Err(StoreError::Invalid(_))
        ));
        let absurd = income(2025, 900_000_000);
        assert!(matches!(
            db.store.save_income(&actor(), no, &absurd),
            Err(StoreError::Invalid(_))
        ));
        let stored = db.store.incomes(no).unwrap();
        assert_eq!(stored, vec![income(2026, 31_000)], "{}", db.name);
        let history = db
            .store
            .history("income", &format!("{no}/2026"), 10)
            .unwrap();
        assert_eq!(history.len(), 2, "{}", db.name);
        assert!(matches!(
            db.store.save_income(&actor(), "nope", &income(2026, 1)),
            Err(StoreError::NotFound)
        ));
        let g = Guarantees {
            as_of: Date::new(2026, 10, 1).unwrap(),
            unsafe_housing: true,
            dropout: false,
            uninsured: false,
            unsafe_water: true,
            food_clothing: false,
            source: "核查".into(),
        };
        db.store.save_guarantees(&actor(), no, &g).unwrap();
        assert_eq!(db.store.guarantees(no).unwrap(), vec![g]);
    }
}

#[test]
fn a_standard_without_a_line_is_refused_and_screening_needs_one() {
    for db in dbs() {
        let county = RegionCode::parse("510821").unwrap();
        let mut s = sichuan(8700);
        s.monitoring_line = None;
        assert!(matches!(
            db.store.save_standard(&actor(), &s),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            db.store.load_snapshot(&county, 2026, today()),
            Err(StoreError::Invalid(_))
        ));
        db.store.save_standard(&actor(), &sichuan(8700)).unwrap();
        let mut local = Standard::empty(2026, county.clone());
        local.monitoring_line = Some(Fen::from_yuan(9000));
        db.store.save_standard(&actor(), &local).unwrap();
        let r = db.store.resolved_standard(&county, 2026).unwrap();
        assert_eq!(r.monitoring_line, Fen::from_yuan(9000));
        // a later year without its own standard keeps the last one
        let r = db.store.resolved_standard(&county, 2027).unwrap();
        assert_eq!(r.monitoring_line, Fen::from_yuan(9000));
        assert_eq!(
            db.store
                .history("standard", "510821/2026", 5)
                .unwrap()
                .len(),
            1
        );
    }
}

#[test]
fn the_snapshot_matches_the_registry_and_reruns_change_nothing() {
    set_scan_chunk(64);
    for db in dbs() {
        let data = families(150, 9);
        db.store.bulk_load(&actor(), &data, "test.load").unwrap();
        db.store.save_standard(&actor(), &sichuan(8700)).unwrap();
        let county = RegionCode::parse("510821").unwrap();
        // half the households far below the line, a few with flags
        let mut incomes = Vec::new();
        let mut flags = Vec::new();
        for (i, (h, _)) in data.iter().enumerate() {
            let wages = if i % 2 == 0 { 2_000 } else { 80_000 };
            incomes.push((
                "510821".to_string(),
                h.household_no.clone(),
                income(2026, wages),
            ));
            incomes.push((
                "510821".to_string(),
                h.household_no.clone(),
                income(2025, 80_000),
            ));
            if i % 10 == 0 {
                flags.push((
                    "510821".to_string(),
                    h.household_no.clone(),
                    Guarantees {
                        as_of: Date::new(2026, 9, 1).unwrap(),
                        unsafe_housing: true,
                        dropout: false,
                        uninsured: false,
                        unsafe_water: false,
                        food_clothing: false,
                        source: String::new(),
                    },
                ));
            }
        }
        db.store
            .bulk_ledger(&actor(), &incomes, &flags, "test.ledger")
            .unwrap();

        let loaded = db.store.load_snapshot(&county, 2026, today()).unwrap();
        assert_eq!(loaded.snapshot.len(), 150, "{}", db.name);
        let mut sorted: Vec<&(Household, Vec<Member>)> = data.iter().collect();
        sorted.sort_by(|a, b| a.0.household_no.cmp(&b.0.household_no));
        for (i, (h, members)) in sorted.iter().enumerate() {
            assert_eq!(loaded.household_no(i), h.household_no);
            let size = i64::from(MemberCounts::of(members).living);
            let pc = loaded.snapshot.per_capita(i);
            let idx = data
                .iter()
                .position(|(x, _)| x.household_no == h.household_no)
                .unwrap();
            let wages = if idx % 2 == 0 { 2_000 } else { 80_000 };
            assert_eq!(
                pc,
                Fen::from_yuan(wages).per(size),
                "{} {}",
                db.name,
                h.household_no
            );
        }
        let screening = evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard).unwrap();
        // the database's member counts agree with core's MemberCounts::of: same masks
        let mut reference = Snapshot::new();
        for (i, (h, members)) in sorted.iter().enumerate() {
            let v = reference.add_village(&h.village);
            let idx = data
                .iter()
                .position(|(x, _)| x.household_no == h.household_no)
                .unwrap();
            let wages = if idx % 2 == 0 { 2_000 } else { 80_000 };
            let counts = MemberCounts::of(members);
            reference
                .push(&HouseholdRow {
                    key: i as i64,
                    village: v,
                    members: counts,
                    net_income: Some(Fen::from_yuan(wages)),
                    last_year_per_capita: Fen::from_yuan(80_000).per(i64::from(counts.living)),
                    unsafe_housing: idx % 10 == 0,
                    ..HouseholdRow::default()
                })
                .unwrap();
        }
        let expected = evaluate(&reference, &loaded.rules, &loaded.standard).unwrap();
        assert_eq!(screening.masks(), expected.masks(), "{}", db.name);
        let first = db
            .store
            .save_screening(&actor(), &loaded, &screening, 1)
            .unwrap();
        assert!(!first.unchanged);
        assert!(first.new_leads >= 75, "{}: {first:?}", db.name);
        assert!(first.summary.by_level[0] >= 75);
        // the same data again: nothing written
        let again = db.store.load_snapshot(&county, 2026, today()).unwrap();
        let s2 = evaluate(&again.snapshot, &again.rules, &again.standard).unwrap();
        let second = db.store.save_screening(&actor(), &again, &s2, 2).unwrap();
        assert!(second.unchanged, "{}", db.name);
        assert_eq!(second.run_id, None);
        assert_eq!(db.store.runs(&county, 10).unwrap().len(), 1);
        // a raised line flags more, but never a second open lead for the same risk
        db.store.save_standard(&actor(), &sichuan(30_000)).unwrap();
        let third = db.store.load_snapshot(&county, 2026, today()).unwrap();
        let s3 = evaluate(&third.snapshot, &third.rules, &third.standard).unwrap();
        let out = db.store.save_screening(&actor(), &third, &s3, 3).unwrap();
        assert!(!out.unchanged);
        let leads = db.store.household_leads(&sorted[0].0.household_no).unwrap();
        let mut risks: Vec<&str> = leads.iter().map(|l| l.risk.label_zh()).collect();
        let n = risks.len();
        risks.dedup();
        assert_eq!(risks.len(), n, "{}: duplicate open lead", db.name);
        let warnings = db
            .store
            .warnings(&WarningFilter {
                region: TAOHONG.into(),
                limit: 1000,
                ..WarningFilter::default()
            })
            .unwrap();
        assert!(!warnings.is_empty());
        assert!(warnings.iter().all(|w| w.village.as_str() == TAOHONG));
        let history = db
            .store
            .household_warnings(&warnings[0].household_no)
            .unwrap();
        assert!(history.len() >= 2, "{}", db.name);
        assert!(history[0].evidence["zh"].as_str().is_some());
    }
}

#[test]
fn a_run_that_fails_half_way_writes_nothing() {
    for db in dbs() {
        let data = families(20, 4);
        db.store.bulk_load(&actor(), &data, "test.load").unwrap();
        db.store.save_standard(&actor(), &sichuan(8700)).unwrap();
        let incomes: Vec<_> = data
            .iter()
            .map(|(h, _)| {
                (
                    "510821".to_string(),
                    h.household_no.clone(),
                    income(2026, 1_000),
                )
            })
            .collect();
        db.store
            .bulk_ledger(&actor(), &incomes, &[], "test.ledger")
            .unwrap();
        let county = RegionCode::parse("510821").unwrap();
        let mut loaded = db.store.load_snapshot(&county, 2026, today()).unwrap();
        // the last household vanished between loading and saving: its lead cannot be written
        let last = loaded.household_nos.len() - 1;
        loaded.household_nos[last] = "99999999999999999".into();
        let screening = evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard).unwrap();
        assert!(
            db.store
                .save_screening(&actor(), &loaded, &screening, 1)
                .is_err(),
            "{}",
            db.name
        );
        assert!(
            db.store.runs(&county, 10).unwrap().is_empty(),
            "{}",
            db.name
        );
        assert!(db
            .store
            .household_leads(&data[0].0.household_no)
            .unwrap()
            .is_empty());
        assert!(db
            .store
            .household_warnings(&data[0].0.household_no)
            .unwrap()
            .is_empty());
    }
}
