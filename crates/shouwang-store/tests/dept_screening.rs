//! R13 (部门预警) reads the open department alerts of the county's year, on every configured
//! backend: the household with open alerts hits R13 with its most urgent alert's risk and the
//! evidence names the department, rule, date and amount and the batch; a withdrawn alert or one
//! of another year hits nothing; screening raises no second lead next to the department's.

use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::screening::{evaluate, RuleId, SourceSlot, WarningLevel};
use shouwang_core::standard::Standard;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;

const TAOHONG: &str = "510821108212";

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

#[test]
fn open_department_alerts_hit_r13_with_their_risk_and_evidence() {
    for db in TestDb::all() {
        let db = db.with_regions(&[("510821108", "三江镇"), (TAOHONG, "桃红村")]);
        let data = generate(
            &SynthConfig {
                households: 6,
                seed: 4,
                today: today(),
                county: RegionCode::parse("510821").unwrap(),
            },
            &[SynthVillage {
                code: RegionCode::parse(TAOHONG).unwrap(),
                resettlement_site: None,
            }],
        );
        let actor = Actor::system("test");
        db.store.bulk_load(&actor, &data, "test.load").unwrap();
        db.store
            .save_standard(
                &actor,
                &Standard::provincial(2026, RegionCode::parse("51").unwrap(), Fen::from_yuan(100)),
            )
            .unwrap();
        let no = |i: usize| data[i].0.household_no.clone();
        let id = |i: usize| data[i].1[0].id_number.clone();
        let (a, b, c) = (no(0), no(1), no(2));
        let mut sql = String::from(
            "INSERT INTO dept_batches (county, region, kind, channel, file_name, sha256, period, rows_total, status, created_by, created_at)
             VALUES ('510821', '510821', 1, 1, 'yibao.csv', 'aa', '2026-10', 3, 1, 'test', 0);\n",
        );
        let alert = |no: &str,
                     id: &str,
                     kind: i64,
                     rule: &str,
                     risk: RiskType,
                     level: WarningLevel,
                     year: i32,
                     date: &str,
                     amount: &str,
                     status: i64| {
            format!(
                "INSERT INTO dept_alerts (batch_id, county, kind, rule, household_no, village, id_number, level, risk, year, on_date, amount, evidence, status, created_at)
                 VALUES (1, '510821', {kind}, '{rule}', '{no}', '{TAOHONG}', '{id}', {}, {}, {year}, {date}, {amount}, '{{}}', {status}, 0);\n",
                level.code(),
                risk.code()
            )
        };
        sql += &alert(
            &a,
            &id(0),
            1,
            "D01",
            RiskType::Illness,
            WarningLevel::Yellow,
            2026,
            "'2026-10-05'",
            "2000001",
            0,
        );
        sql += &alert(
            &a,
            &id(0),
            2,
            "D02",
            RiskType::Other,
            WarningLevel::Blue,
            2026,
            "'2026-09-01'",
            "NULL",
            0,
        );
        sql += &alert(
            &b,
            &id(1),
            5,
            "D06",
            RiskType::UnsafeHousing,
            WarningLevel::Red,
            2026,
            "'2026-10-01'",
            "NULL",
            1,
        );
        sql += &alert(
            &c,
            &id(2),
            5,
            "D06",
            RiskType::UnsafeHousing,
            WarningLevel::Red,
            2025,
            "'2025-10-01'",
            "NULL",
            0,
        );
        // the department's pending lead of household a for 因病
        sql += &format!(
            "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at)
             VALUES ('510821', '{a}', '{TAOHONG}', {}, {}, 'D01', {}, '2026-11-20', '2026-11-27', {}, 0);",
            RiskType::Illness.code(),
            WarningLevel::Yellow.code(),
            LeadSource::Department.code(),
            LeadStatus::Open.code()
        );
        db.execute_unchecked(&sql).unwrap();

        let county = RegionCode::parse("510821").unwrap();
        let loaded = db.store.load_snapshot(&county, 2026, today()).unwrap();
        let screening = evaluate(&loaded.snapshot, &loaded.rules, &loaded.standard).unwrap();
        let r13: Vec<(String, RiskType)> = screening
            .hits()
            .filter(|h| h.rule == RuleId::DepartmentAlert)
            .map(|h| (loaded.household_no(h.household).to_string(), h.risk))
            .collect();
        assert_eq!(r13, [(a.clone(), RiskType::Illness)], "{}", db.name);
        let i = (0..loaded.snapshot.len())
            .find(|i| loaded.household_no(*i) == a)
            .unwrap();
        let e = screening.evidence(i, RuleId::DepartmentAlert).unwrap();
        assert_eq!(
            e.zh,
            "部门预警：医保：年度累计合规自付超过预警线（D01，2026-10-05，20,000.01元）；民政：新纳入低保、特困等救助（D02，2026-09-01）"
        );
        let source = e.source.unwrap();
        assert_eq!(source.slot, SourceSlot::Department);
        assert_eq!(source.label_zh, "医保部门数据第1批（2026-10）");
        assert_eq!(source.date, Date::new(2026, 10, 1).unwrap());

        // the department's lead stands for 因病: screening raises none next to it
        let out = db
            .store
            .save_screening(&actor, &loaded, &screening, 1)
            .unwrap();
        let leads = db.store.leads_of_household(&a).unwrap();
        assert_eq!(
            leads.iter().filter(|l| l.risk == RiskType::Illness).count(),
            1,
            "{}: {out:?} {leads:?}",
            db.name
        );
        assert!(leads.iter().all(|l| l.risk != RiskType::Other));
        // the screening view of the household's leads reads the department's D-codes as R13
        let records = db.store.household_leads(&a).unwrap();
        assert_eq!(records[0].rules, [RuleId::DepartmentAlert]);
    }
}
