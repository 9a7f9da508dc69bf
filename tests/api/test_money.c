/* Money: earnings, auto-approval, the pay floor, bonuses, payouts and
 * batches, the requester's view, and `faircrowd ledger check` after every
 * test that moves money. */
#include "harness.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(money, .init = up, .fini = down, .timeout = 180);

static const char CONFIG[] = SENTIMENT_CONFIG;

#define T0 1893456000LL /* 2030-01-01T00:00:00Z */
static long long NOW = T0;

static void clock_to(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	set_clock(&S, buf);
	NOW = t;
}
static void advance(long long secs) { clock_to(NOW + secs); }

/* Runs `faircrowd ledger check` against the live server's data folder. */
static int ledger_check(char *out, size_t n)
{
	char cmd[1024], file[300];
	snprintf(file, sizeof file, "%s/ledger-check.txt", S.dir);
	snprintf(cmd, sizeof cmd, "'%s' ledger check --data '%s' >'%s' 2>&1", getenv("FC_BINARY"), S.dir, file);
	int st = system(cmd);
	FILE *f = fopen(file, "r");
	size_t got = f ? fread(out, 1, n - 1, f) : 0;
	out[got] = 0;
	if (f)
		fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void ledger_ok(void)
{
	char out[4096];
	int rc = ledger_check(out, sizeof out);
	cr_expect_eq(rc, 0, "ledger check failed (%d):\n%s", rc, out);
	cr_expect(strstr(out, "ok: 0 violations"), "%s", out);
}

static long long project(int reward, int ntasks, long long fund)
{
	char tasks[16384];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i,s:[s,s]}", "title", "Money test", "label_config", CONFIG,
				      "reward", reward, "overlap", 1, "reject_reasons", "spam", "wrong"),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", ntasks), fund);
}

/* Leases a task, lets `held` seconds pass on the test clock, submits with
 * that much active time. Returns the submission id or 0 when nothing was
 * available. */
static long long work(long long pid, const char *token, long long held)
{
	res r = lease(&S, pid, token);
	if (r.status == 204) {
		res_free(&r);
		return 0;
	}
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long aid = jint(r.json, "id");
	res_free(&r);
	if (held)
		advance(held);
	r = submit_choice(&S, aid, token, "sentiment", "pos", json_integer(held));
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static long long earning(const char *token, const char *key)
{
	res r = api(&S, "GET", "/api/v1/me/earnings", token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	long long v = jint(r.json, key);
	res_free(&r);
	return v;
}

static res payout(const char *token, long long amount, const char *key)
{
	char body[64], hdr[128];
	snprintf(body, sizeof body, "{\"amount\":%lld}", amount);
	snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key ? key : "");
	const char *extra[] = {hdr, NULL};
	return http(&S, "POST", "/api/v1/me/payouts", token, "application/json", body, strlen(body), key ? extra : NULL);
}

Test(money, payout_under_minimum_or_above_available_is_409)
{
	clock_to(T0);
	res r = payout(S.c[0], 100, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "payout_minimum");
	cr_expect_str_eq(jstr(r.json, "error.field"), "amount");
	res_free(&r);
	r = payout(S.c[0], 600, NULL);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_available");
	res_free(&r);
	r = payout(S.c[0], 0, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/me/payouts", S.c[0], "{s:i,s:s}", "amount", 600, "iban", "x");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unknown_field");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/me/payouts", S.c[0], "{s:s}", "amount", "600");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/me/payouts", NULL, "{s:i}", "amount", 600);
	cr_expect_eq(r.status, 401);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/payouts", S.c[0], NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0);
	res_free(&r);
	ledger_ok();
}

Test(money, auto_approval_payout_batch_confirm)
{
	clock_to(T0);
	long long pid = project(300, 3, 900);
	for (int i = 0; i < 3; i++)
		cr_assert(work(pid, S.c[0], 60));
	cr_expect_eq(earning(S.c[0], "pending"), 900);
	cr_expect_eq(earning(S.c[0], "available"), 0);
	/* nothing is approved before the delay (3 days by default) */
	advance(2 * 86400);
	cr_expect_eq(earning(S.c[0], "available"), 0);
	advance(86400 + 60);
	cr_expect_eq(earning(S.c[0], "pending"), 0);
	cr_expect_eq(earning(S.c[0], "available"), 900);
	res r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "entries.0.memo"), "auto-approved: not reviewed in time", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "entries.0.account"),
			 "available:"
			 "3",
			 "%s", r.body);
	cr_expect_eq(jint(r.json, "projects.0.earned"), 900);
	cr_expect_eq(jint(r.json, "projects.0.effective_hourly"), 900 * 3600 / 180);
	res_free(&r);
	ledger_ok();

	/* one Idempotency-Key, two requests: one payout */
	r = payout(S.c[0], 600, "payout-key-1");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long id = jint(r.json, "id");
	cr_expect_str_eq(jstr(r.json, "status"), "requested");
	res_free(&r);
	r = payout(S.c[0], 600, "payout-key-1");
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "id"), id);
	char hb[64];
	cr_expect(res_header(&r, "Idempotent-Replayed", hb, sizeof hb));
	res_free(&r);
	cr_expect_eq(earning(S.c[0], "available"), 300);
	cr_expect_eq(earning(S.c[0], "payout_pending"), 600);
	r = api(&S, "GET", "/api/v1/me/payouts", S.c[0], NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	res_free(&r);
	/* a second payout would take more than is available */
	r = payout(S.c[0], 600, "payout-key-2");
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_available");
	res_free(&r);
	ledger_ok();

	/* contributors cannot batch; the admin can */
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.c[0], NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	advance(3600);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.admin_token, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long batch = jint(r.json, "batch_id");
	cr_expect_eq(jint(r.json, "count"), 1);
	cr_expect_eq(jint(r.json, "total"), 600);
	char file[512];
	snprintf(file, sizeof file, "%s", jstr(r.json, "file"));
	res_free(&r);
	FILE *f = fopen(file, "r");
	cr_assert(f, "batch file %s", file);
	char csv[1024] = "";
	size_t n = fread(csv, 1, sizeof csv - 1, f);
	csv[n] = 0;
	fclose(f);
	char want[160];
	snprintf(want, sizeof want,
		 "payout_id,user_id,email,amount,currency,amount_minor\n%lld,%lld,c1@test.local,6.00,USD,600\n", id,
		 S.c_id[0]);
	cr_expect_str_eq(csv, want);
	/* the same bytes as a download, for the admin only */
	char fpath[96];
	snprintf(fpath, sizeof fpath, "/api/v1/admin/payouts/batch/%lld/file", batch);
	r = api(&S, "GET", fpath, S.admin_token, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(r.body, want);
	char disp[128];
	cr_expect(strstr(res_header(&r, "Content-Disposition", disp, sizeof disp), "attachment") != NULL);
	res_free(&r);
	r = api(&S, "GET", fpath, S.c[0], NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/admin/payouts/batch/999/file", S.admin_token, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.admin_token, NULL);
	cr_expect_eq(r.status, 409, "nothing left to batch");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/payouts", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.status"), "batched");
	res_free(&r);

	char path[96];
	snprintf(path, sizeof path, "/api/v1/admin/payouts/batch/%lld/confirm", batch);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	advance(86400);
	r = api(&S, "POST", path, S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "count"), 1);
	res_free(&r);
	r = api(&S, "POST", path, S.admin_token, NULL);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "already_confirmed");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch/99999/confirm", S.admin_token, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);

	r = api(&S, "GET", "/api/v1/me/payouts", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.status"), "paid");
	cr_expect_eq(jint(r.json, "items.0.latency_seconds"), 3600 + 86400);
	cr_expect_eq(jint(r.json, "latency.median_seconds"), 3600 + 86400);
	res_free(&r);
	cr_expect_eq(earning(S.c[0], "paid"), 600);
	cr_expect_eq(earning(S.c[0], "payout_pending"), 0);
	r = api(&S, "GET", "/api/v1/admin/payouts/stats", S.admin_token, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(jint(r.json, "paid.count"), 1);
	cr_expect_eq(jint(r.json, "paid.total"), 600);
	cr_expect_eq(jint(r.json, "latency.max_seconds"), 3600 + 86400);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/admin/payouts/stats", S.c[0], NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	ledger_ok();
}

Test(money, contributor_cannot_batch)
{
	res r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.c[0], NULL);
	cr_expect_eq(r.status, 403);
	cr_expect_str_eq(jstr(r.json, "error.code"), "forbidden");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.req, NULL);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", NULL, NULL);
	cr_expect_eq(r.status, 401);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.admin_token, NULL);
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_requested_payouts");
	res_free(&r);
}

Test(money, pay_floor_tops_up_measured_time)
{
	clock_to(T0);
	/* reward 10 for tasks that take 10 minutes: 60 per hour, far under 1200 */
	long long pid = project(10, 6, 60);
	for (int i = 0; i < 5; i++)
		cr_assert(work(pid, S.c[0], 600));
	cr_expect_eq(earning(S.c[0], "pending"), 50);
	/* past auto-approval: accepted work is topped up to the floor */
	advance(3 * 86400 + 60);
	long long avail = earning(S.c[0], "available");
	/* target per submission: ceil(1200 * 600 / 3600) = 200, so 190 more each */
	cr_expect_eq(avail, 50 + 5 * 190, "available %lld", avail);
	res r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	const char *memo = jstr(r.json, "entries.0.memo");
	cr_expect(memo && !strncmp(memo, "Pay floor top-up", 16), "%s", r.body);
	cr_expect_eq(jint(r.json, "projects.0.earned"), 1000);
	cr_expect_eq(jint(r.json, "effective_hourly"), 1200);
	res_free(&r);

	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	/* one run paid; the server's own tick may have raised the reward in an earlier run */
	cr_expect_geq(json_array_size(jget(r.json, "floor_topups")), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "floor_topups.0.total"), 950);
	cr_expect_eq(jint(r.json, "floor_topups.0.submissions"), 5);
	cr_expect_eq(jint(r.json, "floor_topups.0.new_reward"), 200);
	cr_expect_eq(jint(r.json, "floor_topups.0.from_escrow"), 10, "the escrow's last 10 is used first");
	cr_expect_eq(jint(r.json, "floor_topups.0.from_debt"), 940);
	cr_expect_eq(jint(r.json, "owed"), 940);
	cr_expect_eq(jint(r.json, "spent"), 1000);
	cr_expect_eq(jint(r.json, "cost_per_accepted"), 200);
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect(r.status == 403 || r.status == 404, "contributors do not see the requester's money");
	res_free(&r);
	/* new work pays the floor's level */
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "reward"), 200);
	res_free(&r);
	/* nothing is topped up twice */
	advance(3600);
	cr_expect_eq(earning(S.c[0], "available"), 1000);
	ledger_ok();
	/* funding repays the debt first */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
	r = api(&S, "POST", path, S.req, "{s:i}", "amount", 1000);
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "debt_repaid"), 940);
	cr_expect_eq(jint(r.json, "escrow_balance"), 60);
	res_free(&r);
	ledger_ok();
}

Test(money, pay_floor_target_is_rounded_up)
{
	clock_to(T0);
	/* a median of 601 s: 1200 per hour needs 200.33 per task, so 201 */
	long long pid = project(10, 6, 60);
	for (int i = 0; i < 5; i++)
		cr_assert(work(pid, S.c[0], 601));
	advance(3 * 86400 + 60);
	cr_expect_eq(earning(S.c[0], "available"), 5 * 201, "a truncated target pays 5 × 200");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "reward"), 201, "%s", r.body);
	res_free(&r);
	ledger_ok();
}

Test(money, pay_floor_ignores_fast_work_and_few_submissions)
{
	clock_to(T0);
	long long pid = project(100, 6, 600);
	/* 4 submissions are too few to measure */
	for (int i = 0; i < 4; i++)
		cr_assert(work(pid, S.c[0], 900));
	advance(4 * 86400);
	cr_expect_eq(earning(S.c[0], "available"), 400);
	/* fast work: 100 per 60 s is 6000 per hour, above the floor */
	cr_assert(work(pid, S.c[1], 60));
	cr_assert(work(pid, S.c[1], 60));
	advance(4 * 86400);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	/* median of 6 (60,60,900,900,900,900) is 900 s: 100 per 900 s = 400/h, under the floor */
	cr_expect_geq(json_array_size(jget(r.json, "floor_topups")), 1, "%s", r.body);
	res_free(&r);
	/* the top-up uses the project's median (900 s → 300 each), not each person's own time */
	cr_expect_eq(earning(S.c[0], "available"), 4 * 300);
	cr_expect_eq(earning(S.c[1], "available"), 2 * 300);
	ledger_ok();
}

Test(money, bonuses)
{
	clock_to(T0);
	long long pid = project(50, 2, 300);
	cr_assert(work(pid, S.c[0], 30));
	long long c1 = S.c_id[0], c2 = S.c_id[1];
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/bonuses", pid);
	res r = api(&S, "POST", path, S.req, "{s:I,s:i}", "user_id", (json_int_t)c1, "amount", 100);
	cr_expect_eq(r.status, 400, "a bonus needs a reason");
	cr_expect_str_eq(jstr(r.json, "error.field"), "reason");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)c1, "amount", 100, "reason", "   ");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "reason");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)c1, "amount", -5, "reason", "x");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "amount");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)c2, "amount", 100, "reason", "x");
	cr_expect_eq(r.status, 400, "c2 never worked here");
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_a_contributor");
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:I,s:i,s:s}", "user_id", (json_int_t)c1, "amount", 100, "reason", "me");
	cr_expect(r.status == 403 || r.status == 404, "%ld", r.status);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)c1, "amount", 100000, "reason", "x");
	cr_expect_eq(r.status, 409);
	cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_funds");
	res_free(&r);
	/* with an Idempotency-Key, twice → one bonus */
	const char *body = "{\"user_id\":3,\"amount\":120,\"reason\":\"Careful, thorough labels\"}";
	cr_assert_eq(c1, 3);
	const char *extra[] = {"Idempotency-Key: bonus-1", NULL};
	for (int i = 0; i < 2; i++) {
		r = http(&S, "POST", path, S.req, "application/json", body, strlen(body), extra);
		cr_expect_eq(r.status, 201, "%s", r.body);
		cr_expect_str_eq(jstr(r.json, "reason"), "Careful, thorough labels");
		res_free(&r);
	}
	cr_expect_eq(earning(S.c[0], "available"), 120);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "entries.0.memo"), "bonus: Careful, thorough labels");
	cr_expect_eq(jint(r.json, "projects.0.earned"), 170);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "bonuses"), 120);
	cr_expect_eq(jint(r.json, "escrow_balance"), 300 - 50 - 120);
	cr_expect_eq(jint(r.json, "pending"), 50);
	res_free(&r);
	ledger_ok();
}

/* Eight requests at once with one Idempotency-Key: the project is funded
 * once. The others get the stored answer or 409 idempotency_key_in_use
 * (retry later) — never a second funding. */
#define RACERS 8
static char race_path[96];
static long race_status[RACERS];
static char race_replayed[RACERS], race_in_use[RACERS];
static srv *race_on[2] = {&S, &S}; /* racer i asks race_on[i % 2] */
static void *race_fund(void *arg)
{
	long i = (long)arg;
	const char *extra[] = {"Idempotency-Key: fund-race", NULL};
	res r = http(race_on[i % 2], "POST", race_path, S.req, "application/json", "{\"amount\":500}", 14, extra);
	race_status[i] = r.status;
	char v[16] = "";
	race_replayed[i] = res_header(&r, "Idempotent-Replayed", v, sizeof v) != NULL;
	race_in_use[i] = r.status == 409 && !strcmp(jstr(r.json, "error.code"), "idempotency_key_in_use");
	res_free(&r);
	return NULL;
}

static void race_three_rounds(void);

Test(money, concurrent_requests_with_one_key_fund_once) { race_three_rounds(); }

/* The same race across two servers on one PostgreSQL database: the claim on
 * the key is a row, so the other server sees it. */
Test(money, concurrent_requests_with_one_key_fund_once_across_servers)
{
	if (!*S.database)
		srv_skip(&S, "PostgreSQL pass only: there servers can share a database");
	srv other;
	srv_start_shared(&other, &S);
	race_on[1] = &other;
	race_three_rounds();
	srv_stop(&other);
}

static void race_three_rounds(void)
{
	clock_to(T0);
	long long pid = project(0, 2, 0);
	snprintf(race_path, sizeof race_path, "/api/v1/projects/%lld/fund", pid);
	for (int round = 0; round < 3; round++) {
		pthread_t th[RACERS];
		for (long i = 0; i < RACERS; i++)
			pthread_create(&th[i], NULL, race_fund, (void *)i);
		for (int i = 0; i < RACERS; i++)
			pthread_join(th[i], NULL);
		int fresh = 0;
		for (int i = 0; i < RACERS; i++) {
			cr_expect(race_status[i] == 201 || race_in_use[i], "status %ld", race_status[i]);
			fresh += race_status[i] == 201 && !race_replayed[i];
		}
		cr_expect_leq(fresh, round == 0 ? 1 : 0, "round %d: %d requests ran", round, fresh);
	}
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "escrow_balance"), 500, "funded once: %s", r.body);
	res_free(&r);
	ledger_ok();
}

/* The server dies right after a funding (or an import) commits, before
 * its answer is sent or saved. The client retries with the same key: the
 * answer stored in the funding's own transaction is replayed, and the
 * project is funded once. */
static const char *const CRASH_FUND[] = {"FAIRCROWD_TEST_CRASH_AFTER=projects_fund", NULL};
static const char *const CRASH_IMPORT[] = {"FAIRCROWD_TEST_CRASH_AFTER=tasks_import", NULL};

static void crash_then_retry(const char *const *env, int fund)
{
	srv T;
	char tok[64], path[96];
	srv_start_env(&T, env);
	make_user(&T, "req@test.local", "requester", tok);
	res r = api(&T, "POST", "/api/v1/projects", tok, "{s:s,s:s,s:i}", "title", "Crash", "label_config", CONFIG,
		    "reward", 0);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long pid = jint(r.json, "id");
	res_free(&r);
	const char *key[] = {"Idempotency-Key: once-only", NULL};
	if (fund) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
		r = http_or_dead(&T, "POST", path, tok, "application/json", "{\"amount\":700}", 14, key);
	} else {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
		r = http_or_dead(&T, "POST", path, tok, "application/x-ndjson", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n",
				 26, key);
	}
	cr_expect_eq(r.status, 0, "the server died before answering: %s", r.body);
	res_free(&r);
	srv_restart(&T, SIGKILL);
	r = fund ? http_or_dead(&T, "POST", path, tok, "application/json", "{\"amount\":700}", 14, key)
		 : http_or_dead(&T, "POST", path, tok, "application/x-ndjson", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n",
				26, key);
	cr_expect_eq(r.status, 201, "the retry is answered from the stored answer: %s", r.body);
	char v[16] = "";
	cr_expect_not_null(res_header(&r, "Idempotent-Replayed", v, sizeof v), "replayed, not run again");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = http_or_dead(&T, "GET", path, tok, NULL, NULL, 0, NULL);
	if (!fund)
		cr_expect_eq(jint(r.json, "task_count"), 2, "imported once: %s", r.body);
	res_free(&r);
	if (fund) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
		r = http_or_dead(&T, "GET", path, tok, NULL, NULL, 0, NULL);
		cr_expect_eq(jint(r.json, "escrow_balance"), 700, "funded once: %s", r.body);
		res_free(&r);
	}
	srv_stop(&T);
}

Test(money, crash_after_funding_commits_then_retry_funds_once) { crash_then_retry(CRASH_FUND, 1); }
Test(money, crash_after_import_commits_then_retry_imports_once) { crash_then_retry(CRASH_IMPORT, 0); }

Test(money, close_returns_unused_escrow)
{
	clock_to(T0);
	long long pid = project(40, 5, 1000);
	cr_assert(work(pid, S.c[0], 30));
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/close", pid);
	res r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "escrow_balance"), 0, "%s", r.body);
	cr_expect_eq(jint(r.json, "pending"), 40);
	res_free(&r);
	/* the contributor keeps the submitted work's pay */
	advance(4 * 86400);
	cr_expect_eq(earning(S.c[0], "available"), 40);
	ledger_ok();
}

Test(money, review_moves_money)
{
	clock_to(T0);
	long long pid = project(70, 3, 210);
	long long s1 = work(pid, S.c[0], 30), s2 = work(pid, S.c[0], 30);
	cr_assert(s1 && s2);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", s1);
	res r = api(&S, "POST", path, S.req, NULL);
	if (r.status == 404 && jstr(r.json, "error.code") && !strcmp(jstr(r.json, "error.code"), "not_found") &&
	    strstr(r.body, "No such endpoint")) {
		res_free(&r);
		cr_skip_test("review endpoints not present in this build");
	}
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	cr_expect_eq(earning(S.c[0], "available"), 70);
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", s2);
	r = api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "spam", "message", "Random answers.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	cr_expect_eq(earning(S.c[0], "pending"), 0);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	const char *memo = jstr(r.json, "entries.0.memo");
	cr_expect(memo && strstr(memo, "spam") && strstr(memo, "Random answers."), "%s", r.body);
	cr_expect(json_real_value(jget(r.json, "rejection_rate")) > 0.49, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "escrow_balance"), 210 - 70 - 70 + 70, "%s", r.body);
	res_free(&r);
	ledger_ok();
}

/* ---------------- property test ---------------- */

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void random_run(unsigned long long seed)
{
	rng = seed * 0x9E3779B97F4A7C15ull + 1;
	const char *who[2] = {S.c[0], S.c[1]};
	int reward = 50 + (int)rnd(400);
	long long pid = project(reward, 40, 40LL * reward);
	long long batches[64];
	int nb = 0;
	for (int step = 0; step < 45; step++) {
		const char *c = who[rnd(2)];
		res r;
		char path[96];
		switch (rnd(8)) {
		case 0: /* fund */
			snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
			r = api(&S, "POST", path, S.req, "{s:i}", "amount", 1 + (int)rnd(3000));
			cr_expect_eq(r.status, 201, "%s", r.body);
			res_free(&r);
			break;
		case 1:
		case 2: /* lease and submit (measured time varies, sometimes slow enough for the floor) */
			work(pid, c, 5 + rnd(1500));
			break;
		case 3: /* time passes: auto-approval, pay floor */ advance(rnd(2) ? 3600 : 2 * 86400); break;
		case 4:
		case 5: { /* payout of a random amount, sometimes retried with its key */
			char key[32];
			snprintf(key, sizeof key, "k-%llu-%d", seed, step);
			long long amount = 400 + rnd(2000);
			r = payout(c, amount, key);
			cr_expect(r.status == 201 || r.status == 409, "%ld %s", r.status, r.body);
			int ok = r.status == 201;
			long long id = ok ? jint(r.json, "id") : 0;
			res_free(&r);
			if (ok && rnd(2)) {
				r = payout(c, amount, key);
				cr_expect_eq(r.status, 201);
				cr_expect_eq(jint(r.json, "id"), id);
				res_free(&r);
			}
			break;
		}
		case 6: /* batch */
			r = api(&S, "POST", "/api/v1/admin/payouts/batch", S.admin_token, NULL);
			cr_expect(r.status == 201 || r.status == 409, "%s", r.body);
			if (r.status == 201 && nb < 64)
				batches[nb++] = jint(r.json, "batch_id");
			res_free(&r);
			break;
		case 7: /* confirm a random batch (maybe again) */
			if (!nb)
				break;
			snprintf(path, sizeof path, "/api/v1/admin/payouts/batch/%lld/confirm",
				 batches[rnd((unsigned)nb)]);
			r = api(&S, "POST", path, S.admin_token, NULL);
			cr_expect(r.status == 200 || r.status == 409, "%s", r.body);
			res_free(&r);
			break;
		}
	}
	advance(4 * 86400);
	for (int i = 0; i < 2; i++) {
		res r = api(&S, "GET", "/api/v1/me/earnings", who[i], NULL);
		cr_expect(jint(r.json, "pending") >= 0 && jint(r.json, "available") >= 0 &&
				  jint(r.json, "payout_pending") >= 0 && jint(r.json, "paid") >= 0,
			  "seed %llu: %s", seed, r.body);
		res_free(&r);
	}
	ledger_ok();
}

Test(money, property_random_sequences_keep_the_ledger_sound, .timeout = 600)
{
	clock_to(T0);
	static const unsigned long long seeds[] = {1, 7, 42, 2024};
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
		random_run(seeds[i]);
	res r = api(&S, "GET", "/api/v1/admin/payouts/stats", S.admin_token, NULL);
	cr_expect_eq(r.status, 200);
	res_free(&r);
}

/* ---- the minimum wage where the contributor lives (money/wages.h) ---- */

static long long wage_project(const char *currency)
{
	char tasks[1024];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:s,s:i}", "title", "Wage test", "label_config", CONFIG, "reward",
				      10, "currency", currency, "overlap", 1),
			    ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", 6), 100000);
}

/* What the project has paid its contributors: rewards plus top-ups. */
static long long spent(long long pid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	long long t = jint(r.json, "spent");
	res_free(&r);
	return t;
}

static void put_ok(const char *path, const char *json)
{
	res r = http(&S, "PUT", path, S.admin_token, "application/json", json, strlen(json), NULL);
	cr_assert_eq(r.status, 200, "%s → %s", json, r.body);
	res_free(&r);
}

Test(money, minimum_wage_where_the_contributor_lives_in_two_currencies)
{
	/* unhappy paths first */
	const char *bad_wages[] = {"[]",
				   "{\"de\":{\"hourly\":100,\"currency\":\"EUR\"}}",
				   "{\"DE\":{\"hourly\":0,\"currency\":\"EUR\"}}",
				   "{\"DE\":{\"hourly\":1.5,\"currency\":\"EUR\"}}",
				   "{\"DE\":{\"hourly\":100,\"currency\":\"eur\"}}",
				   "{\"DE\":{\"hourly\":100,\"currency\":\"EUR\",\"rate\":1}}",
				   "{\"DE\":5}"};
	for (size_t i = 0; i < sizeof bad_wages / sizeof bad_wages[0]; i++) {
		res r = http(&S, "PUT", "/api/v1/admin/minimum-wages", S.admin_token, "application/json", bad_wages[i],
			     strlen(bad_wages[i]), NULL);
		cr_assert_eq(r.status, 400, "%s → %s", bad_wages[i], r.body);
		res_free(&r);
	}
	const char *bad_rates[] = {"{\"EUR\":-1}", "{\"EUR\":\"0.9\"}", "{\"usd\":1}", "{\"USD\":2}", "[1]"};
	for (size_t i = 0; i < sizeof bad_rates / sizeof bad_rates[0]; i++) {
		res r = http(&S, "PUT", "/api/v1/admin/exchange-rates", S.admin_token, "application/json", bad_rates[i],
			     strlen(bad_rates[i]), NULL);
		cr_assert_eq(r.status, 400, "%s → %s", bad_rates[i], r.body);
		res_free(&r);
	}
	const char *wages = "{\"DE\":{\"hourly\":3000,\"currency\":\"EUR\",\"source\":\"test\",\"as_of\":\"2030-01-01\"},"
			    "\"US\":{\"hourly\":3000,\"currency\":\"USD\"}}";
	res r = http(&S, "PUT", "/api/v1/admin/minimum-wages", S.c[0], "application/json", wages, strlen(wages), NULL);
	cr_assert_eq(r.status, 403, "only an admin sets wages: %s", r.body);
	res_free(&r);
	put_ok("/api/v1/admin/minimum-wages", wages);
	put_ok("/api/v1/admin/exchange-rates", "{\"EUR\":0.5}"); /* one dollar buys half a euro */
	r = api(&S, "GET", "/api/v1/minimum-wages", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(jint(r.json, "minimum_wages.DE.hourly"), 3000);
	cr_assert_str_eq(jstr(r.json, "minimum_wages.DE.source"), "test");
	res_free(&r);
	const char *de = "{\"country\":\"DE\"}", *us = "{\"country\":\"US\"}";
	r = http(&S, "PATCH", "/api/v1/me/profile", S.c[0], "application/json", de, strlen(de), NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = http(&S, "PATCH", "/api/v1/me/profile", S.c[1], "application/json", us, strlen(us), NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	clock_to(T0);
	long long usd = wage_project("USD"), eur = wage_project("EUR");
	for (int i = 0; i < 3; i++) /* ten minutes each: the median is 600 s */
		for (int k = 0; k < 2; k++) {
			cr_assert(work(usd, S.c[k], 600));
			cr_assert(work(eur, S.c[k], 600));
		}
	advance(3 * 86400 + 60); /* auto-approval, then the pay floor */
	/* Per submission, for 600 s: the platform floor 1200/h asks 200.
	 * USD project: DE 3000 EUR = 30 € = 60 $ → 6000/h → 1000; US 3000/h → 500.
	 * EUR project: DE 3000/h → 500; US 30 $ = 15 € → 1500/h → 250.
	 * Three submissions each: reward and top-ups together pay exactly that. */
	cr_expect_eq(spent(usd), 3 * 1000 + 3 * 500);
	cr_expect_eq(spent(eur), 3 * 500 + 3 * 250);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	cr_expect(strstr(r.body, "your country's minimum wage"), "%s", r.body);
	res_free(&r);
	/* the project's own reward rises to the platform's floor only */
	char path[64];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", usd);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "reward"), 200);
	res_free(&r);
	/* nothing is topped up twice */
	advance(3600);
	cr_expect_eq(spent(usd), 3 * 1000 + 3 * 500);
	cr_expect_eq(spent(eur), 3 * 500 + 3 * 250);
	ledger_ok();
}

/* An owner's own work in their project is recorded but never paid: no
 * reward at submit, no auto-approval, no pay-floor top-up, no bonus to
 * themselves; a contributor beside them is paid as usual. */
Test(money, owners_are_never_paid_for_their_own_projects_work)
{
	clock_to(T0);
	long long pid = project(300, 2, 600);
	long long own = work(pid, S.req, 60);
	cr_assert(own);
	cr_assert(work(pid, S.c[0], 60));
	cr_expect_eq(earning(S.req, "pending"), 0, "the owner earns nothing from their own project");
	cr_expect_eq(earning(S.c[0], "pending"), 300);
	advance(4 * 86400);
	cr_expect_eq(earning(S.c[0], "available"), 300, "the contributor's work is auto-approved");
	cr_expect_eq(earning(S.req, "available"), 0);
	res r = api(&S, "GET", "/api/v1/me/submissions", S.req, NULL);
	cr_assert_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.status"), "pending", "an owner's own work is never auto-approved");
	cr_expect_eq(jint(r.json, "items.0.reward"), 0, "%s", r.body);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/bonuses", pid);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)user_id(&S, S.req), "amount", 100,
		"reason", "me");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "own_project");
	res_free(&r);
	ledger_ok();
}

/* Runs sql on the suite's database (sqlite3, or psql on the PostgreSQL pass). */
static void db_sql(const char *sql)
{
	char cmd[1024];
	if (*S.database)
		snprintf(cmd, sizeof cmd, "psql '%s' -q -v ON_ERROR_STOP=1 -c \"%s\" >/dev/null 2>&1", S.database, sql);
	else
		snprintf(cmd, sizeof cmd, "sqlite3 '%s/faircrowd.db' \"PRAGMA busy_timeout=5000; %s\" >/dev/null 2>&1",
			 S.dir, sql);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* Balances are rows updated with every posting (migration 0036), read by
 * the earnings, payout and escrow figures; `ledger check` compares them
 * with the entries on both back ends and names a row that drifted. */
Test(money, ledger_check_reports_a_drifted_balance_row)
{
	clock_to(T0);
	long long pid = project(40, 3, 200);
	cr_assert(work(pid, S.c[0], 60));
	cr_expect_eq(earning(S.c[0], "pending"), 40);
	ledger_ok();
	char sql[200], out[4096], want[160];
	snprintf(sql, sizeof sql, "UPDATE ledger_balances SET balance=balance+1 WHERE account='pending:%lld'", S.c_id[0]);
	db_sql(sql);
	cr_expect_eq(earning(S.c[0], "pending"), 41, "the earnings read the row");
	cr_expect_eq(ledger_check(out, sizeof out), 1, "%s", out);
	snprintf(want, sizeof want,
		 "VIOLATION balance row disagrees with the entries: pending:%lld USD: balance 41, entries 40", S.c_id[0]);
	cr_expect(strstr(out, want), "%s", out);
	cr_expect(strstr(out, "FAILED: 1 violation"), "%s", out);
	snprintf(sql, sizeof sql, "UPDATE ledger_balances SET balance=balance-1 WHERE account='pending:%lld'", S.c_id[0]);
	db_sql(sql);
	ledger_ok();
}
