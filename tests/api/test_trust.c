/* Trust (issue #18): blocks with a reason and an independent appeal,
 * identity documents sealed at rest and gone after the decision, account
 * deletion that keeps the ledger, retention of media after a project
 * closes. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv S;
/* a 32-byte key in hex, as an operator would configure it */
static const char *const ENV[] =
	{"FAIRCROWD_IDENTITY_KEYS=k2:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL};

static void up(void) { suite_with_users_env(&S, ENV, 3); }
static void down(void) { srv_stop(&S); }
TestSuite(trust, .init = up, .fini = down, .timeout = 180);

static long long annotation_project(const char *extra_key, json_t *extra_val, int ntasks)
{
	json_t *body = json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Trust", "label_config", SENTIMENT_CONFIG,
				 "reward", 5, "overlap", 1, "reject_reasons", "wrong_label");
	if (extra_key)
		json_object_set_new(body, extra_key, extra_val);
	char tasks[2048];
	return project_live(&S, S.req, body, ndjson_lines(tasks, sizeof tasks, "{\"text\":\"t%d\"}\n", ntasks), 1000000);
}

static res post(const char *path, const char *token, const char *json)
{
	return http(&S, "POST", path, token, "application/json", json, strlen(json), NULL);
}

/* POST and expect a status (and an error code when code is given); the
 * answer is not needed further. */
static void expect_post(const char *path, const char *token, const char *json, int status, const char *code,
			const char *why)
{
	res r = post(path, token, json);
	cr_expect_eq(r.status, status, "%s: %s", why ? why : path, r.body);
	if (code)
		cr_expect_str_eq(jstr(r.json, "error.code"), code, "%s", r.body);
	res_free(&r);
}

static int audited(const char *action)
{
	res r = api(&S, "GET", "/api/v1/admin/audit?limit=1000", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char q[96];
	snprintf(q, sizeof q, "\"%s\"", action);
	int found = strstr(r.body, q) != NULL;
	res_free(&r);
	return found;
}

Test(trust, a_block_has_a_reason_the_contributor_sees_and_an_appeal_decided_by_someone_else)
{
	long long pid = annotation_project(NULL, NULL, 4);
	char path[128], body[256];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/blocks", pid);

	/* unhappy paths first: no reason, blank reason, a contributor blocking, nobody, myself */
	snprintf(body, sizeof body, "{\"user_id\":%lld}", S.c_id[0]);
	res r = post(path, S.req, body);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "reason_required");
	res_free(&r);
	snprintf(body, sizeof body, "{\"user_id\":%lld,\"reason\":\"  \"}", S.c_id[0]);
	expect_post(path, S.req, body, 400, NULL, NULL);
	snprintf(body, sizeof body, "{\"user_id\":%lld,\"reason\":\"spam\"}", S.c_id[1]);
	expect_post(path, S.c[0], body, 403, NULL, NULL);
	expect_post(path, S.req, "{\"user_id\":999999,\"reason\":\"spam\"}", 404, NULL, NULL);
	expect_post(path, S.req, "{\"user_id\":\"one\",\"reason\":\"spam\"}", 400, NULL, NULL);

	snprintf(body, sizeof body, "{\"user_id\":%lld,\"reason\":\"Copied answers from a bot.\"}", S.c_id[0]);
	r = post(path, S.req, body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long bid = jint(r.json, "id");
	cr_expect_str_eq(jstr(r.json, "status"), "active");
	res_free(&r);
	expect_post(path, S.req, body, 409, "already_blocked", NULL);

	/* no silent ban: the lease says why, /me/blocks shows the reason */
	r = lease(&S, pid, S.c[0]);
	cr_expect_eq(r.status, 403, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "blocked");
	cr_expect(strstr(r.body, "Copied answers from a bot."), "%s", r.body);
	res_free(&r);
	lease_ok(&S, pid, S.c[1]); /* others still work */
	r = api(&S, "GET", "/api/v1/me/blocks", S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "items.0.id"), bid);
	cr_expect_str_eq(jstr(r.json, "items.0.reason"), "Copied answers from a bot.");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/blocks", S.c[1], NULL);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 0, "%s", r.body);
	res_free(&r);

	/* the appeal: the blocked contributor only, with a message, once */
	snprintf(path, sizeof path, "/api/v1/blocks/%lld/appeal", bid);
	expect_post(path, S.c[0], "{}", 400, "message_required", NULL);
	expect_post(path, S.c[1], "{\"message\":\"not me\"}", 404, NULL, NULL);
	char decide[128];
	snprintf(decide, sizeof decide, "/api/v1/blocks/%lld/decide", bid);
	expect_post(decide, S.admin_token, "{\"upheld\":true}", 409, "no_appeal", "nothing to decide before an appeal");
	r = post(path, S.c[0], "{\"message\":\"I typed every answer myself.\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	expect_post(path, S.c[0], "{\"message\":\"again\"}", 409, NULL, NULL);

	/* decided by someone else: not the one who blocked, not a stranger */
	expect_post(decide, S.req, "{\"upheld\":true}", 403, "not_independent", NULL);
	expect_post(decide, S.c[1], "{\"upheld\":true}", 403, NULL, NULL);
	expect_post(decide, S.admin_token, "{\"upheld\":false}", 400, NULL, "a denial needs a reason");
	r = post(decide, S.admin_token, "{\"upheld\":true,\"reason\":\"The answers differ from the bot's.\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "lifted");
	res_free(&r);
	expect_post(decide, S.admin_token, "{\"upheld\":true}", 409, NULL, NULL);
	lease_ok(&S, pid, S.c[0]); /* lifted: work again */

	/* a reviewer blocks too; the owner (not the blocker) decides */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/members", pid);
	snprintf(body, sizeof body, "{\"user_id\":%lld,\"role\":\"reviewer\"}", S.c_id[2]);
	r = post(path, S.req, body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/blocks", pid);
	snprintf(body, sizeof body, "{\"user_id\":%lld,\"reason\":\"Rude messages to the team.\"}", S.c_id[1]);
	r = post(path, S.c[2], body);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long b2 = jint(r.json, "id");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/blocks/%lld/appeal", b2);
	r = post(path, S.c[1], "{\"message\":\"It was a misunderstanding.\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	snprintf(decide, sizeof decide, "/api/v1/blocks/%lld/decide", b2);
	r = post(decide, S.req, "{\"upheld\":false,\"reason\":\"The messages are in the log.\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "status"), "active");
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/blocks", S.c[1], NULL);
	cr_expect_str_eq(jstr(r.json, "items.0.decision_reason"), "The messages are in the log.");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/blocks", pid);
	r = api(&S, "GET", path, S.c[0], NULL);
	cr_expect_eq(r.status, 403, "a contributor lists the project's blocks: %s", r.body);
	res_free(&r);

	cr_expect(audited("block.create") && audited("block.appeal") && audited("block.appeal_upheld") &&
		  audited("block.appeal_denied") && audited("member.role"));
}

/* Occurrences of needle (n bytes) in any file under dir: grep -r as bytes. */
static int found_under(const char *dir, const char *needle)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "grep -r -a -l -F '%s' '%s' 2>/dev/null | wc -l", needle, dir);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	int n = 0;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

Test(trust, identity_is_sealed_at_rest_read_once_by_an_admin_and_gone_after_the_decision)
{
	long long pid = annotation_project("eligibility", json_pack("{s:b}", "verified", 1), 3);
	res r = lease(&S, pid, S.c[2]);
	cr_expect_eq(r.status, 403, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "identity_not_verified");
	res_free(&r);

	/* a PNG whose pixels carry a marker we then look for on disk */
	const char *marker = "PASSPORT-NUMBER-X9Q7-UNSEALED-PLAINTEXT-MARKER";
	char png[4096];
	memcpy(png, "\x89PNG\r\n\x1a\n", 8);
	size_t len = 8;
	for (int i = 0; i < 40; i++, len += strlen(marker))
		memcpy(png + len, marker, strlen(marker));

	/* unhappy paths: not an image, a lie about the type, empty, not an admin */
	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "text/plain", "hello", 5, NULL);
	cr_expect_eq(r.status, 415, "%s", r.body);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "image/jpeg", png, len, NULL);
	cr_expect_eq(r.status, 415, "%s", r.body);
	res_free(&r);
	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "image/png", "", 0, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);

	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "image/png", png, len, NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long doc = jint(r.json, "id");
	res_free(&r);
	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "image/png", png, len, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "identity_pending");
	res_free(&r);
	cr_expect_eq(found_under(S.dir, marker), 0, "the document is on disk in plaintext while pending");
	if (!*S.database) /* the scan can see: an email stored in the clear is found */
		cr_expect_gt(found_under(S.dir, "c3@test.local"), 0, "the scan finds nothing at all");

	r = api(&S, "GET", "/api/v1/admin/identity/next", S.c[0], NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/admin/identity/next", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_eq(jint(r.json, "id"), doc);
	cr_expect_str_eq(jstr(r.json, "content_type"), "image/png");
	char cmd[200 + 8192];
	snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | base64 -d | grep -c -a -F '%s'", jstr(r.json, "image"), marker);
	res_free(&r);
	FILE *p = popen(cmd, "r");
	int lines = 0;
	cr_assert(p && fscanf(p, "%d", &lines) == 1);
	pclose(p);
	cr_expect_eq(lines, 1, "the admin does not get the document back");

	char path[96];
	snprintf(path, sizeof path, "/api/v1/identity/%lld/decide", doc);
	expect_post(path, S.admin_token, "{\"approve\":false}", 400, "reason_required", NULL);
	expect_post("/api/v1/identity/999999/decide", S.admin_token, "{\"approve\":true}", 404, NULL, NULL);
	r = post(path, S.admin_token, "{\"approve\":true,\"reason\":\"Matches the profile.\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	expect_post(path, S.admin_token, "{\"approve\":true}", 409, NULL, NULL);
	/* nobody can read it now: the queue is empty, the row has no bytes */
	r = api(&S, "GET", "/api/v1/admin/identity/next", S.admin_token, NULL);
	cr_expect_eq(r.status, 204, "%s", r.body);
	res_free(&r);
	char q[1200], out[64] = "";
	if (*S.database)
		snprintf(q, sizeof q,
			 "psql '%s' -At -c \"SELECT COUNT(*) FROM identity_documents WHERE sealed IS NOT NULL\"",
			 S.database);
	else
		snprintf(q, sizeof q,
			 "sqlite3 -cmd '.timeout 5000' '%s/faircrowd.db' \"SELECT COUNT(*) FROM identity_documents WHERE "
			 "sealed IS NOT NULL\"",
			 S.dir);
	p = popen(q, "r");
	cr_assert(p);
	cr_expect(fgets(out, sizeof out, p) && atoi(out) == 0, "sealed bytes left: %s", out);
	pclose(p);
	cr_expect_eq(found_under(S.dir, marker), 0, "the document is on disk in plaintext");

	r = api(&S, "GET", "/api/v1/me/identity", S.c[2], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(json_is_true(jget(r.json, "verified")), "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "documents.0.status"), "approved");
	res_free(&r);
	lease_ok(&S, pid, S.c[2]); /* verified: eligible now */
	r = http(&S, "POST", "/api/v1/me/identity", S.c[2], "image/png", png, len, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "already_verified");
	res_free(&r);
	cr_expect(audited("identity.submit") && audited("identity.decide"));
}

Test(trust, deleting_an_account_erases_personal_data_keeps_the_ledger_and_shuts_it_out)
{
	char tok[64];
	make_user(&S, "leaving@test.local", "contributor", tok);
	long long pid = annotation_project(NULL, NULL, 2);
	long long aid = lease_ok(&S, pid, tok);
	res r = submit_choice(&S, aid, tok, "sentiment", "pos", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid);
	r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/me/earnings", tok, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	/* unhappy paths: no confirmation; an owner of a live project */
	r = http(&S, "DELETE", "/api/v1/me", tok, "application/json", "{}", 2, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "confirmation_required");
	res_free(&r);
	r = http(&S, "DELETE", "/api/v1/me", tok, "application/json", "{\"confirm\":\"yes\"}", 17, NULL);
	cr_expect_eq(r.status, 400, "%s", r.body);
	res_free(&r);
	r = http(&S, "DELETE", "/api/v1/me", S.req, "application/json", "{\"confirm\":true}", 16, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "owns_live_projects");
	res_free(&r);

	r = http(&S, "DELETE", "/api/v1/me", tok, "application/json", "{\"confirm\":true}", 16, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char pseud[64];
	snprintf(pseud, sizeof pseud, "%s", jstr(r.json, "pseudonym"));
	res_free(&r);

	/* shut out: the token, the password */
	r = api(&S, "GET", "/api/v1/me", tok, NULL);
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	r = api(&S, "POST", "/api/v1/auth/login", NULL, "{s:s,s:s}", "email", "leaving@test.local", "password",
		"password-123");
	cr_expect_eq(r.status, 401, "%s", r.body);
	res_free(&r);
	/* the email is gone from the accounts an admin sees; the pseudonym stays */
	r = api(&S, "GET", "/api/v1/users?limit=1000", S.admin_token, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect(!strstr(r.body, "leaving@test.local"), "%s", r.body);
	cr_expect(strstr(r.body, pseud), "%s", r.body);
	res_free(&r);
	/* the work and its pay stay (the requester still sees the accepted submission) */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/submissions?status=accepted", pid);
	r = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char want[48];
	snprintf(want, sizeof want, "\"id\":%lld", sid);
	cr_expect(strstr(r.body, want), "the accepted work went with the account: %s", r.body);
	cr_expect(!strstr(r.body, "leaving@test.local"), "%s", r.body);
	res_free(&r);
	/* the email may be used again */
	char again[64];
	make_user(&S, "leaving@test.local", "contributor", again);
	cr_expect(audited("account.delete"));
}

static int blob_exists(const char *sha)
{
	char path[600];
	snprintf(path, sizeof path, "%s/blobs/%.2s/%.2s/%s", S.dir, sha, sha + 2, sha);
	return access(path, F_OK) == 0;
}

Test(trust, retention_erases_media_after_the_project_closed)
{
	set_clock(&S, "2031-01-01T00:00:00Z");
	char wav[300], cmd[600];
	snprintf(wav, sizeof wav, "%s/keep.wav", S.dir);
	snprintf(cmd, sizeof cmd, "sox -n -r 16000 -c 1 -b 16 '%s' synth 2 sine 300 vol 0.3 tremolo 3 40 2>/dev/null",
		 wav);
	cr_assert_eq(system(cmd), 0, "sox failed");
	json_t *spec = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:[s],s:i}", "media", "audio", "prompt_field", "sentence",
				 "min_seconds", 1, "max_seconds", 15, "min_sample_rate", 16000, "channels", 1,
				 "formats", "wav", "max_bytes", 1048576);
	json_t *bad = json_pack("{s:s,s:s,s:O,s:i,s:i,s:i}", "title", "Kept", "kind", "collection", "collect", spec,
				"reward", 5, "overlap", 1, "retention_days", 0);
	res r = api(&S, "POST", "/api/v1/projects", S.req, "O", bad);
	json_decref(bad);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "retention_days");
	res_free(&r);
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:o,s:i,s:i,s:i}", "title", "Kept", "kind", "collection",
					       "collect", spec, "reward", 5, "overlap", 1, "retention_days", 2),
				     "{\"sentence\":\"One.\"}\n", 1000000);
	long long aid = lease_ok(&S, pid, S.c[1]);
	size_t len;
	char *b = slurp(wav, &len);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	r = http(&S, "POST", path, S.c[1], "audio/wav", b, len, NULL);
	free(b);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long mid = jint(r.json, "id");
	char sha[65];
	snprintf(sha, sizeof sha, "%s", jstr(r.json, "sha256"));
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
	r = api(&S, "POST", path, S.c[1], "{s:I,s:i}", "media_id", (json_int_t)mid, "active_seconds", 10);
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long sid = jint(r.json, "id");
	res_free(&r);

	/* live, and a closed project within its retention: kept */
	set_clock(&S, "2031-01-10T00:00:00Z");
	cr_expect(blob_exists(sha), "erased while the project is live");
	snprintf(path, sizeof path, "/api/v1/projects/%lld/close", pid);
	r = api(&S, "POST", path, S.req, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "closed_at"), "2031-01-10T00:00:00Z");
	res_free(&r);
	set_clock(&S, "2031-01-11T23:00:00Z");
	cr_expect(blob_exists(sha), "erased before retention_days passed");

	set_clock(&S, "2031-01-12T00:00:05Z"); /* two days after closing: the job runs */
	for (int i = 0; i < 100 && blob_exists(sha); i++)
		usleep(100 * 1000);
	cr_expect(!blob_exists(sha), "the recording outlived the project's retention");
	snprintf(path, sizeof path, "/api/v1/media/%lld", mid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	/* and no export holds it any more */
	snprintf(path, sizeof path, "/api/v1/projects/%lld/export?format=jsonl&status=all", pid);
	r = http(&S, "GET", path, S.req, NULL, NULL, 0, NULL);
	cr_expect_eq(r.status, 200, "%s", r.body);
	char item[48];
	snprintf(item, sizeof item, "{\"id\":%lld,\"completed_by\"", sid);
	cr_expect(!strstr(r.body, item), "the export still holds the erased recording: %s", r.body);
	cr_expect(!strstr(r.body, sha), "the export names the erased blob");
	res_free(&r);
	cr_expect(audited("retention.erase"));
}

/* Without a sealing key the server refuses documents rather than keep them
 * in the clear. */
static srv N;
static void up_nokey(void) { suite_with_users(&N, 1); }
static void down_nokey(void) { srv_stop(&N); }
TestSuite(trust_nokey, .init = up_nokey, .fini = down_nokey, .timeout = 60);

Test(trust_nokey, no_key_no_documents)
{
	res r = http(&N, "POST", "/api/v1/me/identity", N.c[0], "image/png", "\x89PNG\r\n\x1a\n....", 12, NULL);
	cr_expect_eq(r.status, 503, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "identity_unavailable");
	res_free(&r);
}
