//! Files made to take the server's memory are refused with the limit named, and reading them
//! stays far below 500 MB: a small zip holding a sheet of more than a gigabyte, one whose zip
//! declares a small sheet but holds a huge one, one cell of half a gigabyte, and a shared string
//! of a hundred megabytes.
//!
//! The peak is the process's own high-water mark (VmHWM); this file holds these tests alone, so
//! that nothing else in its process adds to it.

mod support;

use shouwang_core::Date;
use shouwang_io::ledger::{read_ledger_all, LedgerError, Limit, Limits, ReadOptions};
use support::{sheet, text_row, workbook, write_zip, Part, SHEET_HEAD, SHEET_TAIL};

fn options() -> ReadOptions {
    ReadOptions::new(Date::new(2025, 11, 23).unwrap())
}

/// The process's peak resident memory, in MB.
fn peak_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024
}

const HEADER: &[&str] = &["户编号", "姓名", "证件号码", "与户主关系", "行政村"];

/// One row of the huge sheet: a person's row as the national system writes it.
fn person_row() -> String {
    text_row(
        2,
        &[
            "5108210001",
            "王德明",
            "510821195003041234",
            "户主",
            "桃红村",
        ],
    )
}

#[test]
fn a_workbook_crafted_to_take_memory_is_refused_and_memory_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();

    // a sheet of more than a gigabyte, packed into a few megabytes (a megabyte of rows, packed
    // once and repeated)
    let row = person_row().repeat((1 << 20) / person_row().len());
    let times = limits.max_bytes / row.len() as u64 + 2;
    let huge = dir.path().join("huge-sheet.xlsx");
    write_zip(
        &huge,
        &workbook(
            Part::repeated(
                "xl/worksheets/sheet1.xml",
                &format!("{SHEET_HEAD}{}", text_row(1, HEADER)),
                &row,
                times,
                SHEET_TAIL,
            ),
            None,
        ),
    )
    .unwrap();
    let packed = std::fs::metadata(&huge).unwrap().len();
    assert!(
        packed < 20 << 20,
        "the crafted file is small: {packed} bytes"
    );
    let err = read_ledger_all(&huge, &options()).unwrap_err();
    assert_eq!(
        err,
        LedgerError::OverLimit {
            limit: Limit::Bytes(limits.max_bytes),
            row: None
        }
    );
    assert!(err.to_string().contains("1024 MiB"), "{err}");

    // the same sheet, its zip declaring a tenth of a megabyte: the zip reader holds it to that
    let liar = dir.path().join("lying-sizes.xlsx");
    write_zip(
        &liar,
        &workbook(
            Part::repeated(
                "xl/worksheets/sheet1.xml",
                &format!("{SHEET_HEAD}{}", text_row(1, HEADER)),
                &row,
                times,
                SHEET_TAIL,
            )
            .declaring(100_000),
            None,
        ),
    )
    .unwrap();
    assert!(matches!(
        read_ledger_all(&liar, &options()),
        Err(LedgerError::NotSpreadsheet { .. })
    ));

    // one cell of half a gigabyte, under the size limit: refused before it is held
    let cell = dir.path().join("huge-cell.xlsx");
    write_zip(
        &cell,
        &workbook(
            Part::repeated(
                "xl/worksheets/sheet1.xml",
                &format!(
                    r#"{SHEET_HEAD}{}<row r="2"><c r="A2" t="inlineStr"><is><t>"#,
                    text_row(1, HEADER)
                ),
                &"户".repeat(1 << 20),
                170,
                &format!("</t></is></c></row>{SHEET_TAIL}"),
            ),
            None,
        ),
    )
    .unwrap();
    assert_eq!(
        read_ledger_all(&cell, &options()).unwrap_err(),
        LedgerError::OverLimit {
            limit: Limit::CellChars(32_767),
            row: None
        }
    );

    // a hundred megabytes of one shared string, under the table's own limit
    let shared = dir.path().join("huge-shared-string.xlsx");
    write_zip(
        &shared,
        &workbook(
            sheet(&text_row(1, HEADER)),
            Some(Part::repeated(
                "xl/sharedStrings.xml",
                r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>"#,
                &"<r><t>户户户户户户户户</t></r>".repeat(30_000),
                100,
                "</si></sst>",
            )),
        ),
    )
    .unwrap();
    assert!(matches!(
        read_ledger_all(&shared, &options()),
        Err(LedgerError::OverLimit {
            limit: Limit::CellChars(_),
            ..
        })
    ));

    let peak = peak_mb();
    eprintln!("peak memory reading the crafted workbooks: {peak} MB");
    assert!(peak < 500, "peak memory {peak} MB");
}

#[test]
fn a_small_workbook_from_the_same_hand_reads_so_the_refusals_are_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.xlsx");
    let rows = format!("{}{}", text_row(1, HEADER), person_row());
    write_zip(&path, &workbook(sheet(&rows), None)).unwrap();
    let read = read_ledger_all(&path, &options()).unwrap();
    assert_eq!(read.summary.rows, 1);
}

#[test]
fn rows_columns_and_cells_past_the_limits_refuse_the_file_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let small = Limits {
        max_rows: 3,
        max_columns: 6,
        max_cell_chars: 20,
        ..Limits::default()
    };
    let opts = options().limits(small);
    let xlsx = |name: &str, rows: &str| {
        let path = dir.path().join(name);
        write_zip(&path, &workbook(sheet(rows), None)).unwrap();
        path
    };
    let csv = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let header = text_row(1, HEADER);
    let over = |row: Option<usize>, limit: Limit| LedgerError::OverLimit { limit, row };

    let four_rows = format!(
        "{header}{}{}{}",
        person_row(),
        text_row(3, &["x"]),
        text_row(4, &["y"])
    );
    assert_eq!(
        read_ledger_all(&xlsx("rows.xlsx", &four_rows), &opts).unwrap_err(),
        over(None, Limit::Rows(3))
    );
    let far = format!(r#"{header}<row r="2"><c r="G2" t="inlineStr"><is><t>x</t></is></c></row>"#);
    assert_eq!(
        read_ledger_all(&xlsx("columns.xlsx", &far), &opts).unwrap_err(),
        over(Some(2), Limit::Columns(6))
    );
    let long = format!("{header}{}", text_row(2, &["1", &"长".repeat(21)]));
    assert_eq!(
        read_ledger_all(&xlsx("cell.xlsx", &long), &opts).unwrap_err(),
        over(Some(2), Limit::CellChars(20))
    );

    let head = "户编号,姓名,证件号码,与户主关系,行政村\n";
    assert_eq!(
        read_ledger_all(&csv("rows.csv", &format!("{head}1,a,b,c\n2\n3\n")), &opts).unwrap_err(),
        over(None, Limit::Rows(3))
    );
    assert_eq!(
        read_ledger_all(&csv("columns.csv", &format!("{head}1,a,b,c,d,,x\n")), &opts).unwrap_err(),
        over(Some(2), Limit::Columns(6))
    );
    // empty fields past the last column are no content
    assert!(read_ledger_all(
        &csv("trailing.csv", &format!("{head}1,a,b,c,d,,,,,\n")),
        &opts
    )
    .is_ok());
    assert_eq!(
        read_ledger_all(
            &csv("cell.csv", &format!("{head}1,{}\n", "长".repeat(21))),
            &opts
        )
        .unwrap_err(),
        over(Some(2), Limit::CellChars(20))
    );
}

#[test]
fn a_csv_row_longer_than_the_limit_is_refused_before_it_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long-row.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    use std::io::Write;
    writeln!(f, "户编号,姓名,证件号码,与户主关系,行政村").unwrap();
    write!(f, "1,\"").unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..64 {
        f.write_all(&chunk).unwrap();
    }
    writeln!(f, "\",b,c,d").unwrap();
    drop(f);
    assert_eq!(
        read_ledger_all(&path, &options()).unwrap_err(),
        LedgerError::OverLimit {
            limit: Limit::RowBytes(1 << 20),
            row: Some(2)
        }
    );
}
