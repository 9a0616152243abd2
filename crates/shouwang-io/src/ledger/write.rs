//! Writing ledgers (导出台账) and error workbooks (错误工作簿).
//!
//! The ledger writers put one row per person, the household's columns repeated on each, in the
//! national column order of [`Col::ALL`], so that the reader takes the file back unchanged.
//! CSV is UTF-8 with a BOM (Excel then opens it as UTF-8). xlsx is written in rust_xlsxwriter's
//! constant-memory mode: each row goes to a temporary file as it is written. A sheet holds at
//! most 1,048,576 rows; the writer then continues on a new sheet (户人台账2, 户人台账3 …) with the
//! header again, and never splits a household between sheets, so each sheet is a ledger on its
//! own (read it with [`super::ReadOptions::sheet`]).

use super::cell::CellRef;
use super::columns::{normalise_header, Col, HeaderMap, ERROR_COLUMN, ERROR_REASON};
use super::{month_text, LedgerHousehold, RejectedHousehold};
use rust_xlsxwriter::{Workbook, XlsxError};
use shouwang_core::codes::Relation;
use shouwang_core::Member;
use std::borrow::Borrow;
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

/// One value to write: text, or a number (amounts and counts, so that Excel can add them up).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
}

impl Value {
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

fn opt_yes_no(b: Option<bool>) -> String {
    b.map(yes_no).unwrap_or_default().to_string()
}

/// The cells of one person's row, in [`Col::ALL`] order.
pub fn person_row(h: &LedgerHousehold, m: &Member) -> Vec<Value> {
    let hh = &h.household;
    let head = h.members.iter().find(|m| m.relation == Relation::Head);
    let case = h.monitoring.as_ref();
    let money = |f: Option<shouwang_core::Fen>| match f {
        Some(f) => Value::Number(f.0 as f64 / 100.0),
        None => Value::Text(String::new()),
    };
    let income = h.income.as_ref();
    let risk = |i: usize| {
        case.and_then(|c| c.risks.get(i))
            .map(|r| r.label_zh().to_string())
            .unwrap_or_default()
    };
    Col::ALL
        .iter()
        .map(|col| {
            let text: String = match col {
                Col::Province => h.place.province.clone(),
                Col::City => h.place.city.clone(),
                Col::County => h.place.county.clone(),
                Col::Township => h.place.township.clone(),
                Col::Village => h.place.village.clone(),
                Col::VillageCode => {
                    if h.village_resolved() {
                        hh.village.to_string()
                    } else {
                        h.place
                            .village_code
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    }
                }
                Col::Group => hh.group.clone(),
                Col::HouseholdNo => hh.household_no.clone(),
                Col::PersonNo => m.person_no.clone(),
                Col::Name => m.name.clone(),
                Col::Sex => m.sex.label_zh().into(),
                Col::IdKind => m.id_kind.label_zh().into(),
                Col::IdNumber => m.id_number.clone(),
                Col::BirthDate => m.birth_date.to_string(),
                Col::Relation => m.relation.label_zh().into(),
                Col::Ethnicity => m.ethnicity.clone(),
                Col::Political => m.political.map(|p| p.label_zh()).unwrap_or_default().into(),
                Col::MemberPhone => m.phone.clone(),
                Col::Education => m.education.map(|p| p.label_zh()).unwrap_or_default().into(),
                Col::Schooling => m.schooling.map(|p| p.label_zh()).unwrap_or_default().into(),
                Col::Health => m.health.label_zh(),
                Col::DisabilityCategory => m.disability_category.clone(),
                Col::Labour => m.labour.map(|p| p.label_zh()).unwrap_or_default().into(),
                Col::MigrantMonths => return Value::Number(m.migrant_months as f64),
                Col::MigrantPlace => m.migrant_place.clone(),
                Col::MigrantEmployer => m.migrant_employer.clone(),
                Col::WelfareJob => m.welfare_job.clone(),
                Col::WelfareJobMonths => return Value::Number(m.welfare_job_months as f64),
                Col::Dibao => yes_no(m.dibao).into(),
                Col::Tekun => yes_no(m.tekun).into(),
                Col::ResidentMedical => yes_no(m.resident_medical).into(),
                Col::EmployeeMedical => yes_no(m.employee_medical).into(),
                Col::SeriousIllnessInsurance => yes_no(m.serious_illness_insurance).into(),
                Col::ResidentPension => yes_no(m.resident_pension).into(),
                Col::EmployeePension => yes_no(m.employee_pension).into(),
                // columns the registry does not keep yet: written empty
                Col::DropoutReason
                | Col::DisabilityCardYear
                | Col::WorksAbroad
                | Col::EmploymentChannel
                | Col::CommercialMedical
                | Col::MedicalAid
                | Col::OtherHealthAid
                | Col::Mandarin => String::new(),
                Col::HouseholdType => hh.household_type.label_zh().into(),
                Col::HouseholdPhone => hh.phone.clone(),
                Col::HeadName => head.map(|m| m.name.clone()).unwrap_or_default(),
                Col::HeadId => head.map(|m| m.id_number.clone()).unwrap_or_default(),
                Col::Year => {
                    return h
                        .year
                        .map(|y| Value::Number(f64::from(y)))
                        .unwrap_or(Value::Text(String::new()))
                }
                Col::CaseType => case
                    .map(|c| c.case_type.label_zh())
                    .unwrap_or_default()
                    .into(),
                Col::Identified => case.map(|c| month_text(c.identified)).unwrap_or_default(),
                Col::Risk1 => risk(0),
                Col::Risk2 => risk(1),
                Col::Risk3 => risk(2),
                Col::Risk4 => risk(3),
                Col::Risk5 => risk(4),
                Col::RiskEliminated => case
                    .map(|c| yes_no(c.elimination.is_some()))
                    .unwrap_or_default()
                    .into(),
                Col::EliminationKind => case
                    .and_then(|c| c.elimination)
                    .map(|(k, _)| k.label_zh())
                    .unwrap_or_default()
                    .into(),
                Col::EliminatedOn => case
                    .and_then(|c| c.elimination)
                    .map(|(_, m)| month_text(m))
                    .unwrap_or_default(),
                Col::NoLabourHousehold => case
                    .map(|c| yes_no(c.whole_household_without_labour))
                    .unwrap_or_default()
                    .into(),
                Col::UnsafeHousing => opt_yes_no(h.guarantees.unsafe_housing),
                Col::OutOfSchool => opt_yes_no(h.guarantees.out_of_school),
                Col::Uninsured => opt_yes_no(h.guarantees.uninsured_member),
                Col::UnsafeWater => opt_yes_no(h.guarantees.unsafe_water),
                Col::Wages => return money(income.map(|i| i.wages)),
                Col::Business => return money(income.map(|i| i.business)),
                Col::Property => return money(income.map(|i| i.property)),
                Col::Transfers => return money(income.map(|i| i.transfers)),
                Col::ProductionCosts => return money(income.map(|i| i.production_costs)),
                Col::InsurancePayouts => return money(income.map(|i| i.insurance_payouts)),
                Col::OutOfPocket => return money(income.map(|i| i.out_of_pocket_medical)),
                Col::NetIncome => return money(income.map(|i| i.net_income())),
                Col::NetPerCapita => {
                    return money(income.and_then(|i| i.net_income_per_capita(h.members.len())))
                }
                Col::Relocated => yes_no(hh.relocated).into(),
                Col::ResettlementSite => hh.resettlement_site.clone(),
            };
            Value::Text(text)
        })
        .collect()
}

/// Writes households as a CSV ledger (UTF-8 with BOM); returns the number of person rows.
pub fn write_ledger_csv<W: Write, H: Borrow<LedgerHousehold>>(
    out: W,
    households: impl IntoIterator<Item = H>,
) -> Result<usize, WriteError> {
    let mut w = LedgerCsvWriter::new(out)?;
    for h in households {
        w.write_household(h.borrow())?;
    }
    w.finish()
}

/// A streaming CSV ledger writer (UTF-8 with BOM), one household at a time.
pub struct LedgerCsvWriter<W: Write> {
    w: csv::Writer<std::io::BufWriter<W>>,
    record: Vec<String>,
    rows: usize,
}

impl<W: Write> LedgerCsvWriter<W> {
    /// Writes the BOM and the header.
    pub fn new(out: W) -> Result<LedgerCsvWriter<W>, WriteError> {
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::WriterBuilder::new().from_writer(out);
        w.write_record(Col::ALL.iter().map(|c| c.name()))?;
        Ok(LedgerCsvWriter {
            w,
            record: Vec::with_capacity(Col::ALL.len()),
            rows: 0,
        })
    }

    /// One row per member.
    pub fn write_household(&mut self, h: &LedgerHousehold) -> Result<(), WriteError> {
        for m in &h.members {
            self.record.clear();
            self.record
                .extend(person_row(h, m).iter().map(Value::as_text));
            self.w.write_record(&self.record)?;
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
}

impl LedgerXlsxWriter {
    /// A writer for the national columns.
    pub fn new() -> Result<LedgerXlsxWriter, WriteError> {
        Self::with_header(
            Col::ALL.iter().map(|c| c.name().to_string()).collect(),
            MAX_SHEET_ROWS,
        )
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
        };
        w.new_sheet()?;
        Ok(w)
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
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string(0, c as u16, h)?;
        }
        self.sheet_rows = 1;
        Ok(())
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
    pub fn write_household(&mut self, h: &LedgerHousehold) -> Result<(), WriteError> {
        if self.sheet_rows + h.members.len() > self.rows_per_sheet && self.sheet_rows > 1 {
            self.new_sheet()?;
        }
        for m in &h.members {
            if self.sheet_rows >= self.rows_per_sheet {
                self.new_sheet()?; // a household larger than a sheet: split after all
            }
            self.write_row(&person_row(h, m))?;
        }
        Ok(())
    }

    /// Saves the workbook; returns the number of person rows.
    pub fn finish(mut self, path: &Path) -> Result<usize, WriteError> {
        self.workbook.save(path)?;
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
pub fn write_ledger_xlsx<H: Borrow<LedgerHousehold>>(
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
