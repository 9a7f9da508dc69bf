-- 0021: the requester's workbench (issue #16), PostgreSQL dialect of
-- ../0021_workbench.sql: each task's agreement,
-- indexes for the sparse filters.
-- The task counters this migration made (task_counts, one row per project)
-- now live in slots: 0018_count_slots.sql, which runs before this one on a
-- new database and after it (dropping task_counts) on an older one.

ALTER TABLE tasks ADD COLUMN agreement DOUBLE PRECISION;

CREATE INDEX tasks_gold ON tasks(project_id, id) WHERE is_gold = 1;
CREATE INDEX tasks_with_results ON tasks(project_id, id) WHERE submitted_count > 0;
CREATE INDEX tasks_done ON tasks(project_id, id) WHERE open = 0;
CREATE INDEX tasks_priority ON tasks(project_id, priority, id);
-- "tasks this contributor answered": one probe per task walked
CREATE INDEX submissions_user_task ON submissions(user_id, task_id);
