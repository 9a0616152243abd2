//! Fuzz targets of the ledger readers, as property tests (cargo-fuzz needs a nightly toolchain
//! with its sanitizers and a build of libFuzzer; these run with the other tests everywhere):
//! arbitrary bytes, and the seed files of `tests/corpus` mutated byte by byte and part by part,
//! must give a ledger or a clean [`LedgerError`], never a panic. Memory stays bounded by the
//! reader's limits, which `tests/bounded_input.rs` measures.

mod support;

use proptest::prelude::*;
use shouwang_core::Date;
use shouwang_io::ledger::{read_ledger_all, Limits, ReadOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use support::{text_cell, workbook, write_zip, Part, SHEET_HEAD, SHEET_TAIL};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The files of the corpus ending in `.ext`: the seeds, and the files that once made the reader
/// fail (`crash-…`).
fn seeds(ext: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no .{ext} seeds in tests/corpus");
    out
}

/// Small limits, so that a mutation that grows a file meets them quickly.
fn options() -> ReadOptions {
    ReadOptions::new(Date::new(2025, 11, 23).unwrap()).limits(Limits {
        max_rows: 2_000,
        max_columns: 64,
        max_cell_chars: 2_000,
        max_row_bytes: 64 * 1024,
        ..Limits::default()
    })
}

/// Reads `bytes` as a ledger file; any answer but a panic will do.
fn read_bytes(bytes: &[u8], ext: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("fuzz.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    if let Err(e) = read_ledger_all(&path, &options()) {
        // a clean error says what is wrong, in both languages
        assert!(!e.to_string().is_empty());
        let _ = e.code();
    }
}

/// One change to a file's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    Flip {
        at: usize,
        bits: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Remove {
        at: usize,
        len: usize,
    },
    Truncate {
        at: usize,
    },
    /// a stretch copied over another place
    Copy {
        from: usize,
        len: usize,
        to: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        b",".to_vec(),
        b"\"".to_vec(),
        b"\n".to_vec(),
        b"\r".to_vec(),
        b"\t".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        b"\xFF\xFE".to_vec(),
        b"\x80\x81".to_vec(),
        b"\x00".to_vec(),
        b"<".to_vec(),
        b">".to_vec(),
        b"&#x10FFFF;".to_vec(),
        "证件号码".as_bytes().to_vec(),
        "姓名".as_bytes().to_vec(),
        b"=1+1".to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, bits)| Mutation::Flip { at, bits }),
        (
            any::<usize>(),
            prop_oneof![special, prop::collection::vec(any::<u8>(), 1..16)]
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), 1usize..200, any::<usize>()).prop_map(|(from, len, to)| Mutation::Copy {
            from,
            len,
            to
        }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip { at, bits } => {
            if let Some(b) = bytes.get_mut(at % n) {
                *b ^= bits;
            }
        }
        Mutation::Insert { at, bytes: new } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Remove { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
        Mutation::Copy { from, len, to } => {
            let from = from % n;
            let end = (from + len).min(bytes.len());
            if from < end {
                let piece = bytes[from..end].to_vec();
                let to = to % (bytes.len() + 1);
                bytes.splice(to..to, piece);
            }
        }
    }
}

/// The parts of an xlsx, read back (a seed's XML, to mutate before packing again).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            f.read_to_end(&mut content).unwrap();
            (f.name().unwrap().to_string(), content)
        })
        .collect()
}

/// Packs parts as an xlsx in memory (stored, so that every byte is the XML's own).
fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(content).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A cell as a fuzzer would write it: any type, any reference, any value.
fn cell_xml() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec!["", "s", "n", "b", "e", "str", "inlineStr", "d", "zz"]);
    let reference = prop_oneof![
        "[A-Z]{1,3}[0-9]{1,7}",
        Just(String::new()),
        "[A-Za-z0-9$:]{0,12}",
    ];
    let value = prop_oneof![
        "[0-9.eE+-]{0,24}",
        "\\PC{0,40}",
        Just("-1".to_string()),
        Just("99999999999".to_string()),
        Just("1e308".to_string()),
        Just("NaN".to_string()),
    ];
    (kind, reference, value, any::<bool>(), 0u8..4).prop_map(|(t, r, v, formula, style)| {
        let v = v.replace('&', "&amp;").replace('<', "&lt;");
        let t_attr = if t.is_empty() {
            String::new()
        } else {
            format!(r#" t="{t}""#)
        };
        let f = if formula { "<f>A1+1</f>" } else { "" };
        if t == "inlineStr" {
            format!(r#"<c r="{r}"{t_attr}><is><t>{v}</t></is></c>"#)
        } else {
            format!(r#"<c r="{r}"{t_attr} s="{style}">{f}<v>{v}</v></c>"#)
        }
    })
}

/// Cases per target: a few hundred with the other tests; set `PROPTEST_CASES` for a long run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_read_as_csv_or_as_a_zip_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048)
    ) {
        read_bytes(&bytes, "csv");
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend(&bytes);
        read_bytes(&zipped, "xlsx");
    }

    #[test]
    fn mutated_csv_seeds_never_panic(
        seed in 0usize..64, mutations in prop::collection::vec(mutation(), 1..8)
    ) {
        let seeds = seeds("csv");
        let (_, mut bytes) = seeds[seed % seeds.len()].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        read_bytes(&bytes, "csv");
    }

    #[test]
    fn mutated_xlsx_seeds_never_panic(
        seed in 0usize..64, mutations in prop::collection::vec(mutation(), 1..6)
    ) {
        let seeds = seeds("xlsx");
        let (_, mut bytes) = seeds[seed % seeds.len()].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        read_bytes(&bytes, "xlsx");
    }

    #[test]
    fn xlsx_seeds_with_mutated_xml_never_panic(
        seed in 0usize..64, part in 0usize..16, mutations in prop::collection::vec(mutation(), 1..8)
    ) {
        let seeds = seeds("xlsx");
        let (_, bytes) = &seeds[seed % seeds.len()];
        let mut parts = unzip(bytes);
        let i = part % parts.len();
        for m in &mutations {
            apply(&mut parts[i].1, m);
        }
        read_bytes(&rezip(&parts), "xlsx");
    }

    #[test]
    fn sheets_of_arbitrary_cells_never_panic(
        rows in prop::collection::vec(prop::collection::vec(cell_xml(), 0..12), 0..12),
        numbered in any::<bool>(),
    ) {
        let mut xml = String::from(r#"<row r="1">"#);
        for (i, h) in ["户编号", "姓名", "证件号码", "与户主关系", "出生日期", "家庭纯收入"].iter().enumerate() {
            xml.push_str(&text_cell(&format!("{}1", (b'A' + i as u8) as char), h));
        }
        xml.push_str("</row>");
        for (n, cells) in rows.iter().enumerate() {
            if numbered {
                xml.push_str(&format!(r#"<row r="{}">"#, n + 2));
            } else {
                xml.push_str("<row>");
            }
            xml.push_str(&cells.concat());
            xml.push_str("</row>");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.xlsx");
        write_zip(
            &path,
            &workbook(Part::new("xl/worksheets/sheet1.xml", &format!("{SHEET_HEAD}{xml}{SHEET_TAIL}")), None),
        )
        .unwrap();
        let _ = read_ledger_all(&path, &options());
    }
}

#[test]
fn every_seed_reads_as_a_ledger() {
    for (name, bytes) in seeds("csv").into_iter().chain(seeds("xlsx")) {
        if name.contains("crash-") {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let ext = if name.ends_with(".xlsx") {
            "xlsx"
        } else {
            "csv"
        };
        let path = dir.path().join(format!("seed.{ext}"));
        std::fs::write(&path, bytes).unwrap();
        let read = read_ledger_all(&path, &options());
        assert!(
            // three persons (the inline seed has a row of odd cells below them)
            read.as_ref()
                .is_ok_and(|r| r.summary.rows >= 3 && r.summary.persons == 3),
            "{name}: {:?}",
            read.map(|r| r.summary.rows)
        );
    }
}

#[test]
fn files_that_once_crashed_the_reader_give_a_clean_error() {
    let crashes: Vec<_> = seeds("xlsx")
        .into_iter()
        .chain(seeds("csv"))
        .filter(|(name, _)| name.contains("crash-"))
        .collect();
    assert!(!crashes.is_empty());
    for (name, bytes) in crashes {
        let dir = tempfile::tempdir().unwrap();
        let ext = if name.ends_with(".xlsx") {
            "xlsx"
        } else {
            "csv"
        };
        let path = dir.path().join(format!("crash.{ext}"));
        std::fs::write(&path, bytes).unwrap();
        let read = read_ledger_all(&path, &options());
        assert!(read.is_err(), "{name}: {:?}", read.map(|r| r.summary.rows));
    }
}
