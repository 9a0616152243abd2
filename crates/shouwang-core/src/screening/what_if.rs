//! What-if (模拟测算): how many households and persons each village and township would have
//! flagged under an edited standard or rule set, against the current one. Nothing is written and
//! nothing is allocated per household: one pass fills per-village counters.

use super::engine::Plan;
use super::snapshot::Snapshot;
use crate::region::{RegionCode, RegionLevel};
use serde::Serialize;
use std::collections::BTreeMap;

/// Households and persons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flagged {
    pub households: u64,
    pub persons: u64,
}

impl Flagged {
    fn add(&mut self, other: Flagged) {
        self.households += other.households;
        self.persons += other.persons;
    }
}

/// The comparison for one area (a village, a township, or the whole snapshot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AreaCounts {
    pub region: Option<RegionCode>,
    /// All households and persons of the area
    pub all: Flagged,
    /// Flagged (at least one hit) under the current plan
    pub current: Flagged,
    /// Flagged under the edited plan
    pub edited: Flagged,
    /// Flagged under the edited plan but not now (would enter)
    pub entering: Flagged,
    /// Flagged now but not under the edited plan (would leave)
    pub leaving: Flagged,
}

impl AreaCounts {
    fn new(region: Option<RegionCode>) -> AreaCounts {
        AreaCounts {
            region,
            all: Flagged::default(),
            current: Flagged::default(),
            edited: Flagged::default(),
            entering: Flagged::default(),
            leaving: Flagged::default(),
        }
    }
    fn add(&mut self, o: &AreaCounts) {
        self.all.add(o.all);
        self.current.add(o.current);
        self.edited.add(o.edited);
        self.entering.add(o.entering);
        self.leaving.add(o.leaving);
    }
    /// Change in flagged households (edited − current).
    pub fn household_change(&self) -> i64 {
        self.edited.households as i64 - self.current.households as i64
    }
    /// Change in flagged persons (edited − current).
    pub fn person_change(&self) -> i64 {
        self.edited.persons as i64 - self.current.persons as i64
    }
}

/// The what-if answer: per village (snapshot order), per township (by code), and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIf {
    pub villages: Vec<AreaCounts>,
    pub townships: Vec<AreaCounts>,
    pub total: AreaCounts,
}

/// Compares two compiled plans over the whole snapshot.
pub fn what_if(snapshot: &Snapshot, current: &Plan, edited: &Plan) -> WhatIf {
    // per village: [all h, all p, cur h, cur p, edit h, edit p, enter h, enter p, leave h, leave p]
    let mut acc = vec![[0u64; 10]; snapshot.villages.len()];
    let n = snapshot.len();
    let (village, size) = (&snapshot.village[..n], &snapshot.size[..n]);
    current.for_each_pair(edited, snapshot, |i, now, then| {
        let p = u64::from(size[i]);
        let (a, b) = (u64::from(now != 0), u64::from(then != 0));
        if let Some(c) = acc.get_mut(village[i] as usize) {
            c[0] += 1;
            c[1] += p;
            c[2] += a;
            c[3] += a * p;
            c[4] += b;
            c[5] += b * p;
            c[6] += b & !a & 1;
            c[7] += (b & !a & 1) * p;
            c[8] += a & !b & 1;
            c[9] += (a & !b & 1) * p;
        }
    });
    let villages: Vec<AreaCounts> = snapshot
        .villages
        .iter()
        .zip(&acc)
        .map(|(code, c)| {
            let f = |h: usize| Flagged {
                households: c[h],
                persons: c[h + 1],
            };
            AreaCounts {
                region: Some(code.clone()),
                all: f(0),
                current: f(2),
                edited: f(4),
                entering: f(6),
                leaving: f(8),
            }
        })
        .collect();
    let mut towns: BTreeMap<Option<RegionCode>, AreaCounts> = BTreeMap::new();
    let mut total = AreaCounts::new(None);
    for v in &villages {
        total.add(v);
        // a household hung on a region above township level counts as its own "township"
        let town = v.region.as_ref().map(|c| {
            c.ancestor(RegionLevel::Township)
                .unwrap_or_else(|| c.clone())
        });
        towns
            .entry(town.clone())
            .or_insert_with(|| AreaCounts::new(town))
            .add(v);
    }
    WhatIf {
        villages,
        townships: towns.into_values().collect(),
        total,
    }
}
