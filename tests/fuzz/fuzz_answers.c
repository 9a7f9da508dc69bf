/* libFuzzer: the crowd-answers CSV reader, then MV, DS and alpha on it. */
#include "quality/aggregate.h"
#include "quality/agreement.h"
#include "quality/answers.h"
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	fc_answers *a = NULL;
	fc_err err = {0};
	if (fc_answers_read_csv(f, &a, &err) == 0) {
		fc_aggregate r = {0};
		if (fc_aggregate_mv(a, &r, &err) == 0)
			fc_aggregate_free(&r);
		fc_em_opts o = fc_em_defaults();
		o.max_iterations = 5;
		fc_aggregate r2 = {0};
		if (fc_aggregate_ds(a, &o, &r2, &err) == 0)
			fc_aggregate_free(&r2);
		double v;
		fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &v, &err);
		fc_answers_free(a);
	}
	fc_err_clear(&err);
	fclose(f);
	return 0;
}
