//! A plain table (a header and rows of text) as CSV or xlsx: what an auditor opens in a
//! spreadsheet program. A CSV cell that a spreadsheet would take for a formula (starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading apostrophe, so that
//! it shows as the text it is and runs nothing.

use rust_xlsxwriter::{Format, Workbook};

/// The file kinds a table is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    /// The format named by a file name's extension (`.csv`, `.xlsx`).
    pub fn of_name(name: &str) -> Option<TableFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(TableFormat::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(TableFormat::Xlsx)
        } else {
            None
        }
    }
}

/// A cell as a spreadsheet program will read it as text, never as a formula.
pub fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The table as CSV (UTF-8 with a byte-order mark, which spreadsheet programs need to read
/// Chinese correctly).
pub fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(header).map_err(|e| e.to_string())?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralised(c).into_owned()))
                .map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The table as an xlsx workbook of one sheet; every cell is text (xlsx keeps text and formulas
/// apart, so no cell can run).
pub fn xlsx_bytes(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|e| e.to_string())?;
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).map_err(|e| e.to_string())?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string(line, col, cell)
                .map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

/// A one-sheet xlsx table written a row at a time, its rows kept on disk (constant memory), for
/// lists of any length: a county's warnings, 200,000 households.
pub struct TableXlsxWriter {
    book: Workbook,
    rows: u32,
}

impl TableXlsxWriter {
    /// A workbook whose one sheet `sheet` starts with `header` in bold.
    pub fn new(sheet: &str, header: &[&str]) -> Result<TableXlsxWriter, String> {
        let mut book = Workbook::new();
        let ws = book
            .add_worksheet_with_constant_memory()
            .map_err(|e| e.to_string())?;
        ws.set_name(sheet).map_err(|e| e.to_string())?;
        let bold = Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(|e| e.to_string())?;
        }
        Ok(TableXlsxWriter { book, rows: 0 })
    }

    /// Adds a row below the last; every cell is text.
    pub fn row(&mut self, cells: &[&str]) -> Result<(), String> {
        let line = self.rows + 1;
        let ws = self
            .book
            .worksheet_from_index(0)
            .map_err(|e| e.to_string())?;
        for (c, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string(line, col, *cell)
                .map_err(|e| e.to_string())?;
        }
        self.rows = line;
        Ok(())
    }

    /// Writes the workbook to `path`; returns the number of rows below the header.
    pub fn finish(mut self, path: &std::path::Path) -> Result<u64, String> {
        self.book.save(path).map_err(|e| e.to_string())?;
        Ok(u64::from(self.rows))
    }
}

/// What heads an exported report (报表): its title, then one line naming the region, the date the
/// figures are as of and when the file was made, each with its label in the user's language. An
/// officer hands the sheet upward; whoever reads it must see what it counts and when.
#[derive(Clone, Debug)]
pub struct ReportHead {
    /// e.g. "防止返贫致贫监测对象统计表"
    pub title: String,
    /// e.g. "区划：旺苍县（510821）"
    pub region_line: String,
    /// e.g. "截至：2026-11-30"
    pub as_of_line: String,
    /// e.g. "导出时间：2026-12-01 09:30"
    pub exported_line: String,
}

/// A report as an xlsx workbook of one sheet: the title (bold, larger) on the first row, the
/// region, as-of date and export time on the second, a blank row, then the header in bold and the
/// rows. Cells of columns `numeric_from` and later that read as numbers are written as numbers
/// (so the sheet can sum them); every other cell is text, so that codes keep their leading
/// digits and no cell can run as a formula.
pub fn report_xlsx_bytes(
    head: &ReportHead,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
    numeric_from: usize,
) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, &head.title, &title)
        .map_err(err)?;
    let line = [
        head.region_line.as_str(),
        head.as_of_line.as_str(),
        head.exported_line.as_str(),
    ]
    .join("    ");
    ws.write_string(1, 0, line).map_err(err)?;
    for (c, h) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|e| e.to_string())?;
        ws.write_string_with_format(3, col, *h, &bold)
            .map_err(err)?;
        // wide enough for a Chinese header or a region name
        ws.set_column_width(col, if c < numeric_from { 18 } else { 12 })
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let at = u32::try_from(r + 4).map_err(|e| e.to_string())?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| e.to_string())?;
            match cell.parse::<f64>() {
                Ok(n) if c >= numeric_from && n.is_finite() => {
                    ws.write_number(at, col, n).map_err(err)?;
                }
                _ => {
                    ws.write_string(at, col, cell).map_err(err)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(err)
}

/// The table in `format`.
pub fn table_bytes(
    format: TableFormat,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, String> {
    match format {
        TableFormat::Csv => csv_bytes(header, rows),
        TableFormat::Xlsx => xlsx_bytes(sheet, header, rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_cell_that_looks_like_a_formula_is_written_as_text() {
        let rows = vec![vec![
            "=CMD|' /C calc'!A0".to_string(),
            "@SUM(1)".into(),
            "王大山".into(),
        ]];
        let text = String::from_utf8(csv_bytes(&["a", "b", "c"], &rows).unwrap()).unwrap();
        assert!(text.contains("'=CMD"), "{text}");
        assert!(text.contains("'@SUM(1)"), "{text}");
        assert!(text.contains("王大山"));
    }

    #[test]
    fn a_streamed_table_is_a_workbook_with_every_row() {
        let dir = std::env::temp_dir().join(format!("table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.xlsx");
        let mut w = TableXlsxWriter::new("预警名单", &["户主", "等级"]).unwrap();
        for i in 0..3000 {
            w.row(&[&format!("王{i}"), "红色预警"]).unwrap();
        }
        assert_eq!(w.finish(&path).unwrap(), 3000);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"PK"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_report_sheet_carries_its_title_region_and_dates_above_the_table() {
        use calamine::{Data, Reader, Xlsx};
        let head = ReportHead {
            title: "监测对象统计表".into(),
            region_line: "区划：旺苍县（510821）".into(),
            as_of_line: "截至：2026-11-30".into(),
            exported_line: "导出时间：2026-12-01 09:30".into(),
        };
        let rows = vec![vec!["510821101".to_string(), "12".into()]];
        let bytes = report_xlsx_bytes(&head, "统计", &["区划", "户数"], &rows, 1).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("统计").unwrap();
        assert_eq!(
            sheet.get_value((0, 0)),
            Some(&Data::String("监测对象统计表".into()))
        );
        let line = sheet.get_value((1, 0)).unwrap().to_string();
        assert!(line.contains("旺苍县") && line.contains("2026-11-30") && line.contains("09:30"));
        // the code stays text with its digits; the count is a number a sheet can sum
        assert_eq!(
            sheet.get_value((4, 0)),
            Some(&Data::String("510821101".into()))
        );
        assert_eq!(sheet.get_value((4, 1)), Some(&Data::Float(12.0)));
    }

    #[test]
    fn an_xlsx_table_is_a_zip_workbook() {
        let bytes = xlsx_bytes("审计日志", &["a"], &[vec!["x".into()]]).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
