/* ds_bench — times majority vote and Dawid-Skene on synthetic crowd data.
 *
 * 100,000 tasks × 10 answers from 1,000 workers over 5 classes (1,000,000
 * answers), fixed seed. Workers differ: most are 55–95% accurate, one in
 * twenty answers at random and one in twenty is adversarial (prefers a fixed
 * wrong label per class), so DS has confusions to learn. Prints wall time of
 * each phase, EM iterations, accuracy against the generated truth and the
 * peak RSS; then the agreement figures GET /agreement computes (alpha,
 * alpha per label, pairs of workers). Usage: ds_bench [tasks] [workers]
 * [per_task] [classes]. */
#include "quality/aggregate.h"
#include "quality/agreement.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t rng_state = 0x5eed2024u;

/* splitmix64: tiny, fast and good enough to generate test data. */
static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(next_u64() >> 11) / 9007199254740992.0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double accuracy(const fc_answers *a, const fc_aggregate *r, const int *truth)
{
	size_t ok = 0;
	for (size_t q = 0; q < r->n_questions; q++)
		ok += atoi(fc_answers_label_name(a, r->label[q])) == truth[q];
	return (double)ok / (double)r->n_questions;
}

int main(int argc, char **argv)
{
	int tasks = argc > 1 ? atoi(argv[1]) : 100000;
	int workers = argc > 2 ? atoi(argv[2]) : 1000;
	int per_task = argc > 3 ? atoi(argv[3]) : 10;
	int classes = argc > 4 ? atoi(argv[4]) : 5;
	if (tasks < 1 || workers < per_task || per_task < 1 || classes < 2) {
		fprintf(stderr, "usage: ds_bench [tasks] [workers>=per_task] [per_task] [classes>=2]\n");
		return 2;
	}
	double *acc = malloc((size_t)workers * sizeof *acc);
	int *kind = malloc((size_t)workers * sizeof *kind);
	int *truth = malloc((size_t)tasks * sizeof *truth);
	int *chosen = malloc((size_t)per_task * sizeof *chosen);
	fc_answers *a = fc_answers_new();
	fc_err err = {0};
	if (!acc || !kind || !truth || !chosen || !a)
		return 1;
	for (int w = 0; w < workers; w++) {
		double u = uniform();
		kind[w] = u < 0.05 ? 1 : u < 0.10 ? 2 : 0; /* 1 spammer, 2 adversary */
		acc[w] = 0.55 + 0.40 * uniform();
	}

	double t0 = now();
	char qs[16], ws[16], ls[16];
	for (int t = 0; t < tasks; t++) {
		/* Skewed class priors: class c has weight c + 1. */
		double u = uniform() * classes * (classes + 1) / 2.0, c = 0;
		int truth_c = 0;
		while (truth_c < classes - 1 && (c += truth_c + 1) <= u)
			truth_c++;
		truth[t] = truth_c;
		snprintf(qs, sizeof qs, "t%d", t);
		for (int i = 0; i < per_task; i++) {
			int w, dup;
			do { /* distinct workers per task */
				w = (int)(next_u64() % (uint64_t)workers);
				dup = 0;
				for (int k = 0; k < i; k++)
					dup |= chosen[k] == w;
			} while (dup);
			chosen[i] = w;
			int label;
			if (kind[w] == 1)
				label = (int)(next_u64() % (uint64_t)classes);
			else if (kind[w] == 2)
				label = uniform() < 0.8 ? (truth_c + 1) % classes : truth_c;
			else if (uniform() < acc[w])
				label = truth_c;
			else
				label = (truth_c + 1 + (int)(next_u64() % (uint64_t)(classes - 1))) % classes;
			snprintf(ws, sizeof ws, "w%d", w);
			snprintf(ls, sizeof ls, "%d", label);
			if (fc_answers_add(a, qs, ws, ls, &err)) {
				fprintf(stderr, "add: %s\n", err.msg);
				return 1;
			}
		}
	}
	if (fc_answers_finish(a, &err)) {
		fprintf(stderr, "finish: %s\n", err.msg);
		return 1;
	}
	double t1 = now();
	printf("data: %zu answers, %zu tasks, %zu workers, %zu classes\n", a->n, a->n_questions,
	       a->n_workers, a->n_labels);
	printf("ingest (intern + group): %.3f s\n", t1 - t0);

	fc_aggregate r;
	t0 = now();
	if (fc_aggregate_mv(a, &r, &err))
		return 1;
	t1 = now();
	printf("mv:  %.3f s  accuracy %.4f\n", t1 - t0, accuracy(a, &r, truth));
	fc_aggregate_free(&r);

	t0 = now();
	if (fc_aggregate_ds(a, NULL, &r, &err)) {
		fprintf(stderr, "ds: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	printf("ds:  %.3f s  accuracy %.4f  iterations %d  converged %d  (%.1f ms/iteration)\n",
	       t1 - t0, accuracy(a, &r, truth), r.iterations, r.converged,
	       1000 * (t1 - t0) / r.iterations);
	fc_aggregate_free(&r);

	t0 = now();
	if (fc_aggregate_one_coin(a, NULL, &r, &err))
		return 1;
	t1 = now();
	printf("ods: %.3f s  accuracy %.4f  iterations %d  converged %d\n", t1 - t0,
	       accuracy(a, &r, truth), r.iterations, r.converged);
	fc_aggregate_free(&r);

	/* agreement as GET /agreement computes it */
	double alpha;
	t0 = now();
	if (fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &alpha, &err))
		return 1;
	t1 = now();
	printf("alpha (nominal): %.3f s  alpha %.4f\n", t1 - t0, alpha);
	double *per = malloc(a->n_labels * sizeof *per);
	t0 = now();
	if (!per || fc_agreement_alpha_per_label(a, per, &err))
		return 1;
	t1 = now();
	printf("alpha per label: %.3f s\n", t1 - t0);
	free(per);
	fc_pair_agreement *pairs;
	size_t npairs;
	t0 = now();
	if (fc_agreement_pairs(a, 2, &pairs, &npairs, &err))
		return 1;
	t1 = now();
	printf("pairs (>= 2 tasks in common): %.3f s  %zu pairs\n", t1 - t0, npairs);
	free(pairs);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	fc_answers_free(a);
	free(acc);
	free(kind);
	free(truth);
	free(chosen);
	return 0;
}
