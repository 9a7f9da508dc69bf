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
#include "store/backend.h"
#include "store/sqlite_internal.h"

#include <ctype.h>
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


static const fc_store_vt VT;

static int dberr(fc_err *err, sqlite3 *h, const char *what)
{
	fc_log(FC_LOG_ERROR, "sqlite %s: %s", what, h ? sqlite3_errmsg(h) : "open failed");
	return fc_err_set(err, FC_EDB, "database_error", NULL, "The database failed (%s). Nothing was changed.", what);
}

static int open_conn(sq_store *s, sq_db **out, fc_err *err)
{
	sq_db *db = calloc(1, sizeof *db);
	if (!db)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	db->base.vt = &VT;
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

static void close_conn(sq_db *db)
{
	for (int i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].s.st);
	for (size_t j = 0; j < ALIASES; j++)
		free(db->alias[j].text);
	sqlite3_close(db->h);
	free(db);
}

static int migrate(sq_store *s, fc_err *err)
{
	sq_db *db;
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
		s->base.applied++;
	}
	close_conn(db);
	return 0;
fail:
	fc_log(FC_LOG_ERROR, "migrations: %s", msg ? msg : "?");
	sqlite3_free(msg);
	close_conn(db);
	return fc_err_set(err, FC_EDB, "migration_failed", NULL, "Database migrations failed.");
}

static void sq_close(fc_store *base);

int fc_sqlite_open(fc_store **out, const char *dir, fc_err *err)
{
	if (mkdir(dir, 0700) && access(dir, W_OK))
		return fc_err_set(err, FC_EIO, "data_dir", NULL, "Cannot create or write the data directory '%s'.", dir);
	sq_store *s = calloc(1, sizeof *s);
	if (!s)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	s->base.vt = &VT;
	snprintf(s->path, sizeof s->path, "%s/faircrowd.db", dir);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_mutex_init(&s->claim_mu, NULL);
	pthread_mutex_init(&s->group_mu, NULL);
	pthread_mutex_init(&s->sync_mu, NULL);
	s->wal_fd = -1;
	pthread_mutex_init(&s->done_mu, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	pthread_mutex_init(&s->ckpt_mu, NULL);
	pthread_cond_init(&s->ckpt_cv, NULL);
	int rc = migrate(s, err);
	if (rc) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

static void sq_close(fc_store *base)
{
	sq_store *s = (sq_store *)base;
	pthread_mutex_lock(&s->ckpt_mu);
	s->ckpt_stop = 1;
	pthread_cond_signal(&s->ckpt_cv);
	pthread_mutex_unlock(&s->ckpt_mu);
	if (s->ckpt_started > 0)
		pthread_join(s->ckpt_thread, NULL);
	sq_db *db = s->free_list;
	while (db) {
		sq_db *n = db->next_free;
		close_conn(db);
		db = n;
	}
	if (s->writer) {
		if (s->open_group)
			sqlite3_exec(s->writer->h, "COMMIT", NULL, NULL, NULL);
		close_conn(s->writer);
	}
	while (s->claims) {
		sq_claim *c = s->claims;
		s->claims = c->next;
		free(c->name);
		free(c);
	}
	pthread_mutex_destroy(&s->claim_mu);
	pthread_mutex_destroy(&s->group_mu);
	pthread_mutex_destroy(&s->sync_mu);
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	if (s->ckpt)
		close_conn(s->ckpt);
	pthread_mutex_destroy(&s->done_mu);
	pthread_cond_destroy(&s->done_cv);
	pthread_mutex_destroy(&s->ckpt_mu);
	pthread_cond_destroy(&s->ckpt_cv);
	/* a final checkpoint happens when the last connection closes */
	pthread_mutex_destroy(&s->pool_mu);
	free(s);
}

static int sq_schema_version(fc_store *s)
{
	fc_db *db;
	int64_t v = 0;
	if (fc_db_begin(s, FC_DB_READ, &db, NULL))
		return -1;
	fc_db_int(db, &v, NULL, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", "");
	fc_db_rollback(db);
	return (int)v;
}

static int64_t sq_size_bytes(fc_store *base)
{
	sq_store *s = (sq_store *)base;
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

static int sq_begin(fc_store *base, int mode, fc_db **out, fc_err *err);

static int sq_backup(fc_store *base, const char *file, fc_err *err)
{
	sq_store *s = (sq_store *)base;
	fc_db *conn = NULL;
	int rc = sq_begin(base, FC_DB_READ, &conn, err);
	if (rc)
		return rc;
	sq_db *db = (sq_db *)conn;
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

static sq_stmt *prepare(sq_db *db, const char *sql, fc_err *err);
static void sq_done(fc_stmt *base);

/* Transaction control through the statement cache: sqlite3_exec would
 * compile the statement on every call. */
static int ctl(sq_db *db, const char *sql)
{
	sq_stmt *st = prepare(db, sql, NULL);
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

/* SQLite's own auto-checkpoint runs inside COMMIT, i.e. while the write
 * lock is held, and every 1,000 pages: each stalls every queued writer and
 * copies a hot page to the database file again and again. Instead the
 * writer's WAL hook only counts, and the committer checkpoints (PASSIVE:
 * it never waits for readers or the writer) on its own connection after it
 * has released the lock and flushed, while the next groups run. Only when
 * the WAL outgrows CHECKPOINT_HARD (passive checkpoints could not finish
 * because readers held old snapshots) does the writer checkpoint in the
 * lock, as SQLite would. */
static int wal_committed(void *arg, sqlite3 *h, const char *name, int frames)
{
	sq_store *s = arg;
	atomic_store(&s->wal_frames, frames);
	if (frames >= CHECKPOINT_HARD)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* The checkpointer: one thread per store, started the first time the WAL
 * outgrows CHECKPOINT_FRAMES. A committer used to checkpoint itself after
 * its flush; the request it was answering (and every other connection of
 * its server thread) then waited for the copy and the checkpoint's two
 * fsyncs — tens of milliseconds on a busy disk, once every ~1,000 frames:
 * the slowest cycles of bench/run assign. Now no request waits for one. */
static void passive_checkpoint(sq_store *s)
{
	fc_err err = {0};
	if (s->ckpt || open_conn(s, &s->ckpt, &err) == 0) {
		int log = 0, done = 0;
		if (sqlite3_wal_checkpoint_v2(s->ckpt->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK &&
		    done >= log)
			atomic_store(&s->wal_frames, 0); /* the next write transaction restarts the WAL */
	}
	fc_err_clear(&err);
}

static void *checkpointer(void *arg)
{
	sq_store *s = arg;
	pthread_mutex_lock(&s->ckpt_mu);
	for (;;) {
		while (!s->ckpt_wanted && !s->ckpt_stop)
			pthread_cond_wait(&s->ckpt_cv, &s->ckpt_mu);
		if (s->ckpt_stop)
			break;
		s->ckpt_wanted = 0;
		pthread_mutex_unlock(&s->ckpt_mu);
		passive_checkpoint(s);
		pthread_mutex_lock(&s->ckpt_mu);
	}
	pthread_mutex_unlock(&s->ckpt_mu);
	return NULL;
}

/* Asks the checkpointer for a checkpoint when the WAL has grown enough;
 * never waits for it. Without a thread (pthread_create failed) the caller
 * checkpoints itself, as before. */
static void checkpoint(sq_store *s)
{
	if (atomic_load(&s->wal_frames) < CHECKPOINT_FRAMES)
		return;
	pthread_mutex_lock(&s->ckpt_mu);
	if (!s->ckpt_started && !s->ckpt_stop)
		s->ckpt_started = pthread_create(&s->ckpt_thread, NULL, checkpointer, s) == 0 ? 1 : -1;
	int inline_ckpt = s->ckpt_started < 0 && !s->ckpt_wanted;
	if (s->ckpt_started > 0) {
		s->ckpt_wanted = 1;
		pthread_cond_signal(&s->ckpt_cv);
	} else if (inline_ckpt) {
		s->ckpt_wanted = 1; /* as a flag: one inline checkpoint at a time */
	}
	pthread_mutex_unlock(&s->ckpt_mu);
	if (!inline_ckpt)
		return;
	passive_checkpoint(s);
	pthread_mutex_lock(&s->ckpt_mu);
	s->ckpt_wanted = 0;
	pthread_mutex_unlock(&s->ckpt_mu);
}

static int begin_write(sq_store *s, sq_db **out, fc_err *err)
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
		/* checkpoints are taken out of the lock: checkpoint() */
		sqlite3_wal_hook(s->writer->h, wal_committed, s);
	}
	sq_db *db = s->writer;
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
	/* The writer that opens the group runs in the transaction itself: a
	 * savepoint around it would make SQLite keep every page it touches in
	 * the in-memory sub-journal and walk that journal from its start at
	 * the end of each statement (O(pages) per statement, quadratic in a
	 * batch job's size). Undoing its work is a ROLLBACK of the whole
	 * transaction, which holds nothing else yet. Writers that join an
	 * open group still need their savepoint. */
	db->whole = s->group_size == 0;
	if (!db->whole && ctl(db, "SAVEPOINT w") != SQLITE_OK) {
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
static void flush_through(sq_store *s, uint64_t group)
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
static int end_write(sq_db *db, int keep, fc_err *err)
{
	sq_store *s = db->store;
	int rc = 0;
	if (sqlite3_get_autocommit(db->h)) {
		/* SQLite rolled the whole transaction back (I/O error, full disk):
		 * the group's work is gone, so it fails for everyone */
		rc = dberr(err, db->h, "transaction lost");
	} else if (db->whole) {
		if (!keep) {
			/* nothing else is in the transaction: undo it and
			 * close the group, with nothing to commit or flush */
			ctl(db, "ROLLBACK");
			s->open_group = 0;
			atomic_fetch_add(&s->hold_ns, fc_clock_mono_ns() - s->held_since);
			pthread_mutex_unlock(&s->group_mu);
			return 0;
		}
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
	checkpoint(s);
	pthread_mutex_lock(&s->done_mu);
	grc = s->results[group % 1024].group == group ? s->results[group % 1024].rc : FC_EDB;
	pthread_mutex_unlock(&s->done_mu);
	if (!rc && grc)
		rc = fc_err_set(err, grc, "database_error", NULL, "The database failed (commit). Nothing was changed.");
	return rc;
}

static int sq_begin(fc_store *base, int mode, fc_db **outp, fc_err *err)
{
	sq_store *s = (sq_store *)base;
	sq_db **out = (sq_db **)outp;
	if (mode != FC_DB_READ) /* FC_DB_WRITE_ROWS too: one writer at a time */
		return begin_write(s, out, err);
	sq_db *db;
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

static void release(sq_db *db)
{
	sq_store *s = db->store;
	pthread_mutex_lock(&s->pool_mu);
	db->next_free = s->free_list;
	s->free_list = db;
	pthread_mutex_unlock(&s->pool_mu);
}

static int sq_commit(fc_db *base, fc_err *err)
{
	sq_db *db = (sq_db *)base;
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

static void sq_rollback(fc_db *base)
{
	sq_db *db = (sq_db *)base;
	if (db->write) {
		end_write(db, 0, NULL);
		return;
	}
	if (!sqlite3_get_autocommit(db->h))
		ctl(db, "ROLLBACK");
	release(db);
}

static size_t alias_slot(const char *sql)
{
	return (size_t)(((uintptr_t)sql * 0x9E3779B97F4A7C15ULL) >> 40) & (ALIASES - 1);
}

/* The cache entry for sql, or -1. */
static int cached(sq_db *db, const char *sql)
{
	size_t stale = ALIASES; /* an alias of this address made for another text */
	for (size_t j = alias_slot(sql); db->alias[j].sql; j = (j + 1) & (ALIASES - 1))
		if (db->alias[j].sql == sql) {
			if (!strcmp(db->alias[j].text, sql))
				return db->alias[j].i;
			stale = j;
			break;
		}
	int found = -1;
	size_t n = fc_sqlite_sql_len(sql), r = fc_sqlite_rowid_len(sql, n);
	for (int i = 0; i < db->ncache && found < 0; i++) {
		int rowid_row = db->cache[i].s.rowid_row; /* then its text lacks the tail */
		size_t m = rowid_row ? r : n;
		if ((!rowid_row || r < n) && !strncmp(db->cache[i].sql, sql, m) && !db->cache[i].sql[m])
			found = i;
	}
	if (found < 0)
		return -1;
	char *text = strdup(sql);
	if (!text) /* found all the same; just not remembered */
		return found;
	if (stale < ALIASES) { /* the buffer holds another text now */
		free(db->alias[stale].text);
		db->alias[stale].text = text;
		db->alias[stale].i = found;
	} else if (db->naliases < ALIASES / 2) { /* remember this address too */
		size_t j = alias_slot(sql);
		while (db->alias[j].sql)
			j = (j + 1) & (ALIASES - 1);
		db->alias[j].sql = sql;
		db->alias[j].text = text;
		db->alias[j].i = found;
		db->naliases++;
	} else {
		free(text);
	}
	return found;
}

static sq_stmt *prepare(sq_db *db, const char *sql, fc_err *err)
{
	int i = cached(db, sql);
	if (i >= 0 && !db->cache[i].s.in_use) {
		db->cache[i].s.in_use = 1;
		return &db->cache[i].s;
	} /* else not cached, or nested use of the same SQL: a throwaway */
	sqlite3_stmt *st;
	size_t n = fc_sqlite_sql_len(sql), r = fc_sqlite_rowid_len(sql, n);
	int rowid_row = i >= 0 ? db->cache[i].s.rowid_row : r < n && fc_sqlite_id_is_rowid(db->h, sql);
	if (sqlite3_prepare_v3(db->h, sql, (int)(rowid_row ? r : n), SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fc_log(FC_LOG_ERROR, "prepare failed for: %s", sql);
		dberr(err, db->h, "prepare");
		return NULL;
	}
	if (i < 0 && db->ncache < CACHE) {
		i = db->ncache++;
		db->cache[i].sql = sqlite3_sql(st); /* the statement's own copy: sql may be a caller's buffer */
		db->cache[i].s.st = st;
		db->cache[i].s.base.vt = &VT;
		db->cache[i].s.db = db;
		db->cache[i].s.in_use = 1;
		db->cache[i].s.rowid_row = rowid_row;
		return &db->cache[i].s;
	}
	sq_stmt *s = calloc(1, sizeof *s);
	if (!s) {
		sqlite3_finalize(st);
		fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		return NULL;
	}
	s->base.vt = &VT;
	s->st = st;
	s->db = NULL; /* marks a throwaway statement */
	s->in_use = 1;
	s->rowid_row = rowid_row;
	return s;
}

static int bind(sq_stmt *s, const char *fmt, va_list ap, fc_err *err)
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

static int sq_query(fc_db *base, fc_stmt **out, fc_err *err, const char *sql, const char *fmt, va_list ap)
{
	sq_db *db = (sq_db *)base;
	sq_stmt *s = prepare(db, sql, err);
	if (!s)
		return FC_EDB;
	int rc = bind(s, fmt, ap, err);
	if (rc) {
		sq_done(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

static int sq_step(fc_stmt *base, fc_err *err)
{
	sq_stmt *s = (sq_stmt *)base;
	sqlite3 *h = sqlite3_db_handle(s->st);
	if (s->rowid_state) { /* past the one row rowid_len() stands for */
		s->rowid_state = 2;
		return 0;
	}
	int r = sqlite3_step(s->st);
	if (r == SQLITE_DONE && s->rowid_row && sqlite3_changes64(h) == 1) {
		s->rowid = sqlite3_last_insert_rowid(h);
		s->rowid_state = 1;
		return 1;
	}
	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	if ((r & 0xff) == SQLITE_CONSTRAINT)
		return fc_err_set(err, FC_ECONFLICT, "conflict", NULL, "The change conflicts with existing data (%s).",
				  sqlite3_errmsg(h));
	return dberr(err, h, "step");
}

/* Texts bound as SQLITE_STATIC with their length: no copy, no strlen. */
static int sq_exec_values(fc_db *base, fc_err *err, const char *sql, const fc_value *v, int n)
{
	sq_db *db = (sq_db *)base;
	sq_stmt *s = prepare(db, sql, err);
	if (!s)
		return FC_EDB;
	int rc = 0;
	if (n != sqlite3_bind_parameter_count(s->st)) {
		fc_log(FC_LOG_ERROR, "bind count mismatch: %d values, %d parameters in %s", n,
		       sqlite3_bind_parameter_count(s->st), sql);
		rc = fc_err_set(err, FC_EDB, "database_error", NULL, "Internal query error.");
	}
	for (int i = 0; i < n && !rc; i++)
		if ((v[i].text ? sqlite3_bind_text64(s->st, i + 1, v[i].text, v[i].len, SQLITE_STATIC, SQLITE_UTF8)
			       : sqlite3_bind_int64(s->st, i + 1, v[i].i)) != SQLITE_OK)
			rc = dberr(err, db->h, "bind");
	int r;
	while (!rc && (r = sq_step(&s->base, err)) != 0)
		if (r < 0)
			rc = r;
	sq_done(&s->base);
	return rc;
}

static int64_t sq_changes(fc_db *db) { return sqlite3_changes64(((sq_db *)db)->h); }
static int64_t sq_int(fc_stmt *base, int col)
{
	sq_stmt *s = (sq_stmt *)base;
	return s->rowid_state == 1 ? s->rowid : sqlite3_column_int64(s->st, col);
}
static double sq_double(fc_stmt *base, int col)
{
	sq_stmt *s = (sq_stmt *)base;
	return s->rowid_state == 1 ? (double)s->rowid : sqlite3_column_double(s->st, col);
}
static const char *sq_text(fc_stmt *base, int col)
{
	sq_stmt *s = (sq_stmt *)base;
	if (s->rowid_state != 1)
		return (const char *)sqlite3_column_text(s->st, col);
	snprintf(s->rowid_text, sizeof s->rowid_text, "%lld", (long long)s->rowid);
	return s->rowid_text;
}
static const void *sq_blob(fc_stmt *st, int col, size_t *len)
{
	if (((sq_stmt *)st)->rowid_state == 1) {
		const char *t = sq_text(st, col);
		*len = strlen(t);
		return t;
	}
	sqlite3_stmt *h = ((sq_stmt *)st)->st;
	const void *p = sqlite3_column_blob(h, col);
	*len = (size_t)sqlite3_column_bytes(h, col);
	return p;
}
static int sq_isnull(fc_stmt *st, int col)
{
	return ((sq_stmt *)st)->rowid_state != 1 && sqlite3_column_type(((sq_stmt *)st)->st, col) == SQLITE_NULL;
}

static void sq_done(fc_stmt *base)
{
	sq_stmt *st = (sq_stmt *)base;
	st->rowid_state = 0;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	if (!st->db) {
		sqlite3_finalize(st->st);
		free(st);
		return;
	}
	st->in_use = 0;
}

static void sq_stats(fc_store *base, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds)
{
	sq_store *s = (sq_store *)base;
	*writes = atomic_load(&s->writes);
	*commits = atomic_load(&s->flushes);
	*commit_seconds = (double)atomic_load(&s->commit_ns) / 1e9;
	*hold_seconds = (double)atomic_load(&s->hold_ns) / 1e9;
}

static int sq_exec_text(fc_db *base, const char *sql, fc_err *err)
{
	sq_db *db = (sq_db *)base;
	char *msg = NULL;
	int r = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	if (r == SQLITE_OK)
		return 0;
	if ((r & 0xff) == SQLITE_CONSTRAINT)
		return fc_err_set(err, FC_ECONFLICT, "conflict", NULL, "The change conflicts with existing data (%s).",
				  sqlite3_errmsg(db->h));
	return dberr(err, db->h, "statement");
}

static int sq_query_text(fc_db *base, fc_stmt **out, const char *sql, fc_err *err)
{
	sq_db *db = (sq_db *)base;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(err, db->h, "prepare");
	sq_stmt *s = calloc(1, sizeof *s);
	if (!s) {
		sqlite3_finalize(st);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	s->base.vt = &VT;
	s->st = st;
	s->db = NULL; /* a throwaway: finalized by sq_done */
	s->in_use = 1;
	*out = &s->base;
	return 0;
}

static int sq_claim_name(fc_store *base, const char *name, fc_err *err)
{
	sq_store *s = (sq_store *)base;
	int rc = 0;
	pthread_mutex_lock(&s->claim_mu);
	for (sq_claim *c = s->claims; c && !rc; c = c->next)
		if (!strcmp(c->name, name))
			rc = FC_ECONFLICT;
	if (!rc) {
		sq_claim *c = malloc(sizeof *c);
		char *copy = strdup(name);
		if (!c || !copy) {
			free(c);
			free(copy);
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		} else {
			c->name = copy;
			c->next = s->claims;
			s->claims = c;
		}
	}
	pthread_mutex_unlock(&s->claim_mu);
	return rc;
}

static void sq_unclaim(fc_store *base, const char *name)
{
	sq_store *s = (sq_store *)base;
	pthread_mutex_lock(&s->claim_mu);
	for (sq_claim **p = &s->claims; *p; p = &(*p)->next)
		if (!strcmp((*p)->name, name)) {
			sq_claim *c = *p;
			*p = c->next;
			free(c->name);
			free(c);
			break;
		}
	pthread_mutex_unlock(&s->claim_mu);
}

static const fc_store_vt VT = {
	.name = "sqlite",
	.close = sq_close,
	.schema_version = sq_schema_version,
	.backup = sq_backup,
	.size_bytes = sq_size_bytes,
	.stats = sq_stats,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.query = sq_query,
	.exec_values = sq_exec_values,
	.step = sq_step,
	.changes = sq_changes,
	.col_int = sq_int,
	.col_double = sq_double,
	.col_text = sq_text,
	.col_blob = sq_blob,
	.col_isnull = sq_isnull,
	.done = sq_done,
	.exec_text = sq_exec_text,
	.query_text = sq_query_text,
	.claim = sq_claim_name,
	.unclaim = sq_unclaim,
};
