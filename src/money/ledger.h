/* ledger.h — double-entry money ledger in integer minor units.
 *
 * Every transaction is a set of entries that sums to zero; entries are
 * append-only; balances are sums of entries, never stored as truth.
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

typedef struct fc_entry {
	const char *account;
	int64_t amount; /* positive = debit into the account, negative = out */
} fc_entry;

/* Posts one balanced transaction; FC_EINVAL if the entries do not sum to
 * zero. *txn receives the transaction id (may be NULL). */
int fc_ledger_post(fc_db *db, const char *currency, const char *memo, const char *ref, const fc_entry *entries, int n,
		   int64_t *txn, fc_err *err);
int fc_ledger_balance(fc_db *db, const char *account, int64_t *out, fc_err *err);

/* Domain events. */
int fc_ledger_on_submit(fc_db *db, int64_t project, int64_t user, int64_t submission, int64_t reward,
			const char *currency, fc_err *err);
/* Escrow a project still needs for reward × every unfilled slot (up to
 * max_overlap judgments per task when dynamic overlap is on). */
int fc_ledger_escrow_needed(fc_db *db, int64_t project, int64_t *needed, fc_err *err);

#endif
