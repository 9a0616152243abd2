-- 0007 accounts: a password changed on first sign-in and when it expires, the address of the
-- last sign-in, and login throttling by key (an address, a username, a username from an
-- address) with a delay that grows per failure instead of a lock on the account.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_address TEXT NOT NULL DEFAULT '';
UPDATE users SET password_changed_at = created_at;
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    last_failure  BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX audit_at ON audit_events (at);
