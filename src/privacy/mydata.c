/* The data-access zip (GET /me/data). See privacy.h. */
#include "blob/blob.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "privacy/privacy.h"

#include <archive.h>
#include <archive_entry.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ST_PROFILE, ST_CONSENTS, ST_SUBMISSIONS, ST_LEDGER, ST_MEDIA, ST_CLOSE, ST_DONE };

#define ROWS_PER_STEP 200

struct fc_mydata {
	fc_db *db;
	fc_blob *blob;
	struct archive *a;
	int stage;
	int64_t user;
	fc_stmt *st; /* the open query of a streamed entry */
	FILE *file;  /* the media file being copied */
	fc_buf out;  /* zip bytes not yet handed to the reader */
	size_t pos;
	fc_buf line;         /* one JSONL line */
	int64_t media_after; /* the last media id copied */
	int failed;
};

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	fc_mydata *x = ctx;
	return fc_buf_append(&x->out, buf, n) ? -1 : (la_ssize_t)n;
}

/* size < 0: unknown (the zip entry carries its length after the data). */
static int begin_entry(fc_mydata *x, const char *name, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return -1;
	archive_entry_set_pathname(e, name);
	if (size >= 0)
		archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, (time_t)fc_clock_now(), 0);
	int rc = archive_write_header(x->a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	return rc;
}

static int write_data(fc_mydata *x, const void *p, size_t n)
{
	return !n || archive_write_data(x->a, p, n) == (la_ssize_t)n ? 0 : -1;
}

static int whole_entry(fc_mydata *x, const char *name, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!text)
		return -1;
	size_t n = strlen(text);
	int rc = begin_entry(x, name, (int64_t)n) || write_data(x, text, n) ||
				 archive_write_finish_entry(x->a) != ARCHIVE_OK
			 ? -1
			 : 0;
	free(text);
	return rc;
}

static const char *ts(int64_t t, char *buf, size_t n) { return fc_clock_format(t, buf, n); }

static json_t *time_or_null(fc_stmt *st, int col)
{
	char b[32];
	return fc_stmt_isnull(st, col) ? json_null() : json_string(ts(fc_stmt_int(st, col), b, sizeof b));
}

static int profile(fc_mydata *x)
{
	fc_stmt *st;
	if (fc_db_query(x->db, &st, NULL,
			"SELECT id, email, display_name, roles, country, languages, demographics, qualifications, "
			"verified_at, created_at, disabled_at FROM users WHERE id=?",
			"I", x->user))
		return -1;
	json_t *j = NULL;
	if (fc_stmt_next(st) == 1)
		j = json_pack("{s:I,s:s,s:s,s:o,s:s?,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
			      "email", fc_stmt_text(st, 1), "display_name", fc_stmt_text(st, 2), "roles",
			      fc_roles_json((int)fc_stmt_int(st, 3)), "country", fc_stmt_text(st, 4), "languages",
			      fc_stmt_json(st, 5), "demographics", fc_stmt_json(st, 6), "qualifications",
			      fc_stmt_json(st, 7), "verified_at", time_or_null(st, 8), "created_at",
			      time_or_null(st, 9), "disabled_at", time_or_null(st, 10));
	fc_stmt_done(st);
	return whole_entry(x, "profile.json", j);
}

static int consents(fc_mydata *x)
{
	fc_stmt *st;
	if (fc_db_query(x->db, &st, NULL,
			"SELECT c.project_id, c.version, c.accepted_at, c.withdrawn_at, d.text FROM consents c "
			"LEFT JOIN consent_docs d ON d.project_id=c.project_id AND d.version=c.version "
			"WHERE c.user_id=? ORDER BY c.project_id, c.accepted_at",
			"I", x->user))
		return -1;
	json_t *arr = json_array();
	int r;
	while (arr && (r = fc_stmt_next(st)) == 1)
		json_array_append_new(arr,
				      json_pack("{s:I,s:s,s:o,s:o,s:s?}", "project_id", (json_int_t)fc_stmt_int(st, 0),
						"version", fc_stmt_text(st, 1), "accepted_at", time_or_null(st, 2),
						"withdrawn_at", time_or_null(st, 3), "text", fc_stmt_text(st, 4)));
	fc_stmt_done(st);
	return whole_entry(x, "consents.json", arr);
}

/* trust.json: the caller's identity documents (status and reason only: the
 * image is never kept after the decision, and a pending one stays sealed)
 * and the blocks against them with their appeals. */
static int trust(fc_mydata *x)
{
	fc_stmt *st;
	json_t *docs = json_array(), *blocks = json_array();
	int r = -1;
	if (!fc_db_query(x->db, &st, NULL,
			 "SELECT id, status, reason, created_at, decided_at FROM identity_documents WHERE user_id=? "
			 "ORDER BY id",
			 "I", x->user)) {
		while ((r = fc_stmt_next(st)) == 1)
			json_array_append_new(docs,
					      json_pack("{s:I,s:s,s:s?,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
							"status", fc_stmt_text(st, 1), "reason", fc_stmt_text(st, 2),
							"sent_at", time_or_null(st, 3), "decided_at",
							time_or_null(st, 4)));
		fc_stmt_done(st);
	}
	if (!r && !fc_db_query(x->db, &st, NULL,
			       "SELECT id, project_id, reason, status, created_at, appeal, appeal_upheld, decision_reason "
			       "FROM blocks WHERE user_id=? ORDER BY id",
			       "I", x->user)) {
		while ((r = fc_stmt_next(st)) == 1)
			json_array_append_new(blocks,
					      json_pack("{s:I,s:I,s:s,s:s,s:o,s:s?,s:o,s:s?}", "id",
							(json_int_t)fc_stmt_int(st, 0), "project_id",
							(json_int_t)fc_stmt_int(st, 1), "reason", fc_stmt_text(st, 2),
							"status", fc_stmt_text(st, 3), "created_at", time_or_null(st, 4),
							"appeal", fc_stmt_text(st, 5), "appeal_upheld",
							fc_stmt_isnull(st, 6) ? json_null()
									      : json_boolean(fc_stmt_int(st, 6)),
							"decision_reason", fc_stmt_text(st, 7)));
		fc_stmt_done(st);
	}
	if (r) {
		json_decref(docs);
		json_decref(blocks);
		return -1;
	}
	return whole_entry(x, "trust.json", json_pack("{s:o,s:o}", "identity_documents", docs, "blocks", blocks));
}

/* Starts a streamed JSONL entry over sql, whose every parameter is the
 * user (nparams of them, at most 4). */
static int open_lines(fc_mydata *x, const char *name, const char *sql, int nparams)
{
	const char *fmt = &"IIII"[4 - nparams];
	return fc_db_query(x->db, &x->st, NULL, sql, fmt, x->user, x->user, x->user, x->user) || begin_entry(x, name, -1)
		       ? -1
		       : 0;
}

static void put_key(fc_buf *b, const char *key, int first)
{
	fc_buf_puts(b, first ? "{" : ",");
	fc_buf_json_str(b, key);
	fc_buf_puts(b, ":");
}

/* Column c as JSON: NULL, a time (RFC 3339), stored JSON text as it is, or
 * a string. */
static void put_value(fc_buf *b, fc_stmt *st, int c, int is_json, int is_time)
{
	char t[32];
	if (fc_stmt_isnull(st, c))
		fc_buf_puts(b, "null");
	else if (is_time)
		fc_buf_json_str(b, ts(fc_stmt_int(st, c), t, sizeof t));
	else if (is_json)
		fc_buf_puts(b, fc_stmt_text(st, c));
	else
		fc_buf_json_str(b, fc_stmt_text(st, c));
}

typedef struct column {
	const char *key;
	char kind; /* s text, j JSON, t time, i integer, d number */
} column;

/* Writes up to ROWS_PER_STEP rows of x->st as JSON lines; at the end of the
 * rows finishes the entry and returns 1. */
static int step_lines(fc_mydata *x, const column *cols, int ncols)
{
	for (int n = 0; n < ROWS_PER_STEP; n++) {
		int r = fc_stmt_next(x->st);
		if (r < 0)
			return -1;
		if (r == 0) {
			fc_stmt_done(x->st);
			x->st = NULL;
			return archive_write_finish_entry(x->a) == ARCHIVE_OK ? 1 : -1;
		}
		fc_buf_reset(&x->line);
		for (int c = 0; c < ncols; c++) {
			put_key(&x->line, cols[c].key, c == 0);
			if (cols[c].kind == 'i' && !fc_stmt_isnull(x->st, c))
				fc_buf_printf(&x->line, "%" PRId64, fc_stmt_int(x->st, c));
			else if (cols[c].kind == 'd' && !fc_stmt_isnull(x->st, c))
				fc_buf_printf(&x->line, "%.3f", fc_stmt_double(x->st, c));
			else
				put_value(&x->line, x->st, c, cols[c].kind == 'j', cols[c].kind == 't');
		}
		fc_buf_puts(&x->line, "}\n");
		if (write_data(x, x->line.p, x->line.len))
			return -1;
	}
	return 0;
}

static const column SUBMISSION_COLS[] = {
	{"id", 'i'},       {"project_id", 'i'},  {"task_id", 'i'},     {"result", 'j'},         {"fixed_result", 'j'},
	{"status", 's'},   {"reason_code", 's'}, {"reason_text", 's'}, {"active_seconds", 'd'}, {"reward", 'i'},
	{"media_id", 'i'}, {"created_at", 't'},  {"erased_at", 't'},
};
static const char SUBMISSIONS_SQL[] =
	"SELECT id, project_id, task_id, result, fixed_result, status, reason_code, reason_text, active_seconds, reward, "
	"media_id, created_at, erased_at FROM submissions WHERE user_id=? ORDER BY id";

static const column LEDGER_COLS[] = {
	{"id", 'i'}, {"txn_id", 'i'}, {"account", 's'}, {"amount", 'i'}, {"currency", 's'}, {"memo", 's'}, {"at", 't'},
};
/* the user's own accounts only (account names end in ":USER"): each
 * account's chain from its balance row (money/ledger.c, migration 0036) and
 * the entries with no link (older than the chains, or first of one) */
static const char LEDGER_SQL[] =
	"WITH RECURSIVE c(id) AS (SELECT last_entry FROM ledger_balances WHERE account IN ('pending:'||?1,"
	"'available:'||?1,'payout_pending:'||?1,'paid:'||?1) AND shard=0 AND last_entry IS NOT NULL UNION ALL "
	"SELECT e.prev_id FROM c JOIN ledger_entries e ON e.id=c.id WHERE e.prev_id IS NOT NULL), "
	"ids(id) AS (SELECT id FROM c UNION SELECT id FROM ledger_entries WHERE account IN ('pending:'||?1,"
	"'available:'||?1,'payout_pending:'||?1,'paid:'||?1) AND prev_id IS NULL) "
	"SELECT e.id, e.txn_id, e.account, e.amount, e.currency, t.memo, e.created_at FROM ids "
	"JOIN ledger_entries e ON e.id=ids.id JOIN ledger_txns t ON t.id=e.txn_id ORDER BY e.id";

/* Media: one query for the next file after the last one copied, so no
 * statement stays open while a file is written. */
static int next_media(fc_mydata *x, int64_t *after)
{
	fc_stmt *st;
	if (fc_db_query(x->db, &st, NULL,
			"SELECT id, sha256, ext, bytes FROM media WHERE user_id=? AND erased_at IS NULL AND id>? "
			"ORDER BY id LIMIT 1",
			"II", x->user, *after))
		return -1;
	int r = fc_stmt_next(st), rc = 0;
	if (r == 1) {
		int64_t id = fc_stmt_int(st, 0);
		char sha[65], name[128];
		snprintf(sha, sizeof sha, "%s", fc_stmt_text(st, 1));
		snprintf(name, sizeof name, "media/%" PRId64 ".%s", id, fc_stmt_text(st, 2));
		*after = id;
		fc_err err = {0};
		uint64_t size = 0;
		if (fc_blob_open_read(x->blob, sha, &x->file, &size, &err)) {
			/* bytes already erased or lost: say so in the zip rather than fail it */
			fc_log(FC_LOG_WARN, "data access: media %" PRId64 " unreadable: %s", id, err.msg);
			fc_err_clear(&err);
			x->file = NULL;
			rc = 1;
		} else if (begin_entry(x, name, (int64_t)size)) {
			rc = -1;
		} else {
			rc = 1;
		}
	}
	fc_stmt_done(st);
	return r < 0 ? -1 : rc; /* 1: a file is open (or skipped), 0: no more */
}

/* Advances the archive by one bounded step. */
static int step(fc_mydata *x)
{
	switch (x->stage) {
	case ST_PROFILE: x->stage = ST_CONSENTS; return profile(x);
	case ST_CONSENTS:
		if (consents(x) || trust(x) || open_lines(x, "submissions.jsonl", SUBMISSIONS_SQL, 1))
			return -1;
		x->stage = ST_SUBMISSIONS;
		return 0;
	case ST_SUBMISSIONS: {
		int r = step_lines(x, SUBMISSION_COLS, (int)(sizeof SUBMISSION_COLS / sizeof SUBMISSION_COLS[0]));
		if (r == 1) {
			if (open_lines(x, "ledger.jsonl", LEDGER_SQL, 1))
				return -1;
			x->stage = ST_LEDGER;
		}
		return r < 0 ? -1 : 0;
	}
	case ST_LEDGER: {
		int r = step_lines(x, LEDGER_COLS, (int)(sizeof LEDGER_COLS / sizeof LEDGER_COLS[0]));
		if (r == 1)
			x->stage = ST_MEDIA;
		return r < 0 ? -1 : 0;
	}
	case ST_MEDIA: {
		if (x->file) {
			char chunk[65536];
			size_t n = fread(chunk, 1, sizeof chunk, x->file);
			if (n && write_data(x, chunk, n))
				return -1;
			if (n < sizeof chunk) {
				int bad = ferror(x->file);
				fclose(x->file);
				x->file = NULL;
				if (bad || archive_write_finish_entry(x->a) != ARCHIVE_OK)
					return -1;
			}
			return 0;
		}
		int r = next_media(x, &x->media_after);
		if (r == 0)
			x->stage = ST_CLOSE;
		return r < 0 ? -1 : 0;
	}
	case ST_CLOSE: x->stage = ST_DONE; return archive_write_close(x->a) == ARCHIVE_OK ? 0 : -1;
	default: return 0;
	}
}

int fc_mydata_open(fc_store *s, const char *data_dir, const fc_user *user, fc_mydata **out, fc_err *err)
{
	fc_mydata *x = calloc(1, sizeof *x);
	if (!x)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	x->user = user->id;
	int rc = fc_blob_open(&x->blob, data_dir, err);
	if (!rc && !(rc = fc_db_begin(s, FC_DB_READ, &x->db, err))) {
		x->a = archive_write_new();
		if (!x->a || archive_write_set_format_zip(x->a) != ARCHIVE_OK ||
		    archive_write_set_bytes_in_last_block(x->a, 1) != ARCHIVE_OK ||
		    archive_write_open(x->a, x, NULL, on_write, NULL) != ARCHIVE_OK)
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "The archive could not be started.");
	}
	if (rc) {
		fc_mydata_close(x);
		return rc;
	}
	*out = x;
	return 0;
}

ssize_t fc_mydata_read(fc_mydata *x, char *buf, size_t max)
{
	if (x->failed)
		return -1;
	while (x->pos == x->out.len && x->stage != ST_DONE) {
		fc_buf_reset(&x->out);
		x->pos = 0;
		if (step(x)) {
			fc_log(FC_LOG_ERROR, "data access: the zip for user %" PRId64 " failed at stage %d", x->user,
			       x->stage);
			x->failed = 1;
			return -1;
		}
	}
	size_t n = x->out.len - x->pos;
	if (n > max)
		n = max;
	memcpy(buf, x->out.p + x->pos, n);
	x->pos += n;
	return (ssize_t)n;
}

void fc_mydata_close(fc_mydata *x)
{
	if (!x)
		return;
	if (x->st)
		fc_stmt_done(x->st);
	if (x->file)
		fclose(x->file);
	if (x->a)
		archive_write_free(x->a);
	if (x->db)
		fc_db_rollback(x->db);
	fc_blob_close(x->blob);
	fc_buf_free(&x->out);
	fc_buf_free(&x->line);
	free(x);
}
