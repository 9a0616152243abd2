//! Finding people and households the way a cadre asks for them: by any part of a name, by the
//! last digits of an ID number or a phone (4 or more), or by a whole 户编号, always inside the
//! households the asker may see.
//!
//! A name is matched anywhere in it (`%丽%`): inside a village that scans the village's few
//! thousand persons, inside a county the county's name index (`members_name`), whose order is
//! also the list's. Digits are matched from the end: the indexes of migration 9 key each ID
//! number's and phone's last four characters per county, so a search reads the few rows sharing
//! its own last four and checks the rest of the digits here.

use crate::db::{prefix_end, Row, Sql, Value};
use crate::{params, Store, StoreError};
use shouwang_core::codes::Relation;
use shouwang_core::{RegionCode, RegionLevel};
use std::collections::{HashMap, HashSet};

/// What a typed query asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchTerm {
    /// Nothing typed: the list of households.
    Empty,
    /// A name or a part of one.
    Name(String),
    /// Digits (an ID number may end in X): the end of an ID number or a phone, or a 户编号.
    Digits(String),
    /// Fewer than [`MIN_DIGITS`] digits: too many people would match.
    TooFewDigits,
}

/// Digits needed to search by the end of a number.
pub const MIN_DIGITS: usize = 4;

/// At most this many people are read per kind of number match; a query matching more is asked
/// for more digits.
pub const DIGIT_MATCHES_READ: usize = 1000;

impl SearchTerm {
    /// Reads what was typed. Spaces and dashes inside a number are ignored (`138-1234-5678`).
    pub fn parse(query: &str) -> SearchTerm {
        let q = query.trim();
        if q.is_empty() {
            return SearchTerm::Empty;
        }
        let compact: String = q
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        // digits, the last of which may be an ID number's X
        let n = compact.chars().count();
        let digits = n > 0
            && compact
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i + 1 == n && c.eq_ignore_ascii_case(&'x')));
        if digits {
            if compact.len() < MIN_DIGITS {
                SearchTerm::TooFewDigits
            } else {
                SearchTerm::Digits(compact.to_ascii_uppercase())
            }
        } else {
            SearchTerm::Name(q.to_string())
        }
    }
}

/// What made a person a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum MatchedBy {
    HouseholdNo,
    IdNumber,
    Phone,
    Name,
}

/// One person found, with their household as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub household_no: String,
    pub village: String,
    /// names of the village and its township (empty if the region is not stored)
    pub village_name: String,
    pub township_name: String,
    pub group: String,
    pub head_name: String,
    pub name: String,
    pub id_number: String,
    pub relation: Relation,
    pub matched: MatchedBy,
}

/// One page of hits and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub rows: Vec<Found>,
    pub total: i64,
    /// A number matched more people than are read ([`DIGIT_MATCHES_READ`]): more digits narrow it.
    pub capped: bool,
}

/// Whose households a search may return: those under `region`, and when `only` is given, only
/// those (an assistance person's paired households).
#[derive(Clone, Copy, Debug)]
pub struct SearchScope<'a> {
    pub region: &'a RegionCode,
    pub only: Option<&'a [String]>,
}

/// A person row before its household is looked up.
struct Person {
    household_no: String,
    village: String,
    name: String,
    id_number: String,
    relation: Relation,
    matched: MatchedBy,
}

const PERSON: &str = "m.household_no, m.village, m.name, m.id_number, m.relation";

fn person(r: &Row, matched: MatchedBy) -> Person {
    Person {
        household_no: r.text(0),
        village: r.text(1),
        name: r.text(2),
        id_number: r.text(3),
        relation: Relation::from_code(r.int(4)).unwrap_or(Relation::Other),
        matched,
    }
}

/// `%text%` for LIKE, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Store {
    /// The people matching `query` within `scope`, `limit` of them from `offset`, with the total.
    /// Names are listed by name, numbers by what they matched (户编号, ID number, phone).
    pub fn find(
        &self,
        scope: SearchScope<'_>,
        query: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Findings, StoreError> {
        if scope.only.is_some_and(<[String]>::is_empty) {
            return Ok(Findings::default());
        }
        let (offset, limit) = (offset.max(0), limit.max(0));
        self.with_conn(|c| {
            let (people, total, capped) = match SearchTerm::parse(query) {
                SearchTerm::Name(name) => {
                    let (page, total) = by_name(c, scope, &name, offset, limit)?;
                    (page, total, false)
                }
                SearchTerm::Digits(digits) => {
                    let (all, capped) = by_digits(c, scope, &digits)?;
                    let total = all.len() as i64;
                    let page = all
                        .into_iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .collect();
                    (page, total, capped)
                }
                SearchTerm::Empty | SearchTerm::TooFewDigits => (Vec::new(), 0, false),
            };
            let rows = with_households(c, people)?;
            Ok(Findings {
                rows,
                total,
                capped,
            })
        })
    }
}

/// The region condition on members `m`, its parameters numbered from `next`. A county is
/// asked by its key column (the name index begins with it); a village or township by the
/// village range, so that a village's search reads that village only.
fn region_condition(region: &RegionCode, next: usize, by_county: bool) -> (String, Vec<Value>) {
    match region.county() {
        Some(county) if by_county || region.level() == RegionLevel::County => {
            let mut sql = format!("m.county = ${next}");
            let mut values = vec![Value::from(county.as_str())];
            if region.level() != RegionLevel::County {
                sql.push_str(&format!(
                    " AND m.village >= ${} AND m.village < ${}",
                    next + 1,
                    next + 2
                ));
                values.push(region.as_str().into());
                values.push(prefix_end(region.as_str()).into());
            }
            (sql, values)
        }
        _ => (
            format!("m.village >= ${next} AND m.village < ${}", next + 1),
            params![region.as_str(), prefix_end(region.as_str())].to_vec(),
        ),
    }
}

/// `AND m.household_no IN (…)` for a scope limited to some households.
fn only_condition(scope: SearchScope<'_>, next: usize, values: &mut Vec<Value>) -> String {
    let Some(only) = scope.only else {
        return String::new();
    };
    let marks: Vec<String> = (0..only.len()).map(|i| format!("${}", next + i)).collect();
    values.extend(only.iter().map(Value::from));
    format!(" AND m.household_no IN ({})", marks.join(", "))
}

fn by_name(
    c: &mut dyn Sql,
    scope: SearchScope<'_>,
    name: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Person>, i64), StoreError> {
    let (region, mut values) = region_condition(scope.region, 1, false);
    values.push(contains_pattern(name).into());
    let pattern = values.len();
    let only = only_condition(scope, values.len() + 1, &mut values);
    // `m.name > ''` (implied by the pattern) lets SQLite see that the name index serves this
    // query better than the other indexes that begin with the county: without it SQLite 3.50
    // read a county's persons through the ID-tail index and sorted them, seconds at 200k
    // households
    let filter = format!("{region} AND m.name > '' AND m.name LIKE ${pattern} ESCAPE '\\'{only}");
    let total = c
        .query_one(
            &format!("SELECT COUNT(*) FROM members m WHERE {filter}"),
            &values,
        )?
        .map_or(0, |r| r.int(0));
    if total == 0 || offset >= total {
        return Ok((Vec::new(), total));
    }
    let n = values.len();
    values.push(limit.into());
    values.push(offset.into());
    let rows = c.query(
        &format!(
            "SELECT {PERSON} FROM members m WHERE {filter}
             ORDER BY m.name, m.household_no, m.position LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        &values,
    )?;
    Ok((
        rows.iter().map(|r| person(r, MatchedBy::Name)).collect(),
        total,
    ))
}

/// Everyone a number matches, in the order 户编号, ID number, phone, each by name; a person
/// once. The bool says a kind of match was cut at [`DIGIT_MATCHES_READ`].
fn by_digits(
    c: &mut dyn Sql,
    scope: SearchScope<'_>,
    digits: &str,
) -> Result<(Vec<Person>, bool), StoreError> {
    let tail = &digits[digits.len() - MIN_DIGITS..];
    let read = DIGIT_MATCHES_READ as i64 + 1;
    let mut capped = false;
    let mut found: Vec<Person> = Vec::new();
    let head = Relation::Head.code();

    // a whole 户编号: its head
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        let (region, mut values) = region_condition(scope.region, 2, true);
        values.insert(0, digits.into());
        let rows = c.query(
            &format!(
                "SELECT {PERSON} FROM members m
                 WHERE m.county = (SELECT county FROM households WHERE household_no = $1)
                 AND m.household_no = $1 AND m.relation = {head} AND {region}
                 ORDER BY m.position LIMIT 1"
            ),
            &values,
        )?;
        found.extend(rows.iter().map(|r| person(r, MatchedBy::HouseholdNo)));
    }

    // Digit queries leave their order to the Rust side: with an ORDER BY, SQLite walks the
    // name index of the whole county instead of reading the few rows of the tail index.
    // the end of an ID number
    let (region, mut values) = region_condition(scope.region, 1, true);
    values.push(tail.into());
    values.push(read.into());
    let n = values.len();
    let mut rows = c.query(
        &format!(
            "SELECT {PERSON} FROM members m
             WHERE {region} AND substr(m.id_number, length(m.id_number) - 3) = ${}
             LIMIT ${n}",
            n - 1
        ),
        &values,
    )?;
    capped |= rows.len() as i64 >= read;
    rows.truncate(DIGIT_MATCHES_READ);
    found.extend(
        rows.iter()
            .map(|r| person(r, MatchedBy::IdNumber))
            .filter(|p| p.id_number.ends_with(digits)),
    );

    if digits.bytes().all(|b| b.is_ascii_digit()) {
        // the end of a member's phone
        let rows = c.query(
            &format!(
                "SELECT {PERSON}, m.phone FROM members m
                 WHERE {region} AND m.phone <> '' AND substr(m.phone, length(m.phone) - 3) = ${}
                 LIMIT ${n}",
                n - 1
            ),
            &values,
        )?;
        capped |= rows.len() as i64 >= read;
        found.extend(
            rows.iter()
                .take(DIGIT_MATCHES_READ)
                .filter(|r| digits_of(&r.text(5)).ends_with(digits))
                .map(|r| person(r, MatchedBy::Phone)),
        );
        // the end of a household's phone: its head. CROSS JOIN keeps SQLite from starting at
        // members (whose county it would read whole), and the index has no county because
        // SQLite prefers the households' key (county, …) to any index that begins the same.
        let lo = scope.region.as_str();
        let rows = c.query(
            &format!(
                "SELECT {PERSON}, h.phone FROM households h CROSS JOIN members m
                 WHERE h.village >= $1 AND h.village < $2
                 AND h.phone <> '' AND substr(h.phone, length(h.phone) - 3) = $3
                 AND m.county = h.county AND m.household_no = h.household_no AND m.relation = {head}
                 LIMIT $4"
            ),
            &params![lo, prefix_end(lo), tail, read],
        )?;
        capped |= rows.len() as i64 >= read;
        found.extend(
            rows.iter()
                .take(DIGIT_MATCHES_READ)
                .filter(|r| digits_of(&r.text(5)).ends_with(digits))
                .map(|r| person(r, MatchedBy::Phone)),
        );
    }

    found.sort_by(|a, b| {
        (a.matched, &a.name, &a.household_no).cmp(&(b.matched, &b.name, &b.household_no))
    });
    let only: Option<HashSet<&str>> = scope.only.map(|o| o.iter().map(String::as_str).collect());
    let mut seen = HashSet::new();
    found.retain(|p| {
        only.as_ref()
            .is_none_or(|o| o.contains(p.household_no.as_str()))
            && seen.insert((p.household_no.clone(), p.id_number.clone()))
    });
    Ok((found, capped))
}

/// The people with their household's group, head and place names, in one query for the page.
fn with_households(c: &mut dyn Sql, people: Vec<Person>) -> Result<Vec<Found>, StoreError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut nos: Vec<&str> = people.iter().map(|p| p.household_no.as_str()).collect();
    nos.sort_unstable();
    nos.dedup();
    let marks: Vec<String> = (1..=nos.len()).map(|i| format!("${i}")).collect();
    let values: Vec<Value> = nos.iter().map(|n| Value::from(*n)).collect();
    let rows = c.query(
        &format!(
            "SELECT h.household_no, h.grp, v.name, t.name,
                (SELECT hd.name FROM members hd WHERE hd.county = h.county AND hd.household_no = h.household_no
                 AND hd.relation = {} ORDER BY hd.position LIMIT 1)
             FROM households h
             LEFT JOIN regions v ON v.code = h.village
             LEFT JOIN regions t ON t.code = substr(h.village, 1, 9)
             WHERE h.household_no IN ({})",
            Relation::Head.code(),
            marks.join(", ")
        ),
        &values,
    )?;
    let by_no: HashMap<String, &Row> = rows.iter().map(|r| (r.text(0), r)).collect();
    Ok(people
        .into_iter()
        .map(|p| {
            let h = by_no.get(&p.household_no);
            let text = |i: usize| h.map(|r| r.text(i)).unwrap_or_default();
            Found {
                group: text(1),
                village_name: text(2),
                township_name: text(3),
                head_name: text(4),
                household_no: p.household_no,
                village: p.village,
                name: p.name,
                id_number: p.id_number,
                relation: p.relation,
                matched: p.matched,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_typed_is_read_as_a_name_or_digits() {
        assert_eq!(SearchTerm::parse("  "), SearchTerm::Empty);
        assert_eq!(SearchTerm::parse("丽"), SearchTerm::Name("丽".into()));
        assert_eq!(SearchTerm::parse("123"), SearchTerm::TooFewDigits);
        assert_eq!(SearchTerm::parse("123x"), SearchTerm::Digits("123X".into()));
        assert_eq!(
            SearchTerm::parse("138-1234 5678"),
            SearchTerm::Digits("13812345678".into())
        );
        assert_eq!(SearchTerm::parse("x123"), SearchTerm::Name("x123".into()));
    }

    #[test]
    fn wildcards_in_a_name_are_taken_literally() {
        assert_eq!(contains_pattern("a%_\\b"), "%a\\%\\_\\\\b%");
    }
}
