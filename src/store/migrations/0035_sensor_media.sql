-- 0035: collection projects may record the phone's motion sensors
-- (collect.media "sensor", a CSV per recording): media.kind takes 'sensor'.
-- SQLite cannot change a CHECK, so the table is rebuilt as in 0029 (nothing
-- refers to media by a foreign key).
CREATE TABLE media_new (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  assignment_id INTEGER REFERENCES assignments(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('audio','image','video','sensor')),
  mime TEXT NOT NULL,
  ext TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  probe TEXT NOT NULL,
  dhash INTEGER,
  submission_id INTEGER,
  created_at INTEGER NOT NULL,
  erased_at INTEGER,
  UNIQUE (project_id, sha256)
) STRICT;
INSERT INTO media_new(id,project_id,assignment_id,user_id,sha256,kind,mime,ext,bytes,probe,dhash,submission_id,
                      created_at,erased_at)
  SELECT id,project_id,assignment_id,user_id,sha256,kind,mime,ext,bytes,probe,dhash,submission_id,created_at,erased_at
  FROM media;
DROP TABLE media;
ALTER TABLE media_new RENAME TO media;
CREATE INDEX media_assignment ON media(assignment_id);
CREATE INDEX media_dhash ON media(project_id, id) WHERE dhash IS NOT NULL;
CREATE INDEX media_user ON media(user_id, project_id);
CREATE INDEX media_sha ON media(sha256);

-- A CSV dropped into a project becomes a TimeSeries task: task_files.kind
-- takes 'timeseries' (rebuilt the same way; nothing refers to it).
CREATE TABLE task_files_new (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('audio','image','video','timeseries')),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (project_id, sha256)
) STRICT;
INSERT INTO task_files_new(id,project_id,task_id,user_id,sha256,kind,mime,name,bytes,created_at)
  SELECT id,project_id,task_id,user_id,sha256,kind,mime,name,bytes,created_at FROM task_files;
DROP TABLE task_files;
ALTER TABLE task_files_new RENAME TO task_files;
CREATE INDEX task_files_task ON task_files(task_id);
