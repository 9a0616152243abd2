//! Department data files (部门数据文件, FORMATS.md §2): a CSV (UTF-8, UTF-8 with BOM, GB18030) or
//! an xlsx delivered by 医保, 民政, 残联 …, read row by row with the ledger's sources
//! ([`crate::ledger::source`]) within [`limits`], so that a 5-million-row file is never held.
//!
//! Reading is two steps: [`find_header`] looks for the header among the first
//! [`HEADER_SEARCH_ROWS`] rows (title rows above it are usual) with the kind's
//! [`Profile::map_header`] and refuses a file of another kind or one missing a key column before
//! anything is done with it; [`for_each_row`] then hands every row below the header, its cells as
//! text, to a callback. [`file_sha256`] fingerprints the file's bytes, so that the same file
//! delivered twice is recognised.
//!
//! Cells as text: an xlsx number is written as its digits when it is a whole number that a
//! spreadsheet keeps exactly; a longer number (an 18-digit ID number typed as a number) is
//! written in E notation, which core refuses as an ID number that lost its last digits, never
//! guessed.

use crate::ledger::cell::Cell;
use crate::ledger::source::{self, Flow, Position, RawRow};
use crate::ledger::{FileKind, LedgerError, Limits};
use sha2::{Digest, Sha256};
use shouwang_core::department::profile::{ColumnMap, Profile};
use shouwang_core::{Problem, ProblemCode};
use std::io::Read;
use std::path::Path;

/// How many rows are searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// The most rows a department file may have: a county's 医保 settlements of a year run to
/// millions.
pub const MAX_ROWS: usize = 10_000_000;

/// The limits a department file is read within: the ledger's (size, columns, cell and row
/// length), with up to [`MAX_ROWS`] rows.
pub fn limits() -> Limits {
    Limits {
        max_rows: MAX_ROWS,
        // 10 million rows of a wide 医保 export
        max_bytes: 4 * 1024 * 1024 * 1024,
        ..Limits::default()
    }
}

/// A file's problem as a whole: the file cannot be read, or its header is not the kind's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeptFileError {
    /// Not readable as a spreadsheet, over a limit …
    File(LedgerError),
    /// No header row of the kind: another kind's file, a key column missing
    Header(Problem),
}

impl DeptFileError {
    /// The problem to show, in both languages.
    pub fn problem(&self) -> Problem {
        match self {
            DeptFileError::Header(p) => p.clone(),
            DeptFileError::File(e) => ledger_problem(e),
        }
    }
}

impl std::fmt::Display for DeptFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.problem();
        write!(f, "{} / {}", p.zh, p.en)
    }
}

impl std::error::Error for DeptFileError {}

impl From<LedgerError> for DeptFileError {
    fn from(e: LedgerError) -> DeptFileError {
        DeptFileError::File(e)
    }
}

/// A file error as a problem: its sentence is "中文 / English".
pub fn ledger_problem(e: &LedgerError) -> Problem {
    let text = e.to_string();
    let (zh, en) = match text.split_once(" / ") {
        Some((zh, en)) => (zh.to_string(), en.to_string()),
        None => (text.clone(), text),
    };
    Problem::new(e.code(), "file", zh, en)
}

/// A file recognised, with its header.
#[derive(Clone, Debug)]
pub struct DeptFile {
    pub kind: FileKind,
    /// The header's row (1-based)
    pub header_row: usize,
    pub map: ColumnMap,
    /// The file's size in bytes
    pub size: u64,
}

/// Recognises the file and finds its header: the first of the first [`HEADER_SEARCH_ROWS`]
/// rows whose cells map to `profile`. None does: the refusal of the row that came closest
/// (another kind's header first, then the row with the most cells), or
/// [`ProblemCode::DeptColumnMissing`] for a file without rows.
pub fn find_header(
    path: &Path,
    profile: &Profile,
    limits: &Limits,
) -> Result<DeptFile, DeptFileError> {
    let kind = source::detect(path, None, limits)?;
    let size = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| LedgerError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    let mut found: Option<(usize, ColumnMap)> = None;
    // (another kind's file, filled cells, the refusal)
    let mut closest: Option<(bool, usize, Problem)> = None;
    let mut seen = 0usize;
    source::for_each_raw_row(path, &kind, limits, &mut |number, raw| {
        seen += 1;
        let cells = text_cells(raw);
        let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
        if filled > 0 {
            match profile.map_header(&cells) {
                Ok(map) => {
                    found = Some((number, map));
                    return Ok(Flow::Stop);
                }
                Err(p) => {
                    let wrong = p.code == ProblemCode::DeptWrongKind;
                    let better = match &closest {
                        None => true,
                        Some((w, n, _)) => (wrong, filled) > (*w, *n),
                    };
                    if better {
                        closest = Some((wrong, filled, p));
                    }
                }
            }
        }
        Ok(if seen >= HEADER_SEARCH_ROWS {
            Flow::Stop
        } else {
            Flow::Continue
        })
    })?;
    match (found, closest) {
        (Some((header_row, map)), _) => Ok(DeptFile {
            kind,
            header_row,
            map,
            size,
        }),
        (None, Some((_, _, p))) => Err(DeptFileError::Header(p)),
        (None, None) => Err(DeptFileError::File(LedgerError::Empty)),
    }
}

/// Hands every row below the header to `f(row_number, cells, bytes_read)`, cells as text
/// ([`text_cells`]); rows without any filled cell are skipped. `f` returns `false` to stop.
/// A problem of the file further down (a limit, a broken row) ends the reading with it.
pub fn for_each_row(
    path: &Path,
    file: &DeptFile,
    limits: &Limits,
    f: &mut dyn FnMut(u64, Vec<String>, u64) -> bool,
) -> Result<(), DeptFileError> {
    let position = Position::default();
    let at = position.clone();
    source::for_each_raw_row_at(
        path,
        &file.kind,
        limits,
        Some(&position),
        &mut |number, raw| {
            if number <= file.header_row {
                return Ok(Flow::Continue);
            }
            let cells = text_cells(raw);
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(Flow::Continue);
            }
            Ok(if f(number as u64, cells, at.get()) {
                Flow::Continue
            } else {
                Flow::Stop
            })
        },
    )?;
    Ok(())
}

/// The cells of a row as text.
fn text_cells(raw: RawRow<'_>) -> Vec<String> {
    match raw {
        RawRow::Csv(record) => record
            .iter()
            .map(|b| match std::str::from_utf8(b) {
                Ok(t) => t.to_string(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            })
            .collect(),
        RawRow::Cells(cells) => cells.into_iter().map(cell_text).collect(),
    }
}

/// Numbers a spreadsheet keeps exactly (below 10^15, as the ledger's ID reader).
const EXACT: f64 = 1e15;

/// A cell as text: a whole number as its digits, a longer one in E notation (lossy, refused as
/// an ID number), a date as `YYYY-MM-DD`, an amount with at most two decimals as such.
pub fn cell_text(cell: Cell) -> String {
    match cell {
        Cell::Empty | Cell::FormulaWithoutValue => String::new(),
        Cell::Text(t) => t,
        Cell::Int(i) if i.unsigned_abs() < EXACT as u64 => i.to_string(),
        Cell::Int(i) => format!("{:E}", i as f64),
        Cell::Number(v) if !v.is_finite() => String::new(),
        Cell::Number(v) if v.abs() >= EXACT => format!("{v:E}"),
        Cell::Number(v) if v == v.trunc() => format!("{}", v as i64),
        Cell::Number(v) => {
            let cents = (v * 100.0).round();
            if (cents - v * 100.0).abs() < 1e-6 {
                format!("{:.2}", cents / 100.0)
            } else {
                format!("{v}")
            }
        }
        Cell::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Error(e) => e,
        Cell::BadEncoding => "\u{FFFD}".to_string(),
    }
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The SHA-256 of a file's bytes, in lower-case hex, read in pieces.
pub fn file_sha256(path: &Path) -> Result<String, DeptFileError> {
    let io = |e: std::io::Error| {
        DeptFileError::File(LedgerError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::department::DeptKind;
    use shouwang_core::Date;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn rows(path: &Path, kind: DeptKind) -> Result<Vec<(u64, Vec<String>)>, DeptFileError> {
        let file = find_header(path, &Profile::builtin(kind), &limits())?;
        let mut out = Vec::new();
        for_each_row(path, &file, &limits(), &mut |n, cells, _| {
            out.push((n, cells));
            true
        })?;
        Ok(out)
    }

    #[test]
    fn a_medical_csv_under_a_title_row_gives_its_rows_with_their_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "m.csv",
            "2026年10月医保结算明细\n证件号码,姓名,结算日期,合规自付\n510821199001011235,张三,2026-10-05,1234.50\n\n510821199001011235,张三,2026-10-06,10\n".as_bytes(),
        );
        let got = rows(&p, DeptKind::Medical).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, 3);
        // an empty line is no record of the CSV (the ledger counts rows the same way)
        assert_eq!(got[1].0, 4);
        assert_eq!(got[0].1[3], "1234.50");
    }

    #[test]
    fn another_kinds_file_and_a_missing_key_column_are_refused_before_any_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "d.csv",
            "证件号码,姓名,残疾等级,残疾类别,发证日期\n510821199001011235,张三,二级,肢体,2026-10-01\n".as_bytes(),
        );
        let e = find_header(&p, &Profile::builtin(DeptKind::Medical), &limits()).unwrap_err();
        assert_eq!(e.problem().code, ProblemCode::DeptWrongKind, "{e}");
        let p = write(&dir, "n.csv", "姓名,合规自付\n张三,10\n".as_bytes());
        let e = find_header(&p, &Profile::builtin(DeptKind::Medical), &limits()).unwrap_err();
        assert_eq!(e.problem().code, ProblemCode::DeptColumnMissing, "{e}");
    }

    #[test]
    fn gb18030_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _, _) = encoding_rs::GB18030
            .encode("证件号码,姓名,结算日期,合规自付\n510821199001011235,张三,2026-10-05,12\n");
        let p = write(&dir, "g.csv", &bytes);
        let got = rows(&p, DeptKind::Medical).unwrap();
        assert_eq!(got[0].1[1], "张三");
    }

    #[test]
    fn numbers_become_text_an_id_number_that_lost_digits_in_e_notation() {
        assert_eq!(cell_text(Cell::Number(510821199.0)), "510821199");
        assert_eq!(cell_text(Cell::Number(1234.5)), "1234.50");
        let lossy = cell_text(Cell::Number(510821199001011234.0));
        assert!(lossy.contains('E'), "{lossy}");
        let map = ColumnMap::for_names(DeptKind::Medical);
        let mut cells = vec![String::new(); map.header.len()];
        cells[0] = lossy;
        let e = shouwang_core::department::record::id_number(
            &map,
            &cells,
            Date::new(2026, 11, 30).unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.problem.code, ProblemCode::IdNumberLostPrecision);
        assert_eq!(
            cell_text(Cell::Date(Date::new(2026, 1, 2).unwrap())),
            "2026-01-02"
        );
    }

    #[test]
    fn the_hash_is_of_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "h.csv", b"abc");
        assert_eq!(
            file_sha256(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(b"abc"), file_sha256(&p).unwrap());
    }
}
