-- 0005: data collection — uploaded media, peer validation (votes), quotas,
-- per-project salts for pseudonymous export ids.

-- One row per accepted upload. The file itself is a content-addressed blob
-- (blobs/ab/cd/<sha256>); the same bytes are stored once however often they
-- are referenced. An exact duplicate within a project is refused, so
-- (project_id, sha256) is unique.
CREATE TABLE media (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  assignment_id INTEGER NOT NULL REFERENCES assignments(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('audio','image','video')),
  mime TEXT NOT NULL,
  ext TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  probe TEXT NOT NULL,
  dhash INTEGER,                 -- 64-bit perceptual hash of photos
  submission_id INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (project_id, sha256)
) STRICT;
CREATE INDEX media_assignment ON media(assignment_id);
CREATE INDEX media_dhash ON media(project_id, id) WHERE dhash IS NOT NULL;

-- Peer validation (Common Voice): a recording is handed to other
-- contributors, who vote it up or down.
ALTER TABLE submissions ADD COLUMN up_votes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN down_votes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN validity TEXT
  CHECK (validity IS NULL OR validity IN ('pending','valid','invalid'));
CREATE INDEX submissions_validity ON submissions(project_id, id) WHERE validity = 'pending';

CREATE TABLE validations (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  UNIQUE (submission_id, user_id)
) STRICT;
CREATE INDEX validations_user ON validations(user_id, submission_id);

CREATE TABLE votes (
  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  vote INTEGER NOT NULL CHECK (vote IN (1,-1)),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (submission_id, user_id)
) STRICT, WITHOUT ROWID;

-- Submissions per demographic cell ("gender:female"), kept at submit time so
-- the quota check at lease time is one indexed read.
CREATE TABLE quota_counts (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  cell TEXT NOT NULL,
  n INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, cell)
) STRICT, WITHOUT ROWID;

CREATE TABLE project_salts (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  salt TEXT NOT NULL
) STRICT;
