/* backend.h — what a database back end provides to store.c (private to src/store).
 *
 * store.h stays the one interface of the domain; store.c dispatches each call
 * through the table of the back end chosen at open: sqlite.c (default, a file
 * in --data) or postgres.c (--database postgres://…). Every back-end object
 * starts with a pointer to its table, so a call on an fc_db or fc_stmt finds
 * its implementation without knowing which one it is. */
#ifndef FC_STORE_BACKEND_H
#define FC_STORE_BACKEND_H

#include "store/store.h"
#include <stdarg.h>

typedef struct fc_store_vt fc_store_vt;

/* The first member of every back end's store, connection and statement. */
struct fc_store {
	const fc_store_vt *vt;
	int applied; /* migrations applied by this open */
};
struct fc_db {
	const fc_store_vt *vt;
};
struct fc_stmt {
	const fc_store_vt *vt;
};

struct fc_store_vt {
	const char *name;
	void (*close)(fc_store *s);
	int (*schema_version)(fc_store *s);
	int (*backup)(fc_store *s, const char *file, fc_err *err);
	int64_t (*size_bytes)(fc_store *s);
	void (*stats)(fc_store *s, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds);
	int (*begin)(fc_store *s, int mode, fc_db **out, fc_err *err);
	int (*commit)(fc_db *db, fc_err *err);
	void (*rollback)(fc_db *db);
	/* Prepares (or finds cached) and binds; the statement runs on the first step. */
	int (*query)(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap);
	/* fc_db_exec_values. */
	int (*exec_values)(fc_db *db, fc_err *err, const char *sql, const fc_value *v, int n);
	/* 1 row, 0 done, <0 error (constraint failures as FC_ECONFLICT, like SQLite's). */
	int (*step)(fc_stmt *st, fc_err *err);
	int64_t (*changes)(fc_db *db);
	int64_t (*col_int)(fc_stmt *st, int col);
	double (*col_double)(fc_stmt *st, int col);
	const char *(*col_text)(fc_stmt *st, int col);
	const void *(*col_blob)(fc_stmt *st, int col, size_t *len);
	int (*col_isnull)(fc_stmt *st, int col);
	void (*done)(fc_stmt *st);
	/* SQL text built at run time (bulk copies), run once without parameters and
	 * not cached: the statement caches keep the texts they are given, which
	 * store.h's callers pass as string literals. */
	int (*exec_text)(fc_db *db, const char *sql, fc_err *err);
	int (*query_text)(fc_db *db, fc_stmt **out, const char *sql, fc_err *err);
	/* fc_db_lock; NULL when the back end needs none (one writer). */
	int (*lock)(fc_db *db, int64_t key, fc_err *err);
	int (*claim)(fc_store *s, const char *name, fc_err *err);
	void (*unclaim)(fc_store *s, const char *name);
};

int fc_sqlite_open(fc_store **out, const char *dir, fc_err *err);
/* url: a libpq connection URI (postgres://… or postgresql://…). */
int fc_pg_open(fc_store **out, const char *url, fc_err *err);
/* The back end's exec_text and query_text. */
int fc_db_exec_text(fc_db *db, const char *sql, fc_err *err);
int fc_db_query_text(fc_db *db, fc_stmt **out, const char *sql, fc_err *err);

#endif
