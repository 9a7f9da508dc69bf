-- 0036: a balance row per account, currency and shard, updated in place by
-- every ledger posting (money/ledger.c), read by every balance reader
-- instead of SUM(amount) over the account's entries. ledger_entries stays
-- the append-only journal and the source of truth: `faircrowd ledger check`
-- reports any (account, currency) whose rows differ from its entries' sum.
-- Escrow accounts, which every submit of a project moves, are split over
-- shards so concurrent submits on PostgreSQL do not queue on one row; an
-- account's balance is the sum of its shards. last_txn: the newest
-- transaction that moved the row (the earnings page's current currency).
--
-- An account's statement no longer needs an index entry per ledger entry
-- (two per approval, at two of tens of thousands of insertion points — what
-- auto-approval paid in pages): each entry of an unsharded account links to
-- the account's previous one (prev_id), and its balance row points at the
-- newest (last_entry), so a statement walks the chain. Entries without a
-- link — those written before this migration, the first of each chain, and
-- escrow's (one account per project, appended at the end of its range) —
-- are found through the partial index that replaces ledger_account.
CREATE TABLE ledger_balances (
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  shard INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  last_txn INTEGER NOT NULL,
  last_entry INTEGER,
  PRIMARY KEY (account, currency, shard)
) STRICT, WITHOUT ROWID;
INSERT INTO ledger_balances(account, currency, shard, balance, last_txn)
  SELECT account, currency, 0, SUM(amount), MAX(txn_id) FROM ledger_entries GROUP BY account, currency;
ALTER TABLE ledger_entries ADD COLUMN prev_id INTEGER;
DROP INDEX ledger_account;
CREATE INDEX ledger_account_start ON ledger_entries(account, currency) WHERE prev_id IS NULL;
