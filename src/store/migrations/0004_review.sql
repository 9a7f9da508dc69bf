-- 0004: review sampling, fixes kept beside the original, appeals.
ALTER TABLE submissions ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN fixed_result TEXT;
ALTER TABLE submissions ADD COLUMN fixed_by INTEGER;
CREATE INDEX submissions_review ON submissions(project_id, needs_review DESC, id) WHERE status = 'pending';

CREATE TABLE appeals (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
  project_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  message TEXT NOT NULL CHECK (length(trim(message)) > 0),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','upheld','denied')),
  decided_by INTEGER,
  decision_reason TEXT,
  created_at INTEGER NOT NULL,
  decided_at INTEGER,
  -- a decision always carries its reason
  CHECK (status = 'open' OR COALESCE(length(trim(decision_reason)),0) > 0)
) STRICT;
CREATE INDEX appeals_project ON appeals(project_id, status, id);
