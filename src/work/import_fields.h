/* import_fields.h — every imported task must have the data fields its
 * project's labelling config reads. */
#ifndef FC_WORK_IMPORT_FIELDS_H
#define FC_WORK_IMPORT_FIELDS_H

#include "core/err.h"
#include "work/labelconfig.h"
#include <jansson.h>

/* 0 when data has every field of label_config ($image → "image"), else
 * FC_EINVAL missing_field naming `where` (e.g. "line 3") and the field as
 * "data.image". *config caches the parsed config (fc_configcache_get; the
 * caller puts it back). No config (collection projects): 0. */
int fc_import_check_fields(const char *label_config, const fc_labelconfig **config, const json_t *data,
			   const char *where, fc_err *err);

#endif
