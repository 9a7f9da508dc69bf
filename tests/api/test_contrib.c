/* The contributor's side (issue #17): their own daily limit and quiet hours,
 * which the assignment engine respects at the right minute of the test
 * clock; email notifications through a real SMTP conversation with a local
 * sink (tests/api/smtp_sink.py, Debian's python3-aiosmtpd); password change. */
#include "harness.h"
#include "mailsink.h"
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 3); }
static void down(void) { srv_stop(&S); }
TestSuite(contrib, .init = up, .fini = down, .timeout = 120);

static long long project(const char *title, int ntasks)
{
	char tasks[4096];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i,s:[s,s]}", "title", title, "label_config", YES_NO_CONFIG,
				      "reward", 10, "overlap", 1, "reject_reasons", "wrong_answer", "spam"),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", ntasks), 100000);
}

static res put_prefs(const char *tok, const char *json)
{
	return http(&S, "PUT", "/api/v1/me/preferences", tok, "application/json", json, strlen(json), NULL);
}

/* Puts json as tok's preferences, wanting 200. */
static void prefs_ok(const char *tok, const char *json)
{
	res r = put_prefs(tok, json);
	cr_assert_eq(r.status, 200, "%s → %s", json, r.body);
	res_free(&r);
}

/* Expects the lease to be refused with 409 and code. */
static void refused(long long pid, const char *tok, const char *code, const char *when)
{
	res r = lease(&S, pid, tok);
	cr_expect_eq(r.status, 409, "%s: want 409 %s, got %ld %s", when, code, r.status, r.body);
	cr_expect_str_eq(jstr(r.json, "error.code") ? jstr(r.json, "error.code") : "", code, "%s", when);
	res_free(&r);
}

static long long granted(long long pid, const char *tok, const char *when)
{
	res r = lease(&S, pid, tok);
	cr_assert_eq(r.status, 201, "%s: want a lease, got %ld %s", when, r.status, r.body);
	long long id = jint(r.json, "id");
	res_free(&r);
	return id;
}

Test(contrib, preferences_refuse_bad_input_naming_the_field)
{
	static const struct {
		const char *body, *field;
	} BAD[] = {
		{"{\"daily_limit_minutes\":\"60\"}", "daily_limit_minutes"},
		{"{\"daily_limit_minutes\":0}", "daily_limit_minutes"},
		{"{\"daily_limit_minutes\":1441}", "daily_limit_minutes"},
		{"{\"daily_limit_minutes\":12.5}", "daily_limit_minutes"},
		{"{\"quiet_hours\":\"22-07\"}", "quiet_hours"},
		{"{\"quiet_hours\":{\"from\":\"22:00\"}}", "quiet_hours.to"},
		{"{\"quiet_hours\":{\"from\":\"24:00\",\"to\":\"07:00\"}}", "quiet_hours.from"},
		{"{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"7:00\"}}", "quiet_hours.to"},
		{"{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"22:00\"}}", "quiet_hours.to"},
		{"{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:00\",\"tz\":\"Europe/Berlin\"}}", "quiet_hours.tz"},
		{"{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:00\",\"tz\":900}}", "quiet_hours.tz"},
		{"{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:00\",\"start\":\"x\"}}", "quiet_hours.start"},
		{"{\"tz\":\"+15:00\"}", "tz"},
		{"{\"notify\":{\"email\":\"yes\"}}", "notify.email"},
		{"{\"notify\":{\"sms\":true}}", "notify.sms"},
		{"{\"notify\":{\"new_work\":1}}", "notify.new_work"},
		{"{\"notify\":true}", "notify"},
		{"{\"limit\":60}", "limit"},
	};
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		res r = put_prefs(S.c[0], BAD[i].body);
		cr_expect_eq(r.status, 400, "%s → %ld %s", BAD[i].body, r.status, r.body);
		const char *f = jstr(r.json, "error.field");
		cr_expect_str_eq(f ? f : "(none)", BAD[i].field, "%s → %s", BAD[i].body, r.body);
		res_free(&r);
	}
	res r = put_prefs(S.c[0], "[1]");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = put_prefs(NULL, "{}");
	cr_expect_eq(r.status, 401);
	res_free(&r);
	/* nothing of the refused bodies was stored */
	r = api(&S, "GET", "/api/v1/me/preferences", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "daily_limit_minutes")), "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "quiet_hours")), "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "notify.email")) && json_is_true(jget(r.json, "notify.decisions")),
		  "every notification is on by default: %s", r.body);
	res_free(&r);
}

Test(contrib, preferences_are_the_callers_own_and_change_field_by_field)
{
	res r = put_prefs(S.c[0], "{\"daily_limit_minutes\":90,\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:00\","
				  "\"tz\":\"+02:00\"},\"notify\":{\"decisions\":false}}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "daily_limit_minutes"), 90);
	cr_expect_str_eq(jstr(r.json, "quiet_hours.from"), "22:00");
	cr_expect_str_eq(jstr(r.json, "quiet_hours.to"), "07:00");
	cr_expect_str_eq(jstr(r.json, "quiet_hours.tz"), "+02:00");
	cr_expect(json_is_false(jget(r.json, "notify.decisions")));
	cr_expect(json_is_true(jget(r.json, "notify.appeals")));
	res_free(&r);
	/* a field left out stays; minutes east of UTC are accepted for tz */
	r = put_prefs(S.c[0], "{\"notify\":{\"appeals\":false},\"tz\":-330}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "daily_limit_minutes"), 90);
	cr_expect(json_is_false(jget(r.json, "notify.decisions")) && json_is_false(jget(r.json, "notify.appeals")));
	cr_expect_str_eq(jstr(r.json, "quiet_hours.tz"), "-05:30");
	res_free(&r);
	/* another contributor's preferences are untouched */
	r = api(&S, "GET", "/api/v1/me/preferences", S.c[1], NULL);
	cr_expect(json_is_null(jget(r.json, "daily_limit_minutes")) && json_is_null(jget(r.json, "quiet_hours")), "%s",
		  r.body);
	res_free(&r);
	/* null clears */
	r = put_prefs(S.c[0], "{\"daily_limit_minutes\":null,\"quiet_hours\":null}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "daily_limit_minutes")) && json_is_null(jget(r.json, "quiet_hours")));
	res_free(&r);
}

Test(contrib, quiet_hours_across_midnight_in_the_contributors_zone)
{
	long long pid = project("Quiet", 20);
	/* 22:00 to 07:00 at UTC+2: 20:00Z to 05:00Z */
	prefs_ok(S.c[0], "{\"quiet_hours\":{\"from\":\"22:00\",\"to\":\"07:00\",\"tz\":\"+02:00\"}}");
	set_clock(&S, "2031-05-01T19:59:59Z");
	granted(pid, S.c[0], "21:59:59 local");
	set_clock(&S, "2031-05-01T20:00:00Z");
	refused(pid, S.c[0], "quiet_hours", "22:00 local");
	granted(pid, S.c[1], "someone else's quiet hours do not apply");
	set_clock(&S, "2031-05-01T22:30:00Z");
	refused(pid, S.c[0], "quiet_hours", "00:30 local, after midnight");
	set_clock(&S, "2031-05-02T04:59:59Z");
	refused(pid, S.c[0], "quiet_hours", "06:59:59 local");
	set_clock(&S, "2031-05-02T05:00:00Z");
	granted(pid, S.c[0], "07:00 local");
	/* a window inside one day */
	prefs_ok(S.c[0], "{\"quiet_hours\":{\"from\":\"12:00\",\"to\":\"13:30\",\"tz\":\"Z\"}}");
	set_clock(&S, "2031-05-02T13:29:00Z");
	refused(pid, S.c[0], "quiet_hours", "13:29 in 12:00-13:30");
	set_clock(&S, "2031-05-02T13:30:00Z");
	granted(pid, S.c[0], "13:30");
	set_clock(&S, "2031-05-02T11:59:00Z");
	granted(pid, S.c[0], "11:59");
}

static void release(long long aid, const char *tok)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/release", aid);
	res r = api(&S, "POST", path, tok, NULL);
	cr_assert_eq(r.status, 204, "%s", r.body);
	res_free(&r);
}

static void submit(long long aid, const char *tok, double seconds)
{
	res r = submit_choice(&S, aid, tok, "label", "yes", json_real(seconds));
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

Test(contrib, daily_limit_counts_measured_time_and_resets_at_midnight)
{
	long long pid = project("Limit", 20);
	prefs_ok(S.c[0], "{\"daily_limit_minutes\":5}");
	set_clock(&S, "2031-06-01T10:00:00Z");
	long long a = granted(pid, S.c[0], "nothing done today");
	set_clock(&S, "2031-06-01T10:03:00Z");
	submit(a, S.c[0], 120); /* 120 s measured */
	long long b = granted(pid, S.c[0], "120 s used");
	/* b held 179 s: 299 s < 300 s */
	set_clock(&S, "2031-06-01T10:05:59Z");
	release(granted(pid, S.c[0], "299 s used"), S.c[0]); /* a returned lease counts nothing */
	set_clock(&S, "2031-06-01T10:06:00Z");
	refused(pid, S.c[0], "daily_limit_reached", "120 s submitted + 180 s held = the 5 minutes");
	granted(pid, S.c[1], "another contributor has no limit");
	/* submitting replaces the lease's open time with its measured time */
	submit(b, S.c[0], 200);
	set_clock(&S, "2031-06-01T23:59:59Z");
	refused(pid, S.c[0], "daily_limit_reached", "320 s submitted, last second of the day");
	set_clock(&S, "2031-06-02T00:00:00Z");
	release(granted(pid, S.c[0], "a new day"), S.c[0]);
	/* the day follows the contributor's offset: at UTC-12 the day of the
	 * 10:03Z and 10:06Z submissions ends at 12:00Z */
	prefs_ok(S.c[0], "{\"tz\":\"-12:00\",\"daily_limit_minutes\":1}");
	set_clock(&S, "2031-06-01T11:59:59Z");
	refused(pid, S.c[0], "daily_limit_reached", "23:59:59 at UTC-12, the day of the submissions");
	set_clock(&S, "2031-06-01T12:00:00Z");
	granted(pid, S.c[0], "midnight at UTC-12: a new day");
}

/* ---- password ---- */

static res password(const char *cookie, const char *csrf, const char *json)
{
	const char *extra[] = {cookie, csrf, NULL};
	return http(&S, "POST", "/api/v1/me/password", NULL, "application/json", json, strlen(json), extra);
}

static long me_status(const char *cookie)
{
	const char *extra[] = {cookie, NULL};
	res r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, extra);
	long st = r.status;
	res_free(&r);
	return st;
}

Test(contrib, password_change_checks_both_and_ends_other_sessions)
{
	char ca[300], sa[128], cb[300], sb[128];
	login_cookie(&S, "c2@test.local", "password-123", ca, sa);
	login_cookie(&S, "c2@test.local", "password-123", cb, sb);
	static const struct {
		const char *body;
		long status;
		const char *field;
	} BAD[] = {
		{"{\"old\":\"wrong-password\",\"new\":\"another-password-1\"}", 403, "old"},
		{"{\"old\":\"password-123\",\"new\":\"short\"}", 400, "new"},
		{"{\"old\":\"password-123\",\"new\":\"password-123\"}", 400, "new"},
		{"{\"old\":\"password-123\",\"new\":12345678901}", 400, "new"},
		{"{\"old\":\"password-123\"}", 400, "new"},
		{"{\"new\":\"another-password-1\"}", 400, "old"},
		{"{\"old\":\"password-123\",\"new\":\"another-password-1\",\"x\":1}", 400, "x"},
	};
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		res r = password(ca, sa, BAD[i].body);
		cr_expect_eq(r.status, BAD[i].status, "%s → %ld %s", BAD[i].body, r.status, r.body);
		const char *f = jstr(r.json, "error.field");
		cr_expect_str_eq(f ? f : "(none)", BAD[i].field, "%s → %s", BAD[i].body, r.body);
		res_free(&r);
	}
	cr_expect_eq(me_status(cb), 200, "a refused change ends nothing");
	/* without the CSRF token a cookie cannot change it */
	const char *no_csrf[] = {ca, NULL};
	const char *body = "{\"old\":\"password-123\",\"new\":\"another-password-1\"}";
	res r = http(&S, "POST", "/api/v1/me/password", NULL, "application/json", body, strlen(body), no_csrf);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	r = password(ca, sa, body);
	cr_assert_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	cr_expect_eq(me_status(ca), 200, "the session that changed it stays");
	cr_expect_eq(me_status(cb), 401, "every other session ends");
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c2@test.local", "password",
		"password-123");
	cr_expect_eq(r.status, 401, "the old password is gone");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c2@test.local", "password",
		"another-password-1");
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	/* with an API token, "current" names the old password too */
	r = api(&S, "POST", "/api/v1/me/password", S.c[1], "{s:s,s:s}", "current", "another-password-1", "new",
		"third-password-11");
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
}

/* ---- email through a local SMTP sink ---- */

static json_t *wait_mails(size_t n) { return wait_for(n, 100); }

/* The first column of a query on the server's outbox (sqlite3 on its
 * database): what (e.g. "COUNT(*)") of the rows matching where. */
static long long outbox_value(srv *s, const char *what, const char *where)
{
	char cmd[1024], out[64] = "";
	if (*s->database) /* the PostgreSQL pass: the server's own database */
		snprintf(cmd, sizeof cmd, "psql '%s' -Atc \"SELECT %s FROM outbox WHERE %s\"", s->database, what, where);
	else
		snprintf(cmd, sizeof cmd, "sqlite3 %s/faircrowd.db \"SELECT %s FROM outbox WHERE %s\"", s->dir, what,
			 where);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	if (!fgets(out, sizeof out, p))
		out[0] = 0;
	pclose(p);
	return atoll(out);
}

static long long outbox_count(srv *s, const char *where) { return outbox_value(s, "COUNT(*)", where); }

static void up_mail(void)
{
	suite_with_users_env(&S, sink_up(NULL), 2);
	for (int i = 0; i < 2; i++) /* notices of new work: test_reach.c */
		prefs_ok(S.c[i], "{\"notify\":{\"new_work\":false}}");
}
static void down_mail(void)
{
	srv_stop(&S);
	sink_down();
}
TestSuite(email, .init = up_mail, .fini = down_mail, .timeout = 180);

static res reject(long long sid, const char *code, const char *msg)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
	return api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", code, "message", msg);
}

static long long work(long long pid, const char *tok)
{
	res r = submit_choice(&S, lease_ok(&S, pid, tok), tok, "label", "yes", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

Test(email, a_rejection_is_mailed_with_its_reason_once_and_not_when_turned_off)
{
	set_clock(&S, "2031-07-01T09:00:00Z");
	long long pid = project("Street signs ✓", 6);
	long long s1 = work(pid, S.c[0]), s2 = work(pid, S.c[0]), s3 = work(pid, S.c[0]);
	res r = reject(s1, "wrong_answer", "The sign says STOP, not YIELD.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	set_clock(&S, "2031-07-01T09:00:01Z"); /* runs the outbox now */
	json_t *m = wait_mails(1);
	cr_assert_eq(json_array_size(m), 1, "one email for one rejection");
	cr_expect_str_eq(jstr(m, "0.to"), "c1@test.local");
	cr_expect_str_eq(jstr(m, "0.rcpt_tos.0"), "c1@test.local");
	cr_expect_str_eq(jstr(m, "0.mail_from"), "noreply@faircrowd.test");
	cr_expect_str_eq(jstr(m, "0.subject"), "Your work on \"Street signs ✓\" was rejected");
	cr_expect(strstr(jstr(m, "0.body"), "wrong_answer"), "%s", jstr(m, "0.body"));
	cr_expect(strstr(jstr(m, "0.body"), "The sign says STOP, not YIELD."), "%s", jstr(m, "0.body"));
	cr_expect_eq(outbox_count(&S, "sink='email'"), 1);
	char want_id[64]; /* the outbox item's id names the message */
	snprintf(want_id, sizeof want_id, "<faircrowd.%lld@faircrowd.test>", outbox_value(&S, "MAX(id)", "sink='email'"));
	cr_expect_str_eq(jstr(m, "0.message_id"), want_id);
	json_decref(m);
	/* more ticks send nothing again */
	set_clock(&S, "2031-07-01T10:00:00Z");
	set_clock(&S, "2031-07-02T10:00:00Z");
	m = wait_for(2, 15);
	cr_expect_eq(json_array_size(m), 1, "never twice");
	json_decref(m);
	/* an acceptance is a decision too */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", s3);
	r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	set_clock(&S, "2031-07-02T10:00:01Z");
	m = wait_mails(2);
	cr_assert_eq(json_array_size(m), 2);
	cr_expect_str_eq(jstr(m, "1.subject"), "Your work on \"Street signs ✓\" was accepted");
	json_decref(m);
	/* turned off: not queued at all */
	r = api(&S, "PUT", "/api/v1/me/preferences", S.c[0], "{s:{s:b}}", "notify", "decisions", 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = reject(s2, "spam", "Random clicks.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	set_clock(&S, "2031-07-02T10:00:02Z");
	m = wait_for(3, 15);
	cr_expect_eq(json_array_size(m), 2, "no email once decisions are off");
	json_decref(m);
	cr_expect_eq(outbox_count(&S, "sink='email'"), 2, "nothing queued for a user who turned it off");
}

/* A bulk accept reads each contributor's choice once for its whole batch:
 * one email per accepted submission of a contributor who wants them, none
 * for one who turned decisions off. */
Test(email, a_bulk_accept_mails_each_submission_of_who_wants_it)
{
	set_clock(&S, "2031-09-01T09:00:00Z");
	long long pid = project("Bulk mail", 6);
	res r = api(&S, "PUT", "/api/v1/me/preferences", S.c[1], "{s:{s:b}}", "notify", "decisions", 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	json_t *ids = json_array();
	for (int i = 0; i < 3; i++)
		json_array_append_new(ids, json_integer(work(pid, S.c[i % 2])));
	json_array_append_new(ids, json_integer(work(pid, S.c[0])));
	char path[96], where[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions/accept", pid);
	r = api(&S, "POST", path, S.req, "{s:o}", "ids", ids);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "accepted"), 4, "%s", r.body);
	res_free(&r);
	snprintf(where, sizeof where, "sink='email' AND project_id=%lld AND action='accepted'", pid);
	cr_expect_eq(outbox_count(&S, where), 3, "c1's three, not c2's one");
}

Test(email, a_dead_relay_keeps_the_item_until_it_answers)
{
	set_clock(&S, "2031-08-01T09:00:00Z");
	long long pid = project("Relay", 3);
	long long sid = work(pid, S.c[1]);
	int port = sink_port;
	sink_stop(); /* the relay is down */
	res r = reject(sid, "spam", "Every answer was the first option.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	set_clock(&S, "2031-08-01T09:00:01Z");
	cr_expect_eq(outbox_count(&S, "sink='email' AND delivered_at IS NULL AND failed_at IS NULL AND attempts>=1"), 1,
		     "tried, failed, still pending");
	sink_start(port);                      /* back, on the port the server knows */
	set_clock(&S, "2031-08-01T09:10:00Z"); /* past the backoff */
	json_t *m = wait_mails(1);
	cr_assert_eq(json_array_size(m), 1, "delivered once the relay answers");
	cr_expect_str_eq(jstr(m, "0.to"), "c2@test.local");
	cr_expect(strstr(jstr(m, "0.body"), "Every answer was the first option."));
	json_decref(m);
	cr_expect_eq(outbox_count(&S, "sink='email' AND delivered_at IS NOT NULL"), 1);
}

/* Without FAIRCROWD_SMTP_URL a decision queues no email at all. */
Test(contrib, no_relay_configured_queues_nothing)
{
	long long pid = project("Quiet server", 2);
	res r = submit_choice(&S, lease_ok(&S, pid, S.c[2]), S.c[2], "label", "yes", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", jint(r.json, "id"));
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "spam", "message", "No.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	cr_expect_eq(outbox_count(&S, "sink='email'"), 0);
}
