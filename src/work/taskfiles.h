/* taskfiles.h — image, audio and video files a requester drops into an
 * annotation project, one task each. The bytes go to the blob store (named
 * by their SHA-256); the task's data names the file as "/api/v1/files/ID"
 * under the field the config's first Image, Audio or Video tag reads
 * (value="$image" → {"image":"/api/v1/files/7"}). A CSV file becomes a task
 * of the first TimeSeries (kind "timeseries"; value="$csv" valueType="url"),
 * whose result ranges the server then checks against the file (tsdata.h). */
#ifndef FC_WORK_TASKFILES_H
#define FC_WORK_TASKFILES_H

#include "account/account.h"
#include "store/store.h"
#include <stdint.h>
#include <stdio.h>

/* POST /projects/{id}/files (owner): path holds the file, sha256 its hash
 * when known (else NULL: hashed here), name the file's name for people (may
 * be NULL). *out = {"id","task_id","sha256","kind","mime","name","bytes",
 * "field"}. Refusals: 415 not_media (not an image, audio, video or CSV file),
 * 409 duplicate (the same bytes are already in the project; the message
 * names the task), 409 project_closed, 400 no_media_field (the config shows
 * no object of that kind), 400 missing_field (the config also reads fields a
 * file cannot fill). */
int fc_task_file_add(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const char *path,
		     const char *sha256, const char *name, json_t **out, fc_err *err);

/* Inside a transaction: 1 when user may load the media of task (0: none)
 * in project: the project's team (reviewer and up) and whoever holds or
 * submitted an assignment of the task. */
int fc_task_media_visible(fc_db *db, const fc_user *user, int64_t project, int64_t task);

/* GET /files/{id}: opens the file for the project's team and for whoever
 * holds or submitted an assignment of its task; else FC_ENOTFOUND. The
 * caller fcloses *f. */
int fc_task_file_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
		      char mime[64], fc_err *err);

#endif
