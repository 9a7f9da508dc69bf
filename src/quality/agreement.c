#include "quality/agreement.h"

#include <math.h>
#include <stdint.h>
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
static double delta2(fc_level level, size_t c, size_t k, const double *x, const double *n, const double *cum)
{
	if (c == k)
		return 0;
	switch (level) {
	case FC_LEVEL_NOMINAL: return 1;
	case FC_LEVEL_ORDINAL: {
		size_t lo = c < k ? c : k, hi = c < k ? k : c;
		double d = cum[hi + 1] - cum[lo] - (n[c] + n[k]) / 2;
		return d * d;
	}
	case FC_LEVEL_INTERVAL: return (x[c] - x[k]) * (x[c] - x[k]);
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
		return fc_err_set(err, FC_EINVAL, "invalid_option", "level", "unknown level %d", (int)level);
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
						level == FC_LEVEL_ORDINAL    ? "ordinal"
						: level == FC_LEVEL_INTERVAL ? "interval"
									     : "ratio",
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
					  fc_answers_question_name(a, (int32_t)q), mq, fc_answers_question_name(a, 0), m);
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

int fc_agreement_alpha_per_label(const fc_answers *a, double *alpha, fc_err *err)
{
	int rc = check_answers(a, err);
	if (rc)
		return rc;
	size_t L = a->n_labels;
	double *nl = calloc(L ? L : 1, sizeof *nl), *off = calloc(L ? L : 1, sizeof *off);
	size_t *cnt = calloc(L ? L : 1, sizeof *cnt);
	if (!nl || !off || !cnt) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory computing alpha per label");
		goto out;
	}
	/* o(l, not l) = sum over units of n_ul (m_u - n_ul) / (m_u - 1) */
	double n = 0;
	for (size_t q = 0; q < a->n_questions; q++) {
		size_t lo = a->q_start[q], hi = a->q_start[q + 1], m = hi - lo;
		if (m < 2)
			continue;
		for (size_t j = lo; j < hi; j++)
			cnt[a->label[j]]++;
		for (size_t j = lo; j < hi; j++) {
			size_t l = (size_t)a->label[j];
			if (!cnt[l])
				continue; /* counted already */
			nl[l] += (double)cnt[l];
			off[l] += (double)cnt[l] * (double)(m - cnt[l]) / (double)(m - 1);
			cnt[l] = 0;
		}
		n += (double)m;
	}
	for (size_t l = 0; l < L; l++)
		alpha[l] = nl[l] > 0 && nl[l] < n ? 1 - (n - 1) * off[l] / (nl[l] * (n - nl[l])) : NAN;
out:
	free(nl);
	free(off);
	free(cnt);
	return rc;
}

/* ---- pairs of workers ---- */

typedef struct pair_slot {
	uint64_t key; /* (a << 32 | b) + 1; 0 = empty */
	uint32_t common, same;
	size_t idx; /* the pair's label counts: counts[idx * 2L ...] */
} pair_slot;

typedef struct pair_map {
	pair_slot *slots;
	size_t cap, used, labels;
	uint32_t *counts;  /* per pair: a's labels, then b's */
	size_t counts_cap; /* in pairs */
} pair_map;

static size_t pair_hash(uint64_t key, size_t cap) { return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (cap - 1); }

static pair_slot *pair_get(pair_map *m, int32_t a, int32_t b, int *oom)
{
	if ((m->used + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 1024;
		pair_slot *ns = calloc(ncap, sizeof *ns);
		if (!ns) {
			*oom = 1;
			return NULL;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->slots[i].key)
				continue;
			size_t h = pair_hash(m->slots[i].key, ncap);
			while (ns[h].key)
				h = (h + 1) & (ncap - 1);
			ns[h] = m->slots[i];
		}
		free(m->slots);
		m->slots = ns;
		m->cap = ncap;
	}
	uint64_t key = (((uint64_t)(uint32_t)a << 32) | (uint32_t)b) + 1;
	size_t h = pair_hash(key, m->cap);
	while (m->slots[h].key && m->slots[h].key != key)
		h = (h + 1) & (m->cap - 1);
	pair_slot *s = &m->slots[h];
	if (!s->key) {
		size_t L2 = 2 * (m->labels ? m->labels : 1);
		if (m->used == m->counts_cap) {
			size_t ncap = m->counts_cap ? m->counts_cap * 2 : 1024;
			uint32_t *nc = realloc(m->counts, ncap * L2 * sizeof *nc);
			if (!nc) {
				*oom = 1;
				return NULL;
			}
			m->counts = nc;
			m->counts_cap = ncap;
		}
		memset(m->counts + m->used * L2, 0, L2 * sizeof *m->counts);
		s->key = key;
		s->idx = m->used++;
	}
	return s;
}

static int cmp_pairs(const void *x, const void *y)
{
	const fc_pair_agreement *p = x, *q = y;
	if (p->common != q->common)
		return p->common > q->common ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return (p->b > q->b) - (p->b < q->b);
}

int fc_agreement_pairs(const fc_answers *a, size_t min_common, fc_pair_agreement **out, size_t *n_out, fc_err *err)
{
	*out = NULL;
	*n_out = 0;
	int rc = check_answers(a, err), oom = 0;
	if (rc)
		return rc;
	pair_map m = {.labels = a->n_labels};
	for (size_t q = 0; q < a->n_questions && !oom; q++) {
		size_t lo = a->q_start[q], hi = a->q_start[q + 1];
		for (size_t i = lo; i < hi && !oom; i++)
			for (size_t j = i + 1; j < hi && !oom; j++) {
				int32_t wi = a->worker[i], wj = a->worker[j];
				if (wi == wj)
					continue;
				size_t x = wi < wj ? i : j, y = wi < wj ? j : i;
				pair_slot *s = pair_get(&m, a->worker[x], a->worker[y], &oom);
				if (!s)
					break;
				uint32_t *cnt = m.counts + s->idx * 2 * (m.labels ? m.labels : 1);
				s->common++;
				s->same += a->label[x] == a->label[y];
				cnt[a->label[x]]++;
				cnt[m.labels + (size_t)a->label[y]]++;
			}
	}
	fc_pair_agreement *res = oom ? NULL : malloc((m.used ? m.used : 1) * sizeof *res);
	if (!res) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "out of memory computing pairwise agreement");
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < m.cap; i++) {
		pair_slot *s = &m.slots[i];
		if (!s->key || s->common < min_common || s->common == 0)
			continue;
		uint64_t key = s->key - 1;
		const uint32_t *cnt = m.counts + s->idx * 2 * (m.labels ? m.labels : 1);
		double n = (double)s->common, pe = 0;
		for (size_t l = 0; l < m.labels; l++)
			pe += ((double)cnt[l] / n) * ((double)cnt[m.labels + l] / n);
		double po = (double)s->same / n;
		res[k++] = (fc_pair_agreement){(int32_t)(key >> 32), (int32_t)(key & 0xffffffffu), s->common, po,
					       pe < 1 - 1e-12 ? (po - pe) / (1 - pe) : NAN};
	}
	qsort(res, k, sizeof *res, cmp_pairs);
	*out = res;
	*n_out = k;
out:
	free(m.counts);
	free(m.slots);
	return rc;
}
