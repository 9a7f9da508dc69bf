/* Accounts: register, login, sessions, CSRF, tokens, roles, throttling. */
#include "harness.h"
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

static srv S;
static void up(void) { srv_start(&S); }
static void down(void) { srv_stop(&S); }
TestSuite(auth, .init = up, .fini = down, .timeout = 60);

Test(auth, register_rejects_bad_input)
{
	res r = http(&S, "POST", "/api/v1/auth/register", NULL, "application/json", "{bad", 4, NULL);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "invalid_json");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:s,s:s}", "email", "x@y.org", "password", "short",
		"display_name", "X");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "password");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:i,s:s}", "email", "x@y.org", "password", 12345,
		"display_name", "X");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "invalid_type");
	cr_expect_str_eq(jstr(r.json, "error.field"), "password");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:s,s:s,s:b}", "email", "x@y.org", "password",
		"long-enough-1", "display_name", "X", "admin", 1);
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unknown_field");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:s,s:s}", "email", "not-an-email", "password",
		"long-enough-1", "display_name", "X");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "email");
	res_free(&r);
	r = http(&S, "POST", "/api/v1/auth/register", NULL, "application/json", "[1,2]", 5, NULL);
	cr_expect_eq(r.status, 400);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/auth/register", NULL, "text/plain", "{}", 2, NULL);
	cr_expect_eq(r.status, 415);
	res_free(&r);
}

Test(auth, register_login_me_logout)
{
	res r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:s,s:s}", "email", "Ann@Example.org", "password",
		    "correct-horse", "display_name", "Ann");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "roles.0"), "contributor");
	cr_expect_null(jget(r.json, "password_hash"));
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/register", NULL, "{s:s,s:s,s:s}", "email", "ann@example.org", "password",
		"another-password", "display_name", "Ann again");
	/* a taken address is answered like a new one: registration does not
	 * reveal who has an account (the first password still signs in below) */
	cr_expect_eq(r.status, 201, "same email, other case: %s", r.body);
	cr_expect_null(jget(r.json, "id"), "no id tells a new account from an old one");
	cr_expect_str_eq(jstr(r.json, "roles.0"), "contributor");
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "ann@example.org", "password",
		"wrong-password");
	cr_expect_eq(r.status, 401);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "ann@example.org", "password",
		"correct-horse");
	cr_assert_eq(r.status, 200);
	char cookie[256], ck[300], csrf[128], hb[256];
	cr_assert(res_header(&r, "Set-Cookie", cookie, sizeof cookie));
	cr_expect(strstr(cookie, "HttpOnly") && strstr(cookie, "SameSite=Lax"));
	cookie[strcspn(cookie, ";")] = 0;
	snprintf(ck, sizeof ck, "Cookie: %s", cookie);
	snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", jstr(r.json, "csrf_token"));
	res_free(&r);
	const char *only_cookie[] = {ck, NULL};
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, only_cookie);
	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(jstr(r.json, "display_name"), "Ann");
	res_free(&r);
	/* a cookie-authenticated write without the CSRF token is refused */
	r = http(&S, "POST", "/api/v1/tokens", NULL, "application/json", "{\"name\":\"x\"}", 12, only_cookie);
	cr_expect_eq(r.status, 403);
	cr_expect_str_eq(jstr(r.json, "error.code"), "csrf_failed");
	res_free(&r);
	const char *bad_csrf[] = {ck, "X-CSRF-Token: nope", NULL};
	r = http(&S, "POST", "/api/v1/tokens", NULL, "application/json", "{\"name\":\"x\"}", 12, bad_csrf);
	cr_expect_eq(r.status, 403);
	res_free(&r);
	const char *both[] = {ck, csrf, NULL};
	r = http(&S, "POST", "/api/v1/tokens", NULL, "application/json", "{\"name\":\"cli\"}", 14, both);
	cr_assert_eq(r.status, 201);
	char token[64];
	snprintf(token, sizeof token, "%s", jstr(r.json, "token"));
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me", token, NULL);
	cr_expect_eq(r.status, 200);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/auth/logout", NULL, NULL, NULL, 0, both);
	cr_expect_eq(r.status, 204);
	cr_expect(res_header(&r, "Set-Cookie", hb, sizeof hb) && strstr(hb, "Max-Age=0"));
	res_free(&r);
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, only_cookie);
	cr_expect_eq(r.status, 401, "the session ends at logout");
	res_free(&r);
}

Test(auth, unauthenticated_and_bad_tokens)
{
	res r = api(&S, "GET", "/api/v1/me", NULL, NULL);
	cr_expect_eq(r.status, 401);
	cr_expect_str_eq(jstr(r.json, "error.code"), "unauthenticated");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me", "not-a-real-token", NULL);
	cr_expect_eq(r.status, 401);
	res_free(&r);
	const char *basic[] = {"Authorization: Basic Zm9vOmJhcg==", NULL};
	r = http(&S, "GET", "/api/v1/me", NULL, NULL, NULL, 0, basic);
	cr_expect_eq(r.status, 401);
	res_free(&r);
}

Test(auth, admin_only_user_management)
{
	char tok[64];
	make_user(&S, "req@test.local", "requester", tok);
	res r = api(&S, "POST", "/api/v1/users", tok, "{s:s,s:s,s:s}", "email", "z@test.local", "password",
		    "password-123", "display_name", "Z");
	cr_expect_eq(r.status, 403);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/users", S.admin_token, "{s:s,s:s,s:s,s:[s]}", "email", "z@test.local", "password",
		"password-123", "display_name", "Z", "roles", "wizard");
	cr_expect_eq(r.status, 400);
	cr_expect_str_eq(jstr(r.json, "error.field"), "roles");
	res_free(&r);
	r = api(&S, "PATCH", "/api/v1/users/999999", S.admin_token, "{s:[s]}", "roles", "requester");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me", tok, NULL);
	long long id = jint(r.json, "id");
	res_free(&r);
	char path[64];
	snprintf(path, sizeof path, "/api/v1/users/%lld", id);
	r = api(&S, "PATCH", path, S.admin_token, "{s:[s,s]}", "roles", "requester", "contributor");
	cr_expect_eq(r.status, 200);
	cr_expect_eq(json_array_size(jget(r.json, "roles")), 2);
	res_free(&r);
	/* the token's answer is cached; a role change takes effect at once */
	r = api(&S, "GET", "/api/v1/me", tok, NULL);
	cr_expect_eq(json_array_size(jget(r.json, "roles")), 2, "%s", r.body);
	res_free(&r);
	r = api(&S, "PATCH", path, S.admin_token, "{s:[s]}", "roles", "contributor");
	cr_expect_eq(r.status, 200);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/projects", tok, "{s:s,s:s}", "title", "After demotion", "label_config",
		"<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>");
	cr_expect_eq(r.status, 403, "no longer a requester: %s", r.body);
	res_free(&r);
	r = api(&S, "PATCH", path, S.admin_token, "{s:[s,s]}", "roles", "requester", "contributor");
	res_free(&r);
	if (*S.database) {
		/* PostgreSQL: a second server has the token cached; a demotion on
		 * the first reaches it within its watch period */
		srv other;
		srv_start_shared(&other, &S);
		r = api(&other, "GET", "/api/v1/me", tok, NULL);
		cr_expect_eq(json_array_size(jget(r.json, "roles")), 2, "%s", r.body);
		res_free(&r);
		r = api(&S, "PATCH", path, S.admin_token, "{s:[s]}", "roles", "contributor");
		res_free(&r);
		usleep(1000 * 1000);
		r = api(&other, "GET", "/api/v1/me", tok, NULL);
		cr_expect_eq(json_array_size(jget(r.json, "roles")), 1, "the other server dropped its cache: %s", r.body);
		res_free(&r);
		r = api(&S, "PATCH", path, S.admin_token, "{s:[s,s]}", "roles", "requester", "contributor");
		res_free(&r);
		srv_stop(&other);
	}
	r = api(&S, "PATCH", "/api/v1/users/abc", S.admin_token, "{s:[s]}", "roles", "requester");
	cr_expect_eq(r.status, 404);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/users?limit=1", tok, NULL);
	cr_expect_eq(r.status, 403, "only admins list users");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/users?limit=1", S.admin_token, NULL);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 1);
	cr_expect(json_is_string(jget(r.json, "next")), "a second page exists");
	res_free(&r);
}

Test(auth, login_throttled_after_repeated_failures)
{
	char tok[64];
	make_user(&S, "victim@test.local", "contributor", tok);
	for (int i = 0; i < 5; i++) {
		res r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "victim@test.local",
			    "password", "guess-guess-guess");
		cr_expect_eq(r.status, 401);
		res_free(&r);
	}
	res r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "victim@test.local", "password",
		    "password-123");
	cr_expect_eq(r.status, 429, "even the right password waits out the lock");
	res_free(&r);
	set_clock(&S, "2099-01-01T00:00:00Z");
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "victim@test.local", "password",
		"password-123");
	cr_expect_eq(r.status, 200, "the lock ends after 15 minutes: %s", r.body);
	res_free(&r);
}

/* Issue #19's planted bug: CSRF checked on POST only. */
Test(auth, csrf_is_checked_on_every_unsafe_method)
{
	char tok[64];
	make_user(&S, "req@test.local", "requester", tok);
	res r = api(&S, "POST", "/api/v1/projects", tok, "{s:s,s:s}", "title", "Consent", "label_config",
		    "<View><Text name=\"t\" value=\"$t\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"a\"/></Choices></View>");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long pid = jint(r.json, "id");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/tokens", tok, NULL);
	long long token_id = jint(r.json, "items.0.id");
	res_free(&r);
	char ck[300], csrf[128];
	login_cookie(&S, "req@test.local", "password-123", ck, csrf);
	const char *only_cookie[] = {ck, NULL};
	char project[64], consent[80], token[64];
	snprintf(project, sizeof project, "/api/v1/projects/%lld", pid);
	snprintf(consent, sizeof consent, "/api/v1/projects/%lld/consent", pid);
	snprintf(token, sizeof token, "/api/v1/tokens/%lld", token_id);
	struct {
		const char *method, *path, *body;
	} writes[] = {
		{"PATCH", project, "{\"title\":\"Forged\"}"},
		{"PATCH", "/api/v1/me/profile", "{\"country\":\"FR\"}"},
		{"PUT", consent, "{\"text\":\"Forged consent.\",\"version\":\"v1\"}"},
		{"DELETE", token, NULL},
	};
	for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		const char *b = writes[i].body;
		r = http(&S, writes[i].method, writes[i].path, NULL, b ? "application/json" : NULL, b,
			 b ? strlen(b) : 0, only_cookie);
		cr_expect_eq(r.status, 403, "%s %s with a cookie and no X-CSRF-Token: %s", writes[i].method,
			     writes[i].path, r.body);
		cr_expect_str_eq(jstr(r.json, "error.code"), "csrf_failed");
		res_free(&r);
	}
	r = api(&S, "GET", project, tok, NULL);
	cr_expect_str_eq(jstr(r.json, "title"), "Consent", "nothing changed");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me", tok, NULL);
	cr_expect_eq(r.status, 200, "the token was not revoked");
	res_free(&r);
}
