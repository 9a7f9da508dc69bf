/* The requester's workbench, second part (issue #16): image, audio and
 * video files dropped into a project become one task each (duplicates by
 * SHA-256 refused, the config's field filled), the file is served only to
 * the project's team and the people working on its task, and the data
 * manager's text search reads a full-text index. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(workbench, .init = up, .fini = down, .timeout = 180);

#define IMAGE_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/><Choices name=\"label\" toName=\"img\">" \
	"<Choice value=\"cat\"/><Choice value=\"dog\"/></Choices></View>"

/* A PNG signature and IHDR: enough for the content sniffer; seed varies the bytes. */
static size_t png(unsigned char *b, int seed)
{
	static const unsigned char head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D',
					     'R',  0,   0,   0,   1,    0,    0,    0,    1, 8, 2, 0,  0,   0,   0};
	memcpy(b, head, sizeof head);
	b[sizeof head] = (unsigned char)seed;
	return sizeof head + 1;
}

static res drop(long long pid, const char *tok, const char *ctype, const void *body, size_t len, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/files?name=%s", pid, name);
	return http(&S, "POST", path, tok, ctype, body, len, NULL);
}

static long long image_project(void)
{
	return project_create(&S, S.req,
			      json_pack("{s:s,s:s,s:i}", "title", "Pets", "label_config", IMAGE_CONFIG, "reward", 10));
}

Test(workbench, dropped_files_refusals_first)
{
	long long pid = image_project();
	unsigned char b[64];
	size_t n = png(b, 1);
	res r = drop(pid, S.c[0], "image/png", b, n, "a.png");
	cr_expect(r.status == 403 || r.status == 404, "a contributor adds no tasks: %ld %s", r.status, r.body);
	res_free(&r);
	r = drop(pid, S.req, "text/plain", "just words, not a picture", 25, "notes.txt");
	cr_expect_eq(r.status, 415, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_media");
	res_free(&r);
	r = drop(pid, S.req, "image/png", "", 0, "empty.png");
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	/* a text project shows no image: nothing to put the file in */
	long long text =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "Words", "label_config", YES_NO_CONFIG, "reward", 1));
	r = drop(text, S.req, "image/png", b, n, "a.png");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_media_field");
	res_free(&r);
	/* an audio file in an image project: same */
	static const unsigned char wav[] = {'R', 'I', 'F', 'F', 36, 0, 0,   0,   'W', 'A',  'V',  'E', 'f', 'm',  't',
					    ' ', 16,  0,   0,   0,  1, 0,   1,   0,   0x40, 0x1f, 0,   0,   0x80, 0x3e,
					    0,   0,   2,   0,   16, 0, 'd', 'a', 't', 'a',  0,    0,   0,   0};
	r = drop(pid, S.req, "audio/wav", wav, sizeof wav, "a.wav");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_media_field");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/files/999", S.req, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

Test(workbench, a_dropped_image_is_one_task_once)
{
	long long pid = image_project();
	unsigned char b[64], c[64];
	size_t n = png(b, 1), m = png(c, 2);
	res r = drop(pid, S.req, "image/png", b, n, "cat.png");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long fid = jint(r.json, "id"), task = jint(r.json, "task_id");
	cr_expect_str_eq(jstr(r.json, "field"), "image");
	cr_expect_str_eq(jstr(r.json, "kind"), "image");
	char want[64], path[128];
	snprintf(want, sizeof want, "/api/v1/files/%lld", fid);
	cr_expect_str_eq(jstr(r.json, "data.image"), want);
	res_free(&r);
	/* the same bytes under another name: refused, naming the task */
	r = drop(pid, S.req, "image/png", b, n, "cat-copy.png");
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "duplicate");
	char tasknum[32];
	snprintf(tasknum, sizeof tasknum, "task %lld", task);
	cr_expect(strstr(jstr(r.json, "error.message"), tasknum), "%s", r.body);
	res_free(&r);
	r = drop(pid, S.req, "image/png", c, m, "dog.png");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/tasks/%lld", task);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_str_eq(jstr(r.json, "data.image"), want, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 2, "%s", r.body);
	res_free(&r);
	/* the owner reads the bytes back; a stranger gets 404 */
	r = http(&S, "GET", want, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(r.len, n);
	cr_expect(r.len == n && !memcmp(r.body, b, n));
	res_free(&r);
	r = http(&S, "GET", want, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* a contributor holding the task sees it */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
	r = api(&S, "POST", path, S.req, "{s:i}", "amount", 1000);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		r = lease(&S, pid, S.c[0]);
		cr_assert_eq(r.status, 201, "%s", r.body);
		const char *img = jstr(r.json, "task.data.image");
		res g = http(&S, "GET", img, S.c[0], NULL, NULL, 0, NULL);
		cr_expect_eq(g.status, 200, "%s: %s", img, g.body);
		seen += g.status == 200;
		res_free(&g);
		res_free(&r);
	}
	cr_expect_eq(seen, 2);
}

/* A search and how many tasks it should find. */
typedef struct search_case {
	const char *q;
	size_t n;
} search_case;

/* POSTs NDJSON tasks (len 0: strlen) to project pid: the status. */
static int post_tasks(long long pid, const char *body, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", body, len ? len : strlen(body), NULL);
	int status = (int)r.status;
	if (status != 201)
		cr_log_info("POST %s: %ld %s", path, (long)r.status, r.body);
	res_free(&r);
	return status;
}

static void expect_searches(long long pid, const search_case *cases, size_t n)
{
	char path[256];
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=%s&limit=200&results=false", pid, cases[i].q);
		res r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(r.status, 200, "%s: %s", cases[i].q, r.body);
		cr_expect_eq(json_array_size(jget(r.json, "items")), cases[i].n, "%s: %zu", cases[i].q,
			     json_array_size(jget(r.json, "items")));
		res_free(&r);
	}
}

Test(workbench, text_search_matches_words)
{
	long long pid =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "Search", "label_config", YES_NO_CONFIG, "reward", 1));
	const char *body = "{\"text\":\"The quick brown fox\"}\n{\"text\":\"Lazy dogs sleep\"}\n"
			   "{\"text\":\"Quick thinking wins\"}\n{\"text\":\"Café au lait\"}\n";
	char path[256];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", body, strlen(body), NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	static const search_case CASES[] = {{"quick", 2},     {"QUICK%20brown", 1}, {"dogs", 1},
					    {"caf%C3%A9", 1}, {"nothing", 0},       {"%22quick%22", 2},
					    {"fox*", 1},      {"AND", 0},           {"text", 0}};
	expect_searches(pid, CASES, sizeof CASES / sizeof CASES[0]);
	/* no word at all: said, not silently everything */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=-%%22", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "q");
	res_free(&r);
	/* a deleted task leaves the index with it */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=dogs", pid);
	r = api(&S, "GET", path, S.req, NULL);
	char del[64];
	snprintf(del, sizeof del, "/api/v1/tasks/%lld", jint(r.json, "items.0.id"));
	res_free(&r);
	r = api(&S, "DELETE", del, S.req, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "%s", r.body);
	res_free(&r);
}

/* Past its first 256 tasks an import indexes the rest in one statement at
 * its end (on SQLite it suspends the per-row trigger inside its
 * transaction): a failed import leaves nothing in the index and the trigger
 * in place, and the next import's rows are found, those before and after
 * the 256th. */
Test(workbench, search_after_failed_and_later_imports)
{
	long long pid = project_create(&S, S.req,
				       json_pack("{s:s,s:s,s:i}", "title", "Search 2", "label_config", YES_NO_CONFIG,
						 "reward", 1));
	char path[256];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	const char *bad = "{\"text\":\"zebra crossing\"}\n{\"text\":\n";
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", bad, strlen(bad), NULL);
	cr_assert_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	char good[300 * 32];
	size_t len = 0;
	len += (size_t)snprintf(good + len, sizeof good - len, "{\"text\":\"zebra crossing\"}\n");
	for (int i = 1; i < 300; i++)
		len += (size_t)snprintf(good + len, sizeof good - len, "{\"text\":\"okapi k%d\"}\n", i);
	for (int round = 0; round < 2; round++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=zebra", pid);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(json_array_size(jget(r.json, "items")), (size_t)round, "round %d: %s", round, r.body);
		res_free(&r);
		if (round == 0) {
			snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
			r = http(&S, "POST", path, S.req, "application/x-ndjson", good, len, NULL);
			cr_assert_eq(r.status, 201, "%s", r.body);
			res_free(&r);
		}
	}
	static const char *const words[] = {"k5", "k255", "k256", "k299"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=%s", pid, words[i]);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(json_array_size(jget(r.json, "items")), 1, "%s: %s", words[i], r.body);
		res_free(&r);
	}
}

/* A bulk import (past 256 tasks: the fast path's C text through json_each,
 * the slow path's too) indexes the string values as the per-row triggers
 * do: keys never, nested values and escapes as what they stand for, on the
 * first 256 tasks (triggers) and after (bulk) alike; \u0000 is refused. */
Test(workbench, bulk_import_indexes_string_values_only)
{
	long long pid =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "Values", "label_config", YES_NO_CONFIG, "reward", 1));
	cr_expect_eq(post_tasks(pid, "{\"text\":\"a\\u0000b\"}\n", 0), 400, "\\u0000 is refused");
	static const char *const ODD[] = {
		"{\"text\":\"caf\\u00e9 \\\"okapi%d\\\" \\/ tab\\there\",\"image\":\"https://example.com/x.jpg\"}",
		"{\"text\":\"n%d\",\"deep\":[[\"walrus\"],{\"k\":[\"narwhal\"]}],\"num\":7}",
		"{\"data\":{\"text\":\"wrapped%d quokka\"},\"priority\":2}",
		"{\"data\":{\"text\":\"gold%d axolotl\"},\"gold\":{\"label\":\"yes\"}}", /* the slow path */
		"{\"text\":\"spaced%d\",  \"more\" : [ \"pangolin\" ]}",                 /* not compact */
	};
	size_t cap = 600 * 160, len = 0;
	char *body = malloc(cap);
	cr_assert(body);
	for (int i = 0; i < 600; i++) {
		len += (size_t)snprintf(body + len, cap - len, ODD[i % 5], i);
		body[len++] = '\n';
	}
	cr_assert_eq(post_tasks(pid, body, len), 201);
	free(body);
	static const search_case CASES[] = {{"image", 0},     {"text", 0},       {"deep", 0},        {"num", 0},
					    {"data", 0},      {"label", 0},      {"caf%C3%A9", 120}, {"walrus", 120},
					    {"narwhal", 120}, {"quokka", 120},   {"axolotl", 120},   {"pangolin", 120},
					    {"okapi5", 1},    {"okapi595", 1},   {"tab", 120},       {"here", 120},
					    {"there", 0},     {"wrapped597", 1}, {"gold598", 1},     {"spaced299", 1},
					    {"n596", 1}};
	expect_searches(pid, CASES, sizeof CASES / sizeof CASES[0]);
}

Test(workbench, bonuses_are_listed_for_the_owner)
{
	char tasks[512];
	long long pid =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i}", "title", "Bonus", "label_config", YES_NO_CONFIG, "reward", 10),
			     ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", 2), 1000);
	res r = submit_choice(&S, lease_ok(&S, pid, S.c[0]), S.c[0], "label", "yes", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	long long uid = user_id(&S, S.c[0]);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/bonuses", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)uid, "amount", 25, "reason",
		"Careful work");
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:I,s:i,s:s}", "user_id", (json_int_t)uid, "amount", 5000, "reason",
		"Too much");
	cr_expect_eq(r.status, 409, "more than the escrow holds: %s", r.body);
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.amount"), 25);
	cr_expect_eq(jint(r.json, "items.0.user_id"), uid);
	cr_expect_str_eq(jstr(r.json, "items.0.reason"), "Careful work");
	cr_expect_str_eq(jstr(r.json, "items.0.kind"), "manual");
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403, "the contributor does not list the project's bonuses: %s", r.body);
	res_free(&r);
}

/* The text index drives a search in id order (store.h): it pages by the
 * cursor both ways, keeps to its project when another project's tasks
 * match (before, between and after its ids), and a search in priority
 * order finds the same tasks. */
Test(workbench, text_search_pages_within_its_project)
{
	long long pid[2];
	char path[256];
	for (int p = 0; p < 2; p++)
		pid[p] = project_create(&S, S.req,
					json_pack("{s:s,s:s,s:i}", "title", "Pages", "label_config", YES_NO_CONFIG,
						  "reward", 1));
	/* ids interleaved: other, mine, other, mine, other, mine, other */
	for (int i = 0; i < 7; i++) {
		char line[64];
		snprintf(line, sizeof line, "{\"text\":\"apple number%d\"}\n", i);
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid[i % 2 ? 0 : 1]);
		res r = http(&S, "POST", path, S.req, "application/x-ndjson", line, strlen(line), NULL);
		cr_assert_eq(r.status, 201, "%s", r.body);
		res_free(&r);
	}
	static const char *SORTS[] = {"id", "-id", "priority", "-priority"};
	for (size_t k = 0; k < sizeof SORTS / sizeof SORTS[0]; k++) {
		char after[64] = "";
		long long seen[8];
		int n = 0;
		for (int page = 0; page < 5; page++) {
			snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=apple&limit=1&sort=%s%s%s", pid[0],
				 SORTS[k], *after ? "&after=" : "", after);
			res r = api(&S, "GET", path, S.req, NULL);
			cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
			if (json_array_size(jget(r.json, "items")) && n < 8)
				seen[n++] = jint(r.json, "items.0.id");
			const char *next = jstr(r.json, "next");
			snprintf(after, sizeof after, "%s", next ? next : "");
			res_free(&r);
			if (!*after)
				break;
		}
		cr_expect_eq(n, 3, "sort=%s: three of mine, none of the other project's", SORTS[k]);
		for (int i = 1; i < n; i++)
			cr_expect(SORTS[k][0] == '-' ? seen[i] < seen[i - 1] : seen[i] > seen[i - 1],
				  "sort=%s: in order", SORTS[k]);
	}
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=number3", pid[0]);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?q=number3", pid[1]);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "another project's task: %s", r.body);
	res_free(&r);
}

/* A project whose config shows one object tag (Audio, Video) reading $field. */
static long long av_project(const char *tag, const char *field)
{
	char config[256];
	snprintf(config, sizeof config,
		 "<View><%s name=\"m\" value=\"$%s\"/><Choices name=\"ok\" toName=\"m\">"
		 "<Choice value=\"fine\"/><Choice value=\"poor\"/></Choices></View>",
		 tag, field);
	return project_create(&S, S.req, json_pack("{s:s,s:s,s:i}", "title", tag, "label_config", config, "reward", 1));
}

/* A recording dropped into a project that plays recordings and a clip into
 * one that shows video: each fills its project's field; the clip in the
 * recordings project and a second copy of it are refused. */
Test(workbench, dropped_audio_and_video_fill_their_fields)
{
	long long audio = av_project("Audio", "recording"), video = av_project("Video", "clip");
	static const unsigned char wav[] = {'R', 'I', 'F', 'F', 36, 0, 0,   0,   'W', 'A',  'V',  'E', 'f', 'm',  't',
					    ' ', 16,  0,   0,   0,  1, 0,   1,   0,   0x40, 0x1f, 0,   0,   0x80, 0x3e,
					    0,   0,   2,   0,   16, 0, 'd', 'a', 't', 'a',  0,    0,   0,   0};
	static const unsigned char webm[] = {0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81,
					     0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84,
					     'w',  'e',  'b',  'm',  0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02};
	/* each drop: project, type, bytes, name → the status, and the kind and field when 201 (else the error code) */
	const struct {
		long long pid;
		const char *ctype;
		const unsigned char *body;
		size_t len;
		const char *name;
		long status;
		const char *kind, *field;
	} DROPS[] = {
		{audio, "video/webm", webm, sizeof webm, "walk.webm", 400, "no_media_field", NULL},
		{audio, "audio/wav", wav, sizeof wav, "hello.wav", 201, "audio", "recording"},
		{video, "video/webm", webm, sizeof webm, "walk.webm", 201, "video", "clip"},
		{video, "video/webm", webm, sizeof webm, "walk-again.webm", 409, "duplicate", NULL},
	};
	res r;
	for (size_t i = 0; i < sizeof DROPS / sizeof DROPS[0]; i++) {
		r = drop(DROPS[i].pid, S.req, DROPS[i].ctype, DROPS[i].body, DROPS[i].len, DROPS[i].name);
		cr_expect_eq(r.status, DROPS[i].status, "%s: %s", DROPS[i].name, r.body);
		if (r.status == 201) {
			char data[64];
			snprintf(data, sizeof data, "data.%s", DROPS[i].field);
			cr_expect_str_eq(jstr(r.json, "kind"), DROPS[i].kind);
			cr_expect_str_eq(jstr(r.json, "field"), DROPS[i].field);
			cr_expect(jstr(r.json, data) && !strncmp(jstr(r.json, data), "/api/v1/files/", 14), "%s", r.body);
		} else {
			cr_expect_str_eq(jstr(r.json, "error.code") ? jstr(r.json, "error.code") : "", DROPS[i].kind);
		}
		res_free(&r);
	}
	char path[96];
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld", i ? video : audio);
		r = api(&S, "GET", path, S.req, NULL);
		cr_expect_eq(jint(r.json, "task_count"), 1, "%s", r.body);
		res_free(&r);
	}
}
