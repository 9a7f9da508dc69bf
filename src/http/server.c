/* HTTP server on libmicrohttpd: body collection, limits, responses, logs. */
#include "http/server.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/spool.h"
#include "http/metrics.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The deferred handlers' queue: a ring of requests whose connections are
 * suspended, served by a few worker threads. `reserved` counts the places
 * promised by fc_req_defer, so a suspended request always finds one. */
typedef struct defer_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	fc_req **ring;
	size_t cap, head, n, reserved;
	int stop;
	pthread_t *threads;
	unsigned nthreads;
} defer_queue;

struct fc_server {
	struct MHD_Daemon *d;
	fc_server_config cfg;
	char url[320];
	_Atomic int inflight;
	_Atomic uint64_t next_id;
	char boot_id[8];
	defer_queue q;
};

enum { DEFER_NONE = 0, DEFER_RUNNING, DEFER_DONE };

int fc_req_defer(fc_req *r, void (*fn)(fc_req *r))
{
	defer_queue *q = &r->server->q;
	if (!q->nthreads)
		return -1;
	pthread_mutex_lock(&q->mu);
	int ok = q->reserved < q->cap;
	if (ok)
		q->reserved++;
	pthread_mutex_unlock(&q->mu);
	if (ok)
		r->defer_fn = fn;
	return ok ? 0 : -1;
}

/* Suspends r's connection and queues r (its place was reserved). */
static void defer_start(fc_server *s, fc_req *r)
{
	defer_queue *q = &s->q;
	atomic_store(&r->defer_state, DEFER_RUNNING);
	MHD_suspend_connection(r->conn);
	pthread_mutex_lock(&q->mu);
	q->ring[(q->head + q->n++) % q->cap] = r;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void *defer_worker(void *arg)
{
	fc_server *s = arg;
	defer_queue *q = &s->q;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->n && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->n) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		fc_req *r = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->n--;
		pthread_mutex_unlock(&q->mu);
		r->defer_fn(r);
		pthread_mutex_lock(&q->mu);
		q->reserved--;
		pthread_mutex_unlock(&q->mu);
		/* the access handler runs again on resume and sends the answer */
		atomic_store(&r->defer_state, DEFER_DONE);
		MHD_resume_connection(r->conn);
	}
}

static int defer_init(fc_server *s)
{
	defer_queue *q = &s->q;
	q->cap = s->cfg.defer_queue ? s->cfg.defer_queue : 32;
	unsigned want = s->cfg.defer_threads ? s->cfg.defer_threads : 2;
	q->ring = calloc(q->cap, sizeof *q->ring);
	q->threads = calloc(want, sizeof *q->threads);
	if (!q->ring || !q->threads)
		return -1;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	for (; q->nthreads < want; q->nthreads++)
		if (pthread_create(&q->threads[q->nthreads], NULL, defer_worker, s))
			return -1;
	return 0;
}

/* Stops the workers once the queue is empty. */
static void defer_stop(fc_server *s)
{
	defer_queue *q = &s->q;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (unsigned i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	free(q->ring);
}

static const char *SECURITY_HEADERS[][2] = {
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
};

/* Removes a request's spool file (its body), if it has one. */
static void drop_spool(fc_req *r)
{
	if (r->spool)
		fclose(r->spool);
	r->spool = NULL;
	if (r->spool_path) {
		unlink(r->spool_path);
		free(r->spool_path);
	}
	r->spool_path = NULL;
	fc_spool_free(r->spool_writer);
	r->spool_writer = NULL;
}

static void free_req(fc_req *r)
{
	if (r->on_free)
		r->on_free(r);
	drop_spool(r);
	for (int i = 0; i < FC_MAX_PARAMS; i++)
		free((void *)r->params[i]);
	fc_buf_free(&r->body);
	fc_buf_free(&r->captured);
	if (r->resp)
		MHD_destroy_response(r->resp);
	free(r->auth);
	free(r);
}

static void set_response(fc_req *r, int status, struct MHD_Response *resp)
{
	if (r->replied) {
		MHD_destroy_response(resp);
		return;
	}
	r->replied = 1;
	r->status = status;
	r->resp = resp;
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
		MHD_add_response_header(resp, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
}

void fc_reply_bytes(fc_req *r, int status, const char *type, const void *data, size_t len, int copy)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return;
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	set_response(r, status, resp);
}

void fc_reply_json(fc_req *r, int status, json_t *body)
{
	char *txt = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	if (!txt) {
		fc_reply_bytes(r, 500, "application/json; charset=utf-8",
			       "{\"error\":{\"code\":\"internal\",\"message\":\"Out of memory.\",\"field\":null}}", 70,
			       0);
		return;
	}
	size_t len = strlen(txt);
	if (r->capture && !r->replied)
		fc_buf_append(&r->captured, txt, len);
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(len, txt, free);
	if (!resp) {
		free(txt);
		return;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	set_response(r, status, resp);
}

void fc_reply_error(fc_req *r, const fc_err *err)
{
	int code = err->code ? err->code : FC_EIO;
	json_t *e = json_pack("{s:s,s:s,s:o}", "code", err->slug[0] ? err->slug : fc_err_default_slug(code), "message",
			      err->msg[0] ? err->msg : "Something went wrong.", "field",
			      err->field[0] ? json_string(err->field) : json_null());
	if (err->details)
		json_object_set(e, "details", err->details);
	fc_reply_json(r, fc_err_http_status(code), json_pack("{s:o}", "error", e));
}

void fc_reply_errorf(fc_req *r, int code, const char *slug, const char *field, const char *fmt, ...)
{
	fc_err e = {0};
	e.code = code;
	snprintf(e.slug, sizeof e.slug, "%s", slug ? slug : fc_err_default_slug(code));
	snprintf(e.field, sizeof e.field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	fc_reply_error(r, &e);
}

void fc_reply_empty(fc_req *r, int status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp)
		set_response(r, status, resp);
}

typedef struct stream_ctx {
	ssize_t (*read)(void *ctx, char *buf, size_t max);
	void (*done)(void *ctx);
	void *ctx;
} stream_ctx;

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream_ctx *s = cls;
	ssize_t n = s->read(s->ctx, buf, max);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

static void stream_free(void *cls)
{
	stream_ctx *s = cls;
	if (s->done)
		s->done(s->ctx);
	free(s);
}

void fc_reply_stream(fc_req *r, int status, const char *type, ssize_t (*read)(void *ctx, char *buf, size_t max),
		     void *ctx, void (*done)(void *ctx))
{
	stream_ctx *s = malloc(sizeof *s);
	if (!s) {
		if (done)
			done(ctx);
		return;
	}
	s->read = read;
	s->done = done;
	s->ctx = ctx;
	struct MHD_Response *resp =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_cb, s, stream_free);
	if (!resp) {
		stream_free(s);
		return;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	set_response(r, status, resp);
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" against a file of size bytes: 1 and
 * [*from, *to] for a range, 0 for none (or a form not understood, which
 * RFC 9110 lets a server ignore), -1 when it starts past the end (416). */
int fc_http_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	if (!h || strncmp(h, "bytes=", 6) || strchr(h, ','))
		return 0;
	const char *p = h + 6;
	char *end;
	if (*p == '-') {
		unsigned long long n = strtoull(p + 1, &end, 10);
		if (end == p + 1 || *end)
			return 0;
		if (n == 0 || size == 0)
			return -1;
		*from = n >= size ? 0 : size - n;
		*to = size - 1;
		return 1;
	}
	if (*p < '0' || *p > '9')
		return 0;
	unsigned long long a = strtoull(p, &end, 10), b = size ? size - 1 : 0;
	if (*end != '-')
		return 0;
	const char *q = end + 1;
	if (*q) {
		b = strtoull(q, &end, 10);
		if (*end || b < a)
			return 0;
		if (size && b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b;
	return 1;
}

void fc_reply_file(fc_req *r, int status, const char *type, FILE *f, uint64_t offset, uint64_t len)
{
	/* MHD owns (and closes) a duplicate of the descriptor */
	int fd = dup(fileno(f));
	fclose(f);
	if (fd < 0)
		return;
	struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(len, fd, offset);
	if (!resp) {
		close(fd);
		return;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	set_response(r, status, resp);
}

void fc_reply_header(fc_req *r, const char *name, const char *value)
{
	if (!r->resp)
		return;
	/* a handler's Cache-Control replaces the default no-store (two would
	 * leave the browser to pick, and it keeps nothing) */
	if (!strcasecmp(name, "Cache-Control"))
		MHD_del_response_header(r->resp, "Cache-Control", "no-store");
	MHD_add_response_header(r->resp, name, value);
}

const char *fc_req_header(fc_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *fc_req_query(fc_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *fc_req_cookie(fc_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static const char *peer_ip(fc_req *r, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	buf[0] = 0;
	if (!ci || !ci->client_addr)
		return buf;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)n);
	return buf;
}

/* Whether the peer is one of the trusted proxies (a comma-separated list). */
static int from_proxy(fc_req *r)
{
	char peer[64];
	if (!r->proxies || !*peer_ip(r, peer, sizeof peer))
		return 0;
	size_t len = strlen(peer);
	for (const char *p = r->proxies; *p;) {
		p += strspn(p, " ,");
		size_t k = strcspn(p, " ,");
		if (k == len && !memcmp(p, peer, k))
			return 1;
		p += k;
	}
	return 0;
}

const char *fc_req_client_ip(fc_req *r, char *buf, size_t n)
{
	const char *xff = fc_req_header(r, "X-Forwarded-For");
	if (xff && from_proxy(r)) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " ");
		char ip[64];
		unsigned char bin[16];
		size_t k = strcspn(last, " ");
		if (k < sizeof ip) {
			memcpy(ip, last, k);
			ip[k] = 0;
			if ((inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1) && k < n) {
				memcpy(buf, ip, k + 1);
				return buf;
			}
		}
	}
	return peer_ip(r, buf, n);
}

int fc_req_https(fc_req *r)
{
	const char *proto = fc_req_header(r, "X-Forwarded-Proto");
	return proto && !strcasecmp(proto, "https") && from_proxy(r);
}

static enum MHD_Result send_now(fc_req *r)
{
	if (!r->resp) {
		fc_reply_errorf(r, FC_EIO, "internal", NULL, "The server produced no answer.");
		if (!r->resp)
			return MHD_NO;
	}
	return MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
}

/* A refused body of up to this size is read and dropped (never stored)
 * before the answer is sent. Clients that send the whole body before
 * reading (Python's http.client, many others) then see the answer: a
 * connection closed with unread data is reset and they report a broken
 * pipe instead. libmicrohttpd 0.9.75 can only answer once the headers or the
 * whole body are in, so a bigger refused body is answered at once and the
 * connection closed: clients that read while they send (curl, browsers)
 * still see that answer. */
#define DRAIN_MAX ((uint64_t)4 * 1024 * 1024)

static const char *header(fc_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Called once an answer is set from the headers alone: sends it now when no
 * body follows, when the client waits for "100 Continue" (libmicrohttpd
 * sends that only when no answer is queued, so the body is never sent), or
 * when the body is chunked or bigger than DRAIN_MAX; else reads the body
 * into nothing first (see drain) and answers at its end. */
static enum MHD_Result answer_early(fc_req *r)
{
	const char *cl = header(r, "Content-Length"), *expect = header(r, "Expect");
	if (!cl || strtoull(cl, NULL, 10) > DRAIN_MAX || (expect && !strcasecmp(expect, "100-continue")))
		return send_now(r);
	return MHD_YES;
}

/* Drops n bytes of the body of a request already answered. A body with a
 * Content-Length ends within what was accepted (DRAIN_MAX, or the route's
 * limit when the refusal came later: a full disk), so the answer is sent at
 * its end; a chunked body may never end and is cut after DRAIN_MAX. */
static enum MHD_Result drain(fc_req *r, size_t n)
{
	r->drained += n;
	if (!header(r, "Content-Length") && r->drained > DRAIN_MAX) {
		fc_log(FC_LOG_WARN, "request %s: refused chunked body still coming after %llu bytes; closing",
		       r->request_id, (unsigned long long)r->drained);
		return MHD_NO;
	}
	return MHD_YES;
}

static size_t limit_for(fc_server *s, const fc_route *rt)
{
	if (rt && rt->max_body)
		return rt->max_body;
	if (rt && rt->body == FC_BODY_SPOOL)
		return s->cfg.max_spool;
	return s->cfg.max_body;
}

static int content_type_is(const char *ct, const char *want)
{
	if (!ct)
		return 0;
	size_t n = strlen(want);
	return strncasecmp(ct, want, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

static void reply_too_large(fc_req *r)
{
	fc_reply_errorf(r, FC_ETOOBIG, "too_large", NULL, "The request body is larger than the limit of %zu bytes.",
			r->body_limit);
}

/* The body could not be stored: frees its space at once (on a full disk
 * others need it), then answers 507 or 500. */
static void reply_write_failed(fc_req *r, int errnum)
{
	drop_spool(r);
	fc_err e = {0};
	fc_err_write(&e, errnum, "the request body");
	fc_reply_error(r, &e);
	fc_err_clear(&e);
}

/* Everything decided from the request line and headers: the route, the
 * caller (the precheck hook), the size limit, the content type, the spool
 * file. Answers early (see answer_early) or returns MHD_YES to read the body. */
static enum MHD_Result on_headers(fc_server *s, fc_req *r)
{
	struct MHD_Connection *conn = r->conn;
	r->route = fc_router_match(s->cfg.routes, s->cfg.nroutes, r->method, r->path, r, &r->method_mismatch);
	r->body_limit = limit_for(s, r->route);
	if (r->route && s->cfg.precheck)
		s->cfg.precheck(r);
	if (r->replied)
		return answer_early(r);
	if (r->route && s->cfg.body_limit)
		r->body_limit = s->cfg.body_limit(r, r->body_limit);
	if (r->replied)
		return answer_early(r);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
		reply_too_large(r);
		return answer_early(r);
	}
	if (r->route && r->route->body == FC_BODY_JSON &&
	    (cl ? strtoull(cl, NULL, 10) > 0
		: MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding") != NULL)) {
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		if (!content_type_is(ct, "application/json")) {
			fc_reply_errorf(r, FC_ETYPE, "unsupported_media_type", NULL,
					"Send the body as application/json (got %s).", ct ? ct : "no Content-Type");
			return answer_early(r);
		}
	}
	if (r->route && r->route->body == FC_BODY_SPOOL) {
		char tmpl[1100];
		snprintf(tmpl, sizeof tmpl, "%s/upload-XXXXXX", s->cfg.spool_dir);
		int fd = mkstemp(tmpl);
		if (fd < 0 || !(r->spool = fdopen(fd, "w+b"))) {
			reply_write_failed(r, errno);
			if (fd >= 0) {
				close(fd);
				unlink(tmpl);
			}
			return answer_early(r);
		}
		r->spool_path = strdup(tmpl);
		/* uploads are hashed and written back to disk as they arrive, so
		 * the blob store need not read the whole file back nor wait for
		 * all of it at its fsync (core/spool.h) */
		r->spool_writer = fc_spool_new(fd, cl ? strtoull(cl, NULL, 10) : 0);
		if (!r->spool_path || !r->spool_writer) {
			fc_reply_errorf(r, FC_ENOMEM, NULL, NULL, "Out of memory.");
			return answer_early(r);
		}
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	fc_server *s = cls;
	fc_req *r = *con_cls;
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->app = s->cfg.app;
		r->proxies = s->cfg.trusted_proxies;
		r->server = s;
		r->started_ns = fc_clock_mono_ns();
		/* a process-unique id: start time and a counter, in hex */
		static const char hex[] = "0123456789abcdef";
		uint64_t v = atomic_fetch_add(&s->next_id, 1);
		for (int i = 15; i >= 0; i--, v >>= 4)
			r->request_id[i] = hex[v & 15];
		memcpy(r->request_id + 16, s->boot_id, 7);
		r->request_id[23] = 0;
		for (int i = 0; i < FC_MAX_PARAMS; i++)
			r->ids[i] = -1;
		return on_headers(s, r);
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (r->replied)
			return drain(r, n);
		if (r->body_len + n > r->body_limit) { /* a chunked body grew past the limit */
			reply_too_large(r);
			return drain(r, n);
		}
		r->body_len += n;
		if (r->spool) {
			int e = fc_spool_write(r->spool_writer, upload, n);
			if (e) {
				reply_write_failed(r, e);
				return drain(r, 0);
			}
		} else if (fc_buf_append(&r->body, upload, n)) {
			fc_reply_errorf(r, FC_ENOMEM, NULL, NULL, "Out of memory for the request body.");
			return drain(r, 0);
		}
		return MHD_YES;
	}
	/* the whole body is here */
	int deferred = atomic_load(&r->defer_state);
	if (deferred == DEFER_RUNNING)
		return MHD_YES; /* still on a worker: called again on resume */
	if (deferred == DEFER_DONE)
		return send_now(r);
	if (!r->replied) {
		int e = 0;
		if (r->spool && r->spool_writer) { /* once: the writer is gone after */
			e = fc_spool_finish(r->spool_writer, r->spool_sha256);
			r->spool_writer = NULL;
			if (!e && fseek(r->spool, 0, SEEK_SET))
				e = errno;
		}
		if (e)
			reply_write_failed(r, e);
		else
			s->cfg.dispatch(r);
	}
	if (r->defer_fn) {
		if (!r->replied) {
			defer_start(s, r);
			return MHD_YES;
		}
		pthread_mutex_lock(&s->q.mu); /* answered after all: give the place back */
		s->q.reserved--;
		pthread_mutex_unlock(&s->q.mu);
		r->defer_fn = NULL;
	}
	return send_now(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	fc_server *s = cls;
	fc_req *r = *con_cls;
	if (!r)
		return;
	uint64_t ns = fc_clock_mono_ns() - r->started_ns;
	int idx = r->route ? (int)(r->route - s->cfg.routes) : -1;
	fc_metrics_request(idx, r->status, ns);
	char line[1024], ts[32];
	char path[400];
	size_t j = 0;
	for (const char *p = r->path; *p && j < sizeof path - 2; p++)
		if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			path[j++] = *p;
	path[j] = 0;
	/* integer formatting and a per-thread timestamp cache: this runs for
	 * every request, and printf's float path was a visible cost */
	static _Thread_local int64_t ts_sec = -1;
	static _Thread_local char ts_txt[32];
	int64_t now = fc_clock_now();
	if (now != ts_sec) {
		ts_sec = now;
		fc_clock_format(now, ts_txt, sizeof ts_txt);
	}
	(void)ts;
	unsigned long long us = (unsigned long long)(ns / 1000);
	snprintf(line, sizeof line,
		 "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"request\",\"id\":\"%s\",\"method\":\"%s\","
		 "\"path\":\"%s\",\"route\":\"%s\",\"status\":%d,\"ms\":%llu.%03llu,\"bytes_in\":%llu%s}",
		 ts_txt, r->request_id, r->method, path, r->route ? r->route->name : "", r->status, us / 1000, us % 1000,
		 (unsigned long long)r->body_len, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
	fc_log_line(line);
	atomic_fetch_sub(&s->inflight, 1);
	free_req(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	fc_metrics_connection(code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

int fc_server_start(const fc_server_config *cfg, fc_server **out, fc_err *err)
{
	char host[256];
	const char *colon = strrchr(cfg->listen, ':');
	if (!colon || colon == cfg->listen || (size_t)(colon - cfg->listen) >= sizeof host)
		return fc_err_set(err, FC_EINVAL, "bad_listen", "listen",
				  "The listen address must be HOST:PORT (got '%s').", cfg->listen);
	memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
	host[colon - cfg->listen] = 0;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return fc_err_set(err, FC_EINVAL, "bad_listen", "listen", "Bad port in '%s'.", cfg->listen);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof host, "127.0.0.1");
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return fc_err_set(err, FC_EINVAL, "bad_listen", "listen",
				  "The listen host must be an IPv4 address (got '%s').", host);
	fc_server *s = calloc(1, sizeof *s);
	if (!s)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	s->cfg = *cfg;
	s->next_id = 1;
	snprintf(s->boot_id, sizeof s->boot_id, "%07x", (unsigned)(time(NULL) & 0xfffffff));
	if (defer_init(s)) {
		defer_stop(s);
		free(s);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Cannot start the worker threads.");
	}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
					MHD_ALLOW_SUSPEND_RESUME,
				0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
				on_connection, s, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)(cfg->idle_timeout ? cfg->idle_timeout : 30), MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)(cfg->max_connections ? cfg->max_connections : 4096),
				/* one client cannot take every connection (issue #19: ~4,200
				 * idle ones made the server unreachable for everyone) */
				MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned)(cfg->per_address ? cfg->per_address : 64), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				/* 64 KiB: bigger reads for uploads; 128 KiB halved small-request
		 * throughput, as libmicrohttpd clears the pool per request */
				(size_t)(64 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!s->d) {
		defer_stop(s);
		free(s);
		return fc_err_set(err, FC_EIO, "listen_failed", "listen", "Cannot listen on %s: %s.", cfg->listen,
				  strerror(errno));
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->url, sizeof s->url, "http://%s:%u", host, di ? di->port : (unsigned)port);
	*out = s;
	return 0;
}

const char *fc_server_url(const fc_server *s) { return s->url; }

void fc_server_stop(fc_server *s, int grace_ms)
{
	if (!s)
		return;
	MHD_quiesce_daemon(s->d);
	for (int waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10)
		usleep(10000);
	defer_stop(s); /* the queue drains: every suspended connection is resumed */
	MHD_stop_daemon(s->d);
	free(s);
}
