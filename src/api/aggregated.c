/* labels=aggregated: quality's aggregate of a project's judgments, turned
 * into one Label Studio result per task for the dataset writers
 * (fc_ds_opts.aggregated). formats/ and quality/ never include each other;
 * the api layer hands one's output to the other. */
#include "api/exports.h"
#include "core/json.h"
#include "formats/dataset.h"
#include "quality/project.h"

#include <stdio.h>
#include <string.h>

/* The config's control called name, or NULL. */
static const json_t *control_named(const json_t *config, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(config, "controls"), i, c)
		if (!strcmp(fc_json_str(c, "name", ""), name))
			return c;
	return NULL;
}

/* One aggregated item ({label} | {value} | {regions} | {text}) as a result list. */
static json_t *result_of(const json_t *item, const char *from, const char *to, const char *type, int spans)
{
	json_t *out = json_array(), *regions = json_object_get(item, "regions"), *r;
	size_t i;
	json_array_foreach(regions, i, r) {
		const char *label = fc_json_str(r, "label", "");
		json_t *v = spans ? json_pack("{s:O,s:O,s:[s]}", "start", json_object_get(r, "start"), "end",
					      json_object_get(r, "end"), "labels", label)
				  : json_pack("{s:O,s:O,s:O,s:O,s:[s]}", "x", json_object_get(r, "x"), "y",
					      json_object_get(r, "y"), "width", json_object_get(r, "width"), "height",
					      json_object_get(r, "height"), "rectanglelabels", label);
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o,s:O}", "from_name", from, "to_name", to, "type",
						     spans ? "labels" : "rectanglelabels", "value", v, "score",
						     json_object_get(r, "support")));
	}
	json_t *v = NULL;
	if (json_is_string(json_object_get(item, "label")))
		v = json_pack("{s:[O]}", type, json_object_get(item, "label"));
	else if (json_is_number(json_object_get(item, "value")))
		v = json_pack("{s:O}", type, json_object_get(item, "value"));
	else if (json_is_string(json_object_get(item, "text")))
		v = json_pack("{s:[O]}", "text", json_object_get(item, "text"));
	if (v)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o,s:O}", "from_name", from, "to_name", to, "type",
						     type, "value", v, "score", json_object_get(item, "confidence")));
	return out;
}

int fc_export_aggregated(fc_store *s, const fc_user *user, int64_t pid, const json_t *config, const char *format,
			 const char *method, json_t **out, fc_err *err)
{
	*out = NULL;
	if (!method) /* what the format draws: regions for the box and span formats */
		method = !strcmp(format, "coco") || !strcmp(format, "yolo") || !strcmp(format, "voc") ? "boxes"
			 : !strcmp(format, "conll")                                                   ? "spans"
												      : "mv";
	json_t *q = NULL;
	int rc = fc_quality_labels(s, user, pid, method, NULL, &q, err);
	if (rc)
		return rc;
	const char *name = fc_json_str(q, "control", NULL);
	const json_t *control = name ? control_named(config, name) : NULL;
	const char *type = fc_json_str(control, "type", "choices"),
		   *to = json_string_value(json_array_get(json_object_get(control, "to_name"), 0));
	json_t *map = json_object(), *item;
	size_t i;
	json_array_foreach(json_object_get(q, "items"), i, item) {
		char key[32];
		snprintf(key, sizeof key, "%lld", (long long)fc_json_int(item, "task_id", 0));
		json_object_set_new(map, key,
				    json_pack("{s:o,s:O,s:s}", "result",
					      result_of(item, name ? name : "", to ? to : "", type,
							!strcmp(method, "spans")),
					      "confidence", json_object_get(item, "confidence"), "method", method));
	}
	json_decref(q);
	*out = map;
	return 0;
}
