-- 0025: ML assistance (issue #15): a project's ML backend, the predictions
-- it made, and the order a project hands its tasks out in.

-- One backend per project. kind 'http' speaks Label Studio's ML-backend
-- protocol at url; kind 'builtin' names a model trained inside faircrowd
-- (src/ml/ml.h). sent_upto is the predict cursor: tasks of the project
-- with id <= sent_upto have been predicted (or given up on); re-running
-- predictions sets it back to 0.
CREATE TABLE ml_backends (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  url TEXT,
  model TEXT,
  interactive INTEGER NOT NULL DEFAULT 0,
  model_version TEXT,
  sent_upto INTEGER NOT NULL DEFAULT 0,
  predicted INTEGER NOT NULL DEFAULT 0,   -- predictions stored since attached
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_ok_at INTEGER,                     -- the backend's last good answer
  last_error TEXT,                        -- the last failure, for the project page
  last_error_at INTEGER
) STRICT;

-- A model's suggestion for a task: shown to annotators as an editable
-- starting point, never counted as an answer. One per task and model
-- version (a re-run replaces it).
CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_version TEXT NOT NULL,
  score REAL,
  result TEXT NOT NULL,                   -- JSON array of regions, valid for the project's config
  created_at INTEGER NOT NULL,
  UNIQUE(task_id, model_version)
) STRICT;
CREATE INDEX predictions_project ON predictions(project_id, id);

-- The score of the task's latest prediction, and the orders that read it:
-- uncertainty walks open tasks by ml_score (least confident first),
-- disagreement by agreement (most disputed first), random seeks a random
-- id; each one an index range, never a sort of the project's tasks.
ALTER TABLE tasks ADD COLUMN ml_score REAL;
ALTER TABLE projects ADD COLUMN task_order TEXT NOT NULL DEFAULT 'priority';
CREATE INDEX tasks_uncertain ON tasks(project_id, is_gold, ml_score, id) WHERE open = 1 AND ml_score IS NOT NULL;
CREATE INDEX tasks_disputed ON tasks(project_id, is_gold, agreement, id) WHERE open = 1 AND agreement IS NOT NULL;
CREATE INDEX tasks_open_id ON tasks(project_id, is_gold, id) WHERE open = 1;
