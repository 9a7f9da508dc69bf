/* Kind "http": Label Studio's ML-backend protocol, spoken with libcurl.
 *
 *   GET  {url}/health  → 200 {"status":"UP", …}
 *   POST {url}/setup   {"project", "schema", "hostname", "access_token"}
 *                      → 200 {"model_version"?}
 *   POST {url}/predict {"tasks":[{id,data}], "label_config", "project",
 *                      "params":{"context"}} → {"results":[{"result":[…],
 *                      "score"?, "model_version"?}, …]} one per task, in order
 *   POST {url}/webhook {"action":"ANNOTATION_CREATED", "project", "task",
 *                      "annotation"} → 2xx (training; the answer is not read)
 *
 * Every request has a timeout; an answer that is not this shape is an error
 * (nothing of it is kept) naming what was wrong. */
#include "core/buf.h"
#include "core/err.h"
#include "http/outbound.h"
#include "ml/ml.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWER (16u << 20) /* a /predict answer larger than this is refused */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	fc_buf *b = ud;
	if (b->len + size * n > MAX_ANSWER || fc_buf_append(b, p, size * n))
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	return size * n;
}

/* One request to b->url + path; body NULL means GET. 0 with *answer (the
 * parsed JSON, caller's) on a 2xx JSON answer (any 2xx, *answer NULL,
 * unless want_json), else -1 with error. */
static int call_as(const fc_ml_backend *b, const char *path, const json_t *body, int want_json, json_t **answer,
		   char *error, size_t error_len)
{
	*answer = NULL;
	char url[2200];
	snprintf(url, sizeof url, "%s%s", b->url, path);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !text) {
		snprintf(error, error_len, "%s: out of memory", path);
		return -1;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		free(text);
		snprintf(error, error_len, "cannot start an HTTP client");
		return -1;
	}
	fc_buf got = {0};
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	long timeout = b->timeout_ms > 0 ? b->timeout_ms : 30000;
	fc_outbound guard;
	curl_easy_setopt(c, CURLOPT_URL, url);
	fc_outbound_guard(c, &guard);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (text) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "faircrowd-ml");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout < 5000 ? timeout : 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	int rc = -1;
	if (cc == CURLE_OPERATION_TIMEDOUT)
		snprintf(error, error_len, "%s: no answer within %ld ms", path, timeout);
	else if (cc == CURLE_WRITE_ERROR)
		snprintf(error, error_len, "%s: the answer is larger than %u bytes", path, MAX_ANSWER);
	else if (cc != CURLE_OK && fc_outbound_refused(&guard))
		snprintf(error, error_len, "%s: %s", path, fc_outbound_refused(&guard));
	else if (cc != CURLE_OK)
		snprintf(error, error_len, "%s: %s", path, curl_easy_strerror(cc));
	else if (code < 200 || code > 299)
		snprintf(error, error_len, "%s: the backend answered HTTP %ld", path, code);
	else if (want_json && !(*answer = json_loadb(got.p ? got.p : "", got.len, 0, NULL)))
		snprintf(error, error_len, "%s: the answer is not JSON", path);
	else
		rc = 0;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fc_buf_free(&got);
	free(text);
	return rc;
}

static int call(const fc_ml_backend *b, const char *path, const json_t *body, json_t **answer, char *error,
		size_t error_len)
{
	return call_as(b, path, body, 1, answer, error, error_len);
}

static int http_check(fc_store *s, const fc_ml_backend *b, char *error, size_t error_len)
{
	(void)s;
	json_t *a = NULL;
	if (call(b, "/health", NULL, &a, error, error_len))
		return -1;
	const char *st = json_string_value(json_object_get(a, "status"));
	int rc = 0;
	if (st && strcmp(st, "UP")) {
		snprintf(error, error_len, "/health: the backend says its status is '%.40s', not UP", st);
		rc = -1;
	}
	json_decref(a);
	if (rc)
		return rc;
	char project[32];
	snprintf(project, sizeof project, "%lld", (long long)b->project);
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "project", project, "schema",
				 b->label_config ? b->label_config : "", "hostname", "", "access_token", "");
	rc = call(b, "/setup", body, &a, error, error_len);
	json_decref(body);
	if (!rc && !json_is_object(a)) {
		snprintf(error, error_len, "/setup: the answer is not a JSON object");
		rc = -1;
	}
	json_decref(a);
	return rc;
}

/* Reads one element of "results" into p; -1 with error when it is not a
 * prediction. */
static int read_prediction(const json_t *r, size_t i, fc_ml_prediction *p, char *error, size_t error_len)
{
	const json_t *result = json_object_get(r, "result"), *score = json_object_get(r, "score"),
		     *mv = json_object_get(r, "model_version");
	if (!json_is_object(r) || !json_is_array(result)) {
		snprintf(error, error_len, "/predict: results.%zu has no \"result\" array", i);
		return -1;
	}
	if (score && !json_is_null(score) && (!json_is_number(score) || !isfinite(json_number_value(score)))) {
		snprintf(error, error_len, "/predict: results.%zu.score is not a number", i);
		return -1;
	}
	if (mv && !json_is_null(mv) && (!json_is_string(mv) || json_string_length(mv) >= sizeof p->model_version)) {
		snprintf(error, error_len, "/predict: results.%zu.model_version is not a short string", i);
		return -1;
	}
	p->result = json_incref((json_t *)result);
	p->has_score = json_is_number(score);
	p->score = p->has_score ? json_number_value(score) : 0;
	snprintf(p->model_version, sizeof p->model_version, "%s", json_is_string(mv) ? json_string_value(mv) : "");
	return 0;
}

/* POSTs /predict for n tasks with params (NULL: none) and reads one
 * prediction per task. */
static int predict_call(const fc_ml_backend *b, const fc_ml_task *tasks, size_t n, json_t *params,
			fc_ml_prediction *out, char *error, size_t error_len)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I,s:O}", "id", (json_int_t)tasks[i].id, "data",
						      tasks[i].data ? tasks[i].data : json_null()));
	char project[32];
	snprintf(project, sizeof project, "%lld", (long long)b->project);
	json_t *body =
		json_pack("{s:o,s:s,s:s,s:o}", "tasks", list, "label_config", b->label_config ? b->label_config : "",
			  "project", project, "params", params ? params : json_object());
	json_t *a = NULL;
	int rc = call(b, "/predict", body, &a, error, error_len);
	json_decref(body);
	if (rc)
		return rc;
	/* Label Studio answers {"results":[…]}; older backends a bare array */
	const json_t *results = json_is_array(a) ? a : json_object_get(a, "results");
	if (!json_is_array(results)) {
		snprintf(error, error_len, "/predict: the answer has no \"results\" array");
		rc = -1;
	} else if (json_array_size(results) != n) {
		snprintf(error, error_len, "/predict: %zu results for %zu tasks", json_array_size(results), n);
		rc = -1;
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = read_prediction(json_array_get(results, i), i, &out[i], error, error_len);
	if (rc)
		for (size_t i = 0; i < n; i++)
			fc_ml_prediction_clear(&out[i]);
	json_decref(a);
	return rc;
}

static int http_predict(fc_store *s, const fc_ml_backend *b, const fc_ml_task *tasks, size_t n, fc_ml_prediction *out,
			char *error, size_t error_len)
{
	(void)s;
	return predict_call(b, tasks, n, NULL, out, error, error_len);
}

static int http_interact(fc_store *s, const fc_ml_backend *b, const fc_ml_task *task, const json_t *context,
			 fc_ml_prediction *out, char *error, size_t error_len)
{
	(void)s;
	return predict_call(b, task, 1, json_pack("{s:O}", "context", context), out, error, error_len);
}

static int http_learn(fc_store *s, const fc_ml_backend *b, const json_t *event, char *error, size_t error_len)
{
	(void)s;
	json_t *a = NULL;
	int rc = call_as(b, "/webhook", event, 0, &a, error, error_len);
	json_decref(a);
	return rc;
}

const fc_ml_ops fc_ml_http_ops = {.check = http_check,
				  .predict = http_predict,
				  .interact = http_interact,
				  .learn = http_learn};
