/* aggregate.h — turning several workers' answers into one label per question.
 *
 * Categorical methods (every answer is a label; see answers.h):
 *  - majority vote: the most frequent label; ties go to the lowest label id,
 *    i.e. the smallest label (numerically when all labels are numbers,
 *    bytewise otherwise). Confidence = the winner's share of the votes.
 *  - Dawid-Skene (1979): EM over a full confusion matrix per worker and class
 *    priors, started from the majority-vote shares. Confidence = posterior
 *    probability of the chosen label.
 *  - one-coin Dawid-Skene: each worker is right with one probability p and
 *    otherwise picks uniformly among the other labels. Same confidence.
 * All methods are deterministic: the same answers give the same output.
 *
 * Non-categorical: numbers by median, boxes by IoU clustering (spans too, as
 * boxes of height 1: see quality/project.c); transcriptions: quality/text.h. */
#ifndef FC_QUALITY_AGGREGATE_H
#define FC_QUALITY_AGGREGATE_H

#include "core/err.h"
#include "quality/answers.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fc_aggregate {
	size_t n_questions;
	int32_t *label;     /* [n_questions] label id; NULL for median */
	double *value;      /* [n_questions] aggregated number; median only */
	double *confidence; /* [n_questions] in [0, 1] */
	size_t n_workers;
	double *worker_quality; /* [n_workers] estimated accuracy (DS: prior-weighted
				   diagonal of the confusion matrix; one-coin: p; MV:
				   share of the worker's answers that match the
				   majority); NULL for median */
	size_t n_labels;        /* K, the size of a confusion row (DS only) */
	double *confusion;      /* DS only: [n_workers × K × K], P(worker answers l |
				   true class k) at w*K*K + k*K + l, estimated from
				   the final posteriors with the smoothing */
	double *confusion_n;    /* DS only: [n_workers × K], expected number of the
				   worker's answers whose true class is k: the
				   evidence behind row k */
	int iterations;         /* EM iterations run; 0 for MV and median */
	int converged;          /* EM stopped on tolerance rather than the cap */
} fc_aggregate;

/* Releases the arrays (not r itself) and zeroes r. */
void fc_aggregate_free(fc_aggregate *r);

typedef struct fc_em_opts {
	int max_iterations; /* hard cap on EM rounds */
	double tolerance;   /* stop when no posterior moves by more than this */
	double smoothing;   /* pseudo-count added to every confusion cell and prior */
} fc_em_opts;

/* The defaults: 100 iterations, tolerance 1e-6, smoothing 0.01. */
fc_em_opts fc_em_defaults(void);

/* Each fills *out (caller frees with fc_aggregate_free) from a finished
 * answer set. opts may be NULL for the defaults. Errors: FC_EINVAL for an
 * unfinished set or bad options, FC_ENOMEM. */
int fc_aggregate_mv(const fc_answers *a, fc_aggregate *out, fc_err *err);
int fc_aggregate_ds(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);
int fc_aggregate_one_coin(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);

/* Median of each question's numeric answers (the mean of the two middle
 * values for an even count). Confidence = share of the question's answers
 * within tolerance (absolute, >= 0) of the median. FC_EINVAL when a label is
 * not a number. Fills value and confidence only. */
int fc_aggregate_median(const fc_answers *a, double tolerance, fc_aggregate *out, fc_err *err);

/* ---- boxes ---------------------------------------------------------------
 * One item's rectangles from several workers (x, y = top-left corner, w, h
 * >= 0). Clustering is greedy in input order: each box joins the existing
 * cluster whose mean box overlaps it most with IoU >= threshold and that has
 * no box from the same worker yet, or else starts a new cluster. */
typedef struct fc_box {
	double x, y, w, h;
	int32_t worker; /* any id; only compared for equality */
} fc_box;

typedef struct fc_box_cluster {
	fc_box box; /* mean of the members; worker = -1 */
	size_t members;
	double support; /* members / n_workers: share of the workers who drew it */
} fc_box_cluster;

/* n_workers counts every worker who looked at the item, including those who
 * drew nothing, so support is the share of votes for "there is a box here".
 * On success *clusters (caller frees with free()) holds *n_clusters entries
 * sorted by support, highest first, then by first appearance. FC_EINVAL for
 * a negative size, threshold outside (0, 1] or n_workers smaller than the
 * number of distinct workers in boxes. */
int fc_aggregate_boxes(const fc_box *boxes, size_t n, size_t n_workers, double threshold, fc_box_cluster **clusters,
		       size_t *n_clusters, fc_err *err);

/* Intersection over union of two boxes; 0 when both are empty. */
double fc_box_iou(const fc_box *a, const fc_box *b);

#endif
