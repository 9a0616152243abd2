//! Department data imports on every configured backend: matching on the ID number, the 医保
//! fold and the year's cumulative sum, the unmatched queue, leads and their dedup, duplicates,
//! refusals that write nothing, and rollback.

use shouwang_app::department::{
    import_file, import_rows, rollback, save_profile, thresholds, BatchInput, ImportError,
    ImportOutcome,
};
use shouwang_core::codes::HouseholdType;
use shouwang_core::date::YearMonth;
use shouwang_core::department::profile::{ColumnMap, Field, ProfileEdits, ThresholdKey};
use shouwang_core::department::{BatchChannel, BatchStatus, DeptKind};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::screening::level::WarningLevel;
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::department::BatchRecord;
use shouwang_store::testing::TestDb;
use std::path::{Path, PathBuf};

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const OTHER: &str = "510822100200";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn actor() -> Actor {
    Actor::system("test")
}

fn county() -> RegionCode {
    RegionCode::parse("510821").unwrap()
}

/// The county's households the tests use.
struct Fixture {
    db: TestDb,
    /// a 脱贫户 in 桃红村
    registered: (Household, Vec<Member>),
    /// an ordinary household in 桃红村
    ordinary: (Household, Vec<Member>),
    /// an ordinary household in 龙凤村 (another township)
    longfeng: (Household, Vec<Member>),
    /// a household of another county
    other: (Household, Vec<Member>),
    /// a household in 桃红村 with a single member able to work: (household, that member's index)
    single_worker: (Household, Vec<Member>, usize),
}

fn families(county: &str, villages: &[&str], n: usize, seed: u64) -> Vec<(Household, Vec<Member>)> {
    let config = SynthConfig {
        households: n,
        seed,
        today: today(),
        county: RegionCode::parse(county).unwrap(),
    };
    let villages: Vec<SynthVillage> = villages
        .iter()
        .map(|c| SynthVillage {
            code: RegionCode::parse(c).unwrap(),
            resettlement_site: None,
        })
        .collect();
    generate(&config, &villages)
}

fn fixtures() -> Vec<Fixture> {
    TestDb::all()
        .into_iter()
        .map(|db| {
            let db = db.with_regions(&[
                ("510821108", "三江镇"),
                (TAOHONG, "桃红村村民委员会"),
                ("510821115", "龙凤镇"),
                (LONGFENG, "龙凤村村民委员会"),
                ("510822", "青川县"),
                ("510822100", "乔庄镇"),
                (OTHER, "某村"),
            ]);
            db.store
                .save_standard(
                    &actor(),
                    &Standard::provincial(
                        2026,
                        RegionCode::parse("51").unwrap(),
                        Fen::from_yuan(8_700),
                    ),
                )
                .unwrap();
            let all = families("510821", &[TAOHONG, LONGFENG], 60, 7);
            let in_village = |v: &str| {
                all.iter()
                    .filter(|(h, _)| h.village.as_str() == v)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let taohong = in_village(TAOHONG);
            let mut registered = taohong[0].clone();
            registered.0.household_type = HouseholdType::PostPoverty;
            let mut ordinary = taohong[1].clone();
            ordinary.0.household_type = HouseholdType::Ordinary;
            let mut longfeng = in_village(LONGFENG)[0].clone();
            longfeng.0.household_type = HouseholdType::Ordinary;
            let other = families("510822", &[OTHER], 1, 9).remove(0);
            let single_worker = taohong[2..]
                .iter()
                .find_map(|(h, m)| {
                    let able: Vec<usize> = (0..m.len())
                        .filter(|i| {
                            m[*i].deceased_on.is_none()
                                && m[*i].labour.is_some_and(|l| l.can_work())
                        })
                        .collect();
                    (able.len() == 1).then(|| (h.clone(), m.clone(), able[0]))
                })
                .expect("a household with one worker");
            for (h, m) in [&registered, &ordinary, &longfeng, &other] {
                db.store
                    .create_household(&actor(), h.clone(), m.clone(), today())
                    .unwrap();
            }
            db.store
                .create_household(
                    &actor(),
                    single_worker.0.clone(),
                    single_worker.1.clone(),
                    today(),
                )
                .unwrap();
            Fixture {
                db,
                registered,
                ordinary,
                longfeng,
                other,
                single_worker,
            }
        })
        .collect()
}

fn input(kind: DeptKind, name: &str) -> BatchInput {
    BatchInput {
        county: county(),
        region: county(),
        kind,
        channel: BatchChannel::Command,
        file_name: name.into(),
        client_batch_id: None,
        period: YearMonth::new(2026, 10),
        token_id: None,
    }
}

struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn medical(rows: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("医保结算明细（2026年10月）\n证件号码,姓名,结算日期,合规自付\n");
    for (id, date, amount) in rows {
        s.push_str(&format!("{id},某人,{date},{amount}\n"));
    }
    s
}

fn import(f: &Fixture, kind: DeptKind, path: &Path) -> Result<ImportOutcome, ImportError> {
    import_file(
        &f.db.store,
        &actor(),
        input(kind, "file.csv"),
        path,
        today(),
        &mut |_| {},
    )
}

fn imported(o: Result<ImportOutcome, ImportError>) -> BatchRecord {
    match o {
        Ok(ImportOutcome::Imported(b)) => b,
        other => panic!("not imported: {other:?}"),
    }
}

fn id_of(h: &(Household, Vec<Member>), i: usize) -> &'static str {
    Box::leak(h.1[i].id_number.clone().into_boxed_str())
}

fn count(f: &Fixture, what: &str) -> i64 {
    f.db.count_rows(what)
}

/// A valid ID number no member has.
const NOBODY: &str = "11010519491231002X";

#[test]
fn a_medical_file_alerts_a_registered_person_above_5000_and_folds_settlements() {
    for f in fixtures() {
        let files = Files::new();
        let reg = id_of(&f.registered, 0);
        let other = id_of(&f.ordinary, 0);
        let path = files.write(
            "m.csv",
            &medical(&[
                (reg, "2026-10-01", "2000"),
                (other, "2026-10-02", "9000"),
                (reg, "2026-10-03", "2000"),
                (reg, "2026-10-09", "1000.01"),
                (other, "2026-10-04", "6000"),
            ]),
        );
        let mut seen = 0;
        let b = imported(import_file(
            &f.db.store,
            &actor(),
            input(DeptKind::Medical, "m.csv"),
            &path,
            today(),
            &mut |p| seen = p.rows,
        ));
        assert_eq!(seen, 5, "{}", f.db.name);
        assert_eq!(
            (b.rows, b.matched, b.unmatched, b.invalid, b.alerts, b.leads),
            (5, 5, 0, 0, 1, 1),
            "{}",
            f.db.name
        );
        assert_eq!(b.status, BatchStatus::Imported);
        assert_eq!(b.sha256.len(), 64);
        // a person's settlements are one record
        assert_eq!(count(&f, "dept_records"), 2, "{}", f.db.name);
        assert_eq!(
            count(&f, &format!("dept_records WHERE id_number = '{reg}' AND amount = 500001 AND rows_count = 3 AND on_date = '2026-10-09'")),
            1,
            "{}",
            f.db.name
        );
        // only the registered person alerts: 15,000 元 is below the others' 20,000
        assert_eq!(
            count(&f, &format!("dept_alerts WHERE id_number = '{reg}' AND rule = 'D01' AND raised_lead = 1 AND threshold = 500000 AND amount = 500001")),
            1,
            "{}",
            f.db.name
        );
        let leads =
            f.db.store
                .leads_of_household(&f.registered.0.household_no)
                .unwrap();
        assert_eq!(leads.len(), 1);
        let l = &leads[0];
        assert_eq!(l.source, LeadSource::Department);
        assert_eq!(l.status, LeadStatus::Open);
        assert_eq!(l.rules, vec!["D01".to_string()]);
        assert_eq!(l.level, WarningLevel::Yellow);
        let scheme =
            f.db.store
                .resolved_standard(&county(), 2026)
                .unwrap()
                .warning_scheme;
        assert_eq!(
            l.due_on,
            today().add_days(scheme.response_days(WarningLevel::Yellow))
        );
        assert_eq!(
            count(&f, &format!("dept_alerts WHERE lead_id = {}", l.id)),
            1
        );
        assert_eq!(
            count(&f, "audit_events WHERE action = 'dept.import'"),
            1,
            "{}",
            f.db.name
        );
        assert!(f
            .db
            .store
            .leads_of_household(&f.ordinary.0.household_no)
            .unwrap()
            .is_empty());
    }
}

#[test]
fn the_years_costs_add_up_across_batches_and_a_person_alerts_once() {
    for f in fixtures() {
        let files = Files::new();
        let reg = id_of(&f.registered, 0);
        let other = id_of(&f.ordinary, 0);
        let a = files.write(
            "a.csv",
            &medical(&[(other, "2026-09-01", "12000"), (reg, "2026-09-01", "6000")]),
        );
        let b1 = imported(import(&f, DeptKind::Medical, &a));
        assert_eq!(b1.alerts, 1, "{}", f.db.name);
        let b = files.write(
            "b.csv",
            &medical(&[(other, "2026-10-01", "9000"), (reg, "2026-10-01", "100")]),
        );
        let b2 = imported(import(&f, DeptKind::Medical, &b));
        // 12,000 + 9,000 = 21,000 元 above the others' 20,000; the registered person alerted already
        assert_eq!((b2.alerts, b2.leads), (1, 1), "{}", f.db.name);
        assert_eq!(
            count(&f, &format!("dept_alerts WHERE id_number = '{other}' AND batch_id = {} AND amount = 2100000", b2.id)),
            1,
            "{}",
            f.db.name
        );
        // a rolled-back batch no longer counts: the same sum again alerts once more
        rollback(&f.db.store, &actor(), b2.id, "数据有误").unwrap();
        let c = files.write(
            "c.csv",
            &medical(&[(other, "2026-10-01", "9000"), (other, "2026-10-02", "0")]),
        );
        let b3 = imported(import(&f, DeptKind::Medical, &c));
        assert_eq!(b3.alerts, 1, "{}", f.db.name);
    }
}

#[test]
fn the_same_file_twice_changes_nothing() {
    for f in fixtures() {
        let files = Files::new();
        let reg = id_of(&f.registered, 0);
        let path = files.write("m.csv", &medical(&[(reg, "2026-10-01", "6000")]));
        let first = imported(import(&f, DeptKind::Medical, &path));
        let tables = [
            "dept_batches",
            "dept_records",
            "dept_alerts",
            "dept_unmatched",
            "leads",
            "audit_events",
        ];
        let before: Vec<i64> = tables.iter().map(|t| count(&f, t)).collect();
        let again = files.write("copy.csv", &medical(&[(reg, "2026-10-01", "6000")]));
        match import(&f, DeptKind::Medical, &again).unwrap() {
            ImportOutcome::Duplicate(b) => assert_eq!(b.id, first.id),
            other => panic!("{other:?}"),
        }
        let after: Vec<i64> = tables.iter().map(|t| count(&f, t)).collect();
        assert_eq!(before, after, "{}", f.db.name);
        // a push with the same client batch id is the same batch too
        let map = ColumnMap::for_names(DeptKind::Disaster);
        let row = |id: &str| {
            let mut cells = vec![String::new(); map.header.len()];
            cells[map.position(Field::IdNumber).unwrap()] = id.to_string();
            cells[map.position(Field::Loss).unwrap()] = "100".into();
            cells
        };
        let mut push = input(DeptKind::Disaster, "");
        push.channel = BatchChannel::Push;
        push.client_batch_id = Some("B-1".into());
        let one = import_rows(
            &f.db.store,
            &actor(),
            push.clone(),
            "a".repeat(64),
            &map,
            &mut vec![(1, row(reg))].into_iter(),
            today(),
        )
        .unwrap();
        let ImportOutcome::Imported(one) = one else {
            panic!()
        };
        let two = import_rows(
            &f.db.store,
            &actor(),
            push,
            "b".repeat(64),
            &map,
            &mut vec![(1, row(reg))].into_iter(),
            today(),
        )
        .unwrap();
        assert_eq!(two, ImportOutcome::Duplicate(one), "{}", f.db.name);
    }
}

#[test]
fn a_file_of_another_kind_or_without_its_key_column_is_refused_and_writes_nothing() {
    for f in fixtures() {
        let files = Files::new();
        let reg = id_of(&f.registered, 0);
        let disability = files.write(
            "d.csv",
            &format!("证件号码,姓名,残疾类别,残疾等级,发证日期\n{reg},某人,肢体,二级,2026-10-01\n"),
        );
        match import(&f, DeptKind::Medical, &disability) {
            Err(ImportError::Refused(p)) => assert_eq!(p.code, ProblemCode::DeptWrongKind),
            other => panic!("{other:?}"),
        }
        let no_key = files.write("k.csv", "姓名,结算日期,合规自付\n某人,2026-10-01,100\n");
        match import(&f, DeptKind::Medical, &no_key) {
            Err(ImportError::Refused(p)) => {
                assert_eq!(p.code, ProblemCode::DeptColumnMissing);
                assert!(p.zh.contains("证件号码"), "{}", p.zh);
            }
            other => panic!("{other:?}"),
        }
        let binary = files.write("x.csv", "\u{0}\u{1}PK");
        assert!(matches!(
            import(&f, DeptKind::Medical, &binary),
            Err(ImportError::Refused(_))
        ));
        let mut future = input(DeptKind::Disability, "d.csv");
        future.period = YearMonth::new(2027, 1);
        match import_file(
            &f.db.store,
            &actor(),
            future,
            &disability,
            today(),
            &mut |_| {},
        ) {
            Err(ImportError::Refused(p)) => assert_eq!(p.code, ProblemCode::DeptPeriod),
            other => panic!("{other:?}"),
        }
        for t in [
            "dept_batches",
            "dept_records",
            "dept_unmatched",
            "dept_alerts",
            "leads",
        ] {
            assert_eq!(count(&f, t), 0, "{t} {}", f.db.name);
        }
        assert_eq!(count(&f, "audit_events WHERE action LIKE 'dept.%'"), 0);
    }
}

#[test]
fn unreadable_unknown_and_outside_rows_are_queued_with_their_reason() {
    for f in fixtures() {
        let files = Files::new();
        let reg = id_of(&f.registered, 0);
        let far = id_of(&f.longfeng, 0);
        let abroad = id_of(&f.other, 0);
        let path = files.write(
            "m.csv",
            &medical(&[
                (reg, "2026-10-01", "10"),
                ("5.10821199001011E+17", "2026-10-01", "10"),
                (NOBODY, "2026-10-01", "10"),
                (far, "2026-10-01", "10"),
                (abroad, "2026-10-01", "10"),
                (reg, "2026-10-01", "ten"),
            ]),
        );
        // a batch of 三江镇 only: 龙凤村 is outside it
        let mut township = input(DeptKind::Medical, "m.csv");
        township.region = RegionCode::parse("510821108").unwrap();
        let b = imported(import_file(
            &f.db.store,
            &actor(),
            township,
            &path,
            today(),
            &mut |_| {},
        ));
        assert_eq!(
            (b.rows, b.matched, b.unmatched, b.invalid),
            (6, 1, 3, 2),
            "{}",
            f.db.name
        );
        let q = |reason: i64, row: i64| {
            count(
                &f,
                &format!("dept_unmatched WHERE batch_id = {} AND reason = {reason} AND row_no = {row} AND status = 0", b.id),
            )
        };
        // rows: the header is row 2, the first data row 3
        assert_eq!(q(3, 4), 1, "scientific notation: InvalidId {}", f.db.name);
        assert_eq!(q(1, 5), 1, "not found {}", f.db.name);
        assert_eq!(q(2, 6), 1, "another township {}", f.db.name);
        assert_eq!(q(2, 7), 1, "another county {}", f.db.name);
        assert_eq!(q(4, 8), 1, "a bad amount: InvalidRow {}", f.db.name);
        // the message names no other household or region
        assert_eq!(
            count(
                &f,
                &format!(
                    "dept_unmatched WHERE reason = 2 AND (message_zh LIKE '%{}%' OR message_zh LIKE '%龙凤%')",
                    f.longfeng.0.household_no
                )
            ),
            0
        );
        assert_eq!(
            count(
                &f,
                "dept_unmatched WHERE id_number = '5.10821199001011E+17' AND field = '证件号码'"
            ),
            1,
            "{}",
            f.db.name
        );
    }
}

#[test]
fn leads_are_not_raised_twice_and_a_rollback_dismisses_only_the_leads_it_alone_raised() {
    for f in fixtures() {
        let files = Files::new();
        let reg0 = id_of(&f.registered, 0);
        let reg1 = id_of(&f.registered, 1);
        let other = id_of(&f.ordinary, 0);
        let a = files.write("a.csv", &medical(&[(reg0, "2026-10-01", "6000")]));
        let b1 = imported(import(&f, DeptKind::Medical, &a));
        assert_eq!(b1.leads, 1);
        // another member of the same household, same risk: the pending lead is named, none raised
        let b = files.write(
            "b.csv",
            &medical(&[(reg1, "2026-10-01", "6000"), (other, "2026-10-01", "25000")]),
        );
        let b2 = imported(import(&f, DeptKind::Medical, &b));
        assert_eq!((b2.alerts, b2.leads), (2, 1), "{}", f.db.name);
        let lead =
            f.db.store
                .leads_of_household(&f.registered.0.household_no)
                .unwrap();
        assert_eq!(lead.len(), 1, "{}", f.db.name);
        assert_eq!(
            count(
                &f,
                &format!(
                    "dept_alerts WHERE batch_id = {} AND lead_id = {} AND raised_lead = 0",
                    b2.id, lead[0].id
                )
            ),
            1
        );
        // rolling the first back: its lead is also named by the second's open alert, and stays
        let r1 = rollback(&f.db.store, &actor(), b1.id, "重复的文件").unwrap();
        assert_eq!(r1.status, BatchStatus::RolledBack);
        assert_eq!(r1.rollback_reason.as_deref(), Some("重复的文件"));
        assert_eq!(
            f.db.store.lead(lead[0].id).unwrap().unwrap().status,
            LeadStatus::Open
        );
        assert_eq!(
            count(
                &f,
                &format!("dept_alerts WHERE batch_id = {} AND status = 1", b1.id)
            ),
            1
        );
        assert_eq!(
            count(
                &f,
                &format!("dept_records WHERE batch_id = {} AND active = 0", b1.id)
            ),
            1
        );
        // rolling the second back: the ordinary household's lead, raised by it alone, is dismissed
        rollback(&f.db.store, &actor(), b2.id, "数据有误").unwrap();
        let l =
            f.db.store
                .leads_of_household(&f.ordinary.0.household_no)
                .unwrap()
                .remove(0);
        assert_eq!(l.status, LeadStatus::Dismissed, "{}", f.db.name);
        assert!(
            l.closed_reason.contains("部门数据批次撤回：数据有误"),
            "{}",
            l.closed_reason
        );
        // the lead of b1 is not dismissed by b2's rollback: b2 did not raise it
        assert_eq!(
            f.db.store.lead(lead[0].id).unwrap().unwrap().status,
            LeadStatus::Open
        );
        assert_eq!(count(&f, "audit_events WHERE action = 'dept.rollback'"), 2);
        // twice: refused with its code (409)
        match rollback(&f.db.store, &actor(), b2.id, "再次撤回") {
            Err(ImportError::Refused(p)) => {
                assert_eq!(p.code, ProblemCode::DeptBatchRolledBack);
                assert_eq!(p.code.status().as_u16(), 409);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            rollback(&f.db.store, &actor(), b2.id, ""),
            Err(ImportError::Refused(_))
        ));
        // the same file may come again once its batch is rolled back
        let again = imported(import(&f, DeptKind::Medical, &a));
        assert_ne!(again.id, b1.id);
    }
}

/// One row of `kind` for the person `id`, with `values` in the named columns.
fn pushed(kind: DeptKind, id: &str, values: &[(Field, &str)]) -> Vec<String> {
    let map = ColumnMap::for_names(kind);
    let mut cells = vec![String::new(); map.header.len()];
    cells[map.position(Field::IdNumber).unwrap()] = id.to_string();
    for (field, v) in values {
        cells[map.position(*field).unwrap()] = v.to_string();
    }
    cells
}

#[test]
fn each_kind_raises_its_rule_once() {
    for f in fixtures() {
        let reg = id_of(&f.registered, 0);
        let worker = id_of(
            &(f.single_worker.0.clone(), f.single_worker.1.clone()),
            f.single_worker.2,
        );
        // kind, person, cells, the rule it raises
        type Case<'a> = (DeptKind, &'a str, Vec<(Field, &'a str)>, Option<&'a str>);
        let table: Vec<Case> = vec![
            (
                DeptKind::Medical,
                reg,
                vec![(Field::SelfPaid, "6000")],
                Some("D01"),
            ),
            (
                DeptKind::Roster,
                reg,
                vec![(Field::Roll, "农村低保"), (Field::Date, "2026-10")],
                Some("D02"),
            ),
            (
                DeptKind::Disability,
                reg,
                vec![(Field::DisabilityGrade, "二级")],
                Some("D03"),
            ),
            (
                DeptKind::Education,
                reg,
                vec![(Field::SchoolStatus, "在读"), (Field::Cost, "20000")],
                Some("D05"),
            ),
            (
                DeptKind::Housing,
                reg,
                vec![(Field::HouseGrade, "D级")],
                Some("D06"),
            ),
            (
                DeptKind::Disaster,
                reg,
                vec![(Field::Loss, "30000"), (Field::Date, "2026-10-01")],
                Some("D07"),
            ),
            (
                DeptKind::Employment,
                worker,
                vec![(Field::EmploymentStatus, "失业")],
                Some("D08"),
            ),
            (
                DeptKind::Police,
                reg,
                vec![(Field::Event, "死亡"), (Field::Date, "2026-10-01")],
                Some("D09"),
            ),
            (
                DeptKind::Assets,
                reg,
                vec![(Field::AssetType, "车辆")],
                None,
            ),
        ];
        for (kind, id, values, rule) in table {
            let map = ColumnMap::for_names(kind);
            for round in 0..2 {
                let out = import_rows(
                    &f.db.store,
                    &actor(),
                    input(kind, ""),
                    format!("{}{round}", kind.slug()),
                    &map,
                    &mut vec![(1, pushed(kind, id, &values))].into_iter(),
                    today(),
                )
                .unwrap();
                let ImportOutcome::Imported(b) = out else {
                    panic!()
                };
                assert_eq!(b.matched, 1, "{kind:?} {}", f.db.name);
                let want = i64::from(round == 0 && rule.is_some());
                assert_eq!(b.alerts, want, "{kind:?} round {round} {}", f.db.name);
                if let (Some(rule), 0) = (rule, round) {
                    assert_eq!(
                        count(
                            &f,
                            &format!("dept_alerts WHERE batch_id = {} AND rule = '{rule}'", b.id)
                        ),
                        1,
                        "{kind:?} {}",
                        f.db.name
                    );
                }
            }
        }
    }
}

#[test]
fn a_profile_is_checked_versioned_and_its_thresholds_apply() {
    for f in fixtures() {
        let store = &f.db.store;
        let t = thresholds(store, &county(), 2026).unwrap();
        assert_eq!(t.medical_line(false), Fen::from_yuan(20_000));
        let mut edits = ProfileEdits::default();
        edits
            .thresholds
            .insert(ThresholdKey::MedicalAmountOthers, Fen::from_yuan(10_000).0);
        let v = save_profile(store, &actor(), &county(), DeptKind::Medical, &edits, 0).unwrap();
        assert_eq!(v, 1);
        assert!(matches!(
            save_profile(store, &actor(), &county(), DeptKind::Medical, &edits, 0),
            Err(ImportError::Store(shouwang_store::StoreError::Stale))
        ));
        assert_eq!(
            store.dept_profile(&county(), DeptKind::Medical).unwrap(),
            (edits.clone(), 1)
        );
        let t = thresholds(store, &county(), 2026).unwrap();
        assert_eq!(t.medical_line(false), Fen::from_yuan(10_000));
        let mut bad = ProfileEdits::default();
        bad.thresholds.insert(ThresholdKey::DisasterLoss, -1);
        assert!(matches!(
            save_profile(store, &actor(), &county(), DeptKind::Disaster, &bad, 0),
            Err(ImportError::Refused(_))
        ));
        assert_eq!(count(&f, "audit_events WHERE action = 'dept.profile'"), 1);
        // the edited line applies to the next import: 15,000 元 of an ordinary person alerts
        let files = Files::new();
        let other = id_of(&f.ordinary, 0);
        let p = files.write("m.csv", &medical(&[(other, "2026-10-01", "15000")]));
        assert_eq!(
            imported(import(&f, DeptKind::Medical, &p)).alerts,
            1,
            "{}",
            f.db.name
        );
    }
}
