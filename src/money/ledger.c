#include "money/ledger.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

/* The most entries one posting may have (the money code posts up to 4). */
#define LEDGER_MAX 8

/* Escrow accounts are split over shard rows (every submit of a project
 * moves one) and carry no chain: their entries are found through the
 * partial index ledger_account_start, at the end of one range per project. */
static int sharded(const char *account) { return !strncmp(account, "escrow:", 7); }

static int shard_of(const char *account, int64_t txn) { return sharded(account) ? (int)(txn % LEDGER_SHARDS) : 0; }

typedef struct moved {
	const char *account;
	int64_t amount, last; /* last: the account's newest entry (its chain's head), 0 for none */
} moved;

/* The posting's accounts, each once (amounts merged), sorted by name. */
static int merge(const fc_entry *e, int n, moved *m)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (!e[i].amount)
			continue;
		int j = 0;
		while (j < k && strcmp(m[j].account, e[i].account) < 0)
			j++;
		if (j < k && !strcmp(m[j].account, e[i].account)) {
			m[j].amount += e[i].amount;
			continue;
		}
		memmove(&m[j + 1], &m[j], (size_t)(k - j) * sizeof *m);
		m[j] = (moved){e[i].account, e[i].amount, 0};
		k++;
	}
	return k;
}

#define BALANCES "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn,last_entry) VALUES"
#define BALANCES_TAIL \
	" ON CONFLICT(account,currency,shard) DO UPDATE SET balance=ledger_balances.balance+excluded.balance, " \
	"last_txn=excluded.last_txn, last_entry=excluded.last_entry"
/* an entry linked to its account's previous one, read from the balance row */
#define LINKED_ENTRY \
	"(?,?,?,?,?,CASE WHEN ?=1 THEN (SELECT last_entry FROM ledger_balances WHERE account=? AND currency=? AND " \
	"shard=0) END)"
/* a balance row pointing at the entry of this transaction */
#define LINKED_ROW \
	"(?,?,?,?,?,CASE WHEN ?=1 THEN (SELECT MAX(id) FROM ledger_entries WHERE txn_id=? AND account=?) END)"

/* The common move, two accounts: the entries in one statement, each linked
 * to its account's chain, then both balance rows in one statement, in
 * account order (so concurrent transactions on PostgreSQL take the row locks
 * in one order). The link is read before the row is locked: on PostgreSQL
 * the only postings that run side by side are submits, whose unsharded
 * account (pending:USER) is guarded by the contributor's lock. */
static int post_two(fc_db *db, const char *cur, const fc_entry *e, const moved *m, int64_t id, int64_t now, fc_err *err)
{
	int rc = fc_db_exec(db, err,
			    "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) "
			    "VALUES" LINKED_ENTRY "," LINKED_ENTRY,
			    "ItItIittItItIitt", id, e[0].account, e[0].amount, cur, now, !sharded(e[0].account),
			    e[0].account, cur, id, e[1].account, e[1].amount, cur, now, !sharded(e[1].account),
			    e[1].account, cur);
	if (rc)
		return rc;
	return fc_db_exec(db, err, BALANCES LINKED_ROW "," LINKED_ROW BALANCES_TAIL, "ttiIIiItttiIIiIt", m[0].account,
			  cur, shard_of(m[0].account, id), m[0].amount, id, !sharded(m[0].account), id, m[0].account,
			  m[1].account, cur, shard_of(m[1].account, id), m[1].amount, id, !sharded(m[1].account), id,
			  m[1].account);
}

/* Any other posting: each account's chain head read, the entries inserted
 * one by one in the caller's order (two of one account chain to each
 * other), then the balance rows in account order. */
static int post_many(fc_db *db, const char *cur, const fc_entry *e, int n, moved *m, int k, int64_t id, int64_t now,
		     fc_err *err)
{
	int rc = 0;
	for (int j = 0; !rc && j < k; j++)
		if (!sharded(m[j].account)) {
			rc = fc_db_int(db, &m[j].last, err,
				       "SELECT COALESCE(last_entry,0) FROM ledger_balances WHERE account=? AND currency=? "
				       "AND shard=0",
				       "tt", m[j].account, cur);
			if (rc == FC_ENOTFOUND) {
				fc_err_clear(err);
				m[j].last = rc = 0;
			}
		}
	for (int i = 0; !rc && i < n; i++) {
		if (!e[i].amount)
			continue;
		moved *a = m;
		while (strcmp(a->account, e[i].account))
			a++;
		int64_t entry;
		rc = fc_db_int(db, &entry, err,
			       "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) "
			       "VALUES(?,?,?,?,?,NULLIF(?,0)) RETURNING id",
			       "ItItII", id, e[i].account, e[i].amount, cur, now, a->last);
		if (!rc && !sharded(a->account))
			a->last = entry;
	}
	for (int j = 0; !rc && j < k; j++)
		rc = fc_db_exec(db, err, BALANCES "(?,?,?,?,?,NULLIF(?,0))" BALANCES_TAIL, "ttiIII", m[j].account, cur,
				shard_of(m[j].account, id), m[j].amount, id, m[j].last);
	return rc;
}

int fc_ledger_post(fc_db *db, const char *currency, const char *memo, const char *ref, const fc_entry *e, int n,
		   int64_t *txn, fc_err *err)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += e[i].amount;
	if (sum != 0 || n < 2 || n > LEDGER_MAX)
		return fc_err_set(err, FC_EINVAL, "unbalanced", NULL,
				  "A ledger transaction must have two to %d entries summing to zero.", LEDGER_MAX);
	moved m[LEDGER_MAX];
	int k = merge(e, n, m);
	int64_t now = fc_clock_now(), id;
	int rc = fc_db_int(db, &id, err,
			   "INSERT INTO ledger_txns(currency,memo,ref,created_at) VALUES(?,?,?,?) RETURNING id", "tttI",
			   currency, memo, ref, now);
	if (!rc)
		rc = n == 2 && k == 2 ? post_two(db, currency, e, m, id, now, err)
				      : post_many(db, currency, e, n, m, k, id, now, err);
	if (!rc && txn)
		*txn = id;
	return rc;
}

int fc_ledger_balance(fc_db *db, const char *account, int64_t *out, fc_err *err)
{
	return fc_db_int(db, out, err, "SELECT COALESCE(SUM(balance),0) FROM ledger_balances WHERE account=?", "t",
			 account);
}

int fc_ledger_balance_cur(fc_db *db, const char *account, const char *currency, int64_t *out, fc_err *err)
{
	return fc_db_int(db, out, err,
			 "SELECT COALESCE(SUM(balance),0) FROM ledger_balances WHERE account=? AND currency=?", "tt",
			 account, currency);
}

int fc_ledger_on_submit(fc_db *db, int64_t project, int64_t user, int64_t submission, int64_t reward,
			const char *currency, fc_err *err)
{
	if (reward == 0)
		return 0;
	char escrow[48], pending[48], ref[48];
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)project);
	snprintf(pending, sizeof pending, "pending:%lld", (long long)user);
	snprintf(ref, sizeof ref, "submission:%lld", (long long)submission);
	fc_entry e[] = {{escrow, -reward}, {pending, reward}};
	return fc_ledger_post(db, currency, "reward earned, pending approval", ref, e, 2, NULL, err);
}

int fc_ledger_escrow_needed(fc_db *db, int64_t project, int64_t *needed, fc_err *err)
{
	return fc_db_int(db, needed, err,
			 /* dynamic overlap may ask up to max_overlap judgments of a task */
			 "SELECT COALESCE(SUM(CASE WHEN need > 0 THEN need * reward ELSE 0 END),0) FROM "
			 "(SELECT CASE WHEN p.confidence_threshold IS NULL THEN p.overlap "
			 "ELSE COALESCE(p.max_overlap, p.overlap) END - t.submitted_count AS need, p.reward AS reward "
			 "FROM tasks t JOIN projects p ON p.id=t.project_id WHERE t.project_id=?) AS slots",
			 "I", project);
}
