//! Shared by the reader targets: the bytes written to a file of this process, read as a ledger
//! within small limits; any answer but a panic will do.

use shouwang_core::Date;
use shouwang_io::ledger::{read_ledger_all, Limits, ReadOptions};

pub fn read(data: &[u8], ext: &str) {
    let path = std::env::temp_dir().join(format!("shouwang-fuzz-{}.{ext}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Some(today) = Date::new(2025, 11, 23) else {
        return;
    };
    let options = ReadOptions::new(today).limits(Limits {
        max_rows: 2_000,
        max_columns: 64,
        max_cell_chars: 2_000,
        max_row_bytes: 64 * 1024,
        ..Limits::default()
    });
    if let Err(e) = read_ledger_all(&path, &options) {
        assert!(!e.to_string().is_empty());
    }
}
