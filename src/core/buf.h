/* buf.h — a growable byte buffer, always NUL-terminated. */
#ifndef FC_CORE_BUF_H
#define FC_CORE_BUF_H

#include <stddef.h>

typedef struct fc_buf {
	char *p; /* owned; NULL until first append */
	size_t len;
	size_t cap;
} fc_buf;

/* Each returns 0, or FC_ENOMEM leaving the buffer as it was. */
int fc_buf_append(fc_buf *b, const void *data, size_t n);
int fc_buf_puts(fc_buf *b, const char *s);
int fc_buf_printf(fc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes and escapes). */
int fc_buf_json_str(fc_buf *b, const char *s);
void fc_buf_reset(fc_buf *b); /* len = 0, keeps memory */

/* The read side of a streamed export: copies b's bytes from *off into dst
 * (up to max) and, each time b is drained, empties it and calls produce(ctx)
 * to refill it; produce returns 0 (more may follow), 1 (that was the last)
 * or <0 (failed). *state is 0 while producing, 1 after the last, -1 after a
 * failure. Returns bytes copied, 0 at the end, -1 once failed. */
long fc_buf_pull(fc_buf *b, size_t *off, int *state, int (*produce)(void *ctx), void *ctx, char *dst, size_t max);
void fc_buf_free(fc_buf *b);

#endif
