-- 0036 (PostgreSQL): a balance row per account, currency and shard, updated
-- in place by every ledger posting (money/ledger.c; the upsert takes the row
-- lock, rows are updated in account order), read by every balance reader.
-- ledger_entries stays the append-only journal and the source of truth;
-- `faircrowd ledger check` reports any drift. Escrow accounts are split over
-- shards so concurrent submits of one project do not queue on one row.
-- Statements walk a chain (prev_id, last_entry) instead of an index entry
-- per ledger entry; entries without a link are in the partial index (see
-- the SQLite twin).
CREATE TABLE ledger_balances (
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  shard INTEGER NOT NULL,
  balance BIGINT NOT NULL,
  last_txn BIGINT NOT NULL,
  last_entry BIGINT,
  PRIMARY KEY (account, currency, shard)
);
INSERT INTO ledger_balances(account, currency, shard, balance, last_txn)
  SELECT account, currency, 0, SUM(amount), MAX(txn_id) FROM ledger_entries GROUP BY account, currency;
ALTER TABLE ledger_entries ADD COLUMN prev_id BIGINT;
DROP INDEX ledger_account;
CREATE INDEX ledger_account_start ON ledger_entries(account, currency) WHERE prev_id IS NULL;
