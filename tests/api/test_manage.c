/* The requester's workbench (issue #16): the data manager's filters, sorts
 * and keyset pages, kept counters, deleting tasks only when nobody worked
 * on them, bulk accept (idempotent, failures per id), reject with a reason
 * per row, the submissions list and members by email. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 3); }
static void down(void) { srv_stop(&S); }
TestSuite(manage, .init = up, .fini = down, .timeout = 180);

static long long project(int ntasks, int overlap)
{
	char tasks[8192];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i,s:[s,s]}", "title", "Workbench", "label_config", YES_NO_CONFIG,
				      "reward", 10, "overlap", overlap, "reject_reasons", "wrong_answer", "spam"),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item number %d\"}\n", ntasks), 100000);
}

static long long work(long long pid, const char *tok, const char *choice)
{
	res r = submit_choice(&S, lease_ok(&S, pid, tok), tok, "label", choice, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static res tasks(long long pid, const char *tok, const char *query)
{
	char path[512];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks%s%s", pid, *query ? "?" : "", query);
	return api(&S, "GET", path, tok, NULL);
}

static long long count(res *r) { return (long long)json_array_size(jget(r->json, "items")); }

Test(manage, bad_filters_are_refused_by_name)
{
	long long pid = project(3, 1);
	static const char *const BAD[][2] = {{"state=closed", "state"},
					     {"has_results=maybe", "has_results"},
					     {"gold=2", "gold"},
					     {"agreement_below=0", "agreement_below"},
					     {"agreement_below=x", "agreement_below"},
					     {"contributor=-1", "contributor"},
					     {"sort=title", "sort"},
					     {"limit=0", "limit"},
					     {"after=abc", "after"},
					     {"sort=-priority&after=5", "after"}};
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		res r = tasks(pid, S.req, BAD[i][0]);
		cr_expect_eq(r.status, 400, "%s: %s", BAD[i][0], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field") ? jstr(r.json, "error.field") : "", BAD[i][1], "%s",
				 BAD[i][0]);
		res_free(&r);
	}
	res r = tasks(pid, S.c[0], "");
	cr_expect_eq(r.status, 403, "a contributor does not see the task list of a project: %s", r.body);
	res_free(&r);
}

Test(manage, filters_sorts_pages_and_counters)
{
	long long pid = project(6, 2);
	/* task 1 and 2 answered by two people: agreeing, then disagreeing */
	work(pid, S.c[0], "yes");
	work(pid, S.c[1], "yes");
	work(pid, S.c[0], "yes");
	work(pid, S.c[1], "no");
	res r = tasks(pid, S.req, "");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(count(&r), 6);
	cr_expect_eq(jint(r.json, "counts.total"), 6);
	cr_expect_eq(jint(r.json, "counts.with_results"), 2);
	cr_expect_eq(jint(r.json, "counts.done"), 2);
	cr_expect_eq(jint(r.json, "counts.open"), 4);
	cr_expect_eq(json_array_size(jget(r.json, "items.0.results")), 2, "each task's results come with it");
	cr_expect_str_eq(jstr(r.json, "items.0.results.0.status"), "pending");
	long long first = jint(r.json, "items.0.id"), second = jint(r.json, "items.1.id");
	res_free(&r);

	r = tasks(pid, S.req, "has_results=true");
	cr_expect_eq(count(&r), 2);
	res_free(&r);
	r = tasks(pid, S.req, "has_results=false&state=open");
	cr_expect_eq(count(&r), 4);
	res_free(&r);
	r = tasks(pid, S.req, "state=done");
	cr_expect_eq(count(&r), 2);
	res_free(&r);
	r = tasks(pid, S.req, "agreement_below=0.9");
	cr_expect_eq(count(&r), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.id"), second);
	cr_expect(json_real_value(jget(r.json, "items.0.agreement")) == 0.5);
	res_free(&r);
	char q[64];
	snprintf(q, sizeof q, "contributor=%lld", S.c_id[1]);
	r = tasks(pid, S.req, q);
	cr_expect_eq(count(&r), 2);
	res_free(&r);
	r = tasks(pid, S.req, "q=ITEM%20NUMBER%203");
	cr_expect_eq(count(&r), 1, "search is case-insensitive: %s", r.body);
	res_free(&r);
	r = tasks(pid, S.req, "q=nothing-like-this&results=false");
	cr_expect_eq(count(&r), 0);
	res_free(&r);

	/* keyset pages, both directions, and a sort by priority with its cursor */
	r = tasks(pid, S.req, "limit=4");
	cr_expect_eq(count(&r), 4);
	char after[96];
	snprintf(after, sizeof after, "limit=4&after=%s", jstr(r.json, "next"));
	res_free(&r);
	r = tasks(pid, S.req, after);
	cr_expect_eq(count(&r), 2);
	cr_expect(json_is_null(jget(r.json, "next")));
	cr_expect_null(jget(r.json, "counts"), "counters only on the first page");
	res_free(&r);
	r = tasks(pid, S.req, "sort=-id&limit=1");
	cr_expect_eq(jint(r.json, "items.0.id"), first + 5);
	res_free(&r);
	r = tasks(pid, S.req, "sort=-priority&limit=1");
	cr_expect_eq(jint(r.json, "items.0.id"), first + 5, "equal priorities: newest first");
	snprintf(after, sizeof after, "sort=-priority&limit=5&after=%s", jstr(r.json, "next"));
	res_free(&r);
	r = tasks(pid, S.req, after);
	cr_expect_eq(count(&r), 5, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.id"), first + 4);
	cr_expect_eq(jint(r.json, "items.4.id"), first);
	res_free(&r);
}

Test(manage, delete_only_tasks_nobody_worked_on)
{
	long long pid = project(4, 1);
	long long sid = work(pid, S.c[0], "yes");
	(void)sid;
	res r = tasks(pid, S.req, "");
	long long done = jint(r.json, "items.0.id"), leased, spare = jint(r.json, "items.3.id");
	res_free(&r);
	lease_ok(&S, pid, S.c[1]); /* the second task is being worked on */
	leased = done + 1;
	char path[96];
	snprintf(path, sizeof path, "/api/v1/tasks/%lld", done);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "has_submissions");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/tasks/%lld", leased);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "task_leased");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/tasks/%lld", spare);
	r = api(&S, "DELETE", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "a contributor cannot delete tasks: %s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = tasks(pid, S.req, "");
	cr_expect_eq(jint(r.json, "counts.total"), 3, "the counter follows a delete");
	res_free(&r);

	/* bulk: each id on its own */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks/bulk", pid);
	r = api(&S, "POST", path, S.req, "{s:s,s:[I,I,I]}", "action", "delete", "ids", done, done + 2, 999999LL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "done"), 1);
	cr_expect_eq(json_array_size(jget(r.json, "failed")), 2);
	cr_expect_str_eq(jstr(r.json, "failed.0.code"), "has_submissions");
	cr_expect_str_eq(jstr(r.json, "failed.1.code"), "not_found");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:[]}", "action", "delete", "ids");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:[I]}", "action", "priority", "ids", leased);
	cr_expect_eq(r.status, 400, "priority needs its value");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:[I],s:i}", "action", "priority", "ids", leased, "priority", 7);
	cr_expect_eq(jint(r.json, "done"), 1);
	res_free(&r);
	r = tasks(pid, S.req, "sort=-priority&limit=1");
	cr_expect_eq(jint(r.json, "items.0.id"), leased);
	res_free(&r);
}

static res bulk_accept(long long pid, const char *tok, json_t *ids)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/accept", pid);
	return api(&S, "POST", path, tok, "{s:o}", "ids", ids);
}

Test(manage, bulk_accept_is_idempotent_and_reports_each_failure)
{
	long long pid = project(6, 1), other = project(1, 1);
	long long a = work(pid, S.c[0], "yes"), b = work(pid, S.c[1], "no"), c = work(pid, S.c[2], "yes");
	long long foreign = work(other, S.c[0], "yes");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/reject", pid);
	res r = api(&S, "POST", path, S.req, "{s:[{s:I,s:s,s:s},{s:I,s:s,s:s}]}", "items", "id", c, "reason_code",
		    "spam", "message", "Random answers.", "id", b, "reason_code", "nope", "message", "x");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "rejected"), 1);
	cr_expect_eq(jint(r.json, "failed.0.id"), b);
	cr_expect_str_eq(jstr(r.json, "failed.0.code"), "invalid_reason_code");
	res_free(&r);

	r = bulk_accept(pid, S.c[0], json_pack("[I]", a));
	cr_expect_eq(r.status, 403, "a contributor is not a reviewer: %s", r.body);
	res_free(&r);
	r = bulk_accept(pid, S.req, json_pack("[s]", "a"));
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = bulk_accept(pid, S.req, json_pack("[I,I,I,I,I]", a, b, c, foreign, a));
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "accepted"), 2);
	cr_expect_eq(jint(r.json, "unchanged"), 1, "an id asked for twice is accepted once: %s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "failed")), 2);
	cr_expect_eq(jint(r.json, "failed.0.id"), c);
	cr_expect_str_eq(jstr(r.json, "failed.0.code"), "already_reviewed");
	cr_expect_eq(jint(r.json, "failed.1.id"), foreign);
	cr_expect_str_eq(jstr(r.json, "failed.1.code"), "not_found");
	res_free(&r);
	r = bulk_accept(pid, S.req, json_pack("[I,I]", a, b));
	cr_expect_eq(jint(r.json, "accepted"), 0, "accepting twice changes nothing");
	cr_expect_eq(jint(r.json, "unchanged"), 2);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_eq(jint(r.json, "available"), 10, "paid once: %s", r.body);
	res_free(&r);

	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions?status=accepted", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 2, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.user"), "c1@test.local");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions?contributor=%lld", pid, S.c_id[2]);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1);
	cr_expect_str_eq(jstr(r.json, "items.0.reason_code"), "spam");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions?status=maybe", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
}

/* One number from the server's database (sqlite3, or psql on the
 * PostgreSQL pass). */
static long long sql_count(const char *fmt, long long pid)
{
	char q[768], cmd[2048], out[64] = "";
	snprintf(q, sizeof q, fmt, pid, pid);
	if (*S.database)
		snprintf(cmd, sizeof cmd, "psql '%s' -Atc \"%s\"", S.database, q);
	else
		snprintf(cmd, sizeof cmd, "sqlite3 %s/faircrowd.db \"%s\"", S.dir, q);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	if (!fgets(out, sizeof out, p))
		out[0] = 0;
	cr_assert_eq(pclose(p), 0, "%s", cmd);
	return atoll(out);
}

/* A bulk accept publishes its events in one batch (subscribers read shared
 * facts once and trim at the end): each accepted submission still gets
 * exactly one ledger posting, one notification and one webhook delivery,
 * and accepting again adds none. */
Test(manage, a_bulk_accept_has_one_of_each_effect_per_submission)
{
	enum { EACH = 4, N = 3 * EACH };
	char tasks[8192], path[96];
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i}", "title", "Bulk effects", "label_config",
					       YES_NO_CONFIG, "reward", 7, "overlap", 1),
				     ndjson_lines(tasks, sizeof tasks, "{\"text\":\"bulk %d\"}\n", N), 100000);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	res r = api(&S, "POST", path, S.req, "{s:s,s:[s],s:s}", "url", "http://hooks.invalid/in", "events",
		    "SUBMISSION_ACCEPTED", "secret", "s3cret");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	long long before[3];
	for (int c = 0; c < 3; c++) {
		r = api(&S, "GET", "/api/v1/me/earnings", S.c[c], NULL);
		before[c] = jint(r.json, "available");
		res_free(&r);
	}
	/* c1 already has 600 notifications: the batch's are written, then the
	 * list is trimmed to the newest 500 (not trimmed before they arrive) */
	sql_count("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<600) "
		  "INSERT INTO notifications(user_id,kind,title,body,link,created_at) "
		  "SELECT %lld,'filler','filler','','',0 FROM n WHERE %lld>0",
		  S.c_id[0]);
	json_t *ids = json_array();
	for (int i = 0; i < EACH; i++)
		for (int c = 0; c < 3; c++)
			json_array_append_new(ids, json_integer(work(pid, S.c[c], i % 2 ? "yes" : "no")));
	json_array_append(ids, json_array_get(ids, 0)); /* asked for twice: accepted once */
	for (int round = 0; round < 2; round++) {
		r = bulk_accept(pid, S.req, json_deep_copy(ids));
		cr_assert_eq(r.status, 200, "%s", r.body);
		cr_expect_eq(jint(r.json, "accepted"), round ? 0 : N, "%s", r.body);
		res_free(&r);
		cr_expect_eq(sql_count("SELECT COUNT(*) FROM ledger_txns WHERE memo='accepted by a reviewer' AND ref IN "
				       "(SELECT 'submission:'||CAST(id AS TEXT) FROM submissions WHERE project_id=%lld)",
				       pid),
			     N, "one posting each (round %d)", round);
		cr_expect_eq(sql_count("SELECT COUNT(DISTINCT ref) FROM ledger_txns WHERE memo='accepted by a reviewer' "
				       "AND ref IN (SELECT 'submission:'||CAST(id AS TEXT) FROM submissions WHERE "
				       "project_id=%lld)",
				       pid),
			     N);
		cr_expect_eq(sql_count("SELECT COUNT(*) FROM notifications WHERE kind='accepted' AND title LIKE "
				       "'%%Bulk effects%%' AND %lld>0",
				       pid),
			     N, "one notification each (round %d)", round);
		cr_expect_eq(sql_count("SELECT COUNT(*) FROM notifications WHERE user_id=%lld AND %lld>0", S.c_id[0]),
			     500, "c1 keeps the newest 500");
		cr_expect_eq(sql_count("SELECT COUNT(*) FROM notifications WHERE user_id=%lld AND %lld>0 AND title LIKE "
				       "'%%Bulk effects%%'",
				       S.c_id[0]),
			     EACH, "among them the batch's");
		cr_expect_eq(sql_count("SELECT COUNT(DISTINCT title) FROM notifications WHERE kind='accepted' AND title "
				       "LIKE '%%Bulk effects%%' AND %lld>0",
				       pid),
			     N, "each names its submission");
		cr_expect_eq(sql_count("SELECT COUNT(*) FROM outbox WHERE sink='webhook' AND project_id=%lld AND "
				       "action='SUBMISSION_ACCEPTED'",
				       pid),
			     N, "one webhook delivery each (round %d)", round);
	}
	for (int c = 0; c < 3; c++) {
		r = api(&S, "GET", "/api/v1/me/earnings", S.c[c], NULL);
		cr_expect_eq(jint(r.json, "available") - before[c], EACH * 7, "contributor %d: %s", c, r.body);
		res_free(&r);
	}
	json_decref(ids);
	/* the batch's postings were written together: balances are the entry
	 * sums and every statement chain is unbroken */
	char out[512];
	int rc = *S.database
			 ? run_cmd(out, sizeof out, "'%s' ledger check --database '%s' 2>&1", getenv("FC_BINARY"),
				   S.database)
			 : run_cmd(out, sizeof out, "'%s' ledger check --data '%s' 2>&1", getenv("FC_BINARY"), S.dir);
	cr_expect_eq(rc, 0, "ledger check: %s", out);
	cr_expect(strstr(out, "ok: 0 violations"), "%s", out);
}

Test(manage, members_by_email)
{
	long long pid = project(1, 1);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members", pid);
	res r = api(&S, "POST", path, S.c[0], "{s:s,s:s}", "email", "c2@test.local", "role", "reviewer");
	cr_expect_eq(r.status, 403, "an outsider adds nobody: %s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:s}", "email", "nobody@test.local", "role", "reviewer");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "email");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s}", "role", "reviewer");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:s}", "email", "C2@test.local", "role", "reviewer");
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "user_id"), S.c_id[1]);
	res_free(&r);
	r = api(&S, "GET", path, S.c[1], NULL);
	cr_expect_eq(r.status, 200, "a reviewer sees the team");
	cr_expect_eq(json_array_size(jget(r.json, "items")), 2);
	res_free(&r);
	long long owner = user_id(&S, S.req);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members/%lld", pid, owner);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 409);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members/%lld", pid, S.c_id[1]);
	r = api(&S, "DELETE", path, S.c[1], NULL);
	cr_expect_eq(r.status, 403, "a reviewer does not remove members");
	res_free(&r);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 204);
	res_free(&r);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(manage, an_appeal_carries_the_rejected_work_and_who_rejected)
{
	long long pid = project(1, 1);
	long long sid = work(pid, S.c[0], "no");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/reject", pid);
	res r = api(&S, "POST", path, S.req, "{s:[{s:I,s:s,s:s}]}", "items", "id", sid, "reason_code", "wrong_answer",
		    "message", "It is a yes.");
	cr_assert_eq(jint(r.json, "rejected"), 1, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/appeal", sid);
	r = api(&S, "POST", path, S.c[0], "{s:s}", "message", "Read the item again, please.");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/appeals?status=open", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.rejection.reason_code"), "wrong_answer");
	cr_expect_eq(jint(r.json, "items.0.rejection.reviewed_by"), user_id(&S, S.req));
	cr_expect_str_eq(jstr(r.json, "items.0.rejection.result.0.value.choices.0"), "no");
	cr_expect_str_eq(jstr(r.json, "items.0.task.data.text"), "item number 0");
	res_free(&r);
}

Test(manage, admin_searches_users_and_resets_a_password)
{
	res r = api(&S, "GET", "/api/v1/users?q=C2%40TEST", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.email"), "c2@test.local");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/users?role=requester", S.admin_token, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 2, "the admin is a requester too: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.1.email"), "req@test.local");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/users?role=boss", S.admin_token, NULL);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "role");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/users?q=c", S.req, NULL);
	cr_expect_eq(r.status, 403, "admins only");
	res_free(&r);

	char path[96];
	snprintf(path, sizeof path, "/api/v1/users/%lld/password-reset", S.c_id[2]);
	r = api(&S, "POST", path, S.req, NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/users/999999/password-reset", S.admin_token, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "POST", path, S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char pw[64];
	snprintf(pw, sizeof pw, "%s", jstr(r.json, "password"));
	cr_expect_eq(strlen(pw), 16);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c3@test.local", "password", pw);
	cr_expect_eq(r.status, 200, "the new password signs in: %s", r.body);
	res_free(&r);
}

Test(manage, the_gold_filter_and_counter)
{
	long long pid = project(3, 1);
	project_import(&S, pid, S.req,
		       "{\"data\":{\"text\":\"check one\"},\"gold\":{\"label\":\"yes\"}}\n"
		       "{\"data\":{\"text\":\"check two\"},\"gold\":{\"label\":\"no\"}}\n");
	res r = tasks(pid, S.req, "gold=true");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(count(&r), 2, "%s", r.body);
	for (size_t i = 0; i < json_array_size(jget(r.json, "items")); i++)
		cr_expect(json_is_true(json_object_get(json_array_get(jget(r.json, "items"), i), "is_gold")), "%s",
			  r.body);
	cr_expect_eq(jint(r.json, "counts.gold"), 2);
	cr_expect_eq(jint(r.json, "counts.total"), 5);
	res_free(&r);
	r = tasks(pid, S.req, "gold=false");
	cr_expect_eq(count(&r), 3, "%s", r.body);
	res_free(&r);
	r = tasks(pid, S.req, "gold=true&q=two");
	cr_expect_eq(count(&r), 1, "gold and text search together: %s", r.body);
	res_free(&r);
}
