/* Blocks with a reason the contributor sees and an appeal decided by
 * someone else. See trust.h. */
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "privacy/audit.h"
#include "privacy/trust.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define BLOCK_COLS \
	"b.id,b.project_id,p.title,b.user_id,b.reason,b.created_at,b.status,b.appeal,b.appealed_at,b.appeal_upheld," \
	"b.decision_reason,b.decided_at,b.blocked_by"

static json_t *text_or_null(fc_stmt *st, int col)
{
	return fc_stmt_isnull(st, col) ? json_null() : json_string(fc_stmt_text(st, col));
}

static json_t *block_json(fc_stmt *st)
{
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)fc_stmt_int(st, 0),
			 "project_id", (json_int_t)fc_stmt_int(st, 1), "project_title", fc_stmt_text(st, 2), "user_id",
			 (json_int_t)fc_stmt_int(st, 3), "reason", fc_stmt_text(st, 4), "created_at",
			 fc_stmt_time(st, 5), "status", fc_stmt_text(st, 6), "appeal", text_or_null(st, 7),
			 "appealed_at", fc_stmt_time(st, 8), "appeal_upheld",
			 fc_stmt_isnull(st, 9) ? json_null() : json_boolean(fc_stmt_int(st, 9)), "decision_reason",
			 text_or_null(st, 10), "decided_at", fc_stmt_time(st, 11));
}

static int block_row(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	return fc_db_row_json(db, out, err, block_json, "block",
			      "SELECT " BLOCK_COLS " FROM blocks b JOIN projects p ON p.id=b.project_id WHERE b.id=?",
			      "I", id);
}

/* A required, trimmed-non-empty text of at most max bytes. */
static int need_text(const json_t *body, const char *key, size_t max, const char *code, const char *what, fc_err *err)
{
	const char *v = fc_json_str(body, key, "");
	size_t n = strlen(v), lead = strspn(v, " \t\r\n");
	if (lead == n)
		return fc_err_set(err, FC_EINVAL, code, key, "%s", what);
	if (n > max)
		return fc_err_set(err, FC_EINVAL, "too_long", key, "%s is at most %zu bytes.", key, max);
	return 0;
}

static int audit_block(fc_db *db, int64_t actor, const char *action, int64_t id, int64_t project, int64_t user,
		       const char *text, fc_err *err)
{
	char target[48];
	snprintf(target, sizeof target, "block:%" PRId64, id);
	json_t *d = json_pack("{s:I,s:I,s:s?}", "project", (json_int_t)project, "contributor", (json_int_t)user,
			      "reason", text);
	int rc = fc_audit_append(db, actor, action, target, d, err);
	json_decref(d);
	return rc;
}

int fc_block_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"user_id", FC_J_INT | FC_J_REQUIRED}, {"reason", FC_J_STRING}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc || (rc = need_text(body, "reason", 2000, "reason_required",
				  "Say why: the contributor sees the reason and may appeal.", err)))
		return rc;
	int64_t who = fc_json_int(body, "user_id", 0), id = 0, one;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's reviewers and owners block contributors.", err)))
		goto out;
	if (who == user->id) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_value", "user_id", "You cannot block yourself.");
		goto out;
	}
	if (fc_db_int(db, &one, NULL, "SELECT 1 FROM users WHERE id=? AND deleted_at IS NULL", "I", who)) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", "user_id", "No such user.");
		goto out;
	}
	if (!fc_db_int(db, &one, NULL, "SELECT 1 FROM blocks WHERE user_id=? AND project_id=? AND status='active'",
		       "II", who, project)) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_blocked", "user_id",
				"This contributor is already blocked from the project.");
		goto out;
	}
	const char *reason = fc_json_str(body, "reason", "");
	if ((rc = fc_db_int(db, &id, err,
			    "INSERT INTO blocks(project_id,user_id,blocked_by,reason,created_at) VALUES(?,?,?,?,?) "
			    "RETURNING id",
			    "IIItI", project, who, user->id, reason, fc_clock_now())) ||
	    (rc = audit_block(db, user->id, "block.create", id, project, who, reason, err)))
		goto out;
	rc = block_row(db, id, out, err);
out:
	return fc_db_end(db, &rc, err);
}

static int list(fc_db *db, const char *where, int64_t key, json_t **out, fc_err *err)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT " BLOCK_COLS " FROM blocks b JOIN projects p ON p.id=b.project_id WHERE %s ORDER BY b.id DESC "
		 "LIMIT 500",
		 where);
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, sql, "I", key);
	if (rc)
		return rc;
	json_t *items = json_array();
	int r;
	while ((r = fc_stmt_next(st)) == 1)
		json_array_append_new(items, block_json(st));
	fc_stmt_done(st);
	if (r < 0) {
		json_decref(items);
		return fc_err_set(err, FC_EDB, "database_error", NULL, "The blocks could not be read.");
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int fc_blocks_of_project(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				      "Only the project's reviewers and owners see its blocks.", err)))
		rc = list(db, "b.project_id=?", project, out, err);
	fc_db_rollback(db);
	return rc;
}

int fc_blocks_mine(fc_store *s, const fc_user *user, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = list(db, "b.user_id=?", user->id, out, err);
	fc_db_rollback(db);
	return rc;
}

int fc_block_appeal(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"message", FC_J_STRING}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc || (rc = need_text(body, "message", 4000, "message_required", "Say why the block should be lifted.", err)))
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	fc_stmt *st;
	int64_t project = 0, appealed = 0, active = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT project_id, appealed_at IS NOT NULL, status='active' FROM blocks WHERE id=? AND "
			      "user_id=?",
			      "II", id, user->id)))
		goto out;
	int found = fc_stmt_next(st) == 1;
	if (found) {
		project = fc_stmt_int(st, 0);
		appealed = fc_stmt_int(st, 1);
		active = fc_stmt_int(st, 2);
	}
	fc_stmt_done(st);
	if (!found)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such block.");
	else if (appealed)
		rc = fc_err_set(err, FC_ECONFLICT, "already_appealed", NULL, "You already appealed this block.");
	else if (!active)
		rc = fc_err_set(err, FC_ECONFLICT, "block_lifted", NULL, "This block was lifted.");
	if (rc)
		goto out;
	const char *msg = fc_json_str(body, "message", "");
	if ((rc = fc_db_exec(db, err, "UPDATE blocks SET appeal=?, appealed_at=? WHERE id=?", "tII", msg,
			     fc_clock_now(), id)) ||
	    (rc = audit_block(db, user->id, "block.appeal", id, project, user->id, NULL, err)))
		goto out;
	rc = block_row(db, id, out, err);
out:
	return fc_db_end(db, &rc, err);
}

int fc_block_decide(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field F[] = {{"upheld", FC_J_BOOL | FC_J_REQUIRED}, {"reason", FC_J_STRING}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc)
		return rc;
	int upheld = json_is_true(json_object_get(body, "upheld"));
	if (!upheld && (rc = need_text(body, "reason", 2000, "reason_required",
				       "Say why the block stays: the contributor sees the reason.", err)))
		return rc;
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	fc_stmt *st;
	int64_t project = 0, who = 0, by = 0, appealed = 0, decided = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT project_id, user_id, COALESCE(blocked_by,0), appealed_at IS NOT NULL, decided_at IS "
			      "NOT NULL FROM blocks WHERE id=?",
			      "I", id)))
		goto out;
	int found = fc_stmt_next(st) == 1;
	if (found) {
		project = fc_stmt_int(st, 0);
		who = fc_stmt_int(st, 1);
		by = fc_stmt_int(st, 2);
		appealed = fc_stmt_int(st, 3);
		decided = fc_stmt_int(st, 4);
	}
	fc_stmt_done(st);
	if (!found) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such block.");
		goto out;
	}
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's reviewers, owners or an admin decide appeals.", err)))
		goto out;
	if (by == user->id || who == user->id)
		rc = fc_err_set(err, FC_EPERM, "not_independent", NULL,
				"Someone other than the one who blocked decides the appeal.");
	else if (!appealed)
		rc = fc_err_set(err, FC_ECONFLICT, "no_appeal", NULL, "The contributor has not appealed this block.");
	else if (decided)
		rc = fc_err_set(err, FC_ECONFLICT, "already_decided", NULL, "This appeal was already decided.");
	if (rc)
		goto out;
	const char *reason = fc_json_str(body, "reason", NULL);
	if ((rc = fc_db_exec(db, err,
			     "UPDATE blocks SET appeal_upheld=?, decision_reason=?, decided_by=?, decided_at=?, "
			     "status=CASE WHEN ?=1 THEN 'lifted' ELSE status END WHERE id=?",
			     "itIIiI", upheld, reason, user->id, fc_clock_now(), upheld, id)) ||
	    (rc = audit_block(db, user->id, upheld ? "block.appeal_upheld" : "block.appeal_denied", id, project, who,
			      reason, err)))
		goto out;
	rc = block_row(db, id, out, err);
out:
	return fc_db_end(db, &rc, err);
}

int fc_block_refuse(fc_db *db, int64_t user, int64_t project, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT id, reason FROM blocks WHERE user_id=? AND project_id=? AND status='active' LIMIT 1",
			     "II", user, project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1)
		rc = fc_err_set(err, FC_EPERM, "blocked", NULL,
				"You are blocked from this project (block %" PRId64
				"): %s. You may appeal on your privacy page.",
				fc_stmt_int(st, 0), fc_stmt_text(st, 1));
	fc_stmt_done(st);
	return rc;
}
