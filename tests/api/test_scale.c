/* Many faircrowd servers on one PostgreSQL database (the PostgreSQL pass;
 * on SQLite these tests skip, since there a database has one server):
 * contributors spread across three servers with overlap 3 while one server
 * is killed with SIGKILL mid-run, and the scheduled jobs, which run once
 * per tick across all servers; and nginx (deploy/nginx.conf) in front of two
 * servers (one on SQLite), driven through its single address. */
#include "harness.h"

#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static srv S;
/* nginx connects from 127.0.0.1: its X-Forwarded-* are believed */
static const char *const ENV[] = {"FAIRCROWD_TRUSTED_PROXIES=127.0.0.1", NULL};
static void up(void) { suite_with_users_env(&S, ENV, 1); }
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
		srv_skip(&S, "PostgreSQL pass only: there servers can share a database");
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
		/* contributors appear as per-project pseudonyms (#13) */
		const char *by[OVERLAP] = {"", "", ""};
		size_t i;
		json_t *a;
		json_array_foreach(anns, i, a) {
			if (i < OVERLAP && jstr(a, "completed_by"))
				by[i] = jstr(a, "completed_by");
			for (int k = 0; k < n; k++)
				found += acked[k] == jint(a, "id");
		}
		cr_expect(*by[0] && strcmp(by[0], by[1]) && strcmp(by[1], by[2]) && strcmp(by[0], by[2]),
			  "three different contributors");
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
	res r = api(s, "GET", "/metrics", s->admin_token, NULL); /* admins only (#19) */
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

/* ---------------- nginx ---------------- */

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
		  getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Copies deploy/nginx.conf into dir/nginx.conf with its three placeholders
 * filled in: nginx at port, in front of the n servers. */
static void render_nginx(const char *dir, int port, srv *const *servers, int n)
{
	char path[600], ups[600] = "", listen[32];
	snprintf(path, sizeof path, "%s/deploy/nginx.conf", getenv("FC_SOURCE_DIR"));
	size_t len;
	char *conf = slurp(path, &len);
	for (int i = 0; i < n; i++)
		snprintf(ups + strlen(ups), sizeof ups - strlen(ups), "server %s; ", servers[i]->url + strlen("http://"));
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	const char *keys[] = {"@PREFIX@", "@LISTEN@", "@UPSTREAMS@"}, *vals[] = {dir, listen, ups};
	snprintf(path, sizeof path, "%s/nginx.conf", dir);
	FILE *out = fopen(path, "w");
	cr_assert(out);
	for (const char *p = conf; *p;) {
		int k = 0;
		while (k < 3 && strncmp(p, keys[k], strlen(keys[k])))
			k++;
		if (k < 3) {
			fputs(vals[k], out);
			p += strlen(keys[k]);
		} else {
			fputc(*p++, out);
		}
	}
	fclose(out);
	free(conf);
}

/* nginx -c dir/nginx.conf in the foreground; returns its pid once it
 * answers /healthz through a faircrowd server. */
static pid_t start_nginx(srv *front, const char *dir)
{
	const char *bin = access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "nginx";
	char conf[600];
	snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char log[600];
		snprintf(log, sizeof log, "%s/nginx.out", dir);
		if (!freopen(log, "w", stderr) || !freopen("/dev/null", "w", stdout))
			_exit(126);
		execlp(bin, bin, "-c", conf, "-p", dir, "-e", "stderr", "-g", "daemon off;", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		res r = http_or_dead(front, "GET", "/healthz", NULL, NULL, NULL, 0, NULL);
		long st = r.status;
		res_free(&r);
		if (st == 200)
			return pid;
		cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0,
			     "nginx exited (installed? scripts/install-deps --test; log in %s/nginx.out)", dir);
		usleep(100 * 1000);
	}
	cr_assert_fail("nginx did not answer within 10 s (log in %s)", dir);
	return 0;
}

/* The requests a server answered, by its own /metrics. */
static long long requests_seen(srv *s)
{
	res r = api(s, "GET", "/metrics", s->admin_token, NULL); /* admins only (#19) */
	long long n = 0;
	for (const char *p = r.body; p && (p = strstr(p, "\nfaircrowd_http_requests_total{")); p++)
		n += atoll(strchr(p, '}') + 1);
	res_free(&r);
	return n;
}

static long login_status(srv *on, const char *password, char *cookie, size_t n)
{
	res r = api(on, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "c1@test.local", "password", password);
	long st = r.status;
	if (cookie && !res_header(&r, "Set-Cookie", cookie, n))
		cookie[0] = 0;
	res_free(&r);
	return st;
}

/* deploy/nginx.conf, rendered with two servers' ports (one on SQLite),
 * in front of them: work goes through its one address and reaches both;
 * each client is throttled by its own address, which nginx forwards; a
 * server that dies is skipped without a failed request. */
Test(scale, nginx_in_front_of_two_servers, .timeout = 120)
{
	int two = *S.database != 0;
	srv other;
	if (two)
		srv_start_shared(&other, &S);
	srv *const servers[] = {&S, &other};
	char dir[64] = "/tmp/fc-nginx-XXXXXX";
	cr_assert(mkdtemp(dir));
	chmod(dir, 0755); /* nginx's workers may run as another user */
	int port = free_port();
	render_nginx(dir, port, servers, two ? 2 : 1);
	srv front = {0};
	snprintf(front.url, sizeof front.url, "http://127.0.0.1:%d", port);
	snprintf(front.admin_token, sizeof front.admin_token, "%s", S.admin_token);
	pid_t nginx = start_nginx(&front, dir);

	/* work through the one address, round robin over the servers */
	long long before[2] = {requests_seen(&S), two ? requests_seen(&other) : 0};
	long long pid = project_live(&front, S.req,
				     json_pack("{s:s,s:s,s:i,s:i}", "title", "Behind nginx", "label_config",
					       SENTIMENT_CONFIG, "reward", 5, "overlap", 1),
				     "{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n", 1000);
	for (int i = 0; i < 3; i++) {
		long long aid = lease_ok(&front, pid, S.c[0]);
		res r = submit_choice(&front, aid, S.c[0], "sentiment", "pos", json_integer(2));
		cr_expect_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
	res r = lease(&front, pid, S.c[0]);
	cr_expect_eq(r.status, 204, "all three done: %s", r.body);
	res_free(&r);
	cr_expect_gt(requests_seen(&S) - before[0], 3, "the first server took requests");
	if (two)
		cr_expect_gt(requests_seen(&other) - before[1], 3, "the second server took requests");

	/* throttling by the client's address that nginx forwards: one client's
	 * failures lock that client out, not another behind the same nginx */
	char cookie[300];
	http_source("127.0.0.2");
	for (int i = 0; i < 5; i++)
		cr_expect_eq(login_status(&front, "wrong-password-1", NULL, 0), 401);
	cr_expect_eq(login_status(&front, "password-123", NULL, 0), 429, "this client is locked out");
	http_source("127.0.0.3");
	cr_expect_eq(login_status(&front, "password-123", cookie, sizeof cookie), 200, "another client is not");
	http_source(NULL);
	/* plain HTTP through nginx: its X-Forwarded-Proto is http, so no Secure
	 * cookie whatever the client claims; from the trusted proxy saying
	 * https (as nginx does behind TLS), Secure */
	cr_expect(!strstr(cookie, "Secure"), "%s", cookie);
	const char *https[] = {"X-Forwarded-Proto: https", NULL},
		   *login = "{\"email\":\"c1@test.local\",\"password\":\"password-123\"}";
	r = http(&front, "POST", "/api/v1/auth/login", NULL, "application/json", login, strlen(login), https);
	cr_expect(res_header(&r, "Set-Cookie", cookie, sizeof cookie) && !strstr(cookie, "Secure"), "%s", cookie);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/auth/login", NULL, "application/json", login, strlen(login), https);
	cr_expect(res_header(&r, "Set-Cookie", cookie, sizeof cookie) && strstr(cookie, "; Secure"), "%s", cookie);
	res_free(&r);

	if (two) { /* a server dies: nginx skips it, nothing fails */
		kill(other.pid, SIGKILL);
		waitpid(other.pid, NULL, 0);
		other.pid = 0;
		for (int i = 0; i < 6; i++) {
			r = api(&front, "GET", "/api/v1/me", S.c[0], NULL);
			cr_expect_eq(r.status, 200, "request %d after the kill: %s", i, r.body);
			res_free(&r);
		}
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", other.dir);
		cr_expect_eq(system(cmd), 0);
	}
	kill(nginx, SIGQUIT);
	waitpid(nginx, NULL, 0);
	char cmd[100];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* With PostgreSQL, local media are refused unless asked for: servers
 * sharing the database would each hold part of the recordings. */
Test(scale, postgres_wants_s3_for_media)
{
	need_postgres();
	char cmd[1200];
	snprintf(cmd, sizeof cmd,
		 "env -u FAIRCROWD_ALLOW_LOCAL_MEDIA -u FAIRCROWD_S3_ENDPOINT timeout 20 '%s' serve --listen 127.0.0.1:0 --data '%s' "
		 "--database '%s' 2>&1 >/dev/null | grep -q FAIRCROWD_ALLOW_LOCAL_MEDIA",
		 getenv("FC_BINARY"), S.dir, S.database);
	cr_expect_eq(system(cmd), 0, "serve refuses local media with PostgreSQL, naming the way out");
}
