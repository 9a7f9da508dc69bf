-- 0018: the data manager's task counters in 16 slots per project (issue #12),
-- PostgreSQL dialect of ../0018_count_slots.sql (why there). Written for
-- either order: before 0021 on a new database, after it on an older one.
DROP TRIGGER IF EXISTS task_counts_project ON projects;
DROP TRIGGER IF EXISTS task_counts_insert ON tasks;
DROP TRIGGER IF EXISTS task_counts_delete ON tasks;
DROP TRIGGER IF EXISTS task_counts_update ON tasks;
DROP FUNCTION IF EXISTS task_counts_project();
DROP FUNCTION IF EXISTS task_counts_change();
DROP TABLE IF EXISTS task_counts;
CREATE TABLE task_count_slots (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  slot BIGINT NOT NULL,
  total BIGINT NOT NULL DEFAULT 0,
  open BIGINT NOT NULL DEFAULT 0,
  gold BIGINT NOT NULL DEFAULT 0,
  with_results BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, slot)
);
INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results)
  SELECT project_id, id % 16, COUNT(*), COUNT(*) FILTER (WHERE open = 1),
         COUNT(*) FILTER (WHERE is_gold = 1), COUNT(*) FILTER (WHERE submitted_count > 0)
  FROM tasks GROUP BY 1, 2;

CREATE FUNCTION task_count_slots_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d_total BIGINT := 0; d_open BIGINT := 0; d_gold BIGINT := 0; d_res BIGINT := 0; pid BIGINT; s BIGINT;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    pid := NEW.project_id; s := NEW.id % 16;
    d_open := d_open + (CASE WHEN NEW.open = 1 THEN 1 ELSE 0 END);
    d_gold := d_gold + (CASE WHEN NEW.is_gold = 1 THEN 1 ELSE 0 END);
    d_res := d_res + (CASE WHEN NEW.submitted_count > 0 THEN 1 ELSE 0 END);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    pid := OLD.project_id; s := OLD.id % 16;
    d_open := d_open - (CASE WHEN OLD.open = 1 THEN 1 ELSE 0 END);
    d_gold := d_gold - (CASE WHEN OLD.is_gold = 1 THEN 1 ELSE 0 END);
    d_res := d_res - (CASE WHEN OLD.submitted_count > 0 THEN 1 ELSE 0 END);
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_count_slots(project_id, slot, total, open, gold, with_results)
      VALUES (pid, s, 1, d_open, d_gold, d_res)
      ON CONFLICT (project_id, slot) DO UPDATE SET total = task_count_slots.total + 1,
        open = task_count_slots.open + d_open, gold = task_count_slots.gold + d_gold,
        with_results = task_count_slots.with_results + d_res;
  ELSIF TG_OP = 'DELETE' OR d_open <> 0 OR d_gold <> 0 OR d_res <> 0 THEN
    IF TG_OP = 'DELETE' THEN d_total := -1; END IF;
    UPDATE task_count_slots SET total = total + d_total, open = open + d_open, gold = gold + d_gold,
      with_results = with_results + d_res WHERE project_id = pid AND slot = s;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER task_count_slots_insert AFTER INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION task_count_slots_change();
CREATE TRIGGER task_count_slots_delete AFTER DELETE ON tasks
  FOR EACH ROW EXECUTE FUNCTION task_count_slots_change();
CREATE TRIGGER task_count_slots_update AFTER UPDATE OF open, is_gold, submitted_count ON tasks
  FOR EACH ROW WHEN (OLD.open <> NEW.open OR OLD.is_gold <> NEW.is_gold
    OR (OLD.submitted_count > 0) <> (NEW.submitted_count > 0))
  EXECUTE FUNCTION task_count_slots_change();
