//! 监测统计 reads (issue 16): each monitoring case of a region as it stood on a date — its type
//! then (`case_type_changes`), whether and how its risk had been eliminated by then, whether it
//! is new in the period, and how many persons its household had then (`members` now, less those
//! who joined after the date per `member_joins` or had died by it, plus `member_departures` who
//! left after it) — counted per sub-region and state, or listed.
//!
//! One SQL text ([`cases_at`]) serves the counts and the lists behind them, so a figure and its
//! list cannot disagree. The case's dates: `identified_on` (the month's first day for cases of
//! the ledger, which gives months), `eliminated_on` (likewise from `eliminated`).

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Dialect, Row, Sql, Value};
use crate::sql::insert_rows;
use crate::{params, Store, StoreError};
use shouwang_core::household::Member;
use shouwang_core::monitoring::{CaseStatus, CaseType, EliminationKind};
use shouwang_core::statistics::synth::History;
use shouwang_core::statistics::{CaseState, Group, Query};
use shouwang_core::{Date, Region, RegionCode};

/// The day a case counts from, and the day its risk was eliminated, as SQL over `c`.
pub(crate) const IDENTIFIED_ON: &str = "COALESCE(c.identified_on, c.identified || '-01')";
const ELIMINATED_ON: &str = "COALESCE(c.eliminated_on, c.eliminated || '-01')";

/// The cases of the region counted on `$5` (as-of), one row each: area (the village code cut to
/// `area_len`), household number, village, type then, elimination kind if eliminated by then,
/// 1 if new in `$6`–`$7`, persons then, identified day, eliminated day. Parameters `$1`–`$4`: the
/// county range and the village range of the region.
///
/// `by_county`: rows of a city or province, whose areas are counties or cities — the case's own
/// county code says both, so the households are not joined (the village column then repeats the
/// county code; the lists, which show villages, never ask for it).
///
/// `set_based` (PostgreSQL, a region above a county: see [`set_based`]): the type then and the
/// persons then are read from set-based aggregates joined to the cases by hash joins — the members counted per case (which its parallel workers run), the
/// joins after the date (-1 a person) and the departures after it (+1) summed per household in
/// one aggregate (kept as one: alone, the joins' estimate of one row chose a nested loop that
/// took 27 s a year back) — instead of correlated subqueries per case, which it runs serially in
/// the leader (2.0–3.8 s for a province's 143,000 cases). Both forms count the same rows; a
/// figure and its list always use the same one.
fn cases_at(area_len: usize, by_county: bool, set_based: bool) -> String {
    let at_risk = CaseStatus::AtRisk.code();
    let eliminated = CaseStatus::Eliminated.code();
    let (area, village, households, in_villages) = if by_county {
        (
            format!("substr(c.county, 1, {area_len})"),
            "c.county",
            "",
            // the village range is the county range here; kept so both backends see $3 and $4
            "AND CAST($3 AS TEXT) <= CAST($4 AS TEXT)",
        )
    } else {
        (
            format!("substr(h.village, 1, {area_len})"),
            "h.village",
            "JOIN households h ON h.county = c.county AND h.household_no = c.household_no",
            "AND h.village >= $3 AND h.village < $4",
        )
    };
    if set_based {
        return format!(
            "SELECT {area} AS area, c.household_no, {village} AS village,
           COALESCE(tc.case_type_before, c.case_type) AS case_type,
           CASE WHEN c.status = {eliminated} AND {ELIMINATED_ON} <= $5 THEN c.elimination_kind END AS kind,
           CASE WHEN {IDENTIFIED_ON} >= $6 AND {IDENTIFIED_ON} <= $7 THEN 1 ELSE 0 END AS fresh,
           COALESCE(pm.n, 0) + COALESCE(pd.n, 0) AS persons,
           {IDENTIFIED_ON} AS identified_on,
           CASE WHEN c.status = {eliminated} AND {ELIMINATED_ON} <= $5 THEN {ELIMINATED_ON} END AS eliminated_on
         FROM monitoring_cases c
         {households}
         LEFT JOIN (SELECT DISTINCT ON (t.case_id) t.case_id, t.case_type_before FROM case_type_changes t
                     WHERE t.county >= $1 AND t.county < $2 AND t.changed_on > $5
                     ORDER BY t.case_id, t.changed_on, t.id) tc ON tc.case_id = c.id
         LEFT JOIN (SELECT k.id, COUNT(*) AS n FROM monitoring_cases k
                     JOIN members m ON m.county = k.county AND m.household_no = k.household_no
                     WHERE k.county >= $1 AND k.county < $2 AND k.status IN ({at_risk}, {eliminated})
                       AND (m.deceased_on IS NULL OR m.deceased_on > $5)
                     GROUP BY k.id) pm ON pm.id = c.id
         LEFT JOIN (SELECT d.county, d.household_no, SUM(d.n) AS n FROM (
                     SELECT DISTINCT j.county, j.household_no, j.id_number, -1 AS n FROM member_joins j
                      JOIN members m ON m.county = j.county AND m.id_number = j.id_number AND m.household_no = j.household_no
                      WHERE j.county >= $1 AND j.county < $2 AND j.joined_on > $5
                        AND (m.deceased_on IS NULL OR m.deceased_on > $5)
                     UNION ALL
                     SELECT p.county, p.household_no, p.id_number, 1 FROM member_departures p
                      WHERE p.county >= $1 AND p.county < $2 AND p.left_on > $5
                        AND NOT EXISTS (SELECT 1 FROM member_joins j
                                         WHERE j.county = p.county AND j.household_no = p.household_no AND j.id_number = p.id_number
                                           AND j.joined_on > $5 AND j.joined_on < p.left_on)) d
                     GROUP BY d.county, d.household_no) pd ON pd.county = c.county AND pd.household_no = c.household_no
         WHERE c.county >= $1 AND c.county < $2 {in_villages}
           AND c.status IN ({at_risk}, {eliminated}) AND {IDENTIFIED_ON} <= $5"
        );
    }
    format!(
        "SELECT {area} AS area, c.household_no, {village} AS village,
           COALESCE((SELECT t.case_type_before FROM case_type_changes t
                     WHERE t.case_id = c.id AND t.changed_on > $5 ORDER BY t.changed_on, t.id LIMIT 1), c.case_type) AS case_type,
           CASE WHEN c.status = {eliminated} AND {ELIMINATED_ON} <= $5 THEN c.elimination_kind END AS kind,
           CASE WHEN {IDENTIFIED_ON} >= $6 AND {IDENTIFIED_ON} <= $7 THEN 1 ELSE 0 END AS fresh,
           (SELECT COUNT(*) FROM members m
             WHERE m.county = c.county AND m.household_no = c.household_no AND (m.deceased_on IS NULL OR m.deceased_on > $5))
           - (SELECT COUNT(DISTINCT j.id_number) FROM member_joins j
               JOIN members m ON m.county = j.county AND m.id_number = j.id_number AND m.household_no = j.household_no
              WHERE j.county = c.county AND j.household_no = c.household_no AND j.joined_on > $5
                AND (m.deceased_on IS NULL OR m.deceased_on > $5))
           + (SELECT COUNT(*) FROM member_departures p
               WHERE p.county = c.county AND p.household_no = c.household_no AND p.left_on > $5
                 AND NOT EXISTS (SELECT 1 FROM member_joins j
                                  WHERE j.county = p.county AND j.household_no = p.household_no AND j.id_number = p.id_number
                                    AND j.joined_on > $5 AND j.joined_on < p.left_on)) AS persons,
           {IDENTIFIED_ON} AS identified_on,
           CASE WHEN c.status = {eliminated} AND {ELIMINATED_ON} <= $5 THEN {ELIMINATED_ON} END AS eliminated_on
         FROM monitoring_cases c
         {households}
         WHERE c.county >= $1 AND c.county < $2 {in_villages}
           AND c.status IN ({at_risk}, {eliminated}) AND {IDENTIFIED_ON} <= $5"
    )
}

/// Whether `q` reads the persons and types set-based ([`cases_at`]): on PostgreSQL above a county.
/// A county's 1,400 cases read faster correlated (20 ms against 70 ms a year back: the planner
/// underestimates a county's cases and loops over the aggregates); SQLite keeps the correlated
/// form (about 1 s for the province).
fn set_based(q: &Query, dialect: Dialect) -> bool {
    dialect == Dialect::Postgres && q.region.as_str().len() < 6
}

fn params_of(q: &Query) -> Vec<Value> {
    let region = q.region.as_str();
    let county = &region[..region.len().min(6)];
    vec![
        county.into(),
        prefix_end(county).into(),
        region.into(),
        prefix_end(region).into(),
        q.as_of.to_string().into(),
        q.period.from.to_string().into(),
        q.period.to.to_string().into(),
    ]
}

fn corrupt(column: &str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "monitoring_cases",
        column: column.into(),
        value: value.to_string(),
    }
}

fn state_of(r: &Row, at: usize) -> Result<CaseState, StoreError> {
    let t = r.int(at);
    Ok(CaseState {
        case_type: CaseType::from_code(t).ok_or_else(|| corrupt("case_type", t))?,
        eliminated: match r.opt_int(at + 1) {
            None => None,
            Some(k) => {
                Some(EliminationKind::from_code(k).ok_or_else(|| corrupt("elimination_kind", k))?)
            }
        },
        new: r.int(at + 2) != 0,
    })
}

/// A case behind a figure, as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseAt {
    pub household_no: String,
    pub village: String,
    pub head: String,
    pub state: CaseState,
    pub persons: u64,
    pub identified_on: String,
    pub eliminated_on: Option<String>,
}

impl Store {
    /// The cases of `q`'s region counted on its date, per sub-region (`q.area_len()`) and state.
    pub fn monitoring_groups(&self, q: &Query) -> Result<Vec<Group>, StoreError> {
        self.with_conn(|c| {
            let sql = format!(
                "SELECT area, case_type, kind, fresh, COUNT(*), CAST(SUM(persons) AS BIGINT)
                 FROM ({}) x GROUP BY area, case_type, kind, fresh",
                cases_at(
                    q.area_len(),
                    q.region.as_str().len() < 6 && q.area_len() <= 6,
                    set_based(q, c.dialect())
                )
            );
            c.query(&sql, &params_of(q))?
                .iter()
                .map(|r| {
                    Ok(Group {
                        area: r.text(0),
                        state: state_of(r, 1)?,
                        households: r.int(4).max(0) as u64,
                        persons: r.int(5).max(0) as u64,
                    })
                })
                .collect()
        })
    }

    /// Every case of `q`'s region counted on its date, by village and household number, with the
    /// head's name; the caller keeps those of the figure it lists.
    pub fn monitoring_cases_at(&self, q: &Query) -> Result<Vec<CaseAt>, StoreError> {
        let head = shouwang_core::codes::Relation::Head.code();
        self.with_conn(|c| {
            let sql = format!(
                "SELECT x.household_no, x.village, x.case_type, x.kind, x.fresh, x.persons, x.identified_on, x.eliminated_on,
                        COALESCE((SELECT MIN(m.name) FROM members m WHERE m.county = substr(x.village, 1, 6)
                                  AND m.household_no = x.household_no AND m.relation = {head}), '')
                 FROM ({}) x ORDER BY x.village, x.household_no",
                cases_at(q.area_len(), false, set_based(q, c.dialect()))
            );
            c.query(&sql, &params_of(q))?
                .iter()
                .map(|r| {
                    Ok(CaseAt {
                        household_no: r.text(0),
                        village: r.text(1),
                        state: state_of(r, 2)?,
                        persons: r.int(5).max(0) as u64,
                        identified_on: r.text(6),
                        eliminated_on: r.opt_text(7),
                        head: r.text(8),
                    })
                })
                .collect()
        })
    }

    /// The regions directly under `code`, with their names, in code order.
    pub fn region_children(&self, code: &RegionCode) -> Result<Vec<Region>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query(
                "SELECT code, name FROM regions WHERE parent = $1 ORDER BY code",
                &params![code.as_str()],
            )?
            .iter()
            .filter_map(|r| {
                Some(Region {
                    code: RegionCode::from_canonical(&r.text(0))?,
                    name: r.text(1),
                })
            })
            .collect())
        })
    }

    /// Loads a synthetic history (households already loaded): the cases with their days and
    /// type changes, the joins, the departures. For tests and the demo; one transaction.
    pub fn load_statistics_history(
        &self,
        actor: &Actor,
        history: &History,
        today: Date,
    ) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            let now = crate::now();
            for c in &history.cases {
                let county = c.household_no.get(..6).unwrap_or_default();
                let first = c.types[0].1;
                let (status, kind, elim_month, elim_day) = match c.eliminated {
                    Some((on, kind)) => (
                        CaseStatus::Eliminated.code(),
                        Some(kind.code()),
                        Some(shouwang_core::date::YearMonth::of(on).to_string()),
                        Some(on.to_string()),
                    ),
                    None => (CaseStatus::AtRisk.code(), None, None, None),
                };
                let id = tx
                    .query_one(
                        "INSERT INTO monitoring_cases (county, household_no, case_type, identified, identified_on, status,
                         elimination_kind, eliminated, eliminated_on, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
                        &params![
                            county,
                            c.household_no.as_str(),
                            c.case_type().code(),
                            shouwang_core::date::YearMonth::of(c.identified_on).to_string(),
                            c.identified_on.to_string(),
                            status,
                            kind,
                            elim_month,
                            elim_day,
                            now
                        ],
                    )?
                    .map(|r| r.int(0))
                    .ok_or(StoreError::NotFound)?;
                let mut before = first;
                for (on, t) in c.types.iter().skip(1) {
                    tx.exec(
                        "INSERT INTO case_type_changes (county, case_id, changed_on, case_type_before, case_type_after)
                         VALUES ($1, $2, $3, $4, $5)",
                        &params![county, id, on.to_string(), before.code(), t.code()],
                    )?;
                    before = *t;
                }
            }
            let mut joins = Vec::new();
            for j in &history.joins {
                joins.extend(params![
                    j.household_no.get(..6).unwrap_or_default(),
                    j.household_no.as_str(),
                    j.id_number.as_str(),
                    j.joined_on.to_string()
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO member_joins (county, household_no, id_number, joined_on)",
                4,
                &joins,
            )?;
            let mut departures = Vec::new();
            for p in &history.departures {
                departures.extend(params![
                    p.household_no.get(..6).unwrap_or_default(),
                    p.household_no.as_str(),
                    p.member.id_number.as_str(),
                    p.member.name.as_str(),
                    shouwang_core::household::LeaveReason::MovedAway.code(),
                    p.left_on.to_string(),
                    serde_json::to_string(&p.member).unwrap_or_else(|_| "{}".into()),
                    now
                ]);
            }
            insert_rows(
                tx,
                "INSERT INTO member_departures (county, household_no, id_number, name, reason, left_on, member, recorded_at)",
                8,
                &departures,
            )?;
            let after = serde_json::json!({ "cases": history.cases.len(), "joins": history.joins.len(),
                "departures": history.departures.len(), "today": today.to_string() });
            record(tx, actor, None, "statistics.synthetic", ("bulk", "statistics"), None, Some(&after))
        })
    }
}

/// Records the day each member of `after` not in `before` joined the household (成员增加), for
/// the statistics at a past date. Called where a registered household's members are rewritten.
pub(crate) fn record_joins(
    tx: &mut dyn Sql,
    county: &str,
    household_no: &str,
    before: &[Member],
    after: &[Member],
    on: Date,
) -> Result<(), StoreError> {
    for m in after {
        if before.iter().all(|b| b.id_number != m.id_number) {
            tx.exec(
                "INSERT INTO member_joins (county, household_no, id_number, joined_on) VALUES ($1, $2, $3, $4)",
                &params![county, household_no, m.id_number.as_str(), on.to_string()],
            )?;
        }
    }
    Ok(())
}

/// The shape of a synthetic province for the benchmark: `counties` counties of 10 townships of
/// 10 villages, `households_per_village` households each of 1–6 persons (3.5 on average).
#[derive(Clone, Copy, Debug)]
pub struct SyntheticProvince {
    pub counties: usize,
    pub households_per_village: usize,
    /// one household in `case_every` is a monitoring case
    pub case_every: usize,
}

impl SyntheticProvince {
    /// The county codes, 5101 01 … in tens per city: `51` + city `01`… + county `01`…`10`.
    pub fn county_codes(&self) -> Vec<String> {
        (0..self.counties)
            .map(|i| format!("51{:02}{:02}", i / 10 + 1, i % 10 + 1))
            .collect()
    }

    /// Every region of the province: province, cities, counties, townships, villages.
    pub fn regions(&self) -> Vec<Region> {
        let mut out = vec![Region {
            code: RegionCode::from_canonical("51").expect("province code"),
            name: "四川省".into(),
        }];
        let mut cities = std::collections::BTreeSet::new();
        for county in self.county_codes() {
            if cities.insert(county[..4].to_string()) {
                out.extend(RegionCode::from_canonical(&county[..4]).map(|code| Region {
                    name: format!("{}市", &county[2..4]),
                    code,
                }));
            }
            out.extend(RegionCode::from_canonical(&county).map(|code| Region {
                name: format!("{}县", &county[2..]),
                code,
            }));
            for t in 0..10 {
                let township = format!("{county}{}", 100 + t);
                out.extend(RegionCode::from_canonical(&township).map(|code| Region {
                    name: format!("{}镇", 100 + t),
                    code,
                }));
                for v in 1..=10 {
                    let village = format!("{township}{v:03}");
                    out.extend(RegionCode::from_canonical(&village).map(|code| Region {
                        name: format!("{}村{v}", 100 + t),
                        code,
                    }));
                }
            }
        }
        out
    }
}

impl Store {
    /// Fills an empty database with a synthetic province for the benchmark, written by the
    /// database itself (a series joined to the villages): households, members (no person index:
    /// nothing here looks persons up by ID number), cases over four years, one in eight with a
    /// later type change, about half eliminated, joins, departures and deaths. Returns
    /// (households, persons, cases).
    pub fn fill_synthetic_province(
        &self,
        spec: &SyntheticProvince,
    ) -> Result<(i64, i64, i64), StoreError> {
        self.import_regions(spec.regions())?;
        let h = spec.households_per_village;
        let every = spec.case_every.max(1);
        let counts = self.with_bulk_tx(true, |tx| {
            let (series_h, series_p, day) = match tx.dialect() {
                Dialect::Sqlite => (
                    format!("(WITH RECURSIVE s(seq) AS (SELECT 0 UNION ALL SELECT seq + 1 FROM s WHERE seq < {}) SELECT seq FROM s)", h - 1),
                    "(WITH RECURSIVE s(pos) AS (SELECT 0 UNION ALL SELECT pos + 1 FROM s WHERE pos < 5) SELECT pos FROM s)".to_string(),
                    "date('2022-12-01', ({}) || ' days')",
                ),
                Dialect::Postgres => (
                    format!("(SELECT generate_series(0, {}) AS seq)", h - 1),
                    "(SELECT generate_series(0, 5) AS pos)".to_string(),
                    "to_char(DATE '2022-12-01' + ({})::int, 'YYYY-MM-DD')",
                ),
            };
            let day_of = |n: &str| day.replace("{}", n);
            tx.batch(&format!(
                "CREATE TEMP TABLE bv AS SELECT code, CAST(ROW_NUMBER() OVER (ORDER BY code) AS BIGINT) - 1 AS vi
                   FROM regions WHERE length(code) = 12 AND code >= '51' AND code < '51:';
                 CREATE TEMP TABLE bh AS SELECT substr(bv.code, 1, 6) AS county,
                        bv.code || substr(CAST(10000 + hs.seq AS TEXT), 2) AS household_no, bv.code AS village,
                        hs.seq AS seq, bv.vi AS vi, 1 + (hs.seq * 7 + bv.vi * 3) % 6 AS size
                   FROM bv, {series_h} hs;
                 DROP INDEX IF EXISTS members_name;
                 DROP INDEX IF EXISTS members_id_tail;
                 DROP INDEX IF EXISTS members_phone_tail;
                 INSERT INTO households (county, household_no, village, household_type, created_at, updated_at)
                   SELECT county, household_no, village, (seq + vi) % 3, 0, 0 FROM bh ORDER BY county, household_no;
                 INSERT INTO members (county, id_number, household_no, village, position, id_kind, name, sex, birth_date, relation, health, deceased_on)
                   SELECT bh.county, bh.household_no || substr(CAST(100 + ps.pos AS TEXT), 2), bh.household_no, bh.village, ps.pos, 1,
                          '成员' || CAST(ps.pos AS TEXT), 1 + (ps.pos + bh.seq) % 2, '1970-01-01', CASE WHEN ps.pos = 0 THEN 0 ELSE 2 END, 1,
                          CASE WHEN ps.pos > 0 AND (bh.seq + ps.pos) % 61 = 0 THEN {dead} END
                   FROM bh, {series_p} ps WHERE ps.pos < bh.size ORDER BY bh.county, bh.household_no, ps.pos;
                 CREATE TEMP TABLE bc AS SELECT county, household_no, (seq * 31 + vi * 17) % 1460 AS n, seq, vi
                   FROM bh WHERE (seq * 13 + vi) % {every} = 0;
                 INSERT INTO monitoring_cases (county, household_no, case_type, risks, identified, identified_on, status,
                        elimination_kind, eliminated, eliminated_on, created_at, updated_at)
                   SELECT county, household_no, 1 + (seq + vi) % 3, '0', substr({ident}, 1, 7), {ident},
                          CASE WHEN (seq + vi) % 2 = 0 THEN 2 ELSE 1 END,
                          CASE WHEN (seq + vi) % 2 = 0 THEN (seq / 2) % 2 END,
                          CASE WHEN (seq + vi) % 2 = 0 THEN substr({elim}, 1, 7) END,
                          CASE WHEN (seq + vi) % 2 = 0 THEN {elim} END, 0, 0
                   FROM bc ORDER BY county, household_no;
                 INSERT INTO case_type_changes (county, case_id, changed_on, case_type_before, case_type_after)
                   SELECT c.county, c.id, {changed}, 1 + (c.case_type % 3), c.case_type
                   FROM monitoring_cases c JOIN bc ON bc.county = c.county AND bc.household_no = c.household_no
                   WHERE (bc.seq + bc.vi) % 8 = 1;
                 INSERT INTO member_joins (county, household_no, id_number, joined_on)
                   SELECT m.county, m.household_no, m.id_number, {joined}
                   FROM bc JOIN members m ON m.county = bc.county AND m.household_no = bc.household_no
                   WHERE m.position > 0 AND (bc.seq + m.position) % 10 = 0;
                 INSERT INTO member_departures (county, household_no, id_number, name, reason, left_on, member, recorded_at)
                   SELECT county, household_no, household_no || '99', '离开者', 2, {left}, '{{}}', 0
                   FROM bc WHERE (seq + vi) % 12 = 0;
                 CREATE INDEX members_name ON members (county, name);
                 CREATE INDEX members_id_tail ON members (county, substr(id_number, length(id_number) - 3));
                 CREATE INDEX members_phone_tail ON members (county, substr(phone, length(phone) - 3)) WHERE phone <> '';
                 DROP TABLE bc; DROP TABLE bh; DROP TABLE bv;",
                dead = day_of("(bh.seq * 5 + ps.pos) % 1400"),
                ident = day_of("n"),
                elim = day_of("n + (seq * 3) % (1461 - n)"),
                changed = day_of("bc.n + 1 + (bc.seq * 7) % (1461 - bc.n)"),
                joined = day_of("bc.n - 100 + (m.position * 97) % (1561 - bc.n)"),
                left = day_of("n - 100 + (seq * 11) % (1561 - n)"),
            ))?;
            if tx.dialect() == Dialect::Sqlite {
                tx.batch("ANALYZE")?;
            }
            let count = |tx: &mut dyn Sql, sql: &str| -> Result<i64, StoreError> {
                Ok(tx.query_one(sql, &[])?.map(|r| r.int(0)).unwrap_or(0))
            };
            Ok((
                count(tx, "SELECT COUNT(*) FROM households")?,
                count(tx, "SELECT COUNT(*) FROM members")?,
                count(tx, "SELECT COUNT(*) FROM monitoring_cases")?,
            ))
        })?;
        if self.dialect() == Dialect::Postgres {
            // outside the transaction: the visibility map lets the member counts read the index only
            self.with_conn(|c| c.batch("VACUUM ANALYZE"))?;
        }
        Ok(counts)
    }
}

/// A row of [`Store::monitoring_naive_counts`]: area, type, status, kind, households, persons.
pub type NaiveRow = (String, i64, i64, Option<i64>, i64, i64);

impl Store {
    /// The benchmark's anchor: the first query one would write for these figures — cases joined
    /// to their households and current members, grouped by sub-region, type, status and kind —
    /// which knows nothing of dates (it counts today's members and today's types). Rows: area,
    /// type, status, kind, households, persons.
    pub fn monitoring_naive_counts(&self, q: &Query) -> Result<Vec<NaiveRow>, StoreError> {
        let sql = format!(
            "SELECT substr(h.village, 1, {}), c.case_type, c.status, c.elimination_kind,
                    COUNT(DISTINCT c.id), COUNT(m.id_number)
             FROM monitoring_cases c
             JOIN households h ON h.county = c.county AND h.household_no = c.household_no
             LEFT JOIN members m ON m.county = c.county AND m.household_no = c.household_no AND m.deceased_on IS NULL
             WHERE c.county >= $1 AND c.county < $2 AND h.village >= $3 AND h.village < $4 AND c.status IN (1, 2)
             GROUP BY 1, 2, 3, 4",
            q.area_len()
        );
        let p = params_of(q);
        self.with_conn(|c| {
            Ok(c.query(&sql, &p[..4])?
                .iter()
                .map(|r| {
                    (
                        r.text(0),
                        r.int(1),
                        r.int(2),
                        r.opt_int(3),
                        r.int(4),
                        r.int(5),
                    )
                })
                .collect())
        })
    }
}

impl Store {
    /// The names of the villages under `region`, by code (for lists that name a case's village).
    pub fn village_names(
        &self,
        region: &RegionCode,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let lo = region.as_str();
        self.with_conn(|c| {
            Ok(c.query(
                "SELECT code, name FROM regions WHERE level = 12 AND code >= $1 AND code < $2",
                &params![lo, prefix_end(lo)],
            )?
            .iter()
            .map(|r| (r.text(0), r.text(1)))
            .collect())
        })
    }
}
