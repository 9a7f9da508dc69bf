/* Export jobs (POST /projects/{id}/exports, GET /exports/{id}, …/download):
 * refusals first, then a job that runs in the background, lands in the blob
 * store under its SHA-256, gives the same bytes as the streamed export,
 * reads back with Python's json module and queues an EXPORT_DONE webhook;
 * a job whose blob store is full fails with a reason and publishes
 * nothing. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(export_jobs, .init = up, .fini = down, .timeout = 300);

#define BOX_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/>" \
	"<RectangleLabels name=\"box\" toName=\"img\"><Label value=\"car\"/><Label value=\"person\"/></RectangleLabels>" \
	"</View>"
#define TEXT_CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"a\"/>" \
	"</Choices></View>"

/* Two images, one box each (percent of 640x480). */
static const char BOX_TASKS[] =
	"{\"data\":{\"image\":\"https://cdn.example/a.jpg\"},\"annotations\":[{\"completed_by\":\"w1\",\"result\":["
	"{\"id\":\"r1\",\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":10,\"y\":20,\"width\":50,\"height\":25,\"rectanglelabels\":[\"car\"]}}"
	"]}]}\n"
	"{\"data\":{\"image\":\"https://cdn.example/b.jpg\"},\"annotations\":[{\"completed_by\":\"w2\",\"result\":["
	"{\"id\":\"r2\",\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"original_width\":640,"
	"\"original_height\":480,\"value\":{\"x\":0,\"y\":0,\"width\":100,\"height\":100,"
	"\"rectanglelabels\":[\"person\"]}}]}]}\n";

static long long draft(srv *s, const char *config, const char *tasks)
{
	long long pid =
		project_create(s, s->req,
			       json_pack("{s:s,s:s,s:i}", "title", "export jobs", "label_config", config, "overlap", 1));
	if (tasks)
		project_import(s, pid, s->req, tasks);
	return pid;
}

static res queue(srv *s, long long pid, const char *token, const char *body)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/exports", pid);
	return http(s, "POST", path, token, "application/json", body, strlen(body), NULL);
}

/* Polls GET /exports/{id} until the job is done or failed (15 s at most). */
static res wait_job(srv *s, long long id)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/exports/%lld", id);
	for (int i = 0; i < 150; i++) {
		res r = api(s, "GET", path, s->req, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		const char *st = jstr(r.json, "status");
		if (st && (!strcmp(st, "done") || !strcmp(st, "failed")))
			return r;
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_assert_fail("export %lld did not finish in 15 s", id);
	return (res){0};
}

Test(export_jobs, refusals_name_the_problem)
{
	long long text = draft(&S, TEXT_CONFIG, "{\"text\":\"x\"}\n");
	res r = queue(&S, text, S.req, "{}");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	res_free(&r);
	r = queue(&S, text, S.req, "{\"format\":\"xml\"}");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	res_free(&r);
	r = queue(&S, text, S.req, "{\"format\":\"json\",\"status\":7}");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "status");
	res_free(&r);
	r = queue(&S, text, S.req, "{\"format\":\"json\",\"labels\":\"mean\"}");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "labels");
	res_free(&r);
	/* the geometry a format needs is checked before the job is queued */
	r = queue(&S, text, S.req, "{\"format\":\"coco\"}");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "format_unfit");
	cr_expect(strstr(jstr(r.json, "error.message"), "coco") &&
			  strstr(jstr(r.json, "error.message"), "RectangleLabels"),
		  "names the format and the control: %s", r.body);
	res_free(&r);
	r = queue(&S, text, S.req, "{\"format\":\"cv\"}");
	cr_expect_eq(r.status, 400, "the Common Voice tar is for collection projects: %s", r.body);
	res_free(&r);
	/* another requester's project, and its jobs, are not there */
	char other[64];
	make_user(&S, "req2@test.local", "requester", other);
	r = queue(&S, text, other, "{\"format\":\"json\"}");
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = queue(&S, text, S.req, "{\"format\":\"json\"}");
	cr_assert_eq(r.status, 202, "%s", r.body);
	long long id = jint(r.json, "id");
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/exports/%lld", id);
	r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/exports/%lld/download", id);
	r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/exports", text);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/exports/999999", S.req, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = wait_job(&S, id);
	res_free(&r);
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];
	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, 65, h, 32);
}

Test(export_jobs, runs_in_the_background_into_the_blob_store)
{
	long long pid = draft(&S, BOX_CONFIG, BOX_TASKS);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	res r = api(&S, "POST", path, S.req, "{s:s,s:[s],s:s}", "url", "http://127.0.0.1:9/hook", "events",
		    "EXPORT_DONE", "secret", "s3cret");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long hook = jint(r.json, "id");
	res_free(&r);

	r = queue(&S, pid, S.req, "{\"format\":\"coco\",\"status\":\"all\"}");
	cr_assert_eq(r.status, 202, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "queued");
	cr_expect(json_is_null(jget(r.json, "download_url")), "no link before the bytes: %s", r.body);
	long long id = jint(r.json, "id");
	res_free(&r);

	res job = wait_job(&S, id);
	cr_assert_str_eq(jstr(job.json, "status"), "done", "%s", job.body);
	cr_expect_eq(jint(job.json, "rows"), 2, "%s", job.body);
	cr_expect(json_real_value(jget(job.json, "progress")) == 1.0, "%s", job.body);
	cr_expect_str_eq(jstr(job.json, "format"), "coco");
	char url[96];
	snprintf(url, sizeof url, "/api/v1/exports/%lld/download", id);
	cr_expect_str_eq(jstr(job.json, "download_url"), url);

	res dl = api(&S, "GET", url, S.req, NULL);
	cr_assert_eq(dl.status, 200, "%s", dl.body);
	cr_expect_eq((long long)dl.len, jint(job.json, "bytes"));
	char sha[65];
	sha256_hex(dl.body, dl.len, sha);
	cr_expect_str_eq(sha, jstr(job.json, "sha256"), "the download is the blob the job names");
	char hdr[160];
	cr_expect(res_header(&dl, "Content-Disposition", hdr, sizeof hdr) && strstr(hdr, "coco.json"), "%s", hdr);

	/* the same bytes as the streamed export */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=coco&status=all", pid);
	res live = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(live.status, 200);
	cr_expect_eq(live.len, dl.len);
	cr_expect(live.len == dl.len && !memcmp(live.body, dl.body, dl.len), "job and stream differ");
	res_free(&live);

	/* a consumer reads it: Python's json module, pixel boxes from percent */
	char file[300], cmd[700];
	snprintf(file, sizeof file, "%s/coco-download.json", S.dir);
	FILE *f = fopen(file, "wb");
	cr_assert(f);
	fwrite(dl.body, 1, dl.len, f);
	fclose(f);
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "b=sorted(a[\"bbox\"] for a in d[\"annotations\"]); "
		 "assert len(d[\"images\"])==2, d; assert b==[[0,0,640,480],[64,96,320,120]], b' '%s'",
		 file);
	cr_expect_eq(system(cmd), 0, "python3 could not read the COCO file");
	res_free(&dl);

	/* listed for the dashboard, and an EXPORT_DONE delivery queued */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/exports", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(jint(r.json, "items.0.id"), id, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, hook);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "items.0.action"), "EXPORT_DONE", "%s", r.body);
	res_free(&r);
	res_free(&job);
}

Test(export_jobs, jsonl_has_pseudonyms_not_user_ids)
{
	long long pid =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i}", "title", "jsonl", "label_config", TEXT_CONFIG, "reward", 1),
			     "{\"text\":\"one\"}\n", 1000);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = submit_choice(&S, aid, S.c[0], "c", "a", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	r = queue(&S, pid, S.req, "{\"format\":\"jsonl\",\"status\":\"all\"}");
	cr_assert_eq(r.status, 202, "%s", r.body);
	res job = wait_job(&S, jint(r.json, "id"));
	res_free(&r);
	cr_assert_str_eq(jstr(job.json, "status"), "done", "%s", job.body);
	cr_expect_eq(jint(job.json, "rows"), 1);
	res dl = api(&S, "GET", jstr(job.json, "download_url"), S.req, NULL);
	cr_assert_eq(dl.status, 200);
	json_t *line = json_loads(dl.body, JSON_DISABLE_EOF_CHECK, NULL);
	cr_assert(line, "%s", dl.body);
	const char *who = jstr(line, "annotations.0.completed_by");
	cr_expect(who && strlen(who) == 64, "completed_by is a pseudonym: %s", dl.body);
	cr_expect_str_eq(who, jstr(line, "annotations.0.worker_id"));
	char raw[64];
	snprintf(raw, sizeof raw, "\"completed_by\":%lld", S.c_id[0]);
	cr_expect_null(strstr(dl.body, raw), "no raw user id: %s", dl.body);
	json_decref(line);
	res_free(&dl);
	res_free(&job);
}

/* A blob store that fills up half-way: the job fails with a reason, no
 * sha256, no download, no blob and no temporary file left behind. */
static const char *const FULL_ENV[] = {"FAIRCROWD_TEST_BLOB_FULL_AFTER=100", NULL};

Test(export_jobs, a_full_blob_store_fails_the_job_and_publishes_nothing)
{
	srv F = {0};
	suite_with_users_env(&F, FULL_ENV, 1);
	long long pid = draft(&F, BOX_CONFIG, BOX_TASKS);
	int blobs = count_local_blobs(&F);
	res r = queue(&F, pid, F.req, "{\"format\":\"json\"}");
	cr_assert_eq(r.status, 202, "%s", r.body);
	long long id = jint(r.json, "id");
	res_free(&r);
	res job = wait_job(&F, id);
	cr_expect_str_eq(jstr(job.json, "status"), "failed", "%s", job.body);
	const char *why = jstr(job.json, "reason");
	cr_expect(why && strstr(why, "no room"), "the reason says the store is full: %s", job.body);
	cr_expect(json_is_null(jget(job.json, "sha256")), "%s", job.body);
	cr_expect(json_is_null(jget(job.json, "download_url")), "%s", job.body);
	res_free(&job);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/exports/%lld/download", id);
	r = api(&F, "GET", path, F.req, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_ready");
	res_free(&r);
	cr_expect_eq(count_local_blobs(&F), blobs, "a blob was published");
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/blobs/tmp')\"", F.dir);
	cr_expect_eq(system(cmd), 0, "a temporary file was left in blobs/tmp");
	srv_stop(&F);
}

/* labels=aggregated: one label per task with its confidence, from the
 * quality module's aggregate (majority vote; boxes clustered by IoU). */
Test(export_jobs, aggregated_labels_carry_their_confidence)
{
	const char *tasks =
		"{\"data\":{\"text\":\"one\"},\"annotations\":["
		"{\"completed_by\":\"w1\",\"result\":[{\"from_name\":\"c\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"a\"]}}]},"
		"{\"completed_by\":\"w2\",\"result\":[{\"from_name\":\"c\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"a\"]}}]},"
		"{\"completed_by\":\"w3\",\"result\":[{\"from_name\":\"c\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"b\"]}}]}]}\n";
	const char *cfg =
		"<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"a\"/>"
		"<Choice value=\"b\"/></Choices></View>";
	long long pid = draft(&S, cfg, tasks);
	char path[160];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=json&labels=aggregated", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "0.annotations")), 1, "one aggregate per task: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "0.annotations.0.worker_id"), "aggregate");
	cr_expect_str_eq(jstr(r.json, "0.annotations.0.status"), "aggregated");
	cr_expect_str_eq(jstr(r.json, "0.annotations.0.result.0.value.choices.0"), "a", "2 of 3 said a: %s", r.body);
	double conf = json_number_value(jget(r.json, "0.annotations.0.confidence"));
	cr_expect(conf > 0.5 && conf <= 1.0, "confidence %f: %s", conf, r.body);
	res_free(&r);
	/* jsonl keeps every judgment */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=jsonl&labels=aggregated", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "labels");
	res_free(&r);

	/* two annotators' boxes of one car: one box in pixels */
	const char *box =
		"{\"from_name\":\"box\",\"to_name\":\"img\",\"type\":\"rectanglelabels\",\"original_width\":640,"
		"\"original_height\":480,\"value\":{\"x\":10,\"y\":20,\"width\":50,\"height\":25,"
		"\"rectanglelabels\":[\"car\"]}}";
	char boxes[1200];
	snprintf(boxes, sizeof boxes,
		 "{\"data\":{\"image\":\"https://cdn.example/c.jpg\"},\"annotations\":[{\"completed_by\":\"w1\","
		 "\"result\":[%s]},{\"completed_by\":\"w2\",\"result\":[%s]}]}\n",
		 box, box);
	long long img = draft(&S, BOX_CONFIG, boxes);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/exports", img);
	r = queue(&S, img, S.req, "{\"format\":\"coco\",\"labels\":\"aggregated\"}");
	cr_assert_eq(r.status, 202, "%s", r.body);
	res job = wait_job(&S, jint(r.json, "id"));
	res_free(&r);
	cr_assert_str_eq(jstr(job.json, "status"), "done", "%s", job.body);
	res dl = api(&S, "GET", jstr(job.json, "download_url"), S.req, NULL);
	cr_assert_eq(dl.status, 200);
	cr_expect_eq(json_array_size(jget(dl.json, "annotations")), 1, "%s", dl.body);
	json_t *bbox = jget(dl.json, "annotations.0.bbox");
	cr_expect(bbox && json_number_value(json_array_get(bbox, 0)) == 64 &&
			  json_number_value(json_array_get(bbox, 1)) == 96 &&
			  json_number_value(json_array_get(bbox, 2)) == 320 &&
			  json_number_value(json_array_get(bbox, 3)) == 120,
		  "the mean box in pixels: %s", dl.body);
	res_free(&dl);
	res_free(&job);
}

/* DPO pairs from Pairwise judgments, read back by Python's json module. */
Test(export_jobs, dpo_pairs_from_pairwise_judgments)
{
	const char *cfg = "<View><Text name=\"q\" value=\"$prompt\"/><Text name=\"a\" value=\"$a\"/>"
			  "<Text name=\"b\" value=\"$b\"/><Pairwise name=\"pw\" toName=\"a,b\"/></View>";
	const char *tasks =
		"{\"data\":{\"prompt\":\"Say hi\",\"a\":\"Hello!\",\"b\":\"Go away.\"},\"annotations\":["
		"{\"completed_by\":\"w1\",\"result\":[{\"from_name\":\"pw\",\"to_name\":\"a\",\"type\":\"pairwise\","
		"\"value\":{\"selected\":\"left\"}}]},"
		"{\"completed_by\":\"w2\",\"result\":[{\"from_name\":\"pw\",\"to_name\":\"a\",\"type\":\"pairwise\","
		"\"value\":{\"selected\":\"right\"}}]}]}\n";
	long long pid = draft(&S, cfg, tasks);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=dpo", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(r.body,
			 "{\"prompt\":\"Say hi\",\"chosen\":\"Hello!\",\"rejected\":\"Go away.\"}\n"
			 "{\"prompt\":\"Say hi\",\"chosen\":\"Go away.\",\"rejected\":\"Hello!\"}\n",
			 "one pair per judgment");
	res_free(&r);
	/* a project without a Pairwise control: 422 naming the format and the control */
	long long text = draft(&S, TEXT_CONFIG, NULL);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=dpo", text);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "dpo") && strstr(jstr(r.json, "error.message"), "Pairwise"),
		  "%s", r.body);
	res_free(&r);
}

/* Preference pairs from a conversation: a Pairwise between two candidate
 * replies and a Ranker over three, written in TRL's conversational form
 * (the prompt is the messages); a ranking gives every pair, best first. */
Test(export_jobs, dpo_pairs_from_a_conversation_in_trl_conversational_form)
{
	const char *cfg = "<View><Chat name=\"chat\" value=\"$messages\"/><Text name=\"a\" value=\"$a\"/>"
			  "<Text name=\"b\" value=\"$b\"/><Pairwise name=\"pw\" toName=\"a,b\"/>"
			  "<List name=\"cands\" value=\"$cands\"/><Ranker name=\"rank\" toName=\"cands\"/></View>";
	const char *tasks =
		"{\"data\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi?\"}],\"a\":\"Go away.\",\"b\":\"Hello!\","
		"\"cands\":[{\"id\":\"x\",\"title\":\"X\",\"body\":\"Hey.\"},{\"id\":\"y\",\"body\":\"What?\"},"
		"{\"id\":\"z\",\"body\":\"Hello, how can I help?\"}]},"
		"\"annotations\":[{\"completed_by\":\"w1\",\"result\":["
		"{\"from_name\":\"pw\",\"to_name\":\"a\",\"type\":\"pairwise\",\"value\":{\"selected\":\"right\"}},"
		"{\"from_name\":\"rank\",\"to_name\":\"cands\",\"type\":\"ranker\",\"value\":{\"ranker\":"
		"{\"cands\":[\"z\",\"x\",\"y\"]}}}]}]}\n";
	long long pid = draft(&S, cfg, tasks);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=dpo", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
#define P "{\"prompt\":[{\"role\":\"user\",\"content\":\"Hi?\"}],\"chosen\":[{\"role\":\"assistant\",\"content\":"
#define R "}],\"rejected\":[{\"role\":\"assistant\",\"content\":"
	cr_expect_str_eq(r.body,
			 P "\"Hello!\"" R "\"Go away.\"}]}\n" P "\"Hello, how can I help?\"" R "\"Hey.\"}]}\n" P
			   "\"Hello, how can I help?\"" R "\"What?\"}]}\n" P "\"Hey.\"" R "\"What?\"}]}\n",
			 "the pairwise judgment, then the ranking's three pairs");
#undef P
#undef R
	res_free(&r);
}

/* MOT tracks from a VideoRectangle track with two keyframes, read with
 * Python's zipfile: keyframes only, then every frame interpolated. */
Test(export_jobs, mot_tracks_with_and_without_interpolation)
{
	const char *cfg =
		"<View><Video name=\"v\" value=\"$video\"/><Labels name=\"l\" toName=\"v\"><Label value=\"car\"/>"
		"</Labels><VideoRectangle name=\"box\" toName=\"v\"/></View>";
	const char *tasks =
		"{\"data\":{\"video\":\"https://cdn.example/traffic.mp4\"},\"annotations\":[{\"completed_by\":\"w1\",\"result\":["
		"{\"id\":\"t1\",\"from_name\":\"box\",\"to_name\":\"v\",\"type\":\"videorectangle\",\"original_width\":1000,"
		"\"original_height\":500,\"value\":{\"labels\":[\"car\"],\"sequence\":["
		"{\"frame\":3,\"x\":30,\"y\":20,\"width\":10,\"height\":10,\"enabled\":false},"
		"{\"frame\":1,\"x\":10,\"y\":20,\"width\":10,\"height\":10,\"enabled\":true}]}}]}]}\n";
	long long pid = draft(&S, cfg, tasks);
	const char *want[2] = {"1,1,100,100,100,50,1,-1,-1,-1\\n3,1,300,100,100,50,1,-1,-1,-1\\n",
			       "1,1,100,100,100,50,1,-1,-1,-1\\n2,1,200,100,100,50,1,-1,-1,-1\\n"
			       "3,1,300,100,100,50,1,-1,-1,-1\\n"};
	for (int i = 0; i < 2; i++) {
		char path[160], file[300], cmd[900];
		snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=mot%s", pid,
			 i ? "&interpolate_key_frames=1" : "");
		res r = api(&S, "GET", path, S.req, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		snprintf(file, sizeof file, "%s/mot-%d.zip", S.dir, i);
		FILE *f = fopen(file, "wb");
		fwrite(r.body, 1, r.len, f);
		fclose(f);
		res_free(&r);
		snprintf(cmd, sizeof cmd,
			 "/usr/bin/python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
			 "t=z.read(\"traffic/gt/gt.txt\").decode(); assert t==sys.argv[2].replace(\"\\\\n\",\"\\n\"), t' "
			 "'%s' '%s'",
			 file, want[i]);
		cr_expect_eq(system(cmd), 0, "gt.txt %s interpolation", i ? "with" : "without");
	}
}

/* Imports check the fields the config reads: a task without $image → 400
 * naming the line and the field, and nothing of the file is kept. */
Test(export_jobs, an_import_without_a_field_the_config_reads_is_refused)
{
	long long pid = draft(&S, BOX_CONFIG, NULL);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	const char *body = "{\"image\":\"https://cdn.example/a.jpg\"}\n{\"picture\":\"https://cdn.example/b.jpg\"}\n";
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", body, strlen(body), NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "missing_field");
	cr_expect_str_eq(jstr(r.json, "error.field"), "data.image");
	cr_expect(strstr(jstr(r.json, "error.message"), "line 2"), "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 0, "all or nothing: %s", r.body);
	res_free(&r);
}
