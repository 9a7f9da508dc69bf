#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, n, "%s", src);
}

int fc_err_set(fc_err *err, int code, const char *slug, const char *field, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	copy(err->slug, sizeof err->slug, slug ? slug : fc_err_default_slug(code));
	copy(err->field, sizeof err->field, field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

int fc_err_add_detail(fc_err *err, const char *slug, const char *field, const char *fmt, ...)
{
	if (!err)
		return 0;
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!err->details)
		err->details = json_array();
	json_array_append_new(err->details, json_pack("{s:s,s:s,s:s?}", "code", slug, "message", msg, "field", field));
	return 0;
}

void fc_err_clear(fc_err *err)
{
	if (!err)
		return;
	json_decref(err->details);
	memset(err, 0, sizeof *err);
}

int fc_err_http_status(int code)
{
	switch (code) {
	case FC_EINVAL: return 400;
	case FC_EAUTH: return 401;
	case FC_EPERM: return 403;
	case FC_ENOTFOUND: return 404;
	case FC_ECONFLICT: return 409;
	case FC_ETOOBIG: return 413;
	case FC_ETYPE: return 415;
	case FC_ERULE: return 422;
	case FC_ERATE: return 429;
	case FC_EBUSY: return 503;
	case FC_ENOSPACE: return 507;
	default: return 500;
	}
}

const char *fc_err_default_slug(int code)
{
	switch (code) {
	case FC_EINVAL: return "invalid";
	case FC_EAUTH: return "unauthenticated";
	case FC_EPERM: return "forbidden";
	case FC_ENOTFOUND: return "not_found";
	case FC_ECONFLICT: return "conflict";
	case FC_ETOOBIG: return "too_large";
	case FC_ETYPE: return "unsupported_media_type";
	case FC_ERULE: return "rule_failed";
	case FC_ERATE: return "rate_limited";
	case FC_EBUSY: return "busy";
	case FC_ENOSPACE: return "insufficient_storage";
	default: return "internal";
	}
}

int fc_err_write(fc_err *err, int errnum, const char *what)
{
	if (errnum == ENOSPC || errnum == EDQUOT || errnum == EFBIG)
		return fc_err_set(err, FC_ENOSPACE, "insufficient_storage", NULL,
				  "The server has no room to store %s; try again later.", what);
	return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot store %s.", what);
}
