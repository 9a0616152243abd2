//! Synthetic monitoring histories with their known truth: on top of generated households, cases
//! included on given days, some whose type changed later, some eliminated (by either kind) on a
//! later day; persons who joined a household on a day, persons who left it on a day, persons who
//! died. [`truth`] counts them for a date by walking each case and person the plain way, apart
//! from the store's SQL and from [`super::tally`], so that a test can compare the two.

use super::{Category, Count, Query, TYPES};
use crate::codes::Relation;
use crate::date::Date;
use crate::household::{Household, Member};
use crate::monitoring::{CaseType, EliminationKind};
use crate::synth::Rng;
use std::collections::{BTreeMap, HashMap};

/// A case and its dated history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthCase {
    pub household_no: String,
    /// 识别监测日期
    pub identified_on: Date,
    /// the type from each day on, the first from `identified_on`, in date order
    pub types: Vec<(Date, CaseType)>,
    /// 风险消除日期 and 方式
    pub eliminated: Option<(Date, EliminationKind)>,
}

impl SynthCase {
    /// The type now (the last of its history).
    pub fn case_type(&self) -> CaseType {
        self.types
            .last()
            .map_or(CaseType::UnstablePostPoverty, |t| t.1)
    }
}

/// A member who joined the household on a day (the member is among its members now).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthJoin {
    pub household_no: String,
    pub id_number: String,
    pub joined_on: Date,
}

/// A member who left on a day (no longer among the household's members).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthDeparture {
    pub household_no: String,
    pub member: Member,
    pub left_on: Date,
}

/// The histories added to a set of households.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub cases: Vec<SynthCase>,
    pub joins: Vec<SynthJoin>,
    pub departures: Vec<SynthDeparture>,
}

fn day_between(rng: &mut Rng, from: Date, to: Date) -> Date {
    let span = (to.to_days() - from.to_days()).max(0);
    from.add_days(rng.range(0, span))
}

/// Adds histories to `data` over the three years before `today`: about one household in six
/// becomes a case; one case in eight changes type later, about half are eliminated; one
/// non-head member in ten of a case household joined on a recorded day, one in twelve left (and
/// is taken out of the household's members), one in thirty died.
pub fn generate(data: &mut [(Household, Vec<Member>)], seed: u64, today: Date) -> History {
    let mut rng = Rng::new(seed);
    let start = today.add_days(-3 * 365);
    let mut history = History::default();
    let types = [
        CaseType::UnstablePostPoverty,
        CaseType::MarginalAtRisk,
        CaseType::SuddenHardship,
    ];
    for (h, members) in data.iter_mut() {
        if !rng.chance(1.0 / 6.0) {
            continue;
        }
        let identified_on = day_between(&mut rng, start, today);
        let mut case_types = vec![(identified_on, *rng.pick(&types))];
        if rng.chance(0.125) && identified_on < today {
            let on = day_between(&mut rng, identified_on.add_days(1), today);
            let now = case_types[0].1;
            let other = *rng.pick(&types);
            if other != now && on > identified_on {
                case_types.push((on, other));
            }
        }
        let eliminated = if rng.chance(0.5) {
            let on = day_between(&mut rng, identified_on, today);
            let kind = if rng.chance(0.7) {
                EliminationKind::AfterAssistance
            } else {
                EliminationKind::Natural
            };
            Some((on, kind))
        } else {
            None
        };
        history.cases.push(SynthCase {
            household_no: h.household_no.clone(),
            identified_on,
            types: case_types,
            eliminated,
        });
        let mut kept = Vec::with_capacity(members.len());
        for mut m in std::mem::take(members) {
            if m.relation == Relation::Head {
                kept.push(m);
                continue;
            }
            if rng.chance(1.0 / 12.0) {
                history.departures.push(SynthDeparture {
                    household_no: h.household_no.clone(),
                    left_on: day_between(&mut rng, start, today),
                    member: m,
                });
                continue;
            }
            if rng.chance(0.1) {
                history.joins.push(SynthJoin {
                    household_no: h.household_no.clone(),
                    id_number: m.id_number.clone(),
                    joined_on: day_between(&mut rng, start, today),
                });
            }
            if m.deceased_on.is_none() && rng.chance(1.0 / 30.0) {
                m.deceased_on = Some(day_between(&mut rng, start, today));
            }
            kept.push(m);
        }
        *members = kept;
    }
    history
}

/// One figure of the truth: `area` `None` for the region's total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TruthFigure {
    pub area: Option<String>,
    pub category: Category,
    pub case_type: Option<CaseType>,
    pub count: Count,
}

/// The figures `query` should give over `data` and `history`, counted case by case and person
/// by person; every (area, category, type) that counts something, zero figures left out.
pub fn truth(
    data: &[(Household, Vec<Member>)],
    history: &History,
    query: &Query,
) -> Vec<TruthFigure> {
    let d = query.as_of;
    let region = query.region.as_str();
    let area_len = query.area_len();
    let households: HashMap<&str, &(Household, Vec<Member>)> = data
        .iter()
        .map(|hm| (hm.0.household_no.as_str(), hm))
        .collect();
    let joined: HashMap<(&str, &str), Date> = history
        .joins
        .iter()
        .map(|j| ((j.household_no.as_str(), j.id_number.as_str()), j.joined_on))
        .collect();
    let mut figures: BTreeMap<(Option<String>, usize, usize), Count> = BTreeMap::new();
    for c in &history.cases {
        let Some((h, members)) = households.get(c.household_no.as_str()).copied() else {
            continue;
        };
        let village = h.village.as_str();
        if !village.starts_with(region) || c.identified_on > d {
            continue;
        }
        // the type on the date: the last one taken on or before it
        let mut case_type = c.types[0].1;
        for (from, t) in &c.types {
            if *from <= d {
                case_type = *t;
            }
        }
        let eliminated = match c.eliminated {
            Some((on, kind)) if on <= d => Some(kind),
            _ => None,
        };
        let new = c.identified_on >= query.period.from && c.identified_on <= query.period.to;
        let mut persons = 0u64;
        for m in members {
            let there = joined
                .get(&(c.household_no.as_str(), m.id_number.as_str()))
                .is_none_or(|on| *on <= d);
            let alive = m.deceased_on.is_none_or(|on| on > d);
            if there && alive {
                persons += 1;
            }
        }
        for p in &history.departures {
            if p.household_no == c.household_no && p.left_on > d {
                persons += 1;
            }
        }
        let mut categories = vec![Category::All];
        match eliminated {
            Some(EliminationKind::AfterAssistance) => {
                categories.push(Category::Eliminated);
                categories.push(Category::AfterAssistance);
            }
            Some(EliminationKind::Natural) => {
                categories.push(Category::Eliminated);
                categories.push(Category::Natural);
            }
            None => categories.push(Category::NotEliminated),
        }
        if new {
            categories.push(Category::New);
        }
        let area = village[..area_len.min(village.len())].to_string();
        for cat in categories {
            for t in [0usize, case_type.code() as usize] {
                for a in [None, Some(area.clone())] {
                    let f = figures.entry((a, cat as usize, t)).or_default();
                    f.households += 1;
                    f.persons += persons;
                }
            }
        }
    }
    figures
        .into_iter()
        .map(|((area, c, t), count)| TruthFigure {
            area,
            category: Category::ALL[c],
            case_type: TYPES[t],
            count,
        })
        .collect()
}
