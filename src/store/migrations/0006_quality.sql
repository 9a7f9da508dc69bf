-- 0006: quality — gold scoring, pausing on low gold accuracy, qualification
-- tests, dynamic overlap. See src/quality/contributors.h and docs/quality.md.

-- Project settings (all optional; NULL = feature off).
ALTER TABLE projects ADD COLUMN gold_threshold REAL;              -- pause below this gold accuracy (0..1)
ALTER TABLE projects ADD COLUMN gold_min_answers INTEGER NOT NULL DEFAULT 5;
ALTER TABLE projects ADD COLUMN confidence_threshold REAL;        -- dynamic overlap: wanted MV share (0..1)
ALTER TABLE projects ADD COLUMN max_overlap INTEGER;              -- dynamic overlap: most judgments per task
ALTER TABLE projects ADD COLUMN qualification TEXT;               -- JSON {grants, pass_mark, retakes, paid}

-- A task's own overlap target when it differs from the project's: raised by
-- dynamic overlap for disputed tasks, unbounded for qualification tests
-- (every contributor takes every question). The open flag is always
-- leased + submitted < COALESCE(target_overlap, project overlap).
ALTER TABLE tasks ADD COLUMN target_overlap INTEGER;

-- Questions of a qualification test are open to everyone: give them an
-- unbounded target as they are imported (one indexed read per insert).
CREATE TRIGGER tasks_qualification_target AFTER INSERT ON tasks
WHEN NEW.target_overlap IS NULL
 AND (SELECT qualification FROM projects WHERE id = NEW.project_id) IS NOT NULL
BEGIN
  UPDATE tasks SET target_overlap = 1000000000, open = 1 WHERE id = NEW.id;
END;

-- One row per submitted gold task: was it right, and the evidence
-- (expected and given answers per scored control).
CREATE TABLE gold_scores (
  submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
  expected TEXT NOT NULL,   -- {"control": answer, ...}
  given TEXT NOT NULL,      -- the same controls from the submission
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX gold_scores_user ON gold_scores(project_id, user_id);

-- A contributor paused on a project for low gold accuracy. The reason is a
-- sentence shown to them; evidence holds the figures it was decided on.
CREATE TABLE contributor_pauses (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  evidence TEXT NOT NULL,   -- {gold_answered, gold_correct, accuracy, ci_low, ci_high, threshold, min_answers}
  created_at INTEGER NOT NULL,
  lifted_at INTEGER,
  lifted_by INTEGER
) STRICT;
CREATE UNIQUE INDEX contributor_pauses_active ON contributor_pauses(project_id, user_id) WHERE lifted_at IS NULL;

-- The scored result of a qualification test, one per contributor and test.
CREATE TABLE qualification_results (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  questions INTEGER NOT NULL,
  correct INTEGER NOT NULL,
  score REAL NOT NULL,
  passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
  grants TEXT NOT NULL,
  scored_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;
