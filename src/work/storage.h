/* storage.h — S3 import sources of a project (issue #13): a bucket, a
 * prefix and the owner's credentials; a sync lists the prefix
 * (ListObjectsV2, blob/s3.h) and makes one task per new object: an image,
 * audio or video object becomes {"<field>": "/api/v1/storage/objects/ID"}
 * under the field the config's first object tag of that kind reads; a .json
 * object becomes a task with its content as the data ({"data": {…}} or the
 * data itself). Objects are remembered per source (key and ETag), so no
 * object is ever a task twice, whoever syncs and however often. The
 * annotator loads an object through GET /storage/objects/{id}, which
 * streams it from the bucket with the source's credentials
 * (docs/formats.md says why a proxy, not presigned URLs). */
#ifndef FC_WORK_STORAGE_H
#define FC_WORK_STORAGE_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* POST /projects/{id}/storage {endpoint, bucket, prefix?, region?,
 * access_key, secret_key, title?} (owner): the bucket is asked once (one
 * key listed) before the source is saved, so wrong credentials or a missing
 * bucket are refused (422 storage_refused / storage_not_found /
 * storage_unreachable) and nothing is stored. 201 with the source; the
 * credentials are never returned (access_key masked, secret_key absent). */
int fc_storage_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err);
/* GET /projects/{id}/storage (owner): {items:[source…]} with each one's
 * last sync (status never|running|done|failed, counts, error). */
int fc_storage_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* PATCH /projects/{id}/storage/{sid}: the fields of create, each optional
 * (a missing secret_key keeps the stored one); checked like create. */
int fc_storage_update(fc_store *s, const fc_user *user, int64_t project, int64_t sid, const json_t *body, json_t **out,
		      fc_err *err);
/* DELETE /projects/{id}/storage/{sid}: the source and the credentials go;
 * its tasks stay, their objects can no longer be loaded. */
int fc_storage_delete(fc_store *s, const fc_user *user, int64_t project, int64_t sid, fc_err *err);
/* POST /projects/{id}/storage/{sid}/sync (sid > 0) or
 * POST /projects/{id}/storage/sync (sid 0: every source of the project):
 * queues the sync (a source already queued or running is left as it is)
 * and answers the source(s) at once (202); the background runner
 * (fc_storage_jobs_run) does it. 409 project_closed, 404, 400 no_storage. */
int fc_storage_sync(fc_store *s, const fc_user *user, int64_t project, int64_t sid, json_t **out, fc_err *err);
/* The runner: claims queued syncs (or running ones whose runner fell silent
 * for a minute: taken over, which the per-object rows make harmless) one at
 * a time, up to max. Each lists the prefix a page (1000 keys) at a time,
 * each page committed on its own with the source's counts and heartbeat
 * (progress visible in GET …/storage while it runs), and ends 'done' or
 * 'failed' with S3's reason in words; pages already committed stay. */
int fc_storage_jobs_run(fc_store *s, const char *data_dir, int max, int64_t *ran, fc_err *err);
/* GET /storage/objects/{id}: the object downloaded into an unlinked
 * temporary file under DATA/tmp, for the project's team and whoever holds
 * or submitted an assignment of its task; else FC_ENOTFOUND. The caller
 * fcloses *f. */
int fc_storage_object_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
			   char mime[64], fc_err *err);

#endif
