/* labelconfig_values.c — the value checkers the tag table names: one per
 * shape of result value (a box, a span, a list of choices, a rating, …). A
 * checker records every failure it finds with fc_lc_fail and goes on, so a
 * contributor sees all that is wrong at once. */
#include "core/json.h"
#include "work/labelconfig_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERCENT_EPS 1e-4 /* float noise in percent coordinates from the UI */

/* The two axes of a point or box, in percent of the image or frame. */
static const struct axis {
	const char *at, *size, *what;
} axes[2] = {{"x", "width", "image width"}, {"y", "height", "image height"}};

static void check_percent(struct vctx *v, const char *base, const char *key, double x, const char *what)
{
	if (x >= -PERCENT_EPS && x <= 100 + PERCENT_EPS)
		return;
	char f[FC_LC_PATH];
	fc_lc_join(f, sizeof f, base, ".", key);
	fc_lc_fail(v, f, "%s is %g; it must be between 0 and 100 (percent of the %s).", f, x, what);
}

/* A box in percent of the image or frame, as Label Studio stores it. The
 * failures come phase by phase (presence, range, size, extent) over both
 * axes, so the headline is the same whichever axis is wrong. */
static void check_box_at(struct vctx *v, const json_t *box, const char *base)
{
	double at[2] = {0, 0}, size[2] = {0, 0}, rotation = 0;
	int has_at[2], has_size[2];
	char f[FC_LC_PATH];
	for (int a = 0; a < 2; a++)
		has_at[a] = fc_lc_need_number(v, box, base, axes[a].at, &at[a]);
	for (int a = 0; a < 2; a++)
		has_size[a] = fc_lc_need_number(v, box, base, axes[a].size, &size[a]);
	for (int a = 0; a < 2; a++)
		if (has_at[a])
			check_percent(v, base, axes[a].at, at[a], axes[a].what);
	for (int a = 0; a < 2; a++) {
		if (!has_size[a] || size[a] > 0)
			continue;
		fc_lc_join(f, sizeof f, base, ".", axes[a].size);
		fc_lc_fail(v, f, "%s is %g; it must be greater than 0.", f, size[a]);
		has_size[a] = 0;
	}
	const json_t *r = json_object_get(box, "rotation");
	if (r && !json_is_number(r)) {
		fc_lc_join(f, sizeof f, base, ".", "rotation");
		fc_lc_fail(v, f, "%s must be a number of degrees.", f);
	} else if (r) {
		rotation = json_number_value(r);
	}
	/* A rotated box turns about its top-left corner and may legitimately
	 * reach past x + width, so the extent rule only holds unrotated. */
	if (fmod(rotation, 360.0) != 0)
		return;
	for (int a = 0; a < 2; a++) {
		if (!has_at[a] || !has_size[a] || at[a] + size[a] <= 100 + PERCENT_EPS)
			continue;
		fc_lc_join(f, sizeof f, base, ".", axes[a].size);
		fc_lc_fail(v, f, "%s: %s + %s is %g; the box must end inside the image (at most 100).", base,
			   axes[a].at, axes[a].size, at[a] + size[a]);
	}
}

void fc_lc_check_box(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
		     const json_t *value)
{
	(void)k, (void)obj;
	check_box_at(v, value, base);
}

void fc_lc_check_keypoint(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)k, (void)obj;
	for (int a = 0; a < 2; a++) {
		double x;
		if (fc_lc_need_number(v, value, base, axes[a].at, &x))
			check_percent(v, base, axes[a].at, x, axes[a].what);
	}
	const json_t *w = json_object_get(value, "width");
	if (w && (!json_is_number(w) || json_number_value(w) < 0)) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "width");
		fc_lc_fail(v, f, "%s must be a number, 0 or more (the point size).", f);
	}
}

void fc_lc_check_polygon(struct vctx *v, const char *base, const struct fc_lc_control *k,
			 const struct fc_lc_object *obj, const json_t *value)
{
	(void)k, (void)obj;
	char f[FC_LC_PATH], fi[FC_LC_PATH];
	fc_lc_join(f, sizeof f, base, ".", "points");
	const json_t *pts = fc_lc_need(v, value, base, "points", J_ARRAY, "an array of [x, y] pairs");
	if (!pts)
		return;
	if (json_array_size(pts) < 3) {
		fc_lc_fail(v, f, "%s has %zu points; a polygon needs at least 3.", f, json_array_size(pts));
		return;
	}
	size_t i;
	const json_t *pt;
	json_array_foreach(pts, i, pt) {
		fc_lc_join_index(fi, sizeof fi, f, i);
		if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(json_array_get(pt, 0)) ||
		    !json_is_number(json_array_get(pt, 1))) {
			fc_lc_fail(v, fi, "%s must be a pair of numbers [x, y].", fi);
			continue;
		}
		double x = json_number_value(json_array_get(pt, 0));
		double y = json_number_value(json_array_get(pt, 1));
		if (x < -PERCENT_EPS || x > 100 + PERCENT_EPS || y < -PERCENT_EPS || y > 100 + PERCENT_EPS)
			fc_lc_fail(v, fi, "%s is [%g, %g]; both must be between 0 and 100 (percent of the image).", fi,
				   x, y);
	}
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* JavaScript string length: code points above U+FFFF take two units. */
static size_t utf16_length(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b & 0xC0) != 0x80)
			n += b >= 0xF0 ? 2 : 1;
	}
	return n;
}

static void check_optional_text(struct vctx *v, const char *base, const json_t *value)
{
	const json_t *t = json_object_get(value, "text");
	if (t && !json_is_string(t)) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "text");
		fc_lc_fail(v, f, "%s must be a string (the labelled text).", f);
	}
}

static void check_nonneg_integer(struct vctx *v, const json_t *value, const char *base, const char *key)
{
	json_int_t x;
	if (fc_lc_need_integer(v, value, base, key, &x) && x < 0) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", key);
		fc_lc_fail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be 0 or more.", f, x);
	}
}

/* startOffset and endOffset inside the first and last node, and the text. */
static void check_inner_offsets(struct vctx *v, const char *base, const json_t *value)
{
	check_nonneg_integer(v, value, base, "startOffset");
	check_nonneg_integer(v, value, base, "endOffset");
	check_optional_text(v, base, value);
}

/* Character offsets into a text of len UTF-16 units (-1: unknown). */
static void check_offsets(struct vctx *v, const char *base, const json_t *value, json_int_t len)
{
	json_int_t start = 0, end = 0;
	char f[FC_LC_PATH];
	int hs = fc_lc_need_integer(v, value, base, "start", &start);
	int he = fc_lc_need_integer(v, value, base, "end", &end);
	if (hs && start < 0) {
		fc_lc_join(f, sizeof f, base, ".", "start");
		fc_lc_fail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be 0 or more.", f, start);
		return;
	}
	if (hs && he && end <= start) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (%" JSON_INTEGER_FORMAT ") must be greater than start (%" JSON_INTEGER_FORMAT ").",
			   f, end, start);
		return;
	}
	if (he && len >= 0 && end > len) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f,
			   "%s is %" JSON_INTEGER_FORMAT ", past the end of the text (%" JSON_INTEGER_FORMAT
			   " characters).",
			   f, end, len);
	}
}

/* Start and end in seconds, on Audio and Video. */
static void check_seconds(struct vctx *v, const char *base, const json_t *value)
{
	double start = 0, end = 0;
	int hs = fc_lc_need_number(v, value, base, "start", &start);
	int he = fc_lc_need_number(v, value, base, "end", &end);
	char f[FC_LC_PATH];
	if (hs && start < 0) {
		fc_lc_join(f, sizeof f, base, ".", "start");
		fc_lc_fail(v, f, "%s is %g; it must be 0 or more seconds.", f, start);
	} else if (hs && he && end <= start) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (%g) must be greater than start (%g).", f, end, start);
	} else if (he && v->item) {
		/* Label Studio writes the media's length beside each region */
		const json_t *len = json_object_get(v->item, "original_length");
		char fl[FC_LC_PATH];
		fc_lc_join(fl, sizeof fl, base, ".", "end");
		if (len && (!json_is_number(len) || json_number_value(len) <= 0)) {
			char b[32];
			snprintf(b, sizeof b, "%.*s", (int)(strlen(base) - strlen(".value")), base);
			fc_lc_join(f, sizeof f, b, ".", "original_length");
			fc_lc_fail(v, f, "%s must be the recording's length in seconds, more than 0.", f);
		} else if (len && end > json_number_value(len) + 0.001) {
			fc_lc_fail(v, fl, "%s (%g s) is past the end of the recording (%g s).", fl, end,
				   json_number_value(len));
		}
	}
}

/* A span: integer offsets on Text; on HyperText either offsets or XPath
 * start/end with startOffset/endOffset; seconds on Audio and Video. */
void fc_lc_check_span(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
		      const json_t *value)
{
	(void)k;
	int type = obj ? obj->tag->type : O_TEXT;
	if (type == O_IMAGE) {
		fc_lc_check_image_shape(v, base, k, obj, value);
		return;
	}
	if (type == O_AUDIO || type == O_VIDEO) {
		check_seconds(v, base, value);
		return;
	}
	/* HyperTextLabels always, Labels when start is text: XPaths of the
	 * first and last text node, offsets inside them */
	if (type == O_HYPERTEXT &&
	    ((k && k->tag->type == C_HYPERTEXTLABELS) || json_is_string(json_object_get(value, "start")))) {
		static const char *const ends[2] = {"start", "end"};
		for (int i = 0; i < 2; i++) {
			const char *s;
			if (fc_lc_need_string(v, value, base, ends[i], &s) && s[0] != '/') {
				char f[FC_LC_PATH];
				fc_lc_join(f, sizeof f, base, ".", ends[i]);
				fc_lc_fail(v, f, "%s must be an XPath inside the HyperText, like \"/p[1]/text()[1]\".",
					   f);
			}
		}
		check_inner_offsets(v, base, value);
		return;
	}
	json_int_t len = -1;
	const json_t *text = fc_lc_data_of(v, obj);
	if (type == O_TEXT && json_is_string(text) && !obj->is_url)
		len = (json_int_t)utf16_length(json_string_value(text), json_string_length(text));
	check_offsets(v, base, value, len);
	check_optional_text(v, base, value);
}

/* Paragraph spans name paragraphs by index, as a number or a numeric string. */
void fc_lc_check_paragraph_span(struct vctx *v, const char *base, const struct fc_lc_control *k,
				const struct fc_lc_object *obj, const json_t *value)
{
	(void)k;
	const json_t *list = fc_lc_data_of(v, obj);
	long long count = json_is_array(list) ? (long long)json_array_size(list) : -1;
	long long idx[2] = {0, 0};
	int ok[2] = {0, 0};
	static const char *const keys[2] = {"start", "end"};
	char f[FC_LC_PATH];
	for (int i = 0; i < 2; i++) {
		const json_t *j = json_object_get(value, keys[i]);
		fc_lc_join(f, sizeof f, base, ".", keys[i]);
		if (json_is_integer(j)) {
			idx[i] = json_integer_value(j);
			ok[i] = 1;
		} else if (json_is_string(j) && *json_string_value(j)) {
			char *end;
			idx[i] = strtoll(json_string_value(j), &end, 10);
			ok[i] = !*end;
		}
		if (!ok[i]) {
			fc_lc_fail(v, f, "%s must be a paragraph index.", f);
		} else if (idx[i] < 0 || (count >= 0 && idx[i] >= count)) {
			fc_lc_fail(v, f, "%s is paragraph %lld, which does not exist.", f, idx[i]);
			ok[i] = 0;
		}
	}
	if (ok[0] && ok[1] && idx[1] < idx[0]) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (paragraph %lld) comes before start (paragraph %lld).", f, idx[1], idx[0]);
		return;
	}
	check_inner_offsets(v, base, value);
	if (!ok[0] || !ok[1] || count < 0)
		return;
	/* With the paragraphs in the task: the offsets fall inside their paragraph's text. */
	static const char *const offs[2] = {"startOffset", "endOffset"};
	json_int_t at[2] = {-1, -1};
	for (int i = 0; i < 2; i++) {
		const json_t *o = json_object_get(value, offs[i]);
		const json_t *p = json_array_get(list, (size_t)idx[i]);
		const json_t *t = json_is_object(p) ? json_object_get(p, obj->text_key ? obj->text_key : "text") : p;
		if (!json_is_integer(o) || json_integer_value(o) < 0)
			return;
		at[i] = json_integer_value(o);
		json_int_t len =
			json_is_string(t) ? (json_int_t)utf16_length(json_string_value(t), json_string_length(t)) : -1;
		if (len >= 0 && at[i] > len) {
			fc_lc_join(f, sizeof f, base, ".", offs[i]);
			fc_lc_fail(v, f,
				   "%s is %" JSON_INTEGER_FORMAT
				   ", past the end of paragraph %lld (%" JSON_INTEGER_FORMAT " characters).",
				   f, at[i], idx[i], len);
		}
	}
	if (idx[0] == idx[1] && at[1] < at[0]) {
		fc_lc_join(f, sizeof f, base, ".", "endOffset");
		fc_lc_fail(v, f,
			   "%s (%" JSON_INTEGER_FORMAT ") comes before startOffset (%" JSON_INTEGER_FORMAT
			   ") in one paragraph.",
			   f, at[1], at[0]);
	}
}

int fc_lc_listed(const json_t *list, const char *s)
{
	/* Options listed in the task are only known when its data is. */
	if (!json_is_array(list))
		return 1;
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e) {
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return 1;
		const char *val = json_is_object(e) ? fc_json_str(e, "value", NULL) : NULL;
		if (val && !strcmp(val, s))
			return 1;
		const json_t *kids = json_is_object(e) ? json_object_get(e, "children") : NULL;
		if (json_is_array(kids) && fc_lc_listed(kids, s))
			return 1;
	}
	return 0;
}

void fc_lc_check_choices(struct vctx *v, const char *base, const struct fc_lc_control *k,
			 const struct fc_lc_object *obj, const json_t *value)
{
	(void)obj;
	char f[FC_LC_PATH];
	const json_t *arr =
		fc_lc_need_list(v, value, base, "choices", "an array of choices", "pick at least one choice", f);
	size_t n = json_array_size(arr);
	if (k->choice != CHOICE_MULTIPLE && n > 1)
		fc_lc_fail(v, f, "<Choices name=\"%s\"> takes exactly one choice; %s has %zu.", k->name, f, n);
	/* Dynamic choices accept what the task lists, and anything when the
	 * task's data is not known. */
	fc_lc_check_options(v, k, arr, f, "choice", fc_lc_dynamic_list(v, k));
}

void fc_lc_check_textarea(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)obj;
	char f[FC_LC_PATH], fi[FC_LC_PATH];
	const json_t *arr = fc_lc_need_list(v, value, base, "text", "an array of strings", "write some text", f);
	size_t n = json_array_size(arr);
	if (k->max_submissions && n > (size_t)k->max_submissions)
		fc_lc_fail(v, f, "%s has %zu texts; <TextArea name=\"%s\"> accepts at most %ld.", f, n, k->name,
			   k->max_submissions);
	for (size_t i = 0; i < n; i++) {
		const char *s = fc_lc_string_at(v, arr, i, f, fi, "a string");
		if (s && is_blank(s))
			fc_lc_fail(v, fi, "%s is empty; write some text.", fi);
	}
}

void fc_lc_check_rating(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
			const json_t *value)
{
	(void)obj;
	json_int_t r;
	if (fc_lc_need_integer(v, value, base, "rating", &r) && (r < 1 || r > k->max_rating)) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "rating");
		fc_lc_fail(v, f, "%s is %" JSON_INTEGER_FORMAT "; it must be from 1 to %ld.", f, r, k->max_rating);
	}
}

void fc_lc_check_number(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
			const json_t *value)
{
	(void)obj;
	double x;
	char f[FC_LC_PATH];
	if (!fc_lc_need_number(v, value, base, "number", &x))
		return;
	fc_lc_join(f, sizeof f, base, ".", "number");
	if (k->min.set && x < k->min.value)
		fc_lc_fail(v, f, "%s is %g; it must be at least %g.", f, x, k->min.value);
	else if (k->max.set && x > k->max.value)
		fc_lc_fail(v, f, "%s is %g; it must be at most %g.", f, x, k->max.value);
}

void fc_lc_check_pairwise(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)k, (void)obj;
	const char *s;
	if (fc_lc_need_string(v, value, base, "selected", &s) && strcmp(s, "left") && strcmp(s, "right")) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "selected");
		fc_lc_fail(v, f, "%s is \"%s\"; it must be \"left\" or \"right\".", f, s);
	}
}

static int list_has_id(const json_t *list, const char *id)
{
	size_t i;
	const json_t *e;
	json_array_foreach(list, i, e) {
		const json_t *j = json_object_get(e, "id");
		if (json_is_string(j) && !strcmp(json_string_value(j), id))
			return 1;
		if (json_is_integer(j)) {
			char buf[32];
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
			if (!strcmp(buf, id))
				return 1;
		}
	}
	return 0;
}

/* A ranker key names the ranker itself, one of its buckets, one of the
 * lists it ranks, or "_", Label Studio's name for the items left in the
 * original list. */
static int is_ranker_key(const fc_labelconfig *c, const struct fc_lc_control *k, const char *key)
{
	if (!strcmp(key, "_") || !strcmp(key, k->name) || fc_lc_option_index(k, key) >= 0)
		return 1;
	for (size_t t = 0; t < k->nto; t++)
		if (!strcmp(key, c->objects[k->to[t]].name))
			return 1;
	return 0;
}

/* {"ranker": {"<ranker, list or bucket name>": ["item id", …]}} */
void fc_lc_check_ranker(struct vctx *v, const char *base, const struct fc_lc_control *k, const struct fc_lc_object *obj,
			const json_t *value)
{
	(void)obj;
	const fc_labelconfig *c = v->c;
	char f[FC_LC_PATH], fk[FC_LC_PATH], fi[FC_LC_PATH];
	fc_lc_join(f, sizeof f, base, ".", "ranker");
	const json_t *r = fc_lc_need(v, value, base, "ranker", J_OBJECT, "an object of lists of item ids");
	if (!r)
		return;
	const json_t *list = k->nto ? fc_lc_data_of(v, &c->objects[k->to[0]]) : NULL;
	const char *key;
	const json_t *ids;
	json_t *seen = json_object();
	json_object_foreach((json_t *)r, key, ids) {
		fc_lc_join(fk, sizeof fk, f, ".", key);
		if (!is_ranker_key(c, k, key)) {
			fc_lc_fail(v, fk, "%s: \"%s\" is not a bucket of <Ranker name=\"%s\">.", fk, key, k->name);
			continue;
		}
		if (!fc_lc_need(v, r, f, key, J_ARRAY, "an array of item ids"))
			continue;
		for (size_t i = 0; i < json_array_size(ids); i++) {
			const char *id = fc_lc_string_at(v, ids, i, fk, fi, "a string item id");
			if (id && json_is_array(list) && !list_has_id(list, id))
				fc_lc_fail(v, fi, "%s: \"%s\" is not the id of an item in the task's list.", fi, id);
			/* An item sits in one bucket (or one place of the order). */
			else if (id && seen && json_object_get(seen, id))
				fc_lc_fail(v, fi, "%s: item \"%s\" is also in \"%s\"; an item goes in one place only.",
					   fi, id, json_string_value(json_object_get(seen, id)));
			else if (id && seen)
				json_object_set_new(seen, id, json_string(key));
		}
	}
	json_decref(seen);
}

json_int_t fc_lc_frames_count(struct vctx *v, const char *base, const json_t *value)
{
	const json_t *fc = json_object_get(value, "framesCount");
	if (fc && (!json_is_integer(fc) || json_integer_value(fc) < 1)) {
		char f[FC_LC_PATH];
		fc_lc_join(f, sizeof f, base, ".", "framesCount");
		fc_lc_fail(v, f, "%s must be the video's number of frames, 1 or more.", f);
		return 0;
	}
	return fc ? json_integer_value(fc) : 0;
}

static void check_keyframes(struct vctx *v, const char *base, const json_t *value)
{
	char f[FC_LC_PATH], fi[FC_LC_PATH], ff[FC_LC_PATH];
	const json_t *seq = fc_lc_need_list(v, value, base, "sequence", "an array of keyframes",
					    "a track needs at least one keyframe", f);
	/* Label Studio writes the video's frame count beside the track */
	json_int_t frames = fc_lc_frames_count(v, base, value);
	size_t i;
	const json_t *kf;
	json_array_foreach(seq, i, kf) {
		fc_lc_join_index(fi, sizeof fi, f, i);
		if (!json_is_object(kf)) {
			fc_lc_fail(v, fi, "%s must be an object {frame, x, y, width, height}.", fi);
			continue;
		}
		check_nonneg_integer(v, kf, fi, "frame");
		const json_t *fr = json_object_get(kf, "frame");
		if (frames && json_is_integer(fr) && json_integer_value(fr) > frames) {
			fc_lc_join(ff, sizeof ff, fi, ".", "frame");
			fc_lc_fail(v, ff, "%s (%lld) is past the last frame of the video (%lld).", ff,
				   (long long)json_integer_value(fr), (long long)frames);
		}
		check_box_at(v, kf, fi);
		const json_t *en = json_object_get(kf, "enabled");
		if (en && !json_is_boolean(en)) {
			fc_lc_join(ff, sizeof ff, fi, ".", "enabled");
			fc_lc_fail(v, ff, "%s must be true or false.", ff);
		}
		const json_t *tm = json_object_get(kf, "time");
		if (tm && (!json_is_number(tm) || json_number_value(tm) < 0)) {
			fc_lc_join(ff, sizeof ff, fi, ".", "time");
			fc_lc_fail(v, ff, "%s must be a number of seconds, 0 or more.", ff);
		}
	}
}

/* Counts label s against the first Labels control on obj (any object when
 * obj is NULL) that has it; 0 when none does. */
static int count_video_label(struct vctx *v, const struct fc_lc_object *obj, const char *s)
{
	const fc_labelconfig *c = v->c;
	for (size_t ci = 0; ci < c->ncontrols; ci++) {
		const struct fc_lc_control *k = &c->controls[ci];
		if (k->tag->type != C_LABELS)
			continue;
		int targets = !obj;
		for (size_t t = 0; t < k->nto && !targets; t++)
			targets = &c->objects[k->to[t]] == obj;
		ptrdiff_t o = targets ? fc_lc_option_index(k, s) : -1;
		if (o >= 0) {
			fc_lc_count_option(v, k, (size_t)o);
			v->used[ci]++;
			return 1;
		}
	}
	return 0;
}

/* A video track: keyframes, and optionally labels, which come from a Labels
 * control on the same video rather than from the track's own control. */
void fc_lc_check_video_track(struct vctx *v, const char *base, const struct fc_lc_control *k,
			     const struct fc_lc_object *obj, const json_t *value)
{
	(void)k;
	char f[FC_LC_PATH], fi[FC_LC_PATH];
	check_keyframes(v, base, value);
	if (!json_object_get(value, "labels"))
		return;
	fc_lc_join(f, sizeof f, base, ".", "labels");
	const json_t *arr = fc_lc_need(v, value, base, "labels", J_ARRAY, "an array of label names");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = fc_lc_string_at(v, arr, i, f, fi, "a string");
		if (s && !count_video_label(v, obj, s))
			fc_lc_fail(v, fi, "%s: \"%s\" is not a label of any <Labels> on this video.", fi, s);
	}
}
