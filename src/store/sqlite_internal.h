/* Internal to the SQLite back end (sqlite.c, sqlite_sql.c): its types, and
 * what it leaves out of a statement written for both back ends
 * (sqlite_sql.c). Nothing outside src/store includes this. */
#ifndef FC_STORE_SQLITE_INTERNAL_H
#define FC_STORE_SQLITE_INTERNAL_H

#include "store/backend.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Prepared statements kept per connection. The writer connection runs
 * every write statement of the program (well over 64 distinct ones), so
 * the cache holds 256, and finds one by the address of its SQL text
 * through a small hash (a linear strcmp scan only the first time an
 * address is seen). An address is a hint, not a key: the alias keeps the
 * text it was made for, and a hit is compared with it (one strcmp), so a
 * buffer that later holds another text runs that text. */
#define CACHE 256
#define ALIASES 1024 /* addresses known per connection: a power of two */

typedef struct sq_stmt sq_stmt;
typedef struct sq_db sq_db;
typedef struct sq_store sq_store;

struct sq_stmt {
	fc_stmt base;
	sqlite3_stmt *st;
	sq_db *db;
	int in_use;
	int rowid_row;   /* its `RETURNING id` is answered from the rowid (rowid_len()) */
	int rowid_state; /* 1: on that row, 2: past it */
	int64_t rowid;
	char rowid_text[24];
};

struct sq_db {
	fc_db base;
	sqlite3 *h;
	sq_store *store;
	sq_db *next_free;
	int write;
	int whole; /* this writer opened the group: no savepoint of its own */
	uint64_t group;
	struct {
		const char *sql; /* pointer identity first, then strcmp */
		sq_stmt s;
	} cache[CACHE];
	int ncache;
	struct {
		const char *sql; /* NULL: free */
		char *text;      /* the text seen at sql when the alias was made */
		int i;           /* its cache entry */
	} alias[ALIASES];
	int naliases;
};

/* A claim (fc_store_claim): one server process owns the database file, so a
 * list in memory is shared by everything that can run a request on it. */
typedef struct sq_claim {
	char *name;
	struct sq_claim *next;
} sq_claim;

struct sq_store {
	fc_store base;
	char path[1024];
	pthread_mutex_t claim_mu;
	sq_claim *claims;
	pthread_mutex_t pool_mu;
	sq_db *free_list;
	int applied;
	/* group commit */
	sq_db *writer;
	pthread_mutex_t group_mu; /* held while one writer runs or commits */
	_Atomic int queued;       /* writers waiting for group_mu */
	uint64_t open_group;      /* id of the open transaction's group, 0 if none */
	int group_size;
	uint64_t next_group;
	pthread_mutex_t done_mu;
	pthread_cond_t done_cv;
	uint64_t done_group; /* every group <= this has finished */
	struct {
		uint64_t group;
		int rc;
	} results[1024];
	_Atomic uint64_t writes, commits, flushes;
	_Atomic uint64_t commit_ns;
	_Atomic uint64_t hold_ns; /* time the write lock was held */
	uint64_t held_since;
	uint64_t committed_group; /* under done_mu */
	pthread_mutex_t sync_mu;  /* one flush at a time */
	uint64_t synced_group;    /* under sync_mu */
	int wal_fd;
	/* checkpoints, outside the write lock, on a thread of their own (see
	 * checkpoint()) */
	_Atomic int wal_frames; /* frames in the WAL after the last commit */
	sq_db *ckpt;            /* the checkpointer's connection */
	pthread_mutex_t ckpt_mu;
	pthread_cond_t ckpt_cv;
	pthread_t ckpt_thread;
	int ckpt_started, ckpt_wanted, ckpt_stop; /* under ckpt_mu */
};

/* Frames in the WAL before a committer checkpoints it: SQLite's own
 * cadence (16,384 halved the bytes written by 200,000 approvals but not by
 * 1,000,000, see bench/README.md), and the size at which the writer
 * checkpoints in the lock because the passive ones could not keep up. */
#define CHECKPOINT_FRAMES 1000
#define CHECKPOINT_HARD 65536

#define MAX_GROUP 512

/* The length of sql without a closing PostgreSQL row-lock clause. */
size_t fc_sqlite_sql_len(const char *sql);
/* n, or the length without a closing " RETURNING id" that the rowid can
 * answer (a one-row INSERT, no upsert). */
size_t fc_sqlite_rowid_len(const char *sql, size_t n);
/* Whether the table of "INSERT INTO table…" keeps its id as the rowid. */
int fc_sqlite_id_is_rowid(sqlite3 *h, const char *sql);

#endif
