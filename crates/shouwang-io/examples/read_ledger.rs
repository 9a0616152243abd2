//! Reads a ledger without a database and prints what came out and how long it took:
//! `cargo run --release -p shouwang-io --example read_ledger -- FILE` (for profiling the reader).
use shouwang_core::Date;
use shouwang_io::ledger::{read_ledger, LedgerItem, ReadOptions};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: read_ledger FILE");
    let today = Date::new(2026, 11, 23).expect("a valid date");
    let started = Instant::now();
    let (mut households, mut rejected) = (0usize, 0usize);
    let summary = read_ledger(
        std::path::Path::new(&path),
        &ReadOptions::new(today),
        |item| {
            match item {
                LedgerItem::Household(_) => households += 1,
                LedgerItem::Rejected(_) => rejected += 1,
            }
            Ok::<(), std::convert::Infallible>(())
        },
    );
    let elapsed = started.elapsed();
    match summary {
        Ok(s) => println!(
            "{} rows, {households} households, {rejected} rejected in {:.2} s",
            s.rows,
            elapsed.as_secs_f64()
        ),
        Err(e) => eprintln!("{e}"),
    }
}
