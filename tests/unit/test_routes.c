/* docs/openapi.json must describe exactly the routes the server has. */
#include "api/app.h"
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(routes, openapi_matches_route_table)
{
	const char *dir = getenv("FC_SOURCE_DIR");
	cr_assert(dir, "FC_SOURCE_DIR is not set");
	char path[1024];
	snprintf(path, sizeof path, "%s/docs/openapi.json", dir);
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	cr_assert(doc, "%s: %s", path, je.text);
	json_t *paths = json_object_get(doc, "paths");
	size_t ops = 0;
	const char *k;
	json_t *v;
	json_object_foreach(paths, k, v)
		ops += json_object_size(v);
	for (size_t i = 0; i < fc_routes_count; i++) {
		char m[8];
		size_t j = 0;
		for (; fc_routes[i].method[j] && j < 7; j++)
			m[j] = (char)tolower((unsigned char)fc_routes[i].method[j]);
		m[j] = 0;
		cr_expect(json_object_get(json_object_get(paths, fc_routes[i].pattern), m),
			  "%s %s is missing from docs/openapi.json (run tools/gen-openapi.py)", fc_routes[i].method,
			  fc_routes[i].pattern);
	}
	cr_expect_eq(ops, fc_routes_count, "openapi.json has %zu operations, the server %zu", ops, fc_routes_count);
	json_decref(doc);
}

Test(routes, names_are_unique_and_patterns_valid)
{
	for (size_t i = 0; i < fc_routes_count; i++) {
		cr_expect(fc_routes[i].pattern[0] == '/', "%s", fc_routes[i].pattern);
		for (size_t j = i + 1; j < fc_routes_count; j++) {
			cr_expect(strcmp(fc_routes[i].name, fc_routes[j].name), "duplicate route name %s",
				  fc_routes[i].name);
			cr_expect(strcmp(fc_routes[i].pattern, fc_routes[j].pattern) ||
					  strcmp(fc_routes[i].method, fc_routes[j].method),
				  "duplicate route %s %s", fc_routes[i].method, fc_routes[i].pattern);
		}
	}
}
