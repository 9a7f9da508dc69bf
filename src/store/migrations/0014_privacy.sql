-- 0014: privacy (issue #18) — a hash-chained audit log, withdrawal of
-- consent with erasure.

-- The audit log. Each row's hash is SHA-256 over the previous row's hash and
-- the row itself (privacy/audit.c gives the exact bytes), so editing,
-- inserting or deleting a row in the middle breaks every hash after it;
-- `faircrowd audit verify` walks the chain. The rows of the older `audit`
-- table (0001) were never chained and stay where they are as history.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  actor INTEGER,                     -- the user who acted; NULL for the platform
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- A contributor who withdrew consent for a project: one row, so a second
-- withdrawal is a conflict and the lease check is one indexed read, also for
-- projects without a consent document.
CREATE TABLE withdrawals (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  PRIMARY KEY (user_id, project_id)
) STRICT, WITHOUT ROWID;

-- Set at withdrawal: the submission is left out of every later export, the
-- media's bytes are deleted by the outbox's `erasure` sink. The rows stay so
-- that the ledger's lines keep their meaning.
ALTER TABLE submissions ADD COLUMN erased_at INTEGER;
ALTER TABLE media ADD COLUMN erased_at INTEGER;
CREATE INDEX media_user ON media(user_id, project_id);
CREATE INDEX media_sha ON media(sha256);
