/* Resumable uploads over tus 1.0 (core protocol, creation and termination). */
#include "api/handlers.h"
#include "work/collect.h"
#include "work/uploads.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUS_VERSION "1.0.0"

static void tus_headers(fc_req *r)
{
	fc_reply_header(r, "Tus-Resumable", TUS_VERSION);
	fc_reply_header(r, "Cache-Control", "no-store");
}

/* tus requires the protocol header on every request but OPTIONS: 412. */
static int tus_ok(fc_req *r)
{
	const char *v = fc_req_header(r, "Tus-Resumable");
	if (v && !strcmp(v, TUS_VERSION))
		return 1;
	fc_reply_errorf(r, FC_EINVAL, "tus_version", "Tus-Resumable", "Send 'Tus-Resumable: " TUS_VERSION "'.");
	r->status = 412;
	fc_reply_header(r, "Tus-Version", TUS_VERSION);
	return 0;
}

/* Upload ids are 43 URL-safe base64 characters. */
static const char *upload_id(fc_req *r)
{
	const char *id = r->nparams ? r->params[0] : NULL;
	size_t n = id ? strlen(id) : 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
			n = 0;
	if (n != 43) {
		fc_reply_errorf(r, FC_ENOTFOUND, "not_found", NULL, "No such upload.");
		return NULL;
	}
	return id;
}

static int parse_int_header(fc_req *r, const char *name, int64_t *out)
{
	const char *v = fc_req_header(r, name);
	char *end;
	long long x = v ? strtoll(v, &end, 10) : -1;
	if (!v || !*v || *end || x < 0) {
		fc_reply_errorf(r, FC_EINVAL, "invalid_header", name, "Send %s as a non-negative integer.", name);
		return -1;
	}
	*out = x;
	return 0;
}

void h_uploads_options(fc_req *r)
{
	fc_reply_empty(r, 204);
	fc_reply_header(r, "Tus-Resumable", TUS_VERSION);
	fc_reply_header(r, "Tus-Version", TUS_VERSION);
	fc_reply_header(r, "Tus-Extension", "creation,termination");
	char max[32];
	snprintf(max, sizeof max, "%lld", (long long)FC_UPLOAD_MAX);
	fc_reply_header(r, "Tus-Max-Size", max);
}

void h_uploads_create(fc_req *r)
{
	int64_t length;
	if (!tus_ok(r) || parse_int_header(r, "Upload-Length", &length))
		return;
	fc_err err = {0};
	json_t *meta = NULL;
	fc_upload u;
	if (fc_upload_parse_metadata(fc_req_header(r, "Upload-Metadata"), &meta, &err) ||
	    fc_upload_create(fc_store_of(r), fc_user_of(r), length, meta, &u, &err)) {
		json_decref(meta);
		fc_api_fail(r, &err);
		tus_headers(r);
		return;
	}
	json_decref(meta);
	char loc[128];
	snprintf(loc, sizeof loc, "/api/v1/uploads/%s", u.id);
	fc_reply_json(r, 201,
		      json_pack("{s:s,s:I,s:I,s:s}", "id", u.id, "length", (json_int_t)u.length, "offset",
				(json_int_t)0, "location", loc));
	fc_reply_header(r, "Location", loc);
	fc_reply_header(r, "Upload-Offset", "0");
	tus_headers(r);
	fc_upload_clear(&u);
}

void h_uploads_head(fc_req *r)
{
	const char *id = upload_id(r);
	if (!id || !tus_ok(r))
		return;
	fc_err err = {0};
	fc_upload u;
	if (fc_upload_get(fc_store_of(r), fc_user_of(r), id, &u, &err)) {
		fc_api_fail(r, &err);
		tus_headers(r);
		return;
	}
	char off[32], len[32];
	snprintf(off, sizeof off, "%lld", (long long)u.offset);
	snprintf(len, sizeof len, "%lld", (long long)u.length);
	fc_reply_empty(r, 200);
	fc_reply_header(r, "Upload-Offset", off);
	fc_reply_header(r, "Upload-Length", len);
	tus_headers(r);
	fc_upload_clear(&u);
}

void h_uploads_patch(fc_req *r)
{
	const char *id = upload_id(r);
	int64_t offset;
	if (!id || !tus_ok(r))
		return;
	const char *ct = fc_req_header(r, "Content-Type");
	if (!ct || strncmp(ct, "application/offset+octet-stream", 31)) {
		fc_reply_errorf(r, FC_ETYPE, "unsupported_media_type", NULL,
				"Send the bytes as application/offset+octet-stream.");
		tus_headers(r);
		return;
	}
	if (parse_int_header(r, "Upload-Offset", &offset))
		return;
	fc_err err = {0};
	int64_t now_at = 0;
	if (fc_upload_append(fc_store_of(r), fc_user_of(r), id, offset, r->spool, r->body_len, &now_at, &err)) {
		fc_api_fail(r, &err);
		tus_headers(r);
		return;
	}
	char off[32];
	snprintf(off, sizeof off, "%lld", (long long)now_at);
	fc_reply_empty(r, 204);
	fc_reply_header(r, "Upload-Offset", off);
	tus_headers(r);
}

void h_uploads_delete(fc_req *r)
{
	const char *id = upload_id(r);
	if (!id || !tus_ok(r))
		return;
	fc_err err = {0};
	if (fc_upload_remove(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, &err))
		fc_api_fail(r, &err);
	else
		fc_reply_empty(r, 204);
	tus_headers(r);
}

/* A complete upload becomes an assignment's media, through the same
 * checks as POST /assignments/{id}/media. */
void h_uploads_attach(fc_req *r)
{
	const char *id = upload_id(r);
	if (!id)
		return;
	static const fc_field F[] = {{"assignment_id", FC_J_INT | FC_J_REQUIRED}, {0}};
	json_t *b = fc_api_body(r, F), *out = NULL;
	if (!b)
		return;
	fc_err err = {0};
	fc_upload u = {0};
	char path[1200], sha[65];
	int created = 1;
	int rc = fc_upload_file(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, path, sizeof path, sha, &u,
				&err);
	if (!rc)
		rc = fc_collect_upload(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r),
				       fc_json_int(b, "assignment_id", 0), path, sha,
				       fc_json_str(u.metadata, "filetype", NULL), &out, &created, &err);
	if (!rc) /* the blob store holds the bytes now */
		fc_upload_remove(fc_store_of(r), fc_app_of(r)->data_dir, fc_user_of(r), id, NULL);
	fc_upload_clear(&u);
	json_decref(b);
	if (rc)
		fc_api_fail(r, &err);
	else
		fc_reply_json(r, created ? 201 : 200, out);
}
