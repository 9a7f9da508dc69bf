/* linear.h — multinomial logistic regression (softmax) over sparse
 * features, trained by plain SGD. The shared core of the built-in models
 * (textclf.h, imgclf.h): they turn a text or an image into a short list of
 * (index, value) features; this file learns one weight per class and index.
 *
 * Deterministic: the training order comes from fc_ml_rng seeded by the
 * caller, so one seed and one data set give the same weights every run. */
#ifndef FC_ML_LINEAR_H
#define FC_ML_LINEAR_H

#include "core/err.h"
#include <stddef.h>
#include <stdint.h>

/* Most classes a built-in model predicts (a Choices tag's options). */
#define FC_ML_MAX_CLASSES 64

typedef struct fc_feat {
	uint32_t idx;
	float val;
} fc_feat;

typedef struct fc_linear {
	int k;        /* classes */
	uint32_t dim; /* feature indices are < dim */
	float *w;     /* k * dim weights, class-major */
	float *b;     /* k biases */
} fc_linear;

/* Zero weights for k classes (2..FC_ML_MAX_CLASSES) over dim features.
 * FC_EINVAL for a bad k or dim, FC_ENOMEM. */
int fc_linear_init(fc_linear *m, int k, uint32_t dim, fc_err *err);
void fc_linear_free(fc_linear *m);
/* Class probabilities of one example into p[0..k). */
void fc_linear_probs(const fc_linear *m, const fc_feat *f, size_t n, double *p);
/* One SGD step on the cross-entropy of one example of class label, with
 * learning rate lr and L2 shrinkage l2 of the touched weights. */
void fc_linear_step(fc_linear *m, const fc_feat *f, size_t n, int label, double lr, double l2);
/* Index of the largest of p[0..k); *score receives it. */
int fc_ml_argmax(const double *p, int k, double *score);

/* Training settings shared by the built-in models. */
typedef struct fc_ml_opts {
	int epochs;    /* passes over the data (default 5) */
	double lr;     /* first pass's learning rate; pass e uses lr / (1 + e) */
	double l2;     /* weight shrinkage per step */
	uint64_t seed; /* training order */
} fc_ml_opts;

/* splitmix64: a small deterministic generator for shuffles. */
uint64_t fc_ml_rng(uint64_t *state);
/* A random permutation of 0..n-1 into order. */
void fc_ml_shuffle(size_t *order, size_t n, uint64_t *state);

#endif
