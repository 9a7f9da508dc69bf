/* Brush masks as PNG files (Label Studio's "brush labels to PNG" export), a
 * zip: one PNG per brush region of each kept annotation, named
 *   task-<task id>-annotation-<submission id>-by-<worker_id>-tag-<label>-<n>.png
 * (<label> the region's first label reduced to [A-Za-z0-9._-], the control's
 * name for an unlabelled Brush; <n> counts the regions of the annotation
 * from 0). Each PNG is 8-bit greyscale at the result's original_width ×
 * original_height: 255 where the mask is painted, 0 elsewhere — the alpha
 * channel of Label Studio's RLE, so a pixel is in the mask exactly when the
 * COCO export's RLE says so. Bitmask and BitmaskLabels results (a PNG in a
 * data URL, at its own size) are written the same way, re-encoded as such a
 * mask. One mask is in memory at a time (libpng writes
 * it into the file buffer the driver then adds to the zip). */
#include "formats/dataset.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

static const char *const BRUSH_TYPES[] = {"brushlabels", "brush", "bitmasklabels", "bitmask", NULL};

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, BRUSH_TYPES, "brush_png",
			     "a BrushLabels, Brush, BitmaskLabels or Bitmask control on an Image", err);
}

static void on_write(png_structp png, png_bytep p, size_t n)
{
	if (fc_buf_append(png_get_io_ptr(png), p, n))
		png_error(png, "out of memory");
}

static void on_flush(png_structp png) { (void)png; }

/* Appends the w × h mask m (0/1) to b as a greyscale PNG. */
static int png_mask(fc_buf *b, const uint8_t *m, size_t w, size_t h)
{
	if (w > PNG_UINT_31_MAX || h > PNG_UINT_31_MAX)
		return FC_EINVAL;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *volatile row = malloc(w);
	if (!png || !info || !row) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return FC_ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return FC_ENOMEM; /* the only error on_write raises; libpng's own need memory too */
	}
	png_set_write_fn(png, b, on_write, on_flush);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 6);
	png_write_info(png, info);
	for (size_t y = 0; y < h; y++) {
		for (size_t x = 0; x < w; x++)
			row[x] = m[y * w + x] ? 255 : 0;
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

/* The region's label for its file name: [A-Za-z0-9._-], others as '_'. */
static void label_of(const json_t *item, char *out, size_t n)
{
	const json_t *value = json_object_get(item, "value");
	const char *l = json_string_value(json_array_get(json_object_get(value, "brushlabels"), 0));
	if (!l)
		l = json_string_value(json_array_get(json_object_get(value, "bitmasklabels"), 0));
	if (!l)
		l = json_string_value(json_array_get(json_object_get(value, "labels"), 0));
	if (!l)
		l = json_string_value(json_object_get(item, "from_name"));
	size_t i = 0;
	for (; l && l[i] && i + 1 < n; i++) {
		char ch = l[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '.' || ch == '_' || ch == '-';
		out[i] = ok ? ch : '_';
	}
	out[i] = 0;
	if (!i || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, n, "mask");
}

static int is_mask(const char *type)
{
	for (size_t i = 0; type && BRUSH_TYPES[i]; i++)
		if (!strcmp(type, BRUSH_TYPES[i]))
			return 1;
	return 0;
}

static int annotation(fc_ds_ctx *c, const fc_ds_task *t, const fc_ds_ann *a, double iw, double ih)
{
	size_t i, n = 0;
	json_t *item;
	json_array_foreach(a->result, i, item) {
		const char *type = json_string_value(json_object_get(item, "type"));
		if (!is_mask(type))
			continue;
		uint8_t *m;
		size_t w, h;
		int rc = fc_ds_brush_mask(item, iw, ih, &m, &w, &h);
		if (rc == FC_ENOTFOUND)
			continue; /* no RLE or no size: nothing to draw */
		if (!rc)
			rc = png_mask(c->out, m, w, h);
		free(m);
		char label[64], name[256];
		label_of(item, label, sizeof label);
		snprintf(name, sizeof name, "task-%lld-annotation-%lld-by-%s-tag-%s-%zu.png", (long long)t->id,
			 (long long)a->id, a->worker_id, label, n++);
		if (rc || (rc = fc_ds_emit_file(c, name)))
			return rc;
	}
	return 0;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	(void)pass;
	double iw, ih;
	fc_ds_image_size(t, &iw, &ih);
	for (size_t k = 0; k < t->n; k++) {
		int rc = annotation(c, t, &t->anns[k], iw, ih);
		if (rc)
			return rc;
	}
	return 0;
}

const fc_ds_format fc_ds_brush_png = {
	.name = "brush_png",
	.content_type = "application/zip",
	.extension = "zip",
	.zip = 1,
	.passes = 1,
	.check = check,
	.task = task,
};
