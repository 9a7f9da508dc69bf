/* The contributor's voice: reports on broken or harmful tasks, and a
 * project's transparency figures. See contrib.h. */
#include "access/access.h"
#include "contrib/contrib.h"
#include "core/clock.h"
#include "core/json.h"

#include <math.h>
#include <string.h>

#define MESSAGE_MAX 2000 /* characters of a report's message */

/* Characters (code points) of valid UTF-8, as a person counts them. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static const char *const REASONS[] = {"broken", "harmful", "unclear", "other", NULL};

static json_t *report_row(fc_stmt *st)
{
	return json_pack("{s:I,s:I,s:I,s:s,s:s,s:o}", "id", (json_int_t)fc_stmt_int(st, 0), "task",
			 (json_int_t)fc_stmt_int(st, 1), "project", (json_int_t)fc_stmt_int(st, 2), "reason",
			 fc_stmt_text(st, 3), "message", fc_stmt_text(st, 4), "created_at", fc_stmt_time(st, 5));
}

int fc_report_create(fc_store *s, const fc_user *user, int64_t task, const json_t *body, int64_t *leased, json_t **out,
		     fc_err *err)
{
	*leased = 0;
	const char *reason = fc_json_str(body, "reason", NULL);
	const json_t *msg = json_object_get(body, "message");
	int known = 0;
	for (int i = 0; reason && REASONS[i]; i++)
		known |= !strcmp(reason, REASONS[i]);
	if (!reason)
		return fc_err_set(err, FC_EINVAL, "missing_field", "reason",
				  "Field 'reason' is required: broken, harmful, unclear or other.");
	if (!known)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "reason",
				  "Field 'reason' must be one of broken, harmful, unclear, other.");
	if (msg && !json_is_string(msg))
		return fc_err_set(err, FC_EINVAL, "invalid_type", "message", "Field 'message' must be a string.");
	const char *text = msg ? json_string_value(msg) : "";
	if (chars(text) > MESSAGE_MAX)
		return fc_err_set(err, FC_EINVAL, "too_long", "message",
				  "Field 'message' has more than 2000 characters.");
	if (!strcmp(reason, "other") && !*text)
		return fc_err_set(err, FC_EINVAL, "missing_field", "message",
				  "Say what is wrong with the task in 'message' when the reason is 'other'.");
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	/* a contributor can only report a task they were given: anything else
	 * is another's (404, as a task that does not exist) */
	fc_stmt *st;
	int64_t project = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT a.project_id, CASE WHEN a.status='leased' THEN a.id ELSE 0 END FROM assignments a "
			      "WHERE a.task_id=? AND a.user_id=?",
			      "II", task, user->id)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		project = fc_stmt_int(st, 0);
		*leased = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	if (!project) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such task among the ones you were given.");
		goto out;
	}
	int64_t dup = 0;
	if ((rc = fc_db_int(db, &dup, err, "SELECT COUNT(*) FROM task_reports WHERE task_id=? AND user_id=?", "II",
			    task, user->id)))
		goto out;
	if (dup) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_reported", NULL, "You already reported this task.");
		goto out;
	}
	rc = fc_db_row_json(db, out, err, report_row, "report",
			    "INSERT INTO task_reports(task_id,project_id,user_id,reason,message,created_at) "
			    "VALUES(?,?,?,?,?,?) RETURNING id,task_id,project_id,reason,message,created_at",
			    "IIIttI", task, project, user->id, reason, text, fc_clock_now());
out:
	return fc_db_end(db, &rc, err);
}

int fc_reports_list(fc_store *s, const fc_user *user, int64_t project, int limit, int64_t after, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				      "Only the project's owner and reviewers read its reports.", err)) &&
	    !(rc = fc_db_query(db, &st, err,
			       "SELECT id,task_id,project_id,reason,message,created_at FROM task_reports "
			       "WHERE project_id=? AND id>? ORDER BY id LIMIT ?",
			       "IIi", project, after, limit + 1))) {
		/* the reporter stays anonymous to the requester: the report is
		 * about the task, not about who found the problem */
		*out = fc_stmt_page(st, limit, report_row);
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	return rc;
}

/* The median of a sorted column: the middle row, or the mean of the two
 * middle rows. NAN when there are no rows. */
static double median(fc_db *db, int64_t n, const char *sql, int64_t project, fc_err *err, int *rc)
{
	if (n <= 0)
		return NAN;
	fc_stmt *st;
	if ((*rc = fc_db_query(db, &st, err, sql, "II", project, (n - 1) / 2)))
		return NAN;
	double a = NAN, b = NAN;
	if (fc_stmt_next(st) == 1)
		a = fc_stmt_double(st, 0);
	if (n % 2 == 0 && fc_stmt_next(st) == 1)
		b = fc_stmt_double(st, 0);
	fc_stmt_done(st);
	return n % 2 ? a : (a + b) / 2;
}

static json_t *num_or_null(double v, double scale)
{
	return isnan(v) ? json_null() : json_real(round(v * scale) / scale);
}

int fc_transparency(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	int access = 0;
	char currency[8] = "";
	int64_t measured = 0, decided = 0, rejected = 0, accepted = 0, automatic = 0, contributors = 0, appeals = 0,
		upheld = 0, timed = 0;
	fc_stmt *st;
	if ((rc = fc_project_access(db, user, project, &access, err)))
		goto out;
	if ((rc = fc_db_query(db, &st, err, "SELECT currency FROM projects WHERE id=?", "I", project)))
		goto out;
	if (fc_stmt_next(st) == 1)
		snprintf(currency, sizeof currency, "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COALESCE(SUM(CASE WHEN active_seconds>0 THEN 1 ELSE 0 END),0), "
			      "COALESCE(SUM(CASE WHEN status='rejected' THEN 1 ELSE 0 END),0), "
			      "COALESCE(SUM(CASE WHEN status='accepted' THEN 1 ELSE 0 END),0), "
			      "COALESCE(SUM(CASE WHEN status='auto_accepted' THEN 1 ELSE 0 END),0), "
			      "COUNT(DISTINCT user_id), COALESCE(SUM(CASE WHEN status IN ('accepted','auto_accepted') AND "
			      "reviewed_at IS NOT NULL THEN 1 ELSE 0 END),0) FROM submissions WHERE project_id=?",
			      "I", project)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		measured = fc_stmt_int(st, 0);
		rejected = fc_stmt_int(st, 1);
		accepted = fc_stmt_int(st, 2);
		automatic = fc_stmt_int(st, 3);
		contributors = fc_stmt_int(st, 4);
		timed = fc_stmt_int(st, 5);
	}
	fc_stmt_done(st);
	decided = rejected + accepted + automatic;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status='upheld' THEN 1 ELSE 0 END),0) FROM appeals "
			      "WHERE project_id=?",
			      "I", project)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		appeals = fc_stmt_int(st, 0);
		upheld = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	/* hourly pay from measured time, the reward alone (bonuses are not
	 * promised to the next contributor); shown from FC_TRANSPARENCY_MIN
	 * measured submissions on, so that three fast answers do not advertise
	 * a wage nobody earns */
	double hourly = NAN, hours_to_pay = NAN;
	if (measured >= FC_TRANSPARENCY_MIN)
		hourly = median(db, measured,
				"SELECT reward*3600.0/active_seconds FROM submissions WHERE project_id=? AND "
				"active_seconds>0 ORDER BY 1 LIMIT 2 OFFSET ?",
				project, err, &rc);
	if (rc)
		goto out;
	int64_t paid = accepted + automatic;
	if (timed > 0)
		hours_to_pay =
			median(db, timed,
			       "SELECT (reviewed_at-created_at)/3600.0 FROM submissions WHERE project_id=? AND "
			       "status IN ('accepted','auto_accepted') AND reviewed_at IS NOT NULL ORDER BY 1 LIMIT 2 "
			       "OFFSET ?",
			       project, err, &rc);
	if (rc)
		goto out;
	*out = json_pack("{s:I,s:o,s:s,s:I,s:I,s:o,s:o,s:I,s:I,s:o,s:I,s:I}", "project", (json_int_t)project,
			 "median_hourly", isnan(hourly) ? json_null() : json_integer((json_int_t)llround(hourly)),
			 "currency", currency, "measured_submissions", (json_int_t)measured, "min_measured",
			 (json_int_t)FC_TRANSPARENCY_MIN, "rejection_rate",
			 decided ? num_or_null((double)rejected / (double)decided, 1e4) : json_null(),
			 "median_hours_to_payment", num_or_null(hours_to_pay, 100), "appeals", (json_int_t)appeals,
			 "appeals_upheld", (json_int_t)upheld, "auto_approved_share",
			 paid ? num_or_null((double)automatic / (double)paid, 1e4) : json_null(), "contributors",
			 (json_int_t)contributors, "decided", (json_int_t)decided);
out:
	fc_db_rollback(db);
	return rc;
}
