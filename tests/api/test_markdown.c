/* Markdown rendered by the server: instructions_html in the project, text_html
 * in the consent document, and the preview route with its unhappy paths. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static char REQ[64], CON[64];
static void up(void)
{
	srv_start(&S);
	make_user(&S, "req@test.local", "requester", REQ);
	make_user(&S, "con@test.local", "contributor", CON);
}
static void down(void) { srv_stop(&S); }
TestSuite(markdown, .init = up, .fini = down, .timeout = 60);

static const char INSTRUCTIONS[] = "# What to do\n\n- Draw a **box** around each car.\n- Press `Del` to remove one.\n\n"
				   "<script>alert(1)</script>\n\n[help](javascript:alert(1))";
static const char INSTRUCTIONS_HTML[] = "<h2>What to do</h2>\n<ul>\n"
					"<li>Draw a <strong>box</strong> around each car.</li>\n"
					"<li>Press <code>Del</code> to remove one.</li>\n</ul>\n"
					"<!-- raw HTML omitted -->\n<p><a href=\"\">help</a></p>\n";

Test(markdown, project_json_carries_instructions_html)
{
	res r = api(&S, "POST", "/api/v1/projects", REQ, "{s:s,s:s,s:s}", "title", "Cars", "instructions", INSTRUCTIONS,
		    "label_config",
		    "<View><Image name=\"i\" value=\"$image\"/><Choices name=\"c\" toName=\"i\">"
		    "<Choice value=\"a\"/></Choices></View>");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "instructions"), INSTRUCTIONS);
	cr_expect_str_eq(jstr(r.json, "instructions_html"), INSTRUCTIONS_HTML);
	long long pid = jint(r.json, "id");
	res_free(&r);

	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld", pid);
	r = api(&S, "GET", path, REQ, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "instructions_html"), INSTRUCTIONS_HTML);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/projects", REQ, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "items.0.instructions_html"), INSTRUCTIONS_HTML, "lists carry it too");
	res_free(&r);
	r = api(&S, "PATCH", path, REQ, "{s:s}", "instructions", "");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "instructions_html"), "", "no instructions, no HTML");
	res_free(&r);
	/* instructions_html is output only: sending it back is an unknown field */
	r = api(&S, "PATCH", path, REQ, "{s:s}", "instructions_html", "<script>");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unknown_field");
	res_free(&r);

	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent", pid);
	r = api(&S, "PUT", path, REQ, "{s:s,s:s}", "text",
		"I agree that my labels may <b onclick=x>train</b> **models**.", "version", "v1");
	cr_expect_eq(r.status, 200, "%s", r.body);
	static const char CONSENT_HTML[] =
		"<p>I agree that my labels may <!-- raw HTML omitted -->train<!-- raw HTML omitted --> "
		"<strong>models</strong>.</p>\n";
	cr_expect_str_eq(jstr(r.json, "text_html"), CONSENT_HTML);
	res_free(&r);
	r = api(&S, "GET", path, REQ, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "text_html"), CONSENT_HTML);
	res_free(&r);
}

Test(markdown, preview_renders_like_the_project)
{
	res r = api(&S, "POST", "/api/v1/markdown", CON, "{s:s}", "markdown", INSTRUCTIONS);
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "html"), INSTRUCTIONS_HTML);
	cr_expect_eq(json_object_size(r.json), 1);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/markdown", REQ, "{s:s}", "markdown", "");
	cr_expect_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "html"), "");
	res_free(&r);
}

static void expect_400(const char *body, const char *code, const char *field)
{
	res r = http(&S, "POST", "/api/v1/markdown", REQ, "application/json", body, strlen(body), NULL);
	cr_expect_eq(r.status, 400, "%s → %ld %s", body, r.status, r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), code, "%s → %s", body, r.body);
	if (field)
		cr_expect_str_eq(jstr(r.json, "error.field"), field, "%s → %s", body, r.body);
	res_free(&r);
}

Test(markdown, preview_refuses_bad_input)
{
	expect_400("{\"markdown\": \"x\"", "invalid_json", NULL);
	expect_400("", "invalid_json", NULL);
	expect_400("[\"x\"]", "invalid_type", NULL);
	expect_400("{\"markdown\": 5}", "invalid_type", "markdown");
	expect_400("{\"markdown\": null}", "invalid_type", "markdown");
	expect_400("{\"markdown\": [\"x\"]}", "invalid_type", "markdown");
	expect_400("{}", "missing_field", "markdown");
	expect_400("{\"markdown\": \"x\", \"html\": \"y\"}", "unknown_field", "html");

	/* longer than anything stored as Markdown */
	size_t n = 100001;
	char *md = malloc(n + 1);
	cr_assert(md);
	memset(md, 'a', n);
	md[n] = 0;
	res r = api(&S, "POST", "/api/v1/markdown", REQ, "{s:s}", "markdown", md);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "invalid_value");
	cr_expect_str_eq(jstr(r.json, "error.field"), "markdown");
	res_free(&r);
	md[n - 1] = 0;
	r = api(&S, "POST", "/api/v1/markdown", REQ, "{s:s}", "markdown", md);
	cr_expect_eq(r.status, 200, "100,000 bytes is allowed");
	res_free(&r);
	free(md);

	/* over the route's body limit: refused before it is read */
	n = 1024 * 1024 + 1;
	char *big = malloc(n);
	cr_assert(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	r = http(&S, "POST", "/api/v1/markdown", REQ, "application/json", big, n, NULL);
	cr_expect_eq(r.status, 413);
	res_free(&r);
	free(big);

	r = http(&S, "POST", "/api/v1/markdown", REQ, "text/plain", "# x", 3, NULL);
	cr_expect_eq(r.status, 415);
	res_free(&r);
}

Test(markdown, preview_needs_a_signed_in_user)
{
	res r = api(&S, "POST", "/api/v1/markdown", NULL, "{s:s}", "markdown", "# x");
	cr_expect_eq(r.status, 401, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unauthenticated");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/markdown", "not-a-token", "{s:s}", "markdown", "# x");
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
}
