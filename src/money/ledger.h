/* ledger.h — double-entry money ledger in integer minor units.
 *
 * Every transaction is a set of entries that sums to zero; entries are
 * append-only and the source of truth. Each posting also adds its amounts
 * to ledger_balances, a row per (account, currency, shard) updated in place
 * (migration 0036), which every balance reader reads instead of summing the
 * account's entries; `faircrowd ledger check` reports any row that differs
 * from its entries. Rows are updated in account-name order, so two
 * transactions touching the same two accounts on PostgreSQL lock them in
 * the same order. Escrow accounts are split over LEDGER_SHARDS rows (a
 * transaction's id picks one), so concurrent submits of one project do not
 * queue on one row lock; an account's balance is the sum of its rows.
 * Statements: each entry of an unsharded account links to the account's
 * previous one (prev_id) and the balance row to the newest (last_entry);
 * entries with no link (before migration 0036, first of a chain, escrow's)
 * are in the partial index ledger_account_start. Unsharded accounts must
 * not be posted by two concurrent transactions without a lock between them
 * (on PostgreSQL only submits run side by side, under the contributor's
 * lock): the link is read before the row is locked.
 * Accounts are named strings:
 *   world:CUR             money entering or leaving the platform
 *   escrow:PROJECT        a project's funds not yet earned
 *   pending:USER          earned, waiting for approval
 *   available:USER        approved, can be paid out
 *   paid:USER             paid out
 *   fee                   the platform's fee
 * All functions run inside the caller's write transaction. */
#ifndef FC_MONEY_LEDGER_H
#define FC_MONEY_LEDGER_H

#include "store/store.h"

#define LEDGER_SHARDS 16

typedef struct fc_entry {
	const char *account;
	int64_t amount; /* positive = debit into the account, negative = out */
} fc_entry;

/* Posts one balanced transaction; FC_EINVAL if the entries do not sum to
 * zero. *txn receives the transaction id (may be NULL). */
int fc_ledger_post(fc_db *db, const char *currency, const char *memo, const char *ref, const fc_entry *entries, int n,
		   int64_t *txn, fc_err *err);
/* A publish batch's postings, written set-based at its end (subscribe.c
 * keeps one in a memo): fc_ledger_batch_add checks and copies a posting as
 * fc_ledger_post would post it; fc_ledger_batch_write writes them all — the
 * same transactions, entries (ids, order, chain links) and balance rows as
 * fc_ledger_post called for each in turn — in a few multi-row statements:
 * the balance rows the batch touches locked first, in account order, then
 * each account's chain head read once and the chain computed here. A
 * posting's ref must not be "" (written as NULL). */
typedef struct fc_ledger_batch fc_ledger_batch;
fc_ledger_batch *fc_ledger_batch_new(void); /* NULL when out of memory */
int fc_ledger_batch_add(fc_ledger_batch *b, const char *currency, const char *memo, const char *ref,
			const fc_entry *entries, int n, fc_err *err);
/* Writes and empties b (0 when it holds nothing). */
int fc_ledger_batch_write(fc_db *db, fc_ledger_batch *b, fc_err *err);
size_t fc_ledger_batch_size(const fc_ledger_batch *b); /* postings held */
void fc_ledger_batch_free(fc_ledger_batch *b);
/* An account's balance: in every currency, and in one currency. */
int fc_ledger_balance(fc_db *db, const char *account, int64_t *out, fc_err *err);
int fc_ledger_balance_cur(fc_db *db, const char *account, const char *currency, int64_t *out, fc_err *err);

/* Domain events. */
int fc_ledger_on_submit(fc_db *db, int64_t project, int64_t user, int64_t submission, int64_t reward,
			const char *currency, fc_err *err);
/* Escrow a project still needs for reward × every unfilled slot (up to
 * max_overlap judgments per task when dynamic overlap is on). */
int fc_ledger_escrow_needed(fc_db *db, int64_t project, int64_t *needed, fc_err *err);

#endif
