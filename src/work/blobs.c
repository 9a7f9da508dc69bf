/* blobs.c — see blobs.h. */
#include "work/blobs.h"
#include "access/access.h"
#include "blob/blob.h"

#include <stdio.h>

int fc_work_blob_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, const char *sql,
		      fc_blob_gate gate, FILE **f, uint64_t *size, char mime[64], fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	char sha[65] = "";
	int64_t project = 0, extra[2] = {0, 0};
	if ((rc = fc_db_query(db, &st, err, sql, "I", id)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		project = fc_stmt_int(st, 0);
		snprintf(sha, sizeof sha, "%s", fc_stmt_text(st, 1) ? fc_stmt_text(st, 1) : "");
		snprintf(mime, 64, "%s", fc_stmt_text(st, 2) ? fc_stmt_text(st, 2) : "");
		for (int i = 0; i < 2; i++)
			extra[i] = fc_stmt_isnull(st, i + 3) ? 0 : fc_stmt_int(st, i + 3);
	}
	fc_stmt_done(st);
	int access = FC_ACCESS_NONE, allowed = 0;
	if (project && !fc_project_access(db, user, project, &access, NULL))
		allowed = access >= FC_ACCESS_REVIEWER;
	if (project && !allowed && gate)
		allowed = gate(db, user, id, project, extra);
	if (!allowed || !*sha) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such file.");
		goto out;
	}
	rc = f ? fc_blob_read_once(data_dir, sha, f, size, err) : 0;
out:
	fc_db_rollback(db);
	return rc;
}
