/* Contributor quality: gold scoring and pausing, qualification tests,
 * dynamic overlap, per-contributor figures. See contributors.h. */
#include "quality/contributors.h"
#include "access/access.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "quality/aggregate.h"
#include "quality/answers.h"
#include "quality/gold.h"
#include "quality/qualtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- project settings ---- */

static json_t *real_or_null(fc_stmt *st, int col)
{
	return fc_stmt_isnull(st, col) ? json_null() : json_real(fc_stmt_double(st, col));
}

static int unit_interval(const json_t *p, const char *key, fc_err *err)
{
	const json_t *v = json_object_get(p, key);
	if (json_is_number(v) && !(json_number_value(v) >= 0 && json_number_value(v) <= 1))
		return fc_err_set(err, FC_EINVAL, "invalid_value", key, "%s must be from 0 to 1.", key);
	return 0;
}

int fc_quality_settings_validate(const json_t *p, fc_err *err)
{
	int rc;
	if ((rc = unit_interval(p, "gold_threshold", err)) || (rc = unit_interval(p, "confidence_threshold", err)))
		return rc;
	int64_t min = fc_json_int(p, "gold_min_answers", 5);
	if (min < 1 || min > 10000)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "gold_min_answers",
				  "gold_min_answers must be from 1 to 10000.");
	const json_t *mo = json_object_get(p, "max_overlap");
	int64_t overlap = fc_json_int(p, "overlap", 1);
	if (json_is_integer(mo) && (json_integer_value(mo) < overlap || json_integer_value(mo) > 100))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "max_overlap",
				  "max_overlap must be from the project's overlap (%lld) to 100.", (long long)overlap);
	const json_t *q = json_object_get(p, "qualification");
	return json_is_object(q) ? fc_qualtest_validate(p, q, err) : 0;
}

int fc_quality_settings_write(fc_db *db, int64_t id, const json_t *m, fc_err *err)
{
	const json_t *gt = json_object_get(m, "gold_threshold"), *ct = json_object_get(m, "confidence_threshold"),
		     *mo = json_object_get(m, "max_overlap"), *q = json_object_get(m, "qualification");
	json_t *qual = NULL;
	if (json_is_object(q)) /* stored complete, defaults filled in */
		qual = fc_qualtest_normalize(q);
	int64_t was = 0;
	int is = qual != NULL;
	fc_db_int(db, &was, NULL, "SELECT qualification IS NOT NULL FROM projects WHERE id=?", "I", id);
	int rc = fc_db_exec(db, err,
			    "UPDATE projects SET gold_threshold=CASE WHEN ?<>0 THEN NULL ELSE ? END, gold_min_answers=?, "
			    "confidence_threshold=CASE WHEN ?<>0 THEN NULL ELSE ? END, "
			    "max_overlap=CASE WHEN ?<>0 THEN NULL ELSE ? END, qualification=? WHERE id=?",
			    "idIidiIjI", !json_is_number(gt), json_number_value(gt),
			    fc_json_int(m, "gold_min_answers", 5), !json_is_number(ct), json_number_value(ct),
			    !json_is_integer(mo), (int64_t)json_integer_value(mo), qual, id);
	if (!rc && was != is) /* a test's questions are open to everyone; otherwise the overlap counts */
		rc = fc_db_exec(db, err,
				"UPDATE tasks SET target_overlap=CASE WHEN ?<>0 THEN ? END, "
				"open=CASE WHEN ?<>0 OR leased_count+submitted_count<? THEN 1 ELSE 0 END "
				"WHERE project_id=?",
				"iIiII", is, (int64_t)FC_UNBOUNDED_OVERLAP, is, fc_json_int(m, "overlap", 1), id);
	json_decref(qual);
	return rc;
}

/* ---- hooks ---- */

int fc_quality_pause_check(fc_db *db, int64_t project_id, int64_t user_id, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT reason FROM contributor_pauses WHERE project_id=? AND user_id=? AND lifted_at IS NULL",
			     "II", project_id, user_id);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1)
		rc = fc_err_set(err, FC_ECONFLICT, "paused_for_quality", NULL, "%s", fc_stmt_text(st, 0));
	fc_stmt_done(st);
	return rc;
}

/* Gold answers and how many were right; since_lift counts only those given
 * after the contributor's last lifted pause (a fresh start). */
static int gold_counts_since(fc_db *db, int64_t project, int64_t user, int since_lift, int64_t *n, int64_t *correct,
			     fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT COUNT(*), COALESCE(SUM(correct),0) FROM gold_scores WHERE project_id=? AND user_id=? "
			     "AND (?=0 OR created_at > COALESCE((SELECT MAX(lifted_at) FROM contributor_pauses "
			     "WHERE project_id=? AND user_id=?), -1))",
			     "IIiII", project, user, since_lift, project, user);
	if (rc)
		return rc;
	*n = *correct = 0;
	if (fc_stmt_next(st) == 1) {
		*n = fc_stmt_int(st, 0);
		*correct = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	return 0;
}

static int gold_counts(fc_db *db, int64_t project, int64_t user, int64_t *n, int64_t *correct, fc_err *err)
{
	return gold_counts_since(db, project, user, 0, n, correct, err);
}

/* Pauses the contributor when, with enough gold answers, even the upper end
 * of the interval is below the threshold: a pause needs evidence, not bad
 * luck on a few questions. */
static int evaluate_pause(fc_db *db, int64_t project, int64_t user, double threshold, int64_t min, fc_err *err)
{
	int64_t n, c, active;
	int rc = gold_counts_since(db, project, user, 1, &n, &c, err);
	if (rc || n < min)
		return rc;
	double lo, hi;
	fc_wilson(c, n, &lo, &hi);
	if (hi >= threshold)
		return 0;
	if (!fc_db_int(db, &active, NULL,
		       "SELECT 1 FROM contributor_pauses WHERE project_id=? AND user_id=? AND lifted_at IS NULL", "II",
		       project, user))
		return 0;
	char reason[300];
	snprintf(reason, sizeof reason,
		 "You are paused on this project: %lld of your %lld answers to its check questions were right "
		 "(%.0f%%; 95%% interval %.0f%% to %.0f%%), below the %.0f%% it requires. Your submitted work is "
		 "not affected.",
		 (long long)c, (long long)n, 100.0 * (double)c / (double)n, 100 * lo, 100 * hi, 100 * threshold);
	json_t *ev = json_pack("{s:I,s:I,s:f,s:f,s:f,s:f,s:I}", "gold_answered", (json_int_t)n, "gold_correct",
			       (json_int_t)c, "accuracy", (double)c / (double)n, "ci_low", lo, "ci_high", hi,
			       "threshold", threshold, "min_answers", (json_int_t)min);
	rc = fc_db_exec(db, err,
			"INSERT INTO contributor_pauses(project_id,user_id,reason,evidence,created_at) VALUES(?,?,?,?,?)",
			"IItjI", project, user, reason, ev, fc_clock_now());
	json_decref(ev);
	return rc;
}

/* A submission's categorical answer as stored in submissions.answer_key:
 * the key of fc_gold_answer_key, or "" when it has none (NULL in the
 * column: not worked out yet — written before the column existed, or on a
 * gold or test task). */
static int store_answer_key(fc_db *db, int64_t sid, const char *key, fc_err *err)
{
	return fc_db_exec(db, err, "UPDATE submissions SET answer_key=? WHERE id=?", "tI", key ? key : "", sid);
}

/* Share of the most common answer among a task's kept submissions; -1
 * when none is categorical. Each answer's key was stored when it was
 * submitted, so only a fixed answer (the fix replaces it) or one from
 * before the key was kept is parsed here: a submit costs the task's rows,
 * not their JSON. Reads at most 128 distinct answers, in id order. */
static int top_share(fc_db *db, int64_t task, double *share, fc_err *err)
{
	fc_stmt *st;
	*share = -1;
	int rc = fc_db_query(db, &st, err,
			     "SELECT answer_key, CASE WHEN answer_key IS NULL OR fixed_result IS NOT NULL "
			     "THEN COALESCE(fixed_result,result) END, "
			     "CASE WHEN answer_key IS NULL OR fixed_result IS NOT NULL THEN 1 ELSE 0 END "
			     "FROM submissions WHERE task_id=? AND status<>'rejected'",
			     "I", task);
	if (rc)
		return rc;
	char *keys[128];
	int count[128], k = 0, n = 0, top = 0;
	while (k < 128 && fc_stmt_next(st) == 1) {
		char *key;
		if (fc_stmt_int(st, 2)) {
			json_t *res = fc_stmt_json(st, 1);
			key = fc_gold_answer_key(res, NULL);
			json_decref(res);
		} else {
			const char *stored = fc_stmt_text(st, 0);
			key = *stored ? strdup(stored) : NULL;
		}
		if (!key)
			continue;
		n++;
		int i = 0;
		while (i < k && strcmp(keys[i], key))
			i++;
		if (i < k) {
			count[i]++;
			free(key);
		} else {
			keys[k] = key;
			count[k++] = 1;
		}
		if (count[i] > top)
			top = count[i];
	}
	fc_stmt_done(st);
	for (int i = 0; i < k; i++)
		free(keys[i]);
	if (n)
		*share = (double)top / n;
	return 0;
}

int fc_quality_on_submit(fc_db *db, int64_t sid, const json_t *submitted_result, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(
		db, &st, err,
		"SELECT s.project_id, s.task_id, s.user_id, CASE WHEN ?=0 THEN s.result END, t.is_gold, t.gold, t.submitted_count, "
		"COALESCE(t.target_overlap, p.overlap), p.kind, p.overlap, p.gold_threshold, p.gold_min_answers, "
		"p.confidence_threshold, p.max_overlap, p.qualification, "
		"(SELECT attempt FROM assignments WHERE id=s.assignment_id) "
		"FROM submissions s JOIN tasks t ON t.id=s.task_id JOIN projects p ON p.id=s.project_id "
		"WHERE s.id=?",
		"iI", submitted_result != NULL, sid);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such submission.");
	}
	int64_t project = fc_stmt_int(st, 0), task = fc_stmt_int(st, 1), user = fc_stmt_int(st, 2);
	/* the answer as the publisher just wrote it, or read back */
	json_t *result = submitted_result ? json_incref((json_t *)submitted_result) : fc_stmt_json(st, 3),
	       *gold = fc_stmt_json(st, 5), *qual = fc_stmt_json(st, 14);
	int is_gold = fc_stmt_int(st, 4) && !json_is_null(gold);
	int64_t submitted = fc_stmt_int(st, 6), target = fc_stmt_int(st, 7), overlap = fc_stmt_int(st, 9);
	int annotation = !strcmp(fc_stmt_text(st, 8), "annotation");
	int has_threshold = !fc_stmt_isnull(st, 10), dynamic = !fc_stmt_isnull(st, 12);
	double threshold = fc_stmt_double(st, 10), confidence = fc_stmt_double(st, 12);
	int64_t attempt = fc_stmt_int(st, 15);
	int64_t min_answers = fc_stmt_int(st, 11), max_overlap = fc_stmt_isnull(st, 13) ? overlap : fc_stmt_int(st, 13);
	fc_stmt_done(st);
	int is_test = json_is_object(qual);
	json_t *expected = NULL, *given = NULL;
	if (!annotation)
		goto out;
	if (is_gold) {
		fc_err bad = {0};
		if (fc_gold_normalize(gold, &expected, &bad)) {
			/* unreadable gold scores nobody; the requester sees it in the task */
			fc_log(FC_LOG_WARN, "task %lld: gold not scored: %s", (long long)task, bad.msg);
			fc_err_clear(&bad);
		} else {
			given = fc_gold_answers_of(result, expected);
			int correct = fc_gold_equal(expected, given);
			rc = fc_db_exec(db, err,
					"INSERT INTO gold_scores(submission_id,project_id,task_id,user_id,correct,expected,given,"
					"created_at) VALUES(?,?,?,?,?,?,?,?)",
					"IIIIijjI", sid, project, task, user, correct, expected, given, fc_clock_now());
			if (!rc && !is_test && has_threshold)
				rc = evaluate_pause(db, project, user, threshold, min_answers, err);
		}
		if (!rc && is_test)
			rc = fc_qualtest_score(db, project, user, attempt, err);
	} else if (is_test) {
		rc = fc_qualtest_score(db, project, user, attempt, err);
	} else {
		/* the task's agreement (the requester filters on it); one answer agrees with itself */
		char *key = fc_gold_answer_key(result, NULL);
		rc = store_answer_key(db, sid, key, err);
		free(key);
		double share;
		if (rc || submitted < 2 || (rc = top_share(db, task, &share, err)) || share < 0)
			goto out;
		rc = fc_db_exec(db, err, "UPDATE tasks SET agreement=? WHERE id=?", "dI", share, task);
		if (!rc && dynamic && submitted >= target && submitted < max_overlap && share < confidence)
			rc = fc_db_exec(
				db, err,
				"UPDATE tasks SET target_overlap=?, open=CASE WHEN leased_count+submitted_count<? THEN 1 ELSE 0 END WHERE id=?",
				"III", submitted + 1, submitted + 1, task);
	}
out:
	json_decref(result);
	json_decref(gold);
	json_decref(qual);
	json_decref(expected);
	json_decref(given);
	return rc;
}

/* ---- reads ---- */

static json_t *ratio_or_null(int64_t num, int64_t den)
{
	return den > 0 ? json_real((double)num / (double)den) : json_null();
}

int fc_quality_my(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	*out = NULL;
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	int64_t n = 0, c = 0;
	if ((rc = fc_project_access(db, user, project, &access, err)) ||
	    (rc = gold_counts(db, project, user->id, &n, &c, err)))
		goto out;
	double lo, hi;
	fc_wilson(c, n, &lo, &hi);
	*out = json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:b,s:n,s:n}", "project_id", (json_int_t)project, "gold_answered",
			 (json_int_t)n, "gold_correct", (json_int_t)c, "accuracy", ratio_or_null(c, n), "ci_low",
			 n ? json_real(lo) : json_null(), "ci_high", n ? json_real(hi) : json_null(), "paused", 0,
			 "reason", "paused_at");
	fc_stmt *st;
	if (!(rc = fc_db_query(db, &st, err, "SELECT gold_threshold, gold_min_answers FROM projects WHERE id=?", "I",
			       project))) {
		if (fc_stmt_next(st) == 1) {
			json_object_set_new(*out, "gold_threshold", real_or_null(st, 0));
			json_object_set_new(*out, "gold_min_answers", json_integer(fc_stmt_int(st, 1)));
		}
		fc_stmt_done(st);
	}
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT reason, created_at, evidence FROM contributor_pauses WHERE project_id=? AND "
				      "user_id=? AND lifted_at IS NULL",
				      "II", project, user->id))) {
		if (fc_stmt_next(st) == 1) {
			char ts[32];
			json_object_set_new(*out, "paused", json_true());
			json_object_set_new(*out, "reason", json_string(fc_stmt_text(st, 0)));
			json_object_set_new(*out, "paused_at",
					    json_string(fc_clock_format(fc_stmt_int(st, 1), ts, sizeof ts)));
			json_object_set_new(*out, "evidence", fc_stmt_json(st, 2));
		}
		fc_stmt_done(st);
	}
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
out:
	fc_db_rollback(db);
	return rc;
}

typedef struct times {
	double *v;
	size_t n, cap;
} times;

static double median(const times *t) { return t->n % 2 ? t->v[t->n / 2] : (t->v[t->n / 2 - 1] + t->v[t->n / 2]) / 2; }

/* The item for a user id in `by` (keyed by the decimal id), or NULL. */
static json_t *item_of(json_t *by, int64_t user)
{
	char k[32];
	snprintf(k, sizeof k, "%lld", (long long)user);
	return json_object_get(by, k);
}

/* A vote key ({"control": answer} as compact JSON) as the label people
 * read: the answer alone when one control holds a string. */
static json_t *readable_label(const char *key)
{
	json_t *j = json_loads(key, 0, NULL), *out = NULL;
	const char *k;
	json_t *v;
	if (json_is_object(j) && json_object_size(j) == 1)
		json_object_foreach(j, k, v)
			if (json_is_string(v))
				out = json_copy(v);
	json_decref(j);
	return out ? out : json_string(key);
}

/* Row k of a worker's Dawid-Skene confusion matrix, with its evidence. */
static json_t *confusion_json(const fc_aggregate *ds, size_t w)
{
	size_t K = ds->n_labels;
	json_t *rows = json_array(), *n = json_array();
	for (size_t k = 0; k < K; k++) {
		json_t *row = json_array();
		for (size_t l = 0; l < K; l++)
			json_array_append_new(row, json_real(ds->confusion[w * K * K + k * K + l]));
		json_array_append_new(rows, row);
		json_array_append_new(n, json_real(ds->confusion_n[w * K + k]));
	}
	return json_pack("{s:o,s:o}", "rows", rows, "n", n);
}

/* Agreement with the majority vote (over tasks with two or more kept
 * answers), Dawid-Skene accuracy and confusion matrix (labels in
 * ds_labels), from non-gold, non-rejected work. */
static int add_consensus(fc_db *db, int64_t project, const char *control, json_t *by, json_t *ds_labels, fc_err *err)
{
	fc_answers *a = fc_answers_new();
	fc_aggregate mv = {0}, ds = {0};
	int64_t *agree = NULL, *seen = NULL;
	if (!a)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.task_id, s.user_id, COALESCE(s.fixed_result, s.result) FROM submissions s "
			     "JOIN tasks t ON t.id=s.task_id WHERE s.project_id=? AND s.status<>'rejected' AND t.is_gold=0 "
			     "ORDER BY s.task_id, s.id",
			     "I", project);
	if (rc)
		goto out;
	while (!rc && fc_stmt_next(st) == 1) {
		json_t *res = fc_stmt_json(st, 2);
		char *key = fc_gold_answer_key(res, control);
		json_decref(res);
		if (key) {
			char q[32], w[32];
			snprintf(q, sizeof q, "%lld", (long long)fc_stmt_int(st, 0));
			snprintf(w, sizeof w, "%lld", (long long)fc_stmt_int(st, 1));
			rc = fc_answers_add(a, q, w, key, err);
			free(key);
		}
	}
	fc_stmt_done(st);
	if (rc || (rc = fc_answers_finish(a, err)) || a->n == 0)
		goto out;
	if ((rc = fc_aggregate_mv(a, &mv, err)) || (rc = fc_aggregate_ds(a, NULL, &ds, err)))
		goto out;
	agree = calloc(a->n_workers, sizeof *agree);
	seen = calloc(a->n_workers, sizeof *seen);
	if (!agree || !seen) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	for (size_t q = 0; q < a->n_questions; q++) {
		if (a->q_start[q + 1] - a->q_start[q] < 2)
			continue; /* a lone answer agrees with itself: no evidence */
		for (size_t i = a->q_start[q]; i < a->q_start[q + 1]; i++) {
			seen[a->worker[i]]++;
			agree[a->worker[i]] += a->label[i] == mv.label[q];
		}
	}
	for (size_t w = 0; w < a->n_workers; w++) {
		json_t *it = item_of(by, atoll(fc_answers_worker_name(a, (int32_t)w)));
		if (!it)
			continue;
		json_object_set_new(it, "agreement", ratio_or_null(agree[w], seen[w]));
		json_object_set_new(it, "agreement_tasks", json_integer(seen[w]));
		json_object_set_new(it, "ds_accuracy", json_real(ds.worker_quality[w]));
		if (ds.confusion)
			json_object_set_new(it, "ds_confusion", confusion_json(&ds, w));
	}
	for (size_t l = 0; l < a->n_labels; l++)
		json_array_append_new(ds_labels, readable_label(fc_answers_label_name(a, (int32_t)l)));
out:
	free(agree);
	free(seen);
	fc_aggregate_free(&mv);
	fc_aggregate_free(&ds);
	fc_answers_free(a);
	return rc;
}

int fc_quality_contributors(fc_store *s, const fc_user *user, int64_t project, const char *control, json_t **out,
			    fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	json_t *items = json_array(), *by = json_object();
	times t = {0};
	fc_stmt *st;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's team sees its contributors.", err)))
		goto out;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT s.user_id, u.display_name, COUNT(*), SUM(CASE WHEN s.status='rejected' THEN 1 ELSE 0 END) "
			      "FROM submissions s JOIN users u ON u.id=s.user_id WHERE s.project_id=? "
			      "GROUP BY s.user_id, u.display_name ORDER BY s.user_id",
			      "I", project)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		int64_t n = fc_stmt_int(st, 2), rej = fc_stmt_int(st, 3);
		json_t *it =
			json_pack("{s:I,s:s,s:I,s:I,s:o,s:n,s:I,s:I,s:n,s:n,s:n,s:n,s:I,s:n,s:b,s:n}", "user_id",
				  (json_int_t)fc_stmt_int(st, 0), "display_name", fc_stmt_text(st, 1), "submissions",
				  (json_int_t)n, "rejected", (json_int_t)rej, "rejection_rate", ratio_or_null(rej, n),
				  "median_active_seconds", "gold_answered", (json_int_t)0, "gold_correct",
				  (json_int_t)0, "gold_accuracy", "gold_ci_low", "gold_ci_high", "agreement",
				  "agreement_tasks", (json_int_t)0, "ds_accuracy", "paused", 0, "pause_reason");
		json_object_set_new(it, "ds_confusion", json_null());
		char k[32];
		snprintf(k, sizeof k, "%lld", (long long)fc_stmt_int(st, 0));
		json_object_set(by, k, it);
		json_array_append_new(items, it);
	}
	fc_stmt_done(st);
	/* medians: one ordered pass */
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT user_id, active_seconds FROM submissions WHERE project_id=? ORDER BY user_id, active_seconds",
			      "I", project)))
		goto out;
	int64_t cur = -1;
	for (int more = fc_stmt_next(st) == 1;; more = fc_stmt_next(st) == 1) {
		int64_t u = more ? fc_stmt_int(st, 0) : -2;
		if (u != cur && t.n) {
			json_t *it = item_of(by, cur);
			if (it)
				json_object_set_new(it, "median_active_seconds", json_real(median(&t)));
			t.n = 0;
		}
		if (!more)
			break;
		cur = u;
		if (t.n == t.cap) {
			size_t cap = t.cap ? 2 * t.cap : 64;
			double *nv = realloc(t.v, cap * sizeof *nv);
			if (!nv) {
				fc_stmt_done(st);
				rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
				goto out;
			}
			t.v = nv;
			t.cap = cap;
		}
		t.v[t.n++] = fc_stmt_double(st, 1);
	}
	fc_stmt_done(st);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT user_id, COUNT(*), SUM(correct) FROM gold_scores WHERE project_id=? GROUP BY user_id",
			      "I", project)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		json_t *it = item_of(by, fc_stmt_int(st, 0));
		int64_t n = fc_stmt_int(st, 1), c = fc_stmt_int(st, 2);
		double lo, hi;
		fc_wilson(c, n, &lo, &hi);
		if (!it)
			continue;
		json_object_set_new(it, "gold_answered", json_integer(n));
		json_object_set_new(it, "gold_correct", json_integer(c));
		json_object_set_new(it, "gold_accuracy", ratio_or_null(c, n));
		json_object_set_new(it, "gold_ci_low", json_real(lo));
		json_object_set_new(it, "gold_ci_high", json_real(hi));
	}
	fc_stmt_done(st);
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT user_id, reason FROM contributor_pauses WHERE project_id=? AND lifted_at IS NULL",
			      "I", project)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		json_t *it = item_of(by, fc_stmt_int(st, 0));
		if (it) {
			json_object_set_new(it, "paused", json_true());
			json_object_set_new(it, "pause_reason", json_string(fc_stmt_text(st, 1)));
		}
	}
	fc_stmt_done(st);
	json_t *ds_labels = json_array();
	if ((rc = add_consensus(db, project, control, by, ds_labels, err))) {
		json_decref(ds_labels);
		goto out;
	}
	*out = json_pack("{s:I,s:O,s:n,s:o}", "project_id", (json_int_t)project, "items", items, "next", "ds_labels",
			 ds_labels);
out:
	free(t.v);
	json_decref(items);
	json_decref(by);
	fc_db_rollback(db);
	return rc;
}

int fc_quality_unpause(fc_store *s, const fc_user *user, int64_t project, int64_t uid, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owner may lift a pause.",
				     err)))
		goto out;
	int64_t now = fc_clock_now();
	if ((rc = fc_db_exec(db, err,
			     "UPDATE contributor_pauses SET lifted_at=?, lifted_by=? WHERE project_id=? AND user_id=? AND "
			     "lifted_at IS NULL",
			     "IIII", now, user->id, project, uid)))
		goto out;
	if (fc_db_changes(db) == 0) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_paused", NULL, "That contributor is not paused on this project.");
		goto out;
	}
	char ts[32];
	*out = json_pack("{s:I,s:I,s:b,s:s}", "project_id", (json_int_t)project, "user_id", (json_int_t)uid, "paused",
			 0, "lifted_at", fc_clock_format(now, ts, sizeof ts));
out:
	return fc_db_end(db, &rc, err);
}
