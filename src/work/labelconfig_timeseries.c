/* labelconfig_timeseries.c — the result rules of TimeSeriesLabels and
 * TimelineLabels (frame ranges on a Video, at the end).
 *
 * A region is {"start", "end", "instant", "timeserieslabels"}: start and end
 * in the time column's units (numbers; or text when the time column holds
 * dates, which is not compared), an instant having start = end. When the
 * task holds the data itself (valueType="json": {"time":[…], "ch":[…]}),
 * a region must lie inside the data: from the first time value to the last
 * (without a timeColumn, from row 0 to the last row). Data behind a URL is
 * not fetched here: the caller's env (url_span) reads the stored file's
 * span when it can; otherwise only the shape is checked. */
#include "work/labelconfig_internal.h"

#include <math.h>
#include <stdio.h>

/* The first and last time of the task's series; 0 when unknown. */
static int data_span(const struct vctx *v, const struct fc_lc_object *obj, double *lo, double *hi)
{
	if (!obj)
		return 0;
	const json_t *table = fc_lc_data_of(v, obj);
	if (obj->is_url)
		return json_is_string(table) && v->env && v->env->url_span &&
		       !v->env->url_span(v->env->ctx, json_string_value(table), obj->time_column, lo, hi);
	if (!json_is_object(table))
		return 0;
	if (!obj->time_column) {
		/* no time column: rows are numbered from 0 */
		const char *key;
		const json_t *col;
		size_t rows = 0;
		json_object_foreach((json_t *)table, key, col)
			if (json_is_array(col) && json_array_size(col) > rows)
				rows = json_array_size(col);
		if (!rows)
			return 0;
		*lo = 0;
		*hi = (double)(rows - 1);
		return 1;
	}
	const json_t *t = json_object_get(table, obj->time_column);
	size_t n = json_array_size(t);
	if (!n || !json_is_number(json_array_get(t, 0)) || !json_is_number(json_array_get(t, n - 1)))
		return 0;
	*lo = json_number_value(json_array_get(t, 0));
	*hi = json_number_value(json_array_get(t, n - 1));
	if (*hi < *lo) {
		double x = *lo;
		*lo = *hi;
		*hi = x;
	}
	return 1;
}

void fc_lc_check_timeseries(struct vctx *v, const char *base, const struct fc_lc_control *k,
			    const struct fc_lc_object *obj, const json_t *value)
{
	(void)k;
	static const char *const keys[2] = {"start", "end"};
	double at[2] = {0, 0};
	int num[2] = {0, 0};
	char f[FC_LC_PATH];
	for (int i = 0; i < 2; i++) {
		const json_t *j = json_object_get(value, keys[i]);
		fc_lc_join(f, sizeof f, base, ".", keys[i]);
		if (json_is_number(j) && isfinite(json_number_value(j))) {
			at[i] = json_number_value(j);
			num[i] = 1;
		} else if (!json_is_string(j) || !json_string_length(j)) {
			fc_lc_fail(v, f, "%s %s; it must be a time (a number, or a date as text).", f,
				   j ? "is not a time" : "is missing");
		}
	}
	const json_t *instant = json_object_get(value, "instant");
	fc_lc_join(f, sizeof f, base, ".", "instant");
	if (instant && !json_is_boolean(instant))
		fc_lc_fail(v, f, "%s must be true or false.", f);
	if (!num[0] || !num[1])
		return;
	if (at[1] < at[0]) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (%g) comes before start (%g).", f, at[1], at[0]);
		return;
	}
	if (json_is_true(instant) && at[1] != at[0]) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (%g) must equal start (%g) for an instant.", f, at[1], at[0]);
		return;
	}
	double lo, hi;
	if (!data_span(v, obj, &lo, &hi))
		return;
	/* a little slack for times rounded by the browser */
	double slack = (hi - lo) * 1e-9;
	if (at[1] > hi + slack) {
		fc_lc_join(f, sizeof f, base, ".", "end");
		fc_lc_fail(v, f, "%s (%g) is past the end of the data (%g).", f, at[1], hi);
	} else if (at[0] < lo - slack) {
		fc_lc_join(f, sizeof f, base, ".", "start");
		fc_lc_fail(v, f, "%s (%g) is before the start of the data (%g).", f, at[0], lo);
	}
}

/* The frame count of the Video obj from its stored recording's duration
 * (the media probe, through the env) at the Video's frameRate; 0 when
 * unknown (no env, not a stored recording, no duration). */
static json_int_t probed_frames(const struct vctx *v, const struct fc_lc_object *obj, double *seconds)
{
	if (!obj || !v->env || !v->env->media_duration)
		return 0;
	const json_t *url = fc_lc_data_of(v, obj);
	if (!json_is_string(url) || v->env->media_duration(v->env->ctx, json_string_value(url), seconds) ||
	    !(*seconds > 0) || *seconds > 1e7)
		return 0;
	json_int_t n = (json_int_t)llround(*seconds * obj->frame_rate);
	return n < 1 ? 1 : n;
}

/* TimelineLabels on a Video: {"ranges": [{"start", "end"}, …]} in frames
 * (whole numbers from 1 in Label Studio, 0 accepted), start <= end; no
 * range runs past the video's last frame: the framesCount the result
 * carries, else the frame count of the stored recording the task names
 * (duration × frameRate, one frame of slack for the browser's rounding of
 * a duration that differs from the probe's in the last digits). A video
 * elsewhere (a URL not stored here) with no framesCount in the result is
 * not checked: its length is not known to the server. */
void fc_lc_check_timeline(struct vctx *v, const char *base, const struct fc_lc_control *k,
			  const struct fc_lc_object *obj, const json_t *value)
{
	(void)k;
	char f[FC_LC_PATH], fi[FC_LC_PATH], ff[FC_LC_PATH];
	json_int_t frames = fc_lc_frames_count(v, base, value);
	double seconds = 0;
	json_int_t probed = json_object_get(value, "framesCount") ? 0 : probed_frames(v, obj, &seconds);
	const json_t *ranges = fc_lc_need_list(v, value, base, "ranges", "an array of {start, end} frame ranges",
					       "a timeline region needs at least one range", f);
	size_t i;
	const json_t *r;
	json_array_foreach(ranges, i, r) {
		fc_lc_join_index(fi, sizeof fi, f, i);
		if (!json_is_object(r)) {
			fc_lc_fail(v, fi, "%s must be an object {start, end} of frame numbers.", fi);
			continue;
		}
		json_int_t at[2];
		int ok = 1;
		static const char *const keys[2] = {"start", "end"};
		for (int e = 0; e < 2; e++) {
			if (!fc_lc_need_integer(v, r, fi, keys[e], &at[e])) {
				ok = 0;
			} else if (at[e] < 0) {
				fc_lc_join(ff, sizeof ff, fi, ".", keys[e]);
				fc_lc_fail(v, ff, "%s is %" JSON_INTEGER_FORMAT "; a frame number is 0 or more.", ff,
					   at[e]);
				ok = 0;
			}
		}
		if (!ok)
			continue;
		fc_lc_join(ff, sizeof ff, fi, ".", "end");
		if (at[1] < at[0])
			fc_lc_fail(v, ff, "%s (%" JSON_INTEGER_FORMAT ") comes before start (%" JSON_INTEGER_FORMAT ").",
				   ff, at[1], at[0]);
		else if (frames && at[1] > frames)
			fc_lc_fail(v, ff,
				   "%s (%" JSON_INTEGER_FORMAT
				   ") is past the last frame of the video (%" JSON_INTEGER_FORMAT ").",
				   ff, at[1], frames);
		else if (probed && at[1] > probed + 1)
			fc_lc_fail(v, ff,
				   "%s (%" JSON_INTEGER_FORMAT
				   ") is past the last frame of the video (%" JSON_INTEGER_FORMAT
				   ": its recording lasts %.3f s, at %g frames a second).",
				   ff, at[1], probed, seconds, obj->frame_rate);
	}
}
