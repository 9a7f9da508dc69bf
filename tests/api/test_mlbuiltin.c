/* The built-in models seen from outside: PUT /projects/{id}/ml
 * {"builtin":"text-classifier"} attaches a model trained inside faircrowd
 * on the project's accepted labels; with no labels it predicts nothing;
 * once labels are accepted it is trained, every task is predicted again
 * and leases carry its suggestion with model_version and score. The same
 * for "image-classifier" on images in data: URIs (made by ffmpeg) and on an
 * image dropped into the project (a stored file). A model
 * that does not fit the config is refused on attach. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
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

static long long live_with(const char *config, const char *ndjson)
{
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i}", "title", "Built-in", "label_config", config, "reward", 10,
				      "overlap", 1),
			    ndjson, 100000);
}

static long long live(void)
{
	static char nd[8192];
	size_t used = 0;
	for (int i = 0; i < NTASKS; i++)
		used += (size_t)snprintf(nd + used, sizeof nd - used, "{\"text\":\"%s number %d\",\"truth\":\"%s\"}\n",
					 i % 2 ? NEG : POS, i, i % 2 ? "neg" : "pos");
	return live_with(SENTIMENT_CONFIG, nd);
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

/* Submits aid with one choice of the control from (labelling to). */
static res choose(long long aid, const char *token, const char *from, const char *to, const char *choice)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	return api(&S, "POST", path, token, "{s:[{s:s,s:s,s:s,s:{s:[s]}}]}", "result", "from_name", from, "to_name", to,
		   "type", "choices", "value", "choices", choice);
}

/* token labels the next task rightly (its data.truth); the submission's id. */
static long long label_one(long long pid, const char *token, const char *from, const char *to)
{
	res r = lease(&S, pid, token);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long aid = jint(r.json, "id");
	char truth[16];
	snprintf(truth, sizeof truth, "%s", jstr(r.json, "task.data.truth"));
	res_free(&r);
	r = choose(aid, token, from, to, truth);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

/* Labels LABELS tasks, accepts them, waits until every task is predicted
 * by model@LABELS; then 4 leases carry its right suggestion. */
static void learns(long long pid, const char *model, const char *from, const char *to)
{
	res r = put_ml(pid, S.req, model);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	sleep(2);
	json_t *st = status(pid);
	cr_expect_eq(jint(st, "predicted"), 0, "no labels, no model: %s", json_dumps(st, 0));
	json_decref(st);

	json_t *ids = json_array();
	for (int i = 0; i < LABELS; i++)
		json_array_append_new(ids, json_integer(label_one(pid, S.c[i % 2], from, to)));
	r = lease(&S, pid, S.c[0]);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(!json_array_size(jget(r.json, "task.predictions")), "labels submitted, none accepted: %s", r.body);
	res_free(&r);
	char path[96], version[64];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/accept", pid);
	r = api(&S, "POST", path, S.req, "{s:o}", "ids", ids);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	snprintf(version, sizeof version, "%s@%d", model, LABELS);
	st = wait_predicted(pid, NTASKS);
	cr_assert_geq(jint(st, "predicted"), NTASKS, "every task predicted: %s", json_dumps(st, 0));
	cr_expect_str_eq(jstr(st, "model_version"), version);
	json_decref(st);
	for (int i = 0; i < 4; i++) {
		r = lease(&S, pid, S.c[1]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		json_t *p = jget(r.json, "task.predictions.0");
		cr_assert(p, "a suggestion in the lease: %s", r.body);
		cr_expect_str_eq(jstr(p, "model_version"), version);
		cr_expect_str_eq(jstr(p, "result.0.value.choices.0"), jstr(r.json, "task.data.truth"), "%s", r.body);
		double score = json_number_value(jget(p, "score"));
		cr_expect(score > 0.5 && score <= 1.0, "score %f", score);
		long long aid = jint(r.json, "id");
		char truth[16];
		snprintf(truth, sizeof truth, "%s", jstr(r.json, "task.data.truth"));
		res_free(&r);
		r = choose(aid, S.c[1], from, to, truth); /* on to the next task */
		cr_expect_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
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

Test(mlbuiltin, text_trained_on_accepted_labels_its_suggestions_reach_leases)
{
	learns(live(), "text-classifier", "sentiment", "text");
}

/* A PNG of one colour as a data: URI. */
static char *png_uri(const char *colour)
{
	char cmd[256], path[64];
	snprintf(path, sizeof path, "/tmp/fc-mlb-%d-%s.png", (int)getpid(), colour);
	snprintf(cmd, sizeof cmd, "ffmpeg -loglevel error -y -f lavfi -i color=c=%s:s=24x24 -frames:v 1 %s", colour,
		 path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	size_t len;
	unsigned char *b = (unsigned char *)slurp(path, &len);
	unlink(path);
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *uri = malloc(32 + n);
	cr_assert(uri);
	strcpy(uri, "data:image/png;base64,");
	sodium_bin2base64(uri + strlen(uri), n, b, len, sodium_base64_VARIANT_ORIGINAL);
	free(b);
	return uri;
}

#define COLOUR_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/><Choices name=\"colour\" toName=\"img\">" \
	"<Choice value=\"red\"/><Choice value=\"blue\"/></Choices></View>"

Test(mlbuiltin, image_trained_on_accepted_labels_its_suggestions_reach_leases)
{
	char *red = png_uri("red"), *blue = png_uri("blue");
	size_t cap = NTASKS * (strlen(red) + strlen(blue) + 64), used = 0;
	char *nd = malloc(cap);
	cr_assert(nd);
	for (int i = 0; i < NTASKS; i++)
		used += (size_t)snprintf(nd + used, cap - used, "{\"image\":\"%s\",\"n\":%d,\"truth\":\"%s\"}\n",
					 i % 2 ? blue : red, i, i % 2 ? "blue" : "red");
	long long pid = live_with(COLOUR_CONFIG, nd);
	free(nd);
	free(red);
	free(blue);
	res r = put_ml(pid, S.req, "text-classifier");
	cr_expect_eq(r.status, 422, "Choices over Image, not Text: %s", r.body);
	res_free(&r);
	learns(pid, "image-classifier", "colour", "img");

	/* an image dropped into the project is a stored file (/api/v1/files/ID),
	 * read from the blob store, not over HTTP: it is predicted too */
	char png[64], path[96];
	snprintf(png, sizeof png, "/tmp/fc-mlb-%d-drop.png", (int)getpid());
	char cmd[200];
	snprintf(cmd, sizeof cmd, "ffmpeg -loglevel error -y -f lavfi -i color=c=blue:s=24x24 -frames:v 1 %s", png);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	size_t n;
	char *b = slurp(png, &n);
	unlink(png);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/files?name=blue.png", pid);
	r = http(&S, "POST", path, S.req, "image/png", b, n, NULL);
	free(b);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(!strncmp(jstr(r.json, "data.image") ? jstr(r.json, "data.image") : "", "/api/v1/files/", 14), "%s",
		  r.body);
	long long tid = jint(r.json, "task_id");
	res_free(&r);
	/* model suggestions reach the lease: put the new task first and lease it */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks/bulk", pid);
	r = api(&S, "POST", path, S.req, "{s:s,s:[I],s:i}", "action", "priority", "ids", (json_int_t)tid, "priority",
		100);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	json_t *st = wait_predicted(pid, NTASKS + 1);
	cr_expect_geq(jint(st, "predicted"), NTASKS + 1, "%s", json_dumps(st, 0));
	json_decref(st);
	char t3[64];
	make_user(&S, "dropped-image@example.com", "contributor", t3);
	r = lease(&S, pid, t3);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "task.id"), tid, "%s", r.body);
	const char *c = jstr(r.json, "task.predictions.0.result.0.value.choices.0");
	cr_expect_str_eq(c ? c : "", "blue", "the stored image is predicted: %s", r.body);
	res_free(&r);
	/* the owner sees the model's suggestion in the task and in the data manager */
	snprintf(path, sizeof path, "/api/v1/tasks/%lld", tid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_str_eq(jstr(r.json, "predictions.0.origin") ? jstr(r.json, "predictions.0.origin") : "", "model",
			 "%s", r.body);
	c = jstr(r.json, "predictions.0.result.0.value.choices.0");
	cr_expect_str_eq(c ? c : "", "blue", "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?sort=-priority&limit=1&results=1", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "items.0.id"), tid, "%s", r.body);
	c = jstr(r.json, "items.0.predictions.0.result.0.value.choices.0");
	cr_expect_str_eq(c ? c : "", "blue", "%s", r.body);
	res_free(&r);
}
