/* em.h — helpers shared by the EM aggregation methods (aggregate.c,
 * glad.c, ebcc.c, autopick.c); private to src/quality. */
#ifndef FC_QUALITY_EM_H
#define FC_QUALITY_EM_H

#include "quality/aggregate.h"

/* log of a probability that may be exactly 0: a large finite penalty keeps
 * the E-step free of inf - inf. */
double fc_em_log(double p);

/* malloc for n elements that never asks for 0 bytes and refuses sizes that
 * overflow. */
void *fc_em_array(size_t n, size_t size);

/* FC_EINVAL for an unfinished answer set or bad options. */
int fc_em_check(const fc_answers *a, const fc_em_opts *o, fc_err *err);

/* Zeroes *out and allocates label, confidence and worker_quality. */
int fc_em_result(fc_aggregate *out, const fc_answers *a, fc_err *err);

/* Majority vote into out; shares (optional, [n_questions × n_labels]) gets
 * each question's vote shares, the usual EM start. */
int fc_em_majority(const fc_answers *a, fc_aggregate *out, double *shares, fc_err *err);

/* Class priors (as logs) from the posteriors T with pseudo-count s. */
void fc_em_priors(const double *T, size_t nq, size_t K, double s, double *log_prior);

/* Unnormalised log posteriors lp → probabilities in row; returns the largest
 * change of any entry. lp is clobbered. */
double fc_em_normalise(double *lp, double *row, size_t K);

/* label and confidence from the posteriors T; ties to the lowest label. */
void fc_em_pick(const double *T, size_t nq, size_t K, fc_aggregate *out);

/* End of an EM round: 1 (and out->converged set) when the largest
 * posterior change delta is within the tolerance. */
int fc_em_converged(fc_aggregate *out, double delta, const fc_em_opts *o);

/* After the loop: records the rounds run and the method, picks the labels
 * from T and hands T over to out->posterior. */
void fc_em_finish(fc_aggregate *out, fc_method m, int iterations, double *T, size_t nq, size_t K);

/* --method auto's choice among n candidates, the first being the default
 * (Dawid-Skene): ll[c] is candidate c's total held-out score, perq[c * nq +
 * q] its share from question q, failed[c] set when it could not be fitted.
 * The default stays unless another candidate's total beats it by more than
 * FC_EM_SIGNIFICANCE standard errors of the paired per-question difference
 * (questions are the independent units: their answers share one label);
 * of those that do, the highest total wins. With the default failed, the
 * highest total of the others. */
#define FC_EM_SIGNIFICANCE 2.0
size_t fc_em_auto_choose(const double *ll, const int *failed, const double *perq, size_t n_candidates, size_t nq);

#endif
