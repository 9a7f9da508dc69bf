-- 0030: the requester's workbench, second part (issue #16).
--
-- Files a requester drops into a project become one task each: the bytes
-- live in the blob store under their SHA-256, this row names them, and the
-- task's data points at /api/v1/files/ID. The same bytes twice in one
-- project are refused (UNIQUE).
CREATE TABLE task_files (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  sha256 TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('audio','image','video')),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (project_id, sha256)
) STRICT;
CREATE INDEX task_files_task ON task_files(task_id);

-- Full-text search in task data for the data manager (?q=): an external
-- content FTS5 index kept by triggers, so a search reads the index instead
-- of every task's JSON. Words match whole (unicode61, diacritics folded).
CREATE VIRTUAL TABLE tasks_fts USING fts5(data, content='tasks', content_rowid='id');
INSERT INTO tasks_fts(tasks_fts) VALUES ('rebuild');
CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks
BEGIN
  INSERT INTO tasks_fts(rowid, data) VALUES (NEW.id, NEW.data);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks
BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, data) VALUES ('delete', OLD.id, OLD.data);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF data ON tasks
BEGIN
  INSERT INTO tasks_fts(tasks_fts, rowid, data) VALUES ('delete', OLD.id, OLD.data);
  INSERT INTO tasks_fts(rowid, data) VALUES (NEW.id, NEW.data);
END;
