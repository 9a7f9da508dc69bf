/* Datasets out, the formats added for issue #13's rest: WebDataset shards
 * read back by tar(1), YOLO pose with its kpt_shape, COCO keypoints with
 * visibility flags. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
static char WAV[64], DIR_[64];
static void up(void)
{
	snprintf(WAV, sizeof WAV, "/tmp/fc-dsout-%d.wav", (int)getpid());
	snprintf(DIR_, sizeof DIR_, "/tmp/fc-dsout-%d", (int)getpid());
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 -b 16 %s synth 1.5 sine 300 vol 0.5 && mkdir -p %s", WAV, DIR_);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	suite_with_users(&S, 1);
}
static void down(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s %s", DIR_, WAV);
	cr_expect_eq(system(cmd), 0);
	srv_stop(&S);
}
TestSuite(datasets_out, .init = up, .fini = down, .timeout = 300);

#define AUDIO_CONFIG \
	"<View><Audio name=\"audio\" value=\"$audio\"/><Choices name=\"kind\" toName=\"audio\">" \
	"<Choice value=\"speech\"/><Choice value=\"noise\"/></Choices></View>"

#define CHOSEN(url) \
	"{\"data\":{\"audio\":\"" url "\"},\"annotations\":[{\"completed_by\":\"w1\",\"result\":[{\"from_name\":" \
	"\"kind\",\"to_name\":\"audio\",\"type\":\"choices\",\"value\":{\"choices\":[\"speech\"]}}]}]}\n"

static long long draft_with(const char *token, const char *config, const char *tasks)
{
	long long pid = project_create(&S, token,
				       json_pack("{s:s,s:s,s:i}", "title", "out", "label_config", config, "overlap", 1));
	project_import(&S, pid, token, tasks);
	return pid;
}

/* GET the export into DIR_/name (200 expected); returns the body's length. */
static size_t export_to(long long pid, const char *token, const char *query, const char *name)
{
	char path[256], file[160];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?%s", pid, query);
	res r = api(&S, "GET", path, token, NULL);
	cr_assert_eq(r.status, 200, "%s: %.300s", query, r.body);
	snprintf(file, sizeof file, "%s/%s", DIR_, name);
	FILE *f = fopen(file, "wb");
	cr_assert(f && fwrite(r.body, 1, r.len, f) == r.len && !fclose(f));
	size_t len = r.len;
	res_free(&r);
	return len;
}

/* The output of a shell command that must succeed, into out. */
static const char *succeeded(int status, const char *out)
{
	cr_assert_eq(status, 0, "%s", out);
	return out;
}
#define RUN(out, ...) succeeded(run_cmd(out, sizeof out, __VA_ARGS__), out)

static long long first_task_id(long long pid)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=json&status=all", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	long long id = jint(json_array_get(r.json, 0), "id");
	res_free(&r);
	return id;
}

Test(datasets_out, webdataset_shards_are_tars_of_samples_that_tar_lists)
{
	long long mid = stored_recording(&S, WAV);
	char tasks[2048];
	snprintf(tasks, sizeof tasks, CHOSEN("/api/v1/media/%lld") CHOSEN("https://cdn.example/a/b.wav") "%s", mid,
		 "{\"data\":{\"audio\":\"https://cdn.example/none.wav\"}}\n");
	long long pid = draft_with(S.req, AUDIO_CONFIG, tasks);
	long long t1 = first_task_id(pid);

	/* unhappy first: a bad shard size names the option */
	char path[160];
	const char *bad[] = {"0", "-1", "x", "100001"};
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=webdataset&shard_size=%s", pid, bad[i]);
		res r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), "shard_size");
		res_free(&r);
	}

	/* one sample per shard: two annotated tasks, two shards; the unannotated task is no sample */
	export_to(pid, S.req, "format=webdataset&shard_size=1", "one.tar");
	char out[4096], want[512];
	cr_expect_str_eq(RUN(out, "tar -tf %s/one.tar", DIR_), "shard-000000.tar\nshard-000001.tar\n");
	RUN(out, "mkdir -p %s/one && tar -xf %s/one.tar -C %s/one", DIR_, DIR_, DIR_);
	snprintf(want, sizeof want, "%09lld.json\n%09lld.wav\n", t1, t1);
	cr_expect_str_eq(RUN(out, "tar -tf %s/one/shard-000000.tar", DIR_), want);
	snprintf(want, sizeof want, "%09lld.json\n", t1 + 1);
	cr_expect_str_eq(RUN(out, "tar -tf %s/one/shard-000001.tar", DIR_), want,
			 "an outside link is not fetched: the JSON alone");
	/* the media is the uploaded file, byte for byte; the JSON is the Label Studio task */
	RUN(out, "cd %s/one && tar -xf shard-000000.tar && cmp %09lld.wav %s && cat %09lld.json", DIR_, t1, WAV, t1);
	json_t *sample = json_loads(out, 0, NULL);
	cr_assert(sample, "%s", out);
	cr_expect_eq(jint(sample, "id"), t1);
	snprintf(want, sizeof want, "/api/v1/media/%lld", mid);
	cr_expect_str_eq(jstr(sample, "data.audio"), want);
	json_t *ann = json_array_get(json_object_get(sample, "annotations"), 0);
	cr_expect_str_eq(json_string_value(json_array_get(jget(ann, "result.0.value.choices"), 0)), "speech");
	cr_expect_eq(strlen(jstr(ann, "worker_id")), 64, "a pseudonym, not a user id");
	json_decref(sample);

	/* the default: every sample in one shard */
	export_to(pid, S.req, "format=webdataset", "all.tar");
	cr_expect_str_eq(RUN(out, "tar -tf %s/all.tar", DIR_), "shard-000000.tar\n");
	RUN(out, "tar -xOf %s/all.tar shard-000000.tar | tar -tf - | wc -l", DIR_);
	cr_expect_eq(atoi(out), 3, "json+wav, json: %s", out);

	/* another requester's task showing this media gets no bytes of it */
	char other[64];
	make_user(&S, "other-wds@test.local", "requester", other);
	snprintf(tasks, sizeof tasks, CHOSEN("/api/v1/media/%lld"), mid);
	long long theirs = draft_with(other, AUDIO_CONFIG, tasks);
	export_to(theirs, other, "format=webdataset", "theirs.tar");
	RUN(out, "tar -xOf %s/theirs.tar shard-000000.tar | tar -tf -", DIR_);
	cr_expect(strstr(out, ".json\n") && !strstr(out, ".wav"), "%s", out);

	/* an empty project: a valid, empty tar */
	long long empty = draft_with(S.req, AUDIO_CONFIG, "{\"data\":{\"audio\":\"https://cdn.example/x.wav\"}}\n");
	export_to(empty, S.req, "format=webdataset", "empty.tar");
	cr_expect_str_eq(RUN(out, "tar -tf %s/empty.tar", DIR_), "");
	/* not your project: 404 */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=webdataset", pid);
	res r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

#define POSE_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/>" \
	"<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"car\"/></RectangleLabels>" \
	"<KeyPointLabels name=\"pose\" toName=\"img\"><Label value=\"nose\"/><Label value=\"left_eye\"/>" \
	"<Label value=\"right_eye\"/></KeyPointLabels></View>"

#define POINT(label, x, y) \
	"{\"from_name\":\"pose\",\"to_name\":\"img\",\"type\":\"keypointlabels\",\"original_width\":640," \
	"\"original_height\":480,\"value\":{\"x\":" #x ",\"y\":" #y ",\"width\":1,\"keypointlabels\":[\"" label "\"]}}"

/* nose (50 %, 25 %) and right_eye (55 %, 20 %) placed, left_eye not; a car box besides */
static const char POSE_TASKS[] =
	"{\"data\":{\"image\":\"https://cdn.example/img/street-1.jpg\"},\"annotations\":[{\"completed_by\":\"w1\","
	"\"result\":[{\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":10,\"y\":20,\"width\":25,\"height\":50,\"rectanglelabels\":[\"car\"]}}," POINT(
		"nose", 50, 25) "," POINT("right_eye", 55, 20) "]}]}\n";

Test(datasets_out, yolo_pose_lines_carry_visibility_and_data_yaml_the_kpt_shape)
{
	long long pid = draft_with(S.req, POSE_CONFIG, POSE_TASKS);
	export_to(pid, S.req, "format=yolo_pose", "pose.zip");
	char out[4096];
	RUN(out, "unzip -p %s/pose.zip data.yaml", DIR_);
	cr_expect(strstr(out, "kpt_shape: [3, 3]\n"), "%s", out);
	cr_expect(strstr(out, "nc: 1\nnames:\n  0: \"pose\"\n"), "%s", out);
	cr_expect(strstr(out, "# class 0 keypoints: [\"nose\",\"left_eye\",\"right_eye\"]"), "%s", out);
	/* box around the placed points: x 0.50..0.55, y 0.20..0.25; left_eye not placed: 0 0 0 */
	cr_expect_str_eq(RUN(out, "unzip -p %s/pose.zip labels/street-1.txt", DIR_),
			 "0 0.525000 0.225000 0.050000 0.050000 0.500000 0.250000 2 0.000000 0.000000 0 "
			 "0.550000 0.200000 2\n");
	/* the same points in COCO: pixels with v 2 and 0,0,0 for the point not placed */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=coco", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *pose = json_array_get(jget(r.json, "annotations"), 1);
	static const double want[] = {320, 120, 2, 0, 0, 0, 352, 96, 2};
	cr_assert_eq(json_array_size(jget(pose, "keypoints")), 9, "%s", r.body);
	for (int i = 0; i < 9; i++)
		cr_expect_eq(json_number_value(json_array_get(jget(pose, "keypoints"), (size_t)i)), want[i], "[%d]", i);
	cr_expect_eq(jint(pose, "num_keypoints"), 2);
	res_free(&r);

	/* a project without keypoints: 422 naming the format and the control */
	long long text = draft_with(S.req,
				    "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\">"
				    "<Choice value=\"a\"/></Choices></View>",
				    "{\"data\":{\"text\":\"x\"}}\n");
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=yolo_pose", text);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit");
	const char *msg = jstr(r.json, "error.message");
	cr_expect(msg && strstr(msg, "yolo_pose") && strstr(msg, "KeyPointLabels"), "%s", r.body);
	res_free(&r);
}

/* POST a file to the project's import with ?format=kind. */
static res import_as(long long pid, const char *token, const char *kind, const char *ctype, const char *body)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?format=%s", pid, kind);
	return http(&S, "POST", path, token, ctype, body, strlen(body), NULL);
}

/* The project's tasks as Label Studio JSON (every status). */
static json_t *tasks_of(long long pid)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=json&status=all", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *j = json_incref(r.json);
	res_free(&r);
	return j;
}

#define COCO_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/>" \
	"<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"car\"/></RectangleLabels>" \
	"<PolygonLabels name=\"poly\" toName=\"img\"><Label value=\"road\"/></PolygonLabels>" \
	"<KeyPointLabels name=\"pose\" toName=\"img\"><Label value=\"nose\"/><Label value=\"left_eye\"/>" \
	"<Label value=\"right_eye\"/></KeyPointLabels></View>"

#define COCO_FILE(images, cat1) \
	"{\"images\":[" images "],\"categories\":[{\"id\":1,\"name\":\"" cat1 "\"},{\"id\":3,\"name\":\"road\"}," \
	"{\"id\":5,\"name\":\"person\",\"keypoints\":[\"nose\",\"left_eye\",\"right_eye\"]}],\"annotations\":[" \
	"{\"id\":10,\"image_id\":1,\"category_id\":1,\"bbox\":[64,96,160,240],\"area\":38400,\"iscrowd\":0}," \
	"{\"id\":11,\"image_id\":1,\"category_id\":3,\"segmentation\":[[0,240,320,240,320,480]]," \
	"\"bbox\":[0,240,320,240]}," \
	"{\"id\":12,\"image_id\":1,\"category_id\":5,\"keypoints\":[320,120,2,0,0,0,352,96,1],\"num_keypoints\":2}]}"
#define IMAGES \
	"{\"id\":1,\"file_name\":\"a.jpg\",\"coco_url\":\"https://cdn.example/a.jpg\",\"width\":640,\"height\":480}," \
	"{\"id\":2,\"file_name\":\"b.jpg\",\"width\":200,\"height\":100}"

static long long task_count(long long pid)
{
	json_t *t = tasks_of(pid);
	long long n = (long long)json_array_size(t);
	json_decref(t);
	return n;
}

Test(datasets_out, coco_imports_as_predictions_and_refuses_what_does_not_fit)
{
	long long pid = draft_with(S.req, COCO_CONFIG, "{\"data\":{\"image\":\"https://cdn.example/first.jpg\"}}\n");
	/* unhappy first; nothing of a refused file is kept */
	struct {
		const char *body, *code, *needle;
	} bad[] = {
		{COCO_FILE(IMAGES, "truck"), "invalid_coco", "images[0]: category 'truck' is not a label"},
		{COCO_FILE("{\"id\":1,\"file_name\":\"a.jpg\",\"width\":640}", "car"), "invalid_coco",
		 "images[0]: width and height"},
		{"[{\"data\":{}}]", "invalid_coco", "images, annotations and categories"},
		{"{\"images\":", "invalid_json", "line 1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		res r = import_as(pid, S.req, "coco", "application/json", bad[i].body);
		cr_expect_eq(r.status, 400, "%zu: %s", i, r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), bad[i].code, "%zu: %s", i, r.body);
		cr_expect(strstr(jstr(r.json, "error.message"), bad[i].needle), "%zu: %s", i, r.body);
		res_free(&r);
	}
	res r = import_as(pid, S.req, "yaml", "application/json", "{}");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	res_free(&r);
	cr_expect_eq(task_count(pid), 1, "nothing kept of a refused import");
	long long text = draft_with(S.req,
				    "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\">"
				    "<Choice value=\"a\"/></Choices></View>",
				    "{\"data\":{\"text\":\"x\"}}\n");
	r = import_as(text, S.req, "coco", "application/json", COCO_FILE(IMAGES, "car"));
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit");
	cr_expect(strstr(jstr(r.json, "error.message"), "RectangleLabels"), "%s", r.body);
	res_free(&r);
	char other[64];
	make_user(&S, "other-coco@test.local", "requester", other);
	r = import_as(pid, other, "coco", "application/json", COCO_FILE(IMAGES, "car"));
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);

	r = import_as(pid, S.req, "coco", "application/json", COCO_FILE(IMAGES, "car"));
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	json_t *tasks = tasks_of(pid);
	json_t *a = json_array_get(tasks, 1), *b = json_array_get(tasks, 2);
	cr_expect_str_eq(jstr(a, "data.image"), "https://cdn.example/a.jpg");
	cr_expect_str_eq(jstr(b, "data.image"), "b.jpg", "no coco_url: the file name");
	cr_expect_eq(json_array_size(jget(b, "predictions")), 0);
	cr_expect_str_eq(jstr(a, "predictions.0.model_version"), "coco");
	json_t *res_ = jget(a, "predictions.0.result");
	cr_assert_eq(json_array_size(res_), 4, "a box, a polygon, two points: %s", json_dumps(res_, 0));
	/* pixels back to percent: 64/640, 96/480, 160/640, 240/480 */
	json_t *box = json_array_get(res_, 0);
	cr_expect_str_eq(jstr(box, "type"), "rectanglelabels");
	cr_expect_str_eq(jstr(box, "from_name"), "box");
	double want_box[] = {10, 20, 25, 50};
	const char *keys[] = {"value.x", "value.y", "value.width", "value.height"};
	for (int i = 0; i < 4; i++)
		cr_expect_float_eq(json_number_value(jget(box, keys[i])), want_box[i], 1e-9, "%s", keys[i]);
	cr_expect_eq(jint(box, "original_width"), 640);
	json_t *poly = json_array_get(res_, 1);
	cr_expect_str_eq(jstr(poly, "type"), "polygonlabels");
	double want_pts[] = {0, 50, 50, 50, 50, 100};
	for (int i = 0; i < 6; i++)
		cr_expect_float_eq(json_number_value(json_array_get(json_array_get(jget(poly, "value.points"), i / 2),
								    i % 2)),
				   want_pts[i], 1e-9, "point %d", i);
	/* keypoints with v > 0 (2 visible, 1 occluded) become points; v 0 is left out */
	cr_expect_str_eq(jstr(json_array_get(res_, 2), "value.keypointlabels.0"), "nose");
	cr_expect_float_eq(json_number_value(jget(json_array_get(res_, 2), "value.x")), 50, 1e-9);
	cr_expect_str_eq(jstr(json_array_get(res_, 3), "value.keypointlabels.0"), "right_eye");
	cr_expect_float_eq(json_number_value(jget(json_array_get(res_, 3), "value.y")), 20, 1e-9);
	json_decref(tasks);
}

#define SENTIMENT \
	"<View><Text name=\"text\" value=\"$text\"/><Choices name=\"sentiment\" toName=\"text\">" \
	"<Choice value=\"positive\"/><Choice value=\"negative\"/></Choices>" \
	"<TextArea name=\"note\" toName=\"text\"/></View>"
#define MTURK_HEAD "HITId,WorkerId,AssignmentId,AssignmentStatus,WorkTimeInSeconds,Input.text,"

Test(datasets_out, mturk_batch_files_import_as_tasks_and_submissions)
{
	long long pid = draft_with(S.req, SENTIMENT, "{\"data\":{\"text\":\"first\"}}\n");
	struct {
		const char *body, *field, *needle;
	} bad[] = {
		{MTURK_HEAD "Answer.colour\r\nH1,A1,x,Approved,3,hi,red\r\n", "Answer.colour",
		 "line 1: column Answer.colour"},
		{"HITId,WorkerId,Input.words,Answer.sentiment.label\nH1,A1,hi,positive\n", "data.text", "line 2"},
		{MTURK_HEAD "Answer.sentiment.label\nH1,,x,Approved,3,hi,positive\n", "WorkerId", "line 2: WorkerId"},
		{"HITId,Input.text\nH1,hi\n", "WorkerId", "line 1"},
		{MTURK_HEAD "Answer.sentiment.label\nH1,A1,x,Approved,3,hi,purple\n", NULL, "line 2"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		res r = import_as(pid, S.req, "mturk", "text/csv", bad[i].body);
		cr_expect_eq(r.status, 400, "%zu: %s", i, r.body);
		if (bad[i].field)
			cr_expect_str_eq(jstr(r.json, "error.field"), bad[i].field, "%zu: %s", i, r.body);
		cr_expect(strstr(jstr(r.json, "error.message"), bad[i].needle), "%zu: %s", i, r.body);
		res_free(&r);
	}
	cr_expect_eq(task_count(pid), 1, "nothing kept of a refused import");

	/* the results file: two workers on H1, H2 rejected only, H3 with a note */
	res r = import_as(pid, S.req, "mturk", "text/csv",
			  MTURK_HEAD "Answer.sentiment.label,Answer.note\r\n"
				     "H1,A1,as1,Approved,30,\"Great, thanks\",positive,\r\n"
				     "H2,A1,as3,Rejected,10,Bad,negative,\r\n"
				     "H1,A2,as2,Submitted,45,\"Great, thanks\",negative,meh\r\n"
				     "H3,A1,as4,Approved,12,Fine,positive,\"ok, \"\"fine\"\"\"\r\n");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	json_t *tasks = tasks_of(pid);
	cr_assert_eq(json_array_size(tasks), 3);
	json_t *h1 = json_array_get(tasks, 1), *h3 = json_array_get(tasks, 2);
	cr_expect_str_eq(jstr(h1, "data.text"), "Great, thanks");
	cr_assert_eq(json_array_size(jget(h1, "annotations")), 2);
	cr_expect_str_eq(jstr(h1, "annotations.0.result.0.value.choices.0"), "positive");
	cr_expect_eq(json_array_size(jget(h1, "annotations.0.result")), 1, "an empty note is no result");
	cr_expect_float_eq(json_number_value(jget(h1, "annotations.1.lead_time")), 45, 1e-9);
	cr_expect_str_eq(jstr(h1, "annotations.1.result.1.value.text.0"), "meh");
	cr_expect_str_neq(jstr(h1, "annotations.0.worker_id"), jstr(h1, "annotations.1.worker_id"));
	cr_expect_str_eq(jstr(h3, "annotations.0.worker_id"), jstr(h1, "annotations.0.worker_id"),
			 "A1 is one pseudonymous contributor");
	cr_expect_str_eq(jstr(h3, "annotations.0.result.1.value.text.0"), "ok, \"fine\"");
	char *dump = json_dumps(tasks, 0);
	cr_expect(!strstr(dump, "A1") && !strstr(dump, "mturk"), "no MTurk worker id leaves: %s", dump);
	free(dump);
	json_decref(tasks);

	/* the batch's input CSV is a CSV import: one task per row, the header names the fields */
	r = http(&S, "POST", "/api/v1/projects/0/tasks", S.req, "text/csv", "x", 1, NULL);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	const char *input = "text\r\n\"One, two\"\r\nThree\r\n";
	r = http(&S, "POST", path, S.req, "text/csv", input, strlen(input), NULL);
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	const char *wrong = "words\r\nOne\r\n";
	r = http(&S, "POST", path, S.req, "text/csv", wrong, strlen(wrong), NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "line 2"), "%s", r.body);
	res_free(&r);
}

/* POST a file from disk to the project's import as ctype. */
static res import_file(long long pid, const char *token, const char *ctype, const char *file)
{
	size_t len;
	char *body = slurp(file, &len), path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(&S, "POST", path, token, ctype, body, len, NULL);
	free(body);
	return r;
}

Test(datasets_out, a_media_archive_becomes_one_task_per_file)
{
	char out[4096], file[160];
	RUN(out,
	    "cd %s && mkdir -p m/sub m/__MACOSX && cp %s m/a.wav && "
	    "sox -n -r 16000 -c 1 -b 16 m/sub/b.wav synth 1.2 sine 500 vol 0.5 && "
	    "sox -n -r 16000 -c 1 -b 16 c.wav synth 1.1 sine 700 vol 0.5 && "
	    "echo junk > m/__MACOSX/._a.wav && echo junk > m/.DS_Store && tar -cf ok.tar -C m . && "
	    "cp %s dup.wav && tar -cf dup.tar a.wav dup.wav -C m a.wav 2>/dev/null || tar -cf dup.tar -C m a.wav "
	    "-C .. dup.wav && echo hello > notes.txt && tar -cf text.tar notes.txt c.wav && "
	    "head -c 3000 /dev/urandom > junk.zip && "
	    "python3 -c 'import zipfile,sys; z=zipfile.ZipFile(\"c.zip\",\"w\"); z.write(\"c.wav\"); z.close()'",
	    DIR_, WAV, WAV);
	long long pid =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "media", "label_config", AUDIO_CONFIG, "overlap", 1));
	/* unhappy first, nothing kept */
	struct {
		const char *file, *ctype, *code, *needle;
		int status;
	} bad[] = {
		{"dup.tar", "application/x-tar", "duplicate", "same file as", 400},
		{"text.tar", "application/x-tar", "invalid_media", "'notes.txt' is not an audio file", 400},
		{"junk.zip", "application/zip", "invalid_archive", "", 400},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(file, sizeof file, "%s/%s", DIR_, bad[i].file);
		res r = import_file(pid, S.req, bad[i].ctype, file);
		cr_expect_eq(r.status, bad[i].status, "%s: %s", bad[i].file, r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), bad[i].code, "%s: %s", bad[i].file, r.body);
		cr_expect(strstr(jstr(r.json, "error.message"), bad[i].needle), "%s: %s", bad[i].file, r.body);
		res_free(&r);
	}
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?state=open", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "counts.total"), 0, "nothing kept: %s", r.body);
	res_free(&r);
	char other[64];
	make_user(&S, "other-media@test.local", "requester", other);
	snprintf(file, sizeof file, "%s/ok.tar", DIR_);
	r = import_file(pid, other, "application/x-tar", file);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	long long text = draft_with(S.req,
				    "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\">"
				    "<Choice value=\"a\"/></Choices></View>",
				    "{\"data\":{\"text\":\"x\"}}\n");
	r = import_file(text, S.req, "application/x-tar", file);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit");
	res_free(&r);

	/* two files (the __MACOSX and dot files skipped): two tasks pointing at stored media */
	r = import_file(pid, S.req, "application/x-tar", file);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "created"), 2);
	res_free(&r);
	json_t *tasks = tasks_of(pid);
	cr_assert_eq(json_array_size(tasks), 2);
	/* tar keeps the folder's order: find a.wav by name */
	int first_is_a = !strcmp(jstr(json_array_get(tasks, 0), "meta.file_name"), "./a.wav");
	json_t *a = json_array_get(tasks, first_is_a ? 0 : 1), *b = json_array_get(tasks, first_is_a ? 1 : 0);
	cr_expect_str_eq(jstr(a, "meta.file_name"), "./a.wav");
	cr_expect_str_eq(jstr(b, "meta.file_name"), "./sub/b.wav");
	const char *url = jstr(a, "data.audio");
	cr_assert(url && !strncmp(url, "/api/v1/media/", 14), "%s", url);
	r = api(&S, "GET", url, S.req, NULL);
	cr_expect_eq(r.status, 200);
	size_t len;
	char *want = slurp(WAV, &len);
	cr_expect(r.len == len && !memcmp(r.body, want, len), "the stored file is the archive's, byte for byte");
	free(want);
	res_free(&r);
	/* the import queued the peaks of each recording: the outbox job stores them */
	char peaks[96];
	snprintf(peaks, sizeof peaks, "%s/peaks?n=4", url);
	for (int i = 0;; i++) {
		r = api(&S, "GET", peaks, S.req, NULL);
		if (r.status != 200 || !strcmp(jstr(r.json, "source") ? jstr(r.json, "source") : "", "stored") || i == 199)
			break;
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "source"), "stored", "imported media get their peaks on arrival: %s", r.body);
	res_free(&r);
	json_decref(tasks);
	/* the same file again: refused by SHA-256; a zip of a new one is taken */
	r = import_file(pid, S.req, "application/x-tar", file);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "already in the project"), "%s", r.body);
	res_free(&r);
	snprintf(file, sizeof file, "%s/c.zip", DIR_);
	r = import_file(pid, S.req, "application/zip", file);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}

/* A refused archive leaves no files behind: when writing its rows fails
 * (here a trigger the test adds refuses every media row), the blobs the
 * import stored just before are removed again; bytes that some row already
 * names stay. */
Test(datasets_out, a_media_archive_whose_rows_fail_leaves_no_blobs)
{
	char out[4096], file[160];
	RUN(out,
	    "cd %s && mkdir -p f && sox -n -r 16000 -c 1 -b 16 f/new.wav synth 1.3 sine 900 vol 0.5 && "
	    "cp %s f/known.wav && tar -cf f.tar -C f new.wav known.wav && tar -cf k.tar -C f known.wav",
	    DIR_, WAV);
	long long pid =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "media", "label_config", AUDIO_CONFIG, "overlap", 1));
	long long keep =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "keep", "label_config", AUDIO_CONFIG, "overlap", 1));
	snprintf(file, sizeof file, "%s/k.tar", DIR_);
	res r = import_file(keep, S.req, "application/x-tar", file); /* known.wav is named by a row */
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	int before = count_local_blobs(&S);
	if (*S.database)
		RUN(out,
		    "psql -q -v ON_ERROR_STOP=1 '%s' -c \"CREATE FUNCTION fc_test_refuse() RETURNS trigger AS "
		    "\\$\\$BEGIN RAISE EXCEPTION 'refused by the test'; END\\$\\$ LANGUAGE plpgsql\" -c \"CREATE TRIGGER "
		    "fc_test_refuse BEFORE INSERT ON media FOR EACH ROW EXECUTE FUNCTION fc_test_refuse()\"",
		    S.database);
	else
		RUN(out,
		    "sqlite3 %s/faircrowd.db \"CREATE TRIGGER fc_test_refuse BEFORE INSERT ON media BEGIN SELECT "
		    "RAISE(ABORT, 'refused by the test'); END\"",
		    S.dir);
	snprintf(file, sizeof file, "%s/f.tar", DIR_);
	r = import_file(pid, S.req, "application/x-tar", file);
	cr_expect(r.status >= 400, "the rows could not be written: %d %s", r.status, r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), before, "the new file's blob is gone, the known one kept");
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?state=open", keep);
	r = api(&S, "GET", path, S.req, NULL);
	json_t *t = json_array_get(jget(r.json, "items"), 0);
	const char *url = jstr(t, "data.audio");
	cr_assert(url, "%s", r.body);
	res u = api(&S, "GET", url, S.req, NULL);
	cr_expect_eq(u.status, 200, "the other project's file is still served");
	res_free(&u);
	res_free(&r);

	/* without the trigger the same archive goes in */
	if (*S.database)
		RUN(out, "psql -q -v ON_ERROR_STOP=1 '%s' -c 'DROP TRIGGER fc_test_refuse ON media'", S.database);
	else
		RUN(out, "sqlite3 %s/faircrowd.db 'DROP TRIGGER fc_test_refuse'", S.dir);
	r = import_file(pid, S.req, "application/x-tar", file);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	cr_expect_eq(count_local_blobs(&S), before + 1);
}
