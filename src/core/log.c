#include "core/log.h"
#include "core/buf.h"
#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>

static int min_level = FC_LOG_INFO;

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
	fc_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":",
		      fc_clock_format(fc_clock_now(), ts, sizeof ts), names[level]);
	fc_buf_json_str(&b, msg);
	fc_buf_puts(&b, "}");
	if (b.p)
		fc_log_line(b.p);
	fc_buf_free(&b);
}

void fc_log_line(const char *json_line)
{
	/* one fputs per line keeps concurrent lines whole (stdio locks the stream) */
	flockfile(stderr);
	fputs(json_line, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
}
