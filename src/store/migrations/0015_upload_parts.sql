-- 0015: the bytes of a resumable upload in progress live in the database, so
-- that any server sharing it can take the next PATCH (many servers behind
-- one address). One row per stored piece of at most 1 MiB, keyed by where it
-- starts; the upload's "offset" moves in the same transaction as its pieces.
CREATE TABLE upload_parts (
  upload_id TEXT NOT NULL,
  start INTEGER NOT NULL CHECK (start >= 0),
  data BLOB NOT NULL,
  PRIMARY KEY (upload_id, start)
) STRICT, WITHOUT ROWID;
