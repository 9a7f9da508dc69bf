-- 0022: pending submissions by project and age, so auto-approval finds the
-- due ones with one range seek per batch: it never walks the pending work
-- that is not due yet, and what it approves leaves the index.
CREATE INDEX submissions_due ON submissions(project_id, created_at, id) WHERE status = 'pending';
