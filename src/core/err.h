/* err.h — error codes and the user-facing error record.
 *
 * Every fallible function returns 0 on success or a negative FC_E* code and,
 * when given a non-NULL fc_err, fills it with a message meant for a person.
 * The HTTP layer maps codes to statuses (fc_err_http_status) and renders the
 * API.md error shape {"error":{"code","message","field","details"}}. */
#ifndef FC_CORE_ERR_H
#define FC_CORE_ERR_H

#include <jansson.h>

enum {
	FC_OK = 0,
	FC_EINVAL = -1,    /* 400 malformed or invalid input */
	FC_EAUTH = -2,     /* 401 not signed in */
	FC_EPERM = -3,     /* 403 signed in but not allowed */
	FC_ENOTFOUND = -4, /* 404 missing or not visible */
	FC_ECONFLICT = -5, /* 409 conflicts with current state */
	FC_ETOOBIG = -6,   /* 413 */
	FC_ETYPE = -7,     /* 415 wrong content type */
	FC_ERULE = -8,     /* 422 well-formed but breaks a rule */
	FC_ERATE = -9,     /* 429 */
	FC_EIO = -10,      /* 500 I/O or library failure */
	FC_ENOMEM = -11,   /* 500 */
	FC_EDB = -12,      /* 500 database failure */
	FC_EBUSY = -13,    /* 503 */
	FC_ENOSPACE = -14, /* 507 the disk, a quota or a file size limit is full */
};

typedef struct fc_err {
	int code;        /* one of FC_E*, 0 when unset */
	char slug[48];   /* snake_case machine code, e.g. "unknown_field" */
	char field[96];  /* offending field or "" */
	char msg[320];   /* one sentence for a person */
	json_t *details; /* optional array of {code,message,field}; owned */
} fc_err;

/* Fills err (if non-NULL) and returns code. field may be NULL. */
int fc_err_set(fc_err *err, int code, const char *slug, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Appends one entry to err->details (creating the array). Returns 0. */
int fc_err_add_detail(fc_err *err, const char *slug, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fc_err_clear(fc_err *err);
int fc_err_http_status(int code);
/* After a failed write with errno errnum: FC_ENOSPACE (507
 * insufficient_storage) when storage ran out (ENOSPC, EDQUOT, EFBIG), so the
 * client is not told its data is too large or the server is broken;
 * otherwise FC_EIO. `what` names the data: "the upload". */
int fc_err_write(fc_err *err, int errnum, const char *what);
/* Default slug for a code, e.g. "not_found". */
const char *fc_err_default_slug(int code);

#endif
