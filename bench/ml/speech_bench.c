/* speech_bench — time of the read-aloud check per clip (bench/README.md,
 * "ML assistance"): espeak-ng reads a sentence of about 10 seconds; the
 * clip is recognised against its prompt 5 times (median), after one
 * untimed call that loads the model (timed on its own).
 *
 *   speech_bench [WAV PROMPT]   a 16 kHz mono 16-bit WAV and its sentence
 *   speech_bench --rss          resident memory: at start, with the prompt
 *                               decoder, with the general model (and the
 *                               CPU time of one free transcription), and
 *                               after the idle decoders are freed */
#include "media/speech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* VmRSS of this process in MB. */
static double rss_mb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = strtod(line + 6, NULL);
	if (f)
		fclose(f);
	return kb / 1024;
}

static int rss_mode(const int16_t *pcm, size_t n)
{
	char out[4096];
	double score, start = rss_mb();
	fc_speech_recognise_pcm(pcm, n, DEFAULT_PROMPT, out, sizeof out, NULL);
	double grammar = rss_mb(), t0 = now();
	fc_speech_transcribe_pcm(pcm, n, out, sizeof out, &score, NULL);
	double cpu = now() - t0, general = rss_mb();
	sleep(4); /* FAIRCROWD_SPEECH_IDLE_SECONDS=1: both decoders are freed */
	printf("VmRSS: start %.1f MB; prompt decoder loaded %.1f MB; + general model %.1f MB; after 4 s idle %.1f MB\n"
	       "free transcription of the %.1f s clip: %.2f s CPU, WER %.2f, score %.2f: %s\n",
	       start, grammar, general, rss_mb(), (double)n / 16000, cpu, fc_speech_wer(DEFAULT_PROMPT, out), score, out);
	return 0;
}

int main(int argc, char **argv)
{
	int rss = argc == 2 && !strcmp(argv[1], "--rss");
	if (rss)
		setenv("FAIRCROWD_SPEECH_IDLE_SECONDS", "1", 1), argc = 1;
	const char *wav = argc >= 3 ? argv[1] : "/tmp/speech_bench.wav", *prompt = argc >= 3 ? argv[2] : DEFAULT_PROMPT;
	if (argc < 3 && system("espeak-ng -w /tmp/speech_bench_raw.wav '" DEFAULT_PROMPT "' && "
			       "sox /tmp/speech_bench_raw.wav -r 16000 -c 1 -b 16 /tmp/speech_bench.wav"))
		return 1;
	size_t n = 0;
	int16_t *pcm = read_wav(wav, &n);
	if (!pcm)
		return 1;
	if (rss)
		return rss_mode(pcm, n);
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
