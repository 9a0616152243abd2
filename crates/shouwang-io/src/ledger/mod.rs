//! The household ledger (户人台账) of FORMATS.md §1, read and written without a database.
//!
//! **Reading** ([`read_ledger`]) streams a CSV or xlsx file row by row, maps the columns by
//! header name ([`columns`]), parses the cells ([`cell`]), groups the rows into households by
//! 户编号 and validates each household with core's rules plus the ledger's own
//! ([`convert`]). Each household comes out either as a [`LedgerHousehold`] ready for the store
//! or as a [`RejectedHousehold`] with its [`RowError`]s (row, column, reason in Chinese and
//! English): a household with any bad row is rejected whole.
//!
//! **Grouping and memory**: rows of one household need not be contiguous ([`Grouping`]). Read
//! in two passes, a first, light pass notes the last row of every 户编号 (one small map entry per
//! household); the second pass keeps the rows of the households still open and hands each
//! household over at its last row. In a file sorted by household, as the national system exports
//! it, that is only ever the current household; rows scattered through the file keep their
//! households in the map until their last row. Such a sorted file can also be read in one pass,
//! a household ending where the next begins; the importer tries that first and reads again in
//! two passes when a household's rows turn out to be apart. The ID numbers seen so far are kept
//! to find duplicates across households.
//!
//! **Writing** ([`write`]): [`write::write_ledger_csv`], [`write::write_ledger_xlsx`] and the
//! error workbook [`write::write_error_workbook`]. Our own exports say when they were made
//! ([`stamp`]), for the importer's guard against overwriting newer edits.

pub mod cell;
pub mod columns;
pub mod convert;
pub mod limits;
pub mod source;
pub mod stamp;
pub mod synth;
pub mod write;

use shouwang_core::date::YearMonth;
use shouwang_core::Date;
use shouwang_core::ProblemCode;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub use cell::{Cell, CellRef};
pub use columns::{Col, HeaderMap};
pub use limits::{Limit, Limits};
pub use shouwang_core::ledger::{
    unresolved_village, LedgerGuarantees, PlaceNames, RowError, SourceRows,
};
pub use source::{Encoding, FileKind};
pub use stamp::read_export_time;
pub use write::{
    csv_safe, write_error_workbook, write_ledger_csv, write_ledger_xlsx, Ids, LedgerCsvWriter,
    LedgerXlsxWriter, WriteError,
};

/// How many rows are searched for the header row before giving up.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// A problem with the file as a whole: nothing of it can be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("无法读取文件 {path}：{message} / cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("文件为空 / the file is empty")]
    Empty,
    #[error("不是电子表格：{reason}；请上传xlsx或CSV文件 / not a spreadsheet ({reason}): upload an xlsx or CSV file")]
    NotSpreadsheet { reason: String },
    #[error("不支持旧版Excel（.xls）格式，请在Excel中另存为.xlsx / the old Excel format (.xls) is not supported: save the file as .xlsx")]
    LegacyXls,
    #[error("不支持UTF-16编码的文本，请另存为UTF-8编码的CSV / UTF-16 text is not supported: save it as UTF-8 CSV")]
    Utf16,
    #[error("工作簿中没有工作表 / the workbook has no sheet")]
    NoSheets,
    #[error("找不到工作表“{name}”，工作簿中有：{} / there is no sheet '{name}'; the workbook has: {}", available.join("、"), available.join(", "))]
    WrongSheet {
        name: String,
        available: Vec<String>,
    },
    #[error("找不到表头行：前{searched}行中没有一行同时包含“证件号码”和“姓名” / no header row: none of the first {searched} rows holds both 证件号码 and 姓名")]
    NoHeader { searched: usize },
    #[error("缺少必填列“{column}” / the required column '{column}' is missing")]
    MissingColumn { column: String },
    #[error("列“{column}”出现了两次（“{first}”和“{second}”） / the column '{column}' appears twice ('{first}' and '{second}')")]
    DuplicateColumn {
        column: String,
        first: String,
        second: String,
    },
    #[error("CSV第{row}行无法读取：{message} / CSV row {row} cannot be read: {message}")]
    Csv { row: usize, message: String },
    /// Only with [`Grouping::OnePass`]: read the file again with [`Grouping::TwoPasses`].
    #[error("第{row}行：户编号{household}的各行不相邻 / row {row}: the rows of household {household} are not together")]
    NotGrouped { row: usize, household: String },
    /// The file is over one of the [`Limits`]: nothing of it is imported.
    #[error("{}", limits::over_limit_text(.limit, .row))]
    OverLimit { limit: Limit, row: Option<usize> },
}

impl LedgerError {
    /// A stable code for the API and translations.
    pub fn code(&self) -> ProblemCode {
        match self {
            LedgerError::Io { .. } => ProblemCode::LedgerIo,
            LedgerError::Empty => ProblemCode::LedgerEmpty,
            LedgerError::NotSpreadsheet { .. } => ProblemCode::LedgerNotSpreadsheet,
            LedgerError::LegacyXls => ProblemCode::LedgerLegacyXls,
            LedgerError::Utf16 => ProblemCode::LedgerUtf16,
            LedgerError::NoSheets => ProblemCode::LedgerNoSheets,
            LedgerError::WrongSheet { .. } => ProblemCode::LedgerWrongSheet,
            LedgerError::NoHeader { .. } => ProblemCode::LedgerNoHeader,
            LedgerError::MissingColumn { .. } => ProblemCode::LedgerMissingColumn,
            LedgerError::DuplicateColumn { .. } => ProblemCode::LedgerDuplicateColumn,
            LedgerError::Csv { .. } => ProblemCode::LedgerCsv,
            LedgerError::NotGrouped { .. } => ProblemCode::LedgerNotGrouped,
            LedgerError::OverLimit { .. } => ProblemCode::LedgerOverLimit,
        }
    }
}

/// One row of the file as it was read, kept for the error workbook.
#[derive(Clone)]
pub struct SourceRow {
    /// 1-based spreadsheet row number.
    pub number: usize,
    cells: RowCells,
}

/// How a [`SourceRow`] keeps its cells: a CSV record as one text with the fields' ends (two
/// allocations a row rather than one a cell), other rows as cells.
#[derive(Clone)]
enum RowCells {
    Cells(Vec<Cell>),
    Text {
        /// the fields' text, one after the other
        text: String,
        /// where each field ends in `text`
        ends: Vec<u32>,
        /// the fields that were not valid text ([`Cell::BadEncoding`]), in increasing order
        bad: Vec<u32>,
    },
}

impl SourceRow {
    pub fn new(number: usize, cells: Vec<Cell>) -> SourceRow {
        SourceRow {
            number,
            cells: RowCells::Cells(cells),
        }
    }

    /// A row of text fields: `text` holds them one after the other, `ends[i]` is where field
    /// `i` ends, and the fields in `bad` had bytes that are not valid text (their text is
    /// empty). An empty field is [`Cell::Empty`].
    pub(crate) fn from_text(
        number: usize,
        text: String,
        ends: Vec<u32>,
        bad: Vec<u32>,
    ) -> SourceRow {
        SourceRow {
            number,
            cells: RowCells::Text { text, ends, bad },
        }
    }

    /// The number of cells (up to the last one the row has).
    pub fn len(&self) -> usize {
        match &self.cells {
            RowCells::Cells(cells) => cells.len(),
            RowCells::Text { ends, .. } => ends.len(),
        }
    }

    /// Whether the row has no cells at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at position `i`, `None` beyond the row's end.
    pub fn cell(&self, i: usize) -> Option<CellRef<'_>> {
        match &self.cells {
            RowCells::Cells(cells) => cells.get(i).map(Cell::view),
            RowCells::Text { text, ends, bad } => {
                let end = *ends.get(i)? as usize;
                let start = match i.checked_sub(1) {
                    Some(before) => ends[before] as usize,
                    None => 0,
                };
                if u32::try_from(i).is_ok_and(|i| bad.binary_search(&i).is_ok()) {
                    return Some(CellRef::BadEncoding);
                }
                Some(match text.get(start..end) {
                    None | Some("") => CellRef::Empty,
                    Some(t) => CellRef::Text(t),
                })
            }
        }
    }

    /// The cells in order.
    pub fn cells(&self) -> impl Iterator<Item = CellRef<'_>> + '_ {
        (0..self.len()).filter_map(|i| self.cell(i))
    }

    /// The cells, owned.
    pub fn to_cells(&self) -> Vec<Cell> {
        self.cells().map(CellRef::to_cell).collect()
    }
}

impl PartialEq for SourceRow {
    /// Rows are equal when their numbers and cells are, however they keep them.
    fn eq(&self, other: &SourceRow) -> bool {
        self.number == other.number && self.len() == other.len() && self.cells().eq(other.cells())
    }
}

impl std::fmt::Debug for SourceRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceRow")
            .field("number", &self.number)
            .field("cells", &self.to_cells())
            .finish()
    }
}

/// A household as the reader hands it over, with the rows it came from.
pub type LedgerHousehold = shouwang_core::ledger::LedgerHousehold<Vec<SourceRow>>;
/// A household refused whole, with the rows it came from.
pub type RejectedHousehold = shouwang_core::ledger::RejectedHousehold<Vec<SourceRow>>;
/// What the reader hands to the caller, household by household.
pub type LedgerItem = shouwang_core::ledger::LedgerItem<Vec<SourceRow>>;

impl shouwang_core::ledger::NumberedRow for SourceRow {
    fn number(&self) -> usize {
        self.number
    }
}

/// Options of [`read_ledger`].
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The day validation is relative to (ages, birth dates in the future).
    pub today: Date,
    /// The xlsx sheet to read; the first sheet when `None`. Ignored for CSV.
    pub sheet: Option<String>,
    pub grouping: Grouping,
    /// How big the file may be ([`Limits::default`] unless set).
    pub limits: Limits,
}

/// How the reader knows a household's rows are all read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    /// Read the file twice: the first pass finds every household's last row, so that the rows
    /// of a household may be anywhere in the file (a ledger sorted by name in Excel). Always
    /// right.
    #[default]
    TwoPasses,
    /// Read the file once: a household ends where the next household's rows begin, as in the
    /// national system's exports. At the first household whose rows are apart the reader stops
    /// with [`LedgerError::NotGrouped`], the households before it already handed over: the
    /// caller reads again with [`Grouping::TwoPasses`] (the importer after rolling back).
    OnePass,
}

impl ReadOptions {
    pub fn new(today: Date) -> ReadOptions {
        ReadOptions {
            today,
            sheet: None,
            grouping: Grouping::TwoPasses,
            limits: Limits::default(),
        }
    }
    pub fn limits(mut self, limits: Limits) -> ReadOptions {
        self.limits = limits;
        self
    }
    pub fn grouping(mut self, grouping: Grouping) -> ReadOptions {
        self.grouping = grouping;
        self
    }
    pub fn sheet(mut self, name: impl Into<String>) -> ReadOptions {
        self.sheet = Some(name.into());
        self
    }
}

/// What was read, for the import report.
#[derive(Clone, Debug)]
pub struct LedgerSummary {
    pub kind: FileKind,
    pub header: HeaderMap,
    /// Data rows below the header (blank rows not counted).
    pub rows: usize,
    pub households: usize,
    pub persons: usize,
    pub rejected_households: usize,
    pub rejected_rows: usize,
}

impl LedgerSummary {
    /// Headers that name no known column, once each (未识别的列).
    pub fn unknown_columns(&self) -> &[String] {
        &self.header.unknown
    }
}

/// Either the file's error or the caller's own (from its sink).
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Sink(E),
}

/// Finds the header among the first rows; `None` while still searching.
struct HeaderFinder {
    header: Option<HeaderMap>,
}

impl HeaderFinder {
    /// Returns the header once found, and whether `cells` is a data row below it.
    fn feed(&mut self, number: usize, cells: &[Cell]) -> Result<bool, LedgerError> {
        if self.header.is_some() {
            return Ok(true);
        }
        let texts: Vec<String> = cells.iter().map(Cell::display).collect();
        if columns::is_header_row(texts.iter().map(String::as_str)) {
            self.header = Some(HeaderMap::new(texts, number)?);
        } else if number >= HEADER_SEARCH_ROWS {
            return Err(LedgerError::NoHeader {
                searched: HEADER_SEARCH_ROWS,
            });
        }
        Ok(false)
    }
}

/// Whether a data row has nothing in any known column (blank lines, the extra lines of an error
/// workbook that carry only 错误列 and 错误原因).
fn is_blank(header: &HeaderMap, row: &SourceRow) -> bool {
    is_blank_by(header, |i| row.cell(i).is_none_or(CellRef::is_empty))
}

/// [`is_blank`] of a row given by whether its cell at a position is empty.
fn is_blank_by(header: &HeaderMap, is_empty_at: impl Fn(usize) -> bool) -> bool {
    Col::ALL
        .iter()
        .all(|c| header.position(*c).is_none_or(&is_empty_at))
}

fn household_key<'r>(header: &HeaderMap, row: &'r SourceRow) -> Cow<'r, str> {
    header
        .position(Col::HouseholdNo)
        .and_then(|i| row.cell(i))
        .map(CellRef::canonical)
        .unwrap_or_default()
}

/// What the first pass of [`Grouping::TwoPasses`] found.
struct Scan {
    header: HeaderMap,
    /// The last row of every household, by its canonical 户编号.
    last_row: HashMap<String, usize>,
    /// Data rows below the header, blank rows not counted.
    rows: usize,
}

/// Feeds the rows above the header to `finder`; once it is found, `data(header, number, row)`
/// gets every row below it. Fails when the file holds no header.
fn for_each_data_row(
    path: &Path,
    kind: &FileKind,
    limits: &Limits,
    finder: &mut HeaderFinder,
    data: &mut dyn FnMut(
        &HeaderMap,
        usize,
        source::RawRow<'_>,
    ) -> Result<source::Flow, LedgerError>,
) -> Result<HeaderMap, LedgerError> {
    let mut saw_any = false;
    source::for_each_raw_row(
        path,
        kind,
        limits,
        &mut |number, raw| match &finder.header {
            Some(h) if number > h.row => data(h, number, raw),
            Some(_) => Ok(source::Flow::Continue),
            None => {
                // still searching (`saw_any` only matters when no header is found)
                let cells = raw.into_cells();
                saw_any = saw_any || cells.iter().any(|c| !c.is_empty());
                finder.feed(number, &cells)?;
                Ok(source::Flow::Continue)
            }
        },
    )?;
    match finder.header.clone() {
        Some(h) => Ok(h),
        None if !saw_any => Err(LedgerError::Empty),
        None => Err(LedgerError::NoHeader {
            searched: HEADER_SEARCH_ROWS,
        }),
    }
}

/// The first pass of [`Grouping::TwoPasses`]: the header, and the last row of every household;
/// below the header only the columns needed for that are looked at, not made into cells.
fn scan(path: &Path, kind: &FileKind, limits: &Limits) -> Result<Scan, LedgerError> {
    let mut last_row: HashMap<String, usize> = HashMap::new();
    let mut rows = 0usize;
    let mut finder = HeaderFinder { header: None };
    let header = for_each_data_row(path, kind, limits, &mut finder, &mut |h, number, raw| {
        if !is_blank_by(h, |i| raw.is_empty_at(i)) {
            rows += 1;
            let key = h
                .position(Col::HouseholdNo)
                .map(|i| raw.canonical_at(i))
                .unwrap_or_default();
            if !key.is_empty() {
                match last_row.get_mut(&*key) {
                    Some(last) => *last = number,
                    None => {
                        last_row.insert(key.into_owned(), number);
                    }
                }
            }
        }
        Ok(source::Flow::Continue)
    })?;
    Ok(Scan {
        header,
        last_row,
        rows,
    })
}

/// Reads a ledger file and hands each household to `sink` as soon as its last row is read
/// (see [`Grouping`] for how that is known).
pub fn read_ledger<E>(
    path: &Path,
    options: &ReadOptions,
    mut sink: impl FnMut(LedgerItem) -> Result<(), E>,
) -> Result<LedgerSummary, ReadError<E>> {
    let kind = source::detect(path, options.sheet.as_deref(), &options.limits)?;
    let scanned = match options.grouping {
        Grouping::TwoPasses => Some(scan(path, &kind, &options.limits)?),
        Grouping::OnePass => None,
    };
    let mut finder = HeaderFinder {
        header: scanned.as_ref().map(|s| s.header.clone()),
    };
    let (last_row, expected_rows) = match scanned {
        Some(s) => (Some(s.last_row), s.rows),
        // a guess from the file's size, only to size the map of ID numbers seen
        None => (
            None,
            std::fs::metadata(path).map_or(0, |m| m.len() as usize / 1024),
        ),
    };
    // the header the assembler borrows, kept outside the pass that finds it
    let found: std::cell::OnceCell<HeaderMap> = std::cell::OnceCell::new();
    let mut assembler: Option<convert::Assembler<'_>> = None;
    let mut open: HashMap<String, Vec<SourceRow>> = HashMap::new();
    // the open household of the last row read, kept out of `open`: in a file sorted by
    // household, as the national system exports it, the only one open
    let mut current: Option<(String, Vec<SourceRow>)> = None;
    // one pass: the households handed over (a key seen again means the rows are apart)
    let mut closed: HashSet<String> = HashSet::new();
    let mut rows = 0usize;
    let mut out = Emitter {
        sink: &mut sink,
        error: None,
        counts: Counts::default(),
    };
    let header = for_each_data_row(
        path,
        &kind,
        &options.limits,
        &mut finder,
        &mut |header, number, raw| {
            let row = raw.into_source_row(number);
            if is_blank(header, &row) {
                return Ok(source::Flow::Continue);
            }
            rows += 1;
            let assembler = assembler.get_or_insert_with(|| {
                let mut a =
                    convert::Assembler::new(found.get_or_init(|| header.clone()), options.today);
                a.reserve(expected_rows);
                a
            });
            let key = household_key(header, &row);
            if key.is_empty() {
                return Ok(out.emit(assembler.assemble(String::new(), vec![row])));
            }
            // the household's rows so far (taken out of `open`)
            let (key, mut rows) = match current.take() {
                Some((k, rows)) if k == *key => (k, rows),
                Some((k, rows)) if last_row.is_none() => {
                    // one pass: the previous household is complete, unless its rows are apart
                    if closed.contains(&*key) {
                        return Err(LedgerError::NotGrouped {
                            row: number,
                            household: key.into_owned(),
                        });
                    }
                    closed.insert(k.clone());
                    if let source::Flow::Stop = out.emit(assembler.assemble(k, rows)) {
                        return Ok(source::Flow::Stop);
                    }
                    (key.into_owned(), Vec::new())
                }
                previous => {
                    if let Some((k, rows)) = previous {
                        open.insert(k, rows);
                    }
                    match open.remove_entry(&*key) {
                        Some(entry) => entry,
                        None => (key.into_owned(), Vec::new()),
                    }
                }
            };
            rows.push(row);
            let done = last_row
                .as_ref()
                .is_some_and(|last| last.get(&key) == Some(&number));
            if done {
                Ok(out.emit(assembler.assemble(key, rows)))
            } else {
                current = Some((key, rows));
                Ok(source::Flow::Continue)
            }
        },
    )?;
    if let Some((key, rows)) = current {
        open.insert(key, rows);
    }
    // households whose last row the first pass saw but the second did not (the file changed
    // between the passes), and in one pass the last household, are still handed over
    let mut rest: Vec<(String, Vec<SourceRow>)> = open.into_iter().collect();
    rest.sort_by_key(|(_, rows)| rows.first().map(|r| r.number));
    if let Some(assembler) = assembler.as_mut() {
        for (key, rows) in rest {
            if out.error.is_some() {
                break;
            }
            out.emit(assembler.assemble(key, rows));
        }
    }
    match out.error {
        Some(e) => Err(ReadError::Sink(e)),
        None => Ok(LedgerSummary {
            kind,
            header,
            rows,
            households: out.counts.households,
            persons: out.counts.persons,
            rejected_households: out.counts.rejected_households,
            rejected_rows: out.counts.rejected_rows,
        }),
    }
}

/// What went to the sink.
#[derive(Default)]
struct Counts {
    households: usize,
    persons: usize,
    rejected_households: usize,
    rejected_rows: usize,
}

/// Counts what goes to the sink, and keeps the sink's error.
struct Emitter<'s, F, E> {
    sink: &'s mut F,
    error: Option<E>,
    counts: Counts,
}

impl<F: FnMut(LedgerItem) -> Result<(), E>, E> Emitter<'_, F, E> {
    fn emit(&mut self, item: LedgerItem) -> source::Flow {
        match &item {
            LedgerItem::Household(h) => {
                self.counts.households += 1;
                self.counts.persons += h.members.len();
            }
            LedgerItem::Rejected(r) => {
                self.counts.rejected_households += 1;
                self.counts.rejected_rows += r.rows.len();
            }
        }
        match (self.sink)(item) {
            Ok(()) => source::Flow::Continue,
            Err(e) => {
                self.error = Some(e);
                source::Flow::Stop
            }
        }
    }
}

/// A whole ledger in memory: for tests and small files.
#[derive(Clone, Debug)]
pub struct LedgerContents {
    pub summary: LedgerSummary,
    pub households: Vec<LedgerHousehold>,
    pub rejected: Vec<RejectedHousehold>,
}

impl LedgerContents {
    /// All row errors of all rejected households, in row order.
    pub fn errors(&self) -> Vec<&RowError> {
        let mut all: Vec<&RowError> = self.rejected.iter().flat_map(|r| &r.errors).collect();
        all.sort_by_key(|e| e.row);
        all
    }
}

/// Reads a whole ledger into memory.
pub fn read_ledger_all(path: &Path, options: &ReadOptions) -> Result<LedgerContents, LedgerError> {
    let mut households = Vec::new();
    let mut rejected = Vec::new();
    let summary = read_ledger(path, options, |item| {
        match item {
            LedgerItem::Household(h) => households.push(*h),
            LedgerItem::Rejected(r) => rejected.push(*r),
        }
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        ReadError::Ledger(e) => e,
        ReadError::Sink(never) => match never {},
    })?;
    Ok(LedgerContents {
        summary,
        households,
        rejected,
    })
}

/// The month form the ledger writes (`YYYYMM`).
pub(crate) fn month_text(m: YearMonth) -> String {
    m.compact()
}
