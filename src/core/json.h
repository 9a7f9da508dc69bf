/* json.h — validating request objects against a field list.
 *
 * API.md: unknown fields → 400 unknown_field; wrong type → 400 invalid_type;
 * missing required → 400 missing_field. Each names the field. */
#ifndef FC_CORE_JSON_H
#define FC_CORE_JSON_H

#include "core/err.h"
#include <jansson.h>
#include <stdint.h>

enum {
	FC_J_STRING = 1,
	FC_J_INT,
	FC_J_NUMBER,
	FC_J_BOOL,
	FC_J_OBJECT,
	FC_J_ARRAY,
	FC_J_ANY,
	FC_J_TIME, /* RFC 3339 string */
};
#define FC_J_REQUIRED 0x100
#define FC_J_NULLABLE 0x200

typedef struct fc_field {
	const char *name;
	int spec; /* FC_J_* | flags */
} fc_field;

/* Checks that obj is an object, has no field outside `fields` (NULL-name
 * terminated), every required field is present and every present field has
 * its type. Returns 0 or FC_EINVAL with err naming the field. */
int fc_json_check(const json_t *obj, const fc_field *fields, fc_err *err);

/* Parses body[0..len) as JSON. Returns a new reference or NULL with err set
 * (400 invalid_json with line and column). */
json_t *fc_json_parse(const char *body, size_t len, fc_err *err);

/* How many containers deep v nests (a scalar 0, [] and [1] 1, [[1]] 2),
 * counted no further than limit + 1: a hostile document costs no more. */
int fc_json_depth(const json_t *v, int limit);

/* Accessors that tolerate absence: return def when missing or null. */
const char *fc_json_str(const json_t *obj, const char *key, const char *def);
int64_t fc_json_int(const json_t *obj, const char *key, int64_t def);
double fc_json_num(const json_t *obj, const char *key, double def);

#endif
