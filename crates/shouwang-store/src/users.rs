//! Users, sessions and assistance pairings. Password hashing and token generation live in the
//! web crate; the store keeps hashes only.

use crate::audit::{record, Actor};
use crate::db::Row;
use crate::decode::Fields;
use crate::{params, Store, StoreError};
use shouwang_core::ProblemCode;
use shouwang_core::{Problem, RegionCode, Role};

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub region: RegionCode,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub disabled: bool,
}

/// A live session, joined with its user.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user: User,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, role, region, failed_logins, locked_until, disabled";

fn row_user(r: &Row, offset: usize) -> Result<User, StoreError> {
    let f = Fields::new(r, "users", USER_COLUMNS, offset);
    Ok(User {
        id: f.int(0)?,
        username: f.text(1),
        display_name: f.text(2),
        password_hash: f.text(3),
        role: f.parsed(4, Role::parse)?,
        region: f.region(5)?,
        failed_logins: f.int(6)?,
        locked_until: f.int(7)?,
        disabled: f.bool(8)?,
    })
}

/// What a new user needs.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub region: &'a RegionCode,
}

impl Store {
    /// Creates a user. The username must be new and the region must exist.
    pub fn add_user(&self, actor: &Actor, u: NewUser<'_>) -> Result<i64, StoreError> {
        let name = u.username.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_whitespace) {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::UsernameInvalid,
                "username",
                "用户名不能为空、不能含空格，最多64个字符",
                "username must be 1–64 characters without spaces",
            )));
        }
        self.with_tx(|tx| {
            if tx.query_one("SELECT 1 FROM regions WHERE code = $1", &params![u.region.as_str()])?.is_none() {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::RegionUnknown,
                    "region",
                    format!("区划{}不存在（请先导入区划）", u.region),
                    format!("region {} does not exist (import regions first)", u.region),
                )));
            }
            if tx.query_one("SELECT 1 FROM users WHERE username = $1", &params![name])?.is_some() {
                return Err(StoreError::invalid(Problem::new(
                    ProblemCode::UsernameTaken,
                    "username",
                    format!("用户名{name}已存在"),
                    format!("username {name} is taken"),
                )));
            }
            let id = tx
                .query_one(
                    "INSERT INTO users (username, display_name, password_hash, role, region, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &params![name, u.display_name, u.password_hash, u.role.as_str(), u.region.as_str(), crate::now()],
                )?
                .map(|r| r.int(0))
                .ok_or_else(|| StoreError::Other("no id returned".into()))?;
            let after = serde_json::json!({ "username": name, "role": u.role.as_str(), "region": u.region.as_str() });
            record(tx, actor, u.region.county().as_ref().map(RegionCode::as_str), "user.create", ("user", name), None, Some(&after))?;
            Ok(id)
        })
    }

    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"),
                &params![username],
            )?
            .map(|r| row_user(&r, 0))
            .transpose()
        })
    }

    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"),
                &[],
            )?
            .iter()
            .map(|r| row_user(r, 0))
            .collect()
        })
    }

    /// Counts a failed login; after `max_failures` in a row the account is locked until `lock_until`.
    /// The failure is audited, and so is the lock when it happens.
    pub fn login_failed(
        &self,
        user: &User,
        max_failures: i64,
        lock_until: i64,
    ) -> Result<(), StoreError> {
        let user_id = user.id;
        let actor = Actor {
            user_id: Some(user.id),
            username: user.username.clone(),
        };
        self.with_tx(|tx| {
            record(tx, &actor, None, "user.login_failed", ("user", &user.username), None, None)?;
            tx.exec("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1", &params![user_id])?;
            tx.exec(
                "UPDATE users SET locked_until = $2, failed_logins = 0 WHERE id = $1 AND failed_logins >= $3",
                &params![user_id, lock_until, max_failures],
            )?;
            let locked = tx
                .query_one("SELECT locked_until FROM users WHERE id = $1", &params![user_id])?
                .is_some_and(|r| r.int(0) == lock_until);
            if locked {
                record(tx, &actor, None, "user.locked", ("user", &user.username), None, None)?;
            }
            Ok(())
        })
    }

    /// Opens a session after a successful login.
    pub fn login_succeeded(
        &self,
        user: &User,
        token_hash: &str,
        csrf: &str,
    ) -> Result<(), StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            tx.exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1", &params![user.id])?;
            tx.exec(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
                &params![token_hash, user.id, csrf, now],
            )?;
            let actor = Actor { user_id: Some(user.id), username: user.username.clone() };
            record(tx, &actor, None, "user.login", ("user", &user.username), None, None)
        })
    }

    /// The session for a token hash with its user, if it exists and the user is active.
    pub fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.with_conn(|c| {
            let cols = USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
            let r = c.query_one(
                &format!("SELECT s.csrf, s.created_at, s.last_seen, {cols} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0"),
                &params![token_hash],
            )?;
            r.map(|r| {
                Ok(SessionRecord { csrf: r.text(0), created_at: r.int(1), last_seen: r.int(2), user: row_user(&r, 3)? })
            })
            .transpose()
        })
    }

    pub fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.exec(
                "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1",
                &params![token_hash, now],
            )
            .map(|_| ())
        })
    }

    /// Ends a session (sign-out), recording who signed out.
    pub fn sign_out(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            let who = tx.query_one(
                "SELECT u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                &params![token_hash],
            )?;
            tx.exec("DELETE FROM sessions WHERE token_hash = $1", &params![token_hash])?;
            if let Some(r) = who {
                let actor = Actor { user_id: Some(r.int(0)), username: r.text(1) };
                record(tx, &actor, None, "user.logout", ("user", &r.text(1)), None, None)?;
            }
            Ok(())
        })
    }

    pub fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.with_conn(|c| {
            c.exec(
                "DELETE FROM sessions WHERE token_hash = $1",
                &params![token_hash],
            )
            .map(|_| ())
        })
    }

    /// Removes sessions idle since before `idle_before` or older than `created_before`.
    pub fn purge_sessions(&self, idle_before: i64, created_before: i64) -> Result<u64, StoreError> {
        self.with_conn(|c| {
            c.exec(
                "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2",
                &params![idle_before, created_before],
            )
        })
    }

    /// Pairs an assistance person with a household (帮扶责任人结对).
    pub fn pair(&self, actor: &Actor, user_id: i64, household_no: &str) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            let county = tx
                .query_one(crate::registry::COUNTY_OF_HOUSEHOLD, &params![household_no])?
                .map(|r| r.text(0))
                .ok_or(StoreError::NotFound)?;
            tx.exec(
                "INSERT INTO pairings (user_id, county, household_no) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &params![user_id, &county, household_no],
            )?;
            let after = serde_json::json!({ "user_id": user_id });
            record(tx, actor, Some(&county), "pairing.create", ("household", household_no), None, Some(&after))
        })
    }

    pub fn is_paired(&self, user_id: i64, household_no: &str) -> Result<bool, StoreError> {
        self.with_conn(|c| {
            Ok(c.query_one(
                "SELECT 1 FROM pairings WHERE user_id = $1 AND household_no = $2",
                &params![user_id, household_no],
            )?
            .is_some())
        })
    }

    /// The households paired with an assistance person.
    pub fn paired_households(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        self.with_conn(|c| {
            Ok(c.query(
                "SELECT household_no FROM pairings WHERE user_id = $1 ORDER BY household_no",
                &params![user_id],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect())
        })
    }
}
