/* COCO: one JSON object {info, licenses, categories, images, annotations}.
 * Categories are the box and polygon labels of the config in order (ids from
 * 1), then one per KeyPointLabels control named after it, whose keypoints are
 * its labels. Images are the tasks with kept annotations (id = task id, size
 * from the results' original_width/original_height); annotations hold bbox
 * [x,y,w,h] and polygon segmentation in pixels (percent × size / 100), and
 * for keypoints one annotation per submission and control with [x,y,v,…]
 * (v 2 for a placed point, 0,0,0 for one not placed). Brush masks (Label
 * Studio's RLE) become COCO's uncompressed RLE {"size":[h,w],"counts":[…]}
 * (column-major, starting with a run of 0s) in categories of their own,
 * after the keypoint ones; BitmaskLabels masks (a PNG in a data URL) the
 * same way, their labels among the brush ones. Each mask's bbox and area
 * are counted from its pixels. The tasks are walked twice: images first, then
 * annotations, so nothing is held in memory but one mask at a time. */
#include "core/json.h"
#include "formats/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const REGION_TYPES[] = {"rectanglelabels", "polygonlabels", "keypointlabels",
					   "brushlabels",     "bitmasklabels", NULL};
static const char *const BRUSH_TYPES[] = {"brushlabels", "bitmasklabels", NULL};
static const char *const KEYPOINT_TYPES[] = {"keypointlabels", NULL};
/* masks without a label have no category to go in */
static const char *const UNLABELLED_MASKS[] = {"brush", "bitmask", NULL};

typedef struct state {
	json_t *names;     /* box and polygon categories */
	json_t *keypoints; /* KeyPointLabels controls */
	json_t *brushes;   /* BrushLabels and BitmaskLabels labels, categories after the keypoint ones */
	json_t *image_control;
	int64_t next_id;
	int images_written, annotations_open, annotations_written;
} state;

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(
		config, REGION_TYPES, "coco",
		"a RectangleLabels, PolygonLabels, KeyPointLabels, BrushLabels or BitmaskLabels control on an Image",
		err);
}

static int begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->names = fc_ds_class_names(c->config);
	s->keypoints = fc_ds_controls(c->config, KEYPOINT_TYPES);
	s->brushes = json_array();
	json_t *bc = fc_ds_controls(c->config, BRUSH_TYPES), *k, *label;
	size_t bi, bj;
	json_array_foreach(bc, bi, k) {
		json_array_foreach(json_object_get(k, "labels"), bj, label) {
			if (fc_ds_index_of(s->brushes, json_string_value(label)) < 0)
				json_array_append(s->brushes, label);
		}
	}
	json_decref(bc);
	s->image_control = fc_ds_first_control(c->config, REGION_TYPES);
	s->next_id = 1;
	fc_buf *b = c->out;
	int rc = fc_buf_printf(b,
			       "{\"info\":{\"description\":\"faircrowd project %lld\"},\"licenses\":[],\"categories\":[",
			       (long long)c->project_id);
	size_t i;
	json_t *v;
	json_array_foreach(s->names, i, v) {
		rc |= fc_buf_printf(b, "%s{\"id\":%zu,\"name\":", i ? "," : "", i + 1);
		rc |= fc_ds_json(b, v);
		rc |= fc_buf_puts(b, ",\"supercategory\":\"\"}");
	}
	size_t base = json_array_size(s->names);
	json_array_foreach(s->keypoints, i, v) {
		rc |= fc_buf_printf(b, "%s{\"id\":%zu,\"name\":", base + i ? "," : "", base + i + 1);
		rc |= fc_ds_json(b, json_object_get(v, "name"));
		rc |= fc_buf_puts(b, ",\"supercategory\":\"\",\"keypoints\":");
		rc |= fc_ds_json(b, json_object_get(v, "labels"));
		/* Label Studio configs have no skeleton: the pairs are left to the user */
		rc |= fc_buf_puts(b, ",\"skeleton\":[]}");
	}
	base += json_array_size(s->keypoints);
	json_array_foreach(s->brushes, i, v) {
		rc |= fc_buf_printf(b, "%s{\"id\":%zu,\"name\":", base + i ? "," : "", base + i + 1);
		rc |= fc_ds_json(b, v);
		rc |= fc_buf_puts(b, ",\"supercategory\":\"\"}");
	}
	rc |= fc_buf_puts(b, "],\"images\":[");
	return rc ? FC_ENOMEM : 0;
}

static int image(fc_ds_ctx *c, const fc_ds_task *t)
{
	state *s = c->state;
	double w, h;
	fc_ds_image_size(t, &w, &h);
	const char *url = fc_ds_object_value(c->config, s->image_control, t->data);
	char name[256];
	fc_ds_file_stem(url, t->id, 1, name, sizeof name);
	int rc = fc_buf_printf(c->out, "%s\n{\"id\":%lld,\"file_name\":", s->images_written ? "," : "", (long long)t->id);
	rc |= fc_buf_json_str(c->out, name);
	if (url) {
		rc |= fc_buf_puts(c->out, ",\"coco_url\":");
		rc |= fc_buf_json_str(c->out, url);
	}
	rc |= fc_buf_printf(c->out, ",\"width\":%.0f,\"height\":%.0f}", w, h);
	s->images_written = 1;
	return rc;
}

/* Writes the head of one annotation, up to and including "bbox". */
static int ann_head(fc_ds_ctx *c, const fc_ds_task *t, int category, const double box[4])
{
	state *s = c->state;
	fc_buf *b = c->out;
	int rc = fc_buf_printf(b, "%s\n{\"id\":%lld,\"image_id\":%lld,\"category_id\":%d,\"bbox\":[",
			       s->annotations_written ? "," : "", (long long)s->next_id++, (long long)t->id, category);
	for (int i = 0; i < 4; i++) {
		rc |= i ? fc_buf_puts(b, ",") : 0;
		rc |= fc_ds_num(b, box[i]);
	}
	s->annotations_written = 1;
	return rc | fc_buf_puts(b, "],\"iscrowd\":0");
}

static int ann_tail(fc_ds_ctx *c, const fc_ds_ann *a, double area)
{
	int rc = fc_buf_puts(c->out, ",\"area\":");
	rc |= fc_ds_num(c->out, area);
	return rc | fc_buf_printf(c->out, ",\"worker_id\":\"%s\"}", a->worker_id);
}

static const char *first_label(const json_t *value, const char *key)
{
	return json_string_value(json_array_get(json_object_get(value, key), 0));
}

static int box(fc_ds_ctx *c, const fc_ds_task *t, const fc_ds_ann *a, const json_t *value, double w, double h)
{
	state *s = c->state;
	int cat = fc_ds_index_of(s->names, first_label(value, "rectanglelabels"));
	if (cat < 0)
		return 0; /* a label the config no longer has */
	double px[4];
	fc_ds_box_px(value, w, h, px);
	int rc = ann_head(c, t, cat + 1, px);
	rc |= fc_buf_puts(c->out, ",\"segmentation\":[]");
	return rc | ann_tail(c, a, px[2] * px[3]);
}

static int polygon(fc_ds_ctx *c, const fc_ds_task *t, const fc_ds_ann *a, const json_t *value, double w, double h)
{
	state *s = c->state;
	int cat = fc_ds_index_of(s->names, first_label(value, "polygonlabels"));
	const json_t *points = json_object_get(value, "points");
	size_t n = json_array_size(points);
	if (cat < 0 || n < 3)
		return 0;
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, area = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(points, i), *q = json_array_get(points, (i + 1) % n);
		double x = json_number_value(json_array_get(p, 0)) * w / 100,
		       y = json_number_value(json_array_get(p, 1)) * h / 100;
		double qx = json_number_value(json_array_get(q, 0)) * w / 100,
		       qy = json_number_value(json_array_get(q, 1)) * h / 100;
		x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
		area += x * qy - qx * y; /* the shoelace formula */
	}
	double bbox[4] = {x0, y0, x1 - x0, y1 - y0};
	int rc = ann_head(c, t, cat + 1, bbox);
	rc |= fc_buf_puts(c->out, ",\"segmentation\":[[");
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(points, i);
		rc |= fc_buf_puts(c->out, i ? "," : "");
		rc |= fc_ds_num(c->out, json_number_value(json_array_get(p, 0)) * w / 100);
		rc |= fc_buf_puts(c->out, ",");
		rc |= fc_ds_num(c->out, json_number_value(json_array_get(p, 1)) * h / 100);
	}
	rc |= fc_buf_puts(c->out, "]]");
	return rc | ann_tail(c, a, fabs(area) / 2);
}

/* Writes COCO's counts: runs of 0s and 1s down the columns, from a 0 run. */
static int mask_counts(fc_buf *b, const uint8_t *m, size_t w, size_t h)
{
	uint8_t cur = 0;
	size_t run = 0;
	int rc = 0, first = 1;
	for (size_t x = 0; x < w; x++)
		for (size_t y = 0; y < h; y++) {
			if (m[y * w + x] == cur) {
				run++;
				continue;
			}
			rc |= fc_buf_printf(b, "%s%zu", first ? "" : ",", run);
			first = 0;
			cur = m[y * w + x];
			run = 1;
		}
	return rc | fc_buf_printf(b, "%s%zu", first ? "" : ",", run);
}

/* A brush mask: decoded from Label Studio's RLE at the item's
 * original_width × original_height (else the image's size), or from a
 * bitmask's PNG (key "bitmasklabels"). */
static int brush(fc_ds_ctx *c, const fc_ds_task *t, const fc_ds_ann *a, const json_t *item, const char *key, double iw,
		 double ih)
{
	state *s = c->state;
	int cat = fc_ds_index_of(s->brushes, first_label(json_object_get(item, "value"), key));
	uint8_t *m;
	size_t w, h;
	if (cat < 0)
		return 0;
	int rc = fc_ds_brush_mask(item, iw, ih, &m, &w, &h);
	if (rc)
		return rc == FC_ENOTFOUND ? 0 : rc;
	size_t x0 = w, y0 = h, x1 = 0, y1 = 0, area = 0;
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++)
			if (m[y * w + x]) {
				area++;
				x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
			}
	if (!area)
		goto out;
	double bbox[4] = {(double)x0, (double)y0, (double)(x1 - x0 + 1), (double)(y1 - y0 + 1)};
	size_t base = json_array_size(s->names) + json_array_size(s->keypoints);
	rc = ann_head(c, t, (int)(base + (size_t)cat + 1), bbox);
	rc |= fc_buf_printf(c->out, ",\"segmentation\":{\"size\":[%zu,%zu],\"counts\":[", h, w);
	rc |= mask_counts(c->out, m, w, h);
	rc |= fc_buf_puts(c->out, "]}");
	rc |= ann_tail(c, a, (double)area);
out:
	free(m);
	return rc;
}

/* One annotation for the points a submission placed with one KeyPointLabels control. */
static int keypoints(fc_ds_ctx *c, const fc_ds_task *t, const fc_ds_ann *a, size_t k, double w, double h)
{
	state *s = c->state;
	const json_t *control = json_array_get(s->keypoints, k);
	const char *name = json_string_value(json_object_get(control, "name"));
	const json_t *labels = json_object_get(control, "labels");
	size_t nk = json_array_size(labels);
	double *kp = calloc(nk ? nk * 3 : 1, sizeof *kp);
	if (!kp)
		return FC_ENOMEM;
	int placed = 0;
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
	size_t i;
	const json_t *item;
	json_array_foreach(a->result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		const json_t *value = json_object_get(item, "value");
		int at = fc_ds_index_of(labels, first_label(value, "keypointlabels"));
		if (!from || !name || strcmp(from, name) || at < 0)
			continue;
		double x = fc_json_num(value, "x", 0) * w / 100, y = fc_json_num(value, "y", 0) * h / 100;
		placed += kp[at * 3 + 2] == 0;
		kp[at * 3] = x, kp[at * 3 + 1] = y, kp[at * 3 + 2] = 2;
		x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
	}
	int rc = 0;
	if (placed) {
		double bbox[4] = {x0, y0, x1 - x0, y1 - y0};
		rc = ann_head(c, t, (int)(json_array_size(s->names) + k + 1), bbox);
		rc |= fc_buf_puts(c->out, ",\"segmentation\":[],\"keypoints\":[");
		for (size_t j = 0; j < nk * 3; j++) {
			rc |= fc_buf_puts(c->out, j ? "," : "");
			rc |= fc_ds_num(c->out, kp[j]);
		}
		rc |= fc_buf_printf(c->out, "],\"num_keypoints\":%d", placed);
		rc |= ann_tail(c, a, bbox[2] * bbox[3]);
	}
	free(kp);
	return rc;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	state *s = c->state;
	int rc = 0;
	if (pass == 1 && !s->annotations_open) {
		rc |= fc_buf_puts(c->out, "],\"annotations\":[");
		s->annotations_open = 1;
	}
	if (!t->n)
		return rc;
	if (pass == 0)
		return image(c, t) ? FC_ENOMEM : 0;
	double w, h;
	fc_ds_image_size(t, &w, &h);
	for (size_t i = 0; i < t->n && !rc; i++) {
		const fc_ds_ann *a = &t->anns[i];
		size_t j;
		const json_t *item;
		json_array_foreach(a->result, j, item) {
			const char *type = json_string_value(json_object_get(item, "type"));
			const json_t *value = json_object_get(item, "value");
			if (type && !strcmp(type, "rectanglelabels"))
				rc |= box(c, t, a, value, w, h);
			else if (type && !strcmp(type, "polygonlabels"))
				rc |= polygon(c, t, a, value, w, h);
			else if (type && (!strcmp(type, "brushlabels") || !strcmp(type, "bitmasklabels")))
				rc |= brush(c, t, a, item, type, w, h);
		}
		for (size_t k = 0; k < json_array_size(s->keypoints); k++)
			rc |= keypoints(c, t, a, k, w, h);
	}
	return rc ? FC_ENOMEM : 0;
}

static int end(fc_ds_ctx *c)
{
	state *s = c->state;
	return fc_buf_puts(c->out, s->annotations_open ? "\n]}\n" : "],\"annotations\":[]}\n");
}

static void release(void *p)
{
	state *s = p;
	json_decref(s->names);
	json_decref(s->keypoints);
	json_decref(s->brushes);
	json_decref(s->image_control);
}

const fc_ds_format fc_ds_coco = {
	.name = "coco",
	.content_type = "application/json",
	.extension = "json",
	.passes = 2,
	.sizes_pass = 1, /* the images: only their sizes come from the results */
	.state_size = sizeof(state),
	.check = check,
	.begin = begin,
	.task = task,
	.end = end,
	.free = release,
	.drops = UNLABELLED_MASKS,
};
