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
    fn an_xlsx_table_is_a_zip_workbook() {
        let bytes = xlsx_bytes("审计日志", &["a"], &[vec!["x".into()]]).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
