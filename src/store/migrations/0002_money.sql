-- 0002: the money ledger (double entry, append-only) and payouts.
CREATE TABLE ledger_txns (
  id INTEGER PRIMARY KEY,
  currency TEXT NOT NULL,
  memo TEXT NOT NULL,
  ref TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE ledger_entries (
  id INTEGER PRIMARY KEY,
  txn_id INTEGER NOT NULL REFERENCES ledger_txns(id),
  account TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_account ON ledger_entries(account, currency);
CREATE INDEX ledger_txn ON ledger_entries(txn_id);

-- entries are facts: never changed, never removed
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
