/* Review with reasons, fixes, appeals decided by another reviewer, and the
 * quality endpoints fed by real submissions. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static srv S;
static const char *const REV = S.c[3]; /* the contributor who becomes a reviewer */
static void up(void) { suite_with_users(&S, 4); }
static void down(void) { srv_stop(&S); }
TestSuite(review, .init = up, .fini = down, .timeout = 120);

static const char CONFIG[] = YES_NO_CONFIG;

static long long project(int ntasks, int overlap)
{
	char tasks[4096];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i,s:[s,s]}", "title", "Match?", "label_config", CONFIG, "reward",
				      10, "overlap", overlap, "reject_reasons", "wrong_answer", "spam"),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"pair %d\"}\n", ntasks), 100000);
}

/* Leases and submits `choice`; returns the submission id. */
static long long work(long long pid, const char *tok, const char *choice)
{
	res r = submit_choice(&S, lease_ok(&S, pid, tok), tok, "label", choice, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static res reject(long long sid, const char *tok, const char *code, const char *msg)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
	return api(&S, "POST", path, tok, "{s:s,s:s}", "reason_code", code, "message", msg);
}

Test(review, rejection_needs_a_listed_reason_and_a_message)
{
	long long pid = project(2, 1);
	long long sid = work(pid, S.c[0], "yes");
	res r = reject(sid, S.req, "bogus", "Wrong.");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "reason_code");
	res_free(&r);
	r = reject(sid, S.req, "spam", "   ");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "message");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
	r = api(&S, "POST", path, S.req, "{s:s}", "reason_code", "spam");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "message");
	res_free(&r);
	r = reject(sid, S.c[1], "spam", "Nope.");
	cr_expect_eq(r.status, 404, "a contributor is not a reviewer of this project");
	res_free(&r);
	r = reject(sid, S.c[0], "spam", "Nope.");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = reject(sid, S.req, "wrong_answer", "The two records are different products.");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "rejected");
	res_free(&r);
	r = reject(sid, S.req, "spam", "again");
	cr_expect_eq(r.status, 409);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 409, "already decided");
	res_free(&r);
	/* the contributor sees the decision and its reason */
	r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.status"), "rejected");
	cr_expect_str_eq(jstr(r.json, "items.0.reason_code"), "wrong_answer");
	cr_expect_str_eq(jstr(r.json, "items.0.reason"), "The two records are different products.");
	res_free(&r);
}

Test(review, queue_accept_and_pay)
{
	long long pid = project(2, 1);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/review/next", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 204, "nothing to review yet");
	res_free(&r);
	long long sid = work(pid, S.c[0], "no");
	r = api(&S, "GET", path, S.c[1], NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200);
	cr_expect_eq(jint(r.json, "id"), sid);
	cr_expect_str_eq(jstr(r.json, "task.data.text"), "pair 0");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_eq(jint(r.json, "pending"), 10);
	cr_expect_eq(jint(r.json, "available"), 0);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "accepted");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_eq(jint(r.json, "pending"), 0);
	cr_expect_eq(jint(r.json, "available"), 10);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/submissions/999999/accept", S.req, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(review, fix_keeps_the_original)
{
	long long pid = project(1, 1);
	long long sid = work(pid, S.c[0], "no");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/fix", sid);
	res r = api(&S, "POST", path, S.req, "{s:[{s:s,s:s,s:s,s:{s:[s]}}]}", "result", "from_name", "label", "to_name",
		    "text", "type", "choices", "value", "choices", "maybe");
	cr_expect_eq(r.status, 400, "a fix is validated too");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:[{s:s,s:s,s:s,s:{s:[s]}}]}", "result", "from_name", "label", "to_name",
		"text", "type", "choices", "value", "choices", "yes");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "result.0.value.choices.0"), "no");
	cr_expect_str_eq(jstr(r.json, "fixed_result.0.value.choices.0"), "yes");
	cr_expect_str_eq(jstr(r.json, "status"), "accepted");
	res_free(&r);
}

Test(review, appeals_go_to_another_reviewer)
{
	set_clock(&S, "2031-03-01T00:00:00Z");
	long long pid = project(3, 1);
	long long s1 = work(pid, S.c[0], "yes"), s2 = work(pid, S.c[0], "no"), s3 = work(pid, S.c[0], "no");
	char path[96];
	res r;
	for (long long s = s1; s <= s3; s++) {
		r = reject(s, S.req, "wrong_answer", "Not a match.");
		cr_assert_eq(r.status, 200);
		res_free(&r);
	}
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/appeal", s1);
	r = api(&S, "POST", path, S.c[1], "{s:s}", "message", "mine?");
	cr_expect_eq(r.status, 404, "only its contributor appeals");
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "message", "");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "message", "Both records have the same model number.");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long ap = jint(r.json, "id");
	cr_expect_str_eq(jstr(r.json, "status"), "open");
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "message", "again");
	cr_expect_eq(r.status, 409);
	res_free(&r);
	char dpath[96];
	snprintf(dpath, sizeof dpath, "/api/v1/appeals/%lld/decide", ap);
	r = api(&S, "POST", dpath, S.req, "{s:s,s:s}", "decision", "uphold", "reason", "ok");
	cr_expect_eq(r.status, 403, "the rejecting reviewer may not decide");
	cr_expect_str_eq(jstr(r.json, "error.code"), "same_reviewer");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members", pid);
	r = api(&S, "POST", path, S.req, "{s:I,s:s}", "user_id", (json_int_t)S.c_id[3], "role", "reviewer");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", dpath, REV, "{s:s,s:s}", "decision", "maybe", "reason", "x");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", dpath, REV, "{s:s,s:s}", "decision", "uphold", "reason", " ");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", dpath, REV, "{s:s,s:s}", "decision", "uphold", "reason", "Same model number; a match.");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "upheld");
	res_free(&r);
	r = api(&S, "POST", dpath, REV, "{s:s,s:s}", "decision", "deny", "reason", "changed my mind");
	cr_expect_eq(r.status, 409);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_eq(jint(r.json, "available"), 10, "an upheld appeal pays in full: %s", r.body);
	res_free(&r);
	/* the appeal window is 14 days */
	set_clock(&S, "2031-03-16T00:00:01Z");
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/appeal", s2);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "message", "late");
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "appeal_window_closed");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/appeals?status=upheld", pid);
	r = api(&S, "GET", path, REV, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1);
	cr_expect_str_eq(jstr(r.json, "items.0.rejection.reason_code"), "wrong_answer");
	cr_expect_str_eq(jstr(r.json, "items.0.rejection.reason"), "Not a match.");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	size_t i;
	json_t *it;
	int seen = 0;
	json_array_foreach(jget(r.json, "items"), i, it) {
		if (jint(it, "id") == s1) {
			cr_expect_str_eq(jstr(it, "appeal_status"), "upheld");
			seen = 1;
		} else {
			cr_expect(json_is_null(jget(it, "appeal_status")));
		}
	}
	cr_expect(seen);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_eq(jint(r.json, "payout_minimum"), 500);
	res_free(&r);
}

Test(review, labels_and_agreement_from_submissions)
{
	long long pid = project(4, 3);
	/* tasks 0..3: c0 and c1 agree on "yes"; c2 says "no" on tasks 0 and 1 */
	for (int t = 0; t < 4; t++) {
		work(pid, S.c[0], "yes");
		work(pid, S.c[1], "yes");
		work(pid, S.c[2], t < 2 ? "no" : "yes");
	}
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/labels?method=mv", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 4);
	size_t i;
	json_t *it;
	json_array_foreach(jget(r.json, "items"), i, it) {
		cr_expect_str_eq(jstr(it, "label"), "yes");
		cr_expect_eq(jint(it, "judgments"), 3);
	}
	cr_expect(json_real_value(jget(r.json, "items.0.confidence")) < 0.7);
	cr_expect(json_real_value(jget(r.json, "items.3.confidence")) > 0.99);
	res_free(&r);
	static const char *const em[] = {"ds", "ods", "glad", "mace", "ebcc"};
	for (size_t m = 0; m < sizeof em / sizeof em[0]; m++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/labels?method=%s", pid, em[m]);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(r.status, 200, "%s: %s", em[m], r.body);
		cr_expect_str_eq(jstr(r.json, "items.3.label"), "yes", "%s", em[m]);
		cr_expect_null(jget(r.json, "chosen"));
		res_free(&r);
	}
	/* auto names the method it chose and the held-out log-likelihood of
	 * each candidate (per answer, <= 0). */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/labels?method=auto", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "method"), "auto");
	const char *chosen = jstr(r.json, "chosen");
	cr_assert(chosen && strcmp(chosen, "auto") && strcmp(chosen, "mv"), "%s", r.body);
	cr_expect_eq(json_object_size(jget(r.json, "heldout_loglik")), 5, "%s", r.body);
	cr_expect(json_real_value(json_object_get(jget(r.json, "heldout_loglik"), chosen)) <= 0);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 4);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/labels?method=best", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/agreement", pid);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "judgments"), 12);
	/* 12 values, 2 of 12 disagree: Fleiss' kappa for this table is computed
	 * by hand: P_i = (1,1... ) -> p_yes=10/12, p_no=2/12; P_e=0.7222;
	 * P_i = 1/3 for tasks 0,1 and 1 for tasks 2,3 -> P=0.6667; kappa=-0.2 */
	cr_expect_float_eq(json_real_value(jget(r.json, "fleiss_kappa")), -0.2, 1e-9, "%s", r.body);
	cr_expect(json_is_real(jget(r.json, "alpha_nominal")));
	res_free(&r);
}

/* Issue #19's planted bugs: whitespace that SQLite's trim() keeps, and a
 * reviewer trying the owner's actions. */
Test(review, rejection_message_of_tabs_and_newlines_is_400)
{
	long long pid = project(1, 1);
	long long sid = work(pid, S.c[0], "yes");
	res r = reject(sid, S.req, "spam", "\t\n\r\n\t ");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "missing_reason");
	cr_expect_str_eq(jstr(r.json, "error.field"), "message");
	res_free(&r);
}

Test(review, a_reviewer_cannot_act_as_the_owner)
{
	long long pid = project(2, 1);
	work(pid, S.c[0], "yes");
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members", pid);
	res r = api(&S, "POST", path, S.req, "{s:I,s:s}", "user_id", (json_int_t)S.c_id[3], "role", "reviewer");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	/* the reviewer reviews ... */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/review/next", pid);
	r = api(&S, "GET", path, REV, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	/* ... but changes, funds, imports, adds members and pays bonuses as nobody */
	struct {
		const char *method, *suffix, *ctype, *body;
	} owner_only[] = {
		{"PATCH", "", "application/json", "{\"title\":\"Mine now\"}"},
		{"POST", "/fund", "application/json", "{\"amount\":100}"},
		{"POST", "/tasks", "application/x-ndjson", "{\"text\":\"planted\"}\n"},
		{"POST", "/members", "application/json", "{\"user_id\":1,\"role\":\"reviewer\"}"},
		{"POST", "/bonuses", "application/json", "{\"user_id\":1,\"amount\":100,\"reason\":\"thanks\"}"},
		{"POST", "/pause", NULL, NULL},
		{"POST", "/close", NULL, NULL},
		{"PUT", "/consent", "application/json", "{\"text\":\"I agree.\",\"version\":\"v9\"}"},
		{"POST", "/webhooks", "application/json",
		 "{\"url\":\"http://127.0.0.1:9/h\",\"events\":[\"ANNOTATION_CREATED\"],\"secret\":\"s\"}"},
	};
	for (size_t i = 0; i < sizeof owner_only / sizeof owner_only[0]; i++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld%s", pid, owner_only[i].suffix);
		const char *b = owner_only[i].body;
		r = http(&S, owner_only[i].method, path, REV, owner_only[i].ctype, b, b ? strlen(b) : 0, NULL);
		cr_expect(r.status == 403 || r.status == 404, "%s %s as a reviewer: %ld %s", owner_only[i].method, path,
			  r.status, r.body);
		res_free(&r);
	}
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_str_eq(jstr(r.json, "title"), "Match?");
	cr_expect_str_eq(jstr(r.json, "status"), "live");
	res_free(&r);
}
