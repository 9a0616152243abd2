//! The CSV reader (any encoding, delimiter, quoting). Seeds: `crates/shouwang-io/tests/corpus`.
#![no_main]

#[path = "reader.rs"]
mod reader;

libfuzzer_sys::fuzz_target!(|data: &[u8]| reader::read(data, "csv"));
