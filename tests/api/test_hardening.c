/* Issue #19, second part: /metrics behind a token, Secure cookies behind a
 * TLS proxy (and its X-Forwarded-For as the client's address), one client
 * address that cannot take every connection, per-user upload quotas and the
 * expiry of abandoned resumable uploads. One server, configured as a
 * deployment behind a proxy at 127.0.0.1 would be. */
#include "harness.h"
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define METRICS_TOKEN "metrics-secret-0123456789"
#define MAX_CONNS 128
#define PER_ADDRESS 32

static srv S;
#define QUOTA (10 * 1024 * 1024)
static const char *const ENV[] = {"FAIRCROWD_METRICS_TOKEN=" METRICS_TOKEN, "FAIRCROWD_TRUST_PROXY=127.0.0.1",
				  "FAIRCROWD_MAX_CONNECTIONS=128",          "FAIRCROWD_PER_ADDRESS_CONNECTIONS=32",
				  "FAIRCROWD_UPLOAD_QUOTA=10485760",        NULL};
static void up(void) { suite_with_users_env(&S, ENV, 1); }
static void down(void)
{
	http_source(NULL);
	srv_stop(&S);
}
TestSuite(hardening, .init = up, .fini = down, .timeout = 180);

Test(hardening, metrics_answer_only_the_metrics_token_or_an_admin)
{
	const struct {
		const char *token, *who;
		long want;
	} cases[] = {{NULL, "anonymous", 401},          {"not-the-metrics-token", "a wrong token", 401},
		     {S.c[0], "a contributor", 403},    {S.req, "a requester", 403},
		     {METRICS_TOKEN, "the token", 200}, {S.admin_token, "an admin", 200}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		res r = api(&S, "GET", "/metrics", cases[i].token, NULL);
		cr_expect_eq(r.status, cases[i].want, "%s: %ld %s", cases[i].who, r.status, r.body);
		if (r.status == 200)
			cr_expect(r.body && strstr(r.body, "faircrowd_uptime_seconds"));
		res_free(&r);
	}
}

/* The Set-Cookie of a password sign-in sent from ip with extra headers. */
static long sign_in(const char *ip, const char *email, const char *password, const char *const *extra, char cookie[512])
{
	char body[256];
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	http_source(ip);
	res r = http(&S, "POST", "/api/v1/auth/login", NULL, "application/json", body, strlen(body), extra);
	http_source(NULL);
	cookie[0] = 0;
	res_header(&r, "Set-Cookie", cookie, 512);
	long st = r.status;
	res_free(&r);
	return st;
}

Test(hardening, session_cookie_is_secure_when_the_trusted_proxy_says_https)
{
	char cookie[512];
	const char *https[] = {"X-Forwarded-Proto: https", NULL}, *http_[] = {"X-Forwarded-Proto: http", NULL};
	cr_assert_eq(sign_in(NULL, "c1@test.local", "password-123", https, cookie), 200);
	cr_expect(strstr(cookie, "; Secure"), "TLS at the trusted proxy: %s", cookie);
	cr_expect(strstr(cookie, "HttpOnly") && strstr(cookie, "SameSite=Lax"), "%s", cookie);
	cr_assert_eq(sign_in(NULL, "c1@test.local", "password-123", http_, cookie), 200);
	cr_expect_null(strstr(cookie, "Secure"), "plain http at the proxy: %s", cookie);
	cr_assert_eq(sign_in(NULL, "c1@test.local", "password-123", NULL, cookie), 200);
	cr_expect_null(strstr(cookie, "Secure"), "no header: %s", cookie);
	/* anyone else saying https is not believed */
	cr_assert_eq(sign_in("127.0.0.2", "c1@test.local", "password-123", https, cookie), 200);
	cr_expect_null(strstr(cookie, "Secure"), "not the trusted proxy: %s", cookie);
}

/* Behind the proxy the throttle sees the client's address (the last entry of
 * X-Forwarded-For), so one client's guesses do not lock out the others who
 * share the proxy; from anyone else the header is ignored. */
Test(hardening, forwarded_for_from_the_trusted_proxy_is_the_throttled_address)
{
	char tok[64], cookie[512];
	make_user(&S, "victim@test.local", "contributor", tok);
	const char *guesser[] = {"X-Forwarded-For: 10.9.9.9, 10.0.0.1", NULL};
	const char *other[] = {"X-Forwarded-For: 10.9.9.9, 10.0.0.2", NULL};
	for (int i = 1; i <= 6; i++)
		cr_expect_eq(sign_in(NULL, "victim@test.local", "guess-guess-guess", guesser, cookie),
			     i <= 5 ? 401 : 429, "guess %d", i);
	cr_expect_eq(sign_in(NULL, "victim@test.local", "password-123", other, cookie), 200,
		     "another client behind the same proxy signs in");
	/* a client that is not the proxy cannot choose its address: its five
	 * guesses count against 127.0.0.2 whatever header it sends */
	for (int i = 1; i <= 6; i++) {
		char h[64];
		snprintf(h, sizeof h, "X-Forwarded-For: 10.1.1.%d", i);
		const char *rotating[] = {h, NULL};
		cr_expect_eq(sign_in("127.0.0.2", "victim@test.local", "guess-guess-guess", rotating, cookie),
			     i <= 5 ? 401 : 429, "guess %d from 127.0.0.2", i);
	}
}

/* A socket connected from local address ip; -1 when the connection failed. */
static int connect_from(const char *ip)
{
	unsigned port = 0;
	cr_assert(sscanf(S.url, "http://127.0.0.1:%u", &port) == 1, "%s", S.url);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in src = {.sin_family = AF_INET}, sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, ip, &src.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	cr_assert(bind(fd, (struct sockaddr *)&src, sizeof src) == 0, "bind %s: %s", ip, strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the server closed fd (reads end of file or a reset) within ms. */
static int closed_by_server(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) <= 0)
		return 0;
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

Test(hardening, one_address_cannot_starve_another)
{
	/* 127.0.0.2 opens as many idle connections as the whole server allows */
	int fds[MAX_CONNS], open_ = 0;
	for (int i = 0; i < MAX_CONNS; i++)
		fds[i] = connect_from("127.0.0.2");
	for (int i = 0; i < MAX_CONNS; i++)
		if (fds[i] >= 0 && !closed_by_server(fds[i], i == 0 ? 500 : 20))
			open_++;
	cr_expect_leq(open_, PER_ADDRESS, "127.0.0.2 holds %d connections", open_);
	cr_expect_geq(open_, 1);
	/* 127.0.0.3 is still answered */
	http_source("127.0.0.3");
	for (int i = 0; i < 5; i++) {
		res r = api(&S, "GET", "/api/v1/me", S.c[0], NULL);
		cr_expect_eq(r.status, 200, "request %d from 127.0.0.3: %ld", i, r.status);
		res_free(&r);
	}
	http_source(NULL);
	/* ... while 127.0.0.2 still holds its connections (without the limit
	 * 127.0.0.3 was answered only once the idle timeout had closed them) */
	int still = 0;
	for (int i = 0; i < MAX_CONNS; i++)
		if (fds[i] >= 0) {
			still += !closed_by_server(fds[i], 0);
			close(fds[i]);
		}
	cr_expect_eq(still, open_, "127.0.0.3 was answered only after 127.0.0.2 lost its connections");
}

/* ---- upload quotas ---- */

/* POST /api/v1/uploads of length bytes as token; the status, the id into id. */
static long tus_create(const char *token, long long length, char id[64])
{
	char len[64];
	snprintf(len, sizeof len, "Upload-Length: %lld", length);
	const char *h[] = {"Tus-Resumable: 1.0.0", len, NULL};
	res r = http(&S, "POST", "/api/v1/uploads", token, NULL, NULL, 0, h);
	if (id)
		snprintf(id, 64, "%s", r.json && jstr(r.json, "id") ? jstr(r.json, "id") : "");
	if (r.status == 413)
		cr_expect_str_eq(jstr(r.json, "error.code"), "quota_exceeded", "%s", r.body);
	long st = r.status;
	res_free(&r);
	return st;
}

static long tus(const char *method, const char *id, const char *token, const char *body, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/uploads/%s", id);
	const char *h[] = {"Tus-Resumable: 1.0.0", "Upload-Offset: 0", NULL};
	res r = http(&S, method, path, token, body ? "application/offset+octet-stream" : NULL, body, len, h);
	long st = r.status;
	res_free(&r);
	return st;
}

Test(hardening, resumable_uploads_are_limited_per_user)
{
	char a[64], b[64];
	cr_assert_eq(tus_create(S.c[0], QUOTA - 1024 * 1024, a), 201);
	cr_expect_eq(tus_create(S.c[0], 2 * 1024 * 1024, NULL), 413, "declared bytes past the quota");
	cr_expect_eq(tus_create(S.req, 2 * 1024 * 1024, b), 201, "another user has a quota of their own");
	cr_assert_eq(tus("DELETE", a, S.c[0], NULL, 0), 204);
	cr_expect_eq(tus_create(S.c[0], 2 * 1024 * 1024, NULL), 201, "room again once one is deleted");
	/* and a count: many small ones */
	int created = 1;
	while (created < 40 && tus_create(S.c[0], 1, NULL) == 201)
		created++;
	cr_expect_eq(created, 20, "open uploads per user");
}

/* Sends a request's head (Content-Length len, Expect: 100-continue) as
 * token from a raw socket; the status the server answers first (100 when
 * it waits for the body) and the socket, left open, into *fd. */
static int spooled_head(const char *token, long long len, int *fd)
{
	*fd = connect_from("127.0.0.1");
	cr_assert(*fd >= 0);
	char req[512], head[4096] = {0};
	snprintf(req, sizeof req,
		 "POST /api/v1/projects/1/tasks HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/x-ndjson\r\nContent-Length: %lld\r\nExpect: 100-continue\r\n\r\n",
		 token, len);
	cr_assert_eq(send(*fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	size_t got = 0;
	while (got < sizeof head - 1 && !strstr(head, "\r\n")) {
		ssize_t k = recv(*fd, head + got, sizeof head - 1 - got, 0);
		if (k <= 0)
			return -1;
		got += (size_t)k;
		head[got] = 0;
	}
	int status = 0;
	sscanf(head, "HTTP/1.%*d %d", &status);
	return status;
}

Test(hardening, spooled_bodies_in_flight_are_limited_per_user)
{
	int held, second, third;
	cr_assert_eq(spooled_head(S.req, QUOTA - 1024 * 1024, &held), 100, "the first upload may send its body");
	int st = spooled_head(S.req, 2 * 1024 * 1024, &second);
	cr_expect_eq(st, 429, "the same user past the quota: %d", st);
	close(second);
	cr_expect_eq(spooled_head(S.c[0], 2 * 1024 * 1024, &third), 100, "another user is not held back");
	close(third);
	close(held);
	/* the quota comes back once the first request is gone */
	int status = 0;
	for (int i = 0; i < 100 && status != 100; i++) {
		status = spooled_head(S.req, 2 * 1024 * 1024, &second);
		close(second);
		if (status != 100)
			usleep(20000);
	}
	cr_expect_eq(status, 100);
}

/* ---- abandoned resumable uploads ---- */

static int upload_files(void)
{
	char dir[400];
	snprintf(dir, sizeof dir, "%s/uploads", S.dir);
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* How many stored pieces (upload_parts) an upload has, from the database. */
static long long parts_of(const char *id)
{
	char cmd[1024], out[64] = "";
	if (*S.database)
		snprintf(cmd, sizeof cmd, "psql '%s' -Atc \"SELECT COUNT(*) FROM upload_parts WHERE upload_id='%s'\"",
			 S.database, id);
	else
		snprintf(cmd, sizeof cmd,
			 "sqlite3 %s/faircrowd.db \"SELECT COUNT(*) FROM upload_parts WHERE upload_id='%s'\"", S.dir, id);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	if (!fgets(out, sizeof out, p))
		out[0] = 0;
	pclose(p);
	return atoll(out);
}

Test(hardening, abandoned_resumable_uploads_expire_and_stray_files_go_at_start)
{
	set_clock(&S, "2031-01-01T00:00:00Z");
	char idle[64], busy[64];
	cr_assert_eq(tus_create(S.c[0], 4096, idle), 201);
	cr_assert_eq(tus_create(S.c[0], 4096, busy), 201);
	cr_assert_eq(tus("PATCH", idle, S.c[0], "abc", 3), 204);
	cr_assert_eq(parts_of(idle), 1);
	set_clock(&S, "2031-01-01T20:00:00Z");
	cr_assert_eq(tus("PATCH", busy, S.c[0], "0123456789", 10), 204, "bytes keep an upload alive");
	set_clock(&S, "2031-01-02T01:00:00Z");
	cr_expect_eq(tus("HEAD", idle, S.c[0], NULL, 0), 404, "idle for a day: gone");
	cr_expect_eq(tus("HEAD", busy, S.c[0], NULL, 0), 200);
	cr_expect_eq(parts_of(idle), 0, "the expired upload's bytes are removed");
	cr_expect_eq(parts_of(busy), 1);
	/* the bytes of uploads in progress live in the database (many servers
	 * share them): files appear only when an upload is attached */
	cr_expect_eq(upload_files(), 0);
	/* a file no upload names (a crash between the file and its row) goes at start */
	char stray[512];
	snprintf(stray, sizeof stray, "%s/uploads", S.dir);
	mkdir(stray, 0700);
	snprintf(stray, sizeof stray, "%s/uploads/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", S.dir);
	FILE *f = fopen(stray, "w");
	cr_assert(f);
	fputs("left behind", f);
	fclose(f);
	srv_restart(&S, SIGKILL);
	cr_expect_eq(upload_files(), 0, "the stray file is swept");
	cr_expect_eq(tus("HEAD", busy, S.c[0], NULL, 0), 200);
}

/* ---- a sign-in flood ---- */

#define FLOODERS 12
#define FLOOD_EACH 4

typedef struct flood {
	int n;
	long status[FLOOD_EACH];
	int busy; /* 429 too_many_requests: the address had its share */
} flood;

static void *flood_thread(void *arg)
{
	flood *f = arg;
	http_source("127.0.0.2");
	for (int i = 0; i < FLOOD_EACH; i++) {
		char email[64];
		snprintf(email, sizeof email, "nobody%d-%d@test.local", f->n, i);
		char body[160];
		snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"guess-guess-guess\"}", email);
		/* no assertion in this thread: a refused connection is status 0 */
		res r = http_or_dead(&S, "POST", "/api/v1/auth/login", NULL, "application/json", body, strlen(body),
				     NULL);
		f->status[i] = r.status;
		f->busy += r.status == 429 && r.json && !strcmp(jstr(r.json, "error.code"), "too_many_requests");
		res_free(&r);
	}
	return NULL;
}

/* Password hashing runs on a few workers with a share per address: while
 * one address floods the sign-in, another is answered (every request, and
 * its own sign-in), and the flood is refused with 429s rather than queued. */
Test(hardening, a_sign_in_flood_from_one_address_does_not_hold_up_another)
{
	pthread_t th[FLOODERS];
	flood f[FLOODERS] = {0};
	for (int i = 0; i < FLOODERS; i++) {
		f[i].n = i;
		cr_assert(pthread_create(&th[i], NULL, flood_thread, &f[i]) == 0);
	}
	http_source("127.0.0.3");
	for (int i = 0; i < 10; i++) {
		res r = api(&S, "GET", "/api/v1/me", S.c[0], NULL);
		cr_expect_eq(r.status, 200, "GET /me %d during the flood: %ld", i, r.status);
		res_free(&r);
	}
	char cookie[512];
	cr_expect_eq(sign_in("127.0.0.3", "c1@test.local", "password-123", NULL, cookie), 200,
		     "a sign-in from another address");
	int busy = 0;
	for (int i = 0; i < FLOODERS; i++) {
		pthread_join(th[i], NULL);
		busy += f[i].busy;
		for (int k = 0; k < FLOOD_EACH; k++)
			cr_expect(f[i].status[k] == 401 || f[i].status[k] == 429, "flood %d.%d: %ld", i, k,
				  f[i].status[k]);
	}
	cr_expect_gt(busy, 0, "12 sign-ins at once from one address were all queued");
}
