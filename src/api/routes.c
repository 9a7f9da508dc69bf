/* The route table: every endpoint in one place (docs/openapi.json lists the
 * same set; tests/api/test_system.c checks that they agree). */
#include "api/app.h"
#include "api/handlers.h"

#define KB 1024
#define MB (1024 * 1024)

const fc_route fc_routes[] = {
	/* operations */
	{"GET", "/healthz", h_healthz, FC_AUTH_NONE, FC_BODY_NONE, 0, "healthz"},
	{"GET", "/metrics", h_metrics, FC_AUTH_NONE, FC_BODY_NONE, 0, "metrics"},
	{"GET", "/api/v1/openapi.json", h_openapi, FC_AUTH_NONE, FC_BODY_NONE, 0, "openapi"},
	{"POST", "/api/v1/admin/clock", h_admin_clock, FC_AUTH_ADMIN, FC_BODY_JSON, 0, "admin_clock"},
	/* accounts */
	{"POST", "/api/v1/auth/register", h_register, FC_AUTH_NONE, FC_BODY_JSON, 0, "register"},
	{"POST", "/api/v1/auth/login", h_login, FC_AUTH_NONE, FC_BODY_JSON, 0, "login"},
	{"POST", "/api/v1/auth/logout", h_logout, FC_AUTH_USER, FC_BODY_NONE, 0, "logout"},
	{"GET", "/api/v1/me", h_me, FC_AUTH_USER, FC_BODY_NONE, 0, "me"},
	{"POST", "/api/v1/tokens", h_tokens_create, FC_AUTH_USER, FC_BODY_JSON, 0, "tokens_create"},
	{"GET", "/api/v1/tokens", h_tokens_list, FC_AUTH_USER, FC_BODY_NONE, 0, "tokens_list"},
	{"DELETE", "/api/v1/tokens/{id}", h_tokens_delete, FC_AUTH_USER, FC_BODY_NONE, 0, "tokens_delete"},
	{"POST", "/api/v1/users", h_users_create, FC_AUTH_ADMIN, FC_BODY_JSON, 0, "users_create"},
	{"GET", "/api/v1/users", h_users_list, FC_AUTH_ADMIN, FC_BODY_NONE, 0, "users_list"},
	{"PATCH", "/api/v1/users/{id}", h_users_patch, FC_AUTH_ADMIN, FC_BODY_JSON, 0, "users_patch"},
	/* projects */
	{"POST", "/api/v1/projects", h_projects_create, FC_AUTH_USER, FC_BODY_JSON, 0, "projects_create"},
	{"GET", "/api/v1/projects", h_projects_list, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_list"},
	{"GET", "/api/v1/projects/{id}", h_projects_get, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_get"},
	{"PATCH", "/api/v1/projects/{id}", h_projects_patch, FC_AUTH_USER, FC_BODY_JSON, 0, "projects_patch"},
	{"POST", "/api/v1/projects/{id}/publish", h_projects_publish, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_publish"},
	{"POST", "/api/v1/projects/{id}/pause", h_projects_pause, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_pause"},
	{"POST", "/api/v1/projects/{id}/close", h_projects_close, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_close"},
	{"POST", "/api/v1/projects/{id}/members", h_projects_members, FC_AUTH_USER, FC_BODY_JSON, 0, "projects_members"},
	{"GET", "/api/v1/projects/{id}/stats", h_projects_stats, FC_AUTH_USER, FC_BODY_NONE, 0, "projects_stats"},
	{"POST", "/api/v1/projects/{id}/fund", h_projects_fund, FC_AUTH_USER | FC_IDEMPOTENT, FC_BODY_JSON, 0,
	 "projects_fund"},
	{"PUT", "/api/v1/projects/{id}/consent", h_consent_put, FC_AUTH_USER, FC_BODY_JSON, 0, "consent_put"},
	{"GET", "/api/v1/projects/{id}/consent", h_consent_get, FC_AUTH_USER, FC_BODY_NONE, 0, "consent_get"},
	{"POST", "/api/v1/projects/{id}/consent/accept", h_consent_accept, FC_AUTH_USER, FC_BODY_JSON, 0,
	 "consent_accept"},
	{"POST", "/api/v1/markdown", h_markdown, FC_AUTH_USER, FC_BODY_JSON, 1 * MB, "markdown_preview"},
	/* tasks */
	{"POST", "/api/v1/projects/{id}/tasks", h_tasks_import, FC_AUTH_USER | FC_IDEMPOTENT, FC_BODY_SPOOL, 0,
	 "tasks_import"},
	{"GET", "/api/v1/projects/{id}/tasks", h_tasks_list, FC_AUTH_USER, FC_BODY_NONE, 0, "tasks_list"},
	{"GET", "/api/v1/tasks/{id}", h_tasks_get, FC_AUTH_USER, FC_BODY_NONE, 0, "tasks_get"},
	{"GET", "/api/v1/projects/{id}/export", h_export, FC_AUTH_USER, FC_BODY_NONE, 0, "export"},
	/* work */
	{"POST", "/api/v1/projects/{id}/assignments", h_assign_lease, FC_AUTH_USER, FC_BODY_NONE, 0, "assign_lease"},
	{"POST", "/api/v1/assignments/{id}/submit", h_assign_submit, FC_AUTH_USER | FC_IDEMPOTENT, FC_BODY_JSON, 0,
	 "assign_submit"},
	{"POST", "/api/v1/assignments/{id}/release", h_assign_release, FC_AUTH_USER, FC_BODY_NONE, 0, "assign_release"},
	{"GET", "/api/v1/me/submissions", h_my_submissions, FC_AUTH_USER, FC_BODY_NONE, 0, "my_submissions"},
	/* data collection (h_collect.c): the upload limit is lowered per project by fc_api_body_limit */
	{"POST", "/api/v1/assignments/{id}/media", h_media_upload, FC_AUTH_USER, FC_BODY_SPOOL, (size_t)2048 * MB,
	 "media_upload"},
	{"GET", "/api/v1/media/{id}", h_media_get, FC_AUTH_USER, FC_BODY_NONE, 0, "media_get"},
	{"GET", "/api/v1/media/{id}/peaks", h_media_peaks, FC_AUTH_USER, FC_BODY_NONE, 0, "media_peaks"},
	{"GET", "/api/v1/projects/{id}/validations/next", h_validation_next, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "validations_next"},
	{"POST", "/api/v1/submissions/{id}/votes", h_votes_create, FC_AUTH_USER, FC_BODY_JSON, 0, "votes_create"},
	{"GET", "/api/v1/me/profile", h_profile_get, FC_AUTH_USER, FC_BODY_NONE, 0, "profile_get"},
	{"PATCH", "/api/v1/me/profile", h_profile_patch, FC_AUTH_USER, FC_BODY_JSON, 0, "profile_patch"},
	/* the contributor's limits, notifications and password (h_contrib.c) */
	{"GET", "/api/v1/me/preferences", h_prefs_get, FC_AUTH_USER, FC_BODY_NONE, 0, "prefs_get"},
	{"PUT", "/api/v1/me/preferences", h_prefs_put, FC_AUTH_USER, FC_BODY_JSON, 0, "prefs_put"},
	{"POST", "/api/v1/me/password", h_password_change, FC_AUTH_USER, FC_BODY_JSON, 0, "password_change"},
	/* review and quality */
	{"GET", "/api/v1/projects/{id}/review/next", h_review_next, FC_AUTH_USER, FC_BODY_NONE, 0, "review_next"},
	{"POST", "/api/v1/submissions/{id}/accept", h_review_accept, FC_AUTH_USER, FC_BODY_NONE, 0, "review_accept"},
	{"POST", "/api/v1/submissions/{id}/reject", h_review_reject, FC_AUTH_USER, FC_BODY_JSON, 0, "review_reject"},
	{"POST", "/api/v1/submissions/{id}/fix", h_review_fix, FC_AUTH_USER, FC_BODY_JSON, 0, "review_fix"},
	{"POST", "/api/v1/submissions/{id}/appeal", h_review_appeal, FC_AUTH_USER, FC_BODY_JSON, 0, "review_appeal"},
	{"POST", "/api/v1/appeals/{id}/decide", h_review_decide, FC_AUTH_USER, FC_BODY_JSON, 0, "appeal_decide"},
	{"GET", "/api/v1/projects/{id}/appeals", h_review_appeals, FC_AUTH_USER, FC_BODY_NONE, 0, "appeals_list"},
	{"GET", "/api/v1/projects/{id}/labels", h_quality_labels, FC_AUTH_USER, FC_BODY_NONE, 0, "quality_labels"},
	{"GET", "/api/v1/projects/{id}/agreement", h_quality_agreement, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "quality_agreement"},
	{"GET", "/api/v1/me/earnings", h_my_earnings, FC_AUTH_USER, FC_BODY_NONE, 0, "my_earnings"},
	/* money */
	{"GET", "/api/v1/projects/{id}/money", h_project_money, FC_AUTH_USER, FC_BODY_NONE, 0, "project_money"},
	{"POST", "/api/v1/projects/{id}/bonuses", h_project_bonus, FC_AUTH_USER | FC_IDEMPOTENT, FC_BODY_JSON, 0,
	 "project_bonus"},
	{"POST", "/api/v1/me/payouts", h_my_payouts_create, FC_AUTH_USER | FC_IDEMPOTENT, FC_BODY_JSON, 0,
	 "payouts_create"},
	{"GET", "/api/v1/me/payouts", h_my_payouts_list, FC_AUTH_USER, FC_BODY_NONE, 0, "payouts_list"},
	{"POST", "/api/v1/admin/payouts/batch", h_payout_batch, FC_AUTH_ADMIN, FC_BODY_NONE, 0, "payouts_batch"},
	{"POST", "/api/v1/admin/payouts/batch/{id}/confirm", h_payout_confirm, FC_AUTH_ADMIN, FC_BODY_NONE, 0,
	 "payouts_confirm"},
	{"GET", "/api/v1/admin/payouts/stats", h_payout_stats, FC_AUTH_ADMIN, FC_BODY_NONE, 0, "payouts_stats"},
	/* contributor quality (h_quality.c) */
	{"GET", "/api/v1/projects/{id}/my-quality", h_quality_my, FC_AUTH_USER, FC_BODY_NONE, 0, "quality_my"},
	{"GET", "/api/v1/projects/{id}/qualification/result", h_qualification_result, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "qualification_result"},
	{"POST", "/api/v1/projects/{id}/qualification/retake", h_qualification_retake, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "qualification_retake"},
	{"GET", "/api/v1/projects/{id}/contributors", h_quality_contributors, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "quality_contributors"},
	{"POST", "/api/v1/projects/{id}/contributors/{user_id}/unpause", h_quality_unpause, FC_AUTH_USER, FC_BODY_NONE,
	 0, "quality_unpause"},
	/* webhooks, delivered from the outbox (h_webhooks.c) */
	{"POST", "/api/v1/projects/{id}/webhooks", h_webhooks_create, FC_AUTH_USER, FC_BODY_JSON, 0, "webhooks_create"},
	{"GET", "/api/v1/projects/{id}/webhooks", h_webhooks_list, FC_AUTH_USER, FC_BODY_NONE, 0, "webhooks_list"},
	{"DELETE", "/api/v1/projects/{id}/webhooks/{webhook_id}", h_webhooks_delete, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "webhooks_delete"},
	{"GET", "/api/v1/projects/{id}/webhooks/{webhook_id}/deliveries", h_webhooks_deliveries, FC_AUTH_USER,
	 FC_BODY_NONE, 0, "webhooks_deliveries"},
	/* privacy (h_privacy.c) */
	{"POST", "/api/v1/projects/{id}/consent/withdraw", h_consent_withdraw, FC_AUTH_USER, FC_BODY_NONE, 0,
	 "consent_withdraw"},
	{"GET", "/api/v1/me/data", h_me_data, FC_AUTH_USER, FC_BODY_NONE, 0, "me_data"},
	{"GET", "/api/v1/admin/audit", h_admin_audit, FC_AUTH_ADMIN, FC_BODY_NONE, 0, "admin_audit"},
	/* resumable uploads (tus 1.0) */
	{"OPTIONS", "/api/v1/uploads", h_uploads_options, FC_AUTH_NONE, FC_BODY_NONE, 0, "uploads_options"},
	{"POST", "/api/v1/uploads", h_uploads_create, FC_AUTH_USER, FC_BODY_NONE, 0, "uploads_create"},
	{"HEAD", "/api/v1/uploads/{id}", h_uploads_head, FC_AUTH_USER, FC_BODY_NONE, 0, "uploads_head"},
	{"PATCH", "/api/v1/uploads/{id}", h_uploads_patch, FC_AUTH_USER, FC_BODY_SPOOL, 0, "uploads_patch"},
	{"DELETE", "/api/v1/uploads/{id}", h_uploads_delete, FC_AUTH_USER, FC_BODY_NONE, 0, "uploads_delete"},
	{"POST", "/api/v1/uploads/{id}/attach", h_uploads_attach, FC_AUTH_USER, FC_BODY_JSON, 0, "uploads_attach"},
};

const size_t fc_routes_count = sizeof fc_routes / sizeof fc_routes[0];
