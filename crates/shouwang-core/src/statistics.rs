//! 监测统计: the monitoring statistics (issue 16) — how many households and persons are
//! monitored, of which type, how many had their risk eliminated and how, how many are not yet
//! eliminated, and how many are new in a period, for a region and each of its townships or
//! villages, as they stood on a date.
//!
//! The rule in a county officer's words:
//! - a household counts on date D when the county included it (识别监测日期) on or before D;
//!   cases still being identified do not count;
//! - its type is the type it had on D (a type changed later reads as before the change);
//! - it is 风险已消除 on D when its risk was eliminated on or before D, by the kind recorded
//!   (帮扶消除 or 自然消除); otherwise 风险未消除, even if eliminated since;
//! - it is 新识别 when included within the period (by default from 1 January of D's year to D);
//! - its persons are the household's members on D: those in it now who joined on or before D
//!   (or whose joining is not recorded: they were there from its registration), not dead by D,
//!   and those who have left since D.
//!
//! The store reads each case as it stood on D ([`Group`] rows, a count per area and state); this
//! module adds them into the table's figures, one [`Category`] by type, and says which category
//! a case belongs to, which the list behind each figure uses too.

pub mod synth;

use crate::date::Date;
use crate::monitoring::{CaseType, EliminationKind};
use crate::problem::{Problem, ProblemCode};
use crate::region::RegionCode;
use serde::Serialize;

/// One row of the statistics: what a figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Category {
    /// 监测对象 (all monitored households counted on the date)
    All,
    /// 已消除风险
    Eliminated,
    /// 其中帮扶消除
    AfterAssistance,
    /// 其中自然消除
    Natural,
    /// 未消除风险
    NotEliminated,
    /// 期间新识别
    New,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::All,
        Category::Eliminated,
        Category::AfterAssistance,
        Category::Natural,
        Category::NotEliminated,
        Category::New,
    ];

    /// The name in addresses and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Category::All => "all",
            Category::Eliminated => "eliminated",
            Category::AfterAssistance => "after_assistance",
            Category::Natural => "natural",
            Category::NotEliminated => "not_eliminated",
            Category::New => "new",
        }
    }

    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Category::All => "监测对象",
            Category::Eliminated => "已消除风险",
            Category::AfterAssistance => "其中：帮扶消除",
            Category::Natural => "其中：自然消除",
            Category::NotEliminated => "未消除风险",
            Category::New => "期间新识别",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Category::All => "monitored",
            Category::Eliminated => "risk eliminated",
            Category::AfterAssistance => "of which after assistance",
            Category::Natural => "of which naturally",
            Category::NotEliminated => "risk not eliminated",
            Category::New => "newly identified in the period",
        }
    }

    /// Whether a case in `state` on the as-of date counts in this category.
    pub fn contains(self, state: &CaseState) -> bool {
        match self {
            Category::All => true,
            Category::Eliminated => state.eliminated.is_some(),
            Category::AfterAssistance => state.eliminated == Some(EliminationKind::AfterAssistance),
            Category::Natural => state.eliminated == Some(EliminationKind::Natural),
            Category::NotEliminated => state.eliminated.is_none(),
            Category::New => state.new,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A counted case as it stood on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaseState {
    /// its type on the date
    pub case_type: CaseType,
    /// how its risk was eliminated, if it was on or before the date
    pub eliminated: Option<EliminationKind>,
    /// identified within the period
    pub new: bool,
}

/// Households and persons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub households: u64,
    pub persons: u64,
}

/// Every figure of one region: per category, all types together (index 0) and each type by
/// its number (1 脱贫不稳定户, 2 边缘易致贫户, 3 突发严重困难户).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures([[Count; 4]; 6]);

/// The types in their column order, `None` for all together.
pub const TYPES: [Option<CaseType>; 4] = [
    None,
    Some(CaseType::UnstablePostPoverty),
    Some(CaseType::MarginalAtRisk),
    Some(CaseType::SuddenHardship),
];

fn type_index(t: Option<CaseType>) -> usize {
    t.map_or(0, |t| t.code() as usize)
}

impl Figures {
    /// Counts `households` with `persons` in `state`.
    pub fn add(&mut self, state: &CaseState, households: u64, persons: u64) {
        for c in Category::ALL {
            if c.contains(state) {
                for t in [0, type_index(Some(state.case_type))] {
                    let cell = &mut self.0[c.index()][t];
                    cell.households += households;
                    cell.persons += persons;
                }
            }
        }
    }

    /// The figure of category `c` for type `t` (`None`: all types).
    pub fn get(&self, c: Category, t: Option<CaseType>) -> Count {
        self.0[c.index()][type_index(t)]
    }

    /// Adds another region's figures.
    pub fn merge(&mut self, other: &Figures) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            for (x, y) in a.iter_mut().zip(b.iter()) {
                x.households += y.households;
                x.persons += y.persons;
            }
        }
    }
}

/// What the store reads: the cases of one area (the sub-region a row stands for) in one state
/// on the as-of date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// the sub-region's code (a township of a county, a village of a township, …)
    pub area: String,
    pub state: CaseState,
    pub households: u64,
    pub persons: u64,
}

/// 统计期间 for 新识别: from and to, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// What to count: a region on a date, with the period of new cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub region: RegionCode,
    pub as_of: Date,
    pub period: Period,
}

impl Query {
    /// The query for `region` as of `as_of` (`today` when not given, or the period's end when
    /// only a period is given), new cases within `from`–`to` (by default from 1 January of the
    /// as-of year). A period must not end after the as-of date nor start after its end.
    pub fn new(
        region: RegionCode,
        as_of: Option<Date>,
        from: Option<Date>,
        to: Option<Date>,
        today: Date,
    ) -> Result<Query, Problem> {
        let as_of = as_of.or(to).unwrap_or(today);
        let to = to.unwrap_or(as_of);
        let from = from.unwrap_or_else(|| Date::new(to.year(), 1, 1).unwrap_or(to));
        if from > to || to > as_of {
            return Err(Problem::new(
                ProblemCode::StatsPeriod,
                "from",
                format!("统计期间{from}至{to}无效：起始日期须不晚于截止日期，截止日期须不晚于统计截至日{as_of}"),
                format!("the period {from} to {to} is invalid: it must not start after it ends, nor end after the as-of date {as_of}"),
            ));
        }
        Ok(Query {
            region,
            as_of,
            period: Period { from, to },
        })
    }

    /// The length of the codes of the rows below the region: a county's townships, a township's
    /// villages, a city's counties; a village has none (its own code).
    pub fn area_len(&self) -> usize {
        self.region
            .level()
            .child()
            .map_or(self.region.as_str().len(), |l| l.code_len())
    }
}

/// One row of the table: a sub-region and its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaFigures {
    pub area: String,
    pub figures: Figures,
}

/// The statistics of a region on a date: the region's total and a row per sub-region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub query: Query,
    pub total: Figures,
    pub areas: Vec<AreaFigures>,
}

/// Adds the store's groups into the table. Every sub-region of `areas` gets a row (zero when
/// nothing counts there), in code order; a group of an area not listed still counts (and gets
/// its row), so the rows always add up to the total.
pub fn tally(query: Query, areas: &[String], groups: &[Group]) -> Table {
    let mut rows: std::collections::BTreeMap<&str, Figures> = areas
        .iter()
        .map(|a| (a.as_str(), Figures::default()))
        .collect();
    let mut total = Figures::default();
    for g in groups {
        total.add(&g.state, g.households, g.persons);
        rows.entry(g.area.as_str())
            .or_default()
            .add(&g.state, g.households, g.persons);
    }
    Table {
        query,
        total,
        areas: rows
            .into_iter()
            .map(|(area, figures)| AreaFigures {
                area: area.to_string(),
                figures,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn state(t: CaseType, e: Option<EliminationKind>, new: bool) -> CaseState {
        CaseState {
            case_type: t,
            eliminated: e,
            new,
        }
    }

    #[test]
    fn an_eliminated_case_counts_as_monitored_eliminated_and_by_its_kind_but_not_as_open() {
        let mut f = Figures::default();
        f.add(
            &state(
                CaseType::MarginalAtRisk,
                Some(EliminationKind::Natural),
                false,
            ),
            1,
            4,
        );
        let one = Count {
            households: 1,
            persons: 4,
        };
        for c in [Category::All, Category::Eliminated, Category::Natural] {
            assert_eq!(f.get(c, None), one, "{c:?}");
            assert_eq!(f.get(c, Some(CaseType::MarginalAtRisk)), one, "{c:?}");
            assert_eq!(f.get(c, Some(CaseType::SuddenHardship)), Count::default());
        }
        for c in [
            Category::AfterAssistance,
            Category::NotEliminated,
            Category::New,
        ] {
            assert_eq!(f.get(c, None), Count::default(), "{c:?}");
        }
    }

    #[test]
    fn rows_add_up_to_the_total_and_every_township_has_a_row() {
        let q = Query::new(
            RegionCode::parse("510821").unwrap(),
            Some(d("2026-06-30")),
            None,
            None,
            d("2026-12-01"),
        )
        .unwrap();
        assert_eq!(q.area_len(), 9);
        assert_eq!(q.period.from, d("2026-01-01"));
        let groups = vec![
            Group {
                area: "510821100".into(),
                state: state(CaseType::UnstablePostPoverty, None, true),
                households: 3,
                persons: 10,
            },
            Group {
                area: "510821999".into(),
                state: state(CaseType::SuddenHardship, None, false),
                households: 1,
                persons: 2,
            },
        ];
        let t = tally(
            q,
            &["510821100".to_string(), "510821101".to_string()],
            &groups,
        );
        assert_eq!(t.areas.len(), 3);
        assert_eq!(t.areas[1].figures, Figures::default());
        let mut sum = Figures::default();
        for a in &t.areas {
            sum.merge(&a.figures);
        }
        assert_eq!(sum, t.total);
        assert_eq!(t.total.get(Category::New, None).households, 3);
        assert_eq!(t.total.get(Category::NotEliminated, None).persons, 12);
    }

    #[test]
    fn a_period_ending_after_the_as_of_date_or_starting_after_its_end_is_refused() {
        let r = RegionCode::parse("510821").unwrap();
        let today = d("2026-12-01");
        assert!(Query::new(
            r.clone(),
            Some(d("2026-06-30")),
            None,
            Some(d("2026-07-01")),
            today
        )
        .is_err());
        assert!(Query::new(
            r.clone(),
            None,
            Some(d("2026-05-01")),
            Some(d("2026-04-01")),
            today
        )
        .is_err());
        let q = Query::new(r, None, Some(d("2026-04-01")), Some(d("2026-05-31")), today).unwrap();
        assert_eq!(q.as_of, d("2026-05-31"));
    }

    #[test]
    fn every_category_reads_back_from_its_key() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
        }
        assert_eq!(Category::parse("x"), None);
    }
}
