#include "money/money.h"
#include "access/access.h"
#include "account/idempotency.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "money/ledger.h"
#include "money/wages.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How often (in clock seconds) the pay floor re-measures one project. */
#define PAY_FLOOR_INTERVAL 600

static void account_name(char *buf, size_t n, const char *kind, int64_t id)
{
	snprintf(buf, n, "%s:%lld", kind, (long long)id);
}

static int balance_cur(fc_db *db, const char *account, const char *cur, int64_t *out, fc_err *err)
{
	return fc_ledger_balance_cur(db, account, cur, out, err);
}

/* What a transaction reference has put into one account so far. */
static int ref_sum(fc_db *db, const char *ref, const char *account, int64_t *out, fc_err *err)
{
	/* the submission's few lines first (ledger_txns_ref): SQLite, without
	 * statistics, would walk the account's lines instead — every pending line
	 * of the contributor, so accepting their N submissions cost N² (CROSS JOIN
	 * fixes SQLite's order; PostgreSQL plans it as a join by its statistics) */
	return fc_db_int(db, out, err,
			 "SELECT COALESCE(SUM(e.amount),0) FROM ledger_txns t CROSS JOIN ledger_entries e "
			 "WHERE e.txn_id=t.id AND t.ref=? AND e.account=?",
			 "tt", ref, account);
}

int fc_money_setting(fc_db *db, const char *key, int64_t def, int64_t *out, fc_err *err)
{
	int rc = fc_db_int(db, out, err, "SELECT value FROM platform_settings WHERE key=?", "t", key);
	if (rc == FC_ENOTFOUND) {
		*out = def;
		return 0;
	}
	return rc;
}

static int project_currency(fc_db *db, int64_t project, char cur[8], char status[16], fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT currency, status FROM projects WHERE id=?", "I", project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(cur, 8, "%s", fc_stmt_text(st, 0));
		if (status)
			snprintf(status, 16, "%s", fc_stmt_text(st, 1));
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such project.");
	}
	fc_stmt_done(st);
	return rc;
}

static int escrow_state(fc_db *db, int64_t project, int64_t *balance, int64_t *needed, fc_err *err)
{
	char a[48];
	account_name(a, sizeof a, "escrow", project);
	int rc = fc_ledger_balance(db, a, balance, err);
	return rc ? rc : fc_ledger_escrow_needed(db, project, needed, err);
}

/* Pays amount to `to` out of the project's escrow; what the escrow lacks is
 * charged to owed:PROJECT (the requester's debt) so the contributor is paid
 * regardless. *escrow_left tracks the escrow balance across calls (pass the
 * balance in; -1 reads it). */
static int charge_project(fc_db *db, int64_t project, const char *cur, int64_t amount, const char *to, const char *memo,
			  const char *ref, int64_t *escrow_left, int64_t *from_debt, int64_t *txn, fc_err *err)
{
	char escrow[48], owed[48];
	account_name(escrow, sizeof escrow, "escrow", project);
	account_name(owed, sizeof owed, "owed", project);
	int64_t bal = escrow_left ? *escrow_left : -1;
	int rc = 0;
	if (bal < 0 && (rc = balance_cur(db, escrow, cur, &bal, err)))
		return rc;
	int64_t take = bal > 0 ? (bal < amount ? bal : amount) : 0, debt = amount - take;
	fc_entry e[] = {{escrow, -take}, {owed, -debt}, {to, amount}};
	if ((rc = fc_ledger_post(db, cur, memo, ref, e, 3, txn, err)))
		return rc;
	if (escrow_left)
		*escrow_left = bal - take;
	if (from_debt)
		*from_debt += debt;
	return 0;
}

int fc_money_check_escrow(fc_db *db, int64_t project, fc_err *err)
{
	int64_t balance, needed;
	int rc = escrow_state(db, project, &balance, &needed, err);
	if (rc)
		return rc;
	if (balance < needed)
		return fc_err_set(err, FC_ECONFLICT, "insufficient_funds", "amount",
				  "The project needs %lld more in escrow to pay every task at its overlap (or max_overlap with dynamic "
				  "overlap; has %lld, needs %lld).",
				  (long long)(needed - balance), (long long)balance, (long long)needed);
	return 0;
}

int fc_money_fund(fc_store *s, const fc_user *user, int64_t project, int64_t amount, json_t **out, fc_err *err)
{
	if (amount <= 0 || amount > 1000000000000LL)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "amount",
				  "amount must be a positive number of minor units.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may fund it.", err)))
		goto out;
	char cur[8] = "USD";
	if ((rc = project_currency(db, project, cur, NULL, err)))
		goto out;
	char world[32], escrow[48], owed[48], ref[48];
	snprintf(world, sizeof world, "world:%s", cur);
	account_name(escrow, sizeof escrow, "escrow", project);
	account_name(owed, sizeof owed, "owed", project);
	account_name(ref, sizeof ref, "user", user->id);
	int64_t bps, debt;
	if ((rc = fc_money_setting(db, "platform_fee_bps", 0, &bps, err)) ||
	    (rc = balance_cur(db, owed, cur, &debt, err)))
		goto out;
	/* the fee is on top: contributors' money is never reduced by it */
	int64_t fee = bps > 0 ? (amount * bps + 9999) / 10000 : 0;
	int64_t repay = debt < 0 ? (-debt < amount ? -debt : amount) : 0;
	fc_entry e[] = {{world, -(amount + fee)}, {owed, repay}, {escrow, amount - repay}, {"fee", fee}};
	if ((rc = fc_ledger_post(db, cur, repay ? "project funded (repays the pay-floor debt first)" : "project funded",
				 ref, e, 4, NULL, err)))
		goto out;
	int64_t balance, needed;
	if (!(rc = escrow_state(db, project, &balance, &needed, err)))
		*out = json_pack("{s:I,s:I,s:I,s:s,s:I,s:I,s:I}", "project_id", (json_int_t)project, "amount",
				 (json_int_t)amount, "fee", (json_int_t)fee, "currency", cur, "escrow_balance",
				 (json_int_t)balance, "escrow_needed", (json_int_t)needed, "debt_repaid",
				 (json_int_t)repay);
	if (!rc)
		rc = fc_idem_record(db, 201, *out, err); /* a retry after a crash replays, never funds twice */
out:
	return fc_db_end(db, &rc, err);
}

/* ---------------- earnings ---------------- */

static json_t *hourly_or_null(int64_t earned, double secs)
{
	return secs > 0 ? json_integer((json_int_t)llround((double)earned * 3600.0 / secs)) : json_null();
}

int fc_money_earnings(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	static const char *kinds[4] = {"pending", "available", "paid", "payout_pending"};
	char a[4][48], cur[8] = "USD";
	int64_t v[4] = {0};
	json_t *projects = json_array(), *entries = json_array(), *byproj = json_object();
	fc_stmt *st;
	/* the currency the user is paid in most recently (one per user in practice) */
	for (int i = 0; i < 4; i++)
		account_name(a[i], sizeof a[i], kinds[i], user->id);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT currency FROM ledger_balances WHERE account IN (?,?) ORDER BY last_txn DESC LIMIT 1",
			      "tt", a[0], a[1])))
		goto out;
	if (fc_stmt_next(st) == 1)
		snprintf(cur, sizeof cur, "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	for (int i = 0; !rc && i < 4; i++)
		rc = balance_cur(db, a[i], cur, &v[i], err);
	if (rc)
		goto out;
	double secs = 0;
	int64_t earned = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT s.project_id, p.title, SUM(s.reward), SUM(s.active_seconds) FROM submissions s "
			      "JOIN projects p ON p.id=s.project_id WHERE s.user_id=? AND s.status<>'rejected' "
			      "GROUP BY s.project_id, p.title ORDER BY s.project_id",
			      "I", user->id)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)fc_stmt_int(st, 0));
		json_t *p = json_pack("{s:I,s:s,s:I,s:f}", "project_id", (json_int_t)fc_stmt_int(st, 0), "title",
				      fc_stmt_text(st, 1) ? fc_stmt_text(st, 1) : "", "earned",
				      (json_int_t)fc_stmt_int(st, 2), "seconds", fc_stmt_double(st, 3));
		json_object_set(byproj, key, p);
		json_array_append_new(projects, p);
		earned += fc_stmt_int(st, 2);
		secs += fc_stmt_double(st, 3);
	}
	fc_stmt_done(st);
	/* bonuses (manual and pay floor) are part of what the work earned */
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT b.project_id, p.title, SUM(b.amount) FROM bonuses b JOIN projects p ON p.id=b.project_id "
			      "WHERE b.user_id=? GROUP BY b.project_id, p.title ORDER BY b.project_id",
			      "I", user->id)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)fc_stmt_int(st, 0));
		json_t *p = json_object_get(byproj, key);
		if (!p) {
			p = json_pack("{s:I,s:s,s:I,s:f}", "project_id", (json_int_t)fc_stmt_int(st, 0), "title",
				      fc_stmt_text(st, 1) ? fc_stmt_text(st, 1) : "", "earned", (json_int_t)0,
				      "seconds", 0.0);
			json_object_set(byproj, key, p);
			json_array_append_new(projects, p);
		}
		json_object_set_new(p, "earned", json_integer(fc_json_int(p, "earned", 0) + fc_stmt_int(st, 2)));
		earned += fc_stmt_int(st, 2);
	}
	fc_stmt_done(st);
	size_t i;
	json_t *p;
	json_array_foreach(projects, i, p)
		json_object_set_new(p, "effective_hourly",
				    hourly_or_null(fc_json_int(p, "earned", 0), fc_json_num(p, "seconds", 0)));
	int64_t rejected = 0, decided = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COALESCE(SUM(CASE WHEN status='rejected' THEN 1 ELSE 0 END),0), "
			      "COALESCE(SUM(CASE WHEN status<>'pending' THEN 1 ELSE 0 END),0) FROM submissions "
			      "WHERE user_id=?",
			      "I", user->id)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		rejected = fc_stmt_int(st, 0);
		decided = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	if ((rc = fc_db_query(db, &st, err,
			      /* the newest 100 of each account's chain (each is in id order, so
			       * the newest 100 of all are among them), and the entries with no
			       * link (older than migration 0036, or first of a chain) */
			      "WITH RECURSIVE c(id, n) AS (SELECT last_entry, 1 FROM ledger_balances "
			      "WHERE account IN (?1,?2,?3,?4) AND shard=0 AND last_entry IS NOT NULL UNION ALL "
			      "SELECT e.prev_id, c.n+1 FROM c JOIN ledger_entries e ON e.id=c.id "
			      "WHERE e.prev_id IS NOT NULL AND c.n<100), "
			      "ids(id) AS (SELECT id FROM c UNION SELECT id FROM ledger_entries "
			      "WHERE account IN (?1,?2,?3,?4) AND prev_id IS NULL) "
			      "SELECT e.created_at, e.account, e.amount, e.currency, t.memo, t.ref FROM ids "
			      "JOIN ledger_entries e ON e.id=ids.id JOIN ledger_txns t ON t.id=e.txn_id "
			      "ORDER BY e.id DESC LIMIT 100",
			      "tttt", a[0], a[1], a[2], a[3])))
		goto out;
	while (fc_stmt_next(st) == 1) {
		char ts[32];
		json_array_append_new(entries,
				      json_pack("{s:s,s:s,s:I,s:s,s:s,s:o}", "at",
						fc_clock_format(fc_stmt_int(st, 0), ts, sizeof ts), "account",
						fc_stmt_text(st, 1), "amount", (json_int_t)fc_stmt_int(st, 2),
						"currency", fc_stmt_text(st, 3), "memo", fc_stmt_text(st, 4), "ref",
						fc_stmt_isnull(st, 5) ? json_null() : json_string(fc_stmt_text(st, 5))));
	}
	fc_stmt_done(st);
	int64_t minimum = 500;
	fc_money_setting(db, "payout_minimum", 500, &minimum, NULL);
	*out = json_pack("{s:I,s:I,s:I,s:I,s:s,s:o,s:f,s:o,s:o,s:o}", "pending", (json_int_t)v[0], "available",
			 (json_int_t)v[1], "paid", (json_int_t)v[2], "payout_pending", (json_int_t)v[3], "currency",
			 cur, "effective_hourly", hourly_or_null(earned, secs), "seconds_worked", secs,
			 "rejection_rate", decided ? json_real((double)rejected / (double)decided) : json_null(),
			 "projects", projects, "entries", entries);
	json_object_set_new(*out, "payout_minimum", json_integer(minimum));
	projects = entries = NULL;
out:
	json_decref(projects);
	json_decref(entries);
	json_decref(byproj);
	fc_db_rollback(db);
	return rc;
}

/* ---------------- review money ---------------- */

typedef struct sub_info {
	int64_t project, user, reward;
	char cur[8], status[16], project_status[16], reason[160];
} sub_info;

static int load_sub(fc_db *db, int64_t sid, sub_info *si, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.project_id, s.user_id, s.reward, p.currency, s.status, p.status, "
			     "COALESCE(s.reason_code,''), COALESCE(s.reason_text,'') FROM submissions s "
			     "JOIN projects p ON p.id=s.project_id WHERE s.id=?",
			     "I", sid);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		si->project = fc_stmt_int(st, 0);
		si->user = fc_stmt_int(st, 1);
		si->reward = fc_stmt_int(st, 2);
		snprintf(si->cur, sizeof si->cur, "%s", fc_stmt_text(st, 3));
		snprintf(si->status, sizeof si->status, "%s", fc_stmt_text(st, 4));
		snprintf(si->project_status, sizeof si->project_status, "%s", fc_stmt_text(st, 5));
		snprintf(si->reason, sizeof si->reason, "%s: %s", fc_stmt_text(st, 6), fc_stmt_text(st, 7));
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such submission.");
	}
	fc_stmt_done(st);
	return rc;
}

int fc_money_on_accept(fc_db *db, int64_t sid, fc_err *err)
{
	sub_info si;
	int rc = load_sub(db, sid, &si, err);
	if (rc)
		return rc;
	char ref[48], pending[48], avail[48];
	account_name(ref, sizeof ref, "submission", sid);
	account_name(pending, sizeof pending, "pending", si.user);
	account_name(avail, sizeof avail, "available", si.user);
	int64_t held;
	if ((rc = ref_sum(db, ref, pending, &held, err)) || held <= 0)
		return rc;
	fc_entry e[] = {{pending, -held}, {avail, held}};
	return fc_ledger_post(db, si.cur, "accepted by a reviewer", ref, e, 2, NULL, err);
}

int fc_money_on_reject(fc_db *db, int64_t sid, fc_err *err)
{
	sub_info si;
	int rc = load_sub(db, sid, &si, err);
	if (rc)
		return rc;
	if (strcmp(si.status, "rejected"))
		return fc_err_set(err, FC_ECONFLICT, "not_rejected", NULL,
				  "Store the rejection and its reason before moving its money.");
	char ref[48], pending[48], escrow[48], memo[200];
	account_name(ref, sizeof ref, "submission", sid);
	account_name(pending, sizeof pending, "pending", si.user);
	account_name(escrow, sizeof escrow, "escrow", si.project);
	snprintf(memo, sizeof memo, "rejected (%s)", si.reason);
	int64_t held;
	if ((rc = ref_sum(db, ref, pending, &held, err)) || held <= 0)
		return rc;
	fc_entry e[] = {{pending, -held}, {escrow, held}};
	if ((rc = fc_ledger_post(db, si.cur, memo, ref, e, 2, NULL, err)))
		return rc;
	/* a closed project keeps no escrow: the money goes back at once */
	return strcmp(si.project_status, "closed") ? 0 : fc_money_on_close(db, si.project, err);
}

int fc_money_on_appeal_upheld(fc_db *db, int64_t sid, fc_err *err)
{
	sub_info si;
	int rc = load_sub(db, sid, &si, err);
	if (rc)
		return rc;
	char ref[48], pending[48], avail[48];
	account_name(ref, sizeof ref, "submission", sid);
	account_name(pending, sizeof pending, "pending", si.user);
	account_name(avail, sizeof avail, "available", si.user);
	int64_t in_pending, in_avail;
	if ((rc = ref_sum(db, ref, pending, &in_pending, err)) || (rc = ref_sum(db, ref, avail, &in_avail, err)))
		return rc;
	if (in_pending > 0) {
		fc_entry e[] = {{pending, -in_pending}, {avail, in_pending}};
		if ((rc = fc_ledger_post(db, si.cur, "appeal upheld: reward released", ref, e, 2, NULL, err)))
			return rc;
		in_avail += in_pending;
	}
	int64_t owed = si.reward - in_avail;
	if (owed <= 0)
		return 0;
	return charge_project(db, si.project, si.cur, owed, avail, "appeal upheld: reward paid", ref, NULL, NULL, NULL,
			      err);
}

int fc_money_on_close(fc_db *db, int64_t project, fc_err *err)
{
	char cur[8], world[32], escrow[48], owed[48], ref[48];
	int rc = project_currency(db, project, cur, NULL, err);
	if (rc)
		return rc;
	snprintf(world, sizeof world, "world:%s", cur);
	account_name(escrow, sizeof escrow, "escrow", project);
	account_name(owed, sizeof owed, "owed", project);
	account_name(ref, sizeof ref, "project", project);
	int64_t bal, debt;
	if ((rc = balance_cur(db, escrow, cur, &bal, err)) || (rc = balance_cur(db, owed, cur, &debt, err)))
		return rc;
	if (bal <= 0)
		return 0;
	int64_t repay = debt < 0 ? (-debt < bal ? -debt : bal) : 0;
	fc_entry e[] = {{escrow, -bal}, {owed, repay}, {world, bal - repay}};
	return fc_ledger_post(db, cur, "project closed: unused escrow returned to the requester", ref, e, 3, NULL, err);
}

/* ---------------- requester view ---------------- */

int fc_money_project(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *runs = json_array();
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may see its money.",
				     err)))
		goto out;
	char cur[8], owed_acct[48];
	if ((rc = project_currency(db, project, cur, NULL, err)))
		goto out;
	account_name(owed_acct, sizeof owed_acct, "owed", project);
	int64_t balance, needed, owed, spent = 0, pending = 0, accepted = 0, bonuses = 0;
	if ((rc = escrow_state(db, project, &balance, &needed, err)) ||
	    (rc = balance_cur(db, owed_acct, cur, &owed, err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COALESCE(SUM(CASE WHEN status IN ('accepted','auto_accepted') THEN reward END),0), "
			      "COALESCE(SUM(CASE WHEN status='pending' THEN reward END),0), "
			      "COALESCE(SUM(CASE WHEN status IN ('accepted','auto_accepted') THEN 1 ELSE 0 END),0) FROM submissions "
			      "WHERE project_id=?",
			      "I", project)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		spent = fc_stmt_int(st, 0);
		pending = fc_stmt_int(st, 1);
		accepted = fc_stmt_int(st, 2);
	}
	fc_stmt_done(st);
	if ((rc = fc_db_int(db, &bonuses, err, "SELECT COALESCE(SUM(amount),0) FROM bonuses WHERE project_id=?", "I",
			    project)))
		goto out;
	spent += bonuses;
	if ((rc = fc_db_query(
		     db, &st, err,
		     "SELECT at, median_seconds, floor_per_hour, old_reward, new_reward, submissions, contributors, "
		     "total, from_escrow, from_debt FROM pay_floor_runs WHERE project_id=? ORDER BY id DESC LIMIT 100",
		     "I", project)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		char ts[32];
		json_array_append_new(runs,
				      json_pack("{s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "at",
						fc_clock_format(fc_stmt_int(st, 0), ts, sizeof ts), "median_seconds",
						fc_stmt_double(st, 1), "floor_per_hour", (json_int_t)fc_stmt_int(st, 2),
						"old_reward", (json_int_t)fc_stmt_int(st, 3), "new_reward",
						(json_int_t)fc_stmt_int(st, 4), "submissions",
						(json_int_t)fc_stmt_int(st, 5), "contributors",
						(json_int_t)fc_stmt_int(st, 6), "total", (json_int_t)fc_stmt_int(st, 7),
						"from_escrow", (json_int_t)fc_stmt_int(st, 8), "from_debt",
						(json_int_t)fc_stmt_int(st, 9)));
	}
	fc_stmt_done(st);
	*out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:s,s:o}", "project_id", (json_int_t)project,
			 "escrow_balance", (json_int_t)balance, "escrow_needed", (json_int_t)needed, "owed",
			 (json_int_t)(owed < 0 ? -owed : 0), "spent", (json_int_t)spent, "pending", (json_int_t)pending,
			 "accepted", (json_int_t)accepted, "cost_per_accepted",
			 accepted ? json_integer((json_int_t)llround((double)spent / (double)accepted)) : json_null(),
			 "currency", cur, "floor_topups", runs);
	json_object_set_new(*out, "bonuses", json_integer((json_int_t)bonuses));
	runs = NULL;
out:
	json_decref(runs);
	fc_db_rollback(db);
	return rc;
}

/* ---------------- bonuses ---------------- */

static int insert_bonus(fc_db *db, int64_t project, int64_t user, int64_t amount, const char *cur, const char *kind,
			const char *reason, int64_t by, int64_t now, int64_t *id, fc_err *err)
{
	return fc_db_int(db, id, err,
			 "INSERT INTO bonuses(project_id,user_id,amount,currency,kind,reason,created_by,created_at) "
			 "VALUES(?,?,?,?,?,?,?,?) RETURNING id",
			 "IIItttII", project, user, amount, cur, kind, reason, by, now);
}

int fc_money_bonus(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"user_id", FC_J_INT | FC_J_REQUIRED},
				     {"amount", FC_J_INT | FC_J_REQUIRED},
				     {"reason", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	int64_t to = fc_json_int(body, "user_id", 0), amount = fc_json_int(body, "amount", 0);
	const char *reason = fc_json_str(body, "reason", "");
	size_t rl = strlen(reason), sp = strspn(reason, " \t\r\n");
	if (sp == rl)
		return fc_err_set(err, FC_EINVAL, "missing_reason", "reason",
				  "A bonus needs a reason the contributor can read.");
	if (rl > 1000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "reason", "reason must be at most 1000 characters.");
	if (amount <= 0 || amount > 100000000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "amount",
				  "amount must be a positive number of minor units.");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may give bonuses.",
				     err)))
		goto out;
	int64_t worked;
	if (fc_db_int(db, &worked, NULL, "SELECT 1 FROM project_members WHERE project_id=? AND user_id=? AND role='owner'",
		      "II", project, to) == 0) {
		rc = fc_err_set(err, FC_EINVAL, "own_project", "user_id",
				"An owner cannot be paid a bonus from their own project.");
		goto out;
	}
	if (fc_db_int(db, &worked, NULL, "SELECT 1 FROM submissions WHERE project_id=? AND user_id=? LIMIT 1", "II",
		      project, to)) {
		rc = fc_err_set(err, FC_EINVAL, "not_a_contributor", "user_id",
				"User %lld has no submission in this project.", (long long)to);
		goto out;
	}
	char cur[8], escrow[48], avail[48], ref[48], memo[1100];
	if ((rc = project_currency(db, project, cur, NULL, err)))
		goto out;
	account_name(escrow, sizeof escrow, "escrow", project);
	account_name(avail, sizeof avail, "available", to);
	int64_t bal, id, txn, now = fc_clock_now();
	if ((rc = balance_cur(db, escrow, cur, &bal, err)))
		goto out;
	if (bal < amount) {
		rc = fc_err_set(err, FC_ECONFLICT, "insufficient_funds", "amount",
				"The project's escrow has %lld; fund it before giving a bonus of %lld.", (long long)bal,
				(long long)amount);
		goto out;
	}
	if ((rc = insert_bonus(db, project, to, amount, cur, "manual", reason, user->id, now, &id, err)))
		goto out;
	account_name(ref, sizeof ref, "bonus", id);
	snprintf(memo, sizeof memo, "bonus: %s", reason);
	fc_entry e[] = {{escrow, -amount}, {avail, amount}};
	if ((rc = fc_ledger_post(db, cur, memo, ref, e, 2, &txn, err)) ||
	    (rc = fc_db_exec(db, err, "UPDATE bonuses SET txn_id=? WHERE id=?", "II", txn, id)))
		goto out;
	char ts[32];
	*out = json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "project_id", (json_int_t)project,
			 "user_id", (json_int_t)to, "amount", (json_int_t)amount, "currency", cur, "kind", "manual",
			 "reason", reason, "created_at", fc_clock_format(now, ts, sizeof ts));
	rc = fc_idem_record(db, 201, *out, err);
out:
	return fc_db_end(db, &rc, err);
}

static json_t *bonus_row(fc_stmt *st)
{
	return json_pack("{s:I,s:I,s:s?,s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "user_id",
			 (json_int_t)fc_stmt_int(st, 1), "user", fc_stmt_text(st, 2), "amount",
			 (json_int_t)fc_stmt_int(st, 3), "currency", fc_stmt_text(st, 4), "kind", fc_stmt_text(st, 5),
			 "reason", fc_stmt_text(st, 6), "created_at", fc_stmt_time(st, 7));
}

int fc_money_bonuses(fc_store *s, const fc_user *user, int64_t project, int limit, int64_t after, json_t **out,
		     fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner sees its bonuses.",
				      err)) &&
	    !(rc = fc_db_query(db, &st, err,
			       "SELECT b.id, b.user_id, u.display_name, b.amount, b.currency, b.kind, b.reason, "
			       "b.created_at FROM bonuses b JOIN users u ON u.id=b.user_id WHERE b.project_id=? AND "
			       "b.id>? ORDER BY b.id LIMIT ?",
			       "IIi", project, after, limit + 1))) {
		*out = fc_stmt_page(st, limit, bonus_row);
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

/* ---------------- pay floor ---------------- */

typedef struct due {
	int64_t sub, user, deficit;
} due;

/* Median of the project's measured time over submissions not rejected
 * (rejected work is excluded: one bad actor's 2-second spam must not lower
 * everybody's measured time). */
static int project_median(fc_db *db, int64_t project, int64_t n, double *median, fc_err *err)
{
	double v[2] = {0, 0};
	int64_t offs[2] = {(n - 1) / 2, n / 2};
	for (int i = 0; i < 2; i++) {
		fc_stmt *st;
		int rc = fc_db_query(db, &st, err,
				     "SELECT active_seconds FROM submissions WHERE project_id=? AND status<>'rejected' "
				     "ORDER BY active_seconds LIMIT 1 OFFSET ?",
				     "II", project, offs[i]);
		if (rc)
			return rc;
		if (fc_stmt_next(st) == 1)
			v[i] = fc_stmt_double(st, 0);
		fc_stmt_done(st);
	}
	*median = (v[0] + v[1]) / 2;
	return 0;
}

/* A contributor of the project whose country's minimum wage, in the
 * project's currency, is above the platform's floor. */
typedef struct wage {
	int64_t user, hourly, target;
} wage;

/* The contributor's entry (w is sorted by user: load_wages reads them in
 * order), or NULL when the platform floor applies to them. A binary search:
 * the floor job asks once per short submission. */
static const wage *wage_of(const wage *w, size_t n, int64_t user)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w[mid].user == user)
			return &w[mid];
		if (w[mid].user < user)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int64_t user_target(const wage *w, size_t n, int64_t user, int64_t target)
{
	const wage *e = wage_of(w, n, user);
	return e ? e->target : target;
}

static int64_t user_hourly(const wage *w, size_t n, int64_t user, int64_t floor)
{
	const wage *e = wage_of(w, n, user);
	return e ? e->hourly : floor;
}

/* The project's contributors with accepted work whose country's wage
 * beats the floor; *top = the highest target of all. */
static int load_wages(fc_db *db, int64_t project, const char *cur, int64_t floor, double median, wage **out, size_t *n,
		      int64_t *top, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT DISTINCT s.user_id FROM submissions s JOIN users u ON u.id=s.user_id "
			     "JOIN minimum_wages m ON m.country=u.country WHERE s.project_id=? AND "
			     "s.status IN ('accepted','auto_accepted') ORDER BY s.user_id",
			     "I", project);
	if (rc)
		return rc;
	int64_t *users = NULL;
	size_t nu = 0, cap = 0;
	while (fc_stmt_next(st) == 1) {
		if (nu == cap) {
			cap = cap ? cap * 2 : 16;
			int64_t *nx = realloc(users, cap * sizeof *users);
			if (!nx) {
				fc_stmt_done(st);
				free(users);
				return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			}
			users = nx;
		}
		users[nu++] = fc_stmt_int(st, 0);
	}
	fc_stmt_done(st);
	wage *w = nu ? calloc(nu, sizeof *w) : NULL;
	if (nu && !w) {
		free(users);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	size_t k = 0;
	for (size_t i = 0; i < nu; i++) {
		int64_t hourly = fc_wage_of(db, users[i], cur);
		if (hourly <= floor)
			continue;
		w[k] = (wage){users[i], hourly, (int64_t)ceil((double)hourly * median / 3600.0 - 1e-9)};
		if (w[k].target > *top)
			*top = w[k].target;
		k++;
	}
	free(users);
	*out = w;
	*n = k;
	return 0;
}

static int floor_project(fc_store *s, int64_t project, int64_t now, int64_t floor, int64_t min_subs, int64_t *topped,
			 fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	due *d = NULL;
	wage *w = NULL;
	size_t nd = 0, cap = 0, nw = 0;
	int64_t n, reward;
	char cur[8], status[16];
	if ((rc = project_currency(db, project, cur, status, err)) ||
	    (rc = fc_db_int(db, &reward, err, "SELECT reward FROM projects WHERE id=?", "I", project)) ||
	    (rc = fc_db_int(db, &n, err, "SELECT COUNT(*) FROM submissions WHERE project_id=? AND status<>'rejected'",
			    "I", project)))
		goto out;
	if (strcmp(status, "live") || n < min_subs)
		goto out; /* not measured enough yet: look again next time */
	if ((rc = fc_db_exec(db, err,
			     "INSERT INTO pay_floor_state(project_id,checked_at) VALUES(?,?) "
			     "ON CONFLICT(project_id) DO UPDATE SET checked_at=excluded.checked_at",
			     "II", project, now)))
		goto out;
	double median;
	if ((rc = project_median(db, project, n, &median, err)) || median <= 0)
		goto out;
	/* what one submission must pay for the median time to earn the floor;
	 * a contributor whose country's minimum wage is higher is owed that
	 * (wages.h): their own target, the project's reward stays at the
	 * platform's */
	int64_t target = (int64_t)ceil((double)floor * median / 3600.0 - 1e-9);
	int64_t top = target;
	if ((rc = load_wages(db, project, cur, floor, median, &w, &nw, &top, err)))
		goto out;
	if (reward >= top) {
		/* the reward meets every floor; older submissions made at a lower
		 * reward may still be short, so look only when some exist */
		int64_t short_ones = 0;
		if ((rc = fc_db_int(db, &short_ones, err,
				    "SELECT COUNT(*) FROM submissions WHERE project_id=? AND reward<? AND "
				    "status IN ('accepted','auto_accepted')",
				    "II", project, top)) ||
		    short_ones == 0)
			goto out;
	}
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT s.id, s.user_id, s.reward + COALESCE(f.amount,0) FROM submissions s "
			      "LEFT JOIN floor_topups f ON f.submission_id=s.id WHERE s.project_id=? AND "
			      "s.status IN ('accepted','auto_accepted') AND s.reward + COALESCE(f.amount,0) < ? "
			      /* an owner's own work is never paid, not even by the floor */
			      "AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id=s.project_id AND "
			      "m.user_id=s.user_id AND m.role='owner') "
			      "ORDER BY s.user_id, s.id",
			      "II", project, top)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		int64_t user = fc_stmt_int(st, 1), deficit = user_target(w, nw, user, target) - fc_stmt_int(st, 2);
		if (deficit <= 0)
			continue;
		if (nd == cap) {
			cap = cap ? cap * 2 : 64;
			due *nd2 = realloc(d, cap * sizeof *d);
			if (!nd2) {
				fc_stmt_done(st);
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				goto out;
			}
			d = nd2;
		}
		d[nd].sub = fc_stmt_int(st, 0);
		d[nd].user = user;
		d[nd].deficit = deficit;
		nd++;
	}
	fc_stmt_done(st);
	char escrow[48];
	account_name(escrow, sizeof escrow, "escrow", project);
	int64_t escrow_left, from_debt = 0, total = 0, contributors = 0;
	if ((rc = balance_cur(db, escrow, cur, &escrow_left, err)))
		goto out;
	for (size_t i = 0; i < nd;) {
		size_t j = i;
		int64_t sum = 0;
		for (; j < nd && d[j].user == d[i].user; j++) {
			sum += d[j].deficit;
			if ((rc = fc_db_exec(db, err,
					     "INSERT INTO floor_topups(submission_id,project_id,user_id,amount,updated_at) "
					     "VALUES(?,?,?,?,?) ON CONFLICT(submission_id) DO UPDATE SET "
					     "amount=floor_topups.amount+excluded.amount, updated_at=excluded.updated_at",
					     "IIIII", d[j].sub, project, d[j].user, d[j].deficit, now)))
				goto out;
		}
		char reason[400], ref[48], avail[48];
		int64_t ut = user_target(w, nw, d[i].user, target);
		snprintf(reason, sizeof reason,
			 "Pay floor top-up: this project's tasks take a median %.0f seconds of measured work, so a reward "
			 "below %lld fell under %s of %lld per hour; %zu of your submissions were topped up to %lld each.",
			 median, (long long)ut, ut > target ? "your country's minimum wage" : "the platform's floor",
			 (long long)(ut > target ? user_hourly(w, nw, d[i].user, floor) : floor), j - i, (long long)ut);
		int64_t id, txn;
		if ((rc = insert_bonus(db, project, d[i].user, sum, cur, "pay_floor", reason, 0, now, &id, err)))
			goto out;
		account_name(ref, sizeof ref, "bonus", id);
		account_name(avail, sizeof avail, "available", d[i].user);
		if ((rc = charge_project(db, project, cur, sum, avail, reason, ref, &escrow_left, &from_debt, &txn, err)) ||
		    (rc = fc_db_exec(db, err, "UPDATE bonuses SET created_by=NULL, txn_id=? WHERE id=?", "II", txn, id)))
			goto out;
		total += sum;
		contributors++;
		i = j;
	}
	int64_t new_reward = reward < target ? target : reward;
	if (new_reward != reward && (rc = fc_db_exec(db, err, "UPDATE projects SET reward=?, updated_at=? WHERE id=?",
						     "III", new_reward, now, project)))
		goto out;
	if (nd == 0 && new_reward == reward)
		goto out;
	if ((rc = fc_db_exec(db, err,
			     "INSERT INTO pay_floor_runs(project_id,at,median_seconds,floor_per_hour,old_reward,new_reward,"
			     "submissions,contributors,total,from_escrow,from_debt) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
			     "IIdIIIIIIII", project, now, median, floor, reward, new_reward, (int64_t)nd, contributors,
			     total, total - from_debt, from_debt)))
		goto out;
	/* recorded in the audit log by privacy/, in this transaction */
	fc_event ev = {.kind = FC_EV_PAY_TOPPED_UP, .project = project, .count = (int64_t)nd, .amount = total};
	if ((rc = fc_events_publish(db, &ev, err)))
		goto out;
	*topped += (int64_t)nd;
out:
	free(d);
	free(w);
	return fc_db_end(db, &rc, err);
}

int fc_money_pay_floor(fc_store *s, int64_t now, int64_t *topped_up, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	int64_t floor = 0, min_subs = 0, *ids = NULL;
	size_t n = 0, cap = 0;
	fc_stmt *st;
	if ((rc = fc_money_setting(db, "pay_floor_per_hour", 1200, &floor, err)) ||
	    (rc = fc_money_setting(db, "pay_floor_min_submissions", 5, &min_subs, err)))
		goto done;
	if (floor <= 0)
		goto done;
	/* volunteer projects (reward 0) are not paid work and are left alone */
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT p.id FROM projects p LEFT JOIN pay_floor_state f ON f.project_id=p.id "
			      "WHERE p.status='live' AND p.reward>0 AND (f.checked_at IS NULL OR f.checked_at<=? OR f.checked_at>?)",
			      "II", now - PAY_FLOOR_INTERVAL, now)))
		goto done;
	while (fc_stmt_next(st) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			int64_t *nids = realloc(ids, cap * sizeof *ids);
			if (!nids) {
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				break;
			}
			ids = nids;
		}
		ids[n++] = fc_stmt_int(st, 0);
	}
	fc_stmt_done(st);
done:
	fc_db_rollback(db);
	for (size_t i = 0; !rc && i < n; i++)
		rc = floor_project(s, ids[i], now, floor, min_subs < 1 ? 1 : min_subs, topped_up, err);
	free(ids);
	return rc;
}
