-- 0027: the contributor's side, continued (issue #17) — notices of new work
-- (never twice for one project, email at most once per rate-limit window)
-- and pseudonymous messages between a contributor and a project's owner.

-- Projects with work to announce: set when a project goes live or gets new
-- tasks; the notice job announces them to eligible contributors for
-- a week after `since`.
CREATE TABLE new_work (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  since INTEGER NOT NULL
) STRICT;

-- One notice per contributor and project, ever: `emailed` 1 when it went
-- out by email too (the rate limit counts these), 0 in the app only (or
-- turned off), -1 not sent at all: the contributor was not eligible.
CREATE TABLE work_notices (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  emailed INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, project_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX work_notices_project ON work_notices(project_id, user_id);

-- A conversation between one contributor and one project's owner; the
-- owner sees the contributor as "Contributor <id of the thread>".
CREATE TABLE message_threads (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (project_id, user_id)
) STRICT;
CREATE INDEX message_threads_user ON message_threads(user_id, updated_at);
CREATE INDEX message_threads_project ON message_threads(project_id, updated_at);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
  from_owner INTEGER NOT NULL CHECK (from_owner IN (0, 1)),
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_thread ON messages(thread_id, id);
