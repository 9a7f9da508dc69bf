-- 0008 (PostgreSQL): qualification-test retakes. A test is taken in attempts; each
-- attempt hands out its own questions, never one the contributor has seen
-- before (they saw the right answers after a failed attempt), so
-- assignments keep UNIQUE(task_id, user_id) and only learn which attempt
-- they belong to. See docs/quality.md.
ALTER TABLE assignments ADD COLUMN attempt BIGINT NOT NULL DEFAULT 1;

-- One row per attempt: started when its first question is leased (or on a
-- retake), scored when every planned question is answered or skipped.
CREATE TABLE qualification_attempts (
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  attempt BIGINT NOT NULL CHECK (attempt >= 1),
  planned BIGINT NOT NULL CHECK (planned >= 1),  -- questions this attempt hands out
  started_at BIGINT NOT NULL,
  questions BIGINT,            -- scored questions (answered gold + skipped)
  correct BIGINT,
  skipped BIGINT,              -- leases that expired or were released: counted wrong
  score DOUBLE PRECISION,
  passed BIGINT CHECK (passed IN (0, 1)),
  grants TEXT,
  scored_at BIGINT,
  PRIMARY KEY (project_id, user_id, attempt),
  CHECK ((scored_at IS NULL) = (score IS NULL))
);

INSERT INTO qualification_attempts
  (project_id, user_id, attempt, planned, started_at, questions, correct, skipped, score, passed, grants, scored_at)
SELECT r.project_id, r.user_id, 1, GREATEST(1, (SELECT COUNT(*) FROM tasks t WHERE t.project_id = r.project_id)),
       r.scored_at, r.questions, r.correct, 0, r.score, r.passed, r.grants, r.scored_at
FROM qualification_results r;
DROP TABLE qualification_results;
