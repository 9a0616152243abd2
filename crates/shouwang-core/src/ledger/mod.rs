//! The household ledger (户人台账) as records: one household as a ledger carries it (the
//! household, its members, the year's incomes and 三保障 flags, the monitoring case), a household
//! refused whole with its row errors, and the columns of the national format ([`columns`]).
//!
//! Files are read and written by the io crate and stored by the store crate; both speak these
//! types. A household keeps the file's rows it came from (`S`, opaque here: the error workbook
//! gives them back), so that the store can name a row without knowing anything of files.

pub mod columns;

pub use columns::Col;

use crate::household::{Household, Member};
use crate::income::Income;
use crate::monitoring::MonitoringCase;
use crate::problem::Problem;
use crate::region::RegionCode;

/// One problem in one cell (or row): the 1-based spreadsheet row number as Excel shows it, the
/// column's header as the file names it, and the reason in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub problem: Problem,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "第{}行“{}”：{} / row {}, column '{}': {}",
            self.row, self.column, self.problem.zh, self.row, self.column, self.problem.en
        )
    }
}

/// The rows a household was read from, as the reader keeps them: the store only asks their
/// numbers.
pub trait SourceRows: Clone + Send {
    /// The 1-based spreadsheet row of the `index`-th row (a member's row, in file order).
    fn row_number(&self, index: usize) -> Option<usize>;
    /// How many rows there are.
    fn count(&self) -> usize;
}

/// A row that knows its spreadsheet row number.
pub trait NumberedRow: Clone + Send {
    fn number(&self) -> usize;
}

impl<R: NumberedRow> SourceRows for Vec<R> {
    fn row_number(&self, index: usize) -> Option<usize> {
        self.get(index).map(NumberedRow::number)
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// A household that comes from no file (an export, synthetic data).
impl SourceRows for () {
    fn row_number(&self, _: usize) -> Option<usize> {
        None
    }
    fn count(&self) -> usize {
        0
    }
}

/// Where the household lives, as the file names it (省/市/县/乡/村 and 村代码). The store
/// resolves it against its region tree, inside the county being imported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceNames {
    /// 省
    pub province: String,
    /// 市
    pub city: String,
    /// 县
    pub county: String,
    /// 乡
    pub township: String,
    /// 村 (or 行政村), as written, committee suffix included if the file has it
    pub village: String,
    /// 村代码: 12 digits; when given it wins over the names
    pub village_code: Option<RegionCode>,
}

/// The 三保障 and drinking-water flags (两不愁三保障及饮水安全) the ledger carries; `None` where
/// the file leaves the column out or empty. `true` means the problem exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LedgerGuarantees {
    /// 是否住房出现安全问题 (alias 是否危房户)
    pub unsafe_housing: Option<bool>,
    /// 是否义务教育阶段适龄儿童少年失学辍学
    pub out_of_school: Option<bool>,
    /// 是否有家庭成员未参加城乡居民（职工）基本医疗保险
    pub uninsured_member: Option<bool>,
    /// 是否饮水出现安全问题 (inverse of 是否解决安全饮用水)
    pub unsafe_water: Option<bool>,
}

impl LedgerGuarantees {
    /// Whether the file gives any of the four flags.
    pub fn any_given(&self) -> bool {
        self.unsafe_housing.is_some()
            || self.out_of_school.is_some()
            || self.uninsured_member.is_some()
            || self.unsafe_water.is_some()
    }
}

/// One valid household of the ledger (户), with its members, ready for the store.
///
/// `household.village` is the 村代码 when the file gives one; otherwise it is the placeholder
/// [`unresolved_village`] and the store must resolve [`LedgerHousehold::place`] (names) and set
/// it ([`LedgerHousehold::set_village`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerHousehold<S = ()> {
    pub household: Household,
    pub place: PlaceNames,
    /// 家庭成员, in file order
    pub members: Vec<Member>,
    /// 监测对象: present when 监测对象类别 is filled
    pub monitoring: Option<MonitoringCase>,
    /// 年度: the data year of the incomes and flags
    pub year: Option<i32>,
    /// present when any of the seven income columns is filled (the others count as 0); its
    /// period is the year 年度 gives (or the year the file is read in, when 年度 is empty)
    pub income: Option<Income>,
    pub guarantees: LedgerGuarantees,
    /// Things worth telling the user that do not reject the household (derived incomes that
    /// disagree with their components, unknown 户类型 kept as 其他).
    pub warnings: Vec<RowError>,
    /// The rows the household came from, as read.
    pub source_rows: S,
}

/// The village code standing for "not resolved yet": all zeros, never a real village.
pub fn unresolved_village() -> RegionCode {
    // a constant that is canonical by construction
    RegionCode::from_canonical("000000000000")
        .unwrap_or_else(|| unreachable!("twelve digits are canonical"))
}

impl<S> LedgerHousehold<S> {
    /// Whether the village is known by code (from 村代码 or set by the store).
    pub fn village_resolved(&self) -> bool {
        self.household.village != unresolved_village()
    }
    /// Sets the village the store resolved from [`LedgerHousehold::place`].
    pub fn set_village(&mut self, village: RegionCode) {
        self.household.village = village;
    }
}

impl<S: SourceRows> LedgerHousehold<S> {
    /// The 1-based row numbers the household came from.
    pub fn row_numbers(&self) -> Vec<usize> {
        (0..self.source_rows.count())
            .filter_map(|i| self.source_rows.row_number(i))
            .collect()
    }
    /// The row of a member (by position in `members`), for the store's own row errors.
    pub fn row_of_member(&self, index: usize) -> Option<usize> {
        self.source_rows.row_number(index)
    }
    /// The household's first row (0 when it comes from no file).
    pub fn first_row(&self) -> usize {
        self.source_rows.row_number(0).unwrap_or(0)
    }
    /// Turns this household into a rejected one, for errors the store finds (a person already
    /// in another household in the database, an unknown village): the error workbook then gets
    /// its rows.
    pub fn reject(self, errors: Vec<RowError>) -> RejectedHousehold<S> {
        RejectedHousehold {
            household_no: self.household.household_no,
            errors,
            warnings: self.warnings,
            rows: self.source_rows,
        }
    }
}

/// A household refused whole, with every problem found in its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct RejectedHousehold<S = ()> {
    /// 户编号 (empty for a row without one)
    pub household_no: String,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
    pub rows: S,
}

impl<S: SourceRows> RejectedHousehold<S> {
    /// The household's first row (0 when it comes from no file).
    pub fn first_row(&self) -> Option<usize> {
        self.rows.row_number(0)
    }
}

/// What the reader hands over, household by household.
#[derive(Clone, Debug, PartialEq)]
pub enum LedgerItem<S = ()> {
    Household(Box<LedgerHousehold<S>>),
    Rejected(Box<RejectedHousehold<S>>),
}
