/* Waveform peaks of a stored recording (see peaks.h). */
#include "work/peaks.h"
#include "media/media.h"
#include "work/collect.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The cached answer for (media_id, n) rendered, or NULL. */
static json_t *cached(int64_t media_id, long n)
{
	json_t *out = NULL;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CACHE_SLOTS && !out; i++)
		if (cache[i].peaks && cache[i].media_id == media_id && cache[i].n == n)
			out = render(media_id, n, cache[i].duration, cache[i].decoded, cache[i].peaks);
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

int fc_media_peaks(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n, json_t **out,
		   fc_err *err)
{
	*out = NULL;
	if (n < 1 || n > FC_PEAKS_MAX)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "n", "n must be a whole number from 1 to %d.",
				  FC_PEAKS_MAX);
	FILE *f = NULL;
	uint64_t size = 0;
	char mime[64] = "";
	/* access is checked every time, before the cache is looked at */
	int rc = fc_collect_media_open(s, data_dir, user, media_id, &f, &size, mime, err);
	if (rc)
		return rc;
	if ((*out = cached(media_id, n))) {
		fclose(f);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(f));
	fc_probe p;
	float *pk = NULL;
	double decoded = 0;
	if ((rc = fc_media_probe(path, &p, err)))
		goto out;
	if (!p.has_audio) {
		rc = fc_err_set(err, FC_ERULE, "no_audio", NULL, "This file has no sound to draw.");
		goto out;
	}
	if (!(pk = malloc((size_t)n * sizeof *pk))) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	if ((rc = fc_audio_peaks(path, p.duration, pk, (size_t)n, &decoded, err)))
		goto out;
	if (!(*out = render(media_id, n, p.duration > 0 ? p.duration : decoded, decoded, pk))) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	keep(media_id, n, p.duration > 0 ? p.duration : decoded, decoded, pk);
	pk = NULL;
out:
	free(pk);
	fclose(f);
	return rc;
}
