-- 0007 accounts: a password changed on first sign-in and when it expires, the address of the
-- last sign-in, and login throttling by key (an address, a username, a username from an
-- address) with a delay that grows per failure instead of a lock on the account.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_address TEXT NOT NULL DEFAULT '';
UPDATE users SET password_changed_at = created_at;
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_failure  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX audit_at ON audit_events (at);
