/* Speech checks: see speech.h. */
#include "media/speech.h"
#include "core/buf.h"
#include "core/log.h"
#include "media/media.h"

#include <ctype.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pocketsphinx.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 256
#define WORD_LEN 32

/* ---- word error rate ---- */

/* Splits s into lower-cased words of letters, digits and apostrophes. */
static size_t words(const char *s, char (*w)[WORD_LEN])
{
	size_t n = 0, len = 0;
	for (const char *p = s ? s : "";; p++) {
		unsigned char c = (unsigned char)*p;
		if (c && (isalnum(c) || c == '\'' || c >= 0x80)) {
			if (len < WORD_LEN - 1 && n < MAX_WORDS)
				w[n][len++] = (char)tolower(c);
			continue;
		}
		if (len && n < MAX_WORDS)
			w[n++][len] = 0;
		len = 0;
		if (!c)
			break;
	}
	return n;
}

double fc_speech_wer(const char *ref, const char *hyp)
{
	static _Thread_local char r[MAX_WORDS][WORD_LEN], h[MAX_WORDS][WORD_LEN];
	size_t nr = words(ref, r), nh = words(hyp, h);
	if (!nr)
		return nh ? 1.0 : 0.0;
	size_t prev[MAX_WORDS + 1], cur[MAX_WORDS + 1];
	for (size_t j = 0; j <= nh; j++)
		prev[j] = j;
	for (size_t i = 1; i <= nr; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= nh; j++) {
			size_t sub = prev[j - 1] + (strcmp(r[i - 1], h[j - 1]) != 0);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (nh + 1) * sizeof *cur);
	}
	return (double)prev[nh] / (double)nr;
}

/* ---- the decoder ---- */

/* lm: NULL for the prompt grammar's decoder, else the general language
 * model's file name in the model folder. */
static ps_decoder_t *load_decoder(const char *lm)
{
	const char *dir = getenv("FAIRCROWD_SPEECH_MODEL");
	if (!dir || !*dir)
		dir = FC_SPEECH_MODEL_DIR;
	char hmm[512], dict[512];
	snprintf(hmm, sizeof hmm, "%s/en-us", dir);
	snprintf(dict, sizeof dict, "%s/cmudict-en-us.dict", dir);
	if (access(hmm, R_OK) || access(dict, R_OK)) {
		fc_log(FC_LOG_WARN, "speech: no model in %s (install pocketsphinx-en-us)", dir);
		return NULL;
	}
	char lmpath[512];
	snprintf(lmpath, sizeof lmpath, "%s/%s", dir, lm ? lm : "");
	if (lm && access(lmpath, R_OK)) {
		fc_log(FC_LOG_WARN, "speech: no language model %s (install pocketsphinx-en-us)", lmpath);
		return NULL;
	}
	/* the general model: no second (flat-lexicon) pass, fewer HMMs per frame — a third of
	 * the time for about the same words (docs/ml.md) */
	cmd_ln_t *cfg = lm ? cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict, "-lm", lmpath, "-fwdflat",
					 "no", "-maxhmmpf", "3000", "-logfn", "/dev/null", NULL)
			   : cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict, "-logfn", "/dev/null", NULL);
	if (!cfg)
		return NULL;
	ps_decoder_t *ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	if (!ps)
		fc_log(FC_LOG_WARN, "speech: pocketsphinx could not load the model in %s", dir);
	return ps;
}

/* Appends " | word" when the dictionary knows word (and it is not there yet). */
static int add_word(ps_decoder_t *ps, fc_buf *g, const char *word, int *n)
{
	char *pron = ps_lookup_word(ps, word);
	if (!pron)
		return 0;
	ckd_free(pron);
	char key[WORD_LEN + 4];
	snprintf(key, sizeof key, " %s ", word);
	if (g->p && strstr(g->p, key))
		return 0;
	(*n)++;
	return fc_buf_printf(g, "%s %s ", *n > 1 ? "|" : "", word);
}

/* A JSGF grammar: any sequence of the prompt's words. Returns how many words it has, -1 when out of memory. */
static int grammar(ps_decoder_t *ps, const char *prompt, fc_buf *g)
{
	static _Thread_local char w[MAX_WORDS][WORD_LEN];
	size_t nw = words(prompt, w);
	int n = 0, bad = fc_buf_puts(g, "#JSGF V1.0;\ngrammar prompt;\npublic <s> = ( ");
	for (size_t i = 0; i < nw; i++)
		bad |= add_word(ps, g, w[i], &n);
	bad |= fc_buf_puts(g, ")* ;\n");
	return bad ? -1 : n;
}

/* The hypothesis of a finished utterance into out. */
static void copy_hyp(ps_decoder_t *ps, char *out, size_t outn)
{
	int32 score;
	const char *hyp = ps_get_hyp(ps, &score);
	snprintf(out, outn, "%s", hyp ? hyp : "");
}

static int decode(ps_decoder_t *ps, const char *prompt, const int16_t *pcm, size_t n, char *out, size_t outn, fc_err *err)
{
	fc_buf g = {0};
	int rc = 0, words = grammar(ps, prompt, &g);
	if (words == 0)
		rc = fc_err_set(err, FC_ENOTFOUND, "no_known_words", NULL, "The dictionary knows no word of the prompt.");
	else if (words < 0 || ps_set_jsgf_string(ps, "prompt", g.p) < 0 || ps_set_search(ps, "prompt") < 0)
		rc = fc_err_set(err, FC_EIO, "speech_failed", NULL, "The prompt cannot be turned into a grammar.");
	else if (ps_start_utt(ps) < 0 || ps_process_raw(ps, pcm, n, FALSE, TRUE) < 0 || ps_end_utt(ps) < 0)
		rc = fc_err_set(err, FC_EIO, "speech_failed", NULL, "Speech recognition failed on this recording.");
	else
		copy_hyp(ps, out, outn);
	fc_buf_free(&g);
	return rc;
}

/* A decoder loaded on first use and shared under its lock. */
typedef struct shared_decoder {
	pthread_mutex_t lock;
	ps_decoder_t *ps;
	int failed;
	const char *lm;   /* NULL: the prompt grammar's */
	time_t last_used; /* CLOCK_MONOTONIC seconds */
} shared_decoder;

static shared_decoder GRAMMAR = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0};
static shared_decoder GENERAL = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, "en-us.lm.bin", 0};

/* ---- freeing idle decoders ----
 * A loaded decoder holds the dictionary (and the general model) in memory:
 * tens of MB for a server that may check one clip a day. A reaper thread,
 * started when a decoder is first loaded, wakes every tenth of
 * FAIRCROWD_SPEECH_IDLE_SECONDS (default 300; 0 keeps the decoders) and
 * frees each decoder unused that long; the next clip loads it again
 * (about a second). A decoder in use (its lock held) is not idle. */

static pthread_once_t reaper_once = PTHREAD_ONCE_INIT;

static time_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static long idle_limit(void)
{
	const char *v = getenv("FAIRCROWD_SPEECH_IDLE_SECONDS");
	return v && *v ? strtol(v, NULL, 10) : 300;
}

static void reap(shared_decoder *d, long limit)
{
	if (pthread_mutex_trylock(&d->lock))
		return;
	if (d->ps && mono_now() - d->last_used >= limit) {
		ps_free(d->ps);
		d->ps = NULL;
#ifdef __GLIBC__
		malloc_trim(0); /* hand the freed model back to the system, not only to malloc */
#endif
		fc_log(FC_LOG_INFO, "speech: the %s decoder freed after %ld s idle", d->lm ? "general" : "prompt", limit);
	}
	pthread_mutex_unlock(&d->lock);
}

static void *reaper(void *arg)
{
	long limit = (long)(intptr_t)arg;
	for (;;) {
		sleep((unsigned)(limit < 10 ? 1 : limit / 10));
		reap(&GRAMMAR, limit);
		reap(&GENERAL, limit);
	}
	return NULL;
}

static void start_reaper(void)
{
	long limit = idle_limit();
	pthread_t t;
	if (limit > 0 && !pthread_create(&t, NULL, reaper, (void *)(intptr_t)limit))
		pthread_detach(t);
}

/* Empties out, bounds *n, locks d and loads it; its decoder (NULL: none
 * here). The caller unlocks d->lock. */
static ps_decoder_t *take(shared_decoder *d, char *out, size_t outn, size_t *n)
{
	if (outn)
		out[0] = 0;
	if (*n > (size_t)FC_SPEECH_MAX_SECONDS * 16000)
		*n = (size_t)FC_SPEECH_MAX_SECONDS * 16000;
	pthread_mutex_lock(&d->lock);
	if (!d->ps && !d->failed && !(d->failed = !(d->ps = load_decoder(d->lm))))
		pthread_once(&reaper_once, start_reaper);
	d->last_used = mono_now();
	return d->ps;
}

static int unavailable(fc_err *err)
{
	return fc_err_set(err, FC_EIO, "speech_unavailable", NULL, "Speech recognition is not available here.");
}

int fc_speech_recognise_pcm(const int16_t *pcm, size_t n, const char *prompt, char *out, size_t outn, fc_err *err)
{
	ps_decoder_t *ps = take(&GRAMMAR, out, outn, &n);
	int rc = ps ? decode(ps, prompt, pcm, n, out, outn, err) : unavailable(err);
	pthread_mutex_unlock(&GRAMMAR.lock);
	return rc;
}

/* ---- free transcription (the general language model) ---- */

/* The words of the best path into out (fillers, silences and alternative
 * pronunciation marks left out); *score the mean posterior of its words. */
static void words_of(ps_decoder_t *ps, char *out, size_t outn, double *score)
{
	logmath_t *lmath = ps_get_logmath(ps);
	size_t len = 0;
	double sum = 0;
	int n = 0;
	for (ps_seg_t *seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
		const char *w = ps_seg_word(seg);
		if (!w || *w == '<' || *w == '[' || !strcmp(w, "<sil>"))
			continue;
		size_t wl = strcspn(w, "(");
		if (!wl || len + wl + 2 > outn)
			continue;
		int32 a, l, b;
		double post = logmath_exp(lmath, ps_seg_prob(seg, &a, &l, &b));
		sum += post > 1 ? 1 : post;
		n++;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, w, wl);
		len += wl;
		out[len] = 0;
	}
	*score = n ? sum / n : 0;
}

int fc_speech_transcribe_pcm(const int16_t *pcm, size_t n, char *out, size_t outn, double *score, fc_err *err)
{
	*score = 0;
	ps_decoder_t *ps = take(&GENERAL, out, outn, &n);
	int rc = 0;
	if (!ps)
		rc = unavailable(err);
	else if (ps_start_utt(ps) < 0 || ps_process_raw(ps, pcm, n, FALSE, TRUE) < 0 || ps_end_utt(ps) < 0)
		rc = fc_err_set(err, FC_EIO, "speech_failed", NULL, "Speech recognition failed on this recording.");
	else
		words_of(ps, out, outn, score);
	pthread_mutex_unlock(&GENERAL.lock);
	return rc;
}

/* The samples of a canonical 16-bit WAV (the media module's to_wav). */
static int read_wav(FILE *f, int16_t **pcm, size_t *n, fc_err *err)
{
	unsigned char h[44];
	long size;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 44 || fseek(f, 0, SEEK_SET) || fread(h, 1, 44, f) != 44 ||
	    memcmp(h, "RIFF", 4) || memcmp(h + 36, "data", 4))
		return fc_err_set(err, FC_EIO, "internal", NULL, "The converted recording cannot be read.");
	size_t cnt = (size_t)(size - 44) / 2;
	if (cnt > (size_t)FC_SPEECH_MAX_SECONDS * 16000)
		cnt = (size_t)FC_SPEECH_MAX_SECONDS * 16000;
	*pcm = malloc((cnt ? cnt : 1) * sizeof **pcm);
	if (!*pcm)
		return fc_err_set(err, FC_ENOMEM, "internal", NULL, "Out of memory for the recording.");
	*n = fread(*pcm, 2, cnt, f);
	return 0;
}

/* The recording at path as 16 kHz mono samples (free *pcm). */
static int load_pcm(const char *path, int16_t **pcm, size_t *n, fc_err *err)
{
	FILE *tmp = tmpfile();
	if (!tmp)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot make a temporary file.");
	*pcm = NULL;
	*n = 0;
	int rc = fc_media_to_wav_file(path, tmp, 16000, 1, err);
	if (!rc)
		rc = read_wav(tmp, pcm, n, err);
	fclose(tmp);
	return rc;
}

int fc_speech_recognise(const char *path, const char *prompt, char *out, size_t outn, fc_err *err)
{
	int16_t *pcm;
	size_t n;
	int rc = load_pcm(path, &pcm, &n, err);
	if (!rc)
		rc = fc_speech_recognise_pcm(pcm, n, prompt, out, outn, err);
	free(pcm);
	return rc;
}

int fc_speech_transcribe(const char *path, char *out, size_t outn, double *score, fc_err *err)
{
	int16_t *pcm;
	size_t n;
	int rc = load_pcm(path, &pcm, &n, err);
	if (!rc)
		rc = fc_speech_transcribe_pcm(pcm, n, out, outn, score, err);
	free(pcm);
	return rc;
}
