//! Writing ledgers (导出台账) and error workbooks (错误工作簿).
//!
//! The ledger writers put one row per person, the household's columns repeated on each, in the
//! national column order of [`Col::ALL`], so that the reader takes the file back unchanged.
//! CSV is UTF-8 with a BOM (Excel then opens it as UTF-8). xlsx is written in rust_xlsxwriter's
//! constant-memory mode: each row goes to a temporary file as it is written. A sheet holds at
//! most 1,048,576 rows; the writer then continues on a new sheet (户人台账2, 户人台账3 …) with the
//! header again, and never splits a household between sheets, so each sheet is a ledger on its
//! own (read it with [`super::ReadOptions::sheet`]).
//!
//! An export of personal data is a reveal: a writer masks the ID numbers (证件号码, 户主证件号码)
//! as the pages do when asked to ([`Ids::Masked`]); the web and the command line ask for full ones
//! only for a user who may reveal them, and audit it. A CSV text cell that a spreadsheet program
//! would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is
//! written with a leading apostrophe, which Excel and WPS show as text and the reader strips
//! again; numbers (amounts, negative ones too) are written as numbers.
//!
//! A ledger exported from Shouwang ([`LedgerCsvWriter::exported`], [`LedgerXlsxWriter::exported`])
//! says when, on a note row above the header ([`super::stamp`]); the reader skips it.

use super::cell::CellRef;
use super::columns::{normalise_header, Col, HeaderMap, ERROR_COLUMN, ERROR_REASON};
use super::{month_text, RejectedHousehold};
use rust_xlsxwriter::{Workbook, XlsxError};
use shouwang_core::codes::Relation;
use shouwang_core::id_number::mask;
use shouwang_core::ledger::{LedgerHousehold, SourceRows};
use shouwang_core::Member;
use std::borrow::{Borrow, Cow};
use std::io::Write;
use std::path::Path;

/// Rows of an xlsx sheet, header included.
pub const MAX_SHEET_ROWS: usize = 1_048_576;

/// Excel's limit on the characters of one cell.
const MAX_XLSX_CELL: usize = 32_767;

/// The first sheet's name; later ones get 2, 3 …
pub const SHEET_NAME: &str = "户人台账";

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("写入失败 / cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("CSV写入失败 / cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("xlsx写入失败 / cannot write xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

/// How a ledger's ID numbers (证件号码, 户主证件号码) are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ids {
    /// In full, as stored: a file to import again. An export for a user is full only when they
    /// may reveal ID numbers and chose to, and it is audited.
    #[default]
    Full,
    /// Masked as on the pages (`5108**********1234`): readable, but not importable.
    Masked,
}

/// A CSV text cell as a spreadsheet program must take it as text (CSV or formula injection):
/// one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.
/// The ledger reader strips that apostrophe again.
pub fn csv_safe(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// One value to write: text, or a number (amounts and counts, so that Excel can add them up).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
}

impl Value {
    #[cfg(test)]
    fn as_text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(v) => super::cell::number_text(*v),
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

fn opt_yes_no(b: Option<bool>) -> &'static str {
    b.map(yes_no).unwrap_or_default()
}

/// One cell of a person's row before it becomes a [`Value`]: borrowed text where it can be, so
/// that the CSV writer copies nothing; numbers kept exact until written.
enum Out<'a> {
    Str(&'a str),
    String(String),
    /// a count or a year
    Int(i64),
    /// an amount in 分, written in 元
    Fen(i64),
}

impl Out<'_> {
    fn into_value(self) -> Value {
        match self {
            Out::Str(s) => Value::Text(s.to_string()),
            Out::String(s) => Value::Text(s),
            Out::Int(i) => Value::Number(i as f64),
            Out::Fen(f) => Value::Number(f as f64 / 100.0),
        }
    }
}

/// What a household's rows share, worked out once per household.
struct Shared<'a> {
    head: Option<&'a Member>,
    village_code: String,
    identified: String,
    eliminated_on: String,
    net_per_capita: Option<i64>,
}

impl<'a> Shared<'a> {
    fn of<S: SourceRows>(h: &'a LedgerHousehold<S>) -> Shared<'a> {
        let case = h.monitoring.as_ref();
        Shared {
            head: h.members.iter().find(|m| m.relation == Relation::Head),
            village_code: if h.village_resolved() {
                h.household.village.to_string()
            } else {
                h.place
                    .village_code
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            },
            identified: case.map(|c| month_text(c.identified)).unwrap_or_default(),
            eliminated_on: case
                .and_then(|c| c.elimination)
                .map(|(_, m)| month_text(m))
                .unwrap_or_default(),
            // divided by the living members, as the income page and the screening divide
            // (shouwang_core::income::household_income): a deceased member's row is no person
            net_per_capita: h
                .income
                .as_ref()
                .and_then(|i| {
                    let living = h.members.iter().filter(|m| m.is_alive()).count();
                    i.net_income_per_capita(i64::try_from(living).ok()?)
                })
                .map(|f| f.0),
        }
    }
}

/// An ID number as `ids` asks.
fn id_out(id: &str, ids: Ids) -> Out<'_> {
    match ids {
        Ids::Masked if !id.is_empty() => Out::String(mask(id)),
        _ => Out::Str(id),
    }
}

/// The cell of column `col` in person `m`'s row.
fn cell<'a, S>(
    h: &'a LedgerHousehold<S>,
    s: &'a Shared<'a>,
    m: &'a Member,
    col: Col,
    ids: Ids,
) -> Out<'a> {
    let hh = &h.household;
    let case = h.monitoring.as_ref();
    let income = h.income.as_ref();
    let money = |f: Option<shouwang_core::Fen>| match f {
        Some(f) => Out::Fen(f.0),
        None => Out::Str(""),
    };
    let risk = |i: usize| {
        Out::Str(
            case.and_then(|c| c.risks.get(i))
                .map(|r| r.label_zh())
                .unwrap_or_default(),
        )
    };
    let label = |l: Option<&'static str>| Out::Str(l.unwrap_or_default());
    match col {
        Col::Province => Out::Str(&h.place.province),
        Col::City => Out::Str(&h.place.city),
        Col::County => Out::Str(&h.place.county),
        Col::Township => Out::Str(&h.place.township),
        Col::Village => Out::Str(&h.place.village),
        Col::VillageCode => Out::Str(&s.village_code),
        Col::Group => Out::Str(&hh.group),
        Col::HouseholdNo => Out::Str(&hh.household_no),
        Col::PersonNo => Out::Str(&m.person_no),
        Col::Name => Out::Str(&m.name),
        Col::Sex => Out::Str(m.sex.label_zh()),
        Col::IdKind => Out::Str(m.id_kind.label_zh()),
        Col::IdNumber => id_out(&m.id_number, ids),
        Col::BirthDate => Out::String(m.birth_date.to_string()),
        Col::Relation => Out::Str(m.relation.label_zh()),
        Col::Ethnicity => Out::Str(&m.ethnicity),
        Col::Political => label(m.political.map(|p| p.label_zh())),
        Col::MemberPhone => Out::Str(&m.phone),
        Col::Education => label(m.education.map(|p| p.label_zh())),
        Col::Schooling => label(m.schooling.map(|p| p.label_zh())),
        Col::Health => Out::String(m.health.label_zh()),
        Col::DisabilityCategory => Out::Str(&m.disability_category),
        Col::Labour => label(m.labour.map(|p| p.label_zh())),
        Col::MigrantMonths => Out::Int(m.migrant_months),
        Col::MigrantPlace => Out::Str(&m.migrant_place),
        Col::MigrantEmployer => Out::Str(&m.migrant_employer),
        Col::WelfareJob => Out::Str(&m.welfare_job),
        Col::WelfareJobMonths => Out::Int(m.welfare_job_months),
        Col::Dibao => Out::Str(yes_no(m.dibao)),
        Col::Tekun => Out::Str(yes_no(m.tekun)),
        Col::ResidentMedical => Out::Str(yes_no(m.resident_medical)),
        Col::EmployeeMedical => Out::Str(yes_no(m.employee_medical)),
        Col::SeriousIllnessInsurance => Out::Str(yes_no(m.serious_illness_insurance)),
        Col::ResidentPension => Out::Str(yes_no(m.resident_pension)),
        Col::EmployeePension => Out::Str(yes_no(m.employee_pension)),
        // columns the registry does not keep yet: written empty
        Col::DropoutReason
        | Col::DisabilityCardYear
        | Col::WorksAbroad
        | Col::EmploymentChannel
        | Col::CommercialMedical
        | Col::MedicalAid
        | Col::OtherHealthAid
        | Col::Mandarin => Out::Str(""),
        Col::HouseholdType => Out::Str(hh.household_type.label_zh()),
        Col::HouseholdPhone => Out::Str(&hh.phone),
        Col::HeadName => Out::Str(s.head.map(|m| m.name.as_str()).unwrap_or_default()),
        Col::HeadId => id_out(
            s.head.map(|m| m.id_number.as_str()).unwrap_or_default(),
            ids,
        ),
        Col::Year => match h.year {
            Some(y) => Out::Int(i64::from(y)),
            None => Out::Str(""),
        },
        Col::CaseType => label(case.map(|c| c.case_type.label_zh())),
        Col::Identified => Out::Str(&s.identified),
        Col::Risk1 => risk(0),
        Col::Risk2 => risk(1),
        Col::Risk3 => risk(2),
        Col::Risk4 => risk(3),
        Col::Risk5 => risk(4),
        Col::RiskEliminated => label(case.map(|c| yes_no(c.elimination.is_some()))),
        Col::EliminationKind => label(case.and_then(|c| c.elimination).map(|(k, _)| k.label_zh())),
        Col::EliminatedOn => Out::Str(&s.eliminated_on),
        Col::NoLabourHousehold => label(case.map(|c| yes_no(c.whole_household_without_labour))),
        Col::UnsafeHousing => Out::Str(opt_yes_no(h.guarantees.unsafe_housing)),
        Col::OutOfSchool => Out::Str(opt_yes_no(h.guarantees.out_of_school)),
        Col::Uninsured => Out::Str(opt_yes_no(h.guarantees.uninsured_member)),
        Col::UnsafeWater => Out::Str(opt_yes_no(h.guarantees.unsafe_water)),
        Col::Wages => money(income.map(|i| i.wages)),
        Col::Business => money(income.map(|i| i.business)),
        Col::Property => money(income.map(|i| i.property)),
        Col::Transfers => money(income.map(|i| i.transfers)),
        Col::ProductionCosts => money(income.map(|i| i.production_costs)),
        Col::InsurancePayouts => money(income.map(|i| i.insurance_payouts)),
        Col::OutOfPocket => money(income.map(|i| i.out_of_pocket_medical)),
        Col::NetIncome => money(income.map(|i| i.net_income())),
        Col::NetPerCapita => match s.net_per_capita {
            Some(f) => Out::Fen(f),
            None => Out::Str(""),
        },
        Col::Relocated => Out::Str(yes_no(hh.relocated)),
        Col::ResettlementSite => Out::Str(&hh.resettlement_site),
    }
}

/// The cells of one person's row, in [`Col::ALL`] order, ID numbers in full.
pub fn person_row<S: SourceRows>(h: &LedgerHousehold<S>, m: &Member) -> Vec<Value> {
    person_row_with(h, m, Ids::Full)
}

fn person_row_with<S: SourceRows>(h: &LedgerHousehold<S>, m: &Member, ids: Ids) -> Vec<Value> {
    let shared = Shared::of(h);
    Col::ALL
        .iter()
        .map(|col| cell(h, &shared, m, *col, ids).into_value())
        .collect()
}

/// Below this many 分 an amount is written from the integer, digit for digit what
/// [`super::cell::number_text`] makes of the amount in 元 as a float.
const EXACT_FEN_LIMIT: i64 = 1_000_000_000_000;

/// Below this a count is written from the integer, as `number_text` would write it.
const EXACT_INT_LIMIT: i64 = 1_000_000_000_000_000;

/// Writes an amount in 分 as 元 the way [`Value::as_text`] writes `fen / 100.0`: no trailing
/// zeros, no decimal point for whole 元.
fn write_fen(buf: &mut String, fen: i64) {
    use std::fmt::Write as _;
    if fen.abs() >= EXACT_FEN_LIMIT {
        buf.push_str(&super::cell::number_text(fen as f64 / 100.0));
        return;
    }
    if fen < 0 {
        buf.push('-');
    }
    let (yuan, cents) = (fen.abs() / 100, fen.abs() % 100);
    let _ = write!(buf, "{yuan}");
    if cents != 0 {
        let _ = write!(buf, ".{}", cents / 10);
        if cents % 10 != 0 {
            let _ = write!(buf, "{}", cents % 10);
        }
    }
}

/// Writes a count the way [`Value::as_text`] writes it as a float.
fn write_int(buf: &mut String, i: i64) {
    use std::fmt::Write as _;
    if i.abs() < EXACT_INT_LIMIT {
        let _ = write!(buf, "{i}");
    } else {
        buf.push_str(&super::cell::number_text(i as f64));
    }
}

/// Writes households as a CSV ledger (UTF-8 with BOM), ID numbers in full; returns the number
/// of person rows.
pub fn write_ledger_csv<W: Write, S: SourceRows, H: Borrow<LedgerHousehold<S>>>(
    out: W,
    households: impl IntoIterator<Item = H>,
) -> Result<usize, WriteError> {
    let mut w = LedgerCsvWriter::new(out)?;
    for h in households {
        w.write_household(h.borrow())?;
    }
    w.finish()
}

/// A streaming CSV ledger writer (UTF-8 with BOM), one household at a time. Cells go straight
/// from the household to the CSV encoder, without a `String` per cell. ID numbers are written
/// in full unless [`LedgerCsvWriter::ids`] says otherwise.
pub struct LedgerCsvWriter<W: Write> {
    w: csv::Writer<std::io::BufWriter<W>>,
    number: String,
    rows: usize,
    ids: Ids,
}

impl<W: Write> LedgerCsvWriter<W> {
    /// Writes the BOM and the header.
    pub fn new(out: W) -> Result<LedgerCsvWriter<W>, WriteError> {
        Self::start(out, None)
    }

    /// Writes the BOM, a note row saying the ledger was exported at `at` (Unix seconds), and
    /// the header.
    pub fn exported(out: W, at: i64) -> Result<LedgerCsvWriter<W>, WriteError> {
        Self::start(out, Some(at))
    }

    fn start(out: W, exported_at: Option<i64>) -> Result<LedgerCsvWriter<W>, WriteError> {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
        out.write_all(b"\xEF\xBB\xBF")?;
        // the note row is shorter than the others
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
        if let Some(at) = exported_at {
            w.write_record(super::stamp::note_row(at))?;
        }
        w.write_record(Col::ALL.iter().map(|c| c.name()))?;
        Ok(LedgerCsvWriter {
            w,
            number: String::with_capacity(32),
            rows: 0,
            ids: Ids::Full,
        })
    }

    /// How the ID numbers are written.
    pub fn ids(mut self, ids: Ids) -> LedgerCsvWriter<W> {
        self.ids = ids;
        self
    }

    /// One row per member.
    pub fn write_household<S: SourceRows>(
        &mut self,
        h: &LedgerHousehold<S>,
    ) -> Result<(), WriteError> {
        let shared = Shared::of(h);
        for m in &h.members {
            for col in Col::ALL {
                match cell(h, &shared, m, *col, self.ids) {
                    Out::Str(s) => self.w.write_field(&*csv_safe(s))?,
                    Out::String(s) => self.w.write_field(&*csv_safe(&s))?,
                    Out::Int(i) => {
                        self.number.clear();
                        write_int(&mut self.number, i);
                        self.w.write_field(&self.number)?;
                    }
                    Out::Fen(f) => {
                        self.number.clear();
                        write_fen(&mut self.number, f);
                        self.w.write_field(&self.number)?;
                    }
                }
            }
            self.w.write_record(None::<&[u8]>)?;
            self.rows += 1;
        }
        Ok(())
    }

    /// Flushes; returns the number of person rows.
    pub fn finish(mut self) -> Result<usize, WriteError> {
        self.w.flush()?;
        Ok(self.rows)
    }
}

/// A streaming xlsx ledger writer: households in, rows out to a temporary file per sheet.
pub struct LedgerXlsxWriter {
    workbook: Workbook,
    sheet: usize,
    sheet_rows: usize,
    rows_per_sheet: usize,
    rows: usize,
    header: Vec<String>,
    ids: Ids,
    /// the note row saying when the ledger was exported, above each sheet's header
    note: Option<[String; 3]>,
}

impl LedgerXlsxWriter {
    /// A writer for the national columns.
    pub fn new() -> Result<LedgerXlsxWriter, WriteError> {
        Self::with_header(
            Col::ALL.iter().map(|c| c.name().to_string()).collect(),
            MAX_SHEET_ROWS,
        )
    }

    /// A writer for the national columns whose sheets say, on a note row above the header,
    /// that the ledger was exported at `at` (Unix seconds).
    pub fn exported(at: i64) -> Result<LedgerXlsxWriter, WriteError> {
        let mut w = LedgerXlsxWriter {
            workbook: Workbook::new(),
            sheet: 0,
            sheet_rows: 0,
            rows_per_sheet: MAX_SHEET_ROWS,
            rows: 0,
            header: Col::ALL.iter().map(|c| c.name().to_string()).collect(),
            ids: Ids::Full,
            note: Some(super::stamp::note_row(at)),
        };
        w.new_sheet()?;
        Ok(w)
    }

    /// A writer whose sheets hold at most `rows_per_sheet` rows (header included); for tests of
    /// the sheet change without writing a million rows.
    pub fn with_rows_per_sheet(rows_per_sheet: usize) -> Result<LedgerXlsxWriter, WriteError> {
        Self::with_header(
            Col::ALL.iter().map(|c| c.name().to_string()).collect(),
            rows_per_sheet.clamp(2, MAX_SHEET_ROWS),
        )
    }

    fn with_header(
        header: Vec<String>,
        rows_per_sheet: usize,
    ) -> Result<LedgerXlsxWriter, WriteError> {
        let mut w = LedgerXlsxWriter {
            workbook: Workbook::new(),
            sheet: 0,
            sheet_rows: 0,
            rows_per_sheet,
            rows: 0,
            header,
            ids: Ids::Full,
            note: None,
        };
        w.new_sheet()?;
        Ok(w)
    }

    /// How the ID numbers are written (in full unless said otherwise).
    pub fn ids(mut self, ids: Ids) -> LedgerXlsxWriter {
        self.ids = ids;
        self
    }

    fn new_sheet(&mut self) -> Result<(), WriteError> {
        self.sheet += 1;
        let name = if self.sheet == 1 {
            SHEET_NAME.to_string()
        } else {
            format!("{SHEET_NAME}{}", self.sheet)
        };
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        let mut top = 0;
        if let Some(note) = &self.note {
            for (c, text) in note.iter().enumerate() {
                ws.write_string(0, c as u16, text)?;
            }
            top = 1;
        }
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string(top, c as u16, h)?;
        }
        self.sheet_rows = self.top();
        Ok(())
    }

    /// The rows above the data of a sheet: the header, and the note row when there is one.
    fn top(&self) -> usize {
        1 + usize::from(self.note.is_some())
    }

    fn write_row(&mut self, values: &[Value]) -> Result<(), WriteError> {
        let ws = self.workbook.worksheet_from_index(self.sheet - 1)?;
        let r = self.sheet_rows as u32;
        for (c, v) in values.iter().enumerate() {
            match v {
                Value::Text(t) if t.is_empty() => {}
                Value::Text(t) => {
                    let t = match t.char_indices().nth(MAX_XLSX_CELL) {
                        Some((cut, _)) => &t[..cut],
                        None => t.as_str(),
                    };
                    ws.write_string(r, c as u16, t)?;
                }
                Value::Number(n) => {
                    ws.write_number(r, c as u16, *n)?;
                }
            }
        }
        self.sheet_rows += 1;
        self.rows += 1;
        Ok(())
    }

    /// Adds one household, starting a new sheet first if it would not fit.
    pub fn write_household<S: SourceRows>(
        &mut self,
        h: &LedgerHousehold<S>,
    ) -> Result<(), WriteError> {
        if self.sheet_rows + h.members.len() > self.rows_per_sheet && self.sheet_rows > self.top() {
            self.new_sheet()?;
        }
        for m in &h.members {
            if self.sheet_rows >= self.rows_per_sheet {
                self.new_sheet()?; // a household larger than a sheet: split after all
            }
            self.write_row(&person_row_with(h, m, self.ids))?;
        }
        Ok(())
    }

    /// Saves the workbook into a file only its owner may read (see [`crate::private`]);
    /// returns the number of person rows.
    pub fn finish(mut self, path: &Path) -> Result<usize, WriteError> {
        let file = std::io::BufWriter::new(crate::private::create_file(path)?);
        self.workbook.save_to_writer(file)?;
        Ok(self.rows)
    }

    /// Saves the workbook into any writer (an HTTP response body).
    pub fn finish_to<W: Write + std::io::Seek + Send>(
        mut self,
        out: W,
    ) -> Result<usize, WriteError> {
        self.workbook.save_to_writer(out)?;
        Ok(self.rows)
    }
}

/// Writes households as an xlsx ledger; returns the number of person rows.
pub fn write_ledger_xlsx<S: SourceRows, H: Borrow<LedgerHousehold<S>>>(
    path: &Path,
    households: impl IntoIterator<Item = H>,
) -> Result<usize, WriteError> {
    let mut w = LedgerXlsxWriter::new()?;
    for h in households {
        w.write_household(h.borrow())?;
    }
    w.finish(path)
}

fn cell_value(c: CellRef<'_>) -> Value {
    match c {
        CellRef::Int(i) => Value::Number(i as f64),
        CellRef::Number(v) => Value::Number(v),
        other => Value::Text(other.display()),
    }
}

/// Writes the error workbook: the file's own columns, then 错误列 and 错误原因, one line per
/// problem. A row with several problems gets one full line and, below it, lines holding only
/// the further problems (the reader skips such lines, so the fixed workbook imports as it is).
/// A row without a problem of its own, rejected with its household, says which rows are wrong.
/// Returns the number of lines written.
pub fn write_error_workbook<R: Borrow<RejectedHousehold>>(
    path: &Path,
    header: &HeaderMap,
    rejected: impl IntoIterator<Item = R>,
) -> Result<usize, WriteError> {
    let extra = [
        normalise_header(ERROR_COLUMN),
        normalise_header(ERROR_REASON),
    ];
    let kept: Vec<usize> = (0..header.original.len())
        .filter(|i| !extra.contains(&normalise_header(&header.original[*i])))
        .collect();
    let mut names: Vec<String> = kept.iter().map(|i| header.original[*i].clone()).collect();
    names.push(ERROR_COLUMN.to_string());
    names.push(ERROR_REASON.to_string());
    let width = kept.len();
    let mut w = LedgerXlsxWriter::with_header(names, MAX_SHEET_ROWS)?;
    let mut line: Vec<Value> = Vec::with_capacity(width + 2);
    for r in rejected {
        let r = r.borrow();
        let bad_rows: Vec<String> = {
            let mut v: Vec<usize> = r.errors.iter().map(|e| e.row).collect();
            v.dedup();
            v.iter().map(ToString::to_string).collect()
        };
        for row in &r.rows {
            let own: Vec<_> = r.errors.iter().filter(|e| e.row == row.number).collect();
            let original: Vec<Value> = kept
                .iter()
                .map(|i| {
                    row.cell(*i)
                        .map(cell_value)
                        .unwrap_or(Value::Text(String::new()))
                })
                .collect();
            if w.sheet_rows >= w.rows_per_sheet {
                w.new_sheet()?;
            }
            if own.is_empty() {
                line.clear();
                line.extend(original.iter().cloned());
                line.push(Value::Text(String::new()));
                line.push(Value::Text(format!(
                    "同户第{}行有错误，整户未导入",
                    bad_rows.join("、")
                )));
                w.write_row(&line)?;
                continue;
            }
            for (k, e) in own.iter().enumerate() {
                line.clear();
                if k == 0 {
                    line.extend(original.iter().cloned());
                } else {
                    line.extend(std::iter::repeat_n(Value::Text(String::new()), width));
                }
                line.push(Value::Text(e.column.clone()));
                line.push(Value::Text(e.problem.zh.clone()));
                if w.sheet_rows >= w.rows_per_sheet {
                    w.new_sheet()?;
                }
                w.write_row(&line)?;
            }
        }
    }
    w.finish(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_counts_are_written_as_the_float_writer_writes_them() {
        let mut buf = String::new();
        let mut fens: Vec<i64> = (-30_000..30_000).collect();
        let mut x: i64 = 1;
        while x < 100_000_000_000_000_000 {
            for d in [-1, 0, 1, 7, 99, 100, 101, 12_345] {
                fens.push(x + d);
                fens.push(-(x + d));
            }
            x *= 7;
        }
        fens.extend([
            EXACT_FEN_LIMIT - 1,
            EXACT_FEN_LIMIT,
            i64::MAX / 2,
            i64::MIN / 2,
        ]);
        for f in fens {
            buf.clear();
            write_fen(&mut buf, f);
            assert_eq!(buf, Value::Number(f as f64 / 100.0).as_text(), "{f} 分");
            buf.clear();
            write_int(&mut buf, f);
            assert_eq!(buf, Value::Number(f as f64).as_text(), "{f}");
        }
    }
}
