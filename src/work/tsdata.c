/* The time span of stored TimeSeries data. See tsdata.h. */
#include "work/tsdata.h"
#include "access/stored.h"
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

static int span(void *ctx, const char *url, const char *time_column, double *lo, double *hi)
{
	const fc_tsdata_ctx *c = ctx;
	char sha[65], key[sizeof cache[0].key];
	int64_t bytes = 0;
	int ok = 0;
	if (!data_dir[0] || fc_stored_url_blob(c->db, c->project, url, sha, &bytes) || bytes > FC_TSDATA_MAX_BYTES)
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

/* A stored recording's duration, from its probe (one indexed row). */
static int duration(void *ctx, const char *url, double *seconds)
{
	const fc_tsdata_ctx *c = ctx;
	return fc_stored_url_duration(c->db, c->project, url, seconds);
}

void fc_tsdata_env(fc_labelconfig_env *env, fc_tsdata_ctx *ctx, fc_db *db, int64_t project)
{
	ctx->db = db;
	ctx->project = project;
	env->url_span = span;
	env->media_duration = duration;
	env->ctx = ctx;
}
