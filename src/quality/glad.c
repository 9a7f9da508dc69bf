/* glad.c — GLAD and MACE: answer models with more than one parameter per
 * worker and question than one-coin Dawid-Skene, fitted by EM from the
 * majority-vote shares. Equations in aggregate.h and docs/quality.md. */
#include "quality/aggregate.h"
#include "quality/em.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many cells MACE's K×K confusion output would need gigabytes
 * (the same bound as Dawid-Skene's). */
#define MACE_MAX_CELLS ((size_t)1 << 27)

static double sigmoid(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

/* log sigmoid(x) and log(1 - sigmoid(x)) without overflow for large |x|. */
static double log_sigmoid(double x) { return x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)); }

/* Newton steps are clipped to this size: far from the optimum the
 * curvature of a sigmoid likelihood is tiny and a full step overshoots. */
#define GLAD_MAX_STEP 2.0
/* Gauss-Newton sweeps over abilities and easiness per EM iteration. */
#define GLAD_SWEEPS 2

static double clip_step(double d)
{
	return d > GLAD_MAX_STEP ? GLAD_MAX_STEP : d < -GLAD_MAX_STEP ? -GLAD_MAX_STEP : d;
}

/* M-step of GLAD for the expected complete log-likelihood
 *   sum_q sum_j [c_qj log s(a_w e^b_q) + (1 - c_qj) log(1 - s(a_w e^b_q))]
 *   - sum_w (a_w - 1)^2 / 2 - sum_q b_q^2 / 2
 * where c_qj = T[q][label of answer j] (the posterior that answer j is
 * right). d/dx of one term at x = a_w e^b_q is c - s(x); the Hessian is
 * replaced by its always-negative Fisher part -s(x)(1 - s(x)) so every step
 * goes uphill. Abilities and log-easiness b_q are updated in turn. */
static void glad_m_step(const fc_answers *a, const double *T, double *alpha, double *b, double *g, double *h)
{
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions;
	for (int sweep = 0; sweep < GLAD_SWEEPS; sweep++) {
		for (size_t w = 0; w < W; w++) {
			g[w] = -(alpha[w] - 1);
			h[w] = 1;
		}
		for (size_t q = 0; q < Q; q++) {
			double beta = exp(b[q]);
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
				int32_t w = a->worker[j];
				double s = sigmoid(alpha[w] * beta), c = T[q * K + (size_t)a->label[j]];
				g[w] += (c - s) * beta;
				h[w] += s * (1 - s) * beta * beta;
			}
		}
		for (size_t w = 0; w < W; w++)
			alpha[w] += clip_step(g[w] / h[w]);
		for (size_t q = 0; q < Q; q++) {
			double beta = exp(b[q]), gq = -b[q], hq = 1;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
				double x = alpha[a->worker[j]] * beta, s = sigmoid(x), c = T[q * K + (size_t)a->label[j]];
				gq += (c - s) * x;
				hq += s * (1 - s) * x * x;
			}
			b[q] += clip_step(gq / hq);
		}
	}
}

int fc_aggregate_glad(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	int rc = fc_em_check(a, &o, err);
	if (rc || (rc = fc_em_result(out, a, err)))
		return rc;
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions;
	double *T = fc_em_array(Q * K, sizeof *T), *alpha = fc_em_array(W, sizeof *alpha);
	double *b = fc_em_array(Q, sizeof *b), *g = fc_em_array(W, sizeof *g), *h = fc_em_array(W, sizeof *h);
	double *log_prior = fc_em_array(K, sizeof *log_prior), *lp = fc_em_array(K, sizeof *lp);
	if (!T || !alpha || !b || !g || !h || !log_prior || !lp) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in GLAD");
		goto out;
	}
	if ((rc = fc_em_majority(a, out, T, err)))
		goto out;
	for (size_t w = 0; w < W; w++)
		alpha[w] = 1;
	for (size_t q = 0; q < Q; q++)
		b[q] = 0;
	double log_others = K > 1 ? log((double)(K - 1)) : 0;
	int iter = 0;
	while (iter < o.max_iterations && K) {
		iter++;
		glad_m_step(a, T, alpha, b, g, h);
		fc_em_priors(T, Q, K, o.smoothing, log_prior);
		/* E-step: every class starts as if each answer were wrong, then the
		 * answered label gets log s(x) - log((1 - s(x)) / (K - 1)). */
		double delta = 0;
		for (size_t q = 0; q < Q; q++) {
			double beta = exp(b[q]), base = 0;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
				base += log_sigmoid(-alpha[a->worker[j]] * beta) - log_others;
			for (size_t k = 0; k < K; k++)
				lp[k] = log_prior[k] + base;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
				double x = alpha[a->worker[j]] * beta;
				lp[a->label[j]] += log_sigmoid(x) - log_sigmoid(-x) + log_others;
			}
			delta = fmax(delta, fc_em_normalise(lp, T + q * K, K));
		}
		if (fc_em_converged(out, delta, &o))
			break;
	}
	fc_em_finish(out, FC_METHOD_GLAD, iter, T, Q, K);
	/* Quality = chance of a right answer on an item of average easiness
	 * (beta = 1). */
	for (size_t w = 0; w < W; w++)
		out->worker_quality[w] = sigmoid(alpha[w]);
	for (size_t q = 0; q < Q; q++)
		b[q] = exp(b[q]);
	out->ability = alpha;
	out->easiness = b;
	T = alpha = b = NULL;
out:
	if (rc)
		fc_aggregate_free(out);
	free(T);
	free(alpha);
	free(b);
	free(g);
	free(h);
	free(log_prior);
	free(lp);
	return rc;
}

/* MACE's M-step. Given the class posteriors T, the posterior that answer j
 * (label l, worker w) was spam is
 *   E[S_j] = (1 - T[q][l]) + T[q][l] * theta_w xi_w(l) / (1 - theta_w + theta_w xi_w(l))
 * (a wrong answer is always spam; a right one is spam when the spam draw
 * happened to hit the truth). theta_w = (sum E[S] + s) / (n_w + 2s) and
 * xi_w(l) ∝ sum of E[S] over w's answers l, + s. */
static void mace_m_step(const fc_answers *a, const double *T, double s, const double *seen, double *theta, double *xi,
			double *spam, double *spam_l)
{
	size_t K = a->n_labels, W = a->n_workers;
	for (size_t w = 0; w < W; w++)
		spam[w] = 0;
	for (size_t c = 0; c < W * K; c++)
		spam_l[c] = s;
	for (size_t q = 0; q < a->n_questions; q++)
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
			size_t w = (size_t)a->worker[j], l = (size_t)a->label[j];
			double p = T[q * K + l], t = theta[w] * xi[w * K + l], den = 1 - theta[w] + t;
			double e = (1 - p) + (den > 0 ? p * t / den : p);
			spam[w] += e;
			spam_l[w * K + l] += e;
		}
	for (size_t w = 0; w < W; w++) {
		double den = seen[w] + 2 * s, z = 0;
		theta[w] = den > 0 ? (spam[w] + s) / den : 0.5;
		if (theta[w] > 1)
			theta[w] = 1;
		for (size_t l = 0; l < K; l++)
			z += spam_l[w * K + l];
		for (size_t l = 0; l < K; l++)
			xi[w * K + l] = z > 0 ? spam_l[w * K + l] / z : 1.0 / (double)K;
	}
}

int fc_aggregate_mace(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	int rc = fc_em_check(a, &o, err);
	if (rc)
		return rc;
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions;
	if (K && W > MACE_MAX_CELLS / (K * K))
		return fc_err_set(err, FC_ETOOBIG, "too_many_labels", NULL,
				  "MACE needs workers × labels² <= %zu; %zu workers and %zu labels are too many",
				  MACE_MAX_CELLS, W, K);
	if ((rc = fc_em_result(out, a, err)))
		return rc;
	double *T = fc_em_array(Q * K, sizeof *T), *theta = fc_em_array(W, sizeof *theta);
	double *xi = fc_em_array(W * K, sizeof *xi), *spam = fc_em_array(W, sizeof *spam);
	double *spam_l = fc_em_array(W * K, sizeof *spam_l), *seen = calloc(W ? W : 1, sizeof *seen);
	double *log_prior = fc_em_array(K, sizeof *log_prior), *lp = fc_em_array(K, sizeof *lp);
	double *conf = fc_em_array(W * K * K, sizeof *conf);
	if (!T || !theta || !xi || !spam || !spam_l || !seen || !log_prior || !lp || !conf) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in MACE");
		goto out;
	}
	if ((rc = fc_em_majority(a, out, T, err)))
		goto out;
	for (size_t j = 0; j < a->n; j++)
		seen[a->worker[j]] += 1;
	for (size_t w = 0; w < W; w++)
		theta[w] = 0.5;
	for (size_t c = 0; c < W * K; c++)
		xi[c] = 1.0 / (double)K;
	int iter = 0;
	while (iter < o.max_iterations && K) {
		iter++;
		mace_m_step(a, T, o.smoothing, seen, theta, xi, spam, spam_l);
		fc_em_priors(T, Q, K, o.smoothing, log_prior);
		/* E-step: P(l | k) = theta xi(l) for l != k, 1 - theta + theta xi(l)
		 * for l = k; spam[] and spam_l[] are reused for the two logs. */
		for (size_t c = 0; c < W * K; c++) {
			size_t w = c / K;
			spam_l[c] = fc_em_log(theta[w] * xi[c]);
			conf[c] = fc_em_log(1 - theta[w] + theta[w] * xi[c]) - spam_l[c];
		}
		double delta = 0;
		for (size_t q = 0; q < Q; q++) {
			double base = 0;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
				base += spam_l[(size_t)a->worker[j] * K + (size_t)a->label[j]];
			for (size_t k = 0; k < K; k++)
				lp[k] = log_prior[k] + base;
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
				lp[a->label[j]] += conf[(size_t)a->worker[j] * K + (size_t)a->label[j]];
			delta = fmax(delta, fc_em_normalise(lp, T + q * K, K));
		}
		if (fc_em_converged(out, delta, &o))
			break;
	}
	fc_em_finish(out, FC_METHOD_MACE, iter, T, Q, K);
	T = NULL;
	for (size_t w = 0; w < W; w++) {
		out->worker_quality[w] = 1 - theta[w];
		for (size_t k = 0; k < K; k++)
			for (size_t l = 0; l < K; l++)
				conf[(w * K + k) * K + l] = theta[w] * xi[w * K + l] + (k == l ? 1 - theta[w] : 0);
	}
	out->confusion = conf;
	conf = NULL;
out:
	if (rc)
		fc_aggregate_free(out);
	free(T);
	free(theta);
	free(xi);
	free(spam);
	free(spam_l);
	free(seen);
	free(log_prior);
	free(lp);
	free(conf);
	return rc;
}
