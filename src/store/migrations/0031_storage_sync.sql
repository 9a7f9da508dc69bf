-- 0031: S3 import sources (issue #13). A project's owner names a bucket and
-- a prefix; a sync lists the prefix and makes one task per new object. The
-- objects seen are remembered per source (UNIQUE source_id, object_key), so
-- a second sync, or two servers syncing at once, never makes a task twice:
-- a task is created only in the transaction whose INSERT of the object row
-- won. The credentials are kept like webhook secrets (the owner's own
-- keys, never returned by the API: shown masked).
CREATE TABLE storage_sources (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  bucket TEXT NOT NULL,
  region TEXT NOT NULL,
  prefix TEXT NOT NULL,
  access_key TEXT NOT NULL,
  secret_key TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  sync_status TEXT NOT NULL DEFAULT 'never' CHECK (sync_status IN ('never','queued','running','done','failed')),
  sync_queued_at INTEGER,
  sync_started_at INTEGER,
  sync_heartbeat_at INTEGER,
  sync_finished_at INTEGER,
  sync_listed INTEGER NOT NULL DEFAULT 0,
  sync_created INTEGER NOT NULL DEFAULT 0,
  sync_skipped INTEGER NOT NULL DEFAULT 0,
  sync_seen INTEGER NOT NULL DEFAULT 0,
  sync_error TEXT
) STRICT;
CREATE INDEX storage_sources_project ON storage_sources(project_id);

CREATE TABLE storage_objects (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES storage_sources(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  object_key TEXT NOT NULL,
  etag TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  kind TEXT NOT NULL,
  mime TEXT NOT NULL,
  task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (source_id, object_key)
) STRICT;
CREATE INDEX storage_objects_task ON storage_objects(task_id);
