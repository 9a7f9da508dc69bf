-- 0040 (PostgreSQL): the submissions carrying a media file, and each
-- project's media not erased yet, by id (see the SQLite twin).
CREATE INDEX submissions_media ON submissions(media_id) WHERE media_id IS NOT NULL;
CREATE INDEX media_live ON media(project_id, id) WHERE erased_at IS NULL;
