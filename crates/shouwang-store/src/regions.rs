//! The region tree (行政区划) in the database.

use crate::db::{prefix_end, Sql};
use crate::{params, Store, StoreError};
use shouwang_core::region::village_short_name;
use shouwang_core::{Region, RegionCode, RegionLevel};

/// A region with what lies under it, for the tree pages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RegionSummary {
    pub code: RegionCode,
    pub name: String,
    pub households: i64,
    pub persons: i64,
}

fn level_of(code: &RegionCode) -> i64 {
    code.level().code_len() as i64
}

impl Store {
    /// Inserts or renames regions in one transaction, in batches. Returns how many were given.
    pub fn import_regions(
        &self,
        regions: impl IntoIterator<Item = Region>,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        self.with_tx(|tx| {
            let mut batch: Vec<Region> = Vec::with_capacity(500);
            for r in regions {
                batch.push(r);
                n += 1;
                if batch.len() == 500 {
                    insert_regions(tx, &batch)?;
                    batch.clear();
                }
            }
            insert_regions(tx, &batch)
        })?;
        Ok(n)
    }

    pub fn region(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                "SELECT code, name FROM regions WHERE code = $1",
                &params![code.as_str()],
            )?
            .map(|r| row_region(&r))
            .transpose()
        })
    }

    /// The region and its ancestors, from the province down.
    pub fn region_path(&self, code: &RegionCode) -> Result<Vec<Region>, StoreError> {
        let mut codes = vec![code.clone()];
        while let Some(p) = codes.last().and_then(RegionCode::parent) {
            codes.push(p);
        }
        let mut out = Vec::new();
        for c in codes.iter().rev() {
            if let Some(r) = self.region(c)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The regions directly under `code`, with their household and person counts.
    pub fn children(&self, code: &RegionCode) -> Result<Vec<RegionSummary>, StoreError> {
        let Some(child_level) = code.level().child() else {
            return Ok(vec![]);
        };
        let len = child_level.code_len();
        self.with_conn(|c| {
            let kids = c.query(
                "SELECT code, name FROM regions WHERE parent = $1 ORDER BY code",
                &params![code.as_str()],
            )?;
            let lo = code.as_str();
            let hi = prefix_end(lo);
            // grouped by village, which the indexes deliver in order, then summed per child here:
            // cheaper than grouping on a computed prefix, which needs a sort
            let hh = c.query(
                "SELECT village, COUNT(*) FROM households WHERE village >= $1 AND village < $2 GROUP BY village",
                &params![lo, hi.clone()],
            )?;
            let pp = c.query(
                "SELECT village, COUNT(*) FROM members
                 WHERE village >= $1 AND village < $2 AND deceased_on IS NULL GROUP BY village",
                &params![lo, hi],
            )?;
            let mut totals: std::collections::HashMap<String, (i64, i64)> = std::collections::HashMap::new();
            for r in &hh {
                let v = r.text(0);
                totals.entry(v.get(..len).unwrap_or(&v).to_string()).or_default().0 += r.int(1);
            }
            for r in &pp {
                let v = r.text(0);
                totals.entry(v.get(..len).unwrap_or(&v).to_string()).or_default().1 += r.int(1);
            }
            Ok(kids
                .iter()
                .filter_map(|r| {
                    let code = RegionCode::from_canonical(&r.text(0))?;
                    let (households, persons) = totals.get(code.as_str()).copied().unwrap_or_default();
                    Some(RegionSummary { households, persons, name: r.text(1), code })
                })
                .collect())
        })
    }

    /// Villages of a county whose name matches `name` with or without the committee suffix,
    /// optionally inside a township given by name.
    pub fn find_villages(
        &self,
        county: &RegionCode,
        township: Option<&str>,
        name: &str,
    ) -> Result<Vec<Region>, StoreError> {
        let wanted = village_short_name(name).to_string();
        let town = township
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        self.with_conn(|c| {
            let lo = county.as_str();
            let rows = c.query(
                "SELECT v.code, v.name, t.name FROM regions v JOIN regions t ON t.code = v.parent
                 WHERE v.level = 12 AND v.code >= $1 AND v.code < $2",
                &params![lo, prefix_end(lo)],
            )?;
            rows.iter()
                .filter(|r| village_short_name(&r.text(1)) == wanted)
                .filter(|r| town.as_ref().is_none_or(|t| r.text(2) == *t))
                .map(row_region)
                .collect()
        })
    }

    /// How many regions of each level are stored under `code`.
    pub fn count_regions(&self, code: &RegionCode, level: RegionLevel) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            let lo = code.as_str();
            Ok(c.query_one(
                "SELECT COUNT(*) FROM regions WHERE level = $1 AND code >= $2 AND code < $3",
                &params![level.code_len() as i64, lo, prefix_end(lo)],
            )?
            .map(|r| r.int(0))
            .unwrap_or(0))
        })
    }
}

fn row_region(r: &crate::db::Row) -> Result<Region, StoreError> {
    let f = crate::decode::Fields::new(r, "regions", "code, name", 0);
    Ok(Region {
        code: f.region(0)?,
        name: f.text(1),
    })
}

fn insert_regions(tx: &mut dyn Sql, batch: &[Region]) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("INSERT INTO regions (code, name, parent, level) VALUES ");
    let mut values = Vec::with_capacity(batch.len() * 4);
    for (i, r) in batch.iter().enumerate() {
        let b = i * 4;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        values.push(r.code.as_str().into());
        values.push(r.name.as_str().into());
        values.push(r.code.parent().map(|p| p.as_str().to_string()).into());
        values.push(level_of(&r.code).into());
    }
    sql.push_str(" ON CONFLICT (code) DO UPDATE SET name = excluded.name");
    tx.exec(&sql, &values)?;
    Ok(())
}
