-- 0021: the requester's workbench (issue #16), PostgreSQL dialect of
-- ../0021_workbench.sql: counters kept by triggers, each task's agreement,
-- indexes for the sparse filters.
CREATE TABLE task_counts (
  project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  total BIGINT NOT NULL DEFAULT 0,
  open BIGINT NOT NULL DEFAULT 0,
  gold BIGINT NOT NULL DEFAULT 0,
  with_results BIGINT NOT NULL DEFAULT 0
);
INSERT INTO task_counts(project_id, total, open, gold, with_results)
  SELECT p.id,
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.open = 1),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.is_gold = 1),
         (SELECT COUNT(*) FROM tasks t WHERE t.project_id = p.id AND t.submitted_count > 0)
  FROM projects p;

CREATE FUNCTION task_counts_project() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counts(project_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER task_counts_project AFTER INSERT ON projects
  FOR EACH ROW EXECUTE FUNCTION task_counts_project();

CREATE FUNCTION task_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_total BIGINT := 0; d_open BIGINT := 0; d_gold BIGINT := 0; d_res BIGINT := 0; pid BIGINT;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    pid := NEW.project_id;
    d_open := d_open + (CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END);
    d_gold := d_gold + (CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END);
    d_res := d_res + (CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    pid := OLD.project_id;
    d_open := d_open - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END);
    d_gold := d_gold - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END);
    d_res := d_res - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END);
  END IF;
  IF TG_OP = 'INSERT' THEN d_total := 1; END IF;
  IF TG_OP = 'DELETE' THEN d_total := -1; END IF;
  IF d_total <> 0 OR d_open <> 0 OR d_gold <> 0 OR d_res <> 0 THEN
    UPDATE task_counts SET total = total + d_total, open = open + d_open, gold = gold + d_gold,
      with_results = with_results + d_res WHERE project_id = pid;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION task_counts_change();
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks
  FOR EACH ROW EXECUTE FUNCTION task_counts_change();
CREATE TRIGGER task_counts_update AFTER UPDATE OF open, is_gold, submitted_count ON tasks
  FOR EACH ROW WHEN (OLD.open <> NEW.open OR OLD.is_gold <> NEW.is_gold
    OR (OLD.submitted_count > 0) <> (NEW.submitted_count > 0))
  EXECUTE FUNCTION task_counts_change();

ALTER TABLE tasks ADD COLUMN agreement DOUBLE PRECISION;

CREATE INDEX tasks_gold ON tasks(project_id, id) WHERE is_gold = 1;
CREATE INDEX tasks_with_results ON tasks(project_id, id) WHERE submitted_count > 0;
CREATE INDEX tasks_done ON tasks(project_id, id) WHERE open = 0;
CREATE INDEX tasks_priority ON tasks(project_id, priority, id);
-- "tasks this contributor answered": one probe per task walked
CREATE INDEX submissions_user_task ON submissions(user_id, task_id);
