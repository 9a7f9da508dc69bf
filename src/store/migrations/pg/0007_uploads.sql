-- 0007 (PostgreSQL): resumable uploads (tus 1.0): one row per upload, bytes in DATA/uploads/<id>.
-- "offset" is a reserved word in PostgreSQL: the domain's SQL quotes it on both back ends.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  length BIGINT NOT NULL CHECK (length >= 0),
  "offset" BIGINT NOT NULL DEFAULT 0 CHECK ("offset" >= 0 AND "offset" <= length),
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  media_id BIGINT
);
CREATE INDEX uploads_user ON uploads(user_id, created_at);
