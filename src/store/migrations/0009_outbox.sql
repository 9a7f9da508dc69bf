-- 0009: the durable outbox (events delivered outside the transaction that
-- caused them, at least once) and its first sink, webhooks.

-- One row per delivery to make: written by a subscriber inside the event's
-- transaction, so it exists exactly when the event's writes do; drained by
-- the outbox job, which claims due rows by pushing next_at ahead (a crash
-- after the claim only delays the row), delivers outside any transaction
-- and marks the row delivered, or schedules a retry with backoff, or gives
-- up after 24 hours.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  sink TEXT NOT NULL,            -- the deliverer: 'webhook'
  target INTEGER NOT NULL,       -- the sink's own id (a webhook's id)
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  action TEXT NOT NULL,          -- e.g. ANNOTATION_CREATED
  payload TEXT NOT NULL,         -- the exact bytes to deliver
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  delivered_at INTEGER,
  failed_at INTEGER,             -- given up on (or its target deleted)
  last_status INTEGER,           -- e.g. the HTTP status of the last attempt
  last_error TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox(next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_target ON outbox(sink, target, id);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  events TEXT NOT NULL,          -- JSON array of action names
  secret TEXT NOT NULL,          -- HMAC-SHA256 key for X-Faircrowd-Signature
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE INDEX webhooks_project ON webhooks(project_id) WHERE deleted_at IS NULL;
