/* pg_sql.c — statement texts for PostgreSQL (see postgres.c): the hash a
 * translation is found by, and SQLite's placeholders turned into libpq's. */
#include "store/pg_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t fc_pg_hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* '?' and '?NNN' → '$n' with SQLite's numbering (a bare '?' is one more
 * than the largest number so far), leaving string literals, quoted names
 * and comments alone; a leading "UPDATE OR FAIL " (SQLite's conflict clause,
 * which spares it a statement journal) becomes "UPDATE ". *nparams gets the
 * largest number. */
char *fc_pg_translate(const char *sql, int *nparams)
{
	static const char OR_FAIL[] = "UPDATE OR FAIL ";
	size_t n = strlen(sql);
	char *out = malloc(n * 5 + 1); /* '?' → '$1024' at most */
	if (!out)
		return NULL;
	char *o = out;
	int max = 0;
	const char *p = sql;
	if (!strncmp(p, OR_FAIL, sizeof OR_FAIL - 1)) {
		o += sprintf(o, "UPDATE ");
		p += sizeof OR_FAIL - 1;
	}
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			*o++ = *p++;
			while (*p && *p != q)
				*o++ = *p++;
			if (*p)
				*o++ = *p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				*o++ = *p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			size_t len = end ? (size_t)(end + 2 - p) : strlen(p);
			memcpy(o, p, len);
			o += len;
			p += len;
		} else if (*p == '?') {
			int num;
			p++;
			if (*p >= '0' && *p <= '9') {
				num = (int)strtol(p, (char **)&p, 10);
			} else {
				num = max + 1;
			}
			if (num < 1 || num > MAX_VALUES) {
				free(out);
				return NULL;
			}
			if (num > max)
				max = num;
			o += sprintf(o, "$%d", num);
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
	*nparams = max;
	return out;
}
