/* autopick.c — methods by name, the answer model every EM method implies,
 * and --method auto: choose per answer set by held-out log-likelihood. */
#include "quality/aggregate.h"
#include "quality/em.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[FC_METHOD_COUNT] = {"mv", "ds", "ods", "glad", "mace", "ebcc", "auto"};

int fc_method_parse(const char *name)
{
	for (int m = 0; name && m < FC_METHOD_COUNT; m++)
		if (!strcmp(name, method_names[m]))
			return m;
	return -1;
}

const char *fc_method_name(fc_method m) { return m >= 0 && m < FC_METHOD_COUNT ? method_names[m] : "?"; }

int fc_aggregate_run(fc_method m, const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	switch (m) {
	case FC_METHOD_MV: return fc_aggregate_mv(a, out, err);
	case FC_METHOD_DS: return fc_aggregate_ds(a, opts, out, err);
	case FC_METHOD_ODS: return fc_aggregate_one_coin(a, opts, out, err);
	case FC_METHOD_GLAD: return fc_aggregate_glad(a, opts, out, err);
	case FC_METHOD_MACE: return fc_aggregate_mace(a, opts, out, err);
	case FC_METHOD_EBCC: return fc_aggregate_ebcc(a, opts, out, err);
	case FC_METHOD_AUTO: return fc_aggregate_auto(a, opts, out, err);
	default: return fc_err_set(err, FC_EINVAL, "invalid_value", "method", "unknown aggregation method");
	}
}

/* P(answer l) when the answer is right with probability p and otherwise
 * uniform over the K - 1 other labels, the truth being l with probability t. */
static double symmetric(double t, double p, size_t K)
{
	return K > 1 ? t * p + (1 - t) * (1 - p) / (double)(K - 1) : 1;
}

static double sigmoid(double x) { return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)); }

double fc_aggregate_answer_prob(const fc_aggregate *r, size_t q, int32_t w, int32_t l)
{
	size_t K = r->n_labels, M = r->n_subtypes;
	const double *T = r->posterior ? r->posterior + q * K : NULL;
	double p = 0;
	if (!T || !K)
		return K ? 1.0 / (double)K : 1;
	switch (r->method) {
	case FC_METHOD_ODS: return symmetric(T[l], r->worker_quality[w], K);
	case FC_METHOD_GLAD: return symmetric(T[l], sigmoid(r->ability[w] * r->easiness[q]), K);
	case FC_METHOD_EBCC:
		for (size_t km = 0; km < K * M; km++)
			p += r->sub_posterior[q * K * M + km] *
			     r->sub_confusion[((size_t)w * K * M + km) * K + (size_t)l];
		return p;
	case FC_METHOD_DS:
		/* The posterior predictive under a uniform Dirichlet(1) prior on
		 * each confusion row, (expected count + 1) / (evidence + K), the
		 * prior EBCC uses: DS's own rows carry only its small smoothing s
		 * and would score a worker seen a few times as if certain. */
		for (size_t k = 0; k < K; k++) {
			size_t row = (size_t)w * K + k;
			double n = r->confusion_n[row], s = r->smoothing;
			double c = r->confusion[row * K + (size_t)l] * (n + (double)K * s) - s;
			p += T[k] * (c + 1) / (n + (double)K);
		}
		return p;
	case FC_METHOD_MACE:
		for (size_t k = 0; k < K; k++)
			p += T[k] * r->confusion[((size_t)w * K + k) * K + (size_t)l];
		return p;
	default: return 1.0 / (double)K;
	}
}

#define FOLDS 5

static const fc_method candidates[] = {FC_METHOD_DS, FC_METHOD_ODS, FC_METHOD_GLAD, FC_METHOD_MACE, FC_METHOD_EBCC};
#define N_CANDIDATES (sizeof candidates / sizeof candidates[0])

/* Fold of each answer: the answers of a question take folds (start + i) mod
 * FOLDS in turn, start a hash of the question, so at most ceil(n / FOLDS) of
 * a question's n answers are held out at once and one always stays; a
 * question with one answer is never held out (-1). */
static void assign_folds(const fc_answers *a, signed char *fold)
{
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], n = a->q_start[q + 1] - lo;
		size_t start = (size_t)((q * 0x9E3779B97F4A7C15ull) >> 61) % FOLDS;
		for (size_t i = 0; i < n; i++)
			fold[lo + i] = n < 2 ? -1 : (signed char)((start + i) % FOLDS);
	}
}

/* The answers outside fold f, with the same question, worker and label ids
 * (a worker with all answers held out keeps its id and gets the prior). */
static void training_set(const fc_answers *a, const signed char *fold, int f, fc_answers *t)
{
	size_t n = 0;
	for (size_t q = 0; q < a->n_questions; q++) {
		t->q_start[q] = n;
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
			if (fold[j] != f) {
				t->worker[n] = a->worker[j];
				t->label[n++] = a->label[j];
			}
	}
	t->q_start[a->n_questions] = n;
	t->n = n;
}

/* Held-out score of one candidate's labels on fold f: a confusion matrix
 * per worker counted from the training answers against the candidate's
 * labels, each held-out answer scored by log (count(w, label, answer) + 1) /
 * (count(w, label) + K) — the same answer model for every candidate, so a
 * candidate gains only by better labels, not by a richer model of answers.
 * Adds to perq[q] (per question) and returns the fold's total. */
static double label_score(const fc_answers *a, const signed char *fold, int f, const int32_t *label, size_t K,
			  uint32_t *cnt, uint32_t *tot, double *perq)
{
	double total = 0;
	memset(cnt, 0, a->n_workers * K * K * sizeof *cnt);
	memset(tot, 0, a->n_workers * K * sizeof *tot);
	for (size_t q = 0; q < a->n_questions; q++)
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
			if (fold[j] != f) {
				size_t row = (size_t)a->worker[j] * K + (size_t)label[q];
				cnt[row * K + (size_t)a->label[j]]++;
				tot[row]++;
			}
	for (size_t q = 0; q < a->n_questions; q++)
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
			if (fold[j] == f) {
				size_t row = (size_t)a->worker[j] * K + (size_t)label[q];
				double v = log(((double)cnt[row * K + (size_t)a->label[j]] + 1) /
					       ((double)tot[row] + (double)K));
				perq[q] += v;
				total += v;
			}
	return total;
}

size_t fc_em_auto_choose(const double *ll, const int *failed, const double *perq, size_t n_candidates, size_t nq)
{
	size_t best = 0;
	if (failed[0]) {
		for (size_t c = 1; c < n_candidates; c++)
			if (!failed[c] && (failed[best] || ll[c] > ll[best]))
				best = c;
		return best;
	}
	for (size_t c = 1; c < n_candidates; c++) {
		if (failed[c] || ll[c] <= ll[best])
			continue;
		double sum = 0, sq = 0;
		for (size_t q = 0; q < nq; q++) {
			double d = perq[c * nq + q] - perq[q];
			sum += d;
			sq += d * d;
		}
		double mean = sum / (double)nq, var = sq / (double)nq - mean * mean;
		double se = sqrt((var > 0 ? var : 0) * (double)nq);
		if (sum > FC_EM_SIGNIFICANCE * se)
			best = c;
	}
	return best;
}

int fc_aggregate_auto(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err)
{
	fc_em_opts o = opts ? *opts : fc_em_defaults();
	int rc = fc_em_check(a, &o, err);
	if (rc)
		return rc;
	double ll[N_CANDIDATES] = {0};
	int failed[N_CANDIDATES] = {0};
	size_t held = 0, K = a->n_labels;
	fc_answers t = *a;
	signed char *fold = fc_em_array(a->n, sizeof *fold);
	double *perq = fc_em_array(N_CANDIDATES * a->n_questions, sizeof *perq);
	uint32_t *cnt = fc_em_array(a->n_workers * K * K, sizeof *cnt);
	uint32_t *tot = fc_em_array(a->n_workers * K, sizeof *tot);
	t.worker = fc_em_array(a->n, sizeof *t.worker);
	t.label = fc_em_array(a->n, sizeof *t.label);
	t.q_start = fc_em_array(a->n_questions + 1, sizeof *t.q_start);
	if (!fold || !perq || !cnt || !tot || !t.worker || !t.label || !t.q_start) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory choosing a method");
		goto out;
	}
	memset(perq, 0, N_CANDIDATES * a->n_questions * sizeof *perq);
	assign_folds(a, fold);
	for (size_t j = 0; j < a->n; j++)
		held += fold[j] >= 0;
	for (int f = 0; held && f < FOLDS; f++) {
		training_set(a, fold, f, &t);
		for (size_t c = 0; c < N_CANDIDATES; c++) {
			fc_aggregate r = {0};
			fc_err ignore = {0};
			if (failed[c] || fc_aggregate_run(candidates[c], &t, &o, &r, &ignore)) {
				/* too big for this method, or out of memory: not a candidate */
				failed[c] = 1;
				fc_err_clear(&ignore);
				continue;
			}
			ll[c] += label_score(a, fold, f, r.label, K, cnt, tot, perq + c * a->n_questions);
			fc_aggregate_free(&r);
		}
	}
	/* No held-out answers (every question has one answer): Dawid-Skene. */
	size_t best = held ? fc_em_auto_choose(ll, failed, perq, N_CANDIDATES, a->n_questions) : 0;
	if ((rc = fc_aggregate_run(failed[best] ? FC_METHOD_ODS : candidates[best], a, &o, out, err)))
		goto out;
	for (int m = 0; m < FC_METHOD_COUNT; m++)
		out->score[m] = NAN;
	for (size_t c = 0; held && c < N_CANDIDATES; c++)
		out->score[candidates[c]] = failed[c] ? NAN : ll[c] / (double)held;
out:
	free(fold);
	free(perq);
	free(cnt);
	free(tot);
	free(t.worker);
	free(t.label);
	free(t.q_start);
	return rc;
}
