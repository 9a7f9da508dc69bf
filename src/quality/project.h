/* project.h — quality figures for a project's submissions: aggregated
 * labels and agreement, computed from the stored results. Categorical
 * answers are taken from the first Choices / Rating / Pairwise value of
 * each result (the control named by ?control= when given). */
#ifndef FC_QUALITY_PROJECT_H
#define FC_QUALITY_PROJECT_H

#include "account/account.h"
#include "store/store.h"

/* method "mv" | "ds" | "ods" | "median" | "text" | "boxes" | "spans" (see
 * docs/quality.md). *out {method, control, items:[{task_id, label | value |
 * regions, confidence, judgments}]} */
int fc_quality_labels(fc_store *s, const fc_user *user, int64_t project, const char *method, const char *control,
		      json_t **out, fc_err *err);
/* *out {control, alpha_nominal, fleiss_kappa|null, cohen_kappa|null,
 * judgments, tasks, contributors}; with detail also per_label (alpha of
 * each label against the rest), pairs and pairs_total (contributor pairs:
 * see fc_agreement_pairs) — left out of the project stats, as pairs cost
 * O(sum of judgments² per task). */
int fc_quality_agreement(fc_store *s, const fc_user *user, int64_t project, const char *control, int detail,
			 json_t **out, fc_err *err);
/* Pairwise IoU of regions (boxes or spans; the first region control or the
 * named one): {method:"iou", control, kind, mean_iou, comparisons,
 * per_label:[{label, mean_iou, comparisons}], pairs:[{a, b, tasks,
 * mean_iou}], pairs_total}. See docs/quality.md. */
int fc_quality_agreement_iou(fc_store *s, const fc_user *user, int64_t project, const char *control, json_t **out,
			     fc_err *err);

#endif
