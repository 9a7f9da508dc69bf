/* What the dataset writers share: reading the config's description, image
 * sizes and Label Studio's percent geometry. See dataset.h. */
#include "core/json.h"
#include "core/lsrle.h"
#include "formats/dataset.h"

#include <math.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fc_ds_num(fc_buf *b, double v)
{
	if (!isfinite(v))
		v = 0; /* JSON has no NaN; a broken coordinate must not break the file */
	char txt[48];
	if (fabs(v) >= 1e15) /* past what %.4f fits in txt; no pixel count is this big, but a bad input may be */
		return fc_buf_printf(b, "%.17g", v);
	int n = snprintf(txt, sizeof txt, "%.4f", v);
	while (n > 0 && txt[n - 1] == '0')
		n--;
	if (n > 0 && txt[n - 1] == '.')
		n--;
	if (n == 2 && !strncmp(txt, "-0", 2)) /* -0.00001 rounds to "-0" */
		return fc_buf_puts(b, "0");
	return fc_buf_append(b, txt, (size_t)n);
}

int fc_ds_json(fc_buf *b, const json_t *j)
{
	char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (!txt)
		return FC_ENOMEM;
	int rc = fc_buf_puts(b, txt);
	free(txt);
	return rc;
}

json_t *fc_ds_controls(const json_t *config, const char *const *types)
{
	json_t *out = json_array();
	size_t i;
	const json_t *k;
	json_array_foreach(json_object_get(config, "controls"), i, k) {
		const char *type = json_string_value(json_object_get(k, "type"));
		for (size_t j = 0; type && types[j]; j++)
			if (!strcmp(type, types[j]))
				json_array_append(out, (json_t *)k);
	}
	return out;
}

int fc_ds_require(const json_t *config, const char *const *types, const char *format, const char *wanted, fc_err *err)
{
	json_t *k = fc_ds_controls(config, types);
	size_t n = json_array_size(k);
	json_decref(k);
	if (n)
		return 0;
	return fc_err_set(err, FC_ERULE, "format_unfit", "format", "The %s format needs %s; this project's %s.", format,
			  wanted, config ? "labelling config has none" : "has no labelling config");
}

json_t *fc_ds_first_control(const json_t *config, const char *const *types)
{
	json_t *k = fc_ds_controls(config, types), *first = json_incref(json_array_get(k, 0));
	json_decref(k);
	return first;
}

const char *fc_ds_object_value(const json_t *config, const json_t *control, const json_t *data)
{
	const char *to = json_string_value(json_array_get(json_object_get(control, "to_name"), 0));
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(config, "objects"), i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *field = json_string_value(json_object_get(o, "field"));
		if (to && name && field && !strcmp(to, name))
			return json_string_value(json_object_get(data, field));
	}
	return NULL;
}

void fc_ds_file_stem(const char *url, int64_t task_id, int keep_ext, char *out, size_t n)
{
	size_t j = 0;
	if (url) {
		size_t end = strcspn(url, "?#");
		size_t start = end;
		while (start > 0 && url[start - 1] != '/')
			start--;
		if (!keep_ext) {
			for (size_t k = end; k > start + 1; k--)
				if (url[k - 1] == '.') {
					end = k - 1;
					break;
				}
		}
		for (size_t k = start; k < end && j + 1 < n; k++) {
			char ch = url[k];
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
				 ch == '.' || ch == '-' || ch == '_';
			out[j++] = ok ? ch : '_';
		}
	}
	out[j] = 0;
	if (!j || out[0] == '.') /* nothing usable, or a hidden file's name */
		snprintf(out, n, "task-%lld", (long long)task_id);
}

void fc_ds_box_px(const json_t *value, double w, double h, double box[4])
{
	double x = fc_json_num(value, "x", 0) * w / 100, y = fc_json_num(value, "y", 0) * h / 100;
	double bw = fc_json_num(value, "width", 0) * w / 100, bh = fc_json_num(value, "height", 0) * h / 100;
	double deg = fc_json_num(value, "rotation", 0);
	if (deg == 0) {
		box[0] = x, box[1] = y, box[2] = bw, box[3] = bh;
		return;
	}
	/* Label Studio rotates about the top-left corner; the box is the
	 * extent of the four corners */
	double r = deg * M_PI / 180, c = cos(r), s = sin(r);
	double xs[4] = {0, bw * c, bw * c - bh * s, -bh * s}, ys[4] = {0, bw * s, bw * s + bh * c, bh * c};
	double x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
	for (int i = 1; i < 4; i++) {
		x0 = fmin(x0, xs[i]), x1 = fmax(x1, xs[i]);
		y0 = fmin(y0, ys[i]), y1 = fmax(y1, ys[i]);
	}
	box[0] = x + x0, box[1] = y + y0, box[2] = x1 - x0, box[3] = y1 - y0;
}

void fc_ds_image_size(const fc_ds_task *t, double *w, double *h)
{
	*w = *h = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t j;
		const json_t *item;
		json_array_foreach(t->anns[i].result, j, item) {
			double ow = fc_json_num(item, "original_width", 0), oh = fc_json_num(item, "original_height", 0);
			if (ow > 0 && oh > 0) {
				*w = ow, *h = oh;
				return;
			}
		}
	}
}

json_t *fc_ds_class_names(const json_t *config)
{
	static const char *const types[] = {"rectanglelabels", "polygonlabels", NULL};
	json_t *controls = fc_ds_controls(config, types), *names = json_array();
	size_t i, j;
	json_t *k, *label;
	json_array_foreach(controls, i, k) {
		json_array_foreach(json_object_get(k, "labels"), j, label) {
			if (fc_ds_index_of(names, json_string_value(label)) < 0)
				json_array_append(names, label);
		}
	}
	json_decref(controls);
	return names;
}

int fc_ds_index_of(const json_t *names, const char *name)
{
	size_t i;
	const json_t *v;
	json_array_foreach(names, i, v) {
		const char *s = json_string_value(v);
		if (name && s && !strcmp(s, name))
			return (int)i;
	}
	return -1;
}

const json_t *fc_ds_chat_messages(const json_t *config, const json_t *data, const char **name)
{
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(config, "objects"), i, o) {
		if (strcmp(json_string_value(json_object_get(o, "type")) ?: "", "chat"))
			continue;
		if (name)
			*name = json_string_value(json_object_get(o, "name"));
		const json_t *m = json_object_get(data, json_string_value(json_object_get(o, "field")) ?: "");
		return json_is_array(m) && json_array_size(m) ? m : NULL;
	}
	return NULL;
}

#define MAX_MASK_PIXELS (100u * 1000 * 1000)

#define PNG_URL "data:image/png;base64,"

/* A Bitmask's PNG (value.imageDataURL): painted where alpha >= 128 (Label
 * Studio paints black on transparent), or, for a PNG without alpha, where
 * the grey level is >= 128 (a brush_png file). At the PNG's own size. */
static int bitmask(const char *url, uint8_t **mask, size_t *w, size_t *h)
{
	const char *b64 = url + sizeof PNG_URL - 1;
	size_t n = strlen(b64), cap = n / 4 * 3 + 3, len = 0;
	unsigned char *bytes = malloc(cap);
	if (!bytes)
		return FC_ENOMEM;
	png_image img = {.version = PNG_IMAGE_VERSION};
	int rc = FC_ENOTFOUND; /* not base64, not a PNG, too large: nothing to draw (checked when submitted) */
	if (sodium_base642bin(bytes, cap, b64, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    !png_image_begin_read_from_memory(&img, bytes, len))
		goto out;
	int alpha = (img.format & PNG_FORMAT_FLAG_ALPHA) != 0;
	if (!img.width || !img.height || (uint64_t)img.width * img.height > MAX_MASK_PIXELS) {
		png_image_free(&img);
		goto out;
	}
	img.format = PNG_FORMAT_GA;
	size_t px = (size_t)img.width * img.height;
	uint8_t *ga = malloc(px * 2), *m = malloc(px);
	if (!ga || !m) {
		png_image_free(&img);
		free(ga);
		free(m);
		rc = FC_ENOMEM;
		goto out;
	}
	int ok = png_image_finish_read(&img, NULL, ga, 0, NULL);
	png_image_free(&img); /* done already by finish_read; harmless twice */
	if (!ok) {
		free(ga);
		free(m);
		goto out;
	}
	for (size_t i = 0; i < px; i++)
		m[i] = ga[2 * i + alpha] >= 128;
	free(ga);
	*mask = m, *w = img.width, *h = img.height;
	rc = 0;
out:
	free(bytes);
	return rc;
}

int fc_ds_brush_mask(const json_t *item, double iw, double ih, uint8_t **mask, size_t *w, size_t *h)
{
	const char *url = json_string_value(json_object_get(json_object_get(item, "value"), "imageDataURL"));
	*mask = NULL;
	if (url && !strncmp(url, PNG_URL, sizeof PNG_URL - 1))
		return bitmask(url, mask, w, h);
	const json_t *rle = json_object_get(json_object_get(item, "value"), "rle");
	double fw = fc_json_num(item, "original_width", iw), fh = fc_json_num(item, "original_height", ih);
	size_t n = json_array_size(rle);
	*mask = NULL;
	if (!n || !(fw >= 1 && fh >= 1 && fw * fh <= MAX_MASK_PIXELS))
		return FC_ENOTFOUND;
	*w = (size_t)fw, *h = (size_t)fh;
	unsigned char *bytes = malloc(n);
	uint8_t *m = calloc(*w * *h, 1);
	if (!bytes || !m) {
		free(bytes);
		free(m);
		return FC_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		bytes[i] = (unsigned char)json_integer_value(json_array_get(rle, i));
	fc_lsrle_alpha(bytes, n, m, *w * *h); /* checked when submitted */
	free(bytes);
	*mask = m;
	return 0;
}
