-- 0016: abandoned resumable uploads expire: the last time bytes arrived (or
-- the creation), so a scheduled job removes uploads idle for a day.
ALTER TABLE uploads ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE uploads SET updated_at=created_at;
CREATE INDEX uploads_idle ON uploads(updated_at);
