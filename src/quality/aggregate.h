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
 *  - GLAD (Whitehill et al., NIPS 2009): worker ability alpha_w (negative for
 *    a worker who answers against the truth) times item easiness beta_q > 0;
 *    a worker is right with probability sigmoid(alpha_w * beta_q), else picks
 *    uniformly among the other labels (glad.c).
 *  - MACE (Hovy et al., NAACL 2013): each worker spams with probability
 *    theta_w, answering from its own label distribution xi_w, and otherwise
 *    answers the truth (glad.c).
 *  - EBCC (Li, Rubinstein and Cohn, ICML 2019): every true class splits into
 *    subtypes shared by all workers, each worker has one confusion matrix per
 *    (class, subtype), so workers who err together on one kind of item are
 *    modelled as correlated; variational Bayes with Dirichlet priors (ebcc.c).
 *  - auto: fits ds, ods, glad, mace and ebcc on 4/5 of the answers and
 *    scores each one's labels by the log-likelihood of the held-out fifth
 *    under one answer model for all (per-worker confusion counts against the
 *    candidate's labels; 5 folds, every answer held out once, every question
 *    keeps one answer); keeps ds unless another beats it by more than two
 *    standard errors over questions, and refits the choice on all answers
 *    (autopick.c). Never looks at ground truth.
 * All methods are deterministic: the same answers give the same output (EBCC
 * breaks the symmetry of subtypes with a fixed-seed generator).
 *
 * Non-categorical: numbers by median, boxes by IoU clustering (spans too, as
 * boxes of height 1: see quality/project.c); transcriptions: quality/text.h. */
#ifndef FC_QUALITY_AGGREGATE_H
#define FC_QUALITY_AGGREGATE_H

#include "core/err.h"
#include "quality/answers.h"

#include <stddef.h>
#include <stdint.h>

typedef enum fc_method {
	FC_METHOD_MV,
	FC_METHOD_DS,
	FC_METHOD_ODS,
	FC_METHOD_GLAD,
	FC_METHOD_MACE,
	FC_METHOD_EBCC,
	FC_METHOD_AUTO,
	FC_METHOD_COUNT
} fc_method;

/* "mv", "ds", "ods", "glad", "mace", "ebcc", "auto" and back; parse returns
 * -1 for anything else. */
int fc_method_parse(const char *name);
const char *fc_method_name(fc_method m);

typedef struct fc_aggregate {
	size_t n_questions;
	int32_t *label;     /* [n_questions] label id; NULL for median */
	double *value;      /* [n_questions] aggregated number; median only */
	double *confidence; /* [n_questions] in [0, 1] */
	size_t n_workers;
	double *worker_quality;        /* [n_workers] estimated accuracy (DS: prior-weighted
				   diagonal of the confusion matrix; one-coin: p; MV:
				   share of the worker's answers that match the
				   majority); NULL for median */
	size_t n_labels;               /* K labels (categorical methods) */
	double *confusion;             /* DS only: [n_workers × K × K], P(worker answers l |
				   true class k) at w*K*K + k*K + l, estimated from
				   the final posteriors with the smoothing */
	double *confusion_n;           /* DS only: [n_workers × K], expected number of the
				   worker's answers whose true class is k: the
				   evidence behind row k */
	double smoothing;              /* DS: the smoothing the confusion rows carry */
	int iterations;                /* EM iterations run; 0 for MV and median */
	int converged;                 /* EM stopped on tolerance rather than the cap */
	fc_method method;              /* the method that produced it (auto: the one chosen) */
	double *posterior;             /* EM methods: [n_questions × n_labels] P(true class) */
	double *ability;               /* GLAD: [n_workers] alpha_w */
	double *easiness;              /* GLAD: [n_questions] beta_q */
	size_t n_subtypes;             /* EBCC: M subtypes per class */
	double *sub_posterior;         /* EBCC: [n_questions × K × M] q(class, subtype) */
	double *sub_confusion;         /* EBCC: [n_workers × K × M × K] expected P(answer l |
				   class k, subtype m) */
	double score[FC_METHOD_COUNT]; /* auto: held-out log-likelihood per answer
				   of each candidate's labels; NaN when not tried */
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
int fc_aggregate_glad(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);
int fc_aggregate_mace(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);
int fc_aggregate_ebcc(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);
int fc_aggregate_auto(const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);

/* Any categorical method by enum (FC_METHOD_MV … FC_METHOD_AUTO). */
int fc_aggregate_run(fc_method m, const fc_answers *a, const fc_em_opts *opts, fc_aggregate *out, fc_err *err);

/* P(worker w gives label l to question q | the fitted model and the other
 * answers the model saw): sum over classes of posterior × the method's
 * answer model. For DS, one-coin, GLAD, MACE and EBCC results; 1/K for MV.
 * DS rows are read as the posterior predictive under a Dirichlet(1) prior,
 * (expected count + 1) / (evidence + K), like EBCC's.
 * (auto scores labels instead: autopick.c.) */
double fc_aggregate_answer_prob(const fc_aggregate *r, size_t q, int32_t w, int32_t l);

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
