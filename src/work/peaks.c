/* Waveform peaks of a stored recording (see peaks.h). */
#include "work/peaks.h"
#include "blob/blob.h"
#include "core/clock.h"
#include "core/log.h"
#include "events/outbox.h"
#include "media/media.h"
#include "work/collect.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A few recent answers: an annotator reopening a task, or several people
 * labelling the same long file, cost one decode. */
#define CACHE_SLOTS 16

struct slot {
	int64_t media_id;
	long n;
	double duration, decoded;
	float *peaks;
};

static struct slot cache[CACHE_SLOTS];
static size_t cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static json_t *render(int64_t media_id, long n, double duration, double decoded, const float *pk)
{
	json_t *arr = json_array();
	for (long i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_real(round(pk[i] * 1000) / 1000))) {
			json_decref(arr);
			arr = NULL;
		}
	if (!arr)
		return NULL;
	return json_pack("{s:I,s:f,s:f,s:I,s:o}", "media_id", (json_int_t)media_id, "duration_seconds", duration,
			 "decoded_seconds", decoded, "n", (json_int_t)n, "peaks", arr);
}

/* A copy of the cached peaks for (media_id, n) (malloc'd), or NULL. */
static float *cached(int64_t media_id, long n, double *duration, double *decoded)
{
	float *out = NULL;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CACHE_SLOTS && !out; i++)
		if (cache[i].peaks && cache[i].media_id == media_id && cache[i].n == n &&
		    (out = malloc((size_t)n * sizeof *out))) {
			memcpy(out, cache[i].peaks, (size_t)n * sizeof *out);
			*duration = cache[i].duration;
			*decoded = cache[i].decoded;
		}
	pthread_mutex_unlock(&cache_lock);
	return out;
}

/* Takes pk (malloc'd) into the cache. */
static void keep(int64_t media_id, long n, double duration, double decoded, float *pk)
{
	pthread_mutex_lock(&cache_lock);
	struct slot *sl = &cache[cache_next];
	cache_next = (cache_next + 1) % CACHE_SLOTS;
	free(sl->peaks);
	*sl = (struct slot){media_id, n, duration, decoded, pk};
	pthread_mutex_unlock(&cache_lock);
}

/* Decodes the file open as f into n peaks: *pk (malloc'd), *duration, *decoded.
 * n 0: the stored resolution for the file's length (peaks_to_store). */
static int decode(FILE *f, long n, float **pk, long *got, double *duration, double *decoded, fc_err *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
	fc_probe p;
	int rc = fc_media_probe(path, &p, err);
	if (rc)
		return rc;
	if (!p.has_audio)
		return fc_err_set(err, FC_ERULE, "no_audio", NULL, "This file has no sound to draw.");
	if (!n) {
		double want = p.duration * FC_PEAKS_STORED_PER_SECOND;
		n = want < FC_PEAKS_DEFAULT ? FC_PEAKS_DEFAULT : want > FC_PEAKS_MAX ? FC_PEAKS_MAX : (long)ceil(want);
	}
	if (!(*pk = malloc((size_t)n * sizeof **pk)))
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	if ((rc = fc_audio_peaks(path, p.duration, *pk, (size_t)n, decoded, err))) {
		free(*pk);
		*pk = NULL;
		return rc;
	}
	*got = n;
	*duration = p.duration > 0 ? p.duration : *decoded;
	return 0;
}

/* The stored peaks of media_id brought to n (each the largest of the stored
 * runs it covers) into *pk (malloc'd); *pk NULL with 0 when none are stored
 * or they are coarser than n. */
static int from_store(fc_store *s, int64_t media_id, long n, float **pk, double *duration, double *decoded, fc_err *err)
{
	fc_db *db;
	fc_stmt *st;
	*pk = NULL;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_db_query(db, &st, err, "SELECT n, duration, decoded, peaks FROM media_peaks WHERE media_id=?", "I",
			      media_id))) {
		fc_db_rollback(db);
		return rc;
	}
	if (fc_stmt_next(st) == 1) {
		long m = (long)fc_stmt_int(st, 0);
		size_t len = 0;
		const unsigned char *b = fc_stmt_blob(st, 3, &len);
		if (m >= n && b && len == (size_t)m * 2) {
			if (!(*pk = malloc((size_t)n * sizeof **pk)))
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			for (long i = 0; *pk && i < n; i++) {
				long a = (long)((double)i * m / n), z = (long)((double)(i + 1) * m / n);
				unsigned v = 0;
				for (long j = a; j < (z > a ? z : a + 1) && j < m; j++) {
					unsigned x = b[2 * j] | (unsigned)b[2 * j + 1] << 8;
					v = x > v ? x : v;
				}
				(*pk)[i] = v / 65535.0f;
			}
			*duration = fc_stmt_double(st, 1);
			*decoded = fc_stmt_double(st, 2);
		}
	}
	fc_stmt_done(st);
	fc_db_rollback(db);
	return rc;
}

/* n peaks of media_id for user into *pk (malloc'd): stored, cached or decoded now (*source). */
static int peaks_of(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n, float **pk,
		    double *duration, double *decoded, const char **source, fc_err *err)
{
	*pk = NULL;
	if (n < 1 || n > FC_PEAKS_MAX)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "n", "n must be a whole number from 1 to %d.",
				  FC_PEAKS_MAX);
	/* access is checked every time, before anything kept is looked at */
	int rc = fc_collect_media_may_read(s, user, media_id, err);
	if (rc || (rc = from_store(s, media_id, n, pk, duration, decoded, err)) || (*source = "stored", *pk))
		return rc;
	if ((*source = "cached", *pk = cached(media_id, n, duration, decoded)))
		return 0;
	FILE *f = NULL;
	uint64_t size = 0;
	char mime[64] = "";
	if ((rc = fc_collect_media_open(s, data_dir, user, media_id, &f, &size, mime, err)))
		return rc;
	long got = 0;
	rc = decode(f, n, pk, &got, duration, decoded, err);
	fclose(f);
	if (rc)
		return rc;
	float *copy = malloc((size_t)n * sizeof *copy);
	if (copy) {
		memcpy(copy, *pk, (size_t)n * sizeof *copy);
		keep(media_id, n, *duration, *decoded, copy);
	}
	*source = "decoded";
	return 0;
}

int fc_media_peaks(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n, json_t **out,
		   fc_err *err)
{
	float *pk;
	double duration = 0, decoded = 0;
	const char *source = "";
	*out = NULL;
	int rc = peaks_of(s, data_dir, user, media_id, n, &pk, &duration, &decoded, &source, err);
	if (rc)
		return rc;
	*out = render(media_id, n, duration, decoded, pk);
	free(pk);
	if (!*out || json_object_set_new(*out, "source", json_string(source))) {
		json_decref(*out);
		*out = NULL;
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	return 0;
}

int fc_media_peaks_u8(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n,
		      unsigned char **out, double *duration, const char **source, fc_err *err)
{
	float *pk;
	double decoded = 0;
	*out = NULL;
	int rc = peaks_of(s, data_dir, user, media_id, n, &pk, duration, &decoded, source, err);
	if (rc)
		return rc;
	if (!(*out = malloc((size_t)n))) {
		free(pk);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	for (long i = 0; i < n; i++) /* as the JSON's three decimals would give */
		(*out)[i] = (unsigned char)(round(pk[i] * 1000) / 1000 * 255 + 0.5);
	free(pk);
	return 0;
}

/* ---- computed once, when the media arrives ---- */

#define SINK "media_peaks"
static char blob_dir[1024];
static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;

void fc_peaks_set_data_dir(const char *dir)
{
	pthread_mutex_lock(&dir_lock);
	snprintf(blob_dir, sizeof blob_dir, "%s", dir);
	pthread_mutex_unlock(&dir_lock);
}

int fc_peaks_queue(fc_db *db, int64_t media_id, int64_t project_id, const char *kind, fc_err *err)
{
	if (strcmp(kind, "audio") && strcmp(kind, "video"))
		return 0;
	return fc_outbox_put(db, SINK, media_id, project_id, "compute", "{}", err);
}

static atomic_int test_delay_ms;

void fc_peaks_set_test_delay(int ms) { atomic_store(&test_delay_ms, ms); }

/* Stores n peaks of media_id (ignored when the media is gone or has them). */
static int store(fc_store *s, int64_t media_id, long n, double duration, double decoded, const float *pk, fc_err *err)
{
	unsigned char *b = malloc((size_t)n * 2);
	if (!b)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	for (long i = 0; i < n; i++) {
		float v = pk[i] < 0 ? 0 : pk[i] > 1 ? 1 : pk[i];
		unsigned x = (unsigned)lrintf(v * 65535.0f);
		b[2 * i] = (unsigned char)(x & 0xff);
		b[2 * i + 1] = (unsigned char)(x >> 8);
	}
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (!rc) {
		rc = fc_db_exec(db, err,
				"INSERT INTO media_peaks(media_id,n,duration,decoded,peaks,created_at) "
				"SELECT id,?,?,?,?,? FROM media WHERE id=? AND erased_at IS NULL "
				"ON CONFLICT(media_id) DO NOTHING",
				"IddbII", (int64_t)n, duration, decoded, b, (size_t)n * 2, fc_clock_now(), media_id);
		rc = rc ? (fc_db_rollback(db), rc) : fc_db_commit(db, err);
	}
	free(b);
	return rc;
}

/* The outbox deliverer: decodes the media once and stores its peaks. A file
 * with no sound, erased or deleted media, and peaks already there are done. */
static int deliver(fc_store *s, const fc_outbox_item *item, int *status, char *error, size_t error_len)
{
	*status = 0;
	char dir[sizeof blob_dir], sha[65] = "";
	pthread_mutex_lock(&dir_lock);
	snprintf(dir, sizeof dir, "%s", blob_dir);
	pthread_mutex_unlock(&dir_lock);
	if (!dir[0]) {
		snprintf(error, error_len, "the blob store is not configured yet");
		return -1;
	}
	fc_err err = {0};
	fc_db *db;
	fc_stmt *st;
	int rc = fc_db_begin(s, FC_DB_READ, &db, &err);
	if (!rc) {
		if (!(rc = fc_db_query(db, &st, &err,
				       "SELECT m.sha256 FROM media m WHERE m.id=? AND m.erased_at IS NULL AND NOT EXISTS "
				       "(SELECT 1 FROM media_peaks p WHERE p.media_id=m.id)",
				       "I", item->target))) {
			if (fc_stmt_next(st) == 1)
				snprintf(sha, sizeof sha, "%s", fc_stmt_text(st, 0));
			fc_stmt_done(st);
		}
		fc_db_rollback(db);
	}
	FILE *f = NULL;
	uint64_t size = 0;
	float *pk = NULL;
	long n = 0;
	double duration = 0, decoded = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!rc && sha[0] && !(rc = fc_blob_read_once(dir, sha, &f, &size, &err))) {
		int ms = atomic_load(&test_delay_ms);
		if (ms > 0)
			nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
		rc = decode(f, 0, &pk, &n, &duration, &decoded, &err);
		fclose(f);
		if (!rc)
			rc = store(s, item->target, n, duration, decoded, pk, &err);
		free(pk);
		if (rc == FC_ERULE) /* no sound: nothing to draw, nothing to retry */
			rc = 0;
		else if (!rc) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			fc_log(FC_LOG_INFO, "peaks: media %" PRId64 " (%.0f s) decoded, %ld peaks stored in %.2f s",
			       item->target, duration, n,
			       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		}
	}
	if (rc) {
		snprintf(error, error_len, "%s", err.msg[0] ? err.msg : "the peaks could not be computed");
		fc_err_clear(&err);
		return -1;
	}
	return 0;
}

void fc_peaks_subscribe(void) { fc_outbox_sink_slow(SINK, deliver); }
