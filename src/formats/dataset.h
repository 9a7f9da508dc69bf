/* dataset.h — a project's labels in the formats training jobs read (Label
 * Studio JSON, CSV, COCO, YOLO, Pascal VOC, CoNLL), streamed.
 *
 * One read transaction (a consistent snapshot) walks the project's tasks
 * with their kept submissions, one task at a time; each format is a writer
 * (one file, formats/<name>.c) that turns a task into bytes, and the stream
 * hands those bytes out a buffer at a time, so memory does not grow with the
 * project. Zip formats build one file per call into a buffer and the driver
 * adds it to the archive (libarchive) as it goes. Adding a format is one
 * writer file plus one row in the table of dataset.c.
 *
 * Contributors appear only as worker_id: hex SHA-256 of the project's secret
 * salt and the user id (the Common Voice export's client_id), the same person
 * across rows and formats of one project, unlinkable across projects. */
#ifndef FC_FORMATS_DATASET_H
#define FC_FORMATS_DATASET_H

#include "account/account.h"
#include "core/buf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <sys/types.h>

/* A kept submission. Borrowed by the writer for one call. */
typedef struct fc_ds_ann {
	int64_t id;
	char worker_id[65];
	json_t *result;
	double lead_time;
	char status[16];
	int64_t created_at;
	double confidence; /* labels=aggregated: the aggregate's confidence; -1 for a judgment */
} fc_ds_ann;

/* A task and its kept submissions (in submission order; n may be 0). */
typedef struct fc_ds_task {
	int64_t id;
	json_t *data, *predictions, *gold; /* gold NULL for a normal task */
	json_t *meta;                      /* Label Studio's task meta, NULL when none */
	size_t n;
	fc_ds_ann *anns;
} fc_ds_task;

typedef struct fc_ds_ctx {
	/* The project's labelling config as fc_labelconfig_describe() gives it
	 * ({"objects":[…],"controls":[…]}), or NULL for a collection project. */
	const json_t *config;
	int64_t project_id;
	/* Bytes the writer produces: the stream itself, or for zip formats the
	 * file that fc_ds_emit_file then adds to the archive. */
	fc_buf *out;
	void *state;     /* the format's state_size bytes, zeroed at the start */
	void *driver;    /* the driver's, for fc_ds_emit_file */
	int interpolate; /* interpolate_key_frames=1: video tracks on every frame between keyframes */
	int shard_size;  /* webdataset: samples per shard (1000 when 0) */
} fc_ds_ctx;

typedef struct fc_ds_format {
	const char *name, *content_type, *extension;
	int zip;    /* files in an archive, each ended with fc_ds_emit_file: 1 a zip, FC_DS_TAR a tar */
	int passes; /* how many times the tasks are walked (COCO: images, then annotations) */
	/* 1 + the pass in which the writer reads nothing of the results but
	 * their image size (fc_ds_image_size; COCO's images): the driver then
	 * parses only as much of each result as that needs. 0: none. */
	int sizes_pass;
	size_t state_size;
	/* 0 when the project's config has what the format needs, else FC_ERULE
	 * naming the control the format wants. NULL: any project. */
	int (*check)(const json_t *config, fc_err *err);
	int (*begin)(fc_ds_ctx *c);                               /* NULL allowed */
	int (*task)(fc_ds_ctx *c, const fc_ds_task *t, int pass); /* pass counts from 0 */
	int (*end)(fc_ds_ctx *c);                                 /* NULL allowed */
	void (*free)(void *state);                                /* NULL allowed */
	/* The mask controls (of brushlabels, brush, bitmasklabels, bitmask)
	 * whose results the format has no place for, NULL-terminated; NULL:
	 * none. When the config has such a control the export says it leaves
	 * them out (fc_dataset_warning, and a WARNINGS.txt first in an archive)
	 * rather than dropping them silently. */
	const char *const *drops;
} fc_ds_format;

/* The format called name, or NULL. */
const fc_ds_format *fc_ds_find(const char *name);
/* "json, csv, coco, …" — the names of every format in the table, into out;
 * returns out. */
const char *fc_ds_names(char *out, size_t n);

#define FC_DS_TAR 2

/* Zip formats: adds c->out as the file `name` and empties c->out. */
int fc_ds_emit_file(fc_ds_ctx *c, const char *name);

/* The bytes of a media URL of this platform ("/api/v1/media/ID") when the
 * file belongs to a project the exporting user owns: 0 with *f open (the
 * caller closes it), its size and extension ("jpg", no dot); FC_ENOTFOUND
 * for any other URL (an outside link is not fetched), another error when
 * the blob store fails. */
int fc_ds_media_open(fc_ds_ctx *c, const char *url, FILE **f, uint64_t *size, char ext[16]);

/* Appends t as one Label Studio task object {id, data, predictions, gold?,
 * meta?, annotations:[…]} (lsjson.c; the webdataset samples' JSON too). */
int fc_ds_task_json(fc_buf *b, const fc_ds_task *t);

/* The project's pseudonym salt, made on first use (no access check: the
 * caller has made it). */
int fc_ds_salt(fc_store *s, int64_t project_id, char salt[40], fc_err *err);
/* The hex pseudonym of user_id under the project's salt (65 bytes with NUL). */
void fc_ds_worker_id(const char *salt, int64_t user_id, char out[65]);

typedef struct fc_ds_opts {
	int all_statuses;  /* 0: accepted and auto_accepted only */
	int64_t version;   /* a dataset version's frozen items instead of the project now (status then ignored) */
	const char *split; /* with version: "train", "dev", "test"; NULL or "" for all */
	/* labels=aggregated: {"<task id>": {"result":[…], "confidence"}} (the
	 * api layer builds it from quality's aggregate); each task then has one
	 * annotation, worker_id "aggregate", status "aggregated", or none. */
	const json_t *aggregated;
	int interpolate;      /* interpolate_key_frames=1 */
	int shard_size;       /* webdataset: samples per shard, 0 for the default */
	const char *data_dir; /* the blob store of media files (webdataset); NULL: none is read */
} fc_ds_opts;

typedef struct fc_dataset fc_dataset;

/* Owner only (FC_ENOTFOUND / FC_EPERM otherwise); FC_ERULE when the config
 * (the stream keeps a reference; NULL for none) does not fit the format. *out is owned by the
 * caller: fc_dataset_close. */
int fc_dataset_open(fc_store *s, const fc_user *user, int64_t project_id, const fc_ds_format *f, const json_t *config,
		    const fc_ds_opts *opts, fc_dataset **out, fc_err *err);
/* Fills buf; bytes written, 0 at the end, -1 on failure. */
ssize_t fc_dataset_read(fc_dataset *d, char *buf, size_t max);
/* Every mask control type: the drops of a format without masks. */
extern const char *const FC_DS_ALL_MASKS[];
/* What the export leaves out that the project has ("This yolo export has
 * no place for the masks of "bm": …"), or NULL. Valid until fc_dataset_close. */
const char *fc_dataset_warning(const fc_dataset *d);
/* Tasks written so far (a multi-pass format counts each task once). */
int64_t fc_dataset_rows(const fc_dataset *d);
void fc_dataset_close(fc_dataset *d);

/* Helpers the writers share (regions.c). */
/* Appends v with at most 4 decimals and no trailing zeros ("64", "12.5"). */
int fc_ds_num(fc_buf *b, double v);
/* Appends j as compact JSON (keys in their stored order). */
int fc_ds_json(fc_buf *b, const json_t *j);
/* The controls of the config whose type is one of types (NULL-terminated),
 * in config order; a new array. */
json_t *fc_ds_controls(const json_t *config, const char *const *types);
/* 0 when the config has a control of one of types; else FC_ERULE
 * "format_unfit" naming the format and `wanted` (the controls it needs). */
int fc_ds_require(const json_t *config, const char *const *types, const char *format, const char *wanted, fc_err *err);
/* The first control of one of types (a new reference) or NULL. */
json_t *fc_ds_first_control(const json_t *config, const char *const *types);
/* The task data value the control's first target object reads (e.g. the
 * image URL), or NULL. */
const char *fc_ds_object_value(const json_t *config, const json_t *control, const json_t *data);
/* The file name of a media URL: its last path segment without query, with
 * (keep_ext) or without its extension, reduced to [A-Za-z0-9._-]; "task-ID"
 * when nothing is left. */
void fc_ds_file_stem(const char *url, int64_t task_id, int keep_ext, char *out, size_t n);
/* Axis-aligned box in pixels of a Label Studio rectangle value (percent,
 * rotated by value.rotation degrees about its top-left corner). */
void fc_ds_box_px(const json_t *value, double w, double h, double box[4]);
/* original_width/original_height of the first region of the task's
 * submissions that has them; 0 when none does. */
void fc_ds_image_size(const fc_ds_task *t, double *w, double *h);
/* Box and polygon labels of the config in order, each name once (the class
 * list of COCO, YOLO and VOC); a new array of strings. */
json_t *fc_ds_class_names(const json_t *config);
/* The task's conversation for the config's first Chat object (its name in
 * *name when name is not NULL): the non-empty messages array, or NULL. */
const json_t *fc_ds_chat_messages(const json_t *config, const json_t *data, const char **name);
/* The brush mask of a brushlabels/brush result item: decoded from Label
 * Studio's RLE at the item's original_width × original_height (else iw ×
 * ih), 1 where painted, 0 elsewhere. A bitmasklabels/bitmask item's PNG
 * (value.imageDataURL) is decoded at the PNG's size: painted where its
 * alpha is at least 128 (or, without alpha, its grey level). 0 with *mask (the caller frees it),
 * *w and *h; FC_ENOTFOUND when the item has no RLE or no usable size (over
 * 100 million pixels counts as none); FC_ENOMEM. */
int fc_ds_brush_mask(const json_t *item, double iw, double ih, uint8_t **mask, size_t *w, size_t *h);
/* Index of name in an array of strings, or -1. */
int fc_ds_index_of(const json_t *names, const char *name);

#endif
