/* The SMTP sink for the API tests. See mailsink.h. */
#include "mailsink.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char sink_file[300];
int sink_port;
static pid_t sink_pid;

void sink_start(int port)
{
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	char script[512], port_arg[16];
	snprintf(script, sizeof script, "%s/tests/api/smtp_sink.py", getenv("FC_SOURCE_DIR"));
	snprintf(port_arg, sizeof port_arg, "%d", port);
	sink_pid = fork();
	cr_assert(sink_pid >= 0);
	if (!sink_pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		/* Debian's python3, where python3-aiosmtpd is installed */
		execl("/usr/bin/python3", "python3", script, port_arg, sink_file, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	char line[32] = "";
	cr_assert(f && fgets(line, sizeof line, f), "the SMTP sink did not start (python3-aiosmtpd missing?)");
	fclose(f);
	sink_port = atoi(line);
	cr_assert(sink_port > 0, "sink said %s", line);
}

void sink_stop(void)
{
	if (sink_pid > 0) {
		kill(sink_pid, SIGTERM);
		waitpid(sink_pid, NULL, 0);
	}
	sink_pid = 0;
}

json_t *mails(void)
{
	json_t *all = json_array();
	FILE *f = fopen(sink_file, "r");
	char line[65536];
	while (f && fgets(line, sizeof line, f)) {
		json_t *m = json_loads(line, 0, NULL);
		if (m)
			json_array_append_new(all, m);
	}
	if (f)
		fclose(f);
	return all;
}

json_t *wait_for(size_t n, int tenths)
{
	for (int i = 0; i < tenths; i++) {
		json_t *m = mails();
		if (json_array_size(m) >= n)
			return m;
		json_decref(m);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return mails();
}

static char env_text[3][320];
static const char *env_list[4];

const char *const *sink_up(const char *extra)
{
	snprintf(sink_file, sizeof sink_file, "/tmp/fc-smtp-%d.jsonl", (int)getpid());
	unlink(sink_file);
	sink_start(0);
	snprintf(env_text[0], sizeof env_text[0], "FAIRCROWD_SMTP_URL=smtp://127.0.0.1:%d", sink_port);
	snprintf(env_text[1], sizeof env_text[1], "FAIRCROWD_SMTP_FROM=noreply@faircrowd.test");
	snprintf(env_text[2], sizeof env_text[2], "%s", extra ? extra : "");
	env_list[0] = env_text[0];
	env_list[1] = env_text[1];
	env_list[2] = extra ? env_text[2] : NULL;
	env_list[3] = NULL;
	return env_list;
}

void sink_down(void)
{
	sink_stop();
	unlink(sink_file);
}
