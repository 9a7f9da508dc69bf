/* Export streams: the format table of work/, formats/commonvoice and
 * formats/dataset behind one open call. See exports.h. */
#include "api/exports.h"
#include "core/json.h"
#include "formats/commonvoice.h"
#include "formats/dataset.h"
#include "privacy/audit.h"
#include "work/configcache.h"
#include "work/export.h"
#include "work/project.h"

#include <stdio.h>
#include <string.h>

static ssize_t jsonl_read(void *ctx, char *buf, size_t max) { return fc_export_read(ctx, buf, max); }
static int64_t jsonl_rows(void *ctx) { return fc_export_rows(ctx); }
static void jsonl_close(void *ctx) { fc_export_close(ctx); }
static ssize_t cv_read(void *ctx, char *buf, size_t max) { return fc_cv_export_read(ctx, buf, max); }
static void cv_close(void *ctx) { fc_cv_export_close(ctx); }
static ssize_t ds_read(void *ctx, char *buf, size_t max) { return fc_dataset_read(ctx, buf, max); }
static void ds_close(void *ctx) { fc_dataset_close(ctx); }
static int64_t ds_rows(void *ctx) { return fc_dataset_rows(ctx); }

/* The project's labelling config as fc_labelconfig_describe gives it, or
 * NULL (with *out NULL) for a project without one. */
static int project_config(fc_store *s, const fc_user *user, int64_t pid, json_t **out, fc_err *err)
{
	*out = NULL;
	json_t *project = NULL;
	int rc = fc_project_get(s, user, pid, &project, err);
	const char *xml = rc ? NULL : fc_json_str(project, "label_config", NULL);
	if (xml && *xml) {
		const fc_labelconfig *lc = fc_configcache_get(xml, err);
		if (!lc)
			rc = err->code ? err->code : FC_EINVAL;
		else if (!(*out = fc_labelconfig_describe(lc)))
			rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		fc_configcache_put(lc);
	}
	json_decref(project);
	return rc;
}

int fc_export_stream_prepare(fc_store *s, const char *data_dir, const fc_user *user, int64_t pid,
			     const fc_export_request *req, fc_export_stream *out, fc_err *err)
{
	const char *format = req->format ? req->format : "jsonl";
	memset(out, 0, sizeof *out);
	const fc_ds_format *f = fc_ds_find(format);
	if (!f && strcmp(format, "jsonl") && strcmp(format, "cv")) {
		char names[256];
		return fc_err_set(err, FC_EINVAL, "invalid_format", "format",
				  "Unknown export format '%.40s'; use one of jsonl, %s, cv.", format,
				  fc_ds_names(names, sizeof names));
	}
	if (req->status && strcmp(req->status, "accepted") && strcmp(req->status, "all"))
		return fc_err_set(err, FC_EINVAL, "invalid_status", "status",
				  "status must be 'accepted' (accepted and auto-accepted work, the default) or 'all'.");
	int aggregated = req->labels && !strcmp(req->labels, "aggregated");
	if (req->labels && strcmp(req->labels, "raw") && !aggregated)
		return fc_err_set(err, FC_EINVAL, "invalid_labels", "labels",
				  "labels must be 'raw' (every kept judgment) or 'aggregated' (one label per task with its "
				  "confidence).");
	if (aggregated && !f)
		return fc_err_set(err, FC_EINVAL, "invalid_labels", "labels",
				  "labels=aggregated is for the dataset formats (%s); %s keeps every judgment.",
				  fc_ds_names((char[256]){0}, 256), format);
	int rc;
	if (req->version && !f)
		return fc_err_set(err, FC_EINVAL, "invalid_format", "format",
				  "A dataset version is written in one of the dataset formats: %s.",
				  fc_ds_names((char[256]){0}, 256));
	if (!strcmp(format, "jsonl")) {
		fc_export *x;
		if ((rc = fc_export_open(s, user, pid, "jsonl", &x, err)))
			return rc;
		char salt[40];
		if ((rc = fc_ds_salt(s, pid, salt, err))) { /* after the access check of fc_export_open */
			fc_export_close(x);
			return rc;
		}
		fc_export_set_salt(x, salt);
		*out = (fc_export_stream){jsonl_read, jsonl_close, jsonl_rows, x, "application/x-ndjson", "", ""};
		snprintf(out->filename, sizeof out->filename, "project-%lld.jsonl", (long long)pid);
		return 0;
	}
	if (!strcmp(format, "cv")) {
		fc_cv_export *x;
		if ((rc = fc_cv_export_open(s, data_dir, user, pid, &x, err)))
			return rc;
		*out = (fc_export_stream){cv_read, cv_close, NULL, x, "application/x-tar", "", ""};
		snprintf(out->filename, sizeof out->filename, "project-%lld-cv.tar", (long long)pid);
		return 0;
	}
	json_t *config;
	if ((rc = project_config(s, user, pid, &config, err)))
		return rc;
	fc_ds_opts opts = {.all_statuses = req->status && !strcmp(req->status, "all"),
			   .version = req->version,
			   .split = req->split,
			   .interpolate = req->interpolate,
			   .shard_size = req->shard_size,
			   .data_dir = data_dir};
	json_t *agg = NULL;
	if (aggregated && !(rc = f->check ? f->check(config, err) : 0) &&
	    !(rc = fc_export_aggregated(s, user, pid, config, f->name, req->method, &agg, err)))
		opts.aggregated = agg;
	fc_dataset *d = NULL;
	if (!rc)
		rc = fc_dataset_open(s, user, pid, f, config, &opts, &d, err);
	json_decref(agg);
	json_decref(config);
	if (rc)
		return rc;
	*out = (fc_export_stream){ds_read, ds_close, ds_rows, d, f->content_type, "", ""};
	snprintf(out->filename, sizeof out->filename, "project-%lld-%s.%s", (long long)pid, f->name, f->extension);
	snprintf(out->warning, sizeof out->warning, "%s", fc_dataset_warning(d) ?: "");
	return 0;
}

/* An export hands the dataset out of the platform: it is audited. The row
 * is written once the stream is open (the caller may export) and before a
 * byte is sent; an export whose record cannot be written is refused. No
 * domain event carries it because no domain module writes anything for it. */
int fc_export_stream_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t pid,
			  const fc_export_request *req, fc_export_stream *out, fc_err *err)
{
	int rc = fc_export_stream_prepare(s, data_dir, user, pid, req, out, err);
	if (rc)
		return rc;
	char target[48];
	snprintf(target, sizeof target, "project:%lld", (long long)pid);
	json_t *details = json_pack("{s:s,s:s}", "format", req->format ? req->format : "jsonl", "status",
				    req->status ? req->status : "accepted");
	rc = details ? fc_audit_record(s, user->id, "project.export", target, details, err)
		     : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	json_decref(details);
	if (rc)
		out->close(out->ctx);
	return rc;
}
