/* S3 import sources and their sync (storage.h).
 *
 * A sync never holds a transaction across the network: a page of keys is
 * listed first, .json objects not seen yet are fetched, then one write
 * transaction records the page. Each object row is INSERTed with ON CONFLICT
 * DO NOTHING RETURNING id, and only the transaction that got an id makes the
 * task: two syncs of one source (two servers, or two clicks) interleave
 * page by page and still make every task once. */
#include "work/storage.h"
#include "access/access.h"
#include "blob/s3.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "http/outbound.h"
#include "work/configcache.h"
#include "work/import_fields.h"
#include "work/task.h"
#include "work/taskfiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define OWNER_ONLY "Only the project's owner manages its storage."
#define MAX_JSON_OBJECT (16 * 1024 * 1024)
#define STALE_SECONDS 60 /* a running sync without a page for this long is taken over */

/* ---- sources ---- */

typedef struct source {
	int64_t id;
	char endpoint[512], bucket[128], region[64], prefix[1024], access[130], secret[258];
} source;

static void source_wipe(source *src) { memset(src->secret, 0, sizeof src->secret); }

/* "AKIA…WXYZ": enough to recognise the key, not to use it. */
static json_t *masked(const char *key)
{
	size_t n = strlen(key);
	if (n <= 8)
		return json_string("…");
	return json_sprintf("%.4s…%s", key, key + n - 4);
}

#define SOURCE_COLS \
	"id, project_id, title, endpoint, bucket, region, prefix, access_key, created_at, sync_status, " \
	"sync_started_at, sync_finished_at, sync_listed, sync_created, sync_skipped, sync_error, " \
	"sync_seen, " \
	"(SELECT COUNT(*) FROM storage_objects o WHERE o.source_id=storage_sources.id AND o.task_id IS NOT " \
	"NULL)"

static json_t *source_json(fc_stmt *st)
{
	char ts[32];
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)fc_stmt_int(st, 0),
			      "project_id", (json_int_t)fc_stmt_int(st, 1), "title", fc_stmt_text(st, 2), "endpoint",
			      fc_stmt_text(st, 3), "bucket", fc_stmt_text(st, 4), "region", fc_stmt_text(st, 5),
			      "prefix", fc_stmt_text(st, 6), "access_key", masked(fc_stmt_text(st, 7)), "secret_key",
			      "********", "created_at", fc_clock_format(fc_stmt_int(st, 8), ts, sizeof ts));
	json_t *sync =
		json_pack("{s:s,s:I,s:I,s:I}", "status", fc_stmt_text(st, 9), "listed", (json_int_t)fc_stmt_int(st, 12),
			  "created", (json_int_t)fc_stmt_int(st, 13), "skipped", (json_int_t)fc_stmt_int(st, 14));
	json_object_set_new(sync, "started_at",
			    fc_stmt_isnull(st, 10) ? json_null()
						   : json_string(fc_clock_format(fc_stmt_int(st, 10), ts, sizeof ts)));
	json_object_set_new(sync, "finished_at",
			    fc_stmt_isnull(st, 11) ? json_null()
						   : json_string(fc_clock_format(fc_stmt_int(st, 11), ts, sizeof ts)));
	json_object_set_new(sync, "error", fc_stmt_isnull(st, 15) ? json_null() : json_string(fc_stmt_text(st, 15)));
	json_object_set_new(sync, "already_seen", json_integer(fc_stmt_int(st, 16)));
	json_object_set_new(o, "last_sync", sync);
	json_object_set_new(o, "tasks", json_integer(fc_stmt_int(st, 17)));
	return o;
}

static int source_row(fc_db *db, int64_t sid, json_t **out, fc_err *err)
{
	return fc_db_row_json(db, out, err, source_json, "storage source",
			      "SELECT " SOURCE_COLS " FROM storage_sources WHERE id=?", "I", sid);
}

/* Checks one string field: present when required, at most max bytes, no
 * control characters. */
static int text_field(const json_t *body, const char *name, int required, size_t max, fc_err *err)
{
	const json_t *v = json_object_get(body, name);
	if (!v)
		return required ? fc_err_set(err, FC_EINVAL, "missing_field", name, "%s is required.", name) : 0;
	const char *s = json_string_value(v);
	size_t n = strlen(s);
	if ((required && !n) || n > max)
		return fc_err_set(err, FC_EINVAL, "invalid_value", name, "%s must be %s%zu characters at most.", name,
				  required ? "1 to " : "", max);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return fc_err_set(err, FC_EINVAL, "invalid_value", name,
					  "%s must not contain control characters.", name);
	return 0;
}

/* Validates body (create: required fields required) into src, over its
 * current values (update). */
static int parse_source(const json_t *body, int create, source *src, char title[200], fc_err *err)
{
	static const fc_field F[] = {{"title", FC_J_STRING},      {"endpoint", FC_J_STRING},
				     {"bucket", FC_J_STRING},     {"region", FC_J_STRING},
				     {"prefix", FC_J_STRING},     {"access_key", FC_J_STRING},
				     {"secret_key", FC_J_STRING}, {0}};
	int rc = fc_json_check(body, F, err);
	if (rc || (rc = text_field(body, "title", 0, 120, err)) || (rc = text_field(body, "endpoint", create, 400, err)) ||
	    (rc = text_field(body, "bucket", create, 63, err)) || (rc = text_field(body, "region", 0, 40, err)) ||
	    (rc = text_field(body, "prefix", 0, 1000, err)) || (rc = text_field(body, "access_key", create, 128, err)) ||
	    (rc = text_field(body, "secret_key", create, 256, err)))
		return rc;
#define TAKE(name, dst) \
	if (json_object_get(body, name)) \
	snprintf(dst, sizeof dst, "%s", fc_json_str(body, name, ""))
	TAKE("endpoint", src->endpoint);
	TAKE("bucket", src->bucket);
	TAKE("region", src->region);
	TAKE("prefix", src->prefix);
	TAKE("access_key", src->access);
	TAKE("secret_key", src->secret);
#undef TAKE
	if (json_object_get(body, "title"))
		snprintf(title, 200, "%s", fc_json_str(body, "title", ""));
	if (!src->region[0])
		snprintf(src->region, sizeof src->region, "us-east-1");
	if (strncmp(src->endpoint, "http://", 7) && strncmp(src->endpoint, "https://", 8))
		return fc_err_set(
			err, FC_EINVAL, "invalid_url", "endpoint",
			"endpoint must be an http:// or https:// address, such as https://s3.eu-west-1.amazonaws.com.");
	char why[200];
	if (fc_outbound_url_refusal(src->endpoint, why, sizeof why))
		return fc_err_set(err, FC_ERULE, "storage_address_refused", "endpoint", "endpoint is refused: %s.", why);
	if (strlen(src->bucket) < 3 ||
	    strspn(src->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(src->bucket))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "bucket",
				  "bucket must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens.");
	if (strspn(src->region, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(src->region))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "region",
				  "region must be a region name such as eu-west-1.");
	if (!title[0])
		snprintf(title, 200, "%.60s/%.120s", src->bucket, src->prefix);
	return 0;
}

static int client(const source *src, fc_s3 **out, fc_err *err)
{
	fc_s3_config c = {src->endpoint, src->bucket, src->region, src->access, src->secret, 1};
	return fc_s3_new(out, &c, err);
}

/* A storage refusal is the source's configuration, not the server: 422. */
static int as_config_error(int rc, const source *src, fc_err *err)
{
	if (rc == FC_EIO && !strcmp(err->slug, "internal"))
		return fc_err_set(err, FC_ERULE, "storage_unreachable", "endpoint",
				  "The storage at %.200s did not answer; check the endpoint.", src->endpoint);
	if (rc == FC_EPERM || rc == FC_ENOTFOUND || rc == FC_EIO)
		err->code = FC_ERULE;
	return err->code ? err->code : rc;
}

static int ignore_object(void *ud, const char *key, const char *etag, uint64_t size, fc_err *err)
{
	(void)ud, (void)key, (void)etag, (void)size, (void)err;
	return 0;
}

/* Lists one key: the bucket exists and takes the credentials. */
static int check_source(const source *src, fc_err *err)
{
	fc_s3 *s3 = NULL;
	char next[1024];
	int rc = client(src, &s3, err);
	if (!rc)
		rc = fc_s3_list_page(s3, src->prefix, NULL, 1, ignore_object, NULL, next, sizeof next, err);
	fc_s3_free(s3);
	return rc ? as_config_error(rc, src, err) : 0;
}

static int require_owner(fc_store *s, const fc_user *user, int64_t project, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err);
	fc_db_rollback(db);
	return rc;
}

/* Reads source sid of project (404 otherwise) into src, inside db. */
static int load_source(fc_db *db, int64_t project, int64_t sid, source *src, char title[200], fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT id, endpoint, bucket, region, prefix, access_key, secret_key, title "
			     "FROM storage_sources WHERE id=? AND project_id=?",
			     "II", sid, project);
	if (rc)
		return rc;
	if (fc_stmt_next(st) == 1) {
		src->id = fc_stmt_int(st, 0);
		snprintf(src->endpoint, sizeof src->endpoint, "%s", fc_stmt_text(st, 1));
		snprintf(src->bucket, sizeof src->bucket, "%s", fc_stmt_text(st, 2));
		snprintf(src->region, sizeof src->region, "%s", fc_stmt_text(st, 3));
		snprintf(src->prefix, sizeof src->prefix, "%s", fc_stmt_text(st, 4));
		snprintf(src->access, sizeof src->access, "%s", fc_stmt_text(st, 5));
		snprintf(src->secret, sizeof src->secret, "%s", fc_stmt_text(st, 6));
		if (title)
			snprintf(title, 200, "%s", fc_stmt_text(st, 7));
	} else {
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such storage source.");
	}
	fc_stmt_done(st);
	return rc;
}

int fc_storage_create(fc_store *s, const fc_user *user, int64_t project, const json_t *body, json_t **out, fc_err *err)
{
	source src = {0};
	char title[200] = "";
	int rc = require_owner(s, user, project, err);
	if (rc || (rc = parse_source(body, 1, &src, title, err)) || (rc = check_source(&src, err))) {
		source_wipe(&src);
		return rc;
	}
	fc_db *db;
	if ((rc = fc_db_begin(s, FC_DB_WRITE, &db, err))) {
		source_wipe(&src);
		return rc;
	}
	int64_t id;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_int(db, &id, err,
			     "INSERT INTO storage_sources(project_id,title,endpoint,bucket,region,prefix,access_key,"
			     "secret_key,created_by,created_at) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id",
			     "ItttttttII", project, title, src.endpoint, src.bucket, src.region, src.prefix, src.access,
			     src.secret, user->id, fc_clock_now())))
		rc = source_row(db, id, out, err);
	source_wipe(&src);
	return fc_db_end(db, &rc, err);
}

int fc_storage_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_query(db, &st, err, "SELECT " SOURCE_COLS " FROM storage_sources WHERE project_id=? ORDER BY id",
			       "I", project))) {
		json_t *items = json_array();
		while (fc_stmt_next(st) == 1)
			json_array_append_new(items, source_json(st));
		fc_stmt_done(st);
		*out = json_pack("{s:o}", "items", items);
	}
	fc_db_rollback(db);
	return rc;
}

int fc_storage_update(fc_store *s, const fc_user *user, int64_t project, int64_t sid, const json_t *body, json_t **out,
		      fc_err *err)
{
	source src = {0};
	char title[200] = "";
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)))
		rc = load_source(db, project, sid, &src, title, err);
	fc_db_rollback(db);
	if (rc || (rc = parse_source(body, 0, &src, title, err)) || (rc = check_source(&src, err))) {
		source_wipe(&src);
		return rc;
	}
	if (!(rc = fc_db_begin(s, FC_DB_WRITE, &db, err))) {
		if (!(rc = fc_db_exec(db, err,
				      "UPDATE storage_sources SET title=?, endpoint=?, bucket=?, region=?, prefix=?, "
				      "access_key=?, secret_key=? WHERE id=? AND project_id=?",
				      "tttttttII", title, src.endpoint, src.bucket, src.region, src.prefix, src.access,
				      src.secret, sid, project)))
			rc = fc_db_changes(db)
				     ? source_row(db, sid, out, err)
				     : fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such storage source.");
		rc = fc_db_end(db, &rc, err);
	}
	source_wipe(&src);
	return rc;
}

int fc_storage_delete(fc_store *s, const fc_user *user, int64_t project, int64_t sid, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !(rc = fc_db_exec(db, err, "DELETE FROM storage_sources WHERE id=? AND project_id=?", "II", sid, project)) &&
	    !fc_db_changes(db))
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such storage source.");
	return fc_db_end(db, &rc, err);
}

/* ---- sync ---- */

static const struct {
	const char *ext, *kind, *mime;
} TYPES[] = {
	{"jpg", "image", "image/jpeg"},       {"jpeg", "image", "image/jpeg"}, {"png", "image", "image/png"},
	{"gif", "image", "image/gif"},        {"webp", "image", "image/webp"}, {"bmp", "image", "image/bmp"},
	{"tif", "image", "image/tiff"},       {"tiff", "image", "image/tiff"}, {"avif", "image", "image/avif"},
	{"wav", "audio", "audio/wav"},        {"mp3", "audio", "audio/mpeg"},  {"ogg", "audio", "audio/ogg"},
	{"oga", "audio", "audio/ogg"},        {"opus", "audio", "audio/ogg"},  {"flac", "audio", "audio/flac"},
	{"m4a", "audio", "audio/mp4"},        {"aac", "audio", "audio/aac"},   {"weba", "audio", "audio/webm"},
	{"mp4", "video", "video/mp4"},        {"m4v", "video", "video/mp4"},   {"webm", "video", "video/webm"},
	{"mov", "video", "video/quicktime"},  {"ogv", "video", "video/ogg"},   {"mkv", "video", "video/x-matroska"},
	{"json", "json", "application/json"},
};

typedef struct obj {
	char *key;
	char etag[130];
	uint64_t size;
	int type;      /* index into TYPES, -1: not a task */
	json_t *data;  /* a .json object's task data, once fetched */
	char why[200]; /* why it is skipped, or "" */
} obj;

typedef struct page {
	obj *v;
	size_t n, cap;
} page;

static void page_clear(page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		json_decref(p->v[i].data);
	}
	p->n = 0;
}

static int type_of(const char *key)
{
	const char *dot = strrchr(key, '.'), *slash = strrchr(key, '/');
	if (!dot || (slash && slash > dot))
		return -1;
	for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
		if (!strcasecmp(dot + 1, TYPES[i].ext))
			return (int)i;
	return -1;
}

static int collect(void *ud, const char *key, const char *etag, uint64_t size, fc_err *err)
{
	page *p = ud;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		obj *v = realloc(p->v, cap * sizeof *v);
		if (!v)
			return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		p->v = v;
		p->cap = cap;
	}
	obj *o = &p->v[p->n];
	*o = (obj){.key = strdup(key), .size = size, .type = type_of(key)};
	if (!o->key)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	snprintf(o->etag, sizeof o->etag, "%s", etag);
	p->n++;
	return 0;
}

/* Downloads key into an unlinked temporary file under DATA/tmp, at offset 0. */
static int download(fc_s3 *s3, const char *data_dir, const char *key, FILE **out, uint64_t *size, fc_err *err)
{
	char path[1100];
	snprintf(path, sizeof path, "%s/tmp/s3-XXXXXX", data_dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return fc_err_write(err, errno, "a temporary file");
	unlink(path);
	FILE *f = fdopen(fd, "w+b");
	if (!f) {
		close(fd);
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	}
	int rc = fc_s3_get(s3, key, f, size, err);
	if (rc || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return rc ? rc : fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read a temporary file.");
	}
	*out = f;
	return 0;
}

/* The .json objects of the page not seen yet, fetched and parsed; one that
 * is no JSON object is skipped with its reason. */
static int fetch_json(fc_store *s, fc_s3 *s3, const char *data_dir, int64_t sid, page *p, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < p->n && !rc; i++) {
		obj *o = &p->v[i];
		int64_t seen;
		if (o->type < 0 || strcmp(TYPES[o->type].kind, "json") ||
		    !fc_db_int(db, &seen, NULL, "SELECT 1 FROM storage_objects WHERE source_id=? AND object_key=?",
			       "It", sid, o->key))
			continue;
		if (o->size > MAX_JSON_OBJECT) {
			snprintf(o->why, sizeof o->why, "%.120s is larger than 16 MB", o->key);
			continue;
		}
		FILE *f;
		uint64_t size;
		if ((rc = download(s3, data_dir, o->key, &f, &size, err)))
			break;
		json_error_t je;
		json_t *v = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
		fclose(f);
		json_t *data = json_is_object(json_object_get(v, "data")) ? json_object_get(v, "data") : v;
		if (json_is_object(data) && json_object_size(data)) {
			o->data = json_incref(data);
		} else if (!v) {
			snprintf(o->why, sizeof o->why, "%.120s is not JSON (line %d: %.40s)", o->key, je.line, je.text);
		} else {
			snprintf(o->why, sizeof o->why, "%.120s is not a JSON object with the task's data", o->key);
		}
		json_decref(v);
	}
	fc_db_rollback(db);
	return rc;
}

typedef struct run {
	int64_t project, sid, now;
	char *config;              /* the labelling config, NULL for collection projects */
	const fc_labelconfig *cfg; /* parsed by fc_import_check_fields */
	char field[3][128];        /* image, audio, video */
	int64_t listed, created, seen, skipped;
	char note[300]; /* the first skip's reason */
} run;

static const char *const KINDS[3] = {"image", "audio", "video"};

static int kind_index(const char *kind)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(kind, KINDS[i]))
			return i;
	return -1;
}

/* The data field of the config's first image, audio and video object. */
static int media_fields(run *r, fc_err *err)
{
	if (!r->config)
		return 0;
	const fc_labelconfig *cfg = fc_configcache_get(r->config, err);
	if (!cfg)
		return err->code ? err->code : FC_EINVAL;
	json_t *d = fc_labelconfig_describe(cfg);
	fc_configcache_put(cfg);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(d, "objects"), i, o) {
		const char *type = fc_json_str(o, "type", ""), *f = fc_json_str(o, "field", NULL);
		int k = kind_index(!strcmp(type, "audioplus") ? "audio" : type);
		if (f && k >= 0 && !r->field[k][0])
			snprintf(r->field[k], sizeof r->field[k], "%s", f);
	}
	json_decref(d);
	return 0;
}

static void skip(run *r, const char *why)
{
	r->skipped++;
	if (!r->note[0]) { /* the first reason; a longer one is cut */
		size_t n = strnlen(why, sizeof r->note - 1);
		memcpy(r->note, why, n);
		r->note[n] = 0;
	}
}

/* One object inside the page's transaction: its row (unless another sync
 * recorded it first) and its task. */
static int add_object(fc_db *db, run *r, obj *o, int64_t *made, fc_err *err)
{
	char why[300];
	if (o->type < 0) {
		snprintf(why, sizeof why, "%.120s is not an image, audio, video or .json file", o->key);
		skip(r, why);
		return 0;
	}
	const char *kind = TYPES[o->type].kind;
	int k = kind_index(kind);
	if (k >= 0 && !r->field[k][0]) {
		snprintf(why, sizeof why, "%.120s: the labelling config shows no %s read from the task data", o->key,
			 kind);
		skip(r, why);
		return 0;
	}
	if (k < 0 && !o->data) {
		if (o->why[0])
			skip(r, o->why);
		else
			r->seen++; /* seen by an earlier sync (fetch_json left it) */
		return 0;
	}
	json_t *data = k >= 0 ? json_pack("{s:s}", r->field[k], "") : json_deep_copy(o->data);
	fc_err fe = {0};
	int rc = fc_import_check_fields(r->config, &r->cfg, data, o->key, &fe);
	if (rc) { /* a task the config cannot show: skipped, the sync goes on */
		skip(r, fe.msg);
		fc_err_clear(&fe);
		json_decref(data);
		return 0;
	}
	int64_t oid, task;
	rc = fc_db_int(db, &oid, &fe,
		       "INSERT INTO storage_objects(source_id,project_id,object_key,etag,bytes,kind,mime,created_at) "
		       "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT (source_id, object_key) DO NOTHING RETURNING id",
		       "IIttIttI", r->sid, r->project, o->key, o->etag, (int64_t)o->size, kind, TYPES[o->type].mime,
		       r->now);
	if (rc == FC_ENOTFOUND) { /* recorded before: never a task twice */
		fc_err_clear(&fe);
		r->seen++;
		json_decref(data);
		return 0;
	}
	if (rc) {
		*err = fe;
		json_decref(data);
		return rc;
	}
	if (k >= 0)
		json_object_set_new(data, r->field[k], json_sprintf("/api/v1/storage/objects/%lld", (long long)oid));
	json_t *meta = json_pack("{s:s,s:I}", "storage_key", o->key, "storage_source", (json_int_t)r->sid);
	rc = fc_db_int(db, &task, err,
		       "INSERT INTO tasks(project_id,data,priority,is_gold,created_at,meta) VALUES(?,?,0,0,?,?) "
		       "RETURNING id",
		       "IjIj", r->project, data, r->now, meta);
	json_decref(meta);
	json_decref(data);
	if (!rc)
		rc = fc_db_exec(db, err, "UPDATE storage_objects SET task_id=? WHERE id=?", "II", task, oid);
	if (!rc)
		(*made)++;
	return rc;
}

/* The page in one write transaction; the counts of this run grow only when
 * it commits. */
static int record_page(fc_store *s, run *r, page *p, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	run before = *r;
	int64_t made = 0, closed = 0;
	fc_db_int(db, &closed, NULL, "SELECT CASE WHEN status='closed' THEN 1 ELSE 0 END FROM projects WHERE id=?", "I",
		  r->project);
	if (closed)
		rc = fc_err_set(err, FC_ECONFLICT, "project_closed", NULL, "A closed project takes no new tasks.");
	for (size_t i = 0; i < p->n && !rc; i++)
		rc = add_object(db, r, &p->v[i], &made, err);
	if (!rc && made)
		rc = fc_task_created(db, r->project, made, r->now, err);
	r->listed += (int64_t)p->n;
	r->created += made;
	if (!rc)
		rc = fc_db_exec(db, err,
				"UPDATE storage_sources SET sync_listed=?, sync_created=?, sync_skipped=?, sync_seen=?, "
				"sync_heartbeat_at=? WHERE id=?",
				"IIIIII", r->listed, r->created, r->skipped, r->seen, (int64_t)time(NULL), r->sid);
	rc = fc_db_end(db, &rc, err);
	if (rc) { /* rolled back: this page counts for nothing */
		const fc_labelconfig *cfg = r->cfg;
		*r = before;
		r->cfg = cfg;
	}
	return rc;
}

/* Records the sync's end on the source row. */
static void finish(fc_store *s, const run *r, const char *status, const char *error)
{
	fc_err e = {0};
	fc_store_write(s, NULL, &e,
		       "UPDATE storage_sources SET sync_status=?, sync_finished_at=?, sync_listed=?, sync_created=?, "
		       "sync_skipped=?, sync_seen=?, sync_error=? WHERE id=?",
		       "tIIIIItI", status, fc_clock_now(), r->listed, r->created, r->skipped, r->seen, error, r->sid);
	if (e.code)
		fc_log(FC_LOG_WARN, "storage source %lld: cannot record the sync's end: %s", (long long)r->sid, e.msg);
	fc_err_clear(&e);
}

/* Lists the source's prefix page by page into tasks; the end is recorded
 * on the source ('done', or 'failed' with the reason in words). */
static int sync_one(fc_store *s, const char *data_dir, int64_t project, const source *src, const char *config, fc_err *err)
{
	run r = {.project = project, .sid = src->id, .now = fc_clock_now()};
	r.config = config ? strdup(config) : NULL;
	int rc = media_fields(&r, err);
	fc_s3 *s3 = NULL;
	if (!rc)
		rc = client(src, &s3, err);
	page p = {0};
	char token[1024] = "", next[1024];
	do {
		page_clear(&p);
		if (rc || (rc = fc_s3_list_page(s3, src->prefix, token, 1000, collect, &p, next, sizeof next, err)))
			break;
		if ((rc = fetch_json(s, s3, data_dir, src->id, &p, err)) || (rc = record_page(s, &r, &p, err)))
			break;
		snprintf(token, sizeof token, "%s", next);
	} while (token[0]);
	page_clear(&p);
	free(p.v);
	if (rc && s3)
		rc = as_config_error(rc, src, err);
	fc_s3_free(s3);
	char note[400];
	if (!rc && r.skipped)
		snprintf(note, sizeof note, "%lld object%s skipped; the first: %s.", (long long)r.skipped,
			 r.skipped == 1 ? "" : "s", r.note);
	finish(s, &r, rc ? "failed" : "done", rc ? err->msg : r.skipped ? note : NULL);
	fc_configcache_put(r.cfg);
	free(r.config);
	return rc;
}

int fc_storage_sync(fc_store *s, const fc_user *user, int64_t project, int64_t sid, json_t **out, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_WRITE, &db, err);
	if (rc)
		return rc;
	int64_t closed = 0, n = 0;
	if (!(rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, OWNER_ONLY, err)) &&
	    !fc_db_int(db, &closed, NULL, "SELECT CASE WHEN status='closed' THEN 1 ELSE 0 END FROM projects WHERE id=?",
		       "I", project) &&
	    closed)
		rc = fc_err_set(err, FC_ECONFLICT, "project_closed", NULL, "A closed project takes no new tasks.");
	if (!rc &&
	    !(rc = fc_db_int(db, &n, err, "SELECT COUNT(*) FROM storage_sources WHERE project_id=? AND (?=0 OR id=?)",
			     "III", project, sid, sid)) &&
	    !n)
		rc = sid ? fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such storage source.")
			 : fc_err_set(err, FC_EINVAL, "no_storage", NULL,
				      "This project has no storage source to sync; add one first.");
	/* a sync queued or running already covers this request */
	if (!rc)
		rc = fc_db_exec(db, err,
				"UPDATE storage_sources SET sync_status='queued', sync_queued_at=?, sync_error=NULL "
				"WHERE project_id=? AND (?=0 OR id=?) AND sync_status NOT IN ('queued','running')",
				"IIII", fc_clock_now(), project, sid, sid);
	fc_stmt *st;
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT " SOURCE_COLS " FROM storage_sources WHERE project_id=? AND (?=0 OR id=?) "
				      "ORDER BY id",
				      "III", project, sid, sid))) {
		json_t *items = json_array();
		while (fc_stmt_next(st) == 1)
			json_array_append_new(items, source_json(st));
		fc_stmt_done(st);
		*out = sid ? json_incref(json_array_get(items, 0)) : json_pack("{s:O}", "items", items);
		json_decref(items);
	}
	return fc_db_end(db, &rc, err);
}

/* Claims the oldest queued source, or one whose runner fell silent: *sid
 * and *project set; 1 claimed, 0 none, <0 failure. */
static int claim(fc_store *s, int64_t *sid, int64_t *project, fc_err *err)
{
	fc_db *db;
	int64_t now = (int64_t)time(NULL);
	int rc = fc_db_begin(s, FC_DB_WRITE_ROWS, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	int got = 0;
	if (!(rc = fc_db_query(db, &st, err,
			       "SELECT id, project_id FROM storage_sources WHERE sync_status='queued' OR "
			       "(sync_status='running' AND sync_heartbeat_at<?) ORDER BY sync_queued_at, id LIMIT 1 "
			       "FOR UPDATE SKIP LOCKED",
			       "I", now - STALE_SECONDS))) {
		if (fc_stmt_next(st) == 1) {
			got = 1;
			*sid = fc_stmt_int(st, 0);
			*project = fc_stmt_int(st, 1);
		}
		fc_stmt_done(st);
	}
	if (!rc && got)
		rc = fc_db_exec(db, err,
				"UPDATE storage_sources SET sync_status='running', sync_started_at=?, sync_heartbeat_at=?, "
				"sync_finished_at=NULL, sync_listed=0, sync_created=0, sync_skipped=0, sync_seen=0, "
				"sync_error=NULL WHERE id=?",
				"III", fc_clock_now(), now, *sid);
	fc_db_end(db, &rc, err);
	return rc ? rc : got;
}

int fc_storage_jobs_run(fc_store *s, const char *data_dir, int max, int64_t *ran, fc_err *err)
{
	for (int i = 0; i < max; i++) {
		int64_t sid = 0, project = 0;
		int rc = claim(s, &sid, &project, err);
		if (rc <= 0)
			return rc;
		source src = {0};
		char *config = NULL;
		fc_db *db;
		fc_err e = {0};
		if (!(rc = fc_db_begin(s, FC_DB_READ, &db, &e))) {
			fc_stmt *st;
			if (!(rc = load_source(db, project, sid, &src, NULL, &e)) &&
			    !(rc = fc_db_query(db, &st, &e, "SELECT label_config FROM projects WHERE id=?", "I",
					       project))) {
				if (fc_stmt_next(st) == 1 && !fc_stmt_isnull(st, 0))
					config = strdup(fc_stmt_text(st, 0));
				fc_stmt_done(st);
			}
			fc_db_rollback(db);
		}
		if (!rc)
			rc = sync_one(s, data_dir, project, &src, config, &e);
		if (rc)
			fc_log(FC_LOG_WARN, "storage source %lld: the sync failed: %s", (long long)sid, e.msg);
		source_wipe(&src);
		free(config);
		fc_err_clear(&e);
		if (ran)
			(*ran)++;
	}
	return 0;
}

int fc_storage_object_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, FILE **f, uint64_t *size,
			   char mime[64], fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	source src = {0};
	char key[1100] = "";
	int64_t project = 0, task = 0;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT o.project_id, COALESCE(o.task_id, 0), o.object_key, o.mime, o.source_id "
			      "FROM storage_objects o WHERE o.id=?",
			      "I", id)))
		goto out;
	if (fc_stmt_next(st) == 1) {
		project = fc_stmt_int(st, 0);
		task = fc_stmt_int(st, 1);
		snprintf(key, sizeof key, "%s", fc_stmt_text(st, 2));
		snprintf(mime, 64, "%s", fc_stmt_text(st, 3));
		src.id = fc_stmt_int(st, 4);
	}
	fc_stmt_done(st);
	if (!fc_task_media_visible(db, user, project, task) || load_source(db, project, src.id, &src, NULL, err))
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such file.");
out:
	fc_db_rollback(db);
	fc_s3 *s3 = NULL;
	if (!rc && !(rc = client(&src, &s3, err)))
		rc = download(s3, data_dir, key, f, size, err);
	fc_s3_free(s3);
	source_wipe(&src);
	if (rc == FC_EPERM || (rc == FC_EIO && !strcmp(err->slug, "internal"))) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		rc = fc_err_set(err, FC_EBUSY, "storage_unavailable", NULL,
				"The project's storage did not hand out this file: %.200s", why);
	}
	return rc;
}
