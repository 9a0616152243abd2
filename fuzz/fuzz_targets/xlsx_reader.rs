//! The xlsx reader: the limits' check of the zip and its XML, then calamine. Seeds: the `.xlsx`
//! files of `crates/shouwang-io/tests/corpus`.
#![no_main]

#[path = "reader.rs"]
mod reader;

libfuzzer_sys::fuzz_target!(|data: &[u8]| reader::read(data, "xlsx"));
