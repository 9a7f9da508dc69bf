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
	{"POST", "/api/v1/users", h_users_create, FC_AUTH_ADMIN, FC_BODY_JSON, 0, "users_create"},
	{"PATCH", "/api/v1/users/{id}", h_users_patch, FC_AUTH_ADMIN, FC_BODY_JSON, 0, "users_patch"},
};

const size_t fc_routes_count = sizeof fc_routes / sizeof fc_routes[0];
