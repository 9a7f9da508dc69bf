/* Audio, video and conversation annotation: waveform peaks of a stored
 * recording decoded on the server, and the result rules that need the
 * media's length (a region past the end, a keyframe past the last frame, a
 * turn the conversation does not have) and the chat export. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
static char WAV[160];

static void up(void)
{
	/* 2 s at 16 kHz: a 0.8 square wave for the first second, then silence */
	snprintf(WAV, sizeof WAV, "/tmp/fc-annotate-%d.wav", (int)getpid());
	char cmd[400];
	snprintf(cmd, sizeof cmd,
		 "sox -n -r 16000 -c 1 -b 16 /tmp/fc-annotate-%d-a.wav synth 1 square 100 vol 0.8 && "
		 "sox /tmp/fc-annotate-%d-a.wav %s pad 0 1 && rm /tmp/fc-annotate-%d-a.wav",
		 (int)getpid(), (int)getpid(), WAV, (int)getpid());
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	suite_with_users(&S, 2);
}
static void down(void)
{
	unlink(WAV);
	srv_stop(&S);
}
TestSuite(annotate, .init = up, .fini = down, .timeout = 180);

static res submit(long long aid, const char *token, const char *result_json)
{
	char path[96], body[4096];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	snprintf(body, sizeof body, "{\"active_seconds\":10,\"result\":%s}", result_json);
	return http(&S, "POST", path, token, "application/json", body, strlen(body), NULL);
}

#define AUDIO_CONFIG \
	"<View><Audio name=\"audio\" value=\"$audio\"/>" \
	"<Labels name=\"label\" toName=\"audio\"><Label value=\"Speech\"/><Label value=\"Noise\"/></Labels>" \
	"<TextArea name=\"transcription\" toName=\"audio\" perRegion=\"true\"/></View>"

static long long annotation_project(const char *config, const char *task)
{
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:i,s:i}", "title", "Label", "label_config", config, "reward", 5,
				      "overlap", 1),
			    task, 100000);
}

Test(annotate, peaks_refuse_bad_n_and_strangers_then_draw_the_recording)
{
	long long mid = stored_recording(&S, WAV);
	char path[128];
	static const char *const bad[] = {"0", "-3", "abc", "", "200001", "12x"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=%s", mid, bad[i]);
		res r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
		cr_expect_eq(r.status, 400, "n=%s: %d %s", bad[i], r.status, r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), "n", "n=%s", bad[i]);
		res_free(&r);
	}
	/* another contributor, nobody, a missing file: 404 / 401 */
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4", mid);
	res r = http(&S, "GET", path, S.c[1], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = http(&S, "GET", path, NULL, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	/* an annotation task that shows the recording opens it to whoever holds the task */
	char task[96];
	snprintf(task, sizeof task, "{\"audio\":\"/api/v1/media/%lld\"}\n", mid);
	long long apid = annotation_project(AUDIO_CONFIG, task);
	lease_ok(&S, apid, S.c[1]);
	r = http(&S, "GET", path, S.c[1], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks", mid + 1000);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);

	/* the owner and the uploader: four runs, loud, loud, silent, silent */
	const char *who[] = {S.req, S.c[0], S.req};
	for (int k = 0; k < 3; k++) { /* the third answer comes from the cache */
		snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4", mid);
		r = http(&S, "GET", path, who[k], NULL, NULL, 0, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		cr_expect_eq(jint(r.json, "n"), 4);
		cr_expect_eq(json_array_size(jget(r.json, "peaks")), 4);
		double d = json_number_value(jget(r.json, "duration_seconds"));
		cr_expect(d > 1.99 && d < 2.01, "duration %f", d);
		double p[4];
		for (int i = 0; i < 4; i++)
			p[i] = json_number_value(json_array_get(jget(r.json, "peaks"), (size_t)i));
		cr_expect(p[0] > 0.5 && p[0] <= 1 && p[1] > 0.5 && p[1] <= 1, "%f %f", p[0], p[1]);
		cr_expect(p[2] < 0.01 && p[3] < 0.01, "%f %f", p[2], p[3]);
		res_free(&r);
	}
	/* one byte a peak */
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4&format=u8", mid);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(r.len, 4);
	char hd[32];
	cr_expect(r.len == 4 && (unsigned char)r.body[0] > 127 && (unsigned char)r.body[3] < 3, "%zu bytes", r.len);
	cr_expect_str_eq(res_header(&r, "X-Duration-Seconds", hd, sizeof hd), "2.000");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4&format=png", mid);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	res_free(&r);
	/* the default resolution */
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "peaks")), 2000);
	res_free(&r);
}

/* GET path as token until its "source" is want (the outbox job runs every second); the last answer. */
static res peaks_until(const char *path, const char *token, const char *want)
{
	res r = {0};
	for (int i = 0; i < 200; i++) {
		r = http(&S, "GET", path, token, NULL, NULL, 0, NULL);
		if (r.status != 200 || !strcmp(jstr(r.json, "source") ?: "", want))
			return r;
		res_free(&r);
		usleep(100 * 1000);
	}
	return http(&S, "GET", path, token, NULL, NULL, 0, NULL);
}

Test(annotate, peaks_are_computed_once_on_arrival_and_served_from_the_store)
{
	long long mid = stored_recording(&S, WAV);
	char path[128];
	/* the upload queued the decode; the outbox job stores 2000 peaks (2 s at 200 a second, at least 2000) */
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4", mid);
	res r = peaks_until(path, S.req, "stored");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "source"), "stored", "the job never stored the peaks: %s", r.body);
	double p[4];
	for (int i = 0; i < 4; i++)
		p[i] = json_number_value(json_array_get(jget(r.json, "peaks"), (size_t)i));
	cr_expect(p[0] > 0.5 && p[0] <= 1 && p[1] > 0.5 && p[1] <= 1, "%f %f", p[0], p[1]);
	cr_expect(p[2] < 0.01 && p[3] < 0.01, "%f %f", p[2], p[3]);
	double d = json_number_value(jget(r.json, "duration_seconds"));
	cr_expect(d > 1.99 && d < 2.01, "duration %f", d);
	res_free(&r);
	/* access is checked before the store is read */
	r = http(&S, "GET", path, S.c[1], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* the stored resolution itself, and one finer: decoded in the request */
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=2000&format=u8", mid);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	char hd[32];
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(r.len, 2000);
	cr_expect_str_eq(res_header(&r, "X-Peaks-Source", hd, sizeof hd), "stored");
	cr_expect(r.len == 2000 && (unsigned char)r.body[10] > 127 && (unsigned char)r.body[1990] < 3, "%zu bytes",
		  r.len);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=2001", mid);
	r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "source"), "decoded");
	cr_expect_eq(json_array_size(jget(r.json, "peaks")), 2001);
	res_free(&r);
}

/* Submits result_json and expects 400 naming field, with want in the message (when set). */
static void expect_400(long long aid, const char *result_json, const char *field, const char *want)
{
	res r = submit(aid, S.c[0], result_json);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), field, "%s", r.body);
	cr_expect(!want || strstr(r.body, want), "%s", r.body);
	res_free(&r);
}

#define AUDIO_REGION(len, start, end) \
	"[{\"id\":\"r1\",\"from_name\":\"label\",\"to_name\":\"audio\",\"type\":\"labels\"," \
	"\"original_length\":" len ",\"value\":{\"start\":" start ",\"end\":" end ",\"labels\":[\"Speech\"]}}]"

Test(annotate, audio_region_past_the_end_is_400_naming_the_field)
{
	long long pid = annotation_project(AUDIO_CONFIG, "{\"audio\":\"/a.wav\"}\n{\"audio\":\"/b.wav\"}\n");
	long long aid = lease_ok(&S, pid, S.c[0]);
	expect_400(aid, AUDIO_REGION("10", "8", "12.5"), "result[0].value.end", "past the end");
	expect_400(aid, AUDIO_REGION("\"ten\"", "8", "9"), "result[0].original_length", NULL);
	expect_400(aid, AUDIO_REGION("0", "8", "9"), "result[0].original_length", NULL);
	expect_400(aid, AUDIO_REGION("10", "3", "2"), "result[0].value.end", "greater than start");
	/* a region and its transcription, inside the recording: accepted */
	res r = submit(aid, S.c[0],
		       "[{\"id\":\"r1\",\"from_name\":\"label\",\"to_name\":\"audio\",\"type\":\"labels\","
		       "\"original_length\":10,\"value\":{\"start\":8,\"end\":10,\"labels\":[\"Speech\"]}},"
		       "{\"id\":\"r1\",\"from_name\":\"transcription\",\"to_name\":\"audio\",\"type\":\"textarea\","
		       "\"original_length\":10,\"value\":{\"start\":8,\"end\":10,\"text\":[\"hello there\"]}}]");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

#define VIDEO_CONFIG \
	"<View><Video name=\"video\" value=\"$video\"/>" \
	"<Labels name=\"videoLabels\" toName=\"video\"><Label value=\"Car\"/></Labels>" \
	"<VideoRectangle name=\"box\" toName=\"video\"/></View>"

Test(annotate, keyframe_past_the_last_frame_is_400_naming_the_field)
{
	long long pid = annotation_project(VIDEO_CONFIG, "{\"video\":\"/v.mp4\"}\n");
	long long aid = lease_ok(&S, pid, S.c[0]);
	static const char track[] =
		"[{\"id\":\"t1\",\"from_name\":\"box\",\"to_name\":\"video\",\"type\":\"videorectangle\","
		"\"value\":{\"framesCount\":%s,\"duration\":4,\"labels\":[\"Car\"],\"sequence\":["
		"{\"frame\":1,\"x\":10,\"y\":10,\"width\":20,\"height\":20,\"enabled\":true,\"time\":0.04},"
		"{\"frame\":%d,\"x\":30,\"y\":10,\"width\":20,\"height\":20,\"enabled\":false,\"time\":2}]}}]";
	char body[1024];
	snprintf(body, sizeof body, track, "100", 101);
	expect_400(aid, body, "result[0].value.sequence[1].frame", "past the last frame");
	snprintf(body, sizeof body, track, "0", 50);
	expect_400(aid, body, "result[0].value.framesCount", NULL);
	snprintf(body, sizeof body, track, "100", 100);
	res r = submit(aid, S.c[0], body);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

#define TIMELINE_CONFIG \
	"<View><Video name=\"video\" value=\"$video\" frameRate=\"10\"/>" \
	"<TimelineLabels name=\"tl\" toName=\"video\"><Label value=\"Move\"/></TimelineLabels></View>"
#define TIMELINE(end) \
	"[{\"id\":\"s1\",\"from_name\":\"tl\",\"to_name\":\"video\",\"type\":\"timelinelabels\"," \
	"\"value\":{\"ranges\":[{\"start\":1,\"end\":" end "}],\"timelinelabels\":[\"Move\"]}}]"

/* TimelineLabels without framesCount in the result (the annotator sends
 * none, as Label Studio): a stored recording's probe gives the length (2 s
 * at frameRate 10: 20 frames, one of slack); a video elsewhere is not known. */
Test(annotate, timeline_range_past_a_stored_recording_is_400_without_frames_count)
{
	long long mid = stored_recording(&S, WAV);
	char task[160];
	snprintf(task, sizeof task, "{\"video\":\"/api/v1/media/%lld\"}\n", mid);
	long long pid = annotation_project(TIMELINE_CONFIG, task);
	long long aid = lease_ok(&S, pid, S.c[0]);
	expect_400(aid, TIMELINE("22"), "result[0].value.ranges[0].end", "past the last frame of the video (20");
	expect_400(aid, TIMELINE("5000"), "result[0].value.ranges[0].end", "2.000 s, at 10 frames a second");
	/* a framesCount in the result is what counts, strictly */
	expect_400(aid,
		   "[{\"id\":\"s1\",\"from_name\":\"tl\",\"to_name\":\"video\",\"type\":\"timelinelabels\","
		   "\"value\":{\"framesCount\":15,\"ranges\":[{\"start\":1,\"end\":16}],\"timelinelabels\":[\"Move\"]}}]",
		   "result[0].value.ranges[0].end", "(15)");
	res r = submit(aid, S.c[0], TIMELINE("21"));
	cr_expect_eq(r.status, 201, "the last frame, and one of slack: %s", r.body);
	res_free(&r);
	/* a video the server does not hold: the length is unknown, the range is not checked (docs/label-studio.md) */
	pid = annotation_project(TIMELINE_CONFIG, "{\"video\":\"https://cdn.example/v.mp4\"}\n");
	aid = lease_ok(&S, pid, S.c[0]);
	r = submit(aid, S.c[0], TIMELINE("5000"));
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

Test(annotate, recordings_are_served_in_byte_ranges_so_players_can_seek)
{
	long long mid = stored_recording(&S, WAV);
	size_t len;
	char *orig = slurp(WAV, &len), path[96], h[128];
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	static const struct {
		const char *range;
		int status;
		size_t from, n;
	} cases[] = {
		{NULL, 200, 0, 0},
		{"bytes=0-9", 206, 0, 10},
		{"bytes=100-", 206, 100, 0},
		{"bytes=-4", 206, 0, 4},
		{"bytes=10-5", 200, 0, 0},
		{"items=0-1", 200, 0, 0},
		{"bytes=0-1,4-5", 200, 0, 0},
		{"bytes=99999999-", 416, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char hdr[64];
		const char *extra[] = {hdr, NULL};
		snprintf(hdr, sizeof hdr, "Range: %s", cases[i].range ? cases[i].range : "");
		res r = http(&S, "GET", path, S.c[0], NULL, NULL, 0, cases[i].range ? extra : NULL);
		cr_expect_eq(r.status, cases[i].status, "%s: %d", cases[i].range, r.status);
		if (r.status == 200 || r.status == 206) { /* one Cache-Control: the browser may keep media */
			int seen = 0;
			for (const char *p = r.headers; (p = strcasestr(p, "\ncache-control:")); p++)
				seen++;
			cr_expect_eq(seen, 1, "%s: one Cache-Control header: %s", cases[i].range, r.headers);
			cr_expect_str_eq(res_header(&r, "Cache-Control", h, sizeof h), "private, max-age=3600");
		}
		if (r.status == 200) {
			cr_expect_eq(r.len, len, "%s", cases[i].range);
			cr_expect_str_eq(res_header(&r, "Accept-Ranges", h, sizeof h), "bytes");
		} else if (r.status == 206) {
			size_t from = cases[i].range[6] == '-' ? len - cases[i].n : cases[i].from;
			size_t n = cases[i].n ? cases[i].n : len - from;
			cr_expect_eq(r.len, n, "%s: %zu bytes", cases[i].range, r.len);
			cr_expect(r.len == n && !memcmp(r.body, orig + from, n), "%s: the bytes", cases[i].range);
			char want[96];
			snprintf(want, sizeof want, "bytes %zu-%zu/%zu", from, from + n - 1, len);
			cr_expect_str_eq(res_header(&r, "Content-Range", h, sizeof h), want);
		} else {
			char want[64];
			snprintf(want, sizeof want, "bytes */%zu", len);
			cr_expect_str_eq(res_header(&r, "Content-Range", h, sizeof h), want);
		}
		res_free(&r);
	}
	free(orig);
}

#define CHAT_CONFIG \
	"<View><Chat name=\"chat\" value=\"$messages\"/>" \
	"<Rating name=\"turn\" toName=\"chat\" perItem=\"true\"/>" \
	"<Choices name=\"flag\" toName=\"chat\" perItem=\"true\"><Choice value=\"wrong\"/><Choice value=\"rude\"/></Choices>" \
	"<TextArea name=\"rewrite\" toName=\"chat\" perItem=\"true\"/>" \
	"<TextArea name=\"ideal\" toName=\"chat\"/></View>"
#define CHAT_TASK \
	"{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 2?\"},{\"role\":\"assistant\",\"content\":\"5.\"}," \
	"{\"role\":\"user\",\"content\":\"Sure?\"}]}\n"

/* Per-turn answers name their turn with value.item_index: a turn the
 * conversation does not have is refused, for every per-turn control. */
Test(annotate, a_turn_that_does_not_exist_is_400_naming_the_field)
{
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i}", "title", "Chat", "label_config", CHAT_CONFIG,
					       "reward", 5, "overlap", 1),
				     CHAT_TASK, 100000);
	long long aid = lease_ok(&S, pid, S.c[0]);
	static const char *const bad[] = {
		"[{\"from_name\":\"turn\",\"to_name\":\"chat\",\"type\":\"rating\",\"value\":{\"rating\":2,\"item_index\":3}}]",
		"[{\"from_name\":\"flag\",\"to_name\":\"chat\",\"type\":\"choices\",\"value\":{\"choices\":[\"wrong\"],"
		"\"item_index\":7}}]",
		"[{\"from_name\":\"rewrite\",\"to_name\":\"chat\",\"type\":\"textarea\",\"value\":{\"text\":[\"4.\"],"
		"\"item_index\":-1}}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		res r = submit(aid, S.c[0], bad[i]);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), "result[0].value.item_index", "%s", r.body);
		res_free(&r);
	}
	/* the last turn (index 2) exists; rate turn 1, rewrite it, add the ideal answer */
	res r = submit(aid, S.c[0],
		       "[{\"from_name\":\"turn\",\"to_name\":\"chat\",\"type\":\"rating\",\"value\":{\"rating\":1,"
		       "\"item_index\":1}},"
		       "{\"from_name\":\"flag\",\"to_name\":\"chat\",\"type\":\"choices\",\"value\":{\"choices\":[\"wrong\"],"
		       "\"item_index\":2}},"
		       "{\"from_name\":\"rewrite\",\"to_name\":\"chat\",\"type\":\"textarea\",\"value\":{\"text\":[\"4.\"],"
		       "\"item_index\":1}},"
		       "{\"from_name\":\"ideal\",\"to_name\":\"chat\",\"type\":\"textarea\",\"value\":{\"text\":[\"Yes: "
		       "2 + 2 = 4.\"]}}]");
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	/* the chat export writes the conversation as the contributor left it */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=chat&status=all", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(r.body,
			 "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 2?\"},{\"role\":\"assistant\","
			 "\"content\":\"4.\"},{\"role\":\"user\",\"content\":\"Sure?\"},{\"role\":\"assistant\","
			 "\"content\":\"Yes: 2 + 2 = 4.\"}]}\n",
			 "the rewrite replaces turn 1, the ideal answer is a new last turn");
	res_free(&r);
	/* a project without a Chat object: 422 naming the format and the object */
	long long text =
		project_create(&S, S.req, json_pack("{s:s,s:s}", "title", "No chat", "label_config", SENTIMENT_CONFIG));
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=chat", text);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "chat") && strstr(jstr(r.json, "error.message"), "Chat"), "%s",
		  r.body);
	res_free(&r);
}

/* A time-series range past the end of the data the task holds → 400. */
Test(annotate, time_series_range_past_the_end_is_400_naming_the_field)
{
	const char *cfg = "<View><TimeSeries name=\"ts\" value=\"$ts\" valueType=\"json\" timeColumn=\"t\">"
			  "<Channel column=\"x\"/></TimeSeries>"
			  "<TimeSeriesLabels name=\"l\" toName=\"ts\"><Label value=\"Peak\"/></TimeSeriesLabels></View>";
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i}", "title", "Peaks", "label_config", cfg, "reward", 5,
					       "overlap", 1),
				     "{\"ts\":{\"t\":[0,0.5,1,1.5],\"x\":[0,5,1,0]}}\n", 100000);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = submit(aid, S.c[0],
		       "[{\"id\":\"p\",\"from_name\":\"l\",\"to_name\":\"ts\",\"type\":\"timeserieslabels\",\"value\":"
		       "{\"start\":0.5,\"end\":2,\"instant\":false,\"timeserieslabels\":[\"Peak\"]}}]");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "result[0].value.end", "%s", r.body);
	res_free(&r);
	r = submit(aid, S.c[0],
		   "[{\"id\":\"p\",\"from_name\":\"l\",\"to_name\":\"ts\",\"type\":\"timeserieslabels\",\"value\":"
		   "{\"start\":0.5,\"end\":1.5,\"instant\":false,\"timeserieslabels\":[\"Peak\"]}}]");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}
