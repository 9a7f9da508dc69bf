#include "http/router.h"

#include <stdlib.h>
#include <string.h>

/* Matches one pattern. Parameters point into a copy kept in r->params. */
static int match(const char *pat, const char *path, fc_req *r)
{
	int np = 0;
	while (*pat && *path) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			const char *seg_end = strchr(path, '/');
			size_t len = seg_end ? (size_t)(seg_end - path) : strlen(path);
			if (!close || len == 0 || np >= FC_MAX_PARAMS)
				return 0;
			if (r) {
				char *v = strndup(path, len);
				if (!v)
					return 0;
				free((void *)r->params[np]);
				r->params[np] = v;
				char *end;
				long long id = strtoll(v, &end, 10);
				r->ids[np] = (*end || id < 0 || v[0] == '-' || v[0] == '+') ? -1 : id;
			}
			np++;
			pat = close + 1;
			path += len;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat || *path)
		return 0;
	if (r)
		r->nparams = np;
	return 1;
}

const fc_route *fc_router_match(const fc_route *routes, size_t n, const char *method, const char *path, fc_req *r,
				int *method_mismatch)
{
	*method_mismatch = 0;
	for (size_t i = 0; i < n; i++) {
		if (!match(routes[i].pattern, path, NULL))
			continue;
		if (strcmp(routes[i].method, method) && !(!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
			*method_mismatch = 1;
			continue;
		}
		match(routes[i].pattern, path, r);
		return &routes[i];
	}
	return NULL;
}
