/* Domain events and the outbox, seen from outside: a failing subscriber
 * leaves nothing written; webhooks are validated, signed, delivered from
 * the outbox at least once, retried, and survive kill -9. The receiver is a
 * real HTTP server (libmicrohttpd) in this process. */
#include "harness.h"
#include "rxbody.h"
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- a webhook receiver ---- */

#define MAX_HITS 64
typedef struct hit {
	char action[64], signature[80], delivery[32];
	char *body;
} hit;
static struct {
	pthread_mutex_t lock;
	struct MHD_Daemon *d;
	int answer; /* status the receiver answers with */
	int n;
	hit hits[MAX_HITS];
	int port;
} RX = {.lock = PTHREAD_MUTEX_INITIALIZER};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **state)
{
	enum MHD_Result ret;
	if (!rx_body(state, data, size, &ret))
		return ret;
	upload *u = *state;
	pthread_mutex_lock(&RX.lock);
	int answer = RX.answer;
	if (RX.n < MAX_HITS) {
		hit *h = &RX.hits[RX.n++];
		const char *v;
		snprintf(h->action, sizeof h->action, "%s",
			 (v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Faircrowd-Event")) ? v : "");
		snprintf(h->signature, sizeof h->signature, "%s",
			 (v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Faircrowd-Signature")) ? v : "");
		snprintf(h->delivery, sizeof h->delivery, "%s",
			 (v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Faircrowd-Delivery")) ? v : "");
		h->body = u->p ? u->p : strdup("");
		u->p = NULL;
	}
	pthread_mutex_unlock(&RX.lock);
	struct MHD_Response *r = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)answer, r);
	MHD_destroy_response(r);
	return ok;
}

static void rx_start(int answer)
{
	RX.answer = answer;
	RX.n = 0;
	RX.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, rx_body_done, NULL, MHD_OPTION_END);
	cr_assert(RX.d, "the webhook receiver did not start");
	RX.port = MHD_get_daemon_info(RX.d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void rx_stop(void)
{
	if (RX.d)
		MHD_stop_daemon(RX.d);
	RX.d = NULL;
	for (int i = 0; i < RX.n; i++)
		free(RX.hits[i].body);
	RX.n = 0;
}

static void rx_answer(int status)
{
	pthread_mutex_lock(&RX.lock);
	RX.answer = status;
	pthread_mutex_unlock(&RX.lock);
}

/* Waits up to 15 s for the receiver to hold a request for action; its
 * index, or -1. */
static int rx_wait(const char *action, int after)
{
	for (int tries = 0; tries < 200; tries++) { /* up to 20 s */
		pthread_mutex_lock(&RX.lock);
		for (int i = after; i < RX.n; i++)
			if (!strcmp(RX.hits[i].action, action)) {
				pthread_mutex_unlock(&RX.lock);
				return i;
			}
		pthread_mutex_unlock(&RX.lock);
		usleep(100 * 1000);
	}
	return -1;
}

static void expect_signed(const hit *h, const char *secret)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)h->body, strlen(h->body));
	crypto_auth_hmacsha256_final(&st, mac);
	char want[80] = "sha256=";
	sodium_bin2hex(want + 7, sizeof want - 7, mac, sizeof mac);
	cr_expect_str_eq(h->signature, want, "signature of %s", h->body);
}

/* ---- set-up ---- */

static srv S;
static char REQ2[64];
#define REQ S.req
#define C1 S.c[0]

static void up_env(const char *const *env)
{
	suite_with_users_env(&S, env, 1);
	make_user(&S, "req2@test.local", "requester", REQ2);
}

static void up(void) { up_env(NULL); }
static void down(void)
{
	srv_stop(&S);
	rx_stop();
}

/* A funded draft with ntasks tasks, reward 10. */
static long long draft(int ntasks)
{
	long long pid = project_create(&S, REQ,
				       json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Events", "label_config",
						 SENTIMENT_CONFIG, "reward", 10, "overlap", 1, "reject_reasons", "spam"));
	char body[4096];
	project_import(&S, pid, REQ, ndjson_lines(body, sizeof body, "{\"text\":\"item %d\"}\n", ntasks));
	project_fund(&S, pid, REQ, 1000);
	return pid;
}

static long long publish(long long pid, long expect)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/publish", pid);
	res r = api(&S, "POST", path, REQ, NULL);
	cr_assert_eq(r.status, expect, "%s", r.body);
	res_free(&r);
	return pid;
}

/* Leases a task as C1 and submits; returns the submit's answer. */
static res lease_submit(long long pid, long long *aid)
{
	*aid = lease_ok(&S, pid, C1);
	return submit_choice(&S, *aid, C1, "sentiment", "pos", NULL);
}

static long long money_field(long long pid, const char *field)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/money", pid);
	res r = api(&S, "GET", path, REQ, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	long long v = jint(r.json, field);
	res_free(&r);
	return v;
}

/* ---- a failing subscriber rolls the whole write back ---- */

static const char *const FAIL_SUBMITTED[] = {"FAIRCROWD_TEST_FAIL_EVENT=submitted", NULL};
static void up_fail_submitted(void) { up_env(FAIL_SUBMITTED); }

TestSuite(events_rollback, .init = up_fail_submitted, .fini = down, .timeout = 120);

Test(events_rollback, failing_subscriber_leaves_no_submission_money_or_review)
{
	long long pid = publish(draft(2), 200), aid;
	long long escrow = money_field(pid, "escrow_balance");
	res r = lease_submit(pid, &aid);
	cr_expect_eq(r.status, 500, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "injected_failure", "%s", r.body);
	res_free(&r);
	/* money's handler ran before the failing one: its ledger lines are gone too */
	cr_expect_eq(money_field(pid, "escrow_balance"), escrow);
	cr_expect_eq(money_field(pid, "pending"), 0);
	r = api(&S, "GET", "/api/v1/me/submissions", C1, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", C1, NULL);
	cr_expect_eq(jint(r.json, "pending"), 0, "%s", r.body);
	res_free(&r);
	/* the assignment is still leased: the same submit fails the same way, not 409 */
	r = submit_choice(&S, aid, C1, "sentiment", "pos", NULL);
	cr_expect_eq(r.status, 500, "%s", r.body);
	res_free(&r);
}

static const char *const FAIL_PUBLISHED[] = {"FAIRCROWD_TEST_FAIL_EVENT=project_published", NULL};
static void up_fail_published(void) { up_env(FAIL_PUBLISHED); }
TestSuite(events_rollback_publish, .init = up_fail_published, .fini = down, .timeout = 120);

Test(events_rollback_publish, failing_subscriber_keeps_the_project_a_draft)
{
	long long pid = publish(draft(1), 500);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	res r = api(&S, "GET", path, REQ, NULL);
	cr_expect_str_eq(jstr(r.json, "status"), "draft", "%s", r.body);
	res_free(&r);
}

/* ---- webhooks ---- */

TestSuite(webhooks, .init = up, .fini = down, .timeout = 180);

static long long hook(long long pid, const char *token, const char *url, const char *secret, long expect)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	res r = api(&S, "POST", path, token, "{s:s,s:[s,s,s,s],s:s}", "url", url, "events", "ANNOTATION_CREATED",
		    "PROJECT_PUBLISHED", "TASKS_CREATED", "SUBMISSION_ACCEPTED", "secret", secret);
	cr_assert_eq(r.status, expect, "%s", r.body);
	long long id = r.status == 201 ? jint(r.json, "id") : 0;
	if (r.status == 201)
		cr_expect_null(jget(r.json, "secret"), "the secret is never shown again: %s", r.body);
	res_free(&r);
	return id;
}

Test(webhooks, bad_requests_are_refused_naming_the_field)
{
	long long pid = draft(1);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	res r = http(&S, "POST", path, REQ, "application/json", "{\"url\":", 7, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	struct {
		const char *json, *field;
	} bad[] = {
		{"{\"events\":[\"TASKS_CREATED\"],\"secret\":\"s\"}", "url"},
		{"{\"url\":5,\"events\":[\"TASKS_CREATED\"],\"secret\":\"s\"}", "url"},
		{"{\"url\":\"ftp://x.test/\",\"events\":[\"TASKS_CREATED\"],\"secret\":\"s\"}", "url"},
		{"{\"url\":\"http://\",\"events\":[\"TASKS_CREATED\"],\"secret\":\"s\"}", "url"},
		{"{\"url\":\"http://a b/\",\"events\":[\"TASKS_CREATED\"],\"secret\":\"s\"}", "url"},
		{"{\"url\":\"http://x.test/\",\"events\":[],\"secret\":\"s\"}", "events"},
		{"{\"url\":\"http://x.test/\",\"events\":[\"NOPE\"],\"secret\":\"s\"}", "events"},
		{"{\"url\":\"http://x.test/\",\"events\":[7],\"secret\":\"s\"}", "events"},
		{"{\"url\":\"http://x.test/\",\"events\":[\"TASKS_CREATED\",\"TASKS_CREATED\"],\"secret\":\"s\"}",
		 "events"},
		{"{\"url\":\"http://x.test/\",\"events\":[\"TASKS_CREATED\"],\"secret\":\"\"}", "secret"},
		{"{\"url\":\"http://x.test/\",\"events\":[\"TASKS_CREATED\"]}", "secret"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = http(&S, "POST", path, REQ, "application/json", bad[i].json, strlen(bad[i].json), NULL);
		cr_expect_eq(r.status, 400, "%s → %s", bad[i].json, r.body);
		cr_expect_str_eq(jstr(r.json, "error.field") ? jstr(r.json, "error.field") : "", bad[i].field,
				 "%s → %s", bad[i].json, r.body);
		res_free(&r);
	}
	/* nobody but the owner sees or changes the project's webhooks */
	r = http(&S, "POST", path, NULL, "application/json", "{}", 2, NULL);
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	hook(pid, REQ2, "http://x.test/", "s", 404);
	hook(pid, C1, "http://x.test/", "s", 404);
	long long wid = hook(pid, REQ, "http://x.test/", "s", 201);
	r = api(&S, "GET", path, REQ2, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld", pid, wid);
	r = api(&S, "DELETE", path, REQ2, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld", pid, wid + 1000);
	r = api(&S, "DELETE", path, REQ, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
}

Test(webhooks, delivered_signed_and_listed)
{
	rx_start(200);
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", RX.port);
	long long pid = draft(2);
	long long wid = hook(pid, REQ, url, "s3cret-key", 201);
	publish(pid, 200);
	int i = rx_wait("PROJECT_PUBLISHED", 0);
	cr_assert_geq(i, 0, "PROJECT_PUBLISHED never arrived");
	expect_signed(&RX.hits[i], "s3cret-key");
	json_t *b = json_loads(RX.hits[i].body, 0, NULL);
	cr_expect_str_eq(jstr(b, "action"), "PROJECT_PUBLISHED");
	cr_expect_eq(jint(b, "project.id"), pid);
	json_decref(b);
	long long aid;
	res r = lease_submit(pid, &aid);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	i = rx_wait("ANNOTATION_CREATED", 0);
	cr_assert_geq(i, 0, "ANNOTATION_CREATED never arrived");
	expect_signed(&RX.hits[i], "s3cret-key");
	b = json_loads(RX.hits[i].body, 0, NULL);
	cr_expect_eq(jint(b, "annotation.id"), sid, "%s", RX.hits[i].body);
	cr_expect_str_eq(jstr(b, "annotation.result.0.value.choices.0"), "pos", "%s", RX.hits[i].body);
	cr_expect_gt(jint(b, "task.id"), 0);
	json_decref(b);
	/* tasks added to a live project */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks", pid);
	r = http(&S, "POST", path, REQ, "application/x-ndjson", "{\"text\":\"more\"}\n", 16, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	i = rx_wait("TASKS_CREATED", 0);
	cr_assert_geq(i, 0, "TASKS_CREATED never arrived");
	b = json_loads(RX.hits[i].body, 0, NULL);
	cr_expect_eq(jint(b, "tasks_created"), 1, "%s", RX.hits[i].body);
	json_decref(b);
	/* a rejection was not asked for: nothing is sent for it */
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
	r = api(&S, "POST", path, REQ, "{s:s,s:s}", "reason_code", "spam", "message", "Not a real answer.");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	/* the list counts deliveries; the log shows each */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	for (int tries = 0;; tries++) { /* the last delivery may still be settling (up to 20 s) */
		r = api(&S, "GET", path, REQ, NULL);
		if (jint(r.json, "items.0.delivered") == 3 || tries >= 200)
			break; /* the last answer is kept for the checks below */
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_expect_eq(jint(r.json, "items.0.id"), wid, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.delivered"), 3, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.pending"), 0, "%s", r.body);
	res_free(&r);
	pthread_mutex_lock(&RX.lock);
	for (int k = 0; k < RX.n; k++)
		cr_expect_str_neq(RX.hits[k].action, "SUBMISSION_REJECTED");
	pthread_mutex_unlock(&RX.lock);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, wid);
	r = api(&S, "GET", path, REQ, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 3, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.state"), "delivered", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.last_status"), 200, "%s", r.body);
	res_free(&r);
	/* the counters operators watch */
	r = http(&S, "GET", "/metrics", S.admin_token, NULL, NULL, 0, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(strstr(r.body, "faircrowd_events_total{kind=\"submitted\"} 1\n"), "%s", r.body);
	cr_expect(strstr(r.body, "faircrowd_events_total{kind=\"rejected\"} 1\n"), "%s", r.body);
	cr_expect(strstr(r.body, "faircrowd_outbox_delivered_total 3\n"), "%s", r.body);
	res_free(&r);
	/* deleted: no more deliveries, and it is gone from the list */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld", pid, wid);
	r = api(&S, "DELETE", path, REQ, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	r = api(&S, "GET", path, REQ, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "%s", r.body);
	res_free(&r);
}

/* The delivery log at path once its newest item is delivered (up to 20 s
 * for the delivery to be recorded); the last answer either way. */
static res latest_delivered(const char *path)
{
	res r;
	for (int tries = 0;; tries++) {
		r = api(&S, "GET", path, REQ, NULL);
		const char *state = jstr(r.json, "items.0.state");
		if ((state && !strcmp(state, "delivered")) || tries >= 200)
			return r;
		res_free(&r);
		usleep(100 * 1000);
	}
}

Test(webhooks, a_test_event_is_signed_delivered_and_logged)
{
	rx_start(200);
	char url[96], path[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", RX.port);
	long long pid = draft(1);
	long long wid = hook(pid, REQ, url, "ping-secret", 201);
	/* only the owner, only a webhook of that project */
	struct {
		long long pid, wid;
		const char *token, *who;
	} refused[] = {{pid, wid, REQ2, "another requester"},
		       {pid, wid, C1, "a contributor"},
		       {pid + 1000, wid, REQ, "another project"},
		       {pid, wid + 1000, REQ, "no such webhook"}};
	res r;
	for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
		snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/test", refused[k].pid, refused[k].wid);
		r = api(&S, "POST", path, refused[k].token, NULL);
		cr_expect_eq(r.status, 404, "%s: %s", refused[k].who, r.body);
		res_free(&r);
	}
	cr_expect_eq(rx_wait("PING", 0), -1, "nothing sent for a refused request");
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/test", pid, wid);
	r = api(&S, "POST", path, REQ, NULL);
	cr_assert_eq(r.status, 202, "%s", r.body);
	long long did = jint(r.json, "id");
	cr_expect_str_eq(jstr(r.json, "action"), "PING");
	res_free(&r);
	int i = rx_wait("PING", 0);
	cr_assert_geq(i, 0, "the test event never arrived");
	expect_signed(&RX.hits[i], "ping-secret");
	cr_expect_eq(atoll(RX.hits[i].delivery), did, "the delivery id is the log's");
	json_t *b = json_loads(RX.hits[i].body, 0, NULL);
	cr_expect_str_eq(jstr(b, "action"), "PING", "%s", RX.hits[i].body);
	cr_expect_eq(jint(b, "project.id"), pid);
	cr_expect_eq(jint(b, "webhook.id"), wid);
	cr_expect(json_is_true(jget(b, "test")));
	json_decref(b);
	/* the delivery log shows it with the receiver's answer */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, wid);
	r = latest_delivered(path);
	cr_expect_eq(jint(r.json, "items.0.id"), did, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.action"), "PING", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.state"), "delivered", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.last_status"), 200, "%s", r.body);
	res_free(&r);
}

/* http/outbound.h: a URL whose address the policy refuses is a 422 when it
 * is given, naming the address and why. */
static void refused_at_creation(long long pid, const char *url, const char *why)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	res r = api(&S, "POST", path, REQ, "{s:s,s:[s],s:s}", "url", url, "events", "TASKS_CREATED", "secret", "k");
	cr_expect_eq(r.status, 422, "%s → %s", url, r.body);
	cr_expect_str_eq(jstr(r.json, "error.code") ? jstr(r.json, "error.code") : "", "address_refused", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field") ? jstr(r.json, "error.field") : "", "url", "%s", r.body);
	const char *m = jstr(r.json, "error.message");
	cr_expect(m && strstr(m, why), "%s → %s", url, r.body);
	res_free(&r);
}

static const char *const PUBLIC[] = {"FAIRCROWD_OUTBOUND=public", NULL};

Test(webhooks, a_refused_address_is_a_422_when_given)
{
	long long pid = draft(1);
	refused_at_creation(pid, "http://169.254.169.254/latest/meta-data/",
			    "169.254.169.254 is a link-local address (where cloud metadata services answer)");
	refused_at_creation(pid, "http://2852039166/", "169.254.169.254 is a link-local address");
	refused_at_creation(pid, "https://[fe80::1]:8443/hook", "fe80::1 is a link-local address");
	hook(pid, REQ, "http://127.0.0.1:9/hook", "k", 201); /* loopback: allowed by default */
	/* under --outbound public, loopback and private networks too, by literal or by name */
	S.env = PUBLIC;
	srv_restart(&S, SIGTERM);
	refused_at_creation(pid, "http://127.0.0.1:9/hook", "127.0.0.1 is a loopback address");
	refused_at_creation(pid, "http://localhost:9/hook", "is a loopback address");
	refused_at_creation(pid, "http://10.1.2.3/hook", "10.1.2.3 is a private-network address");
	refused_at_creation(pid, "http://[::1]:9/hook", "::1 is a loopback address");
	hook(pid, REQ, "http://8.8.8.8/hook", "k", 201);
}

/* A stored URL whose address became refused (a DNS answer that changed; here
 * the policy did) is still refused at connect time, and the log says why. */
Test(webhooks, a_refused_address_is_refused_at_delivery_and_the_log_says_why)
{
	long long pid = draft(1);
	long long wid = hook(pid, REQ, "http://127.0.0.1:9/hook", "k", 201);
	S.env = PUBLIC;
	srv_restart(&S, SIGTERM);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/test", pid, wid);
	res r = api(&S, "POST", path, REQ, NULL);
	cr_assert_eq(r.status, 202, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, wid);
	for (int tries = 0;; tries++) { /* up to 20 s for the attempt to be recorded */
		r = api(&S, "GET", path, REQ, NULL);
		const char *e = jstr(r.json, "items.0.last_error");
		if ((e && *e) || tries >= 200)
			break;
		res_free(&r);
		usleep(100 * 1000);
	}
	const char *e = jstr(r.json, "items.0.last_error");
	cr_expect(e && strstr(e, "127.0.0.1 is a loopback address"), "%s", r.body);
	cr_expect_str_neq(jstr(r.json, "items.0.state") ? jstr(r.json, "items.0.state") : "", "delivered", "%s", r.body);
	res_free(&r);
}

Test(webhooks, retried_with_backoff_and_delivered_after_kill_9)
{
	rx_start(503);
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", RX.port);
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long pid = draft(1);
	long long wid = hook(pid, REQ, url, "k", 201);
	publish(pid, 200);
	int first = rx_wait("PROJECT_PUBLISHED", 0);
	cr_assert_geq(first, 0, "the first attempt never arrived");
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, wid);
	res r;
	for (int tries = 0;; tries++) { /* wait (up to 20 s) for the failed attempt to be recorded */
		r = api(&S, "GET", path, REQ, NULL);
		if (jint(r.json, "items.0.last_status") == 503 || tries >= 200)
			break; /* the last answer is kept for the checks below */
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_expect_str_eq(jstr(r.json, "items.0.state"), "pending", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.attempts"), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.last_status"), 503, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.next_at"), "2030-01-01T00:00:10Z", "first retry after 10 s: %s", r.body);
	res_free(&r);
	/* the server dies; the receiver recovers; the retry still comes */
	srv_restart(&S, SIGKILL);
	rx_answer(200);
	set_clock(&S, "2030-01-01T00:00:05Z");
	usleep(1500 * 1000);
	pthread_mutex_lock(&RX.lock);
	int before = RX.n;
	pthread_mutex_unlock(&RX.lock);
	cr_expect_eq(before, 1, "no retry before its time");
	set_clock(&S, "2030-01-01T00:00:11Z"); /* runs the jobs, the outbox among them */
	int again = rx_wait("PROJECT_PUBLISHED", first + 1);
	cr_assert_geq(again, 0, "the retry never arrived after the restart");
	cr_expect_str_eq(RX.hits[again].delivery, RX.hits[first].delivery, "a redelivery keeps its delivery id");
	cr_expect_str_eq(RX.hits[again].body, RX.hits[first].body, "a redelivery sends the same bytes");
	expect_signed(&RX.hits[again], "k");
	r = latest_delivered(path);
	cr_expect_str_eq(jstr(r.json, "items.0.state"), "delivered", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.attempts"), 2, "%s", r.body);
	res_free(&r);
}

Test(webhooks, given_up_after_a_day_of_failures)
{
	rx_start(503);
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", RX.port);
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long pid = draft(1);
	long long wid = hook(pid, REQ, url, "k", 201);
	publish(pid, 200);
	cr_assert_geq(rx_wait("PROJECT_PUBLISHED", 0), 0, "the first attempt never arrived");
	/* a day later the next attempt fails too: the item is given up, not retried forever */
	set_clock(&S, "2030-01-02T00:00:01Z");
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks/%lld/deliveries", pid, wid);
	res r;
	for (int tries = 0;; tries++) { /* up to 20 s; the last answer is kept for the checks below */
		r = api(&S, "GET", path, REQ, NULL);
		if (!strcmp(jstr(r.json, "items.0.state") ? jstr(r.json, "items.0.state") : "", "failed") || tries >= 200)
			break;
		res_free(&r);
		usleep(100 * 1000);
	}
	cr_expect_str_eq(jstr(r.json, "items.0.state"), "failed", "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.last_status"), 503, "%s", r.body);
	cr_expect(json_is_null(jget(r.json, "items.0.next_at")), "no further attempt is planned: %s", r.body);
	res_free(&r);
	pthread_mutex_lock(&RX.lock);
	int hits = RX.n;
	pthread_mutex_unlock(&RX.lock);
	set_clock(&S, "2030-01-03T00:00:00Z");
	usleep(1500 * 1000);
	pthread_mutex_lock(&RX.lock);
	cr_expect_eq(RX.n, hits, "a given-up item is not delivered again");
	pthread_mutex_unlock(&RX.lock);
	r = http(&S, "GET", "/metrics", S.admin_token, NULL, NULL, 0, NULL);
	cr_expect(strstr(r.body, "faircrowd_outbox_given_up_total 1\n"), "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/webhooks", pid);
	r = api(&S, "GET", path, REQ, NULL);
	cr_expect_eq(jint(r.json, "items.0.failed"), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.pending"), 0, "%s", r.body);
	res_free(&r);
}

/* ---- slow media work has a thread of its own ---- */

/* Each peaks decode waits 8 s first: an hour of audio on a busy machine. */
static const char *const SLOW_MEDIA[] = {"FAIRCROWD_TEST_MEDIA_DELAY_MS=8000", NULL};
static void up_slow_media(void) { up_env(SLOW_MEDIA); }
TestSuite(media_worker, .init = up_slow_media, .fini = down, .timeout = 180);

/* GET the media's peaks until the job has stored them (up to 30 s); 1 when it has. */
static int peaks_stored(long long mid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/media/%lld/peaks?n=4", mid);
	for (int tries = 0; tries < 300; tries++) {
		res r = api(&S, "GET", path, REQ, NULL);
		int stored = r.status == 200 && !strcmp(jstr(r.json, "source") ? jstr(r.json, "source") : "", "stored");
		res_free(&r);
		if (stored)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

Test(media_worker, a_webhook_is_delivered_while_a_long_decode_runs_and_the_decode_survives_a_crash)
{
	char wav[96], cmd[256];
	snprintf(wav, sizeof wav, "/tmp/fc-media-worker-%d.wav", (int)getpid());
	snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 -b 16 %s synth 2 square 100 vol 0.8", wav);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	rx_start(200);
	char url[96];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", RX.port);
	set_clock(&S, "2030-01-01T00:00:00Z");
	long long mid = stored_recording(&S, wav); /* queues its peaks: 8 s of work */
	unlink(wav);
	usleep(2000 * 1000); /* the job is claimed and running (its thread polls every second) */
	long long pid = draft(1);
	hook(pid, REQ, url, "k", 201);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	publish(pid, 200);
	int i = rx_wait("PROJECT_PUBLISHED", 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_geq(i, 0, "the webhook never arrived");
	/* one thread for both, it came after the decode: 6 s or more */
	cr_expect_lt(waited, 4.0, "the webhook waited %.1f s behind the media job", waited);
	/* the server dies during the decode; after the restart the claim of
	 * the dead server runs out (10 minutes) and the job is done once */
	srv_restart(&S, SIGKILL);
	set_clock(&S, "2030-01-01T00:11:00Z");
	cr_expect(peaks_stored(mid), "the peaks were never stored after the restart");
}
