//! The demo county's assistance records (精准帮扶): the synthetic assistance persons, family
//! doctors, pairings, plans and measures, visits and contacts of eliminated cases
//! ([`shouwang_core::synth::assistance`]), with the demo users in their places: `helper` is one
//! of 桃红村's assistance persons (陈明) and signs in as that person, `taohong` holds the position
//! of 村党支部书记 of 桃红村 and `sanjiang` that of 乡镇党委书记 of 三江镇; the visits their
//! positions made are theirs.

use crate::demo::{DEMO_COUNTY, DEMO_USERS};
use anyhow::{Context, Result};
use shouwang_core::synth::{assistance, SynthAssistance, SynthPosition, SynthRecords};
use shouwang_core::visit::Position;
use shouwang_core::{Date, Household, Member, RegionCode};
use shouwang_store::audit::Actor;
use shouwang_store::Store;

pub const TAOHONG: &str = "510821108212";
pub const SANJIANG: &str = "510821108";

/// The name a demo user signs visits with: the last word of the display name.
fn signature(username: &str) -> String {
    DEMO_USERS
        .iter()
        .find(|(u, ..)| *u == username)
        .and_then(|(.., display)| display.split_whitespace().last())
        .unwrap_or(username)
        .to_string()
}

/// Makes the county's assistance records with the demo users in their places. The helper is
/// the 桃红村 assistance person with the most households; without any (a county too small for
/// 桃红村 to have a 脱贫户 or a case) the helper holds no synthetic pairing.
pub fn make(
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
    seed: u64,
    today: Date,
) -> Result<SynthAssistance> {
    let mut a = assistance(data, records, seed, today, "旺苍县");
    let taohong = RegionCode::parse(TAOHONG).context("village code")?;
    let sanjiang = RegionCode::parse(SANJIANG).context("township code")?;
    let mut households = std::collections::HashMap::<usize, usize>::new();
    for p in a.pairings.iter().filter(|p| p.end.is_none()) {
        let person = &a.persons[p.person];
        if person.village == taohong && person.person.position == Position::AssistancePerson {
            *households.entry(p.person).or_default() += 1;
        }
    }
    let helper = households
        .iter()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(**i)))
        .map(|(i, _)| *i);
    if let Some(h) = helper {
        let person = &mut a.persons[h];
        person.username = Some("helper".into());
        person.person.name = signature("helper");
    }
    for v in &mut a.visits {
        let (user, yes) = match v.position {
            Position::VillageSecretary => ("taohong", v.village == taohong),
            Position::TownshipSecretary => ("sanjiang", sanjiang.contains(&v.village)),
            _ => ("helper", v.person.is_some() && v.person == helper),
        };
        if yes {
            v.visitor = user.to_string();
            v.visitor_name = signature(user);
        }
    }
    for p in &mut a.plans {
        for m in &mut p.measures {
            if let Some(h) = helper {
                if p.village == taohong
                    && a.pairings.iter().any(|x| {
                        x.person == h && x.end.is_none() && x.household_no == p.household_no
                    })
                {
                    m.responsible = signature("helper");
                }
            }
        }
    }
    a.positions = vec![
        SynthPosition {
            username: "taohong".into(),
            position: Position::VillageSecretary,
            region: taohong.clone(),
            person: None,
        },
        SynthPosition {
            username: "sanjiang".into(),
            position: Position::TownshipSecretary,
            region: sanjiang,
            person: None,
        },
    ];
    if let Some(h) = helper {
        a.positions.push(SynthPosition {
            username: "helper".into(),
            position: Position::AssistancePerson,
            region: taohong,
            person: Some(h),
        });
    }
    Ok(a)
}

/// Makes and loads the county's assistance records.
pub fn seed(
    store: &Store,
    data: &[(Household, Vec<Member>)],
    records: &SynthRecords,
    seed: u64,
    today: Date,
) -> Result<()> {
    let started = std::time::Instant::now();
    let county = RegionCode::parse(DEMO_COUNTY).context("demo county code")?;
    let a = make(data, records, seed, today)?;
    let rows = store.bulk_assistance(&Actor::system("demo"), &county, &a, "demo.assistance")?;
    tracing::info!(
        rows,
        seconds = started.elapsed().as_secs_f64(),
        "demo assistance loaded"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::visit::Position;

    #[test]
    fn the_demo_users_hold_their_places_in_the_assistance() {
        let dir = std::env::temp_dir().join(format!("shouwang-demo-assist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = crate::open(&format!("sqlite://{}", dir.join("d.sqlite").display())).unwrap();
        let today = Date::new(2026, 11, 30).unwrap();
        crate::demo::build(&store, 3_000, 42, today).unwrap();
        for (username, role, region, name) in DEMO_USERS {
            crate::add_user_quiet(&store, username, role, region, name, "pw").unwrap();
        }
        let county = RegionCode::parse(DEMO_COUNTY).unwrap();
        let c = store.assistance_counts(&county).unwrap();
        let cases = store.case_counts(&county).unwrap();
        assert_eq!(c.plans, cases.total, "one plan per case");
        assert!(c.persons > 0 && c.doctors > 0 && c.measures > c.plans && c.visits > c.pairings);
        assert_eq!(c.positions, 3, "taohong, sanjiang and helper");
        // the helper reaches 桃红村 households through the synthetic pairing, and only those
        let helper = store.user_by_name("helper").unwrap().unwrap();
        let paired = store.paired_households(helper.id).unwrap();
        assert!(!paired.is_empty());
        assert!(paired.iter().all(|h| h.starts_with(TAOHONG)), "{paired:?}");
        // the made data: the helper is 陈明, the secretaries' visits are the demo users'
        let a = {
            use shouwang_core::synth::{generate, records, SynthConfig, SynthVillage};
            let villages: Vec<SynthVillage> = store
                .villages_of(&county)
                .unwrap()
                .into_iter()
                .map(|code| SynthVillage {
                    code,
                    resettlement_site: None,
                })
                .collect();
            let data = generate(
                &SynthConfig {
                    households: 3_000,
                    seed: 42,
                    today,
                    county: county.clone(),
                },
                &villages,
            );
            let r = records(
                &data,
                42,
                today,
                shouwang_core::Fen::from_yuan(crate::screen_cmd::DEMO_LINE_YUAN),
            );
            make(&data, &r, 42, today).unwrap()
        };
        let helper = a
            .persons
            .iter()
            .find(|p| p.username.as_deref() == Some("helper"))
            .unwrap();
        assert_eq!(helper.person.name, "陈明");
        assert_eq!(helper.village.as_str(), TAOHONG);
        assert!(a
            .visits
            .iter()
            .filter(|v| v.position == Position::VillageSecretary && v.village.as_str() == TAOHONG)
            .all(|v| v.visitor == "taohong" && v.visitor_name == "赵文"));
        assert!(a
            .visits
            .iter()
            .any(|v| v.visitor == "helper" && v.position == Position::AssistancePerson));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
