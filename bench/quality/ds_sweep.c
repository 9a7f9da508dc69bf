/* ds_sweep — Dawid-Skene accuracy over a grid of smoothing values and
 * iteration caps (tolerance 0, so every run does exactly that many rounds),
 * to see how much the settings move a dataset's accuracy.
 * Usage: ds_sweep answer.csv truth.csv  (question,worker,answer and
 * question,truth; CRLF allowed). Prints one line per setting. */
#include "quality/aggregate.h"
#include "quality/answers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ds_sweep answer.csv truth.csv\n");
		return 2;
	}
	fc_err err = {0};
	FILE *f = fopen(argv[1], "r"), *t = fopen(argv[2], "r");
	fc_answers *a = NULL;
	if (!f || !t) {
		perror("open");
		return 1;
	}
	if (fc_answers_read_csv(f, &a, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	fclose(f);
	/* truth by question id: question names are interned, so look each up once */
	char **truth = calloc(a->n_questions, sizeof *truth), line[512];
	if (!truth || !fgets(line, sizeof line, t))
		return 1;
	while (fgets(line, sizeof line, t)) {
		line[strcspn(line, "\r\n")] = 0;
		char *c = strchr(line, ',');
		if (!c)
			continue;
		*c = 0;
		for (size_t q = 0; q < a->n_questions; q++)
			if (!strcmp(fc_answers_question_name(a, (int32_t)q), line)) {
				truth[q] = strdup(c + 1);
				break;
			}
	}
	fclose(t);
	static const double smoothing[] = {0, 1e-9, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.5, 1, 2};
	static const int iterations[] = {1, 2, 3, 5, 10, 20, 50, 100, 500};
	for (size_t i = 0; i < sizeof smoothing / sizeof *smoothing; i++)
		for (size_t k = 0; k < sizeof iterations / sizeof *iterations; k++) {
			fc_em_opts o = fc_em_defaults();
			o.smoothing = smoothing[i];
			o.max_iterations = iterations[k];
			o.tolerance = 0;
			fc_aggregate r;
			if (fc_aggregate_ds(a, &o, &r, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			size_t ok = 0, n = 0;
			for (size_t q = 0; q < a->n_questions; q++)
				if (truth[q]) {
					n++;
					ok += !strcmp(truth[q], fc_answers_label_name(a, r.label[q]));
				}
			printf("smoothing %-6g iterations %-4d correct %zu of %zu (%.5f)\n", smoothing[i], iterations[k], ok,
			       n, n ? (double)ok / (double)n : 0);
			fc_aggregate_free(&r);
		}
	for (size_t q = 0; q < a->n_questions; q++)
		free(truth[q]);
	free(truth);
	fc_answers_free(a);
	return 0;
}
