-- 0015 (PostgreSQL): the bytes of a resumable upload in progress live in the
-- database, so that any server sharing it can take the next PATCH. One row
-- per stored piece of at most 1 MiB, keyed by where it starts.
CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL,
  start BIGINT NOT NULL CHECK (start >= 0),
  data BYTEA NOT NULL,
  PRIMARY KEY (upload_id, start)
);
