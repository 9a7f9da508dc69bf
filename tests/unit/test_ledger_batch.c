/* A publish batch's ledger postings (fc_ledger_batch), written set-based at
 * the batch's end: the same ledger as the postings made one by one, nothing
 * kept of a batch that fails, `ledger check` ok after. On both stores (the
 * PostgreSQL pass sets FC_TEST_DATABASE_URL: each store a database of its
 * own). */
#include "../common/pgdb.h"
#include "core/buf.h"
#include "core/clock.h"
#include "money/ledger.h"
#include "money/money.h"
#include "store/store.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[2][64], database[2][512];
static fc_store *S;

/* Opens store i: a data folder, or on the PostgreSQL pass a database. */
static fc_store *open_store(int i)
{
	snprintf(dir[i], sizeof dir[i], "/tmp/fc-lbatch-XXXXXX");
	cr_assert(mkdtemp(dir[i]));
	cr_assert_eq(pgdb_create(database[i], sizeof database[i]), 0);
	if (*database[i])
		setenv("FAIRCROWD_DATABASE", database[i], 1);
	fc_store *s;
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&s, dir[i], &e), 0, "%s", e.msg);
	return s;
}

static void close_store(fc_store *s, int i)
{
	fc_store_close(s);
	if (*database[i])
		pgdb_drop(database[i]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir[i]);
	cr_assert_eq(system(cmd), 0);
}

static void up(void)
{
	fc_clock_set(1893456000);
	S = open_store(0);
}

static void down(void)
{
	close_store(S, 0);
	fc_clock_set(-1);
}

TestSuite(ledger_batch, .init = up, .fini = down, .timeout = 120);

/* `faircrowd ledger check`'s findings in s (its report thrown away). */
static int64_t violations_in(fc_store *s)
{
	int64_t found = -1;
	fc_err e = {0};
	FILE *sink = fopen("/dev/null", "w");
	int rc = sink ? fc_money_ledger_check(s, sink, &found, &e) : -1;
	if (sink)
		fclose(sink);
	cr_assert_eq(rc, 0, "ledger check: %s", e.msg);
	return found;
}

/* Raw SQL for the test's own trigger: psql on PostgreSQL, the store on
 * SQLite. */
static void raw(const char *sqlite_sql, const char *pg_sql)
{
	if (*database[0]) {
		char cmd[1024];
		snprintf(cmd, sizeof cmd, "psql -q '%s' -v ON_ERROR_STOP=1 -c \"%s\" >/dev/null", database[0], pg_sql);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		return;
	}
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0);
	int rc = fc_db_exec(db, &e, sqlite_sql, "");
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s: %s", sqlite_sql, e.msg);
}

static int64_t count_txns(fc_store *s)
{
	fc_db *db;
	fc_err e = {0};
	int64_t v = -1;
	cr_assert_eq(fc_db_begin(s, FC_DB_READ, &db, &e), 0);
	cr_assert_eq(fc_db_int(db, &v, &e, "SELECT COUNT(*) FROM ledger_txns", ""), 0, "%s", e.msg);
	fc_db_rollback(db);
	return v;
}


typedef struct posting {
	const char *cur, *memo, *ref;
	fc_entry e[4];
	int n;
} posting;

/* Posted one by one in both stores before the batch: chains with heads. */
static const posting SEED[] = {
	{"USD", "funded", "f1", {{"world:USD", -5000}, {"escrow:1", 5000}}, 2},
	{"EUR", "funded", "f2", {{"world:EUR", -3000}, {"escrow:2", 3000}}, 2},
	{"USD", "earned", "submission:1", {{"escrow:1", -100}, {"pending:7", 100}}, 2},
	{"USD", "earned", "submission:2", {{"escrow:1", -100}, {"pending:8", 100}}, 2},
	{"EUR", "earned", "submission:3", {{"escrow:2", -50}, {"pending:7", 50}}, 2},
};

/* The batch: two currencies, two projects' escrow shards, accounts with a
 * row and accounts new in the batch, three entries, one account twice, a
 * zero amount. */
static const posting MIX[] = {
	{"USD", "accepted", "submission:1", {{"pending:7", -100}, {"available:7", 100}}, 2},
	{"EUR", "accepted", "submission:3", {{"pending:7", -50}, {"available:7", 50}}, 2},
	{"USD", "earned", "submission:4", {{"escrow:1", -60}, {"pending:9", 60}}, 2},
	{"EUR", "earned", "submission:5", {{"escrow:2", -40}, {"pending:7", 40}}, 2},
	{"USD", "accepted", "submission:2", {{"pending:8", -100}, {"available:8", 100}}, 2},
	{"USD", "accepted", "submission:4", {{"pending:9", -60}, {"available:9", 60}}, 2},
	{"USD", "fee", "submission:6", {{"escrow:1", -30}, {"available:8", 25}, {"fee", 5}}, 3},
	{"USD", "charged", "p1", {{"available:7", -10}, {"fee", 10}, {"available:7", -5}, {"fee", 5}}, 4},
	{"USD", "charged", "p2", {{"available:8", -20}, {"fee", 20}, {"available:8", 0}}, 3},
	{"EUR", "accepted", "submission:5", {{"pending:7", -40}, {"available:7", 40}}, 2},
};

/* Every row of sql (ncols columns) as text, one line each. */
static char *dump(fc_store *s, const char *sql, int ncols)
{
	fc_db *db;
	fc_err e = {0};
	fc_stmt *st;
	fc_buf b = {0};
	cr_assert_eq(fc_db_begin(s, FC_DB_READ, &db, &e), 0);
	cr_assert_eq(fc_db_query(db, &st, &e, sql, ""), 0, "%s", e.msg);
	while (fc_stmt_next(st) == 1) {
		for (int c = 0; c < ncols; c++)
			fc_buf_printf(&b, "%s|", fc_stmt_text(st, c) ? fc_stmt_text(st, c) : "NULL");
		fc_buf_puts(&b, "\n");
	}
	fc_stmt_done(st);
	fc_db_rollback(db);
	return b.p ? b.p : strdup("");
}

/* Posts ps[0..n) in one write transaction of s: one by one with
 * fc_ledger_post, or through a batch written at the end. */
static int post_all(fc_store *s, const posting *ps, int n, int batched, fc_err *e)
{
	fc_db *db;
	cr_assert_eq(fc_db_begin(s, FC_DB_WRITE, &db, e), 0);
	fc_ledger_batch *b = batched ? fc_ledger_batch_new() : NULL;
	cr_assert(!batched || b);
	int rc = 0;
	for (int i = 0; !rc && i < n; i++)
		rc = batched ? fc_ledger_batch_add(b, ps[i].cur, ps[i].memo, ps[i].ref, ps[i].e, ps[i].n, e)
			     : fc_ledger_post(db, ps[i].cur, ps[i].memo, ps[i].ref, ps[i].e, ps[i].n, NULL, e);
	if (!rc && batched)
		cr_expect_eq(fc_ledger_batch_size(b), (size_t)n);
	if (!rc && batched)
		rc = fc_ledger_batch_write(db, b, e);
	fc_ledger_batch_free(b);
	return fc_db_end(db, &rc, e);
}

/* MIX and, after it, 300 more postings over five contributors in both
 * currencies, each reward earned then accepted (statements of 128, 64, 32,
 * 16, 4 and 2 rows). */
#define EXTRA 300
static posting *batch_script(int *n)
{
	static char names[EXTRA][3][32];
	posting *ps = calloc(EXTRA + sizeof MIX / sizeof MIX[0], sizeof *ps);
	cr_assert(ps);
	int k = 0;
	for (size_t i = 0; i < sizeof MIX / sizeof MIX[0]; i++)
		ps[k++] = MIX[i];
	for (int i = 0; i < EXTRA; i++) {
		int pair = i / 2, u = 7 + pair % 5, eur = !(pair % 3);
		int64_t a = pair + 1;
		snprintf(names[i][0], sizeof names[i][0], "%s:%d", i % 2 ? "pending" : "escrow",
			 i % 2 ? u : (eur ? 2 : 1));
		snprintf(names[i][1], sizeof names[i][1], "%s:%d", i % 2 ? "available" : "pending", u);
		snprintf(names[i][2], sizeof names[i][2], "submission:%d", 100 + pair);
		ps[k++] = (posting){eur ? "EUR" : "USD",
				    i % 2 ? "accepted" : "earned",
				    names[i][2],
				    {{names[i][0], -a}, {names[i][1], a}},
				    2};
	}
	*n = k;
	return ps;
}

Test(ledger_batch, a_batch_refuses_an_unbalanced_posting)
{
	fc_ledger_batch *b = fc_ledger_batch_new();
	cr_assert(b);
	fc_err e = {0};
	fc_entry bad[] = {{"pending:1", -5}, {"available:1", 4}};
	cr_expect_eq(fc_ledger_batch_add(b, "USD", "x", "r", bad, 2, &e), FC_EINVAL);
	cr_expect_str_eq(e.slug, "unbalanced");
	cr_expect_eq(fc_ledger_batch_size(b), 0, "nothing kept of it");
	fc_ledger_batch_free(b);
}

Test(ledger_batch, a_batch_writes_what_single_posts_write)
{
	fc_store *T = open_store(1);
	fc_err e = {0};
	int n;
	posting *ps = batch_script(&n);
	int nseed = (int)(sizeof SEED / sizeof SEED[0]);
	cr_assert_eq(post_all(S, SEED, nseed, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(post_all(T, SEED, nseed, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(post_all(S, ps, n, 0, &e), 0, "one by one: %s", e.msg);
	cr_assert_eq(post_all(T, ps, n, 1, &e), 0, "batched: %s", e.msg);
	static const struct {
		const char *sql;
		int cols;
	} Q[] = {
		{"SELECT id, currency, memo, ref, created_at FROM ledger_txns ORDER BY id", 5},
		{"SELECT id, txn_id, account, amount, currency, created_at, prev_id FROM ledger_entries ORDER BY id", 7},
		{"SELECT account, currency, shard, balance, last_txn, last_entry FROM ledger_balances "
		 "ORDER BY account, currency, shard",
		 6},
	};
	for (size_t q = 0; q < sizeof Q / sizeof Q[0]; q++) {
		char *a = dump(S, Q[q].sql, Q[q].cols), *b = dump(T, Q[q].sql, Q[q].cols);
		cr_expect_str_eq(b, a, "%s", Q[q].sql);
		free(a);
		free(b);
	}
	cr_expect_eq(count_txns(T), nseed + n);
	cr_expect_eq(violations_in(T), 0, "balances are the entry sums, chains unbroken");
	cr_expect_eq(violations_in(S), 0);
	free(ps);
	close_store(T, 1);
}

Test(ledger_batch, a_failing_posting_in_a_batch_keeps_nothing_of_it)
{
	int n;
	posting *ps = batch_script(&n);
	fc_err e = {0};
	cr_assert_eq(post_all(S, SEED, (int)(sizeof SEED / sizeof SEED[0]), 0, &e), 0, "%s", e.msg);
	char *before[2] = {dump(S, "SELECT id, account, amount FROM ledger_entries ORDER BY id", 3),
			   dump(S, "SELECT account, currency, shard, balance FROM ledger_balances ORDER BY 1,2,3", 4)};
	/* the 41st posting's entries cannot be written */
	raw("CREATE TRIGGER boom BEFORE INSERT ON ledger_entries WHEN NEW.amount=-16 AND NEW.currency='EUR' "
	    "BEGIN SELECT RAISE(ABORT, 'boom'); END",
	    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \\$\\$ BEGIN IF NEW.amount=-16 AND "
	    "NEW.currency='EUR' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END \\$\\$; CREATE TRIGGER "
	    "boom BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION boom();");
	cr_assert_eq(ps[40].e[0].amount, -16);
	cr_assert_str_eq(ps[40].cur, "EUR");
	cr_expect_neq(post_all(S, ps, n, 1, &e), 0, "the batch fails");
	char *after[2] = {dump(S, "SELECT id, account, amount FROM ledger_entries ORDER BY id", 3),
			  dump(S, "SELECT account, currency, shard, balance FROM ledger_balances ORDER BY 1,2,3", 4)};
	for (int i = 0; i < 2; i++) {
		cr_expect_str_eq(after[i], before[i], "nothing of the batch was kept");
		free(before[i]);
		free(after[i]);
	}
	cr_expect_eq(count_txns(S), (int64_t)(sizeof SEED / sizeof SEED[0]));
	raw("DROP TRIGGER boom", "DROP TRIGGER boom ON ledger_entries");
	cr_expect_eq(post_all(S, ps, n, 1, &e), 0, "the same batch goes through: %s", e.msg);
	cr_expect_eq(violations_in(S), 0);
	free(ps);
}
