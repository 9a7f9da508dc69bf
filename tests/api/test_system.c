/* Health, metrics, OpenAPI, static UI, errors for unknown routes and bodies. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
static void up(void) { srv_start(&S); }
static void down(void) { srv_stop(&S); }
TestSuite(system, .init = up, .fini = down, .timeout = 60);

Test(system, healthz_and_request_id)
{
	res r = api(&S, "GET", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "status"), "ok");
	char h[64];
	cr_expect(res_header(&r, "X-Request-Id", h, sizeof h) && strlen(h) > 4);
	res_free(&r);
}

Test(system, metrics_count_requests)
{
	res r = api(&S, "GET", "/healthz", NULL, NULL);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/nope", NULL, NULL);
	res_free(&r);
	/* a request is counted when its connection completes, just after its
	 * answer went out: the next request can arrive first, so look again */
	for (int i = 0;; i++) {
		r = api(&S, "GET", "/metrics", S.admin_token, NULL);
		if (i == 50 || (r.status == 200 && strstr(r.body, "status=\"404\"")))
			break;
		res_free(&r);
		usleep(20000);
	}
	cr_expect_eq(r.status, 200);
	cr_expect(strstr(r.body, "faircrowd_http_requests_total{route=\"healthz\",status=\"200\"}"), "%s", r.body);
	cr_expect(strstr(r.body, "status=\"404\""));
	cr_expect(strstr(r.body, "faircrowd_http_request_duration_seconds_bucket"));
	cr_expect(strstr(r.body, "faircrowd_database_bytes"));
	cr_expect(strstr(r.body, "faircrowd_http_open_connections"));
	res_free(&r);
}

Test(system, openapi_document)
{
	res r = api(&S, "GET", "/api/v1/openapi.json", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "openapi"), "3.0.3");
	cr_expect(json_is_object(jget(r.json, "paths./api/v1/projects")));
	res_free(&r);
}

Test(system, unknown_routes_and_methods)
{
	res r = api(&S, "GET", "/api/v1/does-not-exist", NULL, NULL);
	cr_expect_eq(r.status, 404);
	cr_expect_str_eq(jstr(r.json, "error.code"), "not_found");
	cr_expect(json_is_null(jget(r.json, "error.field")));
	res_free(&r);
	r = api(&S, "DELETE", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 405);
	res_free(&r);
	r = api(&S, "GET", "/no-such-file.js", NULL, NULL);
	cr_expect_eq(r.status, 404);
	res_free(&r);
}

Test(system, oversized_body_is_413)
{
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	res r = http(&S, "POST", "/api/v1/auth/register", NULL, "application/json", big, n, NULL);
	cr_expect_eq(r.status, 413);
	cr_expect_str_eq(jstr(r.json, "error.code"), "too_large");
	res_free(&r);
	free(big);
	/* the server is still fine */
	r = api(&S, "GET", "/healthz", NULL, NULL);
	cr_expect_eq(r.status, 200);
	res_free(&r);
}

Test(system, web_shell_with_csp)
{
	res r = api(&S, "GET", "/", NULL, NULL);
	cr_expect_eq(r.status, 200);
	char h[512];
	cr_expect(res_header(&r, "Content-Type", h, sizeof h) && strstr(h, "text/html"));
	cr_expect(res_header(&r, "Content-Security-Policy", h, sizeof h) && strstr(h, "default-src 'self'"));
	cr_assert(res_header(&r, "ETag", h, sizeof h));
	res_free(&r);
	char inm[600];
	snprintf(inm, sizeof inm, "If-None-Match: %s", h);
	const char *extra[] = {inm, NULL};
	r = http(&S, "GET", "/", NULL, NULL, NULL, 0, extra);
	cr_expect_eq(r.status, 304);
	res_free(&r);
	r = api(&S, "GET", "/app.js", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect(res_header(&r, "Content-Type", h, sizeof h) && strstr(h, "javascript"));
	res_free(&r);
	/* screens of the single-page app fall back to index.html */
	r = api(&S, "GET", "/projects/12", NULL, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect(strstr(r.body, "<html"));
	res_free(&r);
}

Test(system, test_clock_is_admin_only)
{
	char tok[64];
	make_user(&S, "c@test.local", "contributor", tok);
	res r = api(&S, "POST", "/api/v1/admin/clock", tok, "{s:s}", "now", "2030-01-01T00:00:00Z");
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/clock", S.admin_token, "{s:s}", "now", "yesterday");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "now");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/admin/clock", S.admin_token, "{s:s}", "now", "2030-01-01T00:00:00+02:00");
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "now"), "2029-12-31T22:00:00Z");
	res_free(&r);
}
