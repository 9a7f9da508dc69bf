/* libFuzzer: the labeling-config parser, then describe() on what parsed. */
#include "work/labelconfig.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fc_labelconfig *c = NULL;
	fc_err err = {0};
	if (fc_labelconfig_parse((const char *)data, size, &c, &err) == 0) {
		json_t *d = fc_labelconfig_describe(c);
		json_decref(d);
		d = fc_labelconfig_fields(c);
		json_decref(d);
		fc_labelconfig_free(c);
	}
	fc_err_clear(&err);
	return 0;
}
