-- 0003: fair pay — platform settings, bonuses, pay-floor top-ups, payouts.

-- Platform-wide knobs (integers: minor units, basis points, counts).
CREATE TABLE platform_settings (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO platform_settings(key, value) VALUES
  ('pay_floor_per_hour', 1200),         -- minor units per hour of measured work
  ('payout_minimum', 500),              -- smallest payout a contributor may request
  ('platform_fee_bps', 0),              -- fee on funding, basis points (paid by the requester)
  ('pay_floor_min_submissions', 5);     -- measured submissions before the floor applies

-- Money given on top of rewards: by an owner (kind 'manual') or by the pay
-- floor job (kind 'pay_floor'). The reason is shown to the contributor.
CREATE TABLE bonuses (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('manual','pay_floor')),
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_by INTEGER,
  txn_id INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX bonuses_user ON bonuses(user_id, id);
CREATE INDEX bonuses_project ON bonuses(project_id, id);

-- One row per pay-floor evaluation that paid or changed something; the
-- requester sees these in GET /projects/{id}/money.
CREATE TABLE pay_floor_runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  at INTEGER NOT NULL,
  median_seconds REAL NOT NULL,
  floor_per_hour INTEGER NOT NULL,
  old_reward INTEGER NOT NULL,
  new_reward INTEGER NOT NULL,
  submissions INTEGER NOT NULL,
  contributors INTEGER NOT NULL,
  total INTEGER NOT NULL,
  from_escrow INTEGER NOT NULL,
  from_debt INTEGER NOT NULL
) STRICT;
CREATE INDEX pay_floor_runs_project ON pay_floor_runs(project_id, id);

-- How much each submission has been topped up so far (cumulative), so a
-- submission is never topped up twice for the same shortfall.
CREATE TABLE floor_topups (
  submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
  project_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0),
  updated_at INTEGER NOT NULL
) STRICT;

-- When the floor job last evaluated a project (it runs at most every
-- pay_floor_interval seconds per project).
CREATE TABLE pay_floor_state (
  project_id INTEGER PRIMARY KEY,
  checked_at INTEGER NOT NULL
) STRICT;

CREATE TABLE payout_batches (
  id INTEGER PRIMARY KEY,
  created_by INTEGER,
  provider TEXT NOT NULL,
  file TEXT,
  count INTEGER NOT NULL,
  total INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted','confirmed')),
  created_at INTEGER NOT NULL,
  confirmed_at INTEGER
) STRICT;

CREATE TABLE payouts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested','batched','paid')),
  batch_id INTEGER REFERENCES payout_batches(id),
  requested_at INTEGER NOT NULL,
  paid_at INTEGER,
  idempotency TEXT,
  CHECK (status <> 'paid' OR paid_at IS NOT NULL)
) STRICT;
CREATE INDEX payouts_user ON payouts(user_id, id);
CREATE INDEX payouts_requested ON payouts(id) WHERE status = 'requested';
CREATE INDEX payouts_batch ON payouts(batch_id);
CREATE UNIQUE INDEX payouts_idem ON payouts(user_id, idempotency) WHERE idempotency IS NOT NULL;

-- ledger lines by reference (a submission's money is found by its ref)
CREATE INDEX ledger_txns_ref ON ledger_txns(ref);
