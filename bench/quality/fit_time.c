/* fit_time — wall and CPU time of reading a question,worker,answer CSV and
 * of fitting each named method on it, in one process, so the fit can be
 * compared with crowd-kit's fit alone (bench/quality/crowdkit.sh).
 * Usage: fit_time FILE [METHOD...] (default: ds). */
#include "quality/aggregate.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void clocks(double *wall, double *cpu)
{
	struct timespec w, c;
	clock_gettime(CLOCK_MONOTONIC, &w);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
	*wall = (double)w.tv_sec + (double)w.tv_nsec / 1e9;
	*cpu = (double)c.tv_sec + (double)c.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fit_time FILE [METHOD...]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	fc_answers *a = NULL;
	fc_err err = {0};
	double w0, c0, w1, c1;
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	clocks(&w0, &c0);
	int rc = fc_answers_read_csv(f, &a, &err);
	clocks(&w1, &c1);
	fclose(f);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], err.msg);
		return 1;
	}
	printf("faircrowd read %zu answers: wall %.3f cpu %.3f\n", a->n, w1 - w0, c1 - c0);
	for (int i = 2; i < argc || i == 2; i++) {
		const char *name = i < argc ? argv[i] : "ds";
		int m = fc_method_parse(name);
		fc_aggregate r;
		if (m < 0) {
			fprintf(stderr, "unknown method %s\n", name);
			return 2;
		}
		clocks(&w0, &c0);
		if (fc_aggregate_run((fc_method)m, a, NULL, &r, &err)) {
			fprintf(stderr, "%s: %s\n", name, err.msg);
			return 1;
		}
		clocks(&w1, &c1);
		printf("faircrowd fit %s: wall %.3f cpu %.3f iterations %d\n", name, w1 - w0, c1 - c0, r.iterations);
		fc_aggregate_free(&r);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("faircrowd fit_time peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
	fc_answers_free(a);
	return 0;
}
