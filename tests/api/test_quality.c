/* Contributor quality: gold scoring and pausing, qualification tests that
 * unlock other projects, dynamic overlap, the per-contributor figures, and
 * the unhappy paths. */
#include "harness.h"
#include <criterion/criterion.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static char REQ2[64];
static void up(void)
{
	suite_with_users(&S, 5);
	make_user(&S, "req2@test.local", "requester", REQ2);
}
static void down(void) { srv_stop(&S); }
TestSuite(quality, .init = up, .fini = down, .timeout = 180);

static const char CONFIG[] = YES_NO_CONFIG;

static res post_json(const char *method, const char *path, const char *tok, json_t *body)
{
	char *txt = json_dumps(body, JSON_COMPACT);
	res r = http(&S, method, path, tok, "application/json", txt, strlen(txt), NULL);
	free(txt);
	return r;
}

/* Creates a draft from the defaults plus `extra` (stolen) and imports the
 * NDJSON tasks. */
static long long draft(json_t *extra, const char *ndjson)
{
	json_t *b = json_pack("{s:s,s:s,s:i,s:i,s:i,s:[s]}", "title", "Quality", "label_config", CONFIG, "reward", 0,
			      "overlap", 1, "lease_seconds", 7200, "reject_reasons", "wrong_answer");
	json_object_update(b, extra);
	json_decref(extra);
	long long pid = project_create(&S, S.req, b);
	project_import(&S, pid, S.req, ndjson);
	return pid;
}

/* Funds the project with amount and tries to publish it: the response. */
static res fund_publish(long long pid, long long amount)
{
	project_fund(&S, pid, S.req, amount);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	return api(&S, "POST", path, S.req, NULL);
}

/* A draft (see draft()), funded and published. */
static long long project(json_t *extra, const char *ndjson)
{
	long long pid = draft(extra, ndjson);
	res r = fund_publish(pid, 100000);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	return pid;
}

static res submit(long long aid, const char *tok, const char *choice, double secs)
{
	return submit_choice(&S, aid, tok, "label", choice, json_real(secs));
}

/* Leases one task and answers it with answer(text); returns the text. */
typedef const char *(*answer_fn)(const char *text);
static void work(long long pid, const char *tok, answer_fn answer, char *text_out, size_t n)
{
	res r = lease(&S, pid, tok);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_null(jget(r.json, "task.gold"), "gold is never shown before submission");
	long long aid = jint(r.json, "id");
	const char *text = jstr(r.json, "task.data.text");
	if (text_out)
		snprintf(text_out, n, "%s", text);
	const char *choice = answer(text);
	res_free(&r);
	r = submit(aid, tok, choice, 5);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

static res get(const char *tok, const char *fmt, long long id)
{
	char path[128];
	snprintf(path, sizeof path, fmt, id);
	return api(&S, "GET", path, tok, NULL);
}

static const char *always_no(const char *text) { return (void)text, "no"; }
static const char *always_yes(const char *text) { return (void)text, "yes"; }

static const char GOLD_TASKS[] =
	"{\"text\":\"plain\"}\n"
	"{\"data\":{\"text\":\"g1\"},\"gold\":{\"label\":\"yes\"}}\n"
	"{\"data\":{\"text\":\"g2\"},\"gold\":[{\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"choices\","
	"\"value\":{\"choices\":[\"yes\"]}}]}\n"
	"{\"data\":{\"text\":\"g3\"},\"gold\":{\"label\":[\"yes\"]}}\n"
	"{\"data\":{\"text\":\"g4\"},\"gold\":{\"label\":\"yes\"}}\n";


/* A contributor's pseudonym in a project, computed here from the project's
 * salt as read from the database: hex SHA-256 of "salt:user id". */
static void pseudonym_of(long long pid, long long uid, char out[65])
{
	char q[1200], salt[64] = "";
	if (*S.database)
		snprintf(q, sizeof q, "psql '%s' -At -c \"SELECT salt FROM project_salts WHERE project_id=%lld\"",
			 S.database, pid);
	else
		snprintf(q, sizeof q,
			 "sqlite3 -cmd '.timeout 5000' '%s/faircrowd.db' \"SELECT salt FROM project_salts WHERE "
			 "project_id=%lld\"",
			 S.dir, pid);
	FILE *p = popen(q, "r");
	cr_assert(p);
	cr_assert(fgets(salt, sizeof salt, p), "project %lld has no pseudonym salt", pid);
	pclose(p);
	salt[strcspn(salt, "\n")] = 0;
	char txt[128];
	int n = snprintf(txt, sizeof txt, "%s:%lld", salt, uid);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)txt, (size_t)n);
	sodium_bin2hex(out, 65, h, sizeof h);
}

Test(quality, gold_wrong_answers_pause_with_evidence)
{
	long long pid = project(json_pack("{s:i,s:f,s:i}", "overlap", 2, "gold_threshold", 0.8, "gold_min_answers", 3),
				GOLD_TASKS);
	/* the bad contributor: the plain task, then three gold questions wrong */
	for (int i = 0; i < 4; i++)
		work(pid, S.c[0], always_no, NULL, 0);
	res r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "paused_for_quality");
	cr_expect(strstr(jstr(r.json, "error.message"), "0 of your 3") != NULL, "%s", jstr(r.json, "error.message"));
	cr_expect(strstr(jstr(r.json, "error.message"), "80%") != NULL, "%s", jstr(r.json, "error.message"));
	res_free(&r);
	r = get(S.c[0], "/api/v1/projects/%lld/my-quality", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "gold_answered"), 3);
	cr_expect_eq(jint(r.json, "gold_correct"), 0);
	cr_expect_float_eq(json_number_value(jget(r.json, "accuracy")), 0.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "ci_low")), 0.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "ci_high")), 0.5615, 1e-3); /* Wilson 0/3 */
	cr_expect(json_is_true(jget(r.json, "paused")));
	cr_expect(strstr(jstr(r.json, "reason"), "paused") != NULL);
	cr_expect_eq(jint(r.json, "evidence.gold_answered"), 3);
	cr_expect_float_eq(json_number_value(jget(r.json, "evidence.threshold")), 0.8, 1e-9);
	res_free(&r);
	/* after submitting, each gold submission says whether it was right */
	r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 4);
	for (int i = 0; i < 3; i++) {
		char key[64];
		snprintf(key, sizeof key, "items.%d.gold_correct", i);
		cr_expect(json_is_false(jget(r.json, key)), "%s", key);
	}
	cr_expect_null(jget(r.json, "items.3.gold_correct"), "the plain task is not gold");
	res_free(&r);

	/* the good contributor answers right and keeps working */
	for (int i = 0; i < 4; i++)
		work(pid, S.c[1], always_yes, NULL, 0);
	r = get(S.c[1], "/api/v1/projects/%lld/my-quality", pid);
	cr_expect_eq(jint(r.json, "gold_correct"), 3);
	cr_expect_float_eq(json_number_value(jget(r.json, "accuracy")), 1.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "ci_low")), 0.4385, 1e-3);
	cr_expect(json_is_false(jget(r.json, "paused")));
	cr_expect(json_is_null(jget(r.json, "reason")));
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/submissions", S.c[1], NULL);
	cr_expect(json_is_true(jget(r.json, "items.0.gold_correct")));
	res_free(&r);
	r = lease(&S, pid, S.c[1]);
	cr_expect_eq(r.status, 201, "not paused: %s", r.body);
	res_free(&r);

	/* the team sees the pause; the owner can lift it, and the count starts afresh */
	r = get(S.req, "/api/v1/projects/%lld/contributors", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.user_id"), S.c_id[0]);
	cr_expect(json_is_true(jget(r.json, "items.0.paused")));
	cr_expect(json_is_false(jget(r.json, "items.1.paused")));
	res_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/contributors/%lld/unpause", pid, S.c_id[0]);
	r = api(&S, "POST", path, S.c[1], NULL);
	cr_expect_eq(r.status, 403, "a contributor cannot lift a pause");
	res_free(&r);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 404, "not paused any more");
	res_free(&r);
	work(pid, S.c[0], always_no, NULL, 0);
	r = get(S.c[0], "/api/v1/projects/%lld/my-quality", pid);
	cr_expect(json_is_false(jget(r.json, "paused")), "one new wrong answer is not yet evidence");
	cr_expect_eq(jint(r.json, "gold_answered"), 4);
	res_free(&r);
}

/* Test answers: g1 yes, g2 no, g3 yes. */
static const char *two_right(const char *text) { return (void)text, "yes"; } /* q2 is wrong */
static const char *one_right(const char *text)
{
	return !strcmp(text, "q1") ? "yes" : !strcmp(text, "q2") ? "yes" : "no";
}

static res retake(long long pid, const char *tok)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/qualification/retake", pid);
	return api(&S, "POST", path, tok, NULL);
}

/* The wrong answers of a result as "given->expected" pairs, sorted and
 * comma-joined (the order questions are asked in is random). */
static const char *wrong_answers(json_t *result)
{
	static char out[256];
	char items[16][32];
	int n = 0;
	size_t i;
	json_t *a;
	json_array_foreach(jget(result, "answers"), i, a) {
		if (n < 16 && !json_is_true(json_object_get(a, "correct")))
			snprintf(items[n++], sizeof items[0], "%s->%s",
				 json_is_null(jget(a, "your_answer")) ? "skipped" : jstr(a, "your_answer.label"),
				 jstr(a, "correct_answer.label"));
	}
	qsort(items, (size_t)n, sizeof items[0], (int (*)(const void *, const void *))strcmp);
	out[0] = 0;
	for (int k = 0; k < n; k++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", k ? "," : "", items[k]);
	return out;
}

Test(quality, qualification_pass_fail_and_eligibility)
{
	const char *qs = "{\"data\":{\"text\":\"q1\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q2\"},\"gold\":{\"label\":\"no\"}}\n"
			 "{\"data\":{\"text\":\"q3\"},\"gold\":{\"label\":\"yes\"}}\n";
	long long test =
		project(json_pack("{s:{s:s,s:f}}", "qualification", "grants", "sentiment-basic", "pass_mark", 0.66), qs);
	long long work_pid = project(json_pack("{s:{s:[s]}}", "eligibility", "qualifications", "sentiment-basic"),
				     "{\"text\":\"real work\"}\n");
	res r = lease(&S, work_pid, S.c[0]);
	cr_expect_eq(r.status, 403, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_eligible");
	res_free(&r);
	/* the board counts a test's questions although they are all gold */
	r = api(&S, "GET", "/api/v1/projects", S.c[0], NULL);
	size_t bi;
	json_t *bp;
	int on_board = 0;
	json_array_foreach(jget(r.json, "items"), bi, bp) {
		if (jint(bp, "id") == test) {
			cr_expect_eq(jint(bp, "tasks_available"), 3, "%s", r.body);
			on_board = 1;
		}
	}
	cr_expect(on_board, "the test is on the board");
	res_free(&r);

	work(test, S.c[0], two_right, NULL, 0);
	r = get(S.c[0], "/api/v1/projects/%lld/qualification/result", test);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "test_not_finished");
	res_free(&r);
	work(test, S.c[0], two_right, NULL, 0);
	work(test, S.c[0], two_right, NULL, 0);
	r = get(S.c[0], "/api/v1/projects/%lld/qualification/result", test);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "passed")));
	cr_expect_float_eq(json_number_value(jget(r.json, "score")), 2.0 / 3, 1e-9);
	cr_expect_eq(jint(r.json, "questions"), 3);
	cr_expect_eq(json_array_size(jget(r.json, "answers")), 3);
	cr_expect_str_eq(wrong_answers(r.json), "yes->no", "q2 was answered wrong: %s", r.body);
	cr_expect_eq(jint(r.json, "attempt"), 1);
	cr_expect_eq(jint(r.json, "attempts_allowed"), 1);
	cr_expect_eq(jint(r.json, "retakes_left"), 0);
	cr_expect(json_is_false(jget(r.json, "retake.available")));
	cr_expect_str_eq(jstr(r.json, "retake.code"), "test_passed");
	res_free(&r);
	r = lease(&S, work_pid, S.c[0]);
	cr_expect_eq(r.status, 201, "the granted qualification unlocks the project: %s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/projects", S.c[0], NULL);
	int listed = 0;
	for (size_t i = 0; i < json_array_size(jget(r.json, "items")); i++)
		listed |= json_integer_value(jget(json_array_get(jget(r.json, "items"), i), "id")) == work_pid;
	cr_expect(listed, "the project is now listed for them");
	res_free(&r);

	/* a second contributor gets every question too (the test never fills), and fails */
	for (int i = 0; i < 3; i++)
		work(test, S.c[1], one_right, NULL, 0);
	r = lease(&S, test, S.c[1]);
	cr_expect_eq(r.status, 204, "nothing more: retakes are 0");
	res_free(&r);
	r = get(S.c[1], "/api/v1/projects/%lld/qualification/result", test);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_false(jget(r.json, "passed")));
	cr_expect_float_eq(json_number_value(jget(r.json, "score")), 1.0 / 3, 1e-9);
	cr_expect_str_eq(wrong_answers(r.json), "no->yes,yes->no", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "retake.code"), "no_retakes_left");
	res_free(&r);
	r = retake(test, S.c[1]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_retakes_left");
	res_free(&r);
	r = lease(&S, work_pid, S.c[1]);
	cr_expect_eq(r.status, 403, "failed: still not eligible");
	res_free(&r);
	r = get(S.c[2], "/api/v1/projects/%lld/qualification/result", work_pid);
	cr_expect_eq(r.status, 404);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_qualification");
	res_free(&r);
}

/* Leases a question of a test; returns the assignment id and sets *task,
 * or 0 when the lease answered 204 (reason in why). */
static long long lease_q(long long pid, const char *tok, long long *task, char *why, size_t n)
{
	res r = lease(&S, pid, tok);
	long long aid = 0;
	if (r.status == 201) {
		aid = jint(r.json, "id");
		*task = jint(r.json, "task.id");
	} else {
		cr_expect_eq(r.status, 204, "%s", r.body);
		res_header(&r, "X-Faircrowd-Reason", why, n);
	}
	res_free(&r);
	return aid;
}

Test(quality, qualification_retakes_ask_new_questions)
{
	const char *qs = "{\"data\":{\"text\":\"q1\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q2\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q3\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q4\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q5\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q6\"},\"gold\":{\"label\":\"yes\"}}\n";
	char path[128], why[64];
	set_clock(&S, "2031-03-01T10:00:00Z");
	/* a pool too small for its retakes cannot go live: 3 x (1 + 2) > 6 */
	long long small = draft(json_pack("{s:s,s:{s:s,s:f,s:i,s:i}}", "title", "Small pool", "qualification", "grants",
					  "small", "pass_mark", 1.0, "questions", 3, "retakes", 2),
				qs);
	res r = fund_publish(small, 1);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_enough_questions");
	cr_expect(strstr(jstr(r.json, "error.message"), "9") != NULL, "%s", jstr(r.json, "error.message"));
	res_free(&r);

	long long test = project(json_pack("{s:{s:s,s:f,s:i,s:i,s:i}}", "qualification", "grants", "careful",
					   "pass_mark", 1.0, "questions", 2, "retakes", 2, "retake_wait_hours", 24),
				 qs);
	r = get(S.req, "/api/v1/projects/%lld", test);
	cr_expect_eq(jint(r.json, "qualification.questions"), 2, "%s", r.body);
	cr_expect_eq(jint(r.json, "qualification.retakes"), 2);
	res_free(&r);
	r = retake(test, S.c[2]);
	cr_expect_eq(r.status, 409, "no attempt yet: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "test_not_finished");
	res_free(&r);

	long long seen[8];
	int nseen = 0;
	/* attempt 1: both questions wrong; a third lease finds the attempt done */
	for (int i = 0; i < 2; i++) {
		long long aid = lease_q(test, S.c[2], &seen[nseen++], why, sizeof why);
		cr_assert(aid > 0);
		r = submit(aid, S.c[2], "no", 3);
		cr_assert_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
	long long task;
	cr_expect_eq(lease_q(test, S.c[2], &task, why, sizeof why), 0, "two questions per attempt");
	cr_expect_str_eq(why, "test_finished");
	r = get(S.c[2], "/api/v1/projects/%lld/qualification/result", test);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "attempt"), 1);
	cr_expect_eq(jint(r.json, "questions"), 2);
	cr_expect_float_eq(json_number_value(jget(r.json, "score")), 0.0, 1e-9);
	cr_expect(json_is_false(jget(r.json, "passed")));
	cr_expect_eq(jint(r.json, "attempts_allowed"), 3);
	cr_expect_eq(jint(r.json, "retakes_left"), 2);
	cr_expect(json_is_false(jget(r.json, "retake.available")));
	cr_expect_str_eq(jstr(r.json, "retake.code"), "retake_not_yet");
	cr_expect_str_eq(jstr(r.json, "retake.at"), "2031-03-02T10:00:00Z", "%s", r.body);
	cr_expect_str_eq(wrong_answers(r.json), "no->yes,no->yes");
	res_free(&r);
	r = retake(test, S.c[2]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "retake_not_yet");
	res_free(&r);
	r = retake(test, REQ2);
	cr_expect_eq(r.status, 409, "someone who never took it has nothing to retake: %s", r.body);
	res_free(&r);

	/* attempt 2, a day later: new questions; one right, one released (counts wrong) */
	set_clock(&S, "2031-03-02T10:00:01Z");
	r = retake(test, S.c[2]);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "attempt"), 2);
	cr_expect_eq(jint(r.json, "questions"), 2);
	res_free(&r);
	r = retake(test, S.c[2]);
	cr_expect_eq(r.status, 409, "one attempt at a time: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "test_not_finished");
	res_free(&r);
	long long aid = lease_q(test, S.c[2], &seen[nseen++], why, sizeof why);
	cr_assert(aid > 0);
	r = submit(aid, S.c[2], "yes", 3);
	res_free(&r);
	r = get(S.c[2], "/api/v1/projects/%lld/qualification/result", test);
	cr_expect_eq(jint(r.json, "attempt"), 1, "the last scored attempt while the next runs: %s", r.body);
	cr_expect_eq(jint(r.json, "in_progress.attempt"), 2);
	cr_expect_eq(jint(r.json, "in_progress.answered"), 1);
	res_free(&r);
	aid = lease_q(test, S.c[2], &seen[nseen++], why, sizeof why);
	cr_assert(aid > 0);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/release", aid);
	r = api(&S, "POST", path, S.c[2], NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	cr_expect_eq(lease_q(test, S.c[2], &task, why, sizeof why), 0);
	cr_expect_str_eq(why, "test_finished");
	r = get(S.c[2], "/api/v1/projects/%lld/qualification/result", test);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "attempt"), 2);
	cr_expect_eq(jint(r.json, "skipped"), 1);
	cr_expect_eq(jint(r.json, "correct"), 1);
	cr_expect_float_eq(json_number_value(jget(r.json, "score")), 0.5, 1e-9, "skipping cannot raise a score");
	cr_expect_str_eq(wrong_answers(r.json), "skipped->yes");
	cr_expect_eq(json_array_size(jget(r.json, "history")), 2);
	cr_expect_eq(jint(r.json, "retakes_left"), 1);
	res_free(&r);

	/* attempt 3: right, so the qualification is granted and no retake is left to take */
	set_clock(&S, "2031-03-03T11:00:00Z");
	r = retake(test, S.c[2]);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "attempt"), 3);
	res_free(&r);
	for (int i = 0; i < 2; i++) {
		aid = lease_q(test, S.c[2], &seen[nseen++], why, sizeof why);
		cr_assert(aid > 0);
		r = submit(aid, S.c[2], "yes", 3);
		res_free(&r);
	}
	r = get(S.c[2], "/api/v1/projects/%lld/qualification/result", test);
	cr_expect_eq(jint(r.json, "attempt"), 3);
	cr_expect(json_is_true(jget(r.json, "passed")), "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "retake.code"), "test_passed");
	res_free(&r);
	r = retake(test, S.c[2]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "test_passed");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/profile", S.c[2], NULL);
	cr_expect_str_eq(jstr(r.json, "qualifications.0"), "careful", "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "qualifications")), 1);
	res_free(&r);
	r = api(&S, "PATCH", "/api/v1/me/profile", S.c[3], "{s:[s]}", "qualifications", "careful");
	cr_expect_eq(r.status, 400, "qualifications are earned, not self-reported: %s", r.body);
	res_free(&r);
	/* someone else's draft, a project that is no test, a paused test */
	long long hidden = draft(json_pack("{s:{s:s,s:f}}", "qualification", "grants", "hidden", "pass_mark", 1.0), qs);
	r = retake(hidden, S.c[3]);
	cr_expect_eq(r.status, 404, "a draft is invisible to contributors: %s", r.body);
	res_free(&r);
	long long plain = project(json_pack("{}"), "{\"text\":\"x\"}\n");
	r = retake(plain, S.c[3]);
	cr_expect_eq(r.status, 404, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_qualification");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/pause", test);
	r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = retake(test, S.c[3]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "project_not_live");
	res_free(&r);
	/* six questions over three attempts, none asked twice */
	cr_assert_eq(nseen, 6);
	for (int i = 0; i < nseen; i++)
		for (int k = i + 1; k < nseen; k++)
			cr_expect_neq(seen[i], seen[k], "question %lld asked twice", seen[i]);
}

/* A lease left to expire in a test counts as a wrong answer, whether or
 * not the expiry job has run yet. */
Test(quality, qualification_expired_question_counts_wrong)
{
	const char *qs = "{\"data\":{\"text\":\"q1\"},\"gold\":{\"label\":\"yes\"}}\n"
			 "{\"data\":{\"text\":\"q2\"},\"gold\":{\"label\":\"yes\"}}\n";
	set_clock(&S, "2032-01-01T00:00:00Z");
	long long test = project(json_pack("{s:{s:s,s:f,s:i,s:i}}", "qualification", "grants", "g", "pass_mark", 1.0,
					   "questions", 1, "retakes", 1),
				 qs);
	char why[64] = "";
	long long task;
	cr_assert(lease_q(test, S.c[3], &task, why, sizeof why) > 0);
	set_clock(&S, "2032-01-01T02:00:01Z"); /* lease_seconds 7200 */
	cr_expect_eq(lease_q(test, S.c[3], &task, why, sizeof why), 0);
	cr_expect_str_eq(why, "test_finished");
	res r = get(S.c[3], "/api/v1/projects/%lld/qualification/result", test);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "skipped"), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "questions"), 1);
	cr_expect(json_is_false(jget(r.json, "passed")));
	cr_expect_str_eq(wrong_answers(r.json), "skipped->yes", "the right answer is shown: %s", r.body);
	cr_expect(json_is_true(jget(r.json, "retake.available")), "no wait set: %s", r.body);
	res_free(&r);
	/* the other contributor has not started: no result yet */
	r = get(S.c[4], "/api/v1/projects/%lld/qualification/result", test);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "test_not_finished");
	res_free(&r);
}

/* Gold boxes: a submission is right when its boxes pair up with the gold
 * ones (same label, IoU >= 0.5); the evidence shows both. */
Test(quality, gold_boxes_scored_by_iou)
{
	const char *config = "<View><Image name=\"img\" value=\"$image\"/><RectangleLabels name=\"box\" toName=\"img\">"
			     "<Label value=\"car\"/><Label value=\"person\"/></RectangleLabels></View>";
	const char *tasks = "{\"data\":{\"image\":\"https://example.org/1.jpg\"},\"gold\":[{\"from_name\":\"box\","
			    "\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"value\":{\"x\":10,\"y\":10,\"width\":20,"
			    "\"height\":20,\"rotation\":0,\"rectanglelabels\":[\"car\"]}}]}\n";
	long long pid =
		project(json_pack("{s:s,s:i,s:f}", "label_config", config, "overlap", 3, "gold_rate", 1.0), tasks);
	/* S.c[0] draws it a little off (IoU 0.68); S.c[1] far off (0.22); S.c[2] with the wrong label */
	const double xs[3] = {12, 18, 10};
	const char *labels[3] = {"car", "car", "person"};
	for (int i = 0; i < 3; i++) {
		res r = lease(&S, pid, S.c[i]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		long long aid = jint(r.json, "id");
		res_free(&r);
		char path[96];
		snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
		r = api(&S, "POST", path, S.c[i], "{s:[{s:s,s:s,s:s,s:{s:f,s:i,s:i,s:i,s:[s]}}],s:i}", "result",
			"from_name", "box", "to_name", "img", "type", "rectanglelabels", "value", "x", xs[i], "y", 12,
			"width", 20, "height", 20, "rectanglelabels", labels[i], "active_seconds", 4);
		cr_assert_eq(r.status, 201, "%s", r.body);
		res_free(&r);
		r = get(S.c[i], "/api/v1/projects/%lld/my-quality", pid);
		cr_expect_eq(jint(r.json, "gold_answered"), 1, "%s", r.body);
		cr_expect_eq(jint(r.json, "gold_correct"), i == 0 ? 1 : 0, "contributor %d: %s", i, r.body);
		res_free(&r);
	}
	res r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_expect(json_is_true(jget(r.json, "items.0.gold_correct")), "%s", r.body);
	res_free(&r);
}

static char DISPUTED[16];
static const char *split(const char *text)
{
	static int n;
	/* on the first task the third contributor disagrees */
	return !strcmp(text, "t1") && n++ == 2 ? "no" : "yes";
}

Test(quality, dynamic_overlap_adds_a_fourth_judgment)
{
	long long pid = project(json_pack("{s:i,s:f,s:i}", "overlap", 3, "confidence_threshold", 0.8, "max_overlap", 4),
				"{\"text\":\"t1\"}\n{\"text\":\"t2\"}\n");
	for (int c = 0; c < 3; c++)
		for (int k = 0; k < 2; k++)
			work(pid, S.c[c], split, NULL, 0);
	/* t1 is 2:1 (0.67 < 0.8) so it stays open for one more; t2 is 3:0 */
	work(pid, S.c[3], always_yes, DISPUTED, sizeof DISPUTED);
	cr_expect_str_eq(DISPUTED, "t1");
	res r = lease(&S, pid, S.c[3]);
	cr_expect_eq(r.status, 204, "t2 was unanimous: %s", r.body);
	res_free(&r);
	/* 3:1 is still below 0.8, but max_overlap 4 is reached */
	r = lease(&S, pid, S.c[4]);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.judgments"), 4);
	cr_expect_eq(jint(r.json, "items.1.judgments"), 3);
	res_free(&r);
}

/* With dynamic overlap on, escrow covers max_overlap judgments per task:
 * 2 tasks × 4 × 10 = 80, not 2 × 2 × 10 = 40. */
Test(quality, dynamic_overlap_escrow_covers_max_overlap)
{
	long long pid = draft(json_pack("{s:s,s:i,s:i,s:f,s:i}", "title", "Disputed", "reward", 10, "overlap", 2,
					"confidence_threshold", 0.9, "max_overlap", 4),
			      "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
	res r = fund_publish(pid, 40);
	cr_expect_eq(r.status, 409, "enough for the overlap, not for max_overlap: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_funds");
	cr_expect(strstr(jstr(r.json, "error.message"), "needs 80") != NULL, "%s", jstr(r.json, "error.message"));
	res_free(&r);
	r = fund_publish(pid, 40);
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
}

/* Non-categorical results through GET /labels: boxes and spans clustered
 * by IoU (kept when half the contributors drew them), transcriptions by
 * their medoid, numbers by median. */
Test(quality, labels_for_regions_text_and_numbers)
{
	const char *config =
		"<View><Image name=\"img\" value=\"$image\"/><RectangleLabels name=\"box\" toName=\"img\">"
		"<Label value=\"car\"/><Label value=\"person\"/></RectangleLabels>"
		"<Text name=\"text\" value=\"$text\"/><Labels name=\"ner\" toName=\"text\"><Label value=\"PER\"/>"
		"</Labels><TextArea name=\"say\" toName=\"text\"/><Number name=\"n\" toName=\"text\"/></View>";
	long long pid = project(json_pack("{s:s,s:i}", "label_config", config, "overlap", 3),
				"{\"image\":\"https://example.org/a.jpg\",\"text\":\"Alice met Bob\"}\n");
	const double bx[3] = {10, 12, 11};
	const int end[3] = {5, 5, 6}, num[3] = {3, 4, 10};
	const char *said[3] = {"the cat sat", "The cat sat", "a cat sat down"};
	for (int i = 0; i < 3; i++) {
		res r = lease(&S, pid, S.c[i]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		long long aid = jint(r.json, "id");
		res_free(&r);
		json_t *result =
			json_pack("[{s:s,s:s,s:s,s:{s:f,s:f,s:i,s:i,s:[s]}},{s:s,s:s,s:s,s:{s:i,s:i,s:s,s:[s]}},"
				  "{s:s,s:s,s:s,s:{s:[s]}},{s:s,s:s,s:s,s:{s:i}}]",
				  "from_name", "box", "to_name", "img", "type", "rectanglelabels", "value", "x", bx[i],
				  "y", bx[i] == 11 ? 11.0 : 10.0, "width", 20, "height", 20, "rectanglelabels", "car",
				  "from_name", "ner", "to_name", "text", "type", "labels", "value", "start", 0, "end",
				  end[i], "text", "Alice", "labels", "PER", "from_name", "say", "to_name", "text",
				  "type", "textarea", "value", "text", said[i], "from_name", "n", "to_name", "text",
				  "type", "number", "value", "number", num[i]);
		if (i == 2) /* only one contributor sees a person */
			json_array_append_new(result,
					      json_pack("{s:s,s:s,s:s,s:{s:i,s:i,s:i,s:i,s:[s]}}", "from_name", "box",
							"to_name", "img", "type", "rectanglelabels", "value", "x", 70,
							"y", 70, "width", 5, "height", 5, "rectanglelabels", "person"));
		char path[96];
		snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
		r = api(&S, "POST", path, S.c[i], "{s:o,s:i}", "result", result, "active_seconds", 5);
		cr_assert_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
	res r = get(S.req, "/api/v1/projects/%lld/labels?method=boxes", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "control"), "box");
	cr_expect_eq(json_array_size(jget(r.json, "items.0.regions")), 1, "the lone person is dropped: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.regions.0.label"), "car");
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.regions.0.x")), 11.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.regions.0.support")), 1.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.confidence")), 2.0 / 3, 1e-9);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels?method=spans&control=ner", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.regions.0.start"), 0, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.regions.0.end"), 5);
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.confidence")), 1.0, 1e-9);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels?method=text", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.label"), "the cat sat", "%s", r.body);
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.confidence")), 0.75, 1e-9);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels?method=median&control=n", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_float_eq(json_number_value(jget(r.json, "items.0.value")), 4.0, 1e-9, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.judgments"), 3);
	res_free(&r);
	/* pairwise IoU: C0-C1 360/440; C0-C2 and C1-C2 361/439, halved for C2's
	 * extra person; per label, car averages the three, person scores 0 twice */
	r = get(S.req, "/api/v1/projects/%lld/agreement?method=iou", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "control"), "box");
	cr_expect_str_eq(jstr(r.json, "kind"), "boxes");
	const double a01 = 360.0 / 440, a02 = 361.0 / 439;
	cr_expect_float_eq(json_number_value(jget(r.json, "mean_iou")), (a01 + a02 / 2 + a02 / 2) / 3, 1e-9, "%s",
			   r.body);
	cr_expect_eq(jint(r.json, "comparisons"), 3);
	cr_expect_str_eq(jstr(r.json, "per_label.0.label"), "car");
	cr_expect_float_eq(json_number_value(jget(r.json, "per_label.0.mean_iou")), (a01 + 2 * a02) / 3, 1e-9);
	cr_expect_str_eq(jstr(r.json, "per_label.1.label"), "person");
	cr_expect_float_eq(json_number_value(jget(r.json, "per_label.1.mean_iou")), 0.0, 1e-9);
	cr_expect_eq(jint(r.json, "per_label.1.comparisons"), 2);
	cr_expect_eq(jint(r.json, "pairs_total"), 3);
	cr_expect_eq(jint(r.json, "pairs.0.tasks"), 1);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/agreement?method=iou&control=ner", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "kind"), "spans", "%s", r.body);
	cr_expect_float_eq(json_number_value(jget(r.json, "mean_iou")), (1 + 5.0 / 6 + 5.0 / 6) / 3, 1e-9);
	res_free(&r);
	/* a control with no regions, and the pairs of a text control: nothing to compare */
	r = get(S.req, "/api/v1/projects/%lld/agreement?method=iou&control=say", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "control")), "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "mean_iou")));
	cr_expect_eq(jint(r.json, "comparisons"), 0);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels?method=spans&control=box", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items.0.regions")), 0, "boxes are not spans: %s", r.body);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/agreement?method=vibes", pid);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/labels?method=rover", pid);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "method");
	res_free(&r);
	r = get(S.c[0], "/api/v1/projects/%lld/labels?method=boxes", pid);
	cr_expect_eq(r.status, 403, "contributors do not see the team's figures: %s", r.body);
	res_free(&r);
}

static int HAND_WHO;
/* t1: yes yes no · t2: no no no · t3: yes no yes · gold (yes): yes yes no */
static const char *hand_case(const char *text)
{
	static const char *ans[3][4] = {{"yes", "no", "yes", "yes"},
					{"yes", "no", "no", "yes"},
					{"no", "no", "yes", "no"}};
	int t = !strcmp(text, "t1") ? 0 : !strcmp(text, "t2") ? 1 : !strcmp(text, "t3") ? 2 : 3;
	return ans[HAND_WHO][t];
}

Test(quality, contributors_numbers_on_a_hand_computed_case)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long pid =
		project(json_pack("{s:i}", "overlap", 3), "{\"text\":\"t1\"}\n{\"text\":\"t2\"}\n{\"text\":\"t3\"}\n"
							  "{\"data\":{\"text\":\"g\"},\"gold\":{\"label\":\"yes\"}}\n");
	static const double secs[3][4] = {{10, 20, 30, 40}, {5, 5, 5, 5}, {100, 1, 50, 7}};
	long long aids[3][4], gold_sub = 0;
	char texts[3][4][8];
	for (int c = 0; c < 3; c++)
		for (int k = 0; k < 4; k++) {
			res r = lease(&S, pid, S.c[c]);
			cr_assert_eq(r.status, 201, "%s", r.body);
			aids[c][k] = jint(r.json, "id");
			snprintf(texts[c][k], sizeof texts[c][k], "%s", jstr(r.json, "task.data.text"));
			res_free(&r);
		}
	set_clock(&S, "2030-01-01T01:00:00Z"); /* measured time may not exceed the time held */
	for (int c = 0; c < 3; c++)
		for (int k = 0; k < 4; k++) {
			HAND_WHO = c;
			res r = submit(aids[c][k], S.c[c], hand_case(texts[c][k]), secs[c][k]);
			cr_assert_eq(r.status, 201, "%s", r.body);
			if (c == 2 && !strcmp(texts[c][k], "g"))
				gold_sub = jint(r.json, "id");
			res_free(&r);
		}
	char path[128];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", gold_sub);
	res r = api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "wrong_answer", "message",
		    "The check question says yes.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	r = get(S.req, "/api/v1/projects/%lld/contributors", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *items = jget(r.json, "items");
	cr_assert_eq(json_array_size(items), 3);
	static const double want_agree[3] = {1.0, 2.0 / 3, 2.0 / 3}, want_median[3] = {25, 5, 28.5},
			    want_rej[3] = {0, 0, 0.25};
	for (int c = 0; c < 3; c++) {
		json_t *it = json_array_get(items, (size_t)c);
		cr_expect_eq(jint(it, "user_id"), S.c_id[c]);
		cr_expect_eq(jint(it, "submissions"), 4);
		cr_expect_float_eq(json_number_value(jget(it, "agreement")), want_agree[c], 1e-9, "contributor %d", c);
		cr_expect_eq(jint(it, "agreement_tasks"), 3);
		cr_expect_float_eq(json_number_value(jget(it, "median_active_seconds")), want_median[c], 1e-9,
				   "contributor %d", c);
		cr_expect_float_eq(json_number_value(jget(it, "rejection_rate")), want_rej[c], 1e-9);
		cr_expect_eq(jint(it, "gold_answered"), 1);
		double ds = json_number_value(jget(it, "ds_accuracy"));
		cr_expect(ds >= 0 && ds <= 1, "ds_accuracy %f", ds);
		cr_expect(json_is_false(jget(it, "paused")));
	}
	cr_expect_eq(jint(json_array_get(items, 0), "gold_correct"), 1);
	cr_expect_eq(jint(json_array_get(items, 2), "gold_correct"), 0);
	/* Wilson 95% for 1/1 and 0/1 */
	cr_expect_float_eq(json_number_value(jget(json_array_get(items, 0), "gold_ci_low")), 0.2065, 1e-3);
	cr_expect_float_eq(json_number_value(jget(json_array_get(items, 0), "gold_ci_high")), 1.0, 1e-9);
	cr_expect_float_eq(json_number_value(jget(json_array_get(items, 2), "gold_ci_high")), 0.7935, 1e-3);
	cr_expect(json_number_value(jget(json_array_get(items, 0), "ds_accuracy")) >=
		  json_number_value(jget(json_array_get(items, 1), "ds_accuracy")));
	/* the Dawid-Skene confusion matrices: readable labels, rows that sum to
	 * 1, evidence that adds up to each contributor's 3 non-gold answers */
	cr_expect_str_eq(jstr(r.json, "ds_labels.0"), "no", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "ds_labels.1"), "yes");
	for (int c = 0; c < 3; c++) {
		json_t *m = jget(json_array_get(items, (size_t)c), "ds_confusion");
		cr_assert(json_is_object(m), "contributor %d: %s", c, r.body);
		double evidence = 0;
		for (size_t k = 0; k < 2; k++) {
			json_t *row = json_array_get(jget(m, "rows"), k);
			cr_expect_float_eq(json_number_value(json_array_get(row, 0)) +
						   json_number_value(json_array_get(row, 1)),
					   1.0, 1e-9);
			evidence += json_number_value(json_array_get(jget(m, "n"), k));
		}
		cr_expect_float_eq(evidence, 3.0, 1e-9, "contributor %d", c);
	}
	res_free(&r);

	r = get(S.c[0], "/api/v1/projects/%lld/contributors", pid);
	cr_expect_eq(r.status, 403, "a contributor does not see the others");
	res_free(&r);
	r = get(REQ2, "/api/v1/projects/%lld/contributors", pid);
	cr_expect_eq(r.status, 403, "a live project is visible, its team's figures are not");
	res_free(&r);

	/* agreement per label and per pair, by hand (C2's rejected gold answer
	 * left out): t1 y y n · t2 n n n · t3 y n y · g y y — n = 11, 6 yes,
	 * o(yes,no) = 2 → alpha = 1 − 10·2/(6·5) = 1/3 for both labels; pairs
	 * (tasks, observed, kappa): C0-C1 (4, 3/4, 0.5), C0-C2 (3, 2/3, 0.4),
	 * C1-C2 (3, 1/3, −0.5) */
	r = get(S.req, "/api/v1/projects/%lld/agreement", pid);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_float_eq(json_number_value(jget(r.json, "alpha_nominal")), 1.0 / 3, 1e-9, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "per_label")), 2);
	cr_expect_float_eq(json_number_value(jget(r.json, "per_label.0.alpha")), 1.0 / 3, 1e-9);
	cr_expect_float_eq(json_number_value(jget(r.json, "per_label.1.alpha")), 1.0 / 3, 1e-9);
	cr_expect_eq(jint(r.json, "pairs_total"), 3);
	static const double want[3][5] = {{0, 1, 4, 0.75, 0.5}, {0, 2, 3, 2.0 / 3, 0.4}, {1, 2, 3, 1.0 / 3, -0.5}};
	for (int k = 0; k < 3; k++) {
		int found = 0;
		size_t i;
		json_t *pr;
		char x[65], y[65]; /* pairs name contributors by pseudonym, never by account */
		pseudonym_of(pid, S.c_id[(int)want[k][0]], x);
		pseudonym_of(pid, S.c_id[(int)want[k][1]], y);
		json_array_foreach(jget(r.json, "pairs"), i, pr) {
			const char *a = json_string_value(json_object_get(pr, "a")),
				   *b = json_string_value(json_object_get(pr, "b"));
			cr_assert(a && b, "pairs by pseudonym: %s", r.body);
			if (!((!strcmp(a, x) && !strcmp(b, y)) || (!strcmp(a, y) && !strcmp(b, x))))
				continue;
			found = 1;
			cr_expect_eq(jint(pr, "tasks"), (long long)want[k][2], "pair %d", k);
			cr_expect_float_eq(json_number_value(jget(pr, "observed")), want[k][3], 1e-9, "pair %d", k);
			cr_expect_float_eq(json_number_value(jget(pr, "cohen_kappa")), want[k][4], 1e-9, "pair %d", k);
		}
		cr_expect(found, "pair %d listed: %s", k, r.body);
	}
	res_free(&r);
}

Test(quality, settings_validation_and_visibility)
{
	struct {
		const char *fmt;
		const char *key;
		const char *field;
		const char *code;
	} bad[] = {
		{"{s:s}", "gold_threshold", "gold_threshold", "invalid_type"},
		{"{s:f}", "gold_threshold", "gold_threshold", "invalid_value"},
		{"{s:i}", "gold_min_answers", "gold_min_answers", "invalid_value"},
		{"{s:f}", "gold_min_answers", "gold_min_answers", "invalid_type"},
		{"{s:f}", "confidence_threshold", "confidence_threshold", "invalid_value"},
		{"{s:i}", "max_overlap", "max_overlap", "invalid_value"},
		{"{s:s}", "qualification", "qualification", "invalid_type"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = json_pack("{s:s,s:s,s:i}", "title", "Bad", "label_config", CONFIG, "overlap", 2);
		json_t *v = !strcmp(bad[i].fmt, "{s:s}") ? json_string("x")
			    : !strcmp(bad[i].fmt, "{s:i}")
				    ? json_integer(!strcmp(bad[i].key, "max_overlap") ? 1 : 0)
				    : json_real(!strcmp(bad[i].key, "gold_min_answers") ? 1.5 : 1.5);
		json_object_set_new(b, bad[i].key, v);
		res r = post_json("POST", "/api/v1/projects", S.req, b);
		json_decref(b);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i].key, r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), bad[i].field, "%s", r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), bad[i].code, "%s", r.body);
		res_free(&r);
	}
	struct {
		json_t *q;
		const char *field;
	} badq[] = {
		{json_pack("{s:f}", "pass_mark", 0.5), "qualification.grants"},
		{json_pack("{s:s,s:s}", "grants", "x", "pass_mark", "high"), "qualification.pass_mark"},
		{json_pack("{s:s,s:f}", "grants", "x", "pass_mark", 1.5), "qualification.pass_mark"},
		{json_pack("{s:s,s:f,s:i}", "grants", "x", "pass_mark", 0.5, "retakes", 2), "qualification.questions"},
		{json_pack("{s:s,s:f,s:i,s:i}", "grants", "x", "pass_mark", 0.5, "questions", 2, "retakes", 11),
		 "qualification.retakes"},
		{json_pack("{s:s,s:f,s:i,s:i}", "grants", "x", "pass_mark", 0.5, "questions", 2, "retakes", -1),
		 "qualification.retakes"},
		{json_pack("{s:s,s:f,s:i}", "grants", "x", "pass_mark", 0.5, "questions", 0), "qualification.questions"},
		{json_pack("{s:s,s:f,s:s}", "grants", "x", "pass_mark", 0.5, "questions", "all"),
		 "qualification.questions"},
		{json_pack("{s:s,s:f,s:i,s:i,s:i}", "grants", "x", "pass_mark", 0.5, "questions", 2, "retakes", 1,
			   "retake_wait_hours", 9000),
		 "qualification.retake_wait_hours"},
		{json_pack("{s:s,s:f,s:b}", "grants", "x", "pass_mark", 0.5, "surprise", 1), "qualification.surprise"},
		{json_pack("{s:s,s:f,s:s}", "grants", "x", "pass_mark", 0.5, "paid", "no"), "qualification.paid"},
	};
	for (size_t i = 0; i < sizeof badq / sizeof badq[0]; i++) {
		json_t *b =
			json_pack("{s:s,s:s,s:o}", "title", "Bad", "label_config", CONFIG, "qualification", badq[i].q);
		res r = post_json("POST", "/api/v1/projects", S.req, b);
		json_decref(b);
		cr_expect_eq(r.status, 400, "%s", r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), badq[i].field, "%s", r.body);
		res_free(&r);
	}
	/* an unpaid test pays nothing */
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:i,s:{s:s,s:f}}", "title", "T", "label_config",
		    CONFIG, "reward", 10, "qualification", "grants", "x", "pass_mark", 0.5);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "reward");
	res_free(&r);

	/* the fields round-trip through GET and PATCH */
	long long pid = project(json_pack("{s:i,s:f,s:i,s:f,s:i}", "overlap", 2, "gold_threshold", 0.7,
					  "gold_min_answers", 4, "confidence_threshold", 0.9, "max_overlap", 3),
				"{\"text\":\"a\"}\n");
	r = get(S.req, "/api/v1/projects/%lld", pid);
	cr_expect_float_eq(json_number_value(jget(r.json, "gold_threshold")), 0.7, 1e-9);
	cr_expect_eq(jint(r.json, "gold_min_answers"), 4);
	cr_expect_eq(jint(r.json, "max_overlap"), 3);
	cr_expect(json_is_null(jget(r.json, "qualification")));
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "PATCH", path, S.req, "{s:n,s:i}", "gold_threshold", "gold_min_answers", 6);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "gold_threshold")));
	cr_expect_eq(jint(r.json, "gold_min_answers"), 6);
	cr_expect_float_eq(json_number_value(jget(r.json, "confidence_threshold")), 0.9, 1e-9, "untouched");
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:i}", "overlap", 5);
	cr_expect_eq(r.status, 400, "overlap above max_overlap: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "max_overlap");
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:{s:s,s:f}}", "qualification", "grants", "x", "pass_mark", 0.5);
	cr_expect_eq(r.status, 409, "a live project does not become a test: %s", r.body);
	res_free(&r);
	r = api(&S, "PATCH", path, REQ2, "{s:i}", "gold_min_answers", 2);
	cr_expect_eq(r.status, 403, "not the owner: %s", r.body);
	res_free(&r);

	/* my-quality: own figures on a visible project, 404 on an invisible one */
	r = get(S.c[0], "/api/v1/projects/%lld/my-quality", pid);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "gold_answered"), 0);
	cr_expect(json_is_null(jget(r.json, "accuracy")));
	cr_expect(json_is_false(jget(r.json, "paused")));
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", REQ2, "{s:s,s:s}", "title", "Private draft", "label_config", CONFIG);
	long long draft = jint(r.json, "id");
	res_free(&r);
	r = get(S.c[0], "/api/v1/projects/%lld/my-quality", draft);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = get(S.req, "/api/v1/projects/%lld/contributors", draft);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = get(REQ2, "/api/v1/projects/%lld/contributors", draft);
	cr_expect_eq(r.status, 200, "the owner sees an empty list: %s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/projects/99999/my-quality", S.c[0], NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}
