//! The ledger's columns (台账列): their names in the national order, the aliases seen in the
//! wild, header-name normalisation, and the map from a file's header row to column positions.

use super::LedgerError;
pub use shouwang_core::ledger::columns::{Col, Level};

/// The header whose yes/no values mean the opposite of [`Col::UnsafeWater`] (是否解决安全饮用水:
/// 是 = safe water = not a water problem).
pub const INVERSE_WATER_HEADER: &str = "是否解决安全饮用水";

/// The columns that must be present (the village by one of its columns, see [`HeaderMap::new`]).
pub const REQUIRED: &[Col] = &[Col::HouseholdNo, Col::Name, Col::IdNumber, Col::Relation];

/// The error workbook's two extra columns.
pub const ERROR_COLUMN: &str = "错误列";
pub const ERROR_REASON: &str = "错误原因";

/// Normalises a header cell: all whitespace removed (Excel headers often carry line breaks),
/// full-width parentheses, brackets and slashes turned into ASCII.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' | '［' | '【' | '[' => '(',
            '）' | '］' | '】' | ']' => ')',
            '／' => '/',
            '：' => ':',
            c => c,
        })
        .collect()
}

/// Finds the column a (normalised) header names, and whether its yes/no values are inverted.
pub fn lookup(normalised: &str) -> Option<(Col, bool)> {
    if normalised == INVERSE_WATER_HEADER {
        return Some((Col::UnsafeWater, true));
    }
    Col::ALL
        .iter()
        .copied()
        .find(|c| {
            normalise_header(c.name()) == normalised
                || c.aliases()
                    .iter()
                    .any(|a| normalise_header(a) == normalised)
        })
        .map(|c| (c, false))
}

/// Whether a row is the header row: it holds both 证件号码 and 姓名 (or their aliases).
pub fn is_header_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let (mut id, mut name) = (false, false);
    for c in cells {
        match lookup(&normalise_header(c)) {
            Some((Col::IdNumber, _)) => id = true,
            Some((Col::Name, _)) => name = true,
            _ => {}
        }
    }
    id && name
}

/// Where each known column sits in a file, from its header row.
#[derive(Clone, Debug)]
pub struct HeaderMap {
    /// The header cells as the file wrote them (for the error workbook).
    pub original: Vec<String>,
    /// The 1-based row number of the header row.
    pub row: usize,
    positions: Vec<Option<usize>>,
    inverted_water: bool,
    /// Headers that name no known column, once each, in file order (未识别的列).
    pub unknown: Vec<String>,
}

impl HeaderMap {
    /// Maps a header row. A missing required column, or a column given twice, is an error.
    pub fn new(original: Vec<String>, row: usize) -> Result<HeaderMap, LedgerError> {
        let mut positions = vec![None; Col::ALL.len()];
        let mut inverted_water = false;
        let mut unknown: Vec<String> = Vec::new();
        for (i, h) in original.iter().enumerate() {
            let n = normalise_header(h);
            if n.is_empty() {
                continue;
            }
            match lookup(&n) {
                Some((col, inverse)) => {
                    let slot = &mut positions[col as usize];
                    if let Some(first) = *slot {
                        return Err(LedgerError::DuplicateColumn {
                            column: col.name().to_string(),
                            first: original.get(first).cloned().unwrap_or_default(),
                            second: h.clone(),
                        });
                    }
                    *slot = Some(i);
                    if col == Col::UnsafeWater {
                        inverted_water = inverse;
                    }
                }
                None => {
                    if !unknown.contains(&n) {
                        unknown.push(n);
                    }
                }
            }
        }
        let map = HeaderMap {
            original,
            row,
            positions,
            inverted_water,
            unknown,
        };
        for col in REQUIRED {
            if !map.has(*col) {
                return Err(LedgerError::MissingColumn {
                    column: col.name().to_string(),
                });
            }
        }
        if !map.has(Col::Village) && !map.has(Col::VillageCode) {
            return Err(LedgerError::MissingColumn {
                column: "村（或行政村、村代码）".to_string(),
            });
        }
        Ok(map)
    }

    /// The position of a column in the row, if the file has it.
    pub fn position(&self, col: Col) -> Option<usize> {
        self.positions.get(col as usize).copied().flatten()
    }
    pub fn has(&self, col: Col) -> bool {
        self.position(col).is_some()
    }
    /// True when the water column is the inverse alias 是否解决安全饮用水.
    pub fn water_inverted(&self) -> bool {
        self.inverted_water
    }
    /// The header as the file wrote it for a column (for messages), else the canonical name.
    pub fn header_of(&self, col: Col) -> String {
        self.position(col)
            .and_then(|i| self.original.get(i))
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|| col.name().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<HeaderMap, LedgerError> {
        HeaderMap::new(cells.iter().map(|s| s.to_string()).collect(), 3)
    }

    #[test]
    fn full_width_parentheses_and_spaces_do_not_matter() {
        assert_eq!(
            lookup(&normalise_header(" 务工时间（月） ")),
            Some((Col::MigrantMonths, false))
        );
        assert_eq!(
            lookup(&normalise_header("公益性岗位【月数】")),
            Some((Col::WelfareJobMonths, false))
        );
        assert_eq!(
            lookup(&normalise_header("人均纯收入\n（元）")),
            Some((Col::NetPerCapita, false))
        );
    }

    #[test]
    fn national_region_headers_and_aliases_are_recognised() {
        assert_eq!(
            lookup(&normalise_header("县(市、区、旗)")),
            Some((Col::County, false))
        );
        assert_eq!(
            lookup(&normalise_header("乡（镇）")),
            Some((Col::Township, false))
        );
        assert_eq!(lookup("行政村"), Some((Col::Village, false)));
        assert_eq!(lookup("是否危房户"), Some((Col::UnsafeHousing, false)));
        assert_eq!(lookup("是否解决安全饮用水"), Some((Col::UnsafeWater, true)));
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let err = header(&["户编号", "姓名", "证件号码", "村"]).unwrap_err();
        assert!(err.to_string().contains("与户主关系"), "{err}");
        let err = header(&["户编号", "姓名", "证件号码", "与户主关系"]).unwrap_err();
        assert!(err.to_string().contains("村"), "{err}");
    }

    #[test]
    fn unknown_columns_are_listed_once() {
        let map = header(&[
            "户编号",
            "姓名",
            "证件号码",
            "与户主关系",
            "行政村",
            "备注",
            "备注",
            "",
        ])
        .unwrap();
        assert_eq!(map.unknown, ["备注"]);
        assert_eq!(map.position(Col::Village), Some(4));
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let err =
            header(&["户编号", "姓名", "证件号码", "与户主关系", "村", "行政村"]).unwrap_err();
        assert!(err.to_string().contains("行政村"), "{err}");
    }

    #[test]
    fn every_canonical_name_maps_back_to_its_column() {
        for c in Col::ALL {
            assert_eq!(
                lookup(&normalise_header(c.name())),
                Some((*c, false)),
                "{}",
                c.name()
            );
        }
    }
}
