//! The API tokens departments push their records with (部门数据接口令牌), bound to one
//! [`DeptKind`] and one region (the county, or a township or village of it).
//!
//! A token is made by the caller (the web layer draws 32 random bytes) and shown once; the store
//! keeps only its SHA-256 ([`hash`]) and its first characters ([`HINT_CHARS`], to tell tokens
//! apart in the list). A push presents the token: [`Store::authenticate_dept_token`] finds it by
//! its hash and notes when it was last used. A revoked token stays listed, and authenticates as
//! revoked (the caller answers "invalid"). Creating and revoking are audited (`dept.token.create`,
//! `dept.token.revoke`), the token itself never.

use crate::audit::{record, Actor};
use crate::db::prefix_end;
use crate::decode::Fields;
use crate::{params, Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use shouwang_core::department::DeptKind;
use shouwang_core::problem::free_text;
use shouwang_core::{Problem, ProblemCode, Region, RegionCode, RegionLevel};

/// How many characters of a token the list shows.
pub const HINT_CHARS: usize = 8;
/// The longest name of a token (the department or system that uses it).
pub const NAME_MAX_CHARS: usize = 60;

/// The SHA-256 of a token, as lower-case hex: what the store keeps and looks tokens up by.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token as stored (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub county: RegionCode,
    /// The region its pushes cover: the county, or a township or village of it
    pub region: RegionCode,
    pub kind: DeptKind,
    pub name: String,
    /// The token's first characters
    pub hint: String,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
    pub revoked_by: Option<String>,
    pub revoked_at: Option<i64>,
}

/// A token to create: what it may push and where; `token` is the secret the caller made.
pub struct NewToken<'a> {
    pub county: &'a RegionCode,
    pub region: &'a RegionCode,
    pub kind: DeptKind,
    pub name: &'a str,
    pub token: &'a str,
}

const COLUMNS: &str = "id, county, region, kind, name, hint, created_by, created_at, last_used_at, revoked_by, revoked_at";

fn row_token(r: &crate::db::Row) -> Result<TokenRecord, StoreError> {
    let f = Fields::new(r, "dept_tokens", COLUMNS, 0);
    let revoked_at = f.opt_int(10)?;
    Ok(TokenRecord {
        id: f.int(0)?,
        county: f.region(1)?,
        region: f.region(2)?,
        kind: f.code(3, DeptKind::from_code)?,
        name: f.text(4),
        hint: f.text(5),
        created_by: f.text(6),
        created_at: f.int(7)?,
        last_used_at: f.opt_int(8)?,
        revoked: revoked_at.is_some(),
        revoked_by: f.opt_text(9),
        revoked_at,
    })
}

/// What the audit keeps of a token: everything but the secret and its hash.
fn audited(t: &TokenRecord) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "county": t.county, "region": t.region, "kind": t.kind.slug(),
        "name": t.name, "hint": t.hint, "revoked": t.revoked,
    })
}

/// Refuses a name that is empty, too long or holds a control character, and a region outside
/// the county or above it.
fn check(t: &NewToken<'_>) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    let name = t.name.trim();
    if name.is_empty() {
        problems.push(Problem::new(
            ProblemCode::Invalid,
            "name",
            "须填写令牌名称（使用它的部门或系统）",
            "a token needs a name (the department or system that uses it)",
        ));
    } else if let Some(p) = free_text("name", "令牌名称", name, NAME_MAX_CHARS) {
        problems.push(p);
    }
    if t.county.level() != RegionLevel::County || !t.county.contains(t.region) {
        problems.push(Problem::new(
            ProblemCode::Invalid,
            "region",
            "所选区域不在本县内",
            "the region chosen is not in the county",
        ));
    }
    if t.token.len() < 32 {
        problems.push(Problem::new(
            ProblemCode::Invalid,
            "token",
            "令牌过短",
            "the token is too short",
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems))
    }
}

impl Store {
    /// Stores a new token (its hash and hint) and audits `dept.token.create`; returns it.
    pub fn create_dept_token(
        &self,
        actor: &Actor,
        t: &NewToken<'_>,
    ) -> Result<TokenRecord, StoreError> {
        check(t)?;
        let hint: String = t.token.chars().take(HINT_CHARS).collect();
        let token_hash = hash(t.token);
        self.with_tx(|tx| {
            let id = tx
                .query_one(
                    "INSERT INTO dept_tokens (county, region, kind, name, token_hash, hint, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &params![
                        t.county.as_str(),
                        t.region.as_str(),
                        t.kind.code(),
                        t.name.trim(),
                        token_hash.as_str(),
                        hint.as_str(),
                        &actor.username,
                        crate::now()
                    ],
                )?
                .map(|r| r.int(0))
                .ok_or_else(|| StoreError::Other("no id returned".into()))?;
            let rec = tx
                .query_one(
                    &format!("SELECT {COLUMNS} FROM dept_tokens WHERE id = $1"),
                    &params![id],
                )?
                .ok_or(StoreError::NotFound)
                .and_then(|r| row_token(&r))?;
            record(
                tx,
                actor,
                Some(t.county.as_str()),
                "dept.token.create",
                ("dept_token", &id.to_string()),
                None,
                Some(&audited(&rec)),
            )?;
            Ok(rec)
        })
    }

    /// The tokens of a county, newest first (revoked ones too).
    pub fn dept_tokens(&self, county: &RegionCode) -> Result<Vec<TokenRecord>, StoreError> {
        self.with_conn(|c| {
            c.query(
                &format!("SELECT {COLUMNS} FROM dept_tokens WHERE county = $1 ORDER BY id DESC"),
                &params![county.as_str()],
            )?
            .iter()
            .map(row_token)
            .collect()
        })
    }

    /// One token of a county; `None` when there is none by that id in the county.
    pub fn dept_token(
        &self,
        county: &RegionCode,
        id: i64,
    ) -> Result<Option<TokenRecord>, StoreError> {
        self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {COLUMNS} FROM dept_tokens WHERE id = $1 AND county = $2"),
                &params![id, county.as_str()],
            )?
            .map(|r| row_token(&r))
            .transpose()
        })
    }

    /// Revokes a token of the county (audited `dept.token.revoke`); a token already revoked is
    /// left as it was and returned. `NotFound` when the county has no such token.
    pub fn revoke_dept_token(
        &self,
        actor: &Actor,
        county: &RegionCode,
        id: i64,
    ) -> Result<TokenRecord, StoreError> {
        self.with_tx(|tx| {
            let select = format!("SELECT {COLUMNS} FROM dept_tokens WHERE id = $1 AND county = $2");
            let before = tx
                .query_one(&select, &params![id, county.as_str()])?
                .ok_or(StoreError::NotFound)
                .and_then(|r| row_token(&r))?;
            if before.revoked {
                return Ok(before);
            }
            tx.exec(
                "UPDATE dept_tokens SET revoked_by = $1, revoked_at = $2 WHERE id = $3 AND revoked_at IS NULL",
                &params![&actor.username, crate::now(), id],
            )?;
            let after = tx
                .query_one(&select, &params![id, county.as_str()])?
                .ok_or(StoreError::NotFound)
                .and_then(|r| row_token(&r))?;
            record(
                tx,
                actor,
                Some(county.as_str()),
                "dept.token.revoke",
                ("dept_token", &id.to_string()),
                Some(&audited(&before)),
                Some(&audited(&after)),
            )?;
            Ok(after)
        })
    }

    /// The token a push presents, found by its hash; notes when it was used (once a minute at
    /// most). `None` for a token that was never made. A revoked token comes back `revoked`.
    pub fn authenticate_dept_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        let h = hash(token);
        let found = self.with_conn(|c| {
            c.query_one(
                &format!("SELECT {COLUMNS} FROM dept_tokens WHERE token_hash = $1"),
                &params![h.as_str()],
            )?
            .map(|r| row_token(&r))
            .transpose()
        })?;
        let Some(mut t) = found else {
            return Ok(None);
        };
        let now = crate::now();
        if !t.revoked && t.last_used_at.is_none_or(|at| now - at >= 60) {
            self.with_conn(|c| {
                c.exec(
                    "UPDATE dept_tokens SET last_used_at = $1 WHERE id = $2",
                    &params![now, t.id],
                )
            })?;
            t.last_used_at = Some(now);
        }
        Ok(Some(t))
    }

    /// The regions a token of the county may cover: the county, its townships and their
    /// villages, in code order (each township before its villages).
    pub fn dept_token_regions(&self, county: &RegionCode) -> Result<Vec<Region>, StoreError> {
        self.with_conn(|c| {
            let lo = county.as_str();
            c.query(
                "SELECT code, name FROM regions WHERE code >= $1 AND code < $2 ORDER BY code",
                &params![lo, prefix_end(lo)],
            )?
            .iter()
            .map(|r| {
                let f = Fields::new(r, "regions", "code, name", 0);
                Ok(Region {
                    code: f.region(0)?,
                    name: f.text(1),
                })
            })
            .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
