//! How big a ledger file may be (文件上限): a file over any of these limits is refused as a whole,
//! with the limit named, before it can take the server's memory.
//!
//! An xlsx is a zip: a 2 MB upload can unpack to gigabytes, and a single cell can hold a gigabyte
//! of text. So the limits are checked on what the file unpacks to, while it is read, and never
//! after a cell or a row has been held whole:
//!
//! - **uncompressed size**: the parts of an xlsx together at most [`Limits::max_bytes`] (the
//!   sizes the zip declares, which its reader enforces, and the bytes counted while scanning);
//!   the shared-string table, which is held in memory while the sheet is read, at most
//!   [`Limits::max_shared_strings_bytes`]; a CSV file at most [`Limits::max_bytes`];
//! - **rows**: at most [`Limits::max_rows`] rows read (a county's ledger has far fewer);
//! - **columns**: no filled cell beyond column [`Limits::max_columns`];
//! - **cell length**: at most [`Limits::max_cell_chars`] characters, Excel's own limit for a
//!   cell (the reader's 10,000-character limit for a ledger field stays a row error below it);
//! - **row length** (CSV): at most [`Limits::max_row_bytes`] bytes in one row.
//!
//! Before calamine opens an xlsx, [`check_xlsx`] reads each XML part of it once as a stream in
//! fixed memory and refuses a part whose text, tag or string is longer than calamine would hold
//! in one piece; calamine then reads a file whose every piece is bounded.

use super::LedgerError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// The limits a ledger file is read within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Uncompressed bytes of a whole xlsx (all its parts), or of a CSV file.
    pub max_bytes: u64,
    /// Uncompressed bytes of an xlsx's shared-string table.
    pub max_shared_strings_bytes: u64,
    /// Rows read, header and blank rows included.
    pub max_rows: usize,
    /// The last column a filled cell may be in.
    pub max_columns: usize,
    /// Characters in one cell.
    pub max_cell_chars: usize,
    /// Bytes in one CSV row.
    pub max_row_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1024 * MIB,
            max_shared_strings_bytes: 128 * MIB,
            max_rows: 1_000_000,
            max_columns: 256,
            max_cell_chars: 32_767,
            max_row_bytes: MIB as usize,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The longest tag, comment or processing instruction in an xlsx's XML (real ones are a few
/// hundred bytes).
const MAX_TAG_BYTES: usize = 1024 * 1024;

impl Limits {
    /// The most bytes of XML text a cell of [`Limits::max_cell_chars`] characters can take:
    /// escaping makes a character at most six bytes (`&quot;`); numeric references longer than
    /// that are refused as too long too.
    fn max_cell_text_bytes(&self) -> usize {
        self.max_cell_chars.saturating_mul(6)
    }

    /// Refuses a cell's text longer than [`Limits::max_cell_chars`].
    pub(crate) fn check_cell(&self, text: &str, row: usize) -> Result<(), LedgerError> {
        // a character takes at least one byte: only a long text needs counting
        if text.len() > self.max_cell_chars && text.chars().count() > self.max_cell_chars {
            return Err(self.over(Limit::CellChars(self.max_cell_chars), Some(row)));
        }
        Ok(())
    }

    /// Refuses row `number` when it is past [`Limits::max_rows`].
    pub(crate) fn check_row_count(&self, number: usize) -> Result<(), LedgerError> {
        if number > self.max_rows {
            return Err(self.over(Limit::Rows(self.max_rows), None));
        }
        Ok(())
    }

    /// Refuses a filled cell at 0-based column `column` beyond [`Limits::max_columns`].
    pub(crate) fn check_column(&self, column: usize, row: usize) -> Result<(), LedgerError> {
        if column >= self.max_columns {
            return Err(self.over(Limit::Columns(self.max_columns), Some(row)));
        }
        Ok(())
    }

    pub(crate) fn over(&self, limit: Limit, row: Option<usize>) -> LedgerError {
        LedgerError::OverLimit { limit, row }
    }
}

/// Which limit a file is over, with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// uncompressed bytes of the file
    Bytes(u64),
    /// uncompressed bytes of an xlsx's shared-string table
    SharedStrings(u64),
    Rows(usize),
    Columns(usize),
    CellChars(usize),
    /// bytes in one CSV row
    RowBytes(usize),
}

fn size_text(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} B")
    }
}

impl Limit {
    /// The limit in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Limit::Bytes(b) => format!("解压后的文件大小最多{}", size_text(*b)),
            Limit::SharedStrings(b) => {
                format!("xlsx的共享字符串表解压后最多{}", size_text(*b))
            }
            Limit::Rows(n) => format!("最多{n}行"),
            Limit::Columns(n) => format!("有内容的单元格最多到第{n}列"),
            Limit::CellChars(n) => format!("一个单元格最多{n}个字符"),
            Limit::RowBytes(n) => format!("CSV的一行最多{}", size_text(*n as u64)),
        }
    }

    /// The limit in English.
    pub fn en(&self) -> String {
        match self {
            Limit::Bytes(b) => format!("at most {} once uncompressed", size_text(*b)),
            Limit::SharedStrings(b) => format!(
                "an xlsx's shared-string table at most {} once uncompressed",
                size_text(*b)
            ),
            Limit::Rows(n) => format!("at most {n} rows"),
            Limit::Columns(n) => format!("filled cells only up to column {n}"),
            Limit::CellChars(n) => format!("at most {n} characters in a cell"),
            Limit::RowBytes(n) => format!("at most {} in one CSV row", size_text(*n as u64)),
        }
    }
}

/// The sentence of [`LedgerError::OverLimit`].
pub(crate) fn over_limit_text(limit: &Limit, row: &Option<usize>) -> String {
    let (at_zh, at_en) = match row {
        Some(r) => (format!("（第{r}行）"), format!(" (row {r})")),
        None => (String::new(), String::new()),
    };
    format!(
        "文件超出上限：{}{at_zh}，请分成几个文件或删去多余内容后再导入 / the file is over a limit: {}{at_en}; split it or remove what does not belong before importing it",
        limit.zh(),
        limit.en()
    )
}

fn not_xlsx(reason: String) -> LedgerError {
    LedgerError::NotSpreadsheet { reason }
}

/// Checks an xlsx before calamine opens it: the sizes its zip declares (which the zip reader
/// holds every part to), and every XML part read once as a stream, in fixed memory, for text,
/// strings and tags longer than the limits allow.
pub(crate) fn check_xlsx(path: &Path, limits: &Limits) -> Result<(), LedgerError> {
    let file = File::open(path).map_err(|e| LedgerError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| not_xlsx(format!("不是有效的xlsx文件（{e}）")))?;
    let mut declared = 0u64;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| not_xlsx(format!("xlsx文件内容损坏（{e}）")))?;
        declared = declared.saturating_add(entry.size());
        let name = String::from_utf8_lossy(entry.name_raw()).to_ascii_lowercase();
        if name.ends_with("sharedstrings.xml") && entry.size() > limits.max_shared_strings_bytes {
            return Err(limits.over(Limit::SharedStrings(limits.max_shared_strings_bytes), None));
        }
        if name.ends_with(".xml") || name.ends_with(".rels") {
            parts.push((i, name.ends_with("sharedstrings.xml")));
        }
    }
    if declared > limits.max_bytes {
        return Err(limits.over(Limit::Bytes(limits.max_bytes), None));
    }
    let mut read = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    for (i, shared) in parts {
        let mut part = zip
            .by_index(i)
            .map_err(|e| not_xlsx(format!("xlsx文件内容损坏（{e}）")))?;
        let mut guard = XmlGuard::new(limits);
        let mut in_part = 0u64;
        loop {
            let n = match part.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(not_xlsx(format!("xlsx文件内容损坏（{e}）"))),
            };
            read = read.saturating_add(n as u64);
            in_part = in_part.saturating_add(n as u64);
            if read > limits.max_bytes {
                return Err(limits.over(Limit::Bytes(limits.max_bytes), None));
            }
            if shared && in_part > limits.max_shared_strings_bytes {
                return Err(
                    limits.over(Limit::SharedStrings(limits.max_shared_strings_bytes), None)
                );
            }
            guard.feed(&chunk[..n])?;
        }
    }
    Ok(())
}

/// Where the scanner is in the XML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Text,
    /// just after `<`
    Open,
    /// after `<!`: a comment or CDATA, told apart by the next bytes
    Bang,
    Tag,
    Comment,
    Cdata,
    /// `<?…?>`
    Instruction,
}

/// Scans XML bytes in fixed memory and refuses any piece longer than calamine should hold:
/// a text (or CDATA) longer than a cell may be, a string (`<si>`, `<is>`: the runs of rich text
/// calamine joins into one) whose texts together are, or a tag, comment or instruction over
/// [`MAX_TAG_BYTES`]. A DTD is refused: no xlsx has one, and its internal subset would be read
/// whole.
struct XmlGuard {
    state: State,
    /// bytes of the current text, tag, comment or CDATA
    token: usize,
    /// text bytes of the `<si>` or `<is>` being read
    string: Option<usize>,
    max_text: usize,
    max_cell_chars: usize,
    /// the start of a tag's name (enough to tell `si` and `is`)
    name: Vec<u8>,
    name_done: bool,
    end_tag: bool,
    quote: Option<u8>,
    /// the name of the attribute being read (its start)
    attribute: Vec<u8>,
    /// the quoted value being read is a cell reference (`r`, `ref`): its runs of letters and
    /// of digits so far
    reference: Option<(usize, usize)>,
    /// the last byte of the tag before `>` that was not white space (`/` for `<x/>`)
    last: u8,
    /// the bytes after `<!`
    bang: Vec<u8>,
    /// the two bytes before this one, for `-->`, `]]>` and `?>`
    prev: [u8; 2],
}

impl XmlGuard {
    fn new(limits: &Limits) -> XmlGuard {
        XmlGuard {
            state: State::Text,
            token: 0,
            string: None,
            max_text: limits.max_cell_text_bytes(),
            max_cell_chars: limits.max_cell_chars,
            name: Vec::with_capacity(16),
            name_done: false,
            end_tag: false,
            quote: None,
            attribute: Vec::with_capacity(8),
            reference: None,
            last: 0,
            bang: Vec::with_capacity(8),
            prev: [0; 2],
        }
    }

    fn too_long_text(&self) -> LedgerError {
        LedgerError::OverLimit {
            limit: Limit::CellChars(self.max_cell_chars),
            row: None,
        }
    }

    fn text_byte(&mut self) -> Result<(), LedgerError> {
        self.token += 1;
        if self.token > self.max_text {
            return Err(self.too_long_text());
        }
        if let Some(s) = self.string.as_mut() {
            *s += 1;
            if *s > self.max_text {
                return Err(self.too_long_text());
            }
        }
        Ok(())
    }

    fn markup_byte(&mut self) -> Result<(), LedgerError> {
        self.token += 1;
        if self.token > MAX_TAG_BYTES {
            return Err(not_xlsx(format!(
                "xlsx中有长于{MAX_TAG_BYTES}字节的XML标记"
            )));
        }
        Ok(())
    }

    fn back_to_text(&mut self) {
        self.state = State::Text;
        self.token = 0;
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), LedgerError> {
        for &b in bytes {
            match self.state {
                State::Text => {
                    if b == b'<' {
                        self.state = State::Open;
                        self.token = 1;
                    } else {
                        self.text_byte()?;
                    }
                }
                State::Open => match b {
                    b'!' => {
                        self.state = State::Bang;
                        self.bang.clear();
                    }
                    b'?' => self.state = State::Instruction,
                    _ => {
                        self.state = State::Tag;
                        self.name.clear();
                        self.name_done = false;
                        self.quote = None;
                        self.end_tag = b == b'/';
                        self.last = b;
                        if !self.end_tag {
                            self.tag_byte(b);
                        }
                        self.markup_byte()?;
                    }
                },
                State::Bang => {
                    self.bang.push(b);
                    if self.bang == b"--" {
                        self.state = State::Comment;
                        self.prev = [0; 2];
                        self.token = 0;
                    } else if self.bang == b"[CDATA[" {
                        self.state = State::Cdata;
                        self.prev = [0; 2];
                        self.token = 0;
                    } else if !b"--".starts_with(&self.bang) && !b"[CDATA[".starts_with(&self.bang)
                    {
                        return Err(not_xlsx("xlsx中含有DTD声明".into()));
                    }
                }
                State::Tag => {
                    self.markup_byte()?;
                    match self.quote {
                        Some(q) if b == q => {
                            self.quote = None;
                            self.reference = None;
                            self.attribute.clear();
                        }
                        Some(_) => self.reference_byte(b)?,
                        None if b == b'"' || b == b'\'' => {
                            self.name_done = true;
                            self.quote = Some(b);
                            let local = match self.attribute.iter().rposition(|c| *c == b':') {
                                Some(colon) => &self.attribute[colon + 1..],
                                None => &self.attribute[..],
                            };
                            // `xmlns:r` names a namespace, not a cell
                            let namespace = self.attribute.starts_with(b"xmlns");
                            if !namespace && (local == b"r" || local == b"ref") {
                                self.reference = Some((0, 0));
                            }
                        }
                        None if b == b'>' => self.end_of_tag(),
                        None => self.tag_byte(b),
                    }
                }
                State::Comment => {
                    self.markup_byte()?;
                    if b == b'>' && self.prev == *b"--" {
                        self.back_to_text();
                    }
                }
                State::Cdata => {
                    if b == b'>' && self.prev == *b"]]" {
                        self.back_to_text();
                    } else {
                        self.text_byte()?;
                    }
                }
                State::Instruction => {
                    self.markup_byte()?;
                    if b == b'>' && self.prev[1] == b'?' {
                        self.back_to_text();
                    }
                }
            }
            self.prev = [self.prev[1], b];
        }
        Ok(())
    }

    /// A byte of a cell reference (`A1`, `B2:XFD1048576`): no more than three letters (XFD) or
    /// seven digits (1048576) in a row, so that calamine's arithmetic on it cannot overflow
    /// (found by fuzzing: `NaaaAAa` panicked it).
    fn reference_byte(&mut self, b: u8) -> Result<(), LedgerError> {
        let Some((letters, digits)) = self.reference.as_mut() else {
            return Ok(());
        };
        if b.is_ascii_alphabetic() {
            *letters += 1;
            *digits = 0;
        } else if b.is_ascii_digit() {
            *digits += 1;
            *letters = 0;
        } else {
            (*letters, *digits) = (0, 0);
        }
        if *letters > 3 || *digits > 7 {
            return Err(not_xlsx("xlsx中有无效的单元格引用".into()));
        }
        Ok(())
    }

    /// A byte of a tag outside quotes: part of its name until the first space or `/`, then
    /// of its attributes' names.
    fn tag_byte(&mut self, b: u8) {
        if !b.is_ascii_whitespace() {
            self.last = b;
        }
        if self.name_done {
            if b.is_ascii_whitespace() || b == b'=' || b == b'/' {
                if b != b'=' {
                    self.attribute.clear();
                }
            } else if self.attribute.len() < 8 {
                self.attribute.push(b);
            }
            return;
        }
        if b.is_ascii_whitespace() || b == b'/' {
            self.name_done = true;
        } else if self.name.len() < 16 {
            self.name.push(b);
        }
    }

    fn end_of_tag(&mut self) {
        let local = match self.name.iter().rposition(|c| *c == b':') {
            Some(colon) => &self.name[colon + 1..],
            None => &self.name[..],
        };
        if local == b"si" || local == b"is" {
            if self.end_tag {
                self.string = None;
            } else if self.last != b'/' {
                self.string = Some(0);
            }
        }
        self.back_to_text();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            max_cell_chars: 10,
            ..Limits::default()
        }
    }

    fn scan(xml: &str, chunk: usize) -> Result<(), LedgerError> {
        let mut g = XmlGuard::new(&small());
        for piece in xml.as_bytes().chunks(chunk) {
            g.feed(piece)?;
        }
        Ok(())
    }

    fn is_cell_limit(r: Result<(), LedgerError>) -> bool {
        matches!(
            r,
            Err(LedgerError::OverLimit {
                limit: Limit::CellChars(10),
                ..
            })
        )
    }

    #[test]
    fn ordinary_sheet_xml_passes_however_it_is_cut() {
        let xml = r#"<?xml version="1.0"?><!-- a comment --><worksheet xmlns:x="u"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>王德明</t></is></c><c r="B1" t="s"><v>12</v></c><x:si><x:t>abc</x:t></x:si><si/><c r="C1" a='>'><v><![CDATA[1<2]]></v></c></row></sheetData></worksheet>"#;
        for chunk in [1, 2, 3, 7, 1000] {
            assert!(scan(xml, chunk).is_ok(), "chunk {chunk}");
        }
    }

    #[test]
    fn a_text_longer_than_a_cell_may_be_is_refused_before_it_ends() {
        let long = "x".repeat(61);
        assert!(is_cell_limit(scan(&format!("<v>{long}"), 5)));
        assert!(scan(&format!("<v>{}</v>", "x".repeat(60)), 5).is_ok());
        assert!(is_cell_limit(scan(&format!("<v><![CDATA[{long}"), 5)));
    }

    #[test]
    fn the_runs_of_one_string_count_together_and_end_with_it() {
        let run = "<r><t>xxxxxxxxxx</t></r>";
        let seven = run.repeat(7);
        assert!(is_cell_limit(scan(&format!("<si>{seven}</si>"), 4)));
        assert!(is_cell_limit(scan(&format!("<is>{seven}</is>"), 4)));
        assert!(scan(
            &format!("<si>{}</si><si>{}</si>", run.repeat(5), run.repeat(5)),
            4
        )
        .is_ok());
        // outside a string, each text counts on its own
        assert!(scan(&format!("<sst>{seven}</sst>"), 4).is_ok());
    }

    #[test]
    fn a_cell_reference_longer_than_excel_has_is_refused() {
        for ok in [
            r#"<c r="XFD1048576"/>"#,
            r#"<dimension ref="A1:XFD1048576"/>"#,
            r#"<hyperlink ref="A1" r:id="rId12345678"/>"#,
            r#"<x:c x:r="$B$2"/>"#,
            r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        ] {
            assert!(scan(ok, 3).is_ok(), "{ok}");
        }
        for bad in [
            r#"<c r="NaaaAAa"/>"#,
            r#"<row r="12345678"/>"#,
            r#"<f t="shared" ref="A1:AAAA2"/>"#,
            r#"<x:c x:r='ABCD1'/>"#,
        ] {
            assert!(
                matches!(scan(bad, 2), Err(LedgerError::NotSpreadsheet { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_huge_tag_or_a_dtd_is_refused() {
        let tag = format!("<c r=\"{}\">", "A".repeat(MAX_TAG_BYTES));
        assert!(matches!(
            scan(&tag, 4096),
            Err(LedgerError::NotSpreadsheet { .. })
        ));
        assert!(matches!(
            scan("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>", 3),
            Err(LedgerError::NotSpreadsheet { .. })
        ));
    }
}
