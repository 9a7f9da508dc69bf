/* The crash harness (issue #19): contributors lease and submit under load,
 * the server is killed with SIGKILL at a random moment, restarted on the
 * same data, and after every cycle:
 *   - every submission the server acknowledged (201) is in the database,
 *   - no task has more submissions than the project's overlap,
 *   - `faircrowd ledger check` finds the money ledger balanced,
 *   - `faircrowd audit verify` finds the audit chain whole,
 *   - SQLite's PRAGMA integrity_check says ok (the SQLite pass).
 * FC_CRASH_CYCLES (default 3; `make crash` runs 100) and FC_CRASH_SEED (the
 * random moments; printed, so a failure can be replayed). */
#include "../api/harness.h"
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 4
#define OVERLAP 2
#define MAX_ACKED 65536

static srv S;
static void up(void) { suite_with_users(&S, WORKERS); }
static void down(void) { srv_stop(&S); }
TestSuite(crash, .init = up, .fini = down, .timeout = 7200);

static long long acked[MAX_ACKED];
static int n_acked;
static pthread_mutex_t acked_mu = PTHREAD_MUTEX_INITIALIZER;
static long long project_id;

/* One contributor: lease, submit, until the server is gone. */
static void *worker(void *arg)
{
	const char *token = arg;
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/assignments", project_id);
	for (;;) {
		res r = http_or_dead(&S, "POST", path, token, NULL, NULL, 0, NULL);
		long st = r.status;
		long long aid = st == 201 ? jint(r.json, "id") : 0;
		res_free(&r);
		if (st == 0)
			return NULL;
		if (st != 201) { /* nothing to take just now */
			if (getenv("FC_CRASH_DEBUG"))
				fprintf(stderr, "lease %ld\n", st);
			usleep(5000);
			continue;
		}
		char sp[128];
		static const char body[] =
			"{\"result\":[{\"from_name\":\"label\",\"to_name\":\"text\",\"type\":\"choices\","
			"\"value\":{\"choices\":[\"yes\"]}}]}";
		snprintf(sp, sizeof sp, "/api/v1/assignments/%lld/submit", aid);
		r = http_or_dead(&S, "POST", sp, token, "application/json", body, sizeof body - 1, NULL);
		st = r.status;
		long long sid = st == 201 ? jint(r.json, "id") : 0;
		res_free(&r);
		if (st == 0)
			return NULL;
		if (sid) {
			pthread_mutex_lock(&acked_mu);
			if (n_acked < MAX_ACKED)
				acked[n_acked++] = sid;
			pthread_mutex_unlock(&acked_mu);
		}
	}
}

/* Runs a shell command; its output (up to n - 1 bytes) into out, its exit status. */
static int run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	size_t got = fread(out, 1, n - 1, p);
	out[got] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs sql on the server's database (sqlite3 or psql). */
static int query(const char *sql, char *out, size_t n)
{
	char cmd[2048];
	if (*S.database)
		snprintf(cmd, sizeof cmd, "psql -At '%s' -c \"%s\" 2>&1", S.database, sql);
	else
		snprintf(cmd, sizeof cmd, "sqlite3 '%s/faircrowd.db' \"%s\" 2>&1", S.dir, sql);
	return run(cmd, out, n);
}

/* A faircrowd command on the server's data (and database, FAIRCROWD_DATABASE). */
static int cli(const char *args, char *out, size_t n)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' %s --data '%s' 2>&1", getenv("FC_BINARY"), args, S.dir);
	return run(cmd, out, n);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void check(int cycle)
{
	static char out[1 << 20];
	/* every acknowledged submission is stored */
	cr_assert_eq(query("SELECT id FROM submissions ORDER BY id", out, sizeof out), 0, "%s", out);
	static long long have[MAX_ACKED];
	int nh = 0;
	for (char *p = out; *p && nh < MAX_ACKED;) {
		have[nh++] = strtoll(p, &p, 10);
		while (*p == '\n')
			p++;
	}
	for (int i = 0; i < n_acked; i++)
		cr_assert(bsearch(&acked[i], have, (size_t)nh, sizeof have[0], cmp_ll),
			  "cycle %d: acknowledged submission %lld is missing", cycle, acked[i]);
	/* overlap never exceeded */
	cr_assert_eq(query("SELECT COUNT(*) FROM (SELECT task_id FROM submissions GROUP BY task_id "
			   "HAVING COUNT(*) > 2) AS t",
			   out, sizeof out),
		     0, "%s", out);
	cr_assert_eq(atoi(out), 0, "cycle %d: %s tasks over their overlap", cycle, out);
	/* the ledger balances, the audit chain holds, the file is sound */
	cr_assert_eq(cli("ledger check", out, sizeof out), 0, "cycle %d: %s", cycle, out);
	cr_assert_eq(cli("audit verify", out, sizeof out), 0, "cycle %d: %s", cycle, out);
	if (!*S.database) {
		cr_assert_eq(query("PRAGMA integrity_check", out, sizeof out), 0, "%s", out);
		cr_assert_str_eq(out, "ok\n", "cycle %d: %s", cycle, out);
	}
}

Test(crash, acknowledged_writes_survive_kill_9)
{
	int cycles = getenv("FC_CRASH_CYCLES") ? atoi(getenv("FC_CRASH_CYCLES")) : 3;
	unsigned seed = getenv("FC_CRASH_SEED") ? (unsigned)atoi(getenv("FC_CRASH_SEED")) : (unsigned)time(NULL);
	fprintf(stderr, "crash: %d cycles, FC_CRASH_SEED=%u\n", cycles, seed);
	srand(seed);
	int ntasks = 60 * cycles + 60;
	size_t cap = (size_t)ntasks * 32 + 1;
	char *tasks = malloc(cap);
	cr_assert(tasks);
	project_id =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Crash", "label_config", YES_NO_CONFIG,
				       "reward", 1, "overlap", OVERLAP, "reject_reasons", "spam"),
			     ndjson_lines(tasks, cap, "{\"text\":\"item %d\"}\n", ntasks), (long long)ntasks * OVERLAP);
	free(tasks);
	for (int c = 1; c <= cycles; c++) {
		pthread_t th[WORKERS];
		for (int w = 0; w < WORKERS; w++)
			cr_assert(pthread_create(&th[w], NULL, worker, S.c[w]) == 0);
		usleep((useconds_t)(50000 + rand() % 450000)); /* 50-500 ms of load */
		kill(S.pid, SIGKILL);
		for (int w = 0; w < WORKERS; w++)
			pthread_join(th[w], NULL);
		srv_restart(&S, SIGKILL); /* reaps the dead one, starts on the same data */
		check(c);
	}
	fprintf(stderr, "crash: %d cycles, %d acknowledged submissions, all present\n", cycles, n_acked);
	cr_expect_gt(n_acked, 0, "the load submitted nothing");
}
