/* Dataset versions: the snapshot, its splits, manifest, card and Croissant
 * description, and the kept files. See versions.h. */
#include "api/versions.h"
#include "access/access.h"
#include "api/export_jobs.h"
#include "blob/blob.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "formats/dataset.h"
#include "privacy/audit.h"
#include "quality/project.h"
#include "work/project.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const SPLITS[3] = {"train", "dev", "test"};

typedef struct item {
	int64_t sub, user;
	int task; /* index into snap.tasks */
} item;

typedef struct snap {
	int64_t *tasks; /* ids, ascending */
	int *parent, *split;
	size_t n, cap;
	item *items;
	size_t ni, icap;
} snap;

static void snap_free(snap *s)
{
	free(s->tasks);
	free(s->parent);
	free(s->split);
	free(s->items);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 256;
	void *q = realloc(*p, c * size);
	if (!q)
		return FC_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int find(int *parent, int i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

static int by_user(const void *a, const void *b)
{
	const item *x = a, *y = b;
	return x->user < y->user ? -1 : x->user > y->user;
}

typedef struct group {
	uint64_t order;
	int root, size;
} group;

static int by_order(const void *a, const void *b)
{
	const group *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order ? 1 : x->root - y->root;
}

/* Every task into a split: groups (one task, or tasks joined by a shared
 * contributor) in a seeded order, each into the split furthest below its
 * share of the tasks. */
static int assign_splits(snap *s, const double frac[3], int by_contributor, int64_t seed)
{
	if (!(s->parent = malloc((s->n + 1) * sizeof *s->parent)) || !(s->split = malloc((s->n + 1) * sizeof *s->split)))
		return FC_ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		s->parent[i] = (int)i;
	if (by_contributor && s->ni) {
		item *byu = malloc(s->ni * sizeof *byu);
		if (!byu)
			return FC_ENOMEM;
		memcpy(byu, s->items, s->ni * sizeof *byu);
		qsort(byu, s->ni, sizeof *byu, by_user);
		for (size_t i = 1; i < s->ni; i++)
			if (byu[i].user == byu[i - 1].user) {
				int a = find(s->parent, byu[i].task), b = find(s->parent, byu[i - 1].task);
				if (a != b)
					s->parent[a > b ? a : b] = a < b ? a : b; /* the root is the group's first task */
			}
		free(byu);
	}
	group *g = calloc(s->n + 1, sizeof *g);
	if (!g)
		return FC_ENOMEM;
	size_t ng = 0;
	int *slot = s->split; /* reused: root → group index, then task → split */
	for (size_t i = 0; i < s->n; i++) {
		int r = find(s->parent, (int)i);
		if (r == (int)i) {
			char key[64], hex[65], first[17];
			int k = snprintf(key, sizeof key, "%lld:%lld", (long long)seed, (long long)s->tasks[i]);
			fc_crypto_sha256_hex(key, (size_t)k, hex);
			memcpy(first, hex, 16);
			first[16] = 0;
			uint64_t o = strtoull(first, NULL, 16);
			g[ng] = (group){o, r, 0};
			slot[i] = (int)ng++;
		}
	}
	for (size_t i = 0; i < s->n; i++)
		g[slot[find(s->parent, (int)i)]].size++;
	qsort(g, ng, sizeof *g, by_order);
	double assigned[3] = {0};
	for (size_t k = 0; k < ng; k++) {
		int best = -1;
		double deficit = -INFINITY;
		for (int j = 0; j < 3; j++)
			if (frac[j] > 0 && frac[j] * (double)s->n - assigned[j] > deficit) {
				deficit = frac[j] * (double)s->n - assigned[j];
				best = j;
			}
		assigned[best] += g[k].size;
		s->parent[g[k].root] = -1 - best; /* the root now carries its split */
	}
	free(g);
	for (size_t i = 0; i < s->n; i++) {
		int r = (int)i;
		while (s->parent[r] >= 0 && s->parent[r] != r)
			r = s->parent[r];
		s->split[i] = -1 - s->parent[r];
	}
	return 0;
}

static int task_index(const snap *s, int64_t id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->tasks[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->tasks[lo] == id ? (int)lo : -1;
}

/* Adds 1 to counts[label] for every label string of a result list
 * (choices, labels, rectanglelabels, …; free text left out). */
static void count_labels(json_t *counts, const json_t *result)
{
	size_t i, k;
	json_t *r, *v;
	const char *key;
	json_array_foreach(result, i, r) {
		json_object_foreach(json_object_get(r, "value"), key, v) {
			if (!json_is_array(v) || !strcmp(key, "text") || !strcmp(key, "points"))
				continue;
			json_t *l;
			json_array_foreach(v, k, l)
				if (json_is_string(l)) {
					json_t *c = json_object_get(counts, json_string_value(l));
					json_object_set_new(counts, json_string_value(l),
							    json_integer(c ? json_integer_value(c) + 1 : 1));
				}
		}
	}
}

static const char SNAP_SQL[] =
	"SELECT t.id, s.id, s.user_id, s.result FROM tasks t LEFT JOIN submissions s ON s.task_id=t.id AND "
	"s.erased_at IS NULL AND s.status IN ('accepted','auto_accepted') WHERE t.project_id=? ORDER BY t.id, s.id";

/* Reads the project's tasks and accepted submissions, assigns splits and
 * counts into counts {train:{tasks, annotations, labels}, …}. */
static int take(fc_db *db, int64_t project, snap *s, const double frac[3], int by_contributor, int64_t seed,
		json_t *counts, int64_t *contributors, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err, SNAP_SQL, "I", project);
	if (rc)
		return rc;
	int r;
	while (!rc && (r = fc_stmt_next(st)) == 1) {
		int64_t t = fc_stmt_int(st, 0);
		if (!s->n || s->tasks[s->n - 1] != t) {
			if (grow((void **)&s->tasks, &s->cap, s->n + 1, sizeof *s->tasks))
				rc = FC_ENOMEM;
			else
				s->tasks[s->n++] = t;
		}
		if (!rc && !fc_stmt_isnull(st, 1)) {
			if (grow((void **)&s->items, &s->icap, s->ni + 1, sizeof *s->items))
				rc = FC_ENOMEM;
			else
				s->items[s->ni++] = (item){fc_stmt_int(st, 1), fc_stmt_int(st, 2), (int)s->n - 1};
		}
	}
	fc_stmt_done(st);
	if (!rc && (rc = assign_splits(s, frac, by_contributor, seed)) == 0) {
		for (int j = 0; j < 3; j++)
			json_object_set_new(counts, SPLITS[j],
					    json_pack("{s:i,s:i,s:{}}", "tasks", 0, "annotations", 0, "labels"));
		for (size_t i = 0; i < s->n; i++) {
			json_t *c = json_object_get(json_object_get(counts, SPLITS[s->split[i]]), "tasks");
			json_integer_set(c, json_integer_value(c) + 1);
		}
		/* the labels: the same snapshot read once more, results this time */
		if (!(rc = fc_db_query(db, &st, err, SNAP_SQL, "I", project))) {
			while (fc_stmt_next(st) == 1) {
				if (fc_stmt_isnull(st, 1))
					continue;
				json_t *split =
					json_object_get(counts, SPLITS[s->split[task_index(s, fc_stmt_int(st, 0))]]);
				json_t *a = json_object_get(split, "annotations"), *res = fc_stmt_json(st, 3);
				json_integer_set(a, json_integer_value(a) + 1);
				count_labels(json_object_get(split, "labels"), res);
				json_decref(res);
			}
			fc_stmt_done(st);
		}
		/* distinct contributors: the items sorted by user */
		item *byu = s->ni ? malloc(s->ni * sizeof *byu) : NULL;
		*contributors = 0;
		if (byu) {
			memcpy(byu, s->items, s->ni * sizeof *byu);
			qsort(byu, s->ni, sizeof *byu, by_user);
			for (size_t i = 0; i < s->ni; i++)
				*contributors += !i || byu[i].user != byu[i - 1].user;
			free(byu);
		}
	}
	if (rc == FC_ENOMEM)
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	return rc;
}

/* ---------------- kept files ---------------- */

/* Stores text as a blob and records it as the version's (format, split) file. */
static int keep_text(fc_store *s, const char *data_dir, int64_t version, const char *format, const char *text,
		     char sha[65], fc_err *err)
{
	fc_blob *b = NULL;
	fc_blob_writer *w = NULL;
	size_t n = strlen(text);
	int rc = fc_blob_open(&b, data_dir, err);
	if (!rc && !(rc = fc_blob_writer_open(b, &w, err)) && (rc = fc_blob_writer_write(w, text, n, err)))
		fc_blob_writer_abort(w);
	else if (!rc)
		rc = fc_blob_writer_commit(w, sha, err);
	fc_blob_close(b);
	if (!rc)
		rc = fc_store_write(s, NULL, err,
				    "INSERT INTO dataset_version_files(version_id,format,split,sha256,bytes,created_at) "
				    "VALUES(?,?,'',?,?,?) ON CONFLICT (version_id,format,split) DO UPDATE SET "
				    "sha256=excluded.sha256, bytes=excluded.bytes, created_at=excluded.created_at",
				    "IttII", version, format, sha, (int64_t)n, fc_clock_now());
	return rc;
}

/* Writes (format, split) of the version through the export machinery and
 * records it. */
static int keep_export(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, int64_t version,
		       const char *format, const char *split, fc_export_result *res, fc_err *err)
{
	fc_export_request req = {.format = format, .version = version, .split = split};
	int rc = fc_export_to_blob(s, data_dir, user, project, &req, res, NULL, NULL, err);
	if (!rc)
		rc = fc_store_write(s, NULL, err,
				    "INSERT INTO dataset_version_files(version_id,format,split,sha256,bytes,created_at) "
				    "VALUES(?,?,?,?,?,?) ON CONFLICT (version_id,format,split) DO UPDATE SET "
				    "sha256=excluded.sha256, bytes=excluded.bytes, created_at=excluded.created_at",
				    "ItttII", version, format, split, res->sha256, res->bytes, fc_clock_now());
	return rc;
}

static void url_of(char *out, size_t n, int64_t version, const char *format, const char *split)
{
	if (!strcmp(format, "card") || !strcmp(format, "croissant"))
		snprintf(out, n, "/api/v1/versions/%lld/%s", (long long)version, format);
	else
		snprintf(out, n, "/api/v1/versions/%lld/download?format=%s%s%s", (long long)version, format,
			 *split ? "&split=" : "", split);
}

/* ---------------- the card and the Croissant description ---------------- */

static void card_labels(fc_buf *b, const json_t *counts)
{
	json_t *all = json_object();
	const char *label;
	json_t *v;
	for (int j = 0; j < 3; j++)
		json_object_foreach(json_object_get(json_object_get(counts, SPLITS[j]), "labels"), label, v)
			json_object_set_new(all, label, json_true());
	fc_buf_puts(b, "\n## Labels\n\n| label | train | dev | test |\n|---|---:|---:|---:|\n");
	json_object_foreach(all, label, v) {
		fc_buf_printf(b, "| %s |", label);
		for (int j = 0; j < 3; j++)
			fc_buf_printf(b, " %lld |",
				      (long long)fc_json_int(json_object_get(json_object_get(counts, SPLITS[j]), "labels"),
							     label, 0));
		fc_buf_puts(b, "\n");
	}
	json_decref(all);
}

/* The dataset card: the figures a model card needs, in Markdown. */
static char *card(fc_store *s, const fc_user *user, int64_t project, const json_t *m, const json_t *files)
{
	fc_buf b = {0};
	json_t *p = NULL, *ag = NULL, *stats = NULL, *consent = NULL;
	fc_err e = {0};
	fc_project_get(s, user, project, &p, &e);
	fc_err_clear(&e);
	const json_t *counts = json_object_get(m, "counts");
	fc_buf_printf(&b, "# %s — version %s\n\n", fc_json_str(p, "title", "Project"), fc_json_str(m, "name", ""));
	fc_buf_printf(&b,
		      "Created %s by faircrowd. Labels: %s judgments of accepted work (no aggregation). Labelling "
		      "config SHA-256 `%s`. Splits drawn with seed %lld, grouped by %s%s.\n\n",
		      fc_json_str(m, "created_at", ""), fc_json_str(json_object_get(m, "aggregation"), "labels", "raw"),
		      fc_json_str(m, "config_sha256", ""), (long long)fc_json_int(m, "seed", 0),
		      fc_json_str(m, "group_by", "task"),
		      strcmp(fc_json_str(m, "group_by", ""), "contributor") ? ""
									    : " (no contributor appears in two splits)");
	fc_buf_puts(&b, "## Splits\n\n| split | tasks | annotations |\n|---|---:|---:|\n");
	for (int j = 0; j < 3; j++) {
		const json_t *c = json_object_get(counts, SPLITS[j]);
		fc_buf_printf(&b, "| %s | %lld | %lld |\n", SPLITS[j], (long long)fc_json_int(c, "tasks", 0),
			      (long long)fc_json_int(c, "annotations", 0));
	}
	card_labels(&b, counts);
	fc_buf_printf(&b,
		      "\n## Who labelled\n\n%lld contributors. They appear only as `worker_id`, a per-project "
		      "pseudonym (SHA-256 of a secret salt and the account); no name or email is in the data.\n",
		      (long long)fc_json_int(m, "contributors", 0));
	fc_buf_puts(&b, "\n## Agreement\n\n");
	if (!fc_quality_agreement(s, user, project, NULL, 0, &ag, &e) && ag) {
		json_t *a = json_object_get(ag, "alpha_nominal");
		fc_buf_printf(&b, "Krippendorff's alpha (nominal) on `%s`: ", fc_json_str(ag, "control", "?"));
		if (json_is_number(a))
			fc_buf_printf(&b, "%.3f", json_number_value(a));
		else
			fc_buf_puts(&b, "not enough overlap");
		fc_buf_printf(&b, " over %lld judgments of %lld tasks.\n", (long long)fc_json_int(ag, "judgments", 0),
			      (long long)fc_json_int(ag, "tasks", 0));
	} else {
		fc_buf_printf(&b, "Not measured: %s\n", e.msg[0] ? e.msg : "no categorical control.");
	}
	fc_err_clear(&e);
	fc_buf_printf(&b, "\n## Pay\n\nReward per task: %lld (minor units of %s).",
		      (long long)fc_json_int(p, "reward", 0), fc_json_str(p, "currency", "USD"));
	if (!fc_project_stats(s, user, project, &stats, &e) && json_is_number(json_object_get(stats, "effective_hourly")))
		fc_buf_printf(&b, " Effective pay from measured active time: %.0f minor units per hour.",
			      json_number_value(json_object_get(stats, "effective_hourly")));
	fc_err_clear(&e);
	fc_buf_puts(&b, "\n\n## Consent\n\n");
	if (!fc_consent_get(s, user, project, &consent, &e) && fc_json_str(consent, "text", NULL))
		fc_buf_printf(&b, "Contributors agreed to version %s of these terms:\n\n> %s\n",
			      fc_json_str(consent, "version", "?"), fc_json_str(consent, "text", ""));
	else
		fc_buf_puts(&b, "The project asked for no consent document.\n");
	fc_err_clear(&e);
	const json_t *er = json_object_get(m, "erased_since_previous");
	fc_buf_printf(&b,
		      "\nSince the previous version %lld contributors withdrew consent and %lld of their submissions "
		      "were erased; they are not in this version.\n",
		      (long long)fc_json_int(er, "withdrawals", 0), (long long)fc_json_int(er, "submissions", 0));
	fc_buf_puts(&b, "\n## Files\n\n| file | SHA-256 | bytes |\n|---|---|---:|\n");
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f)
		fc_buf_printf(&b, "| %s | `%s` | %lld |\n", fc_json_str(f, "name", ""), fc_json_str(f, "sha256", ""),
			      (long long)fc_json_int(f, "bytes", 0));
	json_decref(p);
	json_decref(ag);
	json_decref(stats);
	json_decref(consent);
	return b.p; /* NUL-terminated; NULL only when nothing could be written */
}

/* A Croissant 1.0 (MLCommons) JSON-LD description of the version's files. */
static json_t *croissant(const json_t *m, const char *title, int64_t version, const json_t *files)
{
	json_t *dist = json_array(), *fields = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *name = fc_json_str(f, "name", "");
		int md = !strcmp(fc_json_str(f, "format", ""), "card");
		char url[96];
		url_of(url, sizeof url, version, fc_json_str(f, "format", "json"), fc_json_str(f, "split", ""));
		json_array_append_new(dist, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "@type", "cr:FileObject", "@id",
						      name, "name", name, "contentUrl", url, "encodingFormat",
						      md ? "text/markdown" : "application/json", "sha256",
						      fc_json_str(f, "sha256", "")));
	}
	const char *cols[][3] = {{"task_id", "sc:Integer", "$[*].id"},
				 {"data", "sc:Text", "$[*].data"},
				 {"worker_id", "sc:Text", "$[*].annotations[*].worker_id"},
				 {"result", "sc:Text", "$[*].annotations[*].result"}};
	const char *first = json_array_size(files) ? fc_json_str(json_array_get(files, 0), "name", "") : "";
	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
		char id[64];
		snprintf(id, sizeof id, "tasks/%s", cols[k][0]);
		json_array_append_new(fields, json_pack("{s:s,s:s,s:s,s:s,s:{s:{s:s},s:{s:s}}}", "@type", "cr:Field",
							"@id", id, "name", cols[k][0], "dataType", cols[k][1], "source",
							"fileObject", "@id", first, "extract", "jsonPath", cols[k][2]));
	}
	char url[64];
	snprintf(url, sizeof url, "/api/v1/versions/%lld", (long long)version);
	return json_pack(
		"{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s},s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:[{s:s,s:s,s:s,s:o}]}",
		"@context", "@language", "en", "@vocab", "https://schema.org/", "sc", "https://schema.org/", "cr",
		"http://mlcommons.org/croissant/", "dct", "http://purl.org/dc/terms/", "conformsTo", "dct:conformsTo",
		"data", "cr:data", "dataType", "cr:dataType", "extract", "cr:extract", "field", "cr:field",
		"fileObject", "cr:fileObject", "recordSet", "cr:recordSet", "@type", "sc:Dataset", "conformsTo",
		"http://mlcommons.org/croissant/1.0", "name", title, "description",
		"Labels collected on faircrowd; see the dataset card (README) for who labelled, agreement, pay and consent.",
		"version", fc_json_str(m, "name", ""), "datePublished", fc_json_str(m, "created_at", ""), "url", url,
		"distribution", dist, "recordSet", "@type", "cr:RecordSet", "@id", "tasks", "name", "tasks", "field",
		fields);
}

/* ---------------- versions ---------------- */

static int check_body(const json_t *body, double frac[3], int *by_contributor, int64_t *seed, fc_err *err)
{
	const char *name = fc_json_str(body, "name", NULL);
	if (!name || !*name || strlen(name) > 100)
		return fc_err_set(err, FC_EINVAL, name ? "invalid_value" : "missing_field", "name",
				  "name is required: 1 to 100 characters, e.g. \"v1\".");
	const json_t *sp = json_object_get(body, "split"), *g = json_object_get(body, "group_by"),
		     *sd = json_object_get(body, "seed");
	frac[0] = 0.8, frac[1] = 0.1, frac[2] = 0.1;
	if (sp) {
		double sum = 0;
		const char *k;
		json_t *v;
		if (!json_is_object(sp) || !json_object_size(sp))
			goto bad_split;
		frac[0] = frac[1] = frac[2] = 0;
		json_object_foreach((json_t *)sp, k, v) {
			int j = !strcmp(k, "train") ? 0 : !strcmp(k, "dev") ? 1 : !strcmp(k, "test") ? 2 : -1;
			if (j < 0 || !json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
				goto bad_split;
			sum += frac[j] = json_number_value(v);
		}
		if (fabs(sum - 1) > 1e-6)
			goto bad_split;
	}
	if (g && (!json_is_string(g) ||
		  (strcmp(json_string_value(g), "task") && strcmp(json_string_value(g), "contributor"))))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "group_by",
				  "group_by must be \"task\" or \"contributor\".");
	if (sd && !json_is_integer(sd))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "seed", "seed must be an integer.");
	*by_contributor = g && !strcmp(json_string_value(g), "contributor");
	*seed = sd ? json_integer_value(sd) : 0;
	return 0;
bad_split:
	return fc_err_set(err, FC_EINVAL, "invalid_value", "split",
			  "split maps train, dev and test to fractions from 0 to 1 that add up to 1.");
}

/* The version's project for a caller who owns it; 404 otherwise. */
static int version_project(fc_db *db, const fc_user *user, int64_t id, int64_t *project, fc_err *err)
{
	int access = 0;
	int rc = fc_db_int(db, project, err, "SELECT project_id FROM dataset_versions WHERE id=?", "I", id);
	if (!rc)
		rc = fc_project_access(db, user, *project, &access, err);
	if (rc == FC_ENOTFOUND || (!rc && access < FC_ACCESS_OWNER)) {
		fc_err_clear(err);
		return fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "No such dataset version.");
	}
	return rc;
}

static json_t *version_json(fc_stmt *st)
{
	int64_t id = fc_stmt_int(st, 0);
	char url[96];
	json_t *v = json_pack("{s:I,s:I,s:s,s:o,s:o,s:[]}", "id", (json_int_t)id, "project",
			      (json_int_t)fc_stmt_int(st, 1), "name", fc_stmt_text(st, 2), "created_at",
			      fc_stmt_time(st, 3), "manifest", fc_stmt_json(st, 4), "files");
	url_of(url, sizeof url, id, "croissant", "");
	json_object_set_new(v, "croissant_url", json_string(url));
	url_of(url, sizeof url, id, "card", "");
	json_object_set_new(v, "card_url", json_string(url));
	return v;
}

static int load(fc_db *db, int64_t id, json_t **out, fc_err *err)
{
	int rc = fc_db_row_json(db, out, err, version_json, "dataset version",
				"SELECT id, project_id, name, created_at, manifest FROM dataset_versions WHERE id=?",
				"I", id);
	fc_stmt *st;
	if (!rc && !(rc = fc_db_query(db, &st, err,
				      "SELECT format, split, sha256, bytes FROM dataset_version_files WHERE version_id=? "
				      "ORDER BY format, split",
				      "I", id))) {
		while (fc_stmt_next(st) == 1) {
			char url[128];
			url_of(url, sizeof url, id, fc_stmt_text(st, 0), fc_stmt_text(st, 1));
			json_array_append_new(json_object_get(*out, "files"),
					      json_pack("{s:s,s:s,s:s,s:I,s:s}", "format", fc_stmt_text(st, 0), "split",
							fc_stmt_text(st, 1), "sha256", fc_stmt_text(st, 2), "bytes",
							(json_int_t)fc_stmt_int(st, 3), "url", url));
		}
		fc_stmt_done(st);
	}
	return rc;
}

int fc_version_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err)
{
	fc_db *db;
	int64_t project;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	if (!(rc = version_project(db, user, id, &project, err)))
		rc = load(db, id, out, err);
	fc_db_rollback(db);
	return rc;
}

int fc_version_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err)
{
	return fc_owner_list(s, user, project, "Only the project's owners see its versions.",
			     "SELECT id, project_id, name, created_at, manifest FROM dataset_versions WHERE project_id=? "
			     "ORDER BY id DESC LIMIT 100",
			     version_json, out, err);
}

/* Up to 1000 submissions erased since `since` as {task, submission,
 * contributor: pseudonym}, appended to items. */
static int erased_list(fc_db *db, int64_t project, int64_t since, const char *salt, json_t *items, fc_err *err)
{
	fc_stmt *st;
	int rc = fc_db_query(db, &st, err,
			     "SELECT s.task_id, s.id, s.user_id FROM submissions s JOIN tasks t ON t.id=s.task_id WHERE "
			     "t.project_id=? AND s.erased_at IS NOT NULL AND s.erased_at>=? ORDER BY s.id LIMIT 1000",
			     "II", project, since);
	if (rc)
		return rc;
	while (fc_stmt_next(st) == 1) {
		char who[65];
		fc_ds_worker_id(salt, fc_stmt_int(st, 2), who);
		json_array_append_new(items, json_pack("{s:I,s:I,s:s}", "task", (json_int_t)fc_stmt_int(st, 0),
						       "submission", (json_int_t)fc_stmt_int(st, 1), "contributor", who));
	}
	fc_stmt_done(st);
	return 0;
}

/* The snapshot in one write transaction: the version row, its items and
 * the manifest's figures. */
static int freeze(fc_store *s, const fc_user *user, int64_t project, const json_t *body, int64_t *id, json_t **manifest,
		  fc_err *err)
{
	double frac[3] = {0};
	int by_contributor = 0;
	int64_t seed = 0, contributors = 0, since = 0, erased = 0, withdrawn = 0, taken = 0;
	int rc = check_body(body, frac, &by_contributor, &seed, err);
	if (rc)
		return rc;
	const char *name = fc_json_str(body, "name", "");
	snap sn = {0};
	json_t *counts = json_object(), *erased_items = json_array();
	fc_db *db;
	char salt[40];
	/* the pseudonyms of the erased items' contributors (made before the
	 * write transaction: the salt may be created in one of its own) */
	if ((rc = fc_ds_salt(s, project, salt, err)) || (rc = fc_db_begin(s, FC_DB_WRITE, &db, err)))
		goto out;
	char cfg[65] = "";
	fc_stmt *st;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_OWNER, "Only the project's owners make versions.", err)) ||
	    (rc = fc_db_int(db, &taken, err, "SELECT COUNT(*) FROM dataset_versions WHERE project_id=? AND name=?",
			    "It", project, name)))
		goto end;
	if (taken) {
		rc = fc_err_set(err, FC_ECONFLICT, "name_taken", "name", "The project already has a version '%s'.", name);
		goto end;
	}
	if ((rc = fc_db_query(db, &st, err, "SELECT COALESCE(label_config,'') FROM projects WHERE id=?", "I", project)))
		goto end;
	if (fc_stmt_next(st) == 1)
		fc_crypto_sha256_hex(fc_stmt_text(st, 0), strlen(fc_stmt_text(st, 0)), cfg);
	fc_stmt_done(st);
	if ((rc = take(db, project, &sn, frac, by_contributor, seed, counts, &contributors, err)) ||
	    (rc = fc_db_int(db, &since, err,
			    "SELECT COALESCE(MAX(created_at),0) FROM dataset_versions WHERE project_id=?", "I", project)) ||
	    (rc = fc_db_int(db, &erased, err,
			    "SELECT COUNT(*) FROM submissions s JOIN tasks t ON t.id=s.task_id WHERE t.project_id=? AND "
			    "s.erased_at IS NOT NULL AND s.erased_at>=?",
			    "II", project, since)) ||
	    (rc = fc_db_int(db, &withdrawn, err, "SELECT COUNT(*) FROM withdrawals WHERE project_id=? AND at>=?", "II",
			    project, since)) ||
	    (rc = erased_list(db, project, since, salt, erased_items, err)))
		goto end;
	int64_t now = fc_clock_now();
	char ts[32];
	*manifest =
		json_pack("{s:s,s:s,s:s,s:I,s:{s:f,s:f,s:f},s:{s:s,s:n},s:s,s:O,s:I,s:{s:o,s:I,s:I},s:[]}", "name",
			  name, "created_at", fc_clock_format(now, ts, sizeof ts), "group_by",
			  by_contributor ? "contributor" : "task", "seed", (json_int_t)seed, "split", "train", frac[0],
			  "dev", frac[1], "test", frac[2], "aggregation", "labels", "raw", "method", "config_sha256",
			  cfg, "counts", counts, "contributors", (json_int_t)contributors, "erased_since_previous",
			  "since", since ? json_string(fc_clock_format(since, ts, sizeof ts)) : json_null(),
			  "submissions", (json_int_t)erased, "withdrawals", (json_int_t)withdrawn, "files");
	if (*manifest) /* the erased items themselves, by task and contributor pseudonym (never an account id) */
		json_object_set(json_object_get(*manifest, "erased_since_previous"), "items", erased_items);
	if (!*manifest) {
		rc = fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
		goto end;
	}
	char *text = json_dumps(*manifest, JSON_COMPACT);
	rc = fc_db_int(db, id, err,
		       "INSERT INTO dataset_versions(project_id,name,created_by,created_at,manifest) VALUES(?,?,?,?,?) "
		       "RETURNING id",
		       "ItIIt", project, name, user->id, now, text ? text : "{}");
	free(text);
	if (!rc) { /* a dataset leaves with its erasures named: audited as an export is */
		char target[48];
		snprintf(target, sizeof target, "project:%lld", (long long)project);
		json_t *d = json_pack("{s:I,s:s,s:I}", "version", (json_int_t)*id, "name", name, "erased_items",
				      (json_int_t)json_array_size(erased_items));
		rc = fc_audit_append(db, user->id, "version.create", target, d, err);
		json_decref(d);
	}
	/* one row per kept submission, one for a task that has none */
	char *has = rc ? NULL : calloc(sn.n + 1, 1);
	for (size_t i = 0; !rc && i < sn.ni; i++) {
		has[sn.items[i].task] = 1;
		rc = fc_db_exec(db, err,
				"INSERT INTO dataset_version_items(version_id,task_id,submission_id,split) VALUES(?,?,?,?)",
				"IIIt", *id, sn.tasks[sn.items[i].task], sn.items[i].sub,
				SPLITS[sn.split[sn.items[i].task]]);
	}
	for (size_t i = 0; !rc && has && i < sn.n; i++)
		if (!has[i])
			rc = fc_db_exec(
				db, err,
				"INSERT INTO dataset_version_items(version_id,task_id,submission_id,split) VALUES(?,?,0,?)",
				"IIt", *id, sn.tasks[i], SPLITS[sn.split[i]]);
	free(has);
end:
	fc_db_end(db, &rc, err);
out:
	json_decref(counts);
	json_decref(erased_items);
	snap_free(&sn);
	return rc;
}

int fc_version_create(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const json_t *body,
		      json_t **out, fc_err *err)
{
	int64_t id = 0;
	json_t *m = NULL, *p = NULL;
	int rc = freeze(s, user, project, body, &id, &m, err);
	if (rc)
		return rc;
	/* the files: Label Studio JSON of each split, then the card and the
	 * Croissant description that name them */
	json_t *files = json_object_get(m, "files");
	for (int j = 0; !rc && j < 3; j++) {
		if (!fc_json_int(json_object_get(json_object_get(m, "counts"), SPLITS[j]), "tasks", 0))
			continue;
		fc_export_result res;
		char name[32], url[128];
		if (!(rc = keep_export(s, data_dir, user, project, id, "json", SPLITS[j], &res, err))) {
			snprintf(name, sizeof name, "%s.json", SPLITS[j]);
			url_of(url, sizeof url, id, "json", SPLITS[j]);
			json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "name", name, "format",
							       "json", "split", SPLITS[j], "sha256", res.sha256,
							       "bytes", (json_int_t)res.bytes, "url", url));
		}
	}
	char *md = rc ? NULL : card(s, user, project, m, files), sha[65];
	if (!rc && !(rc = md ? keep_text(s, data_dir, id, "card", md, sha, err)
			     : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.")))
		json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:s,s:I}", "name", "README.md", "format", "card",
						       "split", "", "sha256", sha, "bytes", (json_int_t)strlen(md)));
	free(md);
	if (!rc)
		rc = fc_project_get(s, user, project, &p, err);
	json_t *cr = rc ? NULL : croissant(m, fc_json_str(p, "title", "dataset"), id, files);
	char *crt = cr ? json_dumps(cr, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	if (!rc && !(rc = crt ? keep_text(s, data_dir, id, "croissant", crt, sha, err)
			      : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.")))
		json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:s,s:I}", "name", "croissant.json", "format",
						       "croissant", "split", "", "sha256", sha, "bytes",
						       (json_int_t)strlen(crt)));
	free(crt);
	json_decref(cr);
	json_decref(p);
	char *text = rc ? NULL : json_dumps(m, JSON_COMPACT);
	if (!rc)
		rc = text ? fc_store_write(s, NULL, err, "UPDATE dataset_versions SET manifest=? WHERE id=?", "tI",
					   text, id)
			  : fc_err_set(err, FC_ENOMEM, "out_of_memory", NULL, "Out of memory.");
	free(text);
	json_decref(m);
	if (rc) { /* a version is all there or not there */
		fc_err e = {0};
		fc_store_write(s, NULL, &e, "DELETE FROM dataset_version_files WHERE version_id=?", "I", id);
		fc_store_write(s, NULL, &e, "DELETE FROM dataset_version_items WHERE version_id=?", "I", id);
		fc_store_write(s, NULL, &e, "DELETE FROM dataset_versions WHERE id=?", "I", id);
		fc_err_clear(&e);
		return rc;
	}
	return fc_version_get(s, user, id, out, err);
}

int fc_version_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, const char *format,
		    const char *split, FILE **f, uint64_t *size, char filename[128], char type[64], fc_err *err)
{
	int special = format && (!strcmp(format, "card") || !strcmp(format, "croissant"));
	const fc_ds_format *ds = special ? NULL : fc_ds_find(format ? format : "json");
	if (!format)
		format = "json";
	if (!special && !ds) {
		char names[256];
		return fc_err_set(err, FC_EINVAL, "invalid_format", "format", "A version is written as one of %s.",
				  fc_ds_names(names, sizeof names));
	}
	if (!split || !strcmp(split, "all"))
		split = "";
	if (*split && strcmp(split, "train") && strcmp(split, "dev") && strcmp(split, "test"))
		return fc_err_set(err, FC_EINVAL, "invalid_value", "split", "split must be train, dev, test or all.");
	fc_db *db;
	int64_t project, stale = 1;
	char sha[65] = "", name[101] = "";
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	if (!(rc = version_project(db, user, id, &project, err)) &&
	    !(rc = fc_db_query(db, &st, err,
			       "SELECT f.sha256, (SELECT COUNT(*) FROM dataset_version_items i JOIN submissions s ON "
			       "s.id=i.submission_id WHERE i.version_id=f.version_id AND s.erased_at IS NOT NULL AND "
			       "s.erased_at>=f.created_at), v.name FROM dataset_versions v LEFT JOIN dataset_version_files f "
			       "ON f.version_id=v.id AND f.format=? AND f.split=? WHERE v.id=?",
			       "ttI", format, split, id))) {
		if (fc_stmt_next(st) == 1) {
			if (!fc_stmt_isnull(st, 0)) {
				snprintf(sha, sizeof sha, "%s", fc_stmt_text(st, 0));
				stale = !special && fc_stmt_int(st, 1) > 0; /* work erased since: written again */
			}
			snprintf(name, sizeof name, "%s", fc_stmt_text(st, 2));
		}
		fc_stmt_done(st);
	}
	fc_db_rollback(db);
	if (!rc && stale && !special) {
		fc_export_result res;
		if (!(rc = keep_export(s, data_dir, user, project, id, format, split, &res, err)))
			snprintf(sha, sizeof sha, "%s", res.sha256);
	}
	if (!rc && !*sha)
		rc = fc_err_set(err, FC_ENOTFOUND, "not_found", NULL, "The version has no %s file.", format);
	fc_blob *b = NULL;
	if (!rc && !(rc = fc_blob_open(&b, data_dir, err)))
		rc = fc_blob_open_read(b, sha, f, size, err);
	fc_blob_close(b);
	if (rc)
		return rc;
	char stem[101];
	fc_ds_file_stem(name, id, 1, stem, sizeof stem);
	if (special) {
		snprintf(filename, 128, "%s-%s", stem, strcmp(format, "card") ? "croissant.json" : "README.md");
		snprintf(type, 64, "%s", strcmp(format, "card") ? "application/ld+json" : "text/markdown; charset=utf-8");
	} else {
		snprintf(filename, 128, "%s-%s-%s.%s", stem, *split ? split : "all", ds->name, ds->extension);
		snprintf(type, 64, "%s", ds->content_type);
	}
	return 0;
}
