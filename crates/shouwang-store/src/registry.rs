//! The registry (户人信息): households and members, validated by core, written with their audit.

use crate::audit::{record, Actor};
use crate::db::{prefix_end, Row, Sql, Value};
use crate::decode::{Cells, Fields};
use crate::sql::{json, placeholders};
use crate::{params, Store, StoreError};
use shouwang_core::codes::{
    Education, Health, HouseholdType, LabourCapacity, Political, Relation, Schooling, Sex,
};
use shouwang_core::household::{
    leave, validate_family, validate_household, validate_member, Departure, LeaveReason,
};
use shouwang_core::id_number::{mask, normalise};
use shouwang_core::ProblemCode;
use shouwang_core::{Date, Household, IdKind, Member, Problem, RegionCode, RegionLevel};

/// A household as stored, with its members and concurrency version.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdRecord {
    pub county: String,
    pub household: Household,
    pub members: Vec<Member>,
    /// Incremented on every change; edits carry the version they started from.
    pub version: i64,
    pub updated_at: i64,
}

/// One line of a household list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdListRow {
    pub household_no: String,
    pub village: String,
    pub group: String,
    pub head_name: String,
    pub head_id: String,
    pub size: i64,
    pub household_type: HouseholdType,
    pub dibao: bool,
    pub tekun: bool,
    pub relocated: bool,
}

/// A person found by a search.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SearchHit {
    pub household_no: String,
    pub village: String,
    pub name: String,
    pub id_number: String,
    pub relation: Relation,
}

pub(crate) const HOUSEHOLD_COLUMNS: &str = "county, household_no, village, grp, address, phone, household_type, dibao, tekun, relocated, \
     resettlement_site, military_family, cultivated_land_centimu, housing_area_centim2, house_grade";

pub(crate) const MEMBER_COLUMNS: &str = "id_kind, id_number, person_no, name, sex, birth_date, relation, ethnicity, political, phone, \
     education, schooling, health, disability_category, labour, migrant_months, migrant_place, migrant_employer, welfare_job, \
     welfare_job_months, dibao, tekun, resident_medical, employee_medical, serious_illness_insurance, resident_pension, \
     employee_pension, deceased_on";
pub(crate) const MEMBER_COLUMN_COUNT: usize = 28;

pub(crate) fn county_of(h: &Household) -> String {
    h.village
        .county()
        .map(|c| c.as_str().to_string())
        .unwrap_or_default()
}

/// The county of household `$1` (household numbers are unique nation-wide); as a subquery it
/// lets reads by household use the tables' keys, which begin with the county.
pub(crate) const COUNTY_OF_HOUSEHOLD: &str =
    "SELECT county FROM households WHERE household_no = $1";

/// Rewrites a stored household's fields (not its members) and increments its version: the one
/// `UPDATE` of a household, for edits and imports alike.
pub(crate) fn update_household_row(
    tx: &mut dyn Sql,
    h: &Household,
    now: i64,
) -> Result<u64, StoreError> {
    let mut values = household_values(h);
    values.push(now.into());
    tx.exec(
        "UPDATE households SET village = $3, grp = $4, address = $5, phone = $6, household_type = $7, dibao = $8,
         tekun = $9, relocated = $10, resettlement_site = $11, military_family = $12, cultivated_land_centimu = $13,
         housing_area_centim2 = $14, house_grade = $15, updated_at = $16, version = version + 1
         WHERE county = $1 AND household_no = $2",
        &values,
    )
}

pub(crate) fn household_values(h: &Household) -> Vec<Value> {
    params![
        county_of(h),
        &h.household_no,
        h.village.as_str(),
        &h.group,
        &h.address,
        &h.phone,
        h.household_type.code(),
        h.dibao,
        h.tekun,
        h.relocated,
        &h.resettlement_site,
        h.military_family,
        h.cultivated_land_centimu,
        h.housing_area_centim2,
        &h.house_grade
    ]
    .to_vec()
}

pub(crate) fn member_values(m: &Member) -> Vec<Value> {
    params![
        m.id_kind.code(),
        &m.id_number,
        &m.person_no,
        &m.name,
        m.sex.code(),
        m.birth_date.to_string(),
        m.relation.code(),
        &m.ethnicity,
        m.political.map(Political::code),
        &m.phone,
        m.education.map(Education::code),
        m.schooling.map(Schooling::code),
        m.health.bits(),
        &m.disability_category,
        m.labour.map(LabourCapacity::code),
        m.migrant_months,
        &m.migrant_place,
        &m.migrant_employer,
        &m.welfare_job,
        m.welfare_job_months,
        m.dibao,
        m.tekun,
        m.resident_medical,
        m.employee_medical,
        m.serious_illness_insurance,
        m.resident_pension,
        m.employee_pension,
        m.deceased_on.map(|d| d.to_string())
    ]
    .to_vec()
}

/// A household of [`HOUSEHOLD_COLUMNS`] (the county first).
pub(crate) fn row_household(r: &impl Cells) -> Result<Household, StoreError> {
    let f = Fields::new(r, "households", HOUSEHOLD_COLUMNS, 0);
    Ok(Household {
        household_no: f.text(1),
        village: f.region(2)?,
        group: f.text(3),
        address: f.text(4),
        phone: f.text(5),
        household_type: f.code(6, HouseholdType::from_code)?,
        dibao: f.bool(7)?,
        tekun: f.bool(8)?,
        relocated: f.bool(9)?,
        resettlement_site: f.text(10),
        military_family: f.bool(11)?,
        cultivated_land_centimu: f.opt_int(12)?,
        housing_area_centim2: f.opt_int(13)?,
        house_grade: f.text(14),
    })
}

/// A member of [`MEMBER_COLUMNS`], from column `at` of the row on.
pub(crate) fn row_member(r: &impl Cells, at: usize) -> Result<Member, StoreError> {
    let f = Fields::new(r, "members", MEMBER_COLUMNS, at);
    Ok(Member {
        id_kind: f.code(0, IdKind::from_code)?,
        id_number: f.text(1),
        person_no: f.text(2),
        name: f.text(3),
        sex: f.code(4, Sex::from_code)?,
        birth_date: f.date(5)?,
        relation: f.code(6, Relation::from_code)?,
        ethnicity: f.text(7),
        political: f.opt_code(8, Political::from_code)?,
        phone: f.text(9),
        education: f.opt_code(10, Education::from_code)?,
        schooling: f.opt_code(11, Schooling::from_code)?,
        health: Health::from_bits(f.int(12)?),
        disability_category: f.text(13),
        labour: f.opt_code(14, LabourCapacity::from_code)?,
        migrant_months: f.int(15)?,
        migrant_place: f.text(16),
        migrant_employer: f.text(17),
        welfare_job: f.text(18),
        welfare_job_months: f.int(19)?,
        dibao: f.bool(20)?,
        tekun: f.bool(21)?,
        resident_medical: f.bool(22)?,
        employee_medical: f.bool(23)?,
        serious_illness_insurance: f.bool(24)?,
        resident_pension: f.bool(25)?,
        employee_pension: f.bool(26)?,
        deceased_on: f.opt_date(27)?,
    })
}

fn load_household(c: &mut dyn Sql, no: &str) -> Result<Option<HouseholdRecord>, StoreError> {
    let Some(r) = c.query_one(&format!("SELECT {HOUSEHOLD_COLUMNS}, version, updated_at FROM households WHERE household_no = $1"), &params![no])?
    else {
        return Ok(None);
    };
    let household = row_household(&r)?;
    let county = r.text(0);
    let members = c
        .query(
            &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE county = $1 AND household_no = $2 ORDER BY position"),
            &params![&county, no],
        )?
        .iter()
        .map(|r| row_member(r, 0))
        .collect::<Result<_, _>>()?;
    Ok(Some(HouseholdRecord {
        county,
        household,
        members,
        version: r.int(15),
        updated_at: r.int(16),
    }))
}

fn village_exists(c: &mut dyn Sql, village: &RegionCode) -> Result<bool, StoreError> {
    Ok(c.query_one(
        "SELECT 1 FROM regions WHERE code = $1 AND level = 12",
        &params![village.as_str()],
    )?
    .is_some())
}

fn unknown_village(v: &RegionCode) -> Problem {
    Problem::new(
        ProblemCode::VillageUnknown,
        "village",
        format!("村代码{v}不存在"),
        format!("village {v} does not exist"),
    )
}

/// Whether household `no` lies in `within`, the region whose facts the user may be told
/// (`None`: the operator's tools, told everything). A refusal names another household only
/// then: a cadre must not learn another village's household numbers from it.
pub(crate) fn household_within(
    c: &mut dyn Sql,
    no: &str,
    within: Option<&RegionCode>,
) -> Result<bool, StoreError> {
    let Some(within) = within else {
        return Ok(true);
    };
    let village = c
        .query_one(
            "SELECT village FROM households WHERE household_no = $1",
            &params![no],
        )?
        .and_then(|r| RegionCode::parse(&r.text(0)));
    Ok(village.is_some_and(|v| within.contains(&v)))
}

/// Refuses ID numbers already registered to another household, anywhere in the installation,
/// naming that household only when it lies in `within` (see [`household_within`]).
fn check_not_elsewhere(
    c: &mut dyn Sql,
    no: &str,
    members: &[Member],
    within: Option<&RegionCode>,
) -> Result<Vec<Problem>, StoreError> {
    let mut out = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if let Some(r) = c.query_one(
            "SELECT household_no FROM person_index WHERE id_number = $1",
            &params![&m.id_number],
        )? {
            let other = r.text(0);
            if other == no {
                continue;
            }
            let id = mask(&m.id_number);
            out.push(if household_within(c, &other, within)? {
                Problem::new(
                    ProblemCode::IdNumberElsewhere,
                    format!("members[{i}].id_number"),
                    format!("证件号码{id}已登记在户{other}，一个人只能属于一户"),
                    format!("ID number {id} is already registered in household {other}; a person belongs to one household"),
                )
            } else {
                Problem::new(
                    ProblemCode::IdNumberElsewhere,
                    format!("members[{i}].id_number"),
                    format!("证件号码{id}已在别处登记，一个人只能属于一户"),
                    format!("ID number {id} is already registered elsewhere; a person belongs to one household"),
                )
            });
        }
    }
    Ok(out)
}

fn insert_members(
    tx: &mut dyn Sql,
    county: &str,
    household: &Household,
    members: &[Member],
) -> Result<(), StoreError> {
    let no = household.household_no.as_str();
    for (pos, m) in members.iter().enumerate() {
        let mut values = params![county, no, household.village.as_str(), pos as i64].to_vec();
        values.extend(member_values(m));
        tx.exec(
            &format!(
                "INSERT INTO members (county, household_no, village, position, {MEMBER_COLUMNS}) VALUES ({})",
                placeholders(1, 4 + MEMBER_COLUMN_COUNT)
            ),
            &values,
        )?;
        tx.exec(
            "INSERT INTO person_index (id_number, county, household_no) VALUES ($1, $2, $3)",
            &params![&m.id_number, county, no],
        )?;
    }
    Ok(())
}

fn delete_members(tx: &mut dyn Sql, county: &str, no: &str) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM person_index WHERE county = $1 AND household_no = $2",
        &params![county, no],
    )?;
    tx.exec(
        "DELETE FROM members WHERE county = $1 AND household_no = $2",
        &params![county, no],
    )?;
    Ok(())
}

/// Normalises what forms and files give: trimmed text, normalised ID numbers.
pub fn tidy_member(mut m: Member) -> Member {
    m.id_number = normalise(&m.id_number);
    m.name = m.name.trim().to_string();
    m.phone = m.phone.trim().to_string();
    m
}

/// Trims the household number and phone as typed into forms and files.
pub fn tidy_household(mut h: Household) -> Household {
    h.household_no = h.household_no.trim().to_string();
    h.phone = h.phone.trim().to_string();
    h
}

/// Tidies and validates a household with its members by core's rules (everything that needs no
/// database), so that nothing is written when any rule fails.
fn checked(
    household: Household,
    members: Vec<Member>,
    today: Date,
) -> Result<(Household, Vec<Member>), StoreError> {
    let household = tidy_household(household);
    let members: Vec<Member> = members.into_iter().map(tidy_member).collect();
    let mut problems = validate_household(&household);
    for (i, m) in members.iter().enumerate() {
        let under = format!("members[{i}]");
        problems.extend(
            validate_member(m, today)
                .into_iter()
                .map(|p| p.under(&under)),
        );
    }
    problems.extend(validate_family(&members));
    if problems.is_empty() {
        Ok((household, members))
    } else {
        Err(StoreError::Invalid(problems))
    }
}

impl Store {
    /// A household with its members, or `None`.
    pub fn household(&self, household_no: &str) -> Result<Option<HouseholdRecord>, StoreError> {
        self.with_conn(|c| load_household(c, household_no))
    }

    /// Creates a household with its members. Validates everything first; writes all or nothing.
    /// For the operator's tools: a refusal names whatever it concerns.
    pub fn create_household(
        &self,
        actor: &Actor,
        household: Household,
        members: Vec<Member>,
        today: Date,
    ) -> Result<(), StoreError> {
        self.create_household_seen_from(actor, None, household, members, today)
    }

    /// [`Store::create_household`] for a user whose region is `scope`: a refusal about a person
    /// registered outside it says only that they are registered elsewhere.
    pub fn create_household_in_scope(
        &self,
        actor: &Actor,
        scope: &RegionCode,
        household: Household,
        members: Vec<Member>,
        today: Date,
    ) -> Result<(), StoreError> {
        self.create_household_seen_from(actor, Some(scope), household, members, today)
    }

    fn create_household_seen_from(
        &self,
        actor: &Actor,
        within: Option<&RegionCode>,
        household: Household,
        members: Vec<Member>,
        today: Date,
    ) -> Result<(), StoreError> {
        let (household, members) = checked(household, members, today)?;
        self.with_tx(|tx| {
            if !village_exists(tx, &household.village)? {
                return Err(StoreError::invalid(unknown_village(&household.village)));
            }
            if tx.query_one("SELECT 1 FROM households WHERE household_no = $1", &params![&household.household_no])?.is_some() {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::HouseholdNoTaken,
                    "household_no",
                    format!("户编号{}已存在", household.household_no),
                    format!("household number {} already exists", household.household_no),
                )));
            }
            let elsewhere = check_not_elsewhere(tx, &household.household_no, &members, within)?;
            if !elsewhere.is_empty() {
                return Err(StoreError::Invalid(elsewhere));
            }
            let county = county_of(&household);
            let now = crate::now();
            let mut values = household_values(&household);
            values.push(now.into());
            values.push(now.into());
            tx.exec(&format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}, created_at, updated_at) VALUES ({})", placeholders(1, 17)), &values)?;
            insert_members(tx, &county, &household, &members)?;
            let after = serde_json::json!({ "household": json(&household), "members": json(&members) });
            record(tx, actor, Some(&county), "household.create", ("household", &household.household_no), None, Some(&after))
        })
    }

    /// Replaces a household's fields and members in one step, checking the version the editor
    /// started from. The household number and county cannot change. For the operator's tools:
    /// a refusal names whatever it concerns.
    pub fn update_household(
        &self,
        actor: &Actor,
        household: Household,
        members: Vec<Member>,
        expected_version: i64,
        today: Date,
    ) -> Result<(), StoreError> {
        self.update_household_seen_from(actor, None, household, members, expected_version, today)
    }

    /// [`Store::update_household`] for a user whose region is `scope`: a refusal about a person
    /// registered outside it says only that they are registered elsewhere.
    pub fn update_household_in_scope(
        &self,
        actor: &Actor,
        scope: &RegionCode,
        household: Household,
        members: Vec<Member>,
        expected_version: i64,
        today: Date,
    ) -> Result<(), StoreError> {
        self.update_household_seen_from(
            actor,
            Some(scope),
            household,
            members,
            expected_version,
            today,
        )
    }

    fn update_household_seen_from(
        &self,
        actor: &Actor,
        within: Option<&RegionCode>,
        household: Household,
        members: Vec<Member>,
        expected_version: i64,
        today: Date,
    ) -> Result<(), StoreError> {
        let (household, members) = checked(household, members, today)?;
        self.with_tx(|tx| {
            let before = load_household(tx, &household.household_no)?.ok_or(StoreError::NotFound)?;
            if before.version != expected_version {
                return Err(StoreError::Stale);
            }
            if county_of(&household) != before.county {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::VillageCounty,
                    "village",
                    "不能把户迁到其他县",
                    "a household cannot move to another county",
                )));
            }
            if !village_exists(tx, &household.village)? {
                return Err(StoreError::invalid(unknown_village(&household.village)));
            }
            let elsewhere = check_not_elsewhere(tx, &household.household_no, &members, within)?;
            if !elsewhere.is_empty() {
                return Err(StoreError::Invalid(elsewhere));
            }
            if before.household == household && before.members == members {
                return Ok(());
            }
            update_household_row(tx, &household, crate::now())?;
            delete_members(tx, &before.county, &household.household_no)?;
            insert_members(tx, &before.county, &household, &members)?;
            crate::statistics::record_joins(tx, &before.county, &household.household_no, &before.members, &members, today)?;
            let b = serde_json::json!({ "household": json(&before.household), "members": json(&before.members) });
            let a = serde_json::json!({ "household": json(&household), "members": json(&members) });
            record(tx, actor, Some(&before.county), "household.update", ("household", &household.household_no), Some(&b), Some(&a))
        })
    }

    /// Households of a region, ordered by village and number, with the total count.
    pub fn households_in(
        &self,
        region: &RegionCode,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<HouseholdListRow>, i64), StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str();
            let hi = prefix_end(lo);
            let total = c
                .query_one("SELECT COUNT(*) FROM households WHERE village >= $1 AND village < $2", &params![lo, hi.clone()])?
                .map(|r| r.int(0))
                .unwrap_or(0);
            let rows = c.query(
                &format!("SELECT h.household_no, h.village, h.grp, m.name, m.id_number,
                        (SELECT COUNT(*) FROM members x WHERE x.county = h.county AND x.household_no = h.household_no AND x.deceased_on IS NULL),
                        h.household_type, h.dibao, h.tekun, h.relocated
                 FROM households h LEFT JOIN members m ON m.county = h.county AND m.household_no = h.household_no AND m.relation = {}
                 WHERE h.village >= $1 AND h.village < $2 ORDER BY h.village, h.household_no LIMIT $3 OFFSET $4", Relation::Head.code()),
                &params![lo, hi, limit, offset],
            )?;
            let rows = rows.iter().map(list_row).collect::<Result<_, _>>()?;
            Ok((rows, total))
        })
    }

    /// Persons whose name, ID number or household number match `query`, inside `region`.
    /// Names match exactly or by their beginning; ID and household numbers exactly.
    pub fn search(
        &self,
        region: &RegionCode,
        query: &str,
        limit: i64,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(vec![]);
        }
        let id = normalise(q);
        let lo = region.as_str();
        let hi = prefix_end(lo);
        // members carry their village, so every shape below is one indexed lookup:
        // the person index, the (county, name) index, or the household's own rows
        let county = region.county().map(|c| c.as_str().to_string());
        self.with_conn(|c| {
            let select = "SELECT household_no, village, name, id_number, relation FROM members WHERE village >= $1 AND village < $2";
            let mut rows = match &county {
                Some(county) => c.query(
                    &format!("{select} AND county = $3 AND name >= $4 AND name < $5 ORDER BY name, household_no LIMIT $6"),
                    &params![lo, hi.clone(), county.as_str(), q, format!("{q}\u{10FFFF}"), limit],
                )?,
                None => c.query(
                    &format!("{select} AND name >= $3 AND name < $4 ORDER BY name, household_no LIMIT $5"),
                    &params![lo, hi.clone(), q, format!("{q}\u{10FFFF}"), limit],
                )?,
            };
            // the person index gives the county, and the members key the row
            rows.extend(c.query(
                "SELECT m.household_no, m.village, m.name, m.id_number, m.relation FROM person_index p
                 JOIN members m ON m.county = p.county AND m.id_number = p.id_number
                 WHERE p.id_number = $3 AND m.village >= $1 AND m.village < $2",
                &params![lo, hi.clone(), id.clone()],
            )?);
            if let Some(h) = c.query_one(COUNTY_OF_HOUSEHOLD, &params![q])? {
                rows.extend(c.query(
                    &format!("{select} AND county = $3 AND household_no = $4 ORDER BY position"),
                    &params![lo, hi, h.text(0), q],
                )?);
            }
            let mut hits: Vec<SearchHit> = Vec::new();
            for r in rows {
                let hit = SearchHit {
                    household_no: r.text(0),
                    village: r.text(1),
                    name: r.text(2),
                    id_number: r.text(3),
                    relation: Relation::from_code(r.int(4)).unwrap_or(Relation::Other),
                };
                if !hits.iter().any(|h| h.id_number == hit.id_number) {
                    hits.push(hit);
                }
            }
            hits.truncate(limit.max(0) as usize);
            Ok(hits)
        })
    }

    /// Loads many validated households at once (demo, synthetic data): multi-row inserts in one
    /// transaction, one audit event for the whole load. Refuses duplicates like single creation.
    pub fn bulk_load(
        &self,
        actor: &Actor,
        data: &[(Household, Vec<Member>)],
        what: &str,
    ) -> Result<usize, StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            for chunk in data.chunks(200) {
                let mut sql = format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}, created_at, updated_at) VALUES ");
                let mut values = Vec::with_capacity(chunk.len() * 17);
                for (i, (h, _)) in chunk.iter().enumerate() {
                    sql.push_str(if i == 0 { "(" } else { ", (" });
                    sql.push_str(&placeholders(i * 17 + 1, 17));
                    sql.push(')');
                    values.extend(household_values(h));
                    values.push(now.into());
                    values.push(now.into());
                }
                tx.exec(&sql, &values)?;
                let persons: Vec<(&Household, usize, &Member)> =
                    chunk.iter().flat_map(|(h, ms)| ms.iter().enumerate().map(move |(p, m)| (h, p, m))).collect();
                for part in persons.chunks(300) {
                    let width = 4 + MEMBER_COLUMN_COUNT;
                    let mut sql = format!("INSERT INTO members (county, household_no, village, position, {MEMBER_COLUMNS}) VALUES ");
                    let mut index_sql = String::from("INSERT INTO person_index (id_number, county, household_no) VALUES ");
                    let mut values = Vec::with_capacity(part.len() * width);
                    let mut index_values = Vec::with_capacity(part.len() * 3);
                    for (i, (h, pos, m)) in part.iter().enumerate() {
                        sql.push_str(if i == 0 { "(" } else { ", (" });
                        sql.push_str(&placeholders(i * width + 1, width));
                        sql.push(')');
                        index_sql.push_str(if i == 0 { "(" } else { ", (" });
                        index_sql.push_str(&placeholders(i * 3 + 1, 3));
                        index_sql.push(')');
                        values.extend(params![county_of(h), &h.household_no, h.village.as_str(), *pos as i64]);
                        values.extend(member_values(m));
                        index_values.extend(params![&m.id_number, county_of(h), &h.household_no]);
                    }
                    tx.exec(&sql, &values)?;
                    tx.exec(&index_sql, &index_values)?;
                }
            }
            let after = serde_json::json!({ "households": data.len() });
            record(tx, actor, None, what, ("bulk", what), None, Some(&after))?;
            Ok(data.len())
        })
    }

    /// Counts of households and living persons under a region.
    pub fn count_in(&self, region: &RegionCode) -> Result<(i64, i64), StoreError> {
        self.with_conn(|c| {
            let lo = region.as_str();
            let hi = prefix_end(lo);
            let h = c.query_one("SELECT COUNT(*) FROM households WHERE village >= $1 AND village < $2", &params![lo, hi.clone()])?;
            let p = c.query_one(
                "SELECT COUNT(*) FROM members WHERE village >= $1 AND village < $2 AND deceased_on IS NULL",
                &params![lo, hi],
            )?;
            Ok((h.map(|r| r.int(0)).unwrap_or(0), p.map(|r| r.int(0)).unwrap_or(0)))
        })
    }

    /// Villages with their resettlement site names used in the data (for the demo).
    pub fn villages_of(&self, county: &RegionCode) -> Result<Vec<RegionCode>, StoreError> {
        self.with_conn(|c| {
            let lo = county.as_str();
            let rows = c.query(
                "SELECT code FROM regions WHERE level = $1 AND code >= $2 AND code < $3 ORDER BY code",
                &params![RegionLevel::Village.code_len() as i64, lo, prefix_end(lo)],
            )?;
            Ok(rows.iter().filter_map(|r| RegionCode::from_canonical(&r.text(0))).collect())
        })
    }
}

const DEPARTURE_COLUMNS: &str = "reason, left_on, member, recorded_at";

/// A member who left a household, as stored: when the departure was recorded (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DepartureRecord {
    pub departure: Departure,
    pub recorded_at: i64,
}

fn row_departure(r: &Row) -> Result<DepartureRecord, StoreError> {
    let f = Fields::new(r, "member_departures", DEPARTURE_COLUMNS, 0);
    let text = r.text(2);
    let member: Member = serde_json::from_str(&text).map_err(|_| StoreError::Corrupt {
        table: "member_departures",
        column: "member".into(),
        value: text.chars().take(80).collect(),
    })?;
    Ok(DepartureRecord {
        departure: Departure {
            reason: f.code(0, LeaveReason::from_code)?,
            on: f.date(1)?,
            member,
        },
        recorded_at: r.int(3),
    })
}

impl Store {
    /// The members who left household `household_no`, oldest departure first.
    pub fn departures(&self, household_no: &str) -> Result<Vec<DepartureRecord>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!("SELECT {DEPARTURE_COLUMNS} FROM member_departures WHERE county = ({COUNTY_OF_HOUSEHOLD}) AND household_no = $1 ORDER BY id"),
                &params![household_no],
            )?
            .iter()
            .map(row_departure)
            .collect()
        })
    }

    /// 成员减少: the member with `id_number` leaves household `household_no` on `on` for
    /// `reason` (core's rule decides whether they may). They stay in the household's record as
    /// a departure and stop being a member: counts, screening, search and the ledger no longer
    /// see them, and the person may be registered in another household. Checks the version the
    /// editor started from; audited with the household's before and after.
    #[allow(clippy::too_many_arguments)]
    pub fn member_leaves(
        &self,
        actor: &Actor,
        household_no: &str,
        id_number: &str,
        reason: LeaveReason,
        on: Date,
        expected_version: i64,
        today: Date,
    ) -> Result<Departure, StoreError> {
        self.with_tx(|tx| {
            member_leaves_in(
                tx,
                actor,
                household_no,
                id_number,
                reason,
                on,
                Some(expected_version),
                today,
            )
        })
    }

    /// The display names of the given usernames (those still registered), for history lines
    /// that say who changed a household.
    pub fn display_names(
        &self,
        usernames: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        if usernames.is_empty() {
            return Ok(Default::default());
        }
        self.with_conn(|c| {
            let values: Vec<Value> = usernames.iter().map(|u| u.as_str().into()).collect();
            let rows = c.query(
                &format!(
                    "SELECT username, display_name FROM users WHERE username IN ({})",
                    placeholders(1, values.len())
                ),
                &values,
            )?;
            Ok(rows.iter().map(|r| (r.text(0), r.text(1))).collect())
        })
    }
}

const LIST_COLUMNS: &str =
    "household_no, village, grp, head_name, head_id, size, household_type, dibao, tekun, relocated";

fn list_row(r: &Row) -> Result<HouseholdListRow, StoreError> {
    let f = Fields::new(r, "households", LIST_COLUMNS, 0);
    Ok(HouseholdListRow {
        household_no: f.text(0),
        village: f.text(1),
        group: f.text(2),
        head_name: f.text(3),
        head_id: f.text(4),
        size: f.int(5)?,
        household_type: f.code(6, HouseholdType::from_code)?,
        dibao: f.bool(7)?,
        tekun: f.bool(8)?,
        relocated: f.bool(9)?,
    })
}

/// [`Store::member_leaves`] inside the caller's transaction (a confirmed 公安 death marks the
/// member deceased with its decision); `expected_version` `None` skips the version check.
#[allow(clippy::too_many_arguments)]
pub(crate) fn member_leaves_in(
    tx: &mut dyn Sql,
    actor: &Actor,
    household_no: &str,
    id_number: &str,
    reason: LeaveReason,
    on: Date,
    expected_version: Option<i64>,
    today: Date,
) -> Result<Departure, StoreError> {
    let before = load_household(tx, household_no)?.ok_or(StoreError::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let member = before
        .members
        .iter()
        .find(|m| m.id_number == id_number)
        .ok_or(StoreError::NotFound)?;
    let departure = leave(member, reason, on, today).map_err(StoreError::Invalid)?;
    let members: Vec<Member> = before
        .members
        .iter()
        .filter(|m| m.id_number != id_number)
        .cloned()
        .collect();
    let family = validate_family(&members);
    if !family.is_empty() {
        return Err(StoreError::Invalid(family));
    }
    let household = &before.household;
    update_household_row(tx, household, crate::now())?;
    delete_members(tx, &before.county, household_no)?;
    insert_members(tx, &before.county, household, &members)?;
    tx.exec(
            "INSERT INTO member_departures (county, household_no, id_number, name, reason, left_on, member, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &params![
                &before.county,
                household_no,
                id_number,
                &departure.member.name,
                reason.code(),
                on.to_string(),
                json(&departure.member).to_string(),
                crate::now()
            ],
        )?;
    let b = serde_json::json!({ "household": json(&before.household), "members": json(&before.members) });
    let a = serde_json::json!({
        "household": json(&before.household),
        "members": json(&members),
        "left": { "name": &departure.member.name, "id_number": id_number, "reason": reason.label_zh(), "on": on.to_string() },
    });
    record(
        tx,
        actor,
        Some(&before.county),
        "household.member_leave",
        ("household", household_no),
        Some(&b),
        Some(&a),
    )?;
    Ok(departure)
}
