/* The time span of stored TimeSeries data. See tsdata.h. */
#include "work/tsdata.h"
#include "blob/blob.h"
#include "media/media.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char data_dir[1024];

void fc_tsdata_configure(const char *dir) { snprintf(data_dir, sizeof data_dir, "%s", dir ? dir : ""); }

/* ---- cache: blob + time column → span ---- */
#define SLOTS 64
typedef struct slot {
	char key[65 + 128];
	double lo, hi;
	int ok;
	uint64_t used;
} slot;
static slot cache[SLOTS];
static uint64_t clock_tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int cache_get(const char *key, double *lo, double *hi, int *ok)
{
	int found = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < SLOTS && !found; i++)
		if (cache[i].used && !strcmp(cache[i].key, key)) {
			*lo = cache[i].lo;
			*hi = cache[i].hi;
			*ok = cache[i].ok;
			cache[i].used = ++clock_tick;
			found = 1;
		}
	pthread_mutex_unlock(&lock);
	return found;
}

static void cache_put(const char *key, double lo, double hi, int ok)
{
	pthread_mutex_lock(&lock);
	int victim = 0;
	for (int i = 1; i < SLOTS; i++)
		if (cache[i].used < cache[victim].used)
			victim = i;
	snprintf(cache[victim].key, sizeof cache[victim].key, "%s", key);
	cache[victim].lo = lo;
	cache[victim].hi = hi;
	cache[victim].ok = ok;
	cache[victim].used = ++clock_tick;
	pthread_mutex_unlock(&lock);
}

/* "/api/v1/<kind>/<id>" exactly → id, else 0. */
static int64_t url_id(const char *url, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(url, prefix, n) || !url[n])
		return 0;
	char *end;
	long long id = strtoll(url + n, &end, 10);
	return *end || id <= 0 ? 0 : (int64_t)id;
}

/* The blob a URL names, when the project may read it. */
static int blob_of(const fc_tsdata_ctx *c, const char *url, char sha[65], int64_t *bytes)
{
	int64_t id;
	fc_stmt *st;
	int rc;
	if ((id = url_id(url, "/api/v1/media/")))
		rc = fc_db_query(c->db, &st, NULL,
				 "SELECT m.sha256, m.bytes FROM media m JOIN projects a ON a.id=m.project_id JOIN projects b "
				 "ON b.owner_id=a.owner_id WHERE m.id=? AND b.id=? AND m.erased_at IS NULL",
				 "II", id, c->project);
	else if ((id = url_id(url, "/api/v1/files/")))
		rc = fc_db_query(c->db, &st, NULL, "SELECT sha256, bytes FROM task_files WHERE id=? AND project_id=?",
				 "II", id, c->project);
	else
		return -1;
	if (rc)
		return -1;
	int found = fc_stmt_next(st) == 1;
	if (found) {
		snprintf(sha, 65, "%s", fc_stmt_text(st, 0));
		*bytes = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	return found ? 0 : -1;
}

static int span(void *ctx, const char *url, const char *time_column, double *lo, double *hi)
{
	const fc_tsdata_ctx *c = ctx;
	char sha[65], key[sizeof cache[0].key];
	int64_t bytes = 0;
	int ok = 0;
	if (!data_dir[0] || blob_of(c, url, sha, &bytes) || bytes > FC_TSDATA_MAX_BYTES)
		return -1;
	snprintf(key, sizeof key, "%s:%s", sha, time_column ? time_column : "");
	if (cache_get(key, lo, hi, &ok))
		return ok ? 0 : -1;
	FILE *f = NULL;
	uint64_t size;
	if (fc_blob_read_once(data_dir, sha, &f, &size, NULL))
		return -1; /* not cached: the store may come back */
	ok = fc_csv_span(f, time_column, ',', lo, hi, NULL) == 0;
	fclose(f);
	cache_put(key, *lo, *hi, ok);
	return ok ? 0 : -1;
}

void fc_tsdata_env(fc_labelconfig_env *env, fc_tsdata_ctx *ctx, fc_db *db, int64_t project)
{
	ctx->db = db;
	ctx->project = project;
	env->url_span = span;
	env->ctx = ctx;
}
