/* import_scan.h — the import's fast path: one pass over a task's JSON text
 * that checks it without building a tree and finds its top-level members.
 *
 * It is conservative by design. It answers 1 only for text that jansson's
 * json_loadb(…, JSON_REJECT_DUPLICATES) would accept as an object nested at
 * most FC_SCAN_DEPTH levels (the task's limit): valid UTF-8, no control
 * characters, no \u0000 or surrogate escapes, no duplicate keys at any
 * level, integers of at most 18 characters, reals of at most 40 with an
 * exponent of at most two digits, whitespace only blanks and tabs. For
 * everything else — errors included — it answers 0 and the caller parses
 * the text with jansson, which then gives the exact error message. */
#ifndef FC_WORK_IMPORT_SCAN_H
#define FC_WORK_IMPORT_SCAN_H

#include "core/buf.h"
#include <stddef.h>

#define FC_SCAN_DEPTH 64
#define FC_SCAN_MEMBERS 64 /* top-level members kept; more: answer 0 */

typedef struct fc_scan_member {
	const char *key; /* raw bytes between the quotes (never an escape) */
	size_t key_len;
	const char *val; /* the value's text as given */
	size_t val_len;
} fc_scan_member;

typedef struct fc_scan {
	int n;
	int compact; /* no whitespace outside strings */
	fc_scan_member m[FC_SCAN_MEMBERS];
} fc_scan;

/* 1: txt[0..len) is one JSON object as described above (out filled);
 * 0: not sure, parse it with jansson. */
int fc_import_scan(const char *txt, size_t len, fc_scan *out);
/* Appends the string values of the JSON text txt[0..len) — keys left out,
 * nested objects and arrays walked, in document order — to out, each as
 * its raw contents between the quotes (escapes as given), joined by one
 * space: what the data manager's text search indexes (migration 0039),
 * ready to be put between quotes as one JSON string. txt must be valid
 * JSON (fc_import_scan or jansson said so). 0, or FC_ENOMEM. */
int fc_scan_text_values(const char *txt, size_t len, fc_buf *out);
/* The member named key (NUL-terminated), or NULL. */
const fc_scan_member *fc_scan_get(const fc_scan *s, const char *key);

#endif
