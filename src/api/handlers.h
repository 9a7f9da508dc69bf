/* handlers.h — every route handler, grouped by file (routes.c lists them). */
#ifndef FC_API_HANDLERS_H
#define FC_API_HANDLERS_H

#include "api/app.h"

/* h_system.c */
void h_healthz(fc_req *r);
void h_metrics(fc_req *r);
void h_openapi(fc_req *r);
void h_static(fc_req *r);
void h_admin_clock(fc_req *r);

/* h_auth.c */
void h_register(fc_req *r);
void h_login(fc_req *r);
void h_logout(fc_req *r);
void h_me(fc_req *r);
void h_me_patch(fc_req *r);
void h_tokens_create(fc_req *r);
void h_tokens_list(fc_req *r);
void h_tokens_delete(fc_req *r);
void h_users_create(fc_req *r);
void h_users_patch(fc_req *r);
void h_users_list(fc_req *r);
void h_users_password_reset(fc_req *r);

/* h_projects.c */
void h_projects_create(fc_req *r);
void h_projects_list(fc_req *r);
void h_projects_get(fc_req *r);
void h_projects_patch(fc_req *r);
void h_projects_publish(fc_req *r);
void h_projects_pause(fc_req *r);
void h_projects_close(fc_req *r);
void h_projects_stats(fc_req *r);
void h_projects_fund(fc_req *r);
void h_consent_put(fc_req *r);
void h_consent_get(fc_req *r);
void h_consent_accept(fc_req *r);

/* h_manage.c */
void h_task_delete(fc_req *r);
void h_tasks_bulk(fc_req *r);
void h_submissions_list(fc_req *r);
void h_submissions_accept(fc_req *r);
void h_submissions_reject(fc_req *r);
void h_members_list(fc_req *r);
void h_members_add(fc_req *r);
void h_members_remove(fc_req *r);
void h_task_files_add(fc_req *r);
void h_task_file_get(fc_req *r);

/* h_markdown.c */
void h_markdown(fc_req *r);

/* h_tasks.c */
void h_tasks_import(fc_req *r);
void h_tasks_list(fc_req *r);
void h_tasks_get(fc_req *r);
void h_export(fc_req *r);
/* fc_reply_stream callbacks for an open FILE (h_collect.c): read it, fclose it. */
ssize_t fc_api_file_read(void *ctx, char *buf, size_t max);
void fc_api_file_done(void *ctx);
/* Sends an open media file (taken over) with one byte range honoured. */
void fc_api_reply_media(fc_req *r, FILE *f, uint64_t size, const char *mime);
/* GET of a stored blob by the path's id: opened by open (fc_collect_media_open,
 * fc_task_file_open: the row, who may read it, the bytes; work/blobs.h), then
 * sent by fc_api_reply_media with its MIME type and one byte range. */
typedef int (*fc_api_blob_open_fn)(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f,
				   uint64_t *size, char mime[64], fc_err *err);
void fc_api_serve_blob(fc_req *r, fc_api_blob_open_fn open);
void h_export_jobs_create(fc_req *r);
void h_export_jobs_list(fc_req *r);
void h_export_job_get(fc_req *r);
void h_export_job_download(fc_req *r);
void h_versions_create(fc_req *r);
void h_versions_list(fc_req *r);
void h_version_get(fc_req *r);
void h_version_download(fc_req *r);
void h_version_card(fc_req *r);
void h_version_croissant(fc_req *r);

/* h_work.c */
void h_assign_lease(fc_req *r);
void h_assign_submit(fc_req *r);
void h_assign_release(fc_req *r);
void h_my_submissions(fc_req *r);
void h_my_assignments(fc_req *r);
void h_my_earnings(fc_req *r);

/* h_review.c */
void h_review_next(fc_req *r);
void h_review_accept(fc_req *r);
void h_review_reject(fc_req *r);
void h_review_fix(fc_req *r);
void h_review_appeal(fc_req *r);
void h_review_decide(fc_req *r);
void h_review_appeals(fc_req *r);
void h_quality_labels(fc_req *r);
void h_quality_agreement(fc_req *r);

/* h_money.c */
void h_project_money(fc_req *r);
void h_project_bonus(fc_req *r);
void h_project_bonuses(fc_req *r);
void h_my_payouts_create(fc_req *r);
void h_my_payouts_list(fc_req *r);
void h_payout_batch(fc_req *r);
void h_payout_confirm(fc_req *r);
void h_payout_file(fc_req *r);
void h_payout_stats(fc_req *r);

/* h_collect.c */
void h_media_upload(fc_req *r);
void h_media_get(fc_req *r);
void h_media_peaks(fc_req *r);
void h_validation_next(fc_req *r);
void h_votes_create(fc_req *r);
void h_profile_get(fc_req *r);
void h_profile_patch(fc_req *r);

/* h_contrib.c */
void h_prefs_get(fc_req *r);
void h_prefs_put(fc_req *r);
void h_password_change(fc_req *r);

/* h_quality.c */
void h_quality_my(fc_req *r);
void h_qualification_result(fc_req *r);
void h_qualification_retake(fc_req *r);
void h_quality_contributors(fc_req *r);
void h_quality_unpause(fc_req *r);

/* h_uploads.c */
void h_uploads_options(fc_req *r);
void h_uploads_create(fc_req *r);
void h_uploads_head(fc_req *r);
void h_uploads_patch(fc_req *r);
void h_uploads_delete(fc_req *r);
void h_uploads_attach(fc_req *r);

/* h_privacy.c */
void h_consent_withdraw(fc_req *r);
void h_me_data(fc_req *r);
void h_admin_audit(fc_req *r);
void h_blocks_create(fc_req *r);
void h_blocks_list(fc_req *r);
void h_block_appeal(fc_req *r);
void h_block_decide(fc_req *r);
void h_me_blocks(fc_req *r);
void h_me_identity_submit(fc_req *r);
void h_me_identity(fc_req *r);
void h_admin_identity_next(fc_req *r);
void h_identity_decide(fc_req *r);
void h_me_delete(fc_req *r);

/* h_storage.c */
void h_storage_create(fc_req *r);
void h_storage_list(fc_req *r);
void h_storage_update(fc_req *r);
void h_storage_delete(fc_req *r);
void h_storage_sync_all(fc_req *r);
void h_storage_sync(fc_req *r);
void h_storage_object_get(fc_req *r);
/* h_webhooks.c */
void h_webhooks_create(fc_req *r);
void h_webhooks_list(fc_req *r);
void h_webhooks_delete(fc_req *r);
void h_webhooks_deliveries(fc_req *r);
void h_webhooks_test(fc_req *r);
/* h_ml.c */
void h_ml_attach(fc_req *r);
void h_ml_status(fc_req *r);
void h_ml_detach(fc_req *r);
void h_ml_predict(fc_req *r);
void h_ml_interactive(fc_req *r);

/* contributor's side: history, notifications, reset, reports, transparency */
void h_history(fc_req *r);
void h_signing_key(fc_req *r);
void h_notifications(fc_req *r);
void h_notifications_read(fc_req *r);
void h_password_reset(fc_req *r);
void h_password_reset_confirm(fc_req *r);
void h_task_report(fc_req *r);
void h_project_reports(fc_req *r);
void h_transparency(fc_req *r);
void h_messages_send(fc_req *r);
void h_project_messages(fc_req *r);
void h_my_messages(fc_req *r);
void h_wages_get(fc_req *r);
void h_wages_put(fc_req *r);
void h_rates_put(fc_req *r);

#endif
