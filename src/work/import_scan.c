/* The import's checking scanner (import_scan.h): recursive descent over the
 * bytes, no allocation. Every "return 0" means "let jansson decide". */
#include "work/import_scan.h"

#include "core/err.h"

#include <string.h>

#define MAX_KEYS 256 /* keys of the objects open at one time */
#define MAX_OBJECT_KEYS 64

typedef struct scan {
	const unsigned char *p, *end;
	int compact;
	int nkeys;
	struct {
		const unsigned char *p;
		size_t n;
	} keys[MAX_KEYS];
} scan;

static void blanks(scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t')) {
		s->p++;
		s->compact = 0;
	}
}

static int hexval(unsigned char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* s->p at the opening quote; key: no escapes allowed (keys are compared as
 * bytes for duplicates). */
static int string(scan *s, int key)
{
	const unsigned char *p = s->p + 1, *e = s->end;
	while (p < e) {
		unsigned char c = *p;
		if (c == '"') {
			s->p = p + 1;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c < 0x80 && c != '\\') {
			p++;
		} else if (c == '\\') {
			if (key || e - p < 2)
				return 0;
			c = p[1];
			if (c == 'u') {
				if (e - p < 6)
					return 0;
				unsigned v = 0;
				for (int i = 2; i < 6; i++) {
					int h = hexval(p[i]);
					if (h < 0)
						return 0;
					v = v * 16 + (unsigned)h;
				}
				if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
					return 0;
				p += 6;
			} else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
				   c == 't') {
				p += 2;
			} else {
				return 0;
			}
		} else {
			size_t n = utf8_len(p, e);
			if (!n)
				return 0;
			p += n;
		}
	}
	return 0;
}

static int digits(scan *s)
{
	const unsigned char *d = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return (int)(s->p - d);
}

static int number(scan *s)
{
	const unsigned char *start = s->p;
	int real = 0;
	if (*s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !digits(s))
		return 0;
	if (s->p < s->end && *s->p == '.') {
		real = 1;
		s->p++;
		if (!digits(s))
			return 0;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		real = 1;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		int n = digits(s);
		if (n < 1 || n > 2)
			return 0;
	}
	return (size_t)(s->p - start) <= (real ? 40u : 18u);
}

static int literal(scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return 0;
	s->p += n;
	return 1;
}

static int object(scan *s, int depth, fc_scan *out);
static int array(scan *s, int depth);

static int value(scan *s, int depth)
{
	if (s->p >= s->end)
		return 0;
	switch (*s->p) {
	case '"': return string(s, 0);
	case '{': return object(s, depth + 1, NULL);
	case '[': return array(s, depth + 1);
	case 't': return literal(s, "true", 4);
	case 'f': return literal(s, "false", 5);
	case 'n': return literal(s, "null", 4);
	default: return (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) && number(s);
	}
}

/* Past an opening bracket: -1 too deep, 1 closed at once (empty), else 0. */
static int opened(scan *s, int depth, unsigned char close)
{
	if (depth > FC_SCAN_DEPTH)
		return -1;
	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 1;
	}
	return 0;
}

static int array(scan *s, int depth)
{
	int r = opened(s, depth, ']');
	if (r)
		return r > 0;
	for (;;) {
		blanks(s);
		if (!value(s, depth))
			return 0;
		blanks(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p++ == ']')
			return 1;
		if (s->p[-1] != ',')
			return 0;
	}
}

/* out: where the members go (the top-level object only). */
static int object(scan *s, int depth, fc_scan *out)
{
	int base = s->nkeys, r = opened(s, depth, '}');
	if (r)
		return r > 0;
	for (;;) {
		blanks(s);
		if (s->p >= s->end || *s->p != '"')
			return 0;
		const unsigned char *k = s->p + 1;
		if (!string(s, 1))
			return 0;
		size_t kn = (size_t)(s->p - 1 - k);
		if (s->nkeys >= MAX_KEYS || s->nkeys - base >= MAX_OBJECT_KEYS)
			return 0;
		for (int i = base; i < s->nkeys; i++)
			if (s->keys[i].n == kn && !memcmp(s->keys[i].p, k, kn))
				return 0; /* a duplicate: jansson names it */
		s->keys[s->nkeys].p = k;
		s->keys[s->nkeys++].n = kn;
		blanks(s);
		if (s->p >= s->end || *s->p != ':')
			return 0;
		s->p++;
		blanks(s);
		const unsigned char *v = s->p;
		if (!value(s, depth))
			return 0;
		if (out) {
			if (out->n >= FC_SCAN_MEMBERS)
				return 0;
			out->m[out->n++] = (fc_scan_member){(const char *)k, kn, (const char *)v, (size_t)(s->p - v)};
		}
		blanks(s);
		if (s->p >= s->end)
			return 0;
		if (*s->p == '}') {
			s->p++;
			s->nkeys = base;
			return 1;
		}
		if (*s->p++ != ',')
			return 0;
	}
}

int fc_import_scan(const char *txt, size_t len, fc_scan *out)
{
	scan s;
	s.p = (const unsigned char *)txt;
	s.end = s.p + len;
	s.compact = 1;
	s.nkeys = 0;
	out->n = 0;
	blanks(&s);
	if (s.p >= s.end || *s.p != '{' || !object(&s, 1, out))
		return 0;
	blanks(&s);
	out->compact = s.compact;
	return s.p == s.end;
}

const fc_scan_member *fc_scan_get(const fc_scan *s, const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; i < s->n; i++)
		if (s->m[i].key_len == n && !memcmp(s->m[i].key, key, n))
			return &s->m[i];
	return NULL;
}

int fc_scan_text_values(const char *txt, size_t len, fc_buf *out)
{
	const char *p = txt, *end = txt + len;
	int first = 1;
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			return 0;
		const char *s = ++q;
		while (q < end && *q != '"')
			q += *q == '\\' ? 2 : 1;
		if (q >= end)
			return 0; /* not closed: not valid JSON, nothing more to take */
		const char *e = q++, *k = q;
		while (k < end && (*k == ' ' || *k == '\t' || *k == '\n' || *k == '\r'))
			k++;
		p = q;
		if (k < end && *k == ':')
			continue; /* a key */
		if ((!first && fc_buf_append(out, " ", 1)) || fc_buf_append(out, s, (size_t)(e - s)))
			return FC_ENOMEM;
		first = 0;
	}
}
