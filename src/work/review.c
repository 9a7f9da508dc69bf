#include "work/review.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "work/assign.h"
#include "work/collect.h"
#include "work/labelconfig.h"
#include "work/project.h"
#include "work/tsdata.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int fc_review_sample(fc_db *db, int64_t submission, double rate, fc_err *err)
{
	int pick = rate >= 1 || (rate > 0 && (double)randombytes_uniform(1000000) < rate * 1e6);
	if (!pick)
		return 0;
	return fc_db_exec(db, err, "UPDATE submissions SET needs_review=1 WHERE id=?", "I", submission);
}

/* A submission as a reviewer sees it: with the fix, the task and who decided. */
static json_t *review_row_json(fc_stmt *st)
{
	json_t *o = fc_submission_row_json(st);
	json_object_set_new(o, "fixed_result", fc_stmt_json(st, 14));
	json_object_set_new(o, "needs_review", json_boolean(fc_stmt_int(st, 15)));
	json_object_set_new(o, "task",
			    json_pack("{s:I,s:o}", "id", (json_int_t)fc_stmt_int(st, 2), "data", fc_stmt_json(st, 16)));
	json_object_set_new(o, "reviewed_by", fc_stmt_isnull(st, 17) ? json_null() : json_integer(fc_stmt_int(st, 17)));
	return o;
}

static int get_submission(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	int rc = fc_db_row_json(db, out, err, review_row_json, "submission",
				"SELECT " FC_SUBMISSION_COLUMNS ", s.fixed_result, s.needs_review, t.data, s.reviewed_by "
				"FROM submissions s JOIN tasks t ON t.id=s.task_id WHERE s.id=?",
				"I", id);
	if (!rc)
		fc_collect_decorate(db, *out); /* recordings: votes and validity */
	return rc;
}

/* Loads the submission and checks the user reviews its project. */
static int for_review(fc_db *db, const fc_user *user, int64_t id, json_t **sub, fc_err *err)
{
	int rc = get_submission(db, id, sub, err);
	if (rc)
		return rc;
	int access;
	if ((rc = fc_project_access(db, user, fc_json_int(*sub, "project_id", 0), &access, err)) ||
	    access < FC_ACCESS_REVIEWER) {
		json_decref(*sub);
		*sub = NULL;
		return rc ? rc : fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such submission.");
	}
	if (fc_json_int(*sub, "user_id", 0) == user->id) {
		json_decref(*sub);
		*sub = NULL;
		return fc_err_set(err, FC_EPERM, "own_work", NULL, "Nobody reviews their own work.");
	}
	return 0;
}

int fc_review_next(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	*out = NULL;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's reviewers review.", err)))
		goto out;
	int64_t id;
	rc = fc_db_int(db, &id, err,
		       "SELECT id FROM submissions WHERE project_id=? AND status='pending' AND user_id<>? "
		       "ORDER BY needs_review DESC, id LIMIT 1",
		       "II", project, user->id);
	if (rc == FC_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (!rc)
		rc = get_submission(db, id, out, err);
out:
	fc_db_rollback(db);
	return rc;
}

static int decide_pending(fc_db *db, json_t *sub, fc_err *err)
{
	if (strcmp(fc_json_str(sub, "status", ""), "pending"))
		return fc_err_set(err, FC_ECONFLICT, "already_reviewed", "status", "This submission was already %s.",
				  fc_json_str(sub, "status", ""));
	return 0;
}

/* Tells the subscribers (money moves the reward, the outbox tells webhooks)
 * of a decision on the submission sub, inside the deciding transaction. */
static int decided(fc_db *db, fc_event_kind kind, const json_t *sub, int64_t actor, const char *code, int upheld,
		   fc_err *err)
{
	fc_event ev = {.kind = kind,
		       .project = fc_json_int(sub, "project_id", 0),
		       .task = fc_json_int(sub, "task_id", 0),
		       .submission = fc_json_int(sub, "id", 0),
		       .user = fc_json_int(sub, "user_id", 0),
		       .actor = actor,
		       .amount = fc_json_int(sub, "reward", 0),
		       .text = code,
		       .upheld = upheld};
	return fc_events_publish(db, &ev, err);
}

int fc_review_accept(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	json_t *sub = NULL;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = for_review(db, user, id, &sub, err)) || (rc = decide_pending(db, sub, err)))
		goto out;
	if ((rc = fc_db_exec(db, err, "UPDATE submissions SET status='accepted', reviewed_by=?, reviewed_at=? WHERE id=?",
			     "III", user->id, fc_clock_now(), id)) ||
	    (rc = decided(db, FC_EV_ACCEPTED, sub, user->id, NULL, 0, err)))
		goto out;
	rc = get_submission(db, id, out, err);
out:
	json_decref(sub);
	return fc_db_end(db, &rc, err);
}

int fc_review_reject(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"reason_code", FC_J_STRING | FC_J_REQUIRED},
				     {"message", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	const char *code = fc_json_str(body, "reason_code", ""), *msg = fc_json_str(body, "message", "");
	const char *p = msg;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		return fc_err_set(err, FC_EINVAL, "missing_reason", "message",
				  "Tell the contributor why: a rejection needs a message.");
	if (strlen(msg) > 2000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "message",
				  "The message must be at most 2000 characters.");
	fc_db *db;
	json_t *sub = NULL, *reasons = NULL;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = for_review(db, user, id, &sub, err)) || (rc = decide_pending(db, sub, err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT reject_reasons FROM projects WHERE id=?", "I",
			      fc_json_int(sub, "project_id", 0))))
		goto out;
	if (fc_stmt_next(st) == 1)
		reasons = fc_stmt_json(st, 0);
	fc_stmt_done(st);
	if (!json_array_size(reasons)) {
		json_decref(reasons);
		reasons = json_loads(FC_DEFAULT_REJECT_REASONS, 0, NULL);
	}
	int known = 0;
	size_t i;
	json_t *v;
	json_array_foreach(reasons, i, v)
		known |= json_is_string(v) && !strcmp(json_string_value(v), code);
	if (!known) {
		char *list = json_dumps(reasons, JSON_COMPACT);
		rc = fc_err_set(err, FC_EINVAL, "invalid_reason_code", "reason_code",
				"'%.40s' is not one of this project's reasons %s.", code, list ? list : "");
		free(list);
		goto out;
	}
	if ((rc = fc_db_exec(db, err,
			     "UPDATE submissions SET status='rejected', reason_code=?, reason_text=?, reviewed_by=?, "
			     "reviewed_at=? WHERE id=?",
			     "ttIII", code, msg, user->id, fc_clock_now(), id)) ||
	    (rc = decided(db, FC_EV_REJECTED, sub, user->id, code, 0, err)))
		goto out;
	rc = get_submission(db, id, out, err);
out:
	json_decref(reasons);
	json_decref(sub);
	return fc_db_end(db, &rc, err);
}

int fc_review_fix(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"result", FC_J_ARRAY | FC_J_REQUIRED}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	fc_db *db;
	json_t *sub = NULL;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = for_review(db, user, id, &sub, err)) || (rc = decide_pending(db, sub, err)))
		goto out;
	fc_stmt *st;
	char *xml = NULL;
	if ((rc = fc_db_query(db, &st, err, "SELECT label_config FROM projects WHERE id=?", "I",
			      fc_json_int(sub, "project_id", 0))))
		goto out;
	if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
		xml = strdup(fc_stmt_text(st, 0));
	fc_stmt_done(st);
	if (xml) {
		fc_labelconfig *lc = NULL;
		rc = fc_labelconfig_parse(xml, strlen(xml), &lc, err);
		fc_labelconfig_env env;
		fc_tsdata_ctx tctx;
		fc_tsdata_env(&env, &tctx, db, fc_json_int(sub, "project_id", 0));
		if (!rc)
			rc = fc_labelconfig_validate_result_env(lc, json_object_get(body, "result"),
								json_object_get(json_object_get(sub, "task"), "data"),
								&env, err);
		fc_labelconfig_free(lc);
		free(xml);
		if (rc)
			goto out;
	}
	if ((rc = fc_db_exec(db, err,
			     "UPDATE submissions SET status='accepted', fixed_result=?, fixed_by=?, reviewed_by=?, "
			     "reviewed_at=? WHERE id=?",
			     "jIIII", json_object_get(body, "result"), user->id, user->id, fc_clock_now(), id)) ||
	    (rc = decided(db, FC_EV_ACCEPTED, sub, user->id, NULL, 0, err)))
		goto out;
	rc = get_submission(db, id, out, err);
out:
	json_decref(sub);
	return fc_db_end(db, &rc, err);
}

static json_t *appeal_json(fc_stmt *st)
{
	char a[32], b[32];
	/* the original rejection travels with the appeal, for the deciding reviewer */
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:o,s:o,s:s,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
			      "submission_id", (json_int_t)fc_stmt_int(st, 1), "project_id",
			      (json_int_t)fc_stmt_int(st, 2), "user_id", (json_int_t)fc_stmt_int(st, 3), "message",
			      fc_stmt_text(st, 4), "status", fc_stmt_text(st, 5), "decided_by",
			      fc_stmt_isnull(st, 6) ? json_null() : json_integer(fc_stmt_int(st, 6)), "decision_reason",
			      fc_stmt_isnull(st, 7) ? json_null() : json_string(fc_stmt_text(st, 7)), "created_at",
			      fc_clock_format(fc_stmt_int(st, 8), a, sizeof a), "decided_at",
			      fc_stmt_isnull(st, 9) ? json_null()
						    : json_string(fc_clock_format(fc_stmt_int(st, 9), b, sizeof b)));
	json_object_set_new(j, "rejection",
			    json_pack("{s:o,s:o,s:o}", "reason_code",
				      fc_stmt_isnull(st, 10) ? json_null() : json_string(fc_stmt_text(st, 10)),
				      "reason", fc_stmt_isnull(st, 11) ? json_null() : json_string(fc_stmt_text(st, 11)),
				      "reviewed_by",
				      fc_stmt_isnull(st, 12) ? json_null() : json_integer(fc_stmt_int(st, 12))));
	/* the rejected work itself and its task, so the decision is made on the work */
	json_object_set_new(json_object_get(j, "rejection"), "result", fc_stmt_json(st, 13));
	json_object_set_new(j, "task",
			    json_pack("{s:I,s:o}", "id", (json_int_t)fc_stmt_int(st, 14), "data", fc_stmt_json(st, 15)));
	return j;
}

#define APPEAL_COLS \
	"a.id,a.submission_id,a.project_id,a.user_id,a.message,a.status,a.decided_by,a.decision_reason," \
	"a.created_at,a.decided_at,s.reason_code,s.reason_text,s.reviewed_by,COALESCE(s.fixed_result,s.result),s.task_id," \
	"t.data"
#define APPEAL_FROM " FROM appeals a JOIN submissions s ON s.id=a.submission_id JOIN tasks t ON t.id=s.task_id "

static int get_appeal(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	return fc_db_row_json(db, out, err, appeal_json, "appeal", "SELECT " APPEAL_COLS APPEAL_FROM "WHERE a.id=?",
			      "I", id);
}

int fc_review_appeal(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"message", FC_J_STRING | FC_J_REQUIRED}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	const char *msg = fc_json_str(body, "message", "");
	const char *p = msg;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p || strlen(msg) > 4000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "message",
				  "Explain the appeal in 1 to 4000 characters.");
	fc_db *db;
	json_t *sub = NULL;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = get_submission(db, id, &sub, err)))
		goto out;
	if (fc_json_int(sub, "user_id", 0) != user->id) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such submission.");
		goto out;
	}
	if (strcmp(fc_json_str(sub, "status", ""), "rejected")) {
		rc = fc_err_set(err, FC_ECONFLICT, "not_rejected", NULL, "Only a rejected submission can be appealed.");
		goto out;
	}
	int64_t reviewed_at = 0, now = fc_clock_now(), have;
	fc_clock_parse(fc_json_str(sub, "reviewed_at", ""), &reviewed_at);
	if (now > reviewed_at + FC_APPEAL_DAYS * 86400) {
		rc = fc_err_set(err, FC_ECONFLICT, "appeal_window_closed", NULL,
				"Appeals are possible for %d days after a rejection.", FC_APPEAL_DAYS);
		goto out;
	}
	if (!fc_db_int(db, &have, NULL, "SELECT id FROM appeals WHERE submission_id=?", "I", id)) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_appealed", NULL, "This rejection was already appealed.");
		goto out;
	}
	int64_t aid;
	if ((rc = fc_db_int(db, &aid, err,
			    "INSERT INTO appeals(submission_id,project_id,user_id,message,created_at) VALUES(?,?,?,?,?) RETURNING id",
			    "IIItI", id, fc_json_int(sub, "project_id", 0), user->id, msg, now)))
		goto out;
	rc = get_appeal(db, aid, out, err);
out:
	json_decref(sub);
	return fc_db_end(db, &rc, err);
}

int fc_review_decide(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"decision", FC_J_STRING | FC_J_REQUIRED},
				     {"reason", FC_J_STRING | FC_J_REQUIRED},
				     {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	const char *decision = fc_json_str(body, "decision", ""), *reason = fc_json_str(body, "reason", "");
	if (strcmp(decision, "uphold") && strcmp(decision, "deny"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "decision", "decision must be 'uphold' or 'deny'.");
	const char *p = reason;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return fc_err_set(err, FC_EINVAL, "missing_reason", "reason", "A decision on an appeal needs a reason.");
	fc_db *db;
	json_t *ap = NULL, *sub = NULL;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = get_appeal(db, id, &ap, err)))
		goto out;
	int64_t sid = fc_json_int(ap, "submission_id", 0);
	if ((rc = for_review(db, user, sid, &sub, err))) {
		if (rc == FC_EPERM)
			rc = fc_err_set(err, FC_EPERM, "own_work", NULL,
					"Nobody decides an appeal about their own work.");
		goto out;
	}
	if (strcmp(fc_json_str(ap, "status", ""), "open")) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_decided", NULL, "This appeal was already decided.");
		goto out;
	}
	if (fc_json_int(sub, "reviewed_by", 0) == user->id) {
		rc = fc_err_set(err, FC_EPERM, "same_reviewer", NULL,
				"A different reviewer must decide the appeal than the one who rejected.");
		goto out;
	}
	int64_t now = fc_clock_now();
	int up = !strcmp(decision, "uphold");
	if ((rc = fc_db_exec(db, err,
			     "UPDATE appeals SET status=?, decided_by=?, decision_reason=?, decided_at=? WHERE id=?",
			     "tItII", up ? "upheld" : "denied", user->id, reason, now, id)))
		goto out;
	if (up && (rc = fc_db_exec(db, err,
				   "UPDATE submissions SET status='accepted', reviewed_by=?, reviewed_at=? WHERE id=?",
				   "III", user->id, now, sid)))
		goto out;
	if ((rc = decided(db, FC_EV_APPEAL_DECIDED, sub, user->id, NULL, up, err)))
		goto out;
	json_decref(ap);
	ap = NULL;
	rc = get_appeal(db, id, out, err);
out:
	json_decref(ap);
	json_decref(sub);
	return fc_db_end(db, &rc, err);
}

int fc_review_appeals(fc_store *s, const fc_user *user, int64_t project, const char *status, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's reviewers see appeals.",
				     err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT " APPEAL_COLS APPEAL_FROM
			      "WHERE a.project_id=? AND (CAST(? AS TEXT) IS NULL OR a.status=?) ORDER BY a.id LIMIT 1000",
			      "Itt", project, status, status)))
		goto out;
	json_t *items = json_array();
	while (fc_stmt_next(st) == 1)
		json_array_append_new(items, appeal_json(st));
	fc_stmt_done(st);
	*out = json_pack("{s:o,s:n}", "items", items, "next");
out:
	fc_db_rollback(db);
	return rc;
}
