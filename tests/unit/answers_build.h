/* answers_build.h — a finished answer set from {question, worker, answer}
 * triples, for the quality unit tests. */
#ifndef FC_TEST_ANSWERS_BUILD_H
#define FC_TEST_ANSWERS_BUILD_H

#include "quality/answers.h"

#include <criterion/criterion.h>

static inline fc_answers *build(const char *const (*rows)[3], size_t n)
{
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	cr_assert_not_null(a);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(fc_answers_add(a, rows[i][0], rows[i][1], rows[i][2], &err), 0, "%s", err.msg);
	cr_assert_eq(fc_answers_finish(a, &err), 0);
	return a;
}

#endif
