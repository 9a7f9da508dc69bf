#include "quality/project.h"
#include "access/access.h"
#include "access/pseudonym.h"
#include "quality/aggregate.h"
#include "quality/agreement.h"
#include "quality/answers.h"
#include "quality/gold.h"
#include "quality/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pairs of contributors listed in agreement answers, at most. */
#define MAX_PAIRS 200

/* The categorical answer in one Label Studio result, or NULL. */
static const char *answer_of(const json_t *result, const char *control, char *buf, size_t n)
{
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		if (control && (!from || strcmp(from, control)))
			continue;
		const json_t *v = json_object_get(item, "value");
		const json_t *c = json_object_get(v, "choices");
		if (json_is_array(c) && json_array_size(c) == 1 && json_is_string(json_array_get(c, 0))) {
			snprintf(buf, n, "%s", json_string_value(json_array_get(c, 0)));
			return buf;
		}
		const json_t *r = json_object_get(v, "rating");
		if (json_is_integer(r)) {
			snprintf(buf, n, "%lld", (long long)json_integer_value(r));
			return buf;
		}
		const json_t *sel = json_object_get(v, "selected");
		if (json_is_string(sel)) {
			snprintf(buf, n, "%s", json_string_value(sel));
			return buf;
		}
		const json_t *num = json_object_get(v, "number");
		if (json_is_number(num) && isfinite(json_number_value(num))) {
			snprintf(buf, n, "%.17g", json_number_value(num));
			return buf;
		}
	}
	return NULL;
}

static int load(fc_store *s, const fc_user *user, int64_t project, const char *control, fc_answers **out,
		json_t **task_ids, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_answers *a = NULL;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's team sees its quality figures.", err)))
		goto out;
	a = fc_answers_new();
	if (!a) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT task_id, user_id, COALESCE(fixed_result, result) FROM submissions "
			      "WHERE project_id=? AND status<>'rejected' ORDER BY task_id, id",
			      "I", project)))
		goto out;
	while (!rc && fc_stmt_next(st) == 1) {
		json_t *res = fc_stmt_json(st, 2);
		char ans[256], q[32], w[32];
		if (answer_of(res, control, ans, sizeof ans)) {
			snprintf(q, sizeof q, "%lld", (long long)fc_stmt_int(st, 0));
			snprintf(w, sizeof w, "%lld", (long long)fc_stmt_int(st, 1));
			rc = fc_answers_add(a, q, w, ans, err);
		}
		json_decref(res);
	}
	fc_stmt_done(st);
	if (!rc)
		rc = fc_answers_finish(a, err);
	(void)task_ids;
out:
	fc_db_rollback(db);
	if (rc)
		fc_answers_free(a);
	else
		*out = a;
	return rc;
}

/* ---- non-categorical results: regions and transcriptions ---- */

typedef struct label_acc {
	char label[64];
	double sum;
	size_t n;
} label_acc;

typedef struct per_task {
	const char *method; /* boxes, spans, text, iou */
	char control[128];  /* the control aggregated; "" until the first match */
	int spans;          /* regions are text spans (else boxes) */
	json_t *items;      /* labels: one item per task */
	/* iou: sums over (task, pair) comparisons */
	double sum;
	size_t n;
	label_acc *labels;
	size_t n_labels;
	json_t *pairs; /* "a:b" -> [sum, tasks] */
} per_task;

/* Whether a result item belongs to the aggregated control. While the
 * control is unknown (c->control empty), the first item of the right kind
 * names it (the first pass of labels_per_task). */
static int wanted(per_task *c, const json_t *item, int fits)
{
	const char *from = json_string_value(json_object_get(item, "from_name"));
	if (!from || !fits)
		return 0;
	if (!c->control[0])
		snprintf(c->control, sizeof c->control, "%s", from);
	return !strcmp(from, c->control);
}

static int text_of(const json_t *item, const char **s);
static int box_of(const json_t *v, int spans, fc_box *b);

/* Whether an item holds an answer of the kind the method aggregates; for
 * iou the first region found decides between boxes and spans. */
static int fits(per_task *c, const json_t *item)
{
	const json_t *v = json_object_get(item, "value");
	const char *txt;
	fc_box b;
	if (!strcmp(c->method, "text"))
		return text_of(item, &txt);
	if (!strcmp(c->method, "iou") && !c->control[0]) {
		if (box_of(v, 0, &b))
			return c->spans = 0, 1;
		return box_of(v, 1, &b) ? (c->spans = 1) : 0;
	}
	return box_of(v, c->spans, &b);
}

static int text_of(const json_t *item, const char **s)
{
	/* TextArea answers are arrays; a span's "text" is the marked excerpt */
	const json_t *t = json_object_get(json_object_get(item, "value"), "text");
	*s = json_is_array(t) ? json_string_value(json_array_get(t, 0)) : NULL;
	return *s != NULL;
}

/* A region value as a box; spans become boxes of height 1 on one line, so
 * their IoU is the overlap of the character ranges. */
static int box_of(const json_t *v, int spans, fc_box *b)
{
	if (spans) {
		const json_t *a = json_object_get(v, "start"), *e = json_object_get(v, "end");
		if (!json_is_integer(a) || !json_is_integer(e) || json_integer_value(e) < json_integer_value(a))
			return 0;
		*b = (fc_box){(double)json_integer_value(a), 0, (double)(json_integer_value(e) - json_integer_value(a)),
			      1, 0};
		return 1;
	}
	const json_t *x = json_object_get(v, "x"), *y = json_object_get(v, "y"), *w = json_object_get(v, "width"),
		     *h = json_object_get(v, "height");
	if (!json_is_number(x) || !json_is_number(y) || !json_is_number(w) || !json_is_number(h))
		return 0;
	*b = (fc_box){json_number_value(x), json_number_value(y), json_number_value(w), json_number_value(h), 0};
	return b->w >= 0 && b->h >= 0 && isfinite(b->x) && isfinite(b->y) && isfinite(b->w) && isfinite(b->h);
}

/* Regions of one task: clustered per label by IoU >= 0.5; a region is kept
 * when at least half the contributors drew it. Confidence: the agreement
 * on the most disputed region, max(support, 1 - support); 1 with none. */
static int task_regions(per_task *c, int64_t task, const json_t *results, const json_t *users, fc_err *err)
{
	(void)users;
	int spans = c->spans;
	size_t n_workers = json_array_size(results), n = 0, cap = 16;
	fc_box *boxes = malloc(cap * sizeof *boxes);
	const char **labels = malloc(cap * sizeof *labels);
	json_t *regions = json_array();
	double confidence = 1;
	int rc = 0;
	if (!boxes || !labels) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	size_t w, i;
	const json_t *res, *item;
	json_array_foreach(results, w, res) {
		json_array_foreach(res, i, item) {
			fc_box b;
			const json_t *v = json_object_get(item, "value");
			if (!wanted(c, item, box_of(v, spans, &b)))
				continue;
			if (n == cap) {
				cap *= 2;
				fc_box *nb = realloc(boxes, cap * sizeof *boxes);
				if (nb)
					boxes = nb;
				const char **nl = realloc(labels, cap * sizeof *labels);
				if (nl)
					labels = nl;
				if (!nb || !nl) {
					rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					goto out;
				}
			}
			b.worker = (int32_t)w;
			boxes[n] = b;
			labels[n++] = fc_gold_region_label(v);
		}
	}
	/* one clustering per label, in order of first appearance */
	fc_box *same = malloc((n ? n : 1) * sizeof *same);
	if (!same) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	for (size_t k = 0; k < n && !rc; k++) {
		int first = 1;
		for (size_t j = 0; j < k && first; j++)
			first = strcmp(labels[j], labels[k]) != 0;
		if (!first)
			continue;
		size_t m = 0;
		for (size_t j = k; j < n; j++)
			if (!strcmp(labels[j], labels[k]))
				same[m++] = boxes[j];
		fc_box_cluster *cl = NULL;
		size_t nc = 0;
		if ((rc = fc_aggregate_boxes(same, m, n_workers, 0.5, &cl, &nc, err)))
			break;
		for (size_t q = 0; q < nc; q++) {
			double sup = cl[q].support, agree = sup > 1 - sup ? sup : 1 - sup;
			if (agree < confidence)
				confidence = agree;
			if (sup < 0.5)
				continue;
			json_t *r = spans ? json_pack("{s:s,s:I,s:I,s:f}", "label", labels[k], "start",
						      (json_int_t)llround(cl[q].box.x), "end",
						      (json_int_t)llround(cl[q].box.x + cl[q].box.w), "support", sup)
					  : json_pack("{s:s,s:f,s:f,s:f,s:f,s:f}", "label", labels[k], "x", cl[q].box.x,
						      "y", cl[q].box.y, "width", cl[q].box.w, "height", cl[q].box.h,
						      "support", sup);
			json_array_append_new(regions, r);
		}
		free(cl);
	}
	free(same);
	if (!rc)
		json_array_append_new(c->items,
				      json_pack("{s:I,s:I,s:O,s:f}", "task_id", (json_int_t)task, "judgments",
						(json_int_t)n_workers, "regions", regions, "confidence", confidence));
out:
	json_decref(regions);
	free(boxes);
	free(labels);
	return rc;
}

/* Transcriptions of one task: the medoid (see text.h). */
static int task_text(per_task *c, int64_t task, const json_t *results, const json_t *users, fc_err *err)
{
	(void)users;
	size_t n = 0, w, i;
	const char **texts = malloc((json_array_size(results) + 1) * sizeof *texts);
	if (!texts)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	const json_t *res, *item;
	json_array_foreach(results, w, res) {
		json_array_foreach(res, i, item) {
			const char *s;
			if (wanted(c, item, text_of(item, &s))) {
				texts[n++] = s;
				break; /* one transcription per contributor */
			}
		}
	}
	int rc = 0;
	size_t best;
	double conf;
	if (n && !(rc = fc_text_medoid(texts, n, &best, &conf, err)))
		json_array_append_new(c->items, json_pack("{s:I,s:I,s:s,s:f}", "task_id", (json_int_t)task, "judgments",
							  (json_int_t)n, "label", texts[best], "confidence", conf));
	free(texts);
	return rc;
}

/* Kept results of a project, grouped by task. */
static const char KEPT_RESULTS[] = "SELECT task_id, COALESCE(fixed_result, result), user_id FROM submissions "
				   "WHERE project_id=? AND status<>'rejected' ORDER BY task_id, id";

typedef int (*task_fn)(per_task *c, int64_t task, const json_t *results, const json_t *users, fc_err *err);

/* Calls fn for each task with its kept results (and their authors' ids),
 * after finding the control when none was named; c->control stays empty
 * when the project has no answer of the kind. */
static int walk_tasks(fc_store *s, const fc_user *user, int64_t project, per_task *c, task_fn fn, fc_err *err)
{
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_stmt *st;
	json_t *results = json_array(), *users = json_array();
	int64_t task = -1;
	if ((rc = fc_project_require(db, user, project, FC_ACCESS_REVIEWER,
				     "Only the project's team sees its quality figures.", err)) ||
	    (rc = fc_db_query(db, &st, err, KEPT_RESULTS, "I", project)))
		goto out;
	/* First pass, when the control is not named or (iou) its kind is not
	 * known: the first item of the right kind, of the named control if any,
	 * names the control and, for iou, whether its regions are spans. None:
	 * c->control stays empty, and nothing is aggregated. */
	if (!c->control[0] || !strcmp(c->method, "iou")) {
		char named[sizeof c->control];
		snprintf(named, sizeof named, "%s", c->control);
		c->control[0] = 0;
		while (!c->control[0] && fc_stmt_next(st) == 1) {
			json_t *r = fc_stmt_json(st, 1);
			size_t i;
			const json_t *item;
			json_array_foreach(r, i, item) {
				const char *from = json_string_value(json_object_get(item, "from_name"));
				if ((!named[0] || (from && !strcmp(from, named))) && wanted(c, item, fits(c, item)))
					break;
			}
			json_decref(r);
		}
		fc_stmt_done(st);
		if (!c->control[0] || (rc = fc_db_query(db, &st, err, KEPT_RESULTS, "I", project)))
			goto out;
	}
	for (int more = 1; !rc && more;) {
		more = fc_stmt_next(st) == 1;
		int64_t t = more ? fc_stmt_int(st, 0) : -2;
		if (t != task && task >= 0 && json_array_size(results)) {
			rc = fn(c, task, results, users, err);
			json_array_clear(results);
			json_array_clear(users);
		}
		task = t;
		if (more) {
			json_t *r = fc_stmt_json(st, 1);
			json_array_append_new(results, json_is_array(r) ? r : (json_decref(r), json_array()));
			json_array_append_new(users, json_integer(fc_stmt_int(st, 2)));
		}
	}
	fc_stmt_done(st);
out:
	json_decref(results);
	json_decref(users);
	fc_db_rollback(db);
	return rc;
}

static int labels_per_task(fc_store *s, const fc_user *user, int64_t project, const char *method, const char *control,
			   json_t **out, fc_err *err)
{
	per_task c = {.method = method, .items = json_array(), .spans = !strcmp(method, "spans")};
	if (control)
		snprintf(c.control, sizeof c.control, "%s", control);
	int rc = walk_tasks(s, user, project, &c, !strcmp(method, "text") ? (task_fn)task_text : (task_fn)task_regions,
			    err);
	if (!rc)
		*out = json_pack("{s:s,s:o,s:O}", "method", method, "control",
				 c.control[0] ? json_string(c.control) : json_null(), "items", c.items);
	json_decref(c.items);
	return rc;
}

/* ---- pairwise IoU of regions ---- */

typedef struct region {
	const char *label;
	fc_box box;
} region;

/* How well two contributors' regions (of one label, or all with label
 * NULL) match: regions paired greedily, best IoU first, same label only;
 * the sum of the pairs' IoU over the larger count. 1 when neither drew
 * any; -1 (no comparison) when label is set and neither drew that label. */
static double match_score(const region *ra, size_t na, const region *rb, size_t nb, const char *label, char *used_a,
			  char *used_b)
{
	size_t ca = 0, cb = 0;
	for (size_t i = 0; i < na; i++)
		ca += !label || !strcmp(ra[i].label, label);
	for (size_t j = 0; j < nb; j++)
		cb += !label || !strcmp(rb[j].label, label);
	if (!ca && !cb)
		return label ? -1 : 1;
	memset(used_a, 0, na);
	memset(used_b, 0, nb);
	double sum = 0;
	for (;;) {
		double best = 0;
		size_t bi = 0, bj = 0;
		for (size_t i = 0; i < na; i++) {
			if (used_a[i] || (label && strcmp(ra[i].label, label)))
				continue;
			for (size_t j = 0; j < nb; j++) {
				if (used_b[j] || strcmp(ra[i].label, rb[j].label))
					continue;
				double iou = fc_box_iou(&ra[i].box, &rb[j].box);
				if (iou > best) {
					best = iou;
					bi = i;
					bj = j;
				}
			}
		}
		if (best <= 0)
			break;
		used_a[bi] = used_b[bj] = 1;
		sum += best;
	}
	return sum / (double)(ca > cb ? ca : cb);
}

static label_acc *label_slot(per_task *c, const char *label)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].label, label))
			return &c->labels[i];
	label_acc *n = realloc(c->labels, (c->n_labels + 1) * sizeof *n);
	if (!n)
		return NULL;
	c->labels = n;
	label_acc *l = &c->labels[c->n_labels++];
	snprintf(l->label, sizeof l->label, "%s", label);
	l->sum = 0;
	l->n = 0;
	return l;
}

static int task_iou(per_task *c, int64_t task, const json_t *results, const json_t *users, fc_err *err)
{
	(void)task;
	size_t m = json_array_size(results), total = 0, w, i;
	const json_t *res, *item;
	json_array_foreach(results, w, res)
		total += json_array_size(res);
	region *all = malloc((total ? total : 1) * sizeof *all);
	size_t *start = malloc((m + 1) * sizeof *start);
	char *used = malloc(2 * (total ? total : 1));
	int rc = 0;
	if (!all || !start || !used) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	size_t n = 0;
	json_array_foreach(results, w, res) {
		start[w] = n;
		json_array_foreach(res, i, item) {
			const json_t *v = json_object_get(item, "value");
			fc_box b;
			if (wanted(c, item, box_of(v, c->spans, &b)))
				all[n++] = (region){fc_gold_region_label(v), b};
		}
	}
	start[m] = n;
	for (size_t x = 0; x < m && !rc; x++)
		for (size_t y = x + 1; y < m && !rc; y++) {
			const region *ra = all + start[x], *rb = all + start[y];
			size_t na = start[x + 1] - start[x], nb = start[y + 1] - start[y];
			double score = match_score(ra, na, rb, nb, NULL, used, used + total);
			c->sum += score;
			c->n++;
			/* per label: each label either of them drew */
			for (size_t k = 0; k < na + nb && !rc; k++) {
				const char *label = k < na ? ra[k].label : rb[k - na].label;
				int seen = 0;
				for (size_t e = 0; e < k && !seen; e++)
					seen = !strcmp(e < na ? ra[e].label : rb[e - na].label, label);
				if (seen)
					continue;
				label_acc *l = label_slot(c, label);
				if (!l) {
					rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					break;
				}
				l->sum += match_score(ra, na, rb, nb, label, used, used + total);
				l->n++;
			}
			long long ua = json_integer_value(json_array_get(users, x)),
				  ub = json_integer_value(json_array_get(users, y));
			char key[48];
			snprintf(key, sizeof key, "%lld:%lld", ua < ub ? ua : ub, ua < ub ? ub : ua);
			json_t *acc = json_object_get(c->pairs, key);
			if (!acc) {
				acc = json_pack("[f,i]", 0.0, 0);
				json_object_set_new(c->pairs, key, acc);
			}
			json_array_set_new(acc, 0, json_real(json_real_value(json_array_get(acc, 0)) + score));
			json_array_set_new(acc, 1, json_integer(json_integer_value(json_array_get(acc, 1)) + 1));
		}
out:
	free(all);
	free(start);
	free(used);
	return rc;
}

static int cmp_pair_json(const void *x, const void *y)
{
	const json_t *p = *(json_t *const *)x, *q = *(json_t *const *)y;
	json_int_t tp = json_integer_value(json_object_get(p, "tasks")),
		   tq = json_integer_value(json_object_get(q, "tasks"));
	if (tp != tq)
		return tp > tq ? -1 : 1;
	int c = strcmp(json_string_value(json_object_get(p, "a")), json_string_value(json_object_get(q, "a")));
	return c ? c : strcmp(json_string_value(json_object_get(p, "b")), json_string_value(json_object_get(q, "b")));
}

int fc_quality_agreement_iou(fc_store *s, const fc_user *user, int64_t project, const char *control, json_t **out,
			     fc_err *err)
{
	per_task c = {.method = "iou", .pairs = json_object()};
	if (control)
		snprintf(c.control, sizeof c.control, "%s", control);
	char salt[40];
	int rc = walk_tasks(s, user, project, &c, task_iou, err);
	if (!rc)
		rc = fc_pseudonym_salt(s, project, salt, err);
	if (!rc) {
		json_t *labels = json_array(), *pairs = json_array();
		for (size_t i = 0; i < c.n_labels; i++)
			json_array_append_new(labels, json_pack("{s:s,s:f,s:I}", "label", c.labels[i].label, "mean_iou",
								c.labels[i].sum / (double)c.labels[i].n, "comparisons",
								(json_int_t)c.labels[i].n));
		size_t np = json_object_size(c.pairs), k = 0;
		json_t **v = malloc((np ? np : 1) * sizeof *v);
		const char *key;
		json_t *acc;
		json_object_foreach(c.pairs, key, acc) {
			long long a = 0, b = 0;
			sscanf(key, "%lld:%lld", &a, &b);
			json_int_t t = json_integer_value(json_array_get(acc, 1));
			char pa[65], pb[65]; /* pseudonyms, as in the pairs of fc_quality_agreement */
			fc_pseudonym(salt, a, pa);
			fc_pseudonym(salt, b, pb);
			if (v)
				v[k++] = json_pack("{s:s,s:s,s:I,s:f}", "a", pa, "b", pb, "tasks", t, "mean_iou",
						   json_real_value(json_array_get(acc, 0)) / (double)t);
		}
		if (v)
			qsort(v, k, sizeof *v, cmp_pair_json);
		for (size_t i = 0; i < k; i++) {
			if (i < MAX_PAIRS)
				json_array_append(pairs, v[i]);
			json_decref(v[i]);
		}
		free(v);
		*out = json_pack("{s:s,s:o,s:o,s:o,s:I,s:o,s:o,s:I}", "method", "iou", "control",
				 c.control[0] ? json_string(c.control) : json_null(), "kind",
				 c.control[0] ? json_string(c.spans ? "spans" : "boxes") : json_null(), "mean_iou",
				 c.n ? json_real(c.sum / (double)c.n) : json_null(), "comparisons", (json_int_t)c.n,
				 "per_label", labels, "pairs", pairs, "pairs_total", (json_int_t)k);
	}
	json_decref(c.pairs);
	free(c.labels);
	return rc;
}

int fc_quality_labels(fc_store *s, const fc_user *user, int64_t project, const char *method, const char *control,
		      json_t **out, fc_err *err)
{
	if (!strcmp(method, "boxes") || !strcmp(method, "spans") || !strcmp(method, "text"))
		return labels_per_task(s, user, project, method, control, out, err);
	int median = !strcmp(method, "median"), m = fc_method_parse(method);
	if (m < 0 && !median)
		return fc_err_set(err, FC_EINVAL, "invalid_value", "method",
				  "method must be mv, ds, ods, glad, mace, ebcc, auto, median, boxes, spans or text.");
	fc_answers *a = NULL;
	int rc = load(s, user, project, control, &a, NULL, err);
	if (rc)
		return rc;
	fc_aggregate r = {0};
	if (a->n == 0) {
		*out = json_pack("{s:s,s:o,s:[]}", "method", method, "control",
				 control ? json_string(control) : json_null(), "items");
		fc_answers_free(a);
		return 0;
	}
	rc = median ? fc_aggregate_median(a, 0, &r, err) : fc_aggregate_run((fc_method)m, a, NULL, &r, err);
	if (!rc) {
		json_t *items = json_array();
		for (size_t q = 0; q < a->n_questions; q++) {
			long long tid = atoll(fc_answers_question_name(a, (int32_t)q));
			json_int_t judgments = (json_int_t)(a->q_start[q + 1] - a->q_start[q]);
			json_array_append_new(items, median ? json_pack("{s:I,s:f,s:f,s:I}", "task_id", (json_int_t)tid,
									"value", r.value[q], "confidence",
									r.confidence[q], "judgments", judgments)
							    : json_pack("{s:I,s:s,s:f,s:I}", "task_id", (json_int_t)tid,
									"label", fc_answers_label_name(a, r.label[q]),
									"confidence", r.confidence[q], "judgments",
									judgments));
		}
		*out = json_pack("{s:s,s:o,s:o}", "method", method, "control",
				 control ? json_string(control) : json_null(), "items", items);
		if (m == FC_METHOD_AUTO) {
			json_t *scores = json_object();
			for (int c = 0; c < FC_METHOD_COUNT; c++)
				if (!isnan(r.score[c]) && c != FC_METHOD_MV && c != FC_METHOD_AUTO)
					json_object_set_new(scores, fc_method_name((fc_method)c), json_real(r.score[c]));
			json_object_set_new(*out, "chosen", json_string(fc_method_name(r.method)));
			json_object_set_new(*out, "heldout_loglik", scores);
		}
	}
	fc_aggregate_free(&r);
	fc_answers_free(a);
	return rc;
}

static json_t *real_or_null(double v) { return isnan(v) ? json_null() : json_real(v); }

/* per_label: alpha of each label against the rest; pairs: each pair of
 * contributors with MIN_COMMON tasks in common, the most shared first (at
 * most MAX_PAIRS; pairs_total counts them all), named by their pseudonyms
 * under the project's salt (access/pseudonym.h: the worker_id of exports),
 * never by account. */
#define MIN_COMMON 2
static int add_label_and_pair_agreement(const fc_answers *a, const char *salt, json_t *out, fc_err *err)
{
	json_t *per_label = json_array(), *pairs = json_array();
	json_object_set_new(out, "per_label", per_label);
	json_object_set_new(out, "pairs", pairs);
	json_object_set_new(out, "pairs_total", json_integer(0));
	if (!a->n)
		return 0;
	double *alpha = malloc(a->n_labels * sizeof *alpha);
	if (!alpha)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	int rc = fc_agreement_alpha_per_label(a, alpha, err);
	for (size_t l = 0; !rc && l < a->n_labels; l++)
		json_array_append_new(per_label, json_pack("{s:s,s:o}", "label", fc_answers_label_name(a, (int32_t)l),
							   "alpha", real_or_null(alpha[l])));
	free(alpha);
	fc_pair_agreement *p = NULL;
	size_t n = 0;
	if (!rc && !(rc = fc_agreement_pairs(a, MIN_COMMON, &p, &n, err))) {
		for (size_t i = 0; i < n && i < MAX_PAIRS; i++) {
			char pa[65], pb[65]; /* the project's pseudonyms, as in its exports */
			fc_pseudonym(salt, atoll(fc_answers_worker_name(a, p[i].a)), pa);
			fc_pseudonym(salt, atoll(fc_answers_worker_name(a, p[i].b)), pb);
			json_array_append_new(pairs, json_pack("{s:s,s:s,s:I,s:f,s:o}", "a", pa, "b", pb, "tasks",
							       (json_int_t)p[i].common, "observed", p[i].observed,
							       "cohen_kappa", real_or_null(p[i].kappa)));
		}
		json_object_set_new(out, "pairs_total", json_integer((json_int_t)n));
		free(p);
	}
	return rc;
}

int fc_quality_agreement(fc_store *s, const fc_user *user, int64_t project, const char *control, int detail,
			 json_t **out, fc_err *err)
{
	fc_answers *a = NULL;
	int rc = load(s, user, project, control, &a, NULL, err);
	if (rc)
		return rc;
	json_t *alpha = json_null(), *fleiss = json_null(), *cohen = json_null();
	double v;
	fc_err ignore = {0};
	if (a->n && !fc_agreement_alpha(a, FC_LEVEL_NOMINAL, &v, &ignore))
		alpha = json_real(v);
	fc_err_clear(&ignore);
	if (a->n && !fc_agreement_fleiss(a, &v, &ignore))
		fleiss = json_real(v);
	fc_err_clear(&ignore);
	if (a->n && !fc_agreement_cohen(a, &v, &ignore))
		cohen = json_real(v);
	fc_err_clear(&ignore);
	*out = json_pack("{s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "control", control ? json_string(control) : json_null(),
			 "alpha_nominal", alpha, "fleiss_kappa", fleiss, "cohen_kappa", cohen, "judgments",
			 (json_int_t)a->n, "tasks", (json_int_t)a->n_questions, "contributors", (json_int_t)a->n_workers);
	char salt[40];
	rc = detail ? fc_pseudonym_salt(s, project, salt, err) : 0;
	if (!rc && detail)
		rc = add_label_and_pair_agreement(a, salt, *out, err);
	fc_answers_free(a);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
