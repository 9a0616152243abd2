//! The NBS administrative-division files (统计用区划代码): five CSVs, gzip or plain.

use shouwang_core::{Region, RegionCode};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Why a region file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RegionFileError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: 缺少文件 / missing file (expected {file}.csv or {file}.csv.gz)")]
    Missing { file: String },
    #[error("{file} 第{row}行 / row {row}: {reason}")]
    Row {
        file: String,
        row: u64,
        reason: String,
    },
}

/// The five files, from the top level down.
pub const FILES: [&str; 5] = ["provinces", "cities", "areas", "streets", "villages"];

fn find(dir: &Path, stem: &str) -> Option<PathBuf> {
    [format!("{stem}.csv.gz"), format!("{stem}.csv")]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
}

fn open(path: &Path) -> Result<Box<dyn Read>, std::io::Error> {
    let file = std::fs::File::open(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::read::GzDecoder::new(
            BufReader::with_capacity(1 << 16, file),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Reads the regions of one CSV stream (`code,name,…` with a header line), keeping those whose
/// code starts with `within` (empty for all). Calls `sink` for each region.
pub fn read_regions(
    reader: impl Read,
    file: &str,
    within: &str,
    sink: &mut dyn FnMut(Region) -> Result<(), String>,
) -> Result<u64, RegionFileError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let mut n = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let row = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(RegionFileError::Row {
                    file: file.into(),
                    row,
                    reason: e.to_string(),
                });
            }
        }
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        let code = record.get(0).unwrap_or("").trim();
        let name = record.get(1).unwrap_or("").trim();
        if !code.starts_with(within) && !within.starts_with(code) {
            continue;
        }
        let Some(code) = RegionCode::from_canonical(code) else {
            return Err(RegionFileError::Row {
                file: file.into(),
                row,
                reason: format!("区划代码“{code}”无效 / invalid region code"),
            });
        };
        if name.is_empty() {
            return Err(RegionFileError::Row {
                file: file.into(),
                row,
                reason: "名称为空 / empty name".into(),
            });
        }
        sink(Region {
            code,
            name: name.to_string(),
        })
        .map_err(|reason| RegionFileError::Row {
            file: file.into(),
            row,
            reason,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Reads all five files of `dir` in order (parents before children), keeping the regions on the
/// path to and below `within` (empty for all of China).
pub fn read_region_dir(
    dir: &Path,
    within: &str,
    sink: &mut dyn FnMut(Region) -> Result<(), String>,
) -> Result<u64, RegionFileError> {
    let mut total = 0;
    for stem in FILES {
        let path = find(dir, stem).ok_or_else(|| RegionFileError::Missing {
            file: dir.join(stem).display().to_string(),
        })?;
        let reader = open(&path).map_err(|source| RegionFileError::Io {
            file: path.display().to_string(),
            source,
        })?;
        total += read_regions(reader, &path.display().to_string(), within, sink)?;
    }
    Ok(total)
}

/// 旺苍县 (510821) with its province, city, 23 townships and 257 villages, shipped in the binary
/// so that the demo needs no files. Made from `shared/data/regions` by `scripts/demo-regions.sh`.
pub const DEMO_COUNTY_CSV: &str = include_str!("../data/regions-510821.csv");

/// The regions shipped for the demo county.
pub fn demo_regions() -> Result<Vec<Region>, RegionFileError> {
    let mut out = Vec::new();
    read_regions(
        DEMO_COUNTY_CSV.as_bytes(),
        "regions-510821.csv",
        "",
        &mut |r| {
            out.push(r);
            Ok(())
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::RegionLevel;

    #[test]
    fn the_shipped_demo_county_has_23_townships_and_257_villages() {
        let regions = demo_regions().unwrap();
        let count = |l: RegionLevel| regions.iter().filter(|r| r.code.level() == l).count();
        assert_eq!(count(RegionLevel::County), 1);
        assert_eq!(count(RegionLevel::Township), 23);
        assert_eq!(count(RegionLevel::Village), 257);
        assert!(regions
            .iter()
            .any(|r| r.code.as_str() == "510821108212" && r.name == "桃红村村民委员会"));
    }

    #[test]
    fn a_bad_code_names_the_file_and_row() {
        let data = "code,name\n51,四川省\n51x,坏\n";
        let err = read_regions(data.as_bytes(), "provinces.csv", "", &mut |_| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "provinces.csv 第3行 / row 3: 区划代码“51x”无效 / invalid region code"
        );
    }

    #[test]
    fn filtering_keeps_the_path_and_the_subtree() {
        let data = "code,name\n51,四川省\n52,贵州省\n5108,广元市\n510821,旺苍县\n510822,青川县\n";
        let mut kept = Vec::new();
        read_regions(data.as_bytes(), "x", "510821", &mut |r| {
            kept.push(r.code.to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(kept, ["51", "5108", "510821"]);
    }
}
