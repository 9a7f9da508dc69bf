/* COCO JSON as pre-annotations: each image becomes a task whose data field
 * is the config's first Image object's ($image → "image": coco_url, else
 * flickr_url, else file_name), and the image's annotations become the
 * task's Label Studio predictions (model_version "coco"), which annotators
 * see as a start: a polygon segmentation as a polygonlabels region when the
 * config has a PolygonLabels control with the category, else the bbox as a
 * rectanglelabels region; keypoints with v > 0 as keypointlabels points.
 * Coordinates become percent of the image's width/height. No predictions
 * table exists: they are stored in tasks.predictions, where a Label Studio
 * import keeps them.
 *
 * A COCO file is one object whose annotations refer to images by id, so it
 * is read whole (up to MAX_COCO bytes). */
#include "core/json.h"
#include "work/configcache.h"
#include "work/import_internal.h"

#include <stdio.h>
#include <string.h>

#define MAX_COCO (256L * 1024 * 1024)

typedef struct coco {
	importer *im;
	const char *image_name, *field; /* the Image object */
	const json_t *rect, *poly, *kp; /* the controls on it, or NULL */
	json_t *cats;                   /* "id" → category */
	json_t *by_image;               /* "image id" → [annotation] */
} coco;

static int bad(coco *c, const char *field, const char *fmt, const char *where, const char *what)
{
	return fc_err_set(c->im->err, FC_EINVAL, "invalid_coco", field, fmt, where, what);
}

/* 1 when the control's labels hold label. */
static int has_label(const json_t *control, const char *label)
{
	size_t i;
	const json_t *l;
	json_array_foreach(json_object_get(control, "labels"), i, l)
		if (label && json_is_string(l) && !strcmp(json_string_value(l), label))
			return 1;
	return 0;
}

/* A whole number as an integer (image sizes read back as Label Studio wrote them). */
static json_t *num(double v) { return v == (double)(json_int_t)v ? json_integer((json_int_t)v) : json_real(v); }

static json_t *region(coco *c, const json_t *control, const char *type, double w, double h, json_t *value,
		      json_int_t ann_id, int n)
{
	char id[48];
	snprintf(id, sizeof id, "coco-%lld-%d", (long long)ann_id, n);
	return json_pack("{s:s,s:O,s:s,s:s,s:o,s:o,s:i,s:o}", "id", id, "from_name", json_object_get(control, "name"),
			 "to_name", c->image_name, "type", type, "original_width", num(w), "original_height", num(h),
			 "image_rotation", 0, "value", value);
}

/* The regions of one COCO annotation, appended to result. */
static int convert(coco *c, const json_t *a, double w, double h, json_t *result, const char *where)
{
	char key[32];
	json_int_t ann_id = json_integer_value(json_object_get(a, "id"));
	snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(a, "category_id")));
	const json_t *cat = json_object_get(c->cats, key);
	const char *name = json_string_value(json_object_get(cat, "name"));
	if (!name)
		return bad(c, "category_id", "%s: annotation %s names no category of the file.", where, key);
	const json_t *seg = json_object_get(a, "segmentation"), *bbox = json_object_get(a, "bbox");
	const json_t *kps = json_object_get(a, "keypoints");
	int n = 0;
	if (c->poly && has_label(c->poly, name) && json_is_array(seg) && json_array_size(seg)) {
		size_t i, j;
		const json_t *poly;
		json_array_foreach(seg, i, poly) {
			json_t *points = json_array();
			for (j = 0; j + 1 < json_array_size(poly); j += 2)
				json_array_append_new(
					points, json_pack("[f,f]", json_number_value(json_array_get(poly, j)) * 100 / w,
							  json_number_value(json_array_get(poly, j + 1)) * 100 / h));
			json_t *v = json_pack("{s:o,s:[s]}", "points", points, "polygonlabels", name);
			json_array_append_new(result, region(c, c->poly, "polygonlabels", w, h, v, ann_id, n++));
		}
	} else if (json_array_size(bbox) == 4 && !json_array_size(kps)) {
		if (!c->rect || !has_label(c->rect, name))
			return fc_err_set(c->im->err, FC_EINVAL, "invalid_coco", "category_id",
					  "%s: category '%.80s' is not a label of a RectangleLabels%s control on the "
					  "image.",
					  where, name, c->poly ? " or PolygonLabels" : "");
		json_t *v = json_pack("{s:f,s:f,s:f,s:f,s:i,s:[s]}", "x",
				      json_number_value(json_array_get(bbox, 0)) * 100 / w, "y",
				      json_number_value(json_array_get(bbox, 1)) * 100 / h, "width",
				      json_number_value(json_array_get(bbox, 2)) * 100 / w, "height",
				      json_number_value(json_array_get(bbox, 3)) * 100 / h, "rotation", 0,
				      "rectanglelabels", name);
		json_array_append_new(result, region(c, c->rect, "rectanglelabels", w, h, v, ann_id, n++));
	}
	const json_t *names = json_object_get(cat, "keypoints");
	for (size_t k = 0; k * 3 + 2 < json_array_size(kps); k++) {
		if (json_number_value(json_array_get(kps, k * 3 + 2)) <= 0)
			continue; /* v 0: not labelled */
		const char *label = json_string_value(json_array_get(names, k));
		if (!c->kp || !has_label(c->kp, label))
			return fc_err_set(c->im->err, FC_EINVAL, "invalid_coco", "keypoints",
					  "%s: keypoint '%.80s' of category '%.80s' is not a label of a KeyPointLabels "
					  "control on the image.",
					  where, label ? label : "?", name);
		json_t *v = json_pack("{s:f,s:f,s:f,s:[s]}", "x", json_number_value(json_array_get(kps, k * 3)) * 100 / w,
				      "y", json_number_value(json_array_get(kps, k * 3 + 1)) * 100 / h, "width", 0.5,
				      "keypointlabels", label);
		json_array_append_new(result, region(c, c->kp, "keypointlabels", w, h, v, ann_id, n++));
	}
	return 0;
}

static int image_task(coco *c, const json_t *img, size_t index)
{
	char where[48], key[32];
	snprintf(where, sizeof where, "images[%zu]", index);
	const char *url = fc_json_str(img, "coco_url", NULL);
	if (!url || !*url)
		url = fc_json_str(img, "flickr_url", NULL);
	if (!url || !*url)
		url = fc_json_str(img, "file_name", NULL);
	double w = fc_json_num(img, "width", 0), h = fc_json_num(img, "height", 0);
	if (!url || !*url || !json_is_integer(json_object_get(img, "id")))
		return bad(c, "images", "%s: an image needs an integer id and a %s.", where,
			   "coco_url, flickr_url or file_name");
	if (w <= 0 || h <= 0)
		return bad(c, "images", "%s: width and height must be positive numbers (%s).", where,
			   "percent coordinates are made from them");
	snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(img, "id")));
	json_t *result = json_array(), *anns = json_object_get(c->by_image, key);
	size_t i;
	const json_t *a;
	int rc = 0;
	json_array_foreach(anns, i, a)
		if ((rc = convert(c, a, w, h, result, where)))
			break;
	json_t *task = json_pack("{s:{s:s},s:[]}", "data", c->field, url, "predictions");
	if (!rc && json_array_size(result))
		json_array_append_new(json_object_get(task, "predictions"),
				      json_pack("{s:s,s:O}", "model_version", "coco", "result", result));
	if (!rc)
		rc = fc_import_add_task(c->im, task, NULL, 0, where);
	json_decref(result);
	json_decref(task);
	return rc;
}

/* The image object and the region controls on it. */
static int find_controls(coco *c, const json_t *desc)
{
	size_t i, j;
	const json_t *o, *k, *to;
	json_array_foreach(json_object_get(desc, "objects"), i, o) {
		if (!c->image_name && !strcmp(fc_json_str(o, "type", ""), "image") && fc_json_str(o, "field", NULL)) {
			c->image_name = fc_json_str(o, "name", NULL);
			c->field = fc_json_str(o, "field", NULL);
		}
	}
	json_array_foreach(json_object_get(desc, "controls"), i, k) {
		const char *type = fc_json_str(k, "type", "");
		int on_image = 0;
		json_array_foreach(json_object_get(k, "to_name"), j, to)
			on_image |= c->image_name && json_is_string(to) && !strcmp(json_string_value(to), c->image_name);
		if (!on_image)
			continue;
		if (!c->rect && !strcmp(type, "rectanglelabels"))
			c->rect = k;
		if (!c->poly && !strcmp(type, "polygonlabels"))
			c->poly = k;
		if (!c->kp && !strcmp(type, "keypointlabels"))
			c->kp = k;
	}
	if (!c->rect && !c->poly && !c->kp)
		return fc_err_set(c->im->err, FC_EINVAL, "format_unfit", "format",
				  "A coco import needs a RectangleLabels, PolygonLabels or KeyPointLabels control on an "
				  "Image in the project's labelling config.");
	return 0;
}

int fc_import_coco(importer *im, FILE *f)
{
	coco c = {.im = im};
	fc_err *err = im->err;
	if (!im->label_config || !(im->config || (im->config = fc_configcache_get(im->label_config, err))))
		return im->label_config ? (err->code ? err->code : FC_EINVAL)
					: fc_err_set(err, FC_EINVAL, "format_unfit", "format",
						     "A coco import is for annotation projects with an Image.");
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > MAX_COCO)
		return fc_err_set(err, FC_ETOOBIG, "too_large", NULL, "A COCO file may hold up to 256 MiB.");
	rewind(f);
	json_error_t je;
	json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je), *desc = fc_labelconfig_describe(im->config);
	int rc = 0;
	const json_t *images = json_object_get(doc, "images"), *anns = json_object_get(doc, "annotations");
	const json_t *cats = json_object_get(doc, "categories");
	if (!doc)
		rc = fc_err_set(err, FC_EINVAL, "invalid_json", NULL, "line %d: not valid JSON: %s.", je.line, je.text);
	else if (!json_is_array(images) || !json_is_array(anns) || !json_is_array(cats))
		rc = fc_err_set(err, FC_EINVAL, "invalid_coco", NULL,
				"A COCO file is one object with images, annotations and categories arrays.");
	else if (!desc)
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	else
		rc = find_controls(&c, desc);
	c.cats = json_object();
	c.by_image = json_object();
	size_t i;
	const json_t *v;
	char key[32];
	json_array_foreach(rc ? NULL : cats, i, v) {
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
		json_object_set(c.cats, key, (json_t *)v);
	}
	json_array_foreach(rc ? NULL : anns, i, v) {
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(v, "image_id")));
		json_t *list = json_object_get(c.by_image, key);
		if (!list)
			json_object_set_new(c.by_image, key, list = json_array());
		json_array_append(list, (json_t *)v);
	}
	json_array_foreach(rc ? NULL : images, i, v)
		if ((rc = image_task(&c, v, i)))
			break;
	json_decref(c.cats);
	json_decref(c.by_image);
	json_decref(desc);
	json_decref(doc);
	return rc;
}
