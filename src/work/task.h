/* task.h — task import (JSON array, NDJSON, CSV; streamed, all-or-nothing)
 * and task reads. */
#ifndef FC_WORK_TASK_H
#define FC_WORK_TASK_H

#include "account/account.h"
#include "store/store.h"
#include <stdio.h>

/* COCO: a COCO JSON file, its annotations as the tasks' predictions;
 * MTURK: a Mechanical Turk batch results CSV (Input.* → data, Answer.* →
 * submissions of pseudonymous workers). See docs/formats.md. */
enum { FC_IMPORT_JSON, FC_IMPORT_NDJSON, FC_IMPORT_CSV, FC_IMPORT_COCO, FC_IMPORT_MTURK };

/* Maps a Content-Type to FC_IMPORT_*; -1 when it is none of them. */
int fc_import_format_of(const char *content_type);
/* Maps a file name's extension (.json, .ndjson/.jsonl, .csv) likewise. */
int fc_import_format_of_file(const char *name);

typedef void (*fc_import_progress)(void *ud, uint64_t bytes_read, int64_t tasks);

/* Reads tasks from f and adds them to the project in one transaction: one
 * bad record → FC_EINVAL naming its line (or element) and nothing stored.
 * Memory use does not grow with the file. *created receives the count. */
int fc_task_import(fc_store *s, const fc_user *user, int64_t project_id, FILE *f, int format, int64_t *created,
		   fc_import_progress progress, void *ud, fc_err *err);

/* A zip or tar (gzip allowed) of media files: one task per file, each file
 * in the blob store and in media (import_media.c). 400 naming the entry for
 * a file that is not the kind the config's Image/Audio/Video object shows,
 * a duplicate (SHA-256, in the archive or the project) or a damaged
 * archive; 413 for a file over 512 MiB; nothing kept then. */
int fc_task_import_media(fc_store *s, const char *data_dir, const fc_user *user, int64_t project_id, FILE *f,
			 int64_t *created, fc_err *err);

/* Inside an import's write transaction, after count tasks were inserted into
 * the project: its task count, and FC_EV_TASKS_CREATED (money refuses new
 * live work that is not paid for). */
int fc_task_created(fc_db *db, int64_t project_id, int64_t count, int64_t now, fc_err *err);

int fc_task_get(fc_store *s, const fc_user *user, int64_t task_id, json_t **out, fc_err *err);

#endif
