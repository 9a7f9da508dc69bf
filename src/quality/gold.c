/* Gold answers: formats, scoring, Wilson interval. See gold.h. */
#include "quality/gold.h"
#include "quality/text.h"

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

/* ---- regions: boxes and text spans ---- */

const char *fc_gold_region_label(const json_t *value)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)value, k, v) {
		size_t n = strlen(k);
		if (n >= 6 && !strcmp(k + n - 6, "labels") && json_is_string(json_array_get(v, 0)))
			return json_string_value(json_array_get(v, 0));
	}
	const json_t *l = json_object_get(value, "label");
	return json_is_string(l) ? json_string_value(l) : "";
}

static int num_in(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return 0;
	*out = json_number_value(v);
	return 1;
}

/* One region of a value as {"label","x","y","width","height"} (a box) or
 * {"label","start","end"} (a span); *kind is "boxes" or "spans". NULL when
 * the value is no region, or a malformed one. */
static json_t *region_of(const json_t *value, const char **kind)
{
	double x, y, w, hh, a, b;
	const char *label = fc_gold_region_label(value);
	if (num_in(value, "x", &x) && num_in(value, "y", &y) && num_in(value, "width", &w) &&
	    num_in(value, "height", &hh)) {
		if (w < 0 || hh < 0)
			return NULL;
		*kind = "boxes";
		return json_pack("{s:s,s:o,s:o,s:o,s:o}", "label", label, "x", number(x), "y", number(y), "width",
				 number(w), "height", number(hh));
	}
	if (num_in(value, "start", &a) && num_in(value, "end", &b) && a == floor(a) && b == floor(b)) {
		if (b < a)
			return NULL;
		*kind = "spans";
		return json_pack("{s:s,s:o,s:o}", "label", label, "start", number(a), "end", number(b));
	}
	return NULL;
}

/* Appends a region to the control's {"boxes":[...]} or {"spans":[...]}
 * answer in out; 0 when the control already holds another kind. */
static int add_region(json_t *out, const char *from, const char *kind, json_t *region)
{
	json_t *ans = json_object_get(out, from);
	if (!ans) {
		ans = json_object();
		json_object_set_new(ans, kind, json_array());
		json_object_set_new(out, from, ans);
	}
	json_t *list = json_object_get(ans, kind);
	if (!json_is_array(list)) {
		json_decref(region);
		return 0;
	}
	json_array_append_new(list, region);
	return 1;
}

static int is_region_answer(const json_t *a)
{
	return json_is_object(a) &&
	       (json_is_array(json_object_get(a, "boxes")) || json_is_array(json_object_get(a, "spans")));
}

static double region_iou(const json_t *a, const json_t *b, int boxes)
{
	double ax = 0, ay = 0, aw = 0, ah = 0, bx = 0, by = 0, bw = 0, bh = 0;
	if (!boxes) {
		num_in(a, "start", &ax), num_in(a, "end", &aw), num_in(b, "start", &bx), num_in(b, "end", &bw);
		double inter = fmin(aw, bw) - fmax(ax, bx), uni = fmax(aw, bw) - fmin(ax, bx);
		if (uni <= 0)
			return ax == bx && aw == bw; /* two empty spans at one place */
		return inter > 0 ? inter / uni : 0;
	}
	num_in(a, "x", &ax), num_in(a, "y", &ay), num_in(a, "width", &aw), num_in(a, "height", &ah);
	num_in(b, "x", &bx), num_in(b, "y", &by), num_in(b, "width", &bw), num_in(b, "height", &bh);
	double iw = fmin(ax + aw, bx + bw) - fmax(ax, bx), ih = fmin(ay + ah, by + bh) - fmax(ay, by);
	if (iw <= 0 || ih <= 0)
		return 0;
	double inter = iw * ih, uni = aw * ah + bw * bh - inter;
	return uni > 0 ? inter / uni : 0;
}

/* Regions match when they pair up one to one, each pair with the same
 * label and an overlap (IoU) of at least FC_GOLD_MIN_IOU, and neither side
 * has a region left over. Pairs are taken greedily, best overlap first. */
static int regions_match(const json_t *expected, const json_t *given)
{
	int boxes = json_is_array(json_object_get(expected, "boxes"));
	const char *kind = boxes ? "boxes" : "spans";
	const json_t *e = json_object_get(expected, kind), *g = json_object_get(given, kind);
	size_t ne = json_array_size(e), ng = json_array_size(g);
	if (!json_is_array(g) || ne != ng)
		return 0;
	if (ne == 0)
		return 1;
	if (ne > 512)
		return 0; /* beyond any gold a person checks by hand */
	char *used_e = calloc(ne, 1), *used_g = calloc(ng, 1);
	int ok = used_e && used_g;
	for (size_t round = 0; ok && round < ne; round++) {
		double best = -1;
		size_t bi = 0, bj = 0;
		for (size_t i = 0; i < ne; i++) {
			if (used_e[i])
				continue;
			const json_t *ei = json_array_get(e, i);
			for (size_t j = 0; j < ng; j++) {
				const json_t *gj = json_array_get(g, j);
				if (used_g[j] || strcmp(json_string_value(json_object_get(ei, "label")),
							json_string_value(json_object_get(gj, "label"))))
					continue;
				double iou = region_iou(ei, gj, boxes);
				if (iou > best) {
					best = iou;
					bi = i;
					bj = j;
				}
			}
		}
		if (best < FC_GOLD_MIN_IOU)
			ok = 0;
		else
			used_e[bi] = used_g[bj] = 1;
	}
	free(used_e);
	free(used_g);
	return ok;
}

/* ---- answers ---- */

/* The answers of a result: categorical controls always (first answer per
 * control); region controls only when regions is set and, with `only`,
 * the control is named there (all regions of a control together). */
static json_t *answers_of(const json_t *result, const json_t *only, int regions)
{
	json_t *out = json_object();
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		if (!from || (only && !json_object_get(only, from)))
			continue;
		const json_t *value = json_object_get(item, "value");
		const char *kind;
		json_t *have = json_object_get(out, from), *a = NULL, *r;
		/* a region control is one the gold draws regions for (with only),
		 * or, reading gold, an item with no categorical answer */
		int region = regions && (only ? is_region_answer(json_object_get(only, from))
					      : !(a = item_answer(value)) && (!have || is_region_answer(have)));
		if (region) {
			if ((r = region_of(value, &kind)))
				add_region(out, from, kind, r);
			continue;
		}
		if (have) {
			json_decref(a);
			continue; /* the first answer per control counts */
		}
		if (!a)
			a = item_answer(value);
		if (a)
			json_object_set_new(out, from, a);
	}
	if (only) {
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)only, k, v) {
			if (json_object_get(out, k))
				continue;
			/* no region drawn is an answer too: "nothing here" */
			if (regions && is_region_answer(v))
				json_object_set_new(out, k,
						    json_pack("{s:[]}", json_object_get(v, "boxes") ? "boxes" : "spans"));
			else
				json_object_set_new(out, k, json_null());
		}
	}
	return out;
}

json_t *fc_gold_answers_of(const json_t *result, const json_t *only) { return answers_of(result, only, only != NULL); }

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
			const char *kind;
			json_t *a = item_answer(json_object_get(item, "value"));
			if (!a)
				a = region_of(json_object_get(item, "value"), &kind);
			if (!a)
				return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
						  "Gold for '%s' is not a choices, rating, number, pairwise, text, box or span "
						  "answer.",
						  from);
			json_decref(a);
		}
		json_t *n = answers_of(gold, NULL, 1);
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
		if (is_region_answer(v)) { /* {"boxes":[{x,y,width,height,label}]} or {"spans":[{start,end,label}]} */
			const char *want = json_object_get(v, "boxes") ? "boxes" : "spans", *kind = NULL;
			json_t *list = json_pack("{s:[]}", want);
			size_t i;
			const json_t *r;
			json_array_foreach(json_object_get(v, want), i, r) {
				json_t *one = json_is_object(r) ? region_of(r, &kind) : NULL;
				if (!one || strcmp(kind, want)) {
					json_decref(one);
					json_decref(list);
					json_decref(n);
					return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
							  "Gold region %zu of '%s' must be %s.", i, k,
							  !strcmp(want, "boxes")
								  ? "{x, y, width, height, label}"
								  : "{start, end, label} with whole numbers");
				}
				json_array_append_new(json_object_get(list, want), one);
			}
			json_object_set_new(n, k, list);
			continue;
		}
		json_t *a = json_is_string(v)   ? json_copy((json_t *)v)
			    : json_is_number(v) ? number(json_number_value(v))
						: string_set(v);
		if (!a) {
			json_decref(n);
			return fc_err_set(err, FC_EINVAL, "invalid_gold", "gold",
					  "Gold for '%s' must be a string, a number, a list of strings, or {\"boxes\":[...]} "
					  "or {\"spans\":[...]}.",
					  k);
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
		if (!g || !(is_region_answer(v) ? regions_match(v, g)
			    : json_is_string(v) && json_is_string(g)
				    ? fc_text_distance(json_string_value(v), json_string_value(g)) == 0
				    : json_equal((json_t *)v, (json_t *)g)))
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
	json_t *a = answers_of(result, only, 0); /* votes compare categorical answers only */
	char *key = NULL;
	const char *k;
	const json_t *v;
	int any = 0;
	json_object_foreach(a, k, v)
		any |= !json_is_null(v);
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
