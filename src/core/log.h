/* log.h — one JSON object per line on stderr. */
#ifndef FC_CORE_LOG_H
#define FC_CORE_LOG_H

enum { FC_LOG_DEBUG, FC_LOG_INFO, FC_LOG_WARN, FC_LOG_ERROR };

void fc_log_set_level(int level);
/* Logs {"ts","level","msg"}; msg is formatted with printf rules. */
void fc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Queues an already-formatted JSON object line (the request log). */
void fc_log_line(const char *json_line);
/* Info lines from fc_log are written at once unless buffering is on (the
 * server turns it on); fc_log_line is always buffered. */
void fc_log_buffered(int on);
/* Writes out every queued line. */
void fc_log_flush(void);

#endif
