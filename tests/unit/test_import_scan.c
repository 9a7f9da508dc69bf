/* The import's checking scanner (src/work/import_scan.c): it may say "not
 * sure" about anything, but never "fine" about text jansson refuses — the
 * import would then store a task the slow path rejects. */
#include "core/json.h"
#include "work/import_scan.h"

#include <criterion/criterion.h>
#include <jansson.h>
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
		const char *seed = seeds[round % 3];
		size_t n = strlen(seed);
		memcpy(buf, seed, n);
		for (int k = 0, edits = 1 + rand() % 3; k < edits; k++) {
			size_t at = (size_t)rand() % n;
			char c = alphabet[rand() % (int)(sizeof alphabet - 1)];
			int op = rand() % 3;
			if (op == 0) {
				buf[at] = c;
			} else if (op == 1 && n + 1 < sizeof buf) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = c;
				n++;
			} else if (n > 1) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
		}
		fc_scan s;
		if (fc_import_scan(buf, n, &s)) {
			accepted++;
			cr_assert(jansson_accepts(buf, n), "scanner took what jansson refuses: %.*s", (int)n, buf);
		}
	}
	cr_expect_gt(accepted, 1000, "the mutations leave some valid tasks (%d)", accepted);
}
