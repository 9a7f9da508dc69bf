-- 0007: resumable uploads (tus 1.0): one row per upload, bytes in DATA/uploads/<id>.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  length INTEGER NOT NULL CHECK (length >= 0),
  offset INTEGER NOT NULL DEFAULT 0 CHECK (offset >= 0 AND offset <= length),
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  media_id INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX uploads_user ON uploads(user_id, created_at);
