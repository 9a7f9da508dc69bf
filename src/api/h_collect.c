/* Data collection: media uploads and downloads, peer validation, votes,
 * the contributor's demographic profile. */
#include "account/profile.h"
#include "api/handlers.h"
#include "media/media.h"
#include "work/collect.h"
#include "work/peaks.h"

#include <stdlib.h>
#include <string.h>

size_t fc_api_body_limit(fc_req *r, size_t def)
{
	/* an upload's limit is its project's collect.max_bytes, known from the
	 * path before the body arrives, so an oversized file is refused early */
	if (r->route && !strcmp(r->route->name, "media_upload") && r->nparams > 0 && r->ids[0] > 0)
		return fc_collect_upload_limit(fc_store_of(r), r->ids[0], def);
	return def;
}

void h_media_upload(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	if (!r->spool_path || r->body_len == 0) {
		fc_reply_errorf(r, FC_EINVAL, "missing_body", NULL,
				"Send the recording or photo as the request body, with its media Content-Type.");
		return;
	}
	fc_err err = {0};
	json_t *out = NULL;
	int created = 1;
	fflush(r->spool);
	if (fc_collect_upload(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, r->spool_path,
			      r->spool_sha256[0] ? r->spool_sha256 : NULL, fc_req_header(r, "Content-Type"), &out,
			      &created, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, created ? 201 : 200, out);
}

ssize_t fc_api_file_read(void *ctx, char *buf, size_t max)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, max, f);
	if (n == 0 && ferror(f))
		return -1;
	return (ssize_t)n;
}

void fc_api_file_done(void *ctx) { fclose((FILE *)ctx); }

void fc_api_serve_blob(fc_req *r, fc_api_blob_open_fn open)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	fc_err err = {0};
	FILE *f = NULL;
	uint64_t size = 0;
	char mime[64] = "";
	if (open(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, &f, &size, mime, &err))
		fc_api_fail(r, &err);
	else
		fc_api_reply_media(r, f, size, mime);
}

void h_media_get(fc_req *r) { fc_api_serve_blob(r, fc_collect_media_open); }

void fc_api_reply_media(fc_req *r, FILE *f, uint64_t size, const char *mime)
{
	char len[32];
	/* one byte range (RFC 9110 14.2), so players can seek in long recordings */
	uint64_t from = 0, to = size ? size - 1 : 0;
	int ranged = fc_http_range(fc_req_header(r, "Range"), size, &from, &to);
	char cr[80];
	if (ranged < 0) {
		fclose(f);
		snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
		static const char body[] = "{\"error\":{\"code\":\"range_not_satisfiable\",\"message\":\"The range "
					   "starts past the end of the file.\",\"field\":\"Range\"}}";
		fc_reply_bytes(r, 416, "application/json", body, sizeof body - 1, 0);
		fc_reply_header(r, "Content-Range", cr);
		return;
	}
	fc_reply_file(r, ranged ? 206 : 200, mime, f, from, size ? to - from + 1 : 0);
	if (ranged) {
		snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)from, (unsigned long long)to,
			 (unsigned long long)size);
		fc_reply_header(r, "Content-Range", cr);
	}
	snprintf(len, sizeof len, "%llu", (unsigned long long)size);
	fc_reply_header(r, "X-Content-Length", len);
	fc_reply_header(r, "Accept-Ranges", "bytes");
	fc_reply_header(r, "Cache-Control", "private, max-age=3600");
}

void h_media_peaks(fc_req *r)
{
	int64_t id = fc_api_id(r, 0);
	if (id < 0)
		return;
	const char *q = fc_req_query(r, "n");
	long n = FC_PEAKS_DEFAULT;
	if (q) {
		char *end;
		n = strtol(q, &end, 10);
		if (!*q || *end)
			n = 0; /* refused below with the rule */
	}
	const char *format = fc_req_query(r, "format");
	if (format && strcmp(format, "json") && strcmp(format, "u8")) {
		fc_reply_errorf(r, FC_EINVAL, "invalid_value", "format", "format is json (the default) or u8.");
		return;
	}
	fc_err err = {0};
	if (format && !strcmp(format, "u8")) {
		/* one byte a peak (0..255): a fifteenth of the JSON, for long files */
		unsigned char *b = NULL;
		double duration = 0;
		const char *source = "";
		if (fc_media_peaks_u8(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, n, &b, &duration,
				      &source, &err)) {
			fc_api_fail(r, &err);
			return;
		}
		char d[40];
		snprintf(d, sizeof d, "%.3f", duration);
		fc_reply_bytes(r, 200, "application/octet-stream", b, (size_t)n, 1);
		free(b);
		fc_reply_header(r, "X-Duration-Seconds", d);
		fc_reply_header(r, "X-Peaks-Source", source);
	} else {
		json_t *out = NULL;
		if (fc_media_peaks(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, n, &out, &err)) {
			fc_api_fail(r, &err);
			return;
		}
		fc_reply_json(r, 200, out);
	}
	fc_reply_header(r, "Cache-Control", "private, max-age=3600");
}

void h_validation_next(fc_req *r) { fc_api_call_id(r, fc_collect_validation_next, 200 | FC_API_EMPTY_IS_204); }

void h_votes_create(fc_req *r) { fc_api_call_id_body(r, fc_collect_vote, 201); }

void h_profile_get(fc_req *r)
{
	fc_err err = {0};
	json_t *out = NULL;
	if (fc_profile_get(fc_store_of(r), fc_user_of(r), &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
}

void h_profile_patch(fc_req *r)
{
	fc_err err = {0};
	json_t *b = fc_json_parse(r->body.p, r->body.len, &err), *out = NULL;
	if (!b) {
		fc_api_fail(r, &err);
		return;
	}
	if (fc_profile_update(fc_store_of(r), fc_user_of(r), b, &out, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, 200, out);
	json_decref(b);
}
