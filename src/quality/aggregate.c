#include "quality/aggregate.h"
#include "quality/em.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Above this many confusion cells (workers × labels²) Dawid-Skene would need
 * gigabytes; such data is free text, not categories. */
#define DS_MAX_CELLS ((size_t)1 << 27)
/* From this many answers Dawid-Skene splits each round over two threads. */
#define DS_THREAD_MIN_ANSWERS 200000
/* Labels whose E-step scratch fits on the stack. */
#define DS_MAX_LABELS_STACK 64

/* log of a probability that may be exactly 0 when smoothing is 0: a large
 * finite penalty keeps the E-step free of inf - inf. */
double fc_em_log(double p) { return log(p > 1e-300 ? p : 1e-300); }

/* malloc for n elements that never asks for 0 bytes (so NULL always means
 * failure) and refuses sizes that overflow. */
void *fc_em_array(size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size);
}

void fc_aggregate_free(fc_aggregate *r)
{
	if (!r)
		return;
	free(r->label);
	free(r->value);
	free(r->confidence);
	free(r->worker_quality);
	free(r->confusion);
	free(r->confusion_n);
	free(r->posterior);
	free(r->ability);
	free(r->easiness);
	free(r->sub_posterior);
	free(r->sub_confusion);
	memset(r, 0, sizeof *r);
}

fc_em_opts fc_em_defaults(void) { return (fc_em_opts){.max_iterations = 100, .tolerance = 1e-6, .smoothing = 0.01}; }

static int check_answers(const fc_answers *a, fc_err *err)
{
	if (!a || !a->finished)
		return fc_err_set(err, FC_EINVAL, "answers_not_finished", NULL,
				  "answers must be finished (fc_answers_finish) before aggregation");
	return 0;
}

static int alloc_result(fc_aggregate *out, const fc_answers *a, int categorical, fc_err *err)
{
	memset(out, 0, sizeof *out);
	size_t nq = a->n_questions ? a->n_questions : 1, nw = a->n_workers ? a->n_workers : 1;
	out->n_questions = a->n_questions;
	out->confidence = calloc(nq, sizeof *out->confidence);
	if (categorical) {
		out->n_workers = a->n_workers;
		out->n_labels = a->n_labels;
		out->label = calloc(nq, sizeof *out->label);
		out->worker_quality = calloc(nw, sizeof *out->worker_quality);
	} else {
		out->value = calloc(nq, sizeof *out->value);
	}
	if (!out->confidence || (categorical ? !out->label || !out->worker_quality : !out->value)) {
		fc_aggregate_free(out);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory aggregating answers");
	}
	return 0;
}

/* Vote counts per question, in label-id order, with ties to the lowest id.
 * When shares is non-NULL it receives each question's vote shares
 * ([n_questions × n_labels]), the usual starting point for EM. */
int fc_em_majority(const fc_answers *a, fc_aggregate *out, double *shares, fc_err *err)
{
	size_t K = a->n_labels;
	uint32_t *count = calloc(K ? K : 1, sizeof *count);
	double *agree = calloc(a->n_workers ? a->n_workers : 1, sizeof *agree);
	double *seen = calloc(a->n_workers ? a->n_workers : 1, sizeof *seen);
	int rc = 0;
	if (!count || !agree || !seen) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in majority vote");
		goto out;
	}
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], hi = a->q_start[q + 1];
		for (size_t j = lo; j < hi; j++)
			count[a->label[j]]++;
		int32_t best = -1;
		for (size_t j = lo; j < hi; j++) {
			int32_t l = a->label[j];
			if (best < 0 || count[l] > count[best] || (count[l] == count[best] && l < best))
				best = l;
		}
		double m = (double)(hi - lo);
		out->label[q] = best;
		out->confidence[q] = m > 0 ? count[best] / m : 0;
		if (shares) {
			double *row = shares + q * K;
			memset(row, 0, K * sizeof *row);
			for (size_t j = lo; j < hi; j++)
				row[a->label[j]] = count[a->label[j]] / m;
		}
		for (size_t j = lo; j < hi; j++) {
			seen[a->worker[j]] += 1;
			agree[a->worker[j]] += a->label[j] == best;
			count[a->label[j]] = 0;
		}
	}
	for (size_t w = 0; w < a->n_workers; w++)
		out->worker_quality[w] = seen[w] > 0 ? agree[w] / seen[w] : 0;
out:
	free(count);
	free(agree);
	free(seen);
	return rc;
}

int fc_aggregate_mv(const fc_answers *a, fc_aggregate *out, fc_err *err)
{
	int rc = check_answers(a, err);
	if (rc || (rc = alloc_result(out, a, 1, err)))
		return rc;
	if ((rc = fc_em_majority(a, out, NULL, err)))
		fc_aggregate_free(out);
	return rc;
}

static int check_opts(const fc_em_opts *o, fc_err *err)
{
	if (o->max_iterations < 1 || !(o->tolerance >= 0) || !(o->smoothing >= 0) || !isfinite(o->smoothing))
		return fc_err_set(err, FC_EINVAL, "invalid_option", NULL,
				  "EM options need max_iterations >= 1, tolerance >= 0 and a finite "
				  "smoothing >= 0");
	return 0;
}

int fc_em_check(const fc_answers *a, const fc_em_opts *o, fc_err *err)
{
	int rc = check_answers(a, err);
	return rc ? rc : check_opts(o, err);
}

int fc_em_result(fc_aggregate *out, const fc_answers *a, fc_err *err) { return alloc_result(out, a, 1, err); }

/* Class priors from the posteriors, as logs. */
void fc_em_priors(const double *T, size_t nq, size_t K, double s, double *log_prior)
{
	for (size_t k = 0; k < K; k++)
		log_prior[k] = s;
	for (size_t q = 0; q < nq; q++)
		for (size_t k = 0; k < K; k++)
			log_prior[k] += T[q * K + k];
	double total = 0;
	for (size_t k = 0; k < K; k++)
		total += log_prior[k];
	for (size_t k = 0; k < K; k++)
		log_prior[k] = total > 0 ? fc_em_log(log_prior[k] / total) : -log((double)K);
}

/* Turns unnormalised log posteriors lp[] into probabilities in row[];
 * subtracting the maximum first keeps exp() in range however many answers a
 * question has. Returns the largest change of any entry. */
double fc_em_normalise(double *lp, double *row, size_t K)
{
	double mx = lp[0], z = 0, delta = 0;
	for (size_t k = 1; k < K; k++)
		if (lp[k] > mx)
			mx = lp[k];
	/* exp is most of an E-step's cost; a class more than 50 nats below the
	 * best weighs under 2e-22 of it, below the last bit of the total (at
	 * least 1) and of any smoothing >= 1e-5 it would be added to: 0. */
	for (size_t k = 0; k < K; k++) {
		double x = lp[k] - mx;
		lp[k] = x < -50 ? 0 : exp(x);
		z += lp[k];
	}
	for (size_t k = 0; k < K; k++) {
		double v = lp[k] / z, d = fabs(v - row[k]);
		if (d > delta)
			delta = d;
		row[k] = v;
	}
	return delta;
}

/* The label with the highest posterior; ties to the lowest id, as in MV. */
void fc_em_pick(const double *T, size_t nq, size_t K, fc_aggregate *out)
{
	for (size_t q = 0; q < nq; q++) {
		const double *row = T + q * K;
		size_t best = 0;
		for (size_t k = 1; k < K; k++)
			if (row[k] > row[best])
				best = k;
		out->label[q] = (int32_t)best;
		out->confidence[q] = K ? row[best] : 0;
	}
}

int fc_em_converged(fc_aggregate *out, double delta, const fc_em_opts *o)
{
	if (delta > o->tolerance)
		return 0;
	out->converged = 1;
	return 1;
}

void fc_em_finish(fc_aggregate *out, fc_method m, int iterations, double *T, size_t nq, size_t K)
{
	out->iterations = iterations;
	out->method = m;
	fc_em_pick(T, nq, K, out);
	out->posterior = T;
}

/* Each worker's confusion matrix from the final posteriors T: expected
 * counts, smoothed like the M-step, and the evidence per row. */
static int final_confusion(const fc_answers *a, const double *T, double s, fc_aggregate *out, fc_err *err)
{
	size_t K = a->n_labels, W = a->n_workers, KK = K * K;
	double *c = calloc(W * KK, sizeof *c), *n = calloc(W * K, sizeof *n);
	if (!c || !n) {
		free(c);
		free(n);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in Dawid-Skene");
	}
	for (size_t q = 0; q < a->n_questions; q++)
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
			for (size_t k = 0; k < K; k++)
				c[(size_t)a->worker[j] * KK + (size_t)a->label[j] + k * K] += T[q * K + k];
	for (size_t r = 0; r < W * K; r++) {
		double *row = c + r * K, sum = 0;
		for (size_t l = 0; l < K; l++)
			sum += row[l];
		n[r] = sum;
		double z = sum + (double)K * s;
		for (size_t l = 0; l < K; l++)
			row[l] = z > 0 ? (row[l] + s) / z : 1.0 / (double)K;
	}
	out->n_labels = K;
	out->smoothing = s;
	out->confusion = c;
	out->confusion_n = n;
	return 0;
}

/* Dawid-Skene's rounds over a range of questions, so that large sets can
 * split them over two threads. pi is stored answer-major: P(worker w
 * answers l | class k) for every k sits contiguously at cell = (w*K + l)*K,
 * so both steps walk K adjacent doubles per answer. The E-step multiplies
 * probabilities instead of adding logs: no log or exp per answer or class
 * (they were a third of a round); a question whose product underflows is
 * redone in logs (ds_question_logs). */
struct ds_part {
	const fc_answers *a;
	const int32_t *cell;
	double *T;
	const double *pi, *prior;
	double *counts; /* expected confusion counts, answer-major like pi, then
			    the K class totals, for the next M-step */
	size_t q0, q1, cells;
	double delta; /* E-step: largest posterior change */
};

/* Adds question q's posterior row to its answers' counts and the class
 * totals. */
static inline __attribute__((always_inline)) void ds_count_question(struct ds_part *p, size_t q, size_t K)
{
	const double *row = p->T + q * K;
	double *classes = p->counts + p->cells;
	for (size_t k = 0; k < K; k++)
		classes[k] += row[k];
	for (size_t j = p->a->q_start[q]; j < p->a->q_start[q + 1]; j++) {
		double *c = p->counts + p->cell[j];
		for (size_t k = 0; k < K; k++)
			c[k] += row[k];
	}
}

static void *ds_counts(void *arg)
{
	struct ds_part *p = arg;
	size_t K = p->a->n_labels;
	memset(p->counts, 0, (p->cells + K) * sizeof *p->counts);
	for (size_t q = p->q0; q < p->q1; q++)
		ds_count_question(p, q, K);
	return NULL;
}

/* Every 4 answers (and at the end) a question's running product is scaled
 * back to a maximum of 1 once it falls below DS_RESCALE. Four factors
 * reach the end of the double range only if each is below ~1e-52, i.e. with
 * no smoothing or hundreds of near-certain workers: a maximum below
 * DS_TINY or a class at 0 sends the question to the log path instead. */
#define DS_RESCALE 1e-100
#define DS_TINY 1e-290

/* Question q's unnormalised posteriors by products into l; 0 when a class
 * underflowed to 0 (possible with hundreds of answers, or no smoothing).
 * Inlined with a constant K (below), the K-loops unroll and l stays in
 * registers. */
static inline __attribute__((always_inline)) int ds_question_products(const struct ds_part *p, size_t q, size_t K,
								      double *l)
{
	memcpy(l, p->prior, K * sizeof *l);
	for (size_t j = p->a->q_start[q], end = p->a->q_start[q + 1]; j < end; j++) {
		const double *x = p->pi + p->cell[j];
		for (size_t k = 0; k < K; k++)
			l[k] *= x[k];
		if ((j & 3) != 3 && j + 1 < end)
			continue; /* the scale is checked every 4 answers and at the end */
		double mx = 0;
		for (size_t k = 0; k < K; k++)
			mx = l[k] > mx ? l[k] : mx;
		if (mx < DS_RESCALE) {
			if (!(mx >= DS_TINY))
				return 0;
			for (size_t k = 0; k < K; k++)
				l[k] /= mx;
		}
	}
	for (size_t k = 0; k < K; k++)
		if (!(l[k] > 0))
			return 0;
	return 1;
}

/* The same in logs, for the questions whose products underflow. */
static void ds_question_logs(const struct ds_part *p, size_t q, size_t K, double *l)
{
	for (size_t k = 0; k < K; k++)
		l[k] = fc_em_log(p->prior[k]);
	for (size_t j = p->a->q_start[q]; j < p->a->q_start[q + 1]; j++)
		for (size_t k = 0; k < K; k++)
			l[k] += fc_em_log(p->pi[(size_t)p->cell[j] + k]);
}

/* One E-step over the part's questions, the next M-step's counts gathered
 * while the answers are at hand (one pass over the answers per round). */
static inline __attribute__((always_inline)) void ds_estep(struct ds_part *p, size_t K, double *l)
{
	memset(p->counts, 0, (p->cells + K) * sizeof *p->counts);
	for (size_t q = p->q0; q < p->q1; q++) {
		double *row = p->T + q * K, z = 0, delta = 0;
		if (ds_question_products(p, q, K, l)) {
			for (size_t k = 0; k < K; k++)
				z += l[k];
			for (size_t k = 0; k < K; k++) {
				double v = l[k] / z, d = fabs(v - row[k]);
				delta = d > delta ? d : delta;
				row[k] = v;
			}
		} else {
			ds_question_logs(p, q, K, l);
			delta = fc_em_normalise(l, row, K);
		}
		p->delta = delta > p->delta ? delta : p->delta;
		ds_count_question(p, q, K);
	}
}

static void *ds_posteriors(void *arg)
{
	struct ds_part *p = arg;
	size_t K = p->a->n_labels;
	double lp[DS_MAX_LABELS_STACK], *heap = NULL, *l = K <= DS_MAX_LABELS_STACK ? lp : (heap = malloc(K * sizeof *l));
	p->delta = 0;
	if (!l) {
		p->delta = NAN; /* out of memory: reported by the caller */
		return NULL;
	}
	switch (K) { /* the usual label counts get a loop of constant length */
	case 2: ds_estep(p, 2, l); break;
	case 3: ds_estep(p, 3, l); break;
	case 4: ds_estep(p, 4, l); break;
	case 5: ds_estep(p, 5, l); break;
	case 6: ds_estep(p, 6, l); break;
	case 7: ds_estep(p, 7, l); break;
	case 8: ds_estep(p, 8, l); break;
	default: ds_estep(p, K, l); break;
	}
	free(heap);
	return NULL;
}

/* Runs fn over both parts, the second on its own thread when there are two;
 * falls back to running both here if the thread cannot start. */
static void ds_run(void *(*fn)(void *), struct ds_part *part, int parts)
{
	pthread_t t;
	int threaded = parts == 2 && pthread_create(&t, NULL, fn, &part[1]) == 0;
	fn(&part[0]);
	if (threaded)
		pthread_join(t, NULL);
	else if (parts == 2)
		fn(&part[1]);
}

int fc_aggregate_ds(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	double *T = NULL, *pi = NULL, *prior = NULL, *counts = NULL;
	int32_t *cell = NULL;
	int rc = check_answers(a, err);
	if (rc || (rc = check_opts(&o, err)))
		return rc;
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions, KK = K * K;
	if (K && W > DS_MAX_CELLS / KK)
		return fc_err_set(err, FC_ETOOBIG, "too_many_labels", NULL,
				  "Dawid-Skene needs workers × labels² <= %zu; %zu workers and %zu "
				  "labels are too many (use majority vote or one-coin)",
				  DS_MAX_CELLS, W, K);
	/* Two threads pay off only on large sets; the split is fixed, so the
	 * output does not depend on scheduling. */
	int parts = a->n >= DS_THREAD_MIN_ANSWERS && Q >= 2 ? 2 : 1;
	if ((rc = alloc_result(out, a, 1, err)))
		return rc;
	T = fc_em_array(Q * K, sizeof *T);
	pi = fc_em_array(W * KK, sizeof *pi);
	counts = fc_em_array((W * KK + K) * (size_t)parts, sizeof *counts);
	prior = fc_em_array(K, sizeof *prior);
	cell = fc_em_array(a->n, sizeof *cell);
	if (!T || !pi || !counts || !prior || !cell) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in Dawid-Skene");
		goto out;
	}
	if ((rc = fc_em_majority(a, out, T, err)))
		goto out;
	for (size_t j = 0; j < a->n; j++)
		cell[j] = (int32_t)(((size_t)a->worker[j] * K + (size_t)a->label[j]) * K);
	struct ds_part part[2];
	for (int i = 0; i < 2; i++)
		part[i] = (struct ds_part){.a = a,
					   .cell = cell,
					   .T = T,
					   .pi = pi,
					   .prior = prior,
					   .counts = counts + (size_t)(i < parts ? i : 0) * (W * KK + K),
					   .cells = W * KK,
					   .q0 = i == 0 ? 0 : Q / 2,
					   .q1 = parts == 1 || i == 1 ? Q : Q / 2};

	double s = o.smoothing, *other = parts == 2 ? part[1].counts : NULL;
	int iter = 0;
	if (K)
		ds_run(ds_counts, part, parts);
	while (iter < o.max_iterations && K) {
		iter++;
		/* M-step: expected confusion counts, then row-normalised; a row
		 * (w, k) is pi[(w*K + l)*K + k] over l. */
		for (size_t w = 0; w < W; w++)
			for (size_t k = 0; k < K; k++) {
				double sum = 0;
				for (size_t l = 0; l < K; l++) {
					size_t c = (w * K + l) * K + k;
					pi[c] = s + counts[c] + (other ? other[c] : 0);
					sum += pi[c];
				}
				for (size_t l = 0; l < K; l++) {
					size_t c = (w * K + l) * K + k;
					pi[c] = sum > 0 ? pi[c] / sum : 1.0 / (double)K;
				}
			}
		double total = 0;
		for (size_t k = 0; k < K; k++)
			total += prior[k] = s + counts[W * KK + k] + (other ? other[W * KK + k] : 0);
		for (size_t k = 0; k < K; k++)
			prior[k] = total > 0 ? prior[k] / total : 1.0 / (double)K;

		/* E-step: posteriors from priors and every answer's likelihood. */
		ds_run(ds_posteriors, part, parts);
		if (isnan(part[0].delta) || isnan(part[1].delta)) {
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in Dawid-Skene");
			goto out;
		}
		if (fc_em_converged(out, fmax(part[0].delta, parts == 2 ? part[1].delta : 0), &o))
			break;
	}
	fc_em_finish(out, FC_METHOD_DS, iter, T, Q, K);
	T = NULL;
	if (K && (rc = final_confusion(a, out->posterior, s, out, err)))
		goto out;
	if (iter > 0) {
		for (size_t w = 0; w < W; w++) {
			double acc = 0;
			for (size_t k = 0; k < K; k++)
				acc += prior[k] * pi[(w * K + k) * K + k];
			out->worker_quality[w] = acc;
		}
	}
out:
	if (rc)
		fc_aggregate_free(out);
	free(T);
	free(pi);
	free(counts);
	free(prior);
	free(cell);
	return rc;
}

int fc_aggregate_one_coin(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	double *T = NULL, *log_prior = NULL, *lp = NULL, *right = NULL, *log_right = NULL, *log_wrong = NULL;
	size_t *seen = NULL;
	int rc = check_answers(a, err);
	if (rc || (rc = check_opts(&o, err)))
		return rc;
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions;
	if ((rc = alloc_result(out, a, 1, err)))
		return rc;
	T = fc_em_array(Q * K, sizeof *T);
	log_prior = fc_em_array(K, sizeof *log_prior);
	lp = fc_em_array(K, sizeof *lp);
	right = fc_em_array(W, sizeof *right);
	log_right = fc_em_array(W, sizeof *log_right);
	log_wrong = fc_em_array(W, sizeof *log_wrong);
	seen = calloc(W ? W : 1, sizeof *seen);
	if (!T || !log_prior || !lp || !right || !log_right || !log_wrong || !seen) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in one-coin Dawid-Skene");
		goto out;
	}
	if ((rc = fc_em_majority(a, out, T, err)))
		goto out;
	for (size_t j = 0; j < a->n; j++)
		seen[a->worker[j]]++;

	double s = o.smoothing;
	/* With a single label there is no wrong answer to spread mass over. */
	double others = K > 1 ? (double)(K - 1) : 1;
	int iter = 0;
	while (iter < o.max_iterations && K) {
		iter++;
		/* M-step: p_w = expected share of w's answers that are right, with a
		 * symmetric Beta(s, s) pseudo-count. */
		for (size_t w = 0; w < W; w++)
			right[w] = s;
		for (size_t q = 0; q < Q; q++)
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
				right[a->worker[j]] += T[q * K + (size_t)a->label[j]];
		for (size_t w = 0; w < W; w++) {
			double den = (double)seen[w] + 2 * s;
			double p = den > 0 ? right[w] / den : 0.5;
			if (p > 1)
				p = 1;
			right[w] = p;
			log_right[w] = fc_em_log(p);
			log_wrong[w] = fc_em_log((1 - p) / others);
		}
		fc_em_priors(T, Q, K, s, log_prior);

		/* E-step: every class starts as if all answers were wrong, then each
		 * answer's own label gets the right-vs-wrong difference. */
		double delta = 0;
		for (size_t q = 0; q < Q; q++) {
			double base = 0;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
				base += log_wrong[a->worker[j]];
			for (size_t k = 0; k < K; k++)
				lp[k] = log_prior[k] + base;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
				int32_t w = a->worker[j];
				lp[a->label[j]] += log_right[w] - log_wrong[w];
			}
			delta = fmax(delta, fc_em_normalise(lp, T + q * K, K));
		}
		if (fc_em_converged(out, delta, &o))
			break;
	}
	fc_em_finish(out, FC_METHOD_ODS, iter, T, Q, K);
	T = NULL;
	if (iter > 0)
		memcpy(out->worker_quality, right, W * sizeof *right);
out:
	if (rc)
		fc_aggregate_free(out);
	free(T);
	free(log_prior);
	free(lp);
	free(right);
	free(log_right);
	free(log_wrong);
	free(seen);
	return rc;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

int fc_aggregate_median(const fc_answers *a, double tolerance, fc_aggregate *out, fc_err *err)
{
	double *v = NULL;
	int rc = check_answers(a, err);
	if (rc)
		return rc;
	if (!(tolerance >= 0))
		return fc_err_set(err, FC_EINVAL, "invalid_option", "tolerance", "the median tolerance must be >= 0");
	for (size_t l = 0; l < a->n_labels; l++)
		if (isnan(a->label_value[l]))
			return fc_err_set(err, FC_EINVAL, "not_a_number", "answer",
					  "median needs numeric answers; \"%s\" is not a number",
					  fc_answers_label_name(a, (int32_t)l));
	size_t most = 1;
	for (size_t q = 0; q < a->n_questions; q++)
		if (a->q_start[q + 1] - a->q_start[q] > most)
			most = a->q_start[q + 1] - a->q_start[q];
	if ((rc = alloc_result(out, a, 0, err)))
		return rc;
	if (!(v = malloc(most * sizeof *v))) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in median");
		goto out;
	}
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], m = a->q_start[q + 1] - lo, near = 0;
		if (!m)
			continue;
		for (size_t j = 0; j < m; j++)
			v[j] = a->label_value[a->label[lo + j]];
		qsort(v, m, sizeof *v, cmp_double);
		double med = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
		for (size_t j = 0; j < m; j++)
			near += fabs(v[j] - med) <= tolerance;
		out->value[q] = med;
		out->confidence[q] = (double)near / (double)m;
	}
out:
	if (rc)
		fc_aggregate_free(out);
	free(v);
	return rc;
}

/* ---- boxes ---------------------------------------------------------------- */

double fc_box_iou(const fc_box *a, const fc_box *b)
{
	double ix = fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x);
	double iy = fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y);
	double inter = ix > 0 && iy > 0 ? ix * iy : 0;
	double uni = a->w * a->h + b->w * b->h - inter;
	return uni > 0 ? inter / uni : 0;
}

struct cluster_acc {
	double x, y, w, h; /* sums */
	size_t members, first;
};

static fc_box cluster_mean(const struct cluster_acc *c)
{
	double m = (double)c->members;
	return (fc_box){c->x / m, c->y / m, c->w / m, c->h / m, -1};
}

static int cmp_cluster(const void *pa, const void *pb)
{
	const fc_box_cluster *a = pa, *b = pb;
	if (a->members != b->members)
		return a->members > b->members ? -1 : 1;
	/* box.worker temporarily holds the creation order for this sort */
	return (a->box.worker > b->box.worker) - (a->box.worker < b->box.worker);
}

int fc_aggregate_boxes(const fc_box *boxes, size_t n, size_t n_workers, double threshold, fc_box_cluster **clusters,
		       size_t *n_clusters, fc_err *err)
{
	int rc = 0;
	struct cluster_acc *acc = NULL;
	size_t *member_of = NULL, nc = 0;
	fc_box_cluster *res = NULL;
	*clusters = NULL;
	*n_clusters = 0;
	if (!(threshold > 0 && threshold <= 1))
		return fc_err_set(err, FC_EINVAL, "invalid_option", "threshold", "the IoU threshold must be in (0, 1]");
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		const fc_box *b = &boxes[i];
		if (!(b->w >= 0 && b->h >= 0 && isfinite(b->x) && isfinite(b->y) && isfinite(b->w) && isfinite(b->h)))
			return fc_err_set(err, FC_EINVAL, "invalid_box", "box",
					  "box %zu needs finite coordinates and w, h >= 0", i);
		size_t k = 0;
		while (k < i && boxes[k].worker != b->worker)
			k++;
		distinct += k == i;
	}
	if (n_workers < distinct)
		return fc_err_set(err, FC_EINVAL, "invalid_option", "n_workers",
				  "n_workers is %zu but %zu distinct workers drew boxes", n_workers, distinct);
	if (!n)
		return 0;
	acc = calloc(n, sizeof *acc);
	member_of = calloc(n, sizeof *member_of);
	res = calloc(n, sizeof *res);
	if (!acc || !member_of || !res) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory clustering boxes");
		goto out;
	}
	/* Quadratic in the boxes of one item, which number in the tens. */
	for (size_t i = 0; i < n; i++) {
		size_t best = nc;
		double best_iou = 0;
		for (size_t c = 0; c < nc; c++) {
			fc_box mean = cluster_mean(&acc[c]);
			double iou = fc_box_iou(&boxes[i], &mean);
			if (iou < threshold || iou <= best_iou)
				continue;
			size_t k = 0;
			while (k < i && !(member_of[k] == c && boxes[k].worker == boxes[i].worker))
				k++;
			if (k < i)
				continue; /* one box per worker per object */
			best = c;
			best_iou = iou;
		}
		if (best == nc)
			acc[nc++].first = i;
		member_of[i] = best;
		acc[best].x += boxes[i].x;
		acc[best].y += boxes[i].y;
		acc[best].w += boxes[i].w;
		acc[best].h += boxes[i].h;
		acc[best].members++;
	}
	for (size_t c = 0; c < nc; c++) {
		res[c].box = cluster_mean(&acc[c]);
		res[c].box.worker = (int32_t)c;
		res[c].members = acc[c].members;
		res[c].support = n_workers ? (double)acc[c].members / (double)n_workers : 0;
	}
	qsort(res, nc, sizeof *res, cmp_cluster);
	for (size_t c = 0; c < nc; c++)
		res[c].box.worker = -1;
	*clusters = res;
	*n_clusters = nc;
	res = NULL;
out:
	free(acc);
	free(member_of);
	free(res);
	return rc;
}
