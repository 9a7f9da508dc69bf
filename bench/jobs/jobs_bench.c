/* jobs_bench — each scheduled job with N rows due (issue 20: "every
 * scheduled job linear in the rows it touches: 1M in < 10 s").
 *
 *   jobs_bench setup JOB DIR N   N rows due for JOB, written with raw SQLite
 *                                (synchronous=OFF, foreign keys off; not timed)
 *   jobs_bench run   JOB DIR     one fc_jobs_run_due (every registered job, as
 *                                a server's tick does) at the time the rows are
 *                                due; prints wall, CPU (user+sys), peak RSS and
 *                                the rows the job reported done
 *
 * JOB is one of
 *   lease      N leased assignments past expires_at, one task each, made
 *              over an hour in id order
 *   lease-scattered  the same, every 3,600th id expiring in the same second
 *   upload     N resumable uploads idle for more than a day, one part each
 *   outbox     N outbox items due on a sink that delivers at once ("bench")
 *   retention  N media (one submission each) of a project closed past its
 *              retention_days
 *   notice     N contributors a live project with new work is announced to
 *
 * The timed phase goes through the real store (synchronous=FULL, WAL), as
 * the server runs it. Auto-approval has its own bench (bench/money/). */
#include "core/clock.h"
#include "events/jobs.h"
#include "events/outbox.h"
#include "store/store.h"
#include "wiring.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define T0 1893456000LL /* 2030-01-01: the rows are made then */
#define LATER (T0 + 30 * 86400)

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "jobs_bench: %s: %s\n", what, msg ? msg : "failed");
	exit(1);
}

static void sql(sqlite3 *h, const char *q)
{
	char *msg = NULL;
	if (sqlite3_exec(h, q, NULL, NULL, &msg) != SQLITE_OK)
		die(q, msg);
}


static void setf(sqlite3 *h, const char *fmt, ...)
{
	char q[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	sql(h, q);
}

static void setup_owner(sqlite3 *h, const char *status)
{
	sql(h, "INSERT INTO users(id,email,password_hash,display_name,roles,created_at) "
	       "VALUES(1,'owner@bench.local','x','owner',2,0)");
	setf(h,
	     "INSERT INTO projects(id,owner_id,kind,title,reward,status,auto_approve_days,created_at,updated_at) "
	     "VALUES(1,1,'annotation','bench',5,'%s',3,0,0)",
	     status);
	sql(h, "INSERT INTO project_members(project_id,user_id,role) VALUES(1,1,'owner')");
}

/* contributors 2..n+1 */
static void setup_users(sqlite3 *h, long n)
{
	setf(h,
	     "INSERT INTO users(id,email,password_hash,display_name,roles,created_at) "
	     "SELECT 1+i,'c'||i||'@bench.local','x','c'||i,4,0 FROM c WHERE i<=%ld",
	     n);
}

static int setup(const char *job, const char *dir, long n)
{
	fc_store *s;
	fc_err e = {0};
	fc_wire();
	if (fc_store_open(&s, dir, &e)) /* the migrations */
		die("open", e.msg);
	fc_store_close(s);
	char db[1100];
	sqlite3 *h;
	if (snprintf(db, sizeof db, "%s/faircrowd.db", dir) >= (int)sizeof db || sqlite3_open(db, &h) != SQLITE_OK)
		die(db, "cannot open the database");
	sql(h, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-200000; BEGIN");
	/* the rows 1..n, for INSERT … SELECT i FROM c */
	setf(h,
	     "CREATE TEMP TABLE c AS WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM k WHERE i < %ld) "
	     "SELECT i FROM k",
	     n);
	long users = n < 10000 ? n : 10000;
	if (!strcmp(job, "lease") || !strcmp(job, "lease-scattered")) {
		setup_owner(h, "live");
		setup_users(h, users);
		sql(h, "INSERT INTO tasks(id,project_id,data,leased_count,open,created_at) SELECT i,1,'{}',1,0,0 FROM c");
		/* leases made over an hour in the order of their ids (and tasks), as
		 * a server makes them; scattered: every 3,600th row expires in the
		 * same second, so each batch touches rows all over the tables */
		int scattered = !strcmp(job, "lease-scattered");
		setf(h,
		     "INSERT INTO assignments(id,task_id,project_id,user_id,leased_at,expires_at,status) "
		     "SELECT i,i,1,2+i%%%ld,%lld,%lld+CASE WHEN %d=1 THEN i%%3600 ELSE i*3600/%ld END,'leased' FROM c",
		     users, T0, T0, scattered, n);
	} else if (!strcmp(job, "upload")) {
		setup_users(h, users);
		setf(h,
		     "INSERT INTO uploads(id,user_id,length,offset,created_at,updated_at) "
		     "SELECT printf('up%%08d',i),2+i%%%ld,100,10,%lld,%lld FROM c",
		     users, T0, T0);
		sql(h, "INSERT INTO upload_parts(upload_id,start,data) SELECT id,0,x'00010203040506070809' FROM uploads");
	} else if (!strcmp(job, "outbox")) {
		setf(h,
		     "INSERT INTO outbox(sink,target,action,payload,created_at,next_at) "
		     "SELECT 'bench',i,'BENCH','{}',%lld,%lld FROM c",
		     T0, T0);
	} else if (!strcmp(job, "retention")) {
		setup_owner(h, "closed");
		setup_users(h, users);
		setf(h, "UPDATE projects SET retention_days=1, closed_at=%lld WHERE id=1", T0);
		sql(h, "INSERT INTO tasks(id,project_id,data,created_at) VALUES(1,1,'{}',0)");
		setf(h,
		     "INSERT INTO media(id,project_id,user_id,sha256,kind,mime,ext,bytes,probe,created_at) "
		     "SELECT i,1,2+i%%%ld,printf('%%064d',i),'audio','audio/wav','wav',10,'{}',0 FROM c",
		     users);
		setf(h,
		     "INSERT INTO submissions(id,assignment_id,task_id,project_id,user_id,result,active_seconds,"
		     "status,reward,created_at,media_id) SELECT i,i,1,1,2+i%%%ld,'[]',30,'accepted',5,0,i FROM c",
		     users);
	} else if (!strcmp(job, "notice")) {
		setup_owner(h, "live");
		setup_users(h, n);
		setf(h, "INSERT INTO new_work(project_id,since) VALUES(1,%lld)", LATER - 3600); /* this week */
	} else {
		die(job, "unknown job (lease, lease-scattered, upload, outbox, retention, notice)");
	}
	sql(h, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(h);
	printf("setup %s: %ld rows due\n", job, n);
	return 0;
}

static int deliver_nothing(fc_store *s, const fc_outbox_item *item, int *status, char *error, size_t error_len)
{
	(void)s, (void)item, (void)error, (void)error_len;
	*status = 200;
	return 0;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int run(const char *job, const char *dir)
{
	fc_store *s;
	fc_err e = {0};
	fc_wire();
	fc_outbox_sink("bench", deliver_nothing);
	if (fc_store_open(&s, dir, &e))
		die("open", e.msg);
	fc_clock_set(LATER);
	fc_jobs_report rep = {0};
	struct timespec a, b;
	double c0 = cpu_s();
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (fc_jobs_run_due(s, &rep, &e))
		die("jobs", e.msg);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double wall = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, cpu = cpu_s() - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	int64_t notices = 0;
	fc_db *db;
	if (!strcmp(job, "notice") && !fc_db_begin(s, FC_DB_READ, &db, &e)) {
		fc_db_int(db, &notices, &e, "SELECT COUNT(*) FROM work_notices", "");
		fc_db_rollback(db);
	}
	printf("run %s: wall %.2f s, cpu %.2f s, peak RSS %ld MB; leases expired %lld, uploads expired %lld, "
	       "outbox delivered %lld, media erased %lld, notices %lld\n",
	       job, wall, cpu, ru.ru_maxrss / 1024, (long long)rep.leases_expired, (long long)rep.uploads_expired,
	       (long long)rep.outbox_delivered, (long long)rep.retention_erased, (long long)notices);
	fc_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "setup"))
		return setup(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3]);
	fprintf(stderr, "usage: jobs_bench setup JOB DIR N | jobs_bench run JOB DIR\n"
			"  JOB: lease, lease-scattered, upload, outbox, retention, notice\n");
	return 2;
}
