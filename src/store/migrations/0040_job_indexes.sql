-- 0040: the retention job (and withdrawals, account deletion) mark the
-- submissions that carry an erased media file: without an index on
-- media_id each file's UPDATE read every submission of the project
-- (quadratic: 20,000 files took 184 s). And the job takes a project's media
-- that is not erased yet, by id, a batch at a time: the partial index holds
-- only those rows, so each batch is one range seek and what it erases
-- leaves the index (no walk over the rows erased before).
CREATE INDEX submissions_media ON submissions(media_id) WHERE media_id IS NOT NULL;
CREATE INDEX media_live ON media(project_id, id) WHERE erased_at IS NULL;
