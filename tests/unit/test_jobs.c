/* The scheduled jobs at their edges (issue 20): due exactly now, one second
 * early, already done, and the batch boundary — driven through the store
 * directly (SQLite, and PostgreSQL in the PostgreSQL pass), with the rows
 * written in SQL the way bench/jobs/jobs_bench.c fills them. */
#include "../common/pgdb.h"
#include "core/clock.h"
#include "events/jobs.h"
#include "privacy/trust.h"
#include "store/store.h"
#include "work/assign.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define T0 1893456000LL

static char dir[64];
static char database[512];
static fc_store *S;

static void up(void)
{
	snprintf(dir, sizeof dir, "/tmp/fc-jobs-XXXXXX");
	cr_assert(mkdtemp(dir));
	cr_assert_eq(pgdb_create(database, sizeof database), 0);
	if (*database)
		setenv("FAIRCROWD_DATABASE", database, 1);
	fc_err e = {0};
	cr_assert_eq(fc_store_open(&S, dir, &e), 0, "%s", e.msg);
	fc_clock_set(T0);
}

static void down(void)
{
	fc_store_close(S);
	pgdb_drop(database);
	unsetenv("FAIRCROWD_DATABASE");
	fc_clock_set(-1);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(jobs, .init = up, .fini = down, .timeout = 120);

static void exec_ok(const char *sql, int64_t a, int64_t b)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0, "%s", e.msg);
	int rc = fc_db_exec(db, &e, sql, "II", a, b);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s: %s", sql, e.msg);
}

static int64_t one(const char *sql, int64_t a)
{
	fc_db *db;
	fc_err e = {0};
	int64_t v = -1;
	cr_assert_eq(fc_db_begin(S, FC_DB_READ, &db, &e), 0);
	int rc = fc_db_int(db, &v, &e, sql, "I", a);
	fc_db_rollback(db);
	cr_assert_eq(rc, 0, "%s: %s", sql, e.msg);
	return v;
}

/* n rows numbered 0..n-1, in SQL that runs on both stores */
#define SERIES "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i+1 < ?) "

/* users 1 (the owner) and 2..11 (contributors); projects 1..4, live */
static void people_and_projects(void)
{
	exec_ok(SERIES "INSERT INTO users(id,email,password_hash,display_name,roles,created_at) "
		       "SELECT 1+i,'u'||i||'@x.org','h','u'||i,6,0 FROM c WHERE ?>0",
		11, 1);
	exec_ok(SERIES "INSERT INTO projects(id,owner_id,kind,title,reward,status,overlap,created_at,updated_at) "
		       "SELECT 1+i,1,'annotation','p',5,'live',?,0,0 FROM c",
		4, 1);
}

/* n media of project p (ids from first), each carried by one submission
 * (of its own task and assignment, with the same id) */
static void media(int64_t p, int64_t first, int64_t n)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
		 SERIES "INSERT INTO media(id,project_id,user_id,sha256,kind,mime,ext,bytes,probe,created_at) "
			"SELECT %lld+i,%lld,2+i%%10,'sha'||(%lld+i),'audio','audio/wav','wav',10,'{}',0 FROM c "
			"WHERE ?>0",
		 (long long)first, (long long)p, (long long)first);
	exec_ok(sql, n, 1);
	snprintf(sql, sizeof sql,
		 SERIES "INSERT INTO tasks(id,project_id,data,created_at) SELECT %lld+i,%lld,'{}',0 FROM c WHERE ?>0",
		 (long long)first, (long long)p);
	exec_ok(sql, n, 1);
	snprintf(sql, sizeof sql,
		 SERIES "INSERT INTO assignments(id,task_id,project_id,user_id,leased_at,expires_at,status) "
			"SELECT %lld+i,%lld+i,%lld,2+i%%10,0,0,'submitted' FROM c WHERE ?>0",
		 (long long)first, (long long)first, (long long)p);
	exec_ok(sql, n, 1);
	snprintf(sql, sizeof sql,
		 SERIES
		 "INSERT INTO submissions(id,assignment_id,task_id,project_id,user_id,result,active_seconds,status,"
		 "reward,created_at,media_id) SELECT %lld+i,%lld+i,%lld+i,%lld,2+i%%10,'[]',30,'accepted',5,0,%lld+i "
		 "FROM c WHERE ?>0",
		 (long long)first, (long long)first, (long long)first, (long long)p, (long long)first);
	exec_ok(sql, n, 1);
}

static int64_t retention(int64_t now)
{
	fc_jobs_report rep = {0};
	fc_err e = {0};
	cr_assert_eq(fc_retention_job(S, now, &rep, &e), 0, "%s", e.msg);
	return rep.retention_erased;
}

Test(jobs, retention_erases_what_is_due_across_the_batch_boundary_and_nothing_else)
{
	people_and_projects();
	/* 1: 500 media (one batch), 2: 501 (the batch boundary), 3: closed a
	 * second later (not due yet), 4: live (never erased by retention) */
	media(1, 1, 500);
	media(2, 1001, 501);
	media(3, 2001, 7);
	media(4, 3001, 5);
	int64_t closed = T0 - 86400;
	for (int64_t p = 1; p <= 3; p++)
		exec_ok("UPDATE projects SET status='closed', retention_days=1, closed_at=? WHERE id=?",
			closed + (p == 3 ? 1 : 0), p);
	/* three of project 2's media were erased before (a withdrawal): their
	 * time stays, and their bytes are not queued again */
	exec_ok("UPDATE media SET erased_at=? WHERE id IN (1001,1250,1501) AND project_id=?", 5, 2);
	exec_ok("UPDATE submissions SET erased_at=? WHERE media_id IN (1001,1250,1501) AND project_id=?", 5, 2);

	cr_expect_eq(retention(T0 - 1), 0, "one second early: nothing is due");
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE erased_at IS NOT NULL AND id>?", 0), 3);

	/* exactly due for 1 and 2; 3 a second early */
	cr_expect_eq(retention(T0), 500 + 498);
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE project_id=1 AND erased_at=?", T0), 500);
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE project_id=2 AND erased_at=?", T0), 498);
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE project_id=2 AND erased_at=?", 5), 3, "erased again");
	cr_expect_eq(one("SELECT COUNT(*) FROM submissions WHERE project_id<=2 AND erased_at=?", T0), 998);
	cr_expect_eq(one("SELECT COUNT(*) FROM submissions WHERE project_id<=2 AND erased_at=?", 5), 3);
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE project_id>=3 AND erased_at IS NULL AND id>?", 0), 12);
	cr_expect_eq(one("SELECT COUNT(*) FROM submissions WHERE project_id>=3 AND erased_at IS NULL AND id>?", 0), 12);
	/* one erasure item per file erased now, naming its bytes */
	cr_expect_eq(one("SELECT COUNT(*) FROM outbox WHERE sink='erasure' AND created_at=?", T0), 998);
	cr_expect_eq(one("SELECT COUNT(*) FROM outbox o JOIN media m ON m.id=o.target AND m.sha256=o.payload "
			 "AND m.project_id=o.project_id WHERE o.sink='erasure' AND m.erased_at=?",
			 T0),
		     998);
	cr_expect_eq(one("SELECT COUNT(*) FROM outbox WHERE target IN (1001,1250,1501) AND id>?", 0), 0);
	/* one audit row per project */
	cr_expect_eq(one("SELECT COUNT(*) FROM audit_log WHERE action='retention.erase' AND id>?", 0), 2);

	cr_expect_eq(retention(T0), 0, "already done");
	cr_expect_eq(retention(T0 + 1), 7, "project 3 is due a second later");
	cr_expect_eq(one("SELECT COUNT(*) FROM media WHERE project_id=4 AND erased_at IS NULL AND id>?", 0), 5);
}

static int64_t expire(int64_t now)
{
	int64_t n = -1;
	fc_err e = {0};
	cr_assert_eq(fc_assign_expire_leases(S, now, &n, &e), 0, "%s", e.msg);
	return n;
}

/* one assignment (its id is its task's id plus the user's: unique) */
static void lease(int64_t task, int64_t project, int64_t user, int64_t expires, const char *status)
{
	fc_db *db;
	fc_err e = {0};
	cr_assert_eq(fc_db_begin(S, FC_DB_WRITE, &db, &e), 0, "%s", e.msg);
	int rc = fc_db_exec(db, &e,
			    "INSERT INTO assignments(id,task_id,project_id,user_id,leased_at,expires_at,status) "
			    "VALUES(?,?,?,?,0,?,?)",
			    "IIIIIt", task * 100 + user, task, project, user, expires, status);
	fc_db_end(db, &rc, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
}

Test(jobs, lease_expiry_ends_what_is_due_across_the_batch_boundary_and_reopens_the_tasks)
{
	people_and_projects();
	exec_ok("UPDATE projects SET overlap=? WHERE id=?", 3, 2);
	/* project 1 (overlap 1): 513 tasks with a lease due exactly at T0
	 * (512 + 1: the batch boundary); task 600's is due a second later */
	exec_ok(SERIES "INSERT INTO tasks(id,project_id,data,leased_count,open,created_at) "
		       "SELECT 1+i,1,'{}',1,0,0 FROM c WHERE ?>0",
		513, 1);
	exec_ok(SERIES "INSERT INTO assignments(id,task_id,project_id,user_id,leased_at,expires_at,status) "
		       "SELECT 1+i,1+i,1,2+i%10,0,?,'leased' FROM c",
		513, T0);
	exec_ok("INSERT INTO tasks(id,project_id,data,leased_count,open,created_at) VALUES(600,?,'{}',1,0,?)", 1, 0);
	lease(600, 1, 2, T0 + 1, "leased");
	/* project 2 (overlap 3): task 700 has three leases due (one earlier)
	 * and a submission; task 701 (target_overlap 1) one due lease and a
	 * submission; task 702 a submitted lease and one that expired before */
	exec_ok("INSERT INTO tasks(id,project_id,data,leased_count,submitted_count,open,created_at,target_overlap) "
		"VALUES (700,2,'{}',3,1,0,0,NULL),(701,2,'{}',1,1,0,0,?),(702,2,'{}',0,1,?,0,NULL)",
		1, 1);
	lease(700, 2, 2, T0 - 5, "leased");
	lease(700, 2, 3, T0, "leased");
	lease(700, 2, 4, T0, "leased");
	lease(700, 2, 5, 0, "submitted");
	lease(701, 2, 2, T0, "leased");
	lease(701, 2, 3, 0, "submitted");
	lease(702, 2, 2, 0, "submitted");
	lease(702, 2, 3, 0, "expired");

	cr_expect_eq(expire(T0 - 6), 0, "nothing due yet");
	cr_expect_eq(expire(T0 - 1), 1, "the lease due at T0 - 5 only");
	cr_expect_eq(one("SELECT leased_count FROM tasks WHERE id=?", 700), 2);
	cr_expect_eq(one("SELECT open FROM tasks WHERE id=?", 700), 0, "2 leased + 1 submitted = overlap 3");

	cr_expect_eq(expire(T0), 513 + 2 + 1, "exactly due");
	cr_expect_eq(one("SELECT COUNT(*) FROM assignments WHERE status='expired' AND id<=?", 513), 513);
	cr_expect_eq(one("SELECT COUNT(*) FROM tasks WHERE leased_count=0 AND open=1 AND id<=?", 513), 513);
	cr_expect_eq(one("SELECT COUNT(*) FROM assignments WHERE status='leased' AND task_id=?", 600), 1,
		     "a second early");
	cr_expect_eq(one("SELECT leased_count*10+open FROM tasks WHERE id=?", 600), 10);
	cr_expect_eq(one("SELECT leased_count*10+open FROM tasks WHERE id=?", 700), 1, "0 leased + 1 submitted < 3");
	cr_expect_eq(one("SELECT leased_count*10+open FROM tasks WHERE id=?", 701), 0, "its own overlap of 1 is met");
	cr_expect_eq(one("SELECT leased_count*10+open FROM tasks WHERE id=?", 702), 1, "untouched");
	cr_expect_eq(one("SELECT COUNT(*) FROM assignments WHERE status='submitted' AND task_id>=?", 700), 3);

	cr_expect_eq(expire(T0), 0, "already done");
	cr_expect_eq(expire(T0 + 1), 1);
	cr_expect_eq(one("SELECT leased_count*10+open FROM tasks WHERE id=?", 600), 1);
}
