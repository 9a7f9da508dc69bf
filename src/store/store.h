/* store.h — the one database interface the domain modules use.
 *
 * SQL is portable: '?' placeholders, RETURNING, ON CONFLICT. The SQLite
 * implementation (sqlite.c) is the default; a PostgreSQL one can implement
 * the same functions (translating '?' to $n) without domain changes.
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
 * (const void*, size_t). Write transactions are serialised by the store; a
 * commit returns only after the data is durable. */
#ifndef FC_STORE_STORE_H
#define FC_STORE_STORE_H

#include "core/err.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fc_store fc_store;
typedef struct fc_db fc_db;
typedef struct fc_stmt fc_stmt;

enum { FC_DB_READ = 0, FC_DB_WRITE = 1 };

/* Opens (creating) DIR/faircrowd.db and applies pending migrations.
 * *out is owned by the caller; free with fc_store_close. */
int fc_store_open(fc_store **out, const char *dir, fc_err *err);
void fc_store_close(fc_store *s);
/* Number of migrations applied by the last open. */
int fc_store_migrations_applied(const fc_store *s);
int fc_store_schema_version(fc_store *s);
/* Online backup to file (safe while serving). */
int fc_store_backup(fc_store *s, const char *file, fc_err *err);
/* Bytes on disk of the database and its WAL. */
int64_t fc_store_size_bytes(fc_store *s);

/* Since open: write transactions run, WAL flushes (fdatasync) done, seconds
 * spent committing and flushing, and seconds the write lock was held.
 * writes / flushes is the mean group size. */
void fc_store_stats(fc_store *s, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds);

int fc_db_begin(fc_store *s, int mode, fc_db **out, fc_err *err);
int fc_db_commit(fc_db *db, fc_err *err); /* ends the transaction either way */
void fc_db_rollback(fc_db *db);           /* ends the transaction */
/* Ends db: commits when *rc == 0 (storing a commit failure in *rc), else
 * rolls back. Returns *rc. Convenient at a function's `out:` label. */
int fc_db_end(fc_db *db, int *rc, fc_err *err);

/* Runs a statement that returns no rows we need. */
int fc_db_exec(fc_db *db, fc_err *err, const char *sql, const char *fmt, ...);
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
