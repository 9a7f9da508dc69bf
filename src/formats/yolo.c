/* YOLO (Ultralytics layout), a zip: data.yaml with the class names, and
 * labels/<image stem>.txt per task with kept annotations, one line per
 * region: "class cx cy w h" for a box, "class x1 y1 x2 y2 …" for a polygon,
 * all normalised to 0..1 (Label Studio's percent / 100, clipped to the
 * image). Classes are the box and polygon labels of the config in order,
 * from 0. A task whose annotations hold no region gets an empty file, which
 * YOLO reads as an image with no objects.
 *
 * yolo_pose is the pose variant: one class per KeyPointLabels control, one
 * line per submission and control "class cx cy w h x1 y1 v1 … xK yK vK"
 * (the box around the placed points; v 2 for a placed point, "0 0 0" for
 * one not placed, as COCO), K the most labels of any such control, and
 * data.yaml's kpt_shape [K, 3]. */
#include "formats/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const REGION_TYPES[] = {"rectanglelabels", "polygonlabels", NULL};
static const char *const KEYPOINT_TYPES[] = {"keypointlabels", NULL};

typedef struct state {
	json_t *names;
	json_t *image_control;
	json_t *keypoints; /* yolo_pose: the KeyPointLabels controls (the classes) */
	size_t k;          /* yolo_pose: keypoints per line */
} state;

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, REGION_TYPES, "yolo", "a RectangleLabels or PolygonLabels control on an Image", err);
}

static double unit(double percent) { return fmin(1, fmax(0, percent / 100)); }

static int coord(fc_buf *b, double v) { return fc_buf_printf(b, " %.6f", v); }

static int pose_check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, KEYPOINT_TYPES, "yolo_pose", "a KeyPointLabels control on an Image", err);
}

/* data.yaml: the head, kpt_shape for pose, and the class names. */
static int data_yaml(fc_ds_ctx *c, const json_t *names)
{
	state *s = c->state;
	fc_buf *b = c->out;
	int rc = fc_buf_printf(b,
			       "# faircrowd project %lld: put each image in images/ under the name of its label file\n"
			       "path: .\ntrain: images\nval: images\n",
			       (long long)c->project_id);
	if (s->keypoints)
		rc |= fc_buf_printf(b, "kpt_shape: [%zu, 3]\n", s->k);
	rc |= fc_buf_printf(b, "nc: %zu\nnames:\n", json_array_size(names));
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v) {
		rc |= fc_buf_printf(b, "  %zu: ", i);
		rc |= fc_ds_json(b, v); /* a JSON string is a YAML double-quoted scalar */
		rc |= fc_buf_puts(b, "\n");
	}
	json_array_foreach(s->keypoints, i, v) { /* which point is which, per class */
		rc |= fc_buf_printf(b, "# class %zu keypoints: ", i);
		rc |= fc_ds_json(b, json_object_get(v, "labels"));
		rc |= fc_buf_puts(b, "\n");
	}
	return rc ? FC_ENOMEM : fc_ds_emit_file(c, "data.yaml");
}

static int begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->names = fc_ds_class_names(c->config);
	s->image_control = fc_ds_first_control(c->config, REGION_TYPES);
	return data_yaml(c, s->names);
}

static int pose_begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->keypoints = fc_ds_controls(c->config, KEYPOINT_TYPES);
	s->image_control = fc_ds_first_control(c->config, KEYPOINT_TYPES);
	s->names = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(s->keypoints, i, v) {
		json_array_append(s->names, json_object_get(v, "name"));
		size_t n = json_array_size(json_object_get(v, "labels"));
		s->k = n > s->k ? n : s->k;
	}
	return data_yaml(c, s->names);
}

/* One pose line: the points submission `result` placed with control k. */
static int pose_line(fc_ds_ctx *c, const json_t *result, size_t k)
{
	state *s = c->state;
	const json_t *control = json_array_get(s->keypoints, k);
	const char *name = json_string_value(json_object_get(control, "name"));
	const json_t *labels = json_object_get(control, "labels");
	size_t nk = s->k;
	double *kp = calloc(nk * 3 + 1, sizeof *kp); /* x, y in 0..1, v */
	if (!kp)
		return FC_ENOMEM;
	double x0 = 1, y0 = 1, x1 = 0, y1 = 0;
	int placed = 0;
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const json_t *value = json_object_get(item, "value");
		const char *from = json_string_value(json_object_get(item, "from_name"));
		int at = fc_ds_index_of(labels,
					json_string_value(json_array_get(json_object_get(value, "keypointlabels"), 0)));
		if (!from || !name || strcmp(from, name) || at < 0 || (size_t)at >= nk)
			continue;
		double x = unit(json_number_value(json_object_get(value, "x")));
		double y = unit(json_number_value(json_object_get(value, "y")));
		placed += kp[at * 3 + 2] == 0;
		kp[at * 3] = x, kp[at * 3 + 1] = y, kp[at * 3 + 2] = 2;
		x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
	}
	int rc = 0;
	if (placed) {
		rc |= fc_buf_printf(c->out, "%zu", k);
		rc |= coord(c->out, (x0 + x1) / 2) | coord(c->out, (y0 + y1) / 2);
		rc |= coord(c->out, x1 - x0) | coord(c->out, y1 - y0);
	}
	for (size_t j = 0; placed && j < nk; j++) {
		rc |= coord(c->out, kp[j * 3]) | coord(c->out, kp[j * 3 + 1]);
		rc |= fc_buf_printf(c->out, " %.0f", kp[j * 3 + 2]);
	}
	free(kp);
	return placed ? rc | fc_buf_puts(c->out, "\n") : rc;
}

/* w, h: the image in pixels (rotation is in pixel space), or 100 × 100 when
 * unknown, which is exact for unrotated boxes. */
static int region(fc_ds_ctx *c, const json_t *item, double w, double h)
{
	state *s = c->state;
	const char *type = json_string_value(json_object_get(item, "type"));
	const json_t *value = json_object_get(item, "value");
	if (!type)
		return 0;
	int rc = 0;
	if (!strcmp(type, "rectanglelabels")) {
		int cls = fc_ds_index_of(s->names,
					 json_string_value(json_array_get(json_object_get(value, "rectanglelabels"), 0)));
		if (cls < 0)
			return 0;
		double box[4];
		fc_ds_box_px(value, w, h, box);
		double x0 = unit(box[0] * 100 / w), y0 = unit(box[1] * 100 / h);
		double x1 = unit((box[0] + box[2]) * 100 / w), y1 = unit((box[1] + box[3]) * 100 / h);
		rc |= fc_buf_printf(c->out, "%d", cls);
		rc |= coord(c->out, (x0 + x1) / 2) | coord(c->out, (y0 + y1) / 2);
		rc |= coord(c->out, x1 - x0) | coord(c->out, y1 - y0);
	} else if (!strcmp(type, "polygonlabels")) {
		int cls = fc_ds_index_of(s->names,
					 json_string_value(json_array_get(json_object_get(value, "polygonlabels"), 0)));
		const json_t *points = json_object_get(value, "points");
		if (cls < 0 || json_array_size(points) < 3)
			return 0;
		rc |= fc_buf_printf(c->out, "%d", cls);
		size_t i;
		const json_t *p;
		json_array_foreach(points, i, p) {
			rc |= coord(c->out, unit(json_number_value(json_array_get(p, 0))));
			rc |= coord(c->out, unit(json_number_value(json_array_get(p, 1))));
		}
	} else {
		return 0;
	}
	return rc | fc_buf_puts(c->out, "\n");
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	state *s = c->state;
	if (!t->n)
		return 0;
	int rc = 0;
	double w, h;
	fc_ds_image_size(t, &w, &h);
	if (w <= 0 || h <= 0)
		w = h = 100;
	for (size_t i = 0; i < t->n; i++) {
		size_t j;
		const json_t *item;
		if (s->keypoints)
			for (j = 0; j < json_array_size(s->keypoints); j++)
				rc |= pose_line(c, t->anns[i].result, j);
		else
			json_array_foreach(t->anns[i].result, j, item)
				rc |= region(c, item, w, h);
	}
	if (rc)
		return FC_ENOMEM;
	char stem[200], name[256];
	fc_ds_file_stem(fc_ds_object_value(c->config, s->image_control, t->data), t->id, 0, stem, sizeof stem);
	snprintf(name, sizeof name, "labels/%s.txt", stem);
	return fc_ds_emit_file(c, name);
}

static void release(void *p)
{
	state *s = p;
	json_decref(s->names);
	json_decref(s->image_control);
	json_decref(s->keypoints);
}

const fc_ds_format fc_ds_yolo = {
	.name = "yolo",
	.content_type = "application/zip",
	.extension = "zip",
	.zip = 1,
	.passes = 1,
	.state_size = sizeof(state),
	.check = check,
	.begin = begin,
	.task = task,
	.free = release,
	.drops = FC_DS_ALL_MASKS,
};

const fc_ds_format fc_ds_yolo_pose = {
	.name = "yolo_pose",
	.content_type = "application/zip",
	.extension = "zip",
	.zip = 1,
	.passes = 1,
	.state_size = sizeof(state),
	.check = pose_check,
	.begin = pose_begin,
	.task = task,
	.free = release,
	.drops = FC_DS_ALL_MASKS,
};
