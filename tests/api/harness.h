/* harness.h — black-box API tests: start the real binary on a loopback
 * port with a fresh data folder, talk HTTP with libcurl. */
#ifndef FC_TEST_HARNESS_H
#define FC_TEST_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct srv {
	pid_t pid;
	char url[128];
	char dir[256];
	char database[512]; /* PostgreSQL pass: this server's own database URL; "" on SQLite */
	int shared;         /* started by srv_start_shared: the database is not its to drop */
	char admin_token[64];
	const char *const *env; /* extra "NAME=value" for the server, NULL-terminated; may be NULL */
} srv;

typedef struct res {
	long status;
	char *body;       /* NUL-terminated */
	size_t len;
	json_t *json;     /* parsed body or NULL */
	char headers[4096];
} res;

/* Starts `faircrowd serve --test-clock` (binary from $FC_BINARY) with an
 * admin admin@test.local; returns when it answers /healthz. With
 * FC_TEST_DATABASE_URL set (the PostgreSQL pass) the server gets a new
 * database of its own (--database), and FAIRCROWD_DATABASE in this process
 * names it, so command-line runs of the test reach the same database. */
void srv_start(srv *s);
/* The same, with extra environment for the server process (env as in
 * srv.env; it must outlive the server: restarts pass it again). */
void srv_start_env(srv *s, const char *const *env);
/* PostgreSQL pass: another server on first's database, with a data folder
 * of its own (tokens made on any server work on all). */
void srv_start_shared(srv *s, const srv *first);
/* Sends sig (SIGKILL: a crash), waits, and starts the server again on the
 * same data folder (a new port; tokens stay valid). */
void srv_restart(srv *s, int sig);
/* SIGTERM, wait, assert a clean exit, remove the data folder. */
void srv_stop(srv *s);

/* One request. token may be NULL; ctype NULL means no body. extra is a
 * NULL-terminated list of "Header: value" strings, or NULL. */
res http(srv *s, const char *method, const char *path, const char *token, const char *ctype,
	 const char *body, size_t len, const char *const *extra);
/* JSON request built with json_pack(fmt, ...); fmt NULL means no body. */
res api(srv *s, const char *method, const char *path, const char *token, const char *fmt, ...);
void res_free(res *r);
/* Like http, but a server that dies mid-request is an answer: status 0. */
res http_or_dead(srv *s, const char *method, const char *path, const char *token, const char *ctype,
		 const char *body, size_t len, const char *const *extra);

/* Dotted path lookup: "error.code", "items.0.id". NULL when absent. */
json_t *jget(json_t *j, const char *path);
const char *jstr(json_t *j, const char *path);
long long jint(json_t *j, const char *path);
/* Header value from a response (case-insensitive name), copied into buf. */
const char *res_header(const res *r, const char *name, char *buf, size_t n);

/* Creates a user with roles ("requester", "contributor", "admin,requester")
 * through the admin API and returns a fresh API token (static storage per
 * call slot; copy it). */
const char *make_user(srv *s, const char *email, const char *roles, char out_token[64]);
/* Sets the server's test clock. */
void set_clock(srv *s, const char *rfc3339);

#endif
