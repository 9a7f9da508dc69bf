/* agreement.h — how much workers agree beyond chance, on a finished answer
 * set (answers.h): questions are the units, workers the coders.
 *
 * Every function stores the coefficient in *out and returns 0, or returns
 * FC_EINVAL with err saying why the coefficient does not apply or is
 * undefined (e.g. no variation at all: 0/0), or FC_ENOMEM. */
#ifndef FC_QUALITY_AGREEMENT_H
#define FC_QUALITY_AGREEMENT_H

#include "core/err.h"
#include "quality/answers.h"

typedef enum fc_level {
	FC_LEVEL_NOMINAL,
	FC_LEVEL_ORDINAL,
	FC_LEVEL_INTERVAL,
	FC_LEVEL_RATIO,
} fc_level;

/* Parses "nominal", "ordinal", "interval", "ratio". Returns 0 or FC_EINVAL. */
int fc_level_parse(const char *s, fc_level *out);

/* Krippendorff's alpha via the coincidence matrix (Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"). Missing data is allowed:
 * questions with fewer than two answers are not pairable and are dropped.
 * Ordinal, interval and ratio need numeric answers; ratio also needs them
 * >= 0. Labels with the same number ("1", "1.0") are one value at those
 * levels. Cost: O(answers + distinct values²). */
int fc_agreement_alpha(const fc_answers *a, fc_level level, double *out, fc_err *err);

/* Fleiss' kappa (1971). Every question must have the same number (>= 2) of
 * answers; the raters need not be the same people. A question with a
 * different count is an error naming it — use alpha for unbalanced data. */
int fc_agreement_fleiss(const fc_answers *a, double *out, fc_err *err);

/* Cohen's kappa (1960) for exactly two workers. Questions that only one of
 * them answered are ignored. More or fewer than two workers is an error. */
int fc_agreement_cohen(const fc_answers *a, double *out, fc_err *err);

/* Krippendorff's alpha (nominal) for each label on its own: answers
 * recoded as "this label" or "another" — how reliably the label is told
 * apart from the rest. alpha[l] for label id l (array of a->n_labels,
 * caller-allocated); NaN when undefined (the label never or always used
 * among pairable answers). Equals fc_agreement_alpha when there are two
 * labels. */
int fc_agreement_alpha_per_label(const fc_answers *a, double *alpha, fc_err *err);

/* Agreement of one pair of workers over the questions both answered. */
typedef struct fc_pair_agreement {
	int32_t a, b;    /* worker ids, a < b */
	size_t common;   /* questions both answered */
	double observed; /* share of those with the same label */
	double kappa;    /* Cohen's kappa over them; NaN when undefined */
} fc_pair_agreement;

/* Every pair of workers with at least min_common questions in common, most
 * common questions first (then by ids). *out is malloc'd (caller frees).
 * Cost: O(sum over questions of answers²) time, and O(pairs × labels)
 * memory. */
int fc_agreement_pairs(const fc_answers *a, size_t min_common, fc_pair_agreement **out, size_t *n_out, fc_err *err);

#endif
