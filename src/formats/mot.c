/* MOT Challenge ground truth from VideoRectangle tracks: a zip with
 * <video>/gt/gt.txt per task, lines `frame,id,x,y,w,h,conf,-1,-1,-1`
 * (frames 1-based as Label Studio numbers them, pixels = percent × the
 * result's original_width/original_height / 100, conf 1, ids 1.. per video:
 * one per track of each kept annotation). Keyframes only, or with
 * interpolate_key_frames=1 every frame from an enabled keyframe to the next
 * one, linearly, as Label Studio's option does; a keyframe with
 * "enabled": false ends its track there. */
#include "formats/dataset.h"

#include <stdlib.h>
#include <string.h>

static const char *const TRACKS[] = {"videorectangle", NULL};

static int check(const json_t *config, fc_err *err)
{
	return fc_ds_require(config, TRACKS, "mot", "a VideoRectangle control on a Video", err);
}

typedef struct kf {
	int64_t frame;
	double x, y, w, h;
	int enabled;
} kf;

static int by_frame(const void *a, const void *b)
{
	const kf *p = a, *q = b;
	return p->frame < q->frame ? -1 : p->frame > q->frame;
}

static int line(fc_buf *b, int64_t frame, int id, double x, double y, double w, double h, double W, double H)
{
	int rc = fc_buf_printf(b, "%lld,%d,", (long long)frame, id);
	rc |= fc_ds_num(b, x * W / 100);
	rc |= fc_buf_puts(b, ",");
	rc |= fc_ds_num(b, y * H / 100);
	rc |= fc_buf_puts(b, ",");
	rc |= fc_ds_num(b, w * W / 100);
	rc |= fc_buf_puts(b, ",");
	rc |= fc_ds_num(b, h * H / 100);
	return rc | fc_buf_puts(b, ",1,-1,-1,-1\n");
}

/* One track's lines. */
static int track(fc_ds_ctx *c, const json_t *r, int id)
{
	const json_t *seq = json_object_get(json_object_get(r, "value"), "sequence");
	double W = json_number_value(json_object_get(r, "original_width")),
	       H = json_number_value(json_object_get(r, "original_height"));
	size_t n = json_array_size(seq), i;
	if (!n)
		return 0;
	kf *k = calloc(n, sizeof *k);
	if (!k)
		return FC_ENOMEM;
	const json_t *e;
	json_array_foreach(seq, i, e) {
		k[i] = (kf){json_integer_value(json_object_get(e, "frame")),
			    json_number_value(json_object_get(e, "x")),
			    json_number_value(json_object_get(e, "y")),
			    json_number_value(json_object_get(e, "width")),
			    json_number_value(json_object_get(e, "height")),
			    !json_is_false(json_object_get(e, "enabled"))};
	}
	qsort(k, n, sizeof *k, by_frame);
	int rc = 0;
	for (i = 0; i < n && !rc; i++) {
		rc = line(c->out, k[i].frame, id, k[i].x, k[i].y, k[i].w, k[i].h, W, H);
		if (!c->interpolate || !k[i].enabled || i + 1 == n)
			continue;
		double span = (double)(k[i + 1].frame - k[i].frame);
		for (int64_t f = k[i].frame + 1; f < k[i + 1].frame && !rc; f++) {
			double t = (double)(f - k[i].frame) / span;
			rc = line(c->out, f, id, k[i].x + t * (k[i + 1].x - k[i].x), k[i].y + t * (k[i + 1].y - k[i].y),
				  k[i].w + t * (k[i + 1].w - k[i].w), k[i].h + t * (k[i + 1].h - k[i].h), W, H);
		}
	}
	free(k);
	return rc ? FC_ENOMEM : 0;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	int id = 0, rc = 0;
	for (size_t a = 0; a < t->n && !rc; a++) {
		size_t i;
		json_t *r;
		json_array_foreach(t->anns[a].result, i, r) {
			if (!rc && !strcmp(json_string_value(json_object_get(r, "type")) ?: "", "videorectangle"))
				rc = track(c, r, ++id);
		}
	}
	if (rc || !id)
		return rc;
	json_t *control = fc_ds_first_control(c->config, TRACKS);
	char stem[128], name[160];
	fc_ds_file_stem(fc_ds_object_value(c->config, control, t->data), t->id, 0, stem, sizeof stem);
	json_decref(control);
	snprintf(name, sizeof name, "%s/gt/gt.txt", stem);
	return fc_ds_emit_file(c, name);
}

const fc_ds_format fc_ds_mot = {
	.name = "mot",
	.content_type = "application/zip",
	.extension = "zip",
	.zip = 1,
	.passes = 1,
	.check = check,
	.task = task,
};
