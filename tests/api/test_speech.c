/* Speech checks of read-aloud projects (collect.verify_prompt): espeak-ng
 * reads the task's sentence → accepted with probe.prompt_wer; reads another
 * sentence → 422 prompt_mismatch; the spec's fields are checked. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
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
	/* text: the words, or espeak-ng options followed by the words after a quote */
	snprintf(cmd, sizeof cmd, "cd %s && espeak-ng -w raw-%s %s%s' && sox raw-%s -r 16000 -c 1 %s", DIR_, name,
		 strchr(text, '\'') ? "" : "'", text, name, name);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

static void up(void)
{
	snprintf(DIR_, sizeof DIR_, "/tmp/fc-speech-XXXXXX");
	cr_assert(mkdtemp(DIR_));
	say("prompt.wav", PROMPT);
	say("other.wav", OTHER);
	/* for the pre-transcription: a slower American voice, German, and noise */
	say("slow.wav", "-v en-us -s 130 '" OTHER "");
	say("german.wav", "-v de 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich");
	char cmd[300];
	snprintf(cmd, sizeof cmd, "cd %s && sox -n -r 16000 -c 1 noise.wav synth 3 whitenoise vol 0.3", DIR_);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
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

/* ---- pre-transcription (the built-in speech-transcriber) ---- */

/* Word error rate of hyp against ref (lower-case words split at spaces;
 * the test's own count, to check the server's suggestion). */
static double wer(const char *ref, const char *hyp)
{
	char a[64][32], b[64][32];
	int na = 0, nb = 0, d[65][65];
	for (const char *p = ref; *p && na < 64;) {
		int n = 0;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && n < 31)
			a[na][n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p), p++;
		a[na][n] = 0;
		na += n > 0;
	}
	for (const char *p = hyp; *p && nb < 64;) {
		int n = 0;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && n < 31)
			b[nb][n++] = *p++;
		b[nb][n] = 0;
		nb += n > 0;
	}
	for (int i = 0; i <= na; i++)
		for (int j = 0; j <= nb; j++) {
			int best = i && j ? d[i - 1][j - 1] + !!strcmp(a[i - 1], b[j - 1]) : i + j;
			if (i && d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (j && d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			d[i][j] = best;
		}
	return na ? (double)d[na][nb] / na : 1;
}

/* A task whose audio is the clip as a data: URI. */
static void task_line(char **nd, size_t *len, const char *file)
{
	char path[300];
	size_t n;
	snprintf(path, sizeof path, "%s/%s", DIR_, file);
	char *b = slurp(path, &n);
	size_t b64 = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	*nd = realloc(*nd, *len + b64 + 64);
	*len += (size_t)sprintf(*nd + *len, "{\"audio\":\"data:audio/wav;base64,");
	sodium_bin2base64(*nd + *len, b64, (const unsigned char *)b, n, sodium_base64_VARIANT_ORIGINAL);
	*len += strlen(*nd + *len);
	*len += (size_t)sprintf(*nd + *len, "\"}\n");
	free(b);
}

/* The model's prediction in a lease of pid by token (NULL: none). */
static char *suggested(long long pid, const char *token, double *score)
{
	res r = lease(&S, pid, token);
	cr_assert_eq(r.status, 201, "%s", r.body);
	char *text = NULL;
	size_t i;
	json_t *p;
	json_array_foreach(jget(r.json, "task.predictions"), i, p) {
		const char *o = json_string_value(json_object_get(p, "origin"));
		if (!text && o && !strcmp(o, "model")) {
			text = strdup(jstr(p, "result.0.value.text.0") ? jstr(p, "result.0.value.text.0") : "");
			*score = json_number_value(json_object_get(p, "score"));
			cr_expect_str_eq(jstr(p, "result.0.from_name"), "transcript", "%s", r.body);
			cr_expect_str_eq(jstr(p, "model_version"), "speech-transcriber@pocketsphinx-en-us");
		}
	}
	res_free(&r);
	return text;
}

/* A transcription project's tasks get the recogniser's free text as a
 * suggestion: close to what an English voice said (WER below a measured
 * ceiling), none for noise, and a German clip is a suggestion like any
 * other — never an error. The English clip is a file dropped into the
 * project (/api/v1/files/ID), read from the blob store; the others are
 * data: URIs. */
Test(speech, transcription_projects_get_a_pre_transcription, .timeout = 400)
{
	char *nd = NULL;
	size_t len = 0;
	task_line(&nd, &len, "german.wav");
	task_line(&nd, &len, "noise.wav");
	long long pid =
		project_live(&S, S.req,
			     json_pack("{s:s,s:s,s:i,s:i}", "title", "Transcribe", "label_config",
				       "<View><Audio name=\"audio\" value=\"$audio\"/><TextArea name=\"transcript\" "
				       "toName=\"audio\"/></View>",
				       "reward", 5, "overlap", 1),
			     nd, 1000000);
	free(nd);
	char path[96], wav[300];
	snprintf(wav, sizeof wav, "%s/slow.wav", DIR_);
	size_t wn;
	char *wb = slurp(wav, &wn);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/files?name=slow.wav", pid);
	res d = http(&S, "POST", path, S.req, "audio/wav", wb, wn, NULL);
	cr_assert_eq(d.status, 201, "%s", d.body);
	cr_expect(!strncmp(jstr(d.json, "data.audio"), "/api/v1/files/", 14), "%s", d.body);
	res_free(&d);
	free(wb);
	snprintf(path, sizeof path, "/api/v1/projects/%lld/ml", pid);
	res r = api(&S, "PUT", path, S.req, "{s:s}", "builtin", "text-classifier");
	cr_expect_eq(r.status, 422, "a text model does not fit a transcription: %s", r.body);
	res_free(&r);
	r = api(&S, "PUT", path, S.req, "{s:s}", "builtin", "speech-transcriber");
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);
	for (int tries = 0; tries < 1200; tries++) { /* up to 6 minutes under sanitizers */
		r = api(&S, "GET", path, S.req, NULL);
		cr_assert_eq(r.status, 200, "never a 500: %s", r.body);
		int done = jint(r.json, "pending") == 0 && json_is_string(jget(r.json, "last_ok_at"));
		res_free(&r);
		if (done)
			break;
		usleep(300 * 1000);
	}
	char t2[64], t3[64];
	make_user(&S, "transcriber2@example.com", "contributor", t2);
	make_user(&S, "transcriber3@example.com", "contributor", t3);
	double score = -1, gscore = -1, nscore = -1;
	/* leased in task order: German, noise, then the dropped English clip */
	char *german = suggested(pid, t2, &gscore);
	fprintf(stderr, "pre-transcription of German: \"%s\" score %.2f\n", german ? german : "(none)", gscore);
	char *noise = suggested(pid, t3, &nscore);
	cr_expect(!noise, "noise: no suggestion (\"%s\")", noise ? noise : "");
	char *heard = suggested(pid, S.c[0], &score);
	cr_assert(heard, "the English clip (a dropped file) has a suggestion");
	double w = wer(OTHER, heard);
	fprintf(stderr, "pre-transcription: \"%s\" WER %.2f score %.2f\n", heard, w, score);
	cr_expect_leq(w, 0.75, "measured 0.40 (docs/ml.md): \"%s\"", heard);
	cr_expect(score > 0 && score <= 1, "%f", score);
	free(heard);
	free(german);
	free(noise);
}
