/* export_jobs.h — exports that run in the background (API.md "Datasets out":
 * POST /projects/{id}/exports, GET /exports/{id}, GET /exports/{id}/download).
 *
 * Queueing checks what the streamed export checks (the format, the options,
 * the caller's ownership, whether the config fits) and is audited once. A
 * runner thread (several servers: any of them) claims a queued job, opens
 * the same stream as GET /projects/{id}/export as the user who asked, and
 * writes it into a blob store writer, updating rows, bytes and progress
 * about once a second. The job is published in one write transaction once
 * the blob is complete — state 'done' with its SHA-256 and FC_EV_EXPORT_DONE
 * (webhooks deliver it as EXPORT_DONE) — so a job that fails half-way (a
 * full blob store, a stream error, the caller no longer an owner) is
 * 'failed' with a reason and has no download: the writer's temporary file
 * is removed, nothing half-written is ever named. A job whose runner died
 * (no word for a minute) is taken over from the start. */
#ifndef FC_API_EXPORT_JOBS_H
#define FC_API_EXPORT_JOBS_H

#include "account/account.h"
#include "api/exports.h"
#include "store/store.h"
#include <jansson.h>
#include <stdio.h>

/* POST /projects/{id}/exports {format, status?, labels?} → 202 {id,
 * status:"queued", …}: the job as fc_export_job_get shows it. Errors as
 * GET /projects/{id}/export answers them (400 naming the option, 404, 403,
 * 422/400 format_unfit). */
int fc_export_job_create(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const json_t *body,
			 json_t **out, fc_err *err);
/* GET /exports/{id} (the project's owners): {id, project, format, options,
 * status: queued|running|done|failed, progress 0..1, rows, bytes, sha256,
 * download_url, reason, created_at, started_at, finished_at}. */
int fc_export_job_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err);
/* {items:[render(row)…]} of sql (one parameter: the project) for the
 * project's owners; 404/403 otherwise with message. sql must be a literal. */
int fc_owner_list(fc_store *s, const fc_user *user, int64_t project, const char *message, const char *sql,
		  fc_row_fn render, json_t **out, fc_err *err);
/* GET /projects/{id}/exports (owners): {items:[job…]} newest first, 50. */
int fc_export_job_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* GET /exports/{id}/download: the finished blob, opened for reading, with
 * its size, file name and content type. 409 not_ready before 'done'. */
int fc_export_job_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
		       char filename[96], char type[64], fc_err *err);

/* Writes the export req of project, as user, into the blob store (what a
 * job does; dataset versions keep their files this way). tick, when not
 * NULL, is called about once a second with the counts so far; nonzero
 * stops the export with FC_EBUSY. On failure nothing is left in the store. */
typedef struct fc_export_result {
	char sha256[65];
	int64_t rows, bytes;
	char filename[96], content_type[64];
} fc_export_result;
int fc_export_to_blob(fc_store *s, const char *data_dir, const fc_user *user, int64_t project,
		      const fc_export_request *req, fc_export_result *res,
		      int (*tick)(void *arg, const fc_export_result *res), void *arg, fc_err *err);

/* Runs queued (or abandoned) jobs one after the other until none is left
 * or max have run; *ran counts them. A job that fails is recorded as
 * failed and does not fail the call. */
int fc_export_jobs_run(fc_store *s, const char *data_dir, int max, int64_t *ran, fc_err *err);

/* The runner thread: wakes when a job is queued here, and every second
 * for jobs queued by other servers. It also runs the S3 import syncs
 * (fc_storage_jobs_run, work/storage.h) after the exports: the same
 * claim-a-row, heartbeat and take-over scheme, one thread for both. */
int fc_export_jobs_start(fc_store *s, const char *data_dir);
void fc_export_jobs_stop(void);
/* Wakes the runner now (a job or a sync was queued here). */
void fc_export_jobs_wake(void);

#endif
