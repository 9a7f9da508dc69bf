/* Resumable uploads (tus 1.0): create, resume, offsets, limits, attach. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static char *WAV;
static size_t WAV_LEN;

static void up(void)
{
	suite_with_users(&S, 2);
	char cmd[512], path[300];
	snprintf(path, sizeof path, "%s/tone.wav", S.dir);
	snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 -b 16 %s synth 2 sine 440 vol 0.5", path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	FILE *f = fopen(path, "rb");
	cr_assert(f);
	fseek(f, 0, SEEK_END);
	WAV_LEN = (size_t)ftell(f);
	rewind(f);
	WAV = malloc(WAV_LEN);
	cr_assert_eq(fread(WAV, 1, WAV_LEN, f), WAV_LEN);
	fclose(f);
}
static void down(void)
{
	free(WAV);
	srv_stop(&S);
}
TestSuite(uploads, .init = up, .fini = down, .timeout = 120);

static res tus_on(srv *on, const char *method, const char *path, const char *tok, const char *ctype, const char *body,
		  size_t len, const char *h1, const char *h2)
{
	const char *extra[] = {"Tus-Resumable: 1.0.0", h1, h2, NULL};
	if (!h1)
		extra[1] = NULL;
	return http(on, method, path, tok, ctype, body, len, extra);
}

static res tus(const char *method, const char *path, const char *tok, const char *ctype, const char *body, size_t len,
	       const char *h1, const char *h2)
{
	return tus_on(&S, method, path, tok, ctype, body, len, h1, h2);
}

static long long assignment(void)
{
	long long pid =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i,s:{s:s,s:i,s:i}}", "title", "voices", "kind", "collection",
				       "reward", 0, "collect", "media", "audio", "min_seconds", 1, "max_seconds", 10),
			     "{\"sentence\":\"hello\"}\n", 0);
	return lease_ok(&S, pid, S.c[0]);
}

Test(uploads, protocol_errors)
{
	res r = http(&S, "OPTIONS", "/api/v1/uploads", NULL, NULL, NULL, 0, NULL);
	char h[128];
	cr_expect_eq(r.status, 204);
	cr_expect(res_header(&r, "Tus-Version", h, sizeof h) && !strcmp(h, "1.0.0"));
	cr_expect(res_header(&r, "Tus-Extension", h, sizeof h) && strstr(h, "creation"));
	res_free(&r);
	const char *len[] = {"Upload-Length: 10", NULL};
	r = http(&S, "POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, len);
	cr_expect_eq(r.status, 412, "no Tus-Resumable");
	res_free(&r);
	r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 400, "no Upload-Length");
	cr_expect_str_eq(jstr(r.json, "error.field"), "Upload-Length");
	res_free(&r);
	r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, "Upload-Length: 9999999999", NULL);
	cr_expect_eq(r.status, 413);
	res_free(&r);
	r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, "Upload-Length: 5",
		"Upload-Metadata: filetype !!notbase64");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = tus("POST", "/api/v1/uploads", NULL, NULL, NULL, 0, "Upload-Length: 5", NULL);
	cr_expect_eq(r.status, 401);
	res_free(&r);
	r = tus("HEAD", "/api/v1/uploads/not-an-id", S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(uploads, resume_and_attach)
{
	long long aid = assignment();
	char meta[128], b64[64], lenh[64];
	sodium_bin2base64(b64, sizeof b64, (const unsigned char *)"audio/wav", 9, sodium_base64_VARIANT_ORIGINAL);
	snprintf(meta, sizeof meta, "Upload-Metadata: filetype %s", b64);
	snprintf(lenh, sizeof lenh, "Upload-Length: %zu", WAV_LEN);
	res r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, lenh, meta);
	cr_assert_eq(r.status, 201, "%s", r.body);
	char loc[160], h[64];
	cr_assert(res_header(&r, "Location", loc, sizeof loc));
	res_free(&r);
	r = tus("HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect(res_header(&r, "Upload-Offset", h, sizeof h) && !strcmp(h, "0"));
	res_free(&r);
	r = tus("HEAD", loc, S.c[1], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404, "someone else's upload");
	res_free(&r);
	size_t half = WAV_LEN / 2;
	r = tus("PATCH", loc, S.c[0], "application/octet-stream", WAV, half, "Upload-Offset: 0", NULL);
	cr_expect_eq(r.status, 415);
	res_free(&r);
	r = tus("PATCH", loc, S.c[0], "application/offset+octet-stream", WAV, half, "Upload-Offset: 7", NULL);
	cr_expect_eq(r.status, 409, "wrong offset");
	res_free(&r);
	r = tus("PATCH", loc, S.c[0], "application/offset+octet-stream", WAV, half, "Upload-Offset: 0", NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	char want[32];
	snprintf(want, sizeof want, "%zu", half);
	cr_expect(res_header(&r, "Upload-Offset", h, sizeof h) && !strcmp(h, want));
	res_free(&r);
	/* the connection dropped: ask where to resume */
	r = tus("HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect(res_header(&r, "Upload-Offset", h, sizeof h) && !strcmp(h, want));
	res_free(&r);
	char path[200];
	snprintf(path, sizeof path, "%s/attach", loc);
	r = api(&S, "POST", path, S.c[0], "{s:I}", "assignment_id", (json_int_t)aid);
	cr_expect_eq(r.status, 409, "incomplete");
	cr_expect_str_eq(jstr(r.json, "error.code"), "upload_incomplete");
	res_free(&r);
	char offh[64];
	snprintf(offh, sizeof offh, "Upload-Offset: %zu", half);
	r = tus("PATCH", loc, S.c[0], "application/offset+octet-stream", WAV + half, WAV_LEN - half, offh, NULL);
	cr_expect_eq(r.status, 204);
	res_free(&r);
	snprintf(offh, sizeof offh, "Upload-Offset: %zu", WAV_LEN);
	r = tus("PATCH", loc, S.c[0], "application/offset+octet-stream", "x", 1, offh, NULL);
	cr_expect_eq(r.status, 413, "past Upload-Length");
	res_free(&r);
	r = api(&S, "POST", path, S.c[1], "{s:I}", "assignment_id", (json_int_t)aid);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "POST", path, S.c[0], "{s:I}", "assignment_id", (json_int_t)aid);
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "probe.format"), "wav");
	cr_expect_eq(jint(r.json, "probe.sample_rate"), 16000);
	res_free(&r);
	r = tus("HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404, "attached uploads are gone");
	res_free(&r);
}

Test(uploads, cancel)
{
	res r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, "Upload-Length: 100", NULL);
	cr_assert_eq(r.status, 201);
	char loc[160];
	res_header(&r, "Location", loc, sizeof loc);
	res_free(&r);
	r = tus("DELETE", loc, S.c[1], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = tus("DELETE", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 204);
	res_free(&r);
	r = tus("HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

/* Many servers behind one address: the bytes and the offset are in the
 * shared database, so each PATCH may reach another server, and the one that
 * attaches has every byte. */
Test(uploads, resumed_on_other_servers)
{
	if (!*S.database)
		srv_skip(&S, "PostgreSQL pass only: there servers can share a database");
	srv more[2];
	srv_start_shared(&more[0], &S);
	srv_start_shared(&more[1], &S);
	long long aid = assignment();
	char lenh[64], offh[64], h[32], loc[160], want[32];
	snprintf(lenh, sizeof lenh, "Upload-Length: %zu", WAV_LEN);
	res r = tus("POST", "/api/v1/uploads", S.c[0], NULL, NULL, 0, lenh, "Upload-Metadata: filetype YXVkaW8vd2F2");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_assert(res_header(&r, "Location", loc, sizeof loc));
	res_free(&r);
	size_t third = WAV_LEN / 3;
	for (int i = 0; i < 3; i++) {
		size_t from = third * (size_t)i, to = i == 2 ? WAV_LEN : third * (size_t)(i + 1);
		srv *on = i == 0 ? &S : &more[i - 1];
		r = tus_on(on, "HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
		snprintf(want, sizeof want, "%zu", from);
		cr_expect(res_header(&r, "Upload-Offset", h, sizeof h) && !strcmp(h, want), "server %d: offset %s", i, h);
		res_free(&r);
		snprintf(offh, sizeof offh, "Upload-Offset: %zu", from);
		r = tus_on(on, "PATCH", loc, S.c[0], "application/offset+octet-stream", WAV + from, to - from, offh,
			   NULL);
		cr_expect_eq(r.status, 204, "server %d: %s", i, r.body);
		res_free(&r);
	}
	char path[200];
	snprintf(path, sizeof path, "%s/attach", loc);
	r = api(&more[0], "POST", path, S.c[0], "{s:I}", "assignment_id", (json_int_t)aid);
	cr_expect_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "probe.sample_rate"), 16000, "every byte arrived: %s", r.body);
	res_free(&r);
	r = tus_on(&more[1], "HEAD", loc, S.c[0], NULL, NULL, 0, NULL, NULL);
	cr_expect_eq(r.status, 404, "attached uploads are gone everywhere");
	res_free(&r);
	srv_stop(&more[0]);
	srv_stop(&more[1]);
}

/* A CSV of exactly n bytes: a header, rows "i,1", the last one's value
 * padded with zeros to fill. */
static char *csv_of(size_t n)
{
	char *b = malloc(n + 64);
	size_t at = (size_t)sprintf(b, "t,ax\n");
	int i = 0;
	while (n - at > 40)
		at += (size_t)sprintf(b + at, "%d,1\n", i++);
	int head = sprintf(b + at, "%d,", i);
	size_t w = n - at - (size_t)head - 1; /* the value's digits */
	memset(b + at + (size_t)head, '0', w);
	b[n - 2] = '1';
	b[n - 1] = '\n';
	return b;
}

/* Bodies around the 4 KiB grid and the spool's edges (core/spool.h: the
 * piped, O_DIRECT path from FC_SPOOL_THREAD_MIN = 16 MiB) are stored byte
 * for byte, under the SHA-256 of what was sent. */
Test(uploads, spooled_bodies_round_trip_byte_exact_at_the_edges, .timeout = 300)
{
	const char *cfg = "<View><TimeSeries name=\"ts\" value=\"$csv\" valueType=\"url\" timeColumn=\"t\">"
			  "<Channel column=\"ax\"/></TimeSeries>"
			  "<TimeSeriesLabels name=\"l\" toName=\"ts\"><Label value=\"Walk\"/></TimeSeriesLabels></View>";
	long long pid = project_create(&S, S.req,
				       json_pack("{s:s,s:s,s:i,s:i}", "title", "Edges", "label_config", cfg, "reward",
						 5, "overlap", 1));
	const size_t M = 1 << 20;
	const size_t sizes[] = {4095, 4096, 4097, 8 * M + 1, 16 * M + 4095, 16 * M + 4097};
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/files?name=s.csv", pid);
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		char *body = csv_of(n);
		unsigned char h[32];
		char want[65];
		crypto_hash_sha256(h, (const unsigned char *)body, n);
		sodium_bin2hex(want, sizeof want, h, sizeof h);
		res r = http(&S, "POST", path, S.req, "text/csv", body, n, NULL);
		cr_assert_eq(r.status, 201, "%zu bytes: %s", n, r.body);
		cr_expect_str_eq(jstr(r.json, "sha256"), want, "%zu bytes", n);
		cr_expect_eq(jint(r.json, "bytes"), (long long)n);
		/* what the blob store holds, named by the hash the server took */
		char blob[400];
		snprintf(blob, sizeof blob, "%s/blobs/%.2s/%.2s/%s", S.dir, want, want + 2, want);
		res_free(&r);
		FILE *f = fopen(blob, "rb");
		cr_assert(f, "%zu bytes: no blob %s", n, blob);
		char *got = malloc(n + 1);
		size_t stored = fread(got, 1, n + 1, f);
		fclose(f);
		cr_expect_eq(stored, n, "%zu bytes stored as %zu", n, stored);
		cr_expect(stored == n && !memcmp(got, body, n), "%zu bytes stored different", n);
		free(got);
		free(body);
	}
}
