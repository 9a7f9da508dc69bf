#include "harness.h"
#include "../common/pgdb.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	res *r = ud;
	size_t add = sz * n;
	char *nb = realloc(r->body, r->len + add + 1);
	if (!nb)
		return 0;
	memcpy(nb + r->len, p, add);
	r->body = nb;
	r->len += add;
	r->body[r->len] = 0;
	return add;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	res *r = ud;
	size_t add = sz * n, have = strlen(r->headers);
	if (have + add < sizeof r->headers - 1) {
		memcpy(r->headers + have, p, add);
		r->headers[have + add] = 0;
	}
	return add;
}

/* Set while http_or_dead runs: a failed connection is an answer (status 0). */
static _Thread_local int allow_dead;
/* Set by http_source: the local address this thread's requests come from. */
static _Thread_local char source_ip[64];

void http_source(const char *ip) { snprintf(source_ip, sizeof source_ip, "%s", ip ? ip : ""); }

res http(srv *s, const char *method, const char *path, const char *token, const char *ctype, const char *body,
	 size_t len, const char *const *extra)
{
	res r = {0};
	CURL *c = curl_easy_init();
	cr_assert(c);
	char url[1024], hdr[256];
	snprintf(url, sizeof url, "%s%s", s->url, path);
	struct curl_slist *h = NULL;
	if (token) {
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, hdr);
	}
	if (ctype) {
		snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype);
		h = curl_slist_append(h, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	h = curl_slist_append(h, "Expect:");
	for (int i = 0; extra && extra[i]; i++)
		h = curl_slist_append(h, extra[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (source_ip[0]) {
		char iface[80];
		snprintf(iface, sizeof iface, "host!%s", source_ip);
		curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	CURLcode rc = curl_easy_perform(c);
	if (!allow_dead)
		cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (!r.body) {
		r.body = calloc(1, 1);
	}
	r.json = json_loadb(r.body, r.len, JSON_DECODE_ANY, NULL);
	return r;
}

res api(srv *s, const char *method, const char *path, const char *token, const char *fmt, ...)
{
	if (!fmt)
		return http(s, method, path, token, NULL, NULL, 0, NULL);
	va_list ap;
	va_start(ap, fmt);
	json_error_t je;
	json_t *j = json_vpack_ex(&je, 0, fmt, ap);
	va_end(ap);
	cr_assert(j, "json_pack: %s", je.text);
	char *txt = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	res r = http(s, method, path, token, "application/json", txt, strlen(txt), NULL);
	free(txt);
	return r;
}

void res_free(res *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

json_t *jget(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j)) {
			char *end;
			long i = strtol(tok, &end, 10);
			j = *end ? NULL : json_array_get(j, (size_t)i);
		} else {
			j = json_object_get(j, tok);
		}
	}
	return j;
}

const char *jstr(json_t *j, const char *path) { return json_string_value(jget(j, path)); }

long long jint(json_t *j, const char *path)
{
	json_t *v = jget(j, path);
	cr_assert(json_is_integer(v), "%s is not an integer", path);
	return (long long)json_integer_value(v);
}

const char *res_header(const res *r, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = r->headers; *p;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if (!strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			size_t len = (size_t)(eol - v);
			if (len >= n)
				len = n - 1;
			memcpy(buf, v, len);
			buf[len] = 0;
			return buf;
		}
		p = eol + 2;
	}
	return NULL;
}

void login_cookie(srv *s, const char *email, const char *password, char cookie[300], char csrf[128])
{
	res r = api(s, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", email, "password", password);
	cr_assert_eq(r.status, 200, "login %s: %s", email, r.body);
	char set[256];
	cr_assert(res_header(&r, "Set-Cookie", set, sizeof set));
	set[strcspn(set, ";")] = 0;
	snprintf(csrf, 128, "X-CSRF-Token: %s", jstr(r.json, "csrf_token"));
	snprintf(cookie, 300, "Cookie: %s", set);
	res_free(&r);
}

/* Signs in with a password and trades the session for an API token named
 * name: the token, copied into out. */
static void login_token(srv *s, const char *email, const char *password, const char *name, char out[64])
{
	char hdr[300], csrf[128];
	login_cookie(s, email, password, hdr, csrf);
	const char *extra[] = {hdr, csrf, NULL};
	char body[128];
	snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
	res r = http(s, "POST", "/api/v1/tokens", NULL, "application/json", body, strlen(body), extra);
	cr_assert_eq(r.status, 201, "token for %s: %s", email, r.body);
	snprintf(out, 64, "%s", jstr(r.json, "token"));
	res_free(&r);
}

static void admin_token(srv *s) { login_token(s, "admin@test.local", "admin-password-1", "tests", s->admin_token); }

static void spawn(srv *s);

void srv_start(srv *s) { srv_start_env(s, NULL); }

void srv_start_env(srv *s, const char *const *env)
{
	memset(s, 0, sizeof *s);
	s->env = env;
	snprintf(s->dir, sizeof s->dir, "/tmp/fc-test-XXXXXX");
	cr_assert(mkdtemp(s->dir));
	cr_assert_eq(pgdb_create(s->database, sizeof s->database), 0, "cannot create a test database");
	if (*s->database)
		setenv("FAIRCROWD_DATABASE", s->database, 1);
	spawn(s);
	admin_token(s);
}

void srv_start_shared(srv *s, const srv *first)
{
	memset(s, 0, sizeof *s);
	s->env = first->env;
	s->shared = 1;
	snprintf(s->database, sizeof s->database, "%s", first->database);
	snprintf(s->admin_token, sizeof s->admin_token, "%s", first->admin_token);
	snprintf(s->dir, sizeof s->dir, "/tmp/fc-test-XXXXXX");
	cr_assert(mkdtemp(s->dir));
	spawn(s);
}

void srv_restart(srv *s, int sig)
{
	kill(s->pid, sig);
	int st = 0;
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	spawn(s);
}

static void spawn(srv *s)
{
	const char *bin = getenv("FC_BINARY");
	cr_assert(bin, "FC_BINARY must point at the faircrowd binary");
	int out[2];
	cr_assert(pipe(out) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		char log[300];
		snprintf(log, sizeof log, "%s/server.log", s->dir);
		FILE *lf = freopen(log, "a", stderr);
		(void)lf;
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		setenv("FAIRCROWD_ADMIN_EMAIL", "admin@test.local", 1);
		setenv("FAIRCROWD_ADMIN_PASSWORD", "admin-password-1", 1);
		/* media on the data folder (suites that share a database between
		 * servers copy nothing through it; test_s3 sets S3 up) */
		setenv("FAIRCROWD_ALLOW_LOCAL_MEDIA", "1", 1);
		for (int i = 0; s->env && s->env[i]; i++)
			putenv(strdup(s->env[i]));
		if (*s->database)
			execl(bin, bin, "serve", "--listen", "127.0.0.1:0", "--data", s->dir, "--test-clock",
			      "--threads", "4", "--database", s->database, (char *)NULL);
		else
			execl(bin, bin, "serve", "--listen", "127.0.0.1:0", "--data", s->dir, "--test-clock",
			      "--threads", "4", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	s->pid = pid;
	FILE *f = fdopen(out[0], "r");
	char line[256] = {0};
	cr_assert(fgets(line, sizeof line, f), "server printed nothing (see %s/server.log)", s->dir);
	fclose(f);
	cr_assert(sscanf(line, "listening on %127s", s->url) == 1, "first line: %s", line);
}

void srv_stop(srv *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	int st = 0;
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* A failed expectation in a suite's fini is printed but not counted
		 * by Criterion, and an exit() there is ignored: only a crash makes
		 * the run fail. An unclean exit (a leak report, an assertion in the
		 * server) must fail the run wherever srv_stop is called. */
		fprintf(stderr, "server exited uncleanly (status %d), log in %s\n", st, s->dir);
		abort();
	}
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd)) {
		}
		if (!s->shared)
			pgdb_drop(s->database);
	}
}

const char *make_user(srv *s, const char *email, const char *roles, char out_token[64])
{
	json_t *rl = json_array();
	char buf[128];
	snprintf(buf, sizeof buf, "%s", roles);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(rl, json_string(t));
	res r = api(s, "POST", "/api/v1/users", s->admin_token, "{s:s,s:s,s:s,s:o}", "email", email, "password",
		    "password-123", "display_name", email, "roles", rl);
	cr_assert_eq(r.status, 201, "create %s: %s", email, r.body);
	res_free(&r);
	login_token(s, email, "password-123", "t", out_token);
	return out_token;
}

void set_clock(srv *s, const char *t)
{
	res r = api(s, "POST", "/api/v1/admin/clock", s->admin_token, "{s:s}", "now", t);
	cr_assert_eq(r.status, 200, "clock: %s", r.body);
	res_free(&r);
}

long long user_id(srv *s, const char *token)
{
	res r = api(s, "GET", "/api/v1/me", token, NULL);
	cr_assert_eq(r.status, 200, "me: %s", r.body);
	long long id = jint(r.json, "id");
	res_free(&r);
	return id;
}

void suite_with_users_env(srv *s, const char *const *env, int n_contributors)
{
	cr_assert(n_contributors >= 0 && n_contributors <= SUITE_MAX_CONTRIBUTORS);
	srv_start_env(s, env);
	make_user(s, "req@test.local", "requester", s->req);
	for (int i = 0; i < n_contributors; i++) {
		char email[64];
		snprintf(email, sizeof email, "c%d@test.local", i + 1);
		make_user(s, email, "contributor", s->c[i]);
		s->c_id[i] = user_id(s, s->c[i]);
	}
	s->n_contributors = n_contributors;
}

void suite_with_users(srv *s, int n_contributors) { suite_with_users_env(s, NULL, n_contributors); }

long long project_create(srv *s, const char *token, json_t *body)
{
	cr_assert(body, "project_create: no body (a json_pack error?)");
	char *txt = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	res r = http(s, "POST", "/api/v1/projects", token, "application/json", txt, strlen(txt), NULL);
	free(txt);
	cr_assert_eq(r.status, 201, "create project: %s", r.body);
	long long pid = jint(r.json, "id");
	res_free(&r);
	return pid;
}

void project_import(srv *s, long long pid, const char *token, const char *ndjson)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	res r = http(s, "POST", path, token, "application/x-ndjson", ndjson, strlen(ndjson), NULL);
	cr_assert_eq(r.status, 201, "%s: %s", path, r.body);
	res_free(&r);
}

void project_fund(srv *s, long long pid, const char *token, long long amount)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/fund", pid);
	res r = api(s, "POST", path, token, "{s:I}", "amount", (json_int_t)amount);
	cr_assert_eq(r.status, 201, "%s: %s", path, r.body);
	res_free(&r);
}

void project_publish(srv *s, long long pid, const char *token)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	res r = api(s, "POST", path, token, NULL);
	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	res_free(&r);
}

long long project_live(srv *s, const char *token, json_t *body, const char *ndjson, long long fund)
{
	long long pid = project_create(s, token, body);
	project_import(s, pid, token, ndjson);
	if (fund > 0)
		project_fund(s, pid, token, fund);
	project_publish(s, pid, token);
	return pid;
}

res lease(srv *s, long long pid, const char *token)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/assignments", pid);
	return api(s, "POST", path, token, NULL);
}

long long lease_ok(srv *s, long long pid, const char *token)
{
	res r = lease(s, pid, token);
	cr_assert_eq(r.status, 201, "lease: %s", r.body);
	long long id = jint(r.json, "id");
	res_free(&r);
	return id;
}

res submit_choice(srv *s, long long aid, const char *token, const char *from_name, const char *choice,
		  json_t *active_seconds)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	json_t *b = json_pack("{s:[{s:s,s:s,s:s,s:{s:[s]}}]}", "result", "from_name", from_name, "to_name", "text",
			      "type", "choices", "value", "choices", choice);
	if (active_seconds)
		json_object_set_new(b, "active_seconds", active_seconds);
	char *txt = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	res r = http(s, "POST", path, token, "application/json", txt, strlen(txt), NULL);
	free(txt);
	return r;
}

const char *ndjson_lines(char *buf, size_t size, const char *line_fmt, int n)
{
	size_t len = 0;
	buf[0] = 0;
	for (int i = 0; i < n; i++) {
		int k = snprintf(buf + len, size - len, line_fmt, i);
		cr_assert(k >= 0 && (size_t)k < size - len, "ndjson_lines: %d lines do not fit in %zu bytes", n, size);
		len += (size_t)k;
	}
	return buf;
}

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "no %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = 0;
	*len = (size_t)n;
	return b;
}

int count_local_blobs(srv *s)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "find '%s/blobs' -type f -not -path '*/blobs/tmp/*' 2>/dev/null | wc -l", s->dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	cr_assert_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

res http_or_dead(srv *s, const char *method, const char *path, const char *token, const char *ctype, const char *body,
		 size_t len, const char *const *extra)
{
	allow_dead = 1;
	res r = http(s, method, path, token, ctype, body, len, extra);
	allow_dead = 0;
	return r;
}

/* Runs a shell command; returns the exit status and the first 64 KiB of
 * stdout in out (may be NULL). */
int run_cmd(char *out, size_t n, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	cr_assert(p, "%s", cmd);
	size_t len = 0;
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, p)) > 0)
		if (out && len + k < n) {
			memcpy(out + len, buf, k);
			len += k;
		}
	if (out)
		out[len] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

long long stored_recording(srv *s, const char *wav)
{
	json_t *spec = json_pack("{s:s,s:s,s:i,s:i}", "media", "audio", "prompt_field", "sentence", "min_seconds", 1,
				 "max_seconds", 15);
	long long pid = project_live(s, s->req,
				     json_pack("{s:s,s:s,s:o,s:i,s:i}", "title", "Record", "kind", "collection",
					       "collect", spec, "reward", 5, "overlap", 1),
				     "{\"sentence\":\"Say something.\"}\n", 100000);
	long long aid = lease_ok(s, pid, s->c[0]);
	size_t len;
	char *b = slurp(wav, &len), path[96];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	res r = http(s, "POST", path, s->c[0], "audio/wav", b, len, NULL);
	free(b);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	res_free(&r);
	return mid;
}
