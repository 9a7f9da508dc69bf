/* Data collection: uploads checked against the collect spec with real media
 * made here by espeak-ng, sox and ffmpeg; submit; peer validation; quotas;
 * the Common Voice export. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static srv S;
static char MEDIA[128]; /* generated media, shared by the tests of this run */

static void sh(const char *fmt, const char *arg)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

static void make_media(void)
{
	snprintf(MEDIA, sizeof MEDIA, "/tmp/fc-collect-media-%d", (int)getppid());
	char probe[200];
	snprintf(probe, sizeof probe, "%s/done", MEDIA);
	if (access(probe, F_OK) == 0)
		return;
	/* tests run in parallel: build in a private folder, then rename it into
	 * place; whoever loses the race uses the winner's files */
	char build[200];
	snprintf(build, sizeof build, "/tmp/fc-collect-build-XXXXXX");
	cr_assert(mkdtemp(build));
	const char *q = "-loglevel error -y";
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "cd %s && espeak-ng -w speech.wav 'The quick brown fox jumps over the lazy dog near the river bank' && "
		 "sox speech.wav -r 16000 -c 1 ok.wav && "                          /* ~3.7 s, 16 kHz mono */
		 "sox ok.wav short.wav trim 0 0.4 && "                              /* too short */
		 "sox -n -r 16000 -c 1 -b 16 silent.wav trim 0 3 && "               /* digital silence */
		 "sox ok.wav clipped.wav gain +30 2>/dev/null && "                  /* clipped */
		 "sox ok.wav -r 8000 rate8k.wav && "                                /* wrong rate */
		 "sox -n -r 16000 -c 1 -b 16 big.wav synth 70 sine 440 vol 0.3 && " /* > 2 MB */
		 "sox ok.wav -r 16000 -c 1 ok2.wav pitch 200 && "                   /* a different valid recording */
		 "sox ok.wav -r 44100 -c 2 stereo44.wav && "                        /* for the export's normalisation */
		 "ffmpeg %s -f lavfi -i testsrc=size=640x480 -frames:v 1 photo.png && "
		 "ffmpeg %s -i photo.png -vf scale=800:600 photo_big.png && "
		 "ffmpeg %s -f lavfi -i testsrc2=size=640x480 -frames:v 1 photo2.png && "
		 "ffmpeg %s -i photo.png -vf boxblur=10 blurred.png && "
		 "ffmpeg %s -i photo2.png -vf eq=brightness=-0.85 dark.png && "
		 "ffmpeg %s -f lavfi -i mandelbrot=size=640x480 -frames:v 1 photo3.jpg && "
		 "head -c 60000 ok.wav > truncated.wav && "
		 "cp photo.png png_as.wav && touch done",
		 build, q, q, q, q, q, q);
	cr_assert_eq(system(cmd), 0, "making media failed: %s", cmd);
	if (rename(build, MEDIA) != 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", build);
		cr_assert_eq(system(cmd), 0);
		cr_assert(access(probe, F_OK) == 0, "no media in %s", MEDIA);
	}
	(void)sh;
}

static void up(void)
{
	make_media();
	suite_with_users(&S, 3);
}
static void down(void) { srv_stop(&S); }
TestSuite(collect, .init = up, .fini = down, .timeout = 180);

/* One of the generated media files: its bytes (free them). */
static char *media(const char *name, size_t *len)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s", MEDIA, name);
	return slurp(path, len);
}

/* A live collection project with n tasks {"sentence": "..."}. */
static long long project(json_t *collect, int ntasks)
{
	char tasks[8192];
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:o,s:i,s:i}", "title", "Read aloud", "kind", "collection", "collect",
				      collect, "reward", 5, "overlap", 1),
			    ndjson_lines(tasks, sizeof tasks, "{\"sentence\":\"Sentence number %d is read aloud.\"}\n",
					 ntasks),
			    1000000);
}

static json_t *audio_spec(void)
{
	return json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:[s,s,s],s:i}", "media", "audio", "prompt_field", "sentence",
			 "min_seconds", 1, "max_seconds", 15, "min_sample_rate", 16000, "channels", 1, "formats", "wav",
			 "ogg", "webm", "max_bytes", 1048576);
}

static json_t *photo_spec(void)
{
	return json_pack("{s:s,s:i,s:i,s:[s,s]}", "media", "image", "min_width", 320, "min_height", 240, "formats",
			 "png", "jpeg");
}

static res upload(long long aid, const char *token, const char *ctype, const char *file)
{
	char path[96];
	size_t len;
	char *b = media(file, &len);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	res r = http(&S, "POST", path, token, ctype, b, len, NULL);
	free(b);
	return r;
}

static res submit(long long aid, const char *token, long long media_id)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	return api(&S, "POST", path, token, "{s:I,s:i}", "media_id", (json_int_t)media_id, "active_seconds", 20);
}

static int has_detail(json_t *j, const char *code)
{
	json_t *d = jget(j, "error.details");
	size_t i;
	json_t *v;
	json_array_foreach(d, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "code")), code))
			return 1;
	return 0;
}

Test(collect, valid_recording_is_probed_stored_and_submitted)
{
	long long pid = project(audio_spec(), 3);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "probe.format"), "wav");
	cr_expect_eq(jint(r.json, "probe.sample_rate"), 16000);
	cr_expect_eq(jint(r.json, "probe.channels"), 1);
	double dur = json_number_value(jget(r.json, "probe.duration_seconds"));
	cr_expect(dur > 3.0 && dur < 4.5, "duration %f", dur);
	cr_expect(json_is_null(jget(r.json, "probe.width")));
	cr_expect_eq(strlen(jstr(r.json, "sha256")), 64);
	long long mid = jint(r.json, "id");
	char sha[65];
	snprintf(sha, sizeof sha, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), 1);
	char blob[400];
	snprintf(blob, sizeof blob, "%s/blobs/%.2s/%.2s/%s", S.dir, sha, sha + 2, sha);
	cr_expect_eq(access(blob, F_OK), 0, "blob at %s", blob);
	/* the name is the content's SHA-256 (hashed by the server as it arrived) */
	char cmd[400], want[65] = "";
	snprintf(cmd, sizeof cmd, "sha256sum %s/ok.wav", MEDIA);
	FILE *p = popen(cmd, "r");
	cr_assert(p && fscanf(p, "%64s", want) == 1);
	pclose(p);
	cr_expect_str_eq(sha, want);

	/* the same file again for the same assignment: the first record */
	r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "id"), mid);
	res_free(&r);

	r = submit(aid, S.c[0], mid);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "media_id"), mid);
	cr_expect_eq(jint(r.json, "result.0.value.media_id"), mid);
	cr_expect_str_eq(jstr(r.json, "result.0.type"), "audio");
	cr_expect_str_eq(jstr(r.json, "validity"), "pending");
	cr_expect_eq(jint(r.json, "up_votes"), 0);
	res_free(&r);

	/* the file: uploader and owner yes, another contributor no */
	char path[96];
	size_t len;
	char *orig = media("ok.wav", &len);
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(r.len, len);
	cr_expect_eq(memcmp(r.body, orig, len), 0);
	res_free(&r);
	free(orig);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200);
	res_free(&r);
	r = http(&S, "GET", path, S.c[1], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(collect, bad_recordings_are_refused_with_every_reason_and_nothing_stored)
{
	long long pid = project(audio_spec(), 12);
	long long aid = lease_ok(&S, pid, S.c[0]);
	struct {
		const char *file, *ctype, *codes[3];
	} cases[] = {
		{"short.wav", "audio/wav", {"too_short"}},
		{"silent.wav", "audio/wav", {"too_quiet", "too_much_silence"}},
		{"clipped.wav", "audio/wav", {"clipped"}},
		{"rate8k.wav", "audio/wav", {"sample_rate_too_low"}},
		{"png_as.wav", "audio/wav", {"wrong_media", "content_type_mismatch"}},
		{"png_as.wav", "application/octet-stream", {"wrong_media"}},
		{"truncated.wav", "audio/wav", {"truncated"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		res r = upload(aid, S.c[0], cases[i].ctype, cases[i].file);
		cr_expect_eq(r.status, 422, "%s: %ld %s", cases[i].file, r.status, r.body);
		for (int k = 0; k < 3 && cases[i].codes[k]; k++)
			cr_expect(has_detail(r.json, cases[i].codes[k]), "%s: want %s in %s", cases[i].file,
				  cases[i].codes[k], r.body);
		cr_expect_eq(count_local_blobs(&S), 0, "%s stored something", cases[i].file);
		res_free(&r);
	}
	/* submitting without an accepted upload */
	res r = submit(aid, S.c[0], 999);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "media_id");
	res_free(&r);

	/* an exact duplicate from someone else */
	r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	long long aid2 = lease_ok(&S, pid, S.c[1]);
	r = upload(aid2, S.c[1], "audio/wav", "ok.wav");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "duplicate"), "%s", r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), 1);
}

Test(collect, oversized_upload_is_413_and_not_stored)
{
	long long pid = project(audio_spec(), 2);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, S.c[0], "audio/wav", "big.wav");
	cr_expect_eq(r.status, 413, "%s", r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), 0);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "ls '%s/tmp' | grep -c upload- || true", S.dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	cr_expect_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	cr_expect_eq(n, 0, "spooled uploads left behind");
}

Test(collect, someone_elses_assignment_is_404)
{
	long long pid = project(audio_spec(), 2);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, S.c[1], "audio/wav", "ok.wav");
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	res_free(&r);
	r = submit(aid, S.c[1], mid);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = upload(999999, S.c[0], "audio/wav", "ok.wav");
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), 1);
}

Test(collect, photos_blur_dark_near_duplicate_and_exif_stripped)
{
	long long pid = project(photo_spec(), 8);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, S.c[0], "image/png", "blurred.png");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "blurred"), "%s", r.body);
	res_free(&r);
	r = upload(aid, S.c[0], "image/png", "dark.png");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "too_dark"), "%s", r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), 0);

	r = upload(aid, S.c[0], "image/png", "photo.png");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "probe.width"), 640);
	cr_expect_eq(jint(r.json, "probe.height"), 480);
	cr_expect_str_eq(jstr(r.json, "probe.format"), "png");
	res_free(&r);
	/* the same picture, scaled: a near duplicate */
	long long aid2 = lease_ok(&S, pid, S.c[1]);
	r = upload(aid2, S.c[1], "image/png", "photo_big.png");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(has_detail(r.json, "near_duplicate"), "%s", r.body);
	res_free(&r);

	/* a JPEG carrying an EXIF block with a GPS position */
	size_t len;
	char *jpg = media("photo3.jpg", &len);
	static const char app1[] = "\xFF\xE1\x00\x1E"
				   "Exif\0\0"
				   "GPSLatitude=55.9533N....";
	size_t alen = 4 + 0x1E - 2;
	char *withexif = malloc(len + alen);
	memcpy(withexif, jpg, 2);
	memcpy(withexif + 2, app1, alen);
	memcpy(withexif + 2 + alen, jpg + 2, len - 2);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid2);
	r = http(&S, "POST", path, S.c[1], "image/jpeg", withexif, len + alen, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "probe.format"), "jpeg");
	long long mid = jint(r.json, "id");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200);
	cr_expect_eq(r.len, len, "stored %zu bytes, original without EXIF %zu", r.len, len);
	cr_expect(!memmem(r.body, r.len, "GPSLatitude", 11), "location kept");
	res_free(&r);
	free(jpg);
	free(withexif);
	cr_expect_eq(count_local_blobs(&S), 2);
}

Test(collect, profile_and_quota_cells)
{
	res r = api(&S, "PATCH", "/api/v1/me/profile", S.c[0], "{s:s,s:s,s:s,s:[s],s:s}", "gender", "female",
		    "age_band", "twenties", "accent", "Scottish English", "languages", "en", "country", "GB");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "gender"), "female");
	cr_expect_str_eq(jstr(r.json, "languages.0"), "en");
	res_free(&r);
	r = api(&S, "PATCH", "/api/v1/me/profile", S.c[1], "{s:s}", "gender", "robot");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "gender");
	res_free(&r);
	r = api(&S, "PATCH", "/api/v1/me/profile", S.c[1], "{s:s,s:s}", "gender", "male", "shoe", "42");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = api(&S, "PATCH", "/api/v1/me/profile", S.c[1], "{s:s}", "gender", "male");
	cr_expect_eq(r.status, 200);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/profile", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "country"), "GB");
	res_free(&r);

	json_t *spec = audio_spec();
	json_object_set_new(spec, "quotas", json_pack("{s:i}", "gender:female", 1));
	long long pid = project(spec, 6);
	long long aid = lease_ok(&S, pid, S.c[0]);
	r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	res_free(&r);
	r = submit(aid, S.c[0], mid);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	char path[96], why[64];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/assignments", pid);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	cr_expect_str_eq(res_header(&r, "X-Faircrowd-Reason", why, sizeof why), "quota_full");
	res_free(&r);
	r = api(&S, "POST", path, S.c[1], NULL);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	/* a bad quota is refused when the project is created */
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:{s:s,s:{s:i}}}", "title", "x", "kind", "collection",
		"collect", "media", "audio", "quotas", "shoe:42", 1);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.quotas");
	res_free(&r);
}

static void expect_wav16k(const char *file);

static void vote(long long sid, const char *token, const char *v, int want, const char *validity)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/votes", sid);
	res r = api(&S, "POST", path, token, "{s:s}", "vote", v);
	cr_expect_eq(r.status, want, "%s", r.body);
	if (validity)
		cr_expect_str_eq(jstr(r.json, "validity"), validity, "%s", r.body);
	res_free(&r);
}

Test(collect, peer_validation_to_valid_and_common_voice_export)
{
	res r = api(&S, "PATCH", "/api/v1/me/profile", S.c[0], "{s:s,s:s,s:s}", "gender", "female", "age_band",
		    "thirties", "accent", "Irish English");
	res_free(&r);
	json_t *spec = audio_spec();
	json_object_set_new(spec, "vote_reward", json_integer(2)); /* validating is paid work */
	long long pid = project(spec, 3);
	long long aid = lease_ok(&S, pid, S.c[0]);
	r = upload(aid, S.c[0], "audio/wav", "ok.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	char sha[65];
	snprintf(sha, sizeof sha, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	r = submit(aid, S.c[0], mid);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	char sentence[128];
	snprintf(sentence, sizeof sentence, "%s", "Sentence number 0 is read aloud.");
	res_free(&r);

	char next[96], media[96];
	snprintf(next, sizeof next, "/api/v1/projects/%lld/validations/next", pid);
	snprintf(media, sizeof media, "/api/v1/media/%lld", mid);
	r = api(&S, "GET", next, S.c[0], NULL); /* the author gets nothing */
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = http(&S, "GET", media, S.c[2], NULL, NULL, 0, NULL); /* not yet a validator */
	cr_expect_eq(r.status, 404);
	res_free(&r);
	vote(sid, S.c[2], "up", 404, NULL);

	r = api(&S, "GET", next, S.c[1], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "submission_id"), sid);
	cr_expect_eq(jint(r.json, "media_id"), mid);
	cr_expect_str_eq(jstr(r.json, "sentence"), sentence);
	res_free(&r);
	r = http(&S, "GET", media, S.c[1], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200);
	res_free(&r);
	vote(sid, S.c[1], "sideways", 400, NULL);
	vote(sid, S.c[1], "up", 201, "pending");
	vote(sid, S.c[1], "up", 409, NULL);
	vote(sid, S.c[0], "up", 403, NULL);
	r = api(&S, "GET", next, S.c[1], NULL); /* nothing left for S.c[1] */
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);

	r = api(&S, "GET", next, S.c[2], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "up_votes"), 1);
	res_free(&r);
	vote(sid, S.c[2], "up", 201, "valid");
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[1], NULL);
	cr_expect_eq(jint(r.json, "available"), 2, "one paid vote: %s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", S.c[2], NULL);
	cr_expect_eq(jint(r.json, "available"), 2, "the refused vote (404) was not paid: %s", r.body);
	res_free(&r);

	r = api(&S, "GET", "/api/v1/me/submissions", S.c[0], NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.validity"), "valid", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.up_votes"), 2);
	res_free(&r);

	/* the export: a tar with the TSVs and the clip */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=cv", pid);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 403, "contributors cannot export: %s", r.body);
	res_free(&r);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char dir[300], file[400];
	snprintf(dir, sizeof dir, "%s/cv-out", S.dir);
	mkdir(dir, 0700);
	snprintf(file, sizeof file, "%s/export.tar", dir);
	FILE *f = fopen(file, "wb");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	res_free(&r);
	char cmd[800];
	snprintf(cmd, sizeof cmd, "cd '%s' && tar -xf export.tar", dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(file, sizeof file, "%s/validated.tsv", dir);
	f = fopen(file, "r");
	cr_assert(f);
	char header[256], row[1024];
	cr_assert(fgets(header, sizeof header, f));
	cr_expect_str_eq(header,
			 "client_id\tpath\tsentence_id\tsentence\tsentence_domain\tup_votes\tdown_votes\tage\t"
			 "gender\taccents\tvariant\tlocale\tsegment\n",
			 "the columns of a current Common Voice release");
	cr_assert(fgets(row, sizeof row, f));
	cr_expect(!fgets(cmd, sizeof cmd, f), "one row only");
	fclose(f);
	char *cols[13] = {0}, line[1024];
	row[strcspn(row, "\n")] = 0;
	snprintf(line, sizeof line, "%s", row);
	int n = 0;
	for (char *p = row, *t; (t = strsep(&p, "\t")) && n < 13;) /* empty columns count */
		cols[n++] = t;
	cr_assert_eq(n, 13, "%s", line);
	cr_expect_eq(strlen(cols[0]), 64, "client_id is a hash");
	cr_expect(!strstr(cols[0], "c1@"), "no email");
	char want[80];
	snprintf(want, sizeof want, "%s.wav", sha);
	cr_expect_str_eq(cols[1], want);
	unsigned char h[32];
	char sentence_hash[65];
	crypto_hash_sha256(h, (const unsigned char *)sentence, strlen(sentence));
	sodium_bin2hex(sentence_hash, sizeof sentence_hash, h, sizeof h);
	cr_expect_str_eq(cols[2], sentence_hash, "sentence_id is the SHA-256 of the sentence");
	cr_expect_str_eq(cols[3], sentence);
	cr_expect_str_eq(cols[5], "2");
	cr_expect_str_eq(cols[6], "0");
	cr_expect_str_eq(cols[7], "thirties");
	cr_expect_str_eq(cols[8], "female");
	cr_expect_str_eq(cols[9], "Irish English");
	cr_expect_str_eq(cols[12], "", "no segment");
	/* the validated clip is in exactly one of train, dev, test; its duration is listed */
	int in_splits = 0;
	const char *splits[] = {"train", "dev", "test"};
	for (int i = 0; i < 3; i++) {
		snprintf(file, sizeof file, "%s/%s.tsv", dir, splits[i]);
		size_t len = 0;
		char *text = slurp(file, &len);
		cr_assert(text, "%s.tsv is in the tar", splits[i]);
		cr_expect(!strncmp(text, header, strlen(header)), "%s.tsv has the header", splits[i]);
		in_splits += strstr(text, line) != NULL;
		free(text);
	}
	cr_expect_eq(in_splits, 1, "the clip is in one split");
	snprintf(file, sizeof file, "%s/clip_durations.tsv", dir);
	size_t dlen = 0;
	char *durations = slurp(file, &dlen);
	cr_assert(durations);
	cr_expect(!strncmp(durations, "clip\tduration[ms]\n", strlen("clip\tduration[ms]\n")) && strstr(durations, want),
		  "%s", durations);
	free(durations);
	snprintf(file, sizeof file, "%s/invalidated.tsv", dir);
	struct stat sb;
	cr_expect_eq(stat(file, &sb), 0);
	cr_expect_eq((size_t)sb.st_size, strlen(header), "invalidated.tsv holds the header only");
	/* the clip is normalised to 16 kHz mono 16-bit WAV; no originals unless asked */
	snprintf(file, sizeof file, "%s/clips/%s.wav", dir, sha);
	expect_wav16k(file);
	snprintf(file, sizeof file, "%s/originals", dir);
	cr_expect_neq(stat(file, &sb), 0, "no originals/ by default");
}

/* Header of a WAV written by the export: RIFF, PCM, 16000 Hz, mono, 16 bit,
 * and a data size matching the file's. */
static void expect_wav16k(const char *file)
{
	unsigned char h[44];
	FILE *f = fopen(file, "rb");
	cr_assert(f, "clip %s", file);
	cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	cr_expect_eq(memcmp(h, "RIFF", 4), 0);
	cr_expect_eq(memcmp(h + 8, "WAVEfmt ", 8), 0);
	cr_expect_eq(h[20] | h[21] << 8, 1, "PCM");
	cr_expect_eq(h[22] | h[23] << 8, 1, "mono");
	cr_expect_eq(h[24] | h[25] << 8 | h[26] << 16 | h[27] << 24, 16000);
	cr_expect_eq(h[34] | h[35] << 8, 16, "16 bit");
	long data = (long)h[40] | (long)h[41] << 8 | (long)h[42] << 16 | (long)h[43] << 24;
	cr_expect_eq(size, 44 + data);
	cr_expect_gt(data, 32000 * 3, "ok.wav is ~3.7 s: %ld bytes", data);
}

/* Exports project pid as cv into S.dir/name and extracts it there. */
static void export_cv(long long pid, const char *name, char *dir, size_t n)
{
	char path[128], file[400], cmd[800];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=cv", pid);
	res r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	snprintf(dir, n, "%s/%s", S.dir, name);
	mkdir(dir, 0700);
	snprintf(file, sizeof file, "%s/export.tar", dir);
	FILE *f = fopen(file, "wb");
	fwrite(r.body, 1, r.len, f);
	fclose(f);
	res_free(&r);
	snprintf(cmd, sizeof cmd, "cd '%s' && tar -xf export.tar", dir);
	cr_assert_eq(system(cmd), 0);
}

/* An uploaded, submitted (pending) 44.1 kHz stereo stereo44.wav in a new
 * project with this export spec; its sha256 into sha. */
static long long pending_clip(json_t *export, char sha[65])
{
	json_t *spec = audio_spec();
	json_object_del(spec, "channels");
	json_object_del(spec, "max_bytes");
	json_object_set_new(spec, "export", export);
	long long pid = project(spec, 1);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, S.c[0], "audio/wav", "stereo44.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	cr_expect_eq(jint(r.json, "probe.channels"), 2, "%s", r.body);
	snprintf(sha, 65, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	r = submit(aid, S.c[0], mid);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	return pid;
}

/* The TSV path column of other.tsv's one row. */
static void expect_other_path(const char *dir, const char *want)
{
	char file[400], line[1024];
	snprintf(file, sizeof file, "%s/other.tsv", dir);
	FILE *f = fopen(file, "r");
	cr_assert(f);
	cr_assert(fgets(line, sizeof line, f) && fgets(line, sizeof line, f));
	fclose(f);
	char *tab = strchr(line, '\t');
	cr_assert(tab);
	cr_expect_eq(strncmp(tab + 1, want, strlen(want)), 0, "%s", line);
	cr_expect_eq(tab[1 + strlen(want)], '\t');
}

Test(collect, common_voice_export_keeps_originals_or_exports_them_as_they_are)
{
	char sha[65], dir[300], file[400], want[80];
	struct stat sb;
	size_t len;
	free(media("stereo44.wav", &len));
	/* keep_originals: the WAV and the upload */
	long long pid = pending_clip(json_pack("{s:s,s:b}", "audio", "wav16k", "keep_originals", 1), sha);
	export_cv(pid, "cv-keep", dir, sizeof dir);
	snprintf(want, sizeof want, "%s.wav", sha);
	expect_other_path(dir, want);
	snprintf(file, sizeof file, "%s/clips/%s.wav", dir, sha);
	expect_wav16k(file);
	snprintf(file, sizeof file, "%s/originals/%s.wav", dir, sha);
	cr_assert_eq(stat(file, &sb), 0, "original %s", file);
	cr_expect_eq((size_t)sb.st_size, len, "the upload as it was");
	/* audio: original: the upload itself under clips/ */
	pid = pending_clip(json_pack("{s:s}", "audio", "original"), sha);
	export_cv(pid, "cv-orig", dir, sizeof dir);
	expect_other_path(dir, want);
	snprintf(file, sizeof file, "%s/clips/%s.wav", dir, sha);
	cr_assert_eq(stat(file, &sb), 0, "clip %s", file);
	cr_expect_eq((size_t)sb.st_size, len);
	snprintf(file, sizeof file, "%s/originals", dir);
	cr_expect_neq(stat(file, &sb), 0);
	/* a bad export spec is refused, naming the field */
	json_t *spec = audio_spec();
	json_object_set_new(spec, "export", json_pack("{s:s}", "audio", "mp3"));
	res r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:o,s:i,s:i}", "title", "Bad", "kind",
		    "collection", "collect", spec, "reward", 5, "overlap", 1);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.export.audio", "%s", r.body);
	res_free(&r);
	spec = audio_spec();
	json_object_set_new(spec, "export", json_pack("{s:i}", "keep_originals", 1));
	r = api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:o,s:i,s:i}", "title", "Bad", "kind", "collection",
		"collect", spec, "reward", 5, "overlap", 1);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.export.keep_originals", "%s", r.body);
	res_free(&r);
}
