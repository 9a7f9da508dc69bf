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
void h_users_create(fc_req *r);
void h_users_patch(fc_req *r);

#endif
