/* labelconfig_result.c — checks a Label Studio result array against a parsed
 * config: the item envelope (from_name, to_name, type, id), relations,
 * required controls and usage limits here; each control's value goes to the
 * checker its tag row names (labelconfig_values.c). */
#include "core/json.h"
#include "work/labelconfig_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DETAILS 100

void fc_lc_fail(struct vctx *v, const char *field, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (v->nfail == 0)
		fc_err_set(v->err, FC_EINVAL, "invalid_result", field, "%s", msg);
	if (v->nfail < MAX_DETAILS)
		fc_err_add_detail(v->err, "invalid_result", field, "%s", msg);
	v->nfail++;
}

/* Field paths are built by hand rather than with snprintf so that a path
 * cut short is an accepted outcome (fc_err keeps 96 bytes of it anyway). */
void fc_lc_join(char *dst, size_t n, const char *base, const char *sep, const char *key)
{
	const char *parts[3] = {base, sep, key};
	size_t len = 0;
	for (int i = 0; i < 3; i++)
		for (const char *c = parts[i]; *c && len + 1 < n; c++)
			dst[len++] = *c;
	dst[len] = 0;
}

void fc_lc_join_index(char *dst, size_t n, const char *base, size_t i)
{
	char idx[32];
	snprintf(idx, sizeof idx, "[%zu]", i);
	fc_lc_join(dst, n, base, idx, "");
}

static int has_type(const json_t *j, enum fc_lc_json type)
{
	switch (type) {
	case J_NUMBER: return json_is_number(j);
	case J_INTEGER: return json_is_integer(j);
	case J_STRING: return json_is_string(j);
	case J_ARRAY: return json_is_array(j);
	case J_OBJECT: return json_is_object(j);
	}
	return 0;
}

const json_t *fc_lc_need(struct vctx *v, const json_t *obj, const char *base, const char *key, enum fc_lc_json type,
			 const char *what)
{
	const json_t *j = json_object_get(obj, key);
	if (has_type(j, type))
		return j;
	char f[FC_LC_PATH];
	fc_lc_join(f, sizeof f, base, ".", key);
	if (j)
		fc_lc_fail(v, f, "%s must be %s.", f, what);
	else
		fc_lc_fail(v, f, "%s is missing; it must be %s.", f, what);
	return NULL;
}

int fc_lc_need_number(struct vctx *v, const json_t *obj, const char *base, const char *key, double *out)
{
	const json_t *j = fc_lc_need(v, obj, base, key, J_NUMBER, "a number");
	if (j)
		*out = json_number_value(j);
	return j != NULL;
}

int fc_lc_need_integer(struct vctx *v, const json_t *obj, const char *base, const char *key, json_int_t *out)
{
	const json_t *j = fc_lc_need(v, obj, base, key, J_INTEGER, "a whole number");
	if (j)
		*out = json_integer_value(j);
	return j != NULL;
}

int fc_lc_need_string(struct vctx *v, const json_t *obj, const char *base, const char *key, const char **out)
{
	const json_t *j = fc_lc_need(v, obj, base, key, J_STRING, "a string");
	if (j)
		*out = json_string_value(j);
	return j != NULL;
}

const json_t *fc_lc_need_list(struct vctx *v, const json_t *obj, const char *base, const char *key, const char *what,
			      const char *empty, char *f)
{
	fc_lc_join(f, FC_LC_PATH, base, ".", key);
	const json_t *arr = fc_lc_need(v, obj, base, key, J_ARRAY, what);
	if (arr && json_array_size(arr) == 0) {
		fc_lc_fail(v, f, "%s is empty; %s.", f, empty);
		return NULL;
	}
	return arr;
}

const char *fc_lc_string_at(struct vctx *v, const json_t *arr, size_t i, const char *f, char *fi, const char *what)
{
	const json_t *s = json_array_get(arr, i);
	fc_lc_join_index(fi, FC_LC_PATH, f, i);
	if (json_is_string(s))
		return json_string_value(s);
	fc_lc_fail(v, fi, "%s must be %s.", fi, what);
	return NULL;
}

ptrdiff_t fc_lc_option_index(const struct fc_lc_control *k, const char *s)
{
	for (size_t i = 0; i < k->nopts; i++)
		if (!strcmp(k->opts[i].alias ? k->opts[i].alias : k->opts[i].value, s))
			return (ptrdiff_t)i;
	return -1;
}

void fc_lc_count_option(struct vctx *v, const struct fc_lc_control *k, size_t opt) { v->usage[k->opt_base + opt]++; }

const json_t *fc_lc_data_of(const struct vctx *v, const struct fc_lc_object *o)
{
	if (o && o->literal)
		return o->literal;
	return v->data && o && o->field ? json_object_get(v->data, o->field) : NULL;
}

int fc_lc_name_match(const char *pattern, const char *flag, const char *s, long *idx)
{
	*idx = 0;
	const char *at = flag ? strstr(pattern, flag) : NULL;
	if (!at)
		return !strcmp(pattern, s);
	size_t pre = (size_t)(at - pattern), fl = strlen(flag), post = strlen(at + fl), n = strlen(s);
	if (n < pre + post + 1 || memcmp(s, pattern, pre) || strcmp(s + n - post, at + fl))
		return 0;
	long x = 0;
	for (const char *d = s + pre; d < s + n - post; d++) {
		if (*d < '0' || *d > '9' || x > 100000000)
			return 0;
		x = x * 10 + (*d - '0');
	}
	*idx = x;
	return 1;
}

void fc_lc_check_options(struct vctx *v, const struct fc_lc_control *k, const json_t *arr, const char *f,
			 const char *noun, const json_t *more)
{
	char fi[FC_LC_PATH];
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = fc_lc_string_at(v, arr, i, f, fi, "a string");
		if (!s)
			continue;
		ptrdiff_t o = fc_lc_option_index(k, s);
		if (o >= 0)
			fc_lc_count_option(v, k, (size_t)o);
		else if (!more || !fc_lc_listed(more, s))
			fc_lc_fail(v, fi, "%s: \"%s\" is not a %s of <%s name=\"%s\">.", fi, s, noun, k->tag->name,
				   k->name);
	}
}

const json_t *fc_lc_dynamic_list(const struct vctx *v, const struct fc_lc_control *k)
{
	if (!k->dynamic_field)
		return NULL;
	const json_t *listed = v->data ? json_object_get(v->data, k->dynamic_field) : NULL;
	return listed ? listed : json_null();
}

void fc_lc_check_label_list(struct vctx *v, const char *base, const struct fc_lc_control *k, const json_t *value,
			    const char *key)
{
	char f[FC_LC_PATH];
	const json_t *arr =
		fc_lc_need_list(v, value, base, key, "an array of label names", "a region needs at least one label", f);
	/* Dynamic labels (value="$labels") are the ones the task lists. */
	fc_lc_check_options(v, k, arr, f, "label", fc_lc_dynamic_list(v, k));
}

/* The control results name: a Repeater's copies add their index to the
 * name ("labels_{{idx}}" answers as "labels_0", "labels_1", …). */
static const struct fc_lc_control *control_named(const fc_labelconfig *c, const char *name, long *idx)
{
	for (size_t i = 0; i < c->ncontrols; i++)
		if (c->controls[i].name && fc_lc_name_match(c->controls[i].name, c->controls[i].repeat_flag, name, idx))
			return &c->controls[i];
	return NULL;
}

static int is_region_type(const char *type)
{
	for (size_t i = 0; i < fc_lc_ntags; i++)
		if (fc_lc_tags[i].kind == K_CONTROL && (fc_lc_tags[i].flags & F_REGION) &&
		    !strcmp(fc_lc_tags[i].lower, type))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int is_region_id(const struct vctx *v, const char *id)
{
	return v->nregions && bsearch(&id, v->region_ids, v->nregions, sizeof *v->region_ids, cmp_str) != NULL;
}

/* The relation labels the config defines; *any tells whether it has
 * Relations at all, for the message. */
static int relation_label_defined(const fc_labelconfig *c, const char *s, int *any)
{
	*any = 0;
	for (size_t i = 0; i < c->ncontrols; i++) {
		if (!(c->controls[i].tag->flags & F_JOINS))
			continue;
		*any = 1;
		if (fc_lc_option_index(&c->controls[i], s) >= 0)
			return 1;
	}
	return 0;
}

/* Label Studio stores relations as {"type":"relation","from_id","to_id",
 * "direction","labels"} with no from_name: they join two regions. */
static void check_relation(struct vctx *v, const char *base, const json_t *item)
{
	static const char *const ends[2] = {"from_id", "to_id"};
	char f[FC_LC_PATH], fi[FC_LC_PATH];
	for (int i = 0; i < 2; i++) {
		const char *id;
		if (!fc_lc_need_string(v, item, base, ends[i], &id))
			continue;
		if (!is_region_id(v, id)) {
			fc_lc_join(f, sizeof f, base, ".", ends[i]);
			fc_lc_fail(v, f, "%s \"%s\" is not the id of a region in this result.", f, id);
		}
	}
	const json_t *dir = json_object_get(item, "direction");
	if (dir) {
		const char *d = json_string_value(dir);
		if (!d || (strcmp(d, "right") && strcmp(d, "left") && strcmp(d, "bi"))) {
			fc_lc_join(f, sizeof f, base, ".", "direction");
			fc_lc_fail(v, f, "%s must be \"right\", \"left\" or \"bi\".", f);
		}
	}
	if (!json_object_get(item, "labels"))
		return;
	fc_lc_join(f, sizeof f, base, ".", "labels");
	const json_t *labels = fc_lc_need(v, item, base, "labels", J_ARRAY, "an array of relation names");
	for (size_t i = 0; i < json_array_size(labels); i++) {
		int any;
		const char *s = fc_lc_string_at(v, labels, i, f, fi, "a string");
		if (s && !relation_label_defined(v->c, s, &any))
			fc_lc_fail(v, fi,
				   any ? "%s: \"%s\" is not a <Relation> of the labeling config."
				       : "%s: \"%s\" cannot be used: the labeling config defines no <Relations>.",
				   fi, s);
	}
}

/* Which of k's objects to_name names: one of its toName list, or the whole
 * list as written (Label Studio writes either for multi-object controls). */
static int match_target(const fc_labelconfig *c, const struct fc_lc_control *k, const char *to_name,
			const struct fc_lc_object **obj)
{
	*obj = NULL;
	long idx;
	for (size_t t = 0; t < k->nto; t++)
		if (fc_lc_name_match(c->objects[k->to[t]].name, c->objects[k->to[t]].repeat_flag, to_name, &idx)) {
			*obj = &c->objects[k->to[t]];
			return 1;
		}
	/* A control without toName (Label Studio lets TextArea, Rating, …
	 * go without) labels nothing in particular. */
	if (!k->nto && !k->to_raw)
		return 1;
	if (k->to_raw && !strcmp(k->to_raw, to_name)) {
		*obj = k->nto ? &c->objects[k->to[0]] : NULL;
		return 1;
	}
	return 0;
}

/* The item's own id: optional, but a per-region control's answer must name
 * the region it answers for, by its id or (Label Studio's other spelling)
 * by parentID. */
static void check_item_id(struct vctx *v, const char *base, const struct fc_lc_control *k, const json_t *item)
{
	char f[FC_LC_PATH];
	const json_t *id = json_object_get(item, "id");
	const json_t *parent = json_object_get(item, "parentID");
	fc_lc_join(f, sizeof f, base, ".", "id");
	if (id && !json_is_string(id)) {
		fc_lc_fail(v, f, "%s must be a string.", f);
		return;
	}
	if (parent && !json_is_null(parent)) {
		fc_lc_join(f, sizeof f, base, ".", "parentID");
		if (!json_is_string(parent))
			fc_lc_fail(v, f, "%s must be a string.", f);
		else if (!is_region_id(v, json_string_value(parent)))
			fc_lc_fail(v, f, "%s \"%s\" is not the id of a region in this result.", f,
				   json_string_value(parent));
		return;
	}
	if (k->per_region && !id)
		fc_lc_fail(v, f, "%s is missing; <%s name=\"%s\"> answers per region, so its id must be the region's id.",
			   f, k->tag->name, k->name);
	else if (k->per_region && !is_region_id(v, json_string_value(id)))
		fc_lc_fail(v, f, "%s \"%s\" is not the id of a region in this result.", f, json_string_value(id));
}

/* A Repeater's copy exists only for the items of the task's list. */
static void check_repeat_index(struct vctx *v, const char *f, const struct fc_lc_control *k, const char *from, long idx)
{
	const json_t *list = k->repeat_field && v->data ? json_object_get(v->data, k->repeat_field) : NULL;
	if (json_is_array(list) && (size_t)idx >= json_array_size(list))
		fc_lc_fail(v, f, "%s \"%s\" is copy %ld of a <Repeater>, but the task's %s has %zu items.", f, from,
			   idx, k->repeat_field, json_array_size(list));
}

/* perItem answers (and regions on a list of images) say which item they
 * are about with value.item_index. */
static void check_item_index(struct vctx *v, const char *base, const struct fc_lc_control *k,
			     const struct fc_lc_object *obj, const json_t *value)
{
	const json_t *j = json_object_get(value, "item_index");
	char f[FC_LC_PATH];
	fc_lc_join(f, sizeof f, base, ".", "item_index");
	if (!j || json_is_null(j))
		return;
	if (!json_is_integer(j) || json_integer_value(j) < 0) {
		fc_lc_fail(v, f, "%s must be a whole number, 0 or more (the item the answer is about).", f);
		return;
	}
	const json_t *items = fc_lc_data_of(v, obj);
	(void)k;
	if (json_is_array(items) && (size_t)json_integer_value(j) >= json_array_size(items))
		fc_lc_fail(v, f, "%s is %" JSON_INTEGER_FORMAT ", but the task has %zu items there.", f,
			   json_integer_value(j), json_array_size(items));
}

static void check_item(struct vctx *v, size_t i, const json_t *item)
{
	const fc_labelconfig *c = v->c;
	char base[32], f[FC_LC_PATH];
	snprintf(base, sizeof base, "result[%zu]", i);
	if (!json_is_object(item)) {
		fc_lc_fail(v, base, "%s must be an object.", base);
		return;
	}
	const json_t *type = json_object_get(item, "type");
	if (json_is_string(type) && !strcmp(json_string_value(type), "relation")) {
		v->nrelations++;
		check_relation(v, base, item);
		return;
	}
	const char *from, *to, *ty;
	long idx = 0;
	if (!fc_lc_need_string(v, item, base, "from_name", &from))
		return;
	const struct fc_lc_control *k = control_named(c, from, &idx);
	fc_lc_join(f, sizeof f, base, ".", "from_name");
	if (!k) {
		fc_lc_fail(v, f, "%s \"%s\" names no control in the labeling config.", f, from);
		return;
	}
	if (k->tag->flags & F_JOINS) {
		fc_lc_fail(v, f,
			   "%s names <Relations>; relations are items with \"type\": \"relation\", \"from_id\" and \"to_id\".",
			   f);
		return;
	}
	v->used[k - c->controls]++;
	check_repeat_index(v, f, k, from, idx);
	const struct fc_lc_object *obj = NULL;
	if (!k->nto && !json_object_get(item, "to_name")) {
		/* nothing to point at */
	} else if (fc_lc_need_string(v, item, base, "to_name", &to) && !match_target(c, k, to, &obj)) {
		fc_lc_join(f, sizeof f, base, ".", "to_name");
		fc_lc_fail(v, f, "%s is \"%s\", but <%s name=\"%s\"> labels \"%s\".", f, to, k->tag->name, k->name,
			   k->to_raw);
	}
	if (!fc_lc_need_string(v, item, base, "type", &ty))
		return;
	if (strcmp(ty, k->tag->lower)) {
		fc_lc_join(f, sizeof f, base, ".", "type");
		fc_lc_fail(v, f, "%s is \"%s\", but results of <%s name=\"%s\"> have type \"%s\".", f, ty, k->tag->name,
			   k->name, k->tag->lower);
		return; /* the value's shape depends on the type */
	}
	check_item_id(v, base, k, item);
	fc_lc_join(f, sizeof f, base, ".", "value");
	const json_t *value = fc_lc_need(v, item, base, "value", J_OBJECT, "an object");
	if (!value)
		return;
	/* After a to_name failure, still judge the value against the object
	 * the control labels, so the other failures come out too. */
	if (!obj && k->nto)
		obj = &c->objects[k->to[0]];
	v->item = item;
	if (k->tag->check)
		k->tag->check(v, f, k, obj, value);
	if (k->tag->label_key) {
		const char *key = k->tag->label_key;
		if (k->tag->label_key_old && !json_object_get(value, key) && json_object_get(value, k->tag->label_key_old))
			key = k->tag->label_key_old;
		fc_lc_check_label_list(v, f, k, value, key);
	}
	check_item_index(v, f, k, obj, value);
}

static int region_targets(const fc_labelconfig *c, const struct fc_lc_control *k, const char *to_name)
{
	const struct fc_lc_object *obj;
	return to_name && match_target(c, k, to_name, &obj);
}

static void check_per_region_required(struct vctx *v, const struct fc_lc_control *k, const json_t *result)
{
	size_t i, j;
	const json_t *region, *item;
	json_array_foreach(result, i, region) {
		const char *type = fc_json_str(region, "type", NULL);
		const char *id = fc_json_str(region, "id", NULL);
		if (!json_is_object(region) || !type || !id || !is_region_type(type) ||
		    !region_targets(v->c, k, fc_json_str(region, "to_name", NULL)))
			continue;
		int found = 0;
		json_array_foreach(result, j, item) {
			const char *from = json_is_object(item) ? fc_json_str(item, "from_name", NULL) : NULL;
			const char *iid = json_is_object(item) ? fc_json_str(item, "parentID", NULL) : NULL;
			if (!iid)
				iid = json_is_object(item) ? fc_json_str(item, "id", NULL) : NULL;
			if (from && iid && !strcmp(from, k->name) && !strcmp(iid, id)) {
				found = 1;
				break;
			}
		}
		if (!found) {
			char f[FC_LC_PATH];
			snprintf(f, sizeof f, "result[%zu]", i);
			fc_lc_fail(v, f, "Region \"%s\" (%s) has no answer for the required <%s name=\"%s\">.", id, f,
				   k->tag->name, k->name);
		}
	}
}

/* Whether s is one of the comma-separated values of list. */
static int in_list(const char *list, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && !memcmp(p, s, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* Whether an item of result carries, under value[key], a string in list
 * (any string when list is NULL); only items from control `from` (any
 * when NULL) or on object `to` count. */
static int result_has(const json_t *result, const char *from, const char *to, const char *key, const char *list)
{
	size_t i, j;
	const json_t *item, *s;
	json_array_foreach(result, i, item) {
		if (!json_is_object(item))
			continue;
		const char *f = fc_json_str(item, "from_name", NULL), *t = fc_json_str(item, "to_name", NULL);
		if ((from && (!f || strcmp(f, from))) || (to && (!t || strcmp(t, to))))
			continue;
		const json_t *value = json_object_get(item, "value");
		const char *k;
		const json_t *arr;
		json_object_foreach((json_t *)value, k, arr) {
			if (key ? strcmp(k, key) != 0 : !strstr(k, "labels"))
				continue;
			json_array_foreach(arr, j, s)
				if (json_is_string(s) && (!list || in_list(list, json_string_value(s))))
					return 1;
		}
	}
	return 0;
}

/* Label Studio shows a control with visibleWhen only when its condition
 * holds, and asks nothing of a hidden control. */
static int is_shown(const struct vctx *v, const struct fc_lc_control *k, const json_t *result)
{
	const char *w = k->visible_when;
	if (!w)
		return 1;
	if (!strcmp(w, "choice-selected") || !strcmp(w, "choice-unselected")) {
		int any = result_has(result, k->when_tag, NULL, "choices", k->when_choice) ||
			  result_has(result, k->when_tag, NULL, "taxonomy", NULL);
		return !strcmp(w, "choice-selected") ? any : !any;
	}
	/* region-selected: a region (with that label, on that object) exists;
	 * which one is selected is the screen's business. */
	int any = v->nregions && (!k->when_label || result_has(result, NULL, k->when_tag, NULL, k->when_label));
	return !strcmp(w, "region-selected") ? any : 1;
}

/* Required answers and maxUsages limits, once every item is counted. */
static void check_totals(struct vctx *v, const json_t *result)
{
	const fc_labelconfig *c = v->c;
	for (size_t ci = 0; ci < c->ncontrols; ci++) {
		const struct fc_lc_control *k = &c->controls[ci];
		if (k->required && !is_shown(v, k, result)) {
			/* hidden by visibleWhen: nothing can be asked of it */
		} else if (k->required && k->per_region)
			check_per_region_required(v, k, result);
		else if (k->required && !((k->tag->flags & F_JOINS) ? v->nrelations : v->used[ci]))
			fc_lc_fail(v, "result", "The required <%s%s%s%s> has no answer.", k->tag->name,
				   k->name ? " name=\"" : "", k->name ? k->name : "", k->name ? "\"" : "");
		for (size_t o = 0; o < k->nopts; o++) {
			long limit = k->opts[o].max_usages ? k->opts[o].max_usages : k->max_usages;
			size_t count = v->usage[k->opt_base + o];
			if (limit && count > (size_t)limit)
				fc_lc_fail(v, "result",
					   "\"%s\" of <%s name=\"%s\"> is used %zu times; at most %ld allowed.",
					   k->opts[o].alias ? k->opts[o].alias : k->opts[o].value, k->tag->name,
					   k->name ? k->name : "", count, limit);
		}
	}
}

int fc_labelconfig_validate_result(const fc_labelconfig *c, const json_t *result, const json_t *task_data, fc_err *err)
{
	return fc_labelconfig_validate_result_env(c, result, task_data, NULL, err);
}

int fc_labelconfig_validate_result_env(const fc_labelconfig *c, const json_t *result, const json_t *task_data,
				       const fc_labelconfig_env *env, fc_err *err)
{
	struct vctx v = {.c = c, .data = json_is_object(task_data) ? task_data : NULL, .err = err, .env = env};
	int rc = 0;
	if (!json_is_array(result)) {
		fc_lc_fail(&v, "result", "result must be an array of Label Studio result items.");
		return FC_EINVAL;
	}
	size_t n = json_array_size(result);
	v.usage = calloc(c->total_opts + 1, sizeof *v.usage);
	v.used = calloc(c->ncontrols + 1, sizeof *v.used);
	v.region_ids = calloc(n + 1, sizeof *v.region_ids);
	if (!v.usage || !v.used || !v.region_ids) {
		rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory while checking the result.");
		goto out;
	}
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *type = json_is_object(item) ? fc_json_str(item, "type", NULL) : NULL;
		const char *id = json_is_object(item) ? fc_json_str(item, "id", NULL) : NULL;
		if (type && id && is_region_type(type))
			v.region_ids[v.nregions++] = id;
	}
	qsort(v.region_ids, v.nregions, sizeof *v.region_ids, cmp_str);
	json_array_foreach(result, i, item)
		check_item(&v, i, item);
	check_totals(&v, result);
	if (v.nfail)
		rc = FC_EINVAL;
out:
	free(v.usage);
	free(v.used);
	free(v.region_ids);
	return rc;
}
