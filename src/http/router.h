/* router.h — matching a method and path against a static route table. */
#ifndef FC_HTTP_ROUTER_H
#define FC_HTTP_ROUTER_H

#include "http/server.h"

/* Finds the route for method+path, filling r->params/ids/nparams.
 * Returns the route, or NULL; sets *method_mismatch when the path exists
 * under another method (so the caller can answer 405). */
const fc_route *fc_router_match(const fc_route *routes, size_t n, const char *method, const char *path, fc_req *r,
				int *method_mismatch);

#endif
