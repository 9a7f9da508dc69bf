/* Internal to the PostgreSQL back end (postgres.c, pg_admin.c): its types
 * and the helpers the two files share. Nothing outside src/store includes
 * this. */
#ifndef FC_STORE_PG_INTERNAL_H
#define FC_STORE_PG_INTERNAL_H

#include "store/backend.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Advisory lock keys (any bigint; these spell "fcwrite" and "fcmigr"). */
#define WRITE_LOCK "7378659651564645"
#define MIGRATE_LOCK "7378659651239026"
/* The first key of each server's liveness lock (pg_advisory_lock(int4,int4);
 * the second key is the server's owner number in store_claims). */
#define LIFE_LOCK "1718183269"

#define SQL_BUCKETS 1024
#define MAX_PARAMS 128
/* fc_db_exec_values: multi-row inserts (a statement of up to 1024 parameters) */
#define MAX_VALUES 1024
#define MAX_PENDING 6

enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_FLOAT8 = 701 };

typedef struct pg_sql pg_sql;
typedef struct pg_db pg_db;
typedef struct pg_stmt pg_stmt;
typedef struct pg_store pg_store;

/* What a transaction still owes the server. */
typedef struct {
	const char *begin; /* its BEGIN, not sent yet (NULL: sent) */
	int write_lock;    /* 1: the write lock shared, 2: exclusive (with asynchronous commit) */
	int nkeys;         /* advisory locks (pg_advisory_xact_lock) to take, in order */
	int64_t keys[MAX_PENDING];
} pg_pending;

/* One statement text of the domain, translated once per store. */
struct pg_sql {
	char *text; /* the domain's SQL (the key) */
	char *pg;   /* with $n placeholders */
	char *fmt;  /* the bind format it is prepared with */
	int nparams;
	int id; /* prepared as "fc<id>" */
	uint64_t hash;
	pg_sql *next;
};

struct pg_store {
	fc_store base;
	char *url;
	pthread_mutex_t pool_mu;
	pg_db *free_list;
	pthread_rwlock_t sql_mu;
	pg_sql *sql[SQL_BUCKETS];
	int nsql;
	_Atomic uint64_t writes, commits, commit_ns, hold_ns;
	pthread_mutex_t life_mu;
	pg_db *life;   /* holds the liveness lock for as long as this server lives */
	int64_t owner; /* 1 .. 2^31-1, this server's claims' owner */
};

struct pg_db {
	fc_db base;
	pg_store *store;
	PGconn *conn;
	pg_db *next_free;
	int write;
	uint64_t began_ns;
	int64_t changes;
	unsigned char *prepared; /* prepared[id]: "fc<id>" exists on this connection */
	int nprepared;
	int reader;        /* an FC_DB_READ transaction */
	int fresh;         /* nothing of this transaction has reached the server yet */
	int rollback_sent; /* a reader's ROLLBACK is on its way; read its answer before reuse */
	/* what the transaction still owes the server — its BEGIN, the write
	 * lock and asynchronous commit, advisory locks: sent with its next
	 * statement, in the same round trip (pipeline mode), the locks as one
	 * prepared statement (pg_pending.c) */
	pg_pending pend;
};

struct pg_stmt {
	fc_stmt base;
	pg_db *db;
	PGresult *res;
	int row, nrows;
	unsigned char *blob; /* the current row's decoded bytea, if asked for */
};

/* Runs sql (no parameters, no rows) on db; what names it in an error. */
int fc_pg_run(pg_db *db, const char *sql, fc_err *err, const char *what);
/* A new connection of s's database (outside the pool), or closes one. */
int fc_pg_open_conn(pg_store *s, pg_db **out, fc_err *err);
void fc_pg_close_conn(pg_db *db);
/* A plain transaction (no write lock), for claims. */
int fc_pg_begin_plain(pg_store *s, fc_db **out, fc_err *err);

int fc_pg_schema_version(fc_store *s);
int64_t fc_pg_size_bytes(fc_store *s);
int fc_pg_backup(fc_store *base, const char *file, fc_err *err);
void fc_pg_stats(fc_store *base, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds);
int fc_pg_claim(fc_store *base, const char *name, fc_err *err);
void fc_pg_unclaim(fc_store *base, const char *name);

/* pg_sql.c: FNV-1a of a statement text; SQLite's '?' and '?NNN' turned into
 * '$n' (string literals, quoted names and comments left alone), *nparams the
 * largest number; NULL when out of memory or a number is out of range. */
uint64_t fc_pg_hash_text(const char *s);
char *fc_pg_translate(const char *sql, int *nparams);

#endif
