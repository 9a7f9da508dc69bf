/* gold.h — gold answers: their accepted formats, scoring a submitted result
 * against them, and the Wilson interval for an accuracy.
 *
 * A task's gold (tasks.gold, set at import) is accepted in two forms:
 *  1. a Label Studio result array, as a submission would carry it:
 *       [{"from_name":"label","to_name":"text","type":"choices",
 *         "value":{"choices":["yes"]}}]
 *  2. a shorthand object, control name → answer:
 *       {"label":"yes"}            single choice, or pairwise "left"/"right"
 *       {"tags":["a","b"]}         multiple choices (order does not matter)
 *       {"stars":4}                rating or number
 *       {"box":{"boxes":[{"x":10,"y":20,"width":30,"height":40,"label":"car"}]}}
 *       {"ner":{"spans":[{"start":0,"end":5,"label":"PER"}]}}
 * Scored answers are categorical — choices, rating, number, pairwise
 * (value.selected), single-line textarea (value.text with one string) —
 * and regions: rectangles (value x, y, width, height with any *labels
 * list) and text spans (value start, end). A submission is correct when,
 * for every control in the gold, its answer for that control equals the
 * gold one: categorical answers exactly (choices as a set, numbers by
 * value; a single string — a text answer — by its words, ignoring case
 * and spacing); regions when they pair up one to one with the gold regions,
 * same label and IoU >= FC_GOLD_MIN_IOU (spans: IoU of the character
 * ranges), with none left over on either side. An empty region list is
 * gold too ("nothing to mark here"). Polygons and keypoints are not scored.
 *
 * Both forms normalise to one shape, {"control": answer}, where answer is
 * a string, a sorted array of two or more strings, a number (an integer
 * when it has no fraction), {"boxes":[{label,x,y,width,height}]} or
 * {"spans":[{label,start,end}]}. That shape is also what the API shows as
 * "your_answer" and "correct_answer". */
#ifndef FC_QUALITY_GOLD_H
#define FC_QUALITY_GOLD_H

#include "core/err.h"
#include <jansson.h>
#include <stdint.h>

/* The overlap a region needs with its gold region to count as the same. */
#define FC_GOLD_MIN_IOU 0.5

/* The label of a region's value: the first string of any "*labels" list
 * (rectanglelabels, labels, ...), else its "label", else "" (an unlabelled
 * region still has a place). */
const char *fc_gold_region_label(const json_t *value);

/* Normalises a gold answer. On success *out (a new reference) is a
 * non-empty object; FC_EINVAL naming the problem otherwise. */
int fc_gold_normalize(const json_t *gold, json_t **out, fc_err *err);

/* The answers of a Label Studio result array in the normalised shape.
 * only: when non-NULL, keep just the controls named in this object's keys
 * (regions included), and give json null for those the result does not
 * answer (an empty region list for region controls). With only NULL, just
 * the categorical answers. Returns a new reference. */
json_t *fc_gold_answers_of(const json_t *result, const json_t *only);

/* 1 when every control of expected has an equal answer in given. */
int fc_gold_equal(const json_t *expected, const json_t *given);

/* The categorical answer of a result as one comparable string (for
 * majority votes): the normalised answers of every control, or of `control`
 * only when non-NULL, as compact JSON with sorted keys. Returns a malloc'd
 * string the caller frees, or NULL when the result answers nothing. */
char *fc_gold_answer_key(const json_t *result, const char *control);

/* Wilson score interval (95%) for `correct` successes out of n trials.
 * n == 0 gives [0, 1]. */
void fc_wilson(int64_t correct, int64_t n, double *low, double *high);

#endif
