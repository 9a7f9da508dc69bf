/* SQLite implementation of store.h.
 *
 * Readers take connections from a pool and run in parallel (WAL).
 *
 * Writers share ONE connection and commit in groups: each write
 * "transaction" of the API is a SAVEPOINT inside a real transaction that
 * stays open while more writers are queued. The writer that finds nobody
 * queued behind it COMMITs for the whole group and wakes the others. A
 * writer whose work fails rolls back to its savepoint and leaves the others'
 * work in place. If the COMMIT itself fails, every writer of that group gets
 * the error.
 *
 * The flush is taken out of the lock: the writer connection runs with
 * synchronous=NORMAL (COMMIT appends to the WAL without fsync) and the
 * committer then fdatasync()s the WAL file itself *after* releasing the
 * write lock, so the next group already executes while this one is flushed.
 * One fdatasync covers every group committed before it started. Every writer
 * returns only after a flush that covers its group, so a 2xx still means
 * "on disk": WAL recovery replays exactly the frames that were synced. A
 * failed flush fails every group it was meant to cover.
 *
 * Prepared statements are cached per connection, keyed by the SQL text. */
#include "core/clock.h"
#include "core/embed.h"
#include "core/log.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define CACHE 64

struct fc_stmt {
	sqlite3_stmt *st;
	fc_db *db;
	int in_use;
};

struct fc_db {
	sqlite3 *h;
	fc_store *store;
	fc_db *next_free;
	int write;
	uint64_t group;
	struct {
		const char *sql; /* pointer identity first, then strcmp */
		fc_stmt s;
	} cache[CACHE];
	int ncache;
};

struct fc_store {
	char path[1024];
	pthread_mutex_t pool_mu;
	fc_db *free_list;
	int applied;
	/* group commit */
	fc_db *writer;
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
};

#define MAX_GROUP 512

static int dberr(fc_err *err, sqlite3 *h, const char *what)
{
	fc_log(FC_LOG_ERROR, "sqlite %s: %s", what, h ? sqlite3_errmsg(h) : "open failed");
	return fc_err_set(err, FC_EDB, "database_error", NULL, "The database failed (%s). Nothing was changed.", what);
}

static int open_conn(fc_store *s, fc_db **out, fc_err *err)
{
	fc_db *db = calloc(1, sizeof *db);
	if (!db)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	db->store = s;
	if (sqlite3_open_v2(s->path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		int rc = dberr(err, db->h, "open");
		sqlite3_close(db->h);
		free(db);
		return rc;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	char *msg = NULL;
	if (sqlite3_exec(db->h,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
			 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
			 "PRAGMA cache_size=-16000;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		fc_log(FC_LOG_ERROR, "sqlite pragmas: %s", msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db->h);
		free(db);
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Cannot configure the database.");
	}
	*out = db;
	return 0;
}

static void close_conn(fc_db *db)
{
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].s.st);
	sqlite3_close(db->h);
	free(db);
}

static int migrate(fc_store *s, fc_err *err)
{
	fc_db *db;
	int rc = open_conn(s, &db, err);
	if (rc)
		return rc;
	char *msg = NULL;
	if (sqlite3_exec(db->h,
			 "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
			 "name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;",
			 NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < fc_migrations_count; i++) {
		const fc_embedded *m = &fc_migrations[i];
		int version = atoi(m->name);
		if (version <= 0)
			continue;
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db->h, "SELECT 1 FROM schema_migrations WHERE version=?", -1, &st, NULL);
		sqlite3_bind_int(st, 1, version);
		int have = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (have)
			continue;
		char *sql = malloc(m->len + 1);
		if (!sql) {
			close_conn(db);
			return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		}
		memcpy(sql, m->data, m->len);
		sql[m->len] = 0;
		char rec[256];
		snprintf(rec, sizeof rec,
			 "INSERT INTO schema_migrations(version,name,applied_at) VALUES(%d,'%s',unixepoch());", version,
			 m->name);
		int ok = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK &&
			 sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK &&
			 sqlite3_exec(db->h, rec, NULL, NULL, &msg) == SQLITE_OK &&
			 sqlite3_exec(db->h, "COMMIT", NULL, NULL, &msg) == SQLITE_OK;
		free(sql);
		if (!ok) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			fc_log(FC_LOG_ERROR, "migration %s failed: %s", m->name, msg ? msg : "?");
			sqlite3_free(msg);
			close_conn(db);
			return fc_err_set(err, FC_EDB, "migration_failed", NULL, "Database migration %s failed.",
					  m->name);
		}
		s->applied++;
	}
	close_conn(db);
	return 0;
fail:
	fc_log(FC_LOG_ERROR, "migrations: %s", msg ? msg : "?");
	sqlite3_free(msg);
	close_conn(db);
	return fc_err_set(err, FC_EDB, "migration_failed", NULL, "Database migrations failed.");
}

int fc_store_open(fc_store **out, const char *dir, fc_err *err)
{
	if (mkdir(dir, 0700) && access(dir, W_OK))
		return fc_err_set(err, FC_EIO, "data_dir", NULL, "Cannot create or write the data directory '%s'.", dir);
	fc_store *s = calloc(1, sizeof *s);
	if (!s)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	snprintf(s->path, sizeof s->path, "%s/faircrowd.db", dir);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_mutex_init(&s->group_mu, NULL);
	pthread_mutex_init(&s->sync_mu, NULL);
	s->wal_fd = -1;
	pthread_mutex_init(&s->done_mu, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	int rc = migrate(s, err);
	if (rc) {
		fc_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void fc_store_close(fc_store *s)
{
	if (!s)
		return;
	fc_db *db = s->free_list;
	while (db) {
		fc_db *n = db->next_free;
		close_conn(db);
		db = n;
	}
	if (s->writer) {
		if (s->open_group)
			sqlite3_exec(s->writer->h, "COMMIT", NULL, NULL, NULL);
		close_conn(s->writer);
	}
	pthread_mutex_destroy(&s->group_mu);
	pthread_mutex_destroy(&s->sync_mu);
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	pthread_mutex_destroy(&s->done_mu);
	pthread_cond_destroy(&s->done_cv);
	/* a final checkpoint happens when the last connection closes */
	pthread_mutex_destroy(&s->pool_mu);
	free(s);
}

int fc_store_migrations_applied(const fc_store *s) { return s->applied; }

int fc_store_schema_version(fc_store *s)
{
	fc_db *db;
	int64_t v = 0;
	if (fc_db_begin(s, FC_DB_READ, &db, NULL))
		return -1;
	fc_db_int(db, &v, NULL, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", "");
	fc_db_rollback(db);
	return (int)v;
}

int64_t fc_store_size_bytes(fc_store *s)
{
	struct stat st;
	int64_t total = 0;
	char wal[1100];
	if (stat(s->path, &st) == 0)
		total += st.st_size;
	snprintf(wal, sizeof wal, "%s-wal", s->path);
	if (stat(wal, &st) == 0)
		total += st.st_size;
	return total;
}

int fc_store_backup(fc_store *s, const char *file, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL); /* backup runs its own read */
	sqlite3 *dst;
	if (sqlite3_open(file, &dst) != SQLITE_OK) {
		rc = fc_err_set(err, FC_EIO, "backup_failed", NULL, "Cannot create '%s'.", file);
		sqlite3_close(dst);
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", db->h, "main");
	if (!b) {
		rc = dberr(err, dst, "backup");
	} else {
		int r;
		while ((r = sqlite3_backup_step(b, 256)) == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED)
			sqlite3_sleep(5);
		sqlite3_backup_finish(b);
		if (r != SQLITE_DONE)
			rc = dberr(err, dst, "backup");
	}
	sqlite3_close(dst);
out:
	pthread_mutex_lock(&s->pool_mu);
	db->next_free = s->free_list;
	s->free_list = db;
	pthread_mutex_unlock(&s->pool_mu);
	return rc;
}

static fc_stmt *prepare(fc_db *db, const char *sql, fc_err *err);

/* Transaction control through the statement cache: sqlite3_exec would
 * compile the statement on every call. */
static int ctl(fc_db *db, const char *sql)
{
	fc_stmt *st = prepare(db, sql, NULL);
	if (!st)
		return SQLITE_ERROR;
	int r = sqlite3_step(st->st);
	sqlite3_reset(st->st);
	st->in_use = 0;
	if (!st->db) {
		sqlite3_finalize(st->st);
		free(st);
	}
	return r == SQLITE_DONE || r == SQLITE_ROW ? SQLITE_OK : r;
}

static int begin_write(fc_store *s, fc_db **out, fc_err *err)
{
	atomic_fetch_add(&s->queued, 1);
	pthread_mutex_lock(&s->group_mu);
	atomic_fetch_sub(&s->queued, 1);
	s->held_since = fc_clock_mono_ns();
	int rc;
	if (!s->writer) {
		if ((rc = open_conn(s, &s->writer, err))) {
			pthread_mutex_unlock(&s->group_mu);
			return rc;
		}
		/* durability comes from flush_through() after each group */
		sqlite3_exec(s->writer->h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	}
	fc_db *db = s->writer;
	db->write = 1;
	if (!s->open_group) {
		if (ctl(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
			rc = dberr(err, db->h, "begin");
			pthread_mutex_unlock(&s->group_mu);
			return rc;
		}
		s->open_group = ++s->next_group;
		s->group_size = 0;
	}
	if (ctl(db, "SAVEPOINT w") != SQLITE_OK) {
		rc = dberr(err, db->h, "savepoint");
		pthread_mutex_unlock(&s->group_mu);
		return rc;
	}
	db->group = s->open_group;
	s->group_size++;
	atomic_fetch_add(&s->writes, 1);
	*out = db;
	return 0;
}

/* Makes every group up to `group` durable: one fdatasync of the WAL covers
 * all groups committed before it starts, so writers arriving while a flush
 * runs are usually covered by the next one. Then wakes their waiters. */
static void flush_through(fc_store *s, uint64_t group)
{
	pthread_mutex_lock(&s->sync_mu);
	if (s->synced_group < group) {
		pthread_mutex_lock(&s->done_mu);
		uint64_t target = s->committed_group;
		pthread_mutex_unlock(&s->done_mu);
		if (s->wal_fd < 0) {
			char wal[1100];
			snprintf(wal, sizeof wal, "%s-wal", s->path);
			s->wal_fd = open(wal, O_RDWR | O_CLOEXEC);
		}
		int ok = s->wal_fd >= 0 && fdatasync(s->wal_fd) == 0;
		atomic_fetch_add(&s->flushes, 1);
		if (!ok) {
			fc_log(FC_LOG_ERROR, "flushing the WAL failed: %s", strerror(errno));
			pthread_mutex_lock(&s->done_mu);
			for (uint64_t g = s->synced_group + 1; g <= target; g++)
				if (s->results[g % 1024].group == g)
					s->results[g % 1024].rc = FC_EDB;
			pthread_mutex_unlock(&s->done_mu);
		}
		s->synced_group = target;
	}
	uint64_t synced = s->synced_group;
	pthread_mutex_unlock(&s->sync_mu);
	pthread_mutex_lock(&s->done_mu);
	if (s->done_group < synced) {
		s->done_group = synced;
		pthread_cond_broadcast(&s->done_cv);
	}
	pthread_mutex_unlock(&s->done_mu);
}

/* Ends one writer's part: keeps (ok) or undoes its savepoint, then either
 * leaves the group open for the writers queued behind it and waits for
 * their commit, or commits the group itself. Returns the commit's result. */
static int end_write(fc_db *db, int keep, fc_err *err)
{
	fc_store *s = db->store;
	int rc = 0;
	if (sqlite3_get_autocommit(db->h)) {
		/* SQLite rolled the whole transaction back (I/O error, full disk):
		 * the group's work is gone, so it fails for everyone */
		rc = dberr(err, db->h, "transaction lost");
	} else if (keep) {
		if (ctl(db, "RELEASE w") != SQLITE_OK) {
			rc = dberr(err, db->h, "release");
			ctl(db, "ROLLBACK TO w");
			ctl(db, "RELEASE w");
		}
	} else {
		ctl(db, "ROLLBACK TO w");
		ctl(db, "RELEASE w");
	}
	uint64_t group = db->group;
	if (!sqlite3_get_autocommit(db->h) && atomic_load(&s->queued) > 0 && s->group_size < MAX_GROUP) {
		atomic_fetch_add(&s->hold_ns, fc_clock_mono_ns() - s->held_since);
		pthread_mutex_unlock(&s->group_mu);
		pthread_mutex_lock(&s->done_mu);
		while (s->done_group < group)
			pthread_cond_wait(&s->done_cv, &s->done_mu);
		int grc = s->results[group % 1024].group == group ? s->results[group % 1024].rc : FC_EDB;
		pthread_mutex_unlock(&s->done_mu);
		if (!rc && grc)
			rc = fc_err_set(err, grc, "database_error", NULL,
					"The database failed (commit). Nothing was changed.");
		return rc;
	}
	int grc = 0;
	uint64_t t0 = fc_clock_mono_ns();
	atomic_fetch_add(&s->commits, 1);
	if (sqlite3_get_autocommit(db->h)) {
		grc = FC_EDB;
	} else if (ctl(db, "COMMIT") != SQLITE_OK) {
		grc = FC_EDB;
		fc_log(FC_LOG_ERROR, "sqlite commit: %s", sqlite3_errmsg(db->h));
		ctl(db, "ROLLBACK");
	}
	s->open_group = 0;
	pthread_mutex_lock(&s->done_mu);
	s->results[group % 1024].group = group;
	s->results[group % 1024].rc = grc;
	s->committed_group = group;
	pthread_mutex_unlock(&s->done_mu);
	atomic_fetch_add(&s->hold_ns, fc_clock_mono_ns() - s->held_since);
	pthread_mutex_unlock(&s->group_mu);
	flush_through(s, group);
	atomic_fetch_add(&s->commit_ns, fc_clock_mono_ns() - t0);
	pthread_mutex_lock(&s->done_mu);
	grc = s->results[group % 1024].group == group ? s->results[group % 1024].rc : FC_EDB;
	pthread_mutex_unlock(&s->done_mu);
	if (!rc && grc)
		rc = fc_err_set(err, grc, "database_error", NULL, "The database failed (commit). Nothing was changed.");
	return rc;
}

int fc_db_begin(fc_store *s, int mode, fc_db **out, fc_err *err)
{
	if (mode == FC_DB_WRITE)
		return begin_write(s, out, err);
	fc_db *db;
	pthread_mutex_lock(&s->pool_mu);
	db = s->free_list;
	if (db)
		s->free_list = db->next_free;
	pthread_mutex_unlock(&s->pool_mu);
	if (!db) {
		int rc = open_conn(s, &db, err);
		if (rc)
			return rc;
	}
	db->write = 0;
	if (ctl(db, "BEGIN") != SQLITE_OK) {
		int rc = dberr(err, db->h, "begin");
		close_conn(db);
		return rc;
	}
	*out = db;
	return 0;
}

static void release(fc_db *db)
{
	fc_store *s = db->store;
	pthread_mutex_lock(&s->pool_mu);
	db->next_free = s->free_list;
	s->free_list = db;
	pthread_mutex_unlock(&s->pool_mu);
}

int fc_db_commit(fc_db *db, fc_err *err)
{
	if (db->write)
		return end_write(db, 1, err);
	int rc = 0;
	if (ctl(db, "COMMIT") != SQLITE_OK) {
		rc = dberr(err, db->h, "commit");
		ctl(db, "ROLLBACK");
	}
	release(db);
	return rc;
}

void fc_db_rollback(fc_db *db)
{
	if (db->write) {
		end_write(db, 0, NULL);
		return;
	}
	if (!sqlite3_get_autocommit(db->h))
		ctl(db, "ROLLBACK");
	release(db);
}

int fc_db_end(fc_db *db, int *rc, fc_err *err)
{
	if (*rc == 0)
		*rc = fc_db_commit(db, err);
	else
		fc_db_rollback(db);
	return *rc;
}

static fc_stmt *prepare(fc_db *db, const char *sql, fc_err *err)
{
	for (int i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql || !strcmp(db->cache[i].sql, sql)) {
			fc_stmt *s = &db->cache[i].s;
			if (s->in_use) { /* nested use of the same SQL: a throwaway */
				break;
			}
			s->in_use = 1;
			return s;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fc_log(FC_LOG_ERROR, "prepare failed for: %s", sql);
		dberr(err, db->h, "prepare");
		return NULL;
	}
	if (db->ncache < CACHE) {
		int i = db->ncache++;
		db->cache[i].sql = sql;
		db->cache[i].s.st = st;
		db->cache[i].s.db = db;
		db->cache[i].s.in_use = 1;
		return &db->cache[i].s;
	}
	fc_stmt *s = calloc(1, sizeof *s);
	if (!s) {
		sqlite3_finalize(st);
		fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		return NULL;
	}
	s->st = st;
	s->db = NULL; /* marks a throwaway statement */
	s->in_use = 1;
	return s;
}

static int bind(fc_stmt *s, const char *fmt, va_list ap, fc_err *err)
{
	sqlite3_stmt *st = s->st;
	int n = (int)strlen(fmt);
	if (n != sqlite3_bind_parameter_count(st)) {
		fc_log(FC_LOG_ERROR, "bind count mismatch: %d formats, %d parameters in %s", n,
		       sqlite3_bind_parameter_count(st), sqlite3_sql(st));
		return fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
	}
	for (int i = 0; i < n; i++) {
		int r = SQLITE_OK;
		switch (fmt[i]) {
		case 'i': r = sqlite3_bind_int(st, i + 1, va_arg(ap, int)); break;
		case 'I': r = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t)); break;
		case 'd': r = sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
		case 't': {
			const char *t = va_arg(ap, const char *);
			r = t ? sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'j': {
			json_t *j = va_arg(ap, json_t *);
			if (!j) {
				r = sqlite3_bind_null(st, i + 1);
			} else {
				char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
				r = txt ? sqlite3_bind_text(st, i + 1, txt, -1, free) : SQLITE_NOMEM;
			}
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t len = va_arg(ap, size_t);
			r = sqlite3_bind_blob64(st, i + 1, p, len, SQLITE_TRANSIENT);
			break;
		}
		default: return fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
		}
		if (r != SQLITE_OK)
			return dberr(err, s->db ? s->db->h : NULL, "bind");
	}
	return 0;
}

static int vquery(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	fc_stmt *s = prepare(db, sql, err);
	if (!s)
		return FC_EDB;
	int rc = bind(s, fmt, ap, err);
	if (rc) {
		fc_stmt_done(s);
		return rc;
	}
	if (!s->db)
		s->db = NULL;
	*out = s;
	return 0;
}

static int last_conn_err;

static int step(fc_stmt *s, sqlite3 *h, fc_err *err)
{
	int r = sqlite3_step(s->st);
	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	last_conn_err = r;
	if ((r & 0xff) == SQLITE_CONSTRAINT)
		return fc_err_set(err, FC_ECONFLICT, "conflict", NULL, "The change conflicts with existing data (%s).",
				  sqlite3_errmsg(h));
	return dberr(err, h, "step");
}

int fc_db_exec(fc_db *db, fc_err *err, const char *sql, const char *fmt, ...)
{
	fc_stmt *s;
	va_list ap;
	va_start(ap, fmt);
	int rc = vquery(db, &s, err, sql, fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	int r;
	while ((r = step(s, db->h, err)) == 1)
		;
	fc_stmt_done(s);
	return r < 0 ? r : 0;
}

int fc_db_query(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vquery(db, out, err, sql, fmt, ap);
	va_end(ap);
	if (!rc)
		(*out)->db = (*out)->db ? (*out)->db : NULL;
	return rc;
}

/* Runs sql and steps once: 1 with *out on the first row (caller calls
 * fc_stmt_done), FC_ENOTFOUND when there is none, or an error. */
static int vfirst(fc_db *db, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	int rc = vquery(db, out, err, sql, fmt, ap);
	if (rc)
		return rc;
	int r = step(*out, db->h, err);
	if (r != 1)
		fc_stmt_done(*out);
	return r == 1 ? 1 : r < 0 ? r : FC_ENOTFOUND;
}

int fc_db_row_json(fc_db *db, json_t **out, fc_err *err, fc_row_fn render, const char *what, const char *sql,
		   const char *fmt, ...)
{
	fc_stmt *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vfirst(db, &s, err, sql, fmt, ap);
	va_end(ap);
	if (r == FC_ENOTFOUND)
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such %s.", what);
	if (r != 1)
		return r;
	*out = render(s);
	fc_stmt_done(s);
	return 0;
}

int fc_db_int(fc_db *db, int64_t *out, fc_err *err, const char *sql, const char *fmt, ...)
{
	fc_stmt *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vfirst(db, &s, err, sql, fmt, ap);
	va_end(ap);
	if (r != 1)
		return r;
	*out = sqlite3_column_int64(s->st, 0);
	fc_stmt_done(s);
	return 0;
}

int64_t fc_db_changes(fc_db *db) { return sqlite3_changes64(db->h); }

int fc_stmt_next(fc_stmt *st) { return step(st, sqlite3_db_handle(st->st), NULL); }

int64_t fc_stmt_int(fc_stmt *st, int col) { return sqlite3_column_int64(st->st, col); }
double fc_stmt_double(fc_stmt *st, int col) { return sqlite3_column_double(st->st, col); }
const char *fc_stmt_text(fc_stmt *st, int col) { return (const char *)sqlite3_column_text(st->st, col); }
const void *fc_stmt_blob(fc_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, col);
	*len = (size_t)sqlite3_column_bytes(st->st, col);
	return p;
}
int fc_stmt_isnull(fc_stmt *st, int col) { return sqlite3_column_type(st->st, col) == SQLITE_NULL; }
json_t *fc_stmt_json(fc_stmt *st, int col)
{
	const char *t = fc_stmt_text(st, col);
	if (!t)
		return json_null();
	json_t *j = json_loads(t, JSON_DECODE_ANY, NULL);
	return j ? j : json_null();
}

void fc_stmt_done(fc_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	if (!st->db) {
		sqlite3_finalize(st->st);
		free(st);
		return;
	}
	st->in_use = 0;
}

void fc_store_stats(fc_store *s, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds)
{
	*writes = atomic_load(&s->writes);
	*commits = atomic_load(&s->flushes);
	*commit_seconds = (double)atomic_load(&s->commit_ns) / 1e9;
	*hold_seconds = (double)atomic_load(&s->hold_ns) / 1e9;
}
