/* mailsink.h — a real SMTP server for the tests: tests/api/smtp_sink.py
 * (Debian's python3-aiosmtpd) writes each message it receives as one JSON
 * line to sink_file. */
#ifndef FC_TEST_MAILSINK_H
#define FC_TEST_MAILSINK_H

#include <jansson.h>
#include <stddef.h>

extern char sink_file[300];
extern int sink_port;

/* Starts the sink on port (0: a free one); sets sink_port. */
void sink_start(int port);
void sink_stop(void);
/* The messages the sink received, one JSON object each (a new array). */
json_t *mails(void);
/* Waits (real time: the SMTP conversation is real) until the sink holds n
 * messages, at most tenths / 10 seconds; returns them. */
json_t *wait_for(size_t n, int tenths);

/* The set-up of a suite that mails: a new sink file, the sink started, and
 * the server environment naming it (FAIRCROWD_SMTP_URL and _FROM, plus
 * extra when not NULL) — a NULL-terminated list for srv_start_env. */
const char *const *sink_up(const char *extra);
/* Stops the sink and removes its file. */
void sink_down(void);

#endif
