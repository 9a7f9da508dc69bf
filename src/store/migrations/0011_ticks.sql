-- 0011: scheduled-job ticks. Every server sharing a database runs the job
-- loop; a server runs a tick only after claiming it here (store.h,
-- fc_store_claim_tick), so each tick's jobs run on exactly one server.
CREATE TABLE job_ticks (
  name TEXT PRIMARY KEY,
  tick INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
