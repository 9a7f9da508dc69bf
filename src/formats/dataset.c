/* The dataset export driver: the format table, the task walk, the zip. See
 * dataset.h. */
#include "formats/dataset.h"
#include "access/access.h"
#include "access/pseudonym.h"
#include "blob/blob.h"
#include "core/crypto.h"

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each defined in its own file. */
extern const fc_ds_format fc_ds_lsjson, fc_ds_csv, fc_ds_coco, fc_ds_yolo, fc_ds_voc, fc_ds_conll, fc_ds_dpo,
	fc_ds_chat, fc_ds_mot, fc_ds_webdataset, fc_ds_yolo_pose, fc_ds_brush_png;

static const fc_ds_format *const FORMATS[] = {
	&fc_ds_lsjson, &fc_ds_csv,  &fc_ds_coco, &fc_ds_yolo,       &fc_ds_voc,       &fc_ds_conll,
	&fc_ds_dpo,    &fc_ds_chat, &fc_ds_mot,  &fc_ds_webdataset, &fc_ds_yolo_pose, &fc_ds_brush_png,
};
#define N_FORMATS (sizeof FORMATS / sizeof FORMATS[0])

const fc_ds_format *fc_ds_find(const char *name)
{
	for (size_t i = 0; name && i < N_FORMATS; i++)
		if (!strcmp(FORMATS[i]->name, name))
			return FORMATS[i];
	return NULL;
}

const char *fc_ds_names(char *out, size_t n)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < N_FORMATS && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", FORMATS[i]->name);
	return out;
}

void fc_ds_worker_id(const char *salt, int64_t user_id, char out[65]) { fc_pseudonym(salt, user_id, out); }

enum { PH_BEGIN, PH_ROWS, PH_END, PH_DONE };

struct fc_dataset {
	const fc_ds_format *f;
	fc_ds_ctx c;
	fc_db *db;
	fc_stmt *st;
	int has_row; /* st is on a row not yet consumed */
	int pass, phase, all_statuses;
	int64_t version; /* 0: the project as it is now */
	char split[16];  /* with version: one split, "" for all */
	int64_t walked;  /* tasks handed to the writer, every pass */
	int state;       /* fc_buf_pull's */
	char salt[40];
	fc_buf stream; /* bytes ready for the reader */
	size_t stream_off;
	fc_buf file; /* zip formats: the file being built */
	struct archive *a;
	fc_ds_task task;
	size_t cap;
	json_t *aggregated;
	int64_t user_id; /* the exporting owner: whose media may be written */
	char *data_dir;  /* NULL: no media is read */
	char *warning;   /* fc_dataset_warning's, or NULL */
	fc_blob *blob;   /* opened on the first media file */
};

static const char TASKS_SQL[] =
	"SELECT t.id, t.data, t.predictions, t.gold, s.id, s.user_id, s.result, s.active_seconds, s.status, "
	"s.created_at, t.meta FROM tasks t LEFT JOIN submissions s ON s.task_id=t.id AND s.erased_at IS NULL AND "
	"(?=1 OR s.status IN ('accepted','auto_accepted')) WHERE t.project_id=? ORDER BY t.id, s.id"; /* erased: withdrawn */

/* A dataset version's frozen items (api/versions.c), one split or all. */
static const char VERSION_SQL[] =
	"SELECT t.id, t.data, t.predictions, t.gold, s.id, s.user_id, s.result, s.active_seconds, s.status, "
	"s.created_at FROM dataset_version_items i JOIN tasks t ON t.id=i.task_id LEFT JOIN submissions s ON "
	"s.id=i.submission_id AND s.erased_at IS NULL WHERE i.version_id=? AND (?=1 OR i.split=?) ORDER BY t.id, s.id";

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	fc_dataset *d = ctx;
	return fc_buf_append(&d->stream, buf, n) ? -1 : (la_ssize_t)n;
}

int fc_ds_emit_file(fc_ds_ctx *c, const char *name)
{
	fc_dataset *d = c->driver;
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return FC_ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)d->file.len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	int rc = archive_write_header(d->a, e) == ARCHIVE_OK &&
				 (d->file.len == 0 ||
				  archive_write_data(d->a, d->file.p, d->file.len) == (la_ssize_t)d->file.len) &&
				 archive_write_finish_entry(d->a) == ARCHIVE_OK
			 ? 0
			 : FC_EIO;
	archive_entry_free(e);
	fc_buf_reset(&d->file);
	return rc;
}

int fc_ds_media_open(fc_ds_ctx *c, const char *url, FILE **f, uint64_t *size, char ext[16])
{
	fc_dataset *d = c->driver;
	static const char PREFIX[] = "/api/v1/media/";
	char *end;
	if (!d->data_dir || !url || strncmp(url, PREFIX, sizeof PREFIX - 1))
		return FC_ENOTFOUND;
	long long id = strtoll(url + sizeof PREFIX - 1, &end, 10);
	if (id <= 0 || *end)
		return FC_ENOTFOUND;
	fc_stmt *st;
	char sha[80] = "";
	/* a task may show a file of another project (a recording under review):
	 * written only when the exporting user owns that project too */
	int rc = fc_db_query(d->db, &st, NULL,
			     "SELECT m.sha256, m.ext FROM media m JOIN projects p ON p.id=m.project_id WHERE m.id=? AND "
			     "(p.owner_id=? OR EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id=p.id AND "
			     "pm.user_id=? AND pm.role='owner'))",
			     "III", (int64_t)id, d->user_id, d->user_id);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		snprintf(sha, sizeof sha, "%s", fc_stmt_text(st, 0));
		snprintf(ext, 16, "%s", fc_stmt_text(st, 1));
	}
	fc_stmt_done(st);
	if (!sha[0])
		return FC_ENOTFOUND;
	if (!d->blob && (rc = fc_blob_open(&d->blob, d->data_dir, NULL)))
		return rc;
	return fc_blob_open_read(d->blob, sha, f, size, NULL) ? FC_EIO : 0; /* referenced but gone: cut the stream */
}

static void task_clear(fc_dataset *d)
{
	fc_ds_task *t = &d->task;
	json_decref(t->data);
	json_decref(t->predictions);
	json_decref(t->gold);
	json_decref(t->meta);
	for (size_t i = 0; i < t->n; i++)
		json_decref(t->anns[i].result);
	t->data = t->predictions = t->gold = t->meta = NULL;
	t->n = 0;
}

/* A result for a pass that needs only the image size: its first item alone
 * when that item has original_width and original_height (what
 * fc_ds_image_size would pick; Label Studio writes them on every region),
 * else the whole result. An empty array once the task's size is known. */
static json_t *sizes_only(fc_stmt *st, int col, int *known)
{
	if (*known)
		return json_array();
	const char *text = fc_stmt_text(st, col);
	size_t i = 0;
	while (text && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
		i++;
	if (text && text[i] == '[') {
		json_t *first = json_loads(text + i + 1, JSON_DISABLE_EOF_CHECK, NULL);
		if (json_is_object(first) && json_number_value(json_object_get(first, "original_width")) > 0 &&
		    json_number_value(json_object_get(first, "original_height")) > 0) {
			*known = 1;
			json_t *one = json_array();
			json_array_append_new(one, first);
			return one;
		}
		json_decref(first);
	}
	return fc_stmt_json(st, col);
}

/* Gathers the rows of the next task into d->task. 1 a task, 0 the end, <0 failure. */
static int next_task(fc_dataset *d)
{
	if (!d->has_row) {
		int r = fc_stmt_next(d->st);
		if (r <= 0)
			return r;
		d->has_row = 1;
	}
	fc_stmt *st = d->st;
	fc_ds_task *t = &d->task;
	task_clear(d);
	t->id = fc_stmt_int(st, 0);
	t->data = fc_stmt_json(st, 1);
	t->predictions = fc_stmt_isnull(st, 2) ? json_array() : fc_stmt_json(st, 2);
	t->gold = fc_stmt_isnull(st, 3) ? NULL : fc_stmt_json(st, 3);
	t->meta = fc_stmt_isnull(st, 10) ? NULL : fc_stmt_json(st, 10);
	int sized = 0, sizes_only_pass = d->f->sizes_pass == d->pass + 1 && !d->aggregated;
	for (;;) {
		if (!fc_stmt_isnull(st, 4)) {
			if (t->n == d->cap) { /* bounded by the project's overlap */
				size_t cap = d->cap ? d->cap * 2 : 4;
				fc_ds_ann *p = realloc(t->anns, cap * sizeof *p);
				if (!p)
					return FC_ENOMEM;
				t->anns = p;
				d->cap = cap;
			}
			fc_ds_ann *a = &t->anns[t->n++];
			a->id = fc_stmt_int(st, 4);
			fc_ds_worker_id(d->salt, fc_stmt_int(st, 5), a->worker_id);
			a->result = sizes_only_pass ? sizes_only(st, 6, &sized) : fc_stmt_json(st, 6);
			a->lead_time = fc_stmt_double(st, 7);
			snprintf(a->status, sizeof a->status, "%s", fc_stmt_text(st, 8));
			a->created_at = fc_stmt_int(st, 9);
			a->confidence = -1;
		}
		int r = fc_stmt_next(st);
		if (r < 0)
			return r;
		if (r == 0) {
			d->has_row = 0;
			fc_stmt_done(d->st);
			d->st = NULL;
			return 1;
		}
		if (fc_stmt_int(st, 0) != t->id)
			return 1; /* the row stays for the next task */
	}
}

static int start_pass(fc_dataset *d, fc_err *err)
{
	d->has_row = 0;
	if (d->version)
		return fc_db_query(d->db, &d->st, err, VERSION_SQL, "Iit", d->version, d->split[0] ? 0 : 1, d->split);
	return fc_db_query(d->db, &d->st, err, TASKS_SQL, "iI", d->all_statuses, d->c.project_id);
}

/* labels=aggregated: the task's judgments give way to its aggregate, which
 * keeps the image size the judgments carried (pixels for COCO, YOLO, VOC). */
static int aggregate_task(fc_dataset *d)
{
	fc_ds_task *t = &d->task;
	double w = 0, h = 0;
	fc_ds_image_size(t, &w, &h);
	for (size_t i = 0; i < t->n; i++)
		json_decref(t->anns[i].result);
	t->n = 0;
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)t->id);
	json_t *agg = json_object_get(d->aggregated, key);
	if (!agg)
		return 0;
	if (!d->cap) {
		if (!(t->anns = malloc(4 * sizeof *t->anns)))
			return FC_ENOMEM;
		d->cap = 4;
	}
	fc_ds_ann *a = &t->anns[t->n++];
	*a = (fc_ds_ann){.id = 0, .worker_id = "aggregate", .status = "aggregated"};
	a->confidence = json_number_value(json_object_get(agg, "confidence"));
	a->result = json_deep_copy(json_object_get(agg, "result"));
	size_t i;
	json_t *r;
	json_array_foreach(a->result, i, r)
		if (w > 0 && h > 0) {
			json_object_set_new(r, "original_width", json_real(w));
			json_object_set_new(r, "original_height", json_real(h));
		}
	return a->result ? 0 : FC_ENOMEM;
}

/* Produces the next piece of output. */
static int step(fc_dataset *d)
{
	fc_ds_ctx *c = &d->c;
	int rc = 0;
	switch (d->phase) {
	case PH_BEGIN:
		d->phase = PH_ROWS;
		if (d->warning && d->a &&
		    (fc_buf_printf(&d->file, "%s\n", d->warning) || (rc = fc_ds_emit_file(c, "WARNINGS.txt"))))
			return rc ? rc : FC_ENOMEM;
		return d->f->begin ? d->f->begin(c) : 0;
	case PH_ROWS:
		if (!d->st && !d->has_row) { /* the pass before ended */
			if (++d->pass >= d->f->passes) {
				d->phase = PH_END;
				return 0;
			}
			if ((rc = start_pass(d, NULL)))
				return rc;
		}
		if ((rc = next_task(d)) < 0)
			return rc;
		if (rc == 0) {
			fc_stmt_done(d->st);
			d->st = NULL;
			return 0;
		}
		d->walked++;
		if (d->aggregated && (rc = aggregate_task(d)))
			return rc;
		return d->f->task(c, &d->task, d->pass);
	case PH_END:
		d->phase = PH_DONE;
		if (d->f->end && (rc = d->f->end(c)))
			return rc;
		return d->a && archive_write_close(d->a) != ARCHIVE_OK ? FC_EIO : 0;
	}
	return 0;
}

static int produce(void *ctx)
{
	fc_dataset *d = ctx;
	int rc = step(d);
	return rc ? rc : d->phase == PH_DONE;
}

ssize_t fc_dataset_read(fc_dataset *d, char *buf, size_t max)
{
	return fc_buf_pull(&d->stream, &d->stream_off, &d->state, produce, d, buf, max);
}

int64_t fc_dataset_rows(const fc_dataset *d) { return d->walked / (d->f->passes > 0 ? d->f->passes : 1); }

void fc_dataset_close(fc_dataset *d)
{
	if (!d)
		return;
	if (d->f->free && d->c.state)
		d->f->free(d->c.state);
	free(d->c.state);
	json_decref((json_t *)d->c.config);
	json_decref(d->aggregated);
	task_clear(d);
	free(d->task.anns);
	fc_stmt_done(d->st);
	if (d->db)
		fc_db_rollback(d->db);
	if (d->a)
		archive_write_free(d->a);
	fc_blob_close(d->blob);
	free(d->data_dir);
	free(d->warning);
	fc_buf_free(&d->stream);
	fc_buf_free(&d->file);
	free(d);
}

/* The project's pseudonym salt, made on first use: collection projects get
 * theirs with the first upload, annotation projects with the first export. */
static int project_salt(fc_store *s, const fc_user *user, int64_t pid, char salt[40], fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = fc_project_require(db, user, pid, FC_ACCESS_OWNER, "Only the project's owners may export it.", err);
	fc_db_rollback(db);
	return rc ? rc : fc_ds_salt(s, pid, salt, err);
}

int fc_ds_salt(fc_store *s, int64_t pid, char salt[40], fc_err *err) { return fc_pseudonym_salt(s, pid, salt, err); }

/* For a format that drops some masks over a config with such controls: the
 * sentence saying which controls' results it leaves out (malloc'd), else
 * NULL. */
static char *mask_warning(const fc_ds_format *f, const json_t *config)
{
	if (!f->drops || !config)
		return NULL;
	json_t *controls = fc_ds_controls(config, f->drops), *k;
	fc_buf b = {0};
	size_t i;
	json_array_foreach(controls, i, k) {
		if (!i)
			fc_buf_printf(&b, "This %s export has no place for the masks of ", f->name);
		fc_buf_printf(&b, "%s\"%.60s\"", i ? ", " : "", json_string_value(json_object_get(k, "name")) ?: "");
	}
	if (json_array_size(controls))
		fc_buf_puts(&b, ": they are left out; the brush_png export carries every mask.");
	json_decref(controls);
	return b.p; /* NULL when none, or out of memory */
}

const char *fc_dataset_warning(const fc_dataset *d) { return d->warning; }

const char *const FC_DS_ALL_MASKS[] = {"brushlabels", "brush", "bitmasklabels", "bitmask", NULL};

int fc_dataset_open(fc_store *s, const fc_user *user, int64_t project_id, const fc_ds_format *f, const json_t *config,
		    const fc_ds_opts *opts, fc_dataset **out, fc_err *err)
{
	*out = NULL;
	fc_dataset *d = calloc(1, sizeof *d);
	if (!d)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	d->f = f;
	d->all_statuses = opts && opts->all_statuses;
	d->version = opts ? opts->version : 0;
	d->aggregated = opts && opts->aggregated ? json_incref((json_t *)opts->aggregated) : NULL;
	snprintf(d->split, sizeof d->split, "%s", opts && opts->split ? opts->split : "");
	d->c = (fc_ds_ctx){.config = json_incref((json_t *)config),
			   .project_id = project_id,
			   .driver = d,
			   .interpolate = opts && opts->interpolate,
			   .shard_size = opts ? opts->shard_size : 0};
	d->user_id = user->id;
	if (opts && opts->data_dir && !(d->data_dir = strdup(opts->data_dir))) {
		fc_dataset_close(d);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	d->c.out = f->zip ? &d->file : &d->stream;
	d->warning = mask_warning(f, config);
	int rc = project_salt(s, user, project_id, d->salt, err);
	if (!rc && f->check)
		rc = f->check(config, err);
	if (!rc && f->state_size && !(d->c.state = calloc(1, f->state_size)))
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	if (!rc && !(rc = fc_db_begin(s, FC_DB_READ, &d->db, err)))
		rc = start_pass(d, err);
	if (!rc && f->zip) {
		d->a = archive_write_new();
		if (!d->a ||
		    (f->zip == FC_DS_TAR ? archive_write_set_format_pax_restricted(d->a)
					 : archive_write_set_format_zip(d->a)) != ARCHIVE_OK ||
		    archive_write_set_bytes_in_last_block(d->a, 1) != ARCHIVE_OK ||
		    archive_write_open(d->a, d, NULL, on_write, NULL) != ARCHIVE_OK)
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot start the archive.");
	}
	if (rc) {
		fc_dataset_close(d);
		return rc;
	}
	*out = d;
	return 0;
}
