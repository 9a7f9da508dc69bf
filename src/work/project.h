/* project.h — projects: fields, validation, visibility, lifecycle, members,
 * consent documents, statistics. */
#ifndef FC_WORK_PROJECT_H
#define FC_WORK_PROJECT_H

#include "access/access.h"
#include "account/account.h"
#include "store/store.h"
#include <jansson.h>

/* Validates body (the POST /projects fields) and creates a draft project.
 * *out receives the project's JSON (new reference). */
int fc_project_create(fc_store *s, const fc_user *user, const json_t *body, json_t **out, fc_err *err);
/* Owner-only partial update with the same rules. */
int fc_project_update(fc_store *s, const fc_user *user, int64_t id, const json_t *body, json_t **out, fc_err *err);
int fc_project_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err);
/* Requesters: their own; admins: all; contributors: live, eligible ones
 * with measured pay. Cursor pagination by id. */
int fc_project_list(fc_store *s, const fc_user *user, int limit, int64_t after, json_t **out, fc_err *err);
/* action: "publish", "pause" or "close". */
int fc_project_transition(fc_store *s, const fc_user *user, int64_t id, const char *action, json_t **out, fc_err *err);
int fc_project_add_member(fc_store *s, const fc_user *user, int64_t id, int64_t member_id, const char *role,
			  json_t **out, fc_err *err);
int fc_project_stats(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err);

int fc_consent_put(fc_store *s, const fc_user *user, int64_t id, const char *text, const char *version, json_t **out,
		   fc_err *err);
int fc_consent_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err);
int fc_consent_accept(fc_store *s, const fc_user *user, int64_t id, const char *version, json_t **out, fc_err *err);

/* Timed submissions a project needs before its hourly figure is shown. */
#define FC_HOURLY_MIN_MEASURED 10

/* 0 when user_id meets the eligibility object (countries, languages,
 * qualifications, verified); FC_EPERM not_eligible naming what is missing,
 * or identity_not_verified when the project wants verified contributors. */
int fc_project_eligible(fc_db *db, int64_t user_id, const json_t *eligibility, fc_err *err);

/* The project's JSON from a row of PROJECT_COLUMNS (internal, shared with
 * the assignment module). */
#define FC_PROJECT_COLUMNS \
	"p.id,p.owner_id,p.kind,p.title,p.instructions,p.label_config,p.collect,p.reward," \
	"p.currency,p.overlap,p.lease_seconds,p.opens_at,p.closes_at,p.max_per_contributor," \
	"p.gold_rate,p.review_rate,p.auto_approve_days,p.reject_reasons,p.eligibility,p.status," \
	"p.task_count,p.consent_version,p.created_at,p.updated_at," \
	"p.gold_threshold,p.gold_min_answers,p.confidence_threshold,p.max_overlap,p.qualification,p.retention_days,p.closed_at,p.task_order"
json_t *fc_project_row_json(fc_stmt *st);

#endif
