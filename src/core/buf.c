#include "core/buf.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(fc_buf *b, size_t need)
{
	if (b->len + need + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return FC_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int fc_buf_append(fc_buf *b, const void *data, size_t n)
{
	if (grow(b, n))
		return FC_ENOMEM;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

int fc_buf_puts(fc_buf *b, const char *s) { return fc_buf_append(b, s, strlen(s)); }

int fc_buf_printf(fc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n))
		return FC_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int fc_buf_json_str(fc_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (fc_buf_append(b, "\"", 1))
		return FC_ENOMEM;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[7];
		const char *out = NULL;
		size_t n = 0;
		switch (*p) {
		case '"':
			out = "\\\"";
			n = 2;
			break;
		case '\\':
			out = "\\\\";
			n = 2;
			break;
		case '\n':
			out = "\\n";
			n = 2;
			break;
		case '\r':
			out = "\\r";
			n = 2;
			break;
		case '\t':
			out = "\\t";
			n = 2;
			break;
		default:
			if (*p < 0x20) {
				esc[0] = '\\';
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 15];
				out = esc;
				n = 6;
			}
		}
		if (out ? fc_buf_append(b, out, n) : fc_buf_append(b, p, 1))
			return FC_ENOMEM;
	}
	return fc_buf_append(b, "\"", 1);
}

void fc_buf_reset(fc_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

void fc_buf_free(fc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

long fc_buf_pull(fc_buf *b, size_t *off, int *state, int (*produce)(void *ctx), void *ctx, char *dst, size_t max)
{
	while (*off == b->len && *state == 0) {
		fc_buf_reset(b);
		*off = 0;
		int r = produce(ctx);
		*state = r < 0 ? -1 : r;
	}
	if (*state < 0)
		return -1; /* the reader cuts the stream: a truncated file, never a silently short one */
	size_t n = b->len - *off;
	if (n > max)
		n = max;
	if (n)
		memcpy(dst, b->p + *off, n);
	*off += n;
	return (long)n;
}
