/* The data fields a project's labelling config reads, checked on every
 * imported task (API.md "Requesters": `$image` missing → 400 naming the
 * line and the field). Kept apart from task.c's parsing. */
#include "work/import_fields.h"
#include "work/configcache.h"

#include <string.h>

int fc_import_check_fields(const char *label_config, const fc_labelconfig **config, const json_t *data,
			   const char *where, fc_err *err)
{
	if (!label_config || !*label_config)
		return 0; /* a collection project: no config */
	if (!*config && !(*config = fc_configcache_get(label_config, err)))
		return err->code ? err->code : FC_EINVAL;
	json_t *fields = fc_labelconfig_fields(*config);
	if (!fields)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	size_t i;
	json_t *f;
	int rc = 0;
	json_array_foreach(fields, i, f) {
		const char *name = json_string_value(f);
		const json_t *v = name ? json_object_get(data, name) : NULL;
		if (name && (!v || json_is_null(v))) {
			char field[160];
			snprintf(field, sizeof field, "data.%s", name);
			rc = fc_err_set(err, FC_EINVAL, "missing_field", field,
					"%s: the task has no '%s', which the labelling config reads as $%s.", where,
					name, name);
			break;
		}
	}
	json_decref(fields);
	return rc;
}
