//! Fuzz targets of the department file reader, as property tests (as `tests/fuzz.rs` does for
//! the ledger): arbitrary bytes, and the `dept-*` seeds of `tests/corpus` mutated byte by byte,
//! read as each kind's file and each row read into core's records, must give rows or a clean
//! refusal with its problem, never a panic; within small limits.

use proptest::prelude::*;
use shouwang_core::department::profile::Profile;
use shouwang_core::department::{record, DeptKind};
use shouwang_core::Date;
use shouwang_io::department::{find_header, for_each_row, limits};
use shouwang_io::ledger::Limits;
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/department")
}

/// The department seeds: `dept-*` files of the corpus.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("dept-"))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(out.len() >= 3, "no dept-* seeds in tests/corpus");
    out
}

fn small() -> Limits {
    Limits {
        max_rows: 2_000,
        max_columns: 64,
        max_cell_chars: 2_000,
        max_row_bytes: 64 * 1024,
        ..limits()
    }
}

/// Reads `bytes` as a file of `kind`: the rows it gives, or a refusal that says what is wrong.
fn read(bytes: &[u8], ext: &str, kind: DeptKind) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("fuzz.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let today = Date::new(2026, 11, 30).unwrap();
    let refused = |e: shouwang_io::department::DeptFileError| {
        let p = e.problem();
        assert!(!p.zh.is_empty() && !p.en.is_empty(), "{e:?}");
        None
    };
    let file = match find_header(&path, &Profile::builtin(kind), &small()) {
        Ok(f) => f,
        Err(e) => return refused(e),
    };
    let mut n = 0;
    let done = for_each_row(&path, &file, &small(), &mut |row, cells, _| {
        n += 1;
        if let Err(p) = record::read(&file.map, row, &cells, today) {
            assert!(!p.problem.zh.is_empty());
        }
        true
    });
    match done {
        Ok(()) => Some(n),
        Err(e) => refused(e),
    }
}

#[test]
fn the_seeds_read_as_medical_files_and_are_refused_as_another_kind() {
    for (name, bytes) in seeds() {
        let ext = if name.ends_with(".xlsx") {
            "xlsx"
        } else {
            "csv"
        };
        assert_eq!(read(&bytes, ext, DeptKind::Medical), Some(4), "{name}");
        assert_eq!(read(&bytes, ext, DeptKind::Housing), None, "{name}");
    }
}

#[test]
fn an_xlsx_id_number_typed_as_a_number_is_refused_as_lossy() {
    let path = corpus().join("dept-medical.xlsx");
    let file = find_header(&path, &Profile::builtin(DeptKind::Medical), &limits()).unwrap();
    let mut reasons = Vec::new();
    for_each_row(&path, &file, &limits(), &mut |row, cells, _| {
        reasons.push(
            record::read(&file.map, row, &cells, Date::new(2026, 11, 30).unwrap())
                .map(|r| r.date.map(|d| d.to_string()))
                .map_err(|p| p.problem.code),
        );
        true
    })
    .unwrap();
    use shouwang_core::ProblemCode::*;
    assert_eq!(
        reasons,
        vec![
            Ok(Some("2026-10-05".to_string())),
            Err(IdNumberLostPrecision),
            Err(IdNumberLostPrecision),
            Err(DeptRowInvalid),
        ]
    );
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, bits: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let special = prop::sample::select(vec![
        b",".to_vec(),
        b"\"".to_vec(),
        b"\n".to_vec(),
        b"\t".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        b"\x80\x81".to_vec(),
        b"E+17".to_vec(),
        "证件号码".as_bytes().to_vec(),
        "合规自付".as_bytes().to_vec(),
        "残疾等级".as_bytes().to_vec(),
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
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), xlsx in any::<bool>()) {
        let _ = read(&bytes, if xlsx { "xlsx" } else { "csv" }, DeptKind::Medical);
    }

    #[test]
    fn mutated_seeds_never_panic(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..8), kind in prop::sample::select(DeptKind::ALL.to_vec())) {
        let seeds = seeds();
        let (name, mut bytes) = seeds[seed.index(seeds.len())].clone();
        for m in &ms {
            apply(&mut bytes, m);
        }
        let _ = read(&bytes, if name.ends_with(".xlsx") { "xlsx" } else { "csv" }, kind);
    }
}
