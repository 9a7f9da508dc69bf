-- 0010: credentials hardening (issue #19): API tokens that expire, accounts
-- that can be disabled, and login throttling kept in the database.

-- NULL: the token never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Set by an admin: the account's sessions are deleted and its tokens refused
-- while it is set.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- One row per failed sign-in, kept for the throttle's window (15 minutes).
-- account is the BLAKE2b hash of the lower-cased email, so that what people
-- typed into the email field (sometimes a password) is not stored, and
-- unknown emails are throttled like known ones. address is the client's IP.
CREATE TABLE login_failures (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_account ON login_failures(account, at);
CREATE INDEX login_failures_address ON login_failures(address, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- The addresses an account last signed in from (30 days): the account-wide
-- limit does not apply to them, so a flood from elsewhere does not lock the
-- owner out.
CREATE TABLE login_known (
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  last_ok INTEGER NOT NULL,
  PRIMARY KEY (account, address)
) STRICT, WITHOUT ROWID;
