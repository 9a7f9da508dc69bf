/* app.h — the API layer: application context, dispatch, shared helpers.
 *
 * Handlers are thin: parse the request, call one domain function, render.
 * They never write SQL. */
#ifndef FC_API_APP_H
#define FC_API_APP_H

#include "account/account.h"
#include "core/json.h"
#include "http/server.h"
#include "store/store.h"

typedef struct fc_app {
	fc_store *store;
	char data_dir[1024];
	int test_clock; /* POST /admin/clock enabled */
	int64_t started_at;
	/* serve --trust-proxy ADDR: a request from this peer address is from a
	 * reverse proxy whose X-Forwarded-For (client address) and
	 * X-Forwarded-Proto (https: Secure cookies) are believed; "" = none */
	char trusted_proxy[256];   /* comma-separated reverse proxies (--trust-proxy) */
	int secure_cookies;        /* serve --secure-cookies: always Secure */
	const char *metrics_token; /* FAIRCROWD_METRICS_TOKEN: Bearer for GET /metrics; NULL = admins only */
	int64_t upload_quota;      /* FAIRCROWD_UPLOAD_QUOTA: bytes per user, spooled in flight and resumable */
} fc_app;

/* route auth levels (fc_route.auth); FC_IDEMPOTENT may be or-ed in */
enum {
	FC_AUTH_NONE = 0,     /* public */
	FC_AUTH_USER = 1,     /* any signed-in user */
	FC_AUTH_ADMIN = 2,    /* admin only */
	FC_AUTH_OPTIONAL = 3, /* public, but the user is resolved when present */
	FC_IDEMPOTENT = 0x10, /* honours the Idempotency-Key header */
};

typedef struct fc_auth {
	fc_user user;
	int authed;
	int via_cookie;
	char csrf[44];
	char session_token[64];
	uint64_t spool_held; /* bytes this request counts against its user's upload quota */
} fc_auth;

extern const fc_route fc_routes[];
extern const size_t fc_routes_count;

void fc_app_dispatch(fc_req *r);
/* The server's precheck hook: authenticates the caller from the headers and
 * checks the route's auth level and CSRF before any body byte is read, so
 * an anonymous upload is refused without touching the disk. */
void fc_app_precheck(fc_req *r);
/* The server's body_limit hook: lowers an upload's limit to its project's
 * collect.max_bytes (h_collect.c). */
size_t fc_api_body_limit(fc_req *r, size_t route_limit);
/* The server's body_limit hook: fc_api_body_limit, then the per-user quota
 * on spooled bodies in flight: a spooled body counts its Content-Length
 * (its limit when chunked) against app->upload_quota while it is being
 * received and handled; past the quota → 429 upload_quota before a byte is
 * stored (issue #19: one account cannot fill the disk with parallel uploads). */
size_t fc_app_body_limit(fc_req *r, size_t route_limit);

static inline fc_app *fc_app_of(fc_req *r) { return (fc_app *)r->app; }
static inline fc_store *fc_store_of(fc_req *r) { return ((fc_app *)r->app)->store; }
static inline fc_user *fc_user_of(fc_req *r) { return &((fc_auth *)r->auth)->user; }

/* The client's address: the peer's, or behind the trusted proxy the last
 * address of its X-Forwarded-For. */
const char *fc_api_client_address(fc_req *r, char *buf, size_t n);
/* 1 when the client reached us over TLS: --secure-cookies, or the trusted
 * proxy said X-Forwarded-Proto: https. Session cookies are then Secure. */
int fc_api_is_https(fc_req *r);
/* The secret of an "Authorization: Bearer" header, or NULL. */
const char *fc_req_bearer(fc_req *r);
/* Parses and checks the JSON body against fields. On failure replies with
 * the error and returns NULL. The caller owns the result. */
json_t *fc_api_body(fc_req *r, const fc_field *fields);
/* Replies with err and clears it. */
void fc_api_fail(fc_req *r, fc_err *err);
/* Reads ?limit= (default 50, max 1000) and ?after= (an id cursor, default 0).
 * Replies 400 and returns -1 when either is malformed. */
int fc_api_page(fc_req *r, int *limit, int64_t *after);
/* Replies 404 unless path parameter i is a positive integer; returns it or -1. */
int64_t fc_api_id(fc_req *r, int i);

/* The common handler shapes: take path id 0 (and the JSON body), call fn,
 * reply `status` with its result, or the error. A NULL result with
 * FC_API_EMPTY_IS_204 in status answers 204 (e.g. "nothing to review"). */
typedef int (*fc_api_id_fn)(fc_store *, const fc_user *, int64_t, json_t **, fc_err *);
typedef int (*fc_api_id_body_fn)(fc_store *, const fc_user *, int64_t, const json_t *, json_t **, fc_err *);
#define FC_API_EMPTY_IS_204 0x10000
void fc_api_call_id(fc_req *r, fc_api_id_fn fn, int status);
/* Replies with err when rc != 0, else `status` with out (stolen). */
void fc_api_reply(fc_req *r, int rc, fc_err *err, int status, json_t *out);
void fc_api_call_id_body(fc_req *r, fc_api_id_body_fn fn, int status);
/* A listing: reads ?limit= and ?after= (fc_api_page), calls fn, replies 200
 * with its page. */
typedef int (*fc_api_page_fn)(fc_store *, const fc_user *, int limit, int64_t after, json_t **, fc_err *);
void fc_api_call_page(fc_req *r, fc_api_page_fn fn);
/* The same for a list under an object: /things/{id}/items?limit=&after=. */
typedef int (*fc_api_id_page_fn)(fc_store *, const fc_user *, int64_t id, int limit, int64_t after, json_t **, fc_err *);
void fc_api_call_id_page(fc_req *r, fc_api_id_page_fn fn);

#endif
