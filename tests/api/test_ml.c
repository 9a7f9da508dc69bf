/* ML assistance seen from outside: a project attaches a backend that speaks
 * Label Studio's ML-backend protocol, its predictions are stored and served
 * in leases, a slow, failing or lying backend leaves nothing stored and its
 * error on the project, and the "uncertainty" order hands out the least
 * confident task first. The backend is the TEST ML BACKEND below: a real
 * HTTP server (libmicrohttpd) in this process that answers /health, /setup
 * and /predict the way its mode says. */
#include "harness.h"
#include "rxbody.h"
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the test ML backend ---- */

typedef enum mode {
	ML_OK,      /* one "pos" per task, score = data.conf (0.5 without) */
	ML_SLOW,    /* answers /predict after 4 s (the server waits 1.5 s) */
	ML_FAIL,    /* /predict answers 500 */
	ML_GARBAGE, /* /predict answers bytes that are not JSON */
	ML_MISFIT,  /* /predict answers a choice the config does not have */
	ML_SHORT,   /* /predict answers one result fewer than tasks asked */
	ML_DOWN,    /* /health answers 503 */
} mode;

static struct {
	pthread_mutex_t lock;
	struct MHD_Daemon *d;
	mode mode;
	int port;
	int predict_calls, max_batch, tasks_seen;
	int saw_label_config; /* every /predict carried the project's config */
	json_t *last_context; /* the params.context of the last interactive /predict */
	int webhooks;         /* training events received */
	json_t *last_webhook; /* the last one's body */
} BE = {.lock = PTHREAD_MUTEX_INITIALIZER};

static char *predict_answer(const json_t *req, mode m)
{
	const json_t *tasks = json_object_get(req, "tasks");
	json_t *results = json_array();
	size_t i, n = json_array_size(tasks);
	json_t *t;
	json_array_foreach(tasks, i, t) {
		if (m == ML_SHORT && i == n - 1)
			break;
		const json_t *conf = json_object_get(json_object_get(t, "data"), "conf");
		json_array_append_new(results, json_pack("{s:[{s:s,s:s,s:s,s:{s:[s]}}],s:f,s:s}", "result", "from_name",
							 "sentiment", "to_name", "text", "type", "choices", "value",
							 "choices", m == ML_MISFIT ? "maybe" : "pos", "score",
							 json_is_number(conf) ? json_number_value(conf) : 0.5,
							 "model_version", "test-v1"));
	}
	json_t *answer = json_pack("{s:o}", "results", results);
	char *txt = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	return txt;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **state)
{
	enum MHD_Result ret;
	if (!rx_body(state, data, size, &ret))
		return ret;
	upload *u = *state;
	pthread_mutex_lock(&BE.lock);
	mode m = BE.mode;
	pthread_mutex_unlock(&BE.lock);
	unsigned status = 200;
	char *body = NULL;
	if (!strcmp(url, "/health")) {
		status = m == ML_DOWN ? 503 : 200;
		body = strdup("{\"status\":\"UP\",\"model_class\":\"TestBackend\"}");
	} else if (!strcmp(url, "/webhook")) {
		pthread_mutex_lock(&BE.lock);
		BE.webhooks++;
		json_decref(BE.last_webhook);
		BE.last_webhook = json_loads(u->p ? u->p : "", 0, NULL);
		pthread_mutex_unlock(&BE.lock);
		body = strdup("{\"status\":\"ok\"}");
	} else if (!strcmp(url, "/setup")) {
		body = strdup("{\"model_version\":\"test-v1\"}");
	} else if (!strcmp(url, "/predict")) {
		json_t *req = json_loads(u->p ? u->p : "", 0, NULL);
		pthread_mutex_lock(&BE.lock);
		int n = (int)json_array_size(json_object_get(req, "tasks"));
		BE.predict_calls++;
		BE.tasks_seen += n;
		if (n > BE.max_batch)
			BE.max_batch = n;
		const char *lc = json_string_value(json_object_get(req, "label_config"));
		if (!lc || !strstr(lc, "<Choices"))
			BE.saw_label_config = 0;
		json_t *context = json_object_get(json_object_get(req, "params"), "context");
		if (context) { /* the batch runs send none: keep the last click */
			json_decref(BE.last_context);
			BE.last_context = json_incref(context);
		}
		pthread_mutex_unlock(&BE.lock);
		if (m == ML_SLOW)
			sleep(4);
		if (m == ML_FAIL) {
			status = 500;
			body = strdup("{\"error\":\"model crashed\"}");
		} else if (m == ML_GARBAGE) {
			body = strdup("<html>this is not JSON</html>");
		} else {
			body = predict_answer(req, m);
		}
		json_decref(req);
	} else {
		status = 404;
		body = strdup("{}");
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static void be_start(mode m)
{
	BE.mode = m;
	BE.saw_label_config = 1;
	BE.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
				NULL, NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, rx_body_done, NULL,
				MHD_OPTION_END);
	cr_assert(BE.d, "the test ML backend did not start");
	BE.port = MHD_get_daemon_info(BE.d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void be_mode(mode m)
{
	pthread_mutex_lock(&BE.lock);
	BE.mode = m;
	pthread_mutex_unlock(&BE.lock);
}

static int be_calls(void)
{
	pthread_mutex_lock(&BE.lock);
	int n = BE.predict_calls;
	pthread_mutex_unlock(&BE.lock);
	return n;
}

/* ---- set-up ---- */

static srv S;
static char REQ2[64];
#define REQ S.req
#define C1 S.c[0]
#define C2 S.c[1]
#define C3 S.c[2]
static const char *const ENV[] = {"FAIRCROWD_ML_TIMEOUT_MS=1500", NULL};

static void up(void)
{
	be_start(ML_OK);
	suite_with_users_env(&S, ENV, 3);
	make_user(&S, "req2@test.local", "requester", REQ2);
}

static void down(void)
{
	srv_stop(&S);
	if (BE.d)
		MHD_stop_daemon(BE.d);
	BE.d = NULL;
}

TestSuite(ml, .init = up, .fini = down, .timeout = 240);

static char URL[128];
static const char *be_url(void)
{
	snprintf(URL, sizeof URL, "http://127.0.0.1:%d/", BE.port);
	return URL;
}

/* A live, funded project of the sentiment config with the tasks in ndjson. */
static long long live(const char *order, const char *ndjson)
{
	json_t *body = json_pack("{s:s,s:s,s:i,s:i}", "title", "ML", "label_config", SENTIMENT_CONFIG, "reward", 10,
				 "overlap", 1);
	if (order)
		json_object_set_new(body, "order", json_string(order));
	return project_live(&S, REQ, body, ndjson, 100000);
}

static res attach(long long pid, const char *token, const char *url)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	return api(&S, "PUT", path, token, "{s:s,s:b}", "url", url, "interactive", 0);
}

static void attach_ok(long long pid)
{
	res r = attach(pid, REQ, be_url());
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "attached")));
	res_free(&r);
}

static json_t *status(long long pid)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	res r = api(&S, "GET", path, REQ, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	json_t *j = json_incref(r.json);
	res_free(&r);
	return j;
}

/* Waits (real time: the outbox drains every second) until the project has
 * n predictions, or an error when error is set; the last status. */
static json_t *wait_ml(long long pid, long long n, int error)
{
	json_t *st = NULL;
	for (int i = 0; i < 100; i++) {
		json_decref(st);
		st = status(pid);
		if (error ? json_is_string(jget(st, "last_error")) : jint(st, "predicted") >= n)
			return st;
		usleep(150 * 1000);
	}
	return st;
}

/* The first predictions of a lease whose origin is a model. */
static json_t *model_prediction(json_t *lease)
{
	json_t *ps = jget(lease, "task.predictions"), *p;
	size_t i;
	json_array_foreach(ps, i, p)
		if (!strcmp(jstr(p, "origin") ? jstr(p, "origin") : "", "model"))
			return p;
	return NULL;
}

/* ---- attach: unhappy paths first ---- */

Test(ml, attach_refuses_a_dead_backend_naming_the_failure)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	res r = attach(pid, REQ, "http://127.0.0.1:1");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "ml_backend_unavailable");
	cr_expect(strstr(jstr(r.json, "error.message"), "/health"), "%s", r.body);
	res_free(&r);
	/* a cloud metadata address is refused before any connection (http/outbound.h) */
	r = attach(pid, REQ, "http://169.254.169.254:1");
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code") ?: "", "address_refused", "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field") ?: "", "url", "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "169.254.169.254 is a link-local address"), "%s", r.body);
	res_free(&r);
	be_mode(ML_DOWN); /* answers, but not UP */
	r = attach(pid, REQ, be_url());
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "HTTP 503"), "%s", r.body);
	res_free(&r);
	json_t *st = status(pid);
	cr_expect(json_is_false(jget(st, "attached")), "nothing was attached");
	json_decref(st);
}

Test(ml, attach_validates_the_body)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	res r = api(&S, "PUT", path, REQ, "{s:s}", "url", "ftp://example.org");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "url");
	res_free(&r);
	r = api(&S, "PUT", path, REQ, "{s:s,s:s}", "url", be_url(), "builtin", "text-classifier");
	cr_expect_eq(r.status, 400, "both: %s", r.body);
	res_free(&r);
	r = api(&S, "PUT", path, REQ, "{}");
	cr_expect_eq(r.status, 400, "neither: %s", r.body);
	res_free(&r);
	r = api(&S, "PUT", path, REQ, "{s:s}", "builtin", "no-such-model");
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "builtin");
	res_free(&r);
	r = api(&S, "PUT", path, REQ, "{s:i}", "url", 5);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
}

Test(ml, other_peoples_projects_are_refused)
{
	/* a draft is invisible to others: 404; a live project is visible: 403 */
	long long draft =
		project_create(&S, REQ, json_pack("{s:s,s:s}", "title", "Draft", "label_config", SENTIMENT_CONFIG));
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	res r = attach(draft, REQ2, be_url());
	cr_expect_eq(r.status, 404, "other requester, draft: %s", r.body);
	res_free(&r);
	r = attach(pid, REQ2, be_url());
	cr_expect_eq(r.status, 403, "other requester, live: %s", r.body);
	res_free(&r);
	r = attach(pid, C1, be_url());
	cr_expect_eq(r.status, 403, "contributor: %s", r.body);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", draft);
	r = api(&S, "GET", path, REQ2, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, C1, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml/predict", pid);
	r = api(&S, "POST", path, REQ2, NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	cr_expect_eq(be_calls(), 0, "nobody reached the backend");
	res r2 = attach(draft, REQ, be_url());
	cr_expect_eq(r2.status, 200, "the owner may attach to a draft: %s", r2.body);
	res_free(&r2);
}

/* ---- predictions ---- */

Test(ml, predictions_are_stored_in_batches_and_served_in_leases)
{
	char buf[8192];
	long long pid = live(NULL, ndjson_lines(buf, sizeof buf, "{\"text\":\"item %d\",\"conf\":0.75}\n", 40));
	attach_ok(pid);
	json_t *st = wait_ml(pid, 40, 0);
	cr_expect_eq(jint(st, "predicted"), 40, "%s", json_dumps(st, 0));
	cr_expect_eq(jint(st, "pending"), 0);
	cr_expect_str_eq(jstr(st, "model_version"), "test-v1");
	cr_expect(json_is_null(jget(st, "last_error")));
	json_decref(st);
	cr_expect_eq(BE.max_batch, 32, "tasks go in batches of 32");
	cr_expect(BE.saw_label_config, "/predict carries the project's label config");

	res r = lease(&S, pid, C1);
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *p = model_prediction(r.json);
	cr_assert(p, "a model prediction in the lease: %s", r.body);
	cr_expect_str_eq(jstr(p, "model_version"), "test-v1");
	cr_expect_float_eq(json_number_value(jget(p, "score")), 0.75, 1e-9);
	cr_expect_str_eq(jstr(p, "result.0.value.choices.0"), "pos");
	cr_expect(!jget(r.json, "ml_interactive"), "not an interactive backend: no Smart tool");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/assignments", C1, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(model_prediction(jget(r.json, "items.0")), "the held task shows it too: %s", r.body);
	cr_expect(!jget(r.json, "items.0.ml_interactive"), "%s", r.body);
	res_free(&r);

	/* new tasks (TASKS_CREATED) are predicted too */
	project_import(&S, pid, REQ, "{\"text\":\"late\",\"conf\":0.1}\n");
	st = wait_ml(pid, 41, 0);
	cr_expect_eq(jint(st, "predicted"), 41);
	json_decref(st);

	/* a re-run predicts every task again */
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml/predict", pid);
	r = api(&S, "POST", path, REQ, NULL);
	cr_expect_eq(r.status, 202, "%s", r.body);
	res_free(&r);
	st = wait_ml(pid, 82, 0);
	cr_expect_eq(jint(st, "predicted"), 82);
	json_decref(st);
}

/* The data manager's page reads the model's predictions for all its rows at
 * once: each row still shows its own, and rows without any show none. */
Test(ml, the_data_manager_shows_each_rows_own_predictions)
{
	long long pid = live(NULL, "{\"text\":\"p1\",\"conf\":0.25}\n{\"text\":\"p2\",\"conf\":0.75}\n");
	attach_ok(pid);
	json_decref(wait_ml(pid, 2, 0));
	be_mode(ML_FAIL); /* the next tasks get no prediction */
	project_import(&S, pid, REQ, "{\"text\":\"n1\"}\n{\"text\":\"n2\"}\n");
	json_decref(wait_ml(pid, 0, 1));
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=3", pid);
	int seen = 0;
	for (int page = 0; page < 3; page++) { /* pages of 3, so the rows are split across two queries */
		res r = api(&S, "GET", path, REQ, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		size_t i;
		json_t *t;
		json_array_foreach(jget(r.json, "items"), i, t) {
			const char *text = jstr(t, "data.text");
			json_t *ps = jget(t, "predictions");
			cr_assert(text && json_is_array(ps), "%s", r.body);
			double want = !strcmp(text, "p1") ? 0.25 : !strcmp(text, "p2") ? 0.75 : -1;
			if (want < 0) {
				cr_expect_eq(json_array_size(ps), 0, "%s has no prediction: %s", text, r.body);
			} else {
				cr_expect_eq(json_array_size(ps), 1, "%s: %s", text, r.body);
				cr_expect_str_eq(jstr(ps, "0.origin") ?: "", "model", "%s", r.body);
				cr_expect_float_eq(json_number_value(jget(ps, "0.score")), want, 1e-9, "%s: %s", text,
						   r.body);
			}
			cr_expect(json_is_array(jget(t, "results")), "%s", r.body);
			seen++;
		}
		const char *next = jstr(r.json, "next");
		if (next)
			snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=3&after=%s", pid, next);
		res_free(&r);
		if (!next)
			break;
	}
	cr_expect_eq(seen, 4);
}

Test(ml, a_prediction_is_never_an_answer)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	attach_ok(pid);
	json_decref(wait_ml(pid, 1, 0));
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions", pid);
	res r = api(&S, "GET", path, REQ, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "no submission from the model: %s", r.body);
	res_free(&r);
}

/* A backend that misbehaves in mode m: nothing stored, the error on the
 * project naming want; then it recovers and the retry stores everything. */
static void misbehaves(mode m, const char *want)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
	be_mode(m);
	attach_ok(pid);
	json_t *st = wait_ml(pid, 0, 1);
	const char *e = jstr(st, "last_error");
	cr_assert(e, "an error on the project: %s", json_dumps(st, 0));
	cr_expect(strstr(e, want), "'%s' names '%s'", e, want);
	cr_expect_eq(jint(st, "predicted"), 0);
	cr_expect_eq(jint(st, "pending"), 2);
	json_decref(st);
	res r = lease(&S, pid, C1);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_null(model_prediction(r.json), "nothing stored: %s", r.body);
	res_free(&r);
	/* the outbox retries with backoff: once due, the healed backend is asked again */
	be_mode(ML_OK);
	set_clock(&S, "2031-01-01T00:00:00Z");
	st = wait_ml(pid, 2, 0);
	cr_expect_eq(jint(st, "predicted"), 2, "%s", json_dumps(st, 0));
	cr_expect(json_is_null(jget(st, "last_error")), "a good answer clears the error");
	json_decref(st);
	r = lease(&S, pid, C2);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(model_prediction(r.json), "stored after the retry: %s", r.body);
	res_free(&r);
}

Test(ml, a_failing_backend_stores_nothing) { misbehaves(ML_FAIL, "HTTP 500"); }
Test(ml, a_slow_backend_times_out) { misbehaves(ML_SLOW, "no answer within 1500 ms"); }
Test(ml, garbage_is_refused) { misbehaves(ML_GARBAGE, "not JSON"); }
Test(ml, results_that_do_not_fit_the_config_are_refused) { misbehaves(ML_MISFIT, "does not fit the label config"); }
Test(ml, a_result_missing_is_refused) { misbehaves(ML_SHORT, "1 results for 2 tasks"); }

Test(ml, detach)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
	res r = lease(&S, pid, C1); /* no model yet: a lease reads no predictions */
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(json_is_array(jget(r.json, "task.predictions")), "%s", r.body);
	cr_expect_eq(json_array_size(jget(r.json, "task.predictions")), 0, "%s", r.body);
	res_free(&r);
	attach_ok(pid);
	json_decref(wait_ml(pid, 2, 0));
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	r = api(&S, "DELETE", path, REQ, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	r = api(&S, "DELETE", path, REQ, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* what the model predicted stays with the task */
	r = lease(&S, pid, C2);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(model_prediction(r.json), "the stored prediction after detaching: %s", r.body);
	res_free(&r);
	json_t *st = status(pid);
	cr_expect(json_is_false(jget(st, "attached")));
	json_decref(st);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml/predict", pid);
	r = api(&S, "POST", path, REQ, NULL);
	cr_expect_eq(r.status, 404, "no backend to re-run: %s", r.body);
	res_free(&r);
}

Test(ml, an_accepted_answer_reaches_the_backend_as_a_training_event)
{
	long long pid = live(NULL, "{\"text\":\"teach me\"}\n");
	attach_ok(pid);
	long long aid = lease_ok(&S, pid, C1);
	res r = submit_choice(&S, aid, C1, "sentiment", "neg", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	usleep(1500 * 1000);
	pthread_mutex_lock(&BE.lock);
	cr_expect_eq(BE.webhooks, 0, "a submission is not a label until it is accepted");
	pthread_mutex_unlock(&BE.lock);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid);
	r = api(&S, "POST", path, REQ, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	int n = 0;
	for (int i = 0; i < 100 && !n; i++) {
		usleep(150 * 1000);
		pthread_mutex_lock(&BE.lock);
		n = BE.webhooks;
		pthread_mutex_unlock(&BE.lock);
	}
	cr_assert_eq(n, 1, "one training event");
	pthread_mutex_lock(&BE.lock);
	cr_expect_str_eq(jstr(BE.last_webhook, "action"), "ANNOTATION_CREATED");
	cr_expect_eq(jint(BE.last_webhook, "project.id"), pid);
	cr_expect_str_eq(jstr(BE.last_webhook, "task.data.text"), "teach me");
	cr_expect_str_eq(jstr(BE.last_webhook, "annotation.result.0.value.choices.0"), "neg");
	pthread_mutex_unlock(&BE.lock);
}

/* ---- order ---- */

Test(ml, order_is_validated)
{
	json_t *body = json_pack("{s:s,s:s,s:s}", "title", "ML", "label_config", SENTIMENT_CONFIG, "order", "loudest");
	res r = api(&S, "POST", "/api/v1/projects", REQ, "O", body);
	json_decref(body);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "order");
	res_free(&r);
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, REQ, NULL);
	cr_expect_str_eq(jstr(r.json, "order"), "priority", "the default: %s", r.body);
	res_free(&r);
}

static const char *leased_text(long long pid, const char *token)
{
	static char text[64];
	res r = lease(&S, pid, token);
	cr_assert_eq(r.status, 201, "%s", r.body);
	snprintf(text, sizeof text, "%s", jstr(r.json, "task.data.text"));
	res_free(&r);
	return text;
}

Test(ml, uncertainty_hands_out_the_least_confident_task_first)
{
	long long pid = live("uncertainty", "{\"text\":\"sure\",\"conf\":0.95}\n{\"text\":\"unsure\",\"conf\":0.2}\n"
					    "{\"text\":\"middling\",\"conf\":0.7}\n{\"text\":\"unscored\"}\n");
	attach_ok(pid);
	json_decref(wait_ml(pid, 4, 0));
	cr_expect_str_eq(leased_text(pid, C1), "unsure");
	cr_expect_str_eq(leased_text(pid, C1), "unscored", "the test backend says 0.5 without conf");
	cr_expect_str_eq(leased_text(pid, C1), "middling");
	cr_expect_str_eq(leased_text(pid, C2), "sure", "overlap 1: the others are taken");
}

/* Leases the task with text as token (it must come first) and answers it. */
static void answer_next(long long pid, const char *token, const char *want_text, const char *choice)
{
	res r = lease(&S, pid, token);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "task.data.text"), want_text);
	res s = submit_choice(&S, jint(r.json, "id"), token, "sentiment", choice, NULL);
	cr_expect_eq(s.status, 201, "%s", s.body);
	res_free(&s);
	res_free(&r);
}

Test(ml, disagreement_hands_out_the_most_disputed_task_first)
{
	json_t *body = json_pack("{s:s,s:s,s:i,s:i,s:s}", "title", "ML", "label_config", SENTIMENT_CONFIG, "reward", 10,
				 "overlap", 3, "order", "disagreement");
	long long pid = project_live(&S, REQ, body, "{\"text\":\"agreed\"}\n{\"text\":\"disputed\"}\n", 100000);
	answer_next(pid, C1, "agreed", "pos"); /* no agreement yet: priority order */
	answer_next(pid, C1, "disputed", "pos");
	answer_next(pid, C2, "agreed", "pos");
	answer_next(pid, C2, "disputed", "neg");
	cr_expect_str_eq(leased_text(pid, C3), "disputed", "agreement 0.5 before 1.0");
}

Test(ml, priority_and_random_orders_hand_out_every_task)
{
	char buf[4096];
	long long pid = live("random", ndjson_lines(buf, sizeof buf, "{\"text\":\"r%d\"}\n", 12));
	int seen[12] = {0};
	for (int i = 0; i < 12; i++) {
		int k = atoi(leased_text(pid, i % 2 ? C1 : C2) + 1);
		cr_assert(k >= 0 && k < 12 && !seen[k], "task r%d handed out twice", k);
		seen[k] = 1;
	}
	res r = lease(&S, pid, C1);
	cr_expect_eq(r.status, 204, "the pool is empty: %s", r.body);
	res_free(&r);
}

/* ---- interactive mode (SAM-style: a click in, regions out) ---- */

Test(ml, interactive_mode_answers_a_click_for_the_holder_of_the_task)
{
	long long pid = live(NULL, "{\"text\":\"a\"}\n");
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	res r = api(&S, "PUT", path, REQ, "{s:s,s:b}", "url", be_url(), "interactive", 1);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "interactive")));
	res_free(&r);
	r = lease(&S, pid, C1);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long task = jint(r.json, "task.id");
	cr_expect(json_is_true(jget(r.json, "ml_interactive")), "the lease tells the annotator: %s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/assignments", C1, NULL);
	cr_expect(json_is_true(jget(r.json, "items.0.ml_interactive")), "and so does the resumed lease: %s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml/interactive", pid);
	r = api(&S, "POST", path, C2, "{s:I,s:{s:[{s:s,s:{s:f,s:f}}]}}", "task_id", (json_int_t)task, "context",
		"keypoints", "type", "keypointlabels", "value", "x", 10.0, "y", 20.0);
	cr_expect_eq(r.status, 404, "not C2's task: %s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, C1, "{s:I}", "task_id", (json_int_t)task);
	cr_expect_eq(r.status, 400, "no context: %s", r.body);
	res_free(&r);
	r = api(&S, "POST", path, C1, "{s:I,s:{s:[{s:s,s:{s:f,s:f}}]}}", "task_id", (json_int_t)task, "context",
		"keypoints", "type", "keypointlabels", "value", "x", 10.0, "y", 20.0);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "result.0.value.choices.0"), "pos");
	res_free(&r);
	pthread_mutex_lock(&BE.lock);
	cr_expect_float_eq(json_number_value(jget(BE.last_context, "keypoints.0.value.x")), 10.0, 1e-9,
			   "the click reached the backend");
	pthread_mutex_unlock(&BE.lock);
	be_mode(ML_MISFIT); /* a lying answer is refused here too */
	r = api(&S, "POST", path, C1, "{s:I,s:{}}", "task_id", (json_int_t)task, "context");
	cr_expect_eq(r.status, 422, "%s", r.body);
	res_free(&r);
}
