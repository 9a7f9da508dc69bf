/* ml_bench — figures of the built-in models (bench/README.md, "ML assistance").
 *
 *   ml_bench active [SVG]  active learning on Fashion-MNIST: test accuracy
 *                          against labels bought, uncertainty ordering vs
 *                          random, 3 seeds; labels needed to reach TARGET;
 *                          the curve as an SVG when a path is given
 *   ml_bench text          the text model: train on 100k labelled texts,
 *                          predict 1M (fortunes, cycled), time per task
 *
 * Data: Debian's dataset-fashion-mnist and fortunes (tests/common/mldata.h). */
#include "../../tests/common/mldata.h"
#include "ml/imgclf.h"
#include "ml/textclf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL 20000  /* unlabelled pool: the first POOL training images */
#define SEED_LABELS 100
#define BATCH 100   /* labels bought per round */
#define BUDGET 5000 /* labels bought at most */
#define ROUNDS (BUDGET / BATCH)
#define SEEDS 3
#define TARGET 0.80 /* test accuracy to reach */
#define STEPS 40000 /* SGD steps per training at least */

/* CPU seconds of this process: the machine is shared, and CPU time does
 * not count the time other processes had the cores. */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct data {
	float *x, *tx;
	int *y, *ty;
	size_t n, tn;
} data;

static int load_images(data *d)
{
	uint8_t *px, *tp;
	if (fmnist_load("train", &px, &d->y, &d->n) || fmnist_load("t10k", &tp, &d->ty, &d->tn))
		return -1;
	if (d->n > POOL)
		d->n = POOL;
	d->x = malloc(d->n * FC_IMGCLF_FEATS * sizeof *d->x);
	d->tx = malloc(d->tn * FC_IMGCLF_FEATS * sizeof *d->tx);
	if (!d->x || !d->tx)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		fc_imgclf_features(px + i * 784, 28, 28, 1, d->x + i * FC_IMGCLF_FEATS, NULL);
	for (size_t i = 0; i < d->tn; i++)
		fc_imgclf_features(tp + i * 784, 28, 28, 1, d->tx + i * FC_IMGCLF_FEATS, NULL);
	free(px);
	free(tp);
	return 0;
}

/* A model trained from scratch on the labelled items idx[0..m). */
static double train_and_test(const data *d, const size_t *idx, size_t m, fc_imgclf *c)
{
	float *x = malloc(m * FC_IMGCLF_FEATS * sizeof *x);
	int *y = malloc(m * sizeof *y);
	for (size_t i = 0; i < m; i++) {
		memcpy(x + i * FC_IMGCLF_FEATS, d->x + idx[i] * FC_IMGCLF_FEATS, FC_IMGCLF_FEATS * sizeof *x);
		y[i] = d->y[idx[i]];
	}
	fc_ml_opts o = FC_IMGCLF_OPTS;
	/* the same number of SGD steps whatever the labelled set's size: a
	 * few hundred labels get more passes, not an undertrained model */
	o.epochs = (int)(STEPS / m) > o.epochs ? (int)(STEPS / m) : o.epochs;
	fc_imgclf_init(c, 10, NULL);
	fc_imgclf_train(c, x, y, m, &o, NULL);
	free(x);
	free(y);
	size_t ok = 0;
	double p[FC_ML_MAX_CLASSES];
	for (size_t i = 0; i < d->tn; i++)
		ok += (size_t)(fc_imgclf_predict(c, d->tx + i * FC_IMGCLF_FEATS, p) == d->ty[i]);
	return (double)ok / (double)d->tn;
}

/* Moves the BATCH least confident unlabelled items (uncertain) or the next
 * BATCH of a random order to idx[m..m+BATCH). labelled marks taken ones. */
static void pick(const data *d, const fc_imgclf *c, int uncertain, size_t *idx, size_t m, char *labelled,
		 const size_t *order, size_t *next)
{
	if (!uncertain) {
		for (size_t k = 0; k < BATCH; k++) {
			while (labelled[order[*next]])
				(*next)++;
			labelled[idx[m + k] = order[(*next)++]] = 1;
		}
		return;
	}
	double p[FC_ML_MAX_CLASSES], best[BATCH];
	size_t who[BATCH], have = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (labelled[i])
			continue;
		double score;
		fc_imgclf_predict(c, d->x + i * FC_IMGCLF_FEATS, p);
		fc_ml_argmax(p, 10, &score);
		size_t j = have < BATCH ? have++ : BATCH; /* insertion into the BATCH lowest */
		if (j == BATCH && score >= best[BATCH - 1])
			continue;
		if (j == BATCH)
			j = BATCH - 1;
		while (j > 0 && best[j - 1] > score) {
			best[j] = best[j - 1];
			who[j] = who[j - 1];
			j--;
		}
		best[j] = score;
		who[j] = i;
	}
	for (size_t k = 0; k < BATCH; k++)
		labelled[idx[m + k] = who[k]] = 1;
}

/* acc[r] = test accuracy after SEED_LABELS + r * BATCH labels. */
static void run(const data *d, int uncertain, uint64_t seed, double *acc)
{
	size_t *order = malloc(d->n * sizeof *order), *idx = malloc((SEED_LABELS + BUDGET) * sizeof *idx), next = 0;
	char *labelled = calloc(d->n, 1);
	fc_ml_shuffle(order, d->n, &seed);
	for (size_t k = 0; k < SEED_LABELS; k++)
		labelled[idx[k] = order[next++]] = 1;
	size_t m = SEED_LABELS;
	for (int r = 0; r <= ROUNDS; r++) {
		fc_imgclf c;
		acc[r] = train_and_test(d, idx, m, &c);
		if (r < ROUNDS) {
			pick(d, &c, uncertain, idx, m, labelled, order, &next);
			m += BATCH;
		}
		fc_imgclf_free(&c);
	}
	free(order);
	free(idx);
	free(labelled);
}

static int labels_to_target(const double *acc)
{
	for (int r = 0; r <= ROUNDS; r++)
		if (acc[r] >= TARGET)
			return SEED_LABELS + r * BATCH;
	return -1;
}

static void svg(const char *path, double mean[2][ROUNDS + 1])
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	const int W = 640, H = 400, L = 60, B = 50, R = 20, T = 20;
	const double lo = 0.55, hi = 0.85;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"Test accuracy against "
		   "labels bought: uncertainty ordering vs random on Fashion-MNIST\">\n<rect width=\"100%%\" "
		   "height=\"100%%\" fill=\"#fff\"/>\n",
		W, H, W, H);
	for (int i = 0; i <= 6; i++) {
		double a = lo + (hi - lo) * i / 6;
		int y = H - B - (int)((H - B - T) * (a - lo) / (hi - lo));
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%d\" "
			   "text-anchor=\"end\">%.2f</text>\n",
			L, W - R, y, y, L - 6, y + 4, a);
	}
	for (int l = 0; l <= BUDGET + SEED_LABELS; l += 1000) {
		int x = L + (W - L - R) * l / (BUDGET + SEED_LABELS);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x, H - B + 18, l);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">labels bought</text>\n", (L + W) / 2, H - 10);
	fprintf(f, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">test accuracy</text>\n",
		H / 2, H / 2);
	const char *colour[2] = {"#888", "#0057b8"}, *name[2] = {"random", "uncertainty"};
	for (int s = 0; s < 2; s++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour[s]);
		for (int r = 0; r <= ROUNDS; r++) {
			double a = mean[s][r] < lo ? lo : mean[s][r];
			fprintf(f, "%d,%d ", L + (W - L - R) * (SEED_LABELS + r * BATCH) / (BUDGET + SEED_LABELS),
				H - B - (int)((H - B - T) * (a - lo) / (hi - lo)));
		}
		fprintf(f, "\"/>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", W - R - 100, H - B - 20 - 16 * s,
			colour[s], name[s]);
	}
	int y = H - B - (int)((H - B - T) * (TARGET - lo) / (hi - lo));
	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c00\" stroke-dasharray=\"4 4\"/>\n", L,
		W - R, y, y);
	fprintf(f, "</svg>\n");
	fclose(f);
}

static int active(const char *svg_path)
{
	data d;
	if (load_images(&d)) {
		fprintf(stderr, "ml_bench: dataset-fashion-mnist is not installed\n");
		return 1;
	}
	static double acc[2][SEEDS][ROUNDS + 1], mean[2][ROUNDS + 1];
	double t0 = now();
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < SEEDS; k++) {
			run(&d, s, 1000 + (uint64_t)k, acc[s][k]);
			for (int r = 0; r <= ROUNDS; r++)
				mean[s][r] += acc[s][k][r] / SEEDS;
			printf("%-11s seed %d: %d labels to reach %.2f\n", s ? "uncertainty" : "random", k,
			       labels_to_target(acc[s][k]), TARGET);
		}
	printf("labels  random  uncertainty\n");
	for (int r = 0; r <= ROUNDS; r += 3)
		printf("%6d  %.4f  %.4f\n", SEED_LABELS + r * BATCH, mean[0][r], mean[1][r]);
	printf("mean curve reaches %.2f at: random %d, uncertainty %d labels (%.0f s)\n", TARGET,
	       labels_to_target(mean[0]), labels_to_target(mean[1]), now() - t0);
	if (svg_path)
		svg(svg_path, mean);
	return 0;
}

static int text(void)
{
	static const char *cats[] = {"computers", "food", "law", "startrek", "sports"};
	char **tx;
	int *lb;
	size_t n;
	if (fortunes_load(cats, 5, &tx, &lb, &n)) {
		fprintf(stderr, "ml_bench: fortunes is not installed\n");
		return 1;
	}
	const size_t TRAIN = 100000, PREDICT = 1000000;
	const char **a = malloc(TRAIN * sizeof *a);
	int *al = malloc(TRAIN * sizeof *al);
	size_t chars = 0;
	for (size_t i = 0; i < TRAIN; i++) {
		a[i] = tx[i % n];
		al[i] = lb[i % n];
		chars += strlen(a[i]);
	}
	fc_textclf t;
	fc_ml_opts o = FC_TEXTCLF_OPTS;
	fc_textclf_init(&t, 5, FC_TEXTCLF_BITS, NULL);
	double t0 = now();
	fc_textclf_train(&t, a, al, TRAIN, &o, NULL);
	double t1 = now();
	double p[FC_ML_MAX_CLASSES];
	size_t agree = 0;
	for (size_t i = 0; i < PREDICT; i++)
		agree += (size_t)(fc_textclf_predict(&t, tx[i % n], p) == lb[i % n]);
	double t2 = now();
	printf("text: mean %.0f chars; train %zu labels x %d passes: %.2f s; predict %zu: %.2f s = %.0f tasks/s, "
	       "%.2f us per task (%.3f agree)\n",
	       (double)chars / TRAIN, TRAIN, o.epochs, t1 - t0, PREDICT, t2 - t1, PREDICT / (t2 - t1),
	       (t2 - t1) / PREDICT * 1e6, (double)agree / PREDICT);
	fc_textclf_free(&t);
	fortunes_free(tx, n);
	free(lb);
	free(a);
	free(al);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "active"))
		return active(argc >= 3 ? argv[2] : NULL);
	if (argc >= 2 && !strcmp(argv[1], "text"))
		return text();
	fprintf(stderr, "usage: ml_bench active [SVG] | text\n");
	return 2;
}
