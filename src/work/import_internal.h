/* import_internal.h — the task importer's state, shared by task.c (JSON,
 * NDJSON, CSV) and the importers of other tools' files (import_coco.c,
 * import_mturk.c), which turn their records into Label Studio tasks and
 * hand them to fc_import_add_task inside the one import transaction. */
#ifndef FC_WORK_IMPORT_INTERNAL_H
#define FC_WORK_IMPORT_INTERNAL_H

#include "account/account.h"
#include "core/buf.h"
#include "store/store.h"
#include "work/labelconfig.h"
#include <jansson.h>
#include <stdio.h>

/* Rows per multi-row INSERT: 4 parameters each, within PostgreSQL's 128 of
 * fc_db_exec_values. */
#define FC_IMPORT_BATCH 32

typedef struct importer {
	fc_db *db;
	int64_t project_id;
	int64_t count;
	int64_t now;
	uint64_t bytes;
	fc_err *err;
	int64_t overlap;
	char *label_config;           /* for checking imported annotations */
	const fc_labelconfig *config; /* parsed on the first annotation */
	int64_t annotations;
	int64_t last_task; /* the id fc_import_add_task inserted last */
	fc_text_bulk fts;  /* the triggers' per-row work, suspended past FTS_BULK tasks */
	/* The fast path's tasks (task.c: fast_add), inserted FC_IMPORT_BATCH at a
	 * time by one multi-row INSERT; anything else inserted flushes them first,
	 * so ids follow the input's order. */
	fc_buf rows; /* their data texts, each NUL-terminated */
	size_t row_at[FC_IMPORT_BATCH], row_len[FC_IMPORT_BATCH];
	int64_t row_priority[FC_IMPORT_BATCH];
	int nrows;
	json_t *fields; /* the config's data fields, for the fast path */
	fc_buf text;    /* a task's string values for the full-text index (in a bulk) */
} importer;

/* Opens the import's write transaction: the caller must own the project,
 * which must not be closed. On success end it with fc_import_end. */
int fc_import_begin(fc_store *s, const fc_user *user, int64_t project_id, importer *im, fc_err *err);
/* Ends it: with rc 0 (and at least one task) the project's count, the
 * TASKS_CREATED event and the idempotency record are written and the
 * transaction commits; otherwise it rolls back. Returns the final rc. */
int fc_import_end(importer *im, int rc, int64_t *created);

/* Checks one task object ({data, predictions, annotations, …} or the data
 * itself) and inserts it; where ("line 7", "image 3") starts every error
 * message. raw: the object's source text, or NULL. */
int fc_import_add_task(importer *im, json_t *obj, const char *raw, size_t raw_len, const char *where);
/* Adds Label Studio annotations to an inserted task as accepted, unpaid
 * submissions (checked against the config). */
int fc_import_add_annotations(importer *im, int64_t task, const json_t *task_data, const json_t *anns, const char *where);

/* Reads one CSV record (RFC 4180) into fields (emptied first): 1, 0 at the
 * end, <0 on malformed quotes. *line counts physical lines. */
int fc_import_csv_record(FILE *f, json_t *fields, int64_t *line, uint64_t *bytes);

/* A COCO file (import_coco.c) and an MTurk results CSV (import_mturk.c). */
int fc_import_coco(importer *im, FILE *f);
int fc_import_mturk(importer *im, FILE *f);

#endif
