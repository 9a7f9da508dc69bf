/* The contributor's side (issue #17): the signed work history (verified by
 * Node's own canonical JSON and Ed25519, not ours), in-app notifications,
 * password reset by email through a real SMTP sink, reports on tasks, and
 * a project's transparency figures against a hand-computed scenario. */
#include "harness.h"
#include "mailsink.h"
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static srv S;

static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }

static long long project(const char *title, int ntasks, int reward)
{
	char tasks[8192];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i,s:[s,s]}", "title", title, "label_config", YES_NO_CONFIG,
				      "reward", reward, "overlap", 1, "reject_reasons", "wrong_answer", "spam"),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", ntasks), 1000000);
}

static long long work(long long pid, const char *tok)
{
	res r = submit_choice(&S, lease_ok(&S, pid, tok), tok, "label", "yes", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static void decide(long long sid, int accept)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/%s", sid, accept ? "accept" : "reject");
	res r = accept ? api(&S, "POST", path, S.req, NULL)
		       : api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "wrong_answer", "message",
			     "The item says no.");
	cr_assert_eq(r.status, 200, "%s %s", path, r.body);
	res_free(&r);
}

/* ---- signed work history ---- */

/* Verifies {history, signature, public_key} with Node: its own canonical
 * JSON (sorted keys, JSON.stringify) and its own Ed25519. 1 when valid. */
static int node_verifies(json_t *doc)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/fc-history-%d.json", (int)getpid());
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "node -e '"
		 "const c=require(\"crypto\"),fs=require(\"fs\");"
		 "const d=JSON.parse(fs.readFileSync(process.argv[1]));"
		 "const canon=(v)=>Array.isArray(v)?\"[\"+v.map(canon).join(\",\")+\"]\":"
		 "v!==null&&typeof v===\"object\"?\"{\"+Object.keys(v).sort().map((k)=>JSON.stringify(k)+\":\"+canon(v[k]))"
		 ".join(\",\")+\"}\":JSON.stringify(v);"
		 "const raw=Buffer.from(d.public_key,\"base64\");"
		 "const key=c.createPublicKey({key:Buffer.concat([Buffer.from(\"302a300506032b6570032100\",\"hex\"),raw]),"
		 "format:\"der\",type:\"spki\"});"
		 "process.exit(c.verify(null,Buffer.from(canon(d.history)),key,Buffer.from(d.signature,\"base64\"))?0:3)"
		 "' %s",
		 path);
	int rc = system(cmd);
	unlink(path);
	cr_assert(WIFEXITED(rc) && (WEXITSTATUS(rc) == 0 || WEXITSTATUS(rc) == 3), "node failed: %d", rc);
	return WEXITSTATUS(rc) == 0;
}

TestSuite(history, .init = up, .fini = down, .timeout = 120);

Test(history, needs_a_signed_in_user)
{
	res r = api(&S, "GET", "/api/v1/me/history", NULL, NULL);
	cr_assert_eq(r.status, 401, "%s", r.body);
	res_free(&r);
}

Test(history, counts_the_work_and_verifies_offline_and_a_changed_record_does_not)
{
	set_clock(&S, "2031-03-01T09:00:00Z");
	long long pid = project("Signs \"quoted\" ✓", 4, 10);
	long long s1 = work(pid, S.c[0]), s2 = work(pid, S.c[0]);
	work(pid, S.c[0]);
	decide(s1, 1);
	decide(s2, 0);
	res r = api(&S, "GET", "/api/v1/me/history", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(jint(r.json, "history.totals.submitted"), 3);
	cr_assert_eq(jint(r.json, "history.totals.accepted"), 1);
	cr_assert_eq(jint(r.json, "history.totals.rejected"), 1);
	cr_assert_eq(jint(r.json, "history.totals.acceptance_per_mille"), 500);
	cr_assert_eq(jint(r.json, "history.projects.0.project"), pid);
	cr_assert_str_eq(jstr(r.json, "history.projects.0.title"), "Signs \"quoted\" ✓");
	cr_assert_eq(jint(r.json, "history.contributor.id"), S.c_id[0]);
	cr_assert_str_eq(jstr(r.json, "algorithm"), "Ed25519");
	cr_assert(node_verifies(r.json), "a valid history must verify");
	/* one more accepted submission claimed: the signature no longer holds */
	json_object_set_new(jget(r.json, "history.totals"), "accepted", json_integer(2));
	cr_assert_not(node_verifies(r.json), "a changed history must not verify");
	/* the published key is the one that signed, and it survives a restart */
	res k = api(&S, "GET", "/api/v1/signing-key", NULL, NULL);
	cr_assert_eq(k.status, 200, "%s", k.body);
	cr_assert_str_eq(jstr(k.json, "public_key"), jstr(r.json, "public_key"));
	srv_restart(&S, SIGKILL);
	res k2 = api(&S, "GET", "/api/v1/signing-key", NULL, NULL);
	cr_assert_str_eq(jstr(k2.json, "public_key"), jstr(k.json, "public_key"));
	/* another contributor's record holds none of it */
	res o = api(&S, "GET", "/api/v1/me/history", S.c[1], NULL);
	cr_assert_eq(jint(o.json, "history.totals.submitted"), 0);
	cr_assert_eq(json_array_size(jget(o.json, "history.projects")), 0);
	cr_assert(node_verifies(o.json));
	res_free(&o);
	res_free(&k2);
	res_free(&k);
	res_free(&r);
}

/* ---- in-app notifications ---- */

/* notices of new work are tested in test_reach.c: off here, so the lists
 * hold the decisions only */
static void up_decisions(void)
{
	up();
	for (int i = 0; i < 2; i++) {
		res r = api(&S, "PUT", "/api/v1/me/preferences", S.c[i], "{s:{s:b}}", "notify", "new_work", 0);
		cr_assert_eq(r.status, 200, "%s", r.body);
		res_free(&r);
	}
}
TestSuite(notifications, .init = up_decisions, .fini = down, .timeout = 120);

static res notes(const char *tok, const char *query)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/me/notifications%s", query);
	return api(&S, "GET", path, tok, NULL);
}

Test(notifications, bad_requests_are_refused_naming_the_field)
{
	res r = notes(S.c[0], "?unread=maybe");
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "error.field"), "unread");
	res_free(&r);
	const char *bodies[] =
		{"{}",  "{\"ids\":[1],\"all\":true}", "{\"ids\":\"1\"}", "{\"ids\":[\"x\"]}", "{\"all\":1}",
		 "[1]", "{\"ids\":[1],\"extra\":1}"};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		r = http(&S, "POST", "/api/v1/me/notifications/read", S.c[0], "application/json", bodies[i],
			 strlen(bodies[i]), NULL);
		cr_assert_eq(r.status, 400, "%s → %s", bodies[i], r.body);
		res_free(&r);
	}
	r = notes(NULL, "");
	cr_assert_eq(r.status, 401);
	res_free(&r);
}

Test(notifications, decisions_arrive_with_reasons_and_only_to_their_contributor)
{
	set_clock(&S, "2031-04-01T09:00:00Z");
	long long pid = project("Notified", 6, 10);
	long long s1 = work(pid, S.c[0]), s2 = work(pid, S.c[0]);
	work(pid, S.c[0]); /* left to auto-approval: not a decision anyone made */
	decide(s1, 0);
	decide(s2, 1);
	set_clock(&S, "2031-04-10T09:00:00Z"); /* auto-approval has run */
	res r = notes(S.c[0], "");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 2, "%s", r.body);
	cr_assert_eq(jint(r.json, "unread"), 2);
	/* newest first */
	cr_assert_str_eq(jstr(r.json, "items.0.kind"), "accepted");
	cr_assert_str_eq(jstr(r.json, "items.1.kind"), "rejected");
	cr_assert(strstr(jstr(r.json, "items.1.body"), "The item says no."), "%s", r.body);
	long long first = jint(r.json, "items.1.id");
	res_free(&r);
	/* another contributor sees none and cannot mark them read */
	r = notes(S.c[1], "");
	cr_assert_eq(json_array_size(jget(r.json, "items")), 0);
	res_free(&r);
	char body[64];
	snprintf(body, sizeof body, "{\"ids\":[%lld]}", first);
	r = http(&S, "POST", "/api/v1/me/notifications/read", S.c[1], "application/json", body, strlen(body), NULL);
	cr_assert_eq(jint(r.json, "marked"), 0);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/me/notifications/read", S.c[0], "application/json", body, strlen(body), NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(jint(r.json, "marked"), 1);
	res_free(&r);
	r = notes(S.c[0], "?unread=1");
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1);
	cr_assert_eq(jint(r.json, "unread"), 1);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/me/notifications/read", S.c[0], "application/json", "{\"all\":true}", 12, NULL);
	cr_assert_eq(jint(r.json, "marked"), 1);
	res_free(&r);
	r = notes(S.c[0], "?unread=1");
	cr_assert_eq(jint(r.json, "unread"), 0);
	res_free(&r);
	/* turned off in the profile: no more */
	const char *off = "{\"notify\":{\"in_app\":false}}";
	r = http(&S, "PUT", "/api/v1/me/preferences", S.c[0], "application/json", off, strlen(off), NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	decide(work(pid, S.c[0]), 0);
	r = notes(S.c[0], "");
	cr_assert_eq(json_array_size(jget(r.json, "items")), 2);
	res_free(&r);
}

/* ---- reports on tasks ---- */

TestSuite(reports, .init = up, .fini = down, .timeout = 120);

static res report(long long task, const char *tok, const char *json)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/tasks/%lld/reports", task);
	return http(&S, "POST", path, tok, "application/json", json, strlen(json), NULL);
}

Test(reports, a_report_skips_the_task_without_penalty_and_reaches_the_owner_anonymously)
{
	long long pid = project("Reported", 2, 10);
	res l = lease(&S, pid, S.c[0]);
	cr_assert_eq(l.status, 201, "%s", l.body);
	long long task = jint(l.json, "task.id");
	res_free(&l);
	/* unhappy paths first */
	const char *bad[] = {"{}",
			     "{\"reason\":\"boring\"}",
			     "{\"reason\":\"other\"}",
			     "{\"reason\":7}",
			     "{\"reason\":\"broken\",\"message\":5}",
			     "not json"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		res r = report(task, S.c[0], bad[i]);
		cr_assert_eq(r.status, 400, "%s → %s", bad[i], r.body);
		res_free(&r);
	}
	res r = report(task, S.c[1], "{\"reason\":\"broken\"}"); /* never given to c1 */
	cr_assert_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = report(task + 1000, S.c[0], "{\"reason\":\"broken\"}");
	cr_assert_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = report(task, S.c[0], "{\"reason\":\"harmful\",\"message\":\"Shows an injury.\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_assert(json_is_true(jget(r.json, "released")), "%s", r.body);
	res_free(&r);
	r = report(task, S.c[0], "{\"reason\":\"broken\"}");
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "error.code"), "already_reported");
	res_free(&r);
	/* the task went back to the pool: another contributor gets it, the
	 * reporter gets the other task */
	l = lease(&S, pid, S.c[0]);
	cr_assert_eq(l.status, 201, "%s", l.body);
	cr_assert_neq(jint(l.json, "task.id"), task);
	res_free(&l);
	l = lease(&S, pid, S.c[1]);
	cr_assert_eq(l.status, 201, "%s", l.body);
	cr_assert_eq(jint(l.json, "task.id"), task);
	res_free(&l);
	/* the owner reads it, without who reported it; contributors cannot */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/reports", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1);
	cr_assert_str_eq(jstr(r.json, "items.0.reason"), "harmful");
	cr_assert_str_eq(jstr(r.json, "items.0.message"), "Shows an injury.");
	cr_assert_null(jget(r.json, "items.0.user_id"));
	cr_assert_null(strstr(r.body, "c1@test.local"));
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_assert(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
	res_free(&r);
}

/* ---- transparency ---- */

TestSuite(transparency, .init = up, .fini = down, .timeout = 180);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void clock_at(long long t)
{
	char ts[32];
	time_t tt = (time_t)t;
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	set_clock(&S, ts);
}

Test(transparency, figures_match_a_hand_computed_scenario)
{
	const long long base = 1930294800; /* 2031-03-03T09:00:00Z */
	/* high enough that the pay floor never tops a submission up (the
	 * figure is what was paid per hour, top-ups included) */
	const int reward = 500;
	clock_at(base);
	long long pid = project("Open books", 10, reward);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/transparency", pid);
	res r = api(&S, "GET", path, NULL, NULL);
	cr_assert_eq(r.status, 401);
	res_free(&r);
	long long sid[10], created[10];
	double hourly[10];
	for (int i = 0; i < 10; i++) {
		/* contributor i%2 works 60·(i+1) seconds on task i */
		clock_at(base + i * 1000);
		const char *tok = S.c[i % 2];
		long long aid = lease_ok(&S, pid, tok);
		created[i] = base + i * 1000 + 60 * (i + 1);
		clock_at(created[i]);
		res s = submit_choice(&S, aid, tok, "label", "yes", json_integer(60 * (i + 1)));
		cr_assert_eq(s.status, 201, "%s", s.body);
		sid[i] = jint(s.json, "id");
		res_free(&s);
		hourly[i] = reward * 3600.0 / (60.0 * (i + 1));
		if (i == 8) { /* 9 measured: too few to advertise a wage */
			r = api(&S, "GET", path, S.c[1], NULL);
			cr_assert_eq(r.status, 200, "%s", r.body);
			cr_assert(json_is_null(jget(r.json, "median_hourly")), "%s", r.body);
			res_free(&r);
		}
	}
	/* 0 and 1 rejected; 2, 3 and 4 accepted ten hours in; the rest
	 * auto-approved four days in */
	clock_at(base + 36000);
	decide(sid[0], 0);
	decide(sid[1], 0);
	for (int i = 2; i < 5; i++)
		decide(sid[i], 1);
	clock_at(base + 4 * 86400);
	double hours[8];
	for (int i = 2; i < 10; i++)
		hours[i - 2] = ((i < 5 ? base + 36000 : base + 4 * 86400) - created[i]) / 3600.0;
	/* an appeal, not yet decided */
	char ap[96];
	snprintf(ap, sizeof ap, "/api/v1/submissions/%lld/appeal", sid[0]);
	r = api(&S, "POST", ap, S.c[0], "{s:s}", "message", "It does say yes.");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", path, S.c[1], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(jint(r.json, "median_hourly"), (long long)(median_of(hourly, 10) + 0.5), "%s", r.body);
	cr_assert_eq(jint(r.json, "median_hourly"), 5500); /* (5000 + 6000) / 2, by hand */
	cr_assert_float_eq(json_real_value(jget(r.json, "rejection_rate")), 0.2, 1e-9);
	cr_assert_float_eq(json_real_value(jget(r.json, "auto_approved_share")), 5.0 / 8.0, 1e-4);
	cr_assert_float_eq(json_real_value(jget(r.json, "median_hours_to_payment")), median_of(hours, 8), 0.01);
	cr_assert_eq(jint(r.json, "appeals"), 1);
	cr_assert_eq(jint(r.json, "appeals_upheld"), 0);
	cr_assert_eq(jint(r.json, "contributors"), 2);
	cr_assert_str_eq(jstr(r.json, "currency"), "USD");
	res_free(&r);
	/* a project nobody may see is not found */
	r = api(&S, "GET", "/api/v1/projects/999999/transparency", S.c[0], NULL);
	cr_assert_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

/* ---- password reset through a real SMTP conversation ---- */

static void up_mail(void) { suite_with_users_env(&S, sink_up("FAIRCROWD_PUBLIC_URL=https://crowd.example.org/"), 1); }
static void down_mail(void)
{
	srv_stop(&S);
	sink_down();
}
TestSuite(reset, .init = up_mail, .fini = down_mail, .timeout = 180);

static long reset_status(const char *json)
{
	res r = http(&S, "POST", "/api/v1/auth/password-reset", NULL, "application/json", json, strlen(json), NULL);
	long st = r.status;
	res_free(&r);
	return st;
}

static res confirm(const char *token, const char *password)
{
	return api(&S, "POST", "/api/v1/auth/password-reset/confirm", NULL, "{s:s,s:s}", "token", token, "password",
		   password);
}

/* The code in a reset mail's body (the line after "enter this code:"). */
static void code_of(json_t *mail, char out[64])
{
	const char *b = json_string_value(json_object_get(mail, "body"));
	cr_assert(b);
	const char *p = strstr(b, "enter this code:\n");
	cr_assert(p, "%s", b);
	p += strlen("enter this code:\n");
	size_t n = strcspn(p, "\r\n");
	cr_assert(n > 20 && n < 64, "%s", b);
	memcpy(out, p, n);
	out[n] = 0;
}

Test(reset, the_answer_is_the_same_for_every_email_and_the_code_works_once)
{
	set_clock(&S, "2031-05-01T09:00:00Z");
	cr_assert_eq(reset_status("{}"), 400);
	cr_assert_eq(reset_status("{\"email\":5}"), 400);
	cr_assert_eq(reset_status("{\"email\":\"nobody@test.local\"}"), 202);
	cr_assert_eq(reset_status("{\"email\":\"c1@test.local\"}"), 202);
	/* a second ask within five minutes sends nothing more */
	cr_assert_eq(reset_status("{\"email\":\"c1@test.local\"}"), 202);
	set_clock(&S, "2031-05-01T09:00:01Z"); /* runs the outbox */
	json_t *m = wait_for(1, 100);
	cr_assert_eq(json_array_size(m), 1, "one mail, to the account that exists");
	usleep(500 * 1000);
	json_decref(m);
	m = mails();
	cr_assert_eq(json_array_size(m), 1, "and only one");
	json_t *mail = json_array_get(m, 0);
	cr_assert_str_eq(json_string_value(json_object_get(mail, "to")), "c1@test.local");
	char code[64];
	code_of(mail, code);
	char link[160];
	snprintf(link, sizeof link, "https://crowd.example.org/reset?token=%s", code);
	cr_assert(strstr(json_string_value(json_object_get(mail, "body")), link), "the link uses FAIRCROWD_PUBLIC_URL");
	json_decref(m);
	/* signed in before the reset */
	char cookie[300], csrf[128];
	login_cookie(&S, "c1@test.local", "password-123", cookie, csrf);
	res r = confirm("not-a-code", "a-new-password-1");
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "error.code"), "invalid_token");
	res_free(&r);
	r = confirm(code, "short");
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "error.field"), "password");
	res_free(&r);
	r = confirm(code, "a-new-password-1");
	cr_assert_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = confirm(code, "a-new-password-2"); /* once only */
	cr_assert_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	/* the old session ended; the new password signs in, the old one not */
	const char *hdr[] = {cookie, NULL};
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, hdr);
	cr_assert_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c1@test.local", "password",
		"password-123");
	cr_assert_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c1@test.local", "password",
		"a-new-password-1");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
}

Test(reset, a_code_expires_after_an_hour)
{
	set_clock(&S, "2031-06-01T09:00:00Z");
	cr_assert_eq(reset_status("{\"email\":\"c1@test.local\"}"), 202);
	set_clock(&S, "2031-06-01T09:00:01Z");
	json_t *m = wait_for(1, 100);
	cr_assert_eq(json_array_size(m), 1);
	char code[64];
	code_of(json_array_get(m, 0), code);
	json_decref(m);
	set_clock(&S, "2031-06-01T10:00:02Z");
	res r = confirm(code, "a-new-password-1");
	cr_assert_eq(r.status, 400, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "error.code"), "invalid_token");
	res_free(&r);
}

/* ---- the work queue: what I hold, with time left ---- */

TestSuite(queue, .init = up, .fini = down, .timeout = 120);

Test(queue, held_leases_are_listed_with_time_left_and_only_mine)
{
	set_clock(&S, "2031-08-01T09:00:00Z");
	long long p1 = project("Queue one", 3, 10), p2 = project("Queue two", 3, 10);
	res r = api(&S, "GET", "/api/v1/me/assignments?project=abc", S.c[0], NULL);
	cr_assert_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/assignments", NULL, NULL);
	cr_assert_eq(r.status, 401);
	res_free(&r);
	long long a1 = lease_ok(&S, p1, S.c[0]);
	set_clock(&S, "2031-08-01T09:10:00Z");
	long long a2 = lease_ok(&S, p2, S.c[0]);
	long long gone = lease_ok(&S, p1, S.c[0]);
	res s = submit_choice(&S, gone, S.c[0], "label", "no", NULL); /* submitted: not held */
	cr_assert_eq(s.status, 201, "%s", s.body);
	res_free(&s);
	lease_ok(&S, p1, S.c[1]); /* another's */
	r = api(&S, "GET", "/api/v1/me/assignments", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 2, "%s", r.body);
	/* soonest expiry first, with the time left by the test clock
	 * (leases last 1800 s by default) */
	cr_assert_eq(jint(r.json, "items.0.id"), a1);
	cr_assert_eq(jint(r.json, "items.0.seconds_left"), 1800 - 600);
	cr_assert_str_eq(jstr(r.json, "items.0.project_title"), "Queue one");
	cr_assert_not_null(jget(r.json, "items.0.task.data.text"));
	cr_assert_eq(jint(r.json, "items.1.id"), a2);
	res_free(&r);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/me/assignments?project=%lld", p2);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1);
	cr_assert_eq(jint(r.json, "items.0.id"), a2);
	res_free(&r);
	/* past its expiry a lease is not held any more */
	set_clock(&S, "2031-08-01T09:31:00Z");
	r = api(&S, "GET", "/api/v1/me/assignments", S.c[0], NULL);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	cr_assert_eq(jint(r.json, "items.0.id"), a2);
	res_free(&r);
}
