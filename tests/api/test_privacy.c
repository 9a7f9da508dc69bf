/* Privacy (issue #18): withdrawal of consent with erasure, the data-access
 * zip, the hash-chained audit log and `faircrowd audit verify`. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static srv S;
static char WAV[2][300]; /* two different recordings */

static void up(void)
{
	suite_with_users(&S, 3);
	for (int i = 0; i < 2; i++) {
		snprintf(WAV[i], sizeof WAV[i], "%s/tone%d.wav", S.dir, i);
		char cmd[600];
		snprintf(cmd, sizeof cmd,
			 "sox -n -r 16000 -c 1 -b 16 '%s' synth 3 sine %d sine 330 remix - vol 0.3 tremolo 4 60 2>/dev/null",
			 WAV[i], 220 + 50 * i);
		cr_assert_eq(system(cmd), 0, "sox failed: %s", cmd);
	}
}
static void down(void) { srv_stop(&S); }
TestSuite(privacy, .init = up, .fini = down, .timeout = 180);

static long long collection_project(int ntasks)
{
	json_t *spec = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:[s],s:i}", "media", "audio", "prompt_field", "sentence",
				 "min_seconds", 1, "max_seconds", 15, "min_sample_rate", 16000, "channels", 1,
				 "formats", "wav", "max_bytes", 1048576);
	char tasks[4096];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:o,s:i,s:i}", "title", "Read aloud", "kind", "collection", "collect",
				      spec, "reward", 5, "overlap", 2),
			    ndjson_lines(tasks, sizeof tasks, "{\"sentence\":\"Sentence %d read aloud.\"}\n", ntasks),
			    1000000);
}

/* Leases, uploads WAV[which] and submits: the submission's id; media id
 * and sha256 through the out-parameters. */
static long long record(long long pid, const char *token, int which, long long *mid, char sha[65])
{
	long long aid = lease_ok(&S, pid, token);
	size_t len;
	char *b = slurp(WAV[which], &len);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	res r = http(&S, "POST", path, token, "audio/wav", b, len, NULL);
	free(b);
	cr_assert_eq(r.status, 201, "%s", r.body);
	*mid = jint(r.json, "id");
	snprintf(sha, 65, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	r = api(&S, "POST", path, token, "{s:I,s:i}", "media_id", (json_int_t)*mid, "active_seconds", 20);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	return sid;
}

static int blob_exists(const char *sha)
{
	char path[600];
	snprintf(path, sizeof path, "%s/blobs/%.2s/%.2s/%s", S.dir, sha, sha + 2, sha);
	return access(path, F_OK) == 0;
}

static res withdraw(long long pid, const char *token)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent/withdraw", pid);
	return api(&S, "POST", path, token, NULL);
}

static char *export_text(long long pid, const char *format, size_t *len)
{
	char path[160];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=%s&status=all", pid, format);
	res r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *body = r.body;
	*len = r.len;
	r.body = NULL;
	res_free(&r);
	return body;
}

Test(privacy, withdrawal_erases_bytes_and_exports_keeps_pay_and_is_final)
{
	long long pid = collection_project(3), m1, m2;
	char sha1[65], sha2[65];
	long long s1 = record(pid, S.c[0], 0, &m1, sha1);
	long long s2 = record(pid, S.c[1], 1, &m2, sha2);
	char path[160];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", s1);
	res r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	long long lease_held = lease_ok(&S, pid, S.c[0]); /* an open lease, released by the withdrawal */
	(void)lease_held;
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	char *before = json_dumps(r.json, JSON_SORT_KEYS);
	res_free(&r);
	cr_assert(blob_exists(sha1) && blob_exists(sha2));

	/* unhappy paths first: nobody's project, someone who never took part */
	r = withdraw(999999, S.c[0]);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = withdraw(pid, S.c[2]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "nothing_to_withdraw");
	res_free(&r);

	r = withdraw(pid, S.c[0]);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "submissions_erased"), 1);
	cr_expect_eq(jint(r.json, "media_erased"), 1);
	cr_expect_eq(jint(r.json, "leases_released"), 1);
	res_free(&r);

	/* the bytes go through the outbox (its thread drains every second) */
	for (int i = 0; i < 100 && blob_exists(sha1); i++)
		usleep(100 * 1000);
	cr_expect(!blob_exists(sha1), "the withdrawn recording is still in DATA/blobs");
	cr_expect(blob_exists(sha2), "another contributor's recording was deleted");

	/* no later export holds the item; the other contributor's stays */
	char id1[48], id2[48]; /* annotations, not tasks, carry completed_by */
	snprintf(id1, sizeof id1, "{\"id\":%lld,\"completed_by\"", s1);
	snprintf(id2, sizeof id2, "{\"id\":%lld,\"completed_by\"", s2);
	size_t len;
	char *jsonl = export_text(pid, "jsonl", &len);
	cr_expect(!strstr(jsonl, id1), "the jsonl export holds the erased submission: %s", jsonl);
	cr_expect(strstr(jsonl, id2), "the jsonl export lost the other submission: %s", jsonl);
	free(jsonl);
	char *tar = export_text(pid, "cv", &len); /* a tar: binary, searched as bytes */
	cr_expect(!memmem(tar, len, sha1, 64), "the Common Voice export holds the erased recording");
	free(tar);

	/* accepted work stays paid: the ledger is untouched */
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[0], NULL);
	char *after = json_dumps(r.json, JSON_SORT_KEYS);
	res_free(&r);
	cr_expect_str_eq(after, before, "earnings changed");
	free(before);
	free(after);

	/* final: a second withdrawal, a new lease, consent again, the file */
	r = withdraw(pid, S.c[0]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "already_withdrawn");
	res_free(&r);
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "consent_withdrawn");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/media/%lld", m1);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);

	/* and the audit log recorded it */
	r = api(&S, "GET", "/api/v1/admin/audit?limit=1000", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "\"consent.withdraw\""), "%s", r.body);
	cr_expect(strstr(r.body, "\"project.export\""), "%s", r.body);
	res_free(&r);
}

/* Runs cmd, returns its exit status and (first line of) output. */
static int run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	cr_assert(p, "%s", cmd);
	out[0] = 0;
	size_t got = fread(out, 1, n - 1, p);
	out[got] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(privacy, audit_log_is_admin_only_chained_and_a_tampered_row_is_found)
{
	/* some audited actions: a publish, a rejection, an export */
	long long pid =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Audited", "label_config", SENTIMENT_CONFIG,
				       "reward", 5, "overlap", 1, "reject_reasons", "wrong_label"),
			     "{\"text\":\"a\"}\n{\"text\":\"b\"}\n", 1000000);
	long long aid = lease_ok(&S, pid, S.c[1]);
	res r = submit_choice(&S, aid, S.c[1], "sentiment", "pos", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
	r = api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "wrong_label", "message", "It is negative.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	r = api(&S, "GET", "/api/v1/admin/audit", S.c[1], NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/admin/audit?limit=abc", S.admin_token, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);

	/* the chain: each row's prev_hash is the hash before it; pages by id */
	r = api(&S, "GET", "/api/v1/admin/audit?limit=2", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.1.prev_hash"), jstr(r.json, "items.0.hash"));
	long long next = jint(r.json, "next");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/admin/audit?limit=1000&after=%lld", next);
	r = api(&S, "GET", path, S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.id"), next + 1);
	cr_expect(strstr(r.body, "\"submission.reject\""), "%s", r.body);
	cr_expect(strstr(r.body, "\"project.publish\""), "%s", r.body);
	res_free(&r);

	char cmd[1400], out[2000], verify[1100];
	if (*S.database) /* the PostgreSQL pass: the server's own database */
		snprintf(verify, sizeof verify, "'%s' audit verify --database '%s' 2>&1", getenv("FC_BINARY"),
			 S.database);
	else
		snprintf(verify, sizeof verify, "'%s' audit verify --data '%s' 2>&1", getenv("FC_BINARY"), S.dir);
	cr_expect_eq(run(verify, out, sizeof out), 0, "%s", out);
	cr_expect(strstr(out, "intact"), "%s", out);

	/* the triggers refuse an edit; dropped, the edit is found by the chain */
	if (*S.database)
		snprintf(cmd, sizeof cmd,
			 "psql '%s' -v ON_ERROR_STOP=1 -c \"UPDATE audit_log SET details='{}' WHERE id=3\" 2>&1",
			 S.database);
	else
		snprintf(cmd, sizeof cmd,
			 "sqlite3 '%s/faircrowd.db' \"UPDATE audit_log SET details='{}' WHERE id=3\" 2>&1", S.dir);
	cr_expect_neq(run(cmd, out, sizeof out), 0, "an UPDATE went through the trigger: %s", out);
	if (*S.database)
		snprintf(cmd, sizeof cmd,
			 "psql '%s' -v ON_ERROR_STOP=1 -c \"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update\" "
			 "-c \"UPDATE audit_log SET target='user:999' WHERE id=3\" 2>&1",
			 S.database);
	else
		snprintf(cmd, sizeof cmd,
			 "sqlite3 '%s/faircrowd.db' \"PRAGMA busy_timeout=5000; DROP TRIGGER audit_log_no_update; "
			 "UPDATE audit_log SET target='user:999' WHERE id=3;\" 2>&1",
			 S.dir);
	cr_assert_eq(run(cmd, out, sizeof out), 0, "%s", out);
	snprintf(cmd, sizeof cmd, "%s", verify);
	cr_expect_eq(run(cmd, out, sizeof out), 1, "%s", out);
	cr_expect(strstr(out, "row 3"), "the first broken row is not named: %s", out);
}

Test(privacy, my_data_zip_holds_mine_and_nobody_elses)
{
	long long pid = collection_project(2), m0, m1;
	char sha0[65], sha1[65];
	long long mine = record(pid, S.c[2], 0, &m0, sha0);
	long long theirs = record(pid, S.c[1], 1, &m1, sha1);

	res r = http(&S, "GET", "/api/v1/me/data", NULL, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	r = http(&S, "GET", "/api/v1/me/data", S.c[2], NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char zip[400];
	snprintf(zip, sizeof zip, "%s/mine.zip", S.dir);
	FILE *f = fopen(zip, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(r.body, 1, r.len, f), r.len);
	fclose(f);
	res_free(&r);

	char cmd[900], out[20000];
	snprintf(cmd, sizeof cmd, "unzip -tq '%s' 2>&1", zip);
	cr_expect_eq(run(cmd, out, sizeof out), 0, "not a valid zip: %s", out);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' profile.json", zip);
	cr_assert_eq(run(cmd, out, sizeof out), 0);
	cr_expect(strstr(out, "c3@test.local"), "%s", out);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' submissions.jsonl", zip);
	cr_assert_eq(run(cmd, out, sizeof out), 0);
	char want[48], other[48];
	snprintf(want, sizeof want, "{\"id\":%lld,", mine);
	snprintf(other, sizeof other, "{\"id\":%lld,", theirs);
	cr_expect(strstr(out, want), "my submission is missing: %s", out);
	cr_expect(!strstr(out, other), "another contributor's submission is in my zip: %s", out);
	snprintf(cmd, sizeof cmd, "unzip -l '%s'", zip);
	cr_assert_eq(run(cmd, out, sizeof out), 0);
	char name[64];
	snprintf(name, sizeof name, "media/%lld.wav", m0);
	cr_expect(strstr(out, name), "my recording is missing: %s", out);
	snprintf(name, sizeof name, "media/%lld.wav", m1);
	cr_expect(!strstr(out, name), "another contributor's recording is in my zip: %s", out);
	cr_expect(strstr(out, "ledger.jsonl") && strstr(out, "consents.json") && strstr(out, "trust.json"), "%s", out);
	/* the media bytes are the upload's */
	snprintf(cmd, sizeof cmd, "unzip -p '%s' media/%lld.wav | cmp - '%s' && echo same", zip, m0, WAV[0]);
	cr_expect_eq(run(cmd, out, sizeof out), 0, "%s", out);
}
