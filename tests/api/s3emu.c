/* s3emu.c — a local S3 emulator for the API tests: s3rver from npm,
 * installed in tests/s3 (scripts/install-deps --test), started on
 * 127.0.0.1 with a random port over a temporary folder, with one bucket
 * fc-test and the built-in credentials S3RVER/S3RVER. Never a real S3. */
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

pid_t EMU;         /* the emulator's pid */
char EMU_DIR[128]; /* its data folder (and our media) */
char ENDPOINT[128];

/* Stops the emulator process, keeping its folder (a restart serves the
 * same bucket). */
void emu_kill(void)
{
	if (EMU > 0) {
		kill(EMU, SIGTERM);
		waitpid(EMU, NULL, 0);
		EMU = 0;
	}
}

void emu_stop(void)
{
	emu_kill();
	if (EMU_DIR[0]) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", EMU_DIR);
		if (system(cmd)) {
		}
		EMU_DIR[0] = 0;
	}
}

/* 0 when the emulator is up (ENDPOINT set); else a reason to skip. */
const char *emu_start(void) { return emu_run(0); }

/* Starts the emulator on port (0: any free one) over EMU_DIR, which is
 * created on the first start. */
const char *emu_run(int want_port)
{
	const char *src = getenv("FC_SOURCE_DIR");
	static char bin[600];
	snprintf(bin, sizeof bin, "%s/tests/s3/node_modules/s3rver/bin/s3rver.js", src ? src : ".");
	if (access(bin, R_OK))
		return "the S3 emulator (s3rver from npm) is not installed in tests/s3: run scripts/install-deps --test";
	if (system("node --version >/dev/null 2>&1"))
		return "node is not installed: the S3 emulator (s3rver) cannot run";
	if (!EMU_DIR[0]) {
		snprintf(EMU_DIR, sizeof EMU_DIR, "/tmp/fc-s3emu-XXXXXX");
		cr_assert(mkdtemp(EMU_DIR));
	}
	char port_arg[16];
	snprintf(port_arg, sizeof port_arg, "%d", want_port);
	char data[200], log[200];
	snprintf(data, sizeof data, "%s/data", EMU_DIR);
	snprintf(log, sizeof log, "%s/emulator.log", EMU_DIR);
	unlink(log); /* a restart must not read the previous run's "listening" line */
	EMU = fork();
	cr_assert(EMU >= 0);
	if (EMU == 0) {
		FILE *o = freopen(log, "w", stdout);
		FILE *e = freopen(log, "a", stderr);
		(void)o, (void)e;
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
		mkdir(data, 0755);
		/* s3rver makes ListObjectsV2 continuation tokens with DES, which
		 * OpenSSL 3 keeps in its legacy provider */
		execlp("node", "node", "--openssl-legacy-provider", bin, "-d", data, "-a", "127.0.0.1", "-p", port_arg,
		       "--configure-bucket", "fc-test", (char *)NULL);
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
