/* The built-in models seen from outside: PUT /projects/{id}/ml
 * {"builtin":"text-classifier"} attaches a model trained inside faircrowd
 * on the project's accepted labels; with no labels it predicts nothing;
 * once labels are accepted it is trained, every task is predicted again
 * and leases carry its suggestion with model_version and score. A model
 * that does not fit the config is refused on attach. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
#define NTASKS 24
#define LABELS 8

static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(mlbuiltin, .init = up, .fini = down, .timeout = 240);

static const char *POS = "a wonderful lovely delightful film, great fun", *NEG = "an awful boring dreadful film, a waste";

static long long live(void)
{
	static char nd[8192];
	size_t used = 0;
	for (int i = 0; i < NTASKS; i++)
		used += (size_t)snprintf(nd + used, sizeof nd - used, "{\"text\":\"%s number %d\"}\n",
					 i % 2 ? NEG : POS, i);
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i}", "title", "Built-in", "label_config", SENTIMENT_CONFIG,
				      "reward", 10, "overlap", 1),
			    nd, 100000);
}

static res put_ml(long long pid, const char *token, const char *model)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	return api(&S, "PUT", path, token, "{s:s}", "builtin", model);
}

static json_t *status(long long pid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *j = json_incref(r.json);
	res_free(&r);
	return j;
}

/* Waits (the outbox drains every second) for n predictions; the status. */
static json_t *wait_predicted(long long pid, long long n)
{
	json_t *st = NULL;
	for (int i = 0; i < 100; i++) {
		json_decref(st);
		st = status(pid);
		if (jint(st, "predicted") >= n)
			break;
		usleep(150 * 1000);
	}
	return st;
}

static const char *truth(const char *text) { return strstr(text, "wonderful") ? "pos" : "neg"; }

/* token labels the next task rightly; the submission's id. */
static long long label_one(long long pid, const char *token)
{
	res r = lease(&S, pid, token);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long aid = jint(r.json, "id");
	const char *choice = truth(jstr(r.json, "task.data.text"));
	res_free(&r);
	r = submit_choice(&S, aid, token, "sentiment", choice, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

Test(mlbuiltin, a_model_that_does_not_fit_the_config_is_refused)
{
	long long pid = live();
	res r = put_ml(pid, S.req, "image-classifier");
	cr_expect_eq(r.status, 422, "Choices over Text, not Image: %s", r.body);
	cr_expect(strstr(r.body, "Image"), "%s", r.body);
	res_free(&r);
	r = put_ml(pid, S.c[0], "text-classifier");
	cr_expect_eq(r.status, 403, "a contributor of a live project is not its owner: %s", r.body);
	res_free(&r);
}

Test(mlbuiltin, trained_on_accepted_labels_its_suggestions_reach_leases)
{
	long long pid = live();
	res r = put_ml(pid, S.req, "text-classifier");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	sleep(2);
	json_t *st = status(pid);
	cr_expect_eq(jint(st, "predicted"), 0, "no labels, no model: %s", json_dumps(st, 0));
	json_decref(st);

	json_t *ids = json_array();
	for (int i = 0; i < LABELS; i++)
		json_array_append_new(ids, json_integer(label_one(pid, S.c[i % 2])));
	r = lease(&S, pid, S.c[0]);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(!json_array_size(jget(r.json, "task.predictions")), "labels submitted, none accepted: %s", r.body);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/accept", pid);
	r = api(&S, "POST", path, S.req, "{s:o}", "ids", ids);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	st = wait_predicted(pid, NTASKS);
	cr_assert_geq(jint(st, "predicted"), NTASKS, "every task predicted: %s", json_dumps(st, 0));
	cr_expect_str_eq(jstr(st, "model_version"), "text-classifier@8");
	json_decref(st);
	for (int i = 0; i < 4; i++) {
		r = lease(&S, pid, S.c[1]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		json_t *p = jget(r.json, "task.predictions.0");
		cr_assert(p, "a suggestion in the lease: %s", r.body);
		cr_expect_str_eq(jstr(p, "model_version"), "text-classifier@8");
		cr_expect_str_eq(jstr(p, "result.0.value.choices.0"), truth(jstr(r.json, "task.data.text")), "%s",
				 r.body);
		double score = json_number_value(jget(p, "score"));
		cr_expect(score > 0.5 && score <= 1.0, "score %f", score);
		long long aid = jint(r.json, "id");
		res_free(&r);
		r = submit_choice(&S, aid, S.c[1], "sentiment", "pos", NULL); /* on to the next task */
		cr_expect_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
}
