-- 0022 (PostgreSQL): pending submissions by project and age, so
-- auto-approval finds the due ones with one range seek per batch.
CREATE INDEX submissions_due ON submissions(project_id, created_at, id) WHERE status = 'pending';
