/* The contributor's side, continued (issue #17): notices of new work (to
 * the eligible only, never twice, email rate-limited, quiet hours kept),
 * payout mail, pseudonymous messages with the requester, and the work
 * board (hourly figure only from enough timed submissions, projects with
 * nothing left for me hidden). Mail goes through a real SMTP sink. */
#include "harness.h"
#include "mailsink.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static srv S;

static long long project_el(const char *title, int ntasks, int reward, const char *countries)
{
	char tasks[8192];
	json_t *body = json_pack("{s:s,s:s,s:i,s:i}", "title", title, "label_config", YES_NO_CONFIG, "reward", reward,
				 "overlap", 1);
	if (countries)
		json_object_set_new(body, "eligibility", json_pack("{s:[s]}", "countries", countries));
	return project_live(&S, S.req, body, ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", ntasks),
			    1000000);
}

static void ok(res r, long want)
{
	cr_assert_eq(r.status, want, "want %ld, got %ld %s", want, r.status, r.body);
	res_free(&r);
}

/* The mails of category cat sent to addr. */
static int mails_to(json_t *m, const char *addr, const char *cat)
{
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(m, i, v)
		n += !strcmp(jstr(v, "to"), addr) && !strcmp(jstr(v, "category"), cat);
	return n;
}

/* In-app notifications of kind for tok. */
static int notes_of(const char *tok, const char *kind)
{
	res r = api(&S, "GET", "/api/v1/me/notifications?limit=100", tok, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(jget(r.json, "items"), i, v)
		n += !strcmp(jstr(v, "kind"), kind);
	res_free(&r);
	return n;
}

/* Waits until the sink holds n mails and a little longer (a mail too many
 * would arrive in that time); returns them. */
static json_t *settled(size_t n)
{
	json_t *m = wait_for(n, 100);
	json_decref(m);
	usleep(400 * 1000);
	return mails();
}

/* ---- notices of new work ---- */

/* A project open to all published at `at`, the notice job run at `run`
 * (and the outbox a second later): the mails once the sink holds n. */
static json_t *publish_then_run(const char *title, const char *at, const char *run, size_t n)
{
	set_clock(&S, at);
	project_el(title, 5, 50, NULL);
	set_clock(&S, run);
	char later[32];
	snprintf(later, sizeof later, "%.17s01Z", run);
	set_clock(&S, later);
	return settled(n);
}

static void up_mail(void) { suite_with_users_env(&S, sink_up(NULL), 4); }
static void down_mail(void)
{
	srv_stop(&S);
	sink_down();
}
TestSuite(newwork, .init = up_mail, .fini = down_mail, .timeout = 240);

Test(newwork, announced_once_to_the_eligible_with_the_rate_limit_and_quiet_hours)
{
	set_clock(&S, "2032-03-01T07:00:00Z");
	ok(api(&S, "PATCH", "/api/v1/me/profile", S.c[0], "{s:s}", "country", "FR"), 200);
	for (int i = 1; i < 4; i++)
		ok(api(&S, "PATCH", "/api/v1/me/profile", S.c[i], "{s:s}", "country", "DE"), 200);
	/* c3 sleeps 08:00-10:00 UTC; c4's account is disabled */
	ok(api(&S, "PUT", "/api/v1/me/preferences", S.c[2], "{s:{s:s,s:s,s:s}}", "quiet_hours", "from", "08:00", "to",
	       "10:00", "tz", "Z"),
	   200);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld", S.c_id[3]);
	ok(api(&S, "PATCH", path, S.admin_token, "{s:b}", "disabled", 1), 200);

	set_clock(&S, "2032-03-01T09:00:00Z");
	long long de = project_el("Only in Germany", 5, 50, "DE");
	set_clock(&S, "2032-03-01T09:02:00Z"); /* the notice job, then the outbox */
	set_clock(&S, "2032-03-01T09:02:01Z");
	json_t *m = settled(1);
	cr_assert_eq(json_array_size(m), 1, "one mail: c2 (c1 is in France, c3 asleep, c4 disabled)");
	cr_expect_eq(mails_to(m, "c2@test.local", "new_work"), 1);
	cr_expect(strstr(jstr(m, "0.subject"), "Only in Germany"), "%s", jstr(m, "0.subject"));
	json_decref(m);
	cr_expect_eq(notes_of(S.c[1], "new_work"), 1);
	cr_expect_eq(notes_of(S.c[0], "new_work"), 0, "not eligible: not told");
	cr_expect_eq(notes_of(S.c[2], "new_work"), 0, "quiet hours: not yet");

	/* later runs never send it again; c3 hears after their quiet hours */
	set_clock(&S, "2032-03-01T09:30:00Z");
	set_clock(&S, "2032-03-01T10:00:30Z");
	set_clock(&S, "2032-03-01T10:00:31Z");
	m = settled(2);
	cr_assert_eq(json_array_size(m), 2, "c3 once awake, and nobody twice");
	cr_expect_eq(mails_to(m, "c3@test.local", "new_work"), 1);
	cr_expect_eq(mails_to(m, "c2@test.local", "new_work"), 1);
	json_decref(m);
	cr_expect_eq(notes_of(S.c[1], "new_work"), 1, "never twice in the app either");

	/* a second project within 24 hours: in the app for all three, mail
	 * only for c1 (never mailed about new work yet) */
	m = publish_then_run("Everyone", "2032-03-01T11:00:00Z", "2032-03-01T11:02:00Z", 3);
	cr_assert_eq(json_array_size(m), 3, "the rate limit holds for c2 and c3");
	cr_expect_eq(mails_to(m, "c1@test.local", "new_work"), 1);
	json_decref(m);
	cr_expect_eq(notes_of(S.c[1], "new_work"), 2);
	cr_expect_eq(notes_of(S.c[2], "new_work"), 2);
	cr_expect_eq(notes_of(S.c[0], "new_work"), 1);

	/* the next day the limit has passed; c1 turned new-work mail off */
	ok(api(&S, "PUT", "/api/v1/me/preferences", S.c[0], "{s:{s:b}}", "notify", "new_work", 0), 200);
	m = publish_then_run("Next day", "2032-03-02T11:30:00Z", "2032-03-02T11:32:00Z", 5);
	cr_assert_eq(json_array_size(m), 5, "c2 and c3 again, not c1");
	cr_expect_eq(mails_to(m, "c2@test.local", "new_work"), 2);
	cr_expect_eq(mails_to(m, "c3@test.local", "new_work"), 2);
	cr_expect_eq(mails_to(m, "c1@test.local", "new_work"), 1);
	json_decref(m);
	cr_expect_eq(notes_of(S.c[0], "new_work"), 1, "opted out: not in the app either");
	/* new tasks in a project already announced: nobody is told twice */
	char tasks[256];
	project_import(&S, de, S.req, ndjson_lines(tasks, sizeof tasks, "{\"text\":\"more %d\"}\n", 2));
	set_clock(&S, "2032-03-04T12:00:00Z");
	set_clock(&S, "2032-03-04T12:00:01Z");
	m = settled(6);
	cr_expect_eq(json_array_size(m), 5, "no second notice about one project");
	cr_expect_eq(mails_to(m, "c4@test.local", "new_work"), 0, "a disabled account hears nothing");
	json_decref(m);
}

Test(newwork, a_confirmed_payout_is_mailed_and_shown)
{
	for (int i = 0; i < 4; i++) /* only payouts in this test */
		ok(api(&S, "PUT", "/api/v1/me/preferences", S.c[i], "{s:{s:b}}", "notify", "new_work", 0), 200);
	set_clock(&S, "2032-04-01T09:00:00Z");
	long long pid = project_el("Paid", 3, 300, NULL);
	for (int i = 0; i < 2; i++) {
		res r = submit_choice(&S, lease_ok(&S, pid, S.c[0]), S.c[0], "label", "yes", NULL);
		cr_assert_eq(r.status, 201, "%s", r.body);
		char path[96];
		snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", jint(r.json, "id"));
		res_free(&r);
		ok(api(&S, "POST", path, S.req, NULL), 200);
	}
	/* the two decision mails delivered (and settled) before the clock jumps an
	 * hour: a jump while one is in flight outlives its claim, and the outbox,
	 * at least once, would rightly send it again */
	json_decref(settled(2));
	ok(api(&S, "POST", "/api/v1/me/payouts", S.c[0], "{s:i}", "amount", 600), 201);
	set_clock(&S, "2032-04-01T10:00:00Z");
	res r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.admin_token, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/admin/payouts/batch/%lld/confirm", jint(r.json, "batch_id"));
	res_free(&r);
	ok(api(&S, "POST", path, S.admin_token, NULL), 200);
	set_clock(&S, "2032-04-01T10:00:01Z");
	json_t *m = settled(3);
	char *dump = json_dumps(m, JSON_COMPACT);
	cr_expect_eq(mails_to(m, "c1@test.local", "decisions"), 2, "%s", dump);
	free(dump);
	cr_assert_eq(mails_to(m, "c1@test.local", "payouts"), 1, "one payout mail");
	size_t i;
	json_t *v;
	json_array_foreach(m, i, v)
		if (!strcmp(jstr(v, "category"), "payouts"))
			cr_expect(strstr(jstr(v, "subject"), "Payout of 6.00 USD sent"), "%s", jstr(v, "subject"));
	json_decref(m);
	cr_expect_eq(notes_of(S.c[0], "payout"), 1);
	cr_expect_eq(notes_of(S.c[1], "payout"), 0, "only the one paid");
}

/* ---- messages ---- */

static void up(void) { suite_with_users(&S, 3); }
static void down(void) { srv_stop(&S); }
TestSuite(messages, .init = up, .fini = down, .timeout = 120);

static res send(long long pid, const char *tok, const char *json)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/messages", pid);
	return http(&S, "POST", path, tok, "application/json", json, strlen(json), NULL);
}

Test(messages, refused_for_bad_input_strangers_and_other_peoples_threads)
{
	set_clock(&S, "2032-05-01T09:00:00Z");
	long long pid = project_el("Talk", 4, 10, NULL);
	res r = send(pid, S.c[0], "{\"body\":\"hello\"}");
	cr_expect_eq(r.status, 404, "never worked on it: %s", r.body);
	res_free(&r);
	lease_ok(&S, pid, S.c[0]);
	static const struct {
		const char *json;
		long status;
		const char *field;
	} bad[] = {
		{"{}", 400, "body"},
		{"{\"body\":5}", 400, "body"},
		{"{\"body\":\"  \\n \"}", 400, "body"},
		{"{\"body\":\"x\",\"thread_id\":1}", 400, "thread_id"},
		{"{\"body\":\"x\",\"to\":\"owner@x\"}", 400, "to"},
		{"[1]", 400, NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = send(pid, S.c[0], bad[i].json);
		cr_expect_eq(r.status, bad[i].status, "%s → %s", bad[i].json, r.body);
		if (bad[i].field)
			cr_expect_str_eq(jstr(r.json, "error.field") ? jstr(r.json, "error.field") : "", bad[i].field,
					 "%s → %s", bad[i].json, r.body);
		res_free(&r);
	}
	char big[4100 + 32];
	memset(big, 'a', sizeof big);
	memcpy(big, "{\"body\":\"", 9);
	memcpy(big + sizeof big - 3, "\"}", 3);
	r = send(pid, S.c[0], big);
	cr_expect_eq(r.status, 400, "over 4000 bytes: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "too_long");
	res_free(&r);
	static char huge[20 * 1024];
	memset(huge, 'a', sizeof huge - 1);
	r = send(pid, S.c[0], huge);
	cr_expect_eq(r.status, 413, "%ld", r.status);
	res_free(&r);
	r = send(999999, S.c[0], "{\"body\":\"x\"}");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = send(pid, NULL, "{\"body\":\"x\"}");
	cr_expect_eq(r.status, 401);
	res_free(&r);

	/* c1 writes; c2 (no work there) cannot read the owner's list */
	r = send(pid, S.c[0], "{\"body\":\"Task 3 has no image.\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long thread = jint(r.json, "thread_id");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/messages", pid);
	r = api(&S, "GET", path, S.c[1], NULL);
	cr_expect_eq(r.status, 404, "only the owner lists a project's threads");
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "a contributor reads their own at /me/messages");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/messages", S.c[1], NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "c2 sees nobody else's thread");
	res_free(&r);
	/* another requester cannot answer in it */
	char other[64];
	make_user(&S, "req2@test.local", "requester", other);
	char reply[96];
	snprintf(reply, sizeof reply, "{\"body\":\"hi\",\"thread_id\":%lld}", thread);
	r = send(pid, other, reply);
	cr_expect_eq(r.status, 400, "not the owner: a contributor's message, which has no thread_id: %s", r.body);
	res_free(&r);
	snprintf(reply, sizeof reply, "{\"body\":\"hi\",\"thread_id\":%lld}", thread + 1000);
	r = send(pid, S.req, reply);
	cr_expect_eq(r.status, 404, "no such thread: %s", r.body);
	res_free(&r);
	r = send(pid, S.req, "{\"body\":\"hi\"}");
	cr_expect_eq(r.status, 400, "the owner names the thread");
	res_free(&r);
	/* a thread of one project cannot be answered through another */
	long long other_pid = project_el("Another of mine", 2, 10, NULL);
	snprintf(reply, sizeof reply, "{\"body\":\"hi\",\"thread_id\":%lld}", thread);
	r = send(other_pid, S.req, reply);
	cr_expect_eq(r.status, 404, "another project's thread: %s", r.body);
	res_free(&r);
}

Test(messages, a_conversation_is_pseudonymous_both_ways)
{
	set_clock(&S, "2032-05-02T09:00:00Z");
	long long pid = project_el("Street signs", 4, 10, NULL);
	lease_ok(&S, pid, S.c[0]);
	lease_ok(&S, pid, S.c[1]);
	res r = send(pid, S.c[0], "{\"body\":\"Task 3 has no image.\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long t1 = jint(r.json, "thread_id");
	res_free(&r);
	set_clock(&S, "2032-05-02T09:01:00Z");
	ok(send(pid, S.c[1], "{\"body\":\"Is 'maybe' allowed?\"}"), 201);
	set_clock(&S, "2032-05-02T09:02:00Z");
	ok(send(pid, S.c[0], "{\"body\":\"And task 4 too.\"}"), 201);
	/* the owner: two threads, contributors by pseudonym, no email */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/messages", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 2, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.id"), t1, "the latest conversation first");
	char who[64];
	snprintf(who, sizeof who, "Contributor %lld", t1);
	cr_expect_str_eq(jstr(r.json, "items.0.contributor"), who);
	cr_expect_eq(json_array_size(jget(r.json, "items.0.messages")), 2);
	cr_expect_str_eq(jstr(r.json, "items.0.messages.1.body"), "And task 4 too.");
	cr_expect_null(strstr(r.body, "@test.local"), "no email in the owner's view: %s", r.body);
	cr_expect_null(strstr(r.body, "\"user_id\""), "no user id either");
	res_free(&r);
	cr_expect_eq(notes_of(S.req, "message"), 3);
	/* the owner answers; c1 sees the project's name and the answer */
	char reply[128];
	snprintf(reply, sizeof reply, "{\"body\":\"Thanks, fixed.\",\"thread_id\":%lld}", t1);
	ok(send(pid, S.req, reply), 201);
	r = api(&S, "GET", "/api/v1/me/messages", S.c[0], NULL);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.project_title"), "Street signs");
	cr_expect_str_eq(jstr(r.json, "items.0.messages.2.from"), "requester");
	cr_expect_str_eq(jstr(r.json, "items.0.messages.2.body"), "Thanks, fixed.");
	cr_expect_null(strstr(r.body, "req@test.local"), "no email in the contributor's view");
	res_free(&r);
	cr_expect_eq(notes_of(S.c[0], "message"), 1);
	cr_expect_eq(notes_of(S.c[1], "message"), 0);
	/* a flood stops at 50 a day per thread */
	for (int i = 3; i < 50; i++)
		ok(send(pid, S.c[0], "{\"body\":\"again\"}"), 201);
	r = send(pid, S.c[0], "{\"body\":\"one more\"}");
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "rate_limited");
	res_free(&r);
	set_clock(&S, "2032-05-03T09:00:01Z");
	ok(send(pid, S.c[0], "{\"body\":\"next day\"}"), 201);
}

/* ---- the work board ---- */

TestSuite(board, .init = up, .fini = down, .timeout = 180);

static json_t *board_item(const char *tok, long long pid)
{
	res r = api(&S, "GET", "/api/v1/projects?limit=100", tok, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *found = NULL, *v;
	size_t i;
	json_array_foreach(jget(r.json, "items"), i, v)
		if (jint(v, "id") == pid)
			found = json_incref(v);
	res_free(&r);
	return found;
}

/* A submission timed at 60 s. */
static long long board_clock = 1969693200; /* 2032-06-01T09:00:00Z */

static void clock_at(long long t)
{
	char ts[32];
	time_t tt = (time_t)t;
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
	set_clock(&S, ts);
}

/* A submission timed at 60 s (the lease open that long). */
static void timed(long long pid, const char *tok)
{
	long long aid = lease_ok(&S, pid, tok);
	clock_at(board_clock += 61);
	ok(submit_choice(&S, aid, tok, "label", "yes", json_integer(60)), 201);
}

Test(board, hourly_pay_needs_ten_timed_submissions_and_done_projects_leave_my_board)
{
	set_clock(&S, "2032-06-01T09:00:00Z");
	long long pid = project_el("Timed", 12, 60, NULL);
	json_t *p = board_item(S.c[0], pid);
	cr_assert(p);
	cr_expect(json_is_null(jget(p, "hourly_estimate")));
	cr_expect_eq(jint(p, "tasks_available"), 12);
	json_decref(p);
	/* nine timed submissions of 60 s (c1: 6, c2: 3): not yet */
	for (int i = 0; i < 9; i++)
		timed(pid, i < 6 ? S.c[0] : S.c[1]);
	p = board_item(S.c[2], pid);
	cr_assert(p);
	cr_expect(json_is_null(jget(p, "hourly_estimate")), "9 < 10 timed submissions");
	cr_expect_eq(jint(p, "measured_submissions"), 9);
	cr_expect_eq(jint(p, "hourly_min_measured"), 10);
	json_decref(p);
	timed(pid, S.c[1]);
	char path[96];
	/* a bonus does not change the figure: 60 per task in 60 s = 3600/h */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/bonuses", pid);
	res r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)S.c_id[0], "amount", 500, "reason",
		    "thanks");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	p = board_item(S.c[2], pid);
	cr_assert(p);
	cr_expect_eq(jint(p, "hourly_estimate"), 3600, "median 60 s: %lld", jint(p, "hourly_estimate"));
	json_decref(p);
	/* 12 tasks, overlap 1, 10 submitted: 2 left for c3; c1 took 6 and the
	 * rest are open to them too */
	p = board_item(S.c[2], pid);
	cr_expect_eq(jint(p, "tasks_available"), 2);
	json_decref(p);
	lease_ok(&S, pid, S.c[2]);
	p = board_item(S.c[2], pid);
	cr_assert(p, "a held task keeps the project on my board");
	cr_expect_eq(jint(p, "tasks_available"), 1);
	json_decref(p);
	lease_ok(&S, pid, S.c[0]);
	cr_expect_null(board_item(S.c[1], pid), "nothing left for c2: hidden");
}
