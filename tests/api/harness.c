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

res http(srv *s, const char *method, const char *path, const char *token, const char *ctype,
	 const char *body, size_t len, const char *const *extra)
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

static void admin_token(srv *s)
{
	res r = api(s, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "admin@test.local",
		    "password", "admin-password-1");
	cr_assert_eq(r.status, 200, "admin login: %s", r.body);
	char cookie[256], hdr[300], csrf[128];
	cr_assert(res_header(&r, "Set-Cookie", cookie, sizeof cookie));
	cookie[strcspn(cookie, ";")] = 0;
	snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", jstr(r.json, "csrf_token"));
	snprintf(hdr, sizeof hdr, "Cookie: %s", cookie);
	res_free(&r);
	const char *extra[] = {hdr, csrf, NULL};
	const char *body = "{\"name\":\"tests\"}";
	r = http(s, "POST", "/api/v1/tokens", NULL, "application/json", body, strlen(body), extra);
	cr_assert_eq(r.status, 201, "token: %s", r.body);
	snprintf(s->admin_token, sizeof s->admin_token, "%s", jstr(r.json, "token"));
	res_free(&r);
}

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
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server exited uncleanly (status %d), log in %s",
		  st, s->dir);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
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
	res r = api(s, "POST", "/api/v1/users", s->admin_token, "{s:s,s:s,s:s,s:o}", "email", email,
		    "password", "password-123", "display_name", email, "roles", rl);
	cr_assert_eq(r.status, 201, "create %s: %s", email, r.body);
	res_free(&r);
	r = api(s, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", email, "password",
		"password-123");
	cr_assert_eq(r.status, 200);
	char cookie[256], hdr[300], csrf[128];
	res_header(&r, "Set-Cookie", cookie, sizeof cookie);
	cookie[strcspn(cookie, ";")] = 0;
	snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", jstr(r.json, "csrf_token"));
	snprintf(hdr, sizeof hdr, "Cookie: %s", cookie);
	res_free(&r);
	const char *extra[] = {hdr, csrf, NULL};
	const char *body = "{\"name\":\"t\"}";
	r = http(s, "POST", "/api/v1/tokens", NULL, "application/json", body, strlen(body), extra);
	cr_assert_eq(r.status, 201);
	snprintf(out_token, 64, "%s", jstr(r.json, "token"));
	res_free(&r);
	return out_token;
}

void set_clock(srv *s, const char *t)
{
	res r = api(s, "POST", "/api/v1/admin/clock", s->admin_token, "{s:s}", "now", t);
	cr_assert_eq(r.status, 200, "clock: %s", r.body);
	res_free(&r);
}

res http_or_dead(srv *s, const char *method, const char *path, const char *token, const char *ctype,
		 const char *body, size_t len, const char *const *extra)
{
	allow_dead = 1;
	res r = http(s, method, path, token, ctype, body, len, extra);
	allow_dead = 0;
	return r;
}
