/* Many faircrowd servers on one PostgreSQL database (the PostgreSQL pass;
 * on SQLite these tests skip, since there a database has one server):
 * contributors spread across three servers with overlap 3 while one server
 * is killed with SIGKILL mid-run, and the scheduled jobs, which run once
 * per tick across all servers. nginx in front of servers: test_nginx.c. */
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 1); }
static void down(void) { srv_stop(&S); }
TestSuite(scale, .init = up, .fini = down, .timeout = 240);

#define NSRV 3
#define WORKERS 9
#define TASKS 24
#define OVERLAP 3
#define KILL_AFTER 20 /* acknowledged submissions before server 2 dies */

static srv MORE[NSRV - 1];
static srv *SERVERS[NSRV];
static atomic_int dead[NSRV];
static long long PID;
static char TOKENS[WORKERS][64];
static pthread_mutex_t acked_mu = PTHREAD_MUTEX_INITIALIZER;
static long long acked[TASKS * OVERLAP];
static atomic_int nacked;

static void need_postgres(void)
{
	if (!*S.database)
		cr_skip_test("PostgreSQL pass only: there servers can share a database");
}

static void start_more(void)
{
	SERVERS[0] = &S;
	for (int i = 0; i < NSRV - 1; i++) {
		srv_start_shared(&MORE[i], &S);
		SERVERS[i + 1] = &MORE[i];
	}
}

/* The next server that is alive after *on. */
static int next_alive(int on)
{
	for (int k = 1; k <= NSRV; k++)
		if (!atomic_load(&dead[(on + k) % NSRV]))
			return (on + k) % NSRV;
	return on;
}

/* One request that moves to another server while the one it was sent to is
 * dead (status 0: the connection was refused or cut). */
static res send_alive(int *on, const char *method, const char *path, const char *token, const char *body,
		      const char *const *extra)
{
	for (;;) {
		res r = http_or_dead(SERVERS[*on], method, path, token, body ? "application/json" : NULL, body,
				     body ? strlen(body) : 0, extra);
		if (r.status != 0)
			return r;
		res_free(&r);
		*on = next_alive(*on);
	}
}

/* Leases and submits until the project has nothing for this contributor.
 * A submit is retried on another server with its Idempotency-Key, so an
 * answer lost with a dying server is replayed, not done twice. */
static void *worker(void *arg)
{
	long w = (long)arg;
	int on = (int)(w % NSRV);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/assignments", PID);
	for (;;) {
		if (atomic_load(&dead[on]))
			on = next_alive(on);
		res r = send_alive(&on, "POST", path, TOKENS[w], NULL, NULL);
		if (r.status == 204) {
			res_free(&r);
			return NULL;
		}
		if (r.status != 201) {
			fprintf(stderr, "worker %ld: lease %ld %s\n", w, r.status, r.body);
			res_free(&r);
			return (void *)1;
		}
		long long aid = jint(r.json, "id");
		res_free(&r);
		char spath[96], key[96];
		snprintf(spath, sizeof spath, "/api/v1/assignments/%lld/submit", aid);
		snprintf(key, sizeof key, "Idempotency-Key: scale-%ld-%lld", w, aid);
		const char *extra[] = {key, NULL};
		/* "still running; retry it in a moment": the claim of a request cut
		 * off by the kill lapses when PostgreSQL sees its server gone */
		for (int tries = 0;; tries++) {
			r = send_alive(&on, "POST", spath, TOKENS[w],
				       "{\"result\":[{\"from_name\":\"sentiment\",\"to_name\":\"text\",\"type\":"
				       "\"choices\",\"value\":{\"choices\":[\"pos\"]}}],\"active_seconds\":3}",
				       extra);
			if (r.status != 409 || strcmp(jstr(r.json, "error.code"), "idempotency_key_in_use") || tries == 50)
				break;
			res_free(&r);
			usleep(100 * 1000);
		}
		if (r.status != 201) {
			fprintf(stderr, "worker %ld: submit %ld %s\n", w, r.status, r.body);
			res_free(&r);
			return (void *)2;
		}
		pthread_mutex_lock(&acked_mu);
		int n = atomic_load(&nacked);
		if (n < TASKS * OVERLAP)
			acked[n] = jint(r.json, "id");
		atomic_store(&nacked, n + 1);
		pthread_mutex_unlock(&acked_mu);
		res_free(&r);
	}
}

static void run_workers(void)
{
	pthread_t th[WORKERS];
	for (long i = 0; i < WORKERS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	/* SIGKILL to the third server once part of the work is acknowledged */
	if (!atomic_load(&dead[NSRV - 1])) {
		for (int i = 0; i < 3000 && atomic_load(&nacked) < KILL_AFTER; i++)
			usleep(10 * 1000);
		srv *victim = SERVERS[NSRV - 1];
		kill(victim->pid, SIGKILL);
		waitpid(victim->pid, NULL, 0);
		victim->pid = 0;
		atomic_store(&dead[NSRV - 1], 1);
	}
	for (int i = 0; i < WORKERS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_expect_null(ret, "worker %d failed (%ld)", i, (long)ret);
	}
}

static void ledger_balanced(void)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "'%s' ledger check --database '%s' >/dev/null 2>&1", getenv("FC_BINARY"), S.database);
	cr_expect_eq(system(cmd), 0, "faircrowd ledger check: the ledger balances");
}

/* Three servers, nine contributors spread across them, overlap 3; the
 * third server dies by SIGKILL mid-run and its contributors carry on on the
 * others. Every acknowledged submission is there, no task has more than
 * three, counters equal a recount, the ledger balances. */
Test(scale, three_servers_one_killed_mid_run)
{
	need_postgres();
	start_more();
	for (int i = 0; i < WORKERS; i++) {
		char email[64];
		snprintf(email, sizeof email, "s%d@test.local", i);
		make_user(&S, email, "contributor", TOKENS[i]);
	}
	char body[8192];
	PID = project_live(&S, S.req,
			   json_pack("{s:s,s:s,s:i,s:i,s:i}", "title", "Scale", "label_config", SENTIMENT_CONFIG,
				     "reward", 5, "overlap", OVERLAP, "lease_seconds", 600),
			   ndjson_lines(body, sizeof body, "{\"text\":\"item %d\"}\n", TASKS), 100000);
	run_workers();
	cr_assert(atomic_load(&dead[NSRV - 1]), "the third server was killed");
	/* A lease whose answer died with the server is held by nobody who
	 * knows it: it expires after lease_seconds, and the work is finished. */
	for (int i = 0; i < NSRV - 1; i++)
		set_clock(SERVERS[i], "2031-01-01T00:00:00Z");
	run_workers();

	int n = atomic_load(&nacked);
	cr_assert_eq(n, TASKS * OVERLAP, "%d acknowledged submissions", n);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export", PID);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	int lines = 0, found = 0;
	char *save = NULL;
	for (char *l = strtok_r(r.body, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
		json_t *j = json_loads(l, 0, NULL);
		json_t *anns = json_object_get(j, "annotations");
		cr_expect_eq(json_array_size(anns), OVERLAP, "task %lld has %zu submissions", jint(j, "id"),
			     json_array_size(anns));
		long long by[OVERLAP] = {0};
		size_t i;
		json_t *a;
		json_array_foreach(anns, i, a) {
			if (i < OVERLAP)
				by[i] = jint(a, "completed_by");
			for (int k = 0; k < n; k++)
				found += acked[k] == jint(a, "id");
		}
		cr_expect(by[0] != by[1] && by[1] != by[2] && by[0] != by[2], "three different contributors");
		json_decref(j);
	}
	res_free(&r);
	cr_expect_eq(lines, TASKS);
	cr_expect_eq(found, n, "every acknowledged submission is in the export (%d of %d)", found, n);

	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=1000", PID);
	r = api(&S, "GET", path, S.req, NULL);
	size_t i;
	json_t *t;
	json_array_foreach(jget(r.json, "items"), i, t) {
		cr_expect(jint(t, "submitted_count") == OVERLAP && jint(t, "leased_count") == 0,
			  "task %lld: submitted_count %lld, leased_count %lld", jint(t, "id"),
			  jint(t, "submitted_count"), jint(t, "leased_count"));
	}
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", PID);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "tasks.done"), TASKS, "%s", r.body);
	/* moving the clock on ran the auto-approval too */
	cr_expect_eq(jint(r.json, "submissions.pending") + jint(r.json, "submissions.auto_accepted"), TASKS * OVERLAP,
		     "counters equal the recount: %s", r.body);
	cr_expect_eq(jint(r.json, "active_leases"), 0);
	res_free(&r);
	ledger_balanced();
	srv_stop(&MORE[0]);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", MORE[1].dir);
	cr_expect_eq(system(cmd), 0);
}

static long long ticks_run(srv *s)
{
	res r = api(s, "GET", "/metrics", NULL, NULL);
	cr_assert_eq(r.status, 200);
	const char *m = strstr(r.body, "\nfaircrowd_job_ticks_total ");
	cr_assert(m, "no faircrowd_job_ticks_total in /metrics");
	long long n = atoll(m + strlen("\nfaircrowd_job_ticks_total "));
	res_free(&r);
	return n;
}

static long long ticks_total(void)
{
	long long n = 0;
	for (int i = 0; i < NSRV; i++)
		n += ticks_run(SERVERS[i]);
	return n;
}

static const char *clock_now;
static void *clock_to(void *arg)
{
	srv *s = arg;
	res r = api(s, "POST", "/api/v1/admin/clock", s->admin_token, "{s:s,s:b}", "now", clock_now, "run_jobs", 0);
	res_free(&r);
	return NULL;
}

/* Moves every server's test clock to t at once (jobs left to the timers). */
static void all_clocks(const char *t)
{
	clock_now = t;
	pthread_t th[NSRV];
	for (int i = 0; i < NSRV; i++)
		pthread_create(&th[i], NULL, clock_to, SERVERS[i]);
	for (int i = 0; i < NSRV; i++)
		pthread_join(th[i], NULL);
}

/* Waits up to 3 s for want ticks run in all, then as long again to see that
 * no server runs one more. */
static void expect_ticks(long long base, long long want, const char *when)
{
	for (int i = 0; i < 30 && ticks_total() - base < want; i++)
		usleep(100 * 1000);
	usleep(1000 * 1000);
	cr_expect_eq(ticks_total() - base, want, "%s: %lld ticks run, want %lld", when, ticks_total() - base, want);
}

/* Every server's timer looks at the (test) clock five times a second; when
 * it enters a new tick each of the three tries to claim it, and the
 * scheduled jobs run exactly once for that tick, on one server. */
Test(scale, a_scheduled_tick_runs_once_across_servers)
{
	need_postgres();
	start_more();
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i,s:i}", "title", "Ticks", "label_config",
					       SENTIMENT_CONFIG, "reward", 5, "overlap", 1, "lease_seconds", 60),
				     "{\"text\":\"a\"}\n", 1000);
	all_clocks("2030-12-31T23:59:59Z");
	lease_ok(&S, pid, S.c[0]); /* expires at 2031-01-01T00:00:59Z */
	usleep(1000 * 1000);
	long long base = ticks_total();
	all_clocks("2031-01-01T00:01:00Z");
	expect_ticks(base, 1, "a new tick");
	all_clocks("2031-01-01T00:01:04Z");
	expect_ticks(base, 1, "the same tick again");
	all_clocks("2031-01-01T00:01:05Z");
	expect_ticks(base, 2, "the next tick");
	all_clocks("2031-01-01T00:00:30Z");
	expect_ticks(base, 2, "a tick already run");
	/* the tick ran the lease expiry: once, on one server, for all */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/stats", pid);
	res r = api(&MORE[1], "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "active_leases"), 0, "%s", r.body);
	cr_expect_eq(jint(r.json, "tasks.not_started"), 1, "%s", r.body);
	res_free(&r);
	for (int i = 0; i < NSRV - 1; i++)
		srv_stop(&MORE[i]);
}
