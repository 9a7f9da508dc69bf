/* money_bench — the money jobs at scale, one phase per process so each
 * phase's peak RSS is its own.
 *
 *   money_bench setup   DIR [subs] [users]   1,000,000 pending submissions
 *                                            from 10,000 contributors, with
 *                                            their ledger lines (raw SQL, not timed)
 *   money_bench approve DIR                  fc_jobs_run_due 4 days later:
 *                                            auto-approves every submission
 *                                            (plus lease expiry, pay floor)
 *   money_bench payout-setup DIR [contributors]  100,000 contributors with money
 *                                            available, 99,000 payouts requested
 *                                            (raw SQL, not timed)
 *   money_bench payout  DIR                  1,000 more payouts through
 *                                            fc_money_payout_request, then the
 *                                            timed batch (CSV provider) and confirm
 *   money_bench check   DIR                  fc_money_ledger_check
 *
 * Setup writes with raw SQLite (synchronous=OFF, foreign keys off: the
 * submissions point at one task and at assignment ids without rows); the
 * timed phases go through the real store (synchronous=FULL, WAL). */
#include "core/clock.h"
#include "money/money.h"
#include "money/payout.h"
#include "store/store.h"
#include "events/jobs.h"
#include "wiring.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define T0 1893456000LL /* 2030-01-01 */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* bytes this process had the kernel write to storage (/proc/self/io) */
static long long written_mb(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "write_bytes: %lld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v < 0 ? -1 : v >> 20;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "money_bench: %s: %s\n", what, msg ? msg : "failed");
	exit(1);
}

static fc_store *open_store(const char *dir)
{
	fc_store *s;
	fc_err e = {0};
	fc_wire();
	if (fc_store_open(&s, dir, &e))
		die("open", e.msg);
	return s;
}

static void raw(sqlite3 *h, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg);
}

static sqlite3 *raw_open(const char *dir)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/faircrowd.db", dir);
	sqlite3 *h;
	if (sqlite3_open(path, &h) != SQLITE_OK)
		die("sqlite open", sqlite3_errmsg(h));
	raw(h, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-200000;");
	return h;
}

/* The balance rows of the entries written with raw SQL: migration 0036's
 * backfill, each unsharded account's row naming its newest entry (the raw
 * entries link to it, as fc_ledger_post's would: `ledger check` follows the
 * chains). */
static void resync_balances(sqlite3 *h)
{
	raw(h, "DELETE FROM ledger_balances");
	raw(h, "INSERT INTO ledger_balances(account,currency,shard,balance,last_txn,last_entry) "
	       "SELECT account,currency,0,SUM(amount),MAX(txn_id),CASE WHEN account LIKE 'escrow:%' THEN NULL "
	       "ELSE MAX(id) END FROM ledger_entries GROUP BY account,currency");
}

#define LINK(acct) "(SELECT last_entry FROM ledger_balances WHERE account=" acct " AND currency='USD' AND shard=0)"

static int setup(const char *dir, long subs, long users)
{
	fc_store_close(open_store(dir)); /* migrations */
	sqlite3 *h = raw_open(dir);
	char sql[2048];
	double t = now_s();
	raw(h, "BEGIN");
	raw(h, "INSERT INTO users(id,email,password_hash,display_name,roles,created_at) VALUES(1,'req@bench.local','x','req',2,0)");
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(i) AS (SELECT 2 UNION ALL SELECT i+1 FROM c WHERE i < %ld) "
		 "INSERT INTO users(id,email,password_hash,display_name,created_at) SELECT i,'c'||i||'@bench.local','x','c'||i,0 FROM c",
		 users + 1);
	raw(h, sql);
	raw(h, "INSERT INTO projects(id,owner_id,kind,title,reward,status,auto_approve_days,created_at,updated_at) "
	       "VALUES(1,1,'annotation','bench',100,'live',3,0,0)");
	raw(h, "INSERT INTO tasks(id,project_id,data,created_at) VALUES(1,1,'{}',0)");
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_txns(id,currency,memo,ref,created_at) VALUES(1,'USD','project funded','user:1',%lld);"
		 "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) VALUES"
		 "(1,'world:USD',-%ld,'USD',%lld),(1,'escrow:1',%ld,'USD',%lld);",
		 T0, subs * 100, T0, subs * 100, T0);
	raw(h, sql);
	/* measured time 30..89 s: 100 per submission pays above the floor */
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < %ld) "
		 "INSERT INTO submissions(id,assignment_id,task_id,project_id,user_id,result,active_seconds,status,reward,created_at) "
		 "SELECT i,i,1,1,2+(i%%%ld),'[]',30+(i%%60),'pending',100,%lld FROM c",
		 subs, users < 10000 ? users : 10000, T0);
	raw(h, sql);
	snprintf(sql, sizeof sql,
		 "INSERT INTO ledger_txns(id,currency,memo,ref,created_at) SELECT 1+id,'USD','reward earned, pending approval',"
		 "'submission:'||id,created_at FROM submissions");
	raw(h, sql);
	raw(h, "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
	       "SELECT 1+id,'escrow:1',-reward,'USD',created_at FROM submissions");
	raw(h, "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) "
	       "SELECT 1+id,'pending:'||user_id,reward,'USD',created_at FROM submissions");
	resync_balances(h);
	raw(h, "COMMIT");
	raw(h, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(h);
	printf("setup: %ld pending submissions from %ld contributors, %ld users in %.1f s\n", subs,
	       users < 10000 ? users : 10000, users, now_s() - t);
	return 0;
}

static int approve(const char *dir)
{
	fc_store *s = open_store(dir);
	fc_clock_set(T0 + 4 * 86400);
	fc_jobs_report rep = {0};
	fc_err e = {0};
	double t = now_s();
	if (fc_jobs_run_due(s, &rep, &e))
		die("jobs", e.msg);
	double secs = now_s() - t;
	printf("approve: fc_jobs_run_due auto-approved %lld submissions (%lld pay-floor top-ups) in %.2f s "
	       "(%.0f/s), peak RSS %ld MB, %lld MB written\n",
	       (long long)rep.auto_approved, (long long)rep.pay_floor_topups, secs, rep.auto_approved / secs,
	       peak_rss_mb(), written_mb());
	fc_store_close(s);
	return 0;
}

#define REAL_REQUESTS 1000L

static int payout_setup(const char *dir, long contributors)
{
	const long real = REAL_REQUESTS;
	double t0 = now_s();
	sqlite3 *h = raw_open(dir);
	char sql[2048];
	raw(h, "BEGIN");
	/* contributors beyond the users table are created */
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(i) AS (SELECT 2 UNION ALL SELECT i+1 FROM c WHERE i < %ld) "
		 "INSERT OR IGNORE INTO users(id,email,password_hash,display_name,created_at) "
		 "SELECT i,'c'||i||'@bench.local','x','c'||i,0 FROM c",
		 contributors + 1);
	raw(h, sql);
	/* each contributor has 1,500 available (a bonus from project 1's escrow) */
	raw(h, "CREATE TEMP TABLE who AS SELECT id AS u, (SELECT COALESCE(MAX(id),0) FROM ledger_txns) + id AS t FROM users WHERE id >= 2");
	raw(h, "INSERT INTO ledger_txns(id,currency,memo,ref,created_at) SELECT t,'USD','bonus: bench','bench',0 FROM who");
	/* world:USD's 100,000 lines stay unlinked (found through the partial index) */
	raw(h, "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) SELECT t,'world:USD',-1500,"
	       "'USD',0,NULL FROM who "
	       "UNION ALL SELECT t,'available:'||u,1500,'USD',0," LINK("'available:'||u") " FROM who");
	resync_balances(h);
	/* all but `real` contributors request 600 the fast way */
	snprintf(sql, sizeof sql,
		 "INSERT INTO payouts(id,user_id,amount,currency,status,requested_at) SELECT u,u,600,'USD','requested',%lld "
		 "FROM who WHERE u >= %ld",
		 T0, real + 2);
	raw(h, sql);
	raw(h, "CREATE TEMP TABLE pw AS SELECT id AS p, user_id AS u, (SELECT MAX(id) FROM ledger_txns) + id AS t FROM payouts");
	raw(h, "INSERT INTO ledger_txns(id,currency,memo,ref,created_at) SELECT t,'USD','payout requested','payout:'||p,0 FROM pw");
	raw(h, "INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at,prev_id) SELECT t,'available:'||u,-600,"
	       "'USD',0," LINK("'available:'||u") " FROM pw UNION ALL SELECT t,'payout_pending:'||u,600,'USD',0,NULL FROM pw");
	resync_balances(h);
	raw(h, "COMMIT");
	raw(h, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(h);
	printf("payout-setup: %ld contributors with 1,500 available, %ld payouts requested (raw SQL) in %.1f s\n",
	       contributors, contributors - real, now_s() - t0);
	return 0;
}

static int payout(const char *dir)
{
	const long real = REAL_REQUESTS;
	fc_store *s = open_store(dir);
	fc_err e = {0};
	fc_clock_set(T0 + 5 * 86400);
	double t = now_s();
	for (long i = 0; i < real; i++) {
		fc_user u = {.id = 2 + i, .roles = 4};
		json_t *body = json_pack("{s:i}", "amount", 600), *out = NULL;
		int replayed;
		if (fc_money_payout_request(s, &u, body, NULL, &out, &replayed, &e))
			die("payout request", e.msg);
		json_decref(body);
		json_decref(out);
	}
	double req = now_s() - t;
	printf("payout: %ld requests through fc_money_payout_request in %.2f s (%.2f ms each, one durable commit each)\n",
	       real, req, req * 1000 / real);
	fc_clock_set(T0 + 6 * 86400);
	json_t *out = NULL;
	t = now_s();
	if (fc_money_payout_batch(s, NULL, dir, &fc_payout_csv, &out, &e))
		die("batch", e.msg);
	double b = now_s() - t;
	long long batch = json_integer_value(json_object_get(out, "batch_id"));
	printf("payout: batch %lld of %lld payouts (total %lld) written to %s in %.2f s, peak RSS %ld MB\n", batch,
	       (long long)json_integer_value(json_object_get(out, "count")),
	       (long long)json_integer_value(json_object_get(out, "total")), json_string_value(json_object_get(out, "file")),
	       b, peak_rss_mb());
	json_decref(out);
	fc_clock_set(T0 + 7 * 86400);
	t = now_s();
	if (fc_money_payout_confirm(s, NULL, batch, &out, &e))
		die("confirm", e.msg);
	printf("payout: confirm of %lld payouts (one ledger transaction each) in %.2f s, peak RSS %ld MB\n",
	       (long long)json_integer_value(json_object_get(out, "count")), now_s() - t, peak_rss_mb());
	json_decref(out);
	fc_store_close(s);
	return 0;
}

static int check(const char *dir)
{
	fc_store *s = open_store(dir);
	fc_err e = {0};
	int64_t v;
	double t = now_s();
	if (fc_money_ledger_check(s, stdout, &v, &e))
		die("check", e.msg);
	printf("check: %lld violations in %.2f s, peak RSS %ld MB\n", (long long)v, now_s() - t, peak_rss_mb());
	fc_store_close(s);
	return v ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: money_bench setup|approve|payout-setup|payout|check DIR [N] [USERS]\n");
		return 2;
	}
	const char *mode = argv[1], *dir = argv[2];
	if (!strcmp(mode, "setup"))
		return setup(dir, argc > 3 ? atol(argv[3]) : 1000000, argc > 4 ? atol(argv[4]) : 10000);
	if (!strcmp(mode, "approve"))
		return approve(dir);
	if (!strcmp(mode, "payout-setup"))
		return payout_setup(dir, argc > 3 ? atol(argv[3]) : 100000);
	if (!strcmp(mode, "payout"))
		return payout(dir);
	if (!strcmp(mode, "check"))
		return check(dir);
	fprintf(stderr, "money_bench: unknown phase '%s'\n", mode);
	return 2;
}
