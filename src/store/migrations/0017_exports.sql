-- 0017: export jobs (issue #13). A large export runs in the background; its
-- bytes land in the blob store under their SHA-256 and are published here in
-- one write only once complete (state 'done' with sha256), so a job that
-- failed half-way (a full blob store) leaves a reason and no download.
CREATE TABLE export_jobs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  format TEXT NOT NULL,
  status_opt TEXT NOT NULL DEFAULT 'accepted',   -- the export's status= option
  labels TEXT NOT NULL DEFAULT 'raw',
  method TEXT,
  state TEXT NOT NULL DEFAULT 'queued',          -- queued | running | done | failed
  total INTEGER NOT NULL DEFAULT 0,              -- tasks to walk (for progress)
  row_count INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT,
  filename TEXT,
  content_type TEXT,
  reason TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  heartbeat_at INTEGER,                          -- real time of the runner's last word: a stale one is taken over
  finished_at INTEGER
) STRICT;
CREATE INDEX export_jobs_state ON export_jobs(state, id);
CREATE INDEX export_jobs_project ON export_jobs(project_id, id);

-- Dataset versions: an immutable snapshot of which task and which kept
-- submission went into which split. Files rendered from a version are kept
-- in the blob store (dataset_version_files), so a download in any format
-- gives the same bytes later; only an erasure (withdrawn consent) after a
-- file was kept makes it be rendered again without the erased work.
CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  manifest TEXT NOT NULL,                        -- JSON: api/versions.c
  UNIQUE (project_id, name)
) STRICT;
CREATE TABLE dataset_version_items (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  task_id INTEGER NOT NULL,
  submission_id INTEGER NOT NULL,                -- 0: the task had no kept submission
  split TEXT NOT NULL,
  PRIMARY KEY (version_id, task_id, submission_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE dataset_version_files (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
  format TEXT NOT NULL,
  split TEXT NOT NULL,                           -- '' for every split
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (version_id, format, split)
) STRICT, WITHOUT ROWID;
