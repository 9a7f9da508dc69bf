/* The collect spec's checks over one uploaded file. See media.h. */
#include "core/json.h"
#include "media/media.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static double num(const json_t *spec, const char *key, double def)
{
	const json_t *v = json_object_get(spec, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

static int has(const json_t *spec, const char *key) { return json_is_number(json_object_get(spec, key)); }

/* Adds a sub-check's error as one detail. */
static void add_from(fc_err *err, fc_err *sub)
{
	fc_err_add_detail(err, sub->slug, sub->field[0] ? sub->field : "file", "%s", sub->msg);
	fc_err_clear(sub);
}

static int format_allowed(const json_t *formats, const char *f)
{
	size_t i;
	const json_t *v;
	if (!json_array_size(formats))
		return 1;
	json_array_foreach(formats, i, v) {
		const char *s = json_string_value(v);
		if (s && (!strcasecmp(s, f) || (!strcasecmp(s, "jpg") && !strcmp(f, "jpeg"))))
			return 1;
	}
	return 0;
}

/* A sensor recording: a CSV by its content and declared type, then its
 * own checks (sensor.c). */
static int sensor_upload(const char *path, const char *content_type, const json_t *spec, fc_media_report *rep, fc_err *err)
{
	char mime[64];
	int rc = fc_media_sniff(path, mime, sizeof mime, err);
	if (rc)
		return rc;
	if (!strncmp(mime, "audio/", 6) || !strncmp(mime, "video/", 6) || !strncmp(mime, "image/", 6)) {
		fc_err_add_detail(err, "wrong_media", "file",
				  "This project collects sensor recordings (CSV); the file is %s.", mime);
		return 0;
	}
	char declared[64] = "";
	snprintf(declared, sizeof declared, "%s", content_type ? content_type : "");
	declared[strcspn(declared, "; ")] = 0;
	if (declared[0] && strcasecmp(declared, "text/csv") && strcasecmp(declared, "text/plain") &&
	    strcasecmp(declared, "application/csv") && strcasecmp(declared, "application/octet-stream"))
		fc_err_add_detail(err, "content_type_mismatch", "Content-Type",
				  "The upload was sent as %s; a sensor recording is text/csv.", declared);
	return fc_sensor_check(path, spec, rep, err);
}

int fc_media_check(const char *path, const char *content_type, const json_t *spec, fc_media_report *rep, fc_err *err)
{
	memset(rep, 0, sizeof *rep);
	fc_err sub = {0};
	const char *media = fc_json_str(spec, "media", "audio");
	fc_probe *p = &rep->probe;
	if (!strcmp(media, "sensor")) {
		int rc = sensor_upload(path, content_type, spec, rep, err);
		if (rc)
			return rc;
		goto lengths;
	}
	int readable = fc_media_probe(path, p, &sub) == 0;
	if (!readable && sub.code != FC_ERULE) { /* a server fault, not the file's */
		int rc = fc_err_set(err, sub.code, sub.slug, NULL, "%s", sub.msg);
		fc_err_clear(&sub);
		return rc;
	}
	/* declared type: its top-level part must be what the content is */
	char declared[64] = "";
	if (content_type) {
		snprintf(declared, sizeof declared, "%s", content_type);
		declared[strcspn(declared, "; ")] = 0;
	}
	const char *slash = strchr(declared, '/');
	size_t top = slash ? (size_t)(slash - declared) : strlen(declared);
	int declared_generic = !declared[0] || !strcasecmp(declared, "application/octet-stream");
	if (!declared_generic && p->kind[0] && !(strlen(p->kind) == top && !strncasecmp(declared, p->kind, top)) &&
	    !(!strcmp(p->kind, "audio") && !strncasecmp(declared, "video/", 6)) && /* audio-only webm/mp4 */
	    !(!strcmp(p->kind, "video") && !strncasecmp(declared, "audio/", 6) && !p->has_video))
		fc_err_add_detail(err, "content_type_mismatch", "Content-Type",
				  "The upload was sent as %s but its content is %s.", declared, p->mime);
	if (p->kind[0] && strcmp(p->kind, media))
		fc_err_add_detail(err, "wrong_media", "file", "This project collects %s; the file is %s (%s).", media,
				  !strcmp(p->kind, "image") ? "a photo" : p->kind, p->mime);
	else if (!readable)
		add_from(err, &sub);
	else if (!p->kind[0])
		fc_err_add_detail(err, "wrong_media", "file", "This project collects %s; the file is %s.", media,
				  p->mime);
	if (!readable || strcmp(p->kind, media)) {
		fc_err_clear(&sub);
		goto done;
	}
	if (!format_allowed(json_object_get(spec, "formats"), p->format))
		fc_err_add_detail(err, "format_not_allowed", "format", "The format %s is not one this project takes.",
				  p->format);
lengths:
	if (strcmp(media, "image") && p->kind[0]) {
		if (has(spec, "min_seconds") && p->duration < num(spec, "min_seconds", 0))
			fc_err_add_detail(err, "too_short", "duration_seconds",
					  "The recording lasts %.2f s; the minimum is %g s.", p->duration,
					  num(spec, "min_seconds", 0));
		if (has(spec, "max_seconds") && p->duration > num(spec, "max_seconds", 0))
			fc_err_add_detail(err, "too_long", "duration_seconds",
					  "The recording lasts %.2f s; the maximum is %g s.", p->duration,
					  num(spec, "max_seconds", 0));
	}
	if (!strcmp(media, "audio")) {
		if (has(spec, "min_sample_rate") && p->sample_rate < num(spec, "min_sample_rate", 0))
			fc_err_add_detail(err, "sample_rate_too_low", "sample_rate",
					  "The sample rate is %d Hz; the minimum is %g Hz.", p->sample_rate,
					  num(spec, "min_sample_rate", 0));
		if (has(spec, "channels") && p->channels != (int)num(spec, "channels", 0))
			fc_err_add_detail(err, "wrong_channels", "channels", "The recording has %d channels; %d wanted.",
					  p->channels, (int)num(spec, "channels", 0));
		if (fc_audio_analyse(path, &rep->audio, &sub)) {
			add_from(err, &sub);
			goto done;
		}
		rep->has_audio_stats = 1;
		fc_audio_stats *a = &rep->audio;
		if (p->truncated)
			fc_err_add_detail(err, "truncated", "file",
					  "The file is shorter than its header says: it was cut off (truncated upload?).");
		else if (p->duration > 0 && a->decoded_seconds < p->duration * FC_MEDIA_MIN_DECODED_SHARE)
			fc_err_add_detail(
				err, "truncated", "file",
				"Only %.2f s of the declared %.2f s could be decoded: the file is truncated or damaged.",
				a->decoded_seconds, p->duration);
		double min_rms = num(spec, "min_rms_dbfs", FC_MEDIA_MIN_RMS_DBFS);
		if (!(a->rms_dbfs >= min_rms)) {
			if (isinf(a->rms_dbfs))
				fc_err_add_detail(err, "too_quiet", "loudness", "The recording is digital silence.");
			else
				fc_err_add_detail(err, "too_quiet", "loudness",
						  "The recording's loudness is %.1f dBFS; the minimum is %.1f dBFS.",
						  a->rms_dbfs, min_rms);
		}
		double max_sil = num(spec, "max_silence_ratio", FC_MEDIA_MAX_SILENCE_RATIO);
		if (a->silence_ratio > max_sil)
			fc_err_add_detail(err, "too_much_silence", "silence_ratio",
					  "%.0f%% of the recording is silence; at most %.0f%% may be.",
					  a->silence_ratio * 100, max_sil * 100);
		double max_clip = num(spec, "max_clipping_ratio", FC_MEDIA_MAX_CLIPPING_RATIO);
		if (a->clipping_ratio > max_clip)
			fc_err_add_detail(err, "clipped", "clipping_ratio",
					  "%.2f%% of the samples are clipped (too loud); at most %.2f%% may be.",
					  a->clipping_ratio * 100, max_clip * 100);
	}
	if (!strcmp(media, "video")) {
		if (has(spec, "min_fps") && p->fps < num(spec, "min_fps", 0))
			fc_err_add_detail(err, "frame_rate_too_low", "fps",
					  "The frame rate is %.2f; the minimum is %g.", p->fps, num(spec, "min_fps", 0));
		if (has(spec, "max_fps") && p->fps > num(spec, "max_fps", 0))
			fc_err_add_detail(err, "frame_rate_too_high", "fps",
					  "The frame rate is %.2f; the maximum is %g.", p->fps, num(spec, "max_fps", 0));
	}
	if (strcmp(media, "audio")) {
		if ((has(spec, "min_width") && p->width < num(spec, "min_width", 0)) ||
		    (has(spec, "min_height") && p->height < num(spec, "min_height", 0)))
			fc_err_add_detail(err, "resolution_too_low", "resolution",
					  "The resolution is %dx%d; the minimum is %gx%g.", p->width, p->height,
					  num(spec, "min_width", 0), num(spec, "min_height", 0));
	}
	if (!strcmp(media, "image")) {
		if (fc_image_analyse(path, &rep->image, &sub)) {
			add_from(err, &sub);
			goto done;
		}
		rep->has_image_stats = 1;
		fc_image_stats *im = &rep->image;
		double lo = num(spec, "min_brightness", FC_MEDIA_MIN_BRIGHTNESS);
		double hi = num(spec, "max_brightness", FC_MEDIA_MAX_BRIGHTNESS);
		if (im->brightness < lo)
			fc_err_add_detail(err, "too_dark", "brightness",
					  "The photo is too dark (mean level %.0f of 255; the minimum is %.0f).",
					  im->brightness, lo);
		if (im->brightness > hi)
			fc_err_add_detail(err, "too_bright", "brightness",
					  "The photo is washed out (mean level %.0f of 255; the maximum is %.0f).",
					  im->brightness, hi);
		double sharp = num(spec, "min_sharpness", FC_MEDIA_MIN_SHARPNESS);
		if (im->sharpness < sharp)
			fc_err_add_detail(err, "blurred", "sharpness",
					  "The photo is blurred (sharpness %.1f; the minimum is %.1f).", im->sharpness,
					  sharp);
	}
done:
	if (json_array_size(err->details)) {
		const json_t *first = json_array_get(err->details, 0);
		size_t n = json_array_size(err->details);
		return fc_err_set(err, FC_ERULE, json_string_value(json_object_get(first, "code")),
				  json_string_value(json_object_get(first, "field")), "The upload failed %zu check%s: %s",
				  n, n == 1 ? "" : "s", json_string_value(json_object_get(first, "message")));
	}
	return 0;
}

/* ---- spec validation ---- */

typedef struct numrule {
	const char *name;
	double lo, hi;
	int integer;
} numrule;

static const numrule RULES[] = {
	{"min_seconds", 0, 86400, 0},
	{"max_seconds", 0.1, 86400, 0},
	{"min_sample_rate", 1000, 384000, 1},
	{"channels", 1, 8, 1},
	{"min_width", 1, 100000, 1},
	{"min_height", 1, 100000, 1},
	{"min_fps", 0, 1000, 0},
	{"max_fps", 0.1, 1000, 0},
	{"max_bytes", 1024, (double)FC_MEDIA_LIMIT_MAX_BYTES, 1},
	{"min_rms_dbfs", -120, 0, 0},
	{"max_silence_ratio", 0, 1, 0},
	{"max_clipping_ratio", 0, 1, 0},
	{"min_brightness", 0, 255, 0},
	{"max_brightness", 0, 255, 0},
	{"min_sharpness", 0, 1e9, 0},
	{"max_dhash_distance", 0, 64, 1},
	{"min_hz", 1, 1000, 0},
	{0},
};

static const char *FORMATS[] = {"wav", "ogg",  "webm", "mkv", "mp3", "m4a", "mp4", "flac",
				"avi", "jpeg", "jpg",  "png", "gif", "bmp", "mov", NULL};

int fc_media_spec_validate(const json_t *spec, fc_err *err)
{
	int bad = 0;
	for (const numrule *r = RULES; r->name; r++) {
		const json_t *v = json_object_get(spec, r->name);
		if (!v || json_is_null(v))
			continue;
		char field[64];
		snprintf(field, sizeof field, "collect.%s", r->name);
		if (!json_is_number(v) || (r->integer && !json_is_integer(v))) {
			fc_err_add_detail(err, "invalid_type", field, "%s must be a%s number.", field,
					  r->integer ? "n integer" : "");
			bad++;
		} else if (json_number_value(v) < r->lo || json_number_value(v) > r->hi) {
			fc_err_add_detail(err, "invalid_value", field, "%s must be from %g to %g.", field, r->lo, r->hi);
			bad++;
		}
	}
	if (num(spec, "min_seconds", 0) > num(spec, "max_seconds", INFINITY)) {
		fc_err_add_detail(err, "invalid_value", "collect.max_seconds",
				  "max_seconds must not be below min_seconds.");
		bad++;
	}
	const json_t *sn = json_object_get(spec, "sensors"), *sv;
	size_t si;
	if (sn && !json_is_null(sn)) {
		int ok = json_is_array(sn) && json_array_size(sn) > 0;
		if (ok)
			json_array_foreach(sn, si, sv)
				ok &= json_is_string(sv) && fc_sensor_index(json_string_value(sv)) >= 0;
		if (!ok) {
			fc_err_add_detail(err, "invalid_value", "collect.sensors",
					  "collect.sensors must list one or more of accelerometer, gyroscope, orientation.");
			bad++;
		}
	}
	const json_t *f = json_object_get(spec, "formats");
	if (f && !json_is_null(f)) {
		size_t i;
		const json_t *v;
		int ok = json_is_array(f);
		if (ok)
			json_array_foreach(f, i, v) {
				int known = 0;
				for (const char **k = FORMATS; *k && json_is_string(v); k++)
					known |= !strcasecmp(*k, json_string_value(v));
				ok &= known;
			}
		if (!ok) {
			fc_err_add_detail(
				err, "invalid_value", "collect.formats",
				"collect.formats must list known formats (wav, ogg, webm, mp3, m4a, mp4, flac, jpeg, png, ...).");
			bad++;
		}
	}
	return bad ? FC_EINVAL : 0;
}
