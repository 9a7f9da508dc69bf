/* The built-in speech-transcriber: see transcribe.h. */
#include "ml/transcribe.h"
#include "core/log.h"
#include "media/speech.h"
#include "ml/choices.h"
#include "ml/fetch.h"
#include "ml/ml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check(fc_store *s, const fc_ml_backend *b, char *error, size_t error_len)
{
	fc_ml_choices c;
	return fc_ml_textarea_parse(b->label_config, &c, error, error_len);
}

/* The recording's words into out; 0, or -1 with why. */
static int transcribe(fc_store *s, int64_t project, const char *url, char *out, size_t outn, double *score, char *why,
		      size_t why_len)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	if (fc_ml_fetch_task(s, project, url, &bytes, &len, why, why_len))
		return -1;
	char path[] = "/tmp/fc-transcribe-XXXXXX";
	int fd = mkstemp(path), rc = -1;
	if (fd < 0) {
		snprintf(why, why_len, "cannot make a temporary file");
	} else if (write(fd, bytes, len) != (ssize_t)len) {
		snprintf(why, why_len, "cannot write a temporary file");
	} else {
		fc_err err = {0};
		rc = fc_speech_transcribe(path, out, outn, score, &err) ? -1 : 0;
		if (rc)
			snprintf(why, why_len, "%s", err.msg);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(bytes);
	return rc;
}

static int predict(fc_store *s, const fc_ml_backend *b, const fc_ml_task *tasks, size_t n, fc_ml_prediction *out,
		   char *error, size_t error_len)
{
	fc_ml_choices c;
	if (fc_ml_textarea_parse(b->label_config, &c, error, error_len))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *url = json_string_value(json_object_get(tasks[i].data, c.field));
		char text[2048], why[512];
		double score = 0;
		if (!url)
			continue;
		if (transcribe(s, b->project, url, text, sizeof text, &score, why, sizeof why)) {
			fc_log(FC_LOG_INFO, "ml: project %lld task %lld: no transcription: %s", (long long)b->project,
			       (long long)tasks[i].id, why);
			continue;
		}
		if (!text[0]) /* nothing recognised: no suggestion rather than an empty one */
			continue;
		out[i].result = json_pack("[{s:s,s:s,s:s,s:{s:[s]}}]", "from_name", c.from_name, "to_name", c.to_name,
					  "type", "textarea", "value", "text", text);
		out[i].score = score;
		out[i].has_score = 1;
		snprintf(out[i].model_version, sizeof out[i].model_version, "speech-transcriber@pocketsphinx-en-us");
	}
	return 0;
}

static const fc_ml_ops TRANSCRIBER = {.check = check, .predict = predict};

void fc_ml_transcribe_subscribe(void) { fc_ml_register_builtin("speech-transcriber", &TRANSCRIBER); }
