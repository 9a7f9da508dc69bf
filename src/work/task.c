/* Task import and reads. The importer never holds more than one record in
 * memory: NDJSON and CSV are read line by line; a JSON array is split into
 * its top-level elements by a small scanner and each element parsed alone. */
#include "work/task.h"
#include "account/idempotency.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "work/assign.h"
#include "work/configcache.h"
#include "work/import_fields.h"
#include "work/import_internal.h"
#include "work/import_scan.h"
#include "work/project.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_RECORD (1024 * 1024)

int fc_import_format_of_file(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash : name, '.');
	if (!dot)
		return -1;
	if (!strcasecmp(dot, ".json"))
		return FC_IMPORT_JSON;
	if (!strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".jsonl"))
		return FC_IMPORT_NDJSON;
	if (!strcasecmp(dot, ".csv"))
		return FC_IMPORT_CSV;
	return -1;
}

int fc_import_format_of(const char *ct)
{
	if (!ct)
		return -1;
	size_t n = strcspn(ct, "; ");
	if (n == 16 && !strncasecmp(ct, "application/json", n))
		return FC_IMPORT_JSON;
	if ((n == 20 && !strncasecmp(ct, "application/x-ndjson", n)) ||
	    (n == 20 && !strncasecmp(ct, "application/jsonlines", n)) ||
	    (n == 21 && !strncasecmp(ct, "application/x-jsonlines", n)))
		return FC_IMPORT_NDJSON;
	if (n == 8 && !strncasecmp(ct, "text/csv", n))
		return FC_IMPORT_CSV;
	return -1;
}

/* The user an imported annotation belongs to: an existing user id, or a
 * named outside worker (a crowd platform's id), kept as a user who cannot
 * sign in, so aggregation and agreement see one worker per name. */
static int annotator(importer *im, const json_t *by, int64_t *uid, const char *where)
{
	fc_err *err = im->err;
	if (json_is_integer(by)) {
		if (fc_db_int(im->db, uid, NULL, "SELECT id FROM users WHERE id=?", "I", (int64_t)json_integer_value(by)))
			return fc_err_set(err, FC_EINVAL, "unknown_user", "completed_by",
					  "%s: completed_by %lld is not a user here.", where,
					  (long long)json_integer_value(by));
		return 0;
	}
	const char *name = json_is_object(by) ? fc_json_str(by, "email", NULL) : json_string_value(by);
	if (!name || !*name || strlen(name) > 200)
		return fc_err_set(err, FC_EINVAL, "invalid_type", "completed_by",
				  "%s: completed_by must be a user id or a worker name.", where);
	char email[512];
	size_t j = 0;
	for (const char *p = name; *p && j < 400; p++)
		email[j++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_') ? *p : '_';
	snprintf(email + j, sizeof email - j, "@imported.invalid");
	if (fc_db_int(im->db, uid, NULL, "SELECT id FROM users WHERE email=?", "t", email) == 0)
		return 0;
	return fc_db_int(
		im->db, uid, err,
		"INSERT INTO users(email,password_hash,display_name,roles,created_at) VALUES(?,'!',?,0,?) RETURNING id",
		"ttI", email, name, im->now);
}

/* When an imported annotation was made (its created_at, RFC 3339 as Label
 * Studio writes it) and last changed (updated_at); both the import's time
 * when absent. A time that is there but unreadable is refused. */
static int annotation_times(importer *im, const json_t *a, int64_t *made, int64_t *changed, const char *where, size_t n)
{
	static const char *const keys[2] = {"created_at", "updated_at"};
	int64_t *out[2] = {made, changed};
	for (int i = 0; i < 2; i++) {
		const json_t *j = json_object_get(a, keys[i]);
		*out[i] = i ? *made : im->now;
		if (!j || json_is_null(j))
			continue;
		if (!json_is_string(j) || fc_clock_parse(json_string_value(j), out[i]) || *out[i] > im->now)
			return fc_err_set(im->err, FC_EINVAL, "invalid_type", keys[i],
					  "%s, annotation %zu: %s must be an RFC 3339 time not in the future, like "
					  "\"2024-05-01T10:30:00Z\".",
					  where, n, keys[i]);
	}
	if (*changed < *made)
		*changed = *made;
	return 0;
}

/* Label Studio's task format carries earlier annotations: each becomes an
 * accepted, unpaid submission of its annotator, checked against the
 * project's config like any other result. */
int fc_import_add_annotations(importer *im, int64_t task, const json_t *task_data, const json_t *anns, const char *where)
{
	fc_err *err = im->err;
	if (!json_is_array(anns))
		return fc_err_set(err, FC_EINVAL, "invalid_type", "annotations", "%s: 'annotations' must be an array.",
				  where);
	size_t i;
	const json_t *a;
	int64_t n = 0;
	json_array_foreach(anns, i, a) {
		const json_t *result = json_object_get(a, "result");
		if (!json_is_object(a) || !json_is_array(result))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "annotations",
					  "%s: annotation %zu needs a 'result' array.", where, i + 1);
		/* A cancelled annotation is a task Label Studio's annotator skipped:
		 * no answer, so no submission. */
		if (json_is_true(json_object_get(a, "was_cancelled")))
			continue;
		if (im->label_config) {
			if (!im->config && !(im->config = fc_configcache_get(im->label_config, err)))
				return err->code ? err->code : FC_EINVAL;
			int rc = fc_labelconfig_validate_result(im->config, result, task_data, err);
			if (rc) {
				char msg[sizeof err->msg + 96];
				snprintf(msg, sizeof msg, "%s, annotation %zu: %s", where, i + 1, err->msg);
				snprintf(err->msg, sizeof err->msg, "%.319s", msg);
				return rc;
			}
		}
		int64_t uid, aid;
		int rc = annotator(im, json_object_get(a, "completed_by"), &uid, where);
		if (rc)
			return rc;
		const json_t *lt = json_object_get(a, "lead_time");
		double secs = json_is_number(lt) && json_number_value(lt) >= 0 ? json_number_value(lt) : 0;
		int64_t made, reviewed;
		if ((rc = annotation_times(im, a, &made, &reviewed, where, i + 1)))
			return rc;
		rc = fc_db_int(im->db, &aid, err,
			       "INSERT INTO assignments(task_id,project_id,user_id,leased_at,expires_at,status) "
			       "VALUES(?,?,?,?,?,'submitted') RETURNING id",
			       "IIIII", task, im->project_id, uid, made, made);
		if (rc == FC_ECONFLICT)
			return fc_err_set(err, FC_EINVAL, "duplicate_annotator", "annotations",
					  "%s: one annotator has two annotations of this task.", where);
		if (!rc)
			rc = fc_db_exec(im->db, err,
					"INSERT INTO submissions(assignment_id,task_id,project_id,user_id,result,active_seconds,"
					"status,reward,reviewed_at,created_at) VALUES(?,?,?,?,?,?,'accepted',0,?,?)",
					"IIIIjdII", aid, task, im->project_id, uid, (json_t *)result, secs, reviewed,
					made);
		if (rc)
			return rc;
		n++;
	}
	im->annotations += n;
	return n ? fc_db_exec(im->db, err,
			      "UPDATE tasks SET submitted_count=submitted_count+?, open=CASE WHEN submitted_count+? < "
			      "COALESCE(target_overlap, ?) THEN 1 ELSE 0 END WHERE id=?",
			      "IIII", n, n, im->overlap, task)
		 : 0;
}

/* The keys a task object may carry: ours, and what Label Studio writes in
 * every export (its ids, counters, times and people), which the import
 * accepts and ignores so a Label Studio project moves over as it is. */
static int is_task_key(const char *key)
{
	static const char *const keys[] = {/* ours (and Label Studio's import format) */
					   "data", "gold", "predictions", "priority", "meta", "annotations", "id",
					   /* Label Studio export bookkeeping */
					   "created_at", "updated_at", "inner_id", "total_annotations",
					   "cancelled_annotations", "total_predictions", "drafts", "file_upload",
					   "file_upload_id", "project", "updated_by", "comment_count",
					   "unresolved_comment_count", "last_comment_updated_at", "annotators",
					   "comment_authors", "is_labeled", "overlap", "storage_filename",
					   "completed_at", "annotations_results", "predictions_results",
					   "predictions_score", "predictions_model_versions", "annotations_ids",
					   "avg_lead_time", "draft_exists", "ground_truth", "reviewed",
					   "reviews_accepted", "reviews_rejected", "annotators_count", "allow_skip",
					   "precomputed_agreement", NULL};
	for (int i = 0; keys[i]; i++)
		if (!strcmp(keys[i], key))
			return 1;
	return 0;
}

/* Validates one task object and inserts it. where: "line 7" or "element 3".
 * raw/raw_len, when given, is the object's source text: stored as is when
 * the object is the data itself, which saves serialising it again. */
/* How deeply a task may nest (the task object counts as one level). */
#define FC_TASK_MAX_DEPTH 64

/* Past this many tasks an import suspends the per-row triggers on tasks
 * (full-text index, counters, qualification target) and does their work for
 * all its rows at the end (fc_db_task_text_bulk_begin): 200,000 tasks took
 * 8.6 s of CPU with the full-text trigger, 2.4 s without. Not for small
 * imports, whose schema change would cost every connection its prepared
 * statements. */
#define FTS_BULK 256

#define ROW "(?,?,?,?)"
#define ROWS4 ROW "," ROW "," ROW "," ROW
#define ROWS16 ROWS4 "," ROWS4 "," ROWS4 "," ROWS4
static const char INSERT_ROW[] = "INSERT INTO tasks(project_id,created_at,data,priority) VALUES " ROW;
static const char INSERT_ROWS[] = "INSERT INTO tasks(project_id,created_at,data,priority) VALUES " ROWS16 "," ROWS16;
_Static_assert(FC_IMPORT_BATCH == 32, "INSERT_ROWS holds 32 rows");

/* Inserts the fast path's queued tasks: one statement for a full batch,
 * one per task for the rest. */
static int flush_rows(importer *im)
{
	fc_value v[4 * FC_IMPORT_BATCH];
	for (int r = 0; r < im->nrows; r++) {
		v[4 * r] = (fc_value){.i = im->project_id};
		v[4 * r + 1] = (fc_value){.i = im->now};
		v[4 * r + 2] = (fc_value){.text = im->rows.p + im->row_at[r], .len = im->row_len[r]};
		v[4 * r + 3] = (fc_value){.i = im->row_priority[r]};
	}
	int rc = 0;
	if (im->nrows == FC_IMPORT_BATCH)
		rc = fc_db_exec_values(im->db, im->err, INSERT_ROWS, v, 4 * FC_IMPORT_BATCH);
	else
		for (int r = 0; r < im->nrows && !rc; r++)
			rc = fc_db_exec_values(im->db, im->err, INSERT_ROW, v + 4 * r, 4);
	im->nrows = 0;
	fc_buf_reset(&im->rows);
	return rc ? rc : fc_db_task_text_flush(im->db, &im->fts, 0, im->err);
}

/* In a bulk (FTS_BULK), hands the full-text index the string values of the
 * task about to be inserted (data: its JSON text, valid). */
static int add_text(importer *im, const char *data, size_t len)
{
	if (!im->fts.on)
		return 0;
	fc_buf_reset(&im->text);
	if (fc_scan_text_values(data, len, &im->text))
		return fc_err_set(im->err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	return fc_db_task_text_add(&im->fts, im->text.p ? im->text.p : "", im->text.len, im->err);
}

/* The FTS_BULK-th task: the tasks so far go in by the triggers, the rest in bulk. */
static int bulk_begin(importer *im)
{
	int rc = flush_rows(im);
	return rc ? rc : fc_db_task_text_bulk_begin(im->db, im->project_id, &im->fts, im->err);
}

/* A plain integer literal that fits (the scanner allowed at most 18
 * characters): 1 with *out, else 0. */
static int plain_int(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i = p[0] == '-';
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	*out = p[0] == '-' ? -v : v;
	return 1;
}

/* The fast path (import_scan.h): a task that is its data, or {data,
 * priority} with Label Studio's bookkeeping, checked without a tree and
 * queued for a multi-row INSERT with its data text as given. Returns 1 when
 * it took the task (*rc: 0 or an error of the insert), 0 when jansson must
 * look at it: anything else (gold, predictions, meta, annotations, unknown
 * keys, a data field the config reads missing, a wrapper's data not compact)
 * and every error, whose message the slow path writes. */
static int fast_add(importer *im, const char *txt, size_t len, int *rc)
{
	fc_scan top, inner;
	if (!fc_import_scan(txt, len, &top))
		return 0;
	const fc_scan *data = &top;
	int64_t priority = 0;
	if (fc_scan_get(&top, "data")) {
		for (int i = 0; i < top.n; i++) {
			const fc_scan_member *m = &top.m[i];
			char key[32];
			if (m->key_len >= sizeof key)
				return 0;
			memcpy(key, m->key, m->key_len);
			key[m->key_len] = 0;
			if (!is_task_key(key) || !strcmp(key, "gold") || !strcmp(key, "predictions") ||
			    !strcmp(key, "meta") || !strcmp(key, "annotations"))
				return 0;
			if (!strcmp(key, "data")) {
				/* stored as given only when that is what json_dumps would not change much: compact */
				if (!fc_import_scan(m->val, m->val_len, &inner) || !inner.compact)
					return 0;
				txt = m->val;
				len = m->val_len;
			} else if (!strcmp(key, "priority") && !plain_int(m->val, m->val_len, &priority)) {
				return 0;
			}
		}
		data = &inner;
	}
	if (im->label_config && *im->label_config && !im->fields) {
		fc_err e = {0};
		if (!im->config)
			im->config = fc_configcache_get(im->label_config, &e);
		fc_err_clear(&e);
		if (!im->config || !(im->fields = fc_labelconfig_fields(im->config)))
			return 0;
	}
	size_t i;
	json_t *f;
	json_array_foreach(im->fields, i, f) {
		const fc_scan_member *m = json_string_value(f) ? fc_scan_get(data, json_string_value(f)) : NULL;
		if (!m || (m->val_len == 4 && !memcmp(m->val, "null", 4)))
			return 0;
	}
	size_t at = im->rows.len;
	if (fc_buf_append(&im->rows, txt, len) || fc_buf_append(&im->rows, "", 1)) {
		*rc = fc_err_set(im->err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		return 1;
	}
	im->row_at[im->nrows] = at;
	im->row_len[im->nrows] = len;
	im->row_priority[im->nrows++] = priority;
	*rc = add_text(im, txt, len);
	if (!*rc && im->nrows == FC_IMPORT_BATCH)
		*rc = flush_rows(im);
	if (!*rc && ++im->count == FTS_BULK)
		*rc = bulk_begin(im);
	return 1;
}

int fc_import_add_task(importer *im, json_t *obj, const char *raw, size_t raw_len, const char *where)
{
	fc_err *err = im->err;
	if (!json_is_object(obj))
		return fc_err_set(err, FC_EINVAL, "invalid_task", "data", "%s: a task must be a JSON object.", where);
	/* stored as given and handed to every annotator and training job: data
	 * nested thousands of levels deep breaks common JSON readers */
	if (fc_json_depth(obj, FC_TASK_MAX_DEPTH) > FC_TASK_MAX_DEPTH)
		return fc_err_set(err, FC_EINVAL, "too_deep", "data",
				  "%s: the task nests more than %d levels of arrays and objects.", where,
				  FC_TASK_MAX_DEPTH);
	json_t *data = json_object_get(obj, "data");
	json_t *gold = NULL, *pred = NULL, *meta = NULL;
	int64_t priority = 0;
	if (data) {
		const char *key;
		json_t *v;
		json_object_foreach(obj, key, v) {
			if (!is_task_key(key))
				return fc_err_set(err, FC_EINVAL, "unknown_field", key,
						  "%s: unknown field '%s' (a task has data, gold, predictions, priority, meta, annotations, "
						  "and the bookkeeping of a Label Studio export).",
						  where, key);
		}
		if (!json_is_object(data))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "data", "%s: 'data' must be an object.", where);
		meta = json_object_get(obj, "meta");
		if (meta && !json_is_object(meta) && !json_is_null(meta))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "meta", "%s: 'meta' must be an object.", where);
		if (json_is_null(meta) || (meta && json_object_size(meta) == 0))
			meta = NULL;
		gold = json_object_get(obj, "gold");
		if (json_is_null(gold))
			gold = NULL;
		pred = json_object_get(obj, "predictions");
		if (pred && !json_is_array(pred))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "predictions",
					  "%s: 'predictions' must be an array.", where);
		json_t *pr = json_object_get(obj, "priority");
		if (pr && !json_is_integer(pr))
			return fc_err_set(err, FC_EINVAL, "invalid_type", "priority",
					  "%s: 'priority' must be an integer.", where);
		priority = pr ? (int64_t)json_integer_value(pr) : 0;
	} else {
		data = obj; /* Label Studio's rule: the object is the data */
	}
	int missing = fc_import_check_fields(im->label_config, &im->config, data, where, err);
	if (missing)
		return missing;
	char *dtxt = NULL;
	/* a pretty-printed element spans lines; JSONL export needs one line */
	if (data == obj && raw && !memchr(raw, '\n', raw_len) && !memchr(raw, '\r', raw_len)) {
		dtxt = strndup(raw, raw_len); /* already validated by the parser */
	} else {
		dtxt = json_dumps(data, JSON_COMPACT);
	}
	if (!dtxt)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	const json_t *anns = data != obj ? json_object_get(obj, "annotations") : NULL;
	int64_t task = 0;
	int rc = flush_rows(im);
	if (!rc)
		rc = fc_db_int(im->db, &task, err,
			       "INSERT INTO tasks(project_id,data,gold,predictions,priority,is_gold,created_at,meta) "
			       "VALUES(?,?,?,?,?,?,?,?) RETURNING id",
			       "ItjjIiIj", im->project_id, dtxt, gold, pred, priority, gold ? 1 : 0, im->now, meta);
	if (!rc)
		rc = add_text(im, dtxt, strlen(dtxt));
	free(dtxt);
	im->last_task = task;
	if (!rc && anns && !json_is_null(anns))
		rc = fc_import_add_annotations(im, task, data, anns, where);
	if (rc)
		return rc;
	if (++im->count == FTS_BULK)
		return bulk_begin(im);
	return fc_db_task_text_flush(im->db, &im->fts, 0, im->err);
}

static int slow_add(importer *im, const char *txt, size_t len, const char *where)
{
	json_error_t je;
	json_t *j = json_loadb(txt, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return fc_err_set(im->err, FC_EINVAL, "invalid_json", NULL, "%s: not valid JSON: %s.", where, je.text);
	int rc = fc_import_add_task(im, j, txt, len, where);
	json_decref(j);
	return rc;
}

static int parse_and_add(importer *im, const char *txt, size_t len, const char *where)
{
	int rc;
	return fast_add(im, txt, len, &rc) ? rc : slow_add(im, txt, len, where);
}

static int import_ndjson(importer *im, FILE *f, fc_import_progress progress, void *ud)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int64_t lineno = 0;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		im->bytes += (uint64_t)n;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		size_t i = 0;
		while (i < (size_t)n && isspace((unsigned char)line[i]))
			i++;
		if (i == (size_t)n)
			continue; /* blank lines are allowed */
		if (n > MAX_RECORD) {
			rc = fc_err_set(im->err, FC_EINVAL, "record_too_large", NULL,
					"line %lld: a task is larger than 1 MiB.", (long long)lineno);
			break;
		}
		if (!fast_add(im, line + i, (size_t)n - i, &rc)) {
			char where[32];
			snprintf(where, sizeof where, "line %lld", (long long)lineno);
			rc = slow_add(im, line + i, (size_t)n - i, where);
		}
		if (rc)
			break;
		if (progress && (im->count & 0xffff) == 0)
			progress(ud, im->bytes, im->count);
	}
	free(line);
	return rc;
}

/* Splits a top-level JSON array into elements without loading it whole. */
static int import_json_array(importer *im, FILE *f, fc_import_progress progress, void *ud)
{
	fc_buf el = {0};
	int c, depth = 0, in_str = 0, esc = 0, started = 0, ended = 0, rc = 0;
	int64_t line = 1, el_line = 1, index = 0;
	while ((c = getc(f)) != EOF) {
		im->bytes++;
		if (c == '\n')
			line++;
		if (ended) {
			if (!isspace(c)) {
				rc = fc_err_set(im->err, FC_EINVAL, "invalid_json", NULL,
						"line %lld: unexpected text after the closing ']'.", (long long)line);
				break;
			}
			continue;
		}
		if (!started) {
			if (isspace(c))
				continue;
			if (c == '\xef' || c == '\xbb' || c == '\xbf')
				continue; /* UTF-8 byte order mark */
			if (c != '[') {
				rc = fc_err_set(im->err, FC_EINVAL, "invalid_json", NULL,
						"line %lld: a JSON import must be an array of tasks.", (long long)line);
				break;
			}
			started = 1;
			continue;
		}
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0 && c == ']') {
				ended = 1;
			} else {
				depth--;
			}
		} else if (c == ',' && depth == 0) {
			index++;
			char where[64];
			snprintf(where, sizeof where, "element %lld (line %lld)", (long long)index, (long long)el_line);
			if ((rc = parse_and_add(im, el.p ? el.p : "", el.len, where)))
				break;
			fc_buf_reset(&el);
			el_line = line;
			if (progress && (im->count & 0xffff) == 0)
				progress(ud, im->bytes, im->count);
			continue;
		}
		if (ended) {
			/* flush the last element, if any */
			size_t k = 0;
			while (k < el.len && isspace((unsigned char)el.p[k]))
				k++;
			if (k < el.len) {
				index++;
				char where[64];
				snprintf(where, sizeof where, "element %lld (line %lld)", (long long)index,
					 (long long)el_line);
				if ((rc = parse_and_add(im, el.p, el.len, where)))
					break;
			} else if (index > 0) {
				rc = fc_err_set(im->err, FC_EINVAL, "invalid_json", NULL,
						"line %lld: a trailing comma before ']'.", (long long)line);
				break;
			}
			continue;
		}
		if (el.len == 0 && isspace(c)) {
			if (c == '\n')
				el_line = line;
			continue;
		}
		if (el.len == 0)
			el_line = line;
		if (el.len >= MAX_RECORD) {
			rc = fc_err_set(im->err, FC_EINVAL, "record_too_large", NULL,
					"element %lld: a task is larger than 1 MiB.", (long long)index + 1);
			break;
		}
		char ch = (char)c;
		if (fc_buf_append(&el, &ch, 1)) {
			rc = fc_err_set(im->err, FC_ENOMEM, NULL, NULL, "Out of memory.");
			break;
		}
	}
	if (!rc && !ended)
		rc = fc_err_set(im->err, FC_EINVAL, "invalid_json", NULL,
				started ? "line %lld: the JSON array is not closed with ']'."
					: "line %lld: the file is empty.",
				(long long)line);
	fc_buf_free(&el);
	return rc;
}

/* Reads one CSV record (RFC 4180: quotes, doubled quotes, newlines inside
 * quotes, CRLF). Returns 1 with fields in `fields`, 0 at EOF, <0 on error. */
int fc_import_csv_record(FILE *f, json_t *fields, int64_t *line, uint64_t *bytes)
{
	fc_buf cell = {0};
	int c, in_q = 0, any = 0, after_q = 0;
	json_array_clear(fields);
	while ((c = getc(f)) != EOF) {
		(*bytes)++;
		any = 1;
		if (in_q) {
			if (c == '"') {
				int d = getc(f);
				if (d == '"') {
					(*bytes)++;
					fc_buf_append(&cell, "\"", 1);
				} else {
					if (d != EOF)
						ungetc(d, f);
					in_q = 0;
					after_q = 1;
				}
			} else {
				if (c == '\n')
					(*line)++;
				char ch = (char)c;
				fc_buf_append(&cell, &ch, 1);
			}
			if (cell.len > MAX_RECORD)
				goto bad;
			continue;
		}
		if (c == '"' && cell.len == 0 && !after_q) {
			in_q = 1;
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r') {
			if (c == '\r') {
				int d = getc(f);
				if (d != '\n' && d != EOF)
					ungetc(d, f);
				else if (d == '\n')
					(*bytes)++;
			}
			json_array_append_new(fields, json_stringn(cell.p ? cell.p : "", cell.len));
			fc_buf_reset(&cell);
			after_q = 0;
			if (c != ',') {
				(*line)++;
				fc_buf_free(&cell);
				return 1;
			}
			continue;
		}
		if (after_q)
			goto bad; /* text after a closing quote */
		char ch = (char)c;
		fc_buf_append(&cell, &ch, 1);
		if (cell.len > MAX_RECORD)
			goto bad;
	}
	if (in_q)
		goto bad;
	if (any) {
		json_array_append_new(fields, json_stringn(cell.p ? cell.p : "", cell.len));
		(*line)++;
		fc_buf_free(&cell);
		return 1;
	}
	fc_buf_free(&cell);
	return 0;
bad:
	fc_buf_free(&cell);
	return -1;
}

static int import_csv(importer *im, FILE *f, fc_import_progress progress, void *ud)
{
	json_t *header = json_array(), *row = json_array();
	int64_t line = 0;
	int rc = 0, r;
	r = fc_import_csv_record(f, header, &line, &im->bytes);
	if (r <= 0) {
		rc = fc_err_set(im->err, FC_EINVAL, "invalid_csv", NULL, "line 1: a CSV import needs a header row.");
		goto out;
	}
	size_t ncol = json_array_size(header);
	for (size_t i = 0; i < ncol; i++) {
		const char *h = json_string_value(json_array_get(header, i));
		if (i == 0 && !strncmp(h, "\xef\xbb\xbf", 3)) {
			json_array_set_new(header, 0, json_string(h + 3));
			h = json_string_value(json_array_get(header, 0));
		}
		if (!*h) {
			rc = fc_err_set(im->err, FC_EINVAL, "invalid_csv", NULL, "line 1: column %zu has no name.",
					i + 1);
			goto out;
		}
	}
	for (;;) {
		int64_t start = line + 1;
		r = fc_import_csv_record(f, row, &line, &im->bytes);
		if (r == 0)
			break;
		if (r < 0) {
			rc = fc_err_set(im->err, FC_EINVAL, "invalid_csv", NULL, "line %lld: malformed CSV (quotes).",
					(long long)start);
			break;
		}
		if (json_array_size(row) == 1 && json_string_length(json_array_get(row, 0)) == 0)
			continue; /* blank line */
		if (json_array_size(row) != ncol) {
			rc = fc_err_set(im->err, FC_EINVAL, "invalid_csv", NULL,
					"line %lld: %zu fields, but the header has %zu.", (long long)start,
					json_array_size(row), ncol);
			break;
		}
		json_t *data = json_object();
		for (size_t i = 0; i < ncol; i++)
			json_object_set(data, json_string_value(json_array_get(header, i)), json_array_get(row, i));
		char where[32];
		snprintf(where, sizeof where, "line %lld", (long long)start);
		json_t *task = json_pack("{s:o}", "data", data);
		rc = fc_import_add_task(im, task, NULL, 0, where);
		json_decref(task);
		if (rc)
			break;
		if (progress && (im->count & 0xffff) == 0)
			progress(ud, im->bytes, im->count);
	}
out:
	json_decref(header);
	json_decref(row);
	return rc;
}

int fc_task_created(fc_db *db, int64_t project_id, int64_t count, int64_t now, fc_err *err)
{
	int rc = fc_db_exec(db, err, "UPDATE projects SET task_count=task_count+?, updated_at=? WHERE id=?", "III",
			    count, now, project_id);
	if (!rc) { /* money refuses new live work that is not paid for */
		fc_event ev = {.kind = FC_EV_TASKS_CREATED, .project = project_id, .count = count};
		rc = fc_events_publish(db, &ev, err);
	}
	return rc;
}

int fc_import_begin(fc_store *s, const fc_user *user, int64_t project_id, importer *im, fc_err *err)
{
	fc_db *db;
	*im = (importer){0};
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project_id, FC_ACCESS_OWNER,
				     "Only the project's owner may import tasks.", err)))
		goto out;
	int64_t closed = 0;
	fc_db_int(db, &closed, NULL, "SELECT status='closed' FROM projects WHERE id=?", "I", project_id);
	if (closed) {
		rc = fc_err_set(err, FC_ECONFLICT, "project_closed", NULL, "A closed project takes no new tasks.");
		goto out;
	}
	*im = (importer){.db = db, .project_id = project_id, .now = fc_clock_now(), .err = err};
	fc_stmt *pst;
	if (!(rc = fc_db_query(db, &pst, err, "SELECT overlap, label_config FROM projects WHERE id=?", "I", project_id))) {
		if (fc_stmt_next(pst) == 1) {
			im->overlap = fc_stmt_int(pst, 0);
			if (!fc_stmt_isnull(pst, 1))
				im->label_config = strdup(fc_stmt_text(pst, 1));
		}
		fc_stmt_done(pst);
	}
out:
	if (rc) {
		fc_db_end(db, &rc, err);
		*im = (importer){0};
	}
	return rc;
}

int fc_import_end(importer *im, int rc, int64_t *created)
{
	fc_err *err = im->err;
	if (!rc)
		rc = flush_rows(im);
	if (!rc && im->count == 0)
		rc = fc_err_set(err, FC_EINVAL, "no_tasks", NULL, "The import holds no tasks.");
	if (!rc)
		rc = fc_db_task_text_bulk_end(im->db, &im->fts, err);
	if (!rc)
		rc = fc_task_created(im->db, im->project_id, im->count, im->now, err);
	if (!rc) {
		*created = im->count;
		json_t *answer = json_pack("{s:I}", "created", (json_int_t)im->count);
		rc = fc_idem_record(im->db, 201, answer, err);
		json_decref(answer);
	}
	fc_buf_free(&im->rows);
	fc_buf_free(&im->text);
	json_decref(im->fields);
	fc_configcache_put(im->config);
	free(im->label_config);
	fc_text_bulk_free(&im->fts);
	return fc_db_end(im->db, &rc, err);
}

int fc_task_import(fc_store *s, const fc_user *user, int64_t project_id, FILE *f, int format, int64_t *created,
		   fc_import_progress progress, void *ud, fc_err *err)
{
	importer im;
	int rc = fc_import_begin(s, user, project_id, &im, err);
	if (rc)
		return rc;
	if (format == FC_IMPORT_NDJSON)
		rc = import_ndjson(&im, f, progress, ud);
	else if (format == FC_IMPORT_COCO)
		rc = fc_import_coco(&im, f);
	else if (format == FC_IMPORT_MTURK)
		rc = fc_import_mturk(&im, f);
	else if (format == FC_IMPORT_CSV)
		rc = import_csv(&im, f, progress, ud);
	else
		rc = import_json_array(&im, f, progress, ud);
	if (!rc && ferror(f))
		rc = fc_err_set(err, FC_EIO, "read_failed", NULL, "Reading the import failed.");
	if (progress)
		progress(ud, im.bytes, im.count);
	return fc_import_end(&im, rc, created);
}

static json_t *task_json(fc_stmt *st, int full)
{
	json_t *t = json_pack("{s:I,s:I,s:o,s:o,s:I}", "id", (json_int_t)fc_stmt_int(st, 0), "project_id",
			      (json_int_t)fc_stmt_int(st, 1), "data", fc_stmt_json(st, 2), "predictions",
			      fc_stmt_isnull(st, 4) ? json_array() : fc_stmt_json(st, 4), "priority",
			      (json_int_t)fc_stmt_int(st, 5));
	if (full) {
		json_object_set_new(t, "gold", fc_stmt_json(st, 3));
		json_object_set_new(t, "is_gold", json_boolean(fc_stmt_int(st, 6)));
		json_object_set_new(t, "leased_count", json_integer(fc_stmt_int(st, 7)));
		json_object_set_new(t, "submitted_count", json_integer(fc_stmt_int(st, 8)));
		json_object_set_new(t, "open", json_boolean(fc_stmt_int(st, 9)));
	}
	return t;
}

#define TASK_COLS \
	"t.id,t.project_id,t.data,t.gold,t.predictions,t.priority,t.is_gold,t.leased_count,t.submitted_count,t.open"

int fc_task_get(fc_store *s, const fc_user *user, int64_t task_id, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT " TASK_COLS " FROM tasks t WHERE t.id=?", "I", task_id)))
		goto out;
	int access = FC_ACCESS_NONE;
	if (fc_stmt_next(st) == 1) {
		int64_t pid = fc_stmt_int(st, 1);
		fc_err e2 = {0};
		if (fc_project_access(db, user, pid, &access, &e2))
			access = FC_ACCESS_NONE;
		fc_err_clear(&e2);
		int64_t mine = 0;
		if (access == FC_ACCESS_CONTRIBUTOR &&
		    fc_db_int(db, &mine, NULL, "SELECT 1 FROM assignments WHERE task_id=? AND user_id=?", "II", task_id,
			      user->id))
			access = FC_ACCESS_NONE; /* contributors see only tasks they were given */
		if (access != FC_ACCESS_NONE)
			*out = task_json(st, access >= FC_ACCESS_REVIEWER);
	}
	fc_stmt_done(st);
	if (access >= FC_ACCESS_REVIEWER) /* a model's predictions too, as a lease shows them */
		json_object_set_new(*out, "predictions",
				    fc_assign_predictions(db, task_id, json_incref(json_object_get(*out, "predictions"))));
	if (access == FC_ACCESS_NONE)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such task.");
out:
	fc_db_rollback(db);
	return rc;
}
