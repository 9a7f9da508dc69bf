-- 0010: a request running under an Idempotency-Key holds a claim on (user,
-- key) until its answer is saved, so a concurrent retry on ANY server sharing
-- the database gets 409 idempotency_key_in_use instead of running twice.
-- claimed_at is wall-clock seconds: a claim older than a minute belonged to
-- a server that died mid-request and may be taken over.
CREATE TABLE idempotency_claims (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
