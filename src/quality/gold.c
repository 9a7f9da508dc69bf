/* Gold answers: formats, scoring, Wilson interval. See gold.h. */
#include "quality/gold.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* A number as an integer when it has no fraction, so 4 and 4.0 compare
 * equal with json_equal. */
static json_t *number(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* A list of strings: one → that string, several → sorted array. NULL when
 * the list is empty or holds something other than strings. */
static json_t *string_set(const json_t *arr)
{
	size_t n = json_array_size(arr);
	if (!json_is_array(arr) || n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(arr, i)))
			return NULL;
	if (n == 1)
		return json_copy(json_array_get(arr, 0));
	json_t **v = malloc(n * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof *v, cmp_str);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* The normalised categorical answer in one result item's value, or NULL. */
static json_t *item_answer(const json_t *value)
{
	const json_t *v;
	if ((v = json_object_get(value, "choices")))
		return string_set(v);
	if ((v = json_object_get(value, "rating")) && json_is_number(v))
		return number(json_number_value(v));
	if ((v = json_object_get(value, "number")) && json_is_number(v))
		return number(json_number_value(v));
	if ((v = json_object_get(value, "selected")) && json_is_string(v))
		return json_copy((json_t *)v);
	if ((v = json_object_get(value, "text")) && json_is_array(v) && json_array_size(v) == 1 &&
	    json_is_string(json_array_get(v, 0)))
		return json_copy(json_array_get(v, 0));
	return NULL;
}

json_t *fc_gold_answers_of(const json_t *result, const json_t *only)
{
	json_t *out = json_object();
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		if (!from || (only && !json_object_get(only, from)) || json_object_get(out, from))
			continue; /* the first answer per control counts */
		json_t *a = item_answer(json_object_get(item, "value"));
		if (a)
			json_object_set_new(out, from, a);
	}
	if (only) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)only, k, v) if (!json_object_get(out, k)) json_object_set_new(out, k, json_null());
	}
	return out;
}

int fc_gold_normalize(const json_t *gold, json_t **out, fc_err *err)
{
	*out = NULL;
	if (json_is_array(gold)) {
		size_t i;
		const json_t *item;
		json_array_foreach(gold, i, item) {
			const char *from = json_string_value(json_object_get(item, "from_name"));
			if (!json_is_object(item) || !from)
				return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
						  "Gold result item %zu needs a from_name.", i);
			json_t *a = item_answer(json_object_get(item, "value"));
			if (!a)
				return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
						  "Gold for '%s' is not a choices, rating, number, pairwise or text answer.", from);
			json_decref(a);
		}
		json_t *n = fc_gold_answers_of(gold, NULL);
		if (!json_object_size(n)) {
			json_decref(n);
			return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold", "The gold result array is empty.");
		}
		*out = n;
		return 0;
	}
	if (!json_is_object(gold) || !json_object_size(gold))
		return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
				  "Gold must be a Label Studio result array or a non-empty {\"control\": answer} object.");
	json_t *n = json_object();
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)gold, k, v) {
		json_t *a = json_is_string(v) ? json_copy((json_t *)v)
			    : json_is_number(v) ? number(json_number_value(v))
						: string_set(v);
		if (!a) {
			json_decref(n);
			return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
					  "Gold for '%s' must be a string, a number or a list of strings.", k);
		}
		json_object_set_new(n, k, a);
	}
	*out = n;
	return 0;
}

int fc_gold_equal(const json_t *expected, const json_t *given)
{
	const char *k;
	const json_t *v;
	if (!json_object_size(expected))
		return 0;
	json_object_foreach((json_t *)expected, k, v) {
		const json_t *g = json_object_get(given, k);
		if (!g || !json_equal((json_t *)v, (json_t *)g))
			return 0;
	}
	return 1;
}

char *fc_gold_answer_key(const json_t *result, const char *control)
{
	json_t *only = NULL;
	if (control) {
		only = json_object();
		json_object_set_new(only, control, json_true());
	}
	json_t *a = fc_gold_answers_of(result, only);
	char *key = NULL;
	const char *k;
	const json_t *v;
	int any = 0;
	json_object_foreach(a, k, v) any |= !json_is_null(v);
	if (any)
		key = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(a);
	json_decref(only);
	return key;
}

void fc_wilson(int64_t correct, int64_t n, double *low, double *high)
{
	if (n <= 0) {
		*low = 0;
		*high = 1;
		return;
	}
	const double z = 1.959963984540054, z2 = z * z;
	double nn = (double)n, p = (double)correct / nn;
	double denom = 1 + z2 / nn;
	double center = (p + z2 / (2 * nn)) / denom;
	double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
	*low = center - half < 0 ? 0 : center - half;
	*high = center + half > 1 ? 1 : center + half;
}
