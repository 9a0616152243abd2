//! Villages of the county being imported, by name and by code (a household names its village
//! by township + village name, by name alone, or by 村代码).

use super::*;

/// The county's villages, for resolving names.
pub(super) struct Villages {
    pub(super) codes: HashSet<String>,
    pub(super) by_town: HashMap<(String, String), Vec<String>>,
    pub(super) by_name: HashMap<String, Vec<String>>,
    pub(super) names: HashMap<String, String>,
}

impl Villages {
    pub(super) fn load(c: &mut dyn Sql, county: &RegionCode) -> Result<Villages, StoreError> {
        let lo = county.as_str();
        let rows = c.query(
            "SELECT v.code, v.name, t.name FROM regions v LEFT JOIN regions t ON t.code = v.parent
             WHERE v.level = 12 AND v.code >= $1 AND v.code < $2",
            &params![lo, prefix_end(lo)],
        )?;
        let mut out = Villages {
            codes: HashSet::new(),
            by_town: HashMap::new(),
            by_name: HashMap::new(),
            names: HashMap::new(),
        };
        for r in rows {
            let code = r.text(0);
            let short = village_short_name(r.text(1).trim()).to_string();
            out.by_town
                .entry((r.text(2).trim().to_string(), short.clone()))
                .or_default()
                .push(code.clone());
            out.by_name.entry(short).or_default().push(code.clone());
            out.names.insert(code.clone(), r.text(1));
            out.codes.insert(code);
        }
        Ok(out)
    }

    /// The village's code, or the problem (column, reason).
    pub(super) fn resolve<S>(
        &self,
        h: &LedgerHousehold<S>,
        county: &RegionCode,
    ) -> Result<RegionCode, (Col, Problem)> {
        if h.village_resolved() {
            let code = h.household.village.clone();
            return if self.codes.contains(code.as_str()) {
                Ok(code)
            } else {
                Err((
                    Col::VillageCode,
                    Problem::new(
                        ProblemCode::VillageUnknown,
                        "village",
                        format!("村代码{code}不是本县（{county}）的村"),
                        format!("village code {code} is not a village of county {county}"),
                    ),
                ))
            };
        }
        let name = h.place.village.trim();
        let short = village_short_name(name).to_string();
        let town = h.place.township.trim().to_string();
        let found = self
            .by_town
            .get(&(town, short.clone()))
            .or_else(|| self.by_name.get(&short));
        match found.map(Vec::as_slice) {
            Some([one]) => RegionCode::from_canonical(one).ok_or_else(|| {
                (
                    Col::Village,
                    Problem::new(ProblemCode::VillageUnknown, "village", "村代码无效", "invalid village code"),
                )
            }),
            Some(many) if many.len() > 1 => Err((
                Col::Village,
                Problem::new(
                    ProblemCode::VillageAmbiguous,
                    "village",
                    format!("村名“{name}”在本县有{}个村（{}），请填写乡镇名或村代码", many.len(), many.join("、")),
                    format!("the village name '{name}' matches {} villages of the county ({}): give the township or 村代码", many.len(), many.join(", ")),
                ),
            )),
            _ => Err((
                Col::Village,
                Problem::new(
                    ProblemCode::VillageUnknown,
                    "village",
                    format!("本县（{county}）没有名为“{name}”的村"),
                    format!("county {county} has no village named '{name}'"),
                ),
            )),
        }
    }
}

pub(super) fn outside_scope(village: &RegionCode, within: &RegionCode) -> Problem {
    Problem::new(
        ProblemCode::VillageScope,
        "village",
        format!("村{village}不在您的管辖范围（{within}）内"),
        format!("village {village} is outside your region {within}"),
    )
}
