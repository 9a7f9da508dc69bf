/* store.h — the one database interface the domain modules use.
 *
 * SQL is portable: '?' placeholders, RETURNING, ON CONFLICT, CASE WHEN (not
 * iif), integers rather than booleans in columns. Two back ends implement it
 * (store.c dispatches): SQLite in the data folder (sqlite.c, the default) and
 * PostgreSQL 15+ (postgres.c: '?' becomes $n, connections are pooled,
 * statements prepared per connection). The few SQLite functions the domain
 * still uses — json_extract(doc,'$.a.b'), json_insert(doc,'$[#]',v),
 * json_each(array).value, instr — exist on PostgreSQL as helpers created by
 * its first migration (migrations/pg/0001_init.sql); nothing else may be
 * back-end specific.
 *
 * Usage:
 *   fc_db *db;
 *   if ((rc = fc_db_begin(store, FC_DB_WRITE, &db, err))) return rc;
 *   rc = fc_db_exec(db, err, "UPDATE t SET x=? WHERE id=?", "iI", x, id);
 *   ...
 *   rc = rc ? (fc_db_rollback(db), rc) : fc_db_commit(db, err);
 *
 * Bind formats, one char per '?': i int, I int64_t, d double, t const char*
 * (NULL binds SQL NULL), j json_t* (serialised; NULL binds NULL), b blob
 * (const void*, size_t). Write transactions are serialised by the store (on
 * PostgreSQL across every server sharing the database); a commit returns only
 * after the data is durable. A statement that breaks a constraint fails with
 * FC_ECONFLICT on both back ends; on PostgreSQL it also dooms the rest of the
 * transaction (the commit then fails), so handle a conflict by ending it. */
#ifndef FC_STORE_STORE_H
#define FC_STORE_STORE_H

#include "core/buf.h"
#include "core/err.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fc_store fc_store;
typedef struct fc_db fc_db;
typedef struct fc_stmt fc_stmt;

/* FC_DB_WRITE: a write transaction that runs alone — on PostgreSQL no other
 * write transaction runs on any server meanwhile (one advisory lock), so
 * its reads-then-writes need no row locks. FC_DB_WRITE_ROWS: a write
 * transaction that guards what it reads itself — per-object locks with
 * fc_db_lock, `SELECT … FOR [NO KEY] UPDATE [OF t] [SKIP LOCKED]` (the clause must
 * end the statement; SQLite, whose writers are serialised anyway, drops it)
 * and updates whose WHERE re-checks the state they change. On PostgreSQL
 * such transactions run concurrently with each other, never with an
 * FC_DB_WRITE one (it takes the same advisory lock shared). They may fail
 * with a deadlock or serialization error: run them with fc_store_tx, which
 * re-runs the whole transaction. On SQLite FC_DB_WRITE_ROWS is FC_DB_WRITE. */
enum { FC_DB_READ = 0, FC_DB_WRITE = 1, FC_DB_WRITE_ROWS = 2 };
/* Lock spaces of fc_db_lock. */
enum { FC_LOCK_USER = 1 };

/* Opens the database and applies pending migrations: PostgreSQL when
 * database is a postgres:// or postgresql:// URI (libpq syntax), else SQLite
 * in DIR/faircrowd.db (created). A database that cannot be reached fails
 * with FC_EBUSY and a message naming it. *out is owned by the caller; free
 * with fc_store_close. */
int fc_store_open_at(fc_store **out, const char *dir, const char *database, fc_err *err);
/* fc_store_open_at with database = $FAIRCROWD_DATABASE (the command line's
 * --database sets it), so every command reaches the same database. */
int fc_store_open(fc_store **out, const char *dir, fc_err *err);
/* 1 when fc_store_open would find an existing database: always for
 * PostgreSQL (the connection tells), else DIR/faircrowd.db exists. */
int fc_store_exists(const char *dir);
/* "sqlite" or "postgres". */
const char *fc_store_backend(const fc_store *s);
/* 1 when write transactions run one at a time (SQLite): work that needs no
 * lock is worth a read transaction of its own before the write one. 0 when
 * FC_DB_WRITE_ROWS transactions run side by side (PostgreSQL), where that
 * extra transaction is only a round trip more. */
int fc_store_serial_writes(const fc_store *s);
void fc_store_close(fc_store *s);
/* Full-text search in task data: the data's string values only (migration
 * 0039: a contentless FTS5 index on SQLite, a GIN index over
 * jsonb_to_tsvector('simple', data, '["string"]') on PostgreSQL) as part of a page
 * query (tasks aliased "t", ordered by id or by another key of an index, e.g.
 * priority): from is the FROM clause, match its condition (three '?': the
 * text of fc_db_text_query, then the project id twice) and id the expression
 * to order and page by in id order. matches is fc_db_task_text_count's. The
 * plan is picked so that a page costs the smaller of the match set and the
 * walk to the page's last row (store.c says how, per back end). */
typedef struct fc_text_search {
	const char *from, *match, *id;
} fc_text_search;
fc_text_search fc_db_task_text_search(const fc_db *db, int by_id, int64_t matches);
/* How many tasks of project match words (fc_db_text_query's text) into *n, as
 * far as the plan of fc_db_task_text_search needs to know, an estimate:
 * SQLite counts the matches in the project's id range up to a cap (other
 * projects' tasks there included), PostgreSQL asks its planner (statistics of
 * ANALYZE, no execution, per word: it moves the rarest word first in words,
 * where the plan for few matches looks it up); 0 without a look when the plan
 * for that order does not depend on it. */
int fc_db_task_text_count(fc_db *db, int64_t project, char *words, int by_id, int64_t *n, fc_err *err);
/* Words a person typed → the back end's query into out (every word required,
 * whole words, case ignored; punctuation and operators are not syntax).
 * Returns the number of words (0: nothing to search for), or -1 when out is
 * too small. */
int fc_db_text_query(const fc_db *db, const char *typed, char *out, size_t n);
/* A bulk insert into tasks without per-row triggers. On SQLite every row
 * inserted into tasks runs three AFTER INSERT triggers: the full-text
 * index's (FTS5 flushes its pending terms at every statement boundary, and
 * the trigger's json_tree costs a parse per row), the data manager's
 * counters (task_count_slots, an upsert per row) and the qualification
 * target (a read of the project per row). begin drops them inside the
 * caller's write transaction; end does their work for every row inserted
 * since with one statement each — the counters of a row as it was inserted
 * (open, its gold flag, no results: what the insert trigger counted; the
 * update trigger, which stays, counted every change since into the
 * project's 16 slots, which begin makes sure exist), the qualification
 * target, the full-text index — and puts the triggers back with their
 * stored SQL, before the caller commits (a rollback undoes all of it). Only
 * rows of project_id may be inserted in between. Dropping a trigger changes
 * the schema, so every connection prepares its cached statements again:
 * worth it for a bulk import, not for a few rows. PostgreSQL needs none of
 * this (a GIN expression index, row triggers that cost a function call):
 * all of it is a no-op there. end without begin, and free, are safe. When
 * the bulk at least doubled the table's ids, end also merges the index into
 * one segment ('optimize': what a search probes per row gets cheap).
 *
 * The full-text rows of the bulk may come from the caller: text_add takes
 * the next inserted task's string values (the raw contents of its JSON
 * strings, escapes as given, joined by one space: the caller computed them
 * while checking the JSON), in the order the tasks are inserted; text_flush
 * indexes what was added when the tasks are in the table (one statement for
 * up to 16,384 tasks; with force=0 only when that much is waiting). A task
 * not added (or ids out of step) is indexed at end from its data by SQL. */
#define FC_TASK_BULK_TRIGGERS 3
typedef struct fc_text_bulk {
	char *trigger[FC_TASK_BULK_TRIGGERS]; /* the dropped triggers' SQL; NULL: not dropped */
	int64_t after;                        /* rows above this id are the bulk's */
	int64_t project_id;
	int64_t indexed; /* the full-text index holds the bulk's rows up to this id */
	fc_buf text;     /* a JSON array being built: one string per added task */
	int64_t ntext;
	int on;
} fc_text_bulk;
int fc_db_task_text_bulk_begin(fc_db *db, int64_t project_id, fc_text_bulk *b, fc_err *err);
int fc_db_task_text_bulk_end(fc_db *db, fc_text_bulk *b, fc_err *err);
int fc_db_task_text_add(fc_text_bulk *b, const char *values, size_t len, fc_err *err);
int fc_db_task_text_flush(fc_db *db, fc_text_bulk *b, int force, fc_err *err);
void fc_text_bulk_free(fc_text_bulk *b);
/* Number of migrations applied by the last open. */
int fc_store_migrations_applied(const fc_store *s);
int fc_store_schema_version(fc_store *s);
/* Online backup to file (safe while serving): an SQLite database file, or
 * for PostgreSQL a pg_dump archive in its custom format (pg_restore reads it). */
int fc_store_backup(fc_store *s, const char *file, fc_err *err);
/* Bytes on disk of the database and its WAL (PostgreSQL: pg_database_size). */
int64_t fc_store_size_bytes(fc_store *s);

/* Claims name for the caller while one request runs: 0 when the caller now
 * holds it, FC_ECONFLICT when another request does — on SQLite any thread
 * of this process (one server owns a database file), on PostgreSQL any
 * server sharing the database (a row of an UNLOGGED table: a claim needs no
 * durability, and one older than FC_STORE_CLAIM_SECONDS is a dead server's
 * and is taken over). fc_store_unclaim gives it up. */
#define FC_STORE_CLAIM_SECONDS 60
int fc_store_claim(fc_store *s, const char *name, fc_err *err);
void fc_store_unclaim(fc_store *s, const char *name);

/* Claims tick number `tick` of the scheduled job `name` for this process:
 * 1 when it is ours to run (no server claimed it or a later one), 0 when
 * another server (or this one) already has, <0 on error. Ticks only move
 * forward, so with any number of servers each tick runs once. */
int fc_store_claim_tick(fc_store *s, const char *name, int64_t tick, fc_err *err);

/* Since open: write transactions run, WAL flushes (fdatasync) done, seconds
 * spent committing and flushing, and seconds the write lock was held.
 * writes / flushes is the mean group size. */
void fc_store_stats(fc_store *s, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds);

int fc_db_begin(fc_store *s, int mode, fc_db **out, fc_err *err);
/* Takes a lock on (space, id) held until the transaction ends (PostgreSQL:
 * pg_advisory_xact_lock, one round trip; SQLite: nothing to do). */
int fc_db_lock(fc_db *db, int space, int64_t id, fc_err *err);
/* Runs fn(db, arg, err) in a transaction of mode and ends it (commit when fn
 * returns 0). A transaction that failed on a deadlock or a serialization
 * conflict (PostgreSQL SQLSTATE 40P01 / 40001: nothing of it was kept) is
 * run again from the start, up to FC_STORE_TX_TRIES times in all, so fn
 * must reset what it hands back through arg. */
#define FC_STORE_TX_TRIES 5
typedef int (*fc_tx_fn)(fc_db *db, void *arg, fc_err *err);
int fc_store_tx(fc_store *s, int mode, fc_tx_fn fn, void *arg, fc_err *err);
int fc_db_commit(fc_db *db, fc_err *err); /* ends the transaction either way */
void fc_db_rollback(fc_db *db);           /* ends the transaction */
/* Ends db: commits when *rc == 0 (storing a commit failure in *rc), else
 * rolls back. Returns *rc. Convenient at a function's `out:` label. */
int fc_db_end(fc_db *db, int *rc, fc_err *err);

/* One statement in a write transaction of its own (committed when it
 * succeeds); *changes, unless NULL, gets the rows it changed. */
int fc_store_write(fc_store *s, int64_t *changes, fc_err *err, const char *sql, const char *fmt, ...);

/* Runs a statement that returns no rows we need. */
int fc_db_exec(fc_db *db, fc_err *err, const char *sql, const char *fmt, ...);
/* One parameter of fc_db_exec_values: text (NUL-terminated at text[len],
 * bound without a copy) when text is set, else the integer i. */
typedef struct fc_value {
	const char *text;
	size_t len;
	int64_t i;
} fc_value;
/* Runs a statement that returns no rows we need with n parameters from an
 * array: for statements with more parameters than a format string should
 * spell, such as a multi-row INSERT (at most 1024 parameters). The texts must
 * stay valid until it returns. */
int fc_db_exec_values(fc_db *db, fc_err *err, const char *sql, const fc_value *v, int n);
/* Reserves n ids (n >= 1) of table's id column for rows the caller then
 * inserts with those ids in this write transaction, so a set of rows that
 * refer to each other (a ledger chain) can be written in one statement.
 * ids[] gets them in increasing order. SQLite: MAX(id)+1 … (one writer at a
 * time; id is the rowid, so later inserts continue after them); PostgreSQL:
 * n values of the column's sequence. table: lower-case letters and '_'. */
int fc_db_reserve_ids(fc_db *db, const char *table, int64_t n, int64_t *ids, fc_err *err);

/* Set-based writes over a list of ids: sql ends in "IN (" FC_IDS_Q ")",
 * after npre integer parameters pre[]; ids[0..n) fill the list (1 <= n <=
 * FC_IDS_MAX; a short list repeats its last id, IN being a set), so one
 * constant statement serves every batch. For jobs that would otherwise run
 * one statement per row. */
#define FC_IDS_MAX 100
#define FC_IDS_Q9_ "?,?,?,?,?,?,?,?,?,"
#define FC_IDS_Q10_ FC_IDS_Q9_ "?,"
#define FC_IDS_Q \
	FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q10_ FC_IDS_Q9_ \
		"?"
int fc_db_exec_ids(fc_db *db, fc_err *err, const char *sql, const int64_t *pre, int npre, const int64_t *ids, size_t n);
/* Runs a query; iterate with fc_stmt_next, then fc_stmt_done. */
int fc_db_query(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, ...);
/* Single-value helpers: run sql and read column 0 of the first row.
 * Return 0 with the value, FC_ENOTFOUND when there is no row. */
int fc_db_int(fc_db *db, int64_t *out, fc_err *err, const char *sql, const char *fmt, ...);
/* One object by its key: renders the first row of sql with render into *out
 * (a new reference), or returns FC_ENOTFOUND not_found "No such <what>.". */
typedef json_t *(*fc_row_fn)(fc_stmt *st);
int fc_db_row_json(fc_db *db, json_t **out, fc_err *err, fc_row_fn render, const char *what, const char *sql,
		   const char *fmt, ...);
int64_t fc_db_changes(fc_db *db);
/* A page of a query run with LIMIT limit + 1 whose column 0 is the id:
 * {items:[render(row)…], next: the last id as a string, or null when no
 * row follows}. A new reference. */
json_t *fc_stmt_page(fc_stmt *st, int limit, fc_row_fn render);
/* Column col, Unix seconds, as RFC 3339 text; json null for NULL. */
json_t *fc_stmt_time(fc_stmt *st, int col);

int fc_stmt_next(fc_stmt *st); /* 1 row, 0 done, <0 error */
int64_t fc_stmt_int(fc_stmt *st, int col);
double fc_stmt_double(fc_stmt *st, int col);
const char *fc_stmt_text(fc_stmt *st, int col); /* valid until next/done; NULL for NULL */
const void *fc_stmt_blob(fc_stmt *st, int col, size_t *len);
int fc_stmt_isnull(fc_stmt *st, int col);
/* Column parsed as JSON; a new reference, or json_null() for NULL. */
json_t *fc_stmt_json(fc_stmt *st, int col);
void fc_stmt_done(fc_stmt *st);

#endif
