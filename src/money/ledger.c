#include "money/ledger.h"
#include "core/clock.h"

#include <stdio.h>

int fc_ledger_post(fc_db *db, const char *currency, const char *memo, const char *ref, const fc_entry *e, int n,
		   int64_t *txn, fc_err *err)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += e[i].amount;
	if (sum != 0 || n < 2)
		return fc_err_set(err, FC_EINVAL, "unbalanced", NULL,
				  "A ledger transaction must have two or more entries summing to zero.");
	int64_t now = fc_clock_now(), id;
	int rc = fc_db_int(db, &id, err,
			   "INSERT INTO ledger_txns(currency,memo,ref,created_at) VALUES(?,?,?,?) RETURNING id", "tttI",
			   currency, memo, ref, now);
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
	return fc_db_int(db, out, err, "SELECT COALESCE(SUM(amount),0) FROM ledger_entries WHERE account=?", "t",
			 account);
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
