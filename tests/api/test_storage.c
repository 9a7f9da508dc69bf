/* S3 import sources and their sync (#13) against the local S3 emulator
 * (s3emu.c: s3rver, bucket fc-test, credentials S3RVER/S3RVER). Objects are
 * put into the bucket with curl's own SigV4 signer, so the server's
 * ListObjectsV2 and GET are checked against a client it shares no code with.
 * Refusals first: nothing is stored for a source S3 refuses; then one task
 * per object, never twice (a second sync, an object added between syncs,
 * two syncs at once, more than one page of 1000 keys). */
#include "harness.h"
#include "s3emu.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S, S2;

static void down(void)
{
	if (S2.pid > 0)
		srv_stop(&S2);
	if (S.pid > 0)
		srv_stop(&S);
	emu_stop();
}
TestSuite(storage, .fini = down, .timeout = 300);

#define IMAGE_CONFIG \
	"<View><Image name=\"img\" value=\"$image\"/><Choices name=\"label\" toName=\"img\">" \
	"<Choice value=\"cat\"/><Choice value=\"dog\"/></Choices></View>"

static const char *URL; /* the emulator's http://127.0.0.1:PORT */

/* The emulator and a server with a requester and a contributor; skips
 * the test when the emulator cannot run here. */
static void up(void)
{
	const char *why = emu_start();
	if (why) {
		emu_stop();
		cr_skip_test("%s", why);
	}
	URL = strchr(ENDPOINT, '=') + 1;
	suite_with_users(&S, 1);
}

/* Puts count objects KEY (a printf pattern with one %d, 1..count, or a
 * plain key when count is 0) with the bytes of file into bucket fc-test,
 * in parallel, signed by curl. */
static void put_objects(const char *key, int count, const char *file)
{
	char url[600], out[64];
	if (count) {
		char pattern[400];
		snprintf(pattern, sizeof pattern, key, 0);
		char *z = strstr(pattern, "0");
		cr_assert(z);
		snprintf(url, sizeof url, "%s/fc-test/%.*s[1-%d]%s", URL, (int)(z - pattern), pattern, count, z + 1);
	} else {
		snprintf(url, sizeof url, "%s/fc-test/%s", URL, key);
	}
	int rc = run_cmd(out, sizeof out,
			 "curl -s --no-progress-meter --parallel --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER "
			 "-H x-amz-content-sha256:UNSIGNED-PAYLOAD -T '%s' '%s' -o /dev/null -w '%%{http_code}\\n' "
			 "| sort -u | tr -d '\\n'",
			 file, url);
	cr_assert(rc == 0 && !strcmp(out, "200"), "putting %s: curl %d, statuses %s", url, rc, out);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

static long long image_project(void)
{
	return project_create(&S, S.req,
			      json_pack("{s:s,s:s,s:i}", "title", "Bucket", "label_config", IMAGE_CONFIG, "reward", 10));
}

static res add_source(srv *s, long long pid, const char *tok, const char *bucket, const char *prefix,
		      const char *access, const char *endpoint)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/storage", pid);
	return api(s, "POST", path, tok, "{s:s,s:s,s:s,s:s,s:s}", "endpoint", endpoint ? endpoint : URL, "bucket",
		   bucket, "prefix", prefix, "access_key", access, "secret_key", "S3RVER");
}

static res sync_source(srv *s, long long pid, long long sid, const char *tok)
{
	char path[128];
	if (sid)
		snprintf(path, sizeof path, "/api/v1/projects/%lld/storage/%lld/sync", pid, sid);
	else
		snprintf(path, sizeof path, "/api/v1/projects/%lld/storage/sync", pid);
	return api(s, "POST", path, tok, NULL);
}

/* The source sid of pid once its sync is over (the runner thread does it):
 * GET …/storage's item, polled for up to 60 s. */
static res synced(long long pid, long long sid)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/storage", pid);
	for (int i = 0; i < 600; i++) {
		res r = api(&S, "GET", path, S.req, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		size_t k;
		json_t *it;
		json_array_foreach(jget(r.json, "items"), k, it) {
			const char *st = jstr(it, "last_sync.status");
			if (jint(it, "id") == sid && st && strcmp(st, "queued") && strcmp(st, "running")) {
				json_t *one = json_incref(it);
				json_decref(r.json);
				r.json = one;
				return r;
			}
		}
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_assert_fail("the sync of source %lld did not end within 60 s", sid);
	return (res){0};
}

/* POST …/sync (202 queued), then the source once the sync is over. */
static res sync_done(long long pid, long long sid)
{
	res r = sync_source(&S, pid, sid, S.req);
	cr_assert_eq(r.status, 202, "%s", r.body);
	res_free(&r);
	return synced(pid, sid);
}

static long long task_count(long long pid)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	long long n = jint(r.json, "task_count");
	res_free(&r);
	return n;
}

Test(storage, refusals_store_nothing)
{
	up();
	long long pid = image_project();
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/storage", pid);

	/* not the owner: the project is invisible */
	res r = add_source(&S, pid, S.c[0], "fc-test", "", "S3RVER", NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* malformed bodies */
	r = http(&S, "POST", path, S.req, "application/json", "{\"bucket\":", 10, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:s,s:s}", "bucket", "fc-test", "access_key", "S3RVER", "secret_key",
		"S3RVER");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "endpoint");
	res_free(&r);
	r = api(&S, "POST", path, S.req, "{s:s,s:s,s:i,s:s,s:s}", "endpoint", URL, "bucket", "fc-test", "prefix", 7,
		"access_key", "S3RVER", "secret_key", "S3RVER");
	cr_expect_eq(r.status, 400, "a number is no prefix: %s", r.body);
	res_free(&r);
	r = add_source(&S, pid, S.req, "Not_A_Bucket!", "", "S3RVER", NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "bucket");
	res_free(&r);
	r = add_source(&S, pid, S.req, "fc-test", "", "S3RVER", "ftp://127.0.0.1/");
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);

	/* S3 refuses: wrong credentials, a missing bucket, no answer at all */
	r = add_source(&S, pid, S.req, "fc-test", "", "WRONGKEY", NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "storage_refused");
	cr_expect(strstr(jstr(r.json, "error.message"), "InvalidAccessKeyId"), "S3's reason in words: %s", r.body);
	res_free(&r);
	r = add_source(&S, pid, S.req, "no-such-bucket", "", "S3RVER", NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "storage_not_found");
	cr_expect(strstr(jstr(r.json, "error.message"), "no-such-bucket"), "%s", r.body);
	res_free(&r);
	r = add_source(&S, pid, S.req, "fc-test", "", "S3RVER", "http://127.0.0.1:1");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "storage_unreachable");
	res_free(&r);
	r = add_source(&S, pid, S.req, "fc-test", "", "S3RVER", "http://169.254.169.254:1");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "storage_address_refused");
	cr_expect(strstr(jstr(r.json, "error.message"), "link-local"), "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "a refused source is not stored: %s", r.body);
	res_free(&r);
	r = sync_source(&S, pid, 0, S.req);
	cr_expect_eq(r.status, 400, "nothing to sync: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "no_storage");
	res_free(&r);

	/* a good source: others cannot see, sync, change or delete it */
	r = add_source(&S, pid, S.req, "fc-test", "refusals/", "S3RVER", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = sync_source(&S, pid, sid, S.c[0]);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = sync_source(&S, pid, sid + 1000, S.req);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/storage/%lld", pid, sid);
	r = api(&S, "PATCH", path, S.c[0], "{s:s}", "prefix", "x/");
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* changing to wrong credentials is refused and changes nothing */
	r = api(&S, "PATCH", path, S.req, "{s:s}", "access_key", "WRONGKEY");
	cr_expect_eq(r.status, 422, "%s", r.body);
	res_free(&r);
	/* so is a move to a refused address, judged before any connection */
	r = api(&S, "PATCH", path, S.req, "{s:s}", "endpoint", "http://[fe80::1]:9000");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code") ?: "", "storage_address_refused", "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message") ?: "", "fe80::1 is a link-local address"), "%s", r.body);
	res_free(&r);
	r = api(&S, "PATCH", path, S.req, "{s:s}", "title", "Renamed");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "title"), "Renamed");
	res_free(&r);

	/* S3 goes away: the sync fails in words, the source says so, no task */
	emu_kill();
	r = sync_done(pid, sid);
	cr_expect_str_eq(jstr(r.json, "last_sync.status"), "failed", "%s", r.body);
	cr_expect(jstr(r.json, "last_sync.error") && strstr(jstr(r.json, "last_sync.error"), "did not answer"), "%s",
		  r.body);
	res_free(&r);
	cr_expect_eq(task_count(pid), 0);

	snprintf(path, sizeof path, "/api/v1/projects/%lld/storage/%lld", pid, sid);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, S.req, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

Test(storage, one_task_per_object_never_twice)
{
	up();
	long long pid = image_project();
	char png[300], json[300], txt[300], bad[300];
	snprintf(png, sizeof png, "%s/a.png", EMU_DIR);
	snprintf(json, sizeof json, "%s/t.json", EMU_DIR);
	snprintf(txt, sizeof txt, "%s/n.txt", EMU_DIR);
	snprintf(bad, sizeof bad, "%s/bad.json", EMU_DIR);
	static const unsigned char PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0,
					    13,   'I', 'H', 'D', 'R',  0,    0,    0,    1, 0, 0,
					    0,    1,   8,   2,   0,    0,    0,    0,    0};
	write_file(png, PNG, sizeof PNG);
	write_file(json, "{\"data\":{\"image\":\"https://example.org/x.png\"}}", 46);
	write_file(txt, "notes", 5);
	write_file(bad, "[1,2", 4);
	put_objects("in/pic%d.png", 3, png);
	put_objects("in/task.json", 0, json);
	put_objects("in/readme.txt", 0, txt);
	put_objects("in/broken.json", 0, bad);
	put_objects("out/other.png", 0, png);

	res r = add_source(&S, pid, S.req, "fc-test", "in/", "S3RVER", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	cr_expect(!strstr(r.body, "S3RVER"), "the credentials are never returned: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "last_sync.status"), "never");
	res_free(&r);

	r = sync_done(pid, sid);
	cr_expect_eq(jint(r.json, "last_sync.listed"), 6, "%s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.created"), 4, "three pictures and task.json: %s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.skipped"), 2, "readme.txt and broken.json: %s", r.body);
	cr_expect_str_eq(jstr(r.json, "last_sync.status"), "done");
	cr_expect(jstr(r.json, "last_sync.error") && strstr(jstr(r.json, "last_sync.error"), "skipped"),
		  "the skipped objects are named: %s", r.body);
	cr_expect_eq(jint(r.json, "tasks"), 4, "%s", r.body);
	cr_expect(!strstr(r.body, "S3RVER"), "%s", r.body);
	res_free(&r);
	cr_expect_eq(task_count(pid), 4);

	/* again, and through the project-wide route: nothing new */
	r = sync_source(&S, pid, 0, S.req);
	cr_assert_eq(r.status, 202, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.last_sync.status"), "queued", "%s", r.body);
	res_free(&r);
	r = synced(pid, sid);
	cr_expect_eq(jint(r.json, "last_sync.created"), 0, "%s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.already_seen"), 4, "%s", r.body);
	res_free(&r);
	cr_expect_eq(task_count(pid), 4);

	/* an object added between syncs: exactly one new task */
	/* a key with a space and an ampersand: encoded in the request, an entity in the listing */
	put_objects("in/late%20%26%20great.png", 0, png);
	r = sync_done(pid, sid);
	cr_expect_eq(jint(r.json, "last_sync.created"), 1, "%s", r.body);
	res_free(&r);
	cr_expect_eq(task_count(pid), 5);

	/* the tasks name their objects; the team loads them, others do not */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	const char *src = NULL, *remote = NULL;
	size_t i;
	json_t *t;
	int loaded = 0;
	json_array_foreach(jget(r.json, "items"), i, t) {
		const char *img = jstr(t, "data.image");
		if (img && !strncmp(img, "/api/v1/storage/objects/", 24)) {
			src = src ? src : img;
			res o = http(&S, "GET", img, S.req, NULL, NULL, 0, NULL); /* every object loads */
			loaded += o.status == 200 && o.len == sizeof PNG && !memcmp(o.body, PNG, sizeof PNG);
			res_free(&o);
		} else {
			remote = img;
		}
	}
	cr_expect_eq(loaded, 4, "the four pictures load through the proxy, 'late & great.png' too");
	cr_assert(src, "a task points at the object proxy: %s", r.body);
	cr_expect(remote && !strcmp(remote, "https://example.org/x.png"), "task.json's data: %s", r.body);
	char obj[128];
	snprintf(obj, sizeof obj, "%s", src);
	res_free(&r);
	r = http(&S, "GET", obj, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect(r.len == sizeof PNG && !memcmp(r.body, PNG, sizeof PNG), "the object's bytes (%zu)", r.len);
	char ct[64];
	cr_expect(res_header(&r, "Content-Type", ct, sizeof ct) && strstr(ct, "image/png"), "%s", ct);
	res_free(&r);
	r = http(&S, "GET", obj, S.c[0], NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "a stranger loads nothing: %s", r.body);
	res_free(&r);
	r = http(&S, "GET", "/api/v1/storage/objects/999999", S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

/* Two syncs at once (on PostgreSQL: on two servers sharing the database)
 * over more than one page of keys: every object a task, once. */
Test(storage, concurrent_syncs_over_pages_make_each_task_once)
{
	up();
	long long pid = image_project();
	char png[300];
	snprintf(png, sizeof png, "%s/a.png", EMU_DIR);
	write_file(png, "\x89PNG\r\n\x1a\n", 8);
	put_objects("many/%d.png", 1005, png);
	res r = add_source(&S, pid, S.req, "fc-test", "many/", "S3RVER", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	srv *other = &S;
	if (*S.database) {
		srv_start_shared(&S2, &S);
		other = &S2;
	}
	char out[256];
	int rc = run_cmd(out, sizeof out,
			 "curl -s -o /dev/null -w '%%{http_code} ' -X POST -H 'Authorization: Bearer %s' "
			 "'%s/api/v1/projects/%lld/storage/%lld/sync' & "
			 "curl -s -o /dev/null -w '%%{http_code} ' -X POST -H 'Authorization: Bearer %s' "
			 "'%s/api/v1/projects/%lld/storage/sync' & wait",
			 S.req, S.url, pid, sid, S.req, other->url, pid);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(out, "202 202 ", "both syncs are taken: %s", out);
	r = synced(pid, sid);
	cr_expect_str_eq(jstr(r.json, "last_sync.status"), "done", "%s", r.body);
	res_free(&r);
	/* one more while it may still run, then once more after */
	r = sync_source(other, pid, sid, S.req);
	cr_expect_eq(r.status, 202, "%s", r.body);
	res_free(&r);
	r = synced(pid, sid);
	res_free(&r);
	cr_expect_eq(task_count(pid), 1005, "every object once");
	r = sync_done(pid, sid);
	cr_expect_eq(jint(r.json, "last_sync.listed"), 1005, "two pages listed: %s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.created"), 0, "%s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.already_seen"), 1005, "%s", r.body);
	cr_expect_eq(jint(r.json, "tasks"), 1005, "%s", r.body);
	res_free(&r);

	/* a runner that died mid-sync (running, no heartbeat for long): taken
	 * over from the start, and still no object a task twice */
	char sql[200];
	snprintf(sql, sizeof sql, "UPDATE storage_sources SET sync_status='running', sync_heartbeat_at=0 WHERE id=%lld",
		 sid);
	if (*S.database)
		rc = run_cmd(NULL, 0, "psql '%s' -q -c \"%s\"", S.database, sql);
	else
		rc = run_cmd(NULL, 0, "sqlite3 -cmd '.timeout 5000' '%s/faircrowd.db' \"%s\"", S.dir, sql);
	cr_assert_eq(rc, 0);
	r = synced(pid, sid);
	cr_expect_str_eq(jstr(r.json, "last_sync.status"), "done", "%s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.already_seen"), 1005, "the take-over ran again: %s", r.body);
	cr_expect_eq(jint(r.json, "last_sync.created"), 0, "%s", r.body);
	res_free(&r);
	cr_expect_eq(task_count(pid), 1005);
}
