//! 数据质量 use cases on every configured backend: a run over a county finds a damaged record in
//! its village; `village_quality` gives one row per village with households, its findings net of
//! exemptions; an exemption is granted only for a finding the record has, a member named by the
//! masked number the page shows; withdrawn, the finding counts again.

use shouwang_app::quality::{grant_exemption, run, village_quality, withdraw_exemption, Grant};
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::quality::Rule;
use shouwang_core::synth::{generate, SynthConfig, SynthVillage};
use shouwang_core::{Date, ProblemCode, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::testing::TestDb;
use shouwang_store::StoreError;

const TAOHONG: &str = "510821108212";
const LONGFENG: &str = "510821115200";

fn region(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

#[test]
fn village_quality_counts_findings_net_of_exemptions_per_village() {
    let today = Date::parse("2026-11-20").unwrap();
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
        let data = generate(
            &SynthConfig {
                households: 20,
                seed: 3,
                today,
                county: region("510821"),
            },
            &villages,
        );
        db.store
            .bulk_load(&Actor::system("test"), &data, "test")
            .unwrap();
        let county = region("510821");
        let before = village_quality(&db.store, &county, today).unwrap();
        assert_eq!(before.len(), 2, "{}", db.name);
        assert_eq!(before.iter().map(|v| v.households).sum::<u64>(), 20);
        let (h, m) = data
            .iter()
            .find(|(h, _)| h.village.as_str() == TAOHONG)
            .unwrap();
        let head = m.iter().find(|m| m.relation == Relation::Head).unwrap();
        db.execute_unchecked(&format!(
            "UPDATE members SET resident_medical = 1, employee_medical = 1 WHERE id_number = '{}'",
            head.id_number
        ))
        .unwrap();
        let after = village_quality(&db.store, &county, today).unwrap();
        let of = |rows: &[shouwang_core::quality::VillageQuality], v: &str| {
            rows.iter().find(|r| r.village == v).unwrap().findings
        };
        assert_eq!(of(&after, TAOHONG), of(&before, TAOHONG) + 1);
        assert_eq!(of(&after, LONGFENG), of(&before, LONGFENG));
        let r = run(&db.store, &county, today).unwrap();
        assert!(r
            .findings
            .iter()
            .any(|f| f.rule == Rule::TwoMedicalInsurances && f.household_no == h.household_no));
        // an exemption for a rule the record does not break is refused
        let actor = Actor {
            user_id: None,
            username: "county".into(),
        };
        let wrong = grant_exemption(
            &db.store,
            &actor,
            &county,
            &Grant {
                household_no: h.household_no.clone(),
                member: mask(&head.id_number),
                rule: Rule::HeadUnder16,
                reason: "并无此疑点的豁免".into(),
            },
            today,
        );
        assert!(
            matches!(wrong, Err(StoreError::Invalid(p)) if p[0].code == ProblemCode::QualityRecord)
        );
        let id = grant_exemption(
            &db.store,
            &actor,
            &county,
            &Grant {
                household_no: h.household_no.clone(),
                member: mask(&head.id_number),
                rule: Rule::TwoMedicalInsurances,
                reason: "职工医保转居民医保过渡期，两者并存一个月".into(),
            },
            today,
        )
        .unwrap();
        let exempted = village_quality(&db.store, &county, today).unwrap();
        assert_eq!(of(&exempted, TAOHONG), of(&before, TAOHONG));
        let r = run(&db.store, &county, today).unwrap();
        let f = r
            .findings
            .iter()
            .find(|f| f.rule == Rule::TwoMedicalInsurances)
            .unwrap();
        assert!(f.exempted && f.member == head.id_number);
        let rule = r
            .by_rule()
            .into_iter()
            .find(|c| c.rule == Rule::TwoMedicalInsurances)
            .unwrap();
        assert_eq!((rule.open, rule.exempted), (0, 1));
        // the export tables: every rule, every village, every finding with its state, IDs masked
        use shouwang_app::quality::{table_rows, QualityTable};
        let names = db.store.quality_region_names(&county).unwrap();
        let (_, rules) = table_rows(&r, QualityTable::Rules, &names, shouwang_core::Lang::Zh);
        assert_eq!(rules.len(), Rule::ALL.len());
        let (_, villages) = table_rows(&r, QualityTable::Villages, &names, shouwang_core::Lang::Zh);
        assert_eq!(villages.len(), 2);
        assert!(villages.iter().any(|v| v[0] == "桃红村"));
        let (header, found) =
            table_rows(&r, QualityTable::Findings, &names, shouwang_core::Lang::En);
        assert_eq!(header[0], "village");
        let row = found.iter().find(|row| row[5] == "0_00_015").unwrap();
        assert_eq!(row[4], mask(&head.id_number));
        assert_eq!(row[10], "exempted");
        // a township outside cannot withdraw it; the county can, and it counts again
        assert!(matches!(
            withdraw_exemption(&db.store, &actor, &region("510821115"), id, "越权撤销试试"),
            Err(StoreError::NotFound)
        ));
        withdraw_exemption(&db.store, &actor, &county, id, "已改正为只参加居民医保").unwrap();
        let again = village_quality(&db.store, &county, today).unwrap();
        assert_eq!(of(&again, TAOHONG), of(&before, TAOHONG) + 1);
    }
}
