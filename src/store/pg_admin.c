/* The PostgreSQL back end's administration (postgres.c has the rest): the
 * schema version, size and backup (pg_dump), write statistics, and the
 * claims that make one server run a scheduled tick. */
#include "core/clock.h"
#include "store/pg_internal.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int fc_pg_schema_version(fc_store *s)
{
	fc_db *db;
	int64_t v = 0;
	if (fc_db_begin(s, FC_DB_READ, &db, NULL))
		return -1;
	fc_db_int(db, &v, NULL, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", "");
	fc_db_rollback(db);
	return (int)v;
}

int64_t fc_pg_size_bytes(fc_store *s)
{
	fc_db *db;
	int64_t v = 0;
	if (fc_db_begin(s, FC_DB_READ, &db, NULL))
		return 0;
	fc_db_int(db, &v, NULL, "SELECT pg_database_size(current_database())", "");
	fc_db_rollback(db);
	return v;
}

/* pg_dump in its custom format: a consistent snapshot taken while serving,
 * restored with pg_restore. */
int fc_pg_backup(fc_store *base, const char *file, fc_err *err)
{
	pg_store *s = (pg_store *)base;
	char *fileopt = NULL, *dbopt = NULL;
	if (asprintf(&fileopt, "--file=%s", file) < 0 || asprintf(&dbopt, "--dbname=%s", s->url) < 0) {
		free(fileopt);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", fileopt, dbopt, NULL};
	pid_t pid;
	int st = 0, rc = 0;
	int e = posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ);
	if (e) {
		rc = fc_err_set(err, FC_EIO, "backup_failed", NULL,
				"Cannot run pg_dump (%s); install postgresql-client.", strerror(e));
	} else if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		rc = fc_err_set(err, FC_EIO, "backup_failed", NULL,
				"pg_dump failed writing '%s' (see its message above).", file);
	}
	free(fileopt);
	free(dbopt);
	return rc;
}

void fc_pg_stats(fc_store *base, uint64_t *writes, uint64_t *commits, double *commit_seconds, double *hold_seconds)
{
	pg_store *s = (pg_store *)base;
	*writes = atomic_load(&s->writes);
	*commits = atomic_load(&s->commits);
	*commit_seconds = (double)atomic_load(&s->commit_ns) / 1e9;
	*hold_seconds = (double)atomic_load(&s->hold_ns) / 1e9;
}

/* Claims are rows of store_claims naming their owner, a server that holds
 * the session advisory lock (LIFE_LOCK, owner) on a connection of its own
 * for as long as it lives. PostgreSQL drops that lock when the connection
 * goes, so the claims of a server killed mid-request are taken over at
 * once (not after FC_STORE_CLAIM_SECONDS, which still covers a server that
 * hangs). Written outside the write lock (an upsert is atomic on its own) in
 * READ COMMITTED, where a concurrent claim of the same name waits for the
 * other's commit instead of failing. */
static int alive(pg_store *s, fc_err *err)
{
	pthread_mutex_lock(&s->life_mu);
	int rc = 0;
	if (s->life && PQstatus(s->life->conn) != CONNECTION_OK) {
		fc_pg_close_conn(s->life); /* the database restarted: take the lock again */
		s->life = NULL;
	}
	if (!s->life) {
		uint32_t r = 0;
		if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
			r = (uint32_t)fc_clock_mono_ns() ^ (uint32_t)getpid();
		s->owner = (int64_t)(r & 0x7fffffff) | 1;
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(" LIFE_LOCK ",%lld)", (long long)s->owner);
		if (!(rc = fc_pg_open_conn(s, &s->life, err)) && (rc = fc_pg_run(s->life, sql, err, "liveness lock"))) {
			fc_pg_close_conn(s->life);
			s->life = NULL;
		}
	}
	pthread_mutex_unlock(&s->life_mu);
	return rc;
}

int fc_pg_claim(fc_store *base, const char *name, fc_err *err)
{
	pg_store *s = (pg_store *)base;
	int64_t now = (int64_t)time(NULL);
	fc_db *db;
	int rc = alive(s, err);
	if (rc || (rc = fc_pg_begin_plain(s, &db, err)))
		return rc;
	rc = fc_db_exec(db, err,
			"INSERT INTO store_claims(name,claimed_at,owner) VALUES(?,?,?) ON CONFLICT(name) DO UPDATE SET "
			"claimed_at=excluded.claimed_at, owner=excluded.owner WHERE store_claims.claimed_at < ? "
			"OR NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype='advisory' AND l.granted "
			"AND l.database=(SELECT oid FROM pg_database WHERE datname=current_database()) "
			"AND l.classid::bigint=" LIFE_LOCK " AND l.objid::bigint=store_claims.owner AND l.objsubid=2)",
			"tIII", name, now, s->owner, now - FC_STORE_CLAIM_SECONDS);
	int64_t claimed = rc ? 0 : fc_db_changes(db);
	return fc_db_end(db, &rc, err) ? rc : claimed == 1 ? 0 : FC_ECONFLICT;
}

void fc_pg_unclaim(fc_store *base, const char *name)
{
	fc_db *db;
	if (fc_pg_begin_plain((pg_store *)base, &db, NULL))
		return; /* the claim lapses after FC_STORE_CLAIM_SECONDS */
	int rc = fc_db_exec(db, NULL, "DELETE FROM store_claims WHERE name=?", "t", name);
	fc_db_end(db, &rc, NULL);
}
