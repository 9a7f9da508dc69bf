#include "money/money.h"
#include "money/ledger.h"
#include "work/project.h"

#include <stdio.h>

static int escrow_state(fc_db *db, int64_t project, int64_t *balance, int64_t *needed, fc_err *err)
{
	char acct[48];
	snprintf(acct, sizeof acct, "escrow:%lld", (long long)project);
	int rc = fc_ledger_balance(db, acct, balance, err);
	return rc ? rc : fc_ledger_escrow_needed(db, project, needed, err);
}

int fc_money_check_escrow(fc_db *db, int64_t project, fc_err *err)
{
	int64_t balance, needed;
	int rc = escrow_state(db, project, &balance, &needed, err);
	if (rc)
		return rc;
	if (balance < needed)
		return fc_err_set(err, FC_ECONFLICT, "insufficient_funds", "amount",
				  "The project needs %lld more in escrow to pay every task at its overlap (has %lld, needs %lld).",
				  (long long)(needed - balance), (long long)balance, (long long)needed);
	return 0;
}

int fc_money_fund(fc_store *s, const fc_user *user, int64_t project, int64_t amount, json_t **out, fc_err *err)
{
	if (amount <= 0 || amount > 1000000000000LL)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "amount", "amount must be a positive number of minor units.");
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_access(db, user, project, &access, err)))
		goto out;
	if (access < FC_ACCESS_OWNER) {
		rc = fc_err_set(err, FC_EPERM, "forbidden", NULL, "Only the project's owner may fund it.");
		goto out;
	}
	fc_stmt *st;
	char cur[8] = "USD";
	if (!(rc = fc_db_query(db, &st, err, "SELECT currency, status FROM projects WHERE id=?", "I", project))) {
		if (fc_stmt_next(st) == 1)
			snprintf(cur, sizeof cur, "%s", fc_stmt_text(st, 0));
		fc_stmt_done(st);
	}
	char world[32], escrow[48], ref[48];
	snprintf(world, sizeof world, "world:%s", cur);
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)project);
	snprintf(ref, sizeof ref, "user:%lld", (long long)user->id);
	fc_entry e[] = {{world, -amount}, {escrow, amount}};
	if ((rc = fc_ledger_post(db, cur, "project funded", ref, e, 2, NULL, err)))
		goto out;
	int64_t balance, needed;
	if (!(rc = escrow_state(db, project, &balance, &needed, err)))
		*out = json_pack("{s:I,s:I,s:s,s:I,s:I}", "project_id", (json_int_t)project, "amount", (json_int_t)amount,
				 "currency", cur, "escrow_balance", (json_int_t)balance, "escrow_needed", (json_int_t)needed);
out:
	return fc_db_end(db, &rc, err);
}

int fc_money_earnings(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	char a[3][48];
	int64_t v[3] = {0};
	snprintf(a[0], sizeof a[0], "pending:%lld", (long long)user->id);
	snprintf(a[1], sizeof a[1], "available:%lld", (long long)user->id);
	snprintf(a[2], sizeof a[2], "paid:%lld", (long long)user->id);
	for (int i = 0; !rc && i < 3; i++)
		rc = fc_ledger_balance(db, a[i], &v[i], err);
	double secs = 0;
	int64_t earned = 0;
	fc_stmt *st;
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT COALESCE(SUM(active_seconds),0), COALESCE(SUM(reward),0) FROM submissions "
				      "WHERE user_id=? AND status<>'rejected'",
				      "I", user->id))) {
		if (fc_stmt_next(st) == 1) {
			secs = fc_stmt_double(st, 0);
			earned = fc_stmt_int(st, 1);
		}
		fc_stmt_done(st);
	}
	if (!rc)
		*out = json_pack("{s:I,s:I,s:I,s:s,s:o,s:f}", "pending", (json_int_t)v[0], "available", (json_int_t)v[1],
				 "paid", (json_int_t)v[2], "currency", "USD", "effective_hourly",
				 secs > 0 ? json_integer((json_int_t)((double)earned * 3600.0 / secs)) : json_null(),
				 "seconds_worked", secs);
	fc_db_rollback(db);
	return rc;
}
