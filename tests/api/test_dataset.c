/* Real crowd data end to end through the API: D_Product (8,315 product
 * pairs, 24,945 answers from 176 workers) is imported as Label Studio tasks
 * with their annotations, aggregated by the server, and scored against the
 * expert truth. Published: majority vote 0.897, Dawid-Skene 0.940. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 0); }
static void down(void) { srv_stop(&S); }
TestSuite(dataset, .init = up, .fini = down, .timeout = 600);

typedef struct {
	char q[64];
	char truth[8];
} truth_row;

static char *slurp_answers_as_tasks(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s", path);
	/* answer.csv is grouped by worker; gather per question first */
	json_t *byq = json_object();
	char line[512];
	cr_assert(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		char *q = strtok(line, ","), *w = strtok(NULL, ","), *a = strtok(NULL, ",");
		if (!q || !w || !a)
			continue;
		json_t *anns = json_object_get(byq, q);
		if (!anns) {
			anns = json_array();
			json_object_set_new(byq, q, anns);
		}
		json_array_append_new(anns, json_pack("{s:s,s:[{s:s,s:s,s:s,s:{s:[s]}}]}", "completed_by", w, "result",
						      "from_name", "same", "to_name", "pair", "type", "choices",
						      "value", "choices", a));
	}
	fclose(f);
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	const char *q;
	json_t *anns;
	json_object_foreach(byq, q, anns) {
		json_t *t = json_pack("{s:{s:s},s:O}", "data", "pair", q, "annotations", anns);
		char *txt = json_dumps(t, JSON_COMPACT);
		fprintf(m, "%s\n", txt);
		free(txt);
		json_decref(t);
	}
	fclose(m);
	json_decref(byq);
	return buf;
}

static double accuracy(json_t *labels, const char *truth_path, int *n)
{
	json_t *truth = json_object();
	FILE *f = fopen(truth_path, "r");
	cr_assert(f);
	char line[256];
	cr_assert(fgets(line, sizeof line, f));
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		char *q = strtok(line, ","), *t = strtok(NULL, ",");
		if (q && t)
			json_object_set_new(truth, q, json_string(t));
	}
	fclose(f);
	int right = 0, total = 0;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(labels, "items"), i, it) {
		const char *q = jstr(it, "question");
		const char *want = json_string_value(json_object_get(truth, q));
		if (!want)
			continue;
		total++;
		right += !strcmp(want, jstr(it, "label"));
	}
	json_decref(truth);
	*n = total;
	return total ? (double)right / total : 0;
}

Test(dataset, d_product_through_the_api_reaches_the_published_accuracy)
{
	const char *shared = getenv("FC_SHARED_DIR");
	char answers[512], truth[512];
	snprintf(answers, sizeof answers, "%s/datasets/crowd/d_product/answer.csv", shared ? shared : "../shared");
	snprintf(truth, sizeof truth, "%s/datasets/crowd/d_product/truth.csv", shared ? shared : "../shared");
	if (access(answers, R_OK) || access(truth, R_OK))
		srv_skip(&S, "D_Product is not at %s", answers);
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i}", "title", "D_Product", "label_config",
		    "<View><Text name=\"pair\" value=\"$pair\"/><Choices name=\"same\" toName=\"pair\" choice=\"single\">"
		    "<Choice value=\"0\"/><Choice value=\"1\"/></Choices></View>",
		    "overlap", 3);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long pid = jint(r.json, "id");
	res_free(&r);
	size_t len;
	char *body = slurp_answers_as_tasks(answers, &len);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	r = http(&S, "POST", path, S.req, "application/x-ndjson", body, len, NULL);
	free(body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 8315);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "submissions.accepted"), 24945);
	cr_expect_eq(jint(r.json, "contributors"), 176);
	res_free(&r);
	const char *methods[] = {"mv", "ds"};
	double want[] = {0.8965, 0.9399};
	for (int m = 0; m < 2; m++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/labels?method=%s", pid, methods[m]);
		r = api(&S, "GET", path, S.req, NULL);
		cr_assert_eq(r.status, 200);
		/* the labels are keyed by task id; bring back the question names */
		char tpath[160];
		json_t *items = jget(r.json, "items");
		json_t *names = json_object();
		long long after = 0;
		for (;;) {
			snprintf(tpath, sizeof tpath, "/api/v1/projects/%lld/tasks?limit=1000&after=%lld", pid, after);
			res t = api(&S, "GET", tpath, S.req, NULL);
			size_t i;
			json_t *it;
			json_array_foreach(jget(t.json, "items"), i, it) {
				char key[32];
				snprintf(key, sizeof key, "%lld", jint(it, "id"));
				json_object_set_new(names, key, json_string(jstr(it, "data.pair")));
			}
			const char *next = jstr(t.json, "next");
			after = next ? atoll(next) : 0;
			res_free(&t);
			if (!after)
				break;
		}
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) {
			char key[32];
			snprintf(key, sizeof key, "%lld", jint(it, "task_id"));
			json_object_set(it, "question", json_object_get(names, key));
		}
		json_decref(names);
		int n;
		double acc = accuracy(r.json, truth, &n);
		cr_expect_eq(n, 8315);
		cr_expect_geq(acc, want[m], "%s accuracy %.5f", methods[m], acc);
		fprintf(stderr, "D_Product via the API, %s: %.5f over %d questions\n", methods[m], acc, n);
		res_free(&r);
	}
}

Test(dataset, annotations_import_is_checked_and_all_or_nothing)
{
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s}", "title", "x", "label_config",
		    "<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>");
	long long pid = jint(r.json, "id");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	const char *bad[] = {
		/* a result the config does not allow */
		"{\"data\":{\"t\":\"x\"},\"annotations\":[{\"completed_by\":\"w1\",\"result\":[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"zzz\"]}}]}]}\n",
		/* the same annotator twice on one task */
		"{\"data\":{\"t\":\"x\"},\"annotations\":[{\"completed_by\":\"w1\",\"result\":[]},{\"completed_by\":\"w1\",\"result\":[]}]}\n",
		/* a user id that does not exist */
		"{\"data\":{\"t\":\"x\"},\"annotations\":[{\"completed_by\":987654,\"result\":[]}]}\n",
		/* not an array */
		"{\"data\":{\"t\":\"x\"},\"annotations\":{}}\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = http(&S, "POST", path, S.req, "application/x-ndjson", bad[i], strlen(bad[i]), NULL);
		cr_expect_eq(r.status, 400, "case %zu: %s", i, r.body);
		cr_expect(strstr(jstr(r.json, "error.message"), "line 1"), "%s", r.body);
		res_free(&r);
	}
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 0, "nothing stored");
	res_free(&r);
	/* imported workers cannot sign in */
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "w1@imported.invalid", "password", "!");
	cr_expect_eq(r.status, 401);
	res_free(&r);
}

Test(dataset, label_studio_round_trip)
{
	const char *cfg =
		"<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/><Choice value=\"b\"/></Choices></View>";
	long long p[2];
	for (int i = 0; i < 2; i++) {
		res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i}", "title", "rt", "label_config", cfg,
			    "overlap", 2);
		p[i] = jint(r.json, "id");
		res_free(&r);
	}
	const char *tasks =
		"{\"data\":{\"t\":\"one\"},\"annotations\":[{\"completed_by\":\"ann\",\"result\":[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"a\"]}}]},"
		"{\"completed_by\":\"bob\",\"lead_time\":4.5,\"result\":[{\"from_name\":\"c\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":[\"b\"]}}]}]}\n"
		"{\"data\":{\"t\":\"two\"}}\n";
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", p[0]);
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", tasks, strlen(tasks), NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export", p[0]);
	res e1 = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(e1.status, 200);
	/* our export, imported into the second project as it is */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", p[1]);
	r = http(&S, "POST", path, S.req, "application/x-ndjson", e1.body, e1.len, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export", p[1]);
	res e2 = api(&S, "GET", path, S.req, NULL);
	json_t *a = json_loads(strtok(e1.body, "\n"), 0, NULL), *b = json_loads(strtok(e2.body, "\n"), 0, NULL);
	cr_assert(a && b);
	cr_expect(json_equal(json_object_get(a, "data"), json_object_get(b, "data")));
	cr_expect_eq(json_array_size(json_object_get(b, "annotations")), 2);
	cr_expect(json_equal(jget(a, "annotations.1.result"), jget(b, "annotations.1.result")));
	/* two annotators stay two; each project has pseudonyms of its own */
	cr_expect_str_neq(jstr(b, "annotations.0.completed_by"), jstr(b, "annotations.1.completed_by"), "two annotators");
	cr_expect_str_neq(jstr(a, "annotations.0.completed_by"), jstr(b, "annotations.0.completed_by"));
	json_decref(a);
	json_decref(b);
	res_free(&e1);
	res_free(&e2);
}
