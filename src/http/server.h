/* server.h — the HTTP server (libmicrohttpd, thread pool over epoll).
 *
 * The server reads a request, matches it against the route table, lets the
 * precheck hook refuse it from its headers, collects its body (in memory up to the route's limit, or spooled to a temporary file
 * for uploads), then calls the dispatch hook once with everything in place.
 * The hook (api/app.c) authenticates and calls the route's handler, which
 * answers with one of the fc_reply_* functions. The server owns every request
 * and frees it when the response has been sent. */
#ifndef FC_HTTP_SERVER_H
#define FC_HTTP_SERVER_H

#include "core/buf.h"
#include "core/err.h"
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct fc_req fc_req;
typedef void (*fc_handler)(fc_req *r);

enum {
	FC_BODY_NONE = 0, /* no body expected; one is read up to the default limit and ignored */
	FC_BODY_JSON,     /* buffered; Content-Type must be application/json */
	FC_BODY_RAW,      /* buffered, any type; the handler checks it */
	FC_BODY_SPOOL,    /* streamed to a temporary file (uploads, imports) */
};

typedef struct fc_route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/projects/{id}/tasks"; {x} matches one segment */
	fc_handler fn;
	int auth;         /* meaning is the dispatcher's (api/app.c) */
	int body;         /* FC_BODY_* */
	size_t max_body;  /* 0 = the server default */
	const char *name; /* label for metrics and logs */
} fc_route;

#define FC_MAX_PARAMS 4

struct fc_req {
	/* request */
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const fc_route *route;             /* NULL when nothing matched */
	int method_mismatch;               /* path matched some route but not this method */
	const char *params[FC_MAX_PARAMS]; /* raw path parameters */
	int64_t ids[FC_MAX_PARAMS];        /* parsed; -1 when not an integer */
	int nparams;
	fc_buf body;      /* buffered body */
	char *spool_path; /* FC_BODY_SPOOL: temp file with the body */
	FILE *spool;
	char spool_sha256[65]; /* FC_BODY_SPOOL: hex SHA-256 of the body, hashed as it arrived */
	void *spool_writer;    /* internal: the fc_spool writing and hashing it */
	uint64_t body_len;
	uint64_t drained;  /* body bytes read and dropped after an early answer */
	size_t body_limit; /* this request's limit (route's, possibly lowered by the app) */
	char request_id[24];
	uint64_t started_ns;
	void *app;                  /* the dispatcher's context */
	void *auth;                 /* the dispatcher's per-request auth record */
	const char *proxies;        /* the server's trusted_proxies */
	void (*on_free)(fc_req *r); /* the dispatcher's: called once as the request is freed */
	/* internal: a deferred handler (fc_req_defer) */
	struct fc_server *server;
	void (*defer_fn)(fc_req *r);
	_Atomic int defer_state;
	/* response */
	int capture; /* keep a copy of a JSON body in `captured` */
	fc_buf captured;
	struct MHD_Response *resp;
	int status;
	int replied;
};

typedef struct fc_server_config {
	const char *listen;       /* "HOST:PORT", port 0 picks one */
	unsigned threads;         /* thread pool size */
	unsigned max_connections; /* all clients together; 0 = 4096 */
	unsigned per_address;     /* connections one client address may hold; 0 = 64 */
	unsigned idle_timeout;    /* seconds a connection may send nothing (headers
				   * included) before it is closed; 0 = 30 */
	size_t max_body;          /* default limit for buffered bodies */
	size_t max_spool;         /* default limit for spooled bodies */
	const char *spool_dir;    /* where spooled bodies go */
	const fc_route *routes;
	size_t nroutes;
	void (*dispatch)(fc_req *r);
	/* Optional: called once the route is known, from the request's headers
	 * alone, before any byte of its body is accepted: the dispatcher checks
	 * the caller here (401, 403 with an fc_reply_* call), so a refused body
	 * is never stored. */
	void (*precheck)(fc_req *r);
	/* Optional: called after a precheck that did not answer, before the body
	 * is read; returns the body limit for this request (given the route's).
	 * It may answer instead (fc_reply_*): the body is then not read. */
	size_t (*body_limit)(fc_req *r, size_t route_limit);
	void *app;
	/* Optional: comma-separated addresses of reverse proxies (nginx) whose
	 * X-Forwarded-For and X-Forwarded-Proto are believed; NULL: none. */
	const char *trusted_proxies;
	/* Deferred handlers (fc_req_defer): worker threads (0 = 2) and how many
	 * requests may wait for them (0 = 32). */
	unsigned defer_threads, defer_queue;
} fc_server_config;

typedef struct fc_server fc_server;

int fc_server_start(const fc_server_config *cfg, fc_server **out, fc_err *err);
/* The bound address as "http://HOST:PORT" (valid while the server lives). */
const char *fc_server_url(const fc_server *s);
/* Stops accepting, waits up to `grace_ms` for in-flight requests, stops. */
void fc_server_stop(fc_server *s, int grace_ms);

/* Moves the rest of a handler off the request thread: called from a handler
 * (which then returns without replying), it has fn(r) run on one of the
 * server's worker threads while the connection is suspended; fn replies with
 * fc_reply_* as a handler would. For slow CPU-bound work (Argon2id), so a
 * flood of it never holds the threads that serve everyone else. Returns 0,
 * or -1 when the wait queue is full (the handler then answers itself). */
int fc_req_defer(fc_req *r, void (*fn)(fc_req *r));

/* Request accessors. Strings are valid for the request's lifetime. */
const char *fc_req_header(fc_req *r, const char *name);
const char *fc_req_query(fc_req *r, const char *name);
const char *fc_req_cookie(fc_req *r, const char *name);
/* The client's address: the peer's, or, when the peer is a trusted proxy,
 * the last address of X-Forwarded-For (the one that proxy saw). */
const char *fc_req_client_ip(fc_req *r, char *buf, size_t n);
/* 1 when a trusted proxy says the client spoke HTTPS to it
 * (X-Forwarded-Proto: https): cookies are then marked Secure. */
int fc_req_https(fc_req *r);

/* Responses. Each takes ownership of what it is given; the first reply wins. */
void fc_reply_json(fc_req *r, int status, json_t *body); /* steals body */
void fc_reply_error(fc_req *r, const fc_err *err);
void fc_reply_errorf(fc_req *r, int code, const char *slug, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void fc_reply_empty(fc_req *r, int status);
void fc_reply_bytes(fc_req *r, int status, const char *type, const void *data, size_t len, int copy);
/* Streams a body: `read` fills buf and returns bytes written, 0 at the end,
 * or -1 on error (the connection is cut). `done` frees ctx. */
void fc_reply_stream(fc_req *r, int status, const char *type, ssize_t (*read)(void *ctx, char *buf, size_t max),
		     void *ctx, void (*done)(void *ctx));
/* A Range header ("bytes=A-B", "bytes=A-" or "bytes=-N"; one range) against
 * a body of size bytes: 1 with [*from, *to], 0 for none or a form not
 * understood (RFC 9110 lets a server ignore it: send the whole body), -1 when
 * it starts past the end (416). */
int fc_http_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to);
/* Sends len bytes of an open file from offset, with its Content-Length (so a
 * browser can seek in media). Takes f: it is closed when the reply is done
 * or fails. */
void fc_reply_file(fc_req *r, int status, const char *type, FILE *f, uint64_t offset, uint64_t len);
/* Adds a header to the response already set by an fc_reply_* call. */
void fc_reply_header(fc_req *r, const char *name, const char *value);

#endif
