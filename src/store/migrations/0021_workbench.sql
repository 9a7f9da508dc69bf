-- 0021: the requester's workbench (issue #16) — counters the data manager
-- shows without counting a million rows, each task's agreement for the
-- "agreement below x" filter, and indexes for the sparse filters.

-- Tasks per project, kept by triggers on tasks: read in a few rows, never
-- counted. This migration made them as one row per project (task_counts);
-- they now live in 16 slots per project, made by 0018, which runs before
-- this one on a new database and after it (dropping task_counts) on an
-- older one.

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
