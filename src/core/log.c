#include "core/log.h"
#include "core/buf.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int min_level = FC_LOG_INFO;
static int buffered = 0;
static void append_line(const char *line, int urgent);

void fc_log_buffered(int on) { buffered = on; }

void fc_log_set_level(int level) { min_level = level; }

void fc_log(int level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	if (level < min_level)
		return;
	char msg[1024], ts[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fc_buf b = {0};
	fc_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", fc_clock_format(fc_clock_now(), ts, sizeof ts),
		      names[level]);
	fc_buf_json_str(&b, msg);
	fc_buf_puts(&b, "}");
	if (b.p)
		append_line(b.p, level >= FC_LOG_WARN || buffered == 0);
	fc_buf_free(&b);
}

/* Lines are gathered in a buffer and written in large blocks: one write()
 * per request line cost more than the rest of a small request. The buffer
 * is flushed when it fills, by fc_log_flush (the server's tick, every
 * 200 ms, and at exit), and at once for warnings and errors. */
static char logbuf[64 * 1024];
static size_t loglen;
static pthread_mutex_t logmu = PTHREAD_MUTEX_INITIALIZER;

static void flush_locked(void)
{
	size_t off = 0;
	while (off < loglen) {
		ssize_t n = write(2, logbuf + off, loglen - off);
		if (n <= 0)
			break; /* nowhere to report a failing stderr */
		off += (size_t)n;
	}
	loglen = 0;
}

void fc_log_flush(void)
{
	pthread_mutex_lock(&logmu);
	flush_locked();
	pthread_mutex_unlock(&logmu);
}

static void append_line(const char *line, int urgent)
{
	size_t n = strlen(line);
	pthread_mutex_lock(&logmu);
	if (loglen + n + 1 > sizeof logbuf)
		flush_locked();
	if (n + 1 > sizeof logbuf) {
		ssize_t w = write(2, line, n);
		w += write(2, "\n", 1);
		(void)w;
	} else {
		memcpy(logbuf + loglen, line, n);
		logbuf[loglen + n] = '\n';
		loglen += n + 1;
	}
	if (urgent)
		flush_locked();
	pthread_mutex_unlock(&logmu);
}

void fc_log_line(const char *json_line) { append_line(json_line, 0); }
