/* export.h — streaming a project's tasks with their results.
 *
 * Reads run in one read transaction (a consistent snapshot) and produce
 * output a buffer at a time, so memory does not grow with the project. */
#ifndef FC_WORK_EXPORT_H
#define FC_WORK_EXPORT_H

#include "account/account.h"
#include "store/store.h"
#include <sys/types.h>

typedef struct fc_export fc_export;

/* format: "jsonl" (one Label Studio task per line: id, data, predictions,
 * annotations with every submission, contributors as worker_id). Checks the user may export. */
int fc_export_open(fc_store *s, const fc_user *user, int64_t project_id, const char *format, fc_export **out,
		   fc_err *err);
/* The project's pseudonym salt (before the first read): each submission's
 * completed_by and worker_id are hex SHA-256 of "salt:user_id", the
 * pseudonym of every other export, never the user id. */
void fc_export_set_salt(fc_export *x, const char *salt);
/* Task lines written so far. */
int64_t fc_export_rows(const fc_export *x);
/* Fills buf; returns bytes written, 0 at the end, -1 on failure. */
ssize_t fc_export_read(fc_export *x, char *buf, size_t max);
void fc_export_close(fc_export *x);

#endif
