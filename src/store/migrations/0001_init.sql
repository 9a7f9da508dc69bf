-- 0001: accounts, projects, tasks, assignments, submissions, consent, audit.
-- Times are Unix seconds UTC; money is integer minor units; JSON is TEXT.

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  roles INTEGER NOT NULL DEFAULT 4,          -- bits: 1 admin, 2 requester, 4 contributor
  country TEXT,
  languages TEXT NOT NULL DEFAULT '[]',
  demographics TEXT NOT NULL DEFAULT '{}',
  qualifications TEXT NOT NULL DEFAULT '[]',
  verified_at INTEGER,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
) STRICT;

CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('annotation','collection')),
  title TEXT NOT NULL,
  instructions TEXT NOT NULL DEFAULT '',
  label_config TEXT,
  collect TEXT,
  reward INTEGER NOT NULL DEFAULT 0 CHECK (reward >= 0),
  currency TEXT NOT NULL DEFAULT 'USD',
  overlap INTEGER NOT NULL DEFAULT 1 CHECK (overlap >= 1),
  lease_seconds INTEGER NOT NULL DEFAULT 1800 CHECK (lease_seconds > 0),
  opens_at INTEGER,
  closes_at INTEGER,
  max_per_contributor INTEGER,
  gold_rate REAL NOT NULL DEFAULT 0,
  review_rate REAL NOT NULL DEFAULT 0,
  auto_approve_days INTEGER NOT NULL DEFAULT 3,
  reject_reasons TEXT NOT NULL DEFAULT '[]',
  eligibility TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','live','paused','closed')),
  task_count INTEGER NOT NULL DEFAULT 0,
  consent_version TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX projects_owner ON projects(owner_id, id);
CREATE INDEX projects_live ON projects(status, id);

CREATE TABLE project_members (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner','reviewer')),
  PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;

-- A task is "open" while submitted + live leases < the project's overlap.
-- The partial index below is the assignment hot path: highest priority
-- first, oldest first, touching only open tasks.
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  data TEXT NOT NULL,
  gold TEXT,
  predictions TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  is_gold INTEGER NOT NULL DEFAULT 0,
  leased_count INTEGER NOT NULL DEFAULT 0 CHECK (leased_count >= 0),
  submitted_count INTEGER NOT NULL DEFAULT 0 CHECK (submitted_count >= 0),
  open INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tasks_open ON tasks(project_id, is_gold, priority DESC, id) WHERE open = 1;
CREATE INDEX tasks_project ON tasks(project_id, id);

CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  leased_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('leased','submitted','released','expired')),
  UNIQUE (task_id, user_id)
) STRICT;
CREATE INDEX assignments_expiry ON assignments(expires_at) WHERE status = 'leased';
CREATE INDEX assignments_user ON assignments(user_id, project_id, status);

CREATE TABLE submissions (
  id INTEGER PRIMARY KEY,
  assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  result TEXT NOT NULL,
  media_id INTEGER,
  active_seconds REAL NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending','accepted','rejected','auto_accepted')),
  reason_code TEXT,
  reason_text TEXT,
  reviewed_by INTEGER,
  reviewed_at INTEGER,
  idempotency_key TEXT,
  reward INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  -- fairness by construction: a rejection without a reason cannot be stored
  CHECK (status <> 'rejected' OR (COALESCE(length(reason_code),0) > 0 AND COALESCE(length(trim(reason_text)),0) > 0))
) STRICT;
CREATE INDEX submissions_task ON submissions(task_id, id);
CREATE INDEX submissions_user ON submissions(user_id, id);
CREATE INDEX submissions_project ON submissions(project_id, status, id);
CREATE INDEX submissions_time ON submissions(project_id, active_seconds);

CREATE TABLE idempotency (
  user_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  route TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE consent_docs (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE consents (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  version TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  withdrawn_at INTEGER,
  PRIMARY KEY (user_id, project_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  actor INTEGER,
  action TEXT NOT NULL,
  target TEXT,
  at INTEGER NOT NULL
) STRICT;
