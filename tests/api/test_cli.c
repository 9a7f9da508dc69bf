/* The command line: exit statuses, import/export against a live server's
 * data folder, aggregate/agreement, backup, ledger check. */
#include "../common/pgdb.h"
#include "harness.h"
#include <criterion/criterion.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 0); }
static void down(void) { srv_stop(&S); }
TestSuite(cli, .init = up, .fini = down, .timeout = 120);

static const char *bin(void) { return getenv("FC_BINARY"); }

Test(cli, usage_errors_exit_2)
{
	cr_expect_eq(run_cmd(NULL, 0, "%s 2>/dev/null", bin()), 2);
	cr_expect_eq(run_cmd(NULL, 0, "%s frobnicate 2>/dev/null", bin()), 2);
	cr_expect_eq(run_cmd(NULL, 0, "%s import --data %s 2>/dev/null", bin(), S.dir), 2, "no --project");
	cr_expect_eq(run_cmd(NULL, 0, "%s aggregate --method best /dev/null 2>/dev/null", bin()), 2);
	cr_expect_eq(run_cmd(NULL, 0, "%s serve --threads 0 2>/dev/null", bin()), 2);
	char out[4096];
	cr_expect_eq(run_cmd(out, sizeof out, "%s --help", bin()), 0);
	cr_expect(strstr(out, "aggregate") && strstr(out, "serve"));
	cr_expect_eq(run_cmd(out, sizeof out, "%s import --help", bin()), 0);
	cr_expect(strstr(out, "--project"));
}

/* A policy word serve does not know: one line naming the choices, exit 2,
 * whether it comes from the flag or the environment (and before anything
 * else happens: no data folder is made). */
Test(cli, serve_refuses_an_unknown_outbound_policy)
{
	char out[4096], dir[300];
	snprintf(dir, sizeof dir, "%s/never-made", S.dir);
	static const struct {
		const char *env, *flag, *word;
	} forms[] = {{"", " --outbound bogus", "bogus"},
		     {"FAIRCROWD_OUTBOUND=bogus ", "", "bogus"},
		     {"FAIRCROWD_OUTBOUND=public ", " --outbound Public", "Public"}};
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(run_cmd(out, sizeof out, "%s%s serve%s --listen 127.0.0.1:0 --data %s 2>&1 >/dev/null",
				     forms[i].env, bin(), forms[i].flag, dir),
			     2, "%zu", i);
		cr_expect(strstr(out, "--outbound / FAIRCROWD_OUTBOUND is \"default\" or \"public\""), "%s", out);
		char word[64];
		snprintf(word, sizeof word, "not \"%s\"", forms[i].word);
		cr_expect(strstr(out, word), "%s", out);
	}
	cr_expect_neq(access(dir, F_OK), 0, "the data folder was made");
}

/* "faircrowd X.Y.Z" (with "(git DESCRIBE)" when built from a checkout),
 * then the SQLite and libmicrohttpd versions loaded; the same for the
 * `version` command. */
Test(cli, version_names_ours_and_the_linked_libraries)
{
	regex_t re;
	cr_assert_eq(regcomp(&re,
			     "^faircrowd [0-9]+\\.[0-9]+\\.[0-9]+( \\(git [^) ]+\\))?\n"
			     "SQLite 3\\.[0-9]+\\.[0-9]+\n"
			     "libmicrohttpd [0-9]+\\.[0-9]+\\.[0-9]+\n$",
			     REG_EXTENDED),
		     0);
	const char *forms[] = {"--version", "version"};
	for (size_t i = 0; i < 2; i++) {
		char out[4096];
		cr_expect_eq(run_cmd(out, sizeof out, "%s %s", bin(), forms[i]), 0, "%s", forms[i]);
		cr_expect_eq(regexec(&re, out, 0, NULL, 0), 0, "%s printed: %s", forms[i], out);
	}
	regfree(&re);
}

Test(cli, import_and_export_against_the_live_data_folder)
{
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s}", "title", "cli", "label_config",
		    "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"x\"/></Choices></View>");
	cr_assert_eq(r.status, 201);
	long long pid = jint(r.json, "id");
	res_free(&r);
	char file[300], out[65536];
	snprintf(file, sizeof file, "%s/tasks.ndjson", S.dir);
	FILE *f = fopen(file, "w");
	for (int i = 0; i < 500; i++)
		fprintf(f, "{\"text\":\"row %d\"}\n", i);
	fclose(f);
	cr_expect_eq(run_cmd(out, sizeof out, "%s import --project %lld --data %s %s", bin(), pid, S.dir, file), 0);
	cr_expect(strstr(out, "imported 500 tasks"), "%s", out);
	/* a bad file: nothing stored, the line named, exit 1 */
	snprintf(file, sizeof file, "%s/bad.csv", S.dir);
	f = fopen(file, "w");
	fputs("text,label\na,b\nc\n", f);
	fclose(f);
	cr_expect_eq(run_cmd(out, sizeof out, "%s import --project %lld --data %s %s 2>&1", bin(), pid, S.dir, file), 1);
	cr_expect(strstr(out, "line 3"), "%s", out);
	cr_expect_eq(run_cmd(NULL, 0, "%s import --project 99999 --data %s %s 2>/dev/null", bin(), S.dir, file), 1);
	/* the server sees the CLI's tasks */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 500);
	res_free(&r);
	cr_expect_eq(run_cmd(out, sizeof out, "%s export --project %lld --data %s | wc -l", bin(), pid, S.dir), 0);
	cr_expect_eq(atoi(out), 500);
	cr_expect_eq(run_cmd(NULL, 0, "%s export --project %lld --format xml --data %s 2>/dev/null", bin(), pid, S.dir),
		     2);
	/* the dataset formats: "[", a task per line, "]"; a header only (nothing accepted yet) */
	cr_expect_eq(run_cmd(out, sizeof out, "%s export --project %lld --format json --data %s | wc -l", bin(), pid,
			     S.dir),
		     0);
	cr_expect_eq(atoi(out), 502);
	cr_expect_eq(run_cmd(out, sizeof out, "%s export --project %lld --format csv --status all --data %s", bin(),
			     pid, S.dir),
		     0);
	cr_expect_str_eq(out, "task_id,worker_id,status,lead_time,created_at,text,c\r\n");
	cr_expect_eq(run_cmd(out, sizeof out, "%s export --project %lld --format coco --data %s 2>&1", bin(), pid, S.dir),
		     1);
	cr_expect(strstr(out, "RectangleLabels"), "a text project has no boxes: %s", out);
	cr_expect_eq(run_cmd(NULL, 0, "%s export --project %lld --format csv --status some --data %s 2>/dev/null",
			     bin(), pid, S.dir),
		     2);
}

/* A database that cannot be reached at start: one clear line, exit 1. */
Test(cli, unreachable_database_exits_1)
{
	char out[4096];
	const char *url = "postgres://faircrowd@127.0.0.1:1/none";
	cr_expect_eq(run_cmd(out, sizeof out, "%s migrate --database %s 2>&1 >/dev/null | grep -v '^{'", bin(), url), 0);
	cr_expect(strstr(out, "Cannot connect to the database"), "%s", out);
	cr_expect_eq(run_cmd(NULL, 0, "%s migrate --database %s >/dev/null 2>&1", bin(), url), 1);
	cr_expect_eq(run_cmd(NULL, 0, "%s serve --listen 127.0.0.1:0 --data %s --database %s >/dev/null 2>&1", bin(),
			     S.dir, url),
		     1);
	cr_expect_eq(run_cmd(NULL, 0, "%s ledger check --database=%s >/dev/null 2>&1", bin(), url), 1);
	cr_expect_eq(run_cmd(NULL, 0, "%s migrate --database mysql://x/y >/dev/null 2>&1", bin()), 1,
		     "not a PostgreSQL URL");
	cr_expect_eq(run_cmd(NULL, 0, "%s migrate --database >/dev/null 2>&1", bin()), 2, "no URL");
}

Test(cli, aggregate_agreement_backup_ledger)
{
	char csv[300], out[4096];
	snprintf(csv, sizeof csv, "%s/answers.csv", S.dir);
	FILE *f = fopen(csv, "w");
	fputs("question,worker,answer\r\nq1,w1,a\r\nq1,w2,a\r\nq1,w3,b\r\nq2,w1,b\r\nq2,w2,b\r\nq2,w3,b\r\n", f);
	fclose(f);
	cr_expect_eq(run_cmd(out, sizeof out, "%s aggregate --method mv %s", bin(), csv), 0);
	cr_expect_str_eq(out, "question,label,confidence\nq1,a,0.666667\nq2,b,1.000000\n");
	cr_expect_eq(run_cmd(out, sizeof out, "%s agreement --metric fleiss %s", bin(), csv), 0);
	cr_expect(strchr(out, '.'), "a number: %s", out);
	cr_expect_eq(run_cmd(NULL, 0, "%s aggregate --method mv %s/missing.csv 2>/dev/null", bin(), S.dir), 1);
	/* numbers by median, transcriptions by their medoid */
	f = fopen(csv, "w");
	fputs("question,worker,answer\nn1,w1,3\nn1,w2,4\nn1,w3,10\n", f);
	fclose(f);
	cr_expect_eq(run_cmd(out, sizeof out, "%s aggregate --method median %s", bin(), csv), 0);
	cr_expect_str_eq(out, "question,label,confidence\nn1,4,0.333333\n");
	f = fopen(csv, "w");
	fputs("question,worker,answer\nt1,w1,the cat sat\nt1,w2,\"The cat, sat\"\nt1,w3,The cat sat\nt1,w4,a dog\n", f);
	fclose(f);
	cr_expect_eq(run_cmd(out, sizeof out, "%s aggregate --method text %s", bin(), csv), 0);
	cr_expect_str_eq(out, "question,label,confidence\nt1,the cat sat,0.555556\n");
	f = fopen(csv, "w");
	fputs("question,worker,answer\nn1,w1,three\nn1,w2,4\n", f);
	fclose(f);
	cr_expect_eq(run_cmd(NULL, 0, "%s aggregate --method median %s 2>/dev/null", bin(), csv), 1, "not a number");
	char bk[300];
	snprintf(bk, sizeof bk, "%s/backup.db", S.dir);
	cr_expect_eq(run_cmd(NULL, 0, "%s backup --data %s %s >/dev/null", bin(), S.dir, bk), 0, "backup while serving");
	if (*S.database) {
		/* PostgreSQL: a pg_dump archive; restored into a new database it holds the users */
		char restored[512];
		cr_assert_eq(pgdb_create_empty(restored, sizeof restored), 0);
		cr_expect_eq(run_cmd(NULL, 0, "pg_restore --no-owner --dbname='%s' %s", restored, bk), 0);
		cr_expect_eq(run_cmd(out, sizeof out, "psql -At '%s' -c 'SELECT COUNT(*) FROM users'", restored), 0);
		pgdb_drop(restored);
	} else {
		cr_expect_eq(run_cmd(out, sizeof out, "sqlite3 %s 'SELECT COUNT(*) FROM users'", bk), 0);
	}
	cr_expect_geq(atoi(out), 2);
	cr_expect_eq(run_cmd(NULL, 0, "%s ledger check --data %s >/dev/null", bin(), S.dir), 0);
}

/* The rows of a scored qualification test at schema 7 (before attempts). */
#define V7_ROWS \
	"INSERT INTO users(id,email,password_hash,display_name,roles,languages,demographics,qualifications," \
	"created_at) VALUES(1,'a@b.c','x','A',1,'[]','{}','[\\\"g\\\"]',0); " \
	"INSERT INTO projects(id,owner_id,kind,title,instructions,reward,currency,overlap,lease_seconds," \
	"gold_rate,review_rate,auto_approve_days,reject_reasons,eligibility,status,task_count,created_at," \
	"updated_at,gold_min_answers,qualification) VALUES(1,1,'annotation','t','',0,'USD',1,60,0,0,7,'[]'," \
	"'{}','live',3,0,0,5,'{\\\"grants\\\":\\\"g\\\",\\\"pass_mark\\\":0.5,\\\"retakes\\\":0," \
	"\\\"paid\\\":false}'); " \
	"INSERT INTO tasks(project_id,data,priority,is_gold,leased_count,submitted_count,open,created_at) " \
	"VALUES(1,'{}',0,1,0,0,1,0),(1,'{}',0,1,0,0,1,0),(1,'{}',0,1,0,0,1,0); " \
	"INSERT INTO qualification_results VALUES(1,1,3,2,0.6667,1,'g',1234);"

/* The same upgrade on PostgreSQL, from its own migration files. */
static void migrate_v7_postgres(const char *src)
{
	char url[512], out[4096];
	cr_assert_eq(pgdb_create_empty(url, sizeof url), 0);
	cr_assert_eq(run_cmd(out, sizeof out,
			     "cat %s/src/store/migrations/pg/000[1-7]_*.sql | psql -q -v ON_ERROR_STOP=1 '%s' 2>&1 && "
			     "psql -q -v ON_ERROR_STOP=1 '%s' -c \"CREATE TABLE schema_migrations(version BIGINT PRIMARY KEY, "
			     "name TEXT NOT NULL, applied_at BIGINT NOT NULL); "
			     "INSERT INTO schema_migrations SELECT g, 'old', 0 FROM generate_series(1,7) g; " V7_ROWS
			     "\" 2>&1",
			     src, url, url),
		     0, "%s", out);
	cr_expect_eq(run_cmd(out, sizeof out, "%s migrate --database '%s' 2>&1", bin(), url), 0, "%s", out);
	cr_expect_eq(run_cmd(out, sizeof out,
			     "psql -At '%s' -c 'SELECT attempt, planned, questions, correct, passed, scored_at FROM "
			     "qualification_attempts' -c \"SELECT COUNT(*) FROM pg_tables WHERE tablename='qualification_results'\"",
			     url),
		     0);
	/* PostgreSQL checks foreign keys on every write: nothing to check after */
	cr_expect_str_eq(out, "1|3|3|2|1|1234\n0\n",
			 "one scored attempt planned over the 3 tasks, the old table "
			 "gone: %s",
			 out);
	pgdb_drop(url);
}

/* A data folder at schema 7 with a scored qualification test upgrades to
 * attempts (migration 0008) with the result intact. The old schema is
 * built from the migration files themselves. */
Test(cli, migrate_upgrades_a_version_7_database)
{
	const char *src = getenv("FC_SOURCE_DIR");
	cr_assert(src, "FC_SOURCE_DIR must point at the source tree");
	if (*S.database) {
		migrate_v7_postgres(src);
		return;
	}
	char dir[300], db[340], out[4096];
	snprintf(dir, sizeof dir, "%s/old", S.dir);
	snprintf(db, sizeof db, "%s/faircrowd.db", dir);
	cr_assert_eq(run_cmd(NULL, 0, "mkdir -p %s && cat %s/src/store/migrations/000[1-7]_*.sql | sqlite3 %s", dir,
			     src, db),
		     0);
	cr_assert_eq(run_cmd(NULL, 0,
			     "sqlite3 %s \"CREATE TABLE schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			     "applied_at INTEGER NOT NULL) STRICT; "
			     "INSERT INTO schema_migrations SELECT value, 'old', 0 FROM generate_series(1,7); " V7_ROWS
			     "\" 2>&1",
			     db),
		     0);
	cr_expect_eq(run_cmd(out, sizeof out, "%s migrate --data %s 2>&1", bin(), dir), 0, "%s", out);
	cr_expect_eq(run_cmd(out, sizeof out,
			     "sqlite3 %s \"SELECT attempt, planned, questions, correct, passed, scored_at FROM "
			     "qualification_attempts; SELECT COUNT(*) FROM sqlite_master WHERE name='qualification_results'; "
			     "PRAGMA foreign_key_check;\"",
			     db),
		     0);
	cr_expect_str_eq(out, "1|3|3|2|1|1234\n0\n",
			 "one scored attempt planned over the 3 tasks, the old table "
			 "gone, keys sound: %s",
			 out);
}

/* copy-db: an SQLite installation with tasks and money in it moves into an
 * empty PostgreSQL database whole; ids continue after the copied ones. */
Test(cli, copy_db_into_postgres)
{
	if (!*S.database)
		srv_skip(&S, "needs a PostgreSQL cluster (the PostgreSQL pass)");
	/* a server of its own on SQLite: no test database, no inherited --database */
	char base[512], ours[512];
	snprintf(base, sizeof base, "%s", getenv("FC_TEST_DATABASE_URL"));
	snprintf(ours, sizeof ours, "%s", S.database);
	unsetenv("FC_TEST_DATABASE_URL");
	unsetenv("FAIRCROWD_DATABASE");
	srv L;
	srv_start(&L);
	setenv("FC_TEST_DATABASE_URL", base, 1);
	setenv("FAIRCROWD_DATABASE", ours, 1);
	cr_assert_eq(L.database[0], 0, "the source is SQLite");
	char req[64];
	make_user(&L, "copy@test.local", "requester", req);
	res r = api(&L, "POST", "/api/v1/projects", req, "{s:s,s:s,s:i}", "title", "Copied", "label_config",
		    "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"x\"/></Choices></View>",
		    "reward", 10);
	cr_assert_eq(r.status, 201, "%s", r.body);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", jint(r.json, "id"));
	res_free(&r);
	const char *tasks = "{\"text\":\"a\"}\n{\"text\":\"it's\"}\n";
	r = http(&L, "POST", path, req, "application/x-ndjson", tasks, strlen(tasks), NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path + strlen(path) - strlen("/tasks"), 16, "/fund");
	r = api(&L, "POST", path, req, "{s:I}", "amount", (json_int_t)1234);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);

	char url[512], out[65536];
	cr_assert_eq(pgdb_create(url, sizeof url), 0);
	cr_expect_eq(run_cmd(out, sizeof out, "%s copy-db --from %s --to '%s' 2>&1", bin(), L.dir, url), 0, "%s", out);
	cr_expect(strstr(out, "ledger checks out"), "%s", out);
	cr_expect_eq(run_cmd(out, sizeof out,
			     "psql -At '%s' -c 'SELECT COUNT(*) FROM users' -c 'SELECT COUNT(*) FROM tasks' "
			     "-c \"SELECT data FROM tasks ORDER BY id DESC LIMIT 1\" -c 'SELECT COUNT(*) FROM ledger_entries'",
			     url),
		     0);
	cr_expect_str_eq(out, "2\n2\n{\"text\":\"it's\"}\n2\n",
			 "admin and requester, both tasks byte for byte, the funding");
	cr_expect_eq(run_cmd(NULL, 0, "%s ledger check --database '%s' >/dev/null", bin(), url), 0);
	/* ids continue after the copied ones */
	cr_expect_eq(run_cmd(out, sizeof out,
			     "FAIRCROWD_PASSWORD=password-123 %s user add --email new@test.local --name N "
			     "--database '%s'",
			     bin(), url),
		     0, "%s", out);
	cr_expect(strstr(out, "created user 3 "), "%s", out);
	/* never into a database that holds an installation */
	cr_expect_eq(run_cmd(out, sizeof out, "%s copy-db --from %s --to '%s' 2>&1", bin(), L.dir, url), 1);
	cr_expect(strstr(out, "copy into an empty one"), "%s", out);
	cr_expect_eq(run_cmd(NULL, 0, "%s copy-db --from %s 2>/dev/null", bin(), L.dir), 2, "no --to");
	pgdb_drop(url);
	srv_stop(&L);
}
