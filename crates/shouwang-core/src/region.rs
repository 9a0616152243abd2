//! Administrative divisions (行政区划): 国家统计局 统计用区划代码, 2 / 4 / 6 / 9 / 12 digits.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The level of a region, from its code length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省 (2 digits)
    Province,
    /// 市 (4 digits)
    City,
    /// 县 (6 digits)
    County,
    /// 乡镇 (9 digits)
    Township,
    /// 村 (12 digits)
    Village,
}

impl RegionLevel {
    pub fn code_len(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        }
    }
    pub fn from_code_len(len: usize) -> Option<RegionLevel> {
        Some(match len {
            2 => RegionLevel::Province,
            4 => RegionLevel::City,
            6 => RegionLevel::County,
            9 => RegionLevel::Township,
            12 => RegionLevel::Village,
            _ => return None,
        })
    }
    /// The level directly below, if any.
    pub fn child(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::Province => Some(RegionLevel::City),
            RegionLevel::City => Some(RegionLevel::County),
            RegionLevel::County => Some(RegionLevel::Township),
            RegionLevel::Township => Some(RegionLevel::Village),
            RegionLevel::Village => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省",
            RegionLevel::City => "市",
            RegionLevel::County => "县",
            RegionLevel::Township => "乡镇",
            RegionLevel::Village => "村",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
            RegionLevel::Village => "village",
        }
    }
}

/// A region code in its canonical (shortest) form: 2, 4, 6, 9 or 12 digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses a code as officials type it: the canonical forms, the 6-digit GB/T 2260 forms
    /// (`510000` = province 51, `510700` = city 5107) and 12-digit codes padded with zeros
    /// (`510821000000` = county 510821).
    pub fn parse(text: &str) -> Option<RegionCode> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let canonical = match t.len() {
            2 | 4 | 9 => t,
            6 => {
                if let Some(p) = t.strip_suffix("0000") {
                    p
                } else if let Some(c) = t.strip_suffix("00") {
                    c
                } else {
                    t
                }
            }
            12 => {
                // strip zero padding level by level: village → township → county → city → province
                let mut c = t;
                for (len, pad) in [(9, 3), (6, 3), (4, 2), (2, 2)] {
                    if c.len() == len + pad && c[len..].bytes().all(|b| b == b'0') {
                        c = &c[..len];
                    }
                }
                c
            }
            _ => return None,
        };
        if canonical.starts_with("00") {
            return None;
        }
        Some(RegionCode(canonical.to_string()))
    }

    /// A code already known to be canonical (from the database). Returns `None` if it is not.
    pub fn from_canonical(code: &str) -> Option<RegionCode> {
        match RegionLevel::from_code_len(code.len()) {
            Some(_) if code.bytes().all(|b| b.is_ascii_digit()) => {
                Some(RegionCode(code.to_string()))
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn level(&self) -> RegionLevel {
        RegionLevel::from_code_len(self.0.len()).unwrap_or(RegionLevel::Village)
    }
    /// Whether `other` lies inside this region (or is this region).
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }
    /// Whether a raw canonical code string lies inside this region.
    pub fn contains_str(&self, other: &str) -> bool {
        other.starts_with(&self.0)
    }
    /// The enclosing region at `level`, if this code is at or below it.
    pub fn ancestor(&self, level: RegionLevel) -> Option<RegionCode> {
        let len = level.code_len();
        (self.0.len() >= len).then(|| RegionCode(self.0[..len].to_string()))
    }
    /// The county (6 digits) this code lies in, if it is at county level or below.
    pub fn county(&self) -> Option<RegionCode> {
        self.ancestor(RegionLevel::County)
    }
    pub fn parent(&self) -> Option<RegionCode> {
        let len = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        Some(RegionCode(self.0[..len].to_string()))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&value).ok_or_else(|| format!("invalid region code: {value}"))
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

/// One region with its name, as stored in the region tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

/// Removes the suffixes that distinguish a village committee from its village
/// (`桃红村村民委员会` → `桃红村`), so that ledger names match either form.
pub fn village_short_name(name: &str) -> &str {
    let n = name.trim();
    // (suffix, how much of it to drop): "龙凤村委会" keeps its 村, "东城社区居委会" its 社区
    for (suffix, drop) in [
        ("村民委员会", "村民委员会"),
        ("居民委员会", "居民委员会"),
        ("居委会", "居委会"),
        ("村委会", "委会"),
        ("委员会", "委员会"),
    ] {
        if n.len() > suffix.len() && n.ends_with(suffix) {
            return &n[..n.len() - drop.len()];
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(t: &str) -> String {
        RegionCode::parse(t).map(|c| c.0).unwrap_or_default()
    }

    #[test]
    fn officials_six_digit_forms_name_provinces_and_cities() {
        assert_eq!(code("510000"), "51");
        assert_eq!(code("510700"), "5107");
        assert_eq!(code("510821"), "510821");
        assert_eq!(code("51"), "51");
    }

    #[test]
    fn zero_padded_twelve_digit_codes_are_shortened() {
        assert_eq!(code("510821000000"), "510821");
        assert_eq!(code("510821108000"), "510821108");
        assert_eq!(code("510821108212"), "510821108212");
        assert_eq!(code("510000000000"), "51");
    }

    #[test]
    fn malformed_codes_are_refused() {
        for t in ["", "5", "51082", "51o821", "5108211082121", "000000"] {
            assert!(RegionCode::parse(t).is_none(), "{t}");
        }
    }

    #[test]
    fn a_county_contains_its_villages_but_not_its_neighbours() {
        let county = RegionCode::parse("510821").unwrap();
        assert!(county.contains(&RegionCode::parse("510821108212").unwrap()));
        assert!(!county.contains(&RegionCode::parse("510822108212").unwrap()));
        assert_eq!(
            RegionCode::parse("510821108212")
                .unwrap()
                .parent()
                .unwrap()
                .as_str(),
            "510821108"
        );
    }

    #[test]
    fn committee_suffixes_are_ignored_when_matching_names() {
        assert_eq!(village_short_name("桃红村村民委员会"), "桃红村");
        assert_eq!(village_short_name("桃红村"), "桃红村");
        assert_eq!(village_short_name("东城社区居委会"), "东城社区");
        assert_eq!(village_short_name("龙凤村委会"), "龙凤村");
    }
}
