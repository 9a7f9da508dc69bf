-- 0021: the requester's workbench (issue #16) — counters the data manager
-- shows without counting a million rows, each task's agreement for the
-- "agreement below x" filter, and indexes for the sparse filters.

-- Tasks per project, kept by triggers on tasks: read in one row, never
-- counted. with_results counts tasks with at least one submission.
CREATE TABLE task_counts (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  total INTEGER NOT NULL DEFAULT 0,
  open INTEGER NOT NULL DEFAULT 0,
  gold INTEGER NOT NULL DEFAULT 0,
  with_results INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO task_counts(project_id, total, open, gold, with_results)
  SELECT p.id,
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.open = 1),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.is_gold = 1),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.submitted_count > 0)
  FROM projects p;
CREATE TRIGGER task_counts_project AFTER INSERT ON projects
BEGIN
  INSERT INTO task_counts(project_id) VALUES (NEW.id);
END;
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks
BEGIN
  UPDATE task_counts SET total = total + 1,
    open = open + (CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END),
    gold = gold + (CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END),
    with_results = with_results + (CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END)
  WHERE project_id = NEW.project_id;
END;
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks
BEGIN
  UPDATE task_counts SET total = total - 1,
    open = open - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END),
    gold = gold - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END),
    with_results = with_results - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END)
  WHERE project_id = OLD.project_id;
END;
-- Fires only when a counted property flips, not on every lease.
CREATE TRIGGER task_counts_update AFTER UPDATE OF open, is_gold, submitted_count ON tasks
WHEN OLD.open <> NEW.open OR OLD.is_gold <> NEW.is_gold
  OR (OLD.submitted_count > 0) <> (NEW.submitted_count > 0)
BEGIN
  UPDATE task_counts SET
    open = open + (CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END) - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END),
    gold = gold + (CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END) - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END),
    with_results = with_results + (CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END)
                                - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END)
  WHERE project_id = NEW.project_id;
END;

-- Share of the most common answer among a task's kept submissions, set by
-- quality/ on each submit from the second one on; NULL before.
ALTER TABLE tasks ADD COLUMN agreement REAL;

-- The sparse filters walk only their own rows, newest id first or last.
CREATE INDEX tasks_gold ON tasks(project_id, id) WHERE is_gold = 1;
CREATE INDEX tasks_with_results ON tasks(project_id, id) WHERE submitted_count > 0;
CREATE INDEX tasks_done ON tasks(project_id, id) WHERE open = 0;
CREATE INDEX tasks_priority ON tasks(project_id, priority, id);
-- "tasks this contributor answered": one probe per task walked
CREATE INDEX submissions_user_task ON submissions(user_id, task_id);
