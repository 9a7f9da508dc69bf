#include "../common/pgdb.h"
#include "store/store.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];
static char database[512]; /* the PostgreSQL pass: this test's own database */
static fc_store *S;

static void up(void)
{
	snprintf(dir, sizeof dir, "/tmp/fc-store-XXXXXX");
	cr_assert(mkdtemp(dir));
	cr_assert_eq(pgdb_create_empty(database, sizeof database), 0); /* the migrations are under test */
	if (*database)
		setenv("FAIRCROWD_DATABASE", database, 1);
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&S, dir, &e), 0, "%s", e.msg);
}

static void down(void)
{
	fc_store_close(S);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	pgdb_drop(database);
}

TestSuite(store, .init = up, .fini = down);

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

Test(store, migrations_are_applied_once)
{
	cr_expect_geq(fc_store_migrations_applied(S), 1);
	cr_expect_geq(fc_store_schema_version(S), 1);
	fc_store *again;
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&again, dir, &e), 0);
	cr_expect_eq(fc_store_migrations_applied(again), 0);
	fc_store_close(again);
}

Test(store, insert_query_and_conflict)
{
	int64_t a = add_user("a@x.org");
	cr_expect_gt(a, 0);
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_exec(db, &e, "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?)",
			    "tttI", "A@X.org", "h", "n", (int64_t)1);
	cr_expect_eq(rc, FC_ECONFLICT, "email is unique, case-insensitively");
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	fc_stmt *st;
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT email, NULL FROM users WHERE id=?", "I", a), 0);
	cr_assert_eq(fc_stmt_next(st), 1);
	cr_expect_str_eq(fc_stmt_text(st, 0), "a@x.org");
	cr_expect(fc_stmt_isnull(st, 1));
	cr_expect_eq(fc_stmt_next(st), 0);
	fc_stmt_done(st);
	int64_t n;
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT id FROM users WHERE id=?", "I", (int64_t)999), FC_ENOTFOUND);
	fc_db_rollback(db);
}

Test(store, rollback_leaves_nothing)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_exec(db, &e, "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?)",
				"tttI", "gone@x.org", "h", "n", (int64_t)1),
		     0);
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	int64_t n;
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users", ""), 0);
	cr_expect_eq(n, 0);
	fc_db_rollback(db);
}

/* SQLite: the writer that opens a group runs without a savepoint of its
 * own; a statement that fails inside it undoes only itself. (PostgreSQL
 * aborts the whole transaction on a failed statement.) */
Test(store, a_failed_statement_keeps_the_rest_of_the_transaction)
{
	if (*database)
		cr_skip_test("SQLite's statement rollback");
	fc_db *db;
	fc_err e = {0};
	const char *ins = "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?)";
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_exec(db, &e, ins, "tttI", "a@x.org", "h", "n", (int64_t)1), 0);
	cr_assert_neq(fc_db_exec(db, &e, ins, "tttI", "a@x.org", "h", "n", (int64_t)1), 0, "duplicate email");
	fc_err_clear(&e);
	cr_assert_eq(fc_db_exec(db, &e, ins, "tttI", "b@x.org", "h", "n", (int64_t)1), 0);
	cr_assert_eq(fc_db_commit(db, &e), 0, "%s", e.msg);
	/* the next write transaction opens a group of its own again */
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_exec(db, &e, ins, "tttI", "c@x.org", "h", "n", (int64_t)1), 0);
	fc_db_rollback(db);
	int64_t n = -1;
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users", ""), 0);
	fc_db_rollback(db);
	cr_expect_eq(n, 2);
}

/* A project, task and assignment for u, committed; *a gets the assignment. */
static void add_assignment(int64_t u, int64_t *p, int64_t *t, int64_t *a)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_int(db, p, &e,
			       "INSERT INTO projects(owner_id,kind,title,created_at,updated_at) VALUES(?,?,?,0,0) RETURNING id",
			       "Itt", u, "annotation", "p"),
		     0);
	cr_assert_eq(fc_db_int(db, t, &e, "INSERT INTO tasks(project_id,data,created_at) VALUES(?,'{}',0) RETURNING id",
			       "I", *p),
		     0);
	cr_assert_eq(fc_db_int(db, a, &e,
			       "INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status) VALUES(?,?,?,0,1,'submitted') RETURNING id",
			       "III", *t, *p, u),
		     0);
	cr_assert_eq(fc_db_commit(db, &e), 0, "%s", e.msg);
}

Test(store, rejection_without_reason_cannot_be_stored)
{
	int64_t u = add_user("w@x.org");
	int64_t p, t, a;
	add_assignment(u, &p, &t, &a);
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_exec(
		db, &e,
		"INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,status,created_at) VALUES(?,?,?,?,'[]','rejected',0)",
		"IIII", a, t, p, u);
	cr_expect_eq(rc, FC_ECONFLICT);
	/* a failed statement ends its transaction's usefulness on PostgreSQL
	 * (store.h): the caller rolls back, as the domain does */
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	rc = fc_db_exec(
		db, &e,
		"INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,status,reason_code,reason_text,created_at) VALUES(?,?,?,?,'[]','rejected','spam','Random clicks.',0)",
		"IIII", a, t, p, u);
	cr_expect_eq(rc, 0, "%s", e.msg);
	fc_db_rollback(db);
}

Test(store, ledger_entries_are_append_only)
{
	fc_db *db;
	fc_err e = {0};
	int64_t txn;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_int(db, &txn, &e,
			       "INSERT INTO ledger_txns(currency,memo,created_at) VALUES('USD','t',0) RETURNING id", ""),
		     0);
	cr_assert_eq(fc_db_exec(db, &e,
				"INSERT INTO ledger_entries(txn_id,account,amount,currency,created_at) VALUES(?,'a',5,'USD',0)",
				"I", txn),
		     0);
	cr_assert_eq(fc_db_commit(db, &e), 0);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_eq(fc_db_exec(db, &e, "UPDATE ledger_entries SET amount=6", ""), FC_ECONFLICT);
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_eq(fc_db_exec(db, &e, "DELETE FROM ledger_entries", ""), FC_ECONFLICT);
	fc_db_rollback(db);
}

/* Bind formats and getters read back the same on both back ends. */
Test(store, binds_and_getters)
{
	fc_db *db;
	fc_err e = {0};
	fc_stmt *st;
	json_t *j = json_pack("{s:i,s:[s,s]}", "a", 1, "b", "x", "y");
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT ?, ?, ?, ?, ?, ?, NULL, 1=1, 1=0, 7.9", "iIdttj", 42,
				 (int64_t)1 << 40, 2.5, "h\xc3\xa9", NULL, j),
		     0, "%s", e.msg);
	cr_assert_eq(fc_stmt_next(st), 1);
	cr_expect_eq(fc_stmt_int(st, 0), 42);
	cr_expect_eq(fc_stmt_int(st, 1), (int64_t)1 << 40);
	cr_expect_float_eq(fc_stmt_double(st, 2), 2.5, 1e-12);
	cr_expect_str_eq(fc_stmt_text(st, 3), "h\xc3\xa9");
	cr_expect(fc_stmt_isnull(st, 4));
	cr_expect_null(fc_stmt_text(st, 4));
	json_t *back = fc_stmt_json(st, 5);
	cr_expect(json_equal(back, j));
	json_decref(back);
	back = fc_stmt_json(st, 6);
	cr_expect(json_is_null(back), "NULL reads as JSON null");
	json_decref(back);
	cr_expect_eq(fc_stmt_int(st, 6), 0);
	cr_expect_eq(fc_stmt_int(st, 7), 1, "true is 1");
	cr_expect_eq(fc_stmt_int(st, 8), 0, "false is 0");
	cr_expect_str_eq(fc_stmt_text(st, 7), "1");
	cr_expect_eq(fc_stmt_int(st, 9), 7, "a real read as an integer truncates");
	cr_expect_eq(fc_stmt_next(st), 0);
	fc_stmt_done(st);
	/* numbered placeholders, and '?' inside a literal is not one */
	int64_t n = 0;
	cr_assert_eq(fc_db_int(db, &n, &e, "SELECT ?2 * 10 + ?1 + length('a?b')", "II", (int64_t)3, (int64_t)4), 0,
		     "%s", e.msg);
	cr_expect_eq(n, 46);
	fc_db_rollback(db);
	json_decref(j);
	/* blobs come back byte for byte, an empty one is not NULL */
	add_user("c1@x.org");
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT ?, ?", "bb", "a\0b", (size_t)3, "", (size_t)0), 0, "%s", e.msg);
	cr_assert_eq(fc_stmt_next(st), 1);
	size_t len = 0;
	const void *p = fc_stmt_blob(st, 0, &len);
	cr_expect_eq(len, 3);
	cr_expect(p && !memcmp(p, "a\0b", 3));
	cr_expect_not(fc_stmt_isnull(st, 1));
	fc_stmt_done(st);
	/* changes counts the rows of the last write */
	cr_assert_eq(fc_db_exec(db, &e, "UPDATE users SET roles=roles", ""), 0);
	cr_expect_eq(fc_db_changes(db), 1);
	fc_db_rollback(db);
}

/* PostgreSQL's row-lock clause ends the statements that lock rows; SQLite
 * drops it, but only where it ends the statement: the same words inside a
 * string or a comment are the statement's own. */
Test(store, a_row_lock_clause_is_dropped_only_at_the_end)
{
	add_user("lock@x.org");
	fc_db *db;
	fc_err e = {0};
	fc_stmt *st;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	static const char *const LOCKED[] = {
		"SELECT u.id FROM users u WHERE u.email=? FOR UPDATE",
		"SELECT u.id FROM users u WHERE u.email=? FOR NO KEY UPDATE OF u SKIP LOCKED",
		"SELECT u.id FROM users u WHERE u.email=? FOR UPDATE SKIP LOCKED  \n",
		"SELECT u.id FROM users u WHERE u.email=? FOR NO KEY UPDATE OF u NOWAIT",
	};
	for (size_t i = 0; i < sizeof LOCKED / sizeof *LOCKED; i++) {
		int64_t id = 0;
		cr_expect_eq(fc_db_int(db, &id, &e, LOCKED[i], "t", "lock@x.org"), 0, "%s: %s", LOCKED[i], e.msg);
		cr_expect_gt(id, 0, "%s", LOCKED[i]);
		fc_err_clear(&e);
	}
	/* the words in a literal before the end: the whole statement runs */
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT 'x FOR UPDATE y', ' FOR NO KEY UPDATE' || ?", "t", "!"), 0, "%s",
		     e.msg);
	cr_assert_eq(fc_stmt_next(st), 1);
	cr_expect_str_eq(fc_stmt_text(st, 0), "x FOR UPDATE y");
	cr_expect_str_eq(fc_stmt_text(st, 1), " FOR NO KEY UPDATE!");
	fc_stmt_done(st);
	/* and at the end of a literal that is not a clause: kept too */
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT 'a FOR UPDATE'", ""), 0, "%s", e.msg);
	cr_assert_eq(fc_stmt_next(st), 1);
	cr_expect_str_eq(fc_stmt_text(st, 0), "a FOR UPDATE");
	fc_stmt_done(st);
	fc_db_rollback(db);
}

/* SQLite answers a one-row INSERT's RETURNING id from the rowid (no
 * statement journal); the answer must be the same as RETURNING's. */
/* "UPDATE OR FAIL" (the hot counters in work/assign.c: SQLite keeps no
 * statement journal for it) runs on both stores, with RETURNING too; a
 * failing one is an error and the transaction rolls back whole. */
Test(store, update_or_fail_on_both_stores)
{
	int64_t a = add_user("of1@x.org");
	cr_assert_gt(a, 0);
	fc_db *db;
	fc_err e = {0};
	fc_stmt *st;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_query(db, &st, &e, "UPDATE OR FAIL users SET display_name=? WHERE id=? RETURNING display_name",
				 "tI", "renamed", a),
		     0, "%s", e.msg);
	cr_assert_eq(fc_stmt_next(st), 1, "one row");
	cr_expect_str_eq(fc_stmt_text(st, 0), "renamed");
	fc_stmt_done(st);
	int rc = 0;
	cr_assert_eq(fc_db_end(db, &rc, &e), 0, "%s", e.msg);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_eq(fc_db_exec(db, &e, "UPDATE OR FAIL users SET email=? WHERE id=?", "tI", "changed@x.org", a), 0);
	cr_expect_neq(fc_db_exec(db, &e, "UPDATE OR FAIL users SET display_name=NULL WHERE id=?", "I", a), 0,
		      "NOT NULL still holds");
	fc_err_clear(&e);
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	char name[32] = "";
	cr_assert_eq(fc_db_query(db, &st, &e, "SELECT display_name, email FROM users WHERE id=?", "I", a), 0);
	cr_assert_eq(fc_stmt_next(st), 1);
	snprintf(name, sizeof name, "%s", fc_stmt_text(st, 0));
	cr_expect_str_eq(fc_stmt_text(st, 1), "of1@x.org", "the rolled-back transaction left nothing");
	fc_stmt_done(st);
	fc_db_rollback(db);
	cr_expect_str_eq(name, "renamed");
}

Test(store, returning_id_is_the_inserted_row)
{
	int64_t a = add_user("r1@x.org"), b = add_user("r2@x.org"), id = 0;
	cr_assert_gt(a, 0);
	cr_assert_gt(b, a);
	fc_db *db;
	fc_err e = {0};
	fc_stmt *st;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_int(db, &id, &e, "SELECT id FROM users WHERE email=?", "t", "r2@x.org"), 0);
	cr_expect_eq(id, b);
	static const char *const INS =
		"INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?) RETURNING id";
	cr_assert_eq(fc_db_query(db, &st, &e, INS, "tttI", "r3@x.org", "h", "n", (int64_t)1), 0, "%s", e.msg);
	cr_assert_eq(fc_stmt_next(st), 1, "one row");
	char want[32];
	snprintf(want, sizeof want, "%lld", (long long)(b + 1));
	cr_expect_eq(fc_stmt_int(st, 0), b + 1);
	cr_expect_str_eq(fc_stmt_text(st, 0), want);
	cr_expect_not(fc_stmt_isnull(st, 0));
	cr_expect_eq(fc_stmt_next(st), 0, "and only one");
	fc_stmt_done(st);
	int rc = 0;
	cr_assert_eq(fc_db_end(db, &rc, &e), 0, "%s", e.msg);
	/* a failed insert has no row (on PostgreSQL it ends the transaction), and
	 * the statement is whole afterwards */
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_neq(fc_db_int(db, &id, &e, INS, "tttI", "r3@x.org", "h", "n", (int64_t)1), 0);
	fc_err_clear(&e);
	fc_db_rollback(db);
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_eq(fc_db_int(db, &id, &e, INS, "tttI", "r4@x.org", "h", "n", (int64_t)1), 0, "%s", e.msg);
	int64_t r4 = 0;
	cr_assert_eq(fc_db_int(db, &r4, &e, "SELECT id FROM users WHERE email=?", "t", "r4@x.org"), 0);
	cr_expect_eq(id, r4);
	cr_expect_gt(id, b + 1);
	/* an upsert that inserts nothing returns nothing */
	cr_expect_eq(fc_db_int(db, &id, &e,
			       "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,?) "
			       "ON CONFLICT(email) DO NOTHING RETURNING id",
			       "tttI", "r1@x.org", "h", "n", (int64_t)1),
		     FC_ENOTFOUND);
	fc_err_clear(&e);
	fc_db_rollback(db);
}

Test(store, lost_connections_fail_the_request_and_the_pool_reconnects)
{
	if (!*database)
		cr_skip_test("PostgreSQL only: an SQLite file has no connection to lose");
	add_user("r@x.org"); /* leaves an idle connection in the pool */
	cr_assert_geq(pgdb_terminate_sessions(database), 1);
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0, "a dead idle connection is replaced: %s", e.msg);
	int64_t n = 0;
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users", ""), 0, "%s", e.msg);
	cr_expect_eq(n, 1);
	/* lost while in use: this request fails as unavailable (503), nothing half-done */
	cr_assert_geq(pgdb_terminate_sessions(database), 1);
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users", ""), FC_EBUSY);
	cr_expect_str_eq(e.slug, "database_unavailable");
	fc_db_rollback(db);
	/* and the next one works on a new connection */
	add_user("s@x.org");
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0, "%s", e.msg);
	cr_expect_eq(fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users", ""), 0, "%s", e.msg);
	cr_expect_eq(n, 2);
	fc_db_rollback(db);
}

/* Two servers on one database: each tick of a job is claimed once. */
Test(store, a_job_tick_is_claimed_once)
{
	fc_store *other;
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&other, dir, &e), 0, "%s", e.msg);
	cr_expect_eq(fc_store_claim_tick(S, "jobs", 100, &e), 1, "%s", e.msg);
	cr_expect_eq(fc_store_claim_tick(other, "jobs", 100, &e), 0, "the same tick on another server");
	cr_expect_eq(fc_store_claim_tick(S, "jobs", 100, &e), 0, "the same tick again");
	cr_expect_eq(fc_store_claim_tick(other, "jobs", 99, &e), 0, "a late server's past tick");
	cr_expect_eq(fc_store_claim_tick(other, "jobs", 101, &e), 1);
	cr_expect_eq(fc_store_claim_tick(S, "other-job", 100, &e), 1, "ticks are per job");
	fc_store_close(other);
}

/* A claim is held once until given up; on PostgreSQL across servers. */
Test(store, a_claim_is_held_once)
{
	fc_err e = {0};
	cr_expect_eq(fc_store_claim(S, "idem:1:k", &e), 0, "%s", e.msg);
	cr_expect_eq(fc_store_claim(S, "idem:1:k", &e), FC_ECONFLICT);
	cr_expect_eq(fc_store_claim(S, "idem:2:k", &e), 0, "another name");
	if (*database) {
		fc_store *other;
		cr_assert_eq(fc_store_open(&other, dir, &e), 0, "%s", e.msg);
		cr_expect_eq(fc_store_claim(other, "idem:1:k", &e), FC_ECONFLICT, "held by the other server");
		fc_store_unclaim(S, "idem:1:k");
		cr_expect_eq(fc_store_claim(other, "idem:1:k", &e), 0, "%s", e.msg);
		fc_store_unclaim(other, "idem:1:k");
		fc_store_close(other);
	} else {
		fc_store_unclaim(S, "idem:1:k");
	}
	cr_expect_eq(fc_store_claim(S, "idem:1:k", &e), 0, "given up, it can be claimed again");
	fc_store_unclaim(S, "idem:1:k");
	fc_store_unclaim(S, "idem:2:k");
}

static void *writer(void *arg)
{
	for (int i = 0; i < 50; i++) {
		fc_db *db;
		fc_err e = {0};
		if (fc_db_begin(S, FC_DB_WRITE, &db, &e))
			return (void *)1;
		int64_t v = 0;
		int rc = fc_db_int(db, &v, &e, "SELECT COALESCE(MAX(roles),0) FROM users WHERE id=1", "");
		if (!rc)
			rc = fc_db_exec(db, &e, "UPDATE users SET roles=? WHERE id=1", "I", v + 1);
		if (fc_db_end(db, &rc, &e))
			return (void *)1;
	}
	return NULL;
}

Test(store, concurrent_writers_never_lose_updates)
{
	add_user("counter@x.org");
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	fc_db_exec(db, &e, "UPDATE users SET roles=0 WHERE id=1", "");
	cr_assert_eq(fc_db_commit(db, &e), 0);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, writer, NULL);
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_expect_null(ret);
	}
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	int64_t v;
	fc_db_int(db, &v, &e, "SELECT roles FROM users WHERE id=1", "");
	fc_db_rollback(db);
	cr_expect_eq(v, 200);
}

Test(store, online_backup)
{
	add_user("b@x.org");
	char file[128];
	snprintf(file, sizeof file, "%s/backup.db", dir);
	fc_err e = {0};
	cr_assert_eq(fc_store_backup(S, file, &e), 0, "%s", e.msg);
	FILE *f = fopen(file, "rb");
	cr_assert(f);
	char magic[16];
	cr_expect_eq(fread(magic, 1, 16, f), 16);
	if (*database)
		cr_expect_eq(memcmp(magic, "PGDMP", 5), 0, "a pg_dump custom-format archive");
	else
		cr_expect_eq(memcmp(magic, "SQLite format 3", 15), 0);
	fclose(f);
}

static _Atomic int kept;

static void *mixed_writer(void *arg)
{
	long t = (long)arg;
	for (int i = 0; i < 40; i++) {
		fc_db *db;
		fc_err e = {0};
		if (fc_db_begin(S, FC_DB_WRITE, &db, &e))
			return (void *)1;
		char email[64];
		snprintf(email, sizeof email, "g%ld-%d@x.org", t, i);
		int rc = fc_db_exec(db, &e,
				    "INSERT INTO users(email,password_hash,display_name,created_at) VALUES(?,?,?,1)",
				    "ttt", email, "h", "n");
		if (rc)
			return (void *)2;
		if (i % 3 == 0) {
			fc_db_rollback(db); /* this writer's work must vanish, the group's must not */
			continue;
		}
		if (fc_db_commit(db, &e))
			return (void *)3;
		atomic_fetch_add(&kept, 1);
	}
	return NULL;
}

Test(store, group_commit_keeps_only_committed_writers)
{
	pthread_t th[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, mixed_writer, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_expect_null(ret);
	}
	fc_db *db;
	fc_err e = {0};
	int64_t n = -1, rolled = -1;
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users WHERE email LIKE 'g%'", "");
	fc_db_int(db, &rolled, &e,
		  "SELECT COUNT(*) FROM users WHERE email LIKE 'g_-0@x.org' OR email LIKE 'g_-3@x.org'", "");
	fc_db_rollback(db);
	cr_expect_eq(n, atomic_load(&kept));
	cr_expect_eq(n, 4 * 26);
	cr_expect_eq(rolled, 0);
	/* a reopened store sees the same: the commits reached the file */
	fc_store_close(S);
	cr_assert_eq(fc_store_open(&S, dir, &e), 0);
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	fc_db_int(db, &n, &e, "SELECT COUNT(*) FROM users WHERE email LIKE 'g%'", "");
	fc_db_rollback(db);
	cr_expect_eq(n, 4 * 26);
}

/* Two row-locking writers that take the same two rows in opposite order:
 * PostgreSQL aborts one with a deadlock (40P01), and fc_store_tx runs that
 * one again from the start, so both changes land, each once. */
typedef struct {
	int64_t first, second;
	pthread_barrier_t *both_hold_one;
	atomic_int *runs;
} crossing;

static int cross_tx(fc_db *db, void *arg, fc_err *err)
{
	crossing *c = arg;
	int run = atomic_fetch_add(c->runs, 1);
	int rc = fc_db_exec(db, err, "UPDATE users SET roles=roles+1 WHERE id=?", "I", c->first);
	if (rc)
		return rc;
	if (run < 2) /* the first run of each writer: wait until the other holds its row */
		pthread_barrier_wait(c->both_hold_one);
	return fc_db_exec(db, err, "UPDATE users SET roles=roles+10 WHERE id=?", "I", c->second);
}

static void *cross_writer(void *arg)
{
	fc_err e = {0};
	return fc_store_tx(S, FC_DB_WRITE_ROWS, cross_tx, arg, &e) ? (void *)1 : NULL;
}

Test(store, a_deadlocked_transaction_is_run_again_whole)
{
	if (!*database)
		cr_skip_test("PostgreSQL only: SQLite runs its writers one at a time, so they never deadlock");
	int64_t a = add_user("a@x.org"), b = add_user("b@x.org");
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	fc_db_exec(db, &e, "UPDATE users SET roles=0 WHERE id IN (?,?)", "II", a, b);
	cr_assert_eq(fc_db_commit(db, &e), 0, "%s", e.msg);
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, 2);
	atomic_int runs = 0;
	crossing one = {a, b, &barrier, &runs}, two = {b, a, &barrier, &runs};
	pthread_t t1, t2;
	pthread_create(&t1, NULL, cross_writer, &one);
	pthread_create(&t2, NULL, cross_writer, &two);
	void *r1, *r2;
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	pthread_barrier_destroy(&barrier);
	cr_expect_null(r1, "the first writer's transaction failed");
	cr_expect_null(r2, "the second writer's transaction failed");
	cr_expect_geq(atomic_load(&runs), 3, "one of the two ran again after the deadlock: %d runs", atomic_load(&runs));
	int64_t ra = -1, rb = -1;
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	fc_db_int(db, &ra, &e, "SELECT roles FROM users WHERE id=?", "I", a);
	fc_db_int(db, &rb, &e, "SELECT roles FROM users WHERE id=?", "I", b);
	fc_db_rollback(db);
	cr_expect_eq(ra, 11, "a got +1 and +10, once each (was 0): %lld", (long long)ra);
	cr_expect_eq(rb, 11, "b got +1 and +10, once each (was 0): %lld", (long long)rb);
}

/* Every plan of the text search (store.h: the match count picks it) finds
 * the same tasks of its project in the same order, by id and by priority,
 * with another project's matches interleaved, for two words whichever comes
 * first (PostgreSQL moves the rarer first); SQLite's count is that of the
 * matches in the project's id range. */
Test(store, every_text_search_plan_finds_the_same_page)
{
	int64_t u = add_user("search@test"), p[2];
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	for (int k = 0; k < 2; k++)
		cr_assert_eq(fc_db_int(db, &p[k], &e,
				       "INSERT INTO projects(owner_id,kind,title,created_at,updated_at) "
				       "VALUES(?,'annotation','p',0,0) RETURNING id",
				       "I", u),
			     0, "%s", e.msg);
	for (int i = 0; i < 40; i++) {
		char data[64];
		snprintf(data, sizeof data, "{\"text\":\"row%d %s\"}", i, i % 3 ? "plain" : "plain apple");
		cr_assert_eq(fc_db_exec(db, &e, "INSERT INTO tasks(project_id,data,priority,created_at) VALUES(?,?,?,0)",
					"ItI", p[i % 4 == 1], data, (int64_t)(i * 7 % 5)),
			     0, "%s", e.msg);
	}
	cr_assert_eq(fc_db_commit(db, &e), 0, "%s", e.msg);

	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	char words[64];
	cr_assert_eq(fc_db_text_query(db, "plain, Apple!", words, sizeof words), 2);
	int64_t n = -1;
	cr_assert_eq(fc_db_task_text_count(db, p[0], words, 0, &n, &e), 0, "%s", e.msg);
	if (*database) /* the planner's guess (no ANALYZE here): something */
		cr_expect_geq(n, 0);
	else
		cr_expect(n >= 11 && n <= 14, "%lld: at least the project's own matches (11; 14 in all)", (long long)n);
	static const int64_t PLANS[] = {0, 20000, 300000}; /* few, some, many matches */
	for (int by_id = 0; by_id < 2; by_id++) {
		char want[512] = "", sql[1024];
		for (size_t k = 0; k < sizeof PLANS / sizeof PLANS[0]; k++) {
			fc_text_search ts = fc_db_task_text_search(db, by_id, PLANS[k]);
			snprintf(sql, sizeof sql, "SELECT t.id FROM %s WHERE t.project_id=? AND %s ORDER BY %s LIMIT 8",
				 ts.from, ts.match, by_id ? ts.id : "t.priority DESC, t.id DESC");
			fc_stmt *st;
			cr_assert_eq(fc_db_query(db, &st, &e, sql, "ItII", p[0], words, p[0], p[0]), 0, "%s: %s", sql,
				     e.msg);
			char got[512] = "";
			size_t o = 0;
			while (fc_stmt_next(st) == 1 && o < sizeof got - 24)
				o += (size_t)snprintf(got + o, sizeof got - o, "%lld ", (long long)fc_stmt_int(st, 0));
			fc_stmt_done(st);
			cr_expect_neq(o, 0, "%s", sql);
			if (k == 0)
				snprintf(want, sizeof want, "%s", got);
			else
				cr_expect_str_eq(got, want, "by_id %d, %lld matches: %s", by_id, (long long)PLANS[k],
						 sql);
			/* the data's key is no word of it (migration 0039), whatever the plan */
			char key[16];
			fc_db_text_query(db, "text", key, sizeof key);
			int64_t none = -1;
			snprintf(sql + strlen(sql) - strlen(" LIMIT 8"), 32, " LIMIT 1");
			int found = fc_db_int(db, &none, &e, sql, "ItII", p[0], key, p[0], p[0]);
			cr_expect_eq(found, FC_ENOTFOUND, "by_id %d, %lld matches: \"text\" found task %lld", by_id,
				     (long long)PLANS[k], (long long)none);
		}
	}
	fc_db_rollback(db);
}

/* The ids of project p's tasks that match typed, in id order, as "i j ". */
static void matching(fc_db *db, int64_t p, const int64_t *ids, const char *typed, char *got, size_t n)
{
	char words[128], sql[1024];
	fc_err e = {0};
	*got = 0;
	cr_assert_gt(fc_db_text_query(db, typed, words, sizeof words), 0, "%s", typed);
	fc_text_search ts = fc_db_task_text_search(db, 1, 0);
	snprintf(sql, sizeof sql, "SELECT t.id FROM %s WHERE t.project_id=? AND %s ORDER BY %s", ts.from, ts.match,
		 ts.id);
	fc_stmt *st;
	cr_assert_eq(fc_db_query(db, &st, &e, sql, "ItII", p, words, p, p), 0, "%s: %s", sql, e.msg);
	size_t o = 0;
	while (fc_stmt_next(st) == 1 && o < n - 8)
		for (int i = 0; i < 8; i++)
			if (ids[i] == fc_stmt_int(st, 0))
				o += (size_t)snprintf(got + o, n - o, "%d ", i);
	fc_stmt_done(st);
}

/* Migration 0039: the text search indexes the data's string values only —
 * a key ("image", "text") finds nothing unless it is also a value, a number
 * outside a string neither, a word deep in nested arrays and objects does,
 * escapes count as what they stand for — on both back ends alike, through
 * the insert, update and delete triggers. */
Test(store, text_search_finds_string_values_not_keys)
{
	static const char *const DATA[] = {
		"{\"image\":\"https://example.com/cat.jpg\",\"text\":\"plain words\"}",
		"{\"meta\":{\"tags\":[[\"deep\",\"nested\"],{\"k\":\"hidden treasure\"}]},\"n\":4242}",
		"{\"text\":\"caf\\u00e9 \\\"quoted\\\" line\\nbreak\"}",
		"{\"text\":\"an image of a text\"}",
	};
	static const struct {
		const char *q, *want;
	} CASES[] = {{"image", "3 "},      {"text", "3 "},   {"meta", ""},
		     {"tags", ""},         {"k", ""},        {"4242", ""},
		     {"treasure", "1 "},   {"nested", "1 "}, {"caf\xc3\xa9", "2 "},
		     {"quoted", "2 "},     {"break", "2 "},  {"plain words", "0 "},
		     {"words plain", "0 "}};
	int64_t u = add_user("values@test"), p, ids[8] = {0};
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_assert_eq(fc_db_int(db, &p, &e,
			       "INSERT INTO projects(owner_id,kind,title,created_at,updated_at) "
			       "VALUES(?,'annotation','p',0,0) RETURNING id",
			       "I", u),
		     0, "%s", e.msg);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(fc_db_int(db, &ids[i], &e,
				       "INSERT INTO tasks(project_id,data,created_at) VALUES(?,?,0) RETURNING id", "It",
				       p, DATA[i]),
			     0, "%s", e.msg);
	char got[64];
	for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
		matching(db, p, ids, CASES[i].q, got, sizeof got);
		cr_expect_str_eq(got, CASES[i].want, "%s", CASES[i].q);
	}
	cr_assert_eq(fc_db_exec(db, &e, "UPDATE tasks SET data=? WHERE id=?", "tI", "{\"text\":\"changed\"}", ids[1]),
		     0, "%s", e.msg);
	cr_assert_eq(fc_db_exec(db, &e, "DELETE FROM tasks WHERE id=?", "I", ids[2]), 0, "%s", e.msg);
	matching(db, p, ids, "treasure", got, sizeof got);
	cr_expect_str_eq(got, "", "the old data left the index");
	matching(db, p, ids, "changed", got, sizeof got);
	cr_expect_str_eq(got, "1 ");
	matching(db, p, ids, "quoted", got, sizeof got);
	cr_expect_str_eq(got, "", "a deleted task left the index");
	fc_db_rollback(db);
}

/* advisory locks this transaction's backend holds in mode ('ShareLock', 'ExclusiveLock') */
static int64_t held(fc_db *db, const char *mode)
{
	int64_t n = -1;
	fc_err e = {0};
	cr_assert_eq(fc_db_int(db, &n, &e,
			       "SELECT COUNT(*) FROM pg_locks WHERE locktype='advisory' AND pid=pg_backend_pid() "
			       "AND granted AND mode=?",
			       "t", mode),
		     0, "%s", e.msg);
	return n;
}

Test(store, a_write_transaction_holds_its_locks_from_its_first_statement)
{
	if (!*database)
		cr_skip_test("PostgreSQL only: advisory locks");
	fc_db *db;
	fc_err e = {0};
	int64_t async = 0;
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE_ROWS, &db, &e), 0);
	cr_assert_eq(fc_db_lock(db, FC_LOCK_USER, 7, &e), 0);
	cr_expect_eq(held(db, "ShareLock"), 1, "the write lock, shared");
	cr_expect_eq(held(db, "ExclusiveLock"), 1, "the contributor's lock");
	cr_assert_eq(fc_db_int(db, &async, &e,
			       "SELECT CASE WHEN current_setting('synchronous_commit')='off' THEN 1 "
			       "ELSE 0 END",
			       ""),
		     0);
	cr_expect_eq(async, 1, "the commit is asynchronous (then waits for a flushed marker)");
	for (int i = 0; i < 8; i++) /* more than go with one statement */
		cr_assert_eq(fc_db_lock(db, FC_LOCK_USER, 100 + i, &e), 0, "%s", e.msg);
	cr_expect_eq(held(db, "ExclusiveLock"), 9, "every lock taken after a statement is held by the next");
	fc_db_rollback(db);

	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	cr_expect_eq(held(db, "ExclusiveLock"), 1, "the write lock, exclusive");
	cr_expect_eq(held(db, "ShareLock"), 0);
	fc_db_rollback(db);

	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	cr_expect_eq(held(db, "ExclusiveLock") + held(db, "ShareLock"), 0, "a reader takes no lock");
	fc_db_rollback(db);
}

/* The statement cache finds a text by its address first: a buffer that
 * held one text and then holds another must run the new one (a stale alias
 * once ran the old statement: a list by project answered a list by user). */
Test(store, a_reused_buffer_runs_the_text_it_holds_now)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	char sql[64];
	static const char *const TEXTS[] = {"SELECT 1+?", "SELECT 1+?", "SELECT 2+?", "SELECT 2+?", "SELECT 1+?"};
	for (size_t k = 0; k < sizeof TEXTS / sizeof *TEXTS; k++) {
		snprintf(sql, sizeof sql, "%s", TEXTS[k]);
		int64_t n = 0;
		cr_assert_eq(fc_db_int(db, &n, &e, sql, "I", (int64_t)10), 0, "%s", e.msg);
		cr_expect_eq(n, TEXTS[k][7] == '1' ? 11 : 12, "round %zu ran '%s' and got %lld", k, sql, (long long)n);
	}
	fc_db_rollback(db);
}
