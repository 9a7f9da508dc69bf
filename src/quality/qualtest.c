/* Qualification tests taken in attempts. See qualtest.h. */
#include "quality/qualtest.h"
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "quality/gold.h"

#include <stdio.h>
#include <string.h>

#define MAX_RETAKES 10
#define MAX_WAIT_HOURS 8760
/* An assignment of a test attempt that was not answered: released, or its
 * lease ran out (whether or not the expiry job has marked it yet). ?1 is
 * the time now. */
#define SKIPPED "(a.status IN ('expired','released') OR (a.status='leased' AND a.expires_at<=?1))"

/* ---- policy ---- */

int fc_qualtest_validate(const json_t *p, const json_t *q, fc_err *err)
{
	static const fc_field Q[] = {{"grants", FC_J_STRING | FC_J_REQUIRED},
				     {"pass_mark", FC_J_NUMBER | FC_J_REQUIRED},
				     {"questions", FC_J_INT | FC_J_NULLABLE},
				     {"retakes", FC_J_INT},
				     {"retake_wait_hours", FC_J_NUMBER},
				     {"paid", FC_J_BOOL},
				     {0}};
	int rc = fc_json_check(q, Q, err);
	if (rc) {
		char f[128];
		snprintf(f, sizeof f, "qualification.%.80s", err->field);
		snprintf(err->field, sizeof err->field, "%.95s", f);
		return rc;
	}
	const char *grants = fc_json_str(q, "grants", "");
	if (!*grants || strlen(grants) > 64)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification.grants",
				  "qualification.grants must name the qualification in 1 to 64 characters.");
	double mark = fc_json_num(q, "pass_mark", -1);
	if (!(mark >= 0 && mark <= 1))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification.pass_mark",
				  "qualification.pass_mark must be from 0 to 1.");
	const json_t *nq = json_object_get(q, "questions");
	if (json_is_integer(nq) && (json_integer_value(nq) < 1 || json_integer_value(nq) > 10000))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification.questions",
				  "qualification.questions (asked per attempt) must be from 1 to 10000, or null for all.");
	int64_t retakes = fc_json_int(q, "retakes", 0);
	if (retakes < 0 || retakes > MAX_RETAKES)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification.retakes",
				  "qualification.retakes must be from 0 to %d.", MAX_RETAKES);
	double wait = fc_json_num(q, "retake_wait_hours", 0);
	if (!(wait >= 0 && wait <= MAX_WAIT_HOURS))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification.retake_wait_hours",
				  "qualification.retake_wait_hours must be from 0 to %d.", MAX_WAIT_HOURS);
	if (retakes > 0 && !json_is_integer(nq))
		return fc_err_set(
			err, FC_EINVAL, "invalid_value", "qualification.questions",
			"A test with retakes needs qualification.questions (how many questions one attempt "
			"asks): a retake never repeats a question, since a failed attempt shows the right answers.");
	if (strcmp(fc_json_str(p, "kind", "annotation"), "annotation"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "qualification",
				  "Only annotation projects can be qualification tests.");
	if (!json_is_true(json_object_get(q, "paid")) && fc_json_int(p, "reward", 0) != 0)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "reward",
				  "An unpaid qualification test (qualification.paid false) needs reward 0.");
	return 0;
}

json_t *fc_qualtest_normalize(const json_t *q)
{
	const json_t *nq = json_object_get(q, "questions");
	return json_pack("{s:s,s:f,s:o,s:I,s:f,s:b}", "grants", fc_json_str(q, "grants", ""), "pass_mark",
			 fc_json_num(q, "pass_mark", 1), "questions",
			 json_is_integer(nq) ? json_integer(json_integer_value(nq)) : json_null(), "retakes",
			 (json_int_t)fc_json_int(q, "retakes", 0), "retake_wait_hours",
			 fc_json_num(q, "retake_wait_hours", 0), "paid", json_is_true(json_object_get(q, "paid")));
}

/* The project's stored policy (new reference), or NULL when it is no test. */
static json_t *policy_of(fc_db *db, int64_t project, fc_err *err, int *rc)
{
	fc_stmt *st;
	json_t *q = NULL;
	if ((*rc = fc_db_query(db, &st, err, "SELECT qualification FROM projects WHERE id=?", "I", project)))
		return NULL;
	if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
		q = fc_stmt_json(st, 0);
	fc_stmt_done(st);
	if (q && !json_is_object(q)) {
		json_decref(q);
		q = NULL;
	}
	return q;
}

/* Questions one attempt asks, given the pool size. */
static int64_t per_attempt(const json_t *q, int64_t pool)
{
	int64_t n = fc_json_int(q, "questions", 0);
	return n > 0 && n < pool ? n : pool;
}

int fc_qualtest_publish_check(fc_db *db, int64_t project, fc_err *err)
{
	int rc;
	json_t *q = policy_of(db, project, err, &rc);
	if (rc || !q)
		return rc;
	int64_t pool = 0, n = fc_json_int(q, "questions", 0), retakes = fc_json_int(q, "retakes", 0);
	rc = fc_db_int(db, &pool, err, "SELECT COUNT(*) FROM tasks WHERE project_id=?", "I", project);
	if (!rc && n > 0 && pool < n * (1 + retakes))
		rc = fc_err_set(err, FC_ECONFLICT, "not_enough_questions", "qualification.questions",
				"This test asks %lld questions per attempt and allows %lld retake%s, which takes %lld "
				"questions that no attempt repeats; it has %lld. Import more or lower the figures.",
				(long long)n, (long long)retakes, retakes == 1 ? "" : "s",
				(long long)(n * (1 + retakes)), (long long)pool);
	json_decref(q);
	return rc;
}

/* ---- attempts ---- */

static int64_t pool_size(fc_db *db, int64_t project)
{
	int64_t n = 0;
	fc_db_int(db, &n, NULL, "SELECT COUNT(*) FROM tasks WHERE project_id=?", "I", project);
	return n;
}

static int64_t unseen(fc_db *db, int64_t project, int64_t user)
{
	int64_t n = 0;
	fc_db_int(db, &n, NULL,
		  "SELECT COUNT(*) FROM tasks t WHERE t.project_id=? AND NOT EXISTS "
		  "(SELECT 1 FROM assignments a WHERE a.task_id=t.id AND a.user_id=?)",
		  "II", project, user);
	return n;
}

static int start_attempt(fc_db *db, int64_t project, int64_t user, int64_t attempt, int64_t planned, fc_err *err)
{
	return fc_db_exec(db, err,
			  "INSERT INTO qualification_attempts(project_id,user_id,attempt,planned,started_at) "
			  "VALUES(?,?,?,?,?)",
			  "IIIII", project, user, attempt, planned, fc_clock_now());
}

int fc_qualtest_lease(fc_db *db, int64_t project, int64_t user, int64_t *attempt, const char **why, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT attempt, planned, scored_at IS NOT NULL FROM qualification_attempts "
			     "WHERE project_id=? AND user_id=? ORDER BY attempt DESC LIMIT 1",
			     "II", project, user);
	if (rc)
		return rc;
	int found = fc_stmt_next(st) == 1;
	int64_t a = found ? fc_stmt_int(st, 0) : 1, planned = found ? fc_stmt_int(st, 1) : 0;
	int scored = found && fc_stmt_int(st, 2);
	fc_stmt_done(st);
	*attempt = a;
	if (scored) {
		*why = "test_finished";
		return 0;
	}
	if (!found) {
		json_t *q = policy_of(db, project, err, &rc);
		int64_t pool = pool_size(db, project);
		planned = per_attempt(q, pool);
		json_decref(q);
		if (rc)
			return rc;
		if (planned < 1) {
			*why = "no_tasks";
			return 0;
		}
		return start_attempt(db, project, user, 1, planned, err);
	}
	int64_t handed = 0;
	fc_db_int(db, &handed, NULL, "SELECT COUNT(*) FROM assignments WHERE project_id=? AND user_id=? AND attempt=?",
		  "III", project, user, a);
	if (handed >= planned) {
		*why = "test_finished";
		return fc_qualtest_score(db, project, user, a, err);
	}
	return 0;
}

int fc_qualtest_score(fc_db *db, int64_t project, int64_t user, int64_t attempt, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT q.planned, (SELECT COUNT(*) FROM assignments a WHERE a.project_id=q.project_id "
			     "AND a.user_id=q.user_id AND a.attempt=q.attempt), "
			     "(SELECT COUNT(*) FROM assignments a WHERE a.project_id=q.project_id AND a.user_id=q.user_id "
			     "AND a.attempt=q.attempt AND a.status='leased' AND a.expires_at>?1), "
			     "(SELECT COUNT(*) FROM assignments a WHERE a.project_id=q.project_id AND a.user_id=q.user_id "
			     "AND a.attempt=q.attempt AND " SKIPPED ") "
			     "FROM qualification_attempts q WHERE q.project_id=?2 AND q.user_id=?3 AND q.attempt=?4 "
			     "AND q.scored_at IS NULL",
			     "IIII", fc_clock_now(), project, user, attempt);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return 0; /* no such attempt, or scored already */
	}
	int64_t planned = fc_stmt_int(st, 0), handed = fc_stmt_int(st, 1), leased = fc_stmt_int(st, 2),
		skipped = fc_stmt_int(st, 3);
	fc_stmt_done(st);
	if (leased > 0 || handed == 0 || (handed < planned && unseen(db, project, user) > 0))
		return 0;
	int64_t n = 0, c = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT COUNT(*), COALESCE(SUM(g.correct),0) FROM gold_scores g "
			      "JOIN submissions s ON s.id=g.submission_id JOIN assignments a ON a.id=s.assignment_id "
			      "WHERE a.project_id=? AND a.user_id=? AND a.attempt=?",
			      "III", project, user, attempt)))
		return rc;
	if (fc_stmt_next(st) == 1) {
		n = fc_stmt_int(st, 0);
		c = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	json_t *q = policy_of(db, project, err, &rc);
	if (rc || !q)
		return rc;
	/* questions whose gold could not be read are held against nobody;
	 * skipped ones count as wrong */
	int64_t questions = n + skipped;
	double score = questions ? (double)c / (double)questions : 0;
	int passed = questions > 0 && score >= fc_json_num(q, "pass_mark", 1) - 1e-9;
	const char *grants = fc_json_str(q, "grants", "");
	rc = fc_db_exec(db, err,
			"UPDATE qualification_attempts SET questions=?, correct=?, skipped=?, score=?, passed=?, grants=?, "
			"scored_at=? WHERE project_id=? AND user_id=? AND attempt=?",
			"IIIditIIII", questions, c, skipped, score, passed, grants, fc_clock_now(), project, user,
			attempt);
	if (!rc && passed)
		rc = fc_db_exec(db, err,
				"UPDATE users SET qualifications=json_insert(qualifications,'$[#]',?) WHERE id=? AND NOT EXISTS "
				"(SELECT 1 FROM json_each(users.qualifications) WHERE lower(value)=lower(?))",
				"tIt", grants, user, grants);
	json_decref(q);
	return rc;
}

/* ---- retakes ---- */

typedef struct attempt_row {
	int64_t attempt, planned, scored_at;
	int found, scored, passed;
} attempt_row;

static int latest_attempt(fc_db *db, int64_t project, int64_t user, attempt_row *r, fc_err *err)
{
	fc_stmt *st;
	memset(r, 0, sizeof *r);
	int rc = fc_db_query(db, &st, err,
			     "SELECT attempt, planned, scored_at, COALESCE(passed,0) FROM qualification_attempts "
			     "WHERE project_id=? AND user_id=? ORDER BY attempt DESC LIMIT 1",
			     "II", project, user);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		r->found = 1;
		r->attempt = fc_stmt_int(st, 0);
		r->planned = fc_stmt_int(st, 1);
		r->scored = !fc_stmt_isnull(st, 2);
		r->scored_at = fc_stmt_int(st, 2);
		r->passed = (int)fc_stmt_int(st, 3);
	}
	fc_stmt_done(st);
	return 0;
}

/* Whether the contributor may start another attempt now: NULL, or the
 * reason code (with *at, when a wait is the reason). */
static const char *retake_block(fc_db *db, int64_t project, int64_t user, const json_t *q, const attempt_row *r,
				int64_t *at)
{
	*at = 0;
	if (!r->found || !r->scored)
		return "test_not_finished";
	if (r->passed)
		return "test_passed";
	if (r->attempt >= 1 + fc_json_int(q, "retakes", 0))
		return "no_retakes_left";
	int64_t wait = (int64_t)(fc_json_num(q, "retake_wait_hours", 0) * 3600);
	if (fc_clock_now() < r->scored_at + wait) {
		*at = r->scored_at + wait;
		return "retake_not_yet";
	}
	if (unseen(db, project, user) < per_attempt(q, pool_size(db, project)))
		return "no_questions_left";
	return NULL;
}

static int block_error(const char *code, int64_t at, fc_err *err)
{
	char ts[32];
	if (!strcmp(code, "test_not_finished"))
		return fc_err_set(err, FC_ECONFLICT, code, NULL, "Finish your current attempt first.");
	if (!strcmp(code, "test_passed"))
		return fc_err_set(err, FC_ECONFLICT, code, NULL, "You passed this test; there is nothing to retake.");
	if (!strcmp(code, "no_retakes_left"))
		return fc_err_set(err, FC_ECONFLICT, code, NULL, "You have used every attempt this test allows.");
	if (!strcmp(code, "retake_not_yet"))
		return fc_err_set(err, FC_ECONFLICT, code, NULL, "You can retake this test from %s.",
				  fc_clock_format(at, ts, sizeof ts));
	return fc_err_set(err, FC_ECONFLICT, code, NULL,
			  "This test has too few questions you have not seen for another attempt.");
}

/* The policy of a test the user can see (*q, new reference): 404
 * not_found for a project they cannot see, 404 no_qualification for one
 * that is no test. */
static int visible_test(fc_db *db, const fc_user *user, int64_t project, json_t **q, fc_err *err)
{
	int access, rc = fc_project_access(db, user, project, &access, err);
	if (rc)
		return rc;
	if (!(*q = policy_of(db, project, err, &rc)) && !rc)
		rc = fc_err_set(err, FC_ENOTFOUND, "no_qualification", NULL, "This project is not a qualification test.");
	return rc;
}

int fc_qualtest_retake(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	*out = NULL;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	json_t *q = NULL;
	attempt_row r;
	if ((rc = visible_test(db, user, project, &q, err)))
		goto out;
	int64_t live = 0;
	fc_db_int(db, &live, NULL, "SELECT status='live' FROM projects WHERE id=?", "I", project);
	if (!live) {
		rc = fc_err_set(err, FC_ECONFLICT, "project_not_live", NULL,
				"This test is not live, so it cannot be taken now.");
		goto out;
	}
	if ((rc = latest_attempt(db, project, user->id, &r, err)))
		goto out;
	int64_t at;
	const char *why = retake_block(db, project, user->id, q, &r, &at);
	if (why) {
		rc = block_error(why, at, err);
		goto out;
	}
	int64_t planned = per_attempt(q, pool_size(db, project));
	if ((rc = start_attempt(db, project, user->id, r.attempt + 1, planned, err)))
		goto out;
	char ts[32];
	*out = json_pack("{s:I,s:I,s:I,s:s}", "project_id", (json_int_t)project, "attempt", (json_int_t)(r.attempt + 1),
			 "questions", (json_int_t)planned, "started_at", fc_clock_format(fc_clock_now(), ts, sizeof ts));
out:
	json_decref(q);
	return fc_db_end(db, &rc, err);
}

/* ---- the result ---- */

/* The answers of one attempt: gold-scored submissions, then skipped
 * questions (with the right answer: they are never asked again). */
static int attempt_answers(fc_db *db, int64_t project, int64_t user, int64_t attempt, json_t *answers, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT a.task_id, g.given, g.expected, g.correct, t.gold, a.status FROM assignments a "
			     "JOIN tasks t ON t.id=a.task_id LEFT JOIN submissions s ON s.assignment_id=a.id "
			     "LEFT JOIN gold_scores g ON g.submission_id=s.id "
			     "WHERE a.project_id=?2 AND a.user_id=?3 AND a.attempt=?4 "
			     "AND (g.submission_id IS NOT NULL OR " SKIPPED ") ORDER BY a.id",
			     "IIII", fc_clock_now(), project, user, attempt);
	if (rc)
		return rc;
	while (fc_stmt_next(st) == 1) {
		json_int_t task = fc_stmt_int(st, 0);
		if (!fc_stmt_isnull(st, 1)) {
			json_array_append_new(answers,
					      json_pack("{s:I,s:o,s:o,s:b,s:b}", "task_id", task, "your_answer",
							fc_stmt_json(st, 1), "correct_answer", fc_stmt_json(st, 2),
							"correct", (int)fc_stmt_int(st, 3), "skipped", 0));
			continue;
		}
		json_t *gold = fc_stmt_json(st, 4), *expected = NULL;
		fc_err bad = {0};
		if (fc_gold_normalize(gold, &expected, &bad))
			fc_err_clear(&bad);
		json_decref(gold);
		json_array_append_new(answers, json_pack("{s:I,s:n,s:o,s:b,s:b}", "task_id", task, "your_answer",
							 "correct_answer", expected ? expected : json_null(), "correct",
							 0, "skipped", 1));
	}
	fc_stmt_done(st);
	return 0;
}

int fc_qualtest_result(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	*out = NULL;
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *q = NULL, *res = NULL;
	fc_stmt *st;
	attempt_row cur;
	if ((rc = visible_test(db, user, project, &q, err)))
		goto out;
	if ((rc = latest_attempt(db, project, user->id, &cur, err)))
		goto out;
	json_t *history = json_array();
	res = json_object();
	json_object_set_new(res, "history", history);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT attempt, questions, correct, skipped, score, passed, grants, scored_at "
			      "FROM qualification_attempts WHERE project_id=? AND user_id=? AND scored_at IS NOT NULL "
			      "ORDER BY attempt",
			      "II", project, user->id)))
		goto out;
	int64_t last = 0;
	while (fc_stmt_next(st) == 1) {
		last = fc_stmt_int(st, 0);
		json_array_append_new(history, json_pack("{s:I,s:f,s:b,s:o}", "attempt", (json_int_t)last, "score",
							 fc_stmt_double(st, 4), "passed", (int)fc_stmt_int(st, 5),
							 "scored_at", fc_stmt_time(st, 7)));
		json_t *o = json_pack("{s:I,s:I,s:s,s:f,s:I,s:I,s:I,s:f,s:b,s:o}", "project_id", (json_int_t)project,
				      "attempt", (json_int_t)last, "grants", fc_stmt_text(st, 6), "pass_mark",
				      fc_json_num(q, "pass_mark", 1), "questions", (json_int_t)fc_stmt_int(st, 1),
				      "correct", (json_int_t)fc_stmt_int(st, 2), "skipped",
				      (json_int_t)fc_stmt_int(st, 3), "score", fc_stmt_double(st, 4), "passed",
				      (int)fc_stmt_int(st, 5), "scored_at", fc_stmt_time(st, 7));
		json_object_update(res, o);
		json_decref(o);
	}
	fc_stmt_done(st);
	if (!last) {
		int64_t answered = 0, planned = cur.found ? cur.planned : per_attempt(q, pool_size(db, project));
		fc_db_int(db, &answered, NULL,
			  "SELECT COUNT(*) FROM assignments WHERE project_id=? AND user_id=? AND attempt=1 AND status='submitted'",
			  "II", project, user->id);
		rc = fc_err_set(err, FC_ECONFLICT, "test_not_finished", NULL,
				"You have answered %lld of the test's %lld questions; the result comes when all are answered.",
				(long long)answered, (long long)planned);
		goto out;
	}
	int64_t allowed = 1 + fc_json_int(q, "retakes", 0), at;
	json_object_set_new(res, "attempts_allowed", json_integer(allowed));
	json_object_set_new(res, "retakes_left", json_integer(cur.attempt < allowed ? allowed - cur.attempt : 0));
	const char *why = retake_block(db, project, user->id, q, &cur, &at);
	char ts[32];
	json_object_set_new(res, "retake",
			    json_pack("{s:b,s:o,s:o}", "available", why == NULL, "code",
				      why ? json_string(why) : json_null(), "at",
				      at ? json_string(fc_clock_format(at, ts, sizeof ts)) : json_null()));
	json_t *progress = json_null();
	if (cur.found && !cur.scored) {
		int64_t answered = 0;
		fc_db_int(db, &answered, NULL,
			  "SELECT COUNT(*) FROM assignments WHERE project_id=? AND user_id=? AND attempt=? AND status='submitted'",
			  "III", project, user->id, cur.attempt);
		progress = json_pack("{s:I,s:I,s:I}", "attempt", (json_int_t)cur.attempt, "answered",
				     (json_int_t)answered, "questions", (json_int_t)cur.planned);
	}
	json_object_set_new(res, "in_progress", progress);
	json_t *answers = json_array();
	json_object_set_new(res, "answers", answers);
	rc = attempt_answers(db, project, user->id, last, answers, err);
out:
	if (rc) {
		json_decref(res);
		res = NULL;
	}
	*out = res;
	json_decref(q);
	fc_db_rollback(db);
	return rc;
}
