#include "work/export.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "work/project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fc_export {
	fc_db *db;
	fc_stmt *st;
	int has_row; /* st is positioned on an unconsumed row */
	int done;
	int64_t rows;
	char salt[40];
	fc_buf out;
	size_t pos;
};

/* One query, ordered by task then submission, merged into lines. */
static const char EXPORT_SQL[] =
	"SELECT t.id, t.data, t.predictions, t.gold, s.id, s.user_id, s.result, s.active_seconds, s.status, "
	"s.reason_code, s.reason_text, s.created_at FROM tasks t LEFT JOIN submissions s ON s.task_id=t.id "
	"AND s.erased_at IS NULL WHERE t.project_id=? ORDER BY t.id, s.id"; /* erased: withdrawn consent */

int fc_export_open(fc_store *s, const fc_user *user, int64_t project_id, const char *format, fc_export **out, fc_err *err)
{
	if (strcmp(format, "jsonl"))
		return fc_err_set(err, FC_EINVAL, "invalid_format", "format",
				  "Unknown export format '%s'; this build exports jsonl.", format);
	fc_export *x = calloc(1, sizeof *x);
	if (!x)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	int access, rc = fc_db_begin(s, FC_DB_READ, &x->db, err);
	if (rc) {
		free(x);
		return rc;
	}
	if (!(rc = fc_project_access(x->db, user, project_id, &access, err)) && access < FC_ACCESS_REVIEWER)
		rc = fc_err_set(err, FC_EPERM, "forbidden", NULL, "Only the project's team can export it.");
	if (!rc)
		rc = fc_db_query(x->db, &x->st, err, EXPORT_SQL, "I", project_id);
	if (rc) {
		fc_db_rollback(x->db);
		free(x);
		return rc;
	}
	*out = x;
	return 0;
}

/* Appends one task line to x->out. Returns 0 at the end of the rows. */
static int next_line(fc_export *x)
{
	if (!x->has_row) {
		int r = fc_stmt_next(x->st);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		x->has_row = 1;
	}
	fc_stmt *st = x->st;
	int64_t task = fc_stmt_int(st, 0);
	fc_buf *b = &x->out;
	fc_buf_printf(b, "{\"id\":%lld,\"data\":%s,\"predictions\":%s", (long long)task, fc_stmt_text(st, 1),
		      fc_stmt_isnull(st, 2) ? "[]" : fc_stmt_text(st, 2));
	if (!fc_stmt_isnull(st, 3))
		fc_buf_printf(b, ",\"gold\":%s", fc_stmt_text(st, 3));
	fc_buf_puts(b, ",\"annotations\":[");
	int first = 1;
	for (;;) {
		if (!fc_stmt_isnull(st, 4)) {
			char ts[32], who[96], worker[65];
			/* the pseudonym of formats/dataset.h's fc_ds_worker_id: one person, one worker_id per project */
			int n = snprintf(who, sizeof who, "%s:%lld", x->salt, (long long)fc_stmt_int(st, 5));
			fc_crypto_sha256_hex(who, (size_t)n, worker);
			if (!first)
				fc_buf_puts(b, ",");
			first = 0;
			fc_buf_printf(b,
				      "{\"id\":%lld,\"completed_by\":\"%s\",\"worker_id\":\"%s\",\"result\":%s,"
				      "\"lead_time\":%.3f,\"status\":",
				      (long long)fc_stmt_int(st, 4), worker, worker, fc_stmt_text(st, 6),
				      fc_stmt_double(st, 7));
			fc_buf_json_str(b, fc_stmt_text(st, 8));
			if (!fc_stmt_isnull(st, 9)) {
				fc_buf_puts(b, ",\"reason_code\":");
				fc_buf_json_str(b, fc_stmt_text(st, 9));
				fc_buf_puts(b, ",\"reason\":");
				fc_buf_json_str(b, fc_stmt_text(st, 10));
			}
			fc_buf_printf(b, ",\"created_at\":\"%s\"}", fc_clock_format(fc_stmt_int(st, 11), ts, sizeof ts));
		}
		int r = fc_stmt_next(st);
		if (r < 0)
			return -1;
		if (r == 0) {
			x->has_row = 0;
			x->done = 1;
			break;
		}
		if (fc_stmt_int(st, 0) != task)
			break; /* the row stays for the next line */
	}
	fc_buf_puts(b, "]}\n");
	x->rows++;
	return 1;
}

ssize_t fc_export_read(fc_export *x, char *buf, size_t max)
{
	size_t n = 0;
	while (n < max) {
		if (x->pos < x->out.len) {
			size_t k = x->out.len - x->pos;
			if (k > max - n)
				k = max - n;
			memcpy(buf + n, x->out.p + x->pos, k);
			x->pos += k;
			n += k;
			continue;
		}
		fc_buf_reset(&x->out);
		x->pos = 0;
		if (x->done)
			break;
		int r = next_line(x);
		if (r < 0)
			return -1;
		if (r == 0) {
			x->done = 1;
			break;
		}
	}
	return (ssize_t)n;
}

void fc_export_set_salt(fc_export *x, const char *salt) { snprintf(x->salt, sizeof x->salt, "%s", salt); }

int64_t fc_export_rows(const fc_export *x) { return x->rows; }

void fc_export_close(fc_export *x)
{
	if (!x)
		return;
	fc_stmt_done(x->st);
	fc_db_rollback(x->db);
	fc_buf_free(&x->out);
	free(x);
}
