/* Review at scale: the submissions list, bulk accept in one transaction,
 * reject with a reason per row, and the project's members. */
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "work/assign.h"
#include "work/manage.h"
#include "work/project.h"
#include "work/review.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "" or NULL → 0; a positive integer → it; anything else → -1. */
static int64_t id_param(const char *v)
{
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	return *end || errno || x <= 0 ? -1 : (int64_t)x;
}

static json_t *list_row(fc_stmt *st)
{
	json_t *o = fc_submission_row_json(st);
	json_object_set_new(o, "user", json_string(fc_stmt_text(st, 14) ? fc_stmt_text(st, 14) : ""));
	json_object_set_new(o, "task",
			    json_pack("{s:I,s:o}", "id", (json_int_t)fc_stmt_int(st, 2), "data", fc_stmt_json(st, 15)));
	json_object_set_new(o, "needs_review", json_boolean(fc_stmt_int(st, 16)));
	json_object_set_new(o, "gold_correct", fc_stmt_isnull(st, 17) ? json_null() : json_boolean(fc_stmt_int(st, 17)));
	return o;
}

int fc_submission_query(fc_store *s, const fc_user *user, int64_t project, const char *status, const char *contributor,
			const char *task, int limit, int64_t after, json_t **out, fc_err *err)
{
	static const char *const STATUSES[] = {"pending", "accepted", "rejected", "auto_accepted"};
	int known = !status || !*status;
	for (size_t i = 0; !known && i < sizeof STATUSES / sizeof STATUSES[0]; i++)
		known = !strcmp(status, STATUSES[i]);
	if (!known)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "status",
				  "status must be pending, accepted, rejected or auto_accepted.");
	int64_t who = id_param(contributor), tid = id_param(task);
	if (who < 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "contributor", "contributor must be a user id.");
	if (tid < 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "task", "task must be a task id.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's reviewers see its submissions.", err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT " FC_SUBMISSION_COLUMNS ", u.display_name, t.data, s.needs_review, g.correct "
			      "FROM submissions s JOIN users u ON u.id=s.user_id JOIN tasks t ON t.id=s.task_id "
			      "LEFT JOIN gold_scores g ON g.submission_id=s.id "
			      "WHERE s.project_id=? AND s.id>? AND s.erased_at IS NULL "
			      "AND (s.status=? OR COALESCE(?, '')='') AND (s.user_id=? OR ?=0) AND (s.task_id=? OR ?=0) "
			      "ORDER BY s.id LIMIT ?",
			      "IIttIIIIi", project, after, status && *status ? status : NULL,
			      status && *status ? status : NULL, who, who, tid, tid, limit + 1)))
		goto out;
	*out = fc_stmt_page(st, limit, list_row);
	fc_stmt_done(st);
out:
	fc_db_rollback(db);
	return rc;
}

/* One requested submission as the batch found it. */
typedef struct acc_row {
	int64_t id, project, task, user, reward;
	char status[16], cur[8];
	int take; /* accepted by this batch */
} acc_row;

static int acc_cmp(const void *a, const void *b)
{
	int64_t x = ((const acc_row *)a)->id, y = ((const acc_row *)b)->id;
	return (x > y) - (x < y);
}

/* The requested rows (any project), sorted by id: one statement for the
 * whole batch. */
static int acc_load(fc_db *db, const char *ids, acc_row **rows, size_t *n, size_t cap, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.id, s.project_id, s.task_id, s.user_id, s.reward, s.status, p.currency "
			     "FROM submissions s JOIN projects p ON p.id=s.project_id "
			     "WHERE s.id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))",
			     "t", ids);
	if (rc)
		return rc;
	*n = 0;
	if (!(*rows = calloc(cap ? cap : 1, sizeof **rows))) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	}
	while (*n < cap && fc_stmt_next(st) == 1) {
		acc_row *r = &(*rows)[(*n)++];
		r->id = fc_stmt_int(st, 0);
		r->project = fc_stmt_int(st, 1);
		r->task = fc_stmt_int(st, 2);
		r->user = fc_stmt_int(st, 3);
		r->reward = fc_stmt_int(st, 4);
		snprintf(r->status, sizeof r->status, "%s", fc_stmt_text(st, 5));
		snprintf(r->cur, sizeof r->cur, "%s", fc_stmt_text(st, 6));
	}
	fc_stmt_done(st);
	qsort(*rows, *n, sizeof **rows, acc_cmp);
	return 0;
}

/* Which of the requested ids this reviewer may accept now: 0 yes, 1 it
 * already was (unchanged), or a refusal for this id alone. A row taken is
 * marked accepted, so an id asked for twice is unchanged the second time. */
static int acc_judge(acc_row *r, const fc_user *user, int64_t project, fc_err *e)
{
	if (!r || r->project != project)
		return fc_err_set(e, FC_ENOTFOUND, "not_found", NULL, "No such submission in this project.");
	if (r->user == user->id)
		return fc_err_set(e, FC_EPERM, "own_work", NULL, "Nobody reviews their own work.");
	if (!strcmp(r->status, "accepted") || !strcmp(r->status, "auto_accepted"))
		return 1;
	if (strcmp(r->status, "pending"))
		return fc_err_set(e, FC_ECONFLICT, "already_reviewed", "status", "This submission was already %s.",
				  r->status);
	snprintf(r->status, sizeof r->status, "accepted");
	r->take = 1;
	return 0;
}

/* Set-based: one SELECT of the batch, one UPDATE of every pending one, then
 * an FC_EV_ACCEPTED per accepted submission in one publish batch (money
 * moves its reward; the other subscribers queue what they queue), all in
 * one transaction. A
 * refusal is reported for its id alone; a failing statement or subscriber
 * keeps nothing of the batch. */
int fc_submission_bulk_accept(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out,
			      fc_err *err)
{
	static const fc_field F[] = {{"ids", FC_J_ARRAY | FC_J_REQUIRED}, {0}};
	int rc = fc_json_check(body, F, err);
	const json_t *idv = json_object_get(body, "ids");
	if (rc || (rc = fc_manage_ids(idv, err)))
		return rc;
	char *ids = json_dumps(idv, JSON_COMPACT);
	if (!ids)
		return fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	int64_t now = fc_clock_now(), counts[2] = {0, 0};
	json_t *failed = json_array();
	acc_row *rows = NULL;
	size_t n = 0, i;
	json_t *v;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		goto done;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's reviewers accept work.",
				     err)) ||
	    (rc = acc_load(db, ids, &rows, &n, json_array_size(idv), err)))
		goto out;
	json_array_foreach(idv, i, v) {
		acc_row key = {.id = json_integer_value(v)};
		fc_err e = {0};
		int r = acc_judge(bsearch(&key, rows, n, sizeof *rows, acc_cmp), user, project, &e);
		if (r == 0 || r == 1)
			counts[r]++;
		else
			json_array_append_new(failed, fc_manage_failure(key.id, &e));
	}
	if (!counts[0])
		goto out;
	if ((rc = fc_db_exec(db, err,
			     "UPDATE submissions SET status='accepted', reviewed_by=?, reviewed_at=? "
			     "WHERE project_id=? AND status='pending' AND user_id<>? "
			     "AND id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))",
			     "IIIIt", user->id, now, project, user->id, ids)))
		goto out;
	if (fc_db_changes(db) != counts[0]) { /* cannot happen inside the write transaction */
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "The batch changed while it was accepted; try again.");
		goto out;
	}
	/* one publish batch: the subscribers read what every event shares once
	 * (see events.h), so an accept of thousands costs few round trips each */
	int64_t *taken = malloc((size_t)counts[0] * sizeof *taken);
	size_t k = 0;
	for (i = 0; taken && i < n; i++)
		if (rows[i].take)
			taken[k++] = rows[i].id;
	fc_event_batch *batch = taken ? fc_event_batch_new(taken, k) : NULL;
	free(taken);
	for (i = 0; !rc && i < n; i++) {
		if (!rows[i].take)
			continue;
		fc_event ev = {.kind = FC_EV_ACCEPTED,
			       .batch = batch,
			       .submission = rows[i].id,
			       .actor = user->id,
			       .project = project,
			       .task = rows[i].task,
			       .user = rows[i].user,
			       .amount = rows[i].reward,
			       .currency = rows[i].cur};
		rc = fc_events_publish(db, &ev, err);
	}
	rc = fc_event_batch_end(db, batch, rc, err);
out:
	rc = fc_db_end(db, &rc, err);
done:
	free(ids);
	free(rows);
	if (rc) {
		json_decref(failed);
		return rc;
	}
	*out = json_pack("{s:I,s:I,s:o}", "accepted", (json_int_t)counts[0], "unchanged", (json_int_t)counts[1],
			 "failed", failed);
	return 0;
}

int fc_submission_bulk_reject(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out,
			      fc_err *err)
{
	static const fc_field F[] = {{"items", FC_J_ARRAY | FC_J_REQUIRED}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	const json_t *items = json_object_get(body, "items");
	if (!json_array_size(items) || json_array_size(items) > 1000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "items", "items must list 1 to 1000 rejections.");
	size_t i;
	json_t *v;
	json_array_foreach(items, i, v)
		if (!json_is_object(v) || !json_is_integer(json_object_get(v, "id")))
			return fc_err_set(err, FC_EINVAL, "invalid_value", "items",
					  "items[%zu] needs an id, a reason_code and a message.", i);
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		return rc;
	rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's reviewers reject work.", err);
	fc_db_rollback(db);
	if (rc)
		return rc;
	json_t *failed = json_array();
	int64_t rejected = 0;
	json_array_foreach(items, i, v) {
		int64_t id = json_integer_value(json_object_get(v, "id")), pid = 0;
		fc_err e = {0};
		json_t *one = json_deep_copy(v), *res = NULL;
		json_object_del(one, "id");
		int r = fc_db_begin(s, FC_DB_READ, &db, &e);
		if (!r) {
			fc_db_int(db, &pid, NULL, "SELECT project_id FROM submissions WHERE id=?", "I", id);
			fc_db_rollback(db);
			r = pid == project ? fc_review_reject(s, user, id, one, &res, &e)
					   : fc_err_set(&e, FC_ENOTFOUND, "not_found", NULL,
							"No such submission in this project.");
		}
		json_decref(one);
		json_decref(res);
		if (!r)
			rejected++;
		else
			json_array_append_new(failed, fc_manage_failure(id, &e));
	}
	*out = json_pack("{s:I,s:o}", "rejected", (json_int_t)rejected, "failed", failed);
	return 0;
}

/* ---- members ---- */

int fc_members_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's team sees its members.",
				     err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT m.user_id, u.email, u.display_name, m.role, "
			      "CASE WHEN p.owner_id=m.user_id THEN 1 ELSE 0 END FROM project_members m "
			      "JOIN users u ON u.id=m.user_id JOIN projects p ON p.id=m.project_id "
			      "WHERE m.project_id=? ORDER BY m.role, u.email",
			      "I", project)))
		goto out;
	json_t *items = json_array();
	while (fc_stmt_next(st) == 1)
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:b}", "user_id", (json_int_t)fc_stmt_int(st, 0),
						       "email", fc_stmt_text(st, 1), "display_name", fc_stmt_text(st, 2),
						       "role", fc_stmt_text(st, 3), "creator", (int)fc_stmt_int(st, 4)));
	fc_stmt_done(st);
	*out = json_pack("{s:o,s:n}", "items", items, "next");
out:
	fc_db_rollback(db);
	return rc;
}

int fc_members_add(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"user_id", FC_J_INT},
				     {"email", FC_J_STRING},
				     {"role", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	int64_t member = fc_json_int(body, "user_id", 0);
	const char *email = fc_json_str(body, "email", NULL);
	if (!member == !email)
		return fc_err_set(err, FC_EINVAL, "missing_field", "email", "Name the member by email or by user_id.");
	if (email) {
		fc_db *db;
		if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
			return rc;
		/* the owner check first, so an outsider learns nothing of who has an account */
		rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may add members.",
					err);
		if (!rc && fc_db_int(db, &member, NULL, "SELECT id FROM users WHERE lower(email)=lower(?)", "t", email))
			rc = fc_err_set(err, FC_EINVAL, "unknown_user", "email",
					"Nobody has an account with %.200s; ask them to register first.", email);
		fc_db_rollback(db);
		if (rc)
			return rc;
	}
	return fc_project_add_member(s, user, project, member, fc_json_str(body, "role", ""), out, err);
}

int fc_members_remove(fc_store *s, const fc_user *user, int64_t project, int64_t member, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t creator = 0;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may remove members.",
				     err)))
		goto out;
	fc_db_int(db, &creator, NULL, "SELECT owner_id FROM projects WHERE id=?", "I", project);
	if (creator == member) {
		rc = fc_err_set(err, FC_ECONFLICT, "project_creator", "user_id",
				"The project's creator stays its owner.");
		goto out;
	}
	if ((rc = fc_db_exec(db, err, "DELETE FROM project_members WHERE project_id=? AND user_id=?", "II", project,
			     member)))
		goto out;
	if (fc_db_changes(db) == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "That user is not a member of this project.");
	else {
		fc_event ev = {.kind = FC_EV_MEMBER_CHANGED, .project = project, .user = member, .actor = user->id};
		rc = fc_events_publish(db, &ev, err);
	}
out:
	return fc_db_end(db, &rc, err);
}
