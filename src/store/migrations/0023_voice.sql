-- 0023: the contributor's side (issue #17) — a signing key for work
-- histories, password reset, in-app notifications, reports on tasks.

-- The platform's Ed25519 key for signed work histories: one row, made by the
-- first server that needs it and shared by every server on the database.
CREATE TABLE signing_keys (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  public_key TEXT NOT NULL,  -- base64 (32 bytes)
  secret_key TEXT NOT NULL,  -- base64 (64 bytes, libsodium layout)
  created_at INTEGER NOT NULL
) STRICT;

-- A password reset link: only the SHA-256 of its token is kept, it works
-- once and for an hour.
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);

-- In-app notifications: decisions on the contributor's work, appeal
-- outcomes, payouts. `link` is a path in the web app.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at INTEGER
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, id);

-- A contributor's report on a broken or harmful task: the task is skipped
-- for them without penalty; the owner reads the reports.
CREATE TABLE task_reports (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (reason IN ('broken','harmful','unclear','other')),
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (task_id, user_id)
) STRICT;
CREATE INDEX task_reports_project ON task_reports(project_id, id);
