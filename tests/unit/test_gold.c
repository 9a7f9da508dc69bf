/* Unit tests for src/quality/gold.c: gold formats, scoring, answer keys and
 * the Wilson interval. */
#include "quality/gold.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(j, "bad test JSON: %s", s);
	return j;
}

static int scores(const char *gold, const char *result)
{
	json_t *g = parse(gold), *r = parse(result), *expected = NULL;
	fc_err err = {0};
	cr_assert_eq(fc_gold_normalize(g, &expected, &err), 0, "%s", err.msg);
	json_t *given = fc_gold_answers_of(r, expected);
	int ok = fc_gold_equal(expected, given);
	json_decref(g);
	json_decref(r);
	json_decref(expected);
	json_decref(given);
	return ok;
}

#define CHOICE(c, v) "{\"from_name\":\"" c "\",\"to_name\":\"t\",\"type\":\"choices\",\"value\":{\"choices\":" v "}}"

Test(gold, both_formats_score_the_same)
{
	cr_expect(scores("{\"label\":\"yes\"}", "[" CHOICE("label", "[\"yes\"]") "]"));
	cr_expect(!scores("{\"label\":\"yes\"}", "[" CHOICE("label", "[\"no\"]") "]"));
	cr_expect(scores("[" CHOICE("label", "[\"yes\"]") "]", "[" CHOICE("label", "[\"yes\"]") "]"));
	cr_expect(scores("{\"label\":[\"yes\"]}", "[" CHOICE("label", "[\"yes\"]") "]"));
	/* multiple choices compare as sets */
	cr_expect(scores("{\"tags\":[\"b\",\"a\"]}", "[" CHOICE("tags", "[\"a\",\"b\"]") "]"));
	cr_expect(!scores("{\"tags\":[\"b\",\"a\"]}", "[" CHOICE("tags", "[\"a\"]") "]"));
	/* every gold control must match; unanswered controls are wrong */
	cr_expect(!scores("{\"label\":\"yes\",\"tags\":\"a\"}", "[" CHOICE("label", "[\"yes\"]") "]"));
	cr_expect(scores("{\"label\":\"yes\"}", "[" CHOICE("label", "[\"yes\"]") "," CHOICE("tags", "[\"z\"]") "]"));
	/* rating, number, pairwise, text */
	cr_expect(scores("{\"stars\":4}", "[{\"from_name\":\"stars\",\"value\":{\"rating\":4}}]"));
	cr_expect(scores("{\"n\":2.0}", "[{\"from_name\":\"n\",\"value\":{\"number\":2}}]"));
	cr_expect(!scores("{\"n\":2.5}", "[{\"from_name\":\"n\",\"value\":{\"number\":2}}]"));
	cr_expect(scores("{\"pair\":\"left\"}", "[{\"from_name\":\"pair\",\"value\":{\"selected\":\"left\"}}]"));
	cr_expect(scores("{\"t\":\"cat\"}", "[{\"from_name\":\"t\",\"value\":{\"text\":[\"cat\"]}}]"));
}

Test(gold, unreadable_gold_is_refused)
{
	const char *bad[] = {"{}", "[]", "\"yes\"", "{\"label\":{\"x\":1}}", "{\"label\":[1,2]}", "{\"label\":true}",
			     "[{\"value\":{\"choices\":[\"a\"]}}]",
			     "[{\"from_name\":\"box\",\"value\":{\"x\":1,\"y\":2,\"rectanglelabels\":[\"car\"]}}]"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *g = parse(bad[i]), *out = NULL;
		fc_err err = {0};
		cr_expect_eq(fc_gold_normalize(g, &out, &err), FC_EINVAL, "%s", bad[i]);
		cr_expect_null(out);
		fc_err_clear(&err);
		json_decref(g);
	}
}

Test(gold, answer_key_ignores_order_and_other_kinds)
{
	json_t *a = parse("[" CHOICE("b", "[\"x\"]") "," CHOICE("a", "[\"q\",\"p\"]") ",{\"from_name\":\"r\",\"value\":{\"x\":1}}]");
	json_t *b = parse("[" CHOICE("a", "[\"p\",\"q\"]") "," CHOICE("b", "[\"x\"]") "]");
	char *ka = fc_gold_answer_key(a, NULL), *kb = fc_gold_answer_key(b, NULL), *kc = fc_gold_answer_key(a, "b");
	cr_expect_str_eq(ka, kb);
	cr_expect_str_eq(kc, "{\"b\":\"x\"}");
	cr_expect_null(fc_gold_answer_key(a, "missing"));
	free(ka);
	free(kb);
	free(kc);
	json_decref(a);
	json_decref(b);
}

Test(gold, wilson_interval)
{
	double lo, hi;
	fc_wilson(0, 3, &lo, &hi);
	cr_expect_float_eq(lo, 0, 1e-12);
	cr_expect_float_eq(hi, 0.561497, 1e-5);
	fc_wilson(1, 1, &lo, &hi);
	cr_expect_float_eq(lo, 0.206543, 1e-5);
	cr_expect_float_eq(hi, 1, 1e-12);
	fc_wilson(8, 10, &lo, &hi); /* the textbook case: 0.490 .. 0.943 */
	cr_expect_float_eq(lo, 0.4902, 1e-4);
	cr_expect_float_eq(hi, 0.9433, 1e-4);
	fc_wilson(0, 0, &lo, &hi);
	cr_expect(lo == 0 && hi == 1);
}
