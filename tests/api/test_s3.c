/* The S3 blob backend against a local S3 emulator: s3rver from npm,
 * installed in tests/s3 (scripts/install-deps --test), started on
 * 127.0.0.1 with a random port and a temporary folder. Never a real S3.
 * The server runs with FAIRCROWD_S3_* pointing at the emulator; a recording
 * uploaded through the API must land in the emulator's bucket as
 * blobs/ab/cd/<sha256>, not in DATA/blobs, and come back byte for byte. */
#include "harness.h"
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
static pid_t EMU;         /* the emulator's pid */
static char EMU_DIR[128]; /* its data folder (and our media) */
static char ENDPOINT[128];

static void emu_stop(void)
{
	if (EMU > 0) {
		kill(EMU, SIGTERM);
		waitpid(EMU, NULL, 0);
		EMU = 0;
	}
	if (EMU_DIR[0]) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", EMU_DIR);
		if (system(cmd)) {
		}
		EMU_DIR[0] = 0;
	}
}

/* 0 when the emulator is up (ENDPOINT set); else a reason to skip. */
static const char *emu_start(void)
{
	const char *src = getenv("FC_SOURCE_DIR");
	static char bin[600];
	snprintf(bin, sizeof bin, "%s/tests/s3/node_modules/s3rver/bin/s3rver.js", src ? src : ".");
	if (access(bin, R_OK))
		return "the S3 emulator (s3rver from npm) is not installed in tests/s3: run scripts/install-deps --test";
	if (system("node --version >/dev/null 2>&1"))
		return "node is not installed: the S3 emulator (s3rver) cannot run";
	snprintf(EMU_DIR, sizeof EMU_DIR, "/tmp/fc-s3emu-XXXXXX");
	cr_assert(mkdtemp(EMU_DIR));
	char data[200], log[200];
	snprintf(data, sizeof data, "%s/data", EMU_DIR);
	snprintf(log, sizeof log, "%s/emulator.log", EMU_DIR);
	EMU = fork();
	cr_assert(EMU >= 0);
	if (EMU == 0) {
		FILE *o = freopen(log, "w", stdout);
		FILE *e = freopen(log, "a", stderr);
		(void)o, (void)e;
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
		mkdir(data, 0755);
		execlp("node", "node", bin, "-d", data, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "fc-test",
		       (char *)NULL);
		_exit(127);
	}
	/* "S3rver listening on 127.0.0.1:PORT" */
	for (int i = 0; i < 150; i++) {
		FILE *f = fopen(log, "r");
		char line[512];
		int port = 0;
		while (f && fgets(line, sizeof line, f)) {
			char *p = strstr(line, "listening on 127.0.0.1:");
			if (p)
				port = atoi(p + strlen("listening on 127.0.0.1:"));
		}
		if (f)
			fclose(f);
		if (port > 0) {
			snprintf(ENDPOINT, sizeof ENDPOINT, "FAIRCROWD_S3_ENDPOINT=http://127.0.0.1:%d", port);
			return NULL;
		}
		if (waitpid(EMU, NULL, WNOHANG) == EMU) {
			EMU = 0;
			return "the S3 emulator (s3rver) exited at start (see its log)";
		}
		usleep(100 * 1000);
	}
	return "the S3 emulator (s3rver) did not start within 15 s";
}

static void down(void)
{
	if (S.pid > 0)
		srv_stop(&S);
	emu_stop();
}
TestSuite(s3, .fini = down, .timeout = 180);

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
	long long aid = lease_ok(&S, pid, S.c[0]);

	size_t len;
	char *orig = slurp(wav, &len);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	res r = http(&S, "POST", path, S.c[0], "audio/wav", orig, len, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	char sha[65];
	snprintf(sha, sizeof sha, "%s", jstr(r.json, "sha256"));
	res_free(&r);

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
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
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
