/* ebcc.c — Enhanced Bayesian Classifier Combination (Li, Rubinstein and
 * Cohn, "Exploiting Worker Correlation for Label Aggregation in
 * Crowdsourcing", ICML 2019), written from the model, by mean-field
 * variational Bayes:
 *
 *   class       z_q ~ Cat(tau),           tau   ~ Dir(TAU0)
 *   subtype     s_q ~ Cat(nu_{z_q}),      nu_k  ~ Dir(NU0)
 *   answer      y_qw ~ Cat(pi_w^{z_q, s_q}), pi_w^{k,m} ~ Dir(PI_OFF + PI_DIAG [l = k])
 *
 * A subtype is a kind of item within a class; workers answering the same
 * kind of item share its confusion pattern, which is how correlated errors
 * are captured. Updates, with r[q][k][m] = q(z_q = k, s_q = m):
 *   A_w[k][m][l] = prior + sum over w's answers l of r[q][k][m]
 *   E log pi = digamma(A) - digamma(row sum), likewise for tau and nu
 *   r[q][k][m] ∝ exp(E log tau_k + E log nu_k[m] + sum_j E log pi_{w_j}[k][m][y_j])
 * r starts from Dawid-Skene's posteriors times fixed-seed random subtype
 * weights (the model is symmetric in m). */
#include "quality/aggregate.h"
#include "quality/em.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EBCC_MAX_CELLS ((size_t)1 << 26)
/* Subtypes per class and the Dirichlet priors: 1 everywhere plus 1 on the
 * diagonal, so a row's prior mean says "right more often than any single
 * wrong label". Without it a subtype of class a can take over a whole class
 * b (nothing ties subtypes to their class): on three questions where all
 * three workers say b once, PI_DIAG 0 called it a. */
#define EBCC_SUBTYPES 4
#define PI_OFF 1.0
#define PI_DIAG 1.0
#define TAU0 1.0
#define NU0 1.0

/* digamma by recurrence up to x >= 6, then the asymptotic series. */
static double digamma(double x)
{
	double r = 0;
	while (x < 6) {
		r -= 1 / x;
		x += 1;
	}
	double f = 1 / (x * x);
	return r + log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

/* E log of a Dirichlet's components: digamma(c_i) - digamma(sum c) over n
 * entries, in place. */
static void dirichlet_elog(double *c, size_t n)
{
	double z = 0;
	for (size_t i = 0; i < n; i++)
		z += c[i];
	double dz = digamma(z);
	for (size_t i = 0; i < n; i++)
		c[i] = digamma(c[i]) - dz;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Dirichlet pseudo-counts of the confusion rows from r: A[w][k][m][l]. */
static void ebcc_counts(const fc_answers *a, const double *r, size_t M, double *A)
{
	size_t K = a->n_labels, KM = K * M, W = a->n_workers;
	for (size_t w = 0; w < W; w++)
		for (size_t km = 0; km < KM; km++)
			for (size_t l = 0; l < K; l++)
				A[(w * KM + km) * K + l] = PI_OFF + (km / M == l ? PI_DIAG : 0);
	for (size_t q = 0; q < a->n_questions; q++) {
		const double *rq = r + q * KM;
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
			double *Aw = A + (size_t)a->worker[j] * KM * K + (size_t)a->label[j];
			for (size_t km = 0; km < KM; km++)
				Aw[km * K] += rq[km];
		}
	}
}

/* E log tau_k + E log nu_k[m] from r, into prior[k*M + m]. */
static void ebcc_priors(const double *r, size_t Q, size_t K, size_t M, double *prior, double *tmp)
{
	size_t KM = K * M;
	for (size_t km = 0; km < KM; km++)
		prior[km] = NU0;
	for (size_t q = 0; q < Q; q++)
		for (size_t km = 0; km < KM; km++)
			prior[km] += r[q * KM + km];
	for (size_t k = 0; k < K; k++) {
		tmp[k] = TAU0;
		for (size_t m = 0; m < M; m++)
			tmp[k] += prior[k * M + m] - NU0;
	}
	dirichlet_elog(tmp, K);
	for (size_t k = 0; k < K; k++) {
		dirichlet_elog(prior + k * M, M);
		for (size_t m = 0; m < M; m++)
			prior[k * M + m] += tmp[k];
	}
}

int fc_aggregate_ebcc(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	int rc = fc_em_check(a, &o, err);
	if (rc)
		return rc;
	size_t K = a->n_labels, W = a->n_workers, Q = a->n_questions, M = EBCC_SUBTYPES, KM = K * M;
	if (K && (W > EBCC_MAX_CELLS / (KM * K) || Q > EBCC_MAX_CELLS / KM))
		return fc_err_set(err, FC_ETOOBIG, "too_many_labels", NULL,
				  "EBCC needs workers × labels² × %zu <= %zu; %zu workers and %zu labels are too "
				  "many",
				  M, (size_t)EBCC_MAX_CELLS, W, K);
	if ((rc = fc_em_result(out, a, err)))
		return rc;
	double *T = fc_em_array(Q * K, sizeof *T), *r = fc_em_array(Q * KM, sizeof *r);
	double *A = fc_em_array(W * KM * K, sizeof *A), *prior = fc_em_array(KM, sizeof *prior);
	double *lp = fc_em_array(KM, sizeof *lp), *tmp = fc_em_array(K, sizeof *tmp);
	if (!T || !r || !A || !prior || !lp || !tmp) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory in EBCC");
		goto out;
	}
	/* Warm start from Dawid-Skene's posteriors (itself started from
	 * majority vote): EBCC with one subtype is Bayesian Dawid-Skene. */
	fc_aggregate ds = {0};
	if ((rc = fc_aggregate_ds(a, &o, &ds, err)))
		goto out;
	memcpy(T, ds.posterior, Q * K * sizeof *T);
	memcpy(out->label, ds.label, Q * sizeof *out->label);
	fc_aggregate_free(&ds);
	uint64_t seed = 0xebccu;
	/* One set of subtype weights per question, the same for every class,
	 * so that labels stay symmetric (a tie stays a tie). */
	for (size_t q = 0; q < Q; q++) {
		double z = 0;
		for (size_t m = 0; m < M; m++)
			z += lp[m] = 0.5 + (double)(splitmix(&seed) >> 11) / 9007199254740992.0;
		for (size_t k = 0; k < K; k++)
			for (size_t m = 0; m < M; m++)
				r[q * KM + k * M + m] = T[q * K + k] * lp[m] / z;
	}
	int iter = 0;
	while (iter < o.max_iterations && K) {
		iter++;
		ebcc_counts(a, r, M, A);
		for (size_t row = 0; row < W * KM; row++)
			dirichlet_elog(A + row * K, K);
		ebcc_priors(r, Q, K, M, prior, tmp);
		double delta = 0;
		for (size_t q = 0; q < Q; q++) {
			memcpy(lp, prior, KM * sizeof *lp);
			for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
				const double *Aw = A + (size_t)a->worker[j] * KM * K + (size_t)a->label[j];
				for (size_t km = 0; km < KM; km++)
					lp[km] += Aw[km * K];
			}
			fc_em_normalise(lp, r + q * KM, KM);
			for (size_t k = 0; k < K; k++) {
				double t = 0;
				for (size_t m = 0; m < M; m++)
					t += r[q * KM + k * M + m];
				delta = fmax(delta, fabs(t - T[q * K + k]));
				T[q * K + k] = t;
			}
		}
		if (fc_em_converged(out, delta, &o))
			break;
	}
	fc_em_finish(out, FC_METHOD_EBCC, iter, T, Q, K);
	/* The answer model's means: E[pi] = A / row sum, from the final r. */
	ebcc_counts(a, r, M, A);
	for (size_t row = 0; row < W * KM; row++) {
		double z = 0, *p = A + row * K;
		for (size_t l = 0; l < K; l++)
			z += p[l];
		for (size_t l = 0; l < K; l++)
			p[l] /= z;
	}
	/* Quality: the chance of a right answer, averaged over the classes and
	 * subtypes as often as they occur. */
	for (size_t km = 0; km < KM; km++)
		prior[km] = 0;
	for (size_t q = 0; q < Q; q++)
		for (size_t km = 0; km < KM; km++)
			prior[km] += r[q * KM + km] / (double)Q;
	for (size_t w = 0; w < W; w++) {
		double acc = 0;
		for (size_t km = 0; km < KM; km++)
			acc += prior[km] * A[(w * KM + km) * K + km / M];
		out->worker_quality[w] = acc;
	}
	out->n_subtypes = M;
	out->sub_posterior = r;
	out->sub_confusion = A;
	T = r = A = NULL;
out:
	if (rc)
		fc_aggregate_free(out);
	free(T);
	free(r);
	free(A);
	free(prior);
	free(lp);
	free(tmp);
	return rc;
}
