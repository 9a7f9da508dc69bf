/* PostgreSQL implementation of store.h (libpq), for many faircrowd servers
 * sharing one database.
 *
 * Connections come from a pool per server and are opened on demand. Every
 * statement text is translated once per store ('?' and '?NNN' become $n,
 * SQLite's numbering) and prepared once per connection under the name
 * "fc<id>" of its translation; parameters are typed from the bind format
 * (i/I int8, d float8, b bytea; t and j let the server infer, as text).
 * Results come back in text format and the getters convert them the way
 * SQLite's column functions do (NULL → 0 / NULL, booleans → 1/0).
 *
 * Writes: the domain was written for SQLite's one serialised writer, and its
 * invariants (task counters against the overlap, the ledger, idempotency
 * records) rely on that. So an FC_DB_WRITE transaction starts with
 * pg_advisory_xact_lock(WRITE_LOCK): it runs alone across every server on the
 * database, reads run in parallel on snapshots (REPEATABLE READ). The hot
 * paths (lease, submit) are FC_DB_WRITE_ROWS: they take the same lock
 * *shared*, so they run concurrently with each other but never beside an
 * FC_DB_WRITE, and guard what they read with row and per-object advisory
 * locks (fc_db_lock); a deadlock or serialization failure (40P01/40001) is
 * "retry_transaction", which fc_store_tx runs again. Writes run in READ
 * COMMITTED, so each statement after a lock sees everything committed before
 * it. A COMMIT is asynchronous (the lock is not held during the WAL flush)
 * and is followed by a tiny synchronous commit that returns once the WAL is
 * flushed past it, so a 2xx still means durable (pg_commit).
 * docs/architecture.md weighs the cost.
 *
 * A connection found dead when a transaction begins is dropped with the rest
 * of the idle pool and replaced (the server restarted); a connection lost
 * mid-transaction fails that request with FC_EBUSY (503) and is not reused. */
#include "core/clock.h"
#include "core/embed.h"
#include "core/log.h"
#include "store/backend.h"
#include "store/pg_internal.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const fc_store_vt VT;

static int unavailable(fc_err *err)
{
	return fc_err_set(err, FC_EBUSY, "database_unavailable", NULL,
			  "The database cannot be reached right now. Nothing was changed; try again.");
}

/* Maps a failed result to SQLite's errors: integrity violations (class 23,
 * and the ledger's append-only trigger) are FC_ECONFLICT; a lost connection
 * is FC_EBUSY; anything else is a logged FC_EDB. */
static int fail(pg_db *db, const PGresult *r, fc_err *err, const char *what, const char *sql)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn);
	char one[256];
	snprintf(one, sizeof one, "%s", msg && *msg ? msg : "no answer");
	one[strcspn(one, "\n")] = 0;
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		fc_log(FC_LOG_ERROR, "postgres %s: connection lost: %s", what, one);
		return unavailable(err);
	}
	if (state && !strncmp(state, "23", 2))
		return fc_err_set(err, FC_ECONFLICT, "conflict", NULL, "The change conflicts with existing data (%s).",
				  one);
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01"))) {
		/* the transaction was rolled back whole: fc_store_tx runs it again */
		fc_log(FC_LOG_WARN, "postgres %s [%s]: %s", what, state, one);
		return fc_err_set(err, FC_EBUSY, "retry_transaction", NULL,
				  "The database was busy with a conflicting change. Nothing was changed; try again.");
	}
	fc_log(FC_LOG_ERROR, "postgres %s [%s]: %s%s%s", what, state ? state : "?", one, sql ? " in: " : "",
	       sql ? sql : "");
	return fc_err_set(err, FC_EDB, "database_error", NULL, "The database failed (%s). Nothing was changed.", what);
}

/* Runs a statement without parameters; 0 or an error as fail() maps it. */
int fc_pg_run(pg_db *db, const char *sql, fc_err *err, const char *what)
{
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : fail(db, r, err, what, NULL);
	PQclear(r);
	return rc;
}

void fc_pg_close_conn(pg_db *db)
{
	PQfinish(db->conn);
	free(db->prepared);
	free(db);
}

/* Logs a notice (e.g. "relation already exists, skipping") at debug level
 * instead of libpq's default of printing it to stderr. */
static void on_notice(void *arg, const char *msg)
{
	(void)arg;
	fc_log(FC_LOG_DEBUG, "postgres: %.*s", (int)strcspn(msg, "\n"), msg);
}

/* Connects db (a new one, or one whose connection died). */
static int connect_db(pg_db *db, fc_err *err)
{
	pg_store *s = db->store;
	db->conn = PQconnectdb(s->url);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s", db->conn ? PQerrorMessage(db->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = 0;
		fc_log(FC_LOG_ERROR, "postgres connect: %s", msg);
		return fc_err_set(err, FC_EBUSY, "database_unavailable", NULL, "Cannot connect to the database: %s", msg);
	}
	PQsetNoticeProcessor(db->conn, on_notice, NULL);
	/* durability is the contract (a 2xx is committed), whatever the server's
	 * default; UTC and UTF-8 so nothing depends on its locale */
	int rc = PQsetClientEncoding(db->conn, "UTF8")
			 ? fail(db, NULL, err, "encoding", NULL)
			 : fc_pg_run(db, "SET synchronous_commit TO on; SET TIME ZONE 'UTC'", err, "session setup");
	return rc;
}

int fc_pg_open_conn(pg_store *s, pg_db **out, fc_err *err)
{
	pg_db *db = calloc(1, sizeof *db);
	if (!db)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	db->base.vt = &VT;
	db->store = s;
	int rc = connect_db(db, err);
	if (rc) {
		fc_pg_close_conn(db);
		return rc;
	}
	*out = db;
	return 0;
}

/* ---------------- statement texts ---------------- */

/* The store's translation of sql, made on first use. NULL: out of memory
 * or a placeholder number out of range. */
static pg_sql *find_sql(pg_store *s, const char *sql, const char *fmt)
{
	uint64_t h = fc_pg_hash_text(sql);
	size_t b = h % SQL_BUCKETS;
	pthread_rwlock_rdlock(&s->sql_mu);
	pg_sql *e = s->sql[b];
	while (e && (e->hash != h || strcmp(e->text, sql)))
		e = e->next;
	pthread_rwlock_unlock(&s->sql_mu);
	if (e)
		return e;
	pg_sql *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->hash = h;
	n->text = strdup(sql);
	n->fmt = strdup(fmt);
	n->pg = fc_pg_translate(sql, &n->nparams);
	if (!n->text || !n->fmt || !n->pg) {
		free(n->text);
		free(n->fmt);
		free(n->pg);
		free(n);
		return NULL;
	}
	pthread_rwlock_wrlock(&s->sql_mu);
	for (e = s->sql[b]; e && (e->hash != h || strcmp(e->text, sql)); e = e->next)
		;
	if (!e) { /* nobody added it meanwhile */
		n->id = s->nsql++;
		n->next = s->sql[b];
		s->sql[b] = n;
		e = n;
		n = NULL;
	}
	pthread_rwlock_unlock(&s->sql_mu);
	if (n) {
		free(n->text);
		free(n->fmt);
		free(n->pg);
		free(n);
	}
	return e;
}

static Oid type_of(char f)
{
	switch (f) {
	case 'i':
	case 'I': return OID_INT8;
	case 'd': return OID_FLOAT8;
	case 'b': return OID_BYTEA;
	default: return 0; /* text and JSON: the server infers from the context */
	}
}

/* Makes room for q's flag in db->prepared. */
static int prepared_slot(pg_db *db, const pg_sql *q, fc_err *err)
{
	if (q->id >= db->nprepared) {
		int n = q->id + 64;
		unsigned char *p = realloc(db->prepared, (size_t)n);
		if (!p)
			return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		memset(p + db->nprepared, 0, (size_t)(n - db->nprepared));
		db->prepared = p;
		db->nprepared = n;
	}
	return 0;
}

static int has_pending(const pg_db *db) { return db->pend.begin || db->pend.write_lock || db->pend.nkeys; }

#define LOCKS_TEXT (96 + 48 * (MAX_PENDING + 1))

/* The statement that takes p's locks (and turns asynchronous commit on with
 * the write lock), with literal keys or '?' for them; 0 when it has none,
 * else how many keys it takes. One statement, so one parse and one plan —
 * none once prepared — where each lock used to be a statement of its own. */
static int locks_text(const pg_pending *p, char *out, size_t size, int literal)
{
	int n = 0;
	size_t len = (size_t)snprintf(out, size, "SELECT ");
	const char *sep = "";
	if (p->write_lock) {
		len += (size_t)snprintf(out + len, size - len,
					"set_config('synchronous_commit','off',true),pg_advisory_xact_lock%s(%s)",
					p->write_lock == 1 ? "_shared" : "", literal ? WRITE_LOCK : "?");
		sep = ",";
		n++;
	}
	for (int i = 0; i < p->nkeys && len < size; i++, n++) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)p->keys[i]);
		len += (size_t)snprintf(out + len, size - len, "%spg_advisory_xact_lock(%s)", sep, literal ? key : "?");
		sep = ",";
	}
	if (!n)
		*out = 0;
	return n;
}

/* Sends (in pipeline mode) what the transaction owes the server: its BEGIN,
 * then its locks as one prepared statement, prepared first where this
 * connection has not seen it. *sent counts the messages that get an answer;
 * *prep_at is the place of the locks' Prepare (-1: none), *lq the statement. */
static int send_pending(pg_db *db, int *sent, int *prep_at, const pg_sql **lq)
{
	PGconn *c = db->conn;
	pg_pending p = db->pend;
	memset(&db->pend, 0, sizeof db->pend);
	db->fresh = 0;
	*prep_at = -1;
	if (p.begin) {
		if (!PQsendQueryParams(c, p.begin, 0, NULL, NULL, NULL, NULL, 0))
			return 0;
		(*sent)++;
	}
	char text[LOCKS_TEXT], fmt[MAX_PENDING + 2], nums[MAX_PENDING + 1][24];
	const char *values[MAX_PENDING + 1];
	Oid types[MAX_PENDING + 1];
	int n = locks_text(&p, text, sizeof text, 0);
	if (!n)
		return 1;
	for (int i = 0; i < n; i++) {
		int64_t key = p.write_lock ? (i ? p.keys[i - 1] : (int64_t)strtoll(WRITE_LOCK, NULL, 10)) : p.keys[i];
		snprintf(nums[i], sizeof nums[i], "%lld", (long long)key);
		values[i] = nums[i];
		types[i] = OID_INT8;
		fmt[i] = 'I';
	}
	fmt[n] = 0;
	const pg_sql *l = find_sql(db->store, text, fmt);
	if (!l || prepared_slot(db, l, NULL))
		return 0;
	char name[32];
	snprintf(name, sizeof name, "fc%d", l->id);
	if (!db->prepared[l->id]) {
		if (!PQsendPrepare(c, name, l->pg, n, types))
			return 0;
		*prep_at = (*sent)++;
	}
	if (!PQsendQueryPrepared(c, name, n, values, NULL, NULL, 0))
		return 0;
	(*sent)++;
	*lq = l;
	return 1;
}

/* Runs one statement of the domain — by its prepared name (preparing it on
 * this connection first if need be) when prepared, else with its text —
 * after what the transaction still owes the server, all in one round trip:
 * libpq's pipeline mode sends every message and one Sync, then reads the
 * answers in order. Returns the statement's result, or the first failure
 * (what follows a failure comes back PGRES_PIPELINE_ABORTED), or NULL when
 * the connection broke. */
static PGresult *exec_stmt(pg_db *db, const pg_sql *q, int prepared, int n, const Oid *types, const char *const *values,
			   const int *lengths, const int *formats)
{
	PGconn *c = db->conn;
	char name[32];
	snprintf(name, sizeof name, "fc%d", q->id);
	int prep = prepared && !db->prepared[q->id];
	if (!has_pending(db) && !prep)
		return prepared ? PQexecPrepared(c, name, n, values, lengths, formats, 0)
				: PQexecParams(c, q->pg, n, types, values, lengths, formats, 0);
	if (!PQenterPipelineMode(c))
		return NULL;
	int sent = 0, prep_at = -1, lock_prep_at = -1;
	const pg_sql *lq = NULL;
	int ok = send_pending(db, &sent, &lock_prep_at, &lq);
	if (ok && prep) {
		prep_at = sent++;
		ok = PQsendPrepare(c, name, q->pg, q->nparams, types);
	}
	if (ok) {
		sent++;
		ok = prepared ? PQsendQueryPrepared(c, name, n, values, lengths, formats, 0)
			      : PQsendQueryParams(c, q->pg, n, types, values, lengths, formats, 0);
	}
	ok = ok && PQpipelineSync(c);
	PGresult *bad = NULL, *last = NULL;
	for (int k = 0; ok && k < sent; k++) {
		PGresult *r = PQgetResult(c), *end;
		if (!r) {
			ok = 0;
			break;
		}
		ExecStatusType st = PQresultStatus(r);
		int good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
		if (k == prep_at && good)
			db->prepared[q->id] = 1;
		if (k == lock_prep_at && good)
			db->prepared[lq->id] = 1;
		if (k == sent - 1)
			last = r;
		else if (!good && !bad)
			bad = r;
		else
			PQclear(r);
		while ((end = PQgetResult(c))) /* NULL ends each query's results */
			PQclear(end);
	}
	if (ok) {
		PGresult *sync = PQgetResult(c); /* PGRES_PIPELINE_SYNC */
		PQclear(sync);
	}
	PQexitPipelineMode(c);
	if (!ok) {
		PQclear(bad);
		PQclear(last);
		return NULL;
	}
	if (bad) {
		PQclear(last);
		return bad;
	}
	return last;
}

/* Sends what the transaction still owes on its own (before a statement
 * that does not go through exec_stmt). */
static int flush_pending(pg_db *db, fc_err *err)
{
	if (!has_pending(db))
		return 0;
	char sql[LOCKS_TEXT + 64];
	snprintf(sql, sizeof sql, "%s;", db->pend.begin ? db->pend.begin : "");
	locks_text(&db->pend, sql + strlen(sql), sizeof sql - strlen(sql), 1);
	memset(&db->pend, 0, sizeof db->pend);
	db->fresh = 0;
	return fc_pg_run(db, sql, err, "begin");
}

/* ---------------- transactions ---------------- */

static void release(pg_db *db)
{
	pg_store *s = db->store;
	/* a broken connection, or one left inside a transaction, is not reused */
	if (PQstatus(db->conn) != CONNECTION_OK || (PQtransactionStatus(db->conn) != PQTRANS_IDLE && !db->rollback_sent)) {
		fc_pg_close_conn(db);
		return;
	}
	pthread_mutex_lock(&s->pool_mu);
	db->next_free = s->free_list;
	s->free_list = db;
	pthread_mutex_unlock(&s->pool_mu);
}

static void drop_idle(pg_store *s)
{
	pthread_mutex_lock(&s->pool_mu);
	pg_db *db = s->free_list;
	s->free_list = NULL;
	pthread_mutex_unlock(&s->pool_mu);
	while (db) {
		pg_db *n = db->next_free;
		fc_pg_close_conn(db);
		db = n;
	}
}

/* A pooled connection (its reader's ROLLBACK answered), or a new one. */
static int acquire(pg_store *s, pg_db **out, fc_err *err)
{
	for (;;) {
		pthread_mutex_lock(&s->pool_mu);
		pg_db *db = s->free_list;
		if (db)
			s->free_list = db->next_free;
		pthread_mutex_unlock(&s->pool_mu);
		if (!db)
			return fc_pg_open_conn(s, out, err);
		if (db->rollback_sent) {
			db->rollback_sent = 0;
			PGresult *r;
			int good = 1;
			while ((r = PQgetResult(db->conn))) {
				good = good && PQresultStatus(r) == PGRES_COMMAND_OK;
				PQclear(r);
			}
			if (!good || PQstatus(db->conn) != CONNECTION_OK ||
			    PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
				fc_pg_close_conn(db); /* dead (server restarted): try the next */
				continue;
			}
		}
		*out = db;
		return 0;
	}
}

/* Starts a transaction on a pooled connection. Nothing is sent yet: the
 * statements of begin (NULL-terminated) go with the first statement. */
static int begin_with(pg_store *s, const char *begin, int write_lock, fc_db **out, fc_err *err)
{
	pg_db *db;
	int rc = acquire(s, &db, err);
	if (rc)
		return rc;
	int write = write_lock > 0;
	db->write = write;
	db->reader = 0;
	db->changes = 0;
	db->began_ns = fc_clock_mono_ns();
	db->fresh = 1;
	memset(&db->pend, 0, sizeof db->pend);
	db->pend.begin = begin;
	db->pend.write_lock = write_lock;
	if (write)
		atomic_fetch_add(&s->writes, 1);
	*out = &db->base;
	return 0;
}

int fc_pg_begin_plain(pg_store *s, fc_db **out, fc_err *err) { return begin_with(s, "BEGIN", 0, out, err); }

static int pg_begin(fc_store *base, int mode, fc_db **out, fc_err *err)
{
	pg_store *s = (pg_store *)base;
	if (mode == FC_DB_WRITE)
		return begin_with(s, "BEGIN", 2, out, err);
	if (mode == FC_DB_WRITE_ROWS) /* with each other, not with an FC_DB_WRITE */
		return begin_with(s, "BEGIN", 1, out, err);
	int rc = begin_with(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, out, err);
	if (!rc)
		((pg_db *)*out)->reader = 1;
	return rc;
}

/* Ends a reader without waiting: its ROLLBACK is answered while the
 * connection sits in the pool (acquire reads the answer). */
static void end_reader(pg_db *db)
{
	if (!db->fresh && PQsendQuery(db->conn, "ROLLBACK"))
		db->rollback_sent = 1;
	memset(&db->pend, 0, sizeof db->pend);
	release(db);
}

static int pg_commit(fc_db *base, fc_err *err)
{
	pg_db *db = (pg_db *)base;
	pg_store *s = db->store;
	uint64_t t0 = fc_clock_mono_ns();
	int rc;
	if (db->reader) {
		end_reader(db);
		return 0;
	}
	int fresh = db->fresh;
	memset(&db->pend, 0, sizeof db->pend); /* a lock taken after the last statement guards nothing */
	if (fresh) {                           /* nothing was sent: nothing to commit */
		rc = 0;
	} else if (PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
		/* a statement failed and the caller commits anyway: PostgreSQL
		 * would answer COMMIT with a silent ROLLBACK */
		fc_pg_run(db, "ROLLBACK", NULL, "rollback");
		rc = fc_err_set(err, FC_EDB, "database_error", NULL,
				"The database failed (commit). Nothing was changed.");
	} else if (db->write) {
		/* The write commits asynchronously, which releases the write lock
		 * at once; then a transaction with an id of its own commits
		 * synchronously: its commit record follows ours in the WAL, so
		 * when it returns ours is flushed too. The next writer runs while
		 * we wait, and PostgreSQL's group commit shares one flush among
		 * all the servers' waiting writers. One round trip. */
		rc = fc_pg_run(db, "COMMIT; BEGIN; SELECT pg_current_xact_id(); COMMIT", err, "commit");
	} else {
		rc = fc_pg_run(db, "COMMIT", err, "commit");
	}
	if (db->write) {
		uint64_t t1 = fc_clock_mono_ns();
		atomic_fetch_add(&s->commits, 1);
		atomic_fetch_add(&s->commit_ns, t1 - t0);
		atomic_fetch_add(&s->hold_ns, t1 - db->began_ns);
	}
	release(db);
	return rc;
}

static void pg_rollback(fc_db *base)
{
	pg_db *db = (pg_db *)base;
	if (db->reader) {
		end_reader(db);
		return;
	}
	memset(&db->pend, 0, sizeof db->pend);
	if (!db->fresh && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		fc_pg_run(db, "ROLLBACK", NULL, "rollback");
	if (db->write)
		atomic_fetch_add(&db->store->hold_ns, fc_clock_mono_ns() - db->began_ns);
	release(db);
}

static int pg_lock(fc_db *base, int64_t key, fc_err *err)
{
	pg_db *db = (pg_db *)base;
	if (db->pend.nkeys < MAX_PENDING) { /* taken with the next statement: it guards what follows */
		db->pend.keys[db->pend.nkeys++] = key;
		return 0;
	}
	int rc = flush_pending(db, err);
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)", (long long)key);
	return rc ? rc : fc_pg_run(db, sql, err, "lock");
}

/* ---------------- statements ---------------- */

/* The statement that hands out r's rows (owns r). */
static int wrap_result(pg_db *db, PGresult *r, fc_stmt **out, fc_err *err)
{
	pg_stmt *s = calloc(1, sizeof *s);
	if (!s) {
		PQclear(r);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	s->base.vt = &VT;
	s->db = db;
	s->res = r;
	s->row = -1;
	s->nrows = PQntuples(r);
	*out = &s->base;
	return 0;
}

/* Runs q with its parameters converted (pg_query, pg_exec_values) and hands
 * back the statement holding its result. */
static int run_stmt(pg_db *db, pg_sql *q, const char *fmt, int n, const Oid *types, const char *const *values,
		    const int *lengths, const int *formats, fc_stmt **out, fc_err *err)
{
	int rc = 0;
	/* else the same text with other bind types than it was prepared with */
	int prepared = !strcmp(fmt, q->fmt);
	if (prepared && (rc = prepared_slot(db, q, err)))
		return rc;
	int fresh = db->fresh;
	pg_pending pending = db->pend;
	PGresult *r = exec_stmt(db, q, prepared, n, types, values, lengths, formats);
	if (fresh && PQstatus(db->conn) == CONNECTION_BAD) {
		/* nothing ran yet: the server went away (restart, failover), so
		 * the idle pool is stale too; start over on a new connection */
		fc_log(FC_LOG_WARN, "postgres: dropping dead connections and reconnecting");
		PQclear(r);
		PQfinish(db->conn);
		if (db->prepared)
			memset(db->prepared, 0, (size_t)db->nprepared);
		drop_idle(db->store);
		if ((rc = connect_db(db, err)))
			return rc;
		db->fresh = 1;
		db->pend = pending;
		r = exec_stmt(db, q, prepared, n, types, values, lengths, formats);
	}
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		rc = fail(db, r, err, "query", q->pg);
		PQclear(r);
		return rc;
	}
	const char *tag = PQcmdStatus(r);
	if (!strncmp(tag, "INSERT", 6) || !strncmp(tag, "UPDATE", 6) || !strncmp(tag, "DELETE", 6))
		db->changes = atoll(PQcmdTuples(r));
	return wrap_result(db, r, out, err);
}

static int pg_query(fc_db *base, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	pg_db *db = (pg_db *)base;
	pg_sql *q = find_sql(db->store, sql, fmt);
	if (!q) {
		fc_log(FC_LOG_ERROR, "cannot translate: %s", sql);
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
	}
	int n = (int)strlen(fmt);
	if (n != q->nparams || n > MAX_PARAMS) {
		fc_log(FC_LOG_ERROR, "bind count mismatch: %d formats, %d parameters in %s", n, q->nparams, sql);
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
	}
	const char *values[MAX_PARAMS];
	int lengths[MAX_PARAMS], formats[MAX_PARAMS];
	Oid types[MAX_PARAMS];
	char nums[MAX_PARAMS][32];
	char *owned[MAX_PARAMS];
	int nowned = 0, rc = 0;
	for (int i = 0; i < n; i++) {
		lengths[i] = 0;
		formats[i] = 0;
		types[i] = type_of(fmt[i]);
		switch (fmt[i]) {
		case 'i':
			snprintf(nums[i], sizeof nums[i], "%d", va_arg(ap, int));
			values[i] = nums[i];
			break;
		case 'I':
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)va_arg(ap, int64_t));
			values[i] = nums[i];
			break;
		case 'd':
			snprintf(nums[i], sizeof nums[i], "%.17g", va_arg(ap, double));
			values[i] = nums[i];
			break;
		case 't': values[i] = va_arg(ap, const char *); break;
		case 'j': {
			json_t *j = va_arg(ap, json_t *);
			values[i] = NULL;
			if (j) {
				char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
				if (!txt) {
					rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					goto out;
				}
				values[i] = owned[nowned++] = txt;
			}
			break;
		}
		case 'b': {
			values[i] = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);
			if (len > INT32_MAX) {
				rc = fc_err_set(err, FC_ETOOBIG, "too_large", NULL, "The value is too large to store.");
				goto out;
			}
			lengths[i] = (int)len;
			formats[i] = 1; /* binary: the bytes as they are */
			if (!values[i])
				values[i] = ""; /* an empty blob is not NULL (as in SQLite) */
			break;
		}
		default: rc = fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error."); goto out;
		}
	}
	rc = run_stmt(db, q, fmt, n, types, values, lengths, formats, out, err);
out:
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	return rc;
}

static void pg_done(fc_stmt *base);

static int pg_exec_values(fc_db *base, fc_err *err, const char *sql, const fc_value *v, int n)
{
	pg_db *db = (pg_db *)base;
	if (n < 0 || n > MAX_VALUES)
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
		/* on the stack up to MAX_PARAMS values; a longer multi-row insert's on the heap */
#define VALS(N) \
	struct { \
		char fmt[(N) + 1]; \
		const char *values[N]; \
		int lengths[N], formats[N]; \
		Oid types[N]; \
		char nums[N][24]; \
	}
	VALS(MAX_PARAMS) small;
	VALS(MAX_VALUES) *big = n > MAX_PARAMS ? malloc(sizeof *big) : NULL;
#undef VALS
	if (n > MAX_PARAMS && !big)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	char *fmt = big ? big->fmt : small.fmt;
	const char **values = big ? big->values : small.values;
	int *lengths = big ? big->lengths : small.lengths, *formats = big ? big->formats : small.formats;
	Oid *types = big ? big->types : small.types;
	char(*nums)[24] = big ? big->nums : small.nums;
	for (int i = 0; i < n; i++) {
		lengths[i] = formats[i] = 0;
		fmt[i] = v[i].text ? 't' : 'I';
		types[i] = type_of(fmt[i]);
		if (v[i].text) {
			values[i] = v[i].text;
		} else {
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)v[i].i);
			values[i] = nums[i];
		}
	}
	fmt[n] = 0;
	pg_sql *q = find_sql(db->store, sql, fmt);
	fc_stmt *st;
	int rc;
	if (!q || n != q->nparams) {
		fc_log(FC_LOG_ERROR, "cannot run with %d values: %s", n, sql);
		rc = fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
	} else if (!(rc = run_stmt(db, q, fmt, n, types, values, lengths, formats, &st, err))) {
		pg_done(st);
	}
	free(big);
	return rc;
}

static int pg_step(fc_stmt *base, fc_err *err)
{
	(void)err; /* the statement ran in pg_query: errors surfaced there */
	pg_stmt *s = (pg_stmt *)base;
	PQfreemem(s->blob);
	s->blob = NULL;
	if (s->row + 1 >= s->nrows)
		return 0;
	s->row++;
	return 1;
}

static void pg_done(fc_stmt *base)
{
	pg_stmt *s = (pg_stmt *)base;
	PQfreemem(s->blob);
	PQclear(s->res);
	free(s);
}

static int64_t pg_changes(fc_db *db) { return ((pg_db *)db)->changes; }

static int pg_isnull(fc_stmt *base, int col)
{
	pg_stmt *s = (pg_stmt *)base;
	return s->row < 0 || col >= PQnfields(s->res) || PQgetisnull(s->res, s->row, col);
}

static const char *pg_text(fc_stmt *base, int col)
{
	pg_stmt *s = (pg_stmt *)base;
	if (pg_isnull(base, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == OID_BOOL) /* SQLite has no booleans: 1 and 0 */
		return *v == 't' ? "1" : "0";
	return v;
}

static int64_t pg_int(fc_stmt *base, int col)
{
	const char *v = pg_text(base, col);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE)
		return (int64_t)strtod(v, NULL); /* a real read as an integer truncates */
	return n;
}

static double pg_double(fc_stmt *base, int col)
{
	const char *v = pg_text(base, col);
	return v ? strtod(v, NULL) : 0;
}

static const void *pg_blob(fc_stmt *base, int col, size_t *len)
{
	pg_stmt *s = (pg_stmt *)base;
	*len = 0;
	if (pg_isnull(base, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) != OID_BYTEA) {
		*len = (size_t)PQgetlength(s->res, s->row, col);
		return v;
	}
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

/* ---------------- the store ---------------- */

/* Applies the numbered PostgreSQL migrations not yet recorded, each in its
 * own transaction under an advisory lock, so servers starting at the same
 * time apply each exactly once. */
static int migrate(pg_store *s, fc_err *err)
{
	pg_db *db;
	int rc = fc_pg_open_conn(s, &db, err);
	if (rc)
		return rc;
	rc = fc_pg_run(db,
		       "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK "); "
		       "CREATE TABLE IF NOT EXISTS schema_migrations(version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
		       "applied_at BIGINT NOT NULL); "
		       /* fc_store_claim's rows: no WAL, and gone after a crash, as claims should be */
		       "CREATE UNLOGGED TABLE IF NOT EXISTS store_claims(name TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL); "
		       "ALTER TABLE store_claims ADD COLUMN IF NOT EXISTS owner BIGINT NOT NULL DEFAULT 0; "
		       "COMMIT",
		       err, "migrations");
	for (size_t i = 0; !rc && i < fc_pg_migrations_count; i++) {
		const fc_embedded *m = &fc_pg_migrations[i];
		int version = atoi(m->name);
		if (version <= 0)
			continue;
		if ((rc = fc_pg_run(db, "BEGIN; SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", err, "migrations")))
			break;
		char check[128];
		snprintf(check, sizeof check, "SELECT 1 FROM schema_migrations WHERE version=%d", version);
		PGresult *r = PQexec(db->conn, check);
		int have = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
		PQclear(r);
		char rec[256];
		snprintf(rec, sizeof rec,
			 "INSERT INTO schema_migrations(version,name,applied_at) "
			 "VALUES(%d,'%s',EXTRACT(EPOCH FROM now())::bigint); COMMIT",
			 version, m->name);
		if (have) {
			rc = fc_pg_run(db, "COMMIT", err, "migrations");
			continue;
		}
		/* m->data is NUL-terminated by embed.py */
		if ((rc = fc_pg_run(db, (const char *)m->data, NULL, m->name)) ||
		    (rc = fc_pg_run(db, rec, err, "migrations"))) {
			fc_pg_run(db, "ROLLBACK", NULL, "rollback");
			fc_log(FC_LOG_ERROR, "migration %s failed", m->name);
			rc = fc_err_set(err, FC_EDB, "migration_failed", NULL, "Database migration %s failed.", m->name);
			break;
		}
		s->base.applied++;
	}
	fc_pg_close_conn(db);
	return rc;
}

static void pg_close(fc_store *base)
{
	pg_store *s = (pg_store *)base;
	drop_idle(s);
	if (s->life)
		fc_pg_close_conn(s->life);
	pthread_mutex_destroy(&s->life_mu);
	for (int b = 0; b < SQL_BUCKETS; b++)
		for (pg_sql *e = s->sql[b], *n; e; e = n) {
			n = e->next;
			free(e->text);
			free(e->fmt);
			free(e->pg);
			free(e);
		}
	pthread_rwlock_destroy(&s->sql_mu);
	pthread_mutex_destroy(&s->pool_mu);
	free(s->url);
	free(s);
}

int fc_pg_open(fc_store **out, const char *url, fc_err *err)
{
	pg_store *s = calloc(1, sizeof *s);
	if (!s || !(s->url = strdup(url))) {
		free(s);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	s->base.vt = &VT;
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_rwlock_init(&s->sql_mu, NULL);
	pthread_mutex_init(&s->life_mu, NULL);
	int rc = migrate(s, err);
	if (rc) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

static int pg_exec_text(fc_db *base, const char *sql, fc_err *err)
{
	pg_db *db = (pg_db *)base;
	int rc0 = flush_pending(db, err);
	if (rc0)
		return rc0;
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : fail(db, r, err, "statement", NULL);
	PQclear(r);
	return rc;
}

static int pg_query_text(fc_db *base, fc_stmt **out, const char *sql, fc_err *err)
{
	pg_db *db = (pg_db *)base;
	int rc0 = flush_pending(db, err);
	if (rc0)
		return rc0;
	PGresult *r = PQexec(db->conn, sql);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = fail(db, r, err, "query", sql);
		PQclear(r);
		return rc;
	}
	return wrap_result(db, r, out, err);
}

static const fc_store_vt VT = {
	.name = "postgres",
	.close = pg_close,
	.schema_version = fc_pg_schema_version,
	.backup = fc_pg_backup,
	.size_bytes = fc_pg_size_bytes,
	.stats = fc_pg_stats,
	.begin = pg_begin,
	.lock = pg_lock,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.query = pg_query,
	.exec_values = pg_exec_values,
	.step = pg_step,
	.changes = pg_changes,
	.col_int = pg_int,
	.col_double = pg_double,
	.col_text = pg_text,
	.col_blob = pg_blob,
	.col_isnull = pg_isnull,
	.done = pg_done,
	.exec_text = pg_exec_text,
	.query_text = pg_query_text,
	.claim = fc_pg_claim,
	.unclaim = fc_pg_unclaim,
};
