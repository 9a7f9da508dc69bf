/* harness.h — black-box API tests: start the real binary on a loopback
 * port with a fresh data folder, talk HTTP with libcurl. */
#ifndef FC_TEST_HARNESS_H
#define FC_TEST_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define SUITE_MAX_CONTRIBUTORS 8

typedef struct srv {
	pid_t pid;
	char url[128];
	char dir[256];
	char database[512]; /* PostgreSQL pass: this server's own database URL; "" on SQLite */
	int shared;         /* started by srv_start_shared: the database is not its to drop */
	char admin_token[64];
	const char *const *env; /* extra "NAME=value" for the server, NULL-terminated; may be NULL */
	/* Filled by suite_with_users: req@test.local (requester) and contributors
	 * c1@test.local ... (c[0] ... c[n_contributors - 1]) with their user ids. */
	char req[64];
	char c[SUITE_MAX_CONTRIBUTORS][64];
	long long c_id[SUITE_MAX_CONTRIBUTORS];
	int n_contributors;
} srv;

typedef struct res {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	json_t *json; /* parsed body or NULL */
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
/* The set-up of a suite with users: srv_start, then the requester
 * req@test.local (token in s->req) and n contributors c1@test.local ... cN
 * (tokens in s->c[0 .. n-1], ids in s->c_id), created in that order. */
void suite_with_users(srv *s, int n_contributors);
/* The same on a server started with srv_start_env(s, env). */
void suite_with_users_env(srv *s, const char *const *env, int n_contributors);
/* Sends sig (SIGKILL: a crash), waits, and starts the server again on the
 * same data folder (a new port; tokens stay valid). */
void srv_restart(srv *s, int sig);
/* SIGTERM, wait, assert a clean exit, remove the data folder. */
void srv_stop(srv *s);
/* Skips the running test after stopping its server: a skipped test's
 * suite fini is not run, so its server would outlive the test run. */
#define srv_skip(s, ...) \
	do { \
		srv_stop(s); \
		cr_skip_test(__VA_ARGS__); \
	} while (0)

/* One request. token may be NULL; ctype NULL means no body. extra is a
 * NULL-terminated list of "Header: value" strings, or NULL. */
res http(srv *s, const char *method, const char *path, const char *token, const char *ctype, const char *body,
	 size_t len, const char *const *extra);
/* Makes this thread's requests come from local address ip ("127.0.0.2": the
 * whole of 127.0.0.0/8 is loopback), NULL for the default, so tests can be
 * several clients. */
void http_source(const char *ip);
/* JSON request built with json_pack(fmt, ...); fmt NULL means no body. */
res api(srv *s, const char *method, const char *path, const char *token, const char *fmt, ...);
void res_free(res *r);
/* Like http, but a server that dies mid-request is an answer: status 0. */
res http_or_dead(srv *s, const char *method, const char *path, const char *token, const char *ctype, const char *body,
		 size_t len, const char *const *extra);

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
/* Signs in with a password: the "Cookie: fc_session=..." and "X-CSRF-Token: ..."
 * request headers of the new session, into cookie and csrf. */
void login_cookie(srv *s, const char *email, const char *password, char cookie[300], char csrf[128]);
/* Sets the server's test clock. */
void set_clock(srv *s, const char *rfc3339);
/* The id of the user behind token (GET /api/v1/me). */
long long user_id(srv *s, const char *token);

/* Label configs the suites share: a text and one single-choice control,
 * "sentiment" (pos/neg, required) or "label" (yes/no). */
#define SENTIMENT_CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/>" \
	"<Choices name=\"sentiment\" toName=\"text\" choice=\"single\" required=\"true\">" \
	"<Choice value=\"pos\"/><Choice value=\"neg\"/></Choices></View>"
#define YES_NO_CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/>" \
	"<Choices name=\"label\" toName=\"text\" choice=\"single\">" \
	"<Choice value=\"yes\"/><Choice value=\"no\"/></Choices></View>"

/* Projects, step by step; each step asserts its status. project_create
 * posts body (stolen) as token and wants 201; project_import posts NDJSON
 * tasks and wants 201; project_fund wants 201; project_publish wants 200. */
long long project_create(srv *s, const char *token, json_t *body);
void project_import(srv *s, long long pid, const char *token, const char *ndjson);
void project_fund(srv *s, long long pid, const char *token, long long amount);
void project_publish(srv *s, long long pid, const char *token);
/* All four: a live project's id (fund 0: not funded). */
long long project_live(srv *s, const char *token, json_t *body, const char *ndjson, long long fund);
/* POST /api/v1/projects/<pid>/assignments as token: the response;
 * lease_ok wants 201 and returns the assignment's id. */
res lease(srv *s, long long pid, const char *token);
long long lease_ok(srv *s, long long pid, const char *token);
/* Submits aid as token with one choice for the Choices control from_name
 * (to_name "text"); active_seconds (stolen) is sent as is, NULL: left out. */
res submit_choice(srv *s, long long aid, const char *token, const char *from_name, const char *choice,
		  json_t *active_seconds);
/* n NDJSON lines from line_fmt (one %d: the line's number from 0, and a
 * trailing newline), into buf. */
const char *ndjson_lines(char *buf, size_t size, const char *line_fmt, int n);

/* A whole file (NUL-terminated; free it), asserting it exists. */
char *slurp(const char *path, size_t *len);
/* How many blobs the server keeps in its data folder (not uploads in progress). */
int count_local_blobs(srv *s);

/* Runs a shell command; returns the exit status and the first n-1 bytes of
 * stdout in out (may be NULL). */
int run_cmd(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Uploads the audio file wav to a new live collection project of s->req as
 * contributor 0: the media id. */
long long stored_recording(srv *s, const char *wav);

#endif
