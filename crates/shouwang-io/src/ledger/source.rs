//! Row sources: a file is opened, its kind recognised from its first bytes (not its name), and its
//! rows handed one at a time to a callback, so that no more than one row is held here.
//!
//! - CSV: UTF-8 with or without BOM, or GB18030 (when the first 64 KiB are not valid UTF-8);
//!   comma-separated, or tab-separated when the first line has tabs and no commas.
//! - xlsx: the first sheet or a named one, read cell by cell with calamine's streaming reader.
//!
//! Both are read within the file's [`Limits`]: an xlsx is checked part by part before calamine
//! opens it ([`limits::check_xlsx`]), a CSV row is read within a byte budget, and every row is
//! counted and its cells measured as it is read.

use super::cell::{self, Cell};
use super::limits::{self, Limit, Limits};
use super::{LedgerError, SourceRow};
use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{Decoder, GB18030};
use std::borrow::Cow;
use std::cell::Cell as Shared;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// What the callback wants next.
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// The text encoding a CSV file turned out to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

/// The kind of file, recognised from its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    Csv { encoding: Encoding, delimiter: u8 },
    Xlsx { sheet: String },
}

const SNIFF: usize = 64 * 1024;

fn io_err(path: &Path, e: std::io::Error) -> LedgerError {
    LedgerError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Recognises the file and, for xlsx, picks the sheet; a file over the `limits` of size is
/// refused here, an xlsx before calamine opens it.
pub(crate) fn detect(
    path: &Path,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<FileKind, LedgerError> {
    let mut f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut head = Vec::with_capacity(SNIFF);
    f.by_ref()
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .map_err(|e| io_err(path, e))?;
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(LedgerError::Empty);
    }
    if head.starts_with(b"PK\x03\x04") {
        limits::check_xlsx(path, limits)?;
        return Ok(FileKind::Xlsx {
            sheet: pick_sheet(path, sheet)?,
        });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(LedgerError::LegacyXls);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(LedgerError::Utf16);
    }
    if head.contains(&0) || head.starts_with(b"%PDF") {
        return Err(LedgerError::NotSpreadsheet {
            reason: "二进制文件，既不是xlsx也不是CSV".into(),
        });
    }
    let size = f.metadata().map_err(|e| io_err(path, e))?.len();
    if size > limits.max_bytes {
        return Err(limits.over(Limit::Bytes(limits.max_bytes), None));
    }
    let encoding = if head.starts_with(b"\xEF\xBB\xBF") {
        Encoding::Utf8Bom
    } else {
        match std::str::from_utf8(&head) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8, // cut in the middle of a character
            Err(_) => Encoding::Gb18030,
        }
    };
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let delimiter = if first_line.contains(&b'\t') && !first_line.contains(&b',') {
        b'\t'
    } else {
        b','
    };
    Ok(FileKind::Csv {
        encoding,
        delimiter,
    })
}

/// Calls calamine, a panic of its own becoming a broken-file error: its cell references overflow
/// on a crafted file (`AAAAAAAAA1`, found by fuzzing; a panic where overflow is checked, a wrong
/// position where it is not), and a file must give an answer, never a crash.
fn guarded<T>(call: impl FnOnce() -> Result<T, LedgerError>) -> Result<T, LedgerError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|_| {
        Err(LedgerError::NotSpreadsheet {
            reason: "xlsx文件内容损坏（无法解析的单元格）".into(),
        })
    })
}

fn open_xlsx(path: &Path) -> Result<Xlsx<BufReader<File>>, LedgerError> {
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    guarded(|| {
        Xlsx::new(BufReader::new(f)).map_err(|e| LedgerError::NotSpreadsheet {
            reason: format!("不是有效的xlsx文件（{e}）"),
        })
    })
}

/// [`open_xlsx`], noting the reader's position in the file.
fn open_xlsx_at(
    path: &Path,
    at: &Position,
) -> Result<Xlsx<BufReader<Positioned<File>>>, LedgerError> {
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    let f = Positioned {
        inner: f,
        at: at.clone(),
    };
    guarded(|| {
        Xlsx::new(BufReader::new(f)).map_err(|e| LedgerError::NotSpreadsheet {
            reason: format!("不是有效的xlsx文件（{e}）"),
        })
    })
}

fn pick_sheet(path: &Path, wanted: Option<&str>) -> Result<String, LedgerError> {
    let book = open_xlsx(path)?;
    let names = book.sheet_names();
    match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.trim() == w.trim())
            .cloned()
            .ok_or_else(|| LedgerError::WrongSheet {
                name: w.to_string(),
                available: names.clone(),
            }),
        None => names.first().cloned().ok_or(LedgerError::NoSheets),
    }
}

/// One row as the source read it, before it is made into cells: a CSV record's fields are
/// still bytes, so that a pass that looks at a few columns need not build every cell.
pub(crate) enum RawRow<'r> {
    Csv(&'r csv::ByteRecord),
    Cells(Vec<Cell>),
}

impl RawRow<'_> {
    /// The row's cells: for CSV, an empty field is [`Cell::Empty`], a field that is not valid
    /// UTF-8 [`Cell::BadEncoding`], any other [`Cell::Text`].
    pub(crate) fn into_cells(self) -> Vec<Cell> {
        match self {
            RawRow::Csv(record) => csv_cells(record),
            RawRow::Cells(cells) => cells,
        }
    }

    /// The row to keep, with the same cells as [`RawRow::into_cells`].
    pub(crate) fn into_source_row(self, number: usize) -> SourceRow {
        match self {
            RawRow::Csv(record) => csv_source_row(number, record),
            RawRow::Cells(cells) => SourceRow::new(number, cells),
        }
    }

    /// [`Cell::is_empty`] of the cell at `i`; a cell beyond the row's end is empty.
    pub(crate) fn is_empty_at(&self, i: usize) -> bool {
        match self {
            RawRow::Csv(record) => record.get(i).is_none_or(csv_field_is_empty),
            RawRow::Cells(cells) => cells.get(i).is_none_or(Cell::is_empty),
        }
    }

    /// [`Cell::canonical`] of the cell at `i`; empty beyond the row's end.
    pub(crate) fn canonical_at(&self, i: usize) -> Cow<'_, str> {
        match self {
            RawRow::Csv(record) => match record.get(i).map(std::str::from_utf8) {
                Some(Ok(text)) => cell::canonical_text(text),
                // bad encoding, or no such field: no text
                Some(Err(_)) | None => Cow::Borrowed(""),
            },
            RawRow::Cells(cells) => cells
                .get(i)
                .map(|c| c.view().canonical())
                .unwrap_or(Cow::Borrowed("")),
        }
    }
}

/// Reads every row of the file, calling `f(row_number, row)` with 1-based row numbers.
/// Rows with no cells at all are skipped (xlsx does not store them).
pub(crate) fn for_each_raw_row(
    path: &Path,
    kind: &FileKind,
    limits: &Limits,
    f: &mut dyn FnMut(usize, RawRow<'_>) -> Result<Flow, LedgerError>,
) -> Result<(), LedgerError> {
    for_each_raw_row_at(path, kind, limits, None, f)
}

/// Where reading has got to in the file, in bytes of the file as stored (for a progress bar).
pub(crate) type Position = std::rc::Rc<Shared<u64>>;

/// A reader that notes its position in the file.
struct Positioned<R> {
    inner: R,
    at: Position,
}

impl<R: Read> Read for Positioned<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.at.set(self.at.get().saturating_add(n as u64));
        Ok(n)
    }
}

impl<R: Seek> Seek for Positioned<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let p = self.inner.seek(pos)?;
        self.at.set(p);
        Ok(p)
    }
}

/// [`for_each_raw_row`], noting in `position` how far into the file reading has got.
pub(crate) fn for_each_raw_row_at(
    path: &Path,
    kind: &FileKind,
    limits: &Limits,
    position: Option<&Position>,
    f: &mut dyn FnMut(usize, RawRow<'_>) -> Result<Flow, LedgerError>,
) -> Result<(), LedgerError> {
    let position = position.cloned().unwrap_or_default();
    match kind {
        FileKind::Csv {
            encoding,
            delimiter,
        } => csv_records(
            path,
            *encoding,
            *delimiter,
            limits,
            &position,
            &mut |number, record| f(number, RawRow::Csv(record)),
        ),
        FileKind::Xlsx { sheet } => {
            xlsx_rows(path, sheet, limits, &position, &mut |number, cells| {
                f(number, RawRow::Cells(cells))
            })
        }
    }
}

/// Whether a CSV field makes an empty cell: no bytes, or valid text that is all whitespace
/// (bytes that are not valid text make a [`Cell::BadEncoding`], which is not empty).
fn csv_field_is_empty(field: &[u8]) -> bool {
    match field.first() {
        None => true,
        // the usual case, decided by the first byte
        Some(b) if b.is_ascii() && !char::from(*b).is_whitespace() => false,
        Some(_) => std::str::from_utf8(field).is_ok_and(cell::is_blank_text),
    }
}

/// The cells of a CSV record: empty, text, or bad encoding for a field that is not valid UTF-8.
fn csv_cells(record: &csv::ByteRecord) -> Vec<Cell> {
    fn cell_of(text: &str) -> Cell {
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text.to_string())
        }
    }
    // One check of the whole record instead of one per field: when the record is valid UTF-8,
    // a field is valid exactly when it starts and ends on character boundaries.
    match std::str::from_utf8(record.as_slice()) {
        Ok(all) => (0..record.len())
            .map(|i| match record.range(i).and_then(|r| all.get(r)) {
                Some(text) => cell_of(text),
                None => Cell::BadEncoding,
            })
            .collect(),
        Err(_) => record
            .iter()
            .map(|b| match std::str::from_utf8(b) {
                Ok(text) => cell_of(text),
                Err(_) => Cell::BadEncoding,
            })
            .collect(),
    }
}

/// Decodes GB18030 into UTF-8 as a stream, through two fixed buffers.
struct DecodingReader<R: Read> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    /// the inner reader is exhausted
    done: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// the decoder has been flushed
    finished: bool,
}

impl<R: Read> DecodingReader<R> {
    fn new(inner: R, chunk: usize) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            input: vec![0; chunk],
            start: 0,
            end: 0,
            done: false,
            output: vec![0; chunk.max(16) * 2],
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = out.len().min(self.out_end - self.out_start);
                out[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished || out.is_empty() {
                return Ok(0);
            }
            if self.start == self.end && !self.done {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
                self.done = self.end == 0;
            }
            let last = self.done;
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                last,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
    }
}

/// A CSV record as a [`SourceRow`], its text in one piece.
fn csv_source_row(number: usize, record: &csv::ByteRecord) -> SourceRow {
    let bytes = record.as_slice();
    if u32::try_from(bytes.len()).is_err() {
        // beyond what the compact form can index (and far beyond any real row)
        return SourceRow::new(number, csv_cells(record));
    }
    let end_of = |i: usize| record.range(i).map_or(0, |r| r.end as u32);
    if let Ok(all) = std::str::from_utf8(bytes) {
        // valid as a whole: only a field cut inside a character is bad
        let mut bad = Vec::new();
        for i in 0..record.len() {
            if record.range(i).and_then(|r| all.get(r)).is_none() {
                bad.push(i as u32);
            }
        }
        if bad.is_empty() {
            let ends = (0..record.len()).map(end_of).collect();
            return SourceRow::from_text(number, all.to_string(), ends, bad);
        }
    }
    // some field is not valid text: keep the others' text, field by field
    let mut text = String::with_capacity(bytes.len());
    let mut ends = Vec::with_capacity(record.len());
    let mut bad = Vec::new();
    for (i, field) in record.iter().enumerate() {
        match std::str::from_utf8(field) {
            Ok(t) => text.push_str(t),
            Err(_) => bad.push(i as u32),
        }
        ends.push(text.len() as u32);
    }
    SourceRow::from_text(number, text, ends, bad)
}

/// Hands its reader's bytes on while fewer than `budget` have been read since the count was last
/// set to zero (at each record the CSV reader returns); past it, fails, so that the CSV reader
/// never holds a row longer than the budget and its own buffer.
struct Budgeted<R> {
    inner: R,
    used: std::rc::Rc<Shared<usize>>,
    budget: usize,
}

impl<R: Read> Read for Budgeted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > self.budget {
            return Err(std::io::Error::other("row over the byte budget"));
        }
        let n = self.inner.read(out)?;
        self.used.set(self.used.get().saturating_add(n));
        Ok(n)
    }
}

/// The CSV reader's buffer: what it may have read beyond the record it returns.
const CSV_BUFFER: usize = 256 * 1024;

/// Refuses a CSV record over the limits of columns or cell length.
fn check_record(
    record: &csv::ByteRecord,
    number: usize,
    limits: &Limits,
) -> Result<(), LedgerError> {
    if record.len() > limits.max_columns
        && record
            .iter()
            .skip(limits.max_columns)
            .any(|f| !csv_field_is_empty(f))
    {
        return Err(limits.over(Limit::Columns(limits.max_columns), Some(number)));
    }
    // only a record longer than a cell may be can hold a cell too long
    if record.as_slice().len() > limits.max_cell_chars {
        for field in record.iter() {
            if field.len() > limits.max_cell_chars {
                limits.check_cell(&String::from_utf8_lossy(field), number)?;
            }
        }
    }
    Ok(())
}

/// Reads every record of a CSV file, calling `f(row_number, record)`.
fn csv_records(
    path: &Path,
    encoding: Encoding,
    delimiter: u8,
    limits: &Limits,
    position: &Position,
    f: &mut dyn FnMut(usize, &csv::ByteRecord) -> Result<Flow, LedgerError>,
) -> Result<(), LedgerError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let mut file = Positioned {
        inner: file,
        at: position.clone(),
    };
    if encoding == Encoding::Utf8Bom {
        file.seek(SeekFrom::Start(3)).map_err(|e| io_err(path, e))?;
    }
    let input: Box<dyn Read> = match encoding {
        Encoding::Gb18030 => Box::new(DecodingReader::new(file, 64 * 1024)),
        _ => Box::new(file),
    };
    let used = std::rc::Rc::new(Shared::new(0usize));
    let input = Budgeted {
        inner: input,
        used: used.clone(),
        budget: limits.max_row_bytes.saturating_add(CSV_BUFFER),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut number = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(_) if used.get() > limits.max_row_bytes.saturating_add(CSV_BUFFER) => {
                return Err(limits.over(Limit::RowBytes(limits.max_row_bytes), Some(number + 1)));
            }
            Err(e) => {
                return Err(LedgerError::Csv {
                    row: number + 1,
                    message: e.to_string(),
                });
            }
        }
        used.set(0);
        number += 1;
        if record.as_slice().len() > limits.max_row_bytes {
            return Err(limits.over(Limit::RowBytes(limits.max_row_bytes), Some(number)));
        }
        limits.check_row_count(number)?;
        check_record(&record, number, limits)?;
        if let Flow::Stop = f(number, &record)? {
            return Ok(());
        }
    }
}

fn convert(value: DataRef<'_>, has_formula: bool) -> Cell {
    match value {
        DataRef::Empty if has_formula => Cell::FormulaWithoutValue,
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Float(v) => Cell::Number(v),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            shouwang_core::Date::new(i32::from(y), m, d)
                .map(Cell::Date)
                .unwrap_or(Cell::Number(dt.as_f64()))
        }
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Reads the sheet's rows within `limits`: rows counted as they are read, a filled cell beyond
/// the last column or longer than a cell may be refusing the file (the XML was checked before,
/// so no cell calamine hands over is longer than a few times the limit).
fn xlsx_rows(
    path: &Path,
    sheet: &str,
    limits: &Limits,
    position: &Position,
    f: &mut dyn FnMut(usize, Vec<Cell>) -> Result<Flow, LedgerError>,
) -> Result<(), LedgerError> {
    let mut book = open_xlsx_at(path, position)?;
    let broken = |e: calamine::XlsxError| LedgerError::NotSpreadsheet {
        reason: format!("xlsx文件内容损坏（{e}）"),
    };
    let mut cells_reader = guarded(|| book.worksheet_cells_reader(sheet).map_err(broken))?;
    let mut row: Vec<Cell> = Vec::new();
    let mut row_index: Option<u32> = None;
    let mut rows_read = 0usize;
    while let Some(rec) = guarded(|| {
        cells_reader
            .next_cell_with_formula_metadata()
            .map_err(broken)
    })? {
        let (r, c) = rec.pos;
        if row_index != Some(r) {
            if let Some(prev) = row_index {
                if let Flow::Stop = f(prev as usize + 1, std::mem::take(&mut row))? {
                    return Ok(());
                }
            }
            rows_read += 1;
            limits.check_row_count(rows_read)?;
            row_index = Some(r);
        }
        let c = c as usize;
        let cell = convert(rec.value, rec.formula.is_some());
        if cell == Cell::Empty {
            continue;
        }
        let number = r as usize + 1;
        limits.check_column(c, number)?;
        if let Cell::Text(t) | Cell::Error(t) = &cell {
            limits.check_cell(t, number)?;
        }
        if row.len() <= c {
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = cell;
    }
    if let Some(prev) = row_index {
        f(prev as usize + 1, row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_without_a_cached_value_is_marked_and_one_with_a_value_gives_it() {
        assert_eq!(convert(DataRef::Empty, true), Cell::FormulaWithoutValue);
        assert_eq!(convert(DataRef::Float(1200.0), true), Cell::Number(1200.0));
        assert_eq!(convert(DataRef::Empty, false), Cell::Empty);
    }

    #[test]
    fn gb18030_is_decoded_even_when_reads_split_characters() {
        let (bytes, _, _) = GB18030.encode("户编号,姓名\n桃红村,王德明\n");
        let mut r = DecodingReader::new(&bytes[..], 3);
        let mut out = String::new();
        let mut tiny = [0u8; 1];
        // one byte at a time, the hardest way to read it
        while r.read(&mut tiny).unwrap() == 1 {
            out.push(char::from(tiny[0]));
        }
        let out = String::from_utf8(out.chars().map(|c| c as u8).collect()).unwrap();
        assert_eq!(out, "户编号,姓名\n桃红村,王德明\n");
    }
}
