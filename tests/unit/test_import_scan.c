/* The import's checking scanner (src/work/import_scan.c): it may say "not
 * sure" about anything, but never "fine" about text jansson refuses — the
 * import would then store a task the slow path rejects. */
#include "core/buf.h"
#include "core/json.h"
#include "work/import_scan.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static int scan(const char *s)
{
	fc_scan out;
	return fc_import_scan(s, strlen(s), &out);
}

/* What the slow path accepts: jansson with duplicates refused, an object,
 * at most FC_SCAN_DEPTH levels. */
static int jansson_accepts(const char *s, size_t n)
{
	json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
	int ok = j && json_is_object(j) && fc_json_depth(j, FC_SCAN_DEPTH) <= FC_SCAN_DEPTH;
	json_decref(j);
	return ok;
}

Test(import_scan, takes_plain_tasks_and_finds_their_members)
{
	const char *t =
		"{\"text\":\"caf\xc3\xa9 \\\"x\\\" \\u00e9\",\"n\":-12,\"r\":1.5e-3,\"a\":[true,false,null,{}],\"o\":{\"k\":[]}} ";
	fc_scan s;
	cr_assert_eq(fc_import_scan(t, strlen(t), &s), 1);
	cr_expect_eq(s.n, 5);
	cr_expect_eq(s.compact, 0, "a trailing blank");
	const fc_scan_member *m = fc_scan_get(&s, "n");
	cr_assert(m);
	cr_expect_eq(m->val_len, 3);
	cr_expect(!strncmp(m->val, "-12", 3));
	m = fc_scan_get(&s, "o");
	cr_assert(m);
	cr_expect(!strncmp(m->val, "{\"k\":[]}", m->val_len));
	cr_expect_null(fc_scan_get(&s, "k"), "only top-level members");
	cr_expect_eq(scan("{}"), 1);
	cr_expect_eq(scan("{\"data\":{\"t\":\"x\"},\"priority\":3}"), 1);
}

Test(import_scan, leaves_errors_and_odd_text_to_jansson)
{
	const char *odd[] = {
		"",
		"[1]",                          /* not an object */
		"{\"a\":1",                     /* not closed */
		"{\"a\":1}x",                   /* text after it */
		"{\"a\":1,}",                   /* trailing comma */
		"{\"a\":01}",                   /* leading zero */
		"{\"a\":1,\"a\":2}",            /* duplicate */
		"{\"o\":{\"b\":1,\"b\":1}}",    /* nested duplicate */
		"{\"\\u0061\":1}",              /* an escaped key */
		"{\"a\":\"\\u0000\"}",          /* NUL */
		"{\"a\":\"\\ud800\"}",          /* a surrogate */
		"{\"a\":\"\\x\"}",              /* a bad escape */
		"{\"a\":\"\x01\"}",             /* a control character */
		"{\"a\":\"\xc0\xaf\"}",         /* overlong UTF-8 */
		"{\"a\":\"\xed\xa0\x80\"}",     /* an encoded surrogate */
		"{\"a\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
		"{\"a\":\"\xe2\x82\"}",         /* cut short */
		"{\"a\":12345678901234567890}", /* too big an integer */
		"{\"a\":1e400}",                /* overflowing real */
		"{\"a\":tru}",                  /* bad literal */
		"{\"a\":\n1}",                  /* a newline: stored re-serialised */
		"\xef\xbb\xbf{\"a\":1}",        /* a byte order mark */
		"{\"a\":-}",
		"{\"a\":1.}",
		"{\"a\":[1,]}",
	};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
		cr_expect_eq(scan(odd[i]), 0, "case %zu: %s", i, odd[i]);
	/* depth: 64 levels are a task's limit; 65 go to jansson (too_deep) */
	char deep[256];
	for (int levels = 63; levels <= 65; levels++) {
		size_t n = 0;
		n += (size_t)sprintf(deep, "{\"a\":");
		for (int i = 1; i < levels; i++)
			deep[n++] = '[';
		deep[n++] = '1';
		for (int i = 1; i < levels; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		deep[n] = 0;
		cr_expect_eq(scan(deep), levels <= 64, "%d levels", levels);
	}
}

/* buf = seed with edits random bytes of alphabet replaced, inserted or
 * deleted; returns its length (NUL-terminated). */
static size_t mutate(char *buf, size_t cap, const char *seed, const char *alphabet, int edits)
{
	size_t n = strlen(seed), na = strlen(alphabet);
	memcpy(buf, seed, n);
	for (int k = 0; k < edits; k++) {
		size_t at = (size_t)rand() % n;
		char c = alphabet[(size_t)rand() % na];
		int op = rand() % 3;
		if (op == 0) {
			buf[at] = c;
		} else if (op == 1 && n + 2 < cap) {
			memmove(buf + at + 1, buf + at, n - at);
			buf[at] = c;
			n++;
		} else if (n > 1) {
			memmove(buf + at, buf + at + 1, n - at - 1);
			n--;
		}
	}
	buf[n] = 0;
	return n;
}

/* Differential: bytes of valid tasks changed at random; whenever the
 * scanner says fine, jansson must agree. */
Test(import_scan, never_accepts_what_jansson_refuses)
{
	static const char *seeds[] = {
		"{\"text\":\"bulk task 7 with a sentence\",\"meta_id\":7}",
		"{\"data\":{\"image\":\"/files/1\",\"tags\":[\"a\",\"b\"]},\"priority\":-3,\"id\":9}",
		"{\"t\":\"\\u00e9\\n\\\"q\\\"\",\"x\":[1.5e10,-0,0.25,{\"k\":null}],\"caf\xc3\xa9\":true}",
	};
	const char alphabet[] = "{}[]\",:\\u0123456789.eE+-tfnrl ab\t\n\x01\x7f\x80\xc3\xa9\xed\xf4";
	srand(20);
	int accepted = 0;
	for (int round = 0; round < 60000; round++) {
		char buf[256];
		size_t n = mutate(buf, sizeof buf, seeds[round % 3], alphabet, 1 + rand() % 3);
		fc_scan s;
		if (fc_import_scan(buf, n, &s)) {
			accepted++;
			cr_assert(jansson_accepts(buf, n), "scanner took what jansson refuses: %.*s", (int)n, buf);
		}
	}
	cr_expect_gt(accepted, 1000, "the mutations leave some valid tasks (%d)", accepted);
}

/* The full-text index's text (migration 0039): string values only, keys
 * left out, nested arrays and objects walked, escapes kept for json_each. */
static const char *text_values(const char *s, fc_buf *b)
{
	fc_buf_reset(b);
	cr_assert_eq(fc_scan_text_values(s, strlen(s), b), 0);
	return b->p ? b->p : "";
}

/* 1 when json's C text, unescaped by SQLite's json_each (how a bulk import
 * feeds it to FTS5), is byte for byte what migration 0039's triggers index
 * (json_tree's string values joined by one space; NULL for none). */
static int agrees(sqlite3 *db, const char *json)
{
	fc_buf b = {0}, arr = {0};
	const char *values = text_values(json, &b);
	fc_buf_printf(&arr, "[\"%s\"]", values);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db,
					"SELECT (SELECT value FROM json_each(?1)) IS coalesce((SELECT group_concat(value, "
					"' ') FROM json_tree(?2) WHERE type = 'text'), '')",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_text(st, 1, arr.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
	int ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	fc_buf_free(&b);
	fc_buf_free(&arr);
	return ok;
}

Test(import_scan, text_values_are_the_strings_not_the_keys)
{
	fc_buf b = {0};
	cr_expect_str_eq(text_values("{\"image\":\"https://x.org/a.jpg\",\"n\":5,\"ok\":true}", &b),
			 "https://x.org/a.jpg");
	cr_expect_str_eq(text_values("{\"a\":[[\"deep\"],{\"k\":\"v\"}],\"b\" : \"x\\\"y\\\\\"}", &b),
			 "deep v x\\\"y\\\\");
	cr_expect_str_eq(text_values("{\"t\":\"\",\"u\":\"w\"}", &b), " w", "empty strings count, as in group_concat");
	cr_expect_str_eq(text_values("{\"k\":1,\"o\":{}}", &b), "");
	cr_expect_str_eq(text_values("{ \"a\" :\n\"b\" , \"c\":[\"d\" ,\"e\"] }", &b), "b d e");
	fc_buf_free(&b);
}

/* Differential: the C text and the triggers' SQL, on odd JSON and on it
 * changed at random. */
Test(import_scan, text_values_agree_with_the_triggers_sql)
{
	static const char *cases[] = {
		"{\"text\":\"The quick brown fox\"}",
		"{\"a\":[[\"x\",[\"y\"]],{\"k\":\"caf\\u00e9 \\\"q\\\" \\/ \\\\ \\n\\t\\b\\f\\r\"}],\"n\":-1.5e3}",
		"{\"e\":\"\",\"f\":\"\",\"g\":null,\"h\":\"\xe2\x82\xac \xf0\x9f\x98\x80\"}",
		"{\"s\":\"\\ud83d\\ude00 emoji\",\"t\":\"tab\\there\"}",
		"{\"url\":\"https://example.com/a%20b.jpg?x=1&y=2#f\",\"k\":{\"l\":{\"m\":[1,2,\"three\"]}}}",
		"{}",
	};
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_expect(agrees(db, cases[i]), "case %zu: %s", i, cases[i]);
	/* and the cases changed at random: wherever jansson takes the text
	 * (the slow path hands such text over), C and SQL agree */
	srand(39);
	int compared = 0;
	for (size_t i = 0; i < 5; i++)
		for (int round = 0; round < 4000; round++) {
			char buf[256];
			size_t n = mutate(buf, sizeof buf, cases[i], "{}[]\",:\\u0123456789abcdefnrt \t\n\xc3\xa9",
					  1 + rand() % 2);
			if (jansson_accepts(buf, n)) {
				compared++;
				cr_expect(agrees(db, buf), "%s", buf);
			}
		}
	cr_expect_gt(compared, 1000, "the mutations leave some valid tasks (%d)", compared);
	sqlite3_close(db);
}
