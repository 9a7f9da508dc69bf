/* Mechanical Turk batch results (the CSV a requester downloads from a
 * batch): one row per assignment. The rows of one HITId are one task whose
 * data are the Input.* columns (prefix dropped, checked against the fields
 * the config reads); each row's Answer.* columns become one accepted,
 * unpaid submission of the worker "mturk-<WorkerId>", kept as a named
 * outside worker that cannot sign in (exports show only its per-project
 * pseudonym), with WorkTimeInSeconds as its lead time. Answer.<name>,
 * Answer.<name>.label (crowd-classifier) and Answer.<name>.<option> = true
 * (checkboxes) fill the control called <name>: Choices, TextArea, Rating or
 * Number. Rejected assignments are left out. The batch's input CSV needs no
 * importer of its own: it is a CSV with one task per row. */
#include "core/json.h"
#include "work/configcache.h"
#include "work/import_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct column {
	const char *input;     /* Input.<field>: the field */
	const json_t *control; /* Answer.<name>[.<sub>]: the control */
	const char *sub;       /* "label", an option, or NULL */
} column;

/* The control named name, or NULL. */
static const json_t *control_named(const json_t *desc, const char *name, size_t len)
{
	size_t i;
	const json_t *k;
	json_array_foreach(json_object_get(desc, "controls"), i, k) {
		const char *n = fc_json_str(k, "name", NULL);
		if (n && strlen(n) == len && !strncmp(n, name, len))
			return k;
	}
	return NULL;
}

static int header(importer *im, const json_t *desc, const json_t *names, column *cols, int *special)
{
	static const char *const SPECIAL[] = {"HITId", "WorkerId", "AssignmentStatus", "WorkTimeInSeconds"};
	for (size_t i = 0; i < json_array_size(names); i++) {
		const char *h = json_string_value(json_array_get(names, i));
		for (int s = 0; s < 4; s++)
			if (!strcmp(h, SPECIAL[s]))
				special[s] = (int)i;
		if (!strncmp(h, "Input.", 6) && h[6]) {
			cols[i].input = h + 6;
		} else if (!strncmp(h, "Answer.", 7) && h[7]) {
			const char *name = h + 7, *dot = strchr(name, '.');
			size_t len = dot ? (size_t)(dot - name) : strlen(name);
			if (!(cols[i].control = control_named(desc, name, len)))
				return fc_err_set(im->err, FC_EINVAL, "unknown_control", h,
						  "line 1: column %s names no control of the labelling config.", h);
			const char *type = fc_json_str(cols[i].control, "type", "");
			if (strcmp(type, "choices") && strcmp(type, "textarea") && strcmp(type, "rating") &&
			    strcmp(type, "number"))
				return fc_err_set(im->err, FC_EINVAL, "unknown_control", h,
						  "line 1: column %s fills a %s control; MTurk answers are imported into "
						  "Choices, TextArea, Rating or Number.",
						  h, type);
			cols[i].sub = dot ? dot + 1 : NULL;
		}
	}
	if (special[1] < 0)
		return fc_err_set(im->err, FC_EINVAL, "invalid_csv", "WorkerId",
				  "line 1: an MTurk results file has a WorkerId column.");
	return 0;
}

/* Adds one answer cell to the result (one item per control). */
static void answer(json_t *result, const column *col, const char *cell)
{
	const char *type = fc_json_str(col->control, "type", ""), *name = fc_json_str(col->control, "name", "");
	int checkbox = col->sub && strcmp(col->sub, "label");
	if (!*cell || (checkbox && strcmp(cell, "true") && strcmp(cell, "on")))
		return;
	const char *v = checkbox ? col->sub : cell;
	json_t *item = NULL, *it;
	size_t i;
	json_array_foreach(result, i, it)
		if (!strcmp(fc_json_str(it, "from_name", ""), name))
			item = it;
	if (!item) {
		item = json_pack("{s:s,s:O,s:s,s:{}}", "from_name", name, "to_name",
				 json_array_get(json_object_get(col->control, "to_name"), 0), "type", type, "value");
		json_array_append_new(result, item);
	}
	json_t *value = json_object_get(item, "value");
	if (!strcmp(type, "choices")) {
		json_t *list = json_object_get(value, "choices");
		if (!list)
			json_object_set_new(value, "choices", list = json_array());
		json_array_append_new(list, json_string(v));
	} else if (!strcmp(type, "textarea")) {
		json_object_set_new(value, "text", json_pack("[s]", v));
	} else {
		char *end;
		double d = strtod(v, &end);
		json_object_set_new(value, type, *end ? json_string(v) : json_real(d)); /* a bad number: the check says so */
	}
}

static int row(importer *im, const column *cols, const int *special, const json_t *cells, json_t *hits, int64_t line)
{
	char where[32];
	snprintf(where, sizeof where, "line %lld", (long long)line);
	const char *status = special[2] >= 0 ? json_string_value(json_array_get(cells, (size_t)special[2])) : "";
	if (!strcmp(status, "Rejected"))
		return 0;
	const char *worker = json_string_value(json_array_get(cells, (size_t)special[1]));
	if (!*worker)
		return fc_err_set(im->err, FC_EINVAL, "invalid_csv", "WorkerId", "%s: WorkerId is empty.", where);
	json_t *data = json_object(), *result = json_array();
	for (size_t i = 0; i < json_array_size(cells); i++) {
		const char *cell = json_string_value(json_array_get(cells, i));
		if (cols[i].input)
			json_object_set_new(data, cols[i].input, json_string(cell));
		else if (cols[i].control)
			answer(result, &cols[i], cell);
	}
	char by[160];
	snprintf(by, sizeof by, "mturk-%.120s", worker);
	const char *secs = special[3] >= 0 ? json_string_value(json_array_get(cells, (size_t)special[3])) : "0";
	json_t *anns = json_pack("[{s:s,s:o,s:f}]", "completed_by", by, "result", result, "lead_time", atof(secs));
	const char *hit = special[0] >= 0 ? json_string_value(json_array_get(cells, (size_t)special[0])) : "";
	json_t *known = *hit ? json_object_get(hits, hit) : NULL;
	int rc;
	if (known) {
		rc = fc_import_add_annotations(im, json_integer_value(known), data, anns, where);
	} else {
		json_t *task = json_pack("{s:O,s:O}", "data", data, "annotations", anns);
		rc = fc_import_add_task(im, task, NULL, 0, where);
		json_decref(task);
		if (!rc && *hit)
			json_object_set_new(hits, hit, json_integer(im->last_task));
	}
	json_decref(anns);
	json_decref(data);
	return rc;
}

int fc_import_mturk(importer *im, FILE *f)
{
	fc_err *err = im->err;
	if (!im->label_config || !(im->config || (im->config = fc_configcache_get(im->label_config, err))))
		return im->label_config ? (err->code ? err->code : FC_EINVAL)
					: fc_err_set(err, FC_EINVAL, "format_unfit", "format",
						     "An MTurk results import is for annotation projects.");
	json_t *names = json_array(), *cells = json_array(), *hits = json_object();
	json_t *desc = fc_labelconfig_describe(im->config);
	int64_t line = 0;
	int special[4] = {-1, -1, -1, -1}, rc = 0;
	column *cols = NULL;
	if (fc_import_csv_record(f, names, &line, &im->bytes) <= 0 || !json_array_size(names))
		rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
				"line 1: an MTurk results file starts with a header.");
	else if (!desc || !(cols = calloc(json_array_size(names), sizeof *cols)))
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	else
		rc = header(im, desc, names, cols, special);
	while (!rc) {
		int64_t start = line + 1;
		int r = fc_import_csv_record(f, cells, &line, &im->bytes);
		if (r == 0)
			break;
		if (r < 0)
			rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL, "line %lld: malformed CSV (quotes).",
					(long long)start);
		else if (json_array_size(cells) == 1 && !json_string_length(json_array_get(cells, 0)))
			continue;
		else if (json_array_size(cells) != json_array_size(names))
			rc = fc_err_set(err, FC_EINVAL, "invalid_csv", NULL,
					"line %lld: %zu fields, but the header has %zu.", (long long)start,
					json_array_size(cells), json_array_size(names));
		else
			rc = row(im, cols, special, cells, hits, start);
	}
	free(cols);
	json_decref(names);
	json_decref(cells);
	json_decref(hits);
	json_decref(desc);
	return rc;
}
