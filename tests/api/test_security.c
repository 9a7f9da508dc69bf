/* Issue #19: bodies refused before they are read, 413s that every client
 * reads, 507 on a full disk, temporary files after a crash, sign-in
 * throttling per account and per address, API tokens (list, revoke, expiry,
 * logout) and disabled accounts. */
#include "harness.h"
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void)
{
	http_source(NULL);
	srv_stop(&S);
}
TestSuite(security, .init = up, .fini = down, .timeout = 180);

#define MIB (1024 * 1024)

/* Bytes in the regular files of dir (0 when it does not exist). */
static long long dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	long long total = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[600];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			total += (long long)st.st_size;
	}
	if (d)
		closedir(d);
	return total;
}

/* ---- a client that sends a whole request before it reads (like Python's
 * http.client): a raw socket ---- */

static int raw_connect(void)
{
	unsigned port = 0;
	cr_assert(sscanf(S.url, "http://127.0.0.1:%u", &port) == 1, "%s", S.url);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0, "connect: %s", strerror(errno));
	return fd;
}

/* 0, or the errno that stopped the sending (EPIPE, ECONNRESET). */
static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? errno : EPIPE;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Reads one response (headers and a Content-Length body); its status, or -1
 * when the connection failed first. The head is copied into head. */
static int read_response(int fd, char *head, size_t n)
{
	size_t got = 0;
	char *end = NULL;
	while (!end && got < n - 1) {
		ssize_t k = recv(fd, head + got, n - 1 - got, 0);
		if (k <= 0)
			return -1;
		got += (size_t)k;
		head[got] = 0;
		end = strstr(head, "\r\n\r\n");
	}
	if (!end)
		return -1;
	int status = 0;
	sscanf(head, "HTTP/1.%*d %d", &status);
	const char *cl = strcasestr(head, "\r\nContent-Length:");
	size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0, have = got - (size_t)(end + 4 - head);
	char sink[4096];
	while (have < body) {
		ssize_t k = recv(fd, sink, sizeof sink, 0);
		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
	return status;
}

Test(security, oversized_body_gets_its_413_when_sent_before_reading)
{
	/* 3.5 MiB to a 1 MiB route: more than the socket buffers hold, so a
	 * server that closes without reading resets the connection */
	size_t n = 3 * MIB + MIB / 2;
	char *req = malloc(n + 256);
	int h = snprintf(req, 256,
			 "POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 n);
	memset(req + h, ' ', n);
	req[h] = '{';
	req[h + n - 1] = '}';
	int fd = raw_connect();
	int sent = send_all(fd, req, (size_t)h + n);
	free(req);
	cr_expect_eq(sent, 0, "the body could not be sent: %s", strerror(sent));
	char head[8192];
	cr_expect_eq(read_response(fd, head, sizeof head), 413, "%s", head);
	/* the body was read, so the connection goes on */
	const char get[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	cr_expect_eq(send_all(fd, get, sizeof get - 1), 0);
	cr_expect_eq(read_response(fd, head, sizeof head), 200, "%s", head);
	close(fd);
}

Test(security, expect_100_continue_is_answered_before_the_body)
{
	/* a client that asks first sends nothing: too large, or not signed in */
	const char *reqs[][2] = {
		{"POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
		 "Content-Length: 314572800\r\nExpect: 100-continue\r\n\r\n",
		 "413"},
		{"POST /api/v1/projects/1/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-ndjson\r\n"
		 "Content-Length: 314572800\r\nExpect: 100-continue\r\n\r\n",
		 "401"},
	};
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		int fd = raw_connect();
		cr_assert_eq(send_all(fd, reqs[i][0], strlen(reqs[i][0])), 0);
		char head[8192];
		int status = read_response(fd, head, sizeof head);
		cr_expect_eq(status, atoi(reqs[i][1]), "request %zu: %s", i, head);
		close(fd);
	}
	char tmp[400];
	snprintf(tmp, sizeof tmp, "%s/tmp", S.dir);
	cr_expect_eq(dir_bytes(tmp), 0);
}

/* ---- an anonymous 300 MB upload ---- */

typedef struct upload_run {
	long long size, produced;
	const char *expect; /* the Expect header to send */
	long status;
	_Atomic int done;
} upload_run;

static size_t zeros(char *buf, size_t sz, size_t n, void *ud)
{
	upload_run *u = ud;
	size_t want = sz * n;
	if ((long long)want > u->size - u->produced)
		want = (size_t)(u->size - u->produced);
	memset(buf, '\n', want);
	u->produced += (long long)want;
	return want;
}

static size_t discard(char *p, size_t sz, size_t n, void *ud) { return sz * n; }

static void *upload_thread(void *arg)
{
	upload_run *u = arg;
	CURL *c = curl_easy_init();
	char url[256];
	snprintf(url, sizeof url, "%s/api/v1/projects/1/tasks", S.url);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-ndjson");
	h = curl_slist_append(h, u->expect);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, zeros);
	curl_easy_setopt(c, CURLOPT_READDATA, u);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->size);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &u->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	u->done = 1;
	return NULL;
}

/* Sends 300 MB anonymously; the most bytes DATA/tmp held meanwhile. */
static long long anonymous_upload(upload_run *u)
{
	char tmp[400];
	snprintf(tmp, sizeof tmp, "%s/tmp", S.dir);
	pthread_t t;
	cr_assert(pthread_create(&t, NULL, upload_thread, u) == 0);
	long long peak = 0;
	while (!u->done) {
		long long b = dir_bytes(tmp);
		peak = b > peak ? b : peak;
		usleep(2000);
	}
	pthread_join(t, NULL);
	long long b = dir_bytes(tmp);
	return b > peak ? b : peak;
}

Test(security, anonymous_upload_never_reaches_the_disk)
{
	upload_run plain = {.size = 300LL * 1000 * 1000, .expect = "Expect:"};
	long long peak = anonymous_upload(&plain);
	cr_expect_eq(plain.status, 401);
	cr_expect_lt(peak, 1000 * 1000, "DATA/tmp held %lld bytes of an anonymous upload", peak);
	/* asking first, the client sends nothing at all */
	upload_run asking = {.size = 300LL * 1000 * 1000, .expect = "Expect: 100-continue"};
	peak = anonymous_upload(&asking);
	cr_expect_eq(asking.status, 401);
	cr_expect_eq(asking.produced, 0, "%lld bytes sent after asking", asking.produced);
	cr_expect_eq(peak, 0);
}

/* ---- a full disk ---- */

Test(security, full_disk_is_507_not_413)
{
	long long pid =
		project_create(&S, S.req, json_pack("{s:s,s:s}", "title", "Disk", "label_config", SENTIMENT_CONFIG));
	/* RLIMIT_FSIZE on the server: a write past 6 MiB fails with EFBIG, as
	 * one on a full disk fails with ENOSPC (no root or mount needed). Only
	 * the soft limit moves: raising a hard limit back needs CAP_SYS_RESOURCE. */
	struct rlimit was, small;
	/* 10 MiB is written in line; 20 MiB through the piped, O_DIRECT spool */
	for (size_t n = 10 * MIB; n <= 20 * MIB; n += 10 * MIB) {
		cr_assert(prlimit(S.pid, RLIMIT_FSIZE, NULL, &was) == 0, "prlimit: %s", strerror(errno));
		small = was;
		small.rlim_cur = 6 * MIB;
		cr_assert(prlimit(S.pid, RLIMIT_FSIZE, &small, NULL) == 0, "prlimit: %s", strerror(errno));
		char *body = malloc(n);
		const char line[] = "{\"text\":\"a line of text to label\"}\n";
		for (size_t i = 0; i < n; i++)
			body[i] = line[i % (sizeof line - 1)];
		char path[96];
		snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
		res r = http_or_dead(&S, "POST", path, S.req, "application/x-ndjson", body, n, NULL);
		free(body);
		cr_assert(prlimit(S.pid, RLIMIT_FSIZE, &was, NULL) == 0, "prlimit: %s", strerror(errno));
		cr_expect_eq(r.status, 507, "%s", r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), "insufficient_storage");
		res_free(&r);
		r = api(&S, "GET", "/healthz", NULL, NULL);
		cr_expect_eq(r.status, 200);
		res_free(&r);
		char tmp[400];
		snprintf(tmp, sizeof tmp, "%s/tmp", S.dir);
		cr_expect_eq(dir_bytes(tmp), 0, "the failed upload's spool file is gone");
	}
	project_import(&S, pid, S.req, "{\"text\":\"with room again\"}\n");
}

Test(security, temporary_files_of_a_crash_are_removed_at_start)
{
	char a[400], b[400], keep[400];
	snprintf(b, sizeof b, "%s/blobs", S.dir);
	mkdir(b, 0755);
	snprintf(b, sizeof b, "%s/blobs/tmp", S.dir);
	mkdir(b, 0755);
	snprintf(a, sizeof a, "%s/tmp/upload-crashed", S.dir);
	snprintf(b, sizeof b, "%s/blobs/tmp/blob-crashed", S.dir);
	snprintf(keep, sizeof keep, "%s/tmp/not-ours", S.dir);
	const char *files[] = {a, b, keep};
	for (int i = 0; i < 3; i++) {
		FILE *f = fopen(files[i], "w");
		cr_assert(f, "%s: %s", files[i], strerror(errno));
		fputs("half an upload", f);
		fclose(f);
	}
	srv_restart(&S, SIGKILL);
	cr_expect_neq(access(a, F_OK), 0, "%s survived the restart", a);
	cr_expect_neq(access(b, F_OK), 0, "%s survived the restart", b);
	cr_expect_eq(access(keep, F_OK), 0, "only the server's own temporary files are removed");
}

/* ---- sign-in throttling ---- */

static long login_from(const char *ip, const char *email, const char *password)
{
	http_source(ip);
	res r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", email, "password", password);
	http_source(NULL);
	long status = r.status;
	res_free(&r);
	return status;
}

/* The slot of the old 1024-entry throttle table: the first 8 hex digits
 * of BLAKE2b(email) modulo 1024. */
static unsigned old_slot(const char *email)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)email, strlen(email), NULL, 0);
	return (unsigned)(((uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]) % 1024);
}

Test(security, failures_on_another_email_do_not_reset_a_victims_count)
{
	char tok[64], other[64] = {0};
	make_user(&S, "victim@test.local", "contributor", tok);
	/* an email that shared the victim's slot in the old table */
	for (int i = 0; !other[0] && i < 100000; i++) {
		char e[64];
		snprintf(e, sizeof e, "other%d@test.local", i);
		if (old_slot(e) == old_slot("victim@test.local"))
			snprintf(other, sizeof other, "%s", e);
	}
	cr_assert(other[0]);
	for (int i = 1; i <= 20; i++) {
		long st = login_from("127.0.0.2", "victim@test.local", "guess-guess-guess");
		cr_expect_eq(st, i <= 5 ? 401 : 429, "guess %d: %ld", i, st);
		login_from("127.0.0.2", other, "guess-guess-guess");
	}
	cr_expect_eq(login_from("127.0.0.2", "victim@test.local", "password-123"), 429);
}

Test(security, failures_from_one_address_do_not_lock_out_another)
{
	char tok[64];
	make_user(&S, "victim@test.local", "contributor", tok); /* signs in from 127.0.0.1 */
	for (int i = 1; i <= 6; i++)
		cr_expect_eq(login_from("127.0.0.2", "victim@test.local", "guess-guess-guess"), i <= 5 ? 401 : 429);
	cr_expect_eq(login_from("127.0.0.3", "victim@test.local", "password-123"), 200, "another address signs in");
	/* 20 failures from many addresses (5 above, 15 here) close the account
	 * to new addresses, but not to those it signed in from */
	for (int a = 4; a <= 6; a++) {
		char ip[32];
		snprintf(ip, sizeof ip, "127.0.0.%d", a);
		for (int i = 0; i < 5; i++)
			cr_expect_eq(login_from(ip, "victim@test.local", "guess-guess-guess"), 401);
	}
	cr_expect_eq(login_from("127.0.0.8", "victim@test.local", "password-123"), 429, "a new address waits");
	cr_expect_eq(login_from("127.0.0.3", "victim@test.local", "password-123"), 200, "a known address does not");
	cr_expect_eq(login_from("127.0.0.1", "victim@test.local", "password-123"), 200);
	/* one address guessing many accounts is stopped too */
	int limited = 0;
	for (int i = 0; i < 31 && !limited; i++) {
		char e[64];
		snprintf(e, sizeof e, "nobody%d@test.local", i);
		limited = login_from("127.0.0.9", e, "guess-guess-guess") == 429;
	}
	cr_expect(limited, "31 accounts guessed from one address without a 429");
	/* the window ends */
	set_clock(&S, "2099-01-01T00:00:00Z");
	cr_expect_eq(login_from("127.0.0.8", "victim@test.local", "password-123"), 200);
}

/* ---- API tokens ---- */

/* POST /api/v1/tokens as token with body; the response. */
static res token_create(const char *token, const char *body)
{
	return http(&S, "POST", "/api/v1/tokens", token, "application/json", body, strlen(body), NULL);
}

/* Creates a token as S.c[0] with body (wants 201); its id, the secret in secret. */
static long long new_token(const char *body, char secret[64])
{
	res r = token_create(S.c[0], body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long id = jint(r.json, "id");
	snprintf(secret, 64, "%s", jstr(r.json, "token"));
	res_free(&r);
	return id;
}

/* GET /api/v1/me as token answers want. */
static void me_is(const char *token, long want, const char *why)
{
	res r = api(&S, "GET", "/api/v1/me", token, NULL);
	cr_expect_eq(r.status, want, "%s: %s", why, r.body);
	res_free(&r);
}

static json_t *token_item(json_t *list, long long id)
{
	size_t i;
	json_t *v;
	json_array_foreach(jget(list, "items"), i, v)
		if (jint(v, "id") == id)
			return v;
	return NULL;
}

Test(security, tokens_are_listed_and_revoked_by_their_owner_only)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	char secret[64];
	long long id = new_token("{\"name\":\"ci\",\"expires_in_days\":30}", secret);
	me_is(secret, 200, "fresh");
	res r = api(&S, "GET", "/api/v1/tokens", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 2, "the suite's token and ci: %s", r.body);
	json_t *it = token_item(r.json, id);
	cr_assert(it, "%s", r.body);
	cr_expect_str_eq(jstr(it, "name"), "ci");
	cr_expect_str_eq(jstr(it, "created_at"), "2030-01-01T00:00:00Z");
	cr_expect_str_eq(jstr(it, "last_used_at"), "2030-01-01T00:00:00Z");
	cr_expect_str_eq(jstr(it, "expires_at"), "2030-01-31T00:00:00Z");
	cr_expect(!strstr(r.body, secret) && !strstr(r.body, "\"token\""), "no secret in the list: %s", r.body);
	res_free(&r);
	/* another user neither sees nor revokes it */
	r = api(&S, "GET", "/api/v1/tokens", S.c[1], NULL);
	cr_expect_null(token_item(r.json, id), "%s", r.body);
	res_free(&r);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/tokens/%lld", id);
	r = api(&S, "DELETE", path, S.c[1], NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	me_is(secret, 200, "still valid");
	r = api(&S, "DELETE", path, S.c[0], NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	me_is(secret, 401, "revoked at once, though its answer was cached");
	r = api(&S, "DELETE", path, S.c[0], NULL);
	cr_expect_eq(r.status, 404, "revoked twice");
	res_free(&r);
	r = api(&S, "DELETE", "/api/v1/tokens/abc", S.c[0], NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/tokens", NULL, NULL);
	cr_expect_eq(r.status, 401);
	res_free(&r);
	const char *bad[] = {"{\"name\":\"x\",\"expires_in_days\":0}", "{\"name\":\"x\",\"expires_in_days\":3651}",
			     "{\"name\":\"x\",\"expires_in_days\":\"7\"}", "{\"name\":\"x\",\"expires_in_days\":1.5}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = token_create(S.c[0], bad[i]);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), "expires_in_days", "%s", r.body);
		res_free(&r);
	}
}

Test(security, expired_tokens_are_refused)
{
	set_clock(&S, "2030-01-01T00:00:00Z");
	char secret[64];
	new_token("{\"name\":\"short\",\"expires_in_days\":1}", secret);
	me_is(secret, 200, "fresh");
	set_clock(&S, "2030-01-02T00:00:01Z");
	me_is(secret, 401, "expired, though its answer was cached");
	me_is(S.c[0], 200, "a token without expires_at goes on");
}

Test(security, logout_with_a_bearer_token_revokes_it)
{
	char secret[64];
	new_token("{\"name\":\"script\"}", secret);
	me_is(secret, 200, "fresh");
	res r = api(&S, "POST", "/api/v1/auth/logout", secret, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	me_is(secret, 401, "signed out");
	me_is(S.c[0], 200, "other tokens of the user stay");
}

/* ---- disabled accounts ---- */

static res patch_user(const char *token, long long id, const char *body)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld", id);
	return http(&S, "PATCH", path, token, "application/json", body, strlen(body), NULL);
}

Test(security, a_disabled_account_is_shut_out_at_once)
{
	char tok[64];
	make_user(&S, "leaver@test.local", "requester", tok);
	long long id = user_id(&S, tok); /* the token's answer is now cached */
	char ck[300], csrf[128];
	login_cookie(&S, "leaver@test.local", "password-123", ck, csrf);
	const char *with_cookie[] = {ck, NULL};

	res r = patch_user(S.c[0], id, "{\"disabled\":true}");
	cr_expect_eq(r.status, 403, "only admins");
	res_free(&r);
	r = patch_user(S.admin_token, id, "{\"disabled\":\"yes\"}");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = patch_user(S.admin_token, id, "{}");
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = patch_user(S.admin_token, user_id(&S, S.admin_token), "{\"disabled\":true}");
	cr_expect_eq(r.status, 409, "an admin does not lock themselves out: %s", r.body);
	res_free(&r);
	r = patch_user(S.admin_token, 999999, "{\"disabled\":true}");
	cr_expect_eq(r.status, 404);
	res_free(&r);

	r = patch_user(S.admin_token, id, "{\"disabled\":true}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "disabled")), "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "roles.0"), "requester", "roles unchanged");
	res_free(&r);
	me_is(tok, 401, "the token stops at once");
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, with_cookie);
	cr_expect_eq(r.status, 401, "the session stops at once");
	res_free(&r);
	cr_expect_eq(login_from("127.0.0.1", "leaver@test.local", "password-123"), 403);
	cr_expect_eq(login_from("127.0.0.1", "leaver@test.local", "wrong-password"), 401);

	r = patch_user(S.admin_token, id, "{\"disabled\":false}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_false(jget(r.json, "disabled")));
	res_free(&r);
	me_is(tok, 200, "tokens work again once enabled");
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, with_cookie);
	cr_expect_eq(r.status, 401, "sessions do not: they were deleted");
	res_free(&r);
	cr_expect_eq(login_from("127.0.0.1", "leaver@test.local", "password-123"), 200);
}

/* Task data nested 2,000 levels deep used to be stored and then broke the
 * JSON readers of everyone downstream: more than 64 levels is refused with
 * the line, and nothing of the import is kept. */
Test(security, deeply_nested_task_data_is_refused)
{
	long long pid =
		project_create(&S, S.req, json_pack("{s:s,s:s}", "title", "Deep", "label_config", SENTIMENT_CONFIG));
	static char body[16384];
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	/* line 1 fine; line 2: {"text":"x","n":[[[…]]]} with 2,000 arrays */
	size_t n = (size_t)snprintf(body, sizeof body, "{\"text\":\"fine\"}\n{\"text\":\"x\",\"n\":");
	for (int i = 0; i < 2000; i++)
		body[n++] = '[';
	for (int i = 0; i < 2000; i++)
		body[n++] = ']';
	n += (size_t)snprintf(body + n, sizeof body - n, "}\n");
	res r = http(&S, "POST", path, S.req, "application/x-ndjson", body, n, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code") ? jstr(r.json, "error.code") : "", "too_deep", "%s", r.body);
	cr_expect(strstr(r.body, "line 2"), "the line is named: %s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_expect_eq(jint(r.json, "task_count"), 0, "all or nothing: %s", r.body);
	res_free(&r);
	/* 60 levels is data, not an attack */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	n = (size_t)snprintf(body, sizeof body, "{\"text\":\"x\",\"n\":");
	for (int i = 0; i < 60; i++)
		body[n++] = '[';
	for (int i = 0; i < 60; i++)
		body[n++] = ']';
	n += (size_t)snprintf(body + n, sizeof body - n, "}\n");
	r = http(&S, "POST", path, S.req, "application/x-ndjson", body, n, NULL);
	cr_expect_eq(r.status, 201, "%s", r.body);
	res_free(&r);
}
