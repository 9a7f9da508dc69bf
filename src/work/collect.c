/* Data collection: uploads, checks, submit, peer validation, quotas. */
#include "work/collect.h"
#include "blob/blob.h"
#include "core/clock.h"
#include "core/json.h"
#include "events/events.h"
#include "media/media.h"
#include "media/speech.h"
#include "work/blobs.h"
#include "work/peaks.h"
#include "work/project.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* demographic dimensions a quota cell may name ("gender:female") */
static const char *DIMS[] = {"gender", "age_band", "accent", "country", NULL};

static int known_dim(const char *key, size_t n)
{
	for (const char **d = DIMS; *d; d++)
		if (strlen(*d) == n && !strncmp(*d, key, n))
			return 1;
	return 0;
}

/* verify_prompt (read-aloud, English) needs a prompt field and audio. */
static void prompt_spec_validate(const json_t *c, fc_err *err)
{
	const json_t *vp = json_object_get(c, "verify_prompt"), *mw = json_object_get(c, "max_prompt_wer");
	if (vp && !json_is_boolean(vp))
		fc_err_add_detail(err, "invalid_type", "collect.verify_prompt",
				  "collect.verify_prompt must be true or false.");
	if (mw && (!json_is_number(mw) || json_number_value(mw) < 0 || json_number_value(mw) > 10))
		fc_err_add_detail(err, "invalid_value", "collect.max_prompt_wer",
				  "collect.max_prompt_wer must be a word error rate from 0 to 10.");
	if (json_is_true(vp) && !json_is_string(json_object_get(c, "prompt_field")))
		fc_err_add_detail(err, "invalid_value", "collect.verify_prompt",
				  "collect.verify_prompt needs collect.prompt_field: the sentence to read.");
}

int fc_collect_spec_validate(const json_t *c, fc_err *err)
{
	static const char *KNOWN[] = {"media",
				      "prompt_field",
				      "min_seconds",
				      "max_seconds",
				      "min_sample_rate",
				      "channels",
				      "min_width",
				      "min_height",
				      "min_fps",
				      "max_fps",
				      "max_bytes",
				      "formats",
				      "quotas",
				      "min_rms_dbfs",
				      "max_silence_ratio",
				      "max_clipping_ratio",
				      "min_brightness",
				      "max_brightness",
				      "min_sharpness",
				      "max_dhash_distance",
				      "export",
				      "vote_reward",
				      "verify_prompt",
				      "max_prompt_wer",
				      "sensors",
				      "min_hz",
				      NULL};
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)c, key, v) {
		int known = 0;
		for (const char **k = KNOWN; *k; k++)
			known |= !strcmp(*k, key);
		if (!known)
			fc_err_add_detail(err, "unknown_field", "collect", "collect.%s is not a collect spec field.",
					  key);
	}
	const json_t *vr = json_object_get(c, "vote_reward");
	if (vr && (!json_is_integer(vr) || json_integer_value(vr) < 0 || json_integer_value(vr) > 100000000))
		fc_err_add_detail(err, "invalid_value", "collect.vote_reward",
				  "collect.vote_reward must be 0 or more minor units per vote.");
	const json_t *pf = json_object_get(c, "prompt_field");
	if (pf && !json_is_null(pf) && (!json_is_string(pf) || !json_string_length(pf) || json_string_length(pf) > 100))
		fc_err_add_detail(err, "invalid_value", "collect.prompt_field",
				  "collect.prompt_field must name a task data field.");
	prompt_spec_validate(c, err);
	const json_t *q = json_object_get(c, "quotas");
	if (q && !json_is_null(q)) {
		if (!json_is_object(q)) {
			fc_err_add_detail(err, "invalid_type", "collect.quotas",
					  "collect.quotas must be an object like {\"gender:female\": 100}.");
		} else {
			json_object_foreach((json_t *)q, key, v) {
				const char *colon = strchr(key, ':');
				if (!colon || !colon[1] || !known_dim(key, (size_t)(colon - key)) || strlen(key) > 120)
					fc_err_add_detail(
						err, "invalid_value", "collect.quotas",
						"Quota cell '%s' must be gender:, age_band:, accent: or country: and a value.",
						key);
				else if (!json_is_integer(v) || json_integer_value(v) < 0)
					fc_err_add_detail(err, "invalid_value", "collect.quotas",
							  "Quota '%s' must be a whole number of submissions, 0 or more.",
							  key);
			}
		}
	}
	const json_t *ex = json_object_get(c, "export");
	if (ex && !json_is_null(ex)) {
		if (!json_is_object(ex)) {
			fc_err_add_detail(
				err, "invalid_type", "collect.export",
				"collect.export must be an object like {\"audio\": \"wav16k\", \"keep_originals\": false}.");
		} else {
			json_object_foreach((json_t *)ex, key, v) {
				if (!strcmp(key, "audio")) {
					if (!json_is_string(v) || (strcmp(json_string_value(v), "wav16k") &&
								   strcmp(json_string_value(v), "original")))
						fc_err_add_detail(err, "invalid_value", "collect.export.audio",
								  "collect.export.audio must be 'wav16k' or 'original'.");
				} else if (!strcmp(key, "keep_originals")) {
					if (!json_is_boolean(v))
						fc_err_add_detail(err, "invalid_type", "collect.export.keep_originals",
								  "collect.export.keep_originals must be true or false.");
				} else {
					fc_err_add_detail(err, "unknown_field", "collect.export",
							  "collect.export.%s is not an export field.", key);
				}
			}
		}
	}
	fc_media_spec_validate(c, err);
	if (json_array_size(err->details)) {
		const json_t *first = json_array_get(err->details, 0);
		return fc_err_set(err, FC_EINVAL, json_string_value(json_object_get(first, "code")),
				  json_string_value(json_object_get(first, "field")), "%s",
				  json_string_value(json_object_get(first, "message")));
	}
	return 0;
}

/* ---- uploads ---- */

typedef struct upctx {
	int64_t project, uploader;
	json_t *spec;
	char status[16];
	int64_t expires;
	char kind[16];
	json_t *data; /* the task's data (the prompt) */
} upctx;

/* Loads the assignment and its project's spec; 404 unless it is user's. */
static int load_assignment(fc_db *db, int64_t aid, int64_t user, upctx *u, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT a.user_id, a.status, a.expires_at, a.project_id, p.kind, p.collect, t.data "
			     "FROM assignments a JOIN projects p ON p.id=a.project_id JOIN tasks t ON t.id=a.task_id "
			     "WHERE a.id=?",
			     "I", aid);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1 || fc_stmt_int(st, 0) != user) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such assignment.");
	}
	u->uploader = fc_stmt_int(st, 0);
	snprintf(u->status, sizeof u->status, "%s", fc_stmt_text(st, 1));
	u->expires = fc_stmt_int(st, 2);
	u->project = fc_stmt_int(st, 3);
	snprintf(u->kind, sizeof u->kind, "%s", fc_stmt_text(st, 4));
	u->spec = fc_stmt_json(st, 5);
	u->data = fc_stmt_json(st, 6);
	fc_stmt_done(st);
	if (strcmp(u->kind, "collection"))
		return fc_err_set(err, FC_ECONFLICT, "not_collection", NULL,
				  "This project collects no media; submit a result instead.");
	if (!strcmp(u->status, "submitted"))
		return fc_err_set(err, FC_ECONFLICT, "already_submitted", NULL, "This assignment was already submitted.");
	if (strcmp(u->status, "leased") || fc_clock_now() >= u->expires)
		return fc_err_set(err, FC_ECONFLICT, "lease_expired", NULL,
				  "The lease on this task has ended; take a new task.");
	return 0;
}

size_t fc_collect_upload_limit(fc_store *s, int64_t aid, size_t def)
{
	fc_media_preload(); /* a recording is coming: its checks need libav */
	fc_db *db;
	if (aid <= 0 || fc_db_begin(s, FC_DB_READ, &db, NULL))
		return def;
	int64_t max = 0;
	if (fc_db_int(db, &max, NULL,
		      "SELECT COALESCE(CAST(json_extract(p.collect,'$.max_bytes') AS BIGINT),?) FROM assignments a JOIN projects p "
		      "ON p.id=a.project_id WHERE a.id=? AND p.kind='collection'",
		      "II", (int64_t)FC_MEDIA_DEFAULT_MAX_BYTES, aid))
		max = (int64_t)def;
	fc_db_rollback(db);
	return max > 0 && (uint64_t)max < def ? (size_t)max : def;
}

static json_t *real_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *checks_json(const fc_media_report *rep)
{
	json_t *j = json_object();
	if (rep->has_audio_stats) {
		json_object_set_new(j, "rms_dbfs", real_or_null(rep->audio.rms_dbfs));
		json_object_set_new(j, "silence_ratio", json_real(rep->audio.silence_ratio));
		json_object_set_new(j, "clipping_ratio", json_real(rep->audio.clipping_ratio));
	}
	if (rep->has_sensor_stats) {
		json_t *cols = json_array();
		for (int i = 0; i < rep->sensor.columns; i++)
			json_array_append_new(cols, json_string(fc_sensor_column(rep->sensor.col[i])));
		json_object_set_new(j, "sample_hz", json_real(rep->sensor.hz));
		json_object_set_new(j, "samples", json_integer((json_int_t)rep->sensor.rows));
		json_object_set_new(j, "columns", cols);
	}
	if (rep->has_image_stats) {
		char hex[17];
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)rep->image.dhash);
		json_object_set_new(j, "brightness", json_real(rep->image.brightness));
		json_object_set_new(j, "sharpness", json_real(rep->image.sharpness));
		json_object_set_new(j, "dhash", json_string(hex));
	}
	return j;
}

static const char *ext_of(const fc_probe *p) { return !strcmp(p->format, "jpeg") ? "jpg" : p->format; }

static json_t *media_json(int64_t id, const char *sha, json_t *probe, json_t *checks)
{
	char url[64];
	snprintf(url, sizeof url, "/api/v1/media/%lld", (long long)id);
	return json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)id, "sha256", sha, "url", url, "probe", probe,
			 "checks", checks ? checks : json_object());
}

/* What the speech check heard (verify_prompt). */
typedef struct prompt_check {
	int done;
	double wer;
	char heard[1024];
} prompt_check;

/* verify_prompt: the recording is recognised and compared with the task's
 * prompt; one too far from it fails the check (*failed, a detail). 0, or
 * the error that kept the check from running. */
static int check_prompt(const char *file, const upctx *u, const fc_media_report *rep, prompt_check *pc, int *failed,
			fc_err *err)
{
	pc->done = 0;
	const char *field = json_string_value(json_object_get(u->spec, "prompt_field"));
	const char *prompt = field ? json_string_value(json_object_get(u->data, field)) : NULL;
	if (!json_is_true(json_object_get(u->spec, "verify_prompt")) || !rep->has_audio_stats || !prompt)
		return 0;
	int rc = fc_speech_recognise(file, prompt, pc->heard, sizeof pc->heard, err);
	if (rc == FC_ENOTFOUND) { /* a prompt of no English word: not checked */
		fc_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	pc->done = 1;
	pc->wer = fc_speech_wer(prompt, pc->heard);
	const json_t *mw = json_object_get(u->spec, "max_prompt_wer");
	double max = json_is_number(mw) ? json_number_value(mw) : FC_SPEECH_MAX_WER;
	if (pc->wer > max) {
		fc_err_add_detail(err, "prompt_mismatch", "file",
				  "The recording does not say its sentence (word error rate %.2f, at most %.2f).",
				  pc->wer, max);
		*failed = 1;
	}
	return 0;
}

/* Whether the file starts like a JPEG (SOI, then a marker). */
static int starts_jpeg(const char *path)
{
	unsigned char b[3] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	return n == 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
}

int fc_collect_upload(fc_store *s, const char *data_dir, const fc_user *user, int64_t aid, const char *path,
		      const char *known_sha, const char *content_type, json_t **out, int *created, fc_err *err)
{
	*out = NULL;
	*created = 1;
	upctx u = {0};
	fc_db *db = NULL;
	fc_blob *blob = NULL;
	char clean[1200] = "", sha[65];
	const char *file = path;
	uint64_t size = 0;
	fc_media_report rep;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = load_assignment(db, aid, user->id, &u, err);
	fc_db_rollback(db);
	db = NULL;
	if (rc)
		goto out;
	/* photos lose their EXIF/location metadata before anything else (the
	 * JPEG signature, as libmagic knows it: the checks sniff the file once
	 * more and a second libmagic pass cost ~8 ms per upload) */
	if (starts_jpeg(path)) {
		int removed;
		snprintf(clean, sizeof clean, "%s.clean", path);
		if (fc_jpeg_strip(path, clean, &removed, NULL) == 0)
			file = clean;
		else
			clean[0] = 0; /* the checks below report the damage */
	}
	rc = fc_media_check(file, content_type, u.spec, &rep, err);
	if (rc && rc != FC_ERULE)
		goto out;
	int failed = rc == FC_ERULE;
	rc = 0;
	prompt_check pc = {0};
	if (!failed && (rc = check_prompt(file, &u, &rep, &pc, &failed, err)))
		goto out;
	if (file == path && known_sha && strlen(known_sha) == 64) {
		/* hashed while it arrived: no second read of a large file */
		struct stat stt;
		if (stat(file, &stt)) {
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the upload.");
			goto out;
		}
		snprintf(sha, sizeof sha, "%s", known_sha);
		size = (uint64_t)stt.st_size;
	} else if ((rc = fc_blob_hash_file(file, sha, &size, err))) {
		goto out;
	}
	/* duplicates within the project */
	if ((rc = fc_db_begin(s, FC_DB_READ, &db, err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err, "SELECT id, assignment_id, probe FROM media WHERE project_id=? AND sha256=?",
			      "It", u.project, sha)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		if (fc_stmt_int(st, 1) == aid && !failed) { /* a retry of the same upload */
			json_t *probe = fc_stmt_json(st, 2), *checks = json_incref(json_object_get(probe, "checks"));
			json_object_del(probe, "checks");
			*out = media_json(fc_stmt_int(st, 0), sha, probe, checks);
			*created = 0;
			fc_stmt_done(st);
			goto out;
		}
		fc_err_add_detail(err, "duplicate", "file", "This exact file was already uploaded to this project.");
		failed = 1;
	}
	fc_stmt_done(st);
	if (rep.has_image_stats) {
		int64_t limit = fc_json_int(u.spec, "max_dhash_distance", FC_MEDIA_DHASH_DISTANCE);
		if ((rc = fc_db_query(db, &st, err,
				      "SELECT id, dhash FROM media WHERE project_id=? AND dhash IS NOT NULL AND sha256<>?",
				      "It", u.project, sha)))
			goto out;
		while (fc_stmt_next(st) == 1) {
			int d = fc_hamming64((uint64_t)fc_stmt_int(st, 1), rep.image.dhash);
			if (d <= limit) {
				fc_err_add_detail(err, "near_duplicate", "file",
						  "This photo is nearly the same as one already uploaded to this project "
						  "(%d of 64 bits differ).",
						  d);
				failed = 1;
				break;
			}
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	db = NULL;
	if (failed) {
		const json_t *first = json_array_get(err->details, 0);
		size_t n = json_array_size(err->details);
		rc = fc_err_set(err, FC_ERULE, json_string_value(json_object_get(first, "code")),
				json_string_value(json_object_get(first, "field")), "The upload failed %zu check%s: %s",
				n, n == 1 ? "" : "s", json_string_value(json_object_get(first, "message")));
		goto out;
	}
	/* store the bytes first: a row never points at a missing file */
	if ((rc = fc_blob_open(&blob, data_dir, err)) || (rc = fc_blob_put_file(blob, file, sha, NULL, err)))
		goto out;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		goto out;
	upctx again = {0};
	rc = load_assignment(db, aid, user->id, &again, err);
	json_decref(again.spec);
	json_decref(again.data);
	if (rc)
		goto out;
	json_t *probe = fc_probe_json(&rep.probe);
	json_t *checks = checks_json(&rep);
	json_object_set(probe, "checks", checks);
	if (pc.done) {
		json_object_set_new(probe, "prompt_wer", json_real(pc.wer));
		json_object_set_new(probe, "recognised_text", json_string(pc.heard));
	}
	int64_t mid = 0;
	rc = fc_db_int(db, &mid, err,
		       "INSERT INTO media(project_id,assignment_id,user_id,sha256,kind,mime,ext,bytes,probe,dhash,created_at) "
		       "VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(project_id,sha256) DO NOTHING RETURNING id",
		       "IIIttttIjII", u.project, aid, user->id, sha, rep.probe.kind, rep.probe.mime, ext_of(&rep.probe),
		       (int64_t)size, probe, rep.has_image_stats ? (int64_t)rep.image.dhash : (int64_t)0, fc_clock_now());
	if (rc == FC_ENOTFOUND) { /* someone stored the same file a moment ago */
		fc_err_clear(err);
		fc_err_add_detail(err, "duplicate", "file", "This exact file was already uploaded to this project.");
		rc = fc_err_set(err, FC_ERULE, "duplicate", "file",
				"This exact file was already uploaded to this project.");
	}
	if (!rc && !rep.has_image_stats)
		rc = fc_db_exec(db, err, "UPDATE media SET dhash=NULL WHERE id=?", "I", mid);
	if (!rc)
		rc = fc_peaks_queue(db, mid, u.project, rep.probe.kind, err);
	if (!rc) {
		char salt[33];
		unsigned char rnd[16];
		randombytes_buf(rnd, sizeof rnd);
		sodium_bin2hex(salt, sizeof salt, rnd, sizeof rnd);
		rc = fc_db_exec(db, err, "INSERT INTO project_salts(project_id,salt) VALUES(?,?) ON CONFLICT DO NOTHING",
				"It", u.project, salt);
	}
	json_object_del(probe, "checks");
	if (!rc)
		*out = media_json(mid, sha, probe, checks);
	else {
		json_decref(probe);
		json_decref(checks);
	}
out:
	if (db)
		fc_db_end(db, &rc, err);
	if (clean[0])
		unlink(clean);
	fc_blob_close(blob);
	json_decref(u.spec);
	json_decref(u.data);
	return rc;
}

/* ---- submit ---- */

int fc_collect_submit_result(fc_db *db, int64_t aid, int64_t project, const json_t *body, json_t **result,
			     int64_t *media_id, fc_err *err)
{
	*result = NULL;
	const json_t *m = json_object_get(body, "media_id");
	if (json_object_get(body, "result"))
		return fc_err_set(err, FC_EINVAL, "unknown_field", "result",
				  "A collection project takes media_id (from the upload), not a result.");
	if (!m)
		return fc_err_set(err, FC_EINVAL, "missing_field", "media_id",
				  "Field 'media_id' is required: upload the recording first.");
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT id, sha256, kind, mime, probe FROM media WHERE id=? AND assignment_id=? AND project_id=?",
			     "III", (int64_t)json_integer_value(m), aid, project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) != 1) {
		fc_stmt_done(st);
		return fc_err_set(err, FC_ERULE, "invalid_media", "media_id",
				  "media_id is not a file uploaded for this assignment.");
	}
	*media_id = fc_stmt_int(st, 0);
	char url[64];
	snprintf(url, sizeof url, "/api/v1/media/%lld", (long long)*media_id);
	json_t *probe = fc_stmt_json(st, 4);
	json_object_del(probe, "checks");
	const char *kind = fc_stmt_text(st, 2);
	/* Label Studio style: one region per result, the value names the file
	 * by URL as LS task data does */
	*result = json_pack("[{s:s,s:s,s:s,s:s,s:{s:s,s:I,s:s,s:s,s:o}}]", "id", "recording", "from_name", "recording",
			    "to_name", !strcmp(kind, "image") ? "image" : kind, "type", kind, "value", kind, url,
			    "media_id", (json_int_t)*media_id, "sha256", fc_stmt_text(st, 1), "mime",
			    fc_stmt_text(st, 3), "probe", probe);
	fc_stmt_done(st);
	return *result ? 0 : fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
}

/* The user's cells: "gender:female", "age_band:twenties", ... (lowercase). */
static int user_cells(fc_db *db, int64_t user, char cells[4][160], int *n, fc_err *err)
{
	*n = 0;
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT demographics, country FROM users WHERE id=?", "I", user);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		json_t *d = fc_stmt_json(st, 0);
		for (int i = 0; DIMS[i]; i++) {
			const char *v = !strcmp(DIMS[i], "country") ? fc_stmt_text(st, 1) : fc_json_str(d, DIMS[i], NULL);
			if (!v || !*v)
				continue;
			snprintf(cells[*n], 160, "%s:%s", DIMS[i], v);
			for (char *c = cells[*n]; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			(*n)++;
		}
		json_decref(d);
	}
	fc_stmt_done(st);
	return 0;
}

int fc_collect_after_submit(fc_db *db, int64_t sid, int64_t media_id, int64_t project, int64_t user, fc_err *err)
{
	int rc;
	if ((rc = fc_db_exec(db, err, "UPDATE submissions SET media_id=?, validity='pending' WHERE id=?", "II",
			     media_id, sid)) ||
	    (rc = fc_db_exec(db, err, "UPDATE media SET submission_id=? WHERE id=?", "II", sid, media_id)))
		return rc;
	char cells[4][160];
	int n;
	if ((rc = user_cells(db, user, cells, &n, err)))
		return rc;
	for (int i = 0; !rc && i < n; i++)
		rc = fc_db_exec(db, err,
				"INSERT INTO quota_counts(project_id,cell,n) VALUES(?,?,1) "
				"ON CONFLICT(project_id,cell) DO UPDATE SET n=quota_counts.n+1",
				"It", project, cells[i]);
	return rc;
}

void fc_collect_decorate(fc_db *db, json_t *sub)
{
	fc_stmt *st;
	if (!json_object_get(sub, "media_id") ||
	    fc_db_query(db, &st, NULL, "SELECT up_votes, down_votes, validity FROM submissions WHERE id=?", "I",
			(int64_t)json_integer_value(json_object_get(sub, "id"))))
		return;
	if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 2)) {
		json_object_set_new(sub, "up_votes", json_integer(fc_stmt_int(st, 0)));
		json_object_set_new(sub, "down_votes", json_integer(fc_stmt_int(st, 1)));
		json_object_set_new(sub, "validity", json_string(fc_stmt_text(st, 2)));
	}
	fc_stmt_done(st);
}

/* ---- quotas ---- */

int fc_collect_quota_ok(fc_db *db, int64_t project, int64_t user, const char **why, fc_err *err)
{
	*why = NULL;
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, "SELECT json_extract(collect,'$.quotas') FROM projects WHERE id=?", "I",
			     project);
	if (rc)
		return rc;
	json_t *q = fc_stmt_next(st) == 1 ? fc_stmt_json(st, 0) : json_null();
	fc_stmt_done(st);
	if (!json_is_object(q) || !json_object_size(q)) {
		json_decref(q);
		return 0;
	}
	char cells[4][160];
	int n;
	if ((rc = user_cells(db, user, cells, &n, err)))
		goto out;
	const char *key;
	json_t *cap;
	json_object_foreach(q, key, cap) {
		for (int i = 0; i < n && !*why; i++) {
			if (strcasecmp(cells[i], key))
				continue;
			int64_t used = 0;
			if (fc_db_int(db, &used, NULL, "SELECT n FROM quota_counts WHERE project_id=? AND cell=?", "It",
				      project, cells[i]))
				used = 0;
			if (used >= json_integer_value(cap))
				*why = "quota_full";
		}
	}
out:
	json_decref(q);
	return rc;
}

/* ---- peer validation ---- */

const char *fc_collect_validity(int64_t up, int64_t down)
{
	if (up >= 2 && up > down)
		return "valid";
	if (down >= 2 && down > up)
		return "invalid";
	return "pending";
}

static int validation_json(fc_db *db, int64_t vid, int64_t sid, json_t **out, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.media_id, s.task_id, t.data, json_extract(p.collect,'$.prompt_field'), "
			     "s.up_votes, s.down_votes, m.kind, m.mime FROM submissions s JOIN tasks t ON t.id=s.task_id "
			     "JOIN projects p ON p.id=s.project_id JOIN media m ON m.id=s.media_id WHERE s.id=?",
			     "I", sid);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		char url[64];
		snprintf(url, sizeof url, "/api/v1/media/%lld", (long long)fc_stmt_int(st, 0));
		json_t *data = fc_stmt_json(st, 2);
		const char *pf = fc_stmt_isnull(st, 3) ? "sentence" : fc_stmt_text(st, 3);
		const json_t *sentence = json_object_get(data, pf);
		*out = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:O,s:{s:I,s:o},s:I,s:I}", "id", (json_int_t)vid,
				 "submission_id", (json_int_t)sid, "media_id", (json_int_t)fc_stmt_int(st, 0),
				 "media_url", url, "kind", fc_stmt_text(st, 6), "mime", fc_stmt_text(st, 7), "sentence",
				 json_is_string(sentence) ? (json_t *)sentence : json_null(), "task", "id",
				 (json_int_t)fc_stmt_int(st, 1), "data", data, "up_votes",
				 (json_int_t)fc_stmt_int(st, 4), "down_votes", (json_int_t)fc_stmt_int(st, 5));
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such recording.");
	}
	fc_stmt_done(st);
	return rc;
}

int fc_collect_validation_next(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	*out = NULL;
	fc_db *db;
	int access, rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if ((rc = fc_project_access(db, user, project, &access, err)))
		goto out;
	int64_t is_collection = 0;
	fc_db_int(db, &is_collection, NULL, "SELECT kind='collection' FROM projects WHERE id=?", "I", project);
	if (!is_collection) {
		rc = fc_err_set(err, FC_ECONFLICT, "not_collection", NULL, "This project has no recordings to validate.");
		goto out;
	}
	int64_t vid = 0, sid = 0;
	fc_stmt *st;
	/* one still waiting for this user's vote comes back first */
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT v.id, v.submission_id FROM validations v JOIN submissions s ON s.id=v.submission_id "
			      "WHERE v.user_id=? AND s.project_id=? AND s.validity='pending' AND NOT EXISTS "
			      "(SELECT 1 FROM votes x WHERE x.submission_id=v.submission_id AND x.user_id=v.user_id) "
			      "ORDER BY v.id LIMIT 1",
			      "II", user->id, project)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		vid = fc_stmt_int(st, 0);
		sid = fc_stmt_int(st, 1);
	}
	fc_stmt_done(st);
	if (!vid) {
		rc = fc_db_int(db, &sid, err,
			       "SELECT s.id FROM submissions s WHERE s.project_id=? AND s.validity='pending' AND s.user_id<>? "
			       "AND s.erased_at IS NULL "
			       "AND s.status<>'rejected' AND NOT EXISTS (SELECT 1 FROM validations v WHERE "
			       "v.submission_id=s.id AND v.user_id=?) ORDER BY s.id LIMIT 1",
			       "III", project, user->id, user->id);
		if (rc == FC_ENOTFOUND) {
			fc_err_clear(err);
			rc = 0;
			goto out;
		}
		if (rc ||
		    (rc = fc_db_int(db, &vid, err,
				    "INSERT INTO validations(submission_id,user_id,created_at) VALUES(?,?,?) RETURNING id",
				    "III", sid, user->id, fc_clock_now())))
			goto out;
	}
	rc = validation_json(db, vid, sid, out, err);
out:
	return fc_db_end(db, &rc, err);
}

/* beyond the team: the uploader, a validator of the submission, and whoever
 * holds or submitted an annotation task that shows the recording
 * ("audio": "/api/v1/media/ID") */
static int media_reader(fc_db *db, const fc_user *user, int64_t id, int64_t project, const int64_t extra[2])
{
	(void)project;
	int64_t one;
	if (extra[0] == user->id)
		return 1;
	if (extra[1] && !fc_db_int(db, &one, NULL, "SELECT 1 FROM validations WHERE submission_id=? AND user_id=?",
				   "II", extra[1], user->id))
		return 1;
	char like[64];
	snprintf(like, sizeof like, "%%\"/api/v1/media/%lld\"%%", (long long)id);
	return !fc_db_int(db, &one, NULL,
			  "SELECT 1 FROM assignments a JOIN tasks t ON t.id=a.task_id WHERE a.user_id=? AND "
			  "a.status IN ('leased','submitted') AND t.data LIKE ?",
			  "It", user->id, like);
}

/* erased media (consent withdrawn) are gone for everyone */
#define MEDIA_ROW "SELECT project_id, sha256, mime, user_id, submission_id FROM media WHERE id=? AND erased_at IS NULL"

int fc_collect_media_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t media_id, FILE **f,
			  uint64_t *size, char mime[64], fc_err *err)
{
	return fc_work_blob_open(s, data_dir, user, media_id, MEDIA_ROW, media_reader, f, size, mime, err);
}

int fc_collect_media_may_read(fc_store *s, const fc_user *user, int64_t media_id, fc_err *err)
{
	char mime[64];
	return fc_work_blob_open(s, NULL, user, media_id, MEDIA_ROW, media_reader, NULL, NULL, mime, err);
}

/* Validating is work too (Common Voice's model, paid here): the project's
 * collect.vote_reward moves from its escrow straight to the voter's
 * available money (votes are not reviewed; money/ does it on FC_EV_VOTED).
 * A project whose escrow cannot pay for the vote refuses it rather than
 * taking unpaid work. */
static int pay_vote(fc_db *db, int64_t project, int64_t voter, int64_t sid, fc_err *err)
{
	fc_stmt *st;
	int64_t reward = 0;
	char cur[8] = "USD";
	int rc = fc_db_query(db, &st, err, "SELECT collect, currency FROM projects WHERE id=?", "I", project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		json_t *c = fc_stmt_json(st, 0);
		reward = fc_json_int(c, "vote_reward", 0);
		snprintf(cur, sizeof cur, "%s", fc_stmt_text(st, 1));
		json_decref(c);
	}
	fc_stmt_done(st);
	if (reward <= 0)
		return 0;
	fc_event ev = {.kind = FC_EV_VOTED,
		       .project = project,
		       .submission = sid,
		       .user = voter,
		       .amount = reward,
		       .currency = cur};
	return fc_events_publish(db, &ev, err);
}

int fc_collect_vote(fc_store *s, const fc_user *user, int64_t sid, const json_t *body, json_t **out, fc_err *err)
{
	static const fc_field FIELDS[] = {{"vote", FC_J_STRING | FC_J_REQUIRED}, {0}};
	int rc = fc_json_check(body, FIELDS, err);
	if (rc)
		return rc;
	const char *v = fc_json_str(body, "vote", "");
	if (strcmp(v, "up") && strcmp(v, "down"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "vote", "vote must be \"up\" or \"down\".");
	int up = !strcmp(v, "up");
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		return rc;
	fc_stmt *st;
	int64_t project = 0, author = 0;
	int recording = 0;
	if ((rc = fc_db_query(db, &st, err, "SELECT project_id, user_id, validity FROM submissions WHERE id=?", "I", sid)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		project = fc_stmt_int(st, 0);
		author = fc_stmt_int(st, 1);
		recording = !fc_stmt_isnull(st, 2);
	}
	fc_stmt_done(st);
	int access = FC_ACCESS_NONE, visible = 0;
	int64_t one;
	if (recording) {
		visible = author == user->id ||
			  !fc_db_int(db, &one, NULL, "SELECT 1 FROM validations WHERE submission_id=? AND user_id=?",
				     "II", sid, user->id) ||
			  (!fc_project_access(db, user, project, &access, NULL) && access >= FC_ACCESS_REVIEWER);
	}
	if (!visible) {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such recording.");
		goto out;
	}
	if (author == user->id) {
		rc = fc_err_set(err, FC_EPERM, "own_submission", NULL, "You cannot vote on your own recording.");
		goto out;
	}
	if ((rc = fc_db_exec(db, err,
			     "INSERT INTO votes(submission_id,user_id,vote,created_at) VALUES(?,?,?,?) ON CONFLICT DO NOTHING",
			     "IIiI", sid, user->id, up ? 1 : -1, fc_clock_now())))
		goto out;
	if (fc_db_changes(db) == 0) {
		rc = fc_err_set(err, FC_ECONFLICT, "already_voted", NULL, "You already voted on this recording.");
		goto out;
	}
	if ((rc = pay_vote(db, project, user->id, sid, err)))
		goto out;
	if ((rc = fc_db_exec(db, err,
			     "UPDATE submissions SET up_votes=up_votes+?, down_votes=down_votes+?, validity=CASE "
			     "WHEN up_votes+?>=2 AND up_votes+?>down_votes+? THEN 'valid' "
			     "WHEN down_votes+?>=2 AND down_votes+?>up_votes+? THEN 'invalid' ELSE 'pending' END WHERE id=?",
			     "iiiiiiiiI", up, !up, up, up, !up, !up, !up, up, sid)))
		goto out;
	if ((rc = fc_db_query(db, &st, err, "SELECT up_votes, down_votes, validity FROM submissions WHERE id=?", "I",
			      sid)))
		goto out;
	if (fc_stmt_next(st) == 1)
		*out = json_pack("{s:I,s:s,s:I,s:I,s:s}", "submission_id", (json_int_t)sid, "vote", v, "up_votes",
				 (json_int_t)fc_stmt_int(st, 0), "down_votes", (json_int_t)fc_stmt_int(st, 1),
				 "validity", fc_stmt_text(st, 2));
	fc_stmt_done(st);
out:
	return fc_db_end(db, &rc, err);
}
