#include "quality/agreement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fc_level_parse(const char *s, fc_level *out)
{
	static const char *const names[] = {"nominal", "ordinal", "interval", "ratio"};
	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (fc_level)i;
			return 0;
		}
	}
	return FC_EINVAL;
}

static int check_answers(const fc_answers *a, fc_err *err)
{
	if (!a || !a->finished)
		return fc_err_set(err, FC_EINVAL, "answers_not_finished", NULL,
				  "answers must be finished (fc_answers_finish) before agreement");
	return 0;
}

/* Squared difference of two values under Krippendorff's metrics. Ordinal
 * distance depends on how many values lie between the two, hence the
 * cumulative marginals: cum[g] = n_0 + ... + n_(g-1). */
static double delta2(fc_level level, size_t c, size_t k, const double *x, const double *n,
		     const double *cum)
{
	if (c == k)
		return 0;
	switch (level) {
	case FC_LEVEL_NOMINAL:
		return 1;
	case FC_LEVEL_ORDINAL: {
		size_t lo = c < k ? c : k, hi = c < k ? k : c;
		double d = cum[hi + 1] - cum[lo] - (n[c] + n[k]) / 2;
		return d * d;
	}
	case FC_LEVEL_INTERVAL:
		return (x[c] - x[k]) * (x[c] - x[k]);
	case FC_LEVEL_RATIO: {
		double sum = x[c] + x[k];
		return sum > 0 ? (x[c] - x[k]) * (x[c] - x[k]) / (sum * sum) : 0;
	}
	}
	return 0;
}

int fc_agreement_alpha(const fc_answers *a, fc_level level, double *out, fc_err *err)
{
	int rc = check_answers(a, err);
	size_t *cls = NULL, *touched = NULL, *used = NULL;
	double *x = NULL, *n = NULL, *cum = NULL, *unit = NULL;
	if (rc)
		return rc;
	if (level < FC_LEVEL_NOMINAL || level > FC_LEVEL_RATIO)
		return fc_err_set(err, FC_EINVAL, "invalid_option", "level", "unknown level %d",
				  (int)level);
	size_t L = a->n_labels ? a->n_labels : 1;
	cls = malloc(L * sizeof *cls);
	touched = malloc(L * sizeof *touched);
	used = malloc(L * sizeof *used);
	x = calloc(L, sizeof *x);
	n = calloc(L, sizeof *n);
	cum = calloc(L + 1, sizeof *cum);
	unit = calloc(L, sizeof *unit);
	if (!cls || !touched || !used || !x || !n || !cum || !unit) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory computing alpha");
		goto out;
	}

	/* Values: each label for nominal data; each distinct number otherwise
	 * (labels are sorted by number, so equal numbers are neighbours). */
	size_t V = 0;
	for (size_t l = 0; l < a->n_labels; l++) {
		double v = a->label_value[l];
		if (level != FC_LEVEL_NOMINAL) {
			if (isnan(v)) {
				rc = fc_err_set(err, FC_EINVAL, "not_a_number", "answer",
						"%s alpha needs numeric answers; \"%s\" is not a number",
						level == FC_LEVEL_ORDINAL ? "ordinal"
						: level == FC_LEVEL_INTERVAL ? "interval" : "ratio",
						fc_answers_label_name(a, (int32_t)l));
				goto out;
			}
			if (level == FC_LEVEL_RATIO && v < 0) {
				rc = fc_err_set(err, FC_EINVAL, "negative_value", "answer",
						"ratio alpha needs answers >= 0; got \"%s\"",
						fc_answers_label_name(a, (int32_t)l));
				goto out;
			}
			if (V > 0 && x[V - 1] == v) {
				cls[l] = V - 1;
				continue;
			}
		}
		x[V] = v;
		cls[l] = V++;
	}

	/* Marginals of the coincidence matrix: only pairable values count. */
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], hi = a->q_start[q + 1];
		if (hi - lo < 2)
			continue;
		for (size_t j = lo; j < hi; j++)
			n[cls[a->label[j]]] += 1;
	}
	double total = 0;
	size_t nused = 0;
	for (size_t c = 0; c < V; c++) {
		cum[c + 1] = cum[c] + n[c];
		total += n[c];
		if (n[c] > 0)
			used[nused++] = c;
	}
	if (total < 2) {
		rc = fc_err_set(err, FC_EINVAL, "not_pairable", NULL,
				"alpha needs at least one question with two or more answers");
		goto out;
	}

	/* Observed disagreement: within each unit, every ordered pair of values
	 * from different coders, weighted 1/(m_u - 1). */
	double observed = 0;
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], hi = a->q_start[q + 1], nt = 0;
		if (hi - lo < 2)
			continue;
		for (size_t j = lo; j < hi; j++) {
			size_t c = cls[a->label[j]];
			if (unit[c] == 0)
				touched[nt++] = c;
			unit[c] += 1;
		}
		double sum = 0;
		for (size_t i = 0; i < nt; i++)
			for (size_t k = i + 1; k < nt; k++)
				sum += 2 * unit[touched[i]] * unit[touched[k]] *
				       delta2(level, touched[i], touched[k], x, n, cum);
		observed += sum / (double)(hi - lo - 1);
		for (size_t i = 0; i < nt; i++)
			unit[touched[i]] = 0;
	}

	double expected = 0;
	for (size_t i = 0; i < nused; i++)
		for (size_t k = i + 1; k < nused; k++)
			expected += 2 * n[used[i]] * n[used[k]] * delta2(level, used[i], used[k], x, n, cum);
	if (expected <= 0) {
		rc = fc_err_set(err, FC_EINVAL, "undefined", NULL,
				"alpha is undefined when every pairable answer has the same value");
		goto out;
	}
	/* alpha = 1 - D_o / D_e with D_o = observed / n and
	 * D_e = expected / (n (n - 1)). */
	*out = 1 - (total - 1) * observed / expected;
out:
	free(cls);
	free(touched);
	free(used);
	free(x);
	free(n);
	free(cum);
	free(unit);
	return rc;
}

int fc_agreement_fleiss(const fc_answers *a, double *out, fc_err *err)
{
	int rc = check_answers(a, err);
	double *total = NULL;
	uint32_t *count = NULL;
	if (rc)
		return rc;
	size_t Q = a->n_questions, K = a->n_labels;
	if (Q == 0)
		return fc_err_set(err, FC_EINVAL, "no_data", NULL, "Fleiss' kappa needs answers");
	size_t m = a->q_start[1] - a->q_start[0];
	for (size_t q = 0; q < Q; q++) {
		size_t mq = a->q_start[q + 1] - a->q_start[q];
		if (mq != m)
			return fc_err_set(err, FC_EINVAL, "unequal_raters", NULL,
					  "Fleiss' kappa needs the same number of answers per question: "
					  "question \"%s\" has %zu, question \"%s\" has %zu (use alpha "
					  "for unbalanced data)",
					  fc_answers_question_name(a, (int32_t)q), mq,
					  fc_answers_question_name(a, 0), m);
	}
	if (m < 2)
		return fc_err_set(err, FC_EINVAL, "unequal_raters", NULL,
				  "Fleiss' kappa needs at least two answers per question");
	total = calloc(K, sizeof *total);
	count = calloc(K, sizeof *count);
	if (!total || !count) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory computing kappa");
		goto out;
	}
	/* Sum over questions of sum_c n_qc² gives the agreeing rater pairs. */
	double squares = 0;
	for (size_t q = 0; q < Q; q++) {
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++)
			count[a->label[j]]++;
		for (size_t j = a->q_start[q]; j < a->q_start[q + 1]; j++) {
			int32_t l = a->label[j];
			if (count[l]) {
				squares += (double)count[l] * count[l];
				total[l] += count[l];
				count[l] = 0;
			}
		}
	}
	double md = (double)m, Qd = (double)Q;
	double p_bar = (squares - Qd * md) / (Qd * md * (md - 1));
	double p_e = 0;
	size_t used = 0;
	for (size_t k = 0; k < K; k++) {
		double p = total[k] / (Qd * md);
		p_e += p * p;
		used += total[k] > 0;
	}
	if (used < 2) {
		rc = fc_err_set(err, FC_EINVAL, "undefined", NULL,
				"Fleiss' kappa is undefined when every answer is the same label");
		goto out;
	}
	*out = (p_bar - p_e) / (1 - p_e);
out:
	free(total);
	free(count);
	return rc;
}

int fc_agreement_cohen(const fc_answers *a, double *out, fc_err *err)
{
	int rc = check_answers(a, err);
	double *rows = NULL, *cols = NULL;
	if (rc)
		return rc;
	if (a->n_workers != 2)
		return fc_err_set(err, FC_EINVAL, "not_two_workers", NULL,
				  "Cohen's kappa needs exactly two workers, found %zu (use fleiss or "
				  "alpha for more)",
				  a->n_workers);
	size_t K = a->n_labels;
	rows = calloc(K, sizeof *rows);
	cols = calloc(K, sizeof *cols);
	if (!rows || !cols) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory computing kappa");
		goto out;
	}
	/* Marginals and the diagonal are all kappa needs, not the K×K table. */
	double items = 0, agree = 0;
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q];
		if (a->q_start[q + 1] - lo != 2)
			continue; /* only one of the two answered */
		int32_t l0 = a->label[lo], l1 = a->label[lo + 1];
		if (a->worker[lo] != 0) {
			int32_t t = l0;
			l0 = l1;
			l1 = t;
		}
		rows[l0] += 1;
		cols[l1] += 1;
		agree += l0 == l1;
		items += 1;
	}
	if (items == 0) {
		rc = fc_err_set(err, FC_EINVAL, "not_pairable", NULL,
				"Cohen's kappa needs questions answered by both workers");
		goto out;
	}
	double chance = 0;
	for (size_t k = 0; k < K; k++)
		chance += rows[k] * cols[k];
	chance /= items * items;
	if (chance >= 1) {
		rc = fc_err_set(err, FC_EINVAL, "undefined", NULL,
				"Cohen's kappa is undefined when both workers always give the same "
				"single label");
		goto out;
	}
	*out = (agree / items - chance) / (1 - chance);
out:
	free(rows);
	free(cols);
	return rc;
}
