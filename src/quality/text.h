/* text.h — aggregating free-text answers (transcriptions).
 *
 * The medoid: the answer whose word-level edit distance to all the others
 * is smallest in sum — an answer someone actually gave, never a blend.
 * Words are split on whitespace and compared case-insensitively (ASCII);
 * the distance between two answers is the Levenshtein distance over words
 * divided by the longer answer's word count (0 = same words, 1 = nothing
 * in common). Ties go to the earliest answer. Confidence = 1 − the
 * medoid's mean distance to the others (1 for a single answer or for
 * answers that all agree). */
#ifndef FC_QUALITY_TEXT_H
#define FC_QUALITY_TEXT_H

#include "core/err.h"
#include <stddef.h>

/* Normalised word distance between two answers, in [0, 1]. -1 when out of
 * memory. */
double fc_text_distance(const char *a, const char *b);

/* Picks the medoid of texts[0..n): *best is its index. FC_EINVAL for n == 0,
 * FC_ENOMEM. */
int fc_text_medoid(const char *const *texts, size_t n, size_t *best, double *confidence, fc_err *err);

#endif
