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
	/* a text answer counts by its words: case and spacing do not matter, words do */
	cr_expect(scores("{\"t\":\"The cat sat\"}", "[{\"from_name\":\"t\",\"value\":{\"text\":[\" the  CAT sat\"]}}]"));
	cr_expect(!scores("{\"t\":\"The cat sat\"}", "[{\"from_name\":\"t\",\"value\":{\"text\":[\"the cat\"]}}]"));
}

#define BOX(x, y, w, h, l) \
	"{\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"value\":{\"x\":" #x ",\"y\":" #y \
	",\"width\":" #w ",\"height\":" #h ",\"rotation\":0,\"rectanglelabels\":[\"" l "\"]}}"
#define SPAN(a, b, l) \
	"{\"from_name\":\"ner\",\"to_name\":\"text\",\"type\":\"labels\",\"value\":{\"start\":" #a ",\"end\":" #b \
	",\"labels\":[\"" l "\"]}}"

Test(gold, boxes_pair_up_by_label_and_iou)
{
	const char *gold = "[" BOX(10, 10, 20, 20, "car") "," BOX(50, 50, 10, 10, "person") "]";
	/* the same boxes, in another order */
	cr_expect(scores(gold, "[" BOX(50, 50, 10, 10, "person") "," BOX(10, 10, 20, 20, "car") "]"));
	/* shifted by 2 of 20: IoU 18*18/(2*400-324) = 0.68 >= 0.5 */
	cr_expect(scores(gold, "[" BOX(12, 12, 20, 20, "car") "," BOX(50, 50, 10, 10, "person") "]"));
	/* shifted by 8 of 20: IoU 12*12/(800-144) = 0.22 */
	cr_expect(!scores(gold, "[" BOX(18, 18, 20, 20, "car") "," BOX(50, 50, 10, 10, "person") "]"));
	/* a wrong label, a missing box, an extra box */
	cr_expect(!scores(gold, "[" BOX(10, 10, 20, 20, "truck") "," BOX(50, 50, 10, 10, "person") "]"));
	cr_expect(!scores(gold, "[" BOX(10, 10, 20, 20, "car") "]"));
	cr_expect(!scores(gold, "[" BOX(10, 10, 20, 20, "car") "," BOX(50, 50, 10, 10, "person") "," BOX(80, 80, 5, 5,
													 "car") "]"));
	/* one drawn box cannot stand for two gold boxes */
	cr_expect(!scores("[" BOX(10, 10, 20, 20, "car") "," BOX(11, 11, 20, 20, "car") "]",
			  "[" BOX(10, 10, 20, 20, "car") "," BOX(70, 70, 5, 5, "car") "]"));
	/* the shorthand form scores the same; an empty list means "nothing here" */
	cr_expect(scores("{\"box\":{\"boxes\":[{\"x\":10,\"y\":10,\"width\":20,\"height\":20,\"label\":\"car\"}]}}",
			 "[" BOX(11, 10, 20, 20, "car") "]"));
	cr_expect(scores("{\"box\":{\"boxes\":[]}}", "[]"));
	cr_expect(!scores("{\"box\":{\"boxes\":[]}}", "[" BOX(1, 1, 2, 2, "car") "]"));
	/* boxes and a categorical answer in one gold: both must be right */
	cr_expect(scores("[" BOX(10, 10, 20, 20, "car") "," CHOICE("q", "[\"day\"]") "]",
			 "[" CHOICE("q", "[\"day\"]") "," BOX(10, 10, 20, 20, "car") "]"));
	cr_expect(!scores("[" BOX(10, 10, 20, 20, "car") "," CHOICE("q", "[\"day\"]") "]",
			  "[" CHOICE("q", "[\"night\"]") "," BOX(10, 10, 20, 20, "car") "]"));
}

Test(gold, spans_pair_up_by_label_and_overlap)
{
	const char *gold = "[" SPAN(0, 10, "PER") "," SPAN(20, 26, "LOC") "]";
	cr_expect(scores(gold, "[" SPAN(20, 26, "LOC") "," SPAN(0, 10, "PER") "]"));
	/* a trailing space more: 10/11 overlap */
	cr_expect(scores(gold, "[" SPAN(0, 11, "PER") "," SPAN(20, 26, "LOC") "]"));
	/* half the name: 4/10 */
	cr_expect(!scores(gold, "[" SPAN(0, 4, "PER") "," SPAN(20, 26, "LOC") "]"));
	cr_expect(!scores(gold, "[" SPAN(0, 10, "ORG") "," SPAN(20, 26, "LOC") "]"));
	cr_expect(!scores(gold, "[" SPAN(0, 10, "PER") "]"));
	/* the normalised answers are what the contributor is shown */
	json_t *r = parse("[" SPAN(0, 10, "PER") "]"), *only = parse("{\"ner\":{\"spans\":[]}}");
	json_t *a = fc_gold_answers_of(r, only);
	char *txt = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(txt, "{\"ner\":{\"spans\":[{\"end\":10,\"label\":\"PER\",\"start\":0}]}}");
	free(txt);
	json_decref(a);
	json_decref(r);
	json_decref(only);
	/* regions never enter the categorical vote key */
	r = parse("[" SPAN(0, 10, "PER") "]");
	cr_expect_null(fc_gold_answer_key(r, NULL));
	cr_expect_null(fc_gold_answer_key(r, "ner"));
	json_decref(r);
}

Test(gold, unreadable_gold_is_refused)
{
	const char *bad[] = {"{}",
			     "[]",
			     "\"yes\"",
			     "{\"label\":{\"x\":1}}",
			     "{\"label\":[1,2]}",
			     "{\"label\":true}",
			     "[{\"value\":{\"choices\":[\"a\"]}}]",
			     "[{\"from_name\":\"box\",\"value\":{\"x\":1,\"y\":2,\"rectanglelabels\":[\"car\"]}}]",
			     "[{\"from_name\":\"box\",\"value\":{\"x\":1,\"y\":2,\"width\":-3,\"height\":4}}]",
			     "[{\"from_name\":\"ner\",\"value\":{\"start\":9,\"end\":2,\"labels\":[\"PER\"]}}]",
			     "[{\"from_name\":\"ner\",\"value\":{\"start\":1.5,\"end\":2,\"labels\":[\"PER\"]}}]",
			     "{\"box\":{\"boxes\":[{\"x\":1,\"y\":2}]}}",
			     "{\"box\":{\"boxes\":[{\"start\":1,\"end\":2}]}}",
			     "{\"ner\":{\"spans\":[7]}}"};
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
	json_t *a = parse("[" CHOICE("b", "[\"x\"]") "," CHOICE(
		"a", "[\"q\",\"p\"]") ",{\"from_name\":\"r\",\"value\":{\"x\":1}}]");
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
