/* The S3 blob backend against a local S3 emulator: s3rver from npm,
 * installed in tests/s3 (scripts/install-deps --test), started on
 * 127.0.0.1 with a random port and a temporary folder. Never a real S3.
 * The server runs with FAIRCROWD_S3_* pointing at the emulator; a recording
 * uploaded through the API must land in the emulator's bucket as
 * blobs/ab/cd/<sha256>, not in DATA/blobs, and come back byte for byte. */
#include "harness.h"
#include "s3emu.h"
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static srv S;
static void down(void)
{
	if (S.pid > 0)
		srv_stop(&S);
	emu_stop();
}
TestSuite(s3, .fini = down, .timeout = 180);

/* The server against the emulator with one contributor, a live collection
 * project, and wav uploaded by the contributor on a lease: the project's id;
 * the assignment, media id, sha256 and the file's bytes (free them) through
 * the out-parameters. */
static long long start_and_upload(const char *wav, long long *aid, long long *mid, char sha[65], char **bytes, size_t *len)
{
	static const char *env[] = {ENDPOINT,
				    "FAIRCROWD_S3_BUCKET=fc-test",
				    "FAIRCROWD_S3_REGION=us-east-1",
				    "FAIRCROWD_S3_ACCESS_KEY=S3RVER", /* the emulator's built-in credentials */
				    "FAIRCROWD_S3_SECRET_KEY=S3RVER",
				    NULL};
	suite_with_users_env(&S, env, 1);
	json_t *spec = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:[s],s:i}", "media", "audio", "prompt_field", "sentence",
				 "min_seconds", 1, "max_seconds", 15, "min_sample_rate", 16000, "channels", 1,
				 "formats", "wav", "max_bytes", 1048576);
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:o,s:i,s:i}", "title", "Read aloud", "kind", "collection",
					       "collect", spec, "reward", 5, "overlap", 1),
				     "{\"sentence\":\"One sentence read aloud.\"}\n", 1000000);
	*aid = lease_ok(&S, pid, S.c[0]);
	*bytes = slurp(wav, len);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", *aid);
	res r = http(&S, "POST", path, S.c[0], "audio/wav", *bytes, *len, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	*mid = jint(r.json, "id");
	snprintf(sha, 65, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	return pid;
}

Test(s3, recording_is_stored_in_the_emulator_bucket_and_streamed_back)
{
	const char *why = emu_start();
	if (why) {
		emu_stop();
		cr_skip_test("%s", why);
	}
	char wav[200];
	snprintf(wav, sizeof wav, "%s/tone.wav", EMU_DIR);
	char cmd[600];
	snprintf(cmd, sizeof cmd,
		 "sox -n -r 16000 -c 1 -b 16 '%s' synth 3 sine 220 sine 330 remix - vol 0.3 tremolo 4 60 2>/dev/null",
		 wav);
	cr_assert_eq(system(cmd), 0, "sox failed: %s", cmd);

	long long aid, mid;
	char sha[65], *orig;
	size_t len;
	long long pid = start_and_upload(wav, &aid, &mid, sha, &orig, &len);

	/* in the emulator's bucket under blobs/ab/cd/<sha256>, not on local disk */
	char obj[600];
	/* s3rver keeps an object's bytes in KEY._S3rver_object (beside its metadata) */
	snprintf(cmd, sizeof cmd, "find '%s/data/fc-test/blobs/%.2s/%.2s' -type f -name '%s._S3rver_object' | head -1",
		 EMU_DIR, sha, sha + 2, sha);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	obj[0] = 0;
	cr_assert(fgets(obj, sizeof obj, p), "no object blobs/%.2s/%.2s/%s in the emulator's bucket", sha, sha + 2, sha);
	pclose(p);
	obj[strcspn(obj, "\n")] = 0;
	size_t olen;
	char *stored = slurp(obj, &olen);
	cr_expect(olen == len && memcmp(stored, orig, len) == 0, "the object (%zu bytes) differs from the upload (%zu)",
		  olen, len);
	free(stored);
	cr_expect_eq(count_local_blobs(&S), 0);

	/* and streamed back through the API */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	res r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(r.len, len);
	cr_expect(r.len == len && memcmp(r.body, orig, len) == 0, "the downloaded bytes differ");
	res_free(&r);
	free(orig);

	/* the Common Voice export transcodes the clip read back from S3 */
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	r = api(&S, "POST", path, S.c[0], "{s:I,s:i}", "media_id", (json_int_t)mid, "active_seconds", 3);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=cv", pid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	char member[128];
	snprintf(member, sizeof member, "clips/%s.wav", sha);
	int found = 0;
	for (size_t i = 0; i + strlen(member) <= r.len && !found; i += 512) /* tar headers sit on 512-byte blocks */
		found = !strncmp(r.body + i, member, strlen(member));
	cr_expect(found, "the tar holds %s (%zu bytes)", member, r.len);
	res_free(&r);
}

/* The emulator's object for blob sha, or "" when the bucket has none. */
static void object_path(const char *sha, char *out, size_t n)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd,
		 "find '%s/data/fc-test/blobs' -type f -name '%s._S3rver_object' 2>/dev/null | head -1", EMU_DIR, sha);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	out[0] = 0;
	if (!fgets(out, (int)n, p))
		out[0] = 0;
	pclose(p);
	out[strcspn(out, "\n")] = 0;
}

/* Withdrawal with the emulator down: the API answers at once, the erasure
 * waits in the outbox and is retried; once S3 is back the object goes. */
Test(s3, withdrawal_erases_the_object_and_waits_for_a_dead_s3)
{
	const char *why = emu_start();
	if (why) {
		emu_stop();
		cr_skip_test("%s", why);
	}
	int port = atoi(strrchr(ENDPOINT, ':') + 1);
	char wav[200], cmd[600];
	snprintf(wav, sizeof wav, "%s/tone2.wav", EMU_DIR);
	snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 -b 16 '%s' synth 3 sine 260 vol 0.3 tremolo 5 50 2>/dev/null",
		 wav);
	cr_assert_eq(system(cmd), 0, "sox failed: %s", cmd);
	long long aid, mid;
	char sha[65], obj[600], *orig;
	size_t len;
	long long pid = start_and_upload(wav, &aid, &mid, sha, &orig, &len);
	free(orig);
	set_clock(&S, "2030-01-01T00:00:00Z");
	object_path(sha, obj, sizeof obj);
	cr_assert(obj[0], "the upload is not in the emulator's bucket");

	emu_kill(); /* S3 is down */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent/withdraw", pid);
	res r = api(&S, "POST", path, S.c[0], NULL);
	cr_assert_eq(r.status, 200, "the withdrawal must not wait for S3: %s", r.body);
	res_free(&r);
	/* the drain thread tries within a second or two and fails */
	char q[1200], out[400] = "";
	if (*S.database) /* the PostgreSQL pass: the server's own database */
		snprintf(q, sizeof q,
			 "psql '%s' -At -c \"SELECT attempts, CAST(delivered_at IS NULL AS INTEGER), "
			 "CAST(last_error IS NOT NULL AS INTEGER) FROM outbox WHERE sink='erasure'\"",
			 S.database);
	else
		snprintf(q, sizeof q,
			 "sqlite3 -cmd '.timeout 5000' '%s/faircrowd.db' \"SELECT attempts, delivered_at IS NULL, "
			 "last_error IS NOT NULL FROM outbox WHERE sink='erasure'\"",
			 S.dir);
	for (int i = 0; i < 50; i++) {
		FILE *p = popen(q, "r");
		cr_assert(p);
		if (!fgets(out, sizeof out, p))
			out[0] = 0;
		pclose(p);
		if (atoi(out) >= 1 && strlen(out) >= 5 && (out[2] == '0' || out[4] == '1'))
			break; /* settled: delivered, or failed with its error (not merely claimed) */
		usleep(100 * 1000);
	}
	cr_expect_str_eq(out, "1|1|1\n",
			 "got %s: one failed attempt, not delivered, with its error (attempts|pending|error)", out);
	cr_expect(access(obj, F_OK) == 0, "the object went although S3 was down?");

	/* S3 back on the same port; the retry (10 s later) deletes the object */
	why = emu_run(port);
	cr_assert(!why, "%s", why);
	for (int minute = 5; minute < 30 && access(obj, F_OK) == 0; minute += 5) {
		char t[32];
		snprintf(t, sizeof t, "2030-01-01T00:%02d:00Z", minute);
		set_clock(&S, t); /* runs the jobs, the outbox drain among them */
		for (int i = 0; i < 10 && access(obj, F_OK) == 0; i++)
			usleep(100 * 1000);
	}
	cr_expect(access(obj, F_OK) != 0, "the object is still in the emulator's bucket: %s", obj);
}
