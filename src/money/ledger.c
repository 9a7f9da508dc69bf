#include "money/ledger.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

/* The most entries one posting may have (the money code posts up to 4). */
#define LEDGER_MAX 8

#define UPSERT_ROW "(?,?,?,?,?)"
#define UPSERT_TAIL \
	" ON CONFLICT(account,currency,shard) DO UPDATE SET balance=ledger_balances.balance+excluded.balance, " \
	"last_txn=excluded.last_txn"

static int shard_of(const char *account, int64_t txn)
{
	return strncmp(account, "escrow:", 7) ? 0 : (int)(txn % LEDGER_SHARDS);
}

/* Adds a posting's amounts to its balance rows: one row per account (the
 * entries of one account merged), in account-name order, so concurrent
 * transactions on PostgreSQL take the row locks in one order. The common
 * two-account move is one statement. */
static int add_balances(fc_db *db, const char *cur, const fc_entry *e, int n, int64_t txn, fc_err *err)
{
	struct {
		const char *account;
		int64_t amount;
	} m[LEDGER_MAX];
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
		memmove(&m[j + 1], &m[j], (size_t)(k - j) * sizeof m[0]);
		m[j].account = e[i].account;
		m[j].amount = e[i].amount;
		k++;
	}
	if (k == 2 && m[0].amount && m[1].amount)
		return fc_db_exec(db, err,
				  "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) "
				  "VALUES" UPSERT_ROW "," UPSERT_ROW UPSERT_TAIL,
				  "ttiIIttiII", m[0].account, cur, shard_of(m[0].account, txn), m[0].amount, txn,
				  m[1].account, cur, shard_of(m[1].account, txn), m[1].amount, txn);
	int rc = 0;
	for (int i = 0; !rc && i < k; i++)
		if (m[i].amount)
			rc = fc_db_exec(db, err,
					"INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) "
					"VALUES" UPSERT_ROW UPSERT_TAIL,
					"ttiII", m[i].account, cur, shard_of(m[i].account, txn), m[i].amount, txn);
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
	int64_t now = fc_clock_now(), id;
	int rc = fc_db_int(db, &id, err,
			   "INSERT INTO ledger_txns(currency,memo,ref,created_at) VALUES(?,?,?,?) RETURNING id", "tttI",
			   currency, memo, ref, now);
	if (!rc)
		rc = add_balances(db, currency, e, n, id, err);
	if (!rc && n == 2 && e[0].amount && e[1].amount) { /* the common move: one statement */
		rc = fc_db_exec(db, err,
				"INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
				"VALUES(?,?,?,?,?),(?,?,?,?,?)",
				"ItItIItItI", id, e[0].account, e[0].amount, currency, now, id, e[1].account,
				e[1].amount, currency, now);
		n = 0;
	}
	for (int i = 0; !rc && i < n; i++) {
		if (e[i].amount == 0)
			continue;
		rc = fc_db_exec(db, err,
				"INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) VALUES(?,?,?,?,?)",
				"ItItI", id, e[i].account, e[i].amount, currency, now);
	}
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
