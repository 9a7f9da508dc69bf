/* peaks.h — waveform peaks of a stored recording, so the annotator draws an
 * hour of audio without downloading it first.
 *
 * The recording is decoded once per (media, resolution) with libav (the media
 * module) and the answer kept in a small in-memory cache; access is checked
 * on every call exactly as for downloading the file (fc_collect_media_open),
 * so an erased recording's cached peaks are never served. */
#ifndef FC_WORK_PEAKS_H
#define FC_WORK_PEAKS_H

#include "account/account.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

#define FC_PEAKS_DEFAULT 2000
#define FC_PEAKS_MAX 200000

/* *out = {"media_id", "duration_seconds", "decoded_seconds", "n",
 * "peaks":[n numbers in 0..1, the largest |sample| of each of n equal runs]}.
 * FC_EINVAL "invalid_value" (field "n") unless 1 <= n <= FC_PEAKS_MAX;
 * FC_ENOTFOUND as fc_collect_media_open; FC_ERULE "no_audio" for a photo or
 * a video without sound. */
int fc_media_peaks(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n, json_t **out,
		   fc_err *err);

#endif
