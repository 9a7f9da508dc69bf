#include "core/json.h"
#include "core/clock.h"

#include <string.h>

static const char *type_name(int t)
{
	switch (t) {
	case FC_J_STRING: return "a string";
	case FC_J_INT: return "an integer";
	case FC_J_NUMBER: return "a number";
	case FC_J_BOOL: return "true or false";
	case FC_J_OBJECT: return "an object";
	case FC_J_ARRAY: return "an array";
	case FC_J_TIME: return "an RFC 3339 time string";
	default: return "a value";
	}
}

static int type_ok(const json_t *v, int t)
{
	switch (t) {
	case FC_J_STRING: return json_is_string(v);
	case FC_J_INT: return json_is_integer(v);
	case FC_J_NUMBER: return json_is_number(v);
	case FC_J_BOOL: return json_is_boolean(v);
	case FC_J_OBJECT: return json_is_object(v);
	case FC_J_ARRAY: return json_is_array(v);
	case FC_J_TIME: {
		int64_t t64;
		return json_is_string(v) && fc_clock_parse(json_string_value(v), &t64) == 0;
	}
	default: return 1;
	}
}

int fc_json_check(const json_t *obj, const fc_field *fields, fc_err *err)
{
	if (!json_is_object(obj))
		return fc_err_set(err, FC_EINVAL, "invalid_type", NULL, "The request body must be a JSON object.");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		const fc_field *f = fields;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name)
			return fc_err_set(err, FC_EINVAL, "unknown_field", key, "Unknown field '%s'.", key);
		if (json_is_null(v) && (f->spec & FC_J_NULLABLE))
			continue;
		if (!type_ok(v, f->spec & 0xff))
			return fc_err_set(err, FC_EINVAL, "invalid_type", key, "Field '%s' must be %s.", key,
					  type_name(f->spec & 0xff));
	}
	for (const fc_field *f = fields; f->name; f++)
		if ((f->spec & FC_J_REQUIRED) && !json_object_get(obj, f->name))
			return fc_err_set(err, FC_EINVAL, "missing_field", f->name, "Field '%s' is required.", f->name);
	return 0;
}

json_t *fc_json_parse(const char *body, size_t len, fc_err *err)
{
	json_error_t je;
	if (!body || len == 0) {
		fc_err_set(err, FC_EINVAL, "invalid_json", NULL, "The request body is empty; JSON was expected.");
		return NULL;
	}
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fc_err_set(err, FC_EINVAL, "invalid_json", NULL,
			   "The request body is not valid JSON: %s (line %d, column %d).", je.text, je.line, je.column);
	return j;
}

const char *fc_json_str(const json_t *obj, const char *key, const char *def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : def;
}

int64_t fc_json_int(const json_t *obj, const char *key, int64_t def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

double fc_json_num(const json_t *obj, const char *key, double def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

int fc_json_depth(const json_t *v, int limit)
{
	if (!json_is_array(v) && !json_is_object(v))
		return 0;
	if (limit <= 0)
		return 1; /* one level past the caller's limit says "too deep" */
	int deepest = 0, d;
	size_t i;
	const char *key;
	json_t *x;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if ((d = fc_json_depth(x, limit - 1)) > deepest)
				deepest = d;
		}
	} else {
		json_object_foreach((json_t *)v, key, x) {
			if ((d = fc_json_depth(x, limit - 1)) > deepest)
				deepest = d;
		}
	}
	return 1 + deepest;
}
