//! Users, sessions and assistance pairings. Password hashing and token generation live in the
//! web crate; the store keeps hashes only.

use crate::audit::{record, Actor};
use crate::db::{Row, Sql};
use crate::decode::Fields;
use crate::{params, Store, StoreError};
use shouwang_core::department::DeptKind;
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
    /// Set for a created or reset account: the user must choose a password before anything else.
    pub must_change_password: bool,
    /// When the password was last set (Unix seconds), for its expiry.
    pub password_changed_at: i64,
    /// The address of the last successful sign-in: throttling by username spares it.
    pub last_login_address: String,
    /// The kind of data a department user delivers and sees (none for other roles).
    pub dept_kind: Option<DeptKind>,
}

/// A live session, joined with its user.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user: User,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, role, region, failed_logins, locked_until, disabled, must_change_password, password_changed_at, last_login_address, dept_kind";

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
        must_change_password: f.bool(9)?,
        password_changed_at: f.int(10)?,
        last_login_address: f.text(11),
        dept_kind: f.opt_code(12, DeptKind::from_code)?,
    })
}

fn region_exists(tx: &mut dyn Sql, region: &RegionCode) -> Result<(), StoreError> {
    if tx
        .query_one(
            "SELECT 1 FROM regions WHERE code = $1",
            &params![region.as_str()],
        )?
        .is_none()
    {
        return Err(StoreError::invalid(Problem::new(
            ProblemCode::RegionUnknown,
            "region",
            format!("区划{region}不存在（请先导入区划）"),
            format!("region {region} does not exist (import regions first)"),
        )));
    }
    Ok(())
}

/// What a new user needs.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub region: &'a RegionCode,
    /// The user must change the password at the first sign-in (every account an administrator
    /// creates; not the demo's).
    pub must_change_password: bool,
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
        u.role.check_region(u.region).map_err(StoreError::invalid)?;
        self.with_tx(|tx| {
            region_exists(tx, u.region)?;
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
                    "INSERT INTO users (username, display_name, password_hash, role, region, created_at, must_change_password, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6) RETURNING id",
                    &params![name, u.display_name, u.password_hash, u.role.as_str(), u.region.as_str(), crate::now(), i64::from(u.must_change_password)],
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
    /// The failure is audited, and so is the lock when it happens. Sign-in no longer locks
    /// accounts (a lock was a weapon: anyone could lock anyone out); it delays by address and
    /// username instead ([`Store::login_failure`]).
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

    /// Opens a session after a successful login (an address unknown, no session replaced).
    pub fn login_succeeded(
        &self,
        user: &User,
        token_hash: &str,
        csrf: &str,
    ) -> Result<(), StoreError> {
        self.open_session(
            user,
            SignIn {
                token_hash,
                csrf,
                address: "",
                replaces: None,
                clears: &[],
            },
        )
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

    /// Pairs the assistance person of a user account with a household from today (帮扶责任人结对),
    /// making the person from the account's name the first time. Nothing changes when the
    /// pairing is already open. The dated pairings and their history are `pairing.rs`'s.
    pub fn pair(&self, actor: &Actor, user_id: i64, household_no: &str) -> Result<(), StoreError> {
        let today = shouwang_core::Date::from_unix_seconds_china(crate::now()).to_string();
        self.with_tx(|tx| {
            let (county, village) = tx
                .query_one(
                    "SELECT county, village FROM households WHERE household_no = $1",
                    &params![household_no],
                )?
                .map(|r| (r.text(0), r.text(1)))
                .ok_or(StoreError::NotFound)?;
            let (username, name) = tx
                .query_one(
                    "SELECT username, display_name FROM users WHERE id = $1",
                    &params![user_id],
                )?
                .map(|r| (r.text(0), r.text(1)))
                .ok_or(StoreError::NotFound)?;
            let existing = tx
                .query_one(
                    "SELECT id FROM assistance_persons WHERE username = $1 AND county = $2 ORDER BY id LIMIT 1",
                    &params![username.as_str(), county.as_str()],
                )?
                .map(|r| r.int(0));
            let person = match existing {
                Some(id) => id,
                None => tx
                    .query_one(
                        "INSERT INTO assistance_persons (county, position, name, username, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        &params![
                            county.as_str(),
                            shouwang_core::visit::Position::AssistancePerson.code(),
                            name.as_str(),
                            username.as_str(),
                            crate::now()
                        ],
                    )?
                    .map(|r| r.int(0))
                    .ok_or(StoreError::NotFound)?,
            };
            let open = tx.query_one(
                "SELECT 1 FROM assistance_pairings WHERE person_id = $1 AND county = $2 AND household_no = $3 AND end_on IS NULL",
                &params![person, county.as_str(), household_no],
            )?;
            if open.is_some() {
                return Ok(());
            }
            tx.exec(
                "INSERT INTO assistance_pairings (county, person_id, household_no, village, start_on, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &params![
                    county.as_str(),
                    person,
                    household_no,
                    village.as_str(),
                    today.as_str(),
                    actor.username.as_str(),
                    crate::now()
                ],
            )?;
            let after = serde_json::json!({ "user_id": user_id, "person_id": person, "start": today });
            record(tx, actor, Some(&county), "pairing.create", ("household", household_no), None, Some(&after))
        })
    }

    /// Whether a pairing of the user's assistance person with the household is in force today.
    pub fn is_paired(&self, user_id: i64, household_no: &str) -> Result<bool, StoreError> {
        let today = shouwang_core::Date::from_unix_seconds_china(crate::now()).to_string();
        self.with_conn(|c| {
            Ok(c.query_one(
                &format!("SELECT 1 FROM {} AND p.household_no = $2", paired(3)),
                &params![user_id, household_no, today.as_str()],
            )?
            .is_some())
        })
    }

    /// The households paired with a user's assistance person today.
    pub fn paired_households(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        let today = shouwang_core::Date::from_unix_seconds_china(crate::now()).to_string();
        self.with_conn(|c| {
            Ok(c.query(
                &format!(
                    "SELECT DISTINCT p.household_no FROM {} ORDER BY p.household_no",
                    paired(2)
                ),
                &params![user_id, today.as_str()],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect())
        })
    }
}

/// The pairings of the user `$1` in force on the day of parameter `$day`.
fn paired(day: usize) -> String {
    format!(
        "assistance_pairings p JOIN assistance_persons ap ON ap.id = p.person_id
         JOIN users u ON u.username = ap.username
         WHERE u.id = $1 AND p.start_on <= ${day} AND (p.end_on IS NULL OR p.end_on >= ${day})"
    )
}

// ---------------------------------------------------------------- sign-in throttling

/// The throttling key of an address (every username tried from it).
pub fn key_address(address: &str) -> String {
    format!("addr:{address}")
}

/// The throttling key of a username (from every address).
pub fn key_user(username: &str) -> String {
    format!("user:{username}")
}

/// The throttling key of a username tried from one address.
pub fn key_user_at(username: &str, address: &str) -> String {
    format!("user:{username}@{address}")
}

/// Failures older than this are forgotten: a key starts again from no failures.
pub const FORGET_FAILURES_AFTER: i64 = 24 * 3600;

/// One failed sign-in, as the audit log records it.
pub struct FailedSignIn<'a> {
    /// The account, when the username exists.
    pub user: Option<&'a User>,
    /// The username as typed.
    pub username: &'a str,
    pub address: &'a str,
}

/// How a key's delay grows: no delay for the first `free` failures, then `base` seconds,
/// doubling with each further failure up to `max`.
#[derive(Clone, Copy, Debug)]
pub struct Delay {
    pub free: i64,
    pub base: i64,
    pub max: i64,
}

impl Delay {
    /// The wait after `failures` failures in a row.
    pub fn after(self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = u32::try_from((failures - self.free).min(30)).unwrap_or(30);
        self.base.saturating_mul(1i64 << doublings).min(self.max)
    }
}

/// A session just opened by a sign-in.
pub struct SignIn<'a> {
    pub token_hash: &'a str,
    pub csrf: &'a str,
    /// The address signed in from ("" when unknown).
    pub address: &'a str,
    /// The session this browser held before, which the new one replaces.
    pub replaces: Option<&'a str>,
    /// Throttling keys that a success clears (the username from this address).
    pub clears: &'a [String],
}

fn user_actor(user: &User) -> Actor {
    Actor {
        user_id: Some(user.id),
        username: user.username.clone(),
    }
}

fn county_of(user: &User) -> Option<String> {
    user.region.county().map(|c| c.as_str().to_string())
}

impl Store {
    /// The longest wait, in seconds, that any of `keys` still has to sit out (0: may try now).
    pub fn login_wait(&self, keys: &[String], now: i64) -> Result<i64, StoreError> {
        self.with_conn(|c| {
            let mut wait = 0;
            for k in keys {
                if let Some(r) = c.query_one(
                    "SELECT blocked_until FROM login_throttle WHERE throttle_key = $1",
                    &params![k],
                )? {
                    wait = wait.max(r.int(0) - now);
                }
            }
            Ok(wait)
        })
    }

    /// Counts a failed sign-in against each key with its delay, audits it, and audits each key
    /// whose delay starts now. Returns the longest wait now imposed.
    pub fn login_failure(
        &self,
        attempt: &FailedSignIn<'_>,
        keys: &[(String, Delay)],
        now: i64,
    ) -> Result<i64, StoreError> {
        let actor = match attempt.user {
            Some(u) => user_actor(u),
            None => Actor {
                user_id: None,
                username: attempt.username.to_string(),
            },
        };
        let county = attempt.user.and_then(county_of);
        self.with_tx(|tx| {
            let after = serde_json::json!({ "address": attempt.address });
            record(tx, &actor, county.as_deref(), "user.login_failed", ("user", attempt.username), None, Some(&after))?;
            let mut longest = 0;
            for (key, delay) in keys {
                let before = tx.query_one(
                    "SELECT failures, last_failure, blocked_until FROM login_throttle WHERE throttle_key = $1",
                    &params![key],
                )?;
                let (failures, was_blocked) = match &before {
                    Some(r) if now - r.int(1) < FORGET_FAILURES_AFTER => (r.int(0) + 1, r.int(2) > now),
                    _ => (1, false),
                };
                let wait = delay.after(failures);
                let until = if wait > 0 { now + wait } else { 0 };
                tx.exec(
                    "INSERT INTO login_throttle (throttle_key, failures, last_failure, blocked_until) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (throttle_key) DO UPDATE SET failures = $2, last_failure = $3, blocked_until = $4",
                    &params![key, failures, now, until],
                )?;
                if wait > 0 && !was_blocked {
                    let after = serde_json::json!({ "key": key, "failures": failures, "wait_seconds": wait, "address": attempt.address });
                    record(tx, &actor, county.as_deref(), "user.login_throttled", ("user", attempt.username), None, Some(&after))?;
                }
                longest = longest.max(wait);
            }
            Ok(longest)
        })
    }

    /// Removes throttling keys whose failures are forgotten and whose delay is over, so that a
    /// guesser spraying usernames does not grow the table for ever. Returns how many.
    pub fn forget_login_failures(&self, now: i64) -> Result<u64, StoreError> {
        self.with_conn(|c| {
            c.exec(
                "DELETE FROM login_throttle WHERE last_failure < $1 AND blocked_until < $2",
                &params![now - FORGET_FAILURES_AFTER, now],
            )
        })
    }

    /// Lifts every sign-in delay on a username (from any address): an administrator's act,
    /// audited. Returns how many keys were cleared.
    pub fn lift_login_delay(&self, actor: &Actor, username: &str) -> Result<u64, StoreError> {
        let (exact, prefix) = (key_user(username), format!("{}@", key_user(username)));
        self.with_tx(|tx| {
            let n = tx.exec(
                "DELETE FROM login_throttle WHERE throttle_key = $1 OR substr(throttle_key, 1, length(CAST($2 AS TEXT))) = CAST($2 AS TEXT)",
                &params![&exact, &prefix],
            )?;
            tx.exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE username = $1", &params![username])?;
            let after = serde_json::json!({ "keys": n });
            record(tx, actor, None, "user.unlock", ("user", username), None, Some(&after))?;
            Ok(n)
        })
    }

    /// Opens a session after a successful sign-in: ends the session this browser held before,
    /// clears the throttling keys the success answers, remembers the address, and audits it.
    pub fn open_session(&self, user: &User, s: SignIn<'_>) -> Result<(), StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            if let Some(old) = s.replaces {
                tx.exec("DELETE FROM sessions WHERE token_hash = $1", &params![old])?;
            }
            for k in s.clears {
                tx.exec("DELETE FROM login_throttle WHERE throttle_key = $1", &params![k])?;
            }
            tx.exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1", &params![user.id])?;
            if !s.address.is_empty() {
                tx.exec("UPDATE users SET last_login_address = $2 WHERE id = $1", &params![user.id, s.address])?;
            }
            tx.exec(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
                &params![s.token_hash, user.id, s.csrf, now],
            )?;
            let after = serde_json::json!({ "address": s.address, "replaced_session": s.replaces.is_some() });
            record(tx, &user_actor(user), county_of(user).as_deref(), "user.login", ("user", &user.username), None, Some(&after))
        })
    }

    // ------------------------------------------------------------ account administration

    pub fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                &params![id],
            )?
            .map(|r| row_user(&r, 0))
            .transpose()
        })
    }

    /// Disables or enables an account; disabling ends its sessions at once.
    pub fn set_disabled(
        &self,
        actor: &Actor,
        user: &User,
        disabled: bool,
    ) -> Result<(), StoreError> {
        self.with_tx(|tx| {
            tx.exec(
                "UPDATE users SET disabled = $2 WHERE id = $1",
                &params![user.id, i64::from(disabled)],
            )?;
            if disabled {
                tx.exec("DELETE FROM sessions WHERE user_id = $1", &params![user.id])?;
            }
            let action = if disabled {
                "user.disable"
            } else {
                "user.enable"
            };
            record(
                tx,
                actor,
                county_of(user).as_deref(),
                action,
                ("user", &user.username),
                None,
                None,
            )
        })
    }

    /// Sets a password. A reset by an administrator (`must_change`) ends the user's sessions and
    /// makes them choose their own at the next sign-in; a change by the user themself keeps the
    /// session they changed it in (`keep`).
    pub fn set_password(
        &self,
        actor: &Actor,
        user: &User,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = crate::now();
        self.with_tx(|tx| {
            tx.exec(
                "UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4, failed_logins = 0, locked_until = 0 WHERE id = $1",
                &params![user.id, password_hash, i64::from(must_change), now],
            )?;
            tx.exec(
                "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                &params![user.id, keep.unwrap_or("")],
            )?;
            let action = if must_change { "user.password_reset" } else { "user.password_change" };
            record(tx, actor, county_of(user).as_deref(), action, ("user", &user.username), None, None)
        })
    }

    /// Gives a user another role and region; the region must exist and fit the role. A
    /// department user keeps the kind of data it has; any other role has none.
    pub fn set_role(
        &self,
        actor: &Actor,
        user: &User,
        role: Role,
        region: &RegionCode,
    ) -> Result<(), StoreError> {
        let kind = if role == Role::Department {
            user.dept_kind
        } else {
            None
        };
        self.write_role(actor, user, role, region, kind)
    }

    /// Gives a user another role, region and kind of department data: the kind is required for
    /// a department user (部门用户 sees only its own kind) and dropped for any other role.
    pub fn set_role_and_kind(
        &self,
        actor: &Actor,
        user: &User,
        role: Role,
        region: &RegionCode,
        kind: Option<DeptKind>,
    ) -> Result<(), StoreError> {
        if role == Role::Department && kind.is_none() {
            return Err(StoreError::invalid(Problem::new(
                ProblemCode::DeptKindUnknown,
                "dept_kind",
                "部门用户须选择所属部门的数据种类",
                "a department user needs the kind of data of its department",
            )));
        }
        let kind = if role == Role::Department { kind } else { None };
        self.write_role(actor, user, role, region, kind)
    }

    fn write_role(
        &self,
        actor: &Actor,
        user: &User,
        role: Role,
        region: &RegionCode,
        kind: Option<DeptKind>,
    ) -> Result<(), StoreError> {
        role.check_region(region).map_err(StoreError::invalid)?;
        self.with_tx(|tx| {
            region_exists(tx, region)?;
            tx.exec(
                "UPDATE users SET role = $2, region = $3, dept_kind = $4 WHERE id = $1",
                &params![user.id, role.as_str(), region.as_str(), kind.map(|k| k.code())],
            )?;
            let before = serde_json::json!({ "role": user.role.as_str(), "region": user.region.as_str(), "dept_kind": user.dept_kind.map(|k| k.slug()) });
            let after = serde_json::json!({ "role": role.as_str(), "region": region.as_str(), "dept_kind": kind.map(|k| k.slug()) });
            record(
                tx,
                actor,
                region.county().as_ref().map(RegionCode::as_str),
                "user.set_role",
                ("user", &user.username),
                Some(&before),
                Some(&after),
            )
        })
    }
}
