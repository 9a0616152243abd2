//! Cell values (单元格) as files deliver them, and the parsers that turn them into domain types.
//!
//! CSV cells are always text; xlsx cells may be numbers, text, booleans, dates, error values
//! (`#N/A`) or formulas. **Formulas**: the reader takes the value the spreadsheet program cached
//! when it last saved the file, which is what the user sees in Excel or WPS; a formula cell
//! without a cached value (written by a program that never calculated it) is refused with a
//! message asking to save the file from Excel or to paste values. Every parser here returns a
//! [`Problem`] whose field is left empty: the caller fills in the column.

use shouwang_core::date::YearMonth;
use shouwang_core::id_number::normalise;
use shouwang_core::money::AmountError;
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Fen, Problem};
use std::borrow::Cow;

/// Longest accepted cell, in characters: no ledger field comes near it, and a longer cell is
/// pasted text or a broken file.
pub const MAX_CELL_CHARS: usize = 10_000;

/// Numbers at or above this lost digits in Excel (15 significant digits): never guess them.
const EXACT_INTEGER_LIMIT: f64 = 1e15;

/// Largest Excel serial date (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A whole number stored as such by the spreadsheet.
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date (日期单元格), already converted from its serial number.
    Date(Date),
    /// A spreadsheet error value such as `#N/A` or `#REF!`.
    Error(String),
    /// A formula cell with no cached result.
    FormulaWithoutValue,
    /// CSV bytes that are not valid in the file's encoding.
    BadEncoding,
}

fn problem(code: ProblemCode, zh: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::new(code, "", zh, en)
}

/// Turns full-width digits and punctuation into ASCII (`２０２４－０３` → `2024-03`).
pub fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            '．' => '.',
            '／' => '/',
            '＋' => '+',
            c => c,
        })
        .collect()
}

/// Whether [`ascii_digits`] would change anything: the full-width forms it maps are
/// U+FF0B..=U+FF19, whose UTF-8 encodings all start with the byte 0xEF.
fn may_have_full_width(text: &str) -> bool {
    text.as_bytes().contains(&0xEF)
}

/// [`ascii_digits`] without a copy when the text has nothing to change.
pub(crate) fn ascii_digits_cow(text: &str) -> Cow<'_, str> {
    if may_have_full_width(text) {
        Cow::Owned(ascii_digits(text))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`ascii_digits`] of an owned or borrowed text, copying only when something changes.
fn ascii_digits_of(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(t) => ascii_digits_cow(t),
        Cow::Owned(t) if may_have_full_width(&t) => Cow::Owned(ascii_digits(&t)),
        owned => owned,
    }
}

/// The canonical form of a text cell: see [`Cell::canonical`].
pub(crate) fn canonical_text(text: &str) -> Cow<'_, str> {
    ascii_digits_cow(unwrap_text(text))
}

/// core's [`normalise`] of an ID number, without going character by character when the text is
/// plain ASCII with nothing to remove or change (no whitespace, no lower-case `x`).
pub(crate) fn normalise_id(text: &str) -> String {
    let plain = text
        .bytes()
        .all(|b| b.is_ascii() && b != b'x' && !char::from(b).is_whitespace());
    if plain {
        text.to_string()
    } else {
        normalise(text)
    }
}

/// An ASCII byte that is not whitespace: a character of its own that `trim` keeps.
fn plain_ascii(b: u8) -> bool {
    b.is_ascii() && !char::from(b).is_whitespace()
}

/// Whether a text is empty or all whitespace (`text.trim().is_empty()`).
pub(crate) fn is_blank_text(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(b) if plain_ascii(*b) => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// Strips the `="…"` wrapper that keeps Excel from turning digits into a number, and a leading
/// apostrophe (`'5108…`), which does the same.
pub fn unwrap_text(text: &str) -> &str {
    // the usual cell: nothing to trim at either end, and no wrapper
    if let (Some(first), Some(last)) = (text.as_bytes().first(), text.as_bytes().last()) {
        if plain_ascii(*first) && plain_ascii(*last) && !matches!(first, b'=' | b'\'') {
            return text;
        }
    }
    let t = text.trim();
    if let Some(inner) = t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.trim();
    }
    t.strip_prefix('\'').unwrap_or(t).trim()
}

/// A number as Excel shows it: at most 15 significant digits, no trailing zeros
/// (`0.30000000000000004` → `0.3`, `1234.5` → `1234.5`).
pub fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v == v.trunc() && v.abs() < EXACT_INTEGER_LIMIT {
        return format!("{}", v as i64);
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (14 - magnitude).clamp(0, 20) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A cell borrowed from a row, however the row keeps its cells: [`Cell`]s (xlsx) or the text
/// of a CSV record (see [`super::SourceRow`]). Every parser here takes one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellRef<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Number(f64),
    Bool(bool),
    Date(Date),
    Error(&'a str),
    FormulaWithoutValue,
    BadEncoding,
}

impl<'a> From<&'a Cell> for CellRef<'a> {
    fn from(cell: &'a Cell) -> CellRef<'a> {
        match cell {
            Cell::Empty => CellRef::Empty,
            Cell::Text(t) => CellRef::Text(t),
            Cell::Int(i) => CellRef::Int(*i),
            Cell::Number(v) => CellRef::Number(*v),
            Cell::Bool(b) => CellRef::Bool(*b),
            Cell::Date(d) => CellRef::Date(*d),
            Cell::Error(e) => CellRef::Error(e),
            Cell::FormulaWithoutValue => CellRef::FormulaWithoutValue,
            Cell::BadEncoding => CellRef::BadEncoding,
        }
    }
}

impl<'a> CellRef<'a> {
    /// The owned cell.
    pub fn to_cell(self) -> Cell {
        match self {
            CellRef::Empty => Cell::Empty,
            CellRef::Text(t) => Cell::Text(t.to_string()),
            CellRef::Int(i) => Cell::Int(i),
            CellRef::Number(v) => Cell::Number(v),
            CellRef::Bool(b) => Cell::Bool(b),
            CellRef::Date(d) => Cell::Date(d),
            CellRef::Error(e) => Cell::Error(e.to_string()),
            CellRef::FormulaWithoutValue => Cell::FormulaWithoutValue,
            CellRef::BadEncoding => Cell::BadEncoding,
        }
    }

    /// See [`Cell::is_empty`].
    pub fn is_empty(self) -> bool {
        match self {
            CellRef::Empty => true,
            CellRef::Text(t) => is_blank_text(t),
            _ => false,
        }
    }

    /// See [`Cell::display`].
    pub fn display(self) -> String {
        match self {
            CellRef::Empty | CellRef::FormulaWithoutValue | CellRef::BadEncoding => String::new(),
            CellRef::Text(t) => t.to_string(),
            CellRef::Int(i) => i.to_string(),
            CellRef::Number(v) => number_text(v),
            CellRef::Bool(b) => if b { "是" } else { "否" }.to_string(),
            CellRef::Date(d) => d.to_string(),
            CellRef::Error(e) => e.to_string(),
        }
    }

    /// See [`Cell::canonical`]; borrowed from the cell when nothing changes.
    pub fn canonical(self) -> Cow<'a, str> {
        match self {
            CellRef::Text(t) => canonical_text(t),
            CellRef::Empty | CellRef::FormulaWithoutValue | CellRef::BadEncoding => {
                Cow::Borrowed("")
            }
            other => Cow::Owned(other.display()),
        }
    }

    /// See [`Cell::text`]; borrowed from the cell when possible.
    pub fn text(self) -> Result<Cow<'a, str>, Problem> {
        match self {
            CellRef::Text(t) => {
                // a character takes at least one byte: only a long text needs counting
                if t.len() > MAX_CELL_CHARS {
                    let n = t.chars().count();
                    if n > MAX_CELL_CHARS {
                        return Err(problem(
                            ProblemCode::CellTooLong,
                            format!("单元格过长：{n}个字符，最多{MAX_CELL_CHARS}个"),
                            format!(
                                "the cell is too long: {n} characters, at most {MAX_CELL_CHARS}"
                            ),
                        ));
                    }
                }
                Ok(Cow::Borrowed(unwrap_text(t)))
            }
            CellRef::Error(e) => Err(problem(
                ProblemCode::CellErrorValue,
                format!("单元格是错误值“{e}”，请改为实际内容"),
                format!("the cell holds the error value '{e}'; enter the actual value"),
            )),
            CellRef::FormulaWithoutValue => Err(problem(
                ProblemCode::CellFormulaWithoutValue,
                "单元格是没有计算结果的公式：请用Excel或WPS打开并保存文件，或将公式复制后“粘贴为数值”",
                "the cell is a formula without a calculated value: open and save the file in Excel or WPS, or paste it as values",
            )),
            CellRef::BadEncoding => Err(problem(
                ProblemCode::CellEncoding,
                "单元格含有无法识别的字符编码：请将文件另存为UTF-8编码的CSV或xlsx",
                "the cell holds bytes that are not valid text in the file's encoding: save the file as UTF-8 CSV or as xlsx",
            )),
            CellRef::Empty => Ok(Cow::Borrowed("")),
            other => Ok(Cow::Owned(other.display())),
        }
    }

    /// See [`Cell::ascii_text`]; borrowed from the cell when possible.
    pub fn ascii_text(self) -> Result<Cow<'a, str>, Problem> {
        self.text().map(ascii_digits_of)
    }
}

impl Cell {
    /// The cell borrowed, for the parsers.
    pub fn view(&self) -> CellRef<'_> {
        CellRef::from(self)
    }

    /// True for a cell with nothing in it (blank text counts as empty).
    pub fn is_empty(&self) -> bool {
        self.view().is_empty()
    }

    /// The cell as the user would read it, for the error workbook and for comparing the
    /// household-level columns of several rows.
    pub fn display(&self) -> String {
        self.view().display()
    }

    /// The value for comparisons and keys: trimmed, unwrapped from `="…"`, ASCII digits.
    pub fn canonical(&self) -> String {
        self.view().canonical().into_owned()
    }

    /// The cell as trimmed text. Error values, formulas without a value, bad encoding and
    /// over-long cells are refused.
    pub fn text(&self) -> Result<String, Problem> {
        self.view().text().map(Cow::into_owned)
    }

    /// Text with full-width digits turned into ASCII, for codes, phones and numbers.
    pub fn ascii_text(&self) -> Result<String, Problem> {
        self.view().ascii_text().map(Cow::into_owned)
    }
}

/// An ID number (证件号码) or other long digit string that must be exact: text, `="…"`, or a
/// number that still has all its digits. A number of 16 or more digits lost its last digits in
/// Excel and is refused, never completed by guessing.
pub fn id_text<'a>(cell: impl Into<CellRef<'a>>) -> Result<String, Problem> {
    let cell = cell.into();
    let lost = || {
        problem(
            ProblemCode::IdNumberLostPrecision,
            "证件号码以数字格式保存，Excel只保留15位有效数字，后几位已丢失：请把该列设为“文本”格式后重新填写",
            "the ID number was stored as a number and Excel kept only 15 significant digits: set the column to text and enter it again",
        )
    };
    match &cell {
        CellRef::Int(i) if i.unsigned_abs() < 1_000_000_000_000_000 => Ok(i.to_string()),
        CellRef::Int(_) => Err(lost()),
        CellRef::Number(v) if v.is_finite() && *v == v.trunc() && v.abs() < EXACT_INTEGER_LIMIT => {
            Ok(format!("{}", *v as i64))
        }
        CellRef::Number(_) => Err(lost()),
        CellRef::Text(_) => {
            let t = cell.text()?;
            // "5.10821199001011E+17" is a number pasted as text: just as lossy
            if t.contains(['E', 'e'])
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | 'e' | '+' | '-'))
            {
                return Err(lost());
            }
            Ok(normalise_id(&t))
        }
        other => other.text().map(|t| normalise_id(&t)),
    }
}

/// The date of an Excel serial number (1900 date system, with Excel's phantom 1900-02-29).
pub fn date_from_serial(serial: f64) -> Option<Date> {
    if !serial.is_finite() || !(1.0..=MAX_SERIAL).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    if days == 60 {
        return None; // 1900-02-29 does not exist
    }
    let epoch = if days < 60 {
        Date::new(1899, 12, 31)?
    } else {
        Date::new(1899, 12, 30)?
    };
    Some(epoch.add_days(days))
}

fn date_from_integer(n: i64) -> Option<Date> {
    if (10_000_101..=99_991_231).contains(&n) {
        // YYYYMMDD typed as a number
        return Date::new((n / 10_000) as i32, (n / 100 % 100) as u8, (n % 100) as u8);
    }
    date_from_serial(n as f64)
}

fn bad_date(text: &str) -> Problem {
    problem(
        ProblemCode::DateInvalid,
        format!("日期“{text}”无法识别：应为YYYY-MM-DD、YYYYMMDD、YYYY/M/D或Excel日期"),
        format!("date '{text}' is not understood: expected YYYY-MM-DD, YYYYMMDD, YYYY/M/D or an Excel date"),
    )
}

/// A date in any of the five forms ledgers use: `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/M/D`, an Excel
/// serial number (a number, or five digits as text), or a cell formatted as a date.
/// Also `YYYY.M.D` and `YYYY年M月D日`. Empty is `None`.
pub fn date<'a>(cell: impl Into<CellRef<'a>>) -> Result<Option<Date>, Problem> {
    let cell = cell.into();
    match &cell {
        CellRef::Date(d) => Ok(Some(*d)),
        CellRef::Int(i) => date_from_integer(*i)
            .map(Some)
            .ok_or_else(|| bad_date(&i.to_string())),
        CellRef::Number(v) => {
            let d = if *v == v.trunc() && v.abs() < EXACT_INTEGER_LIMIT {
                date_from_integer(*v as i64)
            } else {
                date_from_serial(*v)
            };
            d.map(Some).ok_or_else(|| bad_date(&number_text(*v)))
        }
        _ => {
            let t = cell.ascii_text()?;
            if t.is_empty() {
                return Ok(None);
            }
            let typed = if t.contains(['年', '月', '日']) {
                Cow::Owned(t.replace(['年', '月'], "-").replace('日', ""))
            } else {
                Cow::Borrowed(&*t)
            };
            if let Some(d) = Date::parse(&typed) {
                return Ok(Some(d));
            }
            if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
                if let Some(d) = t.parse::<i64>().ok().and_then(date_from_integer) {
                    return Ok(Some(d));
                }
            }
            Err(bad_date(&t))
        }
    }
}

fn bad_month(text: &str) -> Problem {
    problem(
        ProblemCode::MonthInvalid,
        format!("月份“{text}”无法识别：应为YYYYMM或YYYY-MM"),
        format!("month '{text}' is not understood: expected YYYYMM or YYYY-MM"),
    )
}

/// A month (识别监测时间, 风险消除时间): `YYYYMM`, `YYYY-MM`, a six-digit number, or a date
/// (its month). Empty is `None`.
pub fn month<'a>(cell: impl Into<CellRef<'a>>) -> Result<Option<YearMonth>, Problem> {
    let cell = cell.into();
    match &cell {
        CellRef::Date(d) => Ok(Some(YearMonth::of(*d))),
        CellRef::Int(_) | CellRef::Number(_) => {
            let t = cell.display();
            if let Some(m) = YearMonth::parse(&t) {
                return Ok(Some(m));
            }
            date(cell)
                .map(|d| d.map(YearMonth::of))
                .map_err(|_| bad_month(&t))
        }
        _ => {
            let t = cell.ascii_text()?;
            if t.is_empty() {
                return Ok(None);
            }
            if let Some(m) = YearMonth::parse(&t) {
                return Ok(Some(m));
            }
            match Date::parse(&t) {
                Some(d) => Ok(Some(YearMonth::of(d))),
                None => Err(bad_month(&t)),
            }
        }
    }
}

/// An amount in 元 with at most two decimals, as 分. Empty is `None`.
pub fn money<'a>(cell: impl Into<CellRef<'a>>) -> Result<Option<Fen>, Problem> {
    let cell = cell.into();
    let t = match &cell {
        CellRef::Date(_) => {
            return Err(problem(
                ProblemCode::MoneyDate,
                "金额单元格被设成了日期格式，请改为数值",
                "the amount cell is formatted as a date; format it as a number",
            ))
        }
        _ => cell.ascii_text()?,
    };
    let t = t.trim_end_matches('元').trim();
    if t.is_empty() {
        return Ok(None);
    }
    Fen::parse_yuan(t).map(Some).map_err(|e: AmountError| {
        problem(
            ProblemCode::MoneyInvalid,
            format!("金额“{t}”无效：{}（单位为元，最多两位小数）", e.zh()),
            format!("amount '{t}' is invalid: {e} (in yuan, at most two decimals)"),
        )
    })
}

/// 是/否 (also 1/0, Y/N). Empty is `None`.
pub fn yes_no<'a>(cell: impl Into<CellRef<'a>>) -> Result<Option<bool>, Problem> {
    let cell = cell.into();
    if let CellRef::Bool(b) = &cell {
        return Ok(Some(*b));
    }
    let t = cell.ascii_text()?;
    if t.is_empty() {
        return Ok(None);
    }
    shouwang_core::codes::parse_yes_no(&t)
        .map(Some)
        .ok_or_else(|| {
            problem(
                ProblemCode::YesNoInvalid,
                format!("“{t}”应为“是”或“否”"),
                format!("'{t}' should be 是 (yes) or 否 (no)"),
            )
        })
}

/// A whole number within `range` (务工时间, 年度 …); `12个月`, `2024年` accepted. Empty is `None`.
pub fn integer<'a>(
    cell: impl Into<CellRef<'a>>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Problem> {
    let cell = cell.into();
    let t = cell.ascii_text()?;
    let t = t.trim_end_matches(['月', '年', '个']).trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v = t.parse::<i64>().ok().or_else(|| {
        let f: f64 = t.parse().ok()?;
        (f == f.trunc() && f.abs() < EXACT_INTEGER_LIMIT).then_some(f as i64)
    });
    match v {
        Some(v) if range.contains(&v) => Ok(Some(v)),
        _ => Err(problem(
            ProblemCode::IntegerInvalid,
            format!("“{t}”应为{}到{}之间的整数", range.start(), range.end()),
            format!(
                "'{t}' should be a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use shouwang_core::codes::Sex;
    use shouwang_core::id_number::make_id;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    #[test]
    fn an_id_number_given_as_a_number_with_all_its_digits_is_accepted() {
        assert_eq!(id_text(&Cell::Number(510821199.0)).unwrap(), "510821199");
        assert_eq!(
            id_text(&Cell::Int(123456789012345)).unwrap(),
            "123456789012345"
        );
    }

    #[test]
    fn an_eighteen_digit_id_number_stored_as_a_number_is_refused_not_guessed() {
        let p = id_text(&Cell::Number(510821199001011234.0)).unwrap_err();
        assert_eq!(p.code, ProblemCode::IdNumberLostPrecision);
        assert!(p.zh.contains("15位"));
        assert_eq!(
            id_text(&text("5.10821199001011E+17")).unwrap_err().code,
            ProblemCode::IdNumberLostPrecision
        );
    }

    #[test]
    fn wrapped_and_full_width_id_numbers_are_normalised() {
        assert_eq!(
            id_text(&text("=\"11010519491231002X\"")).unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            id_text(&text("'11010519491231002x")).unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            id_text(&text("１１０１０５１９４９１２３１００２Ｘ")).unwrap(),
            "11010519491231002X"
        );
    }

    #[test]
    fn the_five_date_forms_all_give_the_same_day() {
        let d = Date::new(2024, 3, 5).unwrap();
        for c in [
            text("2024-03-05"),
            text("20240305"),
            text("2024/3/5"),
            Cell::Number(45356.0),
            text("45356"),
            Cell::Date(d),
        ] {
            assert_eq!(date(&c).unwrap(), Some(d), "{c:?}");
        }
        assert_eq!(date(&Cell::Int(20240305)).unwrap(), Some(d));
        assert_eq!(date(&text("２０２４－０３－０５")).unwrap(), Some(d));
        assert_eq!(date(&text("2024年3月5日")).unwrap(), Some(d));
        assert_eq!(date(&text("")).unwrap(), None);
        assert_eq!(
            date(&text("2024-02-30")).unwrap_err().code,
            ProblemCode::DateInvalid
        );
        assert_eq!(
            date(&text("1990")).unwrap_err().code,
            ProblemCode::DateInvalid
        );
        assert!(date(&Cell::Number(60.0)).is_err());
        assert_eq!(date(&Cell::Number(61.0)).unwrap(), Date::new(1900, 3, 1));
        assert_eq!(date(&Cell::Number(1.0)).unwrap(), Date::new(1900, 1, 1));
    }

    #[test]
    fn months_come_as_yyyymm_or_yyyy_mm() {
        let m = YearMonth::new(2024, 3).unwrap();
        for c in [
            text("202403"),
            text("2024-03"),
            Cell::Int(202403),
            Cell::Number(202403.0),
            text("２０２４０３"),
        ] {
            assert_eq!(month(&c).unwrap(), Some(m), "{c:?}");
        }
        assert_eq!(
            month(&Cell::Date(Date::new(2024, 3, 17).unwrap())).unwrap(),
            Some(m)
        );
        assert_eq!(
            month(&text("202413")).unwrap_err().code,
            ProblemCode::MonthInvalid
        );
    }

    #[test]
    fn money_from_numbers_and_text() {
        assert_eq!(money(&Cell::Number(1234.5)).unwrap(), Some(Fen(123_450)));
        assert_eq!(money(&Cell::Number(0.1 + 0.2)).unwrap(), Some(Fen(30)));
        assert_eq!(money(&text("８７００元")).unwrap(), Some(Fen(870_000)));
        assert_eq!(
            money(&text("1.234")).unwrap_err().code,
            ProblemCode::MoneyInvalid
        );
        assert_eq!(money(&Cell::Empty).unwrap(), None);
    }

    #[test]
    fn error_values_formulas_and_huge_cells_are_refused_with_reasons() {
        assert!(Cell::Error("#N/A".into())
            .text()
            .unwrap_err()
            .zh
            .contains("#N/A"));
        assert_eq!(
            Cell::FormulaWithoutValue.text().unwrap_err().code,
            ProblemCode::CellFormulaWithoutValue
        );
        let p = text(&"字".repeat(10_001)).text().unwrap_err();
        assert_eq!(p.code, ProblemCode::CellTooLong);
        assert!(p.zh.contains("10001"));
    }

    #[test]
    fn numbers_show_as_excel_shows_them() {
        assert_eq!(number_text(1234.5), "1234.5");
        assert_eq!(number_text(13800000000.0), "13800000000");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-7.25), "-7.25");
    }

    proptest! {
        #[test]
        fn cell_parsers_never_panic(s in "\\PC{0,40}", v in proptest::num::f64::ANY, i in proptest::num::i64::ANY) {
            for c in [Cell::Text(s.clone()), Cell::Number(v), Cell::Int(i)] {
                let _ = id_text(&c);
                let _ = date(&c);
                let _ = month(&c);
                let _ = money(&c);
                let _ = yes_no(&c);
                let _ = integer(&c, 0..=12);
                let _ = c.canonical();
            }
        }

        #[test]
        fn valid_dates_round_trip_through_text_and_serial(days in -25_000i64..40_000) {
            let d = Date::from_days(days);
            prop_assert_eq!(date(&Cell::Text(d.to_string())).unwrap(), Some(d));
            let serial = (d.to_days() - Date::new(1899, 12, 30).unwrap().to_days()) as f64;
            if serial > 60.0 {
                prop_assert_eq!(date(&Cell::Number(serial)).unwrap(), Some(d));
            }
        }

        #[test]
        fn valid_amounts_round_trip_through_text_and_numbers(fen in -100_000_000_000i64..100_000_000_000) {
            let f = Fen(fen);
            prop_assert_eq!(money(&Cell::Text(f.to_string())).unwrap(), Some(f));
            prop_assert_eq!(money(&Cell::Number(fen as f64 / 100.0)).unwrap(), Some(f));
        }

        #[test]
        fn valid_id_numbers_round_trip_as_text_and_wrapped(days in -20_000i64..19_000, seq in 0u16..1000, male: bool) {
            let sex = if male { Sex::Male } else { Sex::Female };
            let id = make_id("510821", Date::from_days(days), seq, sex);
            prop_assert_eq!(id_text(&Cell::Text(id.clone())).unwrap(), id.clone());
            prop_assert_eq!(id_text(&Cell::Text(format!("=\"{id}\""))).unwrap(), id);
        }
    }
}
