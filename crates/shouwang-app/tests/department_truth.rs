//! The known-truth test of department imports, on every configured backend: a synthetic county
//! (and a second county in the same database), a file of every kind from the generator with the
//! truth its own choices imply, each imported through `import_file` (one as xlsx). Each batch
//! raises exactly the alerts the truth lists — (ID number, rule), no more, no fewer — queues
//! exactly its rows with their reasons, counts rows = matched + unmatched + invalid, and raises one
//! lead per (household, risk) that had no pending lead or open case for it.

use shouwang_app::department::{import_file, thresholds, BatchInput, ImportOutcome};
use shouwang_core::codes::HouseholdType;
use shouwang_core::department::{BatchChannel, DeptKind};
use shouwang_core::lead::{LeadSource, LeadStatus};
use shouwang_core::monitoring::RiskType;
use shouwang_core::standard::Standard;
use shouwang_core::synth::department::{department_file, DeptCounty};
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, Fen, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use std::collections::{BTreeSet, HashSet};

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";
const OTHER: &str = "510822100200";

fn today() -> Date {
    Date::new(2026, 11, 30).unwrap()
}

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn county_data(
    county: &str,
    villages: &[&str],
    n: usize,
    seed: u64,
) -> Vec<(Household, Vec<Member>)> {
    let villages: Vec<SynthVillage> = villages
        .iter()
        .map(|c| SynthVillage {
            code: region(c),
            resettlement_site: None,
        })
        .collect();
    generate(
        &SynthConfig {
            households: n,
            seed,
            today: today(),
            county: region(county),
        },
        &villages,
    )
}

fn q(s: &str) -> String {
    s.replace('\'', "''")
}

#[test]
fn imports_raise_exactly_the_alerts_and_queue_exactly_the_rows_the_generator_chose() {
    for db in TestDb::all() {
        let db = db.with_regions(&[
            ("510821108", "三江镇"),
            (TAOHONG, "桃红村村民委员会"),
            ("510821115", "龙凤镇"),
            (LONGFENG, "龙凤村村民委员会"),
            ("510822", "青川县"),
            ("510822100", "乔庄镇"),
            (OTHER, "某村"),
        ]);
        let actor = Actor::system("truth");
        db.store
            .save_standard(
                &actor,
                &Standard::provincial(2026, region("51"), Fen::from_yuan(8_700)),
            )
            .unwrap();
        let data = county_data("510821", &[TAOHONG, LONGFENG], 300, 21);
        let other = county_data("510822", &[OTHER], 20, 22);
        db.store.bulk_load(&actor, &data, "test.load").unwrap();
        db.store.bulk_load(&actor, &other, "test.load").unwrap();

        // registered: 脱贫户, and an ordinary household with an open monitoring case (of a risk
        // no department rule raises, so that its leads are not held back by the case)
        let mut registered: HashSet<String> = data
            .iter()
            .filter(|(h, _)| h.household_type == HouseholdType::PostPoverty)
            .map(|(h, _)| h.household_no.clone())
            .collect();
        for (h, _) in data
            .iter()
            .filter(|(h, _)| h.household_type == HouseholdType::Ordinary)
            .take(20)
        {
            db.execute_unchecked(&format!(
                "INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, status, created_at, updated_at)
                 VALUES ('510821', '{}', 2, '{}', '2026-09', 1, 0, 0);",
                h.household_no,
                RiskType::Accident.code()
            ))
            .unwrap();
            registered.insert(h.household_no.clone());
        }
        let county = region("510821");
        let t = thresholds(&db.store, &county, 2026).unwrap();
        let c = DeptCounty {
            data: &data,
            registered: &registered,
            outside: &other,
            thresholds: t,
            today: today(),
        };
        let files: Vec<_> = DeptKind::ALL
            .iter()
            .map(|k| department_file(&c, *k, 15))
            .collect();

        // a pending lead raised by hand for one of the 医保 alerts' households: joined, not doubled
        let medical = &files[0];
        let (held_no, held_risk) = medical.truth.leads().into_iter().next().unwrap();
        db.execute_unchecked(&format!(
            "INSERT INTO leads (county, household_no, village, risk, level, rules, source, found_on, due_on, status, created_at)
             VALUES ('510821', '{held_no}', '{}', {}, 1, '', {}, '2026-11-20', '2026-11-27', {}, 0);",
            &held_no[..12],
            held_risk.code(),
            LeadSource::CadreCheck.code(),
            LeadStatus::Open.code()
        ))
        .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let mut wanted_leads: BTreeSet<(String, RiskType)> = BTreeSet::new();
        let mut raised = 0;
        for f in &files {
            let kind = f.kind;
            let header: Vec<&str> = f.header.iter().map(String::as_str).collect();
            // one file as a spreadsheet, the others as CSV
            let (name, bytes) = if kind == DeptKind::Housing {
                (
                    format!("{}.xlsx", kind.slug()),
                    shouwang_io::table::xlsx_bytes("Sheet1", &header, &f.rows).unwrap(),
                )
            } else {
                (
                    format!("{}.csv", kind.slug()),
                    shouwang_io::table::csv_bytes(&header, &f.rows).unwrap(),
                )
            };
            let path = dir.path().join(&name);
            std::fs::write(&path, bytes).unwrap();
            let input = BatchInput {
                county: county.clone(),
                region: county.clone(),
                kind,
                channel: BatchChannel::Command,
                file_name: name,
                client_batch_id: None,
                period: None,
                token_id: None,
            };
            let b = match import_file(&db.store, &actor, input, &path, today(), &mut |_| {}) {
                Ok(ImportOutcome::Imported(b)) => b,
                other => panic!("{kind:?} not imported: {other:?}"),
            };
            let truth = &f.truth;
            let who = format!("{} {kind:?}", db.name);
            assert_eq!(
                (b.rows, b.matched, b.unmatched, b.invalid),
                (
                    truth.rows as i64,
                    truth.matched as i64,
                    truth.unmatched as i64,
                    truth.invalid as i64
                ),
                "{who}: rows, matched, unmatched, invalid"
            );
            assert_eq!(b.matched + b.unmatched + b.invalid, b.rows, "{who}");
            // exactly the alerts of the truth
            assert_eq!(b.alerts, truth.alerts.len() as i64, "{who}: alerts");
            assert_eq!(
                db.count_rows(&format!("dept_alerts WHERE batch_id = {}", b.id)),
                truth.alerts.len() as i64,
                "{who}"
            );
            for (id, rule) in &truth.alerts {
                assert_eq!(
                    db.count_rows(&format!(
                        "dept_alerts WHERE batch_id = {} AND id_number = '{}' AND rule = '{}' AND household_no = '{}'",
                        b.id,
                        q(id),
                        rule.code(),
                        truth.households[id]
                    )),
                    1,
                    "{who}: {id} {}",
                    rule.code()
                );
            }
            // exactly the queued rows of the truth, with their reasons
            assert_eq!(
                db.count_rows(&format!("dept_unmatched WHERE batch_id = {}", b.id)),
                truth.queued.len() as i64,
                "{who}: queued"
            );
            for (row, reason) in &truth.queued {
                assert_eq!(
                    db.count_rows(&format!(
                        "dept_unmatched WHERE batch_id = {} AND row_no = {row} AND reason = {}",
                        b.id,
                        reason.code()
                    )),
                    1,
                    "{who}: row {row} {reason:?}"
                );
            }
            // leads: one per (household, risk) not held by a pending lead or an earlier batch
            let new: BTreeSet<(String, RiskType)> = truth
                .leads()
                .into_iter()
                .filter(|l| *l != (held_no.clone(), held_risk) && !wanted_leads.contains(l))
                .collect();
            assert_eq!(b.leads, new.len() as i64, "{who}: leads raised");
            raised += b.leads;
            wanted_leads.extend(new);
        }
        // every department lead is one the truth implies, once
        assert_eq!(
            db.count_rows(&format!(
                "leads WHERE source = {}",
                LeadSource::Department.code()
            )),
            wanted_leads.len() as i64,
            "{}",
            db.name
        );
        assert_eq!(raised, wanted_leads.len() as i64);
        let alerts: usize = files.iter().map(|f| f.truth.alerts.len()).sum();
        let queued: usize = files.iter().map(|f| f.truth.queued.len()).sum();
        assert!(
            alerts >= 30 && queued >= 50 && wanted_leads.len() >= 20,
            "{alerts} {queued}"
        );
        for (no, risk) in &wanted_leads {
            assert_eq!(
                db.count_rows(&format!(
                    "leads WHERE source = {} AND household_no = '{no}' AND risk = {} AND status = {}",
                    LeadSource::Department.code(),
                    risk.code(),
                    LeadStatus::Open.code()
                )),
                1,
                "{}: {no} {risk:?}",
                db.name
            );
        }
        // the held household's alerts joined the lead raised by hand
        assert_eq!(
            db.count_rows(&format!(
                "leads WHERE household_no = '{held_no}' AND risk = {}",
                held_risk.code()
            )),
            1
        );
        assert!(
            db.count_rows(&format!(
                "dept_alerts a WHERE a.household_no = '{held_no}' AND a.raised_lead = 0 AND a.lead_id IS NOT NULL"
            )) >= 1
        );
        assert_eq!(
            db.count_rows("audit_events WHERE action = 'dept.import'"),
            DeptKind::ALL.len() as i64
        );

        // the month's screening: R13 hits every household with an open alert of the year, with
        // that alert's risk, and raises no lead beside the department's
        shouwang_app::screening::run(&db.store, &county, 2026, today(), &actor).unwrap();
        let alerted: BTreeSet<&String> = files
            .iter()
            .flat_map(|f| f.truth.households.values())
            .collect();
        assert_eq!(
            db.count_rows("screening_hits WHERE rule = 'R13'"),
            alerted.len() as i64,
            "{}",
            db.name
        );
        for (no, risk) in &wanted_leads {
            assert_eq!(
                db.count_rows(&format!(
                    "leads WHERE household_no = '{no}' AND risk = {} AND status IN (0, 1)",
                    risk.code()
                )),
                1,
                "{}: screening doubled {no} {risk:?}",
                db.name
            );
        }
        assert_eq!(
            db.count_rows(&format!(
                "leads WHERE source = {} AND rules LIKE '%R13%'",
                LeadSource::Screening.code()
            )),
            0,
            "{}: R13 joined the department's leads",
            db.name
        );
    }
}
