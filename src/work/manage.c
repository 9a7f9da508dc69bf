/* The data manager: one task query whose cost is its page's. Every filter
 * that takes a value is bound at a fixed position (an unused one becomes a
 * no-op such as "? IS NULL"), so the SQL texts are few and each is
 * prepared once; filters without a value are written literally so that
 * SQLite can match them with the partial indexes of migration 0021. */
#include "work/manage.h"
#include "access/access.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "work/assign.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sort: its key column (NULL for the id itself) and direction. */
typedef struct sort_spec {
	const char *name;
	const char *column;
	int desc;
} sort_spec;

static const sort_spec SORTS[] = {
	{"id", NULL, 0},
	{"-id", NULL, 1},
	{"priority", "t.priority", 0},
	{"-priority", "t.priority", 1},
};

static int bad(fc_err *err, const char *field, const char *msg)
{
	return fc_err_set(err, FC_EINVAL, "invalid_value", field, "%s", msg);
}

/* "true"/"false" → 1/0; unset → -1. */
static int tristate(const char *v, const char *field, int *out, fc_err *err)
{
	*out = -1;
	if (!v)
		return 0;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return fc_err_set(err, FC_EINVAL, "invalid_value", field, "%s must be true or false.", field);
	return 0;
}

static int parse_int(const char *v, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || errno || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

typedef struct query {
	int state, has_results, gold, with_results, limit;
	double below;
	long long contributor;
	const char *q;
	const sort_spec *sort;
	long long key, id; /* cursor */
	int first;         /* no cursor: the first page */
} query;

static int parse_filter(const fc_task_filter *f, query *q, fc_err *err)
{
	memset(q, 0, sizeof *q);
	q->below = -1;
	q->limit = 50;
	q->state = -1;
	int rc;
	if (f->state) {
		if (!strcmp(f->state, "open"))
			q->state = 1;
		else if (!strcmp(f->state, "done"))
			q->state = 0;
		else if (!strcmp(f->state, "gold"))
			q->state = -1, q->gold = 1; /* API.md's state=gold */
		else
			return bad(err, "state", "state must be open, done or gold.");
	}
	int gold;
	if ((rc = tristate(f->has_results, "has_results", &q->has_results, err)) ||
	    (rc = tristate(f->gold, "gold", &gold, err)) || (rc = tristate(f->results, "results", &q->with_results, err)))
		return rc;
	if (gold >= 0)
		q->gold = gold;
	else if (!(f->state && !strcmp(f->state, "gold")))
		q->gold = -1;
	if (f->agreement_below) {
		char *end;
		double v = strtod(f->agreement_below, &end);
		if (!*f->agreement_below || *end || !isfinite(v) || v <= 0 || v > 1)
			return bad(err, "agreement_below", "agreement_below must be a number above 0 and at most 1.");
		q->below = v;
	}
	if (f->contributor && parse_int(f->contributor, 1, INT64_MAX, &q->contributor))
		return bad(err, "contributor", "contributor must be a user id.");
	if (f->q) {
		if (strlen(f->q) > 200)
			return bad(err, "q", "The search text must be at most 200 characters.");
		if (*f->q)
			q->q = f->q;
	}
	long long limit;
	if (f->limit) {
		if (parse_int(f->limit, 1, 1000, &limit))
			return fc_err_set(err, FC_EINVAL, "invalid_limit", "limit",
					  "limit must be an integer from 1 to 1000.");
		q->limit = (int)limit;
	}
	q->sort = &SORTS[0];
	if (f->sort) {
		q->sort = NULL;
		for (size_t i = 0; i < sizeof SORTS / sizeof SORTS[0]; i++)
			if (!strcmp(f->sort, SORTS[i].name))
				q->sort = &SORTS[i];
		if (!q->sort)
			return bad(err, "sort", "sort must be id, -id, priority or -priority.");
	}
	q->first = !f->after;
	q->key = q->sort->desc ? INT64_MAX : INT64_MIN;
	q->id = q->sort->desc ? INT64_MAX : 0;
	if (f->after) {
		const char *colon = strchr(f->after, ':');
		char key[32];
		int ok = 1;
		if (q->sort->column) {
			size_t n = colon ? (size_t)(colon - f->after) : 0;
			ok = colon && n > 0 && n < sizeof key;
			if (ok) {
				memcpy(key, f->after, n);
				key[n] = 0;
				ok = !parse_int(key, INT64_MIN, INT64_MAX, &q->key) &&
				     !parse_int(colon + 1, 0, INT64_MAX, &q->id);
			}
		} else {
			ok = !colon && !parse_int(f->after, 0, INT64_MAX, &q->id);
		}
		if (!ok)
			return fc_err_set(err, FC_EINVAL, "invalid_cursor", "after",
					  "after must be a cursor from a previous page.");
	}
	return 0;
}

/* The store caches prepared statements by the text's address, so each
 * distinct text built here is kept for the life of the process (at most
 * 3*3*3*2*2*2*4 of them, a few hundred bytes each). NULL: out of memory. */
static const char *intern(const char *sql)
{
	typedef struct text {
		struct text *next;
		char sql[];
	} text;
	static text *head;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	text *t = head;
	while (t && strcmp(t->sql, sql))
		t = t->next;
	if (!t && (t = malloc(sizeof *t + strlen(sql) + 1))) {
		strcpy(t->sql, sql);
		t->next = head;
		head = t;
	}
	pthread_mutex_unlock(&mu);
	return t ? t->sql : NULL;
}

/* matches: the text search's count (store.h), which picks its plan */
static void build_sql(const fc_db *db, const query *q, int64_t matches, fc_buf *sql)
{
	fc_text_search ts = {"tasks t", NULL, "t.id"};
	if (q->q)
		ts = fc_db_task_text_search(db, !q->sort->column, matches);
	fc_buf_printf(sql,
		      "SELECT t.id,t.data,t.gold,t.predictions,t.priority,t.is_gold,t.leased_count,"
		      "t.submitted_count,t.open,t.agreement,t.created_at FROM %s WHERE t.project_id=?",
		      ts.from);
	if (q->state >= 0)
		fc_buf_puts(sql, q->state ? " AND t.open = 1" : " AND t.open = 0");
	if (q->gold >= 0)
		fc_buf_puts(sql, q->gold ? " AND t.is_gold = 1" : " AND t.is_gold = 0");
	if (q->has_results >= 0)
		fc_buf_puts(sql, q->has_results ? " AND t.submitted_count > 0" : " AND t.submitted_count = 0");
	if (ts.match)
		fc_buf_printf(sql, " AND %s", ts.match);
	else
		fc_buf_puts(sql, " AND COALESCE(?, '') = '' AND ?=?");
	/* the task's few submissions (submissions_task), not an index of its own:
	 * +s.user_id keeps SQLite from walking the contributor's whole history */
	fc_buf_puts(sql, q->contributor ? " AND EXISTS (SELECT 1 FROM submissions s WHERE s.task_id=t.id AND +s.user_id=?)"
					: " AND ?=0");
	fc_buf_puts(sql, q->below >= 0 ? " AND t.agreement < ?" : " AND ? < 0");
	const sort_spec *s = q->sort;
	if (!s->column) {
		fc_buf_printf(sql, s->desc ? " AND ?=? AND %s < ? ORDER BY %s DESC" : " AND ?=? AND %s > ? ORDER BY %s",
			      ts.id, ts.id);
	} else {
		/* both keys in one direction, so one index (0021's tasks_priority) walks it */
		const char *op = s->desc ? "<" : ">", *dir = s->desc ? " DESC" : "";
		fc_buf_printf(sql, " AND (%s %s ? OR (%s = ? AND t.id %s ?)) ORDER BY %s%s, t.id%s", s->column, op,
			      s->column, op, s->column, dir, dir);
	}
	fc_buf_puts(sql, " LIMIT ?");
}

/* Each task's submissions, the data manager's "results" column, and its
 * predictions with a model's among them: one query each for the whole page
 * (the page's ids as a JSON array), not one per row. */
static int attach_results(fc_db *db, json_t *items, fc_err *err)
{
	json_t *ids = json_array(), *by_id = json_object(), *t;
	size_t i;
	char key[24];
	json_array_foreach(items, i, t) {
		json_int_t id = (json_int_t)fc_json_int(t, "id", 0);
		json_array_append_new(ids, json_integer(id));
		json_object_set_new(t, "results", json_array());
		snprintf(key, sizeof key, "%lld", (long long)id);
		json_object_set(by_id, key, t);
	}
	char *text = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	fc_stmt *st;
	int rc = text ? 0 : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT s.task_id, s.id, s.user_id, u.display_name, s.status, "
				      "COALESCE(s.fixed_result, s.result), s.active_seconds, s.created_at FROM submissions s "
				      "JOIN users u ON u.id=s.user_id WHERE s.task_id IN (SELECT CAST(value AS BIGINT) "
				      "FROM json_each(?)) AND s.erased_at IS NULL ORDER BY s.task_id, s.id",
				      "t", text))) {
		while (fc_stmt_next(st) == 1) {
			snprintf(key, sizeof key, "%lld", (long long)fc_stmt_int(st, 0));
			json_array_append_new(json_object_get(json_object_get(by_id, key), "results"),
					      json_pack("{s:I,s:I,s:s?,s:s,s:o,s:f,s:o}", "id",
							(json_int_t)fc_stmt_int(st, 1), "user_id",
							(json_int_t)fc_stmt_int(st, 2), "user", fc_stmt_text(st, 3),
							"status", fc_stmt_text(st, 4), "result", fc_stmt_json(st, 5),
							"active_seconds", fc_stmt_double(st, 6), "created_at",
							fc_stmt_time(st, 7)));
		}
		fc_stmt_done(st);
		/* beside them, the predictions: imported with the task and a model's */
		rc = fc_assign_predictions_page(db, items, text, err);
	}
	free(text);
	json_decref(by_id);
	return rc;
}

static json_t *row_json(fc_stmt *st)
{
	json_t *t = json_pack("{s:I,s:o,s:o,s:o,s:I,s:b,s:I,s:I,s:b,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
			      "data", fc_stmt_json(st, 1), "gold", fc_stmt_json(st, 2), "predictions",
			      fc_stmt_isnull(st, 3) ? json_array() : fc_stmt_json(st, 3), "priority",
			      (json_int_t)fc_stmt_int(st, 4), "is_gold", (int)fc_stmt_int(st, 5), "leased_count",
			      (json_int_t)fc_stmt_int(st, 6), "submitted_count", (json_int_t)fc_stmt_int(st, 7), "open",
			      (int)fc_stmt_int(st, 8), "agreement",
			      fc_stmt_isnull(st, 9) ? json_null() : json_real(fc_stmt_double(st, 9)), "created_at",
			      fc_stmt_time(st, 10));
	return t;
}

static json_t *counts_json(fc_db *db, int64_t project)
{
	fc_stmt *st;
	json_t *c = json_null();
	/* the project's 16 slots (migration 0018) */
	if (fc_db_query(db, &st, NULL,
			"SELECT CAST(COALESCE(SUM(total),0) AS BIGINT), CAST(COALESCE(SUM(open),0) AS BIGINT), "
			"CAST(COALESCE(SUM(gold),0) AS BIGINT), CAST(COALESCE(SUM(with_results),0) AS BIGINT) "
			"FROM task_count_slots WHERE project_id=?",
			"I", project))
		return c;
	if (fc_stmt_next(st) == 1) {
		json_decref(c);
		c = json_pack("{s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)fc_stmt_int(st, 0), "open",
			      (json_int_t)fc_stmt_int(st, 1), "done",
			      (json_int_t)(fc_stmt_int(st, 0) - fc_stmt_int(st, 1)), "gold",
			      (json_int_t)fc_stmt_int(st, 2), "with_results", (json_int_t)fc_stmt_int(st, 3));
	}
	fc_stmt_done(st);
	return c;
}

int fc_task_query(fc_store *s, const fc_user *user, int64_t project, const fc_task_filter *f, json_t **out, fc_err *err)
{
	query q;
	int rc = parse_filter(f, &q, err);
	if (rc)
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		return rc;
	fc_buf sql = {0};
	json_t *items = NULL;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's team can list its tasks.", err)))
		goto out;
	char words[3 * 200 + 8];
	if (q.q) {
		int nw = fc_db_text_query(db, q.q, words, sizeof words);
		if (nw <= 0) {
			rc = bad(err, "q", "Search for at least one word (letters or digits).");
			goto out;
		}
		q.q = words;
	}
	int64_t matches = 0;
	if (q.q && (rc = fc_db_task_text_count(db, project, words, !q.sort->column, &matches, err)))
		goto out;
	build_sql(db, &q, matches, &sql);
	const char *text = sql.p ? intern(sql.p) : NULL;
	if (!text) {
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		goto out;
	}
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, text, "ItIIIdIIIi", project, q.q, project, project, (int64_t)q.contributor,
			      q.below, (int64_t)q.key, (int64_t)q.key, (int64_t)q.id, q.limit + 1)))
		goto out;
	items = json_array();
	int more = 0;
	long long last_key = 0, last_id = 0;
	while (fc_stmt_next(st) == 1) {
		if ((int)json_array_size(items) == q.limit) {
			more = 1;
			break;
		}
		last_id = fc_stmt_int(st, 0);
		last_key = fc_stmt_int(st, 4); /* the priority: the only sort key besides the id */
		json_t *row = row_json(st);
		json_object_set_new(row, "project_id", json_integer(project));
		json_array_append_new(items, row);
	}
	fc_stmt_done(st);
	if (q.with_results != 0 && json_array_size(items) && (rc = attach_results(db, items, err)))
		goto out;
	char cur[48];
	if (q.sort->column)
		snprintf(cur, sizeof cur, "%lld:%lld", last_key, last_id);
	else
		snprintf(cur, sizeof cur, "%lld", last_id);
	*out = json_pack("{s:O,s:o}", "items", items, "next", more ? json_string(cur) : json_null());
	if (q.first)
		json_object_set_new(*out, "counts", counts_json(db, project));
out:
	json_decref(items);
	fc_buf_free(&sql);
	fc_db_rollback(db);
	return rc;
}

/* Why the task may not be deleted (0 when it may), inside db. */
static int deletable(fc_db *db, int64_t task, int64_t leased, fc_err *err)
{
	int64_t any;
	if (!fc_db_int(db, &any, NULL, "SELECT 1 FROM submissions WHERE task_id=? LIMIT 1", "I", task))
		return fc_err_set(err, FC_ECONFLICT, "has_submissions", NULL,
				  "Task %lld has submissions; work that was done is never deleted.", (long long)task);
	if (leased > 0)
		return fc_err_set(err, FC_ECONFLICT, "task_leased", NULL,
				  "A contributor is working on task %lld; try again when the lease ends.",
				  (long long)task);
	return 0;
}

/* Deletes task in db when the user owns its project (project_id > 0: it must
 * also belong to that project). */
static int delete_one(fc_db *db, const fc_user *user, int64_t project_id, int64_t task, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT project_id, leased_count FROM tasks WHERE id=?", "I", task);
	if (rc)
		return rc;
	int64_t pid = 0, leased = 0;
	if (fc_stmt_next(st) == 1) {
		pid = fc_stmt_int(st, 0);
		leased = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	int access = FC_ACCESS_NONE;
	fc_err e2 = {0};
	if (pid && fc_project_access(db, user, pid, &access, &e2))
		access = FC_ACCESS_NONE;
	fc_err_clear(&e2);
	if (!pid || access < FC_ACCESS_REVIEWER || (project_id && pid != project_id))
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such task.");
	if (access < FC_ACCESS_OWNER)
		return fc_err_set(err, FC_EPERM, "forbidden", NULL, "Only the project's owner deletes tasks.");
	if ((rc = deletable(db, task, leased, err)))
		return rc;
	return fc_db_exec(db, err, "DELETE FROM tasks WHERE id=?", "I", task);
}

int fc_task_delete(fc_store *s, const fc_user *user, int64_t task, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	rc = delete_one(db, user, 0, task, err);
	return fc_db_end(db, &rc, err);
}

int fc_manage_ids(const json_t *ids, fc_err *err)
{
	if (!json_is_array(ids) || !json_array_size(ids))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "ids", "ids must be a non-empty list of ids.");
	if (json_array_size(ids) > FC_BULK_MAX)
		return fc_err_set(err, FC_EINVAL, "too_many", "ids", "At most %d ids at once.", FC_BULK_MAX);
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return fc_err_set(err, FC_EINVAL, "invalid_value", "ids", "ids[%zu] is not an id.", i);
	return 0;
}

json_t *fc_manage_failure(int64_t id, fc_err *e)
{
	json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "code", e->slug[0] ? e->slug : "failed", "message",
			      e->msg);
	fc_err_clear(e);
	return o;
}

int fc_manage_each(fc_store *s, const fc_user *user, int64_t project, int min_access, const char *refusal,
		   const json_t *ids, fc_manage_fn fn, void *ctx, int64_t counts[2], json_t **failed, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	*failed = json_array();
	counts[0] = counts[1] = 0;
	if ((rc = fc_project_require(db, user, project, min_access, refusal, err)))
		goto out;
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		int64_t id = json_integer_value(v);
		fc_err e = {0};
		int r = fn(db, user, project, id, ctx, &e);
		if (r == 0 || r == 1) {
			counts[r]++;
		} else if (r == FC_ENOTFOUND || r == FC_ECONFLICT || r == FC_EPERM) {
			json_array_append_new(*failed, fc_manage_failure(id, &e));
		} else { /* the database or a subscriber failed: nothing of the batch is kept */
			*err = e;
			rc = r;
			goto out;
		}
	}
out:
	if (rc) {
		json_decref(*failed);
		*failed = NULL;
	}
	return fc_db_end(db, &rc, err);
}

typedef struct bulk_ctx {
	int del;
	int64_t priority;
} bulk_ctx;

static int bulk_one(fc_db *db, const fc_user *user, int64_t project, int64_t id, void *ctx, fc_err *e)
{
	const bulk_ctx *b = ctx;
	if (b->del)
		return delete_one(db, user, project, id, e);
	int rc = fc_db_exec(db, e, "UPDATE tasks SET priority=? WHERE id=? AND project_id=?", "III", b->priority, id,
			    project);
	if (!rc && fc_db_changes(db) == 0)
		rc = fc_err_set(e, FC_ENOTFOUND, "not_found", NULL, "No such task.");
	return rc;
}

int fc_task_bulk(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"action", FC_J_STRING | FC_J_REQUIRED},
				     {"ids", FC_J_ARRAY | FC_J_REQUIRED},
				     {"priority", FC_J_INT},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc || (rc = fc_manage_ids(json_object_get(body, "ids"), err)))
		return rc;
	const char *action = fc_json_str(body, "action", "");
	bulk_ctx b = {!strcmp(action, "delete"), fc_json_int(body, "priority", 0)};
	if (!b.del && strcmp(action, "priority"))
		return bad(err, "action", "action must be delete or priority.");
	if (!b.del && !json_is_integer(json_object_get(body, "priority")))
		return fc_err_set(err, FC_EINVAL, "missing_field", "priority", "Setting priority needs priority.");
	int64_t counts[2];
	json_t *failed;
	if ((rc = fc_manage_each(s, user, project, FC_ACCESS_OWNER, "Only the project's owner changes its tasks.",
				 json_object_get(body, "ids"), bulk_one, &b, counts, &failed, err)))
		return rc;
	*out = json_pack("{s:s,s:I,s:o}", "action", action, "done", (json_int_t)counts[0], "failed", failed);
	return 0;
}
