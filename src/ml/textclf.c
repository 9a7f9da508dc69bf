/* The built-in text classifier: see textclf.h. */
#include "ml/textclf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define MAX_WORD 64

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return h;
}

/* Bytes of words: ASCII letters and digits, and every byte of a UTF-8
 * sequence (letters of other scripts). */
static int word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

typedef struct sink {
	fc_feat *out;
	size_t n, max;
	uint32_t mask;
} sink;

static void put(sink *s, uint64_t h)
{
	if (s->n < s->max)
		s->out[s->n++] = (fc_feat){(uint32_t)(h ^ (h >> 32)) & s->mask, 1.0f};
}

/* One word (lower-cased, at most MAX_WORD bytes): itself, the pair it makes
 * with the word before, its character 3-grams. */
static void word_feats(sink *s, const char *w, size_t n, uint64_t *prev)
{
	uint64_t h = fnv(FNV_OFFSET ^ 'w', w, n);
	put(s, h);
	if (*prev)
		put(s, (*prev * FNV_PRIME) ^ h ^ 0x5bd1e995u);
	*prev = h;
	char b[MAX_WORD + 2];
	b[0] = ' ';
	memcpy(b + 1, w, n);
	b[n + 1] = ' ';
	for (size_t i = 0; i + 3 <= n + 2; i++)
		put(s, fnv(FNV_OFFSET ^ 'c', b + i, 3));
}

size_t fc_textclf_features(const char *text, uint32_t dim, fc_feat *out, size_t max)
{
	sink s = {out, 0, max, dim - 1};
	uint64_t prev = 0;
	char w[MAX_WORD];
	size_t wn = 0;
	for (const char *p = text ? text : "";; p++) {
		unsigned char c = (unsigned char)*p;
		if (c && word_byte(c)) {
			if (wn < MAX_WORD)
				w[wn++] = (char)(c < 0x80 && c >= 'A' && c <= 'Z' ? c | 32 : c);
			continue;
		}
		if (wn)
			word_feats(&s, w, wn, &prev);
		wn = 0;
		if (!c || s.n >= max)
			break;
	}
	float v = s.n ? (float)(1.0 / sqrt((double)s.n)) : 0;
	for (size_t i = 0; i < s.n; i++)
		out[i].val = v;
	return s.n;
}

int fc_textclf_init(fc_textclf *t, int k, int bits, fc_err *err)
{
	if (bits < 10 || bits > 24) {
		memset(t, 0, sizeof *t);
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "A text model has 2^10 to 2^24 buckets.");
	}
	return fc_linear_init(&t->m, k, 1u << bits, err);
}

void fc_textclf_free(fc_textclf *t) { fc_linear_free(&t->m); }

int fc_textclf_train(fc_textclf *t, const char *const *texts, const int *labels, size_t n, const fc_ml_opts *o,
		     fc_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= t->m.k)
			return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "Label %d of text %zu is not a class.",
					  labels[i], i);
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	fc_feat *f = malloc(FC_TEXTCLF_MAX_FEATS * sizeof *f);
	if (!order || !f) {
		free(order);
		free(f);
		return fc_err_set(err, FC_ENOMEM, "internal", NULL, "Out of memory while training.");
	}
	uint64_t rng = o->seed;
	for (int e = 0; e < o->epochs; e++) {
		fc_ml_shuffle(order, n, &rng);
		double lr = o->lr / (1 + e);
		for (size_t i = 0; i < n; i++) {
			size_t nf = fc_textclf_features(texts[order[i]], t->m.dim, f, FC_TEXTCLF_MAX_FEATS);
			fc_linear_step(&t->m, f, nf, labels[order[i]], lr, o->l2);
		}
	}
	free(order);
	free(f);
	return 0;
}

int fc_textclf_predict(const fc_textclf *t, const char *text, double *p)
{
	fc_feat f[FC_TEXTCLF_MAX_FEATS];
	size_t nf = fc_textclf_features(text, t->m.dim, f, FC_TEXTCLF_MAX_FEATS);
	fc_linear_probs(&t->m, f, nf, p);
	return fc_ml_argmax(p, t->m.k, NULL);
}
