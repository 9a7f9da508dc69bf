/* labelconfig_shapes.c — value checkers for the shapes Label Studio added
 * after the first ones: brush masks (its RLE), ellipses, the region shapes
 * Labels draw on an image, taxonomy paths and dates. */
#include "core/json.h"
#include "core/lsrle.h"
#include "work/labelconfig_internal.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERCENT_EPS 1e-4

/* ------------------------------------------------------------ brush RLE */

/* Label Studio stores a mask as the RGBA bytes of the image (4 values a
 * pixel) in its RLE (core/lsrle.h). */
void fc_lc_check_brush(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
		       const json_t *value)
{
	(void)k, (void)obj;
	char f[FC_LC_PATH], fi[FC_LC_PATH];
	const json_t *fmt = json_object_get(value, "format");
	if (fmt && !(json_is_string(fmt) && !strcmp(json_string_value(fmt), "rle"))) {
		fc_lc_join(f, sizeof f, base, ".", "format");
		fc_lc_fail(v, f, "%s must be \"rle\" (Label Studio's mask encoding).", f);
		return;
	}
	const json_t *rle = fc_lc_need_list(v, value, base, "rle", "an array of bytes (Label Studio's RLE)",
					    "a mask needs its RLE bytes", f);
	if (!rle)
		return;
	size_t n = json_array_size(rle);
	unsigned char *b = malloc(n);
	if (!b) {
		fc_lc_fail(v, f, "%s is too large to check.", f);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(rle, i);
		if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > 255) {
			fc_lc_join_index(fi, sizeof fi, f, i);
			fc_lc_fail(v, fi, "%s must be a byte, a whole number from 0 to 255.", fi);
			free(b);
			return;
		}
		b[i] = (unsigned char)json_integer_value(e);
	}
	uint64_t count = 0;
	const char *why = fc_lsrle_check(b, n, &count);
	free(b);
	if (why) {
		fc_lc_fail(v, f, "%s is not a valid mask: %s.", f, why);
		return;
	}
	/* The count is 4 values (RGBA) per pixel of the original image. */
	const json_t *w = json_object_get(v->item, "original_width"), *h = json_object_get(v->item, "original_height");
	if (json_is_integer(w) && json_is_integer(h) && json_integer_value(w) > 0 && json_integer_value(h) > 0 &&
	    count != (uint64_t)json_integer_value(w) * (uint64_t)json_integer_value(h) * 4)
		fc_lc_fail(v, f,
			   "%s holds %llu values, but a %" JSON_INTEGER_FORMAT "x%" JSON_INTEGER_FORMAT
			   " image's mask has 4 per pixel (%llu).",
			   f, (unsigned long long)count, json_integer_value(w), json_integer_value(h),
			   (unsigned long long)(json_integer_value(w) * json_integer_value(h) * 4));
}

/* ------------------------------------------------------------ bitmasks */

#define PNG_URL_PREFIX "data:image/png;base64,"
#define BITMASK_MAX_BYTES (16u << 20)

/* Label Studio's Bitmask writes its mask as a PNG in a data URL (black
 * pixels on a transparent background): {"imageDataURL": "data:image/png;base64,…"}. */
void fc_lc_check_bitmask(struct vctx *v, const char *base, const struct fc_lc_control *k,
			 const struct fc_lc_object *obj, const json_t *value)
{
	(void)k, (void)obj;
	char f[FC_LC_PATH];
	const char *url;
	if (!fc_lc_need_string(v, value, base, "imageDataURL", &url))
		return;
	fc_lc_join(f, sizeof f, base, ".", "imageDataURL");
	size_t plen = sizeof PNG_URL_PREFIX - 1;
	if (strncmp(url, PNG_URL_PREFIX, plen)) {
		fc_lc_fail(v, f, "%s must be a PNG data URL (starting \"" PNG_URL_PREFIX "\").", f);
		return;
	}
	const char *b64 = url + plen;
	size_t n = strlen(b64);
	if (n / 4 * 3 > BITMASK_MAX_BYTES) {
		fc_lc_fail(v, f, "%s is too large: a mask PNG may hold at most %u bytes.", f, BITMASK_MAX_BYTES);
		return;
	}
	unsigned char *png = malloc(n / 4 * 3 + 3);
	if (!png) {
		fc_lc_fail(v, f, "%s is too large to check.", f);
		return;
	}
	size_t len = 0;
	const char *end = NULL;
	int bad = sodium_base642bin(png, n / 4 * 3 + 3, b64, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) ||
		  end != b64 + n;
	/* Every PNG opens with its signature and then its IHDR chunk. */
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	if (bad)
		fc_lc_fail(v, f, "%s is not valid base64 after \"" PNG_URL_PREFIX "\".", f);
	else if (len < 24 || memcmp(png, sig, sizeof sig) || memcmp(png + 12, "IHDR", 4))
		fc_lc_fail(v, f, "%s does not hold a PNG image (no PNG signature and header).", f);
	free(png);
	/* The item's path is base without its ".value". */
	char item[FC_LC_PATH], g[FC_LC_PATH];
	snprintf(item, sizeof item, "%s", base);
	size_t il = strlen(item);
	if (il > 6 && !strcmp(item + il - 6, ".value"))
		item[il - 6] = '\0';
	static const char *const dims[] = {"original_width", "original_height"};
	for (size_t i = 0; i < 2; i++) {
		const json_t *d = json_object_get(v->item, dims[i]);
		if (d && !(json_is_integer(d) && json_integer_value(d) > 0)) {
			fc_lc_join(g, sizeof g, item, ".", dims[i]);
			fc_lc_fail(v, g, "%s must be a whole number of pixels greater than 0.", g);
		}
	}
}

/* ------------------------------------------------------------ ellipses */

static void percent_at(struct vctx *v, const json_t *value, const char *base, const char *key, int positive)
{
	double x;
	char f[FC_LC_PATH];
	if (!fc_lc_need_number(v, value, base, key, &x))
		return;
	fc_lc_join(f, sizeof f, base, ".", key);
	if (positive && x <= 0)
		fc_lc_fail(v, f, "%s is %g; it must be greater than 0.", f, x);
	else if (x < -PERCENT_EPS || x > 100 + PERCENT_EPS)
		fc_lc_fail(v, f, "%s is %g; it must be between 0 and 100 (percent of the image).", f, x);
}

/* x, y: the centre; radiusX, radiusY: the half axes, all in percent of the
 * image; rotation in degrees. */
void fc_lc_check_ellipse(struct vctx *v, const char *base, const struct fc_lc_control *k,
			 const struct fc_lc_object *obj, const json_t *value)
{
	(void)k, (void)obj;
	percent_at(v, value, base, "x", 0);
	percent_at(v, value, base, "y", 0);
	percent_at(v, value, base, "radiusX", 1);
	percent_at(v, value, base, "radiusY", 1);
	const json_t *r = json_object_get(value, "rotation");
	if (r && !json_is_number(r)) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "rotation");
		fc_lc_fail(v, f, "%s must be a number of degrees.", f);
	}
}

/* Labels on an image (and OcrLabels) name regions drawn by a tool; the
 * value holds that tool's shape, told apart by its keys. */
void fc_lc_check_image_shape(struct vctx *v, const char *base, const struct fc_lc_control *k,
			     const struct fc_lc_object *obj, const json_t *value)
{
	if (json_object_get(value, "points"))
		fc_lc_check_polygon(v, base, k, obj, value);
	else if (json_object_get(value, "rle") || json_object_get(value, "format"))
		fc_lc_check_brush(v, base, k, obj, value);
	else if (json_object_get(value, "imageDataURL"))
		fc_lc_check_bitmask(v, base, k, obj, value);
	else if (json_object_get(value, "radiusX"))
		fc_lc_check_ellipse(v, base, k, obj, value);
	else if (json_object_get(value, "width") && json_object_get(value, "height"))
		fc_lc_check_box(v, base, k, obj, value);
	else
		fc_lc_check_keypoint(v, base, k, obj, value);
}

/* ------------------------------------------------------------ taxonomy */

/* The option of k under parent named s, or -1. */
static ptrdiff_t child_named(const struct fc_lc_control *k, ptrdiff_t parent, const char *s)
{
	for (size_t i = 0; i < k->nopts; i++)
		if (k->opts[i].parent == parent && !strcmp(k->opts[i].alias ? k->opts[i].alias : k->opts[i].value, s))
			return (ptrdiff_t)i;
	return -1;
}

/* In a task's taxonomy ([{"value", "children": [...]}] or strings), the
 * entry of list named s; NULL when none. */
static const json_t *entry_named(const json_t *list, const char *s)
{
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e) {
		const char *name = json_is_string(e) ? json_string_value(e) : fc_json_str(e, "value", NULL);
		if (name && !strcmp(name, s))
			return e;
	}
	return NULL;
}

/* {"taxonomy": [["Eukarya", "Human"], ["Archaea"]]}: each a path from the
 * top of the tree. */
void fc_lc_check_taxonomy(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)obj;
	char f[FC_LC_PATH], fi[FC_LC_PATH], fj[FC_LC_PATH];
	const json_t *paths = fc_lc_need_list(v, value, base, "taxonomy", "an array of paths (arrays of choices)",
					      "pick at least one item", f);
	const json_t *dynamic = fc_lc_dynamic_list(v, k);
	size_t i, j;
	const json_t *path;
	json_array_foreach(paths, i, path) {
		fc_lc_join_index(fi, sizeof fi, f, i);
		if (!json_is_array(path) || json_array_size(path) == 0) {
			fc_lc_fail(v, fi, "%s must be a non-empty array of choices, from the top of the taxonomy down.",
				   fi);
			continue;
		}
		ptrdiff_t at = -1;
		const json_t *level = dynamic, *entry = NULL;
		for (j = 0; j < json_array_size(path); j++) {
			const char *s = fc_lc_string_at(v, path, j, fi, fj, "a string");
			if (!s)
				break;
			if (k->api_url || json_is_null(dynamic))
				continue; /* the tree is not known here */
			if (dynamic) {
				entry = json_is_array(level) ? entry_named(level, s) : NULL;
				level = entry ? json_object_get(entry, "children") : NULL;
				if (entry)
					continue;
			} else if ((at = child_named(k, at, s)) >= 0) {
				continue;
			}
			fc_lc_fail(v, fj,
				   j ? "%s: \"%s\" is not under \"%s\" in <Taxonomy name=\"%s\">."
				     : "%s: \"%s\" is not at the top of <Taxonomy name=\"%s\">.",
				   fj, s, j ? json_string_value(json_array_get(path, j - 1)) : k->name, k->name);
			break;
		}
		if (j < json_array_size(path) || !k->leafs_only || k->api_url || json_is_null(dynamic))
			continue;
		int inner = dynamic ? json_array_size(level) > 0 : (at >= 0 && k->opts[at].has_children);
		if (inner)
			fc_lc_fail(v, fi,
				   "%s ends at \"%s\", which has items under it; <Taxonomy name=\"%s\"> takes leaves only.",
				   fi, json_string_value(json_array_get(path, j - 1)), k->name);
		else if (!dynamic && at >= 0)
			fc_lc_count_option(v, k, (size_t)at);
	}
}

/* ------------------------------------------------------------ dates */

/* Whether s matches pat, where 'd' stands for a digit. */
static const char *match(const char *s, const char *pat)
{
	for (; *pat; pat++, s++)
		if (*pat == 'd' ? (*s < '0' || *s > '9') : *s != *pat)
			return NULL;
	return s;
}

/* The ISO shapes Label Studio writes: "date", "time", "datetime", "month",
 * "year"; NULL for anything else. */
static const char *iso_shape(const char *s)
{
	const char *e;
	if ((e = match(s, "dddd-dd-dd"))) {
		if (!*e)
			return "date";
		if ((*e != 'T' && *e != ' ') || !(e = match(e + 1, "dd:dd")))
			return NULL;
		if (*e == ':' && !(e = match(e + 1, "dd")))
			return NULL;
		if (*e == '.')
			for (e++; *e >= '0' && *e <= '9'; e++)
				;
		if (*e == 'Z')
			e++;
		else if ((*e == '+' || *e == '-') && (e = match(e + 1, "dd:dd")) == NULL)
			return NULL;
		return *e ? NULL : "datetime";
	}
	if ((e = match(s, "dd:dd")) && (!*e || (*e == ':' && (e = match(e + 1, "dd")) && !*e)))
		return "time";
	if ((e = match(s, "dddd-dd")) && !*e)
		return "month";
	if ((e = match(s, "dddd")) && !*e)
		return "year";
	return NULL;
}

/* {"datetime": "2024-05-01T10:30"}; with only="date" a date, only="time" a
 * time, only="month" "2024-05", only="year" "2024". A custom format
 * (strftime) is the requester's; any non-empty text passes then. */
void fc_lc_check_datetime(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)obj;
	const char *s;
	char f[FC_LC_PATH];
	if (!fc_lc_need_string(v, value, base, "datetime", &s))
		return;
	fc_lc_join(f, sizeof f, base, ".", "datetime");
	if (!*s) {
		fc_lc_fail(v, f, "%s is empty; pick a date or time.", f);
		return;
	}
	if (k->dt_format)
		return;
	const char *shape = iso_shape(s);
	const char *want = !k->dt_only || strchr(k->dt_only, ',') ? "datetime" : k->dt_only;
	int ok = shape && (!strcmp(shape, want) || (!strcmp(want, "datetime") && !strcmp(shape, "date")) ||
			   (!strcmp(want, "month") && !strcmp(shape, "date")));
	if (!ok) {
		fc_lc_fail(v, f, "%s is \"%s\"; it must be an ISO %s such as \"%s\".", f, s, want,
			   !strcmp(want, "date")    ? "2024-05-01"
			   : !strcmp(want, "time")  ? "10:30"
			   : !strcmp(want, "month") ? "2024-05"
			   : !strcmp(want, "year")  ? "2024"
						    : "2024-05-01T10:30");
		return;
	}
	/* ISO text of the same shape compares as text. */
	size_t n = strlen(s);
	if (k->dt_min && iso_shape(k->dt_min) && strncmp(s, k->dt_min, n) < 0)
		fc_lc_fail(v, f, "%s is \"%s\"; it must not be before %s.", f, s, k->dt_min);
	else if (k->dt_max && iso_shape(k->dt_max) && strncmp(s, k->dt_max, n) > 0)
		fc_lc_fail(v, f, "%s is \"%s\"; it must not be after %s.", f, s, k->dt_max);
}
