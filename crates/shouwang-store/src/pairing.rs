//! 帮扶责任人 and 家庭签约医生 as stored: the persons (the national form's fields), their dated
//! pairings with households (a reassignment ends one and starts another, so the history stays),
//! and the positions users hold besides their role (`user_positions`). Every write is audited.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::decode::Fields;
use crate::sql::{json, region_clause, with_household_head};
use crate::{params, Store, StoreError};
use serde::Serialize;
use shouwang_core::assistance::person::{reassignment_end, AssistancePerson, Pairing};
use shouwang_core::codes::{Political, Sex};
use shouwang_core::visit::Position;
use shouwang_core::{Date, Problem, ProblemCode, RegionCode};

/// A stored person with the number of households paired today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: i64,
    pub county: String,
    #[serde(flatten)]
    pub person: AssistancePerson,
    /// the user account, when the person signs in
    pub username: Option<String>,
    pub active: bool,
    /// households paired today
    pub households: i64,
}

/// A stored pairing, with the person's name and the household's head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairingRecord {
    pub id: i64,
    pub county: String,
    pub person_id: i64,
    pub person_name: String,
    pub position: Position,
    pub phone: String,
    pub household_no: String,
    pub village: String,
    /// 户主姓名 (empty for a household without a head)
    pub head_name: String,
    pub start: Date,
    pub end: Option<Date>,
    pub end_reason: String,
    pub created_by: String,
}

impl PairingRecord {
    pub fn pairing(&self) -> Pairing {
        Pairing {
            person_id: self.person_id,
            household_no: self.household_no.clone(),
            start: self.start,
            end: self.end,
        }
    }
    /// In force on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.pairing().covers(day)
    }
}

/// A position a user holds besides the role: 村党支部书记 of a village, 乡镇党委书记 of a
/// township, 帮扶责任人 or 家庭签约医生 as a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserPosition {
    pub position: Position,
    pub region: RegionCode,
    pub person_id: Option<i64>,
}

const PERSON_COLUMNS: &str = "ap.id, ap.county, ap.position, ap.name, ap.sex, ap.political, ap.unit, ap.phone, ap.username, ap.active";

fn row_person(r: &Row, households: i64) -> Result<Person, StoreError> {
    let f = Fields::new(r, "assistance_persons", PERSON_COLUMNS, 0);
    Ok(Person {
        id: f.int(0)?,
        county: f.text(1),
        person: AssistancePerson {
            position: f.code(2, Position::from_code)?,
            name: f.text(3),
            sex: f.opt_code(4, Sex::from_code)?,
            political: f.opt_code(5, Political::from_code)?,
            unit: f.text(6),
            phone: f.text(7),
        },
        username: f.opt_text(8),
        active: f.bool(9)?,
        households,
    })
}

const PAIRING_COLUMNS: &str = "p.id, p.county, p.person_id, ap.name, ap.position, ap.phone, p.household_no, p.village, hd.name, p.start_on, p.end_on, p.end_reason, p.created_by";

fn pairing_from() -> String {
    format!(
        "{} JOIN assistance_persons ap ON ap.id = p.person_id",
        with_household_head("assistance_pairings", "p")
    )
}

fn row_pairing(r: &Row) -> Result<PairingRecord, StoreError> {
    let f = Fields::new(r, "assistance_pairings", PAIRING_COLUMNS, 0);
    Ok(PairingRecord {
        id: f.int(0)?,
        county: f.text(1),
        person_id: f.int(2)?,
        person_name: f.text(3),
        position: f.code(4, Position::from_code)?,
        phone: f.text(5),
        household_no: f.text(6),
        village: f.text(7),
        head_name: f.opt_text(8).unwrap_or_default(),
        start: f.date(9)?,
        end: f.opt_date(10)?,
        end_reason: f.text(11),
        created_by: f.text(12),
    })
}

fn today() -> Date {
    Date::from_unix_seconds_china(crate::now())
}

fn load_person(tx: &mut dyn Sql, id: i64) -> Result<Option<Person>, StoreError> {
    let day = today().to_string();
    tx.query_one(
        &format!(
            "SELECT {PERSON_COLUMNS}, (SELECT COUNT(*) FROM assistance_pairings p WHERE p.person_id = ap.id AND p.start_on <= $2 AND (p.end_on IS NULL OR p.end_on >= $2))
             FROM assistance_persons ap WHERE ap.id = $1"
        ),
        &params![id, day.as_str()],
    )?
    .map(|r| row_person(&r, r.int(10)))
    .transpose()
}

fn load_pairing(tx: &mut dyn Sql, id: i64) -> Result<Option<PairingRecord>, StoreError> {
    tx.query_one(
        &format!(
            "SELECT {PAIRING_COLUMNS} FROM {} WHERE p.id = $1",
            pairing_from()
        ),
        &params![id],
    )?
    .map(|r| row_pairing(&r))
    .transpose()
}

fn pairings_where(
    tx: &mut dyn Sql,
    clause: &str,
    args: &[crate::db::Value],
) -> Result<Vec<PairingRecord>, StoreError> {
    tx.query(
        &format!(
            "SELECT {PAIRING_COLUMNS} FROM {} WHERE {clause} ORDER BY p.start_on DESC, p.id DESC",
            pairing_from()
        ),
        args,
    )?
    .iter()
    .map(row_pairing)
    .collect()
}

/// Inserts a checked pairing of `person` with a household; returns its id.
fn insert_pairing(
    tx: &mut dyn Sql,
    actor: &Actor,
    person: &Person,
    household_no: &str,
    start: Date,
    end: Option<Date>,
) -> Result<i64, StoreError> {
    let (county, village) = tx
        .query_one(
            "SELECT county, village FROM households WHERE household_no = $1",
            &params![household_no],
        )?
        .map(|r| (r.text(0), r.text(1)))
        .ok_or(StoreError::NotFound)?;
    if county != person.county {
        return Err(StoreError::NotFound);
    }
    let new = Pairing {
        person_id: person.id,
        household_no: household_no.to_string(),
        start,
        end,
    };
    let others: Vec<Pairing> = pairings_where(
        tx,
        "p.person_id = $1 AND p.county = $2 AND p.household_no = $3",
        &params![person.id, county.as_str(), household_no],
    )?
    .iter()
    .map(PairingRecord::pairing)
    .collect();
    new.check_against(&others).map_err(StoreError::invalid)?;
    let id = tx
        .query_one(
            "INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, end_on, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &params![
                county.as_str(),
                person.id,
                household_no,
                village.as_str(),
                start.to_string(),
                end.map(|d| d.to_string()),
                actor.username.as_str(),
                crate::now()
            ],
        )?
        .map(|r| r.int(0))
        .ok_or(StoreError::NotFound)?;
    let saved = load_pairing(tx, id)?.ok_or(StoreError::NotFound)?;
    record(
        tx,
        actor,
        Some(&county),
        "pairing.create",
        ("pairing", &id.to_string()),
        None,
        Some(&json(&saved)),
    )?;
    Ok(id)
}

/// Ends an open pairing on `end` with a reason.
fn close_pairing(
    tx: &mut dyn Sql,
    actor: &Actor,
    before: &PairingRecord,
    end: Date,
    reason: &str,
) -> Result<(), StoreError> {
    if before.end.is_some() {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::PairingDates,
            "end",
            format!("该结对已于{}结束", before.end.unwrap_or(end)),
            format!("the pairing already ended on {}", before.end.unwrap_or(end)),
        )));
    }
    let mut ended = before.pairing();
    ended.end = Some(end);
    ended.check_dates().map_err(StoreError::invalid)?;
    tx.exec(
        "UPDATE assistance_pairings SET end_on = $1, end_reason = $2 WHERE id = $3",
        &params![end.to_string(), reason.trim(), before.id],
    )?;
    let after = load_pairing(tx, before.id)?.ok_or(StoreError::NotFound)?;
    record(
        tx,
        actor,
        Some(&before.county),
        "pairing.end",
        ("pairing", &before.id.to_string()),
        Some(&json(before)),
        Some(&json(&after)),
    )
}

impl Store {
    /// Saves a person (new when `id` is `None`) of a county; returns the id. Refused with the
    /// person's problems (name, position, phone).
    pub fn save_person(
        &self,
        actor: &Actor,
        county: &RegionCode,
        id: Option<i64>,
        person: &AssistancePerson,
        username: Option<&str>,
    ) -> Result<i64, StoreError> {
        let problems = person.check();
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let username = username.map(str::trim).filter(|u| !u.is_empty());
        self.with_tx(|tx| {
            let before = match id {
                Some(id) => Some(
                    load_person(tx, id)?
                        .filter(|p| p.county == county.as_str())
                        .ok_or(StoreError::NotFound)?,
                ),
                None => None,
            };
            let args = vec![
                county.as_str().into(),
                person.position.code().into(),
                person.name.trim().into(),
                person.sex.map(|s| s.code()).into(),
                person.political.map(|p| p.code()).into(),
                person.unit.trim().into(),
                person.phone.trim().into(),
                username.map(str::to_string).into(),
                crate::now().into(),
            ];
            let id = match id {
                Some(id) => {
                    let mut args: Vec<crate::db::Value> = args;
                    args.push(id.into());
                    tx.exec(
                        "UPDATE assistance_persons SET county = $1, position = $2, name = $3, sex = $4, political = $5, unit = $6, phone = $7, username = $8, updated_at = $9 WHERE id = $10",
                        &args,
                    )?;
                    id
                }
                None => tx
                    .query_one(
                        "INSERT INTO assistance_persons (county, position, name, sex, political, unit, phone, username, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                        &args,
                    )?
                    .map(|r| r.int(0))
                    .ok_or(StoreError::NotFound)?,
            };
            let after = load_person(tx, id)?.ok_or(StoreError::NotFound)?;
            record(
                tx,
                actor,
                Some(county.as_str()),
                "person.save",
                ("person", &id.to_string()),
                before.as_ref().map(json).as_ref(),
                Some(&json(&after)),
            )?;
            Ok(id)
        })
    }

    /// One person.
    pub fn person(&self, id: i64) -> Result<Option<Person>, StoreError> {
        self.with_conn(|c| load_person(c, id))
    }

    /// The persons of a region's county, by name, with their households paired today (within
    /// the region); `name` filters by a part of the name, unit or phone.
    pub fn persons(&self, region: &RegionCode, name: &str) -> Result<Vec<Person>, StoreError> {
        let county = region.county().unwrap_or_else(|| region.clone());
        let day = today().to_string();
        let (rc, mut args) = region_clause("p", region, 3);
        let n = args.len() + 3;
        let mut all = params![county.as_str(), day.as_str()].to_vec();
        all.append(&mut args);
        all.push(format!("%{}%", name.trim()).into());
        self.with_conn(|c| {
            c.query(
                &format!(
                    "SELECT {PERSON_COLUMNS}, (SELECT COUNT(*) FROM assistance_pairings p WHERE p.person_id = ap.id AND {rc} AND p.start_on <= $2 AND (p.end_on IS NULL OR p.end_on >= $2))
                     FROM assistance_persons ap WHERE ap.county = $1 AND (ap.name LIKE ${n} OR ap.unit LIKE ${n} OR ap.phone LIKE ${n})
                     ORDER BY ap.position, ap.name, ap.id"
                ),
                &all,
            )?
            .iter()
            .map(|r| row_person(r, r.int(10)))
            .collect()
        })
    }

    /// The persons a user is (by account, or through a position naming the person).
    pub fn persons_of_user(&self, username: &str) -> Result<Vec<Person>, StoreError> {
        let ids: Vec<i64> = self.with_conn(|c| {
            Ok(c.query(
                "SELECT id FROM assistance_persons WHERE username = $1
                 UNION SELECT person_id FROM user_positions WHERE username = $1 AND person_id IS NOT NULL
                 ORDER BY 1",
                &params![username],
            )?
            .iter()
            .map(|r| r.int(0))
            .collect())
        })?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(p) = self.person(id)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Pairs a person with a household from `start` (to `end`, or open). Refused when the
    /// dates are reversed or overlap another pairing of the same person and household.
    pub fn create_pairing(
        &self,
        actor: &Actor,
        person_id: i64,
        household_no: &str,
        start: Date,
        end: Option<Date>,
    ) -> Result<PairingRecord, StoreError> {
        self.with_tx(|tx| {
            let person = load_person(tx, person_id)?.ok_or(StoreError::NotFound)?;
            let id = insert_pairing(tx, actor, &person, household_no, start, end)?;
            load_pairing(tx, id)?.ok_or(StoreError::NotFound)
        })
    }

    /// Ends an open pairing on `end` (not before its start) with a reason.
    pub fn end_pairing(
        &self,
        actor: &Actor,
        id: i64,
        end: Date,
        reason: &str,
    ) -> Result<PairingRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load_pairing(tx, id)?.ok_or(StoreError::NotFound)?;
            close_pairing(tx, actor, &before, end, reason)?;
            load_pairing(tx, id)?.ok_or(StoreError::NotFound)
        })
    }

    /// Reassigns a household (调整帮扶人): the open pairing `id` ends the day before `start`,
    /// and the person `to` is paired from `start`. Both pairings stay, one transaction.
    pub fn reassign_pairing(
        &self,
        actor: &Actor,
        id: i64,
        to: i64,
        start: Date,
        reason: &str,
    ) -> Result<PairingRecord, StoreError> {
        self.with_tx(|tx| {
            let before = load_pairing(tx, id)?.ok_or(StoreError::NotFound)?;
            let end = reassignment_end(&before.pairing(), start).map_err(StoreError::invalid)?;
            let person = load_person(tx, to)?.ok_or(StoreError::NotFound)?;
            let reason = if reason.trim().is_empty() {
                format!("调整为{}", person.person.name)
            } else {
                reason.trim().to_string()
            };
            close_pairing(tx, actor, &before, end, &reason)?;
            let new = insert_pairing(tx, actor, &person, &before.household_no, start, None)?;
            load_pairing(tx, new)?.ok_or(StoreError::NotFound)
        })
    }

    /// One pairing.
    pub fn pairing(&self, id: i64) -> Result<Option<PairingRecord>, StoreError> {
        self.with_conn(|c| load_pairing(c, id))
    }

    /// Every pairing of a person, newest first (the history included).
    pub fn pairings_of_person(&self, person_id: i64) -> Result<Vec<PairingRecord>, StoreError> {
        self.with_conn(|c| pairings_where(c, "p.person_id = $1", &params![person_id]))
    }

    /// Every pairing of a household, newest first (the history included).
    pub fn pairings_of_household(
        &self,
        household_no: &str,
    ) -> Result<Vec<PairingRecord>, StoreError> {
        self.with_conn(|c| {
            pairings_where(
                c,
                &format!(
                    "p.county = ({}) AND p.household_no = $1",
                    crate::registry::COUNTY_OF_HOUSEHOLD
                ),
                &params![household_no],
            )
        })
    }

    /// The households a person is paired with on `day`.
    pub fn households_of_person(
        &self,
        person_id: i64,
        day: Date,
    ) -> Result<Vec<PairingRecord>, StoreError> {
        Ok(self
            .pairings_of_person(person_id)?
            .into_iter()
            .filter(|p| p.covers(day))
            .collect())
    }

    /// The positions a user holds.
    pub fn positions_of(&self, username: &str) -> Result<Vec<UserPosition>, StoreError> {
        self.with_conn(|c| {
            c.query(
                "SELECT position, region, person_id FROM user_positions WHERE username = $1 ORDER BY position",
                &params![username],
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "user_positions", "position, region, person_id", 0);
                Ok(UserPosition {
                    position: f.code(0, Position::from_code)?,
                    region: f.region(1)?,
                    person_id: f.opt_int(2)?,
                })
            })
            .collect()
        })
    }

    /// Replaces the positions a user holds. A 帮扶责任人 or 家庭签约医生 position names a person
    /// of that position; 村干部 is no position to hold (every village user records as one).
    pub fn set_positions(
        &self,
        actor: &Actor,
        username: &str,
        positions: &[UserPosition],
    ) -> Result<(), StoreError> {
        let before = self.positions_of(username)?;
        self.with_tx(|tx| {
            let mut problems = Vec::new();
            for (i, up) in positions.iter().enumerate() {
                let field = format!("positions[{i}]");
                let wrong = match up.position {
                    Position::Cadre => Some(("村干部不是需要登记的职务", "village cadre is no position to hold")),
                    Position::AssistancePerson | Position::FamilyDoctor => {
                        let person = match up.person_id {
                            Some(id) => load_person(tx, id)?,
                            None => None,
                        };
                        match person {
                            Some(p) if p.person.position == up.position => None,
                            _ => Some(("请选择该职务的帮扶人", "choose a person of that position")),
                        }
                    }
                    Position::VillageSecretary | Position::TownshipSecretary => None,
                };
                if let Some((zh, en)) = wrong {
                    problems.push(Problem::new(ProblemCode::Invalid, field, zh, en));
                }
            }
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems));
            }
            tx.exec(
                "DELETE FROM user_positions WHERE username = $1",
                &params![username],
            )?;
            for up in positions {
                tx.exec(
                    "INSERT INTO user_positions (username, position, region, person_id) VALUES ($1, $2, $3, $4)",
                    &params![username, up.position.code(), up.region.as_str(), up.person_id],
                )?;
            }
            let county = positions.first().and_then(|p| p.region.county());
            record(
                tx,
                actor,
                county.as_ref().map(RegionCode::as_str),
                "position.save",
                ("user", username),
                Some(&json(&before)),
                Some(&json(&positions)),
            )
        })
    }
}
