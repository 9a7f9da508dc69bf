/* WebDataset: a tar of shards shard-000000.tar, shard-000001.tar, … (the
 * names `webdataset.WebDataset("shard-{000000..000009}.tar")` reads), each
 * a tar of samples. A sample is a task with kept annotations: files sharing
 * the key (the task id, nine digits, no dot — WebDataset splits the key
 * from the extension at the first dot) — `<key>.json`, the task as Label
 * Studio JSON (what the json format writes for it), and `<key>.<ext>`, the
 * media the task shows when it is a file of this platform
 * (/api/v1/media/ID) in a project the exporting owner owns. Outside links
 * are not fetched: their sample is the JSON alone, with the URL in `data`.
 *
 * A shard closes after shard_size samples (1000 by default) or once it
 * holds 64 MiB, so memory holds one shard at most (plus one sample). */
#include "formats/dataset.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#define SHARD_BYTES (64u << 20)
#define DEFAULT_SAMPLES 1000

static const char *const MEDIA_TYPES[] = {"image", "audio", "video", NULL}; /* the tag, lower case */

typedef struct state {
	struct archive *shard; /* the open shard, writing into c->out */
	fc_buf *out;
	int samples, next_shard;
	json_t *media_object; /* the first Image/Audio/Video object of the config */
} state;

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	return fc_buf_append(ctx, buf, n) ? -1 : (la_ssize_t)n;
}

static int begin(fc_ds_ctx *c)
{
	state *s = c->state;
	s->out = c->out;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(c->config, "objects"), i, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		for (int k = 0; type && MEDIA_TYPES[k] && !s->media_object; k++)
			if (!strcmp(type, MEDIA_TYPES[k]))
				s->media_object = json_incref(o);
	}
	return 0;
}

static int shard_open(state *s)
{
	s->shard = archive_write_new();
	if (!s->shard || archive_write_set_format_pax_restricted(s->shard) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(s->shard, 1) != ARCHIVE_OK ||
	    archive_write_open(s->shard, s->out, NULL, on_write, NULL) != ARCHIVE_OK)
		return FC_EIO;
	s->samples = 0;
	return 0;
}

static int shard_close(fc_ds_ctx *c)
{
	state *s = c->state;
	if (!s->shard)
		return 0;
	int rc = archive_write_close(s->shard) == ARCHIVE_OK ? 0 : FC_EIO;
	archive_write_free(s->shard);
	s->shard = NULL;
	char name[32];
	snprintf(name, sizeof name, "shard-%06d.tar", s->next_shard++);
	return rc ? rc : fc_ds_emit_file(c, name);
}

/* One member of the shard: len bytes from p, or size bytes read from f. */
static int member(state *s, const char *name, const void *p, size_t len, FILE *f, uint64_t size)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return FC_ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)(f ? size : len));
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	int rc = archive_write_header(s->shard, e) == ARCHIVE_OK ? 0 : FC_EIO;
	archive_entry_free(e);
	if (!rc && !f && len && archive_write_data(s->shard, p, len) != (la_ssize_t)len)
		rc = FC_EIO;
	char buf[65536];
	for (uint64_t left = f ? size : 0; !rc && left;) {
		size_t n = fread(buf, 1, left < sizeof buf ? (size_t)left : sizeof buf, f);
		if (!n || archive_write_data(s->shard, buf, n) != (la_ssize_t)n)
			rc = FC_EIO; /* the blob is shorter than the store said */
		left -= n;
	}
	return rc ? rc : archive_write_finish_entry(s->shard) == ARCHIVE_OK ? 0 : FC_EIO;
}

static int task(fc_ds_ctx *c, const fc_ds_task *t, int pass)
{
	state *s = c->state;
	if (!t->n)
		return 0;
	int rc = 0;
	if (!s->shard && (rc = shard_open(s)))
		return rc;
	char key[32], name[64];
	snprintf(key, sizeof key, "%09lld", (long long)t->id);
	fc_buf json = {0};
	if (fc_ds_task_json(&json, t) || fc_buf_puts(&json, "\n")) {
		fc_buf_free(&json);
		return FC_ENOMEM;
	}
	snprintf(name, sizeof name, "%s.json", key);
	rc = member(s, name, json.p, json.len, NULL, 0);
	fc_buf_free(&json);
	const char *field = json_string_value(json_object_get(s->media_object, "field"));
	const char *url = field ? json_string_value(json_object_get(t->data, field)) : NULL;
	FILE *f = NULL;
	uint64_t size = 0;
	char ext[16] = "";
	int media = rc ? rc : fc_ds_media_open(c, url, &f, &size, ext);
	if (!rc && media == 0) {
		snprintf(name, sizeof name, "%s.%s", key, ext[0] ? ext : "bin");
		rc = member(s, name, NULL, 0, f, size);
		fclose(f);
	} else if (!rc && media != FC_ENOTFOUND) {
		rc = media;
	}
	if (!rc && (++s->samples >= (c->shard_size > 0 ? c->shard_size : DEFAULT_SAMPLES) || s->out->len >= SHARD_BYTES))
		rc = shard_close(c);
	return rc;
}

static int end(fc_ds_ctx *c) { return shard_close(c); }

static void release(void *p)
{
	state *s = p;
	if (s->shard)
		archive_write_free(s->shard);
	json_decref(s->media_object);
}

const fc_ds_format fc_ds_webdataset = {
	.name = "webdataset",
	.content_type = "application/x-tar",
	.extension = "tar",
	.zip = FC_DS_TAR,
	.passes = 1,
	.state_size = sizeof(state),
	.begin = begin,
	.task = task,
	.end = end,
	.free = release,
};
