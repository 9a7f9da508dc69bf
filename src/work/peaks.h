/* peaks.h — waveform peaks of a stored recording, so the annotator draws an
 * hour of audio without downloading it first.
 *
 * A recording or video is decoded once when it arrives (an upload, an
 * imported archive): the insert queues an outbox item (sink "media_peaks")
 * in its transaction, and the outbox thread decodes the file with libav
 * (the media module) outside any transaction and stores
 * FC_PEAKS_STORED_PER_SECOND peaks a second (at least FC_PEAKS_DEFAULT, at
 * most FC_PEAKS_MAX) in media_peaks. A request for n peaks is then answered
 * from that row (each peak the largest of the stored runs it covers) without
 * touching the file. Before the job has run, or for a finer n, the file is
 * decoded in the request and the answer kept in a small in-memory cache.
 * Access is checked on every call exactly as for downloading the file
 * (fc_collect_media_open), so an erased recording's peaks are never served;
 * withdrawal and erasure delete the stored row. */
#ifndef FC_WORK_PEAKS_H
#define FC_WORK_PEAKS_H

#include "account/account.h"
#include "core/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

#define FC_PEAKS_DEFAULT 2000
#define FC_PEAKS_MAX 200000
#define FC_PEAKS_STORED_PER_SECOND 200

/* *out = {"media_id", "duration_seconds", "decoded_seconds", "n",
 * "peaks":[n numbers in 0..1, the largest |sample| of each of n equal runs],
 * "source": "stored" (computed on arrival) | "cached" | "decoded" (now)}.
 * FC_EINVAL "invalid_value" (field "n") unless 1 <= n <= FC_PEAKS_MAX;
 * FC_ENOTFOUND as fc_collect_media_open; FC_ERULE "no_audio" for a photo or
 * a video without sound. */
int fc_media_peaks(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n, json_t **out,
		   fc_err *err);

/* The same n peaks as one byte each (0..255) into *out (malloc'd, n bytes),
 * with the duration and the source, without building the JSON. */
int fc_media_peaks_u8(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, long n,
		      unsigned char **out, double *duration, const char **source, fc_err *err);

/* Inside the transaction that records media_id (kind "audio" or "video";
 * others are ignored): queues the computation of its peaks. */
int fc_peaks_queue(fc_db *db, int64_t media_id, int64_t project_id, const char *kind, fc_err *err);
/* The blob store the outbox job reads files from (set before serving). */
void fc_peaks_set_data_dir(const char *dir);
/* Tests: each decode of the job first waits ms milliseconds, standing in
 * for an hour of audio (serve honours FAIRCROWD_TEST_MEDIA_DELAY_MS only
 * with --test-clock). */
void fc_peaks_set_test_delay(int ms);
/* Registers the outbox deliverer "media_peaks", a slow sink: the media
 * worker runs it (start-up wiring). */
void fc_peaks_subscribe(void);

#endif
