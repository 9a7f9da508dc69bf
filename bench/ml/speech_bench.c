/* speech_bench — time of the read-aloud check per clip (bench/README.md,
 * "ML assistance"): espeak-ng reads a sentence of about 10 seconds; the
 * clip is recognised against its prompt 5 times (median), after one
 * untimed call that loads the model (timed on its own).
 *
 *   speech_bench [WAV PROMPT]   a 16 kHz mono 16-bit WAV and its sentence */
#include "media/speech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_PROMPT                                                                                            \
	"The committee met on a cold Tuesday morning to discuss the new library, the budget for the coming year, "  \
	"and the repairs that the old town hall has needed since the storm last winter"

/* CPU seconds of this process: the machine is shared, and CPU time does
 * not count the time other processes had the cores. */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int16_t *read_wav(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	int16_t *pcm = size > 44 ? malloc((size_t)size) : NULL;
	if (pcm && !fseek(f, 44, SEEK_SET))
		*n = fread(pcm, 2, (size_t)(size - 44) / 2, f);
	fclose(f);
	return pcm;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *wav = argc >= 3 ? argv[1] : "/tmp/speech_bench.wav", *prompt = argc >= 3 ? argv[2] : DEFAULT_PROMPT;
	if (argc < 3 && system("espeak-ng -w /tmp/speech_bench_raw.wav '" DEFAULT_PROMPT "' && "
			       "sox /tmp/speech_bench_raw.wav -r 16000 -c 1 -b 16 /tmp/speech_bench.wav"))
		return 1;
	size_t n = 0;
	int16_t *pcm = read_wav(wav, &n);
	if (!pcm)
		return 1;
	char out[4096];
	fc_err err = {0};
	double t0 = now();
	if (fc_speech_recognise_pcm(pcm, n, prompt, out, sizeof out, &err)) {
		fprintf(stderr, "speech_bench: %s\n", err.msg);
		return 1;
	}
	double load = now() - t0, t[5];
	for (int i = 0; i < 5; i++) {
		t0 = now();
		fc_speech_recognise_pcm(pcm, n, prompt, out, sizeof out, NULL);
		t[i] = now() - t0;
	}
	qsort(t, 5, sizeof *t, cmp);
	printf("clip %.1f s: first call (loads the model) %.3f s; then median %.3f s (min %.3f, max %.3f); WER %.2f\n"
	       "heard: %s\n",
	       (double)n / 16000, load, t[2], t[0], t[4], fc_speech_wer(prompt, out), out);
	free(pcm);
	return 0;
}
