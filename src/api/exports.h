/* exports.h — one export stream whatever its format, for GET
 * /projects/{id}/export and `faircrowd export`. It picks the module that
 * writes the format (work/ for jsonl, formats/ for cv and the dataset
 * formats) and hands formats/ the project's labelling config as work/
 * describes it, so no domain module needs another's header. */
#ifndef FC_API_EXPORTS_H
#define FC_API_EXPORTS_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <sys/types.h>

typedef struct fc_export_stream {
	ssize_t (*read)(void *ctx, char *buf, size_t max); /* bytes, 0 at the end, -1 on failure */
	void (*close)(void *ctx);
	int64_t (*rows)(void *ctx); /* tasks written so far; NULL when the format does not count them */
	void *ctx;
	const char *content_type;
	char filename[96]; /* project-ID.EXT */
	char warning[256]; /* what the format leaves out (fc_dataset_warning), or "" */
} fc_export_stream;

/* The options of API.md's "Datasets out"; NULL means the default. */
typedef struct fc_export_request {
	const char *format; /* jsonl (default), json, csv, coco, yolo, voc, conll, cv */
	const char *status; /* accepted (default: accepted and auto_accepted) or all */
	const char *labels; /* raw (default) or aggregated (dataset formats) */
	const char *method; /* labels=aggregated: mv, ds, ods, median, boxes, spans, text; NULL: by format */
	int64_t version;    /* a dataset version's items (dataset formats only); 0: the project now */
	const char *split;  /* with version: one split; NULL for all */
	int interpolate;    /* interpolate_key_frames=1: video tracks on every frame */
	int shard_size;     /* webdataset: samples per shard; 0 for the default (1000) */
} fc_export_request;

/* Opens the stream into *out (close it with out->close(out->ctx)). 400
 * naming the option for an unknown format, status or labels; 404/403 as the
 * project's access says; 422 when the format does not fit the project's
 * config. */
int fc_export_stream_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t project_id,
			  const fc_export_request *req, fc_export_stream *out, fc_err *err);
/* The same without the audit record: an export job is audited once, when
 * it is queued, and opens its stream later with this. */
int fc_export_stream_prepare(fc_store *s, const char *data_dir, const fc_user *user, int64_t pid,
			     const fc_export_request *req, fc_export_stream *out, fc_err *err);

/* labels=aggregated: quality's aggregate of the project (method, or the
 * format's default: boxes for coco/yolo/voc, spans for conll, else mv) as
 * fc_ds_opts.aggregated wants it, into *out (aggregated.c). */
int fc_export_aggregated(fc_store *s, const fc_user *user, int64_t pid, const json_t *config, const char *format,
			 const char *method, json_t **out, fc_err *err);

#endif
