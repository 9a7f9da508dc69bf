/* Review money (accept, reject, appeal), close, the pay floor job and the
 * ledger check, driven through the store directly. */
#include "core/clock.h"
#include "events/events.h"
#include "money/ledger.h"
#include "money/money.h"
#include "money/payout.h"
#include "store/store.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];
static fc_store *S;
static int64_t OWNER, C1, C2;

static int64_t one(const char *sql, const char *fmt, ...);

static void exec_ok(const char *sql)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_exec(db, &e, sql, "");
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s: %s", sql, e.msg);
}

/* Rebuilds the balance rows from the entries, as migration 0036 does: for
 * the tests that write entries with raw SQL, past fc_ledger_post. */
static void resync(void)
{
	exec_ok("DELETE FROM ledger_balances");
	exec_ok("INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) "
		"SELECT account,currency,0,SUM(amount),MAX(txn_id) FROM ledger_entries GROUP BY account,currency");
}

static int64_t add_user(const char *email)
{
	fc_db *db;
	fc_err e = {0};
	int64_t id = 0;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_int(db, &id, &e,
			   "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?) RETURNING id",
			   "tttI", email, "h", "n", (int64_t)1);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	return id;
}

static void up(void)
{
	snprintf(dir, sizeof dir, "/tmp/fc-money-XXXXXX");
	cr_assert(mkdtemp(dir));
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&S, dir, &e), 0, "%s", e.msg);
	fc_clock_set(1893456000);
	OWNER = add_user("owner@x.org");
	C1 = add_user("c1@x.org");
	C2 = add_user("c2@x.org");
}

static void down(void)
{
	fc_store_close(S);
	fc_clock_set(-1);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(money, .init = up, .fini = down);

static int64_t balance(const char *kind, int64_t id)
{
	char a[48];
	snprintf(a, sizeof a, "%s:%lld", kind, (long long)id);
	return one("SELECT COALESCE(SUM(amount),0) FROM ledger_entries WHERE account=?", "t", a);
}

static int64_t one(const char *sql, const char *fmt, ...)
{
	/* only the formats these tests use: "", "t", "I" */
	fc_db *db;
	fc_err e = {0};
	int64_t v = 0;
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	va_list ap;
	va_start(ap, fmt);
	int rc;
	if (!strcmp(fmt, "t"))
		rc = fc_db_int(db, &v, &e, sql, "t", va_arg(ap, const char *));
	else if (!strcmp(fmt, "I"))
		rc = fc_db_int(db, &v, &e, sql, "I", va_arg(ap, int64_t));
	else
		rc = fc_db_int(db, &v, &e, sql, "");
	va_end(ap);
	fc_db_rollback(db);
	cr_assert_eq(rc, 0, "%s: %s", sql, e.msg);
	return v;
}

/* A live project funded with `fund`. */
static int64_t project(int64_t reward, int64_t fund)
{
	fc_db *db;
	fc_err e = {0};
	int64_t id;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_int(db, &id, &e,
			   "INSERT INTO projects(owner_id,kind,title,reward,status,created_at,updated_at) "
			   "VALUES(?,'annotation','p',?,'live',1,1) RETURNING id",
			   "II", OWNER, reward);
	char escrow[48];
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)id);
	fc_entry en[] = {{"world:USD", -fund}, {escrow, fund}};
	if (!rc && fund)
		rc = fc_ledger_post(db, "USD", "funded", "test", en, 2, NULL, &e);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	return id;
}

/* A submission by user with its reward moved escrow → pending. */
static int64_t submission(int64_t project, int64_t user, int64_t reward, double secs, const char *status)
{
	fc_db *db;
	fc_err e = {0};
	int64_t task, aid, sid;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_int(db, &task, &e, "INSERT INTO tasks(project_id,data,created_at) VALUES(?,'{}',1) RETURNING id",
			   "I", project);
	if (!rc)
		rc = fc_db_int(db, &aid, &e,
			       "INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status) "
			       "VALUES(?,?,?,1,2,'submitted') RETURNING id",
			       "III", task, project, user);
	if (!rc)
		rc = fc_db_int(db, &sid, &e,
			       "INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,status,"
			       "reward,created_at) VALUES(?,?,?,?,'[]',?,?,?,1) RETURNING id",
			       "IIIIdtI", aid, task, project, user, secs, status, reward);
	if (!rc)
		rc = fc_ledger_on_submit(db, project, user, sid, reward, "USD", &e);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	return sid;
}

typedef int (*hook)(fc_db *, int64_t, fc_err *);
static int run(hook h, int64_t id, const char *before_sql, fc_err *e)
{
	fc_db *db;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, e), 0);
	int rc = before_sql ? fc_db_exec(db, e, before_sql, "I", id) : 0;
	if (!rc)
		rc = h(db, id, e);
	return fc_db_end(db, &rc, e);
}

static int64_t violations(void)
{
	fc_err e = {0};
	int64_t v = -1;
	FILE *f = fopen("/dev/null", "w");
	cr_assert_eq(fc_money_ledger_check(S, f, &v, &e), 0, "%s", e.msg);
	fclose(f);
	return v;
}

Test(money, accept_moves_pending_to_available_once)
{
	int64_t p = project(100, 1000), s = submission(p, C1, 100, 30, "pending");
	cr_expect_eq(balance("pending", C1), 100);
	fc_err e = {0};
	cr_assert_eq(run(fc_money_on_accept, s, "UPDATE submissions SET status='accepted' WHERE id=?", &e), 0, "%s",
		     e.msg);
	cr_expect_eq(balance("pending", C1), 0);
	cr_expect_eq(balance("available", C1), 100);
	cr_assert_eq(run(fc_money_on_accept, s, NULL, &e), 0);
	cr_expect_eq(balance("available", C1), 100, "a second call moves nothing");
	cr_expect_eq(violations(), 0);
}

Test(money, reject_needs_the_stored_reason_and_returns_to_escrow)
{
	int64_t p = project(100, 1000), s = submission(p, C1, 100, 30, "pending");
	fc_err e = {0};
	cr_expect_eq(run(fc_money_on_reject, s, NULL, &e), FC_ECONFLICT, "not rejected yet");
	cr_expect_str_eq(e.slug, "not_rejected");
	fc_err_clear(&e);
	/* the table refuses a rejection without a reason */
	cr_expect_neq(run(fc_money_on_reject, s, "UPDATE submissions SET status='rejected' WHERE id=?", &e), 0);
	fc_err_clear(&e);
	cr_assert_eq(run(fc_money_on_reject, s,
			 "UPDATE submissions SET status='rejected', reason_code='spam', reason_text='Random clicks' WHERE id=?",
			 &e),
		     0, "%s", e.msg);
	cr_expect_eq(balance("pending", C1), 0);
	cr_expect_eq(balance("escrow", p), 1000);
	char ref[48];
	snprintf(ref, sizeof ref, "submission:%lld", (long long)s);
	cr_expect_eq(one("SELECT COUNT(*) FROM ledger_txns WHERE ref=? AND memo LIKE 'rejected (spam: Random clicks)'",
			 "t", ref),
		     1);
	/* appeal upheld: escrow → available */
	cr_assert_eq(run(fc_money_on_appeal_upheld, s, "UPDATE submissions SET status='accepted' WHERE id=?", &e), 0,
		     "%s", e.msg);
	cr_expect_eq(balance("available", C1), 100);
	cr_expect_eq(balance("escrow", p), 900);
	cr_assert_eq(run(fc_money_on_appeal_upheld, s, NULL, &e), 0);
	cr_expect_eq(balance("available", C1), 100, "upheld twice pays once");
	cr_expect_eq(violations(), 0);
}

Test(money, appeal_with_empty_escrow_charges_the_requester)
{
	int64_t p = project(100, 100), s = submission(p, C1, 100, 30, "pending");
	fc_err e = {0};
	cr_assert_eq(run(fc_money_on_reject, s,
			 "UPDATE submissions SET status='rejected', reason_code='x', reason_text='y' WHERE id=?", &e),
		     0);
	/* the escrow is spent elsewhere (another submission) */
	submission(p, C2, 100, 30, "pending");
	cr_assert_eq(run(fc_money_on_appeal_upheld, s, "UPDATE submissions SET status='accepted' WHERE id=?", &e), 0);
	cr_expect_eq(balance("available", C1), 100);
	cr_expect_eq(balance("owed", p), -100);
	cr_expect_eq(balance("escrow", p), 0);
	cr_expect_eq(violations(), 0);
}

Test(money, close_returns_escrow_and_repays_debt)
{
	int64_t p = project(100, 500);
	fc_db *db;
	fc_err e = {0};
	char escrow[48], owed[48];
	snprintf(escrow, sizeof escrow, "escrow:%lld", (long long)p);
	snprintf(owed, sizeof owed, "owed:%lld", (long long)p);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	fc_entry en[] = {{owed, -150}, {"available:2", 150}};
	int rc = fc_ledger_post(db, "USD", "debt", "t", en, 2, NULL, &e);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(run(fc_money_on_close, p, "UPDATE projects SET status='closed' WHERE id=?", &e), 0, "%s", e.msg);
	cr_expect_eq(balance("escrow", p), 0);
	cr_expect_eq(balance("owed", p), 0);
	cr_expect_eq(one("SELECT COALESCE(SUM(amount),0) FROM ledger_entries WHERE account='world:USD'", ""), -500 + 350);
	/* a late rejection in a closed project goes straight back to the requester */
	int64_t s = submission(p, C1, 100, 30, "pending");
	cr_assert_eq(run(fc_money_on_reject, s,
			 "UPDATE submissions SET status='rejected', reason_code='x', reason_text='y' WHERE id=?", &e),
		     0);
	cr_expect_eq(balance("escrow", p), 0);
	cr_expect_eq(violations(), 0);
}

Test(money, pay_floor_uses_the_median_and_never_pays_twice)
{
	int64_t p = project(20, 20 * 7);
	/* 7 accepted submissions: median of 60..1800 is 600 s */
	double secs[] = {60, 120, 300, 600, 900, 1200, 1800};
	int64_t sub[7];
	for (int i = 0; i < 7; i++)
		sub[i] = submission(p, i < 4 ? C1 : C2, 20, secs[i], "accepted");
	fc_err e = {0};
	/* accepted: move each reward to available as review would */
	for (int i = 0; i < 7; i++)
		cr_assert_eq(run(fc_money_on_accept, sub[i], NULL, &e), 0);
	int64_t n = 0;
	uint64_t topups = fc_events_published(FC_EV_PAY_TOPPED_UP);
	cr_assert_eq(fc_money_pay_floor(S, fc_clock_now(), &n, &e), 0, "%s", e.msg);
	cr_expect_eq(n, 7);
	/* ceil(1200 * 600 / 3600) = 200 per submission: 180 more each */
	cr_expect_eq(balance("available", C1), 4 * 200);
	cr_expect_eq(balance("available", C2), 3 * 200);
	cr_expect_eq(one("SELECT reward FROM projects WHERE id=?", "I", p), 200);
	cr_expect_eq(one("SELECT COUNT(*) FROM bonuses WHERE project_id=? AND kind='pay_floor'", "I", p), 2);
	/* one event for the audit log (privacy/ records it) */
	cr_expect_eq(fc_events_published(FC_EV_PAY_TOPPED_UP), topups + 1);
	cr_expect_eq(balance("owed", p), -(7 * 180));
	/* again, at once and after the interval: nothing more */
	n = 0;
	cr_assert_eq(fc_money_pay_floor(S, fc_clock_now(), &n, &e), 0);
	cr_assert_eq(fc_money_pay_floor(S, fc_clock_now() + 3600, &n, &e), 0);
	cr_expect_eq(n, 0);
	cr_expect_eq(balance("available", C1), 4 * 200);
	cr_expect_eq(violations(), 0);
}

Test(money, pay_floor_leaves_volunteer_and_fair_projects_alone)
{
	int64_t volunteer = project(0, 0), fair = project(500, 5000);
	for (int i = 0; i < 6; i++) {
		submission(volunteer, C1, 0, 600, "accepted");
		submission(fair, C1, 500, 600, "accepted");
	}
	int64_t n = 0;
	fc_err e = {0};
	cr_assert_eq(fc_money_pay_floor(S, fc_clock_now(), &n, &e), 0);
	cr_expect_eq(n, 0);
	cr_expect_eq(one("SELECT COUNT(*) FROM pay_floor_runs", ""), 0);
}

Test(money, ledger_check_finds_violations)
{
	int64_t p = project(100, 1000);
	submission(p, C1, 100, 30, "pending");
	cr_expect_eq(violations(), 0);
	/* an unbalanced transaction, a currency mismatch, a negative pending */
	exec_ok("INSERT INTO ledger_txns(currency,memo,created_at) VALUES('USD','bad',1)");
	exec_ok("INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
		"VALUES((SELECT MAX(id) FROM ledger_txns),'pending:2',-5,'EUR',1)");
	cr_expect_eq(violations(), 4, "and pending:2 EUR has no balance row");
	resync();
	cr_expect_eq(violations(), 3);
}

/* The check sums entries in one pass: a transaction whose entries are not
 * adjacent still balances once all of them are in, and many such
 * transactions at once (the table of open ones grows and shrinks). */
Test(money, ledger_check_balances_transactions_whose_entries_are_apart)
{
	cr_expect_eq(violations(), 0);
	exec_ok("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 3000) "
		"INSERT INTO ledger_txns(id,currency,memo,created_at) SELECT 1000+i,'USD','apart',1 FROM c");
	exec_ok("INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
		"SELECT id,'world:USD',-id,'USD',1 FROM ledger_txns WHERE memo='apart' ORDER BY id");
	resync();
	cr_expect_eq(violations(), 3000, "every transaction open");
	exec_ok("INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
		"SELECT id,'escrow:9',id,'USD',1 FROM ledger_txns WHERE memo='apart' ORDER BY id DESC");
	resync();
	cr_expect_eq(violations(), 0);
	/* one of them gets a third, unbalancing entry much later */
	exec_ok("INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
		"VALUES(2500,'escrow:9',1,'USD',1)");
	resync();
	cr_expect_eq(violations(), 1);
}

/* What the check prints (into a buffer) and how many violations. */
static int64_t check_text(char *buf, size_t n)
{
	fc_err e = {0};
	int64_t v = -1;
	FILE *f = fmemopen(buf, n, "w");
	cr_assert(f);
	cr_assert_eq(fc_money_ledger_check(S, f, &v, &e), 0, "%s", e.msg);
	fclose(f);
	return v;
}

/* The balance rows are what every reader uses; the entries are the truth.
 * A row that moved without an entry (or an entry without its row) is a
 * violation, named with both figures. */
Test(money, ledger_check_reports_a_balance_row_that_drifted)
{
	int64_t p = project(100, 1000);
	submission(p, C1, 100, 30, "pending");
	char out[4096], sql[200], want[120];
	cr_expect_eq(check_text(out, sizeof out), 0, "%s", out);
	snprintf(sql, sizeof sql, "UPDATE ledger_balances SET balance=balance+7 WHERE account='pending:%lld'",
		 (long long)C1);
	exec_ok(sql);
	cr_expect_eq(check_text(out, sizeof out), 1, "%s", out);
	snprintf(want, sizeof want,
		 "balance row disagrees with the entries: pending:%lld USD: balance 107, entries 100", (long long)C1);
	cr_expect(strstr(out, want), "%s", out);
	/* a row of an account that has no entries at all */
	exec_ok("INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) VALUES('available:999','USD',3,5,1)");
	cr_expect_eq(check_text(out, sizeof out), 2, "%s", out);
	cr_expect(strstr(out, "available:999 USD: balance 5, entries 0"), "%s", out);
	/* an escrow split over shards is one balance: moving money between its
	 * rows changes nothing */
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) VALUES('escrow:%lld','USD',5,-40,1) "
		 "ON CONFLICT(account,currency,shard) DO UPDATE SET balance=ledger_balances.balance-40",
		 (long long)p);
	exec_ok(sql);
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn) VALUES('escrow:%lld','USD',6,40,1) "
		 "ON CONFLICT(account,currency,shard) DO UPDATE SET balance=ledger_balances.balance+40",
		 (long long)p);
	exec_ok(sql);
	cr_expect_eq(check_text(out, sizeof out), 2, "%s", out);
	resync();
	cr_expect_eq(check_text(out, sizeof out), 0, "%s", out);
}

/* Every balance reader reads the rows: after a mix of postings they equal
 * the entries' sums, escrow over its shards, entries of one account in one
 * posting merged. */
Test(money, balance_rows_equal_the_entry_sums)
{
	int64_t p = project(10, 1000), sub[20];
	for (int i = 0; i < 20; i++)
		sub[i] = submission(p, i % 2 ? C1 : C2, 10, 30, "pending");
	fc_err e = {0};
	for (int i = 0; i < 20; i += 3)
		cr_assert_eq(run(fc_money_on_accept, sub[i], "UPDATE submissions SET status='accepted' WHERE id=?", &e),
			     0, "%s", e.msg);
	cr_assert_eq(run(fc_money_on_reject, sub[1],
			 "UPDATE submissions SET status='rejected', reason_code='x', reason_text='y' WHERE id=?", &e),
		     0, "%s", e.msg);
	fc_db *db;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	fc_entry merged[] = {{"world:USD", -30}, {"fee", 10}, {"fee", 20}};
	int rc = fc_ledger_post(db, "USD", "two entries of one account", "t", merged, 3, NULL, &e);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(run(fc_money_on_close, p, "UPDATE projects SET status='closed' WHERE id=?", &e), 0, "%s", e.msg);
	char names[9][48];
	int nn = 0;
	const char *kinds[] = {"pending", "available"};
	for (int k = 0; k < 2; k++) {
		snprintf(names[nn++], sizeof names[0], "%s:%lld", kinds[k], (long long)C1);
		snprintf(names[nn++], sizeof names[0], "%s:%lld", kinds[k], (long long)C2);
	}
	snprintf(names[nn++], sizeof names[0], "escrow:%lld", (long long)p);
	snprintf(names[nn++], sizeof names[0], "world:USD");
	snprintf(names[nn++], sizeof names[0], "fee");
	for (int i = 0; i < nn; i++) {
		int64_t b = -1;
		cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
		cr_assert_eq(fc_ledger_balance_cur(db, names[i], "USD", &b, &e), 0, "%s", e.msg);
		fc_db_rollback(db);
		cr_expect_eq(b, one("SELECT COALESCE(SUM(amount),0) FROM ledger_entries WHERE account=?", "t", names[i]),
			     "%s", names[i]);
	}
	cr_expect_eq(balance("escrow", p), 0, "closing returned the escrow");
	cr_expect_eq(one("SELECT balance FROM ledger_balances WHERE account='fee'", ""), 30);
	cr_expect_gt(one("SELECT COUNT(*) FROM ledger_balances WHERE account LIKE 'escrow:%'", ""), 8,
		     "the escrow's postings spread over its shards");
	cr_expect_eq(violations(), 0);
}

Test(money, csv_provider_quotes_fields)
{
	char file[128];
	snprintf(file, sizeof file, "%s/b.csv", dir);
	fc_payout_line l[] = {{1, 2, "a@x.org", 500, "USD"},
			      {3, 4, "\"odd\",name@x.org", 705, "EUR"},
			      {5, 6, "j@x.org", 1200, "JPY"},
			      {7, 8, "k@x.org", 1234, "KWD"}};
	fc_payout_batch b = {.id = 1, .count = 4, .total = 3639, .lines = l};
	fc_err e = {0};
	cr_assert_eq(fc_payout_csv.submit(&b, file, &e), 0);
	FILE *f = fopen(file, "r");
	char buf[512] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	cr_expect_str_eq(buf, "payout_id,user_id,email,amount,currency,amount_minor\n1,2,a@x.org,5.00,USD,500\n"
			      "3,4,\"\"\"odd\"\",name@x.org\",7.05,EUR,705\n5,6,j@x.org,1200,JPY,1200\n"
			      "7,8,k@x.org,1.234,KWD,1234\n");
}

/* The earnings statement walks each account's chain (prev_id, from the
 * balance row's last_entry) and adds the entries with no link: those written
 * before migration 0036 (here: raw SQL, then the backfill), and the first
 * of each chain. Every entry of the contributor's accounts appears once,
 * newest first, and the newest 100 when there are more. */
Test(money, statement_walks_the_chains_and_the_older_entries)
{
	int64_t p = project(1, 1000);
	char sql[300];
	exec_ok("INSERT INTO ledger_txns(id,currency,memo,created_at) VALUES(900,'USD','old',1)");
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) VALUES"
		 "(900,'escrow:%lld',-3,'USD',1),(900,'pending:%lld',3,'USD',1)",
		 (long long)p, (long long)C1);
	exec_ok(sql);
	resync(); /* as the migration leaves a database: rows, no chains yet */
	int64_t sub[70];
	for (int i = 0; i < 70; i++)
		sub[i] = submission(p, C1, 1, 30, "pending");
	fc_err e = {0};
	for (int i = 0; i < 70; i += 2)
		cr_assert_eq(run(fc_money_on_accept, sub[i], "UPDATE submissions SET status='accepted' WHERE id=?", &e),
			     0, "%s", e.msg);
	fc_user u = {.id = C1};
	json_t *out = NULL;
	cr_assert_eq(fc_money_earnings(S, &u, &out, &e), 0, "%s", e.msg);
	cr_expect_eq(json_integer_value(json_object_get(out, "pending")), 3 + 35);
	cr_expect_eq(json_integer_value(json_object_get(out, "available")), 35);
	json_t *lines = json_object_get(out, "entries");
	/* 1 old + 70 submits + 2 × 35 accepts = 141 lines: the newest 100 */
	cr_expect_eq(json_array_size(lines), 100);
	int64_t all =
		one("SELECT COUNT(*) FROM ledger_entries WHERE account LIKE 'pending:%' OR account LIKE 'available:%'",
		    "");
	cr_expect_eq(all, 141);
	cr_expect_eq(one("SELECT COUNT(*) FROM ledger_entries WHERE prev_id IS NULL AND account NOT LIKE 'escrow:%'", ""),
		     4, "the old entry, world:USD's and the first of pending's and available's chains");
	json_decref(out);
	/* the whole statement, through the chains and the index of unlinked entries */
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(id) AS (SELECT last_entry FROM ledger_balances WHERE account IN ('pending:%lld',"
		 "'available:%lld') AND last_entry IS NOT NULL UNION ALL SELECT e.prev_id FROM c JOIN ledger_entries e "
		 "ON e.id=c.id WHERE e.prev_id IS NOT NULL) SELECT COUNT(*) FROM c",
		 (long long)C1, (long long)C1);
	cr_expect_eq(one(sql, ""), 140, "every entry since the migration is on a chain");
	cr_expect_eq(violations(), 0);
}

/* The check follows the chains too: a balance row that names another entry
 * than the account's newest, or an entry whose link skips the account's
 * previous one, would drop lines from a statement. */
Test(money, ledger_check_reports_a_broken_statement_chain)
{
	int64_t p = project(10, 1000);
	for (int i = 0; i < 3; i++)
		submission(p, C1, 10, 30, "pending");
	char out[4096], sql[300];
	cr_expect_eq(check_text(out, sizeof out), 0, "%s", out);
	snprintf(sql, sizeof sql, "UPDATE ledger_balances SET last_entry=last_entry-1 WHERE account='pending:%lld'",
		 (long long)C1);
	exec_ok(sql);
	cr_expect_eq(check_text(out, sizeof out), 1, "%s", out);
	cr_expect(strstr(out, "VIOLATION statement chain broken: pending:"), "%s", out);
	snprintf(sql, sizeof sql, "UPDATE ledger_balances SET last_entry=last_entry+1 WHERE account='pending:%lld'",
		 (long long)C1);
	exec_ok(sql);
	cr_expect_eq(check_text(out, sizeof out), 0, "%s", out);
	exec_ok("INSERT INTO ledger_txns(id,currency,memo,created_at) VALUES(900,'USD','skips',1)");
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) VALUES"
		 "(900,'world:USD',-5,'USD',1,NULL),(900,'pending:%lld',5,'USD',1,1)",
		 (long long)C1);
	exec_ok(sql);
	resync();
	cr_expect_eq(check_text(out, sizeof out), 1, "%s", out);
	cr_expect(strstr(out, "links to 1, the account's previous entry is"), "%s", out);
}
