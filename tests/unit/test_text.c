/* Unit tests for src/quality/text.c: word edit distance and the medoid,
 * on hand-computed cases. */
#include "quality/text.h"

#include <criterion/criterion.h>

Test(text, word_distance_by_hand)
{
	cr_expect_float_eq(fc_text_distance("the cat sat", "the cat sat"), 0.0, 1e-12);
	/* case and extra spaces do not count */
	cr_expect_float_eq(fc_text_distance("The  cat sat ", "the cat\tsat"), 0.0, 1e-12);
	/* one substitution + one insertion over 4 words */
	cr_expect_float_eq(fc_text_distance("the cat sat", "a cat sat down"), 0.5, 1e-12);
	/* one deletion over 3 words */
	cr_expect_float_eq(fc_text_distance("a b c", "a c"), 1.0 / 3, 1e-12);
	cr_expect_float_eq(fc_text_distance("", ""), 0.0, 1e-12);
	cr_expect_float_eq(fc_text_distance("", "x y"), 1.0, 1e-12);
	/* symmetric */
	cr_expect_float_eq(fc_text_distance("a b c d", "b c d e"), fc_text_distance("b c d e", "a b c d"), 1e-12);
	cr_expect_float_eq(fc_text_distance("a b c d", "b c d e"), 0.5, 1e-12);
}

Test(text, medoid_is_an_answer_given)
{
	const char *t[] = {"a cat sat down", "the cat sat", "The cat sat", "dog"};
	size_t best;
	double conf;
	fc_err err = {0};
	cr_assert_eq(fc_text_medoid(t, 4, &best, &conf, &err), 0);
	/* sums: [0]: .5+.5+1 = 2; [1]: .5+0+1 = 1.5; [2]: the same 1.5 (ties: first); [3]: 3 */
	cr_expect_eq(best, 1);
	cr_expect_float_eq(conf, 1 - 1.5 / 3, 1e-12);
	cr_assert_eq(fc_text_medoid(t, 1, &best, &conf, &err), 0);
	cr_expect_eq(best, 0);
	cr_expect_float_eq(conf, 1.0, 1e-12);
	cr_expect_eq(fc_text_medoid(t, 0, &best, &conf, &err), FC_EINVAL);
	fc_err_clear(&err);
}
