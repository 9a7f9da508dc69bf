/* textclf.h — the built-in text classifier (Choices over Text).
 *
 * A text becomes hashed features: lower-cased words, word pairs and the
 * character 3-grams of each word (with its boundaries, so "cat" gives " ca",
 * "cat", "at "), each hashed (FNV-1a) into 2^bits buckets with value
 * 1/sqrt(count) (the vector has length 1). A softmax regression (linear.h)
 * over them gives one probability per class; the largest is the label and
 * its probability the score used to order tasks by uncertainty. No
 * vocabulary is stored: a model is its weights, (classes × 2^bits) floats. */
#ifndef FC_ML_TEXTCLF_H
#define FC_ML_TEXTCLF_H

#include "ml/linear.h"

/* Default hash space: 2^18 buckets (1 MB of weights per class). */
#define FC_TEXTCLF_BITS 18
/* Features taken from one text at most (longer texts are cut). */
#define FC_TEXTCLF_MAX_FEATS 4096

/* Training settings (measured on the fortunes categories, bench/README.md). */
#define FC_TEXTCLF_OPTS ((fc_ml_opts){10, 1.0, 1e-6, 1})

typedef struct fc_textclf {
	fc_linear m;
} fc_textclf;

/* An untrained model of k classes over 2^bits buckets (bits 10..24). */
int fc_textclf_init(fc_textclf *t, int k, int bits, fc_err *err);
void fc_textclf_free(fc_textclf *t);
/* The features of text into out[0..max); returns how many. */
size_t fc_textclf_features(const char *text, uint32_t dim, fc_feat *out, size_t max);
/* Trains on n texts with labels in 0..k-1 (FC_EINVAL for another label,
 * FC_ENOMEM). Training again goes on from the current weights. */
int fc_textclf_train(fc_textclf *t, const char *const *texts, const int *labels, size_t n, const fc_ml_opts *o,
		     fc_err *err);
/* Class probabilities into p[0..k); returns the most probable class. */
int fc_textclf_predict(const fc_textclf *t, const char *text, double *p);

#endif
