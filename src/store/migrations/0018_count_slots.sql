-- 0018: the data manager's task counters in 16 slots per project (issue #12).
--
-- 0021 kept them in one row per project, updated by a trigger whenever a
-- task opened, closed, or got its first submission: with several servers on
-- one PostgreSQL every closing lease and first submit of the project
-- waited for that row's lock. A task now counts in slot id % 16, so
-- concurrent leases and submits on different tasks touch different rows;
-- readers sum the project's slots (work/manage.c).
--
-- Numbered before 0021 but written for either order: a new database runs it
-- first (0021 no longer makes task_counts), one made before it runs it last
-- (and drops 0021's table and triggers).
DROP TRIGGER IF EXISTS task_counts_project;
DROP TRIGGER IF EXISTS task_counts_insert;
DROP TRIGGER IF EXISTS task_counts_delete;
DROP TRIGGER IF EXISTS task_counts_update;
DROP TABLE IF EXISTS task_counts;
CREATE TABLE task_count_slots (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  open INTEGER NOT NULL DEFAULT 0,
  gold INTEGER NOT NULL DEFAULT 0,
  with_results INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, slot)
) STRICT, WITHOUT ROWID;
INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results)
  SELECT project_id, id % 16, COUNT(*),
         SUM(CASE WHEN open = 1 THEN 1 ELSE 0 END),
         SUM(CASE WHEN is_gold = 1 THEN 1 ELSE 0 END),
         SUM(CASE WHEN submitted_count > 0 THEN 1 ELSE 0 END)
  FROM tasks GROUP BY project_id, id % 16;
CREATE TRIGGER task_count_slots_insert AFTER INSERT ON tasks
BEGIN
  INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results)
  VALUES (NEW.project_id, NEW.id % 16, 1,
          CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END,
          CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END,
          CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END)
  ON CONFLICT(project_id, slot) DO UPDATE SET total = total + 1,
    open = open + excluded.open, gold = gold + excluded.gold, with_results = with_results + excluded.with_results;
END;
CREATE TRIGGER task_count_slots_delete AFTER DELETE ON tasks
BEGIN
  UPDATE task_count_slots SET total = total - 1,
    open = open - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END),
    gold = gold - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END),
    with_results = with_results - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END)
  WHERE project_id = OLD.project_id AND slot = OLD.id % 16;
END;
-- Fires only when a counted property flips, not on every lease.
CREATE TRIGGER task_count_slots_update AFTER UPDATE OF open, is_gold, submitted_count ON tasks
WHEN OLD.open <> NEW.open OR OLD.is_gold <> NEW.is_gold
  OR (OLD.submitted_count > 0) <> (NEW.submitted_count > 0)
BEGIN
  UPDATE task_count_slots SET
    open = open + (CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END) - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END),
    gold = gold + (CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END) - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END),
    with_results = with_results + (CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END)
                                - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END)
  WHERE project_id = NEW.project_id AND slot = NEW.id % 16;
END;
