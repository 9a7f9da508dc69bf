#include "quality/project.h"
#include "quality/aggregate.h"
#include "quality/agreement.h"
#include "quality/answers.h"
#include "work/project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The categorical answer in one Label Studio result, or NULL. */
static const char *answer_of(const json_t *result, const char *control, char *buf, size_t n)
{
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		if (control && (!from || strcmp(from, control)))
			continue;
		const json_t *v = json_object_get(item, "value");
		const json_t *c = json_object_get(v, "choices");
		if (json_is_array(c) && json_array_size(c) == 1 && json_is_string(json_array_get(c, 0))) {
			snprintf(buf, n, "%s", json_string_value(json_array_get(c, 0)));
			return buf;
		}
		const json_t *r = json_object_get(v, "rating");
		if (json_is_integer(r)) {
			snprintf(buf, n, "%lld", (long long)json_integer_value(r));
			return buf;
		}
		const json_t *sel = json_object_get(v, "selected");
		if (json_is_string(sel)) {
			snprintf(buf, n, "%s", json_string_value(sel));
			return buf;
		}
	}
	return NULL;
}

static int load(fc_store *s, const fc_user *user, int64_t project, const char *control, fc_answers **out,
		json_t **task_ids, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_answers *a = NULL;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER, "Only the project's team sees its quality figures.", err)))
		goto out;
	a = fc_answers_new();
	if (!a) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT task_id, user_id, COALESCE(fixed_result, result) FROM submissions "
			      "WHERE project_id=? AND status<>'rejected' ORDER BY task_id, id",
			      "I", project)))
		goto out;
	while (!rc && fc_stmt_next(st) == 1) {
		json_t *res = fc_stmt_json(st, 2);
		char ans[256], q[32], w[32];
		if (answer_of(res, control, ans, sizeof ans)) {
			snprintf(q, sizeof q, "%lld", (long long)fc_stmt_int(st, 0));
			snprintf(w, sizeof w, "%lld", (long long)fc_stmt_int(st, 1));
			rc = fc_answers_add(a, q, w, ans, err);
		}
		json_decref(res);
	}
	fc_stmt_done(st);
	if (!rc)
		rc = fc_answers_finish(a, err);
	(void)task_ids;
out:
	fc_db_rollback(db);
	if (rc)
		fc_answers_free(a);
	else
		*out = a;
	return rc;
}

int fc_quality_labels(fc_store *s, const fc_user *user, int64_t project, const char *method, const char *control,
		      json_t **out, fc_err *err)
{
	if (strcmp(method, "mv") && strcmp(method, "ds") && strcmp(method, "ods"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "method", "method must be mv, ds or ods.");
	fc_answers *a = NULL;
	int rc = load(s, user, project, control, &a, NULL, err);
	if (rc)
		return rc;
	fc_aggregate r = {0};
	if (a->n == 0) {
		*out = json_pack("{s:s,s:o,s:[]}", "method", method, "control", control ? json_string(control) : json_null(),
				 "items");
		fc_answers_free(a);
		return 0;
	}
	if (!strcmp(method, "mv"))
		rc = fc_aggregate_mv(a, &r, err);
	else if (!strcmp(method, "ds"))
		rc = fc_aggregate_ds(a, NULL, &r, err);
	else
		rc = fc_aggregate_one_coin(a, NULL, &r, err);
	if (!rc) {
		json_t *items = json_array();
		for (size_t q = 0; q < a->n_questions; q++) {
			long long tid = atoll(fc_answers_question_name(a, (int32_t)q));
			json_array_append_new(items, json_pack("{s:I,s:s,s:f,s:I}", "task_id", (json_int_t)tid, "label",
							       fc_answers_label_name(a, r.label[q]), "confidence",
							       r.confidence[q], "judgments",
							       (json_int_t)(a->q_start[q + 1] - a->q_start[q])));
		}
		*out = json_pack("{s:s,s:o,s:o}", "method", method, "control",
				 control ? json_string(control) : json_null(), "items", items);
	}
	fc_aggregate_free(&r);
	fc_answers_free(a);
	return rc;
}

int fc_quality_agreement(fc_store *s, const fc_user *user, int64_t project, const char *control, json_t **out,
			 fc_err *err)
{
	fc_answers *a = NULL;
	int rc = load(s, user, project, control, &a, NULL, err);
	if (rc)
		return rc;
	json_t *alpha = json_null(), *fleiss = json_null(), *cohen = json_null();
	double v;
	fc_err ignore = {0};
	if (a->n && !fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &v, &ignore))
		alpha = json_real(v);
	fc_err_clear(&ignore);
	if (a->n && !fc_agreement_fleiss(a, &v, &ignore))
		fleiss = json_real(v);
	fc_err_clear(&ignore);
	if (a->n && !fc_agreement_cohen(a, &v, &ignore))
		cohen = json_real(v);
	fc_err_clear(&ignore);
	*out = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "control", control ? json_string(control) : json_null(),
			 "alpha_nominal", alpha, "fleiss_kappa", fleiss, "cohen_kappa", cohen, "judgments",
			 (json_int_t)a->n, "tasks", (json_int_t)a->n_questions, "contributors",
			 (json_int_t)a->n_workers);
	fc_answers_free(a);
	return 0;
}
