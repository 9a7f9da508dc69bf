/* Projects, task import, assignment, submit, release, export, lease expiry. */
#include "harness.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(work, .init = up, .fini = down, .timeout = 120);

static const char CONFIG[] = SENTIMENT_CONFIG;
#define ANSWER \
	"[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"pos\"]}}]"

static long long create_project(const char *token, int reward, int overlap)
{
	res r = api(&S, "POST", "/api/v1/projects", token, "{s:s,s:s,s:i,s:i,s:[s,s]}", "title", "Sentiment",
		    "label_config", CONFIG, "reward", reward, "overlap", overlap, "reject_reasons", "spam", "wrong");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "draft");
	long long id = jint(r.json, "id");
	res_free(&r);
	return id;
}

static res import(long long pid, const char *token, const char *ctype, const char *body)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	return http(&S, "POST", path, token, ctype, body, strlen(body), NULL);
}

static void post_ok(const char *path, const char *token, int want)
{
	res r = api(&S, "POST", path, token, NULL);
	cr_assert_eq(r.status, want, "%s: %s", path, r.body);
	res_free(&r);
}

/* A live project with n tasks, funded. */
static long long live_project(int ntasks, int overlap)
{
	long long pid = create_project(S.req, 5, overlap);
	char body[65536];
	project_import(&S, pid, S.req, ndjson_lines(body, sizeof body, "{\"text\":\"item %d\"}\n", ntasks));
	project_fund(&S, pid, S.req, 1000000);
	project_publish(&S, pid, S.req);
	return pid;
}

static res submit(long long aid, const char *token, const char *choice)
{
	return submit_choice(&S, aid, token, "sentiment", choice, json_integer(0));
}


Test(work, project_create_rejects_bad_fields)
{
	res r = api(&S, "POST", "/api/v1/projects", S.c[0], "{s:s,s:s}", "title", "x", "label_config", CONFIG);
	cr_expect_eq(r.status, 403, "contributors cannot create projects");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s}", "label_config", CONFIG);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "title");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i}", "title", "x", "label_config", CONFIG, "reward",
		-1);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "reward");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:s}", "title", "x", "label_config", CONFIG, "overlap",
		"3");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "invalid_type");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s}", "title", "x", "label_config",
		"<View><Choices name=\"c\" toName=\"nothing\"><Choice value=\"a\"/></Choices></View>");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "label_config");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s}", "title", "x", "label_config",
		"<View><Bogus/></View>");
	cr_expect_eq(r.status, 400);
	cr_expect(strstr(jstr(r.json, "error.message"), "Bogus"), "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:s,s:s}", "title", "x", "label_config", CONFIG,
		"opens_at", "2030-01-02T00:00:00Z", "closes_at", "2030-01-01T00:00:00Z");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "closes_at");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:f}", "title", "x", "label_config", CONFIG,
		"gold_rate", 1.5);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:{s:i}}", "title", "x", "label_config", CONFIG,
		"eligibility", "countries", 1);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "eligibility.countries");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s}", "title", "rec", "kind", "collection");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.media");
	res_free(&r);
}

Test(work, other_peoples_projects_are_invisible)
{
	long long pid = create_project(S.req, 5, 1);
	char other[64], path[96];
	make_user(&S, "req2@test.local", "requester", other);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "a draft of someone else is not found");
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "PATCH", path, other, "{s:s}", "title", "mine now");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = import(pid, other, "application/json", "[{\"text\":\"x\"}]");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/projects", other, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/projects/999999", S.req, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(work, import_all_or_nothing_names_the_line)
{
	long long pid = create_project(S.req, 5, 1);
	res r = import(pid, S.req, "application/x-ndjson", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\": oops}\n");
	cr_expect_eq(r.status, 400);
	cr_expect(strstr(jstr(r.json, "error.message"), "line 3"), "%s", r.body);
	res_free(&r);
	r = import(pid, S.req, "application/json", "[{\"text\":\"a\"}, 42]");
	cr_expect_eq(r.status, 400);
	cr_expect(strstr(jstr(r.json, "error.message"), "element 2"), "%s", r.body);
	res_free(&r);
	r = import(pid, S.req, "application/json", "[{\"data\":{\"text\":\"a\"},\"bogus\":1}]");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "bogus");
	res_free(&r);
	r = import(pid, S.req, "application/json", "[{\"data\":{\"text\":\"a\"},\"priority\":\"high\"}]");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = import(pid, S.req, "application/json", "{\"text\":\"not an array\"}");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = import(pid, S.req, "application/json", "[{\"text\":\"a\"}");
	cr_expect_eq(r.status, 400, "unterminated array");
	res_free(&r);
	r = import(pid, S.req, "text/csv", "text,label\n\"a, with comma\",x\nb\n");
	cr_expect_eq(r.status, 400);
	cr_expect(strstr(jstr(r.json, "error.message"), "line 3"), "%s", r.body);
	res_free(&r);
	r = import(pid, S.req, "text/plain", "hello");
	cr_expect_eq(r.status, 415);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 0, "nothing from the failed imports was stored");
	res_free(&r);
	/* the good ones, in every format */
	r = import(pid, S.req, "application/json",
		   "[{\"text\":\"a\"},\n {\"data\":{\"text\":\"b \\\"]\"},\"priority\":3,\"gold\":{\"sentiment\":\"pos\"}}]");
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	r = import(pid, S.req, "text/csv", "text,source\r\n\"quoted \"\"x\"\", here\",web\r\nplain,app\r\n");
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=10", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 4);
	cr_expect_str_eq(jstr(r.json, "items.1.data.text"), "b \"]");
	cr_expect_eq(jint(r.json, "items.1.priority"), 3);
	cr_expect_str_eq(jstr(r.json, "items.2.data.text"), "quoted \"x\", here");
	cr_expect_str_eq(jstr(r.json, "items.3.data.source"), "app");
	res_free(&r);
	/* a pretty-printed element spans lines; the JSONL export must not */
	r = import(pid, S.req, "application/json", "[\n  {\n    \"text\": \"pretty\"\n  }\n]\n");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export", pid);
	r = api(&S, "GET", path, S.req, NULL);
	int lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(r.body, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
		json_t *j = json_loads(l, 0, NULL);
		cr_expect(j, "export line %d is not JSON: %s", lines + 1, l);
		json_decref(j);
	}
	cr_expect_eq(lines, 5);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=0", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
}

/* The import's fast path (src/work/import_scan.c) takes plain lines and queues
 * them for multi-row INSERTs; whatever it cannot take goes to jansson, whose
 * error names the line as before — here after 300 queued tasks, 9 batches
 * and the full-text index's suspension. */
Test(work, import_fast_path_falls_back_with_the_exact_error)
{
	long long pid = create_project(S.req, 5, 1);
	static const struct {
		const char *line, *code, *msg;
	} bad[] = {
		{"{\"text\":\"a\",\"text\":\"b\"}", "invalid_json", "line 301: not valid JSON: duplicate object key"},
		{"{\"other\":\"no text\"}", "missing_field",
		 "line 301: the task has no 'text', which the labelling config reads as $text."},
		{"{\"text\":null}", "missing_field", "line 301: the task has no 'text'"},
		{"{\"data\":{\"text\":\"a\"},\"priority\":1.5}", "invalid_type",
		 "line 301: 'priority' must be an integer."},
		{"{\"data\":{\"text\":\"a\"},\"bogus\":1}", "unknown_field", "line 301: unknown field 'bogus'"},
		{"{\"data\":[1]}", "invalid_type", "line 301: 'data' must be an object."},
		{"{\"text\":\"\\u0000\"}", "invalid_json", "line 301: not valid JSON: "},
		{"{\"text\":\"x\",\"n\":99999999999999999999}", "invalid_json",
		 "line 301: not valid JSON: too big integer"},
		{"{\"text\":\"\xc3\"}", "invalid_json", "line 301: not valid JSON: "},
		{"{\"text\":\"x\"} {", "invalid_json", "line 301: not valid JSON: "},
		{"{\"text\":\"x\",\"n\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		 "too_deep", "line 301: the task nests more than 64 levels"},
	};
	static char body[65536];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ndjson_lines(body, sizeof body, "{\"text\":\"fine %d\"}\n", 300);
		strcat(body, bad[i].line);
		strcat(body, "\n{\"text\":\"after\"}\n");
		res r = import(pid, S.req, "application/x-ndjson", body);
		cr_expect_eq(r.status, 400, "case %zu: %s", i, r.body);
		cr_expect_str_eq(jstr(r.json, "error.code") ? jstr(r.json, "error.code") : "", bad[i].code,
				 "case %zu: %s", i, r.body);
		const char *msg = jstr(r.json, "error.message");
		cr_expect(msg && !strncmp(msg, bad[i].msg, strlen(bad[i].msg)), "case %zu: %s", i, r.body);
		res_free(&r);
	}
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 0, "nothing from the failed imports was stored");
	res_free(&r);
	/* fast and slow lines mixed keep the input's order; 40 more fill a batch */
	snprintf(body, sizeof body, "%s",
		 "{\"text\":\"f1\"}\n"
		 "{\"data\":{\"text\":\"s2\"},\"gold\":{\"sentiment\":\"pos\"}}\n"
		 "{\"data\":{\"text\":\"f3\"},\"priority\":2,\"id\":77}\n"
		 "{\"data\":{\"text\":\"s4\"},\"meta\":{\"m\":1}}\n"
		 "{\"data\": {\"text\": \"s5 not compact\"}}\n"
		 "{\"text\" : \"f6 as given\"}\n");
	ndjson_lines(body + strlen(body), sizeof body - strlen(body), "{\"text\":\"more %d\"}\n", 40);
	r = import(pid, S.req, "application/x-ndjson", body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 46);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=7", pid);
	r = api(&S, "GET", path, S.req, NULL);
	static const char *const order[] = {"f1", "s2", "f3", "s4", "s5 not compact", "f6 as given", "more 0"};
	for (int i = 0; i < 7; i++) {
		char key[32];
		snprintf(key, sizeof key, "items.%d.data.text", i);
		cr_expect_str_eq(jstr(r.json, key) ? jstr(r.json, key) : "", order[i], "task %d", i + 1);
	}
	cr_expect_eq(jint(r.json, "items.2.priority"), 2);
	cr_expect_eq(jint(r.json, "items.0.priority"), 0);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 46);
	res_free(&r);
}

/* Past 256 tasks an import drops the per-row triggers on tasks and does their
 * work once at the end (store.c: fc_db_task_text_bulk_*): the data manager's
 * counters and a qualification test's questions (open to everyone) come out
 * as the triggers make them, with gold and annotated tasks on either side of
 * the switch. */
Test(work, bulk_import_keeps_counters_and_qualification_targets)
{
	static char body[131072];
	size_t len = 0;
	for (int i = 0; i < 300; i++) {
		const char *fmt = i % 50 == 7   ? "{\"data\":{\"text\":\"g%d\"},\"gold\":{\"sentiment\":\"pos\"}}\n"
				  : i % 50 == 9 ? "{\"data\":{\"text\":\"a%d\"},\"annotations\":["
						  "{\"completed_by\":\"w1\",\"result\":" ANSWER "},"
						  "{\"completed_by\":\"w2\",\"result\":" ANSWER "}]}\n"
						: "{\"text\":\"t%d\"}\n";
		len += (size_t)snprintf(body + len, sizeof body - len, fmt, i);
		cr_assert_lt(len, sizeof body);
	}
	for (int q = 0; q < 2; q++) {
		res r = q ? api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i,s:i,s:{s:s,s:f}}", "title", "Q",
				"label_config", CONFIG, "reward", 0, "overlap", 1, "qualification", "grants", "bulk-q",
				"pass_mark", 0.5)
			  : api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i,s:i}", "title", "P",
				"label_config", CONFIG, "reward", 5, "overlap", 1);
		cr_assert_eq(r.status, 201, "%s", r.body);
		long long pid = jint(r.json, "id");
		res_free(&r);
		r = import(pid, S.req, "application/x-ndjson", body);
		cr_assert_eq(r.status, 201, "%s", r.body);
		res_free(&r);
		char path[96];
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=1", pid);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(jint(r.json, "counts.total"), 300);
		cr_expect_eq(jint(r.json, "counts.gold"), 6);
		cr_expect_eq(jint(r.json, "counts.with_results"), 6);
		/* two answers close a task of overlap 1, not a qualification question */
		cr_expect_eq(jint(r.json, "counts.open"), q ? 300 : 294, "project %d: %s", q, r.body);
		res_free(&r);
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?state=open&limit=500", pid);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(json_array_size(jget(r.json, "items")), q ? 300 : 294, "the open tasks themselves");
		res_free(&r);
	}
}

Test(work, lifecycle_rules)
{
	long long pid = create_project(S.req, 5, 2);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	res r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 409, "no tasks yet");
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_tasks");
	res_free(&r);
	r = import(pid, S.req, "application/json", "[{\"text\":\"a\"},{\"text\":\"b\"}]");
	res_free(&r);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 409, "not funded: 2 tasks x 2 x 5");
	cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_funds");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
	r = api(&S, "POST", path, S.req, "{s:i}", "amount", 20);
	cr_expect_eq(r.status, 201);
	cr_expect_eq(jint(r.json, "escrow_needed"), 20);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:i}", "amount", -5);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:i}", "amount", 5);
	cr_expect_eq(r.status, 404, "a draft is invisible to contributors");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "live");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403, "visible now, but not theirs");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "PATCH", path, S.req, "{s:i}", "reward", 1);
	cr_expect_eq(r.status, 409, "reward is fixed once live");
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:s}", "kind", "collection");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:s}", "title", "Renamed");
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "title"), "Renamed");
	res_free(&r);
	/* adding tasks to a live project needs escrow for them too */
	r = import(pid, S.req, "application/json", "[{\"text\":\"c\"}]");
	cr_expect_eq(r.status, 409, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/pause", pid);
	post_ok(path, S.req, 200);
	post_ok(path, S.req, 409);
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 409, "paused projects hand out nothing");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/close", pid);
	post_ok(path, S.req, 200);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	post_ok(path, S.req, 409);
}

Test(work, lease_submit_release_rules)
{
	long long pid = live_project(2, 1);
	res r = lease(&S, pid, S.c[0]);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long a1 = jint(r.json, "id");
	cr_expect_null(jget(r.json, "task.gold"), "gold answers are never sent to contributors");
	res_free(&r);
	/* another contributor cannot touch it */
	r = submit(a1, S.c[1], "pos");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	/* results are validated against the config */
	r = submit(a1, S.c[0], "maybe");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "invalid_result");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", a1);
	r = api(&S, "POST", path, S.c[0], "{s:[]}", "result");
	cr_expect_eq(r.status, 400, "the required control is missing");
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "result", "pos");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = http(&S, "POST", path, S.c[0], "application/json", "{\"result\":", 10, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = submit(a1, S.c[0], "pos");
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "pending");
	res_free(&r);
	r = submit(a1, S.c[0], "pos");
	cr_expect_eq(r.status, 409, "double submit without a key");
	cr_expect_str_eq(jstr(r.json, "error.code"), "already_submitted");
	res_free(&r);
	/* overlap 1: c1 gets the other task, then nothing */
	r = lease(&S, pid, S.c[0]);
	cr_assert_eq(r.status, 201);
	long long a2 = jint(r.json, "id");
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 204, "both tasks are taken (one submitted, one leased)");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/release", a2);
	r = api(&S, "POST", path, S.c[1], NULL);
	cr_expect_eq(r.status, 404, "not theirs");
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 204);
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 409, "released twice");
	res_free(&r);
	r = submit(a2, S.c[0], "neg");
	cr_expect_eq(r.status, 409, "released work cannot be submitted");
	res_free(&r);
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 204, "never the task they released again");
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 201, "the released task went back to the pool");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1);
	cr_expect_str_eq(jstr(r.json, "items.0.status"), "pending");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/assignments/999999/submit", S.c[0], "{s:[]}", "result");
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(work, idempotent_submit_returns_the_first_answer)
{
	long long pid = live_project(1, 1);
	res r = lease(&S, pid, S.c[0]);
	long long a = jint(r.json, "id");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", a);
	const char *body =
		"{\"result\":[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"pos\"]}}],\"active_seconds\":3}";
	const char *key[] = {"Idempotency-Key: submit-abc", NULL};
	res r1 = http(&S, "POST", path, S.c[0], "application/json", body, strlen(body), key);
	res r2 = http(&S, "POST", path, S.c[0], "application/json", body, strlen(body), key);
	cr_expect_eq(r1.status, 201);
	cr_expect_eq(r2.status, 201);
	cr_expect_eq(jint(r1.json, "id"), jint(r2.json, "id"));
	char h[16];
	cr_expect(res_header(&r2, "Idempotent-Replayed", h, sizeof h));
	res_free(&r1);
	res_free(&r2);
	const char *other =
		"{\"result\":[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"neg\"]}}]}";
	r = http(&S, "POST", path, S.c[0], "application/json", other, strlen(other), key);
	cr_expect_eq(r.status, 422, "same key, different body");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "submissions.pending"), 1, "stored once");
	res_free(&r);
}

Test(work, lease_expiry_with_test_clock)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long pid = live_project(1, 1);
	res r = lease(&S, pid, S.c[0]);
	cr_assert_eq(r.status, 201);
	long long a = jint(r.json, "id");
	cr_expect_str_eq(jstr(r.json, "expires_at"), "2030-01-01T00:30:00Z");
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 204);
	res_free(&r);
	set_clock(&S, "2030-01-01T00:30:01Z");
	r = submit(a, S.c[0], "pos");
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "lease_expired");
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 201, "the expired lease returned the task to the pool");
	res_free(&r);
}

Test(work, window_cap_consent_and_eligibility)
{
	long long pid = live_project(5, 1);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "PATCH", path, S.req, "{s:i}", "max_per_contributor", 1);
	cr_expect_eq(r.status, 200);
	res_free(&r);
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 201);
	res_free(&r);
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 204, "the cap is one");
	char h[64];
	cr_expect(res_header(&r, "X-Faircrowd-Reason", h, sizeof h) && !strcmp(h, "limit_reached"));
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent", pid);
	r = api(&S, "PUT", path, S.req, "{s:s,s:s}", "text", "We record your labels.", "version", "v1");
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = api(&S, "PUT", path, S.c[0], "{s:s,s:s}", "text", "x", "version", "v2");
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "consent_required");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent/accept", pid);
	r = api(&S, "POST", path, S.c[1], "{s:s}", "version", "v0");
	cr_expect_eq(r.status, 409);
	res_free(&r);
	r = api(&S, "POST", path, S.c[1], "{s:s}", "version", "v1");
	cr_expect_eq(r.status, 201);
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 201);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "PATCH", path, S.req, "{s:{s:[s]}}", "eligibility", "countries", "NO");
	cr_expect_eq(r.status, 200);
	res_free(&r);
	char c3[64];
	make_user(&S, "c3@test.local", "contributor", c3);
	r = api(&S, "GET", "/api/v1/projects", c3, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "ineligible projects are not listed");
	res_free(&r);
	r = lease(&S, pid, c3);
	cr_expect_eq(r.status, 403);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_eligible");
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:{},s:s}", "eligibility", "closes_at", "2000-01-01T00:00:00Z");
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = lease(&S, pid, c3);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "outside_window");
	res_free(&r);
}

Test(work, export_jsonl_has_every_submission)
{
	long long pid = live_project(2, 2);
	for (int u = 0; u < 2; u++) {
		const char *tok = u ? S.c[1] : S.c[0];
		for (int i = 0; i < 2; i++) {
			res r = lease(&S, pid, tok);
			cr_assert_eq(r.status, 201);
			long long a = jint(r.json, "id");
			res_free(&r);
			r = submit(a, tok, u ? "neg" : "pos");
			cr_assert_eq(r.status, 201);
			res_free(&r);
		}
	}
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=jsonl", pid);
	res r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403, "contributors do not export");
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200);
	int lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(r.body, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(l, 0, NULL);
		cr_assert(j, "line %d is not JSON: %s", lines + 1, l);
		cr_expect_eq(json_array_size(json_object_get(j, "annotations")), 2);
		cr_expect_str_eq(jstr(j, "annotations.0.result.0.value.choices.0"), "pos");
		json_decref(j);
		lines++;
	}
	cr_expect_eq(lines, 2);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=xml", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "tasks.done"), 2);
	cr_expect_eq(jint(r.json, "contributors"), 2);
	/* c1 always says pos and c2 always neg: perfect disagreement */
	cr_expect(json_real_value(jget(r.json, "agreement.alpha_nominal")) < 0, "%s", r.body);
	res_free(&r);
}

/* Many contributors on one project with overlap 3 until it is done. */
#define WORKERS 8
#define TASKS 30
static long long CONC_PID;
static char TOKENS[WORKERS][64];
static srv *SERVERS[3] = {&S, &S, &S}; /* worker i talks to SERVERS[i % 3] */

static void *worker(void *arg)
{
	const char *tok = TOKENS[(long)arg];
	srv *on = SERVERS[(long)arg % 3];
	for (;;) {
		res r = lease(on, CONC_PID, tok);
		if (r.status == 204) {
			res_free(&r);
			return NULL;
		}
		if (r.status != 201) {
			res_free(&r);
			return (void *)1;
		}
		long long a = jint(r.json, "id");
		res_free(&r);
		r = submit_choice(on, a, tok, "sentiment", "pos", json_integer(0));
		long st = r.status;
		res_free(&r);
		if (st != 201)
			return (void *)2;
	}
}

static void run_to_done_and_check(void);

Test(work, concurrency_exact_overlap, .timeout = 300) { run_to_done_and_check(); }

/* The same with three servers on one PostgreSQL database, the contributors
 * spread across them: write transactions are serialised across servers,
 * so overlap, counters and the ledger hold as with one. */
Test(work, three_servers_on_one_database, .timeout = 300)
{
	if (!*S.database)
		srv_skip(&S, "PostgreSQL pass only: there servers can share a database");
	srv more[2];
	srv_start_shared(&more[0], &S);
	srv_start_shared(&more[1], &S);
	SERVERS[1] = &more[0];
	SERVERS[2] = &more[1];
	run_to_done_and_check();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "'%s' ledger check --database '%s' >/dev/null 2>&1", getenv("FC_BINARY"), S.database);
	cr_expect_eq(system(cmd), 0, "the ledger balances");
	srv_stop(&more[0]);
	srv_stop(&more[1]);
}

static void run_to_done_and_check(void)
{
	for (int i = 0; i < WORKERS; i++) {
		char email[64];
		snprintf(email, sizeof email, "w%d@test.local", i);
		make_user(&S, email, "contributor", TOKENS[i]);
	}
	CONC_PID = live_project(TASKS, 3);
	pthread_t th[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < WORKERS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_expect_null(ret, "worker %d failed (%ld)", i, (long)ret);
	}
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export", CONC_PID);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200);
	int lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(r.body, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(l, 0, NULL);
		json_t *ann = json_object_get(j, "annotations");
		cr_expect_eq(json_array_size(ann), 3, "task %lld has %zu submissions", jint(j, "id"),
			     json_array_size(ann));
		/* contributors appear as pseudonyms (hex strings) */
		const char *u0 = jstr(j, "annotations.0.completed_by"), *u1 = jstr(j, "annotations.1.completed_by"),
			   *u2 = jstr(j, "annotations.2.completed_by");
		cr_assert(u0 && u1 && u2);
		cr_expect(strcmp(u0, u1) && strcmp(u1, u2) && strcmp(u0, u2), "three different contributors");
		json_decref(j);
		lines++;
	}
	cr_expect_eq(lines, TASKS);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", CONC_PID);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "tasks.done"), TASKS);
	cr_expect_eq(jint(r.json, "submissions.pending"), TASKS * 3, "counters equal the recount");
	cr_expect_eq(jint(r.json, "active_leases"), 0);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=1000", CONC_PID);
	r = api(&S, "GET", path, S.req, NULL);
	size_t i;
	json_t *t;
	json_array_foreach(jget(r.json, "items"), i, t) {
		cr_expect_eq(jint(t, "submitted_count"), 3);
		cr_expect_eq(jint(t, "leased_count"), 0);
		cr_expect(json_is_false(json_object_get(t, "open")));
	}
	res_free(&r);
}

/* A 2xx means durable: what was acknowledged survives kill -9. */
Test(work, acknowledged_writes_survive_a_crash)
{
	long long pid = live_project(3, 1);
	long long sids[3];
	for (int i = 0; i < 3; i++) {
		res r = lease(&S, pid, S.c[0]);
		cr_assert_eq(r.status, 201);
		long long a = jint(r.json, "id");
		res_free(&r);
		r = submit(a, S.c[0], i ? "neg" : "pos");
		cr_assert_eq(r.status, 201);
		sids[i] = jint(r.json, "id");
		res_free(&r);
	}
	srv_restart(&S, SIGKILL);
	res r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 3);
	cr_expect_eq(jint(r.json, "items.0.id"), sids[2]);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "tasks.done"), 3);
	res_free(&r);
}

/* Issue #19's planted bugs: the submit-time checks, without the expiry job
 * (which the test clock otherwise runs first) doing their work. */
Test(work, submit_after_the_lease_ended_is_refused_before_the_expiry_job_runs)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long pid = live_project(1, 1);
	long long a = lease_ok(&S, pid, S.c[0]);
	res r = api(&S, "POST", "/api/v1/admin/clock", S.admin_token, "{s:s,s:b}", "now", "2030-01-01T00:30:20Z",
		    "run_jobs", 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "jobs.leases_expired"), 0, "the job did not run");
	res_free(&r);
	r = submit(a, S.c[0], "pos");
	cr_expect_eq(r.status, 409, "20 s after the lease ended: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "lease_expired");
	res_free(&r);
}

Test(work, second_submit_with_another_key_is_already_submitted)
{
	long long pid = live_project(1, 1);
	long long a = lease_ok(&S, pid, S.c[0]);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", a);
	const char *body = "{\"result\":[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":\"choices\","
			   "\"value\":{\"choices\":[\"pos\"]}}]}";
	const char *key1[] = {"Idempotency-Key: first", NULL}, *key2[] = {"Idempotency-Key: second", NULL};
	res r = http(&S, "POST", path, S.c[0], "application/json", body, strlen(body), key1);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	const char *const *again[] = {key2, NULL};
	for (int i = 0; i < 2; i++) {
		r = http(&S, "POST", path, S.c[0], "application/json", body, strlen(body), again[i]);
		cr_expect_eq(r.status, 409, "%s key: %s", i ? "no" : "another", r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), "already_submitted");
		res_free(&r);
	}
}
