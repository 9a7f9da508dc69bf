/* Speech checks of read-aloud projects (collect.verify_prompt): espeak-ng
 * reads the task's sentence → accepted with probe.prompt_wer; reads another
 * sentence → 422 prompt_mismatch; the spec's fields are checked. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROMPT "The quick brown fox jumps over the lazy dog near the river bank"
#define OTHER "Please call Stella and ask her to bring these things with her from the store"

static srv S;
static char DIR_[128];

static void say(const char *name, const char *text)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd %s && espeak-ng -w raw-%s '%s' && sox raw-%s -r 16000 -c 1 %s", DIR_, name, text,
		 name, name);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

static void up(void)
{
	snprintf(DIR_, sizeof DIR_, "/tmp/fc-speech-XXXXXX");
	cr_assert(mkdtemp(DIR_));
	say("prompt.wav", PROMPT);
	say("other.wav", OTHER);
	suite_with_users(&S, 1);
}

static void down(void)
{
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", DIR_);
	cr_expect_eq(system(cmd), 0);
	srv_stop(&S);
}
TestSuite(speech, .init = up, .fini = down, .timeout = 180);

static res create(json_t *collect)
{
	return api(&S, "POST", "/api/v1/projects", S.req, "{s:s,s:s,s:o,s:i,s:i}", "title", "Read aloud", "kind",
		   "collection", "collect", collect, "reward", 5, "overlap", 1);
}

/* A live read-aloud project whose two tasks have the sentence prompt. */
static long long project(const char *prompt)
{
	char nd[512];
	snprintf(nd, sizeof nd, "{\"sentence\":\"%s\"}\n{\"sentence\":\"%s\"}\n", prompt, prompt);
	return project_live(&S, S.req,
			    json_pack("{s:s,s:s,s:{s:s,s:s,s:b,s:f},s:i,s:i}", "title", "Read aloud", "kind",
				      "collection", "collect", "media", "audio", "prompt_field", "sentence",
				      "verify_prompt", 1, "max_prompt_wer", 0.5, "reward", 5, "overlap", 1),
			    nd, 1000000);
}

static res upload(long long aid, const char *file)
{
	char path[300];
	size_t len;
	snprintf(path, sizeof path, "%s/%s", DIR_, file);
	char *b = slurp(path, &len);
	snprintf(path, sizeof path, "/api/v1/assignments/%lld/media", aid);
	res r = http(&S, "POST", path, S.c[0], "audio/wav", b, len, NULL);
	free(b);
	return r;
}

Test(speech, spec_fields_are_checked)
{
	res r = create(json_pack("{s:s,s:s,s:s}", "media", "audio", "prompt_field", "sentence", "verify_prompt", "yes"));
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.verify_prompt");
	res_free(&r);
	r = create(json_pack("{s:s,s:b}", "media", "audio", "verify_prompt", 1));
	cr_expect_eq(r.status, 400, "verify_prompt without prompt_field: %s", r.body);
	res_free(&r);
	r = create(json_pack("{s:s,s:s,s:b,s:i}", "media", "audio", "prompt_field", "sentence", "verify_prompt", 1,
			     "max_prompt_wer", -1));
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "collect.max_prompt_wer");
	res_free(&r);
}

/* Another sentence → prompt_mismatch; then, on the same assignment, the
 * prompt itself → 201 with its word error rate and what was heard. */
Test(speech, the_prompt_is_accepted_another_sentence_is_not)
{
	long long pid = project(PROMPT);
	long long aid = lease_ok(&S, pid, S.c[0]);
	res r = upload(aid, "other.wav");
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.code"), "prompt_mismatch");
	res_free(&r);
	r = upload(aid, "prompt.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *wer = jget(r.json, "probe.prompt_wer");
	cr_assert(json_is_number(wer), "%s", r.body);
	cr_expect_leq(json_number_value(wer), 0.5);
	cr_expect(strstr(jstr(r.json, "probe.recognised_text"), "brown fox"), "%s", r.body);
	res_free(&r);
}

/* A prompt whose words the English dictionary does not know cannot be
 * checked: the clip is taken, without prompt_wer. */
Test(speech, a_prompt_of_unknown_words_is_not_checked)
{
	long long pid = project("Zqxwv plorkt");
	res r = upload(lease_ok(&S, pid, S.c[0]), "other.wav");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect(!jget(r.json, "probe.prompt_wer"), "%s", r.body);
	res_free(&r);
}
