/* Softmax regression by SGD: see linear.h. */
#include "ml/linear.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fc_linear_init(fc_linear *m, int k, uint32_t dim, fc_err *err)
{
	memset(m, 0, sizeof *m);
	if (k < 2 || k > FC_ML_MAX_CLASSES || dim == 0 || dim > (1u << 26))
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL,
				  "A model needs 2 to %d classes and 1 to 2^26 features.", FC_ML_MAX_CLASSES);
	m->w = calloc((size_t)k * dim, sizeof *m->w);
	m->b = calloc((size_t)k, sizeof *m->b);
	if (!m->w || !m->b) {
		fc_linear_free(m);
		return fc_err_set(err, FC_ENOMEM, "internal", NULL, "Out of memory for the model.");
	}
	m->k = k;
	m->dim = dim;
	return 0;
}

void fc_linear_free(fc_linear *m)
{
	free(m->w);
	free(m->b);
	m->w = m->b = NULL;
	m->k = 0;
}

void fc_linear_probs(const fc_linear *m, const fc_feat *f, size_t n, double *p)
{
	double max = -INFINITY, sum = 0;
	for (int c = 0; c < m->k; c++) {
		const float *w = m->w + (size_t)c * m->dim;
		double z = m->b[c];
		for (size_t i = 0; i < n; i++)
			z += (double)w[f[i].idx] * f[i].val;
		p[c] = z;
		if (z > max)
			max = z;
	}
	for (int c = 0; c < m->k; c++)
		sum += p[c] = exp(p[c] - max);
	for (int c = 0; c < m->k; c++)
		p[c] /= sum;
}

void fc_linear_step(fc_linear *m, const fc_feat *f, size_t n, int label, double lr, double l2)
{
	double p[FC_ML_MAX_CLASSES];
	fc_linear_probs(m, f, n, p);
	for (int c = 0; c < m->k; c++) {
		double g = p[c] - (c == label ? 1.0 : 0.0);
		float *w = m->w + (size_t)c * m->dim;
		for (size_t i = 0; i < n; i++)
			w[f[i].idx] -= (float)(lr * (g * f[i].val + l2 * w[f[i].idx]));
		m->b[c] -= (float)(lr * g);
	}
}

int fc_ml_argmax(const double *p, int k, double *score)
{
	int best = 0;
	for (int c = 1; c < k; c++)
		if (p[c] > p[best])
			best = c;
	if (score)
		*score = p[best];
	return best;
}

uint64_t fc_ml_rng(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fc_ml_shuffle(size_t *order, size_t n, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(fc_ml_rng(state) % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}
