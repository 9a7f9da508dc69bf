-- 0036: a balance row per account, currency and shard, updated in place by
-- every ledger posting (money/ledger.c), read by every balance reader
-- instead of SUM(amount) over the account's entries. ledger_entries stays
-- the append-only journal and the source of truth: `faircrowd ledger check`
-- reports any (account, currency) whose rows differ from its entries' sum.
-- Escrow accounts, which every submit of a project moves, are split over
-- shards so concurrent submits on PostgreSQL do not queue on one row; an
-- account's balance is the sum of its shards. last_txn: the newest
-- transaction that moved the row (the earnings page's current currency).
CREATE TABLE ledger_balances (
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  shard INTEGER NOT NULL,
  balance INTEGER NOT NULL,
  last_txn INTEGER NOT NULL,
  PRIMARY KEY (account, currency, shard)
) STRICT, WITHOUT ROWID;
INSERT INTO ledger_balances(account, currency, shard, balance, last_txn)
  SELECT account, currency, 0, SUM(amount), MAX(txn_id) FROM ledger_entries GROUP BY account, currency;
